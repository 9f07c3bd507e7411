// SPDX-License-Identifier: Apache-2.0
#include "telemetryingest.h"

#include "devicelookup.h"
#include "hublinkutil.h"

#include "base/metrics.h"
#include "base/servicecontext.h"
#include "crypto/keys.h"
#include "domain/eventbus.h"
#include "mqtt/mqtttopic.h"
#include "protocol/deliveryidentity.h"
#include "protocol/timeutil.h"
#include "storage/database.h"
#include "storage/databasewriter.h"
#include "storage/recordutil.h"

#include <utility>

namespace Provisio {

namespace {
// Azure's limit for a message id; a longer one is no identity here.
constexpr qsizetype kMaxMessageIdLength = 128;
} // namespace

TelemetryIngest::TelemetryIngest(ServiceContext &ctx, DeviceLookup &lookup, Options options, QObject *parent)
    : QObject(parent), m_ctx(ctx), m_lookup(lookup), m_options(options), m_store(ctx.db), m_telemetryStore(ctx.db),
      m_buffer(options.buffer), m_ageSweep(QStringLiteral("telemetry"), options.retention)
{
    m_clock.start();
    Metrics &m = m_ctx.metrics;
    m.describe(QStringLiteral("provisio_telemetry_events_dropped_total"), QStringLiteral("counter"),
               QStringLiteral("Telemetry events not raised because a device exceeded the event rate"));
    m.describe(QStringLiteral("provisio_telemetry_stored_total"), QStringLiteral("counter"),
               QStringLiteral("Telemetry messages written to the telemetry table"));
    m.describe(QStringLiteral("provisio_telemetry_pruned_total"), QStringLiteral("counter"),
               QStringLiteral("Telemetry messages deleted by retention, by reason (count, age)"));
    m.addGauge(QStringLiteral("provisio_telemetry_pending_messages"),
               QStringLiteral("Telemetry messages received and not yet written"),
               [this] { return double(m_buffer.pendingCount() + m_inFlight.size()); });
    m.describe(QStringLiteral("provisio_telemetry_redelivered_total"), QStringLiteral("counter"),
               QStringLiteral("Telemetry deliveries a hub sent again that were stored already or waiting (not stored "
                              "twice)"));

    connect(&m_flushTimer, &QTimer::timeout, this, &TelemetryIngest::flushCounters);
    m_batchTimer.setSingleShot(true);
    connect(&m_batchTimer, &QTimer::timeout, this, &TelemetryIngest::sendPending);
    connect(&m_pruneTimer, &QTimer::timeout, this, &TelemetryIngest::prune);
    connect(&m_ageSweep, &RetentionSweep::roundDone, this, [this](int deleted, qint64) {
        if (deleted > 0)
            m_ctx.metrics.increment(QStringLiteral("provisio_telemetry_pruned_total"), QStringLiteral("reason=\"age\""),
                                    double(deleted));
    });
    m_writer = DatabaseWriter::create(m_ctx.db);
}

TelemetryIngest::~TelemetryIngest()
{
    flushBatch();
    flushCounters();
}

void TelemetryIngest::start()
{
    m_flushTimer.start(m_options.flushMs);
    m_pruneTimer.start(m_options.pruneMs);
}

void TelemetryIngest::handleMessage(const QString &hubHost, const QString &session, const MqttCodec::Publish &publish,
                                    std::function<void()> acknowledge)
{
    using namespace HubLinkUtil;
    // As countReceived(.., "telemetry"), without formatting the label for
    // every message.
    static const QString receivedName = QStringLiteral("provisio_hub_messages_total");
    static const QString receivedLabels = QStringLiteral("kind=\"telemetry\"");
    m_ctx.metrics.increment(receivedName, receivedLabels);
    const QByteArray topicBytes = publish.topic.toUtf8();
    const auto identityOf = [&] {
        return deliveryIdentity(std::string_view(topicBytes.constData(), size_t(topicBytes.size())),
                                std::string_view(publish.payload.constData(), size_t(publish.payload.size())));
    };
    auto parsed = MqttTopic::parseTelemetryTopic(publish.topic);
    if (!parsed) {
        // Refused for good: acknowledged, or the hub would send it forever;
        // its credit returns with it.
        Q_EMIT messagesSettled(hubHost, {identityOf()});
        if (acknowledge)
            acknowledge();
        return countRejected(m_ctx.metrics, "telemetry", "malformed");
    }
    const QString deviceId = parsed->deviceId;
    const auto lookup = m_lookup.find(deviceId, hubHost);
    if (!lookup) {
        Q_EMIT messagesSettled(hubHost, {identityOf()});
        if (acknowledge)
            acknowledge();
        return countRejected(m_ctx.metrics, "telemetry", "unknownDevice");
    }
    const QByteArray &payload = publish.payload;
    const QDateTime at = QDateTime::currentDateTimeUtc();
    TelemetryStore::Message message;
    message.deviceId = deviceId;
    message.hubHost = hubHost;
    message.received = at;
    message.properties = parsed->properties;
    message.body = publish.payload;
    for (const auto &p : std::as_const(parsed->properties)) {
        // The device's own message id is the identity when it is usable
        // (Azure: up to 128 characters); otherwise the delivery is.
        if (p.first == QLatin1String("$.mid") && !p.second.isEmpty() && p.second.size() <= kMaxMessageIdLength)
            message.messageId = p.second;
    }
    quint64 delivery = 0;
    if (publish.qos > 0) {
        message.session = session;
        message.packetId = publish.packetId;
        // SHA-256 over topic, NUL and body: OpenSSL's (the CPU's SHA
        // extensions where present) rather than QCryptographicHash's
        // portable code. Its first 8 bytes are the delivery identity the
        // hub's credit knows the message by (deliveryidentity.h).
        unsigned char digest[32];
        static const char nul = 0;
        Crypto::sha256Of({{topicBytes.constData(), size_t(topicBytes.size())},
                          {&nul, 1},
                          {publish.payload.constData(), size_t(publish.payload.size())}},
                         digest);
        message.digest = QByteArray(reinterpret_cast<const char *>(digest), TelemetryStore::kDigestBytes);
        for (int i = 0; i < 8; ++i)
            delivery = (delivery << 8) | digest[i];
        message.redelivered = publish.dup;
    } else {
        delivery = identityOf();
    }
    if (message.redelivered &&
        (m_buffer.adoptRedelivery(message, acknowledge) || adoptInFlight(message, acknowledge))) {
        // Its first copy waits for the next batch already, or is being
        // written (sent again after a reconnect): stored once,
        // acknowledged on the new connection.
        m_ctx.metrics.increment(QStringLiteral("provisio_telemetry_redelivered_total"));
        return;
    }
    if (m_buffer.add(std::move(message), std::move(acknowledge), delivery))
        sendPending();
    else if (!m_batchTimer.isActive())
        m_batchTimer.start(0); // after what the current read from the hubs brought
    int skipped = 0;
    if (!admitEvent(deviceId, &skipped))
        return;
    QJsonObject properties;
    for (const auto &p : std::as_const(parsed->properties))
        properties.insert(p.first, p.second);
    DomainEvent e;
    e.kind = EventKind::Telemetry;
    e.deviceId = deviceId;
    e.hub = hubHost;
    e.registrationId = lookup->registrationId;
    e.data = QJsonObject{{QStringLiteral("receivedDateTimeUtc"), toIsoUtc(at)},
                         {QStringLiteral("properties"), properties},
                         {QStringLiteral("size"), int(payload.size())}};
    if (skipped > 0)
        e.data.insert(QStringLiteral("skipped"), skipped);
    if (payload.size() <= m_options.maxEventBodyBytes) {
        if (const auto body = parseJsonValue(payload))
            e.data.insert(QStringLiteral("body"), *body);
        else
            e.data.insert(QStringLiteral("body"), QString::fromLatin1(payload.toBase64()));
    }
    m_ctx.events.publish(e);
}

bool TelemetryIngest::admitEvent(const QString &deviceId, int *skipped)
{
    // The live feed and webhooks see telemetry too, but a chatty device
    // cannot flood them: at most eventsPerSecond events per device.
    const qint64 second = m_clock.elapsed() / 1000;
    EventWindow &window = m_eventWindows[deviceId];
    if (window.second != second) {
        window.second = second;
        window.events = 0;
    }
    if (window.events >= m_options.eventsPerSecond) {
        m_ctx.metrics.increment(QStringLiteral("provisio_telemetry_events_dropped_total"));
        // Counted, so the next event that goes out tells the feed that
        // live data is missing and the stored history has it.
        ++window.skipped;
        return false;
    }
    ++window.events;
    *skipped = std::exchange(window.skipped, 0);
    if (m_eventWindows.size() > m_options.maxTrackedDevices)
        m_eventWindows.clear();
    return true;
}

void TelemetryIngest::flushCounters()
{
    const auto counters = m_buffer.takeUnflushed();
    if (counters.isEmpty())
        return;
    Transaction tx(m_ctx.db);
    for (auto it = counters.cbegin(); it != counters.cend(); ++it) {
        if (auto r = m_store.addTelemetry(it.key(), it->hubHost, it->count, it->last); !r) {
            qCWarning(lcHubConnection).noquote() << "telemetry counters not stored:" << r.error().message;
            m_buffer.restoreUnflushed(counters);
            return;
        }
    }
    if (!tx.commit())
        m_buffer.restoreUnflushed(counters);
}

bool TelemetryIngest::adoptInFlight(const TelemetryStore::Message &message, std::function<void()> &acknowledge)
{
    if (!message.hasDelivery())
        return false;
    for (TelemetryBuffer::Entry &e : m_inFlight) {
        if (e.message.sameDelivery(message)) {
            e.acknowledge = std::move(acknowledge);
            return true;
        }
    }
    return false;
}

Result<void> TelemetryIngest::flushBatch()
{
    if (auto r = settleInFlight(); !r)
        return r;
    sendPending();
    return settleInFlight();
}

void TelemetryIngest::sendPending()
{
    m_batchTimer.stop();
    if (m_inFlightBatch || m_buffer.pendingCount() == 0)
        return;
    m_inFlight = m_buffer.takePending();
    auto batch = std::make_shared<Batch>();
    batch->messages.reserve(m_inFlight.size());
    for (const TelemetryBuffer::Entry &e : std::as_const(m_inFlight))
        batch->messages << e.message;
    m_inFlightBatch = batch;
    if (!m_writer) {
        writeBatch(&m_ctx.db, *batch);
        settleInFlight();
        return;
    }
    // The messages go over whole (copies; the entries with their
    // acknowledgements stay here) and the results come back whole.
    m_writer->start([batch](Database *db) { writeBatch(db, *batch); }, this,
                    [this, batch] {
                        if (m_inFlightBatch != batch)
                            return; // settled by flushBatch() already
                        settleInFlight();
                        // What arrived meanwhile goes at once; after a failure, when the
                        // retry timer says.
                        if (!m_batchFailing)
                            sendPending();
                    });
}

void TelemetryIngest::writeBatch(Database *db, Batch &batch)
{
    if (!db) {
        batch.stored = Error(ErrorCode::Unavailable, QStringLiteral("no database connection for the telemetry writer"));
        return;
    }
    TelemetryStore store(*db);
    Transaction tx(*db);
    Result<void> stored = tx.isActive() ? Result<void>() : Result<void>(commitFailed());
    QList<TelemetryStore::Message> messages;
    messages.reserve(batch.messages.size());
    qsizetype duplicates = 0;
    // Sent again by the hub: stored before the acknowledgement got through
    // (the middleware was killed in between, or the connection dropped)?
    // One look-up for the batch's redeliveries.
    if (stored) {
        const auto seen = store.storedRedeliveries(batch.messages);
        if (!seen) {
            stored = seen.error();
        } else {
            for (qsizetype i = 0; i < batch.messages.size(); ++i) {
                if (seen->at(i))
                    ++duplicates;
                else
                    messages << batch.messages.at(i);
            }
        }
    }
    if (stored && !messages.isEmpty())
        stored = store.insert(messages);
    if (stored && !tx.commit())
        stored = commitFailed();
    batch.stored = stored;
    batch.written = messages.size();
    batch.duplicates = duplicates;
}

Result<void> TelemetryIngest::settleInFlight()
{
    if (!m_inFlightBatch)
        return {};
    if (m_writer)
        m_writer->wait();
    const std::shared_ptr<Batch> batch = std::move(m_inFlightBatch);
    m_inFlightBatch.reset();
    QList<TelemetryBuffer::Entry> entries;
    entries.swap(m_inFlight);
    if (!batch->stored) {
        // Kept, unacknowledged, and tried again shortly: the hub holds
        // back further deliveries meanwhile (its in-flight window). Warned
        // once per outage, not every second.
        if (!m_batchFailing)
            qCWarning(lcHubConnection).noquote() << "telemetry not stored, retrying:" << batch->stored.error().message;
        m_batchFailing = true;
        m_buffer.restorePending(std::move(entries));
        m_batchTimer.start(qMax(m_options.batchMs, 1000));
        return batch->stored;
    }
    if (m_batchFailing)
        qCInfo(lcHubConnection) << "telemetry is stored again";
    m_batchFailing = false;
    // Stored. The hubs get their credit back first, then the
    // acknowledgements: both go out on the same connection in this order, so
    // a crash in between leaves the hub with messages it will deliver again
    // rather than with acknowledged messages whose credit never came back.
    // Every delivery of the batch is confirmed, copies found stored already
    // included: the hub pays a confirmation only when it holds a charge of
    // that identity, so one whose first confirmation got through before its
    // acknowledgement was lost pays nothing twice.
    QHash<QString, QList<quint64>> settled; // hub -> delivery identities
    for (const TelemetryBuffer::Entry &e : std::as_const(entries))
        settled[e.message.hubHost].append(e.delivery);
    for (auto it = settled.cbegin(); it != settled.cend(); ++it)
        Q_EMIT messagesSettled(it.key(), it.value());
    for (const TelemetryBuffer::Entry &e : std::as_const(entries)) {
        if (e.acknowledge)
            e.acknowledge();
    }
    // Stored, so the devices may forget them: one confirmation per device
    // and batch, listing the ids of everything of it the batch holds
    // (resent copies that were stored before included).
    QHash<QPair<QString, QString>, QStringList> storedIds; // (hub, device) -> $.mid
    for (const TelemetryBuffer::Entry &e : std::as_const(entries)) {
        if (!e.message.messageId.isEmpty())
            storedIds[{e.message.hubHost, e.message.deviceId}].append(e.message.messageId);
    }
    for (auto it = storedIds.cbegin(); it != storedIds.cend(); ++it)
        Q_EMIT messagesStored(it.key().first, it.key().second, it.value());
    m_ctx.metrics.increment(QStringLiteral("provisio_telemetry_stored_total"), QString(), double(batch->written));
    if (batch->duplicates > 0)
        m_ctx.metrics.increment(QStringLiteral("provisio_telemetry_redelivered_total"), QString(),
                                double(batch->duplicates));
    // Retention looks at these devices next round (a device whose messages
    // were all found stored already costs it one count).
    for (const TelemetryBuffer::Entry &e : std::as_const(entries))
        m_touched.insert(e.message.deviceId);
    return {};
}

void TelemetryIngest::prune()
{
    if (!m_pruneQueue.isEmpty() || m_ageSweep.isRunning())
        return; // the previous round is still going
    m_pruneQueue = QStringList(m_touched.cbegin(), m_touched.cend());
    m_touched.clear();
    pruneStep();
}

void TelemetryIngest::pruneStep()
{
    // A slice per event-loop turn, so a large fleet's round never stalls
    // the API or the hub connections; a device with more than a batch to
    // go comes again at the end of the round.
    constexpr int kDevicesPerStep = 200;
    const int batchRows = m_ageSweep.options().batchRows;
    for (int i = 0; i < kDevicesPerStep && !m_pruneQueue.isEmpty(); ++i) {
        const QString deviceId = m_pruneQueue.takeLast();
        auto pruned = m_telemetryStore.pruneDevice(deviceId, m_options.keep, batchRows);
        if (!pruned) {
            qCWarning(lcHubConnection).noquote()
                << "telemetry of" << deviceId << "not pruned:" << pruned.error().message;
            m_touched.insert(deviceId); // next round
            continue;
        }
        if (*pruned > 0)
            m_ctx.metrics.increment(QStringLiteral("provisio_telemetry_pruned_total"),
                                    QStringLiteral("reason=\"count\""), double(*pruned));
        if (*pruned >= batchRows)
            m_pruneQueue.prepend(deviceId);
    }
    if (!m_pruneQueue.isEmpty()) {
        QTimer::singleShot(0, this, &TelemetryIngest::pruneStep);
        return;
    }
    pruneByAge();
}

void TelemetryIngest::pruneByAge()
{
    const QDateTime cutoff = QDateTime::currentDateTimeUtc().addDays(-m_options.days);
    TelemetryStore &store = m_telemetryStore;
    m_ageSweep.start([&store, cutoff](int maxRows) { return store.pruneOlderThan(cutoff, maxRows); });
}

} // namespace Provisio

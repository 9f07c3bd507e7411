// SPDX-License-Identifier: Apache-2.0
#include "hublink.h"

#include "hublinkutil.h"

#include "base/metrics.h"
#include "base/serviceconfig.h"
#include "base/servicecontext.h"
#include "crypto/keys.h"
#include "protocol/deliveryidentity.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QSaveFile>
#include <QStringList>

namespace Provisio {

namespace {

TwinSync::Options twinOptions(const HubLink::Options &o)
{
    TwinSync::Options t;
    t.desiredRescanMs = o.desiredRescanMs;
    t.maxReportedBytes = o.maxReportedBytes;
    return t;
}

TelemetryIngest::Options telemetryOptions(const HubLink::Options &o)
{
    TelemetryIngest::Options t;
    t.buffer = o.telemetry;
    t.flushMs = o.telemetryFlushMs;
    t.batchMs = o.telemetryBatchMs;
    t.keep = o.telemetryKeep;
    t.days = o.telemetryDays;
    t.pruneMs = o.telemetryPruneMs;
    t.retention = o.retention;
    t.maxTrackedDevices = o.maxTrackedDevices;
    t.eventsPerSecond = o.telemetryEventsPerSecond;
    t.maxEventBodyBytes = o.maxEventBodyBytes;
    return t;
}

// devices/{id}/messages[/...]: telemetry. Compared in place, without
// splitting the topic into a list: this runs for every message.
bool isDeviceMessagesTopic(QStringView topic)
{
    constexpr QStringView prefix = u"devices/";
    constexpr QStringView messages = u"messages";
    if (!topic.startsWith(prefix))
        return false;
    const qsizetype slash = topic.indexOf(u'/', prefix.size());
    if (slash <= prefix.size())
        return false; // no device id
    const QStringView rest = topic.mid(slash + 1);
    return rest.startsWith(messages) && (rest.size() == messages.size() || rest.at(messages.size()) == u'/');
}

} // namespace

HubLink::HubLink(ServiceContext &ctx, Options options, QObject *parent)
    : QObject(parent), m_ctx(ctx), m_options(options), m_registrations(ctx.db), m_store(ctx.db),
      m_lookup(m_registrations, options.maxTrackedDevices), m_connections(ctx, options.connection),
      m_credit(m_connections), m_twins(ctx, m_connections, m_registrations, twinOptions(options)),
      m_telemetry(ctx, m_lookup, telemetryOptions(options)), m_presence(ctx, m_lookup),
      m_revocations(ctx, m_connections, m_registrations, m_lookup, options.pollIntervalMs),
      m_methods(ctx, m_connections), m_takeover(ctx, m_connections, SessionTakeover::Options{options.leaseMs, 3000}),
      m_cloud(ctx, m_connections, options.pollIntervalMs)
{
    m_ctx.metrics.describe(QStringLiteral("provisio_hub_messages_total"), QStringLiteral("counter"),
                           QStringLiteral("Messages received from hubs, by kind"));
    m_ctx.metrics.describe(
        QStringLiteral("provisio_hub_messages_rejected_total"), QStringLiteral("counter"),
        QStringLiteral("Hub messages ignored, by kind and reason (oversize, malformed, unknownDevice)"));

    connect(&m_pollTimer, &QTimer::timeout, this, [this] {
        m_connections.sync();
        for (HubConnection *connection : m_connections.connected())
            m_revocations.retry(connection, false);
    });
    connect(&m_connections, &HubConnections::hubConnected, this, [this](HubConnection *connection) {
        // What changed while the hub was away: desired documents and the
        // revocations waiting for it.
        m_twins.catchUp(connection->hub().host);
        m_revocations.retry(connection, true);
        m_cloud.catchUp(connection->hub().host);
    });
    connect(&m_connections, &HubConnections::messageReceived, this, &HubLink::onMessage);
    connect(&m_telemetry, &TelemetryIngest::messagesSettled, &m_credit, &HubCredit::settled);
    connect(&m_telemetry, &TelemetryIngest::messagesStored, this, &HubLink::confirmStored);
    connect(&m_takeover, &SessionTakeover::messageReceived, this, &HubLink::onMessage);
}

HubLink::~HubLink() = default;

QString HubLink::serviceClientId(const ServiceConfig &config)
{
    const QString prefix = QStringLiteral("provisio-mw-");
    if (!config.instanceId.isEmpty())
        return prefix + config.instanceId;
    const QString path = QDir(config.dataDir).filePath(QStringLiteral("instance-id"));
    QFile file(path);
    if (file.open(QIODevice::ReadOnly)) {
        const QString stored = QString::fromLatin1(file.read(256)).trimmed();
        if (isValidInstanceId(stored))
            return prefix + stored;
        qCWarning(lcHubConnection).noquote() << path << "holds no valid instance id; a new one replaces it";
    }
    const QString id = QString::fromLatin1(Crypto::randomBytes(8).toHex());
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly) || out.write(id.toLatin1() + '\n') < 0 || !out.commit())
        qCWarning(lcHubConnection).noquote() << "cannot keep the instance id in" << path << "(" << out.errorString()
                                             << "): after a restart the hubs' queued messages for this instance "
                                                "wait in a session nobody resumes";
    return prefix + id;
}

void HubLink::start()
{
    if (m_started || !m_options.enabled)
        return;
    m_started = true;
    if (m_options.connection.clientId.isEmpty())
        m_options.connection.clientId = serviceClientId(m_ctx.config);
    m_connections.setClientId(m_options.connection.clientId);
    qCInfo(lcHubConnection).noquote() << "service client id on the hubs:" << m_options.connection.clientId;
    // The twin first: a device admitted again finds its desired properties
    // already on the hub.
    connect(&m_ctx.events, &EventBus::eventPublished, this, &HubLink::onEvent);
    connect(&m_ctx.events, &EventBus::eventPublished, &m_twins, &TwinSync::onEvent);
    connect(&m_ctx.events, &EventBus::eventPublished, &m_revocations, &Revocations::onEvent);
    connect(&m_ctx.events, &EventBus::eventPublished, &m_cloud, &CloudDelivery::onEvent);
    m_connections.sync();
    m_pollTimer.start(m_options.pollIntervalMs);
    m_telemetry.start();
    m_twins.start();
    m_takeover.start(m_options.connection.clientId);
    m_cloud.start();
}

std::optional<HubLink::HubStatus> HubLink::status(const QString &hubName)
{
    HubConnection *connection = m_connections.byName(hubName);
    if (!connection)
        return std::nullopt;
    HubStatus s;
    s.connected = connection->isConnected();
    s.since = connection->since();
    s.lastError = connection->lastError();
    s.clientId = connection->clientId();
    s.pendingRevocations = m_revocations.pendingCount(connection->hub().host);
    return s;
}

void HubLink::onEvent(const DomainEvent &event)
{
    switch (event.kind) {
    case EventKind::HubCreated:
    case EventKind::HubUpdated:
    case EventKind::HubDeleted:
    case EventKind::HubKeyRotated:
        m_connections.sync();
        break;
    case EventKind::RegistrationAssigned:
    case EventKind::RegistrationDeleted:
        // A device's registration changed: its messages are looked up again.
        m_lookup.forget(event.deviceId);
        break;
    default:
        break;
    }
}

void HubLink::onMessage(HubConnection *connection, const MqttCodec::Publish &message, quint64 tag)
{
    const QString &topic = message.topic;
    const QByteArray &payload = message.payload;
    const QString hubHost = connection->hub().host.toLower();
    if (isDeviceMessagesTopic(topic)) {
        // Telemetry is acknowledged to the hub once stored (TelemetryIngest);
        // a connection gone by then leaves it to the hub to deliver again.
        QPointer<HubConnection> guard(connection);
        m_telemetry.handleMessage(hubHost, connection->clientId() + QLatin1Char('|') + hubHost, message, [guard, tag] {
            if (guard)
                guard->acknowledge(tag);
        });
        return;
    }
    // Everything else is handled (and stored where it is stored) right here.
    handleOther(connection, topic, payload);
    connection->acknowledge(tag);
}

void HubLink::confirmStored(const QString &hubHost, const QString &deviceId, const QStringList &messageIds)
{
    // To the device alone (only it may subscribe devices/{id}/messages/stored;
    // Provisio's devices do, Azure's SDKs do not, so they never see one).
    // QoS 0: a confirmation that does not arrive makes the device send the
    // messages again, and they are stored once.
    HubConnection *connection = m_connections.connectedTo(hubHost);
    if (!connection)
        return;
    const QString topic = QStringLiteral("devices/%1/messages/stored").arg(deviceId);
    for (qsizetype from = 0; from < messageIds.size(); from += kMaxIdsPerConfirmation) {
        QJsonArray ids;
        for (const QString &id : messageIds.mid(from, kMaxIdsPerConfirmation))
            ids.append(id);
        connection->publish(topic,
                            QJsonDocument(QJsonObject{{QStringLiteral("stored"), ids}}).toJson(QJsonDocument::Compact),
                            0, false, {});
    }
}

void HubLink::handleOther(HubConnection *connection, const QString &topic, const QByteArray &payload)
{
    if (topic == HubConnections::controlResponseTopic()) {
        m_revocations.handleControlResponse(payload);
        return;
    }
    const QString hubHost = connection->hub().host.toLower();
    const QStringList parts = topic.split(QLatin1Char('/'));
    if (parts.size() < 3 || parts.at(0) != QLatin1String("devices") || parts.at(1).isEmpty())
        return;
    const QString &deviceId = parts.at(1);
    const QString &what = parts.at(2);
    if (what == QLatin1String("twin") && parts.size() == 4 && parts.at(3) == QLatin1String("reported")) {
        m_twins.handleReported(hubHost, deviceId, payload);
    } else if (what == QLatin1String("twin") && parts.size() == 5 && parts.at(3) == QLatin1String("reported")) {
        m_twins.handleReported(hubHost, deviceId, payload, parts.at(4));
    } else if (what == QLatin1String("twin") && parts.size() == 5 && parts.at(3) == QLatin1String("get")) {
        m_twins.handleGet(hubHost, deviceId, parts.at(4));
    } else if (what == QLatin1String("status") && parts.size() == 3) {
        m_presence.handleStatus(hubHost, deviceId, payload);
    } else if (what == QLatin1String("methods") && parts.size() == 6 && parts.at(3) == QLatin1String("res")) {
        m_methods.handleResponse(deviceId, parts.at(4), parts.at(5), payload);
    }
    // Everything but telemetry is handled (or ignored) now: its credit
    // returns at once.
    const QByteArray topicBytes = topic.toUtf8();
    m_credit.handled(hubHost, {deliveryIdentity(std::string_view(topicBytes.constData(), size_t(topicBytes.size())),
                                                std::string_view(payload.constData(), size_t(payload.size())))});
}

} // namespace Provisio

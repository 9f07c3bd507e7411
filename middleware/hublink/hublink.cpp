// SPDX-License-Identifier: Apache-2.0
#include "hublink.h"

#include "base/metrics.h"
#include "base/servicecontext.h"
#include "crypto/keys.h"
#include "domain/inventory.h"
#include "mqtt/mqtttopic.h"
#include "protocol/jsonmerge.h"
#include "protocol/timeutil.h"
#include "storage/auditlog.h"
#include "storage/database.h"
#include "storage/enrollmentstore.h"
#include "storage/hubstore.h"
#include "storage/recordutil.h"

#include "base/serviceconfig.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSaveFile>

Q_DECLARE_LOGGING_CATEGORY(lcHubConnection)

namespace Provisio {

namespace {

const QString kControlTopic = QStringLiteral("$CONTROL/provisio-hub/v1");
const QString kControlResponseTopic = QStringLiteral("$CONTROL/provisio-hub/v1/response");
const QString kAssigned = QStringLiteral("assigned");
const QString kProvisioningStatus = QStringLiteral("provisioningStatus");
const QString kEnabled = QStringLiteral("enabled");
const QString kDisabled = QStringLiteral("disabled");
const QString kRejected = QStringLiteral("provisio_hub_messages_rejected_total");
const QString kConnectedGauge = QStringLiteral("provisio_hub_connected");
constexpr int kLookupTtlMs = 30000;
constexpr int kScanPage = 200;

int envInt(const char *name, int fallback, int min, int max)
{
    bool ok = false;
    const int v = qEnvironmentVariableIntValue(name, &ok);
    return ok && v >= min && v <= max ? v : fallback;
}

QString escapeLabel(QString s)
{
    s.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    s.replace(QLatin1Char('"'), QLatin1String("\\\""));
    return s;
}

// Any JSON text, including a bare scalar ("21.5", "\"on\""), which
// QJsonDocument alone does not take.
std::optional<QJsonValue> parseJsonValue(const QByteArray &text)
{
    if (text.trimmed().isEmpty())
        return std::nullopt;
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson('[' + text + ']', &error);
    if (error.error != QJsonParseError::NoError || !doc.isArray() || doc.array().size() != 1)
        return std::nullopt;
    return doc.array().at(0);
}

QByteArray jsonText(const QJsonValue &value)
{
    QByteArray out = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return out.mid(1, out.size() - 2);
}

QJsonObject desiredOf(const RegistrationRecord &record)
{
    return record.twin.value(QStringLiteral("properties")).toObject().value(QStringLiteral("desired")).toObject();
}

} // namespace

HubLink::Options HubLink::optionsFromEnvironment()
{
    Options o;
    const QByteArray enabled = qgetenv("PROVISIO_HUB_LINK").toLower();
    o.enabled = !(enabled == "off" || enabled == "0" || enabled == "false");
    o.connection.tokenLifetimeSeconds =
        envInt("PROVISIO_HUB_TOKEN_LIFETIME", int(o.connection.tokenLifetimeSeconds), 5, 24 * 3600);
    o.maxTrackedDevices = envInt("PROVISIO_TELEMETRY_MAX_DEVICES", o.maxTrackedDevices, 1, 10000000);
    o.telemetryPruneMs = envInt("PROVISIO_TELEMETRY_PRUNE_MS", o.telemetryPruneMs, 100, 24 * 3600 * 1000);
    o.telemetryEventsPerSecond = envInt("PROVISIO_TELEMETRY_EVENTS_PER_SECOND", o.telemetryEventsPerSecond, 0, 100000);
    return o;
}

HubLink::HubLink(ServiceContext &ctx, Options options, QObject *parent)
    : QObject(parent), m_ctx(ctx), m_options(options), m_registrations(ctx.db), m_store(ctx.db),
      m_telemetryStore(ctx.db), m_telemetry(options.telemetry)
{
    m_clock.start();
    Metrics &m = m_ctx.metrics;
    m.describe(kConnectedGauge, QStringLiteral("gauge"),
               QStringLiteral("1 while the middleware's service connection to the hub is up"));
    m.describe(QStringLiteral("provisio_hub_messages_total"), QStringLiteral("counter"),
               QStringLiteral("Messages received from hubs, by kind"));
    m.describe(kRejected, QStringLiteral("counter"),
               QStringLiteral("Hub messages ignored, by kind and reason (oversize, malformed, unknownDevice)"));
    m.describe(QStringLiteral("provisio_desired_published_total"), QStringLiteral("counter"),
               QStringLiteral("Desired property documents published to hubs, by outcome"));
    m.describe(QStringLiteral("provisio_hub_revocations_total"), QStringLiteral("counter"),
               QStringLiteral("Revoke/restore answers from hubs, by op and status"));
    m.describe(QStringLiteral("provisio_telemetry_events_dropped_total"), QStringLiteral("counter"),
               QStringLiteral("Telemetry events not raised because a device exceeded the event rate"));
    m.describe(QStringLiteral("provisio_direct_methods_total"), QStringLiteral("counter"),
               QStringLiteral("Direct method calls by outcome"));
    m.describe(QStringLiteral("provisio_telemetry_stored_total"), QStringLiteral("counter"),
               QStringLiteral("Telemetry messages written to the telemetry table"));
    m.describe(QStringLiteral("provisio_telemetry_pruned_total"), QStringLiteral("counter"),
               QStringLiteral("Telemetry messages deleted by retention, by reason (count, age)"));
    m.addGauge(QStringLiteral("provisio_telemetry_pending_messages"),
               QStringLiteral("Telemetry messages received and not yet written"),
               [this] { return double(m_telemetry.pendingCount()); });
    m.describe(QStringLiteral("provisio_telemetry_dropped_total"), QStringLiteral("counter"),
               QStringLiteral("Telemetry messages dropped unwritten because the write queue was full"));

    connect(&m_pollTimer, &QTimer::timeout, this, [this] {
        syncHubs();
        for (auto &entry : m_connections) {
            if (entry.second->isConnected())
                retryRevocations(entry.second.get(), false);
        }
    });
    connect(&m_flushTimer, &QTimer::timeout, this, &HubLink::flushTelemetry);
    m_batchTimer.setSingleShot(true);
    connect(&m_batchTimer, &QTimer::timeout, this, [this] { flushTelemetryBatch(); });
    connect(&m_pruneTimer, &QTimer::timeout, this, &HubLink::pruneTelemetry);
    connect(&m_rescanTimer, &QTimer::timeout, this, [this] {
        for (auto &entry : m_connections) {
            if (entry.second->isConnected())
                scanDesired(entry.second->hub().host.toLower(), QString());
        }
    });
}

HubLink::~HubLink()
{
    flushTelemetryBatch();
    flushTelemetry();
    // Pending calls end with their owner; their HTTP clients see the
    // connection close when the server goes.
    m_calls.clear();
    m_connections.clear();
}

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
    qCInfo(lcHubConnection).noquote() << "service client id on the hubs:" << m_options.connection.clientId;
    connect(&m_ctx.events, &EventBus::eventPublished, this, &HubLink::onEvent);
    syncHubs();
    m_pollTimer.start(m_options.pollIntervalMs);
    m_flushTimer.start(m_options.telemetryFlushMs);
    m_pruneTimer.start(m_options.telemetryPruneMs);
    m_rescanTimer.start(m_options.desiredRescanMs);
}

// --- hubs and connections

void HubLink::syncHubs()
{
    m_ctx.hubs.invalidate();
    auto hubs = m_ctx.hubs.all();
    if (!hubs) {
        qCWarning(lcHubConnection).noquote() << "cannot read the linked hubs:" << hubs.error().message;
        return;
    }
    QSet<QString> seen;
    for (const Hub &hub : std::as_const(*hubs)) {
        seen.insert(hub.name);
        const auto it = m_connections.find(hub.name);
        if (it != m_connections.end()) {
            const Hub &current = it->second->hub();
            if (current.host == hub.host && current.dialEndpoint() == hub.dialEndpoint() &&
                current.signingKey == hub.signingKey)
                continue;
            // Moved or re-keyed: a new connection with the new settings.
            m_connections.erase(it);
        }
        auto connection = std::make_unique<HubConnection>(hub, m_ctx.caCertificatePem, m_options.connection);
        HubConnection *raw = connection.get();
        for (const char *filter : {"$share/provisio/devices/+/messages/events/#",
                                   "$share/provisio/devices/+/twin/reported", "$share/provisio/devices/+/status"})
            raw->subscribe(QString::fromLatin1(filter), 1);
        // Every instance hears every control answer: whichever reads it
        // first records it (the answer names its request).
        raw->subscribe(kControlResponseTopic, 1);
        connect(raw, &HubConnection::connected, this, [this, raw] {
            setConnectedGauge(raw->hub().name, true);
            hubConnected(raw);
        });
        connect(raw, &HubConnection::disconnected, this, [this, raw] { setConnectedGauge(raw->hub().name, false); });
        connect(raw, &HubConnection::messageReceived, this,
                [this, raw](const QByteArray &payload, const QString &topic) { onMessage(raw, payload, topic); });
        m_connections[hub.name] = std::move(connection);
        setConnectedGauge(hub.name, false);
        raw->start();
    }
    for (auto it = m_connections.begin(); it != m_connections.end();) {
        if (!seen.contains(it->first)) {
            setConnectedGauge(it->first, false);
            it = m_connections.erase(it);
        } else {
            ++it;
        }
    }
}

HubConnection *HubLink::connectionFor(const QString &hubHost) const
{
    for (const auto &entry : m_connections) {
        if (entry.second->hub().host.compare(hubHost, Qt::CaseInsensitive) == 0)
            return entry.second.get();
    }
    return nullptr;
}

void HubLink::setConnectedGauge(const QString &hubName, bool connected)
{
    // Metrics has label-less gauges only; a counter entry moved by the
    // difference renders as the labelled gauge (its type is described).
    const double value = connected ? 1 : 0;
    const QString labels = QStringLiteral("hub=\"%1\"").arg(escapeLabel(hubName));
    const double previous = m_gauges.value(hubName, 0);
    m_ctx.metrics.increment(kConnectedGauge, labels, value - previous);
    m_gauges.insert(hubName, value);
}

void HubLink::hubConnected(HubConnection *connection)
{
    // What changed while the hub was away: desired documents and the
    // revocations waiting for it.
    scanDesired(connection->hub().host.toLower(), QString());
    retryRevocations(connection, true);
}

std::optional<HubLink::HubStatus> HubLink::status(const QString &hubName)
{
    const auto it = m_connections.find(hubName);
    if (it == m_connections.end())
        return std::nullopt;
    HubStatus s;
    s.connected = it->second->isConnected();
    s.since = it->second->since();
    s.lastError = it->second->lastError();
    s.clientId = it->second->clientId();
    auto pending = m_store.pendingRevocations(it->second->hub().host);
    s.pendingRevocations = pending ? int(pending->size()) : 0;
    return s;
}

// --- events from the rest of the middleware

void HubLink::onEvent(const DomainEvent &event)
{
    switch (event.kind) {
    case EventKind::HubCreated:
    case EventKind::HubUpdated:
    case EventKind::HubDeleted:
    case EventKind::HubKeyRotated:
        syncHubs();
        return;
    case EventKind::GroupCreated:
    case EventKind::GroupUpdated:
    case EventKind::GroupDeleted:
    case EventKind::GroupEnabled:
    case EventKind::GroupDisabled:
    case EventKind::GroupKeysRegenerated:
    case EventKind::GroupTwinUpdated:
        onGroupEvent(event);
        return;
    default:
        break;
    }
    const bool assigned = event.kind == EventKind::RegistrationAssigned;
    const bool twinChanged = event.kind == EventKind::EnrollmentTwinUpdated;
    bool revoke = event.kind == EventKind::EnrollmentDisabled || event.kind == EventKind::EnrollmentDeleted;
    bool restore = event.kind == EventKind::EnrollmentEnabled;
    // A PUT of the whole enrollment can change its status too.
    const bool updated = event.kind == EventKind::EnrollmentUpdated;
    if (updated) {
        const QString status = event.data.value(kProvisioningStatus).toString();
        if (status == kDisabled)
            revoke = true;
        else if (status == kEnabled)
            restore = statusBefore(categoryOf(event.kind), event.entityId, event.data).value_or(kDisabled) == kDisabled;
    }
    if (event.kind == EventKind::RegistrationDeleted) {
        // The record is gone; the event carries it.
        const QString &hub = event.hub;
        const QString &deviceId = event.deviceId;
        m_lookups.remove(deviceId);
        if (!hub.isEmpty() && !deviceId.isEmpty())
            requestRevocation(hub, deviceId, QStringLiteral("revoke"));
        return;
    }
    if (!(assigned || twinChanged || revoke || restore) || event.registrationId.isEmpty())
        return;

    if (assigned) {
        // Every registration passes here, so this path reads the database
        // only for what it must: the event names the hub and the device, and
        // the stored twin is loaded only when its hub is connected (otherwise
        // the reconnect scan publishes it).
        const QString &hub = event.hub;
        const QString &deviceId = event.deviceId;
        if (hub.isEmpty() || deviceId.isEmpty())
            return;
        m_lookups.remove(deviceId);
        if (HubConnection *connection = connectionFor(hub.toLower()); connection && connection->isConnected()) {
            auto found = m_registrations.find(event.registrationId);
            if (found && *found)
                publishDesired(**found);
        }
        // A device revoked before (its enrollment was deleted or its
        // registration removed) that registers again is admitted again.
        auto previous = m_store.revocation(hub, deviceId);
        if (previous && *previous && (*previous)->op == QLatin1String("revoke"))
            requestRevocation(hub, deviceId, QStringLiteral("restore"));
        // A device moved to another hub is cut off on the one it left: a
        // stale connection there ends, and it cannot come back to it.
        const QString &left = event.previousHub;
        if (!left.isEmpty() && left.compare(hub, Qt::CaseInsensitive) != 0) {
            // (Unless another registration still puts that device id there.)
            auto others = assignedRegistrationOn(deviceId, left);
            if (others && others->isEmpty())
                requestRevocation(left, deviceId, QStringLiteral("revoke"));
        }
        return;
    }

    auto found = m_registrations.find(event.registrationId);
    if (!found || !*found)
        return;
    const RegistrationRecord &record = **found;
    const QString hub = record.state.assignedHub;
    const QString deviceId = record.state.deviceId;
    if (hub.isEmpty() || deviceId.isEmpty())
        return;
    if (twinChanged) {
        publishDesired(record);
    } else {
        if (updated) {
            // An edit that leaves the status as it was sends nothing again.
            auto previous = m_store.revocation(hub, deviceId);
            if (revoke && previous && *previous && (*previous)->op == QLatin1String("revoke") &&
                (*previous)->state != QLatin1String("failed"))
                return;
        }
        requestRevocation(hub, deviceId, revoke ? QStringLiteral("revoke") : QStringLiteral("restore"));
    }
}

void HubLink::onGroupEvent(const DomainEvent &event)
{
    const QString groupId = event.entityId;
    if (groupId.isEmpty())
        return;
    QString op;
    if (event.kind == EventKind::GroupDeleted || event.kind == EventKind::GroupDisabled) {
        op = QStringLiteral("revoke");
    } else if (event.kind == EventKind::GroupEnabled) {
        op = QStringLiteral("restore");
    } else if (event.kind == EventKind::GroupUpdated) {
        // A PUT of the whole group: what matters is whether the status
        // changed. Disabled: revoke whoever is not revoked yet (an edit of a
        // disabled group finds nothing to send). Enabled: restore only when
        // it was disabled before, or when that cannot be told.
        const QString status = event.data.value(kProvisioningStatus).toString();
        if (status == kDisabled)
            op = QStringLiteral("revoke");
        else if (status == kEnabled &&
                 statusBefore(categoryOf(event.kind), groupId, event.data).value_or(kDisabled) == kDisabled)
            op = QStringLiteral("restore");
    }
    // enrollmentGroup.created: a group created again after a delete does not
    // readmit its former devices; each is restored when it registers again.
    if (op.isEmpty())
        return;
    const quint64 sweep = ++m_lastSweep;
    m_groupSweeps.insert(groupId, sweep);
    qCInfo(lcHubConnection).noquote() << op << "of the devices of enrollment group" << groupId << "requested";
    sweepGroup(groupId, op, sweep, QString());
}

void HubLink::sweepGroup(const QString &groupId, const QString &op, quint64 sweep, const QString &afterKey)
{
    if (m_groupSweeps.value(groupId) != sweep)
        return; // a newer change of the group took over
    auto page = m_store.groupDevices(groupId, afterKey, kScanPage);
    if (!page) {
        qCWarning(lcHubConnection).noquote()
            << "cannot list the devices of enrollment group" << groupId << page.error().message;
        m_groupSweeps.remove(groupId);
        return;
    }
    const bool revoke = op == QLatin1String("revoke");
    QList<QPair<QString, QString>> targets;
    for (const auto &d : std::as_const(page->devices)) {
        const bool revoked = d.wishOp == QLatin1String("revoke");
        const bool settled = d.wishState != QLatin1String("failed");
        if (revoke ? (revoked && settled) : (!revoked && settled))
            continue; // already what is wished (a failed wish is tried again)
        if (!revoke && d.wishOp.isEmpty())
            continue; // never revoked: nothing to restore
        if (!revoke && d.individuallyDisabled)
            continue;
        targets.append({d.hubHost, d.deviceId});
    }
    requestRevocations(targets, op);
    if (!page->more) {
        m_groupSweeps.remove(groupId);
        return;
    }
    // Page by page, so a large group does not hold up the event loop.
    const QString next = page->lastKey;
    QTimer::singleShot(0, this, [this, groupId, op, sweep, next] { sweepGroup(groupId, op, sweep, next); });
}

std::optional<QString> HubLink::statusBefore(const QString &entityType, const QString &entityId,
                                             const QJsonObject &after)
{
    const QString etag = after.value(QStringLiteral("etag")).toString();
    if (etag.isEmpty())
        return std::nullopt;
    AuditLog::Filter filter;
    filter.entityType = entityType;
    filter.entityId = entityId;
    PageRequest page;
    page.limit = 5; // the change was just committed: it is among the newest
    auto entries = m_ctx.audit.list(filter, page);
    if (!entries)
        return std::nullopt;
    for (const AuditLog::Entry &entry : std::as_const(*entries)) {
        if (entry.after.value(QStringLiteral("etag")).toString() == etag)
            return entry.before.value(kProvisioningStatus).toString(); // empty: created
    }
    return std::nullopt;
}

// --- what the hubs send

void HubLink::reject(const char *kind, const char *reason)
{
    m_ctx.metrics.increment(
        kRejected, QStringLiteral("kind=\"%1\",reason=\"%2\"").arg(QLatin1String(kind), QLatin1String(reason)));
}

void HubLink::onMessage(HubConnection *connection, const QByteArray &payload, const QString &topic)
{
    const QString hubHost = connection->hub().host.toLower();
    if (topic == kControlResponseTopic) {
        handleControlResponse(payload);
        return;
    }
    const QStringList parts = topic.split(QLatin1Char('/'));
    if (parts.size() < 3 || parts.at(0) != QLatin1String("devices") || parts.at(1).isEmpty())
        return;
    const QString &deviceId = parts.at(1);
    const QString &what = parts.at(2);
    if (what == QLatin1String("messages")) {
        handleTelemetry(hubHost, topic, payload);
    } else if (what == QLatin1String("twin") && parts.size() == 4 && parts.at(3) == QLatin1String("reported")) {
        handleReported(hubHost, deviceId, payload);
    } else if (what == QLatin1String("status") && parts.size() == 3) {
        handlePresence(hubHost, deviceId, payload);
    } else if (what == QLatin1String("methods") && parts.size() == 6 && parts.at(3) == QLatin1String("res")) {
        handleMethodResponse(deviceId, parts.at(4), parts.at(5), payload);
    }
}

Result<QString> HubLink::assignedRegistrationOn(const QString &deviceId, const QString &hubHost)
{
    RegistrationStore::Filter filter;
    filter.deviceId = deviceId;
    filter.assignedHub = hubHost;
    filter.status = kAssigned;
    PageRequest page;
    page.limit = 1;
    auto found = m_registrations.list(filter, page);
    if (!found)
        return found.error();
    return found->items.isEmpty() ? QString() : found->items.first().state.registrationId;
}

std::optional<HubLink::Lookup> HubLink::lookupDevice(const QString &deviceId, const QString &hubHost)
{
    const qint64 now = m_clock.elapsed();
    const auto it = m_lookups.constFind(deviceId);
    if (it != m_lookups.constEnd() && now - it->at < kLookupTtlMs && it->hubHost == hubHost) {
        if (it->registrationId.isEmpty())
            return std::nullopt;
        return *it;
    }
    auto found = assignedRegistrationOn(deviceId, hubHost);
    if (!found)
        return std::nullopt; // database trouble: try again next time
    if (m_lookups.size() > m_options.maxTrackedDevices)
        m_lookups.clear();
    Lookup lookup{*found, hubHost, now};
    m_lookups.insert(deviceId, lookup);
    if (lookup.registrationId.isEmpty())
        return std::nullopt;
    return lookup;
}

void HubLink::handleReported(const QString &hubHost, const QString &deviceId, const QByteArray &payload)
{
    m_ctx.metrics.increment(QStringLiteral("provisio_hub_messages_total"), QStringLiteral("kind=\"reported\""));
    if (payload.size() > m_options.maxReportedBytes)
        return reject("reported", "oversize");
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(payload, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return reject("reported", "malformed");
    QJsonObject patch = doc.object();
    for (const QString &key : patch.keys()) {
        if (key.startsWith(QLatin1Char('$')))
            patch.remove(key); // $version and friends are ours to set
    }

    // The provisioning status report: `provisioningStatus`, or `status`
    // inside a `provisio` object.
    QJsonValue statusValue = patch.value(QStringLiteral("provisioningStatus"));
    QJsonObject rest = patch;
    rest.remove(QStringLiteral("provisioningStatus"));
    if (statusValue.isUndefined() && patch.value(QStringLiteral("provisio")).isObject()) {
        QJsonObject provisio = patch.value(QStringLiteral("provisio")).toObject();
        statusValue = provisio.value(QStringLiteral("status"));
        provisio.remove(QStringLiteral("status"));
        if (provisio.isEmpty())
            rest.remove(QStringLiteral("provisio"));
        else
            rest.insert(QStringLiteral("provisio"), provisio);
    }
    QString statusText;
    if (statusValue.isString())
        statusText = statusValue.toString().left(256);
    else if (!statusValue.isUndefined() && !statusValue.isNull())
        statusText = QString::fromUtf8(jsonText(statusValue)).left(256);

    for (int attempt = 0; attempt < 5; ++attempt) {
        RegistrationStore::Filter filter;
        filter.deviceId = deviceId;
        filter.assignedHub = hubHost;
        filter.status = kAssigned;
        PageRequest page;
        page.limit = 1;
        auto found = m_registrations.list(filter, page);
        if (!found) {
            qCWarning(lcHubConnection).noquote()
                << "reported properties of" << deviceId << "not stored:" << found.error().message;
            return;
        }
        if (found->items.isEmpty())
            return reject("reported", "unknownDevice");
        RegistrationRecord record = found->items.first();
        QJsonObject properties = record.twin.value(QStringLiteral("properties")).toObject();
        QJsonObject reported = properties.value(QStringLiteral("reported")).toObject();
        const int version = reported.value(QStringLiteral("$version")).toInt(0);
        reported.remove(QStringLiteral("$version"));
        reported = jsonMergePatch(reported, patch);
        reported.insert(QStringLiteral("$version"), version + 1);
        if (QJsonDocument(reported).toJson(QJsonDocument::Compact).size() > m_options.maxReportedBytes)
            return reject("reported", "oversize");
        properties.insert(QStringLiteral("reported"), reported);
        record.twin.insert(QStringLiteral("properties"), properties);
        const QDateTime at = fromIsoUtc(nowIso()).value_or(QDateTime::currentDateTimeUtc());
        if (!statusText.isEmpty()) {
            record.deviceStatus = statusText;
            record.deviceStatusDateTimeUtc = at;
        }
        const QString expected = record.state.etag;
        record.state.etag = newEtag();
        auto updated = m_registrations.update(record, expected);
        if (!updated && updated.error().code == ErrorCode::PreconditionFailed)
            continue; // changed meanwhile (another instance, the CRM): merge again
        if (!updated) {
            qCWarning(lcHubConnection).noquote()
                << "reported properties of" << deviceId << "not stored:" << updated.error().message;
            return;
        }

        const QString registrationId = record.state.registrationId;
        if (!statusText.isEmpty()) {
            DomainEvent e;
            e.kind = EventKind::DeviceStatusReported;
            e.deviceId = deviceId;
            e.registrationId = registrationId;
            e.entityId = deviceId;
            e.hub = hubHost;
            e.data = QJsonObject{{QStringLiteral("deviceStatus"), statusText},
                                 {QStringLiteral("deviceStatusDateTimeUtc"), toIsoUtc(at)},
                                 {QStringLiteral("hub"), hubHost}};
            m_ctx.events.publish(e);
            if (statusText.compare(QStringLiteral("provisioned"), Qt::CaseInsensitive) == 0)
                markInventoryProvisioned(registrationId, hubHost);
        }
        if (!rest.isEmpty()) {
            DomainEvent e;
            e.kind = EventKind::TwinReported;
            e.deviceId = deviceId;
            e.registrationId = registrationId;
            e.entityId = deviceId;
            e.hub = hubHost;
            e.data = QJsonObject{{QStringLiteral("patch"), rest}, {QStringLiteral("$version"), version + 1}};
            m_ctx.events.publish(e);
        }
        return;
    }
    qCWarning(lcHubConnection).noquote() << "reported properties of" << deviceId << "lost to concurrent changes";
}

void HubLink::handlePresence(const QString &hubHost, const QString &deviceId, const QByteArray &payload)
{
    m_ctx.metrics.increment(QStringLiteral("provisio_hub_messages_total"), QStringLiteral("kind=\"status\""));
    const QByteArray state = payload.trimmed().toLower();
    if (state.isEmpty())
        return; // a retained status being cleared
    if (state != "online" && state != "offline")
        return reject("status", "malformed");
    const auto lookup = lookupDevice(deviceId, hubHost);
    if (!lookup)
        return reject("status", "unknownDevice");
    const bool online = state == "online";
    const QDateTime at = fromIsoUtc(nowIso()).value_or(QDateTime::currentDateTimeUtc());
    auto changed = m_store.setPresence(deviceId, hubHost, online, at);
    if (!changed) {
        qCWarning(lcHubConnection).noquote() << "presence of" << deviceId << "not stored:" << changed.error().message;
        return;
    }
    if (!*changed)
        return;
    DomainEvent e;
    e.kind = online ? EventKind::DeviceOnline : EventKind::DeviceOffline;
    e.deviceId = deviceId;
    e.registrationId = lookup->registrationId;
    e.entityId = deviceId;
    e.hub = hubHost;
    e.data = QJsonObject{{QStringLiteral("hub"), hubHost}, {QStringLiteral("at"), toIsoUtc(at)}};
    m_ctx.events.publish(e);
}

void HubLink::handleTelemetry(const QString &hubHost, const QString &topic, const QByteArray &payload)
{
    m_ctx.metrics.increment(QStringLiteral("provisio_hub_messages_total"), QStringLiteral("kind=\"telemetry\""));
    auto parsed = MqttTopic::parseTelemetryTopic(topic);
    if (!parsed)
        return reject("telemetry", "malformed");
    const QString deviceId = parsed->deviceId;
    const auto lookup = lookupDevice(deviceId, hubHost);
    if (!lookup)
        return reject("telemetry", "unknownDevice");
    const QDateTime at = QDateTime::currentDateTimeUtc();
    TelemetryStore::Message message;
    message.deviceId = deviceId;
    message.hubHost = hubHost;
    message.received = at;
    message.properties = parsed->properties;
    message.body = payload;
    if (m_telemetry.add(std::move(message)))
        flushTelemetryBatch();
    else if (!m_batchTimer.isActive())
        m_batchTimer.start(m_options.telemetryBatchMs);
    countDroppedTelemetry();

    // The live feed and webhooks see telemetry too, but a chatty device
    // cannot flood them: at most telemetryEventsPerSecond events per device.
    const qint64 second = m_clock.elapsed() / 1000;
    auto &window = m_eventWindows[deviceId];
    if (window.first != second)
        window = {second, 0};
    if (window.second >= m_options.telemetryEventsPerSecond) {
        m_ctx.metrics.increment(QStringLiteral("provisio_telemetry_events_dropped_total"));
        // Counted, so the next event that goes out tells the feed that
        // live data is missing and the stored history has it.
        ++m_eventsSkipped[deviceId];
        return;
    }
    ++window.second;
    const int skipped = m_eventsSkipped.take(deviceId);
    if (m_eventWindows.size() > m_options.maxTrackedDevices)
        m_eventWindows.clear();
    if (m_eventsSkipped.size() > m_options.maxTrackedDevices)
        m_eventsSkipped.clear();

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

void HubLink::flushTelemetry()
{
    const auto counters = m_telemetry.takeUnflushed();
    if (counters.isEmpty())
        return;
    Transaction tx(m_ctx.db);
    for (auto it = counters.cbegin(); it != counters.cend(); ++it) {
        if (auto r = m_store.addTelemetry(it.key(), it->hubHost, it->count, it->last); !r) {
            qCWarning(lcHubConnection).noquote() << "telemetry counters not stored:" << r.error().message;
            m_telemetry.restoreUnflushed(counters);
            return;
        }
    }
    if (!tx.commit())
        m_telemetry.restoreUnflushed(counters);
}

Result<void> HubLink::flushTelemetryBatch()
{
    m_batchTimer.stop();
    QList<TelemetryStore::Message> batch = m_telemetry.takePending();
    if (batch.isEmpty())
        return {};
    Transaction tx(m_ctx.db);
    Result<void> stored = tx.isActive() ? m_telemetryStore.insert(batch) : Result<void>(commitFailed());
    if (stored && !tx.commit())
        stored = commitFailed();
    if (!stored) {
        // Kept (within the buffer's bounds) and tried again shortly; warned
        // once per outage, not every few hundred milliseconds.
        if (!m_batchFailing)
            qCWarning(lcHubConnection).noquote() << "telemetry not stored, retrying:" << stored.error().message;
        m_batchFailing = true;
        m_telemetry.restorePending(std::move(batch));
        countDroppedTelemetry();
        m_batchTimer.start(qMax(m_options.telemetryBatchMs, 1000));
        return stored;
    }
    if (m_batchFailing)
        qCInfo(lcHubConnection) << "telemetry is stored again";
    m_batchFailing = false;
    m_ctx.metrics.increment(QStringLiteral("provisio_telemetry_stored_total"), QString(), double(batch.size()));
    for (const TelemetryStore::Message &m : std::as_const(batch))
        m_telemetryTouched.insert(m.deviceId);
    return {};
}

void HubLink::countDroppedTelemetry()
{
    const qint64 dropped = m_telemetry.dropped();
    if (dropped > m_droppedCounted) {
        m_ctx.metrics.increment(QStringLiteral("provisio_telemetry_dropped_total"), QString(),
                                double(dropped - m_droppedCounted));
        m_droppedCounted = dropped;
    }
}

void HubLink::pruneTelemetry()
{
    if (!m_pruneQueue.isEmpty())
        return; // the previous round is still going
    m_pruneQueue = QStringList(m_telemetryTouched.cbegin(), m_telemetryTouched.cend());
    m_telemetryTouched.clear();
    pruneTelemetryStep();
}

void HubLink::pruneTelemetryStep()
{
    // A slice per event-loop turn, so a large fleet's round never stalls
    // the API or the hub connections.
    constexpr int kDevicesPerStep = 200;
    for (int i = 0; i < kDevicesPerStep && !m_pruneQueue.isEmpty(); ++i) {
        const QString deviceId = m_pruneQueue.takeLast();
        auto pruned = m_telemetryStore.pruneDevice(deviceId, m_options.telemetryKeep);
        if (!pruned) {
            qCWarning(lcHubConnection).noquote()
                << "telemetry of" << deviceId << "not pruned:" << pruned.error().message;
            m_telemetryTouched.insert(deviceId); // next round
            continue;
        }
        if (*pruned > 0)
            m_ctx.metrics.increment(QStringLiteral("provisio_telemetry_pruned_total"),
                                    QStringLiteral("reason=\"count\""), double(*pruned));
    }
    if (!m_pruneQueue.isEmpty()) {
        QTimer::singleShot(0, this, &HubLink::pruneTelemetryStep);
        return;
    }
    pruneTelemetryByAge(0);
}

void HubLink::pruneTelemetryByAge(int round)
{
    constexpr int kRowsPerRound = 5000;
    constexpr int kMaxRounds = 200; // the rest waits for the next prune
    const QDateTime cutoff = QDateTime::currentDateTimeUtc().addDays(-m_options.telemetryDays);
    auto pruned = m_telemetryStore.pruneOlderThan(cutoff, kRowsPerRound);
    if (!pruned) {
        qCWarning(lcHubConnection).noquote() << "old telemetry not pruned:" << pruned.error().message;
        return;
    }
    if (*pruned > 0)
        m_ctx.metrics.increment(QStringLiteral("provisio_telemetry_pruned_total"), QStringLiteral("reason=\"age\""),
                                double(*pruned));
    if (*pruned >= kRowsPerRound && round + 1 < kMaxRounds)
        QTimer::singleShot(0, this, [this, round] { pruneTelemetryByAge(round + 1); });
}

Result<std::optional<HubLinkStore::Activity>> HubLink::activity(const QString &deviceId)
{
    return m_store.activity(deviceId);
}

// --- desired properties

Result<std::optional<RegistrationRecord>> HubLink::registrationOf(const QString &deviceId)
{
    RegistrationStore::Filter filter;
    filter.deviceId = deviceId;
    PageRequest page;
    page.limit = 10;
    auto found = m_registrations.list(filter, page);
    if (!found)
        return found.error();
    std::optional<RegistrationRecord> best;
    for (const RegistrationRecord &r : std::as_const(found->items)) {
        if (r.state.status == kAssigned)
            return std::optional<RegistrationRecord>(r);
        if (!best)
            best = r;
    }
    return best;
}

void HubLink::publishDesired(const RegistrationRecord &record)
{
    if (record.state.status != kAssigned || record.state.assignedHub.isEmpty() || record.state.deviceId.isEmpty())
        return;
    const QJsonObject desired = desiredOf(record);
    publishDesiredDocument({record.state.registrationId, record.state.deviceId, record.state.assignedHub.toLower(),
                            desired, desired.value(QStringLiteral("$version")).toInt(0)});
}

void HubLink::publishDesiredDocument(const HubLinkStore::DesiredDocument &doc)
{
    HubConnection *connection = connectionFor(doc.hubHost);
    if (!connection || !connection->isConnected())
        return; // published when the hub is back (it lags until then)
    QJsonObject desired = doc.desired;
    if (!desired.contains(QStringLiteral("$version")))
        desired.insert(QStringLiteral("$version"), doc.version);
    const QString topic = QStringLiteral("devices/%1/twin/desired").arg(doc.deviceId);
    const bool queued = connection->publish(
        topic, QJsonDocument(desired).toJson(QJsonDocument::Compact), 1, true, [this, doc](bool acknowledged) {
            m_ctx.metrics.increment(QStringLiteral("provisio_desired_published_total"),
                                    acknowledged ? QStringLiteral("outcome=\"ok\"")
                                                 : QStringLiteral("outcome=\"failed\""));
            if (!acknowledged)
                return; // still lagging: the next connect or rescan retries
            if (auto r = m_store.markDesiredPublished(doc.registrationId, doc.hubHost, doc.version); !r)
                qCWarning(lcHubConnection).noquote()
                    << "cannot record the desired publication of" << doc.registrationId << r.error().message;
        });
    if (!queued)
        m_ctx.metrics.increment(QStringLiteral("provisio_desired_published_total"),
                                QStringLiteral("outcome=\"failed\""));
}

void HubLink::scanDesired(const QString &hubHost, const QString &afterKey)
{
    if (afterKey.isEmpty()) {
        if (m_scanning.contains(hubHost))
            return;
        m_scanning.insert(hubHost);
    }
    HubConnection *connection = connectionFor(hubHost);
    if (!connection || !connection->isConnected()) {
        m_scanning.remove(hubHost);
        return;
    }
    auto page = m_store.scanDesired(hubHost, afterKey, kScanPage);
    if (!page) {
        qCWarning(lcHubConnection).noquote() << "cannot scan desired properties for" << hubHost << page.error().message;
        m_scanning.remove(hubHost);
        return;
    }
    for (const auto &doc : std::as_const(page->lagging))
        publishDesiredDocument(doc);
    if (!page->more) {
        m_scanning.remove(hubHost);
        return;
    }
    // Page by page, so a large hub does not hold up the event loop.
    const QString next = page->lastKey;
    QTimer::singleShot(0, this, [this, hubHost, next] { scanDesired(hubHost, next); });
}

// --- revocations

void HubLink::requestRevocation(const QString &hubHost, const QString &deviceId, const QString &op)
{
    const QString requestId = QStringLiteral("rv-") + QString::fromLatin1(Crypto::randomBytes(9).toHex());
    if (auto r = m_store.queueRevocation(hubHost, deviceId, op, requestId); !r) {
        qCWarning(lcHubConnection).noquote()
            << op << "of" << deviceId << "on" << hubHost << "could not be queued:" << r.error().message;
        return;
    }
    qCInfo(lcHubConnection).noquote() << op << "of device" << deviceId << "on" << hubHost << "requested";
    HubConnection *connection = connectionFor(hubHost);
    if (connection && connection->isConnected()) {
        HubLinkStore::Revocation revocation;
        revocation.hubHost = hubHost.toLower();
        revocation.deviceId = deviceId;
        revocation.op = op;
        revocation.requestId = requestId;
        sendRevocation(connection, revocation);
    }
}

void HubLink::requestRevocations(const QList<QPair<QString, QString>> &targets, const QString &op)
{
    if (targets.isEmpty())
        return;
    QList<HubLinkStore::Revocation> queued;
    {
        Transaction tx(m_ctx.db);
        for (const auto &target : targets) {
            HubLinkStore::Revocation revocation;
            revocation.hubHost = target.first.toLower();
            revocation.deviceId = target.second;
            revocation.op = op;
            revocation.requestId = QStringLiteral("rv-") + QString::fromLatin1(Crypto::randomBytes(9).toHex());
            if (auto r = m_store.queueRevocation(revocation.hubHost, revocation.deviceId, op, revocation.requestId);
                !r) {
                qCWarning(lcHubConnection).noquote() << op << "of" << revocation.deviceId << "on" << revocation.hubHost
                                                     << "could not be queued:" << r.error().message;
                return;
            }
            queued.append(revocation);
        }
        if (!tx.commit()) {
            qCWarning(lcHubConnection).noquote() << op << "of" << targets.size() << "devices could not be queued";
            return;
        }
    }
    qCInfo(lcHubConnection).noquote() << op << "of" << queued.size() << "devices requested";
    for (const auto &revocation : std::as_const(queued)) {
        HubConnection *connection = connectionFor(revocation.hubHost);
        if (connection && connection->isConnected())
            sendRevocation(connection, revocation);
    }
}

void HubLink::sendRevocation(HubConnection *connection, const HubLinkStore::Revocation &revocation)
{
    const QJsonObject command{{QStringLiteral("op"), revocation.op},
                              {QStringLiteral("deviceId"), revocation.deviceId},
                              {QStringLiteral("requestId"), revocation.requestId}};
    if (!connection->publish(kControlTopic, QJsonDocument(command).toJson(QJsonDocument::Compact), 1, false))
        return;
    m_store.markRevocationSent(revocation.requestId);
}

void HubLink::retryRevocations(HubConnection *connection, bool all)
{
    auto pending = m_store.pendingRevocations(connection->hub().host);
    if (!pending)
        return;
    const QDateTime before = QDateTime::currentDateTimeUtc().addMSecs(-m_options.pollIntervalMs);
    for (const auto &revocation : std::as_const(*pending)) {
        if (all || revocation.attempts == 0 || revocation.updated < before)
            sendRevocation(connection, revocation);
    }
}

void HubLink::handleControlResponse(const QByteArray &payload)
{
    const QJsonObject answer = QJsonDocument::fromJson(payload).object();
    const QString requestId = answer.value(QStringLiteral("requestId")).toString();
    const QString op = answer.value(QStringLiteral("op")).toString();
    if (!requestId.startsWith(QLatin1String("rv-")) ||
        (op != QLatin1String("revoke") && op != QLatin1String("restore")))
        return;
    const int status = answer.value(QStringLiteral("status")).toInt();
    m_ctx.metrics.increment(QStringLiteral("provisio_hub_revocations_total"),
                            QStringLiteral("op=\"%1\",status=\"%2\"").arg(op).arg(status));
    if (status >= 500)
        return; // the hub could not persist it: stays pending and is sent again
    auto recorded = m_store.answerRevocation(requestId, status == 200, answer);
    if (recorded && *recorded && status != 200)
        qCWarning(lcHubConnection).noquote()
            << op << "of" << answer.value(QStringLiteral("deviceId")).toString()
            << "refused by the hub:" << answer.value(QStringLiteral("error")).toString();
}

// --- direct methods

bool HubLink::isValidMethodName(const QString &name)
{
    if (name.isEmpty() || name.size() > 128 || name == QLatin1String("res"))
        return false;
    for (const QChar c : name) {
        if (c == QLatin1Char('/') || c == QLatin1Char('+') || c == QLatin1Char('#') || c.isNull() || c.unicode() < 0x20)
            return false;
    }
    return true;
}

void HubLink::invokeMethod(const RegistrationRecord &record, const QString &method, const QJsonValue &payload,
                           int timeoutSeconds, std::function<void(const MethodOutcome &)> done)
{
    HubConnection *connection = connectionFor(record.state.assignedHub);
    if (!connection || !connection->isConnected()) {
        m_ctx.metrics.increment(QStringLiteral("provisio_direct_methods_total"), QStringLiteral("outcome=\"hubDown\""));
        done({MethodOutcome::HubNotConnected, 0, {}});
        return;
    }
    const QString deviceId = record.state.deviceId;
    const QString rid = QString::fromLatin1(Crypto::randomBytes(8).toHex());
    auto call = std::make_shared<MethodCall>();
    call->deviceId = deviceId;
    call->hubHost = record.state.assignedHub.toLower();
    // Subscribed per call and on this instance only: the answer must reach
    // the instance whose HTTP client waits, which a shared subscription
    // would not guarantee. The broker handles our SUBSCRIBE before the
    // PUBLISH that follows it on the same connection.
    call->responseFilter = QStringLiteral("devices/%1/methods/res/+/%2").arg(deviceId, rid);
    call->done = std::move(done);
    connection->subscribe(call->responseFilter, 1);
    const QString topic = QStringLiteral("devices/%1/methods/%2/%3").arg(deviceId, method, rid);
    const QByteArray body = payload.isUndefined() ? QByteArrayLiteral("null") : jsonText(payload);
    if (!connection->publish(topic, body, 1, false)) {
        connection->unsubscribe(call->responseFilter);
        m_ctx.metrics.increment(QStringLiteral("provisio_direct_methods_total"), QStringLiteral("outcome=\"notSent\""));
        call->done({MethodOutcome::NotSent, 0, {}});
        return;
    }
    call->timer.setSingleShot(true);
    connect(&call->timer, &QTimer::timeout, this, [this, rid] {
        const auto c = m_calls.take(rid);
        if (!c)
            return;
        if (HubConnection *conn = connectionFor(c->hubHost))
            conn->unsubscribe(c->responseFilter);
        m_ctx.metrics.increment(QStringLiteral("provisio_direct_methods_total"), QStringLiteral("outcome=\"timeout\""));
        c->done({MethodOutcome::TimedOut, 0, {}});
    });
    call->timer.start(timeoutSeconds * 1000);
    m_calls.insert(rid, call);
}

void HubLink::handleMethodResponse(const QString &deviceId, const QString &status, const QString &rid,
                                   const QByteArray &payload)
{
    m_ctx.metrics.increment(QStringLiteral("provisio_hub_messages_total"), QStringLiteral("kind=\"methodResponse\""));
    const auto it = m_calls.constFind(rid);
    if (it == m_calls.constEnd() || (*it)->deviceId != deviceId)
        return; // another instance's call, or one that timed out
    bool ok = false;
    const int code = status.toInt(&ok);
    if (!ok)
        return reject("methodResponse", "malformed");
    const auto call = m_calls.take(rid);
    call->timer.stop();
    if (HubConnection *conn = connectionFor(call->hubHost))
        conn->unsubscribe(call->responseFilter);
    MethodOutcome outcome;
    outcome.kind = MethodOutcome::Answered;
    outcome.status = code;
    if (const auto value = parseJsonValue(payload))
        outcome.payload = *value;
    else if (!payload.isEmpty())
        outcome.payload = QString::fromUtf8(payload); // not JSON: handed back as text
    m_ctx.metrics.increment(QStringLiteral("provisio_direct_methods_total"), QStringLiteral("outcome=\"answered\""));
    call->done(outcome);
}

// The device said it is provisioned: its inventory record (through the
// enrollment's serial) moves to `provisioned`, audited as the hub's doing so
// the CRM sees it live. Group enrollments have no serial; retired devices
// stay retired.
void HubLink::markInventoryProvisioned(const QString &registrationId, const QString &hubHost)
{
    EnrollmentStore enrollments(m_ctx.db);
    auto enrollment = enrollments.find(registrationId);
    if (!enrollment || !*enrollment || (*enrollment)->serial.isEmpty())
        return;
    const QString serial = (*enrollment)->serial;
    Inventory inventory(m_ctx);
    auto updated = inventory.markProvisioned(serial, QStringLiteral("hub:") + hubHost);
    if (!updated && updated.error().code != ErrorCode::NotFound)
        qCWarning(lcHubConnection).noquote()
            << "inventory status of" << serial << "not updated:" << updated.error().message;
}

} // namespace Provisio

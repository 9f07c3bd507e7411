// SPDX-License-Identifier: Apache-2.0
#include "twinsync.h"

#include "domain/inventory.h"

#include "hubconnections.h"
#include "hublinkutil.h"

#include "base/metrics.h"
#include "base/servicecontext.h"
#include "protocol/jsonlimits.h"
#include "protocol/jsonmerge.h"
#include "protocol/timeutil.h"
#include "storage/enrollmentstore.h"
#include "storage/inventorystore.h"
#include "storage/recordutil.h"

#include <QJsonDocument>

namespace Provisio {

namespace {
const QString kAssigned = QStringLiteral("assigned");
constexpr int kScanPage = 200;

QJsonObject desiredOf(const RegistrationRecord &record)
{
    return record.twin.value(QStringLiteral("properties")).toObject().value(QStringLiteral("desired")).toObject();
}
} // namespace

TwinSync::TwinSync(ServiceContext &ctx, HubConnections &connections, RegistrationStore &registrations, Options options,
                   QObject *parent)
    : QObject(parent), m_ctx(ctx), m_connections(connections), m_registrations(registrations), m_store(ctx.db),
      m_options(options)
{
    m_ctx.metrics.describe(QStringLiteral("provisio_desired_published_total"), QStringLiteral("counter"),
                           QStringLiteral("Desired property documents published to hubs, by outcome"));
    connect(&m_rescanTimer, &QTimer::timeout, this, [this] {
        for (HubConnection *connection : m_connections.connected())
            scanDesired(connection->hub().host.toLower(), QString());
    });
}

void TwinSync::start()
{
    m_rescanTimer.start(m_options.desiredRescanMs);
}

void TwinSync::onEvent(const DomainEvent &event)
{
    switch (event.kind) {
    case EventKind::RegistrationAssigned:
        // Every registration passes here, so this path reads the database
        // only for what it must: the event names the hub and the device, and
        // the stored twin is loaded only when its hub is connected (otherwise
        // the reconnect scan publishes it).
        if (event.hub.isEmpty() || event.deviceId.isEmpty() || !m_connections.connectedTo(event.hub))
            return;
        break;
    case EventKind::EnrollmentTwinUpdated:
        break;
    default:
        return;
    }
    if (event.registrationId.isEmpty())
        return;
    auto found = m_registrations.find(event.registrationId);
    if (found && *found)
        publishDesired(**found);
}

void TwinSync::catchUp(const QString &hubHost)
{
    scanDesired(hubHost.toLower(), QString());
}

// --- desired properties

Result<std::optional<RegistrationRecord>> TwinSync::registrationOf(const QString &deviceId)
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

void TwinSync::publishDesired(const RegistrationRecord &record)
{
    if (record.unreadable || record.state.status != kAssigned || record.state.assignedHub.isEmpty() ||
        record.state.deviceId.isEmpty())
        return;
    const QJsonObject desired = desiredOf(record);
    publishDesiredDocument({record.state.registrationId, record.state.deviceId, record.state.assignedHub.toLower(),
                            desired, desired.value(QStringLiteral("$version")).toInt(0)});
}

void TwinSync::publishDesiredDocument(const HubLinkStore::DesiredDocument &doc)
{
    HubConnection *connection = m_connections.connectedTo(doc.hubHost);
    if (!connection)
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

void TwinSync::scanDesired(const QString &hubHost, const QString &afterKey)
{
    if (afterKey.isEmpty()) {
        if (m_scanning.contains(hubHost))
            return;
        m_scanning.insert(hubHost);
    }
    if (!m_connections.connectedTo(hubHost)) {
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

// --- reported properties

void TwinSync::handleReported(const QString &hubHost, const QString &deviceId, const QByteArray &payload,
                              const QString &rid)
{
    int version = 0;
    const int status = mergeReported(hubHost, deviceId, payload, version);
    if (!rid.isEmpty())
        answer(hubHost, deviceId, rid, status, status == 204 ? version : -1, QByteArray());
}

void TwinSync::handleGet(const QString &hubHost, const QString &deviceId, const QString &rid)
{
    HubLinkUtil::countReceived(m_ctx.metrics, "twinGet");
    RegistrationStore::Filter filter;
    filter.deviceId = deviceId;
    filter.assignedHub = hubHost;
    filter.status = kAssigned;
    PageRequest page;
    page.limit = 1;
    auto found = m_registrations.list(filter, page);
    if (!found) {
        qCWarning(lcHubConnection).noquote() << "twin of" << deviceId << "not read:" << found.error().message;
        return answer(hubHost, deviceId, rid, 500, -1, QByteArray());
    }
    if (found->items.isEmpty()) {
        HubLinkUtil::countRejected(m_ctx.metrics, "twinGet", "unknownDevice");
        return answer(hubHost, deviceId, rid, 404, -1, QByteArray());
    }
    const RegistrationRecord &record = found->items.first();
    if (record.unreadable)
        return answer(hubHost, deviceId, rid, 500, -1, QByteArray());
    // IoT Hub's device view of the twin: the two property sections at the
    // top level, each with its $version (tags are not the device's).
    const QJsonObject properties = record.twin.value(QStringLiteral("properties")).toObject();
    QJsonObject desired = properties.value(QStringLiteral("desired")).toObject();
    QJsonObject reported = properties.value(QStringLiteral("reported")).toObject();
    const QString version = QStringLiteral("$version");
    if (!desired.contains(version))
        desired.insert(version, 0);
    if (!reported.contains(version))
        reported.insert(version, 0);
    const QJsonObject body{{QStringLiteral("desired"), desired}, {QStringLiteral("reported"), reported}};
    answer(hubHost, deviceId, rid, 200, -1, QJsonDocument(body).toJson(QJsonDocument::Compact));
}

void TwinSync::answer(const QString &hubHost, const QString &deviceId, const QString &rid, int status, int version,
                      const QByteArray &body)
{
    HubConnection *connection = m_connections.connectedTo(hubHost);
    if (!connection)
        return; // the device asks again (the SDKs time out and retry)
    QString topic = QStringLiteral("devices/%1/twin/res/%2/%3").arg(deviceId, QString::number(status), rid);
    if (version >= 0)
        topic += QLatin1Char('/') + QString::number(version);
    connection->publish(topic, body, 1, false);
}

int TwinSync::mergeReported(const QString &hubHost, const QString &deviceId, const QByteArray &payload, int &newVersion)
{
    using namespace HubLinkUtil;
    countReceived(m_ctx.metrics, "reported");
    if (payload.size() > m_options.maxReportedBytes) {
        countRejected(m_ctx.metrics, "reported", "oversize");
        return 413;
    }
    // The twin's limits on the raw bytes, before Qt parses them: a document
    // nested near Qt's own depth limit would parse now and never again once
    // stored inside the registration.
    if (auto breach = jsonTextBreach(payload, JsonLimits::twinSection(), QStringLiteral("reported properties"))) {
        qCWarning(lcHubConnection).noquote() << "reported properties of" << deviceId << "refused:" << breach->message;
        countRejected(m_ctx.metrics, "reported", breach->reason);
        return 400;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(payload, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        countRejected(m_ctx.metrics, "reported", "malformed");
        return 400;
    }
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
            return 500;
        }
        if (found->items.isEmpty()) {
            countRejected(m_ctx.metrics, "reported", "unknownDevice");
            return 404;
        }
        RegistrationRecord record = found->items.first();
        if (record.unreadable) {
            // Merging into nothing would silently drop what the record held;
            // the operator repairs it (reset-twin) or deletes it first.
            qCWarning(lcHubConnection).noquote()
                << "reported properties of" << deviceId << "not stored: its registration record is unreadable";
            countRejected(m_ctx.metrics, "reported", "unreadableRecord");
            return 500;
        }
        QJsonObject properties = record.twin.value(QStringLiteral("properties")).toObject();
        QJsonObject reported = properties.value(QStringLiteral("reported")).toObject();
        const int version = reported.value(QStringLiteral("$version")).toInt(0);
        reported.remove(QStringLiteral("$version"));
        reported = jsonMergePatch(reported, patch);
        reported.insert(QStringLiteral("$version"), version + 1);
        if (QJsonDocument(reported).toJson(QJsonDocument::Compact).size() > m_options.maxReportedBytes) {
            countRejected(m_ctx.metrics, "reported", "oversize");
            return 413;
        }
        if (auto breach = jsonValueBreach(reported, JsonLimits::twinSection(), QStringLiteral("reported properties"))) {
            qCWarning(lcHubConnection).noquote()
                << "reported properties of" << deviceId << "refused:" << breach->message;
            countRejected(m_ctx.metrics, "reported", breach->reason);
            return 400;
        }
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
            return 500;
        }
        newVersion = version + 1;

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
        return 204;
    }
    qCWarning(lcHubConnection).noquote() << "reported properties of" << deviceId << "lost to concurrent changes";
    return 500;
}

// The device said it is provisioned: its inventory record (through the
// enrollment's serial) moves to `provisioned`, audited as the hub's doing so
// the CRM sees it live. Group enrollments have no serial; retired devices
// stay retired.
void TwinSync::markInventoryProvisioned(const QString &registrationId, const QString &hubHost)
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

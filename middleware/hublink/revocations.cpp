// SPDX-License-Identifier: Apache-2.0
#include "revocations.h"

#include "devicelookup.h"
#include "hubconnections.h"
#include "hublinkutil.h"

#include "base/metrics.h"
#include "base/servicecontext.h"
#include "crypto/keys.h"
#include "storage/auditlog.h"
#include "storage/database.h"
#include "storage/registrationstore.h"

#include <QJsonDocument>
#include <QSet>
#include <QTimer>
#include <utility>

namespace Provisio {

namespace {
const QString kControlTopic = QStringLiteral("$CONTROL/provisio-hub/v1");
const QString kProvisioningStatus = QStringLiteral("provisioningStatus");
const QString kEnabled = QStringLiteral("enabled");
const QString kDisabled = QStringLiteral("disabled");
const QString kRevoke = QStringLiteral("revoke");
const QString kRestore = QStringLiteral("restore");
// Not sent to the hub: a group sweep that re-sends each device's standing
// wish with its new credential generation.
const QString kRotate = QStringLiteral("rotate");
constexpr int kScanPage = 200;

QString newRequestId()
{
    return QStringLiteral("rv-") + QString::fromLatin1(Crypto::randomBytes(9).toHex());
}
} // namespace

Revocations::Revocations(ServiceContext &ctx, HubConnections &connections, RegistrationStore &registrations,
                         DeviceLookup &lookup, int retryAfterMs, QObject *parent)
    : QObject(parent), m_ctx(ctx), m_connections(connections), m_registrations(registrations), m_lookup(lookup),
      m_store(ctx.db), m_retryAfterMs(retryAfterMs)
{
    m_ctx.metrics.describe(QStringLiteral("provisio_hub_revocations_total"), QStringLiteral("counter"),
                           QStringLiteral("Revoke/restore answers from hubs, by op and status"));
    connect(&m_ctx.events, &EventBus::batchEnded, this, &Revocations::decideAssigned);
}

int Revocations::pendingCount(const QString &hubHost)
{
    auto pending = m_store.pendingRevocations(hubHost);
    return pending ? int(pending->size()) : 0;
}

// --- what must revoke, what restores

void Revocations::onEvent(const DomainEvent &event)
{
    if (event.kind == EventKind::RegistrationAssigned) {
        onAssigned(event);
        return;
    }
    decideAssigned();
    switch (event.kind) {
    case EventKind::RegistrationDeleted:
        // The record is gone; the event names its hub and device.
        if (!event.hub.isEmpty() && !event.deviceId.isEmpty())
            request(event.hub, event.deviceId, kRevoke);
        return;
    case EventKind::RegistrationHubKeyRotated:
        // The generation was raised with the change: tell the hub, which
        // disconnects the device, without changing whether it is admitted.
        if (!event.hub.isEmpty() && !event.deviceId.isEmpty()) {
            auto previous = m_store.revocationOp(event.hub, event.deviceId);
            const bool revoked = previous && *previous && **previous == kRevoke;
            request(event.hub, event.deviceId, revoked ? kRevoke : kRestore, false);
        }
        return;
    case EventKind::GroupHubKeysRotated:
        sweepGroup(event.entityId, kRotate);
        return;
    case EventKind::EnrollmentDisabled:
    case EventKind::EnrollmentDeleted:
    // New keys: the device's old one no longer registers, so whatever it
    // holds must not keep it on its hub either; it is admitted again when it
    // registers with a new key (onAssigned).
    case EventKind::EnrollmentKeysRegenerated:
        onEnrollmentChange(event, kRevoke);
        return;
    case EventKind::EnrollmentEnabled:
        onEnrollmentChange(event, kRestore);
        return;
    case EventKind::EnrollmentUpdated: {
        // A PUT of the whole enrollment can change its status too; an edit
        // that leaves it disabled sends nothing again.
        const QString status = event.record().value(kProvisioningStatus).toString();
        if (status == kDisabled)
            onEnrollmentChange(event, kRevoke, true);
        else if (status == kEnabled && statusBefore(event).value_or(kDisabled) == kDisabled)
            onEnrollmentChange(event, kRestore);
        return;
    }
    case EventKind::GroupDisabled:
    case EventKind::GroupDeleted:
    case EventKind::GroupKeysRegenerated: // every derived key changed
        sweepGroup(event.entityId, kRevoke);
        return;
    case EventKind::GroupEnabled:
        sweepGroup(event.entityId, kRestore);
        return;
    case EventKind::GroupUpdated: {
        // A PUT of the whole group: what matters is whether the status
        // changed. Disabled: revoke whoever is not revoked yet (an edit of a
        // disabled group finds nothing to send). Enabled: restore only when
        // it was disabled before, or when that cannot be told.
        const QString status = event.record().value(kProvisioningStatus).toString();
        if (status == kDisabled)
            sweepGroup(event.entityId, kRevoke);
        else if (status == kEnabled && statusBefore(event).value_or(kDisabled) == kDisabled)
            sweepGroup(event.entityId, kRestore);
        return;
    }
    default:
        // GroupCreated among them: a group created again after a delete
        // does not readmit its former devices; each is restored when it
        // registers again.
        return;
    }
}

void Revocations::onEnrollmentChange(const DomainEvent &event, const QString &op, bool unlessAlready)
{
    if (event.registrationId.isEmpty())
        return;
    auto found = m_registrations.find(event.registrationId);
    if (!found || !*found)
        return;
    const RegistrationRecord &record = **found;
    const QString hub = record.state.assignedHub;
    const QString deviceId = record.state.deviceId;
    if (hub.isEmpty() || deviceId.isEmpty())
        return;
    if (unlessAlready) {
        auto previous = m_store.revocation(hub, deviceId);
        if (previous && *previous && (*previous)->op == op && (*previous)->state != QLatin1String("failed"))
            return;
    }
    request(hub, deviceId, op);
}

void Revocations::onAssigned(const DomainEvent &event)
{
    if (event.hub.isEmpty() || event.deviceId.isEmpty())
        return;
    m_assigned.push_back(Assigned{event.hub, event.deviceId, event.previousHub});
    // Outside a batch of the bus (or once it is long), decided at once.
    if (!m_ctx.events.inBatch() || m_assigned.size() >= 512)
        decideAssigned();
}

void Revocations::decideAssigned()
{
    if (m_assigned.empty())
        return;
    const std::vector<Assigned> assigned = std::exchange(m_assigned, {});
    // The devices that stand revoked on their new hubs, one read per hub.
    QHash<QString, QStringList> byHub;
    for (const Assigned &a : assigned)
        byHub[a.hub.toLower()].append(a.deviceId);
    QSet<QPair<QString, QString>> revoked; // (hub, device)
    for (auto it = byHub.cbegin(); it != byHub.cend(); ++it) {
        auto found = m_store.revokedAmong(it.key(), it.value());
        if (!found) {
            qCWarning(lcHubConnection).noquote()
                << "cannot tell which registered devices stand revoked:" << found.error().message;
            continue;
        }
        for (const QString &device : std::as_const(*found))
            revoked.insert({it.key(), device});
    }
    for (const Assigned &a : assigned) {
        // A device revoked before (its enrollment was deleted, its keys
        // regenerated or its registration removed) that registers again,
        // which takes a valid key, is admitted again.
        if (revoked.remove({a.hub.toLower(), a.deviceId}))
            request(a.hub, a.deviceId, kRestore);
        // A device moved to another hub is cut off on the one it left: a
        // stale connection there ends, and it cannot come back to it.
        const QString &left = a.previousHub;
        if (!left.isEmpty() && left.compare(a.hub, Qt::CaseInsensitive) != 0) {
            // (Unless another registration still puts that device id there.)
            auto others = m_lookup.assignedRegistrationOn(a.deviceId, left);
            if (others && others->isEmpty()) {
                request(left, a.deviceId, kRevoke);
                revoked.insert({left.toLower(), a.deviceId});
            }
        }
    }
}

void Revocations::sweepGroup(const QString &groupId, const QString &op)
{
    if (groupId.isEmpty())
        return;
    const quint64 sweep = ++m_lastSweep;
    m_groupSweeps.insert(groupId, sweep);
    qCInfo(lcHubConnection).noquote() << op << "of the devices of enrollment group" << groupId << "requested";
    sweepGroup(groupId, op, sweep, QString());
}

void Revocations::sweepGroup(const QString &groupId, const QString &op, quint64 sweep, const QString &afterKey)
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
    if (op == kRotate) {
        // Each device's standing wish again, now with its new generation.
        QList<QPair<QString, QString>> revokes;
        QList<QPair<QString, QString>> restores;
        for (const auto &d : std::as_const(page->devices))
            (d.wishOp == kRevoke ? revokes : restores).append({d.hubHost, d.deviceId});
        requestAll(revokes, kRevoke, false);
        requestAll(restores, kRestore, false);
    }
    const bool revoke = op == kRevoke;
    QList<QPair<QString, QString>> targets;
    for (const auto &d : std::as_const(page->devices)) {
        if (op == kRotate)
            break;
        const bool revoked = d.wishOp == kRevoke;
        const bool settled = d.wishState != QLatin1String("failed");
        if (revoke ? (revoked && settled) : (!revoked && settled))
            continue; // already what is wished (a failed wish is tried again)
        if (!revoke && d.wishOp.isEmpty())
            continue; // never revoked: nothing to restore
        if (!revoke && d.individuallyDisabled)
            continue;
        targets.append({d.hubHost, d.deviceId});
    }
    requestAll(targets, op);
    if (!page->more) {
        m_groupSweeps.remove(groupId);
        return;
    }
    // Page by page, so a large group does not hold up the event loop.
    const QString next = page->lastKey;
    QTimer::singleShot(0, this, [this, groupId, op, sweep, next] { sweepGroup(groupId, op, sweep, next); });
}

std::optional<QString> Revocations::statusBefore(const DomainEvent &event)
{
    const QString etag = event.record().value(QStringLiteral("etag")).toString();
    if (etag.isEmpty())
        return std::nullopt;
    AuditLog::Filter filter;
    filter.entityType = categoryOf(event.kind);
    filter.entityId = event.entityId;
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

// --- wishes and the hub's answers

void Revocations::request(const QString &hubHost, const QString &deviceId, const QString &op, bool retireKey)
{
    const QString requestId = newRequestId();
    {
        // A revoked device's hub key is retired with the wish: whatever
        // readmits it later (enabled again, registered again) admits only a
        // key of the new generation, which only a new registration hands out.
        Transaction tx(m_ctx.db);
        if (retireKey) {
            if (auto g = m_store.raiseCredentialGeneration(hubHost, deviceId); !g) {
                qCWarning(lcHubConnection).noquote()
                    << "the hub key of" << deviceId << "on" << hubHost << "could not be retired:" << g.error().message;
                return;
            }
        }
        if (auto r = m_store.queueRevocation(hubHost, deviceId, op, requestId); !r || !tx.commit()) {
            qCWarning(lcHubConnection).noquote() << op << "of" << deviceId << "on" << hubHost
                                                 << "could not be queued:" << (r ? QString() : r.error().message);
            return;
        }
    }
    qCInfo(lcHubConnection).noquote() << op << "of device" << deviceId << "on" << hubHost << "requested";
    if (HubConnection *connection = m_connections.connectedTo(hubHost)) {
        HubLinkStore::Revocation revocation;
        revocation.hubHost = hubHost.toLower();
        revocation.deviceId = deviceId;
        revocation.op = op;
        revocation.requestId = requestId;
        send(connection, revocation);
    }
}

void Revocations::requestAll(const QList<QPair<QString, QString>> &targets, const QString &op, bool retireKey)
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
            revocation.requestId = newRequestId();
            if (retireKey) {
                if (auto g = m_store.raiseCredentialGeneration(revocation.hubHost, revocation.deviceId); !g) {
                    qCWarning(lcHubConnection).noquote()
                        << "the hub key of" << revocation.deviceId << "on" << revocation.hubHost
                        << "could not be retired:" << g.error().message;
                    return;
                }
            }
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
        if (HubConnection *connection = m_connections.connectedTo(revocation.hubHost))
            send(connection, revocation);
    }
}

void Revocations::send(HubConnection *connection, const HubLinkStore::Revocation &revocation)
{
    QJsonObject command{{QStringLiteral("op"), revocation.op},
                        {QStringLiteral("deviceId"), revocation.deviceId},
                        {QStringLiteral("requestId"), revocation.requestId}};
    // The device's current generation, read when sent: a retry carries the
    // newest, and the hub never lowers it.
    auto generation = m_store.credentialGeneration(revocation.hubHost, revocation.deviceId);
    if (!generation)
        return; // sent again on the next retry
    command.insert(QStringLiteral("generation"), qint64(*generation));
    if (!connection->publish(kControlTopic, QJsonDocument(command).toJson(QJsonDocument::Compact), 1, false))
        return;
    m_store.markRevocationSent(revocation.requestId);
}

void Revocations::retry(HubConnection *connection, bool all)
{
    auto pending = m_store.pendingRevocations(connection->hub().host);
    if (!pending)
        return;
    const QDateTime before = QDateTime::currentDateTimeUtc().addMSecs(-m_retryAfterMs);
    for (const auto &revocation : std::as_const(*pending)) {
        if (all || revocation.attempts == 0 || revocation.updated < before)
            send(connection, revocation);
    }
}

void Revocations::handleControlResponse(const QByteArray &payload)
{
    const QJsonObject answer = QJsonDocument::fromJson(payload).object();
    const QString requestId = answer.value(QStringLiteral("requestId")).toString();
    const QString op = answer.value(QStringLiteral("op")).toString();
    if (!requestId.startsWith(QLatin1String("rv-")) || (op != kRevoke && op != kRestore))
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

} // namespace Provisio

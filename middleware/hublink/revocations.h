// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "domain/eventbus.h"
#include "storage/hublinkstore.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPair>
#include <QString>

#include <optional>
#include <vector>

namespace Provisio {

struct ServiceContext;
class DeviceLookup;
class HubConnection;
class HubConnections;
class RegistrationStore;

// Who may connect to a hub: turns the changes that must cut a device off
// (its enrollment or enrollment group disabled or deleted, its registration
// deleted, its enrollment keys regenerated, a move to another hub) into
// revoke commands on the hub's control topic, and the changes that admit it
// again (enabled again, registered again) into restore commands. A revoke
// also retires the device's hub key (its credential generation rises), and
// every command carries the device's current generation, so what admits the
// device again admits only a key issued after the revoke. Each wish
// is persisted (HubLinkStore) until the hub answers, sent again when the
// hub reconnects and retried while unanswered.
class Revocations : public QObject
{
    Q_OBJECT
public:
    Revocations(ServiceContext &ctx, HubConnections &connections, RegistrationStore &registrations,
                DeviceLookup &lookup, int retryAfterMs, QObject *parent = nullptr);

    void onEvent(const DomainEvent &event);
    // An answer on the control response topic.
    void handleControlResponse(const QByteArray &payload);
    // Sends the wishes the hub has not answered: all of them after a
    // (re)connect, else those not sent for a while.
    void retry(HubConnection *connection, bool all);
    // Wishes for that hub still waiting for its answer.
    int pendingCount(const QString &hubHost);

private:
    // Assigned registrations are decided a group at a time: the group
    // commit publishes its registrations' events as one batch of the bus,
    // and one read at its end tells which of their devices stand revoked on
    // their hubs. Any other event decides the queued ones first, so the
    // wishes keep the events' order.
    struct Assigned
    {
        QString hub;
        QString deviceId;
        QString previousHub;
    };
    void onAssigned(const DomainEvent &event);
    void decideAssigned();
    // `op` for the device of the event's enrollment on its hub; with
    // `unlessAlready`, nothing when that is the standing wish already.
    void onEnrollmentChange(const DomainEvent &event, const QString &op, bool unlessAlready = false);
    // Starts a sweep of the group's devices.
    void sweepGroup(const QString &groupId, const QString &op);
    // `retireKey` (the default for revoke) raises the device's hub
    // credential generation with the wish, so the key it holds never works
    // again, even once it is restored.
    void request(const QString &hubHost, const QString &deviceId, const QString &op)
    {
        request(hubHost, deviceId, op, op == QLatin1String("revoke"));
    }
    void request(const QString &hubHost, const QString &deviceId, const QString &op, bool retireKey);
    // Queues the wishes in one transaction, then sends them (hub, device).
    void requestAll(const QList<QPair<QString, QString>> &targets, const QString &op)
    {
        requestAll(targets, op, op == QLatin1String("revoke"));
    }
    void requestAll(const QList<QPair<QString, QString>> &targets, const QString &op, bool retireKey);
    void send(HubConnection *connection, const HubLinkStore::Revocation &revocation);
    // Revokes (or restores) every device registered through the group on
    // its hub, page by page; a newer sweep of the same group ends an older.
    void sweepGroup(const QString &groupId, const QString &op, quint64 sweep, const QString &afterKey);
    // The provisioning status an enrollment (group) had before the audited
    // change the event reports; nullopt when that cannot be told.
    std::optional<QString> statusBefore(const DomainEvent &event);

    ServiceContext &m_ctx;
    HubConnections &m_connections;
    RegistrationStore &m_registrations;
    DeviceLookup &m_lookup;
    HubLinkStore m_store;
    int m_retryAfterMs;
    QHash<QString, quint64> m_groupSweeps; // group id -> running sweep
    std::vector<Assigned> m_assigned;      // not decided yet, in order
    quint64 m_lastSweep = 0;
};

} // namespace Provisio

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>

#include <optional>

namespace Provisio {

class Database;

// What the hub link keeps in the database besides the registration records
// (migration 4): which desired $version each registration last had
// published to which hub, device presence and telemetry counters, and the
// revocations waiting for a hub's answer. Hub hosts are stored lower-case.
class HubLinkStore
{
public:
    explicit HubLinkStore(Database &db) : m_db(db) { }

    // --- desired properties
    struct DesiredDocument
    {
        QString registrationId;
        QString deviceId;
        QString hubHost;
        QJsonObject desired; // with $version
        int version = 0;
    };
    struct DesiredScan
    {
        QList<DesiredDocument> lagging; // need publishing
        QString lastKey;                // continue after this registration id
        bool more = false;
    };
    // One page of the assigned registrations on `hubHost`, in id order after
    // `afterKey`; those whose desired version was not yet published to this
    // hub come back in `lagging`.
    Result<DesiredScan> scanDesired(const QString &hubHost, const QString &afterKey, int limit);
    Result<void> markDesiredPublished(const QString &registrationId, const QString &hubHost, int version);

    // --- hub-link leases (failover of a dead instance)
    // The instance's own lease, until `expiresMs` (epoch ms); clears a
    // survivor's claim (the instance is back).
    Result<void> renewLease(const QString &clientId, qint64 expiresMs);
    // Leases of other instances that ran out before `nowMs`.
    Result<QStringList> expiredLeases(const QString &ownClientId, qint64 nowMs);
    // Takes an expired lease over for `holder` until `untilMs`; false when it
    // is not expired any more (renewed, or another survivor was quicker).
    Result<bool> claimLease(const QString &clientId, const QString &holder, qint64 nowMs, qint64 untilMs);
    // Extends a claim; false when `holder` does not hold it any more.
    Result<bool> extendClaim(const QString &clientId, const QString &holder, qint64 untilMs);
    // Ends a drained instance's lease.
    Result<void> releaseLease(const QString &clientId, const QString &holder);

    // --- presence and telemetry counters
    struct Activity
    {
        QString deviceId;
        QString hubHost;
        bool online = false;
        QDateTime lastSeen;        // last presence message or telemetry
        QDateTime presenceChanged; // when `online` last flipped
        qint64 telemetryCount = 0;
        QDateTime lastTelemetry;

        // Presence in Azure's twin names: connectionState Connected or
        // Disconnected, lastActivityTime (null when never heard from).
        void insertPresence(QJsonObject &out) const;
    };
    Result<std::optional<Activity>> activity(const QString &deviceId);
    // The activity of several devices in one query (a CRM list page); devices
    // never seen are absent from the answer.
    Result<QHash<QString, Activity>> activities(const QStringList &deviceIds);
    // Stores the presence; returns whether the online flag changed (a first
    // record counts as a change).
    Result<bool> setPresence(const QString &deviceId, const QString &hubHost, bool online, const QDateTime &at);
    // Adds `count` messages (counters are flushed in batches, and several
    // instances add their shares).
    Result<void> addTelemetry(const QString &deviceId, const QString &hubHost, qint64 count, const QDateTime &last);

    // --- revocations
    struct Revocation
    {
        QString hubHost;
        QString deviceId;
        QString op; // revoke | restore
        QString requestId;
        QString state; // pending | done | failed
        int attempts = 0;
        QDateTime updated;
        QJsonObject answer; // the hub's response, once there
    };
    // Records the latest wish for a device on a hub (replacing an older one,
    // answered or not) as pending.
    Result<void> queueRevocation(const QString &hubHost, const QString &deviceId, const QString &op,
                                 const QString &requestId);
    Result<QList<Revocation>> pendingRevocations(const QString &hubHost);
    Result<std::optional<Revocation>> revocation(const QString &hubHost, const QString &deviceId);
    // Only the latest wish's op (revoke | restore), for the checks that run
    // on every registration: one column is much cheaper to read than a row.
    Result<std::optional<QString>> revocationOp(const QString &hubHost, const QString &deviceId);
    // Of `deviceIds`, those whose standing wish on the hub is a revoke: one
    // statement per chunk of ids (a group of registrations at once).
    Result<QSet<QString>> revokedAmong(const QString &hubHost, const QStringList &deviceIds);
    Result<void> markRevocationSent(const QString &requestId);
    // Records the hub's answer to `requestId`; false when no row has that
    // request id any more (an older request superseded by a newer one).
    Result<bool> answerRevocation(const QString &requestId, bool succeeded, const QJsonObject &answer);

    // --- hub credential generations
    // The generation of the device's hub key on that hub (0 when never
    // raised): the key is deriveKey(signing key, deviceId) at 0 and
    // deriveKey(signing key, deviceId + "/" + generation) after.
    Result<quint32> credentialGeneration(const QString &hubHost, const QString &deviceId);
    // The same for several devices on one hub at once (the registrations'
    // group commit answers a group's devices together): the devices whose
    // generation is above 0, by device id; the others are at 0.
    Result<QHash<QString, quint32>> credentialGenerations(const QString &hubHost, const QStringList &deviceIds);
    // Raises it by one and returns the new generation; every key issued
    // before is retired once the hub hears of it.
    Result<quint32> raiseCredentialGeneration(const QString &hubHost, const QString &deviceId);

    // --- an enrollment group's devices
    struct GroupDevice
    {
        QString registrationId;
        QString deviceId;
        QString hubHost; // lower-case
        QString wishOp;  // the latest revoke/restore wish on that hub; empty when none
        QString wishState;
        // The registration id also has an individual enrollment, disabled:
        // that one wins over the group, so enabling the group must not
        // admit the device.
        bool individuallyDisabled = false;
    };
    struct GroupDevicePage
    {
        QList<GroupDevice> devices;
        QString lastKey; // continue after this registration id
        bool more = false;
    };
    // One page, in registration id order after `afterKey`, of the
    // registrations made through `groupId` that have a hub, with the latest
    // revocation wish for each device on that hub.
    Result<GroupDevicePage> groupDevices(const QString &groupId, const QString &afterKey, int limit);

private:
    Database &m_db;
};

} // namespace Provisio

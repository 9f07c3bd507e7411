// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "changerecorder.h"

#include "protocol/allocation.h"
#include "protocol/hub.h"

namespace Provisio {

class HubStore;
class SettingsStore;
struct ServiceContext;

// Linking hubs: create or replace, unlink, rotate the signing key; and the
// instance-wide default allocation policy across them. Each change in its own
// transaction with its audit entry (never a key) and a hub.* or policy.*
// event once committed (the hub link reconnects on hub events).
class Hubs
{
public:
    explicit Hubs(ServiceContext &ctx);

    struct Saved
    {
        Hub hub;
        bool created = false;
    };
    // Creates or replaces the hub named `hub.name`; an empty signing key is
    // generated (create) or kept (replace). Conflict when another hub has
    // the host; PreconditionFailed when `ifMatch` does not fit.
    Result<Saved> put(Hub hub, const QByteArray &ifMatch, const QString &actor);
    // Conflict while registrations are assigned to it, unless `force`.
    Result<void> remove(const QString &name, const QByteArray &ifMatch, bool force, const QString &actor);
    // A new signing key; the replaced one stays accepted by the hub for
    // `overlapSeconds` (0: not at all), so devices and the hub link move over
    // without an outage (HubConnection hands the hub its new keys).
    Result<Hub> rotateKey(const QString &name, const QByteArray &ifMatch, qint64 overlapSeconds, const QString &actor);

    // The hub as stored now, bypassing HubStore's cache (another instance
    // may have changed it); NotFound when there is none.
    Result<Hub> current(const QString &name);

    // The default allocation policy as stored, with its etag (created on
    // first read), in the API's shape.
    Result<QJsonObject> policy();
    // Replaces it; settings the new policy does not use are cleared.
    // InvalidInput when `staticHub` names no hub, PreconditionFailed when
    // `ifMatch` does not fit or another writer came first. The new policy.
    Result<QJsonObject> setPolicy(AllocationPolicy policy, const QString &policyName, const QString &staticHub,
                                  const CustomAllocationDefinition &custom, const QByteArray &ifMatch,
                                  const QString &actor);

private:
    Database &m_db;
    HubStore &m_hubs;
    SettingsStore &m_settings;
    ChangeRecorder m_changes;
};

} // namespace Provisio

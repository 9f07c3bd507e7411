// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "changerecorder.h"

#include "storage/accesspolicystore.h"

namespace Provisio {

class HubStore;
struct ServiceContext;

// Creating and revoking shared access policies (the ServiceSAS keys of
// Azure's service SDKs): each in its own transaction with its audit entry
// (never the key) and an accessPolicy.* event once committed.
class AccessPolicies
{
public:
    explicit AccessPolicies(ServiceContext &ctx);
    // For the offline command line, which has no running service.
    AccessPolicies(Database &db, AuditLog &audit, EventBus &events, HubStore &hubs);

    // The rights a policy may hold: DPS's for the provisioning service, IoT
    // Hub's for a hub. Spelt as Azure spells them.
    static const QStringList &serviceRights();
    static const QStringList &hubRights();
    // Policy names as Azure allows them: 1..64 letters, digits, '-', '.', '_'.
    static bool isValidName(const QString &name);
    // Checks `rights` against what `hub` ("" or a hub name) allows; an empty
    // list means all of them. Returns them in canonical order.
    static Result<QStringList> checkRights(const QStringList &rights, bool forHub);

    // InvalidInput for a bad name or right, NotFound for an unknown hub,
    // Conflict when an active policy of that name exists there. The key is
    // in the result and nowhere else.
    Result<AccessPolicyStore::Created> create(const QString &name, const QString &hub, const QStringList &rights,
                                              const QString &actor);
    Result<AccessPolicyStore::Info> revoke(const QString &idOrName, const QString &hub, const QString &actor);

private:
    Database &m_db;
    HubStore &m_hubs;
    AccessPolicyStore m_policies;
    ChangeRecorder m_changes;
};

} // namespace Provisio

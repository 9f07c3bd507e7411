// SPDX-License-Identifier: Apache-2.0
#include "accesspolicies.h"

#include "base/servicecontext.h"
#include "storage/database.h"
#include "storage/hubstore.h"
#include "storage/recordutil.h"

#include <QRegularExpression>

namespace Provisio {

namespace {
const QString kEntity = QStringLiteral("accessPolicy");
} // namespace

AccessPolicies::AccessPolicies(ServiceContext &ctx) : m_db(ctx.db), m_hubs(ctx.hubs), m_policies(ctx.db), m_changes(ctx)
{ }

AccessPolicies::AccessPolicies(Database &db, AuditLog &audit, EventBus &events, HubStore &hubs)
    : m_db(db), m_hubs(hubs), m_policies(db), m_changes(db, audit, events)
{ }

const QStringList &AccessPolicies::serviceRights()
{
    static const QStringList rights{QStringLiteral("ServiceConfig"), QStringLiteral("EnrollmentRead"),
                                    QStringLiteral("EnrollmentWrite"), QStringLiteral("RegistrationStatusRead"),
                                    QStringLiteral("RegistrationStatusWrite")};
    return rights;
}

const QStringList &AccessPolicies::hubRights()
{
    static const QStringList rights{QStringLiteral("RegistryRead"), QStringLiteral("RegistryWrite"),
                                    QStringLiteral("ServiceConnect"), QStringLiteral("DeviceConnect")};
    return rights;
}

bool AccessPolicies::isValidName(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9._-]{1,64}$"));
    return re.match(name).hasMatch();
}

Result<QStringList> AccessPolicies::checkRights(const QStringList &rights, bool forHub)
{
    const QStringList &known = forHub ? hubRights() : serviceRights();
    if (rights.isEmpty())
        return known;
    QStringList out;
    for (const QString &wanted : known) {
        if (rights.contains(wanted, Qt::CaseInsensitive))
            out << wanted;
    }
    for (const QString &r : rights) {
        if (!known.contains(r, Qt::CaseInsensitive))
            return Error(ErrorCode::InvalidInput,
                         QStringLiteral("unknown right '%1' for a %2 policy; allowed: %3")
                             .arg(r.left(64), forHub ? QStringLiteral("hub") : QStringLiteral("provisioning service"),
                                  known.join(QLatin1Char(','))));
    }
    return out;
}

Result<AccessPolicyStore::Created> AccessPolicies::create(const QString &name, const QString &hub,
                                                          const QStringList &rights, const QString &actor)
{
    if (!isValidName(name))
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("a policy name is 1 to 64 letters, digits, '-', '.' or '_'"));
    auto checked = checkRights(rights, !hub.isEmpty());
    if (!checked)
        return checked.error();
    Transaction tx(m_db);
    if (!tx.isActive())
        return commitFailed();
    if (!hub.isEmpty()) {
        auto found = m_hubs.find(hub);
        if (!found)
            return found.error();
        if (!*found)
            return Error(ErrorCode::NotFound, QStringLiteral("no hub '%1'").arg(hub));
    }
    auto existing = m_policies.findActive(hub, name);
    if (!existing)
        return existing.error();
    if (*existing)
        return Error(ErrorCode::Conflict,
                     QStringLiteral("an active access policy named '%1' exists already").arg(name));
    auto created = m_policies.create(name, hub, *checked);
    if (!created)
        return created.error();
    if (auto a =
            m_changes.record(EventKind::AccessPolicyCreated,
                             {actor, QStringLiteral("create"), kEntity, created->info.id, {}, created->info.toJson()});
        !a)
        return a.error();
    if (!tx.commit())
        return commitFailed();
    return created;
}

Result<AccessPolicyStore::Info> AccessPolicies::revoke(const QString &idOrName, const QString &hub,
                                                       const QString &actor)
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return commitFailed();
    auto revoked = m_policies.revoke(idOrName, hub);
    if (!revoked)
        return revoked.error();
    AccessPolicyStore::Info before = *revoked;
    before.revokedAt.clear();
    if (auto a = m_changes.record(EventKind::AccessPolicyRevoked, {actor, QStringLiteral("revoke"), kEntity,
                                                                   revoked->id, before.toJson(), revoked->toJson()});
        !a)
        return a.error();
    if (!tx.commit())
        return commitFailed();
    return revoked;
}

} // namespace Provisio

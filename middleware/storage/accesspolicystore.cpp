// SPDX-License-Identifier: Apache-2.0
#include "accesspolicystore.h"
#include "database.h"
#include "recordutil.h"

#include "crypto/keys.h"

#include <QJsonArray>

namespace Provisio {

namespace {
// The provisioning service's policies have hub '' (not NULL: a null QString
// binds as NULL, which no "hub = ?" would find).
QString hubKey(const QString &hub)
{
    return hub.isEmpty() ? QStringLiteral("") : hub;
}

const QString kColumns = QStringLiteral("id, name, hub, rights, created, revoked_at");

AccessPolicyStore::Info readInfo(const Query &q)
{
    AccessPolicyStore::Info i;
    i.id = q.value(0).toString();
    i.name = q.value(1).toString();
    i.hub = q.value(2).toString();
    i.rights = q.value(3).toString().split(QLatin1Char(','), Qt::SkipEmptyParts);
    i.created = q.value(4).toString();
    i.revokedAt = q.value(5).toString();
    return i;
}
} // namespace

QJsonObject AccessPolicyStore::Info::toJson() const
{
    QJsonObject o{{QStringLiteral("id"), id},
                  {QStringLiteral("name"), name},
                  {QStringLiteral("rights"), QJsonArray::fromStringList(rights)},
                  {QStringLiteral("created"), created}};
    if (!hub.isEmpty())
        o.insert(QStringLiteral("hub"), hub);
    if (!revokedAt.isEmpty())
        o.insert(QStringLiteral("revokedAt"), revokedAt);
    return o;
}

Result<AccessPolicyStore::Created> AccessPolicyStore::create(const QString &name, const QString &hub,
                                                             const QStringList &rights)
{
    Created c;
    c.info.id = Crypto::randomToken(8);
    c.info.name = name;
    c.info.hub = hub;
    c.info.rights = rights;
    c.info.created = nowIso();
    c.key = Crypto::generateSymmetricKey(32);
    auto r = m_db.exec(QStringLiteral("INSERT INTO access_policies (id, name, hub, rights, policy_key, created) "
                                      "VALUES (?, ?, ?, ?, ?, ?)"),
                       {c.info.id, name, hubKey(hub), rights.join(QLatin1Char(',')), c.key, c.info.created});
    if (!r)
        return r.error();
    r->finish();
    return c;
}

Result<QList<AccessPolicyStore::Info>> AccessPolicyStore::list()
{
    auto q =
        m_db.exec(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM access_policies ORDER BY created, id"));
    if (!q)
        return q.error();
    QList<Info> out;
    while (q->next())
        out << readInfo(*q);
    q->finish();
    return out;
}

Result<std::optional<AccessPolicyStore::Active>> AccessPolicyStore::findActive(const QString &hub, const QString &name)
{
    auto q = m_db.exec(QStringLiteral("SELECT ") + kColumns +
                           QStringLiteral(", policy_key FROM access_policies "
                                          "WHERE hub = ? AND name = ? AND revoked_at IS NULL"),
                       {hubKey(hub), name});
    if (!q)
        return q.error();
    std::optional<Active> found;
    if (q->next())
        found = Active{readInfo(*q), q->value(6).toString()};
    q->finish();
    return found;
}

Result<AccessPolicyStore::Info> AccessPolicyStore::revoke(const QString &idOrName, const QString &hub)
{
    auto all = list();
    if (!all)
        return all.error();
    for (const Info &p : *all) {
        if (!p.revokedAt.isEmpty() || !(p.id == idOrName || (p.name == idOrName && p.hub == hub)))
            continue;
        Info revoked = p;
        revoked.revokedAt = nowIso();
        auto r = m_db.execAffected(QStringLiteral("UPDATE access_policies SET revoked_at = ? WHERE id = ?"),
                                   {revoked.revokedAt, p.id});
        if (!r)
            return r.error();
        return revoked;
    }
    return Error(ErrorCode::NotFound, QStringLiteral("no active access policy with id or name '%1'").arg(idOrName));
}

} // namespace Provisio

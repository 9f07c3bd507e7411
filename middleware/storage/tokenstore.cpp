// SPDX-License-Identifier: Apache-2.0
#include "tokenstore.h"
#include "database.h"
#include "recordutil.h"

#include "crypto/keys.h"

namespace Provisio {

QJsonObject TokenStore::TokenInfo::toJson() const
{
    QJsonObject o{{QStringLiteral("id"), id},
                  {QStringLiteral("name"), name},
                  {QStringLiteral("role"), roleName(role)},
                  {QStringLiteral("created"), created}};
    if (!revokedAt.isEmpty())
        o.insert(QStringLiteral("revokedAt"), revokedAt);
    return o;
}

Result<TokenStore::Created> TokenStore::create(Role role, const QString &name)
{
    const QString trimmed = name.trimmed();
    if (trimmed.size() > 100)
        return Error(ErrorCode::InvalidInput, QStringLiteral("token name is longer than 100 characters"));
    Created c;
    c.info.id = Crypto::randomToken(8);
    c.info.name = trimmed.isEmpty() ? roleName(role) + QLatin1Char('-') + c.info.id : trimmed;
    c.info.role = role;
    c.info.created = nowIso();
    // A recognisable prefix helps secret scanners spot leaked tokens.
    c.token = QStringLiteral("pvs_") + Crypto::randomToken(32);
    auto r = m_db.exec(QStringLiteral("INSERT INTO api_tokens (id, name, role, token_hash, created) "
                                      "VALUES (?, ?, ?, ?, ?)"),
                       {c.info.id, c.info.name, roleName(role), Crypto::hashToken(c.token), c.info.created});
    if (!r)
        return r.error();
    r->finish();
    return c;
}

Result<QList<TokenStore::TokenInfo>> TokenStore::list()
{
    auto q = m_db.exec(QStringLiteral("SELECT id, name, role, created, revoked_at FROM api_tokens "
                                      "ORDER BY created, id"));
    if (!q)
        return q.error();
    QList<TokenInfo> out;
    while (q->next()) {
        TokenInfo t;
        t.id = q->value(0).toString();
        t.name = q->value(1).toString();
        t.role = parseRole(q->value(2).toString()).value_or(Role::Viewer);
        t.created = q->value(3).toString();
        t.revokedAt = q->value(4).toString();
        out << t;
    }
    q->finish();
    return out;
}

Result<TokenStore::TokenInfo> TokenStore::revoke(const QString &idOrName)
{
    auto all = list();
    if (!all)
        return all.error();
    for (const TokenInfo &t : *all) {
        if ((t.id == idOrName || t.name == idOrName) && t.revokedAt.isEmpty()) {
            TokenInfo revoked = t;
            revoked.revokedAt = nowIso();
            auto r = m_db.execAffected(QStringLiteral("UPDATE api_tokens SET revoked_at = ? WHERE id = ?"),
                                       {revoked.revokedAt, t.id});
            if (!r)
                return r.error();
            m_cache.clear();
            return revoked;
        }
    }
    return Error(ErrorCode::NotFound, QStringLiteral("no active token with id or name '%1'").arg(idOrName));
}

std::optional<Principal> TokenStore::authenticate(const QByteArray &token)
{
    if (token.isEmpty() || token.size() > 256)
        return std::nullopt;
    if (!m_clock.isValid())
        m_clock.start();
    const QString hash = Crypto::hashToken(QString::fromLatin1(token));
    const qint64 now = m_clock.elapsed();
    auto cached = m_cache.constFind(hash);
    if (cached != m_cache.constEnd() && now - cached->at < kCacheMilliseconds)
        return cached->principal;

    std::optional<Principal> principal;
    // The lookup is by hash; the hash of a wrong token simply finds nothing,
    // so there is no secret comparison here to make constant-time.
    auto q = m_db.exec(QStringLiteral("SELECT id, name, role FROM api_tokens "
                                      "WHERE token_hash = ? AND revoked_at IS NULL"),
                       {hash});
    if (!q)
        return std::nullopt;
    if (q->next()) {
        Principal p;
        p.tokenId = q->value(0).toString();
        p.name = q->value(1).toString();
        p.role = parseRole(q->value(2).toString()).value_or(Role::Viewer);
        principal = p;
    }
    q->finish();
    if (m_cache.size() > 10000)
        m_cache.clear();
    m_cache.insert(hash, {principal, now});
    return principal;
}

} // namespace Provisio

// SPDX-License-Identifier: Apache-2.0
#include "tokens.h"

#include "base/servicecontext.h"
#include "storage/database.h"
#include "storage/recordutil.h"

namespace Provisio {

namespace {
const QString kEntity = QStringLiteral("token");
} // namespace

Tokens::Tokens(ServiceContext &ctx) : m_db(ctx.db), m_tokens(ctx.tokens), m_changes(ctx) { }

Result<TokenStore::Created> Tokens::create(Role role, const QString &name, const QString &actor)
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return commitFailed();
    if (!name.isEmpty()) {
        auto all = m_tokens.list();
        if (!all)
            return all.error();
        for (const TokenStore::TokenInfo &t : *all) {
            if (t.name == name && t.revokedAt.isEmpty())
                return Error(ErrorCode::Conflict,
                             QStringLiteral("an active token named '%1' exists already").arg(name));
        }
    }
    auto created = m_tokens.create(role, name);
    if (!created)
        return created.error();
    if (auto a =
            m_changes.record(EventKind::TokenCreated,
                             {actor, QStringLiteral("create"), kEntity, created->info.id, {}, created->info.toJson()});
        !a)
        return a.error();
    if (!tx.commit())
        return commitFailed();
    return created;
}

Result<TokenStore::TokenInfo> Tokens::revoke(const QString &idOrName, const QString &actor)
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return commitFailed();
    auto revoked = m_tokens.revoke(idOrName);
    if (!revoked)
        return revoked.error();
    TokenStore::TokenInfo before = *revoked;
    before.revokedAt.clear();
    if (auto a = m_changes.record(EventKind::TokenRevoked, {actor, QStringLiteral("revoke"), kEntity, revoked->id,
                                                            before.toJson(), revoked->toJson()});
        !a)
        return a.error();
    if (!tx.commit())
        return commitFailed();
    return revoked;
}

} // namespace Provisio

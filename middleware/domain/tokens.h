// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "changerecorder.h"

#include "storage/tokenstore.h"

namespace Provisio {

struct ServiceContext;

// Issuing and revoking API tokens: each in its own transaction with its audit
// entry (never the token) and a token.* event once committed.
class Tokens
{
public:
    explicit Tokens(ServiceContext &ctx);

    // Conflict when an active token has that name (tokens are revoked by
    // name too). The token itself is in the result, and nowhere else.
    Result<TokenStore::Created> create(Role role, const QString &name, const QString &actor);
    // NotFound, or the token as it is now (revoked).
    Result<TokenStore::TokenInfo> revoke(const QString &idOrName, const QString &actor);

private:
    Database &m_db;
    TokenStore &m_tokens;
    ChangeRecorder m_changes;
};

} // namespace Provisio

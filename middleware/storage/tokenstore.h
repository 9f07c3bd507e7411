// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/principal.h"
#include "core/result.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace Provisio {

class Database;

// CRM API bearer tokens. Only a SHA-256 of each token is stored; the token
// itself is shown once, when created. Lookups are cached for a few seconds so
// a busy CRM does not hit the database per request, while a revocation made
// through another middleware instance still takes effect quickly.
class TokenStore
{
public:
    explicit TokenStore(Database &db) : m_db(db) { }

    struct TokenInfo
    {
        QString id;
        QString name;
        Role role = Role::Viewer;
        QString created;
        QString revokedAt;
        // As the API lists it and the audit log records it (no secret).
        QJsonObject toJson() const;
    };

    struct Created
    {
        TokenInfo info;
        QString token; // the secret; never stored, never logged
    };

    Result<Created> create(Role role, const QString &name);
    Result<QList<TokenInfo>> list();
    // Revokes by id or by name. NotFound when neither matches an active token.
    Result<TokenInfo> revoke(const QString &idOrName);

    std::optional<Principal> authenticate(const QByteArray &token);

    static constexpr int kCacheMilliseconds = 5000;

private:
    struct CacheEntry
    {
        std::optional<Principal> principal;
        qint64 at;
    };
    Database &m_db;
    QHash<QString, CacheEntry> m_cache; // by token hash
    QElapsedTimer m_clock;
};

} // namespace Provisio

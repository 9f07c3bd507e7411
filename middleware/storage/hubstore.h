// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"
#include "protocol/hub.h"

#include <QList>
#include <QString>

#include <optional>

namespace Provisio {

class Database;

// Linked hubs. The allocator reads them on every registration, so the list is
// cached and refreshed when this instance changes it or after a few seconds
// (another instance may have changed it).
class HubStore
{
public:
    explicit HubStore(Database &db) : m_db(db) { }

    // Hubs with their signing keys (server-side use only).
    Result<QList<Hub>> all();
    Result<std::optional<Hub>> find(const QString &name);
    // Finds by host (the name in assignedHub), case-insensitively.
    Result<std::optional<Hub>> findByHost(const QString &host);

    // Inserts or replaces; fills etag and timestamps. `expectedEtag` empty means
    // no precondition; otherwise the row is only replaced while it still has
    // that etag (PreconditionFailed when another writer got there first).
    Result<Hub> upsert(const Hub &hub, const QString &expectedEtag = {});
    // `expectedEtag` as for upsert.
    Result<void> remove(const QString &name, const QString &expectedEtag = {});
    // How many registrations are assigned to the hub with this host.
    Result<qint64> assignedRegistrations(const QString &host);

    void invalidate() { m_cacheValid = false; }

private:
    Database &m_db;
    QList<Hub> m_cache;
    bool m_cacheValid = false;
    qint64 m_cacheLoadedAt = 0;
};

} // namespace Provisio

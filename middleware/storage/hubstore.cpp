// SPDX-License-Identifier: Apache-2.0
#include "hubstore.h"
#include "database.h"
#include "recordutil.h"

#include "protocol/timeutil.h"

#include <QDateTime>

namespace Provisio {

namespace {
constexpr qint64 kCacheMs = 3000;
}

Result<QList<Hub>> HubStore::all()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (m_cacheValid && now - m_cacheLoadedAt < kCacheMs)
        return m_cache;
    auto q = m_db.exec(QStringLiteral("SELECT name, host, port, endpoint, region, allocation_weight, "
                                      "signing_key, etag, created, updated, previous_signing_key, previous_key_until "
                                      "FROM hubs ORDER BY name"));
    if (!q)
        return q.error();
    QList<Hub> hubs;
    while (q->next()) {
        Hub h;
        h.name = q->value(0).toString();
        h.host = q->value(1).toString();
        h.port = q->value(2).toInt();
        h.endpoint = q->value(3).toString();
        h.region = q->value(4).toString();
        h.allocationWeight = q->value(5).toInt();
        h.signingKey = q->value(6).toString();
        h.etag = q->value(7).toString();
        h.createdDateTimeUtc = fromIsoUtc(q->value(8).toString()).value_or(QDateTime());
        h.lastUpdatedDateTimeUtc = fromIsoUtc(q->value(9).toString()).value_or(QDateTime());
        h.previousSigningKey = q->value(10).toString();
        h.previousKeyAcceptedUntil = fromIsoUtc(q->value(11).toString()).value_or(QDateTime());
        hubs << h;
    }
    q->finish();
    m_cache = hubs;
    m_cacheValid = true;
    m_cacheLoadedAt = now;
    return hubs;
}

Result<std::optional<Hub>> HubStore::find(const QString &name)
{
    auto hubs = all();
    if (!hubs)
        return hubs.error();
    for (const Hub &h : *hubs) {
        if (h.name == name)
            return std::optional<Hub>(h);
    }
    return std::optional<Hub>();
}

Result<std::optional<Hub>> HubStore::findByHost(const QString &host)
{
    auto hubs = all();
    if (!hubs)
        return hubs.error();
    for (const Hub &h : *hubs) {
        if (h.host.compare(host, Qt::CaseInsensitive) == 0)
            return std::optional<Hub>(h);
    }
    return std::optional<Hub>();
}

Result<Hub> HubStore::upsert(const Hub &hub, const QString &expectedEtag)
{
    Hub h = hub;
    m_cacheValid = false;
    auto existing = find(hub.name);
    if (!existing)
        return existing.error();
    const QString now = nowIso();
    h.etag = newEtag();
    const QVariant previousKey = h.previousSigningKey.isEmpty() ? QVariant() : QVariant(h.previousSigningKey);
    const QVariant previousUntil = h.previousSigningKey.isEmpty() || !h.previousKeyAcceptedUntil.isValid()
                                       ? QVariant()
                                       : QVariant(toIsoUtc(h.previousKeyAcceptedUntil));
    h.lastUpdatedDateTimeUtc = fromIsoUtc(now).value_or(QDateTime());
    h.createdDateTimeUtc = existing->has_value() ? (*existing)->createdDateTimeUtc : h.lastUpdatedDateTimeUtc;
    if (!expectedEtag.isEmpty()) {
        // Conditional on the etag the caller read, so two instances replacing
        // the same hub at once cannot silently lose one of the changes.
        auto r = m_db.execAffected(QStringLiteral("UPDATE hubs SET host = ?, port = ?, endpoint = ?, region = ?, "
                                                  "allocation_weight = ?, signing_key = ?, etag = ?, updated = ?, "
                                                  "previous_signing_key = ?, previous_key_until = ? "
                                                  "WHERE name = ? AND etag = ?"),
                                   {h.host, h.port, h.endpoint, h.region, h.allocationWeight, h.signingKey, h.etag, now,
                                    previousKey, previousUntil, h.name, expectedEtag});
        m_cacheValid = false;
        if (!r)
            return r.error();
        if (*r == 0)
            return Error(ErrorCode::PreconditionFailed,
                         QStringLiteral("hub '%1' was changed or removed meanwhile; read it again").arg(h.name));
        return h;
    }
    auto r =
        m_db.exec(QStringLiteral("INSERT INTO hubs (name, host, port, endpoint, region, allocation_weight, "
                                 "signing_key, etag, created, updated, previous_signing_key, previous_key_until) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                                 "ON CONFLICT (name) DO UPDATE SET host = excluded.host, port = excluded.port, "
                                 "endpoint = excluded.endpoint, region = excluded.region, "
                                 "allocation_weight = excluded.allocation_weight, "
                                 "signing_key = excluded.signing_key, etag = excluded.etag, "
                                 "updated = excluded.updated, previous_signing_key = excluded.previous_signing_key, "
                                 "previous_key_until = excluded.previous_key_until"),
                  {h.name, h.host, h.port, h.endpoint, h.region, h.allocationWeight, h.signingKey, h.etag,
                   toIsoUtc(h.createdDateTimeUtc), now, previousKey, previousUntil});
    m_cacheValid = false;
    if (!r)
        return r.error();
    r->finish();
    return h;
}

Result<void> HubStore::remove(const QString &name, const QString &expectedEtag)
{
    m_cacheValid = false;
    auto r = expectedEtag.isEmpty() ? m_db.execAffected(QStringLiteral("DELETE FROM hubs WHERE name = ?"), {name})
                                    : m_db.execAffected(QStringLiteral("DELETE FROM hubs WHERE name = ? AND etag = ?"),
                                                        {name, expectedEtag});
    if (!r)
        return r.error();
    if (*r == 0)
        return expectedEtag.isEmpty()
                   ? Error(ErrorCode::NotFound, QStringLiteral("no hub named '%1'").arg(name))
                   : Error(ErrorCode::PreconditionFailed,
                           QStringLiteral("hub '%1' was changed or removed meanwhile; read it again").arg(name));
    return {};
}

Result<qint64> HubStore::assignedRegistrations(const QString &host)
{
    auto q = m_db.exec(QStringLiteral("SELECT COUNT(*) FROM registrations WHERE assigned_hub = ?"), {host});
    if (!q)
        return q.error();
    const qint64 n = q->next() ? q->value(0).toLongLong() : 0;
    q->finish();
    return n;
}

} // namespace Provisio

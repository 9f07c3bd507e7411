// SPDX-License-Identifier: Apache-2.0
#include "hublinkstore.h"

#include "protocol/timeutil.h"
#include "storage/database.h"
#include "storage/recordutil.h"
#include "storage/registrationstore.h"

namespace Provisio {

namespace {
QVariant isoOrNull(const QDateTime &at)
{
    return at.isValid() ? QVariant(toIsoUtc(at)) : QVariant();
}

QDateTime fromIsoOrNull(const QVariant &v)
{
    return v.isNull() ? QDateTime() : fromIsoUtc(v.toString()).value_or(QDateTime());
}

const QString kRevocationColumns =
    QStringLiteral("hub_host, device_id, op, request_id, state, attempts, updated, answer");

HubLinkStore::Revocation readRevocation(const Query &q)
{
    HubLinkStore::Revocation r;
    r.hubHost = q.value(0).toString();
    r.deviceId = q.value(1).toString();
    r.op = q.value(2).toString();
    r.requestId = q.value(3).toString();
    r.state = q.value(4).toString();
    r.attempts = q.value(5).toInt();
    r.updated = fromIsoOrNull(q.value(6));
    r.answer = q.value(7).isNull() ? QJsonObject() : fromJsonText(q.value(7).toString());
    return r;
}
} // namespace

Result<HubLinkStore::DesiredScan> HubLinkStore::scanDesired(const QString &hubHost, const QString &afterKey, int limit)
{
    // (A null QString would bind as NULL, and "id > NULL" matches nothing:
    // the first page has no lower bound at all.)
    QString sql = QStringLiteral("SELECT registration_id, doc, desired_published_version, desired_published_hub "
                                 "FROM registrations WHERE LOWER(assigned_hub) = ? AND status = 'assigned'");
    QVariantList binds{hubHost.toLower()};
    if (!afterKey.isEmpty()) {
        sql += QStringLiteral(" AND registration_id > ?");
        binds << afterKey;
    }
    sql += QStringLiteral(" ORDER BY registration_id LIMIT ?");
    binds << limit;
    auto q = m_db.exec(sql, binds);
    if (!q)
        return q.error();
    struct Row
    {
        QString id;
        QString doc;
        QVariant version;
        QString hub;
    };
    QList<Row> rows;
    while (q->next())
        rows.append({q->value(0).toString(), q->value(1).toString(), q->value(2), q->value(3).toString()});
    q->finish();

    DesiredScan scan;
    scan.more = rows.size() == limit;
    for (const Row &row : std::as_const(rows)) {
        scan.lastKey = row.id;
        auto record = RegistrationRecord::fromDoc(fromJsonText(row.doc));
        if (!record)
            continue; // unreadable: nothing sensible to publish
        const QJsonObject desired =
            record->twin.value(QStringLiteral("properties")).toObject().value(QStringLiteral("desired")).toObject();
        const int version = desired.value(QStringLiteral("$version")).toInt(0);
        const bool published = !row.version.isNull() && row.hub.compare(hubHost, Qt::CaseInsensitive) == 0 &&
                               row.version.toInt() >= version;
        if (published)
            continue;
        scan.lagging.append({row.id, record->state.deviceId, hubHost.toLower(), desired, version});
    }
    return scan;
}

Result<void> HubLinkStore::markDesiredPublished(const QString &registrationId, const QString &hubHost, int version)
{
    // Never move backwards: a slow acknowledgement of an older version must
    // not hide a newer one that went out meanwhile.
    auto r = m_db.execAffected(
        QStringLiteral("UPDATE registrations SET desired_published_version = ?, desired_published_hub = ? "
                       "WHERE registration_id = ? AND (desired_published_version IS NULL "
                       "OR desired_published_hub IS NULL OR desired_published_hub <> ? "
                       "OR desired_published_version < ?)"),
        {version, hubHost.toLower(), registrationId, hubHost.toLower(), version});
    if (!r)
        return r.error();
    return {};
}

void HubLinkStore::Activity::insertPresence(QJsonObject &out) const
{
    out.insert(QStringLiteral("connectionState"),
               online ? QStringLiteral("Connected") : QStringLiteral("Disconnected"));
    out.insert(QStringLiteral("lastActivityTime"),
               lastSeen.isValid() ? QJsonValue(toIsoUtc(lastSeen)) : QJsonValue(QJsonValue::Null));
}

Result<std::optional<HubLinkStore::Activity>> HubLinkStore::activity(const QString &deviceId)
{
    auto found = activities({deviceId});
    if (!found)
        return found.error();
    const auto it = found->constFind(deviceId);
    return it == found->constEnd() ? std::optional<Activity>() : std::optional<Activity>(*it);
}

Result<QHash<QString, HubLinkStore::Activity>> HubLinkStore::activities(const QStringList &deviceIds)
{
    QHash<QString, Activity> out;
    for (const InListChunk &chunk : inListChunks(deviceIds)) {
        auto q = m_db.exec(QStringLiteral("SELECT device_id, hub_host, online, last_seen, presence_changed, "
                                          "telemetry_count, last_telemetry FROM device_activity WHERE device_id IN (") +
                               chunk.placeholders + QLatin1Char(')'),
                           chunk.binds);
        if (!q)
            return q.error();
        while (q->next()) {
            Activity a;
            a.deviceId = q->value(0).toString();
            a.hubHost = q->value(1).toString();
            a.online = q->value(2).toInt() != 0;
            a.lastSeen = fromIsoOrNull(q->value(3));
            a.presenceChanged = fromIsoOrNull(q->value(4));
            a.telemetryCount = q->value(5).toLongLong();
            a.lastTelemetry = fromIsoOrNull(q->value(6));
            out.insert(a.deviceId, a);
        }
        q->finish();
    }
    return out;
}

Result<bool> HubLinkStore::setPresence(const QString &deviceId, const QString &hubHost, bool online,
                                       const QDateTime &at)
{
    Transaction tx(m_db);
    auto current = activity(deviceId);
    if (!current)
        return current.error();
    const bool changed = !*current || (*current)->online != online;
    const QDateTime changedAt = changed ? at : (*current)->presenceChanged;
    auto r = m_db.exec(QStringLiteral("INSERT INTO device_activity (device_id, hub_host, online, last_seen, "
                                      "presence_changed) VALUES (?, ?, ?, ?, ?) "
                                      "ON CONFLICT (device_id) DO UPDATE SET hub_host = excluded.hub_host, "
                                      "online = excluded.online, last_seen = excluded.last_seen, "
                                      "presence_changed = excluded.presence_changed"),
                       {deviceId, hubHost.toLower(), online ? 1 : 0, toIsoUtc(at), isoOrNull(changedAt)});
    if (!r)
        return r.error();
    r->finish();
    if (!tx.commit())
        return Error(ErrorCode::Unavailable, QStringLiteral("presence could not be stored"));
    return changed;
}

Result<void> HubLinkStore::addTelemetry(const QString &deviceId, const QString &hubHost, qint64 count,
                                        const QDateTime &last)
{
    // last_seen/last_telemetry only move forward (instances flush in any order).
    auto r = m_db.exec(
        QStringLiteral("INSERT INTO device_activity (device_id, hub_host, online, last_seen, telemetry_count, "
                       "last_telemetry) VALUES (?, ?, 0, ?, ?, ?) "
                       "ON CONFLICT (device_id) DO UPDATE SET hub_host = excluded.hub_host, "
                       "telemetry_count = device_activity.telemetry_count + excluded.telemetry_count, "
                       "last_telemetry = CASE WHEN device_activity.last_telemetry IS NULL "
                       "OR device_activity.last_telemetry < excluded.last_telemetry "
                       "THEN excluded.last_telemetry ELSE device_activity.last_telemetry END, "
                       "last_seen = CASE WHEN device_activity.last_seen IS NULL "
                       "OR device_activity.last_seen < excluded.last_seen "
                       "THEN excluded.last_seen ELSE device_activity.last_seen END"),
        {deviceId, hubHost.toLower(), toIsoUtc(last), count, toIsoUtc(last)});
    if (!r)
        return r.error();
    r->finish();
    return {};
}

Result<void> HubLinkStore::queueRevocation(const QString &hubHost, const QString &deviceId, const QString &op,
                                           const QString &requestId)
{
    const QString now = nowIso();
    auto r =
        m_db.exec(QStringLiteral("INSERT INTO hub_revocations (hub_host, device_id, op, request_id, state, "
                                 "attempts, answer, created, updated) VALUES (?, ?, ?, ?, 'pending', 0, NULL, ?, ?) "
                                 "ON CONFLICT (hub_host, device_id) DO UPDATE SET op = excluded.op, "
                                 "request_id = excluded.request_id, state = 'pending', attempts = 0, "
                                 "answer = NULL, updated = excluded.updated"),
                  {hubHost.toLower(), deviceId, op, requestId, now, now});
    if (!r)
        return r.error();
    r->finish();
    return {};
}

Result<QList<HubLinkStore::Revocation>> HubLinkStore::pendingRevocations(const QString &hubHost)
{
    auto q = m_db.exec(QStringLiteral("SELECT ") + kRevocationColumns +
                           QStringLiteral(" FROM hub_revocations WHERE hub_host = ? AND state = 'pending' "
                                          "ORDER BY updated"),
                       {hubHost.toLower()});
    if (!q)
        return q.error();
    QList<Revocation> out;
    while (q->next())
        out.append(readRevocation(*q));
    q->finish();
    return out;
}

Result<quint32> HubLinkStore::credentialGeneration(const QString &hubHost, const QString &deviceId)
{
    // Read for every registration's answer: through SQLite's own interface.
    const auto rows =
        m_db.selectRows(QStringLiteral("SELECT generation FROM hub_credentials WHERE hub_host = ? AND device_id = ?"),
                        {hubHost.toLower(), deviceId}, 1);
    if (!rows)
        return rows.error();
    return rows->isEmpty() ? quint32(0) : quint32(rows->first().value(0).toLongLong());
}

Result<QHash<QString, quint32>> HubLinkStore::credentialGenerations(const QString &hubHost,
                                                                    const QStringList &deviceIds)
{
    constexpr qsizetype kChunk = 64;
    QHash<QString, quint32> out;
    // As RegistrationStore::pruneOperations: a statement per device on
    // SQLite, where a list costs a temporary table, per chunk on
    // PostgreSQL, where a statement costs a round trip.
    if (m_db.dialect() == Database::Dialect::Sqlite) {
        // Most hubs never had a device's key retired: one look for any row
        // of the hub saves a look per device.
        const auto any = m_db.selectRows(QStringLiteral("SELECT 1 FROM hub_credentials WHERE hub_host = ? LIMIT 1"),
                                         {hubHost.toLower()}, 1);
        if (!any)
            return any.error();
        if (any->isEmpty())
            return out;
        for (const QString &deviceId : deviceIds) {
            const auto generation = credentialGeneration(hubHost, deviceId);
            if (!generation)
                return generation.error();
            if (*generation > 0)
                out.insert(deviceId, *generation);
        }
        return out;
    }
    const QString host = hubHost.toLower();
    for (qsizetype from = 0; from < deviceIds.size(); from += kChunk) {
        const qsizetype count = qMin(kChunk, deviceIds.size() - from);
        // Padded to a power of two with the last id (listed twice, it
        // matches the same row): a handful of statement texts, each
        // prepared once.
        qsizetype slots = 1;
        while (slots < count)
            slots *= 2;
        QString sql = QStringLiteral("SELECT device_id, generation FROM hub_credentials "
                                     "WHERE hub_host = ? AND device_id IN (?");
        QVariantList binds;
        binds.reserve(slots + 1);
        binds << host;
        for (qsizetype i = 0; i < slots; ++i) {
            if (i > 0)
                sql += QLatin1String(", ?");
            binds << deviceIds.at(from + qMin(i, count - 1));
        }
        sql += QLatin1Char(')');
        const auto rows = m_db.selectRows(sql, binds, 2);
        if (!rows)
            return rows.error();
        for (const QVariantList &row : *rows)
            out.insert(row.value(0).toString(), quint32(row.value(1).toLongLong()));
    }
    return out;
}

Result<quint32> HubLinkStore::raiseCredentialGeneration(const QString &hubHost, const QString &deviceId)
{
    auto r = m_db.exec(QStringLiteral("INSERT INTO hub_credentials (hub_host, device_id, generation, updated) "
                                      "VALUES (?, ?, 1, ?) ON CONFLICT (hub_host, device_id) DO UPDATE SET "
                                      "generation = hub_credentials.generation + 1, updated = excluded.updated"),
                       {hubHost.toLower(), deviceId, nowIso()});
    if (!r)
        return r.error();
    r->finish();
    return credentialGeneration(hubHost, deviceId);
}

Result<std::optional<QString>> HubLinkStore::revocationOp(const QString &hubHost, const QString &deviceId)
{
    // Read for every assigned registration (Revocations::onAssigned).
    const auto rows =
        m_db.selectRows(QStringLiteral("SELECT op FROM hub_revocations WHERE hub_host = ? AND device_id = ?"),
                        {hubHost.toLower(), deviceId}, 1);
    if (!rows)
        return rows.error();
    return rows->isEmpty() ? std::optional<QString>() : std::optional<QString>(rows->first().value(0).toString());
}

Result<QSet<QString>> HubLinkStore::revokedAmong(const QString &hubHost, const QStringList &deviceIds)
{
    QSet<QString> revoked;
    const QString host = hubHost.toLower();
    for (const InListChunk &chunk : inListChunks(deviceIds, 64)) {
        QVariantList binds{host, QStringLiteral("revoke")};
        binds += chunk.binds;
        const auto rows = m_db.selectRows(
            QStringLiteral("SELECT device_id FROM hub_revocations WHERE hub_host = ? AND op = ? AND device_id IN (") +
                chunk.placeholders + QLatin1Char(')'),
            binds, 1);
        if (!rows)
            return rows.error();
        for (const QVariantList &row : std::as_const(*rows))
            revoked.insert(row.value(0).toString());
    }
    return revoked;
}

Result<std::optional<HubLinkStore::Revocation>> HubLinkStore::revocation(const QString &hubHost,
                                                                         const QString &deviceId)
{
    auto q = m_db.exec(QStringLiteral("SELECT ") + kRevocationColumns +
                           QStringLiteral(" FROM hub_revocations WHERE hub_host = ? AND device_id = ?"),
                       {hubHost.toLower(), deviceId});
    if (!q)
        return q.error();
    std::optional<Revocation> out;
    if (q->next())
        out = readRevocation(*q);
    q->finish();
    return out;
}

Result<void> HubLinkStore::markRevocationSent(const QString &requestId)
{
    auto r = m_db.execAffected(QStringLiteral("UPDATE hub_revocations SET attempts = attempts + 1, updated = ? "
                                              "WHERE request_id = ? AND state = 'pending'"),
                               {nowIso(), requestId});
    if (!r)
        return r.error();
    return {};
}

Result<bool> HubLinkStore::answerRevocation(const QString &requestId, bool succeeded, const QJsonObject &answer)
{
    auto r = m_db.execAffected(
        QStringLiteral("UPDATE hub_revocations SET state = ?, answer = ?, updated = ? "
                       "WHERE request_id = ?"),
        {succeeded ? QStringLiteral("done") : QStringLiteral("failed"), toJsonText(answer), nowIso(), requestId});
    if (!r)
        return r.error();
    return *r > 0;
}

Result<HubLinkStore::GroupDevicePage> HubLinkStore::groupDevices(const QString &groupId, const QString &afterKey,
                                                                 int limit)
{
    QString sql = QStringLiteral(
        "SELECT r.registration_id, r.device_id, LOWER(r.assigned_hub), v.op, v.state, e.provisioning_status "
        "FROM registrations r "
        "LEFT JOIN hub_revocations v ON v.hub_host = LOWER(r.assigned_hub) AND v.device_id = r.device_id "
        "LEFT JOIN enrollments e ON e.registration_id = r.registration_id "
        "WHERE r.group_id = ? AND r.assigned_hub IS NOT NULL AND r.assigned_hub <> '' "
        "AND r.device_id IS NOT NULL AND r.device_id <> ''");
    QVariantList binds{groupId};
    if (!afterKey.isEmpty()) {
        sql += QStringLiteral(" AND r.registration_id > ?");
        binds << afterKey;
    }
    sql += QStringLiteral(" ORDER BY r.registration_id LIMIT ?");
    binds << limit;
    auto q = m_db.exec(sql, binds);
    if (!q)
        return q.error();
    GroupDevicePage page;
    while (q->next()) {
        GroupDevice d;
        d.registrationId = q->value(0).toString();
        d.deviceId = q->value(1).toString();
        d.hubHost = q->value(2).toString();
        d.wishOp = q->value(3).toString();
        d.wishState = q->value(4).toString();
        d.individuallyDisabled = q->value(5).toString() == QLatin1String("disabled");
        page.lastKey = d.registrationId;
        page.devices.append(d);
    }
    q->finish();
    page.more = page.devices.size() == limit;
    return page;
}

Result<void> HubLinkStore::renewLease(const QString &clientId, qint64 expiresMs)
{
    auto q = m_db.exec(QStringLiteral("INSERT INTO hub_link_leases (client_id, expires_ms, holder) VALUES (?, ?, NULL)"
                                      " ON CONFLICT (client_id) DO UPDATE SET expires_ms = excluded.expires_ms,"
                                      " holder = NULL"),
                       {clientId, expiresMs});
    if (!q)
        return q.error();
    q->finish();
    return {};
}

Result<QStringList> HubLinkStore::expiredLeases(const QString &ownClientId, qint64 nowMs)
{
    auto q = m_db.exec(QStringLiteral("SELECT client_id FROM hub_link_leases WHERE expires_ms < ? AND client_id <> ?"
                                      " ORDER BY client_id"),
                       {nowMs, ownClientId});
    if (!q)
        return q.error();
    QStringList out;
    while (q->next())
        out << q->value(0).toString();
    q->finish();
    return out;
}

Result<bool> HubLinkStore::claimLease(const QString &clientId, const QString &holder, qint64 nowMs, qint64 untilMs)
{
    auto n = m_db.execAffected(QStringLiteral("UPDATE hub_link_leases SET holder = ?, expires_ms = ?"
                                              " WHERE client_id = ? AND expires_ms < ?"),
                               {holder, untilMs, clientId, nowMs});
    if (!n)
        return n.error();
    return *n == 1;
}

Result<bool> HubLinkStore::extendClaim(const QString &clientId, const QString &holder, qint64 untilMs)
{
    auto n = m_db.execAffected(
        QStringLiteral("UPDATE hub_link_leases SET expires_ms = ? WHERE client_id = ? AND holder = ?"),
        {untilMs, clientId, holder});
    if (!n)
        return n.error();
    return *n == 1;
}

Result<void> HubLinkStore::releaseLease(const QString &clientId, const QString &holder)
{
    auto n = m_db.execAffected(QStringLiteral("DELETE FROM hub_link_leases WHERE client_id = ? AND holder = ?"),
                               {clientId, holder});
    if (!n)
        return n.error();
    return {};
}

} // namespace Provisio

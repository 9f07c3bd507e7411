// SPDX-License-Identifier: Apache-2.0
#include "activationfailurestore.h"
#include "database.h"

namespace Provisio {

Result<ActivationFailureStore::Counts> ActivationFailureStore::counts(const QString &serial, const QString &clientKey,
                                                                      qint64 sinceMs)
{
    // One statement over the serial's rows in the window (index serial,
    // at_ms): the ceiling and the pair's backoff come from the same read.
    auto q = m_db.exec(QStringLiteral("SELECT COUNT(*), COALESCE(MIN(at_ms), 0), "
                                      "COALESCE(SUM(CASE WHEN client_key = ? THEN 1 ELSE 0 END), 0), "
                                      "COALESCE(MAX(CASE WHEN client_key = ? THEN at_ms END), 0) "
                                      "FROM activation_failure_log "
                                      "WHERE serial = ? AND at_ms > ? AND cleared_at IS NULL"),
                       {clientKey, clientKey, serial, sinceMs});
    if (!q)
        return q.error();
    Counts c;
    if (q->next()) {
        c.serialFailures = q->value(0).toInt();
        c.serialOldestMs = q->value(1).toLongLong();
        c.clientFailures = q->value(2).toInt();
        c.clientLatestMs = q->value(3).toLongLong();
    }
    q->finish();
    return c;
}

Result<void> ActivationFailureStore::record(const Failure &failure, const QString &clientKey)
{
    auto q = m_db.exec(QStringLiteral("INSERT INTO activation_failure_log "
                                      "(serial, at_ms, client_address, client_key, reason) VALUES (?, ?, ?, ?, ?)"),
                       {failure.serial, failure.atMs, failure.clientAddress, clientKey, failure.reason});
    if (!q)
        return q.error();
    q->finish();
    return {};
}

Result<int> ActivationFailureStore::clear(const QString &serial, qint64 nowMs)
{
    return m_db.execAffected(
        QStringLiteral("UPDATE activation_failure_log SET cleared_at = ? WHERE serial = ? AND cleared_at IS NULL"),
        {nowMs, serial});
}

Result<QList<ActivationFailureStore::Failure>> ActivationFailureStore::list(const QString &serial, int limit)
{
    auto q = m_db.exec(QStringLiteral("SELECT at_ms, client_address, reason, COALESCE(cleared_at, 0) "
                                      "FROM activation_failure_log WHERE serial = ? "
                                      "ORDER BY at_ms DESC, id DESC LIMIT ?"),
                       {serial, limit});
    if (!q)
        return q.error();
    QList<Failure> out;
    while (q->next()) {
        Failure f;
        f.serial = serial;
        f.atMs = q->value(0).toLongLong();
        f.clientAddress = q->value(1).toString();
        f.reason = q->value(2).toString();
        f.clearedAtMs = q->value(3).toLongLong();
        out.append(f);
    }
    q->finish();
    return out;
}

Result<QList<ActivationFailureStore::SerialFailures>> ActivationFailureStore::failingSerials(qint64 sinceMs, int limit)
{
    auto q = m_db.exec(QStringLiteral("SELECT serial, COUNT(*), MAX(at_ms) FROM activation_failure_log "
                                      "WHERE at_ms > ? AND cleared_at IS NULL GROUP BY serial "
                                      "ORDER BY MAX(at_ms) DESC, serial LIMIT ?"),
                       {sinceMs, limit});
    if (!q)
        return q.error();
    QList<SerialFailures> out;
    while (q->next())
        out.append({q->value(0).toString(), q->value(1).toInt(), q->value(2).toLongLong()});
    q->finish();
    return out;
}

Result<int> ActivationFailureStore::pruneBefore(qint64 beforeMs)
{
    return m_db.execAffected(QStringLiteral("DELETE FROM activation_failure_log WHERE at_ms < ?"), {beforeMs});
}

} // namespace Provisio

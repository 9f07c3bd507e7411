// SPDX-License-Identifier: Apache-2.0
#include "activationfailurestore.h"
#include "database.h"

namespace Provisio {

Result<int> ActivationFailureStore::retryAfterSeconds(const QString &serial, int limit, qint64 windowMs, qint64 nowMs)
{
    const int fullWindow = int((windowMs + 999) / 1000);
    if (limit <= 0)
        return fullWindow;
    auto q =
        m_db.exec(QStringLiteral("SELECT window_start, failures FROM activation_failures WHERE serial = ?"), {serial});
    if (!q)
        return q.error();
    if (!q->next()) {
        q->finish();
        return 0;
    }
    const qint64 start = q->value(0).toLongLong();
    const int failures = q->value(1).toInt();
    q->finish();
    const qint64 closes = start + windowMs;
    if (failures < limit || closes <= nowMs)
        return 0;
    // A window that opened "in the future" (an instance whose clock runs
    // ahead) never locks longer than one window from now.
    const qint64 waitMs = qMin(closes - nowMs, windowMs);
    return int(qMax<qint64>(1, (waitMs + 999) / 1000));
}

Result<int> ActivationFailureStore::recordFailure(const QString &serial, qint64 windowMs, qint64 nowMs)
{
    // Both SET expressions read the row as it was before this statement
    // (SQL semantics on SQLite and PostgreSQL alike), so the window test is
    // the same in both.
    const qint64 expiredBefore = nowMs - windowMs;
    auto q =
        m_db.exec(QStringLiteral("INSERT INTO activation_failures (serial, window_start, failures) VALUES (?, ?, 1) "
                                 "ON CONFLICT (serial) DO UPDATE SET "
                                 "failures = CASE WHEN activation_failures.window_start <= ? THEN 1 "
                                 "ELSE activation_failures.failures + 1 END, "
                                 "window_start = CASE WHEN activation_failures.window_start <= ? "
                                 "THEN excluded.window_start ELSE activation_failures.window_start END "
                                 "RETURNING failures"),
                  {serial, nowMs, expiredBefore, expiredBefore});
    if (!q)
        return q.error();
    const int failures = q->next() ? q->value(0).toInt() : 0;
    q->finish();
    return failures;
}

Result<int> ActivationFailureStore::pruneExpired(qint64 windowMs, qint64 nowMs)
{
    return m_db.execAffected(QStringLiteral("DELETE FROM activation_failures WHERE window_start <= ?"),
                             {nowMs - windowMs});
}

} // namespace Provisio

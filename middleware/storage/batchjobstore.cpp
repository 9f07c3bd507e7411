// SPDX-License-Identifier: Apache-2.0
#include "batchjobstore.h"

#include "database.h"
#include "recordquery.h"

namespace Provisio {

namespace {
const QString kColumns =
    QStringLiteral("id, action, state, actor, request, total, done, succeeded, failed, cursor, runner, "
                   "cancel_requested, error, created, updated, heartbeat, finished, resumed");

BatchJobStore::Job jobFromRow(const Query &q)
{
    BatchJobStore::Job j;
    j.id = q.value(0).toString();
    j.action = q.value(1).toString();
    j.state = q.value(2).toString();
    j.actor = q.value(3).toString();
    j.request = fromJsonText(q.value(4).toString());
    j.total = q.value(5).toLongLong();
    j.done = q.value(6).toLongLong();
    j.succeeded = q.value(7).toLongLong();
    j.failed = q.value(8).toLongLong();
    j.cursor = q.value(9).toString();
    j.runner = q.value(10).toString();
    j.cancelRequested = q.value(11).toLongLong() != 0;
    j.error = q.value(12).toString();
    j.created = q.value(13).toString();
    j.updated = q.value(14).toString();
    j.heartbeat = q.value(15).toString();
    j.finished = q.value(16).toString();
    j.resumed = q.value(17).toLongLong();
    return j;
}

Result<void> run(Database &db, const QString &sql, const QVariantList &binds)
{
    auto r = db.exec(sql, binds);
    if (!r)
        return r.error();
    r->finish();
    return {};
}
} // namespace

Result<bool> BatchJobStore::admit(const Job &job, int maxRunning, qint64 *running)
{
    // The lock first: a concurrent admission waits here until this one has
    // committed, then counts what it inserted.
    // (An upsert: the row exists from the first admission on.)
    if (auto locked =
            run(m_db,
                QStringLiteral("INSERT INTO batch_job_admission (slot, admitted) VALUES (1, 1) "
                               "ON CONFLICT (slot) DO UPDATE SET admitted = batch_job_admission.admitted + 1"),
                {});
        !locked)
        return locked.error();
    auto q = m_db.exec(QStringLiteral("SELECT COUNT(*) FROM batch_jobs WHERE state = 'running'"));
    if (!q)
        return q.error();
    const qint64 n = q->next() ? q->value(0).toLongLong() : 0;
    q->finish();
    if (running)
        *running = n;
    if (n >= maxRunning)
        return false;
    if (auto r = run(m_db,
                     QStringLiteral("INSERT INTO batch_jobs (id, action, state, actor, request, total, done, "
                                    "succeeded, failed, cursor, runner, cancel_requested, error, created, updated, "
                                    "heartbeat) VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0, '', ?, 0, NULL, ?, ?, ?)"),
                     {job.id, job.action, job.state, job.actor, toJsonText(job.request), job.total, job.runner,
                      job.created, job.created, job.created});
        !r)
        return r.error();
    return true;
}

Result<std::optional<BatchJobStore::Job>> BatchJobStore::find(const QString &id)
{
    return firstOf(readRows(
        m_db.exec(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM batch_jobs WHERE id = ?"), {id}),
        jobFromRow));
}

Result<bool> BatchJobStore::renew(const QString &id, const QString &runner)
{
    auto n = m_db.execAffected(
        QStringLiteral("UPDATE batch_jobs SET heartbeat = ? WHERE id = ? AND runner = ? AND state = 'running'"),
        {nowIso(), id, runner});
    if (!n)
        return n.error();
    return *n > 0;
}

Result<bool> BatchJobStore::saveProgress(const Job &job)
{
    const QString now = nowIso();
    auto n = m_db.execAffected(
        QStringLiteral("UPDATE batch_jobs SET total = ?, done = ?, succeeded = ?, failed = ?, cursor = ?, "
                       "updated = ?, heartbeat = ? WHERE id = ? AND runner = ? AND state = 'running'"),
        {job.total, job.done, job.succeeded, job.failed, job.cursor, now, now, job.id, job.runner});
    if (!n)
        return n.error();
    return *n > 0;
}

Result<bool> BatchJobStore::finish(const Job &job)
{
    const QString now = nowIso();
    auto n = m_db.execAffected(
        QStringLiteral("UPDATE batch_jobs SET state = ?, error = ?, total = ?, done = ?, succeeded = ?, "
                       "failed = ?, cursor = ?, updated = ?, heartbeat = ?, finished = ? "
                       "WHERE id = ? AND runner = ? AND state = 'running'"),
        {job.state, nullIfEmpty(job.error), job.total, job.done, job.succeeded, job.failed, job.cursor, now, now, now,
         job.id, job.runner});
    if (!n)
        return n.error();
    return *n > 0;
}

Result<bool> BatchJobStore::requestCancel(const QString &id)
{
    auto r = m_db.exec(
        QStringLiteral("UPDATE batch_jobs SET cancel_requested = 1, updated = ? WHERE id = ? AND state = 'running'"),
        {nowIso(), id});
    if (!r)
        return r.error();
    const bool changed = r->numRowsAffected() > 0;
    r->finish();
    return changed;
}

Result<void> BatchJobStore::addFailures(const QString &jobId, const QList<Failure> &failures)
{
    for (const Failure &f : failures) {
        // A device is handled once per job; ON CONFLICT only guards a
        // chunk replayed after an interrupted save.
        if (auto r = run(m_db,
                         QStringLiteral("INSERT INTO batch_job_failures (job_id, serial, message) VALUES (?, ?, ?) "
                                        "ON CONFLICT (job_id, serial) DO NOTHING"),
                         {jobId, f.serial, f.message});
            !r)
            return r;
    }
    return {};
}

Result<RecordPage<BatchJobStore::Failure>> BatchJobStore::failures(const QString &jobId, const PageRequest &page)
{
    // A null string binds as NULL, which no serial is greater than.
    const bool after = !page.afterKey.isEmpty();
    auto rows = readRows(
        m_db.exec(QStringLiteral("SELECT serial, message FROM batch_job_failures WHERE job_id = ?") +
                      (after ? QStringLiteral(" AND serial > ?") : QString()) +
                      QStringLiteral(" ORDER BY serial LIMIT ?"),
                  after ? QVariantList{jobId, page.afterKey, page.limit + 1} : QVariantList{jobId, page.limit + 1}),
        [](const Query &q) {
            return Failure{q.value(0).toString(), q.value(1).toString()};
        });
    if (!rows)
        return rows.error();
    return pageOf(*rows, page.limit, [](const Failure &f) { return f.serial; });
}

Result<bool> BatchJobStore::cancelSilent(const QString &id, const QString &heartbeatBefore)
{
    const QString now = nowIso();
    auto n = m_db.execAffected(
        QStringLiteral("UPDATE batch_jobs SET state = 'cancelled', cancel_requested = 1, updated = ?, finished = ? "
                       "WHERE id = ? AND state = 'running' AND heartbeat < ?"),
        {now, now, id, heartbeatBefore});
    if (!n)
        return n.error();
    return *n > 0;
}

Result<QStringList> BatchJobStore::silentJobs(const QString &heartbeatBefore)
{
    return readRows(m_db.exec(QStringLiteral("SELECT id FROM batch_jobs WHERE state = 'running' AND heartbeat < ? "
                                             "ORDER BY created"),
                              {heartbeatBefore}),
                    [](const Query &q) { return q.value(0).toString(); });
}

Result<bool> BatchJobStore::claim(const QString &id, const QString &runner, const QString &heartbeatBefore)
{
    // On PostgreSQL the condition is checked again on the row as the
    // runner left it after its chunk's commit: a runner that reported
    // meanwhile keeps its job.
    const QString now = nowIso();
    auto n = m_db.execAffected(
        QStringLiteral("UPDATE batch_jobs SET runner = ?, heartbeat = ?, updated = ?, resumed = resumed + 1 "
                       "WHERE id = ? AND state = 'running' AND heartbeat < ?"),
        {runner, now, now, id, heartbeatBefore});
    if (!n)
        return n.error();
    return *n > 0;
}

Result<qint64> BatchJobStore::release(const QString &runner)
{
    // '' sorts before every time: silent at once.
    auto n = m_db.execAffected(
        QStringLiteral("UPDATE batch_jobs SET heartbeat = '' WHERE state = 'running' AND runner = ?"), {runner});
    if (!n)
        return n.error();
    return qint64(*n);
}

Result<void> BatchJobStore::pruneFinished(const QString &before)
{
    if (auto r = run(m_db,
                     QStringLiteral("DELETE FROM batch_job_failures WHERE job_id IN (SELECT id FROM batch_jobs "
                                    "WHERE state <> 'running' AND finished < ?)"),
                     {before});
        !r)
        return r;
    return run(m_db, QStringLiteral("DELETE FROM batch_jobs WHERE state <> 'running' AND finished < ?"), {before});
}

} // namespace Provisio

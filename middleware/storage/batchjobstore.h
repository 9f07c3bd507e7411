// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"
#include "recordpage.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace Provisio {

class Database;

// The device batch jobs (migrations 18, 19): one row per job with its
// request, progress, state and lease, and one row per device the job could
// not change. DeviceBatchJobs owns what the rows mean; this holds the SQL.
//
// The lease: `runner` is the process running a job, `heartbeat` when it last
// reported. Every write a runner makes to its job is conditional on still
// being its runner (and the job still running), so a runner that lost its
// job to another instance changes nothing more; claim() takes over a job
// whose heartbeat is older than a given time.
class BatchJobStore
{
public:
    explicit BatchJobStore(Database &db) : m_db(db) { }

    struct Job
    {
        QString id;
        QString action;
        QString state; // running, completed, cancelled, interrupted, failed
        QString actor;
        QJsonObject request; // the filter and the action's arguments
        qint64 total = 0;
        qint64 done = 0;
        qint64 succeeded = 0;
        qint64 failed = 0;
        QString cursor;     // the last serial handled
        QString runner;     // the process running it (holding its lease)
        qint64 resumed = 0; // how often another runner took it over
        bool cancelRequested = false;
        QString error;
        QString created;
        QString updated;
        QString heartbeat;
        QString finished;
    };
    struct Failure
    {
        QString serial;
        QString message;
    };

    // Admits `job` when fewer than `maxRunning` jobs run (over every
    // instance on the database), atomically: inside the caller's
    // transaction, after taking the admission row's lock. False (and
    // nothing written) when the limit is reached; `running` is the count.
    Result<bool> admit(const Job &job, int maxRunning, qint64 *running);
    Result<std::optional<Job>> find(const QString &id);
    // Renews `runner`'s lease of the running job `id` (its heartbeat); false
    // when `runner` no longer holds it (taken over, or the job has ended).
    // On PostgreSQL this also locks the job's row until the transaction
    // ends, so nobody takes the job over while a chunk runs.
    Result<bool> renew(const QString &id, const QString &runner);
    // Progress of a running job after a chunk: counters, cursor, heartbeat;
    // false when job.runner no longer holds the job.
    Result<bool> saveProgress(const Job &job);
    // The job's end: state, error, counters, finished time; false when
    // job.runner no longer holds the job.
    Result<bool> finish(const Job &job);
    Result<bool> requestCancel(const QString &id);
    // Ends a running job whose runner has been silent since
    // `heartbeatBefore` as cancelled. False when it was not silent.
    Result<bool> cancelSilent(const QString &id, const QString &heartbeatBefore);
    // Running jobs whose runner has been silent since `heartbeatBefore`.
    Result<QStringList> silentJobs(const QString &heartbeatBefore);
    // Makes `runner` the runner of the silent job `id` (compare and set on
    // the silence, so of two instances only one gets it). False when it
    // was not silent any more.
    Result<bool> claim(const QString &id, const QString &runner, const QString &heartbeatBefore);
    // A clean stop: `runner`'s jobs become silent at once, for the next
    // instance (or this one, restarted) to take over.
    Result<qint64> release(const QString &runner);
    Result<void> addFailures(const QString &jobId, const QList<Failure> &failures);
    // In serial order after the page's cursor.
    Result<RecordPage<Failure>> failures(const QString &jobId, const PageRequest &page);
    // Finished jobs (and their failures) that ended before `before`.
    Result<void> pruneFinished(const QString &before);

private:
    Database &m_db;
};

} // namespace Provisio

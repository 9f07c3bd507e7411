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

// The device batch jobs (migration 18): one row per job with its request,
// progress and state, and one row per device the job could not change.
// DeviceBatchJobs owns what the rows mean; this holds the SQL.
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
        QString cursor; // the last serial handled
        QString runner; // the process running it
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

    Result<void> create(const Job &job);
    Result<std::optional<Job>> find(const QString &id);
    // Progress of a running job after a chunk: counters, cursor, heartbeat.
    Result<void> saveProgress(const Job &job);
    // The job's end: state, error, counters, finished time.
    Result<void> finish(const Job &job);
    Result<bool> requestCancel(const QString &id);
    Result<void> addFailures(const QString &jobId, const QList<Failure> &failures);
    // In serial order after the page's cursor.
    Result<RecordPage<Failure>> failures(const QString &jobId, const PageRequest &page);
    // Running jobs whose runner reported after `heartbeatAfter` (ISO time).
    Result<qint64> countLive(const QString &heartbeatAfter);
    // Running jobs whose runner has not reported since `heartbeatBefore`
    // become `interrupted`, with what they had done. How many.
    Result<qint64> markStaleInterrupted(const QString &heartbeatBefore);
    // The running jobs of `runner` (a process stopping) become `interrupted`.
    Result<qint64> markRunnerInterrupted(const QString &runner);
    // Finished jobs (and their failures) that ended before `before`.
    Result<void> pruneFinished(const QString &before);

private:
    Database &m_db;
};

} // namespace Provisio

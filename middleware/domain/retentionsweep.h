// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <functional>

namespace Provisio {

// Deletes a retention backlog (old telemetry, old audit entries) in bounded
// rounds, so a sweep never holds the database's write lock for long: each
// round deletes at most `batchRows` rows in one statement (one short
// transaction), then the sweep rests for at least `pauseMs` and at least as
// long as the round took, so writers (telemetry ingest, API requests) get
// the database for at least half the time while a large backlog goes. The
// sweep ends with the first round that deletes fewer than `batchRows`.
class RetentionSweep : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        int batchRows = 1000; // rows per round (retention-batch)
        int pauseMs = 100;    // least rest between rounds (retention-pause)
    };
    // One round: deletes at most `maxRows` rows, answers how many it did.
    using Round = std::function<Result<int>(int maxRows)>;

    // `what` names the rows in the log (category provisio.middleware.retention:
    // a debug line per round, an info line per sweep that deleted any).
    RetentionSweep(const QString &what, Options options, QObject *parent = nullptr);

    bool isRunning() const { return bool(m_round); }
    // Starts a sweep; does nothing while one is running.
    void start(Round round);
    const Options &options() const { return m_options; }

Q_SIGNALS:
    void roundDone(int deleted, qint64 elapsedMs);
    void finished(qint64 deleted, int rounds);
    void failed(const QString &message);

private:
    void runRound();

    QString m_what;
    Options m_options;
    Round m_round;
    QElapsedTimer m_clock;
    QTimer m_rest;
    qint64 m_deleted = 0;
    int m_rounds = 0;
};

} // namespace Provisio

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QList>
#include <QString>
#include <QtGlobal>

namespace Provisio {

class Database;

// Failed activation attempts, one row each (activation_failure_log,
// migration 9): the serial, when (epoch ms), the client address, the
// client's limit key (ClientAddress::limitKey) and the reason; never the
// code. In the database, so every middleware instance on one database
// counts the same failures, and an operator sees them on the device.
//
// The rows are both the audit of failed attempts and the state the limits
// are computed from (ActivationLimits): a failure counts while it is in the
// window and not cleared. Clearing (a new code, an operator's unlock) marks
// the rows instead of deleting them, so the audit stays.
class ActivationFailureStore
{
public:
    explicit ActivationFailureStore(Database &db) : m_db(db) { }

    struct Failure
    {
        QString serial;
        qint64 atMs = 0;
        QString clientAddress;
        QString reason;
        qint64 clearedAtMs = 0; // 0 while it counts
    };
    // What the limits of one attempt need, over the uncleared failures of
    // `serial` after `sinceMs`.
    struct Counts
    {
        int serialFailures = 0;    // from every client
        qint64 serialOldestMs = 0; // the oldest of those, 0 when none
        int clientFailures = 0;    // from the client key
        qint64 clientLatestMs = 0; // the newest of those, 0 when none
    };

    Result<Counts> counts(const QString &serial, const QString &clientKey, qint64 sinceMs);
    Result<void> record(const Failure &failure, const QString &clientKey);
    // Marks the serial's counting failures cleared at `nowMs`; the number marked.
    Result<int> clear(const QString &serial, qint64 nowMs);
    // The serial's failures, newest first, at most `limit`.
    Result<QList<Failure>> list(const QString &serial, int limit);
    // The serials with failures that count (uncleared, after `sinceMs`):
    // how many each and the newest, newest first, at most `limit`.
    struct SerialFailures
    {
        QString serial;
        int counting = 0;
        qint64 latestMs = 0;
    };
    Result<QList<SerialFailures>> failingSerials(qint64 sinceMs, int limit);
    // Deletes the rows older than `beforeMs`; the number deleted.
    Result<int> pruneBefore(qint64 beforeMs);

private:
    Database &m_db;
};

} // namespace Provisio

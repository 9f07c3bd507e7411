// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QString>
#include <QtGlobal>

namespace Provisio {

class Database;

// Failed activation attempts per device serial, in the database
// (activation_failures, migration 7), so every middleware instance on one
// database enforces one shared budget: behind a load balancer an attacker
// guessing a serial's code gets `limit` tries per window in total, not per
// instance.
//
// A fixed window per serial that opens with its first failure: the row
// holds the window's start and the failures counted in it. Recording a
// failure is one UPSERT (INSERT ... ON CONFLICT DO UPDATE, the same text on
// SQLite and PostgreSQL) that either counts on in the open window or opens a
// new one, so concurrent failures from several instances are never lost.
// The check before an attempt and the count after it are separate
// statements, so attempts in flight at the same moment can overshoot the
// limit by their number; each is still counted.
//
// Times are wall-clock milliseconds since the epoch, the one clock that
// instances share.
class ActivationFailureStore
{
public:
    explicit ActivationFailureStore(Database &db) : m_db(db) { }

    // 0 when another attempt for `serial` is allowed at `nowMs`; otherwise
    // the seconds (rounded up, at least 1) until its window closes.
    Result<int> retryAfterSeconds(const QString &serial, int limit, qint64 windowMs, qint64 nowMs);
    // Counts one failure for `serial`; the failures now in its window.
    Result<int> recordFailure(const QString &serial, qint64 windowMs, qint64 nowMs);
    // Deletes the rows whose window has closed; the number deleted.
    Result<int> pruneExpired(qint64 windowMs, qint64 nowMs);

private:
    Database &m_db;
};

} // namespace Provisio

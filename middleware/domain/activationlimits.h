// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "changerecorder.h"

#include "storage/activationfailurestore.h"

#include <QHostAddress>

namespace Provisio {

struct ServiceContext;

// The limits on guessing activation codes, built so that nobody but the
// guesser pays for the guessing:
//
// - per (serial, client): a client may fail `activationFreeAttempts` times
//   for one serial in 24 hours, then waits 2 s after its next failure, 4 s
//   after the one after, doubling up to `activationMaxBackoffSeconds`. A
//   stranger flooding a serial slows only itself; the owner, from any other
//   address, is not affected.
// - per serial: a ceiling (`activationAttemptsPerSerial` failures in 24 hours
//   from all clients together) far above what one client gets, so only a
//   crowd of addresses reaches it, and even then guessing stays hopeless
//   (docs/security.md has the arithmetic).
// - issuing a new code for the serial, or an operator's unlock, clears the
//   serial's failures (they stay in the log, marked cleared).
//
// Clients are counted by ClientAddress::limitKey (IPv6 per /64). The state is
// the failure log in the database, shared by all instances.
class ActivationLimits
{
public:
    explicit ActivationLimits(ServiceContext &ctx);

    static constexpr qint64 kWindowMs = 24 * 3600 * 1000LL;
    static constexpr qint64 kRetentionMs = 30 * 24 * 3600 * 1000LL; // failure log rows kept
    static constexpr int kListLimit = 500;

    struct Verdict
    {
        int retryAfterSeconds = 0; // 0: the attempt may go ahead
        QString scope;             // what is limited, for the 429 message
        // Failures this client may still have for the serial before it
        // must wait (the free attempts left, never more than the serial's
        // ceiling leaves), counted before this attempt.
        int attemptsLeft = 0;
    };
    // Whether `client` may try a code for `serial` at `nowMs` (epoch ms).
    Result<Verdict> check(const QString &serial, const QHostAddress &client, qint64 nowMs);
    // Logs one failed attempt (never the code).
    Result<void> recordFailure(const QString &serial, const QHostAddress &client, const QString &reason, qint64 nowMs);
    // Clears the serial's failures, inside the caller's transaction (a new
    // code is audited by whoever issues it).
    Result<int> clear(const QString &serial);
    // An operator's unlock: clears the failures, audited, with the
    // activation.unlocked event. The number of failures cleared.
    Result<int> unlock(const QString &serial, const QString &actor);
    Result<QList<ActivationFailureStore::Failure>> failures(const QString &serial);
    // The serials whose failures count now (within the window, not
    // cleared), newest failure first, at most kListLimit.
    Result<QList<ActivationFailureStore::SerialFailures>> failingSerials();

    // The wait after a pair's `failures`-th failure: 0 below `freeAttempts`,
    // then 2 s doubling, at most `maxMs`.
    static qint64 backoffMs(int failures, int freeAttempts, qint64 maxMs);

private:
    ServiceContext &m_ctx;
    ActivationFailureStore m_store;
    ChangeRecorder m_changes;
    qint64 m_lastPruneMs = 0;
};

} // namespace Provisio

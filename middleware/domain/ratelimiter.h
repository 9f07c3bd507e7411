// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QHash>
#include <QString>
#include <QtGlobal>

#include <deque>

namespace Provisio {

// A sliding-window limiter in memory: at most `limit` events per key within
// `windowMs`. A sliding log rather than a token bucket because the rule an
// operator reads ("5 failed attempts per 15 minutes") is exactly what it
// enforces. State is per instance; behind a load balancer each instance
// limits on its own, which still caps an attacker at limit x instances.
//
// Time is passed in (milliseconds on any monotonic clock) so the logic is
// testable without waiting.
class RateLimiter
{
public:
    RateLimiter(int limit, qint64 windowMs, int maxKeys = 100000);

    // 0 when another event for `key` is allowed now; otherwise the seconds
    // (rounded up, at least 1) until the oldest counted event leaves the
    // window, for a Retry-After header.
    int retryAfterSeconds(const QString &key, qint64 nowMs);
    // Counts one event for `key`.
    void record(const QString &key, qint64 nowMs);
    // The events of `key` still within the window (at most limit()).
    int recent(const QString &key, qint64 nowMs);
    // Forgets a key's events (e.g. after a success, when only failures count).
    void reset(const QString &key) { m_events.remove(key); }

    int limit() const { return m_limit; }
    qint64 windowMs() const { return m_windowMs; }
    int trackedKeys() const { return int(m_events.size()); }

private:
    void prune(std::deque<qint64> &events, qint64 nowMs) const;
    void pruneAll(qint64 nowMs);

    int m_limit;
    qint64 m_windowMs;
    int m_maxKeys;
    QHash<QString, std::deque<qint64>> m_events;
};

} // namespace Provisio

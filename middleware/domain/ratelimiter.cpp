// SPDX-License-Identifier: Apache-2.0
#include "ratelimiter.h"

namespace Provisio {

RateLimiter::RateLimiter(int limit, qint64 windowMs, int maxKeys)
    : m_limit(qMax(0, limit)), m_windowMs(qMax<qint64>(1, windowMs)), m_maxKeys(qMax(1, maxKeys))
{ }

void RateLimiter::prune(std::deque<qint64> &events, qint64 nowMs) const
{
    while (!events.empty() && events.front() <= nowMs - m_windowMs)
        events.pop_front();
}

void RateLimiter::pruneAll(qint64 nowMs)
{
    for (auto it = m_events.begin(); it != m_events.end();) {
        prune(it.value(), nowMs);
        it = it.value().empty() ? m_events.erase(it) : std::next(it);
    }
}

int RateLimiter::retryAfterSeconds(const QString &key, qint64 nowMs)
{
    auto it = m_events.find(key);
    if (it == m_events.end())
        return m_limit > 0 ? 0 : int((m_windowMs + 999) / 1000);
    prune(it.value(), nowMs);
    if (int(it.value().size()) < m_limit)
        return 0;
    // The event that must expire before one more fits.
    const qint64 oldest = it.value().at(it.value().size() - std::size_t(m_limit));
    const qint64 waitMs = oldest + m_windowMs - nowMs;
    return int(qMax<qint64>(1, (waitMs + 999) / 1000));
}

int RateLimiter::recent(const QString &key, qint64 nowMs)
{
    auto it = m_events.find(key);
    if (it == m_events.end())
        return 0;
    prune(it.value(), nowMs);
    return int(it.value().size());
}

void RateLimiter::record(const QString &key, qint64 nowMs)
{
    // Many distinct keys (an attacker cycling serials or addresses) must not
    // grow memory without bound: drop expired state first, and if that is not
    // enough, start over. Starting over forgets limits, but only under a
    // flood that already exceeds the per-client limit many times.
    if (m_events.size() >= m_maxKeys && !m_events.contains(key)) {
        pruneAll(nowMs);
        if (m_events.size() >= m_maxKeys)
            m_events.clear();
    }
    std::deque<qint64> &events = m_events[key];
    prune(events, nowMs);
    events.push_back(nowMs);
    // Only the newest `limit` events can matter for the decision.
    while (int(events.size()) > qMax(1, m_limit))
        events.pop_front();
}

} // namespace Provisio

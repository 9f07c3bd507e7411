// SPDX-License-Identifier: Apache-2.0
#include "writelimiter.h"

#include <algorithm>

namespace Provisio::HubAuth {

DeviceWriteLimiter::DeviceWriteLimiter(Options options) : m_options(options) { }

const DeviceWriteLimiter::Rate &DeviceWriteLimiter::rate(LimitedWrite kind) const
{
    return kind == LimitedWrite::ReportedProperties ? m_options.reported : m_options.presence;
}

double DeviceWriteLimiter::refill(const Bucket &b, const Rate &rate, int64_t nowMs)
{
    const double gained = double(std::max<int64_t>(nowMs - b.atMs, 0)) * rate.perMinute / 60000.0;
    return std::min(double(rate.burst), b.tokens + gained);
}

bool DeviceWriteLimiter::allow(std::string_view deviceId, LimitedWrite kind, int64_t nowMs)
{
    const Rate &r = rate(kind);
    std::string key;
    key.reserve(deviceId.size() + 2);
    key.push_back(kind == LimitedWrite::ReportedProperties ? 'r' : 'p');
    key.push_back('/');
    key.append(deviceId);
    auto [it, inserted] = m_buckets.try_emplace(std::move(key));
    Bucket &b = it->second;
    b.tokens = inserted ? double(r.burst) : refill(b, r, nowMs);
    b.atMs = nowMs;
    if (b.tokens < 1.0)
        return false;
    b.tokens -= 1.0;
    return true;
}

void DeviceWriteLimiter::compact(int64_t nowMs)
{
    for (auto it = m_buckets.begin(); it != m_buckets.end();) {
        const Rate &r = rate(it->first.front() == 'r' ? LimitedWrite::ReportedProperties : LimitedWrite::Presence);
        if (refill(it->second, r, nowMs) >= double(r.burst))
            it = m_buckets.erase(it);
        else
            ++it;
    }
}

} // namespace Provisio::HubAuth

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

// Per-device limits on the writes that each cost the middleware a database
// transaction and an event of their own: reported properties and presence.
// (Telemetry is batched and paced by IngressCredit instead.) A token bucket
// per device and kind: `burst` writes at once, refilled at `perMinute`.
// Buckets outlive connections (a device cannot reset its budget by
// reconnecting) and are dropped once full again, so the table holds only
// devices that wrote recently.
namespace Provisio::HubAuth {

enum class LimitedWrite { ReportedProperties, Presence };

class DeviceWriteLimiter
{
public:
    struct Rate
    {
        int burst = 0;
        int perMinute = 0;
    };
    struct Options
    {
        Rate reported{10, 60};
        Rate presence{4, 6};
    };

    explicit DeviceWriteLimiter(Options options);

    // Whether the device may make one more such write at `nowMs`
    // (milliseconds on any monotonic clock); takes a token when it may.
    bool allow(std::string_view deviceId, LimitedWrite kind, int64_t nowMs);
    // Drops buckets that have refilled completely.
    void compact(int64_t nowMs);
    size_t size() const { return m_buckets.size(); }

private:
    struct Bucket
    {
        double tokens = 0;
        int64_t atMs = 0;
    };
    const Rate &rate(LimitedWrite kind) const;
    static double refill(const Bucket &b, const Rate &rate, int64_t nowMs);

    Options m_options;
    std::unordered_map<std::string, Bucket> m_buckets; // kind prefix + device id
};

} // namespace Provisio::HubAuth

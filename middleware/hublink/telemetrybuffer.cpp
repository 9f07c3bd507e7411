// SPDX-License-Identifier: Apache-2.0
#include "telemetrybuffer.h"

namespace Provisio {

namespace {
qint64 sizeOf(const TelemetryBuffer::Message &m)
{
    qint64 size = m.body.size() + 64;
    for (const auto &p : m.properties)
        size += (p.first.size() + p.second.size()) * 2;
    return size;
}
} // namespace

void TelemetryBuffer::add(const QString &deviceId, const QString &hubHost, Message message)
{
    Counter &counter = m_unflushed[deviceId];
    counter.hubHost = hubHost;
    ++counter.count;
    counter.last = message.received;

    if (m_options.messagesPerDevice <= 0 || m_options.maxDevices <= 0)
        return;
    auto it = m_devices.find(deviceId);
    if (it == m_devices.end()) {
        while (int(m_devices.size()) >= m_options.maxDevices)
            evictOne();
        m_lru.push_front(deviceId);
        it = m_devices.insert(deviceId, Device());
        it->lru = m_lru.begin();
    } else {
        m_lru.splice(m_lru.begin(), m_lru, it->lru);
    }
    const qint64 size = sizeOf(message);
    it->messages.push_back(std::move(message));
    it->bytes += size;
    m_bytes += size;
    while (int(it->messages.size()) > m_options.messagesPerDevice) {
        const qint64 dropped = sizeOf(it->messages.front());
        it->bytes -= dropped;
        m_bytes -= dropped;
        it->messages.pop_front();
    }
    // Over the byte budget: forget whole devices, least recently active
    // first, then the oldest messages of this one.
    while (m_bytes > m_options.maxBytes && m_lru.size() > 1)
        evictOne();
    Device &self = m_devices[deviceId];
    while (m_bytes > m_options.maxBytes && self.messages.size() > 1) {
        const qint64 dropped = sizeOf(self.messages.front());
        self.bytes -= dropped;
        m_bytes -= dropped;
        self.messages.pop_front();
    }
}

void TelemetryBuffer::evictOne()
{
    if (m_lru.empty())
        return;
    const QString victim = m_lru.back();
    m_lru.pop_back();
    const auto it = m_devices.constFind(victim);
    if (it != m_devices.constEnd()) {
        m_bytes -= it->bytes;
        m_devices.erase(it);
    }
}

QList<TelemetryBuffer::Message> TelemetryBuffer::latest(const QString &deviceId, int limit) const
{
    QList<Message> out;
    const auto it = m_devices.constFind(deviceId);
    if (it == m_devices.constEnd())
        return out;
    for (auto m = it->messages.crbegin(); m != it->messages.crend() && out.size() < limit; ++m)
        out.append(*m);
    return out;
}

QHash<QString, TelemetryBuffer::Counter> TelemetryBuffer::takeUnflushed()
{
    QHash<QString, Counter> out;
    out.swap(m_unflushed);
    return out;
}

void TelemetryBuffer::restoreUnflushed(const QHash<QString, Counter> &counters)
{
    for (auto it = counters.cbegin(); it != counters.cend(); ++it) {
        Counter &c = m_unflushed[it.key()];
        c.hubHost = it->hubHost;
        c.count += it->count;
        if (!c.last.isValid() || c.last < it->last)
            c.last = it->last;
    }
}

} // namespace Provisio

// SPDX-License-Identifier: Apache-2.0
#include "telemetrybuffer.h"

namespace Provisio {

namespace {
qint64 sizeOf(const TelemetryBuffer::Message &m)
{
    qint64 size = m.body.size() + m.deviceId.size() * 2 + m.hubHost.size() * 2 + 64;
    for (const auto &p : m.properties)
        size += (p.first.size() + p.second.size()) * 2;
    return size;
}
} // namespace

bool TelemetryBuffer::add(Message message, std::function<void()> acknowledge, quint64 delivery)
{
    Counter &counter = m_unflushed[message.deviceId];
    counter.hubHost = message.hubHost;
    ++counter.count;
    if (!counter.last.isValid() || counter.last < message.received)
        counter.last = message.received;

    m_bytes += sizeOf(message);
    m_pending.append({std::move(message), std::move(acknowledge), delivery});
    return m_pending.size() >= qMax(1, m_options.batchSize);
}

bool TelemetryBuffer::adoptRedelivery(const Message &message, std::function<void()> acknowledge)
{
    if (!message.hasDelivery())
        return false;
    for (Entry &e : m_pending) {
        if (e.message.sameDelivery(message)) {
            e.acknowledge = std::move(acknowledge);
            return true;
        }
    }
    return false;
}

QList<TelemetryBuffer::Entry> TelemetryBuffer::takePending()
{
    QList<Entry> out;
    out.swap(m_pending);
    m_bytes = 0;
    return out;
}

void TelemetryBuffer::restorePending(QList<Entry> entries)
{
    for (Entry &e : m_pending)
        entries.append(std::move(e));
    m_pending.swap(entries);
    m_bytes = 0;
    for (const Entry &e : std::as_const(m_pending))
        m_bytes += sizeOf(e.message);
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

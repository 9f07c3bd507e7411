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

bool TelemetryBuffer::add(Message message)
{
    Counter &counter = m_unflushed[message.deviceId];
    counter.hubHost = message.hubHost;
    ++counter.count;
    if (!counter.last.isValid() || counter.last < message.received)
        counter.last = message.received;

    m_bytes += sizeOf(message);
    m_pending.append(std::move(message));
    enforceBounds();
    return m_pending.size() >= qMax(1, m_options.batchSize);
}

QList<TelemetryBuffer::Message> TelemetryBuffer::takePending()
{
    QList<Message> out;
    out.swap(m_pending);
    m_bytes = 0;
    return out;
}

void TelemetryBuffer::restorePending(QList<Message> messages)
{
    for (const Message &m : std::as_const(m_pending))
        messages.append(m);
    m_pending.swap(messages);
    m_bytes = 0;
    for (const Message &m : std::as_const(m_pending))
        m_bytes += sizeOf(m);
    enforceBounds();
}

void TelemetryBuffer::enforceBounds()
{
    // Oldest first: the newest messages are what an operator looks at.
    qsizetype drop = 0;
    qint64 bytes = m_bytes;
    while (drop < m_pending.size() - 1 &&
           (m_pending.size() - drop > qMax(1, m_options.maxPending) || bytes > m_options.maxBytes)) {
        bytes -= sizeOf(m_pending.at(drop));
        ++drop;
    }
    if (drop == 0)
        return;
    m_pending.remove(0, drop);
    m_bytes = bytes;
    m_dropped += drop;
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

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QMutex>
#include <QMutexLocker>

#include <vector>

namespace Provisio {

// Items passed from one thread to another in batches: the producer pushes,
// and only the push that finds the queue empty has to wake the consumer
// (post it one event); the consumer takes everything queued at once. While
// the consumer is busy, further items join the batch without an event, an
// allocation for it or a wake-up of their own: the I/O threads and the event
// loop hand requests and answers over this way instead of one queued call
// each.
template<typename T>
class HandoffQueue
{
public:
    // True when the queue was empty: the caller wakes the consumer.
    bool push(T item)
    {
        const QMutexLocker lock(&m_mutex);
        m_items.push_back(std::move(item));
        return m_items.size() == 1;
    }
    // Everything queued, in the order it was pushed.
    std::vector<T> take()
    {
        std::vector<T> items;
        items.reserve(m_reserve);
        const QMutexLocker lock(&m_mutex);
        items.swap(m_items);
        return items;
    }

private:
    static constexpr size_t m_reserve = 16;
    QMutex m_mutex;
    std::vector<T> m_items;
};

} // namespace Provisio

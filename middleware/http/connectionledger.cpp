// SPDX-License-Identifier: Apache-2.0
#include "connectionledger.h"

#include <QMutexLocker>

namespace Provisio {

ConnectionLedger::ConnectionLedger(int maxConnections, int maxConnectionsPerAddress)
    : m_maxConnections(maxConnections), m_maxConnectionsPerAddress(maxConnectionsPerAddress)
{
    m_clock.start();
}

ConnectionLedger::Admission ConnectionLedger::admit(const QHostAddress &address, const QList<FrontDoor *> &doors)
{
    Admission admission;
    if (doors.isEmpty())
        return admission;
    QMutexLocker lock(&m_mutex);
    admission.overTotal = m_entries.size() >= m_maxConnections;
    if (admission.overTotal) {
        const auto evicted = evictLocked(nullptr);
        if (!evicted)
            return admission;
        admission.evictions.append(*evicted);
    }
    if (m_maxConnectionsPerAddress > 0 && m_perAddress.value(address) >= m_maxConnectionsPerAddress) {
        const auto evicted = evictLocked(&address);
        if (!evicted)
            return admission;
        admission.evictions.append(*evicted);
    }
    FrontDoor *door = doors.first();
    for (FrontDoor *candidate : doors) {
        if (m_perDoor.value(candidate) < m_perDoor.value(door))
            door = candidate;
    }
    admission.id = m_nextId++;
    admission.door = door;
    // Idle until it says something: a silent connection may make room.
    m_entries.insert(admission.id, Entry{door, address, m_clock.elapsed()});
    m_perAddress[address] += 1;
    m_perDoor[door] += 1;
    return admission;
}

void ConnectionLedger::leave(quint64 id)
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_entries.find(id);
    if (it != m_entries.end())
        removeLocked(it);
}

void ConnectionLedger::setIdle(quint64 id, bool idle)
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_entries.find(id);
    if (it == m_entries.end())
        return;
    if (!idle)
        it->idleSince = -1;
    else if (it->idleSince < 0)
        it->idleSince = m_clock.elapsed();
}

std::optional<ConnectionLedger::Eviction> ConnectionLedger::evictOldestIdle()
{
    QMutexLocker lock(&m_mutex);
    return evictLocked(nullptr);
}

int ConnectionLedger::total() const
{
    QMutexLocker lock(&m_mutex);
    return int(m_entries.size());
}

std::optional<ConnectionLedger::Eviction> ConnectionLedger::evictLocked(const QHostAddress *address)
{
    auto oldest = m_entries.end();
    for (auto it = m_entries.begin(); it != m_entries.end(); ++it) {
        if (it->idleSince < 0 || (address && it->address != *address))
            continue;
        if (oldest == m_entries.end() || it->idleSince < oldest->idleSince ||
            (it->idleSince == oldest->idleSince && it.key() < oldest.key()))
            oldest = it;
    }
    if (oldest == m_entries.end())
        return std::nullopt;
    const Eviction eviction{oldest->door, oldest.key()};
    removeLocked(oldest);
    return eviction;
}

void ConnectionLedger::removeLocked(QHash<quint64, Entry>::iterator it)
{
    if (auto a = m_perAddress.find(it->address); a != m_perAddress.end() && --a.value() <= 0)
        m_perAddress.erase(a);
    if (auto d = m_perDoor.find(it->door); d != m_perDoor.end() && --d.value() <= 0)
        m_perDoor.erase(d);
    m_entries.erase(it);
}

} // namespace Provisio

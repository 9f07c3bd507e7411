// SPDX-License-Identifier: Apache-2.0
#include "clientregistry.h"

#include <algorithm>

namespace Provisio::HubAuth {

const ClientRegistry::Entry *ClientRegistry::find(std::string_view clientId, const void *connection) const
{
    const auto it = m_entries.find(clientId);
    if (it == m_entries.end() || it->second->connection != connection)
        return nullptr;
    return it->second.get();
}

const ClientRegistry::Entry *ClientRegistry::find(std::string_view clientId) const
{
    const auto it = m_entries.find(clientId);
    return it == m_entries.end() ? nullptr : it->second.get();
}

void ClientRegistry::add(std::string_view clientId, const void *connection, Role role, int64_t expiry)
{
    remove(clientId);
    auto entry = std::make_unique<Entry>();
    entry->clientId.assign(clientId);
    entry->connection = connection;
    entry->role = role;
    if (role == Role::Device)
        entry->prefix = devicePrefix(clientId);
    entry->expiry = expiry;
    entry->generation = m_nextGeneration++;
    m_expiries.push(Due{expiry, entry->generation, entry->clientId});
    const std::string_view key = entry->clientId;
    m_entries.emplace(key, std::move(entry));
    // Reconnecting clients leave stale heap items behind until their expiry;
    // rebuild when they dominate so memory follows the live client count.
    if (m_expiries.size() > 2 * m_entries.size() + 1024)
        compactExpiries();
}

void ClientRegistry::removeConnection(std::string_view clientId, const void *connection)
{
    const auto it = m_entries.find(clientId);
    if (it != m_entries.end() && it->second->connection == connection)
        m_entries.erase(it);
}

void ClientRegistry::remove(std::string_view clientId)
{
    const auto it = m_entries.find(clientId);
    if (it != m_entries.end())
        m_entries.erase(it);
}

std::vector<std::string> ClientRegistry::takeExpired(int64_t now, int64_t graceSeconds)
{
    std::vector<std::string> expired;
    // Written as a subtraction so that an expiry near INT64_MAX cannot overflow.
    while (!m_expiries.empty() && m_expiries.top().expiry < now - graceSeconds) {
        const Due due = m_expiries.top();
        m_expiries.pop();
        const auto it = m_entries.find(due.clientId);
        if (it == m_entries.end() || it->second->generation != due.generation)
            continue; // the client reconnected or left since
        expired.push_back(due.clientId);
    }
    return expired;
}

void ClientRegistry::markDisconnected(std::string_view clientId, const void *connection)
{
    const auto it = m_entries.find(clientId);
    if (it != m_entries.end() && it->second->connection == connection)
        m_departed.emplace_back(it->second->clientId, it->second->generation);
}

void ClientRegistry::purgeDisconnected()
{
    for (const auto &[clientId, generation] : m_departed) {
        const auto it = m_entries.find(clientId);
        if (it != m_entries.end() && it->second->generation == generation)
            m_entries.erase(it);
    }
    m_departed.clear();
}

void ClientRegistry::capExpiries(int64_t expiry)
{
    for (auto &[key, entry] : m_entries)
        entry->expiry = std::min(entry->expiry, expiry);
    compactExpiries();
}

void ClientRegistry::compactExpiries()
{
    std::vector<Due> live;
    live.reserve(m_entries.size());
    for (const auto &[key, entry] : m_entries)
        live.push_back(Due{entry->expiry, entry->generation, entry->clientId});
    m_expiries = decltype(m_expiries)(std::greater<Due>(), std::move(live));
}

} // namespace Provisio::HubAuth

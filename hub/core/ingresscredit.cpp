// SPDX-License-Identifier: Apache-2.0
#include "ingresscredit.h"

#include <algorithm>

namespace Provisio::HubAuth {

IngressCredit::IngressCredit(Options options) : m_options(options) { }

bool IngressCredit::mayAdmit(int64_t bytes) const
{
    if (m_messages == 0)
        return true;
    return m_messages < m_options.windowMessages && m_bytes + bytes <= m_options.windowBytes;
}

IngressCredit::Session &IngressCredit::session(std::string_view sessionId)
{
    // Only the service identity's few sessions come here, so a string key
    // per lookup is cheap enough.
    return m_sessions[std::string(sessionId)];
}

void IngressCredit::charge(std::string_view sessionId, int64_t bytes)
{
    Session &s = session(sessionId);
    ++s.messages;
    s.bytes += bytes;
    ++m_messages;
    m_bytes += bytes;
}

void IngressCredit::pay(Session &s, int64_t &messages, int64_t &bytes)
{
    const int64_t m = std::min(messages, s.messages);
    const int64_t b = std::min(bytes, s.bytes);
    s.messages -= m;
    s.bytes -= b;
    m_messages -= m;
    m_bytes -= b;
    messages -= m;
    bytes -= b;
}

void IngressCredit::grant(std::string_view sessionId, int64_t messages, int64_t bytes)
{
    messages = std::max<int64_t>(messages, 0);
    bytes = std::max<int64_t>(bytes, 0);
    if (auto it = m_sessions.find(std::string(sessionId)); it != m_sessions.end())
        pay(it->second, messages, bytes);
    for (auto it = m_sessions.begin(); it != m_sessions.end() && (messages > 0 || bytes > 0); ++it)
        pay(it->second, messages, bytes);
}

void IngressCredit::drop(Session &s)
{
    m_messages -= s.messages;
    m_bytes -= s.bytes;
    s.messages = 0;
    s.bytes = 0;
}

void IngressCredit::sessionConnected(std::string_view sessionId, bool cleanStart)
{
    Session &s = session(sessionId);
    s.connected = true;
    s.absentSince = 0;
    if (cleanStart)
        drop(s); // the broker discarded whatever it held for the old session
}

void IngressCredit::sessionDisconnected(std::string_view sessionId, int64_t now)
{
    Session &s = session(sessionId);
    s.connected = false;
    s.absentSince = now;
}

std::vector<IngressCredit::Forgotten> IngressCredit::forgetAbandoned(int64_t now)
{
    std::vector<Forgotten> forgotten;
    const bool anyConnected =
        std::any_of(m_sessions.begin(), m_sessions.end(), [](const auto &entry) { return entry.second.connected; });
    for (auto it = m_sessions.begin(); it != m_sessions.end();) {
        Session &s = it->second;
        if (!s.connected && now - s.absentSince >= m_options.abandonedSeconds) {
            if (!anyConnected) {
                ++it;
                continue;
            }
            if (s.messages > 0 || s.bytes > 0)
                forgotten.push_back({it->first, s.messages, s.bytes});
            drop(s);
            it = m_sessions.erase(it);
            continue;
        }
        ++it;
    }
    return forgotten;
}

int64_t IngressCredit::outstandingMessages(std::string_view sessionId) const
{
    const auto it = m_sessions.find(std::string(sessionId));
    return it == m_sessions.end() ? 0 : it->second.messages;
}

} // namespace Provisio::HubAuth

// SPDX-License-Identifier: Apache-2.0
#include "ingresscredit.h"

#include <algorithm>

namespace Provisio::HubAuth {

namespace {
// Service sessions are a handful per hub; entries of sessions that are away
// and owe nothing go beyond this many.
constexpr size_t kMaxSessions = 256;
} // namespace

IngressCredit::IngressCredit(Options options) : m_options(options) { }

bool IngressCredit::mayAdmit(int64_t bytes, int64_t now) const
{
    if (awaitingResubscription(now))
        return false;
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

void IngressCredit::charge(std::string_view sessionId, uint64_t delivery, int64_t bytes)
{
    m_admissionOpen = false; // the admitted message reached a middleware session
    Session &s = session(sessionId);
    Held &h = s.held[delivery];
    ++h.count;
    h.bytes += bytes;
    ++s.messages;
    s.bytes += bytes;
    ++m_messages;
    m_bytes += bytes;
}

void IngressCredit::chargeDelivery(std::string_view sessionId, const void *connection, uint64_t delivery, int64_t bytes)
{
    if (isResuming(connection)) {
        m_admissionOpen = false;
        // Charged when the broker queued it for the session, unless it was
        // confirmed since (its PUBACK lost: the broker sends it again) or
        // queued before this plugin started (restored after a restart).
        const int64_t seen = ++m_resumeSeen[delivery];
        const auto it = m_sessions.find(std::string(sessionId));
        const int64_t held = it == m_sessions.end() ? 0 : [&] {
            const auto h = it->second.held.find(delivery);
            return h == it->second.held.end() ? int64_t(0) : h->second.count;
        }();
        if (seen <= held)
            return;
    }
    charge(sessionId, delivery, bytes);
}

void IngressCredit::beginResume(std::string_view sessionId, const void *connection)
{
    m_resuming = connection;
    m_resumingId.assign(sessionId);
    forgetResumeChecks();
}

void IngressCredit::forgetResumeChecks()
{
    // endResume() runs at nearly every event of the broker: an empty map is
    // left alone (clear() would still wipe every bucket a large resume grew),
    // a used one is released with its buckets.
    if (!m_resumeSeen.empty())
        std::unordered_map<uint64_t, int64_t>().swap(m_resumeSeen);
}

void IngressCredit::endResume()
{
    m_resuming = nullptr;
    m_resumingId.clear();
    forgetResumeChecks();
}

void IngressCredit::clientDisconnected(std::string_view clientId)
{
    if (m_resuming && clientId == m_resumingId)
        return; // the session's previous connection, retired by its new CONNECT
    endResume();
}

void IngressCredit::pay(Session &s, int64_t &messages, int64_t &bytes)
{
    // Which charges a count pays is not known: any held ones.
    for (auto it = s.held.begin(); it != s.held.end() && messages > 0;) {
        const int64_t m = std::min(messages, it->second.count);
        const int64_t b = release(s, it, m);
        messages -= m;
        bytes = std::max<int64_t>(bytes - b, 0);
    }
    if (messages == 0 && bytes > 0 && s.messages == 0) {
        // Bytes alone: nothing is held, so nothing to pay.
        bytes = 0;
    }
}

bool IngressCredit::payOne(Session &s, uint64_t delivery)
{
    auto it = s.held.find(delivery);
    if (it == s.held.end())
        return false;
    release(s, it, 1);
    return true;
}

int64_t IngressCredit::release(Session &s, HeldCharges::iterator &it, int64_t m)
{
    Held &h = it->second;
    const int64_t b = m == h.count ? h.bytes : h.bytes / h.count * m;
    h.count -= m;
    h.bytes -= b;
    s.messages -= m;
    s.bytes -= b;
    m_messages -= m;
    m_bytes -= b;
    it = h.count == 0 ? s.held.erase(it) : std::next(it);
    return b;
}

void IngressCredit::confirm(std::string_view sessionId, uint64_t delivery)
{
    const auto own = m_sessions.find(std::string(sessionId));
    if (own != m_sessions.end() && payOne(own->second, delivery))
        return;
    for (auto it = m_sessions.begin(); it != m_sessions.end(); ++it) {
        if (it != own && payOne(it->second, delivery))
            return;
    }
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

void IngressCredit::grantTotals(std::string_view sessionId, std::string_view epoch, int64_t messages, int64_t bytes)
{
    // The epoch names a middleware process, not a session: a process that
    // renews its link opens a second session before it ends the first
    // (make-before-break) and goes on counting over either. What it was paid
    // so far is the most any session recorded for the epoch; a new process
    // (new epoch) counts from zero.
    int64_t paidMessages = 0;
    int64_t paidBytes = 0;
    for (const auto &entry : m_sessions) {
        if (entry.second.epoch == epoch) {
            paidMessages = std::max(paidMessages, entry.second.grantedMessages);
            paidBytes = std::max(paidBytes, entry.second.grantedBytes);
        }
    }
    Session &s = session(sessionId);
    s.epoch.assign(epoch);
    const int64_t newMessages = std::max<int64_t>(messages - paidMessages, 0);
    const int64_t newBytes = std::max<int64_t>(bytes - paidBytes, 0);
    s.grantedMessages = std::max(paidMessages, messages);
    s.grantedBytes = std::max(paidBytes, bytes);
    if (newMessages > 0 || newBytes > 0)
        grant(sessionId, newMessages, newBytes);
}

void IngressCredit::subscribed(std::string_view sessionId, std::string_view filter)
{
    if (filter.substr(0, 7) != "$share/")
        return;
    Session &s = session(sessionId);
    const std::string key(filter);
    m_unrouted.erase(key);
    s.pendingFilters.erase(key);
    if (s.sharedFilters.size() < 64) // a middleware subscribes a handful
        s.sharedFilters.insert(key);
}

void IngressCredit::unsubscribed(std::string_view sessionId, std::string_view filter)
{
    const auto it = m_sessions.find(std::string(sessionId));
    if (it == m_sessions.end())
        return;
    const std::string key(filter);
    it->second.sharedFilters.erase(key);
    it->second.pendingFilters.erase(key);
}

bool IngressCredit::awaitingResubscription(int64_t now) const
{
    for (const auto &[filter, until] : m_unrouted) {
        if (now < until)
            return true;
    }
    for (const auto &entry : m_sessions) {
        const Session &s = entry.second;
        if (s.pendingFilters.empty() || now >= s.resubscribeUntil)
            continue;
        // A filter another connected session holds still reaches a
        // middleware (a survivor draining a dead instance's session, or
        // another instance while this one reconnects).
        for (const std::string &filter : s.pendingFilters) {
            const bool covered = std::any_of(m_sessions.begin(), m_sessions.end(), [&](const auto &other) {
                const Session &o = other.second;
                return &o != &s && o.connected && o.sharedFilters.count(filter) > 0 &&
                       o.pendingFilters.count(filter) == 0;
            });
            if (!covered)
                return true;
        }
    }
    return false;
}

void IngressCredit::drop(Session &s)
{
    m_messages -= s.messages;
    m_bytes -= s.bytes;
    s.messages = 0;
    s.bytes = 0;
    s.held.clear();
}

void IngressCredit::sessionConnected(std::string_view sessionId, bool cleanStart, int64_t now)
{
    Session &s = session(sessionId);
    s.connected = true;
    s.absentSince = 0;
    if (cleanStart) {
        drop(s); // the broker discarded whatever it held for the old session
        s.sharedFilters.clear();
        s.pendingFilters.clear();
        return;
    }
    // The broker keeps the session but not its shared subscriptions.
    s.pendingFilters = s.sharedFilters;
    s.resubscribeUntil = now + m_options.resubscribeSeconds;
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
    for (auto it = m_sessions.begin(); it != m_sessions.end(); ++it) {
        Session &s = it->second;
        if (s.connected)
            continue;
        if (s.absentSince == 0) {
            // Never seen connecting (a session the broker restored from its
            // saved state, charged while absent): away from now on.
            s.absentSince = now;
            continue;
        }
        if (!anyConnected || now - s.absentSince < m_options.abandonedSeconds)
            continue;
        if (s.messages > 0 || s.bytes > 0)
            forgotten.push_back({it->first, s.messages, s.bytes});
        drop(s);
        // The entry stays, with its grant totals (a stalled instance that
        // comes back pays only what is new) and its filters (the broker
        // still routes the session's share to it); what is charged to it
        // from now on is forgotten after another abandoned period.
        s.absentSince = now;
    }
    if (m_sessions.size() > kMaxSessions) {
        // Bounded: only sessions that are away and owe nothing go.
        for (auto it = m_sessions.begin(); it != m_sessions.end() && m_sessions.size() > kMaxSessions;) {
            if (!it->second.connected && it->second.messages == 0 && it->second.bytes == 0)
                it = m_sessions.erase(it);
            else
                ++it;
        }
    }
    return forgotten;
}

void IngressCredit::admitted(std::string_view topic)
{
    m_admissionOpen = true;
    m_admittedTopic.assign(topic);
}

std::string IngressCredit::settleAdmission(int64_t now)
{
    if (!m_admissionOpen)
        return {};
    m_admissionOpen = false;
    for (auto it = m_unrouted.begin(); it != m_unrouted.end();)
        it = now >= it->second ? m_unrouted.erase(it) : std::next(it);
    for (const auto &entry : m_sessions) {
        for (const std::string &filter : entry.second.sharedFilters) {
            if (filterMatches(filter, m_admittedTopic)) {
                m_unrouted[filter] = now + m_options.resubscribeSeconds; // at most one per known filter
                return filter;
            }
        }
    }
    return {}; // a topic no middleware filter covers (a method response nobody waits for)
}

bool filterMatches(std::string_view filter, std::string_view topic)
{
    if (filter.substr(0, 7) == "$share/") {
        const size_t group = filter.find('/', 7);
        if (group == std::string_view::npos)
            return false;
        filter.remove_prefix(group + 1);
    }
    // A topic starting with '$' is not matched by a leading wildcard.
    if (!topic.empty() && topic.front() == '$' && !filter.empty() && (filter.front() == '+' || filter.front() == '#'))
        return false;
    for (;;) {
        const size_t fEnd = filter.find('/');
        const std::string_view fLevel = filter.substr(0, fEnd);
        if (fLevel == "#")
            return true;
        const size_t tEnd = topic.find('/');
        const std::string_view tLevel = topic.substr(0, tEnd);
        if (fLevel != "+" && fLevel != tLevel)
            return false;
        if (fEnd == std::string_view::npos || tEnd == std::string_view::npos) {
            if (fEnd == std::string_view::npos && tEnd == std::string_view::npos)
                return true;
            // "a/#" also matches "a".
            return tEnd == std::string_view::npos && filter.substr(fEnd + 1) == "#";
        }
        filter.remove_prefix(fEnd + 1);
        topic.remove_prefix(tEnd + 1);
    }
}

int64_t IngressCredit::outstandingMessages(std::string_view sessionId) const
{
    const auto it = m_sessions.find(std::string(sessionId));
    return it == m_sessions.end() ? 0 : it->second.messages;
}

} // namespace Provisio::HubAuth

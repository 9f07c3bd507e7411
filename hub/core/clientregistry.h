// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "topicrules.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

// The plugin's memory of who is connected: per client id, the role, the
// topic prefix and the token's expiry. Authentication stays stateless (the
// token proves everything at CONNECT); this table only lets the ACL checks
// that follow find the client in O(1) - a hash of the client id, no scan -
// and lets the tick disconnect clients whose token ran out.
//
// `connection` is the broker's opaque client pointer. A second CONNECT with
// the same client id replaces the entry before the broker drops the old
// connection, so removal and ACL lookups compare it: the old connection's
// disconnect must not erase the new one's entry.
namespace Provisio::HubAuth {

class ClientRegistry
{
public:
    struct Entry
    {
        std::string clientId;
        const void *connection = nullptr;
        Role role = Role::Device;
        std::string prefix; // "devices/{id}/" for devices, empty for the service
        int64_t expiry = 0;
        uint64_t generation = 0;
    };

    // The entry for `clientId` when it belongs to `connection`, else null.
    const Entry *find(std::string_view clientId, const void *connection) const;
    const Entry *find(std::string_view clientId) const;

    void add(std::string_view clientId, const void *connection, Role role, int64_t expiry);
    // Removes the entry only if it still belongs to `connection`.
    void removeConnection(std::string_view clientId, const void *connection);
    void remove(std::string_view clientId);

    // The broker reports a disconnect before it publishes the client's Will,
    // and asks for the Will's write access after that: so the entry stays
    // until purgeDisconnected() (called from the next tick) - unless the
    // client id has connected again in between.
    void markDisconnected(std::string_view clientId, const void *connection);
    void purgeDisconnected();

    // The ids of every client whose expiry + graceSeconds lies before `now`,
    // each reported once. Entries stay (so their Will may still go out while
    // the broker disconnects them); the caller disconnects and then
    // remove()s them. Cheap when nothing is due: one look at a min-heap.
    std::vector<std::string> takeExpired(int64_t now, int64_t graceSeconds);

    // Lowers every entry's expiry to at most `expiry` (a signing-key
    // rotation: whoever is connected used a key that is retired then).
    void capExpiries(int64_t expiry);

    size_t size() const { return m_entries.size(); }
    size_t pendingExpiries() const { return m_expiries.size(); }

private:
    struct Due
    {
        int64_t expiry;
        uint64_t generation;
        std::string clientId;
        bool operator>(const Due &other) const { return expiry > other.expiry; }
    };
    void compactExpiries();

    // Keys view into the entry's own clientId, which the unique_ptr keeps in place.
    std::unordered_map<std::string_view, std::unique_ptr<Entry>> m_entries;
    std::priority_queue<Due, std::vector<Due>, std::greater<Due>> m_expiries;
    std::vector<std::pair<std::string, uint64_t>> m_departed; // client id, generation
    uint64_t m_nextGeneration = 1;
};

} // namespace Provisio::HubAuth

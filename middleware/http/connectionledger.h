// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QMutex>

#include <optional>

namespace Provisio {

class FrontDoor;

// The connection caps of the front door, kept once for every thread that
// serves HTTP: how many connections are open in total and per client
// address, which front door (thread) holds each, and since when each has been
// idle (eviction picks the oldest idle one, wherever it is). Every call is
// thread-safe; a front door reports its connections' comings, goings and
// idle changes, the listening one asks for admission.
class ConnectionLedger
{
public:
    ConnectionLedger(int maxConnections, int maxConnectionsPerAddress);

    // A connection the ledger chose to close to make room: its front door
    // must close it (it no longer counts from this moment on).
    struct Eviction
    {
        FrontDoor *door = nullptr;
        quint64 id = 0;
    };
    struct Admission
    {
        quint64 id = 0;            // 0: refused
        FrontDoor *door = nullptr; // where the connection goes
        bool overTotal = false;    // why it was refused, or why something was evicted
        QList<Eviction> evictions;
    };

    // Admits a new connection from `address` to the one of `doors` holding
    // the fewest connections; over a cap it evicts the oldest idle connection
    // (of that address for the per-address cap) or refuses.
    Admission admit(const QHostAddress &address, const QList<FrontDoor *> &doors);
    // The connection is gone (closed, or no longer HTTP); unknown ids are ignored.
    void leave(quint64 id);
    // Idle: between requests with nothing left to write, or before TLS.
    void setIdle(quint64 id, bool idle);
    // Frees the oldest idle connection anywhere (out of descriptors).
    std::optional<Eviction> evictOldestIdle();

    int total() const;

private:
    struct Entry
    {
        FrontDoor *door;
        QHostAddress address;
        qint64 idleSince; // -1: busy
    };
    std::optional<Eviction> evictLocked(const QHostAddress *address);
    void removeLocked(QHash<quint64, Entry>::iterator it);

    const int m_maxConnections;
    const int m_maxConnectionsPerAddress;
    mutable QMutex m_mutex;
    QElapsedTimer m_clock;
    quint64 m_nextId = 1;
    QHash<quint64, Entry> m_entries;
    QHash<QHostAddress, int> m_perAddress;
    QHash<FrontDoor *, int> m_perDoor;
};

} // namespace Provisio

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace Provisio {

class Database;

// Threads with a read connection each to the service's database that run
// queued jobs: how the registrations' authentication (the enrollment read,
// the SAS check) runs on another core while the event loop takes the next
// requests apart (docs/architecture.md, "Threads"). Each job's `then` runs
// afterwards on the owner's thread, in the order the jobs came; they are
// handed over in batches, so a burst of jobs costs the owner's event loop
// one wake-up, not one each. A job must only read: the connections are
// never in a write transaction.
//
// On SQLite one thread runs the jobs in order, those queued together in one
// read transaction (a read costs it CPU, not a wait). On PostgreSQL each of
// a job's statements is a round trip to the server, which one thread would
// wait out one after the other: kPostgresThreads threads each take the next
// job, so that many checks are in flight at once.
class DatabaseReader
{
public:
    // A reader for `db`'s database, or null when there can be no second
    // connection to it (an in-memory SQLite database). `context` is the
    // owner, whose thread runs every `then`; it must outlive the reader.
    static std::unique_ptr<DatabaseReader> create(const Database &db, QObject *context);
    // Lets the job running finish, drops the others (their `then` never
    // runs), then closes the connection.
    ~DatabaseReader();
    DatabaseReader(const DatabaseReader &) = delete;
    DatabaseReader &operator=(const DatabaseReader &) = delete;

    // `db` is the reader's connection, or null when it could not be opened
    // (tried again for the next job).
    using Job = std::function<void(Database *db)>;
    // Queues `job`; `then` runs on the owner's thread once it ran, after the
    // `then` of every job queued before it.
    void post(Job job, std::function<void()> then);
    // Jobs queued whose `then` has not run yet.
    int pending() const { return m_pending; }
    // Blocks until every queued job ran, then runs their `then`, and so on
    // for the jobs those queue (unless it is called from inside a `then`:
    // those run when that one returns).
    void settle();

    static constexpr int kPostgresThreads = 4;
    // The reader's threads (1 on SQLite).
    int threads() const { return int(m_threads.size()); }

private:
    // Jobs run in one read snapshot at most (SQLite): bounds how long a
    // snapshot is held, which keeps a checkpoint from restarting the WAL.
    static constexpr int kMaxShared = 64;
    DatabaseReader(const Database &main, QObject *context, int threads);
    void run();
    // Runs the `then` of the jobs that ran, in order.
    void deliver();

    struct Queued
    {
        Job job;
        std::function<void()> then;
        bool ran = false;
    };

    const Database &m_main; // only its openAnother(), which any thread may call
    QObject *m_context;
    const int m_maxBatch;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<Queued> m_queued;               // in order, from the first whose `then` is not handed over
    size_t m_taken = 0;                        // of m_queued, taken by a thread
    size_t m_handedOver = 0;                   // jobs whose `then` left m_queued
    std::deque<std::function<void()>> m_ready; // of the jobs that ran, in order
    int m_running = 0;                         // threads that took jobs and have not finished them
    bool m_deliveryPosted = false;
    bool m_stop = false;
    // Owner's thread only.
    int m_pending = 0;
    bool m_delivering = false;
    std::vector<std::thread> m_threads;
};

} // namespace Provisio

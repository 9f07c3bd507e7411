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

// A thread with a read connection of its own to the service's database that
// runs queued jobs one after the other, in the order they came: how the
// registrations' authentication (the enrollment read, the SAS check) runs on
// another core while the event loop takes the next requests apart
// (docs/architecture.md, "Threads"). Each job's `then` runs afterwards on
// the owner's thread, in the same order; they are handed over in batches, so
// a burst of jobs costs the owner's event loop one wake-up, not one each.
// A job must only read: the connection is never in a write transaction
// (on SQLite, the jobs of a batch share a read transaction).
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

private:
    // Jobs run in one read snapshot at most (SQLite): bounds how long a
    // snapshot is held, which keeps a checkpoint from restarting the WAL.
    static constexpr int kMaxShared = 64;
    DatabaseReader(const Database &main, QObject *context);
    void run();
    // Runs the `then` of the jobs that ran, in order.
    void deliver();

    const Database &m_main; // only its openAnother(), which any thread may call
    QObject *m_context;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<Job> m_jobs;                    // queued, not yet taken by the thread
    std::deque<std::function<void()>> m_thens; // of the jobs queued, in order
    std::deque<std::function<void()>> m_ready; // of the jobs that ran, in order
    bool m_running = false;                    // the thread has taken a job and not finished it
    bool m_deliveryPosted = false;
    bool m_stop = false;
    // Owner's thread only.
    int m_pending = 0;
    bool m_delivering = false;
    std::thread m_thread;
};

} // namespace Provisio

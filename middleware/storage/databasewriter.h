// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace Provisio {

class Database;

// A thread with a connection of its own to the service's database, that runs
// one job at a time: how the registrations' group commit writes on another
// core while the event loop takes the next requests apart
// (docs/architecture.md, "Threads"). Each Database connection stays on the
// thread that opened it; nothing is shared but the job, which its owner
// hands over whole and reads again only after the job has run.
class DatabaseWriter
{
public:
    // A writer for `db`'s database, or null when there can be no second
    // connection to it (an in-memory SQLite database). `pageCacheKiB`: its
    // connection's SQLite page cache (Database::openAnother).
    static std::unique_ptr<DatabaseWriter> create(const Database &db, int pageCacheKiB = kDefaultPageCacheKiB);
    // Its writes touch a few pages of the registrations and operations
    // tables and their indexes per assignment: an 8 MiB page cache rather
    // than the main connection's 32 MiB keeps the process within its
    // memory target at 100,000 devices (docs/benchmarks.md).
    static constexpr int kDefaultPageCacheKiB = 8192;
    // Lets the job in flight finish, then closes the connection.
    ~DatabaseWriter();
    DatabaseWriter(const DatabaseWriter &) = delete;
    DatabaseWriter &operator=(const DatabaseWriter &) = delete;

    // `db` is the writer's connection, or null when it could not be opened
    // (tried again for the next job): the job then stores nothing.
    using Job = std::function<void(Database *db)>;
    // Runs `job` on the writer's thread, then `done` on `context`'s thread
    // (`context` must outlive this writer). One job at a time: call it only
    // once the job started last has run (its `done` came, or wait()).
    void start(Job job, QObject *context, std::function<void()> done);
    // Blocks until the job started last has run (its `done` still comes
    // later, through the context's event loop).
    void wait();

private:
    DatabaseWriter(const Database &main, int pageCacheKiB);
    void run();

    const Database &m_main; // only its openAnother(), which any thread may call
    const int m_pageCacheKiB;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    Job m_job;
    QObject *m_context = nullptr;
    std::function<void()> m_done;
    bool m_busy = false;
    bool m_stop = false;
    std::thread m_thread;
};

} // namespace Provisio

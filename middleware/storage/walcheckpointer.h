// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

namespace Provisio {

// Checkpoints an SQLite database's write-ahead log on a thread of its own,
// instead of in the commit that crossed SQLite's threshold. By default the
// connection whose commit leaves 1,000 pages in the WAL copies them into the
// database file and syncs it before that commit returns: on the
// registrations' group commit that stalled every device waiting for the
// group (two fsyncs and the copy, every ~250 registrations). Every
// connection of the process to a file shares one checkpointer
// (forFile()); watch() replaces SQLite's automatic checkpoint on a
// connection by a request to it. Its PASSIVE checkpoints never wait for a
// writer or reader; one that finds the log grown while it copied goes on
// (a few rounds), so the next write can start the log over. Should they
// still fall behind (a writer that never pauses, a long read: the WAL past
// kInlinePages), the committing connection waits for them and copies the
// whole log itself, as SQLite would, four times less often.
class WalCheckpointer
{
public:
    // Twice SQLite's own threshold (its default wal_autocheckpoint, 1,000
    // pages): a checkpoint copies each page of the log once, however often
    // the log rewrote it, so a longer log copies the group commit's hot
    // pages (the indexes' right edges, the tables' last leaves) fewer
    // times. At 1,000 pages the checkpointer's thread took 12 us of CPU per
    // registration, at 2,000 5 to 7 (docs/benchmarks.md).
    static constexpr int kPages = 2000;
    // 16 MiB of 4 KiB pages: what tst_database's writer that never pauses
    // may leave in the log.
    static constexpr int kInlinePages = 4000;

    // The checkpointer of the database file at `path` (absolute), started
    // by the first connection that asks and stopped once the last of them
    // let it go.
    static std::shared_ptr<WalCheckpointer> forFile(const QString &path);
    ~WalCheckpointer();
    WalCheckpointer(const WalCheckpointer &) = delete;
    WalCheckpointer &operator=(const WalCheckpointer &) = delete;

    // `connection` (a sqlite3 *) hands its checkpoints to this one; it must
    // be closed before this checkpointer goes.
    void watch(void *connection);
    // Checkpoints done so far (for tests and the log).
    int checkpoints() const;

private:
    explicit WalCheckpointer(const QString &path);
    static int onCommit(void *self, void *connection, const char *schema, int pages);
    void request();
    void run();

    const QString m_path;
    mutable std::mutex m_mutex;
    // Held through a round of checkpoints, by the thread or by a committing
    // connection past kInlinePages (SQLite refuses a second checkpointer
    // at once rather than waiting for it).
    std::mutex m_checkpointing;
    std::condition_variable m_changed;
    bool m_requested = false;
    bool m_stop = false;
    int m_checkpoints = 0;
    std::thread m_thread;
};

} // namespace Provisio

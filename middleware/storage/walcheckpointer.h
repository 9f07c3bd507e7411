// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

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
    // 64 MiB: the same for a connection that commits large transactions
    // back to back (the CSV import's writer, some 2,000 pages a commit).
    // The thread's round takes longer than the pause between two of them,
    // so at kInlinePages a third of that writer's commits copied the log
    // themselves (some 30 ms each); at this threshold the thread has
    // copied all but the last transaction or two by then, and such a
    // commit comes a third as often (21 of 200 in a million-device import,
    // against 70).
    static constexpr int kBulkInlinePages = 16000;

    // The checkpointer of the database file at `path` (absolute), started
    // by the first connection that asks and stopped once the last of them
    // let it go.
    static std::shared_ptr<WalCheckpointer> forFile(const QString &path);
    ~WalCheckpointer();
    WalCheckpointer(const WalCheckpointer &) = delete;
    WalCheckpointer &operator=(const WalCheckpointer &) = delete;

    // `connection` (a sqlite3 *) hands its checkpoints to this one, and
    // copies the log itself past `inlinePages`; it must be closed before
    // this checkpointer goes. Watching a connection again changes its
    // threshold.
    void watch(void *connection, int inlinePages = kInlinePages);
    // Checkpoints done so far (for tests and the log).
    int checkpoints() const;
    // Past how many pages `connection`'s commits copy the log themselves (0
    // for a connection not watched).
    int inlinePagesOf(void *connection) const;

private:
    struct Watch
    {
        WalCheckpointer *checkpointer;
        int inlinePages;
    };
    explicit WalCheckpointer(const QString &path);
    static int onCommit(void *watch, void *connection, const char *schema, int pages);
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
    // Each watched connection's hook context, kept until this goes (a
    // connection opened later at the same address reuses its entry).
    std::unordered_map<void *, std::unique_ptr<Watch>> m_watches;
    std::thread m_thread;
};

} // namespace Provisio

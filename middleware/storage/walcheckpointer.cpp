// SPDX-License-Identifier: Apache-2.0
#include "walcheckpointer.h"

#include <QHash>
#include <QLoggingCategory>

#include <sqlite3.h>

Q_DECLARE_LOGGING_CATEGORY(lcDb)

namespace Provisio {

namespace {
std::mutex registryMutex;
QHash<QString, std::weak_ptr<WalCheckpointer>> &registry()
{
    static QHash<QString, std::weak_ptr<WalCheckpointer>> checkpointers;
    return checkpointers;
}
} // namespace

std::shared_ptr<WalCheckpointer> WalCheckpointer::forFile(const QString &path)
{
    std::lock_guard<std::mutex> lock(registryMutex);
    if (auto existing = registry().value(path).lock())
        return existing;
    std::shared_ptr<WalCheckpointer> created(new WalCheckpointer(path));
    registry().insert(path, created);
    return created;
}

WalCheckpointer::WalCheckpointer(const QString &path) : m_path(path)
{
    m_thread = std::thread([this] { run(); });
}

WalCheckpointer::~WalCheckpointer()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_changed.notify_all();
    m_thread.join();
    std::lock_guard<std::mutex> lock(registryMutex);
    // A checkpointer for the same file may have been made since this one's
    // last owner let go; that one stays.
    auto it = registry().find(m_path);
    if (it != registry().end() && it.value().expired())
        registry().erase(it);
}

void WalCheckpointer::watch(void *connection, int inlinePages)
{
    Watch *watch = nullptr;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        std::unique_ptr<Watch> &entry = m_watches[connection];
        if (!entry)
            entry = std::make_unique<Watch>();
        entry->checkpointer = this;
        entry->inlinePages = inlinePages;
        watch = entry.get();
    }
    sqlite3_wal_hook(
        static_cast<sqlite3 *>(connection),
        [](void *w, sqlite3 *db, const char *schema, int pages) { return onCommit(w, db, schema, pages); }, watch);
}

int WalCheckpointer::checkpoints() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_checkpoints;
}

int WalCheckpointer::inlinePagesOf(void *connection) const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    const auto it = m_watches.find(connection);
    return it == m_watches.end() ? 0 : it->second->inlinePages;
}

int WalCheckpointer::onCommit(void *watch, void *connection, const char *schema, int pages)
{
    const auto *w = static_cast<const Watch *>(watch);
    WalCheckpointer *self = w->checkpointer;
    if (pages >= w->inlinePages) {
        // The thread falls behind (a writer that never pauses, a long
        // read): the committing connection waits for the thread's round,
        // copies the whole log itself and waits for the readers to leave
        // the log, so that its next write starts the log over.
        std::lock_guard<std::mutex> round(self->m_checkpointing);
        sqlite3_wal_checkpoint_v2(static_cast<sqlite3 *>(connection), schema, SQLITE_CHECKPOINT_RESTART, nullptr,
                                  nullptr);
    } else if (pages >= kPages) {
        self->request();
    }
    return SQLITE_OK;
}

void WalCheckpointer::request()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_requested)
            return;
        m_requested = true;
    }
    m_changed.notify_all();
}

void WalCheckpointer::run()
{
    // A connection of its own, opened with the first request: only its
    // checkpoints run on it.
    sqlite3 *db = nullptr;
    for (;;) {
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_changed.wait(lock, [this] { return m_stop || m_requested; });
            if (m_stop)
                break;
            m_requested = false;
        }
        if (!db) {
            const QByteArray path = m_path.toUtf8();
            if (sqlite3_open_v2(path.constData(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) !=
                SQLITE_OK) {
                qCWarning(lcDb).noquote() << "the WAL checkpointer cannot open the database:"
                                          << (db ? QString::fromUtf8(sqlite3_errmsg(db)) : QString());
                sqlite3_close(db);
                db = nullptr;
                continue; // the next commit past the threshold asks again
            }
            sqlite3_busy_timeout(db, 5000);
            // Its own commits (none) must not checkpoint inline either.
            sqlite3_wal_autocheckpoint(db, 0);
            // A new connection learns that the file is in WAL mode (and
            // opens the log) with its first read.
            sqlite3_exec(db, "PRAGMA schema_version", nullptr, nullptr, nullptr);
        }
        std::lock_guard<std::mutex> round(m_checkpointing);
        int logPages = 0;
        int done = 0;
        int rc = SQLITE_OK;
        // Until the whole log is in the file (a write then starts it over)
        // or a round copies nothing new.
        for (int round = 0, before = -1; round < 4; ++round) {
            rc = sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_PASSIVE, &logPages, &done);
            if (rc != SQLITE_OK || done >= logPages || done <= before)
                break;
            before = done;
        }
        if (rc != SQLITE_OK && rc != SQLITE_BUSY)
            qCWarning(lcDb).noquote() << "WAL checkpoint failed:" << QString::fromUtf8(sqlite3_errmsg(db));
        else if (logPages < 0)
            qCWarning(lcDb).noquote() << "WAL checkpoint found no log: the database is not in WAL mode";
        std::lock_guard<std::mutex> lock(m_mutex);
        ++m_checkpoints;
    }
    sqlite3_close(db);
}

} // namespace Provisio

// SPDX-License-Identifier: Apache-2.0
#include "databasereader.h"
#include "database.h"

#include <QLoggingCategory>
#include <QMetaObject>

Q_DECLARE_LOGGING_CATEGORY(lcDb)

namespace Provisio {

std::unique_ptr<DatabaseReader> DatabaseReader::create(const Database &db, QObject *context)
{
    if (!db.canOpenAnother())
        return nullptr;
    const int threads = db.dialect() == Database::Dialect::Postgres ? kPostgresThreads : 1;
    return std::unique_ptr<DatabaseReader>(new DatabaseReader(db, context, threads));
}

DatabaseReader::DatabaseReader(const Database &main, QObject *context, int threads)
    : m_main(main), m_context(context), m_maxBatch(threads > 1 ? 1 : kMaxShared)
{
    for (int i = 0; i < threads; ++i)
        m_threads.emplace_back([this] { run(); });
}

DatabaseReader::~DatabaseReader()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_changed.notify_all();
    for (std::thread &t : m_threads)
        t.join();
}

void DatabaseReader::post(Job job, std::function<void()> then)
{
    ++m_pending;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_queued.push_back({std::move(job), std::move(then), false});
    }
    m_changed.notify_all();
}

void DatabaseReader::settle()
{
    // Inside a `then` the later ones cannot run yet (deliver()): nothing to
    // wait for.
    if (m_delivering)
        return;
    // A `then` may queue a job of its own (a request that waited for the
    // checks before it): that one is waited for too.
    while (m_pending > 0) {
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_changed.wait(lock, [this] { return m_taken == m_queued.size() && m_running == 0; });
        }
        deliver();
    }
}

void DatabaseReader::deliver()
{
    // A `then` that settles (a registration that commits its group first)
    // must not run the `then` of a later job before it has returned.
    if (m_delivering)
        return;
    m_delivering = true;
    for (;;) {
        std::function<void()> then;
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_deliveryPosted = false;
            if (m_ready.empty())
                break;
            then = std::move(m_ready.front());
            m_ready.pop_front();
        }
        --m_pending;
        then();
    }
    m_delivering = false;
}

void DatabaseReader::run()
{
    // Opened, used and closed on this thread only, as Qt SQL requires.
    std::unique_ptr<Database> db;
    std::vector<std::pair<size_t, Job>> batch; // (job's number since the start, job)
    for (;;) {
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_changed.wait(lock, [this] { return m_stop || m_taken < m_queued.size(); });
            if (m_stop)
                break;
            // Every job queued by now, up to a bound: they share one read
            // snapshot, taken after all of them were queued.
            while (m_taken < m_queued.size() && int(batch.size()) < m_maxBatch) {
                batch.emplace_back(m_handedOver + m_taken, std::move(m_queued[m_taken].job));
                ++m_taken;
            }
            ++m_running;
        }
        if (!db) {
            // Point reads by key: SQLite's default 2 MB page cache is plenty,
            // and the event loop's connection already keeps a large one in
            // this process.
            auto opened = m_main.openAnother(2048);
            if (opened) {
                db = std::move(*opened);
            } else {
                qCWarning(lcDb).noquote() << "the reader's connection could not be opened:" << opened.error().message;
            }
        }
        // On SQLite the batch's statements read in one transaction: one lock
        // of the WAL and one look at its index for all of them rather than
        // for each statement. A job queued meanwhile waits for the next
        // batch, whose snapshot then holds everything committed before it
        // was queued.
        const bool shared = db && batch.size() > 1 && db->beginReadSnapshot();
        for (auto &[position, job] : batch) {
            job(db.get());
            // Gone before the owner hears of it: what the job holds (its
            // owner's data) is then released on this thread while the owner
            // cannot touch it.
            job = nullptr;
            bool post = false;
            {
                std::lock_guard<std::mutex> lock(m_mutex);
                m_queued[position - m_handedOver].ran = true;
                bool handed = false;
                while (!m_queued.empty() && m_queued.front().ran) {
                    m_ready.push_back(std::move(m_queued.front().then));
                    m_queued.pop_front();
                    --m_taken;
                    ++m_handedOver;
                    handed = true;
                }
                post = handed && !m_deliveryPosted;
                m_deliveryPosted = m_deliveryPosted || handed;
            }
            if (post)
                QMetaObject::invokeMethod(
                    m_context, [this] { deliver(); }, Qt::QueuedConnection);
        }
        if (shared)
            db->endReadSnapshot();
        batch.clear();
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            --m_running;
        }
        m_changed.notify_all();
    }
}

} // namespace Provisio

// SPDX-License-Identifier: Apache-2.0
#include "databasewriter.h"
#include "database.h"

#include <QLoggingCategory>
#include <QMetaObject>

Q_DECLARE_LOGGING_CATEGORY(lcDb)

namespace Provisio {

std::unique_ptr<DatabaseWriter> DatabaseWriter::create(const Database &db, int pageCacheKiB)
{
    if (!db.canOpenAnother())
        return nullptr;
    return std::unique_ptr<DatabaseWriter>(new DatabaseWriter(db, pageCacheKiB));
}

DatabaseWriter::DatabaseWriter(const Database &main, int pageCacheKiB) : m_main(main), m_pageCacheKiB(pageCacheKiB)
{
    m_thread = std::thread([this] { run(); });
}

DatabaseWriter::~DatabaseWriter()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_changed.notify_all();
    m_thread.join();
}

void DatabaseWriter::start(Job job, QObject *context, std::function<void()> done)
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        Q_ASSERT(!m_busy);
        m_job = std::move(job);
        m_context = context;
        m_done = std::move(done);
        m_busy = true;
    }
    m_changed.notify_all();
}

void DatabaseWriter::wait()
{
    std::unique_lock<std::mutex> lock(m_mutex);
    m_changed.wait(lock, [this] { return !m_busy; });
}

void DatabaseWriter::run()
{
    // Opened, used and closed on this thread only, as Qt SQL requires.
    std::unique_ptr<Database> db;
    for (;;) {
        Job job;
        QObject *context = nullptr;
        std::function<void()> done;
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_changed.wait(lock, [this] { return m_stop || m_busy; });
            if (!m_busy)
                break;
            job = std::move(m_job);
            context = m_context;
            done = std::move(m_done);
        }
        if (!db) {
            auto opened = m_main.openAnother(m_pageCacheKiB);
            if (opened) {
                db = std::move(*opened);
            } else {
                qCWarning(lcDb).noquote() << "the writer's connection could not be opened:" << opened.error().message;
            }
        }
        job(db.get());
        // Gone before the owner hears of it: what the job holds (its owner's
        // data) is then released on the owner's thread, never on this one.
        job = nullptr;
        // Posted before the waiter wakes, so that a `done` the waiter did
        // not take itself comes after everything it did.
        if (done)
            QMetaObject::invokeMethod(context, std::move(done), Qt::QueuedConnection);
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_busy = false;
        }
        m_changed.notify_all();
    }
}

} // namespace Provisio

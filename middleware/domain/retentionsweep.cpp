// SPDX-License-Identifier: Apache-2.0
#include "retentionsweep.h"

#include <QLoggingCategory>

namespace Provisio {

namespace {
Q_LOGGING_CATEGORY(lcRetention, "provisio.middleware.retention")
}

RetentionSweep::RetentionSweep(const QString &what, Options options, QObject *parent)
    : QObject(parent), m_what(what), m_options(options)
{
    m_rest.setSingleShot(true);
    connect(&m_rest, &QTimer::timeout, this, &RetentionSweep::runRound);
}

void RetentionSweep::start(Round round)
{
    if (m_round)
        return;
    m_round = std::move(round);
    m_deleted = 0;
    m_rounds = 0;
    m_clock.start();
    // From the event loop, so a sweep started by a timer never runs inside
    // the caller's transaction.
    m_rest.start(0);
}

void RetentionSweep::runRound()
{
    QElapsedTimer clock;
    clock.start();
    auto deleted = m_round(m_options.batchRows);
    const qint64 elapsed = clock.elapsed();
    if (!deleted) {
        m_round = {};
        qCWarning(lcRetention).noquote() << m_what << "retention failed:" << deleted.error().message;
        Q_EMIT failed(deleted.error().message);
        return;
    }
    m_deleted += *deleted;
    ++m_rounds;
    qCDebug(lcRetention).noquote() << m_what << "retention round" << m_rounds << "deleted" << *deleted << "rows in"
                                   << elapsed << "ms";
    Q_EMIT roundDone(*deleted, elapsed);
    if (*deleted < m_options.batchRows) {
        m_round = {};
        if (m_deleted > 0)
            qCInfo(lcRetention).noquote() << m_what << "retention deleted" << m_deleted << "rows in" << m_rounds
                                          << "rounds," << m_clock.elapsed() << "ms";
        Q_EMIT finished(m_deleted, m_rounds);
        return;
    }
    m_rest.start(int(qMax<qint64>(m_options.pauseMs, elapsed)));
}

} // namespace Provisio

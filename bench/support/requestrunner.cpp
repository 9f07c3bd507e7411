// SPDX-License-Identifier: Apache-2.0
#include "requestrunner.h"
#include "tlsloadrunner.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>

#include <algorithm>
#include <memory>

namespace Provisio::Bench {

namespace {
// A connection that fails this many times in a row is given up on; the run
// continues on the others.
constexpr int kMaxFailuresInARow = 3;
constexpr int kConnectTimeoutMs = 60000;
} // namespace

RequestRunner::RequestRunner(const Endpoint &endpoint, int concurrency)
    : m_endpoint(endpoint), m_concurrency(std::max(1, concurrency))
{ }

RequestRunner::Result RequestRunner::run(const std::vector<QByteArray> &requests)
{
    Result r;
    const qsizetype total = qsizetype(requests.size());
    r.latencyNs.assign(size_t(total), -1);
    r.status.assign(size_t(total), 0);
    if (m_keepBodies)
        r.bodies.resize(size_t(total));
    if (total == 0)
        return r;
    if (m_engine == Engine::OpenSslEpoll) {
        runOnEpoll(m_endpoint, m_concurrency, m_keepBodies, m_beforeFirst, requests, &r);
        return r;
    }

    struct Slot
    {
        std::unique_ptr<RawHttpsConnection> connection;
        qsizetype inFlight = -1;
        qint64 sentAt = 0;
        int failuresInARow = 0;
    };
    const int count = int(std::min<qsizetype>(m_concurrency, total));
    std::vector<Slot> slots(static_cast<size_t>(count));

    QEventLoop loop;
    QElapsedTimer clock;
    clock.start();
    bool running = false;
    int connected = 0;
    int alive = count;
    qsizetype next = 0;
    qsizetype done = 0;
    qint64 startNs = 0;
    qint64 endNs = 0;

    auto finishOne = [&] {
        if (++done == total) {
            endNs = clock.nsecsElapsed();
            loop.quit();
        }
    };
    auto pump = [&](Slot &s) {
        if (next >= total)
            return;
        s.inFlight = next++;
        s.sentAt = clock.nsecsElapsed();
        s.connection->send(requests[size_t(s.inFlight)]);
    };
    auto abort = [&](const QString &reason) {
        if (r.abortReason.isEmpty())
            r.abortReason = reason;
        endNs = clock.nsecsElapsed();
        loop.quit();
    };

    for (int i = 0; i < count; ++i) {
        Slot &slot = slots[size_t(i)];
        slot.connection = std::make_unique<RawHttpsConnection>(m_endpoint);
        slot.connection->onConnected([&, i] {
            Slot &s = slots[size_t(i)];
            if (running) {
                pump(s); // reconnected after a failure
                return;
            }
            if (++connected == count) {
                running = true;
                if (m_beforeFirst)
                    m_beforeFirst();
                r.connectNs = clock.nsecsElapsed();
                startNs = r.connectNs;
                for (Slot &each : slots)
                    pump(each);
            }
        });
        slot.connection->onResponse([&, i](int status, QByteArray body) {
            const qint64 now = clock.nsecsElapsed();
            Slot &s = slots[size_t(i)];
            const qsizetype index = s.inFlight;
            s.inFlight = -1;
            s.failuresInARow = 0;
            if (index < 0)
                return;
            r.latencyNs[size_t(index)] = now - s.sentAt;
            r.status[size_t(index)] = status;
            if (m_keepBodies)
                r.bodies[size_t(index)] = std::move(body);
            pump(s); // the next request leaves before any bookkeeping
            finishOne();
        });
        slot.connection->onError([&, i](const QString &reason) {
            Slot &s = slots[size_t(i)];
            r.transportErrors[reason] += 1;
            if (!running) {
                abort(QStringLiteral("cannot open connection %1 of %2: %3").arg(i + 1).arg(count).arg(reason));
                return;
            }
            if (s.inFlight >= 0) {
                s.inFlight = -1; // status stays 0: a transport failure
                finishOne();
            }
            if (++s.failuresInARow >= kMaxFailuresInARow) {
                if (--alive == 0)
                    abort(QStringLiteral("every connection failed repeatedly; last error: %1").arg(reason));
                return;
            }
            if (next < total)
                s.connection->connectToServer();
        });
    }

    QTimer progress;
    if (m_progress) {
        progress.setInterval(1000);
        QObject::connect(&progress, &QTimer::timeout, &loop, [&] {
            if (running)
                m_progress(done, total);
        });
        progress.start();
    }
    QTimer::singleShot(kConnectTimeoutMs, &loop, [&] {
        if (!running)
            abort(QStringLiteral("only %1 of %2 connections opened within %3 s")
                      .arg(connected)
                      .arg(count)
                      .arg(kConnectTimeoutMs / 1000));
    });

    for (Slot &s : slots)
        s.connection->connectToServer();
    loop.exec();
    progress.stop();

    if (!running)
        r.connectNs = clock.nsecsElapsed();
    r.wallNs = running ? endNs - startNs : 0;
    for (Slot &s : slots)
        s.connection->disconnectFromServer();
    return r;
}

} // namespace Provisio::Bench

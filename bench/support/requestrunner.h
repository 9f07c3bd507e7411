// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "rawhttpsconnection.h"

#include <QByteArray>
#include <QMap>
#include <QString>

#include <functional>
#include <vector>

namespace Provisio::Bench {

// Sends a list of pre-built requests over `concurrency` keep-alive
// connections, each connection taking the next unsent request as soon as its
// previous answer is in (a closed loop: C clients, each waiting for its
// answer, as devices do). Connections are opened and their TLS handshakes
// finished before the clock starts, so the wall time measures requests only.
// Everything runs on the calling thread's event loop.
class RequestRunner
{
public:
    struct Result
    {
        qint64 connectNs = 0;               // opening all connections (not in wallNs)
        qint64 wallNs = 0;                  // first send to last answer
        std::vector<qint64> latencyNs;      // per request: send to complete answer
        std::vector<int> status;            // per request: HTTP status, 0 = transport failure
        std::vector<QByteArray> bodies;     // per request, when keepBodies
        QMap<QString, int> transportErrors; // reason -> count
        QString abortReason;                // set when the run could not complete
        bool ok() const { return abortReason.isEmpty(); }
    };

    RequestRunner(const Endpoint &endpoint, int concurrency);

    // What drives the connections: QSslSocket on the calling thread's event
    // loop (with progress reports), or OpenSSL on epoll (tlsloadrunner.h),
    // which costs the machine's CPUs a third as much per request.
    enum class Engine { QtSockets, OpenSslEpoll };
    void setEngine(Engine engine) { m_engine = engine; }

    // Keep every answer's body (for verification after the timed run, so
    // parsing never competes with the server for CPU during it).
    void setKeepBodies(bool keep) { m_keepBodies = keep; }
    // Called about once a second with the number of answered requests
    // (QtSockets only).
    void setProgress(std::function<void(qsizetype done, qsizetype total)> progress)
    {
        m_progress = std::move(progress);
    }

    // Called once every connection is open, right before the first request
    // leaves (e.g. to wait until a profiler is switched on).
    void setBeforeFirstRequest(std::function<void()> hook) { m_beforeFirst = std::move(hook); }

    Result run(const std::vector<QByteArray> &requests);

private:
    Endpoint m_endpoint;
    int m_concurrency;
    Engine m_engine = Engine::QtSockets;
    bool m_keepBodies = false;
    std::function<void(qsizetype, qsizetype)> m_progress;
    std::function<void()> m_beforeFirst;
};

} // namespace Provisio::Bench

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "requestrunner.h"

#include <functional>
#include <vector>

namespace Provisio::Bench {

// The same closed loop as RequestRunner (C keep-alive connections, each
// sending the next unsent request once its answer is in, connections and
// TLS handshakes finished before the clock starts), driven by OpenSSL on
// non-blocking sockets and one epoll set instead of QSslSocket on the
// event loop. The load generator shares the machine with the server it
// measures: through QSslSocket it spent 35 to 55 us of CPU per request,
// a third of what a registration costs the middleware, and every
// microsecond it spends is one the server being measured does not get.
// Linux only; the answers are framed like RawHttpsConnection's.
class TlsLoadRunner
{
public:
    using Result = RequestRunner::Result;

    TlsLoadRunner(const Endpoint &endpoint, int concurrency);

    void setKeepBodies(bool keep) { m_keepBodies = keep; }
    void setBeforeFirstRequest(std::function<void()> hook) { m_beforeFirst = std::move(hook); }

    Result run(const std::vector<QByteArray> &requests);

private:
    Endpoint m_endpoint;
    int m_concurrency;
    bool m_keepBodies = false;
    std::function<void()> m_beforeFirst;
};

} // namespace Provisio::Bench

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "requestrunner.h"

#include <functional>
#include <vector>

namespace Provisio::Bench {

// RequestRunner's closed loop (C keep-alive connections, each sending the
// next unsent request once its answer is in, connections and TLS handshakes
// finished before the clock starts) driven by OpenSSL on non-blocking
// sockets and one epoll set instead of QSslSocket on the event loop: its
// Engine::OpenSslEpoll. The load generator shares the machine with the
// server it measures: through QSslSocket it spent 35 to 70 us of CPU per
// request, a third of what a registration costs the middleware, and every
// microsecond it spends is one the server being measured does not get.
// Linux only; the answers are framed like RawHttpsConnection's. `r` comes
// sized for the requests (RequestRunner::run).
void runOnEpoll(const Endpoint &endpoint, int concurrency, bool keepBodies, const std::function<void()> &beforeFirst,
                const std::vector<QByteArray> &requests, RequestRunner::Result *r);

} // namespace Provisio::Bench

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/clientaddress.h"
#include "httprequest.h"
#include "httpresponse.h"
#include "requestframing.h"

#include <QByteArray>

namespace Provisio {

// HTTP/1.1 on the wire for the front door's own parser: a request whose
// framing RequestFraming followed (its head taken apart, its body collected)
// becomes the HttpRequest handlers see, decoded as Qt HTTP Server 6.4 decoded
// it (the target through QUrl, so path and query read the same), and an
// HttpResponse becomes the bytes of its answer.
class HttpWire
{
public:
    static HttpRequest toHttpRequest(RequestFraming::Head head, QByteArray body, const QHostAddress &peer,
                                     const QList<ClientAddress::Range> &trustedProxies);

    // A request Qt HTTP Server 6.4 would upgrade: `Connection` names
    // "upgrade" and `Upgrade` is "websocket" (it hands these to its
    // WebSocket server, see HttpServer::addWebSocketPath).
    static bool asksForWebSocket(const RequestFraming::Head &head);
    // The connection ends after this request's answer: `Connection: close`,
    // or HTTP/1.0 without `Connection: keep-alive`.
    static bool closesAfter(const RequestFraming::Head &head);

    // Status line, `Content-Type`, `Content-Length`, the response's own
    // fields, `Connection: close` when `closing`, then the body.
    static QByteArray render(const HttpResponse &response, bool closing);
    // The reason phrase of `status` (empty for one without a name here).
    static QByteArray reasonPhrase(int status);
};

} // namespace Provisio

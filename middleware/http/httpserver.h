// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/clientaddress.h"
#include "frontdoor.h"
#include "router.h"

#include <QAbstractHttpServer>
#include <QElapsedTimer>
#include <QHttpServerResponder>
#include <QSet>

#include <functional>
#include <optional>

namespace Provisio {

class Metrics;

// The one adapter between Qt HTTP Server 6.4 (a technology preview whose API
// changes in 6.5 and 6.8) and Provisio's handlers. It turns each request into
// an HttpRequest, authenticates CRM callers, enforces body limits, routes,
// and writes the HttpResponse (at once, or later for a handler that returns
// HttpResponse::later(), see DeferredResponse). Logs carry method, path, status and latency,
// never headers or bodies (they hold tokens and keys).
class HttpServer : public QAbstractHttpServer
{
    Q_OBJECT
public:
    using Authenticator = std::function<std::optional<Principal>(const QByteArray &bearerToken)>;

    explicit HttpServer(Metrics *metrics, QObject *parent = nullptr);

    // Bodies of requests no route matches (they get 404): what the front
    // door lets through before the router answers.
    static constexpr qint64 kUnroutedMaxBody = 64 * 1024;

    Router &router() { return m_router; }
    void setAuthenticator(Authenticator authenticator) { m_authenticator = std::move(authenticator); }
    // Proxies whose forwarding headers name the client (see ClientAddress).
    void setTrustedProxies(QList<ClientAddress::Range> proxies) { m_trustedProxies = std::move(proxies); }

    // A path whose `GET` with `Upgrade: websocket` becomes a WebSocket:
    // handleRequest leaves such requests unanswered, which is what makes Qt
    // HTTP Server 6.4.2 upgrade them and emit newWebSocketConnection (whose
    // receiver authenticates after the upgrade). Other requests to the path
    // are routed as usual.
    void addWebSocketPath(const QString &path) { m_webSocketPaths.insert(path); }

    // Listens on `address`:`port` behind a FrontDoor (connection caps,
    // timeouts, request framing checked before Qt parses), with TLS when
    // `ssl` is given. Returns the port, or nullopt with `error` set.
    std::optional<quint16> listenGuarded(const QHostAddress &address, quint16 port, const FrontDoor::Limits &limits,
                                         const std::optional<QSslConfiguration> &ssl, QString *error);
    FrontDoor *frontDoor() const { return m_frontDoor; }

    // Processes one request without a socket; used by handleRequest and
    // directly by tests of the routing rules.
    HttpResponse dispatch(HttpRequest &request);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    HttpResponse route(HttpRequest &request);
    void write(const QHttpServerRequest &request, QTcpSocket *socket, const HttpResponse &response);
    static void writeTo(QHttpServerResponder &responder, const HttpResponse &response);
    void recordRequest(const HttpRequest &request, int status, const QElapsedTimer &timer);

    Router m_router;
    Authenticator m_authenticator;
    QList<ClientAddress::Range> m_trustedProxies;
    QSet<QString> m_webSocketPaths;
    Metrics *m_metrics;
    FrontDoor *m_frontDoor = nullptr;
    // Deferred answers not yet written, per connection.
    QHash<QTcpSocket *, int> m_pendingAnswers;
};

} // namespace Provisio

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/clientaddress.h"
#include "frontdoor.h"
#include "handoffqueue.h"
#include "router.h"

#include <QAbstractHttpServer>
#include <QElapsedTimer>
#include <QHash>
#include <QUrlQuery>

#include <deque>
#include <functional>
#include <memory>
#include <optional>

class QWebSocket;

namespace Provisio {

class HttpIoThread;
class HttpWorker;
class Metrics;

// A request a front door parsed, on its way to the routes; its answer goes
// back to `worker` (an I/O thread; nullptr: the event loop's own front
// door) for connection `connection` (`socket` is only its key there).
struct HttpHandoff
{
    HttpWorker *worker = nullptr;
    int index = 0; // the worker's thread, from 1
    QTcpSocket *socket = nullptr;
    quint64 connection = 0;
    quint64 sequence = 0;
    HttpRequest request;
    QElapsedTimer timer;
};

// The one adapter between Qt HTTP Server 6.4 (a technology preview whose API
// changes in 6.5 and 6.8) and Provisio's handlers. Its FrontDoor parses each
// request into an HttpRequest (Qt's parser only reads WebSocket upgrade
// requests, see FrontDoor); this object authenticates CRM callers, enforces
// body limits, routes, and has the door write the HttpResponse (at once, or
// later for a handler that returns HttpResponse::later(), see
// DeferredResponse). Logs carry method, path, status and latency, never
// headers or bodies (they hold tokens and keys).
//
// Threads: with setIoThreads(n > 1), n HttpWorkers serve the connections on
// threads of their own (TLS, parsing, writing answers) and hand each parsed
// request to this object, on the event-loop thread, where the route's
// handler runs as it does with one thread; the answer, immediate or
// deferred, is written back by the connection's own thread. The domain thus
// stays single-threaded.
class HttpServer : public QAbstractHttpServer
{
    Q_OBJECT
public:
    using Authenticator = std::function<std::optional<Principal>(const QByteArray &bearerToken)>;

    explicit HttpServer(Metrics *metrics, QObject *parent = nullptr);
    ~HttpServer() override;

    // Bodies of requests no route matches (they get 404): what the front
    // door lets through before the router answers.
    static constexpr qint64 kUnroutedMaxBody = 64 * 1024;

    Router &router() { return m_router; }
    void setAuthenticator(Authenticator authenticator) { m_authenticator = std::move(authenticator); }
    // Proxies whose forwarding headers name the client (see ClientAddress).
    void setTrustedProxies(QList<ClientAddress::Range> proxies) { m_trustedProxies = std::move(proxies); }

    // Looks at the query of an upgrade request before the handshake: an
    // answer refuses the upgrade with that HTTP status and body (a filter the
    // path does not take gets a 400 the client can read, rather than a socket
    // that opens only to close); nullopt lets it upgrade. Runs on whichever
    // thread serves the connection, so it may only read its argument.
    using UpgradeCheck = std::function<std::optional<HttpResponse>(const QUrlQuery &query)>;
    using WebSocketPaths = QHash<QString, UpgradeCheck>;

    // A path whose `GET` with `Upgrade: websocket` becomes a WebSocket:
    // handleRequest leaves such requests unanswered, which is what makes Qt
    // HTTP Server 6.4.2 upgrade them and emit newWebSocketConnection (whose
    // receiver authenticates after the upgrade), unless `check` answers
    // them. Other requests to the path are routed as usual.
    void addWebSocketPath(const QString &path, UpgradeCheck check = {})
    {
        m_webSocketPaths.insert(path, std::move(check));
    }

    // Threads that serve HTTP connections, set before listenGuarded: 1 (or
    // less) serves them on this object's thread; more start that many I/O
    // threads over one listening socket (see the class comment).
    void setIoThreads(int count) { m_ioThreadCount = count; }
    int ioThreads() const { return m_ioThreadCount > 1 ? m_ioThreadCount : 1; }

    // WebSockets upgraded on an I/O thread arrive here, on this object's
    // thread, announced by newWebSocketConnection like Qt's own; these hide
    // QAbstractHttpServer's (not virtual), which they fall back to.
    bool hasPendingWebSocketConnections() const;
    std::unique_ptr<QWebSocket> nextPendingWebSocketConnection();

    // Listens on `address`:`port` behind a FrontDoor (connection caps,
    // timeouts, request framing checked before Qt parses), with TLS when
    // `ssl` is given. Returns the port, or nullopt with `error` set.
    std::optional<quint16> listenGuarded(const QHostAddress &address, quint16 port, const FrontDoor::Limits &limits,
                                         const std::optional<QSslConfiguration> &ssl, QString *error);
    // The front door on this thread; nullptr with I/O threads (each has its own).
    FrontDoor *frontDoor() const { return m_frontDoor; }

    // Processes one request without a socket; used by handleRequest and
    // directly by tests of the routing rules.
    HttpResponse dispatch(HttpRequest &request);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    friend class HttpWorker;

    HttpResponse route(HttpRequest &request);
    // What an upgrade request Qt hands back gets: the path's refusal, or 404.
    static HttpResponse refusalOf(const QHttpServerRequest &request, const WebSocketPaths &paths);
    static void writeRefusal(QTcpSocket *socket, const HttpResponse &response);
    static bool isWebSocketUpgrade(const QHttpServerRequest &request);
    // A `GET` to one of `paths` (addWebSocketPath): the upgrades Qt may complete.
    static bool upgradesOn(const QHttpServerRequest &request, const WebSocketPaths &paths);
    // What the path's UpgradeCheck answers such a request instead, rendered
    // with a tracking id as the router's answers are (nullopt: upgrade it).
    static std::optional<HttpResponse> refusedUpgrade(const QHttpServerRequest &request, const WebSocketPaths &paths);
    // Whether Qt may complete this request's upgrade: a WebSocket upgrade to
    // one of `paths` that its check lets through. What handleRequest decides
    // on the event loop and on every I/O thread.
    static bool acceptsUpgrade(const QHttpServerRequest &request, const WebSocketPaths &paths);
    void recordRequest(const HttpRequest &request, int status, const QElapsedTimer &timer);
    void recordUpgrade(const QString &path);
    bool startIoThreads(const FrontDoor::Limits &limits, const std::shared_ptr<ConnectionLedger> &ledger,
                        const std::optional<QSslConfiguration> &ssl, qintptr listeningDescriptor, QString *error);
    void stopIoThreads();
    // From an I/O thread: queues a request for this thread, waking it when
    // nothing was queued (see HandoffQueue).
    void handOver(HttpHandoff handoff);
    // On this thread: routes and answers every queued request.
    void serveHandoffs();
    void serveFromWorker(HttpHandoff &handoff);
    void adoptWebSocket(std::unique_ptr<QWebSocket> webSocket);
    void sendAnswer(HttpWorker *worker, QTcpSocket *socket, quint64 connection, quint64 sequence, HttpResponse answer);

    // Metric labels of a route, rendered once (recordRequest).
    struct RouteLabels
    {
        QString route;                // route="..."
        QHash<int, QString> byStatus; // route="...",status="..."
    };

    Router m_router;
    QHash<QString, RouteLabels> m_routeLabels;
    Authenticator m_authenticator;
    QList<ClientAddress::Range> m_trustedProxies;
    WebSocketPaths m_webSocketPaths;
    Metrics *m_metrics;
    FrontDoor *m_frontDoor = nullptr;
    // Deferred answers not yet written, per connection (with I/O threads,
    // the socket pointer is only a key).
    QHash<QTcpSocket *, int> m_pendingAnswers;
    int m_ioThreadCount = 1;
    QList<HttpIoThread *> m_ioThreads;
    QList<HttpWorker *> m_workers;
    HandoffQueue<HttpHandoff> m_handoffs; // from the I/O threads
    QStringList m_ioThreadLabels;         // metric labels, by thread index - 1
    QTcpServer *m_listener = nullptr;     // holds the shared listening socket with I/O threads
    std::deque<std::unique_ptr<QWebSocket>> m_webSockets;
};

} // namespace Provisio

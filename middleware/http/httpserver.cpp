// SPDX-License-Identifier: Apache-2.0
#include "httpserver.h"
#include "base/metrics.h"
#include "httpwire.h"
#include "httpworker.h"

#include "crypto/keys.h"
#include "protocol/apierror.h"

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QPointer>
#include <QTcpSocket>
#include <QVarLengthArray>
#include <QWebSocket>

#include <algorithm>

#include <cstring>

#include <fcntl.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcHttp, "provisio.middleware.http")

namespace Provisio {

HttpResponse HttpResponse::json(const QJsonObject &object, int status)
{
    return text(QJsonDocument(object).toJson(QJsonDocument::Compact), "application/json", status);
}

HttpResponse HttpResponse::json(const QJsonArray &array, int status)
{
    return text(QJsonDocument(array).toJson(QJsonDocument::Compact), "application/json", status);
}

HttpResponse HttpResponse::text(const QByteArray &body, const QByteArray &contentType, int status)
{
    HttpResponse r;
    r.status = status;
    r.body = body;
    r.contentType = contentType;
    return r;
}

HttpResponse HttpResponse::noContent()
{
    HttpResponse r;
    r.status = 204;
    return r;
}

HttpResponse HttpResponse::error(const Error &error)
{
    HttpResponse r;
    r.status = ApiError::httpStatusFor(error.code);
    r.failure = error;
    return r;
}

HttpResponse &HttpResponse::withEtag(const QString &etag)
{
    return withHeader("ETag", '"' + etag.toUtf8() + '"');
}

HttpResponse HttpResponse::later(std::shared_ptr<DeferredResponse> deferred)
{
    HttpResponse r;
    r.status = 0; // not an answer yet
    r.deferred = std::move(deferred);
    return r;
}

void DeferredResponse::complete(HttpResponse response)
{
    if (m_completed)
        return;
    m_completed = true;
    if (m_writer)
        m_writer(std::move(response));
    else
        m_early = std::move(response);
}

void DeferredResponse::setWriter(std::function<void(HttpResponse)> writer)
{
    if (m_early) {
        writer(std::move(*m_early));
        m_early.reset();
        return;
    }
    m_writer = std::move(writer);
}

HttpServer::HttpServer(Metrics *metrics, QObject *parent) : QAbstractHttpServer(parent), m_metrics(metrics)
{
    m_metrics->describe(QStringLiteral("provisio_http_requests_total"), QStringLiteral("counter"),
                        QStringLiteral("HTTP requests by route and status"));
    m_metrics->describe(QStringLiteral("provisio_http_request_duration_seconds"), QStringLiteral("histogram"),
                        QStringLiteral("Time spent handling HTTP requests, by route"));
}

HttpServer::~HttpServer()
{
    // The I/O threads first: their connections close while this object,
    // which they report to, still exists.
    stopIoThreads();
}

namespace {
QByteArray bearerFrom(const HttpRequest &request)
{
    const QByteArray auth = request.header("Authorization").trimmed();
    if (auth.size() > 7 && auth.left(7).compare("Bearer ", Qt::CaseInsensitive) == 0)
        return auth.mid(7).trimmed();
    return {};
}

Role requiredRole(Access access)
{
    switch (access) {
    case Access::Admin:
        return Role::Admin;
    case Access::Operator:
        return Role::Operator;
    default:
        return Role::Viewer;
    }
}

QString escapeLabel(QString s)
{
    s.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    s.replace(QLatin1Char('"'), QLatin1String("\\\""));
    return s;
}
} // namespace

namespace {
// Turns a failure into the one error body, with the request's tracking id.
void renderFailure(HttpResponse &response, const QString &trackingId)
{
    if (!response.failure)
        return;
    response.body =
        QJsonDocument(ApiError::fromError(*response.failure, trackingId).toJson()).toJson(QJsonDocument::Compact);
    response.contentType = "application/json";
    response.withHeader("X-Provisio-Tracking-Id", trackingId.toLatin1());
}
} // namespace

HttpResponse HttpServer::dispatch(HttpRequest &request)
{
    if (request.clientAddress.isNull())
        request.clientAddress = ClientAddress::normalized(request.remoteAddress);
    HttpResponse response = route(request);
    renderFailure(response, request.trackingId);
    return response;
}

HttpResponse HttpServer::route(HttpRequest &request)
{
    request.routePattern = QStringLiteral("unmatched");
    const Router::Match match = m_router.match(request.method, request.path);
    if (!match.route) {
        if (match.pathMatched)
            return HttpResponse::error(ErrorCode::MethodNotAllowed,
                                       QStringLiteral("method not allowed on %1").arg(request.path));
        return HttpResponse::error(ErrorCode::NotFound, QStringLiteral("no such endpoint: %1").arg(request.path));
    }
    const Router::Route &route = *match.route;
    request.params = match.params;
    request.routePattern = route.pattern;

    if (route.access != Access::Public) {
        const QByteArray bearer = bearerFrom(request);
        if (bearer.isEmpty())
            return HttpResponse::error(ErrorCode::Unauthorized, QStringLiteral("missing bearer token"))
                .withHeader("WWW-Authenticate", "Bearer realm=\"provisio\"");
        std::optional<Principal> principal = m_authenticator ? m_authenticator(bearer) : std::nullopt;
        if (!principal)
            return HttpResponse::error(ErrorCode::Unauthorized, QStringLiteral("invalid or revoked bearer token"))
                .withHeader("WWW-Authenticate", "Bearer realm=\"provisio\", error=\"invalid_token\"");
        if (int(principal->role) < int(requiredRole(route.access)))
            return HttpResponse::error(ErrorCode::Forbidden,
                                       QStringLiteral("role '%1' may not do this; '%2' is needed")
                                           .arg(roleName(principal->role), roleName(requiredRole(route.access))));
        request.principal = std::move(principal);
    }

    if (request.body.size() > route.maxBodyBytes)
        return HttpResponse::error(ErrorCode::PayloadTooLarge,
                                   QStringLiteral("request body of %1 bytes exceeds the limit of %2 bytes")
                                       .arg(request.body.size())
                                       .arg(route.maxBodyBytes));
    return route.handler(request);
}

std::optional<quint16> HttpServer::listenGuarded(const QHostAddress &address, quint16 port,
                                                 const FrontDoor::Limits &limits,
                                                 const std::optional<QSslConfiguration> &ssl, QString *error)
{
    FrontDoor::Limits guarded = limits;
    guarded.framing.bodyFitsEveryRoute = m_router.smallestBodyLimit(kUnroutedMaxBody);
    // One ledger for every thread: the connection caps are the server's.
    auto ledger = std::make_shared<ConnectionLedger>(limits.maxConnections, limits.maxConnectionsPerAddress);
    FrontDoor::describeMetrics(m_metrics, ledger);
    if (m_ioThreadCount > 1) {
        // The listening socket is only held here; each I/O thread accepts
        // from a duplicate of it.
        auto *listener = new QTcpServer(this);
        if (!listener->listen(address, port)) {
            if (error)
                *error = listener->errorString();
            delete listener;
            return std::nullopt;
        }
        listener->pauseAccepting();
        m_listener = listener;
        if (!startIoThreads(guarded, ledger, ssl, listener->socketDescriptor(), error)) {
            stopIoThreads();
            delete listener;
            m_listener = nullptr;
            return std::nullopt;
        }
        return listener->serverPort();
    }
    auto *door = new FrontDoor(
        guarded,
        [this](const QByteArray &method, const QByteArray &path) {
            return m_router.bodyLimitFor(method, path, kUnroutedMaxBody);
        },
        ledger, this);
    door->setMetrics(m_metrics, this);
    door->setRequestHandler(
        [this](FrontDoor::ParsedRequest parsed) {
            HttpHandoff handoff;
            handoff.socket = parsed.socket;
            handoff.connection = parsed.connection;
            handoff.sequence = parsed.sequence;
            handoff.request = std::move(parsed.request);
            handoff.timer = parsed.timer;
            serveFromWorker(handoff);
        },
        m_trustedProxies);
    if (ssl)
        door->setSslConfiguration(*ssl);
    if (!door->listen(address, port)) {
        if (error)
            *error = door->errorString();
        delete door;
        return std::nullopt;
    }
    m_frontDoor = door;
    bind(door);
    return door->serverPort();
}

bool HttpServer::startIoThreads(const FrontDoor::Limits &limits, const std::shared_ptr<ConnectionLedger> &ledger,
                                const std::optional<QSslConfiguration> &ssl, qintptr listeningDescriptor,
                                QString *error)
{
    m_metrics->describe(QStringLiteral("provisio_http_io_requests_total"), QStringLiteral("counter"),
                        QStringLiteral("HTTP requests handed to the event loop, by the I/O thread that read them"));
    for (int i = 0; i < m_ioThreadCount; ++i) {
        m_ioThreadLabels.append(QStringLiteral("thread=\"%1\"").arg(i + 1));
        HttpWorker::Setup setup;
        setup.index = i + 1;
        setup.server = this;
        setup.limits = limits;
        // Read-only once listening: the routes are all added before.
        setup.bodyLimit = [this](const QByteArray &method, const QByteArray &path) {
            return m_router.bodyLimitFor(method, path, kUnroutedMaxBody);
        };
        setup.ledger = ledger;
        setup.ssl = ssl;
        setup.metrics = m_metrics;
        setup.trustedProxies = m_trustedProxies;
        setup.webSocketPaths = m_webSocketPaths;
        setup.listeningDescriptor = ::fcntl(int(listeningDescriptor), F_DUPFD_CLOEXEC, 0);
        if (setup.listeningDescriptor < 0) {
            if (error)
                *error = QStringLiteral("cannot share the listening socket: %1")
                             .arg(QString::fromLocal8Bit(strerror(errno)));
            return false;
        }
        auto *thread = new HttpIoThread(setup);
        m_ioThreads.append(thread);
        HttpWorker *worker = thread->startWorker();
        if (!worker) {
            if (error)
                *error = QStringLiteral("an HTTP I/O thread cannot listen on the shared socket");
            return false;
        }
        m_workers.append(worker);
    }
    QList<FrontDoor *> doors;
    for (HttpWorker *worker : std::as_const(m_workers))
        doors.append(worker->frontDoor());
    for (HttpWorker *worker : std::as_const(m_workers))
        QMetaObject::invokeMethod(
            worker, [worker, doors] { worker->setPeers(doors); }, Qt::BlockingQueuedConnection);
    return true;
}

void HttpServer::stopIoThreads()
{
    m_workers.clear();
    qDeleteAll(m_ioThreads); // each quits its loop and destroys its worker there
    m_ioThreads.clear();
}

void HttpServer::handOver(HttpHandoff handoff)
{
    if (m_handoffs.push(std::move(handoff)))
        QMetaObject::invokeMethod(
            this, [this] { serveHandoffs(); }, Qt::QueuedConnection);
}

void HttpServer::serveHandoffs()
{
    std::vector<HttpHandoff> handoffs = m_handoffs.take();
    // Counted once per thread and batch rather than per request (a counter
    // is a lookup by name and labels).
    QVarLengthArray<int, 8> perThread(m_ioThreadLabels.size());
    std::fill(perThread.begin(), perThread.end(), 0);
    for (const HttpHandoff &handoff : handoffs) {
        if (handoff.index >= 1 && handoff.index <= perThread.size())
            perThread[handoff.index - 1] += 1;
    }
    for (qsizetype i = 0; i < perThread.size(); ++i) {
        if (perThread[i] > 0)
            m_metrics->increment(QStringLiteral("provisio_http_io_requests_total"), m_ioThreadLabels.at(i),
                                 perThread[i]);
    }
    for (HttpHandoff &handoff : handoffs)
        serveFromWorker(handoff);
}

void HttpServer::serveFromWorker(HttpHandoff &handoff)
{
    HttpWorker *worker = handoff.worker;
    QTcpSocket *socket = handoff.socket;
    const quint64 connection = handoff.connection;
    const quint64 sequence = handoff.sequence;
    const QElapsedTimer timer = handoff.timer;
    HttpRequest &request = handoff.request;
    // As on one thread: a pipelined request settles the pending answers first.
    if (m_pendingAnswers.value(socket) > 0)
        m_router.settle();
    HttpResponse response = dispatch(request);
    if (response.deferred) {
        QPointer<HttpServer> self(this);
        auto context = std::make_shared<HttpRequest>(std::move(request));
        m_pendingAnswers[socket] += 1;
        response.deferred->setWriter([self, worker, socket, connection, sequence, context, timer](HttpResponse answer) {
            renderFailure(answer, context->trackingId);
            if (!self)
                return;
            if (auto it = self->m_pendingAnswers.find(socket); it != self->m_pendingAnswers.end() && --*it <= 0)
                self->m_pendingAnswers.erase(it);
            self->recordRequest(*context, answer.status, timer);
            self->sendAnswer(worker, socket, connection, sequence, std::move(answer));
        });
        return;
    }
    recordRequest(request, response.status, timer);
    sendAnswer(worker, socket, connection, sequence, std::move(response));
}

void HttpServer::sendAnswer(HttpWorker *worker, QTcpSocket *socket, quint64 connection, quint64 sequence,
                            HttpResponse answer)
{
    if (!worker) {
        if (m_frontDoor)
            m_frontDoor->answer(socket, connection, sequence, answer);
        return;
    }
    // A worker is valid while it is listed (the list empties before the
    // threads stop).
    if (!m_workers.contains(worker))
        return;
    worker->post({socket, connection, sequence, std::move(answer)});
}

bool HttpServer::hasPendingWebSocketConnections() const
{
    return !m_webSockets.empty() || QAbstractHttpServer::hasPendingWebSocketConnections();
}

std::unique_ptr<QWebSocket> HttpServer::nextPendingWebSocketConnection()
{
    if (m_webSockets.empty())
        return QAbstractHttpServer::nextPendingWebSocketConnection();
    std::unique_ptr<QWebSocket> webSocket = std::move(m_webSockets.front());
    m_webSockets.pop_front();
    return webSocket;
}

void HttpServer::adoptWebSocket(std::unique_ptr<QWebSocket> webSocket)
{
    if (!webSocket)
        return;
    m_webSockets.push_back(std::move(webSocket));
    Q_EMIT newWebSocketConnection();
}

void HttpServer::recordUpgrade(const QString &path)
{
    m_metrics->increment(QStringLiteral("provisio_http_requests_total"),
                         QStringLiteral("route=\"%1\",status=\"101\"").arg(escapeLabel(path)));
}

bool HttpServer::isWebSocketUpgrade(const QHttpServerRequest &request)
{
    const auto headers = request.headers();
    return std::any_of(headers.cbegin(), headers.cend(), [](const auto &h) {
        return h.first.compare("Upgrade", Qt::CaseInsensitive) == 0 && h.second.toLower().contains("websocket");
    });
}

bool HttpServer::upgradesOn(const QHttpServerRequest &request, const WebSocketPaths &paths)
{
    return request.method() == QHttpServerRequest::Method::Get &&
           paths.contains(request.url().path(QUrl::FullyEncoded));
}

std::optional<HttpResponse> HttpServer::refusedUpgrade(const QHttpServerRequest &request, const WebSocketPaths &paths)
{
    const UpgradeCheck check = paths.value(request.url().path(QUrl::FullyEncoded));
    if (!check)
        return std::nullopt;
    std::optional<HttpResponse> refusal = check(QUrlQuery(request.url()));
    if (refusal)
        renderFailure(*refusal, Crypto::randomIdentifier(12));
    return refusal;
}

bool HttpServer::acceptsUpgrade(const QHttpServerRequest &request, const WebSocketPaths &paths)
{
    return isWebSocketUpgrade(request) && upgradesOn(request, paths) && !refusedUpgrade(request, paths);
}

bool HttpServer::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    // Refused by the front door (and answered there): nothing more to say.
    if (FrontDoor::isRejected(socket))
        return false;
    // Qt's parser reads only the requests that ask for a WebSocket upgrade
    // (FrontDoor parses every other one); a refused one goes back to Qt,
    // whose missingHandler call answers it (Qt 6.4 upgrades every upgrade
    // request handleRequest takes) and closes the connection.
    if (!acceptsUpgrade(request, m_webSocketPaths))
        return false;
    // Written by nobody: Qt completes the handshake (see addWebSocketPath).
    recordUpgrade(request.url().path());
    if (m_frontDoor)
        m_frontDoor->release(socket);
    return true;
}

void HttpServer::recordRequest(const HttpRequest &req, int status, const QElapsedTimer &timer)
{
    const double seconds = timer.nsecsElapsed() / 1e9;
    // The label texts are the same for every request of a route: rendered
    // (and escaped) once per route and status, not per request. Routes are
    // the registered patterns (and "unmatched"), statuses a handful: bounded.
    RouteLabels &labels = m_routeLabels[req.routePattern];
    if (labels.route.isEmpty())
        labels.route = QStringLiteral("route=\"%1\"").arg(escapeLabel(req.routePattern));
    QString &statusLabels = labels.byStatus[status];
    if (statusLabels.isEmpty())
        statusLabels = labels.route + QStringLiteral(",status=\"%1\"").arg(status);
    m_metrics->increment(QStringLiteral("provisio_http_requests_total"), statusLabels);
    m_metrics->observeSeconds(QStringLiteral("provisio_http_request_duration_seconds"), labels.route, seconds);
    if (status >= 500)
        qCWarning(lcHttp).noquote() << req.trackingId << int(req.method) << req.path << status << seconds * 1000
                                    << "ms";
    else
        qCDebug(lcHttp).noquote() << req.trackingId << int(req.method) << req.path << status << seconds * 1000 << "ms";
}

void HttpServer::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    if (FrontDoor::isRejected(socket))
        return;
    writeRefusal(socket, refusalOf(request, m_webSocketPaths));
    if (m_frontDoor)
        m_frontDoor->responded(socket);
}

HttpResponse HttpServer::refusalOf(const QHttpServerRequest &request, const WebSocketPaths &paths)
{
    if (isWebSocketUpgrade(request) && upgradesOn(request, paths)) {
        if (std::optional<HttpResponse> refusal = refusedUpgrade(request, paths))
            return std::move(*refusal);
    }
    HttpResponse notFound = HttpResponse::error(ErrorCode::NotFound, QStringLiteral("no such endpoint"));
    renderFailure(notFound, Crypto::randomIdentifier(12));
    return notFound;
}

void HttpServer::writeRefusal(QTcpSocket *socket, const HttpResponse &response)
{
    // Qt closes the connection after a refused upgrade.
    socket->write(HttpWire::render(response, true));
}

} // namespace Provisio

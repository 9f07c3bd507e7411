// SPDX-License-Identifier: Apache-2.0
#include "httpworker.h"

#include "httpserver.h"

#include <QHttpServerResponder>
#include <QLoggingCategory>
#include <QTcpSocket>
#include <QWebSocket>

#include <unistd.h>

Q_DECLARE_LOGGING_CATEGORY(lcHttp)

namespace Provisio {

HttpWorker::HttpWorker(Setup setup) : m_setup(std::move(setup))
{
    m_frontDoor = new FrontDoor(m_setup.limits, m_setup.bodyLimit, m_setup.ledger, this);
    m_frontDoor->setMetrics(m_setup.metrics, m_setup.server);
    if (m_setup.ssl)
        m_frontDoor->setSslConfiguration(*m_setup.ssl);
    connect(this, &QAbstractHttpServer::newWebSocketConnection, this, &HttpWorker::handOverWebSockets);
}

bool HttpWorker::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    QElapsedTimer timer;
    timer.start();
    if (FrontDoor::isRejected(socket))
        return false;

    if (HttpServer::isWebSocketUpgrade(request)) {
        // A refused upgrade goes back to Qt, which calls missingHandler.
        if (!HttpServer::upgradesOn(request, m_setup.webSocketPaths) ||
            HttpServer::refusedUpgrade(request, m_setup.webSocketPaths))
            return false;
        // Qt completes the handshake in this thread; handOverWebSockets
        // then moves the WebSocket to the event loop.
        m_upgrading.append(socket);
        m_orderings.remove(socket);
        m_frontDoor->release(socket);
        HttpServer *server = m_setup.server;
        const QString path = request.url().path();
        QMetaObject::invokeMethod(
            server, [server, path] { server->recordUpgrade(path); }, Qt::QueuedConnection);
        return true;
    }

    auto it = m_orderings.find(socket);
    if (it == m_orderings.end()) {
        Ordering ordering;
        ordering.request = &request;
        ordering.connection = m_nextConnection++;
        it = m_orderings.insert(socket, std::move(ordering));
        connect(socket, &QObject::destroyed, this, [this, socket] { m_orderings.remove(socket); });
    }
    // Handed over in batches (HandoffQueue): while the event loop is busy,
    // further requests join the queue without waking it again.
    HttpHandoff handoff;
    handoff.worker = this;
    handoff.index = m_setup.index;
    handoff.socket = socket;
    handoff.connection = it->connection;
    handoff.sequence = it->nextSequence++;
    handoff.request = HttpServer::toHttpRequest(request, m_setup.trustedProxies);
    handoff.timer = timer;
    m_setup.server->handOver(std::move(handoff));
    return true;
}

void HttpWorker::post(HttpAnswer answer)
{
    if (m_answers.push(std::move(answer)))
        QMetaObject::invokeMethod(
            this, [this] { writeAnswers(); }, Qt::QueuedConnection);
}

void HttpWorker::writeAnswers()
{
    std::vector<HttpAnswer> answers = m_answers.take();
    for (HttpAnswer &a : answers)
        answer(a.socket, a.connection, a.sequence, std::move(a.response));
}

void HttpWorker::answer(QTcpSocket *socket, quint64 connection, quint64 sequence, HttpResponse response)
{
    // The entry goes when its socket is destroyed; the connection number
    // tells a new socket at the same address from the one that asked.
    const auto it = m_orderings.find(socket);
    if (it == m_orderings.end() || it->connection != connection) {
        qCDebug(lcHttp) << "client left before the answer";
        return;
    }
    if (sequence != it->nextToWrite) {
        it->waiting.emplace(sequence, std::move(response));
        return;
    }
    write(*it->request, socket, response);
    it->nextToWrite += 1;
    for (auto next = it->waiting.find(it->nextToWrite); next != it->waiting.end();
         next = it->waiting.find(it->nextToWrite)) {
        write(*it->request, socket, next->second);
        it->waiting.erase(next);
        it->nextToWrite += 1;
    }
}

void HttpWorker::write(const QHttpServerRequest &request, QTcpSocket *socket, const HttpResponse &response)
{
    // A later request on the connection broke the framing: the front door
    // has answered it and closes the connection; nothing may follow that.
    if (!socket->isOpen() || FrontDoor::isRejected(socket))
        return;
    QHttpServerResponder responder = makeResponder(request, socket);
    HttpServer::writeTo(responder, response);
    m_frontDoor->responded(socket);
}

void HttpWorker::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    if (HttpServer::isWebSocketUpgrade(request) && HttpServer::upgradesOn(request, m_setup.webSocketPaths)) {
        if (const std::optional<HttpResponse> refusal = HttpServer::refusedUpgrade(request, m_setup.webSocketPaths)) {
            write(request, socket, *refusal);
            return;
        }
    }
    write(request, socket, HttpResponse::error(ErrorCode::NotFound, QStringLiteral("no such endpoint")));
}

void HttpWorker::handOverWebSockets()
{
    QThread *target = m_setup.server->thread();
    while (hasPendingWebSocketConnections()) {
        std::unique_ptr<QWebSocket> webSocket = nextPendingWebSocketConnection();
        // Qt does not say which socket became this WebSocket: the one with
        // its peer (unique among the open connections of one listener).
        QTcpSocket *tcp = nullptr;
        for (auto it = m_upgrading.begin(); it != m_upgrading.end();) {
            if (!*it) {
                it = m_upgrading.erase(it);
            } else if (!tcp && (*it)->peerPort() == webSocket->peerPort() &&
                       (*it)->peerAddress() == webSocket->peerAddress()) {
                tcp = *it;
                it = m_upgrading.erase(it);
            } else {
                ++it;
            }
        }
        if (!tcp) {
            qCWarning(lcHttp) << "a WebSocket without its connection; closed";
            webSocket->abort();
            continue;
        }
        // The socket goes with its WebSocket: owned by it, no longer deleted
        // by this thread's WebSocket server when it disconnects.
        QObject::disconnect(tcp, &QAbstractSocket::disconnected, nullptr, nullptr);
        tcp->setParent(webSocket.get());
        webSocket->moveToThread(target);
        HttpServer *server = m_setup.server;
        auto holder = std::make_shared<std::unique_ptr<QWebSocket>>(std::move(webSocket));
        QMetaObject::invokeMethod(
            server, [server, holder] { server->adoptWebSocket(std::move(*holder)); }, Qt::QueuedConnection);
    }
}

HttpIoThread::HttpIoThread(HttpWorker::Setup setup, QObject *parent) : QThread(parent), m_setup(std::move(setup))
{
    setObjectName(QStringLiteral("http-io-%1").arg(m_setup.index));
}

HttpIoThread::~HttpIoThread()
{
    quit();
    wait();
}

HttpWorker *HttpIoThread::startWorker()
{
    start();
    m_ready.acquire();
    return m_worker;
}

void HttpIoThread::run()
{
    {
        HttpWorker worker(m_setup);
        if (!worker.frontDoor()->setSocketDescriptor(m_setup.listeningDescriptor)) {
            ::close(int(m_setup.listeningDescriptor));
            m_ready.release();
            return;
        }
        worker.bind(worker.frontDoor());
        m_worker = &worker;
        m_ready.release();
        exec();
        m_worker = nullptr;
    }
}

} // namespace Provisio

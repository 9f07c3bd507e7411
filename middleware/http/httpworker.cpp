// SPDX-License-Identifier: Apache-2.0
#include "httpworker.h"

#include "httpserver.h"

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
    // Handed over in batches (HandoffQueue): while the event loop is busy,
    // further requests join the queue without waking it again.
    m_frontDoor->setRequestHandler(
        [this](FrontDoor::ParsedRequest parsed) {
            HttpHandoff handoff;
            handoff.worker = this;
            handoff.index = m_setup.index;
            handoff.socket = parsed.socket;
            handoff.connection = parsed.connection;
            handoff.sequence = parsed.sequence;
            handoff.request = std::move(parsed.request);
            handoff.timer = parsed.timer;
            m_setup.server->handOver(std::move(handoff));
        },
        m_setup.trustedProxies);
    if (m_setup.ssl)
        m_frontDoor->setSslConfiguration(*m_setup.ssl);
    connect(this, &QAbstractHttpServer::newWebSocketConnection, this, &HttpWorker::handOverWebSockets);
}

bool HttpWorker::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    if (FrontDoor::isRejected(socket))
        return false;
    // Only upgrade requests reach Qt's parser (the front door parses the
    // others); a refused one goes back to Qt, which calls missingHandler.
    if (!HttpServer::acceptsUpgrade(request, m_setup.webSocketPaths))
        return false;
    // Qt completes the handshake in this thread; handOverWebSockets then
    // moves the WebSocket to the event loop.
    m_upgrading.append(socket);
    m_frontDoor->release(socket);
    HttpServer *server = m_setup.server;
    const QString path = request.url().path();
    QMetaObject::invokeMethod(
        server, [server, path] { server->recordUpgrade(path); }, Qt::QueuedConnection);
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
    m_frontDoor->answer(socket, connection, sequence, response);
}

void HttpWorker::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    if (FrontDoor::isRejected(socket) || !socket->isOpen())
        return;
    HttpServer::writeRefusal(socket, HttpServer::refusalOf(request, m_setup.webSocketPaths));
    m_frontDoor->responded(socket);
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

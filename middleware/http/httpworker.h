// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/clientaddress.h"
#include "frontdoor.h"
#include "handoffqueue.h"
#include "httpresponse.h"
#include "httpserver.h"

#include <QAbstractHttpServer>
#include <QPointer>
#include <QSemaphore>
#include <QThread>

#include <map>
#include <memory>
#include <optional>

class QWebSocket;

namespace Provisio {

class Metrics;

// An answer on its way from the event loop back to the I/O thread of its
// connection (see HttpHandoff).
struct HttpAnswer
{
    QTcpSocket *socket = nullptr; // only a key
    quint64 connection = 0;
    quint64 sequence = 0;
    HttpResponse response;
};

// Serves HTTP on one I/O thread: this thread's FrontDoor accepts from the
// shared listening socket, and TLS, the door's parsing, timeouts and the
// writing of answers happen here; each parsed request goes to the HttpServer
// on the event-loop thread (queued), where routes and handlers run, and its
// answer comes back here to be written on the socket, in the order of the
// connection's requests. A WebSocket upgrade request is parsed by this
// thread's own Qt HTTP Server (the door hands such a connection to it); the
// upgraded WebSocket moves to the event-loop thread once its handshake is
// done.
class HttpWorker : public QAbstractHttpServer
{
    Q_OBJECT
public:
    struct Setup
    {
        int index = 0;
        HttpServer *server = nullptr; // on the event-loop thread
        FrontDoor::Limits limits;
        RequestFraming::BodyLimit bodyLimit;
        std::shared_ptr<ConnectionLedger> ledger;
        std::optional<QSslConfiguration> ssl;
        Metrics *metrics = nullptr;
        QList<ClientAddress::Range> trustedProxies;
        HttpServer::WebSocketPaths webSocketPaths;
        qintptr listeningDescriptor = -1; // a duplicate of the listening socket, owned by the worker
    };

    // Constructed in its own thread (HttpIoThread), so that Qt HTTP Server's
    // internal objects live there too.
    explicit HttpWorker(Setup setup);

    FrontDoor *frontDoor() const { return m_frontDoor; }
    void setPeers(QList<FrontDoor *> doors) { m_frontDoor->setWorkers(std::move(doors)); }
    // From the event loop: queues an answer for this thread, waking it when
    // nothing was queued (see HandoffQueue).
    void post(HttpAnswer answer);
    // Writes the answer to request `sequence` of connection `connection` on
    // `socket` once the answers before it are written. In this thread.
    void answer(QTcpSocket *socket, quint64 connection, quint64 sequence, HttpResponse response);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    void writeAnswers();
    void handOverWebSockets();

    Setup m_setup;
    FrontDoor *m_frontDoor = nullptr;
    QList<QPointer<QTcpSocket>> m_upgrading;
    HandoffQueue<HttpAnswer> m_answers; // from the event loop
};

// The thread of one HttpWorker: creates it in run(), serves until quit(),
// destroys it there.
class HttpIoThread : public QThread
{
    Q_OBJECT
public:
    HttpIoThread(HttpWorker::Setup setup, QObject *parent = nullptr);
    ~HttpIoThread() override;
    // Starts the thread and returns its worker once it exists; nullptr when
    // the thread could not listen on the shared socket.
    HttpWorker *startWorker();

protected:
    void run() override;

private:
    HttpWorker::Setup m_setup;
    HttpWorker *m_worker = nullptr;
    QSemaphore m_ready;
};

} // namespace Provisio

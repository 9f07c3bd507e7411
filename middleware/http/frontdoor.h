// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/clientaddress.h"
#include "connectionledger.h"
#include "httprequest.h"
#include "httpresponse.h"
#include "requestframing.h"

#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QPointer>
#include <QSslConfiguration>
#include <QTcpServer>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>

class QTcpSocket;

namespace Provisio {

class Metrics;

// The listening socket in front of Qt HTTP Server: nothing reaches Qt's
// request parser unchecked. It accepts connections itself, under a global
// and a per-address cap (a new connection over a cap pushes out the oldest
// connection that has not started a request, or is refused), completes TLS
// within a deadline, and only then hands the socket to Qt. On every
// connection it follows the request framing (RequestFraming) on the raw
// bytes ahead of Qt, answering 414/431/413/400 and closing at the first
// broken limit, before Qt has buffered the offending header or body; it
// answers `Expect: 100-continue`, which Qt HTTP Server 6.4 does not; and it
// closes connections that stall: a silent or slow request head, a body that
// stops arriving, an idle keep-alive connection, a client that does not read
// its answer. When the process runs out of descriptors it frees the oldest
// idle connection and resumes accepting (Qt's QTcpServer pauses for good).
//
// With a request handler (setRequestHandler; HttpServer and HttpWorker set
// one) the door is also the request parser: the framing it follows anyway
// takes each head apart and collects each body, the complete request goes to
// the handler as an HttpRequest, and answer() writes the answers in the
// order of the connection's requests. Qt HTTP Server never sees those bytes.
// One rule decides which parser reads a connection: ours, until a request
// asks for a WebSocket upgrade (HttpWire::asksForWebSocket); that request is
// left in the socket and the connection handed to Qt HTTP Server for good,
// which parses it and upgrades (or refuses) it; a request that follows an
// upgrade request on the same connection is refused (400) by the framing.
// The switch happens between requests, never within one.
//
// With I/O threads (HttpServer::setIoThreads) there is one front door per
// thread plus the listening one on the event-loop thread: the listening door
// accepts, asks the shared ConnectionLedger for admission (the caps are
// global) and hands the descriptor to the door with the fewest connections,
// whose thread then does TLS, framing, timeouts and the answers. A door only
// ever touches its own connections; one chosen for eviction by another thread
// is closed through a queued call to its door.
class FrontDoor : public QTcpServer
{
    Q_OBJECT
public:
    struct Limits
    {
        int maxConnections = 10000;
        int maxConnectionsPerAddress = 256; // 0: no per-address cap (behind a proxy)
        int tlsHandshakeTimeoutMs = 10000;
        int headerTimeoutMs = 10000;     // first byte of a request (or the connection) to the end of its head
        int idleTimeoutMs = 60000;       // a kept-alive connection between requests
        int bodyStallTimeoutMs = 30000;  // no body byte for this long
        int writeStallTimeoutMs = 30000; // an answer the client does not read
        RequestFraming::Limits framing;
    };

    FrontDoor(Limits limits, RequestFraming::BodyLimit bodyLimit, std::shared_ptr<ConnectionLedger> ledger,
              QObject *parent = nullptr);
    ~FrontDoor() override;

    // Counters go to `metrics` in the thread of `context` (Metrics is not
    // thread-safe); counts posted after `context` is gone are dropped.
    void setMetrics(Metrics *metrics, QObject *context);
    // Describes the front door's metrics once, with the open-connection gauge.
    static void describeMetrics(Metrics *metrics, std::shared_ptr<ConnectionLedger> ledger);
    // The listening door hands accepted connections to these (in their own
    // threads) instead of serving them itself.
    void setWorkers(QList<FrontDoor *> workers) { m_workers = std::move(workers); }
    // Takes over an accepted, admitted connection; call in this door's thread.
    void adopt(qintptr descriptor, const QHostAddress &address, quint64 ledgerId);

    // A request the door parsed: request `sequence` (from 0) of connection
    // `connection` on `socket` (a key for answer(), never to be used from
    // another thread). The timer runs from its last byte.
    struct ParsedRequest
    {
        QTcpSocket *socket = nullptr;
        quint64 connection = 0;
        quint64 sequence = 0;
        HttpRequest request;
        QElapsedTimer timer;
    };
    using RequestHandler = std::function<void(ParsedRequest request)>;
    // Requests parsed on one connection and not answered yet: a client that
    // pipelines more waits (the door reads no further) until answers go out,
    // so one connection cannot queue unbounded work.
    static constexpr quint64 kMaxRequestsInFlight = 64;
    // What such a client may send meanwhile (the socket keeps it until the
    // door reads on); more closes the connection ("pipeline-overflow").
    static constexpr qint64 kMaxBytesWhileWaiting = 1024 * 1024;
    // Parses requests itself (see the class comment) and hands them to
    // `handler`, in this door's thread; `trustedProxies` resolve the
    // client's address (ClientAddress). Set before the first connection.
    void setRequestHandler(RequestHandler handler, QList<ClientAddress::Range> trustedProxies);
    // Writes the answer to request `sequence` of `connection` once the
    // answers before it are written; dropped when the connection is gone or
    // was refused meanwhile. In this door's thread.
    void answer(QTcpSocket *socket, quint64 connection, quint64 sequence, const HttpResponse &response);

    // TLS for every connection; without it connections stay plain (behind a
    // TLS-terminating proxy).
    void setSslConfiguration(const QSslConfiguration &configuration) { m_ssl = configuration; }

    // Qt HTTP Server answered one request on `socket` (an upgrade refused).
    void responded(QTcpSocket *socket);
    // `socket` left HTTP (a WebSocket upgrade): no longer framed or timed.
    void release(QTcpSocket *socket);
    // The connection was refused by the framing; Qt must not answer on it.
    static bool isRejected(const QTcpSocket *socket);

    // Connections this door serves (the ledger has the total).
    int connectionCount() const { return int(m_connections.size()); }
    const Limits &limits() const { return m_limits; }

    // Raises the soft descriptor limit to the hard one; returns the new soft
    // limit (or the old one when it could not be raised).
    static qint64 raiseDescriptorLimit();

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    struct Connection;
    enum class Stage { Handshake, Http };

    void admit(QTcpSocket *socket, const QHostAddress &address, quint64 ledgerId);
    // TLS: wait for the client's first bytes before any TLS work.
    void awaitHello(qintptr descriptor, const QHostAddress &address, quint64 ledgerId);
    void startTls(QTcpSocket *pendingKey);
    void startHttp(Connection *c);
    // Our parser: follows, parses and hands over every complete request.
    void readRequests(Connection *c);
    void deliver(Connection *c);
    void writeAnswer(Connection *c, const HttpResponse &response);
    // From now on Qt HTTP Server reads the connection; `replay`: the bytes
    // already in the socket are a request for it.
    void handToQt(Connection *c, bool replay);
    // Qt's parser: the framing follows the bytes before Qt reads them.
    void beforeQtReads(Connection *c);
    void afterQtRead(Connection *c);
    // `headBytesUnread`: bytes from Qt's read position to the end of what the
    // framing took, still in the socket's buffer.
    void rejectRequest(Connection *c, const RequestFraming::Rejection &rejection, qint64 headBytesUnread);
    void drain(Connection *c);
    void rearm(Connection *c);
    void sweep();
    void onAcceptError(QAbstractSocket::SocketError error);
    // Closes what the ledger chose to evict, here or through its door's thread.
    void evict(const ConnectionLedger::Eviction &eviction);
    void closeEvicted(quint64 ledgerId);
    void noteIdle(Connection *c);
    void close(Connection *c, const char *reason);
    void forget(QTcpSocket *socket);
    void count(const QString &name, const QString &labels);

    Limits m_limits;
    RequestFraming::BodyLimit m_bodyLimit;
    std::shared_ptr<ConnectionLedger> m_ledger;
    Metrics *m_metrics = nullptr;
    QPointer<QObject> m_metricsContext;
    std::optional<QSslConfiguration> m_ssl;
    QList<FrontDoor *> m_workers;
    RequestHandler m_requestHandler;
    QList<ClientAddress::Range> m_trustedProxies;
    quint64 m_nextSerial = 1;
    QHash<QTcpSocket *, Connection *> m_connections;
    // Children, so that they move with the door into its thread.
    QTimer *m_sweepTimer;
    QTimer *m_resumeTimer;
    QElapsedTimer m_clock;
};

} // namespace Provisio

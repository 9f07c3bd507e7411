// SPDX-License-Identifier: Apache-2.0
#pragma once

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

    FrontDoor(Limits limits, RequestFraming::BodyLimit bodyLimit, Metrics *metrics, QObject *parent = nullptr);
    ~FrontDoor() override;

    // TLS for every connection; without it connections stay plain (behind a
    // TLS-terminating proxy).
    void setSslConfiguration(const QSslConfiguration &configuration) { m_ssl = configuration; }

    // Qt HTTP Server answered one request on `socket` (at once, or later).
    void responded(QTcpSocket *socket);
    // `socket` left HTTP (a WebSocket upgrade): no longer framed or timed.
    void release(QTcpSocket *socket);
    // The connection was refused by the framing; Qt must not answer on it.
    static bool isRejected(const QTcpSocket *socket);

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

    void admit(QTcpSocket *socket, const QHostAddress &address);
    // TLS: wait for the client's first bytes before any TLS work.
    void awaitHello(qintptr descriptor, const QHostAddress &address);
    void startTls(QTcpSocket *pendingKey);
    void startHttp(Connection *c);
    void beforeQtReads(Connection *c);
    void afterQtRead(Connection *c);
    // `headBytesUnread`: bytes from Qt's read position to the end of what the
    // framing took, still in the socket's buffer.
    void rejectRequest(Connection *c, const RequestFraming::Rejection &rejection, qint64 headBytesUnread);
    void drain(Connection *c);
    void rearm(Connection *c);
    void sweep();
    void onAcceptError(QAbstractSocket::SocketError error);
    bool evictIdle(const QHostAddress *address);
    void close(Connection *c, const char *reason);
    void forget(QTcpSocket *socket);

    Limits m_limits;
    RequestFraming::BodyLimit m_bodyLimit;
    Metrics *m_metrics;
    std::optional<QSslConfiguration> m_ssl;
    QHash<QTcpSocket *, Connection *> m_connections;
    QHash<QHostAddress, int> m_perAddress;
    QTimer m_sweepTimer;
    QTimer m_resumeTimer;
    QElapsedTimer m_clock;
};

} // namespace Provisio

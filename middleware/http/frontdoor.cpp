// SPDX-License-Identifier: Apache-2.0
#include "frontdoor.h"
#include "frontdoorconnection.h"

#include "base/metrics.h"

#include <QLoggingCategory>
#include <QSocketNotifier>
#include <QSslSocket>
#include <QTcpSocket>
#include <QThread>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcFrontDoor, "provisio.middleware.frontdoor")

namespace Provisio {

namespace {
constexpr int kSweepMs = 250;
constexpr int kResumeAcceptMs = 100;
} // namespace

FrontDoor::FrontDoor(Limits limits, RequestFraming::BodyLimit bodyLimit, std::shared_ptr<ConnectionLedger> ledger,
                     QObject *parent)
    : QTcpServer(parent), m_limits(limits), m_bodyLimit(std::move(bodyLimit)), m_ledger(std::move(ledger)),
      m_sweepTimer(new QTimer(this)), m_resumeTimer(new QTimer(this))
{
    m_clock.start();
    // Qt's own queue of accepted sockets is drained at once by Qt HTTP Server;
    // the caps that matter are ours.
    setMaxPendingConnections(1 << 20);
    connect(this, &QTcpServer::acceptError, this, &FrontDoor::onAcceptError);
    m_sweepTimer->setInterval(kSweepMs);
    connect(m_sweepTimer, &QTimer::timeout, this, &FrontDoor::sweep);
    m_sweepTimer->start();
    m_resumeTimer->setSingleShot(true);
    connect(m_resumeTimer, &QTimer::timeout, this, [this] { resumeAccepting(); });
}

void FrontDoor::setMetrics(Metrics *metrics, QObject *context)
{
    m_metrics = metrics;
    m_metricsContext = context;
}

void FrontDoor::describeMetrics(Metrics *metrics, std::shared_ptr<ConnectionLedger> ledger)
{
    metrics->addGauge(QStringLiteral("provisio_http_connections"), QStringLiteral("Open client connections"),
                      [ledger] { return double(ledger->total()); });
    metrics->describe(QStringLiteral("provisio_http_connections_refused_total"), QStringLiteral("counter"),
                      QStringLiteral("Connections refused because a connection cap was reached"));
    metrics->describe(QStringLiteral("provisio_http_connections_closed_total"), QStringLiteral("counter"),
                      QStringLiteral("Connections the server closed, by reason"));
    metrics->describe(QStringLiteral("provisio_http_requests_rejected_total"), QStringLiteral("counter"),
                      QStringLiteral("Requests refused by the front door before parsing, by status"));
}

void FrontDoor::count(const QString &name, const QString &labels)
{
    if (!m_metrics || !m_metricsContext)
        return;
    if (m_metricsContext->thread() == QThread::currentThread()) {
        m_metrics->increment(name, labels);
        return;
    }
    Metrics *metrics = m_metrics;
    QMetaObject::invokeMethod(
        m_metricsContext, [metrics, name, labels] { metrics->increment(name, labels); }, Qt::QueuedConnection);
}

FrontDoor::~FrontDoor()
{
    for (Connection *c : std::as_const(m_connections)) {
        if (c->descriptor >= 0)
            ::close(int(c->descriptor));
        m_ledger->leave(c->ledgerId);
    }
    qDeleteAll(m_connections);
}

qint64 FrontDoor::raiseDescriptorLimit()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return -1;
    if (limit.rlim_cur < limit.rlim_max) {
        rlimit raised = limit;
        raised.rlim_cur = limit.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
            return qint64(raised.rlim_cur);
    }
    return qint64(limit.rlim_cur);
}

void FrontDoor::incomingConnection(qintptr descriptor)
{
    // An answer is written whole, in one write: Nagle's algorithm could only
    // hold its last segment back until the client acknowledged the ones
    // before it, which a client's delayed acknowledgement puts off by up to
    // 40 ms.
    const int noDelay = 1;
    ::setsockopt(int(descriptor), IPPROTO_TCP, TCP_NODELAY, &noDelay, sizeof noDelay);
    sockaddr_storage peer{};
    socklen_t peerLength = sizeof peer;
    if (::getpeername(int(descriptor), reinterpret_cast<sockaddr *>(&peer), &peerLength) != 0) {
        ::close(int(descriptor)); // gone already
        return;
    }
    const QHostAddress address(reinterpret_cast<const sockaddr *>(&peer));
    const ConnectionLedger::Admission admission =
        m_ledger->admit(address, m_workers.isEmpty() ? QList<FrontDoor *>{this} : m_workers);
    for (const ConnectionLedger::Eviction &eviction : admission.evictions)
        evict(eviction);
    if (!admission.id) {
        const bool overTotal = admission.overTotal;
        count(QStringLiteral("provisio_http_connections_refused_total"),
              QStringLiteral("cap=\"%1\"").arg(overTotal ? u"total" : u"address"));
        qCDebug(lcFrontDoor) << "connection refused: the" << (overTotal ? "total" : "per-address")
                             << "connection cap is reached and every connection is busy";
        if (!m_ssl) {
            // Plain HTTP can say why; under TLS nothing is said before a handshake.
            static const char refusal[] = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n"
                                          "Content-Length: 0\r\nConnection: close\r\n\r\n";
            [[maybe_unused]] const auto written = ::send(int(descriptor), refusal, sizeof refusal - 1, MSG_NOSIGNAL);
        }
        ::close(int(descriptor));
        return;
    }
    FrontDoor *door = admission.door;
    if (door == this) {
        adopt(descriptor, address, admission.id);
        return;
    }
    const quint64 id = admission.id;
    std::shared_ptr<ConnectionLedger> ledger = m_ledger;
    const bool posted = QMetaObject::invokeMethod(
        door, [door, descriptor, address, id] { door->adopt(descriptor, address, id); }, Qt::QueuedConnection);
    if (!posted) {
        ::close(int(descriptor));
        ledger->leave(id);
    }
}

void FrontDoor::adopt(qintptr descriptor, const QHostAddress &address, quint64 ledgerId)
{
    if (m_ssl) {
        awaitHello(descriptor, address, ledgerId);
        return;
    }
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        ::close(int(descriptor));
        delete socket;
        m_ledger->leave(ledgerId);
        return;
    }
    admit(socket, address, ledgerId);
}

void FrontDoor::evict(const ConnectionLedger::Eviction &eviction)
{
    FrontDoor *door = eviction.door;
    const quint64 id = eviction.id;
    if (door == this)
        closeEvicted(id);
    else
        QMetaObject::invokeMethod(
            door, [door, id] { door->closeEvicted(id); }, Qt::QueuedConnection);
}

void FrontDoor::closeEvicted(quint64 ledgerId)
{
    // The ledger no longer counts it: closed even if a request has just
    // begun on it (as a keep-alive connection closed for idleness would be).
    for (Connection *c : std::as_const(m_connections)) {
        if (c->ledgerId == ledgerId) {
            close(c, "evicted");
            return;
        }
    }
}

void FrontDoor::awaitHello(qintptr descriptor, const QHostAddress &address, quint64 ledgerId)
{
    auto *notifier = new QSocketNotifier(descriptor, QSocketNotifier::Read, this);
    auto *key = reinterpret_cast<QTcpSocket *>(notifier); // a unique key, never used as a socket
    auto *c = new Connection(nullptr, address, RequestFraming(m_limits.framing, m_bodyLimit));
    c->key = key;
    c->ledgerId = ledgerId;
    c->descriptor = descriptor;
    c->notifier = notifier;
    m_connections.insert(key, c);
    const qint64 now = m_clock.elapsed();
    c->stageStart = c->lastActivity = c->lastWrite = now;
    c->deadline = now + m_limits.tlsHandshakeTimeoutMs;
    c->deadlineReason = "tls-handshake";
    connect(notifier, &QSocketNotifier::activated, this, [this, key] { startTls(key); });
}

void FrontDoor::startTls(QTcpSocket *pendingKey)
{
    Connection *c = m_connections.take(pendingKey);
    if (!c)
        return;
    c->notifier->setEnabled(false);
    c->notifier->deleteLater();
    c->notifier = nullptr;
    auto *ssl = new QSslSocket(this);
    if (!ssl->setSocketDescriptor(c->descriptor)) {
        ::close(int(c->descriptor));
        c->descriptor = -1;
        m_connections.insert(pendingKey, c);
        forget(pendingKey);
        delete ssl;
        return;
    }
    c->descriptor = -1;
    c->key = ssl;
    c->socket = ssl;
    m_connections.insert(ssl, c);
    QTcpSocket *socket = ssl;
    connect(socket, &QObject::destroyed, this, [this, socket] { forget(socket); });
    connect(ssl, &QSslSocket::encrypted, this, [this, socket] {
        if (Connection *c = m_connections.value(socket))
            startHttp(c);
    });
    connect(ssl, &QAbstractSocket::disconnected, this, [this, socket] {
        Connection *c = m_connections.value(socket);
        if (c && c->stage == Stage::Handshake) {
            forget(socket);
            socket->deleteLater();
        }
    });
    ssl->setSslConfiguration(*m_ssl);
    ssl->startServerEncryption();
}

void FrontDoor::admit(QTcpSocket *socket, const QHostAddress &address, quint64 ledgerId)
{
    auto *c = new Connection(socket, address, RequestFraming(m_limits.framing, m_bodyLimit));
    c->ledgerId = ledgerId;
    m_connections.insert(socket, c);
    const qint64 now = m_clock.elapsed();
    c->stageStart = c->lastActivity = c->lastWrite = now;
    connect(socket, &QObject::destroyed, this, [this, socket] { forget(socket); });
    startHttp(c);
}

void FrontDoor::startHttp(Connection *c)
{
    QTcpSocket *socket = c->socket;
    c->stage = Stage::Http;
    c->stageStart = c->lastActivity = m_clock.elapsed();
    c->serial = m_nextSerial++;
    if (auto *ssl = qobject_cast<QSslSocket *>(socket))
        disconnect(ssl, &QAbstractSocket::disconnected, this, nullptr);
    // Connected before Qt HTTP Server connects its own readyRead slot (in
    // addPendingConnection, see handToQt), so the framing sees every byte
    // before Qt does.
    connect(socket, &QIODevice::readyRead, this, [this, socket] {
        if (Connection *c = m_connections.value(socket)) {
            if (c->qtReads)
                beforeQtReads(c);
            else
                readRequests(c);
        }
    });
    connect(socket, &QIODevice::bytesWritten, this, [this, socket] {
        if (Connection *c = m_connections.value(socket)) {
            c->lastWrite = m_clock.elapsed();
            rearm(c);
        }
    });
    rearm(c);
    if (!m_requestHandler) {
        handToQt(c, false);
        return;
    }
    c->framing.setKeepBody(true);
    // Qt HTTP Server deletes the sockets it was given once they disconnect;
    // until a connection goes to it, that is the door's job. (Qt's WebSocket
    // hand-over disconnects this along with every other connection.)
    connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
    if (socket->bytesAvailable() > 0)
        readRequests(c);
}

void FrontDoor::noteIdle(Connection *c)
{
    const bool idle =
        c->stage == Stage::Handshake || (!c->framing.inRequest() && c->framing.completedRequests() == c->responded &&
                                         c->socket && c->socket->bytesToWrite() == 0);
    if (idle != c->idle) {
        c->idle = idle;
        m_ledger->setIdle(c->ledgerId, idle);
    }
}

void FrontDoor::rearm(Connection *c)
{
    noteIdle(c);
    if (c->rejected || c->stage == Stage::Handshake)
        return;
    QTcpSocket *socket = c->socket;
    const RequestFraming &f = c->framing;
    const bool writing = socket && socket->bytesToWrite() > 0;
    if (f.phase() == RequestFraming::Phase::Head) {
        c->deadline = c->requestStart + m_limits.headerTimeoutMs;
        c->deadlineReason = "slow-header";
    } else if (f.inRequest()) {
        c->deadline = c->lastActivity + m_limits.bodyStallTimeoutMs;
        c->deadlineReason = "body-stalled";
    } else if (writing) {
        c->deadline = c->lastWrite + m_limits.writeStallTimeoutMs;
        c->deadlineReason = "write-stalled";
    } else if (f.completedRequests() > c->responded) {
        c->deadline = 0; // a handler is working on it (a direct method may take minutes)
        c->deadlineReason = "";
    } else if (f.completedRequests() == 0) {
        c->deadline = c->stageStart + m_limits.headerTimeoutMs;
        c->deadlineReason = "no-request";
    } else {
        c->deadline = c->lastActivity + m_limits.idleTimeoutMs;
        c->deadlineReason = "idle";
    }
}

void FrontDoor::sweep()
{
    const qint64 now = m_clock.elapsed();
    QList<Connection *> expired;
    for (Connection *c : std::as_const(m_connections)) {
        if (c->stage == Stage::Http && !c->rejected && c->deadline == 0)
            rearm(c); // a handler answered meanwhile, or the write buffer drained
        if (c->deadline != 0 && now >= c->deadline)
            expired.append(c);
    }
    for (Connection *c : std::as_const(expired))
        close(c, c->deadlineReason);
}

void FrontDoor::onAcceptError(QAbstractSocket::SocketError error)
{
    // Out of descriptors (EMFILE/ENFILE): QTcpServer has paused accepting and
    // never resumes by itself. Free what idle connections hold and resume.
    qCWarning(lcFrontDoor) << "accepting failed:" << errorString() << "- freeing idle connections";
    if (error == QAbstractSocket::SocketResourceError) {
        for (int i = 0; i < 16; ++i) {
            const auto eviction = m_ledger->evictOldestIdle();
            if (!eviction)
                break;
            evict(*eviction);
        }
    }
    m_resumeTimer->start(kResumeAcceptMs);
}

void FrontDoor::close(Connection *c, const char *reason)
{
    QPointer<QTcpSocket> socket = c->socket;
    QTcpSocket *key = c->key;
    const bool qtOwns = c->stage == Stage::Http && c->qtReads;
    const qintptr pendingDescriptor = c->descriptor;
    QSocketNotifier *notifier = c->notifier;
    count(QStringLiteral("provisio_http_connections_closed_total"),
          QStringLiteral("reason=\"%1\"").arg(QLatin1String(reason)));
    qCDebug(lcFrontDoor) << "closing a connection from" << c->address.toString() << reason;
    forget(key);
    if (pendingDescriptor >= 0) {
        delete notifier;
        ::close(int(pendingDescriptor));
        return;
    }
    if (!socket)
        return;
    disconnect(socket, nullptr, this, nullptr);
    socket->abort();
    // Qt HTTP Server deletes the sockets it was given once they disconnect.
    if (!qtOwns)
        socket->deleteLater();
}

void FrontDoor::forget(QTcpSocket *socket)
{
    Connection *c = m_connections.take(socket);
    if (!c)
        return;
    m_ledger->leave(c->ledgerId);
    delete c;
}

} // namespace Provisio

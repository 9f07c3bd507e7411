// SPDX-License-Identifier: Apache-2.0
#include "frontdoor.h"

#include "base/metrics.h"
#include "crypto/keys.h"
#include "protocol/timeutil.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

#include <QLoggingCategory>
#include <QSocketNotifier>
#include <QSslSocket>
#include <QTcpSocket>
#include <QThread>

#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcFrontDoor, "provisio.middleware.frontdoor")

namespace Provisio {

namespace {
const char kRejectedProperty[] = "provisio.frontdoor.rejected";
constexpr int kSweepMs = 250;
constexpr int kResumeAcceptMs = 100;
constexpr int kClosingGraceMs = 5000;
// A refused body is read and dropped up to this much, so its sender sees
// the answer instead of a reset.
constexpr qint64 kMaxDrainBytes = 32 * 1024 * 1024;

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 417:
        return "Expectation Failed";
    case 431:
        return "Request Header Fields Too Large";
    case 501:
        return "Not Implemented";
    default:
        return "Error";
    }
}

} // namespace

struct FrontDoor::Connection
{
    Connection(QTcpSocket *s, const QHostAddress &a, RequestFraming f)
        : key(s), socket(s), address(a), framing(std::move(f))
    { }

    QTcpSocket *key; // never dereferenced: the table's key
    quint64 ledgerId = 0;
    bool idle = true; // as the ledger was last told
    QPointer<QTcpSocket> socket;
    // TLS connections that have sent nothing yet are only a descriptor and a
    // notifier: a flood of silent sockets costs no TLS context.
    qintptr descriptor = -1;
    QSocketNotifier *notifier = nullptr;
    QHostAddress address;
    RequestFraming framing;
    Stage stage = Stage::Handshake;
    qint64 seenUnconsumed = 0; // bytes in the socket's buffer the framing has already followed
    quint64 responded = 0;
    qint64 stageStart = 0;
    qint64 requestStart = 0;
    qint64 lastActivity = 0;
    qint64 lastWrite = 0;
    qint64 deadline = 0; // 0: none
    const char *deadlineReason = "";
    bool rejected = false;
    qint64 drainLeft = 0; // after a rejection: body bytes still read and thrown away
};

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

bool FrontDoor::isRejected(const QTcpSocket *socket)
{
    return socket && socket->property(kRejectedProperty).toBool();
}

void FrontDoor::incomingConnection(qintptr descriptor)
{
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
    if (auto *ssl = qobject_cast<QSslSocket *>(socket))
        disconnect(ssl, &QAbstractSocket::disconnected, this, nullptr);
    // Connected before Qt HTTP Server connects its own readyRead slot (in
    // addPendingConnection), so the framing sees every byte before Qt does.
    connect(socket, &QIODevice::readyRead, this, [this, socket] {
        if (Connection *c = m_connections.value(socket))
            beforeQtReads(c);
    });
    connect(socket, &QIODevice::bytesWritten, this, [this, socket] {
        if (Connection *c = m_connections.value(socket)) {
            c->lastWrite = m_clock.elapsed();
            rearm(c);
        }
    });
    rearm(c);
    addPendingConnection(socket);
    // After Qt's slot: what Qt left unread has been followed already.
    connect(socket, &QIODevice::readyRead, this, [this, socket] {
        if (Connection *c = m_connections.value(socket))
            afterQtRead(c);
    });
}

void FrontDoor::beforeQtReads(Connection *c)
{
    QTcpSocket *socket = c->socket;
    if (c->rejected) {
        drain(c);
        return;
    }
    const qint64 available = socket->bytesAvailable();
    qint64 offset = c->seenUnconsumed;
    if (available <= offset)
        return;
    const qint64 now = m_clock.elapsed();
    c->lastActivity = now;
    while (offset < available) {
        const bool wasIdle = !c->framing.inRequest();
        const quint64 completedBefore = c->framing.completedRequests();
        std::optional<RequestFraming::Rejection> rejection;
        const qint64 feedStart = offset;
        const qint64 blind = qMin(available - offset, c->framing.skippable());
        qint64 taken;
        if (blind > 0) {
            rejection = c->framing.feed(nullptr, blind);
            taken = blind;
        } else {
            // Only header bytes are looked at: at most one head's worth at a time.
            const qint64 want = qMin<qint64>(available - offset, 16 * 1024);
            const QByteArray bytes = socket->peek(offset + want).mid(offset);
            if (bytes.isEmpty())
                break;
            rejection = c->framing.feed(bytes.constData(), bytes.size());
            taken = bytes.size();
        }
        offset += taken;
        if (rejection) {
            rejectRequest(c, *rejection, feedStart + c->framing.lastFeedConsumed());
            return;
        }
        if (c->framing.inRequest() && (wasIdle || c->framing.completedRequests() != completedBefore))
            c->requestStart = now;
        if (c->framing.takeExpectContinue())
            socket->write("HTTP/1.1 100 Continue\r\n\r\n");
    }
    c->seenUnconsumed = available;
    rearm(c);
}

void FrontDoor::afterQtRead(Connection *c)
{
    if (c->socket)
        c->seenUnconsumed = c->socket->bytesAvailable();
}

void FrontDoor::rejectRequest(Connection *c, const RequestFraming::Rejection &rejection, qint64 headBytesUnread)
{
    QTcpSocket *socket = c->socket;
    c->rejected = true;
    socket->setProperty(kRejectedProperty, true);
    count(QStringLiteral("provisio_http_requests_rejected_total"),
          QStringLiteral("status=\"%1\"").arg(rejection.status));
    qCInfo(lcFrontDoor).noquote() << "refused a request from" << c->address.toString() << "with" << rejection.status
                                  << QString::fromLatin1(rejection.message);
    // The one error shape of the API (DPS's): status x 1000 + detail.
    const QByteArray body =
        QJsonDocument(QJsonObject{{QStringLiteral("errorCode"), rejection.status * 1000 + 1},
                                  {QStringLiteral("message"), QString::fromLatin1(rejection.message)},
                                  {QStringLiteral("trackingId"), Crypto::randomToken(12)},
                                  {QStringLiteral("timestampUtc"), toIsoUtc(QDateTime::currentDateTimeUtc())}})
            .toJson(QJsonDocument::Compact);
    socket->write("HTTP/1.1 " + QByteArray::number(rejection.status) + ' ' + reasonPhrase(rejection.status) +
                  "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) +
                  "\r\nConnection: close\r\n\r\n" + body);
    // Qt HTTP Server never sees this connection again: it would buffer
    // what follows. Its slot is the one connected by its own object (our
    // parent); its transaction ends here.
    disconnect(socket, &QIODevice::readyRead, parent(), nullptr);
    if (socket->isTransactionStarted())
        socket->commitTransaction();
    c->deadline = m_clock.elapsed() + kClosingGraceMs;
    c->deadlineReason = "rejected";
    // A client that is still sending the refused body (most HTTP clients
    // read no answer before their upload is done) would see a reset instead
    // of the answer if the connection closed now: read and drop the body it
    // announced, up to a bound and the grace period, then close.
    if (rejection.status == 413 && c->framing.head() && !c->framing.head()->chunked)
        c->drainLeft = qMin(headBytesUnread + c->framing.head()->contentLength, kMaxDrainBytes);
    else if (rejection.status == 413)
        c->drainLeft = kMaxDrainBytes;
    drain(c);
}

void FrontDoor::drain(Connection *c)
{
    QTcpSocket *socket = c->socket;
    if (!socket || socket->state() != QAbstractSocket::ConnectedState)
        return;
    char scrap[16 * 1024];
    while (c->drainLeft > 0 && socket->bytesAvailable() > 0) {
        const qint64 n = socket->read(scrap, qMin<qint64>(sizeof scrap, c->drainLeft));
        if (n <= 0)
            break;
        c->drainLeft -= n;
    }
    if (c->drainLeft <= 0) {
        // Stops reading: what the client still sends is never buffered.
        socket->disconnectFromHost();
    }
}

void FrontDoor::responded(QTcpSocket *socket)
{
    if (Connection *c = m_connections.value(socket)) {
        c->responded += 1;
        c->lastActivity = m_clock.elapsed();
        rearm(c);
    }
}

void FrontDoor::release(QTcpSocket *socket)
{
    if (m_connections.contains(socket)) {
        disconnect(socket, nullptr, this, nullptr);
        forget(socket);
    }
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
    const Stage stage = c->stage;
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
    if (stage == Stage::Handshake)
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

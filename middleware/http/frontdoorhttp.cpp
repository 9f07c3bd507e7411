// SPDX-License-Identifier: Apache-2.0
// The front door's side of HTTP on each connection: its own request parser
// (readRequests, deliver, answer), the hand-over of an upgrade request to Qt
// HTTP Server and the framing ahead of Qt's parser (beforeQtReads), the
// refusals. Accepting, TLS and timeouts are in frontdoor.cpp.
#include "frontdoor.h"
#include "frontdoorconnection.h"
#include "httpwire.h"

#include "crypto/keys.h"
#include "protocol/timeutil.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

Q_DECLARE_LOGGING_CATEGORY(lcFrontDoor)

namespace Provisio {

namespace {
const char kRejectedProperty[] = "provisio.frontdoor.rejected";
constexpr int kClosingGraceMs = 5000;
// A refused body is read and dropped up to this much, so its sender sees
// the answer instead of a reset.
constexpr qint64 kMaxDrainBytes = 32 * 1024 * 1024;
// What our parser looks at in one go: a head's worth, or part of a body.
constexpr qint64 kPeekBytes = 16 * 1024;

// Acknowledges what arrives at once rather than after the kernel's delay
// (up to 40 ms): a client with Nagle's algorithm on (Qt's network access
// manager, which writes a body 16 KiB at a time) holds the last, short
// segment of a request until its earlier ones are acknowledged, so every
// large request waited out the delay (a 5,000-row CSV import: 42 ms of a
// 115 ms request). Linux clears the flag again by itself, so it is set
// each time the connection is read.
void acknowledgeAtOnce(const QTcpSocket *socket)
{
    const int one = 1;
    ::setsockopt(int(socket->socketDescriptor()), IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
}
} // namespace

void FrontDoor::setRequestHandler(RequestHandler handler, QList<ClientAddress::Range> trustedProxies)
{
    m_requestHandler = std::move(handler);
    m_trustedProxies = std::move(trustedProxies);
}

void FrontDoor::readRequests(Connection *c)
{
    QTcpSocket *socket = c->socket;
    if (c->rejected) {
        drain(c);
        return;
    }
    const qint64 now = m_clock.elapsed();
    c->lastActivity = now;
    acknowledgeAtOnce(socket);
    if (c->closeAfter != std::numeric_limits<quint64>::max()) {
        // Nothing after a request that closes the connection is read.
        socket->skip(socket->bytesAvailable());
        return;
    }
    const bool waiting = c->handedOver || c->nextSequence - c->responded >= kMaxRequestsInFlight;
    if (waiting && !c->framing.inRequest()) {
        // An upgrade request waits for the answers before it (then goes to
        // Qt), or the connection has its fill of requests in flight: what
        // arrives meanwhile stays in the socket, up to a bound.
        if (socket->bytesAvailable() > kMaxBytesWhileWaiting)
            close(c, "pipeline-overflow");
        return;
    }
    // `bytes` mirrors the start of the socket's buffer from `base` on (what
    // was consumed since the peek is gone from the socket); `at` is the next
    // byte to feed. A head stays in the socket until it is complete and known
    // not to be an upgrade request, which Qt must then read from there; the
    // rest is consumed as soon as it is fed.
    QByteArray bytes;
    qint64 base = 0;
    qint64 at = 0;
    while (c->closeAfter == std::numeric_limits<quint64>::max()) {
        if (!c->framing.inRequest() && c->nextSequence - c->responded >= kMaxRequestsInFlight) {
            if (socket->bytesAvailable() > kMaxBytesWhileWaiting) {
                close(c, "pipeline-overflow");
                return;
            }
            break; // resumed by writeAnswer
        }
        if (at >= bytes.size()) {
            const qint64 available = socket->bytesAvailable();
            if (available <= c->seenUnconsumed)
                break;
            bytes = socket->peek(qMin(available, c->seenUnconsumed + kPeekBytes));
            base = 0;
            at = c->seenUnconsumed;
            if (at >= bytes.size())
                break;
        }
        const bool wasIdle = !c->framing.inRequest();
        const quint64 completedBefore = c->framing.completedRequests();
        const std::optional<RequestFraming::Rejection> rejection =
            c->framing.feedToNextEvent(bytes.constData() + at, bytes.size() - at);
        at += c->framing.lastFeedConsumed();
        if (rejection) {
            rejectRequest(c, *rejection, at - base);
            return;
        }
        const bool completed = c->framing.completedRequests() != completedBefore;
        if (c->framing.inRequest() && (wasIdle || completed))
            c->requestStart = now;
        if (c->framing.takeExpectContinue())
            socket->write("HTTP/1.1 100 Continue\r\n\r\n");
        const bool headCompleted = c->framing.takeHeadCompleted();
        if (c->framing.phase() == RequestFraming::Phase::Head) {
            c->seenUnconsumed = at - base; // a head still arriving
            continue;
        }
        if (headCompleted && c->framing.head() && HttpWire::asksForWebSocket(*c->framing.head())) {
            // Qt reads it from the socket, where all of it still is (an
            // upgrade request's body, if any, too: it follows the framing
            // from here on).
            c->seenUnconsumed = at - base;
            c->handedOver = true;
            c->handedAt = c->framing.completedRequests();
            if (!completed)
                c->handedAt += 1; // its body is still to come
            // Qt answers at once: only after the answers owed before it.
            if (c->responded == c->nextSequence)
                handToQt(c, true);
            rearm(c);
            return;
        }
        socket->skip(at - base);
        base = at;
        c->seenUnconsumed = 0;
        if (completed)
            deliver(c);
    }
    rearm(c);
}

void FrontDoor::deliver(Connection *c)
{
    std::optional<RequestFraming::Head> head = c->framing.takeHead();
    if (!head)
        return;
    ParsedRequest parsed;
    parsed.timer.start();
    parsed.socket = c->socket;
    parsed.connection = c->serial;
    parsed.sequence = c->nextSequence++;
    if (HttpWire::closesAfter(*head))
        c->closeAfter = parsed.sequence; // and nothing after it is read
    parsed.request = HttpWire::toHttpRequest(std::move(*head), c->framing.takeBody(), c->address, m_trustedProxies);
    m_requestHandler(std::move(parsed));
}

void FrontDoor::answer(QTcpSocket *socket, quint64 connection, quint64 sequence, const HttpResponse &response)
{
    Connection *c = m_connections.value(socket);
    // The connection number tells a new socket at the same address from the
    // one that asked.
    if (!c || c->serial != connection) {
        qCDebug(lcFrontDoor) << "client left before the answer";
        return;
    }
    if (sequence != c->nextToWrite) {
        c->waiting.emplace(sequence, response);
        return;
    }
    writeAnswer(c, response);
    for (auto next = c->waiting.find(c->nextToWrite); next != c->waiting.end();
         next = c->waiting.find(c->nextToWrite)) {
        const HttpResponse waiting = std::move(next->second);
        c->waiting.erase(next);
        writeAnswer(c, waiting);
    }
}

void FrontDoor::writeAnswer(Connection *c, const HttpResponse &response)
{
    const quint64 sequence = c->nextToWrite++;
    QTcpSocket *socket = c->socket;
    // A later request on the connection broke the framing: the door has
    // answered it and closes the connection; nothing may follow that.
    if (!socket || !socket->isOpen() || c->rejected)
        return;
    const bool closing = sequence == c->closeAfter;
    socket->write(HttpWire::render(response, closing));
    c->responded += 1;
    c->lastActivity = m_clock.elapsed();
    if (closing)
        socket->disconnectFromHost(); // once the answer is written
    else if (c->handedOver && !c->qtReads && c->responded == c->nextSequence)
        handToQt(c, true);
    else if (c->nextSequence - c->responded == kMaxRequestsInFlight - 1 && !c->handedOver &&
             socket->bytesAvailable() > c->seenUnconsumed)
        // Below the cap again with requests waiting in the socket; queued, as
        // this may run inside readRequests (a handler that answered at once).
        QMetaObject::invokeMethod(
            this,
            [this, key = c->key] {
                if (Connection *c = m_connections.value(key); c && !c->qtReads)
                    readRequests(c);
            },
            Qt::QueuedConnection);
    rearm(c);
}

void FrontDoor::handToQt(Connection *c, bool replay)
{
    QTcpSocket *socket = c->socket;
    c->qtReads = true;
    c->framing.setKeepBody(false);
    addPendingConnection(socket);
    // After Qt's slot: what Qt left unread has been followed already.
    connect(socket, &QIODevice::readyRead, this, [this, socket] {
        if (Connection *c = m_connections.value(socket))
            afterQtRead(c);
    });
    if (replay)
        QMetaObject::invokeMethod(
            socket, [socket] { Q_EMIT socket->readyRead(); }, Qt::QueuedConnection);
}

bool FrontDoor::isRejected(const QTcpSocket *socket)
{
    return socket && socket->property(kRejectedProperty).toBool();
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
        if (c->handedOver && (c->framing.completedRequests() > c->handedAt ||
                              (c->framing.completedRequests() == c->handedAt && c->framing.inRequest()))) {
            // Qt parses the upgrade request and nothing after it.
            rejectRequest(c, {400, QByteArray("no request may follow an upgrade request")},
                          feedStart + c->framing.lastFeedConsumed());
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
    socket->write("HTTP/1.1 " + QByteArray::number(rejection.status) + ' ' + HttpWire::reasonPhrase(rejection.status) +
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

} // namespace Provisio

// SPDX-License-Identifier: Apache-2.0
// EventsFeed's protections against clients that misbehave, in process so the
// test controls the clock and the event rate: a client that stops reading is
// dropped once its unsent bytes pass the bound (while one that reads keeps
// every event), a peer that stops answering pings is dropped, a revoked token
// ends the feed. Real sockets, real SQLite, real HttpServer.
#include "base/metrics.h"
#include "domain/eventbus.h"
#include "events/eventsfeed.h"
#include "http/httpserver.h"
#include "storage/database.h"
#include "storage/tokenstore.h"

#include <QDir>
#include <QJsonDocument>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

#include <memory>

using namespace Provisio;

namespace {

// Completes a WebSocket handshake by hand, then reads at most what Qt's
// small read buffer takes: from then on the kernel buffers fill and the
// server's writes back up, as with a stalled client on a bad network.
class StalledClient
{
public:
    bool open(quint16 port, const QByteArray &token)
    {
        m_socket.setReadBufferSize(4096);
        // The server runs on this thread: wait by spinning the event loop,
        // never with the blocking waitFor* calls.
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        QDeadlineTimer deadline(5000);
        while (m_socket.state() != QAbstractSocket::ConnectedState && !deadline.hasExpired())
            QTest::qWait(10);
        m_socket.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
        m_socket.write("GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                       "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                       "Sec-WebSocket-Version: 13\r\nAuthorization: Bearer " +
                       token + "\r\n\r\n");
        QByteArray answer;
        while (!answer.contains("\r\n\r\n") && !deadline.hasExpired()) {
            if (m_socket.bytesAvailable() == 0)
                QTest::qWait(10);
            answer += m_socket.read(1); // byte by byte: leave the hello unread
        }
        return answer.startsWith("HTTP/1.1 101");
    }

private:
    QTcpSocket m_socket;
};

} // namespace

class TestEventsFeed : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void stalledClientIsDroppedReaderKeepsEverything();
    void unresponsivePeerIsDropped();
    void revokedTokenEndsTheFeed();
    void clientsAreCapped();

private:
    void startFeed(EventsFeed::Options options);
    std::unique_ptr<QWebSocket> openReader(QList<QByteArray> *received, int *closeCode);

    QTemporaryDir m_dir;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<TokenStore> m_tokens;
    std::unique_ptr<Metrics> m_metrics;
    std::unique_ptr<HttpServer> m_http;
    std::unique_ptr<EventBus> m_bus;
    std::unique_ptr<EventsFeed> m_feed;
    QTcpServer *m_tcp = nullptr;
    QByteArray m_token;
};

void TestEventsFeed::init()
{
    auto db = Database::open(
        QDir(m_dir.path()).filePath(QStringLiteral("feed-%1.db").arg(QLatin1String(QTest::currentTestFunction()))));
    QVERIFY(db);
    m_db = std::move(*db);
    QVERIFY(m_db->migrate());
    m_tokens = std::make_unique<TokenStore>(*m_db);
    auto created = m_tokens->create(Role::Viewer, QStringLiteral("feed-viewer"));
    QVERIFY(created);
    m_token = created->token.toUtf8();
    m_metrics = std::make_unique<Metrics>();
    m_http = std::make_unique<HttpServer>(m_metrics.get());
    m_tcp = new QTcpServer(m_http.get());
    QVERIFY(m_tcp->listen(QHostAddress::LocalHost, 0));
    m_http->bind(m_tcp);
    m_bus = std::make_unique<EventBus>();
}

void TestEventsFeed::cleanup()
{
    m_feed.reset();
    m_http.reset();
    m_bus.reset();
    m_metrics.reset();
    m_tokens.reset();
    m_db.reset();
}

void TestEventsFeed::startFeed(EventsFeed::Options options)
{
    m_feed = std::make_unique<EventsFeed>(*m_http, *m_bus, *m_tokens, QStringLiteral("0ne00000001"), m_metrics.get(),
                                          options);
}

std::unique_ptr<QWebSocket> TestEventsFeed::openReader(QList<QByteArray> *received, int *closeCode)
{
    auto socket = std::make_unique<QWebSocket>();
    QWebSocket *raw = socket.get();
    QObject::connect(raw, &QWebSocket::textMessageReceived, raw,
                     [received](const QString &m) { received->append(m.toUtf8()); });
    QObject::connect(raw, &QWebSocket::disconnected, raw, [raw, closeCode] { *closeCode = raw->closeCode(); });
    QNetworkRequest request(QUrl(QStringLiteral("ws://127.0.0.1:%1/api/v1/events").arg(m_tcp->serverPort())));
    request.setRawHeader("Authorization", "Bearer " + m_token);
    raw->open(request);
    return socket;
}

void TestEventsFeed::stalledClientIsDroppedReaderKeepsEverything()
{
    EventsFeed::Options options;
    options.maxBufferedBytes = 256 * 1024;
    startFeed(options);

    QList<QByteArray> received;
    int readerClose = -1;
    auto reader = openReader(&received, &readerClose);
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 1, 5000); // hello
    StalledClient stalled;
    QVERIFY(stalled.open(m_tcp->serverPort(), m_token));
    QTRY_COMPARE(m_feed->clientCount(), 2);

    // 64 KiB events until the stalled client's backlog passes the bound:
    // far more than the kernel buffers take, far less than would hurt.
    const QString filler(64 * 1024, QLatin1Char('x'));
    int published = 0;
    for (; published < 2000 && m_feed->clientCount() == 2; ++published) {
        DomainEvent e;
        e.kind = EventKind::Telemetry;
        e.deviceId = QStringLiteral("dev-1");
        e.data = QJsonObject{{QStringLiteral("filler"), filler}, {QStringLiteral("n"), published}};
        m_bus->publish(e);
        // The reader keeps up: wait for it before the next event.
        QTRY_COMPARE_WITH_TIMEOUT(received.size(), published + 2, 5000);
    }
    QCOMPARE(m_feed->clientCount(), 1); // the stalled one went, the reader stayed
    QVERIFY2(published < 2000, "the stalled client was never dropped");
    QVERIFY(published > 4); // and not before its backlog really grew
    qInfo("stalled client dropped after %d events of 64 KiB", published);
    QCOMPARE(readerClose, -1);
    QVERIFY(m_metrics->render().contains("provisio_events_dropped_clients_total{reason=\"slow\"} 1"));
    // The server let go of the connection: closed, and when the close went
    // unanswered, aborted; the socket and its backlog are freed.
    QTRY_COMPARE_WITH_TIMEOUT(m_feed->findChildren<QWebSocket *>().size(), 1, 15000);

    // The reader still gets what follows.
    DomainEvent last;
    last.kind = EventKind::DeviceOnline;
    m_bus->publish(last);
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), published + 2, 5000);
    QCOMPARE(QJsonDocument::fromJson(received.last()).object().value(QStringLiteral("type")).toString(),
             QStringLiteral("device.online"));
}

void TestEventsFeed::unresponsivePeerIsDropped()
{
    EventsFeed::Options options;
    options.pingIntervalMs = 200;
    startFeed(options);
    QList<QByteArray> received;
    int readerClose = -1;
    auto reader = openReader(&received, &readerClose); // QWebSocket answers pings itself
    StalledClient stalled;                             // never reads, so never answers
    QVERIFY(stalled.open(m_tcp->serverPort(), m_token));
    QTRY_COMPARE(m_feed->clientCount(), 2);
    QTRY_COMPARE_WITH_TIMEOUT(m_feed->clientCount(), 1, 3000);
    QTest::qWait(1000); // several ping rounds later the live one is still there
    QCOMPARE(m_feed->clientCount(), 1);
    QCOMPARE(readerClose, -1);
    QTRY_COMPARE_WITH_TIMEOUT(m_feed->findChildren<QWebSocket *>().size(), 1, 5000);
}

void TestEventsFeed::revokedTokenEndsTheFeed()
{
    EventsFeed::Options options;
    options.pingIntervalMs = 200;
    startFeed(options);
    QList<QByteArray> received;
    int readerClose = -1;
    auto reader = openReader(&received, &readerClose);
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 1, 5000);
    QVERIFY(m_tokens->revoke(QStringLiteral("feed-viewer")));
    // TokenStore caches lookups for a few seconds; the feed re-checks on every ping.
    QTRY_COMPARE_WITH_TIMEOUT(readerClose, int(QWebSocketProtocol::CloseCodePolicyViolated),
                              TokenStore::kCacheMilliseconds + 3000);
    QCOMPARE(m_feed->clientCount(), 0);
}

void TestEventsFeed::clientsAreCapped()
{
    EventsFeed::Options options;
    options.maxClients = 2;
    startFeed(options);
    QList<QByteArray> firstReceived, secondReceived, thirdReceived;
    int firstClose = -1, secondClose = -1, thirdClose = -1;
    auto first = openReader(&firstReceived, &firstClose);
    auto second = openReader(&secondReceived, &secondClose);
    QTRY_COMPARE_WITH_TIMEOUT(m_feed->clientCount(), 2, 5000);

    // One over the cap: closed with a policy violation before any hello.
    auto third = openReader(&thirdReceived, &thirdClose);
    QTRY_COMPARE_WITH_TIMEOUT(thirdClose, int(QWebSocketProtocol::CloseCodePolicyViolated), 5000);
    QCOMPARE(thirdReceived.size(), 0);
    QCOMPARE(m_feed->clientCount(), 2);
    QCOMPARE(firstClose, -1);
    QCOMPARE(secondClose, -1);

    // The refusal was the cap, not the request: once a client leaves, the
    // same request is served.
    first->close();
    QTRY_COMPARE_WITH_TIMEOUT(m_feed->clientCount(), 1, 5000);
    thirdClose = -1;
    third = openReader(&thirdReceived, &thirdClose);
    QTRY_COMPARE_WITH_TIMEOUT(thirdReceived.size(), 1, 5000); // hello
    QCOMPARE(m_feed->clientCount(), 2);
    QCOMPARE(thirdClose, -1);
}

QTEST_GUILESS_MAIN(TestEventsFeed)
#include "tst_events_feed.moc"

// SPDX-License-Identifier: Apache-2.0
// HttpServer with I/O threads, in process so the test sees the threads: the
// connections are served by several I/O threads while every handler runs on
// the event-loop thread; answers, immediate or deferred, reach the client in
// the order of its requests (written by the connection's own thread: Qt
// complains about any cross-thread socket use, and such a complaint fails
// the test); the connection caps are global, whichever thread holds a
// connection; a WebSocket upgraded on an I/O thread reaches the event loop.
// Real sockets over loopback, plain HTTP.
#include "base/metrics.h"
#include "http/connectionledger.h"
#include "http/httpserver.h"
#include "rawhttpclient.h"

#include <QRegularExpression>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <QTimer>
#include <QWebSocket>

#include <algorithm>
#include <memory>
#include <utility>

using namespace Provisio;

namespace {

constexpr int kIoThreads = 3;

using Client = Provisio::Test::RawHttpClient;

} // namespace

class TestHttpThreads : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void requestsAreReadByEveryThreadAndHandledOnTheEventLoop();
    void deferredAnswersKeepTheOrderOfTheRequests();
    void pipelinedRequestsInFlightAreCapped();
    void connectionCapsAreGlobal_data();
    void connectionCapsAreGlobal();
    void webSocketsReachTheEventLoop();
    void ledgerSpreadsCapsAndEvictsTheOldestIdle();

private:
    void start(const FrontDoor::Limits &limits = {});
    int threadsThatServed() const;

    std::unique_ptr<Metrics> m_metrics;
    std::unique_ptr<HttpServer> m_http;
    quint16 m_port = 0;
    int m_handledElsewhere = 0; // handlers that ran off the event-loop thread
    int m_waiting = 0;          // deferred answers not yet completed
    QList<std::shared_ptr<DeferredResponse>> m_held;
};

void TestHttpThreads::init()
{
    // What Qt says when an object is used from a thread it does not live in.
    QTest::failOnWarning(QRegularExpression(QStringLiteral("thread"), QRegularExpression::CaseInsensitiveOption));
    m_handledElsewhere = 0;
    m_waiting = 0;
    m_metrics = std::make_unique<Metrics>();
    m_http = std::make_unique<HttpServer>(m_metrics.get());
    m_http->setIoThreads(kIoThreads);
    QThread *eventLoop = QThread::currentThread();
    Router &router = m_http->router();
    router.add(QHttpServerRequest::Method::Get, QStringLiteral("/now"), Access::Public,
               [this, eventLoop](HttpRequest &) {
                   if (QThread::currentThread() != eventLoop)
                       ++m_handledElsewhere;
                   return HttpResponse::text("now", "text/plain");
               });
    // Answers after `ms` milliseconds, or when released (`ms` absent).
    router.add(QHttpServerRequest::Method::Get, QStringLiteral("/later"), Access::Public,
               [this, eventLoop](HttpRequest &request) {
                   if (QThread::currentThread() != eventLoop)
                       ++m_handledElsewhere;
                   auto deferred = std::make_shared<DeferredResponse>();
                   ++m_waiting;
                   const QString ms = request.queryValue(QStringLiteral("ms"));
                   if (ms.isEmpty()) {
                       m_held.append(deferred);
                   } else {
                       QTimer::singleShot(ms.toInt(), m_http.get(), [this, deferred, ms] {
                           --m_waiting;
                           deferred->complete(HttpResponse::text("later-" + ms.toLatin1(), "text/plain"));
                       });
                   }
                   return HttpResponse::later(deferred);
               });
    m_http->addWebSocketPath(QStringLiteral("/ws"));
}

void TestHttpThreads::cleanup()
{
    m_held.clear();
    m_http.reset();
    m_metrics.reset();
}

void TestHttpThreads::start(const FrontDoor::Limits &limits)
{
    QString error;
    const auto port = m_http->listenGuarded(QHostAddress::LocalHost, 0, limits, std::nullopt, &error);
    QVERIFY2(port, qPrintable(error));
    m_port = *port;
    QCOMPARE(m_http->ioThreads(), kIoThreads);
}

int TestHttpThreads::threadsThatServed() const
{
    int threads = 0;
    for (int i = 1; i <= kIoThreads; ++i) {
        if (m_metrics->counter(QStringLiteral("provisio_http_io_requests_total"),
                               QStringLiteral("thread=\"%1\"").arg(i)) > 0)
            ++threads;
    }
    return threads;
}

void TestHttpThreads::requestsAreReadByEveryThreadAndHandledOnTheEventLoop()
{
    start();
    std::vector<std::unique_ptr<Client>> clients;
    for (int i = 0; i < 2 * kIoThreads; ++i) {
        clients.push_back(std::make_unique<Client>(m_port));
        QVERIFY(clients.back()->connected());
    }
    for (int round = 0; round < 3; ++round) {
        for (auto &c : clients)
            c->get("/now");
        for (auto &c : clients) {
            const Client::Answer a = c->next();
            QCOMPARE(a.statusLine(), QByteArray("HTTP/1.1 200 OK"));
            QCOMPARE(a.body, QByteArray("now"));
        }
    }
    QCOMPARE(m_handledElsewhere, 0);
    // The connections are spread over the threads (to the one holding the fewest).
    QCOMPARE(threadsThatServed(), kIoThreads);
    double served = 0;
    for (int i = 1; i <= kIoThreads; ++i)
        served += m_metrics->counter(QStringLiteral("provisio_http_io_requests_total"),
                                     QStringLiteral("thread=\"%1\"").arg(i));
    QCOMPARE(served, 3.0 * clients.size());
    QCOMPARE(m_metrics->counter(QStringLiteral("provisio_http_requests_total"),
                                QStringLiteral("route=\"/now\",status=\"200\"")),
             3.0 * clients.size());
}

void TestHttpThreads::deferredAnswersKeepTheOrderOfTheRequests()
{
    start();
    Client client(m_port);
    QVERIFY(client.connected());
    // Pipelined: the first answer is the last to be ready.
    client.send("GET /later?ms=300 HTTP/1.1\r\nHost: x\r\n\r\nGET /now HTTP/1.1\r\nHost: x\r\n\r\n"
                "GET /later?ms=50 HTTP/1.1\r\nHost: x\r\n\r\n");
    QCOMPARE(client.next().body, QByteArray("later-300"));
    QCOMPARE(client.next().body, QByteArray("now"));
    QCOMPARE(client.next().body, QByteArray("later-50"));

    // A client that leaves before its deferred answer: the answer is dropped,
    // the server goes on.
    {
        Client leaving(m_port);
        QVERIFY(leaving.connected());
        leaving.get("/later?ms=100");
        QTRY_COMPARE(m_waiting, 1);
        leaving.abort();
    }
    QTRY_COMPARE(m_waiting, 0);
    QTest::qWait(50);
    client.get("/now");
    QCOMPARE(client.next().body, QByteArray("now"));
    QCOMPARE(m_handledElsewhere, 0);
}

// A client that pipelines without waiting gets at most
// FrontDoor::kMaxRequestsInFlight requests parsed and handed over; the rest
// waits in its socket until answers go out, then every request is answered,
// in order.
void TestHttpThreads::pipelinedRequestsInFlightAreCapped()
{
    start();
    constexpr int kCap = int(FrontDoor::kMaxRequestsInFlight);
    constexpr int kSent = kCap + 10;
    Client client(m_port);
    QVERIFY(client.connected());
    QByteArray requests;
    for (int i = 0; i < kSent; ++i)
        requests += "GET /later HTTP/1.1\r\nHost: x\r\n\r\n";
    client.send(requests);
    QTRY_COMPARE(int(m_held.size()), kCap);
    QTest::qWait(100);
    QCOMPARE(int(m_held.size()), kCap); // the rest is not read while the cap is reached
    int answered = 0;
    for (int round = 0; round < 2; ++round) {
        const QList<std::shared_ptr<DeferredResponse>> held = std::exchange(m_held, {});
        for (const auto &deferred : held)
            deferred->complete(HttpResponse::text(QByteArray::number(answered++), "text/plain"));
        if (round == 0)
            QTRY_COMPARE(int(m_held.size()), kSent - kCap);
    }
    for (int i = 0; i < kSent; ++i)
        QCOMPARE(client.next().body, QByteArray::number(i));
    QCOMPARE(m_handledElsewhere, 0);

    // What waits in the socket meanwhile is bounded: a client that goes on
    // sending while its fill of requests is in flight is closed.
    Client flooding(m_port);
    QVERIFY(flooding.connected());
    QByteArray full;
    for (int i = 0; i < kCap; ++i)
        full += "GET /later HTTP/1.1\r\nHost: x\r\n\r\n";
    flooding.send(full);
    QTRY_COMPARE(int(m_held.size()), kCap);
    const QByteArray one = "GET /now HTTP/1.1\r\nHost: x\r\n\r\n";
    const QByteArray more = one.repeated(int(FrontDoor::kMaxBytesWhileWaiting / one.size()) + 2000);
    flooding.send(more);
    QVERIFY(flooding.closedByServer(10000));
    QTRY_COMPARE(m_metrics->counter(QStringLiteral("provisio_http_connections_closed_total"),
                                    QStringLiteral("reason=\"pipeline-overflow\"")),
                 1.0);
}

void TestHttpThreads::connectionCapsAreGlobal_data()
{
    QTest::addColumn<bool>("perAddress");
    QTest::newRow("per address") << true;
    QTest::newRow("total") << false;
}

void TestHttpThreads::connectionCapsAreGlobal()
{
    QFETCH(bool, perAddress);
    constexpr int kCap = 4; // more than one thread's share, less than all threads' together
    FrontDoor::Limits limits;
    limits.maxConnections = perAddress ? 1000 : kCap;
    limits.maxConnectionsPerAddress = perAddress ? kCap : 0;
    start(limits);

    // kCap busy connections (each waits for its answer): spread over threads.
    std::vector<std::unique_ptr<Client>> busy;
    for (int i = 0; i < kCap; ++i) {
        busy.push_back(std::make_unique<Client>(m_port));
        QVERIFY(busy.back()->connected());
        busy.back()->get("/later");
    }
    QTRY_COMPARE(m_waiting, kCap);
    QVERIFY(threadsThatServed() >= 2);

    // One more: nothing is idle, so it is refused, whichever thread accepts it.
    Client refused(m_port);
    const Client::Answer refusal = refused.next();
    QCOMPARE(refusal.statusLine(), QByteArray("HTTP/1.1 503 Service Unavailable"));
    QVERIFY(refused.closedByServer());
    const QString cap = perAddress ? QStringLiteral("cap=\"address\"") : QStringLiteral("cap=\"total\"");
    QTRY_COMPARE(m_metrics->counter(QStringLiteral("provisio_http_connections_refused_total"), cap), 1.0);

    // Answered, the busy connections become idle; the next newcomer pushes
    // out the oldest of them, in whatever thread it lives.
    for (const auto &deferred : std::as_const(m_held))
        deferred->complete(HttpResponse::text("released", "text/plain"));
    m_held.clear();
    for (auto &c : busy)
        QCOMPARE(c->next().body, QByteArray("released"));
    Client newcomer(m_port);
    QVERIFY(newcomer.connected());
    newcomer.get("/now");
    QCOMPARE(newcomer.next().body, QByteArray("now"));
    QTRY_COMPARE(int(std::count_if(busy.begin(), busy.end(), [](const auto &c) { return !c->isOpen(); })), 1);
    QTRY_COMPARE(m_metrics->counter(QStringLiteral("provisio_http_connections_closed_total"),
                                    QStringLiteral("reason=\"evicted\"")),
                 1.0);
    QCOMPARE(m_handledElsewhere, 0);
}

void TestHttpThreads::webSocketsReachTheEventLoop()
{
    start();
    QThread *eventLoop = QThread::currentThread();
    std::vector<std::unique_ptr<QWebSocket>> accepted;
    bool onEventLoop = true;
    connect(m_http.get(), &QAbstractHttpServer::newWebSocketConnection, this, [&] {
        while (m_http->hasPendingWebSocketConnections()) {
            std::unique_ptr<QWebSocket> ws = m_http->nextPendingWebSocketConnection();
            onEventLoop = onEventLoop && ws->thread() == eventLoop;
            QWebSocket *raw = ws.get();
            connect(raw, &QWebSocket::textMessageReceived, raw,
                    [raw](const QString &text) { raw->sendTextMessage(QStringLiteral("echo ") + text); });
            accepted.push_back(std::move(ws));
        }
    });

    // Several at once, each answered on its own.
    std::vector<std::unique_ptr<QWebSocket>> clients;
    QList<QString> echoes;
    for (int i = 0; i < kIoThreads; ++i) {
        auto client = std::make_unique<QWebSocket>();
        connect(client.get(), &QWebSocket::textMessageReceived, this,
                [&echoes](const QString &text) { echoes.append(text); });
        QWebSocket *raw = client.get();
        connect(raw, &QWebSocket::connected, raw, [raw, i] { raw->sendTextMessage(QString::number(i)); });
        raw->open(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws").arg(m_port)));
        clients.push_back(std::move(client));
    }
    QTRY_COMPARE(echoes.size(), kIoThreads);
    QVERIFY(onEventLoop);
    for (int i = 0; i < kIoThreads; ++i)
        QVERIFY2(echoes.contains(QStringLiteral("echo %1").arg(i)), qPrintable(echoes.join(u',')));
    QTRY_COMPARE(m_metrics->counter(QStringLiteral("provisio_http_requests_total"),
                                    QStringLiteral("route=\"/ws\",status=\"101\"")),
                 double(kIoThreads));
    // Closing from the event loop ends the client's connection.
    for (auto &ws : accepted)
        ws->close();
    for (auto &c : clients)
        QTRY_COMPARE(c->state(), QAbstractSocket::UnconnectedState);
}

// The ledger on its own: connections go to the door holding the fewest, the
// caps count every door's connections, eviction takes the oldest idle
// connection (of the address, for the per-address cap) whichever door holds it.
void TestHttpThreads::ledgerSpreadsCapsAndEvictsTheOldestIdle()
{
    auto ledger = std::make_shared<ConnectionLedger>(4, 2);
    const auto noBody = [](const QByteArray &, const QByteArray &) { return qint64(0); };
    FrontDoor a(FrontDoor::Limits{}, noBody, ledger);
    FrontDoor b(FrontDoor::Limits{}, noBody, ledger);
    const QList<FrontDoor *> doors{&a, &b};
    const QHostAddress one(QStringLiteral("192.0.2.1"));
    const QHostAddress two(QStringLiteral("192.0.2.2"));

    const auto first = ledger->admit(one, doors);
    const auto second = ledger->admit(one, doors);
    QVERIFY(first.id && second.id);
    QCOMPARE(first.door, &a);
    QCOMPARE(second.door, &b);
    ledger->setIdle(first.id, false);
    ledger->setIdle(second.id, false);

    // The address's cap, both of its connections busy: refused, nothing evicted.
    const auto refused = ledger->admit(one, doors);
    QCOMPARE(refused.id, 0u);
    QVERIFY(!refused.overTotal);
    QVERIFY(refused.evictions.isEmpty());

    // Another address still fits, up to the total cap.
    const auto third = ledger->admit(two, doors);
    const auto fourth = ledger->admit(two, doors);
    QVERIFY(third.id && fourth.id);
    QCOMPARE(ledger->total(), 4);

    // Total cap: the oldest idle connection goes, on whichever door.
    QTest::qWait(20);
    ledger->setIdle(second.id, true); // idle since now: younger than third and fourth
    const auto newcomer = ledger->admit(two, doors);
    QVERIFY(newcomer.id);
    QVERIFY(newcomer.overTotal);
    // Total cap first (the oldest idle anywhere: third), then two's own cap
    // (it holds fourth only now, under its cap): one eviction.
    QCOMPARE(newcomer.evictions.size(), 1);
    QCOMPARE(newcomer.evictions.first().id, third.id);
    QCOMPARE(newcomer.evictions.first().door, third.door);
    QCOMPARE(ledger->total(), 4);
    ledger->leave(third.id); // the door's report after closing it: already gone
    QCOMPARE(ledger->total(), 4);

    // The address's cap: only that address's idle connections are candidates.
    const auto again = ledger->admit(one, doors);
    QVERIFY(again.id);
    QCOMPARE(again.evictions.size(), 2); // total cap: fourth (oldest idle); address cap: second
    QCOMPARE(again.evictions.at(0).id, fourth.id);
    QCOMPARE(again.evictions.at(1).id, second.id);
    QCOMPARE(ledger->total(), 3);

    ledger->leave(first.id);
    ledger->leave(newcomer.id);
    ledger->leave(again.id);
    QCOMPARE(ledger->total(), 0);
}

QTEST_GUILESS_MAIN(TestHttpThreads)
#include "tst_httpthreads.moc"

// SPDX-License-Identifier: Apache-2.0
// What a handler sees of a request and what the client gets back, byte for
// byte, on the edges of HTTP/1.1: the request target's path and query as
// the routes decode them, header fields (case, duplicates, empty values,
// whitespace), bodies by Content-Length and chunked with their limits,
// Expect: 100-continue, HTTP/1.0, Connection: close, pipelining, HEAD and
// unknown methods, malformed requests, the error answers and their metrics,
// WebSocket upgrades. In process, over real sockets, with the server on the
// event-loop thread alone and with I/O threads (global data), so that every
// parser a request may meet is held to the same answers.
#include "base/metrics.h"
#include "http/httpserver.h"
#include "rawhttpclient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTest>
#include <QWebSocket>

#include <memory>

using namespace Provisio;

namespace {

constexpr qint64 kEchoMaxBody = 1000;

using Client = Provisio::Test::RawHttpClient;

// A literal with its NUL bytes.
template<size_t N>
QByteArray raw(const char (&text)[N])
{
    return QByteArray(text, qsizetype(N - 1));
}

QJsonArray headerArray(const QList<QPair<QByteArray, QByteArray>> &headers)
{
    QJsonArray out;
    for (const auto &h : headers)
        out.append(QJsonArray{QString::fromLatin1(h.first), QString::fromLatin1(h.second)});
    return out;
}

} // namespace

class TestHttpParsing : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void init();
    void cleanup();

    void exactAnswerBytes();
    void targetDecoding_data();
    void targetDecoding();
    void networkPathTarget();
    void headerFields();
    void bodies_data();
    void bodies();
    void bodyLimits_data();
    void bodyLimits();
    void expectContinue();
    void pipelinedAnswersInOrder();
    void requestArrivingByteByByte();
    void http10AndConnectionClose_data();
    void http10AndConnectionClose();
    void methods_data();
    void methods();
    void malformedRequests_data();
    void malformedRequests();
    void errorAnswersAndMetrics();
    void webSocketUpgrade();
    void upgradeElsewhereIsNotFound();
    void upgradeHeaderAloneIsIgnored();
    void upgradeAfterPipelinedRequests();

private:
    Client::Answer roundTrip(const QByteArray &request);
    QJsonObject echo(const QByteArray &request);

    std::unique_ptr<Metrics> m_metrics;
    std::unique_ptr<HttpServer> m_http;
    quint16 m_port = 0;
};

void TestHttpParsing::initTestCase_data()
{
    QTest::addColumn<int>("threads");
    QTest::newRow("event loop") << 1;
    QTest::newRow("io threads") << 2;
}

void TestHttpParsing::init()
{
    QFETCH_GLOBAL(int, threads);
    m_metrics = std::make_unique<Metrics>();
    m_http = std::make_unique<HttpServer>(m_metrics.get());
    m_http->setIoThreads(threads);
    Router &router = m_http->router();
    // What the handler saw, as JSON.
    const Handler echo = [](HttpRequest &request) {
        QJsonObject query;
        for (const auto &item : request.query.queryItems(QUrl::FullyDecoded))
            query.insert(item.first, item.second);
        return HttpResponse::json(QJsonObject{
            {QStringLiteral("method"), int(request.method)},
            {QStringLiteral("path"), request.path},
            {QStringLiteral("name"), request.param(QStringLiteral("name"))},
            {QStringLiteral("query"), query},
            {QStringLiteral("queryText"), request.query.toString(QUrl::FullyEncoded)},
            {QStringLiteral("x"), request.queryValue(QStringLiteral("x"))},
            {QStringLiteral("headers"), headerArray(request.headers)},
            {QStringLiteral("body"), QString::fromLatin1(request.body.toBase64())},
            {QStringLiteral("contentType"), QString::fromLatin1(request.header("content-type"))},
        });
    };
    for (const auto method :
         {QHttpServerRequest::Method::Get, QHttpServerRequest::Method::Put, QHttpServerRequest::Method::Post,
          QHttpServerRequest::Method::Delete, QHttpServerRequest::Method::Patch})
        router.add(method, QStringLiteral("/echo/{name}"), Access::Public, echo, kEchoMaxBody);
    router.add(QHttpServerRequest::Method::Get, QStringLiteral("/now"), Access::Public,
               [](HttpRequest &) { return HttpResponse::text("now", "text/plain"); });
    router.add(QHttpServerRequest::Method::Get, QStringLiteral("/fails"), Access::Public,
               [](HttpRequest &) { return HttpResponse::error(ErrorCode::Conflict, QStringLiteral("it conflicts")); });
    router.add(QHttpServerRequest::Method::Get, QStringLiteral("/private"), Access::Admin,
               [](HttpRequest &) { return HttpResponse::text("secret", "text/plain"); });
    m_http->addWebSocketPath(QStringLiteral("/ws"));
    QString error;
    const auto port = m_http->listenGuarded(QHostAddress::LocalHost, 0, FrontDoor::Limits{}, std::nullopt, &error);
    QVERIFY2(port, qPrintable(error));
    m_port = *port;
}

void TestHttpParsing::cleanup()
{
    m_http.reset();
    m_metrics.reset();
}

Client::Answer TestHttpParsing::roundTrip(const QByteArray &request)
{
    Client client(m_port);
    if (!client.connected())
        return {};
    client.send(request);
    return client.next();
}

QJsonObject TestHttpParsing::echo(const QByteArray &request)
{
    const Client::Answer a = roundTrip(request);
    if (a.statusLine() != "HTTP/1.1 200 OK")
        qWarning() << "unexpected answer" << a.head << a.body;
    return a.json();
}

void TestHttpParsing::exactAnswerBytes()
{
    Client client(m_port);
    QVERIFY(client.connected());
    client.send("GET /now HTTP/1.1\r\nHost: x\r\n\r\n");
    const Client::Answer a = client.next();
    QCOMPARE(a.head, QByteArray("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3"));
    QCOMPARE(a.body, QByteArray("now"));
    QCOMPARE(client.rest(), QByteArray());
    // Keep-alive: the same connection serves the next request.
    client.send("GET /now HTTP/1.1\r\nHost: x\r\n\r\n");
    QCOMPARE(client.next().body, QByteArray("now"));
}

void TestHttpParsing::targetDecoding_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("queryText");
    QTest::addColumn<QJsonObject>("query");

    QTest::newRow("plain") << QByteArray("/echo/abc") << QStringLiteral("/echo/abc") << QStringLiteral("abc")
                           << QString() << QJsonObject{};
    QTest::newRow("query") << QByteArray("/echo/abc?api-version=2021-06-01&x=1") << QStringLiteral("/echo/abc")
                           << QStringLiteral("abc") << QStringLiteral("api-version=2021-06-01&x=1")
                           << QJsonObject{{QStringLiteral("api-version"), QStringLiteral("2021-06-01")},
                                          {QStringLiteral("x"), QStringLiteral("1")}};
    QTest::newRow("escaped query") << QByteArray("/echo/abc?q=a%20b%2Bc%26d&p=a+b") << QStringLiteral("/echo/abc")
                                   << QStringLiteral("abc") << QStringLiteral("q=a%20b%2Bc%26d&p=a+b")
                                   << QJsonObject{{QStringLiteral("q"), QStringLiteral("a b+c&d")},
                                                  {QStringLiteral("p"), QStringLiteral("a+b")}};
    QTest::newRow("escaped slash in a segment") << QByteArray("/echo/a%2Fb") << QStringLiteral("/echo/a%2Fb")
                                                << QStringLiteral("a/b") << QString() << QJsonObject{};
    QTest::newRow("utf-8 segment") << QByteArray("/echo/caf%C3%A9") << QStringLiteral("/echo/caf%C3%A9")
                                   << QStringLiteral("caf\u00e9") << QString() << QJsonObject{};
    QTest::newRow("lower-case escape") << QByteArray("/echo/a%2fb") << QStringLiteral("/echo/a%2Fb")
                                       << QStringLiteral("a/b") << QString() << QJsonObject{};
    QTest::newRow("unreserved escape") << QByteArray("/echo/%7Euser") << QStringLiteral("/echo/~user")
                                       << QStringLiteral("~user") << QString() << QJsonObject{};
    QTest::newRow("empty segments") << QByteArray("/echo//abc/") << QStringLiteral("/echo//abc/")
                                    << QStringLiteral("abc") << QString() << QJsonObject{};
    QTest::newRow("dot segment kept") << QByteArray("/echo/.") << QStringLiteral("/echo/.") << QStringLiteral(".")
                                      << QString() << QJsonObject{};
    QTest::newRow("colon in segment") << QByteArray("/echo/a:b") << QStringLiteral("/echo/a:b") << QStringLiteral("a:b")
                                      << QString() << QJsonObject{};
    QTest::newRow("fragment dropped") << QByteArray("/echo/abc?x=1#frag") << QStringLiteral("/echo/abc")
                                      << QStringLiteral("abc") << QStringLiteral("x=1")
                                      << QJsonObject{{QStringLiteral("x"), QStringLiteral("1")}};
    QTest::newRow("absolute form") << QByteArray("http://example.com/echo/abc?x=1") << QStringLiteral("/echo/abc")
                                   << QStringLiteral("abc") << QStringLiteral("x=1")
                                   << QJsonObject{{QStringLiteral("x"), QStringLiteral("1")}};
    QTest::newRow("repeated key: first wins")
        << QByteArray("/echo/abc?x=1&x=2") << QStringLiteral("/echo/abc") << QStringLiteral("abc")
        << QStringLiteral("x=1&x=2") << QJsonObject{{QStringLiteral("x"), QStringLiteral("2")}};
    QTest::newRow("key without value") << QByteArray("/echo/abc?flag&y=") << QStringLiteral("/echo/abc")
                                       << QStringLiteral("abc") << QStringLiteral("flag&y=")
                                       << QJsonObject{{QStringLiteral("flag"), QString()},
                                                      {QStringLiteral("y"), QString()}};
    QTest::newRow("empty query") << QByteArray("/echo/abc?") << QStringLiteral("/echo/abc") << QStringLiteral("abc")
                                 << QString() << QJsonObject{};
}

void TestHttpParsing::targetDecoding()
{
    QFETCH(QByteArray, target);
    QFETCH(QString, path);
    QFETCH(QString, name);
    QFETCH(QString, queryText);
    QFETCH(QJsonObject, query);
    const QJsonObject seen = echo("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
    QCOMPARE(seen.value(QStringLiteral("path")).toString(), path);
    QCOMPARE(seen.value(QStringLiteral("name")).toString(), name);
    QCOMPARE(seen.value(QStringLiteral("queryText")).toString(), queryText);
    QCOMPARE(seen.value(QStringLiteral("query")).toObject(), query);
    // A repeated key reads as its first value.
    if (queryText.startsWith(QLatin1String("x=")))
        QCOMPARE(seen.value(QStringLiteral("x")).toString(), queryText.section(u'&', 0, 0).mid(2));
}

void TestHttpParsing::networkPathTarget()
{
    // A target that begins with two slashes reads as an authority and a path
    // (QUrl's reading, Qt HTTP Server's before): "echo" is taken for a host.
    const Client::Answer a = roundTrip("GET //echo//abc/ HTTP/1.1\r\nHost: x\r\n\r\n");
    QCOMPARE(a.statusLine(), QByteArray("HTTP/1.1 404 Not Found"));
    QCOMPARE(a.json().value(QStringLiteral("message")).toString(), QStringLiteral("no such endpoint: //abc/"));
}

void TestHttpParsing::headerFields()
{
    const QJsonObject seen = echo("GET /echo/h HTTP/1.1\r\n"
                                  "Host: localhost\r\n"
                                  "X-Dup: one\r\n"
                                  "content-TYPE:   text/odd  \r\n"
                                  "X-Empty:\r\n"
                                  "X-Dup:two\r\n"
                                  "X-Tab:\tvalue with  inner  spaces\t\r\n"
                                  "\r\n");
    const QJsonArray expected{
        QJsonArray{QStringLiteral("Host"), QStringLiteral("localhost")},
        QJsonArray{QStringLiteral("X-Dup"), QStringLiteral("one")},
        QJsonArray{QStringLiteral("content-TYPE"), QStringLiteral("text/odd")},
        QJsonArray{QStringLiteral("X-Empty"), QString()},
        QJsonArray{QStringLiteral("X-Dup"), QStringLiteral("two")},
        QJsonArray{QStringLiteral("X-Tab"), QStringLiteral("value with  inner  spaces")},
    };
    QCOMPARE(seen.value(QStringLiteral("headers")).toArray(), expected);
    // Looked up by name whatever its case.
    QCOMPARE(seen.value(QStringLiteral("contentType")).toString(), QStringLiteral("text/odd"));

    // Bare LF line endings are taken as CRLF.
    const QJsonObject lf = echo("GET /echo/h HTTP/1.1\nHost: a\nX-A: b\n\n");
    QCOMPARE(lf.value(QStringLiteral("headers")).toArray(),
             (QJsonArray{QJsonArray{QStringLiteral("Host"), QStringLiteral("a")},
                         QJsonArray{QStringLiteral("X-A"), QStringLiteral("b")}}));
}

void TestHttpParsing::bodies_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QByteArray>("body");

    QTest::newRow("content-length") << QByteArray("PUT /echo/b HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n"
                                                  "hello world")
                                    << QByteArray("hello world");
    QTest::newRow("zero length") << QByteArray("POST /echo/b HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
                                 << QByteArray();
    QTest::newRow("no length") << QByteArray("DELETE /echo/b HTTP/1.1\r\nHost: x\r\n\r\n") << QByteArray();
    QTest::newRow("binary") << raw("PATCH /echo/b HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\na\r\n\0\xff"
                                   "z")
                            << raw("a\r\n\0\xff"
                                   "z");
    QTest::newRow("chunked") << QByteArray("POST /echo/b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                                           "5\r\nhello\r\n6;ext=1\r\n world\r\nA\r\n0123456789\r\n0\r\n\r\n")
                             << QByteArray("hello world0123456789");
    QTest::newRow("chunked, upper-case size") << QByteArray("PUT /echo/b HTTP/1.1\r\nHost: x\r\n"
                                                            "Transfer-Encoding: Chunked\r\n\r\n"
                                                            "1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n")
                                              << QByteArray("abcdefghijklmnopqrstuvwxyz");
    QTest::newRow("chunked, empty") << QByteArray("PUT /echo/b HTTP/1.1\r\nHost: x\r\n"
                                                  "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
                                    << QByteArray();
}

void TestHttpParsing::bodies()
{
    QFETCH(QByteArray, request);
    QFETCH(QByteArray, body);
    const QJsonObject seen = echo(request);
    QCOMPARE(QByteArray::fromBase64(seen.value(QStringLiteral("body")).toString().toLatin1()), body);
}

void TestHttpParsing::bodyLimits_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");

    const QByteArray fits(kEchoMaxBody, 'a');
    const QByteArray over(kEchoMaxBody + 1, 'a');
    QTest::newRow("at the limit") << QByteArray("PUT /echo/b HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                                                QByteArray::number(fits.size()) + "\r\n\r\n" + fits)
                                  << 200;
    QTest::newRow("over the limit") << QByteArray("PUT /echo/b HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                                                  QByteArray::number(over.size()) + "\r\n\r\n" + over)
                                    << 413;
    QTest::newRow("chunked over the limit")
        << QByteArray("PUT /echo/b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3E9\r\n" + over +
                      "\r\n0\r\n\r\n")
        << 413;
    QTest::newRow("unrouted body over the unrouted limit")
        << QByteArray("PUT /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                      QByteArray::number(HttpServer::kUnroutedMaxBody + 1) + "\r\n\r\n")
        << 413;
}

void TestHttpParsing::bodyLimits()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    const Client::Answer a = roundTrip(request);
    QCOMPARE(a.statusLine().mid(9, 3).toInt(), status);
    if (status == 413) {
        QCOMPARE(a.header("Connection"), QByteArray("close"));
        QCOMPARE(a.json().value(QStringLiteral("errorCode")).toInt(), 413001);
        QTRY_COMPARE(m_metrics->counter(QStringLiteral("provisio_http_requests_rejected_total"),
                                        QStringLiteral("status=\"413\"")),
                     1.0);
    }
}

void TestHttpParsing::expectContinue()
{
    Client client(m_port);
    QVERIFY(client.connected());
    client.send("PUT /echo/e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
    const Client::Answer interim = client.next();
    QCOMPARE(interim.head, QByteArray("HTTP/1.1 100 Continue"));
    client.send("data");
    const Client::Answer a = client.next();
    QCOMPARE(a.statusLine(), QByteArray("HTTP/1.1 200 OK"));
    QCOMPARE(QByteArray::fromBase64(a.json().value(QStringLiteral("body")).toString().toLatin1()), QByteArray("data"));

    // A body over the limit is refused before it is sent: no 100.
    Client refused(m_port);
    QVERIFY(refused.connected());
    refused.send("PUT /echo/e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n");
    QCOMPARE(refused.next().statusLine(), QByteArray("HTTP/1.1 413 Content Too Large"));

    // Any other expectation: 417.
    QCOMPARE(roundTrip("GET /now HTTP/1.1\r\nHost: x\r\nExpect: something\r\n\r\n").statusLine(),
             QByteArray("HTTP/1.1 417 Expectation Failed"));
}

void TestHttpParsing::pipelinedAnswersInOrder()
{
    Client client(m_port);
    QVERIFY(client.connected());
    client.send("GET /echo/one HTTP/1.1\r\nHost: x\r\n\r\n"
                "PUT /echo/two HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                "\r\n" // an empty line between requests is allowed
                "POST /echo/three HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nxy\r\n0\r\n\r\n"
                "GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n"
                "GET /now HTTP/1.1\r\nHost: x\r\n\r\n");
    QCOMPARE(client.next().json().value(QStringLiteral("name")).toString(), QStringLiteral("one"));
    const Client::Answer two = client.next();
    QCOMPARE(two.json().value(QStringLiteral("name")).toString(), QStringLiteral("two"));
    QCOMPARE(two.json().value(QStringLiteral("body")).toString(), QStringLiteral("YWJj"));
    const Client::Answer three = client.next();
    QCOMPARE(three.json().value(QStringLiteral("name")).toString(), QStringLiteral("three"));
    QCOMPARE(three.json().value(QStringLiteral("body")).toString(), QStringLiteral("eHk="));
    QCOMPARE(client.next().statusLine(), QByteArray("HTTP/1.1 404 Not Found"));
    QCOMPARE(client.next().body, QByteArray("now"));
    QCOMPARE(client.rest(), QByteArray());
}

void TestHttpParsing::requestArrivingByteByByte()
{
    Client client(m_port);
    QVERIFY(client.connected());
    const QByteArray request = "PUT /echo/slow?x=1 HTTP/1.1\r\nHost: x\r\nX-A: b\r\nContent-Length: 5\r\n\r\nhello"
                               "GET /now HTTP/1.1\r\nHost: x\r\n\r\n";
    for (char c : request) {
        client.send(QByteArray(1, c));
        QTest::qWait(1);
    }
    const QJsonObject seen = client.next().json();
    QCOMPARE(seen.value(QStringLiteral("name")).toString(), QStringLiteral("slow"));
    QCOMPARE(seen.value(QStringLiteral("queryText")).toString(), QStringLiteral("x=1"));
    QCOMPARE(seen.value(QStringLiteral("body")).toString(), QStringLiteral("aGVsbG8="));
    QCOMPARE(client.next().body, QByteArray("now"));
}

void TestHttpParsing::http10AndConnectionClose_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<bool>("closes");
    QTest::newRow("HTTP/1.0") << QByteArray("GET /now HTTP/1.0\r\n\r\n") << true;
    QTest::newRow("HTTP/1.0 keep-alive") << QByteArray("GET /now HTTP/1.0\r\nConnection: keep-alive\r\n\r\n") << false;
    QTest::newRow("Connection: close") << QByteArray("GET /now HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                                       << true;
    QTest::newRow("Connection: Close, in a list")
        << QByteArray("GET /now HTTP/1.1\r\nHost: x\r\nConnection: foo, Close\r\n\r\n") << true;
    QTest::newRow("HTTP/1.1") << QByteArray("GET /now HTTP/1.1\r\nHost: x\r\n\r\n") << false;
    QTest::newRow("an option that only begins with close")
        << QByteArray("GET /now HTTP/1.1\r\nHost: x\r\nConnection: closed\r\n\r\n") << false;
    QTest::newRow("close in a second Connection field")
        << QByteArray("GET /now HTTP/1.1\r\nConnection: te\r\nHost: x\r\nconnection: CLOSE\r\n\r\n") << true;
}

void TestHttpParsing::http10AndConnectionClose()
{
    QFETCH(QByteArray, request);
    QFETCH(bool, closes);
    Client client(m_port);
    QVERIFY(client.connected());
    // A request pipelined after the last one is not read.
    client.send(request + "GET /echo/after HTTP/1.1\r\nHost: x\r\n\r\n");
    const Client::Answer a = client.next();
    QCOMPARE(a.statusLine(), QByteArray("HTTP/1.1 200 OK"));
    QCOMPARE(a.body, QByteArray("now"));
    if (closes) {
        QCOMPARE(a.header("Connection"), QByteArray("close"));
        QVERIFY(client.closedByServer());
        QCOMPARE(client.rest(), QByteArray());
    } else {
        QCOMPARE(a.header("Connection"), QByteArray());
        QCOMPARE(client.next().json().value(QStringLiteral("name")).toString(), QStringLiteral("after"));
    }
}

void TestHttpParsing::methods_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("statusLine");
    QTest::addColumn<int>("errorCode");
    QTest::newRow("HEAD of a GET route") << QByteArray("HEAD") << QByteArray("HTTP/1.1 405 Method Not Allowed")
                                         << 405000;
    QTest::newRow("OPTIONS") << QByteArray("OPTIONS") << QByteArray("HTTP/1.1 405 Method Not Allowed") << 405000;
    QTest::newRow("unknown method") << QByteArray("BREW") << QByteArray("HTTP/1.1 405 Method Not Allowed") << 405000;
    QTest::newRow("lower-case method") << QByteArray("get") << QByteArray("HTTP/1.1 405 Method Not Allowed") << 405000;
}

void TestHttpParsing::methods()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, statusLine);
    QFETCH(int, errorCode);
    const Client::Answer a = roundTrip(method + " /now HTTP/1.1\r\nHost: x\r\n\r\n");
    QCOMPARE(a.statusLine(), statusLine);
    QCOMPARE(a.json().value(QStringLiteral("errorCode")).toInt() / 1000, errorCode / 1000);
}

void TestHttpParsing::malformedRequests_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QByteArray>("statusLine");

    QTest::newRow("no version") << QByteArray("GET /now\r\nHost: x\r\n\r\n") << QByteArray("HTTP/1.1 400 Bad Request");
    QTest::newRow("double space") << QByteArray("GET  /now HTTP/1.1\r\nHost: x\r\n\r\n")
                                  << QByteArray("HTTP/1.1 400 Bad Request");
    QTest::newRow("space in target") << QByteArray("GET /n ow HTTP/1.1\r\nHost: x\r\n\r\n")
                                     << QByteArray("HTTP/1.1 400 Bad Request");
    QTest::newRow("HTTP/2.0") << QByteArray("GET /now HTTP/2.0\r\nHost: x\r\n\r\n")
                              << QByteArray("HTTP/1.1 400 Bad Request");
    QTest::newRow("field without colon") << QByteArray("GET /now HTTP/1.1\r\nHost x\r\n\r\n")
                                         << QByteArray("HTTP/1.1 400 Bad Request");
    // Qt read these as heads without any field (a Content-Length it did not
    // see left the body to be read as the next request).
    QTest::newRow("space before the colon")
        << QByteArray("PUT /echo/x HTTP/1.1\r\nContent-Length : 2\r\n\r\nab") << QByteArray("HTTP/1.1 400 Bad Request");
    QTest::newRow("folded field") << QByteArray("GET /now HTTP/1.1\r\nX-A: b\r\n c\r\n\r\n")
                                  << QByteArray("HTTP/1.1 400 Bad Request");
    QTest::newRow("HTTP/1.10") << QByteArray("GET /now HTTP/1.10\r\n\r\n") << QByteArray("HTTP/1.1 400 Bad Request");
    QTest::newRow("bad content-length") << QByteArray("PUT /echo/x HTTP/1.1\r\nContent-Length: 1x\r\n\r\n")
                                        << QByteArray("HTTP/1.1 400 Bad Request");
    QTest::newRow("two content-lengths") << QByteArray("PUT /echo/x HTTP/1.1\r\nContent-Length: 1\r\n"
                                                       "Content-Length: 2\r\n\r\nab")
                                         << QByteArray("HTTP/1.1 400 Bad Request");
    QTest::newRow("length and chunked") << QByteArray("PUT /echo/x HTTP/1.1\r\nContent-Length: 1\r\n"
                                                      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
                                        << QByteArray("HTTP/1.1 400 Bad Request");
    QTest::newRow("gzip coding") << QByteArray("PUT /echo/x HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n")
                                 << QByteArray("HTTP/1.1 501 Not Implemented");
    QTest::newRow("bad chunk size") << QByteArray("PUT /echo/x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                                                  "zz\r\n")
                                    << QByteArray("HTTP/1.1 400 Bad Request");
    QTest::newRow("NUL") << raw("GET /now HTTP/1.1\r\nX: a\0b\r\n\r\n") << QByteArray("HTTP/1.1 400 Bad Request");
    QTest::newRow("long request line") << QByteArray("GET /" + QByteArray(9000, 'a') + " HTTP/1.1\r\n\r\n")
                                       << QByteArray("HTTP/1.1 414 URI Too Long");
    QTest::newRow("large header section")
        << QByteArray("GET /now HTTP/1.1\r\nX-A: " + QByteArray(17000, 'a') + "\r\n\r\n")
        << QByteArray("HTTP/1.1 431 Request Header Fields Too Large");
}

void TestHttpParsing::malformedRequests()
{
    QFETCH(QByteArray, request);
    QFETCH(QByteArray, statusLine);
    Client client(m_port);
    QVERIFY(client.connected());
    client.send(request);
    const Client::Answer a = client.next();
    QCOMPARE(a.statusLine(), statusLine);
    QCOMPARE(a.header("Content-Type"), QByteArray("application/json"));
    QCOMPARE(a.header("Connection"), QByteArray("close"));
    const QJsonObject error = a.json();
    QCOMPARE(error.value(QStringLiteral("errorCode")).toInt(), statusLine.mid(9, 3).toInt() * 1000 + 1);
    QVERIFY(!error.value(QStringLiteral("trackingId")).toString().isEmpty());
    QVERIFY(!error.value(QStringLiteral("timestampUtc")).toString().isEmpty());
    QVERIFY(client.closedByServer());
    QTRY_COMPARE(m_metrics->counter(QStringLiteral("provisio_http_requests_rejected_total"),
                                    QStringLiteral("status=\"%1\"").arg(QString::fromLatin1(statusLine.mid(9, 3)))),
                 1.0);
}

void TestHttpParsing::errorAnswersAndMetrics()
{
    Client client(m_port);
    QVERIFY(client.connected());

    client.send("GET /nowhere/at/all HTTP/1.1\r\nHost: x\r\n\r\n");
    const Client::Answer missing = client.next();
    QCOMPARE(missing.statusLine(), QByteArray("HTTP/1.1 404 Not Found"));
    QCOMPARE(missing.header("Content-Type"), QByteArray("application/json"));
    const QJsonObject missingJson = missing.json();
    QCOMPARE(missingJson.value(QStringLiteral("errorCode")).toInt() / 1000, 404);
    QCOMPARE(missingJson.value(QStringLiteral("message")).toString(),
             QStringLiteral("no such endpoint: /nowhere/at/all"));
    QCOMPARE(missing.header("X-Provisio-Tracking-Id"),
             missingJson.value(QStringLiteral("trackingId")).toString().toLatin1());

    client.send("GET /fails HTTP/1.1\r\nHost: x\r\n\r\n");
    const Client::Answer conflict = client.next();
    QCOMPARE(conflict.statusLine(), QByteArray("HTTP/1.1 409 Conflict"));
    QCOMPARE(conflict.json().value(QStringLiteral("message")).toString(), QStringLiteral("it conflicts"));

    client.send("GET /private HTTP/1.1\r\nHost: x\r\n\r\n");
    const Client::Answer unauthorized = client.next();
    QCOMPARE(unauthorized.statusLine(), QByteArray("HTTP/1.1 401 Unauthorized"));
    QCOMPARE(unauthorized.header("WWW-Authenticate"), QByteArray("Bearer realm=\"provisio\""));

    // The connection stays open after error answers of the routes.
    client.send("GET /now HTTP/1.1\r\nHost: x\r\n\r\n");
    QCOMPARE(client.next().body, QByteArray("now"));

    QTRY_COMPARE(m_metrics->counter(QStringLiteral("provisio_http_requests_total"),
                                    QStringLiteral("route=\"unmatched\",status=\"404\"")),
                 1.0);
    QCOMPARE(m_metrics->counter(QStringLiteral("provisio_http_requests_total"),
                                QStringLiteral("route=\"/fails\",status=\"409\"")),
             1.0);
    QCOMPARE(m_metrics->counter(QStringLiteral("provisio_http_requests_total"),
                                QStringLiteral("route=\"/private\",status=\"401\"")),
             1.0);
    QCOMPARE(m_metrics->counter(QStringLiteral("provisio_http_requests_total"),
                                QStringLiteral("route=\"/now\",status=\"200\"")),
             1.0);
}

void TestHttpParsing::webSocketUpgrade()
{
    std::vector<std::unique_ptr<QWebSocket>> accepted;
    connect(m_http.get(), &QAbstractHttpServer::newWebSocketConnection, this, [&] {
        while (m_http->hasPendingWebSocketConnections()) {
            std::unique_ptr<QWebSocket> ws = m_http->nextPendingWebSocketConnection();
            QWebSocket *raw = ws.get();
            connect(raw, &QWebSocket::textMessageReceived, raw,
                    [raw](const QString &text) { raw->sendTextMessage(QStringLiteral("echo ") + text); });
            accepted.push_back(std::move(ws));
        }
    });
    QWebSocket client;
    QString echoed;
    connect(&client, &QWebSocket::textMessageReceived, this, [&echoed](const QString &text) { echoed = text; });
    connect(&client, &QWebSocket::connected, this, [&client] { client.sendTextMessage(QStringLiteral("hi")); });
    client.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws").arg(m_port)));
    QTRY_COMPARE(echoed, QStringLiteral("echo hi"));
    QTRY_COMPARE(m_metrics->counter(QStringLiteral("provisio_http_requests_total"),
                                    QStringLiteral("route=\"/ws\",status=\"101\"")),
                 1.0);
    client.close();
}

void TestHttpParsing::upgradeHeaderAloneIsIgnored()
{
    // Without `Connection: upgrade` nothing asks for a protocol change: an
    // ordinary request, on the WebSocket path too.
    const Client::Answer a = roundTrip("GET /now HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n");
    QCOMPARE(a.statusLine(), QByteArray("HTTP/1.1 200 OK"));
    QCOMPARE(a.body, QByteArray("now"));
    QCOMPARE(roundTrip("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n").statusLine(),
             QByteArray("HTTP/1.1 404 Not Found"));
}

void TestHttpParsing::upgradeAfterPipelinedRequests()
{
    // Requests before an upgrade request are answered first, in order; the
    // upgrade request then goes to Qt's parser, and nothing after it is
    // read as a request.
    Client client(m_port);
    QVERIFY(client.connected());
    client.send("GET /echo/first HTTP/1.1\r\nHost: x\r\n\r\n"
                "GET /now HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
                "GET /echo/after HTTP/1.1\r\nHost: x\r\n\r\n");
    QCOMPARE(client.next().json().value(QStringLiteral("name")).toString(), QStringLiteral("first"));
    const Client::Answer second = client.next();
    QVERIFY2(second.statusLine() == "HTTP/1.1 404 Not Found" || second.statusLine() == "HTTP/1.1 400 Bad Request",
             second.head.constData());
    QVERIFY(client.closedByServer());
    QVERIFY(!client.rest().contains("after"));
}

void TestHttpParsing::upgradeElsewhereIsNotFound()
{
    Client client(m_port);
    QVERIFY(client.connected());
    client.send("GET /now HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
    const Client::Answer a = client.next();
    QCOMPARE(a.statusLine(), QByteArray("HTTP/1.1 404 Not Found"));
    QVERIFY(client.closedByServer());
}

QTEST_GUILESS_MAIN(TestHttpParsing)
#include "tst_httpparsing.moc"

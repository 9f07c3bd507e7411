// SPDX-License-Identifier: Apache-2.0
// RequestFraming: the front door's view of a connection's byte stream, fed
// in every possible split, against the limits it enforces.
#include "http/requestframing.h"

#include <QtTest>

using namespace Provisio;

namespace {
RequestFraming makeFraming(qint64 bodyLimit = 1024)
{
    RequestFraming::Limits limits;
    limits.maxRequestLineBytes = 256;
    limits.maxHeaderBytes = 1024;
    return RequestFraming(limits, [bodyLimit](const QByteArray &, const QByteArray &path) {
        return path == "/big" ? bodyLimit * 100 : bodyLimit;
    });
}

struct Outcome
{
    int status = 0; // the first rejection's status; 0: none
    quint64 completed = 0;
    qint64 consumedAt = -1; // stream offset just past the byte that broke a limit
};

// Feeds `stream` in pieces of `piece` bytes.
Outcome run(RequestFraming &f, const QByteArray &stream, int piece)
{
    for (qsizetype at = 0; at < stream.size(); at += piece) {
        const QByteArray part = stream.mid(at, piece);
        if (auto r = f.feed(part.constData(), part.size()))
            return {r->status, f.completedRequests(), at + f.lastFeedConsumed()};
    }
    return {0, f.completedRequests(), -1};
}
} // namespace

class TestRequestFraming : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void streams_data();
    void streams();
    void skipsBodiesBlind();
    void expectContinueOncePerHead();
    void headOfTheRequest();
    void parsesWholeRequests();
};

void TestRequestFraming::streams_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<int>("status");     // 0: accepted
    QTest::addColumn<int>("completed");  // requests whose last byte arrived
    QTest::addColumn<bool>("inRequest"); // mid-request at the end

    const QByteArray get = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    QTest::newRow("one GET") << get << 0 << 1 << false;
    QTest::newRow("pipelined GETs") << get + get + get << 0 << 3 << false;
    QTest::newRow("bare LF lines") << QByteArray("GET / HTTP/1.1\nHost: x\n\n") << 0 << 1 << false;
    QTest::newRow("empty lines between requests") << "\r\n\r\n" + get + "\r\n" + get << 0 << 2 << false;
    QTest::newRow("partial head") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\n") << 0 << 0 << true;
    QTest::newRow("body by length") << QByteArray("POST /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello") + get << 0 << 2
                                    << false;
    QTest::newRow("body still coming") << QByteArray("POST /a HTTP/1.1\r\nContent-Length: 10\r\n\r\nhello") << 0 << 0
                                       << true;
    QTest::newRow("chunked") << QByteArray("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                                           "5\r\nhello\r\n3;ext=1\r\nabc\r\n0\r\nX-Trailer: 1\r\n\r\n") +
                                    get
                             << 0 << 2 << false;
    QTest::newRow("request line too long") << "GET /" + QByteArray(300, 'a') + " HTTP/1.1\r\n\r\n" << 414 << 0 << true;
    QTest::newRow("header section too large") << "GET / HTTP/1.1\r\nX-Long: " + QByteArray(2000, 'a') + "\r\n\r\n"
                                              << 431 << 0 << true;
    QTest::newRow("endless header line") << "GET / HTTP/1.1\r\nX: " + QByteArray(100000, 'a') << 431 << 0 << true;
    QTest::newRow("many small headers") << "GET / HTTP/1.1\r\n" + QByteArray("A: b\r\n").repeated(300) + "\r\n"
                                        << 431 << 0 << true;
    QTest::newRow("body over the route's limit")
        << QByteArray("POST /a HTTP/1.1\r\nContent-Length: 1025\r\n\r\n") << 413 << 0 << true;
    QTest::newRow("huge declared body") << QByteArray("POST /a HTTP/1.1\r\nContent-Length: 209715200\r\n\r\n") << 413
                                        << 0 << true;
    QTest::newRow("route with a larger limit")
        << QByteArray("POST /big?x=1 HTTP/1.1\r\nContent-Length: 50000\r\n\r\n") + QByteArray(50000, 'x') << 0 << 1
        << false;
    QTest::newRow("chunked over the limit")
        << QByteArray("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n") + QByteArray("200\r\n") +
               QByteArray(512, 'x') + "\r\n" + QByteArray("201\r\n")
        << 413 << 0 << true;
    QTest::newRow("endless chunks of zero-padded size")
        << QByteArray("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n") + QByteArray(2000, '0') << 400 << 0
        << true;
    QTest::newRow("bad chunk size") << QByteArray("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n") << 400
                                    << 0 << true;
    QTest::newRow("chunk longer than announced")
        << QByteArray("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n") << 400 << 0 << true;
    QTest::newRow("length and chunked: smuggling")
        << QByteArray("POST /a HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n") << 400 << 0
        << true;
    QTest::newRow("conflicting lengths") << QByteArray(
                                                "POST /a HTTP/1.1\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\n")
                                         << 400 << 0 << true;
    QTest::newRow("repeated equal lengths")
        << QByteArray("POST /a HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok") << 0 << 1 << false;
    QTest::newRow("negative length") << QByteArray("POST /a HTTP/1.1\r\nContent-Length: -1\r\n\r\n") << 400 << 0
                                     << true;
    QTest::newRow("length overflow") << QByteArray(
                                            "POST /a HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n")
                                     << 400 << 0 << true;
    QTest::newRow("unknown transfer coding")
        << QByteArray("POST /a HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n") << 501 << 0 << true;
    QTest::newRow("NUL in the head") << QByteArray("GET /\0 HTTP/1.1\r\n\r\n", 20) << 400 << 0 << true;
    QTest::newRow("malformed request line") << QByteArray("HELLO\r\n\r\n") << 400 << 0 << true;
    QTest::newRow("HTTP/2 preface") << QByteArray("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") << 400 << 0 << true;
    QTest::newRow("header without colon") << QByteArray("GET / HTTP/1.1\r\nNoColon\r\n\r\n") << 400 << 0 << true;
    QTest::newRow("request line at its limit") << "GET /" + QByteArray(256 - 15, 'a') + " HTTP/1.1\r\n\r\n"
                                               << 0 << 1 << false;
    QTest::newRow("request line one over its limit") << "GET /" + QByteArray(256 - 14, 'a') + " HTTP/1.1\r\n\r\n"
                                                     << 414 << 0 << true;
    QTest::newRow("NUL past the request line limit") << "GET /" + QByteArray(300, 'a') + QByteArray(1, '\0') + "\r\n"
                                                     << 414 << 0 << true;
    QTest::newRow("NUL before the request line limit")
        << "GET /" + QByteArray(10, 'a') + QByteArray(1, '\0') + QByteArray(300, 'a') << 400 << 0 << true;
    QTest::newRow("four parts in the request line") << QByteArray("GET / x HTTP/1.1\r\n\r\n") << 400 << 0 << true;
    QTest::newRow("empty method") << QByteArray(" / HTTP/1.1\r\n\r\n") << 400 << 0 << true;
    QTest::newRow("empty target") << QByteArray("GET  HTTP/1.1\r\n\r\n") << 400 << 0 << true;
    QTest::newRow("header names any case")
        << QByteArray("POST /a HTTP/1.1\r\ncOnTeNt-LeNgTh: 2\r\n\r\nok") + get << 0 << 2 << false;
    QTest::newRow("unknown expectation") << QByteArray("GET / HTTP/1.1\r\nExpect: magic\r\n\r\n") << 417 << 0 << true;
    // A field name is a token: whitespace before the colon could make two
    // parsers read two different heads.
    QTest::newRow("space before the colon")
        << QByteArray("POST /a HTTP/1.1\r\nContent-Length : 2\r\n\r\nok") << 400 << 0 << true;
    QTest::newRow("obsolete line folding")
        << QByteArray("GET / HTTP/1.1\r\nX-A: b\r\n c: d\r\n\r\n") << 400 << 0 << true;
    QTest::newRow("field name with a slash") << QByteArray("GET / HTTP/1.1\r\nX/A: b\r\n\r\n") << 400 << 0 << true;
    QTest::newRow("HTTP/1.10") << QByteArray("GET / HTTP/1.10\r\n\r\n") << 400 << 0 << true;
    QTest::newRow("HTTP/1.0") << QByteArray("GET / HTTP/1.0\r\n\r\n") << 0 << 1 << false;
}

void TestRequestFraming::streams()
{
    QFETCH(QByteArray, stream);
    QFETCH(int, status);
    QFETCH(int, completed);
    QFETCH(bool, inRequest);
    // Whatever way the network splits it, the verdict is the same, down to
    // the byte found guilty (the head is scanned a line at a time, so a split
    // inside a line must not move it).
    qint64 guiltyByte = -2;
    for (int piece : {1, 2, 3, 7, 64, 1000, int(stream.size())}) {
        RequestFraming f = makeFraming();
        const Outcome o = run(f, stream, qMax(1, piece));
        QCOMPARE(o.status, status);
        QCOMPARE(int(o.completed), completed);
        if (guiltyByte == -2)
            guiltyByte = o.consumedAt;
        QCOMPARE(o.consumedAt, guiltyByte);
        if (!o.status)
            QCOMPARE(f.inRequest(), inRequest);
    }
}

void TestRequestFraming::skipsBodiesBlind()
{
    RequestFraming f = makeFraming(1 << 30);
    const QByteArray head = "POST /a HTTP/1.1\r\nContent-Length: 100000000\r\n\r\n";
    QVERIFY(!f.feed(head.constData(), head.size()));
    QCOMPARE(f.phase(), RequestFraming::Phase::Body);
    QCOMPARE(f.skippable(), qint64(100000000));
    // Body bytes need no content: the front door never copies them.
    QVERIFY(!f.feed(nullptr, 99999999));
    QCOMPARE(f.skippable(), qint64(1));
    QVERIFY(!f.feed(nullptr, 1));
    QCOMPARE(f.completedRequests(), quint64(1));
    QCOMPARE(f.skippable(), qint64(0));
    QVERIFY(!f.inRequest());
}

void TestRequestFraming::expectContinueOncePerHead()
{
    RequestFraming f = makeFraming();
    const QByteArray head = "PUT /a HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n";
    QVERIFY(!f.takeExpectContinue());
    QVERIFY(!f.feed(head.constData(), head.size()));
    QVERIFY(f.takeExpectContinue());
    QVERIFY(!f.takeExpectContinue());
    QVERIFY(!f.feed("abc", 3));
    QVERIFY(!f.takeExpectContinue());
    QCOMPARE(f.completedRequests(), quint64(1));
}

void TestRequestFraming::headOfTheRequest()
{
    RequestFraming f = makeFraming();
    const QByteArray head = "DELETE /api/v1/x?force=1 HTTP/1.1\r\ncontent-length: 0\r\n\r\n";
    QVERIFY(!f.feed(head.constData(), head.size()));
    QVERIFY(f.head());
    QCOMPARE(f.head()->method, QByteArray("DELETE"));
    QCOMPARE(f.head()->path, QByteArray("/api/v1/x"));
    QCOMPARE(f.head()->contentLength, qint64(0));
    QCOMPARE(f.completedRequests(), quint64(1));
}

// As the front door's parser: fed up to each event (a head, a request
// complete) with the body kept, whatever the split, it sees every request
// whole: its target, version, fields in order and its body decoded.
void TestRequestFraming::parsesWholeRequests()
{
    const QByteArray stream =
        "\r\nPUT /a?x=1 HTTP/1.1\r\nHost: h\r\nX-Dup: 1\r\nx-dup:  2 \r\nContent-Length: 5\r\n\r\nhello"
        "POST /b HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n3;e=1\r\nabc\r\n2\r\nde\r\n0\r\n"
        "T: 1\r\n\r\n"
        "GET /c HTTP/1.1\r\n\r\n";
    for (int piece : {1, 2, 5, 13, int(stream.size())}) {
        RequestFraming f = makeFraming();
        f.setKeepBody(true);
        QList<RequestFraming::Head> heads;
        QList<QByteArray> bodies;
        int headEvents = 0;
        for (qsizetype at = 0; at < stream.size(); at += piece) {
            const QByteArray part = stream.mid(at, piece);
            qsizetype fed = 0;
            while (fed < part.size()) {
                const quint64 before = f.completedRequests();
                QVERIFY(!f.feedToNextEvent(part.constData() + fed, part.size() - fed));
                QVERIFY(f.lastFeedConsumed() > 0);
                fed += f.lastFeedConsumed();
                if (f.takeHeadCompleted())
                    ++headEvents;
                if (f.completedRequests() != before) {
                    // Stopped right at the request's end.
                    QCOMPARE(f.completedRequests(), before + 1);
                    heads.append(*f.takeHead());
                    bodies.append(f.takeBody());
                }
            }
        }
        QCOMPARE(headEvents, 3);
        QCOMPARE(heads.size(), 3);
        QCOMPARE(heads.at(0).method, QByteArray("PUT"));
        QCOMPARE(heads.at(0).target, QByteArray("/a?x=1"));
        QCOMPARE(heads.at(0).path, QByteArray("/a"));
        QCOMPARE(heads.at(0).minorVersion, 1);
        const QList<QPair<QByteArray, QByteArray>> fields{
            {"Host", "h"}, {"X-Dup", "1"}, {"x-dup", "2"}, {"Content-Length", "5"}};
        QCOMPARE(heads.at(0).fields, fields);
        QCOMPARE(bodies.at(0), QByteArray("hello"));
        QCOMPARE(heads.at(1).minorVersion, 0);
        QVERIFY(heads.at(1).chunked);
        QCOMPARE(bodies.at(1), QByteArray("abcde")); // the trailer is not a field of the head
        QCOMPARE(heads.at(1).fields.size(), 1);
        QCOMPARE(heads.at(2).target, QByteArray("/c"));
        QCOMPARE(bodies.at(2), QByteArray());
    }
}

QTEST_GUILESS_MAIN(TestRequestFraming)
#include "tst_requestframing.moc"

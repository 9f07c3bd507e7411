// SPDX-License-Identifier: Apache-2.0
// Router: which route a method and path reach, with which parameters, and
// the body limit the front door takes from it; HandoffQueue: the batches
// the I/O threads and the event loop pass requests and answers in.
#include "http/handoffqueue.h"
#include "http/router.h"

#include <QtTest>

#include <thread>

using namespace Provisio;
using M = QHttpServerRequest::Method;

namespace {
// Each route answers its own name, so a test sees which one was chosen.
Router makeRouter()
{
    Router router;
    auto named = [](const char *name) {
        return [name](HttpRequest &) { return HttpResponse::text(name, "text/plain"); };
    };
    router.add(M::Get, QStringLiteral("/api/v1/enrollments/{id}"), Access::Viewer, named("enrollment"), 100);
    router.add(M::Get, QStringLiteral("/api/v1/enrollments/groups"), Access::Viewer, named("groups"), 200);
    router.add(M::Put, QStringLiteral("/api/v1/enrollments/{id}"), Access::Operator, named("put-enrollment"), 300);
    router.add(M::Put, QStringLiteral("/{scope}/registrations/{id}/register"), Access::Public, named("register"), 400);
    // Same shape and method as the one above, added later: never chosen.
    router.add(M::Put, QStringLiteral("/{other}/registrations/{name}/register"), Access::Public, named("shadowed"),
               500);
    router.add(M::Get, QStringLiteral("/{a}/{b}/{a}"), Access::Public, named("repeated"), 600);
    router.add(M::Get, QStringLiteral("/healthz"), Access::Public, named("health"), 700);
    return router;
}
} // namespace

class TestRouter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void match_data()
    {
        QTest::addColumn<int>("method");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("route"); // empty: none
        QTest::addColumn<bool>("pathMatched");
        QTest::addColumn<QByteArrayList>("params"); // name=value, sorted

        QTest::newRow("capture") << int(M::Get) << QByteArray("/api/v1/enrollments/dev-1") << QByteArray("enrollment")
                                 << true << QByteArrayList{"id=dev-1"};
        QTest::newRow("literal wins over capture") << int(M::Get) << QByteArray("/api/v1/enrollments/groups")
                                                   << QByteArray("groups") << true << QByteArrayList{};
        QTest::newRow("other method, same path") << int(M::Put) << QByteArray("/api/v1/enrollments/groups")
                                                 << QByteArray("put-enrollment") << true << QByteArrayList{"id=groups"};
        QTest::newRow("path known, method not")
            << int(M::Delete) << QByteArray("/api/v1/enrollments/dev-1") << QByteArray() << true << QByteArrayList{};
        QTest::newRow("unknown path") << int(M::Get) << QByteArray("/api/v1/nothing/here") << QByteArray() << false
                                      << QByteArrayList{};
        QTest::newRow("segment count differs")
            << int(M::Get) << QByteArray("/api/v1/enrollments/x/y") << QByteArray() << false << QByteArrayList{};
        QTest::newRow("first of equally specific routes")
            << int(M::Put) << QByteArray("/0ne00000001/registrations/dev-7/register") << QByteArray("register") << true
            << QByteArrayList{"id=dev-7", "scope=0ne00000001"};
        QTest::newRow("escaped segment decoded")
            << int(M::Put) << QByteArray("/s/registrations/a%2Fb%20c/register") << QByteArray("register") << true
            << QByteArrayList{"id=a/b c", "scope=s"};
        QTest::newRow("escaped literal") << int(M::Get) << QByteArray("/api/v1/enrollments/%67roups")
                                         << QByteArray("groups") << true << QByteArrayList{};
        QTest::newRow("empty segments dropped")
            << int(M::Get) << QByteArray("//healthz/") << QByteArray("health") << true << QByteArrayList{};
        QTest::newRow("repeated name: the last segment")
            << int(M::Get) << QByteArray("/x/y/z") << QByteArray("repeated") << true << QByteArrayList{"a=z", "b=y"};
        QTest::newRow("root") << int(M::Get) << QByteArray("/") << QByteArray() << false << QByteArrayList{};
    }

    void match()
    {
        QFETCH(int, method);
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, route);
        QFETCH(bool, pathMatched);
        QFETCH(QByteArrayList, params);

        Router router = makeRouter();
        const Router::Match m = router.match(M(method), QString::fromUtf8(path));
        QCOMPARE(m.pathMatched, pathMatched);
        QCOMPARE(m.route != nullptr, !route.isEmpty());
        if (m.route) {
            HttpRequest request;
            QCOMPARE(m.route->handler(request).body, route);
        }
        QByteArrayList got;
        for (auto it = m.params.cbegin(); it != m.params.cend(); ++it)
            got << (it.key() + QLatin1Char('=') + it.value()).toUtf8();
        std::sort(got.begin(), got.end());
        QCOMPARE(got, params);
    }

    void manyEscapedSegments()
    {
        // More decoded segments than the matcher keeps in place: every
        // parameter still reads its own decoded text.
        Router router;
        router.add(M::Get, QStringLiteral("/{p1}/{p2}/{p3}/{p4}/{p5}/{p6}"), Access::Public,
                   [](HttpRequest &) { return HttpResponse::noContent(); });
        const Router::Match m = router.match(M::Get, QStringLiteral("/%61/b/%63%2F/%64/%65%65/%66%20/"));
        QVERIFY(m.route);
        QCOMPARE(m.params.value(QStringLiteral("p1")), QStringLiteral("a"));
        QCOMPARE(m.params.value(QStringLiteral("p2")), QStringLiteral("b"));
        QCOMPARE(m.params.value(QStringLiteral("p3")), QStringLiteral("c/"));
        QCOMPARE(m.params.value(QStringLiteral("p4")), QStringLiteral("d"));
        QCOMPARE(m.params.value(QStringLiteral("p5")), QStringLiteral("ee"));
        QCOMPARE(m.params.value(QStringLiteral("p6")), QStringLiteral("f "));
    }

    void bodyLimit_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<qint64>("limit");

        QTest::newRow("route's own") << QByteArray("PUT") << QByteArray("/s/registrations/d/register") << qint64(400);
        QTest::newRow("literal route's") << QByteArray("GET") << QByteArray("/api/v1/enrollments/groups")
                                         << qint64(200);
        QTest::newRow("no route: fallback") << QByteArray("GET") << QByteArray("/nothing") << qint64(-1);
        QTest::newRow("wrong method: fallback")
            << QByteArray("DELETE") << QByteArray("/api/v1/enrollments/x") << qint64(-1);
        QTest::newRow("unknown method: fallback") << QByteArray("BREW") << QByteArray("/healthz") << qint64(-1);
    }

    void bodyLimit()
    {
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, path);
        QFETCH(qint64, limit);
        QCOMPARE(makeRouter().bodyLimitFor(method, path, -1), limit);
    }

    void routesKeepTheirOrder()
    {
        const Router router = makeRouter();
        QCOMPARE(router.routes().size(), 7);
        QCOMPARE(router.routes().first().pattern, QStringLiteral("/api/v1/enrollments/{id}"));
        QCOMPARE(router.routes().last().pattern, QStringLiteral("/healthz"));
        QCOMPARE(router.smallestBodyLimit(1000), qint64(100));
    }

    void handoffBatches()
    {
        HandoffQueue<int> queue;
        QVERIFY(queue.push(1));  // was empty: wake the consumer
        QVERIFY(!queue.push(2)); // joins the batch
        QVERIFY(!queue.push(3));
        QCOMPARE(queue.take(), (std::vector<int>{1, 2, 3}));
        QVERIFY(queue.take().empty());
        QVERIFY(queue.push(4)); // empty again after the take
        QCOMPARE(queue.take(), std::vector<int>{4});
    }

    void handoffAcrossThreads()
    {
        // Two producers, one consumer: every item arrives once, each
        // producer's in its order, and a wake-up is asked for exactly when
        // an item found the queue empty.
        HandoffQueue<int> queue;
        constexpr int kPerProducer = 20000;
        std::atomic<int> wakes{0};
        auto produce = [&](int base) {
            for (int i = 0; i < kPerProducer; ++i) {
                if (queue.push(base + i))
                    wakes.fetch_add(1);
            }
        };
        std::thread a(produce, 0);
        std::thread b(produce, 1000000);
        std::vector<int> seen;
        int batches = 0;
        while (seen.size() < size_t(2 * kPerProducer)) {
            const std::vector<int> batch = queue.take();
            if (!batch.empty())
                batches += 1;
            seen.insert(seen.end(), batch.begin(), batch.end());
        }
        a.join();
        b.join();
        QVERIFY(queue.take().empty());
        int lastA = -1;
        int lastB = 999999;
        for (int v : seen) {
            int &last = v < 1000000 ? lastA : lastB;
            QCOMPARE(v, last + 1);
            last = v;
        }
        QCOMPARE(lastA, kPerProducer - 1);
        QCOMPARE(lastB, 1000000 + kPerProducer - 1);
        // Every non-empty batch began with an item that found the queue empty.
        QCOMPARE(wakes.load(), batches);
    }
};

QTEST_GUILESS_MAIN(TestRouter)
#include "tst_router.moc"

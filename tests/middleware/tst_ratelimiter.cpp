// SPDX-License-Identifier: Apache-2.0
// The pure parts of the device API: the activation rate limiter and the
// allocator's weighted rendezvous hashing.

#include "domain/allocator.h"
#include "domain/ratelimiter.h"

#include <QtTest>

using namespace Provisio;

namespace {
Hub hub(const QString &name, int weight, const QString &region = {})
{
    Hub h;
    h.name = name;
    h.host = name + QStringLiteral(".test");
    h.allocationWeight = weight;
    h.region = region;
    return h;
}
} // namespace

class tst_RateLimiter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void allowsUpToTheLimit()
    {
        RateLimiter limiter(3, 60000);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(limiter.retryAfterSeconds(QStringLiteral("k"), 1000 * i), 0);
            limiter.record(QStringLiteral("k"), 1000 * i);
        }
        // Fourth within the window: refused until the first event (t=0) leaves it.
        QCOMPARE(limiter.retryAfterSeconds(QStringLiteral("k"), 5000), 55);
        QCOMPARE(limiter.retryAfterSeconds(QStringLiteral("k"), 59999), 1);
        QCOMPARE(limiter.retryAfterSeconds(QStringLiteral("k"), 60000), 0);
        // Other keys are independent.
        QCOMPARE(limiter.retryAfterSeconds(QStringLiteral("other"), 5000), 0);
    }

    void slidingNotFixedWindow()
    {
        RateLimiter limiter(2, 10000);
        limiter.record(QStringLiteral("k"), 0);
        limiter.record(QStringLiteral("k"), 9000);
        QVERIFY(limiter.retryAfterSeconds(QStringLiteral("k"), 9500) > 0);
        // At 10 s the first event expired; the one at 9 s still counts.
        QCOMPARE(limiter.retryAfterSeconds(QStringLiteral("k"), 10000), 0);
        limiter.record(QStringLiteral("k"), 10000);
        QCOMPARE(limiter.retryAfterSeconds(QStringLiteral("k"), 10001), 9);
    }

    void resetForgets()
    {
        RateLimiter limiter(1, 10000);
        limiter.record(QStringLiteral("k"), 0);
        QVERIFY(limiter.retryAfterSeconds(QStringLiteral("k"), 1) > 0);
        limiter.reset(QStringLiteral("k"));
        QCOMPARE(limiter.retryAfterSeconds(QStringLiteral("k"), 1), 0);
    }

    void zeroLimitRefusesAll()
    {
        RateLimiter limiter(0, 10000);
        QVERIFY(limiter.retryAfterSeconds(QStringLiteral("k"), 0) > 0);
    }

    void memoryIsBounded()
    {
        RateLimiter limiter(5, 1000, 100);
        for (int i = 0; i < 1000; ++i)
            limiter.record(QStringLiteral("key-%1").arg(i), i);
        QVERIFY(limiter.trackedKeys() <= 100);
        // Expired keys go first: after the window, a new key prunes them.
        limiter.record(QStringLiteral("late"), 100000);
        QVERIFY(limiter.trackedKeys() <= 100);
    }

    void hashedIsDeterministicAndOrderFree()
    {
        const QList<Hub> hubs{hub(QStringLiteral("a"), 1), hub(QStringLiteral("b"), 2), hub(QStringLiteral("c"), 1)};
        QList<Hub> reversed(hubs.rbegin(), hubs.rend());
        for (int i = 0; i < 200; ++i) {
            const QString id = QStringLiteral("device-%1").arg(i);
            const auto x = Allocator::hashedChoice(hubs, id);
            QVERIFY(x);
            QCOMPARE(Allocator::hashedChoice(hubs, id)->name, x->name);
            QCOMPARE(Allocator::hashedChoice(reversed, id)->name, x->name);
        }
    }

    void hashedFollowsWeights_data()
    {
        QTest::addColumn<int>("weightA");
        QTest::addColumn<int>("weightB");
        QTest::newRow("1:1") << 1 << 1;
        QTest::newRow("1:3") << 1 << 3;
        QTest::newRow("5:1") << 5 << 1;
    }
    void hashedFollowsWeights()
    {
        QFETCH(int, weightA);
        QFETCH(int, weightB);
        const QList<Hub> hubs{hub(QStringLiteral("a"), weightA), hub(QStringLiteral("b"), weightB),
                              hub(QStringLiteral("zero"), 0)};
        const int n = 20000;
        int a = 0;
        for (int i = 0; i < n; ++i) {
            const auto h = Allocator::hashedChoice(hubs, QStringLiteral("dev-%1").arg(i));
            QVERIFY(h);
            QVERIFY(h->name != QLatin1String("zero"));
            a += h->name == QLatin1String("a");
        }
        const double expected = double(weightA) / (weightA + weightB);
        QVERIFY2(qAbs(double(a) / n - expected) < 0.02,
                 qPrintable(QStringLiteral("share of a: %1, expected %2").arg(double(a) / n).arg(expected)));
    }

    void addingAHubMovesOnlyToIt()
    {
        const QList<Hub> before{hub(QStringLiteral("a"), 1), hub(QStringLiteral("b"), 1), hub(QStringLiteral("c"), 1)};
        QList<Hub> after = before;
        after << hub(QStringLiteral("d"), 1);
        int moved = 0;
        const int n = 4000;
        for (int i = 0; i < n; ++i) {
            const QString id = QStringLiteral("dev-%1").arg(i);
            const QString was = Allocator::hashedChoice(before, id)->name;
            const QString now = Allocator::hashedChoice(after, id)->name;
            if (was != now) {
                QCOMPARE(now, QStringLiteral("d"));
                ++moved;
            }
        }
        // About a quarter move (to the new hub), not most of the fleet.
        QVERIFY2(moved > n / 5 && moved < n / 3, qPrintable(QString::number(moved)));
    }

    void noWeightNoHub()
    {
        QVERIFY(!Allocator::hashedChoice({hub(QStringLiteral("a"), 0)}, QStringLiteral("x")));
        QVERIFY(!Allocator::hashedChoice({}, QStringLiteral("x")));
    }

    void declaredRegion()
    {
        QCOMPARE(Allocator::declaredRegion(QJsonObject{{QStringLiteral("region"), QStringLiteral("eu")}}),
                 QStringLiteral("eu"));
        QCOMPARE(Allocator::declaredRegion(QJsonObject{
                     {QStringLiteral("provisio"), QJsonObject{{QStringLiteral("region"), QStringLiteral("us")}}}}),
                 QStringLiteral("us"));
        QCOMPARE(Allocator::declaredRegion(QJsonValue(QStringLiteral("eu"))), QString());
        QCOMPARE(Allocator::declaredRegion(QJsonValue()), QString());
    }

    void findHubByHostOrName()
    {
        const QList<Hub> hubs{hub(QStringLiteral("a"), 1), hub(QStringLiteral("b"), 1)};
        QCOMPARE(Allocator::findHub(hubs, QStringLiteral("B.TEST"))->name, QStringLiteral("b"));
        QCOMPARE(Allocator::findHub(hubs, QStringLiteral("a"))->name, QStringLiteral("a"));
        QVERIFY(!Allocator::findHub(hubs, QStringLiteral("c")));
    }
};

QTEST_GUILESS_MAIN(tst_RateLimiter)
#include "tst_ratelimiter.moc"

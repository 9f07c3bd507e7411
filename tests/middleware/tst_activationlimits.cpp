// SPDX-License-Identifier: Apache-2.0
// The per-serial limit of POST /api/v1/activation is shared through the
// database: ActivationFailureStore's window arithmetic and its UPSERT from
// two connections at once, then two real middleware processes on one
// database that together allow a serial five failures, not five each. Runs
// on a SQLite file and, as tst_activationlimits_pg, on PostgreSQL.
#include "devicetestutil.h"
#include "middlewareprocess.h"

#include "crypto/activationcode.h"
#include "storage/activationfailurestore.h"
#include "storage/database.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Provisio;
using namespace Provisio::Test;

namespace {
constexpr qint64 kWindowMs = 15 * 60 * 1000;
constexpr qint64 kT0 = 1'800'000'000'000; // a fixed wall-clock instant, ms
} // namespace

class TestActivationLimits : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanupTestCase();
    void window_data();
    void window();
    void failuresFromTwoConnectionsAddUp();
    void pruneDropsClosedWindows();
    void twoInstancesShareTheSerialLimit();

private:
    QTemporaryDir m_dir;
    QString m_location;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<Database> m_other; // a second connection, as another instance has
};

void TestActivationLimits::initTestCase()
{
    m_location = MiddlewareProcess::testDatabaseLocation(m_dir.path(), QStringLiteral("limits"));
    QVERIFY2(!m_location.isEmpty(), "no PostgreSQL database could be created");
    auto db = Database::open(m_location);
    QVERIFY2(db, qPrintable(db.error().message));
    m_db = std::move(*db);
    auto migrated = m_db->migrate();
    QVERIFY2(migrated, qPrintable(migrated.error().message));
    auto other = Database::open(m_location);
    QVERIFY2(other, qPrintable(other.error().message));
    m_other = std::move(*other);
}

void TestActivationLimits::init()
{
    QVERIFY(m_db->execAffected(QStringLiteral("DELETE FROM activation_failures")));
}

void TestActivationLimits::cleanupTestCase()
{
    m_other.reset();
    m_db.reset();
}

void TestActivationLimits::window_data()
{
    QTest::addColumn<QList<qint64>>("failures"); // ms after kT0 of each failure
    QTest::addColumn<qint64>("checkAt");         // ms after kT0
    QTest::addColumn<int>("limit");
    QTest::addColumn<int>("retryAfter");

    const qint64 min = 60 * 1000;
    QTest::newRow("no failures") << QList<qint64>{} << qint64(0) << 5 << 0;
    QTest::newRow("under the limit") << QList<qint64>{0, 1, 2, 3} << qint64(10) << 5 << 0;
    QTest::newRow("at the limit") << QList<qint64>{0, 1, 2, 3, 4} << qint64(10) << 5 << 900;
    QTest::newRow("rounded up") << QList<qint64>{0, 1, 2, 3, 4} << qint64(10 * min + 1) << 5 << 300;
    QTest::newRow("last second") << QList<qint64>{0, 1, 2, 3, 4} << qint64(kWindowMs - 1) << 5 << 1;
    QTest::newRow("window closed") << QList<qint64>{0, 1, 2, 3, 4} << qint64(kWindowMs) << 5 << 0;
    // A failure after the window closed opens a new one: one failure, not six.
    QTest::newRow("new window") << QList<qint64>{0, 1, 2, 3, 4, kWindowMs + 5} << qint64(kWindowMs + 10) << 5 << 0;
    QTest::newRow("new window fills")
        << QList<qint64>{0, 1, 2, 3, 4, 20 * min, 20 * min + 1, 20 * min + 2, 20 * min + 3, 20 * min + 4}
        << qint64(21 * min) << 5 << 840;
    QTest::newRow("limit 1") << QList<qint64>{0} << qint64(0) << 1 << 900;
    QTest::newRow("limit 0 refuses all") << QList<qint64>{} << qint64(0) << 0 << 900;
}

void TestActivationLimits::window()
{
    QFETCH(QList<qint64>, failures);
    QFETCH(qint64, checkAt);
    QFETCH(int, limit);
    QFETCH(int, retryAfter);
    ActivationFailureStore store(*m_db);
    for (qint64 at : failures)
        QVERIFY(store.recordFailure(QStringLiteral("SN-W"), kWindowMs, kT0 + at));
    auto wait = store.retryAfterSeconds(QStringLiteral("SN-W"), limit, kWindowMs, kT0 + checkAt);
    QVERIFY2(wait, qPrintable(wait.error().message));
    QCOMPARE(*wait, retryAfter);
    // Other serials are not affected.
    QCOMPARE(*store.retryAfterSeconds(QStringLiteral("SN-OTHER"), qMax(limit, 1), kWindowMs, kT0 + checkAt), 0);
}

void TestActivationLimits::failuresFromTwoConnectionsAddUp()
{
    ActivationFailureStore a(*m_db);
    ActivationFailureStore b(*m_other);
    QList<int> counts;
    for (int i = 0; i < 6; ++i) {
        auto n = (i % 2 ? b : a).recordFailure(QStringLiteral("SN-SHARED"), kWindowMs, kT0 + i);
        QVERIFY2(n, qPrintable(n.error().message));
        counts << *n;
    }
    QCOMPARE(counts, (QList<int>{1, 2, 3, 4, 5, 6}));
    QCOMPARE(*a.retryAfterSeconds(QStringLiteral("SN-SHARED"), 5, kWindowMs, kT0 + 10), 900);
    QCOMPARE(*b.retryAfterSeconds(QStringLiteral("SN-SHARED"), 5, kWindowMs, kT0 + 10), 900);
    QCOMPARE(*b.retryAfterSeconds(QStringLiteral("SN-SHARED"), 7, kWindowMs, kT0 + 10), 0);
}

void TestActivationLimits::pruneDropsClosedWindows()
{
    ActivationFailureStore store(*m_db);
    QVERIFY(store.recordFailure(QStringLiteral("SN-OLD"), kWindowMs, kT0));
    QVERIFY(store.recordFailure(QStringLiteral("SN-NEW"), kWindowMs, kT0 + kWindowMs / 2));
    auto pruned = store.pruneExpired(kWindowMs, kT0 + kWindowMs);
    QVERIFY(pruned);
    QCOMPARE(*pruned, 1);
    QCOMPARE(*store.recordFailure(QStringLiteral("SN-NEW"), kWindowMs, kT0 + kWindowMs), 2);
    QCOMPARE(*store.recordFailure(QStringLiteral("SN-OLD"), kWindowMs, kT0 + kWindowMs), 1);
}

void TestActivationLimits::twoInstancesShareTheSerialLimit()
{
    DeviceFixture a;
    QVERIFY(a.start());
    const QString database = a.mw->databaseUrl().isEmpty()
                                 ? QDir(a.mw->dataDir()).filePath(QStringLiteral("provisio.db"))
                                 : a.mw->databaseUrl();
    MiddlewareProcess second({}, database);
    QVERIFY2(second.start(), qPrintable(second.lastError()));
    HttpsClient deviceB(second.baseUrl(), second.caCertificatePath());
    auto exchange = [](HttpsClient &client, const QString &serial, const QString &code) {
        return client.post(QStringLiteral("/api/v1/activation"),
                           QJsonObject{{QStringLiteral("serial"), serial}, {QStringLiteral("code"), code}});
    };

    QCOMPARE(
        a.operatorClient
            ->post(QStringLiteral("/api/v1/devices"), QJsonObject{{QStringLiteral("serial"), QStringLiteral("LB-1")}})
            .status,
        201);
    const auto created =
        a.putEnrollment(QStringLiteral("lb-device"), QJsonObject{{QStringLiteral("serial"), QStringLiteral("LB-1")}});
    QCOMPARE(created.status, 201);
    const QString rightCode = created.json().value(QStringLiteral("activationCode")).toString();
    QVERIFY(!rightCode.isEmpty());

    // Five wrong codes, spread over both instances as a load balancer would.
    for (int i = 0; i < 5; ++i) {
        HttpsClient &client = i % 2 ? deviceB : *a.device;
        QCOMPARE(exchange(client, QStringLiteral("LB-1"), ActivationCode::format(ActivationCode::generate())).status,
                 401);
    }
    // Each instance saw fewer than five, yet both refuse the sixth, even
    // with the right code.
    for (HttpsClient *client : {a.device.get(), &deviceB}) {
        const auto limited = exchange(*client, QStringLiteral("LB-1"), rightCode);
        QCOMPARE(limited.status, 429);
        QVERIFY2(limited.json().value(QStringLiteral("message")).toString().contains(QLatin1String("for this serial")),
                 limited.body.constData());
        const int retryAfter = limited.header("Retry-After").toInt();
        QVERIFY2(retryAfter > 800 && retryAfter <= 900, limited.header("Retry-After").constData());
    }
    // The budget survives a restart of either instance: it is not in memory.
    QVERIFY(a.mw->restart());
    a.reconnect();
    QCOMPARE(exchange(*a.device, QStringLiteral("LB-1"), rightCode).status, 429);

    // Another serial is untouched, and its code works through the other instance.
    QCOMPARE(
        a.operatorClient
            ->post(QStringLiteral("/api/v1/devices"), QJsonObject{{QStringLiteral("serial"), QStringLiteral("LB-2")}})
            .status,
        201);
    const auto other =
        a.putEnrollment(QStringLiteral("lb-device-2"), QJsonObject{{QStringLiteral("serial"), QStringLiteral("LB-2")}});
    QCOMPARE(other.status, 201);
    const auto ok =
        exchange(deviceB, QStringLiteral("LB-2"), other.json().value(QStringLiteral("activationCode")).toString());
    QVERIFY2(ok.status == 200, ok.body.constData());
    second.stop();
}

QTEST_GUILESS_MAIN(TestActivationLimits)
#include "tst_activationlimits.moc"

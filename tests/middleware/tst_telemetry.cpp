// SPDX-License-Identifier: Apache-2.0
//
// Telemetry history end to end: devices publish through a real mosquitto
// with the real plugin, the real middleware stores what its hub link
// receives, and GET /api/v1/devices/{id}/telemetry pages it newest first,
// by time range, after a restart and from a second middleware instance on
// the same database. Retention (--telemetry-keep, --telemetry-days) is
// watched in the database itself. Runs on SQLite and, as tst_telemetry_pg,
// on PostgreSQL.

#include "crmtestutil.h"
#include "devicetestutil.h"
#include "mosquittoprocess.h"
#include "mqtttestclient.h"

#include "crypto/sastoken.h"
#include "mqtt/mqtttopic.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Provisio;
using namespace Provisio::Test;

namespace {
const QString kHubHost = QStringLiteral("tele-hub.test");
constexpr int kKeep = 8;
} // namespace

class TestTelemetry : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void historyPagesNewestFirst();
    void timeRange_data();
    void timeRange();
    void badQueries_data();
    void badQueries();
    void keepsTheNewestPerDevice();
    void oldMessagesExpire();
    void burstIsStoredWhole();
    void historySurvivesRestart();
    void sharedBetweenInstances();

private:
    // Enrolls and registers `id`, then connects it to the hub as a device.
    std::unique_ptr<MqttTestClient> device(const QString &id);
    bool publish(MqttTestClient &client, const QString &id, int from, int to, bool spread = true);
    double metric(const QByteArray &name, HttpsClient *client = nullptr);
    QJsonObject history(HttpsClient &client, const QString &id, const QString &query = {});
    static QList<int> sequence(const QJsonObject &history);
    bool hubConnected(HttpsClient &client);

    DeviceFixture m_f;
    QTemporaryDir m_work;
    quint16 m_port = 0;
    MosquittoProcess m_broker{QStringLiteral(PROVISIO_MOSQUITTO_BIN)};
    std::unique_ptr<MqttTestClient> m_tele1;
    std::unique_ptr<MqttTestClient> m_tele2;
};

void TestTelemetry::initTestCase()
{
    QVERIFY2(QFileInfo::exists(QStringLiteral(PROVISIO_MOSQUITTO_BIN)), "mosquitto is not installed");
    // Retention every 300 ms instead of every minute, so the test watches it happen.
    qputenv("PROVISIO_TELEMETRY_PRUNE_MS", "300");
    QVERIFY(m_f.start({QStringLiteral("--telemetry-keep"), QString::number(kKeep)}));
    m_port = freeLocalPort();
    QVERIFY(m_port != 0);
    const auto linked =
        m_f.admin->put(QStringLiteral("/api/v1/hubs/hub1"),
                       QJsonObject{{QStringLiteral("host"), kHubHost},
                                   {QStringLiteral("port"), int(m_port)},
                                   {QStringLiteral("endpoint"), QStringLiteral("127.0.0.1:%1").arg(m_port)}});
    QVERIFY2(linked.status == 201, linked.body.constData());
    const QString out = m_work.filePath(QStringLiteral("hub1"));
    const auto written = writeHubConfig(*m_f.mw, QStringLiteral("hub1"), m_port, out);
    QVERIFY2(written.exitCode == 0, qPrintable(written.err));
    QVERIFY2(m_broker.start(QDir(out).filePath(QStringLiteral("mosquitto.conf")), m_port), qPrintable(m_broker.log()));
    QTRY_VERIFY_WITH_TIMEOUT(hubConnected(*m_f.viewer), 30000);
    m_tele1 = device(QStringLiteral("tele-1"));
    QVERIFY(m_tele1);
    m_tele2 = device(QStringLiteral("tele-2"));
    QVERIFY(m_tele2);
}

void TestTelemetry::cleanupTestCase()
{
    m_tele1.reset();
    m_tele2.reset();
    m_broker.stop();
}

bool TestTelemetry::hubConnected(HttpsClient &client)
{
    return client.get(QStringLiteral("/api/v1/hubs/hub1/status")).json().value(QStringLiteral("connected")).toBool();
}

std::unique_ptr<MqttTestClient> TestTelemetry::device(const QString &id)
{
    const auto enrolled = m_f.putEnrollment(id, {});
    if (enrolled.status != 201) {
        qWarning("enrollment: %d %s", enrolled.status, enrolled.body.constData());
        return nullptr;
    }
    const QString key = DeviceFixture::primaryKey(enrolled.json());
    const QJsonObject state = DeviceFixture::state(m_f.registerDevice(id, key).json());
    const QString hubKey = state.value(QStringLiteral("payload"))
                               .toObject()
                               .value(QStringLiteral("provisio"))
                               .toObject()
                               .value(QStringLiteral("hubDeviceKey"))
                               .toString();
    if (state.value(QStringLiteral("assignedHub")).toString() != kHubHost || hubKey.isEmpty()) {
        qWarning() << "registration:" << state;
        return nullptr;
    }
    auto client = std::make_unique<MqttTestClient>(id);
    client->setCredentials(
        (kHubHost + QLatin1Char('/') + id + QStringLiteral("/?api-version=2021-04-12")).toUtf8(),
        SasToken::create(kHubHost + QStringLiteral("/devices/") + id, hubKey, QDateTime::currentSecsSinceEpoch() + 3600)
            .toUtf8());
    if (client->connect(QStringLiteral("127.0.0.1"), m_port, m_f.mw->caCertificatePath()) != 0)
        return nullptr;
    return client;
}

bool TestTelemetry::publish(MqttTestClient &client, const QString &id, int from, int to, bool spread)
{
    for (int n = from; n < to; ++n) {
        const MqttTopic::PropertyBag bag{{QStringLiteral("seq"), QString::number(n)}};
        const QByteArray body = QJsonDocument(QJsonObject{{QStringLiteral("n"), n}}).toJson(QJsonDocument::Compact);
        const int code = client.publish(MqttTopic::telemetryTopic(id, bag), body, 1);
        if (code != 0) {
            qWarning("publish %d: %d", n, code);
            return false;
        }
        // A few milliseconds of the client's network loop between messages,
        // so each is received in a millisecond of its own and time ranges
        // have something to separate.
        if (spread)
            client.pump(3);
    }
    return true;
}

QJsonObject TestTelemetry::history(HttpsClient &client, const QString &id, const QString &query)
{
    const auto r = client.get(QStringLiteral("/api/v1/devices/%1/telemetry").arg(id) +
                              (query.isEmpty() ? QString() : QLatin1Char('?') + query));
    if (r.status != 200)
        qWarning("telemetry: %d %s", r.status, r.body.constData());
    return r.json();
}

QList<int> TestTelemetry::sequence(const QJsonObject &history)
{
    QList<int> out;
    for (const auto &v : history.value(QStringLiteral("messages")).toArray())
        out << v.toObject().value(QStringLiteral("body")).toObject().value(QStringLiteral("n")).toInt(-1);
    return out;
}

void TestTelemetry::historyPagesNewestFirst()
{
    QVERIFY(publish(*m_tele1, QStringLiteral("tele-1"), 0, 7));
    QTRY_COMPARE_WITH_TIMEOUT(sequence(history(*m_f.viewer, QStringLiteral("tele-1"))),
                              (QList<int>{6, 5, 4, 3, 2, 1, 0}), 10000);
    const QJsonObject all = history(*m_f.viewer, QStringLiteral("tele-1"));
    QCOMPARE(all.value(QStringLiteral("deviceId")).toString(), QStringLiteral("tele-1"));
    QCOMPARE(all.value(QStringLiteral("count")).toInt(), 7);
    QVERIFY(!all.value(QStringLiteral("lastMessageDateTimeUtc")).toString().isEmpty());
    QVERIFY(!all.contains(QStringLiteral("nextCursor")));
    const QJsonObject newest = all.value(QStringLiteral("messages")).toArray().first().toObject();
    QCOMPARE(newest.value(QStringLiteral("bodyEncoding")).toString(), QStringLiteral("json"));
    QCOMPARE(newest.value(QStringLiteral("size")).toInt(), 7); // {"n":6}
    QCOMPARE(newest.value(QStringLiteral("properties")).toObject().value(QStringLiteral("seq")).toString(),
             QStringLiteral("6"));
    QVERIFY(!newest.value(QStringLiteral("receivedDateTimeUtc")).toString().isEmpty());

    // Pages of 3: 6 5 4 | 3 2 1 | 0, each cursor continuing the last.
    QList<int> walked;
    QString cursor;
    int pages = 0;
    do {
        const QJsonObject page =
            history(*m_f.viewer, QStringLiteral("tele-1"),
                    QStringLiteral("limit=3") + (cursor.isEmpty() ? QString() : QStringLiteral("&cursor=") + cursor));
        walked << sequence(page);
        cursor = page.value(QStringLiteral("nextCursor")).toString();
        QVERIFY(++pages <= 3);
    } while (!cursor.isEmpty());
    QCOMPARE(walked, (QList<int>{6, 5, 4, 3, 2, 1, 0}));
    QCOMPARE(pages, 3);
}

void TestTelemetry::timeRange_data()
{
    QTest::addColumn<int>("since"); // index of the message whose time bounds, -1: unbounded
    QTest::addColumn<int>("until");

    QTest::newRow("since oldest") << 0 << -1;
    QTest::newRow("since middle") << 3 << -1;
    QTest::newRow("until middle") << -1 << 3;
    QTest::newRow("until newest") << -1 << 6;
    QTest::newRow("between") << 1 << 5;
}

void TestTelemetry::timeRange()
{
    QFETCH(int, since);
    QFETCH(int, until);
    // The bounds are the messages' own reception times; the expectation
    // applies [since, until) to the full listing, so equal times (two
    // messages in one millisecond) cannot make the test wrong.
    const QJsonArray all = history(*m_f.viewer, QStringLiteral("tele-1")).value(QStringLiteral("messages")).toArray();
    QCOMPARE(all.size(), 7);
    auto timeOf = [&](int n) {
        return all.at(6 - n).toObject().value(QStringLiteral("receivedDateTimeUtc")).toString();
    };
    QList<int> expected;
    for (int i = 0; i < all.size(); ++i) {
        const QString at = all.at(i).toObject().value(QStringLiteral("receivedDateTimeUtc")).toString();
        if ((since < 0 || at >= timeOf(since)) && (until < 0 || at < timeOf(until)))
            expected << 6 - i;
    }
    QVERIFY(!expected.isEmpty());
    QStringList query;
    if (since >= 0)
        query << QStringLiteral("since=") + QString::fromLatin1(QUrl::toPercentEncoding(timeOf(since)));
    if (until >= 0)
        query << QStringLiteral("until=") + QString::fromLatin1(QUrl::toPercentEncoding(timeOf(until)));
    QCOMPARE(sequence(history(*m_f.viewer, QStringLiteral("tele-1"), query.join(QLatin1Char('&')))), expected);
    if (since >= 0)
        QVERIFY(expected.contains(since)); // since is inclusive
    if (until >= 0)
        QVERIFY(!expected.contains(until)); // until is exclusive
}

void TestTelemetry::badQueries_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("message");

    QTest::newRow("limit zero") << "limit=0"
                                << "limit";
    QTest::newRow("limit too large") << "limit=1001"
                                     << "limit";
    QTest::newRow("limit text") << "limit=all"
                                << "limit";
    QTest::newRow("since not a time") << "since=yesterday"
                                      << "query parameter 'since' must be an ISO-8601 timestamp";
    QTest::newRow("until without zone") << "until=2026-01-01T00:00:00"
                                        << "query parameter 'until'";
    QTest::newRow("until before since") << "since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z"
                                        << "'until' must be later than 'since'";
    QTest::newRow("until equals since") << "since=2026-01-01T00:00:00Z&until=2026-01-01T00:00:00Z"
                                        << "'until' must be later than 'since'";
    QTest::newRow("cursor not base64") << "cursor=%25%25"
                                       << "cursor";
    QTest::newRow("cursor not ours") << "cursor=AAAA"
                                     << "cursor";
    QTest::newRow("unknown parameter") << "order=asc"
                                       << "unknown query parameter 'order'";
}

void TestTelemetry::badQueries()
{
    QFETCH(QString, query);
    QFETCH(QString, message);
    const auto r = m_f.viewer->get(QStringLiteral("/api/v1/devices/tele-1/telemetry?") + query);
    QCOMPARE(r.status, 400);
    QVERIFY2(r.json().value(QStringLiteral("message")).toString().contains(message), r.body.constData());
    QCOMPARE(m_f.viewer->get(QStringLiteral("/api/v1/devices/nobody/telemetry")).status, 404);
}

void TestTelemetry::keepsTheNewestPerDevice()
{
    // 12 messages, --telemetry-keep 8: the prune leaves the newest 8 in the
    // table, and the device's total count still says 12.
    QVERIFY(publish(*m_tele2, QStringLiteral("tele-2"), 0, 12));
    const DirectDb db(*m_f.mw);
    QTRY_COMPARE_WITH_TIMEOUT(
        db.scalar(QStringLiteral("SELECT COUNT(*) FROM telemetry WHERE device_id = ?"), {QStringLiteral("tele-2")})
            .toInt(),
        kKeep, 10000);
    // A prune may run while the last messages are still arriving (the table
    // holds 8 of the first 10 for a moment): wait for the final state.
    QTRY_COMPARE_WITH_TIMEOUT(sequence(history(*m_f.viewer, QStringLiteral("tele-2"))),
                              (QList<int>{11, 10, 9, 8, 7, 6, 5, 4}), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(history(*m_f.viewer, QStringLiteral("tele-2")).value(QStringLiteral("count")).toInt(), 12,
                              10000);
    // Another device's history is untouched.
    QCOMPARE(sequence(history(*m_f.viewer, QStringLiteral("tele-1"))).size(), 7);
}

void TestTelemetry::oldMessagesExpire()
{
    // Rows as an earlier run would have left them: 8 and 6 days old, with
    // the default --telemetry-days 7.
    const DirectDb db(*m_f.mw);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QString insert = QStringLiteral("INSERT INTO telemetry (device_id, hub_host, received, properties, body) "
                                          "VALUES (?, ?, ?, ?, ?)");
    const auto iso = [](const QDateTime &t) { return t.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ")); };
    QVERIFY(db.exec(insert, {QStringLiteral("tele-1"), kHubHost, iso(now.addDays(-8)), QStringLiteral("age=8"),
                             QByteArray("{\"n\":-8}")}));
    QVERIFY(db.exec(insert, {QStringLiteral("tele-1"), kHubHost, iso(now.addDays(-6)), QStringLiteral("age=6"),
                             QByteArray("{\"n\":-6}")}));
    // Age applies to every row, whichever device or instance wrote it.
    QTRY_COMPARE_WITH_TIMEOUT(
        db.scalar(QStringLiteral("SELECT COUNT(*) FROM telemetry WHERE properties = ?"), {QStringLiteral("age=8")})
            .toInt(),
        0, 10000);
    QCOMPARE(db.scalar(QStringLiteral("SELECT COUNT(*) FROM telemetry WHERE properties = ?"), {QStringLiteral("age=6")})
                 .toInt(),
             1);
    // Oldest last in the history, and the only one of its day.
    const QList<int> seq = sequence(history(*m_f.viewer, QStringLiteral("tele-1")));
    QCOMPARE(seq.size(), 8);
    QCOMPARE(seq.last(), -6);
    const QString week = QString::fromLatin1(QUrl::toPercentEncoding(iso(now.addDays(-5))));
    QCOMPARE(sequence(history(*m_f.viewer, QStringLiteral("tele-1"), QStringLiteral("until=") + week)), QList<int>{-6});
}

double TestTelemetry::metric(const QByteArray &name, HttpsClient *client)
{
    const QByteArray text = (client ? client : m_f.viewer.get())->get(QStringLiteral("/metrics")).body;
    for (const QByteArray &line : text.split('\n')) {
        if (line.startsWith(QByteArray(name + ' ')))
            return line.mid(name.size() + 1).toDouble();
    }
    return 0;
}

void TestTelemetry::burstIsStoredWhole()
{
    // More than a batch (500) as fast as the device can publish: full
    // batches are written at once, the rest by the timer, nothing is lost
    // or doubled, and retention then trims to --telemetry-keep.
    constexpr int kBurst = 1200;
    auto tele4 = device(QStringLiteral("tele-4"));
    QVERIFY(tele4);
    const double storedBefore = metric("provisio_telemetry_stored_total");
    QElapsedTimer timer;
    timer.start();
    QVERIFY(publish(*tele4, QStringLiteral("tele-4"), 0, kBurst, false));
    const qint64 publishedMs = timer.elapsed();
    QTRY_COMPARE_WITH_TIMEOUT(metric("provisio_telemetry_stored_total") - storedBefore, double(kBurst), 15000);
    qInfo("%d QoS 1 messages from one device: published in %lld ms, all stored after %lld ms", kBurst, publishedMs,
          timer.elapsed());
    QTRY_COMPARE_WITH_TIMEOUT(history(*m_f.viewer, QStringLiteral("tele-4")).value(QStringLiteral("count")).toInt(),
                              kBurst, 15000);
    const DirectDb db(*m_f.mw);
    QTRY_COMPARE_WITH_TIMEOUT(
        db.scalar(QStringLiteral("SELECT COUNT(*) FROM telemetry WHERE device_id = ?"), {QStringLiteral("tele-4")})
            .toInt(),
        kKeep, 10000);
    QList<int> newest;
    for (int n = kBurst - 1; n >= kBurst - kKeep; --n)
        newest << n;
    QCOMPARE(sequence(history(*m_f.viewer, QStringLiteral("tele-4"))), newest);
    QVERIFY(metric("provisio_telemetry_pruned_total{reason=\"count\"}") >= kBurst - kKeep);
    QCOMPARE(metric("provisio_telemetry_dropped_total"), 0.0);
}

void TestTelemetry::historySurvivesRestart()
{
    const QJsonObject before1 = history(*m_f.viewer, QStringLiteral("tele-1"));
    const QJsonObject before2 = history(*m_f.viewer, QStringLiteral("tele-2"));
    QVERIFY(!sequence(before1).isEmpty());
    QVERIFY(m_f.mw->restart());
    m_f.reconnect();
    QCOMPARE(history(*m_f.viewer, QStringLiteral("tele-1")), before1);
    QCOMPARE(history(*m_f.viewer, QStringLiteral("tele-2")), before2);
    QTRY_VERIFY_WITH_TIMEOUT(hubConnected(*m_f.viewer), 30000);
}

void TestTelemetry::sharedBetweenInstances()
{
    // A second instance on the same database: both read the hub through the
    // shared subscription, so each stores its share, and each answers the
    // whole history.
    const QString database = m_f.mw->databaseUrl().isEmpty()
                                 ? QDir(m_f.mw->dataDir()).filePath(QStringLiteral("provisio.db"))
                                 : m_f.mw->databaseUrl();
    MiddlewareProcess second({QStringLiteral("--telemetry-keep"), QString::number(kKeep)}, database);
    // Instances of one installation share its CA: the hub's certificate
    // comes from it, and the second instance must trust the hub.
    QVERIFY(QDir().mkpath(QDir(second.dataDir()).filePath(QStringLiteral("tls"))));
    for (const char *file : {"tls/ca.crt", "tls/ca.key"})
        QVERIFY(QFile::copy(QDir(m_f.mw->dataDir()).filePath(QLatin1String(file)),
                            QDir(second.dataDir()).filePath(QLatin1String(file))));
    QVERIFY2(second.start(), qPrintable(second.lastError()));
    HttpsClient viewer2(second.baseUrl(), second.caCertificatePath());
    viewer2.setBearer(m_f.viewer->bearer());
    QTRY_VERIFY_WITH_TIMEOUT(hubConnected(viewer2), 30000);

    // What each instance received of the hub's telemetry so far.
    const QByteArray received = QByteArrayLiteral("provisio_hub_messages_total{kind=\"telemetry\"}");
    const double firstBefore = metric(received);
    const double secondBefore = metric(received, &viewer2);

    auto tele3 = device(QStringLiteral("tele-3"));
    QVERIFY(tele3);
    QVERIFY(publish(*tele3, QStringLiteral("tele-3"), 0, 6));
    const QList<int> expected{5, 4, 3, 2, 1, 0};
    QTRY_COMPARE_WITH_TIMEOUT(sequence(history(*m_f.viewer, QStringLiteral("tele-3"))), expected, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(sequence(history(viewer2, QStringLiteral("tele-3"))), expected, 10000);
    // The load was split: each instance received (and stored) a share of
    // the six, together all of them.
    const double firstShare = metric(received) - firstBefore;
    const double secondShare = metric(received, &viewer2) - secondBefore;
    QVERIFY2(firstShare >= 1 && secondShare >= 1 && firstShare + secondShare >= 6,
             qPrintable(QStringLiteral("first %1, second %2").arg(firstShare).arg(secondShare)));
    // Counts meet in the database too, once both flushed their counters.
    QTRY_COMPARE_WITH_TIMEOUT(history(viewer2, QStringLiteral("tele-3")).value(QStringLiteral("count")).toInt(), 6,
                              15000);
    second.stop();
    QCOMPARE(second.exitCode(), 0);
}

QTEST_GUILESS_MAIN(TestTelemetry)
#include "tst_telemetry.moc"

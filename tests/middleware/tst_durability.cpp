// SPDX-License-Identifier: Apache-2.0
//
// Nothing the hub acknowledged to a device is lost, and nothing is stored
// twice: a real middleware, a real mosquitto with the real plugin, devices
// streaming QoS 1 telemetry, and the middleware killed -9 at random moments,
// stopped with its messages received but not committed, or facing a locked
// database. Every check compares what the devices had acknowledged with the
// telemetry table itself: every (device, seq) present, each exactly once.
//
// Runs on SQLite and, as tst_durability_pg, on PostgreSQL, where a second
// instance is killed for good and the first drains its hub session.
//
// The broker is killed -9 too, at random moments while devices stream, and
// started again with its persistence as hub-config configures it; devices
// reconnect and send again what the hub had not acknowledged, as Provisio's
// devices do (with the same message id).
//
// PROVISIO_DURABILITY_LONG=1 (ctest tst_durability_long, label slow) runs the
// kill rounds with 50 devices and longer streams, and more broker kills.

#include "devicetestutil.h"
#include "mosquittoprocess.h"
#include "mqtttestclient.h"

#include "crypto/sastoken.h"
#include "mqtt/mqtttopic.h"
#include "storage/database.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <memory>
#include <thread>
#include <vector>

using namespace Provisio;
using namespace Provisio::Test;

namespace {
const QString kHubHost = QStringLiteral("durable-hub.test");

bool longRun()
{
    return qEnvironmentVariableIntValue("PROVISIO_DURABILITY_LONG") == 1;
}
} // namespace

class TestDurability : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void killedAtRandomMomentsLosesNothingAndStoresOnce();
    void killedWithReceivedUncommittedMessagesLosesNothing();
    void lockedDatabaseStopsAcknowledgingAndDropsNothing();
    void brokerKilledAtRandomMomentsLosesNothingAndStoresOnce();
    // Keep last: it leaves a second instance's session drained.
    void deadInstanceIsDrainedBySurvivor_data();
    void deadInstanceIsDrainedBySurvivor();

private:
    struct Device
    {
        QString id;
        bool withMessageId = false; // half send $.mid, half rely on the delivery record
        QByteArray username;
        QByteArray password;
        std::unique_ptr<MqttTestClient> client;
        int next = 0; // next seq; 0..next-1 acknowledged by the hub
    };
    std::unique_ptr<Device> device(const QString &id, bool withMessageId);
    // One QoS 1 message of the device's stream; false when the hub did not
    // acknowledge it.
    bool send(Device &d);
    // A new connection for the device (the broker restarted); false when the
    // hub does not take it (it holds devices back until the middleware has
    // subscribed again).
    bool reconnect(Device &d);
    // device id -> (rows, distinct seq) in the telemetry table.
    QHash<QString, QPair<int, int>> stored();
    // Every device's 0..next-1 stored exactly once, within `timeoutMs`.
    bool allStoredOnce(const std::vector<std::unique_ptr<Device>> &devices, int timeoutMs, QString *why);
    void killMiddleware();
    bool restartMiddleware();
    QSqlDatabase openDatabase(const QString &name);
    bool onSqlite() const { return m_f.mw->databaseUrl().isEmpty(); }
    // The middleware's database, whichever the backend.
    Database *database();
    double metric(const QByteArray &name);

    DeviceFixture m_f;
    QTemporaryDir m_work;
    quint16 m_port = 0;
    MosquittoProcess m_broker{QStringLiteral(PROVISIO_MOSQUITTO_BIN)};
    std::unique_ptr<Database> m_db;
};

void TestDurability::initTestCase()
{
    QVERIFY2(QFileInfo::exists(QStringLiteral(PROVISIO_MOSQUITTO_BIN)), "mosquitto is not installed");
    // Short hub-link leases, so a dead instance is taken over within the
    // test's 30 s (every instance started from here inherits it).
    qputenv("PROVISIO_HUB_LEASE", "6");
    // Every message kept: the check counts the whole stream.
    QVERIFY(m_f.start({QStringLiteral("--telemetry-keep"), QStringLiteral("1000000")}));
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
    QTRY_VERIFY_WITH_TIMEOUT(
        m_f.viewer->get(QStringLiteral("/api/v1/hubs/hub1/status")).json().value(QStringLiteral("connected")).toBool(),
        30000);
}

void TestDurability::cleanupTestCase()
{
    m_broker.stop();
}

std::unique_ptr<TestDurability::Device> TestDurability::device(const QString &id, bool withMessageId)
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
    if (hubKey.isEmpty()) {
        qWarning() << "registration:" << state;
        return nullptr;
    }
    auto d = std::make_unique<Device>();
    d->id = id;
    d->withMessageId = withMessageId;
    d->username = (kHubHost + QLatin1Char('/') + id + QStringLiteral("/?api-version=2021-04-12")).toUtf8();
    d->password =
        SasToken::create(kHubHost + QStringLiteral("/devices/") + id, hubKey, QDateTime::currentSecsSinceEpoch() + 3600)
            .toUtf8();
    if (!reconnect(*d))
        return nullptr;
    return d;
}

bool TestDurability::reconnect(Device &d)
{
    d.client = std::make_unique<MqttTestClient>(d.id, MqttTestClient::Mqtt311);
    d.client->setCredentials(d.username, d.password);
    return d.client->connect(QStringLiteral("127.0.0.1"), m_port, m_f.mw->caCertificatePath()) == 0;
}

bool TestDurability::send(Device &d)
{
    MqttTopic::PropertyBag bag;
    if (d.withMessageId)
        bag.append({QStringLiteral("$.mid"), QStringLiteral("%1-%2").arg(d.id).arg(d.next)});
    const QByteArray body = "{\"seq\":" + QByteArray::number(d.next) + ",\"v\":21.5}";
    int code = d.client->publish(MqttTopic::telemetryTopic(d.id, bag), body, 1);
    // Held back (the hub closed the connection before acknowledging, while
    // a restarted middleware has not subscribed again or its window is
    // full): connect again and send the same message, as every SDK does
    // with what its hub did not acknowledge.
    for (int attempt = 0; code != 0 && attempt < 100; ++attempt) {
        QTest::qWait(100);
        if (reconnect(d))
            code = d.client->publish(MqttTopic::telemetryTopic(d.id, bag), body, 1);
    }
    if (code != 0) {
        qWarning("%s: publish %d answered %d, also after 100 reconnects", qPrintable(d.id), d.next, code);
        return false;
    }
    ++d.next;
    return true;
}

QSqlDatabase TestDurability::openDatabase(const QString &name)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    db.setDatabaseName(QDir(m_f.mw->dataDir()).filePath(QStringLiteral("provisio.db")));
    db.open();
    return db;
}

Database *TestDurability::database()
{
    if (!m_db) {
        const QString location =
            onSqlite() ? QDir(m_f.mw->dataDir()).filePath(QStringLiteral("provisio.db")) : m_f.mw->databaseUrl();
        auto db = Database::open(location);
        if (!db) {
            qWarning() << "database:" << db.error().message;
            return nullptr;
        }
        m_db = std::move(*db);
    }
    return m_db.get();
}

QHash<QString, QPair<int, int>> TestDurability::stored()
{
    // The body is {"seq":N,...} as the devices wrote it; seq is read with
    // SQL both backends share.
    QHash<QString, QPair<int, int>> out;
    Database *db = database();
    if (!db)
        return out;
    auto q = db->exec(QStringLiteral("SELECT device_id, body FROM telemetry WHERE device_id LIKE 'dur-%'"));
    if (!q)
        return out;
    QHash<QString, QSet<int>> seqs;
    QHash<QString, int> rowCount;
    while (q->next()) {
        const QString id = q->value(0).toString();
        ++rowCount[id];
        seqs[id].insert(
            QJsonDocument::fromJson(q->value(1).toByteArray()).object().value(QStringLiteral("seq")).toInt(-1));
    }
    q->finish();
    for (auto it = rowCount.cbegin(); it != rowCount.cend(); ++it)
        out.insert(it.key(), {it.value(), int(seqs.value(it.key()).size())});
    return out;
}

bool TestDurability::allStoredOnce(const std::vector<std::unique_ptr<Device>> &devices, int timeoutMs, QString *why)
{
    QElapsedTimer timer;
    timer.start();
    for (;;) {
        const auto counts = stored();
        QStringList problems;
        bool complete = true;
        for (const auto &d : devices) {
            const auto c = counts.value(d->id);
            if (c.first > c.second)
                problems
                    << QStringLiteral("%1: %2 rows for %3 messages (duplicates)").arg(d->id).arg(c.first).arg(c.second);
            if (c.second < d->next) {
                complete = false;
                if (timer.elapsed() >= timeoutMs)
                    problems << QStringLiteral("%1: %2 of %3 acknowledged messages stored")
                                    .arg(d->id)
                                    .arg(c.second)
                                    .arg(d->next);
            }
            if (c.second > d->next)
                problems << QStringLiteral("%1: %2 stored, only %3 sent").arg(d->id).arg(c.second).arg(d->next);
        }
        if (!problems.isEmpty() && (complete || timer.elapsed() >= timeoutMs)) {
            *why = problems.join(QLatin1String("; "));
            return false;
        }
        if (complete)
            return true;
        QTest::qWait(200);
    }
}

void TestDurability::killMiddleware()
{
    QVERIFY(m_f.mw->sendSignal(SIGKILL));
    m_f.mw->stop(); // reaps it
    QCOMPARE(m_f.mw->exitStatus(), QProcess::CrashExit);
}

bool TestDurability::restartMiddleware()
{
    // In case it was stopped. Not ::kill(processId(), ...): after
    // killMiddleware() nothing runs and that would be kill(0, SIGCONT), which
    // resumed every stopped process of the ctest run (another test's stalled
    // middleware among them).
    m_f.mw->sendSignal(SIGCONT);
    if (!m_f.mw->start()) {
        qWarning("restart: %s", qPrintable(m_f.mw->lastError()));
        return false;
    }
    m_f.reconnect();
    return true;
}

double TestDurability::metric(const QByteArray &name)
{
    const QByteArray body = m_f.viewer->get(QStringLiteral("/metrics")).body;
    for (const QByteArray &line : body.split('\n')) {
        if (line.startsWith(QByteArray(name + ' ')))
            return line.mid(name.size() + 1).toDouble();
    }
    return -1;
}

void TestDurability::killedAtRandomMomentsLosesNothingAndStoresOnce()
{
    // Devices stream continuously (round robin, each message acknowledged
    // by the hub before the next); the middleware is killed -9 after a
    // random number of messages, the stream goes on while it is down, it is
    // restarted, ten times. Then: every acknowledged message stored, once.
    const auto explain = qScopeGuard([this] {
        if (QTest::currentTestFailed())
            qWarning().noquote() << "middleware log:\n"
                                 << m_f.mw->drainLog().right(4000) << "\nhub log:\n"
                                 << m_broker.log().right(4000);
    });
    const int deviceCount = longRun() ? 50 : 10;
    const int perRound = longRun() ? 3000 : 600;
    std::vector<std::unique_ptr<Device>> devices;
    for (int i = 0; i < deviceCount; ++i) {
        auto d = device(QStringLiteral("dur-k%1").arg(i), i % 2 == 0);
        QVERIFY(d);
        devices.push_back(std::move(d));
    }
    QRandomGenerator rng(quint32(QDateTime::currentMSecsSinceEpoch()));
    int turn = 0;
    const auto stream = [&](int messages) {
        for (int i = 0; i < messages; ++i) {
            if (!send(*devices[size_t(turn++ % deviceCount)]))
                return false;
        }
        return true;
    };
    for (int round = 0; round < 10; ++round) {
        // Kill somewhere in a stream the middleware is busy storing.
        QVERIFY(stream(int(rng.bounded(perRound / 4, perRound))));
        killMiddleware();
        QVERIFY(stream(int(rng.bounded(1, perRound / 4)))); // while it is down
        QVERIFY(restartMiddleware());
    }
    QVERIFY(stream(perRound / 4));
    QString why;
    QVERIFY2(allStoredOnce(devices, 60000, &why), qPrintable(why));
    int total = 0;
    for (const auto &d : devices)
        total += d->next;
    qInfo("%d messages from %d devices, 10 kills: all stored once", total, deviceCount);
}

void TestDurability::killedWithReceivedUncommittedMessagesLosesNothing()
{
    if (!onSqlite())
        QSKIP("holds the SQLite write lock; the kill rounds cover PostgreSQL");
    // Deterministically inside the window that used to lose a batch: the
    // middleware has received the messages (the hub delivered them to its
    // connection) and cannot commit them (another connection holds the
    // SQLite write lock); then it is killed -9.
    const auto explain = qScopeGuard([this] {
        if (QTest::currentTestFailed())
            qWarning().noquote() << "middleware log:\n" << m_f.mw->drainLog().right(4000);
    });
    std::vector<std::unique_ptr<Device>> devices;
    devices.push_back(device(QStringLiteral("dur-u0"), true));
    devices.push_back(device(QStringLiteral("dur-u1"), false));
    QVERIFY(devices[0] && devices[1]);
    {
        QSqlDatabase lock = openDatabase(QStringLiteral("lock"));
        QVERIFY2(lock.isOpen(), qPrintable(lock.lastError().text()));
        QSqlQuery q(lock);
        QVERIFY2(q.exec(QStringLiteral("BEGIN EXCLUSIVE")), qPrintable(q.lastError().text()));
        for (int i = 0; i < 10; ++i) {
            QVERIFY(send(*devices[0]));
            QVERIFY(send(*devices[1]));
        }
        // Received and waiting: the middleware says so (in its log: its
        // HTTP side is as stuck behind the lock as its writes).
        QTRY_VERIFY_WITH_TIMEOUT(m_f.mw->drainLog().contains(QLatin1String("telemetry not stored, retrying")), 20000);
        killMiddleware();
        q.exec(QStringLiteral("ROLLBACK"));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("lock"));
    QVERIFY(restartMiddleware());
    QString why;
    QVERIFY2(allStoredOnce(devices, 30000, &why), qPrintable(why));
}

void TestDurability::lockedDatabaseStopsAcknowledgingAndDropsNothing()
{
    if (!onSqlite())
        QSKIP("holds the SQLite write lock");
    // The database away for longer than the hub's in-flight window: the
    // middleware holds what it received without acknowledging it, the hub
    // holds the rest, and when the database is back all of it is stored.
    std::vector<std::unique_ptr<Device>> devices;
    devices.push_back(device(QStringLiteral("dur-l0"), false));
    QVERIFY(devices[0]);
    constexpr int kMessages = 500; // far beyond the hub's window
    {
        QSqlDatabase lock = openDatabase(QStringLiteral("lock2"));
        QSqlQuery q(lock);
        QVERIFY2(q.exec(QStringLiteral("BEGIN EXCLUSIVE")), qPrintable(q.lastError().text()));
        for (int i = 0; i < kMessages; ++i)
            QVERIFY(send(*devices[0]));
        QTRY_VERIFY_WITH_TIMEOUT(m_f.mw->drainLog().contains(QLatin1String("telemetry not stored, retrying")), 20000);
        // Several failed rounds (each waits for the lock for 5 s).
        QTest::qWait(12000);
        q.exec(QStringLiteral("ROLLBACK"));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("lock2"));
    QString why;
    QVERIFY2(allStoredOnce(devices, 30000, &why), qPrintable(why));
    // Unacknowledged deliveries stayed with the hub: what waited in the
    // middleware was bounded by the hub's in-flight window, never the
    // stream, and none was dropped.
    QTRY_COMPARE_WITH_TIMEOUT(metric("provisio_telemetry_pending_messages"), 0.0, 10000);
    QCOMPARE(metric("provisio_telemetry_dropped_total"), -1.0); // no such thing any more
}

void TestDurability::deadInstanceIsDrainedBySurvivor_data()
{
    QTest::addColumn<bool>("afterRenewal");
    QTest::newRow("on its first session") << false;
    // Renewals move an instance to its other client id (`…~b`): killed
    // there, that session holds its share and must be drained too.
    QTest::newRow("on its second session, after a renewal") << true;
}

void TestDurability::deadInstanceIsDrainedBySurvivor()
{
    // A second instance on the same database shares the hub's messages
    // through the shared subscription; it is killed -9 mid-stream and never
    // comes back. Within 30 s the survivor has taken over its lease,
    // drained its hub session (what the hub queued for it, and what it had
    // received without acknowledging) and stored all of it, once.
    QFETCH(bool, afterRenewal);
    const QString location =
        onSqlite() ? QDir(m_f.mw->dataDir()).filePath(QStringLiteral("provisio.db")) : m_f.mw->databaseUrl();
    MiddlewareProcess second({QStringLiteral("--telemetry-keep"), QStringLiteral("1000000")}, location);
    QVERIFY(QDir().mkpath(QDir(second.dataDir()).filePath(QStringLiteral("tls"))));
    for (const char *file : {"tls/ca.crt", "tls/ca.key"})
        QVERIFY(QFile::copy(QDir(m_f.mw->dataDir()).filePath(QLatin1String(file)),
                            QDir(second.dataDir()).filePath(QLatin1String(file))));
    if (afterRenewal)
        qputenv("PROVISIO_HUB_TOKEN_LIFETIME", "6"); // renewed at 4.5 s
    const bool started = second.start();
    qunsetenv("PROVISIO_HUB_TOKEN_LIFETIME");
    QVERIFY2(started, qPrintable(second.lastError()));
    const auto explain = qScopeGuard([this, &second] {
        if (QTest::currentTestFailed())
            qWarning().noquote() << "survivor log:\n"
                                 << m_f.mw->drainLog().right(4000) << "\nsecond log:\n"
                                 << second.drainLog().right(3000);
    });
    HttpsClient viewer2(second.baseUrl(), second.caCertificatePath());
    viewer2.setBearer(m_f.viewer->bearer());
    QTRY_VERIFY_WITH_TIMEOUT(
        viewer2.get(QStringLiteral("/api/v1/hubs/hub1/status")).json().value(QStringLiteral("connected")).toBool(),
        30000);
    const QString secondClientId =
        viewer2.get(QStringLiteral("/api/v1/hubs/hub1/status")).json().value(QStringLiteral("clientId")).toString();
    QVERIFY(secondClientId.startsWith(QLatin1String("provisio-mw-")));

    std::vector<std::unique_ptr<Device>> devices;
    for (int i = 0; i < 6; ++i) {
        auto d = device(QStringLiteral("dur-%1%2").arg(QLatin1Char(afterRenewal ? 'g' : 'f')).arg(i), i % 2 == 0);
        QVERIFY(d);
        devices.push_back(std::move(d));
    }
    int turn = 0;
    const auto stream = [&](int messages) {
        for (int i = 0; i < messages; ++i) {
            if (!send(*devices[size_t(turn++ % devices.size())]))
                return false;
        }
        return true;
    };
    QVERIFY(stream(600));
    if (afterRenewal) {
        // Killed as soon as it reads through its other session.
        const QString partner = secondClientId + QStringLiteral("~b");
        QElapsedTimer waiting;
        waiting.start();
        while (viewer2.get(QStringLiteral("/api/v1/hubs/hub1/status")).json().value(QStringLiteral("clientId")) !=
               partner) {
            QVERIFY2(waiting.elapsed() < 15000, "the second instance never moved to its other session");
            QVERIFY(stream(3));
        }
    }
    QVERIFY(second.sendSignal(SIGKILL));
    QElapsedTimer sinceKill;
    sinceKill.start();
    second.stop();
    // The stream goes on: the dead instance's share queues in its session
    // until the survivor takes the session over.
    QVERIFY(stream(600));
    QString why;
    QVERIFY2(allStoredOnce(devices, int(qMax<qint64>(1000, 30000 - sinceKill.elapsed())), &why), qPrintable(why));
    qInfo("the survivor held all %d messages %lld ms after the kill", turn, sinceKill.elapsed());
    // And it retires the dead instance: its lease goes once the session is
    // ended on the hub.
    const auto leases = [this, &secondClientId] {
        auto q = database()->exec(QStringLiteral("SELECT COUNT(*) FROM hub_link_leases WHERE client_id = ?"),
                                  {secondClientId});
        const int n = q && q->next() ? q->value(0).toInt() : -1;
        if (q)
            q->finish();
        return n;
    };
    QTRY_COMPARE_WITH_TIMEOUT(leases(), 0, 30000);
    // The line follows the lease's release; under load it can reach the
    // pipe a moment later.
    QTRY_VERIFY_WITH_TIMEOUT(
        m_f.mw->drainLog().contains(QStringLiteral("instance %1 drained and retired").arg(secondClientId)), 10000);
}

void TestDurability::brokerKilledAtRandomMomentsLosesNothingAndStoresOnce()
{
    // Devices stream; another thread kills the broker -9 after a random
    // delay, wherever the stream is (a publish on the wire, a PUBACK on its
    // way, a batch between the hub and the middleware). The broker starts
    // again on its persistence; every device reconnects (the hub holds them
    // back until the middleware has subscribed again) and sends again what
    // was not acknowledged, with the same message id. Every acknowledged
    // message is counted, with the moment of its acknowledgement.
    //
    // What must hold: nothing stored twice; nothing lost that the hub
    // acknowledged after the last kill, or that was followed by a whole
    // credit window of acknowledgements before a kill: the hub holds devices
    // back while the middleware has not confirmed that many, so the
    // middleware had stored it. What Mosquitto held only in memory for a
    // middleware that was behind is lost at a kill -9 (it saves its state
    // every autosave_interval, 300 s): the documented limit (docs/claims.md,
    // "Limits"), counted and printed here. With PROVISIO_BROKER_KILL_STRICT=1
    // that count must be 0 as well.
    constexpr qint64 kCreditWindow = 50000; // hub-config's credit_window_messages
    const auto explain = qScopeGuard([this] {
        if (QTest::currentTestFailed())
            qWarning().noquote() << "middleware log:\n"
                                 << m_f.mw->drainLog().right(4000) << "\nhub log:\n"
                                 << m_broker.log().right(4000);
    });
    const int deviceCount = longRun() ? 50 : 20; // the twenty devices
    const int kills = longRun() ? 12 : 3;
    const QString conf = QDir(m_work.filePath(QStringLiteral("hub1"))).filePath(QStringLiteral("mosquitto.conf"));
    std::vector<std::unique_ptr<Device>> devices;
    // device -> the position of seq N among all acknowledgements, in order
    // (one publish at a time, so the order is the hub's).
    QHash<QString, QList<qint64>> ackedAt;
    qint64 acknowledged = 0;
    for (int i = 0; i < deviceCount; ++i) {
        // A device resending over a new connection is told apart only by its
        // message id (architecture.md, "Stored once"): all of them carry one.
        auto d = device(QStringLiteral("dur-b%1").arg(i), true);
        QVERIFY(d);
        devices.push_back(std::move(d));
    }
    const auto publish = [&](Device &d) {
        MqttTopic::PropertyBag bag{{QStringLiteral("$.mid"), QStringLiteral("%1-%2").arg(d.id).arg(d.next)}};
        const QByteArray body = "{\"seq\":" + QByteArray::number(d.next) + ",\"v\":21.5}";
        if (d.client->publish(MqttTopic::telemetryTopic(d.id, bag), body, 1) != 0)
            return false; // not acknowledged: the device keeps it and sends it again
        ackedAt[d.id].append(acknowledged++);
        ++d.next;
        return true;
    };
    QRandomGenerator rng(quint32(QDateTime::currentMSecsSinceEpoch()));
    std::vector<qint64> killedAt;
    int turn = 0;
    for (int round = 0; round < kills; ++round) {
        const qint64 pid = m_broker.processId();
        QVERIFY(pid > 0);
        const int delayMs = int(rng.bounded(300, longRun() ? 4000 : 1500));
        std::thread killer([pid, delayMs] {
            std::this_thread::sleep_for(std::chrono::milliseconds(delayMs));
            ::kill(pid_t(pid), SIGKILL);
        });
        // Stream until the kill cuts a publish short.
        bool cut = false;
        QElapsedTimer streaming;
        streaming.start();
        while (!cut && streaming.elapsed() < delayMs + 10000)
            cut = !publish(*devices[size_t(turn++ % deviceCount)]);
        killer.join();
        QVERIFY2(cut, "the stream went on after the kill");
        killedAt.push_back(acknowledged); // every acknowledgement so far came before the kill
        m_broker.stop();                  // reaps it
        QVERIFY2(m_broker.start(conf, m_port), qPrintable(m_broker.log()));
        // Every device back in; held back at first, until the middleware's
        // link has subscribed again.
        QElapsedTimer back;
        back.start();
        for (auto &d : devices) {
            while (!reconnect(*d)) {
                QVERIFY2(back.elapsed() < 45000, qPrintable(d->id + QStringLiteral(" not let in again")));
                QTest::qWait(100);
            }
            // The one it was sending when the broker died goes again first.
            QVERIFY2(publish(*d), qPrintable(d->id + QStringLiteral(": not acknowledged after the restart")));
        }
        qInfo("kill %d after %d ms: devices back after %lld ms", round + 1, delayMs, back.elapsed());
    }

    // The stream goes on after the last restart: all of that must arrive.
    for (int i = 0; i < deviceCount * 30; ++i)
        QVERIFY(publish(*devices[size_t(turn++ % deviceCount)]));

    // Whatever the last kill could take is known once everything sent since
    // is stored; then the table is read once more and every gap explained.
    const qint64 lastKill = killedAt.back();
    const auto seqsOf = [this] {
        QHash<QString, QPair<int, QSet<int>>> out; // device -> (rows, seqs)
        auto q =
            database()->exec(QStringLiteral("SELECT device_id, body FROM telemetry WHERE device_id LIKE 'dur-b%'"));
        while (q && q->next()) {
            auto &entry = out[q->value(0).toString()];
            ++entry.first;
            entry.second.insert(
                QJsonDocument::fromJson(q->value(1).toByteArray()).object().value(QStringLiteral("seq")).toInt(-1));
        }
        if (q)
            q->finish();
        return out;
    };
    const auto sinceLastKillStored = [&] {
        const auto stored = seqsOf();
        for (const auto &d : devices) {
            const QList<qint64> &at = ackedAt.value(d->id);
            for (int seq = 0; seq < d->next; ++seq) {
                if (at.at(seq) >= lastKill && !stored.value(d->id).second.contains(seq))
                    return false;
            }
        }
        return true;
    };
    QTRY_VERIFY_WITH_TIMEOUT(sinceLastKillStored(), 60000);
    QTest::qWait(2000); // stragglers of earlier batches
    const auto stored = seqsOf();
    int sent = 0;
    int lostWithHubMemory = 0;
    QStringList problems;
    for (const auto &d : devices) {
        const auto entry = stored.value(d->id);
        const QList<qint64> &at = ackedAt.value(d->id);
        sent += d->next;
        if (entry.first != entry.second.size())
            problems << QStringLiteral("%1: %2 rows for %3 messages (duplicates)")
                            .arg(d->id)
                            .arg(entry.first)
                            .arg(entry.second.size());
        for (int seq : entry.second) {
            if (seq < 0 || seq >= d->next)
                problems << QStringLiteral("%1: seq %2 stored, only %3 sent").arg(d->id).arg(seq).arg(d->next);
        }
        for (int seq = 0; seq < d->next; ++seq) {
            if (entry.second.contains(seq))
                continue;
            const auto nextKill = std::upper_bound(killedAt.begin(), killedAt.end(), at.at(seq));
            if (nextKill == killedAt.end() || *nextKill - at.at(seq) > kCreditWindow)
                problems << QStringLiteral("%1: seq %2 (acknowledgement %3 of the run) lost")
                                .arg(d->id)
                                .arg(seq)
                                .arg(at.at(seq));
            else
                ++lostWithHubMemory;
        }
    }
    QVERIFY2(problems.isEmpty(), qPrintable(problems.mid(0, 20).join(QLatin1String("; "))));
    qInfo("%d messages from %d devices, %d broker kills: none stored twice; %d acknowledged by the hub and "
          "still only in its memory at a kill were lost (the documented limit)",
          sent, deviceCount, kills, lostWithHubMemory);
    if (qEnvironmentVariableIntValue("PROVISIO_BROKER_KILL_STRICT") == 1)
        QCOMPARE(lostWithHubMemory, 0);
}

QTEST_GUILESS_MAIN(TestDurability)
#include "tst_durability.moc"

// SPDX-License-Identifier: Apache-2.0
//
// Back-pressure and device limits at the hub (issue 11), against the real
// programs: a middleware, the broker configuration its `hub-config` writes,
// a real mosquitto with the provisio plugin, and devices that are real MQTT
// clients (the project's MqttClient for the bursts, as Provisio's devices
// use it: it keeps unacknowledged messages and sends them again after a
// reconnect).
//
// The burst: devices publish QoS 1 as fast as they can while the middleware
// is stopped (SIGSTOP, as in a long database stall) for the whole burst.
// The hub must hold them back instead of acknowledging what it cannot keep;
// once the middleware runs again, every message each publisher saw
// acknowledged is stored and the hub never dropped one. The default run uses
// a small credit window so the hold-back happens within seconds; with
// PROVISIO_BURST=full (ctest tst_backpressure_full, label slow) it is the
// issue's 20 devices x 10,000 messages with the window hub-config writes.

#include "devicetestutil.h"
#include "hubfixture.h"
#include "mosquittoprocess.h"
#include "mqtttestclient.h"

#include "crypto/sastoken.h"
#include "mqtt/mqttclient.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <memory>
#include <vector>

using namespace Provisio;
using namespace Provisio::Test;

namespace {

const QString kHubHost = QStringLiteral("hub1.test");

// A device sending a burst of QoS 1 telemetry as fast as its client lets
// it: MqttClient keeps up to 1000 unacknowledged messages, resends them
// after a reconnect, and reconnects whenever the hub closes the connection;
// the next message is handed over as soon as one is acknowledged.
struct BurstDevice
{
    QString id;
    QString hubKey;
    std::unique_ptr<MqttClient> client;
    int next = 1;            // the next "seq" to hand to the client
    int total = 0;           // messages in the burst
    qint64 acknowledged = 0; // PUBACKs with reason 0
    qint64 refused = 0;      // PUBACKs with a refusal (none expected)

    void start(quint16 port, const QString &caPath, int messages)
    {
        total = messages;
        client = std::make_unique<MqttClient>();
        client->setHostname(QStringLiteral("127.0.0.1"));
        client->setPort(port);
        client->setClientId(id);
        // MQTT 3.1.1, as Azure's device SDKs speak it.
        client->setProtocolVersion(MqttClient::Mqtt311);
        client->setTlsEnabled(true);
        client->setCaCertificateFile(caPath);
        client->setPeerVerifyName(kHubHost);
        client->setUsername(kHubHost + QLatin1Char('/') + id + QStringLiteral("/?api-version=2021-04-12"));
        client->setPassword(SasToken::create(kHubHost + QStringLiteral("/devices/") + id, hubKey,
                                             QDateTime::currentSecsSinceEpoch() + 3600));
        client->setReconnectDelays(100, 1000);
        QObject::connect(client.get(), &MqttClient::messagePublished, client.get(), [this](int, int reason) {
            if (reason == 0)
                ++acknowledged;
            else
                ++refused;
            feed();
        });
        feed();
        client->connectToHost();
    }
    void feed()
    {
        while (next <= total && client->pendingMessageCount() < client->maxPendingMessages()) {
            const QByteArray body = "{\"seq\":" + QByteArray::number(next) + ",\"v\":21.5}";
            if (client->publish(QStringLiteral("devices/%1/messages/events/").arg(id), body, 1) < 0)
                break;
            ++next;
        }
    }
};

// Sets `plugin_opt_NAME VALUE` in a mosquitto.conf (the line hub-config wrote).
bool setPluginOption(const QString &confPath, const QString &name, const QString &value)
{
    QFile file(confPath);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    QString text = QString::fromUtf8(file.readAll());
    file.close();
    const QRegularExpression line(QStringLiteral("^plugin_opt_%1 .*$").arg(name), QRegularExpression::MultilineOption);
    if (!text.contains(line))
        return false;
    text.replace(line, QStringLiteral("plugin_opt_%1 %2").arg(name, value));
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return file.write(text.toUtf8()) > 0;
}

} // namespace

class TestBackPressure : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void burstWhileTheMiddlewareIsStoppedLosesNothing();
    void hostileDeviceIsLimited_data();
    void hostileDeviceIsLimited();

private:
    // Enrolls and registers `id` on hub1; its hub key (empty on failure).
    QString registerOnHub(const QString &id);
    std::unique_ptr<MqttTestClient> connectDevice(const QString &id, const QString &hubKey,
                                                  MqttTestClient::Protocol protocol);
    // Distinct "seq" values stored per device id.
    QHash<QString, int> storedDistinct(const QString &idPrefix);
    int storedCount(const QString &deviceId);

    DeviceFixture m_f;
    std::unique_ptr<HubFixture> m_hubs;
    QString m_caPath;
    bool m_full = false;
    int m_devices = 20;
    int m_messages = 400;
    int m_window = 2000;
};

void TestBackPressure::initTestCase()
{
    m_full = qgetenv("PROVISIO_BURST") == "full";
    if (m_full) {
        m_messages = 10000;
        m_window = 0; // what hub-config writes
    }
    // Every message of the burst stays in the history.
    QVERIFY(m_f.start({QStringLiteral("--telemetry-keep"), QStringLiteral("1000000")}));
    m_hubs = std::make_unique<HubFixture>(m_f);
    QVERIFY2(m_hubs->linkHub(QStringLiteral("hub1"), kHubHost), qPrintable(m_hubs->lastError()));
    const QString conf = m_hubs->configPath(QStringLiteral("hub1"));
    if (m_window > 0) {
        m_hubs->broker(QStringLiteral("hub1"))->stop();
        QVERIFY(setPluginOption(conf, QStringLiteral("credit_window_messages"), QString::number(m_window)));
        QVERIFY2(m_hubs->restartBroker(QStringLiteral("hub1")), qPrintable(m_hubs->lastError()));
        QVERIFY2(m_hubs->waitForLink(QStringLiteral("hub1")), qPrintable(m_hubs->lastError()));
    }
    // The CA devices trust for the hub: the middleware's.
    m_caPath = m_f.mw->caCertificatePath();
}

void TestBackPressure::cleanupTestCase()
{
    if (m_f.mw)
        m_f.mw->sendSignal(SIGCONT);
    m_hubs.reset();
}

QString TestBackPressure::registerOnHub(const QString &id)
{
    const auto enrolled = m_hubs->enroll(QString(), id);
    if (enrolled.status != 201)
        return {};
    QJsonObject op = m_f.registerDevice(id, enrolled.primaryKey).json();
    if (op.value(QStringLiteral("status")).toString() == QLatin1String("assigning"))
        op = m_f.waitForOperation(id, enrolled.primaryKey, op.value(QStringLiteral("operationId")).toString());
    return DeviceFixture::state(op)
        .value(QStringLiteral("payload"))
        .toObject()
        .value(QStringLiteral("provisio"))
        .toObject()
        .value(QStringLiteral("hubDeviceKey"))
        .toString();
}

std::unique_ptr<MqttTestClient> TestBackPressure::connectDevice(const QString &id, const QString &hubKey,
                                                                MqttTestClient::Protocol protocol)
{
    auto client = std::make_unique<MqttTestClient>(id, protocol);
    client->setCredentials(
        (kHubHost + QLatin1Char('/') + id + QStringLiteral("/?api-version=2021-04-12")).toUtf8(),
        SasToken::create(kHubHost + QStringLiteral("/devices/") + id, hubKey, QDateTime::currentSecsSinceEpoch() + 3600)
            .toUtf8());
    if (client->connect(QStringLiteral("127.0.0.1"), m_hubs->port(QStringLiteral("hub1")), m_caPath) != 0)
        return nullptr;
    return client;
}

QHash<QString, int> TestBackPressure::storedDistinct(const QString &idPrefix)
{
    QHash<QString, int> out;
    const QString name = QStringLiteral("stored-%1").arg(quintptr(this));
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(QDir(m_f.mw->dataDir()).filePath(QStringLiteral("provisio.db")));
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"));
        if (db.open()) {
            QSqlQuery q(db);
            q.prepare(QStringLiteral("SELECT device_id, COUNT(DISTINCT json_extract(CAST(body AS TEXT), '$.seq')) "
                                     "FROM telemetry WHERE device_id LIKE ? GROUP BY device_id"));
            q.addBindValue(QString(idPrefix + QLatin1Char('%')));
            if (q.exec()) {
                while (q.next())
                    out.insert(q.value(0).toString(), q.value(1).toInt());
            }
        }
    }
    QSqlDatabase::removeDatabase(name);
    return out;
}

int TestBackPressure::storedCount(const QString &deviceId)
{
    if (!m_f.mw)
        return -1;
    const QJsonObject history =
        m_f.viewer->get(QStringLiteral("/api/v1/devices/%1/telemetry?limit=500").arg(deviceId)).json();
    return int(history.value(QStringLiteral("messages")).toArray().size());
}

void TestBackPressure::burstWhileTheMiddlewareIsStoppedLosesNothing()
{
    // Run as tst_backpressure_burst (short, default run) and
    // tst_backpressure_full (label slow). The hub once admitted the whole
    // short burst while the middleware was stopped: messages routed to no
    // middleware session after it reconnected (Mosquitto 2.0.11 drops a
    // persistent session's shared subscriptions until they are made again)
    // were neither charged nor kept; tst_hubauth replays that case and the
    // later ones (a forgotten session's totals, a restored session, and the
    // plugin's own check that an admitted message was charged).
    if (qEnvironmentVariableIsEmpty("PROVISIO_BURST"))
        QSKIP("the burst runs as tst_backpressure_burst / tst_backpressure_full (label slow)");
    std::vector<std::unique_ptr<BurstDevice>> devices;
    for (int d = 0; d < m_devices; ++d) {
        auto device = std::make_unique<BurstDevice>();
        device->id = QStringLiteral("burst-%1").arg(d);
        device->hubKey = registerOnHub(device->id);
        QVERIFY2(!device->hubKey.isEmpty(), qPrintable(device->id));
        devices.push_back(std::move(device));
    }

    MiddlewareProcess *mw = m_f.mw.get();
    QVERIFY(mw->sendSignal(SIGSTOP));
    QTRY_VERIFY(mw->isStopped());
    auto resume = qScopeGuard([mw] { mw->sendSignal(SIGCONT); });

    MosquittoProcess *broker = m_hubs->broker(QStringLiteral("hub1"));
    const quint16 port = m_hubs->port(QStringLiteral("hub1"));
    // A failure names what the hub decided (its plugin's lines and the
    // middleware's connections), not only that the count was wrong: the
    // leaks this catches have shown up once in dozens of parallel runs.
    const auto explain = qScopeGuard([broker, mw] {
        if (!QTest::currentTestFailed())
            return;
        qWarning("middleware %s", mw->isStopped() ? "stopped" : "running");
        const QStringList lines = broker->log().split(QLatin1Char('\n'));
        QStringList kept;
        for (const QString &line : lines) {
            if (line.contains(QLatin1String("provisio")) && !line.contains(QLatin1String("as burst-")))
                kept << line;
        }
        qWarning("hub log (plugin and middleware lines):\n%s", qPrintable(kept.mid(kept.size() - 80).join(u'\n')));
    });
    for (auto &device : devices)
        device->start(port, m_caPath, m_messages);
    // The hub takes what fits its window, then holds the devices back.
    QTRY_VERIFY_WITH_TIMEOUT(broker->log().contains(QLatin1String("holding devices back")), 120000);
    // Stopped for a while longer: the devices keep trying and the hub keeps
    // refusing; nothing it refuses is acknowledged.
    QTest::qWait(3000);
    qint64 acknowledgedWhileStopped = 0;
    for (const auto &device : devices)
        acknowledgedWhileStopped += device->acknowledged;
    // Still stopped: a stall that something else ended (a SIGCONT to the
    // whole process group from another test of a parallel ctest run once
    // did) measures nothing, and the counts below would blame the hub.
    QVERIFY2(mw->isStopped(), "the middleware was resumed during the stall by a signal from outside this test");
    QVERIFY2(acknowledgedWhileStopped < qint64(m_devices) * m_messages,
             "the whole burst was acknowledged while the middleware was stopped");
    QVERIFY2(acknowledgedWhileStopped <= (m_window > 0 ? m_window : 50000) + m_devices,
             qPrintable(QString::number(acknowledgedWhileStopped)));

    QVERIFY(mw->sendSignal(SIGCONT));
    resume.dismiss();

    // Every device gets its whole burst acknowledged in the end ...
    QElapsedTimer waited;
    waited.start();
    const int limitMs = m_full ? 1200000 : 180000;
    const auto allAcknowledged = [&] {
        for (const auto &device : devices) {
            if (device->acknowledged < m_messages)
                return false;
        }
        return true;
    };
    while (!allAcknowledged() && waited.elapsed() < limitMs)
        QTest::qWait(200);
    for (const auto &device : devices) {
        QVERIFY2(device->acknowledged == m_messages && device->refused == 0,
                 qPrintable(QStringLiteral("%1: %2 acknowledged, %3 refused")
                                .arg(device->id)
                                .arg(device->acknowledged)
                                .arg(device->refused)));
    }
    // ... and every message it saw acknowledged is stored.
    QHash<QString, int> stored;
    while (waited.elapsed() < limitMs) {
        stored = storedDistinct(QStringLiteral("burst-"));
        int complete = 0;
        for (const auto &device : devices)
            complete += stored.value(device->id) >= device->acknowledged ? 1 : 0;
        if (complete == int(devices.size()))
            break;
        QTest::qWait(500);
    }
    for (const auto &device : devices)
        QCOMPARE(stored.value(device->id), int(device->acknowledged));
    const QString hubLog = broker->log();
    QVERIFY2(!hubLog.contains(QLatin1String("dropped"), Qt::CaseInsensitive), qPrintable(hubLog.right(2000)));
    QVERIFY2(!hubLog.contains(QLatin1String("reached no middleware session")), qPrintable(hubLog.right(2000)));
    QVERIFY(hubLog.contains(QLatin1String("caught up")));
    for (auto &device : devices)
        device->client->disconnectFromHost();
}

void TestBackPressure::hostileDeviceIsLimited_data()
{
    QTest::addColumn<QString>("kind");
    QTest::newRow("retained telemetry") << "retained";
    QTest::newRow("oversized message") << "oversized";
    QTest::newRow("reported-property flood") << "reported";
    QTest::newRow("presence flood") << "presence";
}

void TestBackPressure::hostileDeviceIsLimited()
{
    QFETCH(QString, kind);
    const QString id = QStringLiteral("hostile-%1").arg(kind);
    const QString hubKey = registerOnHub(id);
    QVERIFY(!hubKey.isEmpty());
    MosquittoProcess *broker = m_hubs->broker(QStringLiteral("hub1"));
    // MQTT 5 shows refusals as PUBACK codes; the oversized message goes out
    // over MQTT 3.1.1, whose client does not know the broker's packet limit.
    const auto protocol = kind == QLatin1String("oversized") ? MqttTestClient::Mqtt311 : MqttTestClient::Mqtt5;
    auto device = connectDevice(id, hubKey, protocol);
    QVERIFY(device);
    const QString telemetry = QStringLiteral("devices/%1/messages/events/").arg(id);

    if (kind == QLatin1String("retained")) {
        // Refused (MQTT 5: 0x87), never kept by the broker, never stored.
        QCOMPARE(device->publish(telemetry, "{\"seq\":1}", 1, true), 0x87);
        QVERIFY(broker->log().contains(QStringLiteral("refused retained publish of device '%1'").arg(id)));
        // The device stays connected and may go on without the flag.
        QVERIFY(device->isConnected());
        QCOMPARE(device->publish(telemetry, "{\"seq\":2}", 1, false), 0);
        QTRY_COMPARE_WITH_TIMEOUT(storedCount(id), 1, 10000);
        QTest::qWait(500);
        QCOMPARE(storedCount(id), 1);
        return;
    }
    if (kind == QLatin1String("oversized")) {
        // 256 KiB is the message limit; a larger one ends the connection
        // without being acknowledged or stored.
        const QByteArray big(300 * 1024, 'x');
        QCOMPARE(device->publish(telemetry, big, 1, false), MqttTestClient::kNoAnswer);
        QVERIFY(!device->isConnected() || device->waitForDisconnect(5000));
        auto again = connectDevice(id, hubKey, MqttTestClient::Mqtt311);
        QVERIFY(again);
        QCOMPARE(again->publish(telemetry, QByteArray(200 * 1024, 'y'), 1, false), 0);
        QTRY_COMPARE_WITH_TIMEOUT(storedCount(id), 1, 10000);
        return;
    }
    // Floods: the first `burst` writes pass, the rest are refused (MQTT 5:
    // PUBACK 0x87) and dropped; the device stays connected, so one whose
    // outbox holds more such writes than a burst is never cut off for good.
    const bool reported = kind == QLatin1String("reported");
    const QString topic =
        reported ? QStringLiteral("devices/%1/twin/reported").arg(id) : QStringLiteral("devices/%1/status").arg(id);
    const int burst = reported ? 10 : 4; // hub-config's defaults
    int accepted = 0;
    int refused = 0;
    for (int i = 0; i < 40; ++i) {
        const QByteArray payload =
            reported ? "{\"flood\":" + QByteArray::number(i) + "}" : QByteArray(i % 2 ? "online" : "offline");
        const int rc = device->publish(topic, payload, 1, !reported);
        if (rc == 0)
            ++accepted;
        else if (rc == 0x87)
            ++refused;
        else
            QFAIL(qPrintable(QStringLiteral("write %1 answered %2").arg(i).arg(rc)));
    }
    QVERIFY2(accepted >= burst && accepted <= burst + 1, qPrintable(QString::number(accepted)));
    QCOMPARE(accepted + refused, 40);
    QVERIFY(device->isConnected());
    QVERIFY(broker->log().contains(
        QStringLiteral("device '%1' exceeds its %2 write rate")
            .arg(id, reported ? QStringLiteral("reported-property") : QStringLiteral("presence"))));
    // Telemetry is not part of that budget: it still passes and is stored.
    QCOMPARE(device->publish(telemetry, "{\"seq\":1}", 1, false), 0);
    QTRY_COMPARE_WITH_TIMEOUT(storedCount(id), 1, 10000);
    // The budget is the device's, not its connection's: reconnecting does
    // not renew it (at most what refilled meanwhile passes).
    device.reset();
    auto again = connectDevice(id, hubKey, MqttTestClient::Mqtt5);
    QVERIFY(again);
    int acceptedAgain = 0;
    for (int i = 0; i < burst; ++i) {
        if (again->publish(topic, reported ? QByteArray("{\"again\":1}") : QByteArray("online"), 1, !reported) == 0)
            ++acceptedAgain;
    }
    QVERIFY2(acceptedAgain <= 2, qPrintable(QString::number(acceptedAgain)));
    QVERIFY(again->isConnected());
    // Dozens of refusals within a minute, over two connections: one log line.
    QCOMPARE(broker->log().count(QStringLiteral("device '%1' exceeds its").arg(id)), 1);
}

QTEST_GUILESS_MAIN(TestBackPressure)
#include "tst_backpressure.moc"

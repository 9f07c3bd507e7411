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
#include "mqtt/mqtttopic.h"

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
#include <limits>
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
    // Each message with a `$.mid`, as Provisio's devices send: a message
    // sent again over a new connection (its PUBACK lost when the hub closed
    // the connection to hold the device back) is then stored once.
    bool withMessageId = false;

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
            MqttTopic::PropertyBag bag;
            if (withMessageId)
                bag.append({QStringLiteral("$.mid"), QStringLiteral("%1-%2").arg(id).arg(next)});
            if (client->publish(MqttTopic::telemetryTopic(id, bag), body, 1) < 0)
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

// Sets `KEY VALUE` in a mosquitto.conf (a line hub-config wrote).
bool setConfLine(const QString &confPath, const QString &key, const QString &value)
{
    QFile file(confPath);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    QString text = QString::fromUtf8(file.readAll());
    file.close();
    const QRegularExpression line(QStringLiteral("^%1 .*$").arg(key), QRegularExpression::MultilineOption);
    if (!text.contains(line))
        return false;
    text.replace(line, key + QLatin1Char(' ') + value);
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
    // The window's accounting across restarts and redeliveries (last: the
    // second restarts the middleware with a short keep-alive).
    void windowHoldsAcrossBrokerRestart();
    void windowHoldsWhenStoredMessagesComeAgain();

private:
    // Registered devices, streaming without end (until stopped) once
    // started, BurstDevice's way.
    std::vector<std::unique_ptr<BurstDevice>> registerStreams(const QString &prefix, int count, bool withMessageId);
    void startStreams(std::vector<std::unique_ptr<BurstDevice>> &devices);
    // Every device stops handing out new messages and has all it handed
    // out acknowledged; resumeStreams goes on.
    bool pauseStreams(std::vector<std::unique_ptr<BurstDevice>> &devices, int timeoutMs);
    void resumeStreams(std::vector<std::unique_ptr<BurstDevice>> &devices);
    // Waits until no device has had a message acknowledged for `quietMs`
    // (the hub holds them back); false after `timeoutMs`.
    bool waitUntilHeldBack(const std::vector<std::unique_ptr<BurstDevice>> &devices, int quietMs, int timeoutMs);
    // What the hub acknowledged to the devices and is not stored.
    qint64 acknowledgedNotStored(const std::vector<std::unique_ptr<BurstDevice>> &devices, const QString &prefix);
    // Ends the streams and checks that every acknowledged message is
    // stored, once when the devices send `$.mid` (without, a message sent
    // again over a new connection is stored twice: architecture.md "Stored
    // once").
    void stopStreamsAndCheckStored(std::vector<std::unique_ptr<BurstDevice>> &devices, const QString &prefix);
    int storedRows(const QString &idPrefix);

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
    return DeviceFixture::hubKey(DeviceFixture::state(op));
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

std::vector<std::unique_ptr<BurstDevice>> TestBackPressure::registerStreams(const QString &prefix, int count,
                                                                            bool withMessageId)
{
    std::vector<std::unique_ptr<BurstDevice>> devices;
    for (int d = 0; d < count; ++d) {
        auto device = std::make_unique<BurstDevice>();
        device->id = prefix + QString::number(d);
        device->hubKey = registerOnHub(device->id);
        device->withMessageId = withMessageId;
        if (device->hubKey.isEmpty())
            return {};
        devices.push_back(std::move(device));
    }
    return devices;
}

void TestBackPressure::startStreams(std::vector<std::unique_ptr<BurstDevice>> &devices)
{
    for (auto &device : devices)
        device->start(m_hubs->port(QStringLiteral("hub1")), m_caPath, std::numeric_limits<int>::max());
}

bool TestBackPressure::pauseStreams(std::vector<std::unique_ptr<BurstDevice>> &devices, int timeoutMs)
{
    for (auto &device : devices)
        device->total = device->next - 1;
    QElapsedTimer waited;
    waited.start();
    for (;;) {
        bool settled = true;
        for (const auto &device : devices)
            settled = settled && device->client->pendingMessageCount() == 0;
        if (settled)
            return true;
        if (waited.elapsed() >= timeoutMs)
            return false;
        QTest::qWait(50);
    }
}

void TestBackPressure::resumeStreams(std::vector<std::unique_ptr<BurstDevice>> &devices)
{
    for (auto &device : devices) {
        device->total = std::numeric_limits<int>::max();
        device->feed();
    }
}

bool TestBackPressure::waitUntilHeldBack(const std::vector<std::unique_ptr<BurstDevice>> &devices, int quietMs,
                                         int timeoutMs)
{
    QElapsedTimer total;
    total.start();
    QElapsedTimer quiet;
    quiet.start();
    qint64 last = -1;
    while (total.elapsed() < timeoutMs) {
        qint64 acknowledged = 0;
        for (const auto &device : devices)
            acknowledged += device->acknowledged;
        if (acknowledged != last) {
            last = acknowledged;
            quiet.restart();
        } else if (quiet.elapsed() >= quietMs) {
            return true;
        }
        QTest::qWait(50);
    }
    return false;
}

qint64 TestBackPressure::acknowledgedNotStored(const std::vector<std::unique_ptr<BurstDevice>> &devices,
                                               const QString &prefix)
{
    const QHash<QString, int> stored = storedDistinct(prefix);
    qint64 held = 0;
    for (const auto &device : devices)
        held += device->acknowledged - stored.value(device->id);
    return held;
}

int TestBackPressure::storedRows(const QString &idPrefix)
{
    int rows = -1;
    const QString name = QStringLiteral("rows-%1").arg(quintptr(this));
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(QDir(m_f.mw->dataDir()).filePath(QStringLiteral("provisio.db")));
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"));
        if (db.open()) {
            QSqlQuery q(db);
            q.prepare(QStringLiteral("SELECT COUNT(*) FROM telemetry WHERE device_id LIKE ?"));
            q.addBindValue(QString(idPrefix + QLatin1Char('%')));
            if (q.exec() && q.next())
                rows = q.value(0).toInt();
        }
    }
    QSqlDatabase::removeDatabase(name);
    return rows;
}

void TestBackPressure::stopStreamsAndCheckStored(std::vector<std::unique_ptr<BurstDevice>> &devices,
                                                 const QString &prefix)
{
    // No new messages; what each client holds unacknowledged goes out.
    for (auto &device : devices)
        device->total = device->next - 1;
    const auto settled = [&] {
        for (const auto &device : devices) {
            if (device->client->pendingMessageCount() > 0)
                return false;
        }
        return true;
    };
    QTRY_VERIFY_WITH_TIMEOUT(settled(), 120000);
    qint64 acknowledged = 0;
    for (const auto &device : devices) {
        QCOMPARE(device->refused, 0);
        QCOMPARE(device->acknowledged, qint64(device->total));
        acknowledged += device->acknowledged;
    }
    QTRY_COMPARE_WITH_TIMEOUT(acknowledgedNotStored(devices, prefix), qint64(0), 120000);
    if (devices.front()->withMessageId)
        QCOMPARE(storedRows(prefix), int(acknowledged)); // none twice
    for (auto &device : devices)
        device->client->disconnectFromHost();
}

void TestBackPressure::windowHoldsAcrossBrokerRestart()
{
    // The middleware once confirmed with its process's running totals; the
    // first such grant after a broker restart paid off everything the new
    // hub had charged (it had never seen the earlier totals), and the hub
    // let a second window of messages in while the first was not stored.
    // Now confirmations name deliveries, and the count must hold: with the
    // middleware stopped, what the hub acknowledged and is not stored stays
    // within the window however the restart and the first confirmations
    // after it fall.
    const QString prefix = QStringLiteral("brst-");
    auto devices = registerStreams(prefix, 5, true);
    QVERIFY(!devices.empty());
    startStreams(devices);
    MiddlewareProcess *mw = m_f.mw.get();
    auto resume = qScopeGuard([mw] { mw->sendSignal(SIGCONT); });
    // Some history first: three windows' worth stored and confirmed. Then
    // the streams pause until everything is stored, so the kill below
    // takes nothing the hub acknowledged (that loss is another test's).
    QTRY_VERIFY_WITH_TIMEOUT(storedRows(prefix) >= 3 * m_window, 120000);
    QVERIFY(pauseStreams(devices, 60000));
    QTRY_COMPARE_WITH_TIMEOUT(acknowledgedNotStored(devices, prefix), qint64(0), 60000);

    MosquittoProcess *broker = m_hubs->broker(QStringLiteral("hub1"));
    QVERIFY(broker->kill());
    QVERIFY2(m_hubs->restartBroker(QStringLiteral("hub1")), qPrintable(m_hubs->lastError()));
    QVERIFY2(m_hubs->waitForLink(QStringLiteral("hub1")), qPrintable(m_hubs->lastError()));

    // Stopped: the devices fill the new hub's window and are held back.
    QVERIFY(mw->sendSignal(SIGSTOP));
    QTRY_VERIFY(mw->isStopped());
    resumeStreams(devices);
    QVERIFY(waitUntilHeldBack(devices, 1500, 60000));
    qint64 held = acknowledgedNotStored(devices, prefix);
    QVERIFY2(held <= m_window + qint64(devices.size()), qPrintable(QString::number(held)));
    // It runs just long enough to store and confirm its first batch after
    // the restart, and stops again.
    const int before = storedRows(prefix);
    QVERIFY(mw->sendSignal(SIGCONT));
    QElapsedTimer running;
    running.start();
    while (storedRows(prefix) == before && running.elapsed() < 30000)
        QTest::qWait(5);
    QVERIFY(mw->sendSignal(SIGSTOP));
    QTRY_VERIFY(mw->isStopped());
    QVERIFY(waitUntilHeldBack(devices, 1500, 60000));
    held = acknowledgedNotStored(devices, prefix);
    qInfo("after the broker restart: %lld acknowledged and not stored while the middleware is stopped (window %d)",
          held, m_window);
    QVERIFY2(mw->isStopped(), "the middleware was resumed by a signal from outside this test");
    QVERIFY2(held <= m_window + qint64(devices.size()),
             qPrintable(QStringLiteral("%1 acknowledged and not stored, window %2").arg(held).arg(m_window)));
    QVERIFY(mw->sendSignal(SIGCONT));
    resume.dismiss();
    stopStreamsAndCheckStored(devices, prefix);
}

void TestBackPressure::windowHoldsWhenStoredMessagesComeAgain()
{
    // A batch committed after the hub had dropped the link (the middleware
    // frozen past its keep-alive): its confirmation goes over the next
    // connection, and the hub delivers the whole batch again, since it never
    // received the PUBACKs; the middleware finds it stored and confirms it
    // again. Counted twice, the second confirmation paid for messages the
    // middleware had not stored, and the hub let that many more in. Here the
    // database is locked right after the batch, so nothing new is stored
    // while the copies come again: what the hub acknowledged and is not
    // stored must stay within the window.
    const QString prefix = QStringLiteral("redel-");
    constexpr int kInflight = 200; // what the frozen middleware holds: its socket takes all of it
    MosquittoProcess *broker = m_hubs->broker(QStringLiteral("hub1"));
    broker->stop();
    QVERIFY(setConfLine(m_hubs->configPath(QStringLiteral("hub1")), QStringLiteral("max_inflight_messages"),
                        QString::number(kInflight)));
    QVERIFY2(m_hubs->restartBroker(QStringLiteral("hub1")), qPrintable(m_hubs->lastError()));
    MiddlewareProcess *mw = m_f.mw.get();
    mw->stop();
    // Short enough for the hub to drop a frozen middleware within seconds,
    // long enough to cover the middleware's waits for the locked database
    // below (5 s per write it tries: telemetry, counters, its lease), so the
    // link stays up while the database is locked.
    qputenv("PROVISIO_HUB_KEEP_ALIVE", "12");
    const bool started = mw->start();
    qunsetenv("PROVISIO_HUB_KEEP_ALIVE");
    QVERIFY2(started, qPrintable(mw->lastError()));
    m_f.reconnect();
    QVERIFY2(m_hubs->waitForLink(QStringLiteral("hub1")), qPrintable(m_hubs->lastError()));
    // Without `$.mid`: a copy found stored is then told apart by its
    // delivery record, a read that the locked database still allows (with
    // one, the copy's INSERT ... ON CONFLICT would wait for the lock too).
    auto devices = registerStreams(prefix, 5, false);
    QVERIFY(!devices.empty());
    auto resume = qScopeGuard([mw] { mw->sendSignal(SIGCONT); });

    // Frozen: the hub fills the window (what fits its in-flight window goes
    // to the middleware's socket, the rest is queued) and then drops the
    // silent link.
    const qsizetype timeoutsBefore = broker->log().count(QLatin1String("exceeded timeout"));
    QVERIFY(mw->sendSignal(SIGSTOP));
    QTRY_VERIFY(mw->isStopped());
    startStreams(devices);
    QVERIFY(waitUntilHeldBack(devices, 1500, 60000));
    QTRY_VERIFY_WITH_TIMEOUT(broker->log().count(QLatin1String("exceeded timeout")) > timeoutsBefore, 40000);

    const QString lockName = QStringLiteral("lock-%1").arg(quintptr(this));
    auto unlock = qScopeGuard([&lockName] { QSqlDatabase::removeDatabase(lockName); });
    {
        QSqlDatabase lock = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), lockName);
        lock.setDatabaseName(QDir(mw->dataDir()).filePath(QStringLiteral("provisio.db")));
        QVERIFY(lock.open());
        QSqlQuery q(lock);
        // Back: it stores what its socket held (the hub received no PUBACK
        // of it), and the database is locked before the link reconnects
        // (half a second at the earliest).
        QVERIFY(mw->sendSignal(SIGCONT));
        QElapsedTimer running;
        running.start();
        int stored = 0;
        for (int last = -1; running.elapsed() < 30000; QTest::qWait(20)) {
            stored = storedRows(prefix);
            if (stored > 0 && stored == last)
                break;
            last = stored;
        }
        QVERIFY(q.exec(QStringLiteral("BEGIN EXCLUSIVE")));
        const int firstBatch = storedRows(prefix);
        QVERIFY(firstBatch > 0);
        // Reconnected, the copies confirmed again, what the hub had queued
        // delivered and not stored (the middleware says so), the devices
        // held back again.
        QString mwLog;
        QTRY_VERIFY_WITH_TIMEOUT((mwLog += mw->drainLog()).contains(QLatin1String("telemetry not stored, retrying")),
                                 30000);
        QVERIFY(waitUntilHeldBack(devices, 1500, 15000));
        QCOMPARE(storedRows(prefix), firstBatch); // locked: nothing new stored
        const qint64 held = acknowledgedNotStored(devices, prefix);
        qInfo("%d stored before the lock; %lld acknowledged and not stored while locked (window %d)", firstBatch, held,
              m_window);
        QVERIFY2(held <= m_window + qint64(devices.size()),
                 qPrintable(QStringLiteral("%1 acknowledged and not stored, window %2").arg(held).arg(m_window)));
        QVERIFY(q.exec(QStringLiteral("ROLLBACK")));
    }
    resume.dismiss();
    stopStreamsAndCheckStored(devices, prefix);
}

QTEST_GUILESS_MAIN(TestBackPressure)
#include "tst_backpressure.moc"

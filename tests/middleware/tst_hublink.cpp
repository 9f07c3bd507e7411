// SPDX-License-Identifier: Apache-2.0
//
// The hub link end to end: a real middleware links hub1, the real
// `provisio-middleware hub-config` writes the broker's configuration, a real
// mosquitto runs it with the real provisio_auth plugin, and a device
// enrolled and registered through the DPS API connects with what its
// registration handed it (hub key, CA, host name). The middleware's own
// service connection is what the test observes through the API.

#include "crmtestutil.h"
#include "devicetestutil.h"
#include "mosquittoprocess.h"
#include "mqtttestclient.h"
#include "registertogether.h"

#include "crypto/sastoken.h"
#include "mqtt/mqttclient.h"
#include "mqtt/mqtttopic.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

#include <algorithm>
#include <csignal>
#include <memory>
#include <vector>

using namespace Provisio;
using namespace Provisio::Test;

namespace {

const QString kHubHost = QStringLiteral("hub1.test");
const QString kHub2Host = QStringLiteral("hub2.test");
const QString kHub3Host = QStringLiteral("hub3.test");

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

// The pid of this process's child `provisio-middleware serve --data-dir DIR`
// (0 when there is none), to kill it the hard way: no DISCONNECT, no flush.
qint64 middlewarePid(const QString &dataDir)
{
    const QByteArray dir = QFile::encodeName(dataDir);
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &entry : entries) {
        bool ok = false;
        const qint64 pid = entry.toLongLong(&ok);
        if (!ok)
            continue;
        QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
        QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(pid));
        if (!stat.open(QIODevice::ReadOnly) || !cmdline.open(QIODevice::ReadOnly))
            continue;
        // "pid (comm) state ppid ...": the comm may hold spaces, ')' ends it.
        const QByteArray statText = stat.readAll();
        const QList<QByteArray> fields = statText.mid(statText.lastIndexOf(')') + 2).split(' ');
        if (fields.size() < 2 || fields.at(1).toLongLong() != QCoreApplication::applicationPid())
            continue;
        const QList<QByteArray> args = cmdline.readAll().split('\0');
        const qsizetype at = args.indexOf(QByteArrayLiteral("--data-dir"));
        if (args.contains(QByteArrayLiteral("serve")) && at >= 0 && at + 1 < args.size() && args.at(at + 1) == dir)
            return pid;
    }
    return 0;
}

// The live event feed, to see what the hub link announces.
class Feed : public QObject
{
public:
    Feed(const QString &baseUrl, const QString &caPath, const QByteArray &bearer, const QString &query)
    {
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        QFile ca(caPath);
        if (ca.open(QIODevice::ReadOnly))
            ssl.setCaCertificates(QSslCertificate::fromData(ca.readAll(), QSsl::Pem));
        m_socket.setSslConfiguration(ssl);
        connect(&m_socket, &QWebSocket::textMessageReceived, this,
                [this](const QString &m) { events << QJsonDocument::fromJson(m.toUtf8()).object(); });
        QUrl url(baseUrl + QStringLiteral("/api/v1/events"));
        url.setScheme(QStringLiteral("wss"));
        url.setQuery(query);
        QNetworkRequest request(url);
        request.setRawHeader("Authorization", "Bearer " + bearer);
        m_socket.open(request);
    }
    QList<QJsonObject> ofType(const QString &type) const
    {
        QList<QJsonObject> out;
        for (const auto &e : events) {
            if (e.value(QStringLiteral("type")).toString() == type)
                out << e;
        }
        return out;
    }
    bool ready() const { return !events.isEmpty(); } // the hello
    QList<QJsonObject> events;

private:
    QWebSocket m_socket;
};

// A device as the kiosk would run it: the common MqttClient over TLS with
// what its registration payload handed it.
struct Device
{
    QString deviceId;
    QString key;
    QByteArray ca;
    quint16 port = 0;
    std::unique_ptr<MqttClient> client;
    QList<QPair<QString, QByteArray>> received; // topic, payload
    // method name -> answer status (absent: the device stays silent)
    QHash<QString, int> answers;

    void connectNow()
    {
        client = std::make_unique<MqttClient>();
        client->setHostname(QStringLiteral("127.0.0.1"));
        client->setPort(port);
        client->setClientId(deviceId);
        client->setUsername(kHubHost + QLatin1Char('/') + deviceId + QStringLiteral("/?api-version=2021-04-12"));
        client->setPassword(token());
        client->setTlsEnabled(true);
        client->setCaCertificates(ca);
        client->setPeerVerifyName(kHubHost);
        client->setReconnectDelays(200, 1000);
        // A CONNECT sent while the broker restarts can go unanswered, and
        // MqttClient then waits one keep-alive before it dials again.
        client->setKeepAlive(5);
        client->setWill(QStringLiteral("devices/%1/status").arg(deviceId), "offline", 1, true);
        client->subscribe(QStringLiteral("devices/%1/twin/desired").arg(deviceId), 1);
        client->subscribe(QStringLiteral("devices/%1/methods/#").arg(deviceId), 1);
        QObject::connect(client.get(), &MqttClient::messageReceived, client.get(),
                         [this](const QByteArray &payload, const QString &topic) {
                             received.append({topic, payload});
                             answerMethod(topic, payload);
                         });
        QObject::connect(client.get(), &MqttClient::connected, client.get(), [this] {
            client->publish(QStringLiteral("devices/%1/status").arg(deviceId), "online", 1, true);
        });
        client->connectToHost();
    }
    QString token() const
    {
        return SasToken::create(kHubHost + QStringLiteral("/devices/") + deviceId, key,
                                QDateTime::currentSecsSinceEpoch() + 3600);
    }
    void answerMethod(const QString &topic, const QByteArray &payload)
    {
        const QStringList parts = topic.split(QLatin1Char('/'));
        if (parts.size() != 5 || parts.at(2) != QLatin1String("methods") || parts.at(3) == QLatin1String("res"))
            return;
        const QString name = parts.at(3);
        if (!answers.contains(name))
            return;
        const QJsonObject answer{{QStringLiteral("echo"), QJsonDocument::fromJson("[" + payload + "]").array().at(0)},
                                 {QStringLiteral("method"), name}};
        client->publish(
            QStringLiteral("devices/%1/methods/res/%2/%3").arg(deviceId).arg(answers.value(name)).arg(parts.at(4)),
            compact(answer), 1);
    }
    // The latest desired document the device received.
    QJsonObject lastDesired() const
    {
        for (auto it = received.crbegin(); it != received.crend(); ++it) {
            if (it->first.endsWith(QLatin1String("/twin/desired")))
                return QJsonDocument::fromJson(it->second).object();
        }
        return {};
    }
    bool isConnected() const { return client && client->state() == MqttClient::Connected; }
};

} // namespace

class TestHubLink : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void serviceConnectionIsUp();
    void desiredPropertiesReachTheDevice();
    void desiredPatchReachesTheDevice();
    void reportedPropertiesMerge();
    void malformedReportedIsIgnoredAndCounted();
    void statusReportUpdatesRegistration();
    void presenceFromStatusAndLastWill();
    void telemetryIsStored();
    void liveTelemetrySaysWhatItSkipped();
    void directMethodRoundTrip();
    void silentDeviceTimesOut();
    void methodOnUnknownDeviceIs404();
    void disablingRevokesAndEnablingRestores();
    void reconnectsToRestartedBroker();
    void disablingGroupRevokesItsDevices();
    void movedDeviceIsRevokedOnItsOldHub();
    void everyChangeThatMustRevokeDoes_data();
    void everyChangeThatMustRevokeDoes();
    void revokedDevicesRegisteringTogetherAreRestored();
    void oldHubKeyIsRefusedAfterRotation_data();
    void oldHubKeyIsRefusedAfterRotation();
    void hubKeyRotationNeedsAnOperatorAndAHub_data();
    void hubKeyRotationNeedsAnOperatorAndAHub();
    void telemetryAfterReRegistrationIsStored();
    // Issue 12: a hub's signing key rotates with an overlap in which both
    // keys work; the link moves over without losing telemetry.
    void hubSigningKeyRotation_data();
    void hubSigningKeyRotation();
    void hubSigningKeyRotationRequests_data();
    void hubSigningKeyRotationRequests();
    // These restart the middleware: keep them last.
    void telemetryWhileTheMiddlewareIsDownArrives();
    void killedOnItsSecondSessionLosesNothing();
    void tokenRenewalLosesNothing();
    // Issue 12: no document too deep for Qt to read back is ever stored,
    // and a record unreadable anyway lists, explains itself and is repaired.
    void hostileDocumentsAreRefused_data();
    void hostileDocumentsAreRefused();
    void unreadableRecordIsListedAndRepaired();

private:
    // A device's own connection to a hub, as its registration allows it.
    std::unique_ptr<MqttTestClient> hubClient(const QString &hubHost, const QString &deviceId, const QString &hubKey);
    // Connects, retrying for a while (a restore travels to the hub
    // asynchronously); the last CONNACK code.
    int connectEventually(MqttTestClient &client, quint16 port, int timeoutMs = 10000);
    QJsonObject enrollAndRegister(const QString &id, const QJsonObject &initialTwin, QString *key);
    QJsonObject hubStatus() { return m_f.viewer->get(QStringLiteral("/api/v1/hubs/hub1/status")).json(); }
    // On a failing test function, the end of the hub's log (its plugin's
    // decisions and the middleware's sessions), when the guard goes.
    auto hubLogOnFailure()
    {
        return qScopeGuard([this] {
            if (QTest::currentTestFailed())
                qWarning().noquote() << "hub log:\n" << m_broker.log().right(6000);
        });
    }
    // Restarts the middleware with service tokens that live `seconds` (so
    // renewed at 3/4 of that) and waits until its hub link is up again.
    bool restartWithTokenLifetime(const QByteArray &seconds)
    {
        qputenv("PROVISIO_HUB_TOKEN_LIFETIME", seconds);
        m_f.mw->stop();
        const bool started = m_f.mw->start();
        qunsetenv("PROVISIO_HUB_TOKEN_LIFETIME");
        if (!started) {
            qWarning().noquote() << "the middleware did not start:" << m_f.mw->lastError();
            return false;
        }
        m_f.reconnect();
        return QTest::qWaitFor([this] { return hubStatus().value(QStringLiteral("connected")).toBool(); }, 30000);
    }
    // The `link` of a hub as GET /hubs lists it.
    QJsonObject listedLink(const QString &name)
    {
        const QJsonArray items =
            m_f.viewer->get(QStringLiteral("/api/v1/hubs")).json().value(QStringLiteral("items")).toArray();
        for (const QJsonValue &item : items) {
            if (item.toObject().value(QStringLiteral("name")).toString() == name)
                return item.toObject().value(QStringLiteral("link")).toObject();
        }
        return {};
    }
    QJsonObject twin(const QString &id)
    {
        return m_f.viewer->get(QStringLiteral("/api/v1/devices/%1/twin").arg(id)).json();
    }
    QByteArray metrics() { return m_f.viewer->get(QStringLiteral("/metrics")).body; }
    // The "n" of each stored telemetry message of a device, newest first.
    QList<int> storedSequence(const QString &deviceId);
    // A device of its own on hub1, connected.
    std::unique_ptr<MqttTestClient> connectedDevice(const QString &id, QString *hubKeyOut = nullptr);
    // Links and starts hub2 (once).
    void linkHub2();
    // Links and starts hub3 (once): hub signing-key rotations happen there,
    // so the other tests' devices on hub1 keep their keys.
    void linkHub3();
    void linkHub(const QString &name, const QString &host, MosquittoProcess &broker, quint16 &port);
    // Enrolls `id` on hub3 and registers it; the hub key it was handed.
    QString registeredOnHub3(const QString &id, QString *enrollmentKey = nullptr);
    // Registers `id` with `key` until the operation ends; its state.
    QJsonObject registerNow(const QString &id, const QString &key);

    DeviceFixture m_f;
    QTemporaryDir m_work;
    QString m_conf;
    quint16 m_port = 0;
    MosquittoProcess m_broker{QStringLiteral(PROVISIO_MOSQUITTO_BIN)};
    MosquittoProcess m_broker2{QStringLiteral(PROVISIO_MOSQUITTO_BIN)};
    quint16 m_port2 = 0;
    MosquittoProcess m_broker3{QStringLiteral(PROVISIO_MOSQUITTO_BIN)};
    quint16 m_port3 = 0;
    Device m_device;
    QString m_kiosk2Key;
    std::unique_ptr<Feed> m_feed;
};

void TestHubLink::initTestCase()
{
    QVERIFY2(QFileInfo::exists(QStringLiteral(PROVISIO_MOSQUITTO_BIN)), "mosquitto is not installed");
    QVERIFY(m_f.start());
    m_port = freeLocalPort();
    QVERIFY(m_port != 0);
    const auto linked =
        m_f.admin->put(QStringLiteral("/api/v1/hubs/hub1"),
                       QJsonObject{{QStringLiteral("host"), kHubHost},
                                   {QStringLiteral("port"), int(m_port)},
                                   {QStringLiteral("endpoint"), QStringLiteral("127.0.0.1:%1").arg(m_port)},
                                   {QStringLiteral("region"), QStringLiteral("eu")},
                                   {QStringLiteral("allocationWeight"), 1}});
    QVERIFY2(linked.status == 201 || linked.status == 200, linked.body.constData());

    const QString out = m_work.filePath(QStringLiteral("hub1"));
    const auto written = writeHubConfig(*m_f.mw, QStringLiteral("hub1"), m_port, out);
    QVERIFY2(written.exitCode == 0, qPrintable(written.err));
    m_conf = QDir(out).filePath(QStringLiteral("mosquitto.conf"));
    if (!m_broker.start(m_conf, m_port)) {
        QFile conf(m_conf);
        conf.open(QIODevice::ReadOnly);
        QFAIL(qPrintable(m_broker.log() + QStringLiteral("\n--- config:\n") + QString::fromUtf8(conf.readAll())));
    }

    m_feed = std::make_unique<Feed>(m_f.mw->baseUrl(), m_f.mw->caCertificatePath(), m_f.viewer->bearer().toUtf8(),
                                    QString());
    QTRY_VERIFY_WITH_TIMEOUT(m_feed->ready(), 15000);

    QString key;
    const QJsonObject state = enrollAndRegister(
        QStringLiteral("kiosk-1"),
        QJsonObject{{QStringLiteral("tags"), QJsonObject{{QStringLiteral("site"), QStringLiteral("lab")}}},
                    {QStringLiteral("properties"),
                     QJsonObject{{QStringLiteral("desired"), QJsonObject{{QStringLiteral("interval"), 10}}}}}},
        &key);
    QCOMPARE(state.value(QStringLiteral("assignedHub")).toString(), kHubHost);
    const QJsonObject provisio =
        state.value(QStringLiteral("payload")).toObject().value(QStringLiteral("provisio")).toObject();
    m_device.deviceId = state.value(QStringLiteral("deviceId")).toString();
    m_device.key = provisio.value(QStringLiteral("hubDeviceKey")).toString();
    m_device.ca = provisio.value(QStringLiteral("caCertificate")).toString().toUtf8();
    m_device.port = m_port;
    QVERIFY(!m_device.key.isEmpty());
    QVERIFY(m_device.ca.startsWith("-----BEGIN CERTIFICATE-----"));
}

void TestHubLink::cleanupTestCase()
{
    m_device.client.reset();
    m_broker.stop();
    m_broker2.stop();
    m_broker3.stop();
}

QJsonObject TestHubLink::enrollAndRegister(const QString &id, const QJsonObject &initialTwin, QString *key)
{
    QJsonObject body{
        {QStringLiteral("attestation"), QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}}};
    if (!initialTwin.isEmpty())
        body.insert(QStringLiteral("initialTwin"), initialTwin);
    const auto enrolled = m_f.putEnrollment(id, body);
    if (enrolled.status != 201) {
        qWarning("enrollment: %d %s", enrolled.status, enrolled.body.constData());
        return {};
    }
    *key = DeviceFixture::primaryKey(enrolled.json());
    const auto reg = m_f.registerDevice(id, *key);
    QJsonObject op = reg.json();
    if (op.value(QStringLiteral("status")).toString() == QLatin1String("assigning"))
        op = m_f.waitForOperation(id, *key, op.value(QStringLiteral("operationId")).toString());
    return DeviceFixture::state(op);
}

void TestHubLink::serviceConnectionIsUp()
{
    QTRY_VERIFY_WITH_TIMEOUT(hubStatus().value(QStringLiteral("connected")).toBool(), 30000);
    const QJsonObject status = hubStatus();
    QVERIFY(status.value(QStringLiteral("clientId")).toString().startsWith(QLatin1String("provisio-mw-")));
    QVERIFY(!status.value(QStringLiteral("since")).toString().isEmpty());
    QVERIFY(metrics().contains("provisio_hub_connected{hub=\"hub1\"} 1"));
    QCOMPARE(m_f.viewer->get(QStringLiteral("/api/v1/hubs/nope/status")).status, 404);

    // The hub list and the hub itself carry the same link state.
    const QJsonObject listed = listedLink(QStringLiteral("hub1"));
    QCOMPARE(listed.value(QStringLiteral("enabled")).toBool(), true);
    QCOMPARE(listed.value(QStringLiteral("connected")).toBool(), true);
    QVERIFY(!listed.value(QStringLiteral("since")).toString().isEmpty());
    QVERIFY(listed.value(QStringLiteral("lastError")).isNull());
    const QJsonObject one =
        m_f.viewer->get(QStringLiteral("/api/v1/hubs/hub1")).json().value(QStringLiteral("link")).toObject();
    QCOMPARE(one.value(QStringLiteral("connected")).toBool(), true);
    QCOMPARE(one.value(QStringLiteral("since")), listed.value(QStringLiteral("since")));
}

void TestHubLink::desiredPropertiesReachTheDevice()
{
    // The device was assigned before the link was up: the reconnect scan
    // published its desired document, retained, so it is there at subscribe.
    m_device.connectNow();
    QTRY_VERIFY_WITH_TIMEOUT(m_device.isConnected(), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(!m_device.lastDesired().isEmpty(), 10000);
    const QJsonObject desired = m_device.lastDesired();
    QCOMPARE(desired.value(QStringLiteral("interval")).toInt(), 10);
    QVERIFY(desired.value(QStringLiteral("$version")).toInt() >= 1);
    QCOMPARE(twin(m_device.deviceId).value(QStringLiteral("tags")).toObject().value(QStringLiteral("site")).toString(),
             QStringLiteral("lab"));

    // A device assigned while the link is up gets its document at once.
    QString key;
    const QJsonObject state = enrollAndRegister(
        QStringLiteral("kiosk-late"),
        QJsonObject{
            {QStringLiteral("properties"),
             QJsonObject{{QStringLiteral("desired"), QJsonObject{{QStringLiteral("mode"), QStringLiteral("eco")}}}}}},
        &key);
    const QString hubKey = DeviceFixture::hubKey(state);
    MqttTestClient late(QStringLiteral("kiosk-late"));
    late.setCredentials((kHubHost + QStringLiteral("/kiosk-late/?api-version=2021-04-12")).toUtf8(),
                        SasToken::create(kHubHost + QStringLiteral("/devices/kiosk-late"), hubKey,
                                         QDateTime::currentSecsSinceEpoch() + 600)
                            .toUtf8());
    QCOMPARE(late.connect(QStringLiteral("127.0.0.1"), m_port, m_f.mw->caCertificatePath()), 0);
    QCOMPARE(late.subscribe(QStringLiteral("devices/kiosk-late/twin/desired")), 1);
    QVERIFY(late.waitForMessages(1, 5000));
    const QJsonObject doc = QJsonDocument::fromJson(late.messages().first().payload).object();
    QCOMPARE(doc.value(QStringLiteral("mode")).toString(), QStringLiteral("eco"));
    QCOMPARE(doc.value(QStringLiteral("$version")).toInt(), 1);
    late.disconnect();
}

void TestHubLink::desiredPatchReachesTheDevice()
{
    const QString path = QStringLiteral("/api/v1/devices/%1/twin").arg(m_device.deviceId);
    const auto before = m_f.viewer->get(path);
    QCOMPARE(before.status, 200);
    const int version = before.json()
                            .value(QStringLiteral("properties"))
                            .toObject()
                            .value(QStringLiteral("desired"))
                            .toObject()
                            .value(QStringLiteral("$version"))
                            .toInt();
    const QByteArray etag = before.header("ETag");
    QVERIFY(!etag.isEmpty());

    // Viewers read, operators write; a stale etag is refused.
    QCOMPARE(
        m_f.viewer->patch(path, QJsonObject{{QStringLiteral("desired"), QJsonObject{{QStringLiteral("interval"), 1}}}})
            .status,
        403);
    QCOMPARE(m_f.operatorClient
                 ->patch(path, QJsonObject{{QStringLiteral("desired"), QJsonObject{{QStringLiteral("interval"), 1}}}},
                         {{"If-Match", "\"stale\""}})
                 .status,
             412);
    QCOMPARE(m_f.operatorClient
                 ->patch(path, QJsonObject{{QStringLiteral("desired"), QJsonObject{{QStringLiteral("$version"), 9}}}})
                 .status,
             400);
    QCOMPARE(m_f.operatorClient->patch(path, QJsonObject{{QStringLiteral("bogus"), 1}}).status, 400);

    const auto patched =
        m_f.operatorClient->patch(path,
                                  QJsonObject{{QStringLiteral("desired"), QJsonObject{{QStringLiteral("interval"), 20},
                                                                                      {QStringLiteral("led"), true}}},
                                              {QStringLiteral("tags"), QJsonObject{{QStringLiteral("floor"), 2}}}},
                                  {{"If-Match", etag}});
    QVERIFY2(patched.status == 200, patched.body.constData());
    QTRY_VERIFY_WITH_TIMEOUT(m_device.lastDesired().value(QStringLiteral("$version")).toInt() == version + 1, 10000);
    QCOMPARE(m_device.lastDesired().value(QStringLiteral("interval")).toInt(), 20);
    QCOMPARE(m_device.lastDesired().value(QStringLiteral("led")).toBool(), true);
    const QJsonObject t = twin(m_device.deviceId);
    QCOMPARE(t.value(QStringLiteral("tags")).toObject().value(QStringLiteral("floor")).toInt(), 2);
    QCOMPARE(t.value(QStringLiteral("tags")).toObject().value(QStringLiteral("site")).toString(),
             QStringLiteral("lab"));

    // The enrollment's twin patch reaches a registered device as well.
    const auto viaEnrollment = m_f.operatorClient->patch(
        QStringLiteral("/api/v1/enrollments/kiosk-1/twin"),
        QJsonObject{{QStringLiteral("desired"), QJsonObject{{QStringLiteral("led"), QJsonValue::Null}}}});
    QVERIFY2(viaEnrollment.status == 200, viaEnrollment.body.constData());
    QTRY_VERIFY_WITH_TIMEOUT(m_device.lastDesired().value(QStringLiteral("$version")).toInt() == version + 2, 10000);
    QVERIFY(!m_device.lastDesired().contains(QStringLiteral("led")));
    QCOMPARE(m_device.lastDesired().value(QStringLiteral("interval")).toInt(), 20);
}

void TestHubLink::reportedPropertiesMerge()
{
    const QString topic = QStringLiteral("devices/%1/twin/reported").arg(m_device.deviceId);
    const auto reported = [this] {
        return twin(m_device.deviceId)
            .value(QStringLiteral("properties"))
            .toObject()
            .value(QStringLiteral("reported"))
            .toObject();
    };
    const int start = reported().value(QStringLiteral("$version")).toInt();
    m_device.client->publish(topic, R"({"fw":"1.0","sensors":{"a":1,"b":2}})", 1);
    QTRY_COMPARE_WITH_TIMEOUT(reported().value(QStringLiteral("$version")).toInt(), start + 1, 10000);
    m_device.client->publish(topic, R"({"fw":"1.1","sensors":{"a":null}})", 1);
    QTRY_COMPARE_WITH_TIMEOUT(reported().value(QStringLiteral("$version")).toInt(), start + 2, 10000);
    const QJsonObject r = reported();
    QCOMPARE(r.value(QStringLiteral("fw")).toString(), QStringLiteral("1.1"));
    QCOMPARE(r.value(QStringLiteral("sensors")).toObject(), QJsonObject({{QStringLiteral("b"), 2}}));
    QTRY_VERIFY_WITH_TIMEOUT(!m_feed->ofType(QStringLiteral("twin.reported")).isEmpty(), 5000);
    const QJsonObject event = m_feed->ofType(QStringLiteral("twin.reported")).last();
    QCOMPARE(event.value(QStringLiteral("deviceId")).toString(), m_device.deviceId);
    QCOMPARE(event.value(QStringLiteral("registrationId")).toString(), QStringLiteral("kiosk-1"));
}

void TestHubLink::malformedReportedIsIgnoredAndCounted()
{
    const QString topic = QStringLiteral("devices/%1/twin/reported").arg(m_device.deviceId);
    const int version = twin(m_device.deviceId)
                            .value(QStringLiteral("properties"))
                            .toObject()
                            .value(QStringLiteral("reported"))
                            .toObject()
                            .value(QStringLiteral("$version"))
                            .toInt();
    m_device.client->publish(topic, "not json", 1);
    m_device.client->publish(topic, "[1,2]", 1);
    m_device.client->publish(topic, QByteArray("{\"big\":\"") + QByteArray(40000, 'x') + "\"}", 1);
    QTRY_VERIFY_WITH_TIMEOUT(
        metrics().contains("provisio_hub_messages_rejected_total{kind=\"reported\",reason=\"malformed\"} 2"), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(
        metrics().contains("provisio_hub_messages_rejected_total{kind=\"reported\",reason=\"oversize\"} 1"), 10000);
    QCOMPARE(twin(m_device.deviceId)
                 .value(QStringLiteral("properties"))
                 .toObject()
                 .value(QStringLiteral("reported"))
                 .toObject()
                 .value(QStringLiteral("$version"))
                 .toInt(),
             version);
}

void TestHubLink::statusReportUpdatesRegistration()
{
    // Bind kiosk-1 to an inventory device, as the CRM does, so its report
    // moves the inventory record to `provisioned`.
    QCOMPARE(m_f.operatorClient
                 ->post(QStringLiteral("/api/v1/devices"),
                        QJsonObject{{QStringLiteral("serial"), QStringLiteral("SN-KIOSK-1")}})
                 .status,
             201);
    QJsonObject enrollment = m_f.operatorClient->get(QStringLiteral("/api/v1/enrollments/kiosk-1")).json();
    enrollment.insert(QStringLiteral("serial"), QStringLiteral("SN-KIOSK-1"));
    QCOMPARE(m_f.operatorClient->put(QStringLiteral("/api/v1/enrollments/kiosk-1"), enrollment).status, 200);
    QCOMPARE(
        m_f.viewer->get(QStringLiteral("/api/v1/devices/SN-KIOSK-1")).json().value(QStringLiteral("status")).toString(),
        QStringLiteral("inStock"));

    m_device.client->publish(QStringLiteral("devices/%1/twin/reported").arg(m_device.deviceId),
                             R"({"provisioningStatus":"provisioned"})", 1);
    QTRY_COMPARE_WITH_TIMEOUT(m_f.viewer->get(QStringLiteral("/api/v1/registrations/kiosk-1"))
                                  .json()
                                  .value(QStringLiteral("deviceStatus"))
                                  .toString(),
                              QStringLiteral("provisioned"), 10000);
    const QJsonObject reg = m_f.viewer->get(QStringLiteral("/api/v1/registrations/kiosk-1")).json();
    QVERIFY(!reg.value(QStringLiteral("deviceStatusDateTimeUtc")).toString().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(!m_feed->ofType(QStringLiteral("device.statusReported")).isEmpty(), 5000);
    const QJsonObject event = m_feed->ofType(QStringLiteral("device.statusReported")).last();
    QCOMPARE(event.value(QStringLiteral("deviceId")).toString(), m_device.deviceId);
    QCOMPARE(event.value(QStringLiteral("data")).toObject().value(QStringLiteral("deviceStatus")).toString(),
             QStringLiteral("provisioned"));

    QTRY_COMPARE_WITH_TIMEOUT(
        m_f.viewer->get(QStringLiteral("/api/v1/devices/SN-KIOSK-1")).json().value(QStringLiteral("status")).toString(),
        QStringLiteral("provisioned"), 10000);
    const QJsonArray trail = m_f.viewer->get(QStringLiteral("/api/v1/audit?entityType=device&entityId=SN-KIOSK-1"))
                                 .json()
                                 .value(QStringLiteral("items"))
                                 .toArray();
    QVERIFY(!trail.isEmpty());
    QCOMPARE(trail.first().toObject().value(QStringLiteral("action")).toString(), QStringLiteral("provisioned"));
    QCOMPARE(trail.first().toObject().value(QStringLiteral("actor")).toString(), QStringLiteral("hub:") + kHubHost);

    // The nested form counts too.
    m_device.client->publish(QStringLiteral("devices/%1/twin/reported").arg(m_device.deviceId),
                             R"({"provisio":{"status":"ready"}})", 1);
    QTRY_COMPARE_WITH_TIMEOUT(m_f.viewer->get(QStringLiteral("/api/v1/registrations/kiosk-1"))
                                  .json()
                                  .value(QStringLiteral("deviceStatus"))
                                  .toString(),
                              QStringLiteral("ready"), 10000);
}

void TestHubLink::presenceFromStatusAndLastWill()
{
    // kiosk-1 said "online" when it connected.
    QTRY_COMPARE_WITH_TIMEOUT(twin(m_device.deviceId).value(QStringLiteral("connectionState")).toString(),
                              QStringLiteral("Connected"), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(!m_feed->ofType(QStringLiteral("device.online")).isEmpty(), 5000);

    // A second device whose connection dies: the broker publishes its will.
    QString key;
    const QJsonObject state = enrollAndRegister(QStringLiteral("kiosk-2"), {}, &key);
    const QString hubKey = DeviceFixture::hubKey(state);
    MqttTestClient device(QStringLiteral("kiosk-2"));
    device.setCredentials((kHubHost + QStringLiteral("/kiosk-2/?api-version=2021-04-12")).toUtf8(),
                          SasToken::create(kHubHost + QStringLiteral("/devices/kiosk-2"), hubKey,
                                           QDateTime::currentSecsSinceEpoch() + 600)
                              .toUtf8());
    m_kiosk2Key = hubKey;
    device.setWill(QStringLiteral("devices/kiosk-2/status"), "offline", 1, true);
    QCOMPARE(device.connect(QStringLiteral("127.0.0.1"), m_port, m_f.mw->caCertificatePath()), 0);
    QCOMPARE(device.publish(QStringLiteral("devices/kiosk-2/status"), "online", 1, true) & 0x80, 0);
    QTRY_COMPARE_WITH_TIMEOUT(twin(QStringLiteral("kiosk-2")).value(QStringLiteral("connectionState")).toString(),
                              QStringLiteral("Connected"), 10000);
    device.dropConnection();
    QTRY_COMPARE_WITH_TIMEOUT(twin(QStringLiteral("kiosk-2")).value(QStringLiteral("connectionState")).toString(),
                              QStringLiteral("Disconnected"), 10000);
    QVERIFY(!twin(QStringLiteral("kiosk-2")).value(QStringLiteral("lastActivityTime")).toString().isEmpty());
    // The registrations list carries presence too (the CRM's online column).
    const QJsonArray registrations = m_f.viewer->get(QStringLiteral("/api/v1/registrations?limit=1000"))
                                         .json()
                                         .value(QStringLiteral("items"))
                                         .toArray();
    QHash<QString, QString> states;
    for (const QJsonValue &r : registrations)
        states.insert(r.toObject().value(QStringLiteral("registrationId")).toString(),
                      r.toObject().value(QStringLiteral("connectionState")).toString());
    QCOMPARE(states.value(QStringLiteral("kiosk-1")), QStringLiteral("Connected"));
    QCOMPARE(states.value(QStringLiteral("kiosk-2")), QStringLiteral("Disconnected"));
    QCOMPARE(m_f.viewer->get(QStringLiteral("/api/v1/registrations/kiosk-1"))
                 .json()
                 .value(QStringLiteral("connectionState"))
                 .toString(),
             QStringLiteral("Connected"));
    QTRY_VERIFY_WITH_TIMEOUT(
        std::any_of(m_feed->events.cbegin(), m_feed->events.cend(),
                    [](const QJsonObject &e) {
                        return e.value(QStringLiteral("type")).toString() == QLatin1String("device.offline") &&
                               e.value(QStringLiteral("deviceId")).toString() == QLatin1String("kiosk-2");
                    }),
        5000);
}

void TestHubLink::telemetryIsStored()
{
    const QString path = QStringLiteral("/api/v1/devices/%1/telemetry").arg(m_device.deviceId);
    const MqttTopic::PropertyBag bag{{QStringLiteral("$.ct"), QStringLiteral("application/json")},
                                     {QStringLiteral("alert"), QStringLiteral("high temp")}};
    m_device.client->publish(MqttTopic::telemetryTopic(m_device.deviceId, bag), R"({"t":21.5})", 1);
    m_device.client->publish(MqttTopic::telemetryTopic(m_device.deviceId), QByteArray("\x01\x02raw", 5), 1);
    QTRY_COMPARE_WITH_TIMEOUT(m_f.viewer->get(path).json().value(QStringLiteral("count")).toInt(), 2, 10000);
    const QJsonObject t = m_f.viewer->get(path).json();
    QCOMPARE(t.value(QStringLiteral("deviceId")).toString(), m_device.deviceId);
    QVERIFY(!t.value(QStringLiteral("lastMessageDateTimeUtc")).toString().isEmpty());
    const QJsonArray messages = t.value(QStringLiteral("messages")).toArray();
    QCOMPARE(messages.size(), 2);
    // Newest first.
    QCOMPARE(messages.at(0).toObject().value(QStringLiteral("body")).toString(),
             QString::fromLatin1(QByteArray("\x01\x02raw", 5).toBase64()));
    const QJsonObject first = messages.at(1).toObject();
    QCOMPARE(first.value(QStringLiteral("body")).toObject().value(QStringLiteral("t")).toDouble(), 21.5);
    QCOMPARE(first.value(QStringLiteral("properties")).toObject().value(QStringLiteral("alert")).toString(),
             QStringLiteral("high temp"));
    QCOMPARE(first.value(QStringLiteral("properties")).toObject().value(QStringLiteral("$.ct")).toString(),
             QStringLiteral("application/json"));
    QCOMPARE(
        m_f.viewer->get(path + QStringLiteral("?limit=1")).json().value(QStringLiteral("messages")).toArray().size(),
        1);
    QCOMPARE(m_f.viewer->get(path + QStringLiteral("?limit=0")).status, 400);
    QCOMPARE(m_f.viewer->get(QStringLiteral("/api/v1/devices/nobody/telemetry")).status, 404);
    QTRY_VERIFY_WITH_TIMEOUT(!m_feed->ofType(QStringLiteral("telemetry")).isEmpty(), 5000);
    QCOMPARE(m_feed->ofType(QStringLiteral("telemetry")).first().value(QStringLiteral("deviceId")).toString(),
             m_device.deviceId);
}

void TestHubLink::liveTelemetrySaysWhatItSkipped()
{
    // The live feed takes at most 5 telemetry events per device and second
    // (the default); a burst above it is stored whole, and the next event
    // that goes out says how many were not sent live.
    const QString id = QStringLiteral("chatty");
    auto device = connectedDevice(id);
    QVERIFY(device);
    const QString topic = MqttTopic::telemetryTopic(id);
    int n = 0;
    for (; n < 20; ++n)
        QCOMPARE(device->publish(topic, QByteArray("{\"n\":") + QByteArray::number(n) + '}', 1) & 0x80, 0);
    const auto ofDevice = [this, &id] {
        QList<QJsonObject> out;
        for (const QJsonObject &e : m_feed->ofType(QStringLiteral("telemetry"))) {
            if (e.value(QStringLiteral("deviceId")).toString() == id)
                out << e.value(QStringLiteral("data")).toObject();
        }
        return out;
    };
    const auto skippedSoFar = [&ofDevice] {
        int sum = 0;
        for (const QJsonObject &d : ofDevice())
            sum += d.value(QStringLiteral("skipped")).toInt();
        return sum;
    };
    // One message now and then, in later seconds, until one carries the count.
    QTimer trickle;
    connect(&trickle, &QTimer::timeout, this,
            [&] { device->publish(topic, QByteArray("{\"n\":") + QByteArray::number(n++) + '}', 1); });
    trickle.start(300);
    QTRY_VERIFY_WITH_TIMEOUT(skippedSoFar() > 0, 10000);
    trickle.stop();
    // Every message up to the last one sent live was either sent or counted.
    const QList<QJsonObject> events = ofDevice();
    const int lastSent = events.last().value(QStringLiteral("body")).toObject().value(QStringLiteral("n")).toInt();
    QCOMPARE(events.size() + skippedSoFar(), lastSent + 1);
    // An event after nothing was dropped carries no count.
    QVERIFY(!events.first().contains(QStringLiteral("skipped")));
}

void TestHubLink::directMethodRoundTrip()
{
    m_device.answers.insert(QStringLiteral("reboot"), 200);
    m_device.answers.insert(QStringLiteral("reprovision"), 202);
    const QString path = QStringLiteral("/api/v1/devices/%1/methods/reboot").arg(m_device.deviceId);
    QCOMPARE(m_f.viewer->post(path, QJsonObject{}).status, 403);
    const auto r = m_f.operatorClient->post(
        path, QJsonObject{{QStringLiteral("payload"), QJsonObject{{QStringLiteral("delay"), 5}}},
                          {QStringLiteral("responseTimeoutInSeconds"), 10}});
    QVERIFY2(r.status == 200, r.body.constData());
    QCOMPARE(r.json().value(QStringLiteral("status")).toInt(), 200);
    const QJsonObject payload = r.json().value(QStringLiteral("payload")).toObject();
    QCOMPARE(payload.value(QStringLiteral("method")).toString(), QStringLiteral("reboot"));
    QCOMPARE(payload.value(QStringLiteral("echo")).toObject().value(QStringLiteral("delay")).toInt(), 5);

    const auto again = m_f.operatorClient->post(
        QStringLiteral("/api/v1/devices/%1/methods/reprovision").arg(m_device.deviceId), QJsonObject{});
    QVERIFY2(again.status == 200, again.body.constData());
    QCOMPARE(again.json().value(QStringLiteral("status")).toInt(), 202);
    QCOMPARE(m_f.operatorClient->post(path, QJsonObject{{QStringLiteral("responseTimeoutInSeconds"), 0}}).status, 400);
    QCOMPARE(m_f.operatorClient->post(path, QJsonObject{{QStringLiteral("responseTimeoutInSeconds"), 301}}).status,
             400);
}

void TestHubLink::silentDeviceTimesOut()
{
    QElapsedTimer timer;
    timer.start();
    const auto r = m_f.operatorClient->post(QStringLiteral("/api/v1/devices/%1/methods/silent").arg(m_device.deviceId),
                                            QJsonObject{{QStringLiteral("responseTimeoutInSeconds"), 2}});
    QCOMPARE(r.status, 504);
    QVERIFY2(timer.elapsed() >= 1900 && timer.elapsed() < 6000, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(r.json().value(QStringLiteral("errorCode")).toInt(), 504101);
    // The server was not blocked meanwhile: other requests are answered at once.
    QCOMPARE(m_f.viewer->get(QStringLiteral("/healthz")).status, 200);
}

void TestHubLink::methodOnUnknownDeviceIs404()
{
    QCOMPARE(m_f.operatorClient->post(QStringLiteral("/api/v1/devices/nobody/methods/reboot"), QJsonObject{}).status,
             404);
    QCOMPARE(
        m_f.operatorClient->post(QStringLiteral("/api/v1/devices/%1/methods/res").arg(m_device.deviceId), QJsonObject{})
            .status,
        400);
    QCOMPARE(m_f.viewer->get(QStringLiteral("/api/v1/devices/nobody/twin")).status, 404);
}

void TestHubLink::disablingRevokesAndEnablingRestores()
{
    QVERIFY(m_device.isConnected());
    QSignalSpy refused(m_device.client.get(), &MqttClient::connectionRefused);
    QElapsedTimer timer;
    timer.start();
    QCOMPARE(m_f.operatorClient->post(QStringLiteral("/api/v1/enrollments/kiosk-1/disable"), QJsonObject{}).status,
             200);
    QTRY_VERIFY_WITH_TIMEOUT(!m_device.isConnected(), 1000);
    qInfo("revoked and disconnected after %lld ms", timer.elapsed());
    // Its automatic reconnect is turned away.
    QTRY_VERIFY_WITH_TIMEOUT(!refused.isEmpty(), 10000);
    QVERIFY(!m_device.isConnected());

    QCOMPARE(m_f.operatorClient->post(QStringLiteral("/api/v1/enrollments/kiosk-1/enable"), QJsonObject{}).status, 200);
    // Enabled again, the device is admitted, but not with the hub key it
    // held: the revoke retired that one. Registering again hands out the
    // new one (its enrollment key still registers).
    QTRY_COMPARE_WITH_TIMEOUT(hubStatus().value(QStringLiteral("pendingRevocations")).toInt(), 0, 10000);
    QCOMPARE(hubClient(kHubHost, m_device.deviceId, m_device.key)
                 ->connect(QStringLiteral("127.0.0.1"), m_port, m_f.mw->caCertificatePath()),
             0x87);
    const QString enrollmentKey =
        DeviceFixture::primaryKey(m_f.operatorClient->get(QStringLiteral("/api/v1/enrollments/kiosk-1")).json());
    QVERIFY(!enrollmentKey.isEmpty());
    const QString newKey = registerNow(QStringLiteral("kiosk-1"), enrollmentKey)
                               .value(QStringLiteral("payload"))
                               .toObject()
                               .value(QStringLiteral("provisio"))
                               .toObject()
                               .value(QStringLiteral("hubDeviceKey"))
                               .toString();
    QVERIFY(!newKey.isEmpty());
    QVERIFY(newKey != m_device.key);
    m_device.key = newKey;
    m_device.client->setPassword(m_device.token());
    // The refusal stopped the client's retries: the device tries again itself.
    QTRY_VERIFY_WITH_TIMEOUT(
        [this] {
            if (m_device.client->state() == MqttClient::Disconnected)
                m_device.client->connectToHost();
            return m_device.isConnected();
        }(),
        10000);
}

void TestHubLink::reconnectsToRestartedBroker()
{
    QVERIFY(hubStatus().value(QStringLiteral("connected")).toBool());
    m_broker.stop();
    QTRY_VERIFY_WITH_TIMEOUT(!hubStatus().value(QStringLiteral("connected")).toBool(), 10000);
    QVERIFY(!hubStatus().value(QStringLiteral("lastError")).toString().isEmpty());
    const QJsonObject listed = listedLink(QStringLiteral("hub1"));
    QCOMPARE(listed.value(QStringLiteral("connected")).toBool(), false);
    QVERIFY(!listed.value(QStringLiteral("lastError")).toString().isEmpty());
    QVERIFY(metrics().contains("provisio_hub_connected{hub=\"hub1\"} 0"));
    // No hub, no method call.
    m_device.answers.insert(QStringLiteral("reboot"), 200);
    QCOMPARE(m_f.operatorClient
                 ->post(QStringLiteral("/api/v1/devices/%1/methods/reboot").arg(m_device.deviceId), QJsonObject{})
                 .status,
             409);
    // A change while the hub is away goes out when it is back.
    const auto patched = m_f.operatorClient->patch(
        QStringLiteral("/api/v1/devices/%1/twin").arg(m_device.deviceId),
        QJsonObject{{QStringLiteral("desired"), QJsonObject{{QStringLiteral("interval"), 99}}}});
    QCOMPARE(patched.status, 200);
    const int version = patched.json()
                            .value(QStringLiteral("properties"))
                            .toObject()
                            .value(QStringLiteral("desired"))
                            .toObject()
                            .value(QStringLiteral("$version"))
                            .toInt();
    // A revocation while the hub is away waits, and survives a restart of
    // the middleware itself.
    QCOMPARE(m_f.operatorClient->post(QStringLiteral("/api/v1/enrollments/kiosk-2/disable"), QJsonObject{}).status,
             200);
    QCOMPARE(hubStatus().value(QStringLiteral("pendingRevocations")).toInt(), 1);
    m_feed.reset();
    QElapsedTimer restart;
    restart.start();
    QVERIFY2(m_f.mw->restart(), qPrintable(m_f.mw->lastError()));
    qInfo("middleware restarted in %lld ms", restart.elapsed());
    m_f.reconnect();

    QVERIFY2(m_broker.start(m_conf, m_port), qPrintable(m_broker.log()));
    QTRY_VERIFY_WITH_TIMEOUT(hubStatus().value(QStringLiteral("connected")).toBool(), 30000);
    qInfo("hub connected %lld ms after the restart began", restart.elapsed());
    QTRY_COMPARE_WITH_TIMEOUT(hubStatus().value(QStringLiteral("pendingRevocations")).toInt(), 0, 10000);
    {
        MqttTestClient revoked(QStringLiteral("kiosk-2"));
        revoked.setCredentials((kHubHost + QStringLiteral("/kiosk-2/?api-version=2021-04-12")).toUtf8(),
                               SasToken::create(kHubHost + QStringLiteral("/devices/kiosk-2"), m_kiosk2Key,
                                                QDateTime::currentSecsSinceEpoch() + 600)
                                   .toUtf8());
        QCOMPARE(revoked.connect(QStringLiteral("127.0.0.1"), m_port, m_f.mw->caCertificatePath()), 0x87);
    }
    QTRY_VERIFY_WITH_TIMEOUT(m_device.isConnected(), 30000);
    QTRY_COMPARE_WITH_TIMEOUT(m_device.lastDesired().value(QStringLiteral("$version")).toInt(), version, 15000);
    QCOMPARE(m_device.lastDesired().value(QStringLiteral("interval")).toInt(), 99);
    QVERIFY(metrics().contains("provisio_hub_connected{hub=\"hub1\"} 1"));
}

std::unique_ptr<MqttTestClient> TestHubLink::hubClient(const QString &hubHost, const QString &deviceId,
                                                       const QString &hubKey)
{
    auto client = std::make_unique<MqttTestClient>(deviceId);
    client->setCredentials(
        (hubHost + QLatin1Char('/') + deviceId + QStringLiteral("/?api-version=2021-04-12")).toUtf8(),
        SasToken::create(hubHost + QStringLiteral("/devices/") + deviceId, hubKey,
                         QDateTime::currentSecsSinceEpoch() + 600)
            .toUtf8());
    return client;
}

int TestHubLink::connectEventually(MqttTestClient &client, quint16 port, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    int rc = -1;
    do {
        rc = client.connect(QStringLiteral("127.0.0.1"), port, m_f.mw->caCertificatePath());
        if (rc == 0)
            break;
        QTest::qWait(100);
    } while (t.elapsed() < timeoutMs);
    return rc;
}

void TestHubLink::disablingGroupRevokesItsDevices()
{
    QTRY_VERIFY_WITH_TIMEOUT(hubStatus().value(QStringLiteral("connected")).toBool(), 30000);
    const QString groupPath = QStringLiteral("/api/v1/enrollment-groups/line-h");
    const auto created = m_f.operatorClient->put(
        groupPath, QJsonObject{{QStringLiteral("attestation"),
                                QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}},
                               {QStringLiteral("iotHubs"), QJsonArray{kHubHost}}});
    QVERIFY2(created.status == 201, created.body.constData());
    const QString groupKey = DeviceFixture::primaryKey(created.json());
    QVERIFY(!groupKey.isEmpty());

    // Two devices registered through the group with their derived keys,
    // both connected to the hub.
    const QStringList ids{QStringLiteral("line-h-1"), QStringLiteral("line-h-2")};
    QHash<QString, QString> hubKeys;
    std::vector<std::unique_ptr<MqttTestClient>> clients;
    for (const QString &id : ids) {
        const QString derived = Crypto::deriveKey(groupKey, id).value();
        const auto reg = m_f.registerDevice(id, derived);
        QVERIFY2(reg.status == 202, reg.body.constData());
        QCOMPARE(reg.json().value(QStringLiteral("status")).toString(), QStringLiteral("assigned"));
        const QJsonObject state = DeviceFixture::state(reg.json());
        QCOMPARE(state.value(QStringLiteral("assignedHub")).toString(), kHubHost);
        hubKeys.insert(id, DeviceFixture::hubKey(state));
        QCOMPARE(m_f.viewer->get(QStringLiteral("/api/v1/registrations/") + id)
                     .json()
                     .value(QStringLiteral("enrollmentGroupId"))
                     .toString(),
                 QStringLiteral("line-h"));
        clients.push_back(hubClient(kHubHost, id, hubKeys.value(id)));
        QCOMPARE(clients.back()->connect(QStringLiteral("127.0.0.1"), m_port, m_f.mw->caCertificatePath()), 0);
    }
    QVERIFY(m_device.isConnected());

    // Disabling the group (a PUT of the whole group) cuts them all off at once.
    QJsonObject group = created.json();
    group.insert(QStringLiteral("provisioningStatus"), QStringLiteral("disabled"));
    for (auto &client : clients)
        QVERIFY(client->isConnected());
    QElapsedTimer timer;
    timer.start();
    const auto disabled = m_f.operatorClient->put(groupPath, group);
    QVERIFY2(disabled.status == 200, disabled.body.constData());
    for (auto &client : clients)
        QVERIFY2(client->waitForDisconnect(1000), qPrintable(QString::number(timer.elapsed())));
    qInfo("group disabled: its devices disconnected after %lld ms", timer.elapsed());
    for (const QString &id : ids) {
        auto again = hubClient(kHubHost, id, hubKeys.value(id));
        QCOMPARE(again->connect(QStringLiteral("127.0.0.1"), m_port, m_f.mw->caCertificatePath()), 0x87);
    }
    // A device of an individual enrollment is not touched.
    QVERIFY(m_device.isConnected());
    QTRY_COMPARE_WITH_TIMEOUT(hubStatus().value(QStringLiteral("pendingRevocations")).toInt(), 0, 10000);

    // An edit that keeps it disabled sends nothing new.
    const QString revocations = QStringLiteral("provisio_hub_revocations_total{op=\"revoke\",status=\"200\"}");
    auto counter = [this](const QString &name) {
        for (const QByteArray &line : metrics().split('\n')) {
            if (line.startsWith(QByteArray(name.toUtf8() + ' ')))
                return line.mid(name.size() + 1).trimmed().toDouble();
        }
        return 0.0;
    };
    QTRY_VERIFY_WITH_TIMEOUT(counter(revocations) >= 2, 5000);
    const double revoked = counter(revocations);
    group = disabled.json();
    group.insert(QStringLiteral("initialTwin"),
                 QJsonObject{{QStringLiteral("tags"), QJsonObject{{QStringLiteral("line"), QStringLiteral("h")}}}});
    QCOMPARE(m_f.operatorClient->put(groupPath, group).status, 200);
    QCOMPARE(hubStatus().value(QStringLiteral("pendingRevocations")).toInt(), 0);

    // Enabling it again admits them again, with the hub keys their next
    // registration hands them: the ones they held were retired.
    group.insert(QStringLiteral("provisioningStatus"), QStringLiteral("enabled"));
    const auto enabled = m_f.operatorClient->put(groupPath, group);
    QVERIFY2(enabled.status == 200, enabled.body.constData());
    QTRY_COMPARE_WITH_TIMEOUT(hubStatus().value(QStringLiteral("pendingRevocations")).toInt(), 0, 10000);
    for (std::size_t i = 0; i < clients.size(); ++i) {
        const QString &id = ids.at(int(i));
        QCOMPARE(hubClient(kHubHost, id, hubKeys.value(id))
                     ->connect(QStringLiteral("127.0.0.1"), m_port, m_f.mw->caCertificatePath()),
                 0x87);
        const QString newKey = registerNow(id, Crypto::deriveKey(groupKey, id).value())
                                   .value(QStringLiteral("payload"))
                                   .toObject()
                                   .value(QStringLiteral("provisio"))
                                   .toObject()
                                   .value(QStringLiteral("hubDeviceKey"))
                                   .toString();
        QVERIFY(!newKey.isEmpty() && newKey != hubKeys.value(id));
        hubKeys.insert(id, newKey);
        clients[i] = hubClient(kHubHost, id, newKey);
        QCOMPARE(connectEventually(*clients[i], m_port), 0);
    }
    QCOMPARE(counter(revocations), revoked);

    // Deleting the group cuts them off again.
    for (auto &client : clients)
        QVERIFY(client->isConnected());
    timer.restart();
    QCOMPARE(m_f.operatorClient->del(groupPath).status, 204);
    for (auto &client : clients)
        QVERIFY2(client->waitForDisconnect(1000), qPrintable(QString::number(timer.elapsed())));
    qInfo("group deleted: its devices disconnected after %lld ms", timer.elapsed());
    for (const QString &id : ids) {
        auto again = hubClient(kHubHost, id, hubKeys.value(id));
        QCOMPARE(again->connect(QStringLiteral("127.0.0.1"), m_port, m_f.mw->caCertificatePath()), 0x87);
    }
    QVERIFY(m_device.isConnected());
}

void TestHubLink::linkHub2()
{
    linkHub(QStringLiteral("hub2"), kHub2Host, m_broker2, m_port2);
}

void TestHubLink::linkHub3()
{
    linkHub(QStringLiteral("hub3"), kHub3Host, m_broker3, m_port3);
}

void TestHubLink::linkHub(const QString &name, const QString &host, MosquittoProcess &broker, quint16 &port)
{
    if (port != 0)
        return;
    port = freeLocalPort();
    QVERIFY(port != 0);
    const auto linked =
        m_f.admin->put(QStringLiteral("/api/v1/hubs/") + name,
                       QJsonObject{{QStringLiteral("host"), host},
                                   {QStringLiteral("port"), int(port)},
                                   {QStringLiteral("endpoint"), QStringLiteral("127.0.0.1:%1").arg(port)},
                                   {QStringLiteral("region"), QStringLiteral("eu")},
                                   {QStringLiteral("allocationWeight"), 1}});
    QVERIFY2(linked.status == 201 || linked.status == 200, linked.body.constData());
    const QString out = m_work.filePath(name);
    const auto written = writeHubConfig(*m_f.mw, name, port, out);
    QVERIFY2(written.exitCode == 0, qPrintable(written.err));
    QVERIFY2(broker.start(QDir(out).filePath(QStringLiteral("mosquitto.conf")), port), qPrintable(broker.log()));
    QTRY_VERIFY_WITH_TIMEOUT(m_f.viewer->get(QStringLiteral("/api/v1/hubs/%1/status").arg(name))
                                 .json()
                                 .value(QStringLiteral("connected"))
                                 .toBool(),
                             30000);
}

QString TestHubLink::registeredOnHub3(const QString &id, QString *enrollmentKey)
{
    QString key;
    if (enrollmentKey && !enrollmentKey->isEmpty()) {
        key = *enrollmentKey;
    } else {
        const auto enrolled =
            m_f.putEnrollment(id, QJsonObject{{QStringLiteral("attestation"),
                                               QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}},
                                              {QStringLiteral("iotHubs"), QJsonArray{kHub3Host}}});
        if (enrolled.status != 201)
            return {};
        key = DeviceFixture::primaryKey(enrolled.json());
        if (enrollmentKey)
            *enrollmentKey = key;
    }
    const QJsonObject state = registerNow(id, key);
    if (state.value(QStringLiteral("assignedHub")).toString() != kHub3Host)
        return {};
    return DeviceFixture::hubKey(state);
}

void TestHubLink::movedDeviceIsRevokedOnItsOldHub()
{
    // A second real hub.
    linkHub2();
    if (QTest::currentTestFailed())
        return;

    const QString id = QStringLiteral("mover");
    auto place = [this, &id](const QString &hubHost, QJsonObject *enrollment) {
        enrollment->insert(QStringLiteral("iotHubs"), QJsonArray{hubHost});
        const auto put = m_f.putEnrollment(id, *enrollment);
        if (put.status != 200 && put.status != 201) {
            qWarning("enrollment: %d %s", put.status, put.body.constData());
            return QJsonObject();
        }
        *enrollment = put.json();
        const auto reg = m_f.registerDevice(id, DeviceFixture::primaryKey(*enrollment));
        return DeviceFixture::state(reg.json());
    };

    QJsonObject enrollment{
        {QStringLiteral("attestation"), QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}}};
    QJsonObject state = place(kHubHost, &enrollment);
    QCOMPARE(state.value(QStringLiteral("assignedHub")).toString(), kHubHost);
    const QString key1 = DeviceFixture::hubKey(state);
    auto onHub1 = hubClient(kHubHost, id, key1);
    QCOMPARE(onHub1->connect(QStringLiteral("127.0.0.1"), m_port, m_f.mw->caCertificatePath()), 0);

    // Reprovisioned to hub2 (updateHubAssignment is the default): its
    // connection to hub1 ends at once and hub1 turns it away from now on;
    // hub2 takes it.
    QVERIFY(onHub1->isConnected());
    QElapsedTimer timer;
    timer.start();
    state = place(kHub2Host, &enrollment);
    QCOMPARE(state.value(QStringLiteral("assignedHub")).toString(), kHub2Host);
    QVERIFY2(onHub1->waitForDisconnect(1000), qPrintable(QString::number(timer.elapsed())));
    qInfo("moved to hub2: disconnected from hub1 after %lld ms", timer.elapsed());
    QCOMPARE(hubClient(kHubHost, id, key1)->connect(QStringLiteral("127.0.0.1"), m_port, m_f.mw->caCertificatePath()),
             0x87);
    const QString key2 = DeviceFixture::hubKey(state);
    auto onHub2 = hubClient(kHub2Host, id, key2);
    QCOMPARE(onHub2->connect(QStringLiteral("127.0.0.1"), m_port2, m_f.mw->caCertificatePath()), 0);
    QTRY_COMPARE_WITH_TIMEOUT(hubStatus().value(QStringLiteral("pendingRevocations")).toInt(), 0, 10000);

    // And back: now hub2 cuts it off, and hub1, which had revoked it,
    // admits it again.
    QVERIFY(onHub2->isConnected());
    timer.restart();
    state = place(kHubHost, &enrollment);
    QCOMPARE(state.value(QStringLiteral("assignedHub")).toString(), kHubHost);
    QVERIFY2(onHub2->waitForDisconnect(1000), qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(hubClient(kHub2Host, id, key2)->connect(QStringLiteral("127.0.0.1"), m_port2, m_f.mw->caCertificatePath()),
             0x87);
    onHub1 = hubClient(kHubHost, id, DeviceFixture::hubKey(state));
    QCOMPARE(connectEventually(*onHub1, m_port), 0);
    QTRY_COMPARE_WITH_TIMEOUT(hubStatus().value(QStringLiteral("pendingRevocations")).toInt(), 0, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(m_f.viewer->get(QStringLiteral("/api/v1/hubs/hub2/status"))
                                  .json()
                                  .value(QStringLiteral("pendingRevocations"))
                                  .toInt(),
                              0, 10000);
}

QJsonObject TestHubLink::registerNow(const QString &id, const QString &key)
{
    QJsonObject op = m_f.registerDevice(id, key).json();
    if (op.value(QStringLiteral("status")).toString() == QLatin1String("assigning"))
        op = m_f.waitForOperation(id, key, op.value(QStringLiteral("operationId")).toString());
    return DeviceFixture::state(op);
}

void TestHubLink::everyChangeThatMustRevokeDoes_data()
{
    // What the back office does to cut devices off, and what admits them
    // again: enabling, or registering again (with the new key where the
    // old one is gone).
    QTest::addColumn<QString>("change");
    QTest::newRow("enrollment disabled") << QStringLiteral("disable");
    QTest::newRow("enrollment deleted") << QStringLiteral("delete");
    QTest::newRow("registration deleted") << QStringLiteral("deleteRegistration");
    QTest::newRow("enrollment keys regenerated") << QStringLiteral("regenerateKeys");
    QTest::newRow("group disabled") << QStringLiteral("disableGroup");
    QTest::newRow("group deleted") << QStringLiteral("deleteGroup");
    QTest::newRow("moved to another hub") << QStringLiteral("move");
}

void TestHubLink::everyChangeThatMustRevokeDoes()
{
    QFETCH(QString, change);
    linkHub2();
    if (QTest::currentTestFailed())
        return;
    QTRY_VERIFY_WITH_TIMEOUT(hubStatus().value(QStringLiteral("connected")).toBool(), 30000);

    const bool group = change.endsWith(QLatin1String("Group"));
    const QString name = QStringLiteral("cut-") + QString::fromLatin1(QTest::currentDataTag()).replace(u' ', u'-');
    const QString enrollmentPath = QStringLiteral("/api/v1/enrollments/") + name;
    const QString groupPath = QStringLiteral("/api/v1/enrollment-groups/") + name;
    const QJsonObject fresh{
        {QStringLiteral("attestation"), QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}},
        {QStringLiteral("iotHubs"), QJsonArray{kHubHost}}};

    // The devices concerned (two for a group), each with the key it
    // registers with.
    QJsonObject record; // the enrollment or group as last written
    QStringList ids;
    QHash<QString, QString> keys;
    const auto enroll = [&]() {
        const auto created = group ? m_f.operatorClient->put(groupPath, fresh) : m_f.putEnrollment(name, fresh);
        if (created.status != 201)
            return false;
        record = created.json();
        const QString key = DeviceFixture::primaryKey(record);
        ids = group ? QStringList{name + QStringLiteral("-1"), name + QStringLiteral("-2")} : QStringList{name};
        for (const QString &id : std::as_const(ids))
            keys.insert(id, group ? Crypto::deriveKey(key, id).value() : key);
        return true;
    };
    QVERIFY(enroll());
    QHash<QString, QString> hubKeys;
    std::vector<std::unique_ptr<MqttTestClient>> clients;
    for (const QString &id : std::as_const(ids)) {
        const QJsonObject state = registerNow(id, keys.value(id));
        QCOMPARE(state.value(QStringLiteral("assignedHub")).toString(), kHubHost);
        hubKeys.insert(id, DeviceFixture::hubKey(state));
        clients.push_back(hubClient(kHubHost, id, hubKeys.value(id)));
        QCOMPARE(connectEventually(*clients.back(), m_port), 0);
    }

    // The change.
    QElapsedTimer timer;
    timer.start();
    HttpsClient::Reply reply;
    if (change == QLatin1String("disable")) {
        reply = m_f.operatorClient->post(enrollmentPath + QStringLiteral("/disable"), QJsonObject{});
    } else if (change == QLatin1String("delete")) {
        reply = m_f.operatorClient->del(enrollmentPath);
    } else if (change == QLatin1String("deleteRegistration")) {
        reply = m_f.operatorClient->del(QStringLiteral("/api/v1/registrations/") + name);
    } else if (change == QLatin1String("regenerateKeys")) {
        reply = m_f.operatorClient->post(enrollmentPath + QStringLiteral("/regenerate-keys"),
                                         QJsonObject{{QStringLiteral("key"), QStringLiteral("both")}});
    } else if (change == QLatin1String("disableGroup")) {
        record.insert(QStringLiteral("provisioningStatus"), QStringLiteral("disabled"));
        reply = m_f.operatorClient->put(groupPath, record);
    } else if (change == QLatin1String("deleteGroup")) {
        reply = m_f.operatorClient->del(groupPath);
    } else if (change == QLatin1String("move")) {
        record.insert(QStringLiteral("iotHubs"), QJsonArray{kHub2Host});
        reply = m_f.putEnrollment(name, record);
    }
    QVERIFY2(reply.status == 200 || reply.status == 204, reply.body.constData());
    if (reply.status == 200)
        record = reply.json();
    if (change == QLatin1String("move"))
        QCOMPARE(registerNow(name, keys.value(name)).value(QStringLiteral("assignedHub")).toString(), kHub2Host);

    // The broker ends every live connection and turns every new one away.
    for (auto &client : clients)
        QVERIFY2(client->waitForDisconnect(5000), qPrintable(QString::number(timer.elapsed())));
    qInfo("%s: disconnected after %lld ms", QTest::currentDataTag(), timer.elapsed());
    for (const QString &id : std::as_const(ids))
        QCOMPARE(hubClient(kHubHost, id, hubKeys.value(id))
                     ->connect(QStringLiteral("127.0.0.1"), m_port, m_f.mw->caCertificatePath()),
                 0x87);

    // What admits them again: enabling and registering again, or
    // registering again (with the new key where the old one is gone). The
    // hub keys they held stay retired either way.
    const QHash<QString, QString> oldHubKeys = hubKeys;
    if (change == QLatin1String("disable")) {
        QCOMPARE(m_f.operatorClient->post(enrollmentPath + QStringLiteral("/enable"), QJsonObject{}).status, 200);
    } else if (change == QLatin1String("disableGroup")) {
        record.insert(QStringLiteral("provisioningStatus"), QStringLiteral("enabled"));
        QCOMPARE(m_f.operatorClient->put(groupPath, record).status, 200);
    }
    {
        if (change == QLatin1String("regenerateKeys")) {
            // The old key registers no more, so the device stays cut off
            // until it has the new one.
            QCOMPARE(m_f.registerDevice(name, keys.value(name)).status, 401);
            QCOMPARE(hubClient(kHubHost, name, hubKeys.value(name))
                         ->connect(QStringLiteral("127.0.0.1"), m_port, m_f.mw->caCertificatePath()),
                     0x87);
            keys.insert(name, DeviceFixture::primaryKey(record));
        } else if (change == QLatin1String("delete") || change == QLatin1String("deleteGroup")) {
            QVERIFY(enroll());
        } else if (change == QLatin1String("move")) {
            record.insert(QStringLiteral("iotHubs"), QJsonArray{kHubHost});
            const auto back = m_f.putEnrollment(name, record);
            QVERIFY2(back.status == 200, back.body.constData());
        }
        for (const QString &id : std::as_const(ids)) {
            const QJsonObject state = registerNow(id, keys.value(id));
            QCOMPARE(state.value(QStringLiteral("status")).toString(), QStringLiteral("assigned"));
            QCOMPARE(state.value(QStringLiteral("assignedHub")).toString(), kHubHost);
            hubKeys.insert(id, DeviceFixture::hubKey(state));
            QVERIFY(hubKeys.value(id) != oldHubKeys.value(id));
        }
    }
    for (const QString &id : std::as_const(ids)) {
        auto again = hubClient(kHubHost, id, hubKeys.value(id));
        QCOMPARE(connectEventually(*again, m_port), 0);
    }
    QTRY_COMPARE_WITH_TIMEOUT(hubStatus().value(QStringLiteral("pendingRevocations")).toInt(), 0, 10000);
    for (const QString &id : std::as_const(ids)) {
        QCOMPARE(hubClient(kHubHost, id, oldHubKeys.value(id))
                     ->connect(QStringLiteral("127.0.0.1"), m_port, m_f.mw->caCertificatePath()),
                 0x87);
    }
}

// Revoked devices that register again at the same time are stored by one
// group commit and their events published as one batch, whose revocations
// are read once for all of them: every one of them is admitted again, and
// none before its registration.
void TestHubLink::revokedDevicesRegisteringTogetherAreRestored()
{
    QTRY_VERIFY_WITH_TIMEOUT(hubStatus().value(QStringLiteral("connected")).toBool(), 30000);
    const QString groupPath = QStringLiteral("/api/v1/enrollment-groups/together-r");
    const QJsonObject fresh{
        {QStringLiteral("attestation"), QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}},
        {QStringLiteral("iotHubs"), QJsonArray{kHubHost}}};
    auto created = m_f.operatorClient->put(groupPath, fresh);
    QVERIFY2(created.status == 201, created.body.constData());
    QStringList ids;
    for (int i = 1; i <= 6; ++i)
        ids << QStringLiteral("together-r-%1").arg(i);
    QHash<QString, QString> oldHubKeys;
    for (const QString &id : std::as_const(ids)) {
        const QJsonObject state =
            registerNow(id, Crypto::deriveKey(DeviceFixture::primaryKey(created.json()), id).value());
        QCOMPARE(state.value(QStringLiteral("assignedHub")).toString(), kHubHost);
        oldHubKeys.insert(id, DeviceFixture::hubKey(state));
    }

    // Deleting the group revokes all six on the hub.
    QCOMPARE(m_f.operatorClient->del(groupPath).status, 204);
    QTRY_COMPARE_WITH_TIMEOUT(hubStatus().value(QStringLiteral("pendingRevocations")).toInt(), 0, 10000);
    for (const QString &id : std::as_const(ids))
        QCOMPARE(hubClient(kHubHost, id, oldHubKeys.value(id))
                     ->connect(QStringLiteral("127.0.0.1"), m_port, m_f.mw->caCertificatePath()),
                 0x87);

    // The group again, with a new key; all six register at once.
    created = m_f.operatorClient->put(groupPath, fresh);
    QVERIFY2(created.status == 201, created.body.constData());
    const QString groupKey = DeviceFixture::primaryKey(created.json());
    QNetworkAccessManager nam;
    const auto replies = registerTogether(
        m_f, nam, ids, [&groupKey](const QString &id) { return Crypto::deriveKey(groupKey, id).value(); });
    for (const auto &reply : replies)
        QVERIFY(reply->isFinished());
    QHash<QString, QString> hubKeys;
    for (size_t i = 0; i < replies.size(); ++i) {
        QCOMPARE(replies[i]->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 202);
        const QJsonObject state = DeviceFixture::state(QJsonDocument::fromJson(replies[i]->readAll()).object());
        QCOMPARE(state.value(QStringLiteral("status")).toString(), QStringLiteral("assigned"));
        hubKeys.insert(ids.at(qsizetype(i)), DeviceFixture::hubKey(state));
    }
    for (const QString &id : std::as_const(ids)) {
        QVERIFY(hubKeys.value(id) != oldHubKeys.value(id));
        auto again = hubClient(kHubHost, id, hubKeys.value(id));
        QCOMPARE(connectEventually(*again, m_port), 0);
    }
    QTRY_COMPARE_WITH_TIMEOUT(hubStatus().value(QStringLiteral("pendingRevocations")).toInt(), 0, 10000);
}

void TestHubLink::oldHubKeyIsRefusedAfterRotation_data()
{
    // Every way a device's hub key is retired. A stolen copy of the old key
    // must be refused within a second, and stay refused once the device is
    // admitted again with the key its next registration hands it.
    QTest::addColumn<QString>("change");
    QTest::newRow("keys regenerated") << QStringLiteral("regenerateKeys");
    QTest::newRow("enrollment deleted and created again") << QStringLiteral("recreate");
    QTest::newRow("disabled then enabled") << QStringLiteral("disableEnable");
    QTest::newRow("device hub key rotated") << QStringLiteral("rotateDevice");
    QTest::newRow("group hub keys rotated") << QStringLiteral("rotateGroup");
}

void TestHubLink::oldHubKeyIsRefusedAfterRotation()
{
    QFETCH(QString, change);
    QTRY_VERIFY_WITH_TIMEOUT(hubStatus().value(QStringLiteral("connected")).toBool(), 30000);
    const bool group = change == QLatin1String("rotateGroup");
    const QString name = QStringLiteral("rot-") + QString::fromLatin1(QTest::currentDataTag()).replace(u' ', u'-');
    const QString enrollmentPath = QStringLiteral("/api/v1/enrollments/") + name;
    const QString groupPath = QStringLiteral("/api/v1/enrollment-groups/") + name;
    const QJsonObject fresh{
        {QStringLiteral("attestation"), QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}},
        {QStringLiteral("iotHubs"), QJsonArray{kHubHost}}};
    const QStringList ids =
        group ? QStringList{name + QStringLiteral("-1"), name + QStringLiteral("-2")} : QStringList{name};
    QHash<QString, QString> keys; // what each device registers with
    const auto enroll = [&]() {
        const auto created = group ? m_f.operatorClient->put(groupPath, fresh) : m_f.putEnrollment(name, fresh);
        if (created.status != 201)
            return false;
        const QString key = DeviceFixture::primaryKey(created.json());
        for (const QString &id : ids)
            keys.insert(id, group ? Crypto::deriveKey(key, id).value() : key);
        return true;
    };
    QVERIFY(enroll());
    QHash<QString, QString> oldHubKeys;
    std::vector<std::unique_ptr<MqttTestClient>> clients;
    for (const QString &id : ids) {
        const QJsonObject state = registerNow(id, keys.value(id));
        QCOMPARE(state.value(QStringLiteral("assignedHub")).toString(), kHubHost);
        oldHubKeys.insert(id, DeviceFixture::hubKey(state));
        clients.push_back(hubClient(kHubHost, id, oldHubKeys.value(id)));
        QCOMPARE(connectEventually(*clients.back(), m_port), 0);
    }

    QElapsedTimer timer;
    timer.start();
    HttpsClient::Reply reply;
    if (change == QLatin1String("regenerateKeys")) {
        reply = m_f.operatorClient->post(enrollmentPath + QStringLiteral("/regenerate-keys"),
                                         QJsonObject{{QStringLiteral("key"), QStringLiteral("both")}});
        keys.insert(name, DeviceFixture::primaryKey(m_f.operatorClient->get(enrollmentPath).json()));
    } else if (change == QLatin1String("recreate")) {
        reply = m_f.operatorClient->del(enrollmentPath);
        QCOMPARE(reply.status, 204);
        QVERIFY(enroll());
    } else if (change == QLatin1String("disableEnable")) {
        QCOMPARE(m_f.operatorClient->post(enrollmentPath + QStringLiteral("/disable"), QJsonObject{}).status, 200);
        reply = m_f.operatorClient->post(enrollmentPath + QStringLiteral("/enable"), QJsonObject{});
    } else if (change == QLatin1String("rotateDevice")) {
        reply = m_f.operatorClient->post(QStringLiteral("/api/v1/registrations/%1/rotate-hub-key").arg(name),
                                         QJsonObject{});
        QCOMPARE(reply.json().value(QStringLiteral("hubCredentialGeneration")).toInt(), 1);
    } else if (change == QLatin1String("rotateGroup")) {
        reply = m_f.operatorClient->post(groupPath + QStringLiteral("/rotate-hub-keys"), QJsonObject{});
        QCOMPARE(reply.json().value(QStringLiteral("devicesRotated")).toInt(), 2);
    }
    QVERIFY2(reply.status == 200 || reply.status == 204, reply.body.constData());

    // Within a second the live connections end and the old key is refused.
    for (auto &client : clients)
        QVERIFY2(client->waitForDisconnect(1000), qPrintable(QString::number(timer.elapsed())));
    for (const QString &id : ids) {
        QCOMPARE(hubClient(kHubHost, id, oldHubKeys.value(id))
                     ->connect(QStringLiteral("127.0.0.1"), m_port, m_f.mw->caCertificatePath()),
                 0x87);
    }
    QVERIFY2(timer.elapsed() < 1000, qPrintable(QString::number(timer.elapsed())));
    qInfo("%s: old hub key out after %lld ms", QTest::currentDataTag(), timer.elapsed());

    // Registering again hands out a new key, which works; the old one stays out.
    for (const QString &id : ids) {
        const QJsonObject state = registerNow(id, keys.value(id));
        QCOMPARE(state.value(QStringLiteral("status")).toString(), QStringLiteral("assigned"));
        const QString newKey = DeviceFixture::hubKey(state);
        QVERIFY(!newKey.isEmpty());
        QVERIFY(newKey != oldHubKeys.value(id));
        auto again = hubClient(kHubHost, id, newKey);
        QCOMPARE(connectEventually(*again, m_port), 0);
    }
    QTRY_COMPARE_WITH_TIMEOUT(hubStatus().value(QStringLiteral("pendingRevocations")).toInt(), 0, 10000);
    for (const QString &id : ids) {
        QCOMPARE(hubClient(kHubHost, id, oldHubKeys.value(id))
                     ->connect(QStringLiteral("127.0.0.1"), m_port, m_f.mw->caCertificatePath()),
                 0x87);
    }
    // Audited (the typed event is what the feed and webhooks carry; the
    // feed of this test was closed by an earlier one).
    if (change.startsWith(QLatin1String("rotate"))) {
        const QString query = group ? QStringLiteral("entityType=enrollmentGroup&action=rotateHubKeys")
                                    : QStringLiteral("entityType=registration&action=rotateHubKey");
        const QJsonArray entries =
            m_f.viewer->get(QStringLiteral("/api/v1/audit?") + query + QStringLiteral("&entityId=") + name)
                .json()
                .value(QStringLiteral("items"))
                .toArray();
        QCOMPARE(entries.size(), 1);
        QVERIFY(entries.at(0).toObject().value(QStringLiteral("actor")).toString().startsWith(u"token:"));
    }
}

void TestHubLink::hubKeyRotationNeedsAnOperatorAndAHub_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("who");
    QTest::addColumn<int>("status");
    QTest::newRow("viewer may not rotate a device")
        << QStringLiteral("/api/v1/registrations/kiosk-1/rotate-hub-key") << QStringLiteral("viewer") << 403;
    QTest::newRow("viewer may not rotate a group")
        << QStringLiteral("/api/v1/enrollment-groups/line-x/rotate-hub-keys") << QStringLiteral("viewer") << 403;
    QTest::newRow("unknown registration")
        << QStringLiteral("/api/v1/registrations/nobody-here/rotate-hub-key") << QStringLiteral("operator") << 404;
    QTest::newRow("unknown group") << QStringLiteral("/api/v1/enrollment-groups/no-such-group/rotate-hub-keys")
                                   << QStringLiteral("operator") << 404;
}

void TestHubLink::hubKeyRotationNeedsAnOperatorAndAHub()
{
    QFETCH(QString, path);
    QFETCH(QString, who);
    QFETCH(int, status);
    HttpsClient &client = who == QLatin1String("viewer") ? *m_f.viewer : *m_f.operatorClient;
    const auto reply = client.post(path, QJsonObject{});
    QVERIFY2(reply.status == status, reply.body.constData());
}

void TestHubLink::hubSigningKeyRotation_data()
{
    QTest::addColumn<int>("overlapSeconds");
    QTest::newRow("overlap of 3 s") << 3;
    QTest::newRow("hard cut (overlap 0)") << 0;
}

// An admin rotates hub3's signing key. With an overlap, hub keys of the
// replaced key keep working until its end and are refused within a second
// after it (and a device still connected on one is disconnected then);
// with overlap 0 they are refused at once. Registrations answered after the
// rotation carry keys of the new key. The middleware's own link hands the
// hub its new keys and moves over to them: telemetry a device published
// across the rotation, and after the end of the overlap, is all stored.
void TestHubLink::hubSigningKeyRotation()
{
    QFETCH(int, overlapSeconds);
    linkHub3();
    if (QTest::currentTestFailed())
        return;
    const auto explain = qScopeGuard([this] {
        if (QTest::currentTestFailed())
            qWarning().noquote() << "hub3 log:\n"
                                 << m_broker3.log().right(8000) << "\nmiddleware log:\n"
                                 << m_f.mw->drainLog().right(8000);
    });
    const QString tag = overlapSeconds > 0 ? QStringLiteral("overlap") : QStringLiteral("cut");
    const QString deviceId = QStringLiteral("rot-") + tag;
    const QString streamerId = QStringLiteral("rot-stream-") + tag;
    QString deviceEnrollmentKey;
    QString streamerEnrollmentKey;
    const QString oldKey = registeredOnHub3(deviceId, &deviceEnrollmentKey);
    const QString streamerKey = registeredOnHub3(streamerId, &streamerEnrollmentKey);
    QVERIFY(!oldKey.isEmpty() && !streamerKey.isEmpty());

    // A device streams telemetry (QoS 1) across the whole rotation; every
    // message the hub acknowledged must end up stored.
    std::unique_ptr<MqttTestClient> streamer = hubClient(kHub3Host, streamerId, streamerKey);
    QCOMPARE(connectEventually(*streamer, m_port3), 0);
    QList<int> acknowledged;
    // With an overlap the streamer's key stays good until its end, and the
    // link moves over to the new key make-before-break: the hub must not
    // hold the streamer back (or answer "no subscribers") meanwhile.
    bool mustFlow = overlapSeconds > 0;
    QStringList notAcknowledged;
    int next = 0;
    const QString topic = QStringLiteral("devices/%1/messages/events/").arg(streamerId);
    const auto stream = [&](int count) {
        for (int i = 0; i < count; ++i, ++next) {
            const int reason = streamer && streamer->isConnected()
                                   ? streamer->publish(topic, compact(QJsonObject{{QStringLiteral("n"), next}}))
                                   : -1;
            if (reason == 0)
                acknowledged << next;
            else if (mustFlow)
                notAcknowledged << QStringLiteral("%1: %2").arg(next).arg(reason);
        }
    };
    const auto hub3Status = [this] { return m_f.viewer->get(QStringLiteral("/api/v1/hubs/hub3/status")).json(); };
    const QString linkSession = hub3Status().value(QStringLiteral("clientId")).toString();
    QVERIFY(linkSession.startsWith(QLatin1String("provisio-mw-")));
    const auto heldBack = [this] { return int(m_broker3.log().count(QStringLiteral("holding devices back"))); };
    const int heldBackBefore = heldBack();
    stream(10);

    const auto rotated = m_f.admin->post(QStringLiteral("/api/v1/hubs/hub3/rotate-key"),
                                         QJsonObject{{QStringLiteral("overlapSeconds"), overlapSeconds}});
    QElapsedTimer sinceRotation;
    sinceRotation.start();
    QVERIFY2(rotated.status == 200, rotated.body.constData());
    const QString newSigningKey = rotated.json().value(QStringLiteral("signingKey")).toString();
    QVERIFY(!newSigningKey.isEmpty());
    const QDateTime until = QDateTime::fromString(
        rotated.json().value(QStringLiteral("previousKeyAcceptedUntil")).toString(), Qt::ISODateWithMs);
    QVERIFY(until.isValid());
    QVERIFY(qAbs(QDateTime::currentDateTimeUtc().secsTo(until) - overlapSeconds) <= 1);

    // The hub hears of its new key over the middleware's link.
    const QString keyFile = QDir(m_work.filePath(QStringLiteral("hub3"))).filePath(QStringLiteral("signing-keys.json"));
    const auto hubHoldsNewKey = [&] {
        QFile f(keyFile);
        return f.open(QIODevice::ReadOnly) &&
               QJsonDocument::fromJson(f.readAll()).object().value(QStringLiteral("signingKey")).toString() ==
                   newSigningKey;
    };
    // A fresh login with the device's old hub key (same client id: each
    // probe takes the previous probe's place).
    const auto oldKeyConnects = [&] {
        auto c = hubClient(kHub3Host, deviceId, oldKey);
        return c->connect(QStringLiteral("127.0.0.1"), m_port3, m_f.mw->caCertificatePath()) == 0;
    };
    if (overlapSeconds == 0) {
        // Refused at once: within a second of the rotation's answer.
        QElapsedTimer probing;
        probing.start();
        while (oldKeyConnects() && probing.elapsed() < 3000)
            QTest::qWait(20);
        QVERIFY2(sinceRotation.elapsed() < 1000, qPrintable(QString::number(sinceRotation.elapsed())));
        QVERIFY(hubHoldsNewKey());
        // And the device that was on it is disconnected.
        QVERIFY(streamer->waitForDisconnect(2500));
    } else {
        QTRY_VERIFY_WITH_TIMEOUT(hubHoldsNewKey(), 5000);
        // Both keys work during the overlap.
        QVERIFY(oldKeyConnects());
        stream(10);
    }

    // A registration answered now carries a key of the new signing key.
    const QString newKey = registeredOnHub3(deviceId, &deviceEnrollmentKey);
    QVERIFY(!newKey.isEmpty());
    QVERIFY(newKey != oldKey);

    if (overlapSeconds > 0) {
        // Telemetry goes on while the overlap runs out.
        while (QDateTime::currentDateTimeUtc() < until.addMSecs(-400)) {
            stream(1);
            QTest::qWait(50);
        }
        QVERIFY2(oldKeyConnects(), "the old key must still work just before the end of the overlap");
        QVERIFY(streamer->isConnected());
        // The link is on its other session, logged in with the new key,
        // and never held the streamer back on the way.
        mustFlow = false;
        QVERIFY2(notAcknowledged.isEmpty(), qPrintable(notAcknowledged.join(QStringLiteral(", "))));
        QCOMPARE(heldBack(), heldBackBefore);
        QVERIFY(hub3Status().value(QStringLiteral("connected")).toBool());
        QCOMPARE(hub3Status().value(QStringLiteral("clientId")).toString(), linkSession.endsWith(QLatin1String("~b"))
                                                                                ? linkSession.chopped(2)
                                                                                : linkSession + QStringLiteral("~b"));
        while (QDateTime::currentDateTimeUtc() < until)
            QTest::qWait(10);
        QElapsedTimer afterDeadline;
        afterDeadline.start();
        while (oldKeyConnects() && afterDeadline.elapsed() < 3000)
            QTest::qWait(20);
        QVERIFY2(afterDeadline.elapsed() < 1000, qPrintable(QString::number(afterDeadline.elapsed())));
        // A device still connected on the old key is disconnected too.
        QVERIFY(streamer->waitForDisconnect(3000));
    }
    auto onNewKey = hubClient(kHub3Host, deviceId, newKey);
    QCOMPARE(connectEventually(*onNewKey, m_port3), 0);

    // The streamer was on the old key: it is off now, as a device of
    // Provisio it registers again and goes on with the key it is handed.
    const QString streamerNewKey = registeredOnHub3(streamerId, &streamerEnrollmentKey);
    QVERIFY(!streamerNewKey.isEmpty());
    streamer = hubClient(kHub3Host, streamerId, streamerNewKey);
    QCOMPARE(connectEventually(*streamer, m_port3), 0);
    stream(10);

    // The link is on the new key (the old one is refused by now) and lost
    // nothing the hub acknowledged before, during or after the rotation.
    QTRY_VERIFY_WITH_TIMEOUT(listedLink(QStringLiteral("hub3")).value(QStringLiteral("connected")).toBool(), 10000);
    QVERIFY(acknowledged.size() >= 20);
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            const QList<int> stored = storedSequence(streamerId);
            return std::all_of(acknowledged.cbegin(), acknowledged.cend(), [&](int n) { return stored.contains(n); });
        }(),
        15000);
    // Once each: no message (acknowledged or not) stored twice.
    QList<int> stored = storedSequence(streamerId);
    std::sort(stored.begin(), stored.end());
    QVERIFY2(std::adjacent_find(stored.cbegin(), stored.cend()) == stored.cend(),
             qPrintable(QStringLiteral("stored twice: %1").arg(*std::adjacent_find(stored.cbegin(), stored.cend()))));
}

void TestHubLink::hubSigningKeyRotationRequests_data()
{
    QTest::addColumn<QString>("who");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("message");
    QTest::newRow("operator") << QStringLiteral("operator") << QByteArray("{}") << 403 << QString();
    QTest::newRow("negative overlap") << QStringLiteral("admin") << QByteArray("{\"overlapSeconds\":-1}") << 400
                                      << QStringLiteral("overlapSeconds");
    QTest::newRow("overlap beyond 30 days") << QStringLiteral("admin") << QByteArray("{\"overlapSeconds\":2592001}")
                                            << 400 << QStringLiteral("overlapSeconds");
    QTest::newRow("overlap as text") << QStringLiteral("admin") << QByteArray("{\"overlapSeconds\":\"1h\"}") << 400
                                     << QStringLiteral("overlapSeconds");
    QTest::newRow("unknown field") << QStringLiteral("admin") << QByteArray("{\"overlap\":5}") << 400
                                   << QStringLiteral("overlap");
}

// A bad rotation request changes nothing: the key and the hub's etag stay.
void TestHubLink::hubSigningKeyRotationRequests()
{
    QFETCH(QString, who);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, message);
    linkHub3();
    if (QTest::currentTestFailed())
        return;
    const QJsonObject before = m_f.admin->get(QStringLiteral("/api/v1/hubs/hub3")).json();
    HttpsClient &client = who == QLatin1String("admin") ? *m_f.admin : *m_f.operatorClient;
    const auto reply = client.send("POST", QStringLiteral("/api/v1/hubs/hub3/rotate-key"), body);
    QVERIFY2(reply.status == status, reply.body.constData());
    if (!message.isEmpty())
        QVERIFY2(QString::fromUtf8(reply.body).contains(message), reply.body.constData());
    QCOMPARE(m_f.admin->get(QStringLiteral("/api/v1/hubs/hub3")).json(), before);
}

QList<int> TestHubLink::storedSequence(const QString &deviceId)
{
    const QJsonObject history =
        m_f.viewer->get(QStringLiteral("/api/v1/devices/%1/telemetry?limit=500").arg(deviceId)).json();
    QList<int> out;
    for (const QJsonValue &m : history.value(QStringLiteral("messages")).toArray())
        out << m.toObject().value(QStringLiteral("body")).toObject().value(QStringLiteral("n")).toInt(-1);
    return out;
}

std::unique_ptr<MqttTestClient> TestHubLink::connectedDevice(const QString &id, QString *hubKeyOut)
{
    // On hub1, whichever hubs are linked by now.
    const auto enrolled =
        m_f.putEnrollment(id, QJsonObject{{QStringLiteral("attestation"),
                                           QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}},
                                          {QStringLiteral("iotHubs"), QJsonArray{kHubHost}}});
    if (enrolled.status != 201)
        return nullptr;
    const QString key = DeviceFixture::primaryKey(enrolled.json());
    QJsonObject op = m_f.registerDevice(id, key).json();
    if (op.value(QStringLiteral("status")).toString() == QLatin1String("assigning"))
        op = m_f.waitForOperation(id, key, op.value(QStringLiteral("operationId")).toString());
    const QJsonObject state = DeviceFixture::state(op);
    if (state.value(QStringLiteral("assignedHub")).toString() != kHubHost)
        return nullptr;
    const QString hubKey = DeviceFixture::hubKey(state);
    if (hubKeyOut)
        *hubKeyOut = hubKey;
    auto device = hubClient(kHubHost, id, hubKey);
    if (connectEventually(*device, m_port) != 0)
        return nullptr;
    return device;
}

void TestHubLink::telemetryAfterReRegistrationIsStored()
{
    // The back office deletes a registration: the hub revokes the device;
    // the device registers again (with the same enrollment), is let back in,
    // and what it sends from then on is stored under its id again.
    QTRY_VERIFY_WITH_TIMEOUT(hubStatus().value(QStringLiteral("connected")).toBool(), 30000);
    const QString id = QStringLiteral("kiosk-again");
    const auto enrolled =
        m_f.putEnrollment(id, QJsonObject{{QStringLiteral("attestation"),
                                           QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}},
                                          {QStringLiteral("iotHubs"), QJsonArray{kHubHost}}});
    QCOMPARE(enrolled.status, 201);
    const QString key = DeviceFixture::primaryKey(enrolled.json());
    QJsonObject firstOp = m_f.registerDevice(id, key).json();
    if (firstOp.value(QStringLiteral("status")).toString() == QLatin1String("assigning"))
        firstOp = m_f.waitForOperation(id, key, firstOp.value(QStringLiteral("operationId")).toString());
    const QJsonObject first = DeviceFixture::state(firstOp);
    QCOMPARE(first.value(QStringLiteral("assignedHub")).toString(), kHubHost);
    auto device = hubClient(kHubHost, id, DeviceFixture::hubKey(first));
    QCOMPARE(connectEventually(*device, m_port), 0);
    const QString topic = MqttTopic::telemetryTopic(id);
    const auto body = [](int n) { return compact(QJsonObject{{QStringLiteral("n"), n}}); };
    QCOMPARE(device->publish(topic, body(0)), 0);
    QTRY_COMPARE_WITH_TIMEOUT(storedSequence(id), QList<int>{0}, 10000);

    const auto deleted = m_f.operatorClient->del(QStringLiteral("/api/v1/registrations/%1").arg(id));
    QVERIFY2(deleted.status == 204, deleted.body.constData());
    // What the device sends until the hub cuts it off has no registration
    // to be stored under (and is not).
    device->publish(topic, body(-1));
    QVERIFY(device->waitForDisconnect(5000));
    QVERIFY(connectEventually(*device, m_port, 500) != 0);

    const auto reg = m_f.registerDevice(id, key);
    QJsonObject op = reg.json();
    if (op.value(QStringLiteral("status")).toString() == QLatin1String("assigning"))
        op = m_f.waitForOperation(id, key, op.value(QStringLiteral("operationId")).toString());
    const QJsonObject second = DeviceFixture::state(op);
    QCOMPARE(second.value(QStringLiteral("status")).toString(), QStringLiteral("assigned"));
    auto again = hubClient(kHubHost, id, DeviceFixture::hubKey(second));
    QCOMPARE(connectEventually(*again, m_port), 0);
    QList<int> expected{0};
    for (int n = 1; n <= 3; ++n) {
        QCOMPARE(again->publish(topic, body(n)), 0);
        expected.prepend(n);
    }
    QTRY_COMPARE_WITH_TIMEOUT(storedSequence(id), expected, 10000);
}

void TestHubLink::telemetryWhileTheMiddlewareIsDownArrives()
{
    // The hub acknowledges a device's message whether or not the middleware
    // is connected; the middleware's persistent session on the hub holds
    // what arrives meanwhile, and the restarted instance resumes it.
    const auto explain = hubLogOnFailure();
    QTRY_VERIFY_WITH_TIMEOUT(hubStatus().value(QStringLiteral("connected")).toBool(), 30000);
    const QString clientId = hubStatus().value(QStringLiteral("clientId")).toString();
    QVERIFY(clientId.startsWith(QLatin1String("provisio-mw-")));
    const QString id = QStringLiteral("kiosk-persist");
    auto device = connectedDevice(id);
    QVERIFY(device);
    const QString topic = MqttTopic::telemetryTopic(id);
    const auto body = [](int n) { return compact(QJsonObject{{QStringLiteral("n"), n}}); };
    QCOMPARE(device->publish(topic, body(0)), 0);
    QTRY_COMPARE_WITH_TIMEOUT(storedSequence(id), QList<int>{0}, 10000);

    const qint64 pid = middlewarePid(m_f.mw->dataDir());
    QVERIFY(pid > 0);
    QCOMPARE(::kill(pid_t(pid), SIGKILL), 0);
    m_f.mw->stop();
    QCOMPARE(m_f.mw->exitStatus(), QProcess::CrashExit);

    constexpr int kWhileDown = 20;
    QList<int> expected{0};
    for (int n = 1; n <= kWhileDown; ++n) {
        // 0, not 0x10 (no matching subscribers): the session is there.
        QCOMPARE(device->publish(topic, body(n)), 0);
        expected.prepend(n);
    }

    QVERIFY2(m_f.mw->start(), qPrintable(m_f.mw->lastError()));
    m_f.reconnect();
    QTRY_VERIFY_WITH_TIMEOUT(hubStatus().value(QStringLiteral("connected")).toBool(), 30000);
    QCOMPARE(hubStatus().value(QStringLiteral("clientId")).toString(), clientId);
    QTRY_COMPARE_WITH_TIMEOUT(storedSequence(id), expected, 10000);
    // And it keeps flowing.
    QCOMPARE(device->publish(topic, body(kWhileDown + 1)), 0);
    expected.prepend(kWhileDown + 1);
    QTRY_COMPARE_WITH_TIMEOUT(storedSequence(id), expected, 10000);
}

void TestHubLink::killedOnItsSecondSessionLosesNothing()
{
    // Renewals move the instance between its two client ids. Killed -9
    // while it reads through the second one, that session keeps the shared
    // subscriptions and the hub queues the instance's share there; the
    // restarted instance logs in under its first id and drains the second
    // session (no survivor needed): everything arrives, once.
    const auto explain = hubLogOnFailure();
    QVERIFY(restartWithTokenLifetime("6"));
    const QString clientId = hubStatus().value(QStringLiteral("clientId")).toString();
    QVERIFY(clientId.startsWith(QLatin1String("provisio-mw-")) && !clientId.endsWith(QLatin1String("~b")));
    const QString id = QStringLiteral("kiosk-second");
    auto device = connectedDevice(id);
    QVERIFY(device);
    const QString topic = MqttTopic::telemetryTopic(id);
    const auto body = [](int n) { return compact(QJsonObject{{QStringLiteral("n"), n}}); };
    QCOMPARE(device->publish(topic, body(0)), 0);
    QTRY_COMPARE_WITH_TIMEOUT(storedSequence(id), QList<int>{0}, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(hubStatus().value(QStringLiteral("clientId")).toString(), clientId + QStringLiteral("~b"),
                              15000);

    const qint64 pid = middlewarePid(m_f.mw->dataDir());
    QVERIFY(pid > 0);
    QCOMPARE(::kill(pid_t(pid), SIGKILL), 0);
    m_f.mw->stop();
    QList<int> expected{0};
    for (int n = 1; n <= 20; ++n) {
        // 0, not 0x10 (no matching subscribers): the second session holds them.
        QCOMPARE(device->publish(topic, body(n)), 0);
        expected.prepend(n);
    }
    QVERIFY2(m_f.mw->start(), qPrintable(m_f.mw->lastError()));
    m_f.reconnect();
    QTRY_VERIFY_WITH_TIMEOUT(hubStatus().value(QStringLiteral("connected")).toBool(), 30000);
    QCOMPARE(hubStatus().value(QStringLiteral("clientId")).toString(), clientId);
    QTRY_COMPARE_WITH_TIMEOUT(storedSequence(id), expected, 15000);
    // And it keeps flowing through the first session.
    QCOMPARE(device->publish(topic, body(21)), 0);
    expected.prepend(21);
    QTRY_COMPARE_WITH_TIMEOUT(storedSequence(id), expected, 10000);
}

void TestHubLink::tokenRenewalLosesNothing()
{
    // A short service token, so that it is renewed (at 3/4 of 6 s) twice
    // within the test. Renewals are make-before-break: the link logs in
    // under the instance's other client id and subscribes before it lets
    // the previous session go, so a device streaming meanwhile is never
    // held back (every publish acknowledged at once, never "no
    // subscribers"), the API reports the link up since the same moment,
    // and every message is stored exactly once.
    // (Also a graceful restart: SIGTERM, and the same session again.)
    const auto explain = hubLogOnFailure();
    QVERIFY(restartWithTokenLifetime("6"));
    // The instance id the data directory keeps names the session.
    QFile instance(QDir(m_f.mw->dataDir()).filePath(QStringLiteral("instance-id")));
    QVERIFY(instance.open(QIODevice::ReadOnly));
    const QString clientId = QStringLiteral("provisio-mw-") + QString::fromLatin1(instance.readAll().trimmed());
    const QString partnerId = clientId + QStringLiteral("~b");
    QCOMPARE(hubStatus().value(QStringLiteral("clientId")).toString(), clientId);
    const QString since = hubStatus().value(QStringLiteral("since")).toString();

    const QString id = QStringLiteral("kiosk-renew");
    auto device = connectedDevice(id);
    QVERIFY(device);
    const QString topic = MqttTopic::telemetryTopic(id);
    const auto logins = [this](const QString &who) {
        return int(m_broker.log().count(QStringLiteral(" as ") + who + QLatin1Char(' ')));
    };
    const auto heldBack = [this] { return int(m_broker.log().count(QStringLiteral("holding devices back"))); };
    const int heldBackBefore = heldBack();
    const int partnerLoginsBefore = logins(partnerId);
    const int loginsBefore = logins(clientId);

    // Two renewals, over to the partner id and back, and 2 s more while the
    // partner's session is drained and ended.
    QList<int> expected;
    QStringList clientIds{clientId};
    QElapsedTimer timer;
    timer.start();
    qint64 backAt = 0;
    for (int n = 0; timer.elapsed() < 20000 && (backAt == 0 || timer.elapsed() < backAt + 2000); ++n) {
        const int reason = device->publish(topic, compact(QJsonObject{{QStringLiteral("n"), n}}));
        QVERIFY2(
            reason == 0,
            qPrintable(QStringLiteral("message %1 answered %2 after %3 ms").arg(n).arg(reason).arg(timer.elapsed())));
        expected.prepend(n);
        device->pump(50);
        const QJsonObject status = hubStatus();
        QVERIFY2(status.value(QStringLiteral("connected")).toBool(), qPrintable(QString::number(timer.elapsed())));
        QCOMPARE(status.value(QStringLiteral("since")).toString(), since);
        const QString now = status.value(QStringLiteral("clientId")).toString();
        if (now != clientIds.last()) {
            clientIds << now;
            if (clientIds.size() == 3)
                backAt = timer.elapsed();
        }
    }
    QCOMPARE(clientIds, (QStringList{clientId, partnerId, clientId}));
    QVERIFY(device->isConnected());
    QCOMPARE(heldBack(), heldBackBefore);
    QTRY_COMPARE_WITH_TIMEOUT(storedSequence(id), expected, 10000);
    qInfo("%lld messages across two make-before-break renewals in %lld ms (%d logins as %s, %d as the partner)",
          qint64(expected.size()), timer.elapsed(), logins(clientId) - loginsBefore, qPrintable(clientId),
          logins(partnerId) - partnerLoginsBefore);
}

QTEST_GUILESS_MAIN(TestHubLink)
namespace {
QByteArray nested(int depth, char open, const QByteArray &inner = "1")
{
    const char close = open == '[' ? ']' : '}';
    QByteArray out;
    for (int i = 0; i < depth; ++i)
        out += open == '[' ? QByteArray("[") : QByteArray("{\"a\":");
    out += inner;
    out += QByteArray(depth, close);
    return out;
}
QByteArray manyMembers(int n)
{
    QByteArray out("{");
    for (int i = 0; i < n; ++i)
        out += (i ? "," : "") + QByteArray("\"m") + QByteArray::number(i) + "\":1";
    return out + '}';
}
} // namespace

void TestHubLink::hostileDocumentsAreRefused_data()
{
    QTest::addColumn<QString>("path"); // "mqtt" for the device's reported properties
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("reason"); // the metrics reason (mqtt) or part of the 400's message
    const QByteArray deepArrays = nested(1100, '[');
    const QByteArray deepObjects = nested(1100, '{');
    const QByteArray eleven = nested(11, '{');
    const QByteArray bigString = '"' + QByteArray(5000, 'x') + '"';
    const QString twin = QStringLiteral("/api/v1/devices/%1/twin");
    QTest::newRow("reported 1100 arrays")
        << QStringLiteral("mqtt") << "{\"x\":" + deepArrays + "}" << QByteArray("depth");
    QTest::newRow("reported 1100 objects") << QStringLiteral("mqtt") << deepObjects << QByteArray("depth");
    QTest::newRow("reported 11 levels") << QStringLiteral("mqtt") << eleven << QByteArray("depth");
    QTest::newRow("reported 1001 members") << QStringLiteral("mqtt") << manyMembers(1001) << QByteArray("members");
    QTest::newRow("reported long string")
        << QStringLiteral("mqtt") << "{\"s\":" + bigString + "}" << QByteArray("string");
    QTest::newRow("desired 1100 arrays") << twin << "{\"desired\":{\"x\":" + deepArrays + "}}"
                                         << QByteArray("deeper than 32");
    QTest::newRow("desired 11 levels") << twin << "{\"desired\":" + eleven + "}" << QByteArray("deeper than 10");
    QTest::newRow("tags 1100 objects") << twin << "{\"tags\":" + deepObjects + "}" << QByteArray("deeper than 32");
    QTest::newRow("desired long string") << twin << "{\"desired\":{\"s\":" + bigString + "}}"
                                         << QByteArray("longer than 4096");
    QTest::newRow("body 12k members") << twin << "{\"desired\":" + manyMembers(12000) + "}"
                                      << QByteArray("10000 members");
    QTest::newRow("enrollment initialTwin deep")
        << QStringLiteral("/api/v1/enrollments/hostile-1")
        << "{\"attestation\":{\"type\":\"symmetricKey\"},\"initialTwin\":{\"tags\":" + eleven + "}}"
        << QByteArray("initialTwin.tags nests deeper than 10");
    QTest::newRow("enrollment body 1100 arrays")
        << QStringLiteral("/api/v1/enrollments/hostile-1")
        << "{\"attestation\":{\"type\":\"symmetricKey\"},\"x\":" + deepArrays + "}" << QByteArray("deeper than 32");
    QTest::newRow("group initialTwin deep")
        << QStringLiteral("/api/v1/enrollment-groups/hostile-g")
        << "{\"attestation\":{\"type\":\"symmetricKey\"},\"initialTwin\":{\"properties\":{\"desired\":" + eleven + "}}}"
        << QByteArray("initialTwin.properties.desired nests deeper than 10");
    QTest::newRow("webhook 1100 objects")
        << QStringLiteral("/api/v1/webhooks") << deepObjects << QByteArray("deeper than 32");
}

void TestHubLink::hostileDocumentsAreRefused()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, reason);
    const auto reportedVersion = [this] {
        return twin(m_device.deviceId)
            .value(QStringLiteral("properties"))
            .toObject()
            .value(QStringLiteral("reported"))
            .toObject()
            .value(QStringLiteral("$version"))
            .toInt();
    };
    const int before = reportedVersion();
    if (path == QLatin1String("mqtt")) {
        const QByteArray counter = "provisio_hub_messages_rejected_total{kind=\"reported\",reason=\"" + reason + "\"} ";
        const auto count = [&] {
            const QByteArray m = metrics();
            const qsizetype at = m.indexOf(counter);
            return at < 0 ? 0 : m.mid(at + counter.size()).split('\n').first().toInt();
        };
        const int was = count();
        m_device.client->publish(QStringLiteral("devices/%1/twin/reported").arg(m_device.deviceId), body, 1);
        QTRY_COMPARE_WITH_TIMEOUT(count(), was + 1, 10000);
    } else {
        const QString target = path.contains(QLatin1String("%1")) ? path.arg(m_device.deviceId) : path;
        const QByteArray method = target.endsWith(QLatin1String("/twin"))       ? "PATCH"
                                  : target.endsWith(QLatin1String("/webhooks")) ? "POST"
                                                                                : "PUT";
        const auto refused = m_f.admin->send(method, target, body);
        QVERIFY2(
            refused.status == 400 || refused.status == 413,
            qPrintable(QString::number(refused.status) + QLatin1Char(' ') + QString::fromUtf8(refused.body.left(300))));
        if (refused.status == 400)
            QVERIFY2(refused.body.contains(reason), refused.body.constData());
    }
    // Nothing became unreadable: the twin, the device's registration, and
    // the lists that hold them still answer.
    QCOMPARE(reportedVersion(), before);
    QCOMPARE(m_f.viewer->get(QStringLiteral("/api/v1/devices/%1/twin").arg(m_device.deviceId)).status, 200);
    QCOMPARE(m_f.viewer->get(QStringLiteral("/api/v1/registrations/kiosk-1")).status, 200);
    QCOMPARE(m_f.viewer->get(QStringLiteral("/api/v1/registrations")).status, 200);
    QCOMPARE(m_f.viewer->get(QStringLiteral("/api/v1/enrollments")).status, 200);
    QCOMPARE(m_f.viewer->get(QStringLiteral("/api/v1/enrollments/hostile-1")).status, 404);
}

void TestHubLink::unreadableRecordIsListedAndRepaired()
{
    QString key;
    const QJsonObject state = enrollAndRegister(
        QStringLiteral("broken-1"),
        QJsonObject{{QStringLiteral("tags"), QJsonObject{{QStringLiteral("site"), QStringLiteral("lab")}}}}, &key);
    const QString deviceId = state.value(QStringLiteral("deviceId")).toString();
    QVERIFY(!deviceId.isEmpty());
    // As a record stored before the limits: a twin Qt cannot read back
    // (written straight into the database, SQLite or PostgreSQL).
    const DirectDb db(*m_f.mw);
    const QString doc = QString::fromUtf8("{\"registrationState\":{},\"twin\":" + nested(1100, '[') + "}");
    const auto corrupt = [&] {
        return db.exec(QStringLiteral("UPDATE registrations SET doc = ? WHERE registration_id = 'broken-1'"), {doc}) &&
               db.scalar(QStringLiteral("SELECT doc FROM registrations WHERE registration_id = 'broken-1'"))
                       .toString() == doc;
    };
    QVERIFY(corrupt());

    // Listed per item, flagged, with the repair; the page still answers.
    const auto list = m_f.viewer->get(QStringLiteral("/api/v1/registrations?limit=100"));
    QCOMPARE(list.status, 200);
    QJsonObject broken;
    for (const QJsonValue &item : list.json().value(QStringLiteral("items")).toArray()) {
        if (item.toObject().value(QStringLiteral("registrationId")).toString() == QLatin1String("broken-1"))
            broken = item.toObject();
    }
    QCOMPARE(broken.value(QStringLiteral("unreadable")).toBool(), true);
    QCOMPARE(broken.value(QStringLiteral("deviceId")).toString(), deviceId);
    QVERIFY(broken.value(QStringLiteral("error"))
                .toObject()
                .value(QStringLiteral("message"))
                .toString()
                .contains(QLatin1String("reset-twin")));
    QCOMPARE(m_f.viewer->get(QStringLiteral("/api/v1/enrollments")).status, 200);
    QCOMPARE(m_f.viewer->get(QStringLiteral("/api/v1/enrollments/broken-1")).status, 200);

    // Reading it says how to repair; changing its twin is refused.
    const auto get = m_f.viewer->get(QStringLiteral("/api/v1/registrations/broken-1"));
    QCOMPARE(get.status, 409);
    QVERIFY2(get.body.contains("reset-twin"), get.body.constData());
    QCOMPARE(m_f.viewer->get(QStringLiteral("/api/v1/devices/%1/twin").arg(deviceId)).status, 409);
    QCOMPARE(m_f.operatorClient
                 ->patch(QStringLiteral("/api/v1/devices/%1/twin").arg(deviceId),
                         QJsonObject{{QStringLiteral("desired"), QJsonObject{{QStringLiteral("a"), 1}}}})
                 .status,
             409);

    // Reset: viewers may not, operators may; the initial twin is back, audited.
    QCOMPARE(m_f.viewer->post(QStringLiteral("/api/v1/registrations/broken-1/reset-twin"), {}).status, 403);
    const auto reset =
        m_f.operatorClient->send("POST", QStringLiteral("/api/v1/registrations/broken-1/reset-twin"), {});
    QVERIFY2(reset.status == 200, reset.body.constData());
    const auto repaired = m_f.viewer->get(QStringLiteral("/api/v1/registrations/broken-1"));
    QCOMPARE(repaired.status, 200);
    QCOMPARE(repaired.json()
                 .value(QStringLiteral("twin"))
                 .toObject()
                 .value(QStringLiteral("tags"))
                 .toObject()
                 .value(QStringLiteral("site"))
                 .toString(),
             QStringLiteral("lab"));
    const auto audit = m_f.admin->get(QStringLiteral("/api/v1/audit?limit=20"));
    QVERIFY2(audit.body.contains("resetTwin"), audit.body.constData());

    // Corrupted again: DELETE still works.
    QVERIFY(corrupt());
    QCOMPARE(m_f.operatorClient->del(QStringLiteral("/api/v1/registrations/broken-1")).status, 204);
    QCOMPARE(m_f.viewer->get(QStringLiteral("/api/v1/registrations/broken-1")).status, 404);
}

#include "tst_hublink.moc"

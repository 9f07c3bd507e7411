// SPDX-License-Identifier: Apache-2.0
//
// The hub's device gate (hub/README.md, "plugin_opt_device_gate_seconds"):
// after the broker starts, devices are held back until a middleware has
// subscribed, so nothing they publish meanwhile reaches nobody (Mosquitto
// does not restore the middleware's shared subscriptions). A real broker
// with the real plugin and the configuration `hub-config` writes by default;
// real MQTT clients over TLS. Each allowed device that gets in while the
// gate should be closed fails the test, and so does a refused identity
// (revoked, signed with another hub's key, expired) that the gate lets in
// once it is open.

#include "childprocesswatch.h"
#include "mqtttestclient.h"

#include "app/service.h"
#include "crypto/keys.h"
#include "crypto/sastoken.h"
#include "domain/hubservice.h"
#include "httpsclient.h"
#include "middlewareprocess.h"
#include "mosquittoprocess.h"
#include "storage/hubstore.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Provisio;
using namespace Provisio::Test;

namespace {

constexpr int kNotAuthorized = 0x87;                 // MQTT 5 CONNACK reason
constexpr int kHeldBack = MqttTestClient::kNoAnswer; // closed without a CONNACK
const QString kHubHost = QStringLiteral("gate-hub.provisio.test");
const QString kControl = QStringLiteral("$CONTROL/provisio-hub/v1");
const QString kControlResponse = QStringLiteral("$CONTROL/provisio-hub/v1/response");
// One of the shared filters of the middleware's hub link (hublink/hubconnections.cpp).
const QString kTelemetryFilter = QStringLiteral("$share/provisio/devices/+/messages/events/#");

qint64 now()
{
    return QDateTime::currentSecsSinceEpoch();
}

enum class Kind { Allowed, Revoked, OtherHubsKey, Expired };

} // namespace

Q_DECLARE_METATYPE(Kind)

class tst_HubGate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void hubConfigTurnsTheGateOn();
    // In this order: the broker was just started, nobody has subscribed.
    void closedGateHoldsBackOnlyAllowedDevices_data() { identities(); }
    void closedGateHoldsBackOnlyAllowedDevices();
    void connectedServiceAloneKeepsItClosed();
    void serviceSubscriptionOpensIt();
    void openGateStillRefusesWhatAuthenticationRefuses_data() { identities(); }
    void openGateStillRefusesWhatAuthenticationRefuses();
    void closesAgainAfterABrokerCrash();
    void opensByItselfAfterItsTime();

private:
    void identities();
    QByteArray deviceToken(const QString &deviceId, Kind kind) const;
    // CONNACK reason, or kHeldBack when the broker closed without one.
    int connectDevice(const QString &deviceId, Kind kind, std::unique_ptr<MqttTestClient> *keep = nullptr);
    std::unique_ptr<MqttTestClient> connectService(const QString &clientId, bool cleanSession = true);
    bool heldBackInLog(const QString &deviceId) const
    {
        return m_broker.log().contains(QStringLiteral("holding back device '%1'").arg(deviceId));
    }

    MiddlewareProcess m_middleware;
    QTemporaryDir m_work;
    QString m_outDir;
    QString m_confPath;
    QString m_caPath;
    QString m_signingKey;
    QString m_serviceKey;
    QString m_otherSigningKey = Crypto::generateSymmetricKey(32);
    quint16 m_port = 0;
    MosquittoProcess m_broker{QStringLiteral(PROVISIO_MOSQUITTO_BIN)};
    std::unique_ptr<MqttTestClient> m_service;
};

void tst_HubGate::identities()
{
    QTest::addColumn<QString>("deviceId");
    QTest::addColumn<Kind>("kind");
    QTest::addColumn<int>("whileClosed");
    QTest::addColumn<int>("onceOpen");
    QTest::newRow("allowed device") << QStringLiteral("gate-ok") << Kind::Allowed << kHeldBack << 0;
    QTest::newRow("revoked device") << QStringLiteral("gate-revoked") << Kind::Revoked << kNotAuthorized
                                    << kNotAuthorized;
    QTest::newRow("unknown device (another hub's key)")
        << QStringLiteral("gate-stranger") << Kind::OtherHubsKey << kNotAuthorized << kNotAuthorized;
    QTest::newRow("expired token") << QStringLiteral("gate-expired") << Kind::Expired << kNotAuthorized
                                   << kNotAuthorized;
}

void tst_HubGate::initTestCase()
{
    QVERIFY2(QFileInfo::exists(QStringLiteral(PROVISIO_MOSQUITTO_BIN)), "mosquitto is not installed");
    QVERIFY2(m_middleware.start(), qPrintable(m_middleware.lastError()));
    m_port = freeLocalPort();
    QVERIFY(m_port != 0);
    HttpsClient http(m_middleware.baseUrl(), m_middleware.caCertificatePath());
    http.setBearer(m_middleware.createToken(QStringLiteral("admin"), QStringLiteral("gate-tests")));
    const auto linked = http.put(QStringLiteral("/api/v1/hubs/gate"),
                                 QJsonObject{{QStringLiteral("host"), kHubHost},
                                             {QStringLiteral("port"), int(m_port)},
                                             {QStringLiteral("endpoint"), QStringLiteral("127.0.0.1:%1").arg(m_port)}});
    QVERIFY2(linked.status == 201, linked.body.constData());
    // No middleware may subscribe during the test: the test plays it.
    m_middleware.stop();

    ServiceConfig config;
    config.dataDir = m_middleware.dataDir();
    config.databaseUrl = m_middleware.databaseUrl();
    {
        auto stores = openOfflineStores(config);
        QVERIFY2(stores, qPrintable(stores ? QString() : stores.error().message));
        auto hub = (*stores)->hubs->find(QStringLiteral("gate"));
        QVERIFY(hub && hub->has_value());
        m_signingKey = (*hub)->signingKey;
    }
    m_serviceKey = *hubServicePolicyKey(m_signingKey);

    // The configuration an operator gets: no --device-gate-seconds.
    m_outDir = m_work.filePath(QStringLiteral("gate"));
    const auto written = writeHubConfig(m_middleware, QStringLiteral("gate"), m_port, m_outDir);
    QVERIFY2(written.exitCode == 0, qPrintable(written.err));
    m_confPath = QDir(m_outDir).filePath(QStringLiteral("mosquitto.conf"));
    m_caPath = QDir(m_outDir).filePath(QStringLiteral("ca.crt"));

    // A first run of the broker: the gate opens for the test's service,
    // which revokes one device, as the middleware does when it is disabled.
    QVERIFY2(m_broker.start(m_confPath, m_port), qPrintable(m_broker.log()));
    {
        auto service = connectService(QStringLiteral("provisio-mw-gate-setup"));
        QVERIFY(service);
        QCOMPARE(service->subscribe(kControlResponse), 1);
        // The control response topic alone does not open the gate (the hub
        // link subscribes it before its shared filters); a shared filter does.
        QCOMPARE(connectDevice(QStringLiteral("gate-ok"), Kind::Allowed), kHeldBack);
        QCOMPARE(service->subscribe(kTelemetryFilter), 1);
        QCOMPARE(service->publish(
                     kControl, QJsonDocument(QJsonObject{{QStringLiteral("op"), QStringLiteral("revoke")},
                                                         {QStringLiteral("deviceId"), QStringLiteral("gate-revoked")},
                                                         {QStringLiteral("requestId"), QStringLiteral("g1")}})
                                   .toJson(QJsonDocument::Compact)) &
                     0x80,
                 0);
        QVERIFY(service->waitForMessages(1, 3000));
        const QJsonObject answer = QJsonDocument::fromJson(service->takeMessages().first().payload).object();
        QCOMPARE(answer.value(QStringLiteral("status")).toInt(), 200);
        // With the gate open, the revoked device is refused and an allowed one gets in.
        QCOMPARE(connectDevice(QStringLiteral("gate-revoked"), Kind::Revoked), kNotAuthorized);
        QCOMPARE(connectDevice(QStringLiteral("gate-ok"), Kind::Allowed), 0);
    }
    // Then it crashes, and starts again: the gate is closed.
    QVERIFY(m_broker.kill());
    QVERIFY2(m_broker.start(m_confPath, m_port), qPrintable(m_broker.log()));
}

void tst_HubGate::cleanupTestCase()
{
    m_service.reset();
    m_broker.stop();
}

QByteArray tst_HubGate::deviceToken(const QString &deviceId, Kind kind) const
{
    const QString key = *Crypto::deriveKey(kind == Kind::OtherHubsKey ? m_otherSigningKey : m_signingKey, deviceId);
    const qint64 expiry = kind == Kind::Expired ? now() - 600 : now() + 600;
    return SasToken::create(kHubHost + QStringLiteral("/devices/") + deviceId, key, expiry).toUtf8();
}

int tst_HubGate::connectDevice(const QString &deviceId, Kind kind, std::unique_ptr<MqttTestClient> *keep)
{
    auto client = std::make_unique<MqttTestClient>(deviceId);
    client->setCredentials(
        (kHubHost + QLatin1Char('/') + deviceId + QStringLiteral("/?api-version=2021-04-12")).toUtf8(),
        deviceToken(deviceId, kind));
    const int rc = client->connect(QStringLiteral("127.0.0.1"), m_port, m_caPath);
    if (keep)
        *keep = std::move(client);
    return rc;
}

std::unique_ptr<MqttTestClient> tst_HubGate::connectService(const QString &clientId, bool cleanSession)
{
    // A persistent session over MQTT 3.1.1, as the hub link keeps it.
    auto client = std::make_unique<MqttTestClient>(
        clientId, cleanSession ? MqttTestClient::Mqtt5 : MqttTestClient::Mqtt311, cleanSession);
    client->setCredentials(hubServiceUsername(kHubHost).toUtf8(),
                           SasToken::create(kHubHost, m_serviceKey, now() + 600, hubServicePolicyName()).toUtf8());
    if (client->connect(QStringLiteral("127.0.0.1"), m_port, m_caPath) != 0)
        return {};
    return client;
}

void tst_HubGate::hubConfigTurnsTheGateOn()
{
    QFile conf(m_confPath);
    QVERIFY(conf.open(QIODevice::ReadOnly));
    QVERIFY(conf.readAll().contains("\nplugin_opt_device_gate_seconds 30\n"));
}

void tst_HubGate::closedGateHoldsBackOnlyAllowedDevices()
{
    QFETCH(QString, deviceId);
    QFETCH(Kind, kind);
    QFETCH(int, whileClosed);
    QCOMPARE(connectDevice(deviceId, kind), whileClosed);
    // Held back is not refused: the device must not take its credentials
    // for bad, and the log says which it was.
    QCOMPARE(heldBackInLog(deviceId), whileClosed == kHeldBack);
    if (whileClosed == kNotAuthorized)
        QVERIFY(m_broker.log().contains(QStringLiteral("refused client '%1'").arg(deviceId)));
}

void tst_HubGate::connectedServiceAloneKeepsItClosed()
{
    // Connected is not subscribed: what a device sent now would still reach
    // nobody.
    m_service = connectService(QStringLiteral("provisio-mw-gate"));
    QVERIFY(m_service);
    QCOMPARE(connectDevice(QStringLiteral("gate-ok"), Kind::Allowed), kHeldBack);
}

void tst_HubGate::serviceSubscriptionOpensIt()
{
    QVERIFY(m_service);
    QCOMPARE(m_service->subscribe(kTelemetryFilter), 1);
    std::unique_ptr<MqttTestClient> device;
    QCOMPARE(connectDevice(QStringLiteral("gate-ok"), Kind::Allowed, &device), 0);
    // And what it sends has someone to go to.
    QCOMPARE(device->publish(QStringLiteral("devices/gate-ok/messages/events/"), "{\"t\":1}"), 0);
    QVERIFY(m_service->waitForMessages(1, 3000));
    QCOMPARE(m_service->takeMessages().first().payload, QByteArray("{\"t\":1}"));
}

void tst_HubGate::openGateStillRefusesWhatAuthenticationRefuses()
{
    QFETCH(QString, deviceId);
    QFETCH(Kind, kind);
    QFETCH(int, onceOpen);
    QCOMPARE(connectDevice(deviceId, kind), onceOpen);
}

void tst_HubGate::closesAgainAfterABrokerCrash()
{
    // The middleware's session is persistent, as the hub link keeps it; the
    // broker restores it after the crash but not its shared subscription.
    m_service.reset();
    auto service = connectService(QStringLiteral("provisio-mw-gate-p"), false);
    QVERIFY(service);
    QCOMPARE(service->subscribe(kTelemetryFilter), 1);
    QCOMPARE(connectDevice(QStringLiteral("gate-ok"), Kind::Allowed), 0);
    service.reset();
    QVERIFY(m_broker.kill());
    QVERIFY2(m_broker.start(m_confPath, m_port), qPrintable(m_broker.log()));

    QCOMPARE(connectDevice(QStringLiteral("gate-ok"), Kind::Allowed), kHeldBack);
    service = connectService(QStringLiteral("provisio-mw-gate-p"), false);
    QVERIFY(service);
    QCOMPARE(connectDevice(QStringLiteral("gate-ok"), Kind::Allowed), kHeldBack);
    QCOMPARE(service->subscribe(kTelemetryFilter), 1);
    std::unique_ptr<MqttTestClient> device;
    QCOMPARE(connectDevice(QStringLiteral("gate-ok"), Kind::Allowed, &device), 0);
    QCOMPARE(device->publish(QStringLiteral("devices/gate-ok/messages/events/"), "{\"t\":2}"), 0);
    QVERIFY(service->waitForMessages(1, 3000));
}

void tst_HubGate::opensByItselfAfterItsTime()
{
    // A hub whose middleware never comes serves its devices after the gate's
    // time: the same configuration with a 3 s gate.
    QFile conf(m_confPath);
    QVERIFY(conf.open(QIODevice::ReadOnly));
    QByteArray text = conf.readAll();
    conf.close();
    QVERIFY(text.contains("\nplugin_opt_device_gate_seconds 30\n"));
    text.replace("\nplugin_opt_device_gate_seconds 30\n", "\nplugin_opt_device_gate_seconds 3\n");
    const QString shortGate = m_work.filePath(QStringLiteral("short-gate.conf"));
    QFile out(shortGate);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    out.write(text);
    out.close();

    m_broker.stop();
    QElapsedTimer sinceStart;
    sinceStart.start();
    QVERIFY2(m_broker.start(shortGate, m_port), qPrintable(m_broker.log()));
    QCOMPARE(connectDevice(QStringLiteral("gate-ok"), Kind::Allowed), kHeldBack);
    QTRY_COMPARE_WITH_TIMEOUT(connectDevice(QStringLiteral("gate-ok"), Kind::Allowed), 0, 15000);
    QVERIFY2(sinceStart.elapsed() >= 2000, qPrintable(QString::number(sinceStart.elapsed())));
    // The gate only ever held back: a refused identity stays refused.
    QCOMPARE(connectDevice(QStringLiteral("gate-revoked"), Kind::Revoked), kNotAuthorized);
}

PROVISIO_TEST_GUILESS_MAIN(tst_HubGate)
#include "tst_hubgate.moc"

// SPDX-License-Identifier: Apache-2.0
// Microsoft's own service SDKs (npm azure-iot-provisioning-service and
// azure-iothub, pinned by tests/azure-sdk/package-lock.json) against the real
// middleware and a real hub: the provisioning service client creates an
// enrollment with empty keys, reads it, its attestation mechanism, bulk-creates,
// pages a query, deletes and sees Not Found, creates a group; a device then
// registers with the generated key and connects to its hub; the IoT Hub
// client reads its twin, updates desired properties and calls a direct method
// the device answers.

#include "devicetestutil.h"
#include "hubfixture.h"

#include "crypto/sastoken.h"
#include "mqtt/mqttclient.h"

#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QtTest>

using namespace Provisio;
using namespace Provisio::Test;

namespace {
const QString kServiceHost = QStringLiteral("dps.provisio.test");
const QString kHubHost = QStringLiteral("hub1.provisio.test");
} // namespace

class TestAzureSdk : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void provisioningServiceSdk();
    void deviceRegistersWithTheGeneratedKey();
    void iotHubServiceSdk();
    void cleanupTestCase();

private:
    // Runs `node service-sdk.js STEP` with the event loop running (the device
    // answers its method meanwhile); returns its last stdout line as JSON.
    QJsonObject runSdk(const QString &step, const QProcessEnvironment &extra);
    QString connectionString(const QStringList &args);

    DeviceFixture m_f;
    std::unique_ptr<HubFixture> m_hubs;
    QString m_serviceCs;
    QString m_hubCs;
    QString m_registrationId;
    QString m_primaryKey;
    std::unique_ptr<MqttClient> m_device;
    QList<QPair<QString, QByteArray>> m_received;
};

QString TestAzureSdk::connectionString(const QStringList &args)
{
    const auto r = m_f.mw->cli(QStringList{QStringLiteral("access-policy"), QStringLiteral("create"),
                                           QStringLiteral("--service-host"), kServiceHost} +
                               args);
    return r.exitCode == 0 ? r.out.trimmed() : QString();
}

void TestAzureSdk::initTestCase()
{
    QVERIFY2(QFile::exists(QStringLiteral(PROVISIO_AZURE_SDK_DIR "/node_modules/azure-iothub/package.json")),
             "the SDKs are not installed: the azure_sdk_npm_ci test (npm ci) must run first");
    // The SDKs verify the certificate for the connection string's HostName.
    QVERIFY(m_f.start({QStringLiteral("--service-host"), kServiceHost, QStringLiteral("--tls-name"), kServiceHost,
                       QStringLiteral("--tls-name"), kHubHost}));
    m_hubs = std::make_unique<HubFixture>(m_f);
    QVERIFY2(m_hubs->linkHub(QStringLiteral("hub1"), kHubHost), qPrintable(m_hubs->lastError()));
    m_serviceCs = connectionString({QStringLiteral("--name"), QStringLiteral("provisioningserviceowner")});
    m_hubCs = connectionString(
        {QStringLiteral("--name"), QStringLiteral("iothubowner"), QStringLiteral("--hub"), QStringLiteral("hub1")});
    QVERIFY(m_serviceCs.startsWith(QStringLiteral("HostName=") + kServiceHost + QLatin1Char(';')));
    QVERIFY(m_hubCs.startsWith(QStringLiteral("HostName=") + kHubHost + QLatin1Char(';')));
}

QJsonObject TestAzureSdk::runSdk(const QString &step, const QProcessEnvironment &extra)
{
    QProcess node;
    node.setWorkingDirectory(QStringLiteral(PROVISIO_AZURE_SDK_DIR));
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("PROVISIO_PORT"), QString::number(m_f.mw->port()));
    env.insert(QStringLiteral("PROVISIO_CA"), m_f.mw->caCertificatePath());
    for (const QString &key : extra.keys())
        env.insert(key, extra.value(key));
    node.setProcessEnvironment(env);
    QSignalSpy finished(&node, &QProcess::finished);
    node.start(QStringLiteral(PROVISIO_NODE_BIN), {QStringLiteral("service-sdk.js"), step});
    if (!node.waitForStarted(10000)) {
        qWarning("node did not start: %s", qPrintable(node.errorString()));
        return {};
    }
    if (!finished.wait(90000)) {
        node.kill();
        node.waitForFinished();
    }
    const QByteArray err = node.readAllStandardError();
    const QList<QByteArray> lines = node.readAllStandardOutput().trimmed().split('\n');
    if (node.exitStatus() != QProcess::NormalExit || node.exitCode() != 0) {
        qWarning("service-sdk.js %s failed:\n%s", qPrintable(step), err.constData());
        return {};
    }
    return QJsonDocument::fromJson(lines.last()).object();
}

void TestAzureSdk::provisioningServiceSdk()
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("PROVISIO_DPS_CONNECTION_STRING"), m_serviceCs);
    const QJsonObject out = runSdk(QStringLiteral("dps"), env);
    QVERIFY(!out.isEmpty());
    m_registrationId = out.value(QStringLiteral("registrationId")).toString();
    m_primaryKey = out.value(QStringLiteral("primaryKey")).toString();
    QCOMPARE(out.value(QStringLiteral("pages")).toInt(), 2);

    // The CRM API sees what the SDK made, with the same key, audited as the policy.
    const auto e = m_f.operatorClient->get(QStringLiteral("/api/v1/enrollments/") + m_registrationId);
    QCOMPARE(e.status, 200);
    QCOMPARE(DeviceFixture::primaryKey(e.json()), m_primaryKey);
    QCOMPARE(m_f.viewer->get(QStringLiteral("/api/v1/enrollments/sdk-bulk-3")).status, 404);
    QCOMPARE(m_f.viewer->get(QStringLiteral("/api/v1/enrollment-groups/sdk-group-1")).status, 200);
    const auto audit =
        m_f.viewer->get(QStringLiteral("/api/v1/audit?entityType=enrollment&entityId=") + m_registrationId);
    QVERIFY(audit.body.contains("policy:provisioningserviceowner"));
}

void TestAzureSdk::deviceRegistersWithTheGeneratedKey()
{
    QVERIFY(!m_primaryKey.isEmpty());
    const auto registered = m_f.registerDevice(m_registrationId, m_primaryKey);
    QVERIFY2(registered.status == 200 || registered.status == 202, registered.body.constData());
    const QJsonObject op = m_f.waitForOperation(m_registrationId, m_primaryKey,
                                                registered.json().value(QStringLiteral("operationId")).toString());
    const QJsonObject state = DeviceFixture::state(op);
    QCOMPARE(state.value(QStringLiteral("status")).toString(), QStringLiteral("assigned"));
    QCOMPARE(state.value(QStringLiteral("assignedHub")).toString(), kHubHost);
    const QJsonObject provisio =
        state.value(QStringLiteral("payload")).toObject().value(QStringLiteral("provisio")).toObject();

    // The device connects to its hub and answers direct methods.
    const QString deviceId = state.value(QStringLiteral("deviceId")).toString();
    const QString hubKey = provisio.value(QStringLiteral("hubDeviceKey")).toString();
    m_device = std::make_unique<MqttClient>();
    m_device->setHostname(QStringLiteral("127.0.0.1"));
    m_device->setPort(m_hubs->port(QStringLiteral("hub1")));
    m_device->setClientId(deviceId);
    m_device->setUsername(kHubHost + QLatin1Char('/') + deviceId + QStringLiteral("/?api-version=2021-04-12"));
    m_device->setPassword(SasToken::create(kHubHost + QStringLiteral("/devices/") + deviceId, hubKey,
                                           QDateTime::currentSecsSinceEpoch() + 3600));
    m_device->setTlsEnabled(true);
    m_device->setCaCertificates(provisio.value(QStringLiteral("caCertificate")).toString().toUtf8());
    m_device->setPeerVerifyName(kHubHost);
    m_device->subscribe(QStringLiteral("devices/%1/twin/desired").arg(deviceId), 1);
    m_device->subscribe(QStringLiteral("devices/%1/methods/#").arg(deviceId), 1);
    MqttClient *client = m_device.get();
    connect(client, &MqttClient::messageReceived, client,
            [this, client, deviceId](const QByteArray &payload, const QString &topic) {
                m_received.append({topic, payload});
                const QStringList parts = topic.split(QLatin1Char('/'));
                if (parts.size() == 5 && parts.at(2) == QLatin1String("methods") &&
                    parts.at(3) != QLatin1String("res")) {
                    const QJsonObject answer{{QStringLiteral("method"), parts.at(3)},
                                             {QStringLiteral("echo"), QJsonDocument::fromJson(payload).object()}};
                    client->publish(QStringLiteral("devices/%1/methods/res/200/%2").arg(deviceId, parts.at(4)),
                                    QJsonDocument(answer).toJson(QJsonDocument::Compact), 1);
                }
            });
    QSignalSpy connected(client, &MqttClient::connected);
    client->connectToHost();
    QVERIFY(connected.wait(15000));
}

void TestAzureSdk::iotHubServiceSdk()
{
    QVERIFY(m_device);
    QProcessEnvironment env;
    env.insert(QStringLiteral("PROVISIO_HUB_CONNECTION_STRING"), m_hubCs);
    env.insert(QStringLiteral("PROVISIO_DEVICE_ID"), m_registrationId);
    const QJsonObject out = runSdk(QStringLiteral("hub"), env);
    QVERIFY(!out.isEmpty());
    const QJsonObject method = out.value(QStringLiteral("method")).toObject();
    QCOMPARE(method.value(QStringLiteral("status")).toInt(), 200);
    QCOMPARE(method.value(QStringLiteral("payload")).toObject().value(QStringLiteral("method")).toString(),
             QStringLiteral("ping"));
    QCOMPARE(method.value(QStringLiteral("payload"))
                 .toObject()
                 .value(QStringLiteral("echo"))
                 .toObject()
                 .value(QStringLiteral("hello"))
                 .toString(),
             QStringLiteral("sdk"));
    // The desired update reached the device over its hub.
    QTRY_VERIFY_WITH_TIMEOUT(
        std::any_of(m_received.cbegin(), m_received.cend(),
                    [](const QPair<QString, QByteArray> &m) {
                        return m.first.endsWith(QLatin1String("/twin/desired")) &&
                               QJsonDocument::fromJson(m.second).object().value(QStringLiteral("interval")).toInt() ==
                                   7;
                    }),
        10000);
    const auto twin = m_f.viewer->get(QStringLiteral("/api/v1/devices/%1/twin").arg(m_registrationId));
    QCOMPARE(twin.json().value(QStringLiteral("tags")).toObject().value(QStringLiteral("room")).toString(),
             QStringLiteral("lab"));
}

void TestAzureSdk::cleanupTestCase()
{
    m_device.reset();
    m_hubs.reset();
}

QTEST_GUILESS_MAIN(TestAzureSdk)
#include "tst_azuresdk.moc"

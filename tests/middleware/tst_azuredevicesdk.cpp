// SPDX-License-Identifier: Apache-2.0
//
// Microsoft's own Node.js device SDK (azure-iot-device + azure-iot-device-mqtt,
// pinned in tests/azure-device-sdk/package-lock.json, installed by
// scripts/azure-device-sdk.sh) against a real middleware and a real hub: the
// device program is written as for Azure IoT Hub and only its connection
// string and CA differ. It reads its twin, reports properties (seen through
// the API), receives a desired change made through the API, answers a
// direct method invoked through the API and receives a cloud-to-device
// message sent through the API. A second device first provisions over MQTT
// with Microsoft's provisioning SDK (azure-iot-provisioning-device-mqtt)
// against the middleware's DPS-over-MQTT endpoint, then does the same.

#include "devicetestutil.h"
#include "mosquittoprocess.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Provisio;
using namespace Provisio::Test;

namespace {
// The hub's name is what the SDK puts in its username and token, and what it
// checks the hub's certificate against: the hub is linked as localhost.
const QString kHubHost = QStringLiteral("localhost");
const QString kSdkDir = QStringLiteral(PROVISIO_AZURE_DEVICE_SDK_DIR);
} // namespace

class TestAzureDeviceSdk : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void nodeSdkDeviceWorksUnchanged();
    void nodeSdkDeviceProvisionsOverMqtt();

private:
    // Runs device.js with `args` and drives it through twin, reported and
    // desired properties, a direct method and a cloud-to-device message.
    void exerciseDevice(const QString &id, const QStringList &args, const QProcessEnvironment &env);
    QString enroll(const QString &id);
    // The JSON lines the device program printed so far.
    QList<QJsonObject> steps();
    QJsonObject step(const QString &name)
    {
        for (const QJsonObject &s : steps()) {
            if (s.value(QStringLiteral("step")).toString() == name)
                return s;
        }
        return {};
    }

    DeviceFixture m_f;
    QTemporaryDir m_work;
    quint16 m_port = 0;
    MosquittoProcess m_broker{QStringLiteral(PROVISIO_MOSQUITTO_BIN)};
    std::unique_ptr<QProcess> m_node;
    QByteArray m_output;
};

void TestAzureDeviceSdk::initTestCase()
{
    QVERIFY2(QFileInfo::exists(kSdkDir + QStringLiteral("/node_modules/azure-iot-device-mqtt/package.json")),
             "Microsoft's device SDK is not installed: run scripts/azure-device-sdk.sh");
    QVERIFY2(
        QFileInfo::exists(kSdkDir + QStringLiteral("/node_modules/azure-iot-provisioning-device-mqtt/package.json")),
        "Microsoft's provisioning SDK is not installed: run scripts/azure-device-sdk.sh");
    QVERIFY(m_f.start({QStringLiteral("--dps-mqtt-listen"), QStringLiteral("127.0.0.1:0")}));
    m_port = freeLocalPort();
    QVERIFY(m_port != 0);
    const auto linked = m_f.admin->put(QStringLiteral("/api/v1/hubs/hub1"),
                                       QJsonObject{{QStringLiteral("host"), kHubHost},
                                                   {QStringLiteral("port"), int(m_port)},
                                                   {QStringLiteral("region"), QStringLiteral("eu")},
                                                   {QStringLiteral("allocationWeight"), 1}});
    QVERIFY2(linked.status == 201 || linked.status == 200, linked.body.constData());
    const QString out = m_work.filePath(QStringLiteral("hub1"));
    const auto written = writeHubConfig(*m_f.mw, QStringLiteral("hub1"), m_port, out);
    QVERIFY2(written.exitCode == 0, qPrintable(written.err));
    QVERIFY2(m_broker.start(QDir(out).filePath(QStringLiteral("mosquitto.conf")), m_port), qPrintable(m_broker.log()));
    QTRY_VERIFY_WITH_TIMEOUT(
        m_f.viewer->get(QStringLiteral("/api/v1/hubs/hub1/status")).json().value(QStringLiteral("connected")).toBool(),
        15000);
}

void TestAzureDeviceSdk::cleanupTestCase()
{
    if (m_node && m_node->state() != QProcess::NotRunning) {
        m_node->kill();
        m_node->waitForFinished(5000);
    }
    m_broker.stop();
}

QList<QJsonObject> TestAzureDeviceSdk::steps()
{
    if (m_node)
        m_output += m_node->readAllStandardOutput();
    QList<QJsonObject> out;
    for (const QByteArray &line : m_output.split('\n')) {
        const QJsonDocument doc = QJsonDocument::fromJson(line);
        if (doc.isObject())
            out << doc.object();
    }
    return out;
}

QString TestAzureDeviceSdk::enroll(const QString &id)
{
    const auto enrolled = m_f.putEnrollment(
        id, QJsonObject{{QStringLiteral("initialTwin"),
                         QJsonObject{{QStringLiteral("properties"),
                                      QJsonObject{{QStringLiteral("desired"),
                                                   QJsonObject{{QStringLiteral("mode"), QStringLiteral("eco")}}}}}}}});
    return enrolled.status == 201 ? DeviceFixture::primaryKey(enrolled.json()) : QString();
}

void TestAzureDeviceSdk::nodeSdkDeviceWorksUnchanged()
{
    const QString id = QStringLiteral("az-sdk");
    const QString key = enroll(id);
    QVERIFY(!key.isEmpty());
    QJsonObject op = m_f.registerDevice(id, key).json();
    if (op.value(QStringLiteral("status")).toString() == QLatin1String("assigning"))
        op = m_f.waitForOperation(id, key, op.value(QStringLiteral("operationId")).toString());
    const QJsonObject state = DeviceFixture::state(op);
    QCOMPARE(state.value(QStringLiteral("assignedHub")).toString(), kHubHost);
    const QString hubKey = DeviceFixture::hubKey(state);

    // An IoT Hub device connection string; GatewayHostName says where to dial.
    const QString connectionString = QStringLiteral("HostName=%1;DeviceId=%2;SharedAccessKey=%3;GatewayHostName=%1:%4")
                                         .arg(kHubHost, id, hubKey)
                                         .arg(m_port);
    exerciseDevice(id,
                   {QStringLiteral("device.js"), connectionString, m_f.mw->caCertificatePath(), QStringLiteral("60")},
                   QProcessEnvironment::systemEnvironment());
}

void TestAzureDeviceSdk::nodeSdkDeviceProvisionsOverMqtt()
{
    // Provisioned by Microsoft's SDK over MQTT: the global endpoint is the
    // middleware's DPS-over-MQTT address, the CA comes through
    // NODE_EXTRA_CA_CERTS (the provisioning transport has no CA option).
    const QString id = QStringLiteral("az-sdk-mqtt");
    const QString key = enroll(id);
    QVERIFY(!key.isEmpty());
    QVERIFY(m_f.mw->dpsMqttPort() != 0);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("NODE_EXTRA_CA_CERTS"), m_f.mw->caCertificatePath());
    exerciseDevice(id,
                   {QStringLiteral("device.js"), QStringLiteral("--dps"),
                    QStringLiteral("localhost:%1").arg(m_f.mw->dpsMqttPort()), m_f.mw->idScope(), id, key,
                    m_f.mw->caCertificatePath(), QStringLiteral("90")},
                   env);
    if (QTest::currentTestFailed())
        return;
    const QJsonObject registered = step(QStringLiteral("registered"));
    QCOMPARE(registered.value(QStringLiteral("assignedHub")).toString(), kHubHost);
    QCOMPARE(registered.value(QStringLiteral("deviceId")).toString(), id);
    QCOMPARE(registered.value(QStringLiteral("status")).toString(), QStringLiteral("assigned"));
    // The registration the SDK made is the one the operator sees.
    const auto record = m_f.viewer->get(QStringLiteral("/api/v1/registrations/") + id);
    QCOMPARE(record.status, 200);
}

void TestAzureDeviceSdk::exerciseDevice(const QString &id, const QStringList &args, const QProcessEnvironment &env)
{
    m_output.clear();
    m_node = std::make_unique<QProcess>();
    m_node->setWorkingDirectory(kSdkDir);
    m_node->setProcessChannelMode(QProcess::SeparateChannels);
    m_node->setProcessEnvironment(env);
    m_node->start(QStringLiteral(PROVISIO_NODE_BIN), args);
    QVERIFY(m_node->waitForStarted(10000));
    QTRY_VERIFY2_WITH_TIMEOUT(!step(QStringLiteral("ready")).isEmpty() || !step(QStringLiteral("error")).isEmpty() ||
                                  m_node->state() == QProcess::NotRunning,
                              "the SDK device did not get ready", 30000);
    QVERIFY2(
        step(QStringLiteral("error")).isEmpty(),
        QByteArray(QJsonDocument(step(QStringLiteral("error"))).toJson() + m_node->readAllStandardError()).constData());
    QVERIFY2(!step(QStringLiteral("ready")).isEmpty(), m_output.constData());

    // getTwin: the desired properties as the SDK parsed them.
    const QJsonObject twin = step(QStringLiteral("twin"));
    QCOMPARE(twin.value(QStringLiteral("desired")).toObject().value(QStringLiteral("mode")).toString(),
             QStringLiteral("eco"));
    // reported.update: stored, visible through the API.
    const QJsonObject reported = m_f.viewer->get(QStringLiteral("/api/v1/devices/%1/twin").arg(id))
                                     .json()
                                     .value(QStringLiteral("properties"))
                                     .toObject()
                                     .value(QStringLiteral("reported"))
                                     .toObject();
    QCOMPARE(reported.value(QStringLiteral("sdk")).toString(), QStringLiteral("azure-iot-device"));
    QCOMPARE(reported.value(QStringLiteral("firmware")).toObject().value(QStringLiteral("version")).toString(),
             QStringLiteral("2.0.1"));

    // A desired change through the API reaches the SDK's twin listener.
    const auto patched = m_f.operatorClient->patch(
        QStringLiteral("/api/v1/devices/%1/twin").arg(id),
        QJsonObject{{QStringLiteral("desired"), QJsonObject{{QStringLiteral("sdkTest"), QStringLiteral("go")}}}});
    QVERIFY2(patched.status == 200, patched.body.constData());
    // A direct method through the API is answered by the SDK's handler.
    const auto called =
        m_f.operatorClient->post(QStringLiteral("/api/v1/devices/%1/methods/blink").arg(id),
                                 QJsonObject{{QStringLiteral("payload"), QJsonObject{{QStringLiteral("times"), 3}}},
                                             {QStringLiteral("responseTimeoutInSeconds"), 20}});
    QVERIFY2(called.status == 200, called.body.constData());
    QCOMPARE(called.json().value(QStringLiteral("status")).toInt(), 200);
    QCOMPARE(called.json()
                 .value(QStringLiteral("payload"))
                 .toObject()
                 .value(QStringLiteral("blinked"))
                 .toObject()
                 .value(QStringLiteral("times"))
                 .toInt(),
             3);

    // A cloud-to-device message through the API reaches the SDK's 'message'
    // listener with its id and properties.
    const auto sent = m_f.operatorClient->post(
        QStringLiteral("/api/v1/devices/%1/messages").arg(id),
        QJsonObject{{QStringLiteral("payload"), QJsonObject{{QStringLiteral("text"), QStringLiteral("hello")}}},
                    {QStringLiteral("properties"), QJsonObject{{QStringLiteral("kind"), QStringLiteral("greeting")}}}});
    QVERIFY2(sent.status == 202, sent.body.constData());
    const QString messageId = sent.json().value(QStringLiteral("messageId")).toString();

    QVERIFY2(m_node->waitForFinished(30000), m_output.constData());
    steps();
    QVERIFY2(m_node->exitCode() == 0, QByteArray(m_output + m_node->readAllStandardError()).constData());
    bool sawChange = false;
    for (const QJsonObject &s : steps()) {
        if (s.value(QStringLiteral("step")).toString() == QLatin1String("desired") &&
            s.value(QStringLiteral("delta")).toObject().value(QStringLiteral("sdkTest")).toString() ==
                QLatin1String("go"))
            sawChange = true;
    }
    QVERIFY(sawChange);
    QCOMPARE(step(QStringLiteral("method")).value(QStringLiteral("name")).toString(), QStringLiteral("blink"));
    const QJsonObject message = step(QStringLiteral("message"));
    QCOMPARE(message.value(QStringLiteral("messageId")).toString(), messageId);
    QCOMPARE(message.value(QStringLiteral("contentType")).toString(), QStringLiteral("application/json"));
    QCOMPARE(QJsonDocument::fromJson(message.value(QStringLiteral("data")).toString().toUtf8())
                 .object()
                 .value(QStringLiteral("text"))
                 .toString(),
             QStringLiteral("hello"));
    QCOMPARE(message.value(QStringLiteral("properties")).toObject().value(QStringLiteral("kind")).toString(),
             QStringLiteral("greeting"));
}

QTEST_MAIN(TestAzureDeviceSdk)
#include "tst_azuredevicesdk.moc"

// SPDX-License-Identifier: Apache-2.0
//
// IoT Hub's device protocol as Azure's device SDKs speak it ($iothub/…
// topics, MQTT 3.1.1, clean session off), against a real middleware and a
// real mosquitto with the real plugin: twin GET, reported patches, desired
// notifications and direct methods reach the asking device alone, and what
// a device must never do (answer for the hub, ask for another's twin) is
// refused.

#include "devicetestutil.h"
#include "mosquittoprocess.h"
#include "mqtttestclient.h"

#include "crypto/sastoken.h"
#include "mqtt/mqttclient.h"
#include "mqtt/mqtttopic.h"
#include "protocol/timeutil.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Provisio;
using namespace Provisio::Test;

namespace {

const QString kHubHost = QStringLiteral("hub1.test");

QJsonObject jsonOf(const QByteArray &payload)
{
    return QJsonDocument::fromJson(payload).object();
}

} // namespace

class TestAzureDevice : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void twinGetAnswersTheAskingDeviceOnly();
    void twinAnswerWaitsInTheSession();
    void reportedPatchIsStoredAndAcknowledged();
    void badReportedPatchesGetErrorAnswers_data();
    void badReportedPatchesGetErrorAnswers();
    void desiredChangeReachesThatDeviceOnly();
    void directMethodOverIotHubTopics();
    void devicesCannotSpeakForTheHub_data();
    void devicesCannotSpeakForTheHub();
    void forbiddenSubscriptionsAreRefused_data();
    void forbiddenSubscriptionsAreRefused();
    void twinRequestsOverTheRateGet429();
    void cloudToDeviceReachesThatDeviceOnly();
    void cloudToDeviceWaitsInTheSessionUntilItExpires();
    void badCloudMessagesChangeNothing_data();
    void badCloudMessagesChangeNothing();
    void cloudMessagesWaitForTheHubAndAreLimited();

private:
    struct Registered
    {
        QString deviceId;
        QString hubKey;
    };
    Registered enroll(const QString &id, const QJsonObject &desired);
    // A device connected as an Azure SDK does: its username carries the
    // api-version and DeviceClientType; `protocol` 3.1.1 unless a test needs
    // MQTT 5's reason codes.
    std::unique_ptr<MqttTestClient> sdkClient(const QString &id, MqttTestClient::Protocol protocol,
                                              bool cleanSession = true);
    // The device's cloud-to-device messages as GET …/messages lists them.
    QJsonArray listedMessages(const QString &id)
    {
        return m_f.viewer->get(QStringLiteral("/api/v1/devices/%1/messages?limit=200").arg(id))
            .json()
            .value(QStringLiteral("items"))
            .toArray();
    }
    QString stateOf(const QString &id, const QString &messageId)
    {
        for (const QJsonValue &v : listedMessages(id)) {
            if (v.toObject().value(QStringLiteral("messageId")).toString() == messageId)
                return v.toObject().value(QStringLiteral("state")).toString();
        }
        return {};
    }
    QString sdkUsername(const QString &id) const
    {
        return kHubHost + QLatin1Char('/') + id +
               QStringLiteral("/?api-version=2021-04-12&DeviceClientType=provisio-tests%2F1.0");
    }
    QString token(const QString &id) const
    {
        return SasToken::create(kHubHost + QStringLiteral("/devices/") + id, m_devices.value(id).hubKey,
                                QDateTime::currentSecsSinceEpoch() + 3600);
    }
    QJsonObject twin(const QString &id)
    {
        return m_f.viewer->get(QStringLiteral("/api/v1/devices/%1/twin").arg(id)).json();
    }

    DeviceFixture m_f;
    QTemporaryDir m_work;
    quint16 m_port = 0;
    MosquittoProcess m_broker{QStringLiteral(PROVISIO_MOSQUITTO_BIN)};
    QHash<QString, Registered> m_devices;
};

void TestAzureDevice::initTestCase()
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
    QVERIFY2(m_broker.start(QDir(out).filePath(QStringLiteral("mosquitto.conf")), m_port), qPrintable(m_broker.log()));
    for (const char *id : {"az-1", "az-2", "az-3"}) {
        const QString name = QString::fromLatin1(id);
        const Registered r =
            enroll(name, QJsonObject{{QStringLiteral("mode"), QString(name + QStringLiteral("-mode"))}});
        QVERIFY2(!r.hubKey.isEmpty(), id);
        m_devices.insert(name, r);
    }
    // The middleware's service connection is up once a device's twin GET is
    // answered; wait for it here so the tests measure the protocol only.
    QTRY_VERIFY_WITH_TIMEOUT(
        m_f.viewer->get(QStringLiteral("/api/v1/hubs/hub1/status")).json().value(QStringLiteral("connected")).toBool(),
        15000);
}

void TestAzureDevice::cleanupTestCase()
{
    m_broker.stop();
}

TestAzureDevice::Registered TestAzureDevice::enroll(const QString &id, const QJsonObject &desired)
{
    const auto enrolled = m_f.putEnrollment(
        id,
        QJsonObject{{QStringLiteral("initialTwin"),
                     QJsonObject{{QStringLiteral("properties"), QJsonObject{{QStringLiteral("desired"), desired}}}}}});
    if (enrolled.status != 201)
        return {};
    const QString key = DeviceFixture::primaryKey(enrolled.json());
    QJsonObject op = m_f.registerDevice(id, key).json();
    if (op.value(QStringLiteral("status")).toString() == QLatin1String("assigning"))
        op = m_f.waitForOperation(id, key, op.value(QStringLiteral("operationId")).toString());
    const QJsonObject state = DeviceFixture::state(op);
    return {state.value(QStringLiteral("deviceId")).toString(), DeviceFixture::hubKey(state)};
}

std::unique_ptr<MqttTestClient> TestAzureDevice::sdkClient(const QString &id, MqttTestClient::Protocol protocol,
                                                           bool cleanSession)
{
    auto client = std::make_unique<MqttTestClient>(id, protocol, cleanSession);
    client->setCredentials(sdkUsername(id).toUtf8(), token(id).toUtf8());
    const int connack = client->connect(QStringLiteral("127.0.0.1"), m_port, m_f.mw->caCertificatePath());
    if (connack != 0) {
        qWarning("%s: CONNACK %d", qPrintable(id), connack);
        return nullptr;
    }
    return client;
}

void TestAzureDevice::twinGetAnswersTheAskingDeviceOnly()
{
    auto asker = sdkClient(QStringLiteral("az-1"), MqttTestClient::Mqtt311);
    auto other = sdkClient(QStringLiteral("az-2"), MqttTestClient::Mqtt311);
    QVERIFY(asker && other);
    QCOMPARE(asker->subscribe(QStringLiteral("$iothub/twin/res/#")), 1);
    QCOMPARE(other->subscribe(QStringLiteral("$iothub/twin/res/#")), 1);

    QCOMPARE(asker->publish(QStringLiteral("$iothub/twin/GET/?$rid=42"), QByteArray()), 0);
    QVERIFY2(asker->waitForMessages(1, 10000), "no twin answer");
    const auto answer = asker->messages().first();
    QCOMPARE(answer.topic, QStringLiteral("$iothub/twin/res/200/?$rid=42"));
    const QJsonObject doc = jsonOf(answer.payload);
    QCOMPARE(doc.value(QStringLiteral("desired")).toObject().value(QStringLiteral("mode")).toString(),
             QStringLiteral("az-1-mode"));
    QVERIFY(doc.value(QStringLiteral("desired")).toObject().contains(QStringLiteral("$version")));
    QVERIFY(doc.value(QStringLiteral("reported")).toObject().contains(QStringLiteral("$version")));
    QVERIFY(!doc.contains(QStringLiteral("properties")));

    // The other device, on the very same filter, heard nothing; its own
    // GET is answered with its own twin.
    other->pump(500);
    QVERIFY(other->messages().isEmpty());
    QCOMPARE(other->publish(QStringLiteral("$iothub/twin/GET/?$rid=42"), QByteArray()), 0);
    QVERIFY(other->waitForMessages(1, 10000));
    QCOMPARE(jsonOf(other->messages().first().payload)
                 .value(QStringLiteral("desired"))
                 .toObject()
                 .value(QStringLiteral("mode"))
                 .toString(),
             QStringLiteral("az-2-mode"));
    asker->pump(500);
    QCOMPARE(asker->messages().size(), 1);
}

void TestAzureDevice::twinAnswerWaitsInTheSession()
{
    // A device that asks and drops its connection at once (as a flaky link
    // would) finds the answer when it resumes its persistent session.
    auto asker = sdkClient(QStringLiteral("az-1"), MqttTestClient::Mqtt311, false);
    QVERIFY(asker);
    QCOMPARE(asker->subscribe(QStringLiteral("$iothub/twin/res/#")), 1);
    QCOMPARE(asker->publish(QStringLiteral("$iothub/twin/GET/?$rid=77"), QByteArray()), 0);
    asker->disconnect();
    QTest::qWait(500);
    auto back = sdkClient(QStringLiteral("az-1"), MqttTestClient::Mqtt311, false);
    QVERIFY(back);
    const int before = int(asker->messages().size());
    QVERIFY(before == 1 || back->waitForMessages(1, 10000));
    back->pump(300);
    const auto answers = asker->messages() + back->messages();
    QCOMPARE(answers.size(), 1);
    QCOMPARE(answers.first().topic, QStringLiteral("$iothub/twin/res/200/?$rid=77"));
    // A clean start forgets the session and its $iothub subscriptions.
    back->disconnect();
    auto fresh = sdkClient(QStringLiteral("az-1"), MqttTestClient::Mqtt311, true);
    QVERIFY(fresh);
    QCOMPARE(fresh->publish(QStringLiteral("$iothub/twin/GET/?$rid=78"), QByteArray()), 0);
    fresh->pump(1000);
    QVERIFY(fresh->messages().isEmpty());
}

void TestAzureDevice::reportedPatchIsStoredAndAcknowledged()
{
    auto device = sdkClient(QStringLiteral("az-1"), MqttTestClient::Mqtt311);
    QVERIFY(device);
    QCOMPARE(device->subscribe(QStringLiteral("$iothub/twin/res/#")), 1);
    QCOMPARE(device->publish(QStringLiteral("$iothub/twin/PATCH/properties/reported/?$rid=7"),
                             R"({"temperature":21.5,"firmware":{"version":"1.2"}})"),
             0);
    QVERIFY(device->waitForMessages(1, 10000));
    const QString topic = device->takeMessages().first().topic;
    const QRegularExpression acknowledged(QStringLiteral(R"(^\$iothub/twin/res/204/\?\$rid=7&\$version=(\d+)$)"));
    const auto match = acknowledged.match(topic);
    QVERIFY2(match.hasMatch(), qPrintable(topic));
    const int version = match.captured(1).toInt();

    const QJsonObject reported = twin(QStringLiteral("az-1"))
                                     .value(QStringLiteral("properties"))
                                     .toObject()
                                     .value(QStringLiteral("reported"))
                                     .toObject();
    QCOMPARE(reported.value(QStringLiteral("temperature")).toDouble(), 21.5);
    QCOMPARE(reported.value(QStringLiteral("$version")).toInt(), version);

    // A merge patch: null deletes, the version moves on.
    QCOMPARE(
        device->publish(QStringLiteral("$iothub/twin/PATCH/properties/reported/?$rid=8"), R"({"temperature":null})"),
        0);
    QVERIFY(device->waitForMessages(1, 10000));
    QCOMPARE(device->takeMessages().first().topic,
             QStringLiteral("$iothub/twin/res/204/?$rid=8&$version=%1").arg(version + 1));
    const QJsonObject after = twin(QStringLiteral("az-1"))
                                  .value(QStringLiteral("properties"))
                                  .toObject()
                                  .value(QStringLiteral("reported"))
                                  .toObject();
    QVERIFY(!after.contains(QStringLiteral("temperature")));
    QCOMPARE(after.value(QStringLiteral("firmware")).toObject().value(QStringLiteral("version")).toString(),
             QStringLiteral("1.2"));

    // A twin GET shows it as well.
    QCOMPARE(device->publish(QStringLiteral("$iothub/twin/GET/?$rid=9"), QByteArray()), 0);
    QVERIFY(device->waitForMessages(1, 10000));
    const QJsonObject doc = jsonOf(device->messages().first().payload);
    QCOMPARE(doc.value(QStringLiteral("reported")).toObject().value(QStringLiteral("$version")).toInt(), version + 1);
}

void TestAzureDevice::badReportedPatchesGetErrorAnswers_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<int>("status");
    QTest::newRow("not json") << QByteArray("{nope") << 400;
    QTest::newRow("not an object") << QByteArray("[1,2]") << 400;
    QTest::newRow("too deep") << QByteArray(200, '[').prepend("{\"a\":").append(QByteArray(200, ']')).append('}')
                              << 400;
    QTest::newRow("too large") << QByteArray("{\"a\":\"") + QByteArray(40 * 1024, 'x') + QByteArray("\"}") << 413;
}

void TestAzureDevice::badReportedPatchesGetErrorAnswers()
{
    QFETCH(QByteArray, payload);
    QFETCH(int, status);
    auto device = sdkClient(QStringLiteral("az-2"), MqttTestClient::Mqtt311);
    QVERIFY(device);
    QCOMPARE(device->subscribe(QStringLiteral("$iothub/twin/res/#")), 1);
    const QJsonObject before = twin(QStringLiteral("az-2"));
    QCOMPARE(device->publish(QStringLiteral("$iothub/twin/PATCH/properties/reported/?$rid=bad"), payload), 0);
    QVERIFY(device->waitForMessages(1, 10000));
    QCOMPARE(device->messages().first().topic, QStringLiteral("$iothub/twin/res/%1/?$rid=bad").arg(status));
    QCOMPARE(twin(QStringLiteral("az-2")).value(QStringLiteral("properties")),
             before.value(QStringLiteral("properties")));
}

void TestAzureDevice::desiredChangeReachesThatDeviceOnly()
{
    auto device = sdkClient(QStringLiteral("az-1"), MqttTestClient::Mqtt311);
    auto other = sdkClient(QStringLiteral("az-2"), MqttTestClient::Mqtt311);
    QVERIFY(device && other);
    QCOMPARE(device->subscribe(QStringLiteral("$iothub/twin/PATCH/properties/desired/#")), 1);
    QCOMPARE(other->subscribe(QStringLiteral("$iothub/twin/PATCH/properties/desired/#")), 1);
    const auto patched = m_f.operatorClient->patch(
        QStringLiteral("/api/v1/devices/az-1/twin"),
        QJsonObject{{QStringLiteral("desired"), QJsonObject{{QStringLiteral("interval"), 30}}}});
    QVERIFY2(patched.status == 200, patched.body.constData());
    const int version = twin(QStringLiteral("az-1"))
                            .value(QStringLiteral("properties"))
                            .toObject()
                            .value(QStringLiteral("desired"))
                            .toObject()
                            .value(QStringLiteral("$version"))
                            .toInt();
    QVERIFY(version >= 2);
    QVERIFY2(device->waitForMessages(1, 10000), "no desired notification");
    const auto note = device->messages().first();
    QCOMPARE(note.topic, QStringLiteral("$iothub/twin/PATCH/properties/desired/?$version=%1").arg(version));
    const QJsonObject body = jsonOf(note.payload);
    QCOMPARE(body.value(QStringLiteral("interval")).toInt(), 30);
    QCOMPARE(body.value(QStringLiteral("$version")).toInt(), version);
    other->pump(500);
    QVERIFY(other->messages().isEmpty());
}

void TestAzureDevice::directMethodOverIotHubTopics()
{
    // The device answers from the event loop while the HTTP call waits, as
    // an SDK's method handler would.
    MqttClient device;
    device.setHostname(QStringLiteral("127.0.0.1"));
    device.setPort(m_port);
    device.setClientId(QStringLiteral("az-1"));
    device.setUsername(sdkUsername(QStringLiteral("az-1")));
    device.setPassword(token(QStringLiteral("az-1")));
    device.setProtocolVersion(MqttClient::Mqtt311);
    device.setCleanSession(false);
    device.setTlsEnabled(true);
    QFile ca(m_f.mw->caCertificatePath());
    QVERIFY(ca.open(QIODevice::ReadOnly));
    device.setCaCertificates(ca.readAll());
    device.setPeerVerifyName(kHubHost);
    device.subscribe(QStringLiteral("$iothub/methods/POST/#"), 1);
    QList<QString> requests;
    connect(&device, &MqttClient::messageReceived, &device, [&](const QByteArray &payload, const QString &topic) {
        requests << topic;
        const QRegularExpression call(QStringLiteral(R"(^\$iothub/methods/POST/([^/]+)/\?\$rid=(.+)$)"));
        const auto m = call.match(topic);
        if (!m.hasMatch())
            return;
        const QJsonObject answer{{QStringLiteral("method"), m.captured(1)},
                                 {QStringLiteral("got"), QJsonDocument::fromJson(payload).object()}};
        device.publish(QStringLiteral("$iothub/methods/res/201/?$rid=") + m.captured(2),
                       QJsonDocument(answer).toJson(QJsonDocument::Compact), 1);
    });
    QSignalSpy subscribed(&device, &MqttClient::subscribed);
    device.connectToHost();
    QVERIFY(subscribed.wait(10000));

    auto other = sdkClient(QStringLiteral("az-2"), MqttTestClient::Mqtt311);
    QVERIFY(other);
    QCOMPARE(other->subscribe(QStringLiteral("$iothub/methods/POST/#")), 1);

    const auto r =
        m_f.operatorClient->post(QStringLiteral("/api/v1/devices/az-1/methods/setLed"),
                                 QJsonObject{{QStringLiteral("payload"), QJsonObject{{QStringLiteral("on"), true}}},
                                             {QStringLiteral("responseTimeoutInSeconds"), 10}});
    QVERIFY2(r.status == 200, r.body.constData());
    QCOMPARE(r.json().value(QStringLiteral("status")).toInt(), 201);
    const QJsonObject payload = r.json().value(QStringLiteral("payload")).toObject();
    QCOMPARE(payload.value(QStringLiteral("method")).toString(), QStringLiteral("setLed"));
    QCOMPARE(payload.value(QStringLiteral("got")).toObject().value(QStringLiteral("on")).toBool(), true);
    QCOMPARE(requests.size(), 1);
    QVERIFY(requests.first().startsWith(QLatin1String("$iothub/methods/POST/setLed/?$rid=")));
    other->pump(500);
    QVERIFY(other->messages().isEmpty());
    device.disconnectFromHost();
}

void TestAzureDevice::devicesCannotSpeakForTheHub_data()
{
    QTest::addColumn<QString>("topic");
    QTest::newRow("twin answer") << QStringLiteral("$iothub/twin/res/200/?$rid=42");
    QTest::newRow("desired notification") << QStringLiteral("$iothub/twin/PATCH/properties/desired/?$version=99");
    QTest::newRow("method call") << QStringLiteral("$iothub/methods/POST/reboot/?$rid=1");
    QTest::newRow("another's twin GET") << QStringLiteral("devices/az-2/twin/get/1");
    QTest::newRow("own twin answer") << QStringLiteral("devices/az-1/twin/res/200/42");
    QTest::newRow("another's twin answer") << QStringLiteral("devices/az-2/twin/res/200/42");
    QTest::newRow("rid with a slash") << QStringLiteral("$iothub/twin/GET/?$rid=4/2");
    QTest::newRow("rid too long") << QStringLiteral("$iothub/twin/GET/?$rid=") + QString(129, QLatin1Char('7'));
    QTest::newRow("cloud-to-device") << QStringLiteral("devices/az-2/messages/devicebound/x");
}

void TestAzureDevice::devicesCannotSpeakForTheHub()
{
    QFETCH(QString, topic);
    auto hostile = sdkClient(QStringLiteral("az-1"), MqttTestClient::Mqtt5);
    auto victim = sdkClient(QStringLiteral("az-2"), MqttTestClient::Mqtt311);
    QVERIFY(hostile && victim);
    for (const char *filter :
         {"$iothub/twin/res/#", "$iothub/twin/PATCH/properties/desired/#", "$iothub/methods/POST/#"})
        QCOMPARE(victim->subscribe(QString::fromLatin1(filter)), 1);
    QCOMPARE(victim->subscribe(QStringLiteral("devices/az-2/twin/res/#")), 1);
    QCOMPARE(hostile->publish(topic, R"({"desired":{"mode":"evil"}})"), 0x87); // not authorised
    victim->pump(500);
    QVERIFY(victim->messages().isEmpty());
}

void TestAzureDevice::forbiddenSubscriptionsAreRefused_data()
{
    QTest::addColumn<QString>("filter");
    QTest::newRow("all of $iothub") << QStringLiteral("$iothub/#");
    QTest::newRow("twin requests") << QStringLiteral("$iothub/twin/GET/#");
    QTest::newRow("method answers") << QStringLiteral("$iothub/methods/res/#");
    QTest::newRow("another's twin answers") << QStringLiteral("devices/az-2/twin/res/#");
    QTest::newRow("another's cloud-to-device") << QStringLiteral("devices/az-2/messages/devicebound/#");
}

void TestAzureDevice::forbiddenSubscriptionsAreRefused()
{
    QFETCH(QString, filter);
    auto device = sdkClient(QStringLiteral("az-1"), MqttTestClient::Mqtt5);
    QVERIFY(device);
    QVERIFY(device->subscribe(filter) >= 0x80);
}

void TestAzureDevice::twinRequestsOverTheRateGet429()
{
    // The hub's per-device budget for twin requests (reported_burst, 10 by
    // default): beyond it IoT Hub's SDKs are told 429, not disconnected.
    auto device = sdkClient(QStringLiteral("az-3"), MqttTestClient::Mqtt311);
    QVERIFY(device);
    QCOMPARE(device->subscribe(QStringLiteral("$iothub/twin/res/#")), 1);
    constexpr int kRequests = 16;
    for (int i = 0; i < kRequests; ++i)
        QCOMPARE(device->publish(QStringLiteral("$iothub/twin/GET/?$rid=%1").arg(i), QByteArray()), 0);
    QVERIFY(device->waitForMessages(kRequests, 15000));
    QVERIFY(device->isConnected());
    int ok = 0, limited = 0;
    for (const auto &m : device->messages()) {
        if (m.topic.startsWith(QLatin1String("$iothub/twin/res/200/")))
            ++ok;
        else if (m.topic.startsWith(QLatin1String("$iothub/twin/res/429/")))
            ++limited;
    }
    QCOMPARE(ok + limited, kRequests);
    QVERIFY2(ok >= 10 && limited >= 1, qPrintable(QStringLiteral("%1 answered, %2 limited").arg(ok).arg(limited)));
}

void TestAzureDevice::cloudToDeviceReachesThatDeviceOnly()
{
    auto device = sdkClient(QStringLiteral("az-1"), MqttTestClient::Mqtt311);
    auto other = sdkClient(QStringLiteral("az-2"), MqttTestClient::Mqtt311);
    QVERIFY(device && other);
    QCOMPARE(device->subscribe(QStringLiteral("devices/az-1/messages/devicebound/#")), 1);
    QCOMPARE(other->subscribe(QStringLiteral("devices/az-2/messages/devicebound/#")), 1);

    const QString path = QStringLiteral("/api/v1/devices/az-1/messages");
    const QJsonObject body{
        {QStringLiteral("payload"), QJsonObject{{QStringLiteral("led"), QStringLiteral("on")}}},
        {QStringLiteral("properties"), QJsonObject{{QStringLiteral("kind"), QStringLiteral("cmd")},
                                                   {QStringLiteral("note"), QStringLiteral("a b/c")}}},
        {QStringLiteral("ttlSeconds"), 120}};
    QCOMPARE(m_f.viewer->post(path, body).status, 403);
    const auto sent = m_f.operatorClient->post(path, body);
    QVERIFY2(sent.status == 202, sent.body.constData());
    const QString messageId = sent.json().value(QStringLiteral("messageId")).toString();
    QVERIFY(!messageId.isEmpty());

    QVERIFY2(device->waitForMessages(1, 10000), "no cloud-to-device message");
    const auto got = device->messages().first();
    QVERIFY2(got.topic.startsWith(QLatin1String("devices/az-1/messages/devicebound/")), qPrintable(got.topic));
    const auto bag = MqttTopic::decodePropertyBag(got.topic.mid(got.topic.lastIndexOf(QLatin1Char('/')) + 1));
    QVERIFY(bag);
    QHash<QString, QString> props;
    for (const auto &p : *bag)
        props.insert(p.first, p.second);
    QCOMPARE(props.value(QStringLiteral("$.mid")), messageId);
    QCOMPARE(props.value(QStringLiteral("$.to")), QStringLiteral("/devices/az-1/messages/deviceBound"));
    QCOMPARE(props.value(QStringLiteral("$.ct")), QStringLiteral("application/json"));
    QVERIFY(fromIsoUtc(props.value(QStringLiteral("$.exp"))).has_value());
    QCOMPARE(props.value(QStringLiteral("kind")), QStringLiteral("cmd"));
    QCOMPARE(props.value(QStringLiteral("note")), QStringLiteral("a b/c"));
    QCOMPARE(jsonOf(got.payload).value(QStringLiteral("led")).toString(), QStringLiteral("on"));
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(QStringLiteral("az-1"), messageId), QStringLiteral("delivered"), 10000);

    // Binary payloads travel as sent.
    const QByteArray bytes("\x00\x01\xfe\xff", 4);
    const auto binary =
        m_f.operatorClient->post(path, QJsonObject{{QStringLiteral("payload"), QString::fromLatin1(bytes.toBase64())},
                                                   {QStringLiteral("payloadEncoding"), QStringLiteral("base64")}});
    QVERIFY2(binary.status == 202, binary.body.constData());
    QVERIFY(device->waitForMessages(2, 10000));
    QCOMPARE(device->messages().at(1).payload, bytes);

    other->pump(500);
    QVERIFY(other->messages().isEmpty());
}

void TestAzureDevice::cloudToDeviceWaitsInTheSessionUntilItExpires()
{
    const QString id = QStringLiteral("az-3");
    {
        // An SDK-like device: persistent session, subscribed, then gone.
        auto device = sdkClient(id, MqttTestClient::Mqtt311, false);
        QVERIFY(device);
        QCOMPARE(device->subscribe(QStringLiteral("devices/az-3/messages/devicebound/#")), 1);
        device->disconnect();
    }
    const QString path = QStringLiteral("/api/v1/devices/az-3/messages");
    const auto kept = m_f.operatorClient->post(
        path, QJsonObject{{QStringLiteral("payload"), QStringLiteral("kept")}, {QStringLiteral("ttlSeconds"), 600}});
    QCOMPARE(kept.status, 202);
    const auto shortLived = m_f.operatorClient->post(
        path, QJsonObject{{QStringLiteral("payload"), QStringLiteral("short")}, {QStringLiteral("ttlSeconds"), 2}});
    QCOMPARE(shortLived.status, 202);
    // The hub took both for the device's session.
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(id, kept.json().value(QStringLiteral("messageId")).toString()),
                              QStringLiteral("delivered"), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(id, shortLived.json().value(QStringLiteral("messageId")).toString()),
                              QStringLiteral("delivered"), 10000);
    QTest::qWait(3500); // the short one's time to live runs out in the hub

    auto back = sdkClient(id, MqttTestClient::Mqtt311, false);
    QVERIFY(back);
    QVERIFY(back->waitForMessages(1, 10000));
    back->pump(1000);
    QCOMPARE(back->messages().size(), 1);
    QCOMPARE(back->messages().first().payload, QByteArray("\"kept\""));
}

void TestAzureDevice::badCloudMessagesChangeNothing_data()
{
    QTest::addColumn<QString>("device");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    const QString d = QStringLiteral("az-2");
    QTest::newRow("no payload") << d << QByteArray(R"({"ttlSeconds":5})") << 400;
    QTest::newRow("not json") << d << QByteArray("{payload") << 400;
    QTest::newRow("unknown field") << d << QByteArray(R"({"payload":1,"to":"x"})") << 400;
    QTest::newRow("ttl 0") << d << QByteArray(R"({"payload":1,"ttlSeconds":0})") << 400;
    QTest::newRow("ttl over 2 days") << d << QByteArray(R"({"payload":1,"ttlSeconds":172801})") << 400;
    QTest::newRow("bad encoding") << d << QByteArray(R"({"payload":"x","payloadEncoding":"hex"})") << 400;
    QTest::newRow("bad base64") << d << QByteArray(R"({"payload":"%%%","payloadEncoding":"base64"})") << 400;
    QTest::newRow("base64 not a string") << d << QByteArray(R"({"payload":1,"payloadEncoding":"base64"})") << 400;
    QTest::newRow("system property") << d << QByteArray(R"({"payload":1,"properties":{"$.mid":"x"}})") << 400;
    QTest::newRow("property not a string") << d << QByteArray(R"({"payload":1,"properties":{"a":1}})") << 400;
    QTest::newRow("properties not an object") << d << QByteArray(R"({"payload":1,"properties":[]})") << 400;
    QByteArray many = "{\"payload\":1,\"properties\":{";
    for (int i = 0; i < 33; ++i)
        many += (i ? "," : "") + QByteArray("\"p") + QByteArray::number(i) + "\":\"v\"";
    QTest::newRow("33 properties") << d << (many + "}}") << 400;
    QTest::newRow("properties over 4 KiB")
        << d << (QByteArray(R"({"payload":1,"properties":{"a":")") + QByteArray(4100, 'x') + "\"}}") << 400;
    QTest::newRow("body over 64 KiB") << d << (QByteArray(R"({"payload":")") + QByteArray(64 * 1024, 'x') + "\"}")
                                      << 413;
    QTest::newRow("unknown device") << QStringLiteral("nobody") << QByteArray(R"({"payload":1})") << 404;
    QTest::newRow("bad device id") << QStringLiteral("a%20b") << QByteArray(R"({"payload":1})") << 400;
}

void TestAzureDevice::badCloudMessagesChangeNothing()
{
    QFETCH(QString, device);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    const int before = int(listedMessages(QStringLiteral("az-2")).size());
    const auto r = m_f.operatorClient->send("POST", QStringLiteral("/api/v1/devices/%1/messages").arg(device), body);
    QVERIFY2(r.status == status, r.body.constData());
    QCOMPARE(int(listedMessages(QStringLiteral("az-2")).size()), before);
}

void TestAzureDevice::cloudMessagesWaitForTheHubAndAreLimited()
{
    // With the hub down, messages wait in the middleware: at most 50 per
    // device; one whose time to live ends first expires there.
    m_broker.stop();
    QTRY_VERIFY_WITH_TIMEOUT(
        !m_f.viewer->get(QStringLiteral("/api/v1/hubs/hub1/status")).json().value(QStringLiteral("connected")).toBool(),
        15000);
    const QString path = QStringLiteral("/api/v1/devices/az-2/messages");
    const auto expiring = m_f.operatorClient->post(
        path, QJsonObject{{QStringLiteral("payload"), QStringLiteral("late")}, {QStringLiteral("ttlSeconds"), 1}});
    QCOMPARE(expiring.status, 202);
    const QString expiringId = expiring.json().value(QStringLiteral("messageId")).toString();
    QStringList waiting;
    for (int i = 1; i < 50; ++i) {
        const auto r = m_f.operatorClient->post(path, QJsonObject{{QStringLiteral("payload"), i}});
        QVERIFY2(r.status == 202, r.body.constData());
        waiting << r.json().value(QStringLiteral("messageId")).toString();
    }
    const auto refused = m_f.operatorClient->post(path, QJsonObject{{QStringLiteral("payload"), 51}});
    QVERIFY2(refused.status == 429, refused.body.constData());
    QCOMPARE(stateOf(QStringLiteral("az-2"), waiting.last()), QStringLiteral("queued"));

    // The expiry pass runs with the hub link's poll (10 s by default).
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(QStringLiteral("az-2"), expiringId), QStringLiteral("expired"), 20000);
    // Its place in the queue is free again.
    QCOMPARE(m_f.operatorClient->post(path, QJsonObject{{QStringLiteral("payload"), 50}}).status, 202);

    // The hub is back: what waited goes out.
    QVERIFY2(m_broker.start(m_work.filePath(QStringLiteral("hub1/mosquitto.conf")), m_port),
             qPrintable(m_broker.log()));
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(QStringLiteral("az-2"), waiting.first()), QStringLiteral("delivered"), 30000);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(QStringLiteral("az-2"), waiting.last()), QStringLiteral("delivered"), 30000);
    QCOMPARE(stateOf(QStringLiteral("az-2"), expiringId), QStringLiteral("expired"));
}

QTEST_MAIN(TestAzureDevice)
#include "tst_azuredevice.moc"

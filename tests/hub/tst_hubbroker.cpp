// SPDX-License-Identifier: Apache-2.0
//
// The hub end to end: a real middleware links hub1, the real
// `provisio-middleware hub-config` writes the broker configuration, a real
// /usr/sbin/mosquitto runs it with the real provisio_auth plugin, and real
// MQTT clients (libmosquitto, MQTT 5 unless said otherwise) knock on the
// door over TLS trusting only the middleware's CA.

#include "childprocesswatch.h"
#include "mqtttestclient.h"

#include "app/hubconfig.h"
#include "app/service.h"
#include "crypto/keys.h"
#include "crypto/sastoken.h"
#include "httpsclient.h"
#include "middlewareprocess.h"
#include "mosquittoprocess.h"
#include "storage/hubstore.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <memory>
#include <sys/stat.h>

using namespace Provisio;
using namespace Provisio::Test;

namespace {

constexpr int kNotAuthorized = 0x87; // MQTT 5 reason code
constexpr int kMaxLifetime = 3600;   // what the test hub is configured with
constexpr int kClockSkew = 1;
const QString kHubHost = QStringLiteral("hub1.provisio.test");
const QString kControl = QStringLiteral("$CONTROL/provisio-hub/v1");
const QString kControlResponse = QStringLiteral("$CONTROL/provisio-hub/v1/response");

qint64 now()
{
    return QDateTime::currentSecsSinceEpoch();
}

QByteArray deviceUsername(const QString &deviceId, const QString &host = kHubHost)
{
    return (host + QLatin1Char('/') + deviceId +
            QStringLiteral("/?api-version=2021-04-12&DeviceClientType=provisio-tests%2F1.0"))
        .toUtf8();
}

int fileMode(const QString &path)
{
    struct stat st
    { };
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return -1;
    return int(st.st_mode & 0777);
}

} // namespace

class tst_HubBroker : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void hubConfigWritesPrivateFiles();
    void hubConfigRefusesUnknownHub();
    void deviceConnectsWithGoodToken_data();
    void deviceConnectsWithGoodToken();
    void refusedCredentials_data();
    void refusedCredentials();
    void serviceIdentityConnects_data();
    void serviceIdentityConnects();
    void deviceConfinedToOwnTopics();
    void willTopicIsChecked();
    void revocationDisconnectsAtOnceAndPersists();
    void controlTopicIsServiceOnly();
    void expiredTokenIsDisconnected();
    void badPluginOptionStopsBroker_data();
    void badPluginOptionStopsBroker();
    void logsHoldNoSecrets();
    void reconnectedServiceHoldsDevicesUntilSubscribed();

private:
    QString deviceKey(const QString &deviceId) const { return *Crypto::deriveKey(m_signingKey, deviceId); }
    QByteArray deviceToken(const QString &deviceId, qint64 expiry = 0) const
    {
        return SasToken::create(kHubHost + QStringLiteral("/devices/") + deviceId, deviceKey(deviceId),
                                expiry ? expiry : now() + 600)
            .toUtf8();
    }
    QByteArray serviceToken(qint64 expiry = 0) const
    {
        return SasToken::create(kHubHost, m_serviceKey, expiry ? expiry : now() + 600, hubServicePolicyName()).toUtf8();
    }
    std::unique_ptr<MqttTestClient> connectDevice(const QString &deviceId, int *connack = nullptr,
                                                  MqttTestClient::Protocol protocol = MqttTestClient::Mqtt5);
    std::unique_ptr<MqttTestClient> connectService(const QString &clientId);
    int connectWith(MqttTestClient &client) { return client.connect(QStringLiteral("127.0.0.1"), m_port, m_caPath); }
    // Sends a control command and waits for its answer; other messages that
    // arrive meanwhile go to `others`.
    QJsonObject control(MqttTestClient &service, const QJsonObject &command,
                        QList<MqttTestClient::Message> *others = nullptr);
    bool restartBroker();

    MiddlewareProcess m_middleware;
    QTemporaryDir m_work;
    QString m_outDir;
    QString m_confPath;
    QString m_caPath;
    QString m_signingKey;
    QString m_serviceKey;
    QString m_hubConfigStderr;
    quint16 m_port = 0;
    MosquittoProcess m_broker{QStringLiteral(PROVISIO_MOSQUITTO_BIN)};
};

void tst_HubBroker::initTestCase()
{
    QVERIFY2(QFileInfo::exists(QStringLiteral(PROVISIO_MOSQUITTO_BIN)), "mosquitto is not installed");
    QVERIFY2(m_middleware.start(), qPrintable(m_middleware.lastError()));
    m_port = freeLocalPort();
    QVERIFY(m_port != 0);

    // Link hub1 through the CRM API, as an administrator would. The device
    // dials 127.0.0.1:port; the name inside tokens stays kHubHost.
    HttpsClient http(m_middleware.baseUrl(), m_middleware.caCertificatePath());
    http.setBearer(m_middleware.createToken(QStringLiteral("admin"), QStringLiteral("hub-tests")));
    QVERIFY(!http.bearer().isEmpty());
    const auto reply = http.put(QStringLiteral("/api/v1/hubs/hub1"),
                                QJsonObject{{QStringLiteral("host"), kHubHost},
                                            {QStringLiteral("port"), int(m_port)},
                                            {QStringLiteral("endpoint"), QStringLiteral("127.0.0.1:%1").arg(m_port)}});
    m_middleware.stop();

    // The key is read back from the middleware's own store; when the hub API
    // answered differently than expected, the hub is linked there directly.
    ServiceConfig config;
    config.dataDir = m_middleware.dataDir();
    config.databaseUrl = m_middleware.databaseUrl();
    {
        auto stores = openOfflineStores(config);
        QVERIFY2(stores, qPrintable(stores ? QString() : stores.error().message));
        if (reply.status != 200 && reply.status != 201) {
            qWarning("PUT /api/v1/hubs/hub1 answered %d (%s); linking through HubStore", reply.status,
                     reply.body.constData());
            Hub hub;
            hub.name = QStringLiteral("hub1");
            hub.host = kHubHost;
            hub.port = m_port;
            hub.endpoint = QStringLiteral("127.0.0.1:%1").arg(m_port);
            hub.signingKey = Crypto::generateSymmetricKey(32);
            auto saved = (*stores)->hubs->upsert(hub);
            QVERIFY2(saved, qPrintable(saved ? QString() : saved.error().message));
        }
        auto hub = (*stores)->hubs->find(QStringLiteral("hub1"));
        QVERIFY(hub && hub->has_value());
        m_signingKey = (*hub)->signingKey;
    }
    QVERIFY(!m_signingKey.isEmpty());
    m_serviceKey = *hubServicePolicyKey(m_signingKey);

    m_outDir = m_work.filePath(QStringLiteral("hub1"));
    const auto result = writeHubConfig(m_middleware, QStringLiteral("hub1"), m_port, m_outDir,
                                       {QStringLiteral("--max-token-lifetime"), QString::number(kMaxLifetime),
                                        QStringLiteral("--clock-skew"), QString::number(kClockSkew),
                                        // No middleware subscribes here: devices need not wait for one.
                                        QStringLiteral("--device-gate-seconds"), QStringLiteral("0")});
    m_hubConfigStderr = result.err;
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    m_confPath = QDir(m_outDir).filePath(QStringLiteral("mosquitto.conf"));
    m_caPath = QDir(m_outDir).filePath(QStringLiteral("ca.crt"));
    QVERIFY2(m_broker.start(m_confPath, m_port), qPrintable(m_broker.log()));
}

void tst_HubBroker::cleanupTestCase()
{
    m_broker.stop();
}

bool tst_HubBroker::restartBroker()
{
    m_broker.stop();
    return m_broker.start(m_confPath, m_port);
}

std::unique_ptr<MqttTestClient> tst_HubBroker::connectDevice(const QString &deviceId, int *connack,
                                                             MqttTestClient::Protocol protocol)
{
    auto client = std::make_unique<MqttTestClient>(deviceId, protocol);
    client->setCredentials(deviceUsername(deviceId), deviceToken(deviceId));
    const int rc = connectWith(*client);
    if (connack)
        *connack = rc;
    return client;
}

std::unique_ptr<MqttTestClient> tst_HubBroker::connectService(const QString &clientId)
{
    auto client = std::make_unique<MqttTestClient>(clientId);
    client->setCredentials(hubServiceUsername(kHubHost).toUtf8(), serviceToken());
    if (connectWith(*client) != 0)
        return {};
    return client;
}

QJsonObject tst_HubBroker::control(MqttTestClient &service, const QJsonObject &command,
                                   QList<MqttTestClient::Message> *others)
{
    service.takeMessages();
    if (service.publish(kControl, QJsonDocument(command).toJson(QJsonDocument::Compact)) == MqttTestClient::kNoAnswer)
        return {};
    const QString requestId = command.value(QStringLiteral("requestId")).toString();
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 3000) {
        service.waitForMessages(1, 200);
        for (const auto &m : service.takeMessages()) {
            const QJsonObject answer = QJsonDocument::fromJson(m.payload).object();
            if (m.topic == kControlResponse && answer.value(QStringLiteral("requestId")).toString() == requestId)
                return answer;
            if (others)
                others->append(m);
        }
    }
    return {};
}

void tst_HubBroker::hubConfigWritesPrivateFiles()
{
    QCOMPARE(fileMode(m_confPath), 0600);
    QCOMPARE(fileMode(QDir(m_outDir).filePath(QStringLiteral("hub.key"))), 0600);
    QVERIFY(QFileInfo(QDir(m_outDir).filePath(QStringLiteral("data"))).isDir());
    QFile conf(m_confPath);
    QVERIFY(conf.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(conf.readAll());
    for (const char *line : {"per_listener_settings false", "allow_anonymous false", "persistence true", "max_qos 1",
                             "require_certificate false", "plugin_opt_hub_host hub1.provisio.test",
                             "plugin_opt_service_policy provisio-service", "plugin_opt_clock_skew 1",
                             "plugin_opt_max_token_lifetime 3600"}) {
        QVERIFY2(text.contains(QLatin1String(line)), line);
    }
    QVERIFY(text.contains(QStringLiteral("listener %1 127.0.0.1").arg(m_port)));
    QVERIFY(text.contains(QStringLiteral("persistence_location ") + m_outDir + QStringLiteral("/data/")));
    for (const char *line : {"max_queued_messages ", "max_inflight_messages ", "message_size_limit "})
        QVERIFY2(text.contains(QLatin1String(line)), line);
    // The hub's CA is the middleware's, which devices receive at registration.
    QFile ca(m_caPath), middlewareCa(m_middleware.caCertificatePath());
    QVERIFY(ca.open(QIODevice::ReadOnly) && middlewareCa.open(QIODevice::ReadOnly));
    QCOMPARE(ca.readAll(), middlewareCa.readAll());
    // The summary tells the operator what was written, without secrets.
    QVERIFY(m_hubConfigStderr.contains(QStringLiteral("mosquitto -c ") + m_confPath));
    QVERIFY(!m_hubConfigStderr.contains(m_signingKey));
    QVERIFY(!m_hubConfigStderr.contains(m_serviceKey));
}

void tst_HubBroker::hubConfigRefusesUnknownHub()
{
    const auto result =
        writeHubConfig(m_middleware, QStringLiteral("nope"), 18883, m_work.filePath(QStringLiteral("nope")));
    QVERIFY(result.exitCode != 0);
    QVERIFY2(result.err.contains(QStringLiteral("no hub named 'nope'")), qPrintable(result.err));
    QVERIFY(!QFileInfo::exists(m_work.filePath(QStringLiteral("nope/mosquitto.conf"))));
}

void tst_HubBroker::deviceConnectsWithGoodToken_data()
{
    QTest::addColumn<int>("protocol");
    QTest::newRow("mqtt5") << int(MqttTestClient::Mqtt5);
    QTest::newRow("mqtt3.1.1") << int(MqttTestClient::Mqtt311);
}

void tst_HubBroker::deviceConnectsWithGoodToken()
{
    QFETCH(int, protocol);
    int connack = -1;
    auto device = connectDevice(QStringLiteral("good-device"), &connack, MqttTestClient::Protocol(protocol));
    QCOMPARE(connack, 0);
    QVERIFY(device->isConnected());
    QCOMPARE(device->publish(QStringLiteral("devices/good-device/messages/events/"), "{\"t\":21.5}") & 0x80, 0);
    device->disconnect();
}

void tst_HubBroker::refusedCredentials_data()
{
    QTest::addColumn<QString>("clientId");
    QTest::addColumn<QByteArray>("username");
    QTest::addColumn<QByteArray>("password");
    QTest::addColumn<bool>("sendCredentials");
    QTest::addColumn<int>("protocol");

    const QString id = QStringLiteral("dev-a");
    const QString resource = kHubHost + QStringLiteral("/devices/") + id;
    const QString otherHubKey = Crypto::generateSymmetricKey(32);
    const auto row = [](const char *name, const QString &clientId, const QByteArray &user, const QByteArray &password,
                        bool send = true, int protocol = MqttTestClient::Mqtt5) {
        QTest::newRow(name) << clientId << user << password << send << protocol;
    };
    row("wrong key (another hub's)", id, deviceUsername(id),
        SasToken::create(resource, *Crypto::deriveKey(otherHubKey, id), now() + 600).toUtf8());
    row("hub signing key used directly", id, deviceUsername(id),
        SasToken::create(resource, m_signingKey, now() + 600).toUtf8());
    row("wrong client id", QStringLiteral("dev-b"), deviceUsername(id), deviceToken(id));
    row("username names another device", id, deviceUsername(QStringLiteral("dev-b")), deviceToken(id));
    row("token of another device", id, deviceUsername(id), deviceToken(QStringLiteral("dev-b")));
    row("another hub host", id, deviceUsername(id, QStringLiteral("hub2.provisio.test")),
        SasToken::create(QStringLiteral("hub2.provisio.test/devices/") + id, deviceKey(id), now() + 600).toUtf8());
    row("expired token", id, deviceUsername(id), deviceToken(id, now() - 600));
    row("lifetime over the maximum", id, deviceUsername(id), deviceToken(id, now() + kMaxLifetime + 600));
    row("malformed token", id, deviceUsername(id), QByteArrayLiteral("SharedAccessSignature sr=hub1&se=12"));
    row("not a token", id, deviceUsername(id), QByteArrayLiteral("hunter2"));
    row("tampered signature", id, deviceUsername(id), deviceToken(id).replace("&se=", "A&se="));
    row("empty password", id, deviceUsername(id), QByteArray(""));
    row("no credentials", id, {}, {}, false);
    row("device id with '+'", QStringLiteral("dev+a"), deviceUsername(QStringLiteral("dev+a")),
        deviceToken(QStringLiteral("dev+a")));
    row("device id with '#'", QStringLiteral("dev#a"), deviceUsername(QStringLiteral("dev#a")),
        deviceToken(QStringLiteral("dev#a")));
    row("device id with '/'", QStringLiteral("dev/a"), deviceUsername(QStringLiteral("dev/a")),
        deviceToken(QStringLiteral("dev/a")));
    row("device token with a policy name", id, deviceUsername(id),
        SasToken::create(resource, deviceKey(id), now() + 600, QStringLiteral("registration")).toUtf8());
    row("service policy signed with the signing key", QStringLiteral("mw"), hubServiceUsername(kHubHost).toUtf8(),
        SasToken::create(kHubHost, m_signingKey, now() + 600, hubServicePolicyName()).toUtf8());
    row("unknown policy", QStringLiteral("mw"), hubServiceUsername(kHubHost).toUtf8(),
        SasToken::create(kHubHost, m_serviceKey, now() + 600, QStringLiteral("iothubowner")).toUtf8());
    row("service token, device username", QStringLiteral("mw"), deviceUsername(QStringLiteral("mw")), serviceToken());
    row("expired service token", QStringLiteral("mw"), hubServiceUsername(kHubHost).toUtf8(),
        serviceToken(now() - 600));
    row("wrong key, MQTT 3.1.1", id, deviceUsername(id),
        SasToken::create(resource, *Crypto::deriveKey(otherHubKey, id), now() + 600).toUtf8(), true,
        MqttTestClient::Mqtt311);
}

void tst_HubBroker::refusedCredentials()
{
    QFETCH(QString, clientId);
    QFETCH(QByteArray, username);
    QFETCH(QByteArray, password);
    QFETCH(bool, sendCredentials);
    QFETCH(int, protocol);

    const qsizetype logBefore = m_broker.log().size();
    MqttTestClient client(clientId, MqttTestClient::Protocol(protocol));
    if (sendCredentials)
        client.setCredentials(username, password);
    const int connack = connectWith(client);
    // MQTT 5: 0x87 Not authorized; MQTT 3.1.1: 5 Connection refused, not authorized.
    QCOMPARE(connack, protocol == MqttTestClient::Mqtt5 ? kNotAuthorized : 5);
    QVERIFY(!client.isConnected());
    // The broker says why (the plugin's reason), unless it never got that far.
    if (sendCredentials) {
        QTRY_VERIFY2(m_broker.log().mid(logBefore).contains(QLatin1String("provisio: refused")),
                     qPrintable(m_broker.log().mid(logBefore)));
    }
}

void tst_HubBroker::serviceIdentityConnects_data()
{
    QTest::addColumn<QByteArray>("username");
    QTest::addColumn<QString>("resource");
    QTest::newRow("azure-style username, hub resource") << hubServiceUsername(kHubHost).toUtf8() << kHubHost;
    QTest::newRow("host/policy username, devices resource")
        << (kHubHost + QStringLiteral("/provisio-service/?api-version=2021-04-12")).toUtf8()
        << kHubHost + QStringLiteral("/devices");
}

void tst_HubBroker::serviceIdentityConnects()
{
    QFETCH(QByteArray, username);
    QFETCH(QString, resource);
    MqttTestClient service(QStringLiteral("provisio-middleware-a"));
    service.setCredentials(username,
                           SasToken::create(resource, m_serviceKey, now() + 600, hubServicePolicyName()).toUtf8());
    QCOMPARE(connectWith(service), 0);
    QCOMPARE(service.subscribe(QStringLiteral("$share/provisio/devices/#")), 1);
    QCOMPARE(service.subscribe(QStringLiteral("devices/+/twin/reported")), 1);
    QCOMPARE(service.subscribe(kControlResponse), 1);
    QCOMPARE(service.subscribe(QStringLiteral("$SYS/#")), kNotAuthorized);
    QCOMPARE(service.subscribe(QStringLiteral("#")), kNotAuthorized);
    QCOMPARE(service.publish(QStringLiteral("devices/some-device/twin/desired"), "{}") & 0x80, 0);
}

void tst_HubBroker::deviceConfinedToOwnTopics()
{
    auto service = connectService(QStringLiteral("provisio-middleware-1"));
    QVERIFY(service);
    QCOMPARE(service->subscribe(QStringLiteral("$share/provisio/devices/#")), 1);

    int connack = -1;
    auto a = connectDevice(QStringLiteral("dev-a"), &connack);
    QCOMPARE(connack, 0);
    auto b = connectDevice(QStringLiteral("dev-b"), &connack);
    QCOMPARE(connack, 0);

    // Publishing: own topics in the allowed direction only.
    QCOMPARE(a->publish(QStringLiteral("devices/dev-a/messages/events/%24.ct=application%2Fjson"), "own"), 0);
    QVERIFY(service->waitForMessages(1, 3000));
    QCOMPARE(service->takeMessages().first().payload, QByteArray("own"));
    QCOMPARE(a->publish(QStringLiteral("devices/dev-a/twin/reported"), "{}"), 0);
    QCOMPARE(a->publish(QStringLiteral("devices/dev-a/methods/res/200/17"), "{}"), 0);
    QCOMPARE(a->publish(QStringLiteral("devices/dev-a/status"), "online"), 0);
    QVERIFY(service->waitForMessages(3, 3000));
    service->takeMessages();

    const QStringList refusedPublish{
        QStringLiteral("devices/dev-b/messages/events/"),
        QStringLiteral("devices/dev-b/twin/reported"),
        QStringLiteral("devices/dev-b/status"),
        QStringLiteral("devices/dev-a/twin/desired"),     // the middleware's direction
        QStringLiteral("devices/dev-a/methods/reboot/1"), // ditto
        QStringLiteral("devices/dev-a/methods/res/ok/17"),
        QStringLiteral("devices/dev-a/other"),
        QStringLiteral("devices/dev-a"),
        QStringLiteral("dev-a/messages/events/"),
        QStringLiteral("$SYS/broker/anything"),
    };
    for (const QString &topic : refusedPublish)
        QVERIFY2(a->publish(topic, "intrusion") == kNotAuthorized, qPrintable(topic));
    service->pump(300);
    QVERIFY2(service->messages().isEmpty(), "a refused publish reached the service");
    QVERIFY(a->isConnected());

    // Subscribing: own desired properties and method requests only.
    const QStringList refusedFilters{
        QStringLiteral("devices/dev-b/twin/desired"),
        QStringLiteral("devices/+/twin/desired"),
        QStringLiteral("devices/#"),
        QStringLiteral("#"),
        QStringLiteral("+/dev-a/twin/desired"),
        QStringLiteral("devices/dev-a/#"),
        QStringLiteral("devices/dev-a/twin/reported"),
        QStringLiteral("devices/dev-a/methods/res/+/+"),
        QStringLiteral("$share/provisio/devices/#"),
        QStringLiteral("$share/provisio/devices/dev-a/twin/desired"),
        QStringLiteral("$SYS/#"),
        kControlResponse,
        QStringLiteral("$CONTROL/#"),
    };
    for (const QString &filter : refusedFilters)
        QVERIFY2(a->subscribe(filter) == kNotAuthorized, qPrintable(filter));
    QCOMPARE(a->subscribe(QStringLiteral("devices/dev-a/twin/desired")), 1);
    QCOMPARE(a->subscribe(QStringLiteral("devices/dev-a/methods/+/+")), 1);
    QCOMPARE(b->subscribe(QStringLiteral("devices/dev-b/twin/desired")), 1);

    // Reading: what the service sends to B never reaches A, and A does not
    // read back method responses although methods/+/+ matches them.
    QCOMPARE(service->publish(QStringLiteral("devices/dev-b/twin/desired"), "for-b") & 0x80, 0);
    QVERIFY(b->waitForMessages(1, 3000));
    QCOMPARE(service->publish(QStringLiteral("devices/dev-a/methods/res/200/5"), "not-for-a") & 0x80, 0);
    a->pump(300);
    QVERIFY2(a->messages().isEmpty(), "device A read a message it must not");
    QCOMPARE(service->publish(QStringLiteral("devices/dev-a/twin/desired"), "for-a"), 0);
    QCOMPARE(service->publish(QStringLiteral("devices/dev-a/methods/reboot/6"), "call"), 0);
    QVERIFY(a->waitForMessages(2, 3000));
    const auto got = a->takeMessages();
    QCOMPARE(got.at(0).payload, QByteArray("for-a"));
    QCOMPARE(got.at(1).topic, QStringLiteral("devices/dev-a/methods/reboot/6"));
}

void tst_HubBroker::willTopicIsChecked()
{
    auto service = connectService(QStringLiteral("provisio-middleware-w"));
    QVERIFY(service);
    QCOMPARE(service->subscribe(QStringLiteral("devices/+/status")), 1);
    QCOMPARE(service->subscribe(kControlResponse), 1);

    // Mosquitto 2.0.11 does not ask the plugin about a Will at CONNECT, but
    // when it is about to publish it: a forged Will is dropped then.
    MqttTestClient intruder(QStringLiteral("dev-w"));
    intruder.setCredentials(deviceUsername(QStringLiteral("dev-w")), deviceToken(QStringLiteral("dev-w")));
    intruder.setWill(QStringLiteral("devices/dev-b/status"), "forged-offline", 1, false);
    QCOMPARE(connectWith(intruder), 0);
    intruder.dropConnection();
    service->pump(500);
    QVERIFY2(service->messages().isEmpty(), "a Will on another device's topic was delivered");

    // The device's own presence topic is fine: the Will arrives.
    MqttTestClient device(QStringLiteral("dev-w"));
    device.setCredentials(deviceUsername(QStringLiteral("dev-w")), deviceToken(QStringLiteral("dev-w")));
    device.setWill(QStringLiteral("devices/dev-w/status"), "offline", 1, false);
    QCOMPARE(connectWith(device), 0);
    device.dropConnection();
    QVERIFY(service->waitForMessages(1, 3000));
    const auto will = service->takeMessages().first();
    QCOMPARE(will.topic, QStringLiteral("devices/dev-w/status"));
    QCOMPARE(will.payload, QByteArray("offline"));

    // A revoked device's Will tells the middleware it went offline.
    MqttTestClient revoked(QStringLiteral("dev-w"));
    revoked.setCredentials(deviceUsername(QStringLiteral("dev-w")), deviceToken(QStringLiteral("dev-w")));
    revoked.setWill(QStringLiteral("devices/dev-w/status"), "offline", 1, false);
    QCOMPARE(connectWith(revoked), 0);
    QList<MqttTestClient::Message> seen;
    QCOMPARE(control(*service,
                     {{QStringLiteral("op"), QStringLiteral("revoke")},
                      {QStringLiteral("deviceId"), QStringLiteral("dev-w")},
                      {QStringLiteral("requestId"), QStringLiteral("w1")}},
                     &seen)
                 .value(QStringLiteral("status"))
                 .toInt(),
             200);
    QVERIFY(revoked.waitForDisconnect(2000));
    service->pump(200);
    seen += service->takeMessages();
    bool sawWill = false;
    for (const auto &m : seen)
        sawWill = sawWill || (m.topic == QStringLiteral("devices/dev-w/status") && m.payload == "offline");
    QVERIFY2(sawWill, "the revoked device's Will did not arrive");
    QCOMPARE(control(*service, {{QStringLiteral("op"), QStringLiteral("restore")},
                                {QStringLiteral("deviceId"), QStringLiteral("dev-w")},
                                {QStringLiteral("requestId"), QStringLiteral("w2")}})
                 .value(QStringLiteral("status"))
                 .toInt(),
             200);
}

void tst_HubBroker::revocationDisconnectsAtOnceAndPersists()
{
    const QString id = QStringLiteral("dev-r");
    auto service = connectService(QStringLiteral("provisio-middleware-r"));
    QVERIFY(service);
    QCOMPARE(service->subscribe(kControlResponse), 1);
    int connack = -1;
    auto device = connectDevice(id, &connack);
    QCOMPARE(connack, 0);

    QElapsedTimer t;
    t.start();
    QCOMPARE(service->publish(kControl, QJsonDocument(QJsonObject{{QStringLiteral("op"), QStringLiteral("revoke")},
                                                                  {QStringLiteral("deviceId"), id},
                                                                  {QStringLiteral("requestId"), QStringLiteral("r1")}})
                                            .toJson(QJsonDocument::Compact)) &
                 0x80,
             0);
    QVERIFY(device->waitForDisconnect(1000));
    QVERIFY2(t.elapsed() < 1000, qPrintable(QString::number(t.elapsed())));
    QVERIFY(service->waitForMessages(1, 2000));
    const QJsonObject answer = QJsonDocument::fromJson(service->takeMessages().first().payload).object();
    QCOMPARE(answer.value(QStringLiteral("requestId")).toString(), QStringLiteral("r1"));
    QCOMPARE(answer.value(QStringLiteral("status")).toInt(), 200);
    QCOMPARE(answer.value(QStringLiteral("changed")).toBool(), true);

    // No token lets it back in, not even a fresh one.
    auto again = connectDevice(id, &connack);
    QCOMPARE(connack, kNotAuthorized);
    QVERIFY(m_broker.log().contains(QLatin1String("device is revoked")));

    const QJsonObject list = control(*service, {{QStringLiteral("op"), QStringLiteral("list")},
                                                {QStringLiteral("requestId"), QStringLiteral("r2")}});
    QVERIFY(list.value(QStringLiteral("revoked")).toArray().contains(id));
    const QJsonObject bad = control(*service, {{QStringLiteral("op"), QStringLiteral("revoke")},
                                               {QStringLiteral("deviceId"), QStringLiteral("a/b")},
                                               {QStringLiteral("requestId"), QStringLiteral("r3")}});
    QCOMPARE(bad.value(QStringLiteral("status")).toInt(), 400);

    // Persisted: the file says so and a restarted broker still refuses it.
    QFile file(QDir(m_outDir).filePath(QStringLiteral("revoked-devices.json")));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(QJsonDocument::fromJson(file.readAll()).object().value(QStringLiteral("revoked")).toArray().contains(id));
    file.close();
    service.reset();
    QVERIFY2(restartBroker(), qPrintable(m_broker.log()));
    again = connectDevice(id, &connack);
    QCOMPARE(connack, kNotAuthorized);

    // Restored, it connects again.
    service = connectService(QStringLiteral("provisio-middleware-r"));
    QVERIFY(service);
    QCOMPARE(service->subscribe(kControlResponse), 1);
    const QJsonObject restored = control(*service, {{QStringLiteral("op"), QStringLiteral("restore")},
                                                    {QStringLiteral("deviceId"), id},
                                                    {QStringLiteral("requestId"), QStringLiteral("r4")}});
    QCOMPARE(restored.value(QStringLiteral("status")).toInt(), 200);
    again = connectDevice(id, &connack);
    QCOMPARE(connack, 0);
}

void tst_HubBroker::controlTopicIsServiceOnly()
{
    int connack = -1;
    auto victim = connectDevice(QStringLiteral("dev-v"), &connack);
    QCOMPARE(connack, 0);
    auto attacker = connectDevice(QStringLiteral("dev-x"), &connack);
    QCOMPARE(connack, 0);
    const QByteArray revoke = R"({"op":"revoke","deviceId":"dev-v","requestId":"x"})";
    QCOMPARE(attacker->publish(kControl, revoke), kNotAuthorized);
    victim->pump(500);
    QVERIFY(victim->isConnected());
    QFile file(QDir(m_outDir).filePath(QStringLiteral("revoked-devices.json")));
    if (file.open(QIODevice::ReadOnly))
        QVERIFY(!file.readAll().contains("dev-v"));
}

void tst_HubBroker::expiredTokenIsDisconnected()
{
    const QString id = QStringLiteral("dev-e");
    MqttTestClient device(id);
    const qint64 expiry = now() + 2;
    device.setCredentials(deviceUsername(id), deviceToken(id, expiry));
    QCOMPARE(connectWith(device), 0);
    // Due once the clock passes expiry + skew (1 s); the tick runs often.
    QVERIFY(device.waitForDisconnect(10000));
    QVERIFY(now() > expiry);
    QVERIFY(m_broker.log().contains(QLatin1String("token of client 'dev-e' expired")));
}

void tst_HubBroker::badPluginOptionStopsBroker_data()
{
    QTest::addColumn<QString>("option");  // plugin_opt_ line to change
    QTest::addColumn<QString>("value");   // new value; empty: drop the line
    QTest::addColumn<QString>("message"); // expected in the broker's log
    QTest::newRow("signing key missing") << "signing_key" << QString() << "plugin_opt_signing_key is missing";
    QTest::newRow("signing key malformed") << "signing_key"
                                           << "not*base64"
                                           << "plugin_opt_signing_key: key is not valid base64";
    QTest::newRow("service key missing") << "service_key" << QString() << "plugin_opt_service_key is missing";
    QTest::newRow("hub host malformed") << "hub_host"
                                        << "bad host!"
                                        << "plugin_opt_hub_host";
    QTest::newRow("lifetime malformed") << "max_token_lifetime"
                                        << "1h"
                                        << "plugin_opt_max_token_lifetime must be";
    QTest::newRow("skew malformed") << "clock_skew"
                                    << "-5"
                                    << "plugin_opt_clock_skew must be";
    QTest::newRow("revocation file relative") << "revocation_file"
                                              << "revoked.json"
                                              << "absolute path";
    QTest::newRow("unknown option") << "hub_hots"
                                    << "hub1.provisio.test"
                                    << "unknown option plugin_opt_hub_hots";
    QTest::newRow("revocation file corrupt") << "revocation_file"
                                             << "CORRUPT"
                                             << "is not {\"revoked\"";
}

void tst_HubBroker::badPluginOptionStopsBroker()
{
    QFETCH(QString, option);
    QFETCH(QString, value);
    QFETCH(QString, message);

    QFile conf(m_confPath);
    QVERIFY(conf.open(QIODevice::ReadOnly));
    QStringList lines = QString::fromUtf8(conf.readAll()).split(QLatin1Char('\n'));
    QTemporaryDir dir;
    const quint16 port = freeLocalPort();
    QString newValue = value;
    if (value == QLatin1String("CORRUPT")) {
        newValue = dir.filePath(QStringLiteral("revoked.json"));
        QFile corrupt(newValue);
        QVERIFY(corrupt.open(QIODevice::WriteOnly));
        corrupt.write("{\"revoked\": [\"ok\", ");
    }
    const QString key = QStringLiteral("plugin_opt_") + option + QLatin1Char(' ');
    bool replaced = false;
    for (int i = lines.size() - 1; i >= 0; --i) {
        if (lines[i].startsWith(QLatin1String("listener ")))
            lines[i] = QStringLiteral("listener %1 127.0.0.1").arg(port);
        if (lines[i].startsWith(key)) {
            replaced = true;
            if (newValue.isEmpty())
                lines.removeAt(i);
            else
                lines[i] = key + newValue;
        }
    }
    if (!replaced)
        lines << key + newValue;
    const QString badConf = dir.filePath(QStringLiteral("mosquitto.conf"));
    QFile out(badConf);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(lines.join(QLatin1Char('\n')).toUtf8());
    out.close();

    MosquittoProcess broker(QStringLiteral(PROVISIO_MOSQUITTO_BIN));
    broker.start(badConf, port);
    const int exitCode = broker.waitForExit(10000);
    const QString log = broker.log();
    QVERIFY2(exitCode > 0, qPrintable(QStringLiteral("exit %1: %2").arg(exitCode).arg(log)));
    QVERIFY2(log.contains(QLatin1String("provisio: refusing to start")), qPrintable(log));
    QVERIFY2(log.contains(message), qPrintable(log));
    QVERIFY(!log.contains(m_signingKey));
}

void tst_HubBroker::logsHoldNoSecrets()
{
    const QString log = m_broker.log();
    QVERIFY(!log.isEmpty());
    QVERIFY(!log.contains(m_signingKey));
    QVERIFY(!log.contains(m_serviceKey));
    QVERIFY(!log.contains(QLatin1String("sig=")));
    QVERIFY(!log.contains(QLatin1String("SharedAccessSignature")));
}

// Mosquitto 2.0.11 does not hand a persistent session's shared
// subscriptions over to its new connection. Until the middleware subscribes
// again, a device's message has no subscriber: the hub would acknowledge it
// and drop it, charged to no one (how a stopped middleware once saw a whole
// burst acknowledged). The plugin holds devices back instead.
void tst_HubBroker::reconnectedServiceHoldsDevicesUntilSubscribed()
{
    const QString filter = QStringLiteral("$share/provisio/devices/+/messages/events/#");
    const QString topic = QStringLiteral("devices/dev-gap/messages/events/");
    auto persistent = [this] {
        auto client =
            std::make_unique<MqttTestClient>(QStringLiteral("provisio-mw-gap"), MqttTestClient::Mqtt311, false);
        client->setCredentials(hubServiceUsername(kHubHost).toUtf8(), serviceToken());
        return client;
    };
    auto service = persistent();
    QCOMPARE(connectWith(*service), 0);
    QCOMPARE(service->subscribe(filter), 1);
    int connack = -1;
    auto device = connectDevice(QStringLiteral("dev-gap"), &connack, MqttTestClient::Mqtt311);
    QCOMPARE(connack, 0);
    QCOMPARE(device->publish(topic, "before"), 0);
    QVERIFY(service->waitForMessages(1, 3000));
    service->takeMessages();

    // The session comes back on a new connection and has not subscribed yet.
    service->disconnect();
    service = persistent();
    QCOMPARE(connectWith(*service), 0);
    QCOMPARE(device->publish(topic, "in the gap"), MqttTestClient::kNoAnswer);
    QVERIFY(device->waitForDisconnect(3000));
    QTRY_VERIFY_WITH_TIMEOUT(m_broker.log().contains(QLatin1String("has not subscribed again yet")), 3000);

    // Subscribed again: devices are admitted, and what they send arrives.
    QCOMPARE(service->subscribe(filter), 1);
    device = connectDevice(QStringLiteral("dev-gap"), &connack, MqttTestClient::Mqtt311);
    QCOMPARE(connack, 0);
    QCOMPARE(device->publish(topic, "after"), 0);
    QVERIFY(service->waitForMessages(1, 3000));
    QCOMPARE(service->takeMessages().first().payload, QByteArray("after"));
    // Leave no session behind for the other cases.
    service->disconnect();
    auto clean = std::make_unique<MqttTestClient>(QStringLiteral("provisio-mw-gap"), MqttTestClient::Mqtt311, true);
    clean->setCredentials(hubServiceUsername(kHubHost).toUtf8(), serviceToken());
    QCOMPARE(connectWith(*clean), 0);
    clean->disconnect();
}

PROVISIO_TEST_GUILESS_MAIN(tst_HubBroker)
#include "tst_hubbroker.moc"

// SPDX-License-Identifier: Apache-2.0
// MqttClient against a real Mosquitto started per test case: a plain
// anonymous listener; a TLS listener with a password file and an ACL file,
// its certificate issued by Provisio's own CertificateAuthority; and a plain
// listener guarded by Mosquitto's dynamic-security plugin, because the ACL
// file of Mosquitto 2.0.11 never refuses a SUBSCRIBE (read rules only filter
// deliveries), while dynamic security refuses it with 0x87/0x80.
#include "crypto/certificateauthority.h"
#include "mqtt/mqttclient.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QProcess>
#include <QScopeGuard>
#include <QSet>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <memory>
#include <sys/resource.h>
#include <unistd.h>

using namespace Provisio;

namespace {

const QString MosquittoPath = QStringLiteral("/usr/sbin/mosquitto");
#if defined(__x86_64__)
#define MULTIARCH "x86_64-linux-gnu"
#elif defined(__aarch64__)
#define MULTIARCH "aarch64-linux-gnu"
#elif defined(__arm__)
#define MULTIARCH "arm-linux-gnueabihf"
#else
#error "add this architecture's Debian multiarch triplet"
#endif

quint16 freePort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 0;
    return server.serverPort();
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(data) == data.size();
}

// One Mosquitto process; restartable on the same ports.
class Broker
{
public:
    ~Broker() { stop(); }

    bool start(const QString &configPath)
    {
        m_configPath = configPath;
        m_process = std::make_unique<QProcess>();
        m_process->setProcessChannelMode(QProcess::MergedChannels);
        QObject::connect(m_process.get(), &QProcess::readyRead, m_process.get(),
                         [this] { m_log += m_process->readAll(); });
        const qsizetype logStart = m_log.size();
        m_process->start(MosquittoPath, {QStringLiteral("-c"), configPath});
        if (!m_process->waitForStarted(5000))
            return false;
        // Both listeners are open once the broker says it is running.
        QDeadlineTimer deadline(10000);
        while (m_log.indexOf(" running", logStart) < 0 && m_process->state() == QProcess::Running &&
               !deadline.hasExpired()) {
            m_process->waitForReadyRead(100); // wakes on output, not a sleep
            m_log += m_process->readAll();
        }
        if (m_log.indexOf(" running", logStart) < 0) {
            qWarning().noquote() << "mosquitto did not start:\n" << m_log;
            return false;
        }
        return true;
    }

    void stop()
    {
        if (!m_process || m_process->state() == QProcess::NotRunning)
            return;
        // SIGKILL: a SIGTERM that lands just before Mosquitto's idle
        // epoll_wait() is only noticed when that wait times out (seconds).
        // For the clients a killed broker is a crashed, then restarted hub.
        m_process->kill();
        m_process->waitForFinished(5000);
        m_log += m_process->readAll();
    }

    QByteArray log() const { return m_log; }

private:
    std::unique_ptr<QProcess> m_process;
    QString m_configPath;
    QByteArray m_log;
};

} // namespace

class TestMqttClient : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Broker> m_broker;
    QString m_configPath;
    quint16 m_plainPort = 0;
    quint16 m_tlsPort = 0;
    quint16 m_dynsecPort = 0;
    QByteArray m_caPem;
    QByteArray m_otherCaPem;

    // A client with short reconnect delays, owned by the test function.
    std::unique_ptr<MqttClient> makeClient(const QString &clientId,
                                           MqttClient::ProtocolVersion version = MqttClient::Mqtt5)
    {
        auto client = std::make_unique<MqttClient>();
        client->setHostname(QStringLiteral("127.0.0.1"));
        client->setPort(m_plainPort);
        client->setClientId(clientId);
        client->setProtocolVersion(version);
        client->setReconnectDelays(50, 400);
        return client;
    }

    std::unique_ptr<MqttClient> makeTlsClient(const QString &clientId, const QString &password,
                                              MqttClient::ProtocolVersion version = MqttClient::Mqtt5)
    {
        auto client = makeClient(clientId, version);
        client->setPort(m_tlsPort);
        client->setTlsEnabled(true);
        client->setCaCertificates(m_caPem);
        client->setUsername(QStringLiteral("alice"));
        client->setPassword(password);
        return client;
    }

    static bool connectAndWait(MqttClient *client)
    {
        QSignalSpy connected(client, &MqttClient::connected);
        client->connectToHost();
        return connected.wait(10000) || client->state() == MqttClient::Connected;
    }

    static int subscribeAndWait(MqttClient *client, const QString &filter, int qos)
    {
        QSignalSpy subscribed(client, &MqttClient::subscribed);
        const int mid = client->subscribe(filter, qos);
        if (mid <= 0)
            return -1;
        for (int i = 0; i < 50; ++i) {
            for (const auto &args : std::as_const(subscribed)) {
                if (args.at(0).toInt() == mid)
                    return args.at(1).value<QList<int>>().value(0, -1);
            }
            if (!subscribed.wait(10000))
                return -1;
        }
        return -1;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY2(QFile::exists(MosquittoPath), "mosquitto is not installed (scripts/deps.sh)");
        const QString passwd = QStandardPaths::findExecutable(QStringLiteral("mosquitto_passwd"));
        QVERIFY2(!passwd.isEmpty(), "mosquitto_passwd is not installed (package mosquitto)");

        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        const QString dir = m_dir->path();

        auto ca = CertificateAuthority::loadOrCreate(dir + QStringLiteral("/ca"));
        QVERIFY2(ca.ok(), qPrintable(ca.error().message));
        const auto issued = ca->issueServerCertificate(
            dir + QStringLiteral("/server.crt"), dir + QStringLiteral("/server.key"), QStringLiteral("localhost"),
            {QStringLiteral("localhost"), QStringLiteral("hub.example")}, {QStringLiteral("127.0.0.1")});
        QVERIFY2(issued.ok(), qPrintable(issued.error().message));
        m_caPem = ca->caCertificatePem();
        auto otherCa = CertificateAuthority::loadOrCreate(dir + QStringLiteral("/other-ca"));
        QVERIFY(otherCa.ok());
        m_otherCaPem = otherCa->caCertificatePem();

        QProcess mkpasswd;
        mkpasswd.start(passwd, {QStringLiteral("-c"), QStringLiteral("-b"), dir + QStringLiteral("/passwd"),
                                QStringLiteral("alice"), QStringLiteral("secret")});
        QVERIFY(mkpasswd.waitForFinished(10000));
        QCOMPARE(mkpasswd.exitCode(), 0);

        QVERIFY(writeFile(dir + QStringLiteral("/acl"), "user alice\n"
                                                        "topic readwrite allowed/#\n"));

        // Dynamic security: user bob may use allowed/# only; by default
        // nothing may be subscribed or published.
        const QString ctrl = QStandardPaths::findExecutable(QStringLiteral("mosquitto_ctrl"));
        QVERIFY2(!ctrl.isEmpty(), "mosquitto_ctrl is not installed (package mosquitto)");
        const QString dynsecPath = dir + QStringLiteral("/dynsec.json");
        QProcess init;
        init.start(ctrl, {QStringLiteral("dynsec"), QStringLiteral("init"), dynsecPath, QStringLiteral("bob"),
                          QStringLiteral("secret")});
        QVERIFY(init.waitForFinished(10000));
        QCOMPARE(init.exitCode(), 0);
        QFile dynsecFile(dynsecPath);
        QVERIFY(dynsecFile.open(QIODevice::ReadOnly));
        QJsonObject dynsec = QJsonDocument::fromJson(dynsecFile.readAll()).object();
        dynsecFile.close();
        QJsonArray acls;
        for (const char *type : {"subscribePattern", "publishClientSend", "publishClientReceive"}) {
            acls.append(QJsonObject{{QStringLiteral("acltype"), QString::fromLatin1(type)},
                                    {QStringLiteral("topic"), QStringLiteral("allowed/#")},
                                    {QStringLiteral("allow"), true}});
        }
        QJsonArray roles = dynsec.value(QStringLiteral("roles")).toArray();
        QCOMPARE(roles.size(), 1);
        QJsonObject role = roles.at(0).toObject();
        role.insert(QStringLiteral("acls"), acls);
        roles.replace(0, role);
        dynsec.insert(QStringLiteral("roles"), roles);
        QVERIFY(writeFile(dynsecPath, QJsonDocument(dynsec).toJson()));

        m_plainPort = freePort();
        m_tlsPort = freePort();
        m_dynsecPort = freePort();
        QVERIFY(m_plainPort != 0 && m_tlsPort != 0 && m_dynsecPort != 0);
        QVERIFY(m_plainPort != m_tlsPort && m_tlsPort != m_dynsecPort && m_plainPort != m_dynsecPort);

        QByteArray config;
        if (::geteuid() == 0)
            config += "user root\n"; // else it drops to `mosquitto`, who cannot read this 0700 dir
        config += "per_listener_settings true\n"
                  "persistence false\n"
                  "log_dest stderr\n"
                  "log_type error\nlog_type warning\nlog_type notice\nlog_type information\n"
                  "connection_messages true\n";
        config += "listener " + QByteArray::number(m_plainPort) +
                  " 127.0.0.1\n"
                  "allow_anonymous true\n";
        config += "listener " + QByteArray::number(m_tlsPort) +
                  " 127.0.0.1\n"
                  "allow_anonymous false\n"
                  "password_file " +
                  QFile::encodeName(dir) +
                  "/passwd\n"
                  "acl_file " +
                  QFile::encodeName(dir) +
                  "/acl\n"
                  "cafile " +
                  QFile::encodeName(ca->caCertificatePath()) +
                  "\n"
                  "certfile " +
                  QFile::encodeName(dir) +
                  "/server.crt\n"
                  "keyfile " +
                  QFile::encodeName(dir) + "/server.key\n";
        config += "listener " + QByteArray::number(m_dynsecPort) +
                  " 127.0.0.1\n"
                  "allow_anonymous false\n"
                  "plugin /usr/lib/" MULTIARCH "/mosquitto_dynamic_security.so\n"
                  "plugin_opt_config_file " +
                  QFile::encodeName(dynsecPath) + "\n";
        m_configPath = dir + QStringLiteral("/mosquitto.conf");
        QVERIFY(writeFile(m_configPath, config));
    }

    void init()
    {
        m_broker = std::make_unique<Broker>();
        QVERIFY(m_broker->start(m_configPath));
    }

    void cleanup()
    {
        if (QTest::currentTestFailed() && m_broker)
            qWarning().noquote() << "broker log:\n" << m_broker->log();
        m_broker.reset();
    }

    void roundTrip_data()
    {
        QTest::addColumn<MqttClient::ProtocolVersion>("version");
        QTest::newRow("MQTT 5") << MqttClient::Mqtt5;
        QTest::newRow("MQTT 3.1.1") << MqttClient::Mqtt311;
    }

    void roundTrip()
    {
        QFETCH(MqttClient::ProtocolVersion, version);
        auto client = makeClient(QStringLiteral("roundtrip"), version);
        QSignalSpy states(client.get(), &MqttClient::stateChanged);
        QVERIFY(connectAndWait(client.get()));
        QCOMPARE(states.count(), 2);
        QCOMPARE(states.at(0).at(0).value<MqttClient::State>(), MqttClient::Connecting);
        QCOMPARE(states.at(1).at(0).value<MqttClient::State>(), MqttClient::Connected);

        QCOMPARE(subscribeAndWait(client.get(), QStringLiteral("rt/+/data"), 1), 1);

        QSignalSpy received(client.get(), &MqttClient::messageReceived);
        QSignalSpy published(client.get(), &MqttClient::messagePublished);
        MqttMessageProperties properties;
        properties.userProperties = {{QStringLiteral("iothub-app"), QStringLiteral("kiosk")}};
        properties.contentType = QStringLiteral("application/json");
        properties.correlationData = QByteArrayLiteral("\x01\x02");
        const QByteArray payload("{\"t\":21.5}\0binary", 17);
        const int mid = client->publish(QStringLiteral("rt/dev1/data"), payload, 1, false, properties);
        QVERIFY(mid > 0);
        QVERIFY(received.wait(10000));
        QCOMPARE(received.count(), 1);
        const auto args = received.takeFirst();
        QCOMPARE(args.at(0).toByteArray(), payload);
        QCOMPARE(args.at(1).toString(), QStringLiteral("rt/dev1/data"));
        QCOMPARE(args.at(2).toBool(), false);
        QCOMPARE(args.at(3).toInt(), 1);
        const auto got = args.at(4).value<MqttMessageProperties>();
        if (version == MqttClient::Mqtt5) {
            QCOMPARE(got.userProperties, properties.userProperties);
            QCOMPARE(got.contentType, properties.contentType);
            QCOMPARE(got.correlationData, properties.correlationData);
        } else {
            QVERIFY(got.isEmpty());
        }
        QTRY_COMPARE_WITH_TIMEOUT(published.count(), 1, 10000);
        QCOMPARE(published.at(0).at(0).toInt(), mid);
        QVERIFY(published.at(0).at(1).toInt() < 0x80);

        // QoS 0 and unsubscribing.
        QSignalSpy unsubscribed(client.get(), &MqttClient::unsubscribed);
        QVERIFY(client->publish(QStringLiteral("rt/dev1/data"), "q0", 0) > 0);
        QVERIFY(received.wait(10000));
        QCOMPARE(received.at(0).at(0).toByteArray(), QByteArray("q0"));
        QCOMPARE(received.at(0).at(3).toInt(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(published.count(), 2, 10000);
        QVERIFY(client->unsubscribe(QStringLiteral("rt/+/data")) > 0);
        QVERIFY(unsubscribed.wait(10000));
        QVERIFY(client->subscriptions().isEmpty());

        QSignalSpy disconnected(client.get(), &MqttClient::disconnected);
        client->disconnectFromHost();
        QVERIFY(disconnected.wait(10000));
        QCOMPARE(disconnected.at(0).at(0).toInt(), 0);
        QCOMPARE(client->state(), MqttClient::Disconnected);
    }

    void invalidArguments()
    {
        auto client = makeClient(QStringLiteral("invalid"));
        QSignalSpy errors(client.get(), &MqttClient::errorOccurred);
        QCOMPARE(client->publish(QStringLiteral("a/+"), "x", 1), -1);
        QCOMPARE(client->publish(QStringLiteral("a"), "x", 3), -1);
        QCOMPARE(client->subscribe(QStringLiteral("a/#/b"), 1), -1);
        QCOMPARE(client->publish(QStringLiteral("a"), "x", 0), -1); // QoS 0 while disconnected
        QCOMPARE(errors.count(), 4);
        QCOMPARE(errors.at(0).at(0).toInt(), int(MqttClient::InvalidArgument));
        QCOMPARE(errors.at(3).at(0).toInt(), int(MqttClient::NotConnected));
        QCOMPARE(client->unsubscribe(QStringLiteral("never/subscribed")), -1);
        QCOMPARE(client->subscribe(QStringLiteral("later/#"), 1), 0); // kept for the next connect
    }

    void offlineQueueIsBounded()
    {
        // Published before the first connect: queued in memory, bounded.
        auto client = makeClient(QStringLiteral("offline"));
        client->setMaxPendingMessages(2);
        QSignalSpy errors(client.get(), &MqttClient::errorOccurred);
        QSignalSpy published(client.get(), &MqttClient::messagePublished);
        MqttMessageProperties properties;
        properties.contentType = QStringLiteral("application/json");
        const int first = client->publish(QStringLiteral("offline/a"), "1", 1, false, properties);
        const int second = client->publish(QStringLiteral("offline/b"), "2", 1);
        QVERIFY(first > 0 && second > 0 && first != second);
        QCOMPARE(client->pendingMessageCount(), 2);
        QCOMPARE(client->publish(QStringLiteral("offline/c"), "3", 1), -1);
        QCOMPARE(errors.count(), 1);
        QCOMPARE(errors.at(0).at(0).toInt(), int(MqttClient::QueueFull));

        QVERIFY(connectAndWait(client.get()));
        QTRY_COMPARE_WITH_TIMEOUT(published.count(), 2, 10000);
        QCOMPARE((QSet<int>{published.at(0).at(0).toInt(), published.at(1).at(0).toInt()}), (QSet<int>{first, second}));
        QCOMPARE(client->pendingMessageCount(), 0);
        QVERIFY(client->publish(QStringLiteral("offline/c"), "3", 1) > 0);
    }

    void persistentSession311()
    {
        // cleanSession false on MQTT 3.1.1: the broker keeps the subscription
        // and queues QoS 1 messages while the client is away; the client
        // does not subscribe again when the session is present.
        auto client = makeClient(QStringLiteral("persistent"), MqttClient::Mqtt311);
        client->setCleanSession(false);
        QSignalSpy subscribed(client.get(), &MqttClient::subscribed);
        QSignalSpy received(client.get(), &MqttClient::messageReceived);
        QSignalSpy disconnected(client.get(), &MqttClient::disconnected);
        client->subscribe(QStringLiteral("persist/#"), 1);
        QVERIFY(connectAndWait(client.get()));
        QTRY_COMPARE_WITH_TIMEOUT(subscribed.count(), 1, 10000);
        client->disconnectFromHost();
        QVERIFY(disconnected.wait(10000));

        auto other = makeClient(QStringLiteral("persist-publisher"));
        QVERIFY(connectAndWait(other.get()));
        QSignalSpy otherPublished(other.get(), &MqttClient::messagePublished);
        other->publish(QStringLiteral("persist/while-away"), "queued by the broker", 1);
        QVERIFY(otherPublished.wait(10000));

        QVERIFY(connectAndWait(client.get()));
        QTRY_COMPARE_WITH_TIMEOUT(received.count(), 1, 10000);
        QCOMPARE(received.at(0).at(1).toString(), QStringLiteral("persist/while-away"));
        QCOMPARE(subscribed.count(), 1); // session present: nothing re-sent
    }

    void highFileDescriptors_data()
    {
        QTest::addColumn<bool>("tls");
        QTest::newRow("plain") << false;
        QTest::newRow("TLS") << true;
    }

    // select() cannot watch descriptors >= FD_SETSIZE (1024): a process with
    // many connections (the agent's fleet simulation) must still work. With
    // every descriptor below 1100 taken, each socket, eventfd and pipe the
    // clients open lies above the limit.
    void highFileDescriptors()
    {
        QFETCH(bool, tls);
        constexpr int Target = 1100;
        rlimit limit{};
        QCOMPARE(::getrlimit(RLIMIT_NOFILE, &limit), 0);
        if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < rlim_t(Target + 64)) {
            if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < rlim_t(Target + 64))
                QSKIP("the hard RLIMIT_NOFILE is too low to open descriptors above 1100");
            rlimit raised = limit;
            raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? rlim_t(Target + 64) : limit.rlim_max;
            QCOMPARE(::setrlimit(RLIMIT_NOFILE, &raised), 0);
        }
        const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        QVERIFY(null >= 0);
        QList<int> filler{null};
        const auto closeFiller = qScopeGuard([&filler] {
            for (int fd : std::as_const(filler))
                ::close(fd);
        });
        // dup() returns the lowest free descriptor: this also fills the gaps.
        for (int fd = null; fd < Target;) {
            fd = ::fcntl(null, F_DUPFD_CLOEXEC, 0);
            QVERIFY2(fd >= 0, qPrintable(qt_error_string(errno)));
            filler.append(fd);
        }
        const int probe = ::fcntl(null, F_DUPFD_CLOEXEC, 0);
        QVERIFY(probe > Target);
        ::close(probe);

        auto subscriber = tls ? makeTlsClient(QStringLiteral("high-fd-sub"), QStringLiteral("secret"))
                              : makeClient(QStringLiteral("high-fd-sub"));
        auto publisher = tls ? makeTlsClient(QStringLiteral("high-fd-pub"), QStringLiteral("secret"))
                             : makeClient(QStringLiteral("high-fd-pub"));
        const QString topic = tls ? QStringLiteral("allowed/high-fd") : QStringLiteral("high-fd/data");
        QSignalSpy errors(subscriber.get(), &MqttClient::errorOccurred);
        QVERIFY(connectAndWait(subscriber.get()));
        QCOMPARE(subscribeAndWait(subscriber.get(), topic, 1), 1);
        QVERIFY(connectAndWait(publisher.get()));

        QSignalSpy received(subscriber.get(), &MqttClient::messageReceived);
        QSignalSpy published(publisher.get(), &MqttClient::messagePublished);
        constexpr int Count = 50;
        for (int i = 0; i < Count; ++i)
            QVERIFY(publisher->publish(topic, QByteArray::number(i), 1) > 0);
        QTRY_COMPARE_WITH_TIMEOUT(published.count(), Count, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(received.count(), Count, 10000);
        for (int i = 0; i < Count; ++i)
            QCOMPARE(received.at(i).at(0).toByteArray(), QByteArray::number(i));
        QVERIFY2(errors.isEmpty(), errors.isEmpty() ? "" : qPrintable(errors.at(0).at(1).toString()));

        // A broker outage and the reconnect work up there as well.
        QSignalSpy disconnected(publisher.get(), &MqttClient::disconnected);
        QSignalSpy reconnected(publisher.get(), &MqttClient::connected);
        m_broker->stop();
        QVERIFY(disconnected.wait(10000));
        QVERIFY(m_broker->start(m_configPath));
        QVERIFY(reconnected.wait(10000));
        QVERIFY(publisher->publish(topic, "after restart", 1) > 0);
        QTRY_COMPARE_WITH_TIMEOUT(published.count(), Count + 1, 10000);
    }

    void qos1ExactlyOnce()
    {
        auto client = makeClient(QStringLiteral("bulk"));
        QVERIFY(connectAndWait(client.get()));
        QCOMPARE(subscribeAndWait(client.get(), QStringLiteral("bulk/#"), 1), 1);

        QSignalSpy published(client.get(), &MqttClient::messagePublished);
        QSignalSpy received(client.get(), &MqttClient::messageReceived);
        constexpr int Count = 500;
        QSet<int> ids;
        for (int i = 0; i < Count; ++i) {
            const int mid = client->publish(QStringLiteral("bulk/%1").arg(i), QByteArray::number(i), 1);
            QVERIFY(mid > 0);
            ids.insert(mid);
        }
        QCOMPARE(ids.size(), Count);
        QTRY_COMPARE_WITH_TIMEOUT(published.count(), Count, 60000);
        QTRY_COMPARE_WITH_TIMEOUT(received.count(), Count, 60000);

        // A barrier: PUBACKs come in order, so once this one is reported a
        // duplicate of any earlier one would have been too.
        const int last = client->publish(QStringLiteral("bulk/last"), "last", 1);
        QTRY_COMPARE_WITH_TIMEOUT(published.count(), Count + 1, 10000);
        QCOMPARE(published.last().at(0).toInt(), last);

        QSet<int> reported;
        for (int i = 0; i < Count; ++i) {
            const int mid = published.at(i).at(0).toInt();
            QVERIFY2(!reported.contains(mid), qPrintable(QStringLiteral("message id %1 reported twice").arg(mid)));
            reported.insert(mid);
            QVERIFY(published.at(i).at(1).toInt() < 0x80);
        }
        QCOMPARE(reported, ids);
        QCOMPARE(client->pendingMessageCount(), 0);
    }

    void retainedMessage()
    {
        auto publisher = makeClient(QStringLiteral("retain-pub"));
        QVERIFY(connectAndWait(publisher.get()));
        QSignalSpy published(publisher.get(), &MqttClient::messagePublished);
        publisher->publish(QStringLiteral("devices/d1/twin/desired"), "{\"$version\":3}", 1, true);
        QVERIFY(published.wait(10000));

        auto reader = makeClient(QStringLiteral("retain-sub"));
        QVERIFY(connectAndWait(reader.get()));
        QSignalSpy received(reader.get(), &MqttClient::messageReceived);
        QCOMPARE(subscribeAndWait(reader.get(), QStringLiteral("devices/d1/twin/#"), 1), 1);
        QTRY_COMPARE_WITH_TIMEOUT(received.count(), 1, 10000);
        QCOMPARE(received.at(0).at(0).toByteArray(), QByteArray("{\"$version\":3}"));
        QCOMPARE(received.at(0).at(2).toBool(), true);

        // A live message on the same topic is not flagged retained.
        publisher->publish(QStringLiteral("devices/d1/twin/desired"), "{\"$version\":4}", 1, true);
        QTRY_COMPARE_WITH_TIMEOUT(received.count(), 2, 10000);
        QCOMPARE(received.at(1).at(2).toBool(), false);
    }

    void lastWillOnCrash()
    {
        auto observer = makeClient(QStringLiteral("will-observer"));
        QVERIFY(connectAndWait(observer.get()));
        QCOMPARE(subscribeAndWait(observer.get(), QStringLiteral("devices/victim/status"), 1), 1);
        QSignalSpy received(observer.get(), &MqttClient::messageReceived);

        // The victim is this executable in a child process, killed hard so
        // that no DISCONNECT can be sent.
        QProcess victim;
        victim.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        victim.start(QCoreApplication::applicationFilePath(),
                     {QStringLiteral("--will-victim"), QString::number(m_plainPort)});
        QVERIFY(victim.waitForStarted(5000));
        QByteArray output;
        QTRY_VERIFY_WITH_TIMEOUT((output += victim.readAllStandardOutput()).contains("CONNECTED"), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(received.count(), 1, 10000); // its retained "online"
        QCOMPARE(received.at(0).at(0).toByteArray(), QByteArray("online"));

        victim.kill();
        QVERIFY(victim.waitForFinished(5000));
        QTRY_COMPARE_WITH_TIMEOUT(received.count(), 2, 10000);
        QCOMPARE(received.at(1).at(0).toByteArray(), QByteArray("offline"));
        QCOMPARE(received.at(1).at(1).toString(), QStringLiteral("devices/victim/status"));
    }

    void noWillOnOrderlyDestruction()
    {
        auto observer = makeClient(QStringLiteral("nowill-observer"));
        QVERIFY(connectAndWait(observer.get()));
        QCOMPARE(subscribeAndWait(observer.get(), QStringLiteral("devices/polite/status"), 1), 1);
        QSignalSpy received(observer.get(), &MqttClient::messageReceived);

        auto polite = makeClient(QStringLiteral("polite"));
        polite->setWill(QStringLiteral("devices/polite/status"), "offline", 1, false);
        QVERIFY(connectAndWait(polite.get()));
        polite.reset(); // the destructor sends DISCONNECT
        QTRY_VERIFY_WITH_TIMEOUT(m_broker->log().contains("Client polite disconnected."), 10000);

        // Anything the broker published for the departure came before this.
        observer->publish(QStringLiteral("devices/polite/status"), "marker", 1);
        QTRY_COMPARE_WITH_TIMEOUT(received.count(), 1, 10000);
        QCOMPARE(received.at(0).at(0).toByteArray(), QByteArray("marker"));
    }

    void reconnectAfterBrokerRestart()
    {
        auto client = makeClient(QStringLiteral("survivor"));
        QSignalSpy connected(client.get(), &MqttClient::connected);
        QSignalSpy disconnected(client.get(), &MqttClient::disconnected);
        QSignalSpy subscribed(client.get(), &MqttClient::subscribed);
        QSignalSpy received(client.get(), &MqttClient::messageReceived);
        QSignalSpy published(client.get(), &MqttClient::messagePublished);
        client->subscribe(QStringLiteral("restart/#"), 1); // before connecting: sent on connect
        client->connectToHost();
        QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 1, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(subscribed.count(), 1, 10000);

        m_broker->stop();
        QTRY_COMPARE_WITH_TIMEOUT(disconnected.count(), 1, 10000);
        QVERIFY(disconnected.at(0).at(0).toInt() != 0);
        QVERIFY(client->state() != MqttClient::Connected);

        // Telemetry produced during the outage is queued and sent later.
        const int queued = client->publish(QStringLiteral("outage/telemetry"), "while down", 1);
        QVERIFY(queued > 0);
        QCOMPARE(client->pendingMessageCount(), 1);

        QVERIFY(m_broker->start(m_configPath));
        QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 2, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(subscribed.count(), 2, 10000); // subscription restored
        QCOMPARE(subscribed.at(1).at(1).value<QList<int>>(), QList<int>{1});
        QTRY_COMPARE_WITH_TIMEOUT(published.count(), 1, 10000);
        QCOMPARE(published.at(0).at(0).toInt(), queued);
        QCOMPARE(client->pendingMessageCount(), 0);

        auto other = makeClient(QStringLiteral("restart-publisher"));
        QVERIFY(connectAndWait(other.get()));
        other->publish(QStringLiteral("restart/after"), "hello again", 1);
        QTRY_COMPARE_WITH_TIMEOUT(received.count(), 1, 10000);
        QCOMPARE(received.at(0).at(1).toString(), QStringLiteral("restart/after"));
    }

    void connectTimeout_data()
    {
        QTest::addColumn<bool>("tls");
        QTest::newRow("plain") << false; // TCP up, CONNECT unanswered
        QTest::newRow("TLS") << true;    // TCP up, TLS handshake unanswered
    }

    void connectTimeout()
    {
        // A "black hole" broker: it accepts the TCP connection and never
        // says a word, like a broker that is still starting.
        QFETCH(bool, tls);
        QTcpServer blackHole;
        QVERIFY(blackHole.listen(QHostAddress::LocalHost, 0));
        QList<QPointer<QTcpSocket>> accepted;
        QByteArray firstBytes; // what the first connection received
        connect(&blackHole, &QTcpServer::newConnection, &blackHole, [&] {
            while (QTcpSocket *socket = blackHole.nextPendingConnection()) {
                if (accepted.isEmpty()) {
                    connect(socket, &QTcpSocket::readyRead, socket,
                            [&firstBytes, socket] { firstBytes += socket->readAll(); });
                }
                accepted.append(socket);
            }
        });

        auto client = tls ? makeTlsClient(QStringLiteral("black-hole"), QStringLiteral("secret"))
                          : makeClient(QStringLiteral("black-hole"));
        client->setPort(blackHole.serverPort());
        QCOMPARE(client->connectTimeout(), 10000); // the default
        client->setConnectTimeout(1000);
        QCOMPARE(client->keepAlive(), 60); // far beyond this test: not what ends the attempt
        QSignalSpy errors(client.get(), &MqttClient::errorOccurred);
        QSignalSpy connected(client.get(), &MqttClient::connected);
        QSignalSpy disconnected(client.get(), &MqttClient::disconnected);
        QSignalSpy states(client.get(), &MqttClient::stateChanged);

        QElapsedTimer elapsed;
        elapsed.start();
        client->connectToHost();
        QTRY_VERIFY_WITH_TIMEOUT(!errors.isEmpty(), 2000);
        const qint64 firstError = elapsed.elapsed();
        QVERIFY2(firstError >= 900, qPrintable(QString::number(firstError)));
        QCOMPARE(errors.at(0).at(0).toInt(), int(MqttClient::ConnectTimeout));
        QVERIFY2(errors.at(0).at(1).toString().contains(QLatin1String("timed out")),
                 qPrintable(errors.at(0).at(1).toString()));
        // (The next attempt may have begun already: the first delay is short.)
        QTRY_VERIFY_WITH_TIMEOUT(states.count() >= 2, 2000);
        QCOMPARE(states.at(0).at(0).value<MqttClient::State>(), MqttClient::Connecting);
        QCOMPARE(states.at(1).at(0).value<MqttClient::State>(), MqttClient::Disconnected);
        QCOMPARE(connected.count(), 0);
        QCOMPARE(disconnected.count(), 0); // never connected, so no disconnected()

        // The abandoned attempt reached the black hole (a CONNECT or a TLS
        // ClientHello) and its connection was closed, not left dangling.
        QVERIFY(!accepted.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(!firstBytes.isEmpty(), 2000);
        QCOMPARE(quint8(firstBytes.at(0)), quint8(tls ? 0x16 : 0x10)); // TLS handshake / MQTT CONNECT
        QVERIFY(accepted.at(0));
        QTRY_COMPARE_WITH_TIMEOUT(accepted.at(0)->state(), QAbstractSocket::UnconnectedState, 2000);

        // The normal reconnect cycle goes on: another attempt, another timeout.
        QTRY_VERIFY_WITH_TIMEOUT(accepted.size() >= 2, 3000);
        QTRY_VERIFY_WITH_TIMEOUT(errors.count() >= 2, 3000);
        QCOMPARE(errors.at(1).at(0).toInt(), int(MqttClient::ConnectTimeout));

        // Once a real broker answers there, the next attempt connects.
        client->setPort(tls ? m_tlsPort : m_plainPort);
        QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 1, 5000);
        QCOMPARE(client->state(), MqttClient::Connected);
        const qsizetype errorsBefore = errors.count();
        QCOMPARE(subscribeAndWait(client.get(), QStringLiteral("allowed/after-black-hole"), 1), 1);
        QCOMPARE(client->state(), MqttClient::Connected);
        QCOMPARE(errors.count(), errorsBefore);
    }

    void refusedConnectionIsReportedAtOnce_data()
    {
        QTest::addColumn<bool>("tls");
        QTest::newRow("plain") << false;
        QTest::newRow("TLS") << true;
    }

    void refusedConnectionIsReportedAtOnce()
    {
        // Nothing listens on the port (a hub not started yet): the refusal
        // is an error right away, not a connect timeout, and the client
        // keeps trying until a broker appears there.
        QFETCH(bool, tls);
        const quint16 closedPort = freePort();
        auto client = tls ? makeTlsClient(QStringLiteral("refused"), QStringLiteral("secret"))
                          : makeClient(QStringLiteral("refused"));
        client->setPort(closedPort);
        client->setConnectTimeout(10000);
        QSignalSpy errors(client.get(), &MqttClient::errorOccurred);
        QSignalSpy connected(client.get(), &MqttClient::connected);
        QElapsedTimer elapsed;
        elapsed.start();
        client->connectToHost();
        QTRY_VERIFY_WITH_TIMEOUT(!errors.isEmpty(), 3000);
        QVERIFY2(elapsed.elapsed() < 3000, qPrintable(QString::number(elapsed.elapsed())));
        QVERIFY(errors.at(0).at(0).toInt() != int(MqttClient::ConnectTimeout));
        QVERIFY2(errors.at(0).at(1).toString().contains(QLatin1String("refused"), Qt::CaseInsensitive),
                 qPrintable(errors.at(0).at(1).toString()));
        QTRY_VERIFY_WITH_TIMEOUT(errors.count() >= 2, 5000); // retried with backoff
        QCOMPARE(connected.count(), 0);

        client->setPort(tls ? m_tlsPort : m_plainPort);
        QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 1, 10000);
    }

    void destroyWhileHandshaking()
    {
        // The destructor ends an attempt nobody answers without waiting for
        // its one-second bound (and without cancelling the network thread).
        QTcpServer blackHole;
        QVERIFY(blackHole.listen(QHostAddress::LocalHost, 0));
        QByteArray received;
        QPointer<QTcpSocket> socket;
        connect(&blackHole, &QTcpServer::newConnection, &blackHole, [&] {
            socket = blackHole.nextPendingConnection();
            connect(socket, &QTcpSocket::readyRead, socket, [&] { received += socket->readAll(); });
        });
        auto client = makeTlsClient(QStringLiteral("short-lived"), QStringLiteral("secret"));
        client->setPort(blackHole.serverPort());
        client->connectToHost();
        QTRY_VERIFY_WITH_TIMEOUT(!received.isEmpty(), 5000); // the ClientHello, never answered
        QElapsedTimer elapsed;
        elapsed.start();
        client.reset();
        QVERIFY2(elapsed.elapsed() < 900, qPrintable(QString::number(elapsed.elapsed())));
        QVERIFY(socket);
        QTRY_COMPARE_WITH_TIMEOUT(socket->state(), QAbstractSocket::UnconnectedState, 2000);
    }

    void tlsConnect_data()
    {
        QTest::addColumn<QString>("host");
        QTest::addColumn<QString>("verifyName");
        QTest::addColumn<bool>("rightCa");
        QTest::addColumn<bool>("connects");
        QTest::newRow("by name") << QStringLiteral("localhost") << QString() << true << true;
        QTest::newRow("by IP in SAN") << QStringLiteral("127.0.0.1") << QString() << true << true;
        QTest::newRow("IP, verify hub name")
            << QStringLiteral("127.0.0.1") << QStringLiteral("hub.example") << true << true;
        QTest::newRow("IP, verify wrong name")
            << QStringLiteral("127.0.0.1") << QStringLiteral("evil.example") << true << false;
        QTest::newRow("wrong CA") << QStringLiteral("localhost") << QString() << false << false;
    }

    void tlsConnect()
    {
        QFETCH(QString, host);
        QFETCH(QString, verifyName);
        QFETCH(bool, rightCa);
        QFETCH(bool, connects);
        auto client = makeTlsClient(QStringLiteral("tls"), QStringLiteral("secret"));
        client->setHostname(host);
        client->setPeerVerifyName(verifyName);
        client->setCaCertificates(rightCa ? m_caPem : m_otherCaPem);
        QSignalSpy connected(client.get(), &MqttClient::connected);
        QSignalSpy errors(client.get(), &MqttClient::errorOccurred);
        client->connectToHost();
        if (connects) {
            QVERIFY(connected.wait(10000));
            QCOMPARE(client->state(), MqttClient::Connected);
        } else {
            QTRY_VERIFY_WITH_TIMEOUT(!errors.isEmpty(), 10000);
            QCOMPARE(errors.at(0).at(0).toInt(), int(MqttClient::TlsError));
            QCOMPARE(connected.count(), 0);
            QVERIFY(client->state() != MqttClient::Connected);
        }
    }

    void badPassword_data()
    {
        QTest::addColumn<MqttClient::ProtocolVersion>("version");
        QTest::addColumn<QList<int>>("acceptedCodes");
        QTest::newRow("MQTT 5") << MqttClient::Mqtt5 << QList<int>{0x86, 0x87};
        QTest::newRow("MQTT 3.1.1") << MqttClient::Mqtt311 << QList<int>{4, 5};
    }

    void badPassword()
    {
        QFETCH(MqttClient::ProtocolVersion, version);
        QFETCH(QList<int>, acceptedCodes);
        auto client = makeTlsClient(QStringLiteral("intruder"), QStringLiteral("wrong"), version);
        QSignalSpy refused(client.get(), &MqttClient::connectionRefused);
        QSignalSpy connected(client.get(), &MqttClient::connected);
        client->connectToHost();
        QVERIFY(refused.wait(10000));
        QVERIFY2(acceptedCodes.contains(refused.at(0).at(0).toInt()),
                 qPrintable(QString::number(refused.at(0).at(0).toInt(), 16)));
        QVERIFY(!refused.at(0).at(1).toString().isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(client->state(), MqttClient::Disconnected, 10000);
        QCOMPARE(connected.count(), 0);
        QVERIFY(!m_broker->log().contains("password"));
    }

    void deniedByAcl_data()
    {
        QTest::addColumn<MqttClient::ProtocolVersion>("version");
        QTest::addColumn<int>("refusedCode");
        QTest::newRow("MQTT 5") << MqttClient::Mqtt5 << 0x87;       // not authorized
        QTest::newRow("MQTT 3.1.1") << MqttClient::Mqtt311 << 0x80; // failure
    }

    void deniedByAcl()
    {
        QFETCH(MqttClient::ProtocolVersion, version);
        QFETCH(int, refusedCode);
        auto client = makeClient(QStringLiteral("bob-client"), version);
        client->setPort(m_dynsecPort);
        client->setUsername(QStringLiteral("bob"));
        client->setPassword(QStringLiteral("secret"));
        QVERIFY(connectAndWait(client.get()));
        QCOMPARE(subscribeAndWait(client.get(), QStringLiteral("allowed/#"), 1), 1);
        QCOMPARE(subscribeAndWait(client.get(), QStringLiteral("forbidden/#"), 1), refusedCode);

        QSignalSpy published(client.get(), &MqttClient::messagePublished);
        QSignalSpy received(client.get(), &MqttClient::messageReceived);
        const int denied = client->publish(QStringLiteral("forbidden/x"), "no", 1);
        const int allowed = client->publish(QStringLiteral("allowed/x"), "yes", 1);
        QTRY_COMPARE_WITH_TIMEOUT(published.count(), 2, 10000);
        QCOMPARE(published.at(0).at(0).toInt(), denied);
        QCOMPARE(published.at(1).at(0).toInt(), allowed);
        QCOMPARE(published.at(1).at(1).toInt(), 0);
        // MQTT 5 shows the refusal in PUBACK; 3.1.1 has no way to.
        QCOMPARE(published.at(0).at(1).toInt(), version == MqttClient::Mqtt5 ? 0x87 : 0);
        QTRY_COMPARE_WITH_TIMEOUT(received.count(), 1, 10000);
        QCOMPARE(received.at(0).at(1).toString(), QStringLiteral("allowed/x"));
    }

    void aclFileDeniesPublish()
    {
        // Over TLS with the password file: the ACL file refuses a publish,
        // which MQTT 5 reports in PUBACK.
        auto client = makeTlsClient(QStringLiteral("alice-client"), QStringLiteral("secret"));
        QVERIFY(connectAndWait(client.get()));
        QSignalSpy published(client.get(), &MqttClient::messagePublished);
        const int mid = client->publish(QStringLiteral("elsewhere/x"), "no", 1);
        QVERIFY(published.wait(10000));
        QCOMPARE(published.at(0).at(0).toInt(), mid);
        QCOMPARE(published.at(0).at(1).toInt(), 0x87);
    }
};

// `--will-victim <port>`: connect with a will and a retained "online", then
// wait to be killed.
static int runWillVictim(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    MqttClient client;
    client.setHostname(QStringLiteral("127.0.0.1"));
    client.setPort(quint16(QString::fromLocal8Bit(argv[2]).toUInt()));
    client.setClientId(QStringLiteral("victim"));
    client.setWill(QStringLiteral("devices/victim/status"), "offline", 1, false);
    QObject::connect(&client, &MqttClient::connected, &client,
                     [&client] { client.publish(QStringLiteral("devices/victim/status"), "online", 1, false); });
    QObject::connect(&client, &MqttClient::messagePublished, &client, [] {
        fputs("CONNECTED\n", stdout);
        fflush(stdout);
    });
    client.connectToHost();
    return app.exec();
}

int main(int argc, char **argv)
{
    if (argc == 3 && qstrcmp(argv[1], "--will-victim") == 0)
        return runWillVictim(argc, argv);
    QCoreApplication app(argc, argv);
    TestMqttClient test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_mqttclient.moc"

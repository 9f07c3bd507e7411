// SPDX-License-Identifier: Apache-2.0
// DeviceController end to end, against a real middleware and real mosquitto
// brokers running the real plugin: a CRM enrollment's activation code
// provisions the device and its telemetry reaches the middleware; losing
// the network for 8 s and a 20 s broker outage lose nothing; the `reprovision` method moves the device to
// a second hub and it keeps streaming; a restart reconnects from the stored
// files without provisioning; wrong codes get a clear message and are
// rate-limited.
#include "devicecontroller.h"
#include "hubfixture.h"

#include "childprocesswatch.h"
#include "crypto/activationcode.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QPointer>
#include <QSet>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace Provisio;
using namespace Provisio::Kiosk;
using namespace Provisio::Test;

namespace {

const QString kHub1Host = QStringLiteral("hub1.test");
const QString kHub2Host = QStringLiteral("hub2.test");
const QString kSerial = QStringLiteral("SN-DC-0001");
const QString kDeviceId = QStringLiteral("sn-dc-0001");

// Numbers its messages, so the test can tell which ones arrived and how
// often: {"n": 1}, {"n": 2}, ...
class CountingSource : public TelemetrySource
{
public:
    explicit CountingSource(int *counter) : m_counter(counter) { }
    QString name() const override { return QStringLiteral("counting"); }
    QJsonObject next() override { return QJsonObject{{QStringLiteral("n"), ++*m_counter}}; }

private:
    int *m_counter;
};

// A TCP relay in front of the hub for the device only: the middleware dials
// the broker directly, so a test can cut the device off the network
// (setOpen(false): live connections dropped, new ones refused) while the
// middleware's link to the same broker stays up.
// The broker outage below does not need it: after a broker restart the
// plugin holds devices back until the middleware has subscribed again
// (Mosquitto does not restore a persisted session's shared subscriptions),
// so what the device sends right after reconnecting reaches the back office.
class TcpRelay : public QObject
{
public:
    bool listen(quint16 target)
    {
        m_target = target;
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *down = m_server.nextPendingConnection())
                accept(down);
        });
        return m_server.listen(QHostAddress::LocalHost, 0);
    }
    quint16 port() const { return m_server.serverPort(); }
    void setOpen(bool open)
    {
        m_open = open;
        if (open)
            return;
        for (const QPointer<QTcpSocket> &socket : std::as_const(m_live)) {
            if (socket)
                socket->abort();
        }
        m_live.clear();
    }
    int accepted() const { return m_accepted; }

private:
    void accept(QTcpSocket *down)
    {
        down->setParent(this);
        if (!m_open) {
            down->abort();
            down->deleteLater();
            return;
        }
        ++m_accepted;
        auto *up = new QTcpSocket(this);
        m_live << QPointer<QTcpSocket>(down) << QPointer<QTcpSocket>(up);
        auto close = [down, up] {
            down->disconnectFromHost();
            up->disconnectFromHost();
            down->deleteLater();
            up->deleteLater();
        };
        connect(down, &QTcpSocket::readyRead, up, [down, up] {
            if (up->state() == QAbstractSocket::ConnectedState)
                up->write(down->readAll());
        });
        connect(up, &QTcpSocket::connected, down, [down, up] { up->write(down->readAll()); });
        connect(up, &QTcpSocket::readyRead, down, [down, up] { down->write(up->readAll()); });
        connect(down, &QTcpSocket::disconnected, this, close);
        connect(up, &QTcpSocket::disconnected, this, close);
        connect(up, &QTcpSocket::errorOccurred, this, close);
        up->connectToHost(QHostAddress::LocalHost, m_target);
    }

    QTcpServer m_server;
    quint16 m_target = 0;
    bool m_open = true;
    int m_accepted = 0;
    QList<QPointer<QTcpSocket>> m_live;
};

} // namespace

class TestDeviceController : public QObject
{
    Q_OBJECT

private:
    DeviceFixture m_f;
    HubFixture m_hubs{m_f};
    QTemporaryDir m_work;
    TcpRelay m_relay1; // the device's way to hub1
    QByteArray m_caPem;
    int m_counter = 0; // last message number produced
    std::unique_ptr<DeviceController> m_device;

    QString dataDir() const { return m_work.filePath(QStringLiteral("device")); }

    DeviceSettings settings(const QString &serial, const QString &dir) const
    {
        DeviceSettings s;
        s.dataDirectory = dir;
        s.middlewareUrl = QUrl(m_f.mw->baseUrl());
        s.middlewareCaPem = m_caPem;
        s.serial = serial;
        s.telemetryIntervalMs = 200;
        s.maxReconnectDelayMs = 1000;
        s.reprovisionAfterFailures = 1000; // see failuresLeadToReprovisioning
        return s;
    }

    quint16 hub1Port() const { return m_hubs.port(QStringLiteral("hub1")); }

    bool setStaticHub(const QString &name)
    {
        const auto r = m_f.admin->put(QStringLiteral("/api/v1/allocation-policy"),
                                      QJsonObject{{QStringLiteral("allocationPolicy"), QStringLiteral("static")},
                                                  {QStringLiteral("staticHub"), name}});
        if (r.status != 200)
            qWarning("allocation policy: %d %s", r.status, r.body.constData());
        return r.status == 200;
    }

    // Inventory device + enrollment bound to it; the activation code.
    QString enrollSerial(const QString &serial) { return m_hubs.enroll(serial, serial.toLower()).activationCode; }

    QJsonObject twin() { return m_f.viewer->get(QStringLiteral("/api/v1/devices/%1/twin").arg(kDeviceId)).json(); }
    QJsonObject reported()
    {
        return twin().value(QStringLiteral("properties")).toObject().value(QStringLiteral("reported")).toObject();
    }

    // How often each message number arrived at the middleware.
    QHash<int, int> arrived()
    {
        QHash<int, int> seen;
        const auto r = m_f.viewer->get(QStringLiteral("/api/v1/devices/%1/telemetry?limit=1000").arg(kDeviceId));
        const QJsonArray messages = r.json().value(QStringLiteral("messages")).toArray();
        for (const auto &m : messages) {
            const int n = m.toObject().value(QStringLiteral("body")).toObject().value(QStringLiteral("n")).toInt();
            if (n > 0)
                ++seen[n];
        }
        return seen;
    }

    // Every message numbered from..upTo arrived at least once.
    bool allArrived(int upTo, int *missing = nullptr, int *duplicates = nullptr, int from = 1)
    {
        const QHash<int, int> seen = arrived();
        int lost = 0, dup = 0;
        for (int n = from; n <= upTo; ++n) {
            const int c = seen.value(n);
            lost += c == 0 ? 1 : 0;
            dup += c > 1 ? c - 1 : 0;
        }
        if (missing)
            *missing = lost;
        if (duplicates)
            *duplicates = dup;
        return lost == 0;
    }

    static bool ownerOnly(const QString &path)
    {
        return QFileInfo(path).permissions() ==
               (QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadUser | QFileDevice::WriteUser);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY2(QFileInfo::exists(QStringLiteral(PROVISIO_MOSQUITTO_BIN)), "mosquitto is not installed");
        // The middleware keeps every message of this test, so losses show.
        qputenv("PROVISIO_TELEMETRY_BUFFER", "10000");
        QVERIFY(m_f.start());
        QFile ca(m_f.mw->caCertificatePath());
        QVERIFY(ca.open(QIODevice::ReadOnly));
        m_caPem = ca.readAll();
        const quint16 port1 = freeLocalPort();
        QVERIFY(port1 != 0);
        QVERIFY(m_relay1.listen(port1));
        // Devices registered now get the relay as hub1's address.
        QVERIFY2(m_hubs.linkHub(QStringLiteral("hub1"), kHub1Host, port1, m_relay1.port()),
                 qPrintable(m_hubs.lastError()));
        QVERIFY(setStaticHub(QStringLiteral("hub1")));
    }

    void cleanupTestCase() { m_device.reset(); }

    void activationCodeLeadsToTelemetry()
    {
        const QString code = enrollSerial(kSerial);
        QVERIFY(!code.isEmpty());

        m_device = std::make_unique<DeviceController>(settings(kSerial, dataDir()));
        m_device->setTelemetrySource(std::make_unique<CountingSource>(&m_counter));
        QSignalSpy stateSpy(m_device.get(), &DeviceController::stateChanged);
        QSignalSpy failedSpy(m_device.get(), &DeviceController::failed);
        m_device->start();
        QCOMPARE(m_device->state(), DeviceController::State::Unprovisioned);
        QCOMPARE(m_device->serial(), kSerial);
        QVERIFY(m_device->deviceId().isEmpty());

        QElapsedTimer timer;
        timer.start();
        m_device->activate(code);
        QCOMPARE(m_device->state(), DeviceController::State::Provisioning);
        QTRY_COMPARE_WITH_TIMEOUT(m_device->state(), DeviceController::State::Running, 30000);
        qInfo("activation code to Running in %lld ms", timer.elapsed());
        QVERIFY2(failedSpy.isEmpty(), failedSpy.isEmpty() ? "" : qPrintable(failedSpy.at(0).at(1).toString()));
        QList<DeviceController::State> states;
        for (const auto &args : stateSpy)
            states << args.at(0).value<DeviceController::State>();
        QCOMPARE(states, (QList<DeviceController::State>{DeviceController::State::Provisioning,
                                                         DeviceController::State::Connecting,
                                                         DeviceController::State::Running}));
        for (int step = 0; step < 5; ++step)
            QCOMPARE(m_device->stepState(DeviceController::Step(step)), DeviceController::StepState::Done);
        QCOMPARE(m_device->stepDetail(DeviceController::Step::Assigned), QStringLiteral("Assigned to hub1.test"));
        QCOMPARE(m_device->deviceId(), kDeviceId);
        QCOMPARE(m_device->assignedHub(), kHub1Host);
        QVERIFY(m_device->isConnected());
        QVERIFY(m_device->hasStoredCredentials());

        // Connection and credentials are stored owner-only; the key is there
        // so the device can register again without the one-time code.
        const QString connection = QDir(dataDir()).filePath(QStringLiteral("connection.json"));
        const QString credentials = QDir(dataDir()).filePath(QStringLiteral("provisioning.json"));
        QVERIFY(ownerOnly(connection));
        QVERIFY(ownerOnly(credentials));
        QFile credentialsFile(credentials);
        QVERIFY(credentialsFile.open(QIODevice::ReadOnly));
        const QJsonObject stored = QJsonDocument::fromJson(credentialsFile.readAll()).object();
        QCOMPARE(stored.value(QStringLiteral("registrationId")).toString(), kDeviceId);
        QCOMPARE(stored.value(QStringLiteral("idScope")).toString(), m_f.mw->idScope());
        QVERIFY(!stored.value(QStringLiteral("symmetricKey")).toString().isEmpty());

        // Telemetry reaches the middleware; the device counts acknowledgements.
        QTRY_VERIFY_WITH_TIMEOUT(allArrived(3), 15000);
        QTRY_VERIFY_WITH_TIMEOUT(m_device->messagesSent() >= 3, 5000);
        QCOMPARE(m_device->messagesDropped(), 0);
        QVERIFY(m_device->lastTelemetry().value(QStringLiteral("n")).toInt() >= 3);
        QTRY_COMPARE_WITH_TIMEOUT(reported().value(QStringLiteral("provisioningStatus")).toString(),
                                  QStringLiteral("provisioned"), 10000);
        const auto list = m_f.viewer->get(QStringLiteral("/api/v1/devices/%1/telemetry?limit=1").arg(kDeviceId)).json();
        const QJsonObject properties = list.value(QStringLiteral("messages"))
                                           .toArray()
                                           .at(0)
                                           .toObject()
                                           .value(QStringLiteral("properties"))
                                           .toObject();
        QCOMPARE(properties.value(QStringLiteral("$.ct")).toString(), QStringLiteral("application/json"));
        QVERIFY(!properties.value(QStringLiteral("$.mid")).toString().isEmpty());

        // From here on the middleware dials hub1 directly; this device keeps
        // the relay address it stored.
        QVERIFY(m_hubs.putHub(QStringLiteral("hub1"), kHub1Host, hub1Port(), hub1Port()));
        QVERIFY(m_hubs.waitForLink(QStringLiteral("hub1"), QStringLiteral("127.0.0.1:%1").arg(hub1Port())));
    }

    void pingIsAnswered()
    {
        const auto r =
            m_f.operatorClient->post(QStringLiteral("/api/v1/devices/%1/methods/ping").arg(kDeviceId),
                                     QJsonObject{{QStringLiteral("payload"), QJsonObject{{QStringLiteral("n"), 7}}},
                                                 {QStringLiteral("responseTimeoutInSeconds"), 10}});
        QVERIFY2(r.status == 200, r.body.constData());
        QCOMPARE(r.json().value(QStringLiteral("status")).toInt(), 200);
        const QJsonObject payload = r.json().value(QStringLiteral("payload")).toObject();
        QCOMPARE(payload.value(QStringLiteral("pong")).toBool(), true);
        QCOMPARE(payload.value(QStringLiteral("deviceId")).toString(), kDeviceId);
        QCOMPARE(payload.value(QStringLiteral("payload")).toObject().value(QStringLiteral("n")).toInt(), 7);

        const auto unknown =
            m_f.operatorClient->post(QStringLiteral("/api/v1/devices/%1/methods/selfDestruct").arg(kDeviceId),
                                     QJsonObject{{QStringLiteral("responseTimeoutInSeconds"), 10}});
        QVERIFY2(unknown.status == 200, unknown.body.constData());
        QCOMPARE(unknown.json().value(QStringLiteral("status")).toInt(), 404);
    }

    void rebootIsHandedToTheHost()
    {
        QSignalSpy rebootSpy(m_device.get(), &DeviceController::rebootRequested);
        const auto r = m_f.operatorClient->post(QStringLiteral("/api/v1/devices/%1/methods/reboot").arg(kDeviceId),
                                                QJsonObject{{QStringLiteral("responseTimeoutInSeconds"), 10}});
        QVERIFY2(r.status == 200, r.body.constData());
        QCOMPARE(r.json().value(QStringLiteral("status")).toInt(), 200);
        QCOMPARE(r.json().value(QStringLiteral("payload")).toObject().value(QStringLiteral("rebooting")).toBool(),
                 true);
        QVERIFY(rebootSpy.count() == 1 || rebootSpy.wait(5000));
        QCOMPARE(m_device->state(), DeviceController::State::Running); // the host decides
    }

    void desiredIntervalIsAppliedAndAcknowledged()
    {
        QSignalSpy desiredSpy(m_device.get(), &DeviceController::desiredPropertiesChanged);
        auto patch = [this](const QJsonValue &value) {
            return m_f.operatorClient->patch(
                QStringLiteral("/api/v1/devices/%1/twin").arg(kDeviceId),
                QJsonObject{{QStringLiteral("desired"), QJsonObject{{QStringLiteral("telemetryIntervalMs"), value}}}});
        };
        QCOMPARE(patch(150).status, 200);
        QTRY_COMPARE_WITH_TIMEOUT(m_device->telemetryIntervalMs(), 150, 10000);
        QCOMPARE(m_device->desiredProperties().value(QStringLiteral("telemetryIntervalMs")).toInt(), 150);
        QVERIFY(!desiredSpy.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(
            reported().value(QStringLiteral("telemetryIntervalMs")).toObject().value(QStringLiteral("value")).toInt(),
            150, 10000);
        QCOMPARE(reported().value(QStringLiteral("telemetryIntervalMs")).toObject().value(QStringLiteral("ac")).toInt(),
                 200);

        // Out of range: kept, and the refusal is reported.
        QCOMPARE(patch(5).status, 200);
        QTRY_COMPARE_WITH_TIMEOUT(
            reported().value(QStringLiteral("telemetryIntervalMs")).toObject().value(QStringLiteral("ac")).toInt(), 400,
            10000);
        QCOMPARE(m_device->telemetryIntervalMs(), 150);
        QCOMPARE(patch(200).status, 200);
        QTRY_COMPARE_WITH_TIMEOUT(m_device->telemetryIntervalMs(), 200, 10000);
    }

    // The device loses its network (the relay drops its connection and
    // refuses new ones) while the hub and the middleware's link stay up:
    // readings wait in the outbox and all arrive once the network is back.
    void networkLossLosesNothing()
    {
        QTRY_VERIFY_WITH_TIMEOUT(m_device->isConnected(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(allArrived(m_counter - 1), 10000);
        const int acceptedBefore = m_relay1.accepted();
        m_relay1.setOpen(false);
        QTRY_VERIFY_WITH_TIMEOUT(!m_device->isConnected(), 10000);
        QTest::qWait(8000);
        QVERIFY2(m_device->messagesQueued() >= 20, qPrintable(QString::number(m_device->messagesQueued())));
        // Only the device was cut off: the middleware still reaches hub1.
        QVERIFY(m_hubs.waitForLink(QStringLiteral("hub1"), QStringLiteral("127.0.0.1:%1").arg(hub1Port())));
        QCOMPARE(m_device->assignedHub(), kHub1Host);

        m_relay1.setOpen(true);
        const int producedDuringLoss = m_counter;
        QTRY_COMPARE_WITH_TIMEOUT(m_device->state(), DeviceController::State::Running, 30000);
        // It came back through the relay, not around it.
        QVERIFY(m_relay1.accepted() > acceptedBefore);
        int missing = 0, duplicates = 0;
        QTRY_VERIFY2_WITH_TIMEOUT(allArrived(producedDuringLoss, &missing, &duplicates),
                                  qPrintable(QStringLiteral("%1 of %2 missing").arg(missing).arg(producedDuringLoss)),
                                  30000);
        QTRY_VERIFY_WITH_TIMEOUT(m_device->messagesQueued() < 5, 30000);
        QCOMPARE(m_device->messagesDropped(), 0);
        qInfo("8 s network loss: %d messages produced so far, none lost, %d duplicate(s) delivered", producedDuringLoss,
              duplicates);
    }

    void brokerOutageLosesNothing()
    {
        QTRY_VERIFY_WITH_TIMEOUT(m_device->isConnected(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(allArrived(m_counter - 1), 10000);
        m_hubs.broker(QStringLiteral("hub1"))->stop();
        QTRY_VERIFY_WITH_TIMEOUT(!m_device->isConnected(), 10000);
        QCOMPARE(m_device->state(), DeviceController::State::Connecting);
        // The outage: readings keep coming and wait in the outbox.
        QTest::qWait(20000);
        QVERIFY2(m_device->messagesQueued() >= 50, qPrintable(QString::number(m_device->messagesQueued())));
        QVERIFY(m_device->consecutiveConnectFailures() >= 5);
        QCOMPARE(m_device->assignedHub(), kHub1Host);

        QElapsedTimer timer;
        timer.start();
        QVERIFY2(m_hubs.restartBroker(QStringLiteral("hub1")), qPrintable(m_hubs.lastError()));
        const int producedDuringOutage = m_counter;
        QTRY_COMPARE_WITH_TIMEOUT(m_device->state(), DeviceController::State::Running, 30000);
        qInfo("reconnected %lld ms after the broker came back", timer.elapsed());
        int missing = 0, duplicates = 0;
        QTRY_VERIFY2_WITH_TIMEOUT(allArrived(producedDuringOutage, &missing, &duplicates),
                                  qPrintable(QStringLiteral("%1 of %2 missing").arg(missing).arg(producedDuringOutage)),
                                  30000);
        QTRY_VERIFY_WITH_TIMEOUT(m_device->messagesQueued() < 5, 30000);
        QCOMPARE(m_device->messagesDropped(), 0);
        qInfo("20 s outage: %d messages produced so far, none lost, %d duplicate(s) delivered", producedDuringOutage,
              duplicates);
    }

    void failuresLeadToReprovisioning()
    {
        // hub1 is linked with an address nobody listens on (it moved, say).
        const quint16 deadPort = freeLocalPort();
        QVERIFY(deadPort != 0);
        QVERIFY(m_hubs.putHub(QStringLiteral("hub1"), kHub1Host, hub1Port(), deadPort));
        const QString id = QStringLiteral("sn-dc-0003");
        const auto enrolled = m_f.putEnrollment(id, QJsonObject{{QStringLiteral("registrationId"), id}});
        QVERIFY2(enrolled.status == 201, enrolled.body.constData());

        QTemporaryDir dir;
        DeviceSettings s = settings(QStringLiteral("SN-DC-0003"), dir.path());
        s.reprovisionAfterFailures = 3;
        int counter = 0;
        DeviceController device(s);
        device.setTelemetrySource(std::make_unique<CountingSource>(&counter));
        device.start();
        // The advanced path: ID scope, registration id and key typed in.
        device.provisionWithKey(m_f.mw->idScope(), id, DeviceFixture::primaryKey(enrolled.json()));
        QCOMPARE(device.stepState(DeviceController::Step::ExchangingCode), DeviceController::StepState::Done);
        QTRY_COMPARE_WITH_TIMEOUT(device.state(), DeviceController::State::Connecting, 15000);
        QVERIFY(device.hasStoredCredentials());
        // Three failed connects: it registers again, gets the same dead address...
        QTRY_VERIFY_WITH_TIMEOUT(device.reprovisionCount() >= 1, 20000);
        QVERIFY(device.state() != DeviceController::State::Running);
        // ...until the hub's address is fixed; the next registration finds it.
        QVERIFY(m_hubs.putHub(QStringLiteral("hub1"), kHub1Host, hub1Port(), hub1Port()));
        QTRY_COMPARE_WITH_TIMEOUT(device.state(), DeviceController::State::Running, 30000);
        qInfo("connected after %d registration(s) in all", device.reprovisionCount() + 1);
        QVERIFY(m_hubs.waitForLink(QStringLiteral("hub1"), QStringLiteral("127.0.0.1:%1").arg(hub1Port())));
        QTRY_VERIFY_WITH_TIMEOUT(device.messagesSent() >= 1, 10000);
        QSignalSpy stoppedSpy(&device, &DeviceController::stopped);
        device.stop();
        QVERIFY(stoppedSpy.count() == 1 || stoppedSpy.wait(5000));
    }

    void reprovisionMethodMovesToAnotherHub()
    {
        QVERIFY2(m_hubs.linkHub(QStringLiteral("hub2"), kHub2Host), qPrintable(m_hubs.lastError()));
        QVERIFY(setStaticHub(QStringLiteral("hub2")));
        // Earlier tests cut the middleware off hub1 for a while (a message
        // the hub accepts then reaches nobody): count from here.
        const int first = m_counter + 1;

        const auto r = m_f.operatorClient->post(QStringLiteral("/api/v1/devices/%1/methods/reprovision").arg(kDeviceId),
                                                QJsonObject{{QStringLiteral("responseTimeoutInSeconds"), 10}});
        QVERIFY2(r.status == 200, r.body.constData());
        QCOMPARE(r.json().value(QStringLiteral("status")).toInt(), 200);
        QCOMPARE(r.json().value(QStringLiteral("payload")).toObject().value(QStringLiteral("reprovisioning")).toBool(),
                 true);

        QTRY_COMPARE_WITH_TIMEOUT(m_device->assignedHub(), kHub2Host, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(m_device->state(), DeviceController::State::Running, 20000);
        QCOMPARE(m_device->stepDetail(DeviceController::Step::Assigned), QStringLiteral("Assigned to hub2.test"));
        QCOMPARE(m_f.viewer->get(QStringLiteral("/api/v1/registrations/%1").arg(kDeviceId))
                     .json()
                     .value(QStringLiteral("assignedHub"))
                     .toString(),
                 kHub2Host);
        // The stored connection follows the move.
        QFile connection(QDir(dataDir()).filePath(QStringLiteral("connection.json")));
        QVERIFY(connection.open(QIODevice::ReadOnly));
        QCOMPARE(QJsonDocument::fromJson(connection.readAll()).object().value(QStringLiteral("assignedHub")).toString(),
                 kHub2Host);
        // And it keeps streaming, through hub2 now, nothing lost in the move.
        const int mark = m_counter + 5;
        int missing = 0, duplicates = 0;
        QTRY_VERIFY_WITH_TIMEOUT(allArrived(mark, &missing, &duplicates, first), 20000);
        qInfo("moved to hub2: messages %d..%d all arrived, %d duplicate(s)", first, mark, duplicates);
        QTRY_COMPARE_WITH_TIMEOUT(twin().value(QStringLiteral("connectionState")).toString(),
                                  QStringLiteral("Connected"), 10000);
    }

    void restartReconnectsWithoutProvisioning()
    {
        QSignalSpy stoppedSpy(m_device.get(), &DeviceController::stopped);
        m_device->stop();
        QVERIFY(stoppedSpy.count() == 1 || stoppedSpy.wait(5000));
        m_device.reset();
        const QString registered = m_f.viewer->get(QStringLiteral("/api/v1/registrations/%1").arg(kDeviceId))
                                       .json()
                                       .value(QStringLiteral("createdDateTimeUtc"))
                                       .toString();

        // Only the data directory: everything else comes from the stored files.
        DeviceSettings s;
        s.dataDirectory = dataDir();
        s.serial = kSerial;
        s.telemetryIntervalMs = 200;
        m_device = std::make_unique<DeviceController>(s);
        m_device->setTelemetrySource(std::make_unique<CountingSource>(&m_counter));
        QSignalSpy stateSpy(m_device.get(), &DeviceController::stateChanged);
        m_device->start();
        QCOMPARE(m_device->state(), DeviceController::State::Connecting);
        QCOMPARE(m_device->assignedHub(), kHub2Host);
        QTRY_COMPARE_WITH_TIMEOUT(m_device->state(), DeviceController::State::Running, 20000);
        for (const auto &args : stateSpy)
            QVERIFY(args.at(0).value<DeviceController::State>() != DeviceController::State::Provisioning);
        QCOMPARE(m_device->settings().middlewareUrl, QUrl(m_f.mw->baseUrl()));
        QCOMPARE(m_device->reprovisionCount(), 0);
        QCOMPARE(m_f.viewer->get(QStringLiteral("/api/v1/registrations/%1").arg(kDeviceId))
                     .json()
                     .value(QStringLiteral("createdDateTimeUtc"))
                     .toString(),
                 registered);
        const int first = m_counter + 1;
        const int mark = m_counter + 2;
        QTRY_VERIFY_WITH_TIMEOUT(allArrived(mark, nullptr, nullptr, first), 20000);
    }

    void refusalLeadsToReprovisioning()
    {
        // The back office deletes the registration: the hub revokes the
        // device and refuses it. With its stored credentials the device
        // registers again (an initial assignment) and is let back in.
        QVERIFY(m_device->isConnected());
        const int before = m_device->reprovisionCount();
        const auto deleted = m_f.operatorClient->del(QStringLiteral("/api/v1/registrations/%1").arg(kDeviceId));
        QVERIFY2(deleted.status == 204, deleted.body.constData());
        QTRY_VERIFY_WITH_TIMEOUT(m_device->reprovisionCount() > before, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(m_device->state(), DeviceController::State::Running, 30000);
        QCOMPARE(m_f.viewer->get(QStringLiteral("/api/v1/registrations/%1").arg(kDeviceId))
                     .json()
                     .value(QStringLiteral("status"))
                     .toString(),
                 QStringLiteral("assigned"));
        // And the hub acknowledges its telemetry again.
        const qint64 sent = m_device->messagesSent();
        QTRY_VERIFY_WITH_TIMEOUT(m_device->messagesSent() >= sent + 3, 10000);
        // ...and what it sends after registering again reaches the back office.
        const int first = m_counter + 1;
        const int mark = m_counter + 2;
        QTRY_VERIFY_WITH_TIMEOUT(allArrived(mark, nullptr, nullptr, first), 20000);
    }

    void hubSigningKeyRotationLeadsToReprovisioning()
    {
        // An admin rotates the signing key of the device's hub with a short
        // overlap: the device's hub key works on until the deadline; then
        // the hub cuts it off and refuses it, and the device registers again
        // by itself for a key of the new signing key, and its telemetry
        // flows again.
        QTRY_VERIFY_WITH_TIMEOUT(m_device->isConnected(), 20000);
        const int before = m_device->reprovisionCount();
        const QString hub = m_device->assignedHub() == kHub2Host ? QStringLiteral("hub2") : QStringLiteral("hub1");
        const auto rotated = m_f.admin->post(QStringLiteral("/api/v1/hubs/%1/rotate-key").arg(hub),
                                             QJsonObject{{QStringLiteral("overlapSeconds"), 3}});
        QVERIFY2(rotated.status == 200, rotated.body.constData());
        QTest::qWait(1500);
        QVERIFY(m_device->isConnected());
        QCOMPARE(m_device->reprovisionCount(), before);
        QTRY_VERIFY_WITH_TIMEOUT(m_device->reprovisionCount() > before, 30000);
        QTRY_COMPARE_WITH_TIMEOUT(m_device->state(), DeviceController::State::Running, 30000);
        const qint64 sent = m_device->messagesSent();
        QTRY_VERIFY_WITH_TIMEOUT(m_device->messagesSent() >= sent + 3, 10000);
        const int first = m_counter + 1;
        const int mark = m_counter + 2;
        QTRY_VERIFY_WITH_TIMEOUT(allArrived(mark, nullptr, nullptr, first), 20000);
    }

    void wrongCodeIsExplainedAndRateLimited()
    {
        const QString serial = QStringLiteral("SN-DC-0002");
        const QString realCode = enrollSerial(serial);
        QVERIFY(!realCode.isEmpty());
        QTemporaryDir dir;
        DeviceController device(settings(serial, dir.path()));
        QSignalSpy failedSpy(&device, &DeviceController::failed);
        device.start();
        QCOMPARE(device.state(), DeviceController::State::Unprovisioned);

        // A typo (wrong check character) is caught on the device.
        QString typo = realCode;
        typo[typo.size() - 1] = typo.at(typo.size() - 1) == QLatin1Char('0') ? QLatin1Char('1') : QLatin1Char('0');
        device.activate(typo);
        QTRY_COMPARE_WITH_TIMEOUT(failedSpy.count(), 1, 5000);
        QCOMPARE(device.state(), DeviceController::State::Failed);
        QCOMPARE(device.stepState(DeviceController::Step::ExchangingCode), DeviceController::StepState::Failed);
        const QString invalid = QStringLiteral("This activation code is not valid. Check it for typos, "
                                               "or ask your provider for a new one.");
        QCOMPARE(failedSpy.at(0).at(0).toString(), invalid);
        QCOMPARE(device.lastErrorMessage(), invalid);

        // Well-formed but wrong codes count against the serial: five, then 429.
        for (int i = 1; i <= 6; ++i) {
            device.activate(ActivationCode::generate());
            QTRY_COMPARE_WITH_TIMEOUT(failedSpy.count(), 1 + i, 10000);
            QCOMPARE(device.state(), DeviceController::State::Failed);
            const QString detail = failedSpy.last().at(1).toString();
            QVERIFY2(!detail.contains(realCode), "the detail must not carry a code");
            if (i <= 5)
                QCOMPARE(failedSpy.last().at(0).toString(), invalid);
        }
        const QString limited = failedSpy.last().at(0).toString();
        QVERIFY2(limited.startsWith(QStringLiteral("Too many attempts. Wait ")), qPrintable(limited));
        QVERIFY2(failedSpy.last().at(1).toString().contains(QStringLiteral("429")),
                 qPrintable(failedSpy.last().at(1).toString()));
        // While limited, even the right code waits.
        device.activate(realCode);
        QTRY_COMPARE_WITH_TIMEOUT(failedSpy.count(), 8, 10000);
        QVERIFY(failedSpy.last().at(0).toString().startsWith(QStringLiteral("Too many attempts")));
        QVERIFY(device.deviceId().isEmpty());
        QVERIFY(!QFile::exists(QDir(dir.path()).filePath(QStringLiteral("connection.json"))));
        QVERIFY(!device.hasStoredCredentials());
    }

    void resetForgetsEverything()
    {
        QSignalSpy stateSpy(m_device.get(), &DeviceController::stateChanged);
        m_device->reset();
        QCOMPARE(m_device->state(), DeviceController::State::Unprovisioned);
        QVERIFY(m_device->deviceId().isEmpty());
        QCOMPARE(m_device->messagesQueued(), 0);
        QVERIFY(!m_device->hasStoredCredentials());
        QVERIFY(!QFile::exists(QDir(dataDir()).filePath(QStringLiteral("connection.json"))));
        QVERIFY(!QFile::exists(QDir(dataDir()).filePath(QStringLiteral("provisioning.json"))));
        QCOMPARE(m_device->stepState(DeviceController::Step::Assigned), DeviceController::StepState::Pending);
        // Bad input changes nothing.
        QSignalSpy failedSpy(m_device.get(), &DeviceController::failed);
        const QUrl before = m_device->settings().middlewareUrl;
        m_device->setMiddlewareUrl(QUrl(QStringLiteral("not a url")));
        QCOMPARE(failedSpy.count(), 1);
        QCOMPARE(m_device->settings().middlewareUrl, before);
    }
};

PROVISIO_TEST_GUILESS_MAIN(TestDeviceController)
#include "tst_devicecontroller.moc"

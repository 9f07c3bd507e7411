// SPDX-License-Identifier: Apache-2.0
// ProvisioningClient against the real middleware over real HTTPS: the
// activation-code path, the direct DPS path, and what the person at the kiosk
// is told when something goes wrong.
#include "childprocesswatch.h"
#include "connectioninfostore.h"
#include "devicetestutil.h"
#include "provisioningclient.h"

#include "crypto/activationcode.h"

#include <QFile>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace Provisio;
using namespace Provisio::Kiosk;
using namespace Provisio::Test;
using Step = ProvisioningClient::Step;

namespace {

// Stands in for a custom allocation webhook (Azure Functions in DPS): answers
// every request with hub1.test, so the registration goes through "assigning"
// and the client has to poll.
class AllocationWebhook : public QObject
{
public:
    bool listen()
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { read(socket); });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
        return m_server.listen(QHostAddress::LocalHost, 0);
    }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1/api/allocate").arg(m_server.serverPort()); }
    int requests = 0;

private:
    void read(QTcpSocket *socket)
    {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        const int end = buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        int length = 0;
        for (const QByteArray &line : buffer.left(end).split('\n')) {
            if (line.toLower().startsWith("content-length:"))
                length = line.mid(15).trimmed().toInt();
        }
        if (buffer.size() < end + 4 + length)
            return;
        m_buffers.remove(socket);
        ++requests;
        const QByteArray body =
            QJsonDocument(QJsonObject{{QStringLiteral("iotHubHostName"), QStringLiteral("hub1.test")}})
                .toJson(QJsonDocument::Compact);
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                      QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
        socket->disconnectFromHost();
    }

    QTcpServer m_server;
    QHash<QTcpSocket *, QByteArray> m_buffers;
};

const auto InvalidCode = QStringLiteral("This activation code is not valid. Check it for typos, "
                                        "or ask your provider for a new one.");
} // namespace

class TestProvisioningClient : public QObject
{
    Q_OBJECT

private:
    DeviceFixture m_fx;

    QUrl middlewareUrl() const { return QUrl(m_fx.mw->baseUrl()); }

    std::unique_ptr<ProvisioningClient> makeClient()
    {
        auto client = std::make_unique<ProvisioningClient>();
        QFile ca(m_fx.mw->caCertificatePath());
        if (!ca.open(QIODevice::ReadOnly) || !client->setCaCertificatePem(ca.readAll()))
            qWarning("cannot read the middleware CA");
        return client;
    }

    // Inventory device + enrollment bound to it; returns the enrollment answer
    // (with the activation code and keys).
    QJsonObject enrollSerial(const QString &serial)
    {
        const auto device =
            m_fx.admin->post(QStringLiteral("/api/v1/devices"), QJsonObject{{QStringLiteral("serial"), serial}});
        if (device.status != 201) {
            qWarning("inventory device: %d %s", device.status, device.body.constData());
            return {};
        }
        const auto enrollment =
            m_fx.putEnrollment(serial.toLower(), QJsonObject{{QStringLiteral("registrationId"), serial.toLower()},
                                                             {QStringLiteral("serial"), serial}});
        if (enrollment.status != 201)
            qWarning("enrollment: %d %s", enrollment.status, enrollment.body.constData());
        return enrollment.json();
    }

    static QList<Step> steps(const QSignalSpy &spy)
    {
        QList<Step> result;
        for (const auto &args : spy)
            result.append(args.at(0).value<Step>());
        return result;
    }

    // What the middleware itself says about the registration, to compare the
    // client's ConnectionInfo with.
    QJsonObject registrationState(const QString &registrationId, const QString &key)
    {
        const auto r = m_fx.statusLookup(registrationId, key);
        if (r.status != 200)
            qWarning("status lookup: %d %s", r.status, r.body.constData());
        return r.json();
    }

    void verifyMatches(const ConnectionInfo &info, const QJsonObject &state)
    {
        const QJsonObject provisio =
            state.value(QStringLiteral("payload")).toObject().value(QStringLiteral("provisio")).toObject();
        QVERIFY(!provisio.isEmpty());
        QCOMPARE(info.idScope, m_fx.mw->idScope());
        QCOMPARE(info.registrationId, state.value(QStringLiteral("registrationId")).toString());
        QCOMPARE(info.deviceId, state.value(QStringLiteral("deviceId")).toString());
        QCOMPARE(info.assignedHub, state.value(QStringLiteral("assignedHub")).toString());
        QVERIFY(!info.hubDeviceKey.isEmpty());
        QCOMPARE(info.hubDeviceKey, provisio.value(QStringLiteral("hubDeviceKey")).toString());
        QCOMPARE(info.hubEndpoint, provisio.value(QStringLiteral("hubEndpoint")).toString());
        QCOMPARE(info.hubEndpoint, QStringLiteral("hub1.test:8883"));
        QCOMPARE(info.caCertificate, provisio.value(QStringLiteral("caCertificate")).toString());
        QVERIFY(info.caCertificate.startsWith(QStringLiteral("-----BEGIN CERTIFICATE-----")));
        QVERIFY(info.provisionedAt.isValid());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        qRegisterMetaType<ConnectionInfo>();
        qRegisterMetaType<Step>();
        // The allocation webhook is this test's plain-HTTP loopback server:
        // allowed explicitly (the middleware inherits the environment).
        qputenv("PROVISIO_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1");
        qputenv("PROVISIO_WEBHOOK_ALLOW_HTTP", "on");
        qputenv("PROVISIO_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "on");
        QVERIFY(m_fx.start());
        const auto hub = m_fx.admin->put(QStringLiteral("/api/v1/hubs/hub1"),
                                         QJsonObject{{QStringLiteral("host"), QStringLiteral("hub1.test")},
                                                     {QStringLiteral("port"), 8883},
                                                     {QStringLiteral("region"), QStringLiteral("eu")},
                                                     {QStringLiteral("allocationWeight"), 1}});
        QVERIFY2(hub.status == 201 || hub.status == 200, hub.body.constData());
        // SN-2 has an enrollment and a valid code that the tests never use.
        QVERIFY(!enrollSerial(QStringLiteral("SN-2")).isEmpty());
    }

    void activationCodeProvisionsTheDevice()
    {
        const QJsonObject enrollment = enrollSerial(QStringLiteral("SN-1"));
        const QString code = enrollment.value(QStringLiteral("activationCode")).toString();
        QVERIFY(!code.isEmpty());

        QTemporaryDir tmp;
        ConnectionInfoStore store(tmp.filePath(QStringLiteral("kiosk")));
        auto client = makeClient();
        QSignalSpy stepSpy(client.get(), &ProvisioningClient::stepChanged);
        QSignalSpy provisionedSpy(client.get(), &ProvisioningClient::provisioned);
        QSignalSpy failedSpy(client.get(), &ProvisioningClient::failed);
        connect(client.get(), &ProvisioningClient::provisioned, this,
                [&store](const ConnectionInfo &info) { QVERIFY(store.save(info).ok()); });

        // Typed as a person would: lower case, no dashes.
        client->activate(middlewareUrl(), QStringLiteral("SN-1"), code.toLower().remove(QLatin1Char('-')));
        QVERIFY(client->isBusy());
        QVERIFY(provisionedSpy.wait(30000));
        QVERIFY2(failedSpy.isEmpty(), failedSpy.isEmpty() ? "" : qPrintable(failedSpy.at(0).at(1).toString()));
        QVERIFY(!client->isBusy());
        QCOMPARE(steps(stepSpy), (QList<Step>{Step::ExchangingCode, Step::Registering, Step::Assigned}));

        const auto info = provisionedSpy.at(0).at(0).value<ConnectionInfo>();
        QCOMPARE(info.registrationId, QStringLiteral("sn-1"));
        verifyMatches(info, registrationState(QStringLiteral("sn-1"), DeviceFixture::primaryKey(enrollment)));

        const auto stored = store.load();
        QVERIFY(stored.ok());
        QVERIFY(stored->has_value());
        QCOMPARE(stored->value(), info);

        // The code was one-time: using it again tells the user it is not valid.
        auto again = makeClient();
        QSignalSpy againFailed(again.get(), &ProvisioningClient::failed);
        again->activate(middlewareUrl(), QStringLiteral("SN-1"), code);
        QVERIFY(againFailed.wait(30000));
        QCOMPARE(againFailed.at(0).at(0).toString(), InvalidCode);
        QVERIFY(againFailed.at(0).at(1).toString().contains(QStringLiteral("409")));
        QVERIFY(!againFailed.at(0).at(1).toString().contains(code));
    }

    void wrongCodeIsReportedAndNothingStored_data()
    {
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("detailContains");
        // Well-formed but unknown: the server says 401.
        QTest::newRow("unknown code") << ActivationCode::format(ActivationCode::generate()) << QStringLiteral("401");
        // A typo caught by the check character, before any request.
        QTest::newRow("typo") << QStringLiteral("0000-0000-0000-0000-1") << QStringLiteral("rejected locally");
    }
    void wrongCodeIsReportedAndNothingStored()
    {
        QFETCH(QString, code);
        QFETCH(QString, detailContains);

        QTemporaryDir tmp;
        ConnectionInfoStore store(tmp.filePath(QStringLiteral("kiosk")));
        auto client = makeClient();
        QSignalSpy stepSpy(client.get(), &ProvisioningClient::stepChanged);
        QSignalSpy provisionedSpy(client.get(), &ProvisioningClient::provisioned);
        QSignalSpy failedSpy(client.get(), &ProvisioningClient::failed);
        connect(client.get(), &ProvisioningClient::provisioned, this,
                [&store](const ConnectionInfo &info) { QVERIFY(store.save(info).ok()); });

        client->activate(middlewareUrl(), QStringLiteral("SN-2"), code);
        QVERIFY(failedSpy.count() == 1 || failedSpy.wait(30000));
        QCOMPARE(failedSpy.at(0).at(0).toString(), InvalidCode);
        QVERIFY2(failedSpy.at(0).at(1).toString().contains(detailContains),
                 qPrintable(failedSpy.at(0).at(1).toString()));
        QVERIFY(provisionedSpy.isEmpty());
        QCOMPARE(steps(stepSpy), QList<Step>{Step::ExchangingCode});
        QVERIFY(!client->isBusy());
        const auto stored = store.load();
        QVERIFY(stored.ok());
        QVERIFY(!stored->has_value());
        QVERIFY(!QFile::exists(store.filePath()));
    }

    void tooManyAttemptsSaysHowLongToWait()
    {
        enrollSerial(QStringLiteral("SN-3"));
        auto client = makeClient();
        QSignalSpy failedSpy(client.get(), &ProvisioningClient::failed);
        // Five failed well-formed attempts per serial and client are free;
        // then this client waits, 2 s at first. Each refusal says how many
        // wrong codes are left before that wait (X-Provisio-Attempts-Left).
        QList<int> attemptsLeft;
        for (int i = 0; i < 6; ++i) {
            client->activate(middlewareUrl(), QStringLiteral("SN-3"), ActivationCode::generate());
            QVERIFY(failedSpy.wait(30000));
            attemptsLeft << client->lastFailure().attemptsLeft;
        }
        for (int i = 0; i < 5; ++i)
            QCOMPARE(failedSpy.at(i).at(0).toString(), InvalidCode);
        QCOMPARE(attemptsLeft, (QList<int>{4, 3, 2, 1, 0, -1}));
        QCOMPARE(client->lastFailure().kind, ProvisioningClient::FailureKind::TooManyAttempts);
        const QString message = failedSpy.at(5).at(0).toString();
        QVERIFY2(message.startsWith(QStringLiteral("Too many attempts. Wait ")), qPrintable(message));
        QVERIFY2(message.endsWith(QStringLiteral(" seconds, then try again.")), qPrintable(message));
        QVERIFY2(failedSpy.at(5).at(1).toString().contains(QStringLiteral("429")),
                 qPrintable(failedSpy.at(5).at(1).toString()));
    }

    void directRegistrationProvisionsTheDevice()
    {
        const auto enrollment = m_fx.putEnrollment(QStringLiteral("kiosk-direct"), QJsonObject{});
        QCOMPARE(enrollment.status, 201);
        const QString key = DeviceFixture::primaryKey(enrollment.json());

        auto client = makeClient();
        QSignalSpy stepSpy(client.get(), &ProvisioningClient::stepChanged);
        QSignalSpy provisionedSpy(client.get(), &ProvisioningClient::provisioned);
        QSignalSpy failedSpy(client.get(), &ProvisioningClient::failed);
        client->registerDevice(middlewareUrl(), m_fx.mw->idScope(), QStringLiteral("kiosk-direct"), key);
        QVERIFY(provisionedSpy.wait(30000));
        QVERIFY(failedSpy.isEmpty());
        QCOMPARE(steps(stepSpy), (QList<Step>{Step::Registering, Step::Assigned}));
        const auto info = provisionedSpy.at(0).at(0).value<ConnectionInfo>();
        QCOMPARE(info.deviceId, QStringLiteral("kiosk-direct"));
        verifyMatches(info, registrationState(QStringLiteral("kiosk-direct"), key));
    }

    void pendingAssignmentIsPolled()
    {
        AllocationWebhook webhook;
        QVERIFY(webhook.listen());
        const auto enrollment = m_fx.putEnrollment(
            QStringLiteral("kiosk-custom"),
            QJsonObject{{QStringLiteral("allocationPolicy"), QStringLiteral("custom")},
                        {QStringLiteral("iotHubs"), QJsonArray{QStringLiteral("hub1.test")}},
                        {QStringLiteral("customAllocationDefinition"),
                         QJsonObject{{QStringLiteral("webhookUrl"), webhook.url()},
                                     {QStringLiteral("apiVersion"), QStringLiteral("2021-10-01")}}}});
        QVERIFY2(enrollment.status == 201, enrollment.body.constData());
        const QString key = DeviceFixture::primaryKey(enrollment.json());

        auto client = makeClient();
        client->setMaxPollInterval(500); // the cap on Retry-After keeps the test short
        QSignalSpy stepSpy(client.get(), &ProvisioningClient::stepChanged);
        QSignalSpy provisionedSpy(client.get(), &ProvisioningClient::provisioned);
        QSignalSpy failedSpy(client.get(), &ProvisioningClient::failed);
        client->registerDevice(middlewareUrl(), m_fx.mw->idScope(), QStringLiteral("kiosk-custom"), key);
        QVERIFY(provisionedSpy.wait(30000));
        QVERIFY2(failedSpy.isEmpty(), failedSpy.isEmpty() ? "" : qPrintable(failedSpy.at(0).at(1).toString()));
        QCOMPARE(steps(stepSpy), (QList<Step>{Step::Registering, Step::WaitingForAssignment, Step::Assigned}));
        QCOMPARE(webhook.requests, 1);
        verifyMatches(provisionedSpy.at(0).at(0).value<ConnectionInfo>(),
                      registrationState(QStringLiteral("kiosk-custom"), key));
    }

    void disabledDeviceIsTold()
    {
        const auto enrollment = m_fx.putEnrollment(QStringLiteral("kiosk-disabled"), QJsonObject{});
        QCOMPARE(enrollment.status, 201);
        const auto disabled =
            m_fx.operatorClient->post(QStringLiteral("/api/v1/enrollments/kiosk-disabled/disable"), {});
        QVERIFY2(disabled.status == 200, disabled.body.constData());

        auto client = makeClient();
        QSignalSpy failedSpy(client.get(), &ProvisioningClient::failed);
        client->registerDevice(middlewareUrl(), m_fx.mw->idScope(), QStringLiteral("kiosk-disabled"),
                               DeviceFixture::primaryKey(enrollment.json()));
        QVERIFY(failedSpy.wait(30000));
        QCOMPARE(failedSpy.at(0).at(0).toString(), QStringLiteral("This device has been disabled by your provider."));
    }

    void wrongKeyIsRejected()
    {
        QVERIFY(m_fx.putEnrollment(QStringLiteral("kiosk-wrongkey"), QJsonObject{}).status == 201);
        auto client = makeClient();
        QSignalSpy failedSpy(client.get(), &ProvisioningClient::failed);
        client->registerDevice(middlewareUrl(), m_fx.mw->idScope(), QStringLiteral("kiosk-wrongkey"),
                               Crypto::generateSymmetricKey());
        QVERIFY(failedSpy.wait(30000));
        QVERIFY2(failedSpy.at(0).at(0).toString().contains(QStringLiteral("Ask your provider")),
                 qPrintable(failedSpy.at(0).at(0).toString()));
        QVERIFY(failedSpy.at(0).at(1).toString().contains(QStringLiteral("401")));
    }

    void untrustedServerIsUnreachable()
    {
        // A device trusting another CA must refuse the middleware's certificate.
        auto client = std::make_unique<ProvisioningClient>();
        const auto defaults = QSslConfiguration::systemCaCertificates();
        // Any valid certificate other than the middleware's CA will do: use the
        // system bundle's first one when present, else skip.
        if (defaults.isEmpty())
            QSKIP("no system CA certificate to use as a wrong trust anchor");
        QVERIFY(client->setCaCertificatePem(defaults.first().toPem()));
        QSignalSpy failedSpy(client.get(), &ProvisioningClient::failed);
        client->registerDevice(middlewareUrl(), m_fx.mw->idScope(), QStringLiteral("kiosk-direct"),
                               Crypto::generateSymmetricKey());
        QVERIFY(failedSpy.wait(30000));
        QCOMPARE(failedSpy.at(0).at(0).toString(),
                 QStringLiteral("Cannot reach the provisioning service. Check the network connection."));
    }
};

PROVISIO_TEST_GUILESS_MAIN(TestProvisioningClient)
#include "tst_provisioningclient.moc"

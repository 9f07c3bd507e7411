// SPDX-License-Identifier: Apache-2.0
// HubSession end to end: a real middleware links hub1, the real
// `provisio-middleware hub-config` configures a real mosquitto with the real
// plugin, the device is enrolled and registered through ProvisioningClient
// (direct DPS path), and the session it builds from that ConnectionInfo is
// observed through the middleware's API.
#include "childprocesswatch.h"
#include "hubfixture.h"
#include "hubsession.h"
#include "provisioningclient.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace Provisio;
using namespace Provisio::Kiosk;
using namespace Provisio::Test;

namespace {
const QString kHubHost = QStringLiteral("hub1.test");
}

class TestHubSession : public QObject
{
    Q_OBJECT

private:
    DeviceFixture m_f;
    HubFixture m_hubs{m_f};
    ConnectionInfo m_info;
    std::unique_ptr<HubSession> m_session;

    QJsonObject twin()
    {
        return m_f.viewer->get(QStringLiteral("/api/v1/devices/%1/twin").arg(m_info.deviceId)).json();
    }
    QJsonObject reported()
    {
        return twin().value(QStringLiteral("properties")).toObject().value(QStringLiteral("reported")).toObject();
    }

    // Enrollment with a symmetric key, then the kiosk's own registration.
    ConnectionInfo provision(const QString &id, const QJsonObject &initialTwin)
    {
        const auto enrolled = m_hubs.enroll({}, id, QJsonObject{{QStringLiteral("initialTwin"), initialTwin}});
        if (enrolled.status != 201)
            return {};
        ProvisioningClient client;
        QFile ca(m_f.mw->caCertificatePath());
        if (!ca.open(QIODevice::ReadOnly) || !client.setCaCertificatePem(ca.readAll()))
            qWarning("cannot read the middleware CA");
        QSignalSpy provisioned(&client, &ProvisioningClient::provisioned);
        QSignalSpy failed(&client, &ProvisioningClient::failed);
        client.registerDevice(QUrl(m_f.mw->baseUrl()), m_f.mw->idScope(), id, enrolled.primaryKey);
        if (!provisioned.wait(30000)) {
            qWarning("provisioning failed: %s",
                     failed.isEmpty() ? "timeout" : qPrintable(failed.at(0).at(1).toString()));
            return {};
        }
        return provisioned.at(0).at(0).value<ConnectionInfo>();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        qRegisterMetaType<ConnectionInfo>();
        QVERIFY2(QFileInfo::exists(QStringLiteral(PROVISIO_MOSQUITTO_BIN)), "mosquitto is not installed");
        QVERIFY(m_f.start());
        QVERIFY2(m_hubs.linkHub(QStringLiteral("hub1"), kHubHost), qPrintable(m_hubs.lastError()));
        const quint16 port = m_hubs.port(QStringLiteral("hub1"));

        m_info = provision(
            QStringLiteral("kiosk-hs"),
            QJsonObject{{QStringLiteral("properties"),
                         QJsonObject{{QStringLiteral("desired"), QJsonObject{{QStringLiteral("interval"), 10}}}}}});
        QVERIFY(!m_info.deviceId.isEmpty());
        QCOMPARE(m_info.assignedHub, kHubHost);
        QCOMPARE(m_info.hubEndpoint, QStringLiteral("127.0.0.1:%1").arg(port));
    }

    void cleanupTestCase() { m_session.reset(); }

    void connectsAndReceivesInitialDesired()
    {
        m_session = std::make_unique<HubSession>(m_info);
        QSignalSpy connectedSpy(m_session.get(), &HubSession::connectedChanged);
        QSignalSpy desiredSpy(m_session.get(), &HubSession::desiredPropertiesChanged);
        QSignalSpy refusedSpy(m_session.get(), &HubSession::authenticationRefused);
        m_session->start();
        QTRY_VERIFY_WITH_TIMEOUT(m_session->isConnected(), 15000);
        QCOMPARE(connectedSpy.count(), 1);
        QCOMPARE(connectedSpy.at(0).at(0).toBool(), true);
        QVERIFY(desiredSpy.count() >= 1 || desiredSpy.wait(10000));
        const QJsonObject desired = desiredSpy.last().at(0).toJsonObject();
        QCOMPARE(desired.value(QStringLiteral("interval")).toInt(), 10);
        QVERIFY(desired.value(QStringLiteral("$version")).toInt() >= 1);
        QCOMPARE(m_session->desiredProperties(), desired);
        QVERIFY(refusedSpy.isEmpty());
    }

    void reportsProvisioningStatusAndDesiredVersion()
    {
        const int version = m_session->desiredProperties().value(QStringLiteral("$version")).toInt();
        QTRY_COMPARE_WITH_TIMEOUT(reported().value(QStringLiteral("provisioningStatus")).toString(),
                                  QStringLiteral("provisioned"), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(reported().value(QStringLiteral("desiredVersion")).toInt(), version, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(m_f.viewer->get(QStringLiteral("/api/v1/registrations/kiosk-hs"))
                                      .json()
                                      .value(QStringLiteral("deviceStatus"))
                                      .toString(),
                                  QStringLiteral("provisioned"), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(twin().value(QStringLiteral("connectionState")).toString(),
                                  QStringLiteral("Connected"), 10000);
    }

    void desiredPatchArrivesAndIsAcknowledged()
    {
        const int version = m_session->desiredProperties().value(QStringLiteral("$version")).toInt();
        QSignalSpy desiredSpy(m_session.get(), &HubSession::desiredPropertiesChanged);
        const auto patched = m_f.operatorClient->patch(
            QStringLiteral("/api/v1/devices/%1/twin").arg(m_info.deviceId),
            QJsonObject{{QStringLiteral("desired"),
                         QJsonObject{{QStringLiteral("interval"), 20}, {QStringLiteral("led"), true}}}});
        QVERIFY2(patched.status == 200, patched.body.constData());
        QVERIFY(desiredSpy.count() >= 1 || desiredSpy.wait(10000));
        const QJsonObject desired = desiredSpy.last().at(0).toJsonObject();
        QCOMPARE(desired.value(QStringLiteral("$version")).toInt(), version + 1);
        QCOMPARE(desired.value(QStringLiteral("interval")).toInt(), 20);
        QCOMPARE(desired.value(QStringLiteral("led")).toBool(), true);
        QTRY_COMPARE_WITH_TIMEOUT(reported().value(QStringLiteral("desiredVersion")).toInt(), version + 1, 10000);
        QCOMPARE(desiredSpy.count(), 1);
    }

    void directMethodIsAnswered()
    {
        QSignalSpy calledSpy(m_session.get(), &HubSession::methodCalled);
        connect(m_session.get(), &HubSession::methodCalled, this,
                [this](const QString &name, const QString &rid, const QByteArray &payload) {
                    const QJsonObject in = QJsonDocument::fromJson(payload).object();
                    m_session->respondToMethod(
                        rid, 200,
                        QJsonDocument(QJsonObject{{QStringLiteral("method"), name},
                                                  {QStringLiteral("pong"), in.value(QStringLiteral("n"))}})
                            .toJson(QJsonDocument::Compact));
                });
        const auto r =
            m_f.operatorClient->post(QStringLiteral("/api/v1/devices/%1/methods/ping").arg(m_info.deviceId),
                                     QJsonObject{{QStringLiteral("payload"), QJsonObject{{QStringLiteral("n"), 7}}},
                                                 {QStringLiteral("responseTimeoutInSeconds"), 10}});
        QVERIFY2(r.status == 200, r.body.constData());
        QCOMPARE(r.json().value(QStringLiteral("status")).toInt(), 200);
        const QJsonObject payload = r.json().value(QStringLiteral("payload")).toObject();
        QCOMPARE(payload.value(QStringLiteral("method")).toString(), QStringLiteral("ping"));
        QCOMPARE(payload.value(QStringLiteral("pong")).toInt(), 7);
        QCOMPARE(calledSpy.count(), 1);
        QCOMPARE(calledSpy.at(0).at(0).toString(), QStringLiteral("ping"));
        disconnect(m_session.get(), &HubSession::methodCalled, this, nullptr);
        QCOMPARE(twin().value(QStringLiteral("connectionState")).toString(), QStringLiteral("Connected"));
    }

    void tokenIsRenewedAndSessionReconnects()
    {
        // One session per client id: the broker would hand the id back and forth.
        m_session->stop();
        QTRY_VERIFY_WITH_TIMEOUT(!m_session->isConnected(), 10000);
        m_session.reset();

        HubSession session(m_info);
        session.setTokenLifetime(10); // renewed after 8 s
        QSignalSpy connectedSpy(&session, &HubSession::connectedChanged);
        session.start();
        QTRY_VERIFY_WITH_TIMEOUT(session.isConnected(), 15000);
        QCOMPARE(session.tokenGeneration(), 1);
        // Renewal: the session drops and comes back with a second token.
        QTRY_COMPARE_WITH_TIMEOUT(connectedSpy.count(), 3, 20000);
        QCOMPARE(connectedSpy.at(1).at(0).toBool(), false);
        QCOMPARE(connectedSpy.at(2).at(0).toBool(), true);
        QCOMPARE(session.tokenGeneration(), 2);
        // A clean reconnect leaves no "offline" will behind.
        QTRY_COMPARE_WITH_TIMEOUT(twin().value(QStringLiteral("connectionState")).toString(),
                                  QStringLiteral("Connected"), 10000);
        QVERIFY(session.reportProperties(QJsonObject{{QStringLiteral("fw"), QStringLiteral("2.0")}}) > 0);
        QTRY_COMPARE_WITH_TIMEOUT(reported().value(QStringLiteral("fw")).toString(), QStringLiteral("2.0"), 10000);
        session.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!session.isConnected(), 10000);
    }

    void wrongKeyIsRefused()
    {
        ConnectionInfo bad = m_info;
        bad.hubDeviceKey = QString::fromLatin1(QByteArray(32, 'x').toBase64());
        HubSession session(bad);
        QSignalSpy refusedSpy(&session, &HubSession::authenticationRefused);
        session.start();
        QVERIFY(refusedSpy.wait(15000));
        QVERIFY(!session.isConnected());
    }
};

PROVISIO_TEST_GUILESS_MAIN(TestHubSession)
#include "tst_hubsession.moc"

// SPDX-License-Identifier: Apache-2.0
// The device detail's telemetry model against a real middleware and a real
// hub (Mosquitto with the Provisio plugin): a device registers over the DPS
// API, connects with the hub key it was given and publishes readings; the
// model pages back through the stored history, then adds what arrives live
// on top, without losing or repeating a message.
#include "childprocesswatch.h"
#include "core/crmcoretestutil.h"

#include "crypto/sastoken.h"
#include "dpstestutil.h"
#include "eventfeed.h"
#include "mosquittoprocess.h"
#include "mqtt/mqttclient.h"
#include "mqtt/mqtttopic.h"
#include "telemetrymodel.h"

#include <QAbstractItemModelTester>
#include <QDir>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Provisio;
using namespace Provisio::Test;
using namespace Provisio::Crm;

namespace {
const QString kHubHost = QStringLiteral("hub1.provisio.test");
const QString kDevice = QStringLiteral("tele-1");
} // namespace

class TestCrmCoreTelemetry : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void historyPagesThenFollowsLive();
    void skippedLiveMessagesAreReported();

private:
    // Publishes readings temperature = first … first+count-1, QoS 1,
    // `spacingMs` apart, and waits until the middleware has stored them all.
    bool publishReadings(int first, int count, int spacingMs);
    qint64 storedCount();

    CrmFixture m_f;
    QTemporaryDir m_work;
    MosquittoProcess m_broker{QStringLiteral(PROVISIO_MOSQUITTO_BIN)};
    std::unique_ptr<MqttClient> m_device;
    std::unique_ptr<ApiClient> m_api;
};

void TestCrmCoreTelemetry::initTestCase()
{
    QVERIFY(m_f.start());
    auto admin = crmClient(m_f, m_f.adminToken);
    const quint16 port = freeLocalPort();
    QVERIFY(port != 0);
    const CallResult linked = waitFor(admin->put(
        QStringLiteral("hubs/hub1"), {{QStringLiteral("host"), kHubHost},
                                      {QStringLiteral("port"), int(port)},
                                      {QStringLiteral("endpoint"), QStringLiteral("127.0.0.1:%1").arg(port)}}));
    QVERIFY2(linked.ok, qPrintable(linked.failure.message));
    const QString out = m_work.filePath(QStringLiteral("hub1"));
    const auto written = writeHubConfig(*m_f.mw, QStringLiteral("hub1"), port, out);
    QVERIFY2(written.exitCode == 0, qPrintable(written.err));
    QVERIFY2(m_broker.start(QDir(out).filePath(QStringLiteral("mosquitto.conf")), port), qPrintable(m_broker.log()));
    // Telemetry reaches the middleware only over its own link to the hub.
    QTRY_VERIFY_WITH_TIMEOUT(waitFor(admin->get(QStringLiteral("hubs/hub1/status")))
                                 .body.object()
                                 .value(QStringLiteral("connected"))
                                 .toBool(),
                             30000);

    // Enrolled by the CRM, registered by the device over the DPS API.
    auto operatorApi = crmClient(m_f, m_f.operatorToken);
    const CallResult enrolled = waitFor(operatorApi->put(
        QStringLiteral("enrollments/") + kDevice,
        {{QStringLiteral("registrationId"), kDevice},
         {QStringLiteral("attestation"), QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}}}));
    QVERIFY2(enrolled.ok, qPrintable(enrolled.failure.message));
    const QString key = enrolled.body.object()
                            .value(QStringLiteral("attestation"))
                            .toObject()
                            .value(QStringLiteral("symmetricKey"))
                            .toObject()
                            .value(QStringLiteral("primaryKey"))
                            .toString();
    const QJsonObject state = registerOverDps(*m_f.mw, kDevice, key);
    QCOMPARE(state.value(QStringLiteral("status")).toString(), QStringLiteral("assigned"));
    const QJsonObject provisio =
        state.value(QStringLiteral("payload")).toObject().value(QStringLiteral("provisio")).toObject();

    m_device = std::make_unique<MqttClient>();
    m_device->setHostname(QStringLiteral("127.0.0.1"));
    m_device->setPort(port);
    m_device->setClientId(kDevice);
    m_device->setUsername(kHubHost + QLatin1Char('/') + kDevice + QStringLiteral("/?api-version=2021-04-12"));
    m_device->setPassword(SasToken::create(kHubHost + QStringLiteral("/devices/") + kDevice,
                                           provisio.value(QStringLiteral("hubDeviceKey")).toString(),
                                           QDateTime::currentSecsSinceEpoch() + 3600));
    m_device->setTlsEnabled(true);
    m_device->setCaCertificates(provisio.value(QStringLiteral("caCertificate")).toString().toUtf8());
    m_device->setPeerVerifyName(kHubHost);
    m_device->setReconnectDelays(200, 1000);
    m_device->connectToHost();
    QTRY_VERIFY_WITH_TIMEOUT(m_device->state() == MqttClient::Connected, 20000);
    m_api = crmClient(m_f, m_f.viewerToken);
}

void TestCrmCoreTelemetry::cleanupTestCase()
{
    m_device.reset();
    m_broker.stop();
}

qint64 TestCrmCoreTelemetry::storedCount()
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("limit"), QStringLiteral("1"));
    const CallResult r =
        waitFor(m_api->get(QStringLiteral("devices/") + kDevice + QStringLiteral("/telemetry"), query));
    return r.ok ? qint64(r.body.object().value(QStringLiteral("count")).toDouble()) : -1;
}

bool TestCrmCoreTelemetry::publishReadings(int first, int count, int spacingMs)
{
    const qint64 before = storedCount();
    for (int i = first; i < first + count; ++i) {
        const QByteArray body = "{\"temperature\":" + QByteArray::number(i) + '}';
        if (m_device->publish(MqttTopic::telemetryTopic(kDevice), body, 1) < 0)
            return false;
        // Distinct reception times keep "newest first" unambiguous.
        QTest::qWait(spacingMs);
    }
    return QTest::qWaitFor([&] { return storedCount() >= before + count; }, 30000);
}

void TestCrmCoreTelemetry::historyPagesThenFollowsLive()
{
    QVERIFY(publishReadings(0, 130, 2));

    EventFeed feed(m_api.get());
    TelemetryModel telemetry(m_api.get());
    QAbstractItemModelTester tester(&telemetry, QAbstractItemModelTester::FailureReportingMode::QtTest);
    telemetry.setEventFeed(&feed);
    feed.start();
    QTRY_VERIFY_WITH_TIMEOUT(feed.isConnected(), 20000);

    // 100 of the 130 stored, in pages of 30: four requests, newest first.
    telemetry.setMaximumMessages(100);
    telemetry.setPageSize(30);
    QSignalSpy loading(&telemetry, &TelemetryModel::loadingChanged);
    QSignalSpy inserted(&telemetry, &QAbstractItemModel::rowsInserted);
    telemetry.setDeviceId(kDevice);
    QTRY_VERIFY_WITH_TIMEOUT(!telemetry.isLoading() && telemetry.rowCount() == 100, 20000);
    QCOMPARE(inserted.count(), 4); // 30 + 30 + 30 + 10
    QCOMPARE(loading.count(), 2);  // one busy span for all pages
    QCOMPARE(telemetry.totalCount(), 130);
    QVERIFY(telemetry.hasOlderMessages());
    for (int row = 0; row < 100; ++row)
        QCOMPARE(telemetry.numericValue(row, QStringLiteral("temperature")), double(129 - row));

    // Then live: new readings go on top, the oldest drop off the bottom.
    // (The middleware forwards at most 5 telemetry events a second per
    // device to the live feed; the burst above used up its second, so the
    // live readings start in the next one and come at a reading's pace.)
    QTest::qWait(1100);
    QVERIFY(publishReadings(130, 5, 300));
    QTRY_COMPARE_WITH_TIMEOUT(telemetry.numericValue(0, QStringLiteral("temperature")), 134.0, 20000);
    QCOMPARE(telemetry.rowCount(), 100);
    QCOMPARE(telemetry.totalCount(), 135);
    QSet<double> seen;
    for (int row = 0; row < telemetry.rowCount(); ++row)
        seen.insert(telemetry.numericValue(row, QStringLiteral("temperature")));
    QCOMPARE(seen.size(), 100); // none twice
    QCOMPARE(telemetry.numericValue(99, QStringLiteral("temperature")), 35.0);

    // A device with no history at all: an empty model, not an error.
    telemetry.setDeviceId(QStringLiteral("tele-quiet"));
    QTRY_VERIFY_WITH_TIMEOUT(!telemetry.isLoading(), 20000);
    QCOMPARE(telemetry.rowCount(), 0);
}

void TestCrmCoreTelemetry::skippedLiveMessagesAreReported()
{
    EventFeed feed(m_api.get());
    TelemetryModel telemetry(m_api.get());
    QAbstractItemModelTester tester(&telemetry, QAbstractItemModelTester::FailureReportingMode::QtTest);
    telemetry.setEventFeed(&feed);
    feed.start();
    QTRY_VERIFY_WITH_TIMEOUT(feed.isConnected(), 20000);
    telemetry.setMaximumMessages(1000);
    telemetry.setDeviceId(kDevice);
    QTRY_VERIFY_WITH_TIMEOUT(!telemetry.isLoading() && telemetry.rowCount() > 0, 20000);
    QSignalSpy missed(&telemetry, &TelemetryModel::missedLiveChanged);

    // One reading live (in a fresh second), then a burst above the live cap
    // of 5 a second, then readings at a reading's pace: a later event says
    // how many of the burst were not sent live.
    QTest::qWait(1100);
    QVERIFY(publishReadings(200, 1, 0));
    QTRY_COMPARE_WITH_TIMEOUT(telemetry.numericValue(0, QStringLiteral("temperature")), 200.0, 20000);
    QCOMPARE(telemetry.missedLive(), 0);
    QVERIFY(publishReadings(201, 20, 0));
    QVERIFY(publishReadings(221, 4, 400));
    QTRY_VERIFY_WITH_TIMEOUT(telemetry.missedLive() > 0, 20000);
    QVERIFY(telemetry.missedLive() <= 20);
    QCOMPARE(missed.last().at(0).toLongLong(), telemetry.missedLive());
    // The messages themselves carry no count.
    for (int row = 0; row < telemetry.rowCount(); ++row)
        QVERIFY(!telemetry.index(row, 0)
                     .data(TelemetryModel::MessageRole)
                     .toJsonObject()
                     .contains(QStringLiteral("skipped")));
    // What was not shown live is in the history: a reload shows all of it
    // and clears the count.
    QTRY_COMPARE_WITH_TIMEOUT(telemetry.numericValue(0, QStringLiteral("temperature")), 224.0, 20000);
    telemetry.reload();
    QCOMPARE(telemetry.missedLive(), 0);
    QTRY_VERIFY_WITH_TIMEOUT(!telemetry.isLoading() && telemetry.rowCount() > 25, 20000);
    QSet<double> seen;
    for (int row = 0; row < telemetry.rowCount(); ++row)
        seen.insert(telemetry.numericValue(row, QStringLiteral("temperature")));
    for (int t = 200; t <= 224; ++t)
        QVERIFY2(seen.contains(double(t)), qPrintable(QString::number(t)));
}

PROVISIO_TEST_MAIN(TestCrmCoreTelemetry)
#include "tst_crm_core_telemetry.moc"

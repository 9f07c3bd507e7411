// SPDX-License-Identifier: Apache-2.0
//
// IoT Hub's `$iothub/…` device topics and their Provisio forms, without a
// broker: what a device may send, what it becomes, what the hub relays to
// one device, and the topic rules that keep one device's answers its own.

#include "iothubtopics.h"
#include "topicrules.h"

#include <QTest>

#include <string>

using namespace Provisio::HubAuth;

namespace {
const std::string kPrefix = devicePrefix("az-1");

std::string sv(const QByteArray &b)
{
    return std::string(b.constData(), size_t(b.size()));
}
} // namespace

class TestIotHubTopics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void deviceRequests_data();
    void deviceRequests();
    void deliveries_data();
    void deliveries();
    void subscriptions_data();
    void subscriptions();
    void topLevelVersion_data();
    void topLevelVersion();
    void deviceTopicRules_data();
    void deviceTopicRules();
    void cloudToDevice_data();
    void cloudToDevice();
    void onlyWhatMayNeedTranslationIsLookedAt_data();
    void onlyWhatMayNeedTranslationIsLookedAt();
};

void TestIotHubTopics::deviceRequests_data()
{
    QTest::addColumn<QByteArray>("topic");
    QTest::addColumn<QByteArray>("expected"); // empty: refused
    QTest::addColumn<QByteArray>("rid");

    QTest::newRow("twin get") << QByteArray("$iothub/twin/GET/?$rid=42") << QByteArray("devices/az-1/twin/get/42")
                              << QByteArray("42");
    QTest::newRow("twin get uuid rid") << QByteArray("$iothub/twin/GET/?$rid=3f0c2a6e-4b1d-4c2a-9d1e-0b8f5e2d7a11")
                                       << QByteArray("devices/az-1/twin/get/3f0c2a6e-4b1d-4c2a-9d1e-0b8f5e2d7a11")
                                       << QByteArray("3f0c2a6e-4b1d-4c2a-9d1e-0b8f5e2d7a11");
    QTest::newRow("reported patch") << QByteArray("$iothub/twin/PATCH/properties/reported/?$rid=7")
                                    << QByteArray("devices/az-1/twin/reported/7") << QByteArray("7");
    QTest::newRow("reported patch, more query")
        << QByteArray("$iothub/twin/PATCH/properties/reported/?$rid=7&$version=3")
        << QByteArray("devices/az-1/twin/reported/7") << QByteArray("7");
    QTest::newRow("method answer") << QByteArray("$iothub/methods/res/200/?$rid=ab12")
                                   << QByteArray("devices/az-1/methods/res/200/ab12") << QByteArray("ab12");
    QTest::newRow("method answer 504") << QByteArray("$iothub/methods/res/504/?$rid=1")
                                       << QByteArray("devices/az-1/methods/res/504/1") << QByteArray("1");

    // Hostile or malformed: nothing to route.
    const QByteArray none;
    QTest::newRow("no rid") << QByteArray("$iothub/twin/GET/") << none << none;
    QTest::newRow("empty rid") << QByteArray("$iothub/twin/GET/?$rid=") << none << none;
    QTest::newRow("rid with slash") << QByteArray("$iothub/twin/GET/?$rid=a/b") << none << none;
    QTest::newRow("rid with wildcard") << QByteArray("$iothub/twin/GET/?$rid=+") << none << none;
    QTest::newRow("rid with space") << QByteArray("$iothub/twin/GET/?$rid=a b") << none << none;
    QTest::newRow("rid too long") << QByteArray("$iothub/twin/GET/?$rid=") + QByteArray(129, 'a') << none << none;
    QTest::newRow("rid at the limit") << QByteArray("$iothub/twin/GET/?$rid=") + QByteArray(128, 'a')
                                      << QByteArray("devices/az-1/twin/get/") + QByteArray(128, 'a')
                                      << QByteArray(128, 'a');
    QTest::newRow("query not after slash") << QByteArray("$iothub/twin/GET?$rid=1") << none << none;
    QTest::newRow("extra level") << QByteArray("$iothub/twin/GET/x/?$rid=1") << none << none;
    QTest::newRow("twin response") << QByteArray("$iothub/twin/res/200/?$rid=1") << none << none;
    QTest::newRow("desired notification")
        << QByteArray("$iothub/twin/PATCH/properties/desired/?$version=3") << none << none;
    QTest::newRow("method request") << QByteArray("$iothub/methods/POST/reboot/?$rid=1") << none << none;
    QTest::newRow("method answer bad status") << QByteArray("$iothub/methods/res/2x0/?$rid=1") << none << none;
    QTest::newRow("method answer long status") << QByteArray("$iothub/methods/res/2000/?$rid=1") << none << none;
    QTest::newRow("method answer no status") << QByteArray("$iothub/methods/res//?$rid=1") << none << none;
    QTest::newRow("lower case") << QByteArray("$iothub/twin/get/?$rid=1") << none << none;
    QTest::newRow("other $iothub") << QByteArray("$iothub/other/?$rid=1") << none << none;
}

void TestIotHubTopics::deviceRequests()
{
    QFETCH(QByteArray, topic);
    QFETCH(QByteArray, expected);
    QFETCH(QByteArray, rid);
    const std::string t = sv(topic);
    const auto request = deviceRequestFromIotHub(kPrefix, t);
    QCOMPARE(request.has_value(), !expected.isEmpty());
    // The write rule agrees with the rewrite.
    QCOMPARE(deviceMayPublish(kPrefix, t), !expected.isEmpty());
    if (!request)
        return;
    QCOMPARE(QByteArray::fromStdString(request->topic), expected);
    QCOMPARE(QByteArray::fromStdString(std::string(request->rid)), rid);
    // What it becomes is a topic the device may publish itself (so it is
    // charged and routed like its own messages).
    QVERIFY(deviceMayPublish(kPrefix, request->topic));
    // Without a device there is no rewrite.
    QVERIFY(!deviceRequestFromIotHub("", t));
    QVERIFY(!deviceRequestFromIotHub("devices/", t));
}

void TestIotHubTopics::deliveries_data()
{
    QTest::addColumn<QByteArray>("topic");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QByteArray>("device");
    QTest::addColumn<QByteArray>("expected"); // empty: no $iothub form
    QTest::addColumn<int>("needs");

    QTest::newRow("twin answer") << QByteArray("devices/az-1/twin/res/200/42") << QByteArray("{}") << QByteArray("az-1")
                                 << QByteArray("$iothub/twin/res/200/?$rid=42") << int(TwinResponses);
    QTest::newRow("patch answer with version")
        << QByteArray("devices/az-1/twin/res/204/7/12") << QByteArray() << QByteArray("az-1")
        << QByteArray("$iothub/twin/res/204/?$rid=7&$version=12") << int(TwinResponses);
    QTest::newRow("error answer") << QByteArray("devices/az-2/twin/res/400/9") << QByteArray() << QByteArray("az-2")
                                  << QByteArray("$iothub/twin/res/400/?$rid=9") << int(TwinResponses);
    QTest::newRow("desired document") << QByteArray("devices/az-1/twin/desired")
                                      << QByteArray(R"({"mode":"eco","$version":5})") << QByteArray("az-1")
                                      << QByteArray("$iothub/twin/PATCH/properties/desired/?$version=5")
                                      << int(DesiredPatches);
    QTest::newRow("method call") << QByteArray("devices/az-1/methods/reboot/ab12") << QByteArray("null")
                                 << QByteArray("az-1") << QByteArray("$iothub/methods/POST/reboot/?$rid=ab12")
                                 << int(MethodRequests);

    const QByteArray none;
    QTest::newRow("desired without version")
        << QByteArray("devices/az-1/twin/desired") << QByteArray(R"({"mode":"eco"})") << none << none << 0;
    QTest::newRow("method answer is the device's")
        << QByteArray("devices/az-1/methods/res/200/ab12") << none << none << none << 0;
    QTest::newRow("telemetry") << QByteArray("devices/az-1/messages/events/a=b") << none << none << none << 0;
    QTest::newRow("twin answer bad status") << QByteArray("devices/az-1/twin/res/x/1") << none << none << none << 0;
    QTest::newRow("twin answer bad version")
        << QByteArray("devices/az-1/twin/res/204/1/v") << none << none << none << 0;
    QTest::newRow("twin answer no rid") << QByteArray("devices/az-1/twin/res/200/") << none << none << none << 0;
    QTest::newRow("method extra level") << QByteArray("devices/az-1/methods/a/b/c") << none << none << none << 0;
    QTest::newRow("wildcard device") << QByteArray("devices/+/twin/res/200/1") << none << none << none << 0;
    QTest::newRow("not a device") << QByteArray("$CONTROL/provisio-hub/v1") << none << none << none << 0;
}

void TestIotHubTopics::deliveries()
{
    QFETCH(QByteArray, topic);
    QFETCH(QByteArray, payload);
    QFETCH(QByteArray, device);
    QFETCH(QByteArray, expected);
    QFETCH(int, needs);
    const auto delivery = iotHubDeliveryFor(sv(topic), Provisio::HubAuth::topLevelVersion(sv(payload)));
    QCOMPARE(delivery.has_value(), !expected.isEmpty());
    if (!delivery)
        return;
    QCOMPARE(QByteArray::fromStdString(delivery->deviceId), device);
    QCOMPARE(QByteArray::fromStdString(delivery->topic), expected);
    QCOMPARE(int(delivery->needs), needs);
    // Both forms are the device's to read (the broker checks again when a
    // resumed session holds them), and no device may publish either.
    QVERIFY(deviceMayRead(devicePrefix(delivery->deviceId), sv(topic)));
    QVERIFY(deviceMayRead(devicePrefix(delivery->deviceId), delivery->topic));
    QVERIFY(!deviceMayPublish(devicePrefix(delivery->deviceId), sv(topic)));
    QVERIFY(!deviceMayPublish(devicePrefix(delivery->deviceId), delivery->topic));
    // The diverted cloud-to-device original is nobody's.
    QVERIFY(!deviceMaySubscribe(devicePrefix(delivery->deviceId), kDivertedTopic));
    QVERIFY(!serviceMaySubscribe(kDivertedTopic));
}

void TestIotHubTopics::subscriptions_data()
{
    QTest::addColumn<QByteArray>("filter");
    QTest::addColumn<int>("bit");
    QTest::addColumn<bool>("allowed");
    QTest::newRow("twin answers") << QByteArray("$iothub/twin/res/#") << int(TwinResponses) << true;
    QTest::newRow("desired") << QByteArray("$iothub/twin/PATCH/properties/desired/#") << int(DesiredPatches) << true;
    QTest::newRow("methods") << QByteArray("$iothub/methods/POST/#") << int(MethodRequests) << true;
    QTest::newRow("everything") << QByteArray("$iothub/#") << 0 << false;
    QTest::newRow("requests") << QByteArray("$iothub/twin/GET/#") << 0 << false;
    QTest::newRow("method answers") << QByteArray("$iothub/methods/res/#") << 0 << false;
    QTest::newRow("one twin answer") << QByteArray("$iothub/twin/res/200/?$rid=1") << 0 << false;
    QTest::newRow("own twin answers") << QByteArray("devices/az-1/twin/res/#") << 0 << true;
    QTest::newRow("own cloud-to-device") << QByteArray("devices/az-1/messages/devicebound/#") << 0 << true;
    QTest::newRow("another's twin answers") << QByteArray("devices/az-2/twin/res/#") << 0 << false;
    QTest::newRow("another's cloud-to-device") << QByteArray("devices/az-2/messages/devicebound/#") << 0 << false;
}

void TestIotHubTopics::subscriptions()
{
    QFETCH(QByteArray, filter);
    QFETCH(int, bit);
    QFETCH(bool, allowed);
    QCOMPARE(int(iotHubSubscriptionOf(sv(filter))), bit);
    QCOMPARE(deviceMaySubscribe(kPrefix, sv(filter)), allowed);
    // The service has no business with $iothub filters.
    if (filter.startsWith('$'))
        QVERIFY(!serviceMaySubscribe(sv(filter)));
}

void TestIotHubTopics::topLevelVersion_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<qlonglong>("version"); // -1: none
    QTest::newRow("plain") << QByteArray(R"({"$version":3})") << 3LL;
    QTest::newRow("after others") << QByteArray(R"({"a":{"$version":9},"b":"$version","$version" : 12 })") << 12LL;
    QTest::newRow("nested only") << QByteArray(R"({"a":{"$version":9}})") << -1LL;
    QTest::newRow("in a string") << QByteArray(R"({"a":"\"$version\":4"})") << -1LL;
    QTest::newRow("in an array") << QByteArray(R"({"a":[{"$version":4}]})") << -1LL;
    QTest::newRow("not a number") << QByteArray(R"({"$version":"4"})") << -1LL;
    QTest::newRow("fraction") << QByteArray(R"({"$version":4.5})") << -1LL;
    QTest::newRow("unterminated") << QByteArray(R"({"$version":4)") << -1LL;
    QTest::newRow("empty") << QByteArray() << -1LL;
    QTest::newRow("garbage") << QByteArray("}}]]\"\\") << -1LL;
}

void TestIotHubTopics::topLevelVersion()
{
    QFETCH(QByteArray, json);
    QFETCH(qlonglong, version);
    const auto found = Provisio::HubAuth::topLevelVersion(sv(json));
    QCOMPARE(found.has_value(), version >= 0);
    if (found)
        QCOMPARE(qlonglong(*found), version);
}

void TestIotHubTopics::deviceTopicRules_data()
{
    QTest::addColumn<QByteArray>("topic");
    QTest::addColumn<bool>("publish");
    QTest::addColumn<bool>("read");
    QTest::newRow("own twin get") << QByteArray("devices/az-1/twin/get/1") << true << false;
    QTest::newRow("own reported with rid") << QByteArray("devices/az-1/twin/reported/1") << true << false;
    QTest::newRow("another's twin get") << QByteArray("devices/az-2/twin/get/1") << false << false;
    QTest::newRow("own twin answer") << QByteArray("devices/az-1/twin/res/200/1") << false << true;
    QTest::newRow("own twin answer with version") << QByteArray("devices/az-1/twin/res/204/1/5") << false << true;
    QTest::newRow("another's twin answer") << QByteArray("devices/az-2/twin/res/200/1") << false << false;
    QTest::newRow("own cloud-to-device") << QByteArray("devices/az-1/messages/devicebound/%24.mid=1") << false << true;
    QTest::newRow("another's cloud-to-device") << QByteArray("devices/az-2/messages/devicebound/x") << false << false;
    QTest::newRow("$iothub twin answer") << QByteArray("$iothub/twin/res/200/?$rid=1") << false << true;
    QTest::newRow("$iothub desired") << QByteArray("$iothub/twin/PATCH/properties/desired/?$version=2") << false
                                     << true;
    QTest::newRow("$iothub method call") << QByteArray("$iothub/methods/POST/x/?$rid=1") << false << true;
    QTest::newRow("$iothub twin GET") << QByteArray("$iothub/twin/GET/?$rid=1") << true << false;
    QTest::newRow("$iothub method answer") << QByteArray("$iothub/methods/res/200/?$rid=1") << true << false;
    QTest::newRow("$iothub other") << QByteArray("$iothub/clients/x") << false << false;
    QTest::newRow("twin get bad rid") << QByteArray("devices/az-1/twin/get/a+b") << false << false;
}

void TestIotHubTopics::deviceTopicRules()
{
    QFETCH(QByteArray, topic);
    QFETCH(bool, publish);
    QFETCH(bool, read);
    QCOMPARE(deviceMayPublish(kPrefix, sv(topic)), publish);
    QCOMPARE(deviceMayRead(kPrefix, sv(topic)), read);
}

void TestIotHubTopics::cloudToDevice_data()
{
    QTest::addColumn<QByteArray>("topic");
    QTest::addColumn<QByteArray>("device"); // empty: not a cloud-to-device topic
    QTest::addColumn<qlonglong>("expiry");  // -1: none
    QTest::newRow("encoded")
        << QByteArray("devices/az-1/messages/devicebound/%24.mid=m1&%24.exp=2026-12-06T10%3A00%3A00.000Z&a=b")
        << QByteArray("az-1") << 1796551200LL;
    QTest::newRow("plain $") << QByteArray("devices/az-1/messages/devicebound/$.mid=m1&$.exp=1970-01-02T00:00:01Z")
                             << QByteArray("az-1") << 86401LL;
    QTest::newRow("leap day") << QByteArray("devices/d/messages/devicebound/$.exp=2024-02-29T00:00:00Z")
                              << QByteArray("d") << 1709164800LL;
    QTest::newRow("no expiry") << QByteArray("devices/az-1/messages/devicebound/a=b") << QByteArray("az-1") << -1LL;
    QTest::newRow("no bag") << QByteArray("devices/az-1/messages/devicebound") << QByteArray("az-1") << -1LL;
    QTest::newRow("no zone") << QByteArray("devices/az-1/messages/devicebound/$.exp=2026-12-06T10:00:00")
                             << QByteArray("az-1") << -1LL;
    QTest::newRow("bad month") << QByteArray("devices/az-1/messages/devicebound/$.exp=2026-13-06T10:00:00Z")
                               << QByteArray("az-1") << -1LL;
    QTest::newRow("bad escape") << QByteArray("devices/az-1/messages/devicebound/$.exp=2026-12-06T10%3")
                                << QByteArray("az-1") << -1LL;
    QTest::newRow("telemetry") << QByteArray("devices/az-1/messages/events/$.exp=2026-12-06T10:00:00Z") << QByteArray()
                               << -1LL;
    QTest::newRow("wildcard device") << QByteArray("devices/+/messages/devicebound/x") << QByteArray() << -1LL;
}

void TestIotHubTopics::cloudToDevice()
{
    QFETCH(QByteArray, topic);
    QFETCH(QByteArray, device);
    QFETCH(qlonglong, expiry);
    const auto target = cloudToDeviceTarget(sv(topic));
    QCOMPARE(target.has_value(), !device.isEmpty());
    if (target)
        QCOMPARE(QByteArray::fromStdString(*target), device);
    const auto exp = cloudMessageExpiry(sv(topic));
    QCOMPARE(exp.has_value(), expiry >= 0);
    if (exp)
        QCOMPARE(qlonglong(*exp), expiry);
}

void TestIotHubTopics::onlyWhatMayNeedTranslationIsLookedAt_data()
{
    QTest::addColumn<QByteArray>("topic");
    QTest::addColumn<bool>("looked");
    QTest::newRow("telemetry") << QByteArray("devices/d/messages/events/a=b") << false;
    QTest::newRow("telemetry, no bag") << QByteArray("devices/d/messages/events") << false;
    QTest::newRow("presence") << QByteArray("devices/d/status") << false;
    QTest::newRow("control") << QByteArray("$CONTROL/provisio-hub/v1") << false;
    QTest::newRow("twin GET") << QByteArray("$iothub/twin/GET/?$rid=1") << true;
    QTest::newRow("twin answer") << QByteArray("devices/d/twin/res/200/1") << true;
    QTest::newRow("desired") << QByteArray("devices/d/twin/desired") << true;
    QTest::newRow("method call") << QByteArray("devices/d/methods/m/1") << true;
    QTest::newRow("cloud-to-device") << QByteArray("devices/d/messages/devicebound/x") << true;
}

void TestIotHubTopics::onlyWhatMayNeedTranslationIsLookedAt()
{
    QFETCH(QByteArray, topic);
    QFETCH(bool, looked);
    QCOMPARE(mayNeedTranslation(sv(topic)), looked);
    // Everything that has a translation is looked at.
    if (!looked) {
        QVERIFY(!iotHubDeliveryFor(sv(topic), int64_t(1)));
        QVERIFY(!cloudToDeviceTarget(sv(topic)));
        QVERIFY(!deviceRequestFromIotHub(kPrefix, sv(topic)));
    }
}

QTEST_APPLESS_MAIN(TestIotHubTopics)
#include "tst_iothubtopics.moc"

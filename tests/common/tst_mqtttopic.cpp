// SPDX-License-Identifier: Apache-2.0
#include "mqtt/mqtttopic.h"

#include <QTest>

using namespace Provisio;
using MqttTopic::PropertyBag;

class TestMqttTopic : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void topicMatches_data()
    {
        QTest::addColumn<QString>("filter");
        QTest::addColumn<QString>("topic");
        QTest::addColumn<bool>("matches");

        const auto row = [](const char *name, const char *filter, const char *topic, bool matches) {
            QTest::newRow(name) << QString::fromUtf8(filter) << QString::fromUtf8(topic) << matches;
        };
        row("exact", "devices/d1/twin/desired", "devices/d1/twin/desired", true);
        row("exact differs", "devices/d1/twin/desired", "devices/d2/twin/desired", false);
        row("case matters", "Devices/d1", "devices/d1", false);
        row("plus one level", "devices/+/status", "devices/d1/status", true);
        row("plus not two levels", "devices/+/status", "devices/d1/x/status", false);
        row("plus matches empty level", "devices/+/status", "devices//status", true);
        row("plus last", "devices/d1/+", "devices/d1/status", true);
        row("plus last needs the level", "devices/d1/+", "devices/d1", false);
        row("plus alone", "+", "devices", true);
        row("plus alone not deeper", "+", "devices/d1", false);
        row("plus plus leading slash", "+/+", "/finance", true);
        row("hash everything", "#", "devices/d1/messages/events/a=b", true);
        row("hash tail", "devices/d1/#", "devices/d1/methods/reboot/7", true);
        row("hash matches parent", "devices/d1/#", "devices/d1", true);
        row("hash not sibling", "devices/d1/#", "devices/d10/status", false);
        row("plus then hash", "devices/+/methods/#", "devices/d1/methods/res/200/7", true);
        row("longer filter", "a/b/c", "a/b", false);
        row("longer topic", "a/b", "a/b/c", false);
        row("trailing slash differs", "a/b/", "a/b", false);
        row("trailing slash same", "a/b/", "a/b/", true);
        row("dollar not by hash", "#", "$SYS/broker/uptime", false);
        row("dollar not by plus", "+/broker/uptime", "$SYS/broker/uptime", false);
        row("dollar explicit", "$CONTROL/provisio-hub/v1", "$CONTROL/provisio-hub/v1", true);
        row("dollar then hash", "$SYS/#", "$SYS/broker/uptime", true);
        row("shared", "$share/provisio/devices/+/messages/events/#", "devices/d1/messages/events/", true);
        row("shared no match", "$share/provisio/devices/+/status", "devices/d1/twin/reported", false);
        row("shared hash", "$share/g/#", "a/b", true);
        row("shared without filter", "$share/provisio", "provisio", false);
        row("shared empty group", "$share//a", "a", false);
        row("shared wildcard group", "$share/g+/a", "a", false);
        row("invalid hash not last", "a/#/b", "a/x/b", false);
        row("invalid hash in level", "a/b#", "a/b#", false);
        row("invalid plus in level", "a/b+", "a/b+", false);
        row("empty filter", "", "a", false);
        row("empty topic", "a", "", false);
        row("wildcard in topic", "a/+", "a/+", false);
        row("unicode", "devices/gerät/+", "devices/gerät/status", true);
    }

    void topicMatches()
    {
        QFETCH(QString, filter);
        QFETCH(QString, topic);
        QFETCH(bool, matches);
        QCOMPARE(MqttTopic::topicMatches(filter, topic), matches);
    }

    void filterValidity_data()
    {
        QTest::addColumn<QString>("filter");
        QTest::addColumn<bool>("valid");
        QTest::newRow("plain") << QStringLiteral("a/b") << true;
        QTest::newRow("hash") << QStringLiteral("#") << true;
        QTest::newRow("plus levels") << QStringLiteral("+/+/+") << true;
        QTest::newRow("shared") << QStringLiteral("$share/g/a/#") << true;
        QTest::newRow("hash middle") << QStringLiteral("a/#/c") << false;
        QTest::newRow("mixed level") << QStringLiteral("a/x+") << false;
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("nul") << QStringLiteral("a") + QChar(0) << false;
        QTest::newRow("shared no filter") << QStringLiteral("$share/g/") << false;
        QTest::newRow("too long") << QString(65536, u'a') << false;
    }

    void filterValidity()
    {
        QFETCH(QString, filter);
        QFETCH(bool, valid);
        QCOMPARE(MqttTopic::isValidTopicFilter(filter), valid);
    }

    void topicNameValidity()
    {
        QVERIFY(MqttTopic::isValidTopicName(u"devices/d1/status"));
        QVERIFY(MqttTopic::isValidTopicName(u"/"));
        QVERIFY(!MqttTopic::isValidTopicName(u""));
        QVERIFY(!MqttTopic::isValidTopicName(u"a/+"));
        QVERIFY(!MqttTopic::isValidTopicName(u"a/#"));
        QVERIFY(!MqttTopic::isValidTopicName(QString(40000, QChar(0x00e4)))); // 80000 UTF-8 bytes
    }

    void stripShared()
    {
        QCOMPARE(MqttTopic::stripSharedSubscription(QStringLiteral("$share/provisio/devices/#")),
                 QStringLiteral("devices/#"));
        QCOMPARE(MqttTopic::stripSharedSubscription(QStringLiteral("devices/#")), QStringLiteral("devices/#"));
        QCOMPARE(MqttTopic::stripSharedSubscription(QStringLiteral("$share/provisio")), QString());
    }

    void propertyBagRoundTrip_data()
    {
        QTest::addColumn<PropertyBag>("properties");
        QTest::addColumn<QString>("encoded");

        QTest::newRow("empty") << PropertyBag{} << QString();
        QTest::newRow("one") << PropertyBag{{QStringLiteral("alert"), QStringLiteral("high")}}
                             << QStringLiteral("alert=high");
        QTest::newRow("system properties") << PropertyBag{{QStringLiteral("$.ct"), QStringLiteral("application/json")},
                                                          {QStringLiteral("$.ce"), QStringLiteral("utf-8")}}
                                           << QStringLiteral("$.ct=application%2Fjson&$.ce=utf-8");
        QTest::newRow("separators escaped") << PropertyBag{{QStringLiteral("a&b=c"), QStringLiteral("x=y&z/w+#%")}}
                                            << QStringLiteral("a%26b%3Dc=x%3Dy%26z%2Fw%2B%23%25");
        QTest::newRow("unicode and space") << PropertyBag{{QStringLiteral("ort"), QStringLiteral("Zürich Süd")}}
                                           << QStringLiteral("ort=Z%C3%BCrich%20S%C3%BCd");
        QTest::newRow("empty value") << PropertyBag{{QStringLiteral("flag"), QString()}} << QStringLiteral("flag=");
        QTest::newRow("repeated key keeps order")
            << PropertyBag{{QStringLiteral("k"), QStringLiteral("2")}, {QStringLiteral("k"), QStringLiteral("1")}}
            << QStringLiteral("k=2&k=1");
    }

    void propertyBagRoundTrip()
    {
        QFETCH(PropertyBag, properties);
        QFETCH(QString, encoded);
        const QString bag = MqttTopic::encodePropertyBag(properties);
        QCOMPARE(bag, encoded);
        QVERIFY(MqttTopic::isValidTopicName(QString(QStringLiteral("devices/d/messages/events/") + bag)));
        const auto decoded = MqttTopic::decodePropertyBag(bag);
        QVERIFY(decoded.ok());
        QCOMPARE(*decoded, properties);
    }

    void propertyBagDecodeLenient_data()
    {
        QTest::addColumn<QString>("bag");
        QTest::addColumn<PropertyBag>("expected");
        QTest::newRow("key without value")
            << QStringLiteral("flag") << PropertyBag{{QStringLiteral("flag"), QString()}};
        QTest::newRow("trailing ampersand")
            << QStringLiteral("a=1&") << PropertyBag{{QStringLiteral("a"), QStringLiteral("1")}};
        QTest::newRow("lower-case hex") << QStringLiteral("ct=application%2fjson")
                                        << PropertyBag{{QStringLiteral("ct"), QStringLiteral("application/json")}};
        QTest::newRow("value with equals")
            << QStringLiteral("a=b=c") << PropertyBag{{QStringLiteral("a"), QStringLiteral("b=c")}};
    }

    void propertyBagDecodeLenient()
    {
        QFETCH(QString, bag);
        QFETCH(PropertyBag, expected);
        const auto decoded = MqttTopic::decodePropertyBag(bag);
        QVERIFY(decoded.ok());
        QCOMPARE(*decoded, expected);
    }

    void propertyBagDecodeErrors_data()
    {
        QTest::addColumn<QString>("bag");
        QTest::newRow("empty key") << QStringLiteral("=value");
        QTest::newRow("truncated escape") << QStringLiteral("a=%4");
        QTest::newRow("bad hex") << QStringLiteral("a=%zz");
        QTest::newRow("escape at end") << QStringLiteral("a=b%");
        QTest::newRow("invalid utf-8") << QStringLiteral("a=%C3%28");
        QTest::newRow("escaped empty key") << QStringLiteral("&=1");
    }

    void propertyBagDecodeErrors()
    {
        QFETCH(QString, bag);
        const auto decoded = MqttTopic::decodePropertyBag(bag);
        QVERIFY(!decoded.ok());
        QCOMPARE(decoded.error().code, ErrorCode::InvalidInput);
        QVERIFY(!decoded.error().message.isEmpty());
    }

    void telemetryTopic()
    {
        const PropertyBag properties{{QStringLiteral("$.ct"), QStringLiteral("application/json")},
                                     {QStringLiteral("level"), QStringLiteral("a b")}};
        const QString topic = MqttTopic::telemetryTopic(QStringLiteral("dev-1"), properties);
        QCOMPARE(topic, QStringLiteral("devices/dev-1/messages/events/$.ct=application%2Fjson&level=a%20b"));
        QVERIFY(MqttTopic::topicMatches(u"devices/+/messages/events/#", topic));

        const auto parsed = MqttTopic::parseTelemetryTopic(topic);
        QVERIFY(parsed.ok());
        QCOMPARE(parsed->deviceId, QStringLiteral("dev-1"));
        QCOMPARE(parsed->properties, properties);

        QCOMPARE(MqttTopic::telemetryTopic(QStringLiteral("d")), QStringLiteral("devices/d/messages/events/"));
    }

    void parseTelemetryTopic_data()
    {
        QTest::addColumn<QString>("topic");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("deviceId");
        QTest::addColumn<int>("propertyCount");
        QTest::newRow("no bag, slash") << QStringLiteral("devices/d1/messages/events/") << true << QStringLiteral("d1")
                                       << 0;
        QTest::newRow("no bag, no slash")
            << QStringLiteral("devices/d1/messages/events") << true << QStringLiteral("d1") << 0;
        QTest::newRow("bag") << QStringLiteral("devices/d1/messages/events/a=1&b=2") << true << QStringLiteral("d1")
                             << 2;
        QTest::newRow("twin topic") << QStringLiteral("devices/d1/twin/reported") << false << QString() << 0;
        QTest::newRow("no device") << QStringLiteral("devices//messages/events/") << false << QString() << 0;
        QTest::newRow("extra level") << QStringLiteral("devices/d1/messages/events/a=1/b=2") << false << QString() << 0;
        QTest::newRow("suffix glued") << QStringLiteral("devices/d1/messages/eventsX") << false << QString() << 0;
        QTest::newRow("bad bag") << QStringLiteral("devices/d1/messages/events/=x") << false << QString() << 0;
        QTest::newRow("other prefix") << QStringLiteral("device/d1/messages/events/") << false << QString() << 0;
    }

    void parseTelemetryTopic()
    {
        QFETCH(QString, topic);
        QFETCH(bool, ok);
        QFETCH(QString, deviceId);
        QFETCH(int, propertyCount);
        const auto parsed = MqttTopic::parseTelemetryTopic(topic);
        QCOMPARE(parsed.ok(), ok);
        if (ok) {
            QCOMPARE(parsed->deviceId, deviceId);
            QCOMPARE(parsed->properties.size(), propertyCount);
        } else {
            QCOMPARE(parsed.error().code, ErrorCode::InvalidInput);
        }
    }
};

QTEST_GUILESS_MAIN(TestMqttTopic)
#include "tst_mqtttopic.moc"

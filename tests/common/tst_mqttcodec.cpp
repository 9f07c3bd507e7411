// SPDX-License-Identifier: Apache-2.0
// MqttCodec: what the hub link's own MQTT 3.1.1 client sends, the strict
// reader of what a broker sends, and the server side the DPS-over-MQTT
// endpoint uses, against well-formed and hostile bytes.
#include "mqtt/mqttcodec.h"

#include <QRandomGenerator>
#include <QTest>

using namespace Provisio;
using namespace Provisio::MqttCodec;

class TestMqttCodec : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void connectBytes();
    void publishRoundTrip_data();
    void publishRoundTrip();
    void controlPackets();
    void readerSplitsStream();
    void hostileFrames_data();
    void hostileFrames();
    void hostileBodies_data();
    void hostileBodies();
    void oversizeRefusedBeforeBuffering();
    void randomBytesNeverCrash();
    void serverConnectRoundTrip();
    void serverConnectOtherVersions();
    void serverSubscribe();
    void serverAnswers();
    void serverHostileBodies_data();
    void serverHostileBodies();
};

namespace {
Result<std::optional<Packet>> readOne(const QByteArray &bytes, qsizetype limit = 1024)
{
    PacketReader reader(limit);
    reader.append(bytes);
    return reader.next();
}
} // namespace

void TestMqttCodec::connectBytes()
{
    ConnectOptions o;
    o.clientId = QStringLiteral("mw");
    o.username = QStringLiteral("u");
    o.password = QStringLiteral("p");
    o.cleanSession = false;
    o.keepAliveSeconds = 30;
    const QByteArray expected = QByteArray::fromHex("101400044d51545404c0001e00026d7700017500017"
                                                    "0");
    QCOMPARE(encodeConnect(o).toHex(), expected.toHex());
    o.cleanSession = true;
    o.username.clear();
    QCOMPARE(quint8(encodeConnect(o).at(9)), quint8(0x02)); // clean session, no user or password
    o.clientId = QString(70000, QLatin1Char('x'));
    QVERIFY(encodeConnect(o).isEmpty());
}

void TestMqttCodec::publishRoundTrip_data()
{
    QTest::addColumn<int>("qos");
    QTest::addColumn<bool>("retain");
    QTest::addColumn<bool>("dup");
    QTest::addColumn<QByteArray>("payload");
    QTest::newRow("qos0") << 0 << false << false << QByteArray("{}");
    QTest::newRow("qos1") << 1 << false << false << QByteArray(300, 'a'); // two length bytes
    QTest::newRow("qos1 dup retain") << 1 << true << true << QByteArray();
    QTest::newRow("large") << 1 << false << false << QByteArray(200000, 'b'); // three length bytes
}

void TestMqttCodec::publishRoundTrip()
{
    QFETCH(int, qos);
    QFETCH(bool, retain);
    QFETCH(bool, dup);
    QFETCH(QByteArray, payload);
    Publish p;
    p.topic = QStringLiteral("devices/d1/messages/events/$.mid=7&ü=1");
    p.payload = payload;
    p.qos = qos;
    p.retain = retain;
    p.dup = dup;
    p.packetId = qos ? 4711 : 0;
    const QByteArray bytes = encodePublish(p);
    QVERIFY(!bytes.isEmpty());
    auto packet = readOne(bytes, 1024 * 1024);
    QVERIFY(packet);
    QVERIFY(packet->has_value());
    auto decoded = decodePublish(**packet);
    QVERIFY2(decoded, qPrintable(decoded.error().message));
    QCOMPARE(decoded->topic, p.topic);
    QCOMPARE(decoded->payload, payload);
    QCOMPARE(decoded->qos, qos);
    QCOMPARE(decoded->retain, retain);
    QCOMPARE(decoded->dup, dup && qos > 0);
    QCOMPARE(decoded->packetId, p.packetId);
}

void TestMqttCodec::controlPackets()
{
    QCOMPARE(encodePuback(0x1234).toHex(), QByteArray("40021234"));
    QCOMPARE(encodePingreq().toHex(), QByteArray("c000"));
    QCOMPARE(encodeDisconnect().toHex(), QByteArray("e000"));
    QCOMPARE(encodeSubscribe(2, {{QStringLiteral("$share/g/a/#"), 1}}).toHex(),
             QByteArray("82110002000c2473686172652f672f612f2301"));
    QVERIFY(encodeSubscribe(0, {{QStringLiteral("a"), 1}}).isEmpty());
    QVERIFY(encodeSubscribe(1, {{QStringLiteral("a"), 3}}).isEmpty());
    QCOMPARE(encodeUnsubscribe(3, {QStringLiteral("a")}).toHex(), QByteArray("a20500030001"
                                                                             "61"));

    auto connack = decodeConnack({PacketType::Connack, 0, QByteArray::fromHex("0100")});
    QVERIFY(connack && connack->sessionPresent && connack->returnCode == 0);
    auto refused = decodeConnack({PacketType::Connack, 0, QByteArray::fromHex("0004")});
    QVERIFY(refused && refused->returnCode == 4);
    auto suback = decodeSuback({PacketType::Suback, 0, QByteArray::fromHex("00070180")});
    QVERIFY(suback);
    QCOMPARE(suback->packetId, quint16(7));
    QCOMPARE(suback->returnCodes, (QList<quint8>{1, 0x80}));
    auto ack = decodeAck({PacketType::Puback, 0, QByteArray::fromHex("0009")});
    QVERIFY(ack && *ack == 9);
    QVERIFY(decodePingresp({PacketType::Pingresp, 0, {}}));
}

void TestMqttCodec::readerSplitsStream()
{
    Publish p;
    p.topic = QStringLiteral("t");
    p.qos = 1;
    p.packetId = 1;
    p.payload = "x";
    QByteArray stream = encodePublish(p) + QByteArray::fromHex("d000") + encodePublish(p);
    PacketReader reader(1024);
    // One byte at a time: nothing before a packet is whole, then exactly it.
    int packets = 0;
    for (char c : stream) {
        reader.append(QByteArray(1, c));
        auto next = reader.next();
        QVERIFY(next);
        if (next->has_value())
            ++packets;
    }
    QCOMPARE(packets, 3);
    QCOMPARE(reader.buffered(), 0);
}

void TestMqttCodec::hostileFrames_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("reserved type 0") << QByteArray::fromHex("0000");
    QTest::newRow("reserved type 15") << QByteArray::fromHex("f000");
    QTest::newRow("PUBACK with flags") << QByteArray::fromHex("42020001");
    QTest::newRow("SUBACK with flags") << QByteArray::fromHex("9303000101");
    QTest::newRow("PINGRESP with flags") << QByteArray::fromHex("d100");
    QTest::newRow("five length bytes") << QByteArray::fromHex("30ffffffff7f");
    QTest::newRow("oversize remaining length") << QByteArray::fromHex("30ffff03"); // 65535 > 1024
    QTest::newRow("maximum remaining length") << QByteArray::fromHex("30ffffff7f");
}

void TestMqttCodec::hostileFrames()
{
    QFETCH(QByteArray, bytes);
    auto next = readOne(bytes);
    QVERIFY(!next);
    QCOMPARE(next.error().code, ErrorCode::InvalidInput);
}

void TestMqttCodec::hostileBodies_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<int>("flags");
    QTest::addColumn<QByteArray>("body");
    const int publish = int(PacketType::Publish);
    QTest::newRow("publish qos 3") << publish << 0x6 << QByteArray::fromHex("000174");
    QTest::newRow("publish qos0 dup") << publish << 0x8 << QByteArray::fromHex("000174");
    QTest::newRow("publish empty") << publish << 0 << QByteArray();
    QTest::newRow("publish topic truncated") << publish << 0 << QByteArray::fromHex("000574");
    QTest::newRow("publish empty topic") << publish << 0 << QByteArray::fromHex("0000");
    QTest::newRow("publish wildcard topic") << publish << 0 << QByteArray::fromHex("00012b");
    QTest::newRow("publish NUL in topic") << publish << 0 << QByteArray::fromHex("0002610061");
    QTest::newRow("publish invalid UTF-8") << publish << 0 << QByteArray::fromHex("0002c328");
    QTest::newRow("publish qos1 no id") << publish << 0x2 << QByteArray::fromHex("000174");
    QTest::newRow("publish qos1 id 0") << publish << 0x2 << QByteArray::fromHex("0001740000");
    QTest::newRow("connack short") << int(PacketType::Connack) << 0 << QByteArray::fromHex("00");
    QTest::newRow("connack long") << int(PacketType::Connack) << 0 << QByteArray::fromHex("000000");
    QTest::newRow("connack reserved flags") << int(PacketType::Connack) << 0 << QByteArray::fromHex("0200");
    QTest::newRow("connack code 6") << int(PacketType::Connack) << 0 << QByteArray::fromHex("0006");
    QTest::newRow("connack refused present") << int(PacketType::Connack) << 0 << QByteArray::fromHex("0105");
    QTest::newRow("puback short") << int(PacketType::Puback) << 0 << QByteArray::fromHex("01");
    QTest::newRow("puback id 0") << int(PacketType::Puback) << 0 << QByteArray::fromHex("0000");
    QTest::newRow("suback no codes") << int(PacketType::Suback) << 0 << QByteArray::fromHex("0001");
    QTest::newRow("suback bad code") << int(PacketType::Suback) << 0 << QByteArray::fromHex("000103");
    QTest::newRow("pingresp body") << int(PacketType::Pingresp) << 0 << QByteArray::fromHex("00");
}

void TestMqttCodec::hostileBodies()
{
    QFETCH(int, type);
    QFETCH(int, flags);
    QFETCH(QByteArray, body);
    const Packet packet{PacketType(type), quint8(flags), body};
    bool failed = false;
    switch (packet.type) {
    case PacketType::Publish:
        failed = !decodePublish(packet);
        break;
    case PacketType::Connack:
        failed = !decodeConnack(packet);
        break;
    case PacketType::Puback:
        failed = !decodeAck(packet);
        break;
    case PacketType::Suback:
        failed = !decodeSuback(packet);
        break;
    case PacketType::Pingresp:
        failed = !decodePingresp(packet);
        break;
    default:
        break;
    }
    QVERIFY(failed);
}

void TestMqttCodec::oversizeRefusedBeforeBuffering()
{
    // The limit is checked on the header alone: a peer announcing a huge
    // packet is refused before it sends (and we hold) the body.
    PacketReader reader(100);
    reader.append(QByteArray::fromHex("306500"));
    QVERIFY(!reader.next()); // 101 > 100
    PacketReader fits(101);
    fits.append(QByteArray::fromHex("3065"));
    auto next = fits.next();
    QVERIFY(next);
    QVERIFY(!next->has_value()); // waits for the body
}

void TestMqttCodec::randomBytesNeverCrash()
{
    // Random and mutated streams: every outcome is a packet, "incomplete"
    // or an error; the decoders never read past a body (ASan builds).
    QRandomGenerator rng(20261206);
    Publish p;
    p.topic = QStringLiteral("devices/a/messages/events/");
    p.qos = 1;
    p.packetId = 3;
    p.payload = "{\"v\":1}";
    const QByteArray seed = encodePublish(p);
    for (int round = 0; round < 20000; ++round) {
        QByteArray bytes = round % 2 ? seed : QByteArray(int(rng.bounded(1, 40)), '\0');
        for (int i = 0; i < bytes.size(); ++i) {
            if (round % 2 == 0 || rng.bounded(8) == 0)
                bytes[i] = char(rng.bounded(256));
        }
        PacketReader reader(4096);
        reader.append(bytes);
        for (int n = 0; n < 64; ++n) {
            auto next = reader.next();
            if (!next || !next->has_value())
                break;
            const Packet &packet = **next;
            (void)decodePublish(packet);
            (void)decodeConnack(packet);
            (void)decodeAck(packet);
            (void)decodeSuback(packet);
            (void)decodePingresp(packet);
            (void)decodeConnect(packet);
            (void)decodeSubscribe(packet);
            (void)decodeUnsubscribe(packet);
        }
    }
}

void TestMqttCodec::serverConnectRoundTrip()
{
    // What a client encodes, the server side reads back field by field.
    ConnectOptions o;
    o.clientId = QStringLiteral("device-1");
    o.username = QStringLiteral("0ne00000001/registrations/device-1/api-version=2019-03-31");
    o.password = QStringLiteral("SharedAccessSignature sr=x&sig=y&se=1&skn=registration");
    o.keepAliveSeconds = 240;
    const auto packet = readOne(encodeConnect(o));
    QVERIFY(packet && packet->has_value());
    const auto c = decodeConnect(**packet);
    QVERIFY2(c, qPrintable(c ? QString() : c.error().message));
    QCOMPARE(c->protocolLevel, 4);
    QVERIFY(c->cleanSession);
    QCOMPARE(c->keepAliveSeconds, quint16(240));
    QCOMPARE(c->clientId, o.clientId);
    QCOMPARE(c->username.value_or(QString()), o.username);
    QCOMPARE(c->password.value_or(QByteArray()), o.password.toUtf8());
    o.username.clear();
    const auto anonymous = decodeConnect(**readOne(encodeConnect(o)));
    QVERIFY(anonymous);
    QVERIFY(!anonymous->username && !anonymous->password);
    // A will is read past (client id "a", will topic "t", message "m").
    const Packet withWill{PacketType::Connect, 0,
                          QByteArray::fromHex("00044d5154540406003c") + QByteArray::fromHex("000161") +
                              QByteArray::fromHex("000174") + QByteArray::fromHex("00016d")};
    const auto will = decodeConnect(withWill);
    QVERIFY(will);
    QVERIFY(will->hasWill);
}

void TestMqttCodec::serverConnectOtherVersions()
{
    // MQTT 3.1 and 5 come back with their level, for return code 1.
    const auto v31 = decodeConnect({PacketType::Connect, 0, QByteArray::fromHex("00064d514973647003020000")});
    QVERIFY(v31);
    QCOMPARE(v31->protocolLevel, 3);
    const auto v5 = decodeConnect({PacketType::Connect, 0, QByteArray::fromHex("00044d5154540502003c00")});
    QVERIFY(v5);
    QCOMPARE(v5->protocolLevel, 5);
}

void TestMqttCodec::serverSubscribe()
{
    const QByteArray bytes =
        encodeSubscribe(7, {{QStringLiteral("$dps/registrations/res/#"), 1}, {QStringLiteral("a/+/b"), 0}});
    const auto s = decodeSubscribe(**readOne(bytes));
    QVERIFY(s);
    QCOMPARE(s->packetId, quint16(7));
    QCOMPARE(s->filters.size(), 2);
    QCOMPARE(s->filters.at(0).first, QStringLiteral("$dps/registrations/res/#"));
    QCOMPARE(s->filters.at(0).second, 1);
    const auto u = decodeUnsubscribe(**readOne(encodeUnsubscribe(9, {QStringLiteral("x/#")})));
    QVERIFY(u);
    QCOMPARE(u->packetId, quint16(9));
    QCOMPARE(u->filters, QStringList{QStringLiteral("x/#")});
}

void TestMqttCodec::serverAnswers()
{
    // The client side's decoders read what the server side encodes.
    const auto connack = decodeConnack(**readOne(encodeConnack(false, 5)));
    QVERIFY(connack);
    QCOMPARE(connack->returnCode, quint8(5));
    QVERIFY(encodeConnack(true, 6).isEmpty());
    QCOMPARE(encodeConnack(true, 5).toHex(), QByteArray("20020005")); // refused: no session present
    const auto suback = decodeSuback(**readOne(encodeSuback(3, {1, 0x80})));
    QVERIFY(suback);
    QCOMPARE(suback->returnCodes, (QList<quint8>{1, 0x80}));
    QVERIFY(encodeSuback(3, {3}).isEmpty());
    const auto unsuback = decodeAck(**readOne(encodeUnsuback(4)));
    QVERIFY(unsuback);
    QCOMPARE(*unsuback, quint16(4));
    QVERIFY(decodePingresp(**readOne(encodePingresp())));
    QVERIFY(decodeEmpty({PacketType::Pingreq, 0, {}}, PacketType::Pingreq));
    QVERIFY(!decodeEmpty({PacketType::Disconnect, 0, QByteArray("x")}, PacketType::Disconnect));
}

void TestMqttCodec::serverHostileBodies_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<int>("flags");
    QTest::addColumn<QByteArray>("body");
    const int connect = int(PacketType::Connect);
    const int subscribe = int(PacketType::Subscribe);
    const int unsubscribe = int(PacketType::Unsubscribe);
    QTest::newRow("connect empty") << connect << 0 << QByteArray();
    QTest::newRow("connect other protocol") << connect << 0 << QByteArray::fromHex("0004485454500402003c0000");
    QTest::newRow("connect reserved flag") << connect << 0 << QByteArray::fromHex("00044d5154540403003c0000");
    QTest::newRow("connect password alone") << connect << 0 << QByteArray::fromHex("00044d5154540442003c000000017000");
    QTest::newRow("connect will qos without will") << connect << 0 << QByteArray::fromHex("00044d515454040a003c0000");
    QTest::newRow("connect client id truncated") << connect << 0 << QByteArray::fromHex("00044d5154540402003c0005");
    QTest::newRow("connect NUL client id") << connect << 0 << QByteArray::fromHex("00044d5154540402003c000100");
    QTest::newRow("connect trailing bytes") << connect << 0 << QByteArray::fromHex("00044d5154540402003c0000ff");
    QTest::newRow("connect user missing") << connect << 0 << QByteArray::fromHex("00044d5154540482003c0000");
    QTest::newRow("subscribe id 0") << subscribe << 2
                                    << QByteArray::fromHex("0000000161"
                                                           "00");
    QTest::newRow("subscribe no filter") << subscribe << 2 << QByteArray::fromHex("0001");
    QTest::newRow("subscribe qos 3") << subscribe << 2
                                     << QByteArray::fromHex("0001000161"
                                                            "03");
    QTest::newRow("subscribe no qos") << subscribe << 2 << QByteArray::fromHex("0001000161");
    QTest::newRow("subscribe bad filter") << subscribe << 2
                                          << QByteArray::fromHex("000100032f2361"
                                                                 "00");
    QTest::newRow("subscribe wrong flags") << subscribe << 0
                                           << QByteArray::fromHex("0001000161"
                                                                  "00");
    QTest::newRow("unsubscribe no filter") << unsubscribe << 2 << QByteArray::fromHex("0001");
    QTest::newRow("unsubscribe empty filter") << unsubscribe << 2 << QByteArray::fromHex("00010000");
}

void TestMqttCodec::serverHostileBodies()
{
    QFETCH(int, type);
    QFETCH(int, flags);
    QFETCH(QByteArray, body);
    const Packet packet{PacketType(type), quint8(flags), body};
    bool failed = false;
    if (packet.type == PacketType::Connect)
        failed = !decodeConnect(packet);
    else if (packet.type == PacketType::Subscribe)
        failed = !decodeSubscribe(packet);
    else
        failed = !decodeUnsubscribe(packet);
    QVERIFY(failed);
}

QTEST_APPLESS_MAIN(TestMqttCodec)
#include "tst_mqttcodec.moc"

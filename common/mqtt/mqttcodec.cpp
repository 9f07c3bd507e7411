// SPDX-License-Identifier: Apache-2.0
#include "mqttcodec.h"
#include "mqtttopic.h"

#include <QStringDecoder>

namespace Provisio::MqttCodec {

namespace {

constexpr qsizetype kMaxRemainingLength = 268435455; // four length bytes

Error malformed(const QString &what)
{
    return Error(ErrorCode::InvalidInput, QStringLiteral("malformed MQTT packet: ") + what);
}

void appendLength(QByteArray &out, qsizetype length)
{
    do {
        quint8 byte = quint8(length % 128);
        length /= 128;
        if (length > 0)
            byte |= 0x80;
        out.append(char(byte));
    } while (length > 0);
}

void appendU16(QByteArray &out, quint16 value)
{
    out.append(char(value >> 8));
    out.append(char(value & 0xff));
}

// false when the string does not fit a 3.1.1 length prefix.
bool appendString(QByteArray &out, const QByteArray &utf8)
{
    if (utf8.size() > 0xffff)
        return false;
    appendU16(out, quint16(utf8.size()));
    out.append(utf8);
    return true;
}

QByteArray frame(PacketType type, quint8 flags, const QByteArray &body)
{
    QByteArray out;
    out.reserve(body.size() + 5);
    out.append(char((quint8(type) << 4) | (flags & 0x0f)));
    appendLength(out, body.size());
    out.append(body);
    return out;
}

// A cursor over a packet body that fails instead of reading past the end.
class BodyReader
{
public:
    explicit BodyReader(const QByteArray &body) : m_body(body) { }
    bool u8(quint8 *value)
    {
        if (left() < 1)
            return false;
        *value = quint8(m_body.at(m_pos++));
        return true;
    }
    bool u16(quint16 *value)
    {
        if (left() < 2)
            return false;
        *value = quint16((quint8(m_body.at(m_pos)) << 8) | quint8(m_body.at(m_pos + 1)));
        m_pos += 2;
        return true;
    }
    bool string(QByteArray *value)
    {
        quint16 length = 0;
        if (!u16(&length) || left() < length)
            return false;
        *value = m_body.mid(m_pos, length);
        m_pos += length;
        return true;
    }
    QByteArray rest()
    {
        const QByteArray out = m_body.mid(m_pos);
        m_pos = m_body.size();
        return out;
    }
    qsizetype left() const { return m_body.size() - m_pos; }

private:
    const QByteArray &m_body;
    qsizetype m_pos = 0;
};

std::optional<QString> strictUtf8(const QByteArray &bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString text = decoder(bytes);
    if (decoder.hasError())
        return std::nullopt;
    return text;
}

// Fixed-header flags 3.1.1 requires for each packet type except PUBLISH.
bool flagsAllowed(PacketType type, quint8 flags)
{
    switch (type) {
    case PacketType::Publish:
        return true; // checked by decodePublish
    case PacketType::Pubrel:
    case PacketType::Subscribe:
    case PacketType::Unsubscribe:
        return flags == 0x2;
    default:
        return flags == 0;
    }
}

} // namespace

Result<std::optional<Packet>> PacketReader::next()
{
    const qsizetype available = m_buffer.size() - m_offset;
    if (available < 2)
        return std::optional<Packet>();
    const auto *data = reinterpret_cast<const quint8 *>(m_buffer.constData()) + m_offset;
    const quint8 first = data[0];
    const quint8 typeBits = first >> 4;
    if (typeBits == 0 || typeBits == 15)
        return malformed(QStringLiteral("reserved packet type %1").arg(typeBits));
    const auto type = PacketType(typeBits);
    const quint8 flags = first & 0x0f;
    if (!flagsAllowed(type, flags))
        return malformed(QStringLiteral("flags 0x%1 not allowed on packet type %2").arg(flags, 0, 16).arg(typeBits));

    qsizetype length = 0;
    int multiplier = 1;
    qsizetype pos = 1;
    for (;;) {
        if (pos > 4)
            return malformed(QStringLiteral("remaining length longer than four bytes"));
        if (pos >= available)
            return std::optional<Packet>(); // the length is not complete yet
        const quint8 byte = data[pos++];
        length += qsizetype(byte & 0x7f) * multiplier;
        if (!(byte & 0x80))
            break;
        multiplier *= 128;
    }
    if (length > kMaxRemainingLength || length > m_maxPacketSize)
        return malformed(QStringLiteral("remaining length %1 over the limit of %2 bytes")
                             .arg(length)
                             .arg(qMin(m_maxPacketSize, kMaxRemainingLength)));
    if (available - pos < length)
        return std::optional<Packet>();
    Packet packet;
    packet.type = type;
    packet.flags = flags;
    packet.body = m_buffer.mid(m_offset + pos, length);
    m_offset += pos + length;
    // Compact now and then instead of moving the buffer for every packet.
    if (m_offset == m_buffer.size()) {
        m_buffer.clear();
        m_offset = 0;
    } else if (m_offset > 64 * 1024) {
        m_buffer.remove(0, m_offset);
        m_offset = 0;
    }
    return std::optional<Packet>(std::move(packet));
}

void PacketReader::clear()
{
    m_buffer.clear();
    m_offset = 0;
}

bool isValidTopicName(const QString &topic)
{
    if (topic.isEmpty() || topic.contains(QLatin1Char('+')) || topic.contains(QLatin1Char('#')) ||
        topic.contains(QChar(0)))
        return false;
    return topic.toUtf8().size() <= 0xffff;
}

QByteArray encodeConnect(const ConnectOptions &options)
{
    QByteArray body;
    appendString(body, QByteArrayLiteral("MQTT"));
    body.append(char(4)); // protocol level 3.1.1
    quint8 flags = options.cleanSession ? 0x02 : 0;
    if (!options.username.isEmpty()) {
        flags |= 0x80;
        if (!options.password.isEmpty())
            flags |= 0x40;
    }
    body.append(char(flags));
    appendU16(body, options.keepAliveSeconds);
    if (!appendString(body, options.clientId.toUtf8()))
        return {};
    if (!options.username.isEmpty()) {
        if (!appendString(body, options.username.toUtf8()))
            return {};
        if (!options.password.isEmpty() && !appendString(body, options.password.toUtf8()))
            return {};
    }
    return frame(PacketType::Connect, 0, body);
}

QByteArray encodePublish(const Publish &publish)
{
    if (!isValidTopicName(publish.topic) || publish.qos < 0 || publish.qos > 2 ||
        (publish.qos > 0 && publish.packetId == 0))
        return {};
    QByteArray body;
    if (!appendString(body, publish.topic.toUtf8()))
        return {};
    if (publish.qos > 0)
        appendU16(body, publish.packetId);
    body.append(publish.payload);
    if (body.size() > kMaxRemainingLength)
        return {};
    const quint8 flags =
        quint8((publish.dup && publish.qos > 0 ? 0x08 : 0) | (publish.qos << 1) | (publish.retain ? 1 : 0));
    return frame(PacketType::Publish, flags, body);
}

QByteArray encodePuback(quint16 packetId)
{
    QByteArray body;
    appendU16(body, packetId);
    return frame(PacketType::Puback, 0, body);
}

QByteArray encodeSubscribe(quint16 packetId, const QList<QPair<QString, int>> &filters)
{
    if (packetId == 0 || filters.isEmpty())
        return {};
    QByteArray body;
    appendU16(body, packetId);
    for (const auto &f : filters) {
        if (f.first.isEmpty() || f.second < 0 || f.second > 2 || !appendString(body, f.first.toUtf8()))
            return {};
        body.append(char(f.second));
    }
    return frame(PacketType::Subscribe, 0x2, body);
}

QByteArray encodeUnsubscribe(quint16 packetId, const QStringList &filters)
{
    if (packetId == 0 || filters.isEmpty())
        return {};
    QByteArray body;
    appendU16(body, packetId);
    for (const QString &f : filters) {
        if (f.isEmpty() || !appendString(body, f.toUtf8()))
            return {};
    }
    return frame(PacketType::Unsubscribe, 0x2, body);
}

QByteArray encodePingreq()
{
    return frame(PacketType::Pingreq, 0, {});
}

QByteArray encodeDisconnect()
{
    return frame(PacketType::Disconnect, 0, {});
}

Result<Connack> decodeConnack(const Packet &packet)
{
    if (packet.type != PacketType::Connack || packet.body.size() != 2)
        return malformed(QStringLiteral("CONNACK must be two bytes"));
    const auto ackFlags = quint8(packet.body.at(0));
    if (ackFlags & 0xfe)
        return malformed(QStringLiteral("CONNACK reserved flags set"));
    Connack c;
    c.sessionPresent = ackFlags & 1;
    c.returnCode = quint8(packet.body.at(1));
    if (c.returnCode > 5)
        return malformed(QStringLiteral("CONNACK return code %1").arg(c.returnCode));
    if (c.returnCode != 0 && c.sessionPresent)
        return malformed(QStringLiteral("refused CONNACK with a session present"));
    return c;
}

Result<Publish> decodePublish(const Packet &packet)
{
    if (packet.type != PacketType::Publish)
        return malformed(QStringLiteral("not a PUBLISH"));
    Publish p;
    p.qos = (packet.flags >> 1) & 0x3;
    p.dup = packet.flags & 0x8;
    p.retain = packet.flags & 0x1;
    if (p.qos == 3)
        return malformed(QStringLiteral("PUBLISH with QoS 3"));
    if (p.qos == 0 && p.dup)
        return malformed(QStringLiteral("QoS 0 PUBLISH with DUP set"));
    BodyReader reader(packet.body);
    QByteArray topic;
    if (!reader.string(&topic))
        return malformed(QStringLiteral("PUBLISH topic truncated"));
    const auto text = strictUtf8(topic);
    if (!text || !isValidTopicName(*text))
        return malformed(QStringLiteral("PUBLISH topic is not a valid topic name"));
    p.topic = *text;
    if (p.qos > 0) {
        if (!reader.u16(&p.packetId))
            return malformed(QStringLiteral("PUBLISH packet identifier truncated"));
        if (p.packetId == 0)
            return malformed(QStringLiteral("PUBLISH packet identifier 0"));
    }
    p.payload = reader.rest();
    return p;
}

Result<quint16> decodeAck(const Packet &packet)
{
    if ((packet.type != PacketType::Puback && packet.type != PacketType::Unsuback) || packet.body.size() != 2)
        return malformed(QStringLiteral("acknowledgement must be two bytes"));
    BodyReader reader(packet.body);
    quint16 id = 0;
    reader.u16(&id);
    if (id == 0)
        return malformed(QStringLiteral("acknowledgement of packet identifier 0"));
    return id;
}

Result<Suback> decodeSuback(const Packet &packet)
{
    if (packet.type != PacketType::Suback || packet.body.size() < 3)
        return malformed(QStringLiteral("SUBACK shorter than three bytes"));
    BodyReader reader(packet.body);
    Suback s;
    reader.u16(&s.packetId);
    if (s.packetId == 0)
        return malformed(QStringLiteral("SUBACK of packet identifier 0"));
    quint8 code = 0;
    while (reader.u8(&code)) {
        if (code > 2 && code != 0x80)
            return malformed(QStringLiteral("SUBACK return code 0x%1").arg(code, 0, 16));
        s.returnCodes << code;
    }
    return s;
}

Result<void> decodePingresp(const Packet &packet)
{
    if (packet.type != PacketType::Pingresp || !packet.body.isEmpty())
        return malformed(QStringLiteral("PINGRESP must be empty"));
    return {};
}

namespace {

// A length-prefixed string that is strict UTF-8 without U+0000.
bool readText(BodyReader &reader, QString *out)
{
    QByteArray bytes;
    if (!reader.string(&bytes))
        return false;
    const auto text = strictUtf8(bytes);
    if (!text || text->contains(QChar(0)))
        return false;
    *out = *text;
    return true;
}

} // namespace

Result<Connect> decodeConnect(const Packet &packet)
{
    if (packet.type != PacketType::Connect)
        return malformed(QStringLiteral("not a CONNECT"));
    BodyReader reader(packet.body);
    QByteArray protocol;
    quint8 level = 0;
    quint8 flags = 0;
    Connect c;
    if (!reader.string(&protocol) || !reader.u8(&level) || !reader.u8(&flags) || !reader.u16(&c.keepAliveSeconds))
        return malformed(QStringLiteral("CONNECT variable header truncated"));
    if (protocol != "MQTT" && protocol != "MQIsdp")
        return malformed(QStringLiteral("CONNECT protocol name is not MQTT"));
    c.protocolLevel = level;
    // Another version: the caller refuses it with return code 1, the rest
    // may follow that version's rules and is not read.
    if (protocol != "MQTT" || level != 4) {
        c.protocolLevel = protocol == "MQTT" ? level : 3;
        return c;
    }
    if (flags & 0x01)
        return malformed(QStringLiteral("CONNECT reserved flag set"));
    c.cleanSession = flags & 0x02;
    c.hasWill = flags & 0x04;
    const int willQos = (flags >> 3) & 0x3;
    const bool willRetain = flags & 0x20;
    const bool hasPassword = flags & 0x40;
    const bool hasUsername = flags & 0x80;
    if (willQos == 3 || (!c.hasWill && (willQos != 0 || willRetain)))
        return malformed(QStringLiteral("CONNECT will flags inconsistent"));
    if (hasPassword && !hasUsername)
        return malformed(QStringLiteral("CONNECT password without a user name"));
    if (!readText(reader, &c.clientId))
        return malformed(QStringLiteral("CONNECT client identifier is not a valid string"));
    if (c.hasWill) {
        QString willTopic;
        QByteArray willMessage;
        if (!readText(reader, &willTopic) || !isValidTopicName(willTopic) || !reader.string(&willMessage))
            return malformed(QStringLiteral("CONNECT will topic or message invalid"));
    }
    if (hasUsername) {
        QString username;
        if (!readText(reader, &username))
            return malformed(QStringLiteral("CONNECT user name is not a valid string"));
        c.username = username;
    }
    if (hasPassword) {
        QByteArray password;
        if (!reader.string(&password))
            return malformed(QStringLiteral("CONNECT password truncated"));
        c.password = password;
    }
    if (reader.left() != 0)
        return malformed(QStringLiteral("CONNECT longer than its fields"));
    return c;
}

Result<Subscribe> decodeSubscribe(const Packet &packet)
{
    if (packet.type != PacketType::Subscribe || packet.flags != 0x2)
        return malformed(QStringLiteral("not a SUBSCRIBE"));
    BodyReader reader(packet.body);
    Subscribe s;
    if (!reader.u16(&s.packetId) || s.packetId == 0)
        return malformed(QStringLiteral("SUBSCRIBE packet identifier missing or 0"));
    while (reader.left() > 0) {
        QString filter;
        quint8 qos = 0;
        if (!readText(reader, &filter) || !MqttTopic::isValidTopicFilter(filter))
            return malformed(QStringLiteral("SUBSCRIBE topic filter invalid"));
        if (!reader.u8(&qos) || qos > 2)
            return malformed(QStringLiteral("SUBSCRIBE requested QoS invalid"));
        s.filters.append({filter, int(qos)});
    }
    if (s.filters.isEmpty())
        return malformed(QStringLiteral("SUBSCRIBE without a topic filter"));
    return s;
}

Result<Unsubscribe> decodeUnsubscribe(const Packet &packet)
{
    if (packet.type != PacketType::Unsubscribe || packet.flags != 0x2)
        return malformed(QStringLiteral("not an UNSUBSCRIBE"));
    BodyReader reader(packet.body);
    Unsubscribe u;
    if (!reader.u16(&u.packetId) || u.packetId == 0)
        return malformed(QStringLiteral("UNSUBSCRIBE packet identifier missing or 0"));
    while (reader.left() > 0) {
        QString filter;
        if (!readText(reader, &filter) || !MqttTopic::isValidTopicFilter(filter))
            return malformed(QStringLiteral("UNSUBSCRIBE topic filter invalid"));
        u.filters.append(filter);
    }
    if (u.filters.isEmpty())
        return malformed(QStringLiteral("UNSUBSCRIBE without a topic filter"));
    return u;
}

Result<void> decodeEmpty(const Packet &packet, PacketType type)
{
    if (packet.type != type || !packet.body.isEmpty())
        return malformed(QStringLiteral("packet type %1 must be empty").arg(int(type)));
    return {};
}

QByteArray encodeConnack(bool sessionPresent, quint8 returnCode)
{
    if (returnCode > 5)
        return {};
    QByteArray body;
    body.append(char(sessionPresent && returnCode == 0 ? 1 : 0));
    body.append(char(returnCode));
    return frame(PacketType::Connack, 0, body);
}

QByteArray encodeSuback(quint16 packetId, const QList<quint8> &returnCodes)
{
    if (packetId == 0 || returnCodes.isEmpty())
        return {};
    QByteArray body;
    appendU16(body, packetId);
    for (const quint8 code : returnCodes) {
        if (code > 2 && code != 0x80)
            return {};
        body.append(char(code));
    }
    return frame(PacketType::Suback, 0, body);
}

QByteArray encodeUnsuback(quint16 packetId)
{
    if (packetId == 0)
        return {};
    QByteArray body;
    appendU16(body, packetId);
    return frame(PacketType::Unsuback, 0, body);
}

QByteArray encodePingresp()
{
    return frame(PacketType::Pingresp, 0, {});
}

} // namespace Provisio::MqttCodec

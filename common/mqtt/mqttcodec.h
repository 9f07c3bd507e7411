// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

#include <optional>

namespace Provisio::MqttCodec {

// MQTT 3.1.1 packets, with no I/O: encoders and strict decoders for both
// ends. The client side is used by MqttSession (the hub link's connection,
// which must choose when to acknowledge a message), the server side by the
// middleware's DPS-over-MQTT endpoint (mqttserver/); kept pure so it is
// unit-tested and fuzzed with hostile bytes. Everything outside the 3.1.1 rules is an error, never
// guessed at: fixed-header flags other than the required ones, a remaining
// length over four bytes or over the reader's limit, a packet shorter or
// longer than its fields, QoS 3, a PUBLISH topic that is empty, not UTF-8,
// holds U+0000 or a wildcard, a packet identifier 0.

enum class PacketType : quint8 {
    Connect = 1,
    Connack = 2,
    Publish = 3,
    Puback = 4,
    Pubrec = 5,
    Pubrel = 6,
    Pubcomp = 7,
    Subscribe = 8,
    Suback = 9,
    Unsubscribe = 10,
    Unsuback = 11,
    Pingreq = 12,
    Pingresp = 13,
    Disconnect = 14,
};

// One framed packet: its type, the four flag bits of the fixed header and
// the rest (variable header and payload).
struct Packet
{
    PacketType type = PacketType::Connect;
    quint8 flags = 0;
    QByteArray body;
};

// Splits a byte stream into packets. A malformed or oversize header is an
// error after which the stream cannot be trusted (the connection is closed).
class PacketReader
{
public:
    // maxPacketSize bounds the remaining length (the whole packet less its
    // fixed header); 3.1.1's own bound is 268,435,455.
    explicit PacketReader(qsizetype maxPacketSize) : m_maxPacketSize(maxPacketSize) { }

    void append(const QByteArray &bytes) { m_buffer.append(bytes); }
    // The next whole packet; nullopt while it is incomplete.
    Result<std::optional<Packet>> next();
    qsizetype buffered() const { return m_buffer.size() - m_offset; }
    void clear();

private:
    QByteArray m_buffer;
    qsizetype m_offset = 0;
    qsizetype m_maxPacketSize;
};

struct ConnectOptions
{
    QString clientId;
    QString username; // empty: none
    QString password; // empty: none (sent only with a username)
    bool cleanSession = true;
    quint16 keepAliveSeconds = 60;
};

struct Connack
{
    bool sessionPresent = false;
    quint8 returnCode = 0; // 0 accepted, 1..5 refused (3.1.1 table 3.1)
};

struct Publish
{
    QString topic;
    QByteArray payload;
    int qos = 0;
    bool retain = false;
    bool dup = false;
    quint16 packetId = 0; // QoS > 0 only
};

struct Suback
{
    quint16 packetId = 0;
    QList<quint8> returnCodes; // granted QoS, or 0x80 failure
};

// Encoders. The caller keeps strings within 65,535 UTF-8 bytes and topics
// valid (the session checks before it encodes); an out-of-range field gives
// an empty array.
QByteArray encodeConnect(const ConnectOptions &options);
QByteArray encodePublish(const Publish &publish);
QByteArray encodePuback(quint16 packetId);
QByteArray encodeSubscribe(quint16 packetId, const QList<QPair<QString, int>> &filters);
QByteArray encodeUnsubscribe(quint16 packetId, const QStringList &filters);
QByteArray encodePingreq();
QByteArray encodeDisconnect();

// Decoders of what a broker sends a client.
Result<Connack> decodeConnack(const Packet &packet);
Result<Publish> decodePublish(const Packet &packet);
// PUBACK and UNSUBACK: the packet identifier.
Result<quint16> decodeAck(const Packet &packet);
Result<Suback> decodeSuback(const Packet &packet);
Result<void> decodePingresp(const Packet &packet);

// The server side: what a client sends, and the answers only a server sends.
struct Connect
{
    int protocolLevel = 4; // 4 is 3.1.1; with any other level nothing else was read
    bool cleanSession = true;
    quint16 keepAliveSeconds = 0;
    QString clientId;
    std::optional<QString> username;
    std::optional<QByteArray> password;
    bool hasWill = false; // a will is read past, never published
};

struct Subscribe
{
    quint16 packetId = 0;
    QList<QPair<QString, int>> filters; // topic filter, requested QoS
};

struct Unsubscribe
{
    quint16 packetId = 0;
    QStringList filters;
};

// CONNECT: protocol name "MQTT" (or 3.1's "MQIsdp": a level other than 4
// comes back with nothing else read, for the caller to refuse with return
// code 1), reserved flag clear, password only
// with a user name, will flags consistent, strings strict UTF-8 without
// U+0000, nothing left over.
Result<Connect> decodeConnect(const Packet &packet);
// SUBSCRIBE / UNSUBSCRIBE: packet identifier not 0, at least one filter,
// filters strict UTF-8 and valid by MqttTopic::isValidTopicFilter,
// requested QoS 0..2.
Result<Subscribe> decodeSubscribe(const Packet &packet);
Result<Unsubscribe> decodeUnsubscribe(const Packet &packet);
// PINGREQ and DISCONNECT carry nothing.
Result<void> decodeEmpty(const Packet &packet, PacketType type);

// Return codes 0..5 (3.1.1 table 3.1); session present only with 0.
QByteArray encodeConnack(bool sessionPresent, quint8 returnCode);
// Granted QoS 0..2 or 0x80 per filter.
QByteArray encodeSuback(quint16 packetId, const QList<quint8> &returnCodes);
QByteArray encodeUnsuback(quint16 packetId);
QByteArray encodePingresp();

// Whether a topic name may appear in a PUBLISH (non-empty, at most 65,535
// UTF-8 bytes, no U+0000, no wildcard).
bool isValidTopicName(const QString &topic);

} // namespace Provisio::MqttCodec

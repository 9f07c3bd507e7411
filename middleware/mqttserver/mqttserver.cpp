// SPDX-License-Identifier: Apache-2.0
#include "mqttserver.h"

#include "mqtt/mqtttopic.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QSslSocket>
#include <QTcpServer>

#include <cmath>
#include <functional>

Q_LOGGING_CATEGORY(lcMqttServer, "provisio.middleware.mqttserver")

namespace Provisio {

using namespace MqttCodec;

namespace {

// Creates the socket itself so that a connection over the limit is closed
// before any TLS work, and a TLS one is a QSslSocket from the start.
class Listener : public QTcpServer
{
public:
    std::function<void(qintptr)> onIncoming;

protected:
    void incomingConnection(qintptr descriptor) override { onIncoming(descriptor); }
};

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

MqttServerConnection::MqttServerConnection(QSslSocket *socket, bool tls, MqttServerHandler &handler,
                                           const MqttServerLimits &limits, QObject *parent)
    : QObject(parent), m_socket(socket), m_handler(handler), m_limits(limits), m_reader(limits.maxPacketBytes),
      m_peer(socket->peerAddress()), m_tokens(limits.publishBurst), m_tokensAt(nowMs())
{
    socket->setParent(this);
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, [this] {
        close(m_connected ? QStringLiteral("keep-alive expired") : QStringLiteral("no CONNECT in time"));
    });
    m_deadline.start(limits.connectTimeoutMs);
    connect(socket, &QSslSocket::readyRead, this, &MqttServerConnection::readBytes);
    connect(socket, &QSslSocket::disconnected, this, [this] {
        if (!m_closing) {
            m_closing = true;
            m_deadline.stop();
            Q_EMIT closed();
            deleteLater();
        }
    });
    connect(socket, &QSslSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
        close(QStringLiteral("socket error: ") + m_socket->errorString());
    });
    if (tls)
        socket->startServerEncryption();
}

void MqttServerConnection::close(const QString &reason)
{
    if (m_closing)
        return;
    m_closing = true;
    m_deadline.stop();
    qCDebug(lcMqttServer).noquote() << "closing" << m_peer.toString() << reason;
    m_socket->disconnect(this);
    m_socket->abort();
    Q_EMIT closed();
    deleteLater();
}

void MqttServerConnection::send(const QByteArray &bytes)
{
    if (m_closing || bytes.isEmpty())
        return;
    m_socket->write(bytes);
    if (m_socket->bytesToWrite() + m_socket->encryptedBytesToWrite() > m_limits.maxUnsentBytes)
        close(QStringLiteral("the client does not read its answers"));
}

void MqttServerConnection::readBytes()
{
    if (m_closing || m_refused)
        return;
    m_reader.append(m_socket->readAll());
    for (;;) {
        auto next = m_reader.next();
        if (!next) {
            close(next.error().message);
            return;
        }
        if (!next->has_value())
            return;
        if (m_connected && m_idleMs > 0)
            m_deadline.start(m_idleMs);
        if (!handle(**next)) {
            close(QStringLiteral("protocol violation"));
            return;
        }
        if (m_closing || m_refused)
            return;
    }
}

bool MqttServerConnection::handle(const Packet &packet)
{
    if (!m_connected)
        return packet.type == PacketType::Connect && handleConnect(packet);
    switch (packet.type) {
    case PacketType::Publish:
        return handlePublish(packet);
    case PacketType::Puback: {
        const auto id = decodeAck(packet);
        return id && m_unacknowledged.removeOne(*id);
    }
    case PacketType::Subscribe:
        return handleSubscribe(packet);
    case PacketType::Unsubscribe: {
        const auto u = decodeUnsubscribe(packet);
        if (!u)
            return false;
        for (const QString &filter : u->filters)
            m_subscriptions.removeIf([&](const QPair<QString, int> &s) { return s.first == filter; });
        send(encodeUnsuback(u->packetId));
        return true;
    }
    case PacketType::Pingreq:
        if (!decodeEmpty(packet, PacketType::Pingreq))
            return false;
        send(encodePingresp());
        return true;
    case PacketType::Disconnect:
        close(QStringLiteral("DISCONNECT"));
        return true;
    default:
        // A second CONNECT, QoS 2 flows, server-to-client packets.
        return false;
    }
}

bool MqttServerConnection::handleConnect(const Packet &packet)
{
    const auto connect = decodeConnect(packet);
    if (!connect)
        return false;
    quint8 code = 0;
    if (connect->protocolLevel != 4)
        code = 1; // unacceptable protocol version
    else
        code = m_handler.authenticate(*this, *connect);
    send(encodeConnack(false, code));
    if (code != 0) {
        // Let the CONNACK leave, then close (at once if the client lingers).
        m_refused = true;
        m_deadline.stop();
        m_socket->disconnectFromHost();
        QTimer::singleShot(1000, this, [this] { close(QStringLiteral("CONNECT refused")); });
        return true;
    }
    m_connected = true;
    m_clientId = connect->clientId;
    const int keepAlive = connect->keepAliveSeconds == 0
                              ? m_limits.maxKeepAliveSeconds
                              : qMin<int>(connect->keepAliveSeconds, m_limits.maxKeepAliveSeconds);
    m_idleMs = keepAlive * 1500; // 3.1.1: one and a half keep-alive periods
    m_deadline.start(m_idleMs);
    return true;
}

int MqttServerConnection::takePublishToken()
{
    const qint64 now = nowMs();
    const double perMs = m_limits.publishesPerMinute / 60000.0;
    m_tokens = qMin<double>(m_limits.publishBurst, m_tokens + (now - m_tokensAt) * perMs);
    m_tokensAt = now;
    if (m_tokens >= 1) {
        m_tokens -= 1;
        return 0;
    }
    return qMax(1, int(std::ceil((1 - m_tokens) / perMs / 1000)));
}

bool MqttServerConnection::handlePublish(const Packet &packet)
{
    const auto publish = decodePublish(packet);
    if (!publish || publish->qos > 1 || publish->retain)
        return false; // no QoS 2, nothing retained
    // Acknowledged first, so the PUBACK precedes the answer on the wire.
    if (publish->qos == 1)
        send(encodePuback(publish->packetId));
    return m_handler.published(*this, *publish, takePublishToken());
}

bool MqttServerConnection::handleSubscribe(const Packet &packet)
{
    const auto subscribe = decodeSubscribe(packet);
    if (!subscribe)
        return false;
    QList<quint8> granted;
    for (const auto &[filter, qos] : subscribe->filters) {
        const quint8 code = m_handler.subscribe(*this, filter, qos);
        granted << code;
        if (code == 0x80)
            continue;
        m_subscriptions.removeIf([&](const QPair<QString, int> &s) { return s.first == filter; });
        m_subscriptions.append({filter, int(code)});
    }
    send(encodeSuback(subscribe->packetId, granted));
    return true;
}

void MqttServerConnection::publish(const QString &topic, const QByteArray &payload)
{
    int qos = -1;
    for (const auto &[filter, granted] : m_subscriptions) {
        if (MqttTopic::topicMatches(filter, topic))
            qos = qMax(qos, granted);
    }
    if (qos < 0 || m_closing)
        return;
    Publish p;
    p.topic = topic;
    p.payload = payload;
    p.qos = qMin(qos, 1);
    if (p.qos == 1) {
        // A client that leaves 65,535 answers unacknowledged is gone.
        if (m_unacknowledged.size() >= 0xffff) {
            close(QStringLiteral("too many unacknowledged publishes"));
            return;
        }
        do {
            p.packetId = m_nextPacketId++;
            if (m_nextPacketId == 0)
                m_nextPacketId = 1;
        } while (m_unacknowledged.contains(p.packetId));
        m_unacknowledged.append(p.packetId);
    }
    send(encodePublish(p));
}

MqttServer::MqttServer(MqttServerHandler &handler, const MqttServerLimits &limits, QObject *parent)
    : QObject(parent), m_handler(handler), m_limits(limits)
{ }

MqttServer::~MqttServer() = default;

std::optional<quint16> MqttServer::listen(const QHostAddress &address, quint16 port,
                                          const std::optional<QSslConfiguration> &ssl, QString *error)
{
    m_ssl = ssl;
    auto *listener = new Listener;
    listener->setParent(this);
    listener->onIncoming = [this](qintptr descriptor) {
        auto *socket = new QSslSocket;
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            return;
        }
        if (m_connections >= m_limits.maxConnections) {
            qCDebug(lcMqttServer) << "connection limit reached; refusing" << socket->peerAddress();
            socket->abort();
            socket->deleteLater();
            return;
        }
        if (m_ssl)
            socket->setSslConfiguration(*m_ssl);
        ++m_connections;
        auto *connection = new MqttServerConnection(socket, m_ssl.has_value(), m_handler, m_limits, this);
        connect(connection, &MqttServerConnection::closed, this, [this] { --m_connections; });
    };
    m_server = listener;
    if (!listener->listen(address, port)) {
        if (error)
            *error = listener->errorString();
        return std::nullopt;
    }
    return listener->serverPort();
}

} // namespace Provisio

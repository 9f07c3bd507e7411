// SPDX-License-Identifier: Apache-2.0
#include "mqttsession.h"

#include <QSslConfiguration>
#include <QSslSocket>

namespace Provisio {

namespace {
QString refusalReason(int code)
{
    switch (code) {
    case 1:
        return QStringLiteral("unacceptable protocol version");
    case 2:
        return QStringLiteral("client identifier rejected");
    case 3:
        return QStringLiteral("server unavailable");
    case 4:
        return QStringLiteral("bad user name or password");
    case 5:
        return QStringLiteral("not authorized");
    default:
        return QString();
    }
}
} // namespace

MqttSession::MqttSession(Options options, QObject *parent)
    : QObject(parent), m_options(std::move(options)),
      m_caCertificates(QSslCertificate::fromData(m_options.caCertificatesPem, QSsl::Pem)),
      m_reader(m_options.maxPacketSize)
{
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &MqttSession::openSocket);
    m_connectTimer.setSingleShot(true);
    connect(&m_connectTimer, &QTimer::timeout, this,
            [this] { onSocketGone(QStringLiteral("no CONNACK within %1 ms").arg(m_options.connectTimeoutMs)); });
    connect(&m_keepAliveTimer, &QTimer::timeout, this, [this] {
        if (m_state != Connected)
            return;
        const qint64 keepAliveMs = qint64(m_options.connect.keepAliveSeconds) * 1000;
        // 3.1.1 §3.1.2.10: a server waits 1.5 keep-alive periods; the
        // client gives the server as long to answer a PINGREQ.
        if (m_pingOutstanding && m_lastReceived.elapsed() > keepAliveMs * 3 / 2) {
            onSocketGone(QStringLiteral("the broker did not answer PINGREQ"));
            return;
        }
        if (!m_pingOutstanding && m_lastSent.elapsed() >= keepAliveMs * 3 / 4) {
            m_pingOutstanding = true;
            write(MqttCodec::encodePingreq());
        }
    });
}

MqttSession::~MqttSession()
{
    dropSocket();
}

void MqttSession::connectToHost()
{
    m_wanted = true;
    if (m_state != Disconnected || m_reconnectTimer.isActive())
        return;
    m_reconnectDelayMs = 0;
    openSocket();
}

void MqttSession::disconnectFromHost()
{
    m_wanted = false;
    m_reconnectTimer.stop();
    if (m_socket && m_state == Connected)
        write(MqttCodec::encodeDisconnect());
    // Graceful: the PUBACKs and the DISCONNECT written last still go out.
    dropSocket(true);
    setState(Disconnected);
}

void MqttSession::openSocket()
{
    if (!m_wanted || m_state != Disconnected)
        return;
    dropSocket();
    m_socket = new QSslSocket(this);
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setCaCertificates(m_caCertificates);
    tls.setPeerVerifyMode(QSslSocket::VerifyPeer);
    tls.setProtocol(QSsl::TlsV1_2OrLater);
    m_socket->setSslConfiguration(tls);
    m_socket->setPeerVerifyName(m_options.peerVerifyName.isEmpty() ? m_options.host : m_options.peerVerifyName);
    QSslSocket *socket = m_socket;
    connect(socket, &QSslSocket::encrypted, this, &MqttSession::onEncrypted);
    connect(socket, &QSslSocket::readyRead, this, &MqttSession::onReadyRead);
    connect(socket, &QSslSocket::disconnected, this, [this, socket] {
        if (socket == m_socket)
            onSocketGone(QStringLiteral("the broker closed the connection"));
    });
    connect(socket, &QSslSocket::errorOccurred, this, [this, socket](QAbstractSocket::SocketError) {
        if (socket == m_socket)
            onSocketGone(socket->errorString());
    });
    connect(socket, &QSslSocket::sslErrors, this, [this, socket](const QList<QSslError> &errors) {
        if (socket == m_socket && !errors.isEmpty())
            onSocketGone(QStringLiteral("TLS: ") + errors.first().errorString());
    });
    setState(Connecting);
    m_connectTimer.start(m_options.connectTimeoutMs);
    socket->connectToHostEncrypted(m_options.host, m_options.port);
}

void MqttSession::onEncrypted()
{
    const QByteArray connectPacket = MqttCodec::encodeConnect(m_options.connect);
    if (connectPacket.isEmpty()) {
        m_wanted = false;
        onSocketGone(QStringLiteral("client id, user name or password too long for MQTT"));
        return;
    }
    m_awaitingConnack = true;
    write(connectPacket);
}

void MqttSession::onReadyRead()
{
    if (!m_socket)
        return;
    QSslSocket *socket = m_socket;
    m_reader.append(socket->readAll());
    m_lastReceived.start();
    for (;;) {
        auto next = m_reader.next();
        if (!next) {
            protocolError(next.error().message);
            return;
        }
        if (!next->has_value())
            return;
        handlePacket(**next);
        if (socket != m_socket)
            return; // closed while handling
    }
}

void MqttSession::handlePacket(const MqttCodec::Packet &packet)
{
    using MqttCodec::PacketType;
    if (m_awaitingConnack) {
        if (packet.type != PacketType::Connack)
            return protocolError(QStringLiteral("the first packet from the broker is not CONNACK"));
        auto connack = MqttCodec::decodeConnack(packet);
        if (!connack)
            return protocolError(connack.error().message);
        m_awaitingConnack = false;
        m_connectTimer.stop();
        if (connack->returnCode != 0) {
            m_wanted = false; // retrying cannot help by itself
            dropSocket();
            setState(Disconnected);
            Q_EMIT connectionRefused(connack->returnCode, refusalReason(connack->returnCode));
            return;
        }
        m_sessionPresent = connack->sessionPresent;
        m_reconnectDelayMs = 0;
        m_pingOutstanding = false;
        m_lastSent.start();
        if (m_options.connect.keepAliveSeconds > 0)
            m_keepAliveTimer.start(qMax(250, m_options.connect.keepAliveSeconds * 250));
        // Own QoS 1 publishes not acknowledged on the previous connection.
        for (auto it = m_outgoing.begin(); it != m_outgoing.end(); ++it) {
            it->publish.dup = true;
            write(MqttCodec::encodePublish(it->publish));
        }
        QList<QPair<QString, int>> filters;
        for (auto it = m_filters.cbegin(); it != m_filters.cend(); ++it)
            filters.append({it.key(), it.value()});
        sendSubscriptions(filters);
        setState(Connected);
        Q_EMIT connected();
        return;
    }
    switch (packet.type) {
    case PacketType::Publish: {
        auto publish = MqttCodec::decodePublish(packet);
        if (!publish)
            return protocolError(publish.error().message);
        if (publish->qos > 1)
            return protocolError(QStringLiteral("QoS 2 delivery on a session that subscribed with QoS 1"));
        quint64 tag = 0;
        if (publish->qos == 1) {
            if (int(m_incoming.size()) >= m_options.maxUnacknowledged)
                return protocolError(
                    QStringLiteral("more than %1 unacknowledged deliveries").arg(m_options.maxUnacknowledged));
            tag = (m_connectionSerial << 32) | m_nextDelivery++;
            m_incoming.push_back({tag, publish->packetId, false});
        }
        Q_EMIT messageReceived(*publish, tag);
        return;
    }
    case PacketType::Puback: {
        auto id = MqttCodec::decodeAck(packet);
        if (!id)
            return protocolError(id.error().message);
        if (m_outgoing.remove(*id))
            Q_EMIT messagePublished(*id, true);
        return;
    }
    case PacketType::Suback: {
        auto suback = MqttCodec::decodeSuback(packet);
        if (!suback)
            return protocolError(suback.error().message);
        const bool answered = m_controlIds.remove(suback->packetId) && m_controlIds.isEmpty();
        if (suback->returnCodes.contains(quint8(0x80))) {
            m_subscriptionRefused = true;
            Q_EMIT errorOccurred(QStringLiteral("the broker refused a subscription"));
        }
        if (answered)
            Q_EMIT subscriptionsAnswered(!m_subscriptionRefused);
        return;
    }
    case PacketType::Unsuback: {
        auto id = MqttCodec::decodeAck(packet);
        if (!id)
            return protocolError(id.error().message);
        if (m_controlIds.remove(*id) && m_controlIds.isEmpty())
            Q_EMIT subscriptionsAnswered(!m_subscriptionRefused);
        return;
    }
    case PacketType::Pingresp: {
        if (auto ok = MqttCodec::decodePingresp(packet); !ok)
            return protocolError(ok.error().message);
        m_pingOutstanding = false;
        return;
    }
    default:
        return protocolError(QStringLiteral("unexpected packet type %1 from the broker").arg(int(packet.type)));
    }
}

void MqttSession::acknowledge(quint64 tag)
{
    if (tag == 0 || (tag >> 32) != m_connectionSerial || m_incoming.empty())
        return;
    const quint64 first = m_incoming.front().tag;
    if (tag < first || tag - first >= m_incoming.size())
        return;
    m_incoming[size_t(tag - first)].acknowledged = true;
    if (tag == first)
        sendPendingAcks();
}

void MqttSession::sendPendingAcks()
{
    QByteArray out;
    while (!m_incoming.empty() && m_incoming.front().acknowledged) {
        out += MqttCodec::encodePuback(m_incoming.front().packetId);
        m_incoming.pop_front();
    }
    if (!out.isEmpty())
        write(out);
}

int MqttSession::publish(const QString &topic, const QByteArray &payload, int qos, bool retain)
{
    if (m_state != Connected || qos < 0 || qos > 1 || !MqttCodec::isValidTopicName(topic))
        return -1;
    MqttCodec::Publish p;
    p.topic = topic;
    p.payload = payload;
    p.qos = qos;
    p.retain = retain;
    if (qos == 1) {
        if (m_outgoing.size() >= m_options.maxOutgoingInFlight)
            return -1;
        p.packetId = nextPacketId();
        if (p.packetId == 0)
            return -1;
    }
    const QByteArray bytes = MqttCodec::encodePublish(p);
    if (bytes.isEmpty())
        return -1;
    if (qos == 1)
        m_outgoing.insert(p.packetId, {p});
    write(bytes);
    return p.packetId;
}

void MqttSession::subscribe(const QString &filter, int qos)
{
    m_filters.insert(filter, qos);
    if (m_state == Connected)
        sendSubscriptions({{filter, qos}});
}

void MqttSession::unsubscribe(const QString &filter)
{
    m_filters.remove(filter);
    if (m_state != Connected)
        return;
    const quint16 id = nextPacketId();
    if (id == 0)
        return;
    m_controlIds.insert(id, true);
    write(MqttCodec::encodeUnsubscribe(id, {filter}));
}

void MqttSession::sendSubscriptions(const QList<QPair<QString, int>> &filters)
{
    // One SUBSCRIBE per filter keeps every packet small and a refusal local.
    for (const auto &f : filters) {
        const quint16 id = nextPacketId();
        if (id == 0)
            return;
        const QByteArray bytes = MqttCodec::encodeSubscribe(id, {f});
        if (bytes.isEmpty()) {
            Q_EMIT errorOccurred(QStringLiteral("subscription filter not valid for MQTT"));
            continue;
        }
        m_controlIds.insert(id, true);
        write(bytes);
    }
}

quint16 MqttSession::nextPacketId()
{
    // Identifiers in use by our own publishes or SUBSCRIBEs are skipped; 0
    // when all 65,535 are in use.
    for (int i = 0; i < 65535; ++i) {
        m_lastPacketId = quint16(m_lastPacketId % 65535 + 1);
        if (!m_outgoing.contains(m_lastPacketId) && !m_controlIds.contains(m_lastPacketId))
            return m_lastPacketId;
    }
    return 0;
}

bool MqttSession::write(const QByteArray &bytes)
{
    if (!m_socket)
        return false;
    m_lastSent.start();
    return m_socket->write(bytes) == bytes.size();
}

void MqttSession::protocolError(const QString &what)
{
    onSocketGone(QStringLiteral("protocol error: ") + what);
}

void MqttSession::onSocketGone(const QString &why)
{
    if (!m_socket)
        return;
    dropSocket();
    Q_EMIT errorOccurred(why);
    setState(Disconnected);
    scheduleReconnect();
}

void MqttSession::dropSocket(bool graceful)
{
    m_connectTimer.stop();
    m_keepAliveTimer.stop();
    m_awaitingConnack = false;
    m_reader.clear();
    // Deliveries of this connection can no longer be acknowledged: the
    // broker sends them again on the next connection of this session.
    m_incoming.clear();
    m_controlIds.clear();
    m_subscriptionRefused = false;
    ++m_connectionSerial;
    m_nextDelivery = 1;
    if (!m_socket)
        return;
    QSslSocket *socket = m_socket;
    m_socket = nullptr;
    socket->disconnect(this);
    if (graceful && socket->state() == QAbstractSocket::ConnectedState) {
        connect(socket, &QSslSocket::disconnected, socket, &QObject::deleteLater);
        QTimer::singleShot(5000, socket, &QObject::deleteLater); // a peer that never closes
        socket->disconnectFromHost();
        return;
    }
    socket->abort();
    socket->deleteLater();
}

void MqttSession::scheduleReconnect()
{
    if (!m_wanted)
        return;
    m_reconnectDelayMs = m_reconnectDelayMs == 0 ? m_options.minReconnectDelayMs
                                                 : qMin(m_reconnectDelayMs * 2, m_options.maxReconnectDelayMs);
    m_reconnectTimer.start(m_reconnectDelayMs);
}

void MqttSession::setState(State state)
{
    if (state == m_state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

} // namespace Provisio

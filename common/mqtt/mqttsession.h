// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "mqttcodec.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QMap>
#include <QObject>
#include <QPointer>
#include <QSslCertificate>
#include <QString>
#include <QTimer>

#include <deque>

class QSslSocket;

namespace Provisio {

// An MQTT 3.1.1 client over TLS (QSslSocket) whose QoS 1 deliveries are
// acknowledged by the application, not on receipt: messageReceived() hands
// over a delivery tag and the PUBACK goes out only when acknowledge() is
// called with it. A receiver that acknowledges after its database commit
// turns the broker's "at least once" into "stored before acknowledged": a
// crash in between leaves the message unacknowledged in the broker's
// session, which delivers it again (DUP set) when the same client id comes
// back. libmosquitto and Eclipse Paho C acknowledge QoS 1 before the
// application sees the message, which is why this exists; devices keep
// using MqttClient.
//
// PUBACKs leave in the order the PUBLISHes came (3.1.1 §4.6): an
// acknowledgement waits for every earlier delivery of the same connection.
// A tag is bound to its connection: after a reconnect, acknowledging an old
// tag sends nothing (the broker delivers the message again instead).
//
// Limits: incoming packets over maxPacketSize close the connection (a
// broker never sends more than the publisher's message plus its topic);
// at most maxUnacknowledged deliveries wait for acknowledgement (the
// broker's in-flight window keeps it far below; a broker that ignores it
// is disconnected); at most maxOutgoingInFlight own QoS 1 publishes wait
// for their PUBACK (publish() fails beyond, like a full queue).
class MqttSession : public QObject
{
    Q_OBJECT
public:
    enum State { Disconnected, Connecting, Connected };
    Q_ENUM(State)

    struct Options
    {
        QString host;
        quint16 port = 8883;
        QString peerVerifyName; // empty: host
        QByteArray caCertificatesPem;
        MqttCodec::ConnectOptions connect;
        int connectTimeoutMs = 10000;
        int minReconnectDelayMs = 500;
        int maxReconnectDelayMs = 5000;
        qsizetype maxPacketSize = 1024 * 1024;
        int maxUnacknowledged = 65535;
        int maxOutgoingInFlight = 10000;
    };

    explicit MqttSession(Options options, QObject *parent = nullptr);
    ~MqttSession() override;

    const Options &options() const { return m_options; }
    // Takes effect at the next connect (e.g. a fresh SAS token).
    void setPassword(const QString &password) { m_options.connect.password = password; }
    void setCleanSession(bool clean) { m_options.connect.cleanSession = clean; }

    State state() const { return m_state; }
    bool sessionPresent() const { return m_sessionPresent; }
    // Deliveries handed over and not acknowledged yet (this connection).
    int unacknowledgedCount() const { return int(m_incoming.size()); }
    // SUBSCRIBEs and UNSUBSCRIBEs of this connection the broker has not
    // answered yet.
    int unansweredSubscriptions() const { return int(m_controlIds.size()); }

    // Connects, and reconnects with backoff after a loss, until
    // disconnectFromHost() or a refused CONNECT.
    void connectToHost();
    // Sends DISCONNECT and closes; no reconnect.
    void disconnectFromHost();

    // QoS 0 or 1. Returns the packet identifier (0 for QoS 0) or -1 when
    // not connected, the topic is not valid or too many publishes wait.
    // QoS 1 publishes are sent again (DUP) after a reconnect until
    // acknowledged; messagePublished() tells the outcome.
    int publish(const QString &topic, const QByteArray &payload, int qos, bool retain);
    // Kept for every (re)connect; sent at once when connected.
    void subscribe(const QString &filter, int qos);
    // Sent when connected, also for a filter this client never subscribed
    // (a resumed session's own subscriptions).
    void unsubscribe(const QString &filter);

    // Acknowledges a delivery (see the class comment); unknown or stale
    // tags are ignored. Tag 0 (QoS 0) needs no acknowledgement.
    void acknowledge(quint64 tag);

Q_SIGNALS:
    void stateChanged(Provisio::MqttSession::State state);
    void connected();
    // The broker answered the last outstanding SUBSCRIBE or UNSUBSCRIBE
    // (from here on it routes by what this connection asked for);
    // `allGranted`: it refused none of this connection's SUBSCRIBEs.
    void subscriptionsAnswered(bool allGranted);
    // tag: pass to acknowledge() once the message is safe (0 for QoS 0).
    void messageReceived(const Provisio::MqttCodec::Publish &message, quint64 tag);
    // A QoS 1 publish acknowledged (true), or given up because the session
    // was closed for good (false).
    void messagePublished(int packetId, bool acknowledged);
    void errorOccurred(const QString &message);
    // CONNACK with a non-zero return code; no automatic retry.
    void connectionRefused(int returnCode, const QString &reason);

private:
    struct Incoming
    {
        quint64 tag = 0;
        quint16 packetId = 0;
        bool acknowledged = false;
    };
    struct Outgoing
    {
        MqttCodec::Publish publish;
    };

    void openSocket();
    void onEncrypted();
    void onReadyRead();
    void onSocketGone(const QString &why);
    void handlePacket(const MqttCodec::Packet &packet);
    void protocolError(const QString &what);
    void sendPendingAcks();
    void sendSubscriptions(const QList<QPair<QString, int>> &filters);
    void setState(State state);
    void scheduleReconnect();
    quint16 nextPacketId();
    bool write(const QByteArray &bytes);
    void dropSocket(bool graceful = false);

    Options m_options;
    // m_options.caCertificatesPem parsed once: a session that cannot reach
    // its broker opens a new socket on every retry.
    QList<QSslCertificate> m_caCertificates;
    QSslSocket *m_socket = nullptr;
    MqttCodec::PacketReader m_reader;
    State m_state = Disconnected;
    bool m_wanted = false; // connectToHost() called and not withdrawn
    bool m_sessionPresent = false;
    bool m_awaitingConnack = false;
    bool m_subscriptionRefused = false; // on this connection
    quint64 m_connectionSerial = 0;     // high bits of the tags
    quint32 m_nextDelivery = 1;
    std::deque<Incoming> m_incoming; // in arrival order
    QMap<quint16, Outgoing> m_outgoing;
    QMap<QString, int> m_filters;
    QHash<quint16, bool> m_controlIds; // SUBSCRIBE/UNSUBSCRIBE ids awaiting an answer
    quint16 m_lastPacketId = 0;
    int m_reconnectDelayMs = 0;
    QTimer m_reconnectTimer;
    QTimer m_connectTimer;
    QTimer m_keepAliveTimer;
    QElapsedTimer m_lastSent;
    QElapsedTimer m_lastReceived;
    bool m_pingOutstanding = false;
};

} // namespace Provisio

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "mqtt/mqttcodec.h"

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QPair>
#include <QSslConfiguration>
#include <QTimer>

#include <optional>

class QSslSocket;
class QTcpServer;

namespace Provisio {

// What an MqttServer holds every connection to. Each one is a setting
// (docs/configuration.md, "DPS over MQTT").
struct MqttServerLimits
{
    int maxConnections = 1000;
    qsizetype maxPacketBytes = 64 * 1024; // a packet's remaining length
    int connectTimeoutMs = 10000;         // from accept to TLS done and CONNECT read
    int maxKeepAliveSeconds = 300;        // a longer keep-alive, or 0, counts as this
    int publishBurst = 10;                // publishes a connection may send at once,
    int publishesPerMinute = 60;          // then this many a minute
    qint64 maxUnsentBytes = 1024 * 1024;  // answers a client does not read
};

class MqttServerConnection;

// What the owner of a server decides; the server only speaks MQTT.
class MqttServerHandler
{
public:
    virtual ~MqttServerHandler() = default;
    // The CONNACK return code for a CONNECT (0 accepts; 1..5 refuse and close).
    virtual quint8 authenticate(MqttServerConnection &connection, const MqttCodec::Connect &connect) = 0;
    // The QoS granted to a filter, or 0x80 to refuse it.
    virtual quint8 subscribe(MqttServerConnection &connection, const QString &filter, int qos) = 0;
    // A client's PUBLISH, within its rate; false closes the connection.
    // `retryAfterSeconds` > 0: over the rate, the handler answers without
    // doing the work.
    virtual bool published(MqttServerConnection &connection, const MqttCodec::Publish &publish,
                           int retryAfterSeconds) = 0;
};

// One client of an MqttServer: MQTT 3.1.1 as a server speaks it, with the
// server's limits. Clean sessions only: nothing outlives the connection.
class MqttServerConnection : public QObject
{
    Q_OBJECT
public:
    MqttServerConnection(QSslSocket *socket, bool tls, MqttServerHandler &handler, const MqttServerLimits &limits,
                         QObject *parent);

    QHostAddress peerAddress() const { return m_peer; }
    QString clientId() const { return m_clientId; }

    // Sends a PUBLISH when the client subscribed a matching filter, at the
    // lower of QoS 1 and the granted QoS; dropped otherwise, as a broker does.
    void publish(const QString &topic, const QByteArray &payload);
    // Closes the connection (the reason goes to the debug log).
    void close(const QString &reason);

Q_SIGNALS:
    void closed();

private:
    void readBytes();
    bool handle(const MqttCodec::Packet &packet);
    bool handleConnect(const MqttCodec::Packet &packet);
    bool handlePublish(const MqttCodec::Packet &packet);
    bool handleSubscribe(const MqttCodec::Packet &packet);
    int takePublishToken(); // 0: within the rate, else seconds to wait
    void send(const QByteArray &bytes);

    QSslSocket *m_socket;
    MqttServerHandler &m_handler;
    MqttServerLimits m_limits;
    MqttCodec::PacketReader m_reader;
    QHostAddress m_peer;
    QString m_clientId;
    bool m_connected = false;
    bool m_closing = false;
    bool m_refused = false;                     // CONNACK refused sent, closing
    QList<QPair<QString, int>> m_subscriptions; // filter, granted QoS
    QList<quint16> m_unacknowledged;            // our QoS 1 publishes
    quint16 m_nextPacketId = 1;
    QTimer m_deadline; // CONNECT, then keep-alive
    int m_idleMs = 0;
    double m_tokens = 0;
    qint64 m_tokensAt = 0;
};

// A small MQTT 3.1.1 server over TCP or TLS: accepts connections up to its
// limit, frames packets with MqttCodec and hands CONNECT, SUBSCRIBE and
// PUBLISH to its handler. Knows nothing of what the topics mean.
class MqttServer : public QObject
{
    Q_OBJECT
public:
    MqttServer(MqttServerHandler &handler, const MqttServerLimits &limits, QObject *parent = nullptr);
    ~MqttServer() override;

    // TLS with `ssl` when given; the port (useful with port 0) or nullopt
    // with `error` set.
    std::optional<quint16> listen(const QHostAddress &address, quint16 port,
                                  const std::optional<QSslConfiguration> &ssl, QString *error);
    int connectionCount() const { return m_connections; }

private:
    void acceptPending();

    MqttServerHandler &m_handler;
    MqttServerLimits m_limits;
    std::optional<QSslConfiguration> m_ssl;
    QTcpServer *m_server = nullptr;
    int m_connections = 0;
};

} // namespace Provisio

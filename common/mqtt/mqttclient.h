// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QObject>
#include <QPair>
#include <QSemaphore>
#include <QString>
#include <QTimer>

#include <atomic>
#include <thread>

struct mosquitto;

namespace Provisio {

// MQTT 5 properties of one PUBLISH, sent with publish() and delivered with
// messageReceived(). MQTT 3.1.1 has no properties: they are dropped on send
// and arrive empty.
struct MqttMessageProperties
{
    QList<QPair<QString, QString>> userProperties;
    QString contentType;
    QString responseTopic;
    QByteArray correlationData;
    quint32 messageExpiryInterval = 0; // seconds, 0 = none

    bool isEmpty() const
    {
        return userProperties.isEmpty() && contentType.isEmpty() && responseTopic.isEmpty() &&
               correlationData.isEmpty() && messageExpiryInterval == 0;
    }
};

// An MQTT 3.1.1/5 client with the shape of QMqttClient, built on libmosquitto
// because Qt MQTT is not packaged for Debian 12. Devices use it for
// telemetry, twin and direct methods, the middleware for its service identity.
//
// Threading: the object belongs to the thread that creates it and must be
// used only from there. Network I/O runs in a network loop on poll() (not
// mosquitto_loop(), whose select() fails for descriptors >= 1024) in a
// thread of its own, one per connection; the
// callbacks copy what they receive and post it to this object's thread
// (queued invocations), so every signal is emitted in the owner's thread and
// no caller ever blocks on the network. The thread is started here rather
// than by mosquitto_loop_start() because libmosquitto 2.0.11's loop can end
// without any callback (a TLS handshake failure seen while writing is
// "fatal" and returns silently); owning the thread, the client learns of
// every end. Host names are resolved with QHostInfo, so a slow DNS server
// does not freeze a GUI either. The destructor stops the network thread
// before the object goes away.
//
// Reconnecting: with autoReconnect (the default) a lost or failed connection
// is retried after minimumReconnectDelay * 2^attempt, capped at
// maximumReconnectDelay, of which a random half is dropped ("equal jitter"),
// so a hub restart does not bring every device back in the same second. The
// attempt counter resets on every accepted CONNACK. An attempt whose CONNACK
// does not come within connectTimeout() of the start of the TCP/TLS connect
// (a broker that accepts the connection but never answers, e.g. one still
// starting) is abandoned with ConnectTimeout and retried the same way,
// instead of waiting a whole keep-alive. A CONNACK refusal that
// retrying cannot fix (bad credentials, not authorized, banned, bad client
// id, unsupported protocol) stops the cycle: refresh the credentials (e.g. a
// new SAS token) and call connectToHost() again. After every accepted
// CONNACK the subscription list is sent again, except for the filters the
// broker still holds when it reports a present session.
//
// Messages published while not connected: QoS 1 and 2 messages are kept in
// memory by libmosquitto and sent when the connection is (re)established,
// including unacknowledged in-flight ones, which are resent with DUP; at most
// maxPendingMessages unacknowledged QoS 1/2 messages are held, beyond that
// publish() fails with QueueFull, so a telemetry producer keeps the excess in
// its own persistent queue. QoS 0 fails at once with NotConnected. Queued
// messages live in process memory only and die with the object or when a
// change of client id, clean-session flag or TLS settings forces a new
// libmosquitto handle at the next connectToHost().
//
// TLS: libmosquitto's SSL_CTX is replaced by one built here: TLS 1.2+, the
// given CA certificates (from memory; the system store when none are given)
// and verification of the certificate against peerVerifyName(), or
// hostname() when that is empty. This keeps verification strict when the
// dialled address differs from the certificate's name (the hub's name in the
// registration's assignedHub versus the IP a device dials): there is no
// switch that turns verification off. libmosquitto sends the dialled address
// as SNI.
//
// Persistent sessions: with cleanSession false the broker keeps
// subscriptions and queued messages across connections for MQTT 3.1.1. For
// MQTT 5 the broker needs a Session Expiry Interval in CONNECT, which
// libmosquitto 2.0.11's asynchronous connect cannot send, so an MQTT 5
// session ends with its connection; the client's own in-flight messages are
// still resent.
class MqttClient : public QObject
{
    Q_OBJECT
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
    Q_PROPERTY(QString hostname READ hostname WRITE setHostname)
    Q_PROPERTY(quint16 port READ port WRITE setPort)
    Q_PROPERTY(QString clientId READ clientId WRITE setClientId)
    Q_PROPERTY(QString username READ username WRITE setUsername)
    Q_PROPERTY(ProtocolVersion protocolVersion READ protocolVersion WRITE setProtocolVersion)
    Q_PROPERTY(int keepAlive READ keepAlive WRITE setKeepAlive)
    Q_PROPERTY(int connectTimeout READ connectTimeout WRITE setConnectTimeout)
    Q_PROPERTY(bool cleanSession READ cleanSession WRITE setCleanSession)
    Q_PROPERTY(bool tlsEnabled READ isTlsEnabled WRITE setTlsEnabled)
    Q_PROPERTY(QString peerVerifyName READ peerVerifyName WRITE setPeerVerifyName)
    Q_PROPERTY(bool autoReconnect READ autoReconnect WRITE setAutoReconnect)

public:
    enum State { Disconnected, Connecting, Connected };
    Q_ENUM(State)

    enum ProtocolVersion { Mqtt311 = 4, Mqtt5 = 5 };
    Q_ENUM(ProtocolVersion)

    // Codes of errorOccurred(), and of disconnected() for network failures.
    enum ClientError {
        NoError = 0,
        InvalidArgument = 1,  // bad topic, filter, QoS or setting
        NotConnected = 2,     // QoS 0 publish while not connected
        QueueFull = 3,        // maxPendingMessages unacknowledged messages
        HostNotFound = 4,     // DNS lookup failed
        NetworkError = 5,     // TCP connect failed, socket error
        ConnectionLost = 6,   // an established connection went away
        KeepAliveTimeout = 7, // no answer within the keep-alive
        TlsError = 8,         // handshake or certificate verification failed
        ProtocolError = 9,    // malformed or unexpected packet
        MessagesDropped = 10, // unacknowledged messages discarded with a handle
        UnknownError = 11,
        ConnectTimeout = 12, // no CONNACK within connectTimeout()
    };
    Q_ENUM(ClientError)

    explicit MqttClient(QObject *parent = nullptr);
    ~MqttClient() override;

    // Connection settings; they take effect at the next connectToHost().
    QString hostname() const { return m_hostname; }
    void setHostname(const QString &hostname) { m_hostname = hostname; }
    quint16 port() const { return m_port; }
    void setPort(quint16 port) { m_port = port; }
    QString clientId() const { return m_clientId; }
    void setClientId(const QString &clientId) { m_clientId = clientId; }
    QString username() const { return m_username; }
    void setUsername(const QString &username) { m_username = username; }
    // Write-only and never logged (it is a SAS token for devices).
    void setPassword(const QString &password) { m_password = password; }
    ProtocolVersion protocolVersion() const { return m_protocolVersion; }
    void setProtocolVersion(ProtocolVersion version) { m_protocolVersion = version; }
    int keepAlive() const { return m_keepAlive; }
    void setKeepAlive(int seconds); // at least 5, as libmosquitto requires
    // Milliseconds from the start of the TCP/TLS connect to the CONNACK
    // (default 10000; 0 or less waits for libmosquitto's keep-alive check).
    int connectTimeout() const { return m_connectTimeoutMs; }
    void setConnectTimeout(int ms) { m_connectTimeoutMs = qMax(0, ms); }
    bool cleanSession() const { return m_cleanSession; }
    void setCleanSession(bool clean) { m_cleanSession = clean; }

    // TLS. Without CA certificates the system trust store is used.
    bool isTlsEnabled() const { return m_tlsEnabled; }
    void setTlsEnabled(bool enabled) { m_tlsEnabled = enabled; }
    QByteArray caCertificates() const { return m_caCertificates; }
    void setCaCertificates(const QByteArray &pem) { m_caCertificates = pem; }
    // Reads the PEM file now; false (and nothing changed) if it is unreadable.
    bool setCaCertificateFile(const QString &path);
    // The name the broker's certificate must carry (DNS name or IP address);
    // empty means hostname(). Set it when dialling an address other than the
    // certificate's name.
    QString peerVerifyName() const { return m_peerVerifyName; }
    void setPeerVerifyName(const QString &name) { m_peerVerifyName = name; }

    // Last will, published by the broker when the connection dies without a
    // DISCONNECT (crash, network loss, keep-alive timeout).
    void setWill(const QString &topic, const QByteArray &payload, int qos = 1, bool retain = false);
    void clearWill();

    // Reconnecting (see the class comment). Delays in milliseconds.
    bool autoReconnect() const { return m_autoReconnect; }
    void setAutoReconnect(bool enabled) { m_autoReconnect = enabled; }
    int minimumReconnectDelay() const { return m_minReconnectDelayMs; }
    int maximumReconnectDelay() const { return m_maxReconnectDelayMs; }
    void setReconnectDelays(int minimumMs, int maximumMs);

    // Bound of unacknowledged QoS 1/2 messages held in memory (default 1000).
    int maxPendingMessages() const { return m_maxPendingMessages; }
    void setMaxPendingMessages(int count);
    // QoS 1/2 messages published but not yet acknowledged.
    int pendingMessageCount() const;

    State state() const { return m_state; }
    // Whether the last accepted CONNACK reported a session the broker kept.
    bool sessionPresent() const { return m_sessionPresent; }
    // Filter -> requested QoS: what is subscribed again after each connect.
    QMap<QString, int> subscriptions() const;

    // Starts connecting (no-op while connecting or connected).
    void connectToHost();
    // Sends DISCONNECT (no will) and stops reconnecting; disconnected() and
    // stateChanged(Disconnected) follow once the network thread has ended.
    void disconnectFromHost();

    // Returns the message id (1..65535) to match with messagePublished(), or
    // -1 after emitting errorOccurred(). See the class comment for what
    // happens while not connected. Message ids are reused after 65535.
    int publish(const QString &topic, const QByteArray &payload, int qos = 0, bool retain = false,
                const MqttMessageProperties &properties = {});
    // Adds the filter to the subscription list (or changes its QoS). Returns
    // the SUBSCRIBE's message id when connected (see subscribed()), 0 when it
    // will be sent at the next connect, -1 (and errorOccurred) if invalid.
    int subscribe(const QString &topicFilter, int qos = 0);
    // Removes the filter from the list. Returns the UNSUBSCRIBE's message id
    // when connected, 0 when not connected, -1 if the filter was not listed.
    int unsubscribe(const QString &topicFilter);

Q_SIGNALS:
    void stateChanged(Provisio::MqttClient::State state);
    void connected();
    // After connected() only (a failed attempt reports errorOccurred() or
    // connectionRefused()). 0 after disconnectFromHost() or a normal
    // DISCONNECT from the server;
    // a ClientError (1..0x7f) for a network failure; >= 0x80 the MQTT 5
    // reason code of the server's DISCONNECT (e.g. 0x8e session taken over).
    void disconnected(int reasonCode);
    void messageReceived(const QByteArray &payload, const QString &topic, bool retained, int qos,
                         const Provisio::MqttMessageProperties &properties);
    // Exactly once per message id publish() returned: QoS 1 on PUBACK, QoS 2
    // on PUBCOMP, with the MQTT 5 reason code (>= 0x80 a refusal such as
    // 0x87 not authorized; 0 on MQTT 3.1.1); QoS 0 once handed to the socket.
    // A QoS 0 message dropped with its connection gets no signal.
    void messagePublished(int messageId, int reasonCode);
    // One granted QoS per filter of the SUBSCRIBE; >= 0x80 means refused.
    void subscribed(int messageId, const QList<int> &grantedQos);
    void unsubscribed(int messageId);
    void errorOccurred(int code, const QString &message);
    // The broker refused CONNECT: MQTT 5 reason code (0x86 bad user name or
    // password, 0x87 not authorized, ...) or MQTT 3.1.1 return code (4, 5).
    void connectionRefused(int reasonCode, const QString &reasonString);

private:
    struct Callbacks; // libmosquitto's C callbacks, in the network thread
    friend struct Callbacks;

    struct Subscription
    {
        int qos = 0;
        bool granted = false; // the broker holds it in the current session
    };

    void setState(State state);
    void fail(ClientError code, const QString &message);
    QByteArray handleConfiguration() const;
    bool ensureHandle();
    void destroyHandle();
    bool applyConnectOptions();
    void beginAttempt();
    void dial(const QString &address);
    void scheduleReconnect();
    int sendSubscribe(const QString &filter, int qos);
    void joinNetworkThread();
    void wakeLoop();
    void abortAttempt();

    // Handlers of what the network thread reports, in this object's thread.
    void handleConnack(int reasonCode, int flags, const QString &reasonString);
    void handleDisconnect(int reasonCode);
    void handleLoopFinished(int loopResult);
    void handlePublished(int messageId, int reasonCode);
    void handleMessage(const QByteArray &payload, const QString &topic, bool retained, int qos,
                       const Provisio::MqttMessageProperties &properties);
    void handleSubscribed(int messageId, const QList<int> &grantedQos);
    void handleUnsubscribed(int messageId);
    void handleLibraryLog(int level, const QString &text);

    // Settings.
    QString m_hostname;
    quint16 m_port = 1883;
    QString m_clientId;
    QString m_username;
    QString m_password;
    ProtocolVersion m_protocolVersion = Mqtt5;
    int m_keepAlive = 60;
    int m_connectTimeoutMs = 10000;
    bool m_cleanSession = true;
    bool m_tlsEnabled = false;
    QByteArray m_caCertificates;
    QString m_peerVerifyName;
    QString m_willTopic;
    QByteArray m_willPayload;
    int m_willQos = 0;
    bool m_willRetain = false;
    bool m_autoReconnect = true;
    int m_minReconnectDelayMs = 1000;
    int m_maxReconnectDelayMs = 60000;
    int m_maxPendingMessages = 1000;

    // Connection.
    mosquitto *m_mosq = nullptr;
    QByteArray m_mosqConfiguration; // handleConfiguration() m_mosq was made with
    State m_state = Disconnected;
    bool m_wantConnected = false;    // between connectToHost() and disconnectFromHost()
    std::thread m_loopThread;        // runs the network loop for one connection
    int m_wakeFd = -1;               // eventfd that wakes m_loopThread's poll()
    bool m_loopRunning = false;      // m_loopThread is joinable
    int m_disconnectReason = -1;     // from the disconnect callback of this connection
    bool m_userDisconnect = false;   // the running session ends because we asked
    bool m_restartPending = false;   // connectToHost() while the last session winds down
    bool m_permanentRefusal = false; // CONNACK said retrying will not help
    bool m_refusedThisAttempt = false;
    bool m_connectTimedOut = false; // this attempt was abandoned by m_connectTimer
    bool m_sessionPresent = false;  // from the last accepted CONNACK
    int m_attempt = 0;
    int m_lookupId = -1;
    int m_attemptSerial = 0; // invalidates the callbacks of abandoned host lookups
    QString m_lastLibraryError;
    QTimer m_reconnectTimer;
    QTimer m_connectTimer; // from dial() to the CONNACK

    QHash<int, int> m_pending; // message id -> QoS, until messagePublished()
    int m_pendingQos12 = 0;
    QMap<QString, Subscription> m_subscriptions;
    QHash<int, QString> m_pendingSubscribes; // SUBSCRIBE message id -> filter

    // Touched by the network thread: lets the destructor stop callbacks from
    // posting and learn that the thread has finished, and a connect timeout
    // end the loop of an attempt nobody answers.
    std::atomic<bool> m_shuttingDown{false};
    std::atomic<bool> m_abortLoop{false};
    std::atomic<int> m_loopErrno{0};        // the socket error that ended the network thread, if any
    std::atomic<bool> m_connackSeen{false}; // set by the network thread
    QSemaphore m_loopFinished;
};

} // namespace Provisio

Q_DECLARE_METATYPE(Provisio::MqttMessageProperties)

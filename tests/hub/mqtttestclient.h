// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

struct mosquitto;
struct mosquitto_message;
typedef struct mqtt5__property mosquitto_property;

namespace Provisio::Test {

// A blocking MQTT 5 (or 3.1.1) client over TLS for the hub tests, on
// libmosquitto's C API. No threads: every wait drives mosquitto_loop() until
// the awaited packet arrives or the deadline passes, so a test reads like a
// script and a hang becomes a failure, not a stuck test. Reason codes are
// the broker's own (CONNACK, PUBACK, SUBACK, DISCONNECT), which is what the
// tests assert on.
class MqttTestClient
{
public:
    enum Protocol { Mqtt311 = 4, Mqtt5 = 5 };
    static constexpr int kNoAnswer = -1; // connection failed or no reply in time

    // cleanSession false: the broker keeps the session (subscriptions and
    // QoS 1 messages) while the client is away, as Azure's SDKs ask.
    explicit MqttTestClient(const QString &clientId, Protocol protocol = Mqtt5, bool cleanSession = true);
    ~MqttTestClient();
    MqttTestClient(const MqttTestClient &) = delete;
    MqttTestClient &operator=(const MqttTestClient &) = delete;

    void setCredentials(const QByteArray &username, const QByteArray &password);
    // username and password left out of CONNECT entirely.
    void clearCredentials();
    void setWill(const QString &topic, const QByteArray &payload, int qos = 1, bool retain = true);

    // Connects over TLS trusting caFile; returns the CONNACK reason code
    // (0 = accepted) or kNoAnswer.
    int connect(const QString &host, quint16 port, const QString &caFile, int timeoutMs = 5000);
    bool isConnected() const { return m_connected; }
    // Waits until the broker drops the connection; returns false on timeout.
    bool waitForDisconnect(int timeoutMs);
    int disconnectReason() const { return m_disconnectReason; }
    void disconnect();
    // Cuts the TCP connection without a DISCONNECT packet, as a device that
    // loses power would: the broker then publishes the Will.
    void dropConnection();

    // QoS 1 publish; returns the PUBACK reason code (MQTT 5: 0, 0x10 no
    // subscribers, 0x87 not authorised) or kNoAnswer (also when the broker
    // dropped us instead).
    int publish(const QString &topic, const QByteArray &payload, int qos = 1, bool retain = false);
    // Returns the SUBACK code: the granted QoS, or 0x80+ for a refusal.
    int subscribe(const QString &filter, int qos = 1);

    struct Message
    {
        QString topic;
        QByteArray payload;
    };
    // Runs the loop for up to timeoutMs until `count` messages are there.
    bool waitForMessages(int count, int timeoutMs);
    // Runs the loop for `ms` (to prove that nothing arrives).
    void pump(int ms);
    QList<Message> takeMessages();
    const QList<Message> &messages() const { return m_messages; }

private:
    static void onConnect(mosquitto *, void *self, int rc, int flags, const mosquitto_property *);
    static void onDisconnect(mosquitto *, void *self, int rc, const mosquitto_property *);
    static void onPublish(mosquitto *, void *self, int mid, int reason, const mosquitto_property *);
    static void onSubscribe(mosquitto *, void *self, int mid, int count, const int *granted,
                            const mosquitto_property *);
    static void onMessage(mosquitto *, void *self, const mosquitto_message *, const mosquitto_property *);
    template<typename Done>
    bool loopUntil(Done done, int timeoutMs);

    mosquitto *m_mosq = nullptr;
    Protocol m_protocol;
    bool m_connected = false;
    bool m_connackSeen = false;
    bool m_dropped = false;
    int m_connack = kNoAnswer;
    int m_disconnectReason = 0;
    int m_lastAckMid = -1;
    int m_lastAckCode = kNoAnswer;
    int m_lastSubMid = -1;
    int m_lastSubCode = kNoAnswer;
    QList<Message> m_messages;
};

} // namespace Provisio::Test

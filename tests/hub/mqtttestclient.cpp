// SPDX-License-Identifier: Apache-2.0
#include "mqtttestclient.h"

#include <QDeadlineTimer>

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include <sys/socket.h>

namespace Provisio::Test {

namespace {
struct LibraryInit
{
    LibraryInit() { mosquitto_lib_init(); }
    ~LibraryInit() { mosquitto_lib_cleanup(); }
};
} // namespace

MqttTestClient::MqttTestClient(const QString &clientId, Protocol protocol, bool cleanSession) : m_protocol(protocol)
{
    static LibraryInit init;
    const QByteArray id = clientId.toUtf8();
    m_mosq = mosquitto_new(id.isEmpty() ? nullptr : id.constData(), cleanSession || id.isEmpty(), this);
    mosquitto_int_option(m_mosq, MOSQ_OPT_PROTOCOL_VERSION, protocol == Mqtt5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311);
    mosquitto_connect_v5_callback_set(m_mosq, &MqttTestClient::onConnect);
    mosquitto_disconnect_v5_callback_set(m_mosq, &MqttTestClient::onDisconnect);
    mosquitto_publish_v5_callback_set(m_mosq, &MqttTestClient::onPublish);
    mosquitto_subscribe_v5_callback_set(m_mosq, &MqttTestClient::onSubscribe);
    mosquitto_message_v5_callback_set(m_mosq, &MqttTestClient::onMessage);
}

MqttTestClient::~MqttTestClient()
{
    if (m_connected)
        disconnect();
    mosquitto_destroy(m_mosq);
}

void MqttTestClient::setCredentials(const QByteArray &username, const QByteArray &password)
{
    mosquitto_username_pw_set(m_mosq, username.constData(), password.constData());
}

void MqttTestClient::clearCredentials()
{
    mosquitto_username_pw_set(m_mosq, nullptr, nullptr);
}

void MqttTestClient::setWill(const QString &topic, const QByteArray &payload, int qos, bool retain)
{
    mosquitto_will_set(m_mosq, topic.toUtf8().constData(), int(payload.size()), payload.constData(), qos, retain);
}

template<typename Done>
bool MqttTestClient::loopUntil(Done done, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        const int rc = mosquitto_loop(m_mosq, 20, 1);
        if (rc != MOSQ_ERR_SUCCESS) {
            // The broker closed the socket (refused CONNECT, kick, expiry)
            // or there never was one; nothing more will arrive.
            m_connected = false;
            m_dropped = true;
            return done();
        }
    }
    return true;
}

int MqttTestClient::connect(const QString &host, quint16 port, const QString &caFile, int timeoutMs)
{
    m_connackSeen = false;
    m_dropped = false;
    m_connack = kNoAnswer;
    if (mosquitto_tls_set(m_mosq, caFile.toUtf8().constData(), nullptr, nullptr, nullptr, nullptr) != MOSQ_ERR_SUCCESS)
        return kNoAnswer;
    if (mosquitto_connect(m_mosq, host.toUtf8().constData(), port, 30) != MOSQ_ERR_SUCCESS)
        return kNoAnswer;
    loopUntil([this] { return m_connackSeen || m_dropped; }, timeoutMs);
    return m_connack;
}

bool MqttTestClient::waitForDisconnect(int timeoutMs)
{
    return loopUntil([this] { return !m_connected; }, timeoutMs);
}

void MqttTestClient::disconnect()
{
    mosquitto_disconnect(m_mosq);
    loopUntil([this] { return !m_connected; }, 1000);
    m_connected = false;
}

void MqttTestClient::dropConnection()
{
    const int fd = mosquitto_socket(m_mosq);
    if (fd >= 0)
        ::shutdown(fd, SHUT_RDWR);
    loopUntil([this] { return !m_connected; }, 1000);
    m_connected = false;
}

int MqttTestClient::publish(const QString &topic, const QByteArray &payload, int qos, bool retain)
{
    int mid = 0;
    m_lastAckCode = kNoAnswer;
    if (mosquitto_publish(m_mosq, &mid, topic.toUtf8().constData(), int(payload.size()), payload.constData(), qos,
                          retain) != MOSQ_ERR_SUCCESS) {
        return kNoAnswer;
    }
    if (qos == 0) {
        pump(50);
        return 0;
    }
    loopUntil([this, mid] { return m_lastAckMid == mid || !m_connected; }, 5000);
    return m_lastAckMid == mid ? m_lastAckCode : kNoAnswer;
}

int MqttTestClient::subscribe(const QString &filter, int qos)
{
    int mid = 0;
    m_lastSubCode = kNoAnswer;
    if (mosquitto_subscribe(m_mosq, &mid, filter.toUtf8().constData(), qos) != MOSQ_ERR_SUCCESS)
        return kNoAnswer;
    loopUntil([this, mid] { return m_lastSubMid == mid || !m_connected; }, 5000);
    return m_lastSubMid == mid ? m_lastSubCode : kNoAnswer;
}

bool MqttTestClient::waitForMessages(int count, int timeoutMs)
{
    return loopUntil([this, count] { return m_messages.size() >= count; }, timeoutMs);
}

void MqttTestClient::pump(int ms)
{
    loopUntil([] { return false; }, ms);
}

QList<MqttTestClient::Message> MqttTestClient::takeMessages()
{
    QList<Message> out;
    out.swap(m_messages);
    return out;
}

void MqttTestClient::onConnect(mosquitto *, void *self, int rc, int, const mosquitto_property *)
{
    auto *c = static_cast<MqttTestClient *>(self);
    c->m_connackSeen = true;
    c->m_connack = rc;
    c->m_connected = rc == 0;
}

void MqttTestClient::onDisconnect(mosquitto *, void *self, int rc, const mosquitto_property *)
{
    auto *c = static_cast<MqttTestClient *>(self);
    c->m_connected = false;
    c->m_dropped = true;
    c->m_disconnectReason = rc;
}

void MqttTestClient::onPublish(mosquitto *, void *self, int mid, int reason, const mosquitto_property *)
{
    auto *c = static_cast<MqttTestClient *>(self);
    c->m_lastAckMid = mid;
    c->m_lastAckCode = reason;
}

void MqttTestClient::onSubscribe(mosquitto *, void *self, int mid, int count, const int *granted,
                                 const mosquitto_property *)
{
    auto *c = static_cast<MqttTestClient *>(self);
    c->m_lastSubMid = mid;
    c->m_lastSubCode = count > 0 ? granted[0] : kNoAnswer;
}

void MqttTestClient::onMessage(mosquitto *, void *self, const mosquitto_message *message, const mosquitto_property *)
{
    auto *c = static_cast<MqttTestClient *>(self);
    c->m_messages.append({QString::fromUtf8(message->topic),
                          QByteArray(static_cast<const char *>(message->payload), message->payloadlen)});
}

} // namespace Provisio::Test

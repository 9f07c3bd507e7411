// SPDX-License-Identifier: Apache-2.0
#include "hubconnection.h"

#include "crypto/keyfingerprint.h"
#include "crypto/keys.h"
#include "crypto/sastoken.h"
#include "domain/hubservice.h"
#include "mqtt/mqttsession.h"

#include <QJsonDocument>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcHubConnection, "provisio.middleware.hublink")

namespace Provisio {

namespace {
const QString kControlTopic = QStringLiteral("$CONTROL/provisio-hub/v1");
const QString kControlResponseTopic = QStringLiteral("$CONTROL/provisio-hub/v1/response");
const QString kRotateKeys = QStringLiteral("rotate-keys");

// "host:port" / "[v6]:port" -> host, port.
QPair<QString, quint16> splitEndpoint(const QString &endpoint)
{
    const qsizetype colon = endpoint.lastIndexOf(QLatin1Char(':'));
    QString host = colon > 0 ? endpoint.left(colon) : endpoint;
    const quint16 port = colon > 0 ? endpoint.mid(colon + 1).toUShort() : 8883;
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    return {host, port ? port : quint16(8883)};
}
} // namespace

HubConnection::HubConnection(const Hub &hub, const QByteArray &caCertificatePem, Options options, QObject *parent)
    : QObject(parent), m_hub(hub), m_caPem(caCertificatePem), m_options(options),
      m_clientId(options.clientId.isEmpty()
                     ? QStringLiteral("provisio-mw-") + QString::fromLatin1(Crypto::randomBytes(6).toHex())
                     : options.clientId),
      m_since(QDateTime::currentDateTimeUtc())
{
    useKey(false);
    m_renewTimer.setSingleShot(true);
    connect(&m_renewTimer, &QTimer::timeout, this, &HubConnection::renew);
    m_refusedTimer.setSingleShot(true);
    connect(&m_refusedTimer, &QTimer::timeout, this, [this] {
        if (m_client && m_client->state() == MqttSession::Disconnected) {
            m_client->setPassword(freshToken());
            m_client->connectToHost();
        }
    });
}

HubConnection::~HubConnection()
{
    // The callbacks belong to an owner that is going away as well.
    m_pending.clear();
}

void HubConnection::start()
{
    if (m_client)
        return;
    m_client = createClient();
    m_client->connectToHost();
    m_renewTimer.start(int(qMin<qint64>(m_options.tokenLifetimeSeconds * 750, std::numeric_limits<int>::max())));
}

bool HubConnection::isConnected() const
{
    return m_connected;
}

QString HubConnection::freshToken()
{
    // Never logged: it is the hub's service credential.
    return SasToken::create(m_hub.host, m_serviceKey,
                            QDateTime::currentSecsSinceEpoch() + m_options.tokenLifetimeSeconds,
                            hubServicePolicyName());
}

MqttSession *HubConnection::createClient()
{
    MqttSession::Options o;
    const auto [host, port] = splitEndpoint(m_hub.dialEndpoint());
    o.host = host;
    o.port = port;
    o.peerVerifyName = m_hub.host;
    o.caCertificatesPem = m_caPem;
    o.connect.clientId = m_clientId;
    o.connect.username = hubServiceUsername(m_hub.host);
    o.connect.password = freshToken();
    // A persistent session (see the class comment): MQTT 3.1.1, clean
    // session off, QoS 1 subscriptions.
    o.connect.cleanSession = false;
    o.connect.keepAliveSeconds = quint16(qBound(0, m_options.keepAliveSeconds, 65535));
    // Seen after a broker restart: the TCP connection is accepted but the
    // CONNACK never comes; the attempt is abandoned and retried with backoff.
    o.connectTimeoutMs = m_options.connectTimeoutMs;
    o.minReconnectDelayMs = m_options.minReconnectDelayMs;
    o.maxReconnectDelayMs = m_options.maxReconnectDelayMs;
    o.maxPacketSize = m_options.maxPacketBytes;
    auto *c = new MqttSession(std::move(o), this);
    for (auto it = m_filters.cbegin(); it != m_filters.cend(); ++it)
        c->subscribe(it.key(), it.value()); // sent at every connect

    connect(c, &MqttSession::connected, this, [this, c] {
        if (m_ending) {
            c->disconnectFromHost();
            qCInfo(lcHubConnection).noquote() << "hub" << m_hub.name << "session" << m_clientId << "ended";
            Q_EMIT sessionEnded();
            return;
        }
        // MqttSession sends every SUBSCRIBE again at each connect, also
        // when the hub reports the session present: Mosquitto 2.0.11 can
        // hand back a session restored from its persistence file whose
        // shared subscriptions no longer deliver (seen after a broker
        // restart: the devices' messages vanished); a SUBSCRIBE of what the
        // session holds changes nothing else.
        if (m_renewing) {
            m_renewing = false;
            qCInfo(lcHubConnection).noquote() << "hub" << m_hub.name << "service token renewed";
        }
        m_lastError.clear();
        m_refusedTimer.stop();
        m_refusedInARow = 0;
        setConnected(true);
        if (m_onPreviousKey)
            handOverKeys();
    });
    connect(c, &MqttSession::stateChanged, this, [this](MqttSession::State state) {
        // A renewal passes through Disconnected and Connecting on its way
        // back; only its failure counts as a disconnection.
        if (state != MqttSession::Connected && !m_renewing)
            setConnected(false);
    });
    connect(c, &MqttSession::messageReceived, this, [this](const MqttCodec::Publish &message, quint64 tag) {
        if (!m_keyRequestId.isEmpty() && message.topic == kControlResponseTopic) {
            const QJsonObject answer = QJsonDocument::fromJson(message.payload).object();
            if (answer.value(QStringLiteral("requestId")).toString() == m_keyRequestId)
                keysAnswered(answer);
        }
        Q_EMIT messageReceived(message, tag);
    });
    connect(c, &MqttSession::subscriptionsAnswered, this, &HubConnection::subscriptionsAnswered);
    connect(c, &MqttSession::messagePublished, this, [this, c](int messageId, bool acknowledged) {
        const auto done = m_pending.take({c, messageId});
        if (done)
            done(acknowledged);
    });
    connect(c, &MqttSession::errorOccurred, this, [this](const QString &message) {
        m_lastError = message;
        renewalFailed();
    });
    connect(c, &MqttSession::connectionRefused, this, [this](int reasonCode, const QString &reason) {
        const QString message = QStringLiteral("the hub refused the service login (reason %1%2)")
                                    .arg(reasonCode)
                                    .arg(reason.isEmpty() ? QString() : QStringLiteral(": ") + reason);
        qCWarning(lcHubConnection).noquote() << "hub" << m_hub.name << message;
        m_lastError = message;
        renewalFailed();
        if (!m_hub.previousSigningKey.isEmpty() && ++m_refusedInARow < 3) {
            // During a rotation: perhaps the hub has not heard of it yet
            // (then it still knows the replaced key as its own), or it has
            // and retired the replaced key. Once more with the other key.
            useKey(!m_onPreviousKey);
            m_refusedTimer.start(m_options.minReconnectDelayMs);
            return;
        }
        useKey(!m_hub.previousSigningKey.isEmpty() && !m_onPreviousKey);
        // Retrying at once cannot help; a fresh token after a pause might
        // (the hub may be restarted with a new key meanwhile).
        m_refusedTimer.start(m_options.refusedRetryMs);
    });
    connect(c, &QObject::destroyed, this, [this, c] { failPending(c); });
    return c;
}

void HubConnection::useKey(bool previous)
{
    m_onPreviousKey = previous;
    const QString &signingKey = previous ? m_hub.previousSigningKey : m_hub.signingKey;
    if (auto key = hubServicePolicyKey(signingKey)) {
        m_serviceKey = *key;
    } else {
        m_serviceKey.clear();
        m_lastError = QStringLiteral("the hub has no valid signing key");
    }
}

void HubConnection::updateKeys(const Hub &hub)
{
    const QString inUse = m_onPreviousKey ? m_hub.previousSigningKey : m_hub.signingKey;
    m_hub = hub;
    m_keyRequestId.clear();
    if (inUse == hub.signingKey) {
        useKey(false);
        return;
    }
    if (inUse == hub.previousSigningKey && isConnected()) {
        // Logged in with what is now the replaced key: tell the hub, then move.
        useKey(true);
        handOverKeys();
        return;
    }
    // Not connected, or on a key older than the replaced one: the next
    // login uses the new key (and falls back once, see connectionRefused).
    useKey(false);
    if (m_client) {
        m_client->setPassword(freshToken());
        if (m_refusedTimer.isActive())
            m_refusedTimer.start(m_options.minReconnectDelayMs);
    }
}

void HubConnection::handOverKeys()
{
    const auto serviceKey = hubServicePolicyKey(m_hub.signingKey);
    if (!serviceKey || !m_client)
        return;
    m_keyRequestId = QStringLiteral("hk-") + QString::fromLatin1(Crypto::randomBytes(8).toHex());
    const qint64 until =
        m_hub.previousKeyAcceptedUntil.isValid() ? m_hub.previousKeyAcceptedUntil.toSecsSinceEpoch() : 0;
    // Holds keys: never logged. The hub answers on the response topic,
    // which this connection subscribes to (HubConnections::sync).
    const QJsonObject command{{QStringLiteral("op"), kRotateKeys},
                              {QStringLiteral("requestId"), m_keyRequestId},
                              {QStringLiteral("signingKey"), m_hub.signingKey},
                              {QStringLiteral("serviceKey"), *serviceKey},
                              {QStringLiteral("replacesKeyId"), Crypto::keyFingerprint(m_hub.previousSigningKey)},
                              {QStringLiteral("previousUntil"), qMax<qint64>(0, until)}};
    qCInfo(lcHubConnection).noquote() << "hub" << m_hub.name << "is being given its new signing key"
                                      << Crypto::keyFingerprint(m_hub.signingKey);
    if (m_client->publish(kControlTopic, QJsonDocument(command).toJson(QJsonDocument::Compact), 1, false) < 0)
        m_keyRequestId.clear(); // tried again at the next connect
}

void HubConnection::keysAnswered(const QJsonObject &answer)
{
    m_keyRequestId.clear();
    const int status = answer.value(QStringLiteral("status")).toInt();
    if (status != 200) {
        m_lastError = QStringLiteral("the hub refused its new signing key (%1: %2)")
                          .arg(status)
                          .arg(answer.value(QStringLiteral("error")).toString().left(200));
        qCWarning(lcHubConnection).noquote()
            << "hub" << m_hub.name << m_lastError << "- the link stays on the replaced key while the hub accepts it";
        return;
    }
    qCInfo(lcHubConnection).noquote() << "hub" << m_hub.name
                                      << "accepted its new signing key; the link moves over to it";
    useKey(false);
    // As a renewal: a successor on the new key, or the same client id.
    renewWithFreshToken();
}

void HubConnection::renew()
{
    m_renewTimer.start(int(qMin<qint64>(m_options.tokenLifetimeSeconds * 750, std::numeric_limits<int>::max())));
    renewWithFreshToken();
}

void HubConnection::renewWithFreshToken()
{
    if (!m_client)
        return;
    // The next attempt, whenever it comes, uses a fresh token (also this
    // connection's own, should it reconnect while a successor takes over).
    m_client->setPassword(freshToken());
    if (m_client->state() != MqttSession::Connected)
        return;
    if (m_options.handOverRenewals) {
        Q_EMIT renewalDue();
        return;
    }
    renewInPlace();
}

void HubConnection::renewInPlace()
{
    if (!m_client || m_ending)
        return;
    m_client->setPassword(freshToken());
    if (m_client->state() != MqttSession::Connected)
        return;
    // The same client id again: the session and what the hub queues in it
    // meanwhile carry over, and so do our unacknowledged QoS 1 messages
    // (same MqttSession, sent again after the CONNACK). Deliveries not yet
    // acknowledged come again with DUP set; TelemetryIngest recognises them.
    // The hub holds devices back until the session has subscribed again
    // (docs/architecture.md "Back-pressure").
    m_renewing = true;
    m_client->disconnectFromHost();
    m_client->connectToHost();
}

int HubConnection::unansweredSubscriptions() const
{
    return m_client ? m_client->unansweredSubscriptions() : 0;
}

void HubConnection::continueFrom(const HubConnection &previous)
{
    if (previous.isConnected() && isConnected())
        m_since = previous.since();
}

void HubConnection::renewalFailed()
{
    if (!m_renewing)
        return;
    m_renewing = false;
    if (m_client && m_client->state() != MqttSession::Connected)
        setConnected(false);
}

void HubConnection::failPending(MqttSession *client)
{
    QList<std::function<void(bool)>> failed;
    for (auto it = m_pending.begin(); it != m_pending.end();) {
        if (it.key().first == client) {
            failed.append(it.value());
            it = m_pending.erase(it);
        } else {
            ++it;
        }
    }
    for (const auto &done : std::as_const(failed))
        done(false);
}

void HubConnection::setConnected(bool connected)
{
    if (connected == m_connected)
        return;
    m_connected = connected;
    m_since = QDateTime::currentDateTimeUtc();
    qCInfo(lcHubConnection).noquote() << "hub" << m_hub.name << (connected ? "connected" : "disconnected")
                                      << (connected || m_lastError.isEmpty() ? QString() : m_lastError);
    if (connected)
        Q_EMIT this->connected();
    else
        Q_EMIT disconnected();
}

bool HubConnection::publish(const QString &topic, const QByteArray &payload, int qos, bool retain,
                            std::function<void(bool)> done)
{
    if (!m_client)
        return false;
    const int id = m_client->publish(topic, payload, qos, retain);
    if (id < 0)
        return false;
    if (done)
        m_pending.insert({m_client, id}, std::move(done));
    return true;
}

void HubConnection::acknowledge(quint64 tag)
{
    if (m_client)
        m_client->acknowledge(tag);
}

int HubConnection::unacknowledgedCount() const
{
    return m_client ? m_client->unacknowledgedCount() : 0;
}

void HubConnection::unsubscribeOnHub(const QString &filter)
{
    m_filters.remove(filter);
    if (m_client)
        m_client->unsubscribe(filter);
}

void HubConnection::endSession()
{
    if (!m_client || m_ending)
        return;
    m_ending = true;
    m_renewTimer.stop();
    m_filters.clear();
    // A clean-session CONNECT discards the session on the hub (3.1.1
    // §3.1.2.4); the DISCONNECT right after it leaves nothing behind.
    m_client->disconnectFromHost();
    m_client->setCleanSession(true);
    m_client->setPassword(freshToken());
    m_client->connectToHost();
}

void HubConnection::subscribe(const QString &filter, int qos)
{
    m_filters.insert(filter, qos);
    if (m_client)
        m_client->subscribe(filter, qos);
}

void HubConnection::unsubscribe(const QString &filter)
{
    if (!m_filters.remove(filter))
        return;
    if (m_client)
        m_client->unsubscribe(filter);
}

} // namespace Provisio

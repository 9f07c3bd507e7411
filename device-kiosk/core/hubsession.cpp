// SPDX-License-Identifier: Apache-2.0
#include "hubsession.h"

#include "crypto/sastoken.h"
#include "mqtt/mqttclient.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>
#include <QLoggingCategory>
#include <QStringList>

namespace Provisio::Kiosk {

Q_LOGGING_CATEGORY(lcHubSession, "provisio.kiosk.hubsession")

namespace {

const auto kApiVersion = QStringLiteral("2021-04-12");
// Ids read from one confirmation (the middleware sends at most 200).
constexpr qsizetype kMaxStoredIds = 1000;
constexpr quint16 kDefaultPort = 8883;

// "host:port", "[v6]:port" or "host" (port 8883).
void splitEndpoint(const QString &endpoint, QString *host, quint16 *port)
{
    *host = endpoint;
    *port = kDefaultPort;
    if (endpoint.startsWith(QLatin1Char('['))) {
        const int close = endpoint.indexOf(QLatin1Char(']'));
        if (close > 0) {
            *host = endpoint.mid(1, close - 1);
            if (endpoint.mid(close + 1).startsWith(QLatin1Char(':'))) {
                bool ok = false;
                const uint p = endpoint.mid(close + 2).toUInt(&ok);
                if (ok && p > 0 && p <= 65535)
                    *port = quint16(p);
            }
        }
        return;
    }
    const int colon = endpoint.lastIndexOf(QLatin1Char(':'));
    if (colon > 0 && endpoint.indexOf(QLatin1Char(':')) == colon) {
        bool ok = false;
        const uint p = endpoint.mid(colon + 1).toUInt(&ok);
        if (ok && p > 0 && p <= 65535) {
            *host = endpoint.left(colon);
            *port = quint16(p);
        }
    }
}

bool isCredentialRefusal(int code)
{
    // MQTT 3.1.1: 4 bad user name or password, 5 not authorized.
    // MQTT 5: 0x86 bad user name or password, 0x87 not authorized, 0x8A banned,
    // 0x8C bad authentication method.
    return code == 4 || code == 5 || code == 0x86 || code == 0x87 || code == 0x8A || code == 0x8C;
}

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

} // namespace

HubSession::HubSession(const ConnectionInfo &info, QObject *parent)
    : QObject(parent), m_info(info), m_client(std::make_unique<MqttClient>())
{
    QString host;
    quint16 port = kDefaultPort;
    splitEndpoint(m_info.hubEndpoint.isEmpty() ? m_info.assignedHub : m_info.hubEndpoint, &host, &port);
    m_client->setHostname(host);
    m_client->setPort(port);
    m_client->setClientId(m_info.deviceId);
    m_client->setUsername(
        QStringLiteral("%1/%2/?api-version=%3").arg(m_info.assignedHub, m_info.deviceId, kApiVersion));
    m_client->setTlsEnabled(true);
    if (!m_info.caCertificate.isEmpty())
        m_client->setCaCertificates(m_info.caCertificate.toUtf8());
    m_client->setPeerVerifyName(m_info.assignedHub);
    m_client->setWill(topic(QStringLiteral("status")), "offline", 1, true);
    m_client->subscribe(topic(QStringLiteral("twin/desired")), 1);
    m_client->subscribe(topic(QStringLiteral("methods/#")), 1);
    m_client->subscribe(topic(QStringLiteral("messages/stored")), 1);

    connect(m_client.get(), &MqttClient::connected, this, &HubSession::handleConnected);
    connect(m_client.get(), &MqttClient::disconnected, this, &HubSession::handleDisconnected);
    connect(m_client.get(), &MqttClient::messageReceived, this,
            [this](const QByteArray &payload, const QString &t) { handleMessage(payload, t); });
    connect(m_client.get(), &MqttClient::connectionRefused, this,
            [this](int code, const QString &) { handleRefused(code); });
    connect(m_client.get(), &MqttClient::messagePublished, this, &HubSession::handlePublished);
    connect(m_client.get(), &MqttClient::errorOccurred, this, &HubSession::handleError);

    m_renewTimer.setSingleShot(true);
    connect(&m_renewTimer, &QTimer::timeout, this, &HubSession::renewToken);
}

HubSession::~HubSession()
{
    m_renewTimer.stop();
    // MqttClient's destructor stops its network thread.
}

QString HubSession::topic(const QString &suffix) const
{
    return QStringLiteral("devices/%1/%2").arg(m_info.deviceId, suffix);
}

void HubSession::applyCredentials()
{
    const qint64 expiry = QDateTime::currentSecsSinceEpoch() + m_tokenLifetime;
    m_client->setPassword(SasToken::create(m_info.assignedHub + QStringLiteral("/devices/") + m_info.deviceId,
                                           m_info.hubDeviceKey, expiry));
    ++m_tokenGeneration;
    // Renew at 80% of the lifetime, well before the hub would refuse it.
    m_renewTimer.start(int(qint64(m_tokenLifetime) * 800));
}

void HubSession::start()
{
    if (m_running)
        return;
    m_running = true;
    applyCredentials();
    m_client->connectToHost();
}

void HubSession::setReconnectDelays(int minimumMs, int maximumMs)
{
    m_client->setReconnectDelays(minimumMs, maximumMs);
}

void HubSession::stop()
{
    if (!m_running)
        return;
    m_running = false;
    m_renewTimer.stop();
    // Queued before the DISCONNECT, so it goes out first.
    if (m_connected)
        m_client->publish(topic(QStringLiteral("status")), "offline", 1, true);
    m_client->disconnectFromHost();
}

void HubSession::renewToken()
{
    if (!m_running)
        return;
    qCInfo(lcHubSession) << "renewing the hub token of" << m_info.deviceId;
    applyCredentials();
    // The broker checked the old token at CONNECT: reconnect with the new one.
    // MqttClient restarts once the current session has wound down.
    m_client->disconnectFromHost();
    m_client->connectToHost();
}

void HubSession::setConnected(bool connected)
{
    if (m_connected == connected)
        return;
    m_connected = connected;
    Q_EMIT connectedChanged(connected);
}

void HubSession::handleConnected()
{
    m_client->publish(topic(QStringLiteral("status")), "online", 1, true);
    if (!m_statusAcknowledged)
        m_statusMessageId =
            reportProperties(QJsonObject{{QStringLiteral("provisioningStatus"), QStringLiteral("provisioned")}});
    setConnected(true);
}

void HubSession::handleDisconnected()
{
    setConnected(false);
}

void HubSession::handlePublished(int messageId, int reasonCode)
{
    if (messageId == m_statusMessageId && !m_statusAcknowledged) {
        m_statusMessageId = -1;
        if (reasonCode < 0x80) {
            m_statusAcknowledged = true;
            Q_EMIT provisioningStatusReported();
        } else {
            qCWarning(lcHubSession) << "the hub refused the provisioning status report of" << m_info.deviceId << "code"
                                    << reasonCode;
        }
    }
    Q_EMIT published(messageId, reasonCode);
}

void HubSession::handleError(int code, const QString &message)
{
    if (!m_running || m_connected)
        return;
    switch (code) {
    case MqttClient::HostNotFound:
    case MqttClient::NetworkError:
    case MqttClient::ConnectionLost:
    case MqttClient::KeepAliveTimeout:
    case MqttClient::TlsError:
    case MqttClient::ProtocolError:
    case MqttClient::ConnectTimeout:
    case MqttClient::UnknownError:
        Q_EMIT connectFailed(message);
        break;
    default:
        break; // publish-side errors, not a failed connection
    }
}

int HubSession::publishTelemetry(const QString &t, const QByteArray &payload)
{
    if (!m_connected)
        return -1;
    return m_client->publish(t, payload, 1);
}

void HubSession::handleRefused(int reasonCode)
{
    if (!isCredentialRefusal(reasonCode))
        return;
    qCWarning(lcHubSession) << "the hub refused the credentials of" << m_info.deviceId << "code" << reasonCode;
    m_running = false;
    m_renewTimer.stop();
    m_client->disconnectFromHost();
    Q_EMIT authenticationRefused();
}

void HubSession::handleMessage(const QByteArray &payload, const QString &t)
{
    const QString prefix = topic(QString());
    if (!t.startsWith(prefix))
        return;
    const QString rest = t.mid(prefix.size());
    if (rest == QLatin1String("twin/desired")) {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(payload, &error);
        if (error.error != QJsonParseError::NoError || !doc.isObject()) {
            qCWarning(lcHubSession) << "ignoring a malformed desired document:" << error.errorString();
            return;
        }
        const QJsonObject desired = doc.object();
        const QJsonValue version = desired.value(QStringLiteral("$version"));
        const qint64 v = version.isDouble() ? qint64(version.toDouble()) : -1;
        if (v >= 0 && v == m_desiredVersion)
            return; // the retained document again, after a reconnect
        m_desired = desired;
        m_desiredVersion = v;
        Q_EMIT desiredPropertiesChanged(desired);
        if (v >= 0)
            reportProperties(QJsonObject{{QStringLiteral("desiredVersion"), v}});
        return;
    }
    if (rest == QLatin1String("messages/stored")) {
        const QJsonArray stored = QJsonDocument::fromJson(payload).object().value(QStringLiteral("stored")).toArray();
        QStringList ids;
        for (const QJsonValue &id : stored) {
            if (ids.size() >= kMaxStoredIds)
                break;
            if (id.isString() && !id.toString().isEmpty() && id.toString().size() <= 128)
                ids.append(id.toString());
        }
        if (!ids.isEmpty())
            Q_EMIT messagesStored(ids);
        return;
    }
    const QStringList parts = rest.split(QLatin1Char('/'));
    // methods/{name}/{rid}
    if (parts.size() == 3 && parts.at(0) == QLatin1String("methods") && parts.at(1) != QLatin1String("res") &&
        !parts.at(1).isEmpty() && !parts.at(2).isEmpty()) {
        Q_EMIT methodCalled(parts.at(1), parts.at(2), payload);
    }
}

int HubSession::reportProperties(const QJsonObject &patch)
{
    return m_client->publish(topic(QStringLiteral("twin/reported")), compact(patch), 1);
}

int HubSession::respondToMethod(const QString &rid, int status, const QByteArray &payload)
{
    if (rid.isEmpty() || rid.contains(QLatin1Char('/')) || rid.contains(QLatin1Char('+')) ||
        rid.contains(QLatin1Char('#')))
        return -1;
    return m_client->publish(topic(QStringLiteral("methods/res/%1/%2").arg(status).arg(rid)), payload, 1);
}

} // namespace Provisio::Kiosk

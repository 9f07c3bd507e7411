// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "connectioninfo.h"

#include <QByteArray>
#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <memory>

namespace Provisio {
class MqttClient;
}

namespace Provisio::Kiosk {

// The kiosk's session with its hub, built from the ConnectionInfo that
// provisioning handed out (DESIGN.md "Hub topics"):
// - MQTT over TLS to hubEndpoint, trusting only caCertificate and verifying
//   the certificate against assignedHub (the address dialled may differ);
// - client id = deviceId, username `{assignedHub}/{deviceId}/?api-version=…`,
//   password = a SAS token for `{assignedHub}/devices/{deviceId}` valid for
//   tokenLifetime() (1 h by default), renewed at 80% of it: a fresh token is
//   set and the session reconnects (connectedChanged(false) then (true));
// - presence: last will `devices/{id}/status` = "offline" retained, and
//   "online" retained after every connect;
// - desired properties (`devices/{id}/twin/desired`, retained document with
//   $version) are announced once per version and acknowledged by reporting
//   {"desiredVersion": $version};
// - direct methods (`devices/{id}/methods/{name}/{rid}`) are announced with
//   methodCalled(); answer them with respondToMethod();
// - after the first connect the provisioning status report
//   {"provisioningStatus":"provisioned"} is sent (again after a reconnect
//   until the hub acknowledged it), then provisioningStatusReported();
// - the back end's confirmations that it stored telemetry arrive on
//   `devices/{id}/messages/stored` ({"stored": [$.mid, ...]}) as
//   messagesStored();
// - telemetry goes out with publishTelemetry() at QoS 1; published() reports
//   each acknowledgement (for OutboxSender), connectFailed() each failed
//   connection attempt (for the owner's reprovision policy).
// A refusal of the credentials stops the session and emits
// authenticationRefused(), so the owner can provision the device again.
// The hub key is never logged.
class HubSession : public QObject
{
    Q_OBJECT
public:
    explicit HubSession(const ConnectionInfo &info, QObject *parent = nullptr);
    ~HubSession() override;

    // Seconds a SAS token is valid (10 s to 30 days; default 3600). Takes effect
    // at the next token, i.e. at start() or the next renewal.
    int tokenLifetime() const { return m_tokenLifetime; }
    void setTokenLifetime(int seconds) { m_tokenLifetime = qBound(10, seconds, 30 * 86400); }

    const ConnectionInfo &connectionInfo() const { return m_info; }
    // Starts connecting (and keeps reconnecting after network failures).
    void start();
    // Retries after minimumMs * 2^attempt, capped at maximumMs (see
    // MqttClient); takes effect at the next attempt.
    void setReconnectDelays(int minimumMs, int maximumMs);
    // Disconnects cleanly and stops renewing tokens. A clean DISCONNECT
    // suppresses the last will, so "offline" is published (retained) first.
    void stop();
    bool isConnected() const { return m_connected; }
    // The latest desired document received (with $version); empty before.
    QJsonObject desiredProperties() const { return m_desired; }
    // Number of tokens created so far (1 after start()).
    int tokenGeneration() const { return m_tokenGeneration; }

    // JSON merge patch to `devices/{id}/twin/reported`, QoS 1; kept and sent
    // when the session is not connected. The MQTT message id, or -1.
    int reportProperties(const QJsonObject &patch);
    // Answers the method call `rid` on `devices/{id}/methods/res/{status}/{rid}`
    // (QoS 1). `payload` is the JSON text of the answer (may be empty).
    int respondToMethod(const QString &rid, int status, const QByteArray &payload);
    // Publishes one telemetry message at QoS 1 on `topic` (built with
    // MqttTopic::telemetryTopic). Only while connected: the caller keeps
    // the message in its own persistent queue otherwise, so nothing piles up
    // in memory. The MQTT message id (see published()), or -1.
    int publishTelemetry(const QString &topic, const QByteArray &payload);
    bool isProvisioningStatusReported() const { return m_statusAcknowledged; }

Q_SIGNALS:
    void connectedChanged(bool connected);
    void desiredPropertiesChanged(const QJsonObject &desired);
    // `payload` is the JSON text the caller sent (may be empty).
    void methodCalled(const QString &name, const QString &rid, const QByteArray &payload);
    void authenticationRefused();
    // The hub acknowledged (reasonCode < 0x80) or refused a QoS 1 message
    // this session published: telemetry, reports and method answers.
    void published(int messageId, int reasonCode);
    // The back end stored the telemetry messages with these `$.mid`s
    // (devices/{id}/messages/stored; at most 1000 ids per confirmation).
    void messagesStored(const QStringList &messageIds);
    // The hub acknowledged the provisioning status report.
    void provisioningStatusReported();
    // A connection attempt failed (network, TLS, timeout); the session keeps
    // retrying. Credential refusals come as authenticationRefused() instead.
    void connectFailed(const QString &message);

private:
    QString topic(const QString &suffix) const;
    void applyCredentials();
    void renewToken();
    void handleConnected();
    void handleDisconnected();
    void handleMessage(const QByteArray &payload, const QString &topic);
    void handleRefused(int reasonCode);
    void setConnected(bool connected);
    void handlePublished(int messageId, int reasonCode);
    void handleError(int code, const QString &message);

    ConnectionInfo m_info;
    std::unique_ptr<MqttClient> m_client;
    QTimer m_renewTimer;
    int m_tokenLifetime = 3600;
    int m_tokenGeneration = 0;
    bool m_running = false;
    bool m_connected = false;
    bool m_statusAcknowledged = false;
    int m_statusMessageId = -1;
    QJsonObject m_desired;
    qint64 m_desiredVersion = -1;
};

} // namespace Provisio::Kiosk

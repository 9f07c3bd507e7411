// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "protocol/hub.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QMap>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

#include <functional>
#include <memory>

namespace Provisio {

class MqttClient;

// The middleware's MQTT connection to one linked hub, as the hub's service
// identity (hubconfig.h): TLS trusting the middleware's CA with the hub's
// name as the certificate name, MQTT 5, client id `provisio-mw-<random>` so
// several instances can be connected at once, password = a SAS token with
// skn=provisio-service over the hub host.
//
// The hub checks the password only at CONNECT (and disconnects a client
// whose token expires), so the token is renewed before it expires by making
// a second connection with a fresh token and dropping the first once the
// second is up ("make before break": no gap in the shared subscriptions).
// While the hub is unreachable the client retries with backoff, always with
// a fresh enough token. A CONNECT refused for good (bad credentials, e.g.
// the hub still runs with an old key) is retried slowly.
class HubConnection : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        qint64 tokenLifetimeSeconds = 3600; // renewed at 3/4 of it
        int keepAliveSeconds = 30;
        int minReconnectDelayMs = 500;
        // A hub is the middleware's own infrastructure and only a few
        // instances dial it: come back within seconds of it returning.
        int maxReconnectDelayMs = 5000;
        int refusedRetryMs = 30000;
        // A CONNECT with no CONNACK in this time is abandoned and retried
        // with backoff (MqttClient::setConnectTimeout()).
        int connectTimeoutMs = 10000;
    };

    HubConnection(const Hub &hub, const QByteArray &caCertificatePem, Options options, QObject *parent = nullptr);
    ~HubConnection() override;

    const Hub &hub() const { return m_hub; }
    QString clientId() const { return m_clientId; }

    void start();

    bool isConnected() const;
    // When the connection was last established or lost.
    QDateTime since() const { return m_since; }
    // The last connection problem (no secrets), empty after a good connect.
    QString lastError() const { return m_lastError; }

    // QoS 0/1 publish. `done` (optional) learns whether the hub acknowledged
    // it (QoS 1: PUBACK without an error reason); false also when the
    // connection carrying it is replaced first. Returns false when the
    // message could not even be queued.
    bool publish(const QString &topic, const QByteArray &payload, int qos, bool retain,
                 std::function<void(bool acknowledged)> done = {});
    // Subscriptions survive reconnects and token renewals.
    void subscribe(const QString &filter, int qos = 1);
    void unsubscribe(const QString &filter);

Q_SIGNALS:
    // Each (re)connect, once the subscriptions are sent again.
    void connected();
    void disconnected();
    void messageReceived(const QByteArray &payload, const QString &topic, bool retained);

private:
    MqttClient *createClient();
    QString freshToken();
    void renew();
    void adopt(MqttClient *client);
    void retire(MqttClient *client);
    void setConnected(bool connected);
    void failPending(MqttClient *client);

    Hub m_hub;
    QByteArray m_caPem;
    Options m_options;
    QString m_clientId;
    QString m_serviceKey;
    MqttClient *m_client = nullptr;          // the current connection
    QPointer<MqttClient> m_next;             // a renewal on its way up
    QMap<QString, int> m_filters;            // filter -> QoS
    bool m_connected = false;
    QDateTime m_since;
    QString m_lastError;
    QTimer m_renewTimer;
    QTimer m_refusedTimer;
    // (client, message id) -> completion
    QHash<QPair<MqttClient *, int>, std::function<void(bool)>> m_pending;
};

} // namespace Provisio

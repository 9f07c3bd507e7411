// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "mqtt/mqttcodec.h"
#include "protocol/hub.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QMap>
#include <QObject>
#include <QString>
#include <QTimer>

#include <functional>
#include <memory>

namespace Provisio {

class MqttSession;

// The middleware's MQTT connection to one linked hub, as the hub's service
// identity (hubconfig.h): TLS trusting the middleware's CA with the hub's
// name as the certificate name, password = a SAS token with
// skn=provisio-service over the hub host.
//
// Nothing a device sends may be lost while this connection is down (the
// middleware restarting or killed, a network outage, a token renewal): the
// hub has acknowledged it to the device already. So the connection keeps a
// persistent session on the hub: a client id that is stable per middleware
// instance (Options::clientId, `provisio-mw-<instance id>`; different
// instances need different ids so that they split the shared subscriptions
// instead of taking each other's session over), clean session off and QoS 1
// subscriptions, so the hub queues what arrives for this instance's share
// while it is away and delivers it when the same id comes back.
//
// A delivery is acknowledged to the hub only when its receiver says it is
// safe (acknowledge(), called by TelemetryIngest after the transaction
// holding the message committed). So the connection speaks MQTT through
// MqttSession, our own small 3.1.1 client: libmosquitto and Eclipse Paho C
// send the PUBACK before the application sees the message, and a crash in
// between would lose what the hub then forgets. The hub sends at most its
// `max_inflight_messages` unacknowledged deliveries per session and queues
// the rest, so a slow or absent database slows the flow instead of growing
// memory here. The link needs nothing of MQTT 5: it reads the property bag
// from the topic, and what it publishes is its own, allowed topics. How
// long the hub keeps an absent instance's session and how much it queues
// for it are the hub's settings (`persistent_client_expiration`,
// `max_queued_messages`).
//
// The hub checks the password only at CONNECT (and disconnects a client
// whose token expires), so the token is renewed before it expires. With
// Options::handOverRenewals (the linked hubs' connections, HubConnections)
// the renewal is make-before-break: the connection asks for a successor
// (renewalDue()), a second session under the instance's other client id
// that logs in with the fresh token and subscribes, and only then is this
// one drained and ended, so the hub never has a moment without the
// instance's subscriptions and never holds devices back for a renewal
// (docs/architecture.md "Renewals without a gap"). Without it (a drained
// dead instance's session, or when no successor could subscribe) the token
// is renewed by reconnecting the same client id: the session survives the
// short gap, and a renewal that reconnects at once is not reported as a
// disconnection. While the hub is unreachable the client retries with
// backoff, always with a fresh enough token. A CONNECT refused for good
// (bad credentials, e.g. the hub still runs with an old key) is retried
// slowly.
//
// A signing-key rotation (Hubs::rotateKey) must not cut the link: the hub
// learns its new keys from this connection, over the control channel
// (`rotate-keys`, hub/README.md), while it is still logged in with the
// replaced key; once the hub answers 200 the link moves over to the new one
// like a renewal (a successor logged in with the new key, or the same
// client id reconnecting). A connection that is not up when the rotation
// comes, or that starts during it, logs in with the new key, and when the
// hub refuses that (it has not heard of the rotation yet) once more with
// the replaced key, then hands the hub the new keys the same way.
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
        // with backoff.
        int connectTimeoutMs = 10000;
        // Largest packet accepted from the hub; the hub caps devices'
        // messages below it (hubconfig.cpp, max_packet_size).
        qsizetype maxPacketBytes = 1024 * 1024;
        // The MQTT client id, stable per middleware instance (see the class
        // comment); empty: a random one, so the session lasts only as long
        // as this object.
        QString clientId;
        // Renewals ask for a successor session (renewalDue()) instead of
        // reconnecting in place; see the class comment.
        bool handOverRenewals = false;
    };

    HubConnection(const Hub &hub, const QByteArray &caCertificatePem, Options options, QObject *parent = nullptr);
    ~HubConnection() override;

    const Hub &hub() const { return m_hub; }
    QString clientId() const { return m_clientId; }

    void start();
    // Renews by reconnecting this client id with a fresh token (and the
    // current key), as when no successor takes over.
    void renewInPlace();
    // A new token for the client; then a successor session (make-before-break)
    // or a renewal in place, when connected.
    void renewWithFreshToken();
    void setHandOverRenewals(bool on) { m_options.handOverRenewals = on; }
    // The filters this connection keeps subscribed (filter -> QoS).
    const QMap<QString, int> &subscriptions() const { return m_filters; }
    // SUBSCRIBEs and UNSUBSCRIBEs the hub has not answered yet.
    int unansweredSubscriptions() const;
    // A successor taking over from `previous`: the link has been up since
    // `previous` came up, not since this connection did.
    void continueFrom(const HubConnection &previous);
    // The hub's keys changed (rotation): see the class comment.
    void updateKeys(const Hub &hub);
    // Whether the link is logged in (or trying) with the replaced signing
    // key of a rotation the hub has not confirmed yet.
    bool onPreviousKey() const { return m_onPreviousKey; }

    bool isConnected() const;
    // When the connection was last established or lost.
    QDateTime since() const { return m_since; }
    // The last connection problem (no secrets), empty after a good connect.
    QString lastError() const { return m_lastError; }

    // QoS 0/1 publish. `done` (optional) learns whether the hub acknowledged
    // it (QoS 1: PUBACK); false also when the connection carrying it is
    // dropped first. Returns false when the message could not even be queued.
    bool publish(const QString &topic, const QByteArray &payload, int qos, bool retain,
                 std::function<void(bool acknowledged)> done = {});
    // Tells the hub a delivery is safe (stored): it may forget it. Tags of
    // an earlier connection are ignored (the hub delivers those again).
    void acknowledge(quint64 tag);
    // Deliveries of the current connection not acknowledged yet.
    int unacknowledgedCount() const;
    // UNSUBSCRIBE a filter the hub session holds (now, if connected), e.g.
    // a dead instance's shared subscriptions while a survivor drains it.
    void unsubscribeOnHub(const QString &filter);
    // Ends the session on the hub for good: reconnects with clean session
    // on and disconnects; sessionEnded() follows.
    void endSession();
    // Subscriptions survive reconnects and token renewals.
    void subscribe(const QString &filter, int qos = 1);
    void unsubscribe(const QString &filter);

Q_SIGNALS:
    // Each (re)connect, once the subscriptions are sent again.
    void connected();
    void disconnected();
    void sessionEnded();
    // With handOverRenewals: time to move to a successor session (fresh
    // token, or the new signing key the hub confirmed). Until one takes over
    // this connection stays up as it is.
    void renewalDue();
    // The hub answered every SUBSCRIBE and UNSUBSCRIBE sent since the
    // connection came up; `allGranted`: it refused none.
    void subscriptionsAnswered(bool allGranted);
    // A delivery; QoS 1 ones stay unacknowledged on the hub until
    // acknowledge(tag) (see the class comment).
    void messageReceived(const Provisio::MqttCodec::Publish &message, quint64 tag);

private:
    MqttSession *createClient();
    QString freshToken();
    void renew();
    void renewalFailed();
    void setConnected(bool connected);
    void failPending(MqttSession *client);
    void useKey(bool previous);
    void handOverKeys();
    void keysAnswered(const QJsonObject &answer);

    Hub m_hub;
    QByteArray m_caPem;
    Options m_options;
    QString m_clientId;
    QString m_serviceKey;
    bool m_onPreviousKey = false;    // m_serviceKey derives from m_hub.previousSigningKey
    QString m_keyRequestId;          // the rotate-keys command awaiting the hub's answer
    int m_refusedInARow = 0;         // logins refused since the last good one
    MqttSession *m_client = nullptr; // the connection
    bool m_renewing = false;         // reconnecting with a fresh token
    bool m_ending = false;           // endSession(): clean connect, then disconnect
    QMap<QString, int> m_filters;    // filter -> QoS
    bool m_connected = false;
    QDateTime m_since;
    QString m_lastError;
    QTimer m_renewTimer;
    QTimer m_refusedTimer;
    // (client, message id) -> completion
    QHash<QPair<MqttSession *, int>, std::function<void(bool)>> m_pending;
};

} // namespace Provisio

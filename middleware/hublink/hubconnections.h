// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "hubconnection.h"
#include "sessiondrain.h"

#include <QHash>
#include <QObject>
#include <QString>

#include <map>
#include <memory>
#include <vector>

namespace Provisio {

struct ServiceContext;

// One service connection (HubConnection) per linked hub, kept in step with
// the hub list: sync() adds, replaces (moved) and drops connections, and
// hands re-keyed hubs their new keys. Each subscribes to the devices'
// messages through `$share/provisio/...` and to the control answers; what
// arrives is passed on through messageReceived(). Keeps the
// provisio_hub_connected gauge.
//
// Renewals are make-before-break (docs/architecture.md "Renewals without a
// gap"): when a hub's connection is due for a fresh token or has to move
// to a new signing key, a successor logs in under the instance's other
// client id (partnerClientId) and subscribes the same filters; once the hub
// has answered every SUBSCRIBE the successor becomes the hub's connection
// and the previous one is drained and ended (SessionDrain). So some session
// of the instance holds the shared subscriptions at every moment, the hub
// never holds devices back for a renewal, and what the previous session
// still holds is stored before it goes. At start-up the other client id's
// session, which a previous run may have left holding messages, is drained
// the same way.
class HubConnections : public QObject
{
    Q_OBJECT
public:
    // `drainQuietMs`: how long a session being ended must have been quiet.
    HubConnections(ServiceContext &ctx, HubConnection::Options options, QObject *parent = nullptr,
                   int drainQuietMs = 1000);
    ~HubConnections() override;

    // The topic hubs answer revoke/restore commands on.
    static QString controlResponseTopic();

    // Reads the hub list again and brings the connections in line.
    void sync();
    void setClientId(const QString &clientId) { m_options.clientId = clientId; }
    const QString &clientId() const { return m_options.clientId; }

    // The connection to the hub with that host (any case); null when none.
    HubConnection *forHost(const QString &hubHost) const;
    // The connection to the hub with that host when it is up, else null.
    HubConnection *connectedTo(const QString &hubHost) const;
    // The connection to the hub named `hubName`; null when none.
    HubConnection *byName(const QString &hubName) const;
    // Every connection that is up.
    QList<HubConnection *> connected() const;
    // Every linked hub's connection.
    QList<HubConnection *> all() const;
    // A further connection to `hub` under another client id (a dead
    // instance's session, drained by SessionTakeover); not subscribed.
    std::unique_ptr<HubConnection> createFor(const Hub &hub, const QString &clientId) const;
    // The shared subscriptions every instance's session holds.
    static QStringList sharedFilters();
    // The other of an instance's two client ids (`provisio-mw-ID` and
    // `provisio-mw-ID~b`; instance ids cannot hold '~'): renewals alternate
    // between them.
    static QString partnerClientId(const QString &clientId);
    // Previous sessions still being drained.
    int drainingCount() const;

Q_SIGNALS:
    // Each (re)connect of a hub's connection.
    void hubConnected(Provisio::HubConnection *connection);
    // A delivery; acknowledge it through connection->acknowledge(tag).
    void messageReceived(Provisio::HubConnection *connection, const Provisio::MqttCodec::Publish &message, quint64 tag);

private:
    // A linked hub's connection, and the successor that is taking over.
    struct Link
    {
        std::unique_ptr<HubConnection> current;
        std::unique_ptr<HubConnection> successor;
        // A renewal waits for the drain of the session it would log in as.
        bool handOverWaiting = false;
    };
    // A started connection to `hub` under `clientId`, subscribed to
    // `filters`, wired to this object.
    std::unique_ptr<HubConnection> create(const Hub &hub, const QString &clientId, const QMap<QString, int> &filters);
    bool isCurrent(const HubConnection *connection) const;
    bool isSuccessor(const HubConnection *connection) const;
    void handOver(const QString &hubName);
    void successorAnswered(const QString &hubName, bool allGranted);
    void drain(std::unique_ptr<HubConnection> connection);
    bool isDraining(const QString &hubName, const QString &clientId) const;
    void drainEnded();
    void setConnectedGauge(const QString &hubName, bool connected);

    ServiceContext &m_ctx;
    HubConnection::Options m_options;
    int m_drainQuietMs;
    std::map<QString, Link> m_links;                     // by hub name
    std::vector<std::unique_ptr<SessionDrain>> m_drains; // sessions being ended
    QHash<QString, double> m_gauges;                     // hub name -> last value
};

} // namespace Provisio

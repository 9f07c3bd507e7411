// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "hubconnection.h"

#include <QHash>
#include <QObject>
#include <QString>

#include <map>
#include <memory>

namespace Provisio {

struct ServiceContext;

// One service connection (HubConnection) per linked hub, kept in step with
// the hub list: sync() adds, replaces (moved or re-keyed) and drops
// connections. Each subscribes to the devices' messages through
// `$share/provisio/...` and to the control answers; what arrives is passed
// on through messageReceived(). Keeps the provisio_hub_connected gauge.
class HubConnections : public QObject
{
    Q_OBJECT
public:
    HubConnections(ServiceContext &ctx, HubConnection::Options options, QObject *parent = nullptr);
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

Q_SIGNALS:
    // Each (re)connect of a hub's connection.
    void hubConnected(Provisio::HubConnection *connection);
    // A delivery; acknowledge it through connection->acknowledge(tag).
    void messageReceived(Provisio::HubConnection *connection, const Provisio::MqttCodec::Publish &message, quint64 tag);

private:
    void setConnectedGauge(const QString &hubName, bool connected);

    ServiceContext &m_ctx;
    HubConnection::Options m_options;
    std::map<QString, std::unique_ptr<HubConnection>> m_connections; // by hub name
    QHash<QString, double> m_gauges;                                 // hub name -> last value
};

} // namespace Provisio

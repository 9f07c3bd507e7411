// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "mqtt/mqttcodec.h"
#include "storage/hublinkstore.h"

#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <map>
#include <memory>
#include <vector>

namespace Provisio {

struct ServiceContext;
class HubConnection;
class HubConnections;
class SessionDrain;

// Failover of a dead instance (docs/architecture.md, "Failover of a dead
// instance"). Every instance keeps a lease in the database, renewed every
// third of its duration. When another instance's lease has run out, one
// survivor claims it and drains that instance's sessions on every linked
// hub, under both its client ids (HubConnections::partnerClientId: a
// renewal may have left it on either): SessionDrain connects with the
// dead instance's client id (clean session off), takes the session's
// shared subscriptions off so no new messages are routed to it, hands what
// the hub delivers (queued, and received but never acknowledged by the
// dead instance) to the hub link like its own deliveries (stored, then
// acknowledged), and once the session has been quiet for quietMs with
// nothing unacknowledged ends it (clean connect, disconnect); then the
// lease is released. If the dead instance comes back meanwhile, its
// renewal takes the lease back and the drain stops.
class SessionTakeover : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        int leaseMs = 30000;
        int quietMs = 3000;
    };

    SessionTakeover(ServiceContext &ctx, HubConnections &connections, Options options, QObject *parent = nullptr);
    ~SessionTakeover() override;

    // Starts renewing the lease of `ownClientId` and watching the others'.
    void start(const QString &ownClientId);
    // Client ids of the instances being drained now.
    QStringList draining() const;

Q_SIGNALS:
    // A delivery from a drained session; acknowledge through the connection.
    void messageReceived(Provisio::HubConnection *connection, const Provisio::MqttCodec::Publish &message, quint64 tag);

private:
    struct Drain
    {
        std::vector<std::unique_ptr<SessionDrain>> sessions;
    };

    void renewAndScan();
    void checkDrains();
    void beginDrain(const QString &clientId);

    ServiceContext &m_ctx;
    HubConnections &m_connections;
    Options m_options;
    HubLinkStore m_store;
    QString m_ownClientId;
    std::map<QString, Drain> m_drains; // by dead client id
    QTimer m_leaseTimer;
    QTimer m_drainTimer;
    bool m_leaseFailing = false;
};

} // namespace Provisio

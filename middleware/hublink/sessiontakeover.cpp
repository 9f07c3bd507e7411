// SPDX-License-Identifier: Apache-2.0
#include "sessiontakeover.h"

#include "hubconnection.h"
#include "hubconnections.h"
#include "hublinkutil.h"

#include "base/servicecontext.h"

#include <QDateTime>

namespace Provisio {

namespace {
qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}
} // namespace

SessionTakeover::SessionTakeover(ServiceContext &ctx, HubConnections &connections, Options options, QObject *parent)
    : QObject(parent), m_ctx(ctx), m_connections(connections), m_options(options), m_store(ctx.db)
{
    connect(&m_leaseTimer, &QTimer::timeout, this, &SessionTakeover::renewAndScan);
    connect(&m_drainTimer, &QTimer::timeout, this, &SessionTakeover::checkDrains);
}

SessionTakeover::~SessionTakeover() = default;

void SessionTakeover::start(const QString &ownClientId)
{
    m_ownClientId = ownClientId;
    m_leaseTimer.start(qMax(1000, m_options.leaseMs / 3));
    m_drainTimer.start(500);
    renewAndScan();
}

QStringList SessionTakeover::draining() const
{
    QStringList out;
    for (const auto &entry : m_drains)
        out << entry.first;
    return out;
}

void SessionTakeover::renewAndScan()
{
    const qint64 now = nowMs();
    if (auto renewed = m_store.renewLease(m_ownClientId, now + m_options.leaseMs); !renewed) {
        if (!m_leaseFailing)
            qCWarning(lcHubConnection).noquote() << "hub-link lease not renewed:" << renewed.error().message;
        m_leaseFailing = true;
        return;
    }
    m_leaseFailing = false;
    // Our claims: kept while we hold them; one taken back (the instance
    // returned) ends its drain without ending the session.
    for (auto it = m_drains.begin(); it != m_drains.end();) {
        auto held = m_store.extendClaim(it->first, m_ownClientId, now + m_options.leaseMs);
        if (held && !*held) {
            qCInfo(lcHubConnection).noquote() << "instance" << it->first << "is back; its sessions are its own again";
            it = m_drains.erase(it);
        } else {
            ++it;
        }
    }
    auto expired = m_store.expiredLeases(m_ownClientId, now);
    if (!expired)
        return;
    for (const QString &clientId : std::as_const(*expired)) {
        if (m_drains.count(clientId))
            continue;
        auto claimed = m_store.claimLease(clientId, m_ownClientId, now, now + m_options.leaseMs);
        if (claimed && *claimed)
            beginDrain(clientId);
    }
}

void SessionTakeover::beginDrain(const QString &clientId)
{
    qCWarning(lcHubConnection).noquote() << "instance" << clientId
                                         << "stopped renewing its hub-link lease; draining its hub sessions";
    Drain &drain = m_drains[clientId];
    for (HubConnection *own : m_connections.all()) {
        auto session = std::make_unique<Session>();
        session->connection = m_connections.createFor(own->hub(), clientId);
        Session *s = session.get();
        HubConnection *c = s->connection.get();
        connect(c, &HubConnection::connected, this, [this, s, c] {
            s->lastActivityMs = nowMs();
            if (s->ending)
                return;
            // No new messages for a session that is going away; what it
            // queued already is still delivered.
            for (const QString &filter : HubConnections::sharedFilters())
                c->unsubscribeOnHub(filter);
        });
        connect(c, &HubConnection::messageReceived, this, [this, s, c](const MqttCodec::Publish &m, quint64 tag) {
            s->lastActivityMs = nowMs();
            Q_EMIT messageReceived(c, m, tag);
        });
        connect(c, &HubConnection::sessionEnded, this, [s] { s->ended = true; });
        c->start();
        drain.sessions.push_back(std::move(session));
    }
}

void SessionTakeover::checkDrains()
{
    const qint64 now = nowMs();
    for (auto it = m_drains.begin(); it != m_drains.end();) {
        bool allEnded = true;
        for (const auto &s : it->second.sessions) {
            if (s->ended)
                continue;
            allEnded = false;
            HubConnection *c = s->connection.get();
            if (!s->ending && c->isConnected() && c->unacknowledgedCount() == 0 &&
                now - s->lastActivityMs >= m_options.quietMs) {
                s->ending = true;
                c->endSession();
            }
        }
        if (!allEnded) {
            ++it;
            continue;
        }
        if (auto released = m_store.releaseLease(it->first, m_ownClientId); !released) {
            qCWarning(lcHubConnection).noquote()
                << "lease of" << it->first << "not released:" << released.error().message;
            ++it;
            continue;
        }
        qCInfo(lcHubConnection).noquote() << "instance" << it->first << "drained and retired";
        it = m_drains.erase(it);
    }
}

} // namespace Provisio

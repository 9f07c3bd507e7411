// SPDX-License-Identifier: Apache-2.0
#include "sessiontakeover.h"

#include "hubconnection.h"
#include "hubconnections.h"
#include "hublinkutil.h"
#include "sessiondrain.h"

#include "base/servicecontext.h"

#include <QDateTime>

#include <algorithm>

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
        for (const QString &id : {clientId, HubConnections::partnerClientId(clientId)}) {
            auto session = std::make_unique<SessionDrain>(m_connections.createFor(own->hub(), id), m_options.quietMs);
            connect(session.get(), &SessionDrain::messageReceived, this, &SessionTakeover::messageReceived);
            drain.sessions.push_back(std::move(session));
        }
    }
}

void SessionTakeover::checkDrains()
{
    for (auto it = m_drains.begin(); it != m_drains.end();) {
        const bool allEnded = std::all_of(it->second.sessions.cbegin(), it->second.sessions.cend(),
                                          [](const auto &s) { return s->isEnded(); });
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

// SPDX-License-Identifier: Apache-2.0
#include "sessiondrain.h"

#include "hubconnection.h"
#include "hubconnections.h"

#include <QDateTime>

namespace Provisio {

namespace {
qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}
} // namespace

SessionDrain::SessionDrain(std::unique_ptr<HubConnection> connection, int quietMs, QObject *parent)
    : QObject(parent), m_connection(std::move(connection)), m_quietMs(quietMs), m_lastActivityMs(nowMs())
{
    HubConnection *c = m_connection.get();
    // A drained session renews in place: it has no successor.
    c->setHandOverRenewals(false);
    connect(c, &HubConnection::connected, this, [this] {
        m_lastActivityMs = nowMs();
        if (!m_ending)
            unsubscribeShared();
    });
    connect(c, &HubConnection::messageReceived, this, [this, c](const MqttCodec::Publish &message, quint64 tag) {
        m_lastActivityMs = nowMs();
        Q_EMIT messageReceived(c, message, tag);
    });
    connect(c, &HubConnection::sessionEnded, this, [this] {
        m_ended = true;
        m_timer.stop();
        Q_EMIT ended();
    });
    connect(&m_timer, &QTimer::timeout, this, &SessionDrain::check);
    m_timer.start(qBound(50, m_quietMs / 4, 500));
    if (c->isConnected())
        unsubscribeShared();
    c->start();
}

SessionDrain::~SessionDrain() = default;

void SessionDrain::unsubscribeShared()
{
    // No new messages for a session that is going away; what it queued
    // already is still delivered. Also for filters this object never
    // subscribed: a resumed session holds what its last owner subscribed.
    for (const QString &filter : HubConnections::sharedFilters())
        m_connection->unsubscribeOnHub(filter);
}

void SessionDrain::check()
{
    HubConnection *c = m_connection.get();
    if (m_ending || m_ended || !c->isConnected() || c->unacknowledgedCount() > 0 || c->unansweredSubscriptions() > 0)
        return;
    if (nowMs() - m_lastActivityMs < m_quietMs)
        return;
    m_ending = true;
    c->endSession();
}

} // namespace Provisio

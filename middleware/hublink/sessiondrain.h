// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "mqtt/mqttcodec.h"

#include <QObject>
#include <QTimer>

#include <memory>

namespace Provisio {

class HubConnection;

// Ends one hub session without losing what it holds: a session this
// instance is moving away from (the previous one after a make-before-break
// renewal, the other of its two client ids at start-up) or a dead
// instance's (SessionTakeover). It takes the session's shared subscriptions
// off at every (re)connect, so the hub routes nothing new to it; hands on
// what the hub still delivers from it (queued, or received and never
// acknowledged) like any delivery, to be stored and then acknowledged; and
// once the session has been quiet for `quietMs` with nothing unacknowledged
// and its UNSUBSCRIBEs answered, ends it on the hub (a clean connect, then
// disconnect: the hub forgets it and queues nothing more for it).
class SessionDrain : public QObject
{
    Q_OBJECT
public:
    // Starts `connection` unless it is started already.
    SessionDrain(std::unique_ptr<HubConnection> connection, int quietMs, QObject *parent = nullptr);
    ~SessionDrain() override;

    HubConnection *connection() const { return m_connection.get(); }
    bool isEnded() const { return m_ended; }

Q_SIGNALS:
    // A delivery from the drained session; acknowledge it through
    // connection->acknowledge(tag).
    void messageReceived(Provisio::HubConnection *connection, const Provisio::MqttCodec::Publish &message, quint64 tag);
    // The session is gone from the hub.
    void ended();

private:
    void unsubscribeShared();
    void check();

    std::unique_ptr<HubConnection> m_connection;
    int m_quietMs;
    qint64 m_lastActivityMs = 0;
    bool m_ending = false;
    bool m_ended = false;
    QTimer m_timer;
};

} // namespace Provisio

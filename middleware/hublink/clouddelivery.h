// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "domain/cloudmessages.h"
#include "domain/eventbus.h"

#include <QObject>
#include <QSet>
#include <QString>
#include <QTimer>

namespace Provisio {

struct ServiceContext;
class HubConnections;

// Cloud-to-device messages out to the hubs: each queued message is published
// on `devices/{id}/messages/devicebound/{property bag}` (QoS 1, IoT Hub's
// system properties $.mid, $.to, $.exp and $.ct/$.ce in the bag) when its
// hub is connected - at once when sent, after a hub reconnects, and on a
// periodic pass that also expires what outlived its time to live. The hub's
// acknowledgement marks it delivered: the hub then holds it in the device's
// session (see docs/azure-sdks.md).
class CloudDelivery : public QObject
{
    Q_OBJECT
public:
    CloudDelivery(ServiceContext &ctx, HubConnections &connections, int passMs, QObject *parent = nullptr);

    void start();
    void onEvent(const DomainEvent &event);
    // A hub (re)connected: what waits for it goes out.
    void catchUp(const QString &hubHost);

    static QString topicFor(const CloudMessageStore::Message &message);

private:
    void flush(const QString &hubHost);
    void pass();

    ServiceContext &m_ctx;
    HubConnections &m_connections;
    CloudMessages m_messages;
    QSet<QString> m_inFlight; // message ids published, not yet acknowledged
    QTimer m_timer;
    int m_passMs;
};

} // namespace Provisio

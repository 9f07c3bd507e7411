// SPDX-License-Identifier: Apache-2.0
#include "clouddelivery.h"

#include "hubconnections.h"
#include "hublinkutil.h"

#include "base/metrics.h"
#include "base/servicecontext.h"
#include "protocol/timeutil.h"

namespace Provisio {

namespace {
constexpr int kFlushPage = 100;
}

CloudDelivery::CloudDelivery(ServiceContext &ctx, HubConnections &connections, int passMs, QObject *parent)
    : QObject(parent), m_ctx(ctx), m_connections(connections), m_messages(ctx), m_passMs(passMs)
{
    m_ctx.metrics.describe(QStringLiteral("provisio_cloud_messages_total"), QStringLiteral("counter"),
                           QStringLiteral("Cloud-to-device messages by outcome (delivered to a hub, expired)"));
    connect(&m_timer, &QTimer::timeout, this, &CloudDelivery::pass);
}

void CloudDelivery::start()
{
    m_timer.start(m_passMs);
}

void CloudDelivery::onEvent(const DomainEvent &event)
{
    if (event.kind == EventKind::CloudMessageQueued && !event.hub.isEmpty())
        flush(event.hub.toLower());
}

void CloudDelivery::catchUp(const QString &hubHost)
{
    flush(hubHost.toLower());
}

QString CloudDelivery::topicFor(const CloudMessageStore::Message &m)
{
    MqttTopic::PropertyBag bag{
        {QStringLiteral("$.mid"), m.messageId},
        {QStringLiteral("$.to"), QStringLiteral("/devices/%1/messages/deviceBound").arg(m.deviceId)},
        {QStringLiteral("$.exp"), toIsoUtc(m.expires)}};
    if (!m.contentType.isEmpty()) {
        bag.append({QStringLiteral("$.ct"), m.contentType});
        bag.append({QStringLiteral("$.ce"), QStringLiteral("utf-8")});
    }
    bag.append(m.properties);
    return QStringLiteral("devices/%1/messages/devicebound/").arg(m.deviceId) + MqttTopic::encodePropertyBag(bag);
}

void CloudDelivery::flush(const QString &hubHost)
{
    HubConnection *connection = m_connections.connectedTo(hubHost);
    if (!connection)
        return; // it waits until the hub is back (or expires)
    auto queued = m_messages.store().queuedForHub(hubHost, QDateTime::currentDateTimeUtc(), kFlushPage);
    if (!queued) {
        qCWarning(lcHubConnection).noquote()
            << "cannot read cloud-to-device messages for" << hubHost << queued.error().message;
        return;
    }
    for (const CloudMessageStore::Message &m : std::as_const(*queued)) {
        if (m_inFlight.contains(m.messageId))
            continue;
        m_inFlight.insert(m.messageId);
        const bool sent = connection->publish(topicFor(m), m.body, 1, false, [this, m](bool acknowledged) {
            m_inFlight.remove(m.messageId);
            if (!acknowledged)
                return; // the next pass tries again
            if (auto r = m_messages.markDelivered(m); !r)
                qCWarning(lcHubConnection).noquote()
                    << "cannot record the delivery of cloud-to-device message" << m.messageId << r.error().message;
            m_ctx.metrics.increment(QStringLiteral("provisio_cloud_messages_total"),
                                    QStringLiteral("outcome=\"delivered\""));
        });
        if (!sent)
            m_inFlight.remove(m.messageId);
    }
}

void CloudDelivery::pass()
{
    auto expired = m_messages.expireDue();
    if (!expired)
        qCWarning(lcHubConnection).noquote() << "cannot expire cloud-to-device messages:" << expired.error().message;
    else if (*expired > 0)
        m_ctx.metrics.increment(QStringLiteral("provisio_cloud_messages_total"), QStringLiteral("outcome=\"expired\""),
                                *expired);
    for (HubConnection *connection : m_connections.connected())
        flush(connection->hub().host.toLower());
}

} // namespace Provisio

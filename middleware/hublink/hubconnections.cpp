// SPDX-License-Identifier: Apache-2.0
#include "hubconnections.h"

#include "hublinkutil.h"

#include "base/metrics.h"
#include "base/servicecontext.h"
#include "storage/hubstore.h"

#include <QSet>

namespace Provisio {

namespace {
const QString kConnectedGauge = QStringLiteral("provisio_hub_connected");

QString escapeLabel(QString s)
{
    s.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    s.replace(QLatin1Char('"'), QLatin1String("\\\""));
    return s;
}
} // namespace

HubConnections::HubConnections(ServiceContext &ctx, HubConnection::Options options, QObject *parent)
    : QObject(parent), m_ctx(ctx), m_options(std::move(options))
{
    m_ctx.metrics.describe(kConnectedGauge, QStringLiteral("gauge"),
                           QStringLiteral("1 while the middleware's service connection to the hub is up"));
}

HubConnections::~HubConnections() = default;

QString HubConnections::controlResponseTopic()
{
    return QStringLiteral("$CONTROL/provisio-hub/v1/response");
}

void HubConnections::sync()
{
    m_ctx.hubs.invalidate();
    auto hubs = m_ctx.hubs.all();
    if (!hubs) {
        qCWarning(lcHubConnection).noquote() << "cannot read the linked hubs:" << hubs.error().message;
        return;
    }
    QSet<QString> seen;
    for (const Hub &hub : std::as_const(*hubs)) {
        seen.insert(hub.name);
        const auto it = m_connections.find(hub.name);
        if (it != m_connections.end()) {
            const Hub &current = it->second->hub();
            if (current.host == hub.host && current.dialEndpoint() == hub.dialEndpoint()) {
                // Re-keyed: the same connection hands the hub its new keys
                // and moves over without a gap (HubConnection::updateKeys).
                if (current.signingKey != hub.signingKey || current.previousSigningKey != hub.previousSigningKey ||
                    current.previousKeyAcceptedUntil != hub.previousKeyAcceptedUntil)
                    it->second->updateKeys(hub);
                continue;
            }
            // Moved: a new connection with the new settings.
            m_connections.erase(it);
        }
        auto connection = std::make_unique<HubConnection>(hub, m_ctx.caCertificatePem, m_options);
        HubConnection *raw = connection.get();
        for (const QString &filter : sharedFilters())
            raw->subscribe(filter, 1);
        // Every instance hears every control answer: whichever reads it
        // first records it (the answer names its request).
        raw->subscribe(controlResponseTopic(), 1);
        connect(raw, &HubConnection::connected, this, [this, raw] {
            setConnectedGauge(raw->hub().name, true);
            Q_EMIT hubConnected(raw);
        });
        connect(raw, &HubConnection::disconnected, this, [this, raw] { setConnectedGauge(raw->hub().name, false); });
        connect(
            raw, &HubConnection::messageReceived, this,
            [this, raw](const MqttCodec::Publish &message, quint64 tag) { Q_EMIT messageReceived(raw, message, tag); });
        m_connections[hub.name] = std::move(connection);
        setConnectedGauge(hub.name, false);
        raw->start();
    }
    for (auto it = m_connections.begin(); it != m_connections.end();) {
        if (!seen.contains(it->first)) {
            setConnectedGauge(it->first, false);
            it = m_connections.erase(it);
        } else {
            ++it;
        }
    }
}

HubConnection *HubConnections::forHost(const QString &hubHost) const
{
    for (const auto &entry : m_connections) {
        if (entry.second->hub().host.compare(hubHost, Qt::CaseInsensitive) == 0)
            return entry.second.get();
    }
    return nullptr;
}

HubConnection *HubConnections::connectedTo(const QString &hubHost) const
{
    HubConnection *connection = forHost(hubHost);
    return connection && connection->isConnected() ? connection : nullptr;
}

HubConnection *HubConnections::byName(const QString &hubName) const
{
    const auto it = m_connections.find(hubName);
    return it == m_connections.end() ? nullptr : it->second.get();
}

QList<HubConnection *> HubConnections::connected() const
{
    QList<HubConnection *> out;
    for (const auto &entry : m_connections) {
        if (entry.second->isConnected())
            out.append(entry.second.get());
    }
    return out;
}

void HubConnections::setConnectedGauge(const QString &hubName, bool connected)
{
    // Metrics has label-less gauges only; a counter entry moved by the
    // difference renders as the labelled gauge (its type is described).
    const double value = connected ? 1 : 0;
    const QString labels = QStringLiteral("hub=\"%1\"").arg(escapeLabel(hubName));
    const double previous = m_gauges.value(hubName, 0);
    m_ctx.metrics.increment(kConnectedGauge, labels, value - previous);
    m_gauges.insert(hubName, value);
}

QStringList HubConnections::sharedFilters()
{
    return {QStringLiteral("$share/provisio/devices/+/messages/events/#"),
            QStringLiteral("$share/provisio/devices/+/twin/reported"),
            QStringLiteral("$share/provisio/devices/+/status"),
            // Twin requests that want an answer (IoT Hub's $iothub/twin/… as the hub rewrites them).
            QStringLiteral("$share/provisio/devices/+/twin/get/+"),
            QStringLiteral("$share/provisio/devices/+/twin/reported/+")};
}

QList<HubConnection *> HubConnections::all() const
{
    QList<HubConnection *> out;
    for (const auto &entry : m_connections)
        out << entry.second.get();
    return out;
}

std::unique_ptr<HubConnection> HubConnections::createFor(const Hub &hub, const QString &clientId) const
{
    HubConnection::Options options = m_options;
    options.clientId = clientId;
    return std::make_unique<HubConnection>(hub, m_ctx.caCertificatePem, options);
}

} // namespace Provisio

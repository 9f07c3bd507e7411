// SPDX-License-Identifier: Apache-2.0
#include "hubconnections.h"

#include "hublinkutil.h"

#include "base/metrics.h"
#include "base/servicecontext.h"
#include "storage/hubstore.h"

#include <QSet>
#include <QTimer>

#include <algorithm>

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

HubConnections::HubConnections(ServiceContext &ctx, HubConnection::Options options, QObject *parent, int drainQuietMs)
    : QObject(parent), m_ctx(ctx), m_options(std::move(options)), m_drainQuietMs(drainQuietMs)
{
    m_ctx.metrics.describe(kConnectedGauge, QStringLiteral("gauge"),
                           QStringLiteral("1 while the middleware's service connection to the hub is up"));
}

HubConnections::~HubConnections() = default;

QString HubConnections::controlResponseTopic()
{
    return QStringLiteral("$CONTROL/provisio-hub/v1/response");
}

QString HubConnections::partnerClientId(const QString &clientId)
{
    const QLatin1StringView suffix("~b");
    return clientId.endsWith(suffix) ? clientId.chopped(suffix.size()) : clientId + suffix;
}

int HubConnections::drainingCount() const
{
    return int(std::count_if(m_drains.cbegin(), m_drains.cend(), [](const auto &d) { return !d->isEnded(); }));
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
        const auto it = m_links.find(hub.name);
        if (it != m_links.end()) {
            const Hub &current = it->second.current->hub();
            if (current.host == hub.host && current.dialEndpoint() == hub.dialEndpoint()) {
                // Re-keyed: the connection hands the hub its new keys and
                // moves over without a gap (HubConnection::updateKeys).
                if (current.signingKey != hub.signingKey || current.previousSigningKey != hub.previousSigningKey ||
                    current.previousKeyAcceptedUntil != hub.previousKeyAcceptedUntil) {
                    it->second.current->updateKeys(hub);
                    if (it->second.successor)
                        it->second.successor->updateKeys(hub);
                }
                continue;
            }
            // Moved: a new connection with the new settings.
            m_links.erase(it);
        }
        QMap<QString, int> filters;
        for (const QString &filter : sharedFilters())
            filters.insert(filter, 1);
        // Every instance hears every control answer: whichever reads it
        // first records it (the answer names its request).
        filters.insert(controlResponseTopic(), 1);
        Link &link = m_links[hub.name];
        link.current = create(hub, m_options.clientId, filters);
        setConnectedGauge(hub.name, false);
        // A previous run may have been on the other client id when it
        // stopped: that session holds what the hub queued for it since.
        if (!m_options.clientId.isEmpty()) {
            HubConnection::Options o = m_options;
            o.clientId = partnerClientId(m_options.clientId);
            drain(std::make_unique<HubConnection>(hub, m_ctx.caCertificatePem, o));
        }
    }
    for (auto it = m_links.begin(); it != m_links.end();) {
        if (!seen.contains(it->first)) {
            setConnectedGauge(it->first, false);
            it = m_links.erase(it);
        } else {
            ++it;
        }
    }
}

std::unique_ptr<HubConnection> HubConnections::create(const Hub &hub, const QString &clientId,
                                                      const QMap<QString, int> &filters)
{
    HubConnection::Options o = m_options;
    o.clientId = clientId;
    o.handOverRenewals = true;
    auto connection = std::make_unique<HubConnection>(hub, m_ctx.caCertificatePem, o);
    HubConnection *raw = connection.get();
    for (auto it = filters.cbegin(); it != filters.cend(); ++it)
        raw->subscribe(it.key(), it.value());
    connect(raw, &HubConnection::connected, this, [this, raw] {
        if (!isCurrent(raw))
            return; // a successor counts once it has subscribed
        setConnectedGauge(raw->hub().name, true);
        Q_EMIT hubConnected(raw);
    });
    connect(raw, &HubConnection::disconnected, this, [this, raw] {
        if (isCurrent(raw))
            setConnectedGauge(raw->hub().name, false);
    });
    connect(raw, &HubConnection::messageReceived, this,
            [this, raw](const MqttCodec::Publish &message, quint64 tag) { Q_EMIT messageReceived(raw, message, tag); });
    connect(raw, &HubConnection::renewalDue, this, [this, raw] {
        if (isCurrent(raw))
            handOver(raw->hub().name);
    });
    connect(raw, &HubConnection::subscriptionsAnswered, this, [this, raw](bool allGranted) {
        if (isSuccessor(raw))
            successorAnswered(raw->hub().name, allGranted);
    });
    raw->start();
    return connection;
}

bool HubConnections::isCurrent(const HubConnection *connection) const
{
    const auto it = m_links.find(connection->hub().name);
    return it != m_links.end() && it->second.current.get() == connection;
}

bool HubConnections::isSuccessor(const HubConnection *connection) const
{
    const auto it = m_links.find(connection->hub().name);
    return it != m_links.end() && it->second.successor.get() == connection;
}

void HubConnections::handOver(const QString &hubName)
{
    Link &link = m_links.at(hubName);
    if (link.successor)
        return; // one is on its way
    HubConnection *current = link.current.get();
    const QString next = partnerClientId(current->clientId());
    if (isDraining(hubName, next)) {
        // Two connections under one client id would take the session from
        // each other: the renewal goes once that session has ended.
        link.handOverWaiting = true;
        return;
    }
    link.handOverWaiting = false;
    qCInfo(lcHubConnection).noquote() << "hub" << hubName << "renewing the service login: session" << next
                                      << "takes over from" << current->clientId();
    link.successor = create(current->hub(), next, current->subscriptions());
}

void HubConnections::successorAnswered(const QString &hubName, bool allGranted)
{
    Link &link = m_links.at(hubName);
    if (!allGranted) {
        // The hub would route some devices' messages to nobody once the
        // previous session let go: keep it, and renew it in place instead
        // (the hub then holds devices back until it has subscribed again).
        qCWarning(lcHubConnection).noquote() << "hub" << hubName << "refused a subscription of session"
                                             << link.successor->clientId() << "- renewing in place instead";
        drain(std::move(link.successor));
        link.current->renewInPlace();
        return;
    }
    std::unique_ptr<HubConnection> previous = std::move(link.current);
    link.current = std::move(link.successor);
    HubConnection *next = link.current.get();
    // What the previous one subscribed meanwhile (a direct method's answer).
    const QMap<QString, int> &mine = next->subscriptions();
    for (auto it = previous->subscriptions().cbegin(); it != previous->subscriptions().cend(); ++it) {
        if (!mine.contains(it.key()))
            next->subscribe(it.key(), it.value());
    }
    next->continueFrom(*previous);
    qCInfo(lcHubConnection).noquote() << "hub" << hubName << "session" << next->clientId() << "took over from"
                                      << previous->clientId() << "(now drained and ended)";
    drain(std::move(previous));
    setConnectedGauge(hubName, next->isConnected());
    if (next->isConnected())
        Q_EMIT hubConnected(next);
}

void HubConnections::drain(std::unique_ptr<HubConnection> connection)
{
    // Its deliveries go on through the drain alone.
    connection->disconnect(this);
    auto drain = std::make_unique<SessionDrain>(std::move(connection), m_drainQuietMs);
    SessionDrain *raw = drain.get();
    connect(raw, &SessionDrain::messageReceived, this, &HubConnections::messageReceived);
    // Not from inside the connection's own signal: removed a turn later.
    connect(raw, &SessionDrain::ended, this, [this] { QTimer::singleShot(0, this, &HubConnections::drainEnded); });
    m_drains.push_back(std::move(drain));
}

bool HubConnections::isDraining(const QString &hubName, const QString &clientId) const
{
    return std::any_of(m_drains.cbegin(), m_drains.cend(), [&](const auto &d) {
        return !d->isEnded() && d->connection()->hub().name == hubName && d->connection()->clientId() == clientId;
    });
}

void HubConnections::drainEnded()
{
    m_drains.erase(std::remove_if(m_drains.begin(), m_drains.end(), [](const auto &d) { return d->isEnded(); }),
                   m_drains.end());
    for (auto &entry : m_links) {
        if (entry.second.handOverWaiting)
            handOver(entry.first);
    }
}

HubConnection *HubConnections::forHost(const QString &hubHost) const
{
    for (const auto &entry : m_links) {
        if (entry.second.current->hub().host.compare(hubHost, Qt::CaseInsensitive) == 0)
            return entry.second.current.get();
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
    const auto it = m_links.find(hubName);
    return it == m_links.end() ? nullptr : it->second.current.get();
}

QList<HubConnection *> HubConnections::connected() const
{
    QList<HubConnection *> out;
    for (const auto &entry : m_links) {
        if (entry.second.current->isConnected())
            out.append(entry.second.current.get());
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
    for (const auto &entry : m_links)
        out << entry.second.current.get();
    return out;
}

std::unique_ptr<HubConnection> HubConnections::createFor(const Hub &hub, const QString &clientId) const
{
    HubConnection::Options options = m_options;
    options.clientId = clientId;
    return std::make_unique<HubConnection>(hub, m_ctx.caCertificatePem, options);
}

} // namespace Provisio

// SPDX-License-Identifier: Apache-2.0
#include "presence.h"

#include "devicelookup.h"
#include "hublinkutil.h"

#include "base/servicecontext.h"
#include "domain/eventbus.h"
#include "protocol/timeutil.h"

namespace Provisio {

Presence::Presence(ServiceContext &ctx, DeviceLookup &lookup) : m_ctx(ctx), m_lookup(lookup), m_store(ctx.db) { }

void Presence::handleStatus(const QString &hubHost, const QString &deviceId, const QByteArray &payload)
{
    using namespace HubLinkUtil;
    countReceived(m_ctx.metrics, "status");
    const QByteArray state = payload.trimmed().toLower();
    if (state.isEmpty())
        return; // a retained status being cleared
    if (state != "online" && state != "offline")
        return countRejected(m_ctx.metrics, "status", "malformed");
    const auto lookup = m_lookup.find(deviceId, hubHost);
    if (!lookup)
        return countRejected(m_ctx.metrics, "status", "unknownDevice");
    const bool online = state == "online";
    const QDateTime at = fromIsoUtc(nowIso()).value_or(QDateTime::currentDateTimeUtc());
    auto changed = m_store.setPresence(deviceId, hubHost, online, at);
    if (!changed) {
        qCWarning(lcHubConnection).noquote() << "presence of" << deviceId << "not stored:" << changed.error().message;
        return;
    }
    if (!*changed)
        return;
    DomainEvent e;
    e.kind = online ? EventKind::DeviceOnline : EventKind::DeviceOffline;
    e.deviceId = deviceId;
    e.registrationId = lookup->registrationId;
    e.entityId = deviceId;
    e.hub = hubHost;
    e.data = QJsonObject{{QStringLiteral("hub"), hubHost}, {QStringLiteral("at"), toIsoUtc(at)}};
    m_ctx.events.publish(e);
}

} // namespace Provisio

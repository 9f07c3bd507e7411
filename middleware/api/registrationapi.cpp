// SPDX-License-Identifier: Apache-2.0
#include "registrationapi.h"

#include "requesthelpers.h"
#include "storage/hublinkstore.h"

#include "domain/registrations.h"
#include "protocol/enrollmentgroup.h"
#include "protocol/registrationstate.h"
#include "protocol/timeutil.h"
#include "storage/database.h"
#include "storage/hubstore.h"
#include "storage/registrationstore.h"

namespace Provisio {

using namespace Requests;

void RegistrationApi::registerRoutes(Router &router)
{
    using M = QHttpServerRequest::Method;
    const QString base = QStringLiteral("/api/v1/registrations");
    router.add(M::Get, base, Access::Viewer, [this](HttpRequest &r) { return list(r); });
    router.add(M::Get, base + QStringLiteral("/{registrationId}"), Access::Viewer,
               [this](HttpRequest &r) { return get(r); });
    router.add(M::Delete, base + QStringLiteral("/{registrationId}"), Access::Operator,
               [this](HttpRequest &r) { return remove(r); });
    router.add(M::Post, base + QStringLiteral("/{registrationId}/reset-twin"), Access::Operator,
               [this](HttpRequest &r) { return resetTwin(r); });
    router.add(M::Post, base + QStringLiteral("/{registrationId}/rotate-hub-key"), Access::Operator,
               [this](HttpRequest &r) { return rotateHubKey(r); });
    // A group's devices are registrations too: their hub keys are this
    // module's business, whatever path names them.
    router.add(M::Post, QStringLiteral("/api/v1/enrollment-groups/{groupId}/rotate-hub-keys"), Access::Operator,
               [this](HttpRequest &r) { return rotateGroupHubKeys(r); });
}

QJsonObject RegistrationApi::present(const RegistrationRecord &record)
{
    // The DPS registration state, plus the mapping's details: which linked
    // hub (by link name) and the address devices dial, the group, the twin.
    QJsonObject out = record.state.toJson();
    if (!record.state.assignedHub.isEmpty()) {
        auto hub = m_ctx.hubs.findByHost(record.state.assignedHub);
        if (hub && *hub)
            out.insert(QStringLiteral("hub"), QJsonObject{{QStringLiteral("name"), (*hub)->name},
                                                          {QStringLiteral("host"), (*hub)->host},
                                                          {QStringLiteral("endpoint"), (*hub)->dialEndpoint()}});
    }
    if (!record.enrollmentGroupId.isEmpty())
        out.insert(QStringLiteral("enrollmentGroupId"), record.enrollmentGroupId);
    if (record.unreadable) {
        // What the table's columns keep, flagged, with how to repair it; no
        // twin (docs/api.md, "Unreadable records").
        return Requests::unreadableItem(out, Registrations::unreadableMessage(record.state.registrationId));
    }
    out.insert(QStringLiteral("twin"), record.twin);
    // What the device itself last reported over its hub (hublink/).
    if (!record.deviceStatus.isEmpty()) {
        out.insert(QStringLiteral("deviceStatus"), record.deviceStatus);
        out.insert(QStringLiteral("deviceStatusDateTimeUtc"), toIsoUtc(record.deviceStatusDateTimeUtc));
    }
    return out;
}

HttpResponse RegistrationApi::list(HttpRequest &request)
{
    if (auto q =
            Requests::checkQuery(request, {QStringLiteral("hub"), QStringLiteral("status"), QStringLiteral("deviceId"),
                                           QStringLiteral("limit"), QStringLiteral("cursor")});
        !q)
        return HttpResponse::error(q.error());
    auto page = pageRequest(request);
    if (!page)
        return HttpResponse::error(page.error());
    RegistrationStore::Filter filter;
    filter.assignedHub = request.queryValue(QStringLiteral("hub"));
    filter.status = request.queryValue(QStringLiteral("status"));
    filter.deviceId = request.queryValue(QStringLiteral("deviceId"));
    if (!filter.status.isEmpty() && !RegistrationState::isValidStatus(filter.status))
        return HttpResponse::error(
            ErrorCode::InvalidInput,
            QStringLiteral("status must be one of unassigned, assigning, assigned, failed, disabled"));
    auto items = m_registrations.list(filter, *page);
    if (!items)
        return HttpResponse::error(items.error());
    // Presence of the whole page in one query, so the CRM's online column
    // needs no request per device.
    QStringList deviceIds;
    for (const RegistrationRecord &r : std::as_const(items->items)) {
        if (!r.state.deviceId.isEmpty())
            deviceIds.append(r.state.deviceId);
    }
    auto activity = HubLinkStore(m_ctx.db).activities(deviceIds);
    if (!activity)
        return HttpResponse::error(activity.error());
    QJsonArray out;
    for (const RegistrationRecord &r : std::as_const(items->items)) {
        QJsonObject item = present(r);
        activity->value(r.state.deviceId).insertPresence(item);
        out.append(item);
    }
    return Requests::listResponse(out, items->nextCursor);
}

HttpResponse RegistrationApi::get(HttpRequest &request)
{
    auto id = registrationIdParam(request);
    if (!id)
        return HttpResponse::error(id.error());
    auto rec = m_registrations.find(*id);
    if (!rec)
        return HttpResponse::error(rec.error());
    if (!*rec)
        return HttpResponse::error(ErrorCode::NotFound, QStringLiteral("no registration '%1'").arg(*id));
    if ((*rec)->unreadable)
        return HttpResponse::error(ErrorCode::Conflict, Registrations::unreadableMessage(*id));
    QJsonObject out = present(**rec);
    auto activity = HubLinkStore(m_ctx.db).activities({(*rec)->state.deviceId});
    if (!activity)
        return HttpResponse::error(activity.error());
    activity->value((*rec)->state.deviceId).insertPresence(out);
    return HttpResponse::json(out).withEtag((*rec)->state.etag);
}

HttpResponse RegistrationApi::remove(HttpRequest &request)
{
    auto id = registrationIdParam(request);
    if (!id)
        return HttpResponse::error(id.error());
    if (auto r = Registrations(m_ctx, m_registrations).remove(*id, request.header("If-Match"), request.actor()); !r)
        return HttpResponse::error(r.error());
    return HttpResponse::noContent();
}

HttpResponse RegistrationApi::resetTwin(HttpRequest &request)
{
    auto id = registrationIdParam(request);
    if (!id)
        return HttpResponse::error(id.error());
    if (!request.body.trimmed().isEmpty())
        return HttpResponse::error(ErrorCode::InvalidInput, QStringLiteral("reset-twin takes no body"));
    auto reset = Registrations(m_ctx, m_registrations).resetTwin(*id, request.header("If-Match"), request.actor());
    if (!reset)
        return HttpResponse::error(reset.error());
    return HttpResponse::json(present(*reset)).withEtag(reset->state.etag);
}

HttpResponse RegistrationApi::rotateHubKey(HttpRequest &request)
{
    auto id = registrationIdParam(request);
    if (!id)
        return HttpResponse::error(id.error());
    auto generation = Registrations(m_ctx, m_registrations).rotateHubKey(*id, request.actor());
    if (!generation)
        return HttpResponse::error(generation.error());
    return HttpResponse::json(QJsonObject{{QStringLiteral("registrationId"), *id},
                                          {QStringLiteral("hubCredentialGeneration"), qint64(*generation)}});
}

HttpResponse RegistrationApi::rotateGroupHubKeys(HttpRequest &request)
{
    const QString id = request.param(QStringLiteral("groupId"));
    if (!EnrollmentGroup::isValidEnrollmentGroupId(id))
        return HttpResponse::error(ErrorCode::InvalidInput, QStringLiteral("not a valid enrollment group id"));
    auto rotated = Registrations(m_ctx, m_registrations).rotateGroupHubKeys(id, request.actor());
    if (!rotated)
        return HttpResponse::error(rotated.error());
    return HttpResponse::json(
        QJsonObject{{QStringLiteral("groupId"), id}, {QStringLiteral("devicesRotated"), *rotated}});
}

} // namespace Provisio

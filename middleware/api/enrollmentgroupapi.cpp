// SPDX-License-Identifier: Apache-2.0
#include "enrollmentgroupapi.h"
#include "domain/enrollmentkeys.h"
#include "requesthelpers.h"

#include "crypto/keys.h"
#include "crypto/registrationid.h"
#include "protocol/enrollmentgroup.h"
#include "protocol/jsonlimits.h"
#include "protocol/timeutil.h"
#include "storage/enrollmentstore.h"

namespace Provisio {

using namespace Requests;

namespace {
Result<QString> groupIdParam(const HttpRequest &request)
{
    const QString id = request.param(QStringLiteral("groupId"));
    if (!EnrollmentGroup::isValidEnrollmentGroupId(id))
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("enrollment group id must be at most 128 letters, digits, '-', '.', '_' or ':', "
                                    "ending in a letter, digit or '-'"));
    return id;
}

QJsonObject present(const HttpRequest &request, const EnrollmentGroup &g)
{
    return presentEnrollment(request, g.toJson());
}
} // namespace

void EnrollmentGroupApi::registerRoutes(Router &router)
{
    using M = QHttpServerRequest::Method;
    const QString base = QStringLiteral("/api/v1/enrollment-groups");
    const QString one = base + QStringLiteral("/{groupId}");
    router.add(M::Get, base, Access::Viewer, [this](HttpRequest &r) { return list(r); });
    router.add(M::Put, one, Access::Operator, [this](HttpRequest &r) { return put(r); });
    router.add(M::Get, one, Access::Viewer, [this](HttpRequest &r) { return get(r); });
    router.add(M::Delete, one, Access::Operator, [this](HttpRequest &r) { return remove(r); });
    router.add(M::Get, one + QStringLiteral("/device-key"), Access::Operator,
               [this](HttpRequest &r) { return deviceKey(r); });
}

HttpResponse EnrollmentGroupApi::put(HttpRequest &request)
{
    auto id = groupIdParam(request);
    if (!id)
        return HttpResponse::error(id.error());
    auto body = jsonBody(request);
    if (!body)
        return HttpResponse::error(body.error());
    if (!body->contains(QStringLiteral("enrollmentGroupId")))
        body->insert(QStringLiteral("enrollmentGroupId"), *id);
    auto parsed = EnrollmentGroup::fromJson(*body);
    if (!parsed)
        return HttpResponse::error(parsed.error());
    EnrollmentGroup g = *parsed;
    if (auto limited = checkInitialTwin(g.initialTwin); !limited)
        return HttpResponse::error(limited.error());
    if (g.enrollmentGroupId != *id)
        return HttpResponse::error(ErrorCode::InvalidInput,
                                   QStringLiteral("enrollmentGroupId in the body ('%1') does not match the path ('%2')")
                                       .arg(g.enrollmentGroupId, *id));
    g.iotHubHostName.clear();

    auto saved = m_service.putGroup(g, request.header("If-Match"), request.actor());
    if (!saved)
        return HttpResponse::error(saved.error());
    HttpResponse response = HttpResponse::json(saved->group.toJson(), saved->created ? 201 : 200);
    response.withEtag(saved->group.etag);
    if (saved->created)
        response.withHeader("Location", "/api/v1/enrollment-groups/" + id->toUtf8());
    return response;
}

HttpResponse EnrollmentGroupApi::list(HttpRequest &request)
{
    if (auto q = Requests::checkQuery(request, {QStringLiteral("limit"), QStringLiteral("cursor")}); !q)
        return HttpResponse::error(q.error());
    auto page = pageRequest(request);
    if (!page)
        return HttpResponse::error(page.error());
    auto items = m_enrollments.listGroups(*page);
    if (!items)
        return HttpResponse::error(items.error());
    QJsonArray out;
    for (const EnrollmentGroup &g : std::as_const(items->items)) {
        if (items->unreadable.contains(g.enrollmentGroupId)) {
            out.append(Requests::unreadableItem(
                QJsonObject{{QStringLiteral("enrollmentGroupId"), g.enrollmentGroupId},
                            {QStringLiteral("provisioningStatus"), g.provisioningStatus},
                            {QStringLiteral("etag"), g.etag},
                            {QStringLiteral("createdDateTimeUtc"), toIsoUtc(g.createdDateTimeUtc)},
                            {QStringLiteral("lastUpdatedDateTimeUtc"), toIsoUtc(g.lastUpdatedDateTimeUtc)}},
                EnrollmentStore::unreadableGroupMessage(g.enrollmentGroupId)));
            continue;
        }
        out.append(present(request, g));
    }
    return Requests::listResponse(out, items->nextCursor);
}

HttpResponse EnrollmentGroupApi::get(HttpRequest &request)
{
    auto id = groupIdParam(request);
    if (!id)
        return HttpResponse::error(id.error());
    auto g = m_enrollments.findGroup(*id);
    if (!g)
        return HttpResponse::error(g.error());
    if (!*g)
        return HttpResponse::error(ErrorCode::NotFound, QStringLiteral("no enrollment group '%1'").arg(*id));
    return HttpResponse::json(present(request, **g)).withEtag((*g)->etag);
}

HttpResponse EnrollmentGroupApi::remove(HttpRequest &request)
{
    auto id = groupIdParam(request);
    if (!id)
        return HttpResponse::error(id.error());
    if (auto r = m_service.removeGroup(*id, request.header("If-Match"), request.actor()); !r)
        return HttpResponse::error(r.error());
    return HttpResponse::noContent();
}

HttpResponse EnrollmentGroupApi::deviceKey(HttpRequest &request)
{
    auto id = groupIdParam(request);
    if (!id)
        return HttpResponse::error(id.error());
    const QString registrationId = request.queryValue(QStringLiteral("registrationId"));
    if (registrationId.isEmpty())
        return HttpResponse::error(ErrorCode::InvalidInput,
                                   QStringLiteral("the registrationId query parameter is required"));
    if (auto valid = Crypto::validateRegistrationId(registrationId); !valid)
        return HttpResponse::error(valid.error());
    auto g = m_enrollments.findGroup(*id);
    if (!g)
        return HttpResponse::error(g.error());
    if (!*g)
        return HttpResponse::error(ErrorCode::NotFound, QStringLiteral("no enrollment group '%1'").arg(*id));
    // The device derives with its id as it will send it; hand out the key for
    // the normalized spelling, which the registration API also accepts.
    const QString normalized = Crypto::normalizeRegistrationId(registrationId);
    auto key = Crypto::deriveKey((*g)->attestation.primaryKey, normalized);
    if (!key)
        return HttpResponse::error(ErrorCode::Internal, QStringLiteral("the group's primary key is unusable"));
    return HttpResponse::json(QJsonObject{{QStringLiteral("enrollmentGroupId"), *id},
                                          {QStringLiteral("registrationId"), normalized},
                                          {QStringLiteral("derivedKey"), *key}});
}

} // namespace Provisio

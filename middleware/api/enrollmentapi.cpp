// SPDX-License-Identifier: Apache-2.0
#include "enrollmentapi.h"
#include "domain/enrollmentkeys.h"
#include "requesthelpers.h"

#include "crypto/keys.h"
#include "crypto/registrationid.h"
#include "protocol/jsonlimits.h"
#include "protocol/jsonreader.h"
#include "protocol/timeutil.h"
#include "storage/enrollmentstore.h"
#include "storage/registrationstore.h"

namespace Provisio {

using namespace Requests;

EnrollmentApi::EnrollmentApi(Enrollments &service, EnrollmentStore &enrollments, RegistrationStore &registrations)
    : m_enrollments(enrollments), m_registrations(registrations), m_service(service)
{ }

void EnrollmentApi::registerRoutes(Router &router)
{
    using M = QHttpServerRequest::Method;
    const QString base = QStringLiteral("/api/v1/enrollments");
    const QString one = base + QStringLiteral("/{registrationId}");
    router.add(M::Get, base, Access::Viewer, [this](HttpRequest &r) { return list(r); });
    router.add(M::Put, one, Access::Operator, [this](HttpRequest &r) { return put(r); });
    router.add(M::Get, one, Access::Viewer, [this](HttpRequest &r) { return get(r); });
    router.add(M::Delete, one, Access::Operator, [this](HttpRequest &r) { return remove(r); });
    router.add(M::Patch, one + QStringLiteral("/twin"), Access::Operator,
               [this](HttpRequest &r) { return patchTwin(r); });
    router.add(M::Post, one + QStringLiteral("/enable"), Access::Operator,
               [this](HttpRequest &r) { return setStatus(r, true); });
    router.add(M::Post, one + QStringLiteral("/disable"), Access::Operator,
               [this](HttpRequest &r) { return setStatus(r, false); });
    router.add(M::Post, one + QStringLiteral("/regenerate-keys"), Access::Operator,
               [this](HttpRequest &r) { return regenerateKeys(r); });
    router.add(M::Post, one + QStringLiteral("/activation-code"), Access::Operator,
               [this](HttpRequest &r) { return newActivationCode(r); });
}

QJsonObject EnrollmentApi::present(const HttpRequest &request, const Enrollment &e) const
{
    return presentEnrollment(request, e.toJson());
}

HttpResponse EnrollmentApi::put(HttpRequest &request)
{
    auto id = registrationIdParam(request);
    if (!id)
        return HttpResponse::error(id.error());
    auto body = jsonBody(request);
    if (!body)
        return HttpResponse::error(body.error());
    if (!body->contains(QStringLiteral("registrationId")))
        body->insert(QStringLiteral("registrationId"), request.param(QStringLiteral("registrationId")));
    auto parsed = Enrollment::fromJson(*body);
    if (!parsed)
        return HttpResponse::error(parsed.error());
    Enrollment e = *parsed;
    if (auto limited = checkInitialTwin(e.initialTwin); !limited)
        return HttpResponse::error(limited.error());
    if (Crypto::normalizeRegistrationId(e.registrationId) != *id)
        return HttpResponse::error(ErrorCode::InvalidInput,
                                   QStringLiteral("registrationId in the body ('%1') does not match the path ('%2')")
                                       .arg(e.registrationId, request.param(QStringLiteral("registrationId"))));
    e.registrationId = *id;
    if (e.deviceId.isEmpty())
        e.deviceId = *id;
    // Output-only fields: the server owns them.
    e.iotHubHostName.clear();
    e.registrationState.reset();

    auto saved = m_service.put(e, request.header("If-Match"), request.actor());
    if (!saved)
        return HttpResponse::error(saved.error());
    QJsonObject out = saved->enrollment.toJson();
    if (saved->code) {
        out.insert(QStringLiteral("activationCode"), saved->code->code);
        out.insert(QStringLiteral("activationCodeExpiresDateTimeUtc"), toIsoUtc(saved->code->expires));
    }
    HttpResponse response = HttpResponse::json(out, saved->created ? 201 : 200);
    response.withEtag(saved->enrollment.etag);
    if (saved->created)
        response.withHeader("Location", "/api/v1/enrollments/" + id->toUtf8());
    return response;
}

HttpResponse EnrollmentApi::list(HttpRequest &request)
{
    if (auto q = Requests::checkQuery(request, {QStringLiteral("serial"), QStringLiteral("provisioningStatus"),
                                                QStringLiteral("limit"), QStringLiteral("cursor")});
        !q)
        return HttpResponse::error(q.error());
    auto page = pageRequest(request);
    if (!page)
        return HttpResponse::error(page.error());
    EnrollmentStore::Filter filter;
    filter.serial = request.queryValue(QStringLiteral("serial"));
    filter.provisioningStatus = request.queryValue(QStringLiteral("provisioningStatus"));
    if (!filter.provisioningStatus.isEmpty() && filter.provisioningStatus != QLatin1String("enabled") &&
        filter.provisioningStatus != QLatin1String("disabled"))
        return HttpResponse::error(ErrorCode::InvalidInput,
                                   QStringLiteral("provisioningStatus must be 'enabled' or 'disabled'"));
    auto items = m_enrollments.list(filter, *page);
    if (!items)
        return HttpResponse::error(items.error());
    // As GET of one enrollment: where each device went, one query per page.
    QStringList ids;
    for (const Enrollment &e : std::as_const(items->items))
        ids.append(e.registrationId);
    auto registrations = m_registrations.findMany(ids);
    if (!registrations)
        return HttpResponse::error(registrations.error());
    QJsonArray out;
    for (Enrollment e : std::as_const(items->items)) {
        if (items->unreadable.contains(e.registrationId)) {
            QJsonObject columns{{QStringLiteral("registrationId"), e.registrationId},
                                {QStringLiteral("deviceId"), e.deviceId},
                                {QStringLiteral("provisioningStatus"), e.provisioningStatus},
                                {QStringLiteral("etag"), e.etag},
                                {QStringLiteral("createdDateTimeUtc"), toIsoUtc(e.createdDateTimeUtc)},
                                {QStringLiteral("lastUpdatedDateTimeUtc"), toIsoUtc(e.lastUpdatedDateTimeUtc)}};
            if (!e.serial.isEmpty())
                columns.insert(QStringLiteral("serial"), e.serial);
            out.append(unreadableItem(columns, EnrollmentStore::unreadableEnrollmentMessage(e.registrationId)));
            continue;
        }
        const auto reg = registrations->constFind(e.registrationId);
        if (reg != registrations->constEnd()) {
            e.registrationState = reg->state;
            e.iotHubHostName = reg->state.assignedHub;
        }
        out.append(present(request, e));
    }
    return Requests::listResponse(out, items->nextCursor);
}

HttpResponse EnrollmentApi::get(HttpRequest &request)
{
    auto id = registrationIdParam(request);
    if (!id)
        return HttpResponse::error(id.error());
    auto e = m_enrollments.find(*id);
    if (!e)
        return HttpResponse::error(e.error());
    if (!*e)
        return HttpResponse::error(ErrorCode::NotFound, QStringLiteral("no enrollment '%1'").arg(*id));
    Enrollment shown = **e;
    // As DPS: the enrollment carries where its device went.
    auto reg = m_registrations.find(*id);
    if (!reg)
        return HttpResponse::error(reg.error());
    if (*reg) {
        shown.registrationState = (*reg)->state;
        shown.iotHubHostName = (*reg)->state.assignedHub;
    }
    return HttpResponse::json(present(request, shown)).withEtag(shown.etag);
}

HttpResponse EnrollmentApi::changed(const HttpRequest &request, const Result<Enrollment> &result) const
{
    if (!result)
        return HttpResponse::error(result.error());
    return HttpResponse::json(present(request, *result)).withEtag(result->etag);
}

HttpResponse EnrollmentApi::remove(HttpRequest &request)
{
    auto id = registrationIdParam(request);
    if (!id)
        return HttpResponse::error(id.error());
    if (auto r = m_service.remove(*id, request.header("If-Match"), request.actor()); !r)
        return HttpResponse::error(r.error());
    return HttpResponse::noContent();
}

HttpResponse EnrollmentApi::setStatus(HttpRequest &request, bool enabled)
{
    auto id = registrationIdParam(request);
    if (!id)
        return HttpResponse::error(id.error());
    return changed(request, m_service.setStatus(*id, enabled, request.header("If-Match"), request.actor()));
}

HttpResponse EnrollmentApi::regenerateKeys(HttpRequest &request)
{
    auto id = registrationIdParam(request);
    if (!id)
        return HttpResponse::error(id.error());
    auto body = jsonBody(request);
    if (!body)
        return HttpResponse::error(body.error());
    JsonReader reader(*body);
    reader.allowOnly({"key"});
    const QString which = reader.requiredString(QStringLiteral("key"));
    if (reader.ok() && which != QLatin1String("primary") && which != QLatin1String("secondary") &&
        which != QLatin1String("both"))
        reader.fail(QStringLiteral("key"), QStringLiteral("must be 'primary', 'secondary' or 'both'"));
    if (!reader.ok())
        return HttpResponse::error(reader.error());
    return changed(request, m_service.regenerateKeys(*id, which, request.header("If-Match"), request.actor()));
}

HttpResponse EnrollmentApi::patchTwin(HttpRequest &request)
{
    auto id = registrationIdParam(request);
    if (!id)
        return HttpResponse::error(id.error());
    auto patch = twinPatchBody(request);
    if (!patch)
        return HttpResponse::error(patch.error());
    return changed(request,
                   m_service.patchTwin(*id, patch->tags, patch->desired, request.header("If-Match"), request.actor()));
}

HttpResponse EnrollmentApi::newActivationCode(HttpRequest &request)
{
    auto id = registrationIdParam(request);
    if (!id)
        return HttpResponse::error(id.error());
    auto issued = m_service.newActivationCode(*id, request.header("If-Match"), request.actor());
    if (!issued)
        return HttpResponse::error(issued.error());
    const auto &[e, code] = *issued;
    return HttpResponse::json(QJsonObject{{QStringLiteral("activationCode"), code.code},
                                          {QStringLiteral("serial"), e.serial},
                                          {QStringLiteral("registrationId"), e.registrationId},
                                          {QStringLiteral("expiresDateTimeUtc"), toIsoUtc(code.expires)}},
                              201);
}

} // namespace Provisio

// SPDX-License-Identifier: Apache-2.0
#include "dpsserviceapi.h"
#include "requesthelpers.h"

#include "base/serviceconfig.h"
#include "crypto/registrationid.h"
#include "domain/registrations.h"
#include "protocol/apierror.h"
#include "protocol/enrollmentgroup.h"
#include "protocol/jsonlimits.h"
#include "protocol/jsonreader.h"
#include "storage/enrollmentstore.h"
#include "storage/registrationstore.h"

#include <QDateTime>
#include <QRegularExpression>

namespace Provisio {

namespace {

const QString kEnrollmentRead = QStringLiteral("EnrollmentRead");
const QString kEnrollmentWrite = QStringLiteral("EnrollmentWrite");
const QString kRegistrationRead = QStringLiteral("RegistrationStatusRead");
const QString kRegistrationWrite = QStringLiteral("RegistrationStatusWrite");

// DPS's answers: a missing record's message says "Not Found", which is what
// back ends written for DPS look for.
HttpResponse failure(Error error)
{
    if (error.code == ErrorCode::NotFound && !error.message.contains(QLatin1String("Not Found")))
        error.message = QStringLiteral("Not Found: ") + error.message;
    return HttpResponse::error(error);
}

// Any DPS service api-version from 2018-04-01 on ("2021-10-01", and
// previews such as "2019-01-15-preview").
Result<void> checkApiVersion(const HttpRequest &request)
{
    static const QRegularExpression format(QStringLiteral("^(\\d{4}-\\d{2}-\\d{2})(-preview)?$"));
    const QString version = request.queryValue(QStringLiteral("api-version"));
    if (version.isEmpty())
        return Error(ErrorCode::InvalidInput, QStringLiteral("the api-version query parameter is required"));
    const auto m = format.match(version);
    if (!m.hasMatch() || m.captured(1) < QLatin1String("2018-04-01"))
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("api-version '%1' is not supported (2018-04-01 or later)").arg(version.left(40)));
    return {};
}

// The members Provisio reads, per object; everything else an SDK sends is
// dropped before the strict codecs see it.
using Schema = QHash<QString, QStringList>;
QJsonObject knownOnly(const QJsonObject &in, const Schema &schema, const QString &path)
{
    const QStringList allowed = schema.value(path);
    QJsonObject out;
    for (auto it = in.begin(); it != in.end(); ++it) {
        if (!allowed.contains(it.key()))
            continue;
        const QString child = path.isEmpty() ? it.key() : path + QLatin1Char('.') + it.key();
        if (it.value().isObject() && schema.contains(child))
            out.insert(it.key(), knownOnly(it.value().toObject(), schema, child));
        else
            out.insert(it.key(), it.value());
    }
    return out;
}

const Schema &enrollmentSchema(bool group)
{
    static const auto common = [](Schema s) {
        s.insert(QStringLiteral("attestation"), {QStringLiteral("type"), QStringLiteral("symmetricKey"),
                                                 QStringLiteral("tpm"), QStringLiteral("x509")});
        s.insert(QStringLiteral("attestation.symmetricKey"),
                 {QStringLiteral("primaryKey"), QStringLiteral("secondaryKey")});
        s.insert(QStringLiteral("initialTwin"), {QStringLiteral("tags"), QStringLiteral("properties")});
        s.insert(QStringLiteral("initialTwin.properties"), {QStringLiteral("desired")});
        s.insert(QStringLiteral("reprovisionPolicy"),
                 {QStringLiteral("updateHubAssignment"), QStringLiteral("migrateDeviceData")});
        s.insert(QStringLiteral("customAllocationDefinition"),
                 {QStringLiteral("webhookUrl"), QStringLiteral("apiVersion")});
        s.insert(QStringLiteral("capabilities"), {QStringLiteral("iotEdge")});
        return s;
    };
    const QStringList settings{QStringLiteral("attestation"),
                               QStringLiteral("initialTwin"),
                               QStringLiteral("provisioningStatus"),
                               QStringLiteral("reprovisionPolicy"),
                               QStringLiteral("allocationPolicy"),
                               QStringLiteral("iotHubs"),
                               QStringLiteral("customAllocationDefinition"),
                               QStringLiteral("capabilities"),
                               QStringLiteral("etag")};
    static const Schema individual =
        common(Schema{{QString(), settings + QStringList{QStringLiteral("registrationId"), QStringLiteral("deviceId"),
                                                         QStringLiteral("serial")}}});
    static const Schema groups =
        common(Schema{{QString(), settings + QStringList{QStringLiteral("enrollmentGroupId")}}});
    return group ? groups : individual;
}

// {"query": "SELECT * FROM <what>"}: the query DPS's SDKs send to list
// everything; Provisio has no query language beyond it.
Result<void> checkQuerySpec(const HttpRequest &request, const QString &what)
{
    auto body = Requests::jsonBody(request);
    if (!body)
        return body.error();
    const QString query = body->value(QStringLiteral("query")).toString().simplified();
    if (query.compare(QStringLiteral("SELECT * FROM ") + what, Qt::CaseInsensitive) != 0)
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("only the query \"SELECT * FROM %1\" is supported").arg(what));
    return {};
}

Result<PageRequest> queryPage(const HttpRequest &request)
{
    const QString count = QString::fromLatin1(request.header("x-ms-max-item-count"));
    auto page = parsePageRequest(count, QString::fromLatin1(request.header("x-ms-continuation")));
    if (!page)
        return Error(ErrorCode::InvalidInput,
                     page.error().message.contains(QLatin1String("limit"))
                         ? QStringLiteral("x-ms-max-item-count must be an integer between 1 and %1")
                               .arg(DpsServiceApi::kMaxPageSize)
                         : QStringLiteral("x-ms-continuation is not valid"));
    if (count.isEmpty())
        page->limit = DpsServiceApi::kDefaultPageSize;
    return page;
}

HttpResponse queryResponse(const QJsonArray &items, const QString &nextCursor, const char *itemType)
{
    HttpResponse r = HttpResponse::json(items);
    r.withHeader("x-ms-item-type", itemType);
    if (!nextCursor.isEmpty())
        r.withHeader("x-ms-continuation", nextCursor.toLatin1());
    return r;
}

Result<QString> groupIdParam(const HttpRequest &request)
{
    const QString id = request.param(QStringLiteral("groupId"));
    if (!EnrollmentGroup::isValidEnrollmentGroupId(id))
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("enrollment group id must be at most 128 letters, digits, '-', '.', '_' or ':', "
                                    "ending in a letter, digit or '-'"));
    return id;
}

} // namespace

DpsServiceApi::DpsServiceApi(ServiceContext &ctx, Enrollments &service, EnrollmentStore &enrollments,
                             RegistrationStore &registrations)
    : m_ctx(ctx), m_service(service), m_enrollments(enrollments), m_registrations(registrations), m_policies(ctx.db),
      m_auth(m_policies, {ctx.config.sasClockSkewSeconds, ctx.config.maxServiceSasLifetimeSeconds})
{ }

Handler DpsServiceApi::guarded(const QString &right, Guarded handler)
{
    return [this, right, handler = std::move(handler)](HttpRequest &request) {
        auto caller = m_auth.authenticate(request.header("Authorization"), m_ctx.config.serviceHost, QString(),
                                          request.path, right, QDateTime::currentSecsSinceEpoch());
        if (!caller)
            return failure(caller.error());
        if (auto version = checkApiVersion(request); !version)
            return failure(version.error());
        return handler(request, *caller);
    };
}

void DpsServiceApi::registerRoutes(Router &router)
{
    using M = QHttpServerRequest::Method;
    const auto add = [&](M method, const QString &pattern, const QString &right, Guarded handler) {
        router.add(method, pattern, Access::Public, guarded(right, std::move(handler)), kMaxBody);
    };
    const auto read = [](HttpResponse (DpsServiceApi::*f)(HttpRequest &), DpsServiceApi *self) {
        return [self, f](HttpRequest &r, const ServiceAuth::Caller &) { return (self->*f)(r); };
    };
    const auto write = [](HttpResponse (DpsServiceApi::*f)(HttpRequest &, const ServiceAuth::Caller &),
                          DpsServiceApi *self) {
        return [self, f](HttpRequest &r, const ServiceAuth::Caller &c) { return (self->*f)(r, c); };
    };

    const QString one = QStringLiteral("/enrollments/{registrationId}");
    add(M::Get, one, kEnrollmentRead, read(&DpsServiceApi::getEnrollment, this));
    add(M::Put, one, kEnrollmentWrite, write(&DpsServiceApi::putEnrollment, this));
    add(M::Delete, one, kEnrollmentWrite, write(&DpsServiceApi::deleteEnrollment, this));
    add(M::Post, one + QStringLiteral("/attestationmechanism"), kEnrollmentRead,
        read(&DpsServiceApi::enrollmentAttestation, this));
    add(M::Post, QStringLiteral("/enrollments"), kEnrollmentWrite, write(&DpsServiceApi::bulk, this));
    add(M::Post, QStringLiteral("/enrollments/query"), kEnrollmentRead, read(&DpsServiceApi::queryEnrollments, this));

    // DPS's paths are case-insensitive, and the SDKs use both spellings.
    for (const QString &groups : {QStringLiteral("/enrollmentGroups"), QStringLiteral("/enrollmentgroups")}) {
        const QString group = groups + QStringLiteral("/{groupId}");
        add(M::Get, group, kEnrollmentRead, read(&DpsServiceApi::getGroup, this));
        add(M::Put, group, kEnrollmentWrite, write(&DpsServiceApi::putGroup, this));
        add(M::Delete, group, kEnrollmentWrite, write(&DpsServiceApi::deleteGroup, this));
        add(M::Post, group + QStringLiteral("/attestationmechanism"), kEnrollmentRead,
            read(&DpsServiceApi::groupAttestation, this));
        add(M::Post, groups + QStringLiteral("/query"), kEnrollmentRead, read(&DpsServiceApi::queryGroups, this));
    }

    add(M::Get, QStringLiteral("/registrations/{registrationId}"), kRegistrationRead,
        read(&DpsServiceApi::getRegistration, this));
    add(M::Delete, QStringLiteral("/registrations/{registrationId}"), kRegistrationWrite,
        write(&DpsServiceApi::deleteRegistration, this));
    add(M::Post, QStringLiteral("/registrations/{groupId}/query"), kRegistrationRead,
        read(&DpsServiceApi::queryRegistrations, this));
}

Result<Enrollment> DpsServiceApi::withRegistration(Enrollment e)
{
    // As DPS: the enrollment carries where its device went.
    auto reg = m_registrations.find(e.registrationId);
    if (!reg)
        return reg.error();
    if (*reg) {
        e.registrationState = (*reg)->state;
        e.iotHubHostName = (*reg)->state.assignedHub;
    }
    return e;
}

Result<Enrollment> DpsServiceApi::saveEnrollment(QJsonObject body, const QString &pathId, const QByteArray &ifMatch,
                                                 const QString &actor, bool createOnly)
{
    body = knownOnly(body, enrollmentSchema(false), QString());
    if (!pathId.isEmpty() && !body.contains(QStringLiteral("registrationId")))
        body.insert(QStringLiteral("registrationId"), pathId);
    auto parsed = Enrollment::fromJson(body);
    if (!parsed)
        return parsed.error();
    Enrollment e = *parsed;
    if (auto limited = checkInitialTwin(e.initialTwin); !limited)
        return limited.error();
    const QString id = Crypto::normalizeRegistrationId(e.registrationId);
    if (!pathId.isEmpty() && id != Crypto::normalizeRegistrationId(pathId))
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("registrationId in the body ('%1') does not match the path ('%2')")
                         .arg(e.registrationId, pathId));
    e.registrationId = id;
    if (e.deviceId.isEmpty())
        e.deviceId = id;
    if (createOnly) {
        auto existing = m_enrollments.find(id);
        if (!existing)
            return existing.error();
        if (*existing)
            return Error(ErrorCode::Conflict, QStringLiteral("enrollment '%1' exists already").arg(id));
    }
    auto saved = m_service.put(e, ifMatch, actor);
    if (!saved)
        return saved.error();
    return saved->enrollment;
}

Result<Enrollment> DpsServiceApi::enrollmentOf(const HttpRequest &request)
{
    auto id = Requests::registrationIdParam(request);
    if (!id)
        return id.error();
    auto e = m_enrollments.find(*id);
    if (!e)
        return e.error();
    if (!*e)
        return Error(ErrorCode::NotFound, QStringLiteral("no enrollment '%1'").arg(*id));
    return **e;
}

HttpResponse DpsServiceApi::getEnrollment(HttpRequest &request)
{
    auto e = enrollmentOf(request);
    if (!e)
        return failure(e.error());
    auto shown = withRegistration(*e);
    if (!shown)
        return failure(shown.error());
    return HttpResponse::json(shown->toJson()).withEtag(shown->etag);
}

HttpResponse DpsServiceApi::putEnrollment(HttpRequest &request, const ServiceAuth::Caller &caller)
{
    auto id = Requests::registrationIdParam(request);
    if (!id)
        return failure(id.error());
    auto body = Requests::jsonBody(request);
    if (!body)
        return failure(body.error());
    auto saved = saveEnrollment(*body, request.param(QStringLiteral("registrationId")), Requests::ifMatch(request),
                                caller.actor(), false);
    if (!saved)
        return failure(saved.error());
    auto shown = withRegistration(*saved);
    if (!shown)
        return failure(shown.error());
    return HttpResponse::json(shown->toJson()).withEtag(shown->etag);
}

HttpResponse DpsServiceApi::deleteEnrollment(HttpRequest &request, const ServiceAuth::Caller &caller)
{
    auto id = Requests::registrationIdParam(request);
    if (!id)
        return failure(id.error());
    if (auto r = m_service.remove(*id, Requests::ifMatch(request), caller.actor()); !r)
        return failure(r.error());
    return HttpResponse::noContent();
}

HttpResponse DpsServiceApi::enrollmentAttestation(HttpRequest &request)
{
    auto e = enrollmentOf(request);
    if (!e)
        return failure(e.error());
    return HttpResponse::json(e->attestation.toJson());
}

HttpResponse DpsServiceApi::bulk(HttpRequest &request, const ServiceAuth::Caller &caller)
{
    auto body = Requests::jsonBody(request);
    if (!body)
        return failure(body.error());
    JsonReader reader(*body);
    const QString mode = reader.requiredString(QStringLiteral("mode"));
    const QJsonArray items = reader.optionalArray(QStringLiteral("enrollments"));
    static const QStringList modes{QStringLiteral("create"), QStringLiteral("update"),
                                   QStringLiteral("updateIfMatchETag"), QStringLiteral("delete")};
    if (reader.ok() && !modes.contains(mode))
        reader.fail(QStringLiteral("mode"), QStringLiteral("must be create, update, updateIfMatchETag or delete"));
    if (reader.ok() && (items.isEmpty() || items.size() > kMaxBulkEnrollments))
        reader.fail(QStringLiteral("enrollments"),
                    QStringLiteral("must hold 1 to %1 enrollments").arg(kMaxBulkEnrollments));
    for (int i = 0; reader.ok() && i < items.size(); ++i) {
        if (!items.at(i).isObject())
            reader.fail(QStringLiteral("enrollments[%1]").arg(i), QStringLiteral("must be an object"));
    }
    if (!reader.ok())
        return failure(reader.error());

    // As DPS: each enrollment on its own; the answer lists those that failed.
    QJsonArray errors;
    for (const QJsonValue &item : items) {
        const QJsonObject json = item.toObject();
        const QString id = json.value(QStringLiteral("registrationId")).toString();
        const QByteArray etag = json.value(QStringLiteral("etag")).toString().toUtf8();
        Result<void> done;
        if (mode == QLatin1String("delete")) {
            if (auto valid = Crypto::validateRegistrationId(id); !valid)
                done = valid.error();
            else
                done = m_service.remove(Crypto::normalizeRegistrationId(id), etag, caller.actor());
        } else {
            const QByteArray ifMatch = mode == QLatin1String("updateIfMatchETag") ? etag : QByteArray();
            if (mode == QLatin1String("updateIfMatchETag") && etag.isEmpty())
                done = Error(ErrorCode::InvalidInput, QStringLiteral("updateIfMatchETag needs each enrollment's etag"));
            else if (auto saved =
                         saveEnrollment(json, QString(), ifMatch, caller.actor(), mode == QLatin1String("create"));
                     !saved)
                done = saved.error();
        }
        if (!done) {
            const ApiError api = ApiError::fromError(done.error(), request.trackingId);
            errors.append(QJsonObject{{QStringLiteral("registrationId"), id},
                                      {QStringLiteral("errorCode"), api.errorCode},
                                      {QStringLiteral("errorStatus"), done.error().message}});
        }
    }
    return HttpResponse::json(
        QJsonObject{{QStringLiteral("isSuccessful"), errors.isEmpty()}, {QStringLiteral("errors"), errors}});
}

HttpResponse DpsServiceApi::queryEnrollments(HttpRequest &request)
{
    if (auto spec = checkQuerySpec(request, QStringLiteral("enrollments")); !spec)
        return failure(spec.error());
    auto page = queryPage(request);
    if (!page)
        return failure(page.error());
    auto items = m_enrollments.list({}, *page);
    if (!items)
        return failure(items.error());
    QStringList ids;
    for (const Enrollment &e : std::as_const(items->items))
        ids.append(e.registrationId);
    auto registrations = m_registrations.findMany(ids);
    if (!registrations)
        return failure(registrations.error());
    QJsonArray out;
    for (Enrollment e : std::as_const(items->items)) {
        const auto reg = registrations->constFind(e.registrationId);
        if (reg != registrations->constEnd()) {
            e.registrationState = reg->state;
            e.iotHubHostName = reg->state.assignedHub;
        }
        out.append(e.toJson());
    }
    return queryResponse(out, items->nextCursor, "Enrollment");
}

Result<EnrollmentGroup> DpsServiceApi::groupOf(const HttpRequest &request)
{
    auto id = groupIdParam(request);
    if (!id)
        return id.error();
    auto g = m_enrollments.findGroup(*id);
    if (!g)
        return g.error();
    if (!*g)
        return Error(ErrorCode::NotFound, QStringLiteral("no enrollment group '%1'").arg(*id));
    return **g;
}

HttpResponse DpsServiceApi::getGroup(HttpRequest &request)
{
    auto g = groupOf(request);
    if (!g)
        return failure(g.error());
    return HttpResponse::json(g->toJson()).withEtag(g->etag);
}

HttpResponse DpsServiceApi::putGroup(HttpRequest &request, const ServiceAuth::Caller &caller)
{
    auto id = groupIdParam(request);
    if (!id)
        return failure(id.error());
    auto body = Requests::jsonBody(request);
    if (!body)
        return failure(body.error());
    QJsonObject json = knownOnly(*body, enrollmentSchema(true), QString());
    if (!json.contains(QStringLiteral("enrollmentGroupId")))
        json.insert(QStringLiteral("enrollmentGroupId"), *id);
    auto parsed = EnrollmentGroup::fromJson(json);
    if (!parsed)
        return failure(parsed.error());
    EnrollmentGroup g = *parsed;
    if (auto limited = checkInitialTwin(g.initialTwin); !limited)
        return failure(limited.error());
    if (g.enrollmentGroupId != *id)
        return failure(Error(ErrorCode::InvalidInput,
                             QStringLiteral("enrollmentGroupId in the body ('%1') does not match the path ('%2')")
                                 .arg(g.enrollmentGroupId, *id)));
    g.iotHubHostName.clear();
    auto saved = m_service.putGroup(g, Requests::ifMatch(request), caller.actor());
    if (!saved)
        return failure(saved.error());
    return HttpResponse::json(saved->group.toJson()).withEtag(saved->group.etag);
}

HttpResponse DpsServiceApi::deleteGroup(HttpRequest &request, const ServiceAuth::Caller &caller)
{
    auto id = groupIdParam(request);
    if (!id)
        return failure(id.error());
    if (auto r = m_service.removeGroup(*id, Requests::ifMatch(request), caller.actor()); !r)
        return failure(r.error());
    return HttpResponse::noContent();
}

HttpResponse DpsServiceApi::groupAttestation(HttpRequest &request)
{
    auto g = groupOf(request);
    if (!g)
        return failure(g.error());
    return HttpResponse::json(g->attestation.toJson());
}

HttpResponse DpsServiceApi::queryGroups(HttpRequest &request)
{
    if (auto spec = checkQuerySpec(request, QStringLiteral("enrollmentGroups")); !spec)
        return failure(spec.error());
    auto page = queryPage(request);
    if (!page)
        return failure(page.error());
    auto items = m_enrollments.listGroups(*page);
    if (!items)
        return failure(items.error());
    QJsonArray out;
    for (const EnrollmentGroup &g : std::as_const(items->items))
        out.append(g.toJson());
    return queryResponse(out, items->nextCursor, "EnrollmentGroup");
}

HttpResponse DpsServiceApi::getRegistration(HttpRequest &request)
{
    auto id = Requests::registrationIdParam(request);
    if (!id)
        return failure(id.error());
    auto rec = m_registrations.find(*id);
    if (!rec)
        return failure(rec.error());
    if (!*rec)
        return failure(Error(ErrorCode::NotFound, QStringLiteral("no registration '%1'").arg(*id)));
    return HttpResponse::json((*rec)->state.toJson()).withEtag((*rec)->state.etag);
}

HttpResponse DpsServiceApi::deleteRegistration(HttpRequest &request, const ServiceAuth::Caller &caller)
{
    auto id = Requests::registrationIdParam(request);
    if (!id)
        return failure(id.error());
    if (auto r = Registrations(m_ctx, m_registrations).remove(*id, Requests::ifMatch(request), caller.actor()); !r)
        return failure(r.error());
    return HttpResponse::noContent();
}

HttpResponse DpsServiceApi::queryRegistrations(HttpRequest &request)
{
    auto id = groupIdParam(request);
    if (!id)
        return failure(id.error());
    // DPS's SDKs send {"query": "*"} here; the group in the path is the query.
    if (auto body = Requests::jsonBody(request); !body)
        return failure(body.error());
    auto page = queryPage(request);
    if (!page)
        return failure(page.error());
    RegistrationStore::Filter filter;
    filter.groupId = *id;
    auto items = m_registrations.list(filter, *page);
    if (!items)
        return failure(items.error());
    QJsonArray out;
    for (const RegistrationRecord &r : std::as_const(items->items))
        out.append(r.state.toJson());
    return queryResponse(out, items->nextCursor, "DeviceRegistration");
}

} // namespace Provisio

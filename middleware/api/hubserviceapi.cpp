// SPDX-License-Identifier: Apache-2.0
#include "hubserviceapi.h"
#include "hublinkapi.h"
#include "requesthelpers.h"

#include "base/serviceconfig.h"
#include "crypto/registrationid.h"
#include "domain/registrations.h"
#include "protocol/jsonreader.h"
#include "storage/hubstore.h"

#include <QDateTime>

namespace Provisio {

namespace {

HttpResponse failure(Error error)
{
    if (error.code == ErrorCode::NotFound && !error.message.contains(QLatin1String("Not Found")))
        error.message = QStringLiteral("Not Found: ") + error.message;
    return HttpResponse::error(error);
}

Error unknownHub()
{
    // Said the same way as every other bad token: nothing to learn from it.
    return Error(ErrorCode::Unauthorized, QStringLiteral("invalid service token: sr names no linked hub"));
}

} // namespace

HubServiceApi::HubServiceApi(ServiceContext &ctx, HubLink &link)
    : m_ctx(ctx), m_link(link), m_registrations(ctx.db), m_policies(ctx.db),
      m_auth(m_policies, {ctx.config.sasClockSkewSeconds, ctx.config.maxServiceSasLifetimeSeconds})
{ }

void HubServiceApi::registerRoutes(Router &router)
{
    using M = QHttpServerRequest::Method;
    const QString one = QStringLiteral("/twins/{deviceId}");
    router.add(
        M::Get, one, Access::Public, [this](HttpRequest &r) { return getTwin(r); }, kMaxBody);
    router.add(
        M::Patch, one, Access::Public, [this](HttpRequest &r) { return patchTwin(r); }, kMaxBody);
    router.add(
        M::Post, one + QStringLiteral("/methods"), Access::Public, [this](HttpRequest &r) { return invokeMethod(r); },
        kMaxBody);
}

Result<HubServiceApi::Target> HubServiceApi::target(const HttpRequest &request, const QString &right,
                                                    bool mustBeAssigned)
{
    const QByteArray authorization = request.header("Authorization");
    auto host = ServiceAuth::resourceHost(authorization);
    if (!host)
        return host.error();
    auto hub = m_ctx.hubs.findByHost(*host);
    if (!hub)
        return hub.error();
    if (!*hub)
        return unknownHub();
    auto caller = m_auth.authenticate(authorization, (*hub)->host, (*hub)->name, request.path, right,
                                      QDateTime::currentSecsSinceEpoch());
    if (!caller)
        return caller.error();
    if (request.queryValue(QStringLiteral("api-version")).isEmpty())
        return Error(ErrorCode::InvalidInput, QStringLiteral("the api-version query parameter is required"));

    const QString deviceId = request.param(QStringLiteral("deviceId"));
    if (auto valid = Crypto::validateDeviceId(deviceId); !valid)
        return valid.error();
    auto found = m_link.registrationOf(deviceId);
    if (!found)
        return found.error();
    // A device of another hub is not this hub's to show.
    if (!*found || (*found)->state.assignedHub.compare((*hub)->host, Qt::CaseInsensitive) != 0 ||
        (mustBeAssigned && (*found)->state.status != QLatin1String("assigned")))
        return Error(ErrorCode::NotFound,
                     QStringLiteral("Not Found: no device '%1' on hub %2").arg(deviceId, (*hub)->host));
    if ((*found)->unreadable)
        return Error(ErrorCode::Conflict, Registrations::unreadableMessage((*found)->state.registrationId));
    return Target{*caller, **found};
}

QJsonObject HubServiceApi::twinJson(const RegistrationRecord &record)
{
    // IoT Hub's twin shape.
    const QJsonObject properties = record.twin.value(QStringLiteral("properties")).toObject();
    QJsonObject desired = properties.value(QStringLiteral("desired")).toObject();
    if (!desired.contains(QStringLiteral("$version")))
        desired.insert(QStringLiteral("$version"), 0);
    QJsonObject reported = properties.value(QStringLiteral("reported")).toObject();
    if (!reported.contains(QStringLiteral("$version")))
        reported.insert(QStringLiteral("$version"), 0);
    bool online = false;
    if (auto activity = m_link.activity(record.state.deviceId); activity && *activity)
        online = (*activity)->online;
    return QJsonObject{
        {QStringLiteral("deviceId"), record.state.deviceId},
        {QStringLiteral("etag"), record.state.etag},
        {QStringLiteral("version"), desired.value(QStringLiteral("$version")).toInteger() +
                                        reported.value(QStringLiteral("$version")).toInteger()},
        {QStringLiteral("status"),
         record.state.status == QLatin1String("disabled") ? QStringLiteral("disabled") : QStringLiteral("enabled")},
        {QStringLiteral("connectionState"), online ? QStringLiteral("Connected") : QStringLiteral("Disconnected")},
        {QStringLiteral("tags"), record.twin.value(QStringLiteral("tags")).toObject()},
        {QStringLiteral("properties"),
         QJsonObject{{QStringLiteral("desired"), desired}, {QStringLiteral("reported"), reported}}}};
}

HttpResponse HubServiceApi::getTwin(HttpRequest &request)
{
    auto t = target(request, QStringLiteral("RegistryRead"), false);
    if (!t)
        return failure(t.error());
    return HttpResponse::json(twinJson(t->record)).withEtag(t->record.state.etag);
}

HttpResponse HubServiceApi::patchTwin(HttpRequest &request)
{
    auto t = target(request, QStringLiteral("RegistryWrite"), false);
    if (!t)
        return failure(t.error());
    auto body = Requests::jsonBody(request);
    if (!body)
        return failure(body.error());
    // The SDKs send the twin patch in IoT Hub's shape, often the whole twin
    // they hold: tags and properties.desired are what may change; the rest
    // (deviceId, etag, reported, status, ...) is ignored, as IoT Hub does.
    JsonReader reader(*body);
    const QJsonObject tags = reader.optionalObject(QStringLiteral("tags"));
    JsonReader properties = reader.child(QStringLiteral("properties"));
    QJsonObject desired = properties.optionalObject(QStringLiteral("desired"));
    if (!reader.ok())
        return failure(reader.error());
    for (const QString &key : desired.keys()) {
        if (key.startsWith(QLatin1Char('$')))
            desired.remove(key); // $metadata, $version: the service's own
    }
    if (tags.isEmpty() && desired.isEmpty())
        return failure(
            Error(ErrorCode::InvalidInput, QStringLiteral("the patch changes neither tags nor desired properties")));
    auto patched = Registrations(m_ctx, m_registrations)
                       .patchTwin(t->record, tags, desired, Requests::ifMatch(request), t->caller.actor());
    if (!patched)
        return failure(patched.error());
    if (!desired.isEmpty())
        m_link.publishDesired(*patched);
    return HttpResponse::json(twinJson(*patched)).withEtag(patched->state.etag);
}

HttpResponse HubServiceApi::invokeMethod(HttpRequest &request)
{
    auto t = target(request, QStringLiteral("ServiceConnect"), true);
    if (!t)
        return failure(t.error());
    auto body = Requests::jsonBody(request);
    if (!body)
        return failure(body.error());
    JsonReader reader(*body);
    const QString method = reader.requiredString(QStringLiteral("methodName"));
    const int timeout = int(reader.optionalInt(QStringLiteral("responseTimeoutInSeconds"), 30, 5, 300));
    reader.optionalInt(QStringLiteral("connectTimeoutInSeconds"), 0, 0, 300); // IoT Hub's; a device is online or not
    if (reader.ok() && !HubLink::isValidMethodName(method))
        reader.fail(QStringLiteral("methodName"),
                    QStringLiteral("must be 1..128 characters without '/', '+', '#' and not 'res'"));
    if (!reader.ok())
        return failure(reader.error());
    QJsonValue payload = body->value(QStringLiteral("payload"));
    if (payload.isUndefined())
        payload = QJsonValue::Null;

    auto deferred = std::make_shared<DeferredResponse>();
    const QString trackingId = request.trackingId;
    const QString hub = t->record.state.assignedHub;
    m_link.invokeMethod(t->record, method, payload, timeout,
                        [deferred, trackingId, hub, timeout](const HubLink::MethodOutcome &o) {
                            deferred->complete(methodOutcomeResponse(o, trackingId, hub, timeout));
                        });
    return HttpResponse::later(deferred);
}

} // namespace Provisio

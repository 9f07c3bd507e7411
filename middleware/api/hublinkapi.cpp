// SPDX-License-Identifier: Apache-2.0
#include "hublinkapi.h"

#include "api/requesthelpers.h"
#include "crypto/registrationid.h"
#include "domain/cloudmessages.h"
#include "domain/registrations.h"
#include "hublink/hublinkutil.h"
#include "protocol/apierror.h"
#include "protocol/jsonreader.h"
#include "protocol/timeutil.h"
#include "storage/hubstore.h"
#include "storage/recordutil.h"

#include <QJsonArray>
#include <QTimer>

namespace Provisio {

using namespace Requests;

namespace {
const QString kDeviceId = QStringLiteral("deviceId");

QJsonValue isoOrNull(const QDateTime &at)
{
    return at.isValid() ? QJsonValue(toIsoUtc(at)) : QJsonValue(QJsonValue::Null);
}

std::optional<QJsonValue> bodyValue(const QByteArray &body)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson('[' + body + ']', &error);
    if (error.error != QJsonParseError::NoError || doc.array().size() != 1)
        return std::nullopt;
    return doc.array().at(0);
}
} // namespace

HttpResponse methodOutcomeResponse(const HubLink::MethodOutcome &o, const QString &trackingId, const QString &hub,
                                   int timeoutSeconds)
{
    switch (o.kind) {
    case HubLink::MethodOutcome::Answered:
        return HttpResponse::json(
            QJsonObject{{QStringLiteral("status"), o.status}, {QStringLiteral("payload"), o.payload}});
    case HubLink::MethodOutcome::TimedOut: {
        // 504 has no ErrorCode of its own: the one error shape, with IoT
        // Hub's number for a device that did not answer in time.
        ApiError api = ApiError::fromError(
            Error(ErrorCode::Unavailable, QStringLiteral("the device did not answer within %1 s").arg(timeoutSeconds)),
            trackingId);
        api.errorCode = 504101;
        return HttpResponse::json(api.toJson(), 504).withHeader("X-Provisio-Tracking-Id", trackingId.toLatin1());
    }
    case HubLink::MethodOutcome::HubNotConnected:
        return HttpResponse::error(ErrorCode::Conflict,
                                   QStringLiteral("the device's hub %1 is not connected; try again later").arg(hub));
    case HubLink::MethodOutcome::NotSent:
        break;
    }
    return HttpResponse::error(ErrorCode::Unavailable, QStringLiteral("the method call could not be sent"));
}

HubLinkApi::HubLinkApi(ServiceContext &ctx, HubLink &link) : m_ctx(ctx), m_registrations(ctx.db), m_link(link) { }

void HubLinkApi::registerRoutes(Router &router)
{
    using M = QHttpServerRequest::Method;
    const QString device = QStringLiteral("/api/v1/devices/{deviceId}");
    router.add(M::Get, QStringLiteral("/api/v1/hubs/{name}/status"), Access::Viewer,
               [this](HttpRequest &r) { return hubStatus(r); });
    router.add(M::Get, device + QStringLiteral("/twin"), Access::Viewer, [this](HttpRequest &r) { return getTwin(r); });
    router.add(
        M::Patch, device + QStringLiteral("/twin"), Access::Operator, [this](HttpRequest &r) { return patchTwin(r); },
        64 * 1024);
    router.add(M::Get, device + QStringLiteral("/telemetry"), Access::Viewer,
               [this](HttpRequest &r) { return telemetry(r); });
    router.add(
        M::Post, device + QStringLiteral("/methods/{name}"), Access::Operator,
        [this](HttpRequest &r) { return invokeMethod(r); }, 128 * 1024);
    // A base64 payload of CloudMessages::kMaxBodyBytes plus properties: the
    // body limit lets the domain's own size check give the precise answer.
    router.add(
        M::Post, device + QStringLiteral("/messages"), Access::Operator,
        [this](HttpRequest &r) { return sendCloudMessage(r); }, 128 * 1024);
    router.add(M::Get, device + QStringLiteral("/messages"), Access::Viewer,
               [this](HttpRequest &r) { return cloudMessages(r); });
}

HttpResponse HubLinkApi::sendCloudMessage(HttpRequest &request)
{
    auto body = jsonBody(request);
    if (!body)
        return HttpResponse::error(body.error());
    JsonReader reader(*body);
    reader.allowOnly({"payload", "payloadEncoding", "properties", "ttlSeconds"});
    CloudMessages::Outgoing out;
    out.ttlSeconds = int(reader.optionalInt(QStringLiteral("ttlSeconds"), CloudMessages::kDefaultTtlSeconds, 1,
                                            CloudMessages::kMaxTtlSeconds));
    if (!reader.ok())
        return HttpResponse::error(reader.error());
    const QJsonValue payload = body->value(QStringLiteral("payload"));
    if (payload.isUndefined())
        return HttpResponse::error(ErrorCode::InvalidInput, QStringLiteral("'payload' is required"));
    const QJsonValue encoding = body->value(QStringLiteral("payloadEncoding"));
    if (encoding.isUndefined() || encoding == QLatin1String("json")) {
        out.body = HubLinkUtil::jsonText(payload);
        out.contentType = QStringLiteral("application/json");
    } else if (encoding == QLatin1String("base64")) {
        if (!payload.isString())
            return HttpResponse::error(ErrorCode::InvalidInput,
                                       QStringLiteral("with payloadEncoding base64, 'payload' must be a string"));
        const auto decoded =
            QByteArray::fromBase64Encoding(payload.toString().toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded)
            return HttpResponse::error(ErrorCode::InvalidInput, QStringLiteral("'payload' is not valid base64"));
        out.body = *decoded;
    } else {
        return HttpResponse::error(ErrorCode::InvalidInput,
                                   QStringLiteral("payloadEncoding must be \"json\" (default) or \"base64\""));
    }
    const QJsonValue properties = body->value(QStringLiteral("properties"));
    if (!properties.isUndefined() && !properties.isObject())
        return HttpResponse::error(ErrorCode::InvalidInput,
                                   QStringLiteral("'properties' must be an object of strings"));
    const QJsonObject props = properties.toObject();
    for (auto it = props.begin(); it != props.end(); ++it) {
        if (!it.value().isString())
            return HttpResponse::error(ErrorCode::InvalidInput,
                                       QStringLiteral("property '%1' must be a string").arg(it.key()));
        out.properties.append({it.key(), it.value().toString()});
    }
    if (auto valid = CloudMessages::validate(out); !valid)
        return HttpResponse::error(valid.error());
    auto record = registered(request, true);
    if (!record)
        return HttpResponse::error(record.error());
    auto sent = CloudMessages(m_ctx).send(*record, out, request.actor());
    if (!sent)
        return HttpResponse::error(sent.error());
    QJsonObject answer = sent->toJson();
    answer.remove(QStringLiteral("payload"));
    answer.remove(QStringLiteral("payloadEncoding"));
    return HttpResponse::json(answer, 202);
}

HttpResponse HubLinkApi::cloudMessages(HttpRequest &request)
{
    if (auto q = Requests::checkQuery(request, {QStringLiteral("limit")}); !q)
        return HttpResponse::error(q.error());
    int limit = 50;
    if (request.hasQuery(QStringLiteral("limit"))) {
        bool ok = false;
        limit = request.queryValue(QStringLiteral("limit")).toInt(&ok);
        if (!ok || limit < 1 || limit > 200)
            return HttpResponse::error(ErrorCode::InvalidInput, QStringLiteral("limit must be 1 to 200"));
    }
    auto record = registered(request, false);
    if (!record)
        return HttpResponse::error(record.error());
    auto listed = CloudMessageStore(m_ctx.db).forDevice(record->state.deviceId, limit);
    if (!listed)
        return HttpResponse::error(listed.error());
    QJsonArray items;
    for (const auto &m : std::as_const(*listed))
        items.append(m.toJson());
    return HttpResponse::json(QJsonObject{{kDeviceId, record->state.deviceId}, {QStringLiteral("items"), items}});
}

HttpResponse HubLinkApi::hubStatus(HttpRequest &request)
{
    const QString name = request.param(QStringLiteral("name"));
    m_ctx.hubs.invalidate();
    auto hub = m_ctx.hubs.find(name);
    if (!hub)
        return HttpResponse::error(hub.error());
    if (!*hub)
        return HttpResponse::error(ErrorCode::NotFound, QStringLiteral("no hub named '%1'").arg(name));
    QJsonObject out{{QStringLiteral("name"), (*hub)->name},
                    {QStringLiteral("host"), (*hub)->host},
                    {QStringLiteral("endpoint"), (*hub)->dialEndpoint()}};
    const auto status = m_link.status(name);
    out.insert(QStringLiteral("linkEnabled"), bool(status));
    out.insert(QStringLiteral("connected"), status && status->connected);
    out.insert(QStringLiteral("since"), status ? isoOrNull(status->since) : QJsonValue(QJsonValue::Null));
    out.insert(QStringLiteral("lastError"),
               status && !status->lastError.isEmpty() ? QJsonValue(status->lastError) : QJsonValue(QJsonValue::Null));
    if (status) {
        out.insert(QStringLiteral("clientId"), status->clientId);
        out.insert(QStringLiteral("pendingRevocations"), status->pendingRevocations);
    }
    return HttpResponse::json(out);
}

Result<RegistrationRecord> HubLinkApi::registered(const HttpRequest &request, bool mustBeAssigned)
{
    const QString deviceId = request.param(kDeviceId);
    if (auto valid = Crypto::validateDeviceId(deviceId); !valid)
        return valid.error();
    auto found = m_link.registrationOf(deviceId);
    if (!found)
        return found.error();
    if (!*found || (mustBeAssigned && (*found)->state.status != QLatin1String("assigned")))
        return Error(ErrorCode::NotFound,
                     QStringLiteral("no registered device '%1' (device ids come from registrations; inventory "
                                    "records are under /api/v1/devices/{serial})")
                         .arg(deviceId));
    return **found;
}

QJsonObject HubLinkApi::twinJson(const RegistrationRecord &record)
{
    // Azure's twin shape, plus where the device is.
    const QJsonObject properties = record.twin.value(QStringLiteral("properties")).toObject();
    QJsonObject desired = properties.value(QStringLiteral("desired")).toObject();
    if (!desired.contains(QStringLiteral("$version")))
        desired.insert(QStringLiteral("$version"), 0);
    QJsonObject reported = properties.value(QStringLiteral("reported")).toObject();
    if (!reported.contains(QStringLiteral("$version")))
        reported.insert(QStringLiteral("$version"), 0);
    QJsonObject out{{kDeviceId, record.state.deviceId},
                    {QStringLiteral("registrationId"), record.state.registrationId},
                    {QStringLiteral("etag"), record.state.etag},
                    {QStringLiteral("status"), record.state.status},
                    {QStringLiteral("assignedHub"), record.state.assignedHub},
                    {QStringLiteral("tags"), record.twin.value(QStringLiteral("tags")).toObject()},
                    {QStringLiteral("properties"),
                     QJsonObject{{QStringLiteral("desired"), desired}, {QStringLiteral("reported"), reported}}}};
    HubLinkStore::Activity activity;
    if (auto found = m_link.activity(record.state.deviceId); found && *found)
        activity = **found;
    activity.insertPresence(out);
    if (!record.deviceStatus.isEmpty()) {
        out.insert(QStringLiteral("deviceStatus"), record.deviceStatus);
        out.insert(QStringLiteral("deviceStatusDateTimeUtc"), toIsoUtc(record.deviceStatusDateTimeUtc));
    }
    return out;
}

HttpResponse HubLinkApi::getTwin(HttpRequest &request)
{
    auto record = registered(request, false);
    if (!record)
        return HttpResponse::error(record.error());
    if (record->unreadable)
        return HttpResponse::error(ErrorCode::Conflict, Registrations::unreadableMessage(record->state.registrationId));
    return HttpResponse::json(twinJson(*record)).withEtag(record->state.etag);
}

HttpResponse HubLinkApi::patchTwin(HttpRequest &request)
{
    auto patch = twinPatchBody(request);
    if (!patch)
        return HttpResponse::error(patch.error());
    const QJsonObject tags = patch->tags;
    const QJsonObject desired = patch->desired;

    auto record = registered(request, false);
    if (!record)
        return HttpResponse::error(record.error());
    auto patched = Registrations(m_ctx, m_registrations)
                       .patchTwin(*record, tags, desired, request.header("If-Match"), request.actor());
    if (!patched)
        return HttpResponse::error(patched.error());
    const RegistrationRecord &changed = *patched;
    if (!desired.isEmpty())
        m_link.publishDesired(changed);
    return HttpResponse::json(twinJson(changed)).withEtag(changed.state.etag);
}

namespace {
// `since`/`until` of the telemetry history: ISO-8601 with a zone.
Result<QDateTime> timeQuery(const HttpRequest &request, const QString &name)
{
    if (!request.hasQuery(name))
        return QDateTime();
    const auto parsed = fromIsoUtc(request.queryValue(name));
    if (!parsed)
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("query parameter '%1' must be an ISO-8601 timestamp with a zone, "
                                    "e.g. 2024-05-01T12:00:00Z")
                         .arg(name));
    return *parsed;
}
} // namespace

HttpResponse HubLinkApi::telemetry(HttpRequest &request)
{
    if (auto q = Requests::checkQuery(request, {QStringLiteral("limit"), QStringLiteral("cursor"),
                                                QStringLiteral("since"), QStringLiteral("until")});
        !q)
        return HttpResponse::error(q.error());
    auto page = Requests::pageRequest(request);
    if (!page)
        return HttpResponse::error(page.error());
    auto since = timeQuery(request, QStringLiteral("since"));
    if (!since)
        return HttpResponse::error(since.error());
    auto until = timeQuery(request, QStringLiteral("until"));
    if (!until)
        return HttpResponse::error(until.error());
    if (since->isValid() && until->isValid() && *until <= *since)
        return HttpResponse::error(ErrorCode::InvalidInput,
                                   QStringLiteral("query parameter 'until' must be later than 'since'"));
    auto record = registered(request, false);
    if (!record)
        return HttpResponse::error(record.error());
    const QString deviceId = record->state.deviceId;

    qint64 count = 0;
    QDateTime last;
    if (auto activity = m_link.activity(deviceId); activity && *activity) {
        count = (*activity)->telemetryCount;
        last = (*activity)->lastTelemetry;
    }
    const auto unflushed = m_link.unflushedTelemetry(deviceId);
    count += unflushed.count;
    if (unflushed.last.isValid() && (!last.isValid() || unflushed.last > last))
        last = unflushed.last;

    // What this instance received in the last batch interval is written
    // first, so a client sees what it just sent. A failure leaves the batch
    // queued; the history then lags by it, which the answer still serves.
    m_link.flushTelemetryBatch();
    TelemetryStore::Filter filter;
    filter.deviceId = deviceId;
    filter.since = *since;
    filter.until = *until;
    auto stored = m_link.telemetryStore().page(filter, *page);
    if (!stored)
        return HttpResponse::error(stored.error());

    QJsonArray messages;
    for (const auto &m : std::as_const(stored->items)) {
        QJsonObject properties;
        for (const auto &p : m.properties)
            properties.insert(p.first, p.second);
        QJsonObject item{{QStringLiteral("receivedDateTimeUtc"), toIsoUtc(m.received)},
                         {QStringLiteral("properties"), properties},
                         {QStringLiteral("size"), int(m.body.size())}};
        if (const auto value = bodyValue(m.body)) {
            item.insert(QStringLiteral("body"), *value);
            item.insert(QStringLiteral("bodyEncoding"), QStringLiteral("json"));
        } else {
            item.insert(QStringLiteral("body"), QString::fromLatin1(m.body.toBase64()));
            item.insert(QStringLiteral("bodyEncoding"), QStringLiteral("base64"));
        }
        messages.append(item);
    }
    QJsonObject out{{kDeviceId, deviceId},
                    {QStringLiteral("count"), count},
                    {QStringLiteral("lastMessageDateTimeUtc"), isoOrNull(last)},
                    {QStringLiteral("messages"), messages}};
    if (!stored->nextCursor.isEmpty())
        out.insert(QStringLiteral("nextCursor"), stored->nextCursor);
    return HttpResponse::json(out);
}

HttpResponse HubLinkApi::invokeMethod(HttpRequest &request)
{
    const QString method = request.param(QStringLiteral("name"));
    if (!HubLink::isValidMethodName(method))
        return HttpResponse::error(ErrorCode::InvalidInput,
                                   QStringLiteral("method name must be 1..128 characters without '/', '+', '#' "
                                                  "and not 'res'"));
    QJsonValue payload = QJsonValue::Null;
    int timeout = 30;
    if (!request.body.trimmed().isEmpty()) {
        auto body = jsonBody(request);
        if (!body)
            return HttpResponse::error(body.error());
        JsonReader reader(*body);
        reader.allowOnly({"payload", "responseTimeoutInSeconds", "connectTimeoutInSeconds"});
        timeout = int(reader.optionalInt(QStringLiteral("responseTimeoutInSeconds"), 30, 1, 300));
        reader.optionalInt(QStringLiteral("connectTimeoutInSeconds"), 0, 0, 300); // accepted as Azure's; unused
        if (!reader.ok())
            return HttpResponse::error(reader.error());
        payload = body->value(QStringLiteral("payload"));
        if (payload.isUndefined())
            payload = QJsonValue::Null;
    }
    auto record = registered(request, true);
    if (!record)
        return HttpResponse::error(record.error());

    auto deferred = std::make_shared<DeferredResponse>();
    const QString trackingId = request.trackingId;
    const QString hub = record->state.assignedHub;
    m_link.invokeMethod(*record, method, payload, timeout,
                        [deferred, trackingId, hub, timeout](const HubLink::MethodOutcome &o) {
                            deferred->complete(methodOutcomeResponse(o, trackingId, hub, timeout));
                        });
    return HttpResponse::later(deferred);
}

} // namespace Provisio

// SPDX-License-Identifier: Apache-2.0
#include "hubapi.h"

#include "base/serviceconfig.h"
#include "requesthelpers.h"

#include "crypto/keys.h"
#include "domain/hubs.h"
#include "protocol/hub.h"
#include "protocol/timeutil.h"
#include "storage/hubstore.h"

#include <algorithm>

namespace Provisio {

namespace {
// As --hub-key-overlap's range: 30 days.
constexpr qint64 kMaxOverlapSeconds = 30LL * 24 * 3600;
} // namespace

namespace {
const QString kName = QStringLiteral("name");
// Hub keys sign device SAS tokens: at least 16 bytes when an operator brings
// their own (generated ones are 32, see Hubs).
constexpr int kMinimumKeyBytes = 16;

HttpResponse hubResponse(const Hub &hub, bool withKey, int status = 200)
{
    return Requests::recordResponse(hub.toJson(withKey), hub.etag, status);
}

// `link`: this instance's connection to the hub, the facts of
// GET /hubs/{name}/status, so a list needs no request per hub. Absent when
// the service runs without a hub link.
QJsonObject withLink(QJsonObject json, const ServiceContext &ctx, const QString &name)
{
    if (!ctx.hubLinkState)
        return json;
    const std::optional<HubLinkState> state = ctx.hubLinkState(name);
    const auto orNull = [](const QString &s) { return s.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(s); };
    json.insert(
        QStringLiteral("link"),
        QJsonObject{{QStringLiteral("enabled"), state.has_value()},
                    {QStringLiteral("connected"), state && state->connected},
                    {QStringLiteral("since"), state && state->since.isValid() ? QJsonValue(toIsoUtc(state->since))
                                                                              : QJsonValue(QJsonValue::Null)},
                    {QStringLiteral("lastError"), state ? orNull(state->lastError) : QJsonValue(QJsonValue::Null)}});
    return json;
}
} // namespace

void HubApi::registerRoutes(Router &router)
{
    using M = QHttpServerRequest::Method;
    const QString one = QStringLiteral("/api/v1/hubs/{name}");
    router.add(M::Get, QStringLiteral("/api/v1/hubs"), Access::Viewer, [this](HttpRequest &r) { return list(r); });
    router.add(M::Get, one, Access::Viewer, [this](HttpRequest &r) { return get(r); });
    router.add(M::Put, one, Access::Admin, [this](HttpRequest &r) { return put(r); });
    router.add(M::Delete, one, Access::Admin, [this](HttpRequest &r) { return remove(r); });
    router.add(M::Post, QStringLiteral("/api/v1/hubs/{name}/rotate-key"), Access::Admin,
               [this](HttpRequest &r) { return rotateKey(r); });
}

HttpResponse HubApi::list(HttpRequest &request)
{
    if (auto q = Requests::checkQuery(request, {QStringLiteral("limit"), QStringLiteral("cursor")}); !q)
        return HttpResponse::error(q.error());
    auto page = Requests::pageRequest(request);
    if (!page)
        return HttpResponse::error(page.error());
    m_ctx.hubs.invalidate();
    auto hubs = m_ctx.hubs.all();
    if (!hubs)
        return HttpResponse::error(hubs.error());
    // Few hubs, all cached by the store: paged in memory, by name in code
    // point order (the database's collation may order differently).
    QList<Hub> sorted = *hubs;
    std::sort(sorted.begin(), sorted.end(), [](const Hub &a, const Hub &b) { return a.name < b.name; });
    QJsonArray items;
    QString next;
    for (const Hub &h : sorted) {
        if (!page->afterKey.isEmpty() && h.name <= page->afterKey)
            continue;
        if (items.size() == page->limit) {
            next = encodeCursor(items.last().toObject().value(kName).toString());
            break;
        }
        items.append(withLink(h.toJson(false), m_ctx, h.name));
    }
    return Requests::listResponse(items, next);
}

HttpResponse HubApi::get(HttpRequest &request)
{
    auto hub = Hubs(m_ctx).current(request.param(kName));
    if (!hub)
        return HttpResponse::error(hub.error());
    return Requests::recordResponse(withLink(hub->toJson(false), m_ctx, hub->name), hub->etag);
}

HttpResponse HubApi::put(HttpRequest &request)
{
    const QString name = request.param(kName);
    if (!Hub::isValidName(name))
        return HttpResponse::error(ErrorCode::InvalidInput,
                                   QStringLiteral("hub name must be 1 to 64 letters, digits, '.', '_' or '-'"));
    auto body = Requests::jsonBody(request);
    if (!body)
        return HttpResponse::error(body.error());
    QJsonObject json = *body;
    if (json.contains(kName) && json.value(kName) != QJsonValue(name))
        return HttpResponse::error(ErrorCode::InvalidInput,
                                   QStringLiteral("field 'name' must be '%1', the name in the path").arg(name));
    // Read-only members a client may echo back from a GET.
    json.remove(QStringLiteral("etag"));
    json.remove(QStringLiteral("createdDateTimeUtc"));
    json.remove(QStringLiteral("lastUpdatedDateTimeUtc"));
    json.remove(QStringLiteral("link"));
    auto parsed = Hub::fromJson(json);
    if (!parsed)
        return HttpResponse::error(parsed.error());
    Hub hub = *parsed;
    hub.name = name;
    if (!hub.signingKey.isEmpty()) {
        auto key = Crypto::decodeKey(hub.signingKey);
        if (!key || key->size() < kMinimumKeyBytes)
            return HttpResponse::error(
                ErrorCode::InvalidInput,
                QStringLiteral("field 'signingKey' must be base64 of at least %1 bytes").arg(kMinimumKeyBytes));
    }

    auto saved = Hubs(m_ctx).put(hub, Requests::ifMatch(request), request.actor());
    if (!saved)
        return HttpResponse::error(saved.error());
    // The key is shown once: in the answer that created the hub.
    if (saved->created)
        return hubResponse(saved->hub, true, 201).withHeader("Location", "/api/v1/hubs/" + name.toUtf8());
    return hubResponse(saved->hub, false);
}

HttpResponse HubApi::remove(HttpRequest &request)
{
    const QString name = request.param(kName);
    if (auto q = Requests::checkQuery(request, {QStringLiteral("force")}); !q)
        return HttpResponse::error(q.error());
    auto force = Requests::queryFlag(request, QStringLiteral("force"));
    if (!force)
        return HttpResponse::error(force.error());
    if (auto r = Hubs(m_ctx).remove(name, Requests::ifMatch(request), *force, request.actor()); !r)
        return HttpResponse::error(r.error());
    return HttpResponse::noContent();
}

HttpResponse HubApi::rotateKey(HttpRequest &request)
{
    const QString name = request.param(kName);
    // The overlap in which the hub still accepts the replaced key; the
    // --hub-key-overlap default unless the request names one (0: hard cut).
    qint64 overlapSeconds = m_ctx.config.hubKeyOverlapSeconds;
    if (!request.body.trimmed().isEmpty()) {
        auto body = Requests::jsonBody(request);
        if (!body)
            return HttpResponse::error(body.error());
        JsonReader reader(*body);
        reader.allowOnly({"overlapSeconds"});
        overlapSeconds = reader.optionalInt(QStringLiteral("overlapSeconds"), overlapSeconds, 0, kMaxOverlapSeconds);
        if (!reader.ok())
            return HttpResponse::error(reader.error());
    }
    auto saved = Hubs(m_ctx).rotateKey(name, Requests::ifMatch(request), overlapSeconds, request.actor());
    if (!saved)
        return HttpResponse::error(saved.error());
    return hubResponse(*saved, true);
}

} // namespace Provisio

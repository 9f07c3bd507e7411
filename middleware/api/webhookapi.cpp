// SPDX-License-Identifier: Apache-2.0
#include "webhookapi.h"
#include "requesthelpers.h"

#include "base/serviceconfig.h"
#include "base/servicecontext.h"
#include "base/webhooktarget.h"
#include "crypto/keys.h"
#include "domain/eventbus.h"
#include "protocol/jsonmerge.h"
#include "protocol/jsonreader.h"

#include <QUrl>

namespace Provisio {

namespace {
constexpr qint64 kMaxBody = 64 * 1024;
constexpr int kMaxEvents = 50;
constexpr int kMaxDescription = 1000;
constexpr int kMinSecret = 16;
constexpr int kMaxSecret = 256;

const QString kSecret = QStringLiteral("secret");

bool isPrintableSecret(const QString &secret)
{
    return std::all_of(secret.cbegin(), secret.cend(),
                       [](QChar c) { return c.unicode() > 0x20 && c.unicode() < 0x7f; });
}

// A webhook from its JSON, validated as a whole. `secret` stays empty when
// the body has none (create generates one, updates keep the current one).
Result<Webhook> webhookFromJson(const QJsonObject &json, const WebhookTarget &target)
{
    JsonReader reader(json);
    reader.allowOnly({"url", "events", "secret", "enabled", "description"});
    Webhook w;
    w.url = reader.requiredString(QStringLiteral("url"));
    if (reader.ok()) {
        if (auto ok = target.checkUrl(w.url); !ok)
            reader.fail(QStringLiteral("url"), ok.error().message);
    }
    if (!reader.has(QStringLiteral("events")))
        reader.fail(QStringLiteral("events"),
                    QStringLiteral("is required (e.g. [\"registration.assigned\", \"device.*\"])"));
    const QStringList events = reader.optionalStringList(QStringLiteral("events"));
    if (reader.ok()) {
        if (events.isEmpty())
            reader.fail(QStringLiteral("events"), QStringLiteral("must name at least one event pattern"));
        else if (events.size() > kMaxEvents)
            reader.fail(QStringLiteral("events"), QStringLiteral("must have at most %1 patterns").arg(kMaxEvents));
        for (int i = 0; reader.ok() && i < events.size(); ++i) {
            if (!EventBus::isKnownPattern(events.at(i)))
                reader.fail(QStringLiteral("events[%1]").arg(i),
                            QStringLiteral("'%1' is not a known event type or category (use e.g. "
                                           "\"device.*\", \"registration.assigned\" or \"*\")")
                                .arg(events.at(i).left(80)));
            else if (!w.events.contains(events.at(i)))
                w.events << events.at(i);
        }
    }
    if (const auto secret = reader.maybeString(kSecret); secret && reader.ok()) {
        if (secret->size() < kMinSecret || secret->size() > kMaxSecret || !isPrintableSecret(*secret))
            reader.fail(kSecret, QStringLiteral("must be %1 to %2 printable ASCII characters without spaces")
                                     .arg(kMinSecret)
                                     .arg(kMaxSecret));
        else
            w.secret = *secret;
    }
    w.enabled = reader.optionalBool(QStringLiteral("enabled"), true);
    w.description = reader.optionalString(QStringLiteral("description"));
    if (reader.ok() && w.description.size() > kMaxDescription)
        reader.fail(QStringLiteral("description"),
                    QStringLiteral("must be at most %1 characters").arg(kMaxDescription));
    if (!reader.ok())
        return reader.error();
    return w;
}

// Members a client may send back unchanged from a GET, but never set.
void dropReadOnly(QJsonObject &json)
{
    for (const char *key : {"id", "etag", "createdDateTimeUtc", "lastUpdatedDateTimeUtc", "secretSet"})
        json.remove(QLatin1String(key));
}

HttpResponse webhookResponse(const Webhook &w, int status = 200, bool withSecret = false)
{
    QJsonObject body = w.toJson();
    if (withSecret)
        body.insert(kSecret, w.secret);
    return HttpResponse::json(body, status).withEtag(w.etag);
}

HttpResponse notFound(const QString &id)
{
    return HttpResponse::error(ErrorCode::NotFound, QStringLiteral("no webhook with id '%1'").arg(id));
}
} // namespace

void WebhookApi::registerRoutes(Router &router)
{
    using M = QHttpServerRequest::Method;
    const QString base = QStringLiteral("/api/v1/webhooks");
    const QString one = QStringLiteral("/api/v1/webhooks/{id}");
    router.add(
        M::Post, base, Access::Admin, [this](HttpRequest &r) { return create(r); }, kMaxBody);
    router.add(M::Get, base, Access::Admin, [this](HttpRequest &r) { return list(r); });
    router.add(M::Get, one, Access::Admin, [this](HttpRequest &r) { return get(r); });
    router.add(
        M::Put, one, Access::Admin, [this](HttpRequest &r) { return update(r, false); }, kMaxBody);
    router.add(
        M::Patch, one, Access::Admin, [this](HttpRequest &r) { return update(r, true); }, kMaxBody);
    router.add(M::Delete, one, Access::Admin, [this](HttpRequest &r) { return remove(r); });
    router.add(M::Get, QStringLiteral("/api/v1/webhooks/{id}/deliveries"), Access::Admin,
               [this](HttpRequest &r) { return deliveries(r); });
}

HttpResponse WebhookApi::create(HttpRequest &request)
{
    auto body = parseJsonObject(request.body);
    if (!body)
        return HttpResponse::error(body.error());
    if (body->contains(QStringLiteral("id")))
        return HttpResponse::error(ErrorCode::InvalidInput,
                                   QStringLiteral("field 'id' is assigned by the server; leave it out"));
    auto webhook = webhookFromJson(*body, WebhookTarget(WebhookTarget::rulesFrom(m_ctx.config)));
    if (!webhook)
        return HttpResponse::error(webhook.error());
    auto created = m_webhooks.create(*webhook, request.actor());
    if (!created)
        return HttpResponse::error(created.error());
    return webhookResponse(*created, 201, true).withHeader("Location", "/api/v1/webhooks/" + created->id.toUtf8());
}

HttpResponse WebhookApi::list(HttpRequest &request)
{
    if (auto q = Requests::checkQuery(request, {QStringLiteral("limit"), QStringLiteral("cursor")}); !q)
        return HttpResponse::error(q.error());
    auto page =
        parsePageRequest(request.queryValue(QStringLiteral("limit")), request.queryValue(QStringLiteral("cursor")));
    if (!page)
        return HttpResponse::error(page.error());
    auto result = m_store.list(*page);
    if (!result)
        return HttpResponse::error(result.error());
    QJsonArray items;
    for (const Webhook &w : std::as_const(result->items))
        items.append(w.toJson());
    return Requests::listResponse(items, result->nextCursor);
}

HttpResponse WebhookApi::get(HttpRequest &request)
{
    const QString id = request.param(QStringLiteral("id"));
    auto found = m_store.find(id);
    if (!found)
        return HttpResponse::error(found.error());
    if (!found->has_value())
        return notFound(id);
    return webhookResponse(**found);
}

HttpResponse WebhookApi::update(HttpRequest &request, bool merge)
{
    const QString id = request.param(QStringLiteral("id"));
    auto body = parseJsonObject(request.body);
    if (!body)
        return HttpResponse::error(body.error());
    const QJsonObject input = *body;
    const auto build = [&](const QJsonObject &current) -> Result<Webhook> {
        QJsonObject json = merge ? jsonMergePatch(current, input) : input;
        if (json.contains(QStringLiteral("id")) && json.value(QStringLiteral("id")) != QJsonValue(id))
            return Error(ErrorCode::InvalidInput,
                         QStringLiteral("field 'id' must be '%1', the id in the path").arg(id));
        dropReadOnly(json);
        return webhookFromJson(json, WebhookTarget(WebhookTarget::rulesFrom(m_ctx.config)));
    };
    if (!merge) {
        // A bad body is reported as such even for an unknown id.
        if (auto checked = build({}); !checked)
            return HttpResponse::error(checked.error());
    }
    auto updated = m_webhooks.update(id, request.header("If-Match"), request.actor(),
                                     [&](const Webhook &current) { return build(current.toJson()); });
    if (!updated)
        return HttpResponse::error(updated.error());
    return webhookResponse(*updated);
}

HttpResponse WebhookApi::remove(HttpRequest &request)
{
    auto removed = m_webhooks.remove(request.param(QStringLiteral("id")), request.header("If-Match"), request.actor());
    if (!removed)
        return HttpResponse::error(removed.error());
    return HttpResponse::noContent();
}

HttpResponse WebhookApi::deliveries(HttpRequest &request)
{
    if (auto q = Requests::checkQuery(request,
                                      {QStringLiteral("status"), QStringLiteral("limit"), QStringLiteral("cursor")});
        !q)
        return HttpResponse::error(q.error());
    const QString status = request.queryValue(QStringLiteral("status"));
    if (!status.isEmpty() && status != QLatin1String("pending") && status != QLatin1String("delivered") &&
        status != QLatin1String("failed"))
        return HttpResponse::error(ErrorCode::InvalidInput,
                                   QStringLiteral("status must be pending, delivered or failed"));
    auto page =
        parsePageRequest(request.queryValue(QStringLiteral("limit")), request.queryValue(QStringLiteral("cursor")));
    if (!page)
        return HttpResponse::error(page.error());
    const QString id = request.param(QStringLiteral("id"));
    auto found = m_store.find(id);
    if (!found)
        return HttpResponse::error(found.error());
    if (!found->has_value())
        return notFound(id);
    auto result = m_store.deliveries(id, status, *page);
    if (!result)
        return HttpResponse::error(result.error());
    QJsonArray items;
    for (const WebhookDelivery &d : std::as_const(result->items))
        items.append(d.toJson());
    return Requests::listResponse(items, result->nextCursor);
}

} // namespace Provisio

// SPDX-License-Identifier: Apache-2.0
#include "hubapi.h"
#include "crmrequest.h"

#include "crypto/keys.h"
#include "protocol/hub.h"
#include "protocol/timeutil.h"
#include "storage/auditlog.h"
#include "storage/database.h"
#include "storage/hubstore.h"

#include <algorithm>

namespace Provisio {

namespace {
const QString kName = QStringLiteral("name");
const QString kEntity = QStringLiteral("hub");
// Hub keys sign device SAS tokens: 32 random bytes as DESIGN.md asks, and at
// least 16 when an operator brings their own.
constexpr int kGeneratedKeyBytes = 32;
constexpr int kMinimumKeyBytes = 16;

HttpResponse hubResponse(const Hub &hub, bool withKey, int status = 200)
{
    return Crm::recordResponse(hub.toJson(withKey), hub.etag, status);
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

Result<Hub> HubApi::current(const QString &name)
{
    m_ctx.hubs.invalidate();
    auto found = m_ctx.hubs.find(name);
    if (!found)
        return found.error();
    if (!found->has_value())
        return Error(ErrorCode::NotFound, QStringLiteral("no hub named '%1'").arg(name));
    return **found;
}

HttpResponse HubApi::list(HttpRequest &request)
{
    if (auto q = Crm::checkQuery(request, {QStringLiteral("limit"), QStringLiteral("cursor")}); !q)
        return HttpResponse::error(q.error());
    auto page = Crm::pageRequest(request);
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
    return Crm::listResponse(items, next);
}

HttpResponse HubApi::get(HttpRequest &request)
{
    auto hub = current(request.param(kName));
    if (!hub)
        return HttpResponse::error(hub.error());
    return Crm::recordResponse(withLink(hub->toJson(false), m_ctx, hub->name), hub->etag);
}

HttpResponse HubApi::put(HttpRequest &request)
{
    const QString name = request.param(kName);
    if (!Hub::isValidName(name))
        return HttpResponse::error(ErrorCode::InvalidInput,
                                   QStringLiteral("hub name must be 1 to 64 letters, digits, '.', '_' or '-'"));
    auto body = Crm::jsonBody(request);
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

    Transaction tx(m_ctx.db);
    if (!tx.isActive())
        return HttpResponse::error(commitFailed());
    m_ctx.hubs.invalidate();
    auto all = m_ctx.hubs.all();
    if (!all)
        return HttpResponse::error(all.error());
    std::optional<Hub> existing;
    for (const Hub &h : *all) {
        if (h.name == name)
            existing = h;
        else if (h.host.compare(hub.host, Qt::CaseInsensitive) == 0)
            // Devices and tokens name their hub by host: two links with one
            // host would make assignments ambiguous.
            return HttpResponse::error(ErrorCode::Conflict,
                                       QStringLiteral("hub '%1' already has host '%2'").arg(h.name, h.host));
    }
    const QByteArray ifMatch = Crm::ifMatch(request);
    if (existing ? !ifMatchSatisfied(ifMatch, existing->etag) : !ifMatch.isEmpty())
        return HttpResponse::error(ErrorCode::PreconditionFailed,
                                   QStringLiteral("If-Match does not match the current etag of hub '%1'").arg(name));
    if (hub.signingKey.isEmpty())
        hub.signingKey = existing ? existing->signingKey : Crypto::generateSymmetricKey(kGeneratedKeyBytes);
    auto saved = m_ctx.hubs.upsert(hub, existing ? existing->etag : QString());
    if (!saved)
        return HttpResponse::error(saved.error());
    if (auto a =
            m_ctx.audit.record(request.actor(), existing ? QStringLiteral("update") : QStringLiteral("create"), kEntity,
                               name, existing ? existing->toJson(false) : QJsonObject(), saved->toJson(false));
        !a)
        return HttpResponse::error(a.error());
    if (!tx.commit())
        return HttpResponse::error(commitFailed());
    m_ctx.hubs.invalidate();
    // The key is shown once: in the answer that created the hub.
    if (!existing)
        return hubResponse(*saved, true, 201).withHeader("Location", "/api/v1/hubs/" + name.toUtf8());
    return hubResponse(*saved, false);
}

HttpResponse HubApi::remove(HttpRequest &request)
{
    const QString name = request.param(kName);
    if (auto q = Crm::checkQuery(request, {QStringLiteral("force")}); !q)
        return HttpResponse::error(q.error());
    auto force = Crm::queryFlag(request, QStringLiteral("force"));
    if (!force)
        return HttpResponse::error(force.error());
    Transaction tx(m_ctx.db);
    if (!tx.isActive())
        return HttpResponse::error(commitFailed());
    auto hub = current(name);
    if (!hub)
        return HttpResponse::error(hub.error());
    if (!ifMatchSatisfied(Crm::ifMatch(request), hub->etag))
        return HttpResponse::error(ErrorCode::PreconditionFailed,
                                   QStringLiteral("If-Match does not match the current etag of hub '%1'").arg(name));
    auto assigned = m_ctx.hubs.assignedRegistrations(hub->host);
    if (!assigned)
        return HttpResponse::error(assigned.error());
    if (*assigned > 0 && !*force)
        return HttpResponse::error(ErrorCode::Conflict,
                                   QStringLiteral("%1 registration(s) are assigned to hub '%2'; reprovision "
                                                  "them first or delete with ?force=true")
                                       .arg(*assigned)
                                       .arg(name));
    if (auto r = m_ctx.hubs.remove(name, hub->etag); !r)
        return HttpResponse::error(r.error());
    if (auto a = m_ctx.audit.record(request.actor(), QStringLiteral("delete"), kEntity, name, hub->toJson(false)); !a)
        return HttpResponse::error(a.error());
    if (!tx.commit())
        return HttpResponse::error(commitFailed());
    m_ctx.hubs.invalidate();
    return HttpResponse::noContent();
}

HttpResponse HubApi::rotateKey(HttpRequest &request)
{
    const QString name = request.param(kName);
    if (!request.body.trimmed().isEmpty()) {
        auto body = Crm::jsonBody(request);
        if (!body)
            return HttpResponse::error(body.error());
        JsonReader reader(*body);
        reader.allowOnly(QStringList{});
        if (!reader.ok())
            return HttpResponse::error(reader.error());
    }
    Transaction tx(m_ctx.db);
    if (!tx.isActive())
        return HttpResponse::error(commitFailed());
    auto hub = current(name);
    if (!hub)
        return HttpResponse::error(hub.error());
    if (!ifMatchSatisfied(Crm::ifMatch(request), hub->etag))
        return HttpResponse::error(ErrorCode::PreconditionFailed,
                                   QStringLiteral("If-Match does not match the current etag of hub '%1'").arg(name));
    const Hub before = *hub;
    Hub next = before;
    next.signingKey = Crypto::generateSymmetricKey(kGeneratedKeyBytes);
    auto saved = m_ctx.hubs.upsert(next, before.etag);
    if (!saved)
        return HttpResponse::error(saved.error());
    if (auto a = m_ctx.audit.record(request.actor(), QStringLiteral("rotateKey"), kEntity, name, before.toJson(false),
                                    saved->toJson(false));
        !a)
        return HttpResponse::error(a.error());
    if (!tx.commit())
        return HttpResponse::error(commitFailed());
    m_ctx.hubs.invalidate();
    return hubResponse(*saved, true);
}

} // namespace Provisio

// SPDX-License-Identifier: Apache-2.0
#include "accesspolicyapi.h"
#include "requesthelpers.h"

#include "base/serviceconfig.h"
#include "domain/accesspolicies.h"
#include "protocol/jsonreader.h"
#include "storage/hubstore.h"

namespace Provisio {

void AccessPolicyApi::registerRoutes(Router &router)
{
    using M = QHttpServerRequest::Method;
    const QString base = QStringLiteral("/api/v1/access-policies");
    router.add(M::Get, base, Access::Admin, [this](HttpRequest &r) { return list(r); });
    router.add(
        M::Post, base, Access::Admin, [this](HttpRequest &r) { return create(r); }, 16 * 1024);
    router.add(M::Delete, base + QStringLiteral("/{idOrName}"), Access::Admin,
               [this](HttpRequest &r) { return revoke(r); });
}

HttpResponse AccessPolicyApi::list(HttpRequest &request)
{
    if (auto q = Requests::checkQuery(request, {QStringLiteral("limit"), QStringLiteral("cursor")}); !q)
        return HttpResponse::error(q.error());
    auto page = Requests::pageRequest(request);
    if (!page)
        return HttpResponse::error(page.error());
    auto all = AccessPolicyStore(m_ctx.db).list();
    if (!all)
        return HttpResponse::error(all.error());
    // Few policies: paged in memory in the store's order; the cursor is the
    // id of the last policy shown.
    qsizetype start = 0;
    if (!page->afterKey.isEmpty()) {
        start = -1;
        for (qsizetype i = 0; i < all->size(); ++i) {
            if (all->at(i).id == page->afterKey)
                start = i + 1;
        }
        if (start < 0)
            return HttpResponse::error(ErrorCode::InvalidInput, QStringLiteral("cursor is not valid"));
    }
    QJsonArray items;
    QString next;
    for (qsizetype i = start; i < all->size(); ++i) {
        if (items.size() == page->limit) {
            next = encodeCursor(all->at(i - 1).id);
            break;
        }
        items.append(all->at(i).toJson());
    }
    // As Requests::listResponse, plus the provisioning service's HostName
    // for connection strings.
    QJsonObject body{{QStringLiteral("items"), items}, {QStringLiteral("serviceHost"), m_ctx.config.serviceHost}};
    if (!next.isEmpty())
        body.insert(QStringLiteral("nextCursor"), next);
    return HttpResponse::json(body);
}

HttpResponse AccessPolicyApi::create(HttpRequest &request)
{
    auto body = Requests::jsonBody(request);
    if (!body)
        return HttpResponse::error(body.error());
    JsonReader reader(*body);
    reader.allowOnly({"name", "hub", "rights"});
    const QString name = reader.requiredString(QStringLiteral("name"));
    const QString hub = reader.optionalString(QStringLiteral("hub"));
    const QStringList rights = reader.optionalStringList(QStringLiteral("rights"));
    if (!reader.ok())
        return HttpResponse::error(reader.error());
    QString host = m_ctx.config.serviceHost;
    if (!hub.isEmpty()) {
        auto found = m_ctx.hubs.find(hub);
        if (!found)
            return HttpResponse::error(found.error());
        if (!*found)
            return HttpResponse::error(ErrorCode::NotFound, QStringLiteral("no hub '%1'").arg(hub));
        host = (*found)->host;
    }
    auto created = AccessPolicies(m_ctx).create(name, hub, rights, request.actor());
    if (!created)
        return HttpResponse::error(created.error());
    QJsonObject out = created->info.toJson();
    out.insert(QStringLiteral("key"), created->key);
    out.insert(QStringLiteral("connectionString"),
               QStringLiteral("HostName=%1;SharedAccessKeyName=%2;SharedAccessKey=%3")
                   .arg(host, created->info.name, created->key));
    return HttpResponse::json(out, 201).withHeader("Location", "/api/v1/access-policies/" + created->info.id.toUtf8());
}

HttpResponse AccessPolicyApi::revoke(HttpRequest &request)
{
    if (auto q = Requests::checkQuery(request, {QStringLiteral("hub")}); !q)
        return HttpResponse::error(q.error());
    auto revoked = AccessPolicies(m_ctx).revoke(request.param(QStringLiteral("idOrName")),
                                                request.queryValue(QStringLiteral("hub")), request.actor());
    if (!revoked)
        return HttpResponse::error(revoked.error());
    return HttpResponse::json(revoked->toJson());
}

} // namespace Provisio

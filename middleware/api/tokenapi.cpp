// SPDX-License-Identifier: Apache-2.0
#include "tokenapi.h"
#include "requesthelpers.h"

#include "domain/tokens.h"
#include "protocol/jsonreader.h"
#include "storage/tokenstore.h"

namespace Provisio {

void TokenApi::registerRoutes(Router &router)
{
    using M = QHttpServerRequest::Method;
    const QString base = QStringLiteral("/api/v1/tokens");
    router.add(M::Get, base, Access::Admin, [this](HttpRequest &r) { return list(r); });
    router.add(M::Post, base, Access::Admin, [this](HttpRequest &r) { return create(r); });
    router.add(M::Delete, QStringLiteral("/api/v1/tokens/{idOrName}"), Access::Admin,
               [this](HttpRequest &r) { return revoke(r); });
}

HttpResponse TokenApi::list(HttpRequest &request)
{
    if (auto q = Requests::checkQuery(request, {QStringLiteral("limit"), QStringLiteral("cursor")}); !q)
        return HttpResponse::error(q.error());
    auto page = Requests::pageRequest(request);
    if (!page)
        return HttpResponse::error(page.error());
    auto tokens = m_ctx.tokens.list();
    if (!tokens)
        return HttpResponse::error(tokens.error());
    // Few tokens: paged in memory in the store's order; the cursor is the id
    // of the last token shown.
    qsizetype start = 0;
    if (!page->afterKey.isEmpty()) {
        start = -1;
        for (qsizetype i = 0; i < tokens->size(); ++i) {
            if (tokens->at(i).id == page->afterKey)
                start = i + 1;
        }
        if (start < 0)
            return HttpResponse::error(ErrorCode::InvalidInput, QStringLiteral("cursor is not valid"));
    }
    QJsonArray items;
    QString next;
    for (qsizetype i = start; i < tokens->size(); ++i) {
        if (items.size() == page->limit) {
            next = encodeCursor(tokens->at(i - 1).id);
            break;
        }
        items.append(tokens->at(i).toJson());
    }
    return Requests::listResponse(items, next);
}

HttpResponse TokenApi::create(HttpRequest &request)
{
    auto body = Requests::jsonBody(request);
    if (!body)
        return HttpResponse::error(body.error());
    JsonReader reader(*body);
    reader.allowOnly({"role", "name"});
    const QString roleText = reader.requiredString(QStringLiteral("role"));
    const QString name = reader.optionalString(QStringLiteral("name")).trimmed();
    const std::optional<Role> role = parseRole(roleText);
    if (reader.ok() && !role)
        reader.fail(QStringLiteral("role"), QStringLiteral("must be one of viewer, operator, admin"));
    if (!reader.ok())
        return HttpResponse::error(reader.error());

    auto created = Tokens(m_ctx).create(*role, name, request.actor());
    if (!created)
        return HttpResponse::error(created.error());
    QJsonObject out = created->info.toJson();
    out.insert(QStringLiteral("token"), created->token);
    // The token's address for DELETE; by id, as names may be reused once revoked.
    return HttpResponse::json(out, 201).withHeader("Location", "/api/v1/tokens/" + created->info.id.toUtf8());
}

HttpResponse TokenApi::revoke(HttpRequest &request)
{
    auto revoked = Tokens(m_ctx).revoke(request.param(QStringLiteral("idOrName")), request.actor());
    if (!revoked)
        return HttpResponse::error(revoked.error());
    return HttpResponse::noContent();
}

} // namespace Provisio

// SPDX-License-Identifier: Apache-2.0
#include "customerapi.h"
#include "requesthelpers.h"

#include "protocol/jsonmerge.h"

namespace Provisio {

namespace {
const QString kId = QStringLiteral("id");

// Members a client may send back unchanged from a GET, but never set.
void dropReadOnly(QJsonObject &json)
{
    json.remove(QStringLiteral("etag"));
    json.remove(QStringLiteral("createdDateTimeUtc"));
    json.remove(QStringLiteral("lastUpdatedDateTimeUtc"));
}

HttpResponse customerResponse(const Customer &c, int status = 200)
{
    return Requests::recordResponse(c.toJson(), c.etag, status);
}
} // namespace

CustomerApi::CustomerApi(ServiceContext &ctx) : m_customers(ctx) { }

void CustomerApi::registerRoutes(Router &router)
{
    using M = QHttpServerRequest::Method;
    const QString base = QStringLiteral("/api/v1/customers");
    const QString one = QStringLiteral("/api/v1/customers/{id}");
    router.add(M::Post, base, Access::Operator, [this](HttpRequest &r) { return create(r); });
    router.add(M::Get, base, Access::Viewer, [this](HttpRequest &r) { return list(r); });
    router.add(M::Get, one, Access::Viewer, [this](HttpRequest &r) { return get(r); });
    router.add(M::Put, one, Access::Operator, [this](HttpRequest &r) { return replace(r); });
    router.add(M::Patch, one, Access::Operator, [this](HttpRequest &r) { return patch(r); });
    router.add(M::Delete, one, Access::Operator, [this](HttpRequest &r) { return remove(r); });
}

HttpResponse CustomerApi::create(HttpRequest &request)
{
    auto body = Requests::jsonBody(request);
    if (!body)
        return HttpResponse::error(body.error());
    if (body->contains(kId))
        return HttpResponse::error(ErrorCode::InvalidInput,
                                   QStringLiteral("field 'id' is assigned by the server; leave it out"));
    dropReadOnly(*body);
    auto customer = Customer::fromJson(*body);
    if (!customer)
        return HttpResponse::error(customer.error());
    auto created = m_customers.create(*customer, request.actor());
    if (!created)
        return HttpResponse::error(created.error());
    return customerResponse(*created, 201).withHeader("Location", "/api/v1/customers/" + created->id.toUtf8());
}

HttpResponse CustomerApi::list(HttpRequest &request)
{
    if (auto q =
            Requests::checkQuery(request, {QStringLiteral("q"), QStringLiteral("limit"), QStringLiteral("cursor")});
        !q)
        return HttpResponse::error(q.error());
    auto page = Requests::pageRequest(request);
    if (!page)
        return HttpResponse::error(page.error());
    auto result = m_customers.store().list(request.queryValue(QStringLiteral("q")), *page);
    if (!result)
        return HttpResponse::error(result.error());
    QJsonArray items;
    for (const Customer &c : result->items)
        items.append(c.toJson());
    return Requests::listResponse(items, result->nextCursor);
}

HttpResponse CustomerApi::get(HttpRequest &request)
{
    const QString id = request.param(kId);
    auto found = m_customers.store().find(id);
    if (!found)
        return HttpResponse::error(found.error());
    if (!found->has_value())
        return HttpResponse::error(ErrorCode::NotFound, QStringLiteral("no customer with id '%1'").arg(id));
    return customerResponse(**found);
}

HttpResponse CustomerApi::update(HttpRequest &request, bool merge)
{
    const QString id = request.param(kId);
    auto body = Requests::jsonBody(request);
    if (!body)
        return HttpResponse::error(body.error());
    const QJsonObject input = *body;
    // PUT: the new record is the body; PATCH: the body merged onto the
    // current record. Either way it is validated as a whole.
    const auto build = [&](const QJsonObject &current) -> Result<Customer> {
        QJsonObject json = merge ? jsonMergePatch(current, input) : input;
        if (json.contains(kId) && json.value(kId) != QJsonValue(id))
            return Error(ErrorCode::InvalidInput,
                         QStringLiteral("field 'id' must be '%1', the id in the path").arg(id));
        json.remove(kId);
        dropReadOnly(json);
        return Customer::fromJson(json);
    };
    if (!merge) {
        // A bad body is reported as such even for an unknown id.
        if (auto checked = build({}); !checked)
            return HttpResponse::error(checked.error());
    }
    auto updated = m_customers.update(id, Requests::ifMatch(request), request.actor(),
                                      [&](const Customer &current) { return build(current.toJson()); });
    if (!updated)
        return HttpResponse::error(updated.error());
    return customerResponse(*updated);
}

HttpResponse CustomerApi::replace(HttpRequest &request)
{
    return update(request, false);
}

HttpResponse CustomerApi::patch(HttpRequest &request)
{
    return update(request, true);
}

HttpResponse CustomerApi::remove(HttpRequest &request)
{
    auto removed = m_customers.remove(request.param(kId), Requests::ifMatch(request), request.actor());
    if (!removed)
        return HttpResponse::error(removed.error());
    return HttpResponse::noContent();
}

} // namespace Provisio

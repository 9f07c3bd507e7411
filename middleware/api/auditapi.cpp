// SPDX-License-Identifier: Apache-2.0
#include "auditapi.h"
#include "crmrequest.h"

#include "protocol/timeutil.h"
#include "storage/auditlog.h"

namespace Provisio {

void AuditApi::registerRoutes(Router &router)
{
    router.add(QHttpServerRequest::Method::Get, QStringLiteral("/api/v1/audit"), Access::Viewer,
               [this](HttpRequest &r) { return list(r); });
}

HttpResponse AuditApi::list(HttpRequest &request)
{
    if (auto q = Crm::checkQuery(request, {QStringLiteral("entityType"), QStringLiteral("entityId"),
                                           QStringLiteral("actor"), QStringLiteral("since"),
                                           QStringLiteral("limit"), QStringLiteral("cursor")});
        !q)
        return HttpResponse::error(q.error());
    auto page = Crm::pageRequest(request);
    if (!page)
        return HttpResponse::error(page.error());
    AuditLog::Filter filter;
    filter.entityType = request.queryValue(QStringLiteral("entityType"));
    filter.entityId = request.queryValue(QStringLiteral("entityId"));
    filter.actor = request.queryValue(QStringLiteral("actor"));
    const QString since = request.queryValue(QStringLiteral("since"));
    if (!since.isEmpty()) {
        // Normalised to the stored form: the log compares timestamps as text,
        // and "…00Z" would sort after "…00.000Z".
        const auto parsed = fromIsoUtc(since);
        if (!parsed)
            return HttpResponse::error(ErrorCode::InvalidInput,
                                       QStringLiteral("query parameter 'since' must be an ISO-8601 timestamp "
                                                      "with a zone, e.g. 2024-05-01T12:00:00Z"));
        filter.since = toIsoUtc(*parsed);
    }
    // One more than asked for tells whether another page follows.
    PageRequest probe = *page;
    probe.limit = page->limit + 1;
    auto entries = m_ctx.audit.list(filter, probe);
    if (!entries)
        return HttpResponse::error(entries.error());
    QJsonArray items;
    QString next;
    qint64 lastId = 0;
    for (const AuditLog::Entry &e : *entries) {
        if (items.size() == page->limit) {
            next = encodeCursor(QString::number(lastId));
            break;
        }
        items.append(e.toJson());
        lastId = e.id;
    }
    return Crm::listResponse(items, next);
}

} // namespace Provisio

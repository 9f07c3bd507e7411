// SPDX-License-Identifier: Apache-2.0
#include "auditapi.h"
#include "requesthelpers.h"
#include "storage/recordutil.h"

#include "base/principal.h"
#include "domain/visibility.h"
#include "protocol/timeutil.h"
#include "storage/auditlog.h"

namespace Provisio {

void AuditApi::registerRoutes(Router &router)
{
    router.add(QHttpServerRequest::Method::Get, QStringLiteral("/api/v1/audit"), Access::Viewer,
               [this](HttpRequest &r) { return list(r); });
}

namespace {
// Audit timestamps are compared as text, so a bound is normalised to the
// stored form: "…00Z" would sort after "…00.000Z".
Result<QString> timeBound(const HttpRequest &request, const QString &name, QDateTime *parsedOut)
{
    if (!request.hasQuery(name))
        return QString();
    const auto parsed = fromIsoUtc(request.queryValue(name));
    if (!parsed)
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("query parameter '%1' must be an ISO-8601 timestamp with a zone, "
                                    "e.g. 2024-05-01T12:00:00Z")
                         .arg(name));
    *parsedOut = *parsed;
    return toIsoUtc(*parsed);
}

// Actions are identifiers (create, sell, issueActivationCode, ...); anything
// else can match nothing and is most likely a client bug, so it is refused.
bool isActionName(const QString &action)
{
    if (action.isEmpty() || action.size() > 64)
        return false;
    for (const QChar c : action) {
        if (!(c.isLetterOrNumber() && c.unicode() < 128) && c != QLatin1Char('.') && c != QLatin1Char('_') &&
            c != QLatin1Char('-'))
            return false;
    }
    return true;
}
} // namespace

HttpResponse AuditApi::list(HttpRequest &request)
{
    if (auto q =
            Requests::checkQuery(request, {QStringLiteral("entityType"), QStringLiteral("entityId"),
                                           QStringLiteral("actor"), QStringLiteral("action"), QStringLiteral("since"),
                                           QStringLiteral("until"), QStringLiteral("limit"), QStringLiteral("cursor")});
        !q)
        return HttpResponse::error(q.error());
    auto page = Requests::pageRequest(request);
    if (!page)
        return HttpResponse::error(page.error());
    AuditLog::Filter filter;
    filter.entityType = request.queryValue(QStringLiteral("entityType"));
    filter.entityId = request.queryValue(QStringLiteral("entityId"));
    filter.actor = request.queryValue(QStringLiteral("actor"));
    if (request.hasQuery(QStringLiteral("action"))) {
        filter.action = request.queryValue(QStringLiteral("action"));
        if (!isActionName(filter.action))
            return HttpResponse::error(ErrorCode::InvalidInput,
                                       QStringLiteral("query parameter 'action' must be an action name such as "
                                                      "'create' or 'sell' (1..64 letters, digits, '.', '_', '-')"));
    }
    QDateTime sinceAt;
    QDateTime untilAt;
    auto since = timeBound(request, QStringLiteral("since"), &sinceAt);
    if (!since)
        return HttpResponse::error(since.error());
    auto until = timeBound(request, QStringLiteral("until"), &untilAt);
    if (!until)
        return HttpResponse::error(until.error());
    if (sinceAt.isValid() && untilAt.isValid() && untilAt <= sinceAt)
        return HttpResponse::error(ErrorCode::InvalidInput,
                                   QStringLiteral("query parameter 'until' must be later than 'since'"));
    filter.since = *since;
    filter.until = *until;
    // One more than asked for tells whether another page follows.
    PageRequest probe = *page;
    probe.limit = page->limit + 1;
    auto entries = m_ctx.audit.list(filter, probe);
    if (!entries)
        return HttpResponse::error(entries.error());
    // What the caller's role may see of each record (Visibility).
    const Role role = request.principal ? request.principal->role : Role::Viewer;
    // Where a failed custom allocation went (internal host, port, status) is
    // for operators: viewers see that it failed and its tracking id.
    const bool operatorOrAbove = int(role) >= int(Role::Operator);
    QJsonArray items;
    QString next;
    for (const AuditLog::Entry &e : *entries) {
        if (items.size() == page->limit) {
            next = encodeCursor(AuditLog::cursorKey(entries->at(items.size() - 1)));
            break;
        }
        QJsonObject item = Visibility::auditEntry(role, e).toJson();
        if (!operatorOrAbove && e.action == QLatin1String("allocationFailed"))
            item.insert(QStringLiteral("after"),
                        QJsonObject{{QStringLiteral("trackingId"), e.after.value(QStringLiteral("trackingId"))}});
        if (e.unreadable)
            item = Requests::unreadableItem(
                item, unreadableMessage(QStringLiteral("audit entry"), QString::number(e.id),
                                        QStringLiteral("it is listed without its record (audit entries are kept as "
                                                       "written)")));
        items.append(item);
    }
    return Requests::listResponse(items, next);
}

} // namespace Provisio

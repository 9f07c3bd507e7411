// SPDX-License-Identifier: Apache-2.0
#include "crmrequest.h"

#include "protocol/jsonreader.h"

namespace Provisio::Crm {

Result<QJsonObject> jsonBody(const HttpRequest &request)
{
    return parseJsonObject(request.body);
}

Result<void> checkQuery(const HttpRequest &request, const QStringList &allowed)
{
    const auto items = request.query.queryItems(QUrl::FullyDecoded);
    for (const auto &item : items) {
        if (!allowed.contains(item.first))
            return Error(ErrorCode::InvalidInput, QStringLiteral("unknown query parameter '%1' (allowed: %2)")
                                                      .arg(item.first.left(40), allowed.join(QLatin1String(", "))));
    }
    return {};
}

Result<PageRequest> pageRequest(const HttpRequest &request)
{
    return parsePageRequest(request.queryValue(QStringLiteral("limit")), request.queryValue(QStringLiteral("cursor")));
}

Result<bool> queryFlag(const HttpRequest &request, const QString &name, bool def)
{
    if (!request.hasQuery(name))
        return def;
    const QString v = request.queryValue(name);
    if (v == QLatin1String("true") || v == QLatin1String("1"))
        return true;
    if (v == QLatin1String("false") || v == QLatin1String("0"))
        return false;
    return Error(ErrorCode::InvalidInput, QStringLiteral("query parameter '%1' must be true or false").arg(name));
}

HttpResponse listResponse(const QJsonArray &items, const QString &nextCursor)
{
    QJsonObject body{{QStringLiteral("items"), items}};
    if (!nextCursor.isEmpty())
        body.insert(QStringLiteral("nextCursor"), nextCursor);
    return HttpResponse::json(body);
}

HttpResponse recordResponse(const QJsonObject &record, const QString &etag, int status)
{
    HttpResponse r = HttpResponse::json(record, status);
    if (!etag.isEmpty())
        r.withEtag(etag);
    return r;
}

} // namespace Provisio::Crm

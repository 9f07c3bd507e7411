// SPDX-License-Identifier: Apache-2.0
#include "requesthelpers.h"

#include "crypto/registrationid.h"
#include "domain/enrollmentkeys.h"
#include "domain/visibility.h"
#include "protocol/jsonreader.h"

#include "protocol/jsonreader.h"

namespace Provisio::Requests {

Result<QJsonObject> jsonBody(const HttpRequest &request)
{
    return parseJsonObject(request.body);
}

Result<void> noOptionsBody(const HttpRequest &request)
{
    if (request.body.trimmed().isEmpty())
        return {};
    auto body = jsonBody(request);
    if (!body)
        return body.error();
    JsonReader reader(*body);
    reader.allowOnly(QStringList{});
    if (!reader.ok())
        return reader.error();
    return {};
}

Result<QString> registrationIdParam(const HttpRequest &request, const QString &name)
{
    const QString id = request.param(name);
    if (auto valid = Crypto::validateRegistrationId(id); !valid)
        return valid.error();
    return Crypto::normalizeRegistrationId(id);
}

Result<TwinPatch> twinPatchBody(const HttpRequest &request)
{
    auto body = jsonBody(request);
    if (!body)
        return body.error();
    JsonReader reader(*body);
    reader.allowOnly({"tags", "desired"});
    TwinPatch patch;
    patch.tags = reader.optionalObject(QStringLiteral("tags"));
    patch.desired = reader.optionalObject(QStringLiteral("desired"));
    for (auto it = patch.desired.begin(); it != patch.desired.end(); ++it) {
        if (it.key().startsWith(QLatin1Char('$')))
            reader.fail(QStringLiteral("desired"),
                        QStringLiteral("must not set '%1': names starting with '$' are reserved").arg(it.key()));
    }
    if (reader.ok() && patch.tags.isEmpty() && patch.desired.isEmpty())
        reader.fail(QString(), QStringLiteral("must patch 'tags' or 'desired'"));
    if (!reader.ok())
        return reader.error();
    return patch;
}

bool mayReadKeys(const HttpRequest &request)
{
    return request.principal && int(request.principal->role) >= int(Role::Operator);
}

QJsonObject withoutWebhookSecrets(QJsonObject record)
{
    const QString kCustom = QStringLiteral("customAllocationDefinition");
    const QString kUrl = QStringLiteral("webhookUrl");
    QJsonObject custom = record.value(kCustom).toObject();
    if (custom.contains(kUrl)) {
        custom.insert(kUrl, Visibility::redactUrl(custom.value(kUrl).toString()));
        record.insert(kCustom, custom);
    }
    return record;
}

QJsonObject presentEnrollment(const HttpRequest &request, const QJsonObject &record)
{
    return mayReadKeys(request) ? record : withoutWebhookSecrets(enrollmentWithoutKeys(record));
}

QJsonObject unreadableItem(QJsonObject columns, const QString &message)
{
    columns.insert(QStringLiteral("unreadable"), true);
    columns.insert(QStringLiteral("error"),
                   QJsonObject{{QStringLiteral("errorCode"), errorCodeName(ErrorCode::Conflict)},
                               {QStringLiteral("message"), message}});
    return columns;
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

} // namespace Provisio::Requests

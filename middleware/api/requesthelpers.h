// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"
#include "http/httprequest.h"
#include "http/httpresponse.h"
#include "storage/recordutil.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>

namespace Provisio::Requests {

// The request and response conventions every HTTP module shares (CRM
// records, enrollments, registrations, the device API), so no two handlers
// answer bad input, paging or If-Match differently.

// The body as one JSON object (400 on an empty or malformed body).
Result<QJsonObject> jsonBody(const HttpRequest &request);

// A route that takes no options yet: an empty body or {} is fine, anything
// else (a typo, an option this version does not know) is refused.
Result<void> noOptionsBody(const HttpRequest &request);

// A registration id from the path: validated (DESIGN.md) and normalized.
Result<QString> registrationIdParam(const HttpRequest &request, const QString &name = QStringLiteral("registrationId"));

// A twin patch request body, {"tags"?, "desired"?}: a JSON object (see
// jsonBody), objects only, no other fields, no '$'-prefixed (reserved)
// desired names, and at least one of the two non-empty.
struct TwinPatch
{
    QJsonObject tags;
    QJsonObject desired;
};
Result<TwinPatch> twinPatchBody(const HttpRequest &request);

// Keys are for operators: viewers see enrollments without them.
bool mayReadKeys(const HttpRequest &request);

// An enrollment, enrollment group or allocation policy for a caller who may
// not set its custom allocation webhook: the webhook URL without its query,
// fragment and password (Visibility::redactUrl; an allocation webhook's
// `?code=` is a secret), as the audit log and the feed show it.
QJsonObject withoutWebhookSecrets(QJsonObject record);
// What a caller of the request's role may see of an enrollment or group:
// keys and the webhook URL's secrets for operators and admins only.
QJsonObject presentEnrollment(const HttpRequest &request, const QJsonObject &record);

// A list item whose stored document is unreadable (storage/recordutil.h,
// "Unreadable records"): what the table's columns keep (`columns`),
// flagged `"unreadable": true`, with an `error` whose message says how to
// repair it. Every list renders such items through this one function.
QJsonObject unreadableItem(QJsonObject columns, const QString &message);

// Rejects query parameters not in `allowed`: a misspelt filter would
// otherwise silently list everything.
Result<void> checkQuery(const HttpRequest &request, const QStringList &allowed);

// `limit` and `cursor` of a list request.
Result<PageRequest> pageRequest(const HttpRequest &request);

// A boolean query flag: absent -> def; "true"/"1" or "false"/"0".
Result<bool> queryFlag(const HttpRequest &request, const QString &name, bool def = false);

// {"items": [...], "nextCursor": "..."}; nextCursor left out on the last page.
HttpResponse listResponse(const QJsonArray &items, const QString &nextCursor);

// A record with its etag in the ETag header (the body already carries it).
HttpResponse recordResponse(const QJsonObject &record, const QString &etag, int status = 200);

// The If-Match header of a request (empty when absent).
inline QByteArray ifMatch(const HttpRequest &request)
{
    return request.header("If-Match");
}

} // namespace Provisio::Requests

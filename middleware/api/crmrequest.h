// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"
#include "http/httprequest.h"
#include "http/httpresponse.h"
#include "storage/recordutil.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>

namespace Provisio::Crm {

// The request and response conventions every CRM records endpoint shares, so
// the customer, inventory, hub and token handlers cannot drift apart.

// The body as one JSON object (400 on an empty or malformed body).
Result<QJsonObject> jsonBody(const HttpRequest &request);

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

} // namespace Provisio::Crm

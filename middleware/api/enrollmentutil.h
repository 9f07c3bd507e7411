// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"
#include "http/httprequest.h"
#include "http/httpresponse.h"
#include "storage/recordutil.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

// Small pieces the enrollment, group, registration and device handlers
// share, so every one of them answers bad input, paging and If-Match alike.
namespace Provisio::EnrollmentUtil {

// The request body as one JSON object; a clear InvalidInput otherwise.
Result<QJsonObject> jsonBody(const HttpRequest &request);

// A registration id from the path: validated (DESIGN.md) and normalized.
Result<QString> registrationIdParam(const HttpRequest &request, const QString &name = QStringLiteral("registrationId"));

Result<PageRequest> pageRequest(const HttpRequest &request);

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

} // namespace Provisio::EnrollmentUtil

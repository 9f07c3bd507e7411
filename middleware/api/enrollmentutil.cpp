// SPDX-License-Identifier: Apache-2.0
#include "enrollmentutil.h"

#include "crypto/registrationid.h"
#include "protocol/jsonreader.h"

namespace Provisio::EnrollmentUtil {

Result<QJsonObject> jsonBody(const HttpRequest &request)
{
    if (request.body.trimmed().isEmpty())
        return Error(ErrorCode::InvalidInput, QStringLiteral("the request needs a JSON object body"));
    return parseJsonObject(request.body);
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

Result<PageRequest> pageRequest(const HttpRequest &request)
{
    return parsePageRequest(request.queryValue(QStringLiteral("limit")), request.queryValue(QStringLiteral("cursor")));
}

bool mayReadKeys(const HttpRequest &request)
{
    return request.principal && int(request.principal->role) >= int(Role::Operator);
}

} // namespace Provisio::EnrollmentUtil

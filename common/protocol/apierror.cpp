// SPDX-License-Identifier: Apache-2.0
#include "apierror.h"

#include "jsonreader.h"
#include "timeutil.h"

namespace Provisio {

int ApiError::httpStatusFor(ErrorCode code)
{
    switch (code) {
    case ErrorCode::None:
        return 200;
    case ErrorCode::InvalidInput:
        return 400;
    case ErrorCode::Unauthorized:
        return 401;
    case ErrorCode::Forbidden:
        return 403;
    case ErrorCode::NotFound:
        return 404;
    case ErrorCode::MethodNotAllowed:
        return 405;
    case ErrorCode::Conflict:
        return 409;
    case ErrorCode::PreconditionFailed:
        return 412;
    case ErrorCode::PayloadTooLarge:
        return 413;
    case ErrorCode::UpgradeRequired:
        return 426;
    case ErrorCode::TooManyRequests:
        return 429;
    case ErrorCode::Unavailable:
        return 503;
    case ErrorCode::Internal:
        return 500;
    }
    return 500;
}

int ApiError::dpsErrorCodeFor(ErrorCode code)
{
    // Detail numbers follow the codes DPS and IoT Hub return for the same
    // situations where there is one (400004 invalid argument, 401002
    // unauthorized, 404201 registration/enrollment not found, 429001
    // throttled); the rest use 001.
    switch (code) {
    case ErrorCode::InvalidInput:
        return 400004;
    case ErrorCode::Unauthorized:
        return 401002;
    case ErrorCode::NotFound:
        return 404201;
    case ErrorCode::TooManyRequests:
        return 429001;
    default:
        return httpStatusFor(code) * 1000 + 1;
    }
}

ErrorCode ApiError::errorCodeForHttpStatus(int status)
{
    switch (status) {
    case 400:
        return ErrorCode::InvalidInput;
    case 401:
        return ErrorCode::Unauthorized;
    case 403:
        return ErrorCode::Forbidden;
    case 404:
        return ErrorCode::NotFound;
    case 405:
        return ErrorCode::MethodNotAllowed;
    case 409:
        return ErrorCode::Conflict;
    case 412:
        return ErrorCode::PreconditionFailed;
    case 413:
        return ErrorCode::PayloadTooLarge;
    case 426:
        return ErrorCode::UpgradeRequired;
    case 429:
        return ErrorCode::TooManyRequests;
    case 502:
    case 503:
    case 504:
        return ErrorCode::Unavailable;
    case 500:
        return ErrorCode::Internal;
    default:
        break;
    }
    if (status >= 200 && status < 300)
        return ErrorCode::None;
    if (status >= 400 && status < 500)
        return ErrorCode::InvalidInput;
    return ErrorCode::Internal;
}

ApiError ApiError::fromError(const Error &e, const QString &trackingId)
{
    ApiError api;
    // An Error with code None reaching here is a bug in the caller; report
    // it as internal rather than as a success code in an error body.
    api.errorCode = dpsErrorCodeFor(e.code == ErrorCode::None ? ErrorCode::Internal : e.code);
    api.trackingId = trackingId;
    api.message = e.message;
    api.timestampUtc = QDateTime::currentDateTimeUtc();
    return api;
}

Result<ApiError> ApiError::fromJson(const QJsonObject &json)
{
    JsonReader reader(json);
    reader.allowOnly({"errorCode", "trackingId", "message", "timestampUtc"});
    ApiError api;
    api.errorCode = int(reader.requiredInt(QStringLiteral("errorCode"), 100000, 599999));
    api.trackingId = reader.optionalString(QStringLiteral("trackingId"));
    api.message = reader.optionalString(QStringLiteral("message"));
    api.timestampUtc = reader.optionalDateTime(QStringLiteral("timestampUtc"));
    if (!reader.ok())
        return reader.error();
    return api;
}

QJsonObject ApiError::toJson() const
{
    QJsonObject json{
        {QStringLiteral("errorCode"), errorCode},
        {QStringLiteral("trackingId"), trackingId},
        {QStringLiteral("message"), message},
    };
    if (timestampUtc.isValid())
        json.insert(QStringLiteral("timestampUtc"), toIsoUtc(timestampUtc));
    return json;
}

} // namespace Provisio

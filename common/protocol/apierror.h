// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/error.h"
#include "core/result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>

namespace Provisio {

// The error body every Provisio HTTP API returns, in DPS's shape:
// {"errorCode": 401002, "trackingId": "...", "message": "...",
//  "timestampUtc": "..."}. DPS error codes are the HTTP status * 1000 plus a
// detail number, so Azure's device SDKs classify them unchanged.
//
// This is the one place that maps ErrorCode to HTTP status and back; the
// server and every client use it so they cannot disagree.
struct ApiError
{
    int errorCode = 500001;
    QString trackingId;
    QString message;
    QDateTime timestampUtc;

    // HTTP status this error is sent with: errorCode / 1000.
    int httpStatus() const { return errorCode / 1000; }
    // The ErrorCode a client should report for this error.
    ErrorCode code() const { return errorCodeForHttpStatus(httpStatus()); }
    Error toError() const { return Error(code(), message); }

    static Result<ApiError> fromJson(const QJsonObject &json);
    QJsonObject toJson() const;

    // Timestamped now.
    static ApiError fromError(const Error &e, const QString &trackingId);
    // DPS-style error code for an ErrorCode, e.g. Unauthorized -> 401002.
    static int dpsErrorCodeFor(ErrorCode code);
    static int httpStatusFor(ErrorCode code);
    // 2xx -> None; unknown 4xx -> InvalidInput; unknown 5xx -> Internal.
    static ErrorCode errorCodeForHttpStatus(int status);
};

} // namespace Provisio

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

namespace Provisio {

// The kinds of failure every part understands. They map to HTTP statuses in
// exactly one place, ApiError::httpStatusFor (common/protocol/apierror.cpp),
// and clients map statuses back with ApiError::errorCodeForHttpStatus.
enum class ErrorCode {
    None = 0,
    InvalidInput,       // malformed, wrong type, unknown field, out of range -> 400
    Unauthorized,       // missing, bad or expired credentials              -> 401
    Forbidden,          // authenticated but not allowed                    -> 403
    NotFound,           // unknown id or scope                              -> 404
    MethodNotAllowed,   // known path, wrong method                         -> 405
    Conflict,           // already exists / state conflict                  -> 409
    PreconditionFailed, // If-Match etag mismatch                           -> 412
    PayloadTooLarge,    // body over the limit                              -> 413
    UpgradeRequired,    // a WebSocket endpoint asked without the upgrade   -> 426
    TooManyRequests,    // rate limited                                     -> 429
    Unavailable,        // dependency down (database, webhook)              -> 503
    Internal,           // a bug or an unexpected failure                   -> 500
};

struct Error
{
    ErrorCode code = ErrorCode::None;
    QString message;

    Error() = default;
    Error(ErrorCode c, QString msg) : code(c), message(std::move(msg)) { }

    bool isError() const { return code != ErrorCode::None; }
};

// Stable machine-readable name of an error code ("InvalidInput", ...).
QString errorCodeName(ErrorCode code);

} // namespace Provisio

// SPDX-License-Identifier: Apache-2.0
#include "error.h"

namespace Provisio {

QString errorCodeName(ErrorCode code)
{
    switch (code) {
    case ErrorCode::None:
        return QStringLiteral("None");
    case ErrorCode::InvalidInput:
        return QStringLiteral("InvalidInput");
    case ErrorCode::Unauthorized:
        return QStringLiteral("Unauthorized");
    case ErrorCode::Forbidden:
        return QStringLiteral("Forbidden");
    case ErrorCode::NotFound:
        return QStringLiteral("NotFound");
    case ErrorCode::MethodNotAllowed:
        return QStringLiteral("MethodNotAllowed");
    case ErrorCode::Conflict:
        return QStringLiteral("Conflict");
    case ErrorCode::PreconditionFailed:
        return QStringLiteral("PreconditionFailed");
    case ErrorCode::PayloadTooLarge:
        return QStringLiteral("PayloadTooLarge");
    case ErrorCode::UpgradeRequired:
        return QStringLiteral("UpgradeRequired");
    case ErrorCode::TooManyRequests:
        return QStringLiteral("TooManyRequests");
    case ErrorCode::Unavailable:
        return QStringLiteral("Unavailable");
    case ErrorCode::Internal:
        return QStringLiteral("Internal");
    }
    return QStringLiteral("Internal");
}

} // namespace Provisio

// SPDX-License-Identifier: Apache-2.0
#include "apifailure.h"

#include "protocol/apierror.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace Provisio::Crm {

ApiFailure ApiFailure::fromAnswer(int httpStatus, const QByteArray &body, const QString &trackingIdHeader,
                                  const QString &reasonPhrase)
{
    ApiFailure failure;
    failure.httpStatus = httpStatus;
    failure.code = ApiError::errorCodeForHttpStatus(httpStatus);
    failure.trackingId = trackingIdHeader;
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error == QJsonParseError::NoError && doc.isObject()) {
        if (const auto error = ApiError::fromJson(doc.object())) {
            failure.errorCode = error->errorCode;
            failure.message = error->message;
            if (!error->trackingId.isEmpty())
                failure.trackingId = error->trackingId;
        }
    }
    if (failure.message.isEmpty()) {
        failure.message = tr("The middleware answered HTTP %1%2")
                              .arg(httpStatus)
                              .arg(reasonPhrase.isEmpty() ? QString() : QStringLiteral(" ") + reasonPhrase);
    }
    return failure;
}

ApiFailure ApiFailure::noAnswer(const QString &message)
{
    ApiFailure failure;
    failure.code = ErrorCode::Unavailable;
    failure.message = message.isEmpty() ? tr("The middleware did not answer") : message;
    return failure;
}

} // namespace Provisio::Crm

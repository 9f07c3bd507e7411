// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "crypto/sastoken.h"
#include "httpsclient.h"
#include "middlewareprocess.h"

#include <QDateTime>
#include <QJsonObject>

namespace Provisio::Test {

// Registers `registrationId` with its enrollment's symmetric key over the
// DPS API, as a device does (SAS token with skn=registration). Returns the
// answer's registrationState; its status is "assigned" when the hub
// assignment is immediate, and it is empty when the request failed.
inline QJsonObject registerOverDps(const MiddlewareProcess &mw, const QString &registrationId, const QString &key)
{
    HttpsClient device(mw.baseUrl(), mw.caCertificatePath());
    const QString scope = mw.idScope();
    const QString sas = SasToken::create(scope + QStringLiteral("/registrations/") + registrationId, key,
                                         QDateTime::currentSecsSinceEpoch() + 3600, QStringLiteral("registration"));
    const auto reply =
        device.put(QLatin1Char('/') + scope + QStringLiteral("/registrations/") + registrationId +
                       QStringLiteral("/register?api-version=2021-06-01"),
                   {{QStringLiteral("registrationId"), registrationId}}, {{"Authorization", sas.toUtf8()}});
    return reply.json().value(QStringLiteral("registrationState")).toObject();
}

} // namespace Provisio::Test

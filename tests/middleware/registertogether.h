// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "devicetestutil.h"

#include <QFile>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslCertificate>
#include <QSslConfiguration>

#include <algorithm>
#include <functional>
#include <memory>
#include <vector>

namespace Provisio::Test {

// Every device of `ids` registers at once with the key `keyOf` gives it,
// over as many connections as `nam` opens (so that the middleware stores
// them in one group commit); the replies in the order of `ids`, all
// finished unless 30 s passed first (the caller checks isFinished()).
inline std::vector<std::unique_ptr<QNetworkReply>>
registerTogether(DeviceFixture &f, QNetworkAccessManager &nam, const QStringList &ids,
                 const std::function<QString(const QString &id)> &keyOf)
{
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    QFile ca(f.mw->caCertificatePath());
    if (ca.open(QIODevice::ReadOnly))
        ssl.setCaCertificates(QSslCertificate::fromData(ca.readAll(), QSsl::Pem));
    std::vector<std::unique_ptr<QNetworkReply>> replies;
    for (const QString &id : ids) {
        QNetworkRequest request(QUrl(f.mw->baseUrl() + QLatin1Char('/') + f.mw->idScope() +
                                     QStringLiteral("/registrations/") + id +
                                     QStringLiteral("/register?api-version=2021-06-01")));
        request.setSslConfiguration(ssl);
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
        request.setRawHeader("Authorization", DeviceFixture::sas(f.mw->idScope(), id, keyOf(id)).toUtf8());
        replies.emplace_back(
            nam.put(request,
                    QJsonDocument(QJsonObject{{QStringLiteral("registrationId"), id}}).toJson(QJsonDocument::Compact)));
    }
    // Whether all finished is the caller's to check, reply by reply.
    (void)QTest::qWaitFor(
        [&replies] {
            return std::all_of(replies.cbegin(), replies.cend(),
                               [](const std::unique_ptr<QNetworkReply> &r) { return r->isFinished(); });
        },
        30000);
    return replies;
}

} // namespace Provisio::Test

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "apiclient.h"
#include "crmtestutil.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QFile>
#include <QSignalSpy>
#include <QSslCertificate>

namespace Provisio::Test {

// The CA a CRM connection to the test middleware trusts: its own.
inline QList<QSslCertificate> middlewareCa(const MiddlewareProcess &mw)
{
    QFile file(mw.caCertificatePath());
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QSslCertificate::fromData(file.readAll(), QSsl::Pem);
}

// An ApiClient connected to the fixture's middleware with `token`.
inline std::unique_ptr<Crm::ApiClient> crmClient(const CrmFixture &f, const QString &token)
{
    auto api = std::make_unique<Crm::ApiClient>();
    api->setConnection(QUrl(f.mw->baseUrl()), token.toUtf8(), middlewareCa(*f.mw));
    return api;
}

// Runs one call to completion; returns true on finished(), with its body.
struct CallResult
{
    bool ok = false;
    QJsonDocument body;
    QByteArray etag;
    Crm::ApiFailure failure;
};

inline CallResult waitFor(Crm::ApiCall *call, int timeoutMs = 30000)
{
    CallResult result;
    bool done = false;
    QObject::connect(call, &Crm::ApiCall::finished, call, [&](const QJsonDocument &body, const QByteArray &etag) {
        result.ok = true;
        result.body = body;
        result.etag = etag;
        done = true;
    });
    QObject::connect(call, &Crm::ApiCall::failed, call, [&](const Crm::ApiFailure &failure) {
        result.failure = failure;
        done = true;
    });
    QDeadlineTimer deadline(timeoutMs);
    while (!done && !deadline.hasExpired())
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    if (!done)
        result.failure.message = QStringLiteral("the test gave up waiting for the call");
    return result;
}

// CSV of `count` devices SN-<prefix>-00000…, model alternating "Sensor 2" /
// "Gateway", batch B<n/100>.
inline QByteArray deviceCsv(const QString &prefix, int first, int count)
{
    QByteArray csv = "serial,model,manufacturer,batch,deliveryDate\n";
    for (int i = first; i < first + count; ++i) {
        csv += QStringLiteral("%1-%2,%3,Acme,B%4,2026-11-20\n")
                   .arg(prefix)
                   .arg(i, 6, 10, QLatin1Char('0'))
                   .arg(i % 2 ? QStringLiteral("Gateway") : QStringLiteral("Sensor 2"))
                   .arg(i / 100)
                   .toUtf8();
    }
    return csv;
}

} // namespace Provisio::Test

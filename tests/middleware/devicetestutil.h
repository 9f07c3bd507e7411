// SPDX-License-Identifier: Apache-2.0
#pragma once

// Helpers shared by the device API integration tests: a running middleware
// with admin/operator/viewer clients, and the calls a DPS device makes.

#include "httpsclient.h"
#include "middlewareprocess.h"

#include "crypto/keys.h"
#include "crypto/sastoken.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QJsonArray>
#include <QTest>
#include <QUrl>

#include <initializer_list>
#include <memory>

namespace Provisio::Test {

struct DeviceFixture
{
    std::unique_ptr<MiddlewareProcess> mw;
    std::unique_ptr<HttpsClient> admin;
    std::unique_ptr<HttpsClient> operatorClient;
    std::unique_ptr<HttpsClient> viewer;
    std::unique_ptr<HttpsClient> device; // no bearer token

    bool start(const QStringList &args = {})
    {
        mw = std::make_unique<MiddlewareProcess>(args);
        const QString adminToken = mw->createToken(QStringLiteral("admin"), QStringLiteral("admin"));
        const QString operatorToken = mw->createToken(QStringLiteral("operator"), QStringLiteral("op"));
        const QString viewerToken = mw->createToken(QStringLiteral("viewer"), QStringLiteral("view"));
        if (adminToken.isEmpty() || operatorToken.isEmpty() || viewerToken.isEmpty() || !mw->start()) {
            qWarning("middleware failed: %s", qPrintable(mw->lastError()));
            return false;
        }
        reconnect();
        admin->setBearer(adminToken);
        operatorClient->setBearer(operatorToken);
        viewer->setBearer(viewerToken);
        return true;
    }
    void reconnect()
    {
        const QString tokens[] = {admin ? admin->bearer() : QString(),
                                  operatorClient ? operatorClient->bearer() : QString(),
                                  viewer ? viewer->bearer() : QString()};
        admin = std::make_unique<HttpsClient>(mw->baseUrl(), mw->caCertificatePath());
        operatorClient = std::make_unique<HttpsClient>(mw->baseUrl(), mw->caCertificatePath());
        viewer = std::make_unique<HttpsClient>(mw->baseUrl(), mw->caCertificatePath());
        device = std::make_unique<HttpsClient>(mw->baseUrl(), mw->caCertificatePath());
        admin->setBearer(tokens[0]);
        operatorClient->setBearer(tokens[1]);
        viewer->setBearer(tokens[2]);
    }

    HttpsClient::Reply putHub(const QString &name, const QString &host, int weight, const QString &key,
                              const QString &region = {})
    {
        QJsonObject body{{QStringLiteral("host"), host},
                         {QStringLiteral("port"), 8883},
                         {QStringLiteral("allocationWeight"), weight},
                         {QStringLiteral("signingKey"), key}};
        if (!region.isEmpty())
            body.insert(QStringLiteral("region"), region);
        return admin->put(QStringLiteral("/api/v1/hubs/") + name, body);
    }

    HttpsClient::Reply putEnrollment(const QString &id, QJsonObject body)
    {
        if (!body.contains(QStringLiteral("attestation")))
            body.insert(QStringLiteral("attestation"),
                        QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}});
        return operatorClient->put(QStringLiteral("/api/v1/enrollments/") + id, body);
    }

    static QString sas(const QString &scope, const QString &registrationId, const QString &key,
                       qint64 lifetimeSeconds = 3600)
    {
        return SasToken::create(scope + QStringLiteral("/registrations/") + registrationId, key,
                                QDateTime::currentSecsSinceEpoch() + lifetimeSeconds, QStringLiteral("registration"));
    }

    HttpsClient::Reply registerWith(const QString &registrationId, const QString &authorization,
                                    const QJsonValue &payload = QJsonValue(),
                                    const QString &apiVersion = QStringLiteral("2021-06-01"), const QString &scope = {})
    {
        const QString s = scope.isEmpty() ? mw->idScope() : scope;
        QJsonObject body{{QStringLiteral("registrationId"), registrationId}};
        if (!payload.isUndefined() && !payload.isNull())
            body.insert(QStringLiteral("payload"), payload);
        QString path =
            QLatin1Char('/') + s + QStringLiteral("/registrations/") + registrationId + QStringLiteral("/register");
        if (!apiVersion.isNull())
            path += QStringLiteral("?api-version=") + apiVersion;
        QList<QPair<QByteArray, QByteArray>> headers;
        if (!authorization.isEmpty())
            headers.append({"Authorization", authorization.toUtf8()});
        return device->put(path, body, headers);
    }

    HttpsClient::Reply registerDevice(const QString &registrationId, const QString &key,
                                      const QJsonValue &payload = QJsonValue())
    {
        return registerWith(registrationId, sas(mw->idScope(), registrationId, key), payload);
    }

    HttpsClient::Reply pollOperation(const QString &registrationId, const QString &key, const QString &operationId)
    {
        return device->get(QLatin1Char('/') + mw->idScope() + QStringLiteral("/registrations/") + registrationId +
                               QStringLiteral("/operations/") + operationId + QStringLiteral("?api-version=2021-06-01"),
                           {{"Authorization", sas(mw->idScope(), registrationId, key).toUtf8()}});
    }

    HttpsClient::Reply statusLookup(const QString &registrationId, const QString &key)
    {
        return device->post(QLatin1Char('/') + mw->idScope() + QStringLiteral("/registrations/") + registrationId +
                                QStringLiteral("?api-version=2021-06-01"),
                            QJsonObject{{QStringLiteral("registrationId"), registrationId}},
                            {{"Authorization", sas(mw->idScope(), registrationId, key).toUtf8()}});
    }

    // Polls until the operation leaves `assigning` (custom allocation), with
    // the event loop running so an in-process webhook can answer.
    QJsonObject waitForOperation(const QString &registrationId, const QString &key, const QString &operationId,
                                 int timeoutMs = 20000)
    {
        QDeadlineTimer deadline(timeoutMs);
        while (!deadline.hasExpired()) {
            const auto r = pollOperation(registrationId, key, operationId);
            const QJsonObject op = r.json();
            if (op.value(QStringLiteral("status")).toString() != QLatin1String("assigning"))
                return op;
            QTest::qWait(100);
        }
        return {};
    }

    // The string at `path` (member names, outermost first) inside `object`;
    // empty when a member is missing.
    static QString stringAt(QJsonObject object, std::initializer_list<const char *> path)
    {
        QJsonValue value;
        for (const char *name : path) {
            value = object.value(QLatin1String(name));
            object = value.toObject();
        }
        return value.toString();
    }
    static QString primaryKey(const QJsonObject &enrollment)
    {
        return stringAt(enrollment, {"attestation", "symmetricKey", "primaryKey"});
    }
    static QString secondaryKey(const QJsonObject &enrollment)
    {
        return stringAt(enrollment, {"attestation", "symmetricKey", "secondaryKey"});
    }
    static QJsonObject state(const QJsonObject &operation)
    {
        return operation.value(QStringLiteral("registrationState")).toObject();
    }
    // The hub key an assigned registration state hands the device.
    static QString hubKey(const QJsonObject &state) { return stringAt(state, {"payload", "provisio", "hubDeviceKey"}); }
};

} // namespace Provisio::Test

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QNetworkAccessManager>
#include <QPair>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QString>

namespace Provisio::Test {

// A blocking HTTPS client for tests: each call spins a local event loop until
// the reply finishes. It trusts only the given CA, as a device would, so a
// test also proves the middleware's certificate chain is right.
class HttpsClient
{
public:
    struct Reply
    {
        int status = 0; // 0: no HTTP answer (see error)
        QByteArray body;
        QList<QPair<QByteArray, QByteArray>> headers;
        QString error;

        QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
        QJsonArray jsonArray() const { return QJsonDocument::fromJson(body).array(); }
        QByteArray header(const QByteArray &name) const;
    };

    HttpsClient(const QString &baseUrl, const QString &caCertificatePath);

    void setBearer(const QString &token) { m_bearer = token; }
    // Off: any certificate is accepted (only for tests that serve a broken
    // one on purpose and need to know the server is up).
    void setPeerVerification(bool on)
    {
        m_ssl.setPeerVerifyMode(on ? QSslSocket::AutoVerifyPeer : QSslSocket::VerifyNone);
    }
    QString bearer() const { return m_bearer; }

    Reply send(const QByteArray &method, const QString &path, const QByteArray &body = {},
               const QList<QPair<QByteArray, QByteArray>> &headers = {},
               const QByteArray &contentType = "application/json");
    Reply get(const QString &path, const QList<QPair<QByteArray, QByteArray>> &headers = {})
    {
        return send("GET", path, {}, headers);
    }
    Reply put(const QString &path, const QJsonObject &body, const QList<QPair<QByteArray, QByteArray>> &headers = {})
    {
        return send("PUT", path, QJsonDocument(body).toJson(QJsonDocument::Compact), headers);
    }
    Reply post(const QString &path, const QJsonObject &body, const QList<QPair<QByteArray, QByteArray>> &headers = {})
    {
        return send("POST", path, QJsonDocument(body).toJson(QJsonDocument::Compact), headers);
    }
    Reply patch(const QString &path, const QJsonObject &body, const QList<QPair<QByteArray, QByteArray>> &headers = {})
    {
        return send("PATCH", path, QJsonDocument(body).toJson(QJsonDocument::Compact), headers);
    }
    Reply del(const QString &path, const QList<QPair<QByteArray, QByteArray>> &headers = {})
    {
        return send("DELETE", path, {}, headers);
    }

private:
    QString m_baseUrl;
    QString m_bearer;
    QSslConfiguration m_ssl;
    QNetworkAccessManager m_nam;
};

} // namespace Provisio::Test

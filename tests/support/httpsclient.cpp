// SPDX-License-Identifier: Apache-2.0
#include "httpsclient.h"

#include <QEventLoop>
#include <QFile>
#include <QNetworkReply>
#include <QSslCertificate>
#include <QTimer>

namespace Provisio::Test {

QByteArray HttpsClient::Reply::header(const QByteArray &name) const
{
    for (const auto &h : headers) {
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    }
    return {};
}

HttpsClient::HttpsClient(const QString &baseUrl, const QString &caCertificatePath) : m_baseUrl(baseUrl)
{
    m_ssl = QSslConfiguration::defaultConfiguration();
    QFile ca(caCertificatePath);
    if (ca.open(QIODevice::ReadOnly))
        m_ssl.setCaCertificates(QSslCertificate::fromData(ca.readAll(), QSsl::Pem));
    m_nam.setAutoDeleteReplies(false);
}

HttpsClient::Reply HttpsClient::send(const QByteArray &method, const QString &path, const QByteArray &body,
                                     const QList<QPair<QByteArray, QByteArray>> &headers, const QByteArray &contentType)
{
    QNetworkRequest request(QUrl(m_baseUrl + path));
    request.setSslConfiguration(m_ssl);
    if (!m_bearer.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_bearer.toUtf8());
    if (!body.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader, contentType);
    for (const auto &h : headers)
        request.setRawHeader(h.first, h.second);
    request.setTransferTimeout(30000);

    QNetworkReply *reply = m_nam.sendCustomRequest(request, method, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();

    Reply r;
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    r.body = reply->readAll();
    r.headers = reply->rawHeaderPairs();
    if (reply->error() != QNetworkReply::NoError && r.status == 0)
        r.error = reply->errorString();
    reply->deleteLater();
    return r;
}

} // namespace Provisio::Test

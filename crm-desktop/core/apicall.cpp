// SPDX-License-Identifier: Apache-2.0
#include "apicall.h"

#include "certificatetrust.h"
#include "crmlogging.h"

#include <QNetworkReply>
#include <QSslCertificate>
#include <QTimer>

namespace Provisio::Crm {

ApiCall::ApiCall(QNetworkReply *reply, const QString &description, QObject *parent)
    : QObject(parent), m_reply(reply), m_description(description)
{
    // The reply lives exactly as long as the call: deleting the call aborts it.
    reply->setParent(this);
    connect(reply, &QNetworkReply::finished, this, &ApiCall::onFinished);
    connect(reply, &QNetworkReply::uploadProgress, this, &ApiCall::uploadProgress);
    connect(reply, &QNetworkReply::sslErrors, this, [this](const QList<QSslError> &errors) {
        // Never ignored: the only trusted root is the configured CA.
        m_sslErrors = errors;
    });
}

ApiCall::ApiCall(const ApiFailure &failure, const QString &description, QObject *parent)
    : QObject(parent), m_description(description)
{
    // Deliver on the next event-loop turn so the caller can connect first.
    QTimer::singleShot(0, this, [this, failure] { deliverFailure(failure); });
}

ApiCall::~ApiCall() = default;

void ApiCall::setTimeout(int milliseconds)
{
    if (!m_timer) {
        m_timer = new QTimer(this);
        m_timer->setSingleShot(true);
        connect(m_timer, &QTimer::timeout, this, &ApiCall::onTimeout);
    }
    m_timer->stop();
    if (milliseconds > 0 && m_reply)
        m_timer->start(milliseconds);
}

QByteArray ApiCall::responseHeader(const QByteArray &name) const
{
    return m_reply ? m_reply->rawHeader(name) : QByteArray();
}

void ApiCall::abort()
{
    if (m_done)
        return;
    m_aborted = true;
    if (m_reply && m_reply->isRunning()) {
        m_reply->abort(); // emits finished() -> onFinished()
        return;
    }
    ApiFailure failure = ApiFailure::noAnswer(tr("Cancelled"));
    failure.aborted = true;
    deliverFailure(failure);
}

void ApiCall::onTimeout()
{
    if (m_done || !m_reply)
        return;
    m_timedOut = true;
    m_reply->abort();
}

void ApiCall::onFinished()
{
    if (m_done || !m_reply)
        return;
    if (m_timer)
        m_timer->stop();
    QNetworkReply *reply = m_reply;
    if (m_aborted || m_timedOut) {
        ApiFailure failure = ApiFailure::noAnswer(
            m_aborted ? tr("Cancelled") : tr("The middleware did not answer in time (%1)").arg(m_description));
        failure.aborted = m_aborted;
        failure.timedOut = m_timedOut;
        deliverFailure(failure);
        return;
    }

    const QByteArray body = reply->isOpen() ? reply->readAll() : QByteArray();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status >= 200 && status < 300 && m_raw) {
        m_done = true;
        qCDebug(lcCrmApi) << m_description << "->" << status << body.size() << "bytes";
        Q_EMIT finishedRaw(body);
        deleteLater();
        return;
    }
    if (status >= 200 && status < 300) {
        QJsonDocument doc;
        if (!body.trimmed().isEmpty()) {
            QJsonParseError parseError;
            doc = QJsonDocument::fromJson(body, &parseError);
            if (parseError.error != QJsonParseError::NoError) {
                ApiFailure failure;
                failure.httpStatus = status;
                failure.code = ErrorCode::Internal;
                failure.message = tr("The middleware's answer to %1 is not valid JSON: %2")
                                      .arg(m_description, parseError.errorString());
                deliverFailure(failure);
                return;
            }
        }
        const QByteArray etag = reply->rawHeader("ETag");
        m_done = true;
        qCDebug(lcCrmApi) << m_description << "->" << status;
        Q_EMIT finished(doc, etag);
        deleteLater();
        return;
    }

    if (status > 0) {
        deliverFailure(ApiFailure::fromAnswer(status, body,
                                              QString::fromLatin1(reply->rawHeader("X-Provisio-Tracking-Id")),
                                              reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString()));
        return;
    }

    // No HTTP answer at all: connection, DNS or TLS.
    ApiFailure failure = ApiFailure::noAnswer({});
    const QNetworkReply::NetworkError error = reply->error();
    if (error == QNetworkReply::SslHandshakeFailedError || !m_sslErrors.isEmpty()) {
        failure.tlsError = true;
        failure.message = m_sslErrors.isEmpty()
                              ? tr("The TLS handshake with the middleware failed: %1.").arg(reply->errorString())
                              : CertificateTrust::explainFailure(m_sslErrors, reply->url().host());
    } else {
        failure.message = tr("Cannot reach the middleware: %1").arg(reply->errorString());
    }
    deliverFailure(failure);
}

void ApiCall::deliverFailure(ApiFailure failure)
{
    if (m_done)
        return;
    m_done = true;
    if (m_timer)
        m_timer->stop();
    // The message and tracking id are safe to log; requests never carry the
    // token into a failure.
    qCDebug(lcCrmApi) << m_description << "failed:" << failure.httpStatus << failure.errorCode << failure.message
                      << failure.trackingId;
    Q_EMIT failed(failure);
    deleteLater();
}

} // namespace Provisio::Crm

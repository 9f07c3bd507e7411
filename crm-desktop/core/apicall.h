// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "apifailure.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QObject>
#include <QPointer>
#include <QSslError>
#include <QString>

class QNetworkReply;
class QTimer;

namespace Provisio::Crm {

// One asynchronous request to the middleware. Emits exactly one of
// finished() or failed() and then deletes itself, so callers connect and
// forget; abort() ends it early with a failure whose aborted flag is set.
class ApiCall : public QObject
{
    Q_OBJECT
public:
    ~ApiCall() override;

    // Ends the request now; failed() is emitted with aborted set.
    void abort();

    // What was asked, for logs and error messages ("GET devices").
    QString description() const { return m_description; }

    // A call that has not answered within this time fails (httpStatus 0,
    // timedOut). Set by ApiClient from its default; 0 disables it.
    void setTimeout(int milliseconds);

    // A response header of the answer; meaningful inside finished() or
    // finishedRaw() (empty elsewhere).
    QByteArray responseHeader(const QByteArray &name) const;

Q_SIGNALS:
    void finished(const QJsonDocument &body, const QByteArray &etag); // 2xx (body may be empty for 204)
    void failed(const Provisio::Crm::ApiFailure &failure);
    // Instead of finished() for a raw call (ApiClient::getRaw): the 2xx
    // answer's body as it came, not parsed as JSON.
    void finishedRaw(const QByteArray &body);
    void uploadProgress(qint64 sent, qint64 total);

private:
    friend class ApiClient;
    ApiCall(QNetworkReply *reply, const QString &description, QObject *parent);
    // A call that fails before any request goes out (bad path, no connection).
    ApiCall(const ApiFailure &failure, const QString &description, QObject *parent);

    void onFinished();
    void onTimeout();
    void deliverFailure(ApiFailure failure);

    QPointer<QNetworkReply> m_reply;
    QTimer *m_timer = nullptr;
    QString m_description;
    QList<QSslError> m_sslErrors;
    bool m_done = false;
    bool m_timedOut = false;
    bool m_aborted = false;
    bool m_raw = false;
};

} // namespace Provisio::Crm

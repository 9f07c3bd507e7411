// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "connectioninfo.h"

#include <QByteArray>
#include <QDeadlineTimer>
#include <QList>
#include <QNetworkAccessManager>
#include <QObject>
#include <QPointer>
#include <QSslCertificate>
#include <QString>
#include <QTimer>
#include <QUrl>

class QNetworkReply;

namespace Provisio::Kiosk {

// Turns a kiosk into a provisioned device: exchanges the activation code from
// the card for DPS credentials (POST /api/v1/activation), registers with the
// DPS device protocol, polls while the assignment is pending and reports the
// hub connection. Asynchronous; one run at a time. Only the middleware CA
// given to setCaCertificatePem() is trusted.
//
// failed() carries two texts: userMessage is for the person at the kiosk and
// says what to do next; detail is for logs and support (HTTP status, server
// message, tracking id) and never contains a key, token or code.
class ProvisioningClient : public QObject
{
    Q_OBJECT
public:
    enum class Step { ExchangingCode, Registering, WaitingForAssignment, Assigned };
    Q_ENUM(Step)
    // What kind of failure the last run ended in, so a screen can offer the
    // next step that fits (re-type, wait, retry by itself, call support).
    enum class FailureKind {
        None,
        WrongCode,       // the service does not know this code (or a local typo)
        TooManyAttempts, // 429: wait retryAfterSeconds
        Disabled,        // the enrollment is disabled in the back office
        Unreachable,     // no answer: network or service down
        ServiceProblem,  // 5xx or a timeout: the service is in trouble
        NotAccepted,     // registration refused (401/403/404)
        Other,
    };
    Q_ENUM(FailureKind)
    struct Failure
    {
        FailureKind kind = FailureKind::None;
        int retryAfterSeconds = -1; // from Retry-After, -1 when absent
        QString trackingId;         // the service's tracking id, for support
        // For a refused code: how many more wrong codes this device may send
        // before it has to wait (X-Provisio-Attempts-Left; 0: the next
        // wrong one starts a wait), -1 when the service did not say.
        int attemptsLeft = -1;
    };

    explicit ProvisioningClient(QObject *parent = nullptr);
    ~ProvisioningClient() override;

    // The CA the middleware's TLS certificate must chain to. Returns false
    // when the PEM holds no certificate.
    bool setCaCertificatePem(const QByteArray &pem);
    // Whole run, from the first request to the assignment; default 2 minutes.
    void setTimeout(int milliseconds) { m_timeoutMs = milliseconds; }
    // Longest wait between two polls, whatever Retry-After says; default 10 s.
    void setMaxPollInterval(int milliseconds) { m_maxPollMs = milliseconds; }

    bool isBusy() const { return m_busy; }
    // The failure the last run ended in (kind None while none did).
    Failure lastFailure() const { return m_failure; }

    void activate(const QUrl &middlewareUrl, const QString &serial, const QString &code);
    void registerDevice(const QUrl &middlewareUrl, const QString &idScope, const QString &registrationId,
                        const QString &symmetricKey);
    // Stops the current run without emitting anything.
    void cancel();

Q_SIGNALS:
    void stepChanged(Provisio::Kiosk::ProvisioningClient::Step step);
    // The activation answer's DPS credentials, before registration starts.
    // The code is one-time: the owner stores these at once so a failed
    // registration or a later reprovisioning does not need the code again.
    // symmetricKey is a secret: never log it.
    void credentialsReceived(const QString &idScope, const QString &registrationId, const QString &symmetricKey);
    void provisioned(const Provisio::Kiosk::ConnectionInfo &info);
    void failed(const QString &userMessage, const QString &detail);

private:
    enum class Stage { Activation, Registration };
    struct HttpAnswer
    {
        int status = 0;
        QByteArray body;
        int retryAfterSeconds = -1;
        int attemptsLeft = -1; // X-Provisio-Attempts-Left
        QString networkError;
    };

    bool begin();
    void startRegistration();
    void sendRegister();
    void sendPoll();
    void handleActivation(const HttpAnswer &answer);
    void handleOperation(const HttpAnswer &answer);
    void send(const QByteArray &verb, const QUrl &url, const QByteArray &body, const QByteArray &authorization,
              void (ProvisioningClient::*handler)(const HttpAnswer &));
    QUrl deviceUrl(const QString &suffix) const;
    QByteArray sasToken() const;
    void setStep(Step step);
    void fail(const QString &userMessage, const QString &detail, FailureKind kind = FailureKind::Other,
              int retryAfterSeconds = -1, const QString &trackingId = {}, int attemptsLeft = -1);
    void failHttp(Stage stage, const HttpAnswer &answer, const QString &what);
    void finish();

    QNetworkAccessManager m_nam;
    QList<QSslCertificate> m_ca;
    QPointer<QNetworkReply> m_reply;
    QTimer m_pollTimer;
    QTimer m_timeoutTimer;
    int m_timeoutMs = 120000;
    int m_maxPollMs = 10000;
    bool m_busy = false;
    bool m_waitingAnnounced = false;

    QUrl m_baseUrl;
    QString m_idScope;
    QString m_registrationId;
    QString m_symmetricKey; // secret: never logged
    QString m_operationId;
    Failure m_failure;
};

} // namespace Provisio::Kiosk

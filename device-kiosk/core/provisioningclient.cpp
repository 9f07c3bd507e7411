// SPDX-License-Identifier: Apache-2.0
#include "provisioningclient.h"

#include "crypto/activationcode.h"
#include "crypto/keys.h"
#include "crypto/registrationid.h"
#include "crypto/sastoken.h"
#include "protocol/apierror.h"
#include "protocol/jsonreader.h"
#include "protocol/registrationstate.h"
#include "protocol/wirenames.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QSslConfiguration>
#include <QUrlQuery>

#include <algorithm>

Q_LOGGING_CATEGORY(lcProvisioning, "provisio.kiosk.provisioning")

namespace Provisio::Kiosk {

namespace {

const auto ApiVersion = QStringLiteral("2021-06-01");
constexpr qint64 SasLifetimeSeconds = 3600;
constexpr int DefaultPollSeconds = 2;

QString invalidCodeMessage()
{
    return ProvisioningClient::tr("This activation code is not valid. Check it for typos, "
                                  "or ask your provider for a new one.");
}
QString unreachableMessage()
{
    return ProvisioningClient::tr("Cannot reach the provisioning service. Check the network connection.");
}
QString contactProviderMessage()
{
    return ProvisioningClient::tr("This device could not be set up. Try again later; if it keeps "
                                  "failing, contact your provider.");
}

QString tooManyAttemptsMessage(int retryAfterSeconds)
{
    // The first waits after a few wrong codes are seconds: say so.
    // Singular and plural spelled out rather than tr()'s %n: the headless
    // agent shows these too and loads no translation.
    if (retryAfterSeconds > 0 && retryAfterSeconds < 60)
        return retryAfterSeconds == 1 ? ProvisioningClient::tr("Too many attempts. Wait 1 second, then try again.")
                                      : ProvisioningClient::tr("Too many attempts. Wait %1 seconds, then try again.")
                                            .arg(retryAfterSeconds);
    const int minutes = std::max(1, (std::max(retryAfterSeconds, 0) + 59) / 60);
    return minutes == 1 ? ProvisioningClient::tr("Too many attempts. Wait 1 minute, then try again.")
                        : ProvisioningClient::tr("Too many attempts. Wait %1 minutes, then try again.").arg(minutes);
}

QString trackingIdOf(const QByteArray &body)
{
    if (const auto json = parseJsonObject(body)) {
        if (const auto error = ApiError::fromJson(*json))
            return error->trackingId;
    }
    return {};
}

// "HTTP 401 (…server message…, tracking id X)": what support needs, no secrets.
QString describe(const QString &what, int status, const QByteArray &body)
{
    QString text = what + QStringLiteral(": HTTP %1").arg(status);
    if (const auto json = parseJsonObject(body)) {
        if (const auto error = ApiError::fromJson(*json)) {
            text += QStringLiteral(" (%1 %2").arg(error->errorCode).arg(error->message);
            if (!error->trackingId.isEmpty())
                text += QStringLiteral(", tracking id ") + error->trackingId;
            text += QLatin1Char(')');
        }
    }
    return text;
}

} // namespace

ProvisioningClient::ProvisioningClient(QObject *parent) : QObject(parent)
{
    m_pollTimer.setSingleShot(true);
    m_timeoutTimer.setSingleShot(true);
    connect(&m_pollTimer, &QTimer::timeout, this, &ProvisioningClient::sendPoll);
    connect(&m_timeoutTimer, &QTimer::timeout, this, [this] {
        fail(tr("Setting up the device is taking too long. Check the network connection, then try again."),
             QStringLiteral("provisioning did not finish within %1 ms").arg(m_timeoutMs), FailureKind::ServiceProblem);
    });
}

ProvisioningClient::~ProvisioningClient()
{
    cancel();
}

bool ProvisioningClient::setCaCertificatePem(const QByteArray &pem)
{
    m_ca = QSslCertificate::fromData(pem, QSsl::Pem);
    return !m_ca.isEmpty();
}

bool ProvisioningClient::begin()
{
    if (m_busy) {
        qCWarning(lcProvisioning) << "provisioning already running; request ignored";
        return false;
    }
    m_busy = true;
    m_failure = {};
    m_waitingAnnounced = false;
    m_operationId.clear();
    m_timeoutTimer.start(m_timeoutMs);
    return true;
}

void ProvisioningClient::activate(const QUrl &middlewareUrl, const QString &serial, const QString &code)
{
    if (!begin())
        return;
    m_baseUrl = middlewareUrl;
    setStep(Step::ExchangingCode);
    const auto canonical = ActivationCode::parse(code);
    if (!canonical) {
        // A typo caught locally: no request, nothing counted against the serial.
        fail(invalidCodeMessage(), QStringLiteral("activation code rejected locally: ") + canonical.error().message,
             FailureKind::WrongCode);
        return;
    }
    if (serial.trimmed().isEmpty()) {
        fail(contactProviderMessage(), QStringLiteral("no serial number configured"));
        return;
    }
    qCInfo(lcProvisioning) << "exchanging activation code for serial" << serial;
    QUrl url = middlewareUrl;
    QString base = url.path();
    if (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    url.setPath(base + QStringLiteral("/api/v1/activation"));
    const QJsonObject body{{QStringLiteral("serial"), serial}, {QStringLiteral("code"), *canonical}};
    send("POST", url, QJsonDocument(body).toJson(QJsonDocument::Compact), {}, &ProvisioningClient::handleActivation);
}

void ProvisioningClient::handleActivation(const HttpAnswer &answer)
{
    if (answer.status != 200) {
        failHttp(Stage::Activation, answer, QStringLiteral("POST /api/v1/activation"));
        return;
    }
    const auto json = parseJsonObject(answer.body);
    if (!json) {
        fail(contactProviderMessage(), QStringLiteral("activation answer is not JSON: ") + json.error().message);
        return;
    }
    JsonReader reader(*json);
    m_idScope = reader.requiredString(QStringLiteral("idScope"));
    m_registrationId = reader.requiredString(QStringLiteral("registrationId"));
    m_symmetricKey = reader.requiredString(QStringLiteral("symmetricKey"));
    if (!reader.ok()) {
        fail(contactProviderMessage(), QStringLiteral("activation answer: ") + reader.error().message);
        return;
    }
    Q_EMIT credentialsReceived(m_idScope, m_registrationId, m_symmetricKey);
    if (!m_busy)
        return; // the receiver cancelled
    startRegistration();
}

void ProvisioningClient::registerDevice(const QUrl &middlewareUrl, const QString &idScope,
                                        const QString &registrationId, const QString &symmetricKey)
{
    if (!begin())
        return;
    m_baseUrl = middlewareUrl;
    m_idScope = idScope;
    m_registrationId = registrationId;
    m_symmetricKey = symmetricKey;
    startRegistration();
}

void ProvisioningClient::startRegistration()
{
    setStep(Step::Registering);
    if (m_idScope.isEmpty() || !m_idScope.contains(QRegularExpression(QStringLiteral("^[A-Za-z0-9]+$")))) {
        fail(contactProviderMessage(), QStringLiteral("invalid ID scope"));
        return;
    }
    if (const auto valid = Crypto::validateRegistrationId(m_registrationId); !valid) {
        fail(contactProviderMessage(), QStringLiteral("invalid registration id: ") + valid.error().message);
        return;
    }
    if (const auto key = Crypto::decodeKey(m_symmetricKey); !key) {
        fail(contactProviderMessage(), QStringLiteral("invalid symmetric key: ") + key.error().message);
        return;
    }
    sendRegister();
}

QUrl ProvisioningClient::deviceUrl(const QString &suffix) const
{
    QUrl url = m_baseUrl;
    QString base = url.path();
    if (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    url.setPath(base + QLatin1Char('/') + m_idScope + QStringLiteral("/registrations/") + m_registrationId + suffix);
    url.setQuery(QStringLiteral("api-version=") + ApiVersion);
    return url;
}

QByteArray ProvisioningClient::sasToken() const
{
    return SasToken::create(m_idScope + QStringLiteral("/registrations/") + m_registrationId, m_symmetricKey,
                            QDateTime::currentSecsSinceEpoch() + SasLifetimeSeconds, QStringLiteral("registration"))
        .toUtf8();
}

void ProvisioningClient::sendRegister()
{
    qCInfo(lcProvisioning) << "registering" << m_registrationId << "in scope" << m_idScope;
    const QJsonObject body{{QStringLiteral("registrationId"), m_registrationId}};
    send("PUT", deviceUrl(QStringLiteral("/register")), QJsonDocument(body).toJson(QJsonDocument::Compact), sasToken(),
         &ProvisioningClient::handleOperation);
}

void ProvisioningClient::sendPoll()
{
    if (!m_busy)
        return;
    send("GET", deviceUrl(QStringLiteral("/operations/") + QString::fromLatin1(QUrl::toPercentEncoding(m_operationId))),
         {}, sasToken(), &ProvisioningClient::handleOperation);
}

void ProvisioningClient::handleOperation(const HttpAnswer &answer)
{
    if (answer.status != 200 && answer.status != 202) {
        failHttp(Stage::Registration, answer, QStringLiteral("registration"));
        return;
    }
    const auto json = parseJsonObject(answer.body);
    const auto operation = json ? RegistrationOperation::fromJson(*json) : Result<RegistrationOperation>(json.error());
    if (!operation) {
        fail(contactProviderMessage(), QStringLiteral("registration answer: ") + operation.error().message);
        return;
    }
    const QString status = operation->status;
    if (status == RegistrationStatus::Assigning) {
        if (operation->operationId.isEmpty()) {
            fail(contactProviderMessage(), QStringLiteral("registration answer has no operationId"));
            return;
        }
        m_operationId = operation->operationId;
        if (!m_waitingAnnounced) {
            m_waitingAnnounced = true;
            setStep(Step::WaitingForAssignment);
        }
        const qint64 seconds = answer.retryAfterSeconds >= 0 ? answer.retryAfterSeconds : DefaultPollSeconds;
        m_pollTimer.start(int(std::min<qint64>(seconds * 1000, m_maxPollMs)));
        return;
    }
    const RegistrationState state = operation->registrationState.value_or(RegistrationState());
    if (status == RegistrationStatus::Disabled) {
        fail(tr("This device has been disabled by your provider."),
             QStringLiteral("registration %1 is disabled").arg(m_registrationId), FailureKind::Disabled, -1,
             trackingIdOf(answer.body));
        return;
    }
    if (status != RegistrationStatus::Assigned) {
        fail(contactProviderMessage(), QStringLiteral("registration %1: status %2, error %3 %4")
                                           .arg(m_registrationId, status)
                                           .arg(state.errorCode.value_or(0))
                                           .arg(state.errorMessage));
        return;
    }

    JsonReader provisio = JsonReader(state.payload).child(QStringLiteral("provisio"));
    ConnectionInfo info;
    info.idScope = m_idScope;
    info.registrationId = m_registrationId;
    info.deviceId = state.deviceId;
    info.assignedHub = state.assignedHub;
    info.hubEndpoint = provisio.requiredString(QStringLiteral("hubEndpoint"));
    info.hubDeviceKey = provisio.requiredString(QStringLiteral("hubDeviceKey"));
    info.caCertificate = provisio.optionalString(QStringLiteral("caCertificate"));
    info.provisionedAt = QDateTime::currentDateTimeUtc();
    if (!provisio.ok() || info.deviceId.isEmpty() || info.assignedHub.isEmpty()) {
        fail(contactProviderMessage(),
             QStringLiteral("assigned registration is incomplete: ") +
                 (provisio.ok() ? QStringLiteral("no deviceId or assignedHub") : provisio.error().message));
        return;
    }
    qCInfo(lcProvisioning) << "assigned" << info.deviceId << "to hub" << info.assignedHub << "at" << info.hubEndpoint;
    setStep(Step::Assigned);
    finish();
    Q_EMIT provisioned(info);
}

void ProvisioningClient::send(const QByteArray &verb, const QUrl &url, const QByteArray &body,
                              const QByteArray &authorization, void (ProvisioningClient::*handler)(const HttpAnswer &))
{
    QNetworkRequest request(url);
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    // Without a configured CA the system's trust store applies (a middleware
    // behind a publicly trusted certificate).
    if (!m_ca.isEmpty())
        ssl.setCaCertificates(m_ca);
    ssl.setPeerVerifyMode(QSslSocket::VerifyPeer);
    request.setSslConfiguration(ssl);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    if (!authorization.isEmpty())
        request.setRawHeader("Authorization", authorization);

    QNetworkReply *reply =
        body.isEmpty() && verb == "GET" ? m_nam.get(request) : m_nam.sendCustomRequest(request, verb, body);
    m_reply = reply;
    connect(reply, &QNetworkReply::finished, this, [this, reply, handler] {
        reply->deleteLater();
        if (reply != m_reply || !m_busy)
            return; // cancelled or superseded
        m_reply = nullptr;
        HttpAnswer answer;
        answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        answer.body = reply->readAll();
        bool ok = false;
        const int retryAfter = reply->rawHeader("Retry-After").trimmed().toInt(&ok);
        answer.retryAfterSeconds = ok ? retryAfter : -1;
        const int attemptsLeft = reply->rawHeader("X-Provisio-Attempts-Left").trimmed().toInt(&ok);
        answer.attemptsLeft = ok && attemptsLeft >= 0 ? attemptsLeft : -1;
        if (answer.status == 0)
            answer.networkError = reply->errorString();
        (this->*handler)(answer);
    });
}

void ProvisioningClient::failHttp(Stage stage, const HttpAnswer &answer, const QString &what)
{
    if (answer.status == 0) {
        fail(unreachableMessage(), what + QStringLiteral(": ") + answer.networkError, FailureKind::Unreachable);
        return;
    }
    const QString detail = describe(what, answer.status, answer.body);
    const QString tracking = trackingIdOf(answer.body);
    if (answer.status == 429) {
        fail(tooManyAttemptsMessage(answer.retryAfterSeconds), detail, FailureKind::TooManyAttempts,
             answer.retryAfterSeconds, tracking);
        return;
    }
    if (stage == Stage::Activation &&
        (answer.status == 400 || answer.status == 401 || answer.status == 404 || answer.status == 409)) {
        fail(invalidCodeMessage(), detail, FailureKind::WrongCode, -1, tracking, answer.attemptsLeft);
        return;
    }
    if (stage == Stage::Registration && (answer.status == 401 || answer.status == 403 || answer.status == 404)) {
        fail(tr("This device is not accepted by the provisioning service. Ask your provider to check its enrollment."),
             detail, FailureKind::NotAccepted, -1, tracking);
        return;
    }
    if (answer.status >= 500) {
        fail(tr("The provisioning service has a problem. Try again in a few minutes."), detail,
             FailureKind::ServiceProblem, answer.retryAfterSeconds, tracking);
        return;
    }
    fail(contactProviderMessage(), detail, FailureKind::Other, -1, tracking);
}

void ProvisioningClient::setStep(Step step)
{
    Q_EMIT stepChanged(step);
}

void ProvisioningClient::fail(const QString &userMessage, const QString &detail, FailureKind kind,
                              int retryAfterSeconds, const QString &trackingId, int attemptsLeft)
{
    if (!m_busy)
        return;
    m_failure = Failure{kind, retryAfterSeconds, trackingId, attemptsLeft};
    qCWarning(lcProvisioning).noquote() << "provisioning failed:" << detail;
    finish();
    Q_EMIT failed(userMessage, detail);
}

void ProvisioningClient::finish()
{
    m_busy = false;
    m_pollTimer.stop();
    m_timeoutTimer.stop();
    if (QNetworkReply *reply = m_reply) {
        m_reply = nullptr;
        reply->abort();
    }
    m_symmetricKey.clear();
}

void ProvisioningClient::cancel()
{
    finish();
}

} // namespace Provisio::Kiosk

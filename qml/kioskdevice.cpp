// SPDX-License-Identifier: Apache-2.0
#include "kioskdevice.h"

#include "crypto/activationcode.h"
#include "crypto/registrationid.h"

#include <QCoreApplication>
#include <QEvent>
#include <QJSEngine>
#include <QLoggingCategory>
#include <QPointer>
#include <QQmlEngine>
#include <QUrl>

Q_LOGGING_CATEGORY(lcKioskUi, "provisio.kiosk.ui")

namespace Provisio::Kiosk {

namespace {

QPointer<KioskDevice> s_instance;

static_assert(int(KioskDevice::Unprovisioned) == int(DeviceController::State::Unprovisioned) &&
                  int(KioskDevice::Provisioning) == int(DeviceController::State::Provisioning) &&
                  int(KioskDevice::Connecting) == int(DeviceController::State::Connecting) &&
                  int(KioskDevice::Running) == int(DeviceController::State::Running) &&
                  int(KioskDevice::Failed) == int(DeviceController::State::Failed),
              "KioskDevice::State mirrors DeviceController::State");

using Step = DeviceController::Step;
constexpr Step kSteps[] = {Step::ExchangingCode, Step::Registering, Step::Assigned, Step::Connecting,
                           Step::ReportingStatus};

QString statusName(DeviceController::StepState state)
{
    switch (state) {
    case DeviceController::StepState::Pending:
        return QStringLiteral("pending");
    case DeviceController::StepState::Active:
        return QStringLiteral("active");
    case DeviceController::StepState::Done:
        return QStringLiteral("done");
    case DeviceController::StepState::Failed:
        return QStringLiteral("failed");
    }
    return QStringLiteral("pending");
}

QStringList stepTitles()
{
    return {KioskDevice::tr("Checking the activation code"), KioskDevice::tr("Registering the device"),
            KioskDevice::tr("Getting a hub assigned"), KioskDevice::tr("Connecting to the hub"),
            KioskDevice::tr("Reporting that it is ready")};
}

QString kindName(ProvisioningClient::FailureKind kind)
{
    using Kind = ProvisioningClient::FailureKind;
    switch (kind) {
    case Kind::WrongCode:
        return QStringLiteral("wrongCode");
    case Kind::TooManyAttempts:
        return QStringLiteral("lockout");
    case Kind::Disabled:
        return QStringLiteral("disabled");
    case Kind::Unreachable:
    case Kind::ServiceProblem:
        return QStringLiteral("outage");
    case Kind::NotAccepted:
        return QStringLiteral("notAccepted");
    case Kind::None:
    case Kind::Other:
        break;
    }
    return QStringLiteral("other");
}

} // namespace

KioskDevice::KioskDevice(DeviceController *controller, QObject *parent)
    : QObject(parent), m_controller(controller), m_steps(new StepListModel(stepTitles(), this))
{
    Q_ASSERT(controller);
    connect(m_controller, &DeviceController::stateChanged, this, [this] {
        refreshInterval();
        Q_EMIT stateChanged();
        Q_EMIT identityChanged();
        Q_EMIT countersChanged();
    });
    connect(m_controller, &DeviceController::stepChanged, this,
            [this](DeviceController::Step step, DeviceController::StepState state, const QString &detail) {
                m_steps->setStep(int(step), statusName(state), detail);
                Q_EMIT identityChanged();
            });
    connect(m_controller, &DeviceController::connectedChanged, this, [this] {
        Q_EMIT connectedChanged();
        Q_EMIT identityChanged();
    });
    connect(m_controller, &DeviceController::countersChanged, this, &KioskDevice::countersChanged);
    connect(m_controller, &DeviceController::telemetryProduced, this, [this](const QJsonObject &body) {
        m_lastTelemetry = body.toVariantMap();
        Q_EMIT lastTelemetryChanged();
    });
    connect(m_controller, &DeviceController::desiredPropertiesChanged, this, [this](const QJsonObject &desired) {
        m_desired = desired.toVariantMap();
        Q_EMIT desiredChanged();
        refreshInterval(); // the controller announces the document once applied
    });
    connect(m_controller, &DeviceController::failed, this, [this](const QString &userMessage, const QString &detail) {
        qCDebug(lcKioskUi) << "device reported a failure:" << detail;
        const ProvisioningClient::Failure failure = m_controller->lastFailure();
        m_errorKind = kindName(failure.kind);
        m_retryAfterSeconds = failure.retryAfterSeconds;
        m_trackingId = failure.trackingId;
        m_attemptsLeft = failure.attemptsLeft;
        m_errorMessage.clear(); // errorChanged follows, with the kind set
        setError(userMessage, detail);
        Q_EMIT failed(userMessage);
    });
    m_lastTelemetry = m_controller->lastTelemetry().toVariantMap();
    m_desired = m_controller->desiredProperties().toVariantMap();
    m_intervalMs = m_controller->telemetryIntervalMs();
    refreshSteps();
}

KioskDevice::~KioskDevice()
{
    if (s_instance == this)
        s_instance = nullptr;
}

void KioskDevice::setInstance(KioskDevice *device)
{
    s_instance = device;
}

KioskDevice *KioskDevice::create(QQmlEngine *qmlEngine, QJSEngine *jsEngine)
{
    Q_UNUSED(qmlEngine)
    if (!s_instance) {
        jsEngine->throwError(QStringLiteral("Device is not available: the program did not create one"));
        return nullptr;
    }
    // The program owns it; the engine must not delete it with itself.
    QJSEngine::setObjectOwnership(s_instance, QJSEngine::CppOwnership);
    return s_instance;
}

KioskDevice::State KioskDevice::state() const
{
    return State(int(m_controller->state()));
}

QString KioskDevice::serial() const
{
    return m_controller->serial();
}

QString KioskDevice::deviceId() const
{
    return m_controller->deviceId();
}

QString KioskDevice::hub() const
{
    return m_controller->assignedHub();
}

bool KioskDevice::isConnected() const
{
    return m_controller->isConnected();
}

qint64 KioskDevice::messagesSent() const
{
    return m_controller->messagesSent();
}

int KioskDevice::messagesQueued() const
{
    return m_controller->messagesQueued();
}

qint64 KioskDevice::messagesDropped() const
{
    return m_controller->messagesDropped();
}

QString KioskDevice::middlewareUrl() const
{
    return m_controller->settings().middlewareUrl.toString();
}

bool KioskDevice::event(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        m_steps->setTitles(stepTitles());
    return QObject::event(event);
}

QString KioskDevice::version() const
{
    const QString version = QCoreApplication::applicationVersion();
    return version.isEmpty() ? QStringLiteral(PROVISIO_VERSION) : version;
}

bool KioskDevice::activate(const QString &typedCode)
{
    // A code is sent once per attempt: while one runs, or once the device
    // is set up, a second ↵ or tap changes nothing.
    if (state() != Unprovisioned && state() != Failed)
        return true;
    const auto code = ActivationCode::parse(typedCode);
    if (!code) {
        setError(tr("That is not a complete activation code: it has 17 characters, printed in groups "
                    "as XXXX-XXXX-XXXX-XXXX-X on your card."),
                 code.error().message);
        return false;
    }
    m_lastAttempt = Attempt::Code;
    m_code = *code;
    m_idScope.clear();
    m_registrationId.clear();
    m_key.clear();
    startAttempt();
    return true;
}

QString KioskDevice::provisionWithKey(const QString &idScope, const QString &registrationId,
                                      const QString &symmetricKey)
{
    const QString scope = idScope.trimmed();
    const QString id = registrationId.trimmed();
    const QString key = symmetricKey.trimmed();
    if (scope.isEmpty())
        return tr("Enter the ID scope.");
    for (const QChar c : scope) {
        if (!c.isLetterOrNumber() || c.unicode() > 127)
            return tr("The ID scope has only letters and digits.");
    }
    if (id.isEmpty())
        return tr("Enter the registration ID.");
    if (const auto valid = Crypto::validateRegistrationId(id); !valid)
        return tr("The registration ID is not valid: %1.").arg(valid.error().message);
    if (key.isEmpty())
        return tr("Enter the key.");
    const auto decoded = QByteArray::fromBase64Encoding(key.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.size() < 16)
        return tr("The key is not valid: it is a base64 text of at least 24 characters.");
    m_lastAttempt = Attempt::FullKey;
    m_code.clear();
    m_idScope = scope;
    m_registrationId = id;
    m_key = key;
    startAttempt();
    return {};
}

bool KioskDevice::retry()
{
    if (m_lastAttempt == Attempt::None)
        return false;
    if (m_controller->hasStoredCredentials()) {
        // The code (or key) was exchanged already; sending it again would
        // only be refused. Register with what it brought instead.
        setError({}, {});
        m_controller->reprovision();
        return true;
    }
    startAttempt();
    return true;
}

void KioskDevice::cancel()
{
    m_controller->cancel();
}

void KioskDevice::reset()
{
    qCInfo(lcKioskUi) << "resetting the device from the settings screen";
    m_lastAttempt = Attempt::None;
    m_code.clear();
    m_key.clear();
    m_controller->reset();
    m_lastTelemetry.clear();
    m_desired.clear();
    setError({}, {});
    refreshSteps();
    Q_EMIT lastTelemetryChanged();
    Q_EMIT desiredChanged();
    Q_EMIT identityChanged();
    Q_EMIT countersChanged();
    refreshInterval();
}

QString KioskDevice::setMiddlewareUrl(const QString &text)
{
    const QUrl url(text.trimmed(), QUrl::StrictMode);
    if (text.trimmed().isEmpty())
        return tr("Enter the middleware address, for example https://provisio.example:8443.");
    if (!url.isValid() || url.scheme() != QLatin1String("https") || url.host().isEmpty())
        return tr("The address must start with https:// followed by a host name, for example "
                  "https://provisio.example:8443.");
    if (!url.path().isEmpty() && url.path() != QLatin1String("/"))
        return tr("The address has no path: only https://host:port.");
    if (url.hasQuery() || url.hasFragment() || !url.userInfo().isEmpty())
        return tr("The address has no user, query or fragment: only https://host:port.");
    QUrl clean = url;
    clean.setPath(QString());
    m_controller->setMiddlewareUrl(clean);
    qCInfo(lcKioskUi) << "middleware address changed to" << clean.toString();
    Q_EMIT middlewareUrlChanged();
    return {};
}

void KioskDevice::setError(const QString &message, const QString &detail)
{
    if (message.isEmpty()) {
        m_errorKind.clear();
        m_retryAfterSeconds = -1;
        m_trackingId.clear();
        m_attemptsLeft = -1;
    }
    if (m_errorMessage == message && m_errorDetail == detail)
        return;
    m_errorMessage = message;
    m_errorDetail = detail;
    Q_EMIT errorChanged();
}

void KioskDevice::refreshSteps()
{
    for (const Step step : kSteps)
        m_steps->setStep(int(step), statusName(m_controller->stepState(step)), m_controller->stepDetail(step));
}

void KioskDevice::refreshInterval()
{
    const int interval = m_controller->telemetryIntervalMs();
    if (interval == m_intervalMs)
        return;
    m_intervalMs = interval;
    Q_EMIT telemetryIntervalChanged();
}

void KioskDevice::startAttempt()
{
    setError({}, {});
    m_steps->clear();
    if (m_lastAttempt == Attempt::Code)
        m_controller->activate(m_code);
    else if (m_lastAttempt == Attempt::FullKey)
        m_controller->provisionWithKey(m_idScope, m_registrationId, m_key);
    refreshSteps();
}

} // namespace Provisio::Kiosk

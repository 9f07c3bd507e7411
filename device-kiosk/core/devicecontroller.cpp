// SPDX-License-Identifier: Apache-2.0
#include "devicecontroller.h"

#include "connectioninfostore.h"
#include "deviceidentity.h"
#include "hubsession.h"
#include "provisioningclient.h"
#include "securefile.h"
#include "telemetryoutbox.h"

#include "protocol/jsonreader.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QPointer>
#include <QUuid>

#include <algorithm>

Q_LOGGING_CATEGORY(lcDevice, "provisio.kiosk.device")

namespace Provisio::Kiosk {

namespace {

const auto kSettingsFile = QStringLiteral("settings.json");
const auto kOutboxFile = QStringLiteral("outbox.sqlite");
const auto kIntervalProperty = QStringLiteral("telemetryIntervalMs");
constexpr int kMinIntervalMs = 100;
constexpr int kMaxIntervalMs = 3600000;
constexpr int kPromptRetryMs = 5 * 1000;
constexpr int kFirstRetryMs = 60 * 1000;
constexpr int kMaxRetryMs = 60 * 60 * 1000;
// A method answer whose PUBACK does not come (connection lost) still lets
// the action run, a little later.
constexpr int kAnswerGraceMs = 2000;

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

} // namespace

DeviceController::DeviceController(DeviceSettings settings, QObject *parent)
    : QObject(parent), m_settings(std::move(settings))
{
    m_serial = DeviceIdentity::detect(m_settings.serial);
    m_intervalMs = std::clamp(m_settings.telemetryIntervalMs, kMinIntervalMs, kMaxIntervalMs);
    m_settings.reprovisionAfterFailures = std::max(1, m_settings.reprovisionAfterFailures);
    m_failureThreshold = m_settings.reprovisionAfterFailures;
    resetSteps();
    connect(&m_telemetryTimer, &QTimer::timeout, this, &DeviceController::produceTelemetry);
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, [this] {
        if (m_credentials && !m_provisioning)
            startReprovisioning(Trigger::AuthenticationRefused);
    });
}

DeviceController::~DeviceController()
{
    // The sender's publish function points at the session: it goes first.
    m_sender.reset();
    m_session.reset();
    m_provisioning.reset();
}

QString DeviceController::deviceId() const
{
    return m_connection ? m_connection->deviceId : QString();
}

QString DeviceController::assignedHub() const
{
    return m_connection ? m_connection->assignedHub : QString();
}

bool DeviceController::isConnected() const
{
    return m_session && m_session->isConnected();
}

QString DeviceController::telemetrySourceName() const
{
    return m_source ? m_source->name() : QString();
}

// --- state and steps --------------------------------------------------------

void DeviceController::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    qCInfo(lcDevice).noquote() << m_serial << "state" << QVariant::fromValue(state).toString();
    Q_EMIT stateChanged(state);
}

void DeviceController::setStep(Step step, StepState state, const QString &detail)
{
    const size_t i = size_t(step);
    if (m_stepStates.at(i) == state && m_stepDetails.at(i) == detail)
        return;
    m_stepStates.at(i) = state;
    m_stepDetails.at(i) = detail;
    Q_EMIT stepChanged(step, state, detail);
}

void DeviceController::resetSteps()
{
    for (int i = 0; i < 5; ++i)
        setStep(Step(i), StepState::Pending);
}

DeviceController::Step DeviceController::activeStep() const
{
    for (int i = 0; i < 5; ++i) {
        if (m_stepStates.at(size_t(i)) == StepState::Active)
            return Step(i);
    }
    return Step::Registering;
}

void DeviceController::setError(const QString &userMessage, const QString &detail, bool emitFailed)
{
    m_lastError = userMessage;
    qCWarning(lcDevice).noquote() << m_serial << detail;
    if (emitFailed)
        Q_EMIT failed(userMessage, detail);
}

// --- settings and storage ---------------------------------------------------

bool DeviceController::checkMiddlewareUrl(const QUrl &url)
{
    const QString scheme = url.scheme();
    if (url.isValid() && !url.host().isEmpty() && (scheme == QLatin1String("https") || scheme == QLatin1String("http")))
        return true;
    setError(tr("The address of the provisioning service is not valid. It looks like https://host:port."),
             QStringLiteral("invalid middleware URL \"%1\"").arg(url.toDisplayString()));
    return false;
}

void DeviceController::setMiddlewareUrl(const QUrl &url)
{
    if (!checkMiddlewareUrl(url))
        return;
    const auto written = SecureFile::write(m_settings.dataDirectory, kSettingsFile,
                                           compact(QJsonObject{{QStringLiteral("middlewareUrl"), url.toString()}}));
    if (!written) {
        setError(tr("The device cannot save its settings. Its storage may be full or read-only."),
                 written.error().message);
        return;
    }
    m_settings.middlewareUrl = url;
}

void DeviceController::setTelemetrySource(std::unique_ptr<TelemetrySource> source)
{
    m_source = std::move(source);
}

bool DeviceController::ensureOutbox()
{
    if (m_outbox)
        return true;
    QDir dir(m_settings.dataDirectory);
    if (!dir.mkpath(QStringLiteral(".")) ||
        !QFile::setPermissions(dir.absolutePath(),
                               QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner)) {
        setError(tr("The device cannot use its storage. Restart it; if that does not help, contact your provider."),
                 QStringLiteral("cannot create the data directory %1").arg(dir.absolutePath()));
        return false;
    }
    auto opened = TelemetryOutbox::open(dir.filePath(kOutboxFile), m_settings.outboxCapacity);
    if (!opened) {
        setError(tr("The device cannot use its storage. Restart it; if that does not help, contact your provider."),
                 opened.error().message);
        return false;
    }
    m_outbox = std::move(opened).value();
    refreshCounters();
    return true;
}

void DeviceController::start()
{
    if (m_settings.dataDirectory.isEmpty()) {
        setError(tr("The device has no place to keep its settings. Contact your provider."),
                 QStringLiteral("no data directory configured"));
        setState(State::Failed);
        return;
    }
    m_stopping = false;
    if (const auto stored = SecureFile::read(m_settings.dataDirectory, kSettingsFile); stored && stored->has_value()) {
        const auto json = parseJsonObject(**stored);
        const QUrl url(json ? json->value(QStringLiteral("middlewareUrl")).toString() : QString());
        if (url.isValid() && !url.host().isEmpty())
            m_settings.middlewareUrl = url;
        else
            qCWarning(lcDevice) << "ignoring an unreadable" << kSettingsFile;
    }
    if (!ensureOutbox()) {
        setState(State::Failed);
        return;
    }
    if (!m_source)
        m_source = std::make_unique<SimulatedSensorsSource>();

    const auto credentials = ProvisioningCredentialsStore(m_settings.dataDirectory).load();
    if (!credentials)
        setError(tr("The device's stored setup is damaged. Reset the device and set it up again."),
                 credentials.error().message);
    else
        m_credentials = *credentials;
    if (m_credentials) {
        // The serial it was set up under, unless one is configured.
        if (m_settings.serial.isEmpty() && !m_credentials->serial.isEmpty())
            m_serial = m_credentials->serial;
        if (m_settings.middlewareUrl.isEmpty())
            m_settings.middlewareUrl = m_credentials->middlewareUrl;
        if (m_settings.middlewareCaPem.isEmpty())
            m_settings.middlewareCaPem = m_credentials->middlewareCaPem;
    }

    const auto connection = ConnectionInfoStore(m_settings.dataDirectory).load();
    if (!connection) {
        setError(tr("The device's stored connection is damaged. Set the device up again."), connection.error().message);
        // With the credentials the device can set itself up again.
        if (m_credentials) {
            startReprovisioning(Trigger::User);
            return;
        }
        setState(State::Unprovisioned);
        return;
    }
    if (!connection->has_value()) {
        setState(State::Unprovisioned);
        return;
    }
    m_connection = **connection;
    qCInfo(lcDevice).noquote() << "provisioned device" << m_connection->deviceId << "reconnects to"
                               << m_connection->assignedHub;
    setStep(Step::ExchangingCode, StepState::Done);
    setStep(Step::Registering, StepState::Done);
    setStep(Step::Assigned, StepState::Done, tr("Assigned to %1").arg(m_connection->assignedHub));
    setStep(Step::Connecting, StepState::Active, tr("Connecting to %1").arg(m_connection->assignedHub));
    setState(State::Connecting);
    // The session (and its network resources) starts from the event loop, so
    // a program starting many devices opens all their storage first.
    QTimer::singleShot(0, this, [this] {
        if (m_connection && !m_session && !m_provisioning && !m_stopping && m_state == State::Connecting)
            startSession();
    });
}

// --- provisioning -----------------------------------------------------------

ProvisioningClient *DeviceController::newProvisioningClient()
{
    disposeProvisioningClient();
    m_lastFailure = {};
    m_provisioning = std::make_unique<ProvisioningClient>();
    ProvisioningClient *client = m_provisioning.get();
    client->setTimeout(m_settings.provisioningTimeoutMs);
    if (!m_settings.middlewareCaPem.isEmpty() && !client->setCaCertificatePem(m_settings.middlewareCaPem))
        qCWarning(lcDevice) << "the configured middleware CA holds no certificate; using the system's";
    connect(client, &ProvisioningClient::stepChanged, this,
            [this](ProvisioningClient::Step step) { handleProvisioningStep(int(step)); });
    connect(client, &ProvisioningClient::credentialsReceived, this, &DeviceController::handleCredentials);
    connect(client, &ProvisioningClient::provisioned, this, &DeviceController::handleProvisioned);
    connect(client, &ProvisioningClient::failed, this, &DeviceController::handleProvisioningFailed);
    return client;
}

void DeviceController::disposeProvisioningClient()
{
    if (!m_provisioning)
        return;
    m_provisioning->cancel();
    disconnect(m_provisioning.get(), nullptr, this, nullptr);
    // It may be emitting the signal that brought us here.
    m_provisioning.release()->deleteLater();
}

void DeviceController::activate(const QString &activationCode)
{
    if (m_provisioning) {
        qCWarning(lcDevice) << "provisioning already running; activation ignored";
        return;
    }
    if (m_connection) {
        setError(tr("This device is already set up. Reset it first to use another code."),
                 QStringLiteral("activation refused: the device is provisioned as %1").arg(m_connection->deviceId));
        return;
    }
    if (!ensureOutbox() || !checkMiddlewareUrl(m_settings.middlewareUrl))
        return;
    m_retryTimer.stop();
    m_lastError.clear();
    m_activating = true;
    m_reprovisioning = false;
    resetSteps();
    setState(State::Provisioning);
    newProvisioningClient()->activate(m_settings.middlewareUrl, m_serial, activationCode);
}

void DeviceController::provisionWithKey(const QString &idScope, const QString &registrationId,
                                        const QString &symmetricKey)
{
    if (m_provisioning) {
        qCWarning(lcDevice) << "provisioning already running; request ignored";
        return;
    }
    if (m_connection) {
        setError(tr("This device is already set up. Reset it first to use another key."),
                 QStringLiteral("provisioning refused: the device is provisioned as %1").arg(m_connection->deviceId));
        return;
    }
    if (!ensureOutbox() || !checkMiddlewareUrl(m_settings.middlewareUrl))
        return;
    m_retryTimer.stop();
    m_lastError.clear();
    m_activating = false;
    m_reprovisioning = false;
    resetSteps();
    setState(State::Provisioning);
    setStep(Step::ExchangingCode, StepState::Done, tr("Full key entered"));
    // ProvisioningClient checks the three values before any request; they
    // are stored once the service accepted them.
    handleCredentials(idScope.trimmed(), registrationId.trimmed(), symmetricKey.trimmed());
    newProvisioningClient()->registerDevice(m_settings.middlewareUrl, idScope.trimmed(), registrationId.trimmed(),
                                            symmetricKey.trimmed());
}

void DeviceController::handleCredentials(const QString &idScope, const QString &registrationId,
                                         const QString &symmetricKey)
{
    ProvisioningCredentials c;
    c.middlewareUrl = m_settings.middlewareUrl;
    c.middlewareCaPem = m_settings.middlewareCaPem;
    c.idScope = idScope;
    c.registrationId = registrationId;
    c.symmetricKey = symmetricKey;
    c.serial = m_serial;
    if (m_activating) {
        // The code is spent now: without these the device could not
        // register again.
        const auto saved = ProvisioningCredentialsStore(m_settings.dataDirectory).save(c);
        if (!saved) {
            disposeProvisioningClient();
            setStep(Step::ExchangingCode, StepState::Failed, tr("Cannot save the device's credentials"));
            setState(State::Failed);
            setError(tr("The device cannot save its settings. Its storage may be full or read-only."),
                     saved.error().message);
            return;
        }
        m_credentials = c;
    } else {
        m_pendingCredentials = c;
    }
}

void DeviceController::reprovision()
{
    startReprovisioning(Trigger::User);
}

void DeviceController::startReprovisioning(Trigger trigger)
{
    if (m_provisioning) {
        qCInfo(lcDevice) << "provisioning already running; reprovision request ignored";
        return;
    }
    if (!m_credentials) {
        setError(tr("This device cannot set itself up again: it has no stored credentials. "
                    "Reset it and enter a new activation code."),
                 QStringLiteral("reprovisioning impossible: no stored provisioning credentials"));
        return;
    }
    m_retryTimer.stop();
    ++m_reprovisions;
    m_trigger = trigger;
    m_activating = false;
    m_reprovisioning = true;
    m_connectFailures = 0;
    qCInfo(lcDevice).noquote() << m_serial << "registering again with the stored credentials of"
                               << m_credentials->registrationId;
    // The cached hub's session ends; telemetry keeps going into the outbox.
    retireSession();
    resetSteps();
    setStep(Step::ExchangingCode, StepState::Done, tr("Using the stored credentials"));
    setState(State::Provisioning);
    const QUrl url = m_settings.middlewareUrl.isValid() && !m_settings.middlewareUrl.host().isEmpty()
                         ? m_settings.middlewareUrl
                         : m_credentials->middlewareUrl;
    newProvisioningClient()->registerDevice(url, m_credentials->idScope, m_credentials->registrationId,
                                            m_credentials->symmetricKey);
}

void DeviceController::handleProvisioningStep(int step)
{
    switch (ProvisioningClient::Step(step)) {
    case ProvisioningClient::Step::ExchangingCode:
        setStep(Step::ExchangingCode, StepState::Active, tr("Checking the activation code"));
        break;
    case ProvisioningClient::Step::Registering:
        if (m_activating)
            setStep(Step::ExchangingCode, StepState::Done, tr("Activation code accepted"));
        setStep(Step::Registering, StepState::Active, tr("Registering with the provisioning service"));
        break;
    case ProvisioningClient::Step::WaitingForAssignment:
        setStep(Step::Registering, StepState::Active, tr("Waiting for a hub to be assigned"));
        break;
    case ProvisioningClient::Step::Assigned:
        setStep(Step::Registering, StepState::Done, tr("Registered"));
        break;
    }
}

void DeviceController::handleProvisioned(const ConnectionInfo &info)
{
    disposeProvisioningClient();
    // Credentials of the full-key path are kept once the service accepted
    // them, so a typo in a key is never stored.
    Result<void> saved;
    if (m_pendingCredentials)
        saved = ProvisioningCredentialsStore(m_settings.dataDirectory).save(*m_pendingCredentials);
    if (saved)
        saved = ConnectionInfoStore(m_settings.dataDirectory).save(info);
    if (!saved) {
        setStep(Step::Assigned, StepState::Failed, tr("Cannot save the connection"));
        m_pendingCredentials.reset();
        setState(State::Failed);
        setError(tr("The device cannot save its settings. Its storage may be full or read-only."),
                 saved.error().message);
        return;
    }
    if (m_pendingCredentials) {
        m_credentials = m_pendingCredentials;
        m_pendingCredentials.reset();
    }
    const bool moved = m_connection && m_connection->assignedHub != info.assignedHub;
    m_connection = info;
    m_lastError.clear();
    qCInfo(lcDevice).noquote() << m_serial << (moved ? "moved to hub" : "assigned to hub") << info.assignedHub << "as"
                               << info.deviceId;
    setStep(Step::Assigned, StepState::Done, tr("Assigned to %1").arg(info.assignedHub));
    startSession();
}

void DeviceController::handleProvisioningFailed(const QString &userMessage, const QString &detail)
{
    if (m_provisioning)
        m_lastFailure = m_provisioning->lastFailure();
    disposeProvisioningClient();
    m_pendingCredentials.reset();
    setStep(activeStep(), StepState::Failed, userMessage);
    if (m_reprovisioning && m_connection && m_trigger != Trigger::AuthenticationRefused) {
        // The cached hub may still be fine (or back soon): keep using it.
        setError(userMessage,
                 QStringLiteral("reprovisioning failed, staying on %1: %2").arg(m_connection->assignedHub, detail),
                 false);
        startSession();
        return;
    }
    // Failed first: a receiver of failed() sees the state it explains.
    setState(State::Failed);
    setError(userMessage, detail);
    if (m_reprovisioning && m_trigger == Trigger::AuthenticationRefused && m_credentials) {
        const int delay = nextRetryDelayMs();
        qCInfo(lcDevice) << "registering again in" << delay / 1000 << "s";
        m_retryTimer.start(delay);
    }
}

void DeviceController::cancel()
{
    if (!m_provisioning)
        return;
    disposeProvisioningClient();
    m_pendingCredentials.reset();
    if (m_reprovisioning && m_connection) {
        startSession();
        return;
    }
    resetSteps();
    setState(State::Unprovisioned);
}

void DeviceController::reset()
{
    disposeProvisioningClient();
    m_pendingCredentials.reset();
    m_retryTimer.stop();
    m_telemetryTimer.stop();
    retireSession();
    QStringList problems;
    if (const auto r = ConnectionInfoStore(m_settings.dataDirectory).clear(); !r)
        problems << r.error().message;
    if (const auto r = ProvisioningCredentialsStore(m_settings.dataDirectory).clear(); !r)
        problems << r.error().message;
    if (m_outbox) {
        if (const auto r = m_outbox->clear(); !r)
            problems << r.error().message;
    }
    m_connection.reset();
    m_credentials.reset();
    m_connectFailures = 0;
    m_sent = 0;
    m_lastTelemetry = {};
    m_desired = {};
    m_intervalMs = std::clamp(m_settings.telemetryIntervalMs, kMinIntervalMs, kMaxIntervalMs);
    m_lastError.clear();
    refreshCounters();
    Q_EMIT countersChanged();
    Q_EMIT desiredPropertiesChanged(m_desired);
    resetSteps();
    setState(State::Unprovisioned);
    if (!problems.isEmpty())
        setError(tr("The device could not forget everything it stored. Reset it again."),
                 problems.join(QStringLiteral("; ")));
}

void DeviceController::stop()
{
    m_stopping = true;
    disposeProvisioningClient();
    m_retryTimer.stop();
    m_telemetryTimer.stop();
    m_sender.reset();
    if (!m_session || !m_session->isConnected()) {
        m_session.reset();
        QMetaObject::invokeMethod(this, &DeviceController::stopped, Qt::QueuedConnection);
        return;
    }
    HubSession *session = m_session.get();
    disconnect(session, nullptr, this, nullptr);
    auto done = std::make_shared<bool>(false);
    auto finish = [this, done] {
        if (*done)
            return;
        *done = true;
        m_session.reset();
        Q_EMIT stopped();
    };
    connect(session, &HubSession::connectedChanged, this, [finish](bool connected) {
        if (!connected)
            finish();
    });
    QTimer::singleShot(3000, this, finish);
    session->stop();
}

// --- hub session ------------------------------------------------------------

void DeviceController::startSession()
{
    if (!m_connection || m_stopping)
        return;
    retireSession();
    m_connectFailures = 0;
    m_session = std::make_unique<HubSession>(*m_connection);
    HubSession *session = m_session.get();
    session->setTokenLifetime(m_settings.hubTokenLifetimeSeconds);
    session->setReconnectDelays(1000, std::max(1000, m_settings.maxReconnectDelayMs));
    m_sender = std::make_unique<OutboxSender>(m_outbox.get(), m_connection->deviceId,
                                              [session](const QString &topic, const QByteArray &payload) {
                                                  return session->publishTelemetry(topic, payload);
                                              });
    m_sender->setConfirmation(m_settings.unconfirmedWindow, m_settings.confirmTimeoutMs);
    connect(session, &HubSession::messagesStored, m_sender.get(), &OutboxSender::onStored);
    connect(m_sender.get(), &OutboxSender::messageAcknowledged, this, [this](qint64) {
        ++m_sent;
        refreshCounters();
        Q_EMIT countersChanged();
    });
    connect(m_sender.get(), &OutboxSender::messageRefused, this, [this](qint64 id, int reasonCode) {
        qCWarning(lcDevice) << "the hub refused telemetry message" << id << "with reason" << reasonCode;
        refreshCounters();
    });
    connect(m_sender.get(), &OutboxSender::outboxError, this, [this](const QString &message) {
        setError(tr("The device cannot use its storage. Restart it; if that does not help, contact your provider."),
                 message);
    });
    connect(session, &HubSession::connectedChanged, this, &DeviceController::handleConnectedChanged);
    connect(session, &HubSession::provisioningStatusReported, this, &DeviceController::handleStatusReported);
    connect(session, &HubSession::connectFailed, this, &DeviceController::handleConnectFailed);
    connect(session, &HubSession::authenticationRefused, this, &DeviceController::handleAuthenticationRefused);
    connect(session, &HubSession::methodCalled, this, &DeviceController::handleMethod);
    connect(session, &HubSession::published, this, &DeviceController::handlePublished);
    connect(session, &HubSession::desiredPropertiesChanged, this, &DeviceController::handleDesired);

    setStep(Step::Connecting, StepState::Active, tr("Connecting to %1").arg(m_connection->assignedHub));
    setStep(Step::ReportingStatus, StepState::Pending);
    setState(State::Connecting);
    session->start();

    if (!m_telemetryTimer.isActive() && m_source) {
        m_telemetryTimer.start(m_intervalMs);
        // The first reading goes out with the connection, not an interval later.
        produceTelemetry();
    }
}

void DeviceController::retireSession()
{
    m_sender.reset();
    m_afterAnswer.clear();
    if (!m_session)
        return;
    const bool wasConnected = m_session->isConnected();
    HubSession *old = m_session.release();
    disconnect(old, nullptr, this, nullptr);
    old->stop();
    // Give the clean DISCONNECT a moment to leave before the client goes.
    if (old->isConnected()) {
        connect(old, &HubSession::connectedChanged, old, [old](bool connected) {
            if (!connected)
                old->deleteLater();
        });
        QTimer::singleShot(3000, old, &QObject::deleteLater);
    } else {
        old->deleteLater();
    }
    if (wasConnected)
        Q_EMIT connectedChanged(false);
}

void DeviceController::handleConnectedChanged(bool connected)
{
    if (connected) {
        m_connectFailures = 0;
        m_retryDelayMs = 0;
        m_refusalsSinceConnected = 0;
        m_failureThreshold = m_settings.reprovisionAfterFailures;
        setStep(Step::Connecting, StepState::Done, tr("Connected to %1").arg(m_connection->assignedHub));
        if (m_sender)
            m_sender->onConnected();
        Q_EMIT connectedChanged(true);
        if (m_session->isProvisioningStatusReported()) {
            setState(State::Running);
        } else {
            setStep(Step::ReportingStatus, StepState::Active, tr("Reporting the device as provisioned"));
        }
        return;
    }
    if (m_sender)
        m_sender->onConnectionLost();
    setStep(Step::Connecting, StepState::Active, tr("Reconnecting to %1").arg(m_connection->assignedHub));
    setState(State::Connecting);
    Q_EMIT connectedChanged(false);
}

void DeviceController::handleStatusReported()
{
    setStep(Step::ReportingStatus, StepState::Done, tr("Reported as provisioned"));
    if (isConnected())
        setState(State::Running);
}

void DeviceController::handleConnectFailed(const QString &message)
{
    ++m_connectFailures;
    qCInfo(lcDevice).noquote() << m_serial << "connection attempt" << m_connectFailures << "to"
                               << m_connection->assignedHub << "failed:" << message;
    setStep(Step::Connecting, StepState::Active,
            tr("Cannot reach %1 yet (attempt %2); retrying").arg(m_connection->assignedHub).arg(m_connectFailures));
    if (m_connectFailures >= m_failureThreshold && m_credentials) {
        qCInfo(lcDevice) << m_connectFailures << "failed connection attempts: registering again";
        // If DPS hands out the same unreachable hub, the next attempt to
        // register waits for twice as many failures: an outage of the hub
        // does not turn into a stream of registrations.
        m_failureThreshold = std::min(m_failureThreshold * 2, m_settings.reprovisionAfterFailures * 64);
        startReprovisioning(Trigger::ConnectFailures);
    }
}

int DeviceController::nextRetryDelayMs()
{
    if (m_retryDelayMs == 0)
        m_retryDelayMs = kPromptRetryMs;
    else if (m_retryDelayMs < kFirstRetryMs)
        m_retryDelayMs = kFirstRetryMs;
    else
        m_retryDelayMs = std::min(m_retryDelayMs * 2, kMaxRetryMs);
    return m_retryDelayMs;
}

void DeviceController::handleAuthenticationRefused()
{
    if (m_credentials) {
        if (m_refusalsSinceConnected++ == 0) {
            qCInfo(lcDevice) << "the hub refused the device's credentials: registering again";
            startReprovisioning(Trigger::AuthenticationRefused);
            return;
        }
        // Refused again since the last connection, even with what the last
        // registration handed out: not a tight loop of registrations.
        retireSession();
        setStep(Step::Connecting, StepState::Failed, tr("The hub refused the device"));
        const int delay = nextRetryDelayMs();
        qCInfo(lcDevice) << "the hub refused the device's credentials again: registering again in" << delay / 1000
                         << "s";
        m_retryTimer.start(delay);
        return;
    }
    retireSession();
    setStep(Step::Connecting, StepState::Failed, tr("The hub refused the device"));
    setState(State::Failed);
    setError(tr("The hub no longer accepts this device. Reset it and set it up again with a new activation code."),
             QStringLiteral("the hub %1 refused the credentials of %2 and no provisioning credentials are stored")
                 .arg(m_connection->assignedHub, m_connection->deviceId));
}

// --- direct methods and desired properties ----------------------------------

void DeviceController::answerThen(const QString &rid, int status, const QJsonObject &body, std::function<void()> then)
{
    const int mid = m_session ? m_session->respondToMethod(rid, status, compact(body)) : -1;
    if (!then)
        return;
    if (mid < 0) {
        QTimer::singleShot(0, this, then);
        return;
    }
    m_afterAnswer.insert(mid, then);
    // The PUBACK normally comes within milliseconds; if the connection goes
    // first, the action still runs.
    QPointer<HubSession> session = m_session.get();
    QTimer::singleShot(kAnswerGraceMs, this, [this, mid, session] {
        // A retired session's pending actions were dropped with it; its
        // message ids mean nothing for the current one.
        if (session.isNull() || session != m_session.get())
            return;
        if (const auto action = m_afterAnswer.take(mid))
            action();
    });
}

void DeviceController::handlePublished(int messageId, int reasonCode)
{
    if (m_sender)
        m_sender->onPublished(messageId, reasonCode);
    if (const auto action = m_afterAnswer.take(messageId))
        action();
}

void DeviceController::handleMethod(const QString &name, const QString &rid, const QByteArray &payload)
{
    qCInfo(lcDevice).noquote() << m_serial << "direct method" << name;
    const QString now = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    if (name == QLatin1String("ping")) {
        QJsonObject body{{QStringLiteral("pong"), true},
                         {QStringLiteral("deviceId"), deviceId()},
                         {QStringLiteral("time"), now},
                         {QStringLiteral("messagesSent"), m_sent},
                         {QStringLiteral("messagesQueued"), m_queued}};
        const QJsonDocument in = QJsonDocument::fromJson(payload);
        if (in.isObject())
            body.insert(QStringLiteral("payload"), in.object());
        else if (in.isArray())
            body.insert(QStringLiteral("payload"), in.array());
        answerThen(rid, 200, body, {});
        return;
    }
    if (name == QLatin1String("reboot")) {
        answerThen(rid, 200, QJsonObject{{QStringLiteral("rebooting"), true}, {QStringLiteral("time"), now}},
                   [this] { Q_EMIT rebootRequested(); });
        return;
    }
    if (name == QLatin1String("reprovision")) {
        if (!m_credentials) {
            answerThen(rid, 409,
                       QJsonObject{{QStringLiteral("error"),
                                    QStringLiteral("this device has no stored provisioning credentials")}},
                       {});
            return;
        }
        answerThen(rid, 200, QJsonObject{{QStringLiteral("reprovisioning"), true}, {QStringLiteral("time"), now}},
                   [this] { startReprovisioning(Trigger::Method); });
        return;
    }
    answerThen(rid, 404,
               QJsonObject{{QStringLiteral("error"), QStringLiteral("unknown method \"%1\"").arg(name)},
                           {QStringLiteral("methods"), QJsonArray{QStringLiteral("ping"), QStringLiteral("reboot"),
                                                                  QStringLiteral("reprovision")}}},
               {});
}

void DeviceController::handleDesired(const QJsonObject &desired)
{
    m_desired = desired;
    // Announced once applied, so whoever listens reads the new interval.
    if (!desired.contains(kIntervalProperty)) {
        Q_EMIT desiredPropertiesChanged(desired);
        return;
    }
    const QJsonValue value = desired.value(kIntervalProperty);
    const qint64 version = qint64(desired.value(QStringLiteral("$version")).toDouble(-1));
    const double requested = value.toDouble(-1);
    const bool valid = value.isDouble() && requested == double(qint64(requested)) && requested >= kMinIntervalMs &&
                       requested <= kMaxIntervalMs;
    // The acknowledgement follows the IoT Plug and Play convention for
    // writable properties: value, ack code, ack version, description.
    QJsonObject ack{{QStringLiteral("av"), version}};
    if (valid) {
        m_intervalMs = int(requested);
        if (m_telemetryTimer.isActive())
            m_telemetryTimer.start(m_intervalMs);
        qCInfo(lcDevice).noquote() << m_serial << "telemetry interval now" << m_intervalMs << "ms";
        ack.insert(QStringLiteral("value"), m_intervalMs);
        ack.insert(QStringLiteral("ac"), 200);
        ack.insert(QStringLiteral("ad"), QStringLiteral("applied"));
    } else {
        qCWarning(lcDevice).noquote() << m_serial << "ignoring an invalid desired" << kIntervalProperty;
        ack.insert(QStringLiteral("value"), m_intervalMs);
        ack.insert(QStringLiteral("ac"), 400);
        ack.insert(QStringLiteral("ad"), QStringLiteral("must be an integer from %1 to %2; kept %3")
                                             .arg(kMinIntervalMs)
                                             .arg(kMaxIntervalMs)
                                             .arg(m_intervalMs));
    }
    Q_EMIT desiredPropertiesChanged(desired);
    if (m_session)
        m_session->reportProperties(QJsonObject{{kIntervalProperty, ack}});
}

// --- telemetry --------------------------------------------------------------

void DeviceController::produceTelemetry()
{
    if (!m_source || !m_outbox || !m_connection)
        return;
    const QJsonObject body = m_source->next();
    // $.mid (a message id) lets the back end tell a resent duplicate from a
    // new message; $.ct/$.ce say it is UTF-8 JSON, as on IoT Hub.
    const TelemetryOutbox::Properties properties{
        {QStringLiteral("$.mid"), QUuid::createUuid().toString(QUuid::WithoutBraces)},
        {QStringLiteral("$.ct"), QStringLiteral("application/json")},
        {QStringLiteral("$.ce"), QStringLiteral("utf-8")},
    };
    const auto id = m_outbox->enqueue(compact(body), properties);
    if (!id) {
        setError(tr("The device cannot store its readings. Its storage may be full."), id.error().message);
        return;
    }
    m_lastTelemetry = body;
    Q_EMIT telemetryProduced(body);
    refreshCounters();
    Q_EMIT countersChanged();
    if (m_sender)
        m_sender->drain();
}

void DeviceController::refreshCounters()
{
    if (!m_outbox)
        return;
    const int queued = m_outbox->size();
    const qint64 dropped = m_outbox->droppedCount();
    if (dropped > m_dropped)
        qCWarning(lcDevice).noquote() << m_serial << "outbox full:" << (dropped - m_dropped)
                                      << "oldest message(s) dropped," << dropped << "in all";
    m_queued = queued;
    m_dropped = dropped;
}

} // namespace Provisio::Kiosk

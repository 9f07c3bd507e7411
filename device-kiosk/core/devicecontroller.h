// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "connectioninfo.h"
#include "provisioningclient.h"
#include "provisioningcredentials.h"
#include "telemetrysource.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QTimer>
#include <QUrl>

#include <array>
#include <functional>
#include <memory>
#include <optional>

namespace Provisio::Kiosk {

class HubSession;
class OutboxSender;
class TelemetryOutbox;

// How one device program runs its device; filled from the kiosk's or the
// agent's configuration.
struct DeviceSettings
{
    QString dataDirectory;          // holds connection info, provisioning credentials, outbox
    QUrl middlewareUrl;             // https://host:port
    QByteArray middlewareCaPem;     // CA the middleware's certificate chains to
    QString serial;                 // empty: DeviceIdentity::detect()
    int telemetryIntervalMs = 5000; // until the desired property "telemetryIntervalMs" says otherwise
    int outboxCapacity = 10000;
    // End-to-end confirmation (docs/device.md): at most this many messages
    // the hub acknowledged wait for the back end's "stored" (0: the hub's
    // acknowledgement suffices), and are sent again after confirmTimeoutMs.
    int unconfirmedWindow = 1000;
    int confirmTimeoutMs = 60000;
    int reprovisionAfterFailures = 5; // consecutive failed connects to the cached hub
    int hubTokenLifetimeSeconds = 3600;
    // Longest wait between two connection attempts to the hub (the wait
    // doubles from 1 s up to this, with jitter).
    int maxReconnectDelayMs = 60000;
    // Whole provisioning run, from the code exchange to the assignment.
    int provisioningTimeoutMs = 120000;
};

// The device runtime the kiosk and the agent share: it provisions the device
// (activation code or full key, then DPS), keeps what it learnt in
// dataDirectory, runs the hub session and streams telemetry through the
// on-disk outbox. Everything a screen shows is a property with a signal.
//
// Files in dataDirectory (owner-only, each replaced atomically):
//   connection.json    the hub connection (ConnectionInfoStore)
//   provisioning.json  the DPS credentials, for reprovisioning without the code
//   settings.json      the middleware URL chosen with setMiddlewareUrl()
//   outbox.sqlite      the telemetry outbox (TelemetryOutbox)
//
// Reprovision policy: DPS registration again with the stored credentials
// after reprovisionAfterFailures consecutive failed connection attempts to
// the cached hub (twice as many the next time while no connection succeeds,
// up to 64 times), when the hub refuses the device's credentials, or when the
// back office invokes the `reprovision` direct method. A refusal is how a
// device learns that its hub key was retired (rotated, or revoked and
// admitted again): the first one registers again at once. A reprovisioning
// that fails after connection failures goes back to the cached hub; one that
// fails after a refusal (or a new key refused again) leaves the device
// Failed and is retried promptly once (5 seconds: the hub may not have heard
// of the new key yet, an enrollment may just be enabled again), then with a
// growing delay (1 minute doubling to 1 hour) until a connection succeeds.
class DeviceController : public QObject
{
    Q_OBJECT
public:
    enum class State { Unprovisioned, Provisioning, Connecting, Running, Failed };
    Q_ENUM(State)
    // Steps shown on the kiosk's progress screen, in order.
    enum class Step { ExchangingCode, Registering, Assigned, Connecting, ReportingStatus };
    Q_ENUM(Step)
    enum class StepState { Pending, Active, Done, Failed };
    Q_ENUM(StepState)

    explicit DeviceController(DeviceSettings settings, QObject *parent = nullptr);
    ~DeviceController() override;

    const DeviceSettings &settings() const { return m_settings; }
    // Kiosk settings screen; persisted in dataDirectory and preferred over
    // the configured URL from then on. An invalid URL changes nothing and is
    // reported with failed().
    void setMiddlewareUrl(const QUrl &url);
    void setTelemetrySource(std::unique_ptr<TelemetrySource> source);

    // Reads stored connection info: provisioned → Connecting (no provisioning on
    // boot); otherwise Unprovisioned. Reports an unreadable store via failed().
    void start();
    void activate(const QString &activationCode); // serial + code exchange, then DPS
    void provisionWithKey(const QString &idScope, const QString &registrationId,
                          const QString &symmetricKey); // advanced path
    void cancel();                                      // stops a running provisioning → Unprovisioned
    void reprovision(); // DPS again with the stored credentials (method, repeated failures, auth refusal)
    void reset();       // forgets connection info, credentials and outbox → Unprovisioned
    // Ends the session cleanly ("offline" published, then DISCONNECT) and
    // stops producing telemetry; stopped() follows, at most 3 s later.
    void stop();

    State state() const { return m_state; }
    QString serial() const { return m_serial; }
    QString deviceId() const; // empty until provisioned
    QString assignedHub() const;
    bool isConnected() const;
    StepState stepState(Step step) const { return m_stepStates.at(size_t(step)); }
    QString stepDetail(Step step) const { return m_stepDetails.at(size_t(step)); }
    qint64 messagesSent() const { return m_sent; }                // acknowledged by the hub
    int messagesQueued() const { return m_queued; }               // in the outbox
    qint64 messagesDropped() const { return m_dropped; }          // outbox overflow, never silent
    QJsonObject lastTelemetry() const { return m_lastTelemetry; } // body of the last message enqueued
    QJsonObject desiredProperties() const { return m_desired; }
    int telemetryIntervalMs() const { return m_intervalMs; }
    QString lastErrorMessage() const { return m_lastError; } // plain language for the person at the device
    // How the last provisioning run failed (kind None after a success or
    // before any failure): lets a screen offer the fitting next step.
    ProvisioningClient::Failure lastFailure() const { return m_lastFailure; }

    // Beyond the contract: what the agent, tests and support read.
    bool hasStoredCredentials() const { return m_credentials.has_value(); }
    int consecutiveConnectFailures() const { return m_connectFailures; }
    int reprovisionCount() const { return m_reprovisions; }
    QString telemetrySourceName() const;

Q_SIGNALS:
    void stateChanged(Provisio::Kiosk::DeviceController::State state);
    void stepChanged(Provisio::Kiosk::DeviceController::Step step, Provisio::Kiosk::DeviceController::StepState state,
                     const QString &detail);
    void connectedChanged(bool connected);
    void countersChanged(); // sent / queued / dropped
    void telemetryProduced(const QJsonObject &body);
    // After the desired telemetryIntervalMs (if any) has been applied.
    void desiredPropertiesChanged(const QJsonObject &desired);
    void failed(const QString &userMessage, const QString &detail); // detail never has secrets
    void rebootRequested(); // the `reboot` direct method: the host program decides
    void stopped();         // after stop()

private:
    enum class Trigger { User, Method, ConnectFailures, AuthenticationRefused };

    void setState(State state);
    void setStep(Step step, StepState state, const QString &detail = {});
    void resetSteps();
    void setError(const QString &userMessage, const QString &detail, bool emitFailed = true);
    bool ensureOutbox();
    bool checkMiddlewareUrl(const QUrl &url);
    ProvisioningClient *newProvisioningClient();
    void disposeProvisioningClient();
    void startReprovisioning(Trigger trigger);
    void handleProvisioningStep(int step);
    void handleProvisioned(const ConnectionInfo &info);
    void handleProvisioningFailed(const QString &userMessage, const QString &detail);
    void handleCredentials(const QString &idScope, const QString &registrationId, const QString &symmetricKey);
    void startSession();
    void retireSession();
    void handleConnectedChanged(bool connected);
    void handleStatusReported();
    void handleConnectFailed(const QString &message);
    void handleAuthenticationRefused();
    void handleMethod(const QString &name, const QString &rid, const QByteArray &payload);
    void handlePublished(int messageId, int reasonCode);
    void handleDesired(const QJsonObject &desired);
    void answerThen(const QString &rid, int status, const QJsonObject &body, std::function<void()> then);
    void produceTelemetry();
    void refreshCounters();
    Step activeStep() const;

    DeviceSettings m_settings;
    QString m_serial;
    State m_state = State::Unprovisioned;
    std::array<StepState, 5> m_stepStates{};
    std::array<QString, 5> m_stepDetails;

    std::optional<ConnectionInfo> m_connection;
    std::optional<ProvisioningCredentials> m_credentials;
    std::optional<ProvisioningCredentials> m_pendingCredentials; // full-key path, until accepted
    std::unique_ptr<ProvisioningClient> m_provisioning;
    ProvisioningClient::Failure m_lastFailure;
    bool m_activating = false;     // this run began with a code exchange
    bool m_reprovisioning = false; // this run uses the stored credentials
    Trigger m_trigger = Trigger::User;
    std::unique_ptr<HubSession> m_session;
    std::unique_ptr<TelemetryOutbox> m_outbox;
    std::unique_ptr<OutboxSender> m_sender;
    std::unique_ptr<TelemetrySource> m_source;

    QTimer m_telemetryTimer;
    QTimer m_retryTimer;    // reprovisioning after a refusal, with backoff
    int m_retryDelayMs = 0; // the last delay; 0 until a connection succeeds
    int m_refusalsSinceConnected = 0;
    int nextRetryDelayMs();
    qint64 m_sent = 0;
    int m_queued = 0;
    qint64 m_dropped = 0;
    QJsonObject m_lastTelemetry;
    QJsonObject m_desired;
    int m_intervalMs = 5000;
    QString m_lastError;
    int m_connectFailures = 0;
    int m_failureThreshold = 5; // doubles while reprovisioning finds no better hub
    int m_reprovisions = 0;
    bool m_stopping = false;
    // Method answers whose PUBACK triggers an action (reboot, reprovision).
    QHash<int, std::function<void()>> m_afterAnswer;
};

} // namespace Provisio::Kiosk

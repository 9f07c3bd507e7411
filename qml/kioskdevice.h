// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "devicecontroller.h"
#include "steplistmodel.h"

#include <QObject>
#include <QString>
#include <QVariantMap>
#include <QtQml/qqmlregistration.h>

class QQmlEngine;
class QJSEngine;

namespace Provisio::Kiosk {

// The device as the kiosk's QML sees it: the QML singleton `Device`, a thin
// layer of properties and invokables over a DeviceController that
// KioskApplication owns. Every property follows a DeviceController signal, so
// the screens move when the device does and never guess with timers. Input from the screens
// (activation code, full key, middleware URL) is checked here first: bad input
// gets a plain message and changes nothing.
class KioskDevice : public QObject
{
    Q_OBJECT
    QML_NAMED_ELEMENT(Device)
    QML_SINGLETON
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
    Q_PROPERTY(QString serial READ serial NOTIFY identityChanged)
    Q_PROPERTY(QString deviceId READ deviceId NOTIFY identityChanged)
    Q_PROPERTY(QString hub READ hub NOTIFY identityChanged)
    Q_PROPERTY(bool connected READ isConnected NOTIFY connectedChanged)
    Q_PROPERTY(Provisio::Kiosk::StepListModel *steps READ steps CONSTANT)
    // Counters as double: QML numbers, and qmllint 6.4 does not know qint64.
    Q_PROPERTY(double messagesSent READ messagesSentForQml NOTIFY countersChanged)
    Q_PROPERTY(int messagesQueued READ messagesQueued NOTIFY countersChanged)
    Q_PROPERTY(double messagesDropped READ messagesDroppedForQml NOTIFY countersChanged)
    Q_PROPERTY(QVariantMap lastTelemetry READ lastTelemetry NOTIFY lastTelemetryChanged)
    Q_PROPERTY(QVariantMap desired READ desired NOTIFY desiredChanged)
    Q_PROPERTY(int telemetryIntervalMs READ telemetryIntervalMs NOTIFY telemetryIntervalChanged)
    Q_PROPERTY(QString errorMessage READ errorMessage NOTIFY errorChanged)
    Q_PROPERTY(QString errorDetail READ errorDetail NOTIFY errorChanged)
    Q_PROPERTY(QString middlewareUrl READ middlewareUrl NOTIFY middlewareUrlChanged)
    Q_PROPERTY(bool canRetry READ canRetry NOTIFY errorChanged)
    // How the last failure came about, for the next step the screen offers:
    // "" (none), "wrongCode", "lockout", "disabled", "outage", "notAccepted"
    // or "other".
    Q_PROPERTY(QString errorKind READ errorKind NOTIFY errorChanged)
    // Seconds the service asked to wait (lockout), -1 when it did not say.
    Q_PROPERTY(int retryAfterSeconds READ retryAfterSeconds NOTIFY errorChanged)
    // The service's tracking id of the refused request, for support.
    Q_PROPERTY(QString trackingId READ trackingId NOTIFY errorChanged)
    // After a refused code: how many more wrong codes the device may send
    // before it has to wait (0: the next wrong one starts a wait), -1 when
    // the service did not say.
    Q_PROPERTY(int attemptsLeft READ attemptsLeft NOTIFY errorChanged)
    Q_PROPERTY(QString version READ version CONSTANT)
public:
    // The same values as DeviceController::State, as a QML enum.
    enum State { Unprovisioned, Provisioning, Connecting, Running, Failed };
    Q_ENUM(State)

    explicit KioskDevice(DeviceController *controller, QObject *parent = nullptr);
    ~KioskDevice() override;

    // The instance QML gets: KioskApplication (or a test) creates one and
    // keeps it alive while an engine uses it.
    static void setInstance(KioskDevice *device);
    static KioskDevice *create(QQmlEngine *qmlEngine, QJSEngine *jsEngine);

    // Retranslates the step titles when the language changes.
    bool event(QEvent *event) override;

    DeviceController *controller() const { return m_controller; }

    State state() const;
    QString serial() const;
    QString deviceId() const;
    QString hub() const;
    bool isConnected() const;
    StepListModel *steps() const { return m_steps; }
    qint64 messagesSent() const;
    int messagesQueued() const;
    qint64 messagesDropped() const;
    double messagesSentForQml() const { return double(messagesSent()); }
    double messagesDroppedForQml() const { return double(messagesDropped()); }
    QVariantMap lastTelemetry() const { return m_lastTelemetry; }
    QVariantMap desired() const { return m_desired; }
    int telemetryIntervalMs() const { return m_intervalMs; }
    QString errorMessage() const { return m_errorMessage; }
    QString errorDetail() const { return m_errorDetail; }
    QString middlewareUrl() const;
    bool canRetry() const { return m_lastAttempt != Attempt::None; }
    QString errorKind() const { return m_errorKind; }
    int retryAfterSeconds() const { return m_retryAfterSeconds; }
    QString trackingId() const { return m_trackingId; }
    int attemptsLeft() const { return m_attemptsLeft; }
    QString version() const;

    // Starts provisioning with an activation code as typed. Returns false,
    // with errorMessage set and nothing sent, when the code is malformed.
    Q_INVOKABLE bool activate(const QString &typedCode);
    // The advanced path. Returns an empty string once provisioning started,
    // else what is wrong with the input (nothing is sent then).
    Q_INVOKABLE QString provisionWithKey(const QString &idScope, const QString &registrationId,
                                         const QString &symmetricKey);
    // Runs the last attempt again (the "Try again" button). A code that was
    // already exchanged is never sent again: once the device holds the
    // credentials it got for it, it registers with those.
    Q_INVOKABLE bool retry();
    Q_INVOKABLE void cancel();
    // Forgets the connection, credentials and queued telemetry.
    Q_INVOKABLE void reset();
    // Returns an empty string when `url` was taken, else what is wrong with it.
    Q_INVOKABLE QString setMiddlewareUrl(const QString &url);

Q_SIGNALS:
    void stateChanged();
    void identityChanged();
    void connectedChanged();
    void countersChanged();
    void lastTelemetryChanged();
    void desiredChanged();
    void telemetryIntervalChanged();
    void errorChanged();
    void middlewareUrlChanged();
    // Provisioning or the connection failed; the message is for the person.
    void failed(const QString &message);

private:
    enum class Attempt { None, Code, FullKey };

    void setError(const QString &message, const QString &detail);
    void refreshSteps();
    void startAttempt();
    void refreshInterval();

    DeviceController *m_controller;
    StepListModel *m_steps;
    QVariantMap m_lastTelemetry;
    QVariantMap m_desired;
    int m_intervalMs = 0;
    QString m_errorMessage;
    QString m_errorDetail;
    QString m_errorKind;
    int m_retryAfterSeconds = -1;
    QString m_trackingId;
    int m_attemptsLeft = -1;
    // Kept in memory only, for "Try again"; never logged.
    Attempt m_lastAttempt = Attempt::None;
    QString m_code;
    QString m_idScope;
    QString m_registrationId;
    QString m_key;
};

} // namespace Provisio::Kiosk

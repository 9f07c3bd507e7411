// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QDeadlineTimer>
#include <QObject>
#include <QString>
#include <QTimer>
#include <QtQml/qqmlregistration.h>

class QQmlEngine;
class QJSEngine;

namespace Provisio::Kiosk {

// The optional PIN in front of the kiosk's settings (the QML singleton
// `SettingsLock`). The installer sets it with --settings-pin; without one the
// long press on the logo opens the settings as before. Three wrong PINs in a
// row lock the pad for a while (30 s), so a passer-by cannot try PINs at
// speed. Only a hash of the PIN is kept, compared in constant time, and it
// never reaches a log.
class SettingsLock : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON
    Q_PROPERTY(bool enabled READ isEnabled NOTIFY changed)
    Q_PROPERTY(bool lockedOut READ isLockedOut NOTIFY changed)
    Q_PROPERTY(int secondsLeft READ secondsLeft NOTIFY changed)
    Q_PROPERTY(int triesLeft READ triesLeft NOTIFY changed)
    Q_PROPERTY(int maxTries READ maxTries CONSTANT)
public:
    static constexpr int MaxTries = 3;
    static constexpr int DefaultLockoutMs = 30000;

    // No default argument: Qt 6.4 builds a default-constructible singleton
    // itself and would never ask create() for the program's instance.
    explicit SettingsLock(QObject *parent);
    ~SettingsLock() override;

    // The instance QML gets, as for Device: KioskApplication (or a test)
    // owns it. With none set, QML gets a lock without a PIN.
    static void setInstance(SettingsLock *lock);
    static SettingsLock *create(QQmlEngine *qmlEngine, QJSEngine *jsEngine);

    // What is wrong with `pin` as a settings PIN (4 to 12 digits), or the PIN.
    static Result<QString> validatePin(const QString &pin);

    // Sets the PIN (an empty one: no PIN) and forgets earlier failures.
    // Returns false, changing nothing, for a PIN validatePin() refuses.
    bool setPin(const QString &pin);
    void setLockoutMs(int ms);
    int lockoutMs() const { return m_lockoutMs; }

    bool isEnabled() const { return !m_pinHash.isEmpty(); }
    bool isLockedOut() const;
    // Whole seconds until the pad takes PINs again; 0 when it does.
    int secondsLeft() const;
    int triesLeft() const;
    int maxTries() const { return MaxTries; }

    // True when the settings may open: no PIN is set, or `pin` is it and the
    // pad is not locked out. A wrong PIN counts towards the lockout.
    Q_INVOKABLE bool unlock(const QString &pin);

Q_SIGNALS:
    void changed();

private:
    void tick();

    QByteArray m_pinHash;
    int m_failures = 0;
    int m_lockoutMs = DefaultLockoutMs;
    QDeadlineTimer m_lockedUntil;
    bool m_lockedOut = false;
    QTimer m_ticker;
};

} // namespace Provisio::Kiosk

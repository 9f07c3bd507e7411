// SPDX-License-Identifier: Apache-2.0
#include "settingslock.h"

#include "crypto/keys.h"

#include <QCryptographicHash>
#include <QJSEngine>
#include <QLoggingCategory>
#include <QPointer>

Q_DECLARE_LOGGING_CATEGORY(lcKioskUi)

namespace Provisio::Kiosk {

namespace {

QPointer<SettingsLock> s_instance;

QByteArray hashPin(const QString &pin)
{
    return QCryptographicHash::hash(pin.toUtf8(), QCryptographicHash::Sha256);
}

} // namespace

SettingsLock::SettingsLock(QObject *parent) : QObject(parent)
{
    // The countdown on the pad: tick() re-arms it for the moment the whole
    // seconds left change, and for the end of the lockout.
    m_ticker.setSingleShot(true);
    m_ticker.setTimerType(Qt::PreciseTimer);
    connect(&m_ticker, &QTimer::timeout, this, &SettingsLock::tick);
}

SettingsLock::~SettingsLock()
{
    if (s_instance == this)
        s_instance = nullptr;
}

void SettingsLock::setInstance(SettingsLock *lock)
{
    s_instance = lock;
}

SettingsLock *SettingsLock::create(QQmlEngine *qmlEngine, QJSEngine *jsEngine)
{
    Q_UNUSED(qmlEngine)
    if (!s_instance)
        return new SettingsLock(nullptr); // the engine owns it: no PIN
    QJSEngine::setObjectOwnership(s_instance, QJSEngine::CppOwnership);
    Q_UNUSED(jsEngine)
    return s_instance;
}

Result<QString> SettingsLock::validatePin(const QString &pin)
{
    if (pin.size() < 4 || pin.size() > 12)
        return Error(ErrorCode::InvalidInput, QStringLiteral("the settings PIN has 4 to 12 digits"));
    for (const QChar c : pin) {
        if (c < QLatin1Char('0') || c > QLatin1Char('9'))
            return Error(ErrorCode::InvalidInput, QStringLiteral("the settings PIN has only digits"));
    }
    return pin;
}

bool SettingsLock::setPin(const QString &pin)
{
    if (!pin.isEmpty() && !validatePin(pin))
        return false;
    m_pinHash = pin.isEmpty() ? QByteArray() : hashPin(pin);
    m_failures = 0;
    m_lockedOut = false;
    m_ticker.stop();
    Q_EMIT changed();
    return true;
}

void SettingsLock::setLockoutMs(int ms)
{
    m_lockoutMs = qMax(0, ms);
}

bool SettingsLock::isLockedOut() const
{
    return m_lockedOut && !m_lockedUntil.hasExpired();
}

int SettingsLock::secondsLeft() const
{
    if (!isLockedOut())
        return 0;
    return int((m_lockedUntil.remainingTime() + 999) / 1000);
}

int SettingsLock::triesLeft() const
{
    // A lockout that ran out gives a fresh set of tries, even before the
    // ticker has said so.
    if (m_lockedOut && m_lockedUntil.hasExpired())
        return MaxTries;
    return MaxTries - m_failures;
}

bool SettingsLock::unlock(const QString &pin)
{
    if (!isEnabled())
        return true;
    if (m_lockedOut && m_lockedUntil.hasExpired())
        tick(); // the lockout ran out before the ticker said so
    if (isLockedOut())
        return false;
    // Hashes have one length, so the comparison takes the same time for any
    // PIN typed.
    if (Crypto::constantTimeEquals(hashPin(pin), m_pinHash)) {
        m_failures = 0;
        Q_EMIT changed();
        return true;
    }
    ++m_failures;
    if (m_failures >= MaxTries) {
        qCWarning(lcKioskUi) << MaxTries << "wrong settings PINs in a row; the PIN pad is locked for"
                             << m_lockoutMs / 1000.0 << "s";
        m_lockedOut = true;
        m_lockedUntil.setRemainingTime(m_lockoutMs);
        tick();
        return false;
    }
    Q_EMIT changed();
    return false;
}

void SettingsLock::tick()
{
    if (m_lockedOut) {
        const qint64 remaining = m_lockedUntil.remainingTime();
        if (remaining <= 0) {
            m_lockedOut = false;
            m_failures = 0;
            m_ticker.stop();
        } else {
            m_ticker.start(int(remaining % 1000 == 0 ? 1000 : remaining % 1000));
        }
    }
    Q_EMIT changed();
}

} // namespace Provisio::Kiosk

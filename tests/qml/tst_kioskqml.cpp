// SPDX-License-Identifier: Apache-2.0
// Runner for the kiosk's Qt Quick tests (one tst_*.qml per component): links
// the Provisio.Kiosk module statically and points the engine at it. The
// window's own test (tst_mainwindow.qml) needs the Device singleton, so the
// runner gives it one over a real DeviceController on a temporary data
// directory whose middleware is never reached: the device stays unprovisioned
// and nothing leaves the machine. The settings lock is a real SettingsLock
// too; tests set its PIN through the KioskTest singleton, which only this
// runner provides (the kiosk itself takes the PIN from its command line).
#include "devicecontroller.h"
#include "kioskdevice.h"
#include "kiosklanguage.h"
#include "settingslock.h"

#include <QDir>
#include <QQmlEngine>
#include <QQuickWindow>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtQml/qqmlextensionplugin.h>
#include <QtQuickTest/quicktest.h>

#include <memory>

Q_IMPORT_QML_PLUGIN(Provisio_KioskPlugin)

// Hooks for the tests that the kiosk's own QML has no business with.
class KioskTestHooks : public QObject
{
    Q_OBJECT
    Q_PROPERTY(bool screenshots READ screenshots CONSTANT)
public:
    explicit KioskTestHooks(Provisio::Kiosk::SettingsLock *lock, QObject *parent = nullptr)
        : QObject(parent), m_lock(lock)
    { }

    // What --settings-pin does, with the lockout shortened where a test
    // waits for its end. An empty PIN: none.
    Q_INVOKABLE bool setSettingsPin(const QString &pin, int lockoutMs)
    {
        m_lock->setLockoutMs(lockoutMs);
        return m_lock->setPin(pin);
    }

    // With PROVISIO_KIOSK_SCREENSHOTS=DIR (scripts/kiosk-screenshots.sh),
    // tests save the window as DIR/kiosk-<name>.png; otherwise they do not.
    bool screenshots() const { return !qEnvironmentVariableIsEmpty("PROVISIO_KIOSK_SCREENSHOTS"); }
    Q_INVOKABLE bool saveScreenshot(QQuickWindow *window, const QString &name)
    {
        const QString dir = qEnvironmentVariable("PROVISIO_KIOSK_SCREENSHOTS");
        if (dir.isEmpty() || !window)
            return false;
        // English as kiosk-<name>.png, another language with its code.
        const QString language = qEnvironmentVariable("PROVISIO_KIOSK_TEST_LANGUAGE", QStringLiteral("en"));
        const QString suffix = language == QLatin1String("en") ? QString() : QLatin1Char('-') + language;
        return window->grabWindow().save(QDir(dir).filePath(QStringLiteral("kiosk-%1%2.png").arg(name, suffix)));
    }

private:
    Provisio::Kiosk::SettingsLock *m_lock;
};

class KioskQmlSetup : public QObject
{
    Q_OBJECT
public Q_SLOTS:
    void applicationAvailable() { QStandardPaths::setTestModeEnabled(true); }

    void qmlEngineAvailable(QQmlEngine *engine)
    {
        engine->addImportPath(QStringLiteral("qrc:/qt/qml"));
        if (m_device)
            return;
        // English unless PROVISIO_KIOSK_TEST_LANGUAGE names another (the
        // German run of the screenshots and the German UI test).
        const QString language = qEnvironmentVariable("PROVISIO_KIOSK_TEST_LANGUAGE", QStringLiteral("en"));
        if (!Provisio::Kiosk::KioskLanguage::instance()->setLanguage(language))
            qFatal("no translation for %s", qPrintable(language));
        Provisio::Kiosk::DeviceSettings settings;
        settings.dataDirectory = m_dir.filePath(QStringLiteral("device"));
        // Port 1 on the loopback: refused at once should anything try it.
        settings.middlewareUrl = QUrl(QStringLiteral("https://127.0.0.1:1"));
        settings.serial = QStringLiteral("SN-QML-1");
        m_controller = std::make_unique<Provisio::Kiosk::DeviceController>(settings);
        m_device = std::make_unique<Provisio::Kiosk::KioskDevice>(m_controller.get());
        Provisio::Kiosk::KioskDevice::setInstance(m_device.get());
        m_controller->start();

        m_lock = std::make_unique<Provisio::Kiosk::SettingsLock>(nullptr);
        Provisio::Kiosk::SettingsLock::setInstance(m_lock.get());
        m_hooks = std::make_unique<KioskTestHooks>(m_lock.get());
        qmlRegisterSingletonInstance("Provisio.Kiosk.Testing", 1, 0, "KioskTest", m_hooks.get());
    }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Provisio::Kiosk::DeviceController> m_controller;
    std::unique_ptr<Provisio::Kiosk::KioskDevice> m_device;
    std::unique_ptr<Provisio::Kiosk::SettingsLock> m_lock;
    std::unique_ptr<KioskTestHooks> m_hooks;
};

QUICK_TEST_MAIN_WITH_SETUP(kiosk_qml, KioskQmlSetup)

#include "tst_kioskqml.moc"

// SPDX-License-Identifier: Apache-2.0
#include "kioskapplication.h"

#include "devicecontroller.h"
#include "kioskdevice.h"
#include "kiosklanguage.h"
#include "rebootcommand.h"
#include "securefile.h"
#include "settingslock.h"
#include "telemetrysource.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QGuiApplication>
#include <QLoggingCategory>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QRandomGenerator>
#include <QUrl>
#include <QtQml/qqmlextensionplugin.h>

#include <cstdio>

// The Provisio.Kiosk module is linked statically: its plugin must be pulled in.
Q_IMPORT_QML_PLUGIN(Provisio_KioskPlugin)

Q_LOGGING_CATEGORY(lcKiosk, "provisio.kiosk.app")

namespace Provisio::Kiosk {

namespace {

// Since prepareProcess(), as near to the process start as main() gets.
QElapsedTimer s_sinceStart;

// A "Name:   1234 kB" line of /proc/self/status, in KiB; -1 if absent.
qint64 statusKiB(const char *name)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray prefix = QByteArray(name) + ':';
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith(prefix))
            return line.mid(prefix.size()).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

Error failure(const QString &message)
{
    return Error(ErrorCode::Internal, message);
}

} // namespace

void KioskApplication::prepareProcess(int argc, char **argv)
{
    s_sinceStart.start();
    // The input method is chosen when the application object is created:
    // every text field then gets Qt Virtual Keyboard.
    qputenv("QT_IM_MODULE", QByteArrayLiteral("qtvirtualkeyboard"));
    QQuickStyle::setStyle(QStringLiteral("Basic"));

    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments += QString::fromLocal8Bit(argv[i]);
    if (KioskOptions::asksForHelpOrVersion(arguments))
        qputenv("QT_QPA_PLATFORM", QByteArrayLiteral("offscreen"));
}

KioskApplication::KioskApplication(KioskOptions options, QObject *parent)
    : QObject(parent), m_options(std::move(options))
{ }

KioskApplication::~KioskApplication()
{
    // The window goes before the singletons it shows (each clears its
    // instance pointer as it goes).
    m_engine.reset();
}

Result<void> KioskApplication::start()
{
    if (!QDir().mkpath(m_options.dataDirectory))
        return failure(QStringLiteral("cannot create the data directory %1").arg(m_options.dataDirectory));

    m_settingsLock = std::make_unique<SettingsLock>(nullptr);
    if (!m_options.settingsPin.isEmpty()) {
        m_settingsLock->setPin(m_options.settingsPin); // checked by KioskOptions::parse
        qCInfo(lcKiosk) << "the settings are behind a PIN";
    } else if (!m_options.settingsPinOff) {
        // A PIN by default: one made for this device at its first start,
        // kept where only the installer (root or the kiosk's user) reads it.
        const QString name = QStringLiteral("settings-pin");
        auto stored = SecureFile::read(m_options.dataDirectory, name);
        if (!stored)
            return failure(stored.error().message);
        QString pin = stored->has_value() ? QString::fromLatin1(stored->value()).trimmed() : QString();
        if (!SettingsLock::validatePin(pin)) {
            pin = QString::number(QRandomGenerator::system()->bounded(100000, 1000000));
            if (auto written = SecureFile::write(m_options.dataDirectory, name, pin.toLatin1() + '\n'); !written)
                return failure(written.error().message);
        }
        m_settingsLock->setPin(pin);
        qCInfo(lcKiosk).noquote() << "the settings are behind the PIN in"
                                  << QDir(m_options.dataDirectory).filePath(name);
    }
    SettingsLock::setInstance(m_settingsLock.get());

    auto source = TelemetrySource::create(m_options.telemetry);
    if (!source)
        return failure(QStringLiteral("--telemetry: %1").arg(source.error().message));
    // The system locale's language (or English) before anything says a
    // word: the device's step titles are translated as it is created.
    qCInfo(lcKiosk).noquote() << "language:" << KioskLanguage::instance()->current();
    m_controller = std::make_unique<DeviceController>(m_options.deviceSettings());
    m_controller->setTelemetrySource(std::move(source).value());
    m_device = std::make_unique<KioskDevice>(m_controller.get());
    KioskDevice::setInstance(m_device.get());

    connect(m_controller.get(), &DeviceController::rebootRequested, this, [this] {
        if (m_options.rebootCommand.isEmpty()) {
            qCInfo(lcKiosk) << "the back office asked for a reboot; no --reboot-command is set";
            return;
        }
        qCInfo(lcKiosk) << "the back office asked for a reboot; running the reboot command";
        if (!startRebootCommand(m_options.rebootCommand))
            qCWarning(lcKiosk) << "the reboot command could not be started";
    });
    connect(m_controller.get(), &DeviceController::stopped, this, [this] { Q_EMIT finished(0); });
    m_controller->start();

    // Closing the window goes through the clean stop.
    QGuiApplication::setQuitOnLastWindowClosed(false);
    connect(qGuiApp, &QGuiApplication::lastWindowClosed, this, &KioskApplication::stop);
    m_engine = std::make_unique<QQmlApplicationEngine>();
    m_engine->addImportPath(QStringLiteral("qrc:/qt/qml"));
    connect(
        m_engine.get(), &QQmlApplicationEngine::objectCreationFailed, this, [this] { Q_EMIT finished(1); },
        Qt::QueuedConnection);
    m_engine->setInitialProperties({
        {QStringLiteral("width"), m_options.width},
        {QStringLiteral("height"), m_options.height},
    });
    m_engine->load(QUrl(QStringLiteral("qrc:/qt/qml/Provisio/Kiosk/Main.qml")));
    if (m_engine->rootObjects().isEmpty())
        return failure(QStringLiteral("the kiosk's window could not be created"));
    auto *window = qobject_cast<QQuickWindow *>(m_engine->rootObjects().constFirst());
    if (!window)
        return failure(QStringLiteral("the main QML object is not a window"));
    if (m_options.fullscreen)
        window->showFullScreen();
    if (m_options.exitAfterFirstFrame)
        connect(window, &QQuickWindow::frameSwapped, this, &KioskApplication::reportFirstFrame, Qt::QueuedConnection);

    return {};
}

void KioskApplication::stop()
{
    if (m_stopping)
        return;
    m_stopping = true;
    if (!m_controller) {
        Q_EMIT finished(0);
        return;
    }
    m_controller->stop();
}

void KioskApplication::reportFirstFrame()
{
    if (m_firstFrameReported)
        return;
    m_firstFrameReported = true;
    // The format provisio-bench-kiosk reads.
    std::printf("first-frame-ms %lld resident-kib %lld peak-resident-kib %lld\n",
                static_cast<long long>(s_sinceStart.elapsed()), static_cast<long long>(statusKiB("VmRSS")),
                static_cast<long long>(statusKiB("VmHWM")));
    std::fflush(stdout);
    stop();
}

} // namespace Provisio::Kiosk

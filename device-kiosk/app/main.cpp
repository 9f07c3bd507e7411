// SPDX-License-Identifier: Apache-2.0
// provisio-kiosk: the touchscreen program. Reads its options, builds the
// DeviceController, hands it to QML as the Device singleton and shows the
// Provisio.Kiosk window: full screen under eglfs on the device, in a window on
// a desktop, offscreen in tests.
#include "devicecontroller.h"
#include "kioskdevice.h"
#include "settingslock.h"
#include "telemetrysource.h"

#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QGuiApplication>
#include <QLoggingCategory>
#include <QProcess>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QStandardPaths>
#include <QTextStream>
#include <QTimer>
#include <QUrl>
#include <QtQml/qqmlextensionplugin.h>

#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

#include <QSocketNotifier>

Q_IMPORT_QML_PLUGIN(Provisio_KioskPlugin)

Q_LOGGING_CATEGORY(lcKiosk, "provisio.kiosk.app")

using namespace Provisio::Kiosk;

namespace {

int g_signalFds[2] = {-1, -1};

// SIGTERM/SIGINT only write a byte; the event loop does the clean shutdown
// (the hub hears "offline" instead of waiting for the last will).
void onSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(g_signalFds[0], &byte, 1);
}

void installSignalHandlers(QObject *receiver, std::function<void()> handler)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalFds) != 0)
        return;
    auto *notifier = new QSocketNotifier(g_signalFds[1], QSocketNotifier::Read, receiver);
    QObject::connect(notifier, &QSocketNotifier::activated, receiver, [notifier, handler] {
        char byte;
        [[maybe_unused]] const auto r = ::read(g_signalFds[1], &byte, 1);
        notifier->setEnabled(false);
        handler();
    });
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);
}

QString fromEnv(const char *name)
{
    return qEnvironmentVariable(name);
}

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

int fail(const QString &message)
{
    QTextStream(stderr) << "provisio-kiosk: " << message << Qt::endl;
    return 2;
}

} // namespace

int main(int argc, char *argv[])
{
    QElapsedTimer sinceStart;
    sinceStart.start();

    // Before the application object: the input method is chosen when it is
    // created. Every text field then gets Qt Virtual Keyboard.
    qputenv("QT_IM_MODULE", QByteArrayLiteral("qtvirtualkeyboard"));
    QQuickStyle::setStyle(QStringLiteral("Basic"));

    // --help and --version must work where no display is (over ssh on the
    // device, in a build log): answer them on the offscreen platform.
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "--help" || arg == "-h" || arg == "--help-all" || arg == "-?" || arg == "--version" || arg == "-v") {
            qputenv("QT_QPA_PLATFORM", QByteArrayLiteral("offscreen"));
            break;
        }
    }

    QGuiApplication app(argc, argv);
    QGuiApplication::setApplicationName(QStringLiteral("provisio-kiosk"));
    QGuiApplication::setOrganizationName(QStringLiteral("Provisio"));
    QGuiApplication::setApplicationVersion(QStringLiteral(PROVISIO_VERSION));
    // Closing the window goes through the clean stop below.
    QGuiApplication::setQuitOnLastWindowClosed(false);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Provisio kiosk: the touchscreen where the end user enters the provisioning key.\n"
                       "Options with a variable in brackets can also come from the environment."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption middlewareOption(
        QStringLiteral("middleware"),
        QStringLiteral("Middleware URL, https://host:port [PROVISIO_MIDDLEWARE_URL]. A URL saved on the "
                       "settings screen takes precedence."),
        QStringLiteral("URL"));
    const QCommandLineOption caOption(
        QStringLiteral("ca"),
        QStringLiteral("PEM file of the CA the middleware's certificate chains to [PROVISIO_CA_FILE]."),
        QStringLiteral("FILE"));
    const QCommandLineOption dataDirOption(
        QStringLiteral("data-dir"),
        QStringLiteral("Where the device keeps its connection, credentials and telemetry queue "
                       "[PROVISIO_DATA_DIR] (default: %1).")
            .arg(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)),
        QStringLiteral("DIR"));
    const QCommandLineOption serialOption(
        QStringLiteral("serial"),
        QStringLiteral("Device serial [PROVISIO_SERIAL] (default: the board's serial, else the machine id)."),
        QStringLiteral("S"));
    const QCommandLineOption telemetryOption(
        QStringLiteral("telemetry"),
        QStringLiteral("Telemetry source: host, simulated, or a JSON-lines file to replay "
                       "[PROVISIO_TELEMETRY] (default: host)."),
        QStringLiteral("SOURCE"), QStringLiteral("host"));
    const QCommandLineOption intervalOption(
        QStringLiteral("interval-ms"),
        QStringLiteral("Telemetry interval until the back office sets telemetryIntervalMs (default: 5000)."),
        QStringLiteral("N"), QStringLiteral("5000"));
    const QCommandLineOption fullscreenOption(QStringLiteral("fullscreen"),
                                              QStringLiteral("Full screen (what eglfs does anyway)."));
    const QCommandLineOption widthOption(QStringLiteral("width"), QStringLiteral("Window width (default: 800)."),
                                         QStringLiteral("PX"), QStringLiteral("800"));
    const QCommandLineOption heightOption(QStringLiteral("height"), QStringLiteral("Window height (default: 480)."),
                                          QStringLiteral("PX"), QStringLiteral("480"));
    const QCommandLineOption rebootOption(
        QStringLiteral("reboot-command"),
        QStringLiteral("Program run when the back office calls the `reboot` method, e.g. "
                       "\"systemctl reboot\" (default: none; the request is only logged)."),
        QStringLiteral("CMD"));
    const QCommandLineOption firstFrameOption(
        QStringLiteral("exit-after-first-frame"),
        QStringLiteral("Print \"first-frame-ms N resident-kib M peak-resident-kib P\" when the first "
                       "frame is on screen, then quit (start-up benchmark)."));
    const QCommandLineOption settingsPinOption(
        QStringLiteral("settings-pin"),
        QStringLiteral("PIN (4 to 12 digits) asked for before the settings open "
                       "[PROVISIO_KIOSK_SETTINGS_PIN] (default: none; the long press alone opens them). "
                       "Prefer the environment: a command line can be read by every user of the machine."),
        QStringLiteral("PIN"));
    parser.addOptions({middlewareOption, caOption, dataDirOption, serialOption, telemetryOption, intervalOption,
                       fullscreenOption, widthOption, heightOption, rebootOption, firstFrameOption, settingsPinOption});
    parser.process(app);

    auto value = [&parser](const QCommandLineOption &option, const char *env) {
        if (parser.isSet(option))
            return parser.value(option);
        const QString fromEnvironment = fromEnv(env);
        return fromEnvironment.isEmpty() ? parser.value(option) : fromEnvironment;
    };

    DeviceSettings settings;
    settings.dataDirectory = value(dataDirOption, "PROVISIO_DATA_DIR");
    if (settings.dataDirectory.isEmpty())
        settings.dataDirectory = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    if (!QDir().mkpath(settings.dataDirectory))
        return fail(QStringLiteral("cannot create the data directory %1").arg(settings.dataDirectory));

    const QString middleware = value(middlewareOption, "PROVISIO_MIDDLEWARE_URL");
    if (!middleware.isEmpty()) {
        const QUrl url(middleware, QUrl::StrictMode);
        if (!url.isValid() || url.scheme() != QLatin1String("https") || url.host().isEmpty())
            return fail(QStringLiteral("--middleware must be https://host:port, not \"%1\"").arg(middleware));
        settings.middlewareUrl = url;
    }
    const QString caPath = value(caOption, "PROVISIO_CA_FILE");
    if (!caPath.isEmpty()) {
        QFile ca(caPath);
        if (!ca.open(QIODevice::ReadOnly))
            return fail(QStringLiteral("cannot read the CA file %1: %2").arg(caPath, ca.errorString()));
        settings.middlewareCaPem = ca.readAll();
        if (!settings.middlewareCaPem.contains("-----BEGIN CERTIFICATE-----"))
            return fail(QStringLiteral("%1 holds no PEM certificate").arg(caPath));
    }
    settings.serial = value(serialOption, "PROVISIO_SERIAL");
    bool ok = false;
    settings.telemetryIntervalMs = parser.value(intervalOption).toInt(&ok);
    if (!ok || settings.telemetryIntervalMs < 100 || settings.telemetryIntervalMs > 3600000)
        return fail(QStringLiteral("--interval-ms must be a number from 100 to 3600000"));
    const int width = parser.value(widthOption).toInt(&ok);
    if (!ok || width < 320 || width > 7680)
        return fail(QStringLiteral("--width must be a number from 320 to 7680"));
    const int height = parser.value(heightOption).toInt(&ok);
    if (!ok || height < 240 || height > 4320)
        return fail(QStringLiteral("--height must be a number from 240 to 4320"));

    // The PIN itself is never printed, not even in the error.
    SettingsLock settingsLock(nullptr);
    const QString settingsPin = value(settingsPinOption, "PROVISIO_KIOSK_SETTINGS_PIN");
    if (!settingsPin.isEmpty()) {
        if (const auto pin = SettingsLock::validatePin(settingsPin); !pin)
            return fail(QStringLiteral("--settings-pin / PROVISIO_KIOSK_SETTINGS_PIN: %1").arg(pin.error().message));
        settingsLock.setPin(settingsPin);
        qCInfo(lcKiosk) << "the settings are behind a PIN";
    }
    SettingsLock::setInstance(&settingsLock);

    auto source = TelemetrySource::create(value(telemetryOption, "PROVISIO_TELEMETRY"));
    if (!source)
        return fail(QStringLiteral("--telemetry: %1").arg(source.error().message));

    DeviceController controller(settings);
    controller.setTelemetrySource(std::move(source.value()));
    KioskDevice device(&controller);
    KioskDevice::setInstance(&device);

    const QString rebootCommand = parser.value(rebootOption);
    QObject::connect(&controller, &DeviceController::rebootRequested, &app, [rebootCommand] {
        if (rebootCommand.isEmpty()) {
            qCInfo(lcKiosk) << "the back office asked for a reboot; no --reboot-command is set";
            return;
        }
        QStringList words = QProcess::splitCommand(rebootCommand);
        const QString program = words.takeFirst();
        qCInfo(lcKiosk) << "the back office asked for a reboot; running" << rebootCommand;
        QProcess::startDetached(program, words);
    });

    // A clean stop tells the hub "offline" at once instead of leaving it to
    // the last will.
    bool quitting = false;
    auto quitCleanly = [&controller, &quitting] {
        if (quitting)
            return;
        quitting = true;
        QObject::connect(&controller, &DeviceController::stopped, qApp, &QCoreApplication::quit);
        controller.stop();
    };
    installSignalHandlers(&app, quitCleanly);

    controller.start();

    QQmlApplicationEngine engine;
    engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
    QObject::connect(
        &engine, &QQmlApplicationEngine::objectCreationFailed, &app, [] { QCoreApplication::exit(1); },
        Qt::QueuedConnection);
    engine.setInitialProperties({
        {QStringLiteral("width"), width},
        {QStringLiteral("height"), height},
    });
    engine.load(QUrl(QStringLiteral("qrc:/qt/qml/Provisio/Kiosk/Main.qml")));
    if (engine.rootObjects().isEmpty())
        return 1;

    auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
    if (!window)
        return fail(QStringLiteral("the main QML object is not a window"));
    if (parser.isSet(fullscreenOption))
        window->showFullScreen();

    if (parser.isSet(firstFrameOption)) {
        QObject::connect(
            window, &QQuickWindow::frameSwapped, &app,
            [&sinceStart, &quitCleanly] {
                static bool reported = false;
                if (reported)
                    return;
                reported = true;
                const qint64 elapsed = sinceStart.elapsed();
                std::printf("first-frame-ms %lld resident-kib %lld peak-resident-kib %lld\n",
                            static_cast<long long>(elapsed), static_cast<long long>(statusKiB("VmRSS")),
                            static_cast<long long>(statusKiB("VmHWM")));
                std::fflush(stdout);
                quitCleanly();
            },
            Qt::QueuedConnection);
    }

    QObject::connect(&app, &QGuiApplication::lastWindowClosed, &app, [&quitCleanly] { quitCleanly(); });
    return app.exec();
}

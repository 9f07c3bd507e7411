// SPDX-License-Identifier: Apache-2.0
// provisio-kiosk: the touchscreen device (see kioskapplication.h, kioskoptions.h).
#include "core/signalwatcher.h"
#include "kioskapplication.h"
#include "kioskoptions.h"

#include <QGuiApplication>
#include <QTextStream>

using namespace Provisio::Kiosk;

int main(int argc, char *argv[])
{
    KioskApplication::prepareProcess(argc, argv);
    QGuiApplication app(argc, argv);
    QGuiApplication::setApplicationName(QStringLiteral("provisio-kiosk"));
    QGuiApplication::setOrganizationName(QStringLiteral("Provisio"));
    QGuiApplication::setApplicationVersion(QStringLiteral(PROVISIO_VERSION));

    QTextStream out(stdout);
    QTextStream err(stderr);
    const auto options = KioskOptions::parse(QCoreApplication::arguments());
    if (!options) {
        err << "provisio-kiosk: " << options.error().message << "\nTry 'provisio-kiosk --help'." << Qt::endl;
        return 2;
    }
    for (const QString &warning : options->warnings)
        err << "provisio-kiosk: warning: " << warning << Qt::endl;
    if (options->showHelp) {
        out << KioskOptions::helpText() << Qt::flush;
        return 0;
    }
    if (options->showVersion) {
        out << "provisio-kiosk " << QCoreApplication::applicationVersion() << Qt::endl;
        return 0;
    }

    KioskApplication kiosk(*options);
    Provisio::SignalWatcher signals;
    QObject::connect(&signals, &Provisio::SignalWatcher::terminationRequested, &kiosk, &KioskApplication::stop);
    QObject::connect(&kiosk, &KioskApplication::finished, &app, [](int code) { QCoreApplication::exit(code); });
    if (const auto started = kiosk.start(); !started) {
        err << "provisio-kiosk: " << started.error().message << Qt::endl;
        return 1;
    }
    return app.exec();
}

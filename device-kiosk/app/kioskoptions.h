// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"
#include "deviceoptions.h"
#include "optionreader.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace Provisio::Kiosk {

// What `provisio-kiosk` was asked to do: the options every device program
// takes (DeviceOptions, shared with the agent) plus the window's and the
// settings PIN. Each option with a variable can also come from it; the
// command line wins. parse() checks everything before a window opens: a bad
// option is a clear message and exit code 2.
struct KioskOptions : DeviceOptions
{
    bool fullscreen = false;
    int width = 800;
    int height = 480;
    QString settingsPin; // secret: never printed
    // --settings-pin off: the long press alone opens the settings. Without
    // a PIN and without "off", the kiosk makes one (see KioskApplication).
    bool settingsPinOff = false;
    // Said on stderr at start: e.g. a secret given on the command line.
    QStringList warnings;
    bool exitAfterFirstFrame = false;

    // How the kiosk differs from the agent on the shared options. Its data
    // directory defaults to the user's application data folder, so the
    // application's name must be set first.
    static DeviceOptions::Program program();
    // Every option the kiosk takes: the shared ones, its own, --help.
    static QList<OptionSpec> specs();

    // `arguments` includes the program name and no longer Qt's own options
    // (QGuiApplication took -platform and the like), as
    // QCoreApplication::arguments(). Variables are read from the process
    // environment unless a test passes its own.
    static Result<KioskOptions> parse(const QStringList &arguments);
    static Result<KioskOptions> parse(const QStringList &arguments, const OptionReader::Environment &environment);
    static QString helpText();

    // Whether `arguments` ask only for --help or --version, which must work
    // where no display is (over ssh on the device, in a build log); checked
    // before the application object exists.
    static bool asksForHelpOrVersion(const QStringList &arguments);
};

} // namespace Provisio::Kiosk

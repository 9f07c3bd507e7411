// SPDX-License-Identifier: Apache-2.0
#include "kioskoptions.h"

#include "settingslock.h"

#include <QStandardPaths>

namespace Provisio::Kiosk {

namespace {

// The kiosk's own options; the device options come from DeviceOptions.
QList<OptionSpec> ownSpecs()
{
    return {
        {{QStringLiteral("fullscreen")},
         {},
         QStringLiteral("PROVISIO_KIOSK_FULLSCREEN"),
         QStringLiteral("Full screen (what eglfs does anyway).")},
        {{QStringLiteral("width")},
         QStringLiteral("PX"),
         QStringLiteral("PROVISIO_KIOSK_WIDTH"),
         QStringLiteral("Window width, 320 to 7680 (default 800).")},
        {{QStringLiteral("height")},
         QStringLiteral("PX"),
         QStringLiteral("PROVISIO_KIOSK_HEIGHT"),
         QStringLiteral("Window height, 240 to 4320 (default 480).")},
        {{QStringLiteral("settings-pin")},
         QStringLiteral("PIN"),
         QStringLiteral("PROVISIO_KIOSK_SETTINGS_PIN"),
         QStringLiteral("PIN (4 to 12 digits) asked for before the settings open. Default: a random 6-digit PIN "
                        "made at the first start and kept in the data directory's settings-pin file (0600); \"off\": "
                        "no PIN, the long press alone opens them. Prefer --settings-pin-file or the variable: "
                        "arguments are visible to every user of the machine.")},
        {{QStringLiteral("settings-pin-file")},
         QStringLiteral("FILE"),
         QStringLiteral("PROVISIO_KIOSK_SETTINGS_PIN_FILE"),
         QStringLiteral("Read the settings PIN from this file.")},
        // A benchmark's switch, not a setting: no variable, so a service
        // cannot end up with it by accident.
        {{QStringLiteral("exit-after-first-frame")},
         {},
         {},
         QStringLiteral("Print \"first-frame-ms N resident-kib M peak-resident-kib P\" when the first frame is on "
                        "screen, then quit (start-up benchmark).")},
    };
}

Error usage(const QString &message)
{
    return Error(ErrorCode::InvalidInput, message);
}

} // namespace

DeviceOptions::Program KioskOptions::program()
{
    return {QStandardPaths::writableLocation(QStandardPaths::AppDataLocation), QStringLiteral("host"),
            QStringLiteral("A URL saved on the settings screen takes precedence.")};
}

QList<OptionSpec> KioskOptions::specs()
{
    return DeviceOptions::specs(program()) + ownSpecs() + DeviceOptions::helpSpecs();
}

QString KioskOptions::helpText()
{
    return QStringLiteral("Usage: provisio-kiosk [--middleware URL] [--ca FILE] [--data-dir DIR] [--fullscreen]\n"
                          "\n"
                          "The Provisio kiosk: the touchscreen where the end user enters (or scans) the provisioning\n"
                          "key. Full screen under eglfs on the device, in a window on a desktop. SIGTERM or SIGINT\n"
                          "stop it cleanly (the hub hears \"offline\" at once).\n"
                          "Exit codes: 0 stopped cleanly, 1 the window or the data directory failed, 2 bad options.\n"
                          "Each option can also come from the environment variable in brackets; the command line "
                          "wins.\n"
                          "\n"
                          "Device options (as for provisio-agent):\n") +
           OptionReader::helpText(DeviceOptions::specs(program())) + QStringLiteral("\nKiosk options:\n") +
           OptionReader::helpText(ownSpecs() + DeviceOptions::helpSpecs());
}

Result<KioskOptions> KioskOptions::parse(const QStringList &arguments)
{
    return parse(arguments, OptionReader::processEnvironment());
}

Result<KioskOptions> KioskOptions::parse(const QStringList &arguments, const OptionReader::Environment &environment)
{
    // Kiosks set up before the kiosk and the agent shared their options name
    // the CA PROVISIO_CA_FILE; it still works where PROVISIO_CA is unset.
    const OptionReader::Environment withOldNames = [environment](const QString &name) {
        const QString value = environment(name);
        if (value.isEmpty() && name == QLatin1String("PROVISIO_CA"))
            return environment(QStringLiteral("PROVISIO_CA_FILE"));
        return value;
    };
    const auto reader = OptionReader::parse(specs(), arguments, withOldNames);
    if (!reader)
        return reader.error();

    KioskOptions o;
    if (const auto shared = o.read(*reader, program()); !shared)
        return shared.error();
    if (o.showHelp || o.showVersion)
        return o;

    const auto fullscreen = reader->flag(QStringLiteral("fullscreen"));
    if (!fullscreen)
        return fullscreen.error();
    o.fullscreen = *fullscreen;
    o.exitAfterFirstFrame = reader->flag(QStringLiteral("exit-after-first-frame")).value();

    const auto width = reader->number(QStringLiteral("width"), o.width, 320, 7680);
    if (!width)
        return width.error();
    o.width = *width;
    const auto height = reader->number(QStringLiteral("height"), o.height, 240, 4320);
    if (!height)
        return height.error();
    o.height = *height;

    // The PIN itself is never repeated, not even in the message.
    auto pinValue = reader->secret(QStringLiteral("settings-pin"), &o.warnings);
    if (!pinValue)
        return pinValue.error();
    o.settingsPin = *pinValue;
    if (o.settingsPin == QLatin1String("off")) {
        o.settingsPin.clear();
        o.settingsPinOff = true;
    } else if (!o.settingsPin.isEmpty()) {
        if (const auto pin = SettingsLock::validatePin(o.settingsPin); !pin)
            return usage(reader->origin(QStringLiteral("settings-pin")) + QStringLiteral(": ") + pin.error().message);
    }
    return o;
}

bool KioskOptions::asksForHelpOrVersion(const QStringList &arguments)
{
    for (const QString &argument : arguments.mid(1)) {
        for (const OptionSpec &spec : DeviceOptions::helpSpecs()) {
            for (const QString &name : spec.names) {
                // -help reads as --help (single-dash words are long options).
                if (argument == QLatin1Char('-') + name || argument == QStringLiteral("--") + name)
                    return true;
            }
        }
    }
    return false;
}

} // namespace Provisio::Kiosk

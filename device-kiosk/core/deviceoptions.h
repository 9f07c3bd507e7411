// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"
#include "devicecontroller.h"
#include "optionreader.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QUrl>

namespace Provisio::Kiosk {

// The options every device program takes, declared and checked here only,
// so provisio-kiosk and provisio-agent spell them and their environment
// variables the same way: where the device keeps its state, the middleware
// and its CA, the serial, the telemetry, how the device copes with its hub,
// the reboot command, --help and --version. Each program's own options
// (KioskOptions, AgentOptions) add to these and inherit the fields.
struct DeviceOptions
{
    // Where the programs differ on the shared options.
    struct Program
    {
        QString dataDirectory;  // the default; empty: --data-dir is required
        QString telemetry;      // the default source: "host" or "simulated"
        QString middlewareNote; // what the program does with the URL, for --help
    };

    QString dataDirectory;
    QUrl middlewareUrl; // empty: the one stored in the data directory
    QString caFile;
    QByteArray caPem; // read from caFile
    QString serial;   // empty: DeviceIdentity::detect()
    QString telemetry;
    int intervalMs = 5000;
    int outboxCapacity = 10000;
    int unconfirmedWindow = 1000;
    int confirmTimeoutMs = 60000;
    int reprovisionAfterFailures = 5;
    int maxReconnectDelayMs = 60000;
    QString rebootCommand; // run through /bin/sh (startRebootCommand)
    bool showHelp = false;
    bool showVersion = false;

    // The shared device options, in --help order.
    static QList<OptionSpec> specs(const Program &program);
    // --help and --version, which every program lists last.
    static QList<OptionSpec> helpSpecs();

    // Fills the fields above from `reader` and checks them (the CA file is
    // read, the telemetry source tried). With --help or --version nothing
    // else is checked.
    Result<void> read(const OptionReader &reader, const Program &program);

    // The DeviceController's settings these options give.
    DeviceSettings deviceSettings() const;
};

} // namespace Provisio::Kiosk

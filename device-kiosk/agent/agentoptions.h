// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"
#include "deviceoptions.h"
#include "optionreader.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace Provisio::Agent {

// What `provisio-agent` was asked to do: the options every device program
// takes (DeviceOptions, shared with the kiosk) plus the agent's own ways to
// provision and to simulate a fleet. Each option can also come from a
// PROVISIO_* environment variable, so a systemd EnvironmentFile can carry
// secrets instead of the process list. parse() checks everything it can
// before anything runs: a bad option is a clear message and exit code 2,
// never a half-started agent.
struct AgentOptions : Kiosk::DeviceOptions
{
    enum class Mode { Reconnect, Activate, FullKey, Simulate };

    Mode mode = Mode::Reconnect;
    QString activationCode; // canonical form
    QString idScope;
    QString registrationId;
    QString symmetricKey; // secret
    QString groupKey;     // secret
    int simulateCount = 0;
    QString registrationPrefix = QStringLiteral("sim-");
    int simulateConcurrency = 16;
    int statusIntervalMs = 10000;
    // Said on stderr at start: e.g. a secret given on the command line.
    QStringList warnings;

    // How the agent differs from the kiosk on the shared options.
    static Kiosk::DeviceOptions::Program program();
    // Every option the agent takes: the shared ones, its own, --help.
    static QList<Kiosk::OptionSpec> specs();

    // `arguments` includes the program name, as QCoreApplication::arguments().
    // Variables are read from the process environment unless a test passes
    // its own.
    static Result<AgentOptions> parse(const QStringList &arguments);
    static Result<AgentOptions> parse(const QStringList &arguments,
                                      const Kiosk::OptionReader::Environment &environment);
    static QString helpText();
};

} // namespace Provisio::Agent

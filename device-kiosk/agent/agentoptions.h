// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <functional>

namespace Provisio::Agent {

// What `provisio-agent` was asked to do, read from the command line (and,
// for each option, a PROVISIO_* environment variable when the option is
// absent, so a systemd EnvironmentFile can carry secrets instead of the
// process list). parse() checks everything it can before anything runs: a
// bad option is a clear message and exit code 2, never a half-started agent.
struct AgentOptions
{
    enum class Mode { Reconnect, Activate, FullKey, Simulate };

    Mode mode = Mode::Reconnect;
    QString dataDirectory;
    QUrl middlewareUrl; // empty: the one stored in the data directory
    QString caFile;
    QByteArray caPem; // read from caFile
    QString serial;
    QString activationCode; // canonical form
    QString idScope;
    QString registrationId;
    QString symmetricKey; // secret
    QString groupKey;     // secret
    int simulateCount = 0;
    QString registrationPrefix = QStringLiteral("sim-");
    int simulateConcurrency = 16;
    QString telemetry = QStringLiteral("simulated");
    int intervalMs = 5000;
    int outboxCapacity = 10000;
    int reprovisionAfterFailures = 5;
    int maxReconnectDelayMs = 60000;
    int statusIntervalMs = 10000;
    QString rebootCommand;
    bool showHelp = false;
    bool showVersion = false;

    // `arguments` includes the program name, as QCoreApplication::arguments().
    // `environment` lookups go through getenv unless a test passes its own.
    static Result<AgentOptions> parse(const QStringList &arguments);
    static Result<AgentOptions> parse(const QStringList &arguments,
                                      const std::function<QString(const char *)> &environment);
    static QString helpText();
};

} // namespace Provisio::Agent

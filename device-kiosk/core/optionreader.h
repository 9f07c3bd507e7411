// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>

namespace Provisio::Kiosk {

// One option of a device program: its names on the command line, the value
// it takes, the environment variable that stands in for it and its --help
// text. One table of these drives both the parser and the help, so --help
// lists every option with its variable.
struct OptionSpec
{
    QStringList names; // the first is the name used in messages and lookups ("data-dir"); then aliases ("h")
    QString valueName; // empty: a flag
    QString env;       // empty: command line only
    QString help;

    QString name() const { return names.constFirst(); }
};

// Reads a device program's options: the command line first, then each
// option's environment variable, so a systemd EnvironmentFile can carry what
// must not show in the process list (keys, PINs). An empty variable counts as
// unset. Every complaint names where the bad value came from: `--interval-ms`
// when it was given on the command line, `PROVISIO_INTERVAL_MS` when it came
// from the environment.
class OptionReader
{
public:
    // Looks up an environment variable; tests pass their own.
    using Environment = std::function<QString(const QString &name)>;
    static Environment processEnvironment();

    // `arguments` includes the program name, as QCoreApplication::arguments().
    // Fails on an unknown option, a positional argument, or a value option
    // given more than once.
    static Result<OptionReader> parse(const QList<OptionSpec> &specs, const QStringList &arguments,
                                      const Environment &environment);

    // The options' part of --help: per option "  --name VALUE" and its
    // indented help, which ends with its variable in brackets.
    static QString helpText(const QList<OptionSpec> &specs);

    // The command line's value, else the variable's, else empty.
    QString value(const QString &name) const;
    // Where value() came from, for messages: "--name" or the variable's name.
    QString origin(const QString &name) const;

    // A flag: given on the command line, or its variable is 1/true/yes/on
    // (0/false/no/off or unset: not given).
    Result<bool> flag(const QString &name) const;
    // A whole number from min to max, or `fallback` when the option is absent.
    Result<int> number(const QString &name, int fallback, int min, int max) const;
    // A secret (key, PIN): the option's value, or the contents of the file
    // its `name`-file twin names (both spec'd), never both. A value on the
    // command line is kept but adds a warning: every user of the machine
    // sees it in ps.
    Result<QString> secret(const QString &name, QStringList *warnings) const;

private:
    const OptionSpec *spec(const QString &name) const;

    QList<OptionSpec> m_specs;
    QHash<QString, QString> m_given; // long name -> value from the command line ("" for a flag)
    Environment m_environment;
};

} // namespace Provisio::Kiosk

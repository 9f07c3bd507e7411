// SPDX-License-Identifier: Apache-2.0
#include "optionreader.h"

#include <QCommandLineParser>
#include <QFile>

namespace Provisio::Kiosk {

namespace {

Error usage(const QString &message)
{
    return Error(ErrorCode::InvalidInput, message);
}

} // namespace

OptionReader::Environment OptionReader::processEnvironment()
{
    return [](const QString &name) { return qEnvironmentVariable(name.toLatin1().constData()); };
}

Result<OptionReader> OptionReader::parse(const QList<OptionSpec> &specs, const QStringList &arguments,
                                         const Environment &environment)
{
    QCommandLineParser parser;
    // -data-dir reads as --data-dir, not as -d -a -t -a ...
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    for (const OptionSpec &spec : specs) {
        QCommandLineOption option(spec.names, spec.help);
        if (!spec.valueName.isEmpty())
            option.setValueName(spec.valueName);
        parser.addOption(option);
    }
    if (!parser.parse(arguments))
        return usage(parser.errorText());
    if (!parser.positionalArguments().isEmpty())
        return usage(QStringLiteral("unexpected argument \"%1\"").arg(parser.positionalArguments().constFirst()));

    OptionReader reader;
    reader.m_specs = specs;
    reader.m_environment = environment;
    for (const OptionSpec &spec : specs) {
        if (!parser.isSet(spec.name()))
            continue;
        if (spec.valueName.isEmpty()) {
            reader.m_given.insert(spec.name(), QString());
            continue;
        }
        const QStringList values = parser.values(spec.name());
        if (values.size() > 1)
            return usage(QStringLiteral("--%1 is given more than once").arg(spec.name()));
        reader.m_given.insert(spec.name(), values.constFirst());
    }
    return reader;
}

QString OptionReader::helpText(const QList<OptionSpec> &specs)
{
    QString text;
    for (const OptionSpec &spec : specs) {
        // "-h, --help": a one-letter alias first, as usual.
        QStringList names;
        for (const QString &name : spec.names) {
            if (name.size() == 1)
                names.prepend(QLatin1Char('-') + name);
            else
                names.append(QStringLiteral("--") + name);
        }
        text += QStringLiteral("  ") + names.join(QStringLiteral(", "));
        if (!spec.valueName.isEmpty())
            text += QLatin1Char(' ') + spec.valueName;
        QString help = spec.help;
        if (!spec.env.isEmpty())
            help += QStringLiteral(" [") + spec.env + QLatin1Char(']');
        // Wrapped to fit a terminal of 100 columns.
        QString line = QStringLiteral("     ");
        for (const QString &word : help.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
            if (line.size() + 1 + word.size() > 100 && line.size() > 6) {
                text += QLatin1Char('\n') + line;
                line = QStringLiteral("     ");
            }
            line += QLatin1Char(' ') + word;
        }
        text += QLatin1Char('\n') + line + QLatin1Char('\n');
    }
    return text;
}

const OptionSpec *OptionReader::spec(const QString &name) const
{
    for (const OptionSpec &spec : m_specs) {
        if (spec.name() == name)
            return &spec;
    }
    // A program asking for an option it did not declare is a bug, not input.
    qFatal("OptionReader: no option named %s", qPrintable(name));
    return nullptr;
}

QString OptionReader::value(const QString &name) const
{
    const OptionSpec *option = spec(name);
    if (const auto given = m_given.constFind(name); given != m_given.constEnd())
        return *given;
    if (option->env.isEmpty() || !m_environment)
        return {};
    return m_environment(option->env);
}

QString OptionReader::origin(const QString &name) const
{
    const OptionSpec *option = spec(name);
    if (m_given.contains(name) || option->env.isEmpty())
        return QStringLiteral("--") + name;
    return option->env;
}

Result<bool> OptionReader::flag(const QString &name) const
{
    if (m_given.contains(name))
        return true;
    const QString text = value(name).trimmed().toLower();
    if (text.isEmpty() || text == QLatin1String("0") || text == QLatin1String("false") || text == QLatin1String("no") ||
        text == QLatin1String("off"))
        return false;
    if (text == QLatin1String("1") || text == QLatin1String("true") || text == QLatin1String("yes") ||
        text == QLatin1String("on"))
        return true;
    return usage(QStringLiteral("%1 must be 1 or 0 (true or false), not \"%2\"").arg(origin(name), value(name)));
}

Result<int> OptionReader::number(const QString &name, int fallback, int min, int max) const
{
    const QString text = value(name).trimmed();
    if (text.isEmpty())
        return fallback;
    bool ok = false;
    const qint64 number = text.toLongLong(&ok);
    if (!ok || number < min || number > max)
        return usage(QStringLiteral("%1 must be a whole number from %2 to %3, not \"%4\"")
                         .arg(origin(name))
                         .arg(min)
                         .arg(max)
                         .arg(text));
    return int(number);
}

} // namespace Provisio::Kiosk

namespace Provisio::Kiosk {

Result<QString> OptionReader::secret(const QString &name, QStringList *warnings) const
{
    const QString fileOption = name + QStringLiteral("-file");
    const QString direct = value(name).trimmed();
    const QString path = value(fileOption).trimmed();
    if (!direct.isEmpty() && !path.isEmpty())
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("%1 and %2 both give the secret; use one").arg(origin(name), origin(fileOption)));
    if (!path.isEmpty()) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return Error(ErrorCode::InvalidInput,
                         QStringLiteral("%1: cannot read %2: %3").arg(origin(fileOption), path, file.errorString()));
        // A secret is short; a huge file is a mistake, not a secret.
        const QString text = QString::fromUtf8(file.read(64 * 1024)).trimmed();
        if (text.isEmpty())
            return Error(ErrorCode::InvalidInput, QStringLiteral("%1: %2 is empty").arg(origin(fileOption), path));
        return text;
    }
    if (!direct.isEmpty() && m_given.contains(name))
        warnings->append(QStringLiteral("--%1 on the command line is visible to every user of this machine (ps); "
                                        "use --%2 or the environment instead")
                             .arg(name, fileOption));
    return direct;
}

} // namespace Provisio::Kiosk

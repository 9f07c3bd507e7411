// SPDX-License-Identifier: Apache-2.0
#include "agentoptions.h"

#include "crypto/activationcode.h"
#include "crypto/keys.h"
#include "crypto/registrationid.h"
#include "telemetrysource.h"

#include <QCommandLineParser>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSslCertificate>

#include <cstdlib>

namespace Provisio::Agent {

namespace {

struct OptionSpec
{
    const char *name;
    const char *valueName; // nullptr: a flag
    const char *env;       // nullptr: no environment variable
    const char *help;
};

// One table for the parser and the help text, so --help lists every option.
const OptionSpec kOptions[] = {
    {"data-dir", "DIR", "PROVISIO_DATA_DIR",
     "Where the device keeps its connection, credentials and outbox (required). Created owner-only."},
    {"middleware", "URL", "PROVISIO_MIDDLEWARE_URL",
     "The middleware to provision through, e.g. https://provisio.example:8443. Stored for later runs."},
    {"ca", "FILE", "PROVISIO_CA",
     "PEM file of the CA the middleware's certificate chains to (default: the system's CAs)."},
    {"serial", "S", "PROVISIO_SERIAL", "The device serial (default: the board's serial, else /etc/machine-id)."},
    {"activate", "CODE", "PROVISIO_ACTIVATION_CODE",
     "Provision with the activation code from the card (XXXX-XXXX-XXXX-XXXX-C)."},
    {"id-scope", "X", "PROVISIO_ID_SCOPE",
     "Provision with a full key: the ID scope (with --registration-id and --key)."},
    {"registration-id", "R", "PROVISIO_REGISTRATION_ID", "Provision with a full key: the registration id."},
    {"key", "K", "PROVISIO_DEVICE_KEY",
     "Provision with a full key: the symmetric key (base64). Prefer the variable: "
     "arguments are visible to every user of the machine."},
    {"telemetry", "SOURCE", "PROVISIO_TELEMETRY",
     "What to send: \"simulated\" (default), \"host\" (CPU temperature, load, memory) or a JSON-lines FILE "
     "replayed in a loop ($UTC_TIME$ becomes the current time)."},
    {"interval-ms", "N", "PROVISIO_INTERVAL_MS",
     "Milliseconds between telemetry messages, 100 to 3600000 (default 5000) until the desired property "
     "telemetryIntervalMs says otherwise."},
    {"outbox-capacity", "N", "PROVISIO_OUTBOX_CAPACITY",
     "Messages the on-disk outbox holds before the oldest are dropped (counted), 1 to 10000000 (default 10000)."},
    {"reprovision-after", "N", "PROVISIO_REPROVISION_AFTER",
     "Consecutive failed connections to the hub before registering again, 1 to 1000 (default 5)."},
    {"max-reconnect-delay-ms", "N", "PROVISIO_MAX_RECONNECT_DELAY_MS",
     "Longest wait between two connection attempts, 1000 to 3600000 (default 60000)."},
    {"status-interval-ms", "N", "PROVISIO_STATUS_INTERVAL_MS",
     "Milliseconds between two status lines (sent, queued, dropped), 0 for none, else at least 100 (default 10000)."},
    {"reboot-command", "CMD", "PROVISIO_REBOOT_COMMAND",
     "Program run (through /bin/sh) when the back office invokes the `reboot` method; without it the request "
     "is only logged."},
    {"simulate", "N", "PROVISIO_SIMULATE",
     "Run N virtual devices (1 to 10000) in this process, each in DIR/PREFIXnnnn with its own identity and "
     "outbox, registered through an enrollment group (--id-scope, --group-key)."},
    {"group-key", "K", "PROVISIO_GROUP_KEY",
     "With --simulate: the enrollment group's key; each device's key is derived from it and its registration id."},
    {"registration-prefix", "P", "PROVISIO_REGISTRATION_PREFIX",
     "With --simulate: registration id prefix (default sim-)."},
    {"simulate-concurrency", "N", "PROVISIO_SIMULATE_CONCURRENCY",
     "With --simulate: registrations running at the same time, 1 to 1000 (default 16)."},
    {"help", nullptr, nullptr, "Show this help and exit."},
    {"version", nullptr, nullptr, "Show the version and exit."},
};

Error usage(const QString &message)
{
    return Error(ErrorCode::InvalidInput, message);
}

Result<int> intOption(const QString &name, const QString &text, int min, int max)
{
    bool ok = false;
    const qint64 v = text.trimmed().toLongLong(&ok);
    if (!ok || v < min || v > max)
        return usage(QStringLiteral("--%1 must be a whole number from %2 to %3, not \"%4\"")
                         .arg(name)
                         .arg(min)
                         .arg(max)
                         .arg(text));
    return int(v);
}

} // namespace

QString AgentOptions::helpText()
{
    QString text = QStringLiteral(
        "Usage: provisio-agent --data-dir DIR [--middleware URL] [--ca FILE] [--serial S]\n"
        "                      [--activate CODE | --id-scope X --registration-id R --key K]\n"
        "                      [--telemetry simulated|host|FILE] [--interval-ms N]\n"
        "       provisio-agent --data-dir DIR --simulate N --middleware URL --id-scope X --group-key K\n"
        "\n"
        "The headless Provisio device: provisions itself (activation code or full key), connects to its hub\n"
        "and streams telemetry through an on-disk outbox. Once provisioned, `provisio-agent --data-dir DIR`\n"
        "alone reconnects from what it stored. SIGTERM or SIGINT stop it cleanly.\n"
        "Exit codes: 0 stopped cleanly, 1 provisioning or runtime failure, 2 bad options.\n"
        "\n"
        "Options (each also read from the environment variable shown, when not given):\n");
    for (const auto &o : kOptions) {
        QString head = QStringLiteral("  --") + QLatin1String(o.name);
        if (o.valueName)
            head += QLatin1Char(' ') + QLatin1String(o.valueName);
        text += head + QLatin1Char('\n') + QStringLiteral("      ") + QLatin1String(o.help);
        if (o.env)
            text += QStringLiteral(" [") + QLatin1String(o.env) + QLatin1Char(']');
        text += QLatin1Char('\n');
    }
    return text;
}

Result<AgentOptions> AgentOptions::parse(const QStringList &arguments)
{
    return parse(arguments, [](const char *name) { return qEnvironmentVariable(name); });
}

Result<AgentOptions> AgentOptions::parse(const QStringList &arguments,
                                         const std::function<QString(const char *)> &environment)
{
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    for (const auto &o : kOptions) {
        QCommandLineOption option(QLatin1String(o.name), QLatin1String(o.help));
        if (o.valueName)
            option.setValueName(QLatin1String(o.valueName));
        parser.addOption(option);
    }
    if (!parser.parse(arguments))
        return usage(parser.errorText());
    if (!parser.positionalArguments().isEmpty())
        return usage(QStringLiteral("unexpected argument \"%1\"").arg(parser.positionalArguments().constFirst()));

    AgentOptions o;
    o.showHelp = parser.isSet(QStringLiteral("help"));
    o.showVersion = parser.isSet(QStringLiteral("version"));
    if (o.showHelp || o.showVersion)
        return o;

    // The command line first, then the environment.
    auto value = [&](const char *name) -> QString {
        const QString key = QLatin1String(name);
        if (parser.isSet(key)) {
            const QStringList values = parser.values(key);
            return values.constLast();
        }
        for (const auto &spec : kOptions) {
            if (qstrcmp(spec.name, name) == 0 && spec.env)
                return environment(spec.env);
        }
        return {};
    };
    for (const auto &spec : kOptions) {
        if (spec.valueName && parser.values(QLatin1String(spec.name)).size() > 1)
            return usage(QStringLiteral("--%1 is given more than once").arg(QLatin1String(spec.name)));
    }

    o.dataDirectory = value("data-dir").trimmed();
    if (o.dataDirectory.isEmpty())
        return usage(QStringLiteral("--data-dir is required: the directory where the device keeps its state"));
    if (QFileInfo(o.dataDirectory).exists() && !QFileInfo(o.dataDirectory).isDir())
        return usage(QStringLiteral("--data-dir %1 exists and is not a directory").arg(o.dataDirectory));

    if (const QString url = value("middleware").trimmed(); !url.isEmpty()) {
        o.middlewareUrl = QUrl(url, QUrl::StrictMode);
        const QString scheme = o.middlewareUrl.scheme();
        if (!o.middlewareUrl.isValid() || o.middlewareUrl.host().isEmpty() ||
            (scheme != QLatin1String("https") && scheme != QLatin1String("http")))
            return usage(
                QStringLiteral("--middleware \"%1\" is not an http(s) URL such as https://host:8443").arg(url));
    }
    o.caFile = value("ca").trimmed();
    if (!o.caFile.isEmpty()) {
        QFile ca(o.caFile);
        if (!ca.open(QIODevice::ReadOnly))
            return usage(QStringLiteral("--ca %1: cannot read it (%2)").arg(o.caFile, ca.errorString()));
        o.caPem = ca.read(1024 * 1024);
        if (QSslCertificate::fromData(o.caPem, QSsl::Pem).isEmpty())
            return usage(QStringLiteral("--ca %1 holds no PEM certificate").arg(o.caFile));
    }
    o.serial = value("serial").trimmed();

    const QString code = value("activate").trimmed();
    o.idScope = value("id-scope").trimmed();
    o.registrationId = value("registration-id").trimmed();
    o.symmetricKey = value("key").trimmed();
    o.groupKey = value("group-key").trimmed();
    const QString simulate = value("simulate").trimmed();

    const QString telemetry = value("telemetry").trimmed();
    if (!telemetry.isEmpty())
        o.telemetry = telemetry;
    if (auto source = Kiosk::TelemetrySource::create(o.telemetry); !source)
        return usage(QStringLiteral("--telemetry: ") + source.error().message);

    struct IntOption
    {
        const char *name;
        int *target;
        int min;
        int max;
    };
    const IntOption ints[] = {
        {"interval-ms", &o.intervalMs, 100, 3600000},
        {"outbox-capacity", &o.outboxCapacity, 1, 10000000},
        {"reprovision-after", &o.reprovisionAfterFailures, 1, 1000},
        {"max-reconnect-delay-ms", &o.maxReconnectDelayMs, 1000, 3600000},
        {"status-interval-ms", &o.statusIntervalMs, 0, 86400000},
        {"simulate-concurrency", &o.simulateConcurrency, 1, 1000},
    };
    for (const auto &i : ints) {
        const QString text = value(i.name);
        if (text.isEmpty())
            continue;
        const auto v = intOption(QLatin1String(i.name), text, i.min, i.max);
        if (!v)
            return v.error();
        *i.target = *v;
    }
    if (o.statusIntervalMs > 0 && o.statusIntervalMs < 100)
        return usage(QStringLiteral("--status-interval-ms must be 0 or at least 100"));
    o.rebootCommand = value("reboot-command");
    if (const QString prefix = value("registration-prefix"); !prefix.isEmpty())
        o.registrationPrefix = prefix.trimmed();

    const bool fullKeyPart = !o.registrationId.isEmpty() || !o.symmetricKey.isEmpty();
    if (!simulate.isEmpty()) {
        const auto n = intOption(QStringLiteral("simulate"), simulate, 1, 10000);
        if (!n)
            return n.error();
        o.simulateCount = *n;
        o.mode = Mode::Simulate;
        if (!code.isEmpty() || fullKeyPart || !o.serial.isEmpty())
            return usage(QStringLiteral("--simulate gives each virtual device its own identity: it does not take "
                                        "--activate, --registration-id, --key or --serial"));
        if (o.idScope.isEmpty() || o.groupKey.isEmpty())
            return usage(QStringLiteral("--simulate needs --id-scope and --group-key (an enrollment group)"));
        if (o.middlewareUrl.isEmpty())
            return usage(QStringLiteral("--simulate needs --middleware"));
        if (const auto key = Crypto::decodeKey(o.groupKey); !key)
            return usage(QStringLiteral("--group-key: ") + key.error().message);
        // The longest id (prefix + 4 or more digits) must still be valid.
        const QString sample =
            o.registrationPrefix + QStringLiteral("%1").arg(o.simulateCount, 4, 10, QLatin1Char('0'));
        if (const auto valid = Crypto::validateRegistrationId(sample); !valid)
            return usage(QStringLiteral("--registration-prefix \"%1\" gives invalid registration ids: %2")
                             .arg(o.registrationPrefix, valid.error().message));
        return o;
    }
    if (!o.groupKey.isEmpty())
        return usage(QStringLiteral("--group-key goes with --simulate"));

    if (!code.isEmpty() && (!o.idScope.isEmpty() || fullKeyPart))
        return usage(QStringLiteral("choose one way to provision: --activate CODE, or --id-scope, "
                                    "--registration-id and --key"));
    if (!code.isEmpty()) {
        const auto canonical = ActivationCode::parse(code);
        if (!canonical)
            return usage(QStringLiteral("--activate: ") + canonical.error().message);
        o.activationCode = *canonical;
        o.mode = Mode::Activate;
    } else if (!o.idScope.isEmpty() || fullKeyPart) {
        if (o.idScope.isEmpty() || o.registrationId.isEmpty() || o.symmetricKey.isEmpty())
            return usage(QStringLiteral("--id-scope, --registration-id and --key go together"));
        static const QRegularExpression scope(QStringLiteral("^[A-Za-z0-9]{1,64}$"));
        if (!scope.match(o.idScope).hasMatch())
            return usage(QStringLiteral("--id-scope \"%1\" is not an ID scope (letters and digits)").arg(o.idScope));
        if (const auto valid = Crypto::validateRegistrationId(o.registrationId); !valid)
            return usage(QStringLiteral("--registration-id: ") + valid.error().message);
        if (const auto key = Crypto::decodeKey(o.symmetricKey); !key)
            return usage(QStringLiteral("--key: ") + key.error().message);
        o.mode = Mode::FullKey;
    }
    if (o.mode != Mode::Reconnect && o.middlewareUrl.isEmpty())
        return usage(QStringLiteral("provisioning needs --middleware URL"));
    return o;
}

} // namespace Provisio::Agent

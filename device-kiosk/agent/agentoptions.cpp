// SPDX-License-Identifier: Apache-2.0
#include "agentoptions.h"

#include "crypto/activationcode.h"
#include "crypto/keys.h"
#include "crypto/registrationid.h"

#include <QRegularExpression>

#include <utility>

namespace Provisio::Agent {

using Kiosk::DeviceOptions;
using Kiosk::OptionReader;
using Kiosk::OptionSpec;

namespace {

// The agent's own options; the device options come from DeviceOptions.
QList<OptionSpec> ownSpecs()
{
    return {
        {{QStringLiteral("activate")},
         QStringLiteral("CODE"),
         QStringLiteral("PROVISIO_ACTIVATION_CODE"),
         QStringLiteral("Provision with the activation code from the card (XXXX-XXXX-XXXX-XXXX-C).")},
        {{QStringLiteral("id-scope")},
         QStringLiteral("X"),
         QStringLiteral("PROVISIO_ID_SCOPE"),
         QStringLiteral("Provision with a full key: the ID scope (with --registration-id and --key).")},
        {{QStringLiteral("registration-id")},
         QStringLiteral("R"),
         QStringLiteral("PROVISIO_REGISTRATION_ID"),
         QStringLiteral("Provision with a full key: the registration id.")},
        {{QStringLiteral("key")},
         QStringLiteral("K"),
         QStringLiteral("PROVISIO_DEVICE_KEY"),
         QStringLiteral("Provision with a full key: the symmetric key (base64). Prefer --key-file or the "
                        "variable: arguments are visible to every user of the machine.")},
        {{QStringLiteral("key-file")},
         QStringLiteral("FILE"),
         QStringLiteral("PROVISIO_DEVICE_KEY_FILE"),
         QStringLiteral("Read the symmetric key for --key from this file (e.g. a systemd credential).")},
        {{QStringLiteral("status-interval-ms")},
         QStringLiteral("N"),
         QStringLiteral("PROVISIO_STATUS_INTERVAL_MS"),
         QStringLiteral("Milliseconds between two status lines (sent, queued, dropped), 0 for none, else at least "
                        "100 (default 10000).")},
        {{QStringLiteral("simulate")},
         QStringLiteral("N"),
         QStringLiteral("PROVISIO_SIMULATE"),
         QStringLiteral("Run N virtual devices (1 to 10000) in this process, each in DIR/PREFIXnnnn with its own "
                        "identity and outbox, registered through an enrollment group (--id-scope, --group-key).")},
        {{QStringLiteral("group-key")},
         QStringLiteral("K"),
         QStringLiteral("PROVISIO_GROUP_KEY"),
         QStringLiteral("With --simulate: the enrollment group's key; each device's key is derived from it and its "
                        "registration id. Prefer --group-key-file or the variable: arguments are visible to every "
                        "user of the machine.")},
        {{QStringLiteral("group-key-file")},
         QStringLiteral("FILE"),
         QStringLiteral("PROVISIO_GROUP_KEY_FILE"),
         QStringLiteral("Read the enrollment group's key for --group-key from this file.")},
        {{QStringLiteral("registration-prefix")},
         QStringLiteral("P"),
         QStringLiteral("PROVISIO_REGISTRATION_PREFIX"),
         QStringLiteral("With --simulate: registration id prefix (default sim-).")},
        {{QStringLiteral("simulate-concurrency")},
         QStringLiteral("N"),
         QStringLiteral("PROVISIO_SIMULATE_CONCURRENCY"),
         QStringLiteral("With --simulate: registrations running at the same time, 1 to 1000 (default 16).")},
    };
}

Error usage(const QString &message)
{
    return Error(ErrorCode::InvalidInput, message);
}

} // namespace

DeviceOptions::Program AgentOptions::program()
{
    // No default data directory: a service and a fleet each name theirs.
    return {QString(), QStringLiteral("simulated"), QStringLiteral("Stored for later runs.")};
}

QList<OptionSpec> AgentOptions::specs()
{
    return DeviceOptions::specs(program()) + ownSpecs() + DeviceOptions::helpSpecs();
}

QString AgentOptions::helpText()
{
    return QStringLiteral(
               "Usage: provisio-agent --data-dir DIR [--middleware URL] [--ca FILE] [--serial S]\n"
               "                      [--activate CODE | --id-scope X --registration-id R --key K]\n"
               "                      [--telemetry simulated|host|FILE] [--interval-ms N]\n"
               "       provisio-agent --data-dir DIR --simulate N --middleware URL --id-scope X --group-key-file F\n"
               "\n"
               "The headless Provisio device: provisions itself (activation code or full key), connects to its hub\n"
               "and streams telemetry through an on-disk outbox. Once provisioned, `provisio-agent --data-dir DIR`\n"
               "alone reconnects from what it stored. SIGTERM or SIGINT stop it cleanly.\n"
               "Exit codes: 0 stopped cleanly, 1 provisioning or runtime failure, 2 bad options.\n"
               "Each option can also come from the environment variable in brackets; the command line wins.\n"
               "\n"
               "Device options (as for provisio-kiosk):\n") +
           OptionReader::helpText(DeviceOptions::specs(program())) + QStringLiteral("\nAgent options:\n") +
           OptionReader::helpText(ownSpecs() + DeviceOptions::helpSpecs());
}

Result<AgentOptions> AgentOptions::parse(const QStringList &arguments)
{
    return parse(arguments, OptionReader::processEnvironment());
}

Result<AgentOptions> AgentOptions::parse(const QStringList &arguments, const OptionReader::Environment &environment)
{
    const auto reader = OptionReader::parse(specs(), arguments, environment);
    if (!reader)
        return reader.error();
    auto value = [&reader](const char *name) { return reader->value(QLatin1String(name)).trimmed(); };
    // Messages name where a value came from: `--key` or PROVISIO_DEVICE_KEY.
    auto origin = [&reader](const char *name) { return reader->origin(QLatin1String(name)); };

    AgentOptions o;
    if (const auto shared = o.read(*reader, program()); !shared)
        return shared.error();
    if (o.showHelp || o.showVersion)
        return o;

    const QString code = value("activate");
    o.idScope = value("id-scope");
    o.registrationId = value("registration-id");
    for (auto [name, target] : {std::pair{"key", &o.symmetricKey}, std::pair{"group-key", &o.groupKey}}) {
        auto secret = reader->secret(QLatin1String(name), &o.warnings);
        if (!secret)
            return secret.error();
        *target = *secret;
    }
    const QString simulate = value("simulate");

    struct Number
    {
        const char *name;
        int *target;
        int min;
        int max;
    };
    const Number numbers[] = {
        {"status-interval-ms", &o.statusIntervalMs, 0, 86400000},
        {"simulate-concurrency", &o.simulateConcurrency, 1, 1000},
    };
    for (const Number &n : numbers) {
        const auto v = reader->number(QLatin1String(n.name), *n.target, n.min, n.max);
        if (!v)
            return v.error();
        *n.target = *v;
    }
    if (o.statusIntervalMs > 0 && o.statusIntervalMs < 100)
        return usage(QStringLiteral("%1 must be 0 or at least 100").arg(origin("status-interval-ms")));
    if (const QString prefix = value("registration-prefix"); !prefix.isEmpty())
        o.registrationPrefix = prefix;

    const bool fullKeyPart = !o.registrationId.isEmpty() || !o.symmetricKey.isEmpty();
    if (!simulate.isEmpty()) {
        const auto n = reader->number(QStringLiteral("simulate"), 0, 1, 10000);
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
            return usage(origin("group-key") + QStringLiteral(": ") + key.error().message);
        // The longest id (prefix + 4 or more digits) must still be valid.
        const QString sample =
            o.registrationPrefix + QStringLiteral("%1").arg(o.simulateCount, 4, 10, QLatin1Char('0'));
        if (const auto valid = Crypto::validateRegistrationId(sample); !valid)
            return usage(QStringLiteral("%1 \"%2\" gives invalid registration ids: %3")
                             .arg(origin("registration-prefix"), o.registrationPrefix, valid.error().message));
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
            return usage(origin("activate") + QStringLiteral(": ") + canonical.error().message);
        o.activationCode = *canonical;
        o.mode = Mode::Activate;
    } else if (!o.idScope.isEmpty() || fullKeyPart) {
        if (o.idScope.isEmpty() || o.registrationId.isEmpty() || o.symmetricKey.isEmpty())
            return usage(QStringLiteral("--id-scope, --registration-id and --key go together"));
        static const QRegularExpression scope(QStringLiteral("^[A-Za-z0-9]{1,64}$"));
        if (!scope.match(o.idScope).hasMatch())
            return usage(
                QStringLiteral("%1 \"%2\" is not an ID scope (letters and digits)").arg(origin("id-scope"), o.idScope));
        if (const auto valid = Crypto::validateRegistrationId(o.registrationId); !valid)
            return usage(origin("registration-id") + QStringLiteral(": ") + valid.error().message);
        if (const auto key = Crypto::decodeKey(o.symmetricKey); !key)
            return usage(origin("key") + QStringLiteral(": ") + key.error().message);
        o.mode = Mode::FullKey;
    }
    if (o.mode != Mode::Reconnect && o.middlewareUrl.isEmpty())
        return usage(QStringLiteral("provisioning needs --middleware URL"));
    return o;
}

} // namespace Provisio::Agent

// SPDX-License-Identifier: Apache-2.0
#include "deviceoptions.h"

#include "telemetrysource.h"

#include <QFile>
#include <QFileInfo>
#include <QSslCertificate>

namespace Provisio::Kiosk {

namespace {

Error usage(const QString &message)
{
    return Error(ErrorCode::InvalidInput, message);
}

QString withDefault(const QString &help, const QString &value, const QString &none)
{
    return help + (value.isEmpty() ? none : QStringLiteral(" (default: %1)").arg(value));
}

} // namespace

QList<OptionSpec> DeviceOptions::specs(const Program &program)
{
    return {
        {{QStringLiteral("data-dir")},
         QStringLiteral("DIR"),
         QStringLiteral("PROVISIO_DATA_DIR"),
         withDefault(QStringLiteral("Where the device keeps its connection, credentials and telemetry outbox, "
                                    "owner-only"),
                     program.dataDirectory, QStringLiteral(" (required)")) +
             QLatin1Char('.')},
        {{QStringLiteral("middleware")},
         QStringLiteral("URL"),
         QStringLiteral("PROVISIO_MIDDLEWARE_URL"),
         QStringLiteral("The middleware to provision through, e.g. https://provisio.example:8443. ") +
             program.middlewareNote},
        {{QStringLiteral("ca")},
         QStringLiteral("FILE"),
         QStringLiteral("PROVISIO_CA"),
         QStringLiteral("PEM file of the CA the middleware's certificate chains to (default: the system's CAs).")},
        {{QStringLiteral("serial")},
         QStringLiteral("S"),
         QStringLiteral("PROVISIO_SERIAL"),
         QStringLiteral("The device serial (default: the board's serial, else /etc/machine-id).")},
        {{QStringLiteral("telemetry")},
         QStringLiteral("SOURCE"),
         QStringLiteral("PROVISIO_TELEMETRY"),
         QStringLiteral("What to send: \"host\" (CPU temperature, load, memory), \"simulated\", or a JSON-lines "
                        "FILE replayed in a loop ($UTC_TIME$ becomes the current time) (default: %1).")
             .arg(program.telemetry)},
        {{QStringLiteral("interval-ms")},
         QStringLiteral("N"),
         QStringLiteral("PROVISIO_INTERVAL_MS"),
         QStringLiteral("Milliseconds between telemetry messages, 100 to 3600000 (default 5000) until the desired "
                        "property telemetryIntervalMs says otherwise.")},
        {{QStringLiteral("outbox-capacity")},
         QStringLiteral("N"),
         QStringLiteral("PROVISIO_OUTBOX_CAPACITY"),
         QStringLiteral("Messages the on-disk outbox holds before the oldest are dropped (counted), 1 to 10000000 "
                        "(default 10000).")},
        {{QStringLiteral("unconfirmed-window")},
         QStringLiteral("N"),
         QStringLiteral("PROVISIO_UNCONFIRMED_WINDOW"),
         QStringLiteral("Telemetry messages the hub acknowledged that may wait for the back end's confirmation "
                        "that it stored them (they stay in the outbox until then), 0 to 100000 (default 1000; 0: "
                        "the hub's acknowledgement suffices).")},
        {{QStringLiteral("confirm-timeout-ms")},
         QStringLiteral("N"),
         QStringLiteral("PROVISIO_CONFIRM_TIMEOUT_MS"),
         QStringLiteral("Milliseconds a message acknowledged by the hub waits for the stored confirmation before it "
                        "is sent again, 1000 to 3600000 (default 60000).")},
        {{QStringLiteral("reprovision-after")},
         QStringLiteral("N"),
         QStringLiteral("PROVISIO_REPROVISION_AFTER"),
         QStringLiteral("Consecutive failed connections to the hub before registering again, 1 to 1000 "
                        "(default 5).")},
        {{QStringLiteral("max-reconnect-delay-ms")},
         QStringLiteral("N"),
         QStringLiteral("PROVISIO_MAX_RECONNECT_DELAY_MS"),
         QStringLiteral("Longest wait between two connection attempts, 1000 to 3600000 (default 60000).")},
        {{QStringLiteral("reboot-command")},
         QStringLiteral("CMD"),
         QStringLiteral("PROVISIO_REBOOT_COMMAND"),
         QStringLiteral("Command run through /bin/sh when the back office invokes the `reboot` method, e.g. "
                        "\"sudo systemctl reboot\"; without it the request is only logged.")},
    };
}

QList<OptionSpec> DeviceOptions::helpSpecs()
{
    return {
        {{QStringLiteral("help"), QStringLiteral("h")}, {}, {}, QStringLiteral("Show this help and exit.")},
        {{QStringLiteral("version"), QStringLiteral("v")}, {}, {}, QStringLiteral("Show the version and exit.")},
    };
}

Result<void> DeviceOptions::read(const OptionReader &reader, const Program &program)
{
    showHelp = reader.flag(QStringLiteral("help")).value();
    showVersion = reader.flag(QStringLiteral("version")).value();
    if (showHelp || showVersion)
        return {};

    dataDirectory = reader.value(QStringLiteral("data-dir")).trimmed();
    if (dataDirectory.isEmpty())
        dataDirectory = program.dataDirectory;
    if (dataDirectory.isEmpty())
        return usage(QStringLiteral("--data-dir is required: the directory where the device keeps its state"));
    if (QFileInfo(dataDirectory).exists() && !QFileInfo(dataDirectory).isDir())
        return usage(QStringLiteral("%1 %2 exists and is not a directory")
                         .arg(reader.origin(QStringLiteral("data-dir")), dataDirectory));

    if (const QString url = reader.value(QStringLiteral("middleware")).trimmed(); !url.isEmpty()) {
        middlewareUrl = QUrl(url, QUrl::StrictMode);
        const QString scheme = middlewareUrl.scheme();
        if (!middlewareUrl.isValid() || middlewareUrl.host().isEmpty() ||
            (scheme != QLatin1String("https") && scheme != QLatin1String("http")))
            return usage(QStringLiteral("%1 \"%2\" is not an http(s) URL such as https://host:8443")
                             .arg(reader.origin(QStringLiteral("middleware")), url));
    }

    caFile = reader.value(QStringLiteral("ca")).trimmed();
    if (!caFile.isEmpty()) {
        const QString origin = reader.origin(QStringLiteral("ca"));
        QFile ca(caFile);
        if (!ca.open(QIODevice::ReadOnly))
            return usage(QStringLiteral("%1 %2: cannot read it (%3)").arg(origin, caFile, ca.errorString()));
        caPem = ca.read(1024 * 1024);
        if (QSslCertificate::fromData(caPem, QSsl::Pem).isEmpty())
            return usage(QStringLiteral("%1 %2 holds no PEM certificate").arg(origin, caFile));
    }

    serial = reader.value(QStringLiteral("serial")).trimmed();

    telemetry = reader.value(QStringLiteral("telemetry")).trimmed();
    if (telemetry.isEmpty())
        telemetry = program.telemetry;
    if (auto source = TelemetrySource::create(telemetry); !source)
        return usage(reader.origin(QStringLiteral("telemetry")) + QStringLiteral(": ") + source.error().message);

    struct Number
    {
        const char *name;
        int *target;
        int min;
        int max;
    };
    const Number numbers[] = {
        {"interval-ms", &intervalMs, 100, 3600000},
        {"outbox-capacity", &outboxCapacity, 1, 10000000},
        {"unconfirmed-window", &unconfirmedWindow, 0, 100000},
        {"confirm-timeout-ms", &confirmTimeoutMs, 1000, 3600000},
        {"reprovision-after", &reprovisionAfterFailures, 1, 1000},
        {"max-reconnect-delay-ms", &maxReconnectDelayMs, 1000, 3600000},
    };
    for (const Number &n : numbers) {
        const auto value = reader.number(QLatin1String(n.name), *n.target, n.min, n.max);
        if (!value)
            return value.error();
        *n.target = *value;
    }

    rebootCommand = reader.value(QStringLiteral("reboot-command")).trimmed();
    return {};
}

DeviceSettings DeviceOptions::deviceSettings() const
{
    DeviceSettings settings;
    settings.dataDirectory = dataDirectory;
    settings.middlewareUrl = middlewareUrl;
    settings.middlewareCaPem = caPem;
    settings.serial = serial;
    settings.telemetryIntervalMs = intervalMs;
    settings.outboxCapacity = outboxCapacity;
    settings.unconfirmedWindow = unconfirmedWindow;
    settings.confirmTimeoutMs = confirmTimeoutMs;
    settings.reprovisionAfterFailures = reprovisionAfterFailures;
    settings.maxReconnectDelayMs = maxReconnectDelayMs;
    return settings;
}

} // namespace Provisio::Kiosk

// SPDX-License-Identifier: Apache-2.0
#include "serviceconfig.h"

#include <QCommandLineParser>
#include <QDir>
#include <QSettings>
#include <QStandardPaths>

namespace Provisio {

QString ServiceConfig::databaseLocation() const
{
    return databaseUrl.isEmpty() ? QDir(dataDir).filePath(QStringLiteral("provisio.db")) : databaseUrl;
}

QString ServiceConfig::tlsDir() const
{
    return QDir(dataDir).filePath(QStringLiteral("tls"));
}

bool isValidInstanceId(const QString &id)
{
    if (id.isEmpty() || id.size() > 64)
        return false;
    for (const QChar c : id) {
        const char16_t u = c.unicode();
        const bool ok = (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9') || u == u'.' ||
                        u == u'_' || u == u'-';
        if (!ok)
            return false;
    }
    return true;
}

QString defaultDataDir()
{
    const QString base = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    return QDir(base.isEmpty() ? QDir::homePath() : base).filePath(QStringLiteral("provisio"));
}

Result<QPair<QHostAddress, quint16>> parseListenAddress(const QString &text)
{
    const int colon = text.lastIndexOf(QLatin1Char(':'));
    if (colon < 0)
        return Error(ErrorCode::InvalidInput, QStringLiteral("listen address '%1' must look like HOST:PORT").arg(text));
    QString host = text.left(colon);
    bool ok = false;
    const uint port = text.mid(colon + 1).toUInt(&ok);
    if (!ok || port > 65535)
        return Error(ErrorCode::InvalidInput, QStringLiteral("invalid port in '%1'").arg(text));
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    QHostAddress address;
    if (host.isEmpty() || host == QLatin1String("*"))
        address = QHostAddress::Any;
    else if (host == QLatin1String("localhost"))
        address = QHostAddress::LocalHost;
    else if (!address.setAddress(host))
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("'%1' is not an IP address (use an address, 'localhost' or '*')").arg(host));
    return qMakePair(address, quint16(port));
}

namespace {
struct Option
{
    const char *name;
    const char *env;
    const char *description;
    const char *valueName; // nullptr: a flag
};

const Option kOptions[] = {
    {"config", "PROVISIO_CONFIG", "Read defaults from this INI file.", "file"},
    {"data-dir", "PROVISIO_DATA_DIR", "Data directory (database, TLS material).", "dir"},
    {"listen", "PROVISIO_LISTEN", "Address to listen on, HOST:PORT (default *:8443).", "host:port"},
    {"database", "PROVISIO_DATABASE_URL",
     "Database: a SQLite file path, or postgresql://user:pass@host:port/db (default: provisio.db in the data "
     "directory).",
     "url"},
    {"tls-cert", "PROVISIO_TLS_CERT", "Serve this PEM certificate (chain) instead of the own CA's.", "file"},
    {"tls-key", "PROVISIO_TLS_KEY", "Private key for --tls-cert.", "file"},
    {"tls-name", "PROVISIO_TLS_NAMES",
     "Extra DNS name or IP for the own server certificate (repeatable; comma-separated in the environment).", "name"},
    {"plain-http-behind-proxy", "PROVISIO_PLAIN_HTTP",
     "Serve plain HTTP. Only for running behind a TLS-terminating proxy.", nullptr},
    {"log-json", "PROVISIO_LOG_JSON", "Log JSON lines instead of text.", nullptr},
    {"activation-ttl-hours", "PROVISIO_ACTIVATION_TTL_HOURS", "Lifetime of activation codes in hours (default 720).",
     "hours"},
    {"webhook-authorization", "PROVISIO_WEBHOOK_AUTHORIZATION",
     "Authorization header value sent to custom allocation webhooks.", "value"},
    {"telemetry-keep", "PROVISIO_TELEMETRY_KEEP",
     "Telemetry messages kept per device, newest first (1..1000000, default 1000).", "count"},
    {"telemetry-days", "PROVISIO_TELEMETRY_DAYS", "Days telemetry messages are kept (1..3650, default 7).", "days"},
    {"max-sas-lifetime", "PROVISIO_MAX_SAS_LIFETIME",
     "Longest validity a device's DPS SAS token may have, seconds (60..31536000, default 86400).", "seconds"},
    {"dps-failures-per-address", "PROVISIO_DPS_FAILURES_PER_ADDRESS",
     "Failed device authentications per client address per minute before 429 (1..100000, default 60).", "count"},
    {"dps-failures-per-registration", "PROVISIO_DPS_FAILURES_PER_REGISTRATION",
     "Failed device authentications per registration id per minute before 429 (1..100000, default 20).", "count"},
    {"max-connections", "PROVISIO_MAX_CONNECTIONS",
     "Open client connections at most (16..1000000, default 10000; also bounded by the descriptor limit).", "count"},
    {"max-connections-per-address", "PROVISIO_MAX_CONNECTIONS_PER_ADDRESS",
     "Open connections per client address (0 = no cap, the default with --plain-http-behind-proxy; 1..1000000, "
     "default 256).",
     "count"},
    {"tls-handshake-timeout", "PROVISIO_TLS_HANDSHAKE_TIMEOUT",
     "Seconds a client has to complete TLS (1..300, default 10).", "seconds"},
    {"header-timeout", "PROVISIO_HEADER_TIMEOUT",
     "Seconds from a request's first byte (or a new connection) to the end of its headers (1..300, default 10).",
     "seconds"},
    {"idle-timeout", "PROVISIO_IDLE_TIMEOUT",
     "Seconds a kept-alive connection may wait between requests (1..3600, "
     "default 60).",
     "seconds"},
    {"body-stall-timeout", "PROVISIO_BODY_STALL_TIMEOUT",
     "Seconds a request body may pause before the connection is closed (1..3600, default 30).", "seconds"},
    {"max-header-bytes", "PROVISIO_MAX_HEADER_BYTES",
     "Request line and header fields together, bytes (1024..1048576, default 16384).", "bytes"},
    {"instance-id", "PROVISIO_INSTANCE_ID",
     "This instance's name on the hubs (1..64 letters, digits, '.', '_', '-'); every instance needs its own. "
     "Default: a random id kept in the data directory.",
     "id"},
};
} // namespace

void addServiceOptions(QCommandLineParser &parser)
{
    for (const Option &o : kOptions) {
        QCommandLineOption opt(QString::fromLatin1(o.name), QString::fromLatin1(o.description) +
                                                                QStringLiteral(" [env ") + QString::fromLatin1(o.env) +
                                                                QLatin1Char(']'));
        if (o.valueName)
            opt.setValueName(QString::fromLatin1(o.valueName));
        parser.addOption(opt);
    }
}

Result<ServiceConfig> serviceConfigFrom(const QCommandLineParser &parser)
{
    // Config file first, since the other lookups fall back to it.
    QString configFile = parser.value(QStringLiteral("config"));
    if (configFile.isEmpty())
        configFile = qEnvironmentVariable("PROVISIO_CONFIG");
    std::unique_ptr<QSettings> file;
    if (!configFile.isEmpty()) {
        if (!QFileInfo::exists(configFile))
            return Error(ErrorCode::InvalidInput, QStringLiteral("config file %1 does not exist").arg(configFile));
        file = std::make_unique<QSettings>(configFile, QSettings::IniFormat);
        if (file->status() != QSettings::NoError)
            return Error(ErrorCode::InvalidInput, QStringLiteral("config file %1 is not valid INI").arg(configFile));
    }

    auto lookup = [&](const Option &o) -> QStringList {
        const QString name = QString::fromLatin1(o.name);
        if (parser.isSet(name))
            return o.valueName ? parser.values(name) : QStringList{QStringLiteral("true")};
        const QString env = qEnvironmentVariable(o.env);
        if (!env.isEmpty())
            return env.split(QLatin1Char(','), Qt::SkipEmptyParts);
        if (file && file->contains(name)) {
            const QVariant v = file->value(name);
            return v.userType() == QMetaType::QStringList ? v.toStringList() : QStringList{v.toString()};
        }
        return {};
    };
    auto find = [](const char *name) -> const Option & {
        for (const Option &o : kOptions) {
            if (qstrcmp(o.name, name) == 0)
                return o;
        }
        Q_UNREACHABLE();
    };
    auto single = [&](const char *name) {
        const QStringList v = lookup(find(name));
        return v.isEmpty() ? QString() : v.last();
    };
    auto flag = [&](const char *name) {
        const QString v = single(name).toLower();
        return v == QLatin1String("true") || v == QLatin1String("1") || v == QLatin1String("yes");
    };

    ServiceConfig c;
    c.dataDir = single("data-dir");
    if (c.dataDir.isEmpty())
        c.dataDir = defaultDataDir();
    c.dataDir = QDir(c.dataDir).absolutePath();

    const QString listen = single("listen");
    if (!listen.isEmpty()) {
        auto parsed = parseListenAddress(listen);
        if (!parsed)
            return parsed.error();
        c.listenAddress = parsed->first;
        c.listenPort = parsed->second;
    }
    c.databaseUrl = single("database");
    c.tlsCertPath = single("tls-cert");
    c.tlsKeyPath = single("tls-key");
    if (c.tlsCertPath.isEmpty() != c.tlsKeyPath.isEmpty())
        return Error(ErrorCode::InvalidInput, QStringLiteral("--tls-cert and --tls-key go together"));
    for (const QString &n : lookup(find("tls-name")))
        c.tlsNames << n.split(QLatin1Char(','), Qt::SkipEmptyParts);
    c.plainHttp = flag("plain-http-behind-proxy");
    c.logJson = flag("log-json");
    const QString ttl = single("activation-ttl-hours");
    if (!ttl.isEmpty()) {
        bool ok = false;
        c.activationCodeTtlHours = ttl.toInt(&ok);
        if (!ok || c.activationCodeTtlHours < 1 || c.activationCodeTtlHours > 24 * 366)
            return Error(ErrorCode::InvalidInput, QStringLiteral("--activation-ttl-hours must be between 1 and 8784"));
    }
    const QString ttlSeconds = qEnvironmentVariable("PROVISIO_ACTIVATION_TTL_SECONDS");
    if (!ttlSeconds.isEmpty()) {
        bool ok = false;
        c.activationCodeTtlSeconds = ttlSeconds.toInt(&ok);
        if (!ok || c.activationCodeTtlSeconds < 1)
            return Error(ErrorCode::InvalidInput,
                         QStringLiteral("PROVISIO_ACTIVATION_TTL_SECONDS must be a positive number of seconds"));
    }
    c.webhookAuthorization = single("webhook-authorization");
    const auto bounded = [&](const char *name, int min, int max, int *out) -> Result<void> {
        const QString text = single(name);
        if (text.isEmpty())
            return {};
        bool ok = false;
        const int v = text.toInt(&ok);
        if (!ok || v < min || v > max)
            return Error(ErrorCode::InvalidInput,
                         QStringLiteral("--%1 must be a whole number between %2 and %3, not '%4'")
                             .arg(QLatin1String(name))
                             .arg(min)
                             .arg(max)
                             .arg(text));
        *out = v;
        return {};
    };
    if (auto r = bounded("telemetry-keep", 1, 1000000, &c.telemetryKeep); !r)
        return r.error();
    if (auto r = bounded("telemetry-days", 1, 3650, &c.telemetryDays); !r)
        return r.error();
    if (auto r = bounded("max-sas-lifetime", 60, 31536000, &c.maxSasLifetimeSeconds); !r)
        return r.error();
    if (auto r = bounded("dps-failures-per-address", 1, 100000, &c.dpsFailuresPerAddress); !r)
        return r.error();
    if (auto r = bounded("dps-failures-per-registration", 1, 100000, &c.dpsFailuresPerRegistration); !r)
        return r.error();
    if (auto r = bounded("max-connections", 16, 1000000, &c.maxConnections); !r)
        return r.error();
    if (c.plainHttp)
        c.maxConnectionsPerAddress = 0; // every client comes through the proxy's address
    if (auto r = bounded("max-connections-per-address", 0, 1000000, &c.maxConnectionsPerAddress); !r)
        return r.error();
    if (auto r = bounded("tls-handshake-timeout", 1, 300, &c.tlsHandshakeTimeoutSeconds); !r)
        return r.error();
    if (auto r = bounded("header-timeout", 1, 300, &c.headerTimeoutSeconds); !r)
        return r.error();
    if (auto r = bounded("idle-timeout", 1, 3600, &c.idleTimeoutSeconds); !r)
        return r.error();
    if (auto r = bounded("body-stall-timeout", 1, 3600, &c.bodyStallTimeoutSeconds); !r)
        return r.error();
    if (auto r = bounded("max-header-bytes", 1024, 1048576, &c.maxHeaderBytes); !r)
        return r.error();
    c.instanceId = single("instance-id");
    if (!c.instanceId.isEmpty() && !isValidInstanceId(c.instanceId))
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("--instance-id must be 1 to 64 letters, digits, '.', '_' or '-', not '%1'")
                         .arg(c.instanceId));
    return c;
}

} // namespace Provisio

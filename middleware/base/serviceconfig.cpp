// SPDX-License-Identifier: Apache-2.0
#include "serviceconfig.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QSettings>
#include <QStandardPaths>
#include <QSysInfo>
#include <QUrl>

namespace Provisio {

QString ServiceConfig::databaseLocation() const
{
    return databaseUrl.isEmpty() ? QDir(dataDir).filePath(QStringLiteral("provisio.db")) : databaseUrl;
}

QString ServiceConfig::tlsDir() const
{
    return QDir(dataDir).filePath(QStringLiteral("tls"));
}

QString ServiceConfig::mailOutbox() const
{
    return mailOutboxDir.isEmpty() ? QDir(dataDir).filePath(QStringLiteral("outbox")) : mailOutboxDir;
}

QString ServiceConfig::mailFrom() const
{
    // A configuration built by hand (tests, tools) may have no host name.
    return smtpFrom.isEmpty()
               ? QStringLiteral("provisio@") + (serviceHost.isEmpty() ? QStringLiteral("localhost") : serviceHost)
               : smtpFrom;
}

QString ServiceConfig::serviceUrl() const
{
    if (!publicUrl.isEmpty())
        return publicUrl;
    return QStringLiteral("%1://%2:%3")
        .arg(plainHttp ? QStringLiteral("http") : QStringLiteral("https"),
             serviceHost.isEmpty() ? QStringLiteral("localhost") : serviceHost)
        .arg(listenPort);
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
    const auto port = parseInteger(QStringView(text).mid(colon + 1), 0, 65535);
    if (!port)
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("invalid port in '%1': %2").arg(text, port.error().message));
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
    return qMakePair(address, quint16(*port));
}

Result<QPair<QHostAddress, int>> parseTrustedProxy(const QString &text)
{
    const QString entry = text.trimmed();
    QPair<QHostAddress, int> range =
        entry.contains(QLatin1Char('/')) ? QHostAddress::parseSubnet(entry) : qMakePair(QHostAddress(entry), -1);
    if (range.first.isNull())
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("--trusted-proxy '%1' is not an IP address or CIDR range").arg(entry));
    // An IPv4 proxy reached over a dual-stack socket still matches.
    bool v4 = false;
    const quint32 ipv4 = range.first.toIPv4Address(&v4);
    if (v4)
        range.first = QHostAddress(ipv4);
    if (range.second < 0)
        range.second = range.first.protocol() == QAbstractSocket::IPv4Protocol ? 32 : 128;
    return range;
}

namespace {

using Kind = SettingSpec::Kind;
constexpr qint64 kSecond = 1000;

QString rangeText(const SettingSpec &s)
{
    if (s.kind == Kind::Integer)
        return QStringLiteral("%1..%2").arg(s.min).arg(s.max);
    return formatDuration(s.min) + QLatin1String("..") + formatDuration(s.max);
}

// Where a value came from, for error messages.
enum class Source { CommandLine, Environment, ConfigFile };

struct RawValue
{
    QStringList values;
    Source source;
};

QString describe(const SettingSpec &s, Source source)
{
    switch (source) {
    case Source::CommandLine:
        return QStringLiteral("--%1 (command line)").arg(s.optionName());
    case Source::Environment:
        return QStringLiteral("%1 (environment, for --%2)").arg(s.envName(), s.optionName());
    case Source::ConfigFile:
        return QStringLiteral("%1 (config file key, for --%1)").arg(s.optionName());
    }
    return s.optionName();
}

// Looks settings up in precedence order and parses them with the one parser.
class SettingReader
{
public:
    SettingReader(const QCommandLineParser &parser, const QSettings *file, SettingScope scope)
        : m_parser(parser), m_file(file), m_scope(scope)
    { }

    std::optional<RawValue> raw(const SettingSpec &s) const
    {
        const QString name = s.optionName();
        if (inScope(s) && m_parser.isSet(name)) {
            if (s.kind == Kind::Flag)
                return RawValue{{QStringLiteral("on")}, Source::CommandLine};
            return RawValue{m_parser.values(name), Source::CommandLine};
        }
        const QString env = qEnvironmentVariable(s.env);
        if (!env.isEmpty())
            return RawValue{s.kind == Kind::List ? env.split(QLatin1Char(','), Qt::SkipEmptyParts) : QStringList{env},
                            Source::Environment};
        if (m_file && m_file->contains(name)) {
            const QVariant v = m_file->value(name);
            return RawValue{v.userType() == QMetaType::QStringList ? v.toStringList() : QStringList{v.toString()},
                            Source::ConfigFile};
        }
        return std::nullopt;
    }

    const SettingSpec &spec(const char *name)
    {
        for (const SettingSpec &s : serviceSettings()) {
            if (qstrcmp(s.name, name) == 0) {
                m_read.insert(s.optionName());
                return s;
            }
        }
        qFatal("unknown setting %s", name);
    }

    QString text(const char *name)
    {
        const auto v = raw(spec(name));
        return v ? v->values.last() : QString();
    }

    // A secret: the value of `name`, or the contents of the file its
    // `name`-file twin names, never both. A value on the command line is
    // kept but warned about: every user of the machine sees it in ps.
    Result<QString> secret(const char *name, const char *fileName, QStringList *warnings)
    {
        const SettingSpec &s = spec(name);
        const SettingSpec &fileSpec = spec(fileName);
        const auto value = raw(s);
        const auto path = raw(fileSpec);
        if (value && path)
            return Error(ErrorCode::InvalidInput,
                         QStringLiteral("%1 and %2 both give the secret; use one")
                             .arg(describe(s, value->source), describe(fileSpec, path->source)));
        if (path) {
            QFile file(path->values.last());
            if (!file.open(QIODevice::ReadOnly))
                return invalid(fileSpec, *path,
                               Error(ErrorCode::InvalidInput,
                                     QStringLiteral("cannot read %1: %2").arg(file.fileName(), file.errorString())));
            // A secret is short; a huge file is a mistake, not a secret.
            const QString text = QString::fromUtf8(file.read(64 * 1024)).trimmed();
            if (text.isEmpty())
                return invalid(fileSpec, *path,
                               Error(ErrorCode::InvalidInput, QStringLiteral("%1 is empty").arg(file.fileName())));
            return text;
        }
        if (!value)
            return QString();
        if (value->source == Source::CommandLine)
            warnings->append(commandLineSecretWarning(s.optionName(), fileSpec.optionName(), s.envName()));
        return value->values.last();
    }

    static QString commandLineSecretWarning(const QString &option, const QString &fileOption, const QString &env)
    {
        return QStringLiteral("--%1 on the command line is visible to every user of this machine (ps); use --%2 or "
                              "%3 instead")
            .arg(option, fileOption, env);
    }

    QStringList list(const char *name)
    {
        const auto v = raw(spec(name));
        QStringList out;
        for (const QString &item : v ? v->values : QStringList())
            out << item.split(QLatin1Char(','), Qt::SkipEmptyParts);
        return out;
    }

    Result<bool> switchValue(const char *name)
    {
        const SettingSpec &s = spec(name);
        const auto v = raw(s);
        if (!v)
            return s.defaultValue != 0;
        auto parsed = parseSwitch(v->values.last());
        if (!parsed)
            return invalid(s, *v, parsed.error());
        return *parsed;
    }

    // Integer or Duration (milliseconds); nullopt when unset and the
    // default is 0 for "not given".
    Result<qint64> number(const char *name)
    {
        const SettingSpec &s = spec(name);
        const auto v = raw(s);
        if (!v)
            return s.defaultValue;
        auto parsed = s.kind == Kind::Duration ? parseDurationMs(v->values.last(), s.unit, s.min, s.max)
                                               : parseInteger(v->values.last(), s.min, s.max);
        if (!parsed)
            return invalid(s, *v, parsed.error());
        return *parsed;
    }

    Error invalid(const SettingSpec &s, const RawValue &v, const Error &why) const
    {
        return Error(ErrorCode::InvalidInput, QStringLiteral("invalid %1: %2").arg(describe(s, v.source), why.message));
    }

    // Every setting of the scope has been applied: a table entry that the
    // code forgot would otherwise be shown by --help and silently ignored.
    Result<void> checkAllRead() const
    {
        for (const SettingSpec &s : serviceSettings()) {
            if (inScope(s) && !m_read.contains(s.optionName()))
                return Error(ErrorCode::Internal, QStringLiteral("setting --%1 is not applied").arg(s.optionName()));
        }
        return {};
    }

private:
    bool inScope(const SettingSpec &s) const { return m_scope == SettingScope::Serve || s.offline; }

    const QCommandLineParser &m_parser;
    const QSettings *m_file;
    SettingScope m_scope;
    QSet<QString> m_read;
};

} // namespace

QString SettingSpec::helpText() const
{
    QString help = QString::fromLatin1(description);
    QString detail;
    switch (kind) {
    case Kind::Text:
    case Kind::List:
        if (defaultText)
            detail = QStringLiteral("default: %1").arg(QString::fromLatin1(defaultText));
        break;
    case Kind::Flag:
        detail = QStringLiteral("default: off; on/off in the environment and config file");
        break;
    case Kind::Switch:
        detail = QStringLiteral("default: %1").arg(defaultValue ? QStringLiteral("on") : QStringLiteral("off"));
        break;
    case Kind::Integer:
        detail = QStringLiteral("%1, default %2").arg(rangeText(*this)).arg(defaultValue);
        break;
    case Kind::Duration:
        detail = QStringLiteral("%1, default %2; a bare number is in %3")
                     .arg(rangeText(*this), defaultValue ? formatDuration(defaultValue) : QStringLiteral("not set"),
                          durationUnitName(unit));
        break;
    }
    if (!detail.isEmpty())
        help += QStringLiteral(" (") + detail + QLatin1Char(')');
    return help + QStringLiteral(" [env ") + envName() + QLatin1Char(']');
}

QString settingsHelp(SettingScope scope)
{
    // QCommandLineParser squeezes descriptions into a narrow column beside
    // the longest option; the settings get a block of their own instead:
    // the option and its environment name on one line, the wrapped
    // description below.
    QString out = QStringLiteral("Settings (command line > environment > config file > default):\n");
    for (const SettingSpec &s : serviceSettings()) {
        if (scope == SettingScope::Offline && !s.offline)
            continue;
        out += QStringLiteral("  --") + s.optionName();
        if (s.valueName)
            out += QStringLiteral(" <") + QString::fromLatin1(s.valueName) + QLatin1Char('>');
        out += QStringLiteral("  [env ") + s.envName() + QStringLiteral("]\n");
        QString line = QStringLiteral("     ");
        QString text = s.helpText();
        text.chop(s.envName().size() + 7); // " [env NAME]" is on the first line
        for (const QString &word : text.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
            if (line.size() + 1 + word.size() > 79 && line.size() > 5) {
                out += line + QLatin1Char('\n');
                line = QStringLiteral("     ");
            }
            line += QLatin1Char(' ') + word;
        }
        out += line + QLatin1Char('\n');
    }
    // Qt's own variable, not a setting of ours, but what an operator looks for.
    out += QStringLiteral("  QT_LOGGING_RULES (environment only)\n"
                          "      Qt logging filter; per-request debug lines are off unless it is set,\n"
                          "      e.g. QT_LOGGING_RULES=\"provisio.*.debug=true\".\n");
    return out;
}

void addServiceOptions(QCommandLineParser &parser, SettingScope scope)
{
    for (const SettingSpec &s : serviceSettings()) {
        if (scope == SettingScope::Offline && !s.offline)
            continue;
        QCommandLineOption opt(s.optionName(), s.helpText());
        if (s.valueName)
            opt.setValueName(QString::fromLatin1(s.valueName));
        opt.setFlags(QCommandLineOption::HiddenFromHelp); // listed by settingsHelp()
        parser.addOption(opt);
    }
    parser.setApplicationDescription(parser.applicationDescription() + QStringLiteral("\n\n") + settingsHelp(scope));
}

Result<ServiceConfig> serviceConfigFrom(const QCommandLineParser &parser, SettingScope scope)
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
    SettingReader r(parser, file.get(), scope);
    r.spec("config");

    ServiceConfig c;
    c.dataDir = r.text("data-dir");
    if (c.dataDir.isEmpty())
        c.dataDir = defaultDataDir();
    c.dataDir = QDir(c.dataDir).absolutePath();
    c.databaseUrl = r.text("database");
    auto databasePassword = r.secret("database-password", "database-password-file", &c.warnings);
    if (!databasePassword)
        return databasePassword.error();
    const bool postgres = c.databaseUrl.startsWith(QLatin1String("postgresql://")) ||
                          c.databaseUrl.startsWith(QLatin1String("postgres://"));
    if (!databasePassword->isEmpty()) {
        if (!postgres)
            return Error(ErrorCode::InvalidInput,
                         QStringLiteral("a database password goes with a postgresql:// --database"));
        QUrl url(c.databaseUrl);
        url.setPassword(*databasePassword);
        c.databaseUrl = url.toString();
    } else if (postgres && !QUrl(c.databaseUrl).password().isEmpty()) {
        if (const auto given = r.raw(r.spec("database")); given && given->source == Source::CommandLine)
            c.warnings << SettingReader::commandLineSecretWarning(
                QStringLiteral("database") + QStringLiteral(" with a password"),
                QStringLiteral("database-password-file"), QStringLiteral("PROVISIO_DATABASE_PASSWORD"));
    }
    c.serviceHost = r.text("service-host").toLower();
    if (c.serviceHost.isEmpty())
        c.serviceHost = QSysInfo::machineHostName().toLower();
    if (c.serviceHost.isEmpty())
        c.serviceHost = QStringLiteral("localhost");
    {
        static const QRegularExpression hostName(
            QStringLiteral("^[a-z0-9]([a-z0-9-]{0,62})(\\.[a-z0-9]([a-z0-9-]{0,62}))*$"));
        if (c.serviceHost.size() > 253 || !hostName.match(c.serviceHost).hasMatch())
            return Error(ErrorCode::InvalidInput,
                         QStringLiteral("--service-host must be a DNS host name, not '%1'").arg(c.serviceHost));
    }
    if (scope == SettingScope::Offline) {
        if (auto all = r.checkAllRead(); !all)
            return all.error();
        return c;
    }

    if (const auto listen = r.raw(r.spec("listen"))) {
        auto parsed = parseListenAddress(listen->values.last());
        if (!parsed)
            return r.invalid(r.spec("listen"), *listen, parsed.error());
        c.listenAddress = parsed->first;
        c.listenPort = parsed->second;
    }
    if (const auto mqtt = r.raw(r.spec("dps-mqtt-listen"))) {
        auto parsed = parseListenAddress(mqtt->values.last());
        if (!parsed)
            return r.invalid(r.spec("dps-mqtt-listen"), *mqtt, parsed.error());
        c.dpsMqttEnabled = true;
        c.dpsMqttAddress = parsed->first;
        c.dpsMqttPort = parsed->second;
    }
    c.tlsCertPath = r.text("tls-cert");
    c.tlsKeyPath = r.text("tls-key");
    if (c.tlsCertPath.isEmpty() != c.tlsKeyPath.isEmpty())
        return Error(ErrorCode::InvalidInput, QStringLiteral("--tls-cert and --tls-key go together"));
    c.tlsNames = r.list("tls-name");
    c.instanceId = r.text("instance-id");
    if (!c.instanceId.isEmpty() && !isValidInstanceId(c.instanceId))
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("--instance-id must be 1 to 64 letters, digits, '.', '_' or '-', not '%1'")
                         .arg(c.instanceId));
    auto webhookAuthorization = r.secret("webhook-authorization", "webhook-authorization-file", &c.warnings);
    if (!webhookAuthorization)
        return webhookAuthorization.error();
    c.webhookAuthorization = *webhookAuthorization;
    c.smtpUrl = r.text("smtp-url");
    if (!c.smtpUrl.isEmpty()) {
        const QUrl url(c.smtpUrl, QUrl::StrictMode);
        if (!url.isValid() || (url.scheme() != QLatin1String("smtp") && url.scheme() != QLatin1String("smtps")) ||
            url.host().isEmpty() || (url.path() != QLatin1String("") && url.path() != QLatin1String("/")) ||
            url.hasQuery() || url.hasFragment())
            return Error(ErrorCode::InvalidInput,
                         QStringLiteral("--smtp-url must be smtp://host[:port] or smtps://host[:port]"));
        // Credentials in a URL end up in ps, logs and shell history.
        if (!url.userInfo().isEmpty())
            return Error(ErrorCode::InvalidInput,
                         QStringLiteral("--smtp-url must not hold credentials; give them with --smtp-user and "
                                        "--smtp-password-file (or PROVISIO_SMTP_USER and PROVISIO_SMTP_PASSWORD)"));
    }
    c.smtpCaFile = r.text("smtp-ca-file");
    if (!c.smtpCaFile.isEmpty() && !QFile::exists(c.smtpCaFile))
        return Error(ErrorCode::InvalidInput, QStringLiteral("--smtp-ca-file %1 does not exist").arg(c.smtpCaFile));
    c.smtpFrom = r.text("smtp-from");
    c.smtpUser = r.text("smtp-user");
    auto smtpPassword = r.secret("smtp-password", "smtp-password-file", &c.warnings);
    if (!smtpPassword)
        return smtpPassword.error();
    c.smtpPassword = *smtpPassword;
    if (c.smtpPassword.isEmpty() != c.smtpUser.isEmpty())
        return Error(ErrorCode::InvalidInput, QStringLiteral("--smtp-user and an SMTP password go together"));
    c.mailOutboxDir = r.text("mail-outbox");
    c.publicUrl = r.text("public-url");
    if (!c.publicUrl.isEmpty()) {
        const QUrl url(c.publicUrl, QUrl::StrictMode);
        if (!url.isValid() || (url.scheme() != QLatin1String("https") && url.scheme() != QLatin1String("http")) ||
            url.host().isEmpty() || !url.userInfo().isEmpty())
            return Error(ErrorCode::InvalidInput, QStringLiteral("--public-url must be https://host[:port]"));
    }
    c.webhookAllowedHosts = r.list("webhook-allowed-hosts");
    for (const QString &entry : r.list("trusted-proxy")) {
        auto proxy = parseTrustedProxy(entry);
        if (!proxy)
            return proxy.error();
        c.trustedProxies.append(*proxy);
    }

    // Every typed setting: the first bad one stops the start.
    const auto toBool = [&](const char *name, bool *out) -> Result<void> {
        auto v = r.switchValue(name);
        if (!v)
            return v.error();
        *out = *v;
        return {};
    };
    const auto toInt = [&](const char *name, qint64 divisor, auto *out) -> Result<void> {
        auto v = r.number(name);
        if (!v)
            return v.error();
        *out = std::remove_pointer_t<decltype(out)>(*v / divisor);
        return {};
    };
    qint64 ttlMs = 0;
    qint64 ttlSecondsMs = 0;
    for (const Result<void> &step : {
             toBool("plain-http-behind-proxy", &c.plainHttp),
             toBool("log-json", &c.logJson),
             toInt("activation-ttl-hours", 1, &ttlMs),
             toInt("activation-ttl-seconds", 1, &ttlSecondsMs),
             toInt("activation-attempts-per-serial", 1, &c.activationAttemptsPerSerial),
             toInt("activation-free-attempts", 1, &c.activationFreeAttempts),
             toInt("activation-max-backoff", kSecond, &c.activationMaxBackoffSeconds),
             toInt("activation-attempts-per-client", 1, &c.activationAttemptsPerClient),
             toInt("registration-retry-after", kSecond, &c.registrationRetryAfterSeconds),
             toInt("sas-clock-skew", kSecond, &c.sasClockSkewSeconds),
             toInt("max-sas-lifetime", kSecond, &c.maxSasLifetimeSeconds),
             toInt("max-service-sas-lifetime", kSecond, &c.maxServiceSasLifetimeSeconds),
             toInt("dps-failures-per-address", 1, &c.dpsFailuresPerAddress),
             toInt("dps-failures-per-registration", 1, &c.dpsFailuresPerRegistration),
             toInt("dps-mqtt-max-connections", 1, &c.dpsMqttMaxConnections),
             toInt("dps-mqtt-max-packet-bytes", 1, &c.dpsMqttMaxPacketBytes),
             toInt("dps-mqtt-connect-timeout", kSecond, &c.dpsMqttConnectTimeoutSeconds),
             toInt("dps-mqtt-max-keep-alive", kSecond, &c.dpsMqttMaxKeepAliveSeconds),
             toInt("dps-mqtt-requests-per-minute", 1, &c.dpsMqttRequestsPerMinute),
             toInt("max-connections", 1, &c.maxConnections),
             toInt("max-connections-per-address", 1, &c.maxConnectionsPerAddress),
             toInt("tls-handshake-timeout", kSecond, &c.tlsHandshakeTimeoutSeconds),
             toInt("header-timeout", kSecond, &c.headerTimeoutSeconds),
             toInt("idle-timeout", kSecond, &c.idleTimeoutSeconds),
             toInt("body-stall-timeout", kSecond, &c.bodyStallTimeoutSeconds),
             toInt("max-header-bytes", 1, &c.maxHeaderBytes),
             toInt("http-threads", 1, &c.httpThreads),
             toBool("webhook-allow-http", &c.webhookAllowHttp),
             toBool("webhook-allow-private-networks", &c.webhookAllowPrivateNetworks),
             toInt("webhook-initial-backoff", 1, &c.webhookInitialBackoffMs),
             toInt("webhook-max-attempts", 1, &c.webhookMaxAttempts),
             toBool("hub-link", &c.hubLinkEnabled),
             toInt("hub-token-lifetime", kSecond, &c.hubTokenLifetimeSeconds),
             toInt("hub-keep-alive", kSecond, &c.hubKeepAliveSeconds),
             toInt("hub-lease", kSecond, &c.hubLeaseSeconds),
             toInt("hub-key-overlap", kSecond, &c.hubKeyOverlapSeconds),
             toInt("telemetry-keep", 1, &c.telemetryKeep),
             toInt("telemetry-days", 1, &c.telemetryDays),
             toInt("telemetry-prune-interval", 1, &c.telemetryPruneMs),
             toInt("telemetry-max-devices", 1, &c.telemetryMaxDevices),
             toInt("telemetry-events-per-second", 1, &c.telemetryEventsPerSecond),
             toInt("audit-days", 1, &c.auditDays),
             toInt("audit-prune-interval", kSecond, &c.auditPruneSeconds),
             toInt("retention-batch", 1, &c.retentionBatchRows),
             toInt("retention-pause", 1, &c.retentionPauseMs),
             toInt("smtp-timeout", kSecond, &c.smtpTimeoutSeconds),
             toInt("mail-initial-backoff", 1, &c.mailInitialBackoffMs),
             toInt("mail-max-backoff", 1, &c.mailMaxBackoffMs),
             toInt("mail-max-attempts", 1, &c.mailMaxAttempts),
             toInt("mail-queue-limit", 1, &c.mailQueueLimit),
             toInt("batch-job-max-running", 1, &c.batchJobMaxRunning),
             toInt("batch-job-max-devices", 1, &c.batchJobMaxDevices),
             toInt("batch-job-chunk", 1, &c.batchJobChunk),
             toInt("batch-job-lease", kSecond, &c.batchJobLeaseSeconds),
         }) {
        if (!step)
            return step.error();
    }
    // Behind a proxy every client has the proxy's address: no per-address
    // cap unless one is asked for.
    if (c.plainHttp && !r.raw(r.spec("max-connections-per-address")))
        c.maxConnectionsPerAddress = 0;
    // Whole seconds: codes expire on a seconds clock.
    c.activationCodeTtlSeconds = std::max<qint64>(1, (ttlSecondsMs ? ttlSecondsMs : ttlMs) / kSecond);
    if (auto all = r.checkAllRead(); !all)
        return all.error();
    return c;
}

} // namespace Provisio

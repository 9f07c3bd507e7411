// SPDX-License-Identifier: Apache-2.0
#include "hubconfig.h"
#include "service.h"

#include "crypto/certificateauthority.h"
#include "crypto/keys.h"
#include "protocol/hub.h"
#include "storage/hubstore.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTextStream>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace Provisio {

namespace {

#ifdef PROVISIO_HUB_PLUGIN_PATH
const char kDefaultPluginPath[] = PROVISIO_HUB_PLUGIN_PATH;
#else
const char kDefaultPluginPath[] = "";
#endif

// Defaults for the broker's limits.
// Back-pressure (docs/architecture.md "Back-pressure"): the plugin admits
// device messages only while what the middleware has not yet confirmed
// stays within this window, so the broker holds about that much for the
// middleware's sessions (twice it just after a broker restart). The
// broker's own per-client limit can only drop messages the hub has already
// acknowledged to a device, so it is a backstop far above the window, by
// count only. (Not 0, "no limit": Mosquitto 2.0.11 then ends an MQTT 5
// device's connection after every refused publish.)
constexpr qint64 kCreditWindowMessages = 50000;
constexpr qint64 kMaxQueuedMessages = 20 * kCreditWindowMessages;
constexpr qint64 kCreditWindowBytes = 32 * 1024 * 1024;
constexpr qint64 kCreditAbandonedSeconds = 120;
// Devices wait at most this long for a reconnected middleware session to
// subscribe its shared filters again (Mosquitto 2.0.11 drops them).
constexpr qint64 kCreditResubscribeSeconds = 120;
// Per device (token buckets): reported-property and presence writes.
constexpr int kReportedBurst = 10;
constexpr int kReportedPerMinute = 60;
constexpr int kPresenceBurst = 4;
constexpr int kPresencePerMinute = 6;
// Unacknowledged QoS 1 messages the broker sends one client at a time. The
// middleware's link acknowledges telemetry only once its batch is committed,
// so this is the largest batch one hub session can hand it per commit: 20
// (Mosquitto's default) made every commit store at most 20 messages, and
// 1,000 left the middleware's writer thread and event loop waiting for the
// hub between commits. Memory stays bounded by the plugin's credit window
// (messages and bytes), which is smaller for large messages.
constexpr int kMaxInflightMessages = 10000;
constexpr int kMessageSizeLimit = 256 * 1024; // Azure IoT Hub's device-to-cloud limit

Error invalid(const QString &message)
{
    return Error(ErrorCode::InvalidInput, message);
}

// Writes `data` to `path` through a temporary file in the same directory
// that is created with `mode` from the start (the config holds a key, so it
// must never exist world-readable, not even for a moment), synced and
// renamed over the target.
Result<void> writeFileAtomically(const QString &path, const QByteArray &data, mode_t mode)
{
    const QByteArray target = QFile::encodeName(path);
    QByteArray temp = target + ".tmp-XXXXXX";
    const int fd = mkstemp(temp.data()); // 0600
    if (fd < 0)
        return Error(
            ErrorCode::Unavailable,
            QStringLiteral("cannot create a file next to %1: %2").arg(path, QString::fromLocal8Bit(strerror(errno))));
    bool ok = fchmod(fd, mode) == 0;
    qsizetype written = 0;
    while (ok && written < data.size()) {
        const ssize_t n = ::write(fd, data.constData() + written, size_t(data.size() - written));
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0;
        if (ok)
            written += n;
    }
    ok = ok && fsync(fd) == 0;
    const int savedErrno = errno;
    ok = (::close(fd) == 0) && ok;
    if (!ok || ::rename(temp.constData(), target.constData()) != 0) {
        const int e = ok ? errno : savedErrno;
        ::unlink(temp.constData());
        return Error(ErrorCode::Unavailable,
                     QStringLiteral("cannot write %1: %2").arg(path, QString::fromLocal8Bit(strerror(e))));
    }
    return {};
}

QString currentUserName()
{
    if (const passwd *pw = getpwuid(geteuid()))
        return QString::fromLocal8Bit(pw->pw_name);
    return QString::number(geteuid());
}

// Gives the files to the account Mosquitto will run as (only needed, and
// only possible, when that is not us).
Result<void> handOver(const QStringList &paths, const QString &user)
{
    if (user == currentUserName())
        return {};
    const passwd *pw = getpwnam(QFile::encodeName(user).constData());
    if (!pw)
        return invalid(QStringLiteral("--user %1: no such account").arg(user));
    for (const QString &p : paths) {
        if (::chown(QFile::encodeName(p).constData(), pw->pw_uid, pw->pw_gid) != 0)
            return Error(ErrorCode::Unavailable,
                         QStringLiteral("cannot give %1 to %2 (%3); run as root or leave out --user")
                             .arg(p, user, QString::fromLocal8Bit(strerror(errno))));
    }
    return {};
}

// The host part of "host:port" / "[v6]:port".
QString endpointHost(const QString &endpoint)
{
    const qsizetype colon = endpoint.lastIndexOf(QLatin1Char(':'));
    QString host = colon > 0 ? endpoint.left(colon) : endpoint;
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    return host;
}

bool isWildcard(const QHostAddress &a)
{
    return a == QHostAddress::Any || a == QHostAddress::AnyIPv4 || a == QHostAddress::AnyIPv6;
}

// mosquitto.conf takes values to the end of the line; a newline would let a
// value smuggle in another directive.
Result<void> checkConfValue(const QString &what, const QString &value)
{
    if (value.contains(QLatin1Char('\n')) || value.contains(QLatin1Char('\r')) || value.trimmed() != value)
        return invalid(QStringLiteral("%1 '%2' cannot be written into mosquitto.conf").arg(what, value));
    return {};
}

} // namespace

Result<HubConfigFiles> writeHubConfig(const HubConfigRequest &request)
{
    if (request.outDir.isEmpty())
        return invalid(QStringLiteral("--out is required"));
    if (request.pluginPath.isEmpty())
        return invalid(QStringLiteral("the plugin path is unknown: pass --plugin PATH/provisio-mosquitto-plugin.so"));
    if (!QFileInfo(request.pluginPath).isFile())
        return invalid(QStringLiteral("plugin %1 does not exist (build provisio-mosquitto-plugin or pass --plugin)")
                           .arg(request.pluginPath));

    auto stores = openOfflineStores(request.service);
    if (!stores)
        return stores.error();
    auto found = (*stores)->hubs->find(request.hubName);
    if (!found)
        return found.error();
    if (!found->has_value())
        return Error(
            ErrorCode::NotFound,
            QStringLiteral("no hub named '%1' is linked (link it with PUT /api/v1/hubs/%1)").arg(request.hubName));
    const Hub hub = **found;
    if (!Crypto::decodeKey(hub.signingKey))
        return invalid(QStringLiteral("hub '%1' has no valid signing key").arg(hub.name));
    const auto serviceKey = hubServicePolicyKey(hub.signingKey);
    if (!serviceKey)
        return serviceKey.error();

    HubConfigFiles files;
    const QDir out(QDir(request.outDir).absolutePath());
    files.hubName = hub.name;
    files.hubHost = hub.host;
    files.dialEndpoint = hub.dialEndpoint();
    files.confPath = out.filePath(QStringLiteral("mosquitto.conf"));
    files.caPath = out.filePath(QStringLiteral("ca.crt"));
    files.certPath = out.filePath(QStringLiteral("hub.crt"));
    files.keyPath = out.filePath(QStringLiteral("hub.key"));
    files.revocationPath = out.filePath(QStringLiteral("revoked-devices.json"));
    files.signingKeysPath = out.filePath(QStringLiteral("signing-keys.json"));
    files.persistenceDir = out.filePath(QStringLiteral("data")) + QLatin1Char('/');
    files.pluginPath = QFileInfo(request.pluginPath).absoluteFilePath();
    for (const QString &p : {out.path(), files.pluginPath, request.user}) {
        if (auto r = checkConfValue(QStringLiteral("value"), p); !r)
            return r.error();
    }

    if (!QDir().mkpath(out.path()) || !QDir().mkpath(files.persistenceDir))
        return Error(ErrorCode::Unavailable, QStringLiteral("cannot create %1").arg(files.persistenceDir));
    // Owner only: the directory holds the hub's key and its persisted messages.
    QFile::setPermissions(out.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    QFile::setPermissions(files.persistenceDir,
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);

    // TLS: the middleware's CA signs the hub's certificate, so devices that
    // trust the CA from their registration payload trust the hub.
    auto ca = CertificateAuthority::loadOrCreate(request.service.tlsDir());
    if (!ca)
        return ca.error();
    if (auto r = writeFileAtomically(files.caPath, ca->caCertificatePem(), 0644); !r)
        return r.error();
    QStringList dnsNames{hub.host};
    QStringList ipAddresses;
    const QString dialHost = endpointHost(files.dialEndpoint);
    if (QHostAddress(dialHost).isNull()) {
        if (!dnsNames.contains(dialHost, Qt::CaseInsensitive))
            dnsNames << dialHost;
    } else {
        ipAddresses << QHostAddress(dialHost).toString();
    }
    if (!isWildcard(request.listenAddress)) {
        const QString ip = request.listenAddress.toString();
        if (!ipAddresses.contains(ip))
            ipAddresses << ip;
        if (request.listenAddress.isLoopback() && !dnsNames.contains(QStringLiteral("localhost")))
            dnsNames << QStringLiteral("localhost");
    }
    if (auto r = ca->issueServerCertificate(files.certPath, files.keyPath, hub.host, dnsNames, ipAddresses); !r)
        return r.error();
    files.certificateNames = dnsNames + ipAddresses;

    QString listener = QStringLiteral("listener %1").arg(request.listenPort);
    if (!isWildcard(request.listenAddress))
        listener += QLatin1Char(' ') + request.listenAddress.toString();

    QString conf;
    QTextStream s(&conf);
    s << "# Generated by provisio-middleware hub-config on " << QDateTime::currentDateTimeUtc().toString(Qt::ISODate)
      << "\n"
      << "# Hub '" << hub.name << "': devices use host " << hub.host << " in their tokens and dial "
      << files.dialEndpoint << ".\n"
      << "# This file holds the hub's signing key and service key: keep it 0600.\n"
      << "# Run: mosquitto -c " << files.confPath << "\n"
      << "\n"
      << "per_listener_settings false\n"
      << "allow_anonymous false\n"
      << "user " << request.user << "\n"
      << "\n"
      << "persistence true\n"
      << "persistence_location " << files.persistenceDir << "\n"
      << "autosave_interval 300\n"
      << "\n"
      << "# Limits: Azure's QoS ceiling and device-to-cloud message size.\n"
      << "# Per-client queues: past these Mosquitto drops messages it has already\n"
      << "# acknowledged to devices. What it queues for the middleware is bounded\n"
      << "# by the plugin's credit window (plugin_opt_credit_*) long before this\n"
      << "# backstop; devices only receive what the middleware sends them.\n"
      << "max_queued_messages " << kMaxQueuedMessages << "\n"
      << "max_queued_bytes 0\n"
      << "# Devices may not leave retained messages except their presence\n"
      << "# (the plugin refuses the rest; the broker option would also refuse\n"
      << "# the middleware's retained desired properties).\n"
      << "# A middleware instance retired for good would otherwise keep its\n"
      << "# share of the messages queued forever.\n"
      << "persistent_client_expiration 2d\n"
      << "max_inflight_messages " << kMaxInflightMessages << "\n"
      << "message_size_limit " << kMessageSizeLimit << "\n"
      << "# Whole packets (topic, properties, payload) a little above that; larger\n"
      << "# ones end the connection instead of being read into memory.\n"
      << "max_packet_size " << kMessageSizeLimit + 16 * 1024 << "\n"
      << "set_tcp_nodelay true\n"
      << "\n"
      << "log_dest stderr\n"
      << "log_type error\n"
      << "log_type warning\n"
      << "log_type notice\n"
      << "log_type information\n"
      << "connection_messages true\n"
      << "\n"
      << "# TLS only; clients authenticate with SAS tokens, not certificates.\n"
      << listener << "\n"
      << "protocol mqtt\n"
      // A listener setting in Mosquitto 2.0.11: written above the first
      // `listener` it would open a second, plain-TCP default listener on 1883.
      << "max_qos 1\n"
      << "cafile " << files.caPath << "\n"
      << "certfile " << files.certPath << "\n"
      << "keyfile " << files.keyPath << "\n"
      << "require_certificate false\n"
      << "# tls_version left unset: Mosquitto then accepts TLS 1.2 and 1.3.\n"
      << "\n"
      << "# provisio_auth: devices authenticate with SAS tokens signed with\n"
      << "# deriveKey(signing_key, deviceId); the middleware with service_policy,\n"
      << "# whose key is deriveKey(signing_key, \"" << hubServicePolicyDerivationId() << "\").\n"
      << "plugin " << files.pluginPath << "\n"
      << "plugin_opt_hub_host " << hub.host << "\n"
      << "plugin_opt_signing_key " << hub.signingKey << "\n"
      << "plugin_opt_service_policy " << hubServicePolicyName() << "\n"
      << "plugin_opt_service_key " << *serviceKey << "\n"
      << "plugin_opt_revocation_file " << files.revocationPath << "\n"
      << "# Keys a rotation (POST /api/v1/hubs/{name}/rotate-key) installed over the control\n"
      << "# channel; they replace the two keys above while they descend from them.\n"
      << "plugin_opt_key_file " << files.signingKeysPath << "\n"
      << "plugin_opt_max_token_lifetime " << request.maxTokenLifetime << "\n"
      << "plugin_opt_clock_skew " << request.clockSkew << "\n"
      << "# After a broker start, devices wait (at most this long) until the\n"
      << "# middleware has subscribed again, so nothing they send reaches nobody.\n"
      << "plugin_opt_device_gate_seconds " << request.deviceGateSeconds << "\n"
      << "# Back-pressure: devices are held back (disconnected before their\n"
      << "# message is acknowledged) while the middleware has not confirmed this\n"
      << "# many messages / bytes; a middleware session away this long while\n"
      << "# another is connected no longer counts.\n"
      << "plugin_opt_credit_window_messages " << kCreditWindowMessages << "\n"
      << "plugin_opt_credit_window_bytes " << kCreditWindowBytes << "\n"
      << "plugin_opt_credit_abandoned_seconds " << kCreditAbandonedSeconds << "\n"
      << "plugin_opt_credit_resubscribe_seconds " << kCreditResubscribeSeconds << "\n"
      << "# Per device: reported-property and presence writes (burst, then per minute).\n"
      << "plugin_opt_reported_burst " << kReportedBurst << "\n"
      << "plugin_opt_reported_per_minute " << kReportedPerMinute << "\n"
      << "plugin_opt_presence_burst " << kPresenceBurst << "\n"
      << "plugin_opt_presence_per_minute " << kPresencePerMinute << "\n";
    s.flush();
    if (auto r = writeFileAtomically(files.confPath, conf.toUtf8(), 0600); !r)
        return r.error();

    if (auto r =
            handOver({out.path(), files.persistenceDir, files.confPath, files.caPath, files.certPath, files.keyPath},
                     request.user);
        !r) {
        return r.error();
    }
    for (const QString &path : {files.revocationPath, files.signingKeysPath}) {
        if (QFileInfo::exists(path)) {
            if (auto r = handOver({path}, request.user); !r)
                return r.error();
        }
    }
    return files;
}

int hubConfigCommand(QCommandLineParser &parser, const QStringList &arguments)
{
    QTextStream err(stderr);
    const auto fail = [&err](const QString &message) {
        err << "provisio-middleware hub-config: " << message << Qt::endl;
        return 1;
    };
    addServiceOptions(parser, SettingScope::Offline); // --config, --data-dir, --database
    parser.addPositionalArgument(QStringLiteral("hub-config"),
                                 QStringLiteral("Write a Mosquitto configuration for a linked hub."));
    parser.addOption({QStringLiteral("hub"), QStringLiteral("Name of the linked hub."), QStringLiteral("name")});
    parser.addOption({QStringLiteral("listen"),
                      QStringLiteral("Address the hub listens on for devices and the middleware, HOST:PORT."),
                      QStringLiteral("host:port")});
    parser.addOption({QStringLiteral("out"), QStringLiteral("Directory to write mosquitto.conf and its files to."),
                      QStringLiteral("dir")});
    parser.addOption({QStringLiteral("plugin"),
                      QStringLiteral("Path of provisio-mosquitto-plugin.so (default: %1).")
                          .arg(QString::fromUtf8(kDefaultPluginPath)),
                      QStringLiteral("path")});
    parser.addOption({QStringLiteral("max-token-lifetime"),
                      QStringLiteral("Longest validity a device or service token may have (1s..3650d, default 1d; "
                                     "a bare number is in seconds)."),
                      QStringLiteral("duration"), QStringLiteral("86400")});
    parser.addOption({QStringLiteral("clock-skew"),
                      QStringLiteral("Clock difference tolerated on token expiry (0s..1h, default 5m; a bare number "
                                     "is in seconds)."),
                      QStringLiteral("duration"), QStringLiteral("300")});
    parser.addOption({QStringLiteral("device-gate-seconds"),
                      QStringLiteral("After the broker starts, devices wait at most this long for the middleware "
                                     "to subscribe again, so nothing they send reaches nobody; 0 turns it off "
                                     "(0s..1h, default 30s; a bare number is in seconds)."),
                      QStringLiteral("duration"), QStringLiteral("30")});
    parser.addOption({QStringLiteral("user"),
                      QStringLiteral("Account Mosquitto runs as when started as root; the files are given to it "
                                     "(default: the current user)."),
                      QStringLiteral("name")});
    parser.process(arguments);

    for (const char *required : {"hub", "out", "listen"}) {
        if (!parser.isSet(QString::fromLatin1(required)))
            return fail(QStringLiteral("--%1 is required").arg(QString::fromLatin1(required)));
    }
    auto service = serviceConfigFrom(parser, SettingScope::Offline);
    if (!service)
        return fail(service.error().message);
    for (const QString &warning : service->warnings)
        err << "provisio-middleware: warning: " << warning << Qt::endl;
    auto listen = parseListenAddress(parser.value(QStringLiteral("listen")));
    if (!listen)
        return fail(listen.error().message);
    if (listen->second == 0)
        return fail(QStringLiteral("--listen needs a port other than 0"));

    HubConfigRequest request;
    request.service = *service;
    request.hubName = parser.value(QStringLiteral("hub"));
    request.listenAddress = listen->first;
    request.listenPort = listen->second;
    request.outDir = parser.value(QStringLiteral("out"));
    request.pluginPath = parser.isSet(QStringLiteral("plugin")) ? parser.value(QStringLiteral("plugin"))
                                                                : QString::fromUtf8(kDefaultPluginPath);
    request.user = parser.isSet(QStringLiteral("user")) ? parser.value(QStringLiteral("user")) : currentUserName();
    // Whole seconds, as the hub's plugin takes them.
    constexpr qint64 second = 1000;
    const struct
    {
        const char *option;
        qint64 maxMs;
        qint64 minMs;
        qint64 *seconds;
    } durations[] = {
        {"max-token-lifetime", 3650LL * 24 * 3600 * second, second, &request.maxTokenLifetime},
        {"clock-skew", 3600 * second, 0, &request.clockSkew},
        {"device-gate-seconds", 3600 * second, 0, &request.deviceGateSeconds},
    };
    for (const auto &d : durations) {
        const QString name = QString::fromLatin1(d.option);
        const auto ms = parseDurationMs(parser.value(name), DurationUnit::Seconds, d.minMs, d.maxMs);
        if (!ms)
            return fail(QStringLiteral("invalid --%1 (command line): %2").arg(name, ms.error().message));
        *d.seconds = *ms / second;
    }

    auto files = writeHubConfig(request);
    if (!files)
        return fail(files.error().message);

    // A summary for the operator; no keys.
    err << "hub-config: hub '" << files->hubName << "' (token host " << files->hubHost << ", devices dial "
        << files->dialEndpoint << ")\n"
        << "  listen          " << parser.value(QStringLiteral("listen")) << " (TLS)\n"
        << "  certificate     " << files->certPath << " for " << files->certificateNames.join(QStringLiteral(", "))
        << "\n"
        << "  config          " << files->confPath << " (0600: holds the hub keys)\n"
        << "  revocation list " << files->revocationPath << "\n"
        << "  rotated keys    " << files->signingKeysPath << "\n"
        << "  persistence     " << files->persistenceDir << "\n"
        << "  plugin          " << files->pluginPath << "\n"
        << "  service login   username " << hubServiceUsername(files->hubHost)
        << ", SAS token with skn=" << hubServicePolicyName() << "\n"
        << "run: mosquitto -c " << files->confPath << Qt::endl;
    return 0;
}

} // namespace Provisio

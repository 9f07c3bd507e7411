// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"
#include "settingvalue.h"

#include <QHostAddress>
#include <QString>
#include <QStringList>

class QCommandLineParser;

namespace Provisio {

// Everything `provisio-middleware serve` can be told. Each setting comes from
// the command line, else the environment (PROVISIO_*), else the config file
// (`--config`, INI, key = option name), else the default. The table behind
// serviceSettings() declares them all once: options, environment names, INI
// keys, defaults and `--help` come from it. The member defaults here are the
// table's (a test checks that they agree).
struct ServiceConfig
{
    QString dataDir;
    QHostAddress listenAddress = QHostAddress::Any;
    quint16 listenPort = 8443;
    QString databaseUrl; // empty: SQLite file in the data directory; holds the password when one is given apart
    QString tlsCertPath; // empty: the middleware's own CA issues one
    QString tlsKeyPath;
    QStringList tlsNames;   // extra DNS names / IPs for the own certificate
    bool plainHttp = false; // only behind a TLS-terminating proxy
    bool logJson = false;
    qint64 activationCodeTtlSeconds = 30 * 24 * 3600;
    // Activation limits (ActivationLimits): failed attempts per serial from
    // all clients together per 24 hours (a ceiling no guesser gets near);
    // failures per serial and client before that pair backs off, doubling
    // from 2 s up to the longest backoff; attempts per client address per
    // 15 minutes, whatever the serial.
    int activationAttemptsPerSerial = 10000;
    int activationFreeAttempts = 5;
    int activationMaxBackoffSeconds = 3600;
    int activationAttemptsPerClient = 20;
    // Proxies whose X-Forwarded-For / Forwarded headers name the client
    // (address, prefix length); requests from anywhere else are taken from
    // their own address and those headers are ignored.
    QList<QPair<QHostAddress, int>> trustedProxies;
    int registrationRetryAfterSeconds = 2; // Retry-After while assigning
    int sasClockSkewSeconds = 300;
    // Longest validity a device's DPS SAS token may claim (as the hub's
    // max_token_lifetime); a token valid until the year 3000 is refused.
    int maxSasLifetimeSeconds = 86400;
    // The provisioning service's host name for Azure's service SDKs (the
    // connection strings' HostName, what a ServiceSAS sr names) and the
    // longest validity such a token may claim.
    QString serviceHost;
    int maxServiceSasLifetimeSeconds = 86400;
    // Failed device authentications (bad or expired SAS tokens, unknown
    // registration ids) allowed per client address and per registration id
    // within a minute; then 429 with Retry-After. Successes never count.
    int dpsFailuresPerAddress = 60;
    int dpsFailuresPerRegistration = 20;
    // DPS over MQTT (MqttServerLimits): off unless an address is given.
    bool dpsMqttEnabled = false;
    QHostAddress dpsMqttAddress;
    quint16 dpsMqttPort = 0;
    int dpsMqttMaxConnections = 1000;
    int dpsMqttMaxPacketBytes = 65536;
    int dpsMqttConnectTimeoutSeconds = 10;
    int dpsMqttMaxKeepAliveSeconds = 300;
    int dpsMqttRequestsPerMinute = 60;
    // The front door (FrontDoor::Limits): connection caps, timeouts, sizes.
    int maxConnections = 10000;
    int maxConnectionsPerAddress = 256; // 0: off (the default behind a proxy)
    int tlsHandshakeTimeoutSeconds = 10;
    int headerTimeoutSeconds = 10;
    int idleTimeoutSeconds = 60;
    int bodyStallTimeoutSeconds = 30;
    int maxHeaderBytes = 16 * 1024;
    int httpThreads = 0;                      // 0: automatic (see Service::listen), 1: on the event-loop thread
    QString webhookAuthorization;             // deprecated: sent to allow-listed allocation webhooks
    QStringList webhookAllowedHosts;          // see WebhookTarget; empty: no webhook can be set
    bool webhookAllowHttp = false;            // webhooks to plain http://
    bool webhookAllowPrivateNetworks = false; // webhooks to non-public addresses
    int webhookInitialBackoffMs = 1000;
    int webhookMaxAttempts = 10;
    bool hubLinkEnabled = true;
    qint64 hubTokenLifetimeSeconds = 3600;
    int hubKeepAliveSeconds = 30;        // MQTT keep-alive of the hub link
    int hubLeaseSeconds = 30;            // hub-link lease (failover of a dead instance)
    qint64 hubKeyOverlapSeconds = 86400; // a hub signing-key rotation's default overlap
    int telemetryKeep = 1000;            // stored telemetry messages per device
    int telemetryDays = 7;               // stored telemetry older than this is deleted
    int telemetryPruneMs = 60000;        // how often retention runs
    int telemetryMaxDevices = 10000;     // the hub link's per-device caches
    int telemetryEventsPerSecond = 5;    // per device, for the live feed
    int auditDays = 0;                   // audit entries older than this are deleted (0: never)
    int auditPruneSeconds = 3600;        // how often audit retention runs
    int retentionBatchRows = 1000;       // rows per retention delete statement
    int retentionPauseMs = 100;          // least rest between retention deletes
    // Activation cards by e-mail (MailDispatcher). No SMTP URL: mails are
    // written as .eml files to the outbox directory instead.
    QString smtpUrl;      // smtp://host[:port] (STARTTLS when offered) or smtps://host[:port]
    QString smtpFrom;     // empty: provisio@<service host>
    QString smtpUser;     // empty: no AUTH
    QString smtpPassword; // never logged
    int smtpTimeoutSeconds = 30;
    QString smtpCaFile;    // empty: the system's trust store
    QString mailOutboxDir; // empty: outbox/ in the data directory
    QString publicUrl;     // where devices reach this service; empty: https://<service host>:<port>
    int mailInitialBackoffMs = 30000;
    int mailMaxBackoffMs = 3600000;
    int mailMaxAttempts = 8;
    int mailQueueLimit = 1000;
    int batchJobMaxRunning = 2;          // device batch jobs running at once (all instances)
    qint64 batchJobMaxDevices = 1000000; // devices one batch job may match
    int batchJobChunk = 50;              // devices per batch-job transaction
    int batchJobLeaseSeconds = 30;       // a silent batch-job runner's jobs are taken over after this
    // This instance's name on the hubs (its service client id there is
    // provisio-mw-<instanceId>, which keeps its persistent session); empty:
    // a random id the hub link keeps in the data directory.
    QString instanceId;
    // Said once at start (on stderr): e.g. a secret given on the command line.
    QStringList warnings;

    QString databaseLocation() const;
    QString tlsDir() const;
    QString mailOutbox() const;
    QString mailFrom() const;
    QString serviceUrl() const;
};

// One setting of the table: its option (and INI key), environment variable,
// kind, bounds and default. Durations are kept in milliseconds.
struct SettingSpec
{
    enum class Kind {
        Text,     // a string
        List,     // repeatable option; comma-separated in the environment
        Flag,     // option without a value; on/off in the environment and INI
        Switch,   // on/off value
        Integer,  // whole number in [min, max]
        Duration, // milliseconds in [min, max]; a bare number is in `unit`
    };
    const char *name; // --name, and the INI key
    const char *env;
    Kind kind;
    const char *valueName;
    const char *description;
    qint64 min = 0;
    qint64 max = 0;
    qint64 defaultValue = 0; // Integer, Duration (ms), Flag/Switch (0/1)
    DurationUnit unit = DurationUnit::Seconds;
    const char *defaultText = nullptr; // Text/List: shown as the default
    bool offline = false;              // also taken by token and hub-config

    QString optionName() const { return QString::fromLatin1(name); }
    QString envName() const { return QString::fromLatin1(env); }
    // The --help line: description, range, default, unit, environment name.
    QString helpText() const;
};

const QList<SettingSpec> &serviceSettings();

// Which commands' settings: `serve` takes all; `token` and `hub-config`
// only the ones that find the data (config, data directory, database).
enum class SettingScope { Serve, Offline };

// The settings block of --help.
QString settingsHelp(SettingScope scope);
// Declares the settings of `scope` on a parser, and adds their help to the
// parser's application description.
void addServiceOptions(QCommandLineParser &parser, SettingScope scope = SettingScope::Serve);
// Reads them back (command line, environment, config file, default) and
// validates them; the first bad value fails with a message naming the
// setting, where it came from and what is allowed.
Result<ServiceConfig> serviceConfigFrom(const QCommandLineParser &parser, SettingScope scope = SettingScope::Serve);

// Parses "HOST:PORT", "[v6]:PORT" or ":PORT".
Result<QPair<QHostAddress, quint16>> parseListenAddress(const QString &text);

// An address ("10.0.0.5", "::1") or CIDR range ("10.0.0.0/8") of a trusted
// proxy, as (address, prefix length); IPv4-mapped IPv6 becomes IPv4.
Result<QPair<QHostAddress, int>> parseTrustedProxy(const QString &text);

// 1..64 letters, digits, '.', '_' or '-' (it becomes part of an MQTT client id).
bool isValidInstanceId(const QString &id);

// The default data directory when none is given.
QString defaultDataDir();

} // namespace Provisio

// SPDX-License-Identifier: Apache-2.0
// The table of every middleware setting (serviceSettings()): option, variable,
// INI key, kind, range, default and help line, declared once. Reading the
// values back is serviceconfig.cpp's job.
#include "serviceconfig.h"

namespace Provisio {

namespace {

using Kind = SettingSpec::Kind;
constexpr qint64 kSecond = 1000;
constexpr qint64 kHour = 3600 * kSecond;
constexpr qint64 kDay = 24 * kHour;

SettingSpec text(const char *name, const char *env, const char *valueName, const char *description,
                 const char *defaultText = nullptr, bool offline = false)
{
    SettingSpec s{name, env, Kind::Text, valueName, description};
    s.defaultText = defaultText;
    s.offline = offline;
    return s;
}

SettingSpec flag(const char *name, const char *env, const char *description)
{
    return SettingSpec{name, env, Kind::Flag, nullptr, description};
}

SettingSpec integer(const char *name, const char *env, const char *valueName, const char *description, qint64 min,
                    qint64 max, qint64 defaultValue)
{
    return SettingSpec{name, env, Kind::Integer, valueName, description, min, max, defaultValue};
}

SettingSpec duration(const char *name, const char *env, const char *description, DurationUnit unit, qint64 min,
                     qint64 max, qint64 defaultValue)
{
    return SettingSpec{name, env, Kind::Duration, "duration", description, min, max, defaultValue, unit};
}

QList<SettingSpec> buildSettings()
{
    SettingSpec tlsNames{"tls-name", "PROVISIO_TLS_NAMES", Kind::List, "name",
                         "Extra DNS name or IP for the own server certificate (repeatable; comma-separated in the "
                         "environment and the config file)."};
    SettingSpec trustedProxies{"trusted-proxy", "PROVISIO_TRUSTED_PROXIES", Kind::List, "address[/prefix]",
                               "Proxy whose X-Forwarded-For or Forwarded header names the client (an address or "
                               "CIDR range; repeatable; comma-separated in the environment and the config file). "
                               "Those headers are ignored on requests from anywhere else."};
    trustedProxies.defaultText = "none";
    SettingSpec hubLink{"hub-link", "PROVISIO_HUB_LINK", Kind::Switch, "on|off",
                        "Keep service connections to the linked hubs (twin, presence, telemetry, direct methods, "
                        "revocation); off leaves them to other instances."};
    hubLink.defaultValue = 1;
    SettingSpec webhookHosts{"webhook-allowed-hosts", "PROVISIO_WEBHOOK_ALLOWED_HOSTS", Kind::List, "host",
                             "Host a webhook URL may name: an exact name or IP, or *.example.com for its "
                             "subdomains (repeatable; comma-separated in the environment and the config file). "
                             "Without any, no event or allocation webhook can be set."};
    return {
        text("config", "PROVISIO_CONFIG", "file",
             "Read settings from this INI file (keys are the option names, without --); command line or "
             "environment only.",
             nullptr, true),
        text("data-dir", "PROVISIO_DATA_DIR", "dir", "Data directory (database, TLS material, instance id).",
             "~/.local/share/provisio", true),
        text("listen", "PROVISIO_LISTEN", "host:port", "Address to listen on, HOST:PORT, [V6]:PORT or :PORT.",
             "*:8443"),
        text("database", "PROVISIO_DATABASE_URL", "url",
             "Database: a SQLite file path, or postgresql://user@host:port/db (give the password with "
             "--database-password-file or PROVISIO_DATABASE_PASSWORD, not in a URL on the command line).",
             "provisio.db in the data directory", true),
        text("database-password", "PROVISIO_DATABASE_PASSWORD", "password",
             "Password for a PostgreSQL --database; replaces one in the URL. Visible to other users on the "
             "command line: prefer the environment or --database-password-file.",
             nullptr, true),
        text("database-password-file", "PROVISIO_DATABASE_PASSWORD_FILE", "file",
             "Read the password for a PostgreSQL --database from this file (e.g. a systemd credential).", nullptr,
             true),
        text("tls-cert", "PROVISIO_TLS_CERT", "file", "Serve this PEM certificate (chain) instead of the own CA's."),
        text("tls-key", "PROVISIO_TLS_KEY", "file", "Private key for --tls-cert."),
        tlsNames,
        trustedProxies,
        flag("plain-http-behind-proxy", "PROVISIO_PLAIN_HTTP",
             "Serve plain HTTP. Only for running behind a TLS-terminating proxy."),
        flag("log-json", "PROVISIO_LOG_JSON", "Log JSON lines instead of text."),
        text("instance-id", "PROVISIO_INSTANCE_ID", "id",
             "This instance's name on the hubs (1..64 letters, digits, '.', '_', '-'); every instance needs its own.",
             "a random id kept in the data directory"),
        // Activation codes and device registration.
        duration("activation-ttl-hours", "PROVISIO_ACTIVATION_TTL_HOURS", "Lifetime of new activation codes.",
                 DurationUnit::Hours, kSecond, 366 * kDay, 30 * kDay),
        duration("activation-ttl-seconds", "PROVISIO_ACTIVATION_TTL_SECONDS",
                 "Lifetime of new activation codes in seconds; overrides --activation-ttl-hours when given.",
                 DurationUnit::Seconds, kSecond, 366 * kDay, 0),
        integer("activation-attempts-per-serial", "PROVISIO_ACTIVATION_ATTEMPTS_PER_SERIAL", "count",
                "Failed activation attempts per device serial in 24 hours from all clients together; beyond it "
                "the serial answers 429 until an operator unlocks it or issues a new code.",
                10, 10000000, 10000),
        integer("activation-free-attempts", "PROVISIO_ACTIVATION_FREE_ATTEMPTS", "count",
                "Failed activation attempts for one serial from one client (address, or /64 for IPv6) in 24 hours "
                "before that client backs off for the serial (2 s, doubling with each further failure).",
                1, 1000, 5),
        duration("activation-max-backoff", "PROVISIO_ACTIVATION_MAX_BACKOFF",
                 "Longest backoff of one client for one serial after failed activation attempts.",
                 DurationUnit::Seconds, 2 * kSecond, kDay, kHour),
        integer("activation-attempts-per-client", "PROVISIO_ACTIVATION_ATTEMPTS_PER_CLIENT", "count",
                "Activation attempts allowed per client address in 15 minutes, whatever the serial.", 1, 100000, 20),
        duration("registration-retry-after", "PROVISIO_REGISTRATION_RETRY_AFTER",
                 "Retry-After a device is told while its registration is being assigned.", DurationUnit::Seconds,
                 kSecond, 60 * kSecond, 2 * kSecond),
        duration("sas-clock-skew", "PROVISIO_SAS_CLOCK_SKEW",
                 "Clock difference tolerated on the expiry of devices' SAS tokens.", DurationUnit::Seconds, 0, kHour,
                 300 * kSecond),
        duration("max-sas-lifetime", "PROVISIO_MAX_SAS_LIFETIME",
                 "Longest validity a device's DPS SAS token may claim (as the hub's max_token_lifetime).",
                 DurationUnit::Seconds, 60 * kSecond, 366 * kDay, kDay),
        // Azure's service SDKs (docs/azure-sdks.md).
        text("service-host", "PROVISIO_SERVICE_HOST", "name",
             "Host name of the provisioning service API for Azure's service SDKs: the HostName of the "
             "connection strings `access-policy create` prints and what a ServiceSAS token's sr must name.",
             "this machine's host name, in lower case", true),
        duration("max-service-sas-lifetime", "PROVISIO_MAX_SERVICE_SAS_LIFETIME",
                 "Longest validity a ServiceSAS token of a shared access policy may claim.", DurationUnit::Seconds,
                 60 * kSecond, 366 * kDay, kDay),
        integer("dps-failures-per-address", "PROVISIO_DPS_FAILURES_PER_ADDRESS", "count",
                "Failed device authentications per client address and minute before devices from it get 429.", 1,
                100000, 60),
        integer("dps-failures-per-registration", "PROVISIO_DPS_FAILURES_PER_REGISTRATION", "count",
                "Failed device authentications per registration id and minute before that id gets 429.", 1, 100000, 20),
        // DPS over MQTT (docs/api.md, "DPS over MQTT").
        text("dps-mqtt-listen", "PROVISIO_DPS_MQTT_LISTEN", "host:port",
             "Also speak DPS's device protocol over MQTT 3.1.1 on this address (HOST:PORT, [V6]:PORT or :PORT; TLS "
             "with the HTTPS certificate unless --plain-http-behind-proxy), for Azure's device SDKs' MQTT "
             "provisioning transport.",
             "off"),
        integer("dps-mqtt-max-connections", "PROVISIO_DPS_MQTT_MAX_CONNECTIONS", "count",
                "Open DPS-over-MQTT connections at most; one more is closed at once.", 1, 1000000, 1000),
        integer("dps-mqtt-max-packet-bytes", "PROVISIO_DPS_MQTT_MAX_PACKET_BYTES", "bytes",
                "Largest MQTT packet (remaining length) a device may send; a larger one closes the connection "
                "before it is read.",
                256, 1048576, 65536),
        duration("dps-mqtt-connect-timeout", "PROVISIO_DPS_MQTT_CONNECT_TIMEOUT",
                 "Time a new DPS-over-MQTT connection has to complete TLS and send its CONNECT.", DurationUnit::Seconds,
                 kSecond, 300 * kSecond, 10 * kSecond),
        duration("dps-mqtt-max-keep-alive", "PROVISIO_DPS_MQTT_MAX_KEEP_ALIVE",
                 "Longest MQTT keep-alive honoured (a longer one, or 0, counts as this); a connection silent for "
                 "one and a half times its keep-alive is closed.",
                 DurationUnit::Seconds, kSecond, kHour, 300 * kSecond),
        integer("dps-mqtt-requests-per-minute", "PROVISIO_DPS_MQTT_REQUESTS_PER_MINUTE", "count",
                "Requests one DPS-over-MQTT connection may publish a minute after a burst of 10; more are answered "
                "429 with a retry-after.",
                1, 100000, 60),
        // The front door (docs/api.md, "Limits").
        integer("max-connections", "PROVISIO_MAX_CONNECTIONS", "count",
                "Open client connections at most; also kept below the descriptor limit.", 16, 1000000, 10000),
        integer("max-connections-per-address", "PROVISIO_MAX_CONNECTIONS_PER_ADDRESS", "count",
                "Open connections per client address (0: no cap; the default is 0 with "
                "--plain-http-behind-proxy, where every client has the proxy's address).",
                0, 1000000, 256),
        duration("tls-handshake-timeout", "PROVISIO_TLS_HANDSHAKE_TIMEOUT", "Time a client has to complete TLS.",
                 DurationUnit::Seconds, kSecond, 300 * kSecond, 10 * kSecond),
        duration("header-timeout", "PROVISIO_HEADER_TIMEOUT",
                 "Time from a new connection, or a request's first byte, to the end of its headers.",
                 DurationUnit::Seconds, kSecond, 300 * kSecond, 10 * kSecond),
        duration("idle-timeout", "PROVISIO_IDLE_TIMEOUT", "Time a kept-alive connection may wait between requests.",
                 DurationUnit::Seconds, kSecond, kHour, 60 * kSecond),
        duration("body-stall-timeout", "PROVISIO_BODY_STALL_TIMEOUT",
                 "Time a request body, or a client reading its answer, may pause before the connection is closed.",
                 DurationUnit::Seconds, kSecond, kHour, 30 * kSecond),
        integer("max-header-bytes", "PROVISIO_MAX_HEADER_BYTES", "bytes",
                "Request line and header fields together; more is answered 431.", 1024, 1048576, 16384),
        integer("http-threads", "PROVISIO_HTTP_THREADS", "count",
                "Threads that serve HTTPS connections (TLS, request parsing, writing answers) beside the event "
                "loop, which runs every handler; 1: the event loop serves them itself; 0: automatic, the "
                "machine's thread count up to 4.",
                0, 64, 0),
        // Webhooks.
        webhookHosts,
        text("webhook-authorization", "PROVISIO_WEBHOOK_AUTHORIZATION", "value",
             "Deprecated: Authorization header value sent to allow-listed custom allocation webhooks; put a "
             "key in each webhook's URL instead. Visible to other users on the command line: prefer the "
             "environment or --webhook-authorization-file.",
             "none"),
        text("webhook-authorization-file", "PROVISIO_WEBHOOK_AUTHORIZATION_FILE", "file",
             "Read the value for --webhook-authorization from this file."),
        flag("webhook-allow-http", "PROVISIO_WEBHOOK_ALLOW_HTTP",
             "Allow webhooks to plain http:// URLs (for tests and closed networks)."),
        flag("webhook-allow-private-networks", "PROVISIO_WEBHOOK_ALLOW_PRIVATE_NETWORKS",
             "Allow webhooks to loopback, private, link-local and other non-public addresses (for tests and "
             "closed networks)."),
        duration("webhook-initial-backoff", "PROVISIO_WEBHOOK_INITIAL_BACKOFF_MS",
                 "Delay before the first retry of a failed webhook delivery; doubles per attempt up to 10m.",
                 DurationUnit::Milliseconds, 1, 10 * 60 * kSecond, kSecond),
        integer("webhook-max-attempts", "PROVISIO_WEBHOOK_MAX_ATTEMPTS", "count",
                "Delivery attempts of a webhook event before it is marked failed.", 1, 100, 10),
        // Activation cards by e-mail (docs/configuration.md, "Mail").
        text("smtp-url", "PROVISIO_SMTP_URL", "url",
             "SMTP server for activation e-mails: smtp://host[:port] (STARTTLS when the server offers it, and "
             "required before AUTH unless the host is this machine) or smtps://host[:port] (TLS from the "
             "start). Without one, mails are written to --mail-outbox as .eml files.",
             "none: mails go to the outbox"),
        text("smtp-from", "PROVISIO_SMTP_FROM", "address", "Sender address of activation e-mails.",
             "provisio@<service host>"),
        text("smtp-user", "PROVISIO_SMTP_USER", "name", "User name for SMTP AUTH (none: no AUTH).", "none"),
        text("smtp-password", "PROVISIO_SMTP_PASSWORD", "password",
             "Password for SMTP AUTH. Visible to other users on the command line: prefer the environment or "
             "--smtp-password-file.",
             "none"),
        text("smtp-password-file", "PROVISIO_SMTP_PASSWORD_FILE", "file",
             "Read the password for SMTP AUTH from this file (e.g. a systemd credential)."),
        duration("smtp-timeout", "PROVISIO_SMTP_TIMEOUT",
                 "Longest time one SMTP delivery may take, connecting included; then the attempt counts as failed.",
                 DurationUnit::Seconds, kSecond, 300 * kSecond, 30 * kSecond),
        text("smtp-ca-file", "PROVISIO_SMTP_CA_FILE", "file",
             "PEM certificates the SMTP server's certificate is checked against instead of the system's trust store "
             "(a mail server with a private CA)."),
        text("mail-outbox", "PROVISIO_MAIL_OUTBOX", "dir",
             "Directory activation e-mails are written to (one .eml file each) when no --smtp-url is set.",
             "outbox in the data directory"),
        text("public-url", "PROVISIO_PUBLIC_URL", "url",
             "Address devices reach this service at (https://host:port), printed in mailed activation cards and "
             "their QR code.",
             "https://<service host>:<listen port>"),
        duration("mail-initial-backoff", "PROVISIO_MAIL_INITIAL_BACKOFF",
                 "Delay before the first retry of a failed e-mail delivery; doubles per attempt up to "
                 "--mail-max-backoff.",
                 DurationUnit::Seconds, 100, kHour, 30 * kSecond),
        duration("mail-max-backoff", "PROVISIO_MAIL_MAX_BACKOFF", "Longest delay between retries of an e-mail.",
                 DurationUnit::Seconds, 100, kDay, kHour),
        integer("mail-max-attempts", "PROVISIO_MAIL_MAX_ATTEMPTS", "count",
                "Delivery attempts of an e-mail before it is marked failed (an SMTP 5xx answer fails it at once).", 1,
                100, 8),
        integer("mail-queue-limit", "PROVISIO_MAIL_QUEUE_LIMIT", "count",
                "E-mails waiting to be sent at most (all instances together); more are refused with 503.", 1, 1000000,
                1000),
        // Device batch jobs (POST /api/v1/device-batch-jobs).
        integer("batch-job-max-running", "PROVISIO_BATCH_JOB_MAX_RUNNING", "count",
                "Device batch jobs running at once (all instances together); more are refused with 429.", 1, 100, 2),
        integer("batch-job-max-devices", "PROVISIO_BATCH_JOB_MAX_DEVICES", "count",
                "Devices one batch job may act on; a filter matching more is refused with 400.", 1, 100000000, 1000000),
        integer("batch-job-chunk", "PROVISIO_BATCH_JOB_CHUNK", "count",
                "Devices a batch job changes per transaction; after each chunk the job rests as long as the "
                "chunk took, so requests are served in between.",
                1, 10000, 50),
        duration("batch-job-lease", "PROVISIO_BATCH_JOB_LEASE",
                 "Silence after which a batch job's runner is taken for dead and another instance (or this one, "
                 "restarted) resumes the job where it stopped.",
                 DurationUnit::Seconds, 2 * kSecond, kHour, 30 * kSecond),
        // The hub link and telemetry.
        hubLink,
        duration("hub-token-lifetime", "PROVISIO_HUB_TOKEN_LIFETIME",
                 "Lifetime of the service token the hub link logs in with; renewed at 3/4 of it.",
                 DurationUnit::Seconds, 5 * kSecond, kDay, kHour),
        duration("hub-keep-alive", "PROVISIO_HUB_KEEP_ALIVE",
                 "MQTT keep-alive of the hub link: a hub drops a link silent for one and a half times this (a "
                 "stalled or frozen instance), and the link drops a hub silent as long, and reconnects.",
                 DurationUnit::Seconds, 2 * kSecond, 600 * kSecond, 30 * kSecond),
        duration("hub-lease", "PROVISIO_HUB_LEASE",
                 "How long an instance's hub-link lease lasts without renewal (renewed every third of it); an "
                 "instance silent for longer is taken over by a survivor, which drains its hub sessions.",
                 DurationUnit::Seconds, 3 * kSecond, kHour, 30 * kSecond),
        duration("hub-key-overlap", "PROVISIO_HUB_KEY_OVERLAP",
                 "How long a hub still accepts device keys of its previous signing key after a rotation (0: not "
                 "at all); a rotate-key request may ask for another overlap.",
                 DurationUnit::Seconds, 0, 30 * kDay, kDay),
        integer("telemetry-keep", "PROVISIO_TELEMETRY_KEEP", "count",
                "Telemetry messages kept per device, newest first.", 1, 1000000, 1000),
        integer("telemetry-days", "PROVISIO_TELEMETRY_DAYS", "days", "Days telemetry messages are kept.", 1, 3650, 7),
        duration("telemetry-prune-interval", "PROVISIO_TELEMETRY_PRUNE_MS", "How often telemetry retention runs.",
                 DurationUnit::Milliseconds, 100, kDay, 60 * kSecond),
        integer("telemetry-max-devices", "PROVISIO_TELEMETRY_MAX_DEVICES", "count",
                "Devices the hub link keeps lookups and event rates for in memory.", 1, 10000000, 10000),
        integer("telemetry-events-per-second", "PROVISIO_TELEMETRY_EVENTS_PER_SECOND", "count",
                "Telemetry events per device and second on the live feed and webhooks (0: none).", 0, 100000, 5),
        // Retention of the audit log, and how every retention deletes.
        integer("audit-days", "PROVISIO_AUDIT_DAYS", "days",
                "Days audit entries are kept (0: forever); older entries are deleted by a sweep every "
                "audit-prune-interval.",
                0, 36500, 0),
        duration("audit-prune-interval", "PROVISIO_AUDIT_PRUNE_INTERVAL", "How often audit retention runs.",
                 DurationUnit::Seconds, kSecond, kDay, kHour),
        integer("retention-batch", "PROVISIO_RETENTION_BATCH", "rows",
                "Rows one retention delete (telemetry by age and by count, audit by age) removes in one "
                "statement; a backlog goes in several.",
                100, 100000, 1000),
        duration("retention-pause", "PROVISIO_RETENTION_PAUSE_MS",
                 "Least rest between two retention deletes of a sweep; the rest is also at least as long as the "
                 "delete took, so writers get the database at least half the time.",
                 DurationUnit::Milliseconds, 0, 60 * kSecond, 100),
    };
}

} // namespace

const QList<SettingSpec> &serviceSettings()
{
    static const QList<SettingSpec> settings = buildSettings();
    return settings;
}

} // namespace Provisio

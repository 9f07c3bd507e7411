// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QHostAddress>
#include <QString>
#include <QStringList>

class QCommandLineParser;

namespace Provisio {

// Everything `provisio-middleware serve` can be told. Each option comes from
// the command line, else the environment (PROVISIO_*), else the config file
// (`--config`, INI), else the default; `--help` lists them all.
struct ServiceConfig
{
    QString dataDir;
    QHostAddress listenAddress = QHostAddress::Any;
    quint16 listenPort = 8443;
    QString databaseUrl; // empty: SQLite file in the data directory
    QString tlsCertPath; // empty: the middleware's own CA issues one
    QString tlsKeyPath;
    QStringList tlsNames;   // extra DNS names / IPs for the own certificate
    bool plainHttp = false; // only behind a TLS-terminating proxy
    bool logJson = false;
    int activationCodeTtlHours = 24 * 30;
    // When > 0, overrides the hours: environment PROVISIO_ACTIVATION_TTL_SECONDS
    // only, so tests can watch a code expire without waiting an hour.
    int activationCodeTtlSeconds = 0;
    int activationAttemptsPerSerial = 5;   // per 15 minutes
    int activationAttemptsPerClient = 20;  // per 15 minutes
    int registrationRetryAfterSeconds = 2; // Retry-After while assigning
    int sasClockSkewSeconds = 300;
    // Longest validity a device's DPS SAS token may claim (as the hub's
    // max_token_lifetime); a token valid until the year 3000 is refused.
    int maxSasLifetimeSeconds = 86400;
    // Failed device authentications (bad or expired SAS tokens, unknown
    // registration ids) allowed per client address and per registration id
    // within a minute; then 429 with Retry-After. Successes never count.
    int dpsFailuresPerAddress = 60;
    int dpsFailuresPerRegistration = 20;
    // The front door (FrontDoor::Limits): connection caps, timeouts, sizes.
    int maxConnections = 10000;
    int maxConnectionsPerAddress = 256; // 0: off (the default behind a proxy)
    int tlsHandshakeTimeoutSeconds = 10;
    int headerTimeoutSeconds = 10;
    int idleTimeoutSeconds = 60;
    int bodyStallTimeoutSeconds = 30;
    int maxHeaderBytes = 16 * 1024;
    QString webhookAuthorization; // sent to custom allocation webhooks
    int telemetryKeep = 1000;     // stored telemetry messages per device
    int telemetryDays = 7;        // stored telemetry older than this is deleted
    // This instance's name on the hubs (its service client id there is
    // provisio-mw-<instanceId>, which keeps its persistent session); empty:
    // a random id the hub link keeps in the data directory.
    QString instanceId;

    QString databaseLocation() const;
    QString tlsDir() const;
};

// Declares the serve options on a parser (shared by `serve` and `hub-config`).
void addServiceOptions(QCommandLineParser &parser);
// Reads them back, with environment and config-file fallbacks; validates.
Result<ServiceConfig> serviceConfigFrom(const QCommandLineParser &parser);

// Parses "HOST:PORT", "[v6]:PORT" or ":PORT".
Result<QPair<QHostAddress, quint16>> parseListenAddress(const QString &text);

// 1..64 letters, digits, '.', '_' or '-' (it becomes part of an MQTT client id).
bool isValidInstanceId(const QString &id);

// The default data directory when none is given.
QString defaultDataDir();

} // namespace Provisio

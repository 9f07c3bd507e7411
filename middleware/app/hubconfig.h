// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/serviceconfig.h"
#include "core/result.h"
#include "domain/hubservice.h"

#include <QHostAddress>
#include <QString>
#include <QStringList>

class QCommandLineParser;

// `provisio-middleware hub-config`: turns a linked hub (HubStore) into a
// ready-to-run Mosquitto configuration directory for that hub - TLS with a
// certificate from the middleware's CA, the provisio_auth plugin with the
// hub's keys, persistence, limits - so that `mosquitto -c OUT/mosquitto.conf`
// is that hub.

namespace Provisio {

struct HubConfigRequest
{
    ServiceConfig service;      // where the middleware's database and CA live
    QString hubName;            // the link name (PUT /api/v1/hubs/{name})
    QHostAddress listenAddress; // where Mosquitto binds; Any = every interface
    quint16 listenPort = 8883;
    QString outDir;
    QString pluginPath; // provisio-mosquitto-plugin.so
    qint64 maxTokenLifetime = 24 * 3600;
    qint64 clockSkew = 300;
    // After a broker start, devices wait at most this long for the
    // middleware to subscribe again (0: no wait).
    qint64 deviceGateSeconds = 30;
    QString user; // the account Mosquitto runs as when started as root
};

struct HubConfigFiles
{
    QString hubName;
    QString hubHost;
    QString dialEndpoint;
    QString confPath;
    QString caPath;
    QString certPath;
    QString keyPath;
    QString revocationPath;
    QString signingKeysPath; // where the hub keeps the keys a rotation gave it
    QString persistenceDir;
    QString pluginPath;
    QStringList certificateNames;
};

// Writes OUT/mosquitto.conf (0600: it holds the signing key), ca.crt,
// hub.crt, hub.key (0600) and creates OUT/data/. An existing revocation file
// is kept, so re-running the command never readmits a revoked device.
Result<HubConfigFiles> writeHubConfig(const HubConfigRequest &request);

// The CLI command; returns the exit code.
int hubConfigCommand(QCommandLineParser &parser, const QStringList &arguments);

} // namespace Provisio

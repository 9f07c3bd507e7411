// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>

#include <functional>
#include <optional>

class QNetworkAccessManager;

namespace Provisio {

class AuditLog;
class Database;
class EventBus;
class HubStore;
class Metrics;
class SettingsStore;
class TokenStore;
struct ServiceConfig;

// This instance's connection to one hub, as the hub link sees it; what API
// modules outside the hub link may show about it.
struct HubLinkState
{
    bool connected = false;
    QDateTime since;   // when the connection came up or went down
    QString lastError; // empty when there was none
};

// What API modules share: the stores of the instance-wide records and the
// instance's configuration. Owned by Service; modules keep references.
struct ServiceContext
{
    const ServiceConfig &config;
    Database &db;
    SettingsStore &settings;
    AuditLog &audit;
    TokenStore &tokens;
    HubStore &hubs;
    Metrics &metrics;
    QNetworkAccessManager &network;
    // Domain services publish each committed change (ChangeRecorder); the
    // hub link publishes what it observes (presence, telemetry, reported
    // properties).
    EventBus &events;
    QByteArray caCertificatePem; // what devices and hubs trust
    // Set by the service once the hub link exists, so api/ need not depend
    // on hublink/; unset, or nullopt for a hub the link has no connection
    // to (not linked, or the link is switched off).
    std::function<std::optional<HubLinkState>(const QString &hubName)> hubLinkState;
};

} // namespace Provisio

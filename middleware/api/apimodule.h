// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "http/router.h"

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
    // Committed changes reach it through the audit log; publish directly only
    // what is no audited change (presence, telemetry, reported properties).
    EventBus &events;
    QByteArray caCertificatePem; // what devices and hubs trust
};

// One area of the HTTP API. Handlers hold the request logic; registerRoutes
// only wires paths to them, so the routing table reads like the API docs.
class ApiModule
{
public:
    virtual ~ApiModule() = default;
    virtual void registerRoutes(Router &router) = 0;
};

} // namespace Provisio

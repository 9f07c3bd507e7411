// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "api/apimodule.h"
#include "base/serviceconfig.h"

#include <QObject>
#include <QSslConfiguration>

#include <memory>
#include <vector>

class QNetworkAccessManager;
class QTcpServer;

namespace Provisio {

class AuditLog;
class AuditRetention;
class DpsMqttApi;
class Database;
class EventBus;
class EventsFeed;
class HttpServer;
class HubLink;
class HubStore;
class MailDispatcher;
class Metrics;
class SettingsStore;
class TokenStore;
class WebhookDispatcher;
class WebhookStore;

// One running middleware instance: opens (and on first start creates) the
// data directory, database and TLS material, wires the API modules and
// listens. Tests create it directly on port 0; main() wraps it in the CLI.
class Service : public QObject
{
    Q_OBJECT
public:
    ~Service() override;

    // Prepares everything short of listening: data directory, database and
    // migrations, ID scope, TLS. Fails with a message an operator can act on.
    static Result<std::unique_ptr<Service>> create(const ServiceConfig &config);

    // Starts listening; returns the bound port (useful with port 0).
    Result<quint16> listen();

    ServiceContext &context() { return *m_context; }
    HttpServer &http() { return *m_http; }
    QString idScope() const { return m_idScope; }
    bool isTls() const { return !m_config.plainHttp; }
    // The URL clients use, e.g. https://localhost:8443.
    QString baseUrl() const;
    // Where DPS over MQTT listens, e.g. mqtts://localhost:8884; empty when off.
    QString dpsMqttUrl() const;

private:
    explicit Service(const ServiceConfig &config);
    Result<void> setUpTls();

    ServiceConfig m_config;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<SettingsStore> m_settings;
    std::unique_ptr<AuditLog> m_audit;
    std::unique_ptr<TokenStore> m_tokens;
    std::unique_ptr<HubStore> m_hubs;
    std::unique_ptr<Metrics> m_metrics;
    std::unique_ptr<EventBus> m_events;
    std::unique_ptr<WebhookStore> m_webhooks;
    std::unique_ptr<WebhookDispatcher> m_webhookDispatcher;
    std::unique_ptr<MailDispatcher> m_mailDispatcher;
    std::unique_ptr<EventsFeed> m_eventsFeed;
    std::unique_ptr<HubLink> m_hubLink;
    std::unique_ptr<AuditRetention> m_auditRetention;
    std::unique_ptr<DpsMqttApi> m_dpsMqtt;
    quint16 m_dpsMqttPort = 0;
    QNetworkAccessManager *m_network = nullptr;
    std::unique_ptr<ServiceContext> m_context;
    HttpServer *m_http = nullptr;
    QSslConfiguration m_ssl;
    std::vector<std::unique_ptr<ApiModule>> m_modules;
    QString m_idScope;
    quint16 m_port = 0;
};

// Opens the database of a data directory for the operator commands (token,
// hub-config) without starting the service.
struct OfflineStores
{
    std::unique_ptr<Database> db;
    std::unique_ptr<TokenStore> tokens;
    std::unique_ptr<SettingsStore> settings;
    std::unique_ptr<HubStore> hubs;
    // Without an event bus: offline changes are audited but announce no event.
    std::unique_ptr<AuditLog> audit;
    ~OfflineStores();
};
Result<std::unique_ptr<OfflineStores>> openOfflineStores(const ServiceConfig &config);

} // namespace Provisio

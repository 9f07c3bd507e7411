// SPDX-License-Identifier: Apache-2.0
#include "service.h"
#include "api/modules.h"

#include "api/dpsmqttapi.h"
#include "api/eventsapi.h"
#include "api/hublinkapi.h"
#include "api/hubserviceapi.h"
#include "api/serviceapi.h"
#include "api/webhookapi.h"
#include "base/metrics.h"
#include "crypto/certificateauthority.h"
#include "domain/auditretention.h"
#include "domain/eventbus.h"
#include "domain/mailmessage.h"
#include "events/eventsfeed.h"
#include "events/webhookdispatcher.h"
#include "http/httpserver.h"
#include "mail/maildispatcher.h"
#include "storage/auditlog.h"
#include "storage/database.h"
#include "storage/hubstore.h"
#include "storage/settingsstore.h"
#include "storage/tokenstore.h"
#include "storage/webhookstore.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QTcpServer>
#include <QThread>
#include <QTimer>

Q_LOGGING_CATEGORY(lcService, "provisio.middleware.service")

namespace Provisio {

Service::Service(const ServiceConfig &config) : m_config(config) { }

Service::~Service()
{
    // Modules hold references into the stores: drop them first. The event
    // consumers go before the server (feed sockets) and the stores they use.
    m_dpsMqtt.reset();
    m_modules.clear();
    m_hubLink.reset();
    m_auditRetention.reset();
    m_webhookDispatcher.reset();
    m_mailDispatcher.reset();
    m_eventsFeed.reset();
    delete m_http;
}

namespace {
Result<void> ensureDataDir(const QString &dir)
{
    QDir d(dir);
    if (!d.exists() && !QDir().mkpath(dir))
        return Error(ErrorCode::Unavailable, QStringLiteral("cannot create data directory %1").arg(dir));
    // The directory holds the CA key and the database: owner only.
    QFile::setPermissions(dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    return {};
}

Result<std::unique_ptr<Database>> openDatabase(const ServiceConfig &config)
{
    if (auto r = ensureDataDir(config.dataDir); !r)
        return r.error();
    auto db = Database::open(config.databaseLocation());
    if (!db)
        return db.error();
    if (auto m = (*db)->migrate(); !m)
        return m.error();
    return std::move(*db);
}
} // namespace

Result<std::unique_ptr<Service>> Service::create(const ServiceConfig &config)
{
    std::unique_ptr<Service> s(new Service(config));
    auto db = openDatabase(config);
    if (!db)
        return db.error();
    s->m_db = std::move(*db);
    s->m_settings = std::make_unique<SettingsStore>(*s->m_db);
    s->m_audit = std::make_unique<AuditLog>(*s->m_db);
    s->m_tokens = std::make_unique<TokenStore>(*s->m_db);
    s->m_hubs = std::make_unique<HubStore>(*s->m_db);
    s->m_metrics = std::make_unique<Metrics>();
    s->m_events = std::make_unique<EventBus>();
    s->m_webhooks = std::make_unique<WebhookStore>(*s->m_db);
    s->m_network = new QNetworkAccessManager(s.get());

    auto scope = s->m_settings->ensureIdScope();
    if (!scope)
        return scope.error();
    s->m_idScope = *scope;

    QByteArray caPem;
    if (!config.plainHttp || config.tlsCertPath.isEmpty()) {
        // Hubs and devices trust the own CA even when the HTTPS certificate
        // comes from elsewhere, so it is always created.
        auto ca = CertificateAuthority::loadOrCreate(config.tlsDir());
        if (!ca)
            return ca.error();
        caPem = ca->caCertificatePem();
    }

    s->m_context.reset(new ServiceContext{s->m_config,
                                          *s->m_db,
                                          *s->m_settings,
                                          *s->m_audit,
                                          *s->m_tokens,
                                          *s->m_hubs,
                                          *s->m_metrics,
                                          *s->m_network,
                                          *s->m_events,
                                          caPem,
                                          {}});
    s->m_http = new HttpServer(s->m_metrics.get());
    Service *raw = s.get();
    s->m_http->setTrustedProxies(s->m_config.trustedProxies);
    s->m_http->setAuthenticator([raw](const QByteArray &token) { return raw->m_tokens->authenticate(token); });

    if (!config.plainHttp) {
        if (auto tls = s->setUpTls(); !tls)
            return tls.error();
    }

    s->m_modules.push_back(std::make_unique<ServiceApi>(*s->m_context));
    s->m_modules.push_back(std::make_unique<EventsApi>());
    s->m_modules.push_back(std::make_unique<WebhookApi>(*s->m_context, *s->m_webhooks));
    DpsDeviceRequests &dpsRequests = createApiModules(*s->m_context, s->m_modules);
    if (config.dpsMqttEnabled) {
        // DPS over MQTT: the same requests as the HTTP device API, framed
        // by the middleware's own small MQTT server.
        MqttServerLimits limits;
        limits.maxConnections = config.dpsMqttMaxConnections;
        limits.maxPacketBytes = config.dpsMqttMaxPacketBytes;
        limits.connectTimeoutMs = config.dpsMqttConnectTimeoutSeconds * 1000;
        limits.maxKeepAliveSeconds = config.dpsMqttMaxKeepAliveSeconds;
        limits.publishesPerMinute = config.dpsMqttRequestsPerMinute;
        s->m_dpsMqtt = std::make_unique<DpsMqttApi>(dpsRequests, limits);
        DpsMqttApi *mqtt = s->m_dpsMqtt.get();
        s->m_metrics->addGauge(QStringLiteral("provisio_dps_mqtt_connections"),
                               QStringLiteral("Open DPS-over-MQTT connections"),
                               [mqtt] { return double(mqtt->connectionCount()); });
    }
    // The hub link: service connections to the linked hubs (twin, presence,
    // telemetry, direct methods, revocation) and its routes.
    HubLink::Options linkOptions;
    linkOptions.enabled = config.hubLinkEnabled;
    linkOptions.connection.tokenLifetimeSeconds = config.hubTokenLifetimeSeconds;
    linkOptions.connection.keepAliveSeconds = config.hubKeepAliveSeconds;
    linkOptions.leaseMs = config.hubLeaseSeconds * 1000;
    linkOptions.telemetryKeep = config.telemetryKeep;
    linkOptions.telemetryDays = config.telemetryDays;
    linkOptions.telemetryPruneMs = config.telemetryPruneMs;
    const RetentionSweep::Options retention{config.retentionBatchRows, config.retentionPauseMs};
    linkOptions.retention = retention;
    linkOptions.maxTrackedDevices = config.telemetryMaxDevices;
    linkOptions.telemetryEventsPerSecond = config.telemetryEventsPerSecond;
    s->m_hubLink = std::make_unique<HubLink>(*s->m_context, linkOptions);
    HubLink *link = s->m_hubLink.get();
    // From the event loop: a process that only builds the service (to list
    // its routes, say) never dials a hub.
    QTimer::singleShot(0, link, [link] { link->start(); });
    s->m_context->hubLinkState = [link](const QString &hubName) -> std::optional<HubLinkState> {
        const auto status = link->status(hubName);
        if (!status)
            return std::nullopt;
        return HubLinkState{status->connected, status->since, status->lastError};
    };
    s->m_modules.push_back(std::make_unique<HubLinkApi>(*s->m_context, *link));
    AuditRetention::Options auditRetention;
    auditRetention.days = config.auditDays;
    auditRetention.intervalMs = config.auditPruneSeconds * 1000;
    auditRetention.sweep = retention;
    s->m_auditRetention = std::make_unique<AuditRetention>(*s->m_context, auditRetention);
    AuditRetention *auditRetentionRaw = s->m_auditRetention.get();
    QTimer::singleShot(0, auditRetentionRaw, [auditRetentionRaw] { auditRetentionRaw->start(); });
    s->m_modules.push_back(std::make_unique<HubServiceApi>(*s->m_context, *link));
    s->m_eventsFeed = std::make_unique<EventsFeed>(*s->m_http, *s->m_events, *s->m_tokens, s->m_idScope,
                                                   s->m_metrics.get(), EventsFeed::Options{});
    WebhookDispatcher::Options webhookOptions;
    webhookOptions.initialBackoffMs = config.webhookInitialBackoffMs;
    webhookOptions.maxAttempts = config.webhookMaxAttempts;
    webhookOptions.target = WebhookTarget::rulesFrom(config);
    if (!config.webhookAuthorization.isEmpty())
        qCWarning(lcService) << "--webhook-authorization is deprecated: one secret for every allocation webhook; "
                                "put a key in each webhook's URL (e.g. ?code=) instead";
    s->m_webhookDispatcher = std::make_unique<WebhookDispatcher>(*s->m_webhooks, *s->m_events, *s->m_network, caPem,
                                                                 s->m_metrics.get(), webhookOptions);
    if (!MailMessage::isMailableAddress(config.mailFrom()))
        return Error(
            ErrorCode::InvalidInput,
            QStringLiteral("--smtp-from must be an e-mail address local@domain, not '%1'").arg(config.mailFrom()));
    MailDispatcher::Options mailOptions;
    mailOptions.smtp = {config.smtpUrl, config.smtpUser, config.smtpPassword, config.smtpTimeoutSeconds * 1000,
                        config.smtpCaFile};
    mailOptions.from = config.mailFrom();
    mailOptions.outboxDir = config.mailOutbox();
    s->m_mailDispatcher = std::make_unique<MailDispatcher>(*s->m_context, mailOptions);
    for (auto &module : s->m_modules)
        module->registerRoutes(s->m_http->router());

    const qint64 started = QDateTime::currentSecsSinceEpoch();
    s->m_metrics->addGauge(QStringLiteral("provisio_uptime_seconds"), QStringLiteral("Seconds since start"),
                           [started] { return double(QDateTime::currentSecsSinceEpoch() - started); });
    return s;
}

Result<void> Service::setUpTls()
{
    QString certPath = m_config.tlsCertPath;
    QString keyPath = m_config.tlsKeyPath;
    QString ownCaPath;
    if (certPath.isEmpty()) {
        auto files = CertificateAuthority::ensureServerTls(m_config.dataDir, m_config.tlsNames);
        if (!files)
            return files.error();
        certPath = files->certPath;
        keyPath = files->keyPath;
        ownCaPath = files->caCertPath;
    }
    QFile certFile(certPath);
    if (!certFile.open(QIODevice::ReadOnly))
        return Error(ErrorCode::InvalidInput, QStringLiteral("cannot read TLS certificate %1").arg(certPath));
    QList<QSslCertificate> chain = QSslCertificate::fromData(certFile.readAll(), QSsl::Pem);
    if (chain.isEmpty())
        return Error(ErrorCode::InvalidInput, QStringLiteral("%1 holds no PEM certificate").arg(certPath));
    // With our own CA, present it after the server certificate: a client that
    // trusts on first use (the CRM desktop) then pins the CA, which outlives
    // any reissued server certificate, instead of the leaf.
    if (!ownCaPath.isEmpty()) {
        QFile caFile(ownCaPath);
        if (caFile.open(QIODevice::ReadOnly))
            chain += QSslCertificate::fromData(caFile.readAll(), QSsl::Pem);
    }
    QFile keyFile(keyPath);
    if (!keyFile.open(QIODevice::ReadOnly))
        return Error(ErrorCode::InvalidInput, QStringLiteral("cannot read TLS key %1").arg(keyPath));
    const QByteArray keyPem = keyFile.readAll();
    QSslKey key(keyPem, QSsl::Ec, QSsl::Pem);
    if (key.isNull())
        key = QSslKey(keyPem, QSsl::Rsa, QSsl::Pem);
    if (key.isNull())
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("%1 holds no unencrypted PEM EC or RSA private key").arg(keyPath));

    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    ssl.setLocalCertificateChain(chain);
    ssl.setPrivateKey(key);
    ssl.setProtocol(QSsl::TlsV1_2OrLater);
    ssl.setPeerVerifyMode(QSslSocket::VerifyNone);
    m_ssl = ssl;
    return {};
}

Result<quint16> Service::listen()
{
    // Every connection goes through the front door (caps, timeouts, request
    // framing checked before Qt HTTP Server parses), with TLS unless behind
    // a TLS-terminating proxy.
    const qint64 descriptors = FrontDoor::raiseDescriptorLimit();
    FrontDoor::Limits limits;
    limits.maxConnections = m_config.maxConnections;
    if (descriptors > 0) {
        // Leave room for the database, hub connections, webhooks and logs.
        const qint64 usable = qMax<qint64>(16, descriptors - 128);
        limits.maxConnections = int(qMin<qint64>(limits.maxConnections, usable));
    }
    limits.maxConnectionsPerAddress = m_config.maxConnectionsPerAddress;
    limits.tlsHandshakeTimeoutMs = m_config.tlsHandshakeTimeoutSeconds * 1000;
    limits.headerTimeoutMs = m_config.headerTimeoutSeconds * 1000;
    limits.idleTimeoutMs = m_config.idleTimeoutSeconds * 1000;
    limits.bodyStallTimeoutMs = m_config.bodyStallTimeoutSeconds * 1000;
    limits.writeStallTimeoutMs = m_config.bodyStallTimeoutSeconds * 1000;
    limits.framing.maxHeaderBytes = m_config.maxHeaderBytes;
    limits.framing.maxRequestLineBytes = qMin(m_config.maxHeaderBytes, 8 * 1024);
    // HTTPS on I/O threads beside the event loop, which keeps every handler
    // (the domain is single-threaded): automatic is one per core, up to 4.
    const int httpThreads = m_config.httpThreads > 0 ? m_config.httpThreads : qBound(1, QThread::idealThreadCount(), 4);
    m_http->setIoThreads(httpThreads);
    QString error;
    const auto port = m_http->listenGuarded(m_config.listenAddress, m_config.listenPort, limits,
                                            isTls() ? std::optional<QSslConfiguration>(m_ssl) : std::nullopt, &error);
    if (!port)
        return Error(ErrorCode::Unavailable, QStringLiteral("cannot listen on %1:%2: %3")
                                                 .arg(m_config.listenAddress.toString())
                                                 .arg(m_config.listenPort)
                                                 .arg(error));
    m_port = *port;
    if (m_dpsMqtt) {
        const auto mqttPort =
            m_dpsMqtt->listen(m_config.dpsMqttAddress, m_config.dpsMqttPort,
                              isTls() ? std::optional<QSslConfiguration>(m_ssl) : std::nullopt, &error);
        if (!mqttPort)
            return Error(ErrorCode::Unavailable, QStringLiteral("cannot listen for DPS over MQTT on %1:%2: %3")
                                                     .arg(m_config.dpsMqttAddress.toString())
                                                     .arg(m_config.dpsMqttPort)
                                                     .arg(error));
        m_dpsMqttPort = *mqttPort;
        qCInfo(lcService).noquote() << "DPS over MQTT on" << dpsMqttUrl();
    }
    qCInfo(lcService).noquote() << "descriptor limit" << descriptors << "connections at most" << limits.maxConnections
                                << "per address"
                                << (limits.maxConnectionsPerAddress > 0
                                        ? QString::number(limits.maxConnectionsPerAddress)
                                        : QStringLiteral("unlimited"))
                                << "HTTP threads"
                                << (m_http->ioThreads() > 1 ? QString::number(m_http->ioThreads())
                                                            : QStringLiteral("none (on the event loop)"));
    qCInfo(lcService).noquote() << "listening on" << baseUrl() << "database" << m_db->description();
    // Deliveries left pending by an earlier run go out from here on.
    m_webhookDispatcher->start();
    m_mailDispatcher->start();
    return m_port;
}

namespace {
QString urlHost(const QHostAddress &address)
{
    if (address == QHostAddress::Any || address == QHostAddress::AnyIPv6 || address == QHostAddress::AnyIPv4 ||
        address.isLoopback())
        return QStringLiteral("localhost");
    if (address.protocol() == QAbstractSocket::IPv6Protocol)
        return QLatin1Char('[') + address.toString() + QLatin1Char(']');
    return address.toString();
}
} // namespace

QString Service::baseUrl() const
{
    return QStringLiteral("%1://%2:%3")
        .arg(isTls() ? QStringLiteral("https") : QStringLiteral("http"), urlHost(m_config.listenAddress))
        .arg(m_port);
}

QString Service::dpsMqttUrl() const
{
    if (!m_dpsMqtt || m_dpsMqttPort == 0)
        return {};
    return QStringLiteral("%1://%2:%3")
        .arg(isTls() ? QStringLiteral("mqtts") : QStringLiteral("mqtt"), urlHost(m_config.dpsMqttAddress))
        .arg(m_dpsMqttPort);
}

OfflineStores::~OfflineStores()
{
    audit.reset();
    hubs.reset();
    settings.reset();
    tokens.reset();
    db.reset();
}

Result<std::unique_ptr<OfflineStores>> openOfflineStores(const ServiceConfig &config)
{
    auto db = openDatabase(config);
    if (!db)
        return db.error();
    auto s = std::make_unique<OfflineStores>();
    s->db = std::move(*db);
    s->tokens = std::make_unique<TokenStore>(*s->db);
    s->settings = std::make_unique<SettingsStore>(*s->db);
    s->hubs = std::make_unique<HubStore>(*s->db);
    s->audit = std::make_unique<AuditLog>(*s->db);
    if (auto scope = s->settings->ensureIdScope(); !scope)
        return scope.error();
    return s;
}

} // namespace Provisio

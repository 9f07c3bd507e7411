// SPDX-License-Identifier: Apache-2.0
#include "cli.h"
#include "core/signalwatcher.h"
#include "hubconfig.h"
#include "service.h"

#include "domain/accesspolicies.h"
#include "domain/eventbus.h"
#include "http/httprequest.h"
#include "http/httpserver.h"
#include "storage/auditlog.h"
#include "storage/database.h"
#include "storage/hubstore.h"
#include "storage/tokenstore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>
#include <cstdio>

#include <pwd.h>
#include <unistd.h>

namespace Provisio {

namespace {
QTextStream &out()
{
    static QTextStream s(stdout);
    return s;
}
QTextStream &err()
{
    static QTextStream s(stderr);
    return s;
}

int fail(const QString &message)
{
    err() << "provisio-middleware: " << message << Qt::endl;
    return 1;
}

void warn(const ServiceConfig &config)
{
    for (const QString &warning : config.warnings)
        err() << "provisio-middleware: warning: " << warning << Qt::endl;
}

bool s_jsonLogs = false;

// Who ran an offline command, for the audit log: "cli:<OS account>", the
// counterpart of the API's "token:<name>".
QString cliActor()
{
    QString user;
    if (const passwd *pw = ::getpwuid(::getuid()))
        user = QString::fromLocal8Bit(pw->pw_name);
    if (user.isEmpty())
        user = qEnvironmentVariable("USER");
    if (user.isEmpty())
        user = QString::number(::getuid());
    return QStringLiteral("cli:") + user;
}

// Control characters from request data (a serial with a newline, say) must
// not start a forged log line: text logs show them escaped.
QString escapedForLog(const QString &message)
{
    QString out;
    out.reserve(message.size());
    for (const QChar c : message) {
        const char16_t u = c.unicode();
        if (u == u'\n')
            out += QLatin1String("\\n");
        else if (u == u'\r')
            out += QLatin1String("\\r");
        else if (u == u'\t')
            out += QLatin1String("\\t");
        else if (u < 0x20 || u == 0x7f || u == 0x2028 || u == 0x2029)
            out += QStringLiteral("\\x%1").arg(int(u), 2, 16, QLatin1Char('0'));
        else
            out += c;
    }
    return out;
}

QLoggingCategory::CategoryFilter s_previousFilter = nullptr;

// Qt HTTP Server's own debug category prints whole requests, Authorization
// headers included: it stays off whatever QT_LOGGING_RULES says.
void categoryFilter(QLoggingCategory *category)
{
    if (s_previousFilter)
        s_previousFilter(category);
    if (qstrcmp(category->categoryName(), "qt.httpserver") == 0)
        category->setEnabled(QtDebugMsg, false);
}

void logHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    static const char *levels[] = {"debug", "warning", "critical", "fatal", "info"};
    const char *level = type <= QtInfoMsg ? levels[type] : "info";
    const QString ts = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    QByteArray line;
    if (s_jsonLogs) {
        line = QJsonDocument(QJsonObject{{QStringLiteral("ts"), ts},
                                         {QStringLiteral("level"), QString::fromLatin1(level)},
                                         {QStringLiteral("category"), QString::fromLatin1(context.category)},
                                         {QStringLiteral("message"), message}})
                   .toJson(QJsonDocument::Compact);
    } else {
        line = (ts + QLatin1Char(' ') + QString::fromLatin1(level) + QLatin1Char(' ') +
                QString::fromLatin1(context.category) + QLatin1String(": ") + escapedForLog(message))
                   .toUtf8();
    }
    line += '\n';
    fwrite(line.constData(), 1, size_t(line.size()), stderr);
    fflush(stderr);
    if (type == QtFatalMsg)
        abort();
}

const char kUsage[] =
    "Usage:\n"
    "  provisio-middleware serve --data-dir DIR --listen HOST:PORT [--database URL] [options]\n"
    "  provisio-middleware token create --data-dir DIR --role admin|operator|viewer [--name NAME]\n"
    "  provisio-middleware token list --data-dir DIR\n"
    "  provisio-middleware token revoke --data-dir DIR ID_OR_NAME\n"
    "  provisio-middleware access-policy create --data-dir DIR --name NAME [--hub HUB] [--rights R1,R2,...]\n"
    "  provisio-middleware access-policy list --data-dir DIR\n"
    "  provisio-middleware access-policy revoke --data-dir DIR [--hub HUB] ID_OR_NAME\n"
    "  provisio-middleware hub-config --data-dir DIR --hub NAME --listen HOST:PORT --out DIR [--plugin PATH]\n"
    "  provisio-middleware routes [--data-dir DIR]\n"
    "Run a command with --help for its options.\n";

int serve(QCommandLineParser &parser, const QStringList &args)
{
    addServiceOptions(parser);
    parser.process(args);
    auto config = serviceConfigFrom(parser);
    if (!config)
        return fail(config.error().message);
    warn(*config);
    installLogHandler(config->logJson);
    auto service = Service::create(*config);
    if (!service)
        return fail(service.error().message);
    auto port = (*service)->listen();
    if (!port)
        return fail(port.error().message);

    SignalWatcher signals;
    QObject::connect(&signals, &SignalWatcher::terminationRequested, qApp, [] {
        qInfo("termination requested, shutting down");
        QCoreApplication::quit();
    });
    // Before the line that says where HTTPS listens, which tests and scripts
    // wait for.
    if (const QString mqtt = (*service)->dpsMqttUrl(); !mqtt.isEmpty())
        out() << "provisio-middleware DPS over MQTT on " << mqtt << Qt::endl;
    out() << "provisio-middleware " << PROVISIO_VERSION << " listening on " << (*service)->baseUrl() << " (ID scope "
          << (*service)->idScope() << ")" << Qt::endl;
    const int rc = QCoreApplication::exec();
    service->reset();
    return rc;
}

int token(QCommandLineParser &parser, const QStringList &args)
{
    addServiceOptions(parser, SettingScope::Offline);
    parser.addOption({QStringLiteral("role"), QStringLiteral("Role of the new token: admin, operator or viewer."),
                      QStringLiteral("role")});
    parser.addOption({QStringLiteral("name"), QStringLiteral("Name of the new token (shown in the audit log)."),
                      QStringLiteral("name")});
    parser.addPositionalArgument(QStringLiteral("action"), QStringLiteral("create, list or revoke"));
    parser.process(args);
    const QStringList pos = parser.positionalArguments(); // "token", action, ...
    if (pos.size() < 2)
        return fail(QStringLiteral("token needs an action: create, list or revoke"));
    auto config = serviceConfigFrom(parser, SettingScope::Offline);
    if (!config)
        return fail(config.error().message);
    warn(*config);
    auto stores = openOfflineStores(*config);
    if (!stores)
        return fail(stores.error().message);
    TokenStore &tokens = *(*stores)->tokens;
    const QString action = pos.at(1);
    if (action == QLatin1String("create")) {
        const auto role = parseRole(parser.value(QStringLiteral("role")));
        if (!role)
            return fail(QStringLiteral("--role must be admin, operator or viewer"));
        // Audited like POST /api/v1/tokens: both in one transaction.
        Transaction tx(*(*stores)->db);
        auto created = tokens.create(*role, parser.value(QStringLiteral("name")));
        if (!created)
            return fail(created.error().message);
        if (auto a = (*stores)->audit->record(cliActor(), QStringLiteral("create"), QStringLiteral("token"),
                                              created->info.id, {}, created->info.toJson());
            !a)
            return fail(a.error().message);
        if (!tx.commit())
            return fail(QStringLiteral("the new token could not be stored"));
        // Only the token on stdout, so scripts can capture it.
        out() << created->token << Qt::endl;
        return 0;
    }
    if (action == QLatin1String("list")) {
        auto all = tokens.list();
        if (!all)
            return fail(all.error().message);
        out() << QStringLiteral("%1  %2  %3  %4  %5\n")
                     .arg(QStringLiteral("ID"), -12)
                     .arg(QStringLiteral("NAME"), -24)
                     .arg(QStringLiteral("ROLE"), -9)
                     .arg(QStringLiteral("CREATED"), -24)
                     .arg(QStringLiteral("REVOKED"));
        for (const auto &t : *all)
            out() << QStringLiteral("%1  %2  %3  %4  %5\n")
                         .arg(t.id, -12)
                         .arg(t.name, -24)
                         .arg(roleName(t.role), -9)
                         .arg(t.created, -24)
                         .arg(t.revokedAt.isEmpty() ? QStringLiteral("-") : t.revokedAt);
        out().flush();
        return 0;
    }
    if (action == QLatin1String("revoke")) {
        if (pos.size() < 3)
            return fail(QStringLiteral("token revoke needs the token's id or name"));
        Transaction tx(*(*stores)->db);
        auto revoked = tokens.revoke(pos.at(2));
        if (!revoked)
            return fail(revoked.error().message);
        TokenStore::TokenInfo before = *revoked;
        before.revokedAt.clear();
        if (auto a = (*stores)->audit->record(cliActor(), QStringLiteral("revoke"), QStringLiteral("token"),
                                              revoked->id, before.toJson(), revoked->toJson());
            !a)
            return fail(a.error().message);
        if (!tx.commit())
            return fail(QStringLiteral("the revocation could not be stored"));
        err() << "revoked token " << revoked->id << " (" << revoked->name << ")" << Qt::endl;
        return 0;
    }
    return fail(QStringLiteral("unknown token action '%1'").arg(action));
}

int accessPolicy(QCommandLineParser &parser, const QStringList &args)
{
    addServiceOptions(parser, SettingScope::Offline);
    parser.addOption({QStringLiteral("name"), QStringLiteral("Name of the new policy (skn of its tokens)."),
                      QStringLiteral("name")});
    parser.addOption({QStringLiteral("hub"),
                      QStringLiteral("A linked hub's name: an IoT Hub policy (twins, methods) instead of a "
                                     "provisioning service policy."),
                      QStringLiteral("hub")});
    parser.addOption({QStringLiteral("rights"),
                      QStringLiteral("Comma-separated rights (default: all). Provisioning service: ServiceConfig, "
                                     "EnrollmentRead, EnrollmentWrite, RegistrationStatusRead, "
                                     "RegistrationStatusWrite; hub: RegistryRead, RegistryWrite, ServiceConnect, "
                                     "DeviceConnect."),
                      QStringLiteral("rights")});
    parser.addPositionalArgument(QStringLiteral("action"), QStringLiteral("create, list or revoke"));
    parser.process(args);
    const QStringList pos = parser.positionalArguments(); // "access-policy", action, ...
    if (pos.size() < 2)
        return fail(QStringLiteral("access-policy needs an action: create, list or revoke"));
    auto config = serviceConfigFrom(parser, SettingScope::Offline);
    if (!config)
        return fail(config.error().message);
    warn(*config);
    auto stores = openOfflineStores(*config);
    if (!stores)
        return fail(stores.error().message);
    EventBus events; // offline: nobody listens; the audit entry is what remains
    AccessPolicies policies(*(*stores)->db, *(*stores)->audit, events, *(*stores)->hubs);
    const QString hub = parser.value(QStringLiteral("hub"));
    const QString action = pos.at(1);
    if (action == QLatin1String("create")) {
        QString host = config->serviceHost;
        if (!hub.isEmpty()) {
            auto found = (*stores)->hubs->find(hub);
            if (!found)
                return fail(found.error().message);
            if (!*found)
                return fail(QStringLiteral("no hub '%1'").arg(hub));
            host = (*found)->host;
        }
        const QStringList rights = parser.value(QStringLiteral("rights")).split(QLatin1Char(','), Qt::SkipEmptyParts);
        auto created = policies.create(parser.value(QStringLiteral("name")), hub, rights, cliActor());
        if (!created)
            return fail(created.error().message);
        // Only the connection string on stdout, so scripts can capture it.
        out() << "HostName=" << host << ";SharedAccessKeyName=" << created->info.name
              << ";SharedAccessKey=" << created->key << Qt::endl;
        return 0;
    }
    if (action == QLatin1String("list")) {
        auto all = AccessPolicyStore(*(*stores)->db).list();
        if (!all)
            return fail(all.error().message);
        out() << QStringLiteral("%1  %2  %3  %4  %5  %6\n")
                     .arg(QStringLiteral("ID"), -12)
                     .arg(QStringLiteral("NAME"), -24)
                     .arg(QStringLiteral("HUB"), -16)
                     .arg(QStringLiteral("RIGHTS"), -40)
                     .arg(QStringLiteral("CREATED"), -24)
                     .arg(QStringLiteral("REVOKED"));
        for (const auto &p : *all)
            out() << QStringLiteral("%1  %2  %3  %4  %5  %6\n")
                         .arg(p.id, -12)
                         .arg(p.name, -24)
                         .arg(p.hub.isEmpty() ? QStringLiteral("-") : p.hub, -16)
                         .arg(p.rights.join(QLatin1Char(',')), -40)
                         .arg(p.created, -24)
                         .arg(p.revokedAt.isEmpty() ? QStringLiteral("-") : p.revokedAt);
        out().flush();
        return 0;
    }
    if (action == QLatin1String("revoke")) {
        if (pos.size() < 3)
            return fail(QStringLiteral("access-policy revoke needs the policy's id or name"));
        auto revoked = policies.revoke(pos.at(2), hub, cliActor());
        if (!revoked)
            return fail(revoked.error().message);
        err() << "revoked access policy " << revoked->id << " (" << revoked->name << ")" << Qt::endl;
        return 0;
    }
    return fail(QStringLiteral("unknown access-policy action '%1'").arg(action));
}

QString methodName(QHttpServerRequest::Method method)
{
    using M = QHttpServerRequest::Method;
    switch (method) {
    case M::Get:
        return QStringLiteral("GET");
    case M::Put:
        return QStringLiteral("PUT");
    case M::Delete:
        return QStringLiteral("DELETE");
    case M::Post:
        return QStringLiteral("POST");
    case M::Head:
        return QStringLiteral("HEAD");
    case M::Options:
        return QStringLiteral("OPTIONS");
    case M::Patch:
        return QStringLiteral("PATCH");
    case M::Connect:
        return QStringLiteral("CONNECT");
    case M::Trace:
        return QStringLiteral("TRACE");
    default:
        return QStringLiteral("UNKNOWN");
    }
}

QString accessName(Access access)
{
    switch (access) {
    case Access::Public:
        return QStringLiteral("public");
    case Access::Viewer:
        return QStringLiteral("viewer");
    case Access::Operator:
        return QStringLiteral("operator");
    case Access::Admin:
        return QStringLiteral("admin");
    }
    return QStringLiteral("unknown");
}

// Prints the routing table the service builds, one "METHOD PATTERN ACCESS"
// line per route, sorted by pattern then method. Nothing listens; without
// --data-dir the service is created in a throwaway directory. Tests compare
// this list with docs/openapi.json so the document cannot drift.
int routes(QCommandLineParser &parser, const QStringList &args)
{
    parser.addOption({QStringLiteral("data-dir"), QStringLiteral("Data directory (default: a temporary one)."),
                      QStringLiteral("dir")});
    parser.addPositionalArgument(QStringLiteral("routes"), QStringLiteral("Print the HTTP routes."));
    parser.process(args);
    QTemporaryDir scratch;
    ServiceConfig config;
    config.dataDir = parser.value(QStringLiteral("data-dir"));
    if (config.dataDir.isEmpty()) {
        if (!scratch.isValid())
            return fail(QStringLiteral("cannot create a temporary directory"));
        config.dataDir = scratch.path();
    }
    config.plainHttp = true; // no server certificate needed: nothing listens
    auto service = Service::create(config);
    if (!service)
        return fail(service.error().message);
    struct Line
    {
        QString pattern;
        QString method;
        QString access;
    };
    QList<Line> lines;
    for (const Router::Route &r : (*service)->http().router().routes())
        lines.append({r.pattern, methodName(r.method), accessName(r.access)});
    std::sort(lines.begin(), lines.end(), [](const Line &a, const Line &b) {
        return a.pattern != b.pattern ? a.pattern < b.pattern : a.method < b.method;
    });
    for (const Line &l : std::as_const(lines))
        out() << l.method << ' ' << l.pattern << ' ' << l.access << '\n';
    out().flush();
    return 0;
}

} // namespace

void installLogHandler(bool json)
{
    s_jsonLogs = json;
    qInstallMessageHandler(logHandler);
    // Per-request debug lines are for troubleshooting; operators turn them on
    // with QT_LOGGING_RULES="provisio.*.debug=true".
    if (qEnvironmentVariableIsEmpty("QT_LOGGING_RULES"))
        QLoggingCategory::setFilterRules(QStringLiteral("*.debug=false"));
    s_previousFilter = QLoggingCategory::installFilter(categoryFilter);
}

int runMiddlewareCli(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Provisio middleware: the provisioning back end."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QString command = arguments.size() > 1 ? arguments.at(1) : QString();
    if (command == QLatin1String("serve")) {
        parser.addPositionalArgument(QStringLiteral("serve"), QStringLiteral("Run the service."));
        return serve(parser, arguments);
    }
    if (command == QLatin1String("token"))
        return token(parser, arguments);
    if (command == QLatin1String("access-policy"))
        return accessPolicy(parser, arguments);
    if (command == QLatin1String("hub-config"))
        return hubConfigCommand(parser, arguments);
    if (command == QLatin1String("routes"))
        return routes(parser, arguments);
    if (command == QLatin1String("--version") || command == QLatin1String("-v")) {
        out() << "provisio-middleware " << PROVISIO_VERSION << Qt::endl;
        return 0;
    }
    err() << kUsage;
    return command.isEmpty() || command == QLatin1String("--help") || command == QLatin1String("-h") ? 0 : 2;
}

} // namespace Provisio

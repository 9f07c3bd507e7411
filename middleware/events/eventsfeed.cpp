// SPDX-License-Identifier: Apache-2.0
#include "eventsfeed.h"

#include "base/metrics.h"
#include "domain/visibility.h"
#include "http/httpserver.h"
#include "storage/tokenstore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QNetworkRequest>
#include <QUrlQuery>
#include <QWebSocket>

#include <array>

Q_LOGGING_CATEGORY(lcFeed, "provisio.middleware.events")

namespace Provisio {

namespace {
constexpr int kCloseGraceMs = 5000;
constexpr quint64 kMaxIncomingBytes = 4096; // clients have nothing to say

QStringList splitList(const QUrlQuery &query, const QString &key)
{
    QStringList out;
    const QStringList values = query.allQueryItemValues(key, QUrl::FullyDecoded);
    for (const QString &value : values) {
        const QStringList parts = value.split(QLatin1Char(','), Qt::SkipEmptyParts);
        for (const QString &part : parts) {
            const QString trimmed = part.trimmed();
            if (!trimmed.isEmpty() && !out.contains(trimmed))
                out << trimmed;
        }
    }
    return out;
}

QByteArray bearerToken(const QWebSocket &socket, const QUrlQuery &query)
{
    const QByteArray auth = socket.request().rawHeader("Authorization").trimmed();
    if (auth.size() > 7 && auth.left(7).compare("Bearer ", Qt::CaseInsensitive) == 0)
        return auth.mid(7).trimmed();
    return query.queryItemValue(QStringLiteral("access_token"), QUrl::FullyDecoded).toUtf8();
}
} // namespace

bool EventsFeed::Filter::matches(const DomainEvent &event) const
{
    if (!deviceIds.isEmpty() && !deviceIds.contains(event.deviceId))
        return false;
    if (!registrationIds.isEmpty() && !registrationIds.contains(event.registrationId.toLower()))
        return false;
    if (types.isEmpty())
        return true;
    const QString type = wireName(event.kind);
    return std::any_of(types.cbegin(), types.cend(), [&](const QString &p) { return EventBus::typeMatches(p, type); });
}

QJsonObject EventsFeed::Filter::toJson() const
{
    QJsonObject o;
    if (!types.isEmpty())
        o.insert(QStringLiteral("type"), QJsonArray::fromStringList(types));
    if (!deviceIds.isEmpty())
        o.insert(QStringLiteral("deviceId"),
                 QJsonArray::fromStringList(QStringList(deviceIds.cbegin(), deviceIds.cend())));
    if (!registrationIds.isEmpty())
        o.insert(QStringLiteral("registrationId"),
                 QJsonArray::fromStringList(QStringList(registrationIds.cbegin(), registrationIds.cend())));
    return o;
}

QString EventsFeed::queryProblem(const QUrlQuery &query)
{
    static const QStringList allowed = {QStringLiteral("access_token"), QStringLiteral("type"),
                                        QStringLiteral("deviceId"), QStringLiteral("registrationId")};
    const auto items = query.queryItems(QUrl::FullyDecoded);
    for (const auto &item : items) {
        // Silently ignoring a misspelt filter would stream everything.
        if (!allowed.contains(item.first))
            return QStringLiteral("unknown query parameter '%1'").arg(item.first.left(40));
    }
    for (const QString &pattern : splitList(query, QStringLiteral("type"))) {
        if (!EventBus::isKnownPattern(pattern))
            return QStringLiteral("unknown event type '%1'; GET /api/v1/events/types lists them").arg(pattern.left(40));
    }
    return {};
}

EventsFeed::EventsFeed(HttpServer &server, EventBus &events, TokenStore &tokens, const QString &idScope,
                       Metrics *metrics, Options options, QObject *parent)
    : QObject(parent), m_server(server), m_tokens(tokens), m_idScope(idScope), m_metrics(metrics), m_options(options)
{
    m_server.addWebSocketPath(path(), [](const QUrlQuery &query) -> std::optional<HttpResponse> {
        const QString problem = queryProblem(query);
        if (problem.isEmpty())
            return std::nullopt;
        return HttpResponse::error(ErrorCode::InvalidInput, problem);
    });
    connect(&m_server, &QAbstractHttpServer::newWebSocketConnection, this, &EventsFeed::acceptPending);
    connect(&events, &EventBus::eventPublished, this, &EventsFeed::deliver);
    m_pingTimer.setInterval(m_options.pingIntervalMs);
    connect(&m_pingTimer, &QTimer::timeout, this, &EventsFeed::pingAll);
    m_pingTimer.start();
    if (m_metrics) {
        m_metrics->addGauge(QStringLiteral("provisio_events_clients"),
                            QStringLiteral("Connected clients of the live event feed"),
                            [this] { return double(m_clients.size()); });
        m_metrics->describe(QStringLiteral("provisio_events_dropped_clients_total"), QStringLiteral("counter"),
                            QStringLiteral("Event feed clients closed by the server, by reason"));
    }
}

EventsFeed::~EventsFeed()
{
    // Sockets are children; closing first tells clients why they go away.
    for (const auto &client : m_clients) {
        client->socket->disconnect(this);
        client->socket->close(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("server shutting down"));
    }
}

void EventsFeed::acceptPending()
{
    while (m_server.hasPendingWebSocketConnections()) {
        std::unique_ptr<QWebSocket> socket = m_server.nextPendingWebSocketConnection();
        if (!socket)
            break;
        QWebSocket *raw = socket.release();
        raw->setParent(this);
        accept(raw);
    }
}

void EventsFeed::accept(QWebSocket *socket)
{
    socket->setMaxAllowedIncomingMessageSize(kMaxIncomingBytes);
    socket->setMaxAllowedIncomingFrameSize(kMaxIncomingBytes);
    connect(socket, &QWebSocket::disconnected, this, [this, socket] {
        forget(socket);
        socket->deleteLater();
    });

    const QUrlQuery query(socket->request().url());
    const QByteArray token = bearerToken(*socket, query);
    if (token.isEmpty()) {
        drop(socket, QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("missing bearer token"),
             "unauthorized");
        return;
    }
    const std::optional<Principal> principal = m_tokens.authenticate(token);
    if (!principal) {
        drop(socket, QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("invalid or revoked bearer token"),
             "unauthorized");
        return;
    }
    // Refused before the upgrade already (HttpServer's check); kept here for
    // a server that upgrades without asking.
    if (const QString problem = queryProblem(query); !problem.isEmpty()) {
        drop(socket, QWebSocketProtocol::CloseCodePolicyViolated, problem, "bad_request");
        return;
    }
    if (int(m_clients.size()) >= m_options.maxClients) {
        drop(socket, QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("too many event clients"),
             "too_many_clients");
        return;
    }

    auto client = std::make_unique<Client>();
    client->socket = socket;
    client->token = token;
    client->role = principal->role;
    client->filter.types = splitList(query, QStringLiteral("type"));
    for (const QString &id : splitList(query, QStringLiteral("deviceId")))
        client->filter.deviceIds.insert(id);
    for (const QString &id : splitList(query, QStringLiteral("registrationId")))
        client->filter.registrationIds.insert(id.toLower());
    Client *c = client.get();
    connect(socket, &QWebSocket::pong, this, [this, socket] {
        if (Client *found = find(socket))
            found->awaitingPong = false;
    });
    m_clients.push_back(std::move(client));

    const QJsonObject hello{{QStringLiteral("type"), QStringLiteral("hello")},
                            {QStringLiteral("idScope"), m_idScope},
                            {QStringLiteral("role"), roleName(principal->role)},
                            {QStringLiteral("filters"), c->filter.toJson()}};
    send(*c, QString::fromUtf8(QJsonDocument(hello).toJson(QJsonDocument::Compact)));
    qCDebug(lcFeed).noquote() << "event client connected:" << principal->name << socket->peerAddress().toString();
}

bool EventsFeed::send(Client &client, const QString &message)
{
    // bytesToWrite: what the socket still holds for this peer. Above the
    // bound the client is not keeping up; dropping it keeps memory bounded.
    if (client.socket->bytesToWrite() + message.size() > m_options.maxBufferedBytes) {
        drop(client.socket, QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("client too slow"), "slow");
        return false;
    }
    client.socket->sendTextMessage(message);
    return true;
}

void EventsFeed::deliver(const DomainEvent &event)
{
    if (m_clients.empty())
        return;
    // Serialised once per role, only when someone wants it.
    std::array<QString, 4> messages; // by Role's value
    // Copy of the pointers: send() may drop (and forget) clients.
    std::vector<Client *> clients;
    clients.reserve(m_clients.size());
    for (const auto &c : m_clients)
        clients.push_back(c.get());
    for (Client *c : clients) {
        if (!c->filter.matches(event))
            continue;
        QString &message = messages.at(std::size_t(c->role));
        if (message.isEmpty())
            message = QString::fromUtf8(
                QJsonDocument(Visibility::event(c->role, event).toJson()).toJson(QJsonDocument::Compact));
        send(*c, message);
    }
}

void EventsFeed::pingAll()
{
    std::vector<QWebSocket *> dead;
    std::vector<QWebSocket *> revoked;
    for (const auto &c : m_clients) {
        if (c->awaitingPong)
            dead.push_back(c->socket);
        else if (!m_tokens.authenticate(c->token))
            revoked.push_back(c->socket);
    }
    for (QWebSocket *socket : dead) {
        if (m_metrics)
            m_metrics->increment(QStringLiteral("provisio_events_dropped_clients_total"),
                                 QStringLiteral("reason=\"unresponsive\""));
        forget(socket);
        socket->abort();
    }
    for (QWebSocket *socket : revoked)
        drop(socket, QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("token revoked"), "revoked");
    for (const auto &c : m_clients) {
        c->awaitingPong = true;
        c->socket->ping();
    }
}

void EventsFeed::drop(QWebSocket *socket, QWebSocketProtocol::CloseCode code, const QString &reason,
                      const char *metricReason)
{
    if (m_metrics)
        m_metrics->increment(QStringLiteral("provisio_events_dropped_clients_total"),
                             QStringLiteral("reason=\"%1\"").arg(QLatin1String(metricReason)));
    forget(socket);
    socket->close(code, reason);
    QTimer::singleShot(kCloseGraceMs, socket, [socket] { socket->abort(); });
}

EventsFeed::Client *EventsFeed::find(QWebSocket *socket) const
{
    for (const auto &c : m_clients) {
        if (c->socket == socket)
            return c.get();
    }
    return nullptr;
}

void EventsFeed::forget(QWebSocket *socket)
{
    m_clients.erase(
        std::remove_if(m_clients.begin(), m_clients.end(), [socket](const auto &c) { return c->socket == socket; }),
        m_clients.end());
}

} // namespace Provisio

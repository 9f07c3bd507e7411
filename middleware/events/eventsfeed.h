// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/principal.h"
#include "domain/eventbus.h"

#include <QByteArray>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <QUrlQuery>
#include <QWebSocketProtocol>

#include <memory>
#include <vector>

class QWebSocket;

namespace Provisio {

class HttpServer;
class Metrics;
class TokenStore;

// The live event feed: WebSocket `/api/v1/events` on the API's own port.
//
// Qt HTTP Server 6.4.2 upgrades a request only when handleRequest answers
// nothing, so HttpServer lets this path through unanswered and the feed
// authenticates *after* the upgrade, from the handshake request: a CRM token
// of any role in `Authorization: Bearer …`, or `?access_token=…` for browsers
// (which cannot set headers on a WebSocket). A missing, bad or later revoked
// token closes the socket with 1008 (policy violation).
//
// Query: `type=` comma-separated type filters ("registration,device.online";
// see EventBus::typeMatches), `deviceId=` and `registrationId=` comma-separated
// ids; every given filter must match. An unknown parameter or event type is
// refused before the upgrade with a 400 that names it (queryProblem), rather
// than silently streaming nothing or all. The first message is
// `{"type":"hello","idScope":…,"filters":…}`, then one JSON text message per
// matching event (DomainEvent::toJson), its data as the token's role may see
// it (Visibility: e.g. a viewer gets webhook and token events without data).
//
// Idle connections get a ping every pingInterval; a peer that has not answered
// the previous ping by the next one is dropped. A client that reads slower than
// events arrive is closed (1008, "client too slow") once maxBufferedBytes wait
// unsent for it: the middleware never buffers without bound for a slow reader.
class EventsFeed : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        int pingIntervalMs = 30000;
        qint64 maxBufferedBytes = 1 << 20;
        int maxClients = 1000;
    };

    EventsFeed(HttpServer &server, EventBus &events, TokenStore &tokens, const QString &idScope, Metrics *metrics,
               Options options, QObject *parent = nullptr);
    ~EventsFeed() override;

    static QString path() { return QStringLiteral("/api/v1/events"); }
    // What is wrong with a connection's query (an unknown parameter or event
    // type), for the client to read; empty when nothing is. Reads only its
    // argument: it runs on the thread that serves the connection.
    static QString queryProblem(const QUrlQuery &query);
    int clientCount() const { return int(m_clients.size()); }

private:
    struct Filter
    {
        QStringList types;
        QSet<QString> deviceIds;
        QSet<QString> registrationIds; // lower case: registration ids ignore case
        bool matches(const DomainEvent &event) const;
        QJsonObject toJson() const;
    };
    struct Client
    {
        QWebSocket *socket = nullptr;
        Filter filter;
        QByteArray token;         // re-checked on every ping, so revocation ends the feed
        Role role = Role::Viewer; // what it may see of each event (Visibility)
        bool awaitingPong = false;
    };

    void acceptPending();
    void accept(QWebSocket *socket);
    void deliver(const DomainEvent &event);
    void pingAll();
    // Stops sending to the client and closes it; aborts if the peer does not
    // complete the close handshake.
    // `metricReason` is a fixed label value, never client input.
    void drop(QWebSocket *socket, QWebSocketProtocol::CloseCode code, const QString &reason, const char *metricReason);
    Client *find(QWebSocket *socket) const;
    void forget(QWebSocket *socket);
    bool send(Client &client, const QString &message);

    HttpServer &m_server;
    TokenStore &m_tokens;
    QString m_idScope;
    Metrics *m_metrics;
    Options m_options;
    std::vector<std::unique_ptr<Client>> m_clients;
    QTimer m_pingTimer;
};

} // namespace Provisio

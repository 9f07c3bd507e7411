// SPDX-License-Identifier: Apache-2.0
#include "listwalker.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTimer>

#include <algorithm>
#include <memory>

namespace Provisio::Bench {

namespace {
constexpr int kConnectTimeoutMs = 60000;
} // namespace

ListWalker::ListWalker(const Endpoint &endpoint, const QString &bearerToken, int clients)
    : m_endpoint(endpoint),
      m_headers("Authorization: Bearer " + bearerToken.toUtf8() + "\r\nAccept: application/json\r\n"),
      m_clients(std::max(1, clients))
{ }

QByteArray ListWalker::nextCursor(const QByteArray &body)
{
    static const QByteArray key = QByteArrayLiteral("\"nextCursor\":\"");
    const qsizetype at = body.lastIndexOf(key);
    if (at < 0)
        return {};
    const qsizetype start = at + key.size();
    const qsizetype end = body.indexOf('"', start);
    if (end < 0)
        return {};
    const QByteArray raw = body.mid(start, end - start);
    if (!raw.contains('\\'))
        return raw;
    // An escaped cursor: let the JSON parser undo the escapes.
    return QJsonDocument::fromJson(body).object().value(QLatin1String("nextCursor")).toString().toUtf8();
}

ListWalker::Result ListWalker::walk(const QByteArray &path, int limit)
{
    Result r;
    struct Client
    {
        std::unique_ptr<RawHttpsConnection> connection;
        qint64 sentAt = 0;
        bool done = false;
    };
    std::vector<Client> clients(static_cast<size_t>(m_clients));
    r.pages.resize(clients.size());

    QEventLoop loop;
    QElapsedTimer clock;
    clock.start();
    bool running = false;
    int connected = 0;
    int finished = 0;
    const QByteArray first = path + "?limit=" + QByteArray::number(limit);

    auto send = [&](Client &c, const QByteArray &cursor) {
        const QByteArray target = cursor.isEmpty() ? first : first + "&cursor=" + cursor.toPercentEncoding();
        c.sentAt = clock.nsecsElapsed();
        c.connection->send(RawHttpsConnection::buildRequest("GET", target, m_endpoint.hostHeader(), m_headers, {}));
    };
    auto finishClient = [&](Client &c) {
        if (c.done)
            return;
        c.done = true;
        if (++finished == int(clients.size())) {
            r.wallNs = clock.nsecsElapsed() - r.connectNs;
            loop.quit();
        }
    };
    auto fail = [&](Client &c, const QString &why) {
        if (r.failedPages++ == 0)
            r.failureExample = why;
        finishClient(c);
    };

    for (size_t i = 0; i < clients.size(); ++i) {
        Client &client = clients[i];
        client.connection = std::make_unique<RawHttpsConnection>(m_endpoint);
        client.connection->onConnected([&] {
            if (++connected < int(clients.size()))
                return;
            running = true;
            r.connectNs = clock.nsecsElapsed();
            for (Client &c : clients)
                send(c, {});
        });
        client.connection->onResponse([&, i](int status, QByteArray body) {
            Client &c = clients[i];
            r.latencyNs.push_back(clock.nsecsElapsed() - c.sentAt);
            if (status != 200) {
                fail(c, QStringLiteral("HTTP %1: %2").arg(status).arg(QString::fromUtf8(body.left(300))));
                return;
            }
            const QByteArray cursor = nextCursor(body);
            r.pages[i].push_back(std::move(body));
            if (cursor.isEmpty())
                finishClient(c);
            else
                send(c, cursor); // the next page leaves before any bookkeeping
        });
        client.connection->onError([&, i](const QString &reason) {
            if (!running) {
                if (r.abortReason.isEmpty())
                    r.abortReason = QStringLiteral("cannot open a connection: %1").arg(reason);
                loop.quit();
                return;
            }
            fail(clients[i], reason);
        });
    }
    QTimer::singleShot(kConnectTimeoutMs, &loop, [&] {
        if (!running) {
            r.abortReason = QStringLiteral("only %1 of %2 connections opened").arg(connected).arg(clients.size());
            loop.quit();
        }
    });
    for (Client &c : clients)
        c.connection->connectToServer();
    loop.exec();
    for (Client &c : clients)
        c.connection->disconnectFromServer();
    return r;
}

ListWalker::Verdict ListWalker::verify(const Result &result, const QString &keyField)
{
    Verdict v;
    for (size_t client = 0; client < result.pages.size(); ++client) {
        qint64 rows = 0;
        QSet<QString> seen;
        for (const QByteArray &page : result.pages[client]) {
            QJsonParseError parseError;
            const QJsonDocument doc = QJsonDocument::fromJson(page, &parseError);
            if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
                v.error = QStringLiteral("a page is not a JSON object: %1").arg(parseError.errorString());
                return v;
            }
            const QJsonArray items = doc.object().value(QLatin1String("items")).toArray();
            for (const QJsonValue &item : items) {
                const QString key = item.toObject().value(keyField).toString();
                // Keyset paging repeats or skips nothing: each key once.
                if (key.isEmpty() || seen.contains(key)) {
                    v.error = QStringLiteral("row '%1' (%2) missing or seen twice").arg(key, keyField);
                    return v;
                }
                seen.insert(key);
                ++rows;
            }
        }
        if (client > 0 && rows != v.rowsPerWalk) {
            v.error = QStringLiteral("one walk saw %1 rows, another %2").arg(v.rowsPerWalk).arg(rows);
            return v;
        }
        v.rowsPerWalk = rows;
        v.rows += rows;
    }
    return v;
}

} // namespace Provisio::Bench

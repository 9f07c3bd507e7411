// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "httprequest.h"
#include "httpresponse.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>
#include <vector>

namespace Provisio {

// Who may call a route: nobody needs a bearer token for Public routes (the
// device API authenticates with SAS tokens inside its handlers); the others
// need a CRM token of at least that role.
enum class Access { Public, Viewer, Operator, Admin };

using Handler = std::function<HttpResponse(HttpRequest &)>;

// Maps method + path pattern to a handler. Patterns are '/'-separated; a
// segment `{name}` captures one decoded path segment into HttpRequest::params.
// Literal segments win over captures, so `/enrollments/groups` and
// `/enrollments/{id}` can coexist.
class Router
{
public:
    struct Route
    {
        QHttpServerRequest::Method method;
        QStringList segments;
        Access access;
        qint64 maxBodyBytes;
        Handler handler;
        QString pattern;
        // Derived from `segments` once, when the route is added: matching
        // runs for every request and must not redo it.
        QList<bool> captures; // per segment: a `{name}` capture
        QStringList names;    // per segment: the capture's name (empty for literals)
        int specificity = 0;  // higher is more specific (literals count more)
    };

    struct Match
    {
        const Route *route = nullptr;
        bool pathMatched = false; // path known, method not allowed -> 405
        QHash<QString, QString> params;
    };

    static constexpr qint64 kDefaultMaxBody = 1 << 20; // 1 MiB

    void add(QHttpServerRequest::Method method, const QString &pattern, Access access, Handler handler,
             qint64 maxBodyBytes = kDefaultMaxBody);

    Match match(QHttpServerRequest::Method method, const QString &path) const;

    // The body limit of the route `method` + `path` would reach (path as
    // sent, without the query), or `fallback` when none matches: what the
    // front door enforces before a body is read.
    qint64 bodyLimitFor(const QByteArray &method, const QByteArray &path, qint64 fallback) const;
    // The smallest body limit of any route (and `fallback`).
    qint64 smallestBodyLimit(qint64 fallback) const;

    // Every registered route, in registration order (for `provisio-middleware routes`).
    const QList<Route> &routes() const { return m_routes; }

    // Work that answers requests later (HttpResponse::later) but can be
    // finished at once: the server runs these when a request arrives on a
    // connection whose earlier answer is still pending (a pipelining
    // client), so that answers keep the order of their requests.
    void addSettle(std::function<void()> settle) { m_settles.push_back(std::move(settle)); }
    void settle() const
    {
        for (const auto &s : m_settles)
            s();
    }

    // Splits a URL path into decoded segments; empty segments are dropped.
    static QStringList splitPath(const QString &path);

private:
    QList<Route> m_routes;
    // Route indices by segment count: a path is compared only with the
    // routes that have as many segments.
    QHash<qsizetype, QList<qsizetype>> m_bySegmentCount;
    std::vector<std::function<void()>> m_settles;
};

} // namespace Provisio

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/principal.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QHttpServerRequest>
#include <QString>
#include <QUrlQuery>

#include <optional>

namespace Provisio {

// A request as handlers see it: decoded path parameters, query, body, caller.
// Independent of the Qt HTTP Server version, so an upgrade touches only
// HttpServer.
struct HttpRequest
{
    QHttpServerRequest::Method method = QHttpServerRequest::Method::Unknown;
    QString path;
    QUrlQuery query;
    QByteArray body;
    QHostAddress remoteAddress; // the connection's peer (a proxy, behind one)
    // The client as far as it can be trusted: the peer, or the address a
    // trusted proxy forwarded (ClientAddress::resolve). What per-client
    // limits and audit entries use.
    QHostAddress clientAddress;
    QList<QPair<QByteArray, QByteArray>> headers;
    QHash<QString, QString> params;
    std::optional<Principal> principal;
    QString trackingId;
    QString routePattern; // the matched route's pattern, for metrics

    QString param(const QString &name) const { return params.value(name); }
    QString queryValue(const QString &name) const { return query.queryItemValue(name, QUrl::FullyDecoded); }
    bool hasQuery(const QString &name) const { return query.hasQueryItem(name); }
    // Case-insensitive header lookup; empty when absent.
    QByteArray header(const QByteArray &name) const
    {
        for (const auto &h : headers) {
            if (h.first.compare(name, Qt::CaseInsensitive) == 0)
                return h.second;
        }
        return {};
    }
    // The actor name for audit entries ("token:name", or "device:<id>").
    QString actor() const { return principal ? principal->actor() : QStringLiteral("anonymous"); }
};

} // namespace Provisio

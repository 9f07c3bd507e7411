// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/error.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QPair>

#include <functional>
#include <memory>
#include <optional>

namespace Provisio {

class DeferredResponse;

// What a handler answers. Built with the static helpers so every JSON body
// and every error looks the same across the API.
struct HttpResponse
{
    int status = 200;
    QByteArray contentType;
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;
    // Set by error(); the server renders it with the request's tracking id.
    std::optional<Error> failure;
    // Set by later(): the handler answers afterwards through this object.
    std::shared_ptr<DeferredResponse> deferred;

    static HttpResponse json(const QJsonObject &object, int status = 200);
    static HttpResponse json(const QJsonArray &array, int status = 200);
    static HttpResponse text(const QByteArray &body, const QByteArray &contentType, int status = 200);
    static HttpResponse noContent();
    // The one error shape: {"errorCode", "trackingId", "message", "timestampUtc"}
    // with the HTTP status mapped from the error code; the server adds the
    // request's tracking id when it writes the response.
    static HttpResponse error(const Error &error);
    static HttpResponse error(ErrorCode code, const QString &message) { return error(Error(code, message)); }
    // "I will answer later": the handler returns at once (the event loop
    // must not wait for a device) and calls deferred->complete() when the
    // answer is there.
    static HttpResponse later(std::shared_ptr<DeferredResponse> deferred);

    HttpResponse &withHeader(const QByteArray &name, const QByteArray &value)
    {
        headers.append({name, value});
        return *this;
    }
    // Sets the ETag header (quoted, as HTTP wants it).
    HttpResponse &withEtag(const QString &etag);
    bool isError() const { return status >= 400; }
};

// The answer to a request whose handler returned HttpResponse::later(). The
// handler completes it exactly once, in the server's thread, whenever its
// work is done (a device answered, a timeout fired); the server writes the
// response if the client is still connected and drops it otherwise. A
// handler must make sure completion comes (its own timeout): the server
// keeps no timer of its own.
class DeferredResponse
{
public:
    // Later calls are ignored.
    void complete(HttpResponse response);
    bool isCompleted() const { return m_completed; }

private:
    friend class HttpServer;
    // Installed by the server; until then (or without a server, as in
    // HttpServer::dispatch) an early completion is kept in m_early.
    void setWriter(std::function<void(HttpResponse)> writer);

    std::function<void(HttpResponse)> m_writer;
    std::optional<HttpResponse> m_early;
    bool m_completed = false;
};

} // namespace Provisio

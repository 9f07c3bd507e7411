// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/error.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QPair>

#include <optional>

namespace Provisio {

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

    static HttpResponse json(const QJsonObject &object, int status = 200);
    static HttpResponse json(const QJsonArray &array, int status = 200);
    static HttpResponse text(const QByteArray &body, const QByteArray &contentType, int status = 200);
    static HttpResponse noContent();
    // The one error shape: {"errorCode", "trackingId", "message", "timestampUtc"}
    // with the HTTP status mapped from the error code; the server adds the
    // request's tracking id when it writes the response.
    static HttpResponse error(const Error &error);
    static HttpResponse error(ErrorCode code, const QString &message)
    {
        return error(Error(code, message));
    }

    HttpResponse &withHeader(const QByteArray &name, const QByteArray &value)
    {
        headers.append({name, value});
        return *this;
    }
    // Sets the ETag header (quoted, as HTTP wants it).
    HttpResponse &withEtag(const QString &etag);
    bool isError() const { return status >= 400; }
};

} // namespace Provisio

// SPDX-License-Identifier: Apache-2.0
#include "httpwire.h"

#include "crypto/keys.h"

#include <QUrl>

namespace Provisio {

namespace {
QHttpServerRequest::Method methodOf(const QByteArray &name)
{
    using M = QHttpServerRequest::Method;
    // Case-sensitive, as the method token is (and as Qt matched it).
    switch (name.size()) {
    case 3:
        if (name == "GET")
            return M::Get;
        if (name == "PUT")
            return M::Put;
        break;
    case 4:
        if (name == "POST")
            return M::Post;
        if (name == "HEAD")
            return M::Head;
        break;
    case 5:
        if (name == "PATCH")
            return M::Patch;
        break;
    case 6:
        if (name == "DELETE")
            return M::Delete;
        break;
    case 7:
        if (name == "OPTIONS")
            return M::Options;
        if (name == "CONNECT")
            return M::Connect;
        break;
    default:
        break;
    }
    return M::Unknown;
}

// Every value of the fields named `name`, joined by ", " (how a repeated
// field reads as one).
QByteArray combined(const RequestFraming::Head &head, QByteArrayView name)
{
    QByteArray out;
    bool first = true;
    for (const auto &field : head.fields) {
        if (QByteArrayView(field.first).compare(name, Qt::CaseInsensitive) != 0)
            continue;
        if (!first)
            out.append(", ");
        out.append(field.second);
        first = false;
    }
    return out;
}
} // namespace

HttpRequest HttpWire::toHttpRequest(RequestFraming::Head head, QByteArray body, const QHostAddress &peer,
                                    const QList<ClientAddress::Range> &trustedProxies)
{
    HttpRequest req;
    req.method = methodOf(head.method);
    // Through QUrl as Qt HTTP Server 6.4 did: escapes normalised to upper
    // case, unreserved characters unescaped, a fragment dropped, the
    // absolute form reduced to its path; the routes rely on that spelling.
    const QUrl url = QUrl::fromEncoded(head.target);
    req.path = url.path(QUrl::FullyEncoded);
    req.query = QUrlQuery(url.query());
    req.body = std::move(body);
    req.remoteAddress = peer;
    req.headers = std::move(head.fields);
    req.clientAddress = ClientAddress::resolve(req.remoteAddress, req.headers, trustedProxies);
    req.trackingId = Crypto::randomIdentifier(12);
    return req;
}

bool HttpWire::asksForWebSocket(const RequestFraming::Head &head)
{
    return combined(head, "connection").toLower().contains("upgrade") &&
           combined(head, "upgrade").compare("websocket", Qt::CaseInsensitive) == 0;
}

bool HttpWire::closesAfter(const RequestFraming::Head &head)
{
    // The Connection field is a list of options; each compared whole.
    bool close = false;
    bool keepAlive = false;
    const QByteArray connection = combined(head, "connection");
    const QByteArrayView options(connection);
    qsizetype from = 0;
    while (from <= options.size()) {
        qsizetype comma = options.indexOf(',', from);
        if (comma < 0)
            comma = options.size();
        const QByteArrayView name = options.sliced(from, comma - from).trimmed();
        close = close || name.compare("close", Qt::CaseInsensitive) == 0;
        keepAlive = keepAlive || name.compare("keep-alive", Qt::CaseInsensitive) == 0;
        from = comma + 1;
    }
    return close || (head.minorVersion == 0 && !keepAlive);
}

QByteArray HttpWire::render(const HttpResponse &response, bool closing)
{
    const QByteArray phrase = reasonPhrase(response.status);
    QByteArray out;
    out.reserve(96 + phrase.size() + response.contentType.size() + 48 * response.headers.size() + response.body.size());
    out.append("HTTP/1.1 ").append(QByteArray::number(response.status));
    if (!phrase.isEmpty())
        out.append(' ').append(phrase);
    out.append("\r\n");
    if (!response.contentType.isEmpty())
        out.append("Content-Type: ").append(response.contentType).append("\r\n");
    out.append("Content-Length: ").append(QByteArray::number(response.body.size())).append("\r\n");
    for (const auto &h : response.headers)
        out.append(h.first).append(": ").append(h.second).append("\r\n");
    if (closing)
        out.append("Connection: close\r\n");
    out.append("\r\n");
    out.append(response.body);
    return out;
}

QByteArray HttpWire::reasonPhrase(int status)
{
    // RFC 9110, section 15, for the statuses this server may send.
    switch (status) {
    case 100:
        return "Continue";
    case 101:
        return "Switching Protocols";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 304:
        return "Not Modified";
    case 307:
        return "Temporary Redirect";
    case 308:
        return "Permanent Redirect";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 411:
        return "Length Required";
    case 412:
        return "Precondition Failed";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 415:
        return "Unsupported Media Type";
    case 416:
        return "Range Not Satisfiable";
    case 417:
        return "Expectation Failed";
    case 422:
        return "Unprocessable Content";
    case 426:
        return "Upgrade Required";
    case 428:
        return "Precondition Required";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return {};
    }
}

} // namespace Provisio

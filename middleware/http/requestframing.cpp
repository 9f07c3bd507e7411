// SPDX-License-Identifier: Apache-2.0
#include "requestframing.h"

#include <QList>

#include <cstring>

namespace Provisio {

namespace {
QByteArray lowerTrimmed(QByteArray s)
{
    return s.trimmed().toLower();
}

std::optional<qint64> parseDecimal(const QByteArray &text)
{
    if (text.isEmpty() || text.size() > 18)
        return std::nullopt;
    qint64 value = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        value = value * 10 + (c - '0');
    }
    return value;
}

std::optional<qint64> parseHex(const QByteArray &text)
{
    if (text.isEmpty() || text.size() > 15)
        return std::nullopt;
    qint64 value = 0;
    for (char c : text) {
        int digit;
        if (c >= '0' && c <= '9')
            digit = c - '0';
        else if (c >= 'a' && c <= 'f')
            digit = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            digit = c - 'A' + 10;
        else
            return std::nullopt;
        value = value * 16 + digit;
    }
    return value;
}

// A field name: RFC 9110's token characters.
bool isToken(QByteArrayView name)
{
    for (const char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        (c != '\0' && QByteArrayView("!#$%&'*+-.^_`|~").contains(c));
        if (!ok)
            return false;
    }
    return !name.isEmpty();
}

RequestFraming::Rejection reject(int status, const char *message)
{
    return {status, QByteArray(message)};
}
} // namespace

RequestFraming::RequestFraming(Limits limits, BodyLimit bodyLimit) : m_limits(limits), m_bodyLimit(std::move(bodyLimit))
{ }

qint64 RequestFraming::skippable() const
{
    return (m_phase == Phase::Body || m_phase == Phase::ChunkData) ? m_remaining : 0;
}

bool RequestFraming::takeExpectContinue()
{
    const bool expect = m_expectContinue;
    m_expectContinue = false;
    return expect;
}

std::optional<RequestFraming::Rejection> RequestFraming::feedToNextEvent(const char *data, qint64 size)
{
    m_stopAtEvents = true;
    auto rejection = feed(data, size);
    m_stopAtEvents = false;
    return rejection;
}

std::optional<RequestFraming::Rejection> RequestFraming::feed(const char *data, qint64 size)
{
    qint64 &i = m_lastFeedConsumed;
    i = 0;
    m_event = false;
    while (i < size) {
        if (m_event && m_stopAtEvents)
            break;
        switch (m_phase) {
        case Phase::Body:
        case Phase::ChunkData: {
            const qint64 take = qMin(m_remaining, size - i);
            if (m_keepBody && data)
                m_body.append(data + i, take);
            m_remaining -= take;
            i += take;
            if (m_remaining == 0) {
                if (m_phase == Phase::Body)
                    finishRequest();
                else
                    m_phase = Phase::ChunkDataEnd;
            }
            continue;
        }
        default:
            break;
        }
        if (!data)
            return reject(500, "framing lost"); // a caller bug: bytes beyond skippable() without content
        if (m_phase == Phase::Idle) {
            // Empty lines between requests are allowed (RFC 9112, 2.2).
            const char c = data[i];
            if (c == '\r' || c == '\n') {
                ++i;
                continue;
            }
            m_phase = Phase::Head;
            m_head.reset();
            m_body.clear();
            m_buffer.clear();
            m_requestLineEnd = -1;
        }
        if (m_phase == Phase::Head) {
            if (auto r = headBytes(data, size))
                return r;
            continue;
        }
        const char c = data[i++];
        if (c == '\0')
            return reject(400, "NUL byte in the request");
        switch (m_phase) {
        case Phase::Idle:
        case Phase::Head:
            break; // handled above
        case Phase::ChunkSize:
            if (c == '\n') {
                if (auto r = chunkSizeLine())
                    return r;
            } else {
                m_buffer.append(c);
                if (m_buffer.size() > m_limits.maxChunkLineBytes)
                    return reject(400, "chunk size line too long");
            }
            break;
        case Phase::ChunkDataEnd:
            if (c == '\r')
                break;
            if (c != '\n')
                return reject(400, "chunk data longer than its size");
            m_phase = Phase::ChunkSize;
            m_buffer.clear();
            break;
        case Phase::Trailers:
            if (auto r = trailerByte(c))
                return r;
            break;
        case Phase::Body:
        case Phase::ChunkData:
            break; // handled above
        }
    }
    return std::nullopt;
}

// The head is taken a line at a time rather than a byte at a time: this runs
// for every request, and a per-byte append with its checks cost more than the
// rest of the framing together. The result is the same as byte by byte: the
// first byte that breaks a limit is the one reported (lastFeedConsumed()),
// and when two limits break at the same byte the NUL wins, then the request
// line, then the header section.
std::optional<RequestFraming::Rejection> RequestFraming::headBytes(const char *data, qint64 size)
{
    qint64 &i = m_lastFeedConsumed;
    const char *from = data + i;
    const qint64 available = size - i;
    const char *newline = static_cast<const char *>(memchr(from, '\n', size_t(available)));
    const qint64 span = newline ? (newline - from) + 1 : available;
    const qint64 held = m_buffer.size();

    // Offsets (within the span) of the first byte that breaks each limit.
    qint64 breaks = span;
    int status = 0;
    const char *message = nullptr;
    if (const void *nul = memchr(from, '\0', size_t(span))) {
        breaks = static_cast<const char *>(nul) - from;
        status = 400;
        message = "NUL byte in the request";
    }
    if (m_requestLineEnd < 0) {
        // The line's own bytes count; its newline ends it instead.
        const qint64 at = m_limits.maxRequestLineBytes - held;
        if (at < breaks && at < (newline ? span - 1 : span)) {
            breaks = at;
            status = 414;
            message = "request line too long";
        }
    }
    if (const qint64 at = m_limits.maxHeaderBytes - held; at < breaks) {
        breaks = at;
        status = 431;
        message = "request header section too large";
    }
    if (status != 0) {
        i += breaks + 1;
        return reject(status, message);
    }

    m_buffer.append(from, span);
    i += span;
    if (!newline)
        return std::nullopt;
    if (m_requestLineEnd < 0)
        m_requestLineEnd = m_buffer.size();
    if (m_buffer.endsWith("\r\n\r\n") || m_buffer.endsWith("\n\n"))
        return finishHead();
    return std::nullopt;
}

std::optional<RequestFraming::Rejection> RequestFraming::finishHead()
{
    // Walked in place: splitting the head into lists of byte arrays cost
    // more than everything else the framing does per request.
    const QByteArrayView all(m_buffer);
    qsizetype lineStart = 0;
    auto nextLine = [&all, &lineStart]() {
        const qsizetype end = all.indexOf('\n', lineStart);
        const qsizetype stop = end < 0 ? all.size() : end;
        const QByteArrayView line = all.sliced(lineStart, stop - lineStart).trimmed();
        lineStart = stop + 1;
        return line;
    };
    const QByteArrayView requestLine = nextLine();
    const qsizetype sp1 = requestLine.indexOf(' ');
    const qsizetype sp2 = sp1 < 0 ? -1 : requestLine.indexOf(' ', sp1 + 1);
    if (sp1 <= 0 || sp2 < 0 || sp2 == sp1 + 1 || requestLine.indexOf(' ', sp2 + 1) >= 0)
        return reject(400, "malformed request line");
    const QByteArrayView version = requestLine.sliced(sp2 + 1);
    if (version.size() != 8 || !version.startsWith("HTTP/1.") || version.at(7) < '0' || version.at(7) > '9')
        return reject(400, "malformed request line");
    Head head;
    head.method = requestLine.first(sp1).toByteArray();
    head.minorVersion = version.at(7) - '0';
    const QByteArrayView target = requestLine.sliced(sp1 + 1, sp2 - sp1 - 1);
    head.target = target.toByteArray();
    const qsizetype q = target.indexOf('?');
    head.path = q >= 0 ? target.first(q).toByteArray() : head.target;

    std::optional<qint64> length;
    bool hasTransferEncoding = false;
    while (lineStart < all.size()) {
        // A line that begins with whitespace would continue the previous
        // field (obsolete line folding) or hide a field name; either is
        // refused (RFC 9112, 5.2), as is whitespace before the colon.
        if (const char first = all.at(lineStart); first == ' ' || first == '\t')
            return reject(400, "malformed header field");
        const QByteArrayView line = nextLine();
        if (line.isEmpty())
            continue;
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0 || !isToken(line.first(colon)))
            return reject(400, "malformed header field");
        const QByteArrayView name = line.first(colon);
        const QByteArrayView value = line.sliced(colon + 1).trimmed();
        head.fields.append({name.toByteArray(), value.toByteArray()});
        if (name.compare("content-length", Qt::CaseInsensitive) == 0) {
            const auto parsed = parseDecimal(value.toByteArray());
            if (!parsed)
                return reject(400, "invalid Content-Length");
            if (length && *length != *parsed)
                return reject(400, "conflicting Content-Length fields");
            length = parsed;
        } else if (name.compare("transfer-encoding", Qt::CaseInsensitive) == 0) {
            hasTransferEncoding = true;
            const QList<QByteArray> codings = value.toByteArray().toLower().split(',');
            if (lowerTrimmed(codings.last()) != "chunked")
                return reject(501, "only the chunked transfer coding is accepted");
            head.chunked = true;
        } else if (name.compare("expect", Qt::CaseInsensitive) == 0) {
            if (value.compare("100-continue", Qt::CaseInsensitive) != 0)
                return reject(417, "only Expect: 100-continue is understood");
            head.expectContinue = true;
        }
    }
    if (hasTransferEncoding && length)
        return reject(400, "Content-Length together with Transfer-Encoding");

    const bool fitsAnyway = !head.chunked && length.value_or(0) <= m_limits.bodyFitsEveryRoute;
    m_bodyLimitBytes =
        fitsAnyway ? m_limits.bodyFitsEveryRoute : (m_bodyLimit ? m_bodyLimit(head.method, head.path) : 0);
    m_bodySeen = 0;
    m_buffer.clear();
    if (m_buffer.capacity() > 4096)
        m_buffer.squeeze(); // a large head does not keep its memory for the connection's life
    if (head.chunked) {
        m_phase = Phase::ChunkSize;
    } else {
        head.contentLength = length.value_or(0);
        if (head.contentLength > m_bodyLimitBytes) {
            m_head = head; // what the refused request announced
            return Rejection{413, QByteArray("request body of ") + QByteArray::number(head.contentLength) +
                                      " bytes exceeds the limit of " + QByteArray::number(m_bodyLimitBytes) + " bytes"};
        }
        m_remaining = head.contentLength;
        m_phase = Phase::Body;
    }
    m_expectContinue = head.expectContinue;
    if (m_keepBody && !head.chunked)
        m_body.reserve(head.contentLength);
    m_head = std::move(head);
    m_event = true;
    m_headCompleted = true;
    if (m_phase == Phase::Body && m_remaining == 0)
        finishRequest();
    return std::nullopt;
}

std::optional<RequestFraming::Rejection> RequestFraming::chunkSizeLine()
{
    QByteArray line = m_buffer.trimmed();
    if (const qsizetype semicolon = line.indexOf(';'); semicolon >= 0)
        line.truncate(semicolon); // chunk extensions
    const auto size = parseHex(line.trimmed());
    if (!size)
        return reject(400, "invalid chunk size");
    m_buffer.clear();
    if (*size == 0) {
        m_phase = Phase::Trailers;
        m_trailerBytes = 0;
        return std::nullopt;
    }
    m_bodySeen += *size;
    if (m_bodySeen > m_bodyLimitBytes)
        return Rejection{413, QByteArray("chunked request body exceeds the limit of ") +
                                  QByteArray::number(m_bodyLimitBytes) + " bytes"};
    m_remaining = *size;
    m_phase = Phase::ChunkData;
    return std::nullopt;
}

std::optional<RequestFraming::Rejection> RequestFraming::trailerByte(char c)
{
    if (++m_trailerBytes > m_limits.maxHeaderBytes)
        return reject(431, "request trailer section too large");
    if (c == '\r')
        return std::nullopt;
    if (c == '\n') {
        if (m_buffer.isEmpty()) {
            finishRequest();
            return std::nullopt;
        }
        m_buffer.clear();
        return std::nullopt;
    }
    m_buffer.append(c);
    return std::nullopt;
}

void RequestFraming::finishRequest()
{
    ++m_completed;
    m_event = true;
    m_phase = Phase::Idle;
    m_remaining = 0;
    m_buffer.clear();
}

} // namespace Provisio

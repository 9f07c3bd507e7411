// SPDX-License-Identifier: Apache-2.0
#include "requestframing.h"

#include <QList>

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

std::optional<RequestFraming::Rejection> RequestFraming::feed(const char *data, qint64 size)
{
    qint64 &i = m_lastFeedConsumed;
    i = 0;
    while (i < size) {
        switch (m_phase) {
        case Phase::Body:
        case Phase::ChunkData: {
            const qint64 take = qMin(m_remaining, size - i);
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
        const char c = data[i++];
        if (c == '\0')
            return reject(400, "NUL byte in the request");
        switch (m_phase) {
        case Phase::Idle:
            // Empty lines between requests are allowed (RFC 9112, 2.2).
            if (c == '\r' || c == '\n')
                continue;
            m_phase = Phase::Head;
            m_head.reset();
            m_buffer.clear();
            m_requestLineEnd = -1;
            [[fallthrough]];
        case Phase::Head:
            if (auto r = headByte(c))
                return r;
            break;
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

std::optional<RequestFraming::Rejection> RequestFraming::headByte(char c)
{
    m_buffer.append(c);
    if (m_requestLineEnd < 0) {
        if (c == '\n')
            m_requestLineEnd = m_buffer.size();
        else if (m_buffer.size() > m_limits.maxRequestLineBytes)
            return reject(414, "request line too long");
    }
    if (m_buffer.size() > m_limits.maxHeaderBytes)
        return reject(431, "request header section too large");
    if (c == '\n' && (m_buffer.endsWith("\r\n\r\n") || m_buffer.endsWith("\n\n")))
        return finishHead();
    return std::nullopt;
}

std::optional<RequestFraming::Rejection> RequestFraming::finishHead()
{
    const QList<QByteArray> lines = m_buffer.split('\n');
    const QByteArray requestLine = lines.value(0).trimmed();
    const QList<QByteArray> parts = requestLine.split(' ');
    if (parts.size() != 3 || parts.at(0).isEmpty() || parts.at(1).isEmpty() || !parts.at(2).startsWith("HTTP/1."))
        return reject(400, "malformed request line");
    Head head;
    head.method = parts.at(0);
    head.path = parts.at(1);
    if (const qsizetype q = head.path.indexOf('?'); q >= 0)
        head.path.truncate(q);

    std::optional<qint64> length;
    bool hasTransferEncoding = false;
    for (qsizetype n = 1; n < lines.size(); ++n) {
        const QByteArray line = lines.at(n).trimmed();
        if (line.isEmpty())
            continue;
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            return reject(400, "malformed header field");
        const QByteArray name = lowerTrimmed(line.left(colon));
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "content-length") {
            const auto parsed = parseDecimal(value);
            if (!parsed)
                return reject(400, "invalid Content-Length");
            if (length && *length != *parsed)
                return reject(400, "conflicting Content-Length fields");
            length = parsed;
        } else if (name == "transfer-encoding") {
            hasTransferEncoding = true;
            const QList<QByteArray> codings = value.toLower().split(',');
            if (lowerTrimmed(codings.last()) != "chunked")
                return reject(501, "only the chunked transfer coding is accepted");
            head.chunked = true;
        } else if (name == "expect") {
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
    m_buffer.squeeze();
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
    m_head = std::move(head);
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
    m_phase = Phase::Idle;
    m_remaining = 0;
    m_buffer.clear();
}

} // namespace Provisio

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>

#include <functional>
#include <optional>
#include <utility>

namespace Provisio {

// Follows the framing of the HTTP/1.1 requests on one connection, byte by
// byte as they arrive and before Qt HTTP Server parses them, and says when
// the stream breaks a limit: a request line or header section too long, a
// body (announced by Content-Length, or counted chunk by chunk) larger than
// the route allows, framing that could smuggle a second request past a proxy
// (Content-Length with Transfer-Encoding, conflicting lengths), a NUL byte.
//
// It never keeps more than one header section in memory and skips body bytes
// without looking at them, so following a connection costs O(header bytes).
//
// It is also the front door's request parser (see FrontDoor): the head it
// takes apart keeps the request target, the HTTP version and the header
// fields, and with keepBody() it collects the body (chunked bodies decoded),
// so the framing rules and the parsing are one piece of code.
class RequestFraming
{
public:
    struct Limits
    {
        int maxRequestLineBytes = 8 * 1024;
        int maxHeaderBytes = 16 * 1024; // request line and header fields together
        int maxChunkLineBytes = 1024;
        // A body announced no larger than this fits every route: its route's
        // limit is not looked up (most requests; the lookup costs a route match).
        qint64 bodyFitsEveryRoute = 0;
    };
    // The largest body the route of `method` + `path` accepts (path without
    // the query); the default when no route matches.
    using BodyLimit = std::function<qint64(const QByteArray &method, const QByteArray &path)>;

    enum class Phase {
        Idle, // between requests (or before the first)
        Head, // request line and header fields
        Body, // Content-Length bytes
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        Trailers,
    };

    struct Rejection
    {
        int status = 400;
        QByteArray message;
    };

    // What the head of a request said, once it is complete.
    struct Head
    {
        QByteArray method;
        QByteArray path;      // the target without its query
        QByteArray target;    // the request target as sent
        int minorVersion = 1; // HTTP/1.x
        // The header fields in order, repeated ones repeated: the name as
        // sent, the value without surrounding whitespace.
        QList<QPair<QByteArray, QByteArray>> fields;
        qint64 contentLength = 0;
        bool chunked = false;
        bool expectContinue = false;
    };

    RequestFraming(Limits limits, BodyLimit bodyLimit);

    // Takes the next `size` bytes of the stream. `data` may be null only for
    // bytes within skippable(). Stops at the first broken limit; the
    // connection must then be answered with the rejection and closed.
    std::optional<Rejection> feed(const char *data, qint64 size);
    // As feed(), but stops right after a head is complete and right after a
    // request is complete (lastFeedConsumed() says where): a parser decides
    // there what to do with the request before the next byte is taken.
    std::optional<Rejection> feedToNextEvent(const char *data, qint64 size);
    // True once after the feed in which a head became complete.
    bool takeHeadCompleted() { return std::exchange(m_headCompleted, false); }

    // Collect body bytes (only those fed with their content; chunked ones
    // decoded) for takeBody(). Bounded by the route's body limit.
    void setKeepBody(bool keep) { m_keepBody = keep; }
    // The collected body of the request that completed last.
    QByteArray takeBody() { return std::exchange(m_body, {}); }
    // The head of the request that completed last, moved out.
    std::optional<Head> takeHead() { return std::exchange(m_head, std::nullopt); }

    // Bytes that may be fed without their content (body bytes).
    qint64 skippable() const;

    Phase phase() const { return m_phase; }
    bool inRequest() const { return m_phase != Phase::Idle; }
    // Requests whose last byte has arrived.
    quint64 completedRequests() const { return m_completed; }
    // The head of the request being received, set once its head is complete;
    // cleared when the next request starts. True when a head completed
    // during the last feed() call and asked for 100-continue.
    const std::optional<Head> &head() const { return m_head; }
    bool takeExpectContinue();
    // Bytes the last feed() took before it returned (all of them, or up to
    // and including the byte that broke a limit).
    qint64 lastFeedConsumed() const { return m_lastFeedConsumed; }

private:
    std::optional<Rejection> headBytes(const char *data, qint64 size);
    std::optional<Rejection> finishHead();
    std::optional<Rejection> chunkSizeLine();
    std::optional<Rejection> trailerByte(char c);
    void finishRequest();

    Limits m_limits;
    BodyLimit m_bodyLimit;
    Phase m_phase = Phase::Idle;
    QByteArray m_buffer; // the head, a chunk-size line or a trailer line
    qint64 m_requestLineEnd = -1;
    qint64 m_remaining = 0; // body or chunk bytes still to come
    qint64 m_bodyLimitBytes = 0;
    qint64 m_bodySeen = 0;
    int m_trailerBytes = 0;
    quint64 m_completed = 0;
    std::optional<Head> m_head;
    bool m_expectContinue = false;
    qint64 m_lastFeedConsumed = 0;
    bool m_stopAtEvents = false;
    bool m_event = false; // a head or a request completed during this feed
    bool m_headCompleted = false;
    bool m_keepBody = false;
    QByteArray m_body;
};

} // namespace Provisio

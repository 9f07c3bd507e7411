// SPDX-License-Identifier: Apache-2.0
#include "tlsloadrunner.h"

#include <QSslCertificate>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>

namespace Provisio::Bench {

namespace {

constexpr int kMaxFailuresInARow = 3; // as RequestRunner: then the connection is given up on
constexpr int kConnectTimeoutMs = 60000;
constexpr int kReadChunk = 32 * 1024;
using Result = RequestRunner::Result;

qint64 nowNs()
{
    timespec t{};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return qint64(t.tv_sec) * 1000000000 + t.tv_nsec;
}

QString sslError(const char *what)
{
    const unsigned long e = ERR_get_error();
    ERR_clear_error();
    if (!e)
        return QString::fromLatin1(what);
    char text[256];
    ERR_error_string_n(e, text, sizeof text);
    return QStringLiteral("%1: %2").arg(QLatin1String(what), QLatin1String(text));
}

struct ContextDeleter
{
    void operator()(SSL_CTX *c) const { SSL_CTX_free(c); }
};

// A client context trusting only the endpoint's CAs (the middleware's own),
// TLS 1.2 or later, reading ahead so that a record costs one read.
std::unique_ptr<SSL_CTX, ContextDeleter> clientContext(const Endpoint &endpoint, QString *error)
{
    std::unique_ptr<SSL_CTX, ContextDeleter> ctx(SSL_CTX_new(TLS_client_method()));
    if (!ctx) {
        *error = sslError("SSL_CTX_new");
        return nullptr;
    }
    SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    SSL_CTX_set_read_ahead(ctx.get(), 1);
    SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    const QList<QSslCertificate> cas = endpoint.sslConfiguration.caCertificates();
    if (cas.isEmpty()) {
        if (SSL_CTX_set_default_verify_paths(ctx.get()) != 1) {
            *error = sslError("the system CAs");
            return nullptr;
        }
        return ctx;
    }
    X509_STORE *store = SSL_CTX_get_cert_store(ctx.get());
    for (const QSslCertificate &ca : cas) {
        const QByteArray der = ca.toDer();
        const unsigned char *p = reinterpret_cast<const unsigned char *>(der.constData());
        X509 *x = d2i_X509(nullptr, &p, long(der.size()));
        if (!x || X509_STORE_add_cert(store, x) != 1) {
            X509_free(x);
            *error = sslError("loading the CA certificate");
            return nullptr;
        }
        X509_free(x);
    }
    return ctx;
}

struct Connection
{
    enum class State { Closed, Connecting, Handshaking, Ready };
    State state = State::Closed;
    int fd = -1;
    SSL *ssl = nullptr;
    quint32 interest = 0;
    const QByteArray *pending = nullptr; // the request being written
    qsizetype written = 0;
    QByteArray in;
    AnswerHead head;
    qsizetype inFlight = -1;
    qint64 sentAt = 0;
    int failuresInARow = 0;
    // Which socket of this slot an epoll event is for: an event of a socket
    // closed earlier in the same wake-up must not drive its successor.
    quint32 generation = 0;

    void close()
    {
        if (ssl)
            SSL_free(ssl);
        ssl = nullptr;
        if (fd >= 0)
            ::close(fd);
        fd = -1;
        state = State::Closed;
        interest = 0;
        pending = nullptr;
        written = 0;
        in.clear();
        head = {};
    }
};

class Loop
{
public:
    Loop(const Endpoint &endpoint, SSL_CTX *ctx, int count, bool keepBodies, const std::function<void()> &beforeFirst)
        : m_endpoint(endpoint), m_ctx(ctx), m_connections(size_t(count)), m_keepBodies(keepBodies),
          m_beforeFirst(beforeFirst)
    { }
    ~Loop()
    {
        for (Connection &c : m_connections)
            c.close();
        if (m_epoll >= 0)
            ::close(m_epoll);
    }

    void run(const std::vector<QByteArray> &requests, Result *r)
    {
        m_requests = &requests;
        m_r = r;
        const qsizetype total = qsizetype(requests.size());
        m_epoll = epoll_create1(EPOLL_CLOEXEC);
        if (m_epoll < 0) {
            r->abortReason = QStringLiteral("epoll_create1: %1").arg(QString::fromLocal8Bit(strerror(errno)));
            return;
        }
        const qint64 start = nowNs();
        for (size_t i = 0; i < m_connections.size(); ++i)
            open(i);
        epoll_event events[128];
        while (m_r->abortReason.isEmpty() && m_done < total) {
            if (!m_running && nowNs() - start > qint64(kConnectTimeoutMs) * 1000000) {
                abort(QStringLiteral("only %1 of %2 connections opened within %3 s")
                          .arg(m_connected)
                          .arg(m_connections.size())
                          .arg(kConnectTimeoutMs / 1000));
                break;
            }
            const int n = epoll_wait(m_epoll, events, int(std::size(events)), m_running ? -1 : 1000);
            if (n < 0 && errno != EINTR) {
                abort(QStringLiteral("epoll_wait: %1").arg(QString::fromLocal8Bit(strerror(errno))));
                break;
            }
            for (int e = 0; e < n; ++e)
                if (const size_t i = size_t(events[e].data.u64 & 0xffffffffu);
                    m_connections[i].generation == quint32(events[e].data.u64 >> 32))
                    drive(i);
        }
        r->connectNs = m_running ? m_startNs - start : nowNs() - start;
        r->wallNs = m_running ? m_endNs - m_startNs : 0;
    }

private:
    void abort(const QString &reason)
    {
        if (m_r->abortReason.isEmpty())
            m_r->abortReason = reason;
        m_endNs = nowNs();
    }

    void watch(size_t i, quint32 interest)
    {
        Connection &c = m_connections[i];
        if (c.interest == interest)
            return;
        epoll_event ev{};
        ev.events = interest;
        ev.data.u64 = (quint64(c.generation) << 32) | quint64(i);
        epoll_ctl(m_epoll, c.interest ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c.fd, &ev);
        c.interest = interest;
    }

    void open(size_t i)
    {
        Connection &c = m_connections[i];
        c.close();
        ++c.generation;
        const bool v6 = m_endpoint.address.protocol() == QAbstractSocket::IPv6Protocol;
        c.fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (c.fd < 0) {
            failed(i, QStringLiteral("socket: %1").arg(QString::fromLocal8Bit(strerror(errno))));
            return;
        }
        // Requests leave in one write; never let Nagle hold back a small one.
        const int one = 1;
        setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        int rc;
        if (v6) {
            sockaddr_in6 a{};
            a.sin6_family = AF_INET6;
            a.sin6_port = htons(m_endpoint.port);
            const Q_IPV6ADDR bytes = m_endpoint.address.toIPv6Address();
            memcpy(&a.sin6_addr, &bytes, sizeof a.sin6_addr);
            rc = ::connect(c.fd, reinterpret_cast<sockaddr *>(&a), sizeof a);
        } else {
            sockaddr_in a{};
            a.sin_family = AF_INET;
            a.sin_port = htons(m_endpoint.port);
            a.sin_addr.s_addr = htonl(m_endpoint.address.toIPv4Address());
            rc = ::connect(c.fd, reinterpret_cast<sockaddr *>(&a), sizeof a);
        }
        if (rc < 0 && errno != EINPROGRESS) {
            failed(i, QStringLiteral("connect: %1").arg(QString::fromLocal8Bit(strerror(errno))));
            return;
        }
        c.state = Connection::State::Connecting;
        watch(i, EPOLLOUT);
    }

    void drive(size_t i)
    {
        Connection &c = m_connections[i];
        switch (c.state) {
        case Connection::State::Closed:
            return;
        case Connection::State::Connecting: {
            int error = 0;
            socklen_t length = sizeof error;
            getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &length);
            if (error) {
                failed(i, QStringLiteral("connect: %1").arg(QString::fromLocal8Bit(strerror(error))));
                return;
            }
            if (!m_endpoint.tls) {
                ready(i);
                return;
            }
            c.ssl = SSL_new(m_ctx);
            const QByteArray host = m_endpoint.hostName.toUtf8();
            SSL_set_fd(c.ssl, c.fd);
            SSL_set_tlsext_host_name(c.ssl, host.constData());
            SSL_set1_host(c.ssl, host.constData());
            c.state = Connection::State::Handshaking;
            [[fallthrough]];
        }
        case Connection::State::Handshaking: {
            const int rc = SSL_connect(c.ssl);
            if (rc == 1) {
                ready(i);
                return;
            }
            const int e = SSL_get_error(c.ssl, rc);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
                watch(i, e == SSL_ERROR_WANT_READ ? EPOLLIN : EPOLLOUT);
                return;
            }
            const long verify = SSL_get_verify_result(c.ssl);
            failed(i, verify != X509_V_OK ? QStringLiteral("TLS verification failed: %1")
                                                .arg(QLatin1String(X509_verify_cert_error_string(verify)))
                                          : sslError("TLS handshake"));
            return;
        }
        case Connection::State::Ready:
            if (c.pending && !writeSome(i))
                return;
            readSome(i);
            return;
        }
    }

    void ready(size_t i)
    {
        Connection &c = m_connections[i];
        c.state = Connection::State::Ready;
        watch(i, EPOLLIN);
        if (m_running) {
            pump(i); // reconnected after a failure
            return;
        }
        if (++m_connected == int(m_connections.size())) {
            m_running = true;
            if (m_beforeFirst)
                m_beforeFirst();
            m_startNs = nowNs();
            for (size_t each = 0; each < m_connections.size(); ++each)
                if (m_connections[each].state == Connection::State::Ready)
                    pump(each);
        }
    }

    void pump(size_t i)
    {
        Connection &c = m_connections[i];
        if (m_next >= qsizetype(m_requests->size()))
            return;
        c.inFlight = m_next++;
        c.sentAt = nowNs();
        c.pending = &(*m_requests)[size_t(c.inFlight)];
        c.written = 0;
        writeSome(i);
    }

    // False when the connection failed.
    bool writeSome(size_t i)
    {
        Connection &c = m_connections[i];
        while (c.pending && c.written < c.pending->size()) {
            const char *data = c.pending->constData() + c.written;
            const int size = int(c.pending->size() - c.written);
            int n;
            if (c.ssl) {
                n = SSL_write(c.ssl, data, size);
                if (n <= 0) {
                    const int e = SSL_get_error(c.ssl, n);
                    if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) {
                        watch(i, EPOLLIN | EPOLLOUT);
                        return true;
                    }
                    failed(i, sslError("TLS write"));
                    return false;
                }
            } else {
                n = int(::send(c.fd, data, size_t(size), MSG_NOSIGNAL));
                if (n < 0) {
                    if (errno == EAGAIN || errno == EINTR) {
                        watch(i, EPOLLIN | EPOLLOUT);
                        return true;
                    }
                    failed(i, QStringLiteral("write: %1").arg(QString::fromLocal8Bit(strerror(errno))));
                    return false;
                }
            }
            c.written += n;
        }
        c.pending = nullptr;
        watch(i, EPOLLIN);
        return true;
    }

    void readSome(size_t i)
    {
        Connection &c = m_connections[i];
        char chunk[kReadChunk];
        for (;;) {
            int n;
            if (c.ssl) {
                n = SSL_read(c.ssl, chunk, int(sizeof chunk));
                if (n <= 0) {
                    const int e = SSL_get_error(c.ssl, n);
                    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
                        return;
                    // OpenSSL 3 reports a close without close_notify as an
                    // SSL error ("unexpected eof"): still the server closing.
                    const bool closed =
                        e == SSL_ERROR_ZERO_RETURN || e == SSL_ERROR_SYSCALL ||
                        (e == SSL_ERROR_SSL && ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING);
                    if (closed)
                        ERR_clear_error();
                    failed(i, closed ? QStringLiteral("the server closed the connection") : sslError("TLS read"));
                    return;
                }
            } else {
                n = int(::recv(c.fd, chunk, sizeof chunk, 0));
                if (n < 0 && (errno == EAGAIN || errno == EINTR))
                    return;
                if (n <= 0) {
                    failed(i, QStringLiteral("the server closed the connection"));
                    return;
                }
            }
            c.in.append(chunk, n);
            if (!parse(i))
                return;
            // A complete answer and nothing more decrypted: the next read
            // would only say "nothing yet"; epoll says when there is more.
            if (c.state != Connection::State::Ready || (c.in.isEmpty() && !(c.ssl && SSL_has_pending(c.ssl))))
                return;
        }
    }

    // False when the connection failed.
    bool parse(size_t i)
    {
        Connection &c = m_connections[i];
        while (!c.in.isEmpty()) {
            if (c.inFlight < 0) {
                failed(i, QStringLiteral("server sent %1 bytes nobody asked for").arg(c.in.size()));
                return false;
            }
            QString error;
            const AnswerFraming framed = frameAnswer(c.in, &c.head, &error);
            if (framed == AnswerFraming::Incomplete)
                return true;
            if (framed == AnswerFraming::Malformed) {
                failed(i, error);
                return false;
            }
            const qsizetype end = c.head.bodyStart + c.head.contentLength;
            const int status = c.head.status;
            if (status / 100 != 1) {
                const qsizetype index = c.inFlight;
                m_r->latencyNs[size_t(index)] = nowNs() - c.sentAt;
                m_r->status[size_t(index)] = status;
                if (m_keepBodies)
                    m_r->bodies[size_t(index)] = c.in.mid(c.head.bodyStart, c.head.contentLength);
                c.inFlight = -1;
                c.failuresInARow = 0;
            }
            c.in.remove(0, end);
            c.head = {};
            if (status / 100 != 1) {
                pump(i); // the next request leaves before any bookkeeping
                finishOne();
            }
        }
        return true;
    }

    void finishOne()
    {
        if (++m_done == qsizetype(m_requests->size()))
            m_endNs = nowNs();
    }

    void failed(size_t i, const QString &reason)
    {
        Connection &c = m_connections[i];
        const bool wasRunning = m_running;
        const qsizetype inFlight = c.inFlight;
        c.inFlight = -1;
        if (c.fd >= 0 && c.interest)
            epoll_ctl(m_epoll, EPOLL_CTL_DEL, c.fd, nullptr);
        c.close();
        m_r->transportErrors[reason] += 1;
        if (!wasRunning) {
            abort(
                QStringLiteral("cannot open connection %1 of %2: %3").arg(i + 1).arg(m_connections.size()).arg(reason));
            return;
        }
        if (inFlight >= 0)
            finishOne(); // status stays 0: a transport failure
        if (++c.failuresInARow >= kMaxFailuresInARow) {
            if (--m_alive == 0)
                abort(QStringLiteral("every connection failed repeatedly; last error: %1").arg(reason));
            return;
        }
        if (m_next < qsizetype(m_requests->size()))
            open(i);
    }

    const Endpoint &m_endpoint;
    SSL_CTX *m_ctx;
    std::vector<Connection> m_connections;
    bool m_keepBodies;
    const std::function<void()> &m_beforeFirst;
    const std::vector<QByteArray> *m_requests = nullptr;
    Result *m_r = nullptr;
    int m_epoll = -1;
    bool m_running = false;
    int m_connected = 0;
    int m_alive = int(m_connections.size());
    qsizetype m_next = 0;
    qsizetype m_done = 0;
    qint64 m_startNs = 0;
    qint64 m_endNs = 0;
};

} // namespace

void runOnEpoll(const Endpoint &endpoint, int concurrency, bool keepBodies, const std::function<void()> &beforeFirst,
                const std::vector<QByteArray> &requests, RequestRunner::Result *r)
{
    std::unique_ptr<SSL_CTX, ContextDeleter> ctx;
    if (endpoint.tls) {
        QString error;
        ctx = clientContext(endpoint, &error);
        if (!ctx) {
            r->abortReason = error;
            return;
        }
    }
    Loop loop(endpoint, ctx.get(), int(std::min<qsizetype>(std::max(1, concurrency), qsizetype(requests.size()))),
              keepBodies, beforeFirst);
    loop.run(requests, r);
}

} // namespace Provisio::Bench

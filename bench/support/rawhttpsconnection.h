// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QObject>
#include <QSslConfiguration>
#include <QString>

#include <functional>

class QSslSocket;

namespace Provisio::Bench {

// Where a benchmark connects: the name the server certificate must carry
// (also sent as SNI and Host), the address actually dialled (resolved once,
// so thousands of requests never wait on a lookup) and the TLS settings
// trusting only the middleware's CA. An empty sslConfiguration means plain
// HTTP.
struct Endpoint
{
    QString hostName;
    QHostAddress address;
    quint16 port = 0;
    bool tls = true;
    QSslConfiguration sslConfiguration;

    // "host:port" as the Host header carries it.
    QByteArray hostHeader() const;
    // Parses https://host:port (or http://), resolving host; caCertificatePath
    // empty means the system CAs. Returns an endpoint with port 0 and sets
    // *error when the URL, the lookup or the CA file is bad.
    static Endpoint fromUrl(const QString &url, const QString &caCertificatePath, QString *error);
};

// The head of one HTTP/1.1 answer at the start of a buffer, once complete.
struct AnswerHead
{
    int status = 0;
    qsizetype bodyStart = -1; // -1 while the header block is incomplete
    qint64 contentLength = 0;
};
enum class AnswerFraming { Incomplete, Complete, Malformed };
// Frames the answer at the start of `buffer` by its Content-Length (no
// chunked bodies), filling *head as soon as the header block is complete:
// Complete once the body is in too, Malformed with *error otherwise.
AnswerFraming frameAnswer(QByteArrayView buffer, AnswerHead *head, QString *error);

// One keep-alive HTTP/1.1 connection that sends pre-built request bytes and
// frames answers by Content-Length, one request in flight at a time. A load
// generator built on QNetworkAccessManager spends more CPU per request than
// the server it measures (and opens at most six connections per host), so
// the benchmarks drive raw sockets on one event loop instead; this class
// parses only what a benchmark needs: the status code and the body.
class RawHttpsConnection : public QObject
{
    Q_OBJECT
public:
    using ConnectedHandler = std::function<void()>;
    using ResponseHandler = std::function<void(int status, QByteArray body)>;
    using ErrorHandler = std::function<void(const QString &reason)>;

    explicit RawHttpsConnection(const Endpoint &endpoint, QObject *parent = nullptr);
    ~RawHttpsConnection() override;

    void onConnected(ConnectedHandler handler) { m_onConnected = std::move(handler); }
    void onResponse(ResponseHandler handler) { m_onResponse = std::move(handler); }
    // Transport failures: refused connection, TLS error, server closed the
    // connection with a request in flight, unparseable answer. The
    // connection is unusable afterwards until connectToServer() again.
    void onError(ErrorHandler handler) { m_onError = std::move(handler); }

    // Opens the TCP connection and, for TLS, completes the handshake
    // (verifying the server against the endpoint's CA) before onConnected.
    void connectToServer();
    void disconnectFromServer();
    bool isReady() const { return m_ready; }
    bool isBusy() const { return m_busy; }

    // Writes one complete request (request line, headers, body). At most one
    // may be outstanding; the next send belongs in the response handler.
    void send(const QByteArray &request);

    // Builds request bytes: `headers` are extra "Name: value\r\n" lines.
    static QByteArray buildRequest(const QByteArray &method, const QByteArray &target, const QByteArray &hostHeader,
                                   const QByteArray &headers, const QByteArray &body);

private:
    void readAvailable();
    void fail(const QString &reason);
    // Returns false while the buffered bytes hold no complete response.
    bool parseOne();

    Endpoint m_endpoint;
    QSslSocket *m_socket = nullptr;
    QByteArray m_buffer;
    AnswerHead m_head;
    bool m_ready = false;
    bool m_busy = false;
    ConnectedHandler m_onConnected;
    ResponseHandler m_onResponse;
    ErrorHandler m_onError;
};

} // namespace Provisio::Bench

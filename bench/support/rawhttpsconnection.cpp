// SPDX-License-Identifier: Apache-2.0
#include "rawhttpsconnection.h"

#include <QFile>
#include <QHostInfo>
#include <QSslCertificate>
#include <QSslSocket>
#include <QUrl>

namespace Provisio::Bench {

QByteArray Endpoint::hostHeader() const
{
    return hostName.toUtf8() + ':' + QByteArray::number(port);
}

Endpoint Endpoint::fromUrl(const QString &url, const QString &caCertificatePath, QString *error)
{
    Endpoint e;
    const QUrl u(url);
    const QString scheme = u.scheme().toLower();
    if (!u.isValid() || u.host().isEmpty() || (scheme != QLatin1String("https") && scheme != QLatin1String("http"))) {
        *error = QStringLiteral("'%1' is not an http(s)://host:port URL").arg(url);
        return e;
    }
    e.tls = scheme == QLatin1String("https");
    e.hostName = u.host();
    const quint16 port = quint16(u.port(e.tls ? 443 : 80));

    // Prefer IPv4: the middleware often listens on 127.0.0.1 only while
    // "localhost" resolves to ::1 first.
    QHostAddress address(e.hostName);
    if (address.isNull()) {
        const QHostInfo info = QHostInfo::fromName(e.hostName);
        for (const QHostAddress &a : info.addresses()) {
            if (address.isNull() ||
                (a.protocol() == QAbstractSocket::IPv4Protocol && address.protocol() != QAbstractSocket::IPv4Protocol))
                address = a;
        }
        if (address.isNull()) {
            *error = QStringLiteral("cannot resolve %1: %2").arg(e.hostName, info.errorString());
            return e;
        }
    }
    e.address = address;

    if (e.tls) {
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        if (!caCertificatePath.isEmpty()) {
            QFile file(caCertificatePath);
            if (!file.open(QIODevice::ReadOnly)) {
                *error = QStringLiteral("cannot read CA certificate %1").arg(caCertificatePath);
                return e;
            }
            const QList<QSslCertificate> cas = QSslCertificate::fromData(file.readAll(), QSsl::Pem);
            if (cas.isEmpty()) {
                *error = QStringLiteral("%1 holds no PEM certificate").arg(caCertificatePath);
                return e;
            }
            // Only the middleware's CA: a certificate from anywhere else fails.
            ssl.setCaCertificates(cas);
        }
        ssl.setPeerVerifyMode(QSslSocket::VerifyPeer);
        ssl.setProtocol(QSsl::TlsV1_2OrLater);
        e.sslConfiguration = ssl;
    }
    e.port = port;
    return e;
}

RawHttpsConnection::RawHttpsConnection(const Endpoint &endpoint, QObject *parent)
    : QObject(parent), m_endpoint(endpoint)
{ }

RawHttpsConnection::~RawHttpsConnection()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

QByteArray RawHttpsConnection::buildRequest(const QByteArray &method, const QByteArray &target,
                                            const QByteArray &hostHeader, const QByteArray &headers,
                                            const QByteArray &body)
{
    QByteArray r;
    r.reserve(method.size() + target.size() + hostHeader.size() + headers.size() + body.size() + 96);
    r += method;
    r += ' ';
    r += target;
    r += " HTTP/1.1\r\nHost: ";
    r += hostHeader;
    r += "\r\n";
    r += headers;
    if (!body.isEmpty() || method == "PUT" || method == "POST") {
        r += "Content-Length: ";
        r += QByteArray::number(body.size());
        r += "\r\n";
    }
    r += "\r\n";
    r += body;
    return r;
}

void RawHttpsConnection::connectToServer()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
    }
    m_ready = false;
    m_busy = false;
    m_buffer.clear();
    m_head = {};
    m_socket = new QSslSocket(this);
    QSslSocket *socket = m_socket;
    // Requests leave in one write; never let Nagle hold back a small one.
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    auto ready = [this, socket] {
        if (socket != m_socket)
            return;
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        m_ready = true;
        if (m_onConnected)
            m_onConnected();
    };
    connect(socket, &QSslSocket::readyRead, this, [this, socket] {
        if (socket == m_socket)
            readAvailable();
    });
    connect(socket, &QSslSocket::errorOccurred, this, [this, socket](QAbstractSocket::SocketError) {
        if (socket != m_socket)
            return;
        // A server that closes an idle keep-alive connection is no failure;
        // the next send() reports it if anyone still wanted the connection.
        if (socket->error() == QAbstractSocket::RemoteHostClosedError && !m_busy) {
            m_ready = false;
            return;
        }
        fail(socket->errorString());
    });
    connect(socket, &QSslSocket::disconnected, this, [this, socket] {
        if (socket != m_socket)
            return;
        if (m_busy)
            fail(QStringLiteral("server closed the connection with a request in flight"));
        m_ready = false;
    });
    if (m_endpoint.tls) {
        connect(socket, &QSslSocket::sslErrors, this, [this, socket](const QList<QSslError> &errors) {
            if (socket != m_socket)
                return;
            QStringList texts;
            for (const QSslError &e : errors)
                texts << e.errorString();
            fail(QStringLiteral("TLS verification failed: ") + texts.join(QStringLiteral("; ")));
        });
        connect(socket, &QSslSocket::encrypted, this, ready);
        socket->setSslConfiguration(m_endpoint.sslConfiguration);
        socket->connectToHostEncrypted(m_endpoint.address.toString(), m_endpoint.port, m_endpoint.hostName);
    } else {
        connect(socket, &QSslSocket::connected, this, ready);
        socket->connectToHost(m_endpoint.address, m_endpoint.port);
    }
}

void RawHttpsConnection::disconnectFromServer()
{
    m_ready = false;
    m_busy = false;
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->disconnectFromHost();
        m_socket->deleteLater();
        m_socket = nullptr;
    }
}

void RawHttpsConnection::send(const QByteArray &request)
{
    if (!m_ready || !m_socket) {
        // Reported asynchronously so callers never re-enter their own handler.
        QMetaObject::invokeMethod(
            this, [this] { fail(QStringLiteral("connection is not open")); }, Qt::QueuedConnection);
        return;
    }
    Q_ASSERT(!m_busy);
    m_busy = true;
    m_socket->write(request);
}

void RawHttpsConnection::fail(const QString &reason)
{
    m_ready = false;
    m_busy = false;
    if (m_socket) {
        QSslSocket *socket = m_socket;
        m_socket = nullptr;
        socket->disconnect(this);
        socket->abort();
        socket->deleteLater();
    }
    if (m_onError)
        m_onError(reason);
}

void RawHttpsConnection::readAvailable()
{
    m_buffer += m_socket->readAll();
    while (m_socket && parseOne()) { }
}

AnswerFraming frameAnswer(QByteArrayView buffer, AnswerHead *head, QString *error)
{
    if (head->bodyStart < 0) {
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end < 0) {
            if (buffer.size() > 64 * 1024) {
                *error = QStringLiteral("response header block exceeds 64 KiB");
                return AnswerFraming::Malformed;
            }
            return AnswerFraming::Incomplete;
        }
        // "HTTP/1.1 202 Accepted"
        bool ok = false;
        const int status = buffer.startsWith("HTTP/1.") && end >= 12 ? buffer.sliced(9, 3).toInt(&ok) : 0;
        if (!ok) {
            *error = QStringLiteral("malformed status line");
            return AnswerFraming::Malformed;
        }
        qint64 contentLength = -1;
        qsizetype lineStart = buffer.indexOf("\r\n") + 2;
        while (lineStart < end) {
            qsizetype lineEnd = buffer.indexOf("\r\n", lineStart);
            if (lineEnd < 0 || lineEnd > end)
                lineEnd = end;
            const QByteArrayView line = buffer.sliced(lineStart, lineEnd - lineStart);
            const qsizetype colon = line.indexOf(':');
            if (colon > 0) {
                const QByteArrayView name = line.first(colon);
                const QByteArrayView value = line.sliced(colon + 1).trimmed();
                if (name.compare("Content-Length", Qt::CaseInsensitive) == 0) {
                    contentLength = value.toLongLong(&ok);
                    if (!ok || contentLength < 0) {
                        *error = QStringLiteral("malformed Content-Length");
                        return AnswerFraming::Malformed;
                    }
                } else if (name.compare("Transfer-Encoding", Qt::CaseInsensitive) == 0) {
                    *error = QStringLiteral("chunked responses are not supported by the benchmark client");
                    return AnswerFraming::Malformed;
                }
            }
            lineStart = lineEnd + 2;
        }
        if (contentLength < 0) {
            // 1xx, 204 and 304 carry no body; anything else must say its length.
            if (status != 204 && status != 304 && status / 100 != 1) {
                *error = QStringLiteral("response %1 without Content-Length").arg(status);
                return AnswerFraming::Malformed;
            }
            contentLength = 0;
        }
        head->status = status;
        head->contentLength = contentLength;
        head->bodyStart = end + 4;
    }
    return buffer.size() < head->bodyStart + head->contentLength ? AnswerFraming::Incomplete : AnswerFraming::Complete;
}

bool RawHttpsConnection::parseOne()
{
    if (m_buffer.isEmpty())
        return false;
    if (!m_busy) {
        fail(QStringLiteral("server sent %1 bytes nobody asked for").arg(m_buffer.size()));
        return false;
    }
    QString error;
    switch (frameAnswer(m_buffer, &m_head, &error)) {
    case AnswerFraming::Incomplete:
        return false;
    case AnswerFraming::Malformed:
        fail(error);
        return false;
    case AnswerFraming::Complete:
        break;
    }
    QByteArray body = m_buffer.mid(m_head.bodyStart, m_head.contentLength);
    m_buffer.remove(0, m_head.bodyStart + m_head.contentLength);
    const int status = m_head.status;
    m_head = {};
    if (status / 100 == 1)
        return true; // interim answer (100 Continue): the real one follows
    m_busy = false;
    if (m_onResponse)
        m_onResponse(status, std::move(body));
    return m_socket && !m_buffer.isEmpty();
}

} // namespace Provisio::Bench

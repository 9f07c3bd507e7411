// SPDX-License-Identifier: Apache-2.0
#pragma once

// A raw HTTP/1.1 client connection for the in-process HTTP tests: it sends
// bytes exactly as given and takes the answers apart by hand, so a test can
// say what goes over the wire. It waits by spinning the event loop, since
// the server under test runs on the test's thread too.

#include <QByteArray>
#include <QDeadlineTimer>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTest>

#include <utility>

namespace Provisio::Test {

class RawHttpClient
{
public:
    explicit RawHttpClient(quint16 port) { m_socket.connectToHost(QHostAddress::LocalHost, port); }

    bool connected()
    {
        QDeadlineTimer deadline(5000);
        while (m_socket.state() != QAbstractSocket::ConnectedState && !deadline.hasExpired())
            QTest::qWait(kPollMs);
        return m_socket.state() == QAbstractSocket::ConnectedState;
    }
    void send(const QByteArray &bytes)
    {
        m_socket.write(bytes);
        m_socket.flush();
    }
    void get(const QByteArray &target) { send("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"); }

    struct Answer
    {
        QByteArray head; // status line and header fields, without the empty line
        QByteArray body;
        QByteArray statusLine() const { return head.left(head.indexOf("\r\n")); }
        QByteArray header(const QByteArray &name) const
        {
            for (const QByteArray &line : head.split('\n')) {
                const qsizetype colon = line.indexOf(':');
                if (colon > 0 && line.left(colon).compare(name, Qt::CaseInsensitive) == 0)
                    return line.mid(colon + 1).trimmed();
            }
            return {};
        }
        QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    };
    // The next complete answer (framed by Content-Length); an empty head
    // when none came in time.
    Answer next(int timeoutMs = 5000)
    {
        QDeadlineTimer deadline(timeoutMs);
        while (!deadline.hasExpired()) {
            m_buffer += m_socket.readAll();
            const qsizetype headEnd = m_buffer.indexOf("\r\n\r\n");
            if (headEnd >= 0) {
                Answer a;
                a.head = m_buffer.left(headEnd);
                const qsizetype length = a.header("Content-Length").toLongLong();
                if (m_buffer.size() >= headEnd + 4 + length) {
                    a.body = m_buffer.mid(headEnd + 4, length);
                    m_buffer.remove(0, headEnd + 4 + length);
                    return a;
                }
            }
            if (m_socket.state() == QAbstractSocket::UnconnectedState && m_socket.bytesAvailable() == 0)
                break;
            QTest::qWait(kPollMs);
        }
        return {};
    }
    // Bytes that arrived and were not taken by next().
    QByteArray rest()
    {
        QTest::qWait(50);
        m_buffer += m_socket.readAll();
        return std::exchange(m_buffer, {});
    }
    bool closedByServer(int timeoutMs = 5000)
    {
        QDeadlineTimer deadline(timeoutMs);
        while (m_socket.state() == QAbstractSocket::ConnectedState && !deadline.hasExpired())
            QTest::qWait(kPollMs);
        return m_socket.state() != QAbstractSocket::ConnectedState;
    }
    bool isOpen() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    void abort() { m_socket.abort(); }

private:
    static constexpr int kPollMs = 2;

    QTcpSocket m_socket;
    QByteArray m_buffer;
};

} // namespace Provisio::Test

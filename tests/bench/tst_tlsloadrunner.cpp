// SPDX-License-Identifier: Apache-2.0
//
// The benchmarks' OpenSSL/epoll load generator (RequestRunner's
// Engine::OpenSslEpoll) against a real TLS server
// (QSslServer on a thread of its own): every answer framed and matched to
// its request, the server verified against the CA and the name it was
// given, and connections the server closes counted and opened again.

#include "support/requestrunner.h"

#include "crypto/certificateauthority.h"

#include <QFile>
#include <QSemaphore>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace Provisio;
using namespace Provisio::Bench;

namespace {

// Answers each request (a head without a body) with 200 and the request's
// target as the body, the head and the body in writes of their own; after
// `closeAfter` answers on a connection (0: never) it closes it.
class EchoServer : public QThread
{
public:
    EchoServer(QSslConfiguration tls, int closeAfter) : m_tls(std::move(tls)), m_closeAfter(closeAfter) { }
    ~EchoServer() override
    {
        quit();
        wait();
    }
    quint16 startListening()
    {
        start();
        m_started.acquire();
        return m_port;
    }

protected:
    void run() override
    {
        QSslServer server;
        server.setSslConfiguration(m_tls);
        server.listen(QHostAddress::LocalHost);
        m_port = server.serverPort();
        QObject::connect(&server, &QTcpServer::pendingConnectionAvailable, &server, [&server, this] {
            while (QTcpSocket *socket = server.nextPendingConnection())
                serve(socket);
        });
        m_started.release();
        exec();
    }

private:
    void serve(QTcpSocket *socket)
    {
        auto answered = std::make_shared<int>(0);
        auto buffer = std::make_shared<QByteArray>();
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        QObject::connect(socket, &QIODevice::readyRead, socket, [=, this] {
            *buffer += socket->readAll();
            qsizetype end;
            while ((end = buffer->indexOf("\r\n\r\n")) >= 0) {
                const QByteArray line = buffer->left(buffer->indexOf("\r\n"));
                buffer->remove(0, end + 4);
                const QByteArray target = line.split(' ').value(1);
                socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                              QByteArray::number(target.size()) + "\r\n\r\n");
                socket->flush();
                socket->write(target);
                if (m_closeAfter > 0 && ++*answered == m_closeAfter) {
                    socket->disconnectFromHost();
                    return;
                }
            }
        });
    }

    QSslConfiguration m_tls;
    int m_closeAfter;
    QSemaphore m_started;
    quint16 m_port = 0;
};

struct Pki
{
    QTemporaryDir dir;
    QSslConfiguration server;
    QString caPath;
};

// A CA of its own and a server certificate for localhost/127.0.0.1.
std::unique_ptr<Pki> makePki()
{
    auto pki = std::make_unique<Pki>();
    const auto ca = CertificateAuthority::loadOrCreate(pki->dir.path());
    if (!ca.ok())
        return nullptr;
    const QString cert = pki->dir.filePath(QStringLiteral("server.crt"));
    const QString key = pki->dir.filePath(QStringLiteral("server.key"));
    if (!ca->issueServerCertificate(cert, key, QStringLiteral("localhost"), {QStringLiteral("localhost")},
                                    {QStringLiteral("127.0.0.1")})
             .ok())
        return nullptr;
    QFile c(cert), k(key);
    if (!c.open(QIODevice::ReadOnly) || !k.open(QIODevice::ReadOnly))
        return nullptr;
    pki->server = QSslConfiguration::defaultConfiguration();
    pki->server.setLocalCertificate(QSslCertificate(c.readAll(), QSsl::Pem));
    pki->server.setPrivateKey(QSslKey(k.readAll(), QSsl::Ec, QSsl::Pem));
    pki->server.setPeerVerifyMode(QSslSocket::VerifyNone);
    pki->caPath = ca->caCertificatePath();
    return pki;
}

std::vector<QByteArray> requests(int count)
{
    std::vector<QByteArray> all;
    for (int i = 0; i < count; ++i)
        all.push_back(RawHttpsConnection::buildRequest("GET", "/item/" + QByteArray::number(i), "localhost", {}, {}));
    return all;
}

// An echo server with a CA of its own, and the endpoint a client reaches
// it by, trusting `clientCa` (the server's own CA unless given).
struct Served
{
    std::unique_ptr<Pki> pki;
    std::unique_ptr<EchoServer> server;
    Endpoint endpoint;
};
Served serve(int closeAfter, const QString &host = QStringLiteral("localhost"), const Pki *clientCa = nullptr)
{
    Served s;
    s.pki = makePki();
    if (!s.pki)
        return s;
    s.server = std::make_unique<EchoServer>(s.pki->server, closeAfter);
    const quint16 port = s.server->startListening();
    QString error;
    s.endpoint = Endpoint::fromUrl(QStringLiteral("https://%1:%2").arg(host).arg(port),
                                   (clientCa ? clientCa : s.pki.get())->caPath, &error);
    return s;
}

RequestRunner::Result runOnEpoll(const Endpoint &endpoint, int concurrency, const std::vector<QByteArray> &all,
                                 std::function<void()> beforeFirst = {})
{
    RequestRunner runner(endpoint, concurrency);
    runner.setEngine(RequestRunner::Engine::OpenSslEpoll);
    runner.setKeepBodies(true);
    runner.setBeforeFirstRequest(std::move(beforeFirst));
    return runner.run(all);
}

} // namespace

class TestTlsLoadRunner : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyAnswerReachesItsRequest()
    {
        const Served s = serve(0);
        QVERIFY(s.endpoint.port);
        bool before = false;
        const auto r = runOnEpoll(s.endpoint, 8, requests(600), [&before] { before = true; });
        QVERIFY2(r.ok(), qPrintable(r.abortReason));
        QVERIFY(before);
        QVERIFY(r.transportErrors.isEmpty());
        QVERIFY(r.wallNs > 0);
        for (int i = 0; i < 600; ++i) {
            QCOMPARE(r.status[size_t(i)], 200);
            QCOMPARE(r.bodies[size_t(i)], "/item/" + QByteArray::number(i));
            QVERIFY(r.latencyNs[size_t(i)] >= 0);
        }
    }

    void aServerFromAnotherCaIsRefused()
    {
        const auto other = makePki();
        QVERIFY(other);
        const Served s = serve(0, QStringLiteral("localhost"), other.get());
        QVERIFY(s.endpoint.port);
        const auto r = runOnEpoll(s.endpoint, 2, requests(4));
        QVERIFY(!r.ok());
        QVERIFY2(r.abortReason.contains(QLatin1String("TLS verification failed")), qPrintable(r.abortReason));
        QCOMPARE(r.status[0], 0);
    }

    void aServerWithoutTheNameIsRefused()
    {
        Served s = serve(0, QStringLiteral("127.0.0.1"));
        QVERIFY(s.endpoint.port);
        s.endpoint.hostName = QStringLiteral("elsewhere.example");
        const auto r = runOnEpoll(s.endpoint, 1, requests(1));
        QVERIFY(!r.ok());
        QVERIFY2(r.abortReason.contains(QLatin1String("TLS verification failed")), qPrintable(r.abortReason));
    }

    void closedConnectionsAreCountedAndOpenedAgain()
    {
        // The server closes each connection after three answers: a request
        // sent meanwhile has no answer (status 0, a transport error), the
        // connection opens again and the run goes on to the last request.
        const Served s = serve(3);
        QVERIFY(s.endpoint.port);
        const auto r = runOnEpoll(s.endpoint, 4, requests(200));
        QVERIFY2(r.ok(), qPrintable(r.abortReason));
        int answered = 0;
        int lost = 0;
        for (int i = 0; i < 200; ++i) {
            if (r.status[size_t(i)] == 200) {
                ++answered;
                QCOMPARE(r.bodies[size_t(i)], "/item/" + QByteArray::number(i));
            } else {
                QCOMPARE(r.status[size_t(i)], 0);
                ++lost;
            }
        }
        QVERIFY(answered >= 150);
        QVERIFY(lost > 0);
        int errors = 0;
        for (int n : r.transportErrors)
            errors += n;
        QVERIFY2(errors >= lost, qPrintable(QStringLiteral("%1 errors for %2 lost").arg(errors).arg(lost)));
        QVERIFY(r.transportErrors.contains(QStringLiteral("the server closed the connection")));
    }

    void nothingListeningAbortsTheRun()
    {
        const auto pki = makePki();
        QVERIFY(pki);
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        const quint16 port = probe.serverPort();
        probe.close();
        QString error;
        const Endpoint endpoint =
            Endpoint::fromUrl(QStringLiteral("https://127.0.0.1:%1").arg(port), pki->caPath, &error);
        const auto r = runOnEpoll(endpoint, 3, requests(3));
        QVERIFY(!r.ok());
        QVERIFY2(r.abortReason.contains(QLatin1String("cannot open connection")), qPrintable(r.abortReason));
    }
};

QTEST_GUILESS_MAIN(TestTlsLoadRunner)
#include "tst_tlsloadrunner.moc"

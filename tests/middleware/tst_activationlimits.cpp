// SPDX-License-Identifier: Apache-2.0
// The limits of POST /api/v1/activation against a real middleware, with
// clients on several loopback source addresses (127.0.0.x): a stranger
// flooding a serial slows only himself, the owner activates from another
// address; a client backs off per serial; a new code and an operator's
// unlock clear the serial's failures; the per-serial ceiling; forwarding
// headers count only from a trusted proxy; the failure log. Runs on a SQLite
// file and, as tst_activationlimits_pg, on PostgreSQL.
#include "childprocesswatch.h"
#include "devicetestutil.h"
#include "middlewareprocess.h"

#include "base/clientaddress.h"
#include "crypto/activationcode.h"
#include "domain/activationlimits.h"

#include <QSslSocket>
#include <QTest>

using namespace Provisio;
using namespace Provisio::Test;

namespace {

// One request from `source` (a loopback address other than 127.0.0.1):
// QNetworkAccessManager cannot pick its source address, a bound socket can.
HttpsClient::Reply postFrom(const MiddlewareProcess &mw, const QString &source, const QString &path,
                            const QByteArray &body, const QList<QPair<QByteArray, QByteArray>> &headers = {})
{
    HttpsClient::Reply reply;
    QSslSocket socket;
    auto cas = QSslCertificate::fromPath(mw.caCertificatePath());
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    ssl.setCaCertificates(cas);
    socket.setSslConfiguration(ssl);
    if (!socket.bind(QHostAddress(source), 0)) {
        reply.error = QStringLiteral("bind %1: %2").arg(source, socket.errorString());
        return reply;
    }
    const QUrl base(mw.baseUrl());
    socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), mw.port(), base.host());
    if (!socket.waitForEncrypted(10000)) {
        reply.error = socket.errorString();
        return reply;
    }
    QByteArray request = "POST " + path.toUtf8() + " HTTP/1.1\r\nHost: " + base.host().toUtf8() +
                         "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
                         QByteArray::number(body.size()) + "\r\n";
    for (const auto &h : headers)
        request += h.first + ": " + h.second + "\r\n";
    socket.write(request + "\r\n" + body);
    QByteArray raw;
    QDeadlineTimer deadline(10000);
    while (!deadline.hasExpired() && socket.state() == QAbstractSocket::ConnectedState) {
        socket.waitForReadyRead(200);
        raw += socket.readAll();
        const int end = raw.indexOf("\r\n\r\n");
        if (end < 0)
            continue;
        const int lengthAt = raw.toLower().indexOf("content-length:");
        if (lengthAt >= 0 && lengthAt < end) {
            const int eol = raw.indexOf("\r\n", lengthAt);
            const int length = raw.mid(lengthAt + 15, eol - lengthAt - 15).trimmed().toInt();
            if (raw.size() >= end + 4 + length)
                break;
        }
    }
    raw += socket.readAll();
    const int end = raw.indexOf("\r\n\r\n");
    if (end < 0) {
        reply.error = QStringLiteral("no answer");
        return reply;
    }
    const QList<QByteArray> lines = raw.left(end).split('\n');
    reply.status = lines.value(0).split(' ').value(1).toInt();
    for (int i = 1; i < lines.size(); ++i) {
        const int colon = lines[i].indexOf(':');
        if (colon > 0)
            reply.headers.append({lines[i].left(colon).trimmed(), lines[i].mid(colon + 1).trimmed()});
    }
    reply.body = raw.mid(end + 4);
    return reply;
}

QByteArray activation(const QString &serial, const QString &code)
{
    return QJsonDocument(QJsonObject{{QStringLiteral("serial"), serial}, {QStringLiteral("code"), code}})
        .toJson(QJsonDocument::Compact);
}

QString wrongCode()
{
    return ActivationCode::format(ActivationCode::generate());
}

} // namespace

class TestActivationLimits : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void backoff_data();
    void backoff();
    void clientAddress_data();
    void clientAddress();
    void strangerCannotLockOutOwner();
    void backoffPerSerialAndClient();
    void newCodeClearsFailures();
    void ceilingAndUnlock();
    void forwardedOnlyFromTrustedProxy();

private:
    // Creates inventory device `serial` with an enrollment; its code.
    QString device(const QString &serial);
    HttpsClient::Reply activate(const QString &from, const QString &serial, const QString &code,
                                const QList<QPair<QByteArray, QByteArray>> &headers = {})
    {
        return postFrom(*m_fx.mw, from, QStringLiteral("/api/v1/activation"), activation(serial, code), headers);
    }
    QJsonObject failures(const QString &serial)
    {
        return m_fx.viewer->get(QStringLiteral("/api/v1/devices/%1/activation-failures").arg(serial)).json();
    }

    DeviceFixture m_fx;
};

void TestActivationLimits::initTestCase()
{
    // Defaults except a ceiling low enough to reach, and a client limit out
    // of the way (every test function uses addresses of its own).
    QVERIFY(m_fx.start({QStringLiteral("--activation-attempts-per-serial"), QStringLiteral("10"),
                        QStringLiteral("--activation-attempts-per-client"), QStringLiteral("1000"),
                        QStringLiteral("--trusted-proxy"), QStringLiteral("127.0.0.70/31")}));
}

void TestActivationLimits::cleanupTestCase()
{
    m_fx.mw->stop();
}

QString TestActivationLimits::device(const QString &serial)
{
    const auto created =
        m_fx.operatorClient->post(QStringLiteral("/api/v1/devices"), QJsonObject{{QStringLiteral("serial"), serial}});
    if (created.status != 201)
        return {};
    const auto enrolled = m_fx.putEnrollment(serial.toLower(), QJsonObject{{QStringLiteral("serial"), serial}});
    return enrolled.json().value(QStringLiteral("activationCode")).toString();
}

void TestActivationLimits::backoff_data()
{
    QTest::addColumn<int>("failures");
    QTest::addColumn<qint64>("waitMs");
    QTest::newRow("none") << 0 << qint64(0);
    QTest::newRow("last free") << 4 << qint64(0);
    QTest::newRow("first backoff") << 5 << qint64(2000);
    QTest::newRow("doubles") << 6 << qint64(4000);
    QTest::newRow("2048 s") << 15 << qint64(2048000);
    QTest::newRow("capped") << 16 << qint64(3600000);
    QTest::newRow("far beyond") << 500 << qint64(3600000);
}

void TestActivationLimits::backoff()
{
    QFETCH(int, failures);
    QFETCH(qint64, waitMs);
    QCOMPARE(ActivationLimits::backoffMs(failures, 5, 3600000), waitMs);
}

void TestActivationLimits::clientAddress_data()
{
    QTest::addColumn<QString>("peer");
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QString>("client");
    const QByteArray xff("X-Forwarded-For");
    const QByteArray fwd("Forwarded");
    QTest::newRow("no proxy") << "203.0.113.5" << QByteArray() << QByteArray() << "203.0.113.5";
    QTest::newRow("untrusted peer's header ignored")
        << "203.0.113.5" << xff << QByteArray("198.51.100.1") << "203.0.113.5";
    QTest::newRow("trusted proxy") << "10.0.0.2" << xff << QByteArray("198.51.100.1") << "198.51.100.1";
    QTest::newRow("spoofed left part skipped")
        << "10.0.0.2" << xff << QByteArray("1.2.3.4, 198.51.100.1") << "198.51.100.1";
    QTest::newRow("proxy chain") << "10.0.0.2" << xff << QByteArray("198.51.100.1, 10.0.0.3") << "198.51.100.1";
    QTest::newRow("Forwarded") << "10.0.0.2" << fwd << QByteArray("for=198.51.100.7;proto=https") << "198.51.100.7";
    QTest::newRow("Forwarded IPv6 with port")
        << "10.0.0.2" << fwd << QByteArray("for=\"[2001:db8::1]:4711\"") << "2001:db8::1";
    QTest::newRow("unknown node") << "10.0.0.2" << fwd << QByteArray("for=unknown") << "10.0.0.2";
    QTest::newRow("garbage") << "10.0.0.2" << xff << QByteArray("not an address") << "10.0.0.2";
    QTest::newRow("mapped IPv4 peer") << "::ffff:10.0.0.2" << xff << QByteArray("198.51.100.1") << "198.51.100.1";
}

void TestActivationLimits::clientAddress()
{
    QFETCH(QString, peer);
    QFETCH(QByteArray, header);
    QFETCH(QByteArray, value);
    QFETCH(QString, client);
    const QList<ClientAddress::Range> trusted{QHostAddress::parseSubnet(QStringLiteral("10.0.0.0/8"))};
    QList<QPair<QByteArray, QByteArray>> headers;
    if (!header.isEmpty())
        headers.append({header, value});
    QCOMPARE(ClientAddress::resolve(QHostAddress(peer), headers, trusted).toString(), client);
    QCOMPARE(ClientAddress::limitKey(QHostAddress(QStringLiteral("2001:db8:1:2:3:4:5:6"))),
             QStringLiteral("2001:db8:1:2::/64"));
}

void TestActivationLimits::strangerCannotLockOutOwner()
{
    const QString codeA = device(QStringLiteral("OWN-A"));
    const QString codeB = device(QStringLiteral("OWN-B"));
    QVERIFY(!codeA.isEmpty() && !codeB.isEmpty());
    // Twelve well-formed wrong codes (another serial's real one) from a stranger.
    QList<int> statuses;
    for (int i = 0; i < 12; ++i)
        statuses << activate(QStringLiteral("127.0.0.2"), QStringLiteral("OWN-A"), codeB).status;
    QCOMPARE(statuses.mid(0, 5), (QList<int>{401, 401, 401, 401, 401}));
    QCOMPARE(statuses.value(5), 429); // the stranger backs off
    const auto owner = activate(QStringLiteral("127.0.0.3"), QStringLiteral("OWN-A"), codeA);
    QVERIFY2(owner.status == 200, owner.body.constData());
    QVERIFY(!owner.json().value(QStringLiteral("symmetricKey")).toString().isEmpty());

    // The log names the stranger and the reason, never a code.
    const QJsonObject log = failures(QStringLiteral("OWN-A"));
    const QJsonArray items = log.value(QStringLiteral("items")).toArray();
    QCOMPARE(items.size(), 5);
    for (const auto &item : items) {
        QCOMPARE(item[QStringLiteral("clientAddress")].toString(), QStringLiteral("127.0.0.2"));
        QCOMPARE(item[QStringLiteral("reason")].toString(), QStringLiteral("code of another serial"));
        QVERIFY(!item[QStringLiteral("at")].toString().isEmpty());
    }
    QCOMPARE(log.value(QStringLiteral("counting")).toInt(), 5);
    const QByteArray raw = m_fx.viewer->get(QStringLiteral("/api/v1/devices/OWN-A/activation-failures")).body;
    QVERIFY(!raw.contains(codeB.toUtf8()) && !raw.contains(QString(codeB).remove(QLatin1Char('-')).toUtf8()));
}

void TestActivationLimits::backoffPerSerialAndClient()
{
    const QString code = device(QStringLiteral("BO-1"));
    QVERIFY(!code.isEmpty());
    // Each refusal says how many wrong codes remain before the wait: 4, 3, … 0.
    for (int i = 0; i < 5; ++i) {
        const auto refused = activate(QStringLiteral("127.0.0.4"), QStringLiteral("BO-1"), wrongCode());
        QCOMPARE(refused.status, 401);
        QCOMPARE(refused.header("X-Provisio-Attempts-Left"), QByteArray::number(4 - i));
    }
    auto limited = activate(QStringLiteral("127.0.0.4"), QStringLiteral("BO-1"), code);
    QCOMPARE(limited.status, 429);
    QCOMPARE(limited.header("Retry-After"), QByteArray("2"));
    QVERIFY2(limited.body.contains("for this serial from this address"), limited.body.constData());
    // The same client on another serial, and another client on this one, are not held back.
    QCOMPARE(activate(QStringLiteral("127.0.0.4"), QStringLiteral("BO-OTHER"), wrongCode()).status, 401);
    QCOMPARE(activate(QStringLiteral("127.0.0.5"), QStringLiteral("BO-1"), wrongCode()).status, 401);
    // After the wait one more try (none left before a wait); its failure doubles the wait.
    QTest::qWait(2100);
    const auto again = activate(QStringLiteral("127.0.0.4"), QStringLiteral("BO-1"), wrongCode());
    QCOMPARE(again.status, 401);
    QCOMPARE(again.header("X-Provisio-Attempts-Left"), QByteArray("0"));
    limited = activate(QStringLiteral("127.0.0.4"), QStringLiteral("BO-1"), code);
    QCOMPARE(limited.status, 429);
    QCOMPARE(limited.header("Retry-After"), QByteArray("4"));
}

void TestActivationLimits::newCodeClearsFailures()
{
    QVERIFY(!device(QStringLiteral("NC-1")).isEmpty());
    for (int i = 0; i < 6; ++i)
        activate(QStringLiteral("127.0.0.6"), QStringLiteral("NC-1"), wrongCode());
    QCOMPARE(activate(QStringLiteral("127.0.0.6"), QStringLiteral("NC-1"), wrongCode()).status, 429);
    const auto issued = m_fx.operatorClient->post(QStringLiteral("/api/v1/enrollments/nc-1/activation-code"), {});
    QVERIFY2(issued.status == 201, issued.body.constData());
    const QString fresh = issued.json().value(QStringLiteral("activationCode")).toString();
    QCOMPARE(failures(QStringLiteral("NC-1")).value(QStringLiteral("counting")).toInt(), 0);
    // Even the client that failed before may now use the new code.
    const auto ok = activate(QStringLiteral("127.0.0.6"), QStringLiteral("NC-1"), fresh);
    QVERIFY2(ok.status == 200, ok.body.constData());
    // The cleared failures stay in the log, marked.
    const QJsonArray items = failures(QStringLiteral("NC-1")).value(QStringLiteral("items")).toArray();
    QVERIFY(items.size() >= 5);
    for (const auto &item : items)
        QVERIFY(item[QStringLiteral("clearedAt")].isString());
}

void TestActivationLimits::ceilingAndUnlock()
{
    const QString code = device(QStringLiteral("CE-1"));
    QVERIFY(!code.isEmpty());
    // Ten failures from a crowd of addresses, none of them backing off.
    for (int i = 0; i < 10; ++i)
        QCOMPARE(activate(QStringLiteral("127.0.1.%1").arg(10 + i / 3), QStringLiteral("CE-1"), wrongCode()).status,
                 401);
    auto limited = activate(QStringLiteral("127.0.0.9"), QStringLiteral("CE-1"), code);
    QCOMPARE(limited.status, 429);
    QVERIFY2(limited.body.contains("for this serial;"), limited.body.constData());
    const int retryAfter = limited.header("Retry-After").toInt();
    QVERIFY(retryAfter > 86000 && retryAfter <= 86400);

    // The serials whose failures count, for the CRM's filter: CE-1 with its ten.
    const auto countingFor = [this](const QString &serial) {
        const auto listed = m_fx.viewer->get(QStringLiteral("/api/v1/activation-failures"));
        if (listed.status != 200)
            return -2;
        for (const auto &item : listed.json().value(QStringLiteral("items")).toArray()) {
            if (item[QStringLiteral("serial")].toString() == serial)
                return item[QStringLiteral("counting")].toInt();
        }
        return -1;
    };
    QCOMPARE(countingFor(QStringLiteral("CE-1")), 10);
    QCOMPARE(m_fx.viewer->get(QStringLiteral("/api/v1/activation-failures?serial=CE-1")).status, 400);

    // A viewer sees but cannot unlock; an operator can, and it is audited.
    QCOMPARE(m_fx.viewer->post(QStringLiteral("/api/v1/devices/CE-1/activation-unlock"), {}).status, 403);
    const auto unlocked = m_fx.operatorClient->post(QStringLiteral("/api/v1/devices/CE-1/activation-unlock"), {});
    QVERIFY2(unlocked.status == 200, unlocked.body.constData());
    QCOMPARE(unlocked.json().value(QStringLiteral("clearedFailures")).toInt(), 10);
    const auto audit = m_fx.admin->get(QStringLiteral("/api/v1/audit?action=activationUnlock&entityId=CE-1"));
    QVERIFY2(audit.status == 200 && audit.body.contains("\"token:op\""), audit.body.constData());
    QCOMPARE(countingFor(QStringLiteral("CE-1")), -1); // cleared: no longer listed
    const auto ok = activate(QStringLiteral("127.0.0.9"), QStringLiteral("CE-1"), code);
    QVERIFY2(ok.status == 200, ok.body.constData());
}

void TestActivationLimits::forwardedOnlyFromTrustedProxy()
{
    QVERIFY(!device(QStringLiteral("PX-1")).isEmpty());
    const QList<QPair<QByteArray, QByteArray>> forwarded{{"X-Forwarded-For", "198.51.100.1"}};
    // From the trusted proxy (127.0.0.70/31) the header names the client...
    QCOMPARE(activate(QStringLiteral("127.0.0.71"), QStringLiteral("PX-1"), wrongCode(), forwarded).status, 401);
    QCOMPARE(activate(QStringLiteral("127.0.0.70"), QStringLiteral("PX-1"), wrongCode(),
                      {{"Forwarded", "for=198.51.100.2;proto=https"}})
                 .status,
             401);
    // ...from anyone else it is ignored.
    QCOMPARE(activate(QStringLiteral("127.0.0.72"), QStringLiteral("PX-1"), wrongCode(), forwarded).status, 401);
    QStringList clients;
    for (const auto &item : failures(QStringLiteral("PX-1")).value(QStringLiteral("items")).toArray())
        clients << item[QStringLiteral("clientAddress")].toString();
    clients.sort();
    QCOMPARE(clients, (QStringList{QStringLiteral("127.0.0.72"), QStringLiteral("198.51.100.1"),
                                   QStringLiteral("198.51.100.2")}));
    // Clients behind the proxy back off one by one, not together.
    for (int i = 0; i < 5; ++i)
        activate(QStringLiteral("127.0.0.71"), QStringLiteral("PX-1"), wrongCode(),
                 {{"X-Forwarded-For", "198.51.100.3"}});
    QCOMPARE(activate(QStringLiteral("127.0.0.71"), QStringLiteral("PX-1"), wrongCode(),
                      {{"X-Forwarded-For", "198.51.100.3"}})
                 .status,
             429);
    QCOMPARE(activate(QStringLiteral("127.0.0.71"), QStringLiteral("PX-1"), wrongCode(), forwarded).status, 401);
}

PROVISIO_TEST_GUILESS_MAIN(TestActivationLimits)
#include "tst_activationlimits.moc"

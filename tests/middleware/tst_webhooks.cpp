// SPDX-License-Identifier: Apache-2.0
// Outgoing webhooks end to end: a real middleware posts to a real HTTP
// receiver in this test (raw HTTP over QTcpServer), which fails on purpose;
// retries, signatures, the delivery log and restarts are checked from the
// receiver's side.
#include "childprocesswatch.h"
#include "httpsclient.h"
#include "middlewareprocess.h"

#include <QHash>
#include <QHostInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QSet>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <functional>
#include <memory>
#include <tuple>

using namespace Provisio::Test;

namespace {

// A minimal HTTP/1.1 server: reads each request (headers + Content-Length
// body), asks `policy` for the status, answers with an empty body. Enough
// for QNetworkAccessManager, keep-alive included.
class Receiver : public QObject
{
public:
    struct Request
    {
        QByteArray method;
        QByteArray path;
        QHash<QByteArray, QByteArray> headers; // lower-case names
        QByteArray body;
        int answered = 0; // 0: left unanswered
    };

    // Returns the status to answer, or 0 to leave the request hanging.
    std::function<int(const Request &)> policy = [](const Request &) { return 200; };
    QList<Request> requests;
    // The Location of 3xx answers.
    QByteArray redirectTo = "/redirected";

    Receiver()
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { read(socket); });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }
    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    QString url(const QString &path) const
    {
        return QStringLiteral("http://127.0.0.1:%1%2").arg(m_server.serverPort()).arg(path);
    }

    QList<Request> to(const QByteArray &path) const
    {
        QList<Request> out;
        for (const auto &r : requests) {
            if (r.path == path)
                out << r;
        }
        return out;
    }

private:
    void read(QTcpSocket *socket)
    {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        for (;;) {
            const int end = buffer.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            Request r;
            const QList<QByteArray> lines = buffer.left(end).split('\n');
            const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
            r.method = requestLine.value(0);
            r.path = requestLine.value(1);
            for (int i = 1; i < lines.size(); ++i) {
                const int colon = lines.at(i).indexOf(':');
                if (colon > 0)
                    r.headers.insert(lines.at(i).left(colon).trimmed().toLower(), lines.at(i).mid(colon + 1).trimmed());
            }
            const int length = r.headers.value("content-length").toInt();
            if (buffer.size() < end + 4 + length)
                return;
            r.body = buffer.mid(end + 4, length);
            buffer.remove(0, end + 4 + length);
            r.answered = policy(r);
            requests << r;
            if (r.answered > 0)
                socket->write("HTTP/1.1 " + QByteArray::number(r.answered) + " X\r\n" +
                              (r.answered / 100 == 3 ? "Location: " + redirectTo + "\r\n" : QByteArray()) +
                              "Content-Length: 0\r\n\r\n");
        }
    }

    QTcpServer m_server;
    QHash<QTcpSocket *, QByteArray> m_buffers;
};

QJsonObject hubBody(const QString &host)
{
    return QJsonObject{{QStringLiteral("host"), host},
                       {QStringLiteral("port"), 8883},
                       {QStringLiteral("region"), QStringLiteral("eu")},
                       {QStringLiteral("allocationWeight"), 1}};
}

QByteArray expectedSignature(const QByteArray &secret, const QByteArray &timestamp, const QByteArray &body)
{
    return "sha256=" +
           QMessageAuthenticationCode::hash(timestamp + '.' + body, secret, QCryptographicHash::Sha256).toHex();
}

} // namespace

class TestWebhooks : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void invalidWebhooksAreRefused_data();
    void invalidWebhooksAreRefused();
    void rolesAreEnforced_data();
    void rolesAreEnforced();
    void crudWithEtags();
    void retriedUntilAcceptedExactlyOnce();
    void failedAfterMaxAttempts();
    void inFlightDeliverySurvivesRestart();
    void eachWebhookHasItsOwnSecretAndRedirectsAreNotFollowed();
    void ssrfTargetsAreRefused_data();
    void ssrfTargetsAreRefused();
    void nameLeadingToPrivateAddressRefusedAtSendTime();
    void httpsToAllowedNameReachesCheckedAddress();

private:
    QJsonObject createWebhook(const QString &path, const QJsonArray &events, QString *secret = nullptr);
    QJsonArray deliveries(const QString &webhookId);

    Receiver m_receiver;
    std::unique_ptr<MiddlewareProcess> m_mw;
    std::unique_ptr<HttpsClient> m_admin;
    QString m_operatorToken;
    QString m_viewerToken;
};

void TestWebhooks::initTestCase()
{
    // Test knobs of the dispatcher (see webhookdispatcher.h): fast retries,
    // few attempts. The middleware inherits the environment.
    qputenv("PROVISIO_WEBHOOK_INITIAL_BACKOFF_MS", "100");
    qputenv("PROVISIO_WEBHOOK_MAX_ATTEMPTS", "4");
    QVERIFY(m_receiver.listen());
    // The receiver is this test's plain-HTTP loopback server: allowed
    // explicitly. The SSRF tests start a middleware without these switches.
    m_mw = std::make_unique<MiddlewareProcess>(
        QStringList{QStringLiteral("--webhook-allowed-hosts"), QStringLiteral("127.0.0.1,example.com"),
                    QStringLiteral("--webhook-allow-http"), QStringLiteral("--webhook-allow-private-networks")});
    QVERIFY2(m_mw->start(), qPrintable(m_mw->lastError()));
    m_admin = std::make_unique<HttpsClient>(m_mw->baseUrl(), m_mw->caCertificatePath());
    m_admin->setBearer(m_mw->createToken(QStringLiteral("admin"), QStringLiteral("hooks-admin")));
    m_operatorToken = m_mw->createToken(QStringLiteral("operator"), QStringLiteral("hooks-operator"));
    m_viewerToken = m_mw->createToken(QStringLiteral("viewer"), QStringLiteral("hooks-viewer"));
    QVERIFY(!m_admin->bearer().isEmpty() && !m_operatorToken.isEmpty() && !m_viewerToken.isEmpty());
}

QJsonObject TestWebhooks::createWebhook(const QString &path, const QJsonArray &events, QString *secret)
{
    const auto r =
        m_admin->post(QStringLiteral("/api/v1/webhooks"), QJsonObject{{QStringLiteral("url"), m_receiver.url(path)},
                                                                      {QStringLiteral("events"), events},
                                                                      {QStringLiteral("description"), path}});
    if (r.status != 201) {
        qWarning() << "webhook creation failed:" << r.status << r.body;
        return {};
    }
    if (secret)
        *secret = r.json().value(QStringLiteral("secret")).toString();
    return r.json();
}

QJsonArray TestWebhooks::deliveries(const QString &webhookId)
{
    return m_admin->get(QStringLiteral("/api/v1/webhooks/%1/deliveries").arg(webhookId))
        .json()
        .value(QStringLiteral("items"))
        .toArray();
}

void TestWebhooks::invalidWebhooksAreRefused_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("not a url") << QByteArray(R"({"url":"not a url","events":["*"]})") << "url";
    QTest::newRow("ftp") << QByteArray(R"({"url":"ftp://example.com/x","events":["*"]})") << "url";
    QTest::newRow("plain http elsewhere")
        << QByteArray(R"({"url":"http://other.example.org/x","events":["*"]})") << "url";
    QTest::newRow("user info") << QByteArray(R"({"url":"https://u:p@example.com/x","events":["*"]})") << "url";
    QTest::newRow("no url") << QByteArray(R"({"events":["*"]})") << "url";
    QTest::newRow("unknown event") << QByteArray(R"({"url":"https://example.com/x","events":["device.exploded"]})")
                                   << "events[0]";
    QTest::newRow("unknown category") << QByteArray(R"({"url":"https://example.com/x","events":["hub.*","bogus.*"]})")
                                      << "events[1]";
    QTest::newRow("no events") << QByteArray(R"({"url":"https://example.com/x","events":[]})") << "events";
    QTest::newRow("events missing") << QByteArray(R"({"url":"https://example.com/x"})") << "events";
    QTest::newRow("events not strings") << QByteArray(R"({"url":"https://example.com/x","events":[1]})") << "events";
    QTest::newRow("short secret") << QByteArray(R"({"url":"https://example.com/x","events":["*"],"secret":"short"})")
                                  << "secret";
    QTest::newRow("unknown field") << QByteArray(R"({"url":"https://example.com/x","events":["*"],"colour":"red"})")
                                   << "colour";
    QTest::newRow("enabled not bool") << QByteArray(R"({"url":"https://example.com/x","events":["*"],"enabled":"yes"})")
                                      << "enabled";
    QTest::newRow("malformed json") << QByteArray(R"({"url":)") << "";
}

void TestWebhooks::invalidWebhooksAreRefused()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, mentions);
    const int before =
        m_admin->get(QStringLiteral("/api/v1/webhooks")).json().value(QStringLiteral("items")).toArray().size();
    const auto r = m_admin->send("POST", QStringLiteral("/api/v1/webhooks"), body);
    QCOMPARE(r.status, 400);
    QVERIFY2(r.json().value(QStringLiteral("message")).toString().contains(mentions), r.body.constData());
    // Nothing was created.
    QCOMPARE(m_admin->get(QStringLiteral("/api/v1/webhooks")).json().value(QStringLiteral("items")).toArray().size(),
             before);
}

void TestWebhooks::rolesAreEnforced_data()
{
    QTest::addColumn<QString>("role");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("status");
    for (const char *role : {"operator", "viewer"}) {
        QTest::addRow("%s create", role) << role << QByteArray("POST") << "/api/v1/webhooks" << 403;
        QTest::addRow("%s list", role) << role << QByteArray("GET") << "/api/v1/webhooks" << 403;
        QTest::addRow("%s deliveries", role) << role << QByteArray("GET") << "/api/v1/webhooks/x/deliveries" << 403;
        QTest::addRow("%s delete", role) << role << QByteArray("DELETE") << "/api/v1/webhooks/x" << 403;
    }
    QTest::addRow("anonymous list") << "" << QByteArray("GET") << "/api/v1/webhooks" << 401;
}

void TestWebhooks::rolesAreEnforced()
{
    QFETCH(QString, role);
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(int, status);
    HttpsClient client(m_mw->baseUrl(), m_mw->caCertificatePath());
    client.setBearer(role == QLatin1String("operator") ? m_operatorToken
                     : role == QLatin1String("viewer") ? m_viewerToken
                                                       : QString());
    const QByteArray body =
        method == "POST" ? QByteArray(R"({"url":"https://example.com/x","events":["*"]})") : QByteArray();
    QCOMPARE(client.send(method, path, body).status, status);
}

void TestWebhooks::crudWithEtags()
{
    const auto created =
        m_admin->post(QStringLiteral("/api/v1/webhooks"),
                      QJsonObject{{QStringLiteral("url"), QStringLiteral("https://example.com/hook")},
                                  {QStringLiteral("events"), QJsonArray{QStringLiteral("device.*")}},
                                  {QStringLiteral("secret"), QStringLiteral("my-own-secret-0123456789")},
                                  {QStringLiteral("enabled"), false}});
    QCOMPARE(created.status, 201);
    const QJsonObject hook = created.json();
    const QString id = hook.value(QStringLiteral("id")).toString();
    QVERIFY(id.startsWith(QLatin1String("whk_")));
    QCOMPARE(created.header("Location"), "/api/v1/webhooks/" + id.toUtf8());
    QCOMPARE(hook.value(QStringLiteral("secret")).toString(), QStringLiteral("my-own-secret-0123456789"));
    QCOMPARE(hook.value(QStringLiteral("enabled")).toBool(), false);
    const QString etag = hook.value(QStringLiteral("etag")).toString();
    QCOMPARE(created.header("ETag"), '"' + etag.toUtf8() + '"');

    // The secret is shown once.
    const auto got = m_admin->get(QStringLiteral("/api/v1/webhooks/") + id);
    QCOMPARE(got.status, 200);
    QVERIFY(!got.json().contains(QStringLiteral("secret")));
    QVERIFY(!got.body.contains("my-own-secret"));
    QVERIFY(!m_admin->get(QStringLiteral("/api/v1/webhooks")).body.contains("my-own-secret"));
    QVERIFY(!m_admin->get(QStringLiteral("/api/v1/audit")).body.contains("my-own-secret"));

    // Generated when omitted, long and random.
    QString generated;
    const QJsonObject other =
        createWebhook(QStringLiteral("/unused"), QJsonArray{QStringLiteral("customer.*")}, &generated);
    QVERIFY(generated.size() >= 32);

    QJsonObject replacement{{QStringLiteral("url"), QStringLiteral("https://example.com/hook2")},
                            {QStringLiteral("events"), QJsonArray{QStringLiteral("registration.assigned")}},
                            {QStringLiteral("enabled"), false}};
    QCOMPARE(m_admin->put(QStringLiteral("/api/v1/webhooks/") + id, replacement, {{"If-Match", "\"stale\""}}).status,
             412);
    const auto replaced =
        m_admin->put(QStringLiteral("/api/v1/webhooks/") + id, replacement, {{"If-Match", '"' + etag.toUtf8() + '"'}});
    QCOMPARE(replaced.status, 200);
    QCOMPARE(replaced.json().value(QStringLiteral("url")).toString(), QStringLiteral("https://example.com/hook2"));
    const QString etag2 = replaced.json().value(QStringLiteral("etag")).toString();
    QVERIFY(etag2 != etag);
    QVERIFY(!replaced.json().contains(QStringLiteral("secret")));

    const auto patched = m_admin->patch(QStringLiteral("/api/v1/webhooks/") + id,
                                        QJsonObject{{QStringLiteral("description"), QStringLiteral("patched")}},
                                        {{"If-Match", '"' + etag2.toUtf8() + '"'}});
    QCOMPARE(patched.status, 200);
    QCOMPARE(patched.json().value(QStringLiteral("description")).toString(), QStringLiteral("patched"));
    QCOMPARE(patched.json().value(QStringLiteral("url")).toString(), QStringLiteral("https://example.com/hook2"));
    QCOMPARE(m_admin
                 ->patch(QStringLiteral("/api/v1/webhooks/") + id,
                         QJsonObject{{QStringLiteral("events"), QJsonArray{QStringLiteral("nope.*")}}})
                 .status,
             400);

    QCOMPARE(m_admin->del(QStringLiteral("/api/v1/webhooks/") + id, {{"If-Match", "\"stale\""}}).status, 412);
    QCOMPARE(m_admin->del(QStringLiteral("/api/v1/webhooks/") + id).status, 204);
    QCOMPARE(m_admin->get(QStringLiteral("/api/v1/webhooks/") + id).status, 404);
    QCOMPARE(m_admin->get(QStringLiteral("/api/v1/webhooks/%1/deliveries").arg(id)).status, 404);
    QCOMPARE(m_admin->del(QStringLiteral("/api/v1/webhooks/") + other.value(QStringLiteral("id")).toString()).status,
             204);
}

void TestWebhooks::retriedUntilAcceptedExactlyOnce()
{
    // Every delivery fails twice with 500, then is accepted.
    QHash<QByteArray, int> seen;
    m_receiver.policy = [&seen](const Receiver::Request &r) {
        if (r.path != "/flaky")
            return 200;
        return ++seen[r.headers.value("x-provisio-delivery")] <= 2 ? 500 : 200;
    };
    QString secret;
    const QJsonObject hook = createWebhook(QStringLiteral("/flaky"), QJsonArray{QStringLiteral("hub.*")}, &secret);
    const QString hookId = hook.value(QStringLiteral("id")).toString();
    QVERIFY(!hookId.isEmpty());
    QVERIFY(!secret.isEmpty());

    const QStringList hubs = {QStringLiteral("wh1"), QStringLiteral("wh2"), QStringLiteral("wh3")};
    for (const QString &hub : hubs)
        QVERIFY(m_admin->put(QStringLiteral("/api/v1/hubs/") + hub, hubBody(hub + QStringLiteral(".example"))).status <
                300);
    // Not subscribed: must not arrive.
    const QJsonObject unrelated = createWebhook(QStringLiteral("/unrelated"), QJsonArray{QStringLiteral("customer.*")});
    QVERIFY(!unrelated.isEmpty());

    const auto accepted = [this] {
        QHash<QByteArray, int> ok;
        for (const auto &r : m_receiver.to("/flaky")) {
            if (r.answered == 200)
                ++ok[r.headers.value("x-provisio-delivery")];
        }
        return ok;
    };
    QTRY_COMPARE_WITH_TIMEOUT(accepted().size(), 3, 20000);
    QTest::qWait(1000); // a duplicate would come now
    const auto ok = accepted();
    QCOMPARE(ok.size(), 3);
    for (auto it = ok.cbegin(); it != ok.cend(); ++it)
        QCOMPARE(it.value(), 1); // accepted exactly once

    QSet<QString> hubsSeen;
    for (const auto &r : m_receiver.to("/flaky")) {
        QCOMPARE(r.method, QByteArray("POST"));
        QCOMPARE(r.headers.value("content-type"), QByteArray("application/json"));
        const QByteArray timestamp = r.headers.value("x-provisio-timestamp");
        QVERIFY(qAbs(timestamp.toLongLong() - QDateTime::currentSecsSinceEpoch()) < 120);
        QCOMPARE(r.headers.value("x-provisio-signature"), expectedSignature(secret.toUtf8(), timestamp, r.body));
        QVERIFY(r.headers.value("x-provisio-signature") !=
                expectedSignature("wrong-secret", timestamp, r.body)); // the check can fail
        const QJsonObject event = QJsonDocument::fromJson(r.body).object();
        QCOMPARE(event.value(QStringLiteral("type")).toString().toUtf8(), r.headers.value("x-provisio-event"));
        QCOMPARE(event.value(QStringLiteral("type")).toString(), QStringLiteral("hub.created"));
        hubsSeen.insert(event.value(QStringLiteral("entityId")).toString());
        QVERIFY(!r.body.contains("signingKey\":\"") || r.body.contains("signingKey\":\"***\""));
    }
    QCOMPARE(hubsSeen, QSet<QString>(hubs.cbegin(), hubs.cend()));
    QCOMPARE(m_receiver.to("/flaky").size(), 9); // 3 events x (2 failures + 1 success)
    QVERIFY(m_receiver.to("/unrelated").isEmpty());

    // The delivery log tells the same story.
    const QJsonArray log = deliveries(hookId);
    QCOMPARE(log.size(), 3);
    for (const auto &v : log) {
        const QJsonObject d = v.toObject();
        QCOMPARE(d.value(QStringLiteral("status")).toString(), QStringLiteral("delivered"));
        QCOMPARE(d.value(QStringLiteral("attempts")).toInt(), 3);
        QCOMPARE(d.value(QStringLiteral("lastStatusCode")).toInt(), 200);
        QCOMPARE(d.value(QStringLiteral("eventType")).toString(), QStringLiteral("hub.created"));
        QVERIFY(d.value(QStringLiteral("eventId")).toString().startsWith(QLatin1String("evt_")));
        QVERIFY(!d.value(QStringLiteral("deliveredDateTimeUtc")).toString().isEmpty());
        QVERIFY(d.value(QStringLiteral("nextAttemptDateTimeUtc")).isNull());
        QVERIFY(ok.contains(d.value(QStringLiteral("id")).toString().toUtf8()));
    }
    const auto filtered = m_admin->get(QStringLiteral("/api/v1/webhooks/%1/deliveries?status=failed").arg(hookId));
    QCOMPARE(filtered.status, 200);
    QCOMPARE(filtered.json().value(QStringLiteral("items")).toArray().size(), 0);
    QCOMPARE(m_admin->get(QStringLiteral("/api/v1/webhooks/%1/deliveries?status=bogus").arg(hookId)).status, 400);
    const auto page = m_admin->get(QStringLiteral("/api/v1/webhooks/%1/deliveries?limit=2").arg(hookId));
    QCOMPARE(page.json().value(QStringLiteral("items")).toArray().size(), 2);
    const QString cursor = page.json().value(QStringLiteral("nextCursor")).toString();
    QVERIFY(!cursor.isEmpty());
    const auto rest =
        m_admin->get(QStringLiteral("/api/v1/webhooks/%1/deliveries?limit=2&cursor=%2").arg(hookId, cursor));
    QCOMPARE(rest.json().value(QStringLiteral("items")).toArray().size(), 1);

    QCOMPARE(m_admin->del(QStringLiteral("/api/v1/webhooks/") + hookId).status, 204);
    QCOMPARE(
        m_admin->del(QStringLiteral("/api/v1/webhooks/") + unrelated.value(QStringLiteral("id")).toString()).status,
        204);
}

void TestWebhooks::failedAfterMaxAttempts()
{
    m_receiver.policy = [](const Receiver::Request &r) { return r.path == "/down" ? 500 : 200; };
    const QJsonObject hook = createWebhook(QStringLiteral("/down"), QJsonArray{QStringLiteral("hub.created")});
    const QString hookId = hook.value(QStringLiteral("id")).toString();
    QVERIFY(!hookId.isEmpty());
    QVERIFY(m_admin->put(QStringLiteral("/api/v1/hubs/wh-down"), hubBody(QStringLiteral("wh-down.example"))).status <
            300);

    // PROVISIO_WEBHOOK_MAX_ATTEMPTS=4: four attempts, then "failed".
    QTRY_COMPARE_WITH_TIMEOUT(deliveries(hookId).first().toObject().value(QStringLiteral("status")).toString(),
                              QStringLiteral("failed"), 20000);
    const QJsonObject d = deliveries(hookId).first().toObject();
    QCOMPARE(d.value(QStringLiteral("attempts")).toInt(), 4);
    QCOMPARE(d.value(QStringLiteral("lastStatusCode")).toInt(), 500);
    QCOMPARE(d.value(QStringLiteral("lastError")).toString(), QStringLiteral("HTTP 500"));
    QVERIFY(d.value(QStringLiteral("deliveredDateTimeUtc")).isNull());
    QTest::qWait(500);
    QCOMPARE(m_receiver.to("/down").size(), 4); // and no more
    QCOMPARE(m_admin->del(QStringLiteral("/api/v1/webhooks/") + hookId).status, 204);
}

void TestWebhooks::inFlightDeliverySurvivesRestart()
{
    // The receiver takes the request and never answers: the attempt is in
    // flight when the middleware stops.
    bool answering = false;
    m_receiver.policy = [&answering](const Receiver::Request &r) {
        if (r.path != "/slow")
            return 200;
        return answering ? 200 : 0;
    };
    const QJsonObject hook = createWebhook(QStringLiteral("/slow"), QJsonArray{QStringLiteral("hub")});
    const QString hookId = hook.value(QStringLiteral("id")).toString();
    QVERIFY(!hookId.isEmpty());
    QVERIFY(m_admin->put(QStringLiteral("/api/v1/hubs/wh-slow"), hubBody(QStringLiteral("wh-slow.example"))).status <
            300);
    QTRY_COMPARE_WITH_TIMEOUT(m_receiver.to("/slow").size(), 1, 10000);
    const QByteArray deliveryId = m_receiver.to("/slow").first().headers.value("x-provisio-delivery");

    m_mw->stop();
    QCOMPARE(m_mw->exitStatus(), QProcess::NormalExit);
    answering = true;
    QVERIFY2(m_mw->start(), qPrintable(m_mw->lastError()));

    // Resumed at start, under the same delivery id.
    QTRY_VERIFY_WITH_TIMEOUT(!m_receiver.to("/slow").isEmpty() && m_receiver.to("/slow").last().answered == 200, 20000);
    QCOMPARE(m_receiver.to("/slow").last().headers.value("x-provisio-delivery"), deliveryId);
    QTRY_COMPARE_WITH_TIMEOUT(deliveries(hookId).first().toObject().value(QStringLiteral("status")).toString(),
                              QStringLiteral("delivered"), 10000);
}

namespace {

// A middleware with the default webhook rules (https only, public addresses
// only) and an allow list that names every target the SSRF rows try, so that
// what refuses them is the address rule, not the list.
std::unique_ptr<MiddlewareProcess> strictMiddleware()
{
    const QStringList hosts{
        QStringLiteral("hooks.example.com"), QStringLiteral("127.0.0.1"),        QStringLiteral("::1"),
        QStringLiteral("169.254.169.254"),   QStringLiteral("10.1.2.3"),         QStringLiteral("100.64.0.1"),
        QStringLiteral("192.168.1.1"),       QStringLiteral("::ffff:127.0.0.1"), QStringLiteral("localhost"),
        QStringLiteral("fd00::1"),           QStringLiteral("0.0.0.0"),          QHostInfo::localHostName()};
    return std::make_unique<MiddlewareProcess>(
        QStringList{QStringLiteral("--webhook-allowed-hosts"), hosts.join(QLatin1Char(','))});
}

} // namespace

void TestWebhooks::ssrfTargetsAreRefused_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("mentions"); // empty: accepted
    QTest::newRow("plain http") << "http://hooks.example.com/x"
                                << "must use https://";
    QTest::newRow("loopback") << "https://127.0.0.1:9000/x"
                              << "loopback address";
    QTest::newRow("loopback v6") << "https://[::1]/x"
                                 << "loopback address";
    QTest::newRow("v4-mapped loopback") << "https://[::ffff:127.0.0.1]/x"
                                        << "loopback address";
    QTest::newRow("cloud metadata") << "https://169.254.169.254/latest/meta-data/"
                                    << "link-local address";
    QTest::newRow("private 10/8") << "https://10.1.2.3/x"
                                  << "private address";
    QTest::newRow("private 192.168/16") << "https://192.168.1.1/x"
                                        << "private address";
    QTest::newRow("unique local v6") << "https://[fd00::1]/x"
                                     << "private address";
    QTest::newRow("shared 100.64/10") << "https://100.64.0.1/x"
                                      << "shared";
    QTest::newRow("unspecified") << "https://0.0.0.0/x"
                                 << "unspecified address";
    QTest::newRow("localhost by name") << "https://localhost:8443/x"
                                       << "loopback address";
    QTest::newRow("not allow-listed") << "https://evil.example.net/x"
                                      << "not on the allowed webhook hosts";
    QTest::newRow("allow-listed public host") << "https://hooks.example.com/x"
                                              << "";
}

void TestWebhooks::ssrfTargetsAreRefused()
{
    QFETCH(QString, url);
    QFETCH(QString, mentions);
    auto mw = strictMiddleware();
    QVERIFY2(mw->start(), qPrintable(mw->lastError()));
    HttpsClient admin(mw->baseUrl(), mw->caCertificatePath());
    admin.setBearer(mw->createToken(QStringLiteral("admin"), QStringLiteral("ssrf-admin")));

    // An event webhook.
    const auto hook = admin.post(
        QStringLiteral("/api/v1/webhooks"),
        QJsonObject{{QStringLiteral("url"), url}, {QStringLiteral("events"), QJsonArray{QStringLiteral("*")}}});
    // A custom allocation webhook: on an enrollment, a group and the instance.
    const QJsonObject custom{{QStringLiteral("allocationPolicy"), QStringLiteral("custom")},
                             {QStringLiteral("customAllocationDefinition"),
                              QJsonObject{{QStringLiteral("webhookUrl"), url},
                                          {QStringLiteral("apiVersion"), QStringLiteral("2021-10-01")}}}};
    QJsonObject enrollment = custom;
    enrollment.insert(QStringLiteral("attestation"),
                      QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}});
    const auto enr = admin.put(QStringLiteral("/api/v1/enrollments/ssrf-device"), enrollment);
    const auto group = admin.put(QStringLiteral("/api/v1/enrollment-groups/ssrf-group"), enrollment);
    const auto policy = admin.put(QStringLiteral("/api/v1/allocation-policy"), custom);

    if (mentions.isEmpty()) {
        QVERIFY2(hook.status == 201, hook.body.constData());
        QVERIFY2(enr.status == 201 || enr.status == 200, enr.body.constData());
        QVERIFY2(group.status == 201 || group.status == 200, group.body.constData());
        return;
    }
    for (const auto *r : {&hook, &enr, &group, &policy}) {
        QCOMPARE(r->status, 400);
        QVERIFY2(r->json().value(QStringLiteral("message")).toString().contains(mentions), r->body.constData());
    }
    QVERIFY(enr.json()
                .value(QStringLiteral("message"))
                .toString()
                .contains(QStringLiteral("customAllocationDefinition.webhookUrl")));
}

void TestWebhooks::nameLeadingToPrivateAddressRefusedAtSendTime()
{
    // This machine's name passes the configuration check (a name, on the
    // list) but resolves to this machine: the dispatcher checks the resolved
    // address and never connects.
    const QString name = QHostInfo::localHostName();
    const QHostInfo info = QHostInfo::fromName(name);
    bool local = !info.addresses().isEmpty();
    for (const QHostAddress &a : info.addresses())
        local = local && (a.isLoopback() || a.isInSubnet(QHostAddress::parseSubnet(QStringLiteral("10.0.0.0/8"))) ||
                          a.isInSubnet(QHostAddress::parseSubnet(QStringLiteral("172.16.0.0/12"))) ||
                          a.isInSubnet(QHostAddress::parseSubnet(QStringLiteral("192.168.0.0/16"))));
    if (!local)
        QSKIP("this machine's name does not resolve to a loopback or private address here");

    auto mw = strictMiddleware();
    QVERIFY2(mw->start(), qPrintable(mw->lastError()));
    HttpsClient admin(mw->baseUrl(), mw->caCertificatePath());
    admin.setBearer(mw->createToken(QStringLiteral("admin"), QStringLiteral("ssrf-admin")));
    // The middleware's own port: a request would reach it.
    const QString url = QStringLiteral("https://%1:%2/api/v1/webhooks").arg(name).arg(mw->port());
    const auto created = admin.post(
        QStringLiteral("/api/v1/webhooks"),
        QJsonObject{{QStringLiteral("url"), url}, {QStringLiteral("events"), QJsonArray{QStringLiteral("webhook.*")}}});
    QVERIFY2(created.status == 201, created.body.constData());
    const QString id = created.json().value(QStringLiteral("id")).toString();
    // Any webhook change is an event it subscribes to.
    QVERIFY(admin
                .post(QStringLiteral("/api/v1/webhooks"),
                      QJsonObject{{QStringLiteral("url"), QStringLiteral("https://hooks.example.com/y")},
                                  {QStringLiteral("events"), QJsonArray{QStringLiteral("device.*")}}})
                .status == 201);
    QJsonObject attempt;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            const QJsonArray items = admin.get(QStringLiteral("/api/v1/webhooks/%1/deliveries").arg(id))
                                         .json()
                                         .value(QStringLiteral("items"))
                                         .toArray();
            for (const QJsonValue &v : items) {
                if (v.toObject().value(QStringLiteral("attempts")).toInt() > 0)
                    attempt = v.toObject();
            }
            return !attempt.isEmpty();
        }(),
        15000);
    const QString error = attempt.value(QStringLiteral("lastError")).toString();
    QVERIFY2(error.startsWith(QLatin1String("refused:")) && error.contains(QLatin1String("address")),
             QJsonDocument(attempt).toJson().constData());
    QCOMPARE(attempt.value(QStringLiteral("lastStatusCode")).toInt(), 0);
    QVERIFY(attempt.value(QStringLiteral("status")).toString() != QLatin1String("delivered"));
}

void TestWebhooks::httpsToAllowedNameReachesCheckedAddress()
{
    // A real HTTPS receiver reached by name: the middleware itself, whose
    // certificate (from its own CA, which webhooks trust) names localhost.
    // The request goes to the resolved, checked address while TLS is still
    // verified against "localhost": an HTTP answer (any status) proves both.
    auto mw = std::make_unique<MiddlewareProcess>(QStringList{QStringLiteral("--webhook-allowed-hosts"),
                                                              QStringLiteral("localhost"),
                                                              QStringLiteral("--webhook-allow-private-networks")});
    QVERIFY2(mw->start(), qPrintable(mw->lastError()));
    HttpsClient admin(mw->baseUrl(), mw->caCertificatePath());
    admin.setBearer(mw->createToken(QStringLiteral("admin"), QStringLiteral("https-admin")));
    const QString url = QStringLiteral("https://localhost:%1/not-a-route").arg(mw->port());
    const auto created = admin.post(
        QStringLiteral("/api/v1/webhooks"),
        QJsonObject{{QStringLiteral("url"), url}, {QStringLiteral("events"), QJsonArray{QStringLiteral("webhook.*")}}});
    QVERIFY2(created.status == 201, created.body.constData());
    const QString id = created.json().value(QStringLiteral("id")).toString();
    // Plain http:// stays refused without --webhook-allow-http.
    const auto plain = admin.post(QStringLiteral("/api/v1/webhooks"),
                                  QJsonObject{{QStringLiteral("url"), QStringLiteral("http://localhost/x")},
                                              {QStringLiteral("events"), QJsonArray{QStringLiteral("device.*")}}});
    QCOMPARE(plain.status, 400);
    // Any webhook change is an event it subscribes to.
    QVERIFY(admin
                .post(QStringLiteral("/api/v1/webhooks"),
                      QJsonObject{{QStringLiteral("url"), QStringLiteral("https://localhost/y")},
                                  {QStringLiteral("events"), QJsonArray{QStringLiteral("device.*")}}})
                .status == 201);
    QJsonObject attempt;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            const QJsonArray items = admin.get(QStringLiteral("/api/v1/webhooks/%1/deliveries").arg(id))
                                         .json()
                                         .value(QStringLiteral("items"))
                                         .toArray();
            for (const QJsonValue &v : items) {
                if (v.toObject().value(QStringLiteral("attempts")).toInt() > 0)
                    attempt = v.toObject();
            }
            return !attempt.isEmpty();
        }(),
        15000);
    QVERIFY2(attempt.value(QStringLiteral("lastStatusCode")).toInt() >= 400,
             QJsonDocument(attempt).toJson().constData());
}

void TestWebhooks::eachWebhookHasItsOwnSecretAndRedirectsAreNotFollowed()
{
    m_receiver.policy = [](const Receiver::Request &r) { return r.path == "/own-b" ? 302 : 200; };
    m_receiver.redirectTo = m_receiver.url(QStringLiteral("/redirected")).toUtf8();
    QString secretA, secretB;
    const QJsonObject a = createWebhook(QStringLiteral("/own-a"), QJsonArray{QStringLiteral("customer.*")}, &secretA);
    const QJsonObject b = createWebhook(QStringLiteral("/own-b"), QJsonArray{QStringLiteral("customer.*")}, &secretB);
    QVERIFY(!a.isEmpty() && !b.isEmpty());
    QVERIFY(secretA != secretB);
    QVERIFY(m_admin
                ->post(QStringLiteral("/api/v1/customers"),
                       QJsonObject{{QStringLiteral("name"), QStringLiteral("Own Secrets")},
                                   {QStringLiteral("email"), QStringLiteral("own@secrets.example")}})
                .status == 201);
    QTRY_VERIFY_WITH_TIMEOUT(!m_receiver.to("/own-a").isEmpty() && !m_receiver.to("/own-b").isEmpty(), 15000);
    // Each request is signed with its own webhook's secret, never the other's.
    for (const auto &[path, own, other] :
         {std::tuple{QByteArray("/own-a"), secretA, secretB}, std::tuple{QByteArray("/own-b"), secretB, secretA}}) {
        for (const auto &r : m_receiver.to(path)) {
            const QByteArray ts = r.headers.value("x-provisio-timestamp");
            QCOMPARE(r.headers.value("x-provisio-signature"), expectedSignature(own.toUtf8(), ts, r.body));
            QVERIFY(r.headers.value("x-provisio-signature") != expectedSignature(other.toUtf8(), ts, r.body));
            QVERIFY(!r.body.contains(own.toUtf8()) && !r.body.contains(other.toUtf8()));
        }
    }
    // The 302 is a failed attempt, not an instruction to post elsewhere.
    QTRY_VERIFY_WITH_TIMEOUT(!deliveries(b.value(QStringLiteral("id")).toString()).isEmpty() &&
                                 deliveries(b.value(QStringLiteral("id")).toString())
                                         .first()
                                         .toObject()
                                         .value(QStringLiteral("lastStatusCode"))
                                         .toInt() == 302,
                             10000);
    QTest::qWait(500);
    QVERIFY(m_receiver.to("/redirected").isEmpty());
    m_receiver.policy = [](const Receiver::Request &) { return 200; };
    for (const QJsonObject &hook : {a, b})
        m_admin->send("DELETE", QStringLiteral("/api/v1/webhooks/") + hook.value(QStringLiteral("id")).toString(), {},
                      {{"If-Match", hook.value(QStringLiteral("etag")).toString().toUtf8()}});
}

PROVISIO_TEST_GUILESS_MAIN(TestWebhooks)
#include "tst_webhooks.moc"

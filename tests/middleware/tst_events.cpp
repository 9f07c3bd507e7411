// SPDX-License-Identifier: Apache-2.0
// The live event feed as a CRM or dashboard meets it: a real middleware, a
// real QWebSocket over wss trusting only the instance's CA, changes made
// through the real API.
#include "childprocesswatch.h"
#include "httpsclient.h"
#include "middlewareprocess.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTest>
#include <QUrlQuery>
#include <QWebSocket>

#include "crypto/sastoken.h"

#include <QDateTime>

#include <memory>

using namespace Provisio::Test;

namespace {

// One feed connection: collects every text message and how it was closed.
class FeedClient : public QObject
{
public:
    FeedClient(const QString &caPath)
    {
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        QFile ca(caPath);
        if (ca.open(QIODevice::ReadOnly))
            ssl.setCaCertificates(QSslCertificate::fromData(ca.readAll(), QSsl::Pem));
        m_socket.setSslConfiguration(ssl);
        connect(&m_socket, &QWebSocket::textMessageReceived, this,
                [this](const QString &m) { messages << QJsonDocument::fromJson(m.toUtf8()).object(); });
        connect(&m_socket, &QWebSocket::connected, this, [this] { connected = true; });
        connect(&m_socket, &QWebSocket::disconnected, this, [this] {
            closed = true;
            closeCode = int(m_socket.closeCode());
            closeReason = m_socket.closeReason();
        });
        connect(&m_socket, &QWebSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
            for (const auto &e : errors)
                sslErrors << e.errorString();
        });
    }

    void open(const QString &baseUrl, const QString &query = {}, const QByteArray &bearer = {})
    {
        QUrl url(baseUrl + QStringLiteral("/api/v1/events"));
        url.setScheme(QStringLiteral("wss"));
        if (!query.isEmpty())
            url.setQuery(query);
        QNetworkRequest request(url);
        if (!bearer.isEmpty())
            request.setRawHeader("Authorization", "Bearer " + bearer);
        m_socket.open(request);
    }

    // Events only (the hello is messages.first()).
    QList<QJsonObject> events() const
    {
        QList<QJsonObject> out;
        for (const auto &m : messages) {
            if (m.value(QStringLiteral("type")).toString() != QLatin1String("hello"))
                out << m;
        }
        return out;
    }
    bool hasEvent(const QString &type, const QString &entityId) const
    {
        const auto all = events();
        return std::any_of(all.cbegin(), all.cend(), [&](const QJsonObject &e) {
            return e.value(QStringLiteral("type")).toString() == type &&
                   e.value(QStringLiteral("entityId")).toString() == entityId;
        });
    }

    QWebSocket &socket() { return m_socket; }

    QList<QJsonObject> messages;
    QStringList sslErrors;
    bool connected = false;
    bool closed = false;
    int closeCode = -1;
    QString closeReason;

private:
    QWebSocket m_socket;
};

// Every event type the middleware publishes, as docs/api.md lists them:
// the test's own list, so a type that goes missing from the filters is
// caught, and a new one must be added here (eventTypesAreListed).
const QStringList &allEventTypes()
{
    static const QStringList types{QStringLiteral("enrollment.created"),
                                   QStringLiteral("enrollment.updated"),
                                   QStringLiteral("enrollment.deleted"),
                                   QStringLiteral("enrollment.enabled"),
                                   QStringLiteral("enrollment.disabled"),
                                   QStringLiteral("enrollment.keysRegenerated"),
                                   QStringLiteral("enrollment.twinUpdated"),
                                   QStringLiteral("enrollmentGroup.created"),
                                   QStringLiteral("enrollmentGroup.updated"),
                                   QStringLiteral("enrollmentGroup.deleted"),
                                   QStringLiteral("enrollmentGroup.enabled"),
                                   QStringLiteral("enrollmentGroup.disabled"),
                                   QStringLiteral("enrollmentGroup.keysRegenerated"),
                                   QStringLiteral("enrollmentGroup.twinUpdated"),
                                   QStringLiteral("customer.created"),
                                   QStringLiteral("customer.updated"),
                                   QStringLiteral("customer.deleted"),
                                   QStringLiteral("hub.created"),
                                   QStringLiteral("hub.updated"),
                                   QStringLiteral("hub.deleted"),
                                   QStringLiteral("hub.keyRotated"),
                                   QStringLiteral("webhook.created"),
                                   QStringLiteral("webhook.updated"),
                                   QStringLiteral("webhook.deleted"),
                                   QStringLiteral("token.created"),
                                   QStringLiteral("token.updated"),
                                   QStringLiteral("token.deleted"),
                                   QStringLiteral("token.revoked"),
                                   QStringLiteral("accessPolicy.created"),
                                   QStringLiteral("accessPolicy.revoked"),
                                   QStringLiteral("policy.created"),
                                   QStringLiteral("policy.updated"),
                                   QStringLiteral("policy.deleted"),
                                   QStringLiteral("device.created"),
                                   QStringLiteral("device.updated"),
                                   QStringLiteral("device.deleted"),
                                   QStringLiteral("device.sold"),
                                   QStringLiteral("device.returned"),
                                   QStringLiteral("device.imported"),
                                   QStringLiteral("device.provisioned"),
                                   QStringLiteral("device.statusReported"),
                                   QStringLiteral("device.online"),
                                   QStringLiteral("device.offline"),
                                   QStringLiteral("registration.assigned"),
                                   QStringLiteral("registration.failed"),
                                   QStringLiteral("registration.disabled"),
                                   QStringLiteral("registration.deleted"),
                                   QStringLiteral("registration.reprovisioned"),
                                   QStringLiteral("registration.hubKeyRotated"),
                                   QStringLiteral("enrollmentGroup.hubKeysRotated"),
                                   QStringLiteral("activation.issued"),
                                   QStringLiteral("activation.exchanged"),
                                   QStringLiteral("activation.unlocked"),
                                   QStringLiteral("twin.reported"),
                                   QStringLiteral("twin.updated"),
                                   QStringLiteral("cloudMessage.queued"),
                                   QStringLiteral("cloudMessage.delivered"),
                                   QStringLiteral("cloudMessage.expired"),
                                   QStringLiteral("activationMail.queued"),
                                   QStringLiteral("activationMail.sent"),
                                   QStringLiteral("activationMail.failed"),
                                   QStringLiteral("batchJob.started"),
                                   QStringLiteral("batchJob.progress"),
                                   QStringLiteral("batchJob.finished"),
                                   QStringLiteral("telemetry")};
    return types;
}

// The answer to a WebSocket handshake request on the feed's path, as any
// client sends it (status line, headers and body, as far as they came).
QByteArray upgradeAnswer(const QString &baseUrl, const QString &caPath, const QString &query, const QByteArray &bearer)
{
    const QUrl url(baseUrl);
    QSslSocket socket;
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    QFile ca(caPath);
    if (ca.open(QIODevice::ReadOnly))
        ssl.setCaCertificates(QSslCertificate::fromData(ca.readAll(), QSsl::Pem));
    socket.setSslConfiguration(ssl);
    socket.connectToHostEncrypted(url.host(), quint16(url.port()));
    if (!socket.waitForEncrypted(10000))
        return "no TLS connection: " + socket.errorString().toUtf8();
    socket.write("GET /api/v1/events?" + query.toUtf8() + " HTTP/1.1\r\nHost: " + url.host().toUtf8() +
                 "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer " +
                 bearer + "\r\n\r\n");
    QByteArray answer;
    QDeadlineTimer deadline(10000);
    while (!deadline.hasExpired() && !answer.contains("}") && !answer.startsWith("HTTP/1.1 101")) {
        if (socket.waitForReadyRead(200))
            answer += socket.readAll();
        else if (socket.state() != QAbstractSocket::ConnectedState)
            break;
    }
    return answer;
}

QJsonObject hubBody(const QString &host)
{
    return QJsonObject{{QStringLiteral("host"), host},
                       {QStringLiteral("port"), 8883},
                       {QStringLiteral("region"), QStringLiteral("eu")},
                       {QStringLiteral("allocationWeight"), 1}};
}

QJsonObject webhookBody(const QString &description)
{
    return QJsonObject{{QStringLiteral("url"), QStringLiteral("https://receiver.invalid/hook")},
                       {QStringLiteral("events"), QJsonArray{QStringLiteral("hub.*")}},
                       {QStringLiteral("enabled"), false},
                       {QStringLiteral("description"), description}};
}

} // namespace

class TestEvents : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void badTokenIsClosedWithPolicyViolation_data();
    void badTokenIsClosedWithPolicyViolation();
    void helloAndCommittedChangeArrive();
    void accessTokenInQueryForBrowsers();
    void typeFilterExcludesOtherEvents();
    void deviceIdFilterExcludesOtherEvents();
    void unknownQueryParameterIsRefused_data();
    void unknownQueryParameterIsRefused();
    void failedChangeProducesNoEvent();
    void importedDevicesArriveOnceEachInOrder();
    void plainGetIsTold426();
    void eventTypesAreListed();
    void everyEventTypeIsAFilter_data();
    void everyEventTypeIsAFilter();
    void registrationIsAnnounced();
    void roleDecidesWhatAuditAndFeedShow_data();
    void roleDecidesWhatAuditAndFeedShow();

private:
    QByteArray tokenFor(const QString &role) const;
    std::unique_ptr<FeedClient> connectFeed(const QString &query = {}, const QByteArray &bearer = {});
    std::unique_ptr<MiddlewareProcess> m_mw;
    std::unique_ptr<HttpsClient> m_admin;
    QByteArray m_viewerToken;
    QByteArray m_operatorToken;
    QByteArray m_adminToken;
};

void TestEvents::initTestCase()
{
    // The webhooks made here are disabled; their host only has to be allowed.
    // Event webhooks go to receiver.invalid; the enrollment rows name an
    // allocation webhook on alloc.invalid.
    qputenv("PROVISIO_WEBHOOK_ALLOWED_HOSTS", "receiver.invalid,alloc.invalid");
    m_mw = std::make_unique<MiddlewareProcess>();
    QVERIFY2(m_mw->start(), qPrintable(m_mw->lastError()));
    m_adminToken = m_mw->createToken(QStringLiteral("admin"), QStringLiteral("events-admin")).toUtf8();
    m_viewerToken = m_mw->createToken(QStringLiteral("viewer"), QStringLiteral("events-viewer")).toUtf8();
    QVERIFY(!m_adminToken.isEmpty());
    QVERIFY(!m_viewerToken.isEmpty());
    m_operatorToken = m_mw->createToken(QStringLiteral("operator"), QStringLiteral("events-operator")).toUtf8();
    QVERIFY(!m_operatorToken.isEmpty());
    m_admin = std::make_unique<HttpsClient>(m_mw->baseUrl(), m_mw->caCertificatePath());
    m_admin->setBearer(QString::fromUtf8(m_adminToken));
}

std::unique_ptr<FeedClient> TestEvents::connectFeed(const QString &query, const QByteArray &bearer)
{
    auto client = std::make_unique<FeedClient>(m_mw->caCertificatePath());
    client->open(m_mw->baseUrl(), query, bearer);
    return client;
}

void TestEvents::badTokenIsClosedWithPolicyViolation_data()
{
    QTest::addColumn<QByteArray>("bearer");
    QTest::addColumn<QString>("query");
    QTest::newRow("no token") << QByteArray() << QString();
    QTest::newRow("bad bearer") << QByteArray("not-a-token") << QString();
    QTest::newRow("bad access_token") << QByteArray() << QStringLiteral("access_token=nope");
}

void TestEvents::badTokenIsClosedWithPolicyViolation()
{
    QFETCH(QByteArray, bearer);
    QFETCH(QString, query);
    auto feed = connectFeed(query, bearer);
    // The upgrade itself succeeds over wss; the feed then refuses.
    QTRY_VERIFY_WITH_TIMEOUT(feed->closed, 15000);
    QVERIFY2(feed->sslErrors.isEmpty(), qPrintable(feed->sslErrors.join(QLatin1String("; "))));
    QVERIFY(feed->connected);
    QCOMPARE(feed->closeCode, int(QWebSocketProtocol::CloseCodePolicyViolated));
    QVERIFY(feed->messages.isEmpty()); // not even the hello
}

void TestEvents::helloAndCommittedChangeArrive()
{
    auto feed = connectFeed({}, m_viewerToken);
    QTRY_VERIFY_WITH_TIMEOUT(!feed->messages.isEmpty(), 15000);
    const QJsonObject hello = feed->messages.first();
    QCOMPARE(hello.value(QStringLiteral("type")).toString(), QStringLiteral("hello"));
    QCOMPARE(hello.value(QStringLiteral("idScope")).toString(), m_mw->idScope());
    QCOMPARE(hello.value(QStringLiteral("role")).toString(), QStringLiteral("viewer"));

    const auto put = m_admin->put(QStringLiteral("/api/v1/hubs/hub1"), hubBody(QStringLiteral("hub1.example")));
    QVERIFY2(put.status == 200 || put.status == 201, put.body.constData());
    QTRY_VERIFY_WITH_TIMEOUT(feed->hasEvent(QStringLiteral("hub.created"), QStringLiteral("hub1")), 10000);
    QJsonObject event;
    for (const auto &e : feed->events()) {
        if (e.value(QStringLiteral("entityId")).toString() == QLatin1String("hub1"))
            event = e;
    }
    QVERIFY(event.value(QStringLiteral("id")).toString().startsWith(QLatin1String("evt_")));
    QVERIFY(!event.value(QStringLiteral("at")).toString().isEmpty());
    QCOMPARE(event.value(QStringLiteral("entityType")).toString(), QStringLiteral("hub"));
    const QJsonObject data = event.value(QStringLiteral("data")).toObject();
    QCOMPARE(data.value(QStringLiteral("host")).toString(), QStringLiteral("hub1.example"));
    // The hub's signing key never travels in an event.
    const QByteArray raw = QJsonDocument(event).toJson();
    const QByteArray key = put.json().value(QStringLiteral("signingKey")).toString().toUtf8();
    QVERIFY(!key.isEmpty());
    QVERIFY(!raw.contains(key));

    // An update is an event too, in order.
    const auto again = m_admin->put(QStringLiteral("/api/v1/hubs/hub1"), hubBody(QStringLiteral("hub1b.example")));
    QCOMPARE(again.status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(feed->hasEvent(QStringLiteral("hub.updated"), QStringLiteral("hub1")), 10000);
}

void TestEvents::accessTokenInQueryForBrowsers()
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("access_token"), QString::fromUtf8(m_viewerToken));
    auto feed = connectFeed(query.toString(QUrl::FullyEncoded));
    QTRY_VERIFY_WITH_TIMEOUT(!feed->messages.isEmpty(), 15000);
    QCOMPARE(feed->messages.first().value(QStringLiteral("type")).toString(), QStringLiteral("hello"));
    QVERIFY(!feed->closed);
}

void TestEvents::typeFilterExcludesOtherEvents()
{
    auto all = connectFeed({}, m_viewerToken);
    auto webhooksOnly = connectFeed(QStringLiteral("type=webhook,device.online"), m_viewerToken);
    QTRY_VERIFY_WITH_TIMEOUT(!all->messages.isEmpty() && !webhooksOnly->messages.isEmpty(), 15000);
    QCOMPARE(webhooksOnly->messages.first()
                 .value(QStringLiteral("filters"))
                 .toObject()
                 .value(QStringLiteral("type"))
                 .toArray()
                 .size(),
             2);

    // A hub change: the unfiltered client sees it, the filtered one must not.
    QVERIFY(m_admin->put(QStringLiteral("/api/v1/hubs/hub2"), hubBody(QStringLiteral("hub2.example"))).status < 300);
    QTRY_VERIFY_WITH_TIMEOUT(all->hasEvent(QStringLiteral("hub.created"), QStringLiteral("hub2")), 10000);
    // Then a change the filter matches: events reach a client in order, so once
    // it is there, the hub event would have been there before it.
    const auto created = m_admin->post(QStringLiteral("/api/v1/webhooks"), webhookBody(QStringLiteral("filter test")));
    QCOMPARE(created.status, 201);
    const QString id = created.json().value(QStringLiteral("id")).toString();
    QTRY_VERIFY_WITH_TIMEOUT(webhooksOnly->hasEvent(QStringLiteral("webhook.created"), id), 10000);
    const auto seen = webhooksOnly->events();
    QCOMPARE(seen.size(), 1);
    QCOMPARE(seen.first().value(QStringLiteral("type")).toString(), QStringLiteral("webhook.created"));
    // The secret returned at creation is not in the event.
    const QByteArray secret = created.json().value(QStringLiteral("secret")).toString().toUtf8();
    QVERIFY(!secret.isEmpty());
    QVERIFY(!QJsonDocument(seen.first()).toJson().contains(secret));
}

void TestEvents::deviceIdFilterExcludesOtherEvents()
{
    auto oneDevice = connectFeed(QStringLiteral("deviceId=dev-that-does-not-change"), m_viewerToken);
    auto hubs = connectFeed(QStringLiteral("type=hub"), m_viewerToken);
    QTRY_VERIFY_WITH_TIMEOUT(!oneDevice->messages.isEmpty() && !hubs->messages.isEmpty(), 15000);
    QVERIFY(m_admin->put(QStringLiteral("/api/v1/hubs/hub3"), hubBody(QStringLiteral("hub3.example"))).status < 300);
    QTRY_VERIFY_WITH_TIMEOUT(hubs->hasEvent(QStringLiteral("hub.created"), QStringLiteral("hub3")), 10000);
    // Both sockets were written in the same turn of the middleware's loop;
    // give the filtered one a moment to prove nothing came.
    QTest::qWait(300);
    QVERIFY(oneDevice->events().isEmpty());
    QVERIFY(!oneDevice->closed);
}

void TestEvents::unknownQueryParameterIsRefused_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("reason");
    QTest::newRow("misspelt parameter") << "typo=hub"
                                        << "unknown query parameter 'typo'";
    QTest::newRow("unknown event type") << "type=hub,devcie.online"
                                        << "unknown event type 'devcie.online'";
    QTest::newRow("unknown category") << "type=cloudMessages.*"
                                      << "unknown event type 'cloudMessages.*'";
}

void TestEvents::unknownQueryParameterIsRefused()
{
    // Refused before the upgrade, with a 400 whose message names the
    // mistake; no socket opens.
    QFETCH(QString, query);
    QFETCH(QString, reason);
    const QByteArray answer = upgradeAnswer(m_mw->baseUrl(), m_mw->caCertificatePath(), query, m_viewerToken);
    QVERIFY2(answer.startsWith("HTTP/1.1 400"), answer.constData());
    const QJsonObject error = QJsonDocument::fromJson(answer.mid(answer.indexOf("\r\n\r\n") + 4)).object();
    QCOMPARE(error.value(QStringLiteral("errorCode")).toInt(), 400004);
    QVERIFY2(error.value(QStringLiteral("message")).toString().contains(reason), answer.constData());
    // A WebSocket client sees the handshake fail.
    auto feed = connectFeed(query, m_viewerToken);
    QTRY_VERIFY_WITH_TIMEOUT(feed->closed || feed->socket().error() != QAbstractSocket::UnknownSocketError, 15000);
    QVERIFY(!feed->connected);
    QVERIFY(feed->messages.isEmpty());
    // A known filter on the same path still upgrades.
    QVERIFY(upgradeAnswer(m_mw->baseUrl(), m_mw->caCertificatePath(), QStringLiteral("type=hub"), m_viewerToken)
                .startsWith("HTTP/1.1 101"));
}

void TestEvents::failedChangeProducesNoEvent()
{
    auto feed = connectFeed(QStringLiteral("type=hub,webhook"), m_viewerToken);
    QTRY_VERIFY_WITH_TIMEOUT(!feed->messages.isEmpty(), 15000);
    // Refused changes: a stale If-Match, a conflicting host. Nothing committed,
    // nothing published.
    const auto stale = m_admin->put(QStringLiteral("/api/v1/hubs/hub1"), hubBody(QStringLiteral("hub1c.example")),
                                    {{"If-Match", "\"stale\""}});
    QCOMPARE(stale.status, 412);
    const auto conflict = m_admin->put(QStringLiteral("/api/v1/hubs/hub9"), hubBody(QStringLiteral("hub2.example")));
    QCOMPARE(conflict.status, 409);
    // A marker change the filter matches: it must be the first event.
    const auto marker = m_admin->post(QStringLiteral("/api/v1/webhooks"), webhookBody(QStringLiteral("marker")));
    QCOMPARE(marker.status, 201);
    const QString id = marker.json().value(QStringLiteral("id")).toString();
    QTRY_VERIFY_WITH_TIMEOUT(feed->hasEvent(QStringLiteral("webhook.created"), id), 10000);
    QCOMPARE(feed->events().size(), 1);
}

void TestEvents::importedDevicesArriveOnceEachInOrder()
{
    // The CSV import writes its new devices on a writer thread in parts of
    // 1,000 and publishes their events after its one commit, from the event
    // loop once the answer is on its way: every imported device's event
    // must still arrive, once, in the file's order, stamped as one commit.
    auto feed = connectFeed(QStringLiteral("type=device.imported"), m_viewerToken);
    QTRY_VERIFY_WITH_TIMEOUT(!feed->messages.isEmpty(), 15000);
    constexpr int count = 1200;
    QByteArray csv = "serial,model,batch\n";
    for (int i = 0; i < count; ++i)
        csv += QStringLiteral("EVT-IMP-%1,M-EVT,B-EVT\n").arg(i, 4, 10, QLatin1Char('0')).toUtf8();
    const auto imported = m_admin->send("POST", QStringLiteral("/api/v1/devices/import"), csv, {}, "text/csv");
    QCOMPARE(imported.status, 200);
    QCOMPARE(imported.json().value(QStringLiteral("created")).toInt(), count);
    QTRY_COMPARE_WITH_TIMEOUT(feed->events().size(), count, 15000);
    const QList<QJsonObject> events = feed->events();
    const QString at = events.first().value(QStringLiteral("at")).toString();
    QVERIFY(!at.isEmpty());
    for (int i = 0; i < count; ++i) {
        const QJsonObject &e = events.at(i);
        const QString serial = QStringLiteral("EVT-IMP-%1").arg(i, 4, 10, QLatin1Char('0'));
        QCOMPARE(e.value(QStringLiteral("type")).toString(), QStringLiteral("device.imported"));
        QCOMPARE(e.value(QStringLiteral("entityId")).toString(), serial);
        QCOMPARE(e.value(QStringLiteral("at")).toString(), at);
        const QJsonObject data = e.value(QStringLiteral("data")).toObject();
        QCOMPARE(data.value(QStringLiteral("serial")).toString(), serial);
        QCOMPARE(data.value(QStringLiteral("batch")).toString(), QStringLiteral("B-EVT"));
    }

    // The same file again: every row is refused as existing, nothing is
    // written and nothing published; a marker import then comes next.
    const auto again = m_admin->send("POST", QStringLiteral("/api/v1/devices/import"), csv, {}, "text/csv");
    QCOMPARE(again.status, 200);
    QCOMPARE(again.json().value(QStringLiteral("failed")).toInt(), count);
    const auto marker =
        m_admin->send("POST", QStringLiteral("/api/v1/devices/import"), "serial\nEVT-IMP-MARKER\n", {}, "text/csv");
    QCOMPARE(marker.status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(feed->events().size(), count + 1, 15000);
    QCOMPARE(feed->events().last().value(QStringLiteral("entityId")).toString(), QStringLiteral("EVT-IMP-MARKER"));
}

void TestEvents::plainGetIsTold426()
{
    HttpsClient viewer(m_mw->baseUrl(), m_mw->caCertificatePath());
    viewer.setBearer(QString::fromUtf8(m_viewerToken));
    const auto r = viewer.get(QStringLiteral("/api/v1/events"));
    QCOMPARE(r.status, 426);
    QCOMPARE(r.header("Upgrade"), QByteArray("websocket"));
    // The DPS error shape with an errorCode that agrees with the status.
    const QJsonObject error = r.json();
    QCOMPARE(error.value(QStringLiteral("errorCode")).toInt(), 426001);
    QVERIFY(error.value(QStringLiteral("message")).toString().contains(QLatin1String("WebSocket")));
    QVERIFY(!error.value(QStringLiteral("trackingId")).toString().isEmpty());
}

void TestEvents::eventTypesAreListed()
{
    const auto r = m_admin->get(QStringLiteral("/api/v1/events/types"));
    QCOMPARE(r.status, 200);
    QStringList types;
    for (const QJsonValue &t : r.json().value(QStringLiteral("types")).toArray())
        types << t.toString();
    types.sort();
    QStringList expected = allEventTypes();
    expected.sort();
    QCOMPARE(types, expected);
}

void TestEvents::everyEventTypeIsAFilter_data()
{
    QTest::addColumn<QString>("filter");
    for (const QString &type : allEventTypes())
        QTest::newRow(qPrintable(type)) << type;
    QStringList categories;
    for (const QString &type : allEventTypes())
        categories << type.section(QLatin1Char('.'), 0, 0);
    categories.removeDuplicates();
    for (const QString &category : std::as_const(categories)) {
        if (!allEventTypes().contains(category))
            QTest::newRow(qPrintable(category)) << category;
        QTest::newRow(qPrintable(category + QStringLiteral(".*"))) << category + QStringLiteral(".*");
    }
}

void TestEvents::everyEventTypeIsAFilter()
{
    // Each type, each category: the feed greets with the filter and stays open.
    QFETCH(QString, filter);
    auto feed = connectFeed(QStringLiteral("type=") + filter, m_viewerToken);
    QTRY_VERIFY_WITH_TIMEOUT(!feed->messages.isEmpty() || feed->closed, 15000);
    QVERIFY2(!feed->closed, qPrintable(feed->closeReason));
    const QJsonObject hello = feed->messages.constFirst();
    QCOMPARE(hello.value(QStringLiteral("type")).toString(), QStringLiteral("hello"));
    QCOMPARE(hello.value(QStringLiteral("filters")).toObject().value(QStringLiteral("type")).toArray(),
             QJsonArray{filter});
}

void TestEvents::registrationIsAnnounced()
{
    // A device registering through the DPS API shows up on the feed with its
    // outcome and hub, and its connection secrets do not.
    const auto hub = m_admin->put(QStringLiteral("/api/v1/hubs/reg-hub"), hubBody(QStringLiteral("reg-hub.example")));
    QVERIFY2(hub.status == 200 || hub.status == 201, hub.body.constData());
    const auto enrollment =
        m_admin->put(QStringLiteral("/api/v1/enrollments/evt-dev-1"),
                     QJsonObject{{QStringLiteral("attestation"),
                                  QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}}});
    QCOMPARE(enrollment.status, 201);
    const QString key = enrollment.json()
                            .value(QStringLiteral("attestation"))
                            .toObject()
                            .value(QStringLiteral("symmetricKey"))
                            .toObject()
                            .value(QStringLiteral("primaryKey"))
                            .toString();
    QVERIFY(!key.isEmpty());

    auto feed = connectFeed(QStringLiteral("type=registration"), m_viewerToken);
    QTRY_VERIFY_WITH_TIMEOUT(!feed->messages.isEmpty(), 15000);

    const QString resource = m_mw->idScope() + QStringLiteral("/registrations/evt-dev-1");
    const QString sas = Provisio::SasToken::create(resource, key, QDateTime::currentSecsSinceEpoch() + 600,
                                                   QStringLiteral("registration"));
    HttpsClient device(m_mw->baseUrl(), m_mw->caCertificatePath());
    const auto reg = device.put(QLatin1Char('/') + resource + QStringLiteral("/register?api-version=2021-06-01"),
                                QJsonObject{{QStringLiteral("registrationId"), QStringLiteral("evt-dev-1")}},
                                {{"Authorization", sas.toUtf8()}});
    QVERIFY2(reg.status == 202 || reg.status == 200, reg.body.constData());
    QTRY_VERIFY_WITH_TIMEOUT(feed->hasEvent(QStringLiteral("registration.assigned"), QStringLiteral("evt-dev-1")),
                             10000);
    for (const auto &e : feed->events()) {
        QVERIFY(e.value(QStringLiteral("type")).toString().startsWith(QLatin1String("registration.")));
        if (e.value(QStringLiteral("type")).toString() != QLatin1String("registration.assigned"))
            continue;
        QCOMPARE(e.value(QStringLiteral("deviceId")).toString(), QStringLiteral("evt-dev-1"));
        // Other tests linked hubs too: the event names the hub the device was told.
        const QString told = reg.json()
                                 .value(QStringLiteral("registrationState"))
                                 .toObject()
                                 .value(QStringLiteral("assignedHub"))
                                 .toString();
        QVERIFY(!told.isEmpty());
        QCOMPARE(e.value(QStringLiteral("data")).toObject().value(QStringLiteral("assignedHub")).toString(), told);
        const QByteArray raw = QJsonDocument(e).toJson();
        QVERIFY(!raw.contains("hubDeviceKey"));
        QVERIFY(!raw.contains(key.toUtf8()));
    }
}

PROVISIO_TEST_GUILESS_MAIN(TestEvents)
QByteArray TestEvents::tokenFor(const QString &role) const
{
    if (role == QLatin1String("admin"))
        return m_adminToken;
    return role == QLatin1String("operator") ? m_operatorToken : m_viewerToken;
}

// A viewer (or operator) reads the audit log and the live feed, but never the
// data of records whose routes it cannot read (webhooks, tokens), nor the
// query secrets of URLs in records it can read; an admin sees both.
void TestEvents::roleDecidesWhatAuditAndFeedShow_data()
{
    QTest::addColumn<QString>("role");
    QTest::addColumn<QString>("entityType");
    QTest::addColumn<bool>("dataShown");   // event data / audit after present
    QTest::addColumn<bool>("secretShown"); // the query secret or token name
    for (const char *role : {"viewer", "operator", "admin"}) {
        const bool admin = qstrcmp(role, "admin") == 0;
        QTest::addRow("%s, webhook", role) << QString::fromLatin1(role) << QStringLiteral("webhook") << admin << admin;
        QTest::addRow("%s, token", role) << QString::fromLatin1(role) << QStringLiteral("token") << admin << admin;
        QTest::addRow("%s, enrollment", role)
            << QString::fromLatin1(role) << QStringLiteral("enrollment") << true << admin;
    }
}

void TestEvents::roleDecidesWhatAuditAndFeedShow()
{
    QFETCH(QString, role);
    QFETCH(QString, entityType);
    QFETCH(bool, dataShown);
    QFETCH(bool, secretShown);
    static int round = 0;
    const QString marker = QStringLiteral("SeCrEt%1x").arg(++round);

    auto feed = connectFeed(QStringLiteral("type=") + entityType, tokenFor(role));
    QTRY_VERIFY_WITH_TIMEOUT(!feed->messages.isEmpty(), 15000);
    QCOMPARE(feed->messages.first().value(QStringLiteral("role")).toString(), role);

    QString id;
    QByteArray issuedSecret; // what the change answers once; never in audit or events
    if (entityType == QLatin1String("webhook")) {
        const auto r = m_admin->post(
            QStringLiteral("/api/v1/webhooks"),
            {{QStringLiteral("url"), QString(QStringLiteral("https://receiver.invalid/hook?sig=") + marker)},
             {QStringLiteral("events"), QJsonArray{QStringLiteral("hub.*")}},
             {QStringLiteral("enabled"), false}});
        QCOMPARE(r.status, 201);
        id = r.json().value(QStringLiteral("id")).toString();
        issuedSecret = r.json().value(QStringLiteral("secret")).toString().toUtf8();
    } else if (entityType == QLatin1String("token")) {
        const auto r =
            m_admin->post(QStringLiteral("/api/v1/tokens"),
                          {{QStringLiteral("role"), QStringLiteral("admin")}, {QStringLiteral("name"), marker}});
        QCOMPARE(r.status, 201);
        id = r.json().value(QStringLiteral("id")).toString();
        issuedSecret = r.json().value(QStringLiteral("token")).toString().toUtf8();
    } else {
        id = QStringLiteral("vis-") + marker.toLower();
        const auto r = m_admin->put(
            QStringLiteral("/api/v1/enrollments/") + id,
            {{QStringLiteral("registrationId"), id},
             {QStringLiteral("attestation"), QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}},
             {QStringLiteral("allocationPolicy"), QStringLiteral("custom")},
             {QStringLiteral("customAllocationDefinition"),
              QJsonObject{
                  {QStringLiteral("webhookUrl"), QString(QStringLiteral("https://alloc.invalid/fn?code=") + marker)},
                  {QStringLiteral("apiVersion"), QStringLiteral("2021-10-01")}}}});
        QVERIFY2(r.status == 200 || r.status == 201, r.body.constData());
        issuedSecret = r.json()
                           .value(QStringLiteral("attestation"))
                           .toObject()
                           .value(QStringLiteral("symmetricKey"))
                           .toObject()
                           .value(QStringLiteral("primaryKey"))
                           .toString()
                           .toUtf8();
    }
    QVERIFY(!id.isEmpty());
    QVERIFY(!issuedSecret.isEmpty());

    // The live feed, as this role sees it.
    const QString created = entityType + QStringLiteral(".created");
    QTRY_VERIFY_WITH_TIMEOUT(feed->hasEvent(created, id), 10000);
    QJsonObject event;
    for (const auto &e : feed->events()) {
        if (e.value(QStringLiteral("entityId")).toString() == id)
            event = e;
    }
    const QByteArray eventText = QJsonDocument(event).toJson();
    QCOMPARE(!event.value(QStringLiteral("data")).toObject().isEmpty(), dataShown);
    QCOMPARE(eventText.contains(marker.toUtf8()), secretShown);
    QVERIFY(!eventText.contains(issuedSecret));

    // The audit log, as this role sees it.
    HttpsClient reader(m_mw->baseUrl(), m_mw->caCertificatePath());
    reader.setBearer(QString::fromUtf8(tokenFor(role)));
    const auto audit = reader.get(QStringLiteral("/api/v1/audit?entityType=%1&entityId=%2").arg(entityType, id));
    QCOMPARE(audit.status, 200);
    const QJsonArray entries = audit.json().value(QStringLiteral("items")).toArray();
    QCOMPARE(entries.size(), 1);
    const QJsonObject entry = entries.first().toObject();
    QCOMPARE(entry.value(QStringLiteral("action")).toString(), QStringLiteral("create"));
    QCOMPARE(entry.contains(QStringLiteral("after")), dataShown);
    QCOMPARE(audit.body.contains(marker.toUtf8()), secretShown);
    QVERIFY(!audit.body.contains(issuedSecret));
    if (entityType == QLatin1String("enrollment")) {
        // A non-admin still sees where the webhook points, without its query.
        QVERIFY(audit.body.contains("https://alloc.invalid/fn"));
        QVERIFY(eventText.contains("https://alloc.invalid/fn"));
    }
}

#include "tst_events.moc"

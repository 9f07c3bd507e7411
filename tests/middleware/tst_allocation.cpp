// SPDX-License-Identifier: Apache-2.0
// Allocation policies and reprovisioning, end to end: the real middleware
// over HTTPS, hubs linked through the hub API, and a real HTTP webhook in
// this process for custom allocation.

#include "childprocesswatch.h"
#include "devicetestutil.h"

#include <QHostInfo>
#include <QJsonDocument>
#include <QMessageAuthenticationCode>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

using namespace Provisio;
using namespace Provisio::Test;

namespace {

// A small HTTP/1.1 server standing in for a custom allocation webhook
// (Azure Functions in DPS). It records each request and answers according
// to `mode`.
class Webhook : public QObject
{
public:
    enum class Mode { Assign, ServerError, Hang, UnknownHub, Redirect };

    Mode mode = Mode::Assign;
    QString hubHost;
    struct Request
    {
        QByteArray authorization;
        QJsonObject body;
        QByteArray rawBody;
        QByteArray timestamp;
        QByteArray signature;
    };
    QList<Request> requests;

    bool listen()
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                m_sockets << s;
                connect(s, &QTcpSocket::readyRead, this, [this, s] { read(s); });
            }
        });
        return m_server.listen(QHostAddress::LocalHost, 0);
    }
    quint16 port() const { return m_server.serverPort(); }
    QString url() const
    {
        return QStringLiteral("http://127.0.0.1:%1/api/allocate?code=function-key").arg(m_server.serverPort());
    }

private:
    void read(QTcpSocket *s)
    {
        QByteArray &buf = m_buffers[s];
        buf += s->readAll();
        const int end = buf.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        int length = 0;
        QByteArray authorization, timestamp, signature;
        const QList<QByteArray> lines = buf.left(end).split('\n');
        for (const QByteArray &raw : lines) {
            const QByteArray line = raw.trimmed();
            const int colon = line.indexOf(':');
            if (colon < 0)
                continue;
            const QByteArray name = line.left(colon).trimmed().toLower();
            if (name == "content-length")
                length = line.mid(colon + 1).trimmed().toInt();
            else if (name == "authorization")
                authorization = line.mid(colon + 1).trimmed();
            else if (name == "x-provisio-timestamp")
                timestamp = line.mid(colon + 1).trimmed();
            else if (name == "x-provisio-signature")
                signature = line.mid(colon + 1).trimmed();
        }
        if (buf.size() < end + 4 + length)
            return;
        const QByteArray body = buf.mid(end + 4, length);
        buf.clear();
        requests.append({authorization, QJsonDocument::fromJson(body).object(), body, timestamp, signature});
        switch (mode) {
        case Mode::Hang:
            return; // never answers: the middleware's timeout must fire
        case Mode::ServerError:
            respond(s, "500 Internal Server Error", "{\"error\":\"boom\"}");
            return;
        case Mode::Redirect:
            // Somewhere the middleware must not be led: it does not follow.
            respond(s, "302 Found\r\nLocation: http://169.254.169.254/latest/meta-data/", "{}");
            return;
        case Mode::UnknownHub:
            respond(s, "200 OK", "{\"iotHubHostName\":\"not-linked.provisio.test\"}");
            return;
        case Mode::Assign: {
            const QJsonObject answer{
                {QStringLiteral("iotHubHostName"), hubHost},
                {QStringLiteral("initialTwin"),
                 QJsonObject{
                     {QStringLiteral("tags"), QJsonObject{{QStringLiteral("chosenBy"), QStringLiteral("webhook")}}}}},
                {QStringLiteral("payload"), QJsonObject{{QStringLiteral("greeting"), QStringLiteral("hello device")}}}};
            respond(s, "200 OK", QJsonDocument(answer).toJson(QJsonDocument::Compact));
            return;
        }
        }
    }
    void respond(QTcpSocket *s, const QByteArray &status, const QByteArray &body)
    {
        s->write("HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\nContent-Length: " +
                 QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
        s->flush();
        s->disconnectFromHost();
    }

    QTcpServer m_server;
    QList<QTcpSocket *> m_sockets;
    QHash<QTcpSocket *, QByteArray> m_buffers;
};

const QString kKeyA = Crypto::generateSymmetricKey(32);
const QString kKeyB = Crypto::generateSymmetricKey(32);

QString host(const char *name)
{
    return QString::fromLatin1(name) + QStringLiteral(".provisio.test");
}

} // namespace

class tst_Allocation : public QObject
{
    Q_OBJECT

private:
    DeviceFixture f;
    Webhook m_webhook;

    // An individual enrollment restricted to `hubs` (by host); returns its key.
    QString enroll(const QString &id, QJsonObject extra)
    {
        const auto r = f.putEnrollment(id, extra);
        if (r.status != 201 && r.status != 200)
            qWarning("enrollment %s failed: %d %s", qPrintable(id), r.status, r.body.constData());
        return DeviceFixture::primaryKey(r.json());
    }
    static QJsonArray hosts(std::initializer_list<const char *> names)
    {
        QJsonArray out;
        for (const char *n : names)
            out.append(host(n));
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_webhook.listen());
        // The webhook is this test's plain-HTTP loopback server: allowed
        // explicitly. (tst_webhooks refuses the same URL without these.)
        QVERIFY(f.start({QStringLiteral("--webhook-authorization"), QStringLiteral("Bearer hook-secret"),
                         QStringLiteral("--webhook-allowed-hosts"), QStringLiteral("127.0.0.1"),
                         QStringLiteral("--webhook-allow-http"), QStringLiteral("--webhook-allow-private-networks")}));
    }

    // Must run first, before any hub is linked.
    void noLinkedHub()
    {
        const QString key = enroll(QStringLiteral("lonely"), {});
        const auto r = f.registerDevice(QStringLiteral("lonely"), key);
        QCOMPARE(r.status, 202);
        QCOMPARE(r.json().value(QStringLiteral("status")).toString(), QStringLiteral("failed"));
        const QJsonObject st = DeviceFixture::state(r.json());
        QVERIFY2(st.value(QStringLiteral("errorMessage")).toString().contains(QLatin1String("no hub is linked")),
                 r.body.constData());
        QVERIFY(st.value(QStringLiteral("errorCode")).toInt() > 0);
        // The CRM sees why.
        auto rec = f.viewer->get(QStringLiteral("/api/v1/registrations/lonely"));
        QCOMPARE(rec.json().value(QStringLiteral("status")).toString(), QStringLiteral("failed"));
        auto failedList = f.viewer->get(QStringLiteral("/api/v1/registrations?status=failed"));
        QCOMPARE(failedList.json().value(QStringLiteral("items")).toArray().size(), 1);
    }

    void linkHubs()
    {
        QCOMPARE(f.putHub(QStringLiteral("w0"), host("w0"), 0, kKeyA).status, 201);
        QCOMPARE(f.putHub(QStringLiteral("w1"), host("w1"), 1, kKeyA).status, 201);
        QCOMPARE(f.putHub(QStringLiteral("w3"), host("w3"), 3, kKeyB).status, 201);
        QCOMPARE(f.putHub(QStringLiteral("eu"), host("eu"), 1, kKeyA, QStringLiteral("westeurope")).status, 201);
        QCOMPARE(f.putHub(QStringLiteral("us"), host("us"), 1, kKeyB, QStringLiteral("eastus")).status, 201);
        QCOMPARE(f.putHub(QStringLiteral("rp-a"), host("rp-a"), 1, kKeyA).status, 201);
        QCOMPARE(f.putHub(QStringLiteral("rp-b"), host("rp-b"), 0, kKeyB).status, 201);
    }

    void hashedSpreadsByWeight()
    {
        auto g =
            f.operatorClient->put(QStringLiteral("/api/v1/enrollment-groups/hashed-fleet"),
                                  QJsonObject{{QStringLiteral("attestation"),
                                               QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}},
                                              {QStringLiteral("allocationPolicy"), QStringLiteral("hashed")},
                                              {QStringLiteral("iotHubs"), hosts({"w0", "w1", "w3"})}});
        QCOMPARE(g.status, 201);
        const QString groupKey = DeviceFixture::primaryKey(g.json());
        QHash<QString, int> counts;
        const int n = 80;
        for (int i = 0; i < n; ++i) {
            const QString id = QStringLiteral("fleet-%1").arg(i);
            const auto r = f.registerDevice(id, Crypto::deriveKey(groupKey, id).value());
            QCOMPARE(r.status, 202);
            const QJsonObject st = DeviceFixture::state(r.json());
            QCOMPARE(st.value(QStringLiteral("status")).toString(), QStringLiteral("assigned"));
            ++counts[st.value(QStringLiteral("assignedHub")).toString()];
            // The device's hub key is derived from the hub it was given.
            const QString hubKey = st.value(QStringLiteral("assignedHub")).toString() == host("w3") ? kKeyB : kKeyA;
            QCOMPARE(DeviceFixture::hubKey(st), Crypto::deriveKey(hubKey, id).value());
        }
        qDebug() << counts;
        QCOMPARE(counts.value(host("w0")), 0);
        QVERIFY(counts.value(host("w1")) > 5);
        QVERIFY(counts.value(host("w3")) > counts.value(host("w1")));
        QCOMPARE(counts.value(host("w1")) + counts.value(host("w3")), n);
        // The CRM's mapping agrees.
        auto byHub = f.viewer->get(QStringLiteral("/api/v1/registrations?limit=1000&hub=") + host("w0"));
        QCOMPARE(byHub.json().value(QStringLiteral("items")).toArray().size(), 0);
        byHub = f.viewer->get(QStringLiteral("/api/v1/registrations?limit=1000&hub=") + host("w3"));
        QCOMPARE(byHub.json().value(QStringLiteral("items")).toArray().size(), counts.value(host("w3")));
    }

    void staticPolicy()
    {
        const QString key = enroll(QStringLiteral("static-dev"),
                                   QJsonObject{{QStringLiteral("allocationPolicy"), QStringLiteral("static")},
                                               {QStringLiteral("iotHubs"), hosts({"w1"})}});
        auto r = f.registerDevice(QStringLiteral("static-dev"), key);
        QCOMPARE(DeviceFixture::state(r.json()).value(QStringLiteral("assignedHub")).toString(), host("w1"));

        // The instance-wide static policy applies to enrollments without their own.
        auto policy = f.admin->put(QStringLiteral("/api/v1/allocation-policy"),
                                   QJsonObject{{QStringLiteral("allocationPolicy"), QStringLiteral("static")},
                                               {QStringLiteral("staticHub"), QStringLiteral("w3")}});
        QVERIFY2(policy.status == 200, policy.body.constData());
        const QString key2 = enroll(QStringLiteral("instance-static-dev"), {});
        r = f.registerDevice(QStringLiteral("instance-static-dev"), key2);
        QCOMPARE(DeviceFixture::state(r.json()).value(QStringLiteral("assignedHub")).toString(), host("w3"));
        policy = f.admin->put(QStringLiteral("/api/v1/allocation-policy"),
                              QJsonObject{{QStringLiteral("allocationPolicy"), QStringLiteral("hashed")}});
        QCOMPARE(policy.status, 200);
    }

    void geoLatency_data()
    {
        QTest::addColumn<QJsonValue>("payload");
        QTest::addColumn<QString>("expected");
        QTest::newRow("region us") << QJsonValue(QJsonObject{{QStringLiteral("region"), QStringLiteral("eastus")}})
                                   << host("us");
        QTest::newRow("region eu") << QJsonValue(QJsonObject{{QStringLiteral("region"), QStringLiteral("WestEurope")}})
                                   << host("eu");
        QTest::newRow("provisio.region") << QJsonValue(QJsonObject{
                                                {QStringLiteral("provisio"),
                                                 QJsonObject{{QStringLiteral("region"), QStringLiteral("eastus")}}}})
                                         << host("us");
        QTest::newRow("unknown region") << QJsonValue(QJsonObject{{QStringLiteral("region"), QStringLiteral("mars")}})
                                        << QString();
        QTest::newRow("no payload") << QJsonValue() << QString();
    }
    void geoLatency()
    {
        QFETCH(QJsonValue, payload);
        QFETCH(QString, expected);
        const QString id = QStringLiteral("geo-") + QString::fromLatin1(QTest::currentDataTag())
                                                        .replace(QLatin1Char(' '), QLatin1Char('-'))
                                                        .replace(QLatin1Char('.'), QLatin1Char('-'));
        const QString key = enroll(id, QJsonObject{{QStringLiteral("allocationPolicy"), QStringLiteral("geoLatency")},
                                                   {QStringLiteral("iotHubs"), hosts({"eu", "us"})}});
        const auto r = f.registerDevice(id, key, payload);
        const QString hub = DeviceFixture::state(r.json()).value(QStringLiteral("assignedHub")).toString();
        if (expected.isEmpty())
            QVERIFY2(hub == host("eu") || hub == host("us"), qPrintable(hub));
        else
            QCOMPARE(hub, expected);
    }

    void customWebhook()
    {
        m_webhook.mode = Webhook::Mode::Assign;
        m_webhook.hubHost = host("w1");
        m_webhook.requests.clear();
        const QString key =
            enroll(QStringLiteral("custom-dev"),
                   QJsonObject{{QStringLiteral("allocationPolicy"), QStringLiteral("custom")},
                               {QStringLiteral("iotHubs"), hosts({"w1", "w3"})},
                               {QStringLiteral("customAllocationDefinition"),
                                QJsonObject{{QStringLiteral("webhookUrl"), m_webhook.url()},
                                            {QStringLiteral("apiVersion"), QStringLiteral("2021-10-01")}}}});
        const auto r = f.registerDevice(QStringLiteral("custom-dev"), key,
                                        QJsonObject{{QStringLiteral("model"), QStringLiteral("K2")}});
        QCOMPARE(r.status, 202);
        QCOMPARE(r.json().value(QStringLiteral("status")).toString(), QStringLiteral("assigning"));
        QVERIFY(r.header("Retry-After").toInt() >= 1);
        const QString operationId = r.json().value(QStringLiteral("operationId")).toString();
        QVERIFY(!operationId.isEmpty());
        // While assigning, polling answers 202.
        const QJsonObject op = f.waitForOperation(QStringLiteral("custom-dev"), key, operationId);
        QCOMPARE(op.value(QStringLiteral("status")).toString(), QStringLiteral("assigned"));
        const QJsonObject st = DeviceFixture::state(op);
        QCOMPARE(st.value(QStringLiteral("assignedHub")).toString(), host("w1"));
        const QJsonObject payload = st.value(QStringLiteral("payload")).toObject();
        QCOMPARE(payload.value(QStringLiteral("greeting")).toString(), QStringLiteral("hello device"));
        QCOMPARE(payload.value(QStringLiteral("provisio")).toObject().value(QStringLiteral("hubDeviceKey")).toString(),
                 Crypto::deriveKey(kKeyA, QStringLiteral("custom-dev")).value());

        // What DPS sends a webhook, with the configured Authorization and no keys.
        QCOMPARE(m_webhook.requests.size(), 1);
        const auto &req = m_webhook.requests.first();
        // The deprecated instance-wide value, still sent when configured.
        QCOMPARE(req.authorization, QByteArray("Bearer hook-secret"));
        // Signed with this webhook's own secret, which admins read and no
        // other webhook shares.
        const auto secret = f.admin->get(QStringLiteral("/api/v1/allocation-policy/webhook-secret?url=") +
                                         QString::fromLatin1(QUrl::toPercentEncoding(m_webhook.url())));
        QCOMPARE(secret.status, 200);
        const QByteArray own = secret.json().value(QStringLiteral("secret")).toString().toUtf8();
        QVERIFY(own.size() >= 32);
        QCOMPARE(req.signature, "sha256=" + QMessageAuthenticationCode::hash(req.timestamp + '.' + req.rawBody, own,
                                                                             QCryptographicHash::Sha256)
                                                .toHex());
        const auto other = f.admin->get(QStringLiteral("/api/v1/allocation-policy/webhook-secret?url=") +
                                        QString::fromLatin1(QUrl::toPercentEncoding(
                                            QStringLiteral("https://other.example/api/allocate?code=other"))));
        QCOMPARE(other.status, 200);
        QVERIFY(other.json().value(QStringLiteral("secret")).toString().toUtf8() != own);
        QCOMPARE(f.viewer->get(QStringLiteral("/api/v1/allocation-policy/webhook-secret?url=x")).status, 403);
        QCOMPARE(f.operatorClient->get(QStringLiteral("/api/v1/allocation-policy/webhook-secret?url=x")).status, 403);
        QCOMPARE(req.body.value(QStringLiteral("individualEnrollment"))
                     .toObject()
                     .value(QStringLiteral("registrationId"))
                     .toString(),
                 QStringLiteral("custom-dev"));
        const QJsonObject context = req.body.value(QStringLiteral("deviceRuntimeContext")).toObject();
        QCOMPARE(context.value(QStringLiteral("registrationId")).toString(), QStringLiteral("custom-dev"));
        QCOMPARE(context.value(QStringLiteral("payload")).toObject().value(QStringLiteral("model")).toString(),
                 QStringLiteral("K2"));
        QCOMPARE(req.body.value(QStringLiteral("linkedHubs")).toArray(), hosts({"w1", "w3"}));
        QVERIFY(!QJsonDocument(req.body).toJson().contains(key.toUtf8()));

        // The webhook's initial twin is the device's twin.
        auto rec = f.viewer->get(QStringLiteral("/api/v1/registrations/custom-dev"));
        QCOMPARE(rec.json()
                     .value(QStringLiteral("twin"))
                     .toObject()
                     .value(QStringLiteral("tags"))
                     .toObject()
                     .value(QStringLiteral("chosenBy"))
                     .toString(),
                 QStringLiteral("webhook"));
        QCOMPARE(rec.json().value(QStringLiteral("payload")).toObject().value(QStringLiteral("greeting")).toString(),
                 QStringLiteral("hello device"));
    }

    void nameLeadingToLoopbackRefusedAtSendTime()
    {
        // An instance with the default rules. This machine's name passes
        // the configuration check (a name on the allow list), but resolves to
        // this machine: the allocator checks the resolved address, never
        // connects, and the device learns only a tracking id.
        const QString name = QHostInfo::localHostName();
        const QList<QHostAddress> addresses = QHostInfo::fromName(name).addresses();
        if (addresses.isEmpty() || !addresses.first().isLoopback())
            QSKIP("this machine's name does not resolve to a loopback address here");
        DeviceFixture strict;
        QVERIFY(strict.start({QStringLiteral("--webhook-allowed-hosts"), name}));
        QCOMPARE(strict.putHub(QStringLiteral("s1"), host("s1"), 1, kKeyA).status, 201);
        m_webhook.mode = Webhook::Mode::Assign;
        m_webhook.hubHost = host("s1");
        m_webhook.requests.clear();
        const QString url = QStringLiteral("https://%1:%2/api/allocate").arg(name).arg(m_webhook.port());
        const auto enrollment = strict.putEnrollment(
            QStringLiteral("ssrf-dev"),
            QJsonObject{{QStringLiteral("allocationPolicy"), QStringLiteral("custom")},
                        {QStringLiteral("customAllocationDefinition"),
                         QJsonObject{{QStringLiteral("webhookUrl"), url},
                                     {QStringLiteral("apiVersion"), QStringLiteral("2021-10-01")}}}});
        QVERIFY2(enrollment.status == 201, enrollment.body.constData());
        const QString key = DeviceFixture::primaryKey(enrollment.json());
        const auto r = strict.registerDevice(QStringLiteral("ssrf-dev"), key);
        const QJsonObject op = strict.waitForOperation(QStringLiteral("ssrf-dev"), key,
                                                       r.json().value(QStringLiteral("operationId")).toString(), 15000);
        QCOMPARE(op.value(QStringLiteral("status")).toString(), QStringLiteral("failed"));
        const QString message = DeviceFixture::state(op).value(QStringLiteral("errorMessage")).toString();
        QVERIFY2(message.contains(QLatin1String("tracking id")) && !message.contains(name), qPrintable(message));
        QVERIFY(m_webhook.requests.isEmpty());
        const auto audit = strict.admin->get(
            QStringLiteral("/api/v1/audit?entityType=registration&action=allocationFailed&entityId=ssrf-dev"));
        QVERIFY2(audit.body.contains("refused: must not lead to a loopback address"), audit.body.constData());
    }

    void customWebhookFailures_data()
    {
        QTest::addColumn<int>("mode");
        QTest::addColumn<QString>("detail"); // in the operators' audit entry, never for the device
        QTest::newRow("500") << int(Webhook::Mode::ServerError) << "answered HTTP 500";
        QTest::newRow("unknown hub") << int(Webhook::Mode::UnknownHub) << "not linked";
        QTest::newRow("timeout") << int(Webhook::Mode::Hang) << "no answer within";
        QTest::newRow("redirect not followed") << int(Webhook::Mode::Redirect) << "answered HTTP 302";
    }
    void customWebhookFailures()
    {
        QFETCH(int, mode);
        QFETCH(QString, detail);
        m_webhook.mode = Webhook::Mode(mode);
        m_webhook.requests.clear();
        const QString id = QStringLiteral("custom-fail-%1").arg(mode);
        const QString key =
            enroll(id, QJsonObject{{QStringLiteral("allocationPolicy"), QStringLiteral("custom")},
                                   {QStringLiteral("customAllocationDefinition"),
                                    QJsonObject{{QStringLiteral("webhookUrl"), m_webhook.url()},
                                                {QStringLiteral("apiVersion"), QStringLiteral("2021-10-01")}}}});
        const auto r = f.registerDevice(id, key);
        QCOMPARE(r.json().value(QStringLiteral("status")).toString(), QStringLiteral("assigning"));
        const QJsonObject op =
            f.waitForOperation(id, key, r.json().value(QStringLiteral("operationId")).toString(), 25000);
        QCOMPARE(op.value(QStringLiteral("status")).toString(), QStringLiteral("failed"));
        const QJsonObject st = DeviceFixture::state(op);
        const QString message = st.value(QStringLiteral("errorMessage")).toString();
        QVERIFY(st.value(QStringLiteral("errorCode")).toInt() > 0);
        // The device learns a tracking id, nothing about the webhook's host,
        // port or answer.
        const QRegularExpressionMatch tracking =
            QRegularExpression(QStringLiteral("tracking id (\\S+) ")).match(message);
        QVERIFY2(tracking.hasMatch(), qPrintable(message));
        const QByteArray whole = QJsonDocument(op).toJson();
        for (const QByteArray &leak :
             {QByteArray("127.0.0.1"), QByteArray::number(m_webhook.port()), QByteArray("HTTP"), QByteArray("169.254")})
            QVERIFY2(!whole.contains(leak), whole.constData());
        // A redirect is not followed: the webhook saw one request.
        QCOMPARE(m_webhook.requests.size(), 1);
        // Operators find the detail under that tracking id in the audit log.
        const auto audit = f.admin->get(
            QStringLiteral("/api/v1/audit?entityType=registration&action=allocationFailed&entityId=") + id);
        QCOMPARE(audit.status, 200);
        bool found = false;
        for (const QJsonValue &v : audit.json().value(QStringLiteral("items")).toArray()) {
            const QJsonObject after = v.toObject().value(QStringLiteral("after")).toObject();
            if (after.value(QStringLiteral("trackingId")).toString() != tracking.captured(1))
                continue;
            found = true;
            QVERIFY2(after.value(QStringLiteral("detail")).toString().contains(detail), audit.body.constData());
            QCOMPARE(after.value(QStringLiteral("webhookHost")).toString(), QStringLiteral("127.0.0.1"));
            QVERIFY(!QJsonDocument(after).toJson().contains("function-key"));
        }
        QVERIFY2(found, audit.body.constData());
        // Viewers see that it failed and the tracking id, not where it went.
        const auto viewed = f.viewer->get(
            QStringLiteral("/api/v1/audit?entityType=registration&action=allocationFailed&entityId=") + id);
        QCOMPARE(viewed.status, 200);
        QVERIFY2(viewed.body.contains(tracking.captured(1).toUtf8()) && !viewed.body.contains("127.0.0.1") &&
                     !viewed.body.contains("detail"),
                 viewed.body.constData());
        // The webhook's key in the URL never reaches the device.
        QVERIFY(!QJsonDocument(op).toJson().contains("function-key"));
        QVERIFY(!QJsonDocument(op).toJson().contains("hubDeviceKey"));
        m_webhook.mode = Webhook::Mode::Assign;
    }

    void reprovisionPolicies_data()
    {
        QTest::addColumn<bool>("update");
        QTest::addColumn<bool>("migrate");
        QTest::addColumn<QString>("hub");
        QTest::addColumn<QString>("substatus");
        QTest::addColumn<int>("rate"); // desired "rate" after reprovisioning
        QTest::newRow("keep hub") << false << true << host("rp-a") << "initialAssignment" << 1;
        QTest::newRow("migrate") << true << true << host("rp-b") << "deviceDataMigrated" << 1;
        QTest::newRow("reset") << true << false << host("rp-b") << "deviceDataReset" << 7;
    }
    void reprovisionPolicies()
    {
        QFETCH(bool, update);
        QFETCH(bool, migrate);
        QFETCH(QString, hub);
        QFETCH(QString, substatus);
        QFETCH(int, rate);
        // rp-a takes devices, rp-b does not.
        QCOMPARE(f.putHub(QStringLiteral("rp-a"), host("rp-a"), 1, kKeyA).status, 200);
        QCOMPARE(f.putHub(QStringLiteral("rp-b"), host("rp-b"), 0, kKeyB).status, 200);
        const QString id = QStringLiteral("rp-") +
                           QString::fromLatin1(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('-'));
        const QString key = enroll(
            id,
            QJsonObject{
                {QStringLiteral("iotHubs"), hosts({"rp-a", "rp-b"})},
                {QStringLiteral("reprovisionPolicy"), QJsonObject{{QStringLiteral("updateHubAssignment"), update},
                                                                  {QStringLiteral("migrateDeviceData"), migrate}}},
                {QStringLiteral("initialTwin"),
                 QJsonObject{{QStringLiteral("properties"),
                              QJsonObject{{QStringLiteral("desired"), QJsonObject{{QStringLiteral("rate"), 1}}}}}}}});
        auto first = DeviceFixture::state(f.registerDevice(id, key).json());
        QCOMPARE(first.value(QStringLiteral("assignedHub")).toString(), host("rp-a"));
        QCOMPARE(first.value(QStringLiteral("substatus")).toString(), QStringLiteral("initialAssignment"));
        // The enrollment's initial twin changes after the device registered:
        // only a reset device starts over with it.
        QCOMPARE(
            f.putEnrollment(id, QJsonObject{{QStringLiteral("iotHubs"), hosts({"rp-a", "rp-b"})},
                                            {QStringLiteral("reprovisionPolicy"),
                                             QJsonObject{{QStringLiteral("updateHubAssignment"), update},
                                                         {QStringLiteral("migrateDeviceData"), migrate}}},
                                            {QStringLiteral("initialTwin"),
                                             QJsonObject{{QStringLiteral("properties"),
                                                          QJsonObject{{QStringLiteral("desired"),
                                                                       QJsonObject{{QStringLiteral("rate"), 7}}}}}}}})
                .status,
            200);
        // Now the fleet moves: rp-a stops taking devices, rp-b starts.
        QCOMPARE(f.putHub(QStringLiteral("rp-a"), host("rp-a"), 0, kKeyA).status, 200);
        QCOMPARE(f.putHub(QStringLiteral("rp-b"), host("rp-b"), 1, kKeyB).status, 200);
        const auto second = DeviceFixture::state(f.registerDevice(id, key).json());
        QCOMPARE(second.value(QStringLiteral("status")).toString(), QStringLiteral("assigned"));
        QCOMPARE(second.value(QStringLiteral("assignedHub")).toString(), hub);
        QCOMPARE(second.value(QStringLiteral("substatus")).toString(), substatus);
        QCOMPARE(DeviceFixture::hubKey(second), Crypto::deriveKey(hub == host("rp-a") ? kKeyA : kKeyB, id).value());
        const auto rec = f.viewer->get(QStringLiteral("/api/v1/registrations/") + id).json();
        const QJsonObject desired = rec.value(QStringLiteral("twin"))
                                        .toObject()
                                        .value(QStringLiteral("properties"))
                                        .toObject()
                                        .value(QStringLiteral("desired"))
                                        .toObject();
        QCOMPARE(desired.value(QStringLiteral("rate")).toInt(), rate);
        if (update)
            QVERIFY(second.value(QStringLiteral("etag")) != first.value(QStringLiteral("etag")));
        else
            QCOMPARE(second.value(QStringLiteral("etag")), first.value(QStringLiteral("etag")));
    }

    void unlinkedEnrollmentHub()
    {
        const QString key =
            enroll(QStringLiteral("nowhere-dev"), QJsonObject{{QStringLiteral("iotHubs"), hosts({"gone"})}});
        const auto r = f.registerDevice(QStringLiteral("nowhere-dev"), key);
        QCOMPARE(r.json().value(QStringLiteral("status")).toString(), QStringLiteral("failed"));
        QVERIFY(DeviceFixture::state(r.json())
                    .value(QStringLiteral("errorMessage"))
                    .toString()
                    .contains(QLatin1String("linked")));
    }
};

PROVISIO_TEST_GUILESS_MAIN(tst_Allocation)
#include "tst_allocation.moc"

// SPDX-License-Identifier: Apache-2.0
// The Azure service APIs against the real middleware: shared access policies
// (command line and CRM API), DPS's service REST API and the IoT Hub twin and
// method subset, with every kind of bad ServiceSAS token answered 401/403 in
// DPS's error shape and changing nothing.

#include "devicetestutil.h"

#include "crypto/sastoken.h"
#include "protocol/attestation.h"

#include <QRegularExpression>
#include <QtTest>

using namespace Provisio;
using namespace Provisio::Test;

namespace {

const QString kServiceHost = QStringLiteral("dps.provisio.test");
const QString kHubHost = QStringLiteral("hub1.provisio.test");
const QString kVersion = QStringLiteral("?api-version=2021-10-01");

struct ConnectionString
{
    QString host;
    QString name;
    QString key;
};

std::optional<ConnectionString> parseConnectionString(const QString &line)
{
    static const QRegularExpression re(
        QStringLiteral("^HostName=([^;]+);SharedAccessKeyName=([^;]+);SharedAccessKey=([A-Za-z0-9+/=]+)$"));
    const auto m = re.match(line.trimmed());
    if (!m.hasMatch())
        return std::nullopt;
    return ConnectionString{m.captured(1), m.captured(2), m.captured(3)};
}

QJsonObject symmetricKeyEnrollment(const QString &id, const QString &primary = {}, const QString &secondary = {})
{
    return QJsonObject{
        {QStringLiteral("registrationId"), id},
        {QStringLiteral("attestation"),
         QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")},
                     {QStringLiteral("symmetricKey"), QJsonObject{{QStringLiteral("primaryKey"), primary},
                                                                  {QStringLiteral("secondaryKey"), secondary}}}}},
        {QStringLiteral("provisioningStatus"), QStringLiteral("enabled")}};
}

} // namespace

class TestServiceApi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void policyCommandLine();
    void policyCommandLineRefusesBadInput_data();
    void policyCommandLineRefusesBadInput();
    void policyCrmApi();

    void putWithEmptyKeysGeneratesThem();
    void getAndMissingIsNotFound();
    void ifMatchGuardsChanges();
    void unknownFieldsAreIgnored();
    void attestationMechanism();
    void bulkOperations();
    void queryPages();
    void groups();
    void registrations();
    void apiVersions_data();
    void apiVersions();
    void oversizeBodyIsRefused();
    void sharesRecordsAndAuditWithCrm();

    void badTokensChangeNothing_data();
    void badTokensChangeNothing();
    void revokedPolicyIsRefused();

    void hubTwinAndMethods();
    void badHubTokens_data();
    void badHubTokens();

private:
    // A ServiceSAS for `resource` signed with `key`.
    static QByteArray token(const QString &resource, const QString &key, const QString &policy, qint64 lifetime = 3600)
    {
        return SasToken::create(resource, key, QDateTime::currentSecsSinceEpoch() + lifetime, policy).toUtf8();
    }
    QList<QPair<QByteArray, QByteArray>> auth(const QByteArray &token) const { return {{"Authorization", token}}; }
    QList<QPair<QByteArray, QByteArray>> owner() const { return auth(token(kServiceHost, m_owner.key, m_owner.name)); }
    HttpsClient::Reply service(const QByteArray &method, const QString &path, const QJsonValue &body = {},
                               QList<QPair<QByteArray, QByteArray>> headers = {})
    {
        if (headers.isEmpty())
            headers = owner();
        QByteArray bytes;
        if (body.isObject())
            bytes = QJsonDocument(body.toObject()).toJson(QJsonDocument::Compact);
        return m_f.device->send(method, path, bytes, headers);
    }
    static void verifyDpsError(const HttpsClient::Reply &r, int status)
    {
        QCOMPARE(r.status, status);
        QVERIFY2(r.header("Content-Type").startsWith("application/json"), r.header("Content-Type").constData());
        const QJsonObject e = r.json();
        QCOMPARE(e.value(QStringLiteral("errorCode")).toInt() / 1000, status);
        QVERIFY(!e.value(QStringLiteral("trackingId")).toString().isEmpty());
        QVERIFY(!e.value(QStringLiteral("message")).toString().isEmpty());
        QVERIFY(!e.value(QStringLiteral("timestampUtc")).toString().isEmpty());
    }
    ConnectionString createPolicy(const QStringList &args)
    {
        const auto r = m_f.mw->cli(QStringList{QStringLiteral("access-policy"), QStringLiteral("create"),
                                               QStringLiteral("--service-host"), kServiceHost} +
                                   args);
        const auto cs = parseConnectionString(r.out);
        if (r.exitCode != 0 || !cs)
            qWarning("access-policy create failed: %s %s", qPrintable(r.out), qPrintable(r.err));
        return cs.value_or(ConnectionString{});
    }

    DeviceFixture m_f;
    ConnectionString m_owner;  // every right
    ConnectionString m_reader; // EnrollmentRead only
    ConnectionString m_hubOwner;
    ConnectionString m_hubReader; // RegistryRead only
};

void TestServiceApi::initTestCase()
{
    QVERIFY(m_f.start({QStringLiteral("--service-host"), kServiceHost}));
    QCOMPARE(m_f.putHub(QStringLiteral("hub1"), kHubHost, 1, Crypto::generateSymmetricKey(32)).status, 201);
    m_owner = createPolicy({QStringLiteral("--name"), QStringLiteral("provisioningserviceowner")});
    m_reader = createPolicy({QStringLiteral("--name"), QStringLiteral("reader"), QStringLiteral("--rights"),
                             QStringLiteral("EnrollmentRead")});
    m_hubOwner = createPolicy(
        {QStringLiteral("--name"), QStringLiteral("iothubowner"), QStringLiteral("--hub"), QStringLiteral("hub1")});
    m_hubReader = createPolicy({QStringLiteral("--name"), QStringLiteral("registryRead"), QStringLiteral("--hub"),
                                QStringLiteral("hub1"), QStringLiteral("--rights"), QStringLiteral("RegistryRead")});
    QVERIFY(!m_owner.key.isEmpty() && !m_reader.key.isEmpty() && !m_hubOwner.key.isEmpty() &&
            !m_hubReader.key.isEmpty());
    QCOMPARE(m_owner.host, kServiceHost);
    QCOMPARE(m_hubOwner.host, kHubHost);
}

void TestServiceApi::policyCommandLine()
{
    const auto created =
        m_f.mw->cli({QStringLiteral("access-policy"), QStringLiteral("create"), QStringLiteral("--service-host"),
                     kServiceHost, QStringLiteral("--name"), QStringLiteral("cli-policy")});
    QCOMPARE(created.exitCode, 0);
    // Exactly one line on stdout: the connection string.
    QCOMPARE(created.out.count(QLatin1Char('\n')), 1);
    const auto cs = parseConnectionString(created.out);
    QVERIFY(cs);
    QCOMPARE(QByteArray::fromBase64(cs->key.toLatin1()).size(), 32);

    const auto listed = m_f.mw->cli({QStringLiteral("access-policy"), QStringLiteral("list")});
    QCOMPARE(listed.exitCode, 0);
    QVERIFY(listed.out.contains(QLatin1String("cli-policy")));
    QVERIFY(listed.out.contains(QLatin1String("RegistrationStatusWrite")));
    QVERIFY2(!listed.out.contains(cs->key), "list shows no keys");

    // A second active policy of that name is refused.
    const auto twice = m_f.mw->cli({QStringLiteral("access-policy"), QStringLiteral("create"), QStringLiteral("--name"),
                                    QStringLiteral("cli-policy")});
    QCOMPARE(twice.exitCode, 1);
    QVERIFY(twice.out.isEmpty());

    const auto revoked =
        m_f.mw->cli({QStringLiteral("access-policy"), QStringLiteral("revoke"), QStringLiteral("cli-policy")});
    QCOMPARE(revoked.exitCode, 0);
    // The revocation takes effect for the running service at once.
    const auto r = service("GET", QStringLiteral("/enrollments/anything") + kVersion, {},
                           auth(token(kServiceHost, cs->key, QStringLiteral("cli-policy"))));
    verifyDpsError(r, 401);

    // Keys never reach the logs.
    QVERIFY(!m_f.mw->drainLog().contains(cs->key));
    QVERIFY(!m_f.mw->drainLog().contains(m_owner.key));
}

void TestServiceApi::policyCommandLineRefusesBadInput_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("no name") << QStringList{};
    QTest::newRow("bad name") << QStringList{QStringLiteral("--name"), QStringLiteral("a b")};
    QTest::newRow("unknown right") << QStringList{QStringLiteral("--name"), QStringLiteral("x1"),
                                                  QStringLiteral("--rights"), QStringLiteral("EnrollmentRead,Root")};
    QTest::newRow("hub right on the service") << QStringList{
        QStringLiteral("--name"), QStringLiteral("x2"), QStringLiteral("--rights"), QStringLiteral("RegistryRead")};
    QTest::newRow("unknown hub") << QStringList{QStringLiteral("--name"), QStringLiteral("x3"), QStringLiteral("--hub"),
                                                QStringLiteral("nohub")};
}

void TestServiceApi::policyCommandLineRefusesBadInput()
{
    QFETCH(QStringList, args);
    const auto before = m_f.mw->cli({QStringLiteral("access-policy"), QStringLiteral("list")}).out;
    const auto r = m_f.mw->cli(QStringList{QStringLiteral("access-policy"), QStringLiteral("create")} + args);
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.out.isEmpty());
    QVERIFY(!r.err.isEmpty());
    QCOMPARE(m_f.mw->cli({QStringLiteral("access-policy"), QStringLiteral("list")}).out, before);
}

void TestServiceApi::policyCrmApi()
{
    // Admins only.
    QCOMPARE(m_f.operatorClient
                 ->post(QStringLiteral("/api/v1/access-policies"),
                        QJsonObject{{QStringLiteral("name"), QStringLiteral("crm-policy")}})
                 .status,
             403);
    QCOMPARE(m_f.operatorClient->get(QStringLiteral("/api/v1/access-policies")).status, 403);

    const auto bad = m_f.admin->post(QStringLiteral("/api/v1/access-policies"),
                                     QJsonObject{{QStringLiteral("name"), QStringLiteral("crm-policy")},
                                                 {QStringLiteral("rights"), QJsonArray{QStringLiteral("Nope")}}});
    QCOMPARE(bad.status, 400);

    const auto created =
        m_f.admin->post(QStringLiteral("/api/v1/access-policies"),
                        QJsonObject{{QStringLiteral("name"), QStringLiteral("crm-policy")},
                                    {QStringLiteral("rights"), QJsonArray{QStringLiteral("EnrollmentRead")}}});
    QCOMPARE(created.status, 201);
    const QJsonObject policy = created.json();
    const auto cs = parseConnectionString(policy.value(QStringLiteral("connectionString")).toString());
    QVERIFY(cs);
    QCOMPARE(cs->host, kServiceHost);
    QCOMPARE(cs->key, policy.value(QStringLiteral("key")).toString());
    QCOMPARE(policy.value(QStringLiteral("rights")).toArray(), QJsonArray{QStringLiteral("EnrollmentRead")});

    const auto listed = m_f.admin->get(QStringLiteral("/api/v1/access-policies"));
    QCOMPARE(listed.status, 200);
    QVERIFY(listed.body.contains("crm-policy"));
    QVERIFY(!listed.body.contains(cs->key.toLatin1()));
    QCOMPARE(listed.json().value(QStringLiteral("serviceHost")).toString(), kServiceHost);
    // Paged like the other lists.
    QStringList names;
    QString cursor;
    do {
        const auto page = m_f.admin->get(QStringLiteral("/api/v1/access-policies?limit=2") +
                                         (cursor.isEmpty() ? QString() : QStringLiteral("&cursor=") + cursor));
        QCOMPARE(page.status, 200);
        QVERIFY(page.json().value(QStringLiteral("items")).toArray().size() <= 2);
        for (const QJsonValue &p : page.json().value(QStringLiteral("items")).toArray())
            names << p.toObject().value(QStringLiteral("name")).toString();
        cursor = page.json().value(QStringLiteral("nextCursor")).toString();
    } while (!cursor.isEmpty());
    QCOMPARE(names.size(), listed.json().value(QStringLiteral("items")).toArray().size());
    QCOMPARE(m_f.admin->get(QStringLiteral("/api/v1/access-policies?limit=2&cursor=bm9wZQ")).status, 400);

    // Works, then revoked through the API, then refused.
    const auto headers = auth(token(kServiceHost, cs->key, cs->name));
    QCOMPARE(service("GET", QStringLiteral("/enrollments/nobody") + kVersion, {}, headers).status, 404);
    const auto revoked =
        m_f.admin->del(QStringLiteral("/api/v1/access-policies/") + policy.value(QStringLiteral("id")).toString());
    QCOMPARE(revoked.status, 200);
    QVERIFY(!revoked.json().value(QStringLiteral("revokedAt")).toString().isEmpty());
    verifyDpsError(service("GET", QStringLiteral("/enrollments/nobody") + kVersion, {}, headers), 401);
    QCOMPARE(m_f.admin->del(QStringLiteral("/api/v1/access-policies/crm-policy")).status, 404);
}

void TestServiceApi::putWithEmptyKeysGeneratesThem()
{
    const auto r = service("PUT", QStringLiteral("/enrollments/svc-1") + kVersion,
                           symmetricKeyEnrollment(QStringLiteral("svc-1")));
    QCOMPARE(r.status, 200);
    const QJsonObject e = r.json();
    QVERIFY(Attestation::isValidKey(DeviceFixture::primaryKey(e)));
    QVERIFY(Attestation::isValidKey(DeviceFixture::secondaryKey(e)));
    QVERIFY(!e.value(QStringLiteral("etag")).toString().isEmpty());
    QVERIFY(!r.header("ETag").isEmpty());

    // Replacing with empty keys keeps them; given keys are taken.
    const QString given = Crypto::generateSymmetricKey(32);
    const auto kept = service("PUT", QStringLiteral("/enrollments/svc-1") + kVersion,
                              symmetricKeyEnrollment(QStringLiteral("svc-1")));
    QCOMPARE(kept.status, 200);
    QCOMPARE(DeviceFixture::primaryKey(kept.json()), DeviceFixture::primaryKey(e));
    const auto replaced = service("PUT", QStringLiteral("/enrollments/svc-2") + kVersion,
                                  symmetricKeyEnrollment(QStringLiteral("svc-2"), given, given));
    QCOMPARE(replaced.status, 200);
    QCOMPARE(DeviceFixture::primaryKey(replaced.json()), given);

    // Body and path must agree.
    verifyDpsError(service("PUT", QStringLiteral("/enrollments/svc-3") + kVersion,
                           symmetricKeyEnrollment(QStringLiteral("other"))),
                   400);
    QCOMPARE(m_f.viewer->get(QStringLiteral("/api/v1/enrollments/svc-3")).status, 404);
}

void TestServiceApi::getAndMissingIsNotFound()
{
    QVERIFY(service("PUT", QStringLiteral("/enrollments/svc-get") + kVersion,
                    symmetricKeyEnrollment(QStringLiteral("svc-get")))
                .status == 200);
    const auto got = service("GET", QStringLiteral("/enrollments/svc-get/") + kVersion); // trailing slash too
    QCOMPARE(got.status, 200);
    QVERIFY(!DeviceFixture::primaryKey(got.json()).isEmpty());

    const auto missing = service("GET", QStringLiteral("/enrollments/nope-1") + kVersion);
    verifyDpsError(missing, 404);
    QVERIFY(missing.json().value(QStringLiteral("message")).toString().contains(QLatin1String("Not Found")));

    QCOMPARE(service("DELETE", QStringLiteral("/enrollments/svc-get") + kVersion).status, 204);
    verifyDpsError(service("GET", QStringLiteral("/enrollments/svc-get") + kVersion), 404);
    verifyDpsError(service("DELETE", QStringLiteral("/enrollments/svc-get") + kVersion), 404);
}

void TestServiceApi::ifMatchGuardsChanges()
{
    const auto created = service("PUT", QStringLiteral("/enrollments/svc-etag") + kVersion,
                                 symmetricKeyEnrollment(QStringLiteral("svc-etag")));
    QCOMPARE(created.status, 200);
    const QString etag = created.json().value(QStringLiteral("etag")).toString();

    auto stale = owner();
    stale.append(qMakePair(QByteArray("If-Match"), QByteArray("\"not-the-etag\"")));
    QJsonObject changed = symmetricKeyEnrollment(QStringLiteral("svc-etag"));
    changed.insert(QStringLiteral("provisioningStatus"), QStringLiteral("disabled"));
    verifyDpsError(service("PUT", QStringLiteral("/enrollments/svc-etag") + kVersion, changed, stale), 412);
    verifyDpsError(service("DELETE", QStringLiteral("/enrollments/svc-etag") + kVersion, {}, stale), 412);
    QCOMPARE(service("GET", QStringLiteral("/enrollments/svc-etag") + kVersion)
                 .json()
                 .value(QStringLiteral("provisioningStatus"))
                 .toString(),
             QStringLiteral("enabled"));

    auto current = owner();
    current.append(qMakePair(QByteArray("If-Match"), QByteArray(etag.toUtf8())));
    const auto updated = service("PUT", QStringLiteral("/enrollments/svc-etag") + kVersion, changed, current);
    QCOMPARE(updated.status, 200);
    QCOMPARE(updated.json().value(QStringLiteral("provisioningStatus")).toString(), QStringLiteral("disabled"));
    // The old etag no longer fits.
    verifyDpsError(service("DELETE", QStringLiteral("/enrollments/svc-etag") + kVersion, {}, current), 412);
}

void TestServiceApi::unknownFieldsAreIgnored()
{
    QJsonObject body = symmetricKeyEnrollment(QStringLiteral("svc-unknown"));
    body.insert(QStringLiteral("futureField"), QJsonObject{{QStringLiteral("x"), 1}});
    body.insert(QStringLiteral("capabilities"),
                QJsonObject{{QStringLiteral("iotEdge"), false}, {QStringLiteral("somethingNew"), true}});
    body.insert(QStringLiteral("registrationState"), QJsonObject{{QStringLiteral("status"), QStringLiteral("bogus")}});
    const auto r = service("PUT", QStringLiteral("/enrollments/svc-unknown") + kVersion, body);
    QCOMPARE(r.status, 200);
    QVERIFY(!r.json().contains(QStringLiteral("futureField")));
    // Known fields are still checked.
    QJsonObject bad = symmetricKeyEnrollment(QStringLiteral("svc-unknown"));
    bad.insert(QStringLiteral("provisioningStatus"), 7);
    verifyDpsError(service("PUT", QStringLiteral("/enrollments/svc-unknown") + kVersion, bad), 400);
}

void TestServiceApi::attestationMechanism()
{
    const auto e = service("PUT", QStringLiteral("/enrollments/svc-att") + kVersion,
                           symmetricKeyEnrollment(QStringLiteral("svc-att")));
    const auto r = service("POST", QStringLiteral("/enrollments/svc-att/attestationmechanism") + kVersion);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(QStringLiteral("type")).toString(), QStringLiteral("symmetricKey"));
    QCOMPARE(r.json().value(QStringLiteral("symmetricKey")).toObject().value(QStringLiteral("primaryKey")).toString(),
             DeviceFixture::primaryKey(e.json()));
    verifyDpsError(service("POST", QStringLiteral("/enrollments/nope-2/attestationmechanism") + kVersion), 404);
}

void TestServiceApi::bulkOperations()
{
    const auto bulk = [&](const QString &mode, const QJsonArray &items) {
        return service("POST", QStringLiteral("/enrollments") + kVersion,
                       QJsonObject{{QStringLiteral("mode"), mode}, {QStringLiteral("enrollments"), items}});
    };
    QJsonArray three;
    for (const char *id : {"bulk-a", "bulk-b", "bulk-c"})
        three.append(symmetricKeyEnrollment(QLatin1String(id)));
    auto r = bulk(QStringLiteral("create"), three);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(QStringLiteral("isSuccessful")).toBool(), true);
    QCOMPARE(r.json().value(QStringLiteral("errors")).toArray().size(), 0);
    QCOMPARE(m_f.viewer->get(QStringLiteral("/api/v1/enrollments/bulk-b")).status, 200);

    // create of an existing one fails for that one only.
    r = bulk(QStringLiteral("create"), QJsonArray{symmetricKeyEnrollment(QStringLiteral("bulk-a")),
                                                  symmetricKeyEnrollment(QStringLiteral("bulk-d"))});
    QCOMPARE(r.json().value(QStringLiteral("isSuccessful")).toBool(), false);
    const QJsonArray errors = r.json().value(QStringLiteral("errors")).toArray();
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.at(0).toObject().value(QStringLiteral("registrationId")).toString(), QStringLiteral("bulk-a"));
    QCOMPARE(errors.at(0).toObject().value(QStringLiteral("errorCode")).toInt() / 1000, 409);
    QVERIFY(!errors.at(0).toObject().value(QStringLiteral("errorStatus")).toString().isEmpty());
    QCOMPARE(m_f.viewer->get(QStringLiteral("/api/v1/enrollments/bulk-d")).status, 200);

    // update replaces; updateIfMatchETag needs the current etag.
    QJsonObject disabled = symmetricKeyEnrollment(QStringLiteral("bulk-a"));
    disabled.insert(QStringLiteral("provisioningStatus"), QStringLiteral("disabled"));
    QCOMPARE(bulk(QStringLiteral("update"), QJsonArray{disabled}).json().value(QStringLiteral("isSuccessful")).toBool(),
             true);
    QJsonObject stale = disabled;
    stale.insert(QStringLiteral("etag"), QStringLiteral("stale"));
    stale.insert(QStringLiteral("provisioningStatus"), QStringLiteral("enabled"));
    r = bulk(QStringLiteral("updateIfMatchETag"), QJsonArray{stale});
    QCOMPARE(
        r.json().value(QStringLiteral("errors")).toArray().at(0).toObject().value(QStringLiteral("errorCode")).toInt() /
            1000,
        412);
    QCOMPARE(service("GET", QStringLiteral("/enrollments/bulk-a") + kVersion)
                 .json()
                 .value(QStringLiteral("provisioningStatus"))
                 .toString(),
             QStringLiteral("disabled"));

    r = bulk(QStringLiteral("delete"),
             QJsonArray{QJsonObject{{QStringLiteral("registrationId"), QStringLiteral("bulk-d")}}});
    QCOMPARE(r.json().value(QStringLiteral("isSuccessful")).toBool(), true);
    QCOMPARE(m_f.viewer->get(QStringLiteral("/api/v1/enrollments/bulk-d")).status, 404);

    // Bad bulk requests change nothing.
    verifyDpsError(bulk(QStringLiteral("upsert"), three), 400);
    QJsonArray eleven;
    for (int i = 0; i < 11; ++i)
        eleven.append(symmetricKeyEnrollment(QStringLiteral("bulk-x%1").arg(i)));
    verifyDpsError(bulk(QStringLiteral("create"), eleven), 400);
    QCOMPARE(m_f.viewer->get(QStringLiteral("/api/v1/enrollments/bulk-x0")).status, 404);
    verifyDpsError(bulk(QStringLiteral("create"), {}), 400);
}

void TestServiceApi::queryPages()
{
    for (int i = 0; i < 5; ++i)
        QCOMPARE(service("PUT", QStringLiteral("/enrollments/q-%1").arg(i) + kVersion,
                         symmetricKeyEnrollment(QStringLiteral("q-%1").arg(i)))
                     .status,
                 200);
    const QJsonObject spec{{QStringLiteral("query"), QStringLiteral("SELECT * FROM enrollments")}};
    const int total = m_f.viewer->get(QStringLiteral("/api/v1/enrollments?limit=1000"))
                          .json()
                          .value(QStringLiteral("items"))
                          .toArray()
                          .size();
    QStringList seen;
    QByteArray continuation;
    int pages = 0;
    do {
        auto headers = owner();
        headers.append(qMakePair(QByteArray("x-ms-max-item-count"), QByteArray("3")));
        if (!continuation.isEmpty())
            headers.append(qMakePair(QByteArray("x-ms-continuation"), QByteArray(continuation)));
        const auto r = service("POST", QStringLiteral("/enrollments/query") + kVersion, spec, headers);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("x-ms-item-type"), QByteArray("Enrollment"));
        const QJsonArray items = r.jsonArray();
        QVERIFY(items.size() <= 3 && !items.isEmpty());
        for (const QJsonValue &v : items)
            seen << v.toObject().value(QStringLiteral("registrationId")).toString();
        continuation = r.header("x-ms-continuation");
        QVERIFY(++pages < 100);
    } while (!continuation.isEmpty());
    QCOMPARE(seen.size(), total);
    QCOMPARE(QSet<QString>(seen.begin(), seen.end()).size(), total);

    // What the service cannot answer is refused, not answered wrongly.
    verifyDpsError(
        service("POST", QStringLiteral("/enrollments/query") + kVersion,
                QJsonObject{{QStringLiteral("query"), QStringLiteral("SELECT * FROM enrollments WHERE x=1")}}),
        400);
    auto badCount = owner();
    badCount.append(qMakePair(QByteArray("x-ms-max-item-count"), QByteArray("0")));
    verifyDpsError(service("POST", QStringLiteral("/enrollments/query") + kVersion, spec, badCount), 400);
    auto badCursor = owner();
    badCursor.append(qMakePair(QByteArray("x-ms-continuation"), QByteArray("!!")));
    verifyDpsError(service("POST", QStringLiteral("/enrollments/query") + kVersion, spec, badCursor), 400);
}

void TestServiceApi::groups()
{
    const QJsonObject group{
        {QStringLiteral("enrollmentGroupId"), QStringLiteral("svc-group")},
        {QStringLiteral("attestation"),
         QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")},
                     {QStringLiteral("symmetricKey"), QJsonObject{{QStringLiteral("primaryKey"), QString()},
                                                                  {QStringLiteral("secondaryKey"), QString()}}}}},
        {QStringLiteral("someNewMember"), 1}};
    const auto created = service("PUT", QStringLiteral("/enrollmentGroups/svc-group") + kVersion, group);
    QCOMPARE(created.status, 200);
    const QString key = DeviceFixture::primaryKey(created.json());
    QVERIFY(Attestation::isValidKey(key));
    QCOMPARE(service("GET", QStringLiteral("/enrollmentGroups/svc-group") + kVersion).status, 200);
    const auto mechanism =
        service("POST", QStringLiteral("/enrollmentgroups/svc-group/attestationmechanism") + kVersion);
    QCOMPARE(mechanism.status, 200);
    QCOMPARE(mechanism.json()
                 .value(QStringLiteral("symmetricKey"))
                 .toObject()
                 .value(QStringLiteral("primaryKey"))
                 .toString(),
             key);
    const auto query =
        service("POST", QStringLiteral("/enrollmentGroups/query") + kVersion,
                QJsonObject{{QStringLiteral("query"), QStringLiteral("SELECT * FROM enrollmentGroups")}});
    QCOMPARE(query.status, 200);
    QCOMPARE(query.header("x-ms-item-type"), QByteArray("EnrollmentGroup"));
    QVERIFY(query.body.contains("svc-group"));
    QCOMPARE(m_f.viewer->get(QStringLiteral("/api/v1/enrollment-groups/svc-group")).status, 200);

    QCOMPARE(service("DELETE", QStringLiteral("/enrollmentGroups/svc-group") + kVersion).status, 204);
    const auto gone = service("GET", QStringLiteral("/enrollmentGroups/svc-group") + kVersion);
    verifyDpsError(gone, 404);
    QVERIFY(gone.json().value(QStringLiteral("message")).toString().contains(QLatin1String("Not Found")));
}

void TestServiceApi::registrations()
{
    // A device of a group registers; the service sees its registration.
    const auto group = service("PUT", QStringLiteral("/enrollmentGroups/reg-group") + kVersion,
                               QJsonObject{{QStringLiteral("enrollmentGroupId"), QStringLiteral("reg-group")},
                                           {QStringLiteral("attestation"),
                                            QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}}});
    QCOMPARE(group.status, 200);
    const QString deviceKey =
        *Crypto::deriveKey(DeviceFixture::primaryKey(group.json()), QStringLiteral("reg-device-1"));
    const auto registered = m_f.registerDevice(QStringLiteral("reg-device-1"), deviceKey);
    QVERIFY2(registered.status == 200 || registered.status == 202, registered.body.constData());
    const QJsonObject op = m_f.waitForOperation(QStringLiteral("reg-device-1"), deviceKey,
                                                registered.json().value(QStringLiteral("operationId")).toString());
    QCOMPARE(op.value(QStringLiteral("status")).toString(), QStringLiteral("assigned"));

    const auto state = service("GET", QStringLiteral("/registrations/reg-device-1") + kVersion);
    QCOMPARE(state.status, 200);
    QCOMPARE(state.json().value(QStringLiteral("assignedHub")).toString(), kHubHost);
    QCOMPARE(state.json().value(QStringLiteral("status")).toString(), QStringLiteral("assigned"));

    const auto query = service("POST", QStringLiteral("/registrations/reg-group/query") + kVersion,
                               QJsonObject{{QStringLiteral("query"), QStringLiteral("*")}});
    QCOMPARE(query.status, 200);
    QCOMPARE(query.jsonArray().size(), 1);
    QCOMPARE(query.header("x-ms-item-type"), QByteArray("DeviceRegistration"));
    QCOMPARE(service("POST", QStringLiteral("/registrations/svc-nogroup/query") + kVersion, QJsonObject{})
                 .jsonArray()
                 .size(),
             0);

    // A reader may not delete.
    const auto readerToken = auth(token(kServiceHost, m_reader.key, m_reader.name));
    verifyDpsError(service("DELETE", QStringLiteral("/registrations/reg-device-1") + kVersion, {}, readerToken), 403);
    QCOMPARE(service("DELETE", QStringLiteral("/registrations/reg-device-1") + kVersion).status, 204);
    verifyDpsError(service("GET", QStringLiteral("/registrations/reg-device-1") + kVersion), 404);
}

void TestServiceApi::apiVersions_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<int>("status");
    QTest::newRow("2018-04-01") << QStringLiteral("?api-version=2018-04-01") << 404;
    QTest::newRow("2021-10-01") << QStringLiteral("?api-version=2021-10-01") << 404;
    QTest::newRow("preview") << QStringLiteral("?api-version=2019-01-15-preview") << 404;
    QTest::newRow("too old") << QStringLiteral("?api-version=2017-11-15") << 400;
    QTest::newRow("garbage") << QStringLiteral("?api-version=latest") << 400;
    QTest::newRow("missing") << QString() << 400;
}

void TestServiceApi::apiVersions()
{
    QFETCH(QString, query);
    QFETCH(int, status);
    verifyDpsError(service("GET", QStringLiteral("/enrollments/nope-3") + query), status);
}

void TestServiceApi::oversizeBodyIsRefused()
{
    QJsonObject body = symmetricKeyEnrollment(QStringLiteral("svc-big"));
    body.insert(QStringLiteral("padding"), QString(300 * 1024, QLatin1Char('x')));
    const auto r = service("PUT", QStringLiteral("/enrollments/svc-big") + kVersion, body);
    QCOMPARE(r.status, 413);
    QCOMPARE(m_f.viewer->get(QStringLiteral("/api/v1/enrollments/svc-big")).status, 404);
}

void TestServiceApi::sharesRecordsAndAuditWithCrm()
{
    QCOMPARE(service("PUT", QStringLiteral("/enrollments/svc-shared") + kVersion,
                     symmetricKeyEnrollment(QStringLiteral("svc-shared")))
                 .status,
             200);
    // The CRM's own enrollment is visible to the service API, and the other way round.
    QCOMPARE(m_f.viewer->get(QStringLiteral("/api/v1/enrollments/svc-shared")).status, 200);
    QCOMPARE(m_f.putEnrollment(QStringLiteral("crm-made"), {}).status, 201);
    QCOMPARE(service("GET", QStringLiteral("/enrollments/crm-made") + kVersion).status, 200);

    const auto audit = m_f.viewer->get(QStringLiteral("/api/v1/audit?entityType=enrollment&entityId=svc-shared"));
    QCOMPARE(audit.status, 200);
    const QJsonArray entries = audit.json().value(QStringLiteral("items")).toArray();
    QVERIFY(!entries.isEmpty());
    QCOMPARE(entries.at(0).toObject().value(QStringLiteral("actor")).toString(),
             QStringLiteral("policy:provisioningserviceowner"));
    // Audit entries hold no keys.
    QVERIFY(!audit.body.contains(
        DeviceFixture::primaryKey(service("GET", QStringLiteral("/enrollments/svc-shared") + kVersion).json())
            .toLatin1()));
}

void TestServiceApi::badTokensChangeNothing_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<int>("status");
    QTest::newRow("wrong key") << QStringLiteral("wrong key") << 401;
    QTest::newRow("expired") << QStringLiteral("expired") << 401;
    QTest::newRow("too long a lifetime") << QStringLiteral("lifetime") << 401;
    QTest::newRow("wrong sr host") << QStringLiteral("wrong host") << 401;
    QTest::newRow("sr for another path") << QStringLiteral("other path") << 401;
    QTest::newRow("sr a partial segment") << QStringLiteral("partial segment") << 401;
    QTest::newRow("unknown policy") << QStringLiteral("unknown policy") << 401;
    QTest::newRow("no skn") << QStringLiteral("no skn") << 401;
    QTest::newRow("a hub's policy") << QStringLiteral("hub policy") << 401;
    QTest::newRow("not a SAS token") << QStringLiteral("garbage") << 401;
    QTest::newRow("bearer token") << QStringLiteral("bearer") << 401;
    QTest::newRow("no Authorization") << QStringLiteral("none") << 401;
    QTest::newRow("over 4 KiB") << QStringLiteral("huge") << 401;
    QTest::newRow("insufficient rights") << QStringLiteral("reader") << 403;
}

void TestServiceApi::badTokensChangeNothing()
{
    QFETCH(QString, kind);
    QFETCH(int, status);
    const QString id = QStringLiteral("victim-1");
    // An existing enrollment to delete, and one a PUT would create.
    const auto existing = service("PUT", QStringLiteral("/enrollments/") + id + kVersion, symmetricKeyEnrollment(id));
    QCOMPARE(existing.status, 200);
    const QString etag = existing.json().value(QStringLiteral("etag")).toString();

    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QByteArray value;
    if (kind == QLatin1String("wrong key"))
        value = token(kServiceHost, Crypto::generateSymmetricKey(32), m_owner.name);
    else if (kind == QLatin1String("expired"))
        value = SasToken::create(kServiceHost, m_owner.key, now - 3600, m_owner.name).toUtf8();
    else if (kind == QLatin1String("lifetime"))
        value = token(kServiceHost, m_owner.key, m_owner.name, 400 * 86400);
    else if (kind == QLatin1String("wrong host"))
        value = token(QStringLiteral("other.provisio.test"), m_owner.key, m_owner.name);
    else if (kind == QLatin1String("other path"))
        value = token(kServiceHost + QStringLiteral("/registrations"), m_owner.key, m_owner.name);
    else if (kind == QLatin1String("partial segment"))
        value = token(kServiceHost + QStringLiteral("/enroll"), m_owner.key, m_owner.name);
    else if (kind == QLatin1String("unknown policy"))
        value = token(kServiceHost, m_owner.key, QStringLiteral("nobody"));
    else if (kind == QLatin1String("no skn"))
        value = token(kServiceHost, m_owner.key, QString());
    else if (kind == QLatin1String("hub policy"))
        value = token(kServiceHost, m_hubOwner.key, m_hubOwner.name);
    else if (kind == QLatin1String("garbage"))
        value = "SharedAccessSignature sr=&&&";
    else if (kind == QLatin1String("bearer"))
        value = "Bearer " + m_f.admin->bearer().toUtf8();
    else if (kind == QLatin1String("reader"))
        value = token(kServiceHost, m_reader.key, m_reader.name);
    else if (kind == QLatin1String("huge"))
        value = token(kServiceHost, m_owner.key, m_owner.name) + "&x=" + QByteArray(5000, 'a');
    const QList<QPair<QByteArray, QByteArray>> headers =
        value.isEmpty() ? QList<QPair<QByteArray, QByteArray>>{{"X-Nothing", "1"}} : auth(value);

    const QString fresh = QStringLiteral("/enrollments/fresh-1") + kVersion;
    verifyDpsError(service("PUT", fresh, symmetricKeyEnrollment(QStringLiteral("fresh-1")), headers), status);
    verifyDpsError(service("DELETE", QStringLiteral("/enrollments/") + id + kVersion, {}, headers), status);
    verifyDpsError(service("POST", QStringLiteral("/enrollments") + kVersion,
                           QJsonObject{{QStringLiteral("mode"), QStringLiteral("delete")},
                                       {QStringLiteral("enrollments"),
                                        QJsonArray{QJsonObject{{QStringLiteral("registrationId"), id}}}}},
                           headers),
                   status);
    if (kind != QLatin1String("reader")) {
        verifyDpsError(service("GET", QStringLiteral("/enrollments/") + id + kVersion, {}, headers), status);
        verifyDpsError(service("POST", QStringLiteral("/enrollments/query") + kVersion,
                               QJsonObject{{QStringLiteral("query"), QStringLiteral("SELECT * FROM enrollments")}},
                               headers),
                       status);
    }
    // Nothing changed.
    QCOMPARE(m_f.viewer->get(QStringLiteral("/api/v1/enrollments/fresh-1")).status, 404);
    const auto still = m_f.viewer->get(QStringLiteral("/api/v1/enrollments/") + id);
    QCOMPARE(still.status, 200);
    QCOMPARE(still.json().value(QStringLiteral("etag")).toString(), etag);
}

void TestServiceApi::revokedPolicyIsRefused()
{
    const ConnectionString doomed = createPolicy({QStringLiteral("--name"), QStringLiteral("doomed")});
    const auto headers = auth(token(kServiceHost, doomed.key, doomed.name));
    QCOMPARE(service("GET", QStringLiteral("/enrollments/nope-4") + kVersion, {}, headers).status, 404);
    QCOMPARE(
        m_f.mw->cli({QStringLiteral("access-policy"), QStringLiteral("revoke"), QStringLiteral("doomed")}).exitCode, 0);
    verifyDpsError(service("PUT", QStringLiteral("/enrollments/doomed-1") + kVersion,
                           symmetricKeyEnrollment(QStringLiteral("doomed-1")), headers),
                   401);
    QCOMPARE(m_f.viewer->get(QStringLiteral("/api/v1/enrollments/doomed-1")).status, 404);
}

void TestServiceApi::hubTwinAndMethods()
{
    // A registered device of hub1 (whose broker is not running here).
    const auto e = service("PUT", QStringLiteral("/enrollments/twin-dev") + kVersion,
                           symmetricKeyEnrollment(QStringLiteral("twin-dev")));
    const QString key = DeviceFixture::primaryKey(e.json());
    const auto registered = m_f.registerDevice(QStringLiteral("twin-dev"), key);
    QVERIFY(registered.status == 200 || registered.status == 202);
    QCOMPARE(m_f.waitForOperation(QStringLiteral("twin-dev"), key,
                                  registered.json().value(QStringLiteral("operationId")).toString())
                 .value(QStringLiteral("status"))
                 .toString(),
             QStringLiteral("assigned"));

    const auto hub = auth(token(kHubHost, m_hubOwner.key, m_hubOwner.name));
    const QString twinPath = QStringLiteral("/twins/twin-dev?api-version=2021-04-12");
    const auto twin = service("GET", twinPath, {}, hub);
    QCOMPARE(twin.status, 200);
    QCOMPARE(twin.json().value(QStringLiteral("deviceId")).toString(), QStringLiteral("twin-dev"));
    const QString etag = twin.json().value(QStringLiteral("etag")).toString();

    auto guarded = hub;
    guarded.append(qMakePair(QByteArray("If-Match"), QByteArray('"' + etag.toUtf8() + '"')));
    const auto patched = service(
        "PATCH", twinPath,
        QJsonObject{
            {QStringLiteral("deviceId"), QStringLiteral("twin-dev")},
            {QStringLiteral("tags"), QJsonObject{{QStringLiteral("room"), QStringLiteral("lab")}}},
            {QStringLiteral("properties"),
             QJsonObject{{QStringLiteral("desired"), QJsonObject{{QStringLiteral("interval"), 9},
                                                                 {QStringLiteral("$metadata"), QJsonObject{}}}}}}},
        guarded);
    QCOMPARE(patched.status, 200);
    QCOMPARE(patched.json().value(QStringLiteral("tags")).toObject().value(QStringLiteral("room")).toString(),
             QStringLiteral("lab"));
    // The CRM sees the same twin.
    const auto crm = m_f.viewer->get(QStringLiteral("/api/v1/devices/twin-dev/twin"));
    QCOMPARE(crm.json()
                 .value(QStringLiteral("properties"))
                 .toObject()
                 .value(QStringLiteral("desired"))
                 .toObject()
                 .value(QStringLiteral("interval"))
                 .toInt(),
             9);
    // The stale etag no longer fits.
    verifyDpsError(service("PATCH", twinPath,
                           QJsonObject{{QStringLiteral("tags"), QJsonObject{{QStringLiteral("a"), 1}}}}, guarded),
                   412);

    // The hub is not connected: the method is refused, not lost silently.
    const auto method = service("POST", QStringLiteral("/twins/twin-dev/methods?api-version=2021-04-12"),
                                QJsonObject{{QStringLiteral("methodName"), QStringLiteral("ping")},
                                            {QStringLiteral("responseTimeoutInSeconds"), 5},
                                            {QStringLiteral("payload"), QJsonObject{}}},
                                hub);
    verifyDpsError(method, 409);
    verifyDpsError(service("POST", QStringLiteral("/twins/twin-dev/methods?api-version=2021-04-12"),
                           QJsonObject{{QStringLiteral("methodName"), QStringLiteral("a/b")}}, hub),
                   400);

    const auto missing = service("GET", QStringLiteral("/twins/nobody?api-version=2021-04-12"), {}, hub);
    verifyDpsError(missing, 404);
    QVERIFY(missing.json().value(QStringLiteral("message")).toString().contains(QLatin1String("Not Found")));
}

void TestServiceApi::badHubTokens_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<int>("status");
    QTest::newRow("wrong key") << QStringLiteral("wrong key") << 401;
    QTest::newRow("expired") << QStringLiteral("expired") << 401;
    QTest::newRow("unknown hub host") << QStringLiteral("unknown hub") << 401;
    QTest::newRow("provisioning service policy") << QStringLiteral("dps policy") << 401;
    QTest::newRow("unknown policy") << QStringLiteral("unknown policy") << 401;
    QTest::newRow("insufficient rights") << QStringLiteral("reader") << 403;
}

void TestServiceApi::badHubTokens()
{
    QFETCH(QString, kind);
    QFETCH(int, status);
    const auto before = m_f.viewer->get(QStringLiteral("/api/v1/devices/twin-dev/twin"));
    QCOMPARE(before.status, 200);
    QByteArray value;
    if (kind == QLatin1String("wrong key"))
        value = token(kHubHost, Crypto::generateSymmetricKey(32), m_hubOwner.name);
    else if (kind == QLatin1String("expired"))
        value = SasToken::create(kHubHost, m_hubOwner.key, QDateTime::currentSecsSinceEpoch() - 3600, m_hubOwner.name)
                    .toUtf8();
    else if (kind == QLatin1String("unknown hub"))
        value = token(QStringLiteral("hub9.provisio.test"), m_hubOwner.key, m_hubOwner.name);
    else if (kind == QLatin1String("dps policy"))
        value = token(kHubHost, m_owner.key, m_owner.name);
    else if (kind == QLatin1String("unknown policy"))
        value = token(kHubHost, m_hubOwner.key, QStringLiteral("nobody"));
    else if (kind == QLatin1String("reader"))
        value = token(kHubHost, m_hubReader.key, m_hubReader.name);
    const auto headers = auth(value);
    const QString twinPath = QStringLiteral("/twins/twin-dev?api-version=2021-04-12");
    verifyDpsError(service("PATCH", twinPath,
                           QJsonObject{{QStringLiteral("tags"), QJsonObject{{QStringLiteral("hacked"), true}}}},
                           headers),
                   status);
    verifyDpsError(service("POST", QStringLiteral("/twins/twin-dev/methods?api-version=2021-04-12"),
                           QJsonObject{{QStringLiteral("methodName"), QStringLiteral("reboot")}}, headers),
                   status);
    if (kind != QLatin1String("reader"))
        verifyDpsError(service("GET", twinPath, {}, headers), status);
    const auto after = m_f.viewer->get(QStringLiteral("/api/v1/devices/twin-dev/twin"));
    QCOMPARE(after.json().value(QStringLiteral("etag")), before.json().value(QStringLiteral("etag")));
    QVERIFY(!after.body.contains("hacked"));
}

QTEST_GUILESS_MAIN(TestServiceApi)
#include "tst_serviceapi.moc"

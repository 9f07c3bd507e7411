// SPDX-License-Identifier: Apache-2.0
// ApiClient against a real middleware over real HTTPS: JSON in and out,
// the middleware's errors, TLS pinned to the given CA, the role probe.
#include "childprocesswatch.h"
#include "core/crmcoretestutil.h"

#include "apiclient.h"
#include "crypto/certificateauthority.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace Provisio;
using namespace Provisio::Test;
using Crm::ApiClient;
using Crm::ApiFailure;

class TestCrmCoreApi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void getAndPostJson();
    void etagAndIfMatch();
    void errorsCarryTheMiddlewaresErrorBody();
    void csvImportWithRawBody();
    void wrongCaFailsClearly();
    void unreachableFailsClearly();
    void badInputFailsWithoutARequest();
    void busyCount();
    void abortEndsWithAFailure();
    void probeLearnsTheRole_data();
    void probeLearnsTheRole();
    void probeFailsForABadToken();

private:
    CrmFixture m_f;
};

void TestCrmCoreApi::initTestCase()
{
    QVERIFY(m_f.start());
}

void TestCrmCoreApi::getAndPostJson()
{
    auto api = crmClient(m_f, m_f.operatorToken);
    const CallResult created = waitFor(
        api->post(QStringLiteral("customers"), {{QStringLiteral("name"), QStringLiteral("Contoso Ltd")},
                                                {QStringLiteral("email"), QStringLiteral("ops@contoso.example")}}));
    QVERIFY2(created.ok, qPrintable(created.failure.message));
    const QString id = created.body.object().value(QStringLiteral("id")).toString();
    QVERIFY(id.startsWith(QStringLiteral("cus_")));

    const CallResult read = waitFor(api->get(QStringLiteral("customers/") + ApiClient::segment(id)));
    QVERIFY(read.ok);
    QCOMPARE(read.body.object().value(QStringLiteral("name")).toString(), QStringLiteral("Contoso Ltd"));

    QUrlQuery query;
    query.addQueryItem(QStringLiteral("q"), QStringLiteral("contoso"));
    const CallResult list = waitFor(api->get(QStringLiteral("customers"), query));
    QVERIFY(list.ok);
    QCOMPARE(list.body.object().value(QStringLiteral("items")).toArray().size(), 1);
}

void TestCrmCoreApi::etagAndIfMatch()
{
    auto api = crmClient(m_f, m_f.operatorToken);
    const CallResult created =
        waitFor(api->post(QStringLiteral("devices"), {{QStringLiteral("serial"), QStringLiteral("SN-ETAG-1")},
                                                      {QStringLiteral("model"), QStringLiteral("Sensor 2")}}));
    QVERIFY2(created.ok, qPrintable(created.failure.message));
    const CallResult read = waitFor(api->get(QStringLiteral("devices/SN-ETAG-1")));
    QVERIFY(read.ok);
    QVERIFY(!read.etag.isEmpty());

    // The right etag changes the record; the old one is refused with 412.
    const CallResult patched = waitFor(api->patch(QStringLiteral("devices/SN-ETAG-1"),
                                                  {{QStringLiteral("notes"), QStringLiteral("first")}}, read.etag));
    QVERIFY2(patched.ok, qPrintable(patched.failure.message));
    const CallResult stale = waitFor(api->patch(QStringLiteral("devices/SN-ETAG-1"),
                                                {{QStringLiteral("notes"), QStringLiteral("second")}}, read.etag));
    QVERIFY(!stale.ok);
    QCOMPARE(stale.failure.httpStatus, 412);
    QCOMPARE(stale.failure.errorCode, 412001);

    const CallResult removed = waitFor(api->remove(QStringLiteral("devices/SN-ETAG-1")));
    QVERIFY2(removed.ok, qPrintable(removed.failure.message));
    QVERIFY(removed.body.isNull() || removed.body.isObject());
    QCOMPARE(waitFor(api->get(QStringLiteral("devices/SN-ETAG-1"))).failure.httpStatus, 404);
}

void TestCrmCoreApi::errorsCarryTheMiddlewaresErrorBody()
{
    auto api = crmClient(m_f, m_f.operatorToken);
    const CallResult missing = waitFor(api->get(QStringLiteral("devices/NO-SUCH-SERIAL")));
    QVERIFY(!missing.ok);
    QCOMPARE(missing.failure.httpStatus, 404);
    QCOMPARE(missing.failure.errorCode / 1000, 404);
    QVERIFY(!missing.failure.message.isEmpty());
    QVERIFY(!missing.failure.trackingId.isEmpty());

    const CallResult bad =
        waitFor(api->post(QStringLiteral("customers"), {{QStringLiteral("emial"), QStringLiteral("x")}}));
    QCOMPARE(bad.failure.httpStatus, 400);
    QCOMPARE(bad.failure.errorCode, 400004);
    QVERIFY2(bad.failure.message.contains(QStringLiteral("emial")), qPrintable(bad.failure.message));

    // A viewer may read but not write: 403 with the role in the message.
    auto viewer = crmClient(m_f, m_f.viewerToken);
    const CallResult denied =
        waitFor(viewer->post(QStringLiteral("customers"), {{QStringLiteral("name"), QStringLiteral("X")}}));
    QCOMPARE(denied.failure.httpStatus, 403);
    QCOMPARE(denied.failure.errorCode, 403001);

    // A revoked or wrong token: 401, also announced for the UI to ask again.
    auto stranger = crmClient(m_f, QStringLiteral("pvs_not-a-token"));
    QSignalSpy unauthorized(stranger.get(), &ApiClient::unauthorized);
    const CallResult refused = waitFor(stranger->get(QStringLiteral("devices")));
    QCOMPARE(refused.failure.httpStatus, 401);
    QCOMPARE(unauthorized.count(), 1);
}

void TestCrmCoreApi::csvImportWithRawBody()
{
    auto api = crmClient(m_f, m_f.operatorToken);
    QUrlQuery dryRun;
    dryRun.addQueryItem(QStringLiteral("dryRun"), QStringLiteral("true"));
    const QByteArray csv = deviceCsv(QStringLiteral("SN-RAW"), 0, 3) + "SN-RAW-bad,Sensor 2,Acme,B1,20.11.2026\n";
    QSignalSpy progress(api.get(), &ApiClient::busyChanged);
    Crm::ApiCall *call = api->postRaw(QStringLiteral("devices/import"), csv, "text/csv", dryRun);
    QSignalSpy upload(call, &Crm::ApiCall::uploadProgress);
    const CallResult report = waitFor(call);
    QVERIFY2(report.ok, qPrintable(report.failure.message));
    QCOMPARE(report.body.object().value(QStringLiteral("created")).toInt(), 3);
    QCOMPARE(report.body.object().value(QStringLiteral("failed")).toInt(), 1);
    QVERIFY(report.body.object().value(QStringLiteral("dryRun")).toBool());
    // Progress reached the whole body (Qt adds a final 0/0 when done).
    qint64 mostSent = 0;
    for (const QList<QVariant> &args : upload)
        mostSent = qMax(mostSent, args.at(0).toLongLong());
    QCOMPARE(mostSent, qint64(csv.size()));
    // A dry run wrote nothing.
    QCOMPARE(waitFor(api->get(QStringLiteral("devices/SN-RAW-000000"))).failure.httpStatus, 404);
}

void TestCrmCoreApi::wrongCaFailsClearly()
{
    // A CA of our own making that never signed the middleware's certificate.
    QTemporaryDir dir;
    auto otherCa = CertificateAuthority::loadOrCreate(dir.path());
    QVERIFY(otherCa.ok());
    const QList<QSslCertificate> wrong = QSslCertificate::fromData(otherCa->caCertificatePem(), QSsl::Pem);
    QCOMPARE(wrong.size(), 1);

    ApiClient api;
    api.setConnection(QUrl(m_f.mw->baseUrl()), m_f.adminToken.toUtf8(), wrong);
    const CallResult r = waitFor(api.get(QStringLiteral("service")));
    QVERIFY(!r.ok);
    QCOMPARE(r.failure.httpStatus, 0);
    QVERIFY(r.failure.tlsError);
    QVERIFY2(r.failure.message.contains(QStringLiteral("not signed by the CA this connection trusts")),
             qPrintable(r.failure.message));

    // No CA at all trusts nothing: not even the system store stands in.
    api.setConnection(QUrl(m_f.mw->baseUrl()), m_f.adminToken.toUtf8(), {});
    const CallResult none = waitFor(api.get(QStringLiteral("service")));
    QVERIFY(!none.ok);
    QVERIFY(none.failure.tlsError);

    // Switching to the right CA works at once (no cached bad connection).
    api.setConnection(QUrl(m_f.mw->baseUrl()), m_f.adminToken.toUtf8(), middlewareCa(*m_f.mw));
    QVERIFY(waitFor(api.get(QStringLiteral("service"))).ok);
}

void TestCrmCoreApi::unreachableFailsClearly()
{
    // A port nothing listens on: bind one, then close it.
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    const quint16 port = server.serverPort();
    server.close();
    ApiClient api;
    api.setConnection(QUrl(QStringLiteral("https://127.0.0.1:%1").arg(port)), "pvs_x", middlewareCa(*m_f.mw));
    const CallResult r = waitFor(api.get(QStringLiteral("service")));
    QVERIFY(!r.ok);
    QCOMPARE(r.failure.httpStatus, 0);
    QVERIFY(!r.failure.tlsError);
    QVERIFY2(r.failure.message.startsWith(QStringLiteral("Cannot reach")), qPrintable(r.failure.message));

    // A server that accepts but never answers runs into the timeout.
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    api.setConnection(QUrl(QStringLiteral("https://127.0.0.1:%1").arg(silent.serverPort())), "pvs_x",
                      middlewareCa(*m_f.mw));
    api.setTimeout(500);
    const CallResult slow = waitFor(api.get(QStringLiteral("service")));
    QVERIFY(!slow.ok);
    QVERIFY(slow.failure.timedOut);
}

void TestCrmCoreApi::badInputFailsWithoutARequest()
{
    ApiClient api;
    const CallResult none = waitFor(api.get(QStringLiteral("service")));
    QVERIFY(!none.ok);
    QVERIFY(none.failure.message.contains(QStringLiteral("No middleware connection")));

    api.setConnection(QUrl(QStringLiteral("http://127.0.0.1:1")), "pvs_x", {});
    const CallResult plain = waitFor(api.get(QStringLiteral("service")));
    QVERIFY(plain.failure.message.contains(QStringLiteral("https://")));

    api.setConnection(QUrl(m_f.mw->baseUrl()), m_f.adminToken.toUtf8(), middlewareCa(*m_f.mw));
    QVERIFY(!waitFor(api.get(QStringLiteral("../healthz"))).ok);
    QVERIFY(!waitFor(api.get(QString())).ok);
    QCOMPARE(api.busyCount(), 0);
}

void TestCrmCoreApi::busyCount()
{
    auto api = crmClient(m_f, m_f.viewerToken);
    QSignalSpy busy(api.get(), &ApiClient::busyChanged);
    Crm::ApiCall *a = api->get(QStringLiteral("service"));
    Crm::ApiCall *b = api->get(QStringLiteral("devices"));
    QCOMPARE(api->busyCount(), 2);
    QCOMPARE(busy.count(), 1);
    QCOMPARE(busy.at(0).at(0).toBool(), true);
    QSignalSpy aDone(a, &Crm::ApiCall::finished);
    QSignalSpy bDone(b, &Crm::ApiCall::finished);
    QTRY_COMPARE_WITH_TIMEOUT(api->busyCount(), 0, 20000);
    QCOMPARE(aDone.count() + bDone.count(), 2);
    QCOMPARE(busy.count(), 2);
    QCOMPARE(busy.at(1).at(0).toBool(), false);
}

void TestCrmCoreApi::abortEndsWithAFailure()
{
    auto api = crmClient(m_f, m_f.viewerToken);
    Crm::ApiCall *call = api->get(QStringLiteral("devices"));
    QSignalSpy failed(call, &Crm::ApiCall::failed);
    QPointer<Crm::ApiCall> guard(call);
    call->abort();
    QCOMPARE(failed.count(), 1);
    QVERIFY(failed.at(0).at(0).value<ApiFailure>().aborted);
    QTRY_VERIFY(guard.isNull()); // deleted itself
    QCOMPARE(api->busyCount(), 0);
}

void TestCrmCoreApi::probeLearnsTheRole_data()
{
    QTest::addColumn<QString>("role");
    QTest::newRow("viewer") << QStringLiteral("viewer");
    QTest::newRow("operator") << QStringLiteral("operator");
    QTest::newRow("admin") << QStringLiteral("admin");
}

void TestCrmCoreApi::probeLearnsTheRole()
{
    QFETCH(QString, role);
    const QString token = role == QLatin1String("viewer")     ? m_f.viewerToken
                          : role == QLatin1String("operator") ? m_f.operatorToken
                                                              : m_f.adminToken;
    auto api = crmClient(m_f, token);
    QVERIFY(api->role().isEmpty());
    QSignalSpy probed(api.get(), &ApiClient::probed);
    QSignalSpy failed(api.get(), &ApiClient::probeFailed);
    api->probe();
    QVERIFY(probed.wait(20000));
    QCOMPARE(failed.count(), 0);
    QCOMPARE(probed.at(0).at(0).toString(), role);
    QCOMPARE(api->role(), role);
    QCOMPARE(api->canOperate(), role != QLatin1String("viewer"));
    QCOMPARE(api->isAdmin(), role == QLatin1String("admin"));

    // A new connection forgets the role until probed again.
    api->setConnection(api->baseUrl(), token.toUtf8(), middlewareCa(*m_f.mw));
    QVERIFY(api->role().isEmpty());
    QVERIFY(!api->canOperate());
}

void TestCrmCoreApi::probeFailsForABadToken()
{
    auto api = crmClient(m_f, QStringLiteral("pvs_revoked"));
    QSignalSpy probed(api.get(), &ApiClient::probed);
    QSignalSpy failed(api.get(), &ApiClient::probeFailed);
    api->probe();
    QVERIFY(failed.wait(20000));
    QCOMPARE(probed.count(), 0);
    QCOMPARE(failed.at(0).at(0).value<ApiFailure>().httpStatus, 401);
    QVERIFY(api->role().isEmpty());
}

PROVISIO_TEST_GUILESS_MAIN(TestCrmCoreApi)
#include "tst_crm_core_api.moc"

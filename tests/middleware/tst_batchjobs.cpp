// SPDX-License-Identifier: Apache-2.0
// Device batch jobs (POST /api/v1/device-batch-jobs) and the CSV export
// against the real middleware: the set is the listing's filter, progress
// and failures are reported, cancel stops a running job, a job outlives
// its instance (a clean stop, kill -9, a second instance on the same
// database taking it over) and acts on every device exactly once, the
// running-job limit holds for concurrent requests to two instances, events
// follow a job, roles are those of the single-device actions and bad input
// changes nothing.
#include "crmtestutil.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QUrlQuery>
#include <QWebSocket>

#include <csignal>

using namespace Provisio::Test;

namespace {
// Small limits so that a test reaches them: one job at a time, at most
// kMaxDevices devices, a few devices per chunk so jobs take many turns.
constexpr int kMaxDevices = 2000;
constexpr int kBulk = 1500; // model BULK: the long job
constexpr int kSmall = 40;  // model SMALL-A (even) and SMALL-B (odd)
constexpr int kOver = 600;  // model OVER: pushes "everything" past kMaxDevices
// Models RESUME-1 and RESUME-2: jobs killed midway and resumed. Their
// serials sort after every other model's, before "export".
constexpr int kResume = 350;
constexpr int kLeaseSeconds = 3;
} // namespace

class TestBatchJobs : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void sellByFilter();
    void failuresAreReportedPerDevice();
    void enrollThenDisableByFilter();
    void exportPagesConcatenate();
    void emailActivationCardsByFilter();
    void badInputChangesNothing_data();
    void badInputChangesNothing();
    void roles_data();
    void roles();
    void limits();
    void cancelStopsARunningJob();
    void stoppedInstanceResumesItsJob();
    void killedInstanceResumesExactlyOnce();
    void silentRunnersJobIsTakenOver();
    void admissionIsAtomicAcrossInstances();
    void eventsFollowAJob();
    void serialsNamedLikeTheJobRoutesStayReadable();

private:
    QJsonObject waitForEnd(const QString &jobId, int timeoutMs = 60000);
    qint64 matching(const QString &query);
    qint64 scalar(const QString &sql, const QVariantList &binds = {});
    QString start(const QString &query, const QJsonObject &body);
    // Every device of `model` has one enrollment created exactly once
    // (audited once), and nothing else was enrolled by a job.
    void verifyEnrolledOnce(const QString &model, int devices);
    QJsonObject job(const QString &id);

    CrmFixture m_f;
    std::unique_ptr<HttpsClient> m_operator;
    std::unique_ptr<HttpsClient> m_viewer;
    std::unique_ptr<HttpsClient> m_anonymous;
    QString m_customerA;
    QString m_customerB;
};

void TestBatchJobs::initTestCase()
{
    qputenv("PROVISIO_BATCH_JOB_MAX_RUNNING", "1");
    qputenv("PROVISIO_BATCH_JOB_MAX_DEVICES", QByteArray::number(kMaxDevices));
    qputenv("PROVISIO_BATCH_JOB_CHUNK", "7");
    qputenv("PROVISIO_BATCH_JOB_LEASE", QByteArray::number(kLeaseSeconds));
    QVERIFY(m_f.start());
    m_operator = m_f.client(m_f.operatorToken);
    m_viewer = m_f.client(m_f.viewerToken);
    m_anonymous = m_f.client({});
    for (QString *id : {&m_customerA, &m_customerB}) {
        const auto c = m_operator->post(
            QStringLiteral("/api/v1/customers"),
            {{QStringLiteral("name"), id == &m_customerA ? QStringLiteral("Alpha") : QStringLiteral("Beta")},
             {QStringLiteral("email"), QStringLiteral("ops@example.com")}});
        QCOMPARE(c.status, 201);
        *id = c.json().value(QStringLiteral("id")).toString();
    }
    QByteArray csv = "serial,model\n";
    for (int i = 0; i < kSmall; ++i)
        csv += QStringLiteral("SM-%1,SMALL-%2\n").arg(i, 4, 10, QLatin1Char('0')).arg(i % 2 ? 'B' : 'A').toUtf8();
    for (int i = 0; i < kBulk; ++i)
        csv += QStringLiteral("BK-%1,BULK\n").arg(i, 5, 10, QLatin1Char('0')).toUtf8();
    for (int i = 0; i < kOver; ++i)
        csv += QStringLiteral("OV-%1,OVER\n").arg(i, 5, 10, QLatin1Char('0')).toUtf8();
    for (int i = 0; i < kResume; ++i) {
        csv += QStringLiteral("RS1-%1,RESUME-1\n").arg(i, 5, 10, QLatin1Char('0')).toUtf8();
        csv += QStringLiteral("RS2-%1,RESUME-2\n").arg(i, 5, 10, QLatin1Char('0')).toUtf8();
    }
    const auto imported = m_operator->send("POST", QStringLiteral("/api/v1/devices/import"), csv, {}, "text/csv");
    QVERIFY2(imported.status == 200, imported.body.constData());
}

qint64 TestBatchJobs::scalar(const QString &sql, const QVariantList &binds)
{
    return DirectDb(*m_f.mw).scalar(sql, binds).toLongLong();
}

qint64 TestBatchJobs::matching(const QString &query)
{
    const auto r = m_viewer->get(QStringLiteral("/api/v1/devices?count=true&limit=1&") + query);
    if (r.status != 200)
        return -1;
    return qint64(r.json().value(QStringLiteral("total")).toDouble());
}

QString TestBatchJobs::start(const QString &query, const QJsonObject &body)
{
    const auto r = m_operator->post(QStringLiteral("/api/v1/device-batch-jobs?") + query, body);
    if (r.status != 202) {
        qWarning() << "start:" << r.status << r.body;
        return {};
    }
    const QString id = r.json().value(QStringLiteral("id")).toString();
    if (r.header("Location") != "/api/v1/device-batch-jobs/" + id.toUtf8())
        qWarning() << "start: Location" << r.header("Location");
    return id;
}

QJsonObject TestBatchJobs::waitForEnd(const QString &jobId, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    QJsonObject job;
    while (timer.elapsed() < timeoutMs) {
        const auto r = m_viewer->get(QStringLiteral("/api/v1/device-batch-jobs/") + jobId);
        if (r.status != 200)
            return {};
        job = r.json();
        if (job.value(QStringLiteral("state")).toString() != QLatin1String("running"))
            return job;
        QTest::qWait(50);
    }
    return job;
}

void TestBatchJobs::sellByFilter()
{
    const qint64 auditBefore = scalar(QStringLiteral("SELECT COUNT(*) FROM audit_log WHERE action = 'sell'"));
    const QString id =
        start(QStringLiteral("model=SMALL-A&status=inStock"),
              {{QStringLiteral("action"), QStringLiteral("sell")}, {QStringLiteral("customerId"), m_customerA}});
    QVERIFY(!id.isEmpty());
    const QJsonObject job = waitForEnd(id);
    QCOMPARE(job.value(QStringLiteral("state")).toString(), QStringLiteral("completed"));
    QCOMPARE(job.value(QStringLiteral("total")).toInt(), kSmall / 2);
    QCOMPARE(job.value(QStringLiteral("done")).toInt(), kSmall / 2);
    QCOMPARE(job.value(QStringLiteral("succeeded")).toInt(), kSmall / 2);
    QCOMPARE(job.value(QStringLiteral("failed")).toInt(), 0);
    QCOMPARE(job.value(QStringLiteral("request")).toObject().value(QStringLiteral("filter")).toObject(),
             QJsonObject({{QStringLiteral("model"), QStringLiteral("SMALL-A")},
                          {QStringLiteral("status"), QStringLiteral("inStock")}}));
    // Exactly the filter's devices changed, each audited as a single sale is.
    QCOMPARE(matching(QStringLiteral("model=SMALL-A&status=sold&customerId=") + m_customerA), kSmall / 2);
    QCOMPARE(matching(QStringLiteral("model=SMALL-B&status=inStock")), kSmall / 2);
    QCOMPARE(matching(QStringLiteral("model=BULK&status=inStock")), kBulk);
    QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM audit_log WHERE action = 'sell'")) - auditBefore,
             qint64(kSmall / 2));
    // A text search selects as the listing's does.
    const QString back = start(QStringLiteral("q=sm-001"), {{QStringLiteral("action"), QStringLiteral("return")}});
    QVERIFY(!back.isEmpty());
    const QJsonObject returned = waitForEnd(back);
    QCOMPARE(returned.value(QStringLiteral("state")).toString(), QStringLiteral("completed"));
    // SM-0010..SM-0019: the even five were sold, the odd five fail ("not sold").
    QCOMPARE(returned.value(QStringLiteral("done")).toInt(), 10);
    QCOMPARE(returned.value(QStringLiteral("succeeded")).toInt(), 5);
    QCOMPARE(returned.value(QStringLiteral("failed")).toInt(), 5);
    QCOMPARE(matching(QStringLiteral("model=SMALL-A&status=sold")), kSmall / 2 - 5);
}

void TestBatchJobs::failuresAreReportedPerDevice()
{
    // SMALL-A devices still sold to A cannot be sold to B without force;
    // the returned five and every SMALL-B device can.
    const QString id = start(QStringLiteral("q=sm-"), {{QStringLiteral("action"), QStringLiteral("sell")},
                                                       {QStringLiteral("customerId"), m_customerB}});
    QVERIFY(!id.isEmpty());
    const QJsonObject job = waitForEnd(id);
    QCOMPARE(job.value(QStringLiteral("state")).toString(), QStringLiteral("completed"));
    const int refused = kSmall / 2 - 5;
    QCOMPARE(job.value(QStringLiteral("done")).toInt(), kSmall);
    QCOMPARE(job.value(QStringLiteral("failed")).toInt(), refused);
    QCOMPARE(job.value(QStringLiteral("succeeded")).toInt(), kSmall - refused);
    QStringList serials;
    QString cursor;
    do {
        const auto page =
            m_viewer->get(QStringLiteral("/api/v1/device-batch-jobs/") + id + QStringLiteral("/failures?limit=4") +
                          (cursor.isEmpty() ? QString() : QStringLiteral("&cursor=") + cursor));
        QCOMPARE(page.status, 200);
        for (const QJsonValue &f : page.json().value(QStringLiteral("items")).toArray()) {
            serials << f[QStringLiteral("serial")].toString();
            QVERIFY2(f[QStringLiteral("message")].toString().contains(QLatin1String("already sold")),
                     qPrintable(f[QStringLiteral("message")].toString()));
        }
        cursor = page.json().value(QStringLiteral("nextCursor")).toString();
    } while (!cursor.isEmpty());
    QCOMPARE(serials.size(), refused);
    for (const QString &s : std::as_const(serials))
        QVERIFY(s.startsWith(QLatin1String("SM-")) && s.mid(3).toInt() % 2 == 0);
    QCOMPARE(matching(QStringLiteral("customerId=") + m_customerB), kSmall - refused);
}

void TestBatchJobs::enrollThenDisableByFilter()
{
    const QString id = start(QStringLiteral("model=SMALL-B"),
                             {{QStringLiteral("action"), QStringLiteral("enroll")},
                              {QStringLiteral("tags"), QJsonObject{{QStringLiteral("site"), QStringLiteral("north")}}},
                              {QStringLiteral("enabled"), true}});
    QVERIFY(!id.isEmpty());
    QCOMPARE(waitForEnd(id).value(QStringLiteral("succeeded")).toInt(), kSmall / 2);
    const auto e = m_operator->get(QStringLiteral("/api/v1/enrollments/sm-0001"));
    QCOMPARE(e.status, 200);
    QCOMPARE(e.json().value(QStringLiteral("serial")).toString(), QStringLiteral("SM-0001"));
    QCOMPARE(e.json()[QStringLiteral("initialTwin")][QStringLiteral("tags")][QStringLiteral("site")].toString(),
             QStringLiteral("north"));
    // Enrolling again: every device already has one, nothing changes.
    const QString again =
        start(QStringLiteral("model=SMALL-B"), {{QStringLiteral("action"), QStringLiteral("enroll")}});
    const QJsonObject second = waitForEnd(again);
    QCOMPARE(second.value(QStringLiteral("failed")).toInt(), kSmall / 2);
    QCOMPARE(second.value(QStringLiteral("succeeded")).toInt(), 0);

    const QString off = start(QStringLiteral("q=sm-000"), {{QStringLiteral("action"), QStringLiteral("disable")}});
    const QJsonObject disabled = waitForEnd(off);
    // SM-0000..SM-0009: the five odd ones are enrolled, the even ones are not.
    QCOMPARE(disabled.value(QStringLiteral("succeeded")).toInt(), 5);
    QCOMPARE(disabled.value(QStringLiteral("failed")).toInt(), 5);
    QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM audit_log WHERE action = 'disable'")), 5);
    const auto after = m_operator->get(QStringLiteral("/api/v1/enrollments/sm-0001"));
    QCOMPARE(after.json().value(QStringLiteral("provisioningStatus")).toString(), QStringLiteral("disabled"));
    const auto untouched = m_operator->get(QStringLiteral("/api/v1/enrollments/sm-0011"));
    QCOMPARE(untouched.json().value(QStringLiteral("provisioningStatus")).toString(), QStringLiteral("enabled"));
}

void TestBatchJobs::exportPagesConcatenate()
{
    QByteArray all;
    QString cursor;
    int pages = 0;
    do {
        const auto r = m_viewer->get(QStringLiteral("/api/v1/device-export?model=SMALL-B&limit=6") +
                                     (cursor.isEmpty() ? QString() : QStringLiteral("&cursor=") + cursor));
        QCOMPARE(r.status, 200);
        QVERIFY(r.header("Content-Type").startsWith("text/csv"));
        all += r.body;
        cursor = QString::fromLatin1(r.header("Next-Cursor"));
        ++pages;
    } while (!cursor.isEmpty() && pages < 100);
    QCOMPARE(pages, 4); // 20 devices, 6 a page
    const QList<QByteArray> lines = all.trimmed().split('\n');
    QCOMPARE(lines.size(), 1 + kSmall / 2);
    QVERIFY(lines.constFirst().startsWith("serial,model,manufacturer,batch,deliveryDate,status,customerId"));
    for (int i = 1; i < lines.size(); ++i)
        QVERIFY2(
            lines.at(i).startsWith(QStringLiteral("SM-%1,SMALL-B,").arg(2 * i - 1, 4, 10, QLatin1Char('0')).toUtf8()),
            lines.at(i).constData());
    QCOMPARE(m_viewer->get(QStringLiteral("/api/v1/device-export?limit=10001")).status, 400);
    QCOMPARE(m_viewer->get(QStringLiteral("/api/v1/device-export?colour=red")).status, 400);
}

void TestBatchJobs::emailActivationCardsByFilter()
{
    // SMALL-B: all enrolled and sold to a customer with an e-mail address;
    // SMALL-A: not enrolled, so each fails with its reason.
    const qint64 mails = scalar(QStringLiteral("SELECT COUNT(*) FROM outgoing_mail"));
    const QString id =
        start(QStringLiteral("q=sm-"), {{QStringLiteral("action"), QStringLiteral("emailActivationCards")}});
    QVERIFY(!id.isEmpty());
    const QJsonObject job = waitForEnd(id);
    QCOMPARE(job.value(QStringLiteral("state")).toString(), QStringLiteral("completed"));
    QCOMPARE(job.value(QStringLiteral("succeeded")).toInt(), kSmall / 2);
    QCOMPARE(job.value(QStringLiteral("failed")).toInt(), kSmall / 2);
    QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM outgoing_mail")) - mails, qint64(kSmall / 2));
    // The codes went into the mails only: the job keeps none.
    const auto again = m_viewer->get(QStringLiteral("/api/v1/device-batch-jobs/") + id);
    QVERIFY(!again.body.contains("activationCode"));
}

void TestBatchJobs::badInputChangesNothing_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::newRow("no action") << "model=BULK" << QByteArray("{}") << 400;
    QTest::newRow("unknown action") << "model=BULK" << QByteArray(R"({"action":"explode"})") << 400;
    QTest::newRow("action not a string") << "model=BULK" << QByteArray(R"({"action":1})") << 400;
    QTest::newRow("malformed json") << "model=BULK" << QByteArray(R"({"action":"sell")") << 400;
    QTest::newRow("array body") << "model=BULK" << QByteArray(R"(["sell"])") << 400;
    QTest::newRow("unknown field") << "model=BULK" << QByteArray(R"({"action":"return","all":true})") << 400;
    QTest::newRow("sell without customer") << "model=BULK" << QByteArray(R"({"action":"sell"})") << 400;
    QTest::newRow("sell to unknown customer")
        << "model=BULK" << QByteArray(R"({"action":"sell","customerId":"cus_nobody"})") << 400;
    QTest::newRow("bad sold date") << "model=BULK"
                                   << QByteArray(R"({"action":"sell","customerId":"x","soldDate":"yesterday"})") << 400;
    QTest::newRow("tags not an object") << "model=BULK" << QByteArray(R"({"action":"enroll","tags":"x"})") << 400;
    QTest::newRow("reserved desired name")
        << "model=BULK" << QByteArray(R"({"action":"enroll","desired":{"$version":1}})") << 400;
    QTest::newRow("unknown filter") << "colour=red" << QByteArray(R"({"action":"return"})") << 400;
    QTest::newRow("bad status filter") << "status=lost" << QByteArray(R"({"action":"return"})") << 400;
    QTest::newRow("paging is no filter") << "limit=5" << QByteArray(R"({"action":"return"})") << 400;
    QTest::newRow("too many devices") << "" << QByteArray(R"({"action":"return"})") << 400;
}

void TestBatchJobs::badInputChangesNothing()
{
    QFETCH(QString, query);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    const qint64 jobs = scalar(QStringLiteral("SELECT COUNT(*) FROM batch_jobs"));
    // Changes by requests: the mail sender audits its deliveries (actor
    // `system`) on its own time.
    const QString byRequests = QStringLiteral("SELECT COUNT(*) FROM audit_log WHERE actor <> 'system'");
    const qint64 audit = scalar(byRequests);
    const auto r = m_operator->send("POST", QStringLiteral("/api/v1/device-batch-jobs?") + query, body);
    QCOMPARE(r.status, status);
    QVERIFY(!r.json().value(QStringLiteral("message")).toString().isEmpty());
    QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM batch_jobs")), jobs);
    QCOMPARE(scalar(byRequests), audit);
}

void TestBatchJobs::roles_data()
{
    QTest::addColumn<QString>("who");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("status");
    QTest::newRow("viewer cannot start") << "viewer" << QByteArray("POST") << "/api/v1/device-batch-jobs?model=SMALL-A"
                                         << 403;
    QTest::newRow("anonymous cannot start")
        << "anonymous" << QByteArray("POST") << "/api/v1/device-batch-jobs?model=SMALL-A" << 401;
    QTest::newRow("viewer cannot cancel")
        << "viewer" << QByteArray("POST") << "/api/v1/device-batch-jobs/job_x/cancel" << 403;
    QTest::newRow("viewer reads an unknown job")
        << "viewer" << QByteArray("GET") << "/api/v1/device-batch-jobs/job_x" << 404;
    QTest::newRow("anonymous cannot read")
        << "anonymous" << QByteArray("GET") << "/api/v1/device-batch-jobs/job_x" << 401;
    QTest::newRow("viewer exports") << "viewer" << QByteArray("GET") << "/api/v1/device-export?model=SMALL-A" << 200;
    QTest::newRow("anonymous cannot export") << "anonymous" << QByteArray("GET") << "/api/v1/device-export" << 401;
}

void TestBatchJobs::roles()
{
    QFETCH(QString, who);
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(int, status);
    HttpsClient *client = who == QLatin1String("viewer") ? m_viewer.get() : m_anonymous.get();
    const qint64 jobs = scalar(QStringLiteral("SELECT COUNT(*) FROM batch_jobs"));
    const auto r = client->send(method, path, method == "POST" ? QByteArray(R"({"action":"return"})") : QByteArray());
    QCOMPARE(r.status, status);
    QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM batch_jobs")), jobs);
}

void TestBatchJobs::limits()
{
    // One job at a time (PROVISIO_BATCH_JOB_MAX_RUNNING=1): a second one
    // waits its turn with 429 and leaves nothing behind.
    const QString id = start(QStringLiteral("model=BULK"), {{QStringLiteral("action"), QStringLiteral("enroll")}});
    QVERIFY(!id.isEmpty());
    const qint64 jobs = scalar(QStringLiteral("SELECT COUNT(*) FROM batch_jobs"));
    const auto second = m_operator->post(QStringLiteral("/api/v1/device-batch-jobs?model=OVER"),
                                         {{QStringLiteral("action"), QStringLiteral("enroll")}});
    QCOMPARE(second.status, 429);
    QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM batch_jobs")), jobs);
    // Other requests are served while it runs.
    QElapsedTimer t;
    t.start();
    QCOMPARE(m_viewer->get(QStringLiteral("/api/v1/devices?model=SMALL-A&limit=5")).status, 200);
    QVERIFY2(t.elapsed() < 2000, QByteArray::number(t.elapsed()).constData());
    const QJsonObject job = waitForEnd(id, 120000);
    QCOMPARE(job.value(QStringLiteral("state")).toString(), QStringLiteral("completed"));
    QCOMPARE(job.value(QStringLiteral("succeeded")).toInt(), kBulk);
    QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM enrollments WHERE serial LIKE 'BK-%'")), qint64(kBulk));
    // Ended: its place is free again; cancelling it now is a conflict.
    const auto late =
        m_operator->post(QStringLiteral("/api/v1/device-batch-jobs/") + id + QStringLiteral("/cancel"), QJsonObject());
    QCOMPARE(late.status, 409);
}

void TestBatchJobs::cancelStopsARunningJob()
{
    const QString id = start(QStringLiteral("model=BULK"), {{QStringLiteral("action"), QStringLiteral("disable")}});
    QVERIFY(!id.isEmpty());
    const auto cancel =
        m_operator->post(QStringLiteral("/api/v1/device-batch-jobs/") + id + QStringLiteral("/cancel"), QJsonObject());
    QCOMPARE(cancel.status, 202);
    const QJsonObject job = waitForEnd(id);
    QCOMPARE(job.value(QStringLiteral("state")).toString(), QStringLiteral("cancelled"));
    const int done = job.value(QStringLiteral("done")).toInt();
    QVERIFY2(done < kBulk, QByteArray::number(done).constData());
    // What it did stays done, and nothing more: the audit log agrees.
    QCOMPARE(job.value(QStringLiteral("succeeded")).toInt(), done);
    QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM enrollments WHERE serial LIKE 'BK-%' AND "
                                   "provisioning_status = 'disabled'")),
             qint64(done));
    QTest::qWait(300);
    QCOMPARE(waitForEnd(id).value(QStringLiteral("done")).toInt(), done);
}

QJsonObject TestBatchJobs::job(const QString &id)
{
    return m_viewer->get(QStringLiteral("/api/v1/device-batch-jobs/") + id).json();
}

void TestBatchJobs::verifyEnrolledOnce(const QString &model, int devices)
{
    const QString prefix = model == QLatin1String("RESUME-1") ? QStringLiteral("rs1-%") : QStringLiteral("rs2-%");
    QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM enrollments WHERE registration_id LIKE ?"), {prefix}),
             qint64(devices));
    // One audit entry per device, none twice.
    QCOMPARE(scalar(QStringLiteral("SELECT COUNT(DISTINCT entity_id) FROM audit_log WHERE entity_type = "
                                   "'enrollment' AND action = 'create' AND entity_id LIKE ?"),
                    {prefix}),
             qint64(devices));
    QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM audit_log WHERE entity_type = 'enrollment' AND action = "
                                   "'create' AND entity_id LIKE ?"),
                    {prefix}),
             qint64(devices));
}

void TestBatchJobs::stoppedInstanceResumesItsJob()
{
    // A clean stop hands the job over at once: the restarted instance
    // goes on where it stopped.
    const QString id = start(QStringLiteral("model=BULK"), {{QStringLiteral("action"), QStringLiteral("enable")}});
    QVERIFY(!id.isEmpty());
    QTRY_VERIFY(job(id).value(QStringLiteral("done")).toInt() > 0);
    QVERIFY(m_f.mw->restart());
    const QJsonObject atRestart = job(id);
    QCOMPARE(atRestart.value(QStringLiteral("state")).toString(), QStringLiteral("running"));
    const int doneBefore = atRestart.value(QStringLiteral("done")).toInt();
    QVERIFY(doneBefore > 0);
    const QJsonObject ended = waitForEnd(id, 120000);
    QCOMPARE(ended.value(QStringLiteral("state")).toString(), QStringLiteral("completed"));
    QCOMPARE(ended.value(QStringLiteral("resumed")).toInt(), 1);
    QCOMPARE(ended.value(QStringLiteral("done")).toInt(), kBulk);
    QCOMPARE(ended.value(QStringLiteral("succeeded")).toInt() + ended.value(QStringLiteral("failed")).toInt(), kBulk);
    QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM enrollments WHERE serial LIKE 'BK-%' AND "
                                   "provisioning_status = 'enabled'")),
             qint64(kBulk));
}

void TestBatchJobs::killedInstanceResumesExactlyOnce()
{
    // kill -9 in the middle of the job, then start again: once its lease
    // has run out, the new process resumes the job after the last chunk
    // that committed. Enrolling a device twice would fail (it has one), so
    // `failed` and the audit log would show a repeat; the enrollments a
    // gap.
    const QString id = start(QStringLiteral("model=RESUME-1"), {{QStringLiteral("action"), QStringLiteral("enroll")}});
    QVERIFY(!id.isEmpty());
    QTRY_VERIFY(job(id).value(QStringLiteral("done")).toInt() > 30);
    const qint64 pid = m_f.mw->processId();
    QVERIFY(pid > 0);
    QCOMPARE(::kill(pid_t(pid), SIGKILL), 0);
    m_f.mw->stop();
    QVERIFY2(m_f.mw->start(), qPrintable(m_f.mw->lastError()));
    const QJsonObject ended = waitForEnd(id, 120000);
    QCOMPARE(ended.value(QStringLiteral("state")).toString(), QStringLiteral("completed"));
    QCOMPARE(ended.value(QStringLiteral("resumed")).toInt(), 1);
    QCOMPARE(ended.value(QStringLiteral("done")).toInt(), kResume);
    QCOMPARE(ended.value(QStringLiteral("succeeded")).toInt(), kResume);
    QCOMPARE(ended.value(QStringLiteral("failed")).toInt(), 0);
    verifyEnrolledOnce(QStringLiteral("RESUME-1"), kResume);
}

void TestBatchJobs::silentRunnersJobIsTakenOver()
{
    // A job whose runner fell silent (no process of that name runs) is
    // taken over within the lease and completed from its cursor; one whose
    // request cannot be read fails with a reason instead.
    const QString old = QStringLiteral("2026-01-01T00:00:00.000Z");
    const QString request = QStringLiteral(R"({"action":"disable","filter":{"model":"SMALL-B"}})");
    // Counted before the jobs exist: the middleware may take one over and
    // run a chunk as soon as it is inserted.
    const qint64 disabledBefore = scalar(QStringLiteral("SELECT COUNT(*) FROM audit_log WHERE action = 'disable'"));
    QVERIFY(DirectDb(*m_f.mw).exec(
        QStringLiteral("INSERT INTO batch_jobs (id, action, state, actor, request, total, done, succeeded, failed, "
                       "cursor, runner, cancel_requested, created, updated, heartbeat) VALUES ('job_silent', "
                       "'disable', 'running', 'test', ?, 20, 5, 5, 0, 'SM-0009', 'gone', 0, ?, ?, ?)"),
        {request, old, old, old}));
    QVERIFY(DirectDb(*m_f.mw).exec(
        QStringLiteral("INSERT INTO batch_jobs (id, action, state, actor, request, total, runner, created, updated, "
                       "heartbeat) VALUES ('job_unreadable', 'return', 'running', 'test', '{}', 10, 'gone', ?, ?, ?)"),
        {old, old, old}));
    const QJsonObject ended = waitForEnd(QStringLiteral("job_silent"), 30000);
    QCOMPARE(ended.value(QStringLiteral("state")).toString(), QStringLiteral("completed"));
    QCOMPARE(ended.value(QStringLiteral("resumed")).toInt(), 1);
    // SM-0011..SM-0039 odd: 15 devices after the cursor, on top of its 5.
    QCOMPARE(ended.value(QStringLiteral("done")).toInt(), 20);
    QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM audit_log WHERE action = 'disable'")) - disabledBefore, 15);
    // Those after the cursor, and no other: SM-0001..SM-0009 were disabled
    // by an earlier job, and are not again.
    QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM enrollments WHERE serial LIKE 'SM-%' AND "
                                   "provisioning_status = 'enabled'")),
             qint64(0));
    QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM audit_log WHERE action = 'disable' AND entity_id < "
                                   "'sm-0010' AND entity_id LIKE 'sm-%'")),
             qint64(5));
    const QJsonObject unreadable = waitForEnd(QStringLiteral("job_unreadable"), 30000);
    QCOMPARE(unreadable.value(QStringLiteral("state")).toString(), QStringLiteral("failed"));
    QVERIFY(!unreadable.value(QStringLiteral("error")).toString().isEmpty());
}

void TestBatchJobs::admissionIsAtomicAcrossInstances()
{
    // A second instance on the same database. Both get many requests for a
    // job at the same moment; with one job allowed, exactly one is
    // admitted. Then the instance running it is killed, and the other one
    // takes the job over and finishes it, each device once.
    const QString location = m_f.mw->databaseUrl().isEmpty()
                                 ? QDir(m_f.mw->dataDir()).filePath(QStringLiteral("provisio.db"))
                                 : m_f.mw->databaseUrl();
    MiddlewareProcess second({}, location);
    QVERIFY(QDir().mkpath(QDir(second.dataDir()).filePath(QStringLiteral("tls"))));
    for (const char *file : {"tls/ca.crt", "tls/ca.key"})
        QVERIFY(QFile::copy(QDir(m_f.mw->dataDir()).filePath(QLatin1String(file)),
                            QDir(second.dataDir()).filePath(QLatin1String(file))));
    QVERIFY2(second.start(), qPrintable(second.lastError()));
    MiddlewareProcess *instances[] = {m_f.mw.get(), &second};

    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    QFile ca(m_f.mw->caCertificatePath());
    QVERIFY(ca.open(QIODevice::ReadOnly));
    ssl.setCaCertificates(QSslCertificate::fromData(ca.readAll(), QSsl::Pem));
    QNetworkAccessManager nam;
    constexpr int kPerInstance = 6;
    // kPerInstance requests to each instance at once; exactly one 202.
    const auto burst = [&](const QString &query, const QByteArray &body, QString *id, int *runner) {
        QList<QNetworkReply *> replies;
        QList<int> instanceOf;
        for (int i = 0; i < kPerInstance; ++i) {
            for (int which = 0; which < 2; ++which) {
                QNetworkRequest request(
                    QUrl(instances[which]->baseUrl() + QStringLiteral("/api/v1/device-batch-jobs?") + query));
                request.setSslConfiguration(ssl);
                request.setRawHeader("Authorization", "Bearer " + m_f.operatorToken.toUtf8());
                request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
                replies << nam.post(request, body);
                instanceOf << which;
            }
        }
        QTRY_VERIFY_WITH_TIMEOUT(
            std::all_of(replies.cbegin(), replies.cend(), [](QNetworkReply *r) { return r->isFinished(); }), 30000);
        int refused = 0;
        for (int i = 0; i < replies.size(); ++i) {
            const int status = replies[i]->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            if (status == 202) {
                QVERIFY2(id->isEmpty(), "two jobs admitted with one allowed");
                *id = QJsonDocument::fromJson(replies[i]->readAll()).object().value(QStringLiteral("id")).toString();
                *runner = instanceOf[i];
            } else {
                QCOMPARE(status, 429);
                ++refused;
            }
            replies[i]->deleteLater();
        }
        QVERIFY(!id->isEmpty());
        QCOMPARE(refused, 2 * kPerInstance - 1);
        QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM batch_jobs WHERE state = 'running'")), 1);
    };
    // A few rounds, as the instances may or may not meet in one.
    for (int round = 0; round < 3; ++round) {
        QString first;
        int where = -1;
        burst(QStringLiteral("model=BULK"), R"({"action":"disable"})", &first, &where);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(
            m_operator
                ->post(QStringLiteral("/api/v1/device-batch-jobs/") + first + QStringLiteral("/cancel"), QJsonObject())
                .status,
            202);
        QCOMPARE(waitForEnd(first).value(QStringLiteral("state")).toString(), QStringLiteral("cancelled"));
    }
    QString id;
    int runner = -1;
    burst(QStringLiteral("model=RESUME-2"), R"({"action":"enroll"})", &id, &runner);
    if (QTest::currentTestFailed())
        return;

    // The runner dies midway; the survivor resumes the job.
    QTRY_VERIFY(job(id).value(QStringLiteral("done")).toInt() > 30);
    MiddlewareProcess &dying = *instances[runner];
    MiddlewareProcess &survivor = *instances[1 - runner];
    QCOMPARE(::kill(pid_t(dying.processId()), SIGKILL), 0);
    dying.stop();
    HttpsClient viewer(survivor.baseUrl(), survivor.caCertificatePath());
    viewer.setBearer(m_f.viewerToken);
    QElapsedTimer waiting;
    waiting.start();
    QJsonObject ended;
    do {
        QTest::qWait(100);
        ended = viewer.get(QStringLiteral("/api/v1/device-batch-jobs/") + id).json();
    } while (ended.value(QStringLiteral("state")).toString() == QLatin1String("running") && waiting.elapsed() < 120000);
    QCOMPARE(ended.value(QStringLiteral("state")).toString(), QStringLiteral("completed"));
    QCOMPARE(ended.value(QStringLiteral("resumed")).toInt(), 1);
    QCOMPARE(ended.value(QStringLiteral("succeeded")).toInt(), kResume);
    QCOMPARE(ended.value(QStringLiteral("failed")).toInt(), 0);
    verifyEnrolledOnce(QStringLiteral("RESUME-2"), kResume);
    second.stop();
    if (runner == 0 || !m_f.mw->processId())
        QVERIFY2(m_f.mw->start(), qPrintable(m_f.mw->lastError()));
}

void TestBatchJobs::eventsFollowAJob()
{
    // batchJob.started, then progress (at most one a second), then
    // batchJob.finished with the final counts, on the live feed.
    QWebSocket feed;
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    QFile ca(m_f.mw->caCertificatePath());
    QVERIFY(ca.open(QIODevice::ReadOnly));
    ssl.setCaCertificates(QSslCertificate::fromData(ca.readAll(), QSsl::Pem));
    feed.setSslConfiguration(ssl);
    QList<QJsonObject> events;
    connect(&feed, &QWebSocket::textMessageReceived, &feed, [&events](const QString &m) {
        const QJsonObject o = QJsonDocument::fromJson(m.toUtf8()).object();
        if (o.value(QStringLiteral("type")).toString() != QLatin1String("hello"))
            events << o;
    });
    QUrl url(m_f.mw->baseUrl() + QStringLiteral("/api/v1/events?type=batchJob"));
    url.setScheme(QStringLiteral("wss"));
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer " + m_f.viewerToken.toUtf8());
    QSignalSpy connected(&feed, &QWebSocket::connected);
    feed.open(request);
    QVERIFY(connected.wait(10000));
    QTest::qWait(200); // the hello

    const QString id = start(QStringLiteral("model=BULK"), {{QStringLiteral("action"), QStringLiteral("disable")}});
    QVERIFY(!id.isEmpty());
    const QJsonObject ended = waitForEnd(id, 120000);
    QCOMPARE(ended.value(QStringLiteral("state")).toString(), QStringLiteral("completed"));
    QTRY_VERIFY2(!events.isEmpty() &&
                     events.constLast().value(QStringLiteral("type")).toString() == QLatin1String("batchJob.finished"),
                 qPrintable(QStringLiteral("%1 event(s), the feed %2 (%3)")
                                .arg(events.size())
                                .arg(feed.state())
                                .arg(feed.closeReason())));
    QCOMPARE(events.constFirst().value(QStringLiteral("type")).toString(), QStringLiteral("batchJob.started"));
    for (const QJsonObject &e : std::as_const(events)) {
        QCOMPARE(e.value(QStringLiteral("entityId")).toString(), id);
        QCOMPARE(e.value(QStringLiteral("entityType")).toString(), QStringLiteral("batchJob"));
    }
    const QJsonObject finished = events.constLast().value(QStringLiteral("data")).toObject();
    QCOMPARE(finished.value(QStringLiteral("state")).toString(), QStringLiteral("completed"));
    QCOMPARE(finished.value(QStringLiteral("done")).toInt(), kBulk);
    // Progress came in between, never two within a second.
    QList<QDateTime> progress;
    for (const QJsonObject &e : std::as_const(events)) {
        if (e.value(QStringLiteral("type")).toString() == QLatin1String("batchJob.progress"))
            progress << QDateTime::fromString(e.value(QStringLiteral("at")).toString(), Qt::ISODateWithMs);
    }
    const qint64 tookMs =
        QDateTime::fromString(ended.value(QStringLiteral("finishedDateTimeUtc")).toString(), Qt::ISODateWithMs)
            .toMSecsSinceEpoch() -
        QDateTime::fromString(ended.value(QStringLiteral("createdDateTimeUtc")).toString(), Qt::ISODateWithMs)
            .toMSecsSinceEpoch();
    QVERIFY2(!progress.isEmpty(), qPrintable(QString::number(events.size())));
    QVERIFY2(progress.size() <= tookMs / 1000 + 1,
             qPrintable(QStringLiteral("%1 in %2 ms").arg(progress.size()).arg(tookMs)));
    for (int i = 1; i < progress.size(); ++i)
        QVERIFY2(progress[i - 1].msecsTo(progress[i]) >= 999,
                 qPrintable(QString::number(progress[i - 1].msecsTo(progress[i]))));
    QCOMPARE(events.size(), progress.size() + 2);
    feed.close();
}

// The job and export routes live outside /api/v1/devices/{serial}: a device
// whose serial reads "export" or "batch-jobs" (both valid serials) stays
// reachable at its own address, as does what lies under it.
void TestBatchJobs::serialsNamedLikeTheJobRoutesStayReadable()
{
    const auto imported = m_operator->send("POST", QStringLiteral("/api/v1/devices/import"),
                                           "serial,model\nexport,NAMED\nbatch-jobs,NAMED\n", {}, "text/csv");
    QVERIFY2(imported.status == 200, imported.body.constData());
    for (const QString &serial : {QStringLiteral("export"), QStringLiteral("batch-jobs")}) {
        const auto one = m_viewer->get(QStringLiteral("/api/v1/devices/") + serial);
        QVERIFY2(one.status == 200, one.body.constData());
        QCOMPARE(one.json().value(QStringLiteral("serial")).toString(), serial);
        QCOMPARE(one.json().value(QStringLiteral("model")).toString(), QStringLiteral("NAMED"));
        const auto failures =
            m_viewer->get(QStringLiteral("/api/v1/devices/") + serial + QStringLiteral("/activation-failures"));
        QVERIFY2(failures.status == 200, failures.body.constData());
    }
}

QTEST_GUILESS_MAIN(TestBatchJobs)
#include "tst_batchjobs.moc"

// SPDX-License-Identifier: Apache-2.0
// Schema changes are versioned migrations (docs/architecture.md): a database
// of every earlier schema version, with the records of a working
// installation, is upgraded by the real binary and keeps serving them; a
// database newer than the binary is refused and left alone; several instances
// started at once on one empty database migrate it exactly once. On SQLite and
// (as tst_schemaupgrade_pg) PostgreSQL.
#include "childprocesswatch.h"
#include "devicetestutil.h"
#include "middlewareprocess.h"
#include "schemafixture.h"

#include "storage/database.h"
#include "storage/migrations.h"

#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Provisio;
using namespace Provisio::Test;

class TestSchemaUpgrade : public QObject
{
    Q_OBJECT

private:
    ChildProcessWatch m_children;
    QTemporaryDir m_dir;

    static int latest() { return migrations().last().version; }

    // A fresh database for this backend, loaded with `fixture`; empty on failure.
    QString loaded(const SchemaFixture &fixture, const QString &name)
    {
        const QString location = MiddlewareProcess::testDatabaseLocation(m_dir.path(), name);
        if (location.isEmpty())
            return {};
        auto db = Database::open(location);
        if (!db.ok()) {
            qWarning("%s", qPrintable(db.error().message));
            return {};
        }
        const bool postgres = (*db)->dialect() == Database::Dialect::Postgres;
        for (const QString &statement : fixture.statementsFor(postgres)) {
            auto r = (*db)->exec(statement);
            if (!r.ok()) {
                qWarning("fixture v%d: %s: %s", fixture.version, qPrintable(statement), qPrintable(r.error().message));
                return {};
            }
            r->finish();
        }
        return location;
    }

    static QList<int> appliedVersions(const QString &location)
    {
        QList<int> versions;
        auto db = Database::open(location);
        if (!db.ok())
            return versions;
        auto r = (*db)->exec(QStringLiteral("SELECT version FROM schema_migrations ORDER BY version"));
        while (r.ok() && r->next())
            versions << r->value(0).toInt();
        return versions;
    }

    static QList<int> oneToLatest()
    {
        QList<int> all;
        for (const Migration &m : migrations())
            all << m.version;
        return all;
    }

private Q_SLOTS:
    void init() { m_children.begin(); }
    void cleanup() { m_children.verify(); }

    // Adding a migration without the fixture of the version before it fails
    // here: every earlier version keeps its test.
    void everyVersionHasAFixture()
    {
        QCOMPARE(SchemaFixture::versions(), oneToLatest());
        for (int v : SchemaFixture::versions()) {
            const SchemaFixture f = SchemaFixture::load(v);
            QVERIFY2(!f.statements.isEmpty() && !f.meta.isEmpty(), qPrintable(QString::number(v)));
        }
    }

    void upgradeFromEveryEarlierVersion_data()
    {
        QTest::addColumn<int>("version");
        for (int v : SchemaFixture::versions()) {
            if (v < latest())
                QTest::addRow("v%d", v) << v;
        }
    }

    void upgradeFromEveryEarlierVersion()
    {
        QFETCH(int, version);
        const SchemaFixture fixture = SchemaFixture::load(version);
        const QString location = loaded(fixture, QStringLiteral("v%1").arg(version));
        QVERIFY(!location.isEmpty());
        QCOMPARE(appliedVersions(location).size(), version);

        MiddlewareProcess mw({}, location);
        QVERIFY2(mw.start(), qPrintable(mw.lastError()));
        QVERIFY2(mw.log().contains(QStringLiteral("applied migration %1").arg(latest())) ||
                     mw.drainLog().contains(QStringLiteral("applied migration %1").arg(latest())),
                 qPrintable(mw.log()));
        QCOMPARE(appliedVersions(location), oneToLatest());
        // The installation is the one it was: its ID scope, its token, its records.
        const QJsonObject &meta = fixture.meta;
        QCOMPARE(mw.idScope(), meta.value(QStringLiteral("idScope")).toString());
        HttpsClient admin(mw.baseUrl(), mw.caCertificatePath());
        admin.setBearer(meta.value(QStringLiteral("adminToken")).toString());
        const QString customerId = meta.value(QStringLiteral("customerId")).toString();
        const auto customer = admin.get(QStringLiteral("/api/v1/customers/") + customerId);
        QVERIFY2(customer.status == 200, customer.body.constData());
        QCOMPARE(customer.json().value(QStringLiteral("name")).toString(), QStringLiteral("Fixture Customer O'Hara"));
        const QString serial = meta.value(QStringLiteral("serial")).toString();
        const auto device = admin.get(QStringLiteral("/api/v1/devices/") + serial);
        QVERIFY2(device.status == 200, device.body.constData());
        QCOMPARE(device.json().value(QStringLiteral("customerId")).toString(), customerId);
        QCOMPARE(device.json().value(QStringLiteral("batch")).toString(), QStringLiteral("B7"));
        const auto hub = admin.get(QStringLiteral("/api/v1/hubs/") + meta.value(QStringLiteral("hub")).toString());
        QVERIFY2(hub.status == 200, hub.body.constData());
        const QString registrationId = meta.value(QStringLiteral("registrationId")).toString();
        const auto enrollment = admin.get(QStringLiteral("/api/v1/enrollments/") + registrationId);
        QVERIFY2(enrollment.status == 200, enrollment.body.constData());
        QCOMPARE(DeviceFixture::primaryKey(enrollment.json()), meta.value(QStringLiteral("deviceKey")).toString());
        const auto registration = admin.get(QStringLiteral("/api/v1/registrations/") + registrationId);
        QVERIFY2(registration.status == 200, registration.body.constData());
        QCOMPARE(registration.json().value(QStringLiteral("assignedHub")).toString(),
                 meta.value(QStringLiteral("hubHost")).toString());
        const auto audit = admin.get(QStringLiteral("/api/v1/audit?limit=100"));
        QVERIFY2(audit.status == 200, audit.body.constData());

        // The device registers again with its key and keeps its hub.
        HttpsClient deviceClient(mw.baseUrl(), mw.caCertificatePath());
        const QString key = meta.value(QStringLiteral("deviceKey")).toString();
        const auto again =
            deviceClient.put(QLatin1Char('/') + mw.idScope() + QStringLiteral("/registrations/") + registrationId +
                                 QStringLiteral("/register?api-version=2021-06-01"),
                             QJsonObject{{QStringLiteral("registrationId"), registrationId}},
                             {{"Authorization", DeviceFixture::sas(mw.idScope(), registrationId, key).toUtf8()}});
        QVERIFY2(again.status == 200 || again.status == 202, again.body.constData());

        // And new records go into the upgraded schema.
        const auto created = admin.post(QStringLiteral("/api/v1/customers"),
                                        QJsonObject{{QStringLiteral("name"), QStringLiteral("After the upgrade")}});
        QVERIFY2(created.status == 201, created.body.constData());
        const auto enrolled =
            admin.put(QStringLiteral("/api/v1/enrollments/after-upgrade"),
                      QJsonObject{{QStringLiteral("registrationId"), QStringLiteral("after-upgrade")},
                                  {QStringLiteral("attestation"),
                                   QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}}});
        QVERIFY2(enrolled.status == 201, enrolled.body.constData());

        // A restart on the upgraded database applies nothing more.
        mw.stop();
        QVERIFY2(mw.start(), qPrintable(mw.lastError()));
        QVERIFY(!mw.drainLog().contains(QLatin1String("applied migration")));
        QCOMPARE(appliedVersions(location), oneToLatest());
    }

    void newerSchemaIsRefused()
    {
        const SchemaFixture fixture = SchemaFixture::load(latest());
        QCOMPARE(fixture.version, latest());
        const QString location = loaded(fixture, QStringLiteral("newer"));
        QVERIFY(!location.isEmpty());
        {
            auto db = Database::open(location);
            QVERIFY(db.ok());
            auto r = (*db)->exec(QStringLiteral("INSERT INTO schema_migrations (version, name, applied_at) "
                                                "VALUES (?, 'from a later release', '2030-01-01T00:00:00Z')"),
                                 {latest() + 1});
            QVERIFY(r.ok());
        }
        MiddlewareProcess mw({}, location);
        QVERIFY(!mw.start());
        QVERIFY2(mw.lastError().contains(QStringLiteral("the database schema (version %1) is newer than this "
                                                        "middleware understands (%2)")
                                             .arg(latest() + 1)
                                             .arg(latest())),
                 qPrintable(mw.lastError()));
        mw.stop();
        QCOMPARE(mw.exitStatus(), QProcess::NormalExit);
        QVERIFY(mw.exitCode() != 0);
        // Nothing was changed: the later release's rows are all there.
        QList<int> expected = oneToLatest();
        expected << latest() + 1;
        QCOMPARE(appliedVersions(location), expected);
    }

    // Three instances started at the same moment on one empty database: the
    // migration lock lets one migrate; all three serve.
    void concurrentStartMigratesOnce()
    {
        const QString location = MiddlewareProcess::testDatabaseLocation(m_dir.path(), QStringLiteral("shared"));
        QVERIFY(!location.isEmpty());
        std::vector<std::unique_ptr<QTemporaryDir>> dirs;
        std::vector<std::unique_ptr<QProcess>> processes;
        for (int i = 0; i < 3; ++i) {
            dirs.push_back(std::make_unique<QTemporaryDir>());
            processes.push_back(std::make_unique<QProcess>());
        }
        for (int i = 0; i < 3; ++i) {
            processes[i]->start(QStringLiteral(PROVISIO_MIDDLEWARE_BIN),
                                {QStringLiteral("serve"), QStringLiteral("--data-dir"), dirs[i]->path(),
                                 QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                                 QStringLiteral("--database"), location});
        }
        QStringList scopes;
        for (int i = 0; i < 3; ++i) {
            QProcess &p = *processes[i];
            QVERIFY(p.waitForStarted(10000));
            QString out;
            QDeadlineTimer deadline(30000);
            static const QRegularExpression re(QStringLiteral("listening on \\S+ \\(ID scope (\\S+)\\)"));
            QRegularExpressionMatch m;
            while (!deadline.hasExpired() && p.state() == QProcess::Running && !(m = re.match(out)).hasMatch()) {
                p.waitForReadyRead(200);
                out += QString::fromUtf8(p.readAllStandardOutput());
            }
            QVERIFY2(
                m.hasMatch(),
                qPrintable(
                    QStringLiteral("instance %1: %2 %3").arg(i).arg(out, QString::fromUtf8(p.readAllStandardError()))));
            scopes << m.captured(1);
        }
        // One installation: one ID scope, each migration applied once.
        QCOMPARE(scopes.count(scopes.first()), 3);
        QCOMPARE(appliedVersions(location), oneToLatest());
        for (auto &p : processes) {
            p->terminate();
            QVERIFY(p->waitForFinished(15000));
            QCOMPARE(p->exitCode(), 0);
        }
    }
};

PROVISIO_TEST_GUILESS_MAIN(TestSchemaUpgrade)
#include "tst_schemaupgrade.moc"

// SPDX-License-Identifier: Apache-2.0
// The PostgreSQL server goes away under a running middleware and comes back:
// while it is away every request that needs it gets a clear 503 (never a 401
// that would make a client drop its token, never a hang), /healthz says 503,
// the process stays up; once the server is back the same instance serves
// again without a restart, and what was stored before is still there.
// The test runs its own throwaway cluster (scripts/pg-test-cluster.sh), so
// stopping it disturbs no other suite.
#include "childprocesswatch.h"
#include "httpsclient.h"
#include "middlewareprocess.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace Provisio::Test;

class TestDatabaseOutage : public QObject
{
    Q_OBJECT

private:
    ChildProcessWatch m_children;
    QTemporaryDir m_cluster;
    QString m_url;

    // scripts/pg-test-cluster.sh COMMAND DIR; false when it fails. `out`: its
    // stdout (the URL on start).
    bool cluster(const QString &command, QString *out = nullptr)
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PG_TEST_PORT_BASE"), QStringLiteral("56532"));
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(PROVISIO_SOURCE_DIR "/scripts/pg-test-cluster.sh"), {command, m_cluster.path()});
        if (!p.waitForFinished(120000) || p.exitCode() != 0) {
            qWarning("pg-test-cluster.sh %s: %s", qPrintable(command), p.readAllStandardError().constData());
            return false;
        }
        if (out)
            *out = QString::fromUtf8(p.readAllStandardOutput()).trimmed();
        return true;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_cluster.isValid());
        QVERIFY(cluster(QStringLiteral("start"), &m_url));
        QVERIFY2(m_url.startsWith(QLatin1String("postgresql://")), qPrintable(m_url));
    }

    void cleanupTestCase() { cluster(QStringLiteral("stop")); }

    void databaseLostAndRegained()
    {
        MiddlewareProcess mw({}, m_url);
        const QString token = mw.createToken(QStringLiteral("operator"));
        QVERIFY(!token.isEmpty());
        QVERIFY2(mw.start(), qPrintable(mw.lastError()));
        HttpsClient client(mw.baseUrl(), mw.caCertificatePath());
        client.setBearer(token);
        const auto before = client.post(QStringLiteral("/api/v1/customers"),
                                        QJsonObject{{QStringLiteral("name"), QStringLiteral("Stored before")}});
        QCOMPARE(before.status, 201);

        QVERIFY(cluster(QStringLiteral("stop")));
        // While the server is away: clear refusals, quickly, and the process stays.
        QElapsedTimer timer;
        for (int round = 0; round < 3; ++round) {
            timer.start();
            const auto health = client.get(QStringLiteral("/healthz"));
            QCOMPARE(health.status, 503);
            const auto list = client.get(QStringLiteral("/api/v1/customers"));
            QVERIFY2(list.status == 503, list.body.constData());
            QVERIFY(!list.json().value(QStringLiteral("trackingId")).toString().isEmpty());
            QVERIFY2(list.json().value(QStringLiteral("message")).toString().contains(QLatin1String("database")),
                     list.body.constData());
            const auto write = client.post(QStringLiteral("/api/v1/customers"),
                                           QJsonObject{{QStringLiteral("name"), QStringLiteral("While away")}});
            QVERIFY2(write.status == 503, write.body.constData());
            QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
            QTest::qWait(700);
        }
        QVERIFY(mw.processId() != 0);
        QCOMPARE(::kill(pid_t(mw.processId()), 0), 0);

        QString url;
        QVERIFY(cluster(QStringLiteral("start"), &url));
        QCOMPARE(url, m_url);
        // Back: the same instance serves again within a few seconds.
        QTRY_COMPARE_WITH_TIMEOUT(client.get(QStringLiteral("/healthz")).status, 200, 10000);
        const auto list = client.get(QStringLiteral("/api/v1/customers?limit=100"));
        QVERIFY2(list.status == 200, list.body.constData());
        QStringList names;
        for (const auto &c : list.json().value(QStringLiteral("items")).toArray())
            names << c.toObject().value(QStringLiteral("name")).toString();
        QVERIFY2(names.contains(QStringLiteral("Stored before")), qPrintable(names.join(QLatin1Char(','))));
        QVERIFY2(!names.contains(QStringLiteral("While away")), qPrintable(names.join(QLatin1Char(','))));
        const auto after = client.post(QStringLiteral("/api/v1/customers"),
                                       QJsonObject{{QStringLiteral("name"), QStringLiteral("Stored after")}});
        QVERIFY2(after.status == 201, after.body.constData());
        QVERIFY2(mw.drainLog().contains(QLatin1String("reconnected to")), qPrintable(mw.log()));
    }
};

PROVISIO_TEST_GUILESS_MAIN(TestDatabaseOutage)
#include "tst_databaseoutage.moc"

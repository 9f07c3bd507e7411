// SPDX-License-Identifier: Apache-2.0
// The real provisio-agent binary against a real middleware and a real
// mosquitto with the plugin: activation to telemetry; killed (SIGKILL) with
// messages in its outbox while the broker is down, restarted with only
// --data-dir, every one of them delivered and no provisioning; a clean stop
// on SIGTERM; --simulate with an enrollment group; bad options exit 2.
#include "childprocesswatch.h"
#include "hubfixture.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Provisio;
using namespace Provisio::Test;

namespace {

const QString kHubHost = QStringLiteral("hub1.test");
const QString kSerial = QStringLiteral("SN-AG-0001");

// Whether `text` holds the activation code as shown (XXXX-XXXX-XXXX-XXXX-C)
// or as the programs keep it (without dashes), in any case.
bool holdsCode(const QString &text, const QString &code)
{
    const QString bare = QString(code).remove(QLatin1Char('-'));
    return text.contains(code, Qt::CaseInsensitive) || text.contains(bare, Qt::CaseInsensitive);
}
const QString kDeviceId = QStringLiteral("sn-ag-0001");

// One provisio-agent child whose stdout the test reads line by line.
class AgentProcess
{
public:
    ~AgentProcess()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }
    void start(const QStringList &args)
    {
        m_output.clear();
        m_errors.clear();
        m_process.setProcessChannelMode(QProcess::SeparateChannels);
        // Every log line, debug included (ctest turns debug off for the
        // suites), so "never printed" covers what an operator could enable.
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("*.debug=true\nqt.*.debug=false"));
        m_process.setProcessEnvironment(env);
        m_process.start(QStringLiteral(PROVISIO_AGENT_BIN), args);
    }
    QString output()
    {
        m_output += QString::fromUtf8(m_process.readAllStandardOutput());
        return m_output;
    }
    // The log (stderr) so far.
    QString errorOutput()
    {
        m_errors += QString::fromUtf8(m_process.readAllStandardError());
        return m_errors;
    }
    // Both channels: what "never printed" checks read.
    QString everything() { return output() + errorOutput(); }
    bool printed(const QString &text) { return output().contains(text); }
    // The last "queued N" of a status line, -1 before the first.
    int lastQueued()
    {
        static const QRegularExpression re(QStringLiteral("queued (\\d+)"));
        int queued = -1;
        auto it = re.globalMatch(output());
        while (it.hasNext())
            queued = it.next().captured(1).toInt();
        return queued;
    }
    QProcess &process() { return m_process; }

private:
    QProcess m_process;
    QString m_output;
    QString m_errors;
};

} // namespace

class TestAgent : public QObject
{
    Q_OBJECT

private:
    DeviceFixture m_f;
    HubFixture m_hubs{m_f};
    QTemporaryDir m_work;

    QString dataDir() const { return m_work.filePath(QStringLiteral("agent")); }
    QStringList tuning() const
    {
        return {QStringLiteral("--interval-ms"),
                QStringLiteral("200"),
                QStringLiteral("--max-reconnect-delay-ms"),
                QStringLiteral("1000"),
                QStringLiteral("--status-interval-ms"),
                QStringLiteral("300"),
                QStringLiteral("--reprovision-after"),
                QStringLiteral("1000")};
    }

    QSet<QString> arrivedMessageIds()
    {
        QSet<QString> ids;
        const auto r = m_f.viewer->get(QStringLiteral("/api/v1/devices/%1/telemetry?limit=1000").arg(kDeviceId));
        for (const auto &m : r.json().value(QStringLiteral("messages")).toArray())
            ids.insert(
                m.toObject().value(QStringLiteral("properties")).toObject().value(QStringLiteral("$.mid")).toString());
        return ids;
    }

    // The message ids waiting in an outbox file (the agent is not running).
    static QSet<QString> outboxMessageIds(const QString &path)
    {
        QSet<QString> ids;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("peek"));
            db.setDatabaseName(path);
            if (db.open()) {
                QSqlQuery q(db);
                q.exec(QStringLiteral("SELECT properties FROM messages"));
                while (q.next()) {
                    for (const auto &pair : QJsonDocument::fromJson(q.value(0).toString().toUtf8()).array()) {
                        if (pair.toArray().at(0).toString() == QLatin1String("$.mid"))
                            ids.insert(pair.toArray().at(1).toString());
                    }
                }
            }
        }
        QSqlDatabase::removeDatabase(QStringLiteral("peek"));
        return ids;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY2(QFileInfo::exists(QStringLiteral(PROVISIO_AGENT_BIN)), PROVISIO_AGENT_BIN);
        qputenv("PROVISIO_TELEMETRY_BUFFER", "1000");
        QVERIFY(m_f.start());
        QVERIFY2(m_hubs.linkHub(QStringLiteral("hub1"), kHubHost), qPrintable(m_hubs.lastError()));
    }

    void badOptionsExitWithTwo_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("nothing") << QStringList{} << QStringLiteral("--data-dir is required");
        QTest::newRow("unknown") << QStringList{QStringLiteral("--data-dir"), m_work.path(), QStringLiteral("--turbo")}
                                 << QStringLiteral("Unknown option 'turbo'");
        QTest::newRow("typo in code") << QStringList{QStringLiteral("--data-dir"),
                                                     m_work.path(),
                                                     QStringLiteral("--middleware"),
                                                     QStringLiteral("https://localhost:1"),
                                                     QStringLiteral("--activate"),
                                                     QStringLiteral("ABCD-EFGH")}
                                      << QStringLiteral("--activate: activation code must have 16 characters");
        QTest::newRow("interval") << QStringList{QStringLiteral("--data-dir"), m_work.path(),
                                                 QStringLiteral("--interval-ms"), QStringLiteral("0")}
                                  << QStringLiteral("--interval-ms must be a whole number from 100 to 3600000");
    }

    void badOptionsExitWithTwo()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        QProcess p;
        p.start(QStringLiteral(PROVISIO_AGENT_BIN), args);
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 2);
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(err.contains(message), qPrintable(err));
        QVERIFY2(err.contains(QStringLiteral("--help")), qPrintable(err));
    }

    void dataDirAloneWithoutStateIsAnError()
    {
        const QString empty = m_work.filePath(QStringLiteral("never-provisioned"));
        QProcess p;
        p.start(QStringLiteral(PROVISIO_AGENT_BIN), {QStringLiteral("--data-dir"), empty});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(QString::fromUtf8(p.readAllStandardOutput()).contains(QStringLiteral("holds no provisioned device")));
        QVERIFY(!QFileInfo::exists(empty)); // nothing was created
    }

    void helpListsTheOptions()
    {
        QProcess p;
        p.start(QStringLiteral(PROVISIO_AGENT_BIN), {QStringLiteral("--help")});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 0);
        const QString help = QString::fromUtf8(p.readAllStandardOutput());
        for (const auto &option : {QStringLiteral("--activate CODE"), QStringLiteral("--simulate N"),
                                   QStringLiteral("--telemetry SOURCE"), QStringLiteral("--interval-ms N")})
            QVERIFY2(help.contains(option), qPrintable(option));
    }

    void wrongCodeExitsWithOne()
    {
        const auto device = m_f.admin->post(QStringLiteral("/api/v1/devices"),
                                            QJsonObject{{QStringLiteral("serial"), QStringLiteral("SN-AG-0009")}});
        QCOMPARE(device.status, 201);
        AgentProcess agent;
        agent.start(QStringList{
            QStringLiteral("--middleware"), m_f.mw->baseUrl(), QStringLiteral("--ca"), m_f.mw->caCertificatePath(),
            QStringLiteral("--data-dir"), m_work.filePath(QStringLiteral("wrong")), QStringLiteral("--serial"),
            QStringLiteral("SN-AG-0009"), QStringLiteral("--activate"), QStringLiteral("0000-0000-0000-0000-0")});
        QVERIFY(agent.process().waitForFinished(15000));
        QCOMPARE(agent.process().exitCode(), 1);
        QVERIFY2(agent.printed(QStringLiteral("error: This activation code is not valid")), qPrintable(agent.output()));
    }

    void activationStreamsTelemetry()
    {
        const auto enrollment = m_hubs.enroll(kSerial, kDeviceId);
        QVERIFY2(enrollment.status == 201, qPrintable(m_hubs.lastError()));
        const QString code = enrollment.activationCode;

        AgentProcess agent;
        agent.start(QStringList{QStringLiteral("--middleware"), m_f.mw->baseUrl(), QStringLiteral("--ca"),
                                m_f.mw->caCertificatePath(), QStringLiteral("--data-dir"), dataDir(),
                                QStringLiteral("--serial"), kSerial, QStringLiteral("--activate"), code} +
                    tuning());
        QTRY_VERIFY2_WITH_TIMEOUT(agent.printed(QStringLiteral("state: running")), qPrintable(agent.output()), 30000);
        QVERIFY(agent.printed(QStringLiteral("step Assigned: done - Assigned to hub1.test")));
        QVERIFY2(!holdsCode(agent.everything(), code), "the activation code must not be printed or logged");
        QVERIFY2(agent.errorOutput().contains(kSerial), "the agent's log (stderr) was not captured");
        QTRY_VERIFY_WITH_TIMEOUT(arrivedMessageIds().size() >= 3, 15000);

        // SIGTERM: a clean stop that leaves the device offline.
        agent.process().terminate();
        QVERIFY(agent.process().waitForFinished(10000));
        QCOMPARE(agent.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(agent.process().exitCode(), 0);
        QVERIFY(agent.printed(QStringLiteral("stopped")));
        QVERIFY2(!holdsCode(agent.everything(), code), "the activation code must not be printed or logged");
        QTRY_COMPARE_WITH_TIMEOUT(m_f.viewer->get(QStringLiteral("/api/v1/devices/%1/twin").arg(kDeviceId))
                                      .json()
                                      .value(QStringLiteral("connectionState"))
                                      .toString(),
                                  QStringLiteral("Disconnected"), 10000);
    }

    void killedWithQueuedMessagesDeliversThemAfterRestart()
    {
        // Running again from the stored files only.
        AgentProcess agent;
        agent.start(QStringList{QStringLiteral("--data-dir"), dataDir()} + tuning());
        QTRY_VERIFY2_WITH_TIMEOUT(agent.printed(QStringLiteral("state: running")), qPrintable(agent.output()), 30000);
        QVERIFY(!agent.printed(QStringLiteral("state: provisioning")));

        // The broker goes down; readings pile up in the outbox; the agent dies.
        m_hubs.broker(QStringLiteral("hub1"))->stop();
        QTRY_VERIFY2_WITH_TIMEOUT(agent.lastQueued() >= 15, qPrintable(agent.output()), 20000);
        agent.process().kill();
        QVERIFY(agent.process().waitForFinished(5000));
        QCOMPARE(agent.process().exitStatus(), QProcess::CrashExit);

        const QSet<QString> queued = outboxMessageIds(QDir(dataDir()).filePath(QStringLiteral("outbox.sqlite")));
        QVERIFY2(queued.size() >= 15, qPrintable(QString::number(queued.size())));
        QVERIFY(!queued.intersects(arrivedMessageIds()));

        // The hub comes back, and the middleware's link to it.
        QVERIFY2(m_hubs.restartBroker(QStringLiteral("hub1")), qPrintable(m_hubs.lastError()));
        QVERIFY(m_hubs.waitForLink(QStringLiteral("hub1")));

        AgentProcess again;
        again.start(QStringList{QStringLiteral("--data-dir"), dataDir()} + tuning());
        QTRY_VERIFY2_WITH_TIMEOUT(again.printed(QStringLiteral("state: running")), qPrintable(again.output()), 30000);
        QVERIFY(!again.printed(QStringLiteral("state: provisioning")));
        // No --serial: it keeps the serial it was set up under.
        QVERIFY2(again.printed(QStringLiteral("serial ") + kSerial), qPrintable(again.output()));
        QTRY_VERIFY_WITH_TIMEOUT(arrivedMessageIds().contains(queued), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(again.lastQueued() >= 0 && again.lastQueued() <= 2, 10000);
        qInfo("%lld message(s) queued at SIGKILL, all delivered after the restart", qint64(queued.size()));
        again.process().terminate();
        QVERIFY(again.process().waitForFinished(10000));
        QCOMPARE(again.process().exitCode(), 0);
    }

    void simulateRunsAGroupOfDevices()
    {
        const auto group = m_f.operatorClient->put(
            QStringLiteral("/api/v1/enrollment-groups/sim-fleet"),
            QJsonObject{{QStringLiteral("attestation"),
                         QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}}});
        QVERIFY2(group.status == 201, group.body.constData());
        const QString groupKey = DeviceFixture::primaryKey(group.json());
        QVERIFY(!groupKey.isEmpty());

        AgentProcess agent;
        const QString dir = m_work.filePath(QStringLiteral("fleet"));
        agent.start(QStringList{QStringLiteral("--middleware"), m_f.mw->baseUrl(), QStringLiteral("--ca"),
                                m_f.mw->caCertificatePath(), QStringLiteral("--data-dir"), dir,
                                QStringLiteral("--simulate"), QStringLiteral("3"), QStringLiteral("--id-scope"),
                                m_f.mw->idScope(), QStringLiteral("--group-key"), groupKey} +
                    tuning());
        QTRY_VERIFY2_WITH_TIMEOUT(agent.printed(QStringLiteral("simulate: all 3 device(s) running")),
                                  qPrintable(agent.output()), 30000);
        for (const QString &id : {QStringLiteral("sim-0001"), QStringLiteral("sim-0002"), QStringLiteral("sim-0003")}) {
            QVERIFY(QFileInfo::exists(QDir(dir).filePath(id + QStringLiteral("/connection.json"))));
            QTRY_VERIFY_WITH_TIMEOUT(m_f.viewer->get(QStringLiteral("/api/v1/devices/%1/telemetry").arg(id))
                                             .json()
                                             .value(QStringLiteral("count"))
                                             .toInt() > 0,
                                     15000);
        }
        agent.process().terminate();
        QVERIFY(agent.process().waitForFinished(10000));
        QCOMPARE(agent.process().exitCode(), 0);
        QVERIFY2(!agent.everything().contains(groupKey), "the group key must not be printed or logged");
    }
};

PROVISIO_TEST_GUILESS_MAIN(TestAgent)
#include "tst_agent.moc"

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
#include <QJsonDocument>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QVariantList>

#include <csignal>

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

    // $.mid of every stored message of a device (from the API).
    QSet<QString> storedMessageIds(const QString &deviceId)
    {
        QSet<QString> ids;
        const auto r = m_f.viewer->get(QStringLiteral("/api/v1/devices/%1/telemetry?limit=1000").arg(deviceId));
        for (const auto &m : r.json().value(QStringLiteral("messages")).toArray())
            ids.insert(
                m.toObject().value(QStringLiteral("properties")).toObject().value(QStringLiteral("$.mid")).toString());
        return ids;
    }
    qint64 storedRows(const QString &deviceId)
    {
        return m_f.viewer->get(QStringLiteral("/api/v1/devices/%1/telemetry?limit=1000").arg(deviceId))
            .json()
            .value(QStringLiteral("messages"))
            .toArray()
            .size();
    }
    // One query on an outbox file (read-only; the agent may be running).
    static QList<QVariantList> outboxQuery(const QString &path, const QString &sql, int columns)
    {
        QList<QVariantList> rows;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("peek-e2e"));
            db.setDatabaseName(path);
            db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"));
            if (db.open()) {
                QSqlQuery q(db);
                if (q.exec(sql)) {
                    while (q.next()) {
                        QVariantList row;
                        for (int c = 0; c < columns; ++c)
                            row << q.value(c);
                        rows << row;
                    }
                }
            }
        }
        QSqlDatabase::removeDatabase(QStringLiteral("peek-e2e"));
        return rows;
    }
    // $.mid -> send attempts of what an outbox holds.
    static QHash<QString, int> outboxAttempts(const QString &path)
    {
        QHash<QString, int> out;
        for (const QVariantList &row :
             outboxQuery(path, QStringLiteral("SELECT properties, attempts FROM messages"), 2)) {
            for (const auto &pair : QJsonDocument::fromJson(row.at(0).toString().toUtf8()).array()) {
                if (pair.toArray().at(0).toString() == QLatin1String("$.mid"))
                    out.insert(pair.toArray().at(1).toString(), row.at(1).toInt());
            }
        }
        return out;
    }
    // How many messages were ever enqueued (ids are AUTOINCREMENT from 1).
    static qint64 outboxEnqueued(const QString &path)
    {
        const auto rows =
            outboxQuery(path, QStringLiteral("SELECT seq FROM sqlite_sequence WHERE name = 'messages'"), 1);
        return rows.isEmpty() ? -1 : rows.first().at(0).toLongLong();
    }
    static qint64 outboxDropped(const QString &path)
    {
        const auto rows = outboxQuery(path, QStringLiteral("SELECT value FROM counters WHERE name = 'dropped'"), 1);
        return rows.isEmpty() ? -1 : rows.first().at(0).toLongLong();
    }
    // Deletes what the broker of `confPath` persisted: it starts empty.
    static bool clearPersistence(const QString &confPath)
    {
        QFile conf(confPath);
        if (!conf.open(QIODevice::ReadOnly))
            return false;
        static const QRegularExpression line(QStringLiteral("^persistence_location (.+)$"),
                                             QRegularExpression::MultilineOption);
        const auto match = line.match(QString::fromUtf8(conf.readAll()));
        if (!match.hasMatch())
            return false;
        QDir dir(match.captured(1).trimmed());
        for (const QString &file : dir.entryList(QDir::Files))
            if (!dir.remove(file))
                return false;
        return dir.entryList(QDir::Files).isEmpty();
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

    // End-to-end confirmation: the hub acknowledges what the agent sends
    // while the middleware is stalled, then the hub is killed -9 and comes
    // back WITHOUT its persistence, so everything it had acknowledged and not
    // yet handed over is gone. The agent still has it (only the middleware's
    // "stored" removes a message from its outbox) and sends it again: every
    // message it ever generated is stored exactly once.
    void hubKilledWithoutPersistenceLosesNothing()
    {
        const QString serial = QStringLiteral("SN-AG-E2E");
        const QString deviceId = QStringLiteral("sn-ag-e2e");
        const auto enrollment = m_hubs.enroll(serial, deviceId);
        QVERIFY2(enrollment.status == 201, qPrintable(m_hubs.lastError()));
        const QString dir = m_work.filePath(QStringLiteral("e2e"));
        const QString outbox = QDir(dir).filePath(QStringLiteral("outbox.sqlite"));
        AgentProcess agent;
        agent.start(QStringList{QStringLiteral("--middleware"), m_f.mw->baseUrl(), QStringLiteral("--ca"),
                                m_f.mw->caCertificatePath(), QStringLiteral("--data-dir"), dir,
                                QStringLiteral("--serial"), serial, QStringLiteral("--activate"),
                                enrollment.activationCode, QStringLiteral("--interval-ms"), QStringLiteral("100"),
                                QStringLiteral("--max-reconnect-delay-ms"), QStringLiteral("1000"),
                                QStringLiteral("--status-interval-ms"), QStringLiteral("300")});
        QTRY_VERIFY2_WITH_TIMEOUT(agent.printed(QStringLiteral("state: running")), qPrintable(agent.output()), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(storedMessageIds(deviceId).size() >= 10, 20000);

        // The middleware stalls: the hub keeps acknowledging (its credit
        // window is far from full), nothing is stored or confirmed.
        // Signalled only through the fixture, which refuses when no process
        // runs (a saved id could name another process by then).
        MiddlewareProcess *mw = m_f.mw.get();
        QVERIFY(mw->sendSignal(SIGSTOP));
        auto resume = qScopeGuard([mw] { mw->sendSignal(SIGCONT); });
        QTest::qWait(5000);
        // What the agent has sent and still keeps: at most 32 of those can
        // be waiting for the hub's PUBACK, the rest the hub acknowledged.
        const QHash<QString, int> beforeKill = outboxAttempts(outbox);
        int sent = 0;
        for (const int attempts : beforeKill)
            sent += attempts > 0 ? 1 : 0;
        QVERIFY2(sent > 32 + 5, qPrintable(QStringLiteral("%1 sent, unconfirmed").arg(sent)));

        // The hub dies and comes back empty.
        MosquittoProcess *broker = m_hubs.broker(QStringLiteral("hub1"));
        broker->kill();
        QVERIFY(clearPersistence(m_hubs.configPath(QStringLiteral("hub1"))));
        QVERIFY(mw->sendSignal(SIGCONT));
        resume.dismiss();
        QVERIFY2(m_hubs.restartBroker(QStringLiteral("hub1")), qPrintable(m_hubs.lastError()));
        QVERIFY(m_hubs.waitForLink(QStringLiteral("hub1")));

        // Everything the hub had acknowledged before it died arrives.
        QTRY_VERIFY_WITH_TIMEOUT(
            storedMessageIds(deviceId).contains(QSet<QString>(beforeKill.keyBegin(), beforeKill.keyEnd())), 60000);
        QTRY_VERIFY_WITH_TIMEOUT(agent.lastQueued() >= 0 && agent.lastQueued() <= 3, 30000);
        agent.process().kill(); // what is left stays in the outbox file
        QVERIFY(agent.process().waitForFinished(5000));

        // Every message generated (the outbox's ids count every enqueue) is
        // stored or still in the outbox, and stored once.
        const QSet<QString> stored = storedMessageIds(deviceId);
        const QHash<QString, int> left = outboxAttempts(outbox);
        QSet<QString> all = stored;
        for (auto it = left.cbegin(); it != left.cend(); ++it)
            all.insert(it.key());
        QCOMPARE(qint64(all.size()), outboxEnqueued(outbox));
        QCOMPARE(storedRows(deviceId), qint64(stored.size()));
        QCOMPARE(outboxDropped(outbox), qint64(0));
        qInfo("%d message(s) the dead hub had taken were sent again; %lld generated, %lld stored once",
              int(beforeKill.size()), qint64(all.size()), qint64(stored.size()));
    }

    void hubKilledMidStreamTwentyDevicesLoseNothing()
    {
        // The guarantee for devices that keep a message until the middleware
        // confirms it stored it (docs/architecture.md, "What survives
        // what"): twenty of them stream while the hub is killed -9 three
        // times (once with the middleware stalled, so the hub holds many
        // acknowledged messages only in its memory) and started again as
        // hub-config configures it. Every message generated is stored once
        // (or still waits in its device's outbox), none is lost.
        const auto group = m_f.operatorClient->put(
            QStringLiteral("/api/v1/enrollment-groups/kill-fleet"),
            QJsonObject{{QStringLiteral("attestation"),
                         QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}}});
        QVERIFY2(group.status == 201, group.body.constData());
        const QString groupKey = DeviceFixture::primaryKey(group.json());
        QVERIFY(!groupKey.isEmpty());
        constexpr int kDevices = 20;
        AgentProcess agent;
        const QString dir = m_work.filePath(QStringLiteral("kill-fleet"));
        agent.start(QStringList{
            QStringLiteral("--middleware"), m_f.mw->baseUrl(), QStringLiteral("--ca"), m_f.mw->caCertificatePath(),
            QStringLiteral("--data-dir"), dir, QStringLiteral("--simulate"), QString::number(kDevices),
            QStringLiteral("--registration-prefix"), QStringLiteral("kf-"), QStringLiteral("--id-scope"),
            m_f.mw->idScope(), QStringLiteral("--group-key"), groupKey, QStringLiteral("--interval-ms"),
            QStringLiteral("100"), QStringLiteral("--max-reconnect-delay-ms"), QStringLiteral("1000")});
        QTRY_VERIFY2_WITH_TIMEOUT(agent.printed(QStringLiteral("simulate: all %1 device(s) running").arg(kDevices)),
                                  qPrintable(agent.output()), 60000);
        QStringList ids;
        for (int i = 1; i <= kDevices; ++i)
            ids << QStringLiteral("kf-%1").arg(i, 4, 10, QLatin1Char('0'));
        const auto outboxOf = [&dir](const QString &id) {
            return QDir(dir).filePath(id + QStringLiteral("/outbox.sqlite"));
        };
        MosquittoProcess *broker = m_hubs.broker(QStringLiteral("hub1"));
        const qint64 mwPid = m_f.mw->processId();
        QVERIFY(mwPid > 0);
        for (int round = 0; round < 3; ++round) {
            QTest::qWait(2000);
            const bool stall = round == 1;
            if (stall) {
                // The hub keeps acknowledging; nothing is stored or confirmed.
                QVERIFY(::kill(pid_t(mwPid), SIGSTOP) == 0);
                QTest::qWait(3000);
            }
            QVERIFY(broker->kill());
            if (stall)
                QVERIFY(::kill(pid_t(mwPid), SIGCONT) == 0);
            QVERIFY2(m_hubs.restartBroker(QStringLiteral("hub1")), qPrintable(m_hubs.lastError()));
            QVERIFY(m_hubs.waitForLink(QStringLiteral("hub1")));
        }
        QTest::qWait(2000);
        // Everything confirmed but what is in flight; then the agent goes
        // (what is left stays in the outboxes).
        const auto drained = [&] {
            for (const QString &id : std::as_const(ids)) {
                if (outboxAttempts(outboxOf(id)).size() > 3)
                    return false;
            }
            return true;
        };
        QTRY_VERIFY_WITH_TIMEOUT(drained(), 90000);
        agent.process().kill();
        QVERIFY(agent.process().waitForFinished(5000));

        qint64 generated = 0;
        qint64 storedOnce = 0;
        for (const QString &id : std::as_const(ids)) {
            const QSet<QString> stored = storedMessageIds(id);
            const QHash<QString, int> left = outboxAttempts(outboxOf(id));
            QSet<QString> all = stored;
            for (auto it = left.cbegin(); it != left.cend(); ++it)
                all.insert(it.key());
            const qint64 enqueued = outboxEnqueued(outboxOf(id));
            QVERIFY2(enqueued > 0, qPrintable(id));
            QVERIFY2(
                qint64(all.size()) == enqueued,
                qPrintable(
                    QStringLiteral("%1: %2 generated, %3 stored or still kept").arg(id).arg(enqueued).arg(all.size())));
            QCOMPARE(storedRows(id), qint64(stored.size()));
            QCOMPARE(outboxDropped(outboxOf(id)), qint64(0));
            generated += enqueued;
            storedOnce += stored.size();
        }
        qInfo("%d devices, 3 hub kills: %lld messages generated, %lld stored once, none lost", kDevices, generated,
              storedOnce);
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

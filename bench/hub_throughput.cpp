// SPDX-License-Identifier: Apache-2.0
//
// provisio-bench-hub: what the provisio_auth plugin costs a hub. One run
// measures the SAME Mosquitto twice over - once as `hub-config` writes it
// (TLS listener, limits, the plugin) and once with the plugin lines removed
// and `allow_anonymous true`, nothing else changed - and reports for each:
// TLS connects per second (CONNECT .. CONNACK, bounded concurrency), QoS 1
// telemetry messages per second (PUBLISH .. PUBACK), publish latency, the
// broker's CPU time per connect and per message and its resident memory,
// then the plugin / no-auth ratios against the target (the plugin costs
// under 10% of throughput and of connect rate).
//
// Setup is the real thing: a `provisio-middleware serve` of this build links
// the hub through the CRM API (PUT /api/v1/hubs/{name}), is stopped, and
// `provisio-middleware hub-config` writes the broker configuration. Device
// tokens are the hub's own (deriveKey(signing key, deviceId)), all signed
// before any clock starts. The simulated devices are libmosquitto clients
// multiplexed on one thread (bench/mqttfleet.h).

#include "mqttfleet.h"

#include "support/benchutil.h"
#include "support/middlewareserver.h"
#include "support/processstats.h"
#include "support/rawhttpsconnection.h"
#include "support/requestrunner.h"

#include "crypto/keys.h"
#include "crypto/sastoken.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>

#include <mosquitto.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <sched.h>
#include <sys/resource.h>
#include <vector>

using namespace Provisio;
using namespace Provisio::Bench;

namespace {

constexpr int kExitFailures = 1;    // a connection or message failed (or --enforce-target missed)
constexpr int kExitSetupFailed = 2; // nothing could be measured

const QString kHubName = QStringLiteral("bench-hub");
// A phase in which the broker or the load generator waited for a CPU longer
// than this share of its duration was disturbed by other work.
constexpr double kContendedShare = 0.10;
const QString kHubHostDefault = QStringLiteral("bench-hub.provisio.test");

struct Options
{
    int devices = 1000;
    int messages = 20;
    int payloadBytes = 200;
    int inflight = 1;
    int connectConcurrency = 50;
    int rounds = 4;
    int retries = 2;
    bool warmUp = true;
    int protocol = 5;
    int timeoutSeconds = 120;
    double targetPercent = 10;
    bool enforceTarget = false;
    bool pin = true;
    bool keepData = false;
    QString middlewareBin;
    QString mosquittoBin;
    QString pluginPath;
    QStringList brokerPrefix; // e.g. valgrind --tool=callgrind ...
};

// ------------------------------------------------------------ small helpers

double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Nanoseconds the process's main thread has run on a CPU and has waited,
// runnable, for one (/proc/PID/schedstat): exact, unlike the 10 ms ticks of
// /proc/PID/stat. Mosquitto and the load generator are single-threaded; a
// long wait means other work competed for the cores.
struct Sched
{
    qint64 runNs = -1;
    qint64 waitNs = -1;
    bool valid() const { return runNs >= 0; }
};

Sched sched(qint64 pid)
{
    QFile f(pid ? QStringLiteral("/proc/%1/schedstat").arg(pid) : QStringLiteral("/proc/thread-self/schedstat"));
    if (!f.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        return {};
    const QList<QByteArray> fields = f.readAll().trimmed().split(' ');
    if (fields.size() < 2)
        return {};
    return Sched{fields[0].toLongLong(), fields[1].toLongLong()};
}

quint16 freePort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 0;
    return server.serverPort();
}

bool pinTo(qint64 pid, int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(pid_t(pid), sizeof set, &set) == 0;
}

void raiseFileLimit()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

QString firstLineOf(const QString &program, const QStringList &args)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    if (!p.waitForFinished(5000))
        return {};
    return QString::fromUtf8(p.readAll()).section(QLatin1Char('\n'), 0, 0).trimmed();
}

// ------------------------------------------------------------ the broker

// One `mosquitto -c conf`, its log appended to a file (a chatty broker must
// never block on a full pipe in the middle of a measurement).
class Broker
{
public:
    ~Broker() { stop(); }

    bool start(const Options &options, const QString &conf, const QString &logPath, quint16 port, QString *error)
    {
        m_logPath = logPath;
        m_process = std::make_unique<QProcess>();
        m_process->setProcessChannelMode(QProcess::MergedChannels);
        m_process->setStandardOutputFile(logPath, QIODevice::Append);
        QStringList args = options.brokerPrefix;
        args << options.mosquittoBin << QStringLiteral("-c") << conf;
        const QString program = args.takeFirst();
        m_process->start(program, args);
        if (!m_process->waitForStarted(10000)) {
            *error = QStringLiteral("cannot start %1: %2").arg(program, m_process->errorString());
            return false;
        }
        // A profiler makes the broker start (and run) tens of times slower.
        QDeadlineTimer deadline(options.brokerPrefix.isEmpty() ? 15000 : 120000);
        while (!deadline.hasExpired()) {
            if (m_process->waitForFinished(50) || m_process->state() != QProcess::Running) {
                *error = QStringLiteral("mosquitto exited at start: %1").arg(tailOfLog());
                return false;
            }
            QTcpSocket probe;
            probe.connectToHost(QHostAddress::LocalHost, port);
            if (probe.waitForConnected(200)) {
                probe.abort();
                return true;
            }
        }
        *error = QStringLiteral("mosquitto did not listen on port %1 in time: %2").arg(port).arg(tailOfLog());
        return false;
    }

    qint64 pid() const { return m_process ? m_process->processId() : 0; }

    // Stops the broker; returns false when it had crashed or would not stop.
    bool stop(QString *problem = nullptr)
    {
        if (!m_process)
            return true;
        bool clean = true;
        if (m_process->state() == QProcess::Running) {
            m_process->terminate();
            if (!m_process->waitForFinished(120000)) {
                m_process->kill();
                m_process->waitForFinished(5000);
                clean = false;
                if (problem)
                    *problem = QStringLiteral("mosquitto did not stop on SIGTERM");
            }
        } else {
            clean = false;
            if (problem)
                *problem = QStringLiteral("mosquitto had exited during the run: %1").arg(tailOfLog());
        }
        if (clean && (m_process->exitStatus() != QProcess::NormalExit || m_process->exitCode() != 0)) {
            clean = false;
            if (problem)
                *problem = QStringLiteral("mosquitto exited with status %1").arg(m_process->exitCode());
        }
        m_process.reset();
        return clean;
    }

    QString tailOfLog() const
    {
        QFile f(m_logPath);
        return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll().right(1500)).trimmed() : QString();
    }

private:
    QString m_logPath;
    std::unique_ptr<QProcess> m_process;
};

// ------------------------------------------------------------ configs

struct HubSetup
{
    QString hubHost;
    QString signingKey;
    QString caPath;
    QString pluginConf;
    QString noAuthConf;
    QString persistenceDir;
    QStringList removedLines; // what the no-auth config leaves out (keys masked)
    quint16 port = 0;
};

// The no-auth twin of the generated configuration: the same file without
// the plugin and its options, with anonymous clients allowed.
bool deriveNoAuthConfig(HubSetup &setup, QString *error)
{
    QFile in(setup.pluginConf);
    if (!in.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1").arg(setup.pluginConf);
        return false;
    }
    QByteArray outText;
    bool anonymousSet = false;
    int pluginLines = 0;
    for (const QByteArray &line : in.readAll().split('\n')) {
        const QByteArray t = line.trimmed();
        const QByteArray key = t.left(t.indexOf(' '));
        const QByteArray value = t.mid(key.size()).trimmed();
        if (key == "plugin_opt_signing_key")
            setup.signingKey = QString::fromUtf8(value);
        if (key == "plugin_opt_hub_host")
            setup.hubHost = QString::fromUtf8(value);
        if (key == "persistence_location")
            setup.persistenceDir = QString::fromUtf8(value);
        if (key == "password_file" || key == "acl_file") {
            *error = QStringLiteral("%1 has a %2 line: the no-auth twin would still authenticate")
                         .arg(setup.pluginConf, QString::fromUtf8(key));
            return false;
        }
        if (key == "plugin" || key == "auth_plugin" || key.startsWith("plugin_opt_") || key.startsWith("auth_opt_")) {
            ++pluginLines;
            const bool secret = key.endsWith("_key");
            setup.removedLines << QString::fromUtf8(secret ? key + " ..." : t);
            continue;
        }
        if (key == "allow_anonymous") {
            outText += "allow_anonymous true\n";
            setup.removedLines << QString::fromUtf8(t) + QStringLiteral("  ->  allow_anonymous true");
            anonymousSet = true;
            continue;
        }
        outText += line + '\n';
    }
    if (pluginLines == 0 || !anonymousSet || setup.signingKey.isEmpty() || setup.hubHost.isEmpty()) {
        *error = QStringLiteral("%1 does not look like a hub-config file (plugin lines %2, allow_anonymous %3)")
                     .arg(setup.pluginConf)
                     .arg(pluginLines)
                     .arg(anonymousSet ? QStringLiteral("found") : QStringLiteral("missing"));
        return false;
    }
    setup.noAuthConf = QFileInfo(setup.pluginConf).dir().filePath(QStringLiteral("mosquitto-noauth.conf"));
    QFile outFile(setup.noAuthConf);
    if (!outFile.open(QIODevice::WriteOnly | QIODevice::Truncate) || outFile.write(outText) != outText.size()) {
        *error = QStringLiteral("cannot write %1").arg(setup.noAuthConf);
        return false;
    }
    outFile.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return true;
}

QString failureText(const QMap<QString, int> &failures);

// ------------------------------------------------------------ one measurement

struct Measurement
{
    QString config; // "plugin" or "no-auth"
    int round = 0;
    MqttFleet::Phase connect;
    MqttFleet::Phase publish;
    double idleRssMb = -1;
    double connectedRssMb = -1; // all devices connected, before telemetry
    double afterRssMb = -1;     // after telemetry, all devices still connected
    double peakRssMb = -1;      // VmHWM at that point
    double brokerCpuConnectNs = -1;
    double brokerCpuPublishNs = -1;
    double clientCpuConnectNs = -1;
    double clientCpuPublishNs = -1;
    double brokerWaitConnectNs = -1; // runnable but not running
    double brokerWaitPublishNs = -1;
    double clientWaitConnectNs = -1;
    double clientWaitPublishNs = -1;
    int abandoned = 0;
    QString brokerProblem;
    QString loadBefore;
    QString loadAfter;

    int failures() const { return connect.failed + publish.failed + abandoned + (brokerProblem.isEmpty() ? 0 : 1); }
    // The largest share of a phase that the broker or the load generator
    // spent runnable but waiting for a CPU: other work on the machine.
    double worstWait() const
    {
        return std::max({shareOf(connect, brokerWaitConnectNs), shareOf(publish, brokerWaitPublishNs),
                         shareOf(connect, clientWaitConnectNs), shareOf(publish, clientWaitPublishNs)});
    }
    double connectsPerSecond() const { return connect.perSecond(); }
    double messagesPerSecond() const { return publish.perSecond(); }
    double brokerUsPerConnect() const
    {
        return connect.succeeded > 0 && brokerCpuConnectNs >= 0 ? brokerCpuConnectNs / 1e3 / connect.succeeded : -1;
    }
    double brokerUsPerMessage() const
    {
        return publish.succeeded > 0 && brokerCpuPublishNs >= 0 ? brokerCpuPublishNs / 1e3 / publish.succeeded : -1;
    }
    double shareOf(const MqttFleet::Phase &p, double ns) const { return p.wallNs > 0 && ns >= 0 ? ns / p.wallNs : -1; }
};

Measurement measure(const Options &options, const HubSetup &setup, const std::vector<MqttFleet::Device> &devices,
                    bool plugin, int round, const QString &logPath, QString *setupError)
{
    Measurement m;
    setupError->clear();
    m.config = plugin ? QStringLiteral("plugin") : QStringLiteral("no-auth");
    m.round = round;

    // Each broker starts from an empty store, as the other did.
    QFile::remove(QDir(setup.persistenceDir).filePath(QStringLiteral("mosquitto.db")));

    Broker broker;
    if (!broker.start(options, plugin ? setup.pluginConf : setup.noAuthConf, logPath, setup.port, setupError))
        return m;
    const qint64 pid = broker.pid();
    if (options.pin && QThread::idealThreadCount() >= 2)
        pinTo(pid, 0); // the load generator has CPU 1
    QThread::msleep(200);
    const ProcessStats idle = ProcessStats::read(pid);
    m.idleRssMb = idle.valid ? idle.residentKiB / 1024.0 : -1;

    MqttFleet::Options fo;
    fo.port = setup.port;
    fo.caFile = setup.caPath;
    fo.protocol = options.protocol;
    fo.phaseTimeoutMs = options.timeoutSeconds * 1000;

    // Sanity, untimed: the two brokers really differ. A client presenting a
    // device's username and token under another client id must be refused
    // by the plugin and let in without it.
    {
        MqttFleet::Device forged = devices.front();
        forged.clientId = "bench-forged-probe";
        MqttFleet probe(fo, {forged});
        if (!probe.init(setupError))
            return m;
        const MqttFleet::Phase p = probe.connectAll();
        probe.disconnectAll(5000);
        if (plugin && (p.succeeded != 0 || !failureText(p.failures).contains(QLatin1String("CONNACK")))) {
            *setupError = QStringLiteral("the plugin broker did not refuse a forged token (%1)")
                              .arg(p.succeeded ? QStringLiteral("accepted") : failureText(p.failures));
            return m;
        }
        if (!plugin && p.succeeded != 1) {
            *setupError = QStringLiteral("the no-auth broker refused a client: %1").arg(failureText(p.failures));
            return m;
        }
    }

    fo.connectConcurrency = options.connectConcurrency;
    fo.messagesPerDevice = options.messages;
    fo.inflightPerDevice = options.inflight;
    fo.payloadBytes = options.payloadBytes;
    fo.phaseTimeoutMs = options.timeoutSeconds * 1000;
    MqttFleet fleet(fo, devices);
    if (!fleet.init(setupError))
        return m;

    m.loadBefore = loadAverage();
    const Sched b0 = sched(pid), c0 = sched(0);
    m.connect = fleet.connectAll();
    const Sched b1 = sched(pid), c1 = sched(0);
    const ProcessStats connected = ProcessStats::read(pid);
    const Sched b2 = sched(pid), c2 = sched(0);
    m.publish = fleet.publishAll();
    const Sched b3 = sched(pid), c3 = sched(0);
    m.loadAfter = loadAverage();
    const ProcessStats after = ProcessStats::read(pid);
    m.connectedRssMb = connected.valid ? connected.residentKiB / 1024.0 : -1;
    m.afterRssMb = after.valid ? after.residentKiB / 1024.0 : -1;
    m.peakRssMb = after.valid ? after.peakResidentKiB / 1024.0 : -1;
    if (b0.valid() && b3.valid()) {
        m.brokerCpuConnectNs = double(b1.runNs - b0.runNs);
        m.brokerCpuPublishNs = double(b3.runNs - b2.runNs);
        m.brokerWaitConnectNs = double(b1.waitNs - b0.waitNs);
        m.brokerWaitPublishNs = double(b3.waitNs - b2.waitNs);
    }
    if (c0.valid() && c3.valid()) {
        m.clientCpuConnectNs = double(c1.runNs - c0.runNs);
        m.clientCpuPublishNs = double(c3.runNs - c2.runNs);
        m.clientWaitConnectNs = double(c1.waitNs - c0.waitNs);
        m.clientWaitPublishNs = double(c3.waitNs - c2.waitNs);
    }
    m.abandoned = fleet.disconnectAll(10000);
    broker.stop(&m.brokerProblem);
    return m;
}

// ------------------------------------------------------------ reporting

QString failureText(const QMap<QString, int> &failures)
{
    QStringList parts;
    for (auto it = failures.cbegin(); it != failures.cend(); ++it)
        parts << QStringLiteral("%1 x%2").arg(it.key()).arg(it.value());
    return parts.join(QStringLiteral("; "));
}

void printMeasurement(const Measurement &m)
{
    const double connectShare = m.shareOf(m.connect, m.brokerCpuConnectNs);
    const double publishShare = m.shareOf(m.publish, m.brokerCpuPublishNs);
    const double clientConnectShare = m.shareOf(m.connect, m.clientCpuConnectNs);
    const double clientPublishShare = m.shareOf(m.publish, m.clientCpuPublishNs);
    out() << QStringLiteral("round %1 %2").arg(m.round).arg(m.config, -8) << '\n'
          << QStringLiteral("  connects   %1/s  (%2 of %3 in %4 s; CONNACK p50 %5 ms, p99 %6 ms)")
                 .arg(fixed(m.connectsPerSecond(), 0), 6)
                 .arg(m.connect.succeeded)
                 .arg(m.connect.attempted)
                 .arg(fixed(m.connect.wallNs / 1e9, 3))
                 .arg(fixed(percentileMs(m.connect.latencyNs, 0.5), 2))
                 .arg(fixed(percentileMs(m.connect.latencyNs, 0.99), 2))
          << '\n'
          << QStringLiteral("  telemetry  %1/s  (%2 of %3 in %4 s; PUBACK p50 %5 ms, p99 %6 ms)")
                 .arg(fixed(m.messagesPerSecond(), 0), 6)
                 .arg(m.publish.succeeded)
                 .arg(m.publish.attempted)
                 .arg(fixed(m.publish.wallNs / 1e9, 3))
                 .arg(fixed(percentileMs(m.publish.latencyNs, 0.5), 2))
                 .arg(fixed(percentileMs(m.publish.latencyNs, 0.99), 2))
          << '\n'
          << QStringLiteral("  broker     %1 us CPU/connect, %2 us CPU/message; busy %3 % / %4 % of the phase, "
                            "waiting for a CPU %5 % / %6 %")
                 .arg(fixed(m.brokerUsPerConnect(), 1), fixed(m.brokerUsPerMessage(), 2), fixed(connectShare * 100, 0),
                      fixed(publishShare * 100, 0), fixed(m.shareOf(m.connect, m.brokerWaitConnectNs) * 100, 0),
                      fixed(m.shareOf(m.publish, m.brokerWaitPublishNs) * 100, 0))
          << '\n'
          << QStringLiteral("  load gen.  busy %1 % / %2 % of the phase, waiting for a CPU %3 % / %4 %")
                 .arg(fixed(clientConnectShare * 100, 0), fixed(clientPublishShare * 100, 0),
                      fixed(m.shareOf(m.connect, m.clientWaitConnectNs) * 100, 0),
                      fixed(m.shareOf(m.publish, m.clientWaitPublishNs) * 100, 0))
          << '\n'
          << QStringLiteral("  broker RSS idle %1 MB, %2 connected %3 MB, after telemetry %4 MB, VmHWM %5 MB")
                 .arg(fixed(m.idleRssMb), QString::number(m.connect.succeeded), fixed(m.connectedRssMb),
                      fixed(m.afterRssMb), fixed(m.peakRssMb))
          << '\n'
          << QStringLiteral("  load average %1 before, %2 after").arg(m.loadBefore, m.loadAfter) << '\n';
    if (m.connect.failed)
        out() << "  CONNECT FAILURES: " << failureText(m.connect.failures) << '\n';
    if (m.publish.failed)
        out() << "  MESSAGE FAILURES: " << failureText(m.publish.failures) << '\n';
    if (m.abandoned)
        out() << "  " << m.abandoned << " connection(s) did not close on DISCONNECT\n";
    if (!m.brokerProblem.isEmpty())
        out() << "  BROKER: " << m.brokerProblem << '\n';
    out().flush();
}

struct Summary
{
    double connectsPerSecond = 0;
    double messagesPerSecond = 0;
    double connectP50 = 0, connectP99 = 0;
    double publishP50 = 0, publishP99 = 0;
    double usPerConnect = 0, usPerMessage = 0;
    double idleRssMb = 0, connectedRssMb = 0, afterRssMb = 0, peakRssMb = 0;
    double brokerBusyConnect = 0, clientBusyConnect = 0, brokerBusyPublish = 0, clientBusyPublish = 0;

    static Summary of(const std::vector<const Measurement *> &runs)
    {
        auto med = [&runs](auto f) {
            std::vector<double> v;
            for (const Measurement *m : runs)
                v.push_back(f(*m));
            return median(v);
        };
        auto most = [&runs](auto f) {
            double v = -1;
            for (const Measurement *m : runs)
                v = std::max(v, f(*m));
            return v;
        };
        Summary s;
        s.connectsPerSecond = med([](const Measurement &m) { return m.connectsPerSecond(); });
        s.messagesPerSecond = med([](const Measurement &m) { return m.messagesPerSecond(); });
        s.connectP50 = med([](const Measurement &m) { return percentileMs(m.connect.latencyNs, 0.5); });
        s.connectP99 = med([](const Measurement &m) { return percentileMs(m.connect.latencyNs, 0.99); });
        s.publishP50 = med([](const Measurement &m) { return percentileMs(m.publish.latencyNs, 0.5); });
        s.publishP99 = med([](const Measurement &m) { return percentileMs(m.publish.latencyNs, 0.99); });
        s.usPerConnect = med([](const Measurement &m) { return m.brokerUsPerConnect(); });
        s.usPerMessage = med([](const Measurement &m) { return m.brokerUsPerMessage(); });
        s.brokerBusyConnect = med([](const Measurement &m) { return m.shareOf(m.connect, m.brokerCpuConnectNs); });
        s.clientBusyConnect = med([](const Measurement &m) { return m.shareOf(m.connect, m.clientCpuConnectNs); });
        s.brokerBusyPublish = med([](const Measurement &m) { return m.shareOf(m.publish, m.brokerCpuPublishNs); });
        s.clientBusyPublish = med([](const Measurement &m) { return m.shareOf(m.publish, m.clientCpuPublishNs); });
        s.idleRssMb = most([](const Measurement &m) { return m.idleRssMb; });
        s.connectedRssMb = most([](const Measurement &m) { return m.connectedRssMb; });
        s.afterRssMb = most([](const Measurement &m) { return m.afterRssMb; });
        s.peakRssMb = most([](const Measurement &m) { return m.peakRssMb; });
        return s;
    }

    QJsonObject toJson() const
    {
        auto r = [](double v, double scale) { return std::round(v * scale) / scale; };
        return QJsonObject{
            {QStringLiteral("connectsPerSecond"), r(connectsPerSecond, 1)},
            {QStringLiteral("messagesPerSecond"), r(messagesPerSecond, 1)},
            {QStringLiteral("connectP50Ms"), r(connectP50, 100)},
            {QStringLiteral("connectP99Ms"), r(connectP99, 100)},
            {QStringLiteral("publishP50Ms"), r(publishP50, 100)},
            {QStringLiteral("publishP99Ms"), r(publishP99, 100)},
            {QStringLiteral("brokerCpuUsPerConnect"), r(usPerConnect, 10)},
            {QStringLiteral("brokerCpuUsPerMessage"), r(usPerMessage, 100)},
            {QStringLiteral("brokerBusyConnect"), r(brokerBusyConnect, 100)},
            {QStringLiteral("loadGeneratorBusyConnect"), r(clientBusyConnect, 100)},
            {QStringLiteral("brokerBusyTelemetry"), r(brokerBusyPublish, 100)},
            {QStringLiteral("loadGeneratorBusyTelemetry"), r(clientBusyPublish, 100)},
            {QStringLiteral("brokerIdleRssMb"), r(idleRssMb, 10)},
            {QStringLiteral("brokerConnectedRssMb"), r(connectedRssMb, 10)},
            {QStringLiteral("brokerRssAfterMb"), r(afterRssMb, 10)},
            {QStringLiteral("brokerPeakRssMb"), r(peakRssMb, 10)},
        };
    }
};

// ------------------------------------------------------------ the run

int run(const Options &options)
{
    const auto setupFailed = [](const QString &message) {
        err() << "provisio-bench-hub: " << message << Qt::endl;
        return kExitSetupFailed;
    };
    for (const QString &file : {options.mosquittoBin, options.pluginPath, options.middlewareBin}) {
        if (!QFileInfo(file).isFile())
            return setupFailed(QStringLiteral("%1 does not exist").arg(file));
    }
    raiseFileLimit();

    QTemporaryDir work(QDir::temp().filePath(QStringLiteral("provisio-bench-hub-XXXXXX")));
    if (!work.isValid())
        return setupFailed(QStringLiteral("cannot create a temporary directory"));
    work.setAutoRemove(!options.keepData);
    const QString dataDir = work.filePath(QStringLiteral("middleware"));
    const QString hubDir = work.filePath(QStringLiteral("hub"));
    QDir().mkpath(dataDir);

    // 1. A real middleware links the hub, as an administrator would.
    HubSetup setup;
    setup.port = freePort();
    if (setup.port == 0)
        return setupFailed(QStringLiteral("no free port"));
    QString error;
    MiddlewareServer middleware;
    if (!middleware.start(options.middlewareBin, dataDir, QString(), &error))
        return setupFailed(error);
    const QString token = middleware.createToken(QStringLiteral("admin"), QStringLiteral("bench-hub"), &error);
    if (token.isEmpty())
        return setupFailed(error);
    const Endpoint endpoint = Endpoint::fromUrl(middleware.url(), middleware.caPath(), &error);
    if (endpoint.port == 0)
        return setupFailed(error);
    const QByteArray hubBody =
        QJsonDocument(QJsonObject{
                          {QStringLiteral("host"), kHubHostDefault},
                          {QStringLiteral("port"), int(setup.port)},
                          {QStringLiteral("endpoint"), QStringLiteral("127.0.0.1:%1").arg(setup.port)},
                      })
            .toJson(QJsonDocument::Compact);
    Answer linked;
    QDeadlineTimer healthy(30000);
    do { // the first request may race the server's start
        linked = request(endpoint, "PUT", "/api/v1/hubs/" + kHubName.toUtf8(), token, hubBody);
        if (linked.status != 0)
            break;
        QThread::msleep(200);
    } while (!healthy.hasExpired());
    if (linked.status != 200 && linked.status != 201)
        return setupFailed(QStringLiteral("PUT /api/v1/hubs/%1 answered %2: %3")
                               .arg(kHubName)
                               .arg(linked.status)
                               .arg(linked.transportError.isEmpty() ? QString::fromUtf8(linked.body.left(300))
                                                                    : linked.transportError));
    // hub-config reads the middleware's database offline; the middleware
    // would also hold a service connection to the hub and subscribe to all
    // telemetry, which is not what this benchmark measures.
    middleware.stop();

    // 2. `provisio-middleware hub-config` writes the broker's configuration.
    QString hubConfigLog;
    if (middleware
            .run({QStringLiteral("hub-config"), QStringLiteral("--data-dir"), dataDir, QStringLiteral("--hub"),
                  kHubName, QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(setup.port),
                  QStringLiteral("--out"), hubDir, QStringLiteral("--plugin"), options.pluginPath,
                  // No middleware runs while devices connect: none to wait for.
                  QStringLiteral("--device-gate-seconds"), QStringLiteral("0")},
                 &error, &hubConfigLog)
            .isEmpty())
        return setupFailed(error);
    setup.pluginConf = QDir(hubDir).filePath(QStringLiteral("mosquitto.conf"));
    setup.caPath = QDir(hubDir).filePath(QStringLiteral("ca.crt"));
    if (!deriveNoAuthConfig(setup, &error))
        return setupFailed(error);

    // 3. Every device's credentials, signed before any clock starts: the
    // hub's device key deriveKey(signing key, deviceId) and a SAS token for
    // {hubHost}/devices/{deviceId}. The no-auth broker gets the very same
    // CONNECT packets (it ignores the credentials).
    const qint64 expiry = QDateTime::currentSecsSinceEpoch() + 6 * 3600;
    std::vector<MqttFleet::Device> devices;
    devices.reserve(size_t(options.devices));
    for (int i = 0; i < options.devices; ++i) {
        const QString id = QStringLiteral("bench-dev-%1").arg(i, 5, 10, QLatin1Char('0'));
        const auto key = Crypto::deriveKey(setup.signingKey, id);
        if (!key)
            return setupFailed(QStringLiteral("cannot derive a device key: %1").arg(key.error().message));
        MqttFleet::Device d;
        d.clientId = id.toUtf8();
        d.username = (setup.hubHost + QLatin1Char('/') + id + QStringLiteral("/?api-version=2021-04-12")).toUtf8();
        d.password = SasToken::create(setup.hubHost + QStringLiteral("/devices/") + id, *key, expiry).toUtf8();
        d.topic = QStringLiteral("devices/%1/messages/events/").arg(id).toUtf8();
        if (d.password.isEmpty())
            return setupFailed(QStringLiteral("cannot sign a token for %1").arg(id));
        devices.push_back(std::move(d));
    }

    const int cpus = QThread::idealThreadCount();
    const bool pin = options.pin && cpus >= 2;
    if (pin)
        pinTo(0, 1); // the load generator (this thread) on CPU 1, each broker on CPU 0

    int libMajor = 0, libMinor = 0, libRevision = 0;
    mosquitto_lib_version(&libMajor, &libMinor, &libRevision);
    const QString brokerVersion = firstLineOf(options.mosquittoBin, {QStringLiteral("-h")});
    out() << "Provisio hub: plugin cost (telemetry throughput and connect rate)\n";
    auto line = [](const QString &label, const QString &value) {
        out() << QStringLiteral("%1 %2").arg(label, -22).arg(value) << '\n';
    };
    line(QStringLiteral("broker"), QStringLiteral("%1 (%2)").arg(options.mosquittoBin, brokerVersion));
    line(QStringLiteral("listener"),
         QStringLiteral("TLS 127.0.0.1:%1, certificate from the middleware's CA").arg(setup.port));
    line(QStringLiteral("plugin config"), setup.pluginConf + QStringLiteral(" (hub-config)"));
    line(QStringLiteral("no-auth config"), setup.noAuthConf);
    for (const QString &l : std::as_const(setup.removedLines))
        line(QString(), QStringLiteral("  - ") + l);
    line(QStringLiteral("devices"), QStringLiteral("%1, MQTT %2 over TLS, libmosquitto %3.%4.%5 clients on one thread")
                                        .arg(options.devices)
                                        .arg(options.protocol == 5 ? QStringLiteral("5") : QStringLiteral("3.1.1"))
                                        .arg(libMajor)
                                        .arg(libMinor)
                                        .arg(libRevision));
    line(QStringLiteral("connects"), QStringLiteral("%1 at a time").arg(options.connectConcurrency));
    line(QStringLiteral("telemetry"),
         QStringLiteral("%1 x %2-byte QoS 1 messages per device to devices/{id}/messages/events/, %3 unacknowledged "
                        "per device")
             .arg(options.messages)
             .arg(options.payloadBytes)
             .arg(options.inflight));
    line(QStringLiteral("CPUs"),
         QStringLiteral("%1%2").arg(cpus).arg(pin ? QStringLiteral(" (broker pinned to CPU 0, load generator to CPU 1)")
                                                  : QStringLiteral(" (not pinned)")));
    if (!options.brokerPrefix.isEmpty())
        line(QStringLiteral("broker prefix"), options.brokerPrefix.join(QLatin1Char(' ')));
    out() << Qt::endl;

    // 4. The measurements: A/B then B/A, so that drift on a shared machine
    // (and anything warming up) falls on both configurations alike.
    std::vector<Measurement> runs;
    int warmUpFailures = 0;
    const QString pluginLog = QDir(hubDir).filePath(QStringLiteral("mosquitto-plugin.log"));
    const QString noAuthLog = QDir(hubDir).filePath(QStringLiteral("mosquitto-noauth.log"));
    // Whatever is measured first runs on cold caches (the broker binary,
    // the plugin's libraries, the load generator's own code paths) and
    // comes out several percent slower: one discarded pass of each first.
    if (options.warmUp) {
        for (const bool plugin : {true, false}) {
            const Measurement m = measure(options, setup, devices, plugin, 0, plugin ? pluginLog : noAuthLog, &error);
            if (!error.isEmpty())
                return setupFailed(error);
            warmUpFailures += m.failures();
            out() << QStringLiteral("warm-up %1: %2 connects/s, %3 messages/s (not counted)%4")
                         .arg(m.config)
                         .arg(fixed(m.connectsPerSecond(), 0))
                         .arg(fixed(m.messagesPerSecond(), 0))
                         .arg(m.failures() ? QStringLiteral(", %1 failure(s)").arg(m.failures()) : QString())
                  << '\n';
        }
        out() << '\n';
    }
    for (int round = 1; round <= options.rounds; ++round) {
        const bool pluginFirst = round % 2 == 1;
        for (int k = 0; k < 2; ++k) {
            const bool plugin = (k == 0) == pluginFirst;
            // On a shared machine another process may take the broker's or
            // the load generator's CPU for part of a phase; such a
            // measurement is repeated (--retries) and the least disturbed
            // attempt counts.
            std::optional<Measurement> best;
            for (int attempt = 0; attempt <= options.retries; ++attempt) {
                Measurement m = measure(options, setup, devices, plugin, round, plugin ? pluginLog : noAuthLog, &error);
                if (!error.isEmpty())
                    return setupFailed(error);
                const bool contended = m.worstWait() > kContendedShare;
                const bool last = attempt == options.retries || !contended || m.failures() > 0;
                printMeasurement(m);
                if (contended)
                    out() << QStringLiteral("  contended: waited for a CPU up to %1 % of a phase%2")
                                 .arg(fixed(m.worstWait() * 100, 0))
                                 .arg(last ? QString() : QStringLiteral("; measuring again"))
                          << '\n';
                if (!best || m.failures() > 0 || m.worstWait() < best->worstWait())
                    best = std::move(m);
                if (last)
                    break;
            }
            runs.push_back(std::move(*best));
        }
        if (options.rounds > 1) {
            const Measurement &a = runs[runs.size() - 2];
            const Measurement &b = runs.back();
            const Measurement &p = a.config == QLatin1String("plugin") ? a : b;
            const Measurement &n = a.config == QLatin1String("plugin") ? b : a;
            out() << QStringLiteral("round %1 plugin/no-auth: connects %2, telemetry %3")
                         .arg(round)
                         .arg(fixed(n.connectsPerSecond() > 0 ? p.connectsPerSecond() / n.connectsPerSecond() : 0, 3))
                         .arg(fixed(n.messagesPerSecond() > 0 ? p.messagesPerSecond() / n.messagesPerSecond() : 0, 3))
                  << "\n\n";
        }
    }

    // 5. Summary. Each configuration's figures are medians over its
    // measurements; the ratios are medians of the per-round ratios, each
    // round's two measurements having run back to back. Measurements that
    // other work disturbed are left out as long as undisturbed ones remain.
    struct Pair
    {
        const Measurement *plugin = nullptr;
        const Measurement *noAuth = nullptr;
        bool clean() const { return plugin->worstWait() <= kContendedShare && noAuth->worstWait() <= kContendedShare; }
    };
    std::vector<Pair> pairs;
    int failures = warmUpFailures;
    for (size_t i = 0; i + 1 < runs.size(); i += 2) {
        const bool firstIsPlugin = runs[i].config == QLatin1String("plugin");
        pairs.push_back(Pair{firstIsPlugin ? &runs[i] : &runs[i + 1], firstIsPlugin ? &runs[i + 1] : &runs[i]});
    }
    for (const Measurement &m : runs)
        failures += m.failures();
    const int cleanRounds = int(std::count_if(pairs.begin(), pairs.end(), [](const Pair &x) { return x.clean(); }));
    std::vector<Pair> used;
    for (const Pair &x : pairs) {
        if (cleanRounds == 0 || x.clean())
            used.push_back(x);
    }
    std::vector<const Measurement *> pluginRuns, noAuthRuns;
    for (const Pair &x : used) {
        pluginRuns.push_back(x.plugin);
        noAuthRuns.push_back(x.noAuth);
    }
    const Summary p = Summary::of(pluginRuns);
    const Summary n = Summary::of(noAuthRuns);
    const auto ratio = [](double a, double b) { return b > 0 ? a / b : 0; };
    // Median over the rounds used of plugin(f) / no-auth(f).
    const auto roundRatio = [&used, &ratio](auto f) {
        std::vector<double> v;
        for (const Pair &x : used)
            v.push_back(ratio(f(*x.plugin), f(*x.noAuth)));
        return median(v);
    };
    const double connectRatio = roundRatio([](const Measurement &m) { return m.connectsPerSecond(); });
    const double messageRatio = roundRatio([](const Measurement &m) { return m.messagesPerSecond(); });
    const double cpuConnectRatio = roundRatio([](const Measurement &m) { return m.brokerUsPerConnect(); });
    const double cpuMessageRatio = roundRatio([](const Measurement &m) { return m.brokerUsPerMessage(); });
    const double limit = 1 - options.targetPercent / 100;
    const bool targetMet = connectRatio >= limit && messageRatio >= limit;

    out() << QStringLiteral("%1 %2 %3 %4")
                 .arg(QStringLiteral("median of %1 round(s)").arg(used.size()), -28)
                 .arg(QStringLiteral("plugin"), 11)
                 .arg(QStringLiteral("no-auth"), 11)
                 .arg(QStringLiteral("plugin/no-auth"), 16)
          << '\n';
    auto row = [](const QString &label, double a, double b, int decimals, double r) {
        out() << QStringLiteral("%1 %2 %3 %4")
                     .arg(label, -28)
                     .arg(fixed(a, decimals), 11)
                     .arg(fixed(b, decimals), 11)
                     .arg(fixed(r, 3), 16)
              << '\n';
    };
    const auto ms = [](const std::vector<qint64> &v, double q) { return percentileMs(v, q); };
    row(QStringLiteral("connects/s"), p.connectsPerSecond, n.connectsPerSecond, 0, connectRatio);
    row(QStringLiteral("connect p50 ms"), p.connectP50, n.connectP50, 2,
        roundRatio([&ms](const Measurement &m) { return ms(m.connect.latencyNs, 0.5); }));
    row(QStringLiteral("connect p99 ms"), p.connectP99, n.connectP99, 2,
        roundRatio([&ms](const Measurement &m) { return ms(m.connect.latencyNs, 0.99); }));
    row(QStringLiteral("telemetry messages/s"), p.messagesPerSecond, n.messagesPerSecond, 0, messageRatio);
    row(QStringLiteral("publish p50 ms"), p.publishP50, n.publishP50, 2,
        roundRatio([&ms](const Measurement &m) { return ms(m.publish.latencyNs, 0.5); }));
    row(QStringLiteral("publish p99 ms"), p.publishP99, n.publishP99, 2,
        roundRatio([&ms](const Measurement &m) { return ms(m.publish.latencyNs, 0.99); }));
    row(QStringLiteral("broker CPU us/connect"), p.usPerConnect, n.usPerConnect, 1, cpuConnectRatio);
    row(QStringLiteral("broker CPU us/message"), p.usPerMessage, n.usPerMessage, 2, cpuMessageRatio);
    // What the broker could do with a core to itself: 1 / its CPU time per
    // operation. Unlike the rates above, this does not depend on the load
    // generator keeping up or on other work sharing the machine.
    const auto perSecond = [](double us) { return us > 0 ? 1e6 / us : 0; };
    row(QStringLiteral("broker-bound connects/s"), perSecond(p.usPerConnect), perSecond(n.usPerConnect), 0,
        cpuConnectRatio > 0 ? 1 / cpuConnectRatio : 0);
    row(QStringLiteral("broker-bound messages/s"), perSecond(p.usPerMessage), perSecond(n.usPerMessage), 0,
        cpuMessageRatio > 0 ? 1 / cpuMessageRatio : 0);
    row(QStringLiteral("broker RSS idle MB"), p.idleRssMb, n.idleRssMb, 1, ratio(p.idleRssMb, n.idleRssMb));
    row(QStringLiteral("broker RSS connected MB"), p.connectedRssMb, n.connectedRssMb, 1,
        ratio(p.connectedRssMb, n.connectedRssMb));
    row(QStringLiteral("broker RSS after MB"), p.afterRssMb, n.afterRssMb, 1, ratio(p.afterRssMb, n.afterRssMb));
    row(QStringLiteral("broker VmHWM MB"), p.peakRssMb, n.peakRssMb, 1, ratio(p.peakRssMb, n.peakRssMb));
    // Which side limited each phase: a rate only compares the brokers when
    // the broker, not the load generator, was the busy one.
    const auto limitedBy = [](double broker, double client) {
        if (broker >= 0.9)
            return QStringLiteral("the broker (busy %1 %, load generator %2 %)")
                .arg(fixed(broker * 100, 0), fixed(client * 100, 0));
        if (client >= 0.9)
            return QStringLiteral("the load generator (busy %1 %, broker %2 %): compare the broker-bound rows")
                .arg(fixed(client * 100, 0), fixed(broker * 100, 0));
        return QStringLiteral("neither (broker busy %1 %, load generator %2 %): latency or other work")
            .arg(fixed(broker * 100, 0), fixed(client * 100, 0));
    };
    out() << "connects limited by     "
          << limitedBy(std::min(p.brokerBusyConnect, n.brokerBusyConnect),
                       std::min(p.clientBusyConnect, n.clientBusyConnect))
          << '\n'
          << "telemetry limited by    "
          << limitedBy(std::min(p.brokerBusyPublish, n.brokerBusyPublish),
                       std::min(p.clientBusyPublish, n.clientBusyPublish))
          << '\n';
    out() << QStringLiteral("broker CPU: the plugin adds %1 % per connect, %2 % per message")
                 .arg(fixed((cpuConnectRatio - 1) * 100, 1))
                 .arg(fixed((cpuMessageRatio - 1) * 100, 1))
          << '\n';
    out() << QStringLiteral("target (plugin costs < %1 % of throughput and of connect rate): %2 "
                            "(connect rate %3 %, throughput %4 %)")
                 .arg(fixed(options.targetPercent, 0))
                 .arg(targetMet ? QStringLiteral("MET") : QStringLiteral("MISSED"))
                 .arg(fixed((connectRatio - 1) * 100, 1))
                 .arg(fixed((messageRatio - 1) * 100, 1))
          << '\n';
    if (cleanRounds < int(pairs.size()))
        out() << "rounds used             " << used.size() << " of " << pairs.size()
              << (cleanRounds ? " (rounds disturbed by other work left out)" : " (all disturbed by other work)")
              << '\n';
    if (cleanRounds == 0)
        out() << "note: every round was disturbed by other work (a process waited for a CPU over "
              << fixed(kContendedShare * 100, 0)
              << " % of a phase, even after retries): the rates are low and noisy; the broker CPU time per "
                 "operation is the steadier figure\n";
    out() << "errors                 " << failures << '\n';

    QJsonArray rounds;
    for (const Measurement &m : runs) {
        rounds.append(QJsonObject{
            {QStringLiteral("round"), m.round},
            {QStringLiteral("config"), m.config},
            {QStringLiteral("connectsPerSecond"), std::round(m.connectsPerSecond() * 10) / 10},
            {QStringLiteral("messagesPerSecond"), std::round(m.messagesPerSecond() * 10) / 10},
            {QStringLiteral("publishP50Ms"), std::round(percentileMs(m.publish.latencyNs, 0.5) * 100) / 100},
            {QStringLiteral("publishP99Ms"), std::round(percentileMs(m.publish.latencyNs, 0.99) * 100) / 100},
            {QStringLiteral("brokerCpuUsPerConnect"), std::round(m.brokerUsPerConnect() * 10) / 10},
            {QStringLiteral("brokerCpuUsPerMessage"), std::round(m.brokerUsPerMessage() * 100) / 100},
            {QStringLiteral("brokerBusyConnect"), std::round(m.shareOf(m.connect, m.brokerCpuConnectNs) * 100) / 100},
            {QStringLiteral("brokerBusyTelemetry"), std::round(m.shareOf(m.publish, m.brokerCpuPublishNs) * 100) / 100},
            {QStringLiteral("brokerWaitTelemetry"),
             std::round(m.shareOf(m.publish, m.brokerWaitPublishNs) * 100) / 100},
            {QStringLiteral("loadGeneratorBusyTelemetry"),
             std::round(m.shareOf(m.publish, m.clientCpuPublishNs) * 100) / 100},
            {QStringLiteral("loadGeneratorWaitTelemetry"),
             std::round(m.shareOf(m.publish, m.clientWaitPublishNs) * 100) / 100},
            {QStringLiteral("loadAverageAfter"), m.loadAfter},
            {QStringLiteral("worstCpuWait"), std::round(m.worstWait() * 100) / 100},
            {QStringLiteral("errors"), m.failures()},
        });
    }
    const QJsonObject summary{
        {QStringLiteral("benchmark"), QStringLiteral("hub")},
        {QStringLiteral("devices"), options.devices},
        {QStringLiteral("messagesPerDevice"), options.messages},
        {QStringLiteral("payloadBytes"), options.payloadBytes},
        {QStringLiteral("protocol"), options.protocol == 5 ? QStringLiteral("mqtt5") : QStringLiteral("mqtt3.1.1")},
        {QStringLiteral("connectConcurrency"), options.connectConcurrency},
        {QStringLiteral("inflightPerDevice"), options.inflight},
        {QStringLiteral("plugin"), p.toJson()},
        {QStringLiteral("noAuth"), n.toJson()},
        {QStringLiteral("connectRatio"), std::round(connectRatio * 1000) / 1000},
        {QStringLiteral("throughputRatio"), std::round(messageRatio * 1000) / 1000},
        {QStringLiteral("brokerCpuPerConnectRatio"), std::round(cpuConnectRatio * 1000) / 1000},
        {QStringLiteral("brokerCpuPerMessageRatio"), std::round(cpuMessageRatio * 1000) / 1000},
        {QStringLiteral("roundsUsed"), int(used.size())},
        {QStringLiteral("targetPercent"), options.targetPercent},
        {QStringLiteral("targetMet"), targetMet},
        {QStringLiteral("errors"), failures},
        {QStringLiteral("undisturbedRounds"), cleanRounds},
        {QStringLiteral("rounds"), rounds},
        {QStringLiteral("cpus"), cpus},
        {QStringLiteral("pinned"), pin},
    };
    out() << QJsonDocument(summary).toJson(QJsonDocument::Compact) << Qt::endl;
    if (options.keepData)
        err() << "data kept in " << work.path() << " (broker logs: " << pluginLog << ", " << noAuthLog << ")"
              << Qt::endl;

    if (failures > 0)
        return kExitFailures;
    if (options.enforceTarget && !targetMet)
        return kExitFailures;
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("provisio-bench-hub"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PROVISIO_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Hub plugin cost: the same Mosquitto with the provisio_auth plugin (as hub-config writes it) and "
        "without it (allow_anonymous true), N simulated devices connecting over TLS and publishing QoS 1 "
        "telemetry. Exit code 0 when every connection and message succeeded, 1 otherwise (or when "
        "--enforce-target is given and the target is missed), 2 when setup failed."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption devicesOpt(QStringLiteral("devices"), QStringLiteral("Simulated devices (default 1000)."),
                                        QStringLiteral("n"), QStringLiteral("1000"));
    const QCommandLineOption messagesOpt(QStringLiteral("messages"),
                                         QStringLiteral("QoS 1 messages per device (default 20)."), QStringLiteral("m"),
                                         QStringLiteral("20"));
    const QCommandLineOption payloadOpt(QStringLiteral("payload-bytes"),
                                        QStringLiteral("Size of each message (default 200, at least 100)."),
                                        QStringLiteral("bytes"), QStringLiteral("200"));
    const QCommandLineOption inflightOpt(QStringLiteral("inflight"),
                                         QStringLiteral("Unacknowledged messages per device, 1..20 (default 1)."),
                                         QStringLiteral("n"), QStringLiteral("1"));
    const QCommandLineOption concurrencyOpt(QStringLiteral("connect-concurrency"),
                                            QStringLiteral("Connects in progress at once (default 50)."),
                                            QStringLiteral("c"), QStringLiteral("50"));
    const QCommandLineOption roundsOpt(
        QStringLiteral("rounds"),
        QStringLiteral("Rounds; each measures both brokers, alternating which goes first (default 4)."),
        QStringLiteral("n"), QStringLiteral("4"));
    const QCommandLineOption noWarmUpOpt(QStringLiteral("no-warm-up"),
                                         QStringLiteral("Skip the discarded warm-up measurement of each broker."));
    const QCommandLineOption retriesOpt(QStringLiteral("retries"),
                                        QStringLiteral("Times a measurement disturbed by other work (a process waited "
                                                       "for a CPU over 10 % of a phase) is repeated (default 2)."),
                                        QStringLiteral("n"), QStringLiteral("2"));
    const QCommandLineOption protocolOpt(
        QStringLiteral("protocol"), QStringLiteral("MQTT version: 5 (default; PUBACK reasons show refusals) or 3.1.1."),
        QStringLiteral("v"), QStringLiteral("5"));
    const QCommandLineOption timeoutOpt(QStringLiteral("timeout"),
                                        QStringLiteral("Seconds each phase may take (default 120)."),
                                        QStringLiteral("s"), QStringLiteral("120"));
    const QCommandLineOption targetOpt(
        QStringLiteral("target-percent"),
        QStringLiteral("Largest acceptable plugin cost, percent of throughput and connect rate (default 10)."),
        QStringLiteral("p"), QStringLiteral("10"));
    const QCommandLineOption enforceOpt(QStringLiteral("enforce-target"),
                                        QStringLiteral("Exit 1 when the target is missed."));
    const QCommandLineOption noPinOpt(
        QStringLiteral("no-pin"), QStringLiteral("Do not pin the broker to CPU 0 and the load generator to CPU 1."));
    const QCommandLineOption keepOpt(QStringLiteral("keep-data"),
                                     QStringLiteral("Keep the work directory (configs, broker logs)."));
    const QCommandLineOption middlewareOpt(QStringLiteral("middleware"),
                                           QStringLiteral("provisio-middleware binary (default: this build's)."),
                                           QStringLiteral("path"), QStringLiteral(PROVISIO_MIDDLEWARE_BIN));
    const QCommandLineOption mosquittoOpt(
        QStringLiteral("mosquitto"),
        QStringLiteral("Mosquitto binary (default: %1).").arg(QStringLiteral(PROVISIO_MOSQUITTO_BIN)),
        QStringLiteral("path"), QStringLiteral(PROVISIO_MOSQUITTO_BIN));
    const QCommandLineOption pluginOpt(QStringLiteral("plugin"),
                                       QStringLiteral("provisio-mosquitto-plugin.so (default: this build's)."),
                                       QStringLiteral("path"), QStringLiteral(PROVISIO_HUB_PLUGIN_BIN));
    const QCommandLineOption prefixOpt(
        QStringLiteral("broker-prefix"),
        QStringLiteral("Command line to start the broker under, e.g. \"valgrind --tool=callgrind\"."),
        QStringLiteral("command"));
    parser.addOptions({devicesOpt, messagesOpt, payloadOpt, inflightOpt, concurrencyOpt, roundsOpt, noWarmUpOpt,
                       retriesOpt, protocolOpt, timeoutOpt, targetOpt, enforceOpt, noPinOpt, keepOpt, middlewareOpt,
                       mosquittoOpt, pluginOpt, prefixOpt});
    parser.process(app);

    bool ok = true;
    auto integer = [&](const QCommandLineOption &opt, int min, int max) {
        bool good = false;
        const int v = parser.value(opt).toInt(&good);
        if (!good || v < min || v > max) {
            err() << "provisio-bench-hub: --" << opt.names().constFirst() << " must be an integer in " << min << ".."
                  << max << Qt::endl;
            ok = false;
        }
        return v;
    };
    Options o;
    o.devices = integer(devicesOpt, 1, 15000);
    o.messages = integer(messagesOpt, 1, 1000000);
    o.payloadBytes = integer(payloadOpt, 100, 1024 * 1024);
    o.inflight = integer(inflightOpt, 1, 20);
    o.connectConcurrency = integer(concurrencyOpt, 1, 15000);
    o.rounds = integer(roundsOpt, 1, 100);
    o.retries = integer(retriesOpt, 0, 100);
    o.warmUp = !parser.isSet(noWarmUpOpt);
    o.timeoutSeconds = integer(timeoutOpt, 1, 86400);
    const QString protocol = parser.value(protocolOpt);
    if (protocol == QLatin1String("5")) {
        o.protocol = 5;
    } else if (protocol == QLatin1String("3.1.1") || protocol == QLatin1String("311") ||
               protocol == QLatin1String("4")) {
        o.protocol = 4;
    } else {
        err() << "provisio-bench-hub: --protocol must be 5 or 3.1.1" << Qt::endl;
        ok = false;
    }
    bool good = false;
    o.targetPercent = parser.value(targetOpt).toDouble(&good);
    if (!good || o.targetPercent <= 0 || o.targetPercent >= 100) {
        err() << "provisio-bench-hub: --target-percent must be between 0 and 100" << Qt::endl;
        ok = false;
    }
    o.enforceTarget = parser.isSet(enforceOpt);
    o.pin = !parser.isSet(noPinOpt);
    o.keepData = parser.isSet(keepOpt);
    o.middlewareBin = parser.value(middlewareOpt);
    o.mosquittoBin = parser.value(mosquittoOpt);
    o.pluginPath = QFileInfo(parser.value(pluginOpt)).absoluteFilePath();
    if (parser.isSet(prefixOpt))
        o.brokerPrefix = QProcess::splitCommand(parser.value(prefixOpt));
    if (!ok)
        return kExitSetupFailed;

    mosquitto_lib_init();
    const int rc = run(o);
    mosquitto_lib_cleanup();
    return rc;
}

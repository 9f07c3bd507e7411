// SPDX-License-Identifier: Apache-2.0
// provisio-bench-device: what a device costs and how fast it gets going, on
// loopback against a real middleware and a real hub (Mosquitto with the
// Provisio plugin, configured by `provisio-middleware hub-config`).
//
// 1. Time to first telemetry: for each of D devices in turn, the time from
//    submitting the activation code (DeviceController::activate, which
//    exchanges it, registers with DPS, stores the connection, connects to
//    the hub) to the hub's acknowledgement of its first telemetry message.
//    Median and p95; the target is under 1 s.
// 2. Agent memory per simulated device: resident memory of
//    `provisio-agent --simulate N` once all N devices run, for several N;
//    the per-device cost is the slope of the least-squares line.
#include "devicecontroller.h"

#include "support/benchutil.h"
#include "support/middlewareserver.h"
#include "support/processstats.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <memory>
#include <vector>

using namespace Provisio;
using namespace Provisio::Bench;

namespace {

const QString kHubName = QStringLiteral("hub1");
const QString kHubHost = QStringLiteral("hub1.bench.local");

struct Options
{
    int devices = 20;
    QList<int> simulateSizes{1, 100, 500};
    int timeoutSeconds = 300;
    bool keepData = false;
};

quint16 freePort()
{
    QTcpServer server;
    return server.listen(QHostAddress::LocalHost, 0) ? server.serverPort() : 0;
}

// Runs the event loop until `done` holds or the deadline passes.
bool waitFor(const std::function<bool()> &done, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        QEventLoop loop;
        QTimer::singleShot(5, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return true;
}

class DeviceBench
{
public:
    explicit DeviceBench(Options options) : m_options(std::move(options)) { }

    int run()
    {
        if (!m_work.isValid())
            return setupError(QStringLiteral("cannot create a temporary directory"));
        m_work.setAutoRemove(!m_options.keepData);
        if (!setUp()) {
            stop();
            return 2;
        }
        out() << "provisio-bench-device " << QStringLiteral(PROVISIO_VERSION) << "  load " << loadAverage() << Qt::endl;
        out() << "middleware " << m_middleware.url() << ", hub " << kHubHost << " on 127.0.0.1:" << m_hubPort
              << " (Mosquitto + plugin), all on loopback" << Qt::endl;
        const bool firstOk = timeToFirstTelemetry();
        const bool memoryOk = agentMemory();
        stop();
        return firstOk && memoryOk ? 0 : 1;
    }

private:
    int setupFailed(const QString &why)
    {
        err() << "provisio-bench-device: setup failed: " << why << Qt::endl;
        return 2;
    }

    bool setupError(const QString &why)
    {
        setupFailed(why);
        return false;
    }

    bool fail(const QString &why)
    {
        err() << "provisio-bench-device: " << why << Qt::endl;
        return false;
    }

    Answer api(const QByteArray &method, const QString &path, const QJsonObject &body = {})
    {
        return request(m_endpoint, method, path.toUtf8(), m_token,
                       body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson(QJsonDocument::Compact));
    }

    bool setUp()
    {
        QString error;
        const QString dataDir = m_work.filePath(QStringLiteral("middleware"));
        QDir().mkpath(dataDir);
        if (!m_middleware.start(QStringLiteral(PROVISIO_MIDDLEWARE_BIN), dataDir, QString(), &error))
            return setupFailed(error);
        m_token = m_middleware.createToken(QStringLiteral("admin"), QStringLiteral("bench-device"), &error);
        if (m_token.isEmpty())
            return setupError(error);
        m_endpoint = Endpoint::fromUrl(m_middleware.url(), m_middleware.caPath(), &error);
        if (m_endpoint.port == 0)
            return setupError(error);
        QFile ca(m_middleware.caPath());
        if (!ca.open(QIODevice::ReadOnly))
            return setupError(QStringLiteral("cannot read the middleware CA"));
        m_caPem = ca.readAll();

        m_hubPort = freePort();
        const Answer linked =
            api("PUT", QStringLiteral("/api/v1/hubs/") + kHubName,
                QJsonObject{{QStringLiteral("host"), kHubHost},
                            {QStringLiteral("port"), int(m_hubPort)},
                            {QStringLiteral("endpoint"), QStringLiteral("127.0.0.1:%1").arg(m_hubPort)}});
        if (linked.status != 201)
            return setupError(QStringLiteral("linking the hub answered %1 %2")
                                  .arg(linked.status)
                                  .arg(QString::fromUtf8(linked.body)));
        const QString hubDir = m_work.filePath(QStringLiteral("hub"));
        if (m_middleware
                .run({QStringLiteral("hub-config"), QStringLiteral("--data-dir"), dataDir, QStringLiteral("--hub"),
                      kHubName, QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(m_hubPort),
                      QStringLiteral("--out"), hubDir, QStringLiteral("--plugin"),
                      QStringLiteral(PROVISIO_HUB_PLUGIN_BIN)},
                     &error)
                .isEmpty())
            return setupError(error);
        m_broker.setProcessChannelMode(QProcess::MergedChannels);
        m_broker.setStandardOutputFile(m_work.filePath(QStringLiteral("mosquitto.log")));
        m_broker.start(QStringLiteral(PROVISIO_MOSQUITTO_BIN),
                       {QStringLiteral("-c"), QDir(hubDir).filePath(QStringLiteral("mosquitto.conf"))});
        if (!m_broker.waitForStarted(5000))
            return setupError(QStringLiteral("mosquitto did not start"));
        const bool linkedUp = waitFor(
            [this] {
                const Answer status = api("GET", QStringLiteral("/api/v1/hubs/%1/status").arg(kHubName));
                return QJsonDocument::fromJson(status.body).object().value(QStringLiteral("connected")).toBool();
            },
            30000);
        if (!linkedUp)
            return setupError(QStringLiteral("the middleware did not connect to the hub"));
        return true;
    }

    // Inventory device + enrollment bound to it: the activation code.
    QString enroll(const QString &serial)
    {
        const Answer device =
            api("POST", QStringLiteral("/api/v1/devices"), QJsonObject{{QStringLiteral("serial"), serial}});
        if (device.status != 201)
            return {};
        const Answer enrollment =
            api("PUT", QStringLiteral("/api/v1/enrollments/") + serial.toLower(),
                QJsonObject{{QStringLiteral("registrationId"), serial.toLower()},
                            {QStringLiteral("serial"), serial},
                            {QStringLiteral("attestation"),
                             QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}}});
        return QJsonDocument::fromJson(enrollment.body).object().value(QStringLiteral("activationCode")).toString();
    }

    bool timeToFirstTelemetry()
    {
        out() << "\n== time from submitting the activation code to the first acknowledged telemetry message =="
              << Qt::endl;
        std::vector<qint64> samples;
        for (int i = 1; i <= m_options.devices; ++i) {
            const QString serial = QStringLiteral("BENCH-%1").arg(i, 4, 10, QLatin1Char('0'));
            const QString code = enroll(serial);
            if (code.isEmpty())
                return fail(QStringLiteral("cannot enroll %1").arg(serial));
            Kiosk::DeviceSettings settings;
            settings.dataDirectory = m_work.filePath(QStringLiteral("devices/") + serial);
            settings.middlewareUrl = QUrl(m_middleware.url());
            settings.middlewareCaPem = m_caPem;
            settings.serial = serial;
            settings.telemetryIntervalMs = 1000;
            Kiosk::DeviceController device(settings);
            device.setTelemetrySource(std::make_unique<Kiosk::SimulatedSensorsSource>(quint32(i)));
            QString failure;
            QObject::connect(&device, &Kiosk::DeviceController::failed,
                             [&failure](const QString &, const QString &detail) { failure = detail; });
            device.start();
            QElapsedTimer timer;
            timer.start();
            device.activate(code);
            const bool acked = waitFor([&] { return device.messagesSent() >= 1 || !failure.isEmpty(); },
                                       m_options.timeoutSeconds * 1000);
            const qint64 ns = timer.nsecsElapsed();
            if (!acked || !failure.isEmpty())
                return fail(QStringLiteral("%1: no acknowledged telemetry (%2)")
                                .arg(serial, failure.isEmpty() ? QStringLiteral("timeout") : failure));
            samples.push_back(ns);
            bool stopped = false;
            QObject::connect(&device, &Kiosk::DeviceController::stopped, [&stopped] { stopped = true; });
            device.stop();
            waitFor([&stopped] { return stopped; }, 5000);
        }
        std::sort(samples.begin(), samples.end());
        const double median = percentileMs(samples, 0.50);
        const double p95 = percentileMs(samples, 0.95);
        out() << "devices          " << samples.size() << " (one after the other, in-process DeviceController)"
              << Qt::endl;
        out() << "min / median     " << fixed(percentileMs(samples, 0)) << " / " << fixed(median) << " ms" << Qt::endl;
        out() << "p95 / max        " << fixed(p95) << " / " << fixed(percentileMs(samples, 1.0)) << " ms" << Qt::endl;
        out() << "target           p95 under 1000 ms: " << (p95 < 1000 ? "met" : "MISSED") << Qt::endl;
        return true;
    }

    bool agentMemory()
    {
        out() << "\n== provisio-agent --simulate N: resident memory once all N devices run ==" << Qt::endl;
        const Answer group = api("PUT", QStringLiteral("/api/v1/enrollment-groups/bench-fleet"),
                                 QJsonObject{{QStringLiteral("attestation"),
                                              QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")}}}});
        const QString groupKey = QJsonDocument::fromJson(group.body)
                                     .object()
                                     .value(QStringLiteral("attestation"))
                                     .toObject()
                                     .value(QStringLiteral("symmetricKey"))
                                     .toObject()
                                     .value(QStringLiteral("primaryKey"))
                                     .toString();
        if (group.status != 201 || groupKey.isEmpty())
            return fail(QStringLiteral("cannot create the enrollment group: %1").arg(group.status));
        QList<QPair<int, qint64>> points; // N, RSS KiB
        for (int n : m_options.simulateSizes) {
            QProcess agent;
            agent.setProcessChannelMode(QProcess::MergedChannels);
            const QString dir = m_work.filePath(QStringLiteral("agent-%1").arg(n));
            // The middleware is a separate process: only the agent is measured.
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(QStringLiteral("PROVISIO_GROUP_KEY"), groupKey);
            env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("*.info=false;*.debug=false"));
            agent.setProcessEnvironment(env);
            QElapsedTimer timer;
            timer.start();
            agent.start(QStringLiteral(PROVISIO_AGENT_BIN),
                        {QStringLiteral("--middleware"), m_middleware.url(), QStringLiteral("--ca"),
                         m_middleware.caPath(), QStringLiteral("--data-dir"), dir, QStringLiteral("--simulate"),
                         QString::number(n), QStringLiteral("--id-scope"), m_middleware.idScope(),
                         QStringLiteral("--registration-prefix"), QStringLiteral("bench%1-").arg(n),
                         QStringLiteral("--status-interval-ms"), QStringLiteral("0")});
            QByteArray output;
            const QByteArray doneLine = QStringLiteral("simulate: all %1 device(s) running").arg(n).toUtf8();
            const bool running = waitFor(
                [&] {
                    output += agent.readAll();
                    return output.contains(doneLine) || agent.state() == QProcess::NotRunning;
                },
                m_options.timeoutSeconds * 1000);
            if (!running || !output.contains(doneLine)) {
                agent.kill();
                agent.waitForFinished(5000);
                output += agent.readAll();
                const QString logPath = m_work.filePath(QStringLiteral("agent-%1.log").arg(n));
                QFile log(logPath);
                if (log.open(QIODevice::WriteOnly))
                    log.write(output);
                return fail(QStringLiteral("--simulate %1 did not get every device running (its output: %2):\n%3")
                                .arg(n)
                                .arg(logPath, QString::fromUtf8(output.right(1500))));
            }
            const qint64 startMs = timer.elapsed();
            // A few seconds of steady streaming before the reading.
            waitFor([] { return false; }, 3000);
            const ProcessStats stats = ProcessStats::read(agent.processId());
            agent.terminate();
            if (!agent.waitForFinished(30000))
                agent.kill();
            if (!stats.valid)
                return fail(QStringLiteral("cannot read the agent's memory"));
            points.append({n, stats.residentKiB});
            out() << "N = " << QString::number(n).leftJustified(5) << " all running after " << startMs << " ms, RSS "
                  << fixed(double(stats.residentKiB) / 1024.0) << " MiB (peak "
                  << fixed(double(stats.peakResidentKiB) / 1024.0) << " MiB), CPU " << fixed(stats.cpuSeconds, 2)
                  << " s" << Qt::endl;
        }
        if (points.size() >= 2) {
            double sx = 0, sy = 0, sxx = 0, sxy = 0;
            for (const auto &p : points) {
                sx += p.first;
                sy += double(p.second);
                sxx += double(p.first) * p.first;
                sxy += double(p.first) * double(p.second);
            }
            const double k = points.size();
            const double slope = (k * sxy - sx * sy) / (k * sxx - sx * sx);
            const double intercept = (sy - slope * sx) / k;
            out() << "per device       " << fixed(slope) << " KiB (least-squares slope), base "
                  << fixed(intercept / 1024.0) << " MiB" << Qt::endl;
        }
        return true;
    }

    void stop()
    {
        if (m_broker.state() == QProcess::Running) {
            m_broker.terminate();
            if (!m_broker.waitForFinished(10000))
                m_broker.kill();
        }
        m_middleware.stop();
    }

    Options m_options;
    QTemporaryDir m_work;
    MiddlewareServer m_middleware;
    QProcess m_broker;
    QString m_token;
    Endpoint m_endpoint;
    QByteArray m_caPem;
    quint16 m_hubPort = 0;
};

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("provisio-bench-device"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PROVISIO_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Device figures on loopback: time from submitting an activation code to the first acknowledged "
                       "telemetry message (median, p95), and provisio-agent's resident memory per simulated device. "
                       "Exit code 0 when every step worked, 1 when a measurement failed, 2 when setup failed."));
    parser.addHelpOption();
    parser.addVersionOption();
    // The middleware limits activation attempts to 20 per client address in 15 minutes.
    const QCommandLineOption devicesOpt(QStringLiteral("devices"),
                                        QStringLiteral("Devices activated one after the other, 1..20 (default 20)."),
                                        QStringLiteral("n"), QStringLiteral("20"));
    const QCommandLineOption sizesOpt(
        QStringLiteral("simulate-sizes"),
        QStringLiteral("Comma-separated device counts for the memory run (default 1,100,500)."), QStringLiteral("list"),
        QStringLiteral("1,100,300"));
    const QCommandLineOption timeoutOpt(QStringLiteral("timeout"),
                                        QStringLiteral("Seconds each step may take (default 300)."),
                                        QStringLiteral("s"), QStringLiteral("300"));
    const QCommandLineOption keepOpt(QStringLiteral("keep-data"), QStringLiteral("Keep the work directory."));
    parser.addOptions({devicesOpt, sizesOpt, timeoutOpt, keepOpt});
    parser.process(app);

    Options o;
    bool ok = false;
    o.devices = parser.value(devicesOpt).toInt(&ok);
    if (!ok || o.devices < 1 || o.devices > 20) {
        err() << "provisio-bench-device: --devices must be a whole number from 1 to 20" << Qt::endl;
        return 2;
    }
    o.simulateSizes.clear();
    for (const QString &part : parser.value(sizesOpt).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const int n = part.trimmed().toInt(&ok);
        if (!ok || n < 1 || n > 10000) {
            err() << "provisio-bench-device: --simulate-sizes takes counts from 1 to 10000, not \"" << part << "\""
                  << Qt::endl;
            return 2;
        }
        o.simulateSizes.append(n);
    }
    o.timeoutSeconds = parser.value(timeoutOpt).toInt(&ok);
    if (!ok || o.timeoutSeconds < 1) {
        err() << "provisio-bench-device: --timeout must be a positive number of seconds" << Qt::endl;
        return 2;
    }
    o.keepData = parser.isSet(keepOpt);
    return DeviceBench(o).run();
}

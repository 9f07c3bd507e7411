// SPDX-License-Identifier: Apache-2.0
//
// provisio-bench-registrations: how many DPS registrations per second the
// middleware completes, and how long each takes, when many devices register
// at once. It starts a real middleware (or targets a running one), links a
// few hubs, creates one enrollment per simulated device through the CRM API,
// then lets C simulated devices register all N enrollments over the real
// HTTPS device API, each with its own symmetric key and SAS token. The
// figures it prints are the ones docs/benchmarks.md quotes.

#include "crmlists.h"
#include "support/baselineserver.h"
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
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <memory>
#include <optional>
#include <unistd.h>
#include <vector>

using namespace Provisio;
using namespace Provisio::Bench;

namespace {

// Setup and teardown failures: the benchmark could not measure anything.
constexpr int kExitSetupFailed = 2;
// Registrations failed or a requested target was missed.
constexpr int kExitFailures = 1;

struct Options
{
    int devices = 10000;
    int concurrency = 64;
    int setupConcurrency = 8;
    int hubs = 3;
    QString url;
    QString caPath;
    QString token;
    QString idScope;
    qint64 serverPid = 0;
    QString middlewareBin;
    QString database;
    bool keepData = false;
    bool baseline = false;   // also measure the bare Qt HTTP Server route
    bool reregister = false; // also measure re-registrations of the same devices
    int baselineRequests = 0;
    QString holdFile; // with --hold-before-run: wait for this file before the first registration
    double minRate = 0;
    double maxP99Ms = 0;
    double maxRssMb = 0;
    bool qtClient = false; // time with QSslSocket connections instead of the OpenSSL/epoll load generator
    bool lists = false;    // after the registrations, time the CRM API lists
    ListOptions listOptions;
    bool external() const { return !url.isEmpty(); }
};

QString describe(const Answer &a)
{
    if (!a.transportError.isEmpty())
        return a.transportError;
    QString message = QString::fromUtf8(a.body.left(300));
    const QJsonObject o = QJsonDocument::fromJson(a.body).object();
    if (o.contains(QStringLiteral("message")))
        message = o.value(QStringLiteral("message")).toString();
    return QStringLiteral("HTTP %1: %2").arg(a.status).arg(message);
}

bool waitUntilHealthy(const Endpoint &endpoint, MiddlewareServer *own, QString *error)
{
    QDeadlineTimer deadline(30000);
    Answer last;
    while (!deadline.hasExpired()) {
        if (own && !own->running()) {
            *error = QStringLiteral("the middleware exited: %1").arg(own->tailOfLog());
            return false;
        }
        last = request(endpoint, "GET", "/healthz", {});
        if (last.status == 200)
            return true;
        // A certificate that does not verify will not start verifying.
        if (last.transportError.contains(QLatin1String("TLS verification failed")))
            break;
        QThread::msleep(100);
    }
    *error = QStringLiteral("the middleware never became healthy: %1").arg(describe(last));
    return false;
}

struct Device
{
    QString registrationId;
    QString primaryKey;
};

// What the answers of the timed run say, checked one by one.
struct Verdict
{
    QMap<int, int> statuses;               // HTTP status (0: none) -> count
    QMap<QString, int> failures;           // reason -> count
    QMap<QString, QString> failureExample; // reason -> one device and its answer
    QMap<QString, int> hubCounts;          // assignedHub -> devices
    std::vector<qint64> sortedLatencyNs;   // of every answered request
    int failed = 0;
};

// A registration succeeded when it answered 200 or 202 with status
// "assigned", an assignedHub, and the device's own registrationId.
Verdict verify(const std::vector<Device> &devices, const RequestRunner::Result &result)
{
    Verdict v;
    v.sortedLatencyNs.reserve(devices.size());
    for (size_t i = 0; i < devices.size(); ++i) {
        const int status = result.status[i];
        v.statuses[status] += 1;
        if (status != 0)
            v.sortedLatencyNs.push_back(result.latencyNs[i]);
        QString failure;
        if (status == 0) {
            failure = QStringLiteral("no answer (transport failure)");
        } else if (status != 200 && status != 202) {
            const QJsonObject o = QJsonDocument::fromJson(result.bodies[i]).object();
            failure = QStringLiteral("HTTP %1, errorCode %2")
                          .arg(status)
                          .arg(o.value(QStringLiteral("errorCode")).toVariant().toString());
        } else {
            const QJsonObject o = QJsonDocument::fromJson(result.bodies[i]).object();
            const QJsonObject state = o.value(QStringLiteral("registrationState")).toObject();
            const QString hub = state.value(QStringLiteral("assignedHub")).toString();
            if (o.value(QStringLiteral("status")).toString() != QLatin1String("assigned"))
                failure = QStringLiteral("status '%1' instead of 'assigned'")
                              .arg(o.value(QStringLiteral("status")).toString());
            else if (hub.isEmpty())
                failure = QStringLiteral("no assignedHub");
            else if (state.value(QStringLiteral("registrationId"))
                         .toString()
                         .compare(devices[i].registrationId, Qt::CaseInsensitive) != 0)
                failure = QStringLiteral("registrationState names another registrationId");
            else
                v.hubCounts[hub] += 1;
        }
        if (!failure.isEmpty()) {
            v.failures[failure] += 1;
            v.failed += 1;
            if (!v.failureExample.contains(failure))
                v.failureExample[failure] =
                    devices[i].registrationId + QLatin1String(": ") + QString::fromUtf8(result.bodies[i].left(300));
        }
    }
    std::sort(v.sortedLatencyNs.begin(), v.sortedLatencyNs.end());
    return v;
}

// The timed runs' load generator: OpenSSL on epoll unless --qt-client asks
// for the QSslSocket one the setup uses.
RequestRunner::Result runLoad(bool qtClient, const Endpoint &endpoint, int concurrency,
                              const std::vector<QByteArray> &requests, const std::function<void()> &beforeFirst = {})
{
    RequestRunner load(endpoint, concurrency);
    load.setEngine(qtClient ? RequestRunner::Engine::QtSockets : RequestRunner::Engine::OpenSslEpoll);
    load.setKeepBodies(true);
    load.setBeforeFirstRequest(beforeFirst);
    return load.run(requests);
}

// One timed pass of the load generator over `requests`: its rate and
// latencies, the CPU of the server it drove (pid 0: unknown) and its own.
struct Pass
{
    bool ran = false;
    RequestRunner::Result result;
    int answered = 0;
    int failed = 0;
    QString failureExample;
    double wall = 0;
    double rate = 0; // answered requests per second
    double p50 = 0;
    double p90 = 0;
    double p99 = 0;
    double serverCpu = -1; // cores
    double serverCpuPerRequestUs = -1;
    double serverWait = -1;
    double clientCpu = -1;
    std::vector<qint64> sortedLatencyNs;
};

// Two passes over the same server counted as one: rates and CPU shares over
// their summed wall time, percentiles over their merged latencies.
Pass combined(const Pass &a, const Pass &b)
{
    if (!a.ran || !b.ran)
        return a.ran ? a : b;
    Pass p;
    p.ran = true;
    p.answered = a.answered + b.answered;
    p.failed = a.failed + b.failed;
    p.failureExample = a.failed ? a.failureExample : b.failureExample;
    p.wall = a.wall + b.wall;
    p.rate = p.wall > 0 ? p.answered / p.wall : 0;
    std::merge(a.sortedLatencyNs.begin(), a.sortedLatencyNs.end(), b.sortedLatencyNs.begin(), b.sortedLatencyNs.end(),
               std::back_inserter(p.sortedLatencyNs));
    p.p50 = percentileMs(p.sortedLatencyNs, 0.50);
    p.p90 = percentileMs(p.sortedLatencyNs, 0.90);
    p.p99 = percentileMs(p.sortedLatencyNs, 0.99);
    auto weighted = [&](double x, double y) { return x < 0 || y < 0 ? -1 : (x * a.wall + y * b.wall) / p.wall; };
    p.serverCpu = weighted(a.serverCpu, b.serverCpu);
    p.serverWait = weighted(a.serverWait, b.serverWait);
    p.clientCpu = weighted(a.clientCpu, b.clientCpu);
    if (p.serverCpu >= 0 && p.answered > 0)
        p.serverCpuPerRequestUs = p.serverCpu * p.wall / p.answered * 1e6;
    return p;
}

Pass timedPass(bool qtClient, const Endpoint &endpoint, int concurrency, const std::vector<QByteArray> &requests,
               qint64 serverPid, const std::function<QString(size_t index, int status, const QByteArray &body)> &check)
{
    Pass p;
    p.ran = true;
    const ProcessStats serverBefore = ProcessStats::read(serverPid);
    const ProcessStats clientBefore = ProcessStats::read(0);
    p.result = runLoad(qtClient, endpoint, concurrency, requests);
    const ProcessStats serverAfter = serverPid ? ProcessStats::read(serverPid) : ProcessStats();
    const ProcessStats clientAfter = ProcessStats::read(0);
    std::vector<qint64> latencies;
    latencies.reserve(requests.size());
    for (size_t i = 0; i < requests.size(); ++i) {
        const int status = p.result.status[i];
        if (status != 0) {
            p.answered += 1;
            latencies.push_back(p.result.latencyNs[i]);
        }
        const QString failure = status == 0 ? QStringLiteral("no answer") : check(i, status, p.result.bodies[i]);
        if (!failure.isEmpty()) {
            if (p.failed++ == 0)
                p.failureExample = failure;
        }
        p.result.bodies[i].clear(); // checked; memory back before the next pass
    }
    std::sort(latencies.begin(), latencies.end());
    p.wall = p.result.wallNs / 1e9;
    p.rate = p.wall > 0 ? p.answered / p.wall : 0;
    p.p50 = percentileMs(latencies, 0.50);
    p.p90 = percentileMs(latencies, 0.90);
    p.p99 = percentileMs(latencies, 0.99);
    p.sortedLatencyNs = std::move(latencies);
    if (p.wall >= 0.5) {
        if (serverAfter.valid) {
            p.serverCpu = (serverAfter.cpuSeconds - serverBefore.cpuSeconds) / p.wall;
            p.serverWait = (serverAfter.runQueueWaitSeconds - serverBefore.runQueueWaitSeconds) / p.wall;
            if (p.answered > 0)
                p.serverCpuPerRequestUs = p.serverCpu * p.wall / p.answered * 1e6;
        }
        p.clientCpu = (clientAfter.cpuSeconds - clientBefore.cpuSeconds) / p.wall;
    }
    return p;
}

QJsonValue rounded(double v, double scale)
{
    return v < 0 ? QJsonValue() : QJsonValue(std::round(v * scale) / scale);
}

int run(const Options &options)
{
    // 1. The middleware.
    // The middleware this run measures, when the benchmark starts its own:
    // a fresh data directory (removed at the end unless --keep-data), SQLite
    // unless --database says otherwise. The server goes before its directory.
    std::unique_ptr<QTemporaryDir> ownDir;
    std::unique_ptr<MiddlewareServer> own;
    QString url = options.url;
    QString caPath = options.caPath;
    QString token = options.token;
    QString idScope = options.idScope;
    qint64 serverPid = options.serverPid;
    QString error;
    if (!options.external()) {
        ownDir = std::make_unique<QTemporaryDir>(QDir::temp().filePath(QStringLiteral("provisio-bench-XXXXXX")));
        if (!ownDir->isValid()) {
            err() << "provisio-bench-registrations: cannot create a temporary data directory" << Qt::endl;
            return kExitSetupFailed;
        }
        ownDir->setAutoRemove(!options.keepData);
        own = std::make_unique<MiddlewareServer>();
        if (!own->start(options.middlewareBin, ownDir->path(), options.database, &error)) {
            err() << "provisio-bench-registrations: " << error << Qt::endl;
            return kExitSetupFailed;
        }
        url = own->url();
        caPath = own->caPath();
        idScope = own->idScope();
        serverPid = own->pid();
        token = own->createToken(QStringLiteral("admin"), QStringLiteral("bench-admin"), &error);
        if (token.isEmpty()) {
            err() << "provisio-bench-registrations: " << error << Qt::endl;
            return kExitSetupFailed;
        }
    }
    const Endpoint endpoint = Endpoint::fromUrl(url, caPath, &error);
    if (endpoint.port == 0) {
        err() << "provisio-bench-registrations: " << error << Qt::endl;
        return kExitSetupFailed;
    }
    if (!waitUntilHealthy(endpoint, own.get(), &error)) {
        err() << "provisio-bench-registrations: " << error << Qt::endl;
        return kExitSetupFailed;
    }
    err() << "middleware " << url << " (ID scope " << idScope << ")"
          << (own ? QStringLiteral(", own, data in ") + own->dataDir() : QStringLiteral(", external")) << Qt::endl;

    // 2. Setup, not timed: hubs and one enrollment per device.
    QElapsedTimer setupClock;
    setupClock.start();
    const QString runTag = QString::number(QDateTime::currentMSecsSinceEpoch() % 2176782336LL, 36);
    for (int i = 1; i <= options.hubs; ++i) {
        const QString name = QStringLiteral("bench-hub-%1").arg(i);
        const QJsonObject hub{{QStringLiteral("host"), QStringLiteral("%1.provisio.test").arg(name)},
                              {QStringLiteral("port"), 8883},
                              {QStringLiteral("region"), QStringLiteral("bench")},
                              {QStringLiteral("allocationWeight"), 1}};
        const Answer a = request(endpoint, "PUT", "/api/v1/hubs/" + name.toUtf8(), token,
                                 QJsonDocument(hub).toJson(QJsonDocument::Compact));
        if (a.status / 100 != 2) {
            err() << "provisio-bench-registrations: linking hub " << name << " failed: " << describe(a) << Qt::endl;
            return kExitSetupFailed;
        }
    }

    // With --baseline one more device, registered before the timed run: its
    // answer is what the bare route sends, so the bare route can be timed
    // before the registrations as well as after them.
    std::vector<Device> devices(size_t(options.devices) + (options.baseline ? 1 : 0));
    std::vector<QByteArray> enrollmentRequests;
    enrollmentRequests.reserve(devices.size());
    const QByteArray crmHeaders = "Authorization: Bearer " + token.toUtf8() +
                                  "\r\nContent-Type: application/json\r\nAccept: application/json\r\n";
    for (int i = 0; i < int(devices.size()); ++i) {
        Device &d = devices[size_t(i)];
        d.registrationId = QStringLiteral("bench-%1-%2").arg(runTag).arg(i);
        d.primaryKey = Crypto::generateSymmetricKey(64);
        const QJsonObject body{
            {QStringLiteral("registrationId"), d.registrationId},
            {QStringLiteral("provisioningStatus"), QStringLiteral("enabled")},
            {QStringLiteral("attestation"),
             QJsonObject{{QStringLiteral("type"), QStringLiteral("symmetricKey")},
                         {QStringLiteral("symmetricKey"),
                          QJsonObject{{QStringLiteral("primaryKey"), d.primaryKey},
                                      {QStringLiteral("secondaryKey"), Crypto::generateSymmetricKey(64)}}}}}};
        enrollmentRequests.push_back(RawHttpsConnection::buildRequest(
            "PUT", "/api/v1/enrollments/" + d.registrationId.toUtf8(), endpoint.hostHeader(), crmHeaders,
            QJsonDocument(body).toJson(QJsonDocument::Compact)));
    }
    RequestRunner setup(endpoint, options.setupConcurrency);
    setup.setKeepBodies(true);
    setup.setProgress(
        [](qsizetype done, qsizetype all) { err() << "  enrollments " << done << "/" << all << Qt::endl; });
    const auto enrolled = setup.run(enrollmentRequests);
    enrollmentRequests.clear();
    enrollmentRequests.shrink_to_fit();
    if (!enrolled.ok()) {
        err() << "provisio-bench-registrations: creating enrollments failed: " << enrolled.abortReason << Qt::endl;
        return kExitSetupFailed;
    }
    for (size_t i = 0; i < devices.size(); ++i) {
        if (enrolled.status[i] / 100 != 2) {
            Answer a{enrolled.status[i], enrolled.bodies[i], {}};
            if (a.status == 0)
                a.transportError = enrolled.transportErrors.isEmpty() ? QStringLiteral("transport failure")
                                                                      : enrolled.transportErrors.firstKey();
            err() << "provisio-bench-registrations: creating enrollment " << devices[i].registrationId
                  << " failed: " << describe(a) << Qt::endl;
            return kExitSetupFailed;
        }
    }
    std::optional<Device> yardstick;
    if (options.baseline) {
        yardstick = devices.back();
        devices.pop_back();
    }
    const double setupSeconds = setupClock.nsecsElapsed() / 1e9;
    const double enrollSeconds = enrolled.wallNs / 1e9;

    // 3. Every request of the timed run, built up front: SAS token signed
    // with the device's own key, request line, headers and body.
    const qint64 expiry = QDateTime::currentSecsSinceEpoch() + 3600;
    auto registration = [&](const Device &d) {
        const QString resource = idScope + QLatin1String("/registrations/") + d.registrationId;
        const QString sas = SasToken::create(resource, d.primaryKey, expiry, QStringLiteral("registration"));
        const QByteArray headers = "Authorization: " + sas.toUtf8() +
                                   "\r\nContent-Type: application/json; charset=utf-8\r\nAccept: application/json\r\n"
                                   "User-Agent: provisio-bench-registrations/" PROVISIO_VERSION "\r\n";
        const QByteArray body = "{\"registrationId\":\"" + d.registrationId.toUtf8() + "\"}";
        return RawHttpsConnection::buildRequest("PUT",
                                                '/' + idScope.toUtf8() + "/registrations/" + d.registrationId.toUtf8() +
                                                    "/register?api-version=2021-06-01",
                                                endpoint.hostHeader(), headers, body);
    };
    std::vector<QByteArray> registrations;
    registrations.reserve(devices.size());
    for (const Device &d : devices)
        registrations.push_back(registration(d));

    // 3b. With --baseline: the bare Qt HTTP Server route answering what the
    // extra device's registration answered, timed in two halves, one before
    // the registrations and one after the re-registrations. The host's speed
    // drifts over seconds (the same binary's CPU per request moved by half
    // between runs minutes apart); timing the yardstick on both sides of
    // what it measures cancels a drift that is steady over the run.
    BaselineServer baselineServer;
    Endpoint bareEndpoint = endpoint;
    std::vector<QByteArray> bareRequests;
    QByteArray bareAnswer;
    Pass bareBefore;
    Pass bareAfter;
    auto bareHalf = [&](int half) {
        const size_t first = half == 0 ? 0 : bareRequests.size() / 2;
        const size_t last = half == 0 ? bareRequests.size() / 2 : bareRequests.size();
        const std::vector<QByteArray> part(bareRequests.begin() + qsizetype(first),
                                           bareRequests.begin() + qsizetype(last));
        waitUntilQuiet("the bare route's pass");
        err() << "baseline: bare Qt HTTP Server route, " << part.size() << " requests "
              << (half == 0 ? "before" : "after") << " the registrations" << Qt::endl;
        return timedPass(options.qtClient, bareEndpoint, options.concurrency, part, baselineServer.pid(),
                         [&bareAnswer](size_t, int status, const QByteArray &body) {
                             return status == 202 && body == bareAnswer ? QString()
                                                                        : QStringLiteral("HTTP %1").arg(status);
                         });
    };
    if (yardstick) {
        const auto answered = runLoad(options.qtClient, endpoint, 1, {registration(*yardstick)});
        const QByteArray answer = answered.ok() && answered.status[0] == 202 ? answered.bodies[0] : QByteArray();
        if (answer.isEmpty() || !baselineServer.start(QCoreApplication::applicationFilePath(),
                                                      QDir(own->dataDir()).filePath(QStringLiteral("tls")), answer,
                                                      own->dataDir(), &error)) {
            err() << "provisio-bench-registrations: no baseline: "
                  << (answer.isEmpty()
                          ? QStringLiteral("the extra device's registration did not answer 202 (%1)")
                                .arg(answered.ok() ? QString::number(answered.status[0]) : answered.abortReason)
                          : error)
                  << Qt::endl;
            return kExitSetupFailed;
        }
        bareAnswer = answer;
        bareEndpoint.port = baselineServer.port();
        // The same requests, cycled: at this route's rate the devices' own
        // count would be over too soon to time well.
        bareRequests.reserve(size_t(options.baselineRequests));
        for (int i = 0; i < options.baselineRequests; ++i)
            bareRequests.push_back(registrations[size_t(i) % registrations.size()]);
        bareBefore = bareHalf(0);
    }

    // 4. The timed run.
    waitUntilQuiet("the registrations");
    const QString loadBefore = loadAverage();
    const ProcessStats serverBefore = ProcessStats::read(serverPid);
    const ProcessStats clientBefore = ProcessStats::read(0);
    std::function<void()> hold;
    if (!options.holdFile.isEmpty()) {
        hold = [&options] {
            // For profilers switched on from outside (bench/compare-registrations.sh):
            // every connection is open, nothing of the timed run has left yet.
            err() << "connections open; waiting for " << options.holdFile << Qt::endl;
            while (!QFile::exists(options.holdFile))
                QThread::msleep(20);
        };
    }
    const auto result = runLoad(options.qtClient, endpoint, options.concurrency, registrations, hold);
    const ProcessStats serverAfter = serverPid ? ProcessStats::read(serverPid) : ProcessStats();
    const ProcessStats clientAfter = ProcessStats::read(0);
    if (!result.ok())
        err() << "provisio-bench-registrations: the run stopped early: " << result.abortReason << Qt::endl;

    // 5. Verification, after the clock stopped so parsing never competes
    // with the server for CPU.
    const Verdict verdict = verify(devices, result);
    const QMap<int, int> &statuses = verdict.statuses;
    const QMap<QString, int> &failures = verdict.failures;
    const QMap<QString, QString> &failureExample = verdict.failureExample;
    const QMap<QString, int> &hubCounts = verdict.hubCounts;
    const std::vector<qint64> &latencies = verdict.sortedLatencyNs;
    const int failed = verdict.failed;

    // 5b. Re-registrations: the same devices register again (same hubs, so
    // their records are unchanged but for the operation), then the bare Qt
    // HTTP Server route with the middleware's own answer and TLS chain.
    Pass again;
    if (options.reregister && result.ok()) {
        waitUntilQuiet("the re-registrations");
        err() << "re-registrations" << Qt::endl;
        again =
            timedPass(options.qtClient, endpoint, options.concurrency, registrations, serverPid,
                      [&devices](size_t i, int status, const QByteArray &body) {
                          const QJsonObject o = QJsonDocument::fromJson(body).object();
                          if (status != 200 && status != 202)
                              return QStringLiteral("HTTP %1").arg(status);
                          if (o.value(QStringLiteral("status")).toString() != QLatin1String("assigned"))
                              return QStringLiteral("status '%1'").arg(o.value(QStringLiteral("status")).toString());
                          const QJsonObject state = o.value(QStringLiteral("registrationState")).toObject();
                          if (state.value(QStringLiteral("registrationId"))
                                  .toString()
                                  .compare(devices[i].registrationId, Qt::CaseInsensitive) != 0)
                              return QStringLiteral("registrationState names another registrationId");
                          return QString();
                      });
    }
    Pass bare;
    if (yardstick) {
        if (result.ok())
            bareAfter = bareHalf(1);
        baselineServer.stop();
        bare = combined(bareBefore, bareAfter);
    }

    // 6. Memory, sampled before the server stops (and before the lists).
    const ProcessStats serverEnd = serverPid ? ProcessStats::read(serverPid) : ProcessStats();

    const double wall = result.wallNs / 1e9;
    const double rate = wall > 0 ? double(devices.size() - size_t(statuses.value(0))) / wall : 0;
    const double p50 = percentileMs(latencies, 0.50);
    const double p90 = percentileMs(latencies, 0.90);
    const double p99 = percentileMs(latencies, 0.99);
    const double max = latencies.empty() ? 0 : latencies.back() / 1e6;
    const QString loadAfter = loadAverage();
    // CPU time has a 10 ms granularity: shares of a very short run mean nothing.
    const bool cpuMeaningful = wall >= 0.5;
    const double serverCpu =
        cpuMeaningful && serverAfter.valid ? (serverAfter.cpuSeconds - serverBefore.cpuSeconds) / wall : -1;
    const double serverSys =
        cpuMeaningful && serverAfter.valid ? (serverAfter.systemSeconds - serverBefore.systemSeconds) / wall : -1;
    const double serverWait = cpuMeaningful && serverAfter.valid
                                  ? (serverAfter.runQueueWaitSeconds - serverBefore.runQueueWaitSeconds) / wall
                                  : -1;
    // Server CPU time per answered registration: what a registration costs,
    // largely independent of how busy the machine is (unlike the rate).
    const qsizetype answered = qsizetype(devices.size()) - statuses.value(0);
    const double serverCpuPerRegUs = serverCpu >= 0 && answered > 0 ? serverCpu * wall / double(answered) * 1e6 : -1;
    const double clientCpu = cpuMeaningful ? (clientAfter.cpuSeconds - clientBefore.cpuSeconds) / wall : -1;
    const double peakMb = serverEnd.valid ? serverEnd.peakResidentKiB / 1024.0 : -1;
    const double rssMb = serverEnd.valid ? serverEnd.residentKiB / 1024.0 : -1;

    QStringList statusText;
    for (auto it = statuses.cbegin(); it != statuses.cend(); ++it)
        statusText << QStringLiteral("%1 x%2")
                          .arg(it.key() == 0 ? QStringLiteral("none") : QString::number(it.key()))
                          .arg(it.value());
    QStringList hubText;
    for (auto it = hubCounts.cbegin(); it != hubCounts.cend(); ++it)
        hubText << QStringLiteral("%1 %2").arg(it.key()).arg(it.value());

    auto line = [](const QString &label, const QString &value) {
        out() << QStringLiteral("%1 %2").arg(label, -22).arg(value) << '\n';
    };
    out() << "Provisio registrations (DPS device API)\n";
    line(QStringLiteral("middleware"), url + (own ? QStringLiteral(" (started by the benchmark)") : QString()));
    line(QStringLiteral("hubs linked"), QString::number(options.hubs));
    line(QStringLiteral("setup (not timed)"),
         QStringLiteral("%1 enrollments in %2 s (%3/s over %4 connections); setup total %5 s")
             .arg(devices.size())
             .arg(fixed(enrollSeconds, 2))
             .arg(fixed(enrollSeconds > 0 ? devices.size() / enrollSeconds : 0, 0))
             .arg(options.setupConcurrency)
             .arg(fixed(setupSeconds, 2)));
    line(QStringLiteral("connections opened"), QStringLiteral("%1 TLS in %2 ms (not timed)")
                                                   .arg(std::min<size_t>(size_t(options.concurrency), devices.size()))
                                                   .arg(fixed(result.connectNs / 1e6)));
    line(QStringLiteral("devices"), QString::number(devices.size()));
    line(QStringLiteral("concurrency"), QString::number(options.concurrency));
    line(QStringLiteral("wall time"), fixed(wall, 3) + QLatin1String(" s"));
    line(QStringLiteral("registrations/s"), fixed(rate, 0));
    line(QStringLiteral("latency p50"), fixed(p50, 2) + QLatin1String(" ms"));
    line(QStringLiteral("latency p90"), fixed(p90, 2) + QLatin1String(" ms"));
    line(QStringLiteral("latency p99"), fixed(p99, 2) + QLatin1String(" ms"));
    line(QStringLiteral("latency max"), fixed(max, 2) + QLatin1String(" ms"));
    line(QStringLiteral("HTTP statuses"), statusText.join(QStringLiteral(", ")));
    line(QStringLiteral("assigned hubs"), hubText.join(QStringLiteral(", ")));
    line(QStringLiteral("errors"), QString::number(failed));
    line(QStringLiteral("server peak RSS"),
         peakMb < 0 ? QStringLiteral("n/a (no server pid)") : fixed(peakMb) + QLatin1String(" MB (VmHWM)"));
    line(QStringLiteral("server RSS after"),
         rssMb < 0 ? QStringLiteral("n/a (no server pid)") : fixed(rssMb) + QLatin1String(" MB (VmRSS)"));
    line(QStringLiteral("server CPU"),
         serverCpu < 0 ? QStringLiteral("n/a")
                       : QStringLiteral("%1 % of one core (%2 % in the kernel); waited for a CPU %3 % of the time")
                             .arg(fixed(serverCpu * 100, 0), fixed(serverSys * 100, 0), fixed(serverWait * 100, 0)));
    line(QStringLiteral("server CPU per reg."),
         serverCpuPerRegUs < 0 ? QStringLiteral("n/a") : fixed(serverCpuPerRegUs, 0) + QLatin1String(" us"));
    line(QStringLiteral("client CPU"), clientCpu < 0 ? QStringLiteral("n/a (run too short)")
                                                     : fixed(clientCpu * 100, 0) + QLatin1String(" % of one core"));
    const double ratio = bare.ran && bare.rate > 0 ? rate / bare.rate : -1;
    // The same comparison by CPU time per request: what each server spends,
    // whatever share of the cores other work left it during its pass.
    const double cpuRatio = bare.ran && bare.serverCpuPerRequestUs > 0 && serverCpuPerRegUs > 0
                                ? bare.serverCpuPerRequestUs / serverCpuPerRegUs
                                : -1;
    const double againRatio = bare.ran && again.ran && bare.rate > 0 ? again.rate / bare.rate : -1;
    if (again.ran) {
        line(QStringLiteral("re-registrations/s"),
             QStringLiteral("%1 (p50 %2 ms, p99 %3 ms, errors %4, server CPU %5)")
                 .arg(fixed(again.rate, 0), fixed(again.p50, 2), fixed(again.p99, 2))
                 .arg(again.failed)
                 .arg(again.serverCpu < 0
                          ? QStringLiteral("n/a (run too short)")
                          : QStringLiteral("per reg. %1 us, %2 % of one core")
                                .arg(fixed(again.serverCpuPerRequestUs, 0), fixed(again.serverCpu * 100, 0))));
        if (again.failed)
            out() << "  re-registration failure e.g. " << again.failureExample << '\n';
    }
    if (bare.ran) {
        line(QStringLiteral("baseline requests/s"),
             QStringLiteral("%1 (bare Qt HTTP Server route, %2 requests, same TLS chain and %3-byte answer; "
                            "p50 %4 ms, p99 %5 ms, errors %6; before the registrations %7/s, after %8/s)")
                 .arg(fixed(bare.rate, 0))
                 .arg(bare.answered)
                 .arg(bareAnswer.size())
                 .arg(fixed(bare.p50, 2), fixed(bare.p99, 2))
                 .arg(bare.failed)
                 .arg(fixed(bareBefore.rate, 0), bareAfter.ran ? fixed(bareAfter.rate, 0) : QStringLiteral("n/a")));
        line(QStringLiteral("baseline CPU"),
             QStringLiteral("server %1 us per request (%2 % of one core, waited %3 %); client %4 % of one core")
                 .arg(fixed(bare.serverCpuPerRequestUs, 1), fixed(bare.serverCpu * 100, 0),
                      fixed(bare.serverWait * 100, 0), fixed(bare.clientCpu * 100, 0)));
        line(QStringLiteral("ratio to baseline"),
             QStringLiteral("%1 (registrations), %2 (re-registrations); by server CPU per request %3")
                 .arg(fixed(ratio, 3), againRatio < 0 ? QStringLiteral("n/a") : fixed(againRatio, 3),
                      cpuRatio < 0 ? QStringLiteral("n/a") : fixed(cpuRatio, 3)));
        if (bare.failed)
            out() << "  baseline failure e.g. " << bare.failureExample << '\n';
    }
    line(QStringLiteral("load average"),
         QStringLiteral("%1 before, %2 after (%3 CPUs)").arg(loadBefore, loadAfter).arg(QThread::idealThreadCount()));
    for (auto it = failures.cbegin(); it != failures.cend(); ++it)
        out() << "  failure x" << it.value() << ": " << it.key() << "\n    e.g. " << failureExample.value(it.key())
              << '\n';
    for (auto it = result.transportErrors.cbegin(); it != result.transportErrors.cend(); ++it)
        out() << "  transport error x" << it.value() << ": " << it.key() << '\n';

    // 7. The CRM API lists over what the run stored, after its figures.
    ListReport lists;
    if (options.lists && result.ok()) {
        err() << "lists: importing " << devices.size() << " devices, then paging" << Qt::endl;
        lists = runListPasses(endpoint, token, serverPid, QStringLiteral("BENCH-") + runTag.toUpper(),
                              int(devices.size()), own ? qint64(devices.size()) : 0, options.listOptions);
        if (!lists.error.isEmpty())
            out() << "lists failed: " << lists.error << '\n';
    }

    // Targets, only when asked for (the figures depend on the machine).
    QStringList missed;
    if (options.minRate > 0 && rate < options.minRate)
        missed << QStringLiteral("registrations/s %1 < %2").arg(fixed(rate, 0), fixed(options.minRate, 0));
    if (options.maxP99Ms > 0 && p99 > options.maxP99Ms)
        missed << QStringLiteral("p99 %1 ms > %2 ms").arg(fixed(p99, 2), fixed(options.maxP99Ms, 2));
    if (options.maxRssMb > 0 && peakMb > options.maxRssMb)
        missed << QStringLiteral("peak RSS %1 MB > %2 MB").arg(fixed(peakMb), fixed(options.maxRssMb));
    for (const QString &m : std::as_const(missed))
        out() << "TARGET MISSED: " << m << '\n';

    QJsonObject summary{
        {QStringLiteral("benchmark"), QStringLiteral("registrations")},
        {QStringLiteral("devices"), int(devices.size())},
        {QStringLiteral("concurrency"), options.concurrency},
        {QStringLiteral("hubs"), options.hubs},
        {QStringLiteral("database"), options.external()           ? QStringLiteral("external")
                                     : options.database.isEmpty() ? QStringLiteral("sqlite")
                                                                  : QStringLiteral("postgresql")},
        {QStringLiteral("wallSeconds"), std::round(wall * 1000) / 1000},
        {QStringLiteral("registrationsPerSecond"), std::round(rate)},
        {QStringLiteral("p50Ms"), std::round(p50 * 100) / 100},
        {QStringLiteral("p90Ms"), std::round(p90 * 100) / 100},
        {QStringLiteral("p99Ms"), std::round(p99 * 100) / 100},
        {QStringLiteral("maxMs"), std::round(max * 100) / 100},
        {QStringLiteral("errors"), failed},
        {QStringLiteral("serverPeakRssMb"), peakMb < 0 ? QJsonValue() : QJsonValue(std::round(peakMb * 10) / 10)},
        {QStringLiteral("serverRssAfterMb"), rssMb < 0 ? QJsonValue() : QJsonValue(std::round(rssMb * 10) / 10)},
        {QStringLiteral("serverCpuCores"),
         serverCpu < 0 ? QJsonValue() : QJsonValue(std::round(serverCpu * 100) / 100)},
        {QStringLiteral("serverCpuPerRegistrationUs"),
         serverCpuPerRegUs < 0 ? QJsonValue() : QJsonValue(std::round(serverCpuPerRegUs))},
        {QStringLiteral("serverRunQueueWait"),
         serverWait < 0 ? QJsonValue() : QJsonValue(std::round(serverWait * 100) / 100)},
        {QStringLiteral("clientCpuCores"),
         clientCpu < 0 ? QJsonValue() : QJsonValue(std::round(clientCpu * 100) / 100)},
        {QStringLiteral("loadAverageAfter"), loadAfter},
        {QStringLiteral("cpus"), QThread::idealThreadCount()},
        {QStringLiteral("setupSeconds"), std::round(setupSeconds * 100) / 100},
        {QStringLiteral("targetsMissed"), QJsonArray::fromStringList(missed)},
    };
    if (again.ran) {
        summary.insert(QStringLiteral("reregistrationsPerSecond"), std::round(again.rate));
        summary.insert(QStringLiteral("reregistrationP50Ms"), rounded(again.p50, 100));
        summary.insert(QStringLiteral("reregistrationP99Ms"), rounded(again.p99, 100));
        summary.insert(QStringLiteral("reregistrationErrors"), again.failed);
        summary.insert(QStringLiteral("reregistrationServerCpuPerRegistrationUs"),
                       rounded(again.serverCpuPerRequestUs, 1));
    }
    if (bare.ran) {
        summary.insert(QStringLiteral("baselineRequestsPerSecond"), std::round(bare.rate));
        summary.insert(QStringLiteral("baselineRequests"), bare.answered);
        summary.insert(QStringLiteral("baselineRequestsPerSecondBefore"), std::round(bareBefore.rate));
        summary.insert(QStringLiteral("baselineRequestsPerSecondAfter"),
                       rounded(bareAfter.ran ? bareAfter.rate : -1, 1));
        summary.insert(QStringLiteral("baselineP50Ms"), rounded(bare.p50, 100));
        summary.insert(QStringLiteral("baselineP99Ms"), rounded(bare.p99, 100));
        summary.insert(QStringLiteral("baselineErrors"), bare.failed);
        summary.insert(QStringLiteral("baselineServerCpuPerRequestUs"), rounded(bare.serverCpuPerRequestUs, 10));
        summary.insert(QStringLiteral("baselineClientCpuCores"), rounded(bare.clientCpu, 100));
        summary.insert(QStringLiteral("baselineRatio"), rounded(ratio, 1000));
        summary.insert(QStringLiteral("reregistrationBaselineRatio"), rounded(againRatio, 1000));
        summary.insert(QStringLiteral("baselineCpuRatio"), rounded(cpuRatio, 1000));
    }
    if (options.lists)
        summary.insert(QStringLiteral("lists"), lists.summary);
    out() << QJsonDocument(summary).toJson(QJsonDocument::Compact) << Qt::endl;

    if (own) {
        own->stop();
        if (options.keepData)
            err() << "data kept in " << own->dataDir() << " (middleware log: " << own->logPath() << ")" << Qt::endl;
    }
    const bool listsOk = !options.lists || lists.ok;
    return failed == 0 && again.failed == 0 && bare.failed == 0 && result.ok() && missed.isEmpty() && listsOk
               ? 0
               : kExitFailures;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("provisio-bench-registrations"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PROVISIO_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Registration load generator: N simulated devices register through the DPS device API, "
                       "C at a time, each with its own enrollment and SAS token. Starts its own middleware "
                       "unless --url is given. Exit code 0 when every device was assigned a hub (and every "
                       "requested target was met), 1 otherwise, 2 when setup failed."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption devicesOpt(QStringLiteral("devices"), QStringLiteral("Simulated devices (default 10000)."),
                                        QStringLiteral("n"), QStringLiteral("10000"));
    const QCommandLineOption concurrencyOpt(
        QStringLiteral("concurrency"),
        QStringLiteral("Devices registering at once, one keep-alive connection each (default 64)."),
        QStringLiteral("c"), QStringLiteral("64"));
    const QCommandLineOption setupConcurrencyOpt(
        QStringLiteral("setup-concurrency"),
        QStringLiteral("Connections creating enrollments during setup (default 8)."), QStringLiteral("c"),
        QStringLiteral("8"));
    const QCommandLineOption hubsOpt(QStringLiteral("hubs"),
                                     QStringLiteral("Hubs to link before the run (default 3; 0 links none)."),
                                     QStringLiteral("n"), QStringLiteral("3"));
    const QCommandLineOption urlOpt(
        QStringLiteral("url"),
        QStringLiteral("Benchmark a running middleware at this https:// URL instead of starting one."),
        QStringLiteral("url"));
    const QCommandLineOption caOpt(
        QStringLiteral("ca"),
        QStringLiteral("CA certificate (PEM) that signed the external middleware's certificate (its tls/ca.crt)."),
        QStringLiteral("file"));
    const QCommandLineOption tokenOpt(
        QStringLiteral("token"),
        QStringLiteral("Admin or operator API token of the external middleware (admin when hubs are linked)."),
        QStringLiteral("token"));
    const QCommandLineOption scopeOpt(QStringLiteral("id-scope"),
                                      QStringLiteral("ID scope of the external middleware."), QStringLiteral("scope"));
    const QCommandLineOption pidOpt(
        QStringLiteral("server-pid"),
        QStringLiteral("Process id of the external middleware, to report its memory and CPU."), QStringLiteral("pid"));
    const QCommandLineOption binOpt(
        QStringLiteral("middleware"),
        QStringLiteral("provisio-middleware binary to start (default: the one from this build)."),
        QStringLiteral("path"), QStringLiteral(PROVISIO_MIDDLEWARE_BIN));
    const QCommandLineOption databaseOpt(
        QStringLiteral("database"),
        QStringLiteral("Database URL for the started middleware (default: SQLite in its data directory)."),
        QStringLiteral("url"));
    const QCommandLineOption keepOpt(QStringLiteral("keep-data"),
                                     QStringLiteral("Keep the started middleware's data directory and log."));
    const QCommandLineOption holdOpt(
        QStringLiteral("hold-before-run"),
        QStringLiteral("Once every connection is open, wait until this file exists before the first registration "
                       "(to switch a profiler on exactly for the timed run)."),
        QStringLiteral("file"));
    const QCommandLineOption minRateOpt(QStringLiteral("min-rate"),
                                        QStringLiteral("Fail unless at least this many registrations/s."),
                                        QStringLiteral("n"));
    const QCommandLineOption maxP99Opt(QStringLiteral("max-p99-ms"),
                                       QStringLiteral("Fail when the p99 latency exceeds this."), QStringLiteral("ms"));
    const QCommandLineOption maxRssOpt(QStringLiteral("max-rss-mb"),
                                       QStringLiteral("Fail when the server's peak resident memory exceeds this."),
                                       QStringLiteral("mb"));
    const QCommandLineOption baselineOpt(
        QStringLiteral("baseline"),
        QStringLiteral("Also measure a bare Qt HTTP Server route (same TLS chain, same answer, same load generator "
                       "and concurrency; half of its requests before the registrations, half after the "
                       "re-registrations) and re-registrations, and print baselineRatio = registrations/s divided by "
                       "its requests/s."));
    const QCommandLineOption qtClientOpt(
        QStringLiteral("qt-client"),
        QStringLiteral("Drive the timed runs through QSslSocket connections on the event loop (the setup's client) "
                       "instead of OpenSSL on epoll, which costs the shared CPUs less per request."));
    const QCommandLineOption reregisterOpt(
        QStringLiteral("reregister"),
        QStringLiteral("After the run, let the same devices register again and time it."));
    const QCommandLineOption baselineRequestsOpt(
        QStringLiteral("baseline-requests"),
        QStringLiteral("Requests sent to the baseline route, in two halves (default: the devices, at least 50000)."),
        QStringLiteral("n"));
    const QCommandLineOption listsOpt(
        QStringLiteral("lists"),
        QStringLiteral("After the run, import one inventory device per enrollment and page through the CRM API "
                       "lists (devices, enrollments, registrations) as the CRM desktop does; print rows/s and "
                       "page latency per list."));
    const QCommandLineOption listPageOpt(QStringLiteral("list-page-size"),
                                         QStringLiteral("Rows per list page (default 500, the CRM's table pages)."),
                                         QStringLiteral("n"), QStringLiteral("500"));
    const QCommandLineOption listClientsOpt(
        QStringLiteral("list-clients"),
        QStringLiteral("Clients each walking every list on its own connection (default 1)."), QStringLiteral("n"),
        QStringLiteral("1"));
    // The baseline route's own process: the same binary in serving mode.
    QCommandLineOption baselineServerOpt(QStringLiteral("baseline-server"), QString(), QStringLiteral("tls-dir"));
    baselineServerOpt.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption baselineBodyOpt(QStringLiteral("baseline-body"), QString(), QStringLiteral("file"));
    baselineBodyOpt.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOptions({devicesOpt,
                       concurrencyOpt,
                       setupConcurrencyOpt,
                       hubsOpt,
                       urlOpt,
                       caOpt,
                       tokenOpt,
                       scopeOpt,
                       pidOpt,
                       binOpt,
                       databaseOpt,
                       keepOpt,
                       holdOpt,
                       minRateOpt,
                       maxP99Opt,
                       maxRssOpt,
                       baselineOpt,
                       reregisterOpt,
                       qtClientOpt,
                       baselineRequestsOpt,
                       listsOpt,
                       listPageOpt,
                       listClientsOpt,
                       baselineServerOpt,
                       baselineBodyOpt});
    parser.process(app);

    if (parser.isSet(baselineServerOpt)) {
        const int code = BaselineServer::runServer(parser.value(baselineServerOpt), parser.value(baselineBodyOpt));
        return code >= 0 ? code : app.exec();
    }

    Options o;
    bool ok = true;
    auto positive = [&](const QCommandLineOption &opt, int min) {
        bool good = false;
        const int v = parser.value(opt).toInt(&good);
        if (!good || v < min) {
            err() << "provisio-bench-registrations: --" << opt.names().constFirst() << " must be an integer >= " << min
                  << Qt::endl;
            ok = false;
        }
        return v;
    };
    auto number = [&](const QCommandLineOption &opt) {
        if (!parser.isSet(opt))
            return 0.0;
        bool good = false;
        const double v = parser.value(opt).toDouble(&good);
        if (!good || v <= 0) {
            err() << "provisio-bench-registrations: --" << opt.names().constFirst() << " must be a positive number"
                  << Qt::endl;
            ok = false;
        }
        return v;
    };
    o.devices = positive(devicesOpt, 1);
    o.concurrency = positive(concurrencyOpt, 1);
    o.setupConcurrency = positive(setupConcurrencyOpt, 1);
    o.hubs = positive(hubsOpt, 0);
    o.url = parser.value(urlOpt);
    o.caPath = parser.value(caOpt);
    o.token = parser.value(tokenOpt);
    o.idScope = parser.value(scopeOpt);
    o.serverPid = parser.value(pidOpt).toLongLong();
    o.middlewareBin = parser.value(binOpt);
    o.database = parser.value(databaseOpt);
    o.keepData = parser.isSet(keepOpt);
    o.holdFile = parser.value(holdOpt);
    o.baseline = parser.isSet(baselineOpt);
    o.reregister = o.baseline || parser.isSet(reregisterOpt);
    o.qtClient = parser.isSet(qtClientOpt);
    o.baselineRequests =
        parser.isSet(baselineRequestsOpt) ? positive(baselineRequestsOpt, 1) : std::max(o.devices, 50000);
    if (o.baseline && o.external()) {
        err() << "provisio-bench-registrations: --baseline needs the benchmark's own middleware (no --url): the "
                 "baseline presents its TLS chain"
              << Qt::endl;
        ok = false;
    }
    o.lists = parser.isSet(listsOpt);
    o.listOptions.pageSize = positive(listPageOpt, 1);
    o.listOptions.clients = positive(listClientsOpt, 1);
    o.minRate = number(minRateOpt);
    o.maxP99Ms = number(maxP99Opt);
    o.maxRssMb = number(maxRssOpt);
    if (o.external() && (o.token.isEmpty() || o.idScope.isEmpty())) {
        err() << "provisio-bench-registrations: --url needs --token and --id-scope (and usually --ca)" << Qt::endl;
        ok = false;
    }
    if (!o.external() && (!o.token.isEmpty() || !o.idScope.isEmpty() || !o.caPath.isEmpty() || o.serverPid)) {
        err() << "provisio-bench-registrations: --token, --id-scope, --ca and --server-pid need --url" << Qt::endl;
        ok = false;
    }
    if (!ok)
        return kExitSetupFailed;
    return run(o);
}

// SPDX-License-Identifier: Apache-2.0
#include "crmlists.h"

#include "support/benchutil.h"
#include "support/listwalker.h"
#include "support/processstats.h"
#include "support/requestrunner.h"

#include <QElapsedTimer>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>

namespace Provisio::Bench {

namespace {

QByteArray csvChunk(const QString &tag, int first, int count)
{
    QByteArray csv = "serial,model,manufacturer,batch,deliveryDate\n";
    csv.reserve(count * 56);
    static const char *const models[] = {"Sensor 2", "Sensor 3", "Gateway", "Display", "Meter"};
    for (int i = first; i < first + count; ++i) {
        csv += tag.toLatin1() + '-' + QByteArray::number(i) + ',' + models[i % 5] + ",Acme,B" +
               QByteArray::number(i / 1000) + ",2026-11-20\n";
    }
    return csv;
}

QString importDevices(const Endpoint &endpoint, const QString &token, const QString &tag, int devices, int chunk)
{
    const QByteArray headers =
        "Authorization: Bearer " + token.toUtf8() + "\r\nContent-Type: text/csv\r\nAccept: application/json\r\n";
    std::vector<QByteArray> requests;
    std::vector<int> counts;
    for (int first = 0; first < devices; first += chunk) {
        const int count = std::min(chunk, devices - first);
        requests.push_back(RawHttpsConnection::buildRequest("POST", "/api/v1/devices/import", endpoint.hostHeader(),
                                                            headers, csvChunk(tag, first, count)));
        counts.push_back(count);
    }
    RequestRunner runner(endpoint, 1);
    runner.setKeepBodies(true);
    const auto result = runner.run(requests);
    if (!result.ok())
        return result.abortReason;
    for (size_t i = 0; i < requests.size(); ++i) {
        const int created = QJsonDocument::fromJson(result.bodies[i]).object().value(QLatin1String("created")).toInt();
        if (result.status[i] != 200 || created != counts[i])
            return QStringLiteral("device import answered HTTP %1: %2")
                .arg(result.status[i])
                .arg(QString::fromUtf8(result.bodies[i].left(300)));
    }
    return {};
}

} // namespace

ListReport runListPasses(const Endpoint &endpoint, const QString &token, qint64 serverPid, const QString &tag,
                         int devices, qint64 expectedRows, const ListOptions &options)
{
    ListReport report;
    QElapsedTimer importClock;
    importClock.start();
    if (const QString failed = importDevices(endpoint, token, tag, devices, options.importChunk); !failed.isEmpty()) {
        report.error = failed;
        return report;
    }
    err() << "lists: " << devices << " devices imported in " << fixed(importClock.nsecsElapsed() / 1e9, 1) << " s"
          << Qt::endl;

    struct List
    {
        const char *name;
        QByteArray path;
        const char *key;
    };
    const List lists[] = {{"devices", "/api/v1/devices", "serial"},
                          {"enrollments", "/api/v1/enrollments", "registrationId"},
                          {"registrations", "/api/v1/registrations", "registrationId"}};
    report.ok = true;
    out() << "CRM API lists (" << options.pageSize << " rows a page, " << options.clients
          << (options.clients == 1 ? " client" : " clients") << " each walking the whole list)\n";
    for (const List &list : lists) {
        ListWalker walker(endpoint, token, options.clients);
        const ProcessStats before = ProcessStats::read(serverPid);
        const ListWalker::Result result = walker.walk(list.path, options.pageSize);
        const ProcessStats after = serverPid ? ProcessStats::read(serverPid) : ProcessStats();
        const ListWalker::Verdict verdict = ListWalker::verify(result, QLatin1String(list.key));
        std::vector<qint64> latencies = result.latencyNs;
        std::sort(latencies.begin(), latencies.end());
        const double wall = result.wallNs / 1e9;
        const double rowsPerSecond = wall > 0 ? verdict.rows / wall : 0;
        const double cpu = after.valid && before.valid ? after.cpuSeconds - before.cpuSeconds : -1;
        // Server CPU per 1,000 rows: what a page costs the middleware,
        // whatever share of the cores other work left it.
        const double cpuPerThousandMs = cpu >= 0 && verdict.rows > 0 ? cpu * 1e6 / double(verdict.rows) : -1;
        QString problem = result.abortReason;
        if (problem.isEmpty() && result.failedPages)
            problem = QStringLiteral("%1 pages failed, e.g. %2").arg(result.failedPages).arg(result.failureExample);
        if (problem.isEmpty())
            problem = verdict.error;
        if (problem.isEmpty() && expectedRows > 0 && verdict.rowsPerWalk < expectedRows)
            problem = QStringLiteral("%1 rows, expected at least %2").arg(verdict.rowsPerWalk).arg(expectedRows);
        if (!problem.isEmpty())
            report.ok = false;
        out() << QStringLiteral("  %1").arg(QLatin1String(list.name), -15) << fixed(rowsPerSecond, 0) << " rows/s, "
              << result.latencyNs.size() << " pages of " << verdict.rowsPerWalk << " rows in " << fixed(wall, 2)
              << " s; page p50 " << fixed(percentileMs(latencies, 0.50), 1) << " ms, p99 "
              << fixed(percentileMs(latencies, 0.99), 1) << " ms, max "
              << fixed(latencies.empty() ? 0 : latencies.back() / 1e6, 1) << " ms; server CPU "
              << (cpuPerThousandMs < 0 ? QStringLiteral("n/a") : fixed(cpuPerThousandMs, 1) + QStringLiteral(" ms"))
              << " per 1,000 rows" << (problem.isEmpty() ? QString() : QStringLiteral("; FAILED: ") + problem) << '\n';
        QJsonObject figures{{QStringLiteral("rowsPerSecond"), std::round(rowsPerSecond)},
                            {QStringLiteral("rows"), double(verdict.rowsPerWalk)},
                            {QStringLiteral("pages"), int(result.latencyNs.size())},
                            {QStringLiteral("p50Ms"), std::round(percentileMs(latencies, 0.50) * 100) / 100},
                            {QStringLiteral("p99Ms"), std::round(percentileMs(latencies, 0.99) * 100) / 100},
                            {QStringLiteral("errors"), problem.isEmpty() ? 0 : std::max(1, result.failedPages)}};
        if (cpuPerThousandMs >= 0)
            figures.insert(QStringLiteral("serverCpuMsPer1000Rows"), std::round(cpuPerThousandMs * 10) / 10);
        report.summary.insert(QLatin1String(list.name), figures);
    }
    if (serverPid) {
        const ProcessStats end = ProcessStats::read(serverPid);
        if (end.valid)
            report.summary.insert(QStringLiteral("serverPeakRssMb"), std::round(end.peakResidentKiB / 102.4) / 10);
    }
    report.summary.insert(QStringLiteral("pageSize"), options.pageSize);
    report.summary.insert(QStringLiteral("clients"), options.clients);
    return report;
}

} // namespace Provisio::Bench

// SPDX-License-Identifier: Apache-2.0
#include "support/benchutil.h"

#include "support/requestrunner.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QList>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <cmath>

#include <unistd.h>

namespace Provisio::Bench {

QTextStream &out()
{
    static QTextStream s(stdout);
    return s;
}

QTextStream &err()
{
    static QTextStream s(stderr);
    return s;
}

double percentileMs(const std::vector<qint64> &sorted, double p)
{
    if (sorted.empty())
        return 0;
    const size_t rank = size_t(std::ceil(p * double(sorted.size())));
    return double(sorted[std::min(sorted.size(), std::max<size_t>(rank, 1)) - 1]) / 1e6;
}

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return -1;
    std::sort(values.begin(), values.end());
    const size_t rank = size_t(std::max(0.0, std::ceil(p / 100.0 * double(values.size())) - 1));
    return values[std::min(rank, values.size() - 1)];
}

bool spinUntil(const std::function<bool()> &cond, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    QTimer ticker;
    ticker.start(50);
    while (!cond()) {
        if (deadline.hasExpired())
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents);
    }
    return true;
}

QString fixed(double v, int decimals)
{
    return QString::number(v, 'f', decimals);
}

QString loadAverage()
{
    QFile f(QStringLiteral("/proc/loadavg"));
    if (!f.open(QIODevice::ReadOnly))
        return QStringLiteral("n/a");
    const QList<QByteArray> parts = f.readAll().split(' ');
    return parts.size() >= 3 ? QString::fromLatin1(parts[0] + ' ' + parts[1] + ' ' + parts[2]) : QStringLiteral("n/a");
}

QString machine()
{
    QString cpu = QStringLiteral("unknown CPU");
    QFile info(QStringLiteral("/proc/cpuinfo"));
    if (info.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : info.readAll().split('\n')) {
            if (line.startsWith("model name")) {
                cpu = QString::fromLatin1(line.mid(line.indexOf(':') + 1).trimmed());
                break;
            }
        }
    }
    qint64 memoryKiB = 0;
    QFile mem(QStringLiteral("/proc/meminfo"));
    if (mem.open(QIODevice::ReadOnly)) {
        const QList<QByteArray> first = mem.readLine().simplified().split(' ');
        if (first.size() >= 2)
            memoryKiB = first.at(1).toLongLong();
    }
    return QStringLiteral("%1, %2 CPUs, %3 GiB")
        .arg(cpu)
        .arg(QThread::idealThreadCount())
        .arg(double(memoryKiB) / (1024.0 * 1024.0), 0, 'f', 1);
}

Answer request(const Endpoint &endpoint, const QByteArray &method, const QByteArray &target, const QString &bearer,
               const QByteArray &body)
{
    QByteArray headers = "Accept: application/json\r\n";
    if (!bearer.isEmpty())
        headers += "Authorization: Bearer " + bearer.toUtf8() + "\r\n";
    if (!body.isEmpty())
        headers += "Content-Type: application/json\r\n";
    RequestRunner runner(endpoint, 1);
    runner.setKeepBodies(true);
    const auto result =
        runner.run({RawHttpsConnection::buildRequest(method, target, endpoint.hostHeader(), headers, body)});
    Answer a;
    a.status = result.status.front();
    a.body = result.bodies.front();
    if (!result.ok())
        a.transportError = result.abortReason;
    else if (!result.transportErrors.isEmpty())
        a.transportError = result.transportErrors.firstKey();
    return a;
}

namespace {
// CPU time the whole machine spent busy so far (/proc/stat: all but idle
// and iowait), in seconds; -1 when unknown.
double machineBusySeconds()
{
    QFile stat(QStringLiteral("/proc/stat"));
    if (!stat.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> fields = stat.readLine().simplified().split(' ');
    if (fields.size() < 6 || fields.first() != "cpu")
        return -1;
    qint64 busy = 0;
    for (int i = 1; i < fields.size(); ++i)
        if (i != 4 && i != 5) // idle, iowait
            busy += fields.at(i).toLongLong();
    return double(busy) / double(sysconf(_SC_CLK_TCK));
}

} // namespace

void waitUntilQuiet(const char *before)
{
    ::sync();
    QElapsedTimer waited;
    waited.start();
    int quiet = 0;
    double last = machineBusySeconds();
    while (last >= 0 && quiet < 2 && waited.elapsed() < 60000) {
        QThread::msleep(250);
        const double now = machineBusySeconds();
        quiet = now - last < 0.01 ? quiet + 1 : 0;
        last = now;
    }
    if (waited.elapsed() > 600)
        err() << "the machine was busy for " << waited.elapsed() << " ms before " << before << Qt::endl;
}

} // namespace Provisio::Bench

// SPDX-License-Identifier: Apache-2.0
#include "processstats.h"

#include <QByteArray>
#include <QFile>
#include <QList>

#include <unistd.h>

namespace Provisio::Bench {

namespace {
QByteArray readProcFile(qint64 pid, const char *name)
{
    const QString path = pid == 0 ? QStringLiteral("/proc/self/%1").arg(QLatin1String(name))
                                  : QStringLiteral("/proc/%1/%2").arg(pid).arg(QLatin1String(name));
    QFile file(path);
    // /proc files report size 0: read until EOF instead of trusting size().
    if (!file.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        return {};
    return file.readAll();
}

qint64 statusKiB(const QByteArray &status, const QByteArray &key)
{
    // "VmHWM:\t   61234 kB"
    const QByteArray needle = '\n' + key + ':';
    const qsizetype at = status.indexOf(needle);
    if (at < 0)
        return 0;
    const qsizetype lineEnd = status.indexOf('\n', at + 1);
    const QByteArray line = status.mid(at + key.size() + 2, lineEnd < 0 ? -1 : lineEnd - at - key.size() - 2);
    return line.simplified().split(' ').value(0).toLongLong();
}
} // namespace

ProcessStats ProcessStats::read(qint64 pid)
{
    ProcessStats s;
    const QByteArray status = '\n' + readProcFile(pid, "status");
    const QByteArray stat = readProcFile(pid, "stat");
    if (status.size() < 2 || stat.isEmpty())
        return s;
    s.peakResidentKiB = statusKiB(status, "VmHWM");
    s.residentKiB = statusKiB(status, "VmRSS");
    // The command name in field 2 may hold spaces; fields after its ')' are
    // fixed: utime and stime are fields 14 and 15, i.e. 12th and 13th after it.
    const qsizetype close = stat.lastIndexOf(')');
    const QList<QByteArray> fields = stat.mid(close + 2).split(' ');
    if (fields.size() > 12) {
        const double ticks = double(sysconf(_SC_CLK_TCK));
        s.systemSeconds = fields.at(12).toLongLong() / ticks;
        s.cpuSeconds = fields.at(11).toLongLong() / ticks + s.systemSeconds;
    }
    // "<ns on CPU> <ns waiting on a run queue> <timeslices>"
    const QList<QByteArray> sched = readProcFile(pid, "schedstat").trimmed().split(' ');
    if (sched.size() >= 2)
        s.runQueueWaitSeconds = sched.at(1).toLongLong() / 1e9;
    s.valid = true;
    return s;
}

} // namespace Provisio::Bench

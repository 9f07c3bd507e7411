// SPDX-License-Identifier: Apache-2.0
#include "childprocesswatch.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QThread>

#include <csignal>
#include <cstdio>
#include <sys/prctl.h>
#include <unistd.h>

namespace Provisio::Test {

namespace {

// /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces and
// parentheses, so the fields after it start after the last ')'.
bool readStat(const QString &pid, char *state, qint64 *ppid)
{
    QFile file(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return false;
    const QByteArray stat = file.readAll();
    const int close = stat.lastIndexOf(')');
    if (close < 0)
        return false;
    const QList<QByteArray> fields = stat.mid(close + 2).split(' ');
    if (fields.size() < 2 || fields.at(0).isEmpty())
        return false;
    *state = fields.at(0).at(0);
    bool ok = false;
    *ppid = fields.at(1).toLongLong(&ok);
    return ok;
}

QString commandLineOf(qint64 pid)
{
    QFile file(QStringLiteral("/proc/%1/cmdline").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return QString();
    QByteArray cmd = file.readAll();
    cmd.replace('\0', ' ');
    return QString::fromLocal8Bit(cmd.trimmed());
}

bool isAlive(qint64 pid)
{
    char state = 0;
    qint64 ppid = 0;
    return readStat(QString::number(pid), &state, &ppid) && state != 'Z' && state != 'X';
}

} // namespace

QList<ChildProcessWatch::Child> ChildProcessWatch::liveChildren()
{
    QList<Child> children;
    const qint64 self = ::getpid();
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &entry : entries) {
        bool numeric = false;
        const qint64 pid = entry.toLongLong(&numeric);
        if (!numeric || pid == self)
            continue;
        char state = 0;
        qint64 ppid = 0;
        if (!readStat(entry, &state, &ppid) || ppid != self || state == 'Z' || state == 'X')
            continue;
        children.append({pid, commandLineOf(pid)});
    }
    return children;
}

bool ChildProcessWatch::adoptOrphans()
{
    return ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;
}

void ChildProcessWatch::killAll(const QList<Child> &children)
{
    for (const Child &child : children)
        ::kill(pid_t(child.pid), SIGKILL);
    QDeadlineTimer deadline(5000);
    for (const Child &child : children) {
        while (isAlive(child.pid) && !deadline.hasExpired())
            QThread::msleep(20);
    }
}

QString ChildProcessWatch::describe(const QList<Child> &children)
{
    QStringList lines;
    for (const Child &child : children)
        lines << QStringLiteral("pid %1: %2").arg(child.pid).arg(child.commandLine);
    return lines.join(QStringLiteral("; "));
}

void ChildProcessWatch::begin()
{
    m_before.clear();
    for (const Child &child : liveChildren())
        m_before.insert(child.pid);
}

QList<ChildProcessWatch::Child> ChildProcessWatch::outlived(int graceMs)
{
    // A process told to stop a moment ago may still be on its way out.
    QList<Child> left;
    QDeadlineTimer deadline(graceMs);
    do {
        left.clear();
        for (const Child &child : liveChildren()) {
            if (!m_before.contains(child.pid))
                left.append(child);
        }
        if (left.isEmpty())
            return left;
        QThread::msleep(50);
    } while (!deadline.hasExpired());
    killAll(left);
    return left;
}

void ChildProcessWatch::verify()
{
    const QList<Child> left = outlived();
    if (!left.isEmpty())
        QFAIL(qPrintable(QStringLiteral("process(es) started by this test outlived it: ") + describe(left)));
}

int ChildProcessWatch::finishRun(int testExitCode)
{
    ChildProcessWatch watch; // nothing was there before the run
    const QList<Child> left = watch.outlived();
    if (left.isEmpty())
        return testExitCode;
    std::fprintf(stderr, "FAIL! : process(es) started by this test run outlived it (killed now): %s\n",
                 qPrintable(describe(left)));
    return testExitCode != 0 ? testExitCode : 1;
}

} // namespace Provisio::Test

// SPDX-License-Identifier: Apache-2.0
#include "support/middlewareserver.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QRegularExpression>

namespace Provisio::Bench {

MiddlewareServer::~MiddlewareServer()
{
    stop();
}

bool MiddlewareServer::start(const QString &bin, const QString &dataDir, const QString &database, QString *error)
{
    m_bin = bin;
    m_dataDir = dataDir;
    m_database = database;
    QStringList args{QStringLiteral("serve"), QStringLiteral("--data-dir"), dataDir, QStringLiteral("--listen"),
                     QStringLiteral("127.0.0.1:0")};
    if (!m_database.isEmpty())
        args << QStringLiteral("--database") << m_database;
    m_process.setProgram(m_bin);
    m_process.setArguments(args);
    // The service logs to stderr; keep it, as journald would, without
    // letting a full pipe stall the server.
    m_process.setStandardErrorFile(logPath());
    m_process.start();
    if (!m_process.waitForStarted(10000)) {
        *error = QStringLiteral("cannot start %1: %2").arg(m_bin, m_process.errorString());
        return false;
    }
    static const QRegularExpression listening(QStringLiteral("listening on (\\S+) \\(ID scope (\\S+)\\)"));
    // Five minutes: under valgrind on a loaded machine the first start
    // takes more than one (bench/crm/import-instructions.sh).
    QDeadlineTimer deadline(300000);
    QString stdoutText;
    while (!deadline.hasExpired()) {
        if (m_process.state() != QProcess::Running) {
            *error =
                QStringLiteral("the middleware exited early (code %1): %2").arg(m_process.exitCode()).arg(tailOfLog());
            return false;
        }
        m_process.waitForReadyRead(100);
        stdoutText += QString::fromUtf8(m_process.readAllStandardOutput());
        const auto match = listening.match(stdoutText);
        if (match.hasMatch()) {
            m_url = match.captured(1);
            m_idScope = match.captured(2);
            return true;
        }
    }
    *error = QStringLiteral("the middleware did not report its address within 300 s: %1").arg(tailOfLog());
    return false;
}

QString MiddlewareServer::createToken(const QString &role, const QString &name, QString *error) const
{
    QProcess p;
    QStringList args{QStringLiteral("token"),      QStringLiteral("create"),
                     QStringLiteral("--data-dir"), m_dataDir,
                     QStringLiteral("--role"),     role,
                     QStringLiteral("--name"),     name};
    if (!m_database.isEmpty())
        args << QStringLiteral("--database") << m_database;
    p.start(m_bin, args);
    if (!p.waitForFinished(60000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        *error = QStringLiteral("token create failed: %1").arg(QString::fromUtf8(p.readAllStandardError()).trimmed());
        return {};
    }
    return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
}

QString MiddlewareServer::run(const QStringList &args, QString *error, QString *stderrText) const
{
    QProcess p;
    p.start(m_bin, args);
    const bool ok = p.waitForFinished(120000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    const QString errText = QString::fromUtf8(p.readAllStandardError()).trimmed();
    if (stderrText)
        *stderrText = errText;
    if (!ok) {
        *error = QStringLiteral("provisio-middleware %1 failed: %2").arg(args.value(0), errText);
        return {};
    }
    const QString stdoutText = QString::fromUtf8(p.readAllStandardOutput()).trimmed();
    return stdoutText.isEmpty() ? QStringLiteral("ok") : stdoutText;
}

void MiddlewareServer::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.terminate();
    if (!m_process.waitForFinished(15000)) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

QString MiddlewareServer::caPath() const
{
    return QDir(m_dataDir).filePath(QStringLiteral("tls/ca.crt"));
}

QString MiddlewareServer::logPath() const
{
    return QDir(m_dataDir).filePath(QStringLiteral("middleware.log"));
}

QString MiddlewareServer::tailOfLog() const
{
    QFile f(logPath());
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll().right(2000)).trimmed() : QString();
}

} // namespace Provisio::Bench

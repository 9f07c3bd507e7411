// SPDX-License-Identifier: Apache-2.0
#include "middlewareprocess.h"
#include "httpsclient.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QThread>
#include <QUrl>

#include <csignal>

namespace Provisio::Test {

MiddlewareProcess::MiddlewareProcess(const QStringList &extraArgs, const QString &databaseUrl)
    : m_extraArgs(extraArgs), m_databaseUrl(databaseUrl)
{
    if (m_databaseUrl.isEmpty() && qEnvironmentVariable("PROVISIO_TEST_BACKEND") == QLatin1String("postgres")) {
        m_databaseUrl = freshPostgresDatabase(QStringLiteral("mw"));
        if (m_databaseUrl.isEmpty())
            qFatal("PROVISIO_TEST_BACKEND=postgres but no PostgreSQL database could be created "
                   "(is PROVISIO_TEST_PG_URL set and the server running?)");
    }
}

MiddlewareProcess::~MiddlewareProcess()
{
    stop();
}

QString MiddlewareProcess::caCertificatePath() const
{
    return QDir(m_dir.path()).filePath(QStringLiteral("tls/ca.crt"));
}

MiddlewareProcess::CliResult MiddlewareProcess::cli(const QStringList &args) const
{
    QProcess p;
    QStringList all = args;
    all << QStringLiteral("--data-dir") << m_dir.path();
    if (!m_databaseUrl.isEmpty())
        all << QStringLiteral("--database") << m_databaseUrl;
    p.start(QStringLiteral(PROVISIO_MIDDLEWARE_BIN), all);
    p.waitForFinished(60000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

QString MiddlewareProcess::createToken(const QString &role, const QString &name) const
{
    QStringList args{QStringLiteral("token"), QStringLiteral("create"), QStringLiteral("--role"), role};
    if (!name.isEmpty())
        args << QStringLiteral("--name") << name;
    const CliResult r = cli(args);
    return r.exitCode == 0 ? r.out.trimmed() : QString();
}

bool MiddlewareProcess::start()
{
    stop();
    m_log.clear();
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::SeparateChannels);
    QStringList args{QStringLiteral("serve"), QStringLiteral("--data-dir"), m_dir.path(), QStringLiteral("--listen"),
                     m_port ? QStringLiteral("127.0.0.1:%1").arg(m_port) : QStringLiteral("127.0.0.1:0")};
    if (!m_databaseUrl.isEmpty())
        args << QStringLiteral("--database") << m_databaseUrl;
    args << m_extraArgs;
    if (m_prefix.isEmpty()) {
        m_process->start(QStringLiteral(PROVISIO_MIDDLEWARE_BIN), args);
    } else {
        QStringList all = m_prefix.mid(1);
        all << QStringLiteral(PROVISIO_MIDDLEWARE_BIN) << args;
        m_process->start(m_prefix.first(), all);
    }
    if (!m_process->waitForStarted(10000)) {
        m_error = QStringLiteral("middleware did not start: ") + m_process->errorString();
        return false;
    }
    // The first stdout line says where it listens.
    static const QRegularExpression re(QStringLiteral("listening on (\\S+) \\(ID scope (\\S+)\\)"));
    QDeadlineTimer deadline(30000);
    QString out;
    while (!deadline.hasExpired()) {
        if (m_process->state() != QProcess::Running) {
            m_log += QString::fromUtf8(m_process->readAllStandardError());
            m_error = QStringLiteral("middleware exited early: ") + m_log;
            return false;
        }
        m_process->waitForReadyRead(200);
        out += QString::fromUtf8(m_process->readAllStandardOutput());
        m_log += QString::fromUtf8(m_process->readAllStandardError());
        const auto m = re.match(out);
        if (m.hasMatch()) {
            m_baseUrl = m.captured(1);
            m_idScope = m.captured(2);
            m_port = quint16(QUrl(m_baseUrl).port());
            // Printed before the line above when DPS over MQTT is on.
            static const QRegularExpression mqtt(QStringLiteral("DPS over MQTT on (\\S+)"));
            const auto m2 = mqtt.match(out);
            m_dpsMqttPort = m2.hasMatch() ? quint16(QUrl(m2.captured(1)).port()) : 0;
            break;
        }
    }
    if (m_baseUrl.isEmpty()) {
        m_error = QStringLiteral("middleware did not report its address: ") + m_log;
        return false;
    }
    HttpsClient client(m_baseUrl, m_probeCa.isEmpty() ? caCertificatePath() : m_probeCa);
    client.setPeerVerification(m_probeVerifies);
    while (!deadline.hasExpired()) {
        if (client.get(QStringLiteral("/healthz")).status == 200)
            return true;
        QThread::msleep(50);
    }
    m_error = QStringLiteral("middleware never became healthy: ") + m_log;
    return false;
}

QString MiddlewareProcess::drainLog()
{
    if (m_process)
        m_log += QString::fromUtf8(m_process->readAllStandardError());
    return m_log;
}

bool processIsStopped(qint64 pid)
{
    if (pid <= 0)
        return false;
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return false;
    // "PID (COMM) STATE ...": the command may hold spaces and parentheses,
    // so the state follows the last ')'.
    const QByteArray line = stat.readAll();
    const qsizetype close = line.lastIndexOf(')');
    return close > 0 && close + 2 < line.size() && line.at(close + 2) == 'T';
}

bool MiddlewareProcess::sendSignal(int sig) const
{
    const qint64 pid = processId();
    // 0 and negative ids name process groups (0: the caller's own).
    if (pid <= 0)
        return false;
    return ::kill(pid_t(pid), sig) == 0;
}

void MiddlewareProcess::stop()
{
    if (!m_process)
        return;
    if (m_process->state() == QProcess::Running) {
        m_process->terminate(); // SIGTERM
        if (!m_process->waitForFinished(15000)) {
            m_process->kill();
            m_process->waitForFinished(5000);
        }
    }
    m_exitCode = m_process->exitCode();
    m_exitStatus = m_process->exitStatus();
    m_log += QString::fromUtf8(m_process->readAllStandardError());
    m_process.reset();
}

QString MiddlewareProcess::testDatabaseLocation(const QString &directory, const QString &name)
{
    if (qEnvironmentVariable("PROVISIO_TEST_BACKEND") == QLatin1String("postgres"))
        return freshPostgresDatabase(name);
    return QDir(directory).filePath(name + QStringLiteral(".db"));
}

QString MiddlewareProcess::freshPostgresDatabase(const QString &tag)
{
    QString admin = qEnvironmentVariable("PROVISIO_TEST_PG_URL");
    if (admin.isEmpty()) {
        QFile file(qEnvironmentVariable("PROVISIO_TEST_PG_URL_FILE"));
        if (file.open(QIODevice::ReadOnly))
            admin = QString::fromUtf8(file.readAll()).trimmed();
    }
    if (admin.isEmpty())
        return {};
    const QUrl url(admin);
    const QString name = QStringLiteral("t_%1_%2_%3")
                             .arg(tag.toLower())
                             .arg(QCoreApplication::applicationPid())
                             .arg(QDateTime::currentMSecsSinceEpoch() % 100000000);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), QStringLiteral("pg-admin"));
        db.setHostName(url.host());
        db.setPort(url.port(5432));
        db.setUserName(url.userName());
        db.setPassword(url.password());
        db.setDatabaseName(url.path().mid(1));
        if (!db.open())
            return {};
        db.exec(QStringLiteral("CREATE DATABASE ") + name);
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("pg-admin"));
    QUrl out = url;
    out.setPath(QLatin1Char('/') + name);
    return out.toString();
}

} // namespace Provisio::Test

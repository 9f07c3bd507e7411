// SPDX-License-Identifier: Apache-2.0
#include "mosquittoprocess.h"

#include <QElapsedTimer>
#include <QFile>
#include <QHostAddress>
#include <QTcpServer>
#include <QTcpSocket>

namespace Provisio::Test {

quint16 freeLocalPort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 0;
    return server.serverPort(); // released when `server` goes
}

MiddlewareProcess::CliResult writeHubConfig(const MiddlewareProcess &middleware, const QString &hub, quint16 port,
                                            const QString &outDir, const QStringList &extraArgs)
{
    return middleware.cli(QStringList{QStringLiteral("hub-config"), QStringLiteral("--hub"), hub,
                                      QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(port),
                                      QStringLiteral("--out"), outDir} +
                          extraArgs);
}

MosquittoProcess::MosquittoProcess(const QString &program)
    : m_program(program), m_logPath(m_dir.filePath(QStringLiteral("mosquitto.log")))
{ }

MosquittoProcess::~MosquittoProcess()
{
    stop();
}

bool MosquittoProcess::start(const QString &conf, quint16 port)
{
    stop();
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    m_process->setStandardOutputFile(m_logPath, QIODevice::Append);
    m_process->start(m_program, {QStringLiteral("-c"), conf});
    if (!m_process->waitForStarted(5000))
        return false;
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 15000) {
        // waitForFinished() also updates state() without an event loop.
        if (m_process->waitForFinished(50) || m_process->state() != QProcess::Running)
            return false;
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, port);
        if (probe.waitForConnected(200)) {
            probe.abort();
            return true;
        }
    }
    return false;
}

int MosquittoProcess::waitForExit(int timeoutMs)
{
    if (!m_process)
        return -1;
    if (m_process->state() != QProcess::NotRunning && !m_process->waitForFinished(timeoutMs))
        return -1;
    return m_process->exitStatus() == QProcess::NormalExit ? m_process->exitCode() : -2;
}

void MosquittoProcess::stop()
{
    if (!m_process)
        return;
    if (m_process->state() == QProcess::Running) {
        m_process->terminate();
        if (!m_process->waitForFinished(10000)) {
            m_process->kill();
            m_process->waitForFinished(5000);
        }
    }
    m_process.reset();
}

void MosquittoProcess::kill()
{
    if (!m_process)
        return;
    if (m_process->state() == QProcess::Running) {
        m_process->kill();
        m_process->waitForFinished(5000);
    }
    m_process.reset();
}

QString MosquittoProcess::log() const
{
    QFile f(m_logPath);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

} // namespace Provisio::Test

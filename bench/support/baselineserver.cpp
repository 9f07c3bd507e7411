// SPDX-License-Identifier: Apache-2.0
#include "support/baselineserver.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QHttpServer>
#include <QHttpServerResponse>
#include <QRegularExpression>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QTextStream>

namespace Provisio::Bench {

namespace {
QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}
} // namespace

BaselineServer::~BaselineServer()
{
    stop();
}

bool BaselineServer::start(const QString &bin, const QString &tlsDir, const QByteArray &body, const QString &workDir,
                           QString *error)
{
    const QString bodyFile = QDir(workDir).filePath(QStringLiteral("baseline-body.json"));
    QFile f(bodyFile);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(body) != body.size()) {
        *error = QStringLiteral("cannot write %1").arg(bodyFile);
        return false;
    }
    f.close();
    m_process.setProgram(bin);
    m_process.setArguments({QStringLiteral("--baseline-server"), tlsDir, QStringLiteral("--baseline-body"), bodyFile});
    m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_process.start();
    if (!m_process.waitForStarted(10000)) {
        *error = QStringLiteral("cannot start the baseline server: %1").arg(m_process.errorString());
        return false;
    }
    static const QRegularExpression listening(QStringLiteral("baseline listening on (\\d+)"));
    QDeadlineTimer deadline(30000);
    QString text;
    while (!deadline.hasExpired() && m_process.state() == QProcess::Running) {
        m_process.waitForReadyRead(100);
        text += QString::fromUtf8(m_process.readAllStandardOutput());
        const auto match = listening.match(text);
        if (match.hasMatch()) {
            m_port = quint16(match.captured(1).toUInt());
            return true;
        }
    }
    *error = QStringLiteral("the baseline server did not report its port: %1").arg(text.trimmed());
    return false;
}

void BaselineServer::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.terminate();
    if (!m_process.waitForFinished(5000)) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

int BaselineServer::runServer(const QString &tlsDir, const QString &bodyFile)
{
    QTextStream errors(stderr);
    const QDir dir(tlsDir);
    // The chain the middleware presents: its certificate, then its CA.
    QList<QSslCertificate> chain =
        QSslCertificate::fromData(readFile(dir.filePath(QStringLiteral("server.crt"))), QSsl::Pem);
    chain += QSslCertificate::fromData(readFile(dir.filePath(QStringLiteral("ca.crt"))), QSsl::Pem);
    const QByteArray keyPem = readFile(dir.filePath(QStringLiteral("server.key")));
    QSslKey key(keyPem, QSsl::Ec, QSsl::Pem);
    if (key.isNull())
        key = QSslKey(keyPem, QSsl::Rsa, QSsl::Pem);
    const QByteArray body = readFile(bodyFile);
    if (chain.size() < 2 || key.isNull() || body.isEmpty()) {
        errors << "baseline server: cannot read the certificates, key or body from " << tlsDir << " and " << bodyFile
               << Qt::endl;
        return 2;
    }
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    ssl.setLocalCertificateChain(chain);
    ssl.setPrivateKey(key);
    ssl.setProtocol(QSsl::TlsV1_2OrLater);
    ssl.setPeerVerifyMode(QSslSocket::VerifyNone);

    // Lives as long as the application, which serves until terminated.
    auto *server = new QHttpServer(QCoreApplication::instance());
    server->route(QStringLiteral("/<arg>/registrations/<arg>/register"), QHttpServerRequest::Method::Put,
                  [body](const QString &, const QString &) {
                      return QHttpServerResponse(QByteArrayLiteral("application/json"), body,
                                                 QHttpServerResponse::StatusCode::Accepted);
                  });
    server->sslSetup(ssl);
    const quint16 port = server->listen(QHostAddress::LocalHost, 0);
    if (port == 0) {
        errors << "baseline server: cannot listen on 127.0.0.1" << Qt::endl;
        return 2;
    }
    QTextStream(stdout) << "baseline listening on " << port << Qt::endl;
    return -1; // serving: the caller runs the event loop
}

} // namespace Provisio::Bench

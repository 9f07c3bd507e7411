// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>

namespace Provisio::Bench {

// A `provisio-middleware serve` the benchmark starts itself: a given data
// directory, SQLite unless a database URL is given, HTTPS on a free loopback
// port, exactly as it runs in production.
class MiddlewareServer
{
public:
    ~MiddlewareServer();

    // Starts `bin serve --data-dir DIR --listen 127.0.0.1:0 [--database URL]`
    // and waits (60 s at most) for the line that says where it listens.
    bool start(const QString &bin, const QString &dataDir, const QString &database, QString *error);

    // `provisio-middleware token create`: the way an operator gets the first
    // token, no API involved. Empty and *error on failure.
    QString createToken(const QString &role, const QString &name, QString *error) const;

    // Runs a CLI command of the same binary; returns its stdout ("ok" when it
    // printed nothing), or an empty string and *error.
    QString run(const QStringList &args, QString *error, QString *stderrText = nullptr) const;

    void stop(); // SIGTERM, then SIGKILL when it does not go

    QString dataDir() const { return m_dataDir; }
    QString url() const { return m_url; }
    QString idScope() const { return m_idScope; }
    qint64 pid() const { return m_process.processId(); }
    bool running() const { return m_process.state() == QProcess::Running; }
    QString caPath() const;
    QString logPath() const;
    // The last 2000 bytes of the service's log.
    QString tailOfLog() const;

private:
    QString m_bin;
    QString m_dataDir;
    QString m_database;
    QString m_url;
    QString m_idScope;
    QProcess m_process;
};

} // namespace Provisio::Bench

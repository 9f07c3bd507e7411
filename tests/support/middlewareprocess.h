// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace Provisio::Test {

// Whether process `pid` is stopped (SIGSTOP) right now, as the kernel
// reports it (/proc/PID/stat); false for no such process.
bool processIsStopped(qint64 pid);

// The real `provisio-middleware serve` in a temporary data directory on a free
// port, as an operator would run it. Integration tests talk to it over real
// HTTPS; restart() proves data survives.
class MiddlewareProcess
{
public:
    // `databaseUrl` empty: SQLite in the data directory, unless the
    // environment says PROVISIO_TEST_BACKEND=postgres: then a fresh database
    // on the PROVISIO_TEST_PG_URL server, so one suite runs against both
    // (see provisio_add_test's POSTGRES option).
    explicit MiddlewareProcess(const QStringList &extraArgs = {}, const QString &databaseUrl = {});
    ~MiddlewareProcess();

    // Starts and waits until /healthz answers; returns false with a reason in
    // lastError() otherwise.
    bool start();
    void stop(); // SIGTERM, then wait for a clean exit
    bool restart()
    {
        stop();
        return start();
    }
    int exitCode() const { return m_exitCode; }
    QProcess::ExitStatus exitStatus() const { return m_exitStatus; }

    QString dataDir() const { return m_dir.path(); }
    QString baseUrl() const { return m_baseUrl; }
    quint16 port() const { return m_port; }
    // The DPS-over-MQTT port when started with --dps-mqtt-listen (0 otherwise).
    quint16 dpsMqttPort() const { return m_dpsMqttPort; }
    QString idScope() const { return m_idScope; }
    QString caCertificatePath() const;
    // The CA the readiness probe trusts; defaults to the instance's own CA
    // (set it when the instance serves an operator-provided certificate).
    void setProbeCaCertificate(const QString &path) { m_probeCa = path; }
    // For an instance serving a certificate that must fail verification (an
    // expired one, another host's): start() then waits for /healthz without
    // checking the certificate.
    void setProbeVerifiesCertificate(bool on) { m_probeVerifies = on; }
    QString lastError() const { return m_error; }
    QString log() const { return m_log; }
    // The log so far, including what the running process wrote since start().
    QString drainLog();
    // Runs the binary through this command (e.g. prlimit with a descriptor
    // limit); the command must exec the binary so its pid stays the same.
    void setCommandPrefix(const QStringList &prefix) { m_prefix = prefix; }
    // The running process's pid (0 when not running).
    qint64 processId() const { return m_process ? m_process->processId() : 0; }
    // Sends `sig` (SIGSTOP, SIGCONT, SIGKILL...) to the running middleware
    // alone; false, sending nothing, when it is not running. Never
    // ::kill(processId(), ...) directly: with no process running that is
    // kill(0, ...), which signals the caller's whole process group - under
    // `ctest -j` every test running at that moment and every middleware they
    // started (a SIGCONT from one test once resumed another test's stopped
    // middleware in the middle of its stall).
    bool sendSignal(int sig) const;
    // Whether the running middleware is stopped right now (processIsStopped);
    // false when it is not running.
    bool isStopped() const { return processIsStopped(processId()); }
    QString databaseUrl() const { return m_databaseUrl; }

    // Runs `provisio-middleware ARGS --data-dir DIR [--database URL]` to completion.
    struct CliResult
    {
        int exitCode;
        QString out;
        QString err;
    };
    CliResult cli(const QStringList &args) const;
    // `token create`; returns the token (empty on failure).
    QString createToken(const QString &role, const QString &name = {}) const;

    // A fresh, empty PostgreSQL database for one test process, when
    // PROVISIO_TEST_PG_URL is set (the test script starts a cluster); empty
    // string otherwise.
    static QString freshPostgresDatabase(const QString &tag);
    // Where a test opens its own database for the backend this run tests:
    // the SQLite file `name`.db in `directory`, or a fresh PostgreSQL
    // database when PROVISIO_TEST_BACKEND=postgres (empty when none could be
    // created).
    static QString testDatabaseLocation(const QString &directory, const QString &name);

private:
    QTemporaryDir m_dir;
    QStringList m_extraArgs;
    QString m_databaseUrl;
    QString m_probeCa;
    bool m_probeVerifies = true;
    QStringList m_prefix;
    std::unique_ptr<QProcess> m_process;
    QString m_baseUrl;
    QString m_idScope;
    QString m_error;
    QString m_log;
    quint16 m_port = 0;
    quint16 m_dpsMqttPort = 0;
    int m_exitCode = -1;
    QProcess::ExitStatus m_exitStatus = QProcess::NormalExit;
};

} // namespace Provisio::Test

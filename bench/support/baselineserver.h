// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QProcess>
#include <QString>

namespace Provisio::Bench {

// The yardstick a benchmark divides by: a bare Qt HTTP Server route in a
// process of its own, one event loop, HTTPS with the certificate chain and
// key of the middleware it is compared with, answering every
// `PUT /{scope}/registrations/{id}/register` with a fixed 202 body (the
// middleware's own answer, so both send the same bytes). Whatever the
// middleware costs beyond it is Provisio's.
class BaselineServer
{
public:
    ~BaselineServer();

    // Starts `bin` in its serving mode (runServer below) with the TLS files
    // of `tlsDir` (server.crt, ca.crt, server.key) and `body`; waits for its
    // port. False and *error when it does not come up.
    bool start(const QString &bin, const QString &tlsDir, const QByteArray &body, const QString &workDir,
               QString *error);
    void stop();

    quint16 port() const { return m_port; }
    qint64 pid() const { return m_process.processId(); }

    // The serving mode's main: listens on 127.0.0.1, a free port, prints
    // "baseline listening on PORT" and serves until terminated. Returns the
    // exit code when it cannot start.
    static int runServer(const QString &tlsDir, const QString &bodyFile);

private:
    QProcess m_process;
    quint16 m_port = 0;
};

} // namespace Provisio::Bench

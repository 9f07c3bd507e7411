// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "middlewareprocess.h"

#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace Provisio::Test {

// A TCP port on 127.0.0.1 that was free a moment ago (0 when none was found).
quint16 freeLocalPort();

// `provisio-middleware hub-config --hub HUB --listen 127.0.0.1:PORT --out DIR
// [EXTRA...]`: the broker configuration for a linked hub, written by the
// real binary.
MiddlewareProcess::CliResult writeHubConfig(const MiddlewareProcess &middleware, const QString &hub, quint16 port,
                                            const QString &outDir, const QStringList &extraArgs = {});

// One `mosquitto -c conf` child. Its log goes to a file, so a chatty broker
// never blocks on a full pipe while the test is busy in an MQTT loop.
class MosquittoProcess
{
public:
    // `program`: the mosquitto binary to run.
    explicit MosquittoProcess(const QString &program);
    ~MosquittoProcess();

    // Starts the broker and waits until it accepts connections on `port`;
    // false when it exits or does not listen within 15 s.
    bool start(const QString &conf, quint16 port);

    // For a broker that is expected to refuse to start: its exit code, or -1
    // when it still runs after `timeoutMs`.
    int waitForExit(int timeoutMs);

    void stop(); // SIGTERM, then SIGKILL when it does not go
    void kill(); // SIGKILL: a crash, nothing saved

    // Everything the broker logged so far, across restarts.
    QString log() const;

private:
    QString m_program;
    QTemporaryDir m_dir;
    QString m_logPath;
    std::unique_ptr<QProcess> m_process;
};

} // namespace Provisio::Test

// SPDX-License-Identifier: Apache-2.0
// provisio-agent: the headless Provisio device (see agent.h, agentoptions.h).
#include "agent.h"
#include "agentoptions.h"
#include "core/signalwatcher.h"

#include <QCoreApplication>
#include <QTextStream>
#include <QTimer>

#include <sys/resource.h>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("provisio-agent"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PROVISIO_VERSION));

    QTextStream out(stdout);
    QTextStream err(stderr);
    const auto options = Provisio::Agent::AgentOptions::parse(QCoreApplication::arguments());
    if (!options) {
        err << "provisio-agent: " << options.error().message << "\nTry 'provisio-agent --help'." << Qt::endl;
        return 2;
    }
    for (const QString &warning : options->warnings)
        err << "provisio-agent: warning: " << warning << Qt::endl;
    if (options->showHelp) {
        out << Provisio::Agent::AgentOptions::helpText() << Qt::flush;
        return 0;
    }
    if (options->showVersion) {
        out << "provisio-agent " << QCoreApplication::applicationVersion() << Qt::endl;
        return 0;
    }

    // Each simulated device holds a TLS connection and an SQLite outbox (three
    // files with its WAL): a few hundred devices need more than the usual 1024.
    rlimit files = {};
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &files);
    }

    Provisio::Agent::Agent agent(*options, out);
    Provisio::SignalWatcher signals;
    QObject::connect(&signals, &Provisio::SignalWatcher::terminationRequested, &agent, &Provisio::Agent::Agent::stop);
    QObject::connect(&agent, &Provisio::Agent::Agent::finished, &app, [](int code) { QCoreApplication::exit(code); });
    QTimer::singleShot(0, &agent, &Provisio::Agent::Agent::start);
    return app.exec();
}

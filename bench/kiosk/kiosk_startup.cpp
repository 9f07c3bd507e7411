// SPDX-License-Identifier: Apache-2.0
// provisio-bench-kiosk: how long the real provisio-kiosk takes from launch to
// its first frame (the welcome screen, ready for a tap) and how much memory
// it holds then. Exit 0 when the targets are met, 1 when one is missed or a
// run failed, 2 when the kiosk cannot be started at all. Each run starts the binary with --exit-after-first-frame on
// a fresh data directory and reads the line it prints when the window's
// first frame has been swapped; the launcher also times the run from its own
// side (process start to that line), which includes loading the program and
// its libraries. Targets (issue #4): under 2 s and under 150 MB.
//
//   provisio-bench-kiosk [--runs N] [--platform offscreen|xcb|eglfs] [--kiosk PATH]
#include "support/benchutil.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QTemporaryDir>

#include <algorithm>
#include <vector>

using namespace Provisio::Bench;

namespace {

constexpr double kTargetMs = 2000;
constexpr double kTargetMiB = 150;

struct Run
{
    bool ok = false;
    qint64 launcherNs = 0;  // QProcess::start to the report line
    qint64 selfMs = 0;      // main() to first frame, as the kiosk measured it
    qint64 residentKiB = 0; // VmRSS at the first frame
    qint64 peakKiB = 0;     // VmHWM at the first frame
    QString error;
};

Run runOnce(const QString &kiosk, const QString &platform)
{
    Run run;
    QTemporaryDir data;
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), platform);
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("*.debug=false;qml.warning=false"));
    process.setProcessEnvironment(env);
    process.setProcessChannelMode(QProcess::SeparateChannels);
    const QStringList args{QStringLiteral("--data-dir"),
                           data.path(),
                           QStringLiteral("--serial"),
                           QStringLiteral("BENCH-0001"),
                           QStringLiteral("--telemetry"),
                           QStringLiteral("simulated"),
                           QStringLiteral("--exit-after-first-frame")};
    QElapsedTimer timer;
    timer.start();
    process.start(kiosk, args);
    if (!process.waitForStarted(10000)) {
        run.error = QStringLiteral("cannot start %1: %2").arg(kiosk, process.errorString());
        return run;
    }
    static const QRegularExpression report(
        QStringLiteral(R"(first-frame-ms (\d+) resident-kib (-?\d+) peak-resident-kib (-?\d+))"));
    QByteArray output;
    while (process.state() != QProcess::NotRunning || process.bytesAvailable() > 0) {
        if (process.bytesAvailable() == 0 && !process.waitForReadyRead(30000))
            break;
        output += process.readAllStandardOutput();
        const auto match = report.match(QString::fromUtf8(output));
        if (match.hasMatch()) {
            run.launcherNs = timer.nsecsElapsed();
            run.selfMs = match.captured(1).toLongLong();
            run.residentKiB = match.captured(2).toLongLong();
            run.peakKiB = match.captured(3).toLongLong();
            run.ok = true;
            break;
        }
    }
    if (!process.waitForFinished(15000)) {
        process.kill();
        process.waitForFinished();
        if (run.ok)
            run.error = QStringLiteral("did not quit after its first frame");
        run.ok = false;
    } else if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        run.ok = false;
        run.error = QStringLiteral("exited with %1: %2")
                        .arg(process.exitCode())
                        .arg(QString::fromUtf8(process.readAllStandardError()).trimmed().right(500));
    }
    if (!run.ok && run.error.isEmpty())
        run.error = QStringLiteral("no first-frame report; stderr: %1")
                        .arg(QString::fromUtf8(process.readAllStandardError()).trimmed().right(500));
    return run;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Start-up time and resident memory of provisio-kiosk up to its first frame."));
    parser.addHelpOption();
    const QCommandLineOption runsOption(QStringLiteral("runs"), QStringLiteral("Launches (default 5)."),
                                        QStringLiteral("N"), QStringLiteral("5"));
    const QCommandLineOption platformOption(
        QStringLiteral("platform"),
        QStringLiteral(
            "Qt platform plugin for the kiosk: offscreen (default), xcb under Xvfb or X, eglfs on a device."),
        QStringLiteral("NAME"), QStringLiteral("offscreen"));
    const QCommandLineOption kioskOption(
        QStringLiteral("kiosk"), QStringLiteral("The provisio-kiosk binary (default: the one built alongside)."),
        QStringLiteral("PATH"), QStringLiteral(PROVISIO_KIOSK_BIN));
    parser.addOptions({runsOption, platformOption, kioskOption});
    parser.process(app);
    bool ok = false;
    const int runs = parser.value(runsOption).toInt(&ok);
    if (!ok || runs < 1 || runs > 1000) {
        err() << "provisio-bench-kiosk: --runs must be a number from 1 to 1000" << Qt::endl;
        return 2;
    }
    const QString kiosk = parser.value(kioskOption);
    const QString platform = parser.value(platformOption);

    out() << "provisio-kiosk start-up: " << runs << " launches, platform " << platform << ", load average "
          << loadAverage() << Qt::endl;
    // One launch first that is not counted: it pulls the binary and Qt's
    // libraries into the page cache, as any launch after the first boot finds them.
    const Run warm = runOnce(kiosk, platform);
    if (!warm.ok) {
        err() << "provisio-bench-kiosk: " << warm.error << Qt::endl;
        return 2;
    }
    std::vector<double> launcherMs, selfMs, residentMiB, peakMiB;
    for (int i = 0; i < runs; ++i) {
        const Run run = runOnce(kiosk, platform);
        if (!run.ok) {
            err() << "provisio-bench-kiosk: run " << (i + 1) << ": " << run.error << Qt::endl;
            return 1;
        }
        launcherMs.push_back(double(run.launcherNs) / 1e6);
        selfMs.push_back(double(run.selfMs));
        residentMiB.push_back(double(run.residentKiB) / 1024);
        peakMiB.push_back(double(run.peakKiB) / 1024);
        out() << "  run " << (i + 1) << ": first frame after " << fixed(launcherMs.back()) << " ms (launcher), "
              << run.selfMs << " ms (in process); resident " << fixed(residentMiB.back()) << " MiB, peak "
              << fixed(peakMiB.back()) << " MiB" << Qt::endl;
    }
    const double startMs = median(launcherMs);
    const double worstMs = *std::max_element(launcherMs.begin(), launcherMs.end());
    const double memMiB = median(residentMiB);
    const double worstPeak = *std::max_element(peakMiB.begin(), peakMiB.end());
    out() << "time to first frame: median " << fixed(startMs) << " ms, worst " << fixed(worstMs)
          << " ms (in process: median " << fixed(median(selfMs)) << " ms); target < " << kTargetMs << " ms" << Qt::endl;
    out() << "resident memory at first frame: median " << fixed(memMiB) << " MiB, worst peak " << fixed(worstPeak)
          << " MiB; target < " << kTargetMiB << " MiB" << Qt::endl;
    const bool met = startMs < kTargetMs && worstPeak < kTargetMiB;
    out() << (met ? "targets met" : "TARGET MISSED") << Qt::endl;
    // Last line: one JSON object for scripts.
    const QJsonObject summary{{QStringLiteral("benchmark"), QStringLiteral("kiosk-startup")},
                              {QStringLiteral("platform"), platform},
                              {QStringLiteral("runs"), runs},
                              {QStringLiteral("firstFrameMedianMs"), startMs},
                              {QStringLiteral("firstFrameWorstMs"), worstMs},
                              {QStringLiteral("firstFrameInProcessMedianMs"), median(selfMs)},
                              {QStringLiteral("residentMedianMiB"), memMiB},
                              {QStringLiteral("peakResidentWorstMiB"), worstPeak},
                              {QStringLiteral("targetsMet"), met}};
    out() << QJsonDocument(summary).toJson(QJsonDocument::Compact) << Qt::endl;
    return met ? 0 : 1;
}

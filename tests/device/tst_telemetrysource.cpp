// SPDX-License-Identifier: Apache-2.0
// The telemetry sources: file replay (loop, $UTC_TIME$, clear errors for bad
// files), simulated sensors (seeded, bounded) and host metrics (from
// prepared /sys and /proc files, and from the real host).
#include "telemetrysource.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Provisio;
using namespace Provisio::Kiosk;

class TestTelemetrySource : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString write(const QString &name, const QByteArray &content)
    {
        const QString path = m_dir.filePath(name);
        QDir().mkpath(QFileInfo(path).absolutePath());
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(content) != content.size())
            qWarning("cannot write %s", qPrintable(path));
        return path;
    }

    static bool isRecentUtc(const QString &text)
    {
        const QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
        return t.isValid() && t.timeSpec() == Qt::UTC && qAbs(t.secsTo(QDateTime::currentDateTimeUtc())) < 60;
    }

private Q_SLOTS:
    void fileReplayLoopsAndFillsTime()
    {
        const QString path = write(QStringLiteral("random_telemetry.json"),
                                   "{\"temperature\": 21.5, \"time\": \"$UTC_TIME$\"}\n"
                                   "\n"
                                   "{\"temperature\": 22.0, \"note\": \"taken at $UTC_TIME$\"}\r\n"
                                   "{\"temperature\": 22.5}\n");
        auto source = FileReplaySource::open(path);
        QVERIFY2(source, qPrintable(source.error().message));
        QCOMPARE((*source)->name(), QStringLiteral("file"));
        QCOMPARE((*source)->lineCount(), 3);

        const QJsonObject first = (*source)->next();
        QCOMPARE(first.value(QStringLiteral("temperature")).toDouble(), 21.5);
        QVERIFY2(isRecentUtc(first.value(QStringLiteral("time")).toString()),
                 qPrintable(first.value(QStringLiteral("time")).toString()));
        const QJsonObject second = (*source)->next();
        const QString note = second.value(QStringLiteral("note")).toString();
        QVERIFY(note.startsWith(QStringLiteral("taken at ")));
        QVERIFY2(isRecentUtc(note.mid(9)), qPrintable(note));
        QCOMPARE((*source)->next().value(QStringLiteral("temperature")).toDouble(), 22.5);
        // And around again.
        QCOMPARE((*source)->position(), 0);
        QCOMPARE((*source)->next().value(QStringLiteral("temperature")).toDouble(), 21.5);
    }

    void fileReplayRejectsBadFiles_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expectedInMessage");
        QTest::newRow("empty") << QByteArray("\n\n") << QStringLiteral("no telemetry lines");
        QTest::newRow("not json") << QByteArray("{\"a\":1}\n{oops}\n") << QStringLiteral("line 2: not JSON");
        QTest::newRow("array") << QByteArray("[1,2]\n") << QStringLiteral("line 1: each line must be one JSON object");
        QTest::newRow("unquoted placeholder")
            << QByteArray("{\"t\": $UTC_TIME$}\n") << QStringLiteral("line 1: not JSON");
    }

    void fileReplayRejectsBadFiles()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, expectedInMessage);
        const QString path =
            write(QStringLiteral("bad-%1.json")
                      .arg(QString::fromLatin1(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('-'))),
                  content);
        const auto source = FileReplaySource::open(path);
        QVERIFY(!source);
        QVERIFY2(source.error().message.contains(expectedInMessage), qPrintable(source.error().message));
        QVERIFY2(source.error().message.contains(path), qPrintable(source.error().message));
    }

    void missingFileIsAClearError()
    {
        const auto source = TelemetrySource::create(m_dir.filePath(QStringLiteral("nope.json")));
        QVERIFY(!source);
        QVERIFY2(source.error().message.contains(QStringLiteral("does not exist")), qPrintable(source.error().message));
    }

    void createPicksTheSource()
    {
        auto simulated = TelemetrySource::create(QStringLiteral("simulated"));
        QVERIFY(simulated);
        QCOMPARE((*simulated)->name(), QStringLiteral("simulated"));
        auto host = TelemetrySource::create(QStringLiteral("host"));
        QVERIFY(host);
        QCOMPARE((*host)->name(), QStringLiteral("host"));
        auto file = TelemetrySource::create(write(QStringLiteral("one.json"), "{\"a\":1}\n"));
        QVERIFY(file);
        QCOMPARE((*file)->name(), QStringLiteral("file"));
        QVERIFY(!TelemetrySource::create(QString()));
    }

    void simulatedIsSeededAndBounded()
    {
        SimulatedSensorsSource a(42), b(42), c(7);
        bool differs = false;
        double minT = 1e9, maxT = -1e9;
        for (int i = 0; i < 5000; ++i) {
            const QJsonObject x = a.next(), y = b.next(), z = c.next();
            for (const auto &key :
                 {QStringLiteral("temperature"), QStringLiteral("humidity"), QStringLiteral("pressure")})
                QCOMPARE(x.value(key).toDouble(), y.value(key).toDouble());
            if (x.value(QStringLiteral("temperature")) != z.value(QStringLiteral("temperature")))
                differs = true;
            const double t = x.value(QStringLiteral("temperature")).toDouble();
            const double h = x.value(QStringLiteral("humidity")).toDouble();
            const double p = x.value(QStringLiteral("pressure")).toDouble();
            QVERIFY(t >= -20 && t <= 50);
            QVERIFY(h >= 0 && h <= 100);
            QVERIFY(p >= 900 && p <= 1100);
            minT = qMin(minT, t);
            maxT = qMax(maxT, t);
            if (i == 0)
                QVERIFY(isRecentUtc(x.value(QStringLiteral("time")).toString()));
        }
        QVERIFY(differs);     // another seed, other readings
        QVERIFY(maxT > minT); // it does walk
    }

    void hostMetricsFromPreparedFiles()
    {
        write(QStringLiteral("sys/thermal_zone0/type"), "acpitz\n");
        write(QStringLiteral("sys/thermal_zone0/temp"), "27800\n");
        write(QStringLiteral("sys/thermal_zone1/type"), "cpu-thermal\n");
        write(QStringLiteral("sys/thermal_zone1/temp"), "48312\n");
        HostMetricsSource::Paths paths;
        paths.thermal = m_dir.filePath(QStringLiteral("sys"));
        paths.loadAverage = write(QStringLiteral("loadavg"), "0.52 0.58 0.59 1/467 12345\n");
        paths.memoryInfo =
            write(QStringLiteral("meminfo"),
                  "MemTotal:        3884328 kB\nMemFree:          201832 kB\nMemAvailable:    1942164 kB\n");
        HostMetricsSource source(paths);
        const QJsonObject body = source.next();
        QCOMPARE(body.value(QStringLiteral("cpuTemperature")).toDouble(), 48.3);
        QCOMPARE(body.value(QStringLiteral("loadAverage1")).toDouble(), 0.52);
        QCOMPARE(body.value(QStringLiteral("loadAverage15")).toDouble(), 0.59);
        QCOMPARE(body.value(QStringLiteral("memoryTotalKiB")).toInteger(), 3884328);
        QCOMPARE(body.value(QStringLiteral("memoryAvailableKiB")).toInteger(), 1942164);
        QCOMPARE(body.value(QStringLiteral("memoryUsedPercent")).toDouble(), 50.0);
        QVERIFY(isRecentUtc(body.value(QStringLiteral("time")).toString()));
    }

    void hostMetricsLeaveOutWhatIsMissing()
    {
        HostMetricsSource::Paths paths;
        paths.thermal = m_dir.filePath(QStringLiteral("no-thermal"));
        paths.loadAverage = m_dir.filePath(QStringLiteral("no-loadavg"));
        paths.memoryInfo = m_dir.filePath(QStringLiteral("no-meminfo"));
        const QJsonObject body = HostMetricsSource(paths).next();
        QCOMPARE(body.keys(), QStringList{QStringLiteral("time")});
    }

    void hostMetricsOnThisHost()
    {
        const QJsonObject body = HostMetricsSource().next();
        QVERIFY(body.value(QStringLiteral("loadAverage1")).isDouble());
        QVERIFY(body.value(QStringLiteral("memoryTotalKiB")).toInteger() > 0);
    }
};

QTEST_GUILESS_MAIN(TestTelemetrySource)
#include "tst_telemetrysource.moc"

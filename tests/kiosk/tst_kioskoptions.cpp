// SPDX-License-Identifier: Apache-2.0
// provisio-kiosk's own options (the window, the settings PIN) on top of the
// shared device options, and the real binary: --help without a display, exit
// code 2 for a bad option, and a clean stop on SIGTERM.
#include "kioskoptions.h"

#include <QDir>
#include <QFile>
#include <QHash>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Provisio;
using namespace Provisio::Kiosk;

class TestKioskOptions : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    static Result<KioskOptions> parse(const QStringList &args, const QHash<QString, QString> &env = {})
    {
        return KioskOptions::parse(QStringList{QStringLiteral("provisio-kiosk")} + args,
                                   [env](const QString &name) { return env.value(name); });
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
    }

    void defaults()
    {
        const auto o = parse({});
        QVERIFY2(o, qPrintable(o.error().message));
        QCOMPARE(o->width, 800);
        QCOMPARE(o->height, 480);
        QVERIFY(!o->fullscreen);
        QVERIFY(!o->exitAfterFirstFrame);
        QVERIFY(o->settingsPin.isEmpty());
        QCOMPARE(o->telemetry, QStringLiteral("host"));
        QCOMPARE(o->dataDirectory, QStandardPaths::writableLocation(QStandardPaths::AppDataLocation));
    }

    void ownOptions()
    {
        const auto o = parse({QStringLiteral("--width"), QStringLiteral("1024"), QStringLiteral("--fullscreen"),
                              QStringLiteral("--exit-after-first-frame"), QStringLiteral("--data-dir"), m_dir.path()},
                             {{QStringLiteral("PROVISIO_KIOSK_HEIGHT"), QStringLiteral("600")},
                              {QStringLiteral("PROVISIO_KIOSK_WIDTH"), QStringLiteral("100")}, // the command line wins
                              {QStringLiteral("PROVISIO_KIOSK_SETTINGS_PIN"), QStringLiteral("2468")}});
        QVERIFY2(o, qPrintable(o.error().message));
        QCOMPARE(o->width, 1024);
        QCOMPARE(o->height, 600);
        QVERIFY(o->fullscreen);
        QVERIFY(o->exitAfterFirstFrame);
        QCOMPARE(o->settingsPin, QStringLiteral("2468"));
        QCOMPARE(o->dataDirectory, m_dir.path());

        const auto fromEnvironment = parse({}, {{QStringLiteral("PROVISIO_KIOSK_FULLSCREEN"), QStringLiteral("1")}});
        QVERIFY2(fromEnvironment, qPrintable(fromEnvironment.error().message));
        QVERIFY(fromEnvironment->fullscreen);
    }

    // The settings PIN can come from a file or the environment instead of the
    // process list; as an argument it still works, with a warning.
    void settingsPinFromFileOrEnvironment_data()
    {
        QTest::addColumn<QString>("how");
        QTest::addColumn<bool>("warned");
        QTest::newRow("argument") << QStringLiteral("argument") << true;
        QTest::newRow("variable") << QStringLiteral("variable") << false;
        QTest::newRow("file option") << QStringLiteral("file option") << false;
        QTest::newRow("file variable") << QStringLiteral("file variable") << false;
    }

    void settingsPinFromFileOrEnvironment()
    {
        QFETCH(QString, how);
        QFETCH(bool, warned);
        const QString pin = QStringLiteral("97531");
        const QString path = m_dir.filePath(QStringLiteral("pin"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(pin.toUtf8() + "\n");
        file.close();
        QStringList args;
        QHash<QString, QString> env;
        if (how == QLatin1String("argument"))
            args << QStringLiteral("--settings-pin") << pin;
        else if (how == QLatin1String("variable"))
            env.insert(QStringLiteral("PROVISIO_KIOSK_SETTINGS_PIN"), pin);
        else if (how == QLatin1String("file option"))
            args << QStringLiteral("--settings-pin-file") << path;
        else
            env.insert(QStringLiteral("PROVISIO_KIOSK_SETTINGS_PIN_FILE"), path);
        const auto o = parse(args, env);
        QVERIFY2(o, qPrintable(o.error().message));
        QCOMPARE(o->settingsPin, pin);
        QCOMPARE(!o->warnings.isEmpty(), warned);
        for (const QString &w : o->warnings)
            QVERIFY(!w.contains(pin));
        // A value and a file together are refused.
        const auto both = parse({QStringLiteral("--settings-pin"), pin, QStringLiteral("--settings-pin-file"), path});
        QVERIFY(!both);
        QVERIFY(!both.error().message.contains(pin));
    }

    void badOptions_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("variable");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("message");
        QTest::newRow("narrow") << QStringList{QStringLiteral("--width"), QStringLiteral("100")} << QString()
                                << QString() << QStringLiteral("--width must be a whole number from 320 to 7680");
        QTest::newRow("height not a number")
            << QStringList{} << QStringLiteral("PROVISIO_KIOSK_HEIGHT") << QStringLiteral("tall")
            << QStringLiteral("PROVISIO_KIOSK_HEIGHT must be a whole number from 240 to 4320, not \"tall\"");
        QTest::newRow("fullscreen maybe")
            << QStringList{} << QStringLiteral("PROVISIO_KIOSK_FULLSCREEN") << QStringLiteral("maybe")
            << QStringLiteral("PROVISIO_KIOSK_FULLSCREEN must be 1 or 0");
        QTest::newRow("pin with letters")
            << QStringList{QStringLiteral("--settings-pin"), QStringLiteral("12ab")} << QString() << QString()
            << QStringLiteral("--settings-pin: the settings PIN has only digits");
        QTest::newRow("pin too short") << QStringList{} << QStringLiteral("PROVISIO_KIOSK_SETTINGS_PIN")
                                       << QStringLiteral("987")
                                       << QStringLiteral("PROVISIO_KIOSK_SETTINGS_PIN: the settings PIN has 4 to 12");
        QTest::newRow("flag with a value") << QStringList{QStringLiteral("--fullscreen=yes")} << QString() << QString()
                                           << QStringLiteral("Unexpected value after '--fullscreen'");
    }

    void badOptions()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, variable);
        QFETCH(QString, value);
        QFETCH(QString, message);
        QHash<QString, QString> env;
        if (!variable.isEmpty())
            env.insert(variable, value);
        const auto o = parse(args, env);
        QVERIFY(!o);
        QVERIFY2(o.error().message.contains(message), qPrintable(o.error().message));
        // The PIN is a secret: never repeated in a message.
        QVERIFY(!o.error().message.contains(QStringLiteral("12ab")));
        QVERIFY(!o.error().message.contains(QStringLiteral("\"987\"")));
    }

    void asksForHelpOrVersion_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<bool>("asks");
        QTest::newRow("nothing") << QStringList{} << false;
        QTest::newRow("--help") << QStringList{QStringLiteral("--fullscreen"), QStringLiteral("--help")} << true;
        QTest::newRow("-h") << QStringList{QStringLiteral("-h")} << true;
        QTest::newRow("-help") << QStringList{QStringLiteral("-help")} << true;
        QTest::newRow("--version") << QStringList{QStringLiteral("--version")} << true;
        QTest::newRow("a value") << QStringList{QStringLiteral("--serial"), QStringLiteral("help")} << false;
    }

    void asksForHelpOrVersion()
    {
        QFETCH(QStringList, args);
        QFETCH(bool, asks);
        QCOMPARE(KioskOptions::asksForHelpOrVersion(QStringList{QStringLiteral("provisio-kiosk")} + args), asks);
    }

    // --help needs no display: the binary answers it on the offscreen
    // platform even where the environment names one that is not there.
    void binaryHelp()
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("eglfs"));
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(PROVISIO_KIOSK_BIN), {QStringLiteral("--help")});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        for (const QString &line :
             {QStringLiteral("--data-dir DIR"), QStringLiteral("[PROVISIO_DATA_DIR]"), QStringLiteral("[PROVISIO_CA]"),
              QStringLiteral("--settings-pin PIN"), QStringLiteral("[PROVISIO_KIOSK_SETTINGS_PIN]")})
            QVERIFY2(out.contains(line), qPrintable(line));
    }

    void binaryBadOption()
    {
        QProcess p;
        p.start(QStringLiteral(PROVISIO_KIOSK_BIN), {QStringLiteral("--interval-ms"), QStringLiteral("fast")});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 2);
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(err.contains(QStringLiteral("provisio-kiosk: --interval-ms must be a whole number")), qPrintable(err));
    }

    // SIGTERM is a clean stop: the device says "offline" and the kiosk exits 0.
    void binaryStopsCleanlyOnSigterm()
    {
        const QString dataDir = m_dir.filePath(QStringLiteral("sigterm"));
        QProcess p;
        p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        p.start(QStringLiteral(PROVISIO_KIOSK_BIN),
                {QStringLiteral("--data-dir"), dataDir, QStringLiteral("--telemetry"), QStringLiteral("simulated")});
        QVERIFY(p.waitForStarted());
        // The data directory appears once the signal watcher is in place.
        QTRY_VERIFY_WITH_TIMEOUT(QDir(dataDir).exists(), 30000);
        p.terminate();
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(TestKioskOptions)
#include "tst_kioskoptions.moc"

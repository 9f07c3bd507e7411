// SPDX-License-Identifier: Apache-2.0
// The options every device program shares (DeviceOptions): provisio-kiosk and
// provisio-agent take them under the same names and variables, fall back to
// the environment alike, and refuse a bad value with the same clear message
// that names where the value came from.
#include "agentoptions.h"
#include "deviceoptions.h"
#include "kioskoptions.h"
#include "optionreader.h"

#include "crypto/certificateauthority.h"

#include <QFile>
#include <QHash>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <array>

using namespace Provisio;
using namespace Provisio::Kiosk;
using Provisio::Agent::AgentOptions;

namespace {

using Environment = QHash<QString, QString>;

OptionReader::Environment lookup(const Environment &env)
{
    return [env](const QString &name) { return env.value(name); };
}

// The shared part of what a program parsed, so both programs' answers compare.
Result<DeviceOptions> parseAs(const QString &program, const QStringList &args, const Environment &env)
{
    if (program == QLatin1String("kiosk")) {
        const auto o = KioskOptions::parse(QStringList{QStringLiteral("provisio-kiosk")} + args, lookup(env));
        if (!o)
            return o.error();
        return DeviceOptions(*o);
    }
    const auto o = AgentOptions::parse(QStringList{QStringLiteral("provisio-agent")} + args, lookup(env));
    if (!o)
        return o.error();
    return DeviceOptions(*o);
}

const OptionSpec *find(const QList<OptionSpec> &specs, const QString &name)
{
    for (const OptionSpec &spec : specs) {
        if (spec.name() == name)
            return &spec;
    }
    return nullptr;
}

} // namespace

class TestDeviceOptions : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_ca;
    QString m_notPem;
    QString m_telemetry;

    void addPrograms() { QTest::addColumn<QString>("program"); }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        // A real CA certificate, as the middleware makes on its first start.
        const auto ca = CertificateAuthority::loadOrCreate(m_dir.filePath(QStringLiteral("tls")));
        QVERIFY2(ca, qPrintable(ca.error().message));
        m_ca = ca->caCertificatePath();
        m_notPem = m_dir.filePath(QStringLiteral("not.pem"));
        QFile notPem(m_notPem);
        QVERIFY(notPem.open(QIODevice::WriteOnly));
        notPem.write("hello\n");
        notPem.close();
        m_telemetry = m_dir.filePath(QStringLiteral("telemetry.jsonl"));
        QFile telemetry(m_telemetry);
        QVERIFY(telemetry.open(QIODevice::WriteOnly));
        telemetry.write("{\"temperature\": 21.5}\n");
        telemetry.close();
    }

    // Every shared option is in both programs' tables, under the same names
    // and the same variable; and every option the two programs both take is
    // a shared one, declared once.
    void sameNamesInBothPrograms()
    {
        const QList<OptionSpec> shared = DeviceOptions::specs({}) + DeviceOptions::helpSpecs();
        const QList<OptionSpec> kiosk = KioskOptions::specs();
        const QList<OptionSpec> agent = AgentOptions::specs();
        for (const OptionSpec &spec : shared) {
            for (const auto *program : {&kiosk, &agent}) {
                const OptionSpec *found = find(*program, spec.name());
                QVERIFY2(found, qPrintable(spec.name()));
                QCOMPARE(found->names, spec.names);
                QCOMPARE(found->env, spec.env);
                QCOMPARE(found->valueName, spec.valueName);
            }
        }
        for (const OptionSpec &spec : kiosk) {
            if (find(agent, spec.name()))
                QVERIFY2(find(shared, spec.name()), qPrintable(spec.name() + QStringLiteral(" is not shared")));
        }
        // No variable stands for two options.
        QSet<QString> variables;
        for (const OptionSpec &spec : kiosk + agent) {
            if (spec.env.isEmpty() || find(shared, spec.name()))
                continue;
            QVERIFY2(!variables.contains(spec.env), qPrintable(spec.env));
            variables.insert(spec.env);
        }
    }

    // --help lists each option with its variable, in both programs.
    void helpShowsEveryVariable_data()
    {
        addPrograms();
        QTest::newRow("kiosk") << QStringLiteral("kiosk");
        QTest::newRow("agent") << QStringLiteral("agent");
    }

    void helpShowsEveryVariable()
    {
        QFETCH(QString, program);
        const bool kiosk = program == QLatin1String("kiosk");
        const QString help = kiosk ? KioskOptions::helpText() : AgentOptions::helpText();
        for (const OptionSpec &spec : kiosk ? KioskOptions::specs() : AgentOptions::specs()) {
            QString line = QStringLiteral("--") + spec.name();
            if (!spec.valueName.isEmpty())
                line += QLatin1Char(' ') + spec.valueName;
            QVERIFY2(help.contains(line + QLatin1Char('\n')), qPrintable(line));
            if (!spec.env.isEmpty())
                QVERIFY2(help.contains(QLatin1Char('[') + spec.env + QLatin1Char(']')), qPrintable(spec.env));
        }
    }

    // Each shared option can come from its variable, in either program, and
    // the command line wins over the variable.
    void environmentFallback_data()
    {
        QTest::addColumn<QString>("program");
        QTest::addColumn<QString>("option");
        QTest::addColumn<QString>("variable");
        QTest::addColumn<QString>("value");
        const QList<std::array<QString, 3>> rows = {
            {QStringLiteral("data-dir"), QStringLiteral("PROVISIO_DATA_DIR"), m_dir.filePath(QStringLiteral("d"))},
            {QStringLiteral("middleware"), QStringLiteral("PROVISIO_MIDDLEWARE_URL"),
             QStringLiteral("https://mw.example:8443")},
            {QStringLiteral("ca"), QStringLiteral("PROVISIO_CA"), m_ca},
            {QStringLiteral("serial"), QStringLiteral("PROVISIO_SERIAL"), QStringLiteral("SN-0042")},
            {QStringLiteral("telemetry"), QStringLiteral("PROVISIO_TELEMETRY"), m_telemetry},
            {QStringLiteral("interval-ms"), QStringLiteral("PROVISIO_INTERVAL_MS"), QStringLiteral("250")},
            {QStringLiteral("outbox-capacity"), QStringLiteral("PROVISIO_OUTBOX_CAPACITY"), QStringLiteral("77")},
            {QStringLiteral("reprovision-after"), QStringLiteral("PROVISIO_REPROVISION_AFTER"), QStringLiteral("9")},
            {QStringLiteral("max-reconnect-delay-ms"), QStringLiteral("PROVISIO_MAX_RECONNECT_DELAY_MS"),
             QStringLiteral("2000")},
            {QStringLiteral("reboot-command"), QStringLiteral("PROVISIO_REBOOT_COMMAND"),
             QStringLiteral("sudo systemctl reboot")},
        };
        for (const QString &program : {QStringLiteral("kiosk"), QStringLiteral("agent")}) {
            for (const auto &row : rows)
                QTest::addRow("%s %s", qPrintable(program), qPrintable(row[0]))
                    << program << row[0] << row[1] << row[2];
        }
    }

    void environmentFallback()
    {
        QFETCH(QString, program);
        QFETCH(QString, option);
        QFETCH(QString, variable);
        QFETCH(QString, value);

        // The agent needs a data directory; give it one unless under test.
        Environment env{{QStringLiteral("PROVISIO_DATA_DIR"), m_dir.path()}};
        env.insert(variable, value);
        const auto fromEnvironment = parseAs(program, {}, env);
        QVERIFY2(fromEnvironment, qPrintable(fromEnvironment.error().message));

        const auto field = [&option](const DeviceOptions &o) -> QString {
            if (option == QLatin1String("data-dir"))
                return o.dataDirectory;
            if (option == QLatin1String("middleware"))
                return o.middlewareUrl.toString();
            if (option == QLatin1String("ca"))
                return o.caFile;
            if (option == QLatin1String("serial"))
                return o.serial;
            if (option == QLatin1String("telemetry"))
                return o.telemetry;
            if (option == QLatin1String("interval-ms"))
                return QString::number(o.intervalMs);
            if (option == QLatin1String("outbox-capacity"))
                return QString::number(o.outboxCapacity);
            if (option == QLatin1String("reprovision-after"))
                return QString::number(o.reprovisionAfterFailures);
            if (option == QLatin1String("max-reconnect-delay-ms"))
                return QString::number(o.maxReconnectDelayMs);
            if (option == QLatin1String("reboot-command"))
                return o.rebootCommand;
            return {};
        };
        QCOMPARE(field(*fromEnvironment), value);

        // The command line wins: the variable holds something invalid that
        // would be refused if it were read.
        env.insert(variable, QStringLiteral("ftp://not/ this"));
        const auto fromCommandLine = parseAs(program, {QStringLiteral("--") + option, value}, env);
        QVERIFY2(fromCommandLine, qPrintable(fromCommandLine.error().message));
        QCOMPARE(field(*fromCommandLine), value);
    }

    // What the two programs do differently on the shared options, on purpose.
    void programDefaults()
    {
        const auto kiosk = parseAs(QStringLiteral("kiosk"), {}, {});
        QVERIFY2(kiosk, qPrintable(kiosk.error().message));
        QCOMPARE(kiosk->dataDirectory, QStandardPaths::writableLocation(QStandardPaths::AppDataLocation));
        QCOMPARE(kiosk->telemetry, QStringLiteral("host"));
        QCOMPARE(kiosk->intervalMs, 5000);

        const auto agent = parseAs(QStringLiteral("agent"), {QStringLiteral("--data-dir"), m_dir.path()}, {});
        QVERIFY2(agent, qPrintable(agent.error().message));
        QCOMPARE(agent->telemetry, QStringLiteral("simulated"));
        QCOMPARE(agent->intervalMs, 5000);
        QVERIFY(!parseAs(QStringLiteral("agent"), {}, {}));
    }

    // A bad value is refused by both programs with the same message, which
    // names the option or the variable it came from.
    void invalidValues_data()
    {
        QTest::addColumn<QString>("program");
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("variable");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("message");
        const QString file = m_ca; // a file where a directory belongs
        struct Row
        {
            const char *name;
            QStringList args;
            QString variable;
            QString value;
            QString message;
        };
        const QList<Row> rows = {
            {"interval from the command line",
             {QStringLiteral("--interval-ms"), QStringLiteral("fast")},
             {},
             {},
             QStringLiteral("--interval-ms must be a whole number from 100 to 3600000, not \"fast\"")},
            {"interval from the environment",
             {},
             QStringLiteral("PROVISIO_INTERVAL_MS"),
             QStringLiteral("10"),
             QStringLiteral("PROVISIO_INTERVAL_MS must be a whole number from 100 to 3600000, not \"10\"")},
            {"outbox capacity",
             {},
             QStringLiteral("PROVISIO_OUTBOX_CAPACITY"),
             QStringLiteral("0"),
             QStringLiteral("PROVISIO_OUTBOX_CAPACITY must be a whole number from 1 to 10000000")},
            {"reprovision after",
             {QStringLiteral("--reprovision-after"), QStringLiteral("1001")},
             {},
             {},
             QStringLiteral("--reprovision-after must be a whole number from 1 to 1000")},
            {"reconnect delay",
             {},
             QStringLiteral("PROVISIO_MAX_RECONNECT_DELAY_MS"),
             QStringLiteral("999"),
             QStringLiteral("PROVISIO_MAX_RECONNECT_DELAY_MS must be a whole number from 1000 to 3600000")},
            {"middleware not http",
             {},
             QStringLiteral("PROVISIO_MIDDLEWARE_URL"),
             QStringLiteral("ftp://x"),
             QStringLiteral("PROVISIO_MIDDLEWARE_URL \"ftp://x\" is not an http(s) URL")},
            {"middleware no host",
             {QStringLiteral("--middleware"), QStringLiteral("https://")},
             {},
             {},
             QStringLiteral("--middleware \"https://\" is not an http(s) URL")},
            {"missing ca",
             {},
             QStringLiteral("PROVISIO_CA"),
             m_dir.filePath(QStringLiteral("nope.pem")),
             QStringLiteral("PROVISIO_CA %1: cannot read it").arg(m_dir.filePath(QStringLiteral("nope.pem")))},
            {"ca not pem",
             {QStringLiteral("--ca"), m_notPem},
             {},
             {},
             QStringLiteral("--ca %1 holds no PEM certificate").arg(m_notPem)},
            {"missing telemetry file",
             {},
             QStringLiteral("PROVISIO_TELEMETRY"),
             m_dir.filePath(QStringLiteral("t.jsonl")),
             QStringLiteral("PROVISIO_TELEMETRY: telemetry file")},
            {"data dir is a file",
             {},
             QStringLiteral("PROVISIO_DATA_DIR"),
             file,
             QStringLiteral("PROVISIO_DATA_DIR %1 exists and is not a directory").arg(file)},
            {"unknown option", {QStringLiteral("--colour")}, {}, {}, QStringLiteral("Unknown option 'colour'")},
            {"twice",
             {QStringLiteral("--serial"), QStringLiteral("a"), QStringLiteral("--serial"), QStringLiteral("b")},
             {},
             {},
             QStringLiteral("--serial is given more than once")},
            {"positional", {QStringLiteral("extra")}, {}, {}, QStringLiteral("unexpected argument \"extra\"")},
        };
        for (const QString &program : {QStringLiteral("kiosk"), QStringLiteral("agent")}) {
            for (const Row &row : rows)
                QTest::addRow("%s: %s", qPrintable(program), row.name)
                    << program << row.args << row.variable << row.value << row.message;
        }
    }

    void invalidValues()
    {
        QFETCH(QString, program);
        QFETCH(QStringList, args);
        QFETCH(QString, variable);
        QFETCH(QString, value);
        QFETCH(QString, message);
        Environment env;
        if (variable != QLatin1String("PROVISIO_DATA_DIR"))
            env.insert(QStringLiteral("PROVISIO_DATA_DIR"), m_dir.path());
        if (!variable.isEmpty())
            env.insert(variable, value);
        const auto o = parseAs(program, args, env);
        QVERIFY(!o);
        QCOMPARE(o.error().code, ErrorCode::InvalidInput);
        QVERIFY2(o.error().message.contains(message), qPrintable(o.error().message));
    }

    // --help and --version need nothing else to be right.
    void helpSkipsTheChecks()
    {
        const Environment env{{QStringLiteral("PROVISIO_INTERVAL_MS"), QStringLiteral("fast")}};
        for (const QString &program : {QStringLiteral("kiosk"), QStringLiteral("agent")}) {
            for (const QString &flag : {QStringLiteral("--help"), QStringLiteral("-h"), QStringLiteral("--version")}) {
                const auto o = parseAs(program, {flag}, env);
                QVERIFY2(o, qPrintable(program + QLatin1Char(' ') + flag));
                QVERIFY(o->showHelp || o->showVersion);
            }
        }
    }

    void flagsFromTheEnvironment_data()
    {
        QTest::addColumn<QString>("value");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<bool>("set");
        QTest::newRow("unset") << QString() << true << false;
        QTest::newRow("1") << QStringLiteral("1") << true << true;
        QTest::newRow("true") << QStringLiteral("True") << true << true;
        QTest::newRow("yes") << QStringLiteral("yes") << true << true;
        QTest::newRow("0") << QStringLiteral("0") << true << false;
        QTest::newRow("off") << QStringLiteral("off") << true << false;
        QTest::newRow("maybe") << QStringLiteral("maybe") << false << false;
    }

    void flagsFromTheEnvironment()
    {
        QFETCH(QString, value);
        QFETCH(bool, valid);
        QFETCH(bool, set);
        const QList<OptionSpec> specs = {
            {{QStringLiteral("loud")}, {}, QStringLiteral("TEST_LOUD"), QStringLiteral("Be loud.")}};
        const auto reader =
            OptionReader::parse(specs, {QStringLiteral("test")}, lookup({{QStringLiteral("TEST_LOUD"), value}}));
        QVERIFY(reader);
        const auto loud = reader->flag(QStringLiteral("loud"));
        QCOMPARE(bool(loud), valid);
        if (valid)
            QCOMPARE(*loud, set);
        else
            QCOMPARE(loud.error().message, QStringLiteral("TEST_LOUD must be 1 or 0 (true or false), not \"maybe\""));

        // Given on the command line, a flag is set whatever the variable says.
        const auto given = OptionReader::parse(specs, {QStringLiteral("test"), QStringLiteral("--loud")},
                                               lookup({{QStringLiteral("TEST_LOUD"), value}}));
        QVERIFY(given);
        QVERIFY(given->flag(QStringLiteral("loud")).value());
    }

    // What the DeviceController gets from the options.
    void deviceSettings()
    {
        const auto o = parseAs(QStringLiteral("agent"),
                               {QStringLiteral("--data-dir"), m_dir.path(), QStringLiteral("--middleware"),
                                QStringLiteral("https://mw.example:8443"), QStringLiteral("--ca"), m_ca,
                                QStringLiteral("--serial"), QStringLiteral("SN-7"), QStringLiteral("--interval-ms"),
                                QStringLiteral("1500"), QStringLiteral("--outbox-capacity"), QStringLiteral("12"),
                                QStringLiteral("--reprovision-after"), QStringLiteral("3"),
                                QStringLiteral("--max-reconnect-delay-ms"), QStringLiteral("4000")},
                               {});
        QVERIFY2(o, qPrintable(o.error().message));
        const DeviceSettings settings = o->deviceSettings();
        QCOMPARE(settings.dataDirectory, m_dir.path());
        QCOMPARE(settings.middlewareUrl, QUrl(QStringLiteral("https://mw.example:8443")));
        QVERIFY(settings.middlewareCaPem.startsWith("-----BEGIN CERTIFICATE-----"));
        QCOMPARE(settings.serial, QStringLiteral("SN-7"));
        QCOMPARE(settings.telemetryIntervalMs, 1500);
        QCOMPARE(settings.outboxCapacity, 12);
        QCOMPARE(settings.reprovisionAfterFailures, 3);
        QCOMPARE(settings.maxReconnectDelayMs, 4000);
    }
};

QTEST_GUILESS_MAIN(TestDeviceOptions)
#include "tst_deviceoptions.moc"

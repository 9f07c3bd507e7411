// SPDX-License-Identifier: Apache-2.0
// The middleware's settings: the one parser for numbers and durations, the
// precedence command line > environment > config file > default, and the
// real `provisio-middleware serve` showing every setting in --help and
// refusing to start with a bad value.
#include "base/serviceconfig.h"
#include "base/settingvalue.h"
#include "childprocesswatch.h"

#include <QCommandLineParser>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <limits>

using namespace Provisio;

Q_DECLARE_METATYPE(Provisio::DurationUnit)

class TestSettings : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void integers_data();
    void integers();
    void durations_data();
    void durations();
    void switches_data();
    void switches();
    void formatDurationReadsBack_data();
    void formatDurationReadsBack();

    void precedence_data();
    void precedence();
    void badValueNamesSettingSourceAndRange_data();
    void badValueNamesSettingSourceAndRange();
    void defaultsAreTheTables();
    void trustedProxies_data();
    void trustedProxies();
    void environmentNamesAreUnique();

    void helpShowsEverySetting();
    void badValueStopsServe_data();
    void badValueStopsServe();
    void documentationListsEverySetting();
    void secretsFromFileOrEnvironment_data();
    void secretsFromFileOrEnvironment();
    void badSecretSources_data();
    void badSecretSources();
    void commandLineSecretsAreWarnedNeverEchoed_data();
    void commandLineSecretsAreWarnedNeverEchoed();

private:
    Result<ServiceConfig> resolve(const QStringList &args, const QByteArray &ini = {});
    QTemporaryDir m_dir;
};

void TestSettings::trustedProxies_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("env");     // PROVISIO_TRUSTED_PROXIES, empty: unset
    QTest::addColumn<QStringList>("ranges"); // empty with `ok` false: refused
    QTest::addColumn<bool>("ok");
    const QString opt = QStringLiteral("--trusted-proxy");
    QTest::newRow("none") << QStringList{} << QByteArray() << QStringList{} << true;
    QTest::newRow("address") << QStringList{opt, QStringLiteral("10.0.0.5")} << QByteArray()
                             << QStringList{QStringLiteral("10.0.0.5/32")} << true;
    QTest::newRow("repeated, CIDR and IPv6")
        << QStringList{opt, QStringLiteral("10.0.0.0/8"), opt, QStringLiteral("2001:db8::/32")} << QByteArray()
        << QStringList{QStringLiteral("10.0.0.0/8"), QStringLiteral("2001:db8::/32")} << true;
    QTest::newRow("environment, comma-separated")
        << QStringList{} << QByteArray("192.0.2.1, ::1")
        << QStringList{QStringLiteral("192.0.2.1/32"), QStringLiteral("::1/128")} << true;
    QTest::newRow("IPv4-mapped becomes IPv4") << QStringList{opt, QStringLiteral("::ffff:10.0.0.5")} << QByteArray()
                                              << QStringList{QStringLiteral("10.0.0.5/32")} << true;
    QTest::newRow("host name refused") << QStringList{opt, QStringLiteral("proxy.example")} << QByteArray()
                                       << QStringList{} << false;
    QTest::newRow("bad prefix refused") << QStringList{opt, QStringLiteral("10.0.0.0/33")} << QByteArray()
                                        << QStringList{} << false;
}

void TestSettings::trustedProxies()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, env);
    QFETCH(QStringList, ranges);
    QFETCH(bool, ok);
    if (!env.isEmpty())
        qputenv("PROVISIO_TRUSTED_PROXIES", env);
    const auto c = resolve(args);
    QCOMPARE(bool(c), ok);
    if (!ok) {
        QVERIFY2(c.error().message.contains(QLatin1String("--trusted-proxy")), qPrintable(c.error().message));
        return;
    }
    QStringList got;
    for (const auto &range : c->trustedProxies)
        got << range.first.toString() + QLatin1Char('/') + QString::number(range.second);
    QCOMPARE(got, ranges);
}

void TestSettings::init()
{
    // The lookups read the environment: start every case without PROVISIO_*.
    for (const SettingSpec &s : serviceSettings())
        qunsetenv(s.env);
}

void TestSettings::cleanup()
{
    init();
}

Result<ServiceConfig> TestSettings::resolve(const QStringList &args, const QByteArray &ini)
{
    QCommandLineParser parser;
    addServiceOptions(parser);
    QStringList all{QStringLiteral("provisio-middleware"), QStringLiteral("--data-dir"), m_dir.path()};
    all << args;
    if (!ini.isEmpty()) {
        const QString path = m_dir.filePath(QStringLiteral("provisio.ini"));
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return Error(ErrorCode::Internal, QStringLiteral("cannot write the INI file"));
        f.write(ini);
        f.close();
        all << QStringLiteral("--config") << path;
    }
    if (!parser.parse(all))
        return Error(ErrorCode::InvalidInput, parser.errorText());
    return serviceConfigFrom(parser);
}

void TestSettings::integers_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("min");
    QTest::addColumn<qint64>("max");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<qint64>("value");

    constexpr qint64 big = std::numeric_limits<qint64>::max();
    constexpr qint64 small = std::numeric_limits<qint64>::min();
    QTest::newRow("plain") << "42" << 1LL << 100LL << true << 42LL;
    QTest::newRow("blanks around") << " 7\t" << 1LL << 100LL << true << 7LL;
    QTest::newRow("plus sign") << "+5" << 1LL << 100LL << true << 5LL;
    QTest::newRow("lower bound") << "1" << 1LL << 100LL << true << 1LL;
    QTest::newRow("upper bound") << "100" << 1LL << 100LL << true << 100LL;
    QTest::newRow("below") << "0" << 1LL << 100LL << false << 0LL;
    QTest::newRow("above") << "101" << 1LL << 100LL << false << 0LL;
    QTest::newRow("negative") << "-1" << 0LL << 100LL << false << 0LL;
    QTest::newRow("negative allowed") << "-1" << -5LL << 5LL << true << -1LL;
    QTest::newRow("empty") << "" << 0LL << 100LL << false << 0LL;
    QTest::newRow("blank") << "   " << 0LL << 100LL << false << 0LL;
    QTest::newRow("sign only") << "-" << -5LL << 5LL << false << 0LL;
    QTest::newRow("garbage") << "ten" << 0LL << 100LL << false << 0LL;
    QTest::newRow("trailing garbage") << "10x" << 0LL << 100LL << false << 0LL;
    QTest::newRow("inner blank") << "1 0" << 0LL << 100LL << false << 0LL;
    QTest::newRow("fraction") << "1.5" << 0LL << 100LL << false << 0LL;
    QTest::newRow("hex") << "0x10" << 0LL << 100LL << false << 0LL;
    QTest::newRow("a duration") << "5s" << 0LL << 100LL << false << 0LL;
    QTest::newRow("int64 max") << "9223372036854775807" << 0LL << big << true << big;
    QTest::newRow("int64 min") << "-9223372036854775808" << small << 0LL << true << small;
    QTest::newRow("overflow") << "9223372036854775808" << 0LL << big << false << 0LL;
    QTest::newRow("negative overflow") << "-9223372036854775809" << small << 0LL << false << 0LL;
    QTest::newRow("far overflow") << "99999999999999999999999" << 0LL << big << false << 0LL;
}

void TestSettings::integers()
{
    QFETCH(QString, text);
    QFETCH(qint64, min);
    QFETCH(qint64, max);
    QFETCH(bool, ok);
    QFETCH(qint64, value);
    const auto r = parseInteger(text, min, max);
    QCOMPARE(bool(r), ok);
    if (ok) {
        QCOMPARE(*r, value);
    } else {
        // Every refusal says what is allowed.
        QVERIFY2(r.error().message.contains(QStringLiteral("from %1 to %2").arg(min).arg(max)),
                 qPrintable(r.error().message));
    }
}

void TestSettings::durations_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<DurationUnit>("bareUnit");
    QTest::addColumn<qint64>("min");
    QTest::addColumn<qint64>("max");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<qint64>("ms");

    constexpr qint64 day = 24LL * 3600 * 1000;
    const auto s = DurationUnit::Seconds;
    QTest::newRow("ms") << "500ms" << s << 0LL << day << true << 500LL;
    QTest::newRow("s") << "30s" << s << 0LL << day << true << 30000LL;
    QTest::newRow("m") << "5m" << s << 0LL << day << true << 300000LL;
    QTest::newRow("h") << "2h" << s << 0LL << day << true << 7200000LL;
    QTest::newRow("d") << "7d" << s << 0LL << 30 * day << true << 7 * day;
    QTest::newRow("upper case") << "2H" << s << 0LL << day << true << 7200000LL;
    QTest::newRow("blanks around") << " 3s " << s << 0LL << day << true << 3000LL;
    QTest::newRow("bare seconds") << "6" << s << 0LL << day << true << 6000LL;
    QTest::newRow("bare ms") << "300" << DurationUnit::Milliseconds << 0LL << day << true << 300LL;
    QTest::newRow("bare hours") << "720" << DurationUnit::Hours << 0LL << 366 * day << true << 30 * day;
    QTest::newRow("zero") << "0" << s << 0LL << day << true << 0LL;
    QTest::newRow("upper bound") << "1d" << s << 0LL << day << true << day;
    QTest::newRow("above") << "25h" << s << 0LL << day << false << 0LL;
    QTest::newRow("below") << "4s" << s << 5000LL << day << false << 0LL;
    QTest::newRow("below in ms") << "99ms" << s << 100LL << day << false << 0LL;
    QTest::newRow("negative") << "-5s" << s << 0LL << day << false << 0LL;
    QTest::newRow("empty") << "" << s << 0LL << day << false << 0LL;
    QTest::newRow("unit only") << "s" << s << 0LL << day << false << 0LL;
    QTest::newRow("unknown unit") << "5w" << s << 0LL << day << false << 0LL;
    QTest::newRow("two units") << "1h30m" << s << 0LL << day << false << 0LL;
    QTest::newRow("inner blank") << "5 s" << s << 0LL << day << false << 0LL;
    QTest::newRow("fraction") << "1.5h" << s << 0LL << day << false << 0LL;
    QTest::newRow("garbage") << "soon" << s << 0LL << day << false << 0LL;
    QTest::newRow("overflow in the unit")
        << "9223372036854775807d" << s << 0LL << std::numeric_limits<qint64>::max() << false << 0LL;
    QTest::newRow("overflow in the number")
        << "99999999999999999999ms" << s << 0LL << std::numeric_limits<qint64>::max() << false << 0LL;
}

void TestSettings::durations()
{
    QFETCH(QString, text);
    QFETCH(DurationUnit, bareUnit);
    QFETCH(qint64, min);
    QFETCH(qint64, max);
    QFETCH(bool, ok);
    QFETCH(qint64, ms);
    const auto r = parseDurationMs(text, bareUnit, min, max);
    QCOMPARE(bool(r), ok);
    if (ok) {
        QCOMPARE(*r, ms);
    } else {
        QVERIFY2(r.error().message.contains(formatDuration(min) + QStringLiteral(" to ") + formatDuration(max)),
                 qPrintable(r.error().message));
        QVERIFY2(r.error().message.contains(durationUnitName(bareUnit)), qPrintable(r.error().message));
    }
}

void TestSettings::switches_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<bool>("value");
    for (const char *t : {"on", "ON", "true", "yes", "1", " True "})
        QTest::newRow(t) << QString::fromLatin1(t) << true << true;
    for (const char *t : {"off", "false", "No", "0"})
        QTest::newRow(t) << QString::fromLatin1(t) << true << false;
    for (const char *t : {"", "2", "enabled", "o"})
        QTest::newRow(t[0] ? t : "empty") << QString::fromLatin1(t) << false << false;
}

void TestSettings::switches()
{
    QFETCH(QString, text);
    QFETCH(bool, ok);
    QFETCH(bool, value);
    const auto r = parseSwitch(text);
    QCOMPARE(bool(r), ok);
    if (ok)
        QCOMPARE(*r, value);
}

void TestSettings::formatDurationReadsBack_data()
{
    QTest::addColumn<qint64>("ms");
    QTest::addColumn<QString>("text");
    QTest::newRow("ms") << 1500LL << "1500ms";
    QTest::newRow("s") << 30000LL << "30s";
    QTest::newRow("m") << 60000LL << "1m";
    QTest::newRow("h") << 3600000LL << "1h";
    QTest::newRow("d") << 7 * 24 * 3600000LL << "7d";
    QTest::newRow("zero") << 0LL << "0s";
}

void TestSettings::formatDurationReadsBack()
{
    QFETCH(qint64, ms);
    QFETCH(QString, text);
    QCOMPARE(formatDuration(ms), text);
    QCOMPARE(*parseDurationMs(text, DurationUnit::Days, 0, ms), ms);
}

void TestSettings::precedence_data()
{
    // One integer, one duration and one switch setting, each given in some
    // of the three places; the expected value is the strongest one's.
    QTest::addColumn<QString>("option");
    QTest::addColumn<QString>("cli");
    QTest::addColumn<QString>("env");
    QTest::addColumn<QString>("ini");
    QTest::addColumn<qint64>("expected");

    const QString keep = QStringLiteral("telemetry-keep");
    const QString token = QStringLiteral("hub-token-lifetime");
    const QString link = QStringLiteral("hub-link");
    QTest::newRow("keep: default") << keep << ""
                                   << ""
                                   << "" << 1000LL;
    QTest::newRow("keep: ini") << keep << ""
                               << ""
                               << "30" << 30LL;
    QTest::newRow("keep: env over ini") << keep << ""
                                        << "20"
                                        << "30" << 20LL;
    QTest::newRow("keep: cli over env and ini") << keep << "10"
                                                << "20"
                                                << "30" << 10LL;
    QTest::newRow("keep: cli over ini") << keep << "10"
                                        << ""
                                        << "30" << 10LL;
    QTest::newRow("keep: env alone") << keep << ""
                                     << "20"
                                     << "" << 20LL;
    QTest::newRow("token: default") << token << ""
                                    << ""
                                    << "" << 3600LL;
    QTest::newRow("token: ini minutes") << token << ""
                                        << ""
                                        << "2m" << 120LL;
    QTest::newRow("token: env bare seconds over ini") << token << ""
                                                      << "6"
                                                      << "2m" << 6LL;
    QTest::newRow("token: cli hours over all") << token << "1h"
                                               << "6"
                                               << "2m" << 3600LL;
    QTest::newRow("link: default") << link << ""
                                   << ""
                                   << "" << 1LL;
    QTest::newRow("link: ini off") << link << ""
                                   << ""
                                   << "false" << 0LL;
    QTest::newRow("link: env on over ini") << link << ""
                                           << "on"
                                           << "false" << 1LL;
    QTest::newRow("link: cli off over env") << link << "off"
                                            << "on"
                                            << "" << 0LL;
}

void TestSettings::precedence()
{
    QFETCH(QString, option);
    QFETCH(QString, cli);
    QFETCH(QString, env);
    QFETCH(QString, ini);
    QFETCH(qint64, expected);
    const SettingSpec *spec = nullptr;
    for (const SettingSpec &s : serviceSettings()) {
        if (s.optionName() == option)
            spec = &s;
    }
    QVERIFY(spec);
    QStringList args;
    if (!cli.isEmpty())
        args << QStringLiteral("--") + option << cli;
    if (!env.isEmpty())
        qputenv(spec->env, env.toUtf8());
    const QByteArray file =
        ini.isEmpty() ? QByteArray() : (option + QLatin1Char('=') + ini + QLatin1Char('\n')).toUtf8();
    const auto config = resolve(args, file);
    QVERIFY2(config, qPrintable(config ? QString() : config.error().message));
    qint64 actual = -1;
    if (option == QLatin1String("telemetry-keep"))
        actual = config->telemetryKeep;
    else if (option == QLatin1String("hub-token-lifetime"))
        actual = config->hubTokenLifetimeSeconds;
    else if (option == QLatin1String("hub-link"))
        actual = config->hubLinkEnabled ? 1 : 0;
    QCOMPARE(actual, expected);
}

void TestSettings::badValueNamesSettingSourceAndRange_data()
{
    QTest::addColumn<QString>("source");
    QTest::addColumn<QString>("option");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QStringList>("mentions");

    QTest::newRow("cli range") << "cli"
                               << "telemetry-keep"
                               << "0"
                               << QStringList{QStringLiteral("--telemetry-keep"), QStringLiteral("command line"),
                                              QStringLiteral("from 1 to 1000000")};
    QTest::newRow("env garbage") << "env"
                                 << "telemetry-keep"
                                 << "lots"
                                 << QStringList{QStringLiteral("PROVISIO_TELEMETRY_KEEP"),
                                                QStringLiteral("environment"), QStringLiteral("from 1 to 1000000")};
    QTest::newRow("ini negative") << "ini"
                                  << "telemetry-days"
                                  << "-1"
                                  << QStringList{QStringLiteral("telemetry-days"), QStringLiteral("config file"),
                                                 QStringLiteral("from 1 to 3650")};
    QTest::newRow("env duration too short")
        << "env"
        << "hub-token-lifetime"
        << "4s" << QStringList{QStringLiteral("PROVISIO_HUB_TOKEN_LIFETIME"), QStringLiteral("from 5s to 1d")};
    QTest::newRow("env old clamp no longer silent")
        << "env"
        << "webhook-max-attempts"
        << "1000" << QStringList{QStringLiteral("PROVISIO_WEBHOOK_MAX_ATTEMPTS"), QStringLiteral("from 1 to 100")};
    QTest::newRow("cli switch") << "cli"
                                << "hub-link"
                                << "maybe" << QStringList{QStringLiteral("--hub-link"), QStringLiteral("on/off")};
    QTest::newRow("env flag") << "env"
                              << "log-json"
                              << "sometimes"
                              << QStringList{QStringLiteral("PROVISIO_LOG_JSON"), QStringLiteral("on/off")};
    QTest::newRow("env overflow") << "env"
                                  << "telemetry-prune-interval"
                                  << "99999999999999999999d"
                                  << QStringList{QStringLiteral("PROVISIO_TELEMETRY_PRUNE_MS"),
                                                 QStringLiteral("too long"), QStringLiteral("100ms to 1d")};
    QTest::newRow("ini listen") << "ini"
                                << "listen"
                                << "nowhere" << QStringList{QStringLiteral("listen"), QStringLiteral("config file")};
}

void TestSettings::badValueNamesSettingSourceAndRange()
{
    QFETCH(QString, source);
    QFETCH(QString, option);
    QFETCH(QString, value);
    QFETCH(QStringList, mentions);
    const SettingSpec *spec = nullptr;
    for (const SettingSpec &s : serviceSettings()) {
        if (s.optionName() == option)
            spec = &s;
    }
    QVERIFY(spec);
    QStringList args;
    QByteArray ini;
    if (source == QLatin1String("cli"))
        args << QStringLiteral("--") + option << value;
    else if (source == QLatin1String("env"))
        qputenv(spec->env, value.toUtf8());
    else
        ini = (option + QLatin1Char('=') + value + QLatin1Char('\n')).toUtf8();
    const auto config = resolve(args, ini);
    QVERIFY(!config);
    for (const QString &m : std::as_const(mentions))
        QVERIFY2(config.error().message.contains(m),
                 qPrintable(config.error().message + QStringLiteral(" lacks ") + m));
}

void TestSettings::defaultsAreTheTables()
{
    // Nothing given: the result equals a default-constructed ServiceConfig,
    // which code that builds one by hand (tests, `routes`) relies on.
    const auto c = resolve({});
    QVERIFY2(c, qPrintable(c ? QString() : c.error().message));
    const ServiceConfig d;
    QCOMPARE(c->listenPort, d.listenPort);
    QCOMPARE(c->plainHttp, d.plainHttp);
    QCOMPARE(c->logJson, d.logJson);
    QCOMPARE(c->activationCodeTtlSeconds, d.activationCodeTtlSeconds);
    QCOMPARE(c->activationAttemptsPerSerial, d.activationAttemptsPerSerial);
    QCOMPARE(c->activationAttemptsPerClient, d.activationAttemptsPerClient);
    QCOMPARE(c->registrationRetryAfterSeconds, d.registrationRetryAfterSeconds);
    QCOMPARE(c->sasClockSkewSeconds, d.sasClockSkewSeconds);
    QCOMPARE(c->webhookAllowHttp, d.webhookAllowHttp);
    QCOMPARE(c->webhookInitialBackoffMs, d.webhookInitialBackoffMs);
    QCOMPARE(c->webhookMaxAttempts, d.webhookMaxAttempts);
    QCOMPARE(c->hubLinkEnabled, d.hubLinkEnabled);
    QCOMPARE(c->hubTokenLifetimeSeconds, d.hubTokenLifetimeSeconds);
    QCOMPARE(c->telemetryKeep, d.telemetryKeep);
    QCOMPARE(c->telemetryDays, d.telemetryDays);
    QCOMPARE(c->telemetryPruneMs, d.telemetryPruneMs);
    QCOMPARE(c->telemetryMaxDevices, d.telemetryMaxDevices);
    QCOMPARE(c->telemetryEventsPerSecond, d.telemetryEventsPerSecond);
    QCOMPARE(c->smtpUrl, d.smtpUrl);
    QCOMPARE(c->smtpTimeoutSeconds, d.smtpTimeoutSeconds);
    QCOMPARE(c->mailInitialBackoffMs, d.mailInitialBackoffMs);
    QCOMPARE(c->mailMaxBackoffMs, d.mailMaxBackoffMs);
    QCOMPARE(c->mailMaxAttempts, d.mailMaxAttempts);
    QCOMPARE(c->mailQueueLimit, d.mailQueueLimit);
    QCOMPARE(c->dpsMqttEnabled, d.dpsMqttEnabled);
    QCOMPARE(c->dpsMqttMaxConnections, d.dpsMqttMaxConnections);
    QCOMPARE(c->dpsMqttMaxPacketBytes, d.dpsMqttMaxPacketBytes);
    QCOMPARE(c->dpsMqttConnectTimeoutSeconds, d.dpsMqttConnectTimeoutSeconds);
    QCOMPARE(c->dpsMqttMaxKeepAliveSeconds, d.dpsMqttMaxKeepAliveSeconds);
    QCOMPARE(c->dpsMqttRequestsPerMinute, d.dpsMqttRequestsPerMinute);

    // The two spellings of the activation code lifetime.
    QCOMPARE(resolve({QStringLiteral("--activation-ttl-hours"), QStringLiteral("2")})->activationCodeTtlSeconds, 7200);
    qputenv("PROVISIO_ACTIVATION_TTL_SECONDS", "1");
    QCOMPARE(resolve({QStringLiteral("--activation-ttl-hours"), QStringLiteral("2")})->activationCodeTtlSeconds, 1);
}

void TestSettings::environmentNamesAreUnique()
{
    QSet<QString> options;
    QSet<QString> envs;
    for (const SettingSpec &s : serviceSettings()) {
        QVERIFY2(!options.contains(s.optionName()), s.name);
        QVERIFY2(!envs.contains(s.envName()), s.env);
        QVERIFY2(s.envName().startsWith(QLatin1String("PROVISIO_")), s.env);
        options.insert(s.optionName());
        envs.insert(s.envName());
    }
}

namespace {
struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

Run runMiddleware(const QStringList &args, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(PROVISIO_MIDDLEWARE_BIN), args);
    Run r;
    if (!p.waitForFinished(20000)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}
} // namespace

void TestSettings::helpShowsEverySetting()
{
    const Run r = runMiddleware({QStringLiteral("serve"), QStringLiteral("--help")});
    QCOMPARE(r.exitCode, 0);
    // QCommandLineParser wraps long lines: compare without the layout.
    QString help = r.out;
    help.replace(QRegularExpression(QStringLiteral("\\s+")), QStringLiteral(" "));
    for (const SettingSpec &s : serviceSettings()) {
        QVERIFY2(help.contains(QStringLiteral("--") + s.optionName()), s.name);
        QVERIFY2(help.contains(QStringLiteral("[env ") + s.envName() + QLatin1Char(']')), s.env);
    }
    QVERIFY2(help.contains(QLatin1String("default 1000")), qPrintable(help));
}

void TestSettings::badValueStopsServe_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("envName");
    QTest::addColumn<QString>("envValue");
    QTest::addColumn<QString>("mention");

    QTest::newRow("env out of range") << QStringList{} << "PROVISIO_TELEMETRY_KEEP"
                                      << "0"
                                      << "PROVISIO_TELEMETRY_KEEP";
    QTest::newRow("env garbage duration") << QStringList{} << "PROVISIO_TELEMETRY_PRUNE_MS"
                                          << "fast"
                                          << "PROVISIO_TELEMETRY_PRUNE_MS";
    QTest::newRow("cli too short") << QStringList{QStringLiteral("--hub-token-lifetime"), QStringLiteral("2s")} << ""
                                   << ""
                                   << "--hub-token-lifetime";
    QTest::newRow("cli switch") << QStringList{QStringLiteral("--hub-link"), QStringLiteral("perhaps")} << ""
                                << ""
                                << "--hub-link";
}

void TestSettings::badValueStopsServe()
{
    QFETCH(QStringList, args);
    QFETCH(QString, envName);
    QFETCH(QString, envValue);
    QFETCH(QString, mention);
    QTemporaryDir dir;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    if (!envName.isEmpty())
        env.insert(envName, envValue);
    const Run r = runMiddleware(QStringList{QStringLiteral("serve"), QStringLiteral("--data-dir"), dir.path(),
                                            QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                                            QStringLiteral("--plain-http-behind-proxy")} +
                                    args,
                                env);
    QVERIFY2(r.exitCode > 0, qPrintable(r.out + r.err));
    QVERIFY2(r.err.contains(mention), qPrintable(r.err));
    QVERIFY2(r.err.contains(QLatin1String("allowed")), qPrintable(r.err));
    QVERIFY2(!r.out.contains(QLatin1String("listening")), qPrintable(r.out));
}

void TestSettings::documentationListsEverySetting()
{
    // docs/configuration.md is the operator's copy of --help.
    QFile doc(QStringLiteral(PROVISIO_CONFIGURATION_DOC));
    QVERIFY(doc.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(doc.readAll());
    for (const SettingSpec &s : serviceSettings()) {
        QVERIFY2(text.contains(QStringLiteral("`--") + s.optionName()), s.name);
        QVERIFY2(text.contains(QLatin1Char('`') + s.envName() + QLatin1Char('`')), s.env);
    }
}

// Every secret of the service can come from a file or the environment; one
// on the command line still works, with a warning that ps shows it.
void TestSettings::secretsFromFileOrEnvironment_data()
{
    QTest::addColumn<QString>("setting"); // webhook-authorization, database-password or smtp-password
    QTest::addColumn<QString>("how");     // argument, variable, file option, file variable
    QTest::addColumn<bool>("warned");
    for (const char *setting : {"webhook-authorization", "database-password", "smtp-password"}) {
        const QString name = QString::fromLatin1(setting);
        QTest::addRow("%s as argument", setting) << name << QStringLiteral("argument") << true;
        QTest::addRow("%s as variable", setting) << name << QStringLiteral("variable") << false;
        QTest::addRow("%s from file option", setting) << name << QStringLiteral("file option") << false;
        QTest::addRow("%s from file variable", setting) << name << QStringLiteral("file variable") << false;
        QTest::addRow("%s from config file", setting) << name << QStringLiteral("config file") << false;
    }
}

void TestSettings::secretsFromFileOrEnvironment()
{
    QFETCH(QString, setting);
    QFETCH(QString, how);
    QFETCH(bool, warned);
    const QString secret = QStringLiteral("Bearer s3cr@t:pa/ss");
    const QString path = m_dir.filePath(QStringLiteral("secret.txt"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(secret.toUtf8() + "\n");
    file.close();
    const bool database = setting == QLatin1String("database-password");
    const bool smtp = setting == QLatin1String("smtp-password");
    const QByteArray env = database ? "PROVISIO_DATABASE_PASSWORD"
                           : smtp   ? "PROVISIO_SMTP_PASSWORD"
                                    : "PROVISIO_WEBHOOK_AUTHORIZATION";

    QStringList args;
    if (database)
        args << QStringLiteral("--database") << QStringLiteral("postgresql://provisio@db.example:5432/provisio");
    if (smtp)
        args << QStringLiteral("--smtp-user") << QStringLiteral("mailer");
    QByteArray ini;
    if (how == QLatin1String("argument"))
        args << QStringLiteral("--") + setting << secret;
    else if (how == QLatin1String("variable"))
        qputenv(env.constData(), secret.toUtf8());
    else if (how == QLatin1String("file option"))
        args << QStringLiteral("--") + setting + QStringLiteral("-file") << path;
    else if (how == QLatin1String("file variable"))
        qputenv(QByteArray(env + "_FILE").constData(), path.toUtf8());
    else
        ini = setting.toUtf8() + "-file=" + path.toUtf8() + "\n";
    const auto c = resolve(args, ini);
    QVERIFY2(c, qPrintable(c.error().message));
    if (database) {
        const QUrl url(c->databaseLocation());
        QCOMPARE(url.password(QUrl::FullyDecoded), secret);
        QCOMPARE(url.userName(), QStringLiteral("provisio"));
        QCOMPARE(url.host(), QStringLiteral("db.example"));
    } else if (smtp) {
        QCOMPARE(c->smtpPassword, secret);
    } else {
        QCOMPARE(c->webhookAuthorization, secret);
    }
    QCOMPARE(!c->warnings.isEmpty(), warned);
    for (const QString &w : c->warnings) {
        QVERIFY2(w.contains(setting + QStringLiteral("-file")), qPrintable(w));
        QVERIFY(!w.contains(secret));
    }
}

void TestSettings::badSecretSources_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::addColumn<bool>("ok");
    const QString pg = QStringLiteral("postgresql://provisio:inurl@db.example/provisio");
    QTest::newRow("value and file") << QStringList{QStringLiteral("--webhook-authorization"), QStringLiteral("x"),
                                                   QStringLiteral("--webhook-authorization-file"),
                                                   m_dir.filePath(QStringLiteral("secret.txt"))}
                                    << QStringLiteral("use one") << false;
    QTest::newRow("missing file") << QStringList{QStringLiteral("--webhook-authorization-file"),
                                                 m_dir.filePath(QStringLiteral("nowhere"))}
                                  << QStringLiteral("cannot read") << false;
    QTest::newRow("empty file") << QStringList{QStringLiteral("--database"), pg,
                                               QStringLiteral("--database-password-file"),
                                               m_dir.filePath(QStringLiteral("empty.txt"))}
                                << QStringLiteral("is empty") << false;
    QTest::newRow("SMTP credentials in the URL")
        << QStringList{QStringLiteral("--smtp-url"), QStringLiteral("smtp://me:pw@mail.example:587")}
        << QStringLiteral("must not hold credentials") << false;
    QTest::newRow("SMTP user without password")
        << QStringList{QStringLiteral("--smtp-user"), QStringLiteral("me")} << QStringLiteral("go together") << false;
    QTest::newRow("not an SMTP URL") << QStringList{QStringLiteral("--smtp-url"), QStringLiteral("http://mail.example")}
                                     << QStringLiteral("smtp://host") << false;
    QTest::newRow("password for SQLite") << QStringList{QStringLiteral("--database-password"), QStringLiteral("x")}
                                         << QStringLiteral("postgresql://") << false;
    // Accepted, but the URL's password shows in ps: warned.
    QTest::newRow("password in URL argument")
        << QStringList{QStringLiteral("--database"), pg} << QStringLiteral("--database with a password") << true;
}

void TestSettings::badSecretSources()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    QFETCH(bool, ok);
    for (const char *name : {"secret.txt", "empty.txt"}) {
        QFile f(m_dir.filePath(QString::fromLatin1(name)));
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        if (qstrcmp(name, "secret.txt") == 0)
            f.write("x\n");
    }
    const auto c = resolve(args);
    QCOMPARE(c.ok(), ok);
    const QString said = c ? c->warnings.join(QLatin1Char('\n')) : c.error().message;
    QVERIFY2(said.contains(message), qPrintable(said));
    QVERIFY(!said.contains(QLatin1String("inurl")));
}

// The real binary: a database password on the command line is warned about,
// one from a file or the environment is not, and none is ever repeated in
// what the middleware prints (here: failing to reach a database that is not
// there).
void TestSettings::commandLineSecretsAreWarnedNeverEchoed_data()
{
    QTest::addColumn<QString>("how");
    QTest::addColumn<bool>("warned");
    QTest::newRow("in the URL argument") << QStringLiteral("url") << true;
    QTest::newRow("password argument") << QStringLiteral("argument") << true;
    QTest::newRow("password file") << QStringLiteral("file") << false;
    QTest::newRow("password variable") << QStringLiteral("variable") << false;
}

void TestSettings::commandLineSecretsAreWarnedNeverEchoed()
{
    QFETCH(QString, how);
    QFETCH(bool, warned);
    const QString password = QStringLiteral("pw-Mark-4711");
    const QString nowhere = QStringLiteral("postgresql://provisio@127.0.0.1:1/provisio?connect_timeout=2");
    QTemporaryDir dir;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const SettingSpec &s : serviceSettings())
        env.remove(s.envName());
    QStringList args{QStringLiteral("token"), QStringLiteral("list"), QStringLiteral("--data-dir"), dir.path(),
                     QStringLiteral("--database")};
    if (how == QLatin1String("url")) {
        QUrl url(nowhere);
        url.setPassword(password);
        args << url.toString();
    } else {
        args << nowhere;
    }
    if (how == QLatin1String("argument"))
        args << QStringLiteral("--database-password") << password;
    if (how == QLatin1String("variable"))
        env.insert(QStringLiteral("PROVISIO_DATABASE_PASSWORD"), password);
    if (how == QLatin1String("file")) {
        QFile f(dir.filePath(QStringLiteral("db-password")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(password.toUtf8() + "\n");
        f.close();
        args << QStringLiteral("--database-password-file") << f.fileName();
    }
    const Run r = runMiddleware(args, env);
    QVERIFY2(r.exitCode > 0, qPrintable(r.out + r.err));
    QVERIFY2(r.err.contains(QLatin1String("cannot open database")) || r.err.contains(QLatin1String("QPSQL")),
             qPrintable(r.err));
    QCOMPARE(r.err.contains(QLatin1String("warning:")), warned);
    QVERIFY2(!r.out.contains(password) && !r.err.contains(password), qPrintable(r.err));
}

PROVISIO_TEST_GUILESS_MAIN(TestSettings)
#include "tst_settings.moc"

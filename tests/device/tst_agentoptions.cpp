// SPDX-License-Identifier: Apache-2.0
// provisio-agent's option parser: each way to run it, the environment as a
// fallback, and a clear message for every bad combination.
#include "agentoptions.h"

#include "crypto/activationcode.h"
#include "crypto/keys.h"

#include <QFile>
#include <QHash>
#include <QTemporaryDir>
#include <QTest>

using namespace Provisio;
using namespace Provisio::Agent;

class TestAgentOptions : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_key = Crypto::generateSymmetricKey(32);
    QString m_code = ActivationCode::format(ActivationCode::generate());

    static Result<AgentOptions> parse(const QStringList &args, const QHash<QByteArray, QString> &env = {})
    {
        return AgentOptions::parse(QStringList{QStringLiteral("provisio-agent")} + args,
                                   [env](const QString &name) { return env.value(name.toLatin1()); });
    }

private Q_SLOTS:
    void activation()
    {
        const auto o = parse({QStringLiteral("--data-dir"), m_dir.path(), QStringLiteral("--middleware"),
                              QStringLiteral("https://localhost:8443"), QStringLiteral("--activate"), m_code.toLower(),
                              QStringLiteral("--interval-ms"), QStringLiteral("250")});
        QVERIFY2(o, qPrintable(o.error().message));
        QCOMPARE(o->mode, AgentOptions::Mode::Activate);
        QCOMPARE(o->activationCode, ActivationCode::parse(m_code).value());
        QCOMPARE(o->intervalMs, 250);
        QCOMPARE(o->middlewareUrl, QUrl(QStringLiteral("https://localhost:8443")));
        QCOMPARE(o->telemetry, QStringLiteral("simulated"));
    }

    void fullKeyFromTheEnvironment()
    {
        // Secrets can come from the environment, never the process list.
        const auto o = parse({QStringLiteral("--registration-id"), QStringLiteral("dev-1")},
                             {{"PROVISIO_DATA_DIR", m_dir.path()},
                              {"PROVISIO_MIDDLEWARE_URL", QStringLiteral("https://mw.example:8443")},
                              {"PROVISIO_ID_SCOPE", QStringLiteral("0ne00ABC")},
                              {"PROVISIO_REGISTRATION_ID", QStringLiteral("ignored-because-given")},
                              {"PROVISIO_DEVICE_KEY", m_key}});
        QVERIFY2(o, qPrintable(o.error().message));
        QCOMPARE(o->mode, AgentOptions::Mode::FullKey);
        QCOMPARE(o->registrationId, QStringLiteral("dev-1")); // the command line wins
        QCOMPARE(o->symmetricKey, m_key);
        QCOMPARE(o->dataDirectory, m_dir.path());
    }

    void reconnectNeedsOnlyTheDataDirectory()
    {
        const auto o = parse({QStringLiteral("--data-dir"), m_dir.path()});
        QVERIFY2(o, qPrintable(o.error().message));
        QCOMPARE(o->mode, AgentOptions::Mode::Reconnect);
        QVERIFY(o->middlewareUrl.isEmpty());
    }

    void simulate()
    {
        const auto o =
            parse({QStringLiteral("--data-dir"), m_dir.path(), QStringLiteral("--middleware"),
                   QStringLiteral("https://localhost:8443"), QStringLiteral("--simulate"), QStringLiteral("500"),
                   QStringLiteral("--id-scope"), QStringLiteral("0ne00ABC"), QStringLiteral("--group-key"), m_key,
                   QStringLiteral("--registration-prefix"), QStringLiteral("load-")});
        QVERIFY2(o, qPrintable(o.error().message));
        QCOMPARE(o->mode, AgentOptions::Mode::Simulate);
        QCOMPARE(o->simulateCount, 500);
        QCOMPARE(o->registrationPrefix, QStringLiteral("load-"));
    }

    // Every secret (--key, --group-key) can come from a file or the
    // environment instead of the process list; on the command line it still
    // works, with a warning.
    void secretsFromFileOrEnvironment_data()
    {
        QTest::addColumn<QString>("secret"); // "key" or "group-key"
        QTest::addColumn<QString>("how");    // "argument", "variable", "file option", "file variable"
        QTest::addColumn<bool>("warned");
        for (const char *secret : {"key", "group-key"}) {
            QTest::addRow("%s as argument", secret)
                << QString::fromLatin1(secret) << QStringLiteral("argument") << true;
            QTest::addRow("%s as variable", secret)
                << QString::fromLatin1(secret) << QStringLiteral("variable") << false;
            QTest::addRow("%s from file option", secret)
                << QString::fromLatin1(secret) << QStringLiteral("file option") << false;
            QTest::addRow("%s from file variable", secret)
                << QString::fromLatin1(secret) << QStringLiteral("file variable") << false;
        }
    }

    void secretsFromFileOrEnvironment()
    {
        QFETCH(QString, secret);
        QFETCH(QString, how);
        QFETCH(bool, warned);
        const bool group = secret == QLatin1String("group-key");
        const QByteArray variable = group ? "PROVISIO_GROUP_KEY" : "PROVISIO_DEVICE_KEY";
        const QString path = m_dir.filePath(QStringLiteral("secret-") + secret);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(m_key.toUtf8() + "\n"); // as `echo` writes it
        file.close();

        QStringList args{QStringLiteral("--data-dir"),   m_dir.path(),
                         QStringLiteral("--middleware"), QStringLiteral("https://localhost:8443"),
                         QStringLiteral("--id-scope"),   QStringLiteral("0ne00ABC")};
        args << (group ? QStringList{QStringLiteral("--simulate"), QStringLiteral("3")}
                       : QStringList{QStringLiteral("--registration-id"), QStringLiteral("dev-1")});
        QHash<QByteArray, QString> env;
        if (how == QLatin1String("argument"))
            args << QStringLiteral("--") + secret << m_key;
        else if (how == QLatin1String("variable"))
            env.insert(variable, m_key);
        else if (how == QLatin1String("file option"))
            args << QStringLiteral("--") + secret + QStringLiteral("-file") << path;
        else
            env.insert(variable + "_FILE", path);
        const auto o = parse(args, env);
        QVERIFY2(o, qPrintable(o.error().message));
        QCOMPARE(group ? o->groupKey : o->symmetricKey, m_key);
        QCOMPARE(o->mode, group ? AgentOptions::Mode::Simulate : AgentOptions::Mode::FullKey);
        QCOMPARE(!o->warnings.isEmpty(), warned);
        for (const QString &w : o->warnings) {
            QVERIFY2(w.contains(QStringLiteral("-file")), qPrintable(w));
            QVERIFY(!w.contains(m_key));
        }
    }

    void badSecretFiles_data()
    {
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<QString>("message");
        QTest::newRow("both value and file")
            << QStringList{QStringLiteral("--group-key"), m_key, QStringLiteral("--group-key-file"),
                           m_dir.filePath(QStringLiteral("k"))}
            << QStringLiteral("use one");
        QTest::newRow("missing file") << QStringList{QStringLiteral("--group-key-file"),
                                                     m_dir.filePath(QStringLiteral("nowhere"))}
                                      << QStringLiteral("cannot read");
        QTest::newRow("empty file") << QStringList{QStringLiteral("--group-key-file"),
                                                   m_dir.filePath(QStringLiteral("empty"))}
                                    << QStringLiteral("is empty");
    }

    void badSecretFiles()
    {
        QFETCH(QStringList, extra);
        QFETCH(QString, message);
        QFile empty(m_dir.filePath(QStringLiteral("empty")));
        QVERIFY(empty.open(QIODevice::WriteOnly | QIODevice::Truncate));
        empty.close();
        const auto o =
            parse(QStringList{QStringLiteral("--data-dir"), m_dir.path(), QStringLiteral("--middleware"),
                              QStringLiteral("https://localhost:8443"), QStringLiteral("--simulate"),
                              QStringLiteral("3"), QStringLiteral("--id-scope"), QStringLiteral("0ne00ABC")} +
                  extra);
        QVERIFY(!o);
        QVERIFY2(o.error().message.contains(message), qPrintable(o.error().message));
        QVERIFY(!o.error().message.contains(m_key));
    }

    void helpListsEveryOption()
    {
        const QString help = AgentOptions::helpText();
        for (const char *name : {"--data-dir",
                                 "--middleware",
                                 "--ca",
                                 "--serial",
                                 "--activate",
                                 "--id-scope",
                                 "--registration-id",
                                 "--key",
                                 "--telemetry",
                                 "--interval-ms",
                                 "--simulate",
                                 "--group-key",
                                 "--group-key-file",
                                 "--key-file",
                                 "--registration-prefix",
                                 "--outbox-capacity",
                                 "--unconfirmed-window",
                                 "--confirm-timeout-ms",
                                 "--reprovision-after",
                                 "--max-reconnect-delay-ms",
                                 "--status-interval-ms",
                                 "--reboot-command",
                                 "--help"})
            QVERIFY2(help.contains(QLatin1String(name)), name);
        QVERIFY(parse({QStringLiteral("--help")})->showHelp);
    }

    void badOptions_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        const QString dir = m_dir.path();
        const QString url = QStringLiteral("https://localhost:8443");
        QFile notPem(m_dir.filePath(QStringLiteral("not.pem")));
        QVERIFY(notPem.open(QIODevice::WriteOnly));
        notPem.write("hello\n");
        notPem.close();

        QTest::newRow("no data dir") << QStringList{} << QStringLiteral("--data-dir is required");
        QTest::newRow("unknown option") << QStringList{QStringLiteral("--data-dir"), dir, QStringLiteral("--colour")}
                                        << QStringLiteral("Unknown option 'colour'");
        QTest::newRow("positional") << QStringList{QStringLiteral("--data-dir"), dir, QStringLiteral("extra")}
                                    << QStringLiteral("unexpected argument \"extra\"");
        QTest::newRow("twice") << QStringList{QStringLiteral("--data-dir"), dir, QStringLiteral("--data-dir"), dir}
                               << QStringLiteral("--data-dir is given more than once");
        QTest::newRow("bad url") << QStringList{QStringLiteral("--data-dir"), dir, QStringLiteral("--middleware"),
                                                QStringLiteral("ftp://x")}
                                 << QStringLiteral("is not an http(s) URL");
        QTest::newRow("missing ca") << QStringList{QStringLiteral("--data-dir"), dir, QStringLiteral("--ca"),
                                                   m_dir.filePath(QStringLiteral("nope.pem"))}
                                    << QStringLiteral("cannot read it");
        QTest::newRow("ca not pem") << QStringList{QStringLiteral("--data-dir"), dir, QStringLiteral("--ca"),
                                                   notPem.fileName()}
                                    << QStringLiteral("holds no PEM certificate");
        QTest::newRow("typo in code") << QStringList{QStringLiteral("--data-dir"),   dir,
                                                     QStringLiteral("--middleware"), url,
                                                     QStringLiteral("--activate"),   QStringLiteral("ABCD")}
                                      << QStringLiteral("--activate: ");
        QTest::newRow("code and key") << QStringList{QStringLiteral("--data-dir"),   dir,
                                                     QStringLiteral("--middleware"), url,
                                                     QStringLiteral("--activate"),   m_code,
                                                     QStringLiteral("--key"),        m_key}
                                      << QStringLiteral("choose one way to provision");
        QTest::newRow("partial key") << QStringList{QStringLiteral("--data-dir"),   dir,
                                                    QStringLiteral("--middleware"), url,
                                                    QStringLiteral("--id-scope"),   QStringLiteral("0ne1")}
                                     << QStringLiteral("go together");
        QTest::newRow("bad key") << QStringList{QStringLiteral("--data-dir"),
                                                dir,
                                                QStringLiteral("--middleware"),
                                                url,
                                                QStringLiteral("--id-scope"),
                                                QStringLiteral("0ne1"),
                                                QStringLiteral("--registration-id"),
                                                QStringLiteral("d1"),
                                                QStringLiteral("--key"),
                                                QStringLiteral("not base64!")}
                                 << QStringLiteral("--key: ");
        QTest::newRow("bad registration id") << QStringList{QStringLiteral("--data-dir"),
                                                            dir,
                                                            QStringLiteral("--middleware"),
                                                            url,
                                                            QStringLiteral("--id-scope"),
                                                            QStringLiteral("0ne1"),
                                                            QStringLiteral("--registration-id"),
                                                            QStringLiteral("no spaces"),
                                                            QStringLiteral("--key"),
                                                            m_key}
                                             << QStringLiteral("--registration-id: ");
        QTest::newRow("no middleware") << QStringList{QStringLiteral("--data-dir"), dir, QStringLiteral("--activate"),
                                                      m_code}
                                       << QStringLiteral("provisioning needs --middleware");
        QTest::newRow("interval too small")
            << QStringList{QStringLiteral("--data-dir"), dir, QStringLiteral("--interval-ms"), QStringLiteral("10")}
            << QStringLiteral("--interval-ms must be a whole number from 100 to 3600000");
        QTest::newRow("interval not a number")
            << QStringList{QStringLiteral("--data-dir"), dir, QStringLiteral("--interval-ms"), QStringLiteral("fast")}
            << QStringLiteral("not \"fast\"");
        QTest::newRow("missing telemetry file")
            << QStringList{QStringLiteral("--data-dir"), dir, QStringLiteral("--telemetry"),
                           m_dir.filePath(QStringLiteral("t.json"))}
            << QStringLiteral("--telemetry: telemetry file");
        QTest::newRow("simulate without group") << QStringList{QStringLiteral("--data-dir"),   dir,
                                                               QStringLiteral("--middleware"), url,
                                                               QStringLiteral("--simulate"),   QStringLiteral("3")}
                                                << QStringLiteral("--simulate needs --id-scope and --group-key");
        QTest::newRow("simulate zero") << QStringList{QStringLiteral("--data-dir"), dir, QStringLiteral("--simulate"),
                                                      QStringLiteral("0")}
                                       << QStringLiteral("--simulate must be a whole number from 1 to 10000");
        QTest::newRow("simulate with code") << QStringList{QStringLiteral("--data-dir"),   dir,
                                                           QStringLiteral("--middleware"), url,
                                                           QStringLiteral("--simulate"),   QStringLiteral("3"),
                                                           QStringLiteral("--activate"),   m_code}
                                            << QStringLiteral("does not take");
        QTest::newRow("group key alone") << QStringList{QStringLiteral("--data-dir"), dir,
                                                        QStringLiteral("--group-key"), m_key}
                                         << QStringLiteral("--group-key goes with --simulate");
        QTest::newRow("bad prefix") << QStringList{QStringLiteral("--data-dir"),
                                                   dir,
                                                   QStringLiteral("--middleware"),
                                                   url,
                                                   QStringLiteral("--simulate"),
                                                   QStringLiteral("3"),
                                                   QStringLiteral("--id-scope"),
                                                   QStringLiteral("0ne1"),
                                                   QStringLiteral("--group-key"),
                                                   m_key,
                                                   QStringLiteral("--registration-prefix"),
                                                   QStringLiteral("a b")}
                                    << QStringLiteral("gives invalid registration ids");
    }

    void badOptions()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const auto o = parse(args);
        QVERIFY(!o);
        QVERIFY2(o.error().message.contains(message), qPrintable(o.error().message));
        // A secret given on the command line is never repeated in the message.
        QVERIFY(!o.error().message.contains(m_key));
    }
};

QTEST_GUILESS_MAIN(TestAgentOptions)
#include "tst_agentoptions.moc"

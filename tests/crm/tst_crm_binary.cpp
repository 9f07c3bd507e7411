// SPDX-License-Identifier: Apache-2.0
// The real provisio-crm program, offscreen, as an operator starts it: with a
// middleware URL, its CA and a token file it connects and opens its window
// for the token's role; with a CA that does not match it opens none. Its
// --help speaks the window's language, and --page opens every page.
#include "childprocesswatch.h"
#include "middlewareprocess.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Provisio::Test;

class TestCrmBinary : public QObject
{
    Q_OBJECT

private:
    ChildProcessWatch m_children;
    MiddlewareProcess m_mw;
    QTemporaryDir m_home;
    QString m_tokenFile;
    QString m_adminTokenFile;

    static bool writeToken(const QString &path, const QString &token)
    {
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            return false;
        file.write(token.toUtf8());
        file.close();
        return file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    }

    // provisio-crm with `arguments` alone, run to its end: its output.
    QString runCrm(const QStringList &arguments, const QString &lang, int *exitCode)
    {
        QProcess crm;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("LC_ALL"));
        env.remove(QStringLiteral("LC_MESSAGES"));
        env.insert(QStringLiteral("LANG"), lang);
        env.insert(QStringLiteral("LANGUAGE"), lang.left(2));
        env.remove(QStringLiteral("DISPLAY")); // --help needs none
        env.remove(QStringLiteral("QT_QPA_PLATFORM"));
        env.insert(QStringLiteral("HOME"), m_home.path());
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_home.filePath(QStringLiteral("config")));
        crm.setProcessEnvironment(env);
        crm.setProcessChannelMode(QProcess::MergedChannels);
        crm.start(QStringLiteral(PROVISIO_CRM_BIN), arguments);
        if (!crm.waitForFinished(20000))
            crm.kill();
        *exitCode = crm.exitCode();
        return QString::fromUtf8(crm.readAll());
    }

    void startCrm(QProcess &crm, const QString &ca, const QStringList &extra = {}, const QString &lang = {})
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        if (!lang.isEmpty()) {
            // The system's language, as a desktop session sets it.
            env.remove(QStringLiteral("LC_ALL"));
            env.remove(QStringLiteral("LC_MESSAGES"));
            env.insert(QStringLiteral("LANG"), lang);
            env.insert(QStringLiteral("LANGUAGE"), lang.left(2));
        }
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("HOME"), m_home.path());
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_home.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), m_home.filePath(QStringLiteral("data")));
        crm.setProcessEnvironment(env);
        crm.setProcessChannelMode(QProcess::MergedChannels);
        const QStringList arguments{
            QStringLiteral("--url"),        m_mw.baseUrl(), QStringLiteral("--ca"),      ca,
            QStringLiteral("--token-file"), m_tokenFile,    QStringLiteral("--profile"), QStringLiteral("test")};
        crm.start(QStringLiteral(PROVISIO_CRM_BIN), arguments + extra);
    }

    static void stop(QProcess &crm)
    {
        crm.terminate();
        if (!crm.waitForFinished(10000)) {
            crm.kill();
            crm.waitForFinished(5000);
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString token = m_mw.createToken(QStringLiteral("operator"), QStringLiteral("crm-binary"));
        QVERIFY(!token.isEmpty());
        const QString admin = m_mw.createToken(QStringLiteral("admin"), QStringLiteral("crm-admin"));
        QVERIFY(!admin.isEmpty());
        QVERIFY2(m_mw.start(), qPrintable(m_mw.lastError()));
        m_tokenFile = m_home.filePath(QStringLiteral("token"));
        QVERIFY(writeToken(m_tokenFile, token));
        m_adminTokenFile = m_home.filePath(QStringLiteral("admin-token"));
        QVERIFY(writeToken(m_adminTokenFile, admin));
    }

    void init() { m_children.begin(); }
    void cleanup() { m_children.verify(); }

    void startsAndConnects()
    {
        QProcess crm;
        startCrm(crm, m_mw.caCertificatePath());
        QString output;
        const QString opened = QStringLiteral("window open for \"%1\" role \"operator\"").arg(m_mw.baseUrl());
        QDeadlineTimer deadline(30000);
        while (!deadline.hasExpired() && crm.state() != QProcess::NotRunning && !output.contains(opened)) {
            crm.waitForReadyRead(200);
            output += QString::fromUtf8(crm.readAll());
        }
        QVERIFY2(output.contains(opened), qPrintable(output));
        QVERIFY2(output.contains(QStringLiteral("connected to \"%1\" as \"operator\"").arg(m_mw.baseUrl())),
                 qPrintable(output));
        QCOMPARE(crm.state(), QProcess::Running);
        stop(crm);
        QCOMPARE(crm.state(), QProcess::NotRunning);
    }

    // The window's language: the system's by default, --language over it;
    // an unknown one is refused before anything opens.
    void languageFollowsTheSystemUnlessChosen_data()
    {
        QTest::addColumn<QString>("lang");
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<QString>("expected");
        QTest::newRow("German system") << QStringLiteral("de_DE.UTF-8") << QStringList() << QStringLiteral("de");
        QTest::newRow("English system") << QStringLiteral("en_GB.UTF-8") << QStringList() << QStringLiteral("en");
        QTest::newRow("unknown system language: English")
            << QStringLiteral("fr_FR.UTF-8") << QStringList() << QStringLiteral("en");
        QTest::newRow("--language en on a German system")
            << QStringLiteral("de_DE.UTF-8") << QStringList{QStringLiteral("--language"), QStringLiteral("en")}
            << QStringLiteral("en");
        QTest::newRow("--language xx") << QStringLiteral("de_DE.UTF-8")
                                       << QStringList{QStringLiteral("--language"), QStringLiteral("xx")} << QString();
    }
    void languageFollowsTheSystemUnlessChosen()
    {
        QFETCH(QString, lang);
        QFETCH(QStringList, extra);
        QFETCH(QString, expected);
        QProcess crm;
        startCrm(crm, m_mw.caCertificatePath(), extra, lang);
        QString output;
        const QString opened = QStringLiteral("window open for");
        QDeadlineTimer deadline(30000);
        while (!deadline.hasExpired() && crm.state() != QProcess::NotRunning && !output.contains(opened)) {
            crm.waitForReadyRead(200);
            output += QString::fromUtf8(crm.readAll());
        }
        if (expected.isEmpty()) {
            crm.waitForFinished(10000);
            output += QString::fromUtf8(crm.readAll());
            QCOMPARE(crm.exitCode(), 2);
            QVERIFY2(output.contains(QLatin1String("--language must be one of en, de")), qPrintable(output));
            QVERIFY2(!output.contains(opened), qPrintable(output));
            return;
        }
        QVERIFY2(output.contains(opened), qPrintable(output));
        QVERIFY2(output.contains(QStringLiteral("language \"%1\"").arg(expected)), qPrintable(output));
        stop(crm);
    }

    // --help in the language the window would have: the system's, the one
    // chosen in View › Language over it, --language over both.
    void helpFollowsTheLanguage_data()
    {
        QTest::addColumn<QString>("lang");
        QTest::addColumn<QString>("saved");
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<bool>("german");
        QTest::newRow("German system") << QStringLiteral("de_DE.UTF-8") << QString() << QStringList() << true;
        QTest::newRow("English system") << QStringLiteral("en_GB.UTF-8") << QString() << QStringList() << false;
        QTest::newRow("German chosen on an English system")
            << QStringLiteral("en_GB.UTF-8") << QStringLiteral("de") << QStringList() << true;
        QTest::newRow("--language de on an English system")
            << QStringLiteral("en_GB.UTF-8") << QString() << QStringList{QStringLiteral("--language=de")} << true;
        QTest::newRow("--language en over a German choice")
            << QStringLiteral("de_DE.UTF-8") << QStringLiteral("de")
            << QStringList{QStringLiteral("--language"), QStringLiteral("en")} << false;
        QTest::newRow("--language xx: the system's")
            << QStringLiteral("de_DE.UTF-8") << QString() << QStringList{QStringLiteral("--language=xx")} << true;
    }
    void helpFollowsTheLanguage()
    {
        QFETCH(QString, lang);
        QFETCH(QString, saved);
        QFETCH(QStringList, extra);
        QFETCH(bool, german);
        const QString settingsPath = m_home.filePath(QStringLiteral("config/Provisio/provisio-crm.conf"));
        QFile::remove(settingsPath);
        if (!saved.isEmpty()) {
            QVERIFY(QDir().mkpath(QFileInfo(settingsPath).path()));
            QFile settings(settingsPath);
            QVERIFY(settings.open(QIODevice::WriteOnly));
            settings.write("[General]\nlanguage=" + saved.toUtf8() + "\n");
        }
        int exitCode = -1;
        const QString help = runCrm(QStringList{QStringLiteral("--help")} + extra, lang, &exitCode);
        QFile::remove(settingsPath);
        QCOMPARE(exitCode, 0);
        const QString englishUrl = QStringLiteral("Middleware URL, e.g. https://provisio.example.com:8443.");
        const QString germanUrl = QStringLiteral("Middleware-URL, z. B. https://provisio.example.com:8443.");
        QVERIFY2(help.contains(german ? germanUrl : englishUrl), qPrintable(help));
        QVERIFY2(!help.contains(german ? englishUrl : germanUrl), qPrintable(help));
        QVERIFY2(help.contains(QLatin1String("--language <CODE>")), qPrintable(help));
        // Nothing but the help: no log lines.
        QVERIFY2(!help.contains(QLatin1String("provisio.crm")), qPrintable(help));
    }

    // --page opens each page; the service access page for admins only.
    void pageOptionOpensThePage_data()
    {
        QTest::addColumn<QString>("page");
        QTest::addColumn<bool>("admin");
        QTest::addColumn<QString>("opened");
        for (const char *page : {"inventory", "customers", "enrollments", "hubs", "audit", "access", "overview"})
            QTest::newRow(page) << QString::fromLatin1(page) << true << QString::fromLatin1(page);
        QTest::newRow("access as an operator: the inventory")
            << QStringLiteral("access") << false << QStringLiteral("inventory");
    }
    void pageOptionOpensThePage()
    {
        QFETCH(QString, page);
        QFETCH(bool, admin);
        QFETCH(QString, opened);
        const QString tokenFile = m_tokenFile;
        if (admin)
            m_tokenFile = m_adminTokenFile;
        QProcess crm;
        startCrm(crm, m_mw.caCertificatePath(), {QStringLiteral("--page"), page});
        m_tokenFile = tokenFile;
        QString output;
        const QString shown = QStringLiteral("page \"%1\"").arg(opened);
        QDeadlineTimer deadline(30000);
        while (!deadline.hasExpired() && crm.state() != QProcess::NotRunning && !output.contains(shown)) {
            crm.waitForReadyRead(200);
            output += QString::fromUtf8(crm.readAll());
        }
        QVERIFY2(output.contains(QLatin1String("window open for")) && output.contains(shown), qPrintable(output));
        stop(crm);
    }

    void wrongCaOpensNoWindow()
    {
        // Another installation's CA: the middleware's certificate does not verify.
        MiddlewareProcess other;
        QVERIFY2(other.start(), qPrintable(other.lastError()));
        other.stop();
        QProcess crm;
        startCrm(crm, other.caCertificatePath());
        QString output;
        QDeadlineTimer deadline(8000);
        while (!deadline.hasExpired() && crm.state() != QProcess::NotRunning) {
            crm.waitForReadyRead(200);
            output += QString::fromUtf8(crm.readAll());
        }
        QVERIFY2(!output.contains(QLatin1String("window open for")), qPrintable(output));
        QVERIFY2(!output.contains(QLatin1String("connected to")), qPrintable(output));
        stop(crm);
    }
};

PROVISIO_TEST_MAIN(TestCrmBinary)
#include "tst_crm_binary.moc"

// SPDX-License-Identifier: Apache-2.0
// The real provisio-crm program, offscreen, as an operator starts it: with a
// middleware URL, its CA and a token file it connects and opens its window
// for the token's role; with a CA that does not match it opens none.
#include "childprocesswatch.h"
#include "middlewareprocess.h"

#include <QDeadlineTimer>
#include <QFile>
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
        QVERIFY2(m_mw.start(), qPrintable(m_mw.lastError()));
        m_tokenFile = m_home.filePath(QStringLiteral("token"));
        QFile file(m_tokenFile);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(token.toUtf8());
        file.close();
        file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
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

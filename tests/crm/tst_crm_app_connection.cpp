// SPDX-License-Identifier: Apache-2.0
// provisio-crm's connection as its user sees it, on the real widgets
// (offscreen) against a real middleware over real HTTPS: a certificate for
// another name, an expired one, or one from a CA other than the trusted one
// gets a message that says which and what to do, and the dialog does not
// go on; the status bar follows the live feed when the middleware restarts.
// The certificates are made here with openssl, as an operator would make
// the ones the middleware serves with --tls-cert.

#include "apiclient.h"
#include "childprocesswatch.h"
#include "connectiondialog.h"
#include "connectionstore.h"
#include "crmtestutil.h"
#include "eventfeed.h"
#include "inventorymodel.h"
#include "mainwindow.h"
#include "widgettestutil.h"

#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QTemporaryDir>
#include <QTest>

using namespace Provisio;
using namespace Provisio::Crm;
using namespace Provisio::Test;

namespace {
const QString kProfile = QStringLiteral("lab");
}

class TestCrmAppConnection : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void connectsWhenTheCertificateIsInOrder();
    void certificateProblemIsNamedAndStopsTheConnection_data();
    void certificateProblemIsNamedAndStopsTheConnection();
    void connectsAgainOnceTheCertificateIsFixed();
    void statusBarFollowsTheLiveFeedAcrossARestart();

private:
    bool openssl(const QStringList &args);
    bool makeCa(const QString &name);
    bool makeLeaf(const QString &name, const QString &ca, const QString &altNames, int days);
    bool serve(const QString &name); // the middleware restarted with NAME.crt/.key
    // Fills the dialog for the saved profile (or a new one) and clicks Connect.
    void connectWith(ConnectionDialog &dialog, bool saved);

    QTemporaryDir m_dir;
    std::unique_ptr<MiddlewareProcess> m_mw;
    std::unique_ptr<ConnectionStore> m_store;
    QString m_operatorToken;
    QString m_adminToken;
};

bool TestCrmAppConnection::openssl(const QStringList &args)
{
    QProcess p;
    p.setWorkingDirectory(m_dir.path());
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral("openssl"), args);
    if (!p.waitForFinished(30000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        qWarning().noquote() << "openssl" << args.join(QLatin1Char(' ')) << "failed:" << p.readAll();
        return false;
    }
    return true;
}

bool TestCrmAppConnection::makeCa(const QString &name)
{
    return openssl({QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("ec"),
                    QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:P-256"), QStringLiteral("-nodes"),
                    QStringLiteral("-keyout"), name + QStringLiteral(".key"), QStringLiteral("-out"),
                    name + QStringLiteral(".crt"), QStringLiteral("-subj"), QStringLiteral("/CN=Test ") + name,
                    QStringLiteral("-days"), QStringLiteral("30")});
}

bool TestCrmAppConnection::makeLeaf(const QString &name, const QString &ca, const QString &altNames, int days)
{
    QFile ext(m_dir.filePath(name + QStringLiteral(".ext")));
    if (!ext.open(QIODevice::WriteOnly))
        return false;
    ext.write("basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=" + altNames.toUtf8() + "\n");
    ext.close();
    // -days -1 makes a certificate that expired a day before it was issued.
    return openssl({QStringLiteral("req"), QStringLiteral("-newkey"), QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                    QStringLiteral("ec_paramgen_curve:P-256"), QStringLiteral("-nodes"), QStringLiteral("-keyout"),
                    name + QStringLiteral(".key"), QStringLiteral("-out"), name + QStringLiteral(".csr"),
                    QStringLiteral("-subj"), QStringLiteral("/CN=") + name}) &&
           openssl({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
                    name + QStringLiteral(".csr"), QStringLiteral("-CA"), ca + QStringLiteral(".crt"),
                    QStringLiteral("-CAkey"), ca + QStringLiteral(".key"), QStringLiteral("-CAcreateserial"),
                    QStringLiteral("-days"), QString::number(days), QStringLiteral("-extfile"),
                    name + QStringLiteral(".ext"), QStringLiteral("-out"), name + QStringLiteral(".crt")});
}

bool TestCrmAppConnection::serve(const QString &name)
{
    for (const char *suffix : {".crt", ".key"}) {
        const QString served = m_dir.filePath(QStringLiteral("served") + QLatin1String(suffix));
        QFile::remove(served);
        if (!QFile::copy(m_dir.filePath(name + QLatin1String(suffix)), served))
            return false;
    }
    if (!m_mw->restart()) {
        qWarning().noquote() << m_mw->lastError();
        return false;
    }
    return true;
}

void TestCrmAppConnection::initTestCase()
{
    useCleanSettings(QStringLiteral("tst_crm_app_connection"));
    QVERIFY(m_dir.isValid());
    QVERIFY(makeCa(QStringLiteral("ca1")));
    QVERIFY(makeCa(QStringLiteral("ca2")));
    const QString local = QStringLiteral("DNS:localhost,IP:127.0.0.1");
    QVERIFY(makeLeaf(QStringLiteral("good"), QStringLiteral("ca1"), local, 30));
    QVERIFY(makeLeaf(QStringLiteral("othername"), QStringLiteral("ca1"), QStringLiteral("DNS:elsewhere.example"), 30));
    QVERIFY(makeLeaf(QStringLiteral("expired"), QStringLiteral("ca1"), local, -1));
    QVERIFY(makeLeaf(QStringLiteral("newca"), QStringLiteral("ca2"), local, 30));
    QVERIFY(QSslCertificate::fromPath(m_dir.filePath(QStringLiteral("expired.crt"))).value(0).expiryDate() <
            QDateTime::currentDateTimeUtc());

    m_mw = std::make_unique<MiddlewareProcess>(
        QStringList{QStringLiteral("--tls-cert"), m_dir.filePath(QStringLiteral("served.crt")),
                    QStringLiteral("--tls-key"), m_dir.filePath(QStringLiteral("served.key"))});
    // Some of what it serves must fail verification; its health is what counts.
    m_mw->setProbeVerifiesCertificate(false);
    m_operatorToken = m_mw->createToken(QStringLiteral("operator"), QStringLiteral("crm-user"));
    m_adminToken = m_mw->createToken(QStringLiteral("admin"), QStringLiteral("crm-admin"));
    QVERIFY(!m_operatorToken.isEmpty() && !m_adminToken.isEmpty());
    QVERIFY(serve(QStringLiteral("good")));

    m_store = std::make_unique<ConnectionStore>();
    m_store->setKeychainEnabled(false); // no keychain service in a test: the owner-only file
}

void TestCrmAppConnection::cleanupTestCase()
{
    m_store.reset();
    if (m_mw)
        m_mw->stop();
}

void TestCrmAppConnection::connectWith(ConnectionDialog &dialog, bool saved)
{
    if (saved) {
        dialog.selectProfile(kProfile);
    } else {
        dialog.setUrl(QUrl(m_mw->baseUrl()));
        auto *name = dialog.findChild<QLineEdit *>(QStringLiteral("connectionName"));
        QVERIFY(name);
        name->setText(kProfile);
        dialog.setCaCertificates(QSslCertificate::fromPath(m_dir.filePath(QStringLiteral("ca1.crt"))),
                                 QStringLiteral("ca1.crt"));
    }
    auto *token = dialog.findChild<QLineEdit *>(QStringLiteral("connectionToken"));
    auto *connectButton = dialog.findChild<QPushButton *>(QStringLiteral("connectionConnect"));
    QVERIFY(token && connectButton);
    token->clear();
    QTest::keyClicks(token, m_operatorToken);
    QTest::mouseClick(connectButton, Qt::LeftButton);
}

void TestCrmAppConnection::connectsWhenTheCertificateIsInOrder()
{
    ApiClient api;
    ConnectionDialog dialog(&api, m_store.get());
    QSignalSpy connected(&dialog, &ConnectionDialog::connected);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    connectWith(dialog, false);
    QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 1, 20000);
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QTRY_VERIFY(m_store->contains(kProfile));
    QCOMPARE(m_store->profile(kProfile).caCertificates(),
             QSslCertificate::fromPath(m_dir.filePath(QStringLiteral("ca1.crt"))));
}

void TestCrmAppConnection::certificateProblemIsNamedAndStopsTheConnection_data()
{
    QTest::addColumn<QString>("served");
    QTest::addColumn<QStringList>("says");
    QTest::addColumn<QString>("notAbout"); // another problem's wording: the message is specific

    QTest::newRow("name mismatch") << QStringLiteral("othername")
                                   << QStringList{QStringLiteral("is not issued for %host"),
                                                  QStringLiteral("elsewhere.example"), QStringLiteral("--tls-name")}
                                   << QStringLiteral("not signed by");
    QTest::newRow("expired") << QStringLiteral("expired")
                             << QStringList{QStringLiteral("certificate expired on"),
                                            QStringLiteral("operator must renew it")}
                             << QStringLiteral("not signed by");
    QTest::newRow("changed CA") << QStringLiteral("newca")
                                << QStringList{QStringLiteral("not signed by the CA this connection trusts"),
                                               QStringLiteral("Test ca2"),
                                               QStringLiteral("compare the new CA's fingerprint")}
                                << QStringLiteral("expired");
}

void TestCrmAppConnection::certificateProblemIsNamedAndStopsTheConnection()
{
    QFETCH(QString, served);
    QFETCH(QStringList, says);
    QFETCH(QString, notAbout);
    QVERIFY(m_store->contains(kProfile));
    QVERIFY(serve(served));

    ApiClient api;
    ConnectionDialog dialog(&api, m_store.get());
    QSignalSpy connected(&dialog, &ConnectionDialog::connected);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    auto *status = dialog.findChild<QLabel *>(QStringLiteral("connectionStatus"));
    QVERIFY(status);
    connectWith(dialog, true);
    // The host the user typed (the middleware's URL names localhost).
    for (QString &part : says)
        part.replace(QLatin1String("%host"), QUrl(m_mw->baseUrl()).host());
    QTRY_VERIFY2_WITH_TIMEOUT(status->text().contains(says.first()) || !connected.isEmpty(), qPrintable(status->text()),
                              20000);
    QVERIFY2(connected.isEmpty(), "the dialog connected to a middleware whose certificate must be refused");
    for (const QString &part : says)
        QVERIFY2(status->text().contains(part), qPrintable(status->text()));
    QVERIFY2(!status->text().contains(notAbout), qPrintable(status->text()));
    // Shown as a problem, and nothing went on: no connection, the dialog
    // still open, the saved CA unchanged.
    QVERIFY(status->styleSheet().contains(QStringLiteral("#da4453")));
    QTest::qWait(300);
    QCOMPARE(connected.count(), 0);
    QVERIFY(dialog.isVisible());
    QVERIFY(dialog.result() != QDialog::Accepted);
    QVERIFY(api.role().isEmpty());
    QCOMPARE(m_store->profile(kProfile).caCertificates(),
             QSslCertificate::fromPath(m_dir.filePath(QStringLiteral("ca1.crt"))));
}

void TestCrmAppConnection::connectsAgainOnceTheCertificateIsFixed()
{
    // The same saved connection, the same token: the failures above were the
    // certificates' alone.
    QVERIFY(serve(QStringLiteral("good")));
    ApiClient api;
    ConnectionDialog dialog(&api, m_store.get());
    QSignalSpy connected(&dialog, &ConnectionDialog::connected);
    dialog.show();
    connectWith(dialog, true);
    QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 1, 20000);
    QCOMPARE(api.role(), QStringLiteral("operator"));
}

void TestCrmAppConnection::statusBarFollowsTheLiveFeedAcrossARestart()
{
    QVERIFY(serve(QStringLiteral("good")));
    ApiClient api;
    api.setConnection(QUrl(m_mw->baseUrl()), m_operatorToken.toUtf8(),
                      QSslCertificate::fromPath(m_dir.filePath(QStringLiteral("ca1.crt"))));
    QSignalSpy probed(&api, &ApiClient::probed);
    api.probe();
    QVERIFY(probed.wait(20000));
    EventFeed feed(&api);
    feed.setBackoff(100, 1000);
    MainWindow window(&api, &feed);
    window.applyRole(api.role());
    window.start();
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *live = window.findChild<QLabel *>(QStringLiteral("liveLabel"));
    QVERIFY(live);
    QTRY_COMPARE_WITH_TIMEOUT(live->text(), QStringLiteral("● Live"), 20000);

    // The middleware goes away: the status bar says so.
    m_mw->stop();
    QTRY_COMPARE_WITH_TIMEOUT(live->text(), QStringLiteral("○ Not live"), 20000);
    QVERIFY(live->toolTip().contains(QStringLiteral("reconnecting"), Qt::CaseInsensitive));
    QTest::qWait(1500); // a few failed attempts while it is down
    QCOMPARE(live->text(), QStringLiteral("○ Not live"));

    // It comes back on the same address: live again, and changes arrive
    // without a refresh.
    QVERIFY2(m_mw->start(), qPrintable(m_mw->lastError()));
    QTRY_COMPARE_WITH_TIMEOUT(live->text(), QStringLiteral("● Live"), 30000);
    HttpsClient admin(m_mw->baseUrl(), m_dir.filePath(QStringLiteral("ca1.crt")));
    admin.setBearer(m_adminToken);
    const auto created =
        admin.post(QStringLiteral("/api/v1/devices"), {{QStringLiteral("serial"), QStringLiteral("SN-AFTER-RESTART")},
                                                       {QStringLiteral("model"), QStringLiteral("Sensor 2")}});
    QCOMPARE(created.status, 201);
    QTRY_VERIFY_WITH_TIMEOUT(window.inventoryModel()->rowOf(QStringLiteral("SN-AFTER-RESTART")) >= 0, 20000);
}

PROVISIO_TEST_MAIN(TestCrmAppConnection)
#include "tst_crm_app_connection.moc"

// SPDX-License-Identifier: Apache-2.0
// Saved connections (QSettings + token storage with the owner-only file
// fallback) and trust on first use against a real middleware's TLS.
#include "core/crmcoretestutil.h"

#include "childprocesswatch.h"

#include "certificatetrust.h"
#include "connectionstore.h"
#include "crypto/certificateauthority.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTemporaryFile>
#include <QTest>

#include <sys/stat.h>

using namespace Provisio;
using namespace Provisio::Test;
using Crm::CertificateTrust;
using Crm::ConnectionProfile;
using Crm::ConnectionStore;

class TestCrmCoreConnections : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup() { m_children.verify(); }
    void saveAndLoadWithFileFallback();
    void severalProfilesAndCurrent();
    void badProfilesChangeNothing_data();
    void badProfilesChangeNothing();
    void leakedTokenFileIsRefused();
    void removeForgetsTokenToo();
    void fetchPresentedChain();
    void trustOnFirstUseConnects();
    void pinnedServerCertificateOnly();
    void fetchFailsClearly();
    void loadCaFile();

private:
    ConnectionProfile profile(const QString &name) const;
    QByteArray caPem() const;

    CrmFixture m_f;
    ChildProcessWatch m_children;
};

void TestCrmCoreConnections::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("ProvisioTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_crm_core_connections"));
    QVERIFY(m_f.start());
}

void TestCrmCoreConnections::init()
{
    m_children.begin();
    QSettings().clear();
    QDir(ConnectionStore::tokenDirectory()).removeRecursively();
}

QByteArray TestCrmCoreConnections::caPem() const
{
    QFile file(m_f.mw->caCertificatePath());
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

ConnectionProfile TestCrmCoreConnections::profile(const QString &name) const
{
    ConnectionProfile p;
    p.name = name;
    p.url = QUrl(m_f.mw->baseUrl());
    p.caCertificatePem = caPem();
    return p;
}

void TestCrmCoreConnections::saveAndLoadWithFileFallback()
{
    ConnectionStore store;
    QSignalSpy saved(&store, &ConnectionStore::saved);
    QSignalSpy failed(&store, &ConnectionStore::saveFailed);
    store.save(profile(QStringLiteral("Lab / main")), m_f.operatorToken.toUtf8());
    QTRY_COMPARE_WITH_TIMEOUT(saved.count() + failed.count(), 1, 60000);
    QCOMPARE(failed.count(), 0);

    // Where no keychain service runs (as here) the token is in a file only
    // its owner may read, and the store says so.
    const bool fileFallback = store.usingFileFallback();
    if (fileFallback) {
        QVERIFY(store.tokenStorageDescription().contains(QStringLiteral("owner-only file")));
        const QDir dir(ConnectionStore::tokenDirectory());
        const QStringList files = dir.entryList(QDir::Files);
        QCOMPARE(files.size(), 1);
        struct stat st
        { };
        QCOMPARE(::stat(QFile::encodeName(dir.filePath(files.first())).constData(), &st), 0);
        QCOMPARE(st.st_mode & 0777, mode_t(0600));
        QCOMPARE(::stat(QFile::encodeName(dir.path()).constData(), &st), 0);
        QCOMPARE(st.st_mode & 0077, mode_t(0));
        // The settings never hold the token.
        QFile settingsFile(QSettings().fileName());
        QVERIFY(settingsFile.open(QIODevice::ReadOnly));
        QVERIFY(!settingsFile.readAll().contains(m_f.operatorToken.toUtf8()));
    }

    // A second store (a later run) finds the profile and the token.
    ConnectionStore later;
    QCOMPARE(later.profiles().size(), 1);
    const ConnectionProfile p = later.profile(QStringLiteral("Lab / main"));
    QCOMPARE(p.url, QUrl(m_f.mw->baseUrl()));
    QCOMPARE(p.caCertificates().size(), 1);
    QCOMPARE(p.caFingerprintSha256, CertificateTrust::fingerprint(p.caCertificates().first()));
    QSignalSpy loaded(&later, &ConnectionStore::tokenLoaded);
    later.loadToken(QStringLiteral("Lab / main"));
    QVERIFY(loaded.wait(60000));
    QCOMPARE(loaded.at(0).at(1).toByteArray(), m_f.operatorToken.toUtf8());
    QCOMPARE(later.usingFileFallback(), fileFallback);

    // And the loaded profile + token really connect.
    Crm::ApiClient api;
    api.setConnection(p.url, loaded.at(0).at(1).toByteArray(), p.caCertificates());
    QSignalSpy probed(&api, &Crm::ApiClient::probed);
    api.probe();
    QVERIFY(probed.wait(20000));
    QCOMPARE(api.role(), QStringLiteral("operator"));
}

void TestCrmCoreConnections::severalProfilesAndCurrent()
{
    ConnectionStore store;
    QSignalSpy saved(&store, &ConnectionStore::saved);
    store.save(profile(QStringLiteral("production")), "pvs_prod");
    store.save(profile(QStringLiteral("staging")), "pvs_staging");
    QTRY_COMPARE_WITH_TIMEOUT(saved.count(), 2, 60000);
    QCOMPARE(store.profiles().size(), 2);
    QCOMPARE(store.profiles().at(0).name, QStringLiteral("production"));

    QSignalSpy current(&store, &ConnectionStore::currentNameChanged);
    store.setCurrentName(QStringLiteral("staging"));
    QCOMPARE(current.count(), 1);
    store.setCurrentName(QStringLiteral("no such profile")); // ignored
    QCOMPARE(store.currentName(), QStringLiteral("staging"));

    // Each profile keeps its own token.
    QSignalSpy loaded(&store, &ConnectionStore::tokenLoaded);
    store.loadToken(QStringLiteral("production"));
    store.loadToken(QStringLiteral("staging"));
    QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 2, 60000);
    QHash<QString, QByteArray> tokens;
    for (const auto &args : loaded)
        tokens.insert(args.at(0).toString(), args.at(1).toByteArray());
    QCOMPARE(tokens.value(QStringLiteral("production")), QByteArray("pvs_prod"));
    QCOMPARE(tokens.value(QStringLiteral("staging")), QByteArray("pvs_staging"));

    // Saving again replaces the token.
    store.save(profile(QStringLiteral("staging")), "pvs_staging2");
    QTRY_COMPARE_WITH_TIMEOUT(saved.count(), 3, 60000);
    store.loadToken(QStringLiteral("staging"));
    QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 3, 60000);
    QCOMPARE(loaded.last().at(1).toByteArray(), QByteArray("pvs_staging2"));
}

void TestCrmCoreConnections::badProfilesChangeNothing_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("url");
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<bool>("goodCa");
    QTest::addColumn<QString>("message");
    QTest::newRow("no name") << QString() << QStringLiteral("https://localhost:8443") << QByteArray("pvs_x") << true
                             << QStringLiteral("name");
    QTest::newRow("plain http") << QStringLiteral("a") << QStringLiteral("http://localhost:8443") << QByteArray("pvs_x")
                                << true << QStringLiteral("https://");
    QTest::newRow("no host") << QStringLiteral("a") << QStringLiteral("https://") << QByteArray("pvs_x") << true
                             << QStringLiteral("https://");
    QTest::newRow("empty token") << QStringLiteral("a") << QStringLiteral("https://localhost:8443") << QByteArray()
                                 << true << QStringLiteral("token");
    QTest::newRow("token with newline") << QStringLiteral("a") << QStringLiteral("https://localhost:8443")
                                        << QByteArray("pvs_x\n") << true << QStringLiteral("token");
    QTest::newRow("no CA") << QStringLiteral("a") << QStringLiteral("https://localhost:8443") << QByteArray("pvs_x")
                           << false << QStringLiteral("CA");
}

void TestCrmCoreConnections::badProfilesChangeNothing()
{
    QFETCH(QString, name);
    QFETCH(QString, url);
    QFETCH(QByteArray, token);
    QFETCH(bool, goodCa);
    QFETCH(QString, message);
    ConnectionStore store;
    ConnectionProfile p;
    p.name = name;
    p.url = QUrl(url);
    p.caCertificatePem = goodCa ? caPem() : QByteArray("not a certificate");
    QSignalSpy failed(&store, &ConnectionStore::saveFailed);
    QSignalSpy changed(&store, &ConnectionStore::profilesChanged);
    store.save(p, token);
    QVERIFY(failed.wait(5000));
    QVERIFY2(failed.at(0).at(1).toString().contains(message), qPrintable(failed.at(0).at(1).toString()));
    QCOMPARE(changed.count(), 0);
    QVERIFY(store.profiles().isEmpty());
    QVERIFY(QDir(ConnectionStore::tokenDirectory()).entryList(QDir::Files).isEmpty());
}

void TestCrmCoreConnections::leakedTokenFileIsRefused()
{
    ConnectionStore store;
    store.setKeychainEnabled(false);
    QSignalSpy saved(&store, &ConnectionStore::saved);
    store.save(profile(QStringLiteral("shared")), "pvs_secret");
    QVERIFY(saved.wait(5000));
    QVERIFY(store.usingFileFallback());
    const QDir dir(ConnectionStore::tokenDirectory());
    const QString file = dir.filePath(dir.entryList(QDir::Files).value(0));
    QCOMPARE(QFileInfo(file).permissions() & ~(QFileDevice::ReadUser | QFileDevice::WriteUser),
             QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    QVERIFY(QFile::setPermissions(file, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther));
    QSignalSpy failed(&store, &ConnectionStore::tokenFailed);
    QSignalSpy loaded(&store, &ConnectionStore::tokenLoaded);
    store.loadToken(QStringLiteral("shared"));
    QVERIFY(failed.wait(5000));
    QCOMPARE(loaded.count(), 0);
    QVERIFY(failed.at(0).at(1).toString().contains(QStringLiteral("readable by other users")));
}

void TestCrmCoreConnections::removeForgetsTokenToo()
{
    ConnectionStore store;
    store.setKeychainEnabled(false);
    QSignalSpy saved(&store, &ConnectionStore::saved);
    store.save(profile(QStringLiteral("old")), "pvs_old");
    QVERIFY(saved.wait(5000));
    store.setCurrentName(QStringLiteral("old"));
    store.remove(QStringLiteral("old"));
    QVERIFY(store.profiles().isEmpty());
    QVERIFY(store.currentName().isEmpty());
    QVERIFY(QDir(ConnectionStore::tokenDirectory()).entryList(QDir::Files).isEmpty());
    QSignalSpy failed(&store, &ConnectionStore::tokenFailed);
    store.loadToken(QStringLiteral("old"));
    QVERIFY(failed.wait(5000));
}

void TestCrmCoreConnections::fetchPresentedChain()
{
    CertificateTrust trust;
    QSignalSpy fetched(&trust, &CertificateTrust::fetched);
    QSignalSpy failed(&trust, &CertificateTrust::fetchFailed);
    trust.fetch(QUrl(m_f.mw->baseUrl()));
    QTRY_COMPARE_WITH_TIMEOUT(fetched.count() + failed.count(), 1, 20000);
    QCOMPARE(failed.count(), 0);
    const auto chain = fetched.at(0).at(0).value<QList<QSslCertificate>>();
    QVERIFY(!chain.isEmpty());
    // Its own CA is not in the system store.
    QCOMPARE(fetched.at(0).at(2).toBool(), false);
    // The leaf was issued by the middleware's CA.
    const QSslCertificate ca = middlewareCa(*m_f.mw).first();
    QCOMPARE(chain.first().issuerInfo(QSslCertificate::CommonName), ca.subjectInfo(QSslCertificate::CommonName));
    // The fingerprint to compare: the CA's when presented, else the
    // server certificate's own (what gets pinned).
    const QString fingerprint = fetched.at(0).at(1).toString();
    const QSslCertificate root = CertificateTrust::rootOf(chain);
    QCOMPARE(fingerprint, CertificateTrust::fingerprint(root.isNull() ? chain.last() : ca));
    QCOMPARE(CertificateTrust::fingerprint(ca).size(), 32 * 3 - 1);
}

void TestCrmCoreConnections::trustOnFirstUseConnects()
{
    CertificateTrust trust;
    QSignalSpy fetched(&trust, &CertificateTrust::fetched);
    trust.fetch(QUrl(m_f.mw->baseUrl()));
    QVERIFY(fetched.wait(20000));
    const auto chain = fetched.at(0).at(0).value<QList<QSslCertificate>>();
    const QList<QSslCertificate> anchors = CertificateTrust::trustAnchorsFor(chain);
    QVERIFY(!anchors.isEmpty());
    Crm::ApiClient api;
    api.setConnection(QUrl(m_f.mw->baseUrl()), m_f.viewerToken.toUtf8(), anchors);
    const CallResult r = waitFor(api.get(QStringLiteral("service")));
    QVERIFY2(r.ok, qPrintable(r.failure.message));
}

// A server that presents its leaf alone (an operator's certificate whose CA
// the CRM has never seen): the CRM pins that certificate, and a pin is that
// certificate only; another server certificate of the same CA (a reissued
// one, or an impostor holding a CA-signed certificate) is refused.
void TestCrmCoreConnections::pinnedServerCertificateOnly()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    auto operatorCa = CertificateAuthority::loadOrCreate(dir.filePath(QStringLiteral("ca")));
    QVERIFY(operatorCa.ok());
    auto issue = [&](const QString &name) {
        return operatorCa
            ->issueServerCertificate(dir.filePath(name + QStringLiteral(".crt")),
                                     dir.filePath(name + QStringLiteral(".key")), QStringLiteral("localhost"),
                                     {QStringLiteral("localhost")}, {QStringLiteral("127.0.0.1")})
            .ok();
    };
    QVERIFY(issue(QStringLiteral("served")));
    QVERIFY(issue(QStringLiteral("other")));

    MiddlewareProcess mw({QStringLiteral("--tls-cert"), dir.filePath(QStringLiteral("served.crt")),
                          QStringLiteral("--tls-key"), dir.filePath(QStringLiteral("served.key"))});
    mw.setProbeCaCertificate(operatorCa->caCertificatePath());
    const QString token = mw.createToken(QStringLiteral("viewer"));
    QVERIFY(!token.isEmpty());
    QVERIFY2(mw.start(), qPrintable(mw.lastError()));

    CertificateTrust trust;
    QSignalSpy fetched(&trust, &CertificateTrust::fetched);
    trust.fetch(QUrl(mw.baseUrl()));
    QVERIFY(fetched.wait(20000));
    const auto chain = fetched.at(0).at(0).value<QList<QSslCertificate>>();
    // The case under test: no root in what the server presents.
    QVERIFY2(CertificateTrust::rootOf(chain).isNull(), "the server presented a root; nothing would be pinned");
    const auto served = QSslCertificate::fromPath(dir.filePath(QStringLiteral("served.crt")));
    QCOMPARE(CertificateTrust::trustAnchorsFor(chain), served);
    QCOMPARE(fetched.at(0).at(1).toString(), CertificateTrust::fingerprint(served.first()));

    Crm::ApiClient api;
    api.setConnection(QUrl(mw.baseUrl()), token.toUtf8(), CertificateTrust::trustAnchorsFor(chain));
    const CallResult pinned = waitFor(api.get(QStringLiteral("service")));
    QVERIFY2(pinned.ok, qPrintable(pinned.failure.message));

    const auto otherPin = CertificateTrust::loadCaFile(dir.filePath(QStringLiteral("other.crt")));
    QVERIFY(otherPin.ok());
    api.setConnection(QUrl(mw.baseUrl()), token.toUtf8(), *otherPin);
    const CallResult refused = waitFor(api.get(QStringLiteral("service")));
    QVERIFY(!refused.ok);
    QVERIFY2(refused.failure.tlsError, qPrintable(refused.failure.message));

    // Nor does trusting nothing (the system store) get through.
    api.setConnection(QUrl(mw.baseUrl()), token.toUtf8(), {});
    const CallResult untrusted = waitFor(api.get(QStringLiteral("service")));
    QVERIFY(!untrusted.ok);
    QVERIFY(untrusted.failure.tlsError);
}

void TestCrmCoreConnections::fetchFailsClearly()
{
    CertificateTrust trust;
    QSignalSpy failed(&trust, &CertificateTrust::fetchFailed);
    trust.fetch(QUrl(QStringLiteral("http://localhost:8443")));
    QVERIFY(failed.wait(5000));
    QVERIFY(failed.at(0).at(0).toString().contains(QStringLiteral("https://")));

    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    const quint16 port = server.serverPort();
    server.close();
    trust.fetch(QUrl(QStringLiteral("https://127.0.0.1:%1").arg(port)));
    QVERIFY(failed.wait(20000));
    QVERIFY2(failed.at(1).at(0).toString().startsWith(QStringLiteral("Cannot get the certificate")),
             qPrintable(failed.at(1).at(0).toString()));
}

void TestCrmCoreConnections::loadCaFile()
{
    const auto good = CertificateTrust::loadCaFile(m_f.mw->caCertificatePath());
    QVERIFY(good.ok());
    QCOMPARE(good->size(), 1);
    QVERIFY(!CertificateTrust::loadCaFile(m_f.mw->dataDir() + QStringLiteral("/missing.crt")).ok());
    QTemporaryFile junk;
    QVERIFY(junk.open());
    junk.write("hello");
    junk.close();
    const auto bad = CertificateTrust::loadCaFile(junk.fileName());
    QVERIFY(!bad.ok());
    QVERIFY(bad.error().message.contains(QStringLiteral("no PEM certificate")));
}

PROVISIO_TEST_GUILESS_MAIN(TestCrmCoreConnections)
#include "tst_crm_core_connections.moc"

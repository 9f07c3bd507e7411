// SPDX-License-Identifier: Apache-2.0
#include "crypto/certificateauthority.h"

#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QHostInfo>
#include <QNetworkInterface>
#include <QProcess>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslCertificateExtension>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Provisio;

namespace {

QByteArray readAll(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

bool writeAll(const QString &path, const QByteArray &data)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(data) == data.size();
}

// Mode bits as the kernel has them; QFile::permissions() would mix in the
// caller's effective rights.
int fileMode(const QString &path)
{
    struct stat st = {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return -1;
    return int(st.st_mode & 07777);
}

QSslCertificate loadCertificate(const QString &path)
{
    const auto certs = QSslCertificate::fromPath(path, QSsl::Pem);
    return certs.size() == 1 ? certs.constFirst() : QSslCertificate();
}

QByteArray fingerprint(const QString &path)
{
    return loadCertificate(path).digest(QCryptographicHash::Sha256);
}

QStringList dnsNames(const QSslCertificate &cert)
{
    return cert.subjectAlternativeNames().values(QSsl::DnsEntry);
}

QStringList ipNames(const QSslCertificate &cert)
{
    QStringList result;
    const QStringList raw = cert.subjectAlternativeNames().values(QSsl::IpAddressEntry);
    for (const QString &ip : raw)
        result.append(QHostAddress(ip).toString()); // canonical form, e.g. "::1"
    return result;
}

// QSslCertificate::verify() treats every certificate after the first as an
// untrusted intermediate and takes its roots from the default configuration,
// so trust `ca` there (and only it) for the duration of the check.
QList<QSslError> verifyChain(const QSslCertificate &leaf, const QSslCertificate &ca,
                             const QString &hostName = QString())
{
    const QSslConfiguration saved = QSslConfiguration::defaultConfiguration();
    QSslConfiguration onlyOurCa = saved;
    onlyOurCa.setCaCertificates({ca});
    QSslConfiguration::setDefaultConfiguration(onlyOurCa);
    const QList<QSslError> errors = QSslCertificate::verify({leaf, ca}, hostName);
    QSslConfiguration::setDefaultConfiguration(saved);
    return errors;
}

// A one-shot TLS server: QSslServer only arrives in Qt 6.4's successor, so
// the server side is a QTcpServer handing its sockets to QSslSocket.
class TlsServer : public QTcpServer
{
public:
    TlsServer(const QSslCertificate &cert, const QSslKey &key) : m_cert(cert), m_key(key) { }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        auto *socket = new QSslSocket(this);
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            return;
        }
        socket->setLocalCertificate(m_cert);
        socket->setPrivateKey(m_key);
        socket->setPeerVerifyMode(QSslSocket::VerifyNone);
        // The client closes once it has seen the handshake; errors there are
        // the client's to report.
        connect(socket, &QSslSocket::encrypted, socket, [socket] { socket->write("hello\n"); });
        connect(socket, &QSslSocket::sslErrors, socket, [](const QList<QSslError> &) {});
        socket->startServerEncryption();
    }

private:
    QSslCertificate m_cert;
    QSslKey m_key;
};

struct HandshakeResult
{
    bool encrypted = false;
    QList<QSslError> errors;
    QByteArray greeting;
};

// Dials host:port trusting only `ca`, verifying the peer as `peerName`
// (an empty name verifies against the host dialled).
HandshakeResult handshake(const QString &host, quint16 port, const QString &peerName, const QSslCertificate &ca)
{
    HandshakeResult result;
    QSslSocket client;
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setCaCertificates({ca});
    config.setPeerVerifyMode(QSslSocket::VerifyPeer);
    client.setSslConfiguration(config);
    QObject::connect(&client, &QSslSocket::sslErrors, &client,
                     [&result](const QList<QSslError> &errors) { result.errors = errors; });
    QSignalSpy encrypted(&client, &QSslSocket::encrypted);
    QSignalSpy disconnected(&client, &QSslSocket::disconnected);
    QSignalSpy failed(&client, &QSslSocket::errorOccurred);
    client.connectToHostEncrypted(host, port, peerName);
    (void)QTest::qWaitFor([&] { return !encrypted.isEmpty() || !failed.isEmpty(); }, 10000);
    result.encrypted = !encrypted.isEmpty();
    if (result.encrypted) {
        (void)QTest::qWaitFor([&] { return client.canReadLine() || !disconnected.isEmpty(); }, 10000);
        result.greeting = client.readLine().trimmed();
    }
    client.abort();
    return result;
}

bool hasIpv6Loopback()
{
    const auto addresses = QNetworkInterface::allAddresses();
    return addresses.contains(QHostAddress(QHostAddress::LocalHostIPv6));
}

} // namespace

class TestCertificateAuthority : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY2(QSslSocket::supportsSsl(), "Qt has no TLS backend (is libqopensslbackend installed?)");
    }

    void createsCa()
    {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString dir = tmp.filePath(QStringLiteral("pki"));
        const auto ca = CertificateAuthority::loadOrCreate(dir);
        QVERIFY2(ca.ok(), qPrintable(ca.error().message));

        QCOMPARE(ca->caCertificatePath(), dir + QStringLiteral("/ca.crt"));
        QCOMPARE(fileMode(dir + QStringLiteral("/ca.key")), 0600);
        QCOMPARE(fileMode(dir), 0700);

        const QSslCertificate cert = loadCertificate(ca->caCertificatePath());
        QVERIFY(!cert.isNull());
        QCOMPARE(cert.toPem(), ca->caCertificatePem());
        QVERIFY(cert.isSelfSigned());
        const QString cn = cert.subjectInfo(QSslCertificate::CommonName).value(0);
        QVERIFY2(cn.startsWith(QStringLiteral("Provisio Local CA ")), qPrintable(cn));
        QVERIFY(cn.size() > QStringLiteral("Provisio Local CA ").size());
        const qint64 days = QDateTime::currentDateTimeUtc().daysTo(cert.expiryDate());
        QVERIFY2(days >= 3649 && days <= 3651, qPrintable(QString::number(days)));

        bool sawBasicConstraints = false;
        const auto extensions = cert.extensions();
        for (const QSslCertificateExtension &ext : extensions) {
            if (ext.name() == QLatin1String("basicConstraints")) {
                sawBasicConstraints = true;
                QVERIFY(ext.isCritical());
                const QVariantMap value = ext.value().toMap();
                QCOMPARE(value.value(QStringLiteral("ca")).toBool(), true);
                QCOMPARE(value.value(QStringLiteral("pathLenConstraint")).toInt(), 0);
            }
        }
        QVERIFY(sawBasicConstraints);

        const QSslKey key(readAll(dir + QStringLiteral("/ca.key")), QSsl::Ec);
        QVERIFY(!key.isNull());

        // Two installations get two distinguishable CAs.
        QTemporaryDir other;
        const auto ca2 = CertificateAuthority::loadOrCreate(other.path());
        QVERIFY(ca2.ok());
        QVERIFY(loadCertificate(ca2->caCertificatePath()).subjectInfo(QSslCertificate::CommonName) !=
                cert.subjectInfo(QSslCertificate::CommonName));
    }

    void reloadsCa()
    {
        QTemporaryDir tmp;
        const auto first = CertificateAuthority::loadOrCreate(tmp.path());
        QVERIFY(first.ok());
        const QByteArray keyBefore = readAll(first->caKeyPath());
        const auto second = CertificateAuthority::loadOrCreate(tmp.path());
        QVERIFY2(second.ok(), qPrintable(second.error().message));
        QCOMPARE(second->caCertificatePem(), first->caCertificatePem());
        QCOMPARE(readAll(second->caKeyPath()), keyBefore);
    }

    void issuedCertificateVerifies()
    {
        QTemporaryDir tmp;
        const auto ca = CertificateAuthority::loadOrCreate(tmp.path());
        QVERIFY(ca.ok());
        const QString certPath = tmp.filePath(QStringLiteral("leaf.crt"));
        const QString keyPath = tmp.filePath(QStringLiteral("leaf.key"));
        const auto issued =
            ca->issueServerCertificate(certPath, keyPath, QStringLiteral("hub1.example"),
                                       {QStringLiteral("hub1.example"), QStringLiteral("localhost")},
                                       {QStringLiteral("127.0.0.1"), QStringLiteral("::1"), QStringLiteral("10.1.2.3")},
                                       CertificateUsage::ServerAndClient);
        QVERIFY2(issued.ok(), qPrintable(issued.error().message));

        QCOMPARE(fileMode(keyPath), 0600);
        // The certificate file holds the leaf and nothing else.
        QCOMPARE(QSslCertificate::fromPath(certPath).size(), 1);
        const QSslCertificate leaf = loadCertificate(certPath);
        const QSslCertificate caCert = loadCertificate(ca->caCertificatePath());
        QCOMPARE(leaf.subjectInfo(QSslCertificate::CommonName).value(0), QStringLiteral("hub1.example"));
        QCOMPARE(leaf.issuerDisplayName(), caCert.subjectDisplayName());
        QCOMPARE(leaf.serialNumber().count(':') + 1, 16); // 128-bit serial
        const qint64 days = QDateTime::currentDateTimeUtc().daysTo(leaf.expiryDate());
        QVERIFY2(days >= 824 && days <= 825, qPrintable(QString::number(days)));

        QStringList dns = dnsNames(leaf);
        dns.sort();
        QCOMPARE(dns, (QStringList{QStringLiteral("hub1.example"), QStringLiteral("localhost")}));
        QStringList ips = ipNames(leaf);
        ips.sort();
        QCOMPARE(ips, (QStringList{QStringLiteral("10.1.2.3"), QStringLiteral("127.0.0.1"), QStringLiteral("::1")}));

        const auto errors = verifyChain(leaf, caCert, QStringLiteral("hub1.example"));
        QVERIFY2(errors.isEmpty(), qPrintable(errors.value(0).errorString()));
        QVERIFY(!verifyChain(leaf, caCert, QStringLiteral("other.example")).isEmpty());
        QTemporaryDir otherDir;
        const auto otherCa = CertificateAuthority::loadOrCreate(otherDir.path());
        QVERIFY(otherCa.ok());
        QVERIFY(!verifyChain(leaf, loadCertificate(otherCa->caCertificatePath())).isEmpty());

        bool sawExtendedKeyUsage = false;
        const auto extensions = leaf.extensions();
        for (const QSslCertificateExtension &ext : extensions) {
            if (ext.name() == QLatin1String("extendedKeyUsage")) {
                sawExtendedKeyUsage = true;
                const QStringList usages = ext.value().toStringList();
                QVERIFY2(usages.contains(QStringLiteral("TLS Web Server Authentication")),
                         qPrintable(usages.join(u',')));
                QVERIFY2(usages.contains(QStringLiteral("TLS Web Client Authentication")),
                         qPrintable(usages.join(u',')));
            }
            if (ext.name() == QLatin1String("basicConstraints"))
                QCOMPARE(ext.value().toMap().value(QStringLiteral("ca")).toBool(), false);
        }
        QVERIFY(sawExtendedKeyUsage);

        const QSslKey key(readAll(keyPath), QSsl::Ec);
        QVERIFY(!key.isNull());
    }

    void rejectsBadNames_data()
    {
        QTest::addColumn<QStringList>("dns");
        QTest::addColumn<QStringList>("ips");
        QTest::newRow("space in DNS name") << QStringList{QStringLiteral("bad name")} << QStringList{};
        QTest::newRow("empty label") << QStringList{QStringLiteral("a..b")} << QStringList{};
        QTest::newRow("not an IP") << QStringList{} << QStringList{QStringLiteral("300.1.1.1")};
        QTest::newRow("short IP form") << QStringList{} << QStringList{QStringLiteral("127.1")};
        QTest::newRow("nothing") << QStringList{} << QStringList{};
    }

    void rejectsBadNames()
    {
        QFETCH(QStringList, dns);
        QFETCH(QStringList, ips);
        QTemporaryDir tmp;
        const auto ca = CertificateAuthority::loadOrCreate(tmp.path());
        QVERIFY(ca.ok());
        const QString certPath = tmp.filePath(QStringLiteral("leaf.crt"));
        const auto issued =
            ca->issueServerCertificate(certPath, tmp.filePath(QStringLiteral("leaf.key")), QString(), dns, ips);
        QVERIFY(!issued.ok());
        QCOMPARE(issued.error().code, ErrorCode::InvalidInput);
        QVERIFY(!QFileInfo::exists(certPath));
    }

    void tlsHandshake_data()
    {
        QTest::addColumn<QString>("host");
        QTest::addColumn<QString>("peerName");
        QTest::addColumn<bool>("trustIssuingCa");
        QTest::addColumn<bool>("expectSuccess");
        QTest::newRow("127.0.0.1 as localhost")
            << QStringLiteral("127.0.0.1") << QStringLiteral("localhost") << true << true;
        QTest::newRow("127.0.0.1 by address") << QStringLiteral("127.0.0.1") << QString() << true << true;
        QTest::newRow("localhost") << QStringLiteral("localhost") << QString() << true << true;
        QTest::newRow("::1 by address") << QStringLiteral("::1") << QString() << true << true;
        QTest::newRow("host name") << QHostInfo::localHostName() << QString() << true << true;
        QTest::newRow("extra name") << QStringLiteral("127.0.0.1") << QStringLiteral("provisio.test") << true << true;
        QTest::newRow("name not covered")
            << QStringLiteral("127.0.0.1") << QStringLiteral("evil.example") << true << false;
        QTest::newRow("other CA") << QStringLiteral("127.0.0.1") << QStringLiteral("localhost") << false << false;
    }

    void tlsHandshake()
    {
        QFETCH(QString, host);
        QFETCH(QString, peerName);
        QFETCH(bool, trustIssuingCa);
        QFETCH(bool, expectSuccess);
        if (host == QLatin1String("::1") && !hasIpv6Loopback())
            QSKIP("no IPv6 loopback on this machine");
        if (host == QHostInfo::localHostName() && QHostInfo::fromName(host).addresses().isEmpty())
            QSKIP("this machine's host name does not resolve");

        QTemporaryDir tmp;
        const auto files = CertificateAuthority::ensureServerTls(tmp.path(), {QStringLiteral("provisio.test")});
        QVERIFY2(files.ok(), qPrintable(files.error().message));
        const QSslCertificate cert = loadCertificate(files->certPath);
        const QSslKey key(readAll(files->keyPath), QSsl::Ec);
        QVERIFY(!cert.isNull());
        QVERIFY(!key.isNull());

        QSslCertificate trusted = loadCertificate(files->caCertPath);
        QTemporaryDir otherDir;
        if (!trustIssuingCa) {
            const auto other = CertificateAuthority::loadOrCreate(otherDir.path());
            QVERIFY(other.ok());
            trusted = loadCertificate(other->caCertificatePath());
        }

        TlsServer server(cert, key);
        QVERIFY(server.listen(QHostAddress::Any, 0));
        const HandshakeResult result = handshake(host, server.serverPort(), peerName, trusted);
        if (expectSuccess) {
            QVERIFY2(result.encrypted && result.errors.isEmpty(), qPrintable(result.errors.value(0).errorString()));
            QCOMPARE(result.greeting, QByteArray("hello"));
        } else {
            QVERIFY(!result.encrypted);
            QVERIFY(!result.errors.isEmpty());
        }
    }

    void ensureServerTlsReuses()
    {
        QTemporaryDir tmp;
        const auto first = CertificateAuthority::ensureServerTls(tmp.path(), {});
        QVERIFY2(first.ok(), qPrintable(first.error().message));
        const QString tls = tmp.filePath(QStringLiteral("tls"));
        QCOMPARE(first->caCertPath, tls + QStringLiteral("/ca.crt"));
        QCOMPARE(first->caKeyPath, tls + QStringLiteral("/ca.key"));
        QCOMPARE(first->certPath, tls + QStringLiteral("/server.crt"));
        QCOMPARE(first->keyPath, tls + QStringLiteral("/server.key"));
        QCOMPARE(fileMode(first->caKeyPath), 0600);
        QCOMPARE(fileMode(first->keyPath), 0600);

        const QSslCertificate leaf = loadCertificate(first->certPath);
        const QStringList dns = dnsNames(leaf);
        QVERIFY(dns.contains(QStringLiteral("localhost")));
        const QString hostName = QHostInfo::localHostName().toLower();
        if (!hostName.isEmpty())
            QVERIFY2(dns.contains(hostName), qPrintable(dns.join(u',')));
        const QStringList ips = ipNames(leaf);
        QVERIFY(ips.contains(QStringLiteral("127.0.0.1")));
        QVERIFY(ips.contains(QStringLiteral("::1")));

        const QByteArray caPrint = fingerprint(first->caCertPath);
        const QByteArray leafPrint = fingerprint(first->certPath);
        const QByteArray leafKey = readAll(first->keyPath);

        const auto second = CertificateAuthority::ensureServerTls(tmp.path(), {});
        QVERIFY2(second.ok(), qPrintable(second.error().message));
        QCOMPARE(fingerprint(second->caCertPath), caPrint);
        QCOMPARE(fingerprint(second->certPath), leafPrint);
        QCOMPARE(readAll(second->keyPath), leafKey);

        // Names already covered (in any case, in any spelling) change nothing.
        const auto third = CertificateAuthority::ensureServerTls(
            tmp.path(),
            {QStringLiteral("LOCALHOST"), QStringLiteral(" 127.0.0.1 "), QStringLiteral("0:0:0:0:0:0:0:1")});
        QVERIFY2(third.ok(), qPrintable(third.error().message));
        QCOMPARE(fingerprint(third->certPath), leafPrint);
    }

    void ensureServerTlsReissuesForNewName_data()
    {
        QTest::addColumn<QString>("extraName");
        QTest::addColumn<bool>("isIp");
        QTest::newRow("DNS") << QStringLiteral("hub.provisio.test") << false;
        QTest::newRow("IPv4") << QStringLiteral("192.168.77.5") << true;
        QTest::newRow("IPv6") << QStringLiteral("fd00::5") << true;
    }

    void ensureServerTlsReissuesForNewName()
    {
        QFETCH(QString, extraName);
        QFETCH(bool, isIp);
        QTemporaryDir tmp;
        const auto first = CertificateAuthority::ensureServerTls(tmp.path(), {});
        QVERIFY(first.ok());
        const QByteArray caPrint = fingerprint(first->caCertPath);
        const QByteArray caKey = readAll(first->caKeyPath);
        const QByteArray leafPrint = fingerprint(first->certPath);

        const auto second = CertificateAuthority::ensureServerTls(tmp.path(), {extraName});
        QVERIFY2(second.ok(), qPrintable(second.error().message));
        QCOMPARE(fingerprint(second->caCertPath), caPrint);
        QCOMPARE(readAll(second->caKeyPath), caKey);
        QVERIFY(fingerprint(second->certPath) != leafPrint);
        const QSslCertificate leaf = loadCertificate(second->certPath);
        if (isIp)
            QVERIFY(ipNames(leaf).contains(QHostAddress(extraName).toString()));
        else
            QVERIFY(dnsNames(leaf).contains(extraName));
        QVERIFY(dnsNames(leaf).contains(QStringLiteral("localhost")));
        const auto errors = verifyChain(leaf, loadCertificate(second->caCertPath));
        QVERIFY2(errors.isEmpty(), qPrintable(errors.value(0).errorString()));

        // And the new certificate is then stable.
        const QByteArray reissued = fingerprint(second->certPath);
        const auto third = CertificateAuthority::ensureServerTls(tmp.path(), {extraName});
        QVERIFY(third.ok());
        QCOMPARE(fingerprint(third->certPath), reissued);
    }

    void ensureServerTlsReissuesForeignCertificate()
    {
        QTemporaryDir mine;
        QTemporaryDir theirs;
        const auto a = CertificateAuthority::ensureServerTls(mine.path(), {});
        const auto b = CertificateAuthority::ensureServerTls(theirs.path(), {});
        QVERIFY(a.ok() && b.ok());
        // A server certificate from another CA, with its own matching key.
        QVERIFY(writeAll(a->certPath, readAll(b->certPath)));
        QVERIFY(writeAll(a->keyPath, readAll(b->keyPath)));
        const QByteArray foreignPrint = fingerprint(a->certPath);

        const auto again = CertificateAuthority::ensureServerTls(mine.path(), {});
        QVERIFY2(again.ok(), qPrintable(again.error().message));
        QVERIFY(fingerprint(again->certPath) != foreignPrint);
        const auto errors = verifyChain(loadCertificate(again->certPath), loadCertificate(again->caCertPath));
        QVERIFY2(errors.isEmpty(), qPrintable(errors.value(0).errorString()));
    }

    void ensureServerTlsReissuesMismatchedKey()
    {
        QTemporaryDir tmp;
        const auto first = CertificateAuthority::ensureServerTls(tmp.path(), {});
        QVERIFY(first.ok());
        const QByteArray leafPrint = fingerprint(first->certPath);
        // A crash between writing server.key and server.crt leaves this state.
        const auto ca = CertificateAuthority::loadOrCreate(tmp.filePath(QStringLiteral("tls")));
        QVERIFY(ca.ok());
        QTemporaryDir scratch;
        QVERIFY(ca->issueServerCertificate(scratch.filePath(QStringLiteral("x.crt")), first->keyPath, QString(),
                                           {QStringLiteral("localhost")}, {})
                    .ok());
        const auto again = CertificateAuthority::ensureServerTls(tmp.path(), {});
        QVERIFY2(again.ok(), qPrintable(again.error().message));
        QVERIFY(fingerprint(again->certPath) != leafPrint);
        const QSslKey key(readAll(again->keyPath), QSsl::Ec);
        // The pair works together in a real handshake.
        TlsServer server(loadCertificate(again->certPath), key);
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        const HandshakeResult result =
            handshake(QStringLiteral("127.0.0.1"), server.serverPort(), QString(), loadCertificate(again->caCertPath));
        QVERIFY(result.encrypted);
    }

    void ensureServerTlsReissuesExpiring()
    {
        const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
        if (openssl.isEmpty())
            QSKIP("the openssl command is needed to forge a short-lived certificate");
        QTemporaryDir tmp;
        const auto first = CertificateAuthority::ensureServerTls(tmp.path(), {});
        QVERIFY(first.ok());

        // Same CA, same key, every requested name, but only 10 days left.
        QStringList san = {QStringLiteral("DNS:localhost"), QStringLiteral("IP:127.0.0.1"), QStringLiteral("IP:::1")};
        const QString hostName = QHostInfo::localHostName();
        if (!hostName.isEmpty())
            san.append(QStringLiteral("DNS:") + hostName);
        QProcess forge;
        forge.start(openssl,
                    {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-new"), QStringLiteral("-key"),
                     first->keyPath, QStringLiteral("-CA"), first->caCertPath, QStringLiteral("-CAkey"),
                     first->caKeyPath, QStringLiteral("-days"), QStringLiteral("10"), QStringLiteral("-subj"),
                     QStringLiteral("/CN=localhost"), QStringLiteral("-addext"),
                     QStringLiteral("subjectAltName=") + san.join(u','), QStringLiteral("-out"), first->certPath});
        QVERIFY(forge.waitForFinished(30000));
        QVERIFY2(forge.exitCode() == 0, forge.readAllStandardError().constData());
        const QSslCertificate forged = loadCertificate(first->certPath);
        QVERIFY(QDateTime::currentDateTimeUtc().daysTo(forged.expiryDate()) <= 10);
        QVERIFY(verifyChain(forged, loadCertificate(first->caCertPath)).isEmpty());

        const auto again = CertificateAuthority::ensureServerTls(tmp.path(), {});
        QVERIFY2(again.ok(), qPrintable(again.error().message));
        const QSslCertificate renewed = loadCertificate(again->certPath);
        QVERIFY(renewed != forged);
        QVERIFY(QDateTime::currentDateTimeUtc().daysTo(renewed.expiryDate()) >= 824);
    }

    void corruptCaKeyIsAnErrorAndTouchesNothing_data()
    {
        QTest::addColumn<QByteArray>("keyContents");
        QTest::newRow("garbage") << QByteArray("this is not a key\n");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("truncated PEM") << QByteArray(
            "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n");
    }

    void corruptCaKeyIsAnErrorAndTouchesNothing()
    {
        QFETCH(QByteArray, keyContents);
        QTemporaryDir tmp;
        const auto first = CertificateAuthority::ensureServerTls(tmp.path(), {});
        QVERIFY(first.ok());
        QVERIFY(writeAll(first->caKeyPath, keyContents));
        const QByteArray caCert = readAll(first->caCertPath);
        const QByteArray serverCert = readAll(first->certPath);
        const QByteArray serverKey = readAll(first->keyPath);

        const auto loaded = CertificateAuthority::loadOrCreate(tmp.filePath(QStringLiteral("tls")));
        QVERIFY(!loaded.ok());
        QCOMPARE(loaded.error().code, ErrorCode::InvalidInput);
        QVERIFY2(loaded.error().message.contains(first->caKeyPath), qPrintable(loaded.error().message));

        // A new extra name would normally reissue the leaf; not with a broken CA.
        const auto ensured = CertificateAuthority::ensureServerTls(tmp.path(), {QStringLiteral("new.example")});
        QVERIFY(!ensured.ok());
        QVERIFY2(ensured.error().message.contains(first->caKeyPath), qPrintable(ensured.error().message));

        QCOMPARE(readAll(first->caKeyPath), keyContents);
        QCOMPARE(readAll(first->caCertPath), caCert);
        QCOMPARE(readAll(first->certPath), serverCert);
        QCOMPARE(readAll(first->keyPath), serverKey);
    }

    void mismatchedCaPairIsAnError()
    {
        QTemporaryDir a;
        QTemporaryDir b;
        const auto caA = CertificateAuthority::loadOrCreate(a.path());
        const auto caB = CertificateAuthority::loadOrCreate(b.path());
        QVERIFY(caA.ok() && caB.ok());
        const QByteArray foreignKey = readAll(caB->caKeyPath());
        QVERIFY(writeAll(caA->caKeyPath(), foreignKey));
        const auto loaded = CertificateAuthority::loadOrCreate(a.path());
        QVERIFY(!loaded.ok());
        QVERIFY2(loaded.error().message.contains(QStringLiteral("does not belong")),
                 qPrintable(loaded.error().message));
        QCOMPARE(readAll(caA->caKeyPath()), foreignKey);
        QCOMPARE(readAll(caA->caCertificatePath()), caA->caCertificatePem());
    }

    void certificateWithoutKeyIsAnError()
    {
        QTemporaryDir tmp;
        const auto ca = CertificateAuthority::loadOrCreate(tmp.path());
        QVERIFY(ca.ok());
        QVERIFY(QFile::remove(ca->caKeyPath()));
        const auto loaded = CertificateAuthority::loadOrCreate(tmp.path());
        QVERIFY(!loaded.ok());
        QVERIFY(!QFileInfo::exists(ca->caKeyPath()));
        QCOMPARE(readAll(ca->caCertificatePath()), ca->caCertificatePem());
    }

    void keyWithoutCertificateIsCompleted()
    {
        // What a crash between writing ca.key and ca.crt leaves behind.
        QTemporaryDir tmp;
        const auto ca = CertificateAuthority::loadOrCreate(tmp.path());
        QVERIFY(ca.ok());
        const QByteArray key = readAll(ca->caKeyPath());
        QVERIFY(QFile::remove(ca->caCertificatePath()));
        const auto again = CertificateAuthority::loadOrCreate(tmp.path());
        QVERIFY2(again.ok(), qPrintable(again.error().message));
        QCOMPARE(readAll(again->caKeyPath()), key);
        QVERIFY(!loadCertificate(again->caCertificatePath()).isNull());
    }

    void rejectsBadExtraName()
    {
        QTemporaryDir tmp;
        const auto files = CertificateAuthority::ensureServerTls(tmp.path(), {QStringLiteral("not a name")});
        QVERIFY(!files.ok());
        QCOMPARE(files.error().code, ErrorCode::InvalidInput);
        QVERIFY(files.error().message.contains(QStringLiteral("not a name")));
    }
};

QTEST_GUILESS_MAIN(TestCertificateAuthority)
#include "tst_certificateauthority.moc"

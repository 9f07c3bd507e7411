// SPDX-License-Identifier: Apache-2.0
#include "certificateauthority.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QHostInfo>
#include <QLockFile>
#include <QLoggingCategory>
#include <QSaveFile>
#include <QtEndian>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <vector>

Q_LOGGING_CATEGORY(lcCertificateAuthority, "provisio.common.crypto.ca")

namespace Provisio {

namespace {

constexpr int CaValidityDays = 3650;
constexpr int LeafValidityDays = 825; // the most Apple's TLS clients accept
constexpr int RenewBeforeDays = 30;
// Certificates start a little in the past so that a device whose clock lags
// the middleware's by a few minutes still accepts a freshly issued one.
constexpr long BackdateSeconds = 5 * 60;
constexpr qint64 MaxPemFileSize = 1024 * 1024;
constexpr int MaxCommonNameLength = 64; // ub-common-name, RFC 5280

const auto CaCertFileName = QStringLiteral("ca.crt");
const auto CaKeyFileName = QStringLiteral("ca.key");
const auto ServerCertFileName = QStringLiteral("server.crt");
const auto ServerKeyFileName = QStringLiteral("server.key");
// Serialises creation between processes sharing a data directory: two
// middleware instances starting at once must not each write half of a CA.
const auto LockFileName = QStringLiteral(".provisio-tls.lock");

struct X509Free
{
    void operator()(X509 *p) const { X509_free(p); }
};
struct PkeyFree
{
    void operator()(EVP_PKEY *p) const { EVP_PKEY_free(p); }
};
struct BioFree
{
    void operator()(BIO *p) const { BIO_free(p); }
};
struct BnFree
{
    void operator()(BIGNUM *p) const { BN_free(p); }
};
struct Asn1IntegerFree
{
    void operator()(ASN1_INTEGER *p) const { ASN1_INTEGER_free(p); }
};
struct NameFree
{
    void operator()(X509_NAME *p) const { X509_NAME_free(p); }
};
struct GeneralNamesFree
{
    void operator()(GENERAL_NAMES *p) const { GENERAL_NAMES_free(p); }
};
struct ExtensionFree
{
    void operator()(X509_EXTENSION *p) const { X509_EXTENSION_free(p); }
};

using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;
using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, Asn1IntegerFree>;
using NamePtr = std::unique_ptr<X509_NAME, NameFree>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, GeneralNamesFree>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, ExtensionFree>;

// Drains OpenSSL's thread-local error queue into one line. Always drained:
// Qt's own OpenSSL TLS backend reads the same queue and would otherwise
// report our leftovers as its errors.
QString takeOpenSslErrors()
{
    QStringList parts;
    while (const unsigned long code = ERR_get_error()) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof buffer);
        parts.append(QString::fromLatin1(buffer));
    }
    return parts.isEmpty() ? QStringLiteral("unknown OpenSSL error") : parts.join(QStringLiteral("; "));
}

Error cryptoError(const QString &what)
{
    return Error(ErrorCode::Internal, what + QStringLiteral(": ") + takeOpenSslErrors());
}

// An encrypted key must fail to load, not block the service on a terminal
// prompt for a passphrase.
int noPassphrase(char *, int, int, void *)
{
    return 0;
}

Result<QByteArray> readSmallFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error(ErrorCode::Internal, QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    if (file.size() > MaxPemFileSize)
        return Error(ErrorCode::InvalidInput, QStringLiteral("%1 is too large to be a PEM file").arg(path));
    return file.readAll();
}

// QSaveFile writes a temporary file and renames it over the target, so a
// reader (or a crash) never sees half a key. Secrets get 0600 before the first
// byte is written.
Result<void> writeFileAtomically(const QString &path, const QByteArray &data, bool secret)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Error(ErrorCode::Internal, QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    if (secret && !file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        file.cancelWriting();
        return Error(ErrorCode::Internal,
                     QStringLiteral("cannot restrict the permissions of %1: %2").arg(path, file.errorString()));
    }
    if (file.write(data) != data.size() || !file.commit())
        return Error(ErrorCode::Internal, QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    return {};
}

X509Ptr certificateFromPem(const QByteArray &pem)
{
    BioPtr bio(BIO_new_mem_buf(pem.constData(), int(pem.size())));
    if (!bio)
        return nullptr;
    return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, noPassphrase, nullptr));
}

PkeyPtr privateKeyFromPem(const QByteArray &pem)
{
    BioPtr bio(BIO_new_mem_buf(pem.constData(), int(pem.size())));
    if (!bio)
        return nullptr;
    return PkeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, noPassphrase, nullptr));
}

QByteArray memoryBioContents(BIO *bio)
{
    BUF_MEM *mem = nullptr;
    BIO_get_mem_ptr(bio, &mem);
    return mem ? QByteArray(mem->data, qsizetype(mem->length)) : QByteArray();
}

Result<QByteArray> certificateToPem(X509 *cert)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1)
        return cryptoError(QStringLiteral("cannot encode a certificate"));
    return memoryBioContents(bio.get());
}

// PKCS#8 ("BEGIN PRIVATE KEY"), unencrypted: Mosquitto, Qt and OpenSSL read it.
Result<QByteArray> privateKeyToPem(EVP_PKEY *key)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return cryptoError(QStringLiteral("cannot encode a private key"));
    return memoryBioContents(bio.get());
}

Result<PkeyPtr> generateKey()
{
    PkeyPtr key(EVP_EC_gen("P-256"));
    if (!key)
        return cryptoError(QStringLiteral("cannot generate a P-256 key"));
    return key;
}

// 16 random bytes with the top bit cleared (so the DER integer stays positive
// and 16 octets long) and the next one set (so it is never zero or short).
Result<Asn1IntegerPtr> randomSerial()
{
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1)
        return cryptoError(QStringLiteral("cannot draw a random serial number"));
    bytes[0] = (bytes[0] & 0x7f) | 0x40;
    BnPtr bn(BN_bin2bn(bytes, sizeof bytes, nullptr));
    Asn1IntegerPtr serial(bn ? BN_to_ASN1_INTEGER(bn.get(), nullptr) : nullptr);
    if (!serial)
        return cryptoError(QStringLiteral("cannot encode a serial number"));
    return serial;
}

bool addNameEntry(X509_NAME *name, const char *field, const QString &value)
{
    const QByteArray utf8 = value.toUtf8();
    return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char *>(utf8.constData()), int(utf8.size()), -1,
                                      0) == 1;
}

// Adds an extension written in OpenSSL's config syntax; only ever called with
// our own constant strings, never with user input.
bool addExtension(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

// Common skeleton of every certificate we make: v3, random serial, validity
// window from a few minutes ago, subject, issuer, public key.
Result<X509Ptr> newCertificate(EVP_PKEY *subjectKey, X509_NAME *subject, X509_NAME *issuer, int validityDays)
{
    X509Ptr cert(X509_new());
    if (!cert)
        return cryptoError(QStringLiteral("cannot allocate a certificate"));
    auto serial = randomSerial();
    if (!serial)
        return serial.error();
    const bool ok = X509_set_version(cert.get(), X509_VERSION_3) == 1 &&
                    X509_set_serialNumber(cert.get(), serial->get()) == 1 &&
                    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -BackdateSeconds) &&
                    X509_time_adj_ex(X509_getm_notAfter(cert.get()), validityDays, 0, nullptr) &&
                    X509_set_subject_name(cert.get(), subject) == 1 && X509_set_issuer_name(cert.get(), issuer) == 1 &&
                    X509_set_pubkey(cert.get(), subjectKey) == 1;
    if (!ok)
        return cryptoError(QStringLiteral("cannot fill in a certificate"));
    return cert;
}

Result<X509Ptr> createCaCertificate(EVP_PKEY *key)
{
    unsigned char suffix[4];
    if (RAND_bytes(suffix, sizeof suffix) != 1)
        return cryptoError(QStringLiteral("cannot draw random bytes"));
    // The suffix tells apart the CAs of several installations in a trust store.
    const QString commonName =
        QStringLiteral("Provisio Local CA ") +
        QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(suffix), sizeof suffix).toHex());

    NamePtr name(X509_NAME_new());
    if (!name || !addNameEntry(name.get(), "O", QStringLiteral("Provisio")) ||
        !addNameEntry(name.get(), "CN", commonName))
        return cryptoError(QStringLiteral("cannot build the CA name"));

    auto cert = newCertificate(key, name.get(), name.get(), CaValidityDays);
    if (!cert)
        return cert.error();
    X509 *x = cert->get();
    const bool ok = addExtension(x, x, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") &&
                    addExtension(x, x, NID_key_usage, "critical,keyCertSign,cRLSign") &&
                    addExtension(x, x, NID_subject_key_identifier, "hash") &&
                    addExtension(x, x, NID_authority_key_identifier, "keyid:always");
    if (!ok)
        return cryptoError(QStringLiteral("cannot add the CA extensions"));
    if (X509_sign(x, key, EVP_sha256()) <= 0)
        return cryptoError(QStringLiteral("cannot self-sign the CA certificate"));
    return std::move(*cert);
}

// A DNS name we are willing to put in a certificate: labels of letters,
// digits, '-' and '_', optionally a leading "*." wildcard.
bool isValidDnsName(const QString &name)
{
    if (name.isEmpty() || name.size() > 253)
        return false;
    QString rest = name;
    if (rest.startsWith(QLatin1String("*.")))
        rest = rest.mid(2);
    const QStringList labels = rest.split(QLatin1Char('.'));
    for (const QString &label : labels) {
        if (label.isEmpty() || label.size() > 63)
            return false;
        for (const QChar c : label) {
            const char16_t u = c.unicode();
            const bool allowed = (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9') ||
                                 u == u'-' || u == u'_';
            if (!allowed)
                return false;
        }
    }
    return true;
}

// The 4 or 16 octets an iPAddress subjectAltName holds.
QByteArray ipAddressOctets(const QHostAddress &address)
{
    if (address.protocol() == QAbstractSocket::IPv4Protocol) {
        const quint32 big = qToBigEndian(address.toIPv4Address());
        return QByteArray(reinterpret_cast<const char *>(&big), sizeof big);
    }
    const Q_IPV6ADDR v6 = address.toIPv6Address();
    return QByteArray(reinterpret_cast<const char *>(v6.c), sizeof v6.c);
}

// Parses an IP address the way a URL or a config file would write it, and
// nothing looser: QHostAddress alone also takes "127.1" or a bare "1".
bool parseIpAddress(const QString &text, QHostAddress *address)
{
    if (text.isEmpty())
        return false;
    if (!address->setAddress(text))
        return false;
    if (address->protocol() == QAbstractSocket::IPv4Protocol)
        return text.count(QLatin1Char('.')) == 3;
    return address->protocol() == QAbstractSocket::IPv6Protocol;
}

struct SubjectAltNames
{
    QStringList dnsNames;       // lower case
    QList<QByteArray> ipOctets; // 4 or 16 octets each
};

SubjectAltNames subjectAltNames(X509 *cert)
{
    SubjectAltNames result;
    GeneralNamesPtr names(static_cast<GENERAL_NAMES *>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
    if (!names)
        return result;
    for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
        const GENERAL_NAME *name = sk_GENERAL_NAME_value(names.get(), i);
        if (name->type == GEN_DNS) {
            const ASN1_IA5STRING *dns = name->d.dNSName;
            result.dnsNames.append(
                QString::fromLatin1(reinterpret_cast<const char *>(ASN1_STRING_get0_data(dns)), ASN1_STRING_length(dns))
                    .toLower());
        } else if (name->type == GEN_IPADD) {
            const ASN1_OCTET_STRING *ip = name->d.iPAddress;
            result.ipOctets.append(
                QByteArray(reinterpret_cast<const char *>(ASN1_STRING_get0_data(ip)), ASN1_STRING_length(ip)));
        }
    }
    return result;
}

Result<GeneralNamesPtr> buildSubjectAltNames(const QStringList &dnsNames, const QList<QHostAddress> &ipAddresses)
{
    GeneralNamesPtr names(GENERAL_NAMES_new());
    if (!names)
        return cryptoError(QStringLiteral("cannot allocate subjectAltName"));
    for (const QString &dns : dnsNames) {
        const QByteArray ascii = dns.toLatin1();
        GENERAL_NAME *name = GENERAL_NAME_new();
        ASN1_IA5STRING *value = ASN1_IA5STRING_new();
        if (!name || !value || ASN1_STRING_set(value, ascii.constData(), int(ascii.size())) != 1) {
            GENERAL_NAME_free(name);
            ASN1_IA5STRING_free(value);
            return cryptoError(QStringLiteral("cannot encode DNS name %1").arg(dns));
        }
        GENERAL_NAME_set0_value(name, GEN_DNS, value);
        if (sk_GENERAL_NAME_push(names.get(), name) <= 0) {
            GENERAL_NAME_free(name);
            return cryptoError(QStringLiteral("cannot add DNS name %1").arg(dns));
        }
    }
    for (const QHostAddress &address : ipAddresses) {
        const QByteArray octets = ipAddressOctets(address);
        GENERAL_NAME *name = GENERAL_NAME_new();
        ASN1_OCTET_STRING *value = ASN1_OCTET_STRING_new();
        if (!name || !value ||
            ASN1_OCTET_STRING_set(value, reinterpret_cast<const unsigned char *>(octets.constData()),
                                  int(octets.size())) != 1) {
            GENERAL_NAME_free(name);
            ASN1_OCTET_STRING_free(value);
            return cryptoError(QStringLiteral("cannot encode IP address %1").arg(address.toString()));
        }
        GENERAL_NAME_set0_value(name, GEN_IPADD, value);
        if (sk_GENERAL_NAME_push(names.get(), name) <= 0) {
            GENERAL_NAME_free(name);
            return cryptoError(QStringLiteral("cannot add IP address %1").arg(address.toString()));
        }
    }
    return names;
}

QString notAfterText(const X509 *cert)
{
    struct tm t = {};
    if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &t) != 1)
        return QStringLiteral("an unreadable date");
    return QDateTime(QDate(t.tm_year + 1900, t.tm_mon + 1, t.tm_mday), QTime(t.tm_hour, t.tm_min, t.tm_sec), Qt::UTC)
        .toString(Qt::ISODate);
}

QString lockPath(const QString &dir)
{
    return QDir(dir).filePath(LockFileName);
}

// A read-only directory (a CA the operator provisioned) cannot hold a lock
// file; loading needs no lock, and creating would fail with a clear message.
Result<void> lockDirectory(QLockFile &lock, const QString &dir)
{
    if (lock.tryLock(30 * 1000) || lock.error() == QLockFile::PermissionError)
        return {};
    return Error(ErrorCode::Unavailable, QStringLiteral("another process holds %1").arg(lockPath(dir)));
}

Result<void> ensureDirectory(const QString &dir)
{
    if (QFileInfo(dir).isDir())
        return {};
    if (!QDir().mkpath(dir))
        return Error(ErrorCode::Internal, QStringLiteral("cannot create directory %1").arg(dir));
    // Only keys live here; nobody else needs to list them.
    QFile::setPermissions(dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    return {};
}

} // namespace

struct CertificateAuthority::Data
{
    QString dir;
    QByteArray certPem;
    X509Ptr cert;
    PkeyPtr key;
};

CertificateAuthority::CertificateAuthority(std::shared_ptr<const Data> data) : m_d(std::move(data)) { }

QByteArray CertificateAuthority::caCertificatePem() const
{
    return m_d->certPem;
}

QString CertificateAuthority::caCertificatePath() const
{
    return QDir(m_d->dir).filePath(CaCertFileName);
}

QString CertificateAuthority::caKeyPath() const
{
    return QDir(m_d->dir).filePath(CaKeyFileName);
}

// The caller holds the directory's lock.
Result<CertificateAuthority> CertificateAuthority::loadOrCreateLocked(const QString &dir)
{
    const QString certPath = QDir(dir).filePath(CaCertFileName);
    const QString keyPath = QDir(dir).filePath(CaKeyFileName);
    const bool haveCert = QFileInfo::exists(certPath);
    const bool haveKey = QFileInfo::exists(keyPath);

    if (haveCert && !haveKey)
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("%1 exists but its key %2 is missing; restore the key, or move "
                                    "both aside to create a new CA (devices will then need the new "
                                    "CA certificate)")
                         .arg(certPath, keyPath));

    auto data = std::make_shared<Data>();
    data->dir = dir;

    if (haveKey) {
        auto keyPem = readSmallFile(keyPath);
        if (!keyPem)
            return keyPem.error();
        data->key = privateKeyFromPem(*keyPem);
        if (!data->key)
            return Error(ErrorCode::InvalidInput,
                         QStringLiteral("%1 is not a readable unencrypted PEM private key (%2); "
                                        "nothing was changed")
                             .arg(keyPath, takeOpenSslErrors()));
    }

    if (haveCert) {
        auto certPem = readSmallFile(certPath);
        if (!certPem)
            return certPem.error();
        data->cert = certificateFromPem(*certPem);
        if (!data->cert)
            return Error(ErrorCode::InvalidInput,
                         QStringLiteral("%1 is not a readable PEM certificate (%2); nothing was changed")
                             .arg(certPath, takeOpenSslErrors()));
        if (X509_check_private_key(data->cert.get(), data->key.get()) != 1) {
            takeOpenSslErrors();
            return Error(
                ErrorCode::InvalidInput,
                QStringLiteral("%1 does not belong to the key in %2; nothing was changed").arg(certPath, keyPath));
        }
        if (X509_check_ca(data->cert.get()) < 1)
            return Error(ErrorCode::InvalidInput,
                         QStringLiteral("%1 is not a CA certificate; nothing was changed").arg(certPath));
        if (X509_cmp_current_time(X509_get0_notAfter(data->cert.get())) <= 0)
            return Error(ErrorCode::InvalidInput,
                         QStringLiteral("the CA certificate %1 expired on %2; move ca.crt and ca.key "
                                        "aside to create a new CA")
                             .arg(certPath, notAfterText(data->cert.get())));
        // Re-encode so that caCertificatePem() holds exactly one certificate.
        auto pem = certificateToPem(data->cert.get());
        if (!pem)
            return pem.error();
        data->certPem = std::move(*pem);
        qCDebug(lcCertificateAuthority) << "loaded CA from" << dir;
        return CertificateAuthority(std::move(data));
    }

    if (!haveKey) {
        auto key = generateKey();
        if (!key)
            return key.error();
        data->key = std::move(*key);
        auto keyPem = privateKeyToPem(data->key.get());
        if (!keyPem)
            return keyPem.error();
        // Key first: a crash before the certificate is written leaves a key
        // alone, which the branch below completes on the next start.
        auto written = writeFileAtomically(keyPath, *keyPem, true);
        if (!written)
            return written.error();
    } else {
        qCInfo(lcCertificateAuthority) << keyPath << "has no certificate; creating one for it";
    }

    auto cert = createCaCertificate(data->key.get());
    if (!cert)
        return cert.error();
    data->cert = std::move(*cert);
    auto pem = certificateToPem(data->cert.get());
    if (!pem)
        return pem.error();
    data->certPem = std::move(*pem);
    auto written = writeFileAtomically(certPath, data->certPem, false);
    if (!written)
        return written.error();
    qCInfo(lcCertificateAuthority) << "created a new CA in" << dir;
    return CertificateAuthority(std::move(data));
}

Result<CertificateAuthority> CertificateAuthority::loadOrCreate(const QString &dir)
{
    if (dir.isEmpty())
        return Error(ErrorCode::InvalidInput, QStringLiteral("no directory given for the CA"));
    if (auto made = ensureDirectory(dir); !made)
        return made.error();
    QLockFile lock(lockPath(dir));
    if (auto locked = lockDirectory(lock, dir); !locked)
        return locked.error();
    return loadOrCreateLocked(dir);
}

Result<void> CertificateAuthority::issueServerCertificate(const QString &certPath, const QString &keyPath,
                                                          const QString &commonName, const QStringList &dnsNames,
                                                          const QStringList &ipAddresses, CertificateUsage usage) const
{
    for (const QString &dns : dnsNames) {
        if (!isValidDnsName(dns))
            return Error(ErrorCode::InvalidInput, QStringLiteral("\"%1\" is not a valid DNS name").arg(dns));
    }
    QList<QHostAddress> addresses;
    for (const QString &ip : ipAddresses) {
        QHostAddress address;
        if (!parseIpAddress(ip, &address))
            return Error(ErrorCode::InvalidInput, QStringLiteral("\"%1\" is not a valid IP address").arg(ip));
        addresses.append(address);
    }
    if (dnsNames.isEmpty() && addresses.isEmpty())
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("a server certificate needs at least one DNS name or IP address"));
    QString cn = commonName;
    if (cn.isEmpty())
        cn = dnsNames.isEmpty() ? ipAddresses.constFirst() : dnsNames.constFirst();
    if (cn.size() > MaxCommonNameLength)
        return Error(
            ErrorCode::InvalidInput,
            QStringLiteral("common name \"%1\" is longer than %2 characters").arg(cn).arg(MaxCommonNameLength));

    auto key = generateKey();
    if (!key)
        return key.error();

    NamePtr subject(X509_NAME_new());
    if (!subject || !addNameEntry(subject.get(), "O", QStringLiteral("Provisio")) ||
        !addNameEntry(subject.get(), "CN", cn))
        return cryptoError(QStringLiteral("cannot build the subject name for %1").arg(cn));

    X509 *ca = m_d->cert.get();
    auto cert = newCertificate(key->get(), subject.get(), X509_get_subject_name(ca), LeafValidityDays);
    if (!cert)
        return cert.error();
    X509 *x = cert->get();
    const char *extendedKeyUsage = usage == CertificateUsage::ServerAndClient ? "serverAuth,clientAuth" : "serverAuth";
    bool ok = addExtension(x, ca, NID_basic_constraints, "critical,CA:FALSE") &&
              addExtension(x, ca, NID_key_usage, "critical,digitalSignature") &&
              addExtension(x, ca, NID_ext_key_usage, extendedKeyUsage) &&
              addExtension(x, ca, NID_subject_key_identifier, "hash") &&
              addExtension(x, ca, NID_authority_key_identifier, "keyid:always");
    if (!ok)
        return cryptoError(QStringLiteral("cannot add the certificate extensions"));

    auto san = buildSubjectAltNames(dnsNames, addresses);
    if (!san)
        return san.error();
    if (X509_add1_ext_i2d(x, NID_subject_alt_name, san->get(), 0, X509V3_ADD_DEFAULT) != 1)
        return cryptoError(QStringLiteral("cannot add subjectAltName"));

    if (X509_sign(x, m_d->key.get(), EVP_sha256()) <= 0)
        return cryptoError(QStringLiteral("cannot sign the certificate for %1").arg(cn));

    auto certPem = certificateToPem(x);
    if (!certPem)
        return certPem.error();
    auto keyPem = privateKeyToPem(key->get());
    if (!keyPem)
        return keyPem.error();
    if (auto written = writeFileAtomically(keyPath, *keyPem, true); !written)
        return written;
    return writeFileAtomically(certPath, *certPem, false);
}

namespace {

struct RequestedNames
{
    QStringList dnsNames;    // as given, deduplicated case-insensitively
    QStringList ipAddresses; // canonical text
    QList<QByteArray> ipOctets;
};

void addRequestedName(RequestedNames &names, const QString &name)
{
    QHostAddress address;
    if (parseIpAddress(name, &address)) {
        const QByteArray octets = ipAddressOctets(address);
        if (!names.ipOctets.contains(octets)) {
            names.ipOctets.append(octets);
            QHostAddress plain(address);
            plain.setScopeId(QString());
            names.ipAddresses.append(plain.toString());
        }
        return;
    }
    if (!names.dnsNames.contains(name, Qt::CaseInsensitive))
        names.dnsNames.append(name.toLower());
}

// Why an existing server certificate cannot be kept, or an empty string.
QString reasonToReissue(X509 *ca, EVP_PKEY *caKey, const QString &certPath, const QString &keyPath,
                        const RequestedNames &names)
{
    if (!QFileInfo::exists(certPath) || !QFileInfo::exists(keyPath))
        return QStringLiteral("no certificate yet");
    const auto certPem = readSmallFile(certPath);
    const auto keyPem = readSmallFile(keyPath);
    if (!certPem || !keyPem)
        return QStringLiteral("unreadable");
    X509Ptr cert = certificateFromPem(*certPem);
    PkeyPtr key = privateKeyFromPem(*keyPem);
    const auto reason = [&]() -> QString {
        if (!cert)
            return QStringLiteral("the certificate is unreadable");
        if (!key)
            return QStringLiteral("the key is unreadable");
        if (X509_check_private_key(cert.get(), key.get()) != 1)
            return QStringLiteral("the key does not match the certificate");
        if (X509_check_issued(ca, cert.get()) != X509_V_OK || X509_verify(cert.get(), caKey) != 1)
            return QStringLiteral("it was not signed by the current CA");
        if (X509_cmp_current_time(X509_get0_notBefore(cert.get())) >= 0)
            return QStringLiteral("it is not valid yet");
        time_t renewAt = std::time(nullptr) + time_t(RenewBeforeDays) * 24 * 3600;
        if (X509_cmp_time(X509_get0_notAfter(cert.get()), &renewAt) <= 0)
            return QStringLiteral("it expires on %1").arg(notAfterText(cert.get()));
        const SubjectAltNames present = subjectAltNames(cert.get());
        for (const QString &dns : names.dnsNames) {
            if (!present.dnsNames.contains(dns.toLower()))
                return QStringLiteral("it does not cover %1").arg(dns);
        }
        for (int i = 0; i < names.ipOctets.size(); ++i) {
            if (!present.ipOctets.contains(names.ipOctets.at(i)))
                return QStringLiteral("it does not cover %1").arg(names.ipAddresses.at(i));
        }
        return QString();
    }();
    takeOpenSslErrors();
    return reason;
}

} // namespace

Result<CertificateFiles> CertificateAuthority::ensureServerTls(const QString &dataDir, const QStringList &extraNames)
{
    if (dataDir.isEmpty())
        return Error(ErrorCode::InvalidInput, QStringLiteral("no data directory given"));
    const QString tlsDir = QDir(dataDir).filePath(QStringLiteral("tls"));

    RequestedNames names;
    addRequestedName(names, QStringLiteral("localhost"));
    addRequestedName(names, QStringLiteral("127.0.0.1"));
    addRequestedName(names, QStringLiteral("::1"));
    const QString hostName = QHostInfo::localHostName();
    if (isValidDnsName(hostName))
        addRequestedName(names, hostName);
    else if (!hostName.isEmpty())
        qCWarning(lcCertificateAuthority)
            << "host name" << hostName << "is not a valid DNS name; leaving it out of the certificate";
    for (const QString &raw : extraNames) {
        const QString name = raw.trimmed();
        if (name.isEmpty())
            continue;
        QHostAddress address;
        if (!parseIpAddress(name, &address) && !isValidDnsName(name))
            return Error(ErrorCode::InvalidInput,
                         QStringLiteral("\"%1\" is neither a DNS name nor an IP address").arg(name));
        addRequestedName(names, name);
    }

    if (auto made = ensureDirectory(tlsDir); !made)
        return made.error();
    QLockFile lock(lockPath(tlsDir));
    if (auto locked = lockDirectory(lock, tlsDir); !locked)
        return locked.error();
    const auto loaded = loadOrCreateLocked(tlsDir);
    if (!loaded)
        return loaded.error();
    const CertificateAuthority &ca = *loaded;

    CertificateFiles files;
    files.caCertPath = ca.caCertificatePath();
    files.caKeyPath = ca.caKeyPath();
    files.certPath = QDir(tlsDir).filePath(ServerCertFileName);
    files.keyPath = QDir(tlsDir).filePath(ServerKeyFileName);

    const QString reason = reasonToReissue(ca.m_d->cert.get(), ca.m_d->key.get(), files.certPath, files.keyPath, names);
    if (reason.isEmpty())
        return files;

    qCInfo(lcCertificateAuthority).noquote()
        << "issuing the server certificate" << files.certPath << "because" << reason;
    const QString commonName =
        isValidDnsName(hostName) && hostName.size() <= MaxCommonNameLength ? hostName : QStringLiteral("localhost");
    auto issued =
        ca.issueServerCertificate(files.certPath, files.keyPath, commonName, names.dnsNames, names.ipAddresses);
    if (!issued)
        return issued.error();
    return files;
}

} // namespace Provisio

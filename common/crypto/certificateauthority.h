// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <memory>

namespace Provisio {

// Where the TLS material of one service lives on disk.
struct CertificateFiles
{
    QString caCertPath;
    QString caKeyPath;
    QString certPath;
    QString keyPath;
};

// Which extended key usages an issued leaf certificate carries.
enum class CertificateUsage {
    Server,          // serverAuth
    ServerAndClient, // serverAuth + clientAuth (e.g. a hub bridge that also dials out)
};

// A small local certificate authority, so that TLS is on by default without
// the operator buying or configuring anything: the middleware creates it on
// first start and signs its own and the hubs' server certificates with it;
// devices receive the CA certificate in their registration payload and trust
// only it. Keys are ECDSA P-256, which Mosquitto, OpenSSL and Qt all accept
// and which is cheap to generate on a Raspberry Pi.
//
// The object is an immutable, cheaply copyable handle to the loaded CA.
class CertificateAuthority
{
public:
    // Loads the CA from dir/ca.crt + dir/ca.key, or creates both if neither
    // exists (10 years, CA:TRUE, pathlen 0, keyCertSign/cRLSign, subject CN
    // "Provisio Local CA <random suffix>"). ca.key is written 0600 through
    // QSaveFile. A present but unreadable, mismatched or expired CA is an
    // error, and nothing on disk is touched: devices already trust that CA,
    // so silently replacing it would cut them off.
    static Result<CertificateAuthority> loadOrCreate(const QString &dir);

    // Issues a leaf certificate signed by this CA for the given DNS names and
    // IP addresses (subjectAltName), with serverAuth (+ clientAuth when asked),
    // valid 825 days, with a random 128-bit serial. Writes certPath (the leaf
    // certificate alone, PEM) and keyPath (PKCS#8 PEM, 0600), each atomically;
    // the key is written first so that a crash in between leaves a pair that
    // does not match, which ensureServerTls() then reissues.
    Result<void> issueServerCertificate(const QString &certPath, const QString &keyPath, const QString &commonName,
                                        const QStringList &dnsNames, const QStringList &ipAddresses,
                                        CertificateUsage usage = CertificateUsage::Server) const;

    QByteArray caCertificatePem() const;
    QString caCertificatePath() const;
    QString caKeyPath() const;

    // For a service's first start: ensures dataDir/tls/{ca.crt, ca.key,
    // server.crt, server.key}. The server certificate covers localhost,
    // 127.0.0.1, ::1, QHostInfo::localHostName() and extraNames (each a DNS
    // name or an IP address). An existing server.crt is kept unless it misses
    // one of those names, expires within 30 days, is not yet valid, was not
    // signed by the current CA, or does not match server.key; then it is
    // reissued.
    static Result<CertificateFiles> ensureServerTls(const QString &dataDir, const QStringList &extraNames);

private:
    struct Data;
    explicit CertificateAuthority(std::shared_ptr<const Data> data);
    static Result<CertificateAuthority> loadOrCreateLocked(const QString &dir);

    std::shared_ptr<const Data> m_d;
};

} // namespace Provisio

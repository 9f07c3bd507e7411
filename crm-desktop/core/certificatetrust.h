// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QSslCertificate>
#include <QSslError>
#include <QUrl>

class QSslSocket;
class QTimer;

namespace Provisio::Crm {

// Trust on first use, as SSH does it: connects to the middleware, records
// the certificate chain it presents (even when it does not verify, which is
// the normal case for a middleware with its own CA) and its CA's SHA-256
// fingerprint, so the user can compare that with what the server's operator
// sees (`openssl x509 -fingerprint -sha256 -in DATA_DIR/tls/ca.crt`) before
// trusting it. Or loads a CA from a PEM file the operator handed over.
class CertificateTrust : public QObject
{
    Q_OBJECT
public:
    explicit CertificateTrust(QObject *parent = nullptr);
    ~CertificateTrust() override;

    // Starts a TLS handshake with url's host and port (default 8443);
    // emits fetched() or fetchFailed(). Sends no request and no token.
    void fetch(const QUrl &url);
    void cancel();
    bool isFetching() const { return m_socket != nullptr; }
    void setTimeout(int milliseconds) { m_timeoutMs = milliseconds; }

    // The "AB:CD:…" SHA-256 fingerprint form used throughout the UI.
    static QString fingerprint(const QSslCertificate &certificate);
    // The CA to trust from a presented chain: its self-signed root, or null
    // when the server sent no root (then the user must pick the CA file).
    static QSslCertificate rootOf(const QList<QSslCertificate> &chain);
    // What to trust from a presented chain: its root when the server sent
    // one, else the top certificate it sent (the middleware presents only
    // its server certificate by default; pinning that is what SSH does).
    static QList<QSslCertificate> trustAnchorsFor(const QList<QSslCertificate> &chain);
    // Whether a TLS failure is only "this chain does not lead to a trusted
    // root" for a peer certificate the user pinned (trusted itself, exactly
    // this one); then the connection may go on. Expiry, a wrong host name
    // or any other certificate fail as usual.
    static bool acceptsPinned(const QSslCertificate &peer, const QList<QSslError> &errors,
                              const QList<QSslCertificate> &trusted);
    // What a user reads when the middleware's certificate was refused, for
    // the one cause that matters most: a certificate not signed by the
    // trusted CA (a replaced CA, another server), then an expired or not yet
    // valid one, then one issued for other names than `host`. Each names
    // the next step; anything else lists Qt's own descriptions.
    static QString explainFailure(const QList<QSslError> &errors, const QString &host);
    // Reads a PEM file holding one or more CA certificates; a clear error
    // for a missing file, no certificate in it, or an expired one.
    static Result<QList<QSslCertificate>> loadCaFile(const QString &path);
    static Result<QList<QSslCertificate>> parseCaPem(const QByteArray &pem);

Q_SIGNALS:
    // chain: leaf first; caFingerprint: of trustAnchorsFor(chain) (the
    // root, or the server's own certificate when it sends no root);
    // verifiedAgainstSystem: the chain is trusted by the
    // system's CA store already (a publicly issued certificate).
    void fetched(const QList<QSslCertificate> &chain, const QString &caFingerprint, bool verifiedAgainstSystem);
    void fetchFailed(const QString &message);

private:
    void finish(bool verified);
    void fail(const QString &message);

    QSslSocket *m_socket = nullptr;
    QTimer *m_timer = nullptr;
    QList<QSslCertificate> m_chain;
    QList<QSslError> m_errors;
    QString m_host;
    int m_timeoutMs = 15000;
};

} // namespace Provisio::Crm

// SPDX-License-Identifier: Apache-2.0
#include "certificatetrust.h"

#include "crmlogging.h"

#include <algorithm>

#include <QDateTime>
#include <QFile>
#include <QMultiMap>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTimer>

namespace Provisio::Crm {

CertificateTrust::CertificateTrust(QObject *parent) : QObject(parent), m_timer(new QTimer(this))
{
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this,
            [this] { fail(tr("%1 did not complete a TLS handshake in time").arg(m_host)); });
}

CertificateTrust::~CertificateTrust()
{
    cancel();
}

void CertificateTrust::fetch(const QUrl &url)
{
    cancel();
    if (!url.isValid() || url.host().isEmpty()) {
        QTimer::singleShot(0, this, [this] { Q_EMIT fetchFailed(tr("Enter a URL such as https://host:8443")); });
        return;
    }
    if (url.scheme() != QLatin1String("https")) {
        QTimer::singleShot(0, this, [this] { Q_EMIT fetchFailed(tr("The middleware URL must start with https://")); });
        return;
    }
    m_host = url.host();
    m_chain.clear();
    m_errors.clear();
    m_socket = new QSslSocket(this);
    // Verify against the system store only to tell the user whether the
    // certificate is publicly trusted; a failure is expected and not fatal.
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setPeerVerifyMode(QSslSocket::VerifyPeer);
    m_socket->setSslConfiguration(config);
    connect(m_socket, &QSslSocket::encrypted, this, [this] {
        m_chain = m_socket->peerCertificateChain();
        finish(true);
    });
    connect(m_socket, qOverload<const QList<QSslError> &>(&QSslSocket::sslErrors), this,
            [this](const QList<QSslError> &errors) {
                // The chain is known here, before the handshake is torn down.
                m_errors = errors;
                m_chain = m_socket->peerCertificateChain();
                if (!m_chain.isEmpty())
                    finish(false);
            });
    connect(m_socket, &QSslSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
        if (!m_socket)
            return;
        if (!m_chain.isEmpty()) {
            finish(false);
            return;
        }
        fail(tr("Cannot get the certificate of %1: %2").arg(m_host, m_socket->errorString()));
    });
    m_timer->start(m_timeoutMs);
    m_socket->connectToHostEncrypted(m_host, quint16(url.port(8443)));
}

void CertificateTrust::cancel()
{
    m_timer->stop();
    if (!m_socket)
        return;
    QSslSocket *socket = m_socket;
    m_socket = nullptr;
    socket->disconnect(this);
    socket->abort();
    socket->deleteLater();
}

void CertificateTrust::finish(bool verified)
{
    const QList<QSslCertificate> chain = m_chain;
    cancel();
    const QList<QSslCertificate> anchors = trustAnchorsFor(chain);
    const QString caFingerprint = anchors.isEmpty() ? QString() : fingerprint(anchors.first());
    qCInfo(lcCrmConnection) << "certificate chain of" << m_host << ":" << chain.size() << "certificate(s),"
                            << (rootOf(chain).isNull() ? "no root presented, pinning the server certificate"
                                                       : "root presented")
                            << caFingerprint;
    Q_EMIT fetched(chain, caFingerprint, verified);
}

void CertificateTrust::fail(const QString &message)
{
    cancel();
    Q_EMIT fetchFailed(message);
}

QString CertificateTrust::fingerprint(const QSslCertificate &certificate)
{
    return QString::fromLatin1(certificate.digest(QCryptographicHash::Sha256).toHex(':').toUpper());
}

QSslCertificate CertificateTrust::rootOf(const QList<QSslCertificate> &chain)
{
    for (const QSslCertificate &certificate : chain) {
        if (certificate.isSelfSigned())
            return certificate;
    }
    return QSslCertificate();
}

QList<QSslCertificate> CertificateTrust::trustAnchorsFor(const QList<QSslCertificate> &chain)
{
    const QSslCertificate root = rootOf(chain);
    if (!root.isNull())
        return {root};
    if (chain.isEmpty())
        return {};
    return {chain.last()};
}

bool CertificateTrust::acceptsPinned(const QSslCertificate &peer, const QList<QSslError> &errors,
                                     const QList<QSslCertificate> &trusted)
{
    if (peer.isNull() || errors.isEmpty() || !trusted.contains(peer))
        return false;
    for (const QSslError &error : errors) {
        switch (error.error()) {
        case QSslError::UnableToGetIssuerCertificate:
        case QSslError::UnableToGetLocalIssuerCertificate:
        case QSslError::UnableToVerifyFirstCertificate:
        case QSslError::SelfSignedCertificate:
        case QSslError::SelfSignedCertificateInChain:
        case QSslError::CertificateUntrusted:
            break;
        default:
            return false;
        }
    }
    return true;
}

QString CertificateTrust::explainFailure(const QList<QSslError> &errors, const QString &host)
{
    const auto find = [&errors](std::initializer_list<QSslError::SslError> kinds) -> const QSslError * {
        for (const QSslError &error : errors) {
            if (std::find(kinds.begin(), kinds.end(), error.error()) != kinds.end())
                return &error;
        }
        return nullptr;
    };
    const auto utc = [](const QDateTime &when) { return when.toUTC().toString(tr("yyyy-MM-dd HH:mm 'UTC'")); };
    if (const QSslError *e = find(
            {QSslError::UnableToGetIssuerCertificate, QSslError::UnableToGetLocalIssuerCertificate,
             QSslError::UnableToVerifyFirstCertificate, QSslError::SelfSignedCertificate,
             QSslError::SelfSignedCertificateInChain, QSslError::CertificateUntrusted,
             QSslError::CertificateSignatureFailed, QSslError::InvalidCaCertificate, QSslError::CertificateRejected})) {
        const QSslCertificate &presented = e->certificate();
        const QString which = presented.isNull() ? QString()
                                                 : tr(" (it presented “%1”, issued by “%2”, SHA-256 %3)")
                                                       .arg(presented.subjectDisplayName(),
                                                            presented.issuerDisplayName(), fingerprint(presented));
        return tr("The middleware's certificate is not signed by the CA this connection trusts%1. "
                  "If the middleware's CA was replaced, compare the new CA's fingerprint with its "
                  "operator and trust it again.")
            .arg(which);
    }
    if (const QSslError *e = find({QSslError::CertificateExpired})) {
        return tr("The middleware's certificate expired on %1. Its operator must renew it.")
            .arg(utc(e->certificate().expiryDate()));
    }
    if (const QSslError *e = find({QSslError::CertificateNotYetValid})) {
        return tr("The middleware's certificate is valid only from %1. Check this computer's clock.")
            .arg(utc(e->certificate().effectiveDate()));
    }
    if (const QSslError *e = find({QSslError::HostNameMismatch})) {
        QStringList names;
        const auto alternatives = e->certificate().subjectAlternativeNames();
        for (auto it = alternatives.cbegin(); it != alternatives.cend(); ++it)
            names << it.value();
        if (names.isEmpty())
            names = e->certificate().subjectInfo(QSslCertificate::CommonName);
        return tr("The middleware's certificate is not issued for %1 (it names %2). Connect with a "
                  "name it covers, or have its operator add %1 (--tls-name).")
            .arg(host, names.isEmpty() ? tr("no host") : names.join(QStringLiteral(", ")));
    }
    QStringList parts;
    for (const QSslError &error : errors) {
        if (!parts.contains(error.errorString()))
            parts << error.errorString();
    }
    return tr("The middleware's TLS certificate is not trusted: %1.").arg(parts.join(QStringLiteral("; ")));
}

Result<QList<QSslCertificate>> CertificateTrust::parseCaPem(const QByteArray &pem)
{
    const QList<QSslCertificate> certificates = QSslCertificate::fromData(pem, QSsl::Pem);
    if (certificates.isEmpty())
        return Error(ErrorCode::InvalidInput, tr("The file holds no PEM certificate"));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (const QSslCertificate &certificate : certificates) {
        if (certificate.expiryDate() < now)
            return Error(ErrorCode::InvalidInput,
                         tr("The certificate '%1' expired on %2")
                             .arg(certificate.subjectDisplayName(), certificate.expiryDate().toString(Qt::ISODate)));
    }
    return certificates;
}

Result<QList<QSslCertificate>> CertificateTrust::loadCaFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error(ErrorCode::InvalidInput, tr("Cannot read %1: %2").arg(path, file.errorString()));
    if (file.size() > 1024 * 1024)
        return Error(ErrorCode::InvalidInput, tr("%1 is too large for a CA certificate file").arg(path));
    auto result = parseCaPem(file.readAll());
    if (!result)
        return Error(result.error().code, result.error().message + QStringLiteral(" (%1)").arg(path));
    return result;
}

} // namespace Provisio::Crm

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QList>
#include <QSslCertificate>
#include <QString>
#include <QUrl>

namespace Provisio::Crm {

// One saved middleware connection, without its token: a name the user
// picks, the middleware's URL and the CA it must chain to (PEM) with that
// CA's SHA-256 fingerprint for display.
struct ConnectionProfile
{
    QString name;
    QUrl url;
    QByteArray caCertificatePem;
    QString caFingerprintSha256;

    QList<QSslCertificate> caCertificates() const { return QSslCertificate::fromData(caCertificatePem, QSsl::Pem); }
    bool isValid() const { return !name.trimmed().isEmpty() && url.isValid() && !url.host().isEmpty(); }
};

} // namespace Provisio::Crm

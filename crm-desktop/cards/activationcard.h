// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>

namespace Provisio::Crm {

// What one printed activation card tells an end user: which device it is
// for, whose it is, and the one-time code (also as a QR code) that the device
// exchanges for its credentials. Never holds the device's symmetric key.
struct ActivationCard
{
    QString serial;
    QString model;
    QString customerName;
    QString activationCode; // XXXX-XXXX-XXXX-XXXX-C as the middleware formats it
    QString idScope;
    QString middlewareUrl;  // https://host:port, where the device sends the code
    QString registrationId; // the enrollment the code belongs to
    QDateTime expiresUtc;   // invalid when unknown

    // The text inside the card's QR code (ActivationPayload, the same as
    // the middleware mails).
    QByteArray qrPayload() const;

    // Reads a payload back (what a scanning device does). Empty card when the
    // text is not an activation payload.
    static ActivationCard fromQrPayload(const QByteArray &payload);
};

} // namespace Provisio::Crm

Q_DECLARE_METATYPE(Provisio::Crm::ActivationCard)

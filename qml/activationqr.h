// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QString>

namespace Provisio::Kiosk {

// What the QR code on an activation card says, read back: the serial the
// code is bound to, the code itself (canonical, 17 characters) and the
// middleware the card was issued by. The CRM prints
// `provisio:activate?serial=…&code=…&url=…` with each value percent-encoded
// (docs/activation-cards.md); this is the one place that reads it, so the
// scanner, its tests and anything later agree on what a card is.
struct ActivationQr
{
    QString serial;
    QString code; // canonical: no dashes, upper case, check character verified
    QString url;  // https://host[:port], no trailing slash; empty when the card names none

    // Reads `text` as an activation card's QR payload. When `deviceSerial`
    // is given, a card for another device is refused as well. Every error
    // message is written for the person holding the card.
    static Result<ActivationQr> parse(const QString &text, const QString &deviceSerial = {});

    // The serial as the card shows it and the device's, compared the way a
    // person would: surrounding blanks and letter case do not matter (a Pi's
    // board serial is hex in lower case, an inventory may keep it upper).
    static bool sameSerial(const QString &a, const QString &b);
};

} // namespace Provisio::Kiosk

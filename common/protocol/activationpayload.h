// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QString>

namespace Provisio {

// The text inside an activation card's QR code, printed by the CRM and
// mailed by the middleware, read by the device's scanner:
// provisio:activate?serial=<serial>&code=<code>&url=<serviceUrl>
// with each value percent-encoded (RFC 3986 unreserved characters kept), so
// a serial holding ':' or a URL with a port survives the query syntax.
struct ActivationPayload
{
    QString serial;
    QString code;       // XXXX-XXXX-XXXX-XXXX-C as the middleware formats it
    QString serviceUrl; // https://host:port, where the device sends the code

    QByteArray encode() const;
    // Empty (no serial, no code) when `text` is not an activation payload.
    static ActivationPayload decode(const QByteArray &text);
};

} // namespace Provisio

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

namespace Provisio::Crypto {

// A short public name for a key: the first 8 bytes of SHA-256 over its
// base64 text, in hex. The middleware and a hub name a signing key by it
// when they agree which key a rotation replaces, so the key itself never
// has to travel for that; 64 bits tell keys apart but reveal nothing usable.
QString keyFingerprint(const QString &base64Key);

} // namespace Provisio::Crypto

// SPDX-License-Identifier: Apache-2.0
#include "keyfingerprint.h"

#include "keys.h"

namespace Provisio::Crypto {

QString keyFingerprint(const QString &base64Key)
{
    return QString::fromLatin1(sha256(base64Key.toUtf8()).left(8).toHex());
}

} // namespace Provisio::Crypto

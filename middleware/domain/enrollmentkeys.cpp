// SPDX-License-Identifier: Apache-2.0
#include "enrollmentkeys.h"

namespace Provisio {

QJsonObject enrollmentWithoutKeys(QJsonObject record)
{
    QJsonObject attestation = record.value(QStringLiteral("attestation")).toObject();
    if (attestation.contains(QStringLiteral("symmetricKey")))
        attestation.insert(QStringLiteral("symmetricKey"), QJsonObject());
    record.insert(QStringLiteral("attestation"), attestation);
    return record;
}

} // namespace Provisio

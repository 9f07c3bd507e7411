// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"
#include "jsonreader.h"

#include <QJsonObject>
#include <QString>

namespace Provisio {

// DPS AttestationMechanism, restricted to symmetric keys: Provisio has no TPM
// or X.509 attestation, and saying so at enrollment time beats a device that
// can never register. Wire shape (Azure's):
// {"type": "symmetricKey", "symmetricKey": {"primaryKey": b64, "secondaryKey": b64}}.
// Keys may be left out on input; the server then generates them.
struct Attestation
{
    QString type = QStringLiteral("symmetricKey");
    QString primaryKey;
    QString secondaryKey;

    static Result<Attestation> fromJson(const QJsonObject &json);
    static Attestation readFrom(JsonReader reader);
    QJsonObject toJson() const;

    // DPS accepts keys of 16 to 64 bytes, base64-encoded.
    static bool isValidKey(const QString &base64Key);
};

} // namespace Provisio

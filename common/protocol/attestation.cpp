// SPDX-License-Identifier: Apache-2.0
#include "attestation.h"

namespace Provisio {

namespace {

const QLatin1String kSymmetricKey("symmetricKey");

} // namespace

bool Attestation::isValidKey(const QString &base64Key)
{
    const auto decoded = QByteArray::fromBase64Encoding(base64Key.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    // toLatin1() maps non-Latin-1 characters to '?', which the decoder rejects.
    return decoded && decoded.decoded.size() >= 16 && decoded.decoded.size() <= 64;
}

Attestation Attestation::readFrom(JsonReader reader)
{
    // "tpm" and "x509" are allowed as keys so that a DPS client that
    // serializes every member (as null) is not turned away; non-null values
    // are rejected below.
    reader.allowOnly({"type", "symmetricKey", "tpm", "x509"});
    Attestation attestation;
    attestation.type = reader.requiredString(QStringLiteral("type"));
    if (!reader.ok())
        return attestation;
    if (attestation.type != kSymmetricKey) {
        reader.fail(QStringLiteral("type"), QLatin1String("is invalid: attestation type '") + attestation.type +
                                                QLatin1String("' is not supported (only 'symmetricKey' is)"));
        return attestation;
    }
    for (const char *other : {"tpm", "x509"}) {
        if (reader.has(QLatin1String(other)))
            reader.fail(QLatin1String(other), QStringLiteral("must be absent for attestation type 'symmetricKey'"));
    }

    JsonReader keys = reader.child(kSymmetricKey);
    keys.allowOnly({"primaryKey", "secondaryKey"});
    attestation.primaryKey = keys.optionalString(QStringLiteral("primaryKey"));
    attestation.secondaryKey = keys.optionalString(QStringLiteral("secondaryKey"));
    if (!attestation.primaryKey.isEmpty() && !isValidKey(attestation.primaryKey))
        keys.fail(QStringLiteral("primaryKey"), QStringLiteral("must be base64 of 16 to 64 bytes"));
    if (!attestation.secondaryKey.isEmpty() && !isValidKey(attestation.secondaryKey))
        keys.fail(QStringLiteral("secondaryKey"), QStringLiteral("must be base64 of 16 to 64 bytes"));
    return attestation;
}

Result<Attestation> Attestation::fromJson(const QJsonObject &json)
{
    JsonReader reader(json);
    Attestation attestation = readFrom(reader);
    if (!reader.ok())
        return reader.error();
    return attestation;
}

QJsonObject Attestation::toJson() const
{
    QJsonObject keys;
    if (!primaryKey.isEmpty())
        keys.insert(QStringLiteral("primaryKey"), primaryKey);
    if (!secondaryKey.isEmpty())
        keys.insert(QStringLiteral("secondaryKey"), secondaryKey);
    return QJsonObject{
        {QStringLiteral("type"), type},
        {kSymmetricKey, keys},
    };
}

} // namespace Provisio

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QString>
#include <QtGlobal>

namespace Provisio {

// A shared access signature as Azure IoT DPS and IoT Hub use it:
//   SharedAccessSignature sr={resource}&sig={signature}&se={expiry}[&skn={policy}]
// Devices present one to register (resource `{idScope}/registrations/{id}`)
// and as the MQTT password (resource `{hubHost}/devices/{deviceId}`).
// Value type: parse() a token from the wire, then verify() it against the key
// the server holds; create() builds tokens for clients and tests.
class SasToken
{
public:
    SasToken() = default;

    // Builds a token for `resource`, signed with the base64 key. The resource
    // is percent-encoded like the Azure SDKs (upper-case hex, '/' -> %2F).
    // Fails with InvalidInput for an empty resource, a negative expiry or a key
    // that is not valid base64.
    static Result<QString> tryCreate(const QString &resource, const QString &keyBase64, qint64 expiryUnixSeconds,
                                     const QString &policyName = {});
    // Same as tryCreate(), for callers whose key is known to be good; returns
    // an empty string where tryCreate() would fail.
    static QString create(const QString &resource, const QString &keyBase64, qint64 expiryUnixSeconds,
                          const QString &policyName = {});

    // Parses a token with or without the "SharedAccessSignature " prefix;
    // fields may come in any order. Requires sr, sig and se; skn is optional.
    // Rejects duplicate, unknown and empty fields and a non-numeric se. Fails
    // with Unauthorized (DESIGN.md: a bad token is a 401), naming the problem
    // but never repeating the signature.
    static Result<SasToken> parse(const QString &token);

    // The resource, percent-decoded.
    QString resource() const { return m_resource; }
    // The resource exactly as the token carried it (still encoded if it was);
    // this is what the client signed.
    QString rawResource() const { return m_rawResource; }
    // The signature as base64 text (percent-decoded).
    QString signature() const { return m_signature; }
    qint64 expiry() const { return m_expiry; }
    // skn, empty when absent.
    QString policyName() const { return m_policyName; }

    // Checks this token for `expectedResource` with the base64 key:
    // - the decoded resource equals expectedResource, case-insensitively;
    // - the signature matches, computed over sr exactly as sent or, because
    //   clients differ, over its canonical %2F or lower-case %2f encoding;
    //   compared in constant time;
    // - not expired: expiry + allowedSkewSeconds >= nowUnixSeconds;
    // - when maxLifetimeSeconds > 0, the token does not outlive
    //   now + maxLifetimeSeconds + allowedSkewSeconds.
    // Every failure is Unauthorized; messages never contain key or signature.
    Result<void> verify(const QString &expectedResource, const QString &keyBase64, qint64 nowUnixSeconds,
                        qint64 allowedSkewSeconds = 300, qint64 maxLifetimeSeconds = 0) const;

    // Percent-encoding of a resource as create() signs it (upper-case hex).
    static QString encodeResource(const QString &resource);

private:
    QString m_rawResource;
    QString m_resource;
    QString m_signature;
    QString m_rawExpiry; // as sent: the client signed this text, not our number
    qint64 m_expiry = 0;
    QString m_policyName;
};

} // namespace Provisio

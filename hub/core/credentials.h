// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"
#include "hubauthconfig.h"
#include "signingkeys.h"
#include "topicrules.h"

#include <QString>
#include <QStringView>

#include <functional>
#include <optional>

// Stateless check of an MQTT CONNECT's credentials against the hub's keys.
//
// Device:  client id = device id; username "{hubHost}/{deviceId}/" optionally
//          followed by a query ("?api-version=2021-04-12&..." - any further
//          parameters are accepted); password = SAS token with resource
//          "{hubHost}/devices/{deviceId}", no skn, signed with the device's
//          hub key of its current credential generation N:
//          deriveKey(signing key, deviceId) for N = 0,
//          deriveKey(signing key, deviceId + "/" + N) after ('/' never
//          occurs in a device id, so no two (id, N) give the same input).
//          Keys of the next kGenerationLookahead generations are accepted
//          too: only the middleware issues them, and it may hand one to a
//          device before its command telling the hub has arrived; the hub
//          then moves up to that generation (Identity::generation).
// Service: password = SAS token with skn = the service policy and resource
//          "{hubHost}" or "{hubHost}/devices", signed with the service key;
//          username "{policy}@sas.root.{hubHost}" (Azure's form) or
//          "{hubHost}/{policy}" (optionally "/?query"); any client id without
//          '+', '#' or '/', so several middleware instances can connect.
// Either way the token must not be expired (beyond the clock skew) and must
// not outlive now + max_token_lifetime (+ skew).
// During a signing-key rotation's overlap (SigningKeys::previousAccepted)
// keys derived from the previous signing key, and service tokens signed with
// the previous service key, are accepted too - the current pair is tried
// first - and such a login's Identity::expiry is cut to the end of the
// overlap (SigningKeys::lastSecondFor), so the hub disconnects it then.
namespace Provisio {
class SasToken;
}

namespace Provisio::HubAuth {

struct Identity
{
    Role role = Role::Device;
    QString clientId;
    qint64 expiry = 0;        // the token's se, unix seconds
    quint32 generation = 0;   // devices: the credential generation the key belongs to
    bool previousKey = false; // logged in with a key of the previous signing key (overlap)
};

// What the hub holds about a device beyond its token.
struct DeviceStanding
{
    bool revoked = false;
    quint32 generation = 0; // the oldest credential generation still accepted
};
using StandingLookup = std::function<DeviceStanding(const QString &deviceId)>;

inline constexpr quint32 kGenerationLookahead = 4;

class CredentialChecker
{
public:
    explicit CredentialChecker(HubAuthConfig config)
        : m_config(std::move(config)), m_keys{m_config.signingKey, m_config.serviceKey, {}, {}, 0}
    { }

    // Null or empty arguments are refused, never dereferenced. `standing` is
    // asked for devices before any cryptography is done (none: generation 0,
    // not revoked). Failures are Unauthorized with a reason safe to log (no
    // key, token or signature).
    Result<Identity> check(const char *clientId, const char *username, const char *password, qint64 nowUnixSeconds,
                           const StandingLookup &standing = {}) const;

    // The device id a device username names, when it has the expected form
    // for this hub.
    static std::optional<QStringView> deviceIdFromUsername(QStringView username, QStringView hubHost);
    // Whether `username` is an accepted service username for the policy.
    static bool isServiceUsername(QStringView username, QStringView hubHost, QStringView policy);
    // Client ids starting with this are the middleware's persistent sessions
    // (`provisio-mw-<instance id>`, middleware/hublink): devices may not use
    // them, so a session with such an id, even one the broker restored from
    // its saved state without a username, is the service's.
    static constexpr QLatin1StringView kServiceSessionPrefix{"provisio-mw-"};
    static bool isServiceSessionId(QStringView clientId) { return clientId.startsWith(kServiceSessionPrefix); }

    const HubAuthConfig &config() const { return m_config; }
    // The keys in force (the configured pair until a rotation or a key file
    // replaces them).
    const SigningKeys &keys() const { return m_keys; }
    void setKeys(SigningKeys keys) { m_keys = std::move(keys); }

private:
    Result<Identity> checkDevice(const QString &clientId, const SasToken &token, const QString &signingKey,
                                 const DeviceStanding &standing, qint64 now) const;

    HubAuthConfig m_config;
    SigningKeys m_keys;
};

// Bounds on what a CONNECT may carry; longer input is refused before parsing.
inline constexpr int kMaxClientIdLength = 128;
inline constexpr int kMaxUsernameLength = 512;
inline constexpr int kMaxPasswordLength = 2048;

} // namespace Provisio::HubAuth

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"
#include "hubauthconfig.h"
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
//          "{hubHost}/devices/{deviceId}", no skn, signed with
//          deriveKey(signing key, deviceId).
// Service: password = SAS token with skn = the service policy and resource
//          "{hubHost}" or "{hubHost}/devices", signed with the service key;
//          username "{policy}@sas.root.{hubHost}" (Azure's form) or
//          "{hubHost}/{policy}" (optionally "/?query"); any client id without
//          '+', '#' or '/', so several middleware instances can connect.
// Either way the token must not be expired (beyond the clock skew) and must
// not outlive now + max_token_lifetime (+ skew).
namespace Provisio::HubAuth {

struct Identity
{
    Role role = Role::Device;
    QString clientId;
    qint64 expiry = 0; // the token's se, unix seconds
};

class CredentialChecker
{
public:
    explicit CredentialChecker(HubAuthConfig config) : m_config(std::move(config)) { }

    // Null or empty arguments are refused, never dereferenced. `isRevoked` is
    // asked for devices before any cryptography is done. Failures are
    // Unauthorized with a reason safe to log (no key, token or signature).
    Result<Identity> check(const char *clientId, const char *username, const char *password, qint64 nowUnixSeconds,
                           const std::function<bool(const QString &deviceId)> &isRevoked = {}) const;

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

private:
    HubAuthConfig m_config;
};

// Bounds on what a CONNECT may carry; longer input is refused before parsing.
inline constexpr int kMaxClientIdLength = 128;
inline constexpr int kMaxUsernameLength = 512;
inline constexpr int kMaxPasswordLength = 2048;

} // namespace Provisio::HubAuth

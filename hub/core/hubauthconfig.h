// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"
#include "ingresscredit.h"
#include "writelimiter.h"

#include <QList>
#include <QPair>
#include <QString>

// What the Mosquitto plugin is told through `plugin_opt_*` lines. Every
// option is required and checked at broker start: a hub that silently ran
// with a missing key would let everyone in, so a bad option stops the broker
// with a message naming the option (never its secret value).
namespace Provisio::HubAuth {

struct HubAuthConfig
{
    QString hubHost;        // hub_host: the name inside device tokens
    QString signingKey;     // signing_key: base64; device key = deriveKey(signingKey, deviceId)
    QString servicePolicy;  // service_policy: the skn the service identity uses
    QString serviceKey;     // service_key: base64 key of that policy
    QString revocationFile; // revocation_file: absolute path of the persisted revoked list
    // key_file (optional): absolute path where the keys a rotation over the
    // control channel installed are kept (signingkeys.h); without it the
    // hub refuses rotations and runs with the keys above.
    QString keyFile;
    qint64 maxTokenLifetime = 0; // max_token_lifetime: seconds a token may still be valid for
    qint64 clockSkew = 0;        // clock_skew: seconds tolerated either way
    // device_gate_seconds (optional, default 0): after the broker starts,
    // devices are held back until the middleware has subscribed, for at most
    // this long (see the plugin).
    qint64 deviceGateSeconds = 0;
    // Back-pressure (IngressCredit, optional, defaults there):
    // credit_window_messages, credit_window_bytes, credit_abandoned_seconds.
    IngressCredit::Options credit;
    // Per-device write limits (DeviceWriteLimiter, optional, defaults
    // there): reported_burst, reported_per_minute, presence_burst,
    // presence_per_minute.
    DeviceWriteLimiter::Options writes;

    // Parses the plugin options as (key, value) pairs. Unknown, repeated,
    // missing and malformed options are errors (InvalidInput).
    static Result<HubAuthConfig> fromOptions(const QList<QPair<QString, QString>> &options);
};

} // namespace Provisio::HubAuth

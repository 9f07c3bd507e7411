// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "revocationlist.h"
#include "signingkeys.h"

#include <QByteArray>
#include <QString>

#include <string>
#include <vector>

// The hub's control protocol. The service identity publishes a JSON command
// to $CONTROL/provisio-hub/v1:
//   {"op": "revoke" | "restore" | "list", "deviceId": "...", "requestId": "...",
//    "generation": N}
// (deviceId for revoke and restore; requestId optional, echoed back;
// generation optional: the device's current hub credential generation) and
// the hub answers on $CONTROL/provisio-hub/v1/response with
//   {"requestId", "op", "status": 200 | 400 | 500, "deviceId"?, "changed"?,
//    "generation"? (the device's generation now), "revoked"? (list: all
//    revoked ids), "error"? (a message)}.
// revoke of a revoked device and restore of an admitted one are 200 with
// changed = false, so retries are harmless.
//
// {"op": "credit", "deliveries": "<base64>"} (no requestId, no answer unless
// it is malformed) returns credit to the hub: the middleware is done with
// the device messages of these delivery identities (deliveryidentity.h; 1
// to 256 per grant), each paying one held charge of its identity
// (IngressCredit::confirm), so a grant that arrives twice, or a delivery
// confirmed again after the broker sent it again, pays only once. Sent
// several times a second under load, so it costs no response. Older
// middlewares send counts instead: {"op": "credit", "messages": N, "bytes":
// B}, with "epoch" (1 to 64 printable characters, new for every middleware
// process) as running totals since that epoch began; still accepted. A generation only ever rises
// (an older one in a late command changes nothing); when it rises, the
// device is disconnected at once, since it logged in with an older key.
//
// A signing-key rotation:
//   {"op": "rotate-keys", "requestId", "signingKey", "serviceKey",
//    "replacesKeyId": fingerprint of the signing key it replaces
//    (Crypto::keyFingerprint), "previousUntil": unix seconds}
// makes the given pair current and keeps the replaced pair accepted until
// previousUntil (in the past: not at all), once the key file holds them.
// Answers 200 with "keyId" (the new key's fingerprint) and "changed"; a
// repeat of a rotation already done is 200 with changed = false; 409 when
// the hub's signing key is not the one named (an older or a replayed
// command must not turn the keys back), 400 when the hub has no key_file.
// The answer never carries a key.
namespace Provisio::HubAuth {

struct ControlOutcome
{
    QByteArray response;      // JSON for the response topic
    QString disconnect;       // device to disconnect now (revoke), else empty
    bool keysChanged = false; // rotate-keys installed new keys into `keys`
    // A credit grant: apply it; `response` is empty unless it was malformed.
    bool isCredit = false;
    qint64 creditMessages = 0;
    qint64 creditBytes = 0;
    std::string creditEpoch = {};               // set: the counts are running totals (grantTotals)
    std::vector<quint64> creditDeliveries = {}; // set: the identities confirmed (no counts)
};

// What a rotate-keys command works on.
struct KeyState
{
    SigningKeys *keys = nullptr; // null: rotations are refused
    QString file;                // where they persist; empty: refused
};

// Applies one command to the list and persists it. A command that cannot be
// persisted is still applied in memory for revoke (the device stays out
// until restart, which is the safe side) and answered with status 500.
ControlOutcome applyControlCommand(const QByteArray &payload, RevocationList &revoked, const KeyState &keys = {});

inline constexpr int kMaxControlPayload = 4096;
// Per grant; far above any window, so only nonsense is refused.
inline constexpr qint64 kMaxCreditMessages = 1000000000;
inline constexpr qint64 kMaxCreditBytes = qint64(1) << 50;
// Running totals (with an epoch): what a JSON number holds exactly.
inline constexpr qint64 kMaxCreditTotal = qint64(1) << 53;
inline constexpr int kMaxCreditEpoch = 64;

} // namespace Provisio::HubAuth

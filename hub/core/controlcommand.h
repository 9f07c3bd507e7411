// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "revocationlist.h"

#include <QByteArray>
#include <QString>

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
// {"op": "credit", "messages": N, "bytes": B} (no requestId, no answer
// unless it is malformed) returns credit to the hub: the sending session
// handled N device messages of B payload bytes in all (IngressCredit).
// Sent several times a second under load, so it costs no response. A generation only ever rises
// (an older one in a late command changes nothing); when it rises, the
// device is disconnected at once, since it logged in with an older key.
namespace Provisio::HubAuth {

struct ControlOutcome
{
    QByteArray response; // JSON for the response topic
    QString disconnect;  // device to disconnect now (revoke), else empty
    // A credit grant: apply it; `response` is empty unless it was malformed.
    bool isCredit = false;
    qint64 creditMessages = 0;
    qint64 creditBytes = 0;
};

// Applies one command to the list and persists it. A command that cannot be
// persisted is still applied in memory for revoke (the device stays out
// until restart, which is the safe side) and answered with status 500.
ControlOutcome applyControlCommand(const QByteArray &payload, RevocationList &revoked);

inline constexpr int kMaxControlPayload = 4096;
// Per grant; far above any window, so only nonsense is refused.
inline constexpr qint64 kMaxCreditMessages = 1000000000;
inline constexpr qint64 kMaxCreditBytes = qint64(1) << 50;

} // namespace Provisio::HubAuth

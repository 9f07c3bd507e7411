// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QList>

#include <QtGlobal>
#include <optional>
#include <string_view>
#include <vector>

// The identity of a device message as the hub delivers it to a middleware
// session, shared by the hub's credit accounting and the middleware's
// confirmations (docs/architecture.md "Back-pressure"): the first 8 bytes of
// SHA-256 over the topic, one NUL byte and the payload. Both sides compute it
// from what they see of the delivery, so the hub pays a confirmation only
// for a charge it holds under the same identity, however often the
// confirmation comes (a resend, a redelivery whose PUBACK was lost, either
// side restarted in between). Identical messages share an identity; they
// are counted, not told apart.
namespace Provisio {

quint64 deliveryIdentity(std::string_view topic, std::string_view payload);

// A credit grant's "deliveries": the identities, 8 bytes each (big-endian),
// base64. At most kMaxGrantDeliveries per grant, so a grant fits the hub's
// control payload limit (4 KiB).
inline constexpr int kMaxGrantDeliveries = 256;
QByteArray encodeDeliveryIdentities(const quint64 *identities, int count);
// Empty optional for anything else than 1 to kMaxGrantDeliveries identities
// in canonical base64.
std::optional<std::vector<quint64>> decodeDeliveryIdentities(const QByteArray &base64);

} // namespace Provisio

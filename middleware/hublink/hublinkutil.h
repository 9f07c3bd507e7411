// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QJsonValue>
#include <QLoggingCategory>

#include <optional>

Q_DECLARE_LOGGING_CATEGORY(lcHubConnection)

namespace Provisio {

class Metrics;

// Small helpers the parts of the hub link share.
namespace HubLinkUtil {

// Any JSON text, including a bare scalar ("21.5", "\"on\""), which
// QJsonDocument alone does not take.
std::optional<QJsonValue> parseJsonValue(const QByteArray &text);
// The compact text of any JSON value, scalars included.
QByteArray jsonText(const QJsonValue &value);
// Counts a hub message that was ignored (kind: telemetry, reported, ...;
// reason: oversize, malformed, unknownDevice).
void countRejected(Metrics &metrics, const char *kind, const char *reason);
// Counts a message received from a hub, by kind.
void countReceived(Metrics &metrics, const char *kind);

} // namespace HubLinkUtil
} // namespace Provisio

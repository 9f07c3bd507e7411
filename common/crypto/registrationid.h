// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QString>

// Identifier rules shared by the DPS API, the CRM and the hub. They are
// checked at every boundary because ids end up in URLs, MQTT topics and SQL
// keys, where an unexpected character becomes a routing or injection bug.
namespace Provisio::Crypto {

// DPS registration id: 1..128 characters of ASCII letters, digits and
// `- . _ :`, ending in a letter, digit or `-`. InvalidInput names the problem
// (empty, too long, which character at which 1-based position, last character).
Result<void> validateRegistrationId(const QString &id);

// Registration ids are case-insensitive; this is the form to store and compare.
QString normalizeRegistrationId(const QString &id);

// IoT Hub device id: 1..128 characters of ASCII letters, digits and
// `- . % _ * ? ! ( ) , : = @ $ '`. `+`, `#` and `/` are outside the set,
// which keeps every device id safe inside an MQTT topic.
Result<void> validateDeviceId(const QString &id);

} // namespace Provisio::Crypto

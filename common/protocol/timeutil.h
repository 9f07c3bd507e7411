// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDateTime>
#include <QString>

#include <optional>

namespace Provisio {

// Timestamps on the wire are ISO-8601 in UTC with milliseconds and a 'Z'
// ("2024-05-01T12:00:00.000Z"), the form DPS returns, so every part writes the
// same text for the same instant and string comparison of stored timestamps
// orders them correctly.

// Empty for an invalid QDateTime, so callers can leave optional fields out.
QString toIsoUtc(const QDateTime &dateTime);

// A date as yyyy-MM-dd (QDate::toString(Qt::ISODate)'s text), written by
// hand: the import formats a delivery date per device. Empty when invalid.
QString toIsoDate(const QDate &date);

// Accepts ISO-8601 with a 'Z' or a numeric offset and up to 7 fractional
// digits (DPS sends .NET ticks precision, "…42.3447817Z"); the result is in
// UTC, truncated to milliseconds. A timestamp without a zone is rejected:
// it would silently mean the parsing machine's local time.
std::optional<QDateTime> fromIsoUtc(const QString &text);

} // namespace Provisio

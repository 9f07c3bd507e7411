// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QString>
#include <QStringView>

namespace Provisio {

// The one parser for numbers in the middleware's settings and options, so
// that "30s", " 7 ", "-1" or "99999999999999999999" mean the same, or fail
// the same way, wherever they are typed. Values outside [min, max] are
// refused, never clamped: a service started with a value its operator did not
// mean is worse than one that does not start. The error text says what was
// wrong and what is allowed; the caller adds where the value came from.

// The unit a bare number stands for in a duration setting.
enum class DurationUnit { Milliseconds, Seconds, Minutes, Hours, Days };

qint64 durationUnitMs(DurationUnit unit);
// "milliseconds", "seconds", ...
QString durationUnitName(DurationUnit unit);

// A whole number, optionally signed, surrounding blanks ignored.
Result<qint64> parseInteger(QStringView text, qint64 min, qint64 max);

// A whole number with an optional unit: ms, s, m, h or d ("500ms", "30s",
// "5m", "2h", "7d"); a bare number is in `bareUnit`. Returns milliseconds.
Result<qint64> parseDurationMs(QStringView text, DurationUnit bareUnit, qint64 minMs, qint64 maxMs);

// on/off, true/false, yes/no, 1/0 (any case).
Result<bool> parseSwitch(QStringView text);

// The shortest exact spelling parseDurationMs() reads back: 1m, 30d, 1500ms.
QString formatDuration(qint64 ms);

} // namespace Provisio

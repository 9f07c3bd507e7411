// SPDX-License-Identifier: Apache-2.0
#include "settingvalue.h"

#include <limits>

namespace Provisio {

namespace {

struct UnitSpelling
{
    const char *suffix;
    DurationUnit unit;
};

// Longest suffix first, so "ms" is not read as "m" followed by garbage.
constexpr UnitSpelling kUnits[] = {
    {"ms", DurationUnit::Milliseconds}, {"s", DurationUnit::Seconds}, {"m", DurationUnit::Minutes},
    {"h", DurationUnit::Hours},         {"d", DurationUnit::Days},
};

// Digits with an optional sign; false for anything else or when the number
// does not fit in 64 bits (*overflow tells which).
bool parseWholeNumber(QStringView text, qint64 *value, bool *overflow)
{
    *overflow = false;
    if (text.isEmpty())
        return false;
    bool negative = false;
    qsizetype i = 0;
    if (text.front() == u'-' || text.front() == u'+') {
        negative = text.front() == u'-';
        i = 1;
    }
    if (i == text.size())
        return false;
    // Accumulate negatively: the negative range is the larger one.
    constexpr qint64 lowest = std::numeric_limits<qint64>::min();
    qint64 n = 0;
    for (; i < text.size(); ++i) {
        const char16_t c = text.at(i).unicode();
        if (c < u'0' || c > u'9')
            return false;
        const int digit = c - u'0';
        if (n < (lowest + digit) / 10) {
            *overflow = true;
            // Keep reading: "1e99999999999999999999" is garbage, not a large number.
            for (++i; i < text.size(); ++i) {
                if (text.at(i) < u'0' || text.at(i) > u'9') {
                    *overflow = false;
                    return false;
                }
            }
            return false;
        }
        n = n * 10 - digit;
    }
    if (!negative) {
        if (n == lowest) {
            *overflow = true;
            return false;
        }
        n = -n;
    }
    *value = n;
    return true;
}

QString integerRange(qint64 min, qint64 max)
{
    return QStringLiteral("a whole number from %1 to %2").arg(min).arg(max);
}

QString durationRange(qint64 minMs, qint64 maxMs, DurationUnit bareUnit)
{
    return QStringLiteral("a duration from %1 to %2 (a bare number is in %3; units ms, s, m, h, d)")
        .arg(formatDuration(minMs), formatDuration(maxMs), durationUnitName(bareUnit));
}

} // namespace

qint64 durationUnitMs(DurationUnit unit)
{
    switch (unit) {
    case DurationUnit::Milliseconds:
        return 1;
    case DurationUnit::Seconds:
        return 1000;
    case DurationUnit::Minutes:
        return 60 * 1000;
    case DurationUnit::Hours:
        return 60 * 60 * 1000;
    case DurationUnit::Days:
        return 24 * 60 * 60 * 1000;
    }
    return 1;
}

QString durationUnitName(DurationUnit unit)
{
    switch (unit) {
    case DurationUnit::Milliseconds:
        return QStringLiteral("milliseconds");
    case DurationUnit::Seconds:
        return QStringLiteral("seconds");
    case DurationUnit::Minutes:
        return QStringLiteral("minutes");
    case DurationUnit::Hours:
        return QStringLiteral("hours");
    case DurationUnit::Days:
        return QStringLiteral("days");
    }
    return QString();
}

Result<qint64> parseInteger(QStringView text, qint64 min, qint64 max)
{
    const QStringView t = text.trimmed();
    qint64 v = 0;
    bool overflow = false;
    if (!parseWholeNumber(t, &v, &overflow)) {
        const QString what = overflow ? QStringLiteral("is too large") : QStringLiteral("is not a whole number");
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("'%1' %2; allowed: %3").arg(t.toString(), what, integerRange(min, max)));
    }
    if (v < min || v > max)
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("'%1' is out of range; allowed: %2").arg(t.toString(), integerRange(min, max)));
    return v;
}

Result<qint64> parseDurationMs(QStringView text, DurationUnit bareUnit, qint64 minMs, qint64 maxMs)
{
    const QStringView t = text.trimmed();
    QStringView number = t;
    DurationUnit unit = bareUnit;
    for (const UnitSpelling &u : kUnits) {
        const QLatin1String suffix(u.suffix);
        if (t.endsWith(suffix, Qt::CaseInsensitive)) {
            number = t.chopped(suffix.size());
            unit = u.unit;
            break;
        }
    }
    qint64 n = 0;
    bool overflow = false;
    const bool parsed = parseWholeNumber(number, &n, &overflow);
    const qint64 factor = durationUnitMs(unit);
    if (parsed && (n > std::numeric_limits<qint64>::max() / factor || n < std::numeric_limits<qint64>::min() / factor))
        overflow = true;
    if (!parsed || overflow) {
        const QString what = overflow ? QStringLiteral("is too long") : QStringLiteral("is not a duration");
        return Error(
            ErrorCode::InvalidInput,
            QStringLiteral("'%1' %2; allowed: %3").arg(t.toString(), what, durationRange(minMs, maxMs, bareUnit)));
    }
    const qint64 ms = n * factor;
    if (ms < minMs || ms > maxMs)
        return Error(ErrorCode::InvalidInput, QStringLiteral("'%1' is out of range; allowed: %2")
                                                  .arg(t.toString(), durationRange(minMs, maxMs, bareUnit)));
    return ms;
}

Result<bool> parseSwitch(QStringView text)
{
    const QStringView t = text.trimmed();
    for (const char *yes : {"on", "true", "yes", "1"}) {
        if (t.compare(QLatin1String(yes), Qt::CaseInsensitive) == 0)
            return true;
    }
    for (const char *no : {"off", "false", "no", "0"}) {
        if (t.compare(QLatin1String(no), Qt::CaseInsensitive) == 0)
            return false;
    }
    return Error(ErrorCode::InvalidInput,
                 QStringLiteral("'%1' is not on or off; allowed: on/off, true/false, yes/no, 1/0").arg(t.toString()));
}

QString formatDuration(qint64 ms)
{
    // The largest unit that divides the value exactly.
    for (auto it = std::rbegin(kUnits); it != std::rend(kUnits); ++it) {
        const qint64 factor = durationUnitMs(it->unit);
        if (ms != 0 && ms % factor == 0)
            return QString::number(ms / factor) + QLatin1String(it->suffix);
    }
    return ms == 0 ? QStringLiteral("0s") : QString::number(ms) + QLatin1String("ms");
}

} // namespace Provisio

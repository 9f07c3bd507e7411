// SPDX-License-Identifier: Apache-2.0
#include "timeutil.h"

#include <QRegularExpression>

namespace Provisio {

QString toIsoUtc(const QDateTime &dateTime)
{
    if (!dateTime.isValid())
        return {};
    return dateTime.toUTC().toString(Qt::ISODateWithMs);
}

std::optional<QDateTime> fromIsoUtc(const QString &text)
{
    // Parsed by hand rather than with QDateTime::fromString(Qt::ISODate),
    // which accepts zone-less (local) times and varies in how it treats more
    // than three fractional digits.
    static const QRegularExpression re(QStringLiteral(
        "^(\\d{4})-(\\d{2})-(\\d{2})T(\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,7}))?"
        "(Z|z|[+-]\\d{2}:\\d{2})$"));
    const QRegularExpressionMatch m = re.match(text);
    if (!m.hasMatch())
        return std::nullopt;

    const QDate date(m.capturedView(1).toInt(), m.capturedView(2).toInt(),
                     m.capturedView(3).toInt());
    int msec = 0;
    const QString fraction = m.captured(7);
    if (!fraction.isEmpty())
        msec = QString(fraction + QStringLiteral("00")).left(3).toInt();
    const QTime time(m.capturedView(4).toInt(), m.capturedView(5).toInt(),
                     m.capturedView(6).toInt(), msec);
    if (!date.isValid() || !time.isValid())
        return std::nullopt;

    int offsetSeconds = 0;
    const QString zone = m.captured(8);
    if (zone.size() == 6) {
        const int hours = QStringView(zone).mid(1, 2).toInt();
        const int minutes = QStringView(zone).mid(4, 2).toInt();
        if (hours > 23 || minutes > 59)
            return std::nullopt;
        offsetSeconds = (hours * 3600 + minutes * 60) * (zone.at(0) == QLatin1Char('-') ? -1 : 1);
    }
    const QDateTime local(date, time, Qt::OffsetFromUTC, offsetSeconds);
    if (!local.isValid())
        return std::nullopt;
    return local.toUTC();
}

} // namespace Provisio

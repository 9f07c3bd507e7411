// SPDX-License-Identifier: Apache-2.0
#include "timeutil.h"

#include <QRegularExpression>

namespace Provisio {

QString toIsoUtc(const QDateTime &dateTime)
{
    if (!dateTime.isValid())
        return {};
    // Formatted by hand: QDateTime::toString(Qt::ISODateWithMs) costs about
    // 0.8 us in Qt 6.4 and a registration formats a dozen timestamps.
    const QDateTime utc = dateTime.toUTC();
    const QDate d = utc.date();
    const QTime t = utc.time();
    if (d.year() < 0 || d.year() > 9999)
        return utc.toString(Qt::ISODateWithMs);
    char buf[25];
    auto put = [&buf](int at, int value, int digits) {
        for (int i = digits - 1; i >= 0; --i) {
            buf[at + i] = char('0' + value % 10);
            value /= 10;
        }
    };
    put(0, d.year(), 4);
    buf[4] = '-';
    put(5, d.month(), 2);
    buf[7] = '-';
    put(8, d.day(), 2);
    buf[10] = 'T';
    put(11, t.hour(), 2);
    buf[13] = ':';
    put(14, t.minute(), 2);
    buf[16] = ':';
    put(17, t.second(), 2);
    buf[19] = '.';
    put(20, t.msec(), 3);
    buf[23] = 'Z';
    return QString::fromLatin1(buf, 24);
}

std::optional<QDateTime> fromIsoUtc(const QString &text)
{
    // Parsed by hand rather than with QDateTime::fromString(Qt::ISODate),
    // which accepts zone-less (local) times and varies in how it treats more
    // than three fractional digits.
    static const QRegularExpression re(
        QStringLiteral("^(\\d{4})-(\\d{2})-(\\d{2})T(\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,7}))?"
                       "(Z|z|[+-]\\d{2}:\\d{2})$"));
    const QRegularExpressionMatch m = re.match(text);
    if (!m.hasMatch())
        return std::nullopt;

    const QDate date(m.capturedView(1).toInt(), m.capturedView(2).toInt(), m.capturedView(3).toInt());
    int msec = 0;
    const QString fraction = m.captured(7);
    if (!fraction.isEmpty())
        msec = QString(fraction + QStringLiteral("00")).left(3).toInt();
    const QTime time(m.capturedView(4).toInt(), m.capturedView(5).toInt(), m.capturedView(6).toInt(), msec);
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

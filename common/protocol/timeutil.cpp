// SPDX-License-Identifier: Apache-2.0
#include "timeutil.h"

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

QString toIsoDate(const QDate &date)
{
    if (!date.isValid())
        return {};
    int year = 0, month = 0, day = 0;
    date.getDate(&year, &month, &day);
    if (year < 0 || year > 9999)
        return date.toString(Qt::ISODate);
    const char buf[10] = {char('0' + year / 1000),
                          char('0' + year / 100 % 10),
                          char('0' + year / 10 % 10),
                          char('0' + year % 10),
                          '-',
                          char('0' + month / 10),
                          char('0' + month % 10),
                          '-',
                          char('0' + day / 10),
                          char('0' + day % 10)};
    return QString::fromLatin1(buf, 10);
}

std::optional<QDateTime> fromIsoUtc(const QString &text)
{
    // Parsed by hand rather than with QDateTime::fromString(Qt::ISODate),
    // which accepts zone-less (local) times and varies in how it treats more
    // than three fractional digits; and rather than with a regular
    // expression, which cost ~10 us per timestamp on the registration path
    // (every stored record holds several). Grammar, ASCII digits only:
    //   YYYY-MM-DDTHH:MM:SS[.f{1,7}](Z|z|+HH:MM|-HH:MM)
    const QStringView s(text);
    auto digits = [&s](qsizetype at, int count, int *value) {
        if (at + count > s.size())
            return false;
        int v = 0;
        for (int i = 0; i < count; ++i) {
            const char16_t c = s[at + i].unicode();
            if (c < u'0' || c > u'9')
                return false;
            v = v * 10 + (c - u'0');
        }
        *value = v;
        return true;
    };
    auto isChar = [&s](qsizetype at, char16_t c) { return at < s.size() && s[at].unicode() == c; };

    int year, month, day, hour, minute, second;
    if (!digits(0, 4, &year) || !isChar(4, u'-') || !digits(5, 2, &month) || !isChar(7, u'-') || !digits(8, 2, &day) ||
        !isChar(10, u'T') || !digits(11, 2, &hour) || !isChar(13, u':') || !digits(14, 2, &minute) ||
        !isChar(16, u':') || !digits(17, 2, &second))
        return std::nullopt;
    qsizetype at = 19;
    int msec = 0;
    if (isChar(at, u'.')) {
        ++at;
        int count = 0;
        while (at < s.size() && s[at].unicode() >= u'0' && s[at].unicode() <= u'9') {
            if (count < 3)
                msec = msec * 10 + (s[at].unicode() - u'0');
            ++count;
            ++at;
        }
        if (count == 0 || count > 7)
            return std::nullopt;
        for (int i = count; i < 3; ++i)
            msec *= 10;
    }
    const QDate date(year, month, day);
    const QTime time(hour, minute, second, msec);
    if (!date.isValid() || !time.isValid())
        return std::nullopt;

    if (at + 1 == s.size() && (isChar(at, u'Z') || isChar(at, u'z')))
        return QDateTime(date, time, Qt::UTC);
    int hours, minutes;
    if (at + 6 != s.size() || !(isChar(at, u'+') || isChar(at, u'-')) || !digits(at + 1, 2, &hours) ||
        !isChar(at + 3, u':') || !digits(at + 4, 2, &minutes))
        return std::nullopt;
    if (hours > 23 || minutes > 59)
        return std::nullopt;
    const int offsetSeconds = (hours * 3600 + minutes * 60) * (isChar(at, u'-') ? -1 : 1);
    const QDateTime local(date, time, Qt::OffsetFromUTC, offsetSeconds);
    if (!local.isValid())
        return std::nullopt;
    return local.toUTC();
}

} // namespace Provisio

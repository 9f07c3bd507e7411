// SPDX-License-Identifier: Apache-2.0
#include "registrationid.h"

namespace Provisio::Crypto {

namespace {

constexpr int kMaxIdLength = 128;

bool isAsciiAlnum(char16_t u)
{
    return (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9');
}

QString describe(QChar c)
{
    if (c.isPrint() && !c.isSpace())
        return QLatin1Char('\'') + QString(c) + QLatin1Char('\'');
    return QStringLiteral("U+%1").arg(QString::number(c.unicode(), 16).toUpper(), 4, QLatin1Char('0'));
}

// Common shape of both checks: length, then the first character outside the
// allowed set, reported with its 1-based position so a user can find it.
Result<void> validateId(const QString &id, const QString &what, QLatin1String punctuation)
{
    if (id.isEmpty())
        return Error(ErrorCode::InvalidInput, what + QStringLiteral(" is empty"));
    if (id.size() > kMaxIdLength) {
        return Error(
            ErrorCode::InvalidInput,
            QStringLiteral("%1 is too long: %2 characters, at most %3").arg(what).arg(id.size()).arg(kMaxIdLength));
    }
    for (qsizetype i = 0; i < id.size(); ++i) {
        const QChar c = id.at(i);
        if (!isAsciiAlnum(c.unicode()) && !(c.unicode() < 0x80 && punctuation.contains(c))) {
            return Error(
                ErrorCode::InvalidInput,
                QStringLiteral("%1 contains invalid character %2 at position %3").arg(what, describe(c)).arg(i + 1));
        }
    }
    return {};
}

} // namespace

Result<void> validateRegistrationId(const QString &id)
{
    const QString what = QStringLiteral("registration id");
    const auto shape = validateId(id, what, QLatin1String("-._:"));
    if (!shape)
        return shape;
    const QChar last = id.back();
    if (!isAsciiAlnum(last.unicode()) && last != QLatin1Char('-')) {
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("registration id must end in a letter, digit or '-', not %1").arg(describe(last)));
    }
    return {};
}

QString normalizeRegistrationId(const QString &id)
{
    return id.toLower();
}

Result<void> validateDeviceId(const QString &id)
{
    return validateId(id, QStringLiteral("device id"), QLatin1String("-.%_*?!(),:=@$'"));
}

} // namespace Provisio::Crypto

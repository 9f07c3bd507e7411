// SPDX-License-Identifier: Apache-2.0
#include "activationcode.h"

#include "keys.h"

namespace Provisio {

namespace {

// Crockford base32 symbols 0-31 followed by the five check-only symbols 32-36.
constexpr char kSymbols[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ*~$=U";
constexpr int kDataSymbols = 32;
constexpr int kCheckSymbols = 37;

// Value of a data character, -1 if it is not one. Folds case and Crockford's
// aliases (I, L -> 1; O -> 0); U is a check symbol only.
int dataValue(QChar c)
{
    const char16_t u = c.toUpper().unicode();
    if (u == u'I' || u == u'L')
        return 1;
    if (u == u'O')
        return 0;
    for (int i = 0; i < kDataSymbols; ++i) {
        if (u == char16_t(kSymbols[i]))
            return i;
    }
    return -1;
}

// Value of a check character (0-36), -1 if it is not one.
int checkValue(QChar c)
{
    const int data = dataValue(c);
    if (data >= 0)
        return data;
    const char16_t u = c.toUpper().unicode();
    for (int i = kDataSymbols; i < kCheckSymbols; ++i) {
        if (u == char16_t(kSymbols[i]))
            return i;
    }
    return -1;
}

// The 80-bit number never needs to exist: (a * 32 + d) mod 37 carries the
// remainder along, most significant character first.
int checkValueOf(const QString &dataChars)
{
    int remainder = 0;
    for (const QChar c : dataChars)
        remainder = (remainder * kDataSymbols + dataValue(c)) % kCheckSymbols;
    return remainder;
}

QString describe(QChar c)
{
    if (c.isPrint())
        return QLatin1Char('\'') + QString(c) + QLatin1Char('\'');
    return QStringLiteral("U+%1").arg(c.unicode(), 4, 16, QLatin1Char('0')).toUpper();
}

} // namespace

QString ActivationCode::generate()
{
    // New codes are drawn until their check symbol is one of the 32 data
    // characters (about 32 in 37 draws are), so every character of a new
    // code is on the kiosk's code keypad and no card needs '*', '~', '$', '='
    // or 'U'. The check itself stays Crockford's mod 37: codes printed
    // before, with a symbol check character, verify exactly as they did, and
    // a single wrong or swapped character is still always caught. Leaving
    // out 5 of 37 check values costs log2(37/32) ≈ 0.2 of the 80 random bits.
    for (;;) {
        // 10 bytes = 80 bits = 16 five-bit groups, most significant first.
        const QByteArray random = Crypto::randomBytes(10);
        QString code;
        code.reserve(CanonicalLength);
        quint32 buffer = 0;
        int bits = 0;
        for (const char byte : random) {
            buffer = (buffer << 8) | quint8(byte);
            bits += 8;
            while (bits >= 5) {
                bits -= 5;
                code += QLatin1Char(kSymbols[(buffer >> bits) & 0x1f]);
            }
        }
        const int check = checkValueOf(code);
        if (check >= kDataSymbols)
            continue;
        code += QLatin1Char(kSymbols[check]);
        return code;
    }
}

bool ActivationCode::isKeypadCharacter(QChar c)
{
    const char16_t u = c.unicode();
    for (int i = 0; i < kDataSymbols; ++i) {
        if (u == char16_t(kSymbols[i]))
            return true;
    }
    return false;
}

QString ActivationCode::keypadAlphabet()
{
    return QString::fromLatin1(kSymbols, kDataSymbols);
}

QString ActivationCode::legacyCheckSymbols()
{
    return QString::fromLatin1(kSymbols + kDataSymbols, kCheckSymbols - kDataSymbols);
}

QChar ActivationCode::checkCharacter(const QString &sixteenChars)
{
    if (sixteenChars.size() != DataLength)
        return {};
    for (const QChar c : sixteenChars) {
        if (dataValue(c) < 0)
            return {};
    }
    return QLatin1Char(kSymbols[checkValueOf(sixteenChars)]);
}

QString ActivationCode::format(const QString &canonical)
{
    if (canonical.size() != CanonicalLength)
        return canonical;
    return canonical.mid(0, 4) + QLatin1Char('-') + canonical.mid(4, 4) + QLatin1Char('-') + canonical.mid(8, 4) +
           QLatin1Char('-') + canonical.mid(12, 4) + QLatin1Char('-') + canonical.mid(16, 1);
}

Result<QString> ActivationCode::parse(const QString &userInput)
{
    QString compact;
    compact.reserve(userInput.size());
    for (const QChar c : userInput) {
        if (!c.isSpace() && c != QLatin1Char('-'))
            compact += c;
    }
    if (compact.isEmpty())
        return Error(ErrorCode::InvalidInput, QStringLiteral("activation code is empty"));
    if (compact.size() != CanonicalLength) {
        return Error(ErrorCode::InvalidInput, QStringLiteral("activation code must have %1 characters plus a check "
                                                             "character, not %2")
                                                  .arg(DataLength)
                                                  .arg(compact.size()));
    }

    QString canonical;
    canonical.reserve(CanonicalLength);
    for (int i = 0; i < DataLength; ++i) {
        const int value = dataValue(compact.at(i));
        if (value < 0) {
            return Error(ErrorCode::InvalidInput,
                         QStringLiteral("activation code has invalid character %1 at position %2")
                             .arg(describe(compact.at(i)))
                             .arg(i + 1));
        }
        canonical += QLatin1Char(kSymbols[value]);
    }
    const int check = checkValue(compact.at(DataLength));
    if (check < 0) {
        return Error(
            ErrorCode::InvalidInput,
            QStringLiteral("activation code has invalid check character %1").arg(describe(compact.at(DataLength))));
    }
    if (check != checkValueOf(canonical)) {
        return Error(ErrorCode::InvalidInput,
                     QStringLiteral("activation code check character does not match; a character "
                                    "was probably mistyped"));
    }
    canonical += QLatin1Char(kSymbols[check]);
    return canonical;
}

} // namespace Provisio

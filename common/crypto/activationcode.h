// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/result.h"

#include <QChar>
#include <QString>

namespace Provisio {

// The one-time code an end user types into a device instead of a full key:
// 16 Crockford base32 characters (80 random bits) plus Crockford's mod-37
// check character, shown as XXXX-XXXX-XXXX-XXXX-C. Crockford's alphabet was
// chosen because it has no I, L, O or U, so codes read aloud or copied by hand
// survive the usual confusions, and the check character catches a single
// wrong or swapped character before any lookup: the activation API answers
// such a typo with 400 and does not count it against the serial's attempts.
class ActivationCode
{
public:
    // A new random code in canonical form: 17 upper-case characters, no
    // dashes, all of them from keypadAlphabet(): codes are drawn until the
    // check character is a data character, so a new code never needs one of
    // the check-only symbols. parse() still accepts codes whose check
    // character is one (cards printed before).
    static QString generate();

    // The 32 characters of Crockford's base32 (0-9 and A-Z without I, L, O,
    // U): every character of a new code, and what the kiosk's keypad shows.
    static QString keypadAlphabet();
    static bool isKeypadCharacter(QChar c); // upper case only, no aliases
    // "*~$=U": check characters of older codes only.
    static QString legacyCheckSymbols();

    // Crockford's check symbol for 16 code characters: their 80-bit value mod
    // 37, symbols 0-31 from the alphabet, 32..36 as '*', '~', '$', '=', 'U'.
    // Returns a null QChar if the input is not 16 valid code characters.
    static QChar checkCharacter(const QString &sixteenChars);

    // XXXX-XXXX-XXXX-XXXX-C for display. Input that is not 17 characters is
    // returned unchanged.
    static QString format(const QString &canonical);

    // Reads what a user typed: ignores spaces and dashes and case, reads I and
    // L as 1 and O as 0. Fails with InvalidInput for a wrong length, a
    // character outside the alphabet or a wrong check character (distinct
    // messages). Returns the canonical 17-character form.
    static Result<QString> parse(const QString &userInput);

    static constexpr int DataLength = 16;
    static constexpr int CanonicalLength = DataLength + 1;
};

} // namespace Provisio

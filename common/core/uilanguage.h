// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QLocale>
#include <QString>
#include <QStringList>

namespace Provisio {

// The first of the system's user-interface languages (in the user's order of
// preference) that an application ships, as a two-letter code ("de" for
// "de-AT" or "de_CH"); `fallback` when none is. Shared by the CRM and the
// kiosk, which ship the same languages but keep their own lists.
inline QString firstShippedLanguage(const QStringList &shipped, const QString &fallback = QStringLiteral("en"),
                                    const QStringList &uiLanguages = QLocale::system().uiLanguages())
{
    for (const QString &tag : uiLanguages) {
        const QString code = tag.section(QLatin1Char('-'), 0, 0).section(QLatin1Char('_'), 0, 0).toLower();
        if (shipped.contains(code))
            return code;
    }
    return fallback;
}

} // namespace Provisio

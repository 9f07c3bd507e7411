// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QCoreApplication>
#include <QString>
#include <QStringList>

namespace Provisio::Crm {

// The CRM's language: which translation (the .qm files built from
// crm-desktop/i18n/*.ts, embedded under :/i18n) and which QLocale are in
// force. The choice is kept in the settings (View › Language); "system", the
// default, takes the first of the system's UI languages that has a
// translation, else English. Installing a language also sets QLocale's
// default, so dates (formatDateTime) and numbers follow it, and loads Qt's
// own translation of its standard buttons when the system has one.
class CrmLanguage
{
    Q_DECLARE_TR_FUNCTIONS(Provisio::Crm::CrmLanguage)

public:
    // The languages with a translation, as two-letter codes: "en", "de".
    static QStringList available();
    // The first of the system's UI languages that is available, else "en".
    static QString systemLanguage();
    // The language chosen in the settings: a code of available(), or empty
    // for "follow the system" (also for an unknown code in the file).
    static QString chosen();
    static void setChosen(const QString &code);
    // chosen(), or the system's language when none is chosen.
    static QString effective();

    // Installs `code`'s translation in place of the previous one and makes
    // its locale QLocale's default. False, with nothing changed, for a
    // language without a translation.
    static bool install(const QString &code);
    // The installed language ("" before the first install).
    static QString current();
    // The language's own name, e.g. "Deutsch", for the menu.
    static QString nativeName(const QString &code);
};

} // namespace Provisio::Crm

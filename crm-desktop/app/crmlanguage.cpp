// SPDX-License-Identifier: Apache-2.0
#include "crmlanguage.h"

#include "core/uilanguage.h"

#include "applogging.h"

#include <QLibraryInfo>
#include <QLocale>
#include <QSettings>
#include <QTranslator>

#include <memory>

namespace Provisio::Crm {

namespace {

const QString kLanguageKey = QStringLiteral("language");

struct Installed
{
    QString code;
    std::unique_ptr<QTranslator> crm;
    std::unique_ptr<QTranslator> qt; // Qt's own strings (standard buttons), when the system has them
};

Installed &installed()
{
    static Installed state;
    return state;
}

QLocale localeFor(const QString &code)
{
    return QLocale(code == QLatin1String("de") ? QStringLiteral("de_DE") : QStringLiteral("en_US"));
}

} // namespace

QStringList CrmLanguage::available()
{
    return {QStringLiteral("en"), QStringLiteral("de")};
}

QString CrmLanguage::systemLanguage()
{
    return firstShippedLanguage(available());
}

QString CrmLanguage::chosen()
{
    const QString code = QSettings().value(kLanguageKey).toString();
    return available().contains(code) ? code : QString();
}

void CrmLanguage::setChosen(const QString &code)
{
    QSettings settings;
    if (available().contains(code))
        settings.setValue(kLanguageKey, code);
    else
        settings.remove(kLanguageKey);
}

QString CrmLanguage::effective()
{
    const QString code = chosen();
    return code.isEmpty() ? systemLanguage() : code;
}

bool CrmLanguage::install(const QString &code)
{
    if (!available().contains(code)) {
        qCWarning(lcCrmUi) << "no translation for language" << code;
        return false;
    }
    Installed &state = installed();
    if (state.code == code)
        return true;
    auto crm = std::make_unique<QTranslator>();
    if (!crm->load(QStringLiteral(":/i18n/provisio_crm_%1.qm").arg(code))) {
        qCWarning(lcCrmUi) << "cannot load the translation for" << code;
        return false;
    }
    // Qt's translation of its dialogs' buttons: optional (Debian's
    // qt6-translations-l10n); English needs none.
    auto qt = std::make_unique<QTranslator>();
    if (code == QLatin1String("en") ||
        !qt->load(QStringLiteral("qtbase_") + code, QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        qt.reset();
    if (state.crm)
        QCoreApplication::removeTranslator(state.crm.get());
    if (state.qt)
        QCoreApplication::removeTranslator(state.qt.get());
    if (qt)
        QCoreApplication::installTranslator(qt.get());
    QCoreApplication::installTranslator(crm.get());
    state.crm = std::move(crm);
    state.qt = std::move(qt);
    state.code = code;
    QLocale::setDefault(localeFor(code));
    qCInfo(lcCrmUi) << "language" << code;
    return true;
}

QString CrmLanguage::current()
{
    return installed().code;
}

QString CrmLanguage::nativeName(const QString &code)
{
    if (code == QLatin1String("de"))
        return QStringLiteral("Deutsch");
    if (code == QLatin1String("en"))
        return QStringLiteral("English");
    return code;
}

} // namespace Provisio::Crm

// SPDX-License-Identifier: Apache-2.0
#include "kiosklanguage.h"

#include "core/uilanguage.h"

#include <QCoreApplication>
#include <QFile>
#include <QJSEngine>
#include <QLocale>
#include <QLoggingCategory>
#include <QQmlEngine>
#include <QTranslator>

Q_LOGGING_CATEGORY(lcKioskLanguage, "provisio.kiosk.language")

namespace Provisio::Kiosk {

namespace {
QString qmPath(const QString &code)
{
    return QStringLiteral(":/i18n/provisio_kiosk_%1.qm").arg(code);
}
} // namespace

KioskLanguage::KioskLanguage(QObject *parent) : QObject(parent) { }

KioskLanguage *KioskLanguage::instance()
{
    // Lives as long as the application: translators are process-wide.
    static KioskLanguage *language = [] {
        auto *created = new KioskLanguage(QCoreApplication::instance());
        created->setLanguage(systemLanguage());
        return created;
    }();
    return language;
}

KioskLanguage *KioskLanguage::create(QQmlEngine *qmlEngine, QJSEngine *jsEngine)
{
    Q_UNUSED(jsEngine)
    KioskLanguage *language = instance();
    language->m_engine = qmlEngine;
    QJSEngine::setObjectOwnership(language, QJSEngine::CppOwnership);
    return language;
}

QStringList KioskLanguage::available()
{
    return {QStringLiteral("en"), QStringLiteral("de")};
}

QString KioskLanguage::systemLanguage()
{
    return firstShippedLanguage(available());
}

QString KioskLanguage::keyboardLocale() const
{
    return m_current == QLatin1String("de") ? QStringLiteral("de_DE") : QStringLiteral("en_US");
}

bool KioskLanguage::setLanguage(const QString &code)
{
    if (!available().contains(code)) {
        qCWarning(lcKioskLanguage) << "no translation for language" << code;
        return false;
    }
    if (code == m_current)
        return true;
    auto translator = std::make_unique<QTranslator>();
    if (!translator->load(qmPath(code))) {
        qCWarning(lcKioskLanguage) << "cannot load the translation" << qmPath(code);
        return false;
    }
    if (m_translator)
        QCoreApplication::removeTranslator(m_translator.get());
    QCoreApplication::installTranslator(translator.get());
    m_translator = std::move(translator);
    m_current = code;
    QLocale::setDefault(QLocale(code == QLatin1String("de") ? QStringLiteral("de_DE") : QStringLiteral("en_US")));
    qCInfo(lcKioskLanguage) << "language" << code;
    if (m_engine)
        m_engine->retranslate();
    Q_EMIT currentChanged();
    return true;
}

QString KioskLanguage::nativeName(const QString &code)
{
    if (code == QLatin1String("de"))
        return QStringLiteral("Deutsch");
    if (code == QLatin1String("en"))
        return QStringLiteral("English");
    return code;
}

} // namespace Provisio::Kiosk

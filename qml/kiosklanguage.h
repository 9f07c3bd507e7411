// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QTranslator>
#include <QtQml/qqmlregistration.h>

#include <memory>

class QQmlEngine;
class QJSEngine;

namespace Provisio::Kiosk {

// The kiosk's language, as the QML singleton `Language`: which translation is
// installed (the .qm files built from qml/i18n/*.ts, embedded under :/i18n),
// the on-screen keyboard's layout that goes with it, and switching at run
// time from the welcome screen's picker. The first language is the system
// locale's when a translation exists for it, else English (the source
// language). Switching retranslates every qsTr() in the window at once.
class KioskLanguage : public QObject
{
    Q_OBJECT
    QML_NAMED_ELEMENT(Language)
    QML_SINGLETON
    Q_PROPERTY(QString current READ current NOTIFY currentChanged)
    Q_PROPERTY(QStringList available READ available CONSTANT)
    // Qt Virtual Keyboard's locale for the current language, e.g. "de_DE".
    Q_PROPERTY(QString keyboardLocale READ keyboardLocale NOTIFY currentChanged)
public:
    static KioskLanguage *instance();
    static KioskLanguage *create(QQmlEngine *qmlEngine, QJSEngine *jsEngine);

    // The languages with a translation, as two-letter codes: "en", "de".
    static QStringList available();
    // The first of the system's UI languages that is available, else "en".
    static QString systemLanguage();

    QString current() const { return m_current; }
    QString keyboardLocale() const;

    // Installs `code`'s translation (replacing the previous one) and
    // retranslates the engine that created the singleton. False, with nothing
    // changed, for a language without a translation.
    Q_INVOKABLE bool setLanguage(const QString &code);
    // The language's own name, e.g. "Deutsch", for the picker.
    Q_INVOKABLE static QString nativeName(const QString &code);

Q_SIGNALS:
    void currentChanged();

private:
    explicit KioskLanguage(QObject *parent = nullptr);

    QString m_current;
    std::unique_ptr<QTranslator> m_translator;
    QPointer<QQmlEngine> m_engine;
};

} // namespace Provisio::Kiosk

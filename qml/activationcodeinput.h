// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>
#include <QString>
#include <QtQml/qqmlregistration.h>

class QQmlEngine;
class QJSEngine;

namespace Provisio::Kiosk {

// The kiosk's typing aid for activation codes, as the QML singleton
// `ActivationCode`. It keeps the code field readable while the person types
// (upper case, XXXX-XXXX-XXXX-XXXX-C grouping, stray characters dropped) and
// checks the check character before anything is sent, so a typo is caught at
// the device and never spends one of the serial's rate-limited attempts.
// The rules themselves are Provisio::ActivationCode's; this only adapts them
// to a text field.
class ActivationCodeInput : public QObject
{
    Q_OBJECT
    QML_NAMED_ELEMENT(ActivationCode)
    QML_SINGLETON
    Q_PROPERTY(int length READ length CONSTANT)
public:
    using QObject::QObject;

    static ActivationCodeInput *create(QQmlEngine *qmlEngine, QJSEngine *jsEngine);

    int length() const;

    // The significant characters of `text`: upper case, Crockford aliases
    // folded (I, L -> 1; O -> 0), separators and characters that cannot occur
    // at their position dropped, at most 17.
    Q_INVOKABLE QString normalize(const QString &text) const;
    // normalize(), grouped as XXXX-XXXX-XXXX-XXXX-C (no trailing dash).
    Q_INVOKABLE QString format(const QString &text) const;
    // Where a caret that stood at `cursor` in `text` belongs in format(text):
    // after the same number of significant characters.
    Q_INVOKABLE int formattedCursor(const QString &text, int cursor) const;
    // All 17 characters are there (the check is not looked at).
    Q_INVOKABLE bool isComplete(const QString &text) const;
    // Complete and the check character matches.
    Q_INVOKABLE bool isValid(const QString &text) const;
    // What to tell the person about `text`: empty when it is valid or still
    // being typed with nothing wrong so far.
    Q_INVOKABLE QString problem(const QString &text) const;
};

} // namespace Provisio::Kiosk

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>
#include <QtQml/qqmlregistration.h>

namespace Provisio::Kiosk {

// The on-screen keyboard as the kiosk's QML sees it (the singleton
// `OnScreenKeyboard`): whether it is up, and asking for it when a screen
// opens on a field. It follows QGuiApplication's input method, which Qt
// Virtual Keyboard drives; going through a typed singleton rather than
// Qt.inputMethod lets qmllint check the screens that use it.
class OnScreenKeyboard : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON
    Q_PROPERTY(bool visible READ isVisible NOTIFY visibleChanged)
public:
    explicit OnScreenKeyboard(QObject *parent = nullptr);

    bool isVisible() const;

    // Brings the keyboard up for the focused field (a tap on a field does
    // that by itself; a field focused from code does not).
    Q_INVOKABLE void show();
    Q_INVOKABLE void hide();

Q_SIGNALS:
    void visibleChanged();
};

} // namespace Provisio::Kiosk

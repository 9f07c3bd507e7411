// SPDX-License-Identifier: Apache-2.0
// Qt Virtual Keyboard's panel, in a file of its own so that the window can
// load it on demand: a system without the keyboard's QML module still gets a
// working kiosk (with a hardware keyboard) and a clear warning, not a blank
// screen.
//
// One layout, the kiosk's language's (Language.keyboardLocale: en_US or
// de_DE), switched with the language: the layouts for exactly the languages
// the kiosk has translations for, so a locale's dictionary is never looked
// for (prediction is off in every field; everything typed on the kiosk is
// ASCII).
import QtQuick
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Settings
import Provisio.Kiosk

InputPanel {
    id: root

    function follow() {
        VirtualKeyboardSettings.activeLocales = [Language.keyboardLocale];
        VirtualKeyboardSettings.locale = Language.keyboardLocale;
    }
    Component.onCompleted: follow()
    Connections {
        target: Language
        function onCurrentChanged() {
            root.follow();
        }
    }
}

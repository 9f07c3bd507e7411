// SPDX-License-Identifier: Apache-2.0
// Qt Virtual Keyboard's panel, in a file of its own so that the window can
// load it on demand: a system without the keyboard's QML module still gets a
// working kiosk (with a hardware keyboard) and a clear warning, not a blank
// screen.
//
// One layout, US English, whatever the system's locale: everything typed on
// the kiosk (activation codes, keys, registration IDs, addresses) is ASCII,
// and prediction is off in every field, so a locale's dictionary would only be
// looked for (and warned about when it is missing, as en_GB's is on a stock
// Raspberry Pi OS) without ever being used.
import QtQuick
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Settings

InputPanel {
    id: root

    Component.onCompleted: {
        VirtualKeyboardSettings.activeLocales = ["en_US"];
        VirtualKeyboardSettings.locale = "en_US";
    }
}

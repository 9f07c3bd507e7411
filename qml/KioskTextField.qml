// SPDX-License-Identifier: Apache-2.0
// A text field sized for a finger and readable at arm's length. Input comes
// from the on-screen keyboard; prediction is off because codes and keys are
// not words.
import QtQuick
import QtQuick.Controls

TextField {
    id: root

    implicitHeight: Theme.touch
    font.pixelSize: Theme.fontLarge
    color: Theme.text
    placeholderTextColor: Theme.mutedText
    inputMethodHints: Qt.ImhNoPredictiveText | Qt.ImhNoAutoUppercase | Qt.ImhSensitiveData
    leftPadding: Theme.spacing
    rightPadding: Theme.spacing

    background: Rectangle {
        radius: Theme.radius
        color: Theme.surface
        border.width: root.activeFocus ? 3 : 1
        border.color: root.activeFocus ? Theme.accent : Theme.border
    }
}

// SPDX-License-Identifier: Apache-2.0
// A button sized for a finger: at least Theme.touch high, large label. The
// primary variant is the one action the screen is about.
import QtQuick
import QtQuick.Controls

Button {
    id: root

    property bool primary: false
    property bool destructive: false

    implicitHeight: Theme.touch
    implicitWidth: Math.max(Theme.touch * 2.5, contentItem.implicitWidth + 2 * Theme.margin)
    font.pixelSize: Theme.fontBody
    font.bold: root.primary
    focusPolicy: Qt.StrongFocus

    contentItem: Text {
        text: root.text
        font: root.font
        color: !root.enabled ? Theme.mutedText
             : (root.primary || root.destructive) ? Theme.accentText : Theme.accent
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
        elide: Text.ElideRight
    }

    background: Rectangle {
        radius: Theme.radius
        color: {
            if (!root.enabled)
                return "#e3e7eb";
            const base = root.destructive ? Theme.bad : root.primary ? Theme.accent : Theme.surface;
            return root.down ? Qt.darker(base, 1.15) : base;
        }
        border.width: root.visualFocus ? 3 : 1
        border.color: root.visualFocus ? Theme.text : root.destructive ? Theme.bad : Theme.accent
    }
}

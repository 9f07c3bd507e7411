// SPDX-License-Identifier: Apache-2.0
// The keypad for the activation code: the code's 32 characters (0-9 and A-Z
// without I, L, O and U) on one page, so a 17-character code takes 17 taps;
// the dashes come by themselves. Cards printed before new codes were limited
// to these characters may end in one of * ~ $ = U: those keys sit on the
// last row and can be tapped only where such a character can stand, as the
// 17th. ↵ does what the Activate button does. The keys never take the focus
// from the field, so the caret stays where the person put it.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import Provisio.Kiosk

Rectangle {
    id: root

    // Characters typed so far (the field's code length): decides which keys
    // can be tapped.
    property int typedLength: 0
    // ↵ is live only for a code that checks out.
    property bool canSubmit: false

    signal characterTapped(string character)
    signal backspaceTapped()
    signal enterTapped()

    readonly property int columns: 10
    readonly property real keyGap: Math.round(5 * Theme.scale)
    readonly property real keyWidth: (width - (columns + 1) * keyGap) / columns
    readonly property real keyHeight: Math.round(50 * Theme.scale)
    readonly property var rows: [
        "0123456789".split(""),
        "ABCDEFGHJK".split(""),
        "MNPQRSTVWX".split(""),
    ]
    readonly property var lastRow: ["Y", "Z", "*", "~", "$", "=", "U"]

    implicitHeight: 4 * keyHeight + 5 * keyGap
    color: "#dde3ea"
    Accessible.role: Accessible.Grouping
    Accessible.name: qsTr("Activation code keypad")

    function isCheckOnly(key: string): bool {
        return "*~$=U".indexOf(key) >= 0;
    }
    function keyEnabled(key: string): bool {
        if (root.isCheckOnly(key))
            return root.typedLength === ActivationCode.length - 1;
        return root.typedLength < ActivationCode.length;
    }

    component Key: AbstractButton {
        id: key
        property bool special: false
        // The ↵ key, in the colour of the screen's main action.
        property bool accent: false
        width: root.keyWidth
        height: root.keyHeight
        focusPolicy: Qt.NoFocus
        autoRepeat: false
        Accessible.role: Accessible.Button
        Accessible.name: text
        contentItem: Label {
            text: key.text
            font.pixelSize: Theme.fontLarge
            font.bold: !key.special
            font.family: key.special ? key.font.family : "monospace"
            color: key.enabled ? (key.accent ? Theme.accentText : Theme.text) : Theme.border
            horizontalAlignment: Text.AlignHCenter
            verticalAlignment: Text.AlignVCenter
        }
        background: Rectangle {
            radius: Theme.radius
            color: key.accent ? (key.enabled ? Theme.accent : "#9bb4d3")
                                   : key.down ? "#c5d7ee" : Theme.surface
            border.width: 1
            border.color: Theme.border
        }
    }

    Column {
        x: root.keyGap
        y: root.keyGap
        spacing: root.keyGap

        Repeater {
            model: root.rows
            delegate: Row {
                id: keyRow
                required property var modelData
                spacing: root.keyGap
                Repeater {
                    model: keyRow.modelData
                    delegate: Key {
                        required property string modelData
                        objectName: "codeKey_" + modelData
                        text: modelData
                        enabled: root.keyEnabled(modelData)
                        onClicked: root.characterTapped(modelData)
                    }
                }
            }
        }
        Row {
            spacing: root.keyGap
            Repeater {
                model: root.lastRow
                delegate: Key {
                    required property string modelData
                    objectName: "codeKey_" + modelData
                    text: modelData
                    enabled: root.keyEnabled(modelData)
                    // The old check symbols, set apart from the data keys.
                    special: root.isCheckOnly(modelData)
                    onClicked: root.characterTapped(modelData)
                }
            }
            Key {
                objectName: "codeKeyBackspace"
                width: 1.5 * root.keyWidth + root.keyGap / 2
                special: true
                text: "⌫"
                Accessible.name: qsTr("Delete the last character")
                enabled: root.typedLength > 0
                onClicked: root.backspaceTapped()
            }
            Key {
                objectName: "codeKeyEnter"
                width: 1.5 * root.keyWidth + root.keyGap / 2
                special: true
                accent: true
                text: "↵"
                Accessible.name: qsTr("Activate")
                enabled: root.canSubmit
                onClicked: root.enterTapped()
            }
        }
    }
}

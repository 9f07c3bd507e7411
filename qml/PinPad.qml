// SPDX-License-Identifier: Apache-2.0
// A numeric pad for a PIN, sized for a thumb: ten large digit keys, erase
// and OK, and a row of dots for what was typed (never the digits). A
// hardware keyboard works too: digits, Backspace, Enter.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls

FocusScope {
    id: root

    property string entered
    property int maximumLength: 12
    readonly property int keyWidth: Math.round(96 * Theme.scale)
    readonly property int keyHeight: Math.round(64 * Theme.scale)

    signal submitted(string pin)

    function clear() {
        root.entered = "";
    }
    function press(digit: string) {
        if (root.entered.length < root.maximumLength)
            root.entered += digit;
    }
    function erase() {
        root.entered = root.entered.slice(0, -1);
    }
    function submit() {
        if (root.entered.length > 0)
            root.submitted(root.entered);
    }

    implicitWidth: keys.implicitWidth
    implicitHeight: dots.height + Theme.spacing + keys.implicitHeight

    Keys.onPressed: event => {
        if (!root.enabled)
            return;
        if (event.text.length === 1 && event.text >= "0" && event.text <= "9") {
            root.press(event.text);
            event.accepted = true;
        } else if (event.key === Qt.Key_Backspace) {
            root.erase();
            event.accepted = true;
        } else if (event.key === Qt.Key_Return || event.key === Qt.Key_Enter) {
            root.submit();
            event.accepted = true;
        }
    }

    // What was typed, as dots; a placeholder line while nothing is.
    Rectangle {
        id: dots
        objectName: "pinDots"
        // The count of digits typed, never the digits.
        Accessible.role: Accessible.StaticText
        Accessible.name: qsTr("PIN: %n digit(s) typed", "", root.entered.length)
        width: parent.width
        height: Theme.touch
        radius: Theme.radius
        color: Theme.surface
        border.color: Theme.border

        Label {
            anchors.centerIn: parent
            font.pixelSize: root.entered.length > 0 ? Theme.fontHuge : Theme.fontBody
            font.letterSpacing: root.entered.length > 0 ? Math.round(6 * Theme.scale) : 0
            color: root.entered.length > 0 ? Theme.text : Theme.mutedText
            text: root.entered.length > 0 ? "•".repeat(root.entered.length) : qsTr("PIN")
        }
    }

    Grid {
        id: keys
        y: dots.height + Theme.spacing
        anchors.horizontalCenter: parent.horizontalCenter
        columns: 3
        spacing: Math.round(8 * Theme.scale)

        Repeater {
            model: ["1", "2", "3", "4", "5", "6", "7", "8", "9"]
            delegate: KioskButton {
                required property string modelData
                objectName: "pinKey" + modelData
                width: root.keyWidth
                height: root.keyHeight
                font.pixelSize: Theme.fontTitle
                focusPolicy: Qt.NoFocus
                text: modelData
                onClicked: root.press(modelData)
            }
        }
        KioskButton {
            objectName: "pinErase"
            width: root.keyWidth
            height: root.keyHeight
            focusPolicy: Qt.NoFocus
            enabled: root.entered.length > 0
            text: qsTr("Erase")
            Accessible.name: qsTr("Erase the last digit")
            onClicked: root.erase()
        }
        KioskButton {
            objectName: "pinKey0"
            width: root.keyWidth
            height: root.keyHeight
            font.pixelSize: Theme.fontTitle
            focusPolicy: Qt.NoFocus
            text: "0"
            onClicked: root.press("0")
        }
        KioskButton {
            objectName: "pinOk"
            width: root.keyWidth
            height: root.keyHeight
            primary: true
            focusPolicy: Qt.NoFocus
            enabled: root.entered.length > 0
            text: qsTr("OK")
            onClicked: root.submit()
        }
    }
}

// SPDX-License-Identifier: Apache-2.0
// First thing a new owner sees: which device this is and what to do next.
import QtQuick
import QtQuick.Controls

KioskPage {
    id: root

    property string serial

    signal startRequested()

    title: qsTr("Welcome")

    Label {
        width: parent.width
        text: qsTr("This device is not set up yet.")
        font.pixelSize: Theme.fontLarge
        color: Theme.text
        wrapMode: Text.Wrap
    }

    Rectangle {
        width: parent.width
        height: serialColumn.implicitHeight + 2 * Theme.spacing
        radius: Theme.radius
        color: Theme.surface
        border.color: Theme.border

        Column {
            id: serialColumn
            x: Theme.margin
            y: Theme.spacing
            width: parent.width - 2 * Theme.margin
            Label {
                text: qsTr("Serial number")
                font.pixelSize: Theme.fontSmall
                color: Theme.mutedText
            }
            Label {
                objectName: "serialLabel"
                width: parent.width
                text: root.serial.length > 0 ? root.serial : qsTr("unknown")
                font.pixelSize: Theme.fontTitle
                font.family: "monospace"
                font.bold: true
                color: Theme.text
                elide: Text.ElideRight
            }
        }
    }

    Label {
        width: parent.width
        text: qsTr("Find the activation card that came with the device, tap the button and type the code printed on it. The device then sets itself up.")
        font.pixelSize: Theme.fontBody
        color: Theme.text
        wrapMode: Text.Wrap
    }

    KioskButton {
        objectName: "startButton"
        width: parent.width
        primary: true
        text: qsTr("Enter activation code")
        onClicked: root.startRequested()
    }
}

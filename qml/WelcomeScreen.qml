// SPDX-License-Identifier: Apache-2.0
// First thing a new owner sees: which device this is and what to do next.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import Provisio.Kiosk

KioskPage {
    id: root

    property string serial

    signal startRequested()

    title: qsTr("Welcome")

    // The language picker: each language in its own words, the current one
    // marked. The keyboard and every screen follow at once.
    Row {
        objectName: "languagePicker"
        spacing: Theme.spacing
        Accessible.role: Accessible.Grouping
        Accessible.name: qsTr("Language")

        Repeater {
            model: Language.available
            delegate: KioskButton {
                required property string modelData
                objectName: "language_" + modelData
                text: Language.nativeName(modelData)
                primary: Language.current === modelData
                checkable: false
                Accessible.role: Accessible.RadioButton
                Accessible.checked: Language.current === modelData
                Accessible.name: text
                onClicked: Language.setLanguage(modelData)
            }
        }
    }

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
        text: qsTr("Find the activation card that came with the device, tap Enter activation code and type the 17 characters printed on it. The device then sets itself up.")
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

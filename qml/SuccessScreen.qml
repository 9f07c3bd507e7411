// SPDX-License-Identifier: Apache-2.0
// The moment the device is set up: a short confirmation before the
// dashboard, which follows by itself after a few seconds or at a tap.
import QtQuick
import QtQuick.Controls

KioskPage {
    id: root

    property string deviceName
    // Seconds until the dashboard follows by itself.
    property int seconds: 4

    signal continueRequested()

    title: qsTr("All set")

    Timer {
        running: root.visible
        interval: root.seconds * 1000
        onTriggered: root.continueRequested()
    }

    Row {
        width: parent.width
        spacing: Theme.margin

        Rectangle {
            width: Math.round(88 * Theme.scale)
            height: width
            radius: width / 2
            color: Theme.good
            Accessible.role: Accessible.Graphic
            Accessible.name: qsTr("Done")
            Label {
                anchors.centerIn: parent
                text: "✓"
                color: Theme.accentText
                font.pixelSize: Theme.fontHuge
                font.bold: true
            }
        }
        Label {
            objectName: "successMessage"
            width: parent.width - Math.round(88 * Theme.scale) - Theme.margin
            anchors.verticalCenter: parent.verticalCenter
            text: root.deviceName.length > 0
                  ? qsTr("%1 is set up and connected.").arg(root.deviceName)
                  : qsTr("This device is set up and connected.")
            font.pixelSize: Theme.fontLarge
            color: Theme.text
            wrapMode: Text.Wrap
        }
    }

    Label {
        width: parent.width
        text: qsTr("The activation code is used up now; keep the card for your records. The dashboard opens in a moment.")
        font.pixelSize: Theme.fontBody
        color: Theme.mutedText
        wrapMode: Text.Wrap
    }

    KioskButton {
        objectName: "continueButton"
        width: parent.width
        primary: true
        text: qsTr("Show the dashboard")
        Accessible.name: text
        onClicked: root.continueRequested()
    }
}

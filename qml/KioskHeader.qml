// SPDX-License-Identifier: Apache-2.0
// The bar on top of every screen: the product mark, which opens the settings
// when held (a person using the kiosk does not stumble into them), and the
// device's serial and connection at a glance.
import QtQuick
import QtQuick.Controls

Rectangle {
    id: root

    property string serial
    property string status
    property color statusColor: Theme.accentText
    // How long the logo must be held to open the settings, in seconds.
    property real holdSeconds: 1.5

    signal settingsRequested()

    implicitHeight: Theme.headerHeight
    color: Theme.header

    Item {
        id: logo
        objectName: "logo"
        // A screen reader offers the settings as a button (its press opens
        // them); a finger has to hold the mark.
        Accessible.role: Accessible.Button
        Accessible.name: qsTr("Settings")
        Accessible.description: qsTr("Hold to open the settings")
        Accessible.onPressAction: root.settingsRequested()
        anchors.left: parent.left
        anchors.top: parent.top
        anchors.bottom: parent.bottom
        width: logoRow.implicitWidth + 2 * Theme.margin

        Row {
            id: logoRow
            anchors.verticalCenter: parent.verticalCenter
            x: Theme.margin
            spacing: Theme.spacing / 2

            Rectangle {
                width: Math.round(Theme.headerHeight * 0.5)
                height: width
                radius: width / 2
                color: "transparent"
                border.width: Math.max(2, Math.round(3 * Theme.scale))
                border.color: Theme.accentText
                anchors.verticalCenter: parent.verticalCenter

                Rectangle {
                    anchors.centerIn: parent
                    width: parent.width * 0.4
                    height: width
                    radius: width / 2
                    color: tap.pressed ? "#ffd54f" : Theme.accentText
                }
            }
            Label {
                text: "Provisio"
                font.pixelSize: Theme.fontLarge
                font.bold: true
                color: Theme.accentText
                anchors.verticalCenter: parent.verticalCenter
            }
        }

        TapHandler {
            id: tap
            longPressThreshold: root.holdSeconds
            onLongPressed: root.settingsRequested()
        }
    }

    Label {
        objectName: "headerStatus"
        Accessible.role: Accessible.StaticText
        Accessible.name: text
        anchors.right: parent.right
        anchors.rightMargin: Theme.margin
        anchors.left: logo.right
        anchors.verticalCenter: parent.verticalCenter
        horizontalAlignment: Text.AlignRight
        elide: Text.ElideLeft
        font.pixelSize: Theme.fontSmall
        color: root.statusColor
        text: root.serial.length > 0
              ? (root.status.length > 0 ? root.status + "  ·  " : "") + qsTr("Serial %1").arg(root.serial)
              : root.status
    }
}

// SPDX-License-Identifier: Apache-2.0
// Scanning the activation card: the camera's picture with a square to hold
// the card's QR code in, what was wrong with the last code seen, and Cancel.
// A card for this device is handed to the owner (cardRead); any other QR
// code gets a plain sentence and the camera keeps looking. The camera itself
// (CameraFeed.qml) is loaded only while the view is shown and a camera
// exists; without one the view says so, and Cancel still leads back.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import Provisio.Kiosk

Rectangle {
    id: root

    // This device's serial: cards for other devices are refused.
    property string serial
    // The camera runs only while this is true (the view is on screen).
    property bool active: visible
    // What is wrong with the last QR code seen; empty while none was wrong.
    property string message

    signal cardRead(string code, string url)
    signal cancelRequested()

    color: "#101820"

    // What the camera decoded. A card for this device ends the scan; the
    // rest only changes the message.
    function handleDecoded(text: string) {
        const card = CardScan.read(text, root.serial);
        if (!card.ok) {
            root.message = card.error;
            return;
        }
        root.message = "";
        root.cardRead(card.code, card.url);
    }

    onActiveChanged: {
        if (active)
            message = "";
    }

    Connections {
        target: CardScan
        enabled: root.active
        function onDecoded(text: string) {
            root.handleDecoded(text);
        }
    }

    Loader {
        id: feed
        objectName: "cameraFeed"
        anchors.fill: parent
        active: root.active && CardScan.available
        source: "CameraFeed.qml"
    }

    Label {
        objectName: "noCameraLabel"
        visible: !feed.active || feed.status === Loader.Error
        anchors.centerIn: guide
        width: guide.width - 2 * Theme.margin
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.Wrap
        font.pixelSize: Theme.fontBody
        color: "#cfd8dc"
        text: qsTr("No camera is connected. Type the code printed on the card instead.")
    }

    // The guide: a square in the middle of the picture above the bar, with
    // bright corners, like a viewfinder.
    Item {
        id: guide
        objectName: "scanGuide"
        Accessible.role: Accessible.Graphic
        Accessible.name: qsTr("Hold the card's QR code inside this square")
        readonly property int corner: Math.round(side * 0.18)
        readonly property int side: Math.round(Math.min(root.width * 0.8, (bar.y - hint.height) * 0.8))
        width: side
        height: side
        x: Math.round((root.width - side) / 2)
        y: Math.round(hint.height + (bar.y - hint.height - side) / 2)

        Rectangle {
            anchors.fill: parent
            color: "transparent"
            radius: Theme.radius
            border.width: 1
            border.color: "#80ffffff"
        }
        Repeater {
            model: 4
            delegate: Item {
                id: cornerMark
                required property int index
                readonly property bool atRight: index === 1 || index === 3
                readonly property bool atBottom: index >= 2
                readonly property int thickness: Math.max(4, Math.round(5 * Theme.scale))
                width: guide.corner
                height: guide.corner
                x: atRight ? guide.width - width : 0
                y: atBottom ? guide.height - height : 0
                Rectangle {
                    width: parent.width
                    height: cornerMark.thickness
                    y: cornerMark.atBottom ? parent.height - height : 0
                    color: "#ffffff"
                }
                Rectangle {
                    width: cornerMark.thickness
                    height: parent.height
                    x: cornerMark.atRight ? parent.width - width : 0
                    color: "#ffffff"
                }
            }
        }
    }

    Label {
        id: hint
        width: parent.width
        padding: Theme.spacing
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.Wrap
        font.pixelSize: Theme.fontBody
        color: "#ffffff"
        style: Text.Outline
        styleColor: "#101820"
        text: qsTr("Hold the QR code on your activation card inside the square.")
    }

    // The bar at the bottom: the message about the last code and Cancel.
    Rectangle {
        id: bar
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.bottom: parent.bottom
        height: Math.max(cancelButton.height, messageLabel.implicitHeight) + 2 * Theme.spacing
        color: "#d0101820"

        Label {
            id: messageLabel
            objectName: "scanMessage"
            anchors.left: parent.left
            anchors.leftMargin: Theme.margin
            anchors.right: cancelButton.left
            anchors.rightMargin: Theme.spacing
            anchors.verticalCenter: parent.verticalCenter
            wrapMode: Text.Wrap
            font.pixelSize: Theme.fontBody
            color: root.message.length > 0 ? "#ffcdd2" : "#cfd8dc"
            text: root.message.length > 0 ? root.message : qsTr("Looking for the QR code…")
        }
        KioskButton {
            id: cancelButton
            objectName: "cancelScanButton"
            anchors.right: parent.right
            anchors.rightMargin: Theme.margin
            anchors.verticalCenter: parent.verticalCenter
            text: qsTr("Cancel")
            onClicked: root.cancelRequested()
        }
    }
}

// SPDX-License-Identifier: Apache-2.0
// What the device is doing while it sets itself up, one line per step with
// its live state, and on failure what went wrong and what to do about it.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls

KioskPage {
    id: root

    // Rows with roles title, status ("pending", "active", "done", "failed")
    // and detail.
    property var steps
    property bool failed: false
    property string errorMessage
    property bool canRetry: true

    signal retryRequested()
    signal editRequested()
    signal cancelRequested()

    title: failed ? qsTr("Setup did not finish") : qsTr("Setting up this device")
    // Tighter than other screens: a failure, what to do and all five steps
    // fit on the 800×480 screen at once.
    spacing: Math.round(8 * Theme.scale)

    // On failure what to do comes first; the steps show where it stopped.
    Rectangle {
        visible: root.failed
        width: parent.width
        height: errorLabel.implicitHeight + 2 * errorLabel.y
        radius: Theme.radius
        color: "#fdecea"
        border.color: Theme.bad

        Label {
            id: errorLabel
            objectName: "errorMessage"
            x: Theme.margin
            y: Math.round(8 * Theme.scale)
            width: parent.width - 2 * Theme.margin
            text: root.errorMessage.length > 0 ? root.errorMessage : qsTr("Something went wrong.")
            font.pixelSize: Theme.fontBody
            color: Theme.text
            wrapMode: Text.Wrap
        }
    }

    Row {
        visible: root.failed
        width: parent.width
        spacing: Theme.spacing
        layoutDirection: Qt.RightToLeft

        KioskButton {
            objectName: "retryButton"
            visible: root.canRetry
            primary: true
            text: qsTr("Try again")
            onClicked: root.retryRequested()
        }
        KioskButton {
            objectName: "editButton"
            text: qsTr("Change the key")
            onClicked: root.editRequested()
        }
    }

    Column {
        width: parent.width
        spacing: Math.round(4 * Theme.scale)

        Repeater {
            model: root.steps

            delegate: Item {
                id: row

                required property int index
                required property string title
                required property string status
                required property string detail

                objectName: "step" + index
                width: parent ? parent.width : 0
                height: Math.max(Theme.touch * 0.8, texts.implicitHeight)

                Item {
                    id: icon
                    width: Math.round(32 * Theme.scale)
                    height: width
                    anchors.verticalCenter: parent.verticalCenter

                    BusyIndicator {
                        anchors.fill: parent
                        visible: row.status === "active"
                        running: visible
                    }
                    Rectangle {
                        anchors.fill: parent
                        anchors.margins: Math.round(4 * Theme.scale)
                        visible: row.status !== "active"
                        radius: width / 2
                        color: row.status === "done" ? Theme.good : row.status === "failed" ? Theme.bad : "transparent"
                        border.width: row.status === "pending" ? 2 : 0
                        border.color: Theme.border

                        Label {
                            anchors.centerIn: parent
                            text: row.status === "done" ? "✓" : row.status === "failed" ? "✕" : ""
                            color: Theme.accentText
                            font.pixelSize: Theme.fontBody
                            font.bold: true
                        }
                    }
                }

                Column {
                    id: texts
                    anchors.left: icon.right
                    anchors.leftMargin: Theme.spacing
                    anchors.right: parent.right
                    anchors.verticalCenter: parent.verticalCenter

                    Label {
                        width: parent.width
                        text: row.title
                        font.pixelSize: Theme.fontBody
                        font.bold: row.status === "active"
                        color: row.status === "pending" ? Theme.mutedText : Theme.text
                        elide: Text.ElideRight
                    }
                    Label {
                        width: parent.width
                        // A failed step's detail is usually the message shown
                        // above; saying it twice would push the list off screen.
                        visible: row.detail.length > 0 && !(root.failed && row.detail === root.errorMessage)
                        text: row.detail
                        font.pixelSize: Theme.fontSmall
                        color: row.status === "failed" ? Theme.bad : Theme.mutedText
                        elide: Text.ElideRight
                    }
                }
            }
        }
    }

    Row {
        visible: !root.failed
        width: parent.width
        spacing: Theme.spacing
        layoutDirection: Qt.RightToLeft

        KioskButton {
            objectName: "cancelButton"
            text: qsTr("Cancel")
            onClicked: root.cancelRequested()
        }
    }
}

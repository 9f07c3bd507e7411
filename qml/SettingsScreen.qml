// SPDX-License-Identifier: Apache-2.0
// For the installer, not the everyday user (it sits behind a long press on
// the logo): the middleware this device provisions against, and resetting
// the device so it can be set up again. A reset asks first.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls

KioskPage {
    id: root

    property string middlewareUrl
    property string serial
    property string deviceId
    // For the About box: what support asks first.
    property string version
    property string hub
    property bool hubConnected: false
    // Set by the owner after a refused address.
    property string urlError
    property bool urlSaved: false
    readonly property alias urlField: urlField
    readonly property alias resetDialog: resetDialog

    signal saveUrlRequested(string url)
    signal resetConfirmed()
    signal closeRequested()

    title: qsTr("Settings")

    // Shows the current values again, dropping unsaved edits.
    function reload() {
        urlField.text = root.middlewareUrl;
        root.urlError = "";
        root.urlSaved = false;
    }

    onMiddlewareUrlChanged: urlField.text = middlewareUrl
    Component.onCompleted: urlField.text = middlewareUrl

    // The address with its label and its message: shown together while the
    // keyboard is up.
    Column {
        width: parent.width
        spacing: Math.round(6 * Theme.scale)

        Label {
            width: parent.width
            text: qsTr("Middleware address")
            font.pixelSize: Theme.fontSmall
            color: Theme.mutedText
        }
        Row {
            width: parent.width
            spacing: Theme.spacing

            KioskTextField {
                id: urlField
                objectName: "urlField"
                Accessible.name: qsTr("Middleware address")
                width: parent.width - saveButton.width - Theme.spacing
                font.pixelSize: Theme.fontBody
                inputMethodHints: Qt.ImhUrlCharactersOnly | Qt.ImhNoPredictiveText | Qt.ImhNoAutoUppercase
                placeholderText: "https://provisio.example:8443"
                onTextEdited: { root.urlError = ""; root.urlSaved = false; }
                onAccepted: root.saveUrlRequested(text)
            }
            KioskButton {
                id: saveButton
                objectName: "saveUrlButton"
                primary: true
                enabled: urlField.text !== root.middlewareUrl
                text: qsTr("Save")
                onClicked: root.saveUrlRequested(urlField.text)
            }
        }
        Label {
            objectName: "urlMessage"
            width: parent.width
            visible: text.length > 0
            wrapMode: Text.Wrap
            font.pixelSize: Theme.fontBody
            color: root.urlError.length > 0 ? Theme.bad : Theme.good
            text: root.urlError.length > 0 ? root.urlError : root.urlSaved ? qsTr("Saved.") : ""
        }
    }

    Label {
        width: parent.width
        text: root.deviceId.length > 0
              ? qsTr("Serial %1, device ID %2").arg(root.serial).arg(root.deviceId)
              : qsTr("Serial %1, not set up").arg(root.serial)
        font.pixelSize: Theme.fontSmall
        color: Theme.mutedText
        wrapMode: Text.Wrap
    }

    Row {
        width: parent.width
        spacing: Theme.spacing
        layoutDirection: Qt.RightToLeft

        KioskButton {
            objectName: "closeButton"
            primary: true
            text: qsTr("Done")
            onClicked: root.closeRequested()
        }
        KioskButton {
            objectName: "resetButton"
            destructive: true
            text: qsTr("Reset device…")
            onClicked: resetDialog.open()
        }
    }

    // About this device: version, addresses, whether the hub is reached and
    // the device's clock (a wrong clock breaks TLS and SAS tokens).
    Rectangle {
        objectName: "aboutBox"
        width: parent.width
        height: aboutGrid.implicitHeight + 2 * Theme.spacing
        radius: Theme.radius
        color: Theme.surface
        border.color: Theme.border
        Accessible.role: Accessible.Grouping
        Accessible.name: qsTr("About this device")

        Timer {
            id: clockTimer
            property date now: new Date()
            interval: 1000
            repeat: true
            running: root.visible
            triggeredOnStart: true
            onTriggered: now = new Date()
        }

        Column {
            id: aboutGrid
            x: Theme.margin
            y: Theme.spacing
            width: parent.width - 2 * Theme.margin
            spacing: Math.round(4 * Theme.scale)

            Repeater {
                model: [
                    { key: qsTr("Version"), value: root.version, name: "aboutVersion" },
                    { key: qsTr("Serial number"), value: root.serial, name: "aboutSerial" },
                    { key: qsTr("Device ID"), value: root.deviceId.length > 0 ? root.deviceId : qsTr("not set up"),
                      name: "aboutDeviceId" },
                    { key: qsTr("Service"), value: root.middlewareUrl, name: "aboutService" },
                    { key: qsTr("Hub"), value: root.hub.length === 0 ? qsTr("none yet")
                          : root.hubConnected ? qsTr("%1, reachable").arg(root.hub)
                                              : qsTr("%1, not reachable").arg(root.hub), name: "aboutHub" },
                    { key: qsTr("Clock"), value: Qt.formatDateTime(clockTimer.now, "yyyy-MM-dd HH:mm:ss")
                          + " (UTC " + clockTimer.now.toISOString().substring(11, 16) + ")", name: "aboutClock" },
                ]
                delegate: Item {
                    id: aboutRow
                    required property var modelData
                    width: aboutGrid.width
                    height: valueLabel.implicitHeight
                    Label {
                        width: Math.round(parent.width * 0.3)
                        text: aboutRow.modelData.key
                        font.pixelSize: Theme.fontSmall
                        color: Theme.mutedText
                        elide: Text.ElideRight
                    }
                    Label {
                        id: valueLabel
                        objectName: aboutRow.modelData.name
                        x: Math.round(parent.width * 0.3) + Theme.spacing
                        width: parent.width - x
                        text: aboutRow.modelData.value
                        font.pixelSize: Theme.fontSmall
                        color: Theme.text
                        wrapMode: Text.WrapAnywhere
                    }
                }
            }
        }
    }

    Dialog {
        id: resetDialog
        objectName: "resetDialog"
        parent: Overlay.overlay
        anchors.centerIn: parent
        width: Math.min(parent ? parent.width - 2 * Theme.margin : 600, Math.round(600 * Theme.scale))
        modal: true
        title: qsTr("Reset this device?")
        font.pixelSize: Theme.fontBody

        Label {
            width: parent.width
            wrapMode: Text.Wrap
            font.pixelSize: Theme.fontBody
            text: qsTr("The device forgets its hub, its credentials and any messages not sent yet. It has to be set up again with a new activation code.")
        }

        footer: Row {
            spacing: Theme.spacing
            padding: Theme.margin
            layoutDirection: Qt.RightToLeft
            width: resetDialog.width
            KioskButton {
                objectName: "confirmResetButton"
                destructive: true
                text: qsTr("Reset")
                onClicked: { resetDialog.close(); root.resetConfirmed(); }
            }
            KioskButton {
                objectName: "cancelResetButton"
                text: qsTr("Keep")
                onClicked: resetDialog.reject()
            }
        }
    }
}

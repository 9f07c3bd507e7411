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

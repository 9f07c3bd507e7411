// SPDX-License-Identifier: Apache-2.0
// Asks for the settings PIN (SettingsLock) before the settings open, when
// the installer set one. A wrong PIN says how many tries are left; after the
// last one the pad is locked and counts down until it takes PINs again.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import Provisio.Kiosk

Popup {
    id: root

    // What went wrong with the last PIN; the lockout has its own message.
    property string failure

    signal unlocked()

    readonly property string message: SettingsLock.lockedOut
            ? qsTr("Too many wrong PINs. Try again in %1 s.").arg(SettingsLock.secondsLeft)
            : root.failure

    function tryPin(pin: string) {
        pad.clear();
        if (SettingsLock.unlock(pin)) {
            root.failure = "";
            root.close();
            root.unlocked();
            return;
        }
        if (SettingsLock.lockedOut)
            root.failure = "";
        else if (SettingsLock.triesLeft === 1)
            root.failure = qsTr("Wrong PIN. 1 try left before the pad locks.");
        else
            root.failure = qsTr("Wrong PIN. %1 tries left before the pad locks.").arg(SettingsLock.triesLeft);
    }

    objectName: "settingsPinDialog"
    parent: Overlay.overlay
    anchors.centerIn: parent
    modal: true
    focus: true
    closePolicy: Popup.CloseOnEscape
    padding: Theme.margin

    onAboutToShow: {
        pad.clear();
        root.failure = "";
        pad.forceActiveFocus();
    }

    background: Rectangle {
        radius: Theme.radius
        color: Theme.background
        border.color: Theme.border
    }

    Row {
        spacing: Theme.margin

        Column {
            width: Math.round(280 * Theme.scale)
            height: pad.implicitHeight
            spacing: Theme.spacing

            Label {
                width: parent.width
                text: qsTr("Settings PIN")
                font.pixelSize: Theme.fontTitle
                font.bold: true
                color: Theme.text
                wrapMode: Text.Wrap
            }
            Label {
                width: parent.width
                text: qsTr("The settings are for the installer. Enter the PIN to open them.")
                font.pixelSize: Theme.fontBody
                color: Theme.mutedText
                wrapMode: Text.Wrap
            }
            Label {
                objectName: "pinMessage"
                width: parent.width
                visible: text.length > 0
                text: root.message
                font.pixelSize: Theme.fontBody
                font.bold: SettingsLock.lockedOut
                color: Theme.bad
                wrapMode: Text.Wrap
            }
            KioskButton {
                objectName: "pinCancel"
                text: qsTr("Cancel")
                onClicked: root.close()
            }
        }

        PinPad {
            id: pad
            objectName: "pinPad"
            width: implicitWidth
            enabled: !SettingsLock.lockedOut
            focus: true
            onSubmitted: pin => root.tryPin(pin)
        }
    }
}

// SPDX-License-Identifier: Apache-2.0
// Where the person types the activation code from the card, or, on the
// advanced path, the full key (ID scope, registration ID and symmetric key).
// Nothing leaves the screen until it checks out: an incomplete code keeps the
// button disabled with a count of what is missing, a mistyped one says so.
// Where the kiosk has a camera, the card's QR code can be scanned instead:
// a card for this device fills the code and activates, after asking first
// when the card names another middleware than the one the device uses.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import Provisio.Kiosk

KioskPage {
    id: root

    // Set by the owner when the device refused the input.
    property string errorText
    property bool fullKey: false
    // This device's serial (a scanned card must be for it) and the
    // middleware it uses now (a card naming another is asked about).
    property string serial
    property string middlewareUrl
    readonly property alias codeField: codeField
    readonly property alias scanPopup: scanPopup
    readonly property alias scanView: scanView
    readonly property alias switchDialog: switchDialog

    signal activateRequested(string code)
    signal fullKeyRequested(string idScope, string registrationId, string key)
    signal backRequested()
    // The person chose the scanned card's middleware; the owner sets
    // errorText when it refuses the address.
    signal middlewareUrlChangeRequested(string url)

    title: fullKey ? qsTr("Enter the full key") : qsTr("Enter your activation code")

    function submitCode() {
        if (!codeField.valid)
            return;
        root.activateRequested(codeField.code);
    }
    function submitFullKey() {
        root.fullKeyRequested(scopeField.text, registrationField.text, keyField.text);
    }
    function openScanner() {
        OnScreenKeyboard.hide();
        root.errorText = "";
        scanPopup.open();
    }
    // A card for this device was scanned: its code goes into the field, as
    // if typed, and on to activation.
    function takeCard(code: string, url: string) {
        scanPopup.close();
        root.fullKey = false;
        codeField.text = code;
        root.errorText = "";
        if (url.length > 0 && !root.sameService(url, root.middlewareUrl)) {
            switchDialog.cardUrl = url;
            switchDialog.open();
            return;
        }
        root.submitCode();
    }
    function sameService(a: string, b: string): bool {
        const clean = u => u.trim().toLowerCase().replace(/\/+$/, "");
        return clean(a) === clean(b);
    }
    // Back to an empty form, e.g. after a reset.
    function clear() {
        codeField.clear();
        scopeField.clear();
        registrationField.clear();
        keyField.clear();
        root.errorText = "";
        root.fullKey = false;
    }

    // The scan view belongs to this screen: it goes when the screen does.
    // Cameras are looked for only once it shows (see CardScan.watch).
    onVisibleChanged: {
        if (visible)
            CardScan.watch();
        else
            scanPopup.close();
    }

    // Switching paths goes straight to typing in the first field of the
    // other one (a field left focused on the hidden path would take the keys).
    onFullKeyChanged: {
        errorText = "";
        if (!visible)
            return;
        (fullKey ? scopeField : codeField).forceActiveFocus();
        OnScreenKeyboard.show();
    }

    // The activation code path: the field and, under it, what is missing or
    // wrong, kept together in view while the keyboard is up.
    Column {
        visible: !root.fullKey
        width: parent.width
        spacing: Math.round(6 * Theme.scale)

        ActivationCodeField {
            id: codeField
            objectName: "codeField"
            width: parent.width
            onAccepted: root.submitCode()
            onTextChanged: root.errorText = ""
        }

        Label {
            objectName: "codeMessage"
            width: parent.width
            wrapMode: Text.Wrap
            font.pixelSize: Theme.fontBody
            color: codeField.problem.length > 0 || root.errorText.length > 0 ? Theme.bad : Theme.mutedText
            text: {
                if (root.errorText.length > 0)
                    return root.errorText;
                if (codeField.problem.length > 0)
                    return codeField.problem;
                if (codeField.valid)
                    return qsTr("Complete. Tap Activate or ↵.");
                const missing = ActivationCode.length - codeField.code.length;
                return codeField.code.length === 0
                        ? qsTr("The 17 characters of the activation code on your card. The dashes are added for you.")
                        : qsTr("%n more character(s) to go.", "", missing);
            }
        }
    }

    Row {
        visible: !root.fullKey
        width: parent.width
        spacing: Theme.spacing
        layoutDirection: Qt.RightToLeft

        KioskButton {
            objectName: "activateButton"
            Accessible.description: qsTr("Sends the activation code and sets the device up")
            primary: true
            enabled: codeField.valid
            text: qsTr("Activate")
            onClicked: root.submitCode()
        }
        KioskButton {
            objectName: "backButton"
            text: qsTr("Back")
            onClicked: root.backRequested()
        }
        KioskButton {
            objectName: "fullKeyButton"
            flat: true
            text: qsTr("I have a full key")
            onClicked: root.fullKey = true
        }
    }

    // Only where a camera is there to scan with.
    KioskButton {
        objectName: "scanButton"
        visible: !root.fullKey && CardScan.available
        width: parent.width
        text: qsTr("Scan the card's QR code")
        onClicked: root.openScanner()
    }

    // The advanced path: each field with its label above it.
    Column {
        visible: root.fullKey
        width: parent.width
        spacing: Math.round(4 * Theme.scale)

        Label {
            width: parent.width
            text: qsTr("ID scope")
            font.pixelSize: Theme.fontSmall
            color: Theme.mutedText
        }
        KioskTextField {
            id: scopeField
            objectName: "scopeField"
            width: parent.width
            Accessible.name: qsTr("ID scope")
            placeholderText: qsTr("e.g. 0ne00000A0A")
            onAccepted: registrationField.forceActiveFocus()
            onTextChanged: root.errorText = ""
        }
    }
    Column {
        visible: root.fullKey
        width: parent.width
        spacing: Math.round(4 * Theme.scale)

        Label {
            width: parent.width
            text: qsTr("Registration ID")
            font.pixelSize: Theme.fontSmall
            color: Theme.mutedText
        }
        KioskTextField {
            id: registrationField
            objectName: "registrationField"
            width: parent.width
            Accessible.name: qsTr("Registration ID")
            placeholderText: qsTr("e.g. sn-0001")
            onAccepted: keyField.forceActiveFocus()
            onTextChanged: root.errorText = ""
        }
    }
    Column {
        visible: root.fullKey
        width: parent.width
        spacing: Math.round(4 * Theme.scale)

        Label {
            width: parent.width
            text: qsTr("Symmetric key")
            font.pixelSize: Theme.fontSmall
            color: Theme.mutedText
        }
        KioskTextField {
            id: keyField
            objectName: "keyField"
            width: parent.width
            Accessible.name: qsTr("Symmetric key")
            font.pixelSize: Theme.fontBody
            placeholderText: qsTr("base64, as shown by the back office")
            onAccepted: root.submitFullKey()
            onTextChanged: root.errorText = ""
        }
        // Here rather than under its own heading: the key is what is typed
        // last, so a refusal shows where the person is looking.
        Label {
            objectName: "fullKeyMessage"
            visible: root.errorText.length > 0
            width: parent.width
            topPadding: Math.round(4 * Theme.scale)
            wrapMode: Text.Wrap
            font.pixelSize: Theme.fontBody
            color: Theme.bad
            text: root.errorText
        }
    }
    Row {
        visible: root.fullKey
        width: parent.width
        spacing: Theme.spacing
        layoutDirection: Qt.RightToLeft

        KioskButton {
            objectName: "provisionButton"
            primary: true
            enabled: scopeField.text.length > 0 && registrationField.text.length > 0 && keyField.text.length > 0
            text: qsTr("Set up")
            onClicked: root.submitFullKey()
        }
        KioskButton {
            objectName: "codeButton"
            text: qsTr("Use a code instead")
            onClicked: root.fullKey = false
        }
    }

    // The scan view over the whole window: the camera's picture wants all
    // the room it can get, and nothing else on screen matters meanwhile.
    Popup {
        id: scanPopup
        objectName: "scanPopup"
        parent: Overlay.overlay
        x: 0
        y: 0
        width: parent ? parent.width : root.width
        height: parent ? parent.height : root.height
        modal: true
        closePolicy: Popup.CloseOnEscape
        padding: 0

        ScanView {
            id: scanView
            objectName: "scanView"
            anchors.fill: parent
            serial: root.serial
            active: scanPopup.visible
            onCardRead: (code, url) => root.takeCard(code, url)
            onCancelRequested: scanPopup.close()
        }
    }

    // The card names another middleware than the device uses: the person
    // (an installer, most likely) decides which one to ask.
    Dialog {
        id: switchDialog
        objectName: "switchServiceDialog"
        property string cardUrl
        parent: Overlay.overlay
        anchors.centerIn: parent
        width: Math.min(parent ? parent.width - 2 * Theme.margin : 640, Math.round(640 * Theme.scale))
        modal: true
        closePolicy: Popup.NoAutoClose
        title: qsTr("Use the card's service?")
        font.pixelSize: Theme.fontBody

        Label {
            objectName: "switchServiceText"
            width: parent.width
            wrapMode: Text.Wrap
            font.pixelSize: Theme.fontBody
            text: root.middlewareUrl.length > 0
                  ? qsTr("This card was issued by %1, but this device is set up to use %2.")
                        .arg(switchDialog.cardUrl).arg(root.middlewareUrl)
                  : qsTr("This card was issued by %1. This device has no service set yet.").arg(switchDialog.cardUrl)
        }

        footer: Row {
            spacing: Theme.spacing
            padding: Theme.margin
            layoutDirection: Qt.RightToLeft
            width: switchDialog.width
            KioskButton {
                objectName: "useCardServiceButton"
                primary: true
                text: qsTr("Use the card's")
                onClicked: {
                    switchDialog.close();
                    root.errorText = "";
                    root.middlewareUrlChangeRequested(switchDialog.cardUrl);
                    if (root.errorText.length === 0)
                        root.submitCode();
                }
            }
            KioskButton {
                objectName: "keepServiceButton"
                visible: root.middlewareUrl.length > 0
                text: qsTr("Keep the current one")
                onClicked: {
                    switchDialog.close();
                    root.submitCode();
                }
            }
        }
    }
}

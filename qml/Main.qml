// SPDX-License-Identifier: Apache-2.0
// The kiosk window: picks the screen from the device's state (Device
// singleton, which follows DeviceController's signals), keeps the on-screen
// keyboard from covering what is being typed, and scales everything from the
// 800×480 design size.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import Provisio.Kiosk

ApplicationWindow {
    id: root

    // "welcome" or "keyentry" while the device is not set up.
    property string page: "welcome"
    property bool settingsOpen: false
    // True from the start of a provisioning run until the device runs, so
    // that "connecting" right after setup shows progress, and after a boot
    // or a lost connection shows the dashboard.
    property bool provisioningInSession: Device.state === Device.Provisioning
    // A failure is shown until the person chooses to change the key.
    property bool reviewingFailure: true
    // The short "all set" moment between setup and the dashboard.
    property bool celebrating: false

    // The on-screen keyboard is loaded the first time a screen with text
    // fields shows, and kept: a provisioned kiosk that starts straight into
    // its dashboard never loads it.
    property bool keyboardWanted: false

    readonly property string screen: {
        if (settingsOpen)
            return "settings";
        if (celebrating)
            return "success";
        switch (Device.state) {
        case Device.Running:
            return "dashboard";
        case Device.Connecting:
            return provisioningInSession ? "progress" : "dashboard";
        case Device.Provisioning:
            return "progress";
        case Device.Failed:
            return reviewingFailure ? "progress" : page;
        default:
            return page;
        }
    }
    readonly property KioskPage currentPage: {
        switch (screen) {
        case "welcome": return welcome;
        case "keyentry": return keyEntry;
        case "progress": return progress;
        case "dashboard": return dashboard;
        case "success": return success;
        default: return settings;
        }
    }

    width: 800
    height: 480
    visible: true
    title: qsTr("Provisio")
    color: Theme.background

    onWidthChanged: Theme.scale = Math.max(1, Math.min(width / 800, height / 480))
    onHeightChanged: Theme.scale = Math.max(1, Math.min(width / 800, height / 480))
    // The code path of the key entry screen types on the code keypad, not on
    // the on-screen keyboard.
    readonly property bool codeKeypadShown: wantsCodeKeypad()
    // Read where the inputs just changed (a binding may not have caught up).
    function wantsCodeKeypad(): bool {
        return root.screen === "keyentry" && !keyEntry.fullKey && !keyEntry.scanPopup.visible;
    }
    onScreenChanged: {
        if (screen === "keyentry" || screen === "settings")
            keyboardWanted = true;
        else
            OnScreenKeyboard.hide(); // a screen without fields: no keyboard over it
        // A field left focused on a hidden screen would keep the keyboard up
        // and take the keys.
        let focused = root.activeFocusItem;
        while (focused && focused !== root.currentPage)
            focused = focused.parent;
        if (root.activeFocusItem && !focused)
            root.contentItem.forceActiveFocus();
    }

    // Typing the code, with the on-screen keyboard up: a tap on the field
    // does that by itself, a screen that opens on the field does it here.
    function startTypingCode() {
        keyEntry.codeField.forceActiveFocus();
    }
    // "Re-type the code" after a refusal: an empty field, the caret in it.
    function retypeCode() {
        root.reviewingFailure = false;
        keyEntry.clear();
        root.page = "keyentry";
        root.startTypingCode();
    }

    Connections {
        target: Device
        function onStateChanged() {
            switch (Device.state) {
            case Device.Provisioning:
                root.provisioningInSession = true;
                root.reviewingFailure = true;
                break;
            case Device.Running:
                // Set up in this session: a moment of success first. The code
                // is used up: it leaves the field, so nothing can send it again.
                if (root.provisioningInSession)
                    root.celebrating = true;
                root.provisioningInSession = false;
                keyEntry.clear();
                break;
            case Device.Unprovisioned:
                root.provisioningInSession = false;
                if (root.page !== "keyentry")
                    root.page = "welcome";
                break;
            case Device.Failed:
                root.reviewingFailure = true;
                break;
            }
        }
        function onFailed() {
            progress.armNextStep();
        }
    }

    Shortcut {
        sequence: "Ctrl+Shift+S"
        onActivated: root.openSettings()
    }
    // The long press on the logo and Ctrl+Shift+S both come here: with a
    // settings PIN set, the PIN pad stands in between.
    function openSettings() {
        if (root.settingsOpen)
            return;
        if (SettingsLock.enabled)
            pinDialog.open();
        else
            root.showSettings();
    }
    function showSettings() {
        settings.reload();
        root.settingsOpen = true;
    }
    SettingsPinDialog {
        id: pinDialog
        onUnlocked: root.showSettings()
    }

    KioskHeader {
        id: header
        visible: !inputPanel.shown && !codeKeypad.visible
        width: parent.width
        height: visible ? implicitHeight : 0
        serial: Device.serial
        status: Device.state === Device.Running || Device.state === Device.Connecting
                ? (Device.connected ? qsTr("Online") : qsTr("Offline")) : ""
        onSettingsRequested: root.openSettings()
    }

    Item {
        id: screens
        anchors.top: header.bottom
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.bottom: inputPanel.shown ? inputPanel.top : codeKeypad.visible ? codeKeypad.top : parent.bottom

        WelcomeScreen {
            id: welcome
            objectName: "welcomeScreen"
            anchors.fill: parent
            visible: root.screen === "welcome"
            serial: Device.serial
            onStartRequested: {
                root.page = "keyentry";
                root.startTypingCode();
            }
        }
        KeyEntryScreen {
            id: keyEntry
            objectName: "keyEntryScreen"
            anchors.fill: parent
            compact: inputPanel.shown || codeKeypad.visible
            visible: root.screen === "keyentry"
            serial: Device.serial
            middlewareUrl: Device.middlewareUrl
            onMiddlewareUrlChangeRequested: url => {
                keyEntry.errorText = Device.setMiddlewareUrl(url);
            }
            onActivateRequested: code => {
                // Once per code: ↵ and Activate both come here, and the
                // field is emptied as soon as the code has gone out.
                if (!Device.activate(code))
                    keyEntry.errorText = Device.errorMessage;
                else
                    keyEntry.codeField.clear();
            }
            onFullKeyRequested: (idScope, registrationId, key) => {
                keyEntry.errorText = Device.provisionWithKey(idScope, registrationId, key);
            }
            onBackRequested: root.page = "welcome"
        }
        ProgressScreen {
            id: progress
            objectName: "progressScreen"
            anchors.fill: parent
            visible: root.screen === "progress"
            steps: Device.steps
            failed: Device.state === Device.Failed
            errorMessage: Device.errorMessage
            canRetry: Device.canRetry
            errorKind: Device.errorKind
            retryAfterSeconds: Device.retryAfterSeconds
            trackingId: Device.trackingId
            attemptsLeft: Device.attemptsLeft
            serial: Device.serial
            onRetryRequested: Device.retry()
            onEditRequested: root.retypeCode()
            onCancelRequested: {
                root.page = "keyentry";
                Device.cancel();
            }
        }
        SuccessScreen {
            id: success
            objectName: "successScreen"
            anchors.fill: parent
            visible: root.screen === "success"
            deviceName: dashboard.displayName
            onContinueRequested: root.celebrating = false
        }
        DashboardScreen {
            id: dashboard
            objectName: "dashboardScreen"
            anchors.fill: parent
            visible: root.screen === "dashboard"
            connected: Device.connected
            connecting: Device.state === Device.Connecting
            hub: Device.hub
            deviceId: Device.deviceId
            sent: Device.messagesSent
            queued: Device.messagesQueued
            dropped: Device.messagesDropped
            lastTelemetry: Device.lastTelemetry
            desired: Device.desired
            intervalMs: Device.telemetryIntervalMs
        }
        SettingsScreen {
            id: settings
            objectName: "settingsScreen"
            anchors.fill: parent
            compact: inputPanel.shown
            visible: root.screen === "settings"
            middlewareUrl: Device.middlewareUrl
            serial: Device.serial
            deviceId: Device.deviceId
            version: Device.version
            hub: Device.hub
            hubConnected: Device.connected
            onSaveUrlRequested: url => {
                settings.urlError = Device.setMiddlewareUrl(url);
                settings.urlSaved = settings.urlError.length === 0;
            }
            onResetConfirmed: {
                Device.reset();
                keyEntry.clear();
                root.page = "welcome";
                root.settingsOpen = false;
            }
            onCloseRequested: root.settingsOpen = false
        }
    }

    // The on-screen keyboard, docked at the bottom while a field wants input.
    // Qt Virtual Keyboard shows its panel exactly while the input method is
    // visible, so that is what the layout follows.
    // The code keypad, docked at the bottom while the code is being typed.
    CodeKeypad {
        id: codeKeypad
        objectName: "codeKeypad"
        z: 98
        width: root.width
        y: root.height - height
        visible: root.codeKeypadShown
        typedLength: keyEntry.codeField.code.length
        canSubmit: keyEntry.codeField.valid
        onCharacterTapped: character => {
            keyEntry.codeField.forceActiveFocus();
            keyEntry.codeField.typeCharacter(character);
        }
        onBackspaceTapped: {
            keyEntry.codeField.forceActiveFocus();
            keyEntry.codeField.backspace();
        }
        onEnterTapped: keyEntry.submitCode()
        onVisibleChanged: if (visible) OnScreenKeyboard.hide()
    }
    Connections {
        target: OnScreenKeyboard
        // A tap on the code field asks for the on-screen keyboard: the
        // keypad is what types there.
        function onVisibleChanged() {
            if (OnScreenKeyboard.visible && root.wantsCodeKeypad())
                OnScreenKeyboard.hide();
        }
    }

    Loader {
        id: inputPanel
        objectName: "inputPanel"
        readonly property bool shown: status === Loader.Ready && OnScreenKeyboard.visible && !root.codeKeypadShown
                                      && (root.screen === "keyentry" || root.screen === "settings")
        z: 99
        x: 0
        width: root.width
        y: shown ? root.height - height : root.height
        active: root.keyboardWanted
        source: "KeyboardPanel.qml"
        onStatusChanged: {
            if (status === Loader.Error)
                console.warn("The on-screen keyboard is not available (Qt Virtual Keyboard and its QML "
                             + "dependencies must be installed); text can still be typed on a keyboard.");
        }
    }
}

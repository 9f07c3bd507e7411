// SPDX-License-Identifier: Apache-2.0
// The settings PIN: the pad takes digits by touch and by keyboard and shows
// only dots; a wrong PIN says how many tries are left, the third locks the
// pad with a countdown, and the right PIN opens the settings only once the
// lockout is over. In the window, the long press on the logo asks for the
// PIN when one is set and opens the settings straight away when none is.
import QtQuick
import QtTest
import Provisio.Kiosk
import Provisio.Kiosk.Testing

Item {
    id: scene
    width: 800
    height: 480

    TestCase {
        id: testCase
        name: "SettingsPin"
        when: windowShown

        Component {
            id: padComponent
            PinPad { width: 320 }
        }
        Component {
            id: dialogComponent
            SettingsPinDialog {}
        }
        Component {
            id: windowComponent
            Main {}
        }
        SignalSpy { id: submittedSpy; signalName: "submitted" }
        SignalSpy { id: unlockedSpy; signalName: "unlocked" }

        function init() {
            verify(KioskTest.setSettingsPin("", 30000));
        }
        function cleanupTestCase() {
            KioskTest.setSettingsPin("", 30000);
        }

        function tapKeys(pad, digits) {
            for (let i = 0; i < digits.length; ++i)
                mouseClick(findChild(pad, "pinKey" + digits[i]));
        }

        function test_pad() {
            const pad = createTemporaryObject(padComponent, scene);
            submittedSpy.clear(); submittedSpy.target = pad;
            const key = findChild(pad, "pinKey5");
            verify(key.width >= 64 && key.height >= 56, "large keys: " + key.width + "×" + key.height);
            verify(!findChild(pad, "pinOk").enabled, "nothing to submit yet");

            tapKeys(pad, "1397");
            compare(pad.entered, "1397");
            compare(findChild(pad, "pinDots").children[0].text, "••••", "dots, never the digits");
            // A screen reader hears how many digits, never which.
            Language.setLanguage("en");
            compare(findChild(pad, "pinDots").Accessible.name, "PIN: 4 digits typed");
            compare(findChild(pad, "pinErase").Accessible.name, "Erase the last digit");
            mouseClick(findChild(pad, "pinErase"));
            compare(pad.entered, "139");
            tapKeys(pad, "0");
            mouseClick(findChild(pad, "pinOk"));
            compare(submittedSpy.count, 1);
            compare(submittedSpy.signalArguments[0][0], "1390");

            // The keyboard works too.
            pad.clear();
            pad.forceActiveFocus();
            keyClick("4"); keyClick("2"); keyClick("x"); keyClick("7");
            compare(pad.entered, "427");
            keyClick(Qt.Key_Backspace);
            keyClick(Qt.Key_Return);
            compare(submittedSpy.count, 2);
            compare(submittedSpy.signalArguments[1][0], "42");
        }

        function openDialog() {
            const dialog = createTemporaryObject(dialogComponent, scene);
            unlockedSpy.clear(); unlockedSpy.target = dialog;
            dialog.open();
            tryVerify(() => dialog.opened);
            return dialog;
        }

        function test_rightPinOpens() {
            verify(KioskTest.setSettingsPin("2468", 30000));
            verify(SettingsLock.enabled);
            const dialog = openDialog();
            const pad = findChild(dialog.contentItem, "pinPad");
            tapKeys(pad, "2468");
            mouseClick(findChild(pad, "pinOk"));
            compare(unlockedSpy.count, 1);
            tryVerify(() => !dialog.visible);
        }

        function test_threeWrongPinsLockThePad() {
            verify(KioskTest.setSettingsPin("2468", 30000));
            const dialog = openDialog();
            const pad = findChild(dialog.contentItem, "pinPad");
            const message = findChild(dialog.contentItem, "pinMessage");
            verify(!message.visible);

            tapKeys(pad, "1111");
            mouseClick(findChild(pad, "pinOk"));
            compare(message.text, "Wrong PIN. 2 tries left before the pad locks.");
            verify(message.visible);
            compare(pad.entered, "", "a wrong PIN is cleared");
            dialog.tryPin("2222");
            compare(message.text, "Wrong PIN. 1 try left before the pad locks.");
            dialog.tryPin("3333");
            verify(SettingsLock.lockedOut);
            compare(SettingsLock.secondsLeft, 30);
            compare(message.text, "Too many wrong PINs. Try again in 30 s.");
            verify(!pad.enabled, "the pad takes no PIN meanwhile");
            verify(!findChild(pad, "pinKey1").enabled);

            // Not even the right PIN while locked.
            dialog.tryPin("2468");
            compare(unlockedSpy.count, 0);
            verify(dialog.visible);
            // Closing and opening again does not lift the lockout.
            dialog.close();
            tryVerify(() => !dialog.visible);
            dialog.open();
            tryVerify(() => dialog.opened);
            compare(message.text, "Too many wrong PINs. Try again in 30 s.");
        }

        function test_lockoutEnds() {
            verify(KioskTest.setSettingsPin("2468", 1500));
            const dialog = openDialog();
            const message = findChild(dialog.contentItem, "pinMessage");
            dialog.tryPin("0000");
            dialog.tryPin("0000");
            dialog.tryPin("0000");
            verify(SettingsLock.lockedOut);
            compare(message.text, "Too many wrong PINs. Try again in 2 s.");
            tryCompare(message, "text", "Too many wrong PINs. Try again in 1 s.", 3000, "counts down");
            tryVerify(() => !SettingsLock.lockedOut, 3000);
            compare(SettingsLock.triesLeft, 3, "a fresh set of tries");
            verify(!message.visible);
            verify(findChild(dialog.contentItem, "pinPad").enabled);
            dialog.tryPin("2468");
            compare(unlockedSpy.count, 1);
        }

        function openWindow() {
            const kiosk = createTemporaryObject(windowComponent, scene);
            verify(kiosk);
            kiosk.requestActivate();
            tryVerify(() => kiosk.active, 5000);
            return kiosk;
        }
        function test_windowWithoutPin() {
            verify(!SettingsLock.enabled);
            const kiosk = openWindow();
            const logo = findChild(kiosk, "logo");
            mousePress(logo);
            tryVerify(() => kiosk.settingsOpen, 5000, "the long press alone opens the settings");
            mouseRelease(logo);
            verify(findChild(kiosk, "settingsScreen").visible);
        }

        function test_windowWithPin() {
            verify(KioskTest.setSettingsPin("2468", 30000));
            const kiosk = openWindow();
            const logo = findChild(kiosk, "logo");
            mousePress(logo);
            const dialog = findChild(kiosk, "settingsPinDialog");
            verify(dialog);
            tryVerify(() => dialog.opened, 5000, "the long press asks for the PIN");
            mouseRelease(logo);
            verify(!kiosk.settingsOpen);

            // Ctrl+Shift+S is no way around it.
            keyClick(Qt.Key_S, Qt.ControlModifier | Qt.ShiftModifier);
            verify(!kiosk.settingsOpen);

            keyClick("1"); keyClick("2"); keyClick("3"); keyClick("4");
            keyClick(Qt.Key_Return);
            tryCompare(findChild(dialog.contentItem, "pinMessage"), "text",
                       "Wrong PIN. 2 tries left before the pad locks.");
            verify(!kiosk.settingsOpen);

            keyClick("2"); keyClick("4");
            if (KioskTest.screenshots)
                verify(KioskTest.saveScreenshot(kiosk, "settings-pin"));
            keyClick("6"); keyClick("8");
            keyClick(Qt.Key_Return);
            tryVerify(() => kiosk.settingsOpen);
            tryVerify(() => !dialog.visible);
            verify(findChild(kiosk, "settingsScreen").visible);
        }
    }
}

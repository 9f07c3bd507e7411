// SPDX-License-Identifier: Apache-2.0
// The kiosk's window with Qt Virtual Keyboard (the runner is started with
// QT_IM_MODULE=qtvirtualkeyboard, as provisio-kiosk sets it): a screen that
// opens on a field brings the keyboard up, tapping any field does, and the
// field being typed in — with its label and its message — is never under the
// keyboard, however far down the screen it sits. The Device singleton is a
// real one over an unprovisioned DeviceController (see tst_kioskqml.cpp).
import QtQuick
import QtTest
import QtQuick.VirtualKeyboard.Settings
import Provisio.Kiosk

Item {
    id: scene

    TestCase {
        id: testCase
        name: "MainWindow"
        when: windowShown

        Component {
            id: windowComponent
            Main {}
        }

        property var kiosk: null
        property Item panel: null

        function openKiosk() {
            kiosk = createTemporaryObject(windowComponent, scene);
            verify(kiosk);
            compare(kiosk.width, 800);
            compare(kiosk.height, 480);
            kiosk.requestActivate();
            tryVerify(() => kiosk.active, 5000, "the kiosk kiosk takes the keyboard focus");
            panel = findChild(kiosk, "inputPanel");
            verify(panel);
            // The welcome screen has no text field: the keyboard is not even
            // loaded until a screen with fields shows.
            compare(panel.status, Loader.Null, "no keyboard loaded on the welcome screen");
            verify(!panel.shown, "no keyboard before a field wants input");
        }

        function item(name) {
            // Repeaters' items are visual children only: the window's
            // content item first.
            const found = findChild(kiosk.contentItem, name) || findChild(kiosk, name);
            verify(found, name);
            return found;
        }
        function sceneTop(it) { return it.mapToItem(null, 0, 0).y; }
        function type(text) {
            for (let i = 0; i < text.length; ++i)
                keyClick(text[i]);
        }

        // The keyboard is up, `it` has the focus and `it` (and `also`, e.g.
        // its message) is wholly on screen: under the top of its page and
        // above the keyboard's top edge.
        function verifyTypingVisibly(it, page, also) {
            settle(it);
            for (const shown of also || [])
                settle(shown);
            tryVerify(() => panel.shown, 3000, "the keyboard is up");
            tryVerify(() => it.activeFocus, 3000, "the field has the focus");
            const keyboardTop = sceneTop(panel);
            verify(keyboardTop < kiosk.height, "the panel is on screen");
            verify(keyboardTop > kiosk.height / 3, "the panel is docked at the bottom");
            for (const shown of [it].concat(also || [])) {
                tryVerify(() => sceneTop(shown) + shown.height <= sceneTop(panel),
                          3000, shown.objectName + " ends above the keyboard: bottom "
                          + (sceneTop(shown) + shown.height) + ", keyboard top " + sceneTop(panel));
                verify(sceneTop(shown) >= sceneTop(page),
                       shown.objectName + " starts below the top of its page: " + sceneTop(shown));
            }
        }

        // Positioners lay out just before a frame: the geometry is only
        // worth checking once they have.
        function settle(it) {
            for (let up = it; up; up = up.parent) {
                if (isPolishScheduled(up))
                    verify(waitForItemPolished(up));
            }
            wait(0); // the page scrolls right after the layout
        }

        function openKeyEntry() {
            mouseClick(item("startButton"));
            tryVerify(() => item("keyEntryScreen").visible);
        }
        // Taps the keypad's keys for `code` (canonical: upper case, no
        // dashes), one tap per character; returns the number of taps.
        function tapCode(code) {
            let taps = 0;
            for (const c of code) {
                const key = item("codeKey_" + c);
                verify(key.visible && key.enabled, "key " + c + " can be tapped");
                mouseClick(key);
                ++taps;
            }
            return taps;
        }

        function test_codeEntryOpensWithTheCodeKeypad() {
            openKiosk();
            const header = item("logo");
            verify(header.visible);
            openKeyEntry();
            const page = item("keyEntryScreen");
            const field = item("codeField");
            const keypad = item("codeKeypad");
            tryVerify(() => keypad.visible, 3000, "the code keypad is up");
            tryVerify(() => field.activeFocus, 3000, "the field has the caret");
            verify(!panel.shown, "no on-screen keyboard over the code keypad");
            verify(page.compact, "the page gives its room to the keypad");
            settle(field);
            const keypadTop = sceneTop(keypad);
            for (const shown of [field, item("codeMessage"), item("activateButton")])
                tryVerify(() => sceneTop(shown) + shown.height <= keypadTop, 3000,
                          shown.objectName + " ends above the keypad");

            // Leaving the screen puts the keypad away.
            mouseClick(item("backButton"));
            tryVerify(() => item("welcomeScreen").visible);
            verify(!keypad.visible);
            verify(header.visible);
            verify(!page.compact);
        }

        function test_seventeenCharactersInSeventeenTaps() {
            openKiosk();
            openKeyEntry();
            const field = item("codeField");
            const message = item("codeMessage");
            compare(tapCode("98ES67WCE"), 9);
            compare(field.text, "98ES-67WC-E", "the dashes come by themselves");
            compare(message.text, "8 more characters to go.");
            verify(!item("codeKey_*").enabled, "check-only symbols only where a check character stands");
            compare(tapCode("WATZJSGG"), 8);
            compare(field.text, "98ES-67WC-EWAT-ZJSG-G");
            verify(field.valid);
            verify(item("activateButton").enabled);
            verify(item("codeKeyEnter").enabled);
            verify(!item("codeKey_A").enabled, "17 characters: nothing more goes in");
            // ⌫ takes the last character out, the keys open again.
            mouseClick(item("codeKeyBackspace"));
            compare(field.text, "98ES-67WC-EWAT-ZJSG");
            verify(item("codeKey_$").enabled, "an older card's check symbol can be typed as the 17th");
            verify(!item("codeKeyEnter").enabled);
        }

        function test_tappingTheCodeFieldKeepsTheKeypad() {
            openKiosk();
            openKeyEntry();
            const field = item("codeField");
            mouseClick(field);
            tryVerify(() => field.activeFocus);
            wait(100);
            verify(!panel.shown, "the code field types on the keypad, not the keyboard");
            verify(item("codeKeypad").visible);
        }

        // ↵ on the keypad is the Activate button: it sends the code once and
        // the keypad goes. The runner's middleware is not there (port 1), so
        // the device ends in the outage state, which says it tries again by
        // itself and offers "Try now".
        function test_enterActivatesOnceAndAnOutageSaysItRetries() {
            openKiosk();
            openKeyEntry();
            tapCode("98ES67WCEWATZJSGG");
            mouseClick(item("codeKeyEnter"));
            tryVerify(() => Device.state === Device.Failed, 10000, "the unreachable service fails the attempt");
            const progress = item("progressScreen");
            tryVerify(() => progress.visible);
            verify(!item("codeKeypad").visible, "the keypad goes with the code");
            verify(!panel.shown);
            verify(item("logo").visible, "the header is back");
            compare(Device.errorKind, "outage");
            verify(item("nextStepMessage").text.indexOf("tries again by itself") >= 0, item("nextStepMessage").text);
            verify(progress.countdown > 0, "the automatic retry is counting down");
            verify(item("supportReference").text.indexOf("SN-QML-1") >= 0);
            const retry = item("retryButton");
            compare(retry.text, "Try now");
            mouseClick(retry);
            tryVerify(() => Device.state === Device.Failed && progress.countdown > 0, 10000, "tried again at once");
            // "Type the code again": an empty field with the caret in it.
            mouseClick(item("editButton"));
            tryVerify(() => item("keyEntryScreen").visible);
            compare(item("codeField").text, "");
            tryVerify(() => item("codeField").activeFocus);
            Device.reset();
        }

        function test_everyFullKeyFieldStaysAboveTheKeyboard() {
            openKiosk();
            openKeyEntry();
            const page = item("keyEntryScreen");
            tryCompare(panel, "status", Loader.Ready, 5000, "Qt Virtual Keyboard is installed and loads");
            mouseClick(item("fullKeyButton"));
            const scope = item("scopeField");
            const registration = item("registrationField");
            const key = item("keyField");
            verifyTypingVisibly(scope, page);
            type("0ne00AB12");
            keyClick(Qt.Key_Return);
            verifyTypingVisibly(registration, page);
            type("sn-0001");
            keyClick(Qt.Key_Return);
            // The last field sits far below the fold: the page scrolls to it.
            verifyTypingVisibly(key, page);
            verify(page.contentY > 0, "the page scrolled");
            type("tooshort");
            keyClick(Qt.Key_Return);
            // The refusal shows under the field, also above the keyboard.
            const message = item("fullKeyMessage");
            tryVerify(() => message.visible && message.text.length > 0);
            verifyTypingVisibly(key, page, [message]);

            // Back up to the first field by tapping it once it is scrolled
            // into view again.
            page.contentY = 0;
            mouseClick(scope);
            verifyTypingVisibly(scope, page);
        }

        // The language picker on the welcome screen: the window and the
        // on-screen keyboard's layout follow at once.
        function test_keyboardFollowsTheLanguage() {
            openKiosk();
            mouseClick(item("language_de"));
            compare(Language.current, "de");
            compare(item("startButton").text, "Aktivierungscode eingeben");
            kiosk.openSettings();
            const field = item("urlField");
            tryVerify(() => field.visible);
            mouseClick(field);
            tryVerify(() => panel.shown, 5000);
            tryCompare(VirtualKeyboardSettings, "locale", "de_DE");
            Language.setLanguage("en");
            tryCompare(VirtualKeyboardSettings, "locale", "en_US");
            compare(item("startButton").text, "Enter activation code");
        }

        function test_settingsAddressStaysAboveTheKeyboard() {
            openKiosk();
            kiosk.openSettings();
            const page = item("settingsScreen");
            tryVerify(() => page.visible);
            const field = item("urlField");
            mouseClick(field);
            verifyTypingVisibly(field, page);
            keyClick(Qt.Key_A, Qt.ControlModifier);
            type("http://insecure.example");
            keyClick(Qt.Key_Return);
            const message = item("urlMessage");
            tryVerify(() => message.text.indexOf("https://") >= 0, 3000, message.text);
            verifyTypingVisibly(field, page, [message]);
            compare(Device.middlewareUrl, "https://127.0.0.1:1", "a refused address changes nothing");
        }
    }
}

// SPDX-License-Identifier: Apache-2.0
// The kiosk's window with Qt Virtual Keyboard (the runner is started with
// QT_IM_MODULE=qtvirtualkeyboard, as provisio-kiosk sets it): a screen that
// opens on a field brings the keyboard up, tapping any field does, and the
// field being typed in — with its label and its message — is never under the
// keyboard, however far down the screen it sits. The Device singleton is a
// real one over an unprovisioned DeviceController (see tst_kioskqml.cpp).
import QtQuick
import QtTest
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
            const found = findChild(kiosk, name);
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
            tryCompare(panel, "status", Loader.Ready, 5000, "Qt Virtual Keyboard is installed and loads");
        }

        function test_codeEntryOpensWithTheKeyboard() {
            openKiosk();
            const header = item("logo");
            verify(header.visible);
            openKeyEntry();
            const page = item("keyEntryScreen");
            const field = item("codeField");
            const message = item("codeMessage");
            verifyTypingVisibly(field, page, [message]);
            verify(page.compact, "the page gives its room to the keyboard");

            // Partly typed: grouped as typed, still in view with the count.
            type("98es67wce");
            compare(field.text, "98ES-67WC-E");
            compare(message.text, "8 more characters to go.");
            verifyTypingVisibly(field, page, [message]);
            // Complete: the Activate button is in view as well.
            type("watzjsgg");
            verifyTypingVisibly(field, page, [message, item("activateButton")]);
            verify(item("activateButton").enabled);

            // Leaving the screen puts the keyboard away.
            mouseClick(item("backButton"));
            tryVerify(() => item("welcomeScreen").visible);
            tryVerify(() => !panel.shown, 3000, "the keyboard goes with the field");
            verify(!page.compact);
        }

        function test_tappingTheFieldBringsTheKeyboardBack() {
            openKiosk();
            openKeyEntry();
            const field = item("codeField");
            tryVerify(() => panel.shown);
            OnScreenKeyboard.hide();
            tryVerify(() => !panel.shown);
            mouseClick(field);
            verifyTypingVisibly(field, item("keyEntryScreen"), [item("codeMessage")]);
        }

        function test_everyFullKeyFieldStaysAboveTheKeyboard() {
            openKiosk();
            openKeyEntry();
            const page = item("keyEntryScreen");
            tryVerify(() => panel.shown);
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

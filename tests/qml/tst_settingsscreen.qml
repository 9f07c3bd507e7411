// SPDX-License-Identifier: Apache-2.0
// The settings screen: the middleware address with its validation message,
// and a reset that only happens after it is confirmed.
import QtQuick
import QtQuick.Controls
import QtTest
import Provisio.Kiosk

Item {
    id: scene
    width: 800
    height: 480

    TestCase {
        id: testCase
        name: "SettingsScreen"
        when: windowShown

        Component {
            id: screenComponent
            SettingsScreen { width: 800; height: 428; middlewareUrl: "https://mw.example:8443"; serial: "SN-1" }
        }
        SignalSpy { id: saveSpy; signalName: "saveUrlRequested" }
        SignalSpy { id: resetSpy; signalName: "resetConfirmed" }
        SignalSpy { id: closeSpy; signalName: "closeRequested" }

        function createScreen() {
            const screen = createTemporaryObject(screenComponent, scene);
            verify(screen);
            for (const spy of [saveSpy, resetSpy, closeSpy]) {
                spy.clear();
                spy.target = screen;
            }
            return screen;
        }

        function test_editAndSaveAddress() {
            const screen = createScreen();
            const field = findChild(screen, "urlField");
            const save = findChild(screen, "saveUrlButton");
            compare(field.text, "https://mw.example:8443");
            verify(!save.enabled, "nothing to save");
            field.forceActiveFocus();
            field.selectAll();
            keyClick(Qt.Key_Backspace);
            for (const c of "https://other:9443")
                keyClick(c);
            verify(save.enabled);
            mouseClick(save);
            compare(saveSpy.count, 1);
            compare(saveSpy.signalArguments[0][0], "https://other:9443");

            screen.urlError = "The address must start with https://";
            const message = findChild(screen, "urlMessage");
            verify(message.visible);
            compare(message.text, "The address must start with https://");
            field.forceActiveFocus();
            keyClick("0");
            compare(screen.urlError, "", "editing clears the message");

            screen.urlSaved = true;
            compare(message.text, "Saved.");
            screen.reload();
            compare(field.text, "https://mw.example:8443");
            verify(!message.visible);
        }

        function test_resetNeedsConfirmation() {
            const screen = createScreen();
            const dialog = screen.resetDialog;
            mouseClick(findChild(screen, "resetButton"));
            tryVerify(() => dialog.opened);
            compare(resetSpy.count, 0);
            mouseClick(findChild(dialog.footer, "cancelResetButton"));
            tryVerify(() => !dialog.visible);
            compare(resetSpy.count, 0, "keeping is the safe choice");

            mouseClick(findChild(screen, "resetButton"));
            tryVerify(() => dialog.opened);
            mouseClick(findChild(dialog.footer, "confirmResetButton"));
            compare(resetSpy.count, 1);
            tryVerify(() => !dialog.visible);
        }

        function test_done() {
            const screen = createScreen();
            mouseClick(findChild(screen, "closeButton"));
            compare(closeSpy.count, 1);
        }
    }
}

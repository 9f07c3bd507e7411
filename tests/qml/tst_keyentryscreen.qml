// SPDX-License-Identifier: Apache-2.0
// The key entry screen: nothing is sent until the code checks out, the
// inline message says what is missing or wrong, and the full-key path hands
// over exactly what was typed. A scanned card fills the code and activates
// (asking first when it names another middleware); other QR codes get a plain
// message. The scan button needs a camera, which the offscreen tests lack; the
// scan view is opened through openScanner() and fed decoded texts directly.
import QtQuick
import QtTest
import Provisio.Kiosk

Item {
    id: scene
    width: 800
    height: 480

    TestCase {
        id: testCase
        name: "KeyEntryScreen"
        when: windowShown

        Component {
            id: screenComponent
            KeyEntryScreen {
                width: 800; height: 480
                serial: "SN-0001"
                middlewareUrl: "https://provisio.example:8443"
            }
        }
        SignalSpy { id: activateSpy; signalName: "activateRequested" }
        SignalSpy { id: urlSpy; signalName: "middlewareUrlChangeRequested" }
        SignalSpy { id: fullKeySpy; signalName: "fullKeyRequested" }
        SignalSpy { id: backSpy; signalName: "backRequested" }

        function createScreen() {
            const screen = createTemporaryObject(screenComponent, scene);
            verify(screen);
            activateSpy.clear(); activateSpy.target = screen;
            fullKeySpy.clear(); fullKeySpy.target = screen;
            backSpy.clear(); backSpy.target = screen;
            urlSpy.clear(); urlSpy.target = screen;
            return screen;
        }
        function type(text) {
            for (let i = 0; i < text.length; ++i)
                keyClick(text[i]);
        }

        function test_activateOnlyWhenValid() {
            const screen = createScreen();
            const button = findChild(screen, "activateButton");
            const message = findChild(screen, "codeMessage");
            verify(button.visible);
            verify(!button.enabled, "nothing typed");
            compare(message.text, "The 17 characters of the activation code on your card. The dashes are added for you.");

            screen.codeField.forceActiveFocus();
            type("98es67wcewat");
            verify(!button.enabled, "incomplete");
            compare(message.text, "5 more characters to go.");

            type("zjsgh");
            verify(!button.enabled, "wrong check character");
            verify(message.text.indexOf("mistyped") >= 0, message.text);
            compare(message.color, Qt.color("#c62828"));

            keyClick(Qt.Key_Backspace);
            keyClick("g");
            verify(button.enabled);
            compare(message.text, "Complete. Tap Activate or ↵.");

            mouseClick(button);
            compare(activateSpy.count, 1);
            compare(activateSpy.signalArguments[0][0], "98ES67WCEWATZJSGG");
        }

        function test_enterKeySubmitsOnlyAValidCode() {
            const screen = createScreen();
            screen.codeField.forceActiveFocus();
            type("98ES67WCEWATZJSGH");
            keyClick(Qt.Key_Return);
            compare(activateSpy.count, 0, "a mistyped code is never sent");
            keyClick(Qt.Key_Backspace);
            type("G");
            keyClick(Qt.Key_Return);
            compare(activateSpy.count, 1);
        }

        function test_refusalIsShownUntilTheCodeChanges() {
            const screen = createScreen();
            screen.codeField.forceActiveFocus();
            type("98ES67WCEWATZJSGG");
            screen.errorText = "That code was already used.";
            const message = findChild(screen, "codeMessage");
            compare(message.text, "That code was already used.");
            keyClick(Qt.Key_Backspace);
            compare(screen.errorText, "");
            compare(message.text, "1 more character to go.");
        }

        function test_back() {
            const screen = createScreen();
            mouseClick(findChild(screen, "backButton"));
            compare(backSpy.count, 1);
        }

        function test_fullKeyPath() {
            const screen = createScreen();
            const scope = findChild(screen, "scopeField");
            verify(!scope.visible);
            mouseClick(findChild(screen, "fullKeyButton"));
            verify(screen.fullKey);
            verify(scope.visible);
            verify(!findChild(screen, "codeField").visible);
            verify(!findChild(screen, "activateButton").visible);

            const provision = findChild(screen, "provisionButton");
            verify(!provision.enabled);
            scope.forceActiveFocus();
            type("0ne00AB12");
            keyClick(Qt.Key_Return);
            verify(findChild(screen, "registrationField").activeFocus, "Enter moves to the next field");
            type("sn-0001");
            keyClick(Qt.Key_Return);
            verify(findChild(screen, "keyField").activeFocus);
            verify(!provision.enabled);
            type("c2VjcmV0LWtleS1ieXRlcy0xMjM0NTY3ODkwMTI=");
            verify(provision.enabled);
            mouseClick(provision);
            compare(fullKeySpy.count, 1);
            compare(fullKeySpy.signalArguments[0][0], "0ne00AB12");
            compare(fullKeySpy.signalArguments[0][1], "sn-0001");
            compare(fullKeySpy.signalArguments[0][2], "c2VjcmV0LWtleS1ieXRlcy0xMjM0NTY3ODkwMTI=");

            screen.errorText = "The key is not valid.";
            const message = findChild(screen, "fullKeyMessage");
            verify(message.visible);
            compare(message.text, "The key is not valid.");

            mouseClick(findChild(screen, "codeButton"));
            verify(!screen.fullKey);
            compare(screen.errorText, "", "switching paths clears the message");
        }

        function test_clear() {
            const screen = createScreen();
            screen.codeField.forceActiveFocus();
            type("98ES");
            screen.fullKey = true;
            screen.clear();
            compare(screen.codeField.text, "");
            verify(!screen.fullKey);
        }
    
        readonly property string card: "provisio:activate?serial=SN-0001&code=98ES-67WC-EWAT-ZJSG-G"
                                        + "&url=https%3A%2F%2Fprovisio.example%3A8443"

        function openScanner(screen) {
            screen.openScanner();
            tryVerify(() => screen.scanPopup.opened, 3000, "the scan view opens");
            verify(screen.scanView.visible);
            verify(screen.scanView.active, "the camera runs while the view is shown");
        }

        function test_noScanButtonWithoutACamera() {
            const screen = createScreen();
            verify(!CardScan.available, "the offscreen platform has no camera");
            verify(!findChild(screen, "scanButton").visible);
        }

        function test_scannedCardFillsTheCodeAndActivates() {
            const screen = createScreen();
            openScanner(screen);
            screen.scanView.handleDecoded(card);
            tryVerify(() => !screen.scanPopup.visible, 3000, "the scan view closes");
            verify(!screen.scanView.active, "the camera stops");
            compare(screen.codeField.text, "98ES-67WC-EWAT-ZJSG-G");
            verify(screen.codeField.valid);
            compare(activateSpy.count, 1, "the same service: straight on to Activate");
            compare(activateSpy.signalArguments[0][0], "98ES67WCEWATZJSGG");
            compare(urlSpy.count, 0);
        }

        function test_otherQrCodesAreExplained_data() {
            return [
                { tag: "another device's card",
                  text: "provisio:activate?serial=SN-0002&code=98ES-67WC-EWAT-ZJSG-G",
                  message: "This card is for device SN-0002; this device is SN-0001." },
                { tag: "a web address", text: "https://example.com/",
                  message: "This QR code is not a Provisio activation card." },
                { tag: "a damaged code", text: "provisio:activate?serial=SN-0001&code=98ES-67WC-EWAT-ZJSG-H",
                  message: "The activation code in this QR code does not check out. Type the code printed on the card instead." },
            ];
        }
        function test_otherQrCodesAreExplained(data) {
            const screen = createScreen();
            openScanner(screen);
            const message = findChild(screen.scanView, "scanMessage");
            compare(message.text, "Looking for the QR code…");
            screen.scanView.handleDecoded(data.text);
            compare(screen.scanView.message, data.message);
            compare(message.text, data.message);
            verify(message.visible);
            verify(screen.scanPopup.visible, "the camera keeps looking");
            compare(screen.codeField.text, "", "nothing is filled in");
            compare(activateSpy.count, 0);

            // The right card after a wrong one still goes through.
            screen.scanView.handleDecoded(card);
            tryVerify(() => !screen.scanPopup.visible);
            compare(activateSpy.count, 1);
        }

        function test_cancelLeavesTheFormAlone() {
            const screen = createScreen();
            screen.codeField.forceActiveFocus();
            type("98ES");
            openScanner(screen);
            verify(findChild(screen.scanView, "noCameraLabel").visible, "says there is no camera");
            mouseClick(findChild(screen.scanView, "cancelScanButton"));
            tryVerify(() => !screen.scanPopup.visible);
            compare(screen.codeField.text, "98ES");
            compare(activateSpy.count, 0);
        }

        function test_cardForAnotherServiceAsksFirst_data() {
            return [
                { tag: "switch", button: "useCardServiceButton", switched: true },
                { tag: "keep", button: "keepServiceButton", switched: false },
            ];
        }
        function test_cardForAnotherServiceAsksFirst(data) {
            const screen = createScreen();
            openScanner(screen);
            screen.scanView.handleDecoded("provisio:activate?serial=SN-0001&code=98ES-67WC-EWAT-ZJSG-G"
                                          + "&url=https%3A%2F%2Fother.example%3A9443");
            tryVerify(() => screen.switchDialog.opened, 3000, "asks before switching");
            compare(screen.codeField.text, "98ES-67WC-EWAT-ZJSG-G");
            compare(activateSpy.count, 0, "nothing is sent before the answer");
            const text = findChild(screen.switchDialog.contentItem, "switchServiceText");
            verify(text.text.indexOf("https://other.example:9443") >= 0, text.text);
            verify(text.text.indexOf("https://provisio.example:8443") >= 0, text.text);

            mouseClick(findChild(screen.switchDialog.footer, data.button));
            tryVerify(() => !screen.switchDialog.visible);
            compare(urlSpy.count, data.switched ? 1 : 0);
            if (data.switched)
                compare(urlSpy.signalArguments[0][0], "https://other.example:9443");
            compare(activateSpy.count, 1);
            compare(activateSpy.signalArguments[0][0], "98ES67WCEWATZJSGG");
        }

        // The owner refuses the card's address: the refusal is shown and
        // nothing is sent.
        function test_refusedSwitchStops() {
            const screen = createScreen();
            screen.middlewareUrlChangeRequested.connect(url => { screen.errorText = "Refused: " + url; });
            openScanner(screen);
            screen.scanView.handleDecoded("provisio:activate?serial=SN-0001&code=98ES-67WC-EWAT-ZJSG-G"
                                          + "&url=https%3A%2F%2Fother.example");
            tryVerify(() => screen.switchDialog.opened);
            mouseClick(findChild(screen.switchDialog.footer, "useCardServiceButton"));
            tryVerify(() => !screen.switchDialog.visible);
            compare(activateSpy.count, 0);
            compare(findChild(screen, "codeMessage").text, "Refused: https://other.example");
        }
    }
}

// SPDX-License-Identifier: Apache-2.0
// The welcome screen shows which device this is and leads to key entry.
import QtQuick
import QtTest
import Provisio.Kiosk

Item {
    id: scene
    width: 800
    height: 480

    TestCase {
        id: testCase
        name: "WelcomeScreen"
        when: windowShown

        Component {
            id: screenComponent
            WelcomeScreen { width: 800; height: 428 }
        }
        SignalSpy { id: startSpy; signalName: "startRequested" }

        function test_showsSerialAndStarts() {
            const screen = createTemporaryObject(screenComponent, scene, { serial: "SN-0001" });
            compare(findChild(screen, "serialLabel").text, "SN-0001");
            startSpy.target = screen;
            const button = findChild(screen, "startButton");
            verify(button.height >= 48, "touch target");
            verify(button.y + button.height <= screen.height, "the button is on screen at 800×480 without scrolling");
            mouseClick(button);
            compare(startSpy.count, 1);
        }

        function test_unknownSerial() {
            const screen = createTemporaryObject(screenComponent, scene);
            compare(findChild(screen, "serialLabel").text, "unknown");
        }
    }
}

// SPDX-License-Identifier: Apache-2.0
// The header: holding the logo opens the settings; a tap does not.
import QtQuick
import QtTest
import Provisio.Kiosk

Item {
    id: scene
    width: 800
    height: 480

    TestCase {
        id: testCase
        name: "KioskHeader"
        when: windowShown

        Component {
            id: headerComponent
            KioskHeader { width: 800; serial: "SN-0001"; holdSeconds: 0.5 }
        }
        SignalSpy { id: settingsSpy; signalName: "settingsRequested" }

        function test_longPressOpensSettings() {
            const header = createTemporaryObject(headerComponent, scene);
            settingsSpy.target = header;
            settingsSpy.clear();
            const logo = findChild(header, "logo");
            verify(logo.width >= 48 && logo.height >= 48, "the logo is a touch target");

            mouseClick(logo);
            compare(settingsSpy.count, 0, "a tap is not enough");
            // (Had the tap started a long press, the count below would be 2.)

            mousePress(logo);
            settingsSpy.wait(3000);
            mouseRelease(logo);
            compare(settingsSpy.count, 1);
        }

        // A screen reader finds the hidden door to the settings by name and
        // reads the serial line.
        function test_accessibleNames() {
            Language.setLanguage("en");
            const header = createTemporaryObject(headerComponent, scene, { status: "Online" });
            const logo = findChild(header, "logo");
            compare(logo.Accessible.role, Accessible.Button);
            compare(logo.Accessible.name, "Settings");
            compare(logo.Accessible.description, "Hold to open the settings");
            compare(findChild(header, "headerStatus").Accessible.name, "Online  ·  Serial SN-0001");
        }
    }
}

// SPDX-License-Identifier: Apache-2.0
// The scan view on its own: without a camera it says so and loads no camera
// feed; what the camera decodes (through CardScan, as CameraFeed reports it)
// is handled only while the view is shown; a card for this device comes out
// as cardRead with the code as printed, anything else as a message.
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
        name: "ScanView"
        when: windowShown

        Component {
            id: viewComponent
            ScanView { width: 800; height: 480; serial: "SN-0001" }
        }
        Component {
            id: windowComponent
            Main {}
        }
        SignalSpy { id: cardSpy; signalName: "cardRead" }
        SignalSpy { id: cancelSpy; signalName: "cancelRequested" }

        function createView() {
            const view = createTemporaryObject(viewComponent, scene);
            verify(view);
            cardSpy.clear(); cardSpy.target = view;
            cancelSpy.clear(); cancelSpy.target = view;
            return view;
        }

        function test_withoutACamera() {
            const view = createView();
            verify(!CardScan.available);
            verify(view.active, "shown, so it would scan");
            verify(!findChild(view, "cameraFeed").active, "no camera, no feed");
            verify(findChild(view, "noCameraLabel").visible);
            const guide = findChild(view, "scanGuide");
            verify(guide.width >= 200 && guide.width === guide.height, "a square guide: " + guide.width);
            const cancel = findChild(view, "cancelScanButton");
            verify(cancel.height >= 48, "Cancel is a touch target");
            mouseClick(cancel);
            compare(cancelSpy.count, 1);
        }

        function test_decodedTextsFromTheCamera() {
            const view = createView();
            CardScan.reportDecoded("provisio:activate?serial=SN-0009&code=98ES67WCEWATZJSGG");
            compare(view.message, "This card is for device SN-0009; this device is SN-0001.");
            compare(cardSpy.count, 0);

            CardScan.reportDecoded("provisio:activate?serial=sn-0001&code=98es67wcewatzjsgg"
                                   + "&url=https%3A%2F%2Fprovisio.example%3A8443");
            compare(cardSpy.count, 1);
            compare(cardSpy.signalArguments[0][0], "98ES-67WC-EWAT-ZJSG-G");
            compare(cardSpy.signalArguments[0][1], "https://provisio.example:8443");
            compare(view.message, "");

            // Hidden: the camera is off and a late result changes nothing.
            view.active = false;
            CardScan.reportDecoded("Hello");
            compare(view.message, "");
            compare(cardSpy.count, 1);

            // Shown again: a fresh start, no message left over.
            view.active = true;
            view.handleDecoded("Hello");
            compare(view.message, "This QR code is not a Provisio activation card.");
            view.active = false;
            view.active = true;
            compare(view.message, "");
        }

        function test_handleDecoded_data() {
            return [
                { tag: "card", text: "provisio:activate?serial=SN-0001&code=98ES-67WC-EWAT-ZJSG-G",
                  code: "98ES-67WC-EWAT-ZJSG-G", message: "" },
                { tag: "no code", text: "provisio:activate?serial=SN-0001",
                  code: "", message: "This card's QR code holds no activation code. Type the code printed on the card instead." },
                { tag: "wrong device", text: "provisio:activate?serial=SN-0002&code=98ES-67WC-EWAT-ZJSG-G",
                  code: "", message: "This card is for device SN-0002; this device is SN-0001." },
                { tag: "not a card", text: "WIFI:S:guest;T:WPA;P:secret;;",
                  code: "", message: "This QR code is not a Provisio activation card." },
            ];
        }
        function test_handleDecoded(data) {
            const view = createView();
            view.handleDecoded(data.text);
            compare(view.message, data.message);
            compare(cardSpy.count, data.code.length > 0 ? 1 : 0);
            if (data.code.length > 0)
                compare(cardSpy.signalArguments[0][0], data.code);
            compare(findChild(view, "scanMessage").text,
                    data.message.length > 0 ? data.message : "Looking for the QR code…");
        }
    
        // In the window the scan view takes the whole screen, header and
        // all, and a wrong card's message reads at the bottom.
        function test_inTheWindow() {
            const kiosk = createTemporaryObject(windowComponent, scene);
            verify(kiosk);
            kiosk.requestActivate();
            tryVerify(() => kiosk.active, 5000);
            mouseClick(findChild(kiosk, "startButton"));
            const keyEntry = findChild(kiosk, "keyEntryScreen");
            tryVerify(() => keyEntry.visible);
            compare(keyEntry.serial, "SN-QML-1");
            verify(!findChild(kiosk, "scanButton").visible, "no camera here");
            keyEntry.openScanner();
            tryVerify(() => keyEntry.scanPopup.opened);
            const view = keyEntry.scanView;
            const topLeft = view.mapToItem(null, 0, 0);
            compare(topLeft.x, 0);
            compare(topLeft.y, 0);
            compare(view.width, kiosk.width);
            compare(view.height, kiosk.height);
            view.handleDecoded("provisio:activate?serial=SN-0002&code=98ES-67WC-EWAT-ZJSG-G");
            compare(findChild(view, "scanMessage").text, "This card is for device SN-0002; this device is SN-QML-1.");
            if (KioskTest.screenshots)
                verify(KioskTest.saveScreenshot(kiosk, "scan"));
            mouseClick(findChild(view, "cancelScanButton"));
            tryVerify(() => !keyEntry.scanPopup.visible);
            verify(keyEntry.visible);
        }
    }
}

// SPDX-License-Identifier: Apache-2.0
// The progress screen: each step with its live state, and on failure the
// message with "Try again" and "Change the key".
import QtQuick
import QtTest
import Provisio.Kiosk

Item {
    id: scene
    width: 800
    height: 480

    TestCase {
        id: testCase
        name: "ProgressScreen"
        when: windowShown

        ListModel {
            id: stepModel
            ListElement { title: "Checking the activation code"; status: "done"; detail: "" }
            ListElement { title: "Registering the device"; status: "done"; detail: "" }
            ListElement { title: "Getting a hub assigned"; status: "done"; detail: "Assigned to hub1.provisio.local" }
            ListElement { title: "Connecting to the hub"; status: "active"; detail: "" }
            ListElement { title: "Reporting that it is ready"; status: "pending"; detail: "" }
        }
        Component {
            id: screenComponent
            ProgressScreen { width: 800; height: 428; steps: stepModel }
        }
        SignalSpy { id: retrySpy; signalName: "retryRequested" }
        SignalSpy { id: editSpy; signalName: "editRequested" }
        SignalSpy { id: cancelSpy; signalName: "cancelRequested" }

        function createScreen(props) {
            const screen = createTemporaryObject(screenComponent, scene, props || {});
            verify(screen);
            for (const spy of [retrySpy, editSpy, cancelSpy]) {
                spy.clear();
                spy.target = screen;
            }
            return screen;
        }
        function visibleText(item, text) {
            if (item.visible === false)
                return false;
            if (item.text === text)
                return true;
            for (let i = 0; i < item.children.length; ++i) {
                if (visibleText(item.children[i], text))
                    return true;
            }
            return false;
        }

        function test_stepsFollowTheModel() {
            const screen = createScreen();
            compare(screen.title, "Setting up this device");
            for (let i = 0; i < stepModel.count; ++i)
                verify(findChild(screen, "step" + i), "row " + i);
            verify(visibleText(screen, "Assigned to hub1.provisio.local"));
            // Live: the model changes, the screen follows.
            stepModel.setProperty(3, "status", "done");
            stepModel.setProperty(4, "status", "active");
            stepModel.setProperty(4, "detail", "Sending the status report");
            tryVerify(() => visibleText(screen, "Sending the status report"));
            stepModel.setProperty(3, "status", "active");
            stepModel.setProperty(4, "status", "pending");
            stepModel.setProperty(4, "detail", "");
        }

        function test_runningOffersCancel() {
            const screen = createScreen();
            const cancel = findChild(screen, "cancelButton");
            verify(cancel.visible);
            verify(!findChild(screen, "retryButton").visible);
            verify(!findChild(screen, "editButton").visible);
            verify(!findChild(screen, "errorMessage").parent.visible);
            mouseClick(cancel);
            compare(cancelSpy.count, 1);
        }

        function test_failureOffersRetryAndEdit() {
            const screen = createScreen({ failed: true, errorMessage: "The code was already used. Ask for a new one." });
            compare(screen.title, "Setup did not finish");
            const message = findChild(screen, "errorMessage");
            verify(message.parent.visible);
            compare(message.text, "The code was already used. Ask for a new one.");
            verify(!findChild(screen, "cancelButton").visible);
            const retry = findChild(screen, "retryButton");
            verify(retry.visible);
            const bottom = retry.mapToItem(screen, 0, retry.height).y;
            verify(bottom <= screen.height, "Try again is on screen at 800×480 (" + bottom + ")");
            verify(screen.contentHeight <= screen.height,
                   "the whole failure, steps included, fits at 800×480 (" + screen.contentHeight + ")");
            mouseClick(retry);
            compare(retrySpy.count, 1);
            mouseClick(findChild(screen, "editButton"));
            compare(editSpy.count, 1);
        }

        function test_failureWithoutAnAttemptCannotRetry() {
            const screen = createScreen({ failed: true, canRetry: false, errorMessage: "" });
            verify(!findChild(screen, "retryButton").visible);
            verify(findChild(screen, "editButton").visible);
            compare(findChild(screen, "errorMessage").text, "Something went wrong.");
        }
    }
}

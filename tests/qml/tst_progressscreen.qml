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

        // Each refusal with its next step: what the person reads, which
        // button is there and what it does, and what runs by itself.
        function test_wrongCodeOffersRetypingOnly() {
            const screen = createScreen({ failed: true, errorKind: "wrongCode", serial: "SN-1",
                                          errorMessage: "This activation code is not valid." });
            screen.armNextStep();
            verify(!findChild(screen, "retryButton").visible, "the refused code is never sent again");
            const edit = findChild(screen, "editButton");
            verify(edit.visible && edit.enabled);
            compare(edit.text, "Type the code again");
            compare(findChild(screen, "nextStepMessage").text,
                    "Check the activation code on the card and type it again.");
            compare(screen.countdown, 0);
            mouseClick(edit);
            compare(editSpy.count, 1);
            compare(retrySpy.count, 0);
        }

        // A refused code says how many wrong codes are left before the
        // device has to wait, as the service counts them.
        function test_wrongCodeSaysHowManyAttemptsAreLeft_data() {
            return [
                { tag: "three left", left: 3,
                  text: "Check the activation code on the card and type it again. 3 more wrong codes before the device has to wait." },
                { tag: "one left", left: 1,
                  text: "Check the activation code on the card and type it again. 1 more wrong code before the device has to wait." },
                { tag: "none left", left: 0,
                  text: "Check the activation code on the card and type it again. If the next code is wrong too, the device has to wait before it can try again." },
                { tag: "not said", left: -1,
                  text: "Check the activation code on the card and type it again." },
            ];
        }
        function test_wrongCodeSaysHowManyAttemptsAreLeft(data) {
            Language.setLanguage("en");
            const screen = createScreen({ failed: true, errorKind: "wrongCode", serial: "SN-1",
                                          attemptsLeft: data.left,
                                          errorMessage: "This activation code is not valid." });
            screen.armNextStep();
            compare(findChild(screen, "nextStepMessage").text, data.text);
            compare(findChild(screen, "nextStepMessage").Accessible.name, data.text);
            verify(findChild(screen, "editButton").enabled);
            verify(!findChild(screen, "retryButton").visible);
        }

        function test_lockoutCountsDownThenOpensRetyping() {
            const screen = createScreen({ failed: true, errorKind: "lockout", retryAfterSeconds: 2,
                                          serial: "SN-1", trackingId: "trk-42",
                                          errorMessage: "Too many attempts. Wait 2 seconds, then try again." });
            screen.armNextStep();
            compare(screen.countdown, 2);
            const edit = findChild(screen, "editButton");
            verify(!edit.enabled, "nothing to do but wait");
            verify(!findChild(screen, "retryButton").visible);
            compare(findChild(screen, "nextStepMessage").text, "You can type the activation code again in 0:02.");
            compare(findChild(screen, "supportReference").text,
                    "If you contact support, give serial SN-1 and reference trk-42.");
            tryCompare(screen, "countdown", 0, 4000);
            verify(edit.enabled);
            compare(findChild(screen, "nextStepMessage").text, "You can type the activation code again now.");
            compare(retrySpy.count, 0, "a lockout never resends by itself");
            mouseClick(edit);
            compare(editSpy.count, 1);
        }

        function test_outageRetriesByItselfAndSaysSo() {
            const screen = createScreen({ failed: true, errorKind: "outage", outageRetrySeconds: 2, serial: "SN-1",
                                          errorMessage: "Cannot reach the provisioning service." });
            screen.armNextStep();
            compare(findChild(screen, "nextStepMessage").text, "The device tries again by itself in 0:02.");
            const retry = findChild(screen, "retryButton");
            compare(retry.text, "Try now");
            compare(findChild(screen, "supportReference").text, "If you contact support, give serial SN-1.");
            tryCompare(retrySpy, "count", 1, 4000, "the automatic retry runs");
            // And "Try now" does not wait for it.
            screen.armNextStep();
            mouseClick(retry);
            compare(retrySpy.count, 2);
            compare(screen.countdown, 0);
        }

        function test_disabledDeviceChecksAgainByItself() {
            const screen = createScreen({ failed: true, errorKind: "disabled", disabledRetrySeconds: 2,
                                          serial: "SN-1", trackingId: "trk-7",
                                          errorMessage: "This device has been disabled by your provider." });
            screen.armNextStep();
            compare(findChild(screen, "nextStepMessage").text,
                    "Ask your provider to enable it. The device checks again by itself in 0:02.");
            compare(findChild(screen, "retryButton").text, "Check now");
            verify(findChild(screen, "supportReference").visible);
            tryCompare(retrySpy, "count", 1, 4000);
        }

        function test_failureWithoutAnAttemptCannotRetry() {
            const screen = createScreen({ failed: true, canRetry: false, errorMessage: "" });
            verify(!findChild(screen, "retryButton").visible);
            verify(findChild(screen, "editButton").visible);
            compare(findChild(screen, "errorMessage").text, "Something went wrong.");
        }
    }
}

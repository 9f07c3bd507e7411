// SPDX-License-Identifier: Apache-2.0
// What the device is doing while it sets itself up, one line per step with
// its live state, and on failure what went wrong and what to do about it.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls

KioskPage {
    id: root

    // Rows with roles title, status ("pending", "active", "done", "failed")
    // and detail.
    property var steps
    property bool failed: false
    property string errorMessage
    property bool canRetry: true
    // Device.errorKind: "wrongCode", "lockout", "disabled", "outage",
    // "notAccepted", "other" (or "" when unknown).
    property string errorKind
    property int retryAfterSeconds: -1
    property string trackingId
    // After a refused code: wrong codes left before the device has to wait
    // (0: the next wrong one starts a wait); -1 when the service did not say.
    property int attemptsLeft: -1
    property string serial
    // Seconds until the next step opens (lockout) or runs by itself
    // (disabled device, service outage); 0 when nothing is counting down.
    property int countdown: 0
    // How long the device waits before it tries by itself again.
    property int outageRetrySeconds: 15
    property int disabledRetrySeconds: 30
    readonly property bool retriesByItself: errorKind === "outage" || errorKind === "disabled"

    signal retryRequested()
    signal editRequested()
    signal cancelRequested()

    // A new failure: start what its next step needs (the owner calls this
    // when the device reports one).
    function armNextStep() {
        if (root.errorKind === "lockout")
            root.countdown = Math.max(1, root.retryAfterSeconds);
        else if (root.errorKind === "outage")
            root.countdown = root.retryAfterSeconds > 0 ? Math.min(root.retryAfterSeconds, 300)
                                                        : root.outageRetrySeconds;
        else if (root.errorKind === "disabled")
            root.countdown = root.disabledRetrySeconds;
        else
            root.countdown = 0;
    }
    function clockText(seconds: int): string {
        const m = Math.floor(seconds / 60);
        const s = seconds % 60;
        return m + ":" + (s < 10 ? "0" : "") + s;
    }

    Timer {
        objectName: "countdownTimer"
        interval: 1000
        repeat: true
        running: root.failed && root.countdown > 0
        onTriggered: {
            root.countdown -= 1;
            if (root.countdown === 0 && root.retriesByItself && root.canRetry)
                root.retryRequested();
        }
    }
    onFailedChanged: if (!failed) countdown = 0

    title: failed ? qsTr("Setup did not finish") : qsTr("Setting up this device")
    // Tighter than other screens: a failure, what to do and all five steps
    // fit on the 800×480 screen at once.
    spacing: Math.round(8 * Theme.scale)

    // On failure what to do comes first; the steps show where it stopped.
    Rectangle {
        visible: root.failed
        width: parent.width
        height: errorLabel.implicitHeight + 2 * errorLabel.y
        Accessible.role: Accessible.AlertMessage
        Accessible.name: errorLabel.text
        radius: Theme.radius
        color: "#fdecea"
        border.color: Theme.bad

        Label {
            id: errorLabel
            objectName: "errorMessage"
            x: Theme.margin
            y: Math.round(8 * Theme.scale)
            width: parent.width - 2 * Theme.margin
            text: root.errorMessage.length > 0 ? root.errorMessage : qsTr("Something went wrong.")
            font.pixelSize: Theme.fontBody
            color: Theme.text
            wrapMode: Text.Wrap
        }
    }

    // What happens next, in words: when the next try opens or runs by
    // itself.
    Label {
        objectName: "nextStepMessage"
        Accessible.role: Accessible.StaticText
        Accessible.name: text
        visible: root.failed && text.length > 0
        width: parent.width
        wrapMode: Text.Wrap
        font.pixelSize: Theme.fontBody
        font.bold: root.countdown > 0
        color: Theme.text
        text: {
            switch (root.errorKind) {
            case "wrongCode":
                if (root.attemptsLeft === 0)
                    return qsTr("Check the activation code on the card and type it again. If the next code is wrong too, the device has to wait before it can try again.");
                if (root.attemptsLeft > 0)
                    return qsTr("Check the activation code on the card and type it again. %n more wrong code(s) before the device has to wait.", "", root.attemptsLeft);
                return qsTr("Check the activation code on the card and type it again.");
            case "lockout":
                return root.countdown > 0
                        ? qsTr("You can type the activation code again in %1.").arg(root.clockText(root.countdown))
                        : qsTr("You can type the activation code again now.");
            case "outage":
                return root.countdown > 0
                        ? qsTr("The device tries again by itself in %1.").arg(root.clockText(root.countdown))
                        : qsTr("Trying again…");
            case "disabled":
                return root.countdown > 0
                        ? qsTr("Ask your provider to enable it. The device checks again by itself in %1.")
                              .arg(root.clockText(root.countdown))
                        : qsTr("Checking again…");
            default:
                return "";
            }
        }
    }
    // Who to call, and what to tell them.
    Label {
        objectName: "supportReference"
        visible: root.failed && root.errorKind !== "wrongCode"
        width: parent.width
        wrapMode: Text.Wrap
        font.pixelSize: Theme.fontSmall
        color: Theme.mutedText
        text: root.trackingId.length > 0
              ? qsTr("If you contact support, give serial %1 and reference %2.").arg(root.serial).arg(root.trackingId)
              : qsTr("If you contact support, give serial %1.").arg(root.serial)
    }

    Row {
        visible: root.failed
        width: parent.width
        spacing: Theme.spacing
        layoutDirection: Qt.RightToLeft

        // A refused code is never sent again as it was: "Try again" is
        // offered only where sending the same thing can succeed.
        KioskButton {
            objectName: "retryButton"
            visible: root.canRetry && root.errorKind !== "wrongCode" && root.errorKind !== "lockout"
            primary: true
            text: root.errorKind === "outage" ? qsTr("Try now")
                : root.errorKind === "disabled" ? qsTr("Check now") : qsTr("Try again")
            onClicked: {
                root.countdown = 0;
                root.retryRequested();
            }
        }
        KioskButton {
            objectName: "editButton"
            primary: root.errorKind === "wrongCode" || root.errorKind === "lockout"
            enabled: !(root.errorKind === "lockout" && root.countdown > 0)
            text: qsTr("Type the code again")
            onClicked: root.editRequested()
        }
    }

    Column {
        width: parent.width
        spacing: Math.round(4 * Theme.scale)

        Repeater {
            model: root.steps

            delegate: Item {
                id: row

                required property int index
                required property string title
                required property string status
                required property string detail

                objectName: "step" + index
                Accessible.role: Accessible.ListItem
                Accessible.name: row.title + (row.detail.length > 0 ? ": " + row.detail : "")
                Accessible.description: row.status === "done" ? qsTr("done")
                                      : row.status === "failed" ? qsTr("failed")
                                      : row.status === "active" ? qsTr("in progress") : qsTr("not started")
                // On failure only the step it stopped at: what to do next
                // and who to call come first, and all of it fits the screen.
                visible: !root.failed || row.status === "failed"
                width: parent ? parent.width : 0
                height: visible ? Math.max(Theme.touch * 0.8, texts.implicitHeight) : 0

                Item {
                    id: icon
                    width: Math.round(32 * Theme.scale)
                    height: width
                    anchors.verticalCenter: parent.verticalCenter

                    BusyIndicator {
                        anchors.fill: parent
                        visible: row.status === "active"
                        running: visible
                    }
                    Rectangle {
                        anchors.fill: parent
                        anchors.margins: Math.round(4 * Theme.scale)
                        visible: row.status !== "active"
                        radius: width / 2
                        color: row.status === "done" ? Theme.good : row.status === "failed" ? Theme.bad : "transparent"
                        border.width: row.status === "pending" ? 2 : 0
                        border.color: Theme.border

                        Label {
                            anchors.centerIn: parent
                            text: row.status === "done" ? "✓" : row.status === "failed" ? "✕" : ""
                            color: Theme.accentText
                            font.pixelSize: Theme.fontBody
                            font.bold: true
                        }
                    }
                }

                Column {
                    id: texts
                    anchors.left: icon.right
                    anchors.leftMargin: Theme.spacing
                    anchors.right: parent.right
                    anchors.verticalCenter: parent.verticalCenter

                    Label {
                        width: parent.width
                        text: row.title
                        font.pixelSize: Theme.fontBody
                        font.bold: row.status === "active"
                        color: row.status === "pending" ? Theme.mutedText : Theme.text
                        elide: Text.ElideRight
                    }
                    Label {
                        width: parent.width
                        // A failed step's detail is usually the message shown
                        // above; saying it twice would push the list off screen.
                        visible: row.detail.length > 0 && !(root.failed && row.detail === root.errorMessage)
                        text: row.detail
                        font.pixelSize: Theme.fontSmall
                        color: row.status === "failed" ? Theme.bad : Theme.mutedText
                        elide: Text.ElideRight
                    }
                }
            }
        }
    }

    Row {
        visible: !root.failed
        width: parent.width
        spacing: Theme.spacing
        layoutDirection: Qt.RightToLeft

        KioskButton {
            objectName: "cancelButton"
            text: qsTr("Cancel")
            onClicked: root.cancelRequested()
        }
    }
}

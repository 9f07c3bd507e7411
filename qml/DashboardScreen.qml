// SPDX-License-Identifier: Apache-2.0
// The running device: whether it is connected and to which hub, how its
// messages fare (sent, waiting in the on-device queue, dropped because the
// queue was full), the values it last measured and the settings the back
// office asked for.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls

KioskPage {
    id: root

    property bool connected: false
    property bool connecting: false
    property string hub
    property string deviceId
    property double sent: 0
    property int queued: 0
    property double dropped: 0
    property var lastTelemetry: ({})
    property var desired: ({})
    property int intervalMs: 0
    readonly property string intervalText: intervalMs <= 0 ? ""
        : intervalMs % 1000 === 0 ? qsTr("%1 s").arg(intervalMs / 1000)
        : intervalMs < 1000 ? qsTr("%1 ms").arg(intervalMs)
        : qsTr("%1 s").arg(Number(intervalMs / 1000).toLocaleString(Qt.locale(), "f", 1))

    // An ISO 8601 date and time, as telemetry sources stamp their messages.
    function isTimestamp(value: string): bool {
        return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(value)
                && !isNaN(Date.parse(value));
    }
    // A timestamp in the device's local time, short enough for its column:
    // the time of day for today, else the date and the minute.
    function timeText(when: date): string {
        const now = new Date();
        const today = when.getFullYear() === now.getFullYear() && when.getMonth() === now.getMonth()
                && when.getDate() === now.getDate();
        return Qt.formatDateTime(when, today ? "HH:mm:ss" : "yyyy-MM-dd HH:mm");
    }

    // "name: value" rows of an object, names sorted, "$" members left out.
    function rows(object) {
        const out = [];
        if (!object)
            return out;
        const names = Object.keys(object).filter(n => !n.startsWith("$")).sort();
        for (const name of names) {
            const v = object[name];
            let text;
            if (typeof v === "number")
                text = Number.isInteger(v) ? v.toString() : v.toFixed(2);
            else if (typeof v === "string" && root.isTimestamp(v))
                text = root.timeText(new Date(v));
            else if (typeof v === "object")
                text = JSON.stringify(v);
            else
                text = String(v);
            out.push({ name: name, value: text });
        }
        return out;
    }

    spacing: Theme.spacing

    // Connection.
    Rectangle {
        width: parent.width
        height: Theme.touch
        radius: Theme.radius
        color: root.connected ? "#e8f5e9" : "#fff3e0"
        border.color: root.connected ? Theme.good : Theme.warning

        Rectangle {
            id: dot
            x: Theme.margin
            anchors.verticalCenter: parent.verticalCenter
            width: Math.round(18 * Theme.scale)
            height: width
            radius: width / 2
            color: root.connected ? Theme.good : Theme.warning
        }
        Label {
            objectName: "connectionLabel"
            anchors.left: dot.right
            anchors.leftMargin: Theme.spacing
            anchors.right: parent.right
            anchors.rightMargin: Theme.margin
            anchors.verticalCenter: parent.verticalCenter
            elide: Text.ElideRight
            font.pixelSize: Theme.fontLarge
            font.bold: true
            color: Theme.text
            text: root.connected ? qsTr("Connected to %1").arg(root.hub)
                 : root.connecting ? qsTr("Connecting to %1…").arg(root.hub)
                 : qsTr("Not connected")
        }
    }

    // Message counters.
    Row {
        width: parent.width
        spacing: Theme.spacing

        Repeater {
            model: [
                { name: "sent", label: qsTr("Sent"), value: root.sent, bad: false },
                { name: "queued", label: qsTr("Waiting"), value: root.queued, bad: false },
                { name: "dropped", label: qsTr("Dropped"), value: root.dropped, bad: root.dropped > 0 }
            ]
            delegate: Rectangle {
                id: counter
                required property var modelData
                objectName: modelData.name + "Counter"
                width: (parent.width - 2 * Theme.spacing) / 3
                height: counterColumn.implicitHeight + Theme.spacing
                radius: Theme.radius
                color: Theme.surface
                border.color: counter.modelData.bad ? Theme.bad : Theme.border

                Column {
                    id: counterColumn
                    anchors.centerIn: parent
                    Label {
                        anchors.horizontalCenter: parent.horizontalCenter
                        text: counter.modelData.value.toLocaleString(Qt.locale(), "f", 0)
                        font.pixelSize: Theme.fontHuge
                        font.bold: true
                        color: counter.modelData.bad ? Theme.bad : Theme.text
                    }
                    Label {
                        anchors.horizontalCenter: parent.horizontalCenter
                        text: counter.modelData.label
                        font.pixelSize: Theme.fontSmall
                        color: Theme.mutedText
                    }
                }
            }
        }
    }

    // Last values and desired properties side by side.
    Row {
        width: parent.width
        spacing: Theme.spacing

        Repeater {
            model: [
                { name: "telemetry", title: root.intervalText.length > 0
                          ? qsTr("Last values (every %1)").arg(root.intervalText) : qsTr("Last values"),
                  rows: root.rows(root.lastTelemetry), empty: qsTr("No values yet") },
                { name: "desired", title: qsTr("Back-office settings"),
                  rows: root.rows(root.desired), empty: qsTr("None from the back office") }
            ]
            delegate: Rectangle {
                id: box
                required property var modelData
                objectName: modelData.name + "Box"
                width: (parent.width - Theme.spacing) / 2
                height: boxColumn.implicitHeight + Theme.spacing * 2
                radius: Theme.radius
                color: Theme.surface
                border.color: Theme.border

                Column {
                    id: boxColumn
                    x: Theme.spacing
                    y: Theme.spacing
                    width: parent.width - 2 * Theme.spacing
                    spacing: Math.round(4 * Theme.scale)

                    Label {
                        text: box.modelData.title
                        font.pixelSize: Theme.fontSmall
                        font.bold: true
                        color: Theme.mutedText
                    }
                    Label {
                        visible: box.modelData.rows.length === 0
                        text: box.modelData.empty
                        font.pixelSize: Theme.fontBody
                        color: Theme.mutedText
                    }
                    Repeater {
                        model: box.modelData.rows
                        delegate: Item {
                            id: valueRow
                            required property var modelData
                            width: parent ? parent.width : 0
                            height: valueText.implicitHeight
                            Label {
                                anchors.left: parent.left
                                anchors.right: valueText.left
                                anchors.rightMargin: Theme.spacing
                                text: valueRow.modelData.name
                                font.pixelSize: Theme.fontBody
                                color: Theme.mutedText
                                elide: Text.ElideRight
                            }
                            Label {
                                id: valueText
                                anchors.right: parent.right
                                width: Math.min(implicitWidth, parent.width * 0.7)
                                horizontalAlignment: Text.AlignRight
                                text: valueRow.modelData.value
                                font.pixelSize: Theme.fontBody
                                font.bold: true
                                color: Theme.text
                                elide: Text.ElideRight
                            }
                        }
                    }
                }
            }
        }
    }

    Label {
        width: parent.width
        visible: root.deviceId.length > 0
        text: qsTr("Device ID %1").arg(root.deviceId)
        font.pixelSize: Theme.fontSmall
        color: Theme.mutedText
        elide: Text.ElideRight
    }
}

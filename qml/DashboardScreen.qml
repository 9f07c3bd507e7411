// SPDX-License-Identifier: Apache-2.0
// The running device as its owner sees it: the name the back office gave it,
// one sentence on how it is doing, and its values by name with their units,
// each with a small trend of its recent readings. The technical side (message
// counters, the back office's settings, identifiers) is one tap away, under
// Details.
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
    // The name the back office gives the device (desired property
    // displayName), the dashboard's title when there is one.
    readonly property string displayName: desired && typeof desired.displayName === "string"
                                          ? desired.displayName : ""
    readonly property string intervalText: intervalMs <= 0 ? "" : root.secondsText(intervalMs)
    // Readings kept for the trends: the last `historyLength` of each value.
    property int historyLength: 40
    property var history: ({})
    readonly property alias detailsPopup: detailsPopup

    title: displayName.length > 0 ? displayName : qsTr("Your device")

    // Seconds with one decimal when needed, in the locale's format.
    function secondsText(ms: int): string {
        return ms % 1000 === 0 ? qsTr("%1 s").arg(ms / 1000)
                               : qsTr("%1 s").arg(Number(ms / 1000).toLocaleString(Qt.locale(), "f", 1));
    }

    // What a value is called, its unit and how many decimals it shows, for
    // the values the device's sources send; others keep their name.
    function describe(name: string): var {
        switch (name) {
        case "temperature": return { label: qsTr("Temperature"), unit: "°C", decimals: 1 };
        case "humidity": return { label: qsTr("Humidity"), unit: "%", decimals: 1 };
        case "pressure": return { label: qsTr("Air pressure"), unit: "hPa", decimals: 1 };
        case "cpuTemperature": return { label: qsTr("Processor temperature"), unit: "°C", decimals: 1 };
        case "loadAverage1": return { label: qsTr("Load (1 min)"), unit: "", decimals: 2 };
        case "loadAverage5": return { label: qsTr("Load (5 min)"), unit: "", decimals: 2 };
        case "loadAverage15": return { label: qsTr("Load (15 min)"), unit: "", decimals: 2 };
        case "memoryAvailablePercent": return { label: qsTr("Free memory"), unit: "%", decimals: 0 };
        case "time": return { label: qsTr("Measured at"), unit: "", decimals: -1 };
        default: return { label: root.words(name), unit: "", decimals: -1 };
        }
    }
    // "someValueName" as "Some value name".
    function words(name: string): string {
        const spaced = name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/[_-]+/g, " ").toLowerCase();
        return spaced.charAt(0).toUpperCase() + spaced.slice(1);
    }
    function numberText(value: real, decimals: int): string {
        const places = decimals >= 0 ? decimals : (Number.isInteger(value) ? 0 : 1);
        return Number(value).toLocaleString(Qt.locale(), "f", places);
    }

    // An ISO 8601 date and time, as telemetry sources stamp their messages.
    function isTimestamp(value: string): bool {
        return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(value)
                && !isNaN(Date.parse(value));
    }
    // A timestamp in the device's local time: the time of day for today,
    // else the date and the minute.
    function timeText(when: date): string {
        const now = new Date();
        const today = when.getFullYear() === now.getFullYear() && when.getMonth() === now.getMonth()
                && when.getDate() === now.getDate();
        return Qt.formatDateTime(when, today ? "HH:mm:ss" : "yyyy-MM-dd HH:mm");
    }
    function plainText(value): string {
        if (typeof value === "number")
            return root.numberText(value, -1);
        if (typeof value === "string" && root.isTimestamp(value))
            return root.timeText(new Date(value));
        if (typeof value === "boolean")
            return value ? qsTr("yes") : qsTr("no");
        if (typeof value === "object")
            return JSON.stringify(value);
        return String(value);
    }

    // The numeric values of the last reading, as tiles: name, value, unit.
    readonly property var tiles: {
        const out = [];
        const t = root.lastTelemetry || {};
        for (const name of Object.keys(t).sort()) {
            if (typeof t[name] !== "number")
                continue;
            const d = root.describe(name);
            out.push({ name: name, label: d.label, unit: d.unit, value: root.numberText(t[name], d.decimals) });
        }
        return out;
    }
    // Everything else the device and the back office said, for Details.
    function rows(object, skipNumbers: bool): var {
        const out = [];
        if (!object)
            return out;
        for (const name of Object.keys(object).sort()) {
            if (name.startsWith("$") || (skipNumbers && typeof object[name] === "number"))
                continue;
            if (name === "telemetryIntervalMs" && typeof object[name] === "number") {
                out.push({ name: qsTr("Reading interval"), value: root.secondsText(object[name]) });
                continue;
            }
            if (name === "displayName") {
                out.push({ name: qsTr("Name"), value: String(object[name]) });
                continue;
            }
            if (typeof object[name] === "number") {
                const d = root.describe(name);
                out.push({ name: d.label, value: root.numberText(object[name], d.decimals)
                                                 + (d.unit.length > 0 ? " " + d.unit : "") });
                continue;
            }
            out.push({ name: root.describe(name).label, value: root.plainText(object[name]) });
        }
        return out;
    }

    onLastTelemetryChanged: {
        const t = lastTelemetry || {};
        const next = {};
        for (const name of Object.keys(t)) {
            if (typeof t[name] !== "number")
                continue;
            const series = (history[name] || []).slice(-(historyLength - 1));
            series.push(t[name]);
            next[name] = series;
        }
        history = next;
    }

    spacing: Theme.spacing

    // How the device is doing, as a sentence.
    Rectangle {
        width: parent.width
        height: Math.max(Theme.touch, statusText.implicitHeight + Theme.spacing)
        radius: Theme.radius
        color: root.connected && root.dropped === 0 ? "#e8f5e9" : "#fff3e0"
        border.color: root.connected && root.dropped === 0 ? Theme.good : Theme.warning

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
            id: statusText
            objectName: "connectionLabel"
            anchors.left: dot.right
            anchors.leftMargin: Theme.spacing
            anchors.right: detailsButton.left
            anchors.rightMargin: Theme.spacing
            anchors.verticalCenter: parent.verticalCenter
            wrapMode: Text.Wrap
            font.pixelSize: Theme.fontBody
            color: Theme.text
            Accessible.role: Accessible.StaticText
            text: {
                let sentence = root.connected
                        ? qsTr("Working normally, connected to %1.").arg(root.hub)
                        : root.connecting ? qsTr("Connecting to %1… Readings wait on the device meanwhile.").arg(root.hub)
                                          : qsTr("Not connected. Readings wait on the device and are sent later.");
                if (root.dropped > 0)
                    sentence += " " + qsTr("%n reading(s) were lost: the device's queue was full.", "", root.dropped);
                return sentence;
            }
        }
        KioskButton {
            id: detailsButton
            objectName: "detailsButton"
            anchors.right: parent.right
            anchors.rightMargin: Math.round(4 * Theme.scale)
            anchors.verticalCenter: parent.verticalCenter
            height: Theme.touch - Math.round(8 * Theme.scale)
            flat: true
            text: qsTr("Details")
            onClicked: detailsPopup.open()
        }
    }

    // The values, each with its trend.
    Label {
        objectName: "noValuesLabel"
        visible: root.tiles.length === 0
        width: parent.width
        text: qsTr("No readings yet. They appear here as soon as the device measures.")
        font.pixelSize: Theme.fontBody
        color: Theme.mutedText
        wrapMode: Text.Wrap
    }
    Flow {
        width: parent.width
        spacing: Theme.spacing

        Repeater {
            model: root.tiles
            delegate: Rectangle {
                id: tile
                required property var modelData
                objectName: "value_" + modelData.name
                width: (parent.width - 2 * Theme.spacing) / 3
                height: tileColumn.implicitHeight + Theme.spacing * 2
                radius: Theme.radius
                color: Theme.surface
                border.color: Theme.border
                Accessible.role: Accessible.StaticText
                Accessible.name: modelData.label + " " + modelData.value + " " + modelData.unit

                Column {
                    id: tileColumn
                    x: Theme.spacing
                    y: Theme.spacing
                    width: parent.width - 2 * Theme.spacing
                    spacing: Math.round(2 * Theme.scale)
                    Label {
                        width: parent.width
                        text: tile.modelData.label
                        font.pixelSize: Theme.fontSmall
                        color: Theme.mutedText
                        elide: Text.ElideRight
                    }
                    Row {
                        spacing: Math.round(4 * Theme.scale)
                        Label {
                            id: valueLabel
                            objectName: "valueText"
                            text: tile.modelData.value
                            font.pixelSize: Theme.fontTitle
                            font.bold: true
                            color: Theme.text
                        }
                        Label {
                            height: valueLabel.height
                            verticalAlignment: Text.AlignBottom
                            bottomPadding: Math.round(4 * Theme.scale)
                            text: tile.modelData.unit
                            font.pixelSize: Theme.fontSmall
                            color: Theme.mutedText
                        }
                    }
                    Canvas {
                        id: spark
                        objectName: "sparkline"
                        readonly property var points: root.history[tile.modelData.name] || []
                        width: parent.width
                        height: Math.round(40 * Theme.scale)
                        onPointsChanged: requestPaint()
                        onPaint: {
                            const ctx = getContext("2d");
                            ctx.reset();
                            const p = spark.points;
                            if (p.length < 2)
                                return;
                            let lo = Math.min(...p), hi = Math.max(...p);
                            if (hi - lo < 1e-9) { lo -= 1; hi += 1; }
                            // Spread over the readings so far (at least
                            // ten slots), newest on the right.
                            const step = width / (Math.max(p.length, 10) - 1);
                            const x0 = width - (p.length - 1) * step;
                            ctx.lineWidth = Math.max(2, Math.round(2 * Theme.scale));
                            ctx.strokeStyle = Theme.accent;
                            ctx.beginPath();
                            for (let i = 0; i < p.length; ++i) {
                                const x = x0 + i * step;
                                const y = height - 2 - (p[i] - lo) / (hi - lo) * (height - 4);
                                if (i === 0)
                                    ctx.moveTo(x, y);
                                else
                                    ctx.lineTo(x, y);
                            }
                            ctx.stroke();
                        }
                    }
                }
            }
        }
    }

    Label {
        width: parent.width
        visible: root.intervalText.length > 0
        text: qsTr("A new reading every %1.").arg(root.intervalText)
        font.pixelSize: Theme.fontSmall
        color: Theme.mutedText
    }

    // The technical side, for the curious and for support.
    Popup {
        id: detailsPopup
        objectName: "detailsPopup"
        parent: Overlay.overlay
        x: 0
        y: 0
        width: parent ? parent.width : root.width
        height: parent ? parent.height : root.height
        modal: true
        padding: Theme.margin
        background: Rectangle { color: Theme.background }

        Flickable {
            width: detailsPopup.availableWidth
            height: detailsPopup.availableHeight
            contentWidth: width
            contentHeight: detailsColumn.implicitHeight
            clip: true
            boundsBehavior: Flickable.StopAtBounds

            Column {
                id: detailsColumn
                width: detailsPopup.availableWidth
                spacing: Theme.spacing

                Row {
                    width: parent.width
                    Label {
                        width: parent.width - closeDetails.width
                        anchors.verticalCenter: parent.verticalCenter
                        text: qsTr("Details")
                        font.pixelSize: Theme.fontTitle
                        font.bold: true
                        color: Theme.text
                    }
                    KioskButton {
                        id: closeDetails
                        objectName: "closeDetailsButton"
                        primary: true
                        text: qsTr("Close")
                        onClicked: detailsPopup.close()
                    }
                }

                Repeater {
                    model: [
                        { title: qsTr("Messages"), rows: [
                              { name: qsTr("Sent"), value: root.numberText(root.sent, 0) },
                              { name: qsTr("Waiting on the device"), value: root.numberText(root.queued, 0) },
                              { name: qsTr("Lost (queue full)"), value: root.numberText(root.dropped, 0) }] },
                        { title: qsTr("Last reading"), rows: root.rows(root.lastTelemetry, false) },
                        { title: qsTr("Settings from the back office"), rows: root.rows(root.desired, false) },
                        { title: qsTr("Connection"), rows: [
                              { name: qsTr("Hub"), value: root.hub },
                              { name: qsTr("Device ID"), value: root.deviceId }] },
                    ]
                    delegate: Column {
                        id: section
                        required property var modelData
                        width: detailsColumn.width
                        spacing: Math.round(4 * Theme.scale)
                        Label {
                            text: section.modelData.title
                            font.pixelSize: Theme.fontBody
                            font.bold: true
                            color: Theme.text
                        }
                        Label {
                            visible: section.modelData.rows.length === 0
                            text: qsTr("Nothing yet")
                            font.pixelSize: Theme.fontSmall
                            color: Theme.mutedText
                        }
                        Repeater {
                            model: section.modelData.rows
                            delegate: Item {
                                id: detailRow
                                required property var modelData
                                width: section.width
                                height: detailValue.implicitHeight
                                Label {
                                    width: parent.width * 0.45
                                    text: detailRow.modelData.name
                                    font.pixelSize: Theme.fontSmall
                                    color: Theme.mutedText
                                    elide: Text.ElideRight
                                }
                                Label {
                                    id: detailValue
                                    x: parent.width * 0.45 + Theme.spacing
                                    width: parent.width - x
                                    text: detailRow.modelData.value
                                    font.pixelSize: Theme.fontSmall
                                    color: Theme.text
                                    wrapMode: Text.WrapAnywhere
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

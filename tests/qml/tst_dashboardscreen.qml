// SPDX-License-Identifier: Apache-2.0
// The dashboard: connection state, message counters, last values and the
// desired properties, all following their properties.
import QtQuick
import QtTest
import Provisio.Kiosk

Item {
    id: scene
    width: 800
    height: 480

    TestCase {
        id: testCase
        name: "DashboardScreen"
        when: windowShown

        Component {
            id: screenComponent
            DashboardScreen { width: 800; height: 428 }
        }

        function texts(item, out) {
            if (item.visible === false)
                return out;
            if (item.text !== undefined && typeof item.text === "string")
                out.push(item.text);
            for (let i = 0; i < item.children.length; ++i)
                texts(item.children[i], out);
            return out;
        }

        function test_connectionStates_data() {
            return [
                { tag: "connected", props: { connected: true, hub: "hub1.test" }, label: "Connected to hub1.test" },
                { tag: "connecting", props: { connecting: true, hub: "hub1.test" }, label: "Connecting to hub1.test…" },
                { tag: "offline", props: { hub: "hub1.test" }, label: "Not connected" },
            ];
        }
        function test_connectionStates(data) {
            const screen = createTemporaryObject(screenComponent, scene, data.props);
            compare(findChild(screen, "connectionLabel").text, data.label);
        }

        function test_countersAndValues() {
            const screen = createTemporaryObject(screenComponent, scene, {
                connected: true, hub: "hub1.test", deviceId: "sn-0001",
                sent: 1532, queued: 3, dropped: 0,
                lastTelemetry: { temperature: 21.456, humidity: 40, label: "lab" },
                desired: { "$version": 4, telemetryIntervalMs: 2000, led: true },
                intervalMs: 2000
            });
            const all = texts(screen, []);
            verify(all.indexOf(Number(1532).toLocaleString(Qt.locale(), "f", 0)) >= 0, all);
            verify(all.indexOf("3") >= 0, all);
            verify(all.indexOf("21.46") >= 0, "numbers get two decimals");
            verify(all.indexOf("40") >= 0, "integers stay integers");
            verify(all.indexOf("lab") >= 0);
            verify(all.indexOf("led") >= 0);
            verify(all.indexOf("true") >= 0);
            verify(all.indexOf("$version") < 0, "$ members are not settings");
            verify(all.indexOf("Last values (every 2 s)") >= 0, all);
            verify(all.indexOf("Back-office settings") >= 0, all);
            screen.intervalMs = 300;
            verify(texts(screen, []).indexOf("Last values (every 300 ms)") >= 0);
            verify(all.indexOf("Device ID sn-0001") >= 0);
            verify(!Qt.colorEqual(findChild(screen, "droppedCounter").border.color, "#c62828"));

            screen.dropped = 7;
            verify(Qt.colorEqual(findChild(screen, "droppedCounter").border.color, "#c62828"), "a loss stands out");
            screen.lastTelemetry = { temperature: 22 };
            const after = texts(screen, []);
            verify(after.indexOf("22") >= 0);
            verify(after.indexOf("humidity") < 0);
        }

        function test_timestampsReadAsLocalTime() {
            const now = new Date();
            now.setMilliseconds(0);
            const screen = createTemporaryObject(screenComponent, scene, {
                lastTelemetry: { time: now.toISOString(), since: "2020-01-02T03:04:05Z", note: "2020-01-02" }
            });
            const all = texts(screen, []);
            verify(all.indexOf(Qt.formatDateTime(now, "HH:mm:ss")) >= 0, "today: the time of day " + all);
            verify(all.indexOf(Qt.formatDateTime(new Date("2020-01-02T03:04:05Z"), "yyyy-MM-dd HH:mm")) >= 0,
                   "another day: date and minute " + all);
            verify(all.indexOf("2020-01-02") >= 0, "a bare date is left as it is");
            for (const t of all)
                verify(t.indexOf("T0") < 0 && t.indexOf("Z") < 0, "no raw ISO text: " + t);
        }

        function test_empty() {
            const screen = createTemporaryObject(screenComponent, scene);
            const all = texts(screen, []);
            verify(all.indexOf("No values yet") >= 0);
            verify(all.indexOf("None from the back office") >= 0);
            verify(all.indexOf("Last values") >= 0);
        }

        function test_fitsTheSmallScreen() {
            const screen = createTemporaryObject(screenComponent, scene, {
                connected: true, hub: "hub1.test", deviceId: "sn-0001",
                lastTelemetry: { temperature: 21.4, humidity: 40.2, pressure: 1013.1 },
                desired: { "$version": 2, telemetryIntervalMs: 5000 }, intervalMs: 5000
            });
            verify(screen.contentHeight <= screen.height,
                   "everything visible at 800×480 without scrolling (" + screen.contentHeight + ")");
        }
    }
}

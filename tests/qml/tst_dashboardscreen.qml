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
                { tag: "connected", props: { connected: true, hub: "hub1.test" },
                  label: "Working normally, connected to hub1.test." },
                { tag: "connecting", props: { connecting: true, hub: "hub1.test" },
                  label: "Connecting to hub1.test… Readings wait on the device meanwhile." },
                { tag: "offline", props: { hub: "hub1.test" },
                  label: "Not connected. Readings wait on the device and are sent later." },
                { tag: "losses", props: { connected: true, hub: "hub1.test", dropped: 3 },
                  label: "Working normally, connected to hub1.test. 3 readings were lost: the device's queue was full." },
            ];
        }
        function test_connectionStates(data) {
            const screen = createTemporaryObject(screenComponent, scene, data.props);
            compare(findChild(screen, "connectionLabel").text, data.label);
        }

        function test_titleIsTheBackOfficeName() {
            const screen = createTemporaryObject(screenComponent, scene, {});
            compare(screen.title, "Your device");
            screen.desired = { displayName: "Greenhouse 3" };
            compare(screen.title, "Greenhouse 3");
        }

        function test_namedValuesWithUnitsAndOneFormat() {
            const screen = createTemporaryObject(screenComponent, scene, {
                connected: true, hub: "hub1.test",
                lastTelemetry: { temperature: 21.456, humidity: 40, pressure: 1013, label: "lab", time: "2020-01-02T03:04:05Z" }
            });
            const temperature = findChild(screen, "value_temperature");
            verify(temperature);
            const all = texts(temperature, []);
            verify(all.indexOf("Temperature") >= 0, all);
            verify(all.indexOf("°C") >= 0, all);
            verify(all.indexOf(Number(21.5).toLocaleString(Qt.locale(), "f", 1)) >= 0, "one decimal: " + all);
            // Whole numbers keep the value's format: 40 reads as 40.0 %.
            const humidity = texts(findChild(screen, "value_humidity"), []);
            verify(humidity.indexOf(Number(40).toLocaleString(Qt.locale(), "f", 1)) >= 0, humidity);
            verify(humidity.indexOf("%") >= 0);
            verify(texts(findChild(screen, "value_pressure"), []).indexOf("hPa") >= 0);
            verify(texts(findChild(screen, "value_pressure"), []).indexOf("Air pressure") >= 0);
            verify(!findChild(screen, "value_label"), "text values are details, not tiles");
            verify(!findChild(screen, "value_time"));
        }

        function test_sparklineFollowsTheReadings() {
            const screen = createTemporaryObject(screenComponent, scene, { lastTelemetry: { temperature: 20 } });
            for (const v of [20.5, 21, 21.5])
                screen.lastTelemetry = { temperature: v };
            compare(screen.history.temperature, [20, 20.5, 21, 21.5]);
            const spark = findChild(findChild(screen, "value_temperature"), "sparkline");
            verify(spark && spark.visible);
            compare(spark.points.length, 4);
            screen.historyLength = 3;
            screen.lastTelemetry = { temperature: 22 };
            compare(screen.history.temperature, [21, 21.5, 22], "only the recent readings");
            screen.lastTelemetry = { humidity: 40 };
            verify(!findChild(screen, "value_temperature"), "a value no longer sent goes");
        }

        function test_detailsBehindATap() {
            const screen = createTemporaryObject(screenComponent, scene, {
                connected: true, hub: "hub1.test", deviceId: "sn-0001",
                sent: 1532, queued: 3, dropped: 0,
                lastTelemetry: { temperature: 21.4, label: "lab" },
                desired: { "$version": 4, telemetryIntervalMs: 2000, led: true },
                intervalMs: 2000
            });
            verify(!screen.detailsPopup.visible);
            verify(texts(screen, []).indexOf("telemetryIntervalMs") < 0, "no raw setting keys");
            mouseClick(findChild(screen, "detailsButton"));
            tryVerify(() => screen.detailsPopup.opened);
            const all = texts(screen.detailsPopup.contentItem, []);
            verify(all.indexOf(Number(1532).toLocaleString(Qt.locale(), "f", 0)) >= 0, all);
            verify(all.indexOf("Reading interval") >= 0, all);
            verify(all.indexOf("2 s") >= 0, all);
            verify(all.indexOf("Led") >= 0 && all.indexOf("yes") >= 0, all);
            verify(all.indexOf("lab") >= 0);
            verify(all.indexOf("sn-0001") >= 0);
            verify(all.indexOf("telemetryIntervalMs") < 0 && all.indexOf("$version") < 0, all);
            const close = findChild(screen.detailsPopup.contentItem, "closeDetailsButton");
            verify(close && close.visible);
            mouseClick(close);
            tryVerify(() => !screen.detailsPopup.visible);
        }

        function test_empty() {
            const screen = createTemporaryObject(screenComponent, scene);
            verify(findChild(screen, "noValuesLabel").visible);
        }

        function test_fitsTheSmallScreen() {
            const screen = createTemporaryObject(screenComponent, scene, {
                connected: true, hub: "hub1.test", deviceId: "sn-0001",
                lastTelemetry: { temperature: 21.4, humidity: 40.2, pressure: 1013.1 },
                desired: { "$version": 2, telemetryIntervalMs: 5000, displayName: "Greenhouse 3" }, intervalMs: 5000
            });
            verify(screen.contentHeight <= screen.height,
                   "everything visible at 800×480 without scrolling (" + screen.contentHeight + ")");
        }
    }
}

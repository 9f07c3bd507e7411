#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The README's `./provisio demo`, headless, from an existing build: the
# middleware, the hub and the agent (no display) start, the demo device is
# activated with its code and its telemetry reaches the middleware; stopping
# the script alone (SIGTERM to its pid, as `kill` or a service manager does,
# not the terminal's Ctrl-C that reaches the whole process group) stops every
# process the demo started.
#
#   tests/demo-smoke.sh SOURCE_DIR BUILD_DIR
set -euo pipefail

src=$1 build=$2
work=$(mktemp -d /tmp/provisio-demo-smoke.XXXXXX)
demo_pid=
cleanup() {
    [[ -n $demo_pid ]] && kill -TERM -- "-$demo_pid" 2>/dev/null || true
    sleep 1
    local pid
    for pid in $(pgrep -f -- "$work" || true); do   # only what runs on this work directory
        kill -KILL "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; echo "--- demo output" >&2; tail -40 "$work/demo.log" >&2 || true; exit 1; }

free_port() {
    local port
    for _ in $(seq 1 50); do
        port=$((20000 + RANDOM % 20000))
        [[ -z $(ss -ltnH "sport = :$port" 2>/dev/null) ]] && { echo "$port"; return; }
    done
    return 1
}
mw_port=$(free_port) hub_port=$(free_port) dps_port=$(free_port)
[[ $mw_port != "$hub_port" ]] || hub_port=$((mw_port + 1))
[[ $dps_port != "$mw_port" && $dps_port != "$hub_port" ]] || dps_port=$((hub_port + 2))

env -u DISPLAY -u WAYLAND_DISPLAY PROVISIO_DEMO_PREBUILT=1 PROVISIO_BUILD_DIR="$build" \
    PROVISIO_DEMO_DIR="$work/data" PROVISIO_DEMO_LISTEN="127.0.0.1:$mw_port" \
    PROVISIO_DEMO_HUB_LISTEN="127.0.0.1:$hub_port" PROVISIO_DEMO_DPS_MQTT_LISTEN="127.0.0.1:$dps_port" setsid "$src/provisio" demo >"$work/demo.log" 2>&1 &
demo_pid=$!

for _ in $(seq 1 600); do
    grep -q "Press Ctrl-C to stop" "$work/demo.log" && break
    kill -0 "$demo_pid" 2>/dev/null || fail "the demo exited"
    sleep 0.1
done
grep -q "Press Ctrl-C to stop" "$work/demo.log" || fail "the demo did not come up within 60 s"
grep -q "no display" "$work/demo.log" || fail "the demo did not take the headless path"
grep -q "DPS over MQTT    mqtts://localhost:$dps_port" "$work/demo.log" || fail "the demo did not print its DPS-over-MQTT port"
(exec 3<>"/dev/tcp/127.0.0.1/$dps_port") 2>/dev/null || fail "nothing listens for DPS over MQTT on $dps_port"

token=$(cat "$work/data/admin.token")
count=0
for _ in $(seq 1 60); do
    count=$(curl -fsS --cacert "$work/data/tls/ca.crt" -H "Authorization: Bearer $token" \
        "https://localhost:$mw_port/api/v1/devices/kiosk-0001/telemetry?limit=1" | jq -r '.count // 0') || count=0
    [[ $count -gt 0 ]] && break
    sleep 1
done
[[ $count -gt 0 ]] || fail "no telemetry from the demo device kiosk-0001 within 60 s"
status=$(curl -fsS --cacert "$work/data/tls/ca.crt" -H "Authorization: Bearer $token" \
    "https://localhost:$mw_port/api/v1/registrations/kiosk-0001" | jq -r .status)
[[ $status == assigned ]] || fail "kiosk-0001 is '$status', not assigned"

# The script alone is told to stop: it must stop what it started.
kill -TERM "$demo_pid"
for _ in $(seq 1 100); do
    kill -0 "$demo_pid" 2>/dev/null || break
    sleep 0.1
done
kill -0 "$demo_pid" 2>/dev/null && fail "the demo did not stop on SIGTERM"
demo_pid=
sleep 0.5
left=$(pgrep -f -- "$work" || true)
[[ -z $left ]] || fail "processes outlived the demo: $(ps -o pid,cmd -p ${left//$'\n'/,})"
echo "demo smoke: middleware (DPS over MQTT on $dps_port), hub and agent up; kiosk-0001 assigned, $count telemetry message(s); all stopped on SIGTERM"

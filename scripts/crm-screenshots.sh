#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Screenshots of provisio-crm's main views for the docs, with realistic data:
# starts a throwaway middleware and a hub (Mosquitto with the Provisio
# plugin), fills them through the CRM API as an administrator would (the
# demo's seed), registers a few devices with DPS's protocol and lets one of
# them stream telemetry over MQTT, then opens provisio-crm under Xvfb at
# 1280x800 once per view and grabs the screen.
#
#   scripts/crm-screenshots.sh [BUILD_DIR]      (default: build/dev)
#
# Writes docs/screenshots/crm-<view>.png, and the main views in German as
# crm-<view>-de.png. Needs Xvfb, ImageMagick's import,
# mosquitto, mosquitto_pub, jq, openssl and curl (scripts/deps.sh).
set -euo pipefail
shopt -s inherit_errexit

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/dev}
mw=$build/middleware/provisio-middleware
crm=$build/crm-desktop/app/provisio-crm
out=$root/docs/screenshots
port=${PROVISIO_SHOT_PORT:-18443}
hub_port=${PROVISIO_SHOT_HUB_PORT:-18883}
display=:${PROVISIO_SHOT_DISPLAY:-97}
size=1280x800

for tool in "$mw" "$crm"; do
    [[ -x $tool ]] || { echo "missing $tool: build provisio-middleware and provisio-crm first" >&2; exit 1; }
done
for tool in Xvfb import mosquitto mosquitto_pub jq openssl curl xxd; do
    command -v "$tool" > /dev/null || { echo "missing $tool (scripts/deps.sh installs it)" >&2; exit 1; }
done

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do
        # The telemetry stream's last stage is a shell function, so it runs
        # in a subshell: its mosquitto_pub child must go too, or wait hangs.
        # shellcheck disable=SC2046
        kill $(pgrep -P "$pid") "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

data=$work/data
mkdir -p "$data" "$out"
token_file=$work/admin.token
(umask 077; "$mw" token create --data-dir "$data" --role admin --name screenshots > "$token_file")
token=$(cat "$token_file")
api=https://localhost:$port
ca=$data/tls/ca.crt
"$mw" serve --data-dir "$data" --listen "127.0.0.1:$port" > "$work/middleware.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
    curl -fsS --cacert "$ca" "$api/healthz" > /dev/null 2>&1 && break
    sleep 0.1
done
curl_api() { curl -fsS --cacert "$ca" -H "Authorization: Bearer $token" "$@"; }
json() { curl_api -H 'Content-Type: application/json' "$@"; }

echo "filling the middleware"
json -X PUT "$api/api/v1/hubs/local" \
    -d "{\"host\":\"hub1.provisio.local\",\"port\":$hub_port,\"endpoint\":\"127.0.0.1:$hub_port\",\"region\":\"eu\",\"allocationWeight\":3}" > /dev/null
"$mw" hub-config --data-dir "$data" --hub local --listen "127.0.0.1:$hub_port" --out "$data/hub" > /dev/null
mosquitto -c "$data/hub/mosquitto.conf" > "$work/mosquitto.log" 2>&1 &
pids+=($!)
# A second hub in another region, not running, so the hubs view shows both states.
json -X PUT "$api/api/v1/hubs/us-east" \
    -d '{"host":"hub2.provisio.example","port":8883,"region":"us","allocationWeight":1}' > /dev/null
"$root/scripts/demo-seed.sh" "$api" "$ca" "$token_file" KIOSK-0001 > /dev/null
scope=$(curl_api "$api/api/v1/service" | jq -r .idScope)
# Contact details, as a sales team would have filled them in.
while IFS='|' read -r name phone address notes; do
    id=$(curl_api "$api/api/v1/customers?limit=100" | jq -r --arg n "$name" '.items[] | select(.name == $n) | .id')
    json -X PATCH "$api/api/v1/customers/$id" \
        -d "$(jq -cn --arg p "$phone" --arg a "$address" --arg n "$notes" '{phone:$p,address:$a,notes:$n}')" > /dev/null
done <<'CUSTOMERS'
Contoso Ltd|+49 30 1234 5678|Friedrichstr. 12, 10117 Berlin|Framework contract 2026
Fabrikam Inc|+1 425 555 0100|1 Microsoft Way, Redmond WA|Pilot: 10 sensors
Northwind Traders|+44 20 7946 0958|12 Leadenhall St, London|
CUSTOMERS

# Shared access policies for back ends on Azure's service SDKs: one for the
# provisioning service, one for the hub, and a revoked one.
for body in '{"name":"provisioningserviceowner"}' '{"name":"iothubowner","hub":"local"}' \
    '{"name":"erp-sync"}'; do
    json -X POST "$api/api/v1/access-policies" -d "$body" > /dev/null
done
curl_api -X DELETE "$api/api/v1/access-policies/erp-sync" > /dev/null

# DPS SAS token: sr=urlencode(resource), sig over "sr\nexpiry".
sas() {
    local resource=$1 key=$2 skn=${3:-} sr sig se
    se=$(( $(date +%s) + 3600 ))
    sr=$(printf '%s' "$resource" | jq -sRr @uri)
    sig=$(printf '%s\n%s' "$sr" "$se" | openssl dgst -sha256 -mac HMAC \
        -macopt "hexkey:$(printf '%s' "$key" | base64 -d | xxd -p -c 256)" -binary | base64 | tr -d '\n' | jq -sRr @uri)
    printf 'SharedAccessSignature sr=%s&sig=%s&se=%s%s' "$sr" "$sig" "$se" "${skn:+&skn=$skn}"
}

# Devices sn-1001..1004 register; each connects to the hub, says it is
# online and reports its firmware and provisioning status.
declare -A hub_password
for i in 1001 1002 1003 1004; do
    reg=sn-$i
    key=$(curl_api "$api/api/v1/enrollments/$reg" | jq -r .attestation.symmetricKey.primaryKey)
    answer=$(curl -fsS --cacert "$ca" -X PUT "$api/$scope/registrations/$reg/register?api-version=2021-06-01" \
        -H "Authorization: $(sas "$scope/registrations/$reg" "$key" registration)" \
        -H 'Content-Type: application/json' -d "{\"registrationId\":\"$reg\"}")
    hub_key=$(jq -r .registrationState.payload.provisio.hubDeviceKey <<< "$answer")
    hub_password[$reg]=$(sas "hub1.provisio.local/devices/$reg" "$hub_key")
done
mqtt() { # device, then mosquitto_pub arguments
    local dev=$1; shift
    mosquitto_pub -h 127.0.0.1 -p "$hub_port" --cafile "$ca" -V mqttv311 -i "$dev" \
        -u "hub1.provisio.local/$dev/?api-version=2021-04-12" -P "${hub_password[$dev]}" "$@"
}
for _ in $(seq 1 50); do
    mqtt sn-1001 -t devices/sn-1001/status -m online -r -q 1 2>/dev/null && break
    sleep 0.2
done
for dev in sn-1002 sn-1003; do
    mqtt "$dev" -t "devices/$dev/status" -m online -r -q 1
done
for dev in sn-1001 sn-1002 sn-1003 sn-1004; do
    mqtt "$dev" -t "devices/$dev/twin/reported" -q 1 \
        -m '{"firmware":"1.4.2","telemetryIntervalMs":5000,"provisioningStatus":"ready"}'
done
# sn-1001 streams a reading a second while the screenshots are taken.
(
    n=0
    while true; do
        t=$(awk -v n=$n 'BEGIN { printf "%.1f", 21.5 + 1.8 * sin(n / 4) }')
        h=$(awk -v n=$n 'BEGIN { printf "%.1f", 44 + 6 * cos(n / 5) }')
        p=$(awk -v n=$n 'BEGIN { printf "%.1f", 1013.2 + 0.8 * sin(n / 7) }')
        echo "{\"temperature\":$t,\"humidity\":$h,\"pressure\":$p,\"battery\":$(( 98 - n / 10 ))}"
        n=$((n + 1))
        sleep 1
    done
) | mqtt sn-1001 -t 'devices/sn-1001/messages/events/kind=reading' -q 1 -l &
pids+=($!)
# Give the chart some history before the first shot.
sleep 20

# Two wrong codes typed for KIOSK-0001 (another device's code), so its
# timeline shows failed attempts; its own code stays valid.
other=$(json -X POST "$api/api/v1/enrollments/sn-1004/activation-code" -d '{}' | jq -r .activationCode)
for _ in 1 2; do
    curl -sS -o /dev/null --cacert "$ca" -H 'Content-Type: application/json' -X POST "$api/api/v1/activation" \
        -d "{\"serial\":\"KIOSK-0001\",\"code\":\"$other\"}"
done

echo "taking screenshots on $display"
Xvfb "$display" -screen 0 "${size}x24" -nolisten tcp > /dev/null 2>&1 &
pids+=($!)
sleep 1
export DISPLAY=$display
export XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/share XDG_RUNTIME_DIR=$work/run
mkdir -p "$XDG_CONFIG_HOME/Provisio" "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
export QT_LOGGING_RULES='*.debug=false;qt.qpa.*=false'

shot() { # name, seconds to wait, provisio-crm arguments...
    local name=$1 wait=$2; shift 2
    "$crm" -qwindowgeometry "${size}+0+0" "$@" > "$work/crm-$name.log" 2>&1 &
    local pid=$!
    sleep "$wait"
    import -window root "$out/crm-$name.png"
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    echo "  docs/screenshots/crm-$name.png"
}
connect=(--url "$api" --ca "$ca" --token-file "$token_file" --profile screenshots)

# First start: the connection dialog, as a new user sees it.
shot connect 3 --url "$api"
shot inventory 6 "${connect[@]}" --page inventory
shot customers 5 "${connect[@]}" --page customers
shot enrollments 5 "${connect[@]}" --page enrollments
shot hubs 5 "${connect[@]}" --page hubs
shot audit 5 "${connect[@]}" --page audit
shot access 5 "${connect[@]}" --page access
shot overview 6 "${connect[@]}" --page overview
printf '[deviceDetail]\ntab=0\n' >> "$XDG_CONFIG_HOME/Provisio/provisio-crm.conf"
shot device 6 "${connect[@]}" --page inventory --device SN-1001
sed -i 's/^tab=0$/tab=1/' "$XDG_CONFIG_HOME/Provisio/provisio-crm.conf"
shot timeline 6 "${connect[@]}" --page inventory --device KIOSK-0001
sed -i 's/^tab=1$/tab=3/' "$XDG_CONFIG_HOME/Provisio/provisio-crm.conf"
shot telemetry 8 "${connect[@]}" --page inventory --device SN-1001

# The same window in German (--language de): the main views.
de=("${connect[@]}" --language de)
shot inventory-de 6 "${de[@]}" --page inventory
shot audit-de 5 "${de[@]}" --page audit
shot access-de 5 "${de[@]}" --page access
shot overview-de 6 "${de[@]}" --page overview
sed -i 's/^tab=3$/tab=1/' "$XDG_CONFIG_HOME/Provisio/provisio-crm.conf"
shot timeline-de 6 "${de[@]}" --page inventory --device KIOSK-0001
sed -i 's/^tab=1$/tab=3/' "$XDG_CONFIG_HOME/Provisio/provisio-crm.conf"
shot telemetry-de 8 "${de[@]}" --page inventory --device SN-1001
echo "done"

#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Fills a demo middleware with something to look at, through the CRM API as
# an administrator would: three customers, a delivery of 60 devices (some
# sold), and the kiosk's own device, sold and enrolled. Safe to run again:
# it only adds what is missing. Prints the kiosk device's fresh activation
# code on stdout (a new code each run, since a code is shown only once).
#
#   scripts/demo-seed.sh API_URL CA_FILE TOKEN_FILE KIOSK_SERIAL
set -euo pipefail
shopt -s inherit_errexit

api=$1 ca=$2 token_file=$3 kiosk_serial=$4
token=$(cat "$token_file")
curl_api() { curl -fsS --cacert "$ca" -H "Authorization: Bearer $token" "$@"; }
json() { curl_api -H 'Content-Type: application/json' "$@"; }

customer_id() { # name -> id (creates the customer when missing)
    local name=$1 email=$2 id
    id=$(curl_api -G "$api/api/v1/customers" --data-urlencode "q=$name" |
        jq -r --arg n "$name" '.items[] | select(.name == $n) | .id' | head -n1)
    if [[ -z $id ]]; then
        id=$(json -X POST "$api/api/v1/customers" \
            -d "$(jq -cn --arg n "$name" --arg e "$email" '{name:$n,email:$e}')" | jq -r .id)
    fi
    printf '%s\n' "$id"
}

contoso=$(customer_id "Contoso Ltd" "ops@contoso.example")
fabrikam=$(customer_id "Fabrikam Inc" "devices@fabrikam.example")
northwind=$(customer_id "Northwind Traders" "it@northwind.example")

# The manufacturer's delivery: imported once (upsert keeps it idempotent).
if [[ $(curl_api "$api/api/v1/devices?q=SN-10&limit=1" | jq '.items | length') == 0 ]]; then
    csv=$(mktemp)
    trap 'rm -f "$csv"' EXIT
    {
        echo "serial,model,manufacturer,batch,deliveryDate,notes"
        for i in $(seq 1001 1060); do
            case $((i % 3)) in
                0) model="Sensor 2" ;;
                1) model="Sensor 2 Pro" ;;
                *) model="Gateway 1" ;;
            esac
            batch="B$(( (i - 1001) / 20 + 7 ))"
            echo "SN-$i,$model,Acme Devices,$batch,2026-11-$(printf %02d $(( (i - 1001) / 20 + 10 ))),"
        done
    } > "$csv"
    curl_api -H 'Content-Type: text/csv' -H 'Expect:' --data-binary "@$csv" \
        "$api/api/v1/devices/import?mode=upsert" > /dev/null
    for i in $(seq 1001 1015); do
        json -X POST "$api/api/v1/devices/SN-$i/sell" -d "{\"customerId\":\"$contoso\"}" > /dev/null
    done
    for i in $(seq 1016 1025); do
        json -X POST "$api/api/v1/devices/SN-$i/sell" -d "{\"customerId\":\"$fabrikam\"}" > /dev/null
    done
    for i in $(seq 1026 1030); do
        json -X POST "$api/api/v1/devices/SN-$i/sell" -d "{\"customerId\":\"$northwind\"}" > /dev/null
    done
    # A few enrollments so the enrollments view has something in it.
    for i in $(seq 1001 1005); do
        reg=$(echo "sn-$i" | tr 'A-Z' 'a-z')
        json -X PUT "$api/api/v1/enrollments/$reg" \
            -d "{\"registrationId\":\"$reg\",\"attestation\":{\"type\":\"symmetricKey\"},\"serial\":\"SN-$i\",\"initialTwin\":{\"tags\":{\"site\":\"warehouse\"},\"properties\":{\"desired\":{\"telemetryIntervalMs\":5000}}}}" > /dev/null
    done
fi

# The kiosk's device: in the inventory, sold, enrolled; a fresh code each run.
kiosk_reg=$(echo "$kiosk_serial" | tr 'A-Z' 'a-z')
if ! curl_api "$api/api/v1/devices/$kiosk_serial" > /dev/null 2>&1; then
    json -X POST "$api/api/v1/devices" \
        -d "{\"serial\":\"$kiosk_serial\",\"model\":\"Kiosk Pi 4\",\"manufacturer\":\"Acme Devices\",\"batch\":\"DEMO\",\"deliveryDate\":\"2026-11-20\"}" > /dev/null
    json -X POST "$api/api/v1/devices/$kiosk_serial/sell" -d "{\"customerId\":\"$contoso\"}" > /dev/null
fi
if ! curl_api "$api/api/v1/enrollments/$kiosk_reg" > /dev/null 2>&1; then
    json -X PUT "$api/api/v1/enrollments/$kiosk_reg" \
        -d "{\"registrationId\":\"$kiosk_reg\",\"attestation\":{\"type\":\"symmetricKey\"},\"serial\":\"$kiosk_serial\",\"initialTwin\":{\"tags\":{\"site\":\"demo\"},\"properties\":{\"desired\":{\"telemetryIntervalMs\":2000}}}}" |
        jq -r .activationCode
else
    json -X POST "$api/api/v1/enrollments/$kiosk_reg/activation-code" -d '{}' | jq -r .activationCode
fi

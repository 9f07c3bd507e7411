#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# A device batch job at scale: starts a middleware (SQLite in a fresh data
# directory), imports --devices devices (half of them model Gateway), sells
# every Gateway in stock by filter (POST /api/v1/device-batch-jobs) and,
# while the job runs, lists devices every 200 ms. Prints the machine, the
# job's rate and the listing's latency during the job.
#
#   bench/batch-jobs.sh [--build DIR] [--devices N] [--chunk N]
set -euo pipefail

build=build devices=100000 chunk=""
while [ $# -gt 0 ]; do
    case "$1" in
    --build) build=$2; shift 2 ;;
    --devices) devices=$2; shift 2 ;;
    --chunk) chunk=$2; shift 2 ;;
    -h | --help) sed -n '3,10p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
mw="$build/middleware/provisio-middleware"
[ -x "$mw" ] || { echo "no $mw (build the provisio-middleware target)" >&2; exit 2; }
dir=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
url="https://127.0.0.1:$port"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT

token=$("$mw" token create --data-dir "$dir" --role operator --name bench | grep -o 'pvs_[A-Za-z0-9_-]*' | head -1)
args=(serve --data-dir "$dir" --listen "127.0.0.1:$port" --hub-link off)
[ -n "$chunk" ] && args+=(--batch-job-chunk "$chunk")
"$mw" "${args[@]}" >"$dir/log" 2>&1 &
pid=$!
api() { curl -sS --cacert "$dir/tls/ca.crt" -H "Authorization: Bearer $token" "$@"; }
for _ in $(seq 50); do api -o /dev/null "$url/healthz" 2>/dev/null && break; sleep 0.2; done
json() { python3 -c "import sys,json; print(json.load(sys.stdin)$1)"; }

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
python3 -c "
print('serial,model')
for i in range($devices): print('BJ-%07d,%s' % (i, 'Gateway' if i % 2 else 'Sensor'))" >"$dir/devices.csv"
api -o /dev/null -H 'Content-Type: text/csv' -H 'Expect:' --data-binary @"$dir/devices.csv" "$url/api/v1/devices/import"
customer=$(api -H 'Content-Type: application/json' -d '{"name":"Bench"}' "$url/api/v1/customers" | json '["id"]')

start=$(date +%s.%N)
job=$(api -H 'Content-Type: application/json' -d "{\"action\":\"sell\",\"customerId\":\"$customer\"}" \
    "$url/api/v1/device-batch-jobs?model=Gateway&status=inStock" | json '["id"]')
started=$(date +%s.%N)
latencies=()
while :; do
    latencies+=("$(api -o /dev/null -w '%{time_total}' "$url/api/v1/devices?model=Sensor&limit=100")")
    state=$(api "$url/api/v1/device-batch-jobs/$job")
    [ "$(echo "$state" | json '["state"]')" != running ] && break
    sleep 0.2
done
end=$(date +%s.%N)
echo "$state" | python3 -c "
import sys, json
j = json.load(sys.stdin)
secs = $end - $start
print('job: %s, %d of %d devices sold, %d failed, %.1f s, %.0f devices/s; start request %.0f ms'
      % (j['state'], j['succeeded'], j['total'], j['failed'], secs, j['done'] / secs, ($started - $start) * 1000))"
printf '%s\n' "${latencies[@]}" | python3 -c "
import sys
v = sorted(float(x) * 1000 for x in sys.stdin)
print('listing (limit=100, new TLS connection each) during the job: n=%d median %.0f ms, p95 %.0f ms, max %.0f ms'
      % (len(v), v[len(v) // 2], v[int(len(v) * 0.95)], v[-1]))"

#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Registrations of this tree against another commit's middleware, on the same
# machine in the same run, with one load generator (this tree's
# provisio-bench-registrations) for both. Prints one line per run and, last,
# one JSON line with the ratio this tree / the other commit.
#
#   bench/compare-registrations.sh --base <commit> [--pairs N] [--devices N]
#   bench/compare-registrations.sh --base <commit> --instructions [--devices N]
#   ... --base-middleware PATH   use an existing Release build of <commit>
#
# Wall-clock mode (default) alternates the two middlewares N times and
# reports registrations/s and server CPU per registration; on a shared or
# virtual machine single runs vary by tens of percent, so read the median of
# the pairs. --instructions runs each middleware once under callgrind and
# counts the instructions spent serving the registrations (from the first
# registration connection to the end): a figure that does not depend on the
# machine's load, so small differences are real.
set -euo pipefail

base="" base_mw="" pairs=3 devices=10000 mode=wall
while [ $# -gt 0 ]; do
    case "$1" in
    --base) base=$2; shift 2 ;;
    --base-middleware) base_mw=$2; shift 2 ;; # an existing Release build of --base
    --pairs) pairs=$2; shift 2 ;;
    --devices) devices=$2; shift 2 ;;
    --instructions) mode=instructions; shift ;;
    -h | --help) sed -n '3,19p' "$0"; exit 0 ;;
    *) echo "compare-registrations: unknown argument $1" >&2; exit 2 ;;
    esac
done
[ -n "$base" ] || { echo "compare-registrations: --base <commit> is required" >&2; exit 2; }

root=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
sha=$(git -C "$root" rev-parse --short "$base^{commit}")
# The other commit's checkout and build stay in build/ for the next run.
basedir=$root/build/compare-$sha
work=$(mktemp -d "${TMPDIR:-/tmp}/provisio-compare.XXXXXX")
trap 'rm -rf "$work"' EXIT

build() { # source-dir build-dir
    cmake -S "$1" -B "$2" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPROVISIO_BUILD_TESTS=OFF >"$work/cmake.log" 2>&1 ||
        { cat "$work/cmake.log" >&2; exit 1; }
    cmake --build "$2" --target provisio-middleware provisio-bench-registrations >"$work/build.log" 2>&1 ||
        { tail -30 "$work/build.log" >&2; exit 1; }
}
if [ -z "$base_mw" ]; then
    echo "building $base (Release)..." >&2
    [ -d "$basedir/src" ] || git -C "$root" worktree add --detach "$basedir/src" "$sha" >/dev/null
    build "$basedir/src" "$basedir/build"
    base_mw=$basedir/build/middleware/provisio-middleware
fi
echo "building this tree (Release)..." >&2
build "$root" "$root/build/compare-release"
this_mw=$root/build/compare-release/middleware/provisio-middleware
bench=$root/build/compare-release/bench/provisio-bench-registrations

field() { python3 -c "import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1]).get('$1'))"; }

if [ "$mode" = wall ]; then
    ratios=()
    for i in $(seq 1 "$pairs"); do
        b=$("$bench" --middleware "$base_mw" --devices "$devices" 2>/dev/null | tail -1)
        t=$("$bench" --middleware "$this_mw" --devices "$devices" 2>/dev/null | tail -1)
        br=$(echo "$b" | field registrationsPerSecond) tr=$(echo "$t" | field registrationsPerSecond)
        bc=$(echo "$b" | field serverCpuPerRegistrationUs) tc=$(echo "$t" | field serverCpuPerRegistrationUs)
        [ "$(echo "$b" | field errors)" = 0 ] && [ "$(echo "$t" | field errors)" = 0 ] ||
            { echo "compare-registrations: a run had errors" >&2; exit 1; }
        r=$(python3 -c "print(round($tr / $br, 3))")
        ratios+=("$r")
        echo "pair $i: $base $br/s ($bc us CPU each), this tree $tr/s ($tc us CPU each), ratio $r"
    done
    python3 - "$base" "$devices" "${ratios[@]}" <<'EOF'
import json, statistics, sys
base, devices, ratios = sys.argv[1], int(sys.argv[2]), [float(r) for r in sys.argv[3:]]
print(json.dumps({"benchmark": "registrations-compare", "mode": "wall", "base": base, "devices": devices,
                  "ratios": ratios, "ratio": statistics.median(ratios)}))
EOF
    exit 0
fi

# --instructions: each middleware serves under callgrind with instrumentation
# off until the enrollments exist and the registration connections are open.
port=$((20000 + RANDOM % 20000))
count() { # name middleware
    local name=$1 mw=$2 d=$work/data-$1
    mkdir -p "$d"
    "$mw" serve --data-dir "$d" --listen "127.0.0.1:$port" >"$work/$name-init.log" 2>&1 &
    local p=$!
    for _ in $(seq 1 120); do curl -sk "https://127.0.0.1:$port/" >/dev/null 2>&1 && break; sleep 0.5; done
    kill "$p"; wait "$p" || true
    local token
    token=$("$mw" token create --data-dir "$d" --role admin 2>/dev/null | tail -1)
    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/$name.out" \
        "$mw" serve --data-dir "$d" --listen "127.0.0.1:$port" >"$work/$name-serve.log" 2>&1 &
    p=$!
    for _ in $(seq 1 480); do curl -sk "https://127.0.0.1:$port/" >/dev/null 2>&1 && break; sleep 0.5; done
    local scope
    scope=$(curl -sk -H "Authorization: Bearer $token" "https://127.0.0.1:$port/api/v1/service" | field idScope)
    "$bench" --url "https://127.0.0.1:$port" --ca "$d/tls/ca.crt" --token "$token" --id-scope "$scope" \
        --devices "$devices" --concurrency 16 --hold-before-run "$work/$name.go" >"$work/$name-bench.log" 2>&1 &
    local b=$!
    # The load generator holds its first registration until the profiler counts.
    until grep -q "connections open; waiting" "$work/$name-bench.log"; do
        kill -0 "$b" 2>/dev/null || { echo "compare-registrations: the $name run stopped: $(tail -3 "$work/$name-bench.log")" >&2; exit 1; }
        sleep 0.2
    done
    callgrind_control -i on "$p" >/dev/null 2>&1
    touch "$work/$name.go"
    wait "$b" || { echo "compare-registrations: the $name run failed: $(tail -3 "$work/$name-bench.log")" >&2; exit 1; }
    [ "$(tail -1 "$work/$name-bench.log" | field errors)" = 0 ] ||
        { echo "compare-registrations: the $name run had errors: $(tail -1 "$work/$name-bench.log")" >&2; exit 1; }
    kill -TERM "$p"; wait "$p" || true
    # The instructions spent on the connections' input: the requests.
    callgrind_annotate --inclusive=yes "$work/$name.out" 2>/dev/null |
        awk '/QSslSocketPrivate::_q_readyReadSlot\(\)/ && !found { gsub(",", "", $1); print $1; found = 1 }'
}
command -v valgrind >/dev/null || { echo "compare-registrations: --instructions needs valgrind" >&2; exit 2; }
bi=$(count base "$base_mw") && [ -n "$bi" ] || exit 1
ti=$(count this "$this_mw") && [ -n "$ti" ] || exit 1
python3 - "$base" "$devices" "$bi" "$ti" <<'EOF'
import json, sys
base, devices, bi, ti = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
print(f"{base}: {bi / devices:,.0f} instructions per registration; this tree: {ti / devices:,.0f}")
print(json.dumps({"benchmark": "registrations-compare", "mode": "instructions", "base": base, "devices": devices,
                  "baseInstructionsPerRegistration": round(bi / devices), "instructionsPerRegistration": round(ti / devices),
                  "ratio": round(bi / ti, 4)}))
EOF

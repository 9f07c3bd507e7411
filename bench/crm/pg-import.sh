#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The CSV import on PostgreSQL, with the server's CPU beside the rate: a
# fresh database for the run (created and dropped here), the inventory
# bench's --import-only, and the CPU time of the whole cluster over the run
# (the postmaster's own and its children's, exited backends included, from
# /proc). The cluster must run on this machine under a superuser the URL
# names, as scripts/pg-test-cluster.sh starts one.
#
#   bench/crm/pg-import.sh --url postgresql://postgres@127.0.0.1:PORT/postgres \
#       [--devices N] [--build DIR] [--middleware-bin PATH] [--emptied]
#
# --emptied: the inventory first holds 1,000 devices, which are deleted and
# the table vacuumed (its statistics then say empty) before the import.
set -euo pipefail
url=""
devices=200000
build=build
bin=""
emptied=0
while [ $# -gt 0 ]; do
    case "$1" in
    --url) url="$2"; shift 2 ;;
    --devices) devices="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    --middleware-bin) bin="$2"; shift 2 ;;
    --emptied) emptied=1; shift ;;
    *) echo "pg-import: unknown option $1" >&2; exit 2 ;;
    esac
done
[ -n "$url" ] || { echo "pg-import: --url of the cluster is required" >&2; exit 2; }
bench="$build/bench/crm/provisio-bench-crm-inventory"
[ -x "$bench" ] || { echo "pg-import: build $bench first" >&2; exit 2; }
extra=()
[ -z "$bin" ] || extra=(--middleware-bin "$(realpath "$bin")")

name="pg_import_$$"
base="${url%/*}"
psql "$url" -qc "CREATE DATABASE $name"
work=$(mktemp -d)
trap 'rm -rf "$work"; psql "$url" -qc "DROP DATABASE IF EXISTS $name" >/dev/null 2>&1 || true' EXIT
target="$base/$name"

datadir=$(psql "$url" -Atc "SHOW data_directory")
postmaster=$(head -n 1 "$datadir/postmaster.pid")
cluster_cpu() {
    # Clock ticks: the postmaster's user and system time, its exited
    # children's, and each live child's.
    local t c
    t=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$postmaster/stat")
    for c in $(pgrep -P "$postmaster"); do
        t=$((t + $(awk '{print $14 + $15}' "/proc/$c/stat" 2>/dev/null || echo 0)))
    done
    echo "$t"
}

if [ "$emptied" = 1 ]; then
    "$bench" --devices 1000 --import-only --data-dir "$work/first" --database "$target" "${extra[@]}" >/dev/null 2>&1
    psql "$target" -qc "DELETE FROM devices" -qc "VACUUM devices"
fi
before=$(cluster_cpu)
"$bench" --devices "$devices" --import-only --data-dir "$work/run" --database "$target" "${extra[@]}" 2>&1 |
    grep -E '^(provisio-bench|machine|imported)'
after=$(cluster_cpu)
ticks=$(getconf CLK_TCK)
awk -v t=$((after - before)) -v hz="$ticks" 'BEGIN { printf "PostgreSQL server CPU %.1f s\n", t / hz }'

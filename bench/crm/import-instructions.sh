#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Instructions per imported device: the CSV import of N devices
# (provisio-bench-crm-inventory --import-only) against a middleware that
# runs under callgrind, counting only the import handler
# (InventoryApi::importCsv, on the event loop's thread, and the import's
# writes on its writer thread, Inventory::ImportSession::write*). Unlike CPU seconds
# the count does not move with the load of a shared machine, so two builds
# compare in one run each.
#
#   bench/crm/import-instructions.sh [--devices N] [--build DIR] [--middleware-bin PATH] [--database URL]
#
# --build: the build directory holding the bench (default: build).
# --middleware-bin: the middleware to measure (default: the build's).
# --database: a PostgreSQL URL of an empty database (default: SQLite).
# --keep FILE: keep callgrind's output there (callgrind_annotate reads it).
set -euo pipefail
devices=20000
build=build
bin=""
database=""
keep=""
while [ $# -gt 0 ]; do
    case "$1" in
    --devices) devices="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    --middleware-bin) bin="$2"; shift 2 ;;
    --database) database="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    *) echo "import-instructions: unknown option $1" >&2; exit 2 ;;
    esac
done
command -v valgrind >/dev/null || { echo "import-instructions: needs valgrind" >&2; exit 2; }
bench="$build/bench/crm/provisio-bench-crm-inventory"
[ -n "$bin" ] || bin="$build/middleware/provisio-middleware"
[ -x "$bench" ] && [ -x "$bin" ] || { echo "import-instructions: build $bench and $bin first" >&2; exit 2; }
bin=$(realpath "$bin")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The bench starts "serve" and runs the CLI (token create) with the same
# binary: only "serve" goes under callgrind.
cat >"$work/middleware" <<WRAP
#!/bin/sh
if [ "\$1" = serve ]; then
    # Valgrind runs one thread at a time: while the handler runs, the HTTP
    # threads wait, and the default ten seconds for TLS and headers pass
    # (the client then sent the import again on a new connection).
    export PROVISIO_TLS_HANDSHAKE_TIMEOUT=300 PROVISIO_HEADER_TIMEOUT=300 PROVISIO_BODY_STALL_TIMEOUT=3600 \\
        PROVISIO_IDLE_TIMEOUT=3600
    exec valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" \
        --toggle-collect='Provisio::InventoryApi::importCsv*' \\
        --toggle-collect='Provisio::Inventory::ImportSession::write*' "$bin" "\$@"
fi
exec "$bin" "\$@"
WRAP
chmod +x "$work/middleware"
# The data directory's first start (migrations, the CA's keys) runs
# natively: under callgrind on a loaded machine it takes minutes.
prepare=("$bin" serve --data-dir "$work/data" --listen 127.0.0.1:0)
[ -z "$database" ] || prepare+=(--database "$database")
"${prepare[@]}" >"$work/prepare.out" 2>"$work/prepare.err" &
pid=$!
for _ in $(seq 600); do
    grep -q "listening on" "$work/prepare.out" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
kill "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
grep -q "listening on" "$work/prepare.out" || { cat "$work/prepare.err" >&2; echo "import-instructions: the middleware did not start" >&2; exit 1; }
args=(--devices "$devices" --import-only --data-dir "$work/data" --middleware-bin "$work/middleware")
[ -z "$database" ] || args+=(--database "$database")
"$bench" "${args[@]}" 2>&1 | grep -v XDG_RUNTIME_DIR >&2
total=$(callgrind_annotate "$work/callgrind.out" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
[ -n "$total" ] || { echo "import-instructions: no callgrind totals" >&2; exit 1; }
[ -z "$keep" ] || cp "$work/callgrind.out" "$keep"
echo "$bin: $((total / devices)) instructions per imported device ($total for $devices)"

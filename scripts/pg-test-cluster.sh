#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# A throwaway PostgreSQL cluster for the test suite: no system service, no
# passwords, nothing outside DIR.
#
#   scripts/pg-test-cluster.sh start DIR   # create if needed, start, print the URL
#   scripts/pg-test-cluster.sh stop DIR    # stop (a stopped cluster is fine)
#   scripts/pg-test-cluster.sh status DIR  # print the URL if running, exit 3 if not
#
# `start` prints exactly one line on stdout,
#   postgresql://postgres@127.0.0.1:PORT/provisio_test
# and everything else on stderr, so `URL=$(scripts/pg-test-cluster.sh start DIR)`
# works. The cluster listens on 127.0.0.1 only (no Unix socket), trusts local
# TCP connections, and trades durability for speed (fsync off): it is for
# tests, never for data. PostgreSQL refuses to run as root, so when started as
# root the cluster belongs to the `postgres` system user.
#
# Environment: PG_BINDIR (default /usr/lib/postgresql/15/bin),
#              PG_TEST_PORT_BASE (default 55432), PG_TEST_DATABASE (default provisio_test).
set -euo pipefail

readonly DATABASE="${PG_TEST_DATABASE:-provisio_test}"
readonly PORT_BASE="${PG_TEST_PORT_BASE:-55432}"
readonly PORT_TRIES=100

die() {
    echo "pg-test-cluster: error: $*" >&2
    exit 1
}

note() {
    echo "pg-test-cluster: $*" >&2
}

usage() {
    echo "usage: $0 {start|stop|status} DIR" >&2
    exit 2
}

find_bindir() {
    if [[ -n "${PG_BINDIR:-}" ]]; then
        BINDIR="$PG_BINDIR"
    else
        BINDIR=/usr/lib/postgresql/15/bin
    fi
    local tool
    for tool in initdb pg_ctl postgres psql; do
        if [[ ! -x "$BINDIR/$tool" ]]; then
            die "PostgreSQL server binary '$BINDIR/$tool' not found. Install PostgreSQL 15 (Debian: apt-get install postgresql-15, or run scripts/deps.sh), or point PG_BINDIR at the bin directory of another installation."
        fi
    done
}

# Runs a PostgreSQL tool as the cluster's owner.
as_owner() {
    if [[ $EUID -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

prepare_dir() {
    mkdir -p "$DIR"
    [[ -w "$DIR" ]] || die "$DIR is not writable"
    if [[ $EUID -eq 0 ]]; then
        id postgres >/dev/null 2>&1 \
            || die "running as root needs the 'postgres' system user (created by the postgresql package); or run this script as an unprivileged user"
        chown postgres:postgres "$DIR"
        chmod 0700 "$DIR"
        runuser -u postgres -- test -w "$DIR" -a -x "$DIR" \
            || die "user 'postgres' cannot write to $DIR (is a parent directory closed to other users?); choose a DIR under /tmp"
    fi
}

port_in_use() {
    local port=$1
    if command -v ss >/dev/null 2>&1; then
        [[ -n "$(ss -ltnH "sport = :$port" 2>/dev/null)" ]]
    else
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
    fi
}

# The port of a running cluster: line 4 of postmaster.pid.
running_port() {
    sed -n 4p "$DATA/postmaster.pid" 2>/dev/null
}

is_running() {
    [[ -f "$DATA/PG_VERSION" ]] && as_owner "$BINDIR/pg_ctl" status -D "$DATA" >/dev/null 2>&1
}

url_for() {
    echo "postgresql://postgres@127.0.0.1:$1/$DATABASE"
}

init_cluster() {
    note "creating a cluster in $DATA"
    if ! as_owner "$BINDIR/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 \
        --no-locale --no-sync >"$DIR/initdb.log" 2>&1; then
        cat "$DIR/initdb.log" >&2
        die "initdb failed for $DATA (log above, kept in $DIR/initdb.log)"
    fi
    # Appended settings win over the defaults above them.
    as_owner tee -a "$DATA/postgresql.conf" >/dev/null <<'EOF'

# --- pg-test-cluster.sh: throwaway test cluster, speed over durability ---
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
logging_collector = off
EOF
}

ensure_database() {
    local port=$1
    local exists
    exists=$("$BINDIR/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -XtAq \
        -c "select 1 from pg_database where datname = '$DATABASE'") \
        || die "cannot connect to the cluster on 127.0.0.1:$port (see $DIR/postgresql.log)"
    if [[ "$exists" != 1 ]]; then
        "$BINDIR/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -Xq \
            -c "create database \"$DATABASE\"" >&2 \
            || die "cannot create database $DATABASE"
    fi
}

start() {
    find_bindir
    prepare_dir
    if [[ ! -f "$DATA/PG_VERSION" ]]; then
        init_cluster
    fi

    if is_running; then
        local port
        port=$(running_port)
        [[ -n "$port" ]] || die "cluster in $DATA runs but its port is unknown"
        ensure_database "$port"
        url_for "$port"
        return
    fi

    # Prefer the port used last time, so the URL stays the same across restarts.
    local candidates=() port
    if [[ -f "$DIR/port" ]]; then
        candidates+=("$(cat "$DIR/port")")
    fi
    for ((port = PORT_BASE; port < PORT_BASE + PORT_TRIES; port++)); do
        candidates+=("$port")
    done

    for port in "${candidates[@]}"; do
        port_in_use "$port" && continue
        # Another cluster may grab the same port between the check and the
        # start; then the start fails and the next port is tried.
        if as_owner "$BINDIR/pg_ctl" -D "$DATA" -l "$DIR/postgresql.log" -o "-p $port" \
            -w -t 60 start >&2; then
            echo "$port" | as_owner tee "$DIR/port" >/dev/null
            ensure_database "$port"
            url_for "$port"
            return
        fi
        if is_running; then
            die "the cluster started but did not report ready; see $DIR/postgresql.log"
        fi
        note "could not start on port $port; trying the next one"
    done
    die "no free port in ${PORT_BASE}-$((PORT_BASE + PORT_TRIES - 1)) or the server does not start; see $DIR/postgresql.log"
}

stop() {
    if [[ ! -f "$DATA/PG_VERSION" ]]; then
        note "no cluster in $DIR; nothing to stop"
        return
    fi
    find_bindir
    if ! is_running; then
        note "cluster in $DIR is not running"
        return
    fi
    as_owner "$BINDIR/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >&2 \
        || die "pg_ctl could not stop the cluster in $DATA"
}

status() {
    find_bindir
    if is_running; then
        url_for "$(running_port)"
    else
        note "cluster in $DIR is not running"
        exit 3
    fi
}

main() {
    [[ $# -eq 2 ]] || usage
    local command=$1
    [[ -n "$2" ]] || usage
    DIR=$(realpath -m -- "$2")
    DATA="$DIR/data"
    case "$command" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) usage ;;
    esac
}

main "$@"

#!/usr/bin/env bash
# pg.sh start|stop|url|status: a throwaway PostgreSQL 15 cluster for tests.
# start: initdb in a fresh temp dir owned by the postgres user (trust auth,
#        fsync off), listening on 127.0.0.1 on a free port from 55432 up, unix
#        socket in the temp dir; prints postgres://postgres@127.0.0.1:PORT/postgres.
#        Already running: prints the URL again.
# stop:  pg_ctl stop -m fast and removes the temp dir.
# url:   prints the URL of the running cluster.
# State lives in $GH_PG_STATE (default /tmp/gatehouse-pg.env). Tests create one
# database per server in it (CREATE DATABASE gh_<random>).
set -euo pipefail

PG_BIN="${GH_PG_BIN:-/usr/lib/postgresql/15/bin}"
STATE="${GH_PG_STATE:-${TMPDIR:-/tmp}/gatehouse-pg.env}"

as_pg() { # runs a command as the postgres user when we are root
    if [ "$(id -u)" -eq 0 ]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

load_state() {
    [ -f "$STATE" ] || return 1
    # shellcheck disable=SC1090
    . "$STATE"
    [ -n "${PGDIR:-}" ] && [ -d "$PGDIR/data" ]
}

running() { load_state && as_pg "$PG_BIN/pg_ctl" -D "$PGDIR/data" status >/dev/null 2>&1; }

cmd_start() {
    if running; then echo "$PGURL"; return 0; fi
    [ ! -f "$STATE" ] || cmd_stop >/dev/null 2>&1 || true
    [ -x "$PG_BIN/initdb" ] || { echo "pg.sh: $PG_BIN/initdb not found (scripts/setup.sh installs postgresql)" >&2; exit 1; }
    local dir port
    dir="$(mktemp -d "${TMPDIR:-/tmp}/gh-pg.XXXXXX")"
    [ "$(id -u)" -ne 0 ] || chown postgres:postgres "$dir"
    chmod 700 "$dir"
    port="${GH_PG_PORT:-55432}"
    while port_busy "$port"; do
        port=$((port + 1))
        [ "$port" -lt 55632 ] || { echo "pg.sh: no free port" >&2; exit 1; }
    done
    as_pg "$PG_BIN/initdb" -D "$dir/data" --auth=trust -U postgres -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
    as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
        start >/dev/null || { cat "$dir/log" >&2; exit 1; }
    local url="postgres://postgres@127.0.0.1:$port/postgres"
    printf 'PGDIR=%q\nPGPORT=%q\nPGURL=%q\n' "$dir" "$port" "$url" >"$STATE"
    echo "$url"
}

cmd_stop() {
    if load_state; then
        as_pg "$PG_BIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop >/dev/null 2>&1 || true
        rm -rf "$PGDIR"
    fi
    rm -f "$STATE"
}

cmd_url() {
    running || { echo "pg.sh: not running (run: $0 start)" >&2; exit 1; }
    echo "$PGURL"
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    url) cmd_url ;;
    status) if running; then echo "running: $PGURL"; else echo "stopped"; exit 1; fi ;;
    *) echo "usage: $0 start|stop|url|status" >&2; exit 2 ;;
esac

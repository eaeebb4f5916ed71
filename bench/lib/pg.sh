# shellcheck shell=bash
# pg.sh: a throwaway PostgreSQL 15 cluster for the Gatehouse-on-PostgreSQL
# figures. Source it after common.sh.
# Unlike scripts/pg.sh (the test cluster: fsync off), this one keeps
# PostgreSQL's default durability (fsync, synchronous_commit on), so the
# numbers are what an operator would see. Listens on 127.0.0.1 only, trust
# auth, unix socket in its own temp dir.
# pg_start sets PG_DIR and PG_PORT; pg_url NAME creates database NAME and prints
# its URL; pg_stop stops the cluster and removes the dir (safe to call twice).

PG_BIN="${GH_PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_DIR=""; PG_PORT=""

pg_as() { if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }

pg_start() {
  [ -x "$PG_BIN/initdb" ] || apt_ensure postgresql || return 1
  [ -x "$PG_BIN/initdb" ] || { log "no $PG_BIN/initdb"; return 1; }
  PG_DIR="$(mktemp -d /tmp/gh-bench-pg.XXXXXX)"
  [ "$(id -u)" -ne 0 ] || chown postgres:postgres "$PG_DIR"
  chmod 700 "$PG_DIR"
  PG_PORT="$(free_port 55700)" || return 1
  pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" --auth=trust -U postgres -E UTF8 >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -t 60 \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=256MB" \
    start >/dev/null || { cat "$PG_DIR/log" >&2; return 1; }
}

pg_url() {
  pg_as psql -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -c "CREATE DATABASE $1" >/dev/null || return 1
  echo "postgres://postgres@127.0.0.1:$PG_PORT/$1"
}

pg_version() { "$PG_BIN/postgres" --version 2>/dev/null | awk '{print $3}'; }

pg_stop() {
  [ -n "$PG_DIR" ] || return 0
  pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"; PG_DIR=""
}

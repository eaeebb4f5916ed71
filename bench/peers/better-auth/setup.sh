#!/usr/bin/env bash
# better-auth/setup.sh: peer "better-auth" (npm, pinned in package.json) as a
# standalone node:http server on 127.0.0.1:$BA_PORT: better-sqlite3 file DB
# (WAL, fresh per start), email+password (scrypt, library default), JWT plugin
# (RS256 2048 here; BA_JWT_ALG=EdDSA for the plugin default), rate limit off
# (production default would cap sign-in at 3 req/10 s per IP).
# Signs up the bench user, signs in, checks /token returns a JWT.
# Writes $RUN_DIR/better-auth.pid and $RUN_DIR/better-auth.env (BA_*, START_MS,
# IDLE_RSS_KIB, VERSION). better-sqlite3 has no reachable prebuilt binary here:
# the first install compiles SQLite from source (~2 min on 2 cores, niced).
set -euo pipefail
source "$(dirname "$0")/../../lib/common.sh"

HERE="$(cd "$(dirname "$0")" && pwd)"
PIDF="$RUN_DIR/better-auth.pid"
PORT="${BA_PORT:-$(free_port 18602)}"
BASE="http://127.0.0.1:$PORT"
apt_ensure curl jq build-essential python3 || die "cannot install build tools"
npm_ensure "$HERE" || die "npm install of better-auth/better-sqlite3 failed"
if ! (cd "$HERE" && node -e 'require("better-sqlite3")') 2>/dev/null; then
  log "better-sqlite3 native module missing: npm rebuild"
  [ -d /usr/include/node ] && export npm_config_nodedir=/usr
  (cd "$HERE" && nice -n 10 npm rebuild better-sqlite3 >"$RUN_DIR/npm.rebuild.log" 2>&1) || die "better-sqlite3 build failed"
fi

stop_pidfile "$PIDF"
port_busy "$PORT" && die "port $PORT already in use"
DB="$RUN_DIR/better-auth.sqlite"
rm -f "$DB" "$DB-wal" "$DB-shm"

T0=$(now_ms)
start_bg "$PIDF" "$RUN_DIR/better-auth.log" env -C "$HERE" NODE_ENV=production PORT="$PORT" DB_FILE="$DB" \
  BA_JWT_ALG="${BA_JWT_ALG:-RS256}" BA_JWT_HEADER="${BA_JWT_HEADER:-1}" BA_RATE_LIMIT=0 node server.mjs
wait_200 127.0.0.1 "$PORT" /api/auth/ok 30000 "$(cat "$PIDF")" || { tail -20 "$RUN_DIR/better-auth.log" >&2; die "better-auth did not come up"; }
START_MS=$(( $(now_ms) - T0 ))
sleep 0.3
IDLE=$(rss_kib "$(cat "$PIDF")")

H=(-H 'Content-Type: application/json' -H "Origin: $BASE")
R=$(curl -s "${H[@]}" -d '{"email":"bench@example.test","password":"benchpass123","name":"Bench"}' "$BASE/api/auth/sign-up/email")
echo "$R" | jq -e .user.id >/dev/null || die "sign-up failed: $R"
COOKIE=$(curl -s -D - -o /dev/null "${H[@]}" -d '{"email":"bench@example.test","password":"benchpass123"}' \
  "$BASE/api/auth/sign-in/email" | tr -d '\r' | sed -n 's/^set-cookie: \(better-auth.session_token=[^;]*\).*/\1/Ip' | head -1)
[ -n "$COOKIE" ] || die "sign-in failed (no session cookie)"
TOK=$(curl -s -H "Cookie: $COOKIE" "$BASE/api/auth/token" | jq -r '.token // empty')
[ -n "$TOK" ] || die "/token returned no JWT"

cat >"$RUN_DIR/better-auth.env" <<EOV
BA_BASE=$BASE
BA_EMAIL=bench@example.test
BA_PASS=benchpass123
BA_COOKIE='$COOKIE'
BA_ALG='$(jwt_header "$TOK" | jq -r .alg)'
START_MS=$START_MS
IDLE_RSS_KIB=$IDLE
VERSION='$(npm_version "$HERE" better-auth) (better-sqlite3 $(npm_version "$HERE" better-sqlite3))'
EOV
log "better-auth $(npm_version "$HERE" better-auth) up on $BASE, JWT $(jwt_header "$TOK" | jq -r .alg) (pid $(cat "$PIDF"))"

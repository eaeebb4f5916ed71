# shellcheck shell=bash
# gatehouse_1m.sh: the Gatehouse figures with a big database (1M users and
# 1M sessions in a full run; GH_BIG_USERS, 2000 in quick mode so the path
# never rots). Sourced by bench/run after gatehouse.sh; bench_gatehouse calls
# gh_big STORE DBURL once the small-database figures are done and the server
# is stopped.
#
#   1. lib/gen_users.mjs writes GH_BIG_USERS import lines (once per run)
#   2. `gatehouse users import` loads them into the store's database (the
#      product's bulk loader: figure gh.STORE.big_import, users/s)
#   3. one active session per user is inserted with SQL (sqlite3 / psql): a
#      bench-only shortcut, Gatehouse has no session import; timed, logged
#   4. the server starts on that database: start to healthy, idle RSS
#   5. wrk: GET /v1/users/{id} over GH_BIG_SAMPLE random users, the first
#      page of the user list, the list by exact email (random users), a
#      substring search (query=, a rare match: the worst case, BIG_SEARCH_CONNS
#      connections), token mints over the sampled sessions and sign-in (as
#      gatehouse.sh: GH_SIGNIN) of the bench user; RSS after
# Figures are emitted as rows gh.STORE.big_*; labels carry the user count.
# Needs: GH_BIN, RUN_DIR, GH_SK (a secret key of that database), GH_PIDF,
#   CONNS, BENCH_QUICK, PG_PORT (postgres).

GH_BIG_SAMPLE="${GH_BIG_SAMPLE:-20000}"

# big_count : "1M" / "2000" for labels
big_count() {
  local n="$GH_BIG_USERS"
  if [ $((n % 1000000)) -eq 0 ]; then echo "$((n / 1000000))M"; elif [ $((n % 1000)) -eq 0 ] && [ "$n" -ge 10000 ]; then echo "$((n / 1000))k"; else echo "$n"; fi
}

# big_sql STORE DBURL SQL : runs SQL (no output) on the store's database
big_sql() {
  case "$1" in
    # a 256 MiB page cache: 1M inserts into random-id indexes (139 s with the 2 MiB default)
    sqlite) sqlite3 -bail "${2#sqlite://}" >/dev/null <<<"PRAGMA busy_timeout = 10000; PRAGMA cache_size = -262144; $3" ;;
    postgres) psql -q -X -v ON_ERROR_STOP=1 "$2" >/dev/null <<<"$3" ;;
  esac
}

# big_query STORE DBURL SQL : prints the rows, one a line, values |-separated
big_query() {
  case "$1" in
    sqlite) sqlite3 -bail "${2#sqlite://}" "$3" ;;
    postgres) psql -X -A -t -v ON_ERROR_STOP=1 "$2" -c "$3" ;;
  esac
}

# big_sessions STORE DBURL : one active session per user that has none, on one
# client, in one statement (session ids are derived from user ids: sess_ +
# the 27 characters of the user id, as valid as any).
big_sessions() {
  local now week month
  now="$(now_ms)"; week=$((now + 7 * 86400000)); month=$((now + 30 * 86400000))
  big_sql "$1" "$2" "BEGIN;
INSERT INTO clients (id, instance_id, token_hash, created_at, updated_at)
  SELECT 'client_benchbulk000000000000000000', id, '', $now, $now FROM instances;
INSERT INTO sessions (id, instance_id, user_id, client_id, status, last_active_at, expire_at, abandon_at, created_at, updated_at)
  SELECT 'sess_' || substr(u.id, 6), u.instance_id, u.id, 'client_benchbulk000000000000000000', 'active',
         $now, $week, $month, $now, $now
  FROM users u WHERE NOT EXISTS (SELECT 1 FROM sessions s WHERE s.user_id = u.id);
COMMIT;"
}

# big_load STORE DBURL : steps 1–3; 1 when the import failed (row emitted)
big_load() {
  local store="$1" dburl="$2" s="gatehouse ($1)" f="$RUN_DIR/users-big.jsonl" t0 out line n secs rate
  local keyarg=() sess_ms
  if [ ! -s "$f" ]; then
    t0=$(now_ms)
    node "$BENCH_DIR/lib/gen_users.mjs" "$GH_BIG_USERS" >"$f" || { rm -f "$f"; return 1; }
    log "generated $GH_BIG_USERS import lines in $(( $(now_ms) - t0 )) ms ($(du -h "$f" | cut -f1))"
  fi
  keyarg=(--master-key-file "$RUN_DIR/gh-$store/gh.key") # as gh_start passes it
  out="$RUN_DIR/gh-$store/import.log"
  log "gatehouse ($store): users import of $GH_BIG_USERS users"
  GATEHOUSE_LOG_LEVEL=warn "$GH_BIN" users import "$f" --database "$dburl" "${keyarg[@]}" >"$out" 2>&1 || true
  grep -E '^import: ' "$out" | tail -3 >&2
  line="$(grep -E '^imported [0-9]+ users' "$out" | tail -1)"
  n="$(printf '%s' "$line" | awk '{print $2}')"
  secs="$(printf '%s' "$line" | sed -nE 's/.* in ([0-9.]+) s.*/\1/p')"
  rate="$(printf '%s' "$line" | sed -nE 's/.*, ([0-9]+) users\/s.*/\1/p')"
  if [ "${n:-0}" != "$GH_BIG_USERS" ]; then
    emit key="gh.$store.big_import" subject="$s" label="users import, $(big_count) users" status=failed \
      note="imported ${n:-0} of $GH_BIG_USERS: $(grep -v '^{' "$out" | tail -2 | tr '\n' ' ' | cut -c1-250)"
    return 1
  fi
  emit key="gh.$store.big_import" subject="$s" label="users import (bulk loader), $(big_count) users" status=ok \
    unit=users/s value="$rate" note="$n users in $secs s"
  log "OK   $s: users import: $n users in $secs s ($rate users/s)"
  t0=$(now_ms)
  big_sessions "$store" "$dburl" || { log "session SQL failed"; return 1; }
  sess_ms=$(( $(now_ms) - t0 ))
  log "gatehouse ($store): $(big_query "$store" "$dburl" "SELECT COUNT(*) FROM sessions") sessions in the database (SQL insert: $sess_ms ms)"
}

# big_paths STORE DBURL : path files for wrk (random sample of users)
big_paths() {
  local store="$1" dburl="$2" d="$RUN_DIR/gh-$1" k
  # users with a bulk session (not the bench user and the fillers made before)
  big_query "$store" "$dburl" "SELECT user_id FROM sessions WHERE client_id = 'client_benchbulk000000000000000000'
    ORDER BY random() LIMIT $GH_BIG_SAMPLE" >"$d/sample.ids"
  sed 's#^#/v1/users/#' "$d/sample.ids" >"$d/paths.user_get"
  sed -E 's#^user_(.*)$#/v1/sessions/sess_\1/tokens#' "$d/sample.ids" >"$d/paths.mint"
  : >"$d/paths.email"; : >"$d/paths.search"
  for k in $(shuf -i 1-"$GH_BIG_USERS" -n 2000 -r); do
    echo "/v1/users?email_address=u$k%40bench.test" >>"$d/paths.email"
    echo "/v1/users?query=user$k&limit=10" >>"$d/paths.search"
  done
}

gh_big() {
  local store="$1" dburl="$2" s="gatehouse ($1)" P="$GH_PIDF" d="$RUN_DIR/gh-$1" auth="Authorization: Bearer $GH_SK" c
  [ "${GH_BIG_USERS:-0}" -gt 0 ] || return 0
  [[ " ${GH_BIG_STORES:-sqlite postgres} " == *" $store "* ]] || return 0
  case "$store" in sqlite) apt_ensure sqlite3 ;; postgres) apt_ensure postgresql-client ;; esac || {
    emit_na "gh.$store.big_import" "$s" "users import" "sqlite3/psql could not be installed"; return 0; }
  big_load "$store" "$dburl" || return 0
  big_paths "$store" "$dburl"
  c="$(big_count)"
  if ! gh_start "$store" big "$dburl"; then
    emit key="gh.$store.big_start_ms" subject="$s" label="start to healthy, $c users + $c sessions" status=failed note="did not start"
    return 0
  fi
  emit key="gh.$store.big_start_ms" subject="$s" label="start to healthy, $c users + $c sessions" status=ok unit=ms value="$GH_START_MS"
  sleep 0.5
  gh_rss_row "gh.$store.big_idle_rss" "idle RSS, $c users + $c sessions"
  WRK_PATHS_FILE="$d/paths.user_get" run_op "gh.$store.big_user_get" "$s" "GET /v1/users/{id}, $c users (random ids)" "$P" "$CONNS" \
    GET "$GH_B$(head -1 "$d/paths.user_get")" "" "" "$auth"
  run_op "gh.$store.big_user_list" "$s" "GET /v1/users?limit=10, $c users (first page)" "$P" "$CONNS" \
    GET "$GH_B/v1/users?limit=10" "" "" "$auth"
  WRK_PATHS_FILE="$d/paths.email" run_op "gh.$store.big_user_email" "$s" "GET /v1/users?email_address=…, $c users" "$P" "$CONNS" \
    GET "$GH_B$(head -1 "$d/paths.email")" "" "" "$auth"
  WRK_PATHS_FILE="$d/paths.search" WARMUP=0 run_op "gh.$store.big_user_search" "$s" "GET /v1/users?query=…, $c users (rare match: full scan)" \
    "$P" "${BIG_SEARCH_CONNS:-2}" GET "$GH_B$(head -1 "$d/paths.search")" "" "" "$auth"
  WRK_PATHS_FILE="$d/paths.mint" run_op "gh.$store.big_mint" "$s" "token mint over $GH_BIG_SAMPLE sessions, $c sessions" "$P" "$CONNS" \
    POST "$GH_B$(head -1 "$d/paths.mint")" "" application/json "$auth|Content-Length: 0"
  gh_sign_in_req "$GH_SIGNIN"
  run_op "gh.$store.big_sign_in" "$s" "${SI_LABEL%% (*}, $c users + $c sessions" "$P" "$HASH_CONNS" \
    POST "$SI_URL" "$SI_BODY" "$SI_CT" "$SI_HDRS"
  gh_rss_row "gh.$store.big_rss" "RSS after load, $c users + $c sessions"
  stop_pidfile "$P"
}

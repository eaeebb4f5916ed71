# shellcheck shell=bash
# gatehouse.sh: the Gatehouse figures of bench/run, for one store at a time.
# Sourced by bench/run after lib/common.sh, lib/measure.sh and lib/pg.sh.
#
# bench_gatehouse STORE (sqlite|postgres):
#   1. fresh database -> `gatehouse serve` on two free loopback ports; time from
#      spawn to the first 200 on the backend's /healthz (start_fresh_ms); idle
#      RSS (VmRSS 0.5 s after healthy); CLERK_SECRET_KEY from its stdout
#   2. provisions over the Backend API: one bench user (with a password), filler
#      users, one session; checks a minted token is an RS256 JWT
#   3. wrk: token mint with reuse (server default), GET /v1/jwks, GET
#      /.well-known/jwks.json, GET /v1/users/{id}, GET /v1/users?limit=10;
#      RSS after load
#   4. restart on the same database with GATEHOUSE_TOKEN_REUSE_SECONDS=0
#      (start_existing_ms), wrk: token mint with a fresh signature every time
#   5. figures that need parts not written yet are emitted as n/a rows
#      (sign-up, sign-in, refresh p99 under a sign-in storm, 1M users)
# Quick mode (BENCH_QUICK=1): mint reuse, mint fresh, /v1/jwks, /v1/users/{id}
# and the start/RSS figures only.
# Every server started here is stopped by its PID before returning.
# Needs: GH_BIN, RUN_DIR, ROWS, CONNS, BENCH_QUICK, GH_FILLER_USERS.

GH_PASSWORD='Bench-pass-7f3k-Q9x'
GH_PIDF="$RUN_DIR/gatehouse.pid"

# gh_start STORE TAG DBURL [REUSE_SECONDS] : starts the server; sets GH_F, GH_B
# (base URLs), GH_START_MS, GH_LOG. Returns 1 when it does not become healthy.
gh_start() {
  local store="$1" tag="$2" dburl="$3" reuse="${4:-}" d="$RUN_DIR/gh-$1" fp bp t0 envs=()
  mkdir -p "$d"
  fp="$(free_port 18610)"; bp="$(free_port $((fp + 1)))"
  GH_F="http://127.0.0.1:$fp"; GH_B="http://127.0.0.1:$bp"; GH_LOG="$d/server.$tag.log"
  envs=(GATEHOUSE_LOG_LEVEL="${GATEHOUSE_LOG_LEVEL:-warn}")
  # throughput of the server, not of its rate limits (Backend API 1000 per
  # 10 s per instance; per client IP 5 sign-in creations and 3 attempts per
  # 10 s: every wrk connection is 127.0.0.1)
  envs+=(GATEHOUSE_RATELIMIT_BACKEND=0 GATEHOUSE_RATELIMIT_SIGN_IN=0 GATEHOUSE_RATELIMIT_SIGN_UP=0
    GATEHOUSE_RATELIMIT_ATTEMPT=0)
  [ -z "$reuse" ] || envs+=(GATEHOUSE_TOKEN_REUSE_SECONDS="$reuse")
  t0=$(now_ms)
  # stdbuf: the secret key line must reach the log file while the server runs
  start_bg "$GH_PIDF" "$GH_LOG" env "${envs[@]}" stdbuf -oL -eL "$GH_BIN" serve \
    --frontend "127.0.0.1:$fp" --backend "127.0.0.1:$bp" --database "$dburl" --master-key-file "$d/gh.key"
  if ! wait_200 127.0.0.1 "$bp" /healthz 60000 "$(cat "$GH_PIDF")"; then
    log "gatehouse ($store) did not become healthy; log tail:"; tail -15 "$GH_LOG" >&2
    stop_pidfile "$GH_PIDF"; return 1
  fi
  GH_START_MS=$(( $(now_ms) - t0 ))
  [ "$(http_code "$GH_F/healthz")" = 200 ] || { log "gatehouse ($store): frontend /healthz not 200"; stop_pidfile "$GH_PIDF"; return 1; }
  log "gatehouse ($store, $tag) healthy in $GH_START_MS ms (pid $(cat "$GH_PIDF"))"
}

# gh_api METHOD URL [JSON] : Backend API call with the secret key; body to
# stdout, fails on a non-2xx status
gh_api() {
  local out code
  out="$(curl -s -w '\n%{http_code}' -X "$1" -H "Authorization: Bearer $GH_SK" -H 'Content-Type: application/json' \
    --max-time 30 ${3:+--data-binary "$3"} "$2")" || return 1
  code="${out##*$'\n'}"; out="${out%$'\n'*}"
  case "$code" in 2??) printf '%s' "$out" ;; *) log "$1 ${2#http://127.0.0.1:*/} -> HTTP $code: ${out:0:200}"; return 1 ;; esac
}

# gh_metric NAME_REGEX : value of a /metrics counter (empty if absent)
gh_metric() {
  curl -s --max-time 5 -H "Authorization: Bearer $GH_SK" "$GH_B/metrics" 2>/dev/null \
    | awk -v re="$1" '$0 ~ re && $0 !~ /^#/ {print $NF; exit}'
}

# gh_provision STORE : creates the bench user, filler users and a session;
# sets GH_UID, GH_SID
gh_provision() {
  local store="$1" r jwt i n="${GH_FILLER_USERS:-0}"
  r="$(gh_api POST "$GH_B/v1/users" "{\"email_address\":[\"bench@bench.test\"],\"password\":\"$GH_PASSWORD\"}")" || return 1
  GH_UID="$(printf '%s' "$r" | jq -r '.id // empty')"; [ -n "$GH_UID" ] || { log "no user id in: ${r:0:200}"; return 1; }
  r="$(gh_api POST "$GH_B/v1/sessions" "{\"user_id\":\"$GH_UID\"}")" || return 1
  GH_SID="$(printf '%s' "$r" | jq -r '.id // empty')"; [ -n "$GH_SID" ] || { log "no session id in: ${r:0:200}"; return 1; }
  r="$(gh_api POST "$GH_B/v1/sessions/$GH_SID/tokens")" || return 1
  jwt="$(printf '%s' "$r" | jq -r '.jwt // empty')"
  jwt_header "$jwt" | jq -e '.alg == "RS256"' >/dev/null 2>&1 || { log "minted token is not an RS256 JWT: ${r:0:200}"; return 1; }
  # Filler users for the list figure (without a password when the API allows
  # it: an argon2id hash per user would dominate the setup time).
  for i in $(seq 1 "$n"); do
    gh_api POST "$GH_B/v1/users" "{\"email_address\":[\"filler$i@bench.test\"],\"skip_password_requirement\":true}" >/dev/null 2>&1 \
      || gh_api POST "$GH_B/v1/users" "{\"email_address\":[\"filler$i@bench.test\"],\"password\":\"$GH_PASSWORD\"}" >/dev/null \
      || return 1
  done
  log "gatehouse ($store): user $GH_UID, session $GH_SID, $n filler users"
}

# Sign-in. GH_SIGNIN=fapi (the default, `bench/run --sign-in fapi`) signs in
# the way clerk-js does: POST /v1/client/sign_ins on the frontend listener,
# form body identifier + password + strategy=password, Origin header (plus
# GH_FAPI_HEADERS, "Name: v|Name2: v"); no cookie, so every request is a new
# client and ends with a new session. GH_SIGNIN=bapi signs in through the
# Backend API's POST /v1/users/{id}/verify_password: the same argon2id check
# and lockout bookkeeping without the client, sign-in and session rows (the
# proxy used before the Frontend API existed). A full run measures both.
# gh_sign_in_req MODE: sets SI_URL SI_BODY SI_CT SI_HDRS SI_LABEL.
gh_sign_in_req() {
  if [ "$1" = fapi ]; then
    SI_URL="$GH_F${GH_FAPI_PATH:-/v1/client/sign_ins}"
    SI_BODY="identifier=bench%40bench.test&password=$GH_PASSWORD&strategy=password"
    SI_CT=application/x-www-form-urlencoded
    SI_HDRS="Origin: $GH_F${GH_FAPI_HEADERS:+|$GH_FAPI_HEADERS}"
    SI_LABEL="sign-in, FAPI POST /v1/client/sign_ins (argon2id)"
  else
    SI_URL="$GH_B/v1/users/$GH_UID/verify_password"
    SI_BODY="{\"password\":\"$GH_PASSWORD\"}"
    SI_CT=application/json
    SI_HDRS="Authorization: Bearer $GH_SK"
    SI_LABEL="sign-in proxy, BAPI verify_password (argon2id)"
  fi
}

# gh_sign_in_figures STORE: the sign-in rate (HASH_CONNS connections), then
# token refresh latency from a light fixed-rate probe (PROBE_CONNS
# connections, PROBE_DELAY_MS between requests: its p99 is latency, not its
# own queueing), idle and during a sign-in storm (HASH_CONNS connections
# hammering sign-in for the whole probe).
gh_sign_in_figures() {
  local store="$1" s="gatehouse ($1)" P="$GH_PIDF" res storm_res auth="Authorization: Bearer $GH_SK"
  local mint="$GH_B/v1/sessions/$GH_SID/tokens" pc="${PROBE_CONNS:-2}" pd="${PROBE_DELAY_MS:-2}"
  local other=bapi; [ "$GH_SIGNIN" = fapi ] || other=fapi
  if [ "$BENCH_QUICK" != 1 ]; then
    gh_sign_in_req "$other"
    run_op "gh.$store.sign_in_$other" "$s" "$SI_LABEL" "$P" "$HASH_CONNS" POST "$SI_URL" "$SI_BODY" "$SI_CT" "$SI_HDRS"
  fi
  gh_sign_in_req "$GH_SIGNIN"
  run_op "gh.$store.sign_in" "$s" "$SI_LABEL" "$P" "$HASH_CONNS" POST "$SI_URL" "$SI_BODY" "$SI_CT" "$SI_HDRS"
  log "gatehouse ($store): refresh probe ($pc conns, ${pd} ms apart), idle then during a sign-in storm"
  wait_quiet "$(cat "$P")"
  res="$(WRK_DELAY_MS="$pd" wrk_raw "$OUT_RAW/probe.idle.$store.txt" "$pc" "$DURATION" POST "$mint" "" application/json "$auth|Content-Length: 0")"
  emit_wrk "gh.$store.refresh_p99_idle" "$s" "token refresh p99, idle (light probe)" "$res" ms p99_ms conns="$pc"
  # storm: runs WARMUP s before and 1 s after the probe
  ( wrk_raw "$OUT_RAW/storm.$store.txt" "$HASH_CONNS" $((DURATION + WARMUP + 1)) POST "$SI_URL" "$SI_BODY" "$SI_CT" "$SI_HDRS" \
      >"$RUN_DIR/storm.$store.json" ) &
  local spid=$!
  sleep "$WARMUP"
  res="$(WRK_DELAY_MS="$pd" wrk_raw "$OUT_RAW/probe.storm.$store.txt" "$pc" "$DURATION" POST "$mint" "" application/json "$auth|Content-Length: 0")"
  wait "$spid" || true
  storm_res="$(cat "$RUN_DIR/storm.$store.json")"
  emit_wrk "gh.$store.refresh_p99_storm" "$s" "token refresh p99, during a sign-in storm" "$res" ms p99_ms conns="$pc"
  emit_wrk "gh.$store.sign_in_storm" "$s" "sign-in rate during the storm (with the probe)" "$storm_res" req/s rps conns="$HASH_CONNS"
}

# gh_rss_row KEY LABEL : emits the server's current RSS (MiB) as a figure
gh_rss_row() {
  local kib; kib="$(rss_kib "$(cat "$GH_PIDF")")"
  emit key="$1" subject="gatehouse ($STORE_CUR)" label="$2" status=ok unit=MiB \
    value="$(awk -v k="$kib" 'BEGIN{printf "%.1f", k/1024}')"
}

gh_fail_all() { # gh_fail_all STORE REASON : the server could not be measured at all
  emit key="gh.$1.start_fresh_ms" subject="gatehouse ($1)" label="start to healthy, fresh database" status=failed note="$2"
}

bench_gatehouse() {
  local store="$1" dburl s P="$GH_PIDF" J=application/json auth before after
  STORE_CUR="$store"; s="gatehouse ($store)"
  case "$store" in
    sqlite) dburl="sqlite://$RUN_DIR/gh-$store/gh.db"; mkdir -p "$RUN_DIR/gh-$store" ;;
    postgres)
      if [ -z "$PG_DIR" ]; then pg_start || { gh_fail_all "$store" "could not start PostgreSQL"; return 0; }; fi
      dburl="$(pg_url "gh_bench_$(date +%s)")" || { gh_fail_all "$store" "could not create the database"; return 0; } ;;
  esac

  # --- 1. fresh database, reuse on (the server's default)
  gh_start "$store" fresh "$dburl" || { gh_fail_all "$store" "server did not become healthy (see log above)"; return 0; }
  emit key="gh.$store.start_fresh_ms" subject="$s" label="start to healthy, fresh database" status=ok unit=ms value="$GH_START_MS"
  sleep 0.5
  gh_rss_row "gh.$store.idle_rss" "idle RSS"
  local i; for i in $(seq 1 30); do
    GH_SK="$(sed -n -E 's/^(export )?CLERK_SECRET_KEY=["'\'']?(sk_[A-Za-z0-9_]+).*/\2/p' "$GH_LOG" | head -1)"
    [ -n "$GH_SK" ] && break; sleep 0.1
  done
  if [ -z "$GH_SK" ]; then
    log "gatehouse ($store) printed no CLERK_SECRET_KEY"; stop_pidfile "$P"
    emit key="gh.$store.mint_reuse" subject="$s" label="token mint, reuse while fresh" status=failed note="no CLERK_SECRET_KEY on stdout"
    return 0
  fi
  if ! gh_provision "$store"; then
    stop_pidfile "$P"
    emit key="gh.$store.mint_reuse" subject="$s" label="token mint, reuse while fresh" status=failed note="provisioning over the Backend API failed (see log)"
    return 0
  fi
  auth="Authorization: Bearer $GH_SK"
  # Clerk's SDK posts an empty body with Content-Type: application/json
  before="$(gh_metric 'token_mints_total.*reused')"
  run_op "gh.$store.mint_reuse" "$s" "token mint, reuse while fresh" "$P" "$CONNS" POST \
    "$GH_B/v1/sessions/$GH_SID/tokens" "" "$J" "$auth|Content-Length: 0"
  after="$(gh_metric 'token_mints_total.*reused')"
  [ -z "$after" ] || log "gatehouse ($store): reused-token counter ${before:-?} -> $after"
  run_op "gh.$store.jwks" "$s" "GET /v1/jwks" "$P" "$CONNS" GET "$GH_B/v1/jwks" "" "" "$auth"
  [ "$BENCH_QUICK" = 1 ] || run_op "gh.$store.jwks_fapi" "$s" "GET /.well-known/jwks.json" "$P" "$CONNS" GET "$GH_F/.well-known/jwks.json"
  run_op "gh.$store.user_get" "$s" "GET /v1/users/{id}" "$P" "$CONNS" GET "$GH_B/v1/users/$GH_UID" "" "" "$auth"
  [ "$BENCH_QUICK" = 1 ] || run_op "gh.$store.user_list" "$s" "GET /v1/users?limit=10" "$P" "$CONNS" GET "$GH_B/v1/users?limit=10" "" "" "$auth"
  gh_sign_in_figures "$store"
  gh_rss_row "gh.$store.rss_after" "RSS after load"
  stop_pidfile "$P"

  # --- 2. same database, every mint signs afresh
  if ! gh_start "$store" existing "$dburl" 0; then
    emit key="gh.$store.start_existing_ms" subject="$s" label="start to healthy, existing database" status=failed note="restart failed"
    return 0
  fi
  emit key="gh.$store.start_existing_ms" subject="$s" label="start to healthy, existing database" status=ok unit=ms value="$GH_START_MS"
  before="$(gh_metric 'token_mints_total.*signed')"
  run_op "gh.$store.mint_fresh" "$s" "token mint, fresh signature each time" "$P" "$CONNS" POST \
    "$GH_B/v1/sessions/$GH_SID/tokens" "" "$J" "$auth|Content-Length: 0"
  after="$(gh_metric 'token_mints_total.*signed')"
  [ -z "$after" ] || log "gatehouse ($store): signed-token counter ${before:-?} -> $after"
  gh_rss_row "gh.$store.rss_after_fresh" "RSS after fresh-signature load"
  stop_pidfile "$P"
  gh_big "$store" "$dburl"
}

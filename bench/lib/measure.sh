# shellcheck shell=bash
# measure.sh: the measuring primitives of bench/run. Source it after common.sh.
# Does: one bounded wrk run per HTTP operation (run_op), bounded in-process
# runs (inproc_run), plain value rows (emit), with server CPU per request and
# the CPU share other processes took meanwhile (the machine may be shared).
# Does not: start servers, decide what to compare (lib/report.mjs does that).
#
# Every result is one JSON object per line in $ROWS, fields (all strings;
# report.mjs converts numbers):
#   key subject label status(ok|failed|unavailable|n/a) value unit
#   p50_ms p99_ms conns requests non2xx sock_err rss_mib srv_cpu_us other_cpu_pct note
# Knobs (set by bench/run): DURATION WARMUP THREADS CONNS WRK_TIMEOUT REPEAT
#   QUIET_WAIT QUIET_PCT OUT_RAW (raw wrk/openssl output directory)

# emit k=v... : append one result row
emit() {
  local args=() kv
  for kv in "$@"; do args+=(--arg "${kv%%=*}" "${kv#*=}"); done
  jq -nc "${args[@]}" '$ARGS.named' >>"$ROWS"
}

# emit_na KEY SUBJECT LABEL NOTE : a figure that cannot be measured (yet)
emit_na() { emit key="$1" subject="$2" label="$3" status=n/a note="$4"; log "n/a  $2: $3 ($4)"; }

# wait_quiet SERVER_PID : waits (≤ QUIET_WAIT s) until processes other than the
# server use < QUIET_PCT % of one core over 1 s. Never fails.
wait_quiet() {
  local spid="$1" a b s0 s1 other=0 waited=0
  while [ "$waited" -lt "${QUIET_WAIT:-0}" ]; do
    read -r -a a <<<"$(sys_ticks)"; s0="$(cpu_ticks_tree "$spid")"
    sleep 1
    read -r -a b <<<"$(sys_ticks)"; s1="$(cpu_ticks_tree "$spid")"
    other=$(( ((b[0] - a[0]) - (s1 - s0)) * 100 * $(nproc) / ((b[1] - a[1]) > 0 ? (b[1] - a[1]) : 1) ))
    [ "$other" -le "${QUIET_PCT:-15}" ] && return 0
    waited=$((waited + 1))
  done
  [ "${QUIET_WAIT:-0}" -eq 0 ] || log "note: machine busy (others ~${other}% of a core), measuring anyway"
}

# run_op KEY SUBJECT LABEL PIDFILE CONNS METHOD URL [BODY] [CT] [HEADERS "A: b|C: d"] [EXPECT]
# Pre-flight with curl (must answer EXPECT, default 200), a discarded warm-up,
# then wrk -t$THREADS -c CONNS -d$DURATION (inside `timeout`); emits one row.
# BODY may contain {n}: replaced per request by a unique token.
# Status "failed" when the pre-flight fails, wrk prints no result, any answer
# is not 2xx, or socket errors exceed 0.5 % of requests. Returns 0 always.
run_op() {
  local key="$1" subject="$2" label="$3" pidf="$4" conns="$5" method="$6" url="$7"
  local body="${8:-}" ct="${9:-}" hdrs="${10:-}" expect="${11:-200}"
  local origin path code args=() h spid
  origin="$(printf '%s' "$url" | sed -E 's#^(http://[^/]+).*#\1#')"; path="${url#"$origin"}"; [ -n "$path" ] || path=/
  case "$origin" in http://127.*|http://localhost:*|http://\[::1\]:*) ;; *) die "refusing non-loopback target $origin" ;; esac

  args=(-s -o "$OUT_RAW/preflight.body" -w '%{http_code}' -X "$method" --max-time 30)
  [ -n "$ct" ] && args+=(-H "Content-Type: $ct")
  if [ -n "$hdrs" ]; then IFS='|' read -ra _H <<<"$hdrs"; for h in "${_H[@]}"; do args+=(-H "$h"); done; fi
  [ -n "$body" ] && args+=(--data-binary "${body//\{n\}/pf$RANDOM$RANDOM}")
  code="$(curl "${args[@]}" "$url" || true)"
  if [ "$code" != "$expect" ]; then
    local snippet; snippet="$(head -c 200 "$OUT_RAW/preflight.body" 2>/dev/null | tr -d '\n\r')"
    log "FAIL $subject: $label: pre-flight HTTP $code (want $expect) $snippet"
    emit key="$key" subject="$subject" label="$label" status=failed conns="$conns" \
      note="pre-flight HTTP $code (want $expect): $snippet"
    return 0
  fi

  spid="$(cat "$pidf" 2>/dev/null || true)"
  local wenv=(WRK_METHOD="$method" WRK_PATH="$path" WRK_BODY="$body" WRK_CT="$ct" WRK_HEADERS="$hdrs")
  if [ "${WARMUP:-0}" -gt 0 ]; then
    env "${wenv[@]}" WRK_RUNID="w$(date +%s%N)" timeout $((WARMUP + 20)) wrk -t"$THREADS" -c"$conns" \
      -d"${WARMUP}s" --timeout "$WRK_TIMEOUT" -s "$BENCH_DIR/lib/req.lua" "$origin" >/dev/null 2>&1 || true
  fi
  local attempt best="" bestrps=-1 res
  for attempt in $(seq 1 "${REPEAT:-1}"); do
    res="$(measure_once "$attempt")"
    local ok rps
    ok="$(printf '%s' "$res" | jq -r '.status')"; rps="$(printf '%s' "$res" | jq -r '.value // "0"')"
    if [ -z "$best" ] || { [ "$ok" = ok ] && awk -v a="$rps" -v b="$bestrps" 'BEGIN{exit !(a>b)}'; }; then
      best="$res"; bestrps="$rps"
    fi
  done
  printf '%s\n' "$best" >>"$ROWS"
  printf '%s' "$best" | jq -r '"\(.status|ascii_upcase|.[0:4])  \(.subject): \(.label): \(.value // "-") req/s  p50 \(.p50_ms // "-") ms  p99 \(.p99_ms // "-") ms  non2xx \(.non2xx // "-")  rss \(.rss_mib // "-") MiB  srv \(.srv_cpu_us // "-") µs/req  others \(.other_cpu_pct // "-")%"' >&2
}

# measure_once ATTEMPT : uses run_op's locals; prints one JSON row
measure_once() {
  local attempt="$1" wout st0 st1 sc0 sc1 t0 t1 res me="$BASHPID"
  wait_quiet "$spid"
  wout="$OUT_RAW/wrk.$(printf '%s' "$key" | tr -c 'A-Za-z0-9._-' '_').$attempt.txt"
  read -r -a st0 <<<"$(sys_ticks)"; sc0="$(cpu_ticks_tree "$spid")"
  # CPU of this shell's waited-for children (wrk) before and after: cutime+cstime
  t0="$(awk '{sub(/^.*\) /,""); print $14+$15}' "/proc/$me/stat")"
  env "${wenv[@]}" WRK_RUNID="$(date +%s%N)" timeout $((DURATION + 30)) wrk -t"$THREADS" -c"$conns" \
    -d"${DURATION}s" --timeout "$WRK_TIMEOUT" -s "$BENCH_DIR/lib/req.lua" "$origin" >"$wout" 2>&1 || true
  read -r -a st1 <<<"$(sys_ticks)"; sc1="$(cpu_ticks_tree "$spid")"
  t1="$(awk '{sub(/^.*\) /,""); print $14+$15}' "/proc/$me/stat")"
  res="$(sed -n 's/^RESULT //p' "$wout" | tail -1)"
  if [ -z "$res" ]; then
    jq -nc --arg key "$key" --arg subject "$subject" --arg lbl "$label" --arg conns "$conns" \
      --arg note "wrk printed no result: $(tail -3 "$wout" | tr '\n' ' ')" \
      '{key:$key,subject:$subject,"label":$lbl,status:"failed",conns:$conns,note:$note}'
    return 0
  fi
  local rss; rss="$(rss_kib "$spid")"
  printf '%s' "$res" | jq -c --arg key "$key" --arg subject "$subject" --arg lbl "$label" --arg conns "$conns" \
    --argjson dt "$((st1[1] - st0[1]))" --argjson busy "$((st1[0] - st0[0]))" --argjson srv "$((sc1 - sc0))" \
    --argjson wrk "$((t1 - t0))" --argjson rss "$rss" --argjson ncpu "$(nproc)" --argjson hz "$(getconf CLK_TCK)" '
    (.err_connect + .err_read + .err_write + .err_timeout) as $se
    | (if $dt > 0 then ($dt / $ncpu) else 1 end) as $wall_ticks
    | {key:$key, subject:$subject, "label":$lbl, conns:$conns,
       status: (if .requests == 0 or .non2xx > 0 or $se > (.requests * 0.005) then "failed" else "ok" end),
       value: (.rps|tostring), unit:"req/s", requests:(.requests|tostring),
       p50_ms:(.p50_ms|tostring), p99_ms:(.p99_ms|tostring), non2xx:(.non2xx|tostring), sock_err:($se|tostring),
       rss_mib: (($rss / 1024 * 10 | floor) / 10 | tostring),
       srv_cpu_us: (if .requests > 0 then ($srv / $hz * 1e6 / .requests | floor | tostring) else "" end),
       wrk_cpu_pct: (($wrk * 100 / $wall_ticks) | floor | tostring),
       other_cpu_pct: ((([($busy - $srv - $wrk), 0] | max) * 100 / $wall_ticks) as $o | $o | floor | tostring),
       note: (if .non2xx > 0 then "\(.non2xx) non-2xx answers" elif $se > 0 then "\($se) socket errors" else "" end)}'
}

# inproc_run OUTFILE CMD... : waits for quiet, runs a bounded in-process
# benchmark (output to OUTFILE); sets INPROC_OTHER to the CPU share, in % of
# one core, that other processes took meanwhile.
INPROC_OTHER=""
inproc_run() {
  local out="$1" a b c0 c1 me="$BASHPID"; shift
  wait_quiet ""
  read -r -a a <<<"$(sys_ticks)"
  c0="$(awk '{sub(/^.*\) /,""); print $14+$15}' "/proc/$me/stat")"
  "$@" >"$out" 2>&1 || true
  c1="$(awk '{sub(/^.*\) /,""); print $14+$15}' "/proc/$me/stat")"
  read -r -a b <<<"$(sys_ticks)"
  INPROC_OTHER=$(( ((b[0] - a[0]) - (c1 - c0)) * 100 * $(nproc) / ((b[1] - a[1]) > 0 ? (b[1] - a[1]) : 1) ))
  [ "$INPROC_OTHER" -ge 0 ] || INPROC_OTHER=0
  export INPROC_OTHER
}

# wrk_raw OUTFILE CONNS SECONDS METHOD URL [BODY] [CT] [HEADERS] : one bounded
# wrk run (-t1 when CONNS < 2, else -t$THREADS) with lib/req.lua, no
# pre-flight, no warm-up; WRK_DELAY_MS and WRK_PATHS_FILE in the environment
# pass through. Prints wrk's RESULT json (nothing when wrk printed none).
wrk_raw() {
  local out="$1" conns="$2" secs="$3" method="$4" url="$5" body="${6:-}" ct="${7:-}" hdrs="${8:-}"
  local origin path t="$THREADS"
  origin="$(printf '%s' "$url" | sed -E 's#^(http://[^/]+).*#\1#')"; path="${url#"$origin"}"
  case "$origin" in http://127.*) ;; *) die "refusing non-loopback target $origin" ;; esac
  [ "$conns" -ge 2 ] || t=1
  env WRK_METHOD="$method" WRK_PATH="${path:-/}" WRK_BODY="$body" WRK_CT="$ct" WRK_HEADERS="$hdrs" \
    WRK_RUNID="r$(date +%s%N)" timeout $((secs + 30)) wrk -t"$t" -c"$conns" -d"${secs}s" \
    --timeout "$WRK_TIMEOUT" -s "$BENCH_DIR/lib/req.lua" "$origin" >"$out" 2>&1 || true
  sed -n 's/^RESULT //p' "$out" | tail -1
}

# emit_wrk KEY SUBJECT LABEL JSON UNIT [VALUE_FIELD] [k=v...] : one row from a
# wrk_raw result: value = VALUE_FIELD (default rps), failed when wrk printed
# nothing, any answer was not 2xx, or socket errors exceed 0.5 %.
emit_wrk() {
  local key="$1" subject="$2" label="$3" res="$4" unit="$5" field="${6:-rps}"; shift 6 2>/dev/null || shift $#
  if [ -z "$res" ]; then
    emit key="$key" subject="$subject" label="$label" status=failed note="wrk printed no result" "$@"
    return 0
  fi
  printf '%s' "$res" | jq -c --arg key "$key" --arg subject "$subject" --arg lbl "$label" --arg unit "$unit" \
    --arg f "$field" --args '$ARGS.positional as $extra
    | (.err_connect + .err_read + .err_write + .err_timeout) as $se
    | {key:$key, subject:$subject, "label":$lbl, unit:$unit,
       status: (if .requests == 0 or .non2xx > 0 or $se > (.requests * 0.005) then "failed" else "ok" end),
       value: (.[$f]|tostring), requests:(.requests|tostring), rps:(.rps|tostring),
       p50_ms:(.p50_ms|tostring), p99_ms:(.p99_ms|tostring), non2xx:(.non2xx|tostring), sock_err:($se|tostring),
       note: (if .non2xx > 0 then "\(.non2xx) non-2xx answers" elif $se > 0 then "\($se) socket errors" else "" end)}
      + ($extra | map(capture("^(?<k>[^=]+)=(?<v>.*)$") | {(.k): .v}) | add // {})' "$@" >>"$ROWS"
  tail -1 "$ROWS" | jq -r '"\(.status|ascii_upcase|.[0:4])  \(.subject): \(.label): \(.value) \(.unit)  (\(.rps) req/s, p50 \(.p50_ms) ms, p99 \(.p99_ms) ms) \(.note)"' >&2
}

# shellcheck shell=bash
# common.sh: helpers shared by bench/run, bench/gatehouse.sh and the peer
# scripts in bench/peers/. Source it, don't execute it.
# Does: logging, installing missing Debian/npm packages, free loopback ports,
# PID files, readiness polling, RSS and CPU accounting from /proc.
# Does not: start or measure anything by itself. Every address used here is on
# 127.0.0.1; nothing in bench/ ever targets another host.

BENCH_DIR="${BENCH_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
# Per-run state (pid files, logs, generated configs, env files); bench/run makes
# a fresh temporary one and removes it on exit. A peer script run by hand uses
# bench/.run.
RUN_DIR="${RUN_DIR:-$BENCH_DIR/.run}"
mkdir -p "$RUN_DIR"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# apt_ensure PKG... : installs the packages that are not installed yet.
apt_ensure() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  log "apt-get install ${missing[*]}"
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
    $sudo apt-get update -qq >/dev/null || return 1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# npm_ensure DIR : installs DIR/package.json's exact (pinned) dependencies into
# DIR/node_modules when they are missing; with a package-lock.json it uses
# `npm ci`. Native modules build against the system Node headers.
npm_ensure() {
  local dir="$1" dep need=0
  command -v node >/dev/null && command -v npm >/dev/null || apt_ensure nodejs npm || return 1
  for dep in $(node -e 'const p=require(process.argv[1]);console.log(Object.keys(p.dependencies||{}).join(" "))' "$dir/package.json"); do
    [ -f "$dir/node_modules/$dep/package.json" ] || need=1
  done
  [ "$need" -eq 1 ] || return 0
  [ -d /usr/include/node ] && export npm_config_nodedir=/usr
  log "npm install in ${dir#"$BENCH_DIR"/} (pinned versions)"
  if [ -f "$dir/package-lock.json" ]; then
    (cd "$dir" && nice -n 10 npm ci --no-audit --no-fund --loglevel=error >"$RUN_DIR/npm.$(basename "$dir").log" 2>&1)
  else
    (cd "$dir" && nice -n 10 npm install --no-audit --no-fund --loglevel=error >"$RUN_DIR/npm.$(basename "$dir").log" 2>&1)
  fi || { tail -5 "$RUN_DIR/npm.$(basename "$dir").log" >&2; return 1; }
}

# npm_version DIR PKG : version of an installed npm package ("" if missing)
npm_version() {
  node -p "require('$1/node_modules/$2/package.json').version" 2>/dev/null || true
}

# port_busy PORT : 0 when something accepts connections on 127.0.0.1:PORT
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# free_port BASE : first port >= BASE nobody listens on (loopback)
free_port() {
  local p="$1"
  while port_busy "$p"; do p=$((p + 1)); [ "$p" -lt $(( $1 + 200 )) ] || return 1; done
  echo "$p"
}

# pid_alive PIDFILE : 0 if the pid recorded in PIDFILE is a live process
pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# stop_pidfile PIDFILE : SIGTERM the recorded pid (that pid only), wait up to
# 5 s, then SIGKILL; removes the file.
stop_pidfile() {
  local f="$1" pid
  [ -f "$f" ] || return 0
  pid="$(cat "$f")"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

# http_code URL [curl args...] : prints the HTTP status (000 when no answer)
http_code() {
  local url="$1"; shift
  curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$@" "$url" 2>/dev/null || true
}

# wait_http URL TIMEOUT_S [PID] : waits until URL answers (any HTTP status);
# fails early when PID (the server) has died.
wait_http() {
  local url="$1" t="${2:-30}" pid="${3:-}" end
  end=$(( $(now_ms) + t * 1000 ))
  while [ "$(now_ms)" -lt "$end" ]; do
    curl -s -o /dev/null --max-time 1 "$url" 2>/dev/null && return 0
    [ -z "$pid" ] || kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.02
  done
  return 1
}

# wait_200 HOST PORT PATH TIMEOUT_MS [PID] : polls GET PATH over bash's own
# /dev/tcp (no process per try, ~2 ms resolution) until the status line is
# 200; fails after TIMEOUT_MS or when PID has died. Used for start-to-healthy.
wait_200() {
  local host="$1" port="$2" path="$3" tmo="$4" pid="${5:-}" end line
  end=$(( $(now_ms) + tmo ))
  while [ "$(now_ms)" -lt "$end" ]; do
    if exec 3<>"/dev/tcp/$host/$port"; then
      printf 'GET %s HTTP/1.0\r\nHost: %s:%s\r\n\r\n' "$path" "$host" "$port" >&3
      line=""; IFS= read -r -t 2 line <&3 || true
      exec 3<&- 3>&-
      case "$line" in "HTTP/1."?" 200"*) return 0 ;; esac
    fi 2>/dev/null
    [ -z "$pid" ] || kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.002
  done
  return 1
}

# tree_pids PID : PID and all its descendants
tree_pids() {
  local queue="$1" p out=""
  while [ -n "${queue// /}" ]; do
    set -- $queue; p="$1"; shift; queue="$*"
    [ -d "/proc/$p" ] || continue
    out="$out $p"
    queue="$queue $(cat /proc/"$p"/task/*/children 2>/dev/null | tr '\n' ' ')"
  done
  echo $out
}

# rss_kib PID : VmRSS of PID plus its descendants, KiB (0 when not running)
rss_kib() {
  local total=0 p v
  [ -n "${1:-}" ] || { echo 0; return; }
  for p in $(tree_pids "$1"); do
    v=$(awk '/^VmRSS:/{print $2}' "/proc/$p/status" 2>/dev/null)
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

# cpu_ticks_tree PID : utime+stime clock ticks of PID and its descendants
cpu_ticks_tree() {
  local t=0 p v
  [ -n "${1:-}" ] || { echo 0; return; }
  for p in $(tree_pids "$1"); do
    v=$(awk '{sub(/^.*\) /,""); print $12+$13}' "/proc/$p/stat" 2>/dev/null)
    t=$((t + ${v:-0}))
  done
  echo "$t"
}

# sys_ticks : "busy total" clock ticks over all CPUs (busy excludes idle+iowait)
sys_ticks() { awk '/^cpu /{t=0; for(i=2;i<=NF;i++) t+=$i; print t-$5-$6, t; exit}' /proc/stat; }

# b64url_decode STR / jwt_header JWT : decode a JOSE header for smoke checks
b64url_decode() {
  local s="${1//-/+}"; s="${s//_//}"
  case $(( ${#s} % 4 )) in 2) s="$s==";; 3) s="$s=";; esac
  printf '%s' "$s" | base64 -d 2>/dev/null
}
jwt_header() { b64url_decode "${1%%.*}"; }

# start_bg PIDFILE LOGFILE CMD... : starts CMD in its own session (setsid),
# stdin from /dev/null, output to LOGFILE; records its pid.
start_bg() {
  local pidf="$1" logf="$2"; shift 2
  setsid "$@" >"$logf" 2>&1 </dev/null &
  echo $! >"$pidf"
}

#!/usr/bin/env bash
# nginx/setup.sh: the HTTP ceiling. Debian's nginx on 127.0.0.1:$NGINX_PORT:
#   /ok    -> `return 200 "ok"` (no file I/O: the cheapest possible HTTP answer)
#   /jwks  -> jwks.json beside this script, a real 2048-bit RSA JWKS (~0.5 KB)
# 2 workers (one per core here; NGINX_WORKERS), access log off, keep-alive.
# Installs nginx-light only when no nginx is on the machine. Writes
# $RUN_DIR/nginx.pid and $RUN_DIR/nginx.env (NGINX_BASE, START_MS, IDLE_RSS_KIB,
# VERSION). Does not measure load; bench/run does.
set -euo pipefail
source "$(dirname "$0")/../../lib/common.sh"

D="$RUN_DIR/nginx"
PIDF="$RUN_DIR/nginx.pid"
PORT="${NGINX_PORT:-$(free_port 18603)}"
WORKERS="${NGINX_WORKERS:-2}"

command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || apt_ensure nginx-light || die "cannot install nginx-light"
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
apt_ensure curl

stop_pidfile "$PIDF"
port_busy "$PORT" && die "port $PORT already in use"
rm -rf "$D"; mkdir -p "$D/logs" "$D/tmp" "$D/html"
cp "$(dirname "$0")/jwks.json" "$D/html/jwks.json"
chmod 755 "$RUN_DIR" "$D" "$D/html"; chmod 644 "$D/html/jwks.json"   # workers run as nobody

cat >"$D/nginx.conf" <<EOC
worker_processes $WORKERS;
daemon off;
master_process on;
pid $D/nginx.pid.internal;
error_log $D/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $D/tmp/body;
  proxy_temp_path $D/tmp/proxy;
  fastcgi_temp_path $D/tmp/fastcgi;
  uwsgi_temp_path $D/tmp/uwsgi;
  scgi_temp_path $D/tmp/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 65;
  server {
    listen 127.0.0.1:$PORT;
    location = /ok   { default_type text/plain; return 200 "ok"; }
    location = /jwks { default_type application/json; alias $D/html/jwks.json; }
  }
}
EOC

T0=$(now_ms)
start_bg "$PIDF" "$D/logs/stdout.log" "$NGINX" -c "$D/nginx.conf" -p "$D"
wait_200 127.0.0.1 "$PORT" /ok 15000 "$(cat "$PIDF")" || { cat "$D/logs/error.log" >&2; die "nginx did not come up"; }
START_MS=$(( $(now_ms) - T0 ))
[ "$(curl -s "http://127.0.0.1:$PORT/ok")" = ok ] || die "nginx /ok: wrong body"
[ "$(http_code "http://127.0.0.1:$PORT/jwks")" = 200 ] || die "nginx /jwks: not 200"
sleep 0.3
cat >"$RUN_DIR/nginx.env" <<EOV
NGINX_BASE=http://127.0.0.1:$PORT
START_MS=$START_MS
IDLE_RSS_KIB=$(rss_kib "$(cat "$PIDF")")
VERSION='$("$NGINX" -v 2>&1 | sed 's/^nginx version: //')'
EOV
log "$("$NGINX" -v 2>&1) up on 127.0.0.1:$PORT, $WORKERS workers (pid $(cat "$PIDF"))"

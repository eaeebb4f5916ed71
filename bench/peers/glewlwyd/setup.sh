#!/usr/bin/env bash
# glewlwyd/setup.sh: peer "glewlwyd" (Debian package; C, ulfius/libmicrohttpd,
# SQLite backend) on 127.0.0.1:$GLEWLWYD_PORT from a fresh database.
# Provisions through the admin REST API, as an operator would: scope "bench"
# (password required), user "bench" (default PBKDF2-SHA256 150k hash),
# confidential client "benchclient" (client_secret; grants password,
# client_credentials, refresh_token), an OIDC plugin instance signing RS256 with
# a 2048-bit key. Smoke-tests client_credentials -> RS256 JWT.
# Writes $RUN_DIR/glewlwyd.pid and $RUN_DIR/glewlwyd.env (GLW_*, START_MS,
# IDLE_RSS_KIB, VERSION). Env: GLEWLWYD_DB_DIR (e.g. a tmpfs dir).
# Installing: the package's postinst wants to configure a database through
# dbconfig; the debconf answers below skip that (the service is never started
# by the package; there is no systemd here anyway).
set -euo pipefail
source "$(dirname "$0")/../../lib/common.sh"

D="$RUN_DIR/glewlwyd"
PIDF="$RUN_DIR/glewlwyd.pid"
PORT="${GLEWLWYD_PORT:-$(free_port 18593)}"
BASE="http://127.0.0.1:$PORT"
DB_DIR="${GLEWLWYD_DB_DIR:-$D}"

if ! dpkg-query -W -f='${Status}' glewlwyd 2>/dev/null | grep -q 'install ok installed'; then
  echo "glewlwyd glewlwyd/config_type select No configuration" | debconf-set-selections
  echo "glewlwyd glewlwyd/dbconfig-install boolean false" | debconf-set-selections
  apt_ensure dbconfig-no-thanks || die "cannot install dbconfig-no-thanks"
  apt_ensure glewlwyd || die "cannot install glewlwyd"
fi
apt_ensure sqlite3 curl openssl jq || die "cannot install sqlite3/curl/openssl/jq"

stop_pidfile "$PIDF"
port_busy "$PORT" && die "port $PORT already in use"
rm -rf "$D"; mkdir -p "$D" "$DB_DIR"; rm -f "$DB_DIR/glewlwyd.db" "$DB_DIR/glewlwyd.db-journal"

zcat /usr/share/doc/glewlwyd/database/init.sqlite3.sql.gz | sqlite3 "$DB_DIR/glewlwyd.db"
openssl genrsa -out "$D/private-rsa.key" 2048 2>/dev/null
openssl rsa -in "$D/private-rsa.key" -outform PEM -pubout -out "$D/public-rsa.pem" 2>/dev/null

# use_secure_connection must be absent (false without key/pem paths is refused)
cat >"$D/glewlwyd.conf" <<EOC
port=$PORT
bind_address="127.0.0.1"
external_url="$BASE"
login_url="login.html"
api_prefix="api"
static_files_path="/usr/share/glewlwyd/webapp/"
allow_origin="*"
log_mode="console"
log_level="ERROR"
cookie_secure=0
cookie_same_site="empty"
session_expiration=2419200
session_key="GLEWLWYD2_SESSION_ID"
admin_scope="g_admin"
profile_scope="g_profile"
user_module_path="/usr/lib/glewlwyd/user"
client_module_path="/usr/lib/glewlwyd/client"
user_auth_scheme_module_path="/usr/lib/glewlwyd/scheme"
plugin_module_path="/usr/lib/glewlwyd/plugin"
hash_algorithm = "SHA512"
database =
{
  type = "sqlite3"
  path = "$DB_DIR/glewlwyd.db"
};
EOC

T0=$(now_ms)
start_bg "$PIDF" "$D/glewlwyd.log" glewlwyd --config-file="$D/glewlwyd.conf"
wait_200 127.0.0.1 "$PORT" /config/ 30000 "$(cat "$PIDF")" || { tail -20 "$D/glewlwyd.log" >&2; die "glewlwyd did not come up"; }
START_MS=$(( $(now_ms) - T0 ))
sleep 0.3
IDLE=$(rss_kib "$(cat "$PIDF")")

CJ="$D/admin.cookies"
curl -sf -c "$CJ" -H 'Content-Type: application/json' \
  -d '{"username":"admin","password":"password"}' "$BASE/api/auth/" >/dev/null || die "admin login failed"
admin() { # admin METHOD PATH JSON
  local code
  code=$(curl -s -o "$D/last_admin_resp" -w '%{http_code}' -b "$CJ" -X "$1" -H 'Content-Type: application/json' \
    ${3:+-d "$3"} "$BASE/api$2")
  [ "$code" = 200 ] || { cat "$D/last_admin_resp" >&2; die "admin $1 $2 -> HTTP $code"; }
}
admin POST /scope/ '{"name":"bench","display_name":"bench","description":"bench scope","password_required":true,"password_max_age":0,"scheme":{}}'
admin POST /user/ '{"username":"bench","name":"Bench User","email":"bench@example.test","password":"benchpass123","enabled":true,"scope":["g_profile","openid","bench"]}'
admin POST /client/ '{"client_id":"benchclient","name":"bench client","enabled":true,"confidential":true,"client_secret":"benchsecret","redirect_uri":["http://127.0.0.1/cb"],"authorization_type":["password","client_credentials","refresh_token"],"token_endpoint_auth_method":["client_secret_basic","client_secret_post"],"scope":["bench"]}'
PLUGIN=$(jq -n --rawfile key "$D/private-rsa.key" --rawfile cert "$D/public-rsa.pem" --arg iss "$BASE" '{
  module:"oidc", name:"oidc", display_name:"OIDC bench",
  parameters:{
    iss:$iss, "jwt-type":"rsa", "jwt-key-size":"256", key:$key, cert:$cert,
    "access-token-duration":3600, "refresh-token-duration":1209600, "code-duration":600,
    "refresh-token-rolling":true, "allow-non-oidc":true,
    "auth-type-code-enabled":true, "auth-type-token-enabled":false, "auth-type-none-enabled":false,
    "auth-type-password-enabled":true, "auth-type-client-enabled":true, "auth-type-refresh-enabled":true,
    "auth-type-device-enabled":false, "subject-type":"public", "jwks-show":true,
    "introspection-revocation-allowed":true, "introspection-revocation-allow-target-client":true,
    "introspection-revocation-auth-scope":[], "scope":[], "claims":[], "pkce-allowed":false,
    "register-client-allowed":false, "session-management-allowed":false
  }}')
admin POST /mod/plugin/ "$PLUGIN"

R=$(curl -s -u benchclient:benchsecret -d 'grant_type=client_credentials&scope=bench' "$BASE/api/oidc/token/")
CC=$(echo "$R" | jq -r '.access_token // empty')
[ -n "$CC" ] || die "client_credentials failed: $R"
jwt_header "$CC" | grep -q '"alg":"RS256"' || die "client_credentials token is not RS256: $(jwt_header "$CC")"
R=$(curl -s -u benchclient:benchsecret -d 'grant_type=password&username=bench&password=benchpass123&scope=bench' "$BASE/api/oidc/token/")
AT=$(echo "$R" | jq -r '.access_token // empty')
[ -n "$AT" ] || die "password grant failed: $R"
COOKIE=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' -d '{"username":"bench","password":"benchpass123"}' \
  "$BASE/api/auth/" | tr -d '\r' | sed -n 's/^set-cookie: \(GLEWLWYD2_SESSION_ID=[^;]*\).*/\1/Ip' | head -1)
[ -n "$COOKIE" ] || die "user sign-in on /api/auth/ failed"

cat >"$RUN_DIR/glewlwyd.env" <<EOV
GLW_BASE=$BASE
GLW_USER=bench
GLW_PASS=benchpass123
GLW_CLIENT=benchclient
GLW_SECRET=benchsecret
GLW_AT=$AT
GLW_COOKIE='$COOKIE'
START_MS=$START_MS
IDLE_RSS_KIB=$IDLE
VERSION='$(dpkg-query -W -f='${Version}' glewlwyd)'
EOV
log "glewlwyd $(dpkg-query -W -f='${Version}' glewlwyd) up on $BASE (pid $(cat "$PIDF"))"

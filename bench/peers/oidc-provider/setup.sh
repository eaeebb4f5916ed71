#!/usr/bin/env bash
# oidc-provider/setup.sh: peer "oidc-provider" (npm, pinned in package.json) on
# 127.0.0.1:$OIDCP_PORT: client_credentials with RS256 JWT access tokens
# (resource indicator urn:bench:jwt), opaque tokens + introspection, JWKS.
# In-memory adapter, NODE_ENV=production, a fresh RSA-2048 key per run.
# Writes $RUN_DIR/oidc-provider.pid and $RUN_DIR/oidc-provider.env (OIDCP_*,
# START_MS, IDLE_RSS_KIB, VERSION). Does not measure load; bench/run does.
set -euo pipefail
source "$(dirname "$0")/../../lib/common.sh"

HERE="$(cd "$(dirname "$0")" && pwd)"
PIDF="$RUN_DIR/oidc-provider.pid"
PORT="${OIDCP_PORT:-$(free_port 18601)}"
BASE="http://127.0.0.1:$PORT"
apt_ensure curl jq || die "cannot install curl/jq"
npm_ensure "$HERE" || die "npm install of oidc-provider failed"

stop_pidfile "$PIDF"
port_busy "$PORT" && die "port $PORT already in use"
KEYS="$RUN_DIR/oidc-provider.jwks.json"
node -e '
  const { generateKeyPairSync, createHash } = require("node:crypto");
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = privateKey.export({ format: "jwk" });
  jwk.kid = createHash("sha256").update(jwk.n).digest("base64url").slice(0, 16);
  jwk.use = "sig"; jwk.alg = "RS256";
  require("node:fs").writeFileSync(process.argv[1], JSON.stringify({ keys: [jwk] }), { mode: 0o600 });' "$KEYS"

T0=$(now_ms)
start_bg "$PIDF" "$RUN_DIR/oidc-provider.log" env -C "$HERE" NODE_ENV=production PORT="$PORT" JWKS_FILE="$KEYS" node server.mjs
wait_200 127.0.0.1 "$PORT" /.well-known/openid-configuration 30000 "$(cat "$PIDF")" \
  || { tail -20 "$RUN_DIR/oidc-provider.log" >&2; die "oidc-provider did not come up"; }
START_MS=$(( $(now_ms) - T0 ))
sleep 0.3
IDLE=$(rss_kib "$(cat "$PIDF")")

SECRET=benchsecret-benchsecret-benchsecret
R=$(curl -s -u "benchclient:$SECRET" -d 'grant_type=client_credentials&scope=api:read' "$BASE/token")
AT=$(echo "$R" | jq -r '.access_token // empty')
[ -n "$AT" ] || die "client_credentials failed: $R"
jwt_header "$AT" | grep -q '"alg":"RS256"' || die "access token is not an RS256 JWT: $R"
R=$(curl -s -u "benchclient:$SECRET" -d 'grant_type=client_credentials&scope=api:read&resource=urn:bench:opaque' "$BASE/token")
OPAQUE=$(echo "$R" | jq -r '.access_token // empty')
[ -n "$OPAQUE" ] || die "opaque client_credentials failed: $R"

cat >"$RUN_DIR/oidc-provider.env" <<EOV
OIDCP_BASE=$BASE
OIDCP_CLIENT=benchclient
OIDCP_SECRET=$SECRET
OIDCP_OPAQUE=$OPAQUE
START_MS=$START_MS
IDLE_RSS_KIB=$IDLE
VERSION='$(npm_version "$HERE" oidc-provider)'
EOV
log "oidc-provider $(npm_version "$HERE" oidc-provider) up on $BASE (pid $(cat "$PIDF"))"

#!/usr/bin/env bash
# setup.sh: installs what Gatehouse needs to build and test on Debian 12
# (compiler, libraries, PostgreSQL, Node.js + npm, wrk, john-data for the
# common-password list embedded at build time) and the pinned npm
# packages of the integration suite. Installs only what is missing; safe to
# run again. Needs root (or sudo rights) only when something is missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

PKGS=(build-essential cmake pkg-config clang libmicrohttpd-dev libjansson-dev libcjose-dev
      libssl-dev libsodium-dev libsqlite3-dev libpq-dev libcmocka-dev libcurl4-openssl-dev
      liboath-dev libcrypt-dev postgresql wrk john-data)

missing=()
for p in "${PKGS[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
# Node.js may come from Debian (nodejs + npm) or from NodeSource (nodejs with npm
# inside, which conflicts with Debian's npm): only ask for what is not on PATH.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
if ! command -v npm >/dev/null 2>&1; then
    dpkg -s nodejs 2>/dev/null | grep -q nodesource || missing+=(npm)
fi

if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The integration suite's pinned packages (package-lock.json).
IT="$ROOT/tests/integration"
if [ -f "$IT/package-lock.json" ]; then
    if [ ! -f "$IT/node_modules/.package-lock.json" ] ||
       [ "$IT/package-lock.json" -nt "$IT/node_modules/.package-lock.json" ]; then
        echo "setup: npm ci in tests/integration"
        (cd "$IT" && npm ci --no-audit --no-fund --loglevel=error)
    fi
fi
echo "setup: ok"

#!/usr/bin/env bash
# setup.sh: installs what Gatehouse needs to build and test on Debian 12
# (compiler, libraries, PostgreSQL, Node.js + npm, wrk, Chromium for the
# browser tests, john-data for the common-password list embedded at build
# time) and the pinned npm packages: Clerk's browser bundles that the
# frontend listener serves (src/ui/vendor), the integration suite's SDKs and
# the browser harness. Installs only what is missing; safe to run again. Needs
# root (or sudo rights) only when something is missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

PKGS=(build-essential cmake pkg-config clang libmicrohttpd-dev libjansson-dev libcjose-dev
      libssl-dev libsodium-dev libsqlite3-dev libpq-dev libcmocka-dev libcurl4-openssl-dev
      liboath-dev libcrypt-dev postgresql wrk
      chromium fonts-liberation john-data)

missing=()
installed() { # a package removed but not purged ("rc") counts as missing
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}
for p in "${PKGS[@]}"; do
    installed "$p" || missing+=("$p")
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

# Pinned npm packages (each directory's package-lock.json, checked by npm ci):
#   src/ui/vendor       @clerk/clerk-js + @clerk/ui, served under /npm/… (no
#                       dependencies: the lock lists only the two bundles)
#   tests/integration   the official backend SDKs
#   tests/browser       playwright-core (drives Debian's chromium), smtp-server
npm_ci() { # dir
    local d="$ROOT/$1"
    [ -f "$d/package-lock.json" ] || return 0
    if [ ! -f "$d/node_modules/.package-lock.json" ] ||
       [ "$d/package-lock.json" -nt "$d/node_modules/.package-lock.json" ]; then
        echo "setup: npm ci in $1"
        (cd "$d" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
    fi
}
npm_ci src/ui/vendor
npm_ci tests/integration
npm_ci tests/browser
echo "setup: ok"

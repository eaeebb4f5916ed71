#!/usr/bin/env bash
# run.sh: installs what is missing, builds, and runs `gatehouse serve` in the
# foreground. Arguments are passed to `serve` (default database:
# sqlite://./gatehouse.db, listeners 127.0.0.1:7900 and 127.0.0.1:7901).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/setup.sh" >&2
bash "$ROOT/scripts/build.sh" >&2
exec "$ROOT/build/gatehouse" serve "$@"

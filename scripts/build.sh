#!/usr/bin/env bash
# build.sh: configures and builds Gatehouse and its unit tests into build/
# (RelWithDebInfo). With --asan it also builds build-asan/ with
# AddressSanitizer + UndefinedBehaviorSanitizer (-DGH_SANITIZE=ON);
# --asan-only builds just build-asan/. --fuzz-only builds build-fuzz/: the
# libFuzzer harnesses of tests/fuzz with clang (-DGH_FUZZ=ON).
# Does not install dependencies (scripts/setup.sh does).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JOBS="${GH_JOBS:-2}"
ASAN=0
NORMAL=1
FUZZ=0
for a in "$@"; do
    case "$a" in
        --asan) ASAN=1 ;;
        --asan-only) ASAN=1; NORMAL=0 ;;
        --fuzz-only) FUZZ=1; NORMAL=0 ;;
        -h|--help) echo "usage: $0 [--asan|--asan-only|--fuzz-only]"; exit 0 ;;
        *) echo "build.sh: unknown argument: $a" >&2; exit 2 ;;
    esac
done

build() { # dir, extra cmake args...
    local dir="$1"; shift
    cmake -S "$ROOT" -B "$ROOT/$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGH_TESTS=ON "$@" >/dev/null
    cmake --build "$ROOT/$dir" -j "$JOBS"
}

[ "$NORMAL" -eq 0 ] || build build -DGH_SANITIZE=OFF
[ "$ASAN" -eq 0 ] || build build-asan -DGH_SANITIZE=ON
[ "$FUZZ" -eq 0 ] || build build-fuzz -DCMAKE_C_COMPILER=clang -DGH_FUZZ=ON -DGH_TESTS=OFF

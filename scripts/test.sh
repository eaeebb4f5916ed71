#!/usr/bin/env bash
# test.sh: the whole test run (also CI's, through .ci/run).
#   1. setup (missing packages, pinned npm packages)
#   2. build build/ and build-asan/ (ASan + UBSan)
#   3. a throwaway PostgreSQL (scripts/pg.sh), stopped on exit
#   4. cmocka unit tests with ctest in both builds (the store contract suite
#      runs on SQLite and, through GH_TEST_PG_URL, on PostgreSQL)
#   5. the Node integration suite (tests/integration, real @clerk/* SDKs) three
#      times: normal build on SQLite, normal build on PostgreSQL, ASan build on
#      SQLite
#      with GH_TEST_LOG_DIR, after which scripts/scan_logs.mjs checks every
#      server log of the suite for every secret any test used (one count each)
#   6. the browser suite (tests/browser: Clerk's clerk-js + ui bundles served
#      by Gatehouse, in Debian's chromium through playwright-core) on SQLite and
#      on PostgreSQL: smoke.test.mjs and flows.test.mjs (GH_BROWSER_FLOWS=0 skips the flows)
#   7. bench/run --quick, so the benchmark scripts never rot (figures are
#      printed, not asserted; a broken Gatehouse figure counts as a failure)
# Keeps going after a failure, counts passed/failed across everything, and
# ends with exactly one line "N passed, N failed"; exits 1 if anything failed.
# Env: GH_TEST_CONCURRENCY (node test files in parallel, default 2),
#      GH_TEST_ONLY (space-separated subset of: unit unit-asan sqlite postgres asan browser fuzz
#      bench), GH_FUZZ_SECONDS (per fuzz harness, default 10),
#      GH_BROWSER_FLOWS=0 (skip the full sign-up/sign-in/profile/org browser flows).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
T0=$(date +%s)
PASS=0
FAIL=0
LOGDIR="$(mktemp -d "${TMPDIR:-/tmp}/gh-test.XXXXXX")"
CONC="${GH_TEST_CONCURRENCY:-2}"
ONLY="${GH_TEST_ONLY:-unit unit-asan sqlite postgres asan browser fuzz bench}"
FUZZ_S="${GH_FUZZ_SECONDS:-10}"
export GH_PG_STATE="$LOGDIR/pg.env"
export CLERK_TELEMETRY_DISABLED=1

want() { [[ " $ONLY " == *" $1 "* ]]; }
note() { printf '\n=== %s ===\n' "$*"; }
fail_step() { # a step that could not even run counts as one failure
    echo "test.sh: FAILED: $*" >&2
    FAIL=$((FAIL + 1))
}

cleanup() {
    bash "$ROOT/scripts/pg.sh" stop >/dev/null 2>&1 || true
    rm -rf "$LOGDIR"
}
trap cleanup EXIT

note "setup"
bash scripts/setup.sh || { fail_step "setup"; echo "$PASS passed, $FAIL failed"; exit 1; }

note "build"
BUILT=1
ASAN_BUILT=1
bash scripts/build.sh || { fail_step "build (build/)"; BUILT=0; }
if want unit-asan || want asan; then
    bash scripts/build.sh --asan-only || { fail_step "build (build-asan/)"; ASAN_BUILT=0; }
fi
FUZZ_BUILT=0
if want fuzz; then
    if command -v clang >/dev/null 2>&1; then
        if bash scripts/build.sh --fuzz-only; then FUZZ_BUILT=1; else fail_step "build (build-fuzz/)"; fi
    else
        fail_step "no clang for the fuzz harnesses (scripts/setup.sh installs it)"
    fi
fi

run_ctest() { # name, build dir
    local name="$1" dir="$2" log="$LOGDIR/ctest-$1.log"
    note "unit tests ($name)"
    (cd "$dir" && ctest --output-on-failure 2>&1) | tee "$log"
    local line total failed
    line="$(grep -Eo '[0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)"
    if [ -n "$line" ]; then
        failed="$(echo "$line" | awk '{print $1}')"
        total="$(echo "$line" | awk '{print $NF}')"
        PASS=$((PASS + total - failed))
        FAIL=$((FAIL + failed))
    elif grep -q 'No tests were found' "$log"; then
        echo "test.sh: no unit tests in $dir"
    else
        fail_step "ctest in $dir printed no summary"
    fi
}

PGURL=""
if want postgres || want unit || want unit-asan || want browser; then
    note "postgresql"
    PGURL="$(bash scripts/pg.sh start)" || { fail_step "could not start PostgreSQL"; PGURL=""; }
fi
# The store contract suite (tests/unit/test_store.c) runs on PostgreSQL too
# when GH_TEST_PG_URL is set.
export GH_TEST_PG_URL="$PGURL"

if [ "$BUILT" -eq 1 ] && want unit; then run_ctest normal build; fi
if [ "$ASAN_BUILT" -eq 1 ] && want unit-asan; then
    ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" run_ctest asan build-asan
fi

scan_logs() { # name, dir: no secret in any server log of that suite
    if node scripts/scan_logs.mjs "$2"; then
        PASS=$((PASS + 1))
    else
        fail_step "secrets or no logs in the server logs of the $1 suite (scripts/scan_logs.mjs)"
    fi
}

run_node() { # name, dir, files in parallel, test files (one word, globbed), env assignments...
    local name="$1" dir="$2" conc="$3" files="$4"; shift 4
    local tap="$LOGDIR/node-$name.tap"
    note "integration ($name)"
    # $files is split and globbed on purpose ("./*.test.mjs").
    # shellcheck disable=SC2086
    local logs="$LOGDIR/logs-$name"
    mkdir -p "$logs"
    (cd "$dir" && env GH_TEST_LOG_DIR="$logs" "$@" timeout -k 10 1200 node --test \
        --test-concurrency="$conc" --test-timeout=180000 \
        --test-reporter=spec --test-reporter-destination=stdout \
        --test-reporter=tap --test-reporter-destination="$tap" \
        $files 2>&1)
    local rc=$?
    local p f c
    p="$(grep -E '^# pass [0-9]+' "$tap" 2>/dev/null | tail -1 | awk '{print $3}')"
    f="$(grep -E '^# fail [0-9]+' "$tap" 2>/dev/null | tail -1 | awk '{print $3}')"
    c="$(grep -E '^# cancelled [0-9]+' "$tap" 2>/dev/null | tail -1 | awk '{print $3}')"
    if [ -z "$p" ] || [ -z "$f" ]; then
        fail_step "node suite ($name) printed no summary (exit $rc)"
        return
    fi
    PASS=$((PASS + p))
    FAIL=$((FAIL + f + ${c:-0}))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && [ "${c:-0}" -eq 0 ]; then
        fail_step "node suite ($name) exited $rc"
    fi
    echo "integration ($name): $p passed, $((f + ${c:-0})) failed"
    case "$name" in browser-*) ;; *) scan_logs "$name" "$logs" ;; esac
}

run_fuzz() { # every build-fuzz/fuzz_<target> for FUZZ_S seconds
    local h t work
    note "fuzzing (${FUZZ_S} s per harness)"
    for h in build-fuzz/fuzz_*; do
        [ -x "$h" ] || continue
        t="${h#build-fuzz/fuzz_}"
        work="$LOGDIR/fuzz-$t"
        mkdir -p "$work/corpus"
        if (cd "$work" && ASAN_OPTIONS="detect_leaks=1" "$ROOT/$h" -max_total_time="$FUZZ_S" \
                -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
                -artifact_prefix="$work/" corpus "$ROOT/tests/fuzz/corpus/$t" >"$work/log" 2>&1); then
            PASS=$((PASS + 1))
            echo "fuzz $t: ok ($(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$work/log" | grep -Eo '[0-9]+$') runs)"
        else
            tail -40 "$work/log"
            mkdir -p "$ROOT/build-fuzz/findings"
            cp "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* \
                "$ROOT/build-fuzz/findings/" 2>/dev/null || true
            fail_step "fuzz $t found something (inputs in build-fuzz/findings/)"
        fi
    done
}

if want sqlite || want postgres || want asan; then # the log scan can fail: prove it
    if node scripts/scan_logs.mjs --self-test; then PASS=$((PASS + 1)); else fail_step "scan_logs self-test"; fi
fi
if [ "$BUILT" -eq 1 ] && want sqlite; then
    run_node sqlite tests/integration "$CONC" "./*.test.mjs" GH_TEST_DB=sqlite GH_BIN=build/gatehouse
fi
if [ "$BUILT" -eq 1 ] && want postgres; then
    if [ -n "$PGURL" ]; then
        run_node postgres tests/integration "$CONC" "./*.test.mjs" GH_TEST_DB=postgres \
            GH_TEST_PG_URL="$PGURL" GH_BIN=build/gatehouse
    else
        fail_step "no PostgreSQL for the integration suite"
    fi
fi
if [ "$ASAN_BUILT" -eq 1 ] && want asan; then
    run_node asan tests/integration "$CONC" "./*.test.mjs" GH_TEST_DB=sqlite \
        GH_BIN=build-asan/gatehouse GH_TEST_START_TIMEOUT_MS=60000
fi

# Browser suite: one file at a time (each runs a Gatehouse and a chromium).
# Screenshots of failures land in tests/browser/artifacts/.
BROWSER_FILES="smoke.test.mjs"
[ "${GH_BROWSER_FLOWS:-1}" = 1 ] && BROWSER_FILES="$BROWSER_FILES flows.test.mjs"
if [ "$BUILT" -eq 1 ] && want browser; then
    run_node browser-sqlite tests/browser 1 "$BROWSER_FILES" GH_TEST_DB=sqlite GH_BIN=build/gatehouse
    if [ -n "$PGURL" ]; then
        run_node browser-postgres tests/browser 1 "$BROWSER_FILES" GH_TEST_DB=postgres \
            GH_TEST_PG_URL="$PGURL" GH_BIN=build/gatehouse
    else
        fail_step "no PostgreSQL for the browser suite"
    fi
fi

if [ "$FUZZ_BUILT" -eq 1 ]; then run_fuzz; fi

if [ "$BUILT" -eq 1 ] && want bench; then
    note "bench (quick)"
    blog="$LOGDIR/bench.log"
    bash bench/run --quick --require-gatehouse --bin "$ROOT/build/gatehouse" 2>&1 | tee "$blog"
    bline="$(grep -E '^bench: [0-9]+ passed, [0-9]+ failed' "$blog" | tail -1)"
    if [ -n "$bline" ]; then
        PASS=$((PASS + $(echo "$bline" | awk '{print $2}')))
        FAIL=$((FAIL + $(echo "$bline" | awk '{print $4}')))
    else
        fail_step "bench/run --quick printed no summary"
    fi
fi

echo
echo "test.sh: wall time $(( $(date +%s) - T0 )) s"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

#!/usr/bin/env bash
# ./tesoro test (and CI): every test suite against a throw-away instance.
#
# The test instance lives in var/test (port 8090, MariaDB on 3308), built with
# sanitizers and -Werror in var/test/build; the dev stack (var/, 8080) is never
# touched. Every stage runs even after an earlier one failed (a stage whose
# prerequisite failed is skipped); the summary at the end lists them all and the
# exit status is non-zero if any failed.
#
# Environment: TS_TEST_VAR, TS_TEST_PORT, TS_TEST_DB_PORT move the instance;
# TS_KEEP_DB=1 keeps the test database between runs (default: a fresh one);
# TS_TEST_TIMEOUT caps each test stage in seconds (default 900);
# TS_TEST_FILES="tests/api/a.test.mjs plugins/x/tests/b.test.mjs ..." runs only
# those files, each in its own stage, and skips the unit tests (for working on
# one suite; CI never sets it).
set -euo pipefail

# The test instance, whatever TS_* the caller's shell has for the dev stack.
export TS_VAR=${TS_TEST_VAR:-var/test}
export TS_PORT=${TS_TEST_PORT:-8090}
export TS_DB_PORT=${TS_TEST_DB_PORT:-3308}
export TS_CONFIGURE_FLAGS="--enable-sanitizers --enable-werror"
export TS_BENCH_NOOP=1
export TS_SMTP_URL=smtp://127.0.0.1:2525
# Fetches reach one loopback port, the suites' own feed and photo server, and nothing
# else: no host name is looked up (feeds in the fixtures name photos on the internet).
export TS_FETCH_ALLOW=127.0.0.1:$((TS_PORT + 5)) TS_FETCH_PUBLIC=0
unset TS_BUILD TS_PREFIX
# shellcheck source=conf/dev/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../conf/dev/lib.sh"
[ "$TS_VAR" != "$TS_ROOT/var" ] || ts_die "refusing to run tests on the dev instance var/"
cd "$TS_ROOT"

TIMEOUT=${TS_TEST_TIMEOUT:-900}

# Sanitizers: leaks are checked in the unit tests (stage unit); the running
# server and the CLI calls the suites make only stop on real memory errors.
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
SERVER_ASAN=detect_leaks=0:halt_on_error=1:abort_on_error=0

# What the API, plugin and browser suites are told about the instance. Mail
# goes to smtp://127.0.0.1:2525: a suite that checks mail listens there itself
# (python3 -m aiosmtpd -n -l 127.0.0.1:2525 -c ...).
export TS_BASE=http://127.0.0.1:$TS_PORT
export TS_CONF TS_CLI TS_ROOT TS_VAR TS_DB_SOCK
export TS_DEMO_EMAIL TS_DEMO_PASSWORD_FILE=$TS_VAR/demo-password
export CHROMIUM=/usr/bin/chromium
# Never let an npm package fetch a browser of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1

# ---------------------------------------------------------------- stage runner

declare -A RESULT=() NOTE=() TIME=()
STAGES=()

# stage NAME FUNCTION [PREREQUISITE...]: run FUNCTION in a subshell with
# errexit (outside any `if`, where bash would ignore set -e), record the
# outcome. Exit status 77 means "nothing to run here" (SKIP, as in Automake).
stage() {
    local name=$1 fn=$2 need rc start
    shift 2
    STAGES+=("$name")
    for need in "$@"; do
        if [ "${RESULT[$need]:-}" != PASS ]; then
            RESULT[$name]=SKIP NOTE[$name]="$need did not pass" TIME[$name]=0
            printf '\n\033[1;33m#### %s: skipped (%s)\033[0m\n' "$name" "${NOTE[$name]}"
            return 0
        fi
    done
    printf '\n\033[1;34m#### %s\033[0m\n' "$name"
    start=$SECONDS
    set +e
    (set -e; "$fn")
    rc=$?
    set -e
    TIME[$name]=$((SECONDS - start))
    case $rc in
    0) RESULT[$name]=PASS ;;
    77) RESULT[$name]=SKIP ;;
    *) RESULT[$name]=FAIL NOTE[$name]="exit $rc" ;;
    esac
    printf '\033[1m#### %s: %s\033[0m\n' "$name" "${RESULT[$name]}"
}

skip() { echo "$*"; exit 77; }

summary() {
    local name color failed=0
    printf '\n\033[1m#### summary\033[0m\n'
    for name in "${STAGES[@]}"; do
        case ${RESULT[$name]} in
        PASS) color=32 ;; SKIP) color=33 ;; *) color=31 failed=1 ;;
        esac
        printf '  %-10s \033[%sm%-4s\033[0m %4ss  %s\n' "$name" "$color" "${RESULT[$name]}" \
            "${TIME[$name]}" "${NOTE[$name]:-}"
    done
    printf '  logs: %s/\n' "${TS_LOG#"$TS_ROOT"/}"
    return "$failed"
}

# Node's test runner, given a directory, runs the files named like tests in
# it (*.test.js, *-test.mjs, test-*.js, ...; node_modules excluded).
# only_files PREFIX: the TS_TEST_FILES under PREFIX (a regex), one per line.
only_files() {
    local f
    for f in ${TS_TEST_FILES:-}; do
        [[ $f =~ ^$1 ]] && echo "$f"
    done
    return 0
}

has_node_tests() {
    [ -d "$1" ] && find "$1" -name node_modules -prune -o -type f \
        \( -name '*.test.*js' -o -name '*-test.*js' -o -name '*_test.*js' -o -name 'test-*.*js' \) \
        -print | grep -q .
}

# ---------------------------------------------------------------- stages

st_packages() {
    ts_install_packages conf/dev/packages.txt conf/dev/packages-test.txt
}

st_www() {
    ts_npm_www
}

st_build() {
    ts_build
}

# make check: unit tests (TAP) with LeakSanitizer on. The console shows the
# failures and Automake's summary, not the per-assertion PASS lines (they stay
# in each test's .log) nor make's "is up to date" chatter. On failure, the log
# of each test that failed or died, minus its passing lines.
st_unit() {
    [ -z "${TS_TEST_FILES:-}" ] || skip "TS_TEST_FILES is set"
    export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1
    local rc=0 log
    timeout "$TIMEOUT" make -C "$TS_BUILD" -j"$(nproc)" --no-print-directory check 2>&1 |
        grep -v -E '^PASS: |^make\[[0-9]+\]: .* is up to date\.$' || rc=${PIPESTATUS[0]}
    [ "$rc" -ne 0 ] || return 0
    while IFS= read -r log; do
        # no .trs: the driver gave up on that test (crash, no plan)
        if [ ! -f "${log%.log}.trs" ] ||
            grep -q -E '^:test-result: (FAIL|ERROR|XPASS)' "${log%.log}.trs"; then
            printf '\n---- %s (passing lines omitted)\n' "${log#"$TS_ROOT"/}"
            grep -v -E '^(ok [0-9]|PASS: )' "$log" || true
        fi
    done < <(find "$TS_BUILD" -name '*.log' ! -name test-suite.log ! -name config.log \
        -newer "$TS_BUILD/Makefile" | sort)
    return "$rc"
}

# The instance from scratch: stop leftovers, a fresh database (unless
# TS_KEEP_DB=1) and fresh logs, then the same steps as ./tesoro up.
st_instance() {
    export ASAN_OPTIONS=$SERVER_ASAN
    ts_down
    if [ "${TS_KEEP_DB:-0}" != 1 ]; then
        rm -rf "$TS_VAR/db" "$TS_VAR/db-tmp" "$TS_LOG" "$TS_VAR/tmp" "$TS_VAR/storage" "$TS_VAR/demo-password"
    fi
    ts_db_start
    ts_db_create
    ts_write_conf
    ts_migrate
    ts_demo_tenant
    ts_fcgi_start
    ts_nginx_start
    ts_wait_healthy
    echo "test instance up on $TS_BASE"
}

st_api() {
    has_node_tests tests/api || skip "no tests in tests/api/"
    export ASAN_OPTIONS=$SERVER_ASAN
    if [ -n "${TS_TEST_FILES:-}" ]; then
        mapfile -t files < <(only_files tests/api/)
        [ ${#files[@]} -gt 0 ] || skip "TS_TEST_FILES names none"
        timeout "$TIMEOUT" node --test "${files[@]}"
        return
    fi
    timeout "$TIMEOUT" node --test tests/api/
}

# Each plugin's tests against the running stack (plugins/NAME/tests/).
st_plugins() {
    local dir dirs=()
    for dir in plugins/*/tests; do
        ! has_node_tests "$dir" || dirs+=("$dir/")
    done
    [ ${#dirs[@]} -gt 0 ] || skip "no tests in plugins/*/tests/"
    export ASAN_OPTIONS=$SERVER_ASAN
    if [ -n "${TS_TEST_FILES:-}" ]; then
        mapfile -t dirs < <(only_files 'plugins/[^/]+/tests/')
        [ ${#dirs[@]} -gt 0 ] || skip "TS_TEST_FILES names none"
    fi
    timeout "$TIMEOUT" node --test "${dirs[@]}"
}

st_e2e() {
    has_node_tests tests/e2e || skip "no tests in tests/e2e/"
    export ASAN_OPTIONS=$SERVER_ASAN
    if [ -f tests/e2e/package.json ]; then
        (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
    fi
    if [ -n "${TS_TEST_FILES:-}" ]; then
        mapfile -t files < <(only_files tests/e2e/)
        [ ${#files[@]} -gt 0 ] || skip "TS_TEST_FILES names none"
        timeout "$TIMEOUT" node --test "${files[@]}"
        return
    fi
    timeout "$TIMEOUT" node --test tests/e2e/
}

# Stop the instance (tesoro-fcgi drains: shutdown bugs show here), then look
# for sanitizer reports in what the server wrote: a worker that hit one may
# have been replaced silently while the suites went on passing.
st_stop() {
    ts_down
    if grep -n -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$TS_LOG/tesoro.log"; then
        echo "sanitizer reports in ${TS_LOG#"$TS_ROOT"/}/tesoro.log (above)"
        return 1
    fi
}

# Whatever happens (failure, Ctrl-C), do not leave the instance running.
trap 'ts_down >/dev/null 2>&1 || true' EXIT
trap 'exit 130' INT TERM

stage packages st_packages
stage www      st_www
stage build    st_build
stage unit     st_unit     build
stage instance st_instance build
stage api      st_api      instance
stage plugins  st_plugins  instance
stage e2e      st_e2e      instance www
stage stop     st_stop     instance

# Server-side clues when a suite against the instance failed.
case "${RESULT[instance]} ${RESULT[api]} ${RESULT[plugins]} ${RESULT[e2e]} ${RESULT[stop]}" in
*FAIL*)
    ts_tail "$TS_LOG/tesoro.log" 60
    ts_tail "$TS_LOG/nginx-error.log" 20
    ;;
esac

summary

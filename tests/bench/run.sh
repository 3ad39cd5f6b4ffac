#!/usr/bin/env bash
# ./tesoro bench: the FastCGI baseline and /api/v1/me, measured in one run.
#
#   tests/bench/run.sh [--strict] [--no-php]
#
# Starts the dev stack if needed (./tesoro up: nginx on 127.0.0.1:8080 with
# [server] bench_noop on), then runs wrk on loopback against
#   GET /bench/noop   a constant "ok" through nginx -> FastCGI -> router: the baseline
#   GET /api/v1/me    bearer token -> tenant -> user lookup -> JSON
# and prints requests/s, p50, p99, the ratio me/noop, the largest worker RSS
# and PASS/FAIL against the targets (docs/performance.md):
#   /api/v1/me >= 60% of the no-op, its p99 < 10 ms at 32 connections,
#   each worker < 20 MB RSS.
# Then tests/bench/php.sh compares the no-op with php-fpm's "hello" (skip it
# with --no-php). Results are ratios to a baseline measured in the same run;
# absolute numbers depend on the machine.
#
# Exit status: non-zero when a run fails outright (stack down, socket errors,
# non-2xx answers); a missed target only counts with --strict.
# Environment: BENCH_SECONDS, BENCH_WARMUP, BENCH_CONNECTIONS, BENCH_THREADS,
# BENCH_ROUNDS (tests/bench/common.sh); TS_VAR/TS_PORT for another instance.
set -euo pipefail
# shellcheck source=tests/bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

STRICT=0 PHP=1
for arg in "$@"; do
    case $arg in
    --strict) STRICT=1 ;;
    --no-php) PHP=0 ;;
    -h | --help) sed -n '2,22s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) ts_die "unknown option $arg (try --help)" ;;
    esac
done

cd "$TS_ROOT"
BASE=http://127.0.0.1:$TS_PORT

ts_step "packages"
bench_need_packages wrk curl
bench_stack_up
mkdir -p "$BENCH_DIR"

# ---------------------------------------------------------------- token

ts_step "API token for $TS_DEMO_EMAIL"
TOKEN=$(bench_token "$BASE")
AUTH=(-H "Authorization: Bearer $TOKEN")

# ---------------------------------------------------------------- probes

NOOP_URL=$BASE/bench/noop ME_URL=$BASE/api/v1/me
NOOP_SIZE=$(BENCH_EXPECT_OK=1 bench_probe "$NOOP_URL") ||
    ts_die "GET /bench/noop must answer 200 \"ok\": is [server] bench_noop = 1 in ${TS_CONF#"$TS_ROOT"/}? (TS_BENCH_NOOP=1 ./tesoro up)"
ME_SIZE=$(bench_probe "$ME_URL" "${AUTH[@]}")

ts_pid_alive "$TS_VAR/tesoro.pid" tesoro-fcgi ||
    ts_die "tesoro-fcgi is not running (${TS_VAR#"$TS_ROOT"/}/tesoro.pid)"
MASTER=$(ts_pid "$TS_VAR/tesoro.pid")
WORKERS=$(bench_tesoro_workers)

# ---------------------------------------------------------------- worker RSS

children() {  # pids of the master's children
    cat "/proc/$MASTER/task/"*/children 2>/dev/null | tr ' ' '\n' | grep . ||
        ps -o pid= --ppid "$MASTER" | tr -d ' '
}
cpu_ticks() {  # utime + stime of each child: "pid ticks"
    local p line
    for p in $(children); do
        read -r line 2>/dev/null <"/proc/$p/stat" || continue
        read -r -a line <<<"${line##*) }"
        echo "$p $((line[11] + line[12]))"
    done
}
# Every 0.2 s, "pid VmRSS-kB" for each child, until killed.
rss_sampler() {
    local p rss
    while :; do
        for p in $(children); do
            rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null) && [ -n "$rss" ] &&
                echo "$p $rss"
        done
        sleep 0.2
    done
}

# ---------------------------------------------------------------- runs

ts_step "wrk -t$BENCH_THREADS -c$BENCH_CONNECTIONS -d${BENCH_SECONDS}s on $BASE ($(bench_machine))"
ts_info "warm-up (${BENCH_WARMUP}s each)"
bench_warm noop "$NOOP_SIZE" "$NOOP_URL"
bench_warm me "$ME_SIZE" "$ME_URL" "${AUTH[@]}"

# Each round measures the no-op, then /api/v1/me right after it: on a busy
# machine, alternating keeps the ratio fair. The report takes the median of
# the rounds (BENCH_ROUNDS, 1 by default).
cpu_ticks >"$BENCH_DIR/cpu-before.txt"
: >"$BENCH_DIR/rss.txt"
SAMPLER=
trap '[ -z "$SAMPLER" ] || kill "$SAMPLER" 2>/dev/null || true' EXIT
NOOP_ALL=() ME_ALL=()
for ((round = 1; round <= BENCH_ROUNDS; round++)); do
    tag=; [ "$BENCH_ROUNDS" -eq 1 ] || tag=" (round $round of $BENCH_ROUNDS)"
    ts_info "GET /bench/noop$tag"
    bench_wrk noop "$BENCH_SECONDS" "$NOOP_SIZE" "$NOOP_URL"
    NOOP_ALL+=("$R_RPS $R_P50 $R_P99")
    ts_info "GET /api/v1/me$tag, sampling worker RSS"
    rss_sampler >>"$BENCH_DIR/rss.txt" 2>/dev/null &
    SAMPLER=$!
    bench_wrk me "$BENCH_SECONDS" "$ME_SIZE" "$ME_URL" "${AUTH[@]}"
    ME_ALL+=("$R_RPS $R_P50 $R_P99 $(bench_ratio "$R_RPS" "${NOOP_ALL[-1]%% *}")")
    kill "$SAMPLER" 2>/dev/null || true
    wait "$SAMPLER" 2>/dev/null || true
    SAMPLER=
done
read -r NOOP_RPS NOOP_P50 NOOP_P99 <<<"$(bench_median "${NOOP_ALL[@]}")"
read -r ME_RPS ME_P50 ME_P99 RATIO <<<"$(bench_median "${ME_ALL[@]}")"
cpu_ticks >"$BENCH_DIR/cpu-after.txt"

# Children that worked hardest during the run are the workers; with the job
# runner on, one more child sits idle (it is listed, not judged).
awk 'FNR == NR { before[$1] = $2; next } { print $1, $2 - before[$1] }' \
    "$BENCH_DIR/cpu-before.txt" "$BENCH_DIR/cpu-after.txt" | sort -k2,2nr >"$BENCH_DIR/cpu.txt"
mapfile -t PROCS < <(
    awk -v w="$WORKERS" 'FNR == NR { kind[$1] = (++n <= w ? "worker" : "other"); cpu[$1] = $2; next }
         { if ($2 > max[$1]) max[$1] = $2 }
         END { for (p in kind) if (p in max) printf "%s %s %d %d\n", kind[p], p, max[p], cpu[p] }' \
        "$BENCH_DIR/cpu.txt" "$BENCH_DIR/rss.txt" | sort -k1,1r -k3,3nr)
RSS_MAX_KB=0
for line in "${PROCS[@]}"; do
    read -r kind pid kb ticks <<<"$line"
    [ "$kind" != worker ] || [ "$kb" -le "$RSS_MAX_KB" ] || RSS_MAX_KB=$kb
done
[ "${#PROCS[@]}" -gt 0 ] && [ "$RSS_MAX_KB" -gt 0 ] || ts_die "no worker RSS sampled (master pid $MASTER)"
RSS_MAX_MB=$(awk -v k="$RSS_MAX_KB" 'BEGIN { printf "%.1f", k / 1024 }')

# ---------------------------------------------------------------- report

# RATIO: the median of each round's me/noop.
PCT=$(awk -v r="$RATIO" 'BEGIN { printf "%.0f%%", 100 * r }')
V_RATIO=$(bench_verdict bench_ge "$RATIO" 0.60)
V_P99=$(bench_verdict bench_lt "$ME_P99" 10)
V_RSS=$(bench_verdict bench_lt "$RSS_MAX_KB" $((20 * 1024)))
[ "$BENCH_CONNECTIONS" -eq 32 ] || V_P99="$V_P99 (target is at 32 connections; this run used $BENCH_CONNECTIONS)"

echo
printf '%-16s %12s %10s %10s\n' route requests/s p50 p99
printf '%-16s %12s %7s ms %7s ms\n' /bench/noop "$NOOP_RPS" "$NOOP_P50" "$NOOP_P99"
printf '%-16s %12s %7s ms %7s ms\n' /api/v1/me "$ME_RPS" "$ME_P50" "$ME_P99"
printf '%-16s %12s\n' "me / noop" "$RATIO"
[ "$BENCH_ROUNDS" -eq 1 ] || echo "(medians of $BENCH_ROUNDS rounds; the ratio is the median of each round's ratio)"
echo
echo "tesoro-fcgi children during /api/v1/me (largest VmRSS sampled, CPU ticks over the measured runs):"
for line in "${PROCS[@]}"; do
    read -r kind pid kb ticks <<<"$line"
    printf '  %-7s pid %-8s %7.1f MB %6s ticks\n' "$kind" "$pid" "$(awk -v k="$kb" 'BEGIN { print k / 1024 }')" "$ticks"
done
echo
printf '%-40s %-12s %s\n' target measured result
printf '%-40s %-12s %s\n' "/api/v1/me >= 60% of /bench/noop" "$PCT" "$V_RATIO"
printf '%-40s %-12s %s\n' "/api/v1/me p99 < 10 ms (32 connections)" "$ME_P99 ms" "$V_P99"
printf '%-40s %-12s %s\n' "each worker < 20 MB RSS" "$RSS_MAX_MB MB" "$V_RSS"
MISSED=0
case "$V_RATIO $V_P99 $V_RSS" in *FAIL*) MISSED=1 ;; esac

# One line per run, for docs/performance.md and for comparing runs.
printf '%s noop_rps=%s noop_p50=%s noop_p99=%s me_rps=%s me_p50=%s me_p99=%s ratio=%s rss_max_kb=%s seconds=%s connections=%s\n' \
    "$(date -u +%FT%TZ)" "$NOOP_RPS" "$NOOP_P50" "$NOOP_P99" "$ME_RPS" "$ME_P50" "$ME_P99" \
    "$RATIO" "$RSS_MAX_KB" "$BENCH_SECONDS" "$BENCH_CONNECTIONS" >>"$BENCH_DIR/results.txt"

# ---------------------------------------------------------------- php-fpm

PHP_RC=0
if [ "$PHP" -eq 1 ]; then
    echo
    php_args=()
    [ "$STRICT" -eq 0 ] || php_args=(--strict)
    BENCH_SKIP_UP=1 bash "$TS_ROOT/tests/bench/php.sh" "${php_args[@]}" || PHP_RC=$?
fi

if [ "$STRICT" -eq 1 ] && [ "$MISSED" -eq 1 ]; then
    echo
    ts_warn "--strict: a target was missed"
    exit 1
fi
exit "$PHP_RC"

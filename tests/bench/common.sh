# shellcheck shell=bash
# Shared by tests/bench/run.sh and tests/bench/php.sh: settings, wrk with a
# machine-readable summary, and the checks that make a run count.
# Source it; it starts nothing by itself.
#
# Environment (both scripts):
#   BENCH_SECONDS      length of each measured wrk run            (10)
#   BENCH_WARMUP       length of the warm-up run of each URL      (3; 0 = none)
#   BENCH_CONNECTIONS  wrk -c                                     (32)
#   BENCH_THREADS      wrk -t                                     (1)
#   BENCH_ROUNDS       measured runs of each URL, alternating; the
#                      report gives the median of each column       (1)
# plus TS_VAR / TS_PORT to point at another instance (see conf/dev/lib.sh).

# shellcheck source=conf/dev/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../conf/dev/lib.sh"

BENCH_SECONDS=${BENCH_SECONDS:-10}
BENCH_WARMUP=${BENCH_WARMUP:-3}
BENCH_CONNECTIONS=${BENCH_CONNECTIONS:-32}
BENCH_THREADS=${BENCH_THREADS:-1}
BENCH_ROUNDS=${BENCH_ROUNDS:-1}
BENCH_DIR=$TS_VAR/bench

for _v in BENCH_SECONDS BENCH_WARMUP BENCH_CONNECTIONS BENCH_THREADS BENCH_ROUNDS; do
    [[ ${!_v} =~ ^[0-9]+$ ]] || ts_die "$_v must be a whole number (got '${!_v}')"
done
[ "$BENCH_SECONDS" -gt 0 ] && [ "$BENCH_CONNECTIONS" -gt 0 ] && [ "$BENCH_THREADS" -gt 0 ] &&
    [ "$BENCH_ROUNDS" -gt 0 ] ||
    ts_die "BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_THREADS and BENCH_ROUNDS must be positive"
unset _v

# Install Debian packages that are missing (dpkg-query first: nothing is
# asked of apt when everything is there). Reuses the dev stack's installer,
# which keeps apt from starting system services.
bench_need_packages() {
    ts_install_packages <(printf '%s\n' "$@")
}

# Workers tesoro-fcgi runs: [server] workers of the instance's config, where
# 0 means two per CPU core (as the server itself reads it).
bench_tesoro_workers() {
    local n
    n=$(awk '/^[ \t]*\[/ { sec = $0; gsub(/^[ \t]*\[|\][ \t]*$/, "", sec); next }
             sec == "server" && /^[ \t]*workers[ \t]*=/ { sub(/^[^=]*=[ \t]*/, ""); sub(/[ \t;].*/, ""); print; exit }' \
        "$TS_CONF" 2>/dev/null)
    [[ $n =~ ^[0-9]+$ ]] || n=0
    [ "$n" -gt 0 ] || n=$((2 * $(nproc)))
    echo "$n"
}

# `./tesoro up` (idempotent), quietly; its log is shown when it fails.
bench_stack_up() {
    mkdir -p "$BENCH_DIR"
    ts_step "dev stack (./tesoro up, log: ${BENCH_DIR#"$TS_ROOT"/}/up.log)"
    if ! bash "$TS_ROOT/tesoro" up >"$BENCH_DIR/up.log" 2>&1; then
        ts_tail "$BENCH_DIR/up.log" 40
        ts_die "./tesoro up failed"
    fi
}

# bench_probe URL [curl options]: fails unless the answer is 200 (with body
# "ok" when $BENCH_EXPECT_OK is 1) and prints the size in bytes of the whole
# response (status line + headers + body) as wrk will read it.
bench_probe() {
    local url=$1 file status body
    shift
    mkdir -p "$BENCH_DIR"
    file=$BENCH_DIR/probe.out
    curl -sS --max-time 5 -i -o "$file" "$@" "$url" || ts_die "cannot reach $url"
    status=$(head -n1 "$file" | awk '{ print $2 }')
    [ "$status" = 200 ] || { head -n 20 "$file" >&2; echo >&2; ts_die "$url answered ${status:-nothing}, not 200"; }
    if [ "${BENCH_EXPECT_OK:-0}" = 1 ]; then
        body=$(sed '1,/^\r$/d' "$file")
        [ "$body" = ok ] || ts_die "$url answered '$body', not 'ok'"
    fi
    # wrk counts bytes as they come: chunked framing included (--raw).
    curl -sS --max-time 5 -i --raw "$@" "$url" | wc -c
}

# The Lua end hook that prints wrk's results in one parseable line (latencies
# in microseconds). Only done() is defined, so wrk keeps its fast path
# (no per-request Lua).
bench_lua() {
    mkdir -p "$BENCH_DIR"
    cat >"$BENCH_DIR/summary.lua" <<'LUA'
done = function(s, lat, req)
  io.write(string.format(
    "BENCH requests=%d duration_us=%d bytes=%d connect=%d read=%d write=%d status=%d timeout=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
    s.requests, s.duration, s.bytes, s.errors.connect, s.errors.read, s.errors.write,
    s.errors.status, s.errors.timeout, lat:percentile(50), lat:percentile(90),
    lat:percentile(99), lat.max))
end
LUA
}

# bench_wrk NAME SECONDS EXPECTED_BYTES URL [wrk options]
# Runs wrk and sets R_RPS, R_P50, R_P99 (ms) and R_REQ; the raw output is kept
# in $BENCH_DIR/wrk-NAME.txt. A run with socket errors, timeouts or any
# non-2xx answer fails loudly: wrk counts statuses >= 400 itself, and every
# response must be the size of the 200 probed before (a 3xx or an error page
# of another length shows up there).
# shellcheck disable=SC2034 # R_* are for the caller; p90_us, max_us come from wrk
bench_wrk() {
    local name=$1 secs=$2 expect=$3 url=$4 out line
    shift 4
    out=$BENCH_DIR/wrk-$name.txt
    [ -f "$BENCH_DIR/summary.lua" ] || bench_lua
    wrk -t"$BENCH_THREADS" -c"$BENCH_CONNECTIONS" -d"${secs}s" --latency --timeout 5s \
        -s "$BENCH_DIR/summary.lua" "$@" "$url" >"$out" 2>&1 ||
        { cat "$out" >&2; ts_die "wrk failed on $url"; }
    line=$(grep '^BENCH ' "$out" | tail -n1)
    [ -n "$line" ] || { cat "$out" >&2; ts_die "no summary from wrk on $url"; }
    local requests duration_us bytes connect read write status timeout p50_us p90_us p99_us max_us kv
    for kv in ${line#BENCH }; do
        printf -v "${kv%%=*}" '%s' "${kv#*=}"
    done
    {
        local errors="connect $connect, read $read, write $write, timeout $timeout"
        [ "$requests" -gt 0 ] || ts_die "$name: no request completed ($url)"
        [ $((connect + read + write + timeout)) -eq 0 ] ||
            { cat "$out" >&2; ts_die "$name: socket errors ($errors) on $url"; }
        [ "$status" -eq 0 ] ||
            { cat "$out" >&2; ts_die "$name: $status of $requests responses were not 2xx ($url)"; }
        # Up to one partial response per connection when wrk stops, and a
        # "Connection: close" every keepalive_requests: well under 1%.
        awk -v b="$bytes" -v n="$requests" -v e="$expect" \
            'BEGIN { d = b / n - e; if (d < 0) d = -d; exit !(d <= 0.01 * e) }' ||
            { cat "$out" >&2
              ts_die "$name: responses average $((bytes / requests)) bytes, the 200 has $expect: some were not 200 ($url)"; }
        R_REQ=$requests
        R_RPS=$(awk -v n="$requests" -v t="$duration_us" 'BEGIN { printf "%.0f", n / (t / 1e6) }')
        R_P50=$(awk -v u="$p50_us" 'BEGIN { printf "%.2f", u / 1000 }')
        R_P99=$(awk -v u="$p99_us" 'BEGIN { printf "%.2f", u / 1000 }')
    }
}

# bench_token BASE_URL: prints an API token of the demo admin. One token is
# kept (0600) in var/bench/token and reused while GET /api/v1/me accepts it,
# so runs do not pile up tokens in the demo tenant.
bench_token() {
    local base=$1 file=$BENCH_DIR/token token
    mkdir -p "$BENCH_DIR"
    token=$(cat "$file" 2>/dev/null || true)
    if [ -n "$token" ] && [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
        -H "Authorization: Bearer $token" "$base/api/v1/me")" = 200 ]; then
        ts_info "reusing ${file#"$TS_ROOT"/}" >&2
    else
        token=$(bash "$TS_ROOT/tesoro" token create --tenant demo --email "$TS_DEMO_EMAIL" \
            --name bench | tail -n1) || ts_die "tesoro token create failed"
        [[ $token =~ ^tso_ ]] || ts_die "unexpected output of tesoro token create: $token"
        (umask 077 && printf '%s\n' "$token" >"$file")
        ts_info "created a token named bench (kept in ${file#"$TS_ROOT"/})" >&2
    fi
    printf '%s\n' "$token"
}

# Warm-up run (results thrown away, but it must not fail either).
bench_warm() {
    local name=$1 expect=$2 url=$3
    shift 3
    [ "$BENCH_WARMUP" -gt 0 ] || return 0
    bench_wrk "warmup-$name" "$BENCH_WARMUP" "$expect" "$url" "$@"
}

# bench_median "rps p50 p99" ...: the median of each column (for an even
# count, the mean of the two middle values).
bench_median() {
    printf '%s\n' "$@" | awk '
        { for (i = 1; i <= NF; i++) v[i, NR] = $i; nf = NF }
        END {
            for (i = 1; i <= nf; i++) {
                for (j = 1; j <= NR; j++) a[j] = v[i, j]
                for (j = 2; j <= NR; j++)   # insertion sort: a handful of values
                    for (k = j; k > 1 && a[k - 1] + 0 > a[k] + 0; k--) { t = a[k]; a[k] = a[k - 1]; a[k - 1] = t }
                m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
                printf "%s%s", (i > 1 ? " " : ""), (i == 1 ? sprintf("%.0f", m) : sprintf("%.2f", m))
            }
            print ""
        }'
}

# a / b with 2 decimals (b > 0)
bench_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
# true if a >= b (decimals)
bench_ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
bench_lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

bench_verdict() { if "$@"; then echo PASS; else echo FAIL; fi; }

bench_machine() {
    local model
    model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
    printf '%s CPUs (%s), load average %s\n' "$(nproc)" "${model:-unknown CPU}" \
        "$(cut -d' ' -f1-3 /proc/loadavg)"
}

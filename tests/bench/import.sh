#!/usr/bin/env bash
# The CSV import under load: preview and import of generated lead files.
#
#   tests/bench/import.sh [--strict] [ROWS...]      (default ROWS: 10000 100000)
#
# Starts the stack if needed (./tesoro up; set TS_VAR/TS_PORT/TS_DB_PORT for
# an instance other than the dev one), measures the /bench/noop baseline with
# wrk, then for each size: generates a deterministic CSV of that many leads
# (tests/bench/import.sh owns the generator: names, emails, phones, towns,
# budgets, tags, grouped column names), uploads it to a fresh tenant, times
# POST /preview and the whole job (POST /run until status done), and samples
# the RSS of every tesoro-fcgi child every 0.1 s during each phase.
# Targets (docs/performance.md): preview of 100,000 rows < 5 s, import < 30 s,
# peak worker memory flat in file size (the largest file's peak at most 16 MB
# above the smallest's). Times are also given as no-op requests the same
# stack serves in that time (the baseline of this run).
# Exit status: non-zero when a step fails; a missed target only with --strict.
set -euo pipefail
# shellcheck source=tests/bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

STRICT=0 SIZES=()
for arg in "$@"; do
    case $arg in
    --strict) STRICT=1 ;;
    -h | --help) sed -n '2,20s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *[!0-9]*) ts_die "unknown option $arg (try --help)" ;;
    *) SIZES+=("$arg") ;;
    esac
done
[ ${#SIZES[@]} -gt 0 ] || SIZES=(10000 100000)

cd "$TS_ROOT"
BASE=http://127.0.0.1:$TS_PORT
bench_need_packages wrk curl python3
bench_stack_up
mkdir -p "$BENCH_DIR"

# ---------------------------------------------------------------- helpers

# A tenant of its own for each file: no duplicates from an earlier run.
new_tenant_token() {
    local slug=bench-imp-$1-$RANDOM$RANDOM email
    email=admin@$slug.localhost
    bash "$TS_ROOT/tesoro" tenant create "$slug" --host "$slug.localhost" --admin-email "$email" \
        --admin-password "bench-$RANDOM-$RANDOM-pw" >/dev/null || ts_die "tenant create failed"
    bash "$TS_ROOT/tesoro" token create --tenant "$slug" --email "$email" | tail -n1
}

# generate ROWS FILE: deterministic leads with the grouped names of agencies' exports.
generate() {
    awk -v n="$1" 'BEGIN {
        split("Ana Luis Marta Jan Sofie Pierre Emma Lars Olga Tom", first, " ")
        split("García Pérez de_Vries Jansen Dupont Smith Müller Nielsen Ivanova Brown", last, " ")
        split("Jávea Dénia Moraira Calpe Altea Benissa Teulada Pedreguer", town, " ")
        split("villa apartment penthouse townhouse plot", type, " ")
        split("website portal referral social_media incoming_call", src, " ")
        print "First name;Last name;E-mail;Phone;lead.source;address.city;property_details.type;" \
              "property_details.price_min;property_details.price_max;property_address.city;timing.urgency;Tags;Notes"
        for (i = 1; i <= n; i++) {
            f = first[i % 10 + 1]; l = last[int(i / 10) % 10 + 1]; gsub("_", " ", l)
            min = 100000 + (i * 7919) % 900000; max = min + 50000 + (i * 104729) % 500000
            printf "%s;%s;lead%07d@example.com;+34 6%08d;%s;%s;\"%s, %s\";%d;%d;%s;%s;\"sea view, pool\";\"Row %d, \"\"quoted\"\" note\"\n",
                f, l, i, i, src[i % 5 + 1], town[i % 8 + 1], type[i % 5 + 1], type[(i + 1) % 5 + 1],
                min, max, town[(i + 3) % 8 + 1], (i % 3 ? "medium" : "high"), i
        }
    }' >"$2"
}

children() {
    local master
    master=$(ts_pid "$TS_VAR/tesoro.pid")
    cat "/proc/$master/task/"*/children 2>/dev/null | tr ' ' '\n' | grep . || true
}

# Every 0.1 s the largest VmRSS (kB) among the server's children, into $1, until killed.
rss_sampler() {
    local p rss max=0
    while :; do
        for p in $(children); do
            rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0)
            [ "${rss:-0}" -le "$max" ] || { max=$rss; echo "$max" >"$1"; }
        done
        sleep 0.1
    done
}

# phase NAME CMD...: runs CMD while sampling; sets PEAK_MB and SECS.
phase() {
    local name=$1 file=$BENCH_DIR/rss-$1 start end pid
    shift
    echo 0 >"$file"
    rss_sampler "$file" &
    pid=$!
    start=$(date +%s.%N)
    "$@"
    end=$(date +%s.%N)
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    SECS=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
    PEAK_MB=$(awk '{ printf "%.1f", $1 / 1024 }' "$file")
}

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

do_preview() {
    curl -sf -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        -d '{"duplicates":"skip"}' --max-time 600 "$BASE/api/v1/imports/$ID/preview" >"$BENCH_DIR/preview.json" ||
        ts_die "preview failed"
}

do_run() {
    curl -sf -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{}' \
        "$BASE/api/v1/imports/$ID/run" >/dev/null || ts_die "run failed"
    local status
    for ((i = 0; i < 6000; i++)); do
        status=$(curl -sf -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/imports/$ID" |
            json 'd["data"]["status"]') || ts_die "status failed"
        case $status in done | failed) break ;; esac
        sleep 0.1
    done
    [ "$status" = "done" ] || ts_die "import ended $status"
}

# ---------------------------------------------------------------- baseline

ts_step "baseline: GET /bench/noop, ${BENCH_SECONDS}s at ${BENCH_CONNECTIONS} connections"
NOOP_SIZE=$(BENCH_EXPECT_OK=1 bench_probe "$BASE/bench/noop") ||
    ts_die "GET /bench/noop must answer 200 \"ok\" ([server] bench_noop = 1)"
bench_warm noop "$NOOP_SIZE" "$BASE/bench/noop"
bench_wrk noop "$BENCH_SECONDS" "$NOOP_SIZE" "$BASE/bench/noop"
NOOP_RPS=$R_RPS
ts_info "no-op: $NOOP_RPS requests/s"

# ---------------------------------------------------------------- sizes

declare -A P_SECS P_MB R_SECS R_MB
for n in "${SIZES[@]}"; do
    csv=$BENCH_DIR/import-$n.csv
    [ -s "$csv" ] || generate "$n" "$csv"
    ts_step "$n rows ($(du -h "$csv" | cut -f1))"
    TOKEN=$(new_tenant_token "$n")
    ID=$(curl -sf -H "Authorization: Bearer $TOKEN" -F kind=leads -F "file=@$csv" \
        "$BASE/api/v1/imports" | json 'd["data"]["id"]') || ts_die "upload failed"
    phase "preview-$n" do_preview
    P_SECS[$n]=$SECS P_MB[$n]=$PEAK_MB
    valid=$(json 'd["data"]["valid"]' <"$BENCH_DIR/preview.json")
    [ "$valid" = "$n" ] || ts_die "preview: $valid of $n rows valid"
    ts_info "preview: ${SECS}s, peak child RSS ${PEAK_MB} MB"
    phase "run-$n" do_run
    R_SECS[$n]=$SECS R_MB[$n]=$PEAK_MB
    created=$(curl -sf -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/imports/$ID" | json 'd["data"]["report"]["created"]')
    [ "$created" = "$n" ] || ts_die "import: $created of $n rows created"
    ts_info "import: ${SECS}s, peak child RSS ${PEAK_MB} MB"
done

# ---------------------------------------------------------------- report

small=${SIZES[0]} big=${SIZES[-1]}
printf '\n%-10s %10s %14s %12s %10s %14s %12s\n' rows preview_s "noop-equiv" peak_MB import_s "noop-equiv" peak_MB
for n in "${SIZES[@]}"; do
    printf '%-10s %10s %14.0f %12s %10s %14.0f %12s\n' "$n" "${P_SECS[$n]}" \
        "$(awk -v s="${P_SECS[$n]}" -v r="$NOOP_RPS" 'BEGIN { print s * r }')" "${P_MB[$n]}" \
        "${R_SECS[$n]}" "$(awk -v s="${R_SECS[$n]}" -v r="$NOOP_RPS" 'BEGIN { print s * r }')" "${R_MB[$n]}"
done
ok=1
if [ "$big" -ge 100000 ]; then
    scale=$(awk -v b="$big" 'BEGIN { print b / 100000 }')
    v=$(bench_verdict bench_lt "${P_SECS[$big]}" "$(awk -v s="$scale" 'BEGIN { print 5 * s }')"); echo "preview of $big rows < $(awk -v s="$scale" 'BEGIN { print 5 * s }') s: $v"; [ "$v" = PASS ] || ok=0
    v=$(bench_verdict bench_lt "${R_SECS[$big]}" "$(awk -v s="$scale" 'BEGIN { print 30 * s }')"); echo "import of $big rows < $(awk -v s="$scale" 'BEGIN { print 30 * s }') s: $v"; [ "$v" = PASS ] || ok=0
fi
if [ "$big" != "$small" ]; then
    for p in P R; do
        declare -n m=${p}_MB
        v=$(bench_verdict bench_lt "${m[$big]}" "$(awk -v a="${m[$small]}" 'BEGIN { print a + 16 }')")
        echo "$([ $p = P ] && echo preview || echo import) peak RSS flat ($small rows ${m[$small]} MB, $big rows ${m[$big]} MB): $v"
        [ "$v" = PASS ] || ok=0
        unset -n m
    done
fi
[ "$ok" = 1 ] || [ "$STRICT" = 0 ] || exit 1

#!/usr/bin/env bash
# The deals board and a stage move with 20,000 deals, against the no-op
# baseline of the same run.
#
#   tests/bench/deals.sh [--strict]
#
# Starts the stack if needed (./tesoro up; TS_VAR/TS_PORT/TS_DB_PORT pick
# another instance), loads 20,000 deals into the demo agency once (half on
# each pipeline, stages spread, one main contact each; BENCH_DEALS changes the
# number), then runs wrk (32 connections) on
#   GET /bench/noop                            the baseline
#   GET /api/v1/deals/board?pipeline=buyer     counts and sums per stage, 50 cards per column
#                                              (as repeated, from the response cache, and with
#                                              a new URL each request: the handler every time)
#   PATCH /api/v1/deals/{id} {"stage": ...}    random open buyer deals between first_visit
#                                              and reservation
# (the move also with one connection: a user's wait) and prints requests/s,
# p50, p99, the ratios to the no-op and PASS/FAIL against the targets: board
# p99 < 20 ms at 32 connections, stage move p50 < 5 ms.
# Exit status: non-zero when a run fails outright; a missed target only with --strict.
set -euo pipefail
# shellcheck source=tests/bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

STRICT=0
for arg in "$@"; do
    case $arg in
    --strict) STRICT=1 ;;
    -h | --help) sed -n '2,20s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) ts_die "unknown option $arg (try --help)" ;;
    esac
done
DEALS=${BENCH_DEALS:-20000}
[[ $DEALS =~ ^[0-9]+$ ]] && [ "$DEALS" -ge 1000 ] || ts_die "BENCH_DEALS must be 1000 or more"

cd "$TS_ROOT"
BASE=http://127.0.0.1:$TS_PORT
ROOT_DIR=$BENCH_DIR
ts_step "packages"
bench_need_packages wrk curl
bench_stack_up

sql() { mariadb --no-defaults --socket="$TS_DB_SOCK" -uroot -N -B "$TS_DB_NAME" -e "$1"; }
TENANT=$(sql "SELECT id FROM tenants WHERE slug = 'demo'")
[ -n "$TENANT" ] || ts_die "no demo tenant"

ts_step "data: $DEALS deals in the demo agency"
HAVE=$(sql "SELECT COUNT(*) FROM deals WHERE tenant_id = $TENANT AND name LIKE 'Bench deal %'")
if [ "$HAVE" -lt "$DEALS" ]; then
    ts_info "loading (there were $HAVE)"
    sql "DELETE FROM deal_stage_history WHERE tenant_id = $TENANT AND deal_id IN
           (SELECT id FROM deals WHERE tenant_id = $TENANT AND name LIKE 'Bench deal %');
         DELETE FROM deal_contacts WHERE tenant_id = $TENANT AND deal_id IN
           (SELECT id FROM deals WHERE tenant_id = $TENANT AND name LIKE 'Bench deal %');
         DELETE FROM deals WHERE tenant_id = $TENANT AND name LIKE 'Bench deal %';
         INSERT INTO contacts (tenant_id, kind, first_name, last_name)
           SELECT $TENANT, 'contact', 'Bench', 'Buyer' FROM DUAL WHERE NOT EXISTS
           (SELECT 1 FROM contacts WHERE tenant_id = $TENANT AND first_name = 'Bench' AND last_name = 'Buyer');
         INSERT IGNORE INTO deal_settings (tenant_id) VALUES ($TENANT);
         START TRANSACTION;
         SELECT last_seq INTO @base FROM deal_settings WHERE tenant_id = $TENANT FOR UPDATE;
         INSERT INTO deals (tenant_id, seq, ref, name, type, pipeline, stage, value, probability,
                            closed_at, stage_changed_at)
           SELECT $TENANT, @base + s.seq, CONCAT('B-', LPAD(@base + s.seq, 7, '0')),
                  CONCAT('Bench deal ', s.seq),
                  ELT(1 + s.seq % 4, 'buy', 'sell', 'rent', 'rent_out'),
                  IF(s.seq % 2 = 0, 'buyer', 'owner'),
                  IF(s.seq % 2 = 0,
                     ELT(1 + (s.seq DIV 2) % 9, 'knowing_property', 'first_visit', 'multiple_visits',
                         'offer', 'reservation', 'contract_10', 'signing_deed', 'won', 'lost'),
                     ELT(1 + (s.seq DIV 2) % 8, 'mandate', 'online', 'visits', 'offer', 'reservation',
                         'deposit', 'won', 'lost')),
                  100000 * (1000 + s.seq % 4000), 50, NULL,
                  UTC_TIMESTAMP(6) - INTERVAL s.seq SECOND
           FROM seq_1_to_$DEALS s;
         UPDATE deals SET closed_at = stage_changed_at, lost_reason = IF(stage = 'lost', 'bench', NULL)
           WHERE tenant_id = $TENANT AND name LIKE 'Bench deal %' AND stage IN ('won', 'lost');
         UPDATE deal_settings SET last_seq = @base + $DEALS WHERE tenant_id = $TENANT;
         INSERT INTO deal_contacts (tenant_id, deal_id, contact_id, kind)
           SELECT d.tenant_id, d.id, (SELECT MIN(id) FROM contacts WHERE tenant_id = $TENANT
             AND first_name = 'Bench' AND last_name = 'Buyer'), 'main'
           FROM deals d WHERE d.tenant_id = $TENANT AND d.name LIKE 'Bench deal %';
         INSERT INTO deal_stage_history (tenant_id, deal_id, pipeline, from_stage, to_stage, created_at)
           SELECT tenant_id, id, pipeline, NULL, stage, stage_changed_at FROM deals
           WHERE tenant_id = $TENANT AND name LIKE 'Bench deal %';
         COMMIT;"
fi

TOKEN=$(bench_token "$BASE")
AUTH=(-H "Authorization: Bearer $TOKEN")
# Open buyer deals at one of the two stages the move alternates between.
read -r LO HI <<<"$(sql "SELECT MIN(id), MAX(id) FROM deals WHERE tenant_id = $TENANT
    AND name LIKE 'Bench deal %' AND pipeline = 'buyer' AND id >= 10000 AND id < 100000")"
IDS=$(sql "SELECT GROUP_CONCAT(id) FROM (SELECT id FROM deals WHERE tenant_id = $TENANT
    AND name LIKE 'Bench deal %' AND pipeline = 'buyer' AND stage IN ('first_visit', 'reservation')
    AND id BETWEEN $LO AND $HI LIMIT 500) x")
[ -n "$IDS" ] || ts_die "no buyer deals to move"
FIRST=${IDS%%,*}

NOOP_URL=$BASE/bench/noop BOARD_URL="$BASE/api/v1/deals/board?pipeline=buyer"
NOOP_SIZE=$(BENCH_EXPECT_OK=1 bench_probe "$NOOP_URL") ||
    ts_die "GET /bench/noop must answer 200 \"ok\" ([server] bench_noop = 1)"
bench_probe "$BOARD_URL" "${AUTH[@]}" >/dev/null
bench_probe "$BASE/api/v1/deals/$FIRST" "${AUTH[@]}" -X PATCH \
    -H 'Content-Type: application/json' --data '{"stage":"first_visit"}' >/dev/null

# The move's own wrk script: a random deal and one of the two stages per
# request, and the same one-line summary as every other run.
bench_lua
MOVE_DIR=$ROOT_DIR/deals-move
mkdir -p "$MOVE_DIR"
BENCH_DIR=$MOVE_DIR bench_lua
cat >>"$MOVE_DIR/summary.lua" <<LUA
local ids = { $IDS }
local stages = { "first_visit", "reservation" }
wrk.method = "PATCH"
wrk.headers["Content-Type"] = "application/json"
request = function()
  local id = ids[math.random(#ids)]
  local body = '{"stage":"' .. stages[math.random(2)] .. '"}'
  return wrk.format(nil, "/api/v1/deals/" .. id, nil, body)
end
LUA

# The board with the response cache missed on every request: each asks a URL
# of its own (a query parameter the board ignores), so the handler, its two
# statements and the JSON run every time, as after a write.
FRESH_DIR=$ROOT_DIR/deals-fresh
mkdir -p "$FRESH_DIR"
BENCH_DIR=$FRESH_DIR bench_lua
cat >>"$FRESH_DIR/summary.lua" <<'LUA'
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, "/api/v1/deals/board?pipeline=buyer&fresh=" .. n .. "-" .. math.random(1e9))
end
LUA

# bench_wrk's size check assumes thousands of small answers: with 200 kB
# boards at a few hundred per second, the partial answers wrk counts when it
# stops weigh more than its 1% tolerance. Here wrk's own status count and
# socket errors decide; every answer is an API JSON (no redirects).
deals_wrk() {
    local name=$1 dir=$2 url=$3 out line
    shift 3
    out=$dir/wrk-$name.txt
    wrk -t"$BENCH_THREADS" -c"$BENCH_CONNECTIONS" -d"${BENCH_SECONDS}s" --latency --timeout 5s \
        -s "$dir/summary.lua" "$@" "$url" >"$out" 2>&1 || { cat "$out" >&2; ts_die "wrk failed on $url"; }
    line=$(grep '^BENCH ' "$out" | tail -n1)
    [ -n "$line" ] || { cat "$out" >&2; ts_die "no summary from wrk on $url"; }
    local requests duration_us bytes connect read write status timeout p50_us p90_us p99_us max_us kv
    for kv in ${line#BENCH }; do
        printf -v "${kv%%=*}" '%s' "${kv#*=}"
    done
    [ "$requests" -gt 0 ] && [ $((connect + read + write + timeout + status)) -eq 0 ] ||
        { cat "$out" >&2; ts_die "$name: failed answers or socket errors on $url"; }
    R_RPS=$(awk -v n="$requests" -v t="$duration_us" 'BEGIN { printf "%.0f", n / (t / 1e6) }')
    R_P50=$(awk -v u="$p50_us" 'BEGIN { printf "%.2f", u / 1000 }')
    R_P99=$(awk -v u="$p99_us" 'BEGIN { printf "%.2f", u / 1000 }')
}

ts_step "wrk -t$BENCH_THREADS -c$BENCH_CONNECTIONS -d${BENCH_SECONDS}s on $BASE ($(bench_machine))"
bench_warm noop "$NOOP_SIZE" "$NOOP_URL"
ts_info "GET /bench/noop"
bench_wrk noop "$BENCH_SECONDS" "$NOOP_SIZE" "$NOOP_URL"
NOOP_RPS=$R_RPS NOOP_P50=$R_P50 NOOP_P99=$R_P99
ts_info "GET /api/v1/deals/board?pipeline=buyer"
BENCH_SECONDS=$BENCH_WARMUP deals_wrk warmup-board "$ROOT_DIR" "$BOARD_URL" "${AUTH[@]}"
deals_wrk board "$ROOT_DIR" "$BOARD_URL" "${AUTH[@]}"
BOARD_RPS=$R_RPS BOARD_P50=$R_P50 BOARD_P99=$R_P99
ts_info "GET /api/v1/deals/board?pipeline=buyer, a new URL each request (uncached)"
deals_wrk fresh "$FRESH_DIR" "$BASE/" "${AUTH[@]}"
FRESH_RPS=$R_RPS FRESH_P50=$R_P50 FRESH_P99=$R_P99
BOARD_BYTES=$(curl -sS --max-time 5 "${AUTH[@]}" "$BOARD_URL" | wc -c)
ts_info "PATCH /api/v1/deals/{id} (stage)"
deals_wrk move "$MOVE_DIR" "$BASE/" "${AUTH[@]}"
MOVE_RPS=$R_RPS MOVE_P50=$R_P50 MOVE_P99=$R_P99
# The move's own latency, one at a time: what a user dragging a card waits for.
ts_info "PATCH /api/v1/deals/{id} (stage), 1 connection"
BENCH_CONNECTIONS=1 deals_wrk move1 "$MOVE_DIR" "$BASE/" "${AUTH[@]}"
MOVE1_RPS=$R_RPS MOVE1_P50=$R_P50 MOVE1_P99=$R_P99

V_BOARD=$(bench_verdict bench_lt "$BOARD_P99" 20)
V_MOVE=$(bench_verdict bench_lt "$MOVE1_P50" 5)
ts_step "results ($DEALS deals, $BENCH_CONNECTIONS connections)"
printf '  %-34s %9s %8s %8s %8s\n' route 'req/s' 'p50 ms' 'p99 ms' '/noop'
printf '  %-34s %9s %8s %8s %8s\n' 'GET /bench/noop' "$NOOP_RPS" "$NOOP_P50" "$NOOP_P99" 1.00
printf '  %-34s %9s %8s %8s %8s\n' 'GET /api/v1/deals/board' "$BOARD_RPS" "$BOARD_P50" "$BOARD_P99" \
    "$(bench_ratio "$BOARD_RPS" "$NOOP_RPS")"
printf '  %-34s %9s %8s %8s %8s\n' 'GET board, uncached' "$FRESH_RPS" "$FRESH_P50" "$FRESH_P99" \
    "$(bench_ratio "$FRESH_RPS" "$NOOP_RPS")"
printf '  %-34s %9s %8s %8s %8s\n' 'PATCH /api/v1/deals/{id} stage' "$MOVE_RPS" "$MOVE_P50" "$MOVE_P99" \
    "$(bench_ratio "$MOVE_RPS" "$NOOP_RPS")"
printf '  %-34s %9s %8s %8s %8s\n' 'PATCH stage, 1 connection' "$MOVE1_RPS" "$MOVE1_P50" "$MOVE1_P99" \
    "$(bench_ratio "$MOVE1_RPS" "$NOOP_RPS")"
printf '  board answer: %s bytes\n' "$BOARD_BYTES"
printf '  board p99 < 20 ms (32 connections): %s   stage move p50 < 5 ms (1 connection): %s\n' \
    "$V_BOARD" "$V_MOVE"
[ "$STRICT" = 0 ] || { [ "$V_BOARD" = PASS ] && [ "$V_MOVE" = PASS ]; }

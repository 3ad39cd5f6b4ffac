#!/usr/bin/env bash
# tests/bench/contacts.sh: lists of leads and contacts with 100,000 records in one tenant.
#
# Starts the dev stack if needed (./tesoro up; set TS_VAR, TS_PORT, TS_DB_PORT for another
# instance), creates the tenant bench-contacts once and loads it with the deterministic
# records of tests/bench/contacts_gen.py (50,000 leads and 50,000 contacts; reloaded only
# when the count differs), then runs wrk on loopback against, one after the other:
#   GET /bench/noop                       the baseline
#   GET /api/v1/leads?status=qualified&stage=hot&source=portal&sort=-created_at
#                                         three filters and a sort, with the total
#   GET /api/v1/contacts?q=Navarro        a text search (FULLTEXT prefix match), with the total:
#                                         one surname of 50, about 1,000 matches
#   GET /api/v1/contacts?q=Marta+Navarro  first and last name, both required: about 30 matches
# and prints requests/s, p50, p99, each ratio to the no-op and PASS/FAIL against the
# target (docs/performance.md): p99 under 15 ms at 32 connections.
# Environment as tests/bench/run.sh (BENCH_SECONDS, BENCH_WARMUP, BENCH_CONNECTIONS, ...).
# --strict: exit non-zero when a target is missed.
set -euo pipefail
# shellcheck source=tests/bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

STRICT=0
[ "${1:-}" != --strict ] || STRICT=1
cd "$TS_ROOT"
BASE=http://127.0.0.1:$TS_PORT
SLUG=bench-contacts
RECORDS=100000

ts_step "packages"
bench_need_packages wrk curl python3
bench_stack_up
mkdir -p "$BENCH_DIR"

ts_step "tenant $SLUG with $RECORDS leads and contacts"
if ! ts_cli tenant list --json | grep -q "\"$SLUG\""; then
    ts_cli tenant create "$SLUG" --name "Bench Contacts" --host "$SLUG.localhost" \
        --admin-email "admin@$SLUG.localhost" --admin-password "$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
fi
TID=$(ts_db -N -B "$TS_DB_NAME" -e "SELECT id FROM tenants WHERE slug = '$SLUG'")
HAVE=$(ts_db -N -B "$TS_DB_NAME" -e "SELECT COUNT(*) FROM contacts WHERE tenant_id = $TID")
if [ "$HAVE" != "$RECORDS" ]; then
    ts_info "loading (had $HAVE)"
    ts_db "$TS_DB_NAME" -e "DELETE FROM tags WHERE tenant_id = $TID; DELETE FROM contacts WHERE tenant_id = $TID"
    start=$SECONDS
    python3 "$TS_ROOT/tests/bench/contacts_gen.py" "$TID" "$RECORDS" | ts_db "$TS_DB_NAME"
    ts_db "$TS_DB_NAME" -e "ANALYZE TABLE contacts, tags" >/dev/null
    ts_info "loaded in $((SECONDS - start)) s"
fi
TOKEN=$(ts_cli token create --tenant "$SLUG" --email "admin@$SLUG.localhost" --name bench | tail -n1)
[[ $TOKEN =~ ^tso_ ]] || ts_die "unexpected output of tesoro token create: $TOKEN"
AUTH=(-H "Authorization: Bearer $TOKEN")

NOOP_URL=$BASE/bench/noop
LIST_URL="$BASE/api/v1/leads?status=qualified&stage=hot&source=portal&sort=-created_at"
SEARCH_URL="$BASE/api/v1/contacts?q=Navarro"
NAME_URL="$BASE/api/v1/contacts?q=Marta+Navarro"
NOOP_SIZE=$(BENCH_EXPECT_OK=1 bench_probe "$NOOP_URL")
LIST_SIZE=$(bench_probe "$LIST_URL" "${AUTH[@]}")
SEARCH_SIZE=$(bench_probe "$SEARCH_URL" "${AUTH[@]}")
NAME_SIZE=$(bench_probe "$NAME_URL" "${AUTH[@]}")
LIST_TOTAL=$(curl -s "${AUTH[@]}" "$LIST_URL" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
SEARCH_TOTAL=$(curl -s "${AUTH[@]}" "$SEARCH_URL" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
NAME_TOTAL=$(curl -s "${AUTH[@]}" "$NAME_URL" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
ts_info "the list matches $LIST_TOTAL leads, the searches $SEARCH_TOTAL and $NAME_TOTAL contacts"

ts_step "wrk -t$BENCH_THREADS -c$BENCH_CONNECTIONS -d${BENCH_SECONDS}s on $BASE ($(bench_machine))"
bench_warm noop "$NOOP_SIZE" "$NOOP_URL"
bench_warm list "$LIST_SIZE" "$LIST_URL" "${AUTH[@]}"
bench_warm search "$SEARCH_SIZE" "$SEARCH_URL" "${AUTH[@]}"
bench_warm name "$NAME_SIZE" "$NAME_URL" "${AUTH[@]}"
bench_wrk noop "$BENCH_SECONDS" "$NOOP_SIZE" "$NOOP_URL"
NOOP="$R_RPS $R_P50 $R_P99"
bench_wrk list "$BENCH_SECONDS" "$LIST_SIZE" "$LIST_URL" "${AUTH[@]}"
LIST="$R_RPS $R_P50 $R_P99"
bench_wrk search "$BENCH_SECONDS" "$SEARCH_SIZE" "$SEARCH_URL" "${AUTH[@]}"
SEARCH="$R_RPS $R_P50 $R_P99"
bench_wrk name "$BENCH_SECONDS" "$NAME_SIZE" "$NAME_URL" "${AUTH[@]}"
NAME="$R_RPS $R_P50 $R_P99"

read -r NOOP_RPS NOOP_P50 NOOP_P99 <<<"$NOOP"
read -r LIST_RPS LIST_P50 LIST_P99 <<<"$LIST"
read -r SEARCH_RPS SEARCH_P50 SEARCH_P99 <<<"$SEARCH"
read -r NAME_RPS NAME_P50 NAME_P99 <<<"$NAME"
LIST_OK=$(bench_verdict bench_lt "$LIST_P99" 15)
SEARCH_OK=$(bench_verdict bench_lt "$SEARCH_P99" 15)
NAME_OK=$(bench_verdict bench_lt "$NAME_P99" 15)
printf '\n%-34s %10s %9s %9s %7s  %s\n' route req/s p50_ms p99_ms ratio "p99 < 15 ms"
printf '%-34s %10s %9s %9s %7s\n' "GET /bench/noop" "$NOOP_RPS" "$NOOP_P50" "$NOOP_P99" 1.00
printf '%-34s %10s %9s %9s %7s  %s\n' "leads, 3 filters + sort" "$LIST_RPS" "$LIST_P50" "$LIST_P99" \
    "$(bench_ratio "$LIST_RPS" "$NOOP_RPS")" "$LIST_OK"
printf '%-34s %10s %9s %9s %7s  %s\n' "contacts, q=Navarro" "$SEARCH_RPS" "$SEARCH_P50" "$SEARCH_P99" \
    "$(bench_ratio "$SEARCH_RPS" "$NOOP_RPS")" "$SEARCH_OK"
printf '%-34s %10s %9s %9s %7s  %s\n' "contacts, q=Marta Navarro" "$NAME_RPS" "$NAME_P50" "$NAME_P99" \
    "$(bench_ratio "$NAME_RPS" "$NOOP_RPS")" "$NAME_OK"
printf '%s noop=%s list=%s/%s/%s search=%s/%s/%s\n' "$(date -u +%FT%TZ)" "$NOOP_RPS" "$LIST_RPS" \
    "$LIST_P50" "$LIST_P99" "$SEARCH_RPS" "$SEARCH_P50" "$SEARCH_P99" >>"$BENCH_DIR/results-contacts.txt"
printf '  name=%s/%s/%s load=%s\n' "$NAME_RPS" "$NAME_P50" "$NAME_P99" "$(cut -d' ' -f1-3 /proc/loadavg)" \
    >>"$BENCH_DIR/results-contacts.txt"
if [ "$STRICT" = 1 ] && { [ "$LIST_OK" != PASS ] || [ "$SEARCH_OK" != PASS ] || [ "$NAME_OK" != PASS ]; }; then
    exit 1
fi

#!/usr/bin/env bash
# tests/bench/properties.sh: the properties plugin against the no-op baseline.
#
#   TS_VAR=var/bench TS_PORT=8131 TS_DB_PORT=3394 tests/bench/properties.sh [--strict]
#
# Starts the instance if needed (./tesoro up with [server] bench_noop on;
# without TS_* that is the dev stack), seeds 50,000 properties into the demo
# tenant once (references BENCH-..., kept for the next run) and a buyer lead,
# then measures with wrk on loopback, each run right after /bench/noop:
#   the list with four filters (type, status, price range, town) and a sort:
#     p99 < 15 ms at 32 connections
#   the matches of one lead: p99 < 20 ms
#   the public list: >= 50% of the no-op's requests/s
# and the upload of a 10 MB JPEG with its three variants: < 1 s (median of 3).
# A missed target fails the run only with --strict.
set -euo pipefail
# shellcheck source=tests/bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

STRICT=0
[ "${1:-}" != --strict ] || STRICT=1
cd "$TS_ROOT"
BASE=http://127.0.0.1:$TS_PORT
N=${BENCH_PROPERTIES:-50000}

ts_step "packages"
bench_need_packages wrk curl libvips-dev
bench_stack_up
mkdir -p "$BENCH_DIR"
TOKEN=$(bench_token "$BASE")
AUTH=(-H "Authorization: Bearer $TOKEN")
sqlq() { mariadb --socket="$TS_DB_SOCK" -uroot -N -B "$TS_DB_NAME" -e "$1"; }
TENANT=$(sqlq "SELECT id FROM tenants WHERE slug = 'demo'")

# ---------------------------------------------------------------- data

HAVE=$(sqlq "SELECT COUNT(*) FROM properties WHERE tenant_id = $TENANT AND ref LIKE 'BENCH-%'")
if [ "$HAVE" -lt "$N" ]; then
    ts_step "seeding $N properties into tenant demo"
    sqlq "DELETE FROM properties WHERE tenant_id = $TENANT AND ref LIKE 'BENCH-%'"
    awk -v n="$N" -v t="$TENANT" 'BEGIN {
        split("villa apartment townhouse penthouse plot studio", ty, " ")
        split("active active active sold draft under_offer reserved", st, " ")
        split("Jávea Denia Moraira Calpe Altea Benidorm Alicante Torrevieja", tw, " ")
        srand(42)
        print "SET autocommit = 0;"
        for (i = 1; i <= n; i++) {
            if (i % 1000 == 1) printf "INSERT INTO properties (tenant_id, ref, type, status, price, town, beds, baths, built_area, latitude, longitude, display_on_website, completeness, missing) VALUES\n"
            printf "(%d,\"BENCH-%06d\",\"%s\",\"%s\",%d,\"%s\",%d,%d,%d,%.5f,%.5f,%d,%d,\"%s\")%s\n", t, i,
                ty[1 + int(rand() * 6)], st[1 + int(rand() * 7)], (int(rand() * 180) + 10) * 500000,
                tw[1 + int(rand() * 8)], 1 + int(rand() * 5), 1 + int(rand() * 3), 40 + int(rand() * 400),
                37.9 + rand(), -0.8 + rand(), rand() < 0.7, 40 + int(rand() * 60), rand() < 0.5 ? "photos" : "",
                (i % 1000 == 0 || i == n) ? ";" : ","
        }
        print "COMMIT;"
    }' | mariadb --socket="$TS_DB_SOCK" -uroot "$TS_DB_NAME"
fi
LEAD=$(sqlq "SELECT id FROM contacts WHERE tenant_id = $TENANT AND last_name = 'Bench lead' LIMIT 1")
if [ -z "$LEAD" ]; then
    sqlq "INSERT INTO contacts (tenant_id, kind, type, first_name, last_name, transaction, budget_min, budget_max,
          area_min, area_max, bedrooms_min, bathrooms_min, preferences) VALUES ($TENANT, 'lead', 'buyer', 'Anna',
          'Bench lead', 'sale', 30000000, 45000000, 150, 300, 3, 2,
          '{\"property_types\":[\"villa\",\"townhouse\"],\"towns\":[\"Javea\"],\"areas\":[\"Costa Blanca North\"]}')"
    LEAD=$(sqlq "SELECT id FROM contacts WHERE tenant_id = $TENANT AND last_name = 'Bench lead' LIMIT 1")
fi

# ---------------------------------------------------------------- runs

NOOP_URL=$BASE/bench/noop
LIST_URL="$BASE/api/v1/properties?type=villa&status=active&price_min=30000000&price_max=60000000&town=J%C3%A1vea&sort=-price&limit=50"
MATCH_URL=$BASE/api/v1/leads/$LEAD/matches
PUBLIC_URL="$BASE/public/v1/demo/properties?type=villa&town=Denia"
NOOP_SIZE=$(BENCH_EXPECT_OK=1 bench_probe "$NOOP_URL") ||
    ts_die "GET /bench/noop must answer \"ok\": start the instance with TS_BENCH_NOOP=1"
LIST_SIZE=$(bench_probe "$LIST_URL" "${AUTH[@]}")
MATCH_SIZE=$(bench_probe "$MATCH_URL" "${AUTH[@]}")
PUBLIC_SIZE=$(bench_probe "$PUBLIC_URL")

ts_step "wrk -t$BENCH_THREADS -c$BENCH_CONNECTIONS -d${BENCH_SECONDS}s on $BASE ($(bench_machine)), $N properties"
declare -A RPS P99
measure() {   # name size url [curl options]: the no-op, then the route
    local name=$1 size=$2 url=$3
    shift 3
    bench_warm "$name" "$size" "$url" "$@"
    bench_wrk "noop-$name" "$BENCH_SECONDS" "$NOOP_SIZE" "$NOOP_URL"
    RPS[noop-$name]=$R_RPS P99[noop-$name]=$R_P99
    bench_wrk "$name" "$BENCH_SECONDS" "$size" "$url" "$@"
    RPS[$name]=$R_RPS P99[$name]=$R_P99
    ts_info "$(printf '%-8s %8s req/s  p99 %6s ms   (no-op %8s req/s, p99 %s ms)' "$name" \
        "$R_RPS" "$R_P99" "${RPS[noop-$name]}" "${P99[noop-$name]}")"
}
bench_warm noop "$NOOP_SIZE" "$NOOP_URL"
measure list "$LIST_SIZE" "$LIST_URL" "${AUTH[@]}"
measure matches "$MATCH_SIZE" "$MATCH_URL" "${AUTH[@]}"
measure public "$PUBLIC_SIZE" "$PUBLIC_URL"

# A 10 MB JPEG made by libvips (noise compresses badly, as photos do).
ts_step "upload of a 10 MB JPEG"
JPEG=$BENCH_DIR/big.jpg
if [ ! -s "$JPEG" ]; then
    cat >"$BENCH_DIR/mkjpeg.c" <<'C'
#include <vips/vips.h>
int main(int argc, char **argv) {
    VipsImage *band[3], *rgb;
    (void) argc;
    if (VIPS_INIT(argv[0])) {
        return 1;
    }
    for (int i = 0; i < 3; i++) {
        if (vips_gaussnoise(&band[i], 5000, 3750, "mean", 128.0, "sigma", 60.0, "seed", 7 + i, NULL)) {
            return 1;
        }
    }
    return vips_bandjoin(band, &rgb, 3, NULL) || vips_jpegsave(rgb, argv[1], "Q", 89, NULL);
}
C
    gcc -o "$BENCH_DIR/mkjpeg" "$BENCH_DIR/mkjpeg.c" $(pkg-config --cflags --libs vips)
    "$BENCH_DIR/mkjpeg" "$JPEG"
fi
PID=$(curl -sS "${AUTH[@]}" -H 'Content-Type: application/json' -d '{"type":"villa"}' \
    "$BASE/api/v1/properties" | sed -n 's/^{"data":{"id":\([0-9]*\).*/\1/p')
[ -n "$PID" ] || ts_die "cannot create a property for the upload"
TIMES=()
for i in 1 2 3; do
    read -r code secs < <(curl -sS -o /dev/null -w '%{http_code} %{time_total}\n' "${AUTH[@]}" \
        -F "file=@$JPEG;type=image/jpeg" "$BASE/api/v1/properties/$PID/media")
    [ "$code" = 201 ] || ts_die "upload answered $code"
    TIMES+=("$secs")
done
UPLOAD=$(printf '%s\n' "${TIMES[@]}" | sort -n | sed -n 2p)
SIZE_MB=$(awk -v b="$(stat -c %s "$JPEG")" 'BEGIN { printf "%.1f", b / 1048576 }')

# ---------------------------------------------------------------- report

PUBLIC_RATIO=$(bench_ratio "${RPS[public]}" "${RPS[noop-public]}")
V1=$(bench_verdict bench_lt "${P99[list]}" 15)
V2=$(bench_verdict bench_lt "${P99[matches]}" 20)
V3=$(bench_verdict bench_ge "$PUBLIC_RATIO" 0.50)
V4=$(bench_verdict bench_lt "$UPLOAD" 1.0)
printf '\n%-46s %10s %10s %8s\n' "properties ($N in one tenant)" "req/s" "p99 ms" "target"
printf '%-46s %10s %10s %8s\n' "list, 4 filters + sort" "${RPS[list]}" "${P99[list]}" "$V1"
printf '%-46s %10s %10s %8s\n' "matches of one lead" "${RPS[matches]}" "${P99[matches]}" "$V2"
printf '%-46s %10s %10s %8s\n' "public list (ratio $PUBLIC_RATIO to the no-op)" "${RPS[public]}" "${P99[public]}" "$V3"
printf '%-46s %10s %10s %8s\n' "upload of a ${SIZE_MB} MB JPEG, 3 variants (s)" "" "$UPLOAD" "$V4"
if [ "$STRICT" = 1 ] && [[ "$V1$V2$V3$V4" == *FAIL* ]]; then
    exit 1
fi

#!/usr/bin/env bash
# The Kyero feed benchmark: import and publish on a running instance.
#
#   tests/bench/kyero.sh [--big] [--fields] [--strict]
#
# Generates feeds of N properties (5 languages, 20 images each), then measures on a tenant
# of its own, through the installed CLI and nginx:
#   - first import of 10,000 properties        target >= 2,000 properties/s
#   - the same file again (every date unchanged) target >= 10,000 properties/s
#   - the importer's RSS growth (its peak RSS minus that of a 1-property import)
#                                               target < 50 MB, for 10,000 and (--big) 100,000
#   - GET of the published 10,000-property Kyero feed  target < 1 s (median of 3)
#   - GET /bench/noop in the same run, for the ratio (the instance needs bench_noop = 1)
#   - (--fields) first import of 10,000 properties without images in a tenant without
#     property custom fields and in one with three (two computed, one validated), so the
#     ratio is the custom fields' cost per listing (run first: no photo jobs compete)
# Point it at an instance with TS_VAR / TS_PORT (conf/dev/lib.sh); build that instance
# without sanitizers for numbers that mean something, e.g.
#   TS_VAR=var/bench TS_PORT=8152 TS_DB_PORT=3316 TS_BENCH_NOOP=1 ./tesoro up
# Exit status: non-zero when a step fails outright; a missed target only with --strict.
set -euo pipefail
# shellcheck source=tests/bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

BIG=0 STRICT=0 FIELDS=0
for arg in "$@"; do
    case $arg in
    --big) BIG=1 ;;
    --fields) FIELDS=1 ;;
    --strict) STRICT=1 ;;
    -h | --help) sed -n '2,23s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) ts_die "unknown option $arg (try --help)" ;;
    esac
done
cd "$TS_ROOT"
BASE=http://127.0.0.1:$TS_PORT
mkdir -p "$BENCH_DIR"
[ -x "$TS_CLI" ] || ts_die "${TS_CLI#"$TS_ROOT"/} is not built: start the instance first"
cli() { TESORO_CONF=$TS_CONF "$TS_CLI" -c "$TS_CONF" "$@"; }

# gen N FILE [IMAGES]: a Kyero v3 feed of N properties, 20 images each unless told.
gen() {
    python3 - "$1" "$2" "${3:-20}" <<'EOF'
import sys
n, path, nimg = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
langs = ["en", "es", "de", "fr", "nl"]
with open(path, "w") as f:
    f.write('<?xml version="1.0" encoding="UTF-8"?>\n<root><kyero><feed_version>3</feed_version></kyero>\n')
    for i in range(n):
        desc = "".join(f"<{l}>A bright {i} bedroom home in the sun, close to the beach and the town"
                       f" centre, with a garden, a pool and sea views. ({l})</{l}>" for l in langs)
        # Loopback, which the fetch guard refuses without a lookup: the photo jobs the import
        # queues fail at once and send nothing off this machine.
        imgs = "".join(f'<image id="{k}"><url>http://127.0.0.1:9/{i}/{k}.jpg</url></image>' for k in range(1, nimg + 1))
        f.write(f"<property><id>{i}</id><date>2026-01-01 10:00:00</date><ref>B-{i}</ref><price>{100000 + i}</price>"
                f"<currency>EUR</currency><price_freq>sale</price_freq><type>villa</type><town>Jávea</town>"
                f"<province>Alicante</province><location><latitude>38.79</latitude><longitude>0.16</longitude>"
                f"</location><beds>3</beds><baths>2</baths><surface_area><built>150</built><plot>500</plot>"
                f"</surface_area><desc>{desc}</desc><features><feature>sea view</feature><feature>pool</feature>"
                f"</features><images>{imgs}</images></property>\n")
    f.write("</root>\n")
EOF
}

# import TENANT FILE: "seconds peak_rss_kb status" of one CLI import.
import_run() {
    local out
    out=$( { /usr/bin/time -f 'TIME %e %M' "$TS_CLI" -c "$TS_CONF" feed import --tenant "$1" "$2" \
        >"$BENCH_DIR/kyero-report.json"; } 2>&1 | grep '^TIME') || true
    local status
    status=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["status"])' \
        "$BENCH_DIR/kyero-report.json" 2>/dev/null || echo failed)
    echo "${out#TIME } $status"
}

slug=bench-kyero-$(date +%s)
ts_step "tenant $slug"
cli tenant create "$slug" --host "$slug.localhost" --admin-email "admin@$slug.localhost" \
    --admin-password "bench-password-$RANDOM" >/dev/null

ts_step "feeds"
gen 1 "$BENCH_DIR/kyero-1.xml"
gen 10000 "$BENCH_DIR/kyero-10k.xml"
[ "$BIG" = 0 ] || gen 100000 "$BENCH_DIR/kyero-100k.xml"

slug1=$slug-one
cli tenant create "$slug1" --host "$slug1.localhost" --admin-email "admin@$slug1.localhost" \
    --admin-password "bench-password-$RANDOM" >/dev/null
read -r _ base_rss _ < <(import_run "$slug1" "$BENCH_DIR/kyero-1.xml")

if [ "$FIELDS" = 1 ]; then
    ts_step "import 10,000 without images, without and with property custom fields"
    gen 10000 "$BENCH_DIR/kyero-10k-noimg.xml" 0
    for which in plain fields; do
        s_f=$slug-$which
        cli tenant create "$s_f" --host "$s_f.localhost" --admin-email "admin@$s_f.localhost" \
            --admin-password "bench-password-$RANDOM" >/dev/null
    done
    tok=$(cli token create --tenant "$slug-fields" --email "admin@$slug-fields.localhost" | tail -n 1)
    code='field{kind = "property", key = "headline", type = "text", label = "Headline",
  compute = function(rec) return (rec.type or "") .. " in " .. (rec.town or "?") end}
field{kind = "property", key = "rooms", type = "number", label = "Rooms",
  compute = function(rec) return rec.beds end,
  validate = function(v, rec) return v <= 20 or "too many bedrooms" end}
field{kind = "property", key = "licence", type = "text", label = "Licence"}'
    put=$(python3 -c 'import json,sys; print(json.dumps({"code": sys.argv[1]}))' "$code" |
        curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Host: $slug-fields.localhost" \
            -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' --data-binary @- \
            "$BASE/api/v1/scripts/fields.bench")
    case $put in 200 | 201) ;; *) ts_die "uploading the fields script answered $put" ;; esac
    read -r tp _ sp < <(import_run "$slug-plain" "$BENCH_DIR/kyero-10k-noimg.xml")
    read -r tf _ sf < <(import_run "$slug-fields" "$BENCH_DIR/kyero-10k-noimg.xml")
    [ "$sp" = ok ] && [ "$sf" = ok ] || ts_die "an import failed (see $BENCH_DIR/kyero-report.json)"
    created=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["created"])' \
        "$BENCH_DIR/kyero-report.json")
    [ "$created" = 10000 ] || ts_die "the import with custom fields created $created of 10000"
    rate_plain=$(awk -v t="$tp" 'BEGIN { printf "%.0f", 10000 / (t > 0 ? t : 0.01) }')
    rate_fields=$(awk -v t="$tf" 'BEGIN { printf "%.0f", 10000 / (t > 0 ? t : 0.01) }')
fi

ts_step "import 10,000"
read -r t1 rss1 s1 < <(import_run "$slug" "$BENCH_DIR/kyero-10k.xml")
read -r t2 rss2 s2 < <(import_run "$slug" "$BENCH_DIR/kyero-10k.xml")
[ "$s1" = ok ] && [ "$s2" = ok ] || ts_die "an import failed (see $BENCH_DIR/kyero-report.json)"
rate1=$(awk -v t="$t1" 'BEGIN { printf "%.0f", 10000 / (t > 0 ? t : 0.01) }')
rate2=$(awk -v t="$t2" 'BEGIN { printf "%.0f", 10000 / (t > 0 ? t : 0.01) }')
grow1=$(( (rss1 - base_rss) / 1024 ))

grow_big=-
if [ "$BIG" = 1 ]; then
    ts_step "import 100,000"
    slugb=$slug-big
    cli tenant create "$slugb" --host "$slugb.localhost" --admin-email "admin@$slugb.localhost" \
        --admin-password "bench-password-$RANDOM" >/dev/null
    read -r tb rssb sb < <(import_run "$slugb" "$BENCH_DIR/kyero-100k.xml")
    [ "$sb" = ok ] || ts_die "the 100,000 import failed"
    grow_big=$(( (rssb - base_rss) / 1024 ))
    echo "100,000 in ${tb}s"
fi

ts_step "publish 10,000"
url=$(cli --json portal connect kyero --tenant "$slug" | python3 -c 'import json,sys; print(json.load(sys.stdin)["feed_url"])')
mariadb --socket="$TS_DB_SOCK" -uroot tesoro -e "INSERT INTO property_publications (tenant_id, property_id, portal)
    SELECT p.tenant_id, p.id, 'kyero' FROM properties p JOIN tenants t ON t.id = p.tenant_id WHERE t.slug = '$slug'"
path=${url#http://*/}
times=()
for _ in 1 2 3; do
    times+=("$(curl -s -o "$BENCH_DIR/kyero-feed.xml" -w '%{time_total}' -H "Host: $slug.localhost" "$BASE/$path")")
done
pub=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
props=$(grep -c '<property>' "$BENCH_DIR/kyero-feed.xml" || true)
noop=$(curl -s -o /dev/null -w '%{time_total}' "$BASE/bench/noop" || echo 0)

printf '\n%-44s %12s %10s %s\n' "measure" "value" "target" "verdict"
printf '%-44s %12s %10s %s\n' "first import, properties/s" "$rate1" ">= 2000" "$(bench_verdict bench_ge "$rate1" 2000)"
printf '%-44s %12s %10s %s\n' "unchanged re-import, properties/s" "$rate2" ">= 10000" "$(bench_verdict bench_ge "$rate2" 10000)"
printf '%-44s %12s %10s %s\n' "importer RSS growth, 10,000 (MB)" "$grow1" "< 50" "$(bench_verdict bench_lt "$grow1" 50)"
[ "$grow_big" = - ] || printf '%-44s %12s %10s %s\n' "importer RSS growth, 100,000 (MB)" "$grow_big" "< 50" \
    "$(bench_verdict bench_lt "$grow_big" 50)"
printf '%-44s %12s %10s %s\n' "publish $props properties, s (median of 3)" "$pub" "< 1" "$(bench_verdict bench_lt "$pub" 1)"
printf '%-44s %12s\n' "GET /bench/noop in the same run, s" "$noop"
printf '%-44s %12s\n' "publish / noop" "$(bench_ratio "$pub" "$noop")"
if [ "$FIELDS" = 1 ]; then
    printf '%-44s %12s\n' "no images, no custom fields, properties/s" "$rate_plain"
    printf '%-44s %12s\n' "no images, 3 custom fields, properties/s" "$rate_fields"
    printf '%-44s %12s\n' "with fields / without (time)" "$(bench_ratio "$tf" "$tp")"
fi

if [ "$STRICT" = 1 ]; then
    bench_ge "$rate1" 2000 && bench_ge "$rate2" 10000 && bench_lt "$grow1" 50 && bench_lt "$pub" 1 &&
        { [ "$grow_big" = - ] || bench_lt "$grow_big" 50; } || exit 1
fi

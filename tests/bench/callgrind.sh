#!/usr/bin/env bash
# Instructions per request, counted by valgrind's callgrind: repeatable where
# timings are not (a busy machine changes wrk's figures, not these).
#
#   tests/bench/callgrind.sh [REQUESTS]          (default 500)
#
# Runs the installed tesoro-fcgi of the dev stack under callgrind with a
# private copy of its config (1 worker, no job runner, its own socket under
# var/bench/callgrind/; same database, same demo tenant), sends it REQUESTS
# FastCGI requests straight on the socket with cgi-fcgi (no nginx) for
#   noop        GET /bench/noop
#   me          GET /api/v1/me, bearer token (token cache as configured)
#   me-nocache  GET /api/v1/me with [security] token_cache_ms = 0 (every
#               request looks the token up in MariaDB)
#   board       GET /api/v1/deals/board?pipeline=buyer with [cache] enabled = 0
#               (when the deals plugin is loaded; tests/bench/deals.sh loads
#               its 20,000 deals)
# and prints the instructions each costs in the worker: FastCGI accept, the
# handler, finish and close (--toggle-collect), with the functions that cost
# the most for /api/v1/me. Profiles stay in var/bench/callgrind/ for
# callgrind_annotate or kcachegrind.
set -euo pipefail
# shellcheck source=tests/bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

N=${1:-500}
[[ $N =~ ^[0-9]+$ ]] && [ "$N" -gt 0 ] || ts_die "usage: $0 [REQUESTS]"
cd "$TS_ROOT"
DIR=$BENCH_DIR/callgrind
SOCK=$DIR/tesoro.sock
BASE=http://127.0.0.1:$TS_PORT

ts_step "packages"
bench_need_packages valgrind libfcgi-bin curl
[ "${BENCH_SKIP_UP:-0}" = 1 ] || bench_stack_up
ts_step "API token for $TS_DEMO_EMAIL"
TOKEN=$(bench_token "$BASE")

mkdir -p "$DIR"
# The binary is copied: `./tesoro up` may install a new one meanwhile.
cp "$TS_FCGI" "$DIR/tesoro-fcgi"
conf() {  # conf NAME [key=value ...]: the instance's config with our changes
    local name=$1 kv
    shift
    cp "$TS_CONF" "$DIR/$name.conf"
    chmod 600 "$DIR/$name.conf"
    ts_ini_set "$DIR/$name.conf" server listen "unix:$SOCK"
    ts_ini_set "$DIR/$name.conf" server workers 1
    ts_ini_set "$DIR/$name.conf" server job_runner 0
    ts_ini_set "$DIR/$name.conf" server bench_noop 1
    for kv in "$@"; do
        ts_ini_set "$DIR/$name.conf" "${kv%%.*}" "$(cut -d= -f1 <<<"${kv#*.}")" "${kv#*=}"
    done
}

SERVER=
cleanup() { [ -z "$SERVER" ] || { kill -TERM "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; } || true; }
trap cleanup EXIT

# request URI [AUTHORIZATION]: one FastCGI request as nginx would send it.
request() {
    local path=${1%%\?*} query=
    [ "$path" = "$1" ] || query=${1#*\?}
    env -i REQUEST_METHOD=GET REQUEST_URI="$1" SCRIPT_NAME="$path" DOCUMENT_URI="$path" QUERY_STRING="$query" \
        SERVER_PROTOCOL=HTTP/1.1 HTTP_HOST="127.0.0.1:$TS_PORT" SERVER_NAME=127.0.0.1 \
        SERVER_PORT="$TS_PORT" REMOTE_ADDR=127.0.0.1 REMOTE_PORT=40000 \
        ${2:+HTTP_AUTHORIZATION="$2"} cgi-fcgi -bind -connect "$SOCK"
}

# session NAME CONF URI [AUTHORIZATION]: sets PER_REQUEST (instructions)
session() {
    local name=$1 cfg=$DIR/$2.conf uri=$3 auth=${4:-} out i first
    rm -f "$DIR/callgrind.out".* "$SOCK"
    TESORO_CONF=$cfg valgrind --tool=callgrind --collect-atstart=no \
        --toggle-collect=ts_http_handle --toggle-collect='FCGX_Accept_r' \
        --toggle-collect='FCGX_Finish_r' --toggle-collect='FCGX_Free' \
        --callgrind-out-file="$DIR/callgrind.out.%p" \
        "$DIR/tesoro-fcgi" -c "$cfg" </dev/null >"$DIR/$name.log" 2>&1 &
    SERVER=$!
    for ((i = 0; i < 300; i++)); do
        [ -S "$SOCK" ] && grep -q 'serving on' "$DIR/$name.log" && break
        kill -0 "$SERVER" 2>/dev/null || break
        sleep 0.1
    done
    [ -S "$SOCK" ] || { ts_tail "$DIR/$name.log"; ts_die "tesoro-fcgi did not start under valgrind"; }
    first=$(request "$uri" "$auth")
    first=${first%%$'\r'*}
    [ "$first" = "Status: 200 OK" ] || ts_die "$name: $uri answered '$first'"
    for ((i = 1; i < N; i++)); do
        request "$uri" "$auth" >/dev/null
    done
    kill -TERM "$SERVER"
    wait "$SERVER" || true
    SERVER=
    # The worker's profile: the file that is not the master's.
    out=$(grep -l '^cmd:' "$DIR/callgrind.out".* | while read -r f; do
        grep -q '^totals: [1-9]' "$f" && grep -q 'ts_http_handle' "$f" && echo "$f"; done | head -n1)
    [ -n "$out" ] || ts_die "$name: no worker profile in ${DIR#"$TS_ROOT"/}"
    mv "$out" "$DIR/$name.out"
    rm -f "$DIR/callgrind.out".*
    PER_REQUEST=$(awk -v n="$N" '/^totals:/ { printf "%.0f", $2 / n }' "$DIR/$name.out")
}

conf base
session noop base /bench/noop
NOOP=$PER_REQUEST
session me base /api/v1/me "Bearer $TOKEN"
ME=$PER_REQUEST
NOCACHE=
if grep -q '^[ \t]*token_cache_ms[ \t]*=' "$TS_CONF"; then
    conf nocache security.token_cache_ms=0
    session me-nocache nocache /api/v1/me "Bearer $TOKEN"
    NOCACHE=$PER_REQUEST
fi
# The deals board with the response cache off: the handler, its two
# statements (MariaDB's own work is not counted) and the JSON every time.
BOARD=
if grep -q '^load *=.*deals' "$TS_CONF"; then
    conf board cache.enabled=0
    session board board "/api/v1/deals/board?pipeline=buyer" "Bearer $TOKEN"
    BOARD=$PER_REQUEST
fi

echo
echo "instructions per request in the worker (accept + handler + finish/close), $N requests each:"
printf '  %-40s %9s\n' "GET /bench/noop" "$NOOP"
printf '  %-40s %9s  (+%s over the no-op)\n' "GET /api/v1/me" "$ME" "$((ME - NOOP))"
[ -z "$NOCACHE" ] ||
    printf '  %-40s %9s  (+%s over the no-op)\n' "GET /api/v1/me, token_cache_ms = 0" "$NOCACHE" "$((NOCACHE - NOOP))"
[ -z "$BOARD" ] ||
    printf '  %-40s %9s  (+%s over the no-op)\n' "GET /api/v1/deals/board, cache off" "$BOARD" "$((BOARD - NOOP))"
echo
# top KIND FILE: the functions of a profile with the most instructions per
# request, inclusive (with their callees) or self; the chain above the
# worker loop (main, master_loop, spawn) is left out.
top() {
    local kind=$1 file=$2
    callgrind_annotate --inclusive="$kind" "$file" 2>/dev/null |
        awk -v n="$N" '/PROGRAM TOTALS/ { go = 1; next }
            go && $1 ~ /^[0-9,]+$/ && $NF ~ /^\[/ {
                if ($0 ~ /below main|libc_start|:main |master_loop|spawn|ld-linux/) next
                v = $1; gsub(/,/, "", v)
                fn = $0; sub(/ \[[^]]*\]$/, "", fn); sub(/^.*:/, "", fn)
                lib = $NF; sub(/^.*\//, "", lib); sub(/\]$/, "", lib)
                if (fn ~ /^0x/) fn = "(static function)"
                if (v / n >= 200 && shown++ < 16) printf "  %9.0f  %-28s %s\n", v / n, fn, lib
            }'
}
echo "GET /api/v1/me, instructions per request, inclusive:"
top yes "$DIR/me.out"
echo
echo "GET /api/v1/me, instructions per request, self:"
top no "$DIR/me.out"
echo
echo "profiles: ${DIR#"$TS_ROOT"/}/{noop,me${NOCACHE:+,me-nocache}}.out (callgrind_annotate --inclusive=yes FILE)"

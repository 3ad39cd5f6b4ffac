#!/bin/sh
# Builds the libFuzzer targets (ASan+UBSan) and runs each for N seconds: build.sh [N], N=0 builds only.
set -eu

SECS=${1:-30}
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
OUT=${FUZZ_OUT:-${TMPDIR:-/tmp}/tesoro-fuzz}
TARGETS="multipart urlencoded cookies kyero csv lua_upload"

# Compiling a trivial target is the only sure test that the fuzzer runtime is there.
have_fuzzer() {
    command -v clang >/dev/null 2>&1 || return 1
    printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void) d; (void) n; return 0; }\n' \
        | clang -x c -fsanitize=fuzzer -o "$OUT/.probe" - >/dev/null 2>&1
}

mkdir -p "$OUT"
if ! have_fuzzer; then
    echo "build.sh: installing clang and its fuzzer runtime" >&2
    SUDO=""
    if [ "$(id -u)" != 0 ]; then
        SUDO=sudo
    fi
    $SUDO apt-get update
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y clang libclang-rt-14-dev
    have_fuzzer || { echo "build.sh: clang cannot build fuzzers" >&2; exit 1; }
fi
rm -f "$OUT/.probe"

CFLAGS="-std=c11 -g -O1 -fno-omit-frame-pointer -Wall -Wextra -Werror -Wshadow -Wformat=2
        -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
        -I$TOP/core -I$TOP/core/include $(pkg-config --cflags libcjson 2>/dev/null || true)"
CORE="$TOP/core/ts_pool.c $TOP/core/ts_parse.c $TOP/core/ts_multipart.c"

for t in $TARGETS; do
    src=$CORE
    # The feed parsers stand alone: libxml2 and their own file; the CSV
    # import's reader is a plugin file with libcsv under it; the Lua upload
    # target links the sandbox itself (the database layer it never reaches
    # is fuzz_lua_links.c).
    case $t in
    kyero) src="$TOP/plugins/kyero/kyero_parse.c $(pkg-config --cflags --libs libxml-2.0) -lm" ;;
    csv) src="$CORE $TOP/plugins/contacts/contacts_import_csv.c -lcsv" ;;
    lua_upload)
        src="$CORE -D_DEFAULT_SOURCE $TOP/core/ts_lua_state.c $TOP/core/ts_lua_limits.c
             $TOP/core/ts_lua_bridge.c $TOP/core/ts_log.c $HERE/fuzz_lua_links.c
             $(pkg-config --cflags --libs lua5.4 libcjson)" ;;
    esac
    # shellcheck disable=SC2086
    clang $CFLAGS -o "$OUT/fuzz_$t" "$HERE/fuzz_$t.c" $src
    echo "built $OUT/fuzz_$t"
done

[ "$SECS" -gt 0 ] || exit 0

failed=""
for t in $TARGETS; do
    # New inputs go to a work corpus; the seeds in the tree stay as they are.
    mkdir -p "$OUT/corpus/$t"
    dict=""
    if [ -f "$HERE/fuzz_$t.dict" ]; then
        dict="-dict=$HERE/fuzz_$t.dict"
    fi
    seeds=""
    if [ "$t" = lua_upload ]; then
        seeds="$TOP/scripts"      # the default scripts are seeds too (read recursively)
    fi
    echo "fuzzing $t for ${SECS}s"
    # shellcheck disable=SC2086
    if ! "$OUT/fuzz_$t" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
            -max_len=65536 -print_final_stats=1 -artifact_prefix="$OUT/$t-" $dict \
            "$OUT/corpus/$t" "$HERE/corpus/$t" $seeds >"$OUT/$t.log" 2>&1; then
        failed="$failed $t"
        tail -n 40 "$OUT/$t.log" >&2
    fi
    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)' "$OUT/$t.log" || true
done

if [ -n "$failed" ]; then
    echo "build.sh: failures in:$failed (artifacts in $OUT)" >&2
    exit 1
fi
echo "build.sh: all targets ran ${SECS}s without a finding"

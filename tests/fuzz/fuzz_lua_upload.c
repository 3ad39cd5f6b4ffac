/* libFuzzer target for script upload: any bytes as Lua source, compiled and run
 * in a fresh sandbox under small limits, then asked what kind of script it is. */
#include <stdlib.h>
#include <string.h>
#include "ts_lua.h"

static void
check(int cond)
{
    if (!cond) {
        __builtin_trap();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ts_lua_limits_t lim = { 200000, 8u << 20, 200 };
    ts_lua_t *s = ts_lua_new(&lim);
    check(s != NULL);
    char err[512];
    if (ts_lua_load(s, "fuzz", (const char *) data, size, err, sizeof(err)) == TS_OK) {
        lua_getfield(s->L, LUA_REGISTRYINDEX, "ts.scripts");
        lua_getfield(s->L, -1, "fuzz");
        (void) ts_lua_kind(s->L, "fuzz");
        lua_settop(s->L, 0);
    } else {
        check(strncmp(err, "fuzz", 4) == 0);   /* every error names the script */
    }
    check(s->used <= lim.memory);
    ts_lua_free(s);
    return 0;
}

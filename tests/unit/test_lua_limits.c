/* Every limit ends the call with an error naming script, limit and line; pcall cannot swallow it. */
#include <lauxlib.h>
#include "ts_lua.h"
#include "tap.h"

static char err[1024];

static int
run(ts_lua_t *s, const char *code)
{
    err[0] = '\0';
    int rc = ts_lua_eval(s, "limits", code, err, sizeof(err));
    if (rc == TS_OK) {
        lua_pop(s->L, 1);
    }
    return rc;
}

static void
healthy(ts_lua_t *s, const char *after)
{
    ok(run(s, "local t = {} for i = 1, 1000 do t[i] = i end return #t") == TS_OK,
       "the state still runs scripts after %s", after);
}

int
main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    ts_lua_limits_t lim = { 200000, 4u << 20, 60000 };
    ts_lua_t *s = ts_lua_new(&lim);

    ok(run(s, "local n = 0\nwhile true do n = n + 1 end") == TS_ERROR, "while true do end stops");
    is_str(err, "limits: instruction limit (200000) exceeded at line 2", "instruction error names script, limit and line");
    healthy(s, "an endless loop");

    ok(run(s, "for i = 1, 100 do pcall(function() while true do end end) end") == TS_ERROR,
       "an endless loop inside pcall stops (pcall cannot swallow the limit)");
    ok(strstr(err, "instruction limit") != NULL, "and reports the instruction limit (%s)", err);
    ok(run(s, "while true do pcall(error, 'x') end") == TS_ERROR, "a pcall loop stops");
    ok(run(s, "local function f() while true do end end\n"
              "while true do xpcall(f, function() while true do end end) end") == TS_ERROR
       && strstr(err, "instruction limit") != NULL,
       "an endless xpcall handler cannot catch it either (%s)", err);
    ok(run(s, "setmetatable({}, {__gc = function() while true do end end})\ncollectgarbage()")
       == TS_ERROR && strstr(err, "__gc") != NULL, "a finalizer (runs without hooks) is refused (%s)", err);
    ok(run(s, "local ok, e = xpcall(error, function(m) return 'handled ' .. m end, 'boom')\n"
              "return e") == TS_OK, "xpcall with a handler still works");
    healthy(s, "pcall tricks");

    ok(run(s, "local s = 'x'\nwhile true do s = s .. s end") == TS_ERROR, "doubling a string stops");
    ok(strstr(err, "limits: memory limit (4194304 bytes) exceeded at line 2") != NULL,
       "memory error names script, limit and line (%s)", err);
    ok(s->broken, "a state that hit the memory cap is marked for rebuilding");
    ok(s->used <= lim.memory, "the state holds no more than its cap (%zu)", s->used);
    ts_lua_free(s);
    s = ts_lua_new(&lim);

    ok(run(s, "return string.rep('x', 100 * 1024 * 1024)") == TS_ERROR
       && strstr(err, "memory limit") != NULL, "string.rep of 100 MB fails inside C (%s)", err);
    ts_lua_free(s);
    s = ts_lua_new(&lim);
    ok(run(s, "local ok = pcall(string.rep, 'x', 1e8)\nlocal t = {}\nfor i = 1, 10 do t[i] = i end\n"
              "return ok") == TS_ERROR && strstr(err, "memory limit") != NULL,
       "a memory error caught by pcall still ends the call (%s)", err);
    ts_lua_free(s);
    s = ts_lua_new(&lim);

    ok(run(s, "local t = {}\nfor i = 1, 1e7 do t[i] = {i} end") == TS_ERROR
       && strstr(err, "limit") != NULL, "filling a table stops (%s)", err);
    ts_lua_free(s);
    s = ts_lua_new(&lim);

    ok(run(s, "local function f(n) return 1 + f(n + 1) end\nreturn f(1)") == TS_ERROR,
       "deep recursion stops");
    ok(strstr(err, "stack overflow") != NULL || strstr(err, "limit") != NULL,
       "with a stack overflow or a limit (%s)", err);
    ok(run(s, "local function f(n) return f(n + 1) end\nreturn f(1)") == TS_ERROR
       && strstr(err, "instruction limit") != NULL, "endless tail calls stop (%s)", err);
    ok(run(s, "local t = setmetatable({}, {__index = function(t, k) return t[k + 1] end})\n"
              "return t[1]") == TS_ERROR, "recursion through __index stops (%s)", err);
    ok(run(s, "local t = {}\nfor i = 1, 300 do t = {t} end\nlocal s = string.format('%s', t)\n"
              "return 1") == TS_OK, "deep nesting itself is fine");
    healthy(s, "deep recursion");
    ts_lua_free(s);

    ts_lua_limits_t slow = { 1000000000000LL, 8u << 20, 50 };
    s = ts_lua_new(&slow);
    ok(run(s, "local x = 0\nwhile true do x = x + 1 end") == TS_ERROR, "the wall clock stops a loop");
    is_str(err, "limits: wall-clock limit (50 ms) exceeded at line 2", "wall-clock error names script, limit and line");
    ok(run(s, "local t = {}\nfor i = 1, 200 do t[i] = i end\n"
              "while true do table.sort(t, function(a, b) return a > b end) end") == TS_ERROR
       && strstr(err, "wall-clock limit") != NULL, "also inside a comparator called from C (%s)", err);
    healthy(s, "the wall clock");
    ts_lua_free(s);

    /* the budget is per call: many short calls are all fine */
    ts_lua_limits_t small = { 20000, 4u << 20, 1000 };
    s = ts_lua_new(&small);
    int good = 0;
    for (int i = 0; i < 100; i++) {
        good += run(s, "local n = 0 for i = 1, 1000 do n = n + i end return n") == TS_OK;
    }
    is_int(good, 100, "100 calls each within the budget all run");
    ts_lua_free(s);
    return done_testing();
}

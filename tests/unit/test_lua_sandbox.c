/* The Lua sandbox refuses every way out: libraries, bytecode, metatables, globals. */
#include <lauxlib.h>
#include "ts_lua.h"
#include "tap.h"

static ts_lua_limits_t lim = { 1000000, 8u << 20, 2000 };
static char err[1024];

/* Runs code; returns the first result as text ("nil" and friends via tostring), or NULL with err. */
static const char *
eval(ts_lua_t *s, const char *code)
{
    static char out[512];
    err[0] = '\0';
    if (ts_lua_eval(s, "probe", code, err, sizeof(err)) != TS_OK) {
        return NULL;
    }
    snprintf(out, sizeof(out), "%s", luaL_tolstring(s->L, -1, NULL));
    lua_pop(s->L, 2);
    return out;
}

/* The probe fails with an error containing want. */
static void
refused(ts_lua_t *s, const char *code, const char *want, const char *what)
{
    const char *r = eval(s, code);
    ok(r == NULL && strstr(err, want) != NULL, "refused: %s", what);
    if (r != NULL || strstr(err, want) == NULL) {
        printf("#   result %s, error '%s', want '%s'\n", r ? r : "(none)", err, want);
    }
}

int
main(void)
{
    ts_lua_t *s = ts_lua_new(&lim);
    ok(s != NULL, "a sandboxed state is created");

    /* what is there */
    is_str(eval(s, "return string.upper('ok') .. math.floor(2.5) .. utf8.char(72)"), "OK2H",
           "string, math and utf8 work");
    is_str(eval(s, "local t = {3,1,2}; table.sort(t); return table.concat(t, ',')"), "1,2,3",
           "table works");
    is_str(eval(s, "return type(os.time()) .. type(os.date('%Y')) .. type(os.clock())"),
           "numberstringnumber", "os.time, os.date and os.clock work");
    is_str(eval(s, "return select('#', pcall(error, 'x'))"), "2", "pcall works");
    is_str(eval(s, "return ('abc'):rep(2)"), "abcabc", "string methods work on strings");

    /* libraries that are not there */
    is_str(eval(s, "return type(io)"), "nil", "io is absent");
    refused(s, "return io.open('/etc/passwd')", "attempt to index a nil value", "io.open");
    is_str(eval(s, "return type(package)"), "nil", "package is absent");
    is_str(eval(s, "return type(require)"), "nil", "require is absent");
    refused(s, "require('os')", "attempt to call a nil value", "require");
    is_str(eval(s, "return type(debug)"), "nil", "debug is absent");
    refused(s, "return debug.getregistry()", "attempt to index a nil value", "debug.getregistry");
    is_str(eval(s, "return type(coroutine)"), "nil", "coroutine is absent (nothing can yield across C)");
    refused(s, "os.execute('touch /tmp/tesoro-lua-escape')", "attempt to call a nil value",
            "os.execute");
    is_str(eval(s, "return tostring(os.getenv) .. tostring(os.remove) .. tostring(os.exit)"),
           "nilnilnil", "os.getenv, os.remove and os.exit are absent");
    is_str(eval(s, "return tostring(dofile) .. tostring(loadfile) .. tostring(print)"),
           "nilnilnil", "dofile, loadfile and print are absent");
    is_str(eval(s, "return tostring(string.dump)"), "nil", "string.dump is absent");
    refused(s, "return string.dump(function() end)", "attempt to call a nil value", "string.dump");

    /* bytecode */
    refused(s, "return load('\\27Lua\\84\\0', 'x', 'b')", "only text chunks",
            "load with mode 'b'");
    refused(s, "return load('\\27Lua\\84\\0', 'x', 'bt')", "only text chunks",
            "load with mode 'bt'");
    is_str(eval(s, "local f, e = load('\\27LuaT\\0\\25\\147'); return tostring(f) .. ' ' .. e"),
           "nil attempt to load a binary chunk (mode is 't')", "load of a binary chunk in text mode");
    refused(s, "return load(function() return nil end)", "only text chunks",
            "load with a reader function");
    is_str(eval(s, "return load('return 1 + 1')()"), "2", "load of text works");
    is_str(eval(s, "x_global = 1; local f = load('x_global = 2; return x_global'); f(); "
                   "return x_global"), "1", "load without env cannot write the script's globals");
    is_str(eval(s, "local f = load('return tostring(string)'); return f()"), "nil",
           "a loaded chunk without env sees no libraries");

    /* metatables */
    is_str(eval(s, "return tostring(getmetatable(''))"), "false",
           "getmetatable('') answers false");
    refused(s, "getmetatable('').__index.upper = nil", "attempt to index a boolean value",
            "getmetatable('').__index tricks");
    refused(s, "setmetatable(tesoro, {})", "cannot change a protected metatable",
            "setmetatable on the tesoro table");
    refused(s, "tesoro.log = nil", "read-only", "assigning into tesoro");
    is_str(eval(s, "return tostring(getmetatable(_ENV))"), "false",
           "the environment's metatable is hidden");
    refused(s, "setmetatable(_ENV, nil)", "cannot change a protected metatable",
            "setmetatable on _ENV");
    is_str(eval(s, "return tostring(_G == _ENV)"), "true", "_G is the script's own environment");

    /* collectgarbage */
    refused(s, "collectgarbage('stop')", "not allowed", "collectgarbage('stop')");
    refused(s, "collectgarbage('generational')", "not allowed", "collectgarbage('generational')");
    refused(s, "collectgarbage('incremental', 1, 1)", "not allowed", "collectgarbage('incremental')");
    refused(s, "collectgarbage('setpause', 1000)", "not allowed", "collectgarbage('setpause')");
    is_str(eval(s, "return type(collectgarbage('count'))"), "number", "collectgarbage('count') works");

    /* tampering stays inside one script's environment */
    is_str(eval(s, "string.rep = nil; string = nil; _G.math = nil; return 'done'"), "done",
           "a script may wreck its own globals");
    is_str(eval(s, "return ('x'):rep(3) .. string.rep('y', 2) .. math.floor(1.5)"), "xxxyy1",
           "the next script of the same state has them intact");
    is_str(eval(s, "rawset(_ENV, 'leak', 42); return leak"), "42", "rawset writes the own env");
    is_str(eval(s, "return tostring(leak)"), "nil", "another script does not see it");

    /* tesoro.* needs a record context */
    refused(s, "tesoro.record(1)", "not available here", "tesoro.record outside a run");

    /* one tenant's state cannot reach another's */
    ts_lua_t *t = ts_lua_new(&lim);
    char e2[256];
    ok(ts_lua_load(s, "secret_holder", "secret = 'tenant-a-secret'; function score() return 1 end",
                   strlen("secret = 'tenant-a-secret'; function score() return 1 end"), e2,
                   sizeof(e2)) == TS_OK, "tenant A loads a script holding a secret");
    is_str(eval(t, "return tostring(secret) .. tostring(score)"), "nilnil",
           "tenant B's state has none of it");
    is_str(eval(s, "return tostring(secret)"), "nil",
           "nor does another script of tenant A (each script has its own environment)");
    ts_lua_free(t);

    /* compile errors name the script and the line */
    ok(ts_lua_load(s, "broken", "local x = 1\nlocal y = = 2\n", 24, e2, sizeof(e2)) == TS_ERROR
       && strncmp(e2, "broken:2:", 9) == 0, "a syntax error names the script and line 2 (%s)", e2);
    ok(ts_lua_load(s, "fails", "local x = nil\nreturn x.y\n", 24, e2, sizeof(e2)) == TS_ERROR
       && strncmp(e2, "fails:2:", 8) == 0, "a runtime error names the script and line 2 (%s)", e2);

    ts_lua_free(s);
    return done_testing();
}

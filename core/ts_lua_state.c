/* Sandboxed Lua states: the allow-listed libraries, one environment per
 * script, and the per-worker LRU of one state per tenant. */
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include <lualib.h>
#include "ts_core.h"
#include "ts_lua.h"

#define LIBS_KEY    "ts.libs"
#define SCRIPTS_KEY "ts.scripts"
#define MAX_STATES  256

/* ---- the sandbox ---- */

/* The table on top reads the base functions through a metatable that
 * getmetatable() does not reveal. */
static void
hide_globals_behind(lua_State *L)
{
    lua_newtable(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
}

/* load() of text only, never bytecode, and never into the shared globals:
 * without an env the chunk gets a fresh one that reads the base functions. */
static int
safe_load(lua_State *L)
{
    size_t len;
    const char *code = lua_tolstring(L, 1, &len);
    if (lua_type(L, 1) != LUA_TSTRING) {
        return luaL_error(L, "load: only text chunks given as strings are allowed");
    }
    const char *name = luaL_optstring(L, 2, "=(load)");
    const char *mode = luaL_optstring(L, 3, "t");
    if (strcmp(mode, "t") != 0) {
        return luaL_error(L, "load: mode '%s' refused: only text chunks (\"t\") are allowed", mode);
    }
    bool has_env = !lua_isnone(L, 4);
    if (luaL_loadbufferx(L, code, len, name, "t") != LUA_OK) {
        luaL_pushfail(L);
        lua_insert(L, -2);
        return 2;
    }
    if (has_env) {
        lua_pushvalue(L, 4);
    } else {
        lua_newtable(L);
        hide_globals_behind(L);
    }
    lua_setupvalue(L, -2, 1);
    return 1;
}

/* collectgarbage() may measure and collect, not reconfigure or stop the collector. */
static int
safe_collectgarbage(lua_State *L)
{
    static const char *const allowed[] = { "collect", "count", "step", "isrunning", NULL };
    const char *opt = luaL_optstring(L, 1, "collect");
    for (int i = 0; allowed[i]; i++) {
        if (strcmp(opt, allowed[i]) == 0) {
            lua_pushvalue(L, lua_upvalueindex(1));
            lua_insert(L, 1);
            lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
            return lua_gettop(L);
        }
    }
    return luaL_error(L, "collectgarbage('%s') is not allowed", opt);
}

/* Lua calls xpcall's handler at the error, and for an error raised by the
 * limits' hook that is while hooks are off: a handler that loops would run
 * unbounded. This xpcall calls the handler after the unwind instead. */
static int
safe_xpcall(lua_State *L)
{
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 1);
    for (int i = 3; i <= n; i++) {
        lua_pushvalue(L, i);
    }
    if (lua_pcall(L, n - 2, LUA_MULTRET, 0) == LUA_OK) {
        lua_pushboolean(L, 1);
        lua_insert(L, n + 1);
        return lua_gettop(L) - n;
    }
    lua_pushvalue(L, 2);
    lua_insert(L, -2);
    lua_call(L, 1, 1);
    lua_pushboolean(L, 0);
    lua_insert(L, -2);
    return 2;
}

/* Finalizers run with hooks off, so no limit would stop one: a metatable
 * with __gc is refused (one added later never becomes a finalizer). */
static int
safe_setmetatable(lua_State *L)
{
    if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL) {
        return luaL_error(L, "cannot change a protected metatable");
    }
    if (lua_istable(L, 2)) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL) {
            return luaL_error(L, "setmetatable: __gc (finalizers) is not allowed");
        }
        lua_pop(L, 1);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static void
keep_lib(lua_State *L, const char *name)
{
    /* registry[LIBS][name] = the table on top (popped) */
    lua_getfield(L, LUA_REGISTRYINDEX, LIBS_KEY);
    lua_insert(L, -2);
    lua_setfield(L, -2, name);
    lua_pop(L, 1);
}

static int
open_sandbox(lua_State *L)
{
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, LIBS_KEY);
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, SCRIPTS_KEY);

    luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
    static const char *const unsafe[] = { "dofile", "loadfile", "print", "warn", "require",
                                          LUA_GNAME, NULL };
    for (int i = 0; unsafe[i]; i++) {
        lua_pushnil(L);
        lua_setfield(L, -2, unsafe[i]);
    }
    lua_pushcfunction(L, safe_load);
    lua_setfield(L, -2, "load");
    lua_getfield(L, -1, "collectgarbage");
    lua_pushcclosure(L, safe_collectgarbage, 1);
    lua_setfield(L, -2, "collectgarbage");
    lua_pushcfunction(L, safe_xpcall);
    lua_setfield(L, -2, "xpcall");
    lua_getfield(L, -1, "setmetatable");
    lua_pushcclosure(L, safe_setmetatable, 1);
    lua_setfield(L, -2, "setmetatable");
    lua_pop(L, 1);

    luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 0);
    lua_pushnil(L);
    lua_setfield(L, -2, "dump");
    keep_lib(L, LUA_STRLIBNAME);
    /* getmetatable("") answers false: the string methods cannot be reached
     * or replaced through it. */
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);

    luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 0);
    keep_lib(L, LUA_TABLIBNAME);
    luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 0);
    keep_lib(L, LUA_MATHLIBNAME);
    luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 0);
    keep_lib(L, LUA_UTF8LIBNAME);
    luaL_requiref(L, LUA_OSLIBNAME, luaopen_os, 0);
    lua_newtable(L);
    static const char *const os_ok[] = { "time", "date", "clock", NULL };
    for (int i = 0; os_ok[i]; i++) {
        lua_getfield(L, -2, os_ok[i]);
        lua_setfield(L, -2, os_ok[i]);
    }
    keep_lib(L, LUA_OSLIBNAME);
    lua_pop(L, 1);
    /* The real os table stays in package.loaded, which no script can reach;
     * drop it anyway so nothing holds os.execute. */
    lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    lua_pushnil(L);
    lua_setfield(L, -2, LUA_OSLIBNAME);
    lua_pop(L, 1);

    ts_lua_open_bridge(L);
    return 0;
}

ts_lua_t *
ts_lua_new(const ts_lua_limits_t *lim)
{
    ts_lua_t *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return NULL;
    }
    s->lim = *lim;
    s->L = lua_newstate(ts_lua_alloc, s);
    if (s->L == NULL) {
        free(s);
        return NULL;
    }
    *(ts_lua_t **) lua_getextraspace(s->L) = s;
    lua_pushcfunction(s->L, open_sandbox);
    char err[256];
    if (ts_lua_call(s, "sandbox", 0, 0, err, sizeof(err)) != TS_OK) {
        ts_log_error("cannot create a Lua state: %s", err);
        ts_lua_free(s);
        return NULL;
    }
    return s;
}

void
ts_lua_free(ts_lua_t *s)
{
    if (s != NULL) {
        lua_close(s->L);
        free(s);
    }
}

/* ---- one environment per script ---- */

static int
readonly(lua_State *L)
{
    return luaL_error(L, "the tesoro table is read-only");
}

/* Pushes a new environment: copies of the libraries (a script that changes
 * string.rep changes its own copy), a read-only tesoro, _G = itself, and the
 * base functions behind a metatable nobody can read. */
static void
push_env(lua_State *L, const char *script)
{
    lua_newtable(L);
    lua_getfield(L, LUA_REGISTRYINDEX, LIBS_KEY);
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
        lua_newtable(L);
        lua_pushnil(L);
        while (lua_next(L, -3) != 0) {
            lua_pushvalue(L, -2);
            lua_insert(L, -2);
            lua_rawset(L, -4);
        }
        lua_remove(L, -2);          /* the original */
        lua_pushvalue(L, -2);       /* key */
        lua_insert(L, -2);
        lua_rawset(L, -5);
    }
    lua_pop(L, 1);

    lua_newtable(L);                /* tesoro proxy */
    lua_newtable(L);
    lua_getfield(L, LUA_REGISTRYINDEX, "ts.tesoro");
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, readonly);
    lua_setfield(L, -2, "__newindex");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_setfield(L, -2, "tesoro");

    lua_pushvalue(L, -1);
    lua_setfield(L, -2, LUA_GNAME);
    ts_lua_env_bridge(L, script);

    hide_globals_behind(L);
}

typedef struct {
    const char *name;
    const char *code;
    size_t      len;
    bool        keep;
} load_args_t;

/* Inside the protected call, so that running out of memory while building
 * the environment is an error like any other and never a panic. */
static int
load_protected(lua_State *L)
{
    load_args_t *a = lua_touserdata(L, 1);
    lua_settop(L, 0);
    push_env(L, a->name);
    char chunk[96];
    snprintf(chunk, sizeof(chunk), "=%s", a->name);
    if (luaL_loadbufferx(L, a->code, a->len, chunk, "t") != LUA_OK) {
        return lua_error(L);
    }
    lua_pushvalue(L, 1);
    lua_setupvalue(L, -2, 1);
    lua_call(L, 0, 1);
    if (a->keep) {
        lua_getfield(L, LUA_REGISTRYINDEX, SCRIPTS_KEY);
        lua_pushvalue(L, 1);
        lua_setfield(L, -2, a->name);
        lua_pop(L, 1);
    }
    return 2;   /* env, first result */
}

static int
run_chunk(ts_lua_t *s, const char *name, const char *code, size_t len, bool keep, char *err,
          size_t errlen)
{
    load_args_t a = { name, code, len, keep };
    lua_pushcfunction(s->L, load_protected);
    lua_pushlightuserdata(s->L, &a);
    return ts_lua_call(s, name, 1, 2, err, errlen);
}

int
ts_lua_load(ts_lua_t *s, const char *name, const char *code, size_t len, char *err,
            size_t errlen)
{
    if (run_chunk(s, name, code, len, true, err, errlen) != TS_OK) {
        return TS_ERROR;
    }
    lua_pop(s->L, 1);
    return TS_OK;
}

int
ts_lua_eval(ts_lua_t *s, const char *name, const char *code, char *err, size_t errlen)
{
    if (run_chunk(s, name, code, strlen(code), false, err, errlen) != TS_OK) {
        return TS_ERROR;
    }
    lua_remove(s->L, -2);
    return TS_OK;
}

/* ---- the per-worker cache: one state per tenant, least recently used out ---- */

static ts_lua_t *states[MAX_STATES];
static long long tick;

ts_lua_limits_t
ts_lua_conf_limits(void)
{
    ts_lua_limits_t lim = { 10000000, 32u << 20, 1000 };
    if (ts_conf != NULL) {
        if (ts_conf->lua_instructions > 0) {
            lim.instructions = ts_conf->lua_instructions;
        }
        if (ts_conf->lua_memory > 0) {
            lim.memory = ts_conf->lua_memory;
        }
        if (ts_conf->lua_wall_ms > 0) {
            lim.wall_ms = ts_conf->lua_wall_ms;
        }
    }
    return lim;
}

static int
cache_cap(void)
{
    int n = ts_conf != NULL && ts_conf->lua_states > 0 ? ts_conf->lua_states : 32;
    return n > MAX_STATES ? MAX_STATES : n;
}

int
ts_lua_cache_size(void)
{
    int n = 0;
    for (int i = 0; i < MAX_STATES; i++) {
        n += states[i] != NULL;
    }
    return n;
}

void
ts_lua_cache_clear(void)
{
    for (int i = 0; i < MAX_STATES; i++) {
        ts_lua_free(states[i]);
        states[i] = NULL;
    }
}

static int
free_slot(void)
{
    int slot = -1, used = 0, cap = cache_cap();
    for (int i = 0; i < MAX_STATES; i++) {
        if (states[i] == NULL) {
            slot = slot < 0 && i < cap ? i : slot;
            continue;
        }
        used++;
    }
    if (slot >= 0 && used < cap) {
        return slot;
    }
    int lru = -1;
    for (int i = 0; i < MAX_STATES; i++) {
        if (states[i] != NULL && (lru < 0 || states[i]->used_at < states[lru]->used_at)) {
            lru = i;
        }
    }
    ts_lua_free(states[lru]);
    states[lru] = NULL;
    return lru;
}

ts_lua_t *
ts_lua_for(ts_request_t *r, char *err, size_t errlen)
{
    long long version = ts_lua_tenant_version(r);
    if (version < 0) {
        snprintf(err, errlen, "cannot read the tenant's script version");
        return NULL;
    }
    for (int i = 0; i < MAX_STATES; i++) {
        ts_lua_t *s = states[i];
        if (s == NULL || s->tenant != r->tenant->id) {
            continue;
        }
        if (s->version == version && !s->broken) {
            s->used_at = ++tick;
            return s;
        }
        /* The tenant's scripts changed (or the state ran out of memory). */
        ts_lua_free(s);
        states[i] = NULL;
    }
    ts_lua_limits_t lim = ts_lua_conf_limits();
    ts_lua_t *s = ts_lua_new(&lim);
    if (s == NULL) {
        snprintf(err, errlen, "cannot create a Lua state");
        return NULL;
    }
    s->tenant = r->tenant->id;
    s->version = version;
    s->used_at = ++tick;
    ts_lua_load_tenant(s, r);
    states[free_slot()] = s;
    return s;
}

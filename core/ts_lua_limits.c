/* The limits of every entry into Lua: a capped allocator, an instruction
 * budget and a wall-clock deadline checked by a count hook. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <lauxlib.h>
#include "ts_core.h"
#include "ts_lua.h"

/* The hook runs every HOOK_EVERY instructions: often enough to stop a loop
 * within a few microseconds, rarely enough to cost nothing measurable. */
#define HOOK_EVERY 1000

static long long
mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void hook(lua_State *L, lua_Debug *ar);

/* The line of the innermost Lua function running now (0 when none). */
static int
current_line(lua_State *L)
{
    lua_Debug ar;
    for (int level = 0; lua_getstack(L, level, &ar); level++) {
        if (lua_getinfo(L, "l", &ar) && ar.currentline > 0) {
            return ar.currentline;
        }
    }
    return 0;
}

/* Once a limit is hit the hook fires on every instruction, so a pcall in
 * the script that caught the first error is interrupted again at once
 * (as Redis does): only the outermost call, ours, ends the run. */
static void
kill_call(ts_lua_t *s, int why)
{
    if (s->killed == 0) {
        s->killed = why;
        s->line = current_line(s->L);
    }
    lua_sethook(s->L, hook, LUA_MASKCOUNT, 1);
}

const char *
ts_lua_limit_name(int why)
{
    switch (why) {
    case TS_LUA_LIMIT_INSTRUCTIONS: return "instruction limit";
    case TS_LUA_LIMIT_MEMORY:       return "memory limit";
    case TS_LUA_LIMIT_TIME:         return "wall-clock limit";
    default:                        return "limit";
    }
}

static void
hook(lua_State *L, lua_Debug *ar)
{
    (void) ar;
    ts_lua_t *s = *(ts_lua_t **) lua_getextraspace(L);
    if (s->killed == 0) {
        s->budget -= s->hook_every;
        if (s->budget <= 0) {
            kill_call(s, TS_LUA_LIMIT_INSTRUCTIONS);
        } else if (mono_us() > s->deadline_us) {
            kill_call(s, TS_LUA_LIMIT_TIME);
        } else {
            return;
        }
    }
    luaL_error(L, "%s exceeded", ts_lua_limit_name(s->killed));
}

/* Lua's allocator contract: free when nsize is 0, NULL when refused. The
 * cap counts what the state holds, so a string.rep bomb fails inside C
 * where no hook can see it. */
void *
ts_lua_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    ts_lua_t *s = ud;
    size_t old = ptr != NULL ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        s->used -= old;
        return NULL;
    }
    if (nsize > old && s->used - old + nsize > s->lim.memory) {
        s->mem_hit = true;
        if (s->in_call) {
            kill_call(s, TS_LUA_LIMIT_MEMORY);
        }
        return NULL;
    }
    void *p = realloc(ptr, nsize);
    if (p != NULL) {
        s->used = s->used - old + nsize;
    }
    return p;
}

void
ts_lua_arm(ts_lua_t *s)
{
    s->killed = 0;
    s->line = 0;
    s->mem_hit = false;
    s->in_call = true;
    s->budget = s->lim.instructions;
    s->hook_every = s->lim.instructions < HOOK_EVERY ? (int) s->lim.instructions : HOOK_EVERY;
    if (s->hook_every < 1) {
        s->hook_every = 1;
    }
    s->deadline_us = mono_us() + (long long) s->lim.wall_ms * 1000;
    lua_sethook(s->L, hook, LUA_MASKCOUNT, s->hook_every);
}

void
ts_lua_disarm(ts_lua_t *s)
{
    s->in_call = false;
    lua_sethook(s->L, NULL, 0, 0);
}

/* The message of an error: the script, the limit and the line for a limit,
 * the Lua message (which carries "script:line:") otherwise. */
static void
describe(ts_lua_t *s, const char *script, int rc, char *err, size_t errlen)
{
    int why = s->killed;
    if (why == 0 && (rc == LUA_ERRMEM || s->mem_hit)) {
        why = TS_LUA_LIMIT_MEMORY;
    }
    if (why == TS_LUA_LIMIT_INSTRUCTIONS) {
        snprintf(err, errlen, "%s: instruction limit (%lld) exceeded at line %d", script,
                 s->lim.instructions, s->line);
    } else if (why == TS_LUA_LIMIT_TIME) {
        snprintf(err, errlen, "%s: wall-clock limit (%ld ms) exceeded at line %d", script,
                 s->lim.wall_ms, s->line);
    } else if (why == TS_LUA_LIMIT_MEMORY) {
        snprintf(err, errlen, "%s: memory limit (%zu bytes) exceeded at line %d", script,
                 s->lim.memory, s->line);
    } else {
        const char *msg = lua_type(s->L, -1) == LUA_TSTRING ? lua_tostring(s->L, -1) : NULL;
        size_t n = strlen(script);
        /* Errors raised in C carry no position: name the script at least. */
        if (msg != NULL && strncmp(msg, script, n) == 0 && msg[n] == ':') {
            snprintf(err, errlen, "%s", msg);
        } else {
            snprintf(err, errlen, "%s: %s", script, msg ? msg : "error object is not a string");
        }
    }
    s->last_limit = why;
}

int
ts_lua_call(ts_lua_t *s, const char *script, int nargs, int nresults, char *err, size_t errlen)
{
    lua_State *L = s->L;
    s->script = script;
    ts_lua_arm(s);
    int rc = lua_pcall(L, nargs, nresults, 0);
    ts_lua_disarm(s);
    s->last_limit = 0;
    if (rc == LUA_OK) {
        return TS_OK;
    }
    describe(s, script, rc, err, errlen);
    lua_pop(L, 1);
    /* What the failed call built is garbage now; a state that ran out of
     * memory is rebuilt by its owner rather than trusted again. */
    lua_gc(L, LUA_GCCOLLECT);
    if (s->last_limit == TS_LUA_LIMIT_MEMORY) {
        s->broken = true;
    }
    return TS_ERROR;
}

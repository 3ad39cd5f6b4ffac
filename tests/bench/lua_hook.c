/* The cost of one workflow hook call: an event payload pushed as a table and a
 * handler run under the sandbox's limits (ts_lua_call), as the job runner does.
 * Prints the mean over many calls; built and run by tests/bench/lua.sh. */
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ts_lua.h"

static const char *const SCRIPT =
    "on('lead.created', function(ev)\n"
    "  if ev.data.source == 'website' and ev.data.agent_id == nil then\n"
    "    handled = (handled or 0) + 1\n"
    "  end\n"
    "end)\n";

typedef struct {
    const cJSON *ev;
} call_t;

static int
call_handler(lua_State *L)
{
    call_t *c = lua_touserdata(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, "ts.on");
    lua_getfield(L, -1, "lead.created");
    lua_rawgeti(L, -1, 1);
    lua_getfield(L, -1, "fn");
    ts_lua_push_json(L, c->ev, 0);
    lua_call(L, 1, 0);
    return 0;
}

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 200000;
    ts_lua_limits_t lim = { 10000000, 32u << 20, 1000 };
    ts_lua_t *s = ts_lua_new(&lim);
    char err[512];
    if (s == NULL || ts_lua_load(s, "workflows.bench", SCRIPT, strlen(SCRIPT), err,
                                 sizeof(err)) != TS_OK) {
        fprintf(stderr, "lua_hook: %s\n", s ? err : "no state");
        return 1;
    }
    cJSON *ev = cJSON_Parse("{\"event\":\"lead.created\",\"tenant\":\"bench\",\"data\":{\"id\":42,"
                            "\"source\":\"website\",\"first_name\":\"Ana\",\"last_name\":\"Ruiz\","
                            "\"email\":\"ana@example.com\",\"budget_max\":30000000}}");
    call_t c = { ev };
    double t0 = now_s();
    for (long i = 0; i < n; i++) {
        lua_pushcfunction(s->L, call_handler);
        lua_pushlightuserdata(s->L, &c);
        if (ts_lua_call(s, "workflows.bench", 1, 0, err, sizeof(err)) != TS_OK) {
            fprintf(stderr, "lua_hook: %s\n", err);
            return 1;
        }
    }
    double us = (now_s() - t0) * 1e6 / (double) n;
    printf("workflow hook call: %.2f us per call over %ld calls (target: under 50 us) %s\n", us, n,
           us < 50 ? "PASS" : "FAIL");
    cJSON_Delete(ev);
    ts_lua_free(s);
    return 0;
}

/* Workflows: on(event, fn) handlers run by the job runner after the commit,
 * each run logged with its outcome; and the routes that tie Lua together. */
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include "ts_core.h"
#include "ts_lua.h"

typedef struct {
    const char  *event;
    const char  *only;      /* one script's handlers (test runs), or NULL */
    const cJSON *ev;
    int          ran;
    int          failed;
    ts_lua_t    *s;
    ts_request_t *r;
    char        *first_err;
} wf_args_t;

/* Pushes handler i of the event (a {script=, fn=} table) or nil. */
static int
push_handler(lua_State *L, const char *event, lua_Integer i)
{
    lua_getfield(L, LUA_REGISTRYINDEX, "ts.on");
    if (lua_getfield(L, -1, event) != LUA_TTABLE) {
        lua_pop(L, 2);
        return 0;
    }
    int t = lua_rawgeti(L, -1, i);
    lua_remove(L, -2);
    lua_remove(L, -2);
    if (t != LUA_TTABLE) {
        lua_pop(L, 1);
        return 0;
    }
    return 1;
}

typedef struct {
    lua_Integer  i;
    const char  *event;
    const cJSON *ev;
} call_args_t;

static int
handler_protected(lua_State *L)
{
    call_args_t *a = lua_touserdata(L, 1);
    if (!push_handler(L, a->event, a->i)) {
        return 0;
    }
    lua_getfield(L, -1, "fn");
    ts_lua_push_json(L, a->ev, 0);
    lua_call(L, 1, 0);
    return 0;
}

static void
log_run(ts_request_t *r, const char *script, const char *event, const char *err)
{
    ts_db_exec(r, "INSERT INTO lua_runs (tenant_id, script, event, outcome, error) VALUES"
                  " ({tenant}, ?, ?, ?, ?)", "ssss", script, event, err ? "error" : "ok",
               err ? ts_psprintf(r->pool, "%.1000s", err) : NULL);
}

/* Runs the handlers of the event (all, or one script's), each under its own
 * limits; a failing handler does not stop the others. */
static cJSON *
run_handlers(wf_args_t *a, bool dry_run)
{
    lua_State *L = a->s->L;
    cJSON *effects = cJSON_CreateArray();
    for (lua_Integer i = 1;; i++) {
        if (!push_handler(L, a->event, i)) {
            break;
        }
        lua_getfield(L, -1, "script");
        char *script = ts_pstrdup(a->r->pool, lua_tostring(L, -1));
        lua_pop(L, 2);
        if (a->only != NULL && strcmp(a->only, script) != 0) {
            continue;
        }
        call_args_t c = { i, a->event, a->ev };
        char err[1024];
        ts_lua_begin(a->s, a->r, dry_run);
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(a->ev, "data"), "id");
        a->s->record_id = cJSON_IsNumber(id) ? (int64_t) id->valuedouble : 0;
        lua_pushcfunction(L, handler_protected);
        lua_pushlightuserdata(L, &c);
        int rc = ts_lua_call(a->s, script, 1, 0, err, sizeof(err));
        cJSON *e = ts_lua_end(a->s);
        for (cJSON *x = e ? e->child : NULL; x; x = x->next) {
            cJSON_AddItemToArray(effects, cJSON_Duplicate(x, 1));
        }
        cJSON_Delete(e);
        a->ran++;
        if (rc != TS_OK) {
            a->failed++;
            if (a->first_err == NULL) {
                a->first_err = ts_pstrdup(a->r->pool, err);
            }
        }
        if (!dry_run) {
            log_run(a->r, script, a->event, rc == TS_OK ? NULL : err);
        }
        if (a->s->broken) {
            break;
        }
    }
    return effects;
}

static cJSON *
event_json(ts_request_t *r, const char *event, const cJSON *data)
{
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddStringToObject(ev, "event", event);
    cJSON_AddStringToObject(ev, "tenant", r->tenant->slug);
    cJSON_AddItemToObject(ev, "data", data ? cJSON_Duplicate(data, 1) : cJSON_CreateObject());
    return ev;
}

/* The job: {"event": ..., "data": {...}}. Script failures are logged in
 * lua_runs, not retried: the job itself succeeded in running them. */
static int
workflow_job(ts_request_t *r, const cJSON *payload, const char **errp)
{
    const char *event = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(payload, "event"));
    if (event == NULL) {
        *errp = "payload has no event";
        return TS_ERROR;
    }
    char err[512];
    ts_lua_t *s = ts_lua_for(r, err, sizeof(err));
    if (s == NULL) {
        *errp = ts_pstrdup(r->pool, err);
        return TS_ERROR;
    }
    cJSON *ev = event_json(r, event, cJSON_GetObjectItemCaseSensitive(payload, "data"));
    wf_args_t a = { .event = event, .ev = ev, .s = s, .r = r };
    cJSON_Delete(run_handlers(&a, false));
    cJSON_Delete(ev);
    return TS_OK;
}

/* After every commit: queue the event for the tenant's workflows, if it has
 * any for it (one indexed lookup; the job loads the scripts). */
static void
on_any_event(ts_request_t *r, const char *event, const cJSON *payload)
{
    if (r->tenant == NULL) {
        return;
    }
    /* A request that emits many events (a rescoring) asks once. */
    static struct { const void *r; long long start; int64_t tenant; bool has; } seen;
    if (seen.r != r || seen.start != TS_CORE(r)->start_us || seen.tenant != r->tenant->id) {
        ts_db_result_t *res = ts_db_query(r, "SELECT 1 FROM lua_scripts WHERE tenant_id ="
                                             " {tenant} AND kind = 'workflow' LIMIT 1", "");
        seen.r = r;
        seen.start = TS_CORE(r)->start_us;
        seen.tenant = r->tenant->id;
        seen.has = res != NULL && ts_db_rows(res) > 0;
    }
    if (!seen.has) {
        return;
    }
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "event", event);
    cJSON_AddItemToObject(p, "data", cJSON_Duplicate(payload, 1));
    ts_job_enqueue(r, "lua.workflow", p, 0);
    cJSON_Delete(p);
}

/* The first event a script subscribed to, for test runs that name none. */
static const char *
first_event(ts_request_t *r, lua_State *L, const char *script)
{
    const char *found = NULL;
    lua_getfield(L, LUA_REGISTRYINDEX, "ts.on");
    lua_pushnil(L);
    while (found == NULL && lua_next(L, -2) != 0) {
        for (lua_Integer i = 1; found == NULL && i <= (lua_Integer) lua_rawlen(L, -1); i++) {
            lua_rawgeti(L, -1, i);
            lua_getfield(L, -1, "script");
            if (lua_isstring(L, -1) && strcmp(lua_tostring(L, -1), script) == 0) {
                found = ts_pstrdup(r->pool, lua_tostring(L, -4));
            }
            lua_pop(L, 2);
        }
        lua_pop(L, 1);
    }
    lua_settop(L, lua_gettop(L) - (found ? 2 : 1));
    return found;
}

int
ts_lua_workflow_test(ts_request_t *r, ts_lua_t *s, const char *script, const char *event,
                     int64_t id, cJSON **out, char *err, size_t errlen)
{
    if (event == NULL) {
        event = first_event(r, s->L, script);
    }
    if (event == NULL) {
        snprintf(err, errlen, "%s: subscribes to no event", script);
        return TS_ERROR;
    }
    cJSON *rec = ts_lua_contact_json(r, id);
    cJSON *ev = event_json(r, event, rec);
    cJSON_Delete(rec);
    wf_args_t a = { .event = event, .only = script, .ev = ev, .s = s, .r = r };
    cJSON *effects = run_handlers(&a, true);
    cJSON_Delete(ev);
    if (a.failed > 0) {
        cJSON_Delete(effects);
        snprintf(err, errlen, "%s", a.first_err);
        return TS_ERROR;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "event", event);
    cJSON_AddNumberToObject(o, "handlers", a.ran);
    cJSON_AddItemToObject(o, "effects", effects);
    *out = o;
    return TS_OK;
}

/* GET /api/v1/scripts-runs?outcome=error: the script-errors list. */
static int
runs_list(ts_request_t *r)
{
    const char *outcome = ts_req_query(r, "outcome");
    ts_db_result_t *res = outcome
        ? ts_db_query(r, "SELECT id, script, event, outcome, error, created_at FROM lua_runs"
                         " WHERE tenant_id = {tenant} AND outcome = ? ORDER BY id DESC LIMIT 200",
                      "s", outcome)
        : ts_db_query(r, "SELECT id, script, event, outcome, error, created_at FROM lua_runs"
                         " WHERE tenant_id = {tenant} ORDER BY id DESC LIMIT 200", "");
    if (res == NULL) {
        return TS_ERROR;
    }
    return ts_resp_list(r, ts_db_rows_json(r, res), NULL, (long long) ts_db_rows(res));
}

int
ts_lua_workflow_routes(ts_plugin_ctx_t *ctx)
{
    int rc = ts_job_register(ctx, "lua.workflow", workflow_job);
    rc |= ts_event_on(ctx, "*", on_any_event);
    rc |= ts_route_add_ex(ctx, TS_GET, "/api/v1/script-runs", runs_list, 0, TS_ROLE_ADMIN);
    return rc ? TS_ERROR : TS_OK;
}

int
ts_lua_routes(ts_plugin_ctx_t *ctx)
{
    extern int ts_lua_fields_routes(ts_plugin_ctx_t *ctx);
    extern int ts_webhook_routes(ts_plugin_ctx_t *ctx);
    int rc = ts_lua_scripts_routes(ctx);
    rc |= ts_lua_score_routes(ctx);
    rc |= ts_lua_workflow_routes(ctx);
    rc |= ts_lua_fields_routes(ctx);
    rc |= ts_webhook_routes(ctx);
    return rc ? TS_ERROR : TS_OK;
}

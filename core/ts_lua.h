/* The Lua sandbox's internal interfaces, shared by core/ts_lua*.c and the unit tests. */
#ifndef TS_LUA_H
#define TS_LUA_H

#include <stdbool.h>
#include <lua.h>
#include "ts_core.h"

#define TS_LUA_LIMIT_INSTRUCTIONS 1
#define TS_LUA_LIMIT_MEMORY       2
#define TS_LUA_LIMIT_TIME         3

typedef struct {
    long long instructions;   /* per call */
    size_t    memory;         /* bytes per state */
    long      wall_ms;        /* per call */
} ts_lua_limits_t;

/* One sandboxed state: a tenant's, in one worker. */
typedef struct ts_lua {
    lua_State      *L;
    ts_lua_limits_t lim;
    size_t          used;
    bool            mem_hit;
    bool            in_call;
    bool            broken;      /* ran out of memory: rebuild, do not reuse */
    int             killed;      /* TS_LUA_LIMIT_* hit by the running call */
    int             last_limit;  /* the limit that ended the last failed call */
    int             line;
    int             hook_every;
    int             calls;       /* tesoro.* calls in this run */
    long long       budget;
    long long       deadline_us;
    const char     *script;      /* the script running, for messages */
    /* the bridge's context while a call runs */
    ts_request_t   *r;
    cJSON          *effects;     /* what the script did (test runs answer it) */
    bool            dry_run;
    int64_t         record_id;
    /* the cache's bookkeeping */
    int64_t         tenant;
    long long       version;
    long long       used_at;
} ts_lua_t;

/* ts_lua_limits.c */
void *ts_lua_alloc(void *ud, void *ptr, size_t osize, size_t nsize);
void ts_lua_arm(ts_lua_t *s);
void ts_lua_disarm(ts_lua_t *s);
const char *ts_lua_limit_name(int why);
/* Calls the function below nargs arguments under the limits; on failure err
 * names the script, the limit or the Lua error, and the line. */
int ts_lua_call(ts_lua_t *s, const char *script, int nargs, int nresults, char *err,
                size_t errlen);

/* ts_lua_state.c */
ts_lua_t *ts_lua_new(const ts_lua_limits_t *lim);
void ts_lua_free(ts_lua_t *s);
/* Compiles a text chunk in a fresh environment of its own and runs it; leaves
 * that environment on the stack on success. */
int ts_lua_load(ts_lua_t *s, const char *name, const char *code, size_t len, char *err,
                size_t errlen);
/* Runs code as a script and leaves its first result (or nil) on the stack. */
int ts_lua_eval(ts_lua_t *s, const char *name, const char *code, char *err, size_t errlen);
ts_lua_limits_t ts_lua_conf_limits(void);
/* The tenant's state in this worker, created or rebuilt as needed (LRU). */
ts_lua_t *ts_lua_for(ts_request_t *r, char *err, size_t errlen);
void ts_lua_cache_clear(void);
int ts_lua_cache_size(void);

/* ts_lua_bridge.c: the `tesoro` table, workflows' on() and fields' field() */
void ts_lua_open_bridge(lua_State *L);
void ts_lua_env_bridge(lua_State *L, const char *script);   /* on the env at the top */
/* Kind of what the script at env (top of stack) defined: "scorer", "workflow",
 * "fields" or NULL */
const char *ts_lua_kind(lua_State *L, const char *script);
void ts_lua_begin(ts_lua_t *s, ts_request_t *r, bool dry_run);
cJSON *ts_lua_end(ts_lua_t *s);
/* Pushes a record as a table / reads a table as JSON */
void ts_lua_push_json(lua_State *L, const cJSON *j, int depth);
cJSON *ts_lua_to_json(lua_State *L, int idx, int depth);
/* A contact (lead) as scripts see it, tags included; NULL when not found. */
cJSON *ts_lua_contact_json(ts_request_t *r, int64_t id);
cJSON *ts_lua_contact_from_row(ts_request_t *r, const ts_db_result_t *res, size_t row);
ts_db_result_t *ts_lua_leads_after(ts_request_t *r, int64_t after, int limit);
ts_db_result_t *ts_lua_leads_in(ts_request_t *r, const char *ids);

/* ts_lua_scripts.c */
int ts_lua_scripts_routes(ts_plugin_ctx_t *ctx);
const char *ts_lua_script_dir(void);
/* Loads every script in effect for the tenant into s. */
int ts_lua_load_tenant(ts_lua_t *s, ts_request_t *r);
long long ts_lua_tenant_version(ts_request_t *r);
const char *ts_lua_active_scorer(ts_request_t *r);
char *ts_lua_read_default(ts_pool_t *p, const char *name);
bool ts_lua_script_name_valid(const char *name);
cJSON *ts_lua_scripts_json(ts_request_t *r);   /* what GET /api/v1/scripts lists */
/* The code in effect (version 0: the install's default), NULL when none. */
const char *ts_lua_script_code(ts_request_t *r, const char *name, long long *version);
/* What the API and the settings pages share; each answers 0 on success, an
 * HTTP status for a refusal (err says why), or TS_ERROR. */
int ts_lua_script_save(ts_request_t *r, const char *name, const char *code, const char **kind,
                       int64_t *version, char *err, size_t errlen);
int ts_lua_script_activate(ts_request_t *r, const char *name, char *err, size_t errlen);
int ts_lua_script_rollback(ts_request_t *r, const char *name, int64_t to, int64_t *version);
int ts_lua_script_test(ts_request_t *r, const char *name, int64_t id, const char *event,
                       const char **kind, cJSON **out, char *err, size_t errlen);
/* The line a Lua message ("name:12: ...") points at, 0 when none. */
int ts_lua_error_line(const char *msg);

/* ts_webhook.c: what the API and the settings pages share */
const char *const *ts_webhook_events(void);   /* NULL-terminated */
int ts_webhook_create(ts_request_t *r, const cJSON *b, cJSON **fields, int64_t *id);
int ts_webhook_update(ts_request_t *r, int64_t id, const cJSON *b, cJSON **fields,
                      char fresh_secret[65]);
int ts_webhook_delete(ts_request_t *r, int64_t id);
int ts_webhook_retry(ts_request_t *r, int64_t id);

/* ts_lua_score.c */
int ts_lua_score_routes(ts_plugin_ctx_t *ctx);
/* Scores one lead with the tenant's scorer (or the named script); fills out. */
int ts_lua_score_lead(ts_request_t *r, ts_lua_t *s, const char *script, int64_t id,
                      bool save, cJSON **out, char *err, size_t errlen);
const char *ts_lua_temperature(int score);

/* ts_lua_workflow.c */
int ts_lua_workflow_routes(ts_plugin_ctx_t *ctx);

#endif

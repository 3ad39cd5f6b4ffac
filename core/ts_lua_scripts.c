/* The scripts store: the install's defaults in [lua] script_dir, each
 * tenant's own versions in lua_scripts, and the /api/v1/scripts routes. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include "ts_core.h"
#include "ts_lua.h"

#define MAX_CODE (64 * 1024)

const char *
ts_lua_script_dir(void)
{
    return ts_conf && ts_conf->lua_script_dir ? ts_conf->lua_script_dir : "scripts";
}

/* "scoring", "workflows.viewing_followup", "fields.budget_band". */
bool
ts_lua_script_name_valid(const char *n)
{
    size_t len = n ? strlen(n) : 0;
    if (len == 0 || len > 64 || n[0] == '.' || n[len - 1] == '.' || strstr(n, "..")
        || strspn(n, "abcdefghijklmnopqrstuvwxyz0123456789_.-") != len) {
        return false;
    }
    const char *dot = strchr(n, '.');
    return dot == NULL || (strchr(dot + 1, '.') == NULL
                           && (strncmp(n, "workflows.", 10) == 0 || strncmp(n, "fields.", 7) == 0));
}

static char *
default_path(ts_pool_t *p, const char *name)
{
    const char *dot = strchr(name, '.');
    if (dot == NULL) {
        return ts_psprintf(p, "%s/%s.lua", ts_lua_script_dir(), name);
    }
    return ts_psprintf(p, "%s/%.*s/%s.lua", ts_lua_script_dir(), (int) (dot - name), name,
                       dot + 1);
}

char *
ts_lua_read_default(ts_pool_t *p, const char *name)
{
    if (!ts_lua_script_name_valid(name)) {
        return NULL;
    }
    FILE *f = fopen(default_path(p, name), "rb");
    if (f == NULL) {
        return NULL;
    }
    char *buf = ts_palloc(p, MAX_CODE + 1);
    size_t n = fread(buf, 1, MAX_CODE, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

long long
ts_lua_tenant_version(ts_request_t *r)
{
    ts_db_result_t *res = ts_db_query(r, "SELECT version FROM lua_tenants WHERE tenant_id ="
                                         " {tenant}", "");
    if (res == NULL) {
        return -1;
    }
    return ts_db_rows(res) ? ts_db_get_int(res, 0, "version") : 0;
}

static int
bump_version(ts_request_t *r)
{
    return ts_db_exec(r, "INSERT INTO lua_tenants (tenant_id, version) VALUES ({tenant}, 1)"
                         " ON DUPLICATE KEY UPDATE version = version + 1", "");
}

const char *
ts_lua_active_scorer(ts_request_t *r)
{
    ts_db_result_t *res = ts_db_query(r, "SELECT active_scorer FROM lua_tenants WHERE"
                                         " tenant_id = {tenant}", "");
    return res && ts_db_rows(res) ? ts_db_get(res, 0, "active_scorer") : "scoring";
}

/* The code in effect of a script: the tenant's newest version, else the install's. */
const char *
ts_lua_script_code(ts_request_t *r, const char *name, long long *version)
{
    ts_db_result_t *res = ts_db_query(r, "SELECT code, version FROM lua_scripts WHERE tenant_id ="
                                         " {tenant} AND name = ? ORDER BY version DESC LIMIT 1",
                                      "s", name);
    if (res && ts_db_rows(res)) {
        *version = ts_db_get_int(res, 0, "version");
        return ts_db_get(res, 0, "code");
    }
    *version = 0;
    return ts_lua_read_default(r->pool, name);
}

int
ts_lua_load_tenant(ts_lua_t *s, ts_request_t *r)
{
    ts_db_result_t *res = ts_db_query(r,
        "SELECT s.name, s.code FROM lua_scripts s JOIN (SELECT name, MAX(version) AS v FROM"
        " lua_scripts WHERE tenant_id = {tenant} GROUP BY name) m ON m.name = s.name AND"
        " m.v = s.version WHERE s.tenant_id = {tenant} ORDER BY s.name", "");
    const char *scorer = ts_lua_active_scorer(r);
    bool scorer_loaded = false;
    char err[512];
    for (size_t i = 0; res != NULL && i < ts_db_rows(res); i++) {
        const char *name = ts_db_get(res, i, "name"), *code = ts_db_get(res, i, "code");
        scorer_loaded |= strcmp(name, scorer) == 0;
        if (ts_lua_load(s, name, code, strlen(code), err, sizeof(err)) != TS_OK) {
            ts_log_warn("tenant %s: script %s not loaded: %s", r->tenant->slug, name, err);
        }
    }
    if (!scorer_loaded) {
        const char *code = ts_lua_read_default(r->pool, scorer);
        if (code != NULL && ts_lua_load(s, scorer, code, strlen(code), err, sizeof(err)) != TS_OK) {
            ts_log_error("default script %s not loaded: %s", scorer, err);
        }
    }
    return TS_OK;
}

/* ---- checking an upload: compile and run it alone, with no record ---- */

int
ts_lua_error_line(const char *msg)
{
    /* A limit hit says "... exceeded at line N"; Lua itself "name:N: ...". */
    const char *at = strstr(msg ? msg : "", "at line ");
    if (at != NULL) {
        return atoi(at + 8);
    }
    const char *c = strchr(msg ? msg : "", ':');
    return c ? atoi(c + 1) : 0;
}

static const char *
check_script(ts_request_t *r, const char *name, const char *code, char *err, size_t errlen)
{
    ts_lua_limits_t lim = ts_lua_conf_limits();
    ts_lua_t *s = ts_lua_new(&lim);
    if (s == NULL) {
        snprintf(err, errlen, "cannot create a Lua state");
        return NULL;
    }
    const char *kind = NULL;
    if (ts_lua_load(s, name, code, strlen(code), err, errlen) == TS_OK) {
        lua_getfield(s->L, LUA_REGISTRYINDEX, "ts.scripts");
        lua_getfield(s->L, -1, name);
        kind = ts_lua_kind(s->L, name);
        if (kind == NULL) {
            snprintf(err, errlen, "%s: defines nothing a script may: score(lead, signals), on(event,"
                                  " fn) or field{...}", name);
        }
    }
    ts_lua_free(s);
    (void) r;
    return kind;
}

static int
script_error(ts_request_t *r, int status, const char *code, const char *msg)
{
    cJSON *f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "code", msg);
    int line = ts_lua_error_line(msg);
    if (line > 0) {
        cJSON_AddNumberToObject(f, "line", line);
    }
    return ts_resp_error(r, status, code, msg, f);
}

static int
bad_name(ts_request_t *r)
{
    cJSON *f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "name", "a-z, 0-9, _ and -, up to 64; workflows.X or fields.X");
    return ts_resp_error(r, 422, "validation_failed", "invalid script name", f);
}

static cJSON *
script_json(ts_request_t *r, ts_db_result_t *res, size_t i)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", ts_db_get(res, i, "name"));
    cJSON_AddStringToObject(o, "kind", ts_db_get(res, i, "kind"));
    cJSON_AddNumberToObject(o, "version", (double) ts_db_get_int(res, i, "version"));
    cJSON_AddStringToObject(o, "origin", "tenant");
    const char *at = ts_db_get(res, i, "created_at");
    cJSON_AddStringToObject(o, "updated_at", at ? at : "");
    (void) r;
    return o;
}

/* Checks and stores code as the next version of name. 0 when saved (kind and
 * version set), 422 with err holding the Lua error and line, else TS_ERROR. */
int
ts_lua_script_save(ts_request_t *r, const char *name, const char *code, const char **kind_out,
                   int64_t *version_out, char *err, size_t errlen)
{
    const char *kind = check_script(r, name, code, err, errlen);
    if (kind == NULL) {
        return 422;
    }
    if (ts_db_begin(r) != TS_OK) {
        return TS_ERROR;
    }
    ts_db_result_t *v = ts_db_query(r, "SELECT COALESCE(MAX(version), 0) + 1 AS v FROM lua_scripts"
                                       " WHERE tenant_id = {tenant} AND name = ? FOR UPDATE",
                                    "s", name);
    int64_t version = v ? ts_db_get_int(v, 0, "v") : 0;
    cJSON *audit = cJSON_CreateObject();
    cJSON_AddStringToObject(audit, "name", name);
    cJSON_AddNumberToObject(audit, "version", (double) version);
    cJSON_AddStringToObject(audit, "kind", kind);
    if (v == NULL
        || ts_db_exec(r, "INSERT INTO lua_scripts (tenant_id, name, version, kind, code,"
                         " created_by) VALUES ({tenant}, ?, ?, ?, ?, ?)", "sissi", name, version,
                      kind, code, r->user->id) != TS_OK
        || bump_version(r) != TS_OK || ts_audit(r, "script", version, "update", audit) != TS_OK
        || ts_db_commit(r) != TS_OK) {
        cJSON_Delete(audit);
        ts_db_rollback(r);
        return TS_ERROR;
    }
    cJSON_Delete(audit);
    if (strcmp(kind, "fields") == 0) {
        extern int ts_lua_fields_sync(ts_request_t *r, const char *script);
        ts_lua_fields_sync(r, name);
    }
    *kind_out = kind;
    *version_out = version;
    return 0;
}

static int
scripts_put(ts_request_t *r)
{
    const char *name = ts_req_param(r, "name");
    if (!ts_lua_script_name_valid(name)) {
        return bad_name(r);
    }
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(ts_req_json(r), "code");
    if (!cJSON_IsString(code) || strlen(code->valuestring) == 0
        || strlen(code->valuestring) > MAX_CODE) {
        cJSON *f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "code", "the Lua source as a string, up to 65536 bytes");
        return ts_resp_error(r, 422, "validation_failed", "code is required", f);
    }
    char err[512];
    const char *kind = NULL;
    int64_t version = 0;
    int rc = ts_lua_script_save(r, name, code->valuestring, &kind, &version, err, sizeof(err));
    if (rc != 0) {
        return rc == 422 ? script_error(r, 422, "script_invalid", err) : TS_ERROR;
    }
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "name", name);
    cJSON_AddStringToObject(d, "kind", kind);
    cJSON_AddNumberToObject(d, "version", (double) version);
    return ts_resp_data(r, version == 1 ? 201 : 200, d);
}

/* The install's default scripts, listed by walking script_dir. */
static void
add_defaults(ts_request_t *r, cJSON *items, const char *sub)
{
    char *dir = sub ? ts_psprintf(r->pool, "%s/%s", ts_lua_script_dir(), sub)
                    : ts_pstrdup(r->pool, ts_lua_script_dir());
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".lua") != 0) {
            continue;
        }
        char *name = sub ? ts_psprintf(r->pool, "%s.%.*s", sub, (int) (n - 4), e->d_name)
                         : ts_psprintf(r->pool, "%.*s", (int) (n - 4), e->d_name);
        bool overridden = false;
        for (cJSON *i = items->child; i; i = i->next) {
            const char *in = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(i, "name"));
            overridden |= in && strcmp(in, name) == 0;
        }
        if (!overridden && ts_lua_script_name_valid(name)) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "name", name);
            cJSON_AddStringToObject(o, "kind", sub == NULL ? "scorer"
                                               : strcmp(sub, "workflows") == 0 ? "workflow" : "fields");
            cJSON_AddNumberToObject(o, "version", 0);
            cJSON_AddStringToObject(o, "origin", "install");
            cJSON_AddItemToArray(items, o);
        }
    }
    if (d != NULL) {
        closedir(d);
    }
}

/* Every script of the tenant: its own (newest version) and the install's it
 * has not overridden, each with kind, version, origin and active_scorer. */
cJSON *
ts_lua_scripts_json(ts_request_t *r)
{
    ts_db_result_t *res = ts_db_query(r,
        "SELECT s.name, s.kind, s.version, s.created_at FROM lua_scripts s JOIN (SELECT name,"
        " MAX(version) AS v FROM lua_scripts WHERE tenant_id = {tenant} GROUP BY name) m ON"
        " m.name = s.name AND m.v = s.version WHERE s.tenant_id = {tenant} ORDER BY s.name", "");
    if (res == NULL) {
        return NULL;
    }
    cJSON *items = cJSON_CreateArray();
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        cJSON_AddItemToArray(items, script_json(r, res, i));
    }
    add_defaults(r, items, NULL);
    add_defaults(r, items, "workflows");
    add_defaults(r, items, "fields");
    const char *scorer = ts_lua_active_scorer(r);
    for (cJSON *i = items->child; i; i = i->next) {
        const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(i, "name"));
        cJSON_AddBoolToObject(i, "active_scorer", n && strcmp(n, scorer) == 0);
    }
    return items;
}

static int
scripts_list(ts_request_t *r)
{
    cJSON *items = ts_lua_scripts_json(r);
    if (items == NULL) {
        return TS_ERROR;
    }
    return ts_resp_list(r, items, NULL, cJSON_GetArraySize(items));
}

static int
scripts_show(ts_request_t *r)
{
    const char *name = ts_req_param(r, "name");
    long long version = 0;
    const char *code = ts_lua_script_name_valid(name) ? ts_lua_script_code(r, name, &version)
                                                      : NULL;
    if (code == NULL) {
        return ts_resp_error(r, 404, "not_found", "no such script", NULL);
    }
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "name", name);
    cJSON_AddNumberToObject(d, "version", (double) version);
    cJSON_AddStringToObject(d, "origin", version ? "tenant" : "install");
    cJSON_AddStringToObject(d, "code", code);
    return ts_resp_data(r, 200, d);
}

static int
scripts_versions(ts_request_t *r)
{
    const char *name = ts_req_param(r, "name");
    ts_db_result_t *res = ts_db_query(r, "SELECT name, kind, version, created_by, created_at FROM"
                                         " lua_scripts WHERE tenant_id = {tenant} AND name = ?"
                                         " ORDER BY version DESC", "s", name ? name : "");
    if (res == NULL) {
        return TS_ERROR;
    }
    if (ts_db_rows(res) == 0) {
        return ts_resp_error(r, 404, "not_found", "the tenant has no version of this script", NULL);
    }
    cJSON *items = cJSON_CreateArray();
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        cJSON *o = script_json(r, res, i);
        cJSON_AddNumberToObject(o, "created_by", (double) ts_db_get_int(res, i, "created_by"));
        cJSON_AddItemToArray(items, o);
    }
    return ts_resp_list(r, items, NULL, (long long) ts_db_rows(res));
}

/* A rollback adds a version holding the old code: history is never rewritten.
 * 0 with the new version, 404 when there is no such version, else TS_ERROR. */
int
ts_lua_script_rollback(ts_request_t *r, const char *name, int64_t to, int64_t *version_out)
{
    ts_db_result_t *old = ts_db_query(r, "SELECT code, kind FROM lua_scripts WHERE tenant_id ="
                                         " {tenant} AND name = ? AND version = ?", "si",
                                      name ? name : "", to);
    if (old == NULL) {
        return TS_ERROR;
    }
    if (ts_db_rows(old) == 0) {
        return 404;
    }
    cJSON *audit = cJSON_CreateObject();
    cJSON_AddStringToObject(audit, "name", name);
    cJSON_AddNumberToObject(audit, "rolled_back_to", (double) to);
    int64_t version = 0;
    ts_db_result_t *nv = NULL;
    if (ts_db_begin(r) != TS_OK
        || (nv = ts_db_query(r, "SELECT MAX(version) + 1 AS v FROM lua_scripts WHERE tenant_id ="
                                " {tenant} AND name = ? FOR UPDATE", "s", name)) == NULL
        || (version = ts_db_get_int(nv, 0, "v")) < 1
        || ts_db_exec(r, "INSERT INTO lua_scripts (tenant_id, name, version, kind, code,"
                         " created_by) VALUES ({tenant}, ?, ?, ?, ?, ?)", "sissi", name, version,
                      ts_db_get(old, 0, "kind"), ts_db_get(old, 0, "code"), r->user->id) != TS_OK
        || bump_version(r) != TS_OK || ts_audit(r, "script", version, "rollback", audit) != TS_OK
        || ts_db_commit(r) != TS_OK) {
        cJSON_Delete(audit);
        ts_db_rollback(r);
        return TS_ERROR;
    }
    cJSON_Delete(audit);
    *version_out = version;
    return 0;
}

static int
scripts_rollback(ts_request_t *r)
{
    const char *name = ts_req_param(r, "name");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(ts_req_json(r), "version");
    if (!cJSON_IsNumber(v) || v->valuedouble < 1) {
        cJSON *f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "version", "the version to go back to (1 or more)");
        return ts_resp_error(r, 422, "validation_failed", "version is required", f);
    }
    int64_t version = 0;
    int rc = ts_lua_script_rollback(r, name, (int64_t) v->valuedouble, &version);
    if (rc == 404) {
        return ts_resp_error(r, 404, "not_found", "no such version of this script", NULL);
    }
    if (rc != 0) {
        return TS_ERROR;
    }
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "name", name);
    cJSON_AddNumberToObject(d, "version", (double) version);
    cJSON_AddNumberToObject(d, "rolled_back_to", v->valuedouble);
    return ts_resp_data(r, 200, d);
}

/* Makes the script in effect the tenant's scorer: 0, 404 when there is no
 * such script, 422 when it does not score (err says why), else TS_ERROR. */
int
ts_lua_script_activate(ts_request_t *r, const char *name, char *err, size_t errlen)
{
    long long version;
    const char *code = ts_lua_script_name_valid(name) ? ts_lua_script_code(r, name, &version)
                                                      : NULL;
    if (code == NULL) {
        snprintf(err, errlen, "no such script");
        return 404;
    }
    const char *kind = check_script(r, name, code, err, errlen);
    if (kind != NULL && strcmp(kind, "scorer") != 0) {
        snprintf(err, errlen, "only a script defining score(lead, signals) can score");
    }
    if (kind == NULL || strcmp(kind, "scorer") != 0) {
        return 422;
    }
    return ts_db_exec(r, "INSERT INTO lua_tenants (tenant_id, version, active_scorer) VALUES"
                         " ({tenant}, 1, ?) ON DUPLICATE KEY UPDATE active_scorer = VALUES"
                         "(active_scorer), version = version + 1", "s", name) == TS_OK
           ? 0 : TS_ERROR;
}

static int
scripts_activate(ts_request_t *r)
{
    const char *name = ts_req_param(r, "name");
    char err[512];
    int rc = ts_lua_script_activate(r, name, err, sizeof(err));
    if (rc == 404) {
        return ts_resp_error(r, 404, "not_found", err, NULL);
    }
    if (rc == 422) {
        return script_error(r, 422, "not_a_scorer", err);
    }
    if (rc != 0) {
        return TS_ERROR;
    }
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "active_scorer", name);
    return ts_resp_data(r, 200, d);
}

/* A dry run of the script in effect against one record: what it would do.
 * 0 with out and kind set; 404 (no script or record, err says which); 422
 * when the script fails (err: the Lua error or limit, and the line); 503. */
int
ts_lua_script_test(ts_request_t *r, const char *name, int64_t id, const char *event,
                   const char **kind_out, cJSON **out, char *err, size_t errlen)
{
    long long version;
    if (!ts_lua_script_name_valid(name) || ts_lua_script_code(r, name, &version) == NULL) {
        snprintf(err, errlen, "no such script");
        return 404;
    }
    cJSON *rec = ts_lua_contact_json(r, id);
    if (rec == NULL) {
        snprintf(err, errlen, "no such record");
        return 404;
    }
    cJSON_Delete(rec);
    ts_lua_t *s = ts_lua_for(r, err, errlen);
    if (s == NULL) {
        return 503;
    }
    extern int ts_lua_workflow_test(ts_request_t *r, ts_lua_t *s, const char *script,
                                    const char *event, int64_t id, cJSON **out, char *err,
                                    size_t errlen);
    extern int ts_lua_fields_test(ts_request_t *r, ts_lua_t *s, const char *script, int64_t id,
                                  cJSON **out, char *err, size_t errlen);
    lua_getfield(s->L, LUA_REGISTRYINDEX, "ts.scripts");
    int loaded = lua_getfield(s->L, -1, name);
    const char *kind = loaded == LUA_TTABLE ? ts_lua_kind(s->L, name) : NULL;
    lua_pop(s->L, 2);
    if (kind == NULL) {
        snprintf(err, errlen, "%s: the script is not loaded (see the server log) or is not in"
                              " effect", name);
        return 422;
    }
    *out = NULL;
    int rc;
    if (strcmp(kind, "scorer") == 0) {
        rc = ts_lua_score_lead(r, s, name, id, false, out, err, errlen);
    } else if (strcmp(kind, "workflow") == 0) {
        rc = ts_lua_workflow_test(r, s, name, event, id, out, err, errlen);
    } else {
        rc = ts_lua_fields_test(r, s, name, id, out, err, errlen);
    }
    if (rc != TS_OK) {
        cJSON_Delete(*out);
        *out = NULL;
        return 422;
    }
    *kind_out = kind;
    return 0;
}

static int
scripts_test(ts_request_t *r)
{
    const char *name = ts_req_param(r, "name");
    const cJSON *body = ts_req_json(r);
    const cJSON *rid = cJSON_GetObjectItemCaseSensitive(body, "record_id");
    const cJSON *ev = cJSON_GetObjectItemCaseSensitive(body, "event");
    if (!cJSON_IsNumber(rid)) {
        cJSON *f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "record_id", "the id of the lead or contact to run against");
        return ts_resp_error(r, 422, "validation_failed", "record_id is required", f);
    }
    int64_t id = (int64_t) rid->valuedouble;
    char err[1024];
    const char *kind = NULL;
    cJSON *out = NULL;
    int rc = ts_lua_script_test(r, name, id, cJSON_GetStringValue(ev), &kind, &out, err,
                                sizeof(err));
    if (rc == 404) {
        return ts_resp_error(r, 404, "not_found", err, NULL);
    }
    if (rc == 503) {
        return ts_resp_error(r, 503, "lua_unavailable", err, NULL);
    }
    if (rc != 0) {
        return script_error(r, 422, "script_failed", err);
    }
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "name", name);
    cJSON_AddStringToObject(d, "kind", kind);
    cJSON_AddNumberToObject(d, "record_id", (double) id);
    cJSON_AddBoolToObject(d, "saved", false);
    cJSON_AddItemToObject(d, "result", out);
    return ts_resp_data(r, 200, d);
}

int
ts_lua_scripts_routes(ts_plugin_ctx_t *ctx)
{
    int rc = ts_route_add_ex(ctx, TS_GET, "/api/v1/scripts", scripts_list, 0, TS_ROLE_ADMIN);
    rc |= ts_route_add_ex(ctx, TS_GET, "/api/v1/scripts/{name}", scripts_show, 0, TS_ROLE_ADMIN);
    rc |= ts_route_add_ex(ctx, TS_PUT, "/api/v1/scripts/{name}", scripts_put, 0, TS_ROLE_ADMIN);
    rc |= ts_route_add_ex(ctx, TS_GET, "/api/v1/scripts/{name}/versions", scripts_versions, 0,
                          TS_ROLE_ADMIN);
    rc |= ts_route_add_ex(ctx, TS_POST, "/api/v1/scripts/{name}/rollback", scripts_rollback, 0,
                          TS_ROLE_ADMIN);
    rc |= ts_route_add_ex(ctx, TS_POST, "/api/v1/scripts/{name}/activate", scripts_activate, 0,
                          TS_ROLE_ADMIN);
    rc |= ts_route_add_ex(ctx, TS_POST, "/api/v1/scripts/{name}/test", scripts_test, 0,
                          TS_ROLE_ADMIN);
    return rc ? TS_ERROR : TS_OK;
}

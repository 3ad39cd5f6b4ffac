/* Custom fields: definitions made by field{...} in fields scripts, the type
 * checks and the scripts' validate/compute run on every write path. */
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include "ts_core.h"
#include "ts_lua.h"

/* The definitions of one kind, from the tenant's state, as JSON (without
 * the functions): [{key, type, label, options, required, has_validate, has_compute, script}]. */
static int
defs_protected(lua_State *L)
{
    const char *kind = lua_touserdata(L, 1);
    lua_newtable(L);
    lua_getfield(L, LUA_REGISTRYINDEX, "ts.fields");
    lua_Integer n = 0;
    for (lua_Integer i = 1; i <= (lua_Integer) lua_rawlen(L, -1); i++) {
        lua_rawgeti(L, -1, i);
        lua_getfield(L, -1, "kind");
        bool match = strcmp(lua_tostring(L, -1), kind) == 0;
        lua_pop(L, 1);
        if (!match) {
            lua_pop(L, 1);
            continue;
        }
        lua_newtable(L);
        static const char *const copy[] = { "key", "type", "label", "options", "required",
                                            "script", NULL };
        for (int k = 0; copy[k]; k++) {
            lua_getfield(L, -2, copy[k]);
            lua_setfield(L, -2, copy[k]);
        }
        lua_getfield(L, -2, "validate");
        lua_pushboolean(L, lua_isfunction(L, -1));
        lua_setfield(L, -3, "has_validate");
        lua_pop(L, 1);
        lua_getfield(L, -2, "compute");
        lua_pushboolean(L, lua_isfunction(L, -1));
        lua_setfield(L, -3, "has_compute");
        lua_pop(L, 1);
        lua_pushinteger(L, i);
        lua_setfield(L, -2, "index");
        lua_rawseti(L, 2, ++n);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return 1;
}

static cJSON *
definitions(ts_lua_t *s, const char *kind, char *err, size_t errlen)
{
    lua_pushcfunction(s->L, defs_protected);
    lua_pushlightuserdata(s->L, (void *) kind);
    if (ts_lua_call(s, "fields", 1, 1, err, errlen) != TS_OK) {
        return NULL;
    }
    cJSON *j = ts_lua_to_json(s->L, -1, 0);
    lua_pop(s->L, 1);
    if (!cJSON_IsArray(j)) {          /* an empty table reads as {} */
        cJSON_Delete(j);
        j = cJSON_CreateArray();
    }
    return j;
}

/* Keeps custom_fields (what lists, forms and CSV mapping read) in step with
 * the tenant's fields scripts. */
int
ts_lua_fields_sync(ts_request_t *r, const char *script)
{
    char err[512];
    ts_lua_t *s = ts_lua_for(r, err, sizeof(err));
    if (s == NULL) {
        return TS_ERROR;
    }
    ts_db_exec(r, "DELETE FROM custom_fields WHERE tenant_id = {tenant} AND script = ?", "s",
               script);
    static const char *const kinds[] = { "lead", "contact", "relation", "property", "deal", NULL };
    for (int k = 0; kinds[k]; k++) {
        cJSON *defs = definitions(s, kinds[k], err, sizeof(err));
        for (cJSON *d = defs ? defs->child : NULL; d; d = d->next) {
            if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "script")),
                       script) != 0) {
                continue;
            }
            char *text = cJSON_PrintUnformatted(d);
            ts_db_exec(r, "REPLACE INTO custom_fields (tenant_id, kind, field_key, type,"
                          " definition, script) VALUES ({tenant}, ?, ?, ?, ?, ?)", "sssss",
                       kinds[k], cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "key")),
                       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "type")),
                       text, script);
            cJSON_free(text);
        }
        cJSON_Delete(defs);
    }
    return TS_OK;
}

/* The type rule of a value; NULL when it passes. */
static const char *
type_error(const cJSON *def, const cJSON *v)
{
    const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(def, "type"));
    const cJSON *opts = cJSON_GetObjectItemCaseSensitive(def, "options");
    if (strcmp(type, "number") == 0 || strcmp(type, "money") == 0) {
        return cJSON_IsNumber(v) ? NULL : "must be a number";
    }
    if (strcmp(type, "boolean") == 0) {
        return cJSON_IsBool(v) ? NULL : "must be true or false";
    }
    if (strcmp(type, "date") == 0) {
        const char *s = cJSON_GetStringValue(v);
        int y, m, d;
        char tail;
        static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        bool ok = s && strlen(s) == 10 && s[4] == '-' && s[7] == '-'
                  && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3
                  && m >= 1 && m <= 12 && d >= 1 && d <= mdays[m - 1];
        /* 29 February only in leap years */
        ok = ok && !(m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
        return ok ? NULL : "must be a date YYYY-MM-DD";
    }
    if (strcmp(type, "url") == 0) {
        const char *s = cJSON_GetStringValue(v);
        return s && (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0)
               && strlen(s) <= 2000 ? NULL : "must be an http or https URL";
    }
    if (strcmp(type, "select") == 0 || strcmp(type, "multiselect") == 0) {
        bool multi = type[0] == 'm';
        if (multi ? !cJSON_IsArray(v) : !cJSON_IsString(v)) {
            return multi ? "must be a list of options" : "must be one of the options";
        }
        const cJSON *one = v;
        for (const cJSON *x = multi ? v->child : one; x; x = multi ? x->next : NULL) {
            bool found = false;
            for (const cJSON *o = opts ? opts->child : NULL; o && !found; o = o->next) {
                found = cJSON_IsString(o) && cJSON_IsString(x)
                        && strcmp(o->valuestring, x->valuestring) == 0;
            }
            if (!found) {
                return "is not one of the options";
            }
        }
        return NULL;
    }
    return cJSON_IsString(v) && strlen(v->valuestring) <= 10000 ? NULL : "must be text";
}

typedef struct {
    lua_Integer  index;
    const char  *fn;
    const cJSON *value;
    const cJSON *record;
} field_call_t;

static int
field_fn_protected(lua_State *L)
{
    field_call_t *a = lua_touserdata(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, "ts.fields");
    lua_rawgeti(L, -1, a->index);
    lua_getfield(L, -1, a->fn);
    if (strcmp(a->fn, "validate") == 0) {
        ts_lua_push_json(L, a->value, 0);
        ts_lua_push_json(L, a->record, 0);
        lua_call(L, 2, 1);
    } else {
        ts_lua_push_json(L, a->record, 0);
        lua_call(L, 1, 1);
    }
    return 1;
}

/* A field's validate or compute that raised (or hit a limit) goes to lua_runs,
 * which Settings > Script errors lists. Inside a transaction the row waits
 * for its end (a refused write rolls back, the log stays); one row per
 * script and field per transaction, with how many more failed. */
static void
log_failure(ts_request_t *r, bool log, const char *script, const char *event, const char *err)
{
    ts_req_core_t *c = TS_CORE(r);
    if (!log) {
        return;   /* a test run saves nothing, not even a log line */
    }
    if (c->lua_failures == NULL) {
        c->lua_failures = cJSON_CreateArray();
        ts_pool_cleanup_add(r->pool, (void (*)(void *)) cJSON_Delete, c->lua_failures);
    }
    const cJSON *f;
    cJSON_ArrayForEach(f, c->lua_failures) {
        if (strcmp(cJSON_GetStringValue(cJSON_GetArrayItem(f, 0)), script) == 0
            && strcmp(cJSON_GetStringValue(cJSON_GetArrayItem(f, 1)), event) == 0) {
            cJSON *n = cJSON_GetArrayItem(f, 3);
            cJSON_SetNumberValue(n, n->valuedouble + 1);
            return;
        }
    }
    cJSON *row = cJSON_CreateArray();
    cJSON_AddItemToArray(row, cJSON_CreateString(script));
    cJSON_AddItemToArray(row, cJSON_CreateString(event));
    cJSON_AddItemToArray(row, cJSON_CreateString(err));
    cJSON_AddItemToArray(row, cJSON_CreateNumber(0));
    cJSON_AddItemToArray(c->lua_failures, row);
    if (!c->in_tx) {
        ts_lua_failures_flush(r);
    }
}

void
ts_lua_failures_flush(ts_request_t *r)
{
    ts_req_core_t *c = TS_CORE(r);
    cJSON *all = c->lua_failures;
    if (all == NULL || cJSON_GetArraySize(all) == 0 || c->in_tx || r->tenant == NULL) {
        return;
    }
    const cJSON *f;
    cJSON_ArrayForEach(f, all) {
        const char *event = cJSON_GetStringValue(cJSON_GetArrayItem(f, 1));
        long long more = (long long) cJSON_GetNumberValue(cJSON_GetArrayItem(f, 3));
        if (more > 0) {
            event = ts_psprintf(r->pool, "%.40s (+%lld more)", event, more);
        }
        ts_db_exec(r, "INSERT INTO lua_runs (tenant_id, script, event, outcome, error) VALUES"
                      " ({tenant}, ?, ?, 'error', ?)", "sss",
                   cJSON_GetStringValue(cJSON_GetArrayItem(f, 0)), event,
                   ts_psprintf(r->pool, "%.1000s", cJSON_GetStringValue(cJSON_GetArrayItem(f, 2))));
    }
    while (cJSON_GetArraySize(all) > 0) {
        cJSON_DeleteItemFromArray(all, 0);
    }
}

/* validate or compute in a dry run: a field's functions never write. */
static int
call_field(ts_lua_t *s, ts_request_t *r, const char *script, field_call_t *c, char *err,
           size_t errlen)
{
    ts_lua_begin(s, r, true);
    lua_pushcfunction(s->L, field_fn_protected);
    lua_pushlightuserdata(s->L, c);
    return ts_lua_call(s, script ? script : "fields", 1, 1, err, errlen);
}

/* Checks and completes `values` (an object, changed in place) for a record
 * of `kind`: required, types, validate(value, record), compute(record).
 * Returns TS_OK, or TS_DECLINED with *errors {key: message}. */
static int
check_fields(ts_request_t *r, const char *kind, const cJSON *record, cJSON *values,
             cJSON **errors, bool log)
{
    *errors = NULL;
    char err[1024];
    ts_lua_t *s = ts_lua_for(r, err, sizeof(err));
    if (s == NULL) {
        return TS_ERROR;
    }
    cJSON *defs = definitions(s, kind, err, sizeof(err));
    if (defs == NULL) {
        return TS_ERROR;
    }
    for (cJSON *d = defs->child; d; d = d->next) {
        const char *key = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "key"));
        const char *script = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "script"));
        lua_Integer index = (lua_Integer) cJSON_GetNumberValue(
            cJSON_GetObjectItemCaseSensitive(d, "index"));
        const char *msg = NULL;
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "has_compute"))) {
            field_call_t c = { index, "compute", NULL, record };
            if (call_field(s, r, script, &c, err, sizeof(err)) != TS_OK) {
                msg = ts_pstrdup(r->pool, err);
                log_failure(r, log, script ? script : "fields",
                            ts_psprintf(r->pool, "field %s.%s compute", kind, key), err);
            } else {
                cJSON_DeleteItemFromObjectCaseSensitive(values, key);
                cJSON_AddItemToObject(values, key, ts_lua_to_json(s->L, -1, 0));
                lua_pop(s->L, 1);
            }
            cJSON_Delete(ts_lua_end(s));
        }
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(values, key);
        if (msg == NULL && (v == NULL || cJSON_IsNull(v))) {
            if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "required"))) {
                msg = "is required";
            }
        } else if (msg == NULL) {
            msg = type_error(d, v);
        }
        if (msg == NULL && v != NULL && !cJSON_IsNull(v)
            && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "has_validate"))) {
            field_call_t c = { index, "validate", v, record };
            if (call_field(s, r, script, &c, err, sizeof(err)) != TS_OK) {
                msg = ts_pstrdup(r->pool, err);
                log_failure(r, log, script ? script : "fields",
                            ts_psprintf(r->pool, "field %s.%s validate", kind, key), err);
            } else {
                /* true or nil passes; false fails; a string is the message. */
                if (lua_type(s->L, -1) == LUA_TSTRING) {
                    msg = ts_pstrdup(r->pool, lua_tostring(s->L, -1));
                } else if (lua_type(s->L, -1) == LUA_TBOOLEAN && !lua_toboolean(s->L, -1)) {
                    msg = "is not valid";
                }
                lua_pop(s->L, 1);
            }
            cJSON_Delete(ts_lua_end(s));
        }
        if (msg != NULL) {
            if (*errors == NULL) {
                *errors = cJSON_CreateObject();
            }
            cJSON_AddStringToObject(*errors, key, msg);
        }
    }
    cJSON_Delete(defs);
    return *errors ? TS_DECLINED : TS_OK;
}

int
ts_custom_fields_check(ts_request_t *r, const char *kind, const cJSON *record, cJSON *values,
                       cJSON **errors)
{
    return check_fields(r, kind, record, values, errors, true);
}

int
ts_custom_fields_count(ts_request_t *r, const char *kind)
{
    ts_db_result_t *res = ts_db_query(r, "SELECT COUNT(*) AS n FROM custom_fields WHERE"
                                         " tenant_id = {tenant} AND kind = ?", "s", kind);
    return res == NULL ? -1 : (int) ts_db_get_int(res, 0, "n");
}

int
ts_custom_fields_write(ts_request_t *r, const char *kind, const cJSON *given,
                       const cJSON *record, cJSON **changed, cJSON **fields)
{
    *changed = NULL;
    *fields = NULL;
    ts_db_result_t *defs = ts_db_query(r, "SELECT field_key FROM custom_fields WHERE tenant_id ="
                                          " {tenant} AND kind = ?", "s", kind);
    if (defs == NULL) {
        return TS_ERROR;
    }
    /* Without definitions custom stays a free-form object (older data, imports). */
    if (ts_db_rows(defs) == 0) {
        return TS_OK;
    }
    const cJSON *e, *keys = cJSON_IsObject(given) ? given : NULL;
    cJSON_ArrayForEach(e, keys) {
        bool known = false;
        for (size_t i = 0; i < ts_db_rows(defs) && !known; i++) {
            known = strcmp(ts_db_get(defs, i, "field_key"), e->string) == 0;
        }
        if (!known) {
            if (*fields == NULL) {
                *fields = cJSON_CreateObject();
            }
            cJSON_AddStringToObject(*fields, ts_psprintf(r->pool, "custom.%s", e->string),
                                    "unknown field");
        }
    }
    if (*fields != NULL) {
        return TS_DECLINED;
    }
    const cJSON *stored = cJSON_GetObjectItemCaseSensitive(record, "custom");
    cJSON *values = cJSON_IsObject(stored) ? cJSON_Duplicate(stored, 1) : cJSON_CreateObject();
    cJSON *errors = NULL;
    int rc = ts_custom_fields_check(r, kind, record, values, &errors);
    if (rc == TS_DECLINED) {
        cJSON_Delete(values);
        *fields = cJSON_CreateObject();
        cJSON_ArrayForEach(e, errors) {
            cJSON_AddStringToObject(*fields, ts_psprintf(r->pool, "custom.%s", e->string),
                                    cJSON_GetStringValue(e));
        }
        cJSON_Delete(errors);
        return TS_DECLINED;
    }
    if (rc != TS_OK || cJSON_Compare(values, stored, 1)) {
        cJSON_Delete(values);
        return rc;
    }
    *changed = values;
    return TS_OK;
}

int
ts_lua_fields_test(ts_request_t *r, ts_lua_t *s, const char *script, int64_t id, cJSON **out,
                   char *err, size_t errlen)
{
    (void) s;
    (void) script;
    cJSON *rec = ts_lua_contact_json(r, id);
    const cJSON *custom = cJSON_GetObjectItemCaseSensitive(rec, "custom");
    cJSON *values = cJSON_IsObject(custom) ? cJSON_Duplicate(custom, 1) : cJSON_CreateObject();
    cJSON *errors = NULL;
    const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "kind"));
    int rc = check_fields(r, kind ? kind : "lead", rec, values, &errors, false);
    cJSON_Delete(rec);
    if (rc == TS_ERROR) {
        cJSON_Delete(values);
        snprintf(err, errlen, "%s: the fields could not be checked", script);
        return TS_ERROR;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "values", values);
    cJSON_AddItemToObject(o, "errors", errors ? errors : cJSON_CreateObject());
    *out = o;
    return TS_OK;
}

static bool
kind_ok(const char *k)
{
    static const char *const kinds[] = { "lead", "contact", "relation", "property", "deal", NULL };
    for (int i = 0; k && kinds[i]; i++) {
        if (strcmp(kinds[i], k) == 0) {
            return true;
        }
    }
    return false;
}

static int
fields_list(ts_request_t *r)
{
    const char *kind = ts_req_param(r, "kind");
    if (!kind_ok(kind)) {
        return ts_resp_error(r, 404, "not_found", "no such record kind", NULL);
    }
    /* In the order the scripts define them, as forms show them (ts_custom_ui.c). */
    cJSON *items = ts_custom_fields_defs(r, kind);
    if (items == NULL) {
        return TS_ERROR;
    }
    cJSON *d;
    cJSON_ArrayForEach(d, items) {
        cJSON_DeleteItemFromObjectCaseSensitive(d, "index");
    }
    return ts_resp_list(r, items, NULL, (long long) cJSON_GetArraySize(items));
}

/* POST /api/v1/fields/{kind}/check {"record": {...}, "values": {...}}: what
 * every write path runs, callable on its own (forms check as you type). */
static int
fields_check(ts_request_t *r)
{
    const char *kind = ts_req_param(r, "kind");
    if (!kind_ok(kind)) {
        return ts_resp_error(r, 404, "not_found", "no such record kind", NULL);
    }
    const cJSON *b = ts_req_json(r);
    const cJSON *rec = cJSON_GetObjectItemCaseSensitive(b, "record");
    const cJSON *vals = cJSON_GetObjectItemCaseSensitive(b, "values");
    if (vals != NULL && !cJSON_IsObject(vals)) {
        cJSON *f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "values", "an object of custom field values");
        return ts_resp_error(r, 422, "validation_failed", "invalid values", f);
    }
    cJSON *values = vals ? cJSON_Duplicate(vals, 1) : cJSON_CreateObject();
    cJSON *errors = NULL;
    int rc = ts_custom_fields_check(r, kind, rec, values, &errors);
    if (rc == TS_DECLINED) {
        cJSON_Delete(values);
        return ts_resp_error(r, 422, "validation_failed", "custom fields are not valid", errors);
    }
    if (rc != TS_OK) {
        cJSON_Delete(values);
        return TS_ERROR;
    }
    cJSON *d = cJSON_CreateObject();
    cJSON_AddItemToObject(d, "values", values);
    return ts_resp_data(r, 200, d);
}

int
ts_lua_fields_routes(ts_plugin_ctx_t *ctx)
{
    int rc = ts_route_add_ex(ctx, TS_GET, "/api/v1/fields/{kind}", fields_list, 0,
                             TS_ROLE_VIEWER);
    rc |= ts_route_add_ex(ctx, TS_POST, "/api/v1/fields/{kind}/check", fields_check, 0,
                          TS_ROLE_AGENT);
    return rc ? TS_ERROR : TS_OK;
}

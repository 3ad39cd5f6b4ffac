/* The `tesoro` table, the only way out of the sandbox, and the on()/field()
 * registrations that make workflows and custom fields. */
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include "ts_core.h"
#include "ts_lua.h"

/* Hooks do not fire inside C functions: every tesoro.* call is bounded by
 * itself, and a run may make only so many of them. */
#define MAX_BRIDGE_CALLS 1000
#define MAX_TEXT         65536
#define MAX_DEPTH        32

static ts_lua_t *
sandbox(lua_State *L)
{
    return *(ts_lua_t **) lua_getextraspace(L);
}

/* The running call's request, counted; raises when there is none. */
static ts_request_t *
req(lua_State *L, const char *fn)
{
    ts_lua_t *s = sandbox(L);
    if (s->r == NULL || s->r->tenant == NULL) {
        luaL_error(L, "tesoro.%s: not available here (no record context)", fn);
    }
    if (++s->calls > MAX_BRIDGE_CALLS) {
        luaL_error(L, "tesoro.%s: more than %d tesoro calls in one run", fn, MAX_BRIDGE_CALLS);
    }
    return s->r;
}

static const char *
text_arg(lua_State *L, int i, const char *what)
{
    size_t n;
    const char *s = luaL_checklstring(L, i, &n);
    if (n > MAX_TEXT || strlen(s) != n) {
        luaL_error(L, "%s: text too long or holding NUL bytes", what);
    }
    return s;
}

static void
effect(ts_lua_t *s, const char *action, int64_t id, const char *key, cJSON *value)
{
    if (s->effects == NULL) {
        cJSON_Delete(value);
        return;
    }
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "action", action);
    if (id > 0) {
        cJSON_AddNumberToObject(e, "id", (double) id);
    }
    if (key != NULL) {
        cJSON_AddStringToObject(e, "field", key);
    }
    if (value != NULL) {
        cJSON_AddItemToObject(e, "value", value);
    }
    cJSON_AddItemToArray(s->effects, e);
}

/* Audited as made by the script: the changes name it, the user is the caller's. */
static void
audit(ts_lua_t *s, int64_t id, const char *action, cJSON *what)
{
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "script", s->script ? s->script : "");
    cJSON_AddItemToObject(c, "changes", what);
    ts_audit(s->r, "contact", id, action, c);
    cJSON_Delete(c);
}

/* ---- JSON <-> Lua ---- */

void
ts_lua_push_json(lua_State *L, const cJSON *j, int depth)
{
    luaL_checkstack(L, 4, "JSON too deep");
    if (j == NULL || cJSON_IsNull(j) || depth > MAX_DEPTH) {
        lua_pushnil(L);
    } else if (cJSON_IsBool(j)) {
        lua_pushboolean(L, cJSON_IsTrue(j));
    } else if (cJSON_IsNumber(j)) {
        double d = j->valuedouble;
        if (d == (double) (lua_Integer) d && d > -9e15 && d < 9e15) {
            lua_pushinteger(L, (lua_Integer) d);
        } else {
            lua_pushnumber(L, d);
        }
    } else if (cJSON_IsString(j)) {
        lua_pushstring(L, j->valuestring);
    } else if (cJSON_IsArray(j)) {
        lua_createtable(L, cJSON_GetArraySize(j), 0);
        lua_Integer i = 1;
        for (const cJSON *e = j->child; e; e = e->next) {
            ts_lua_push_json(L, e, depth + 1);
            lua_rawseti(L, -2, i++);
        }
    } else {
        lua_newtable(L);
        for (const cJSON *e = j->child; e; e = e->next) {
            ts_lua_push_json(L, e, depth + 1);
            lua_setfield(L, -2, e->string);
        }
    }
}

cJSON *
ts_lua_to_json(lua_State *L, int idx, int depth)
{
    idx = lua_absindex(L, idx);
    switch (lua_type(L, idx)) {
    case LUA_TBOOLEAN:
        return cJSON_CreateBool(lua_toboolean(L, idx));
    case LUA_TNUMBER:
        return cJSON_CreateNumber(lua_tonumber(L, idx));
    case LUA_TSTRING:
        return cJSON_CreateString(lua_tostring(L, idx));
    case LUA_TTABLE:
        break;
    default:
        return cJSON_CreateNull();
    }
    if (depth > MAX_DEPTH) {
        return cJSON_CreateNull();
    }
    luaL_checkstack(L, 4, "table too deep");
    lua_Integer n = (lua_Integer) lua_rawlen(L, idx), count = 0;
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        count++;
        lua_pop(L, 1);
    }
    bool array = n > 0 && n == count;
    cJSON *out = array ? cJSON_CreateArray() : cJSON_CreateObject();
    if (array) {
        for (lua_Integer i = 1; i <= n; i++) {
            lua_rawgeti(L, idx, i);
            cJSON_AddItemToArray(out, ts_lua_to_json(L, -1, depth + 1));
            lua_pop(L, 1);
        }
        return out;
    }
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        if (lua_type(L, -2) == LUA_TSTRING || lua_type(L, -2) == LUA_TNUMBER) {
            lua_pushvalue(L, -2);
            const char *k = lua_tostring(L, -1);
            cJSON_AddItemToObject(out, k, ts_lua_to_json(L, -2, depth + 1));
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    return out;
}

/* ---- tesoro.* ---- */

static int
l_log(lua_State *L)
{
    ts_lua_t *s = sandbox(L);
    const char *msg = text_arg(L, 1, "tesoro.log");
    if (++s->calls > MAX_BRIDGE_CALLS) {
        return luaL_error(L, "tesoro.log: more than %d tesoro calls in one run", MAX_BRIDGE_CALLS);
    }
    if (s->effects != NULL) {
        effect(s, "log", 0, NULL, cJSON_CreateString(msg));
    }
    if (!s->dry_run) {
        ts_log_info("lua %s (tenant %lld): %s", s->script ? s->script : "?",
                    (long long) s->tenant, msg);
    }
    return 0;
}

static const char *const CONTACT_COLUMNS =
    "id, kind, type, status, source, source_portal, stage, urgency, timeframe, move_in_date,"
    " first_name, last_name, email, phone, company, language, nationality, preferences,"
    " transaction, budget_min, budget_max, currency, area_min, area_max, bedrooms_min,"
    " bathrooms_min, communication, score, score_reasons, custom, agent_id, converted_at,"
    " created_at, updated_at";

/* One row of CONTACT_COLUMNS as scripts see it; JSON columns arrive as
 * text and are handed over as structure. */
cJSON *
ts_lua_contact_from_row(ts_request_t *r, const ts_db_result_t *res, size_t row)
{
    cJSON *o = ts_db_row_json(r, res, row);
    static const char *const json_cols[] = { "preferences", "communication", "custom",
                                             "score_reasons", NULL };
    for (int i = 0; json_cols[i]; i++) {
        cJSON *e = cJSON_GetObjectItemCaseSensitive(o, json_cols[i]);
        cJSON *parsed = cJSON_IsString(e) ? cJSON_Parse(e->valuestring) : NULL;
        if (parsed != NULL) {
            cJSON_ReplaceItemInObjectCaseSensitive(o, json_cols[i], parsed);
        }
    }
    cJSON_AddArrayToObject(o, "tags");
    return o;
}

/* Leads in id order after `after`, locked until the batch commits. */
ts_db_result_t *
ts_lua_leads_after(ts_request_t *r, int64_t after, int limit)
{
    char *sql = ts_psprintf(r->pool, "SELECT %s FROM contacts WHERE tenant_id = {tenant} AND"
                                     " kind = 'lead' AND deleted_at IS NULL AND id > ? ORDER BY"
                                     " id LIMIT ? FOR UPDATE", CONTACT_COLUMNS);
    return ts_db_query(r, sql, "ii", after, (int64_t) limit);
}

/* The contacts of `ids` (a JSON array of ids) that are not deleted, in id
 * order, locked until the batch commits. */
ts_db_result_t *
ts_lua_leads_in(ts_request_t *r, const char *ids)
{
    char *sql = ts_psprintf(r->pool, "SELECT %s FROM contacts WHERE tenant_id = {tenant} AND"
                                     " deleted_at IS NULL AND id IN (SELECT b.id FROM"
                                     " JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) AS b)"
                                     " ORDER BY id FOR UPDATE", CONTACT_COLUMNS);
    return ts_db_query(r, sql, "s", ids);
}

cJSON *
ts_lua_contact_json(ts_request_t *r, int64_t id)
{
    char *sql = ts_psprintf(r->pool, "SELECT %s FROM contacts WHERE tenant_id = {tenant}"
                                     " AND id = ? AND deleted_at IS NULL", CONTACT_COLUMNS);
    ts_db_result_t *res = ts_db_query(r, sql, "i", id);
    if (res == NULL || ts_db_rows(res) == 0) {
        return NULL;
    }
    cJSON *o = ts_lua_contact_from_row(r, res, 0);
    cJSON *tags = cJSON_GetObjectItemCaseSensitive(o, "tags");
    ts_db_result_t *t = ts_db_query(r, "SELECT tag FROM tags WHERE tenant_id = {tenant} AND"
                                       " entity = 'contact' AND entity_id = ? ORDER BY tag",
                                    "i", id);
    for (size_t i = 0; t != NULL && i < ts_db_rows(t); i++) {
        cJSON_AddItemToArray(tags, cJSON_CreateString(ts_db_get(t, i, "tag")));
    }
    return o;
}

static int
l_record(lua_State *L)
{
    ts_request_t *r = req(L, "record");
    lua_Integer id = luaL_checkinteger(L, lua_gettop(L) >= 2 ? 2 : 1);
    cJSON *o = ts_lua_contact_json(r, (int64_t) id);
    if (o == NULL) {
        lua_pushnil(L);
        return 1;
    }
    ts_lua_push_json(L, o, 0);
    cJSON_Delete(o);
    return 1;
}

/* The columns a script may set, and how each is bound. */
static const struct { const char *name; char type; } SETTABLE[] = {
    { "status", 's' }, { "stage", 's' }, { "urgency", 's' }, { "timeframe", 's' },
    { "source", 's' }, { "notes", 's' }, { "agent_id", 'i' }, { "type", 's' },
    { "language", 's' },
};

static int
l_set(lua_State *L)
{
    ts_request_t *r = req(L, "set");
    ts_lua_t *s = sandbox(L);
    int64_t id = (int64_t) luaL_checkinteger(L, 1);
    const char *field = luaL_checkstring(L, 2);
    size_t k = 0, n = sizeof(SETTABLE) / sizeof(SETTABLE[0]);
    while (k < n && strcmp(SETTABLE[k].name, field) != 0) {
        k++;
    }
    if (k == n) {
        return luaL_error(L, "tesoro.set: field '%s' cannot be set by a script", field);
    }
    const char *text = NULL;
    if (SETTABLE[k].type == 's' && !lua_isnil(L, 3)) {
        text = text_arg(L, 3, "tesoro.set");
    } else if (SETTABLE[k].type == 'i' && !lua_isnil(L, 3)) {
        luaL_checkinteger(L, 3);
    }
    cJSON *v = ts_lua_to_json(L, 3, 0);
    if (!s->dry_run) {
        /* The column name comes from the allow-list above, never from the script. */
        char *sql = ts_psprintf(r->pool, "UPDATE contacts SET %s = ? WHERE tenant_id = {tenant}"
                                         " AND id = ?", SETTABLE[k].name);
        int rc;
        if (SETTABLE[k].type == 'i') {
            rc = ts_db_exec(r, sql, "ii", (int64_t) luaL_optinteger(L, 3, 0), id);
        } else {
            rc = ts_db_exec(r, sql, "si", text, id);
        }
        if (rc != TS_OK) {
            cJSON_Delete(v);
            return luaL_error(L, "tesoro.set: the value of '%s' was refused", field);
        }
        cJSON *what = cJSON_CreateObject();
        cJSON_AddItemToObject(what, field, cJSON_Duplicate(v, 1));
        audit(s, id, "update", what);
    }
    effect(s, "set", id, field, v);
    return 0;
}

static int
tag_change(lua_State *L, bool add)
{
    const char *fn = add ? "tag" : "untag";
    ts_request_t *r = req(L, fn);
    ts_lua_t *s = sandbox(L);
    int64_t id = (int64_t) luaL_checkinteger(L, 1);
    const char *tag = text_arg(L, 2, add ? "tesoro.tag" : "tesoro.untag");
    if (strlen(tag) == 0 || strlen(tag) > 64) {
        return luaL_error(L, "tesoro.%s: a tag has 1 to 64 characters", fn);
    }
    if (!s->dry_run) {
        int rc = add ? ts_db_exec(r, "INSERT IGNORE INTO tags (tenant_id, entity, entity_id, tag)"
                                     " VALUES ({tenant}, 'contact', ?, ?)", "is", id, tag)
                     : ts_db_exec(r, "DELETE FROM tags WHERE tenant_id = {tenant} AND"
                                     " entity = 'contact' AND entity_id = ? AND tag = ?",
                                  "is", id, tag);
        if (rc != TS_OK) {
            return luaL_error(L, "tesoro.%s: the database refused it", fn);
        }
        cJSON *what = cJSON_CreateObject();
        cJSON_AddStringToObject(what, add ? "tag_added" : "tag_removed", tag);
        audit(s, id, "update", what);
    }
    effect(s, fn, id, NULL, cJSON_CreateString(tag));
    return 0;
}

static int l_tag(lua_State *L) { return tag_change(L, true); }
static int l_untag(lua_State *L) { return tag_change(L, false); }

static const char *
opt_field(lua_State *L, int t, const char *k, const char *def)
{
    lua_getfield(L, t, k);
    const char *v = lua_isnil(L, -1) ? def : text_arg(L, -1, k);
    lua_pop(L, 1);
    return v;
}

static lua_Integer
opt_int(lua_State *L, int t, const char *k, lua_Integer def)
{
    lua_getfield(L, t, k);
    lua_Integer v = lua_isnil(L, -1) ? def : luaL_checkinteger(L, -1);
    lua_pop(L, 1);
    return v;
}

/* tesoro.task(id, {subject=, body=, due_in_days=, assigned_to=}) and
 * tesoro.activity(id, {kind="note"|"call"|..., subject=, body=}). */
static int
add_activity(lua_State *L, bool task)
{
    const char *fn = task ? "task" : "activity";
    ts_request_t *r = req(L, fn);
    ts_lua_t *s = sandbox(L);
    int64_t id = (int64_t) luaL_checkinteger(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    const char *kind = task ? "task" : opt_field(L, 2, "kind", "note");
    static const char *const kinds[] = { "note", "call", "email", "whatsapp", "sms", "meeting",
                                         "task", NULL };
    int k = 0;
    while (kinds[k] && strcmp(kinds[k], kind) != 0) {
        k++;
    }
    if (kinds[k] == NULL) {
        return luaL_error(L, "tesoro.activity: unknown kind '%s'", kind);
    }
    const char *subject = opt_field(L, 2, "subject", "");
    const char *body = opt_field(L, 2, "body", NULL);
    lua_Integer days = opt_int(L, 2, "due_in_days", task ? 0 : -1);
    lua_Integer to = opt_int(L, 2, "assigned_to", 0);
    if (strlen(subject) > 255 || days > 3650) {
        return luaL_error(L, "tesoro.%s: subject over 255 characters or due too far away", fn);
    }
    cJSON *v = cJSON_CreateObject();
    cJSON_AddStringToObject(v, "kind", kind);
    cJSON_AddStringToObject(v, "subject", subject);
    if (days >= 0) {
        cJSON_AddNumberToObject(v, "due_in_days", (double) days);
    }
    if (!s->dry_run) {
        int rc = ts_db_exec(r, "INSERT INTO activities (tenant_id, entity, entity_id, kind, subject,"
                               " body, due_at, assigned_to, created_by_script) VALUES ({tenant},"
                               " 'contact', ?, ?, ?, ?, IF(? < 0, NULL, NOW() + INTERVAL ? DAY),"
                               " NULLIF(?, 0), ?)", "isssiiis", id, kind, subject, body,
                            (int64_t) days, (int64_t) days, (int64_t) to, s->script);
        if (rc != TS_OK) {
            cJSON_Delete(v);
            return luaL_error(L, "tesoro.%s: the database refused it", fn);
        }
        cJSON_AddNumberToObject(v, "activity_id", (double) ts_db_insert_id(r));
        audit(s, id, task ? "task_created" : "activity_created", cJSON_Duplicate(v, 1));
    }
    effect(s, fn, id, NULL, v);
    return 0;
}

static int l_task(lua_State *L) { return add_activity(L, true); }
static int l_activity(lua_State *L) { return add_activity(L, false); }

/* {{name}} in a template takes vars.name; anything else stays as written. */
static char *
expand(lua_State *L, ts_pool_t *p, const char *tpl, int vars)
{
    ts_buf_t b;
    ts_buf_init(&b, p, strlen(tpl) + 64);
    for (const char *c = tpl; *c;) {
        const char *open = strstr(c, "{{"), *close = open ? strstr(open, "}}") : NULL;
        if (open == NULL || close == NULL || close - open > 66) {
            ts_buf_str(&b, c);
            break;
        }
        ts_buf_add(&b, c, (size_t) (open - c));
        char key[64];
        snprintf(key, sizeof(key), "%.*s", (int) (close - open - 2), open + 2);
        lua_getfield(L, vars, key);
        const char *v = lua_isnil(L, -1) || vars == 0 ? NULL : lua_tostring(L, -1);
        if (v != NULL) {
            ts_buf_str(&b, v);
        }
        lua_pop(L, 1);
        c = close + 2;
    }
    ts_buf_add(&b, "", 1);
    return b.data;
}

static int
l_mail(lua_State *L)
{
    ts_request_t *r = req(L, "mail");
    ts_lua_t *s = sandbox(L);
    luaL_checktype(L, 1, LUA_TTABLE);
    const char *to = opt_field(L, 1, "to", NULL);
    const char *subject = opt_field(L, 1, "subject", "");
    const char *body = opt_field(L, 1, "body", "");
    lua_getfield(L, 1, "vars");
    int vars = lua_istable(L, -1) ? lua_gettop(L) : 0;
    if (vars == 0) {
        lua_newtable(L);
        vars = lua_gettop(L);
    }
    if (to == NULL || strchr(to, '@') == NULL || strpbrk(to, "\r\n,;") != NULL) {
        return luaL_error(L, "tesoro.mail: 'to' must be one email address");
    }
    char *subj = expand(L, r->pool, subject, vars);
    char *text = expand(L, r->pool, body, vars);
    if (strpbrk(subj, "\r\n") != NULL) {
        return luaL_error(L, "tesoro.mail: the subject has a line break");
    }
    if (!s->dry_run && ts_mail_queue(r, to, subj, text) != TS_OK) {
        return luaL_error(L, "tesoro.mail: the mail was refused");
    }
    cJSON *v = cJSON_CreateObject();
    cJSON_AddStringToObject(v, "to", to);
    cJSON_AddStringToObject(v, "subject", subj);
    effect(s, "mail", s->record_id, NULL, v);
    return 0;
}

/* tesoro.webhook(url, data): posted by a job through the guarded fetch. */
static int
l_webhook(lua_State *L)
{
    ts_request_t *r = req(L, "webhook");
    ts_lua_t *s = sandbox(L);
    const char *url = text_arg(L, 1, "tesoro.webhook");
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
        return luaL_error(L, "tesoro.webhook: only http and https URLs");
    }
    cJSON *data = ts_lua_to_json(L, 2, 0);
    if (!s->dry_run) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "url", url);
        cJSON_AddStringToObject(p, "script", s->script ? s->script : "");
        cJSON_AddItemToObject(p, "data", cJSON_Duplicate(data, 1));
        int rc = ts_job_enqueue(r, "webhook.post", p, 0);
        cJSON_Delete(p);
        if (rc != TS_OK) {
            cJSON_Delete(data);
            return luaL_error(L, "tesoro.webhook: could not queue the post");
        }
    }
    cJSON *v = cJSON_CreateObject();
    cJSON_AddStringToObject(v, "url", url);
    cJSON_AddItemToObject(v, "data", data);
    effect(s, "webhook", s->record_id, NULL, v);
    return 0;
}

/* The tenant's active agents, for assignment: { {id=, name=, email=}, ... } by id. */
static int
l_agents(lua_State *L)
{
    ts_request_t *r = req(L, "agents");
    ts_db_result_t *res = ts_db_query(r, "SELECT id, name, email FROM users WHERE tenant_id ="
                                         " {tenant} AND role IN ('agent', 'manager') AND"
                                         " status = 'active' ORDER BY id LIMIT 500", "");
    lua_newtable(L);
    for (size_t i = 0; res != NULL && i < ts_db_rows(res); i++) {
        lua_newtable(L);
        lua_pushinteger(L, ts_db_get_int(res, i, "id"));
        lua_setfield(L, -2, "id");
        lua_pushstring(L, ts_db_get(res, i, "name"));
        lua_setfield(L, -2, "name");
        lua_pushstring(L, ts_db_get(res, i, "email"));
        lua_setfield(L, -2, "email");
        lua_rawseti(L, -2, (lua_Integer) i + 1);
    }
    return 1;
}

/* A counter per tenant and name, kept in the database (round-robin needs
 * memory across runs and workers). */
static int
l_counter(lua_State *L)
{
    ts_request_t *r = req(L, "counter");
    const char *name = text_arg(L, 1, "tesoro.counter");
    if (strlen(name) > 64) {
        return luaL_error(L, "tesoro.counter: name over 64 characters");
    }
    if (sandbox(L)->dry_run) {
        ts_db_result_t *res = ts_db_query(r, "SELECT value FROM lua_counters WHERE tenant_id ="
                                             " {tenant} AND name = ?", "s", name);
        lua_pushinteger(L, (res && ts_db_rows(res) ? ts_db_get_int(res, 0, "value") : 0) + 1);
        return 1;
    }
    if (ts_db_exec(r, "INSERT INTO lua_counters (tenant_id, name, value) VALUES ({tenant}, ?,"
                      " LAST_INSERT_ID(1)) ON DUPLICATE KEY UPDATE value ="
                      " LAST_INSERT_ID(value + 1)", "s", name) != TS_OK) {
        return luaL_error(L, "tesoro.counter: the database refused it");
    }
    lua_pushinteger(L, (lua_Integer) ts_db_insert_id(r));
    return 1;
}

void
ts_lua_open_bridge(lua_State *L)
{
    static const luaL_Reg fns[] = {
        { "log", l_log }, { "record", l_record }, { "set", l_set }, { "tag", l_tag },
        { "untag", l_untag }, { "task", l_task }, { "activity", l_activity },
        { "mail", l_mail }, { "webhook", l_webhook }, { "agents", l_agents },
        { "counter", l_counter }, { NULL, NULL },
    };
    luaL_newlib(L, fns);
    lua_setfield(L, LUA_REGISTRYINDEX, "ts.tesoro");
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, "ts.on");
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, "ts.fields");
}

/* ---- on() and field(), bound to the script that calls them ---- */

static int
l_on(lua_State *L)
{
    const char *event = luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    if (strlen(event) == 0 || strlen(event) > 64) {
        return luaL_error(L, "on: the event name has 1 to 64 characters");
    }
    lua_getfield(L, LUA_REGISTRYINDEX, "ts.on");
    if (lua_getfield(L, -1, event) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, -3, event);
    }
    lua_newtable(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_setfield(L, -2, "script");
    lua_pushvalue(L, 2);
    lua_setfield(L, -2, "fn");
    lua_rawseti(L, -2, (lua_Integer) lua_rawlen(L, -2) + 1);
    return 0;
}

static const char *const FIELD_TYPES[] = { "text", "number", "money", "date", "select",
                                           "multiselect", "boolean", "url", NULL };
static const char *const FIELD_KINDS[] = { "lead", "contact", "relation", "property", "deal",
                                           NULL };

static bool
in_list(const char *const *list, const char *s)
{
    for (int i = 0; s && list[i]; i++) {
        if (strcmp(list[i], s) == 0) {
            return true;
        }
    }
    return false;
}

/* field{kind=, key=, type=, label={en=...}, options={...}, required=,
 * validate=function(value, record), compute=function(record)} */
static int
l_field(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_getfield(L, 1, "kind");
    lua_getfield(L, 1, "key");
    lua_getfield(L, 1, "type");
    const char *kind = lua_tostring(L, -3), *key = lua_tostring(L, -2), *type = lua_tostring(L, -1);
    if (!in_list(FIELD_KINDS, kind)) {
        return luaL_error(L, "field: kind must be lead, contact, relation, property or deal");
    }
    if (key == NULL || strlen(key) == 0 || strlen(key) > 64
        || strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(key)) {
        return luaL_error(L, "field: key must be 1 to 64 of a-z, 0-9 and _");
    }
    if (!in_list(FIELD_TYPES, type)) {
        return luaL_error(L, "field %s: type must be text, number, money, date, select,"
                             " multiselect, boolean or url", key);
    }
    static const char *const fns[] = { "validate", "compute", NULL };
    for (int i = 0; fns[i]; i++) {
        int t = lua_getfield(L, 1, fns[i]);
        if (t != LUA_TNIL && t != LUA_TFUNCTION) {
            return luaL_error(L, "field %s: %s must be a function", key, fns[i]);
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 3);
    /* A copy the script cannot reach, so the checked definition stays as checked. */
    lua_newtable(L);
    static const char *const keys[] = { "kind", "key", "type", "label", "options", "required",
                                        "validate", "compute", NULL };
    for (int i = 0; keys[i]; i++) {
        lua_getfield(L, 1, keys[i]);
        lua_setfield(L, -2, keys[i]);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_setfield(L, -2, "script");
    lua_getfield(L, LUA_REGISTRYINDEX, "ts.fields");
    lua_pushvalue(L, -2);
    lua_rawseti(L, -2, (lua_Integer) lua_rawlen(L, -2) + 1);
    return 0;
}

void
ts_lua_env_bridge(lua_State *L, const char *script)
{
    lua_pushstring(L, script);
    lua_pushcclosure(L, l_on, 1);
    lua_setfield(L, -2, "on");
    lua_pushstring(L, script);
    lua_pushcclosure(L, l_field, 1);
    lua_setfield(L, -2, "field");
}

static int
count_by_script(lua_State *L, const char *key, const char *script, bool nested)
{
    int n = 0;
    lua_getfield(L, LUA_REGISTRYINDEX, key);
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
        if (nested) {
            for (lua_Integer i = 1; i <= (lua_Integer) lua_rawlen(L, -1); i++) {
                lua_rawgeti(L, -1, i);
                lua_getfield(L, -1, "script");
                n += lua_isstring(L, -1) && strcmp(lua_tostring(L, -1), script) == 0;
                lua_pop(L, 2);
            }
        } else {
            lua_getfield(L, -1, "script");
            n += lua_isstring(L, -1) && strcmp(lua_tostring(L, -1), script) == 0;
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return n;
}

const char *
ts_lua_kind(lua_State *L, const char *script)
{
    lua_getfield(L, -1, "score");
    bool scorer = lua_isfunction(L, -1);
    lua_pop(L, 1);
    if (scorer) {
        return "scorer";
    }
    if (count_by_script(L, "ts.on", script, true) > 0) {
        return "workflow";
    }
    if (count_by_script(L, "ts.fields", script, false) > 0) {
        return "fields";
    }
    return NULL;
}

void
ts_lua_begin(ts_lua_t *s, ts_request_t *r, bool dry_run)
{
    s->r = r;
    s->dry_run = dry_run;
    s->calls = 0;
    s->record_id = 0;
    s->effects = cJSON_CreateArray();
}

cJSON *
ts_lua_end(ts_lua_t *s)
{
    cJSON *e = s->effects;
    s->effects = NULL;
    s->r = NULL;
    s->dry_run = false;
    return e;
}

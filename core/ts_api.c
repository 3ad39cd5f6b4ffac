/* The core's JSON API: health, the caller, users and invitations. */
#include <stdlib.h>
#include <string.h>
#include "ts_core.h"

static int
healthz(ts_request_t *r)
{
    ts_dbconn_t *db = ts_dbconn_get("main");
    bool ok = ts_dbconn_ok(db);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "status", ok ? "ok" : "degraded");
    cJSON_AddStringToObject(o, "database", ok ? "connected" : ts_dbc_error(db));
    cJSON *pl = cJSON_AddArrayToObject(o, "plugins");
    for (int i = 0; i < ts_plugins_count(); i++) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "name", ts_plugin_name(i));
        cJSON_AddStringToObject(p, "version", ts_plugin_version(i));
        cJSON_AddItemToArray(pl, p);
    }
    return ts_resp_json(r, ok ? 200 : 503, o);
}

static int
bench_noop(ts_request_t *r)
{
    return ts_resp_body(r, 200, "text/plain", "ok", 2);
}

static cJSON *
user_json(ts_request_t *r, ts_db_result_t *res, size_t row)
{
    cJSON *u = ts_db_row_json(r, res, row);
    return u;
}

static int
me(ts_request_t *r)
{
    cJSON *d = cJSON_CreateObject();
    cJSON *u = cJSON_AddObjectToObject(d, "user");
    cJSON_AddNumberToObject(u, "id", (double) r->user->id);
    cJSON_AddStringToObject(u, "email", r->user->email);
    cJSON_AddStringToObject(u, "name", r->user->name);
    cJSON_AddStringToObject(d, "role", ts_role_name(r->user->role));
    cJSON *t = cJSON_AddObjectToObject(d, "tenant");
    cJSON_AddNumberToObject(t, "id", (double) r->tenant->id);
    cJSON_AddStringToObject(t, "slug", r->tenant->slug);
    cJSON_AddStringToObject(t, "name", r->tenant->name);
    return ts_resp_data(r, 200, d);
}

/* Cursor paging on id: the cursor is the last id seen. */
static int
users_list(ts_request_t *r)
{
    const char *ls = ts_req_query(r, "limit"), *cs = ts_req_query(r, "cursor");
    long limit = ls ? strtol(ls, NULL, 10) : 50;
    long long cursor = cs ? strtoll(cs, NULL, 10) : 0;
    if (limit < 1 || limit > 500) {
        cJSON *f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "limit", "must be between 1 and 500");
        return ts_resp_error(r, 422, "validation_failed", "invalid limit", f);
    }
    ts_db_result_t *res = ts_db_query(r,
        "SELECT id, email, name, role, status, must_change_password, created_at, updated_at"
        " FROM users WHERE tenant_id = {tenant} AND id > ? ORDER BY id LIMIT ?", "ii",
        (int64_t) cursor, (int64_t) limit + 1);
    ts_db_result_t *count = ts_db_query(r,
        "SELECT COUNT(*) AS n FROM users WHERE tenant_id = {tenant}", "");
    if (res == NULL || count == NULL) {
        return TS_ERROR;
    }
    cJSON *items = cJSON_CreateArray();
    size_t n = ts_db_rows(res);
    for (size_t i = 0; i < n && i < (size_t) limit; i++) {
        cJSON_AddItemToArray(items, user_json(r, res, i));
    }
    const char *next = n > (size_t) limit ? ts_db_get(res, (size_t) limit - 1, "id") : NULL;
    return ts_resp_list(r, items, next, ts_db_get_int(count, 0, "n"));
}

static ts_db_result_t *
user_by_id(ts_request_t *r, int64_t id)
{
    return ts_db_query(r,
        "SELECT id, email, name, role, status, must_change_password, created_at, updated_at"
        " FROM users WHERE tenant_id = {tenant} AND id = ?", "i", id);
}

static int
users_show(ts_request_t *r)
{
    int64_t id;
    if (ts_req_param_id(r, "id", &id) != TS_OK) {
        return ts_resp_error(r, 404, "not_found", "no such user", NULL);
    }
    /* Looked up first: another tenant's id is 404 for everyone, never 403. */
    ts_db_result_t *res = user_by_id(r, id);
    if (res == NULL) {
        return TS_ERROR;
    }
    if (ts_db_rows(res) == 0) {
        return ts_resp_error(r, 404, "not_found", "no such user", NULL);
    }
    if (r->user->role < TS_ROLE_ADMIN && id != r->user->id) {
        return ts_resp_error(r, 403, "forbidden", "only admins see other users", NULL);
    }
    return ts_resp_data(r, 200, user_json(r, res, 0));
}

static void
field_error(cJSON **fields, const char *name, const char *msg)
{
    if (*fields == NULL) {
        *fields = cJSON_CreateObject();
    }
    cJSON_AddStringToObject(*fields, name, msg);
}

static bool
plausible_email(const char *e)
{
    const char *at = e ? strchr(e, '@') : NULL;
    return at != NULL && at != e && strchr(at + 1, '.') != NULL && strlen(e) <= 254
           && strpbrk(e, " \t\r\n<>,;\"") == NULL && strchr(at + 1, '@') == NULL;
}

/* Known keys only: anything else (tenant_id, password_hash ...) is refused. */
static int
users_patch(ts_request_t *r)
{
    int64_t id;
    const cJSON *j = ts_req_json(r);
    if (ts_req_param_id(r, "id", &id) != TS_OK) {
        return ts_resp_error(r, 404, "not_found", "no such user", NULL);
    }
    ts_db_result_t *res = user_by_id(r, id);
    if (res == NULL) {
        return TS_ERROR;
    }
    if (ts_db_rows(res) == 0) {
        return ts_resp_error(r, 404, "not_found", "no such user", NULL);
    }
    if (!cJSON_IsObject(j)) {
        return ts_resp_error(r, 400, "bad_json", "send a JSON object", NULL);
    }
    cJSON *fields = NULL;
    const char *name = NULL, *role = NULL, *status = NULL;
    for (const cJSON *e = j->child; e != NULL; e = e->next) {
        if (strcmp(e->string, "name") == 0) {
            if (!cJSON_IsString(e) || strlen(e->valuestring) > 200) {
                field_error(&fields, "name", "must be text of at most 200 characters");
            }
            name = cJSON_GetStringValue(e);
        } else if (strcmp(e->string, "role") == 0) {
            if (!cJSON_IsString(e) || ts_role_parse(e->valuestring) == TS_ROLE_NONE) {
                field_error(&fields, "role", "must be admin, manager, agent or viewer");
            }
            role = cJSON_GetStringValue(e);
        } else if (strcmp(e->string, "status") == 0) {
            const char *v = cJSON_GetStringValue(e);
            if (v == NULL || (strcmp(v, "active") != 0 && strcmp(v, "disabled") != 0)) {
                field_error(&fields, "status", "must be active or disabled");
            }
            status = v;
        } else {
            field_error(&fields, e->string, "cannot be changed here");
        }
    }
    if (fields == NULL && id == r->user->id && ((role && strcmp(role, "admin") != 0)
                                                || (status && strcmp(status, "active") != 0))) {
        field_error(&fields, role ? "role" : "status", "admins cannot demote or disable themselves");
    }
    if (fields != NULL) {
        return ts_resp_error(r, 422, "validation_failed", "some fields are invalid", fields);
    }
    cJSON *changes = cJSON_CreateObject();
    const char *keys[] = { "name", "role", "status" };
    const char *vals[] = { name, role, status };
    for (int i = 0; i < 3; i++) {
        const char *old = ts_db_get(res, 0, keys[i]);
        if (vals[i] != NULL && strcmp(old, vals[i]) != 0) {
            cJSON *pair = cJSON_CreateArray();
            cJSON_AddItemToArray(pair, cJSON_CreateString(old));
            cJSON_AddItemToArray(pair, cJSON_CreateString(vals[i]));
            cJSON_AddItemToObject(changes, keys[i], pair);
        }
    }
    int rc = ts_db_begin(r);
    if (rc == TS_OK) {
        rc = ts_db_exec(r, "UPDATE users SET name = COALESCE(?, name), role = COALESCE(?, role),"
                           " status = COALESCE(?, status) WHERE tenant_id = {tenant} AND id = ?",
                        "sssi", name, role, status, id);
    }
    if (rc == TS_OK && status && strcmp(status, "disabled") == 0) {
        rc = ts_db_exec(r, "DELETE FROM sessions WHERE tenant_id = {tenant} AND user_id = ?",
                        "i", id);
    }
    if (rc == TS_OK && cJSON_GetArraySize(changes) > 0) {
        rc = ts_audit(r, "user", id, "update", changes);
    }
    if (rc == TS_OK) {
        cJSON *ev = cJSON_CreateObject();
        cJSON_AddNumberToObject(ev, "id", (double) id);
        cJSON_AddItemToObject(ev, "changes", cJSON_Duplicate(changes, true));
        rc = ts_event_emit(r, "user.updated", ev);
    }
    cJSON_Delete(changes);
    if (rc != TS_OK || ts_db_commit(r) != TS_OK) {
        ts_db_rollback(r);
        return TS_ERROR;
    }
    return ts_resp_data(r, 200, user_json(r, user_by_id(r, id), 0));
}

/* Creates the invited user and a one-time link; the mail goes to the outbox. */
int
ts_invite_user(ts_request_t *r, const char *email, const char *name, ts_role_t role,
               int64_t *id_out)
{
    char token[65], hash[65];
    ts_random_hex(token, 32);
    ts_sha256_hex(token, hash);
    int64_t id = 0;
    int rc = ts_user_create(r, email, name, role, NULL, &id);
    if (rc == TS_OK) {
        rc = ts_db_exec(r, "INSERT INTO one_time_links (token_hash, tenant_id, user_id, kind,"
                           " expires_at) VALUES (?, {tenant}, ?, 'invite', NOW() + INTERVAL 72 HOUR)",
                        "si", hash, id);
    }
    if (rc == TS_OK) {
        char *body = ts_psprintf(r->pool,
            "You have been invited to %s on Tesoro.\n\n"
            "Choose your password here (the link works once, for 72 hours):\n%s/invite/%s\n",
            r->tenant->name, r->tenant->base_url, token);
        rc = ts_mail_queue(r, email, ts_psprintf(r->pool, "Your invitation to %s",
                                                 r->tenant->name), body);
    }
    if (rc == TS_OK) {
        cJSON *ch = cJSON_CreateObject();
        cJSON_AddStringToObject(ch, "email", email);
        cJSON_AddStringToObject(ch, "role", ts_role_name(role));
        rc = ts_audit(r, "user", id, "invite", ch);
        cJSON_Delete(ch);
    }
    *id_out = id;
    return rc;
}

static int
users_invite(ts_request_t *r)
{
    const cJSON *j = ts_req_json(r);
    cJSON *fields = NULL;
    const char *email = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "email"));
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "name"));
    const char *role_s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "role"));
    ts_role_t role = role_s ? ts_role_parse(role_s) : TS_ROLE_AGENT;
    if (!cJSON_IsObject(j)) {
        return ts_resp_error(r, 400, "bad_json", "send a JSON object", NULL);
    }
    if (!plausible_email(email)) {
        field_error(&fields, "email", "a valid email address is required");
    }
    if (role == TS_ROLE_NONE) {
        field_error(&fields, "role", "must be admin, manager, agent or viewer");
    }
    if (name != NULL && strlen(name) > 200) {
        field_error(&fields, "name", "at most 200 characters");
    }
    if (fields != NULL) {
        return ts_resp_error(r, 422, "validation_failed", "some fields are invalid", fields);
    }
    ts_db_result_t *dup = ts_db_query(r, "SELECT id FROM users WHERE tenant_id = {tenant}"
                                         " AND email = LOWER(?)", "s", email);
    if (dup == NULL) {
        return TS_ERROR;
    }
    if (ts_db_rows(dup) > 0) {
        field_error(&fields, "email", "a user with this email exists");
        return ts_resp_error(r, 409, "conflict", "the user exists", fields);
    }
    int64_t id;
    if (ts_db_begin(r) != TS_OK || ts_invite_user(r, email, name, role, &id) != TS_OK
        || ts_db_commit(r) != TS_OK) {
        ts_db_rollback(r);
        return TS_ERROR;
    }
    return ts_resp_data(r, 201, user_json(r, user_by_id(r, id), 0));
}

int
ts_api_routes(ts_plugin_ctx_t *ctx)
{
    int rc = ts_route_add_ex(ctx, TS_GET, "/healthz", healthz,
                             TS_ROUTE_PUBLIC | TS_ROUTE_NOTENANT, TS_ROLE_NONE);
    if (ts_conf->bench_noop) {
        rc |= ts_route_add_ex(ctx, TS_GET, "/bench/noop", bench_noop,
                              TS_ROUTE_PUBLIC | TS_ROUTE_NOTENANT, TS_ROLE_NONE);
    }
    rc |= ts_route_add(ctx, TS_GET, "/api/v1/me", me);
    rc |= ts_route_add_ex(ctx, TS_GET, "/api/v1/users", users_list, 0, TS_ROLE_ADMIN);
    rc |= ts_route_add(ctx, TS_GET, "/api/v1/users/{id}", users_show);
    rc |= ts_route_add_ex(ctx, TS_PATCH, "/api/v1/users/{id}", users_patch, 0, TS_ROLE_ADMIN);
    rc |= ts_route_add_ex(ctx, TS_POST, "/api/v1/users/invite", users_invite, 0, TS_ROLE_ADMIN);
    return rc ? TS_ERROR : TS_OK;
}

int
ts_core_routes(void)
{
    ts_plugin_ctx_t *ctx = ts_core_ctx();
    if (ts_api_routes(ctx) != TS_OK || ts_ui_routes(ctx) != TS_OK
        || ts_lua_routes(ctx) != TS_OK) {
        return TS_ERROR;
    }
    return TS_OK;
}

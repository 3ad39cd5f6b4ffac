/* Lead scoring: engagement signals, the scorer's score(lead, signals) call,
 * temperature tags and history, the lead.rescore job and its routes. */
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include "ts_core.h"
#include "ts_lua.h"

static const char *const SIGNAL_KINDS[] = {
    "email_open", "email_click", "web_visit", "property_view", "reply", "viewing_request",
    "info_request", "inbound_contact", NULL,
};

static const char *const TEMPERATURE_TAGS[] = { "Hot Lead", "Warm Lead", "Cold Lead" };

const char *
ts_lua_temperature(int score)
{
    return score >= 80 ? "hot" : score >= 50 ? "warm" : "cold";
}

static const char *
temperature_tag(const char *t)
{
    return strcmp(t, "hot") == 0 ? TEMPERATURE_TAGS[0]
           : strcmp(t, "warm") == 0 ? TEMPERATURE_TAGS[1] : TEMPERATURE_TAGS[2];
}

static bool
signal_kind_ok(const char *k)
{
    for (int i = 0; k && SIGNAL_KINDS[i]; i++) {
        if (strcmp(SIGNAL_KINDS[i], k) == 0) {
            return true;
        }
    }
    return false;
}

int
ts_lead_rescore_later(ts_request_t *r, int64_t lead_id)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddNumberToObject(p, "lead_id", (double) lead_id);
    int rc = ts_job_enqueue(r, "lead.rescore", p, 0);
    cJSON_Delete(p);
    return rc;
}

int
ts_signal_record(ts_request_t *r, int64_t contact_id, const char *kind, const cJSON *meta)
{
    if (!signal_kind_ok(kind)) {
        ts_log_error("signal kind '%s' refused", kind ? kind : "");
        return TS_ERROR;
    }
    char *text = NULL;
    if (meta != NULL) {
        char *tmp = cJSON_PrintUnformatted(meta);
        text = ts_pstrdup(r->pool, tmp);
        cJSON_free(tmp);
    }
    if (ts_db_exec(r, "INSERT INTO signals (tenant_id, contact_id, kind, meta) VALUES"
                      " ({tenant}, ?, ?, ?)", "iss", contact_id, kind, text) != TS_OK) {
        return TS_ERROR;
    }
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddNumberToObject(ev, "id", (double) contact_id);
    cJSON_AddStringToObject(ev, "kind", kind);
    ts_event_emit(r, "signal.recorded", ev);
    return TS_OK;
}

/* signals[kind] = {count=, last=epoch, days=since last}, and the lead's
 * activity: activities_in, activities_out, first_reply_hours. */
static cJSON *
signals_json(ts_request_t *r, int64_t id)
{
    cJSON *o = cJSON_CreateObject();
    ts_db_result_t *res = ts_db_query(r,
        "SELECT kind, COUNT(*) AS n, UNIX_TIMESTAMP(MAX(created_at)) AS last,"
        " TIMESTAMPDIFF(DAY, MAX(created_at), NOW()) AS days FROM signals WHERE tenant_id ="
        " {tenant} AND contact_id = ? GROUP BY kind", "i", id);
    for (size_t i = 0; res != NULL && i < ts_db_rows(res); i++) {
        cJSON *k = cJSON_AddObjectToObject(o, ts_db_get(res, i, "kind"));
        cJSON_AddNumberToObject(k, "count", (double) ts_db_get_int(res, i, "n"));
        cJSON_AddNumberToObject(k, "last", atof(ts_db_get(res, i, "last")));
        cJSON_AddNumberToObject(k, "days", (double) ts_db_get_int(res, i, "days"));
    }
    ts_db_result_t *a = ts_db_query(r,
        "SELECT SUM(direction = 'in') AS n_in, SUM(direction = 'out') AS n_out,"
        " TIMESTAMPDIFF(HOUR, MIN(IF(direction = 'out', created_at, NULL)),"
        " MIN(IF(direction = 'in', created_at, NULL))) AS reply_h FROM activities WHERE"
        " tenant_id = {tenant} AND entity = 'contact' AND entity_id = ? AND deleted_at IS NULL",
        "i", id);
    if (a != NULL && ts_db_rows(a)) {
        cJSON_AddNumberToObject(o, "activities_in", (double) ts_db_get_int(a, 0, "n_in"));
        cJSON_AddNumberToObject(o, "activities_out", (double) ts_db_get_int(a, 0, "n_out"));
        const char *h = ts_db_get(a, 0, "reply_h");
        if (h != NULL) {
            cJSON_AddNumberToObject(o, "first_reply_hours", atof(h));
        }
    }
    return o;
}

typedef struct {
    const char  *script;
    const cJSON *lead;
    const cJSON *signals;
} score_args_t;

/* In the protected call: env.score(lead, signals) -> score, reasons. */
static int
score_protected(lua_State *L)
{
    score_args_t *a = lua_touserdata(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, "ts.scripts");
    if (lua_getfield(L, -1, a->script) != LUA_TTABLE) {
        return luaL_error(L, "%s: the script is not loaded", a->script);
    }
    if (lua_getfield(L, -1, "score") != LUA_TFUNCTION) {
        return luaL_error(L, "%s: defines no score(lead, signals)", a->script);
    }
    ts_lua_push_json(L, a->lead, 0);
    ts_lua_push_json(L, a->signals, 0);
    lua_call(L, 2, 2);
    if (!lua_isnumber(L, -2)) {
        return luaL_error(L, "%s: score() must return a number from 0 to 100 and a list of"
                             " reasons", a->script);
    }
    return 2;
}

static void
save_score(ts_request_t *r, int64_t id, int score, const char *temp, const char *prev_temp,
           cJSON *reasons, const char *script)
{
    char *text = cJSON_PrintUnformatted(reasons);
    char *reasons_text = ts_pstrdup(r->pool, text);
    cJSON_free(text);
    ts_db_exec(r, "UPDATE contacts SET score = ?, score_reasons = ?, scored_at = NOW()"
                  " WHERE tenant_id = {tenant} AND id = ?", "isi", (int64_t) score,
               reasons_text, id);
    ts_db_exec(r, "INSERT INTO score_history (tenant_id, contact_id, score, temperature, reasons,"
                  " script) VALUES ({tenant}, ?, ?, ?, ?, ?)", "iisss", id, (int64_t) score,
               temp, reasons_text, script);
    if (prev_temp != NULL && strcmp(prev_temp, temp) == 0) {
        return;
    }
    for (int i = 0; i < 3; i++) {
        ts_db_exec(r, "DELETE FROM tags WHERE tenant_id = {tenant} AND entity = 'contact' AND"
                      " entity_id = ? AND tag = ?", "is", id, TEMPERATURE_TAGS[i]);
    }
    ts_db_exec(r, "INSERT IGNORE INTO tags (tenant_id, entity, entity_id, tag) VALUES"
                  " ({tenant}, 'contact', ?, ?)", "is", id, temperature_tag(temp));
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddNumberToObject(ev, "id", (double) id);
    cJSON_AddNumberToObject(ev, "score", score);
    cJSON_AddStringToObject(ev, "temperature", temp);
    if (prev_temp != NULL) {
        cJSON_AddStringToObject(ev, "previous_temperature", prev_temp);
    } else {
        cJSON_AddNullToObject(ev, "previous_temperature");
    }
    ts_event_emit(r, "lead.temperature_changed", ev);
}

int
ts_lua_score_lead(ts_request_t *r, ts_lua_t *s, const char *script, int64_t id, bool save,
                  cJSON **out, char *err, size_t errlen)
{
    *out = NULL;
    cJSON *lead = ts_lua_contact_json(r, id);
    if (lead == NULL) {
        snprintf(err, errlen, "no lead %lld", (long long) id);
        return TS_DECLINED;
    }
    if (script == NULL) {
        script = ts_lua_active_scorer(r);
    }
    cJSON *signals = signals_json(r, id);
    score_args_t a = { script, lead, signals };
    ts_lua_begin(s, r, !save);
    s->record_id = id;
    lua_pushcfunction(s->L, score_protected);
    lua_pushlightuserdata(s->L, &a);
    int rc = ts_lua_call(s, script, 1, 2, err, errlen);
    cJSON *effects = ts_lua_end(s);
    if (rc != TS_OK) {
        cJSON_Delete(lead);
        cJSON_Delete(signals);
        cJSON_Delete(effects);
        return TS_ERROR;
    }
    double raw = lua_tonumber(s->L, -2);
    int score = raw != raw || raw < 0 ? 0 : raw > 100 ? 100 : (int) (raw + 0.5);
    cJSON *reasons = lua_istable(s->L, -1) ? ts_lua_to_json(s->L, -1, 0) : cJSON_CreateArray();
    if (!cJSON_IsArray(reasons)) {
        cJSON_Delete(reasons);
        reasons = cJSON_CreateArray();
    }
    lua_pop(s->L, 2);
    const cJSON *prev = cJSON_GetObjectItemCaseSensitive(lead, "score");
    const char *prev_temp = cJSON_IsNumber(prev) ? ts_lua_temperature((int) prev->valuedouble)
                                                 : NULL;
    const char *temp = ts_lua_temperature(score);
    if (save) {
        save_score(r, id, score, temp, prev_temp, reasons, script);
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double) id);
    cJSON_AddNumberToObject(o, "score", score);
    cJSON_AddStringToObject(o, "temperature", temp);
    cJSON_AddItemToObject(o, "score_reasons", reasons);
    if (prev_temp != NULL) {
        cJSON_AddNumberToObject(o, "previous_score", prev->valuedouble);
        cJSON_AddStringToObject(o, "previous_temperature", prev_temp);
    }
    cJSON_AddStringToObject(o, "script", script);
    cJSON_AddItemToObject(o, "signals", signals);
    cJSON_AddItemToObject(o, "effects", effects);
    cJSON_Delete(lead);
    *out = o;
    return TS_OK;
}

/* Rescores leads in id order, in transactions of 200: one lead or all of them. */
static int
rescore(ts_request_t *r, int64_t only, long long *done, long long *failed, const char **errp)
{
    char err[1024];
    ts_lua_t *s = ts_lua_for(r, err, sizeof(err));
    if (s == NULL) {
        *errp = ts_pstrdup(r->pool, err);
        return TS_ERROR;
    }
    const char *script = ts_lua_active_scorer(r);
    int64_t after = 0;
    for (;;) {
        ts_db_result_t *ids = only > 0
            ? ts_db_query(r, "SELECT id FROM contacts WHERE tenant_id = {tenant} AND id = ? AND"
                             " kind = 'lead' AND deleted_at IS NULL", "i", only)
            : ts_db_query(r, "SELECT id FROM contacts WHERE tenant_id = {tenant} AND kind = 'lead'"
                             " AND deleted_at IS NULL AND id > ? ORDER BY id LIMIT 200", "i", after);
        if (ids == NULL) {
            *errp = "database error";
            return TS_ERROR;
        }
        if (ts_db_rows(ids) == 0) {
            return TS_OK;
        }
        ts_db_begin(r);
        for (size_t i = 0; i < ts_db_rows(ids); i++) {
            cJSON *out = NULL;
            after = ts_db_get_int(ids, i, "id");
            if (ts_lua_score_lead(r, s, script, after, true, &out, err, sizeof(err)) == TS_OK) {
                (*done)++;
            } else {
                (*failed)++;
                *errp = ts_pstrdup(r->pool, err);
                ts_log_warn("tenant %s: lead %lld not scored: %s", r->tenant->slug,
                            (long long) after, err);
            }
            cJSON_Delete(out);
            if (s->broken) {
                s = ts_lua_for(r, err, sizeof(err));
                if (s == NULL) {
                    ts_db_commit(r);
                    return TS_ERROR;
                }
            }
        }
        if (ts_db_commit(r) != TS_OK || only > 0) {
            return TS_OK;
        }
    }
}

/* The job: {"lead_id": N} or {"all": true}. A script error is logged on the
 * lead and not retried: the same script would fail the same way. */
static int
rescore_job(ts_request_t *r, const cJSON *payload, const char **err)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(payload, "lead_id");
    long long done = 0, failed = 0;
    const char *e = NULL;
    int rc = rescore(r, cJSON_IsNumber(id) ? (int64_t) id->valuedouble : 0, &done, &failed, &e);
    if (rc != TS_OK) {
        *err = e;
    }
    return rc;
}

int
ts_cli_score(ts_request_t *r, bool json)
{
    long long done = 0, failed = 0;
    const char *e = NULL;
    int rc = rescore(r, 0, &done, &failed, &e);
    if (json) {
        printf("{\"scored\": %lld, \"failed\": %lld}\n", done, failed);
    } else {
        printf("scored %lld lead%s of %s, %lld failed%s%s\n", done, done == 1 ? "" : "s",
               r->tenant->slug, failed, e ? ": " : "", e ? e : "");
    }
    return rc == TS_OK && failed == 0 ? TS_OK : TS_ERROR;
}

/* Events that change a scoring input queue a rescoring of that lead. */
static void
on_input_changed(ts_request_t *r, const char *event, const cJSON *payload)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(payload, "id");
    if (strncmp(event, "activity.", 9) == 0) {
        const cJSON *ent = cJSON_GetObjectItemCaseSensitive(payload, "entity");
        id = cJSON_GetObjectItemCaseSensitive(payload, "entity_id");
        if (cJSON_IsString(ent) && strcmp(ent->valuestring, "contact") != 0) {
            return;
        }
    }
    const cJSON *cid = cJSON_GetObjectItemCaseSensitive(payload, "contact_id");
    if (!cJSON_IsNumber(id) && cJSON_IsNumber(cid)) {
        id = cid;
    }
    if (cJSON_IsNumber(id)) {
        ts_lead_rescore_later(r, (int64_t) id->valuedouble);
    }
}

static int
signals_post(ts_request_t *r)
{
    const cJSON *b = ts_req_json(r);
    const cJSON *cid = cJSON_GetObjectItemCaseSensitive(b, "contact_id");
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(b, "kind");
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(b, "meta");
    cJSON *f = NULL;
    if (!cJSON_IsNumber(cid)) {
        f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "contact_id", "the lead or contact the signal is about");
    } else if (!signal_kind_ok(cJSON_GetStringValue(kind))) {
        f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "kind", "one of email_open, email_click, web_visit,"
                                           " property_view, reply, viewing_request,"
                                           " info_request, inbound_contact");
    } else if (meta != NULL && !cJSON_IsObject(meta)) {
        f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "meta", "an object, when given");
    }
    if (f != NULL) {
        return ts_resp_error(r, 422, "validation_failed", "invalid signal", f);
    }
    int64_t id = (int64_t) cid->valuedouble;
    ts_db_result_t *c = ts_db_query(r, "SELECT id FROM contacts WHERE tenant_id = {tenant} AND"
                                       " id = ? AND deleted_at IS NULL", "i", id);
    if (c == NULL) {
        return TS_ERROR;
    }
    if (ts_db_rows(c) == 0) {
        return ts_resp_error(r, 404, "not_found", "no such lead or contact", NULL);
    }
    if (ts_db_begin(r) != TS_OK || ts_signal_record(r, id, kind->valuestring, meta) != TS_OK) {
        ts_db_rollback(r);
        return TS_ERROR;
    }
    int64_t sid = ts_db_insert_id(r);
    if (ts_db_commit(r) != TS_OK) {
        return TS_ERROR;
    }
    cJSON *d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "id", (double) sid);
    cJSON_AddNumberToObject(d, "contact_id", (double) id);
    cJSON_AddStringToObject(d, "kind", kind->valuestring);
    return ts_resp_data(r, 201, d);
}

/* GET: the lead's score, temperature, reasons and history. POST: score now. */
static int
lead_score(ts_request_t *r)
{
    int64_t id;
    if (ts_req_param_id(r, "id", &id) != TS_OK) {
        return ts_resp_error(r, 404, "not_found", "no such lead", NULL);
    }
    if (r->method == TS_POST) {
        char err[1024];
        ts_lua_t *s = ts_lua_for(r, err, sizeof(err));
        cJSON *out = NULL;
        if (s == NULL) {
            return ts_resp_error(r, 503, "lua_unavailable", err, NULL);
        }
        ts_db_begin(r);
        int rc = ts_lua_score_lead(r, s, NULL, id, true, &out, err, sizeof(err));
        if (rc == TS_DECLINED) {
            ts_db_rollback(r);
            return ts_resp_error(r, 404, "not_found", "no such lead", NULL);
        }
        if (rc != TS_OK) {
            ts_db_rollback(r);
            cJSON *f = cJSON_CreateObject();
            cJSON_AddStringToObject(f, "script", err);
            return ts_resp_error(r, 422, "script_failed", err, f);
        }
        if (ts_db_commit(r) != TS_OK) {
            cJSON_Delete(out);
            return TS_ERROR;
        }
        return ts_resp_data(r, 200, out);
    }
    ts_db_result_t *c = ts_db_query(r, "SELECT id, score, score_reasons, scored_at FROM contacts"
                                       " WHERE tenant_id = {tenant} AND id = ? AND deleted_at"
                                       " IS NULL", "i", id);
    if (c == NULL) {
        return TS_ERROR;
    }
    if (ts_db_rows(c) == 0) {
        return ts_resp_error(r, 404, "not_found", "no such lead", NULL);
    }
    cJSON *d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "id", (double) id);
    const char *sc = ts_db_get(c, 0, "score");
    if (sc != NULL) {
        cJSON_AddNumberToObject(d, "score", atoi(sc));
        cJSON_AddStringToObject(d, "temperature", ts_lua_temperature(atoi(sc)));
    } else {
        cJSON_AddNullToObject(d, "score");
        cJSON_AddNullToObject(d, "temperature");
    }
    const char *reasons = ts_db_get(c, 0, "score_reasons");
    cJSON *rj = reasons ? cJSON_Parse(reasons) : NULL;
    cJSON_AddItemToObject(d, "score_reasons", rj ? rj : cJSON_CreateArray());
    ts_db_result_t *h = ts_db_query(r, "SELECT score, temperature, script, created_at FROM"
                                       " score_history WHERE tenant_id = {tenant} AND contact_id"
                                       " = ? ORDER BY id DESC LIMIT 100", "i", id);
    cJSON_AddItemToObject(d, "history", h ? ts_db_rows_json(r, h) : cJSON_CreateArray());
    return ts_resp_data(r, 200, d);
}

static int
rescore_all(ts_request_t *r)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddBoolToObject(p, "all", true);
    int rc = ts_job_enqueue(r, "lead.rescore", p, 0);
    cJSON_Delete(p);
    if (rc != TS_OK) {
        return TS_ERROR;
    }
    cJSON *d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "job_id", (double) ts_db_insert_id(r));
    cJSON_AddStringToObject(d, "status", "queued");
    return ts_resp_data(r, 202, d);
}

int
ts_lua_score_routes(ts_plugin_ctx_t *ctx)
{
    static const char *const inputs[] = { "lead.created", "lead.updated", "contact.updated",
                                          "activity.created", "signal.recorded", NULL };
    int rc = ts_job_register(ctx, "lead.rescore", rescore_job);
    for (int i = 0; inputs[i]; i++) {
        rc |= ts_event_on(ctx, inputs[i], on_input_changed);
    }
    rc |= ts_route_add_ex(ctx, TS_POST, "/api/v1/signals", signals_post, 0, TS_ROLE_AGENT);
    rc |= ts_route_add_ex(ctx, TS_GET | TS_POST, "/api/v1/scoring/leads/{id}", lead_score, 0,
                          TS_ROLE_AGENT);
    rc |= ts_route_add_ex(ctx, TS_POST, "/api/v1/scoring/rescore", rescore_all, 0,
                          TS_ROLE_MANAGER);
    return rc ? TS_ERROR : TS_OK;
}

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

#define IDS_TABLE "JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) AS b"

static char *json_text(ts_pool_t *p, const cJSON *j);

static void
json_delete(void *j)
{
    cJSON_Delete(j);
}

/* The tenant's drain: one waiting run however many leads wait (queued once). */
static int
drain_later(ts_request_t *r)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddBoolToObject(p, "drain", true);
    int rc = ts_job_enqueue_once(r, "lead.rescore", p, 0);
    cJSON_Delete(p);
    return rc;
}

static int
pending_add(ts_request_t *r, int64_t lead_id)
{
    return ts_db_exec(r, "INSERT IGNORE INTO rescore_pending (tenant_id, contact_id) VALUES"
                         " ({tenant}, ?)", "i", lead_id);
}

/* Events are delivered after their commit: the leads they name are kept in
 * the request and added in one statement once the delivery is over. Called
 * in a transaction, the lead is added in it (and rolled back with it). */
int
ts_lead_rescore_later(ts_request_t *r, int64_t lead_id)
{
    ts_req_core_t *c = TS_CORE(r);
    if (c->dispatching > 0 && !c->in_tx) {
        if (c->rescore_ids == NULL) {
            c->rescore_ids = cJSON_CreateArray();
            ts_pool_cleanup_add(r->pool, json_delete, c->rescore_ids);
        }
        cJSON_AddItemToArray(c->rescore_ids, cJSON_CreateNumber((double) lead_id));
        return TS_OK;
    }
    return pending_add(r, lead_id) == TS_OK ? drain_later(r) : TS_ERROR;
}

/* The safety drain: leads waiting longer than a minute (an event whose
 * drain was taken before the lead's row committed, a drain that died) get
 * their tenant's drain queued, once per active tenant. */
#define DRAIN_AFTER_S 60

static void
safety_drain(ts_dbconn_t *db, ts_pool_t *p)
{
    ts_db_result_t *res = ts_dbc_query(db, p, 0, "SELECT DISTINCT tenant_id FROM"
                                                 " rescore_pending WHERE created_at < NOW() -"
                                                 " INTERVAL ? SECOND LIMIT 1000", "i",
                                       (int64_t) DRAIN_AFTER_S);
    for (size_t i = 0; res != NULL && i < ts_db_rows(res); i++) {
        ts_request_t *r = ts_req_detached(p);
        if (ts_tenant_by_id(r, ts_db_get_int(res, i, "tenant_id")) == TS_OK) {
            drain_later(r);
        }
    }
}

void
ts_lua_rescore_flush(ts_request_t *r)
{
    cJSON *ids = TS_CORE(r)->rescore_ids;
    if (ids == NULL || ids->child == NULL || r->tenant == NULL) {
        return;
    }
    char *text = json_text(r->pool, ids);
    while (ids->child != NULL) {
        cJSON_DeleteItemFromArray(ids, 0);
    }
    /* A drain's locking read holds the gaps of its batch: an insert of many
     * ids that meets it may be chosen as a deadlock victim; one retry. */
    int rc = TS_ERROR;
    for (int attempt = 0; attempt < 2 && rc != TS_OK; attempt++) {
        rc = ts_db_exec(r, "INSERT IGNORE INTO rescore_pending (tenant_id, contact_id) SELECT"
                           " {tenant}, b.id FROM " IDS_TABLE, "s", text);
    }
    if (rc != TS_OK || drain_later(r) != TS_OK) {
        ts_log_error("tenant %s: %s not queued for rescoring", r->tenant->slug, text);
    }
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
 * activity: activities_in, activities_out, first_reply_hours. The same
 * columns serve one lead and a batch (grouped by lead too). */
#define SIGNAL_COLUMNS \
    "kind, COUNT(*) AS n, UNIX_TIMESTAMP(MAX(created_at)) AS last," \
    " TIMESTAMPDIFF(DAY, MAX(created_at), NOW()) AS days"
#define ACTIVITY_COLUMNS \
    "SUM(direction = 'in') AS n_in, SUM(direction = 'out') AS n_out," \
    " TIMESTAMPDIFF(HOUR, MIN(IF(direction = 'out', created_at, NULL))," \
    " MIN(IF(direction = 'in', created_at, NULL))) AS reply_h"

static void
add_signal(cJSON *o, const ts_db_result_t *res, size_t i)
{
    cJSON *k = cJSON_AddObjectToObject(o, ts_db_get(res, i, "kind"));
    cJSON_AddNumberToObject(k, "count", (double) ts_db_get_int(res, i, "n"));
    cJSON_AddNumberToObject(k, "last", atof(ts_db_get(res, i, "last")));
    cJSON_AddNumberToObject(k, "days", (double) ts_db_get_int(res, i, "days"));
}

static void
add_activity(cJSON *o, const ts_db_result_t *a, size_t i)
{
    cJSON_AddNumberToObject(o, "activities_in", (double) ts_db_get_int(a, i, "n_in"));
    cJSON_AddNumberToObject(o, "activities_out", (double) ts_db_get_int(a, i, "n_out"));
    const char *h = ts_db_get(a, i, "reply_h");
    if (h != NULL) {
        cJSON_AddNumberToObject(o, "first_reply_hours", atof(h));
    }
}

static cJSON *
signals_json(ts_request_t *r, int64_t id)
{
    cJSON *o = cJSON_CreateObject();
    ts_db_result_t *res = ts_db_query(r, "SELECT " SIGNAL_COLUMNS " FROM signals WHERE tenant_id"
                                         " = {tenant} AND contact_id = ? GROUP BY kind", "i", id);
    for (size_t i = 0; res != NULL && i < ts_db_rows(res); i++) {
        add_signal(o, res, i);
    }
    ts_db_result_t *a = ts_db_query(r, "SELECT " ACTIVITY_COLUMNS " FROM activities WHERE"
                                       " tenant_id = {tenant} AND entity = 'contact' AND"
                                       " entity_id = ? AND deleted_at IS NULL", "i", id);
    if (a != NULL && ts_db_rows(a)) {
        add_activity(o, a, 0);
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

static void emit_change(ts_request_t *r, int64_t id, int score, const char *temp,
                        const char *prev_temp);

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
    emit_change(r, id, score, temp, prev_temp);
}

/* Calls the scorer; on success *score and *reasons (caller owns) are set. */
static int
run_scorer(ts_lua_t *s, ts_request_t *r, const char *script, const cJSON *lead,
           const cJSON *signals, int64_t id, bool dry_run, int *score, cJSON **reasons,
           cJSON **effects, char *err, size_t errlen)
{
    score_args_t a = { script, lead, signals };
    ts_lua_begin(s, r, dry_run);
    s->record_id = id;
    lua_pushcfunction(s->L, score_protected);
    lua_pushlightuserdata(s->L, &a);
    int rc = ts_lua_call(s, script, 1, 2, err, errlen);
    cJSON *e = ts_lua_end(s);
    if (effects != NULL) {
        *effects = e;
    } else {
        cJSON_Delete(e);
    }
    if (rc != TS_OK) {
        return TS_ERROR;
    }
    double raw = lua_tonumber(s->L, -2);
    *score = raw != raw || raw < 0 ? 0 : raw > 100 ? 100 : (int) (raw + 0.5);
    *reasons = lua_istable(s->L, -1) ? ts_lua_to_json(s->L, -1, 0) : cJSON_CreateArray();
    if (!cJSON_IsArray(*reasons)) {
        cJSON_Delete(*reasons);
        *reasons = cJSON_CreateArray();
    }
    lua_pop(s->L, 2);
    return TS_OK;
}

static const char *
previous_temperature(const cJSON *lead)
{
    const cJSON *prev = cJSON_GetObjectItemCaseSensitive(lead, "score");
    return cJSON_IsNumber(prev) ? ts_lua_temperature((int) prev->valuedouble) : NULL;
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
    cJSON *signals = signals_json(r, id), *reasons = NULL, *effects = NULL;
    int score = 0;
    if (run_scorer(s, r, script, lead, signals, id, !save, &score, &reasons, &effects, err,
                   errlen) != TS_OK) {
        cJSON_Delete(lead);
        cJSON_Delete(signals);
        cJSON_Delete(effects);
        return TS_ERROR;
    }
    const cJSON *prev = cJSON_GetObjectItemCaseSensitive(lead, "score");
    const char *prev_temp = previous_temperature(lead);
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

/* ---- rescoring a whole tenant: reads and writes per batch, not per lead ---- */

#define BATCH 1000

/* The batch's leads (the rows of `res`, in id order) with their tags and
 * signals filled in. */
static cJSON *
batch_leads(ts_request_t *r, ts_db_result_t *res, cJSON **signals_out)
{
    size_t n = ts_db_rows(res);
    cJSON *leads = cJSON_CreateArray(), *signals = cJSON_CreateArray(), *ids = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        cJSON_AddItemToArray(leads, ts_lua_contact_from_row(r, res, i));
        cJSON_AddItemToArray(signals, cJSON_CreateObject());
        cJSON_AddItemToArray(ids, cJSON_CreateNumber((double) ts_db_get_int(res, i, "id")));
    }
    const char *idt = json_text(r->pool, ids);
    cJSON_Delete(ids);
    int64_t first = n ? ts_db_get_int(res, 0, "id") : 0;
    int64_t last = n ? ts_db_get_int(res, n - 1, "id") : 0;
    /* Each read joins the batch's ids (one bound JSON array) on its index,
     * so a sparse batch (waiting leads) reads no more than a dense one; the
     * id range lets the optimizer count the rows by index dives (a dense
     * batch is one range read) rather than trust the key statistics, which
     * may send it through the tenant's whole table. */
    ts_db_result_t *tags = ts_db_query(r, "SELECT t.entity_id, t.tag FROM " IDS_TABLE " JOIN tags"
                                          " t ON t.tenant_id = {tenant} AND t.entity = 'contact'"
                                          " AND t.entity_id = b.id WHERE t.entity_id BETWEEN ? AND"
                                          " ? ORDER BY t.entity_id, t.tag", "sii", idt, first,
                                       last);
    ts_db_result_t *sig = ts_db_query(r, "SELECT s.contact_id, " SIGNAL_COLUMNS " FROM " IDS_TABLE
                                         " JOIN signals s ON s.tenant_id = {tenant} AND"
                                         " s.contact_id = b.id WHERE s.contact_id BETWEEN ? AND ?"
                                         " GROUP BY s.contact_id, s.kind ORDER BY s.contact_id",
                                      "sii", idt, first, last);
    ts_db_result_t *act = ts_db_query(r, "SELECT a.entity_id, " ACTIVITY_COLUMNS " FROM " IDS_TABLE
                                         " JOIN activities a ON a.tenant_id = {tenant} AND"
                                         " a.entity = 'contact' AND a.entity_id = b.id AND"
                                         " a.deleted_at IS NULL WHERE a.entity_id BETWEEN ? AND ?"
                                         " GROUP BY a.entity_id ORDER BY a.entity_id", "sii", idt,
                                      first, last);
    /* Every result is in id order: one merge pass each. */
    size_t ti = 0, si = 0, ai = 0;
    cJSON *lead = leads->child, *sg = signals->child;
    for (; lead != NULL; lead = lead->next, sg = sg->next) {
        int64_t id = (int64_t) cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(lead, "id"));
        cJSON *lt = cJSON_GetObjectItemCaseSensitive(lead, "tags");
        for (; tags && ti < ts_db_rows(tags) && ts_db_get_int(tags, ti, "entity_id") <= id; ti++) {
            if (ts_db_get_int(tags, ti, "entity_id") == id) {
                cJSON_AddItemToArray(lt, cJSON_CreateString(ts_db_get(tags, ti, "tag")));
            }
        }
        for (; sig && si < ts_db_rows(sig) && ts_db_get_int(sig, si, "contact_id") <= id; si++) {
            if (ts_db_get_int(sig, si, "contact_id") == id) {
                add_signal(sg, sig, si);
            }
        }
        for (; act && ai < ts_db_rows(act) && ts_db_get_int(act, ai, "entity_id") <= id; ai++) {
            if (ts_db_get_int(act, ai, "entity_id") == id) {
                add_activity(sg, act, ai);
            }
        }
    }
    *signals_out = signals;
    return leads;
}

/* The batch's results in four statements: the scores given as one JSON
 * document read by JSON_TABLE (a bound value, never SQL text). The reasons
 * column is a VARCHAR so the server's work table stays in memory; reasons
 * longer than REASONS_MAX lose their last entries (reasons_text). */
#define REASONS_MAX 2000
#define RESULTS_TABLE \
    "JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$.id', score INT PATH '$.score'," \
    " reasons VARCHAR(2000) PATH '$.reasons', temp VARCHAR(8) PATH '$.temp', tag VARCHAR(16)" \
    " PATH '$.tag', changed INT PATH '$.changed')) AS j"

static const char *
reasons_text(ts_pool_t *p, cJSON *reasons)
{
    for (;;) {
        char *text = cJSON_PrintUnformatted(reasons);
        char *out = ts_pstrdup(p, text ? text : "[]");
        cJSON_free(text);
        if (strlen(out) <= REASONS_MAX || cJSON_GetArraySize(reasons) == 0) {
            return strlen(out) <= REASONS_MAX ? out : "[]";
        }
        cJSON_DeleteItemFromArray(reasons, cJSON_GetArraySize(reasons) - 1);
    }
}

static char *
json_text(ts_pool_t *p, const cJSON *j)
{
    char *tmp = cJSON_PrintUnformatted(j);
    char *out = ts_pstrdup(p, tmp ? tmp : "[]");
    cJSON_free(tmp);
    return out;
}

static int
save_batch(ts_request_t *r, const cJSON *results, const cJSON *changed, const char *script)
{
    char *doc = json_text(r->pool, results);
    /* An upsert rather than UPDATE ... JOIN, whose work table the server puts
     * on disk; the batch's rows are locked (FOR UPDATE), so every id exists.
     * Scoring is not an edit of the record: updated_at (and its index) stays. */
    int rc = ts_db_exec(r, "INSERT INTO contacts (tenant_id, id, score, score_reasons, scored_at)"
                           " SELECT {tenant}, j.id, j.score, j.reasons, NOW() FROM " RESULTS_TABLE
                           " ON DUPLICATE KEY UPDATE score = VALUES(score), score_reasons ="
                           " VALUES(score_reasons), scored_at = VALUES(scored_at), updated_at ="
                           " updated_at", "s", doc);
    rc |= ts_db_exec(r, "INSERT INTO score_history (tenant_id, contact_id, score, temperature,"
                        " reasons, script) SELECT {tenant}, j.id, j.score, j.temp, j.reasons, ?"
                        " FROM " RESULTS_TABLE, "ss", script, doc);
    if (cJSON_GetArraySize(changed) == 0) {
        return rc ? TS_ERROR : TS_OK;
    }
    /* The ids of the leads whose temperature changed, one bound JSON array
     * joined on the tags' key. */
    rc |= ts_db_exec(r, "DELETE t FROM " IDS_TABLE " JOIN tags t ON t.tenant_id = {tenant} AND"
                        " t.entity = 'contact' AND t.entity_id = b.id AND t.tag IN ('Hot Lead',"
                        " 'Warm Lead', 'Cold Lead')", "s", json_text(r->pool, changed));
    rc |= ts_db_exec(r, "INSERT IGNORE INTO tags (tenant_id, entity, entity_id, tag) SELECT"
                        " {tenant}, 'contact', j.id, j.tag FROM " RESULTS_TABLE " WHERE"
                        " j.changed = 1", "s", doc);
    return rc ? TS_ERROR : TS_OK;
}

static void
emit_change(ts_request_t *r, int64_t id, int score, const char *temp, const char *prev_temp)
{
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

/* A scorer failure goes to lua_runs, which the script-errors page lists; a
 * batch records its first failure and how many more it had, not one row each. */
static void
log_score_error(ts_request_t *r, const char *script, int64_t id, long long more,
                const char *err)
{
    const char *ev = more > 0 ? ts_psprintf(r->pool, "score lead %lld (+%lld more)",
                                            (long long) id, more)
                              : ts_psprintf(r->pool, "score lead %lld", (long long) id);
    ts_db_exec(r, "INSERT INTO lua_runs (tenant_id, script, event, outcome, error) VALUES"
                  " ({tenant}, ?, ?, 'error', ?)", "sss", script, ev,
               ts_psprintf(r->pool, "%.1000s", err));
}

/* Scores the leads of `res` (contacts rows in id order, locked) and saves
 * the batch. TS_ERROR when the tenant's Lua state broke beyond repair or the
 * scores could not be saved. */
static int
rescore_batch(ts_request_t *r, ts_lua_t **sp, const char *script, ts_db_result_t *res,
              long long *done, long long *failed, const char **errp)
{
    cJSON *signals = NULL;
    cJSON *leads = batch_leads(r, res, &signals);
    cJSON *results = cJSON_CreateArray(), *changed_ids = cJSON_CreateArray();
    char err[1024];
    const char *first_err = NULL;
    int64_t first_err_id = 0;
    long long batch_failed = 0;
    for (cJSON *lead = leads->child, *sg = signals->child; lead; lead = lead->next, sg = sg->next) {
        int64_t id = (int64_t) cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(lead, "id"));
        int score;
        cJSON *reasons = NULL;
        if (run_scorer(*sp, r, script, lead, sg, id, false, &score, &reasons, NULL, err,
                       sizeof(err)) != TS_OK) {
            (*failed)++;
            *errp = ts_pstrdup(r->pool, err);
            if (batch_failed++ == 0) {
                first_err = *errp;
                first_err_id = id;
                ts_log_warn("tenant %s: lead %lld not scored: %s", r->tenant->slug,
                            (long long) id, err);
            }
            if ((*sp)->broken && (*sp = ts_lua_for(r, err, sizeof(err))) == NULL) {
                break;
            }
            continue;
        }
        (*done)++;
        const char *prev = previous_temperature(lead), *temp = ts_lua_temperature(score);
        bool changed = prev == NULL || strcmp(prev, temp) != 0;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "id", (double) id);
        cJSON_AddNumberToObject(o, "score", score);
        cJSON_AddStringToObject(o, "reasons", reasons_text(r->pool, reasons));
        cJSON_Delete(reasons);
        cJSON_AddStringToObject(o, "temp", temp);
        cJSON_AddStringToObject(o, "tag", temperature_tag(temp));
        cJSON_AddNumberToObject(o, "changed", changed);
        cJSON_AddItemToArray(results, o);
        if (changed) {
            cJSON_AddItemToArray(changed_ids, cJSON_CreateNumber((double) id));
            emit_change(r, id, score, temp, prev);
        }
    }
    if (first_err != NULL) {
        log_score_error(r, script, first_err_id, batch_failed - 1, first_err);
    }
    int rc = cJSON_GetArraySize(results) ? save_batch(r, results, changed_ids, script) : TS_OK;
    cJSON_Delete(results);
    cJSON_Delete(changed_ids);
    cJSON_Delete(leads);
    cJSON_Delete(signals);
    if (rc != TS_OK) {
        *errp = "the scores could not be saved";
    }
    return *sp == NULL ? TS_ERROR : rc;
}

/* One batch of the waiting leads: TS_DECLINED when none is left. The
 * locking read of the lowest waiting ids also locks the gaps between them,
 * so an event naming a lead of that range waits for the commit and the
 * range's rows are exactly the ones read; a lead deleted since it was named
 * just leaves the table. */
static int
drain_batch(ts_request_t *r, ts_lua_t **sp, const char *script, long long *done,
            long long *failed, const char **errp)
{
    ts_db_result_t *p = ts_db_query(r, "SELECT contact_id FROM rescore_pending WHERE tenant_id"
                                       " = {tenant} ORDER BY contact_id LIMIT ? FOR UPDATE", "i",
                                    (int64_t) BATCH);
    if (p == NULL) {
        return TS_ERROR;
    }
    size_t n = ts_db_rows(p);
    if (n == 0) {
        return TS_DECLINED;
    }
    cJSON *ids = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        cJSON_AddItemToArray(ids, cJSON_CreateNumber((double) ts_db_get_int(p, i, "contact_id")));
    }
    ts_db_result_t *res = ts_lua_leads_in(r, json_text(r->pool, ids));
    cJSON_Delete(ids);
    if (res == NULL) {
        return TS_ERROR;
    }
    int rc = ts_db_rows(res) ? rescore_batch(r, sp, script, res, done, failed, errp) : TS_OK;
    if (rc == TS_OK
        && ts_db_exec(r, "DELETE FROM rescore_pending WHERE tenant_id = {tenant} AND contact_id"
                         " BETWEEN ? AND ?", "ii", ts_db_get_int(p, 0, "contact_id"),
                      ts_db_get_int(p, n - 1, "contact_id")) != TS_OK) {
        rc = TS_ERROR;
    }
    return rc;
}

/* A request of its own for one batch: the batch's reads, documents and
 * event payloads are freed with its pool when the batch commits, so a
 * rescoring of 100,000 leads keeps the memory of one batch, not of all. */
static ts_request_t *
batch_request(ts_request_t *r, ts_pool_t *pool)
{
    ts_request_t *br = ts_req_detached(pool);
    ts_req_core_t *c = TS_CORE(br);
    br->tenant = r->tenant;
    br->user = r->user;
    c->db = TS_CORE(r)->db;
    c->disabled_plugins = TS_CORE(r)->disabled_plugins;
    c->job_last_attempt = TS_CORE(r)->job_last_attempt;
    return br;
}

/* One batch in its transaction: TS_OK, TS_DECLINED when none was left, or
 * TS_ERROR (rolled back). */
static int
one_batch(ts_request_t *r, bool pending, ts_lua_t **sp, const char *script, int64_t *after,
          long long *done, long long *failed, const char **errp)
{
    if (ts_db_begin(r) != TS_OK) {
        return TS_ERROR;
    }
    int rc;
    if (pending) {
        rc = drain_batch(r, sp, script, done, failed, errp);
    } else {
        ts_db_result_t *res = ts_lua_leads_after(r, *after, BATCH);
        rc = res == NULL ? TS_ERROR : ts_db_rows(res) == 0 ? TS_DECLINED : TS_OK;
        if (rc == TS_OK) {
            *after = ts_db_get_int(res, ts_db_rows(res) - 1, "id");
            rc = rescore_batch(r, sp, script, res, done, failed, errp);
        }
    }
    if (rc == TS_ERROR) {
        ts_db_rollback(r);
        return TS_ERROR;
    }
    return ts_db_commit(r) == TS_OK ? rc : TS_ERROR;
}

/* Every lead of the tenant (kind lead), or (`pending`) the waiting ones, in
 * batches of BATCH, each batch a transaction (and a pool) of its own. */
static int
rescore(ts_request_t *r, bool pending, long long *done, long long *failed, const char **errp)
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
        ts_pool_t *pool = ts_pool_create(0);
        const char *e = NULL;
        int rc = one_batch(batch_request(r, pool), pending, &s, script, &after, done, failed, &e);
        if (e != NULL) {
            *errp = ts_pstrdup(r->pool, e);
        }
        ts_pool_destroy(pool);
        if (rc != TS_OK) {
            return rc == TS_DECLINED ? TS_OK : TS_ERROR;
        }
    }
}

/* The job: {"drain": true} scores the waiting leads, {"all": true} every
 * lead; {"lead_id": N} (queued by older versions) makes N wait and drains.
 * A script error is logged (lua_runs) and not retried: the same script
 * would fail the same way. */
static int
rescore_job(ts_request_t *r, const cJSON *payload, const char **err)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(payload, "lead_id");
    long long done = 0, failed = 0;
    const char *e = NULL;
    if (cJSON_IsNumber(id) && pending_add(r, (int64_t) id->valuedouble) != TS_OK) {
        return TS_ERROR;
    }
    bool all = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(payload, "all"));
    int rc = rescore(r, !all, &done, &failed, &e);
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
    int rc = rescore(r, false, &done, &failed, &e);
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
    rc |= ts_job_every(DRAIN_AFTER_S, safety_drain);
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

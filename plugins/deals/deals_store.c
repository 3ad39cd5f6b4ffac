/* What every deals handler shares: error shapes, loading a deal, its JSON,
 * the stage move with its history and event, and tags. */
#include <string.h>
#include "deals.h"

void
deals_field(cJSON **fields, const char *name, const char *msg)
{
    if (*fields == NULL) {
        *fields = cJSON_CreateObject();
    }
    if (cJSON_GetObjectItemCaseSensitive(*fields, name) == NULL) {
        cJSON_AddStringToObject(*fields, name, msg);
    }
}

int
deals_invalid(ts_request_t *r, cJSON *fields)
{
    return ts_resp_error(r, 422, "validation_failed", "some fields are invalid", fields);
}

int
deals_forbidden(ts_request_t *r, const char *message)
{
    return ts_resp_error(r, 403, "forbidden", message, NULL);
}

/* TS_OK, TS_DECLINED (no such deal in this tenant) or TS_ERROR. With lock the
 * row is read FOR UPDATE: moves of one deal are serialised. */
int
deals_load_head(ts_request_t *r, int64_t id, bool lock, deals_head_t *out)
{
    ts_db_result_t *res = lock
        ? ts_db_query(r, "SELECT id, type, pipeline, stage, COALESCE(agent_id, 0) AS agent_id"
                         " FROM deals WHERE tenant_id = {tenant} AND id = ? AND deleted_at IS NULL"
                         " FOR UPDATE", "i", id)
        : ts_db_query(r, "SELECT id, type, pipeline, stage, COALESCE(agent_id, 0) AS agent_id"
                         " FROM deals WHERE tenant_id = {tenant} AND id = ? AND deleted_at IS NULL",
                      "i", id);
    if (res == NULL) {
        return TS_ERROR;
    }
    if (ts_db_rows(res) == 0) {
        return TS_DECLINED;
    }
    out->id = id;
    out->type = ts_db_get(res, 0, "type");
    out->pipeline = ts_db_get(res, 0, "pipeline");
    out->stage = ts_db_get(res, 0, "stage");
    out->agent_id = ts_db_get_int(res, 0, "agent_id");
    out->closed = deals_stage_closed(out->stage);
    return TS_OK;
}

/* Managers change any deal; agents their own and unassigned ones. */
bool
deals_may_edit(ts_request_t *r, const deals_head_t *d)
{
    if (r->user->role >= TS_ROLE_MANAGER) {
        return true;
    }
    return r->user->role == TS_ROLE_AGENT && (d->agent_id == 0 || d->agent_id == r->user->id);
}

static cJSON *
parsed_or_null(const char *text)
{
    cJSON *j = text ? cJSON_Parse(text) : NULL;
    return j ? j : cJSON_CreateNull();
}

static void
add_preferences(ts_request_t *r, cJSON *o, int64_t id)
{
    ts_db_result_t *res = ts_db_query(r, "SELECT transaction, property_types, towns, areas, required_tags,"
                                         " budget_min, budget_max, area_min, area_max, bedrooms_min,"
                                         " bathrooms_min FROM deal_preferences"
                                         " WHERE tenant_id = {tenant} AND deal_id = ?", "i", id);
    if (res == NULL || ts_db_rows(res) == 0) {
        cJSON_AddNullToObject(o, "preferences");
        return;
    }
    cJSON *p = ts_db_row_json(r, res, 0);
    static const char *lists[] = { "property_types", "towns", "areas", "required_tags" };
    for (size_t i = 0; i < 4; i++) {
        cJSON_ReplaceItemInObjectCaseSensitive(p, lists[i],
                                               parsed_or_null(ts_db_get(res, 0, lists[i])));
    }
    cJSON_AddItemToObject(o, "preferences", p);
}

/* The whole record: NULL when the deal is not this tenant's (or is deleted). */
cJSON *
deals_json(ts_request_t *r, int64_t id)
{
    ts_db_result_t *res = ts_db_query(r,
        "SELECT id, ref, name, type, pipeline, stage, value, currency, commission_percent,"
        " commission_amount, expected_close_date, probability, lost_reason, agent_id, custom,"
        " closed_at, stage_changed_at, created_by, created_at, updated_at"
        " FROM deals WHERE tenant_id = {tenant} AND id = ? AND deleted_at IS NULL", "i", id);
    if (res == NULL || ts_db_rows(res) == 0) {
        return NULL;
    }
    cJSON *o = ts_db_row_json(r, res, 0);
    const deals_pipeline_t *p = deals_pipeline(ts_db_get(res, 0, "pipeline"));
    const deals_stage_t *st = deals_stage(p, ts_db_get(res, 0, "stage"));
    cJSON_AddStringToObject(o, "stage_label", st ? deals_label(r, st->code) : "");
    cJSON_AddBoolToObject(o, "closed", ts_db_get(res, 0, "closed_at") != NULL);
    cJSON_ReplaceItemInObjectCaseSensitive(o, "custom", parsed_or_null(ts_db_get(res, 0, "custom")));

    ts_db_result_t *c = ts_db_query(r,
        "SELECT dc.contact_id AS id, dc.kind, c.kind AS contact_kind,"
        " TRIM(CONCAT(c.first_name, ' ', c.last_name)) AS name, c.email, c.phone"
        " FROM deal_contacts dc JOIN contacts c ON c.tenant_id = dc.tenant_id AND c.id = dc.contact_id"
        " WHERE dc.tenant_id = {tenant} AND dc.deal_id = ? ORDER BY dc.kind = 'co', c.id", "i", id);
    ts_db_result_t *pr = ts_db_query(r,
        "SELECT dp.property_id AS id, dp.is_primary = 1 AS `primary`, p.ref, p.type, p.status,"
        " p.price, p.currency, p.town FROM deal_properties dp JOIN properties p"
        " ON p.tenant_id = dp.tenant_id AND p.id = dp.property_id"
        " WHERE dp.tenant_id = {tenant} AND dp.deal_id = ? ORDER BY dp.is_primary DESC,"
        " dp.property_id", "i", id);
    ts_db_result_t *t = ts_db_query(r, "SELECT tag FROM tags WHERE tenant_id = {tenant}"
                                       " AND entity = 'deal' AND entity_id = ? ORDER BY tag", "i", id);
    if (c == NULL || pr == NULL || t == NULL) {
        cJSON_Delete(o);
        return NULL;
    }
    cJSON_AddItemToObject(o, "contacts", ts_db_rows_json(r, c));
    cJSON *props = ts_db_rows_json(r, pr);
    cJSON *it;
    cJSON_ArrayForEach(it, props) {
        cJSON *flag = cJSON_GetObjectItemCaseSensitive(it, "primary");
        cJSON_ReplaceItemInObjectCaseSensitive(it, "primary", cJSON_CreateBool(cJSON_IsTrue(flag)
                                               || (cJSON_IsNumber(flag) && flag->valuedouble != 0)));
    }
    cJSON_AddItemToObject(o, "properties", props);
    cJSON *tags = cJSON_AddArrayToObject(o, "tags");
    for (size_t i = 0; i < ts_db_rows(t); i++) {
        cJSON_AddItemToArray(tags, cJSON_CreateString(ts_db_get(t, i, "tag")));
    }
    if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "pipeline")), "buyer") == 0) {
        add_preferences(r, o, id);
    }
    return o;
}

int
deals_show_id(ts_request_t *r, int status, int64_t id)
{
    cJSON *o = deals_json(r, id);
    if (o == NULL) {
        return ts_resp_error(r, 404, "not_found", "no such deal", NULL);
    }
    return ts_resp_data(r, status, o);
}

int
deals_history_add(ts_request_t *r, int64_t deal_id, const char *pipeline, const char *from,
                  const char *to, const char *lost_reason)
{
    return ts_db_exec(r, "INSERT INTO deal_stage_history (tenant_id, deal_id, pipeline, from_stage,"
                         " to_stage, lost_reason, user_id) VALUES ({tenant}, ?, ?, ?, ?, ?, ?)",
                      "issssi", deal_id, pipeline, from, to, lost_reason, r->user->id);
}

/* The primary property a won sale hands to the properties plugin, or 0. */
static int64_t
property_to_sell(ts_request_t *r, const deals_head_t *d)
{
    if (strcmp(d->type, "buy") != 0 && strcmp(d->type, "sell") != 0) {
        return 0;
    }
    ts_db_result_t *s = ts_db_query(r, "SELECT sold_on_won FROM deal_settings"
                                       " WHERE tenant_id = {tenant}", "");
    if (s != NULL && ts_db_rows(s) > 0 && ts_db_get_int(s, 0, "sold_on_won") == 0) {
        return 0;
    }
    ts_db_result_t *p = ts_db_query(r, "SELECT property_id FROM deal_properties WHERE"
                                       " tenant_id = {tenant} AND deal_id = ? AND is_primary = 1",
                                    "i", d->id);
    return p != NULL && ts_db_rows(p) > 0 ? ts_db_get_int(p, 0, "property_id") : 0;
}

static const char *
prefixed(ts_request_t *r, const char *prefix, const char *name)
{
    return prefix ? ts_psprintf(r->pool, "%s%s", prefix, name) : name;
}

int
deals_move(ts_request_t *r, const deals_head_t *d, const char *to, const char *lost_reason,
           bool reopen, const int *probability, const char *prefix, cJSON **fields)
{
    const deals_pipeline_t *p = deals_pipeline(d->pipeline);
    const deals_stage_t *st = deals_stage(p, to);
    if (st == NULL) {
        deals_field(fields, prefixed(r, prefix, "stage"),
                    ts_psprintf(r->pool, "not a stage of the %s pipeline (%s)", d->pipeline,
                                deals_stage_codes(r, p)));
        return TS_DECLINED;
    }
    if (strcmp(to, d->stage) == 0) {
        return TS_OK;
    }
    if (d->closed && !reopen) {
        deals_field(fields, prefixed(r, prefix, "stage"),
                    ts_psprintf(r->pool, "the deal is closed (%s): send \"reopen\": true to move it",
                                d->stage));
        return TS_DECLINED;
    }
    bool lost = strcmp(to, "lost") == 0;
    if (lost && (lost_reason == NULL || *lost_reason == '\0')) {
        deals_field(fields, prefixed(r, prefix, "lost_reason"), "required when moving to lost");
        return TS_DECLINED;
    }
    if (lost && strlen(lost_reason) > 500) {
        deals_field(fields, prefixed(r, prefix, "lost_reason"), "at most 500 characters");
        return TS_DECLINED;
    }
    bool closing = deals_stage_closed(to);
    int prob = probability ? *probability : st->probability;
    if (ts_db_exec(r, "UPDATE deals SET stage = ?, probability = ?, lost_reason = ?,"
                      " closed_at = IF(? = 1, UTC_TIMESTAMP(), NULL),"
                      " stage_changed_at = UTC_TIMESTAMP(6), updated_by = ?"
                      " WHERE tenant_id = {tenant} AND id = ?", "sisiii",
                   to, (int64_t) prob, lost ? lost_reason : NULL, (int64_t) closing,
                   r->user->id, d->id) != TS_OK
        || deals_history_add(r, d->id, d->pipeline, d->stage, to, lost ? lost_reason : NULL) != TS_OK) {
        return TS_ERROR;
    }
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddNumberToObject(ev, "id", (double) d->id);
    cJSON_AddStringToObject(ev, "type", d->type);
    cJSON_AddStringToObject(ev, "pipeline", d->pipeline);
    cJSON_AddStringToObject(ev, "from", d->stage);
    cJSON_AddStringToObject(ev, "to", to);
    cJSON_AddNumberToObject(ev, "user_id", (double) r->user->id);
    if (lost) {
        cJSON_AddStringToObject(ev, "lost_reason", lost_reason);
    }
    int64_t sell = strcmp(to, "won") == 0 ? property_to_sell(r, d) : 0;
    if (sell > 0) {
        /* The properties plugin owns the status and its depublication rule:
         * it applies "sold" when it receives this event. */
        cJSON_AddNumberToObject(ev, "property_id", (double) sell);
        cJSON_AddStringToObject(ev, "property_status", "sold");
    }
    return ts_event_emit(r, "deal.stage_changed", ev);
}

int
deals_tags_check(const cJSON *tags, const char *name, cJSON **fields)
{
    if (tags == NULL) {
        return TS_OK;
    }
    if (!cJSON_IsArray(tags) || cJSON_GetArraySize(tags) > 50) {
        deals_field(fields, name, "a list of at most 50 tags");
        return TS_DECLINED;
    }
    const cJSON *t;
    cJSON_ArrayForEach(t, tags) {
        const char *s = cJSON_GetStringValue(t);
        if (s == NULL || *s == '\0' || strlen(s) > 64) {
            deals_field(fields, name, "each tag is a text of 1 to 64 characters");
            return TS_DECLINED;
        }
    }
    return TS_OK;
}

/* Adds (add) or removes the given tags of a deal. */
int
deals_tags_apply(ts_request_t *r, int64_t id, const cJSON *tags, bool add)
{
    const cJSON *t;
    cJSON_ArrayForEach(t, tags) {
        int rc = add
            ? ts_db_exec(r, "INSERT IGNORE INTO tags (tenant_id, entity, entity_id, tag)"
                            " VALUES ({tenant}, 'deal', ?, ?)", "is", id, cJSON_GetStringValue(t))
            : ts_db_exec(r, "DELETE FROM tags WHERE tenant_id = {tenant} AND entity = 'deal'"
                            " AND entity_id = ? AND tag = ?", "is", id, cJSON_GetStringValue(t));
        if (rc != TS_OK) {
            return TS_ERROR;
        }
    }
    return TS_OK;
}

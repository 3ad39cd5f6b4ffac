/* /api/v1/deals/{id}: create, read, change (fields, stage, links), delete,
 * and the stage history. */
#include <string.h>
#include "deals.h"

static int
not_found(ts_request_t *r)
{
    return ts_resp_error(r, 404, "not_found", "no such deal", NULL);
}

static const cJSON *
json_object_body(ts_request_t *r)
{
    const cJSON *j = ts_req_json(r);
    return cJSON_IsObject(j) ? j : NULL;
}

static int
bad_body(ts_request_t *r)
{
    return ts_resp_error(r, 400, "bad_body", "a JSON object is expected", NULL);
}

/* The changed top-level fields between two versions of the record. */
static cJSON *
changes(const cJSON *before, const cJSON *after)
{
    cJSON *out = cJSON_CreateObject();
    const cJSON *a;
    cJSON_ArrayForEach(a, after) {
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(before, a->string);
        if (strcmp(a->string, "updated_at") != 0 && !cJSON_Compare(a, b, true)) {
            cJSON *pair = cJSON_CreateArray();
            cJSON_AddItemToArray(pair, b ? cJSON_Duplicate(b, true) : cJSON_CreateNull());
            cJSON_AddItemToArray(pair, cJSON_Duplicate(a, true));
            cJSON_AddItemToObject(out, a->string, pair);
        }
    }
    return out;
}

/* The next reference number, under the settings row's lock. */
static const char *
next_ref(ts_request_t *r, int64_t *seq)
{
    if (ts_db_exec(r, "INSERT INTO deal_settings (tenant_id, last_seq) VALUES ({tenant}, 1)"
                      " ON DUPLICATE KEY UPDATE last_seq = last_seq + 1", "") != TS_OK) {
        return NULL;
    }
    ts_db_result_t *s = ts_db_query(r, "SELECT last_seq, ref_prefix, ref_padding, ref_suffix"
                                       " FROM deal_settings WHERE tenant_id = {tenant}", "");
    if (s == NULL || ts_db_rows(s) == 0) {
        return NULL;
    }
    *seq = ts_db_get_int(s, 0, "last_seq");
    return ts_psprintf(r->pool, "%s%0*lld%s", ts_db_get(s, 0, "ref_prefix"),
                       (int) ts_db_get_int(s, 0, "ref_padding"), (long long) *seq,
                       ts_db_get(s, 0, "ref_suffix"));
}

static int64_t
main_contact(const cJSON *contacts)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, contacts) {
        const char *k = deals_ustr(c, "kind");
        if (k && strcmp(k, "main") == 0) {
            return (int64_t) cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "id"));
        }
    }
    return 0;
}

/* Links, tags and preferences of create and patch, inside the transaction. */
static int
apply_links(ts_request_t *r, int64_t id, const char *pipeline, const cJSON *j, cJSON **fields)
{
    const cJSON *contacts = cJSON_GetObjectItemCaseSensitive(j, "contacts");
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(j, "properties");
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(j, "tags");
    const cJSON *prefs = cJSON_GetObjectItemCaseSensitive(j, "preferences");
    int rc = TS_OK;
    if (contacts != NULL && (rc = deals_set_contacts(r, id, contacts, fields)) == TS_ERROR) {
        return rc;
    }
    if (props != NULL && deals_set_properties(r, id, props, fields) == TS_ERROR) {
        return TS_ERROR;
    }
    if (prefs != NULL && !cJSON_IsNull(prefs) && strcmp(pipeline, "buyer") != 0) {
        deals_field(fields, "preferences", "only buy and rent deals have search preferences");
    }
    if (*fields != NULL) {
        return TS_DECLINED;
    }
    if (tags != NULL
        && (ts_db_exec(r, "DELETE FROM tags WHERE tenant_id = {tenant} AND entity = 'deal'"
                          " AND entity_id = ?", "i", id) != TS_OK
            || deals_tags_apply(r, id, tags, true) != TS_OK)) {
        return TS_ERROR;
    }
    if (prefs != NULL && deals_set_preferences(r, id, prefs) != TS_OK) {
        return TS_ERROR;
    }
    return TS_OK;
}

/* The saved deal's custom values against the tenant's deal fields (once it
 * defines some): unknown keys, types, options, validate; compute() stored. */
static int
apply_custom(ts_request_t *r, int64_t id, const cJSON *j, cJSON **fields)
{
    int n = ts_custom_fields_count(r, "deal");
    if (n <= 0) {
        return n == 0 ? TS_OK : TS_ERROR;
    }
    cJSON *rec = deals_json(r, id);
    if (rec == NULL) {
        return TS_ERROR;
    }
    cJSON *changed = NULL, *errors = NULL;
    int rc = ts_custom_fields_write(r, "deal", cJSON_GetObjectItemCaseSensitive(j, "custom"), rec,
                                    &changed, &errors);
    cJSON_Delete(rec);
    const cJSON *e;
    cJSON_ArrayForEach(e, errors) {
        deals_field(fields, e->string, cJSON_GetStringValue(e));
    }
    cJSON_Delete(errors);
    if (rc != TS_OK || changed == NULL) {
        return rc;
    }
    char *text = cJSON_PrintUnformatted(changed);
    cJSON_Delete(changed);
    rc = ts_db_exec(r, "UPDATE deals SET custom = ? WHERE tenant_id = {tenant} AND id = ?", "si",
                    text, id);
    cJSON_free(text);
    return rc;
}

/* Ends a refused or failed change: rollback, and the outcome for answer(). */
static int
refuse(ts_request_t *r, int rc, bool forbidden)
{
    ts_db_rollback(r);
    return forbidden ? 403 : rc;
}

/* The answer to an outcome of deals_create_json or deals_patch_json. */
int
deals_answer(ts_request_t *r, int rc, cJSON *fields, int ok_status, int64_t id)
{
    if (rc == TS_OK) {
        cJSON_Delete(fields);
        return deals_show_id(r, ok_status, id);
    }
    if (rc == TS_DECLINED) {
        return deals_invalid(r, fields);
    }
    cJSON_Delete(fields);
    if (rc == 403) {
        return deals_forbidden(r, "agents change only their own deals, and only managers assign"
                                  " deals to other agents");
    }
    if (rc == 404) {
        return not_found(r);
    }
    return TS_ERROR;
}

/* The audit's note of a deal made from a lead: {"from_lead": [null, id]}. */
static cJSON *
from_lead_change(ts_request_t *r, const cJSON *body)
{
    const cJSON *fl = cJSON_GetObjectItemCaseSensitive(body, "from_lead");
    if (fl == NULL) {
        return NULL;
    }
    cJSON *ch = cJSON_CreateObject();
    ts_pool_cleanup_add(r->pool, (void (*)(void *)) cJSON_Delete, ch);
    cJSON *pair = cJSON_AddArrayToObject(ch, "from_lead");
    cJSON_AddItemToArray(pair, cJSON_CreateNull());
    cJSON_AddItemToArray(pair, cJSON_Duplicate(fl, false));
    return ch;
}

/* Creates a deal from the body (with from_lead, from a converted lead): TS_OK
 * with *id, TS_DECLINED with *fields, 403 or TS_ERROR. */
int
deals_create_json(ts_request_t *r, const cJSON *body, int64_t *id_out, cJSON **fieldsp)
{
    cJSON *fields = NULL;
    const cJSON *j = body;
    int lr = deals_from_lead(r, body, &j, &fields);
    if (lr != TS_OK) {
        *fieldsp = fields;
        return lr;
    }
    if (deals_input_shape(r, j, true, &fields) != TS_OK) {
        *fieldsp = fields;
        return TS_DECLINED;
    }
    const char *type = deals_ustr(j, "type");
    const deals_pipeline_t *p = deals_pipeline_of_type(type);
    const char *stage = deals_ustr(j, "stage");
    if (stage == NULL) {
        stage = p->stages[0].code;
    }
    const deals_stage_t *st = deals_stage(p, stage);
    const char *lost_reason = deals_ustr(j, "lost_reason");
    if (st == NULL) {
        deals_field(&fields, "stage", ts_psprintf(r->pool, "not a stage of the %s pipeline (%s)",
                                                  p->code, deals_stage_codes(r, p)));
    } else if (strcmp(stage, "lost") == 0 && (lost_reason == NULL || *lost_reason == '\0')) {
        deals_field(&fields, "lost_reason", "required when moving to lost");
    }
    if (fields != NULL) {
        *fieldsp = fields;
        return TS_DECLINED;
    }
    if (ts_db_begin(r) != TS_OK) {
        return TS_ERROR;
    }
    bool forbidden = false;
    int rc = deals_check_agent(r, j, &fields, &forbidden);
    *fieldsp = fields;
    if (rc != TS_OK) {
        return refuse(r, rc, forbidden);
    }
    int64_t seq = 0;
    const char *ref = next_ref(r, &seq);
    const cJSON *agent = cJSON_GetObjectItemCaseSensitive(j, "agent_id");
    int64_t agent_id = agent == NULL ? r->user->id
                       : cJSON_IsNull(agent) ? 0 : (int64_t) agent->valuedouble;
    bool closed = deals_stage_closed(stage);
    if (ref == NULL
        || ts_db_exec(r, "INSERT INTO deals (tenant_id, seq, ref, name, type, pipeline, stage,"
                         " probability, lost_reason, agent_id, closed_at, created_by, updated_by)"
                         " VALUES ({tenant}, ?, ?, ?, ?, ?, ?, ?, ?, NULLIF(?, 0),"
                         " IF(? = 1, UTC_TIMESTAMP(), NULL), ?, ?)", "isssssisiiii",
                      seq, ref, deals_ustr(j, "name"), type, p->code, stage,
                      (int64_t) st->probability, strcmp(stage, "lost") == 0 ? lost_reason : NULL,
                      agent_id, (int64_t) closed, r->user->id, r->user->id) != TS_OK) {
        return refuse(r, TS_ERROR, false);
    }
    int64_t id = ts_db_insert_id(r);
    if (deals_apply_scalars(r, id, j) != TS_OK) {
        return refuse(r, TS_ERROR, false);
    }
    rc = apply_links(r, id, p->code, j, fieldsp);
    if (rc == TS_OK) {
        rc = apply_custom(r, id, j, fieldsp);
    }
    if (rc != TS_OK) {
        return refuse(r, rc, false);
    }
    const cJSON *contacts = cJSON_GetObjectItemCaseSensitive(j, "contacts");
    if (strcmp(p->code, "buyer") == 0 && cJSON_GetObjectItemCaseSensitive(j, "preferences") == NULL
        && deals_copy_preferences(r, id, type, main_contact(contacts)) != TS_OK) {
        return refuse(r, TS_ERROR, false);
    }
    if (deals_history_add(r, id, p->code, NULL, stage, NULL) != TS_OK
        || ts_audit(r, "deal", id, "create", from_lead_change(r, body)) != TS_OK) {
        return refuse(r, TS_ERROR, false);
    }
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddNumberToObject(ev, "id", (double) id);
    cJSON_AddStringToObject(ev, "ref", ref);
    cJSON_AddStringToObject(ev, "type", type);
    cJSON_AddStringToObject(ev, "stage", stage);
    /* The linked properties, for their plugin's lead count. */
    cJSON *pids = cJSON_AddArrayToObject(ev, "property_ids");
    const cJSON *lp;
    cJSON_ArrayForEach(lp, cJSON_GetObjectItemCaseSensitive(j, "properties")) {
        const cJSON *lid = cJSON_GetObjectItemCaseSensitive(lp, "id");
        if (cJSON_IsNumber(lid)) {
            cJSON_AddItemToArray(pids, cJSON_CreateNumber(lid->valuedouble));
        }
    }
    ts_event_emit(r, "deal.created", ev);
    if (ts_db_commit(r) != TS_OK) {
        return TS_ERROR;
    }
    *id_out = id;
    return TS_OK;
}

int
deals_create(ts_request_t *r)
{
    const cJSON *j = json_object_body(r);
    if (j == NULL) {
        return bad_body(r);
    }
    cJSON *fields = NULL;
    int64_t id = 0;
    int rc = deals_create_json(r, j, &id, &fields);
    return deals_answer(r, rc, fields, 201, id);
}

int
deals_show(ts_request_t *r)
{
    int64_t id;
    if (ts_req_param_id(r, "id", &id) != TS_OK) {
        return not_found(r);
    }
    return deals_show_id(r, 200, id);
}

/* A type may change within its pipeline only (buy <-> rent, sell <-> rent out):
 * the stages of one pipeline mean nothing in the other. */
static bool
type_fits(const deals_head_t *d, const char *type)
{
    const deals_pipeline_t *p = deals_pipeline_of_type(type);
    return p != NULL && strcmp(p->code, d->pipeline) == 0;
}

/* A body that only moves the stage (the board's PATCH): stage, with a lost
 * reason, a reopen or a probability. deals_move sets updated_by itself. */
static bool
stage_move_only(const cJSON *j)
{
    if (cJSON_GetObjectItemCaseSensitive(j, "stage") == NULL) {
        return false;
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, j) {
        if (strcmp(it->string, "stage") && strcmp(it->string, "lost_reason")
            && strcmp(it->string, "reopen")) {
            return false;
        }
    }
    return true;
}

/* Changes deal id as j says: TS_OK, TS_DECLINED with *fields, 403, 404 or TS_ERROR. */
int
deals_patch_json(ts_request_t *r, int64_t id, const cJSON *j, cJSON **fieldsp)
{
    cJSON *fields = NULL;
    if (deals_input_shape(r, j, false, &fields) != TS_OK) {
        *fieldsp = fields;
        return TS_DECLINED;
    }
    if (ts_db_begin(r) != TS_OK) {
        return TS_ERROR;
    }
    deals_head_t d;
    int rc = deals_load_head(r, id, true, &d);
    if (rc != TS_OK) {
        return refuse(r, rc == TS_DECLINED ? 404 : TS_ERROR, false);
    }
    if (!deals_may_edit(r, &d)) {
        return refuse(r, 403, false);
    }
    const char *type = deals_ustr(j, "type");
    if (type != NULL && !type_fits(&d, type)) {
        deals_field(&fields, "type", ts_psprintf(r->pool, "a %s deal stays on the %s pipeline"
                                                 " (%s)", d.type, d.pipeline,
                                                 strcmp(d.pipeline, "buyer") == 0
                                                 ? "buy or rent" : "sell or rent_out"));
        *fieldsp = fields;
        return refuse(r, TS_DECLINED, false);
    }
    /* Changing a closed deal's fields is fine; only its stage needs a reopen.
     * A bare move (the board's) is audited from the head it already read;
     * any other change compares the whole record before and after. */
    bool forbidden = false, move_only = stage_move_only(j);
    cJSON *before = move_only ? NULL : deals_json(r, id);
    rc = deals_check_agent(r, j, &fields, &forbidden);
    if (rc == TS_OK && type != NULL
        && ts_db_exec(r, "UPDATE deals SET type = ? WHERE tenant_id = {tenant} AND id = ?", "si",
                      type, id) != TS_OK) {
        rc = TS_ERROR;
    }
    const char *stage = deals_ustr(j, "stage");
    const cJSON *prob = cJSON_GetObjectItemCaseSensitive(j, "probability");
    int probv = prob ? (int) prob->valuedouble : 0;
    if (rc == TS_OK && stage != NULL) {
        rc = deals_move(r, &d, stage, deals_ustr(j, "lost_reason"),
                        cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "reopen")),
                        prob ? &probv : NULL, NULL, &fields);
    }
    if (rc == TS_OK) {
        rc = deals_apply_scalars(r, id, j);
    }
    if (rc == TS_OK) {
        rc = apply_links(r, id, d.pipeline, j, &fields);
    }
    if (rc == TS_OK && !move_only) {
        rc = apply_custom(r, id, j, &fields);
    }
    *fieldsp = fields;
    if (rc != TS_OK) {
        cJSON_Delete(before);
        return refuse(r, rc, forbidden);
    }
    cJSON *diff;
    if (move_only) {
        diff = cJSON_CreateObject();
        if (strcmp(d.stage, stage) != 0) {
            cJSON *pair = cJSON_AddArrayToObject(diff, "stage");
            cJSON_AddItemToArray(pair, cJSON_CreateString(d.stage));
            cJSON_AddItemToArray(pair, cJSON_CreateString(stage));
        }
    } else {
        cJSON *after = deals_json(r, id);
        diff = changes(before, after);
        cJSON_Delete(after);
    }
    cJSON_Delete(before);
    rc = ts_audit(r, "deal", id, "update", diff);
    cJSON_Delete(diff);
    if (rc != TS_OK || (!move_only && ts_db_exec(r, "UPDATE deals SET updated_by = ? WHERE"
                                                    " tenant_id = {tenant} AND id = ?", "ii",
                                                 r->user->id, id) != TS_OK)) {
        return refuse(r, TS_ERROR, false);
    }
    return ts_db_commit(r) == TS_OK ? TS_OK : TS_ERROR;
}

int
deals_patch(ts_request_t *r)
{
    int64_t id;
    if (ts_req_param_id(r, "id", &id) != TS_OK) {
        return not_found(r);
    }
    const cJSON *j = json_object_body(r);
    if (j == NULL) {
        return bad_body(r);
    }
    cJSON *fields = NULL;
    int rc = deals_patch_json(r, id, j, &fields);
    return deals_answer(r, rc, fields, 200, id);
}

int
deals_delete(ts_request_t *r)
{
    int64_t id;
    if (ts_req_param_id(r, "id", &id) != TS_OK) {
        return not_found(r);
    }
    if (ts_db_begin(r) != TS_OK) {
        return TS_ERROR;
    }
    deals_head_t d;
    int rc = deals_load_head(r, id, true, &d);
    if (rc != TS_OK) {
        ts_db_rollback(r);
        return rc == TS_DECLINED ? not_found(r) : TS_ERROR;
    }
    if (ts_db_exec(r, "UPDATE deals SET deleted_at = UTC_TIMESTAMP(), updated_by = ?"
                      " WHERE tenant_id = {tenant} AND id = ?", "ii", r->user->id, id) != TS_OK
        || ts_audit(r, "deal", id, "delete", NULL) != TS_OK) {
        ts_db_rollback(r);
        return TS_ERROR;
    }
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddNumberToObject(ev, "id", (double) id);
    ts_event_emit(r, "deal.deleted", ev);
    if (ts_db_commit(r) != TS_OK) {
        return TS_ERROR;
    }
    return ts_resp_no_content(r);
}

int
deals_history(ts_request_t *r)
{
    int64_t id;
    if (ts_req_param_id(r, "id", &id) != TS_OK) {
        return not_found(r);
    }
    deals_head_t d;
    int rc = deals_load_head(r, id, false, &d);
    if (rc != TS_OK) {
        return rc == TS_DECLINED ? not_found(r) : TS_ERROR;
    }
    ts_db_result_t *res = ts_db_query(r,
        "SELECT h.id, h.from_stage AS `from`, h.to_stage AS `to`, h.lost_reason, h.user_id,"
        " u.name AS user_name, h.created_at AS at FROM deal_stage_history h"
        " LEFT JOIN users u ON u.tenant_id = h.tenant_id AND u.id = h.user_id"
        " WHERE h.tenant_id = {tenant} AND h.deal_id = ? ORDER BY h.id", "i", id);
    if (res == NULL) {
        return TS_ERROR;
    }
    cJSON *items = ts_db_rows_json(r, res);
    cJSON *e;
    cJSON_ArrayForEach(e, items) {
        const char *from = deals_ustr(e, "from");
        cJSON_AddItemToObject(e, "from_label", from ? cJSON_CreateString(deals_label(r, from))
                                                    : cJSON_CreateNull());
        cJSON_AddStringToObject(e, "to_label", deals_label(r, deals_ustr(e, "to")));
    }
    return ts_resp_list(r, items, NULL, (long long) ts_db_rows(res));
}

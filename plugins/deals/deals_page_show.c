/* The deal page: header with stage and value, the stage form, contacts,
 * properties, matching properties (deals_page_matches.c), the stage history as a timeline, activities and tasks. */
#include <string.h>
#include "deals_ui.h"

static void
stage_options(ts_request_t *r, ts_tpl_dict_t *d, const char *pipeline, const char *current)
{
    const deals_pipeline_t *p = deals_pipeline(pipeline);
    for (int i = 0; p != NULL && i < p->nstages; i++) {
        ts_tpl_dict_t *o = ts_tpl_section(d, "STAGE_OPT");
        ts_tpl_set(o, "VALUE", p->stages[i].code);
        ts_tpl_set(o, "LABEL", deals_label(r, p->stages[i].code));
        if (strcmp(p->stages[i].code, current) == 0) {
            ts_tpl_show(o, "SELECTED");
        }
    }
}

static int
render(ts_request_t *r, int64_t id, int status, cJSON *fields)
{
    cJSON *deal = deals_json(r, id);
    if (deal == NULL) {
        cJSON_Delete(fields);
        return deals_page_error(r, 404, "no such deal");
    }
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    const char *pipeline = deals_ustr(deal, "pipeline");
    ts_tpl_set(d, "TITLE", deals_ustr(deal, "name"));
    static const char *cols[][2] = {
        { "ID", "id" }, { "NAME", "name" }, { "REF", "ref" }, { "TYPE", "type" },
        { "PIPELINE", "pipeline" }, { "STAGE", "stage" }, { "STAGE_LABEL", "stage_label" },
        { "PROBABILITY", "probability" }, { "CLOSE_DATE", "expected_close_date" },
        { "LOST_REASON", "lost_reason" }, { "CURRENCY", "currency" },
        { "COMMISSION_PERCENT", "commission_percent" },
    };
    for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
        deals_tpl_json(d, cols[i][0], deal, cols[i][1]);
    }
    ts_tpl_set(d, "VALUE_TEXT", deals_money(r, cJSON_GetNumberValue(
                   cJSON_GetObjectItemCaseSensitive(deal, "value")), deals_ustr(deal, "currency")));
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(deal, "closed"))) {
        ts_tpl_show(d, "CLOSED");
    }
    if (deals_ustr(deal, "lost_reason") != NULL) {
        ts_tpl_show(d, "HAS_LOST_REASON");
    }
    stage_options(r, d, pipeline, deals_ustr(deal, "stage"));
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(deal, "contacts")) {
        ts_tpl_dict_t *c = ts_tpl_section(d, "CONTACT");
        deals_tpl_json(c, "CONTACT_ID", it, "id");
        deals_tpl_json(c, "CONTACT_NAME", it, "name");
        deals_tpl_json(c, "CONTACT_EMAIL", it, "email");
        ts_tpl_set(c, "KIND", strcmp(deals_ustr(it, "kind"), "main") == 0 ? "Main contact" : "Co-contact");
    }
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(deal, "properties")) {
        ts_tpl_dict_t *p = ts_tpl_section(d, "PROPERTY");
        deals_tpl_json(p, "PROPERTY_ID", it, "id");
        deals_tpl_json(p, "PROPERTY_REF", it, "ref");
        deals_tpl_json(p, "PROPERTY_TOWN", it, "town");
        deals_tpl_json(p, "PROPERTY_STATUS", it, "status");
        ts_tpl_set(p, "PRICE_TEXT", deals_money(r, cJSON_GetNumberValue(
                       cJSON_GetObjectItemCaseSensitive(it, "price")), deals_ustr(it, "currency")));
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "primary"))) {
            ts_tpl_show(p, "PRIMARY");
        }
    }
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(deal, "tags")) {
        ts_tpl_set(ts_tpl_section(d, "TAG"), "TAG_NAME", it->valuestring);
    }
    ts_db_result_t *h = ts_db_query(r,
        "SELECT h.from_stage, h.to_stage, h.lost_reason, u.name AS user_name,"
        " DATE_FORMAT(h.created_at, '%Y-%m-%d %H:%i') AS at,"
        " DATE_FORMAT(h.created_at, '%Y-%m-%dT%H:%i:%sZ') AS iso"
        " FROM deal_stage_history h LEFT JOIN users u ON u.tenant_id = h.tenant_id AND u.id = h.user_id"
        " WHERE h.tenant_id = {tenant} AND h.deal_id = ? ORDER BY h.id DESC", "i", id);
    ts_db_result_t *acts = ts_db_query(r,
        "SELECT kind, subject, body, DATE_FORMAT(COALESCE(due_at, starts_at, created_at),"
        " '%Y-%m-%d %H:%i') AS at, done_at IS NOT NULL AS done FROM activities"
        " WHERE tenant_id = {tenant} AND entity = 'deal' AND entity_id = ? AND deleted_at IS NULL"
        " ORDER BY kind = 'task' DESC, created_at DESC LIMIT 100", "i", id);
    if (h == NULL || acts == NULL) {
        cJSON_Delete(deal);
        cJSON_Delete(fields);
        return TS_ERROR;
    }
    for (size_t i = 0; i < ts_db_rows(h); i++) {
        ts_tpl_dict_t *e = ts_tpl_section(d, "HISTORY");
        const char *from = ts_db_get(h, i, "from_stage");
        ts_tpl_set(e, "TO_LABEL", deals_stage_label(r, pipeline, ts_db_get(h, i, "to_stage")));
        ts_tpl_set(e, "TO_STAGE", ts_db_get(h, i, "to_stage"));
        ts_tpl_set(e, "FROM_LABEL", from ? deals_stage_label(r, pipeline, from) : "Created");
        ts_tpl_set(e, "WHO", ts_db_get(h, i, "user_name") ? ts_db_get(h, i, "user_name") : "");
        ts_tpl_set(e, "AT", ts_db_get(h, i, "at"));
        ts_tpl_set(e, "ISO", ts_db_get(h, i, "iso"));
        if (ts_db_get(h, i, "lost_reason") != NULL) {
            ts_tpl_set(ts_tpl_section(e, "REASON"), "REASON_TEXT", ts_db_get(h, i, "lost_reason"));
        }
    }
    for (size_t i = 0; i < ts_db_rows(acts); i++) {
        bool task = strcmp(ts_db_get(acts, i, "kind"), "task") == 0;
        ts_tpl_dict_t *a = ts_tpl_section(d, task ? "TASK" : "ACTIVITY");
        ts_tpl_set(a, "ACT_KIND", ts_db_get(acts, i, "kind"));
        ts_tpl_set(a, "ACT_SUBJECT", ts_db_get(acts, i, "subject"));
        ts_tpl_set(a, "ACT_AT", ts_db_get(acts, i, "at"));
        ts_tpl_set(a, "ACT_DONE", ts_db_get_int(acts, i, "done") ? "done" : "open");
    }
    /* Custom fields: their values among the details, and a form (agents and up). */
    cJSON *defs = ts_custom_fields_defs(r, "deal");
    const cJSON *custom = cJSON_GetObjectItemCaseSensitive(deal, "custom");
    cJSON_ArrayForEach(it, defs) {
        ts_tpl_dict_t *cd = ts_tpl_section(d, "CUSTOM_DETAIL");
        ts_tpl_set(cd, "LABEL", ts_custom_field_label(r, it));
        const char *v = ts_custom_field_text(r, it, cJSON_GetObjectItemCaseSensitive(
                                                        custom, deals_ustr(it, "key")));
        ts_tpl_set(cd, "VALUE", *v ? v : "—");
    }
    if (cJSON_GetArraySize(defs) > 0 && r->user->role >= TS_ROLE_AGENT) {
        ts_custom_fields_form_tpl(r, ts_tpl_section(d, "CUSTOM_FORM"), "CUSTOM", defs, custom,
                                  fields != NULL && ts_req_form(r, "custom_form") != NULL, fields);
    }
    cJSON_Delete(defs);
    if (deals_page_matches(r, d, deal) != TS_OK) {
        cJSON_Delete(deal);
        cJSON_Delete(fields);
        return TS_ERROR;
    }
    if (fields != NULL) {
        deals_tpl_errors(r, d, fields);
        if (cJSON_GetObjectItemCaseSensitive(fields, "lost_reason") != NULL) {
            ts_tpl_show(d, "LOST_REASON_ERROR");
        }
        cJSON_Delete(fields);
    }
    cJSON_Delete(deal);
    return ts_resp_page(r, status, "deals_show.tpl", d);
}

int
deals_page_show(ts_request_t *r)
{
    int64_t id;
    if (ts_req_param_id(r, "id", &id) != TS_OK) {
        return deals_page_error(r, 404, "no such deal");
    }
    return render(r, id, 200, NULL);
}


/* The answer of a deal page's form: back to the page, the page with the
 * errors (422), or an error page. */
int
deals_page_outcome(ts_request_t *r, int rc, int64_t id, cJSON *fields)
{
    if (rc == TS_OK) {
        cJSON_Delete(fields);
        return ts_resp_redirect(r, ts_psprintf(r->pool, "/deals/%lld", (long long) id));
    }
    if (rc == TS_DECLINED) {
        return render(r, id, 422, fields);
    }
    cJSON_Delete(fields);
    return rc == 404 ? deals_page_error(r, 404, "no such deal")
           : rc == 403 ? deals_page_error(r, 403, "agents change only their own deals") : TS_ERROR;
}

/* A page form's change: PATCH /api/v1/deals/{id} with {key: value} (value
 * taken), answered as deals_page_outcome does. */
int
deals_page_patch(ts_request_t *r, int64_t id, const char *key, cJSON *value)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddItemToObject(j, key, value);
    cJSON *fields = NULL;
    int rc = deals_patch_json(r, id, j, &fields);
    cJSON_Delete(j);
    return deals_page_outcome(r, rc, id, fields);
}

/* POST /deals/{id}/custom: the custom fields form, saved as a PATCH of
 * `custom` (every field the form shows; emptied ones are removed). */
int
deals_page_custom(ts_request_t *r)
{
    int64_t id;
    if (ts_req_param_id(r, "id", &id) != TS_OK) {
        return deals_page_error(r, 404, "no such deal");
    }
    cJSON *defs = ts_custom_fields_defs(r, "deal");
    if (defs == NULL) {
        return TS_ERROR;
    }
    cJSON *custom = ts_custom_fields_from_form(r, defs, true);
    cJSON_Delete(defs);
    return deals_page_patch(r, id, "custom", custom);
}

/* The deals pages: the board per pipeline, the list, the new-deal form and
 * the stage form of a deal page (the board's no-JavaScript path). */
#include <stdlib.h>
#include <string.h>
#include "deals_ui.h"

static void
pipeline_tabs(ts_tpl_dict_t *d, const deals_pipeline_t *p)
{
    ts_tpl_set(d, "PIPELINE", p->code);
    ts_tpl_set(d, "PIPELINE_LABEL", strcmp(p->code, "buyer") == 0 ? "Buyer" : "Owner");
    ts_tpl_show(d, strcmp(p->code, "buyer") == 0 ? "IS_BUYER" : "IS_OWNER");
}

static void
card_values(ts_request_t *r, ts_tpl_dict_t *c, const cJSON *card)
{
    deals_tpl_json(c, "ID", card, "id");
    deals_tpl_json(c, "REF", card, "ref");
    deals_tpl_json(c, "NAME", card, "name");
    deals_tpl_json(c, "VALUE", card, "value");
    deals_tpl_json(c, "CURRENCY", card, "currency");
    deals_tpl_json(c, "CONTACT", card, "main_contact_name");
    deals_tpl_json(c, "AGENT", card, "agent_name");
    deals_tpl_json(c, "CLOSE_DATE", card, "expected_close_date");
    deals_tpl_json(c, "TYPE", card, "type");
    deals_tpl_json(c, "STAGE", card, "stage");
    deals_tpl_json(c, "STAGE_LABEL", card, "stage_label");
    ts_tpl_set(c, "VALUE_TEXT", deals_money(r, deals_json_number(
                   cJSON_GetObjectItemCaseSensitive(card, "value")),
                   deals_ustr(card, "currency")));
}

int
deals_page_board(ts_request_t *r)
{
    const char *pq = ts_req_query(r, "pipeline");
    const deals_pipeline_t *p = deals_pipeline(pq && *pq ? pq : "buyer");
    if (p == NULL) {
        return deals_page_error(r, 404, "no such pipeline: buyer or owner");
    }
    const char *mine = ts_req_query(r, "agent");
    bool only_mine = mine != NULL && strcmp(mine, "me") == 0;
    cJSON *board = deals_board_json(r, p, only_mine
                                    ? ts_psprintf(r->pool, "%lld", (long long) r->user->id) : NULL, 50);
    if (board == NULL) {
        return TS_ERROR;
    }
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    ts_tpl_set(d, "TITLE", "Deals");
    pipeline_tabs(d, p);
    if (only_mine) {
        ts_tpl_show(d, "ONLY_MINE");
    }
    double total = 0;
    const cJSON *col;
    cJSON_ArrayForEach(col, cJSON_GetObjectItemCaseSensitive(board, "columns")) {
        ts_tpl_dict_t *c = ts_tpl_section(d, "COLUMN");
        double count = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(col, "count"));
        total += count;
        deals_tpl_json(c, "STAGE", col, "stage");
        deals_tpl_json(c, "LABEL", col, "label");
        deals_tpl_json(c, "COUNT", col, "count");
        const cJSON *sum;
        cJSON_ArrayForEach(sum, cJSON_GetObjectItemCaseSensitive(col, "sums")) {
            ts_tpl_dict_t *sd = ts_tpl_section(c, "SUM");
            deals_tpl_json(sd, "SUM_CURRENCY", sum, "currency");
            deals_tpl_json(sd, "SUM_VALUE", sum, "value");
            ts_tpl_set(sd, "SUM_TEXT", deals_money(r, cJSON_GetNumberValue(
                           cJSON_GetObjectItemCaseSensitive(sum, "value")), deals_ustr(sum, "currency")));
        }
        ts_tpl_set(c, "CLOSED", cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(col, "closed"))
                                ? "true" : "false");
        ts_tpl_set(c, "COL_PIPELINE", p->code);
        const cJSON *cards = cJSON_GetObjectItemCaseSensitive(col, "cards"), *card;
        cJSON_ArrayForEach(card, cards) {
            ts_tpl_dict_t *cd = ts_tpl_section(c, "CARD");
            card_values(r, cd, card);
            ts_tpl_set(cd, "STAGE", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(col, "stage")));
        }
        int shown = cJSON_GetArraySize(cards);
        if (count > shown) {
            ts_tpl_dict_t *m = ts_tpl_section(c, "MORE");
            ts_tpl_set_int(m, "MORE_COUNT", (long long) count - shown);
            ts_tpl_set(m, "MORE_PIPELINE", p->code);
            deals_tpl_json(m, "MORE_STAGE", col, "stage");
        }
    }
    ts_tpl_set_int(d, "TOTAL", (long long) total);
    cJSON_Delete(board);
    return ts_resp_page(r, 200, "deals_board.tpl", d);
}

/* The list's current query, without the cursor, for the pager's links. */
static const char *
list_query(ts_request_t *r, const deals_query_t *q)
{
    const char *out = "";
    for (int i = 0; i < DQ_N; i++) {
        if (q->raw[i] != NULL && *q->raw[i] != '\0') {
            out = ts_psprintf(r->pool, "%s&%s=%s", out, deals_filter_names[i],
                              deals_urlenc(r, q->raw[i]));
        }
    }
    if (q->view_id > 0) {
        out = ts_psprintf(r->pool, "%s&view=%lld", out, (long long) q->view_id);
    }
    return ts_psprintf(r->pool, "%s&sort=%s", out, deals_urlenc(r, q->sort));
}

static void
select_options(ts_tpl_dict_t *d, const char *section, const char *const *values,
               const char *const *labels, size_t n, const char *current)
{
    for (size_t i = 0; i < n; i++) {
        ts_tpl_dict_t *o = ts_tpl_section(d, section);
        ts_tpl_set(o, "VALUE", values[i]);
        ts_tpl_set(o, "LABEL", labels[i]);
        if (current != NULL && strcmp(current, values[i]) == 0) {
            ts_tpl_show(o, "SELECTED");
        }
    }
}

/* The list's batch bar: every stage of both pipelines, the tenant's agents. */
static void
batch_bar(ts_request_t *r, ts_tpl_dict_t *d)
{
    static const char *const pls[] = { "buyer", "owner" };
    for (int k = 0; k < 2; k++) {
        const deals_pipeline_t *p = deals_pipeline(pls[k]);
        ts_tpl_dict_t *g = ts_tpl_section(d, "BATCH_PIPELINE");
        ts_tpl_set(g, "LABEL", k == 0 ? "Buyer" : "Owner");
        for (int s = 0; s < p->nstages; s++) {
            ts_tpl_dict_t *o = ts_tpl_section(g, "BATCH_STAGE");
            ts_tpl_set(o, "VALUE", p->stages[s].code);
            ts_tpl_set(o, "LABEL", deals_label(r, p->stages[s].code));
        }
    }
    ts_db_result_t *u = ts_db_query(r, "SELECT id, name, email FROM users WHERE tenant_id = {tenant}"
                                       " AND status = 'active' AND role <> 'viewer'"
                                       " ORDER BY name, id LIMIT 500", "");
    for (size_t i = 0; u != NULL && i < ts_db_rows(u); i++) {
        ts_tpl_dict_t *o = ts_tpl_section(d, "BATCH_AGENT");
        const char *name = ts_db_get(u, i, "name");
        ts_tpl_set(o, "VALUE", ts_db_get(u, i, "id"));
        ts_tpl_set(o, "LABEL", name && *name ? name : ts_db_get(u, i, "email"));
    }
}

int
deals_page_list(ts_request_t *r)
{
    return deals_list_render(r, 200, NULL, NULL);
}

int
deals_list_render(ts_request_t *r, int status, const char *notice, const cJSON *errors)
{
    deals_query_t q;
    cJSON *fields = NULL;
    int rc = deals_query_parse(r, &q, &fields);
    if (rc == TS_ERROR) {
        cJSON_Delete(fields);
        return TS_ERROR;
    }
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    ts_tpl_set(d, "TITLE", "Deals");
    const deals_pipeline_t *p = deals_pipeline(q.raw[DQ_PIPELINE] ? q.raw[DQ_PIPELINE] : "buyer");
    pipeline_tabs(d, p ? p : deals_pipeline("buyer"));
    ts_tpl_show(d, "IS_LIST");
    /* Saved views of this list (the caller's and the shared ones) as tabs. */
    ts_db_result_t *views = ts_db_query(r, "SELECT id, name, columns FROM saved_views WHERE"
                                           " tenant_id = {tenant} AND list = 'deals'"
                                           " AND (owner_id = ? OR shared = 1)"
                                           " ORDER BY name, id LIMIT 50", "i", r->user->id);
    for (size_t i = 0; views != NULL && i < ts_db_rows(views); i++) {
        ts_tpl_dict_t *v = ts_tpl_section(d, "VIEW");
        ts_tpl_set(v, "VIEW_HREF", ts_psprintf(r->pool, "/deals/list?view=%s", ts_db_get(views, i, "id")));
        ts_tpl_set(v, "VIEW_NAME", ts_db_get(views, i, "name"));
        if (q.view_id == ts_db_get_int(views, i, "id")) {
            ts_tpl_show(v, "VIEW_CURRENT");
            ts_tpl_set(d, "VIEW_COLUMNS", ts_view_columns_text(r, ts_db_get(views, i, "columns")));
        }
    }
    if (q.view_id == 0) {
        ts_tpl_show(d, "ALL_CURRENT");
    }
    /* "Save as view" keeps the filters and sort now in force. */
    ts_tpl_set(d, "SORT", q.sort);
    for (int i = 0; i < DQ_N; i++) {
        if (q.raw[i] != NULL && *q.raw[i] != '\0') {
            ts_tpl_dict_t *k = ts_tpl_section(d, "KEEP");
            ts_tpl_set(k, "KEEP_NAME", ts_psprintf(r->pool, "f_%s", deals_filter_names[i]));
            ts_tpl_set(k, "KEEP_VALUE", q.raw[i]);
        }
    }
    if (r->user->role >= TS_ROLE_AGENT) {
        ts_tpl_show(d, "CAN_SHARE");
    }
    ts_tpl_set(d, "Q", q.raw[DQ_Q] ? q.raw[DQ_Q] : "");
    static const char *const pv[] = { "", "buyer", "owner" };
    static const char *const pl[] = { "Both pipelines", "Buyer", "Owner" };
    select_options(d, "PIPELINE_OPT", pv, pl, 3, q.raw[DQ_PIPELINE] ? q.raw[DQ_PIPELINE] : "");
    static const char *const sv[] = { "", "open", "closed" };
    static const char *const sl[] = { "Open and closed", "Open", "Closed" };
    select_options(d, "STATUS_OPT", sv, sl, 3, q.raw[DQ_STATUS] ? q.raw[DQ_STATUS] : "");
    if (rc == TS_DECLINED) {
        deals_tpl_errors(r, d, fields);
        cJSON_Delete(fields);
        ts_tpl_set_int(d, "TOTAL", 0);
        return ts_resp_page(r, 422, "deals_list.tpl", d);
    }
    long long total = 0;
    const char *next = NULL;
    ts_db_result_t *res = deals_query_rows(r, &q, &total, &next);
    if (res == NULL) {
        return TS_ERROR;
    }
    ts_tpl_set_int(d, "TOTAL", total);
    bool can_batch = r->user->role >= TS_ROLE_AGENT;
    if (can_batch) {
        ts_tpl_show(d, "CAN_BATCH");
        batch_bar(r, d);
    }
    if (notice != NULL) {
        ts_tpl_set(ts_tpl_section(d, "NOTICE"), "MESSAGE", notice);
    }
    deals_tpl_errors(r, d, errors);
    for (size_t i = 0; i < ts_db_rows(res) && i < (size_t) q.limit; i++) {
        cJSON *row = deals_row_json(r, res, i);
        ts_tpl_dict_t *rd = ts_tpl_section(d, "ROW");
        card_values(r, rd, row);
        if (can_batch) {
            ts_tpl_show(rd, "CAN_BATCH");
        }
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(row, "closed"))) {
            ts_tpl_show(rd, "CLOSED");
        }
        cJSON_Delete(row);
    }
    if (total == 0) {
        ts_tpl_show(d, "EMPTY");
    }
    if (next != NULL) {
        ts_tpl_dict_t *n = ts_tpl_section(d, "NEXT");
        ts_tpl_set(n, "HREF", ts_psprintf(r->pool, "/deals/list?cursor=%s%s", deals_urlenc(r, next),
                                          list_query(r, &q)));
    }
    return ts_resp_page(r, status, "deals_list.tpl", d);
}

/* Comma-separated tags of a form field as a JSON list, NULL when empty. */
static cJSON *
form_tags(ts_request_t *r, const char *name)
{
    const char *v = ts_req_form(r, name);
    cJSON *a = NULL;
    char *save = NULL;
    for (char *t = v ? strtok_r(ts_pstrdup(r->pool, v), ",", &save) : NULL; t != NULL;
         t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ') {
            t++;
        }
        size_t n = strlen(t);
        while (n > 0 && t[n - 1] == ' ') {
            t[--n] = '\0';
        }
        if (n > 0) {
            if (a == NULL) {
                a = cJSON_CreateArray();
            }
            cJSON_AddItemToArray(a, cJSON_CreateString(t));
        }
    }
    return a;
}

/* POST /deals/list/batch: the ticked deals' stage, agent and tags, by the
 * batch API's rules in one transaction; the list shows what happened. */
int
deals_page_batch(ts_request_t *r)
{
    const char *ids[500];
    size_t n = ts_req_form_values(r, "id", ids, 500);
    cJSON *j = cJSON_CreateObject();
    cJSON *list = cJSON_AddArrayToObject(j, "ids");
    for (size_t i = 0; i < n; i++) {
        char *end = NULL;
        long long v = strtoll(ids[i], &end, 10);
        /* A mangled id stays in the list as 0, so the API's rule names its row. */
        cJSON_AddItemToArray(list, cJSON_CreateNumber(end && *end == '\0' && v > 0 ? (double) v : 0));
    }
    const char *stage = ts_req_form(r, "stage");
    if (stage && *stage) {
        cJSON_AddStringToObject(j, "stage", stage);
    }
    const char *reason = ts_req_form(r, "lost_reason");
    if (reason && *reason) {
        cJSON_AddStringToObject(j, "lost_reason", reason);
    }
    if (ts_req_form(r, "reopen") != NULL) {
        cJSON_AddTrueToObject(j, "reopen");
    }
    const char *agent = ts_req_form(r, "agent_id");
    if (agent && strcmp(agent, "none") == 0) {
        cJSON_AddNullToObject(j, "agent_id");
    } else if (agent && *agent) {
        long long a = strtoll(agent, NULL, 10);
        cJSON_AddNumberToObject(j, "agent_id", a > 0 ? (double) a : 0);
    }
    cJSON *add = form_tags(r, "tags_add"), *rm = form_tags(r, "tags_remove");
    if (add) {
        cJSON_AddItemToObject(j, "tags_add", add);
    }
    if (rm) {
        cJSON_AddItemToObject(j, "tags_remove", rm);
    }
    cJSON *fields = NULL;
    const char *denied = NULL;
    int rc = n == 0 ? TS_DECLINED : deals_batch_apply(r, j, &fields, &denied);
    cJSON_Delete(j);
    if (n == 0) {
        deals_field(&fields, "ids", "tick at least one deal");
    }
    if (rc == 403) {
        cJSON *f = NULL;
        deals_field(&f, "batch", denied);
        rc = deals_list_render(r, 403, NULL, f);
        cJSON_Delete(f);
        return rc;
    }
    if (rc == TS_DECLINED) {
        rc = deals_list_render(r, 422, NULL, fields);
        cJSON_Delete(fields);
        return rc;
    }
    if (rc != TS_OK) {
        return TS_ERROR;
    }
    return deals_list_render(r, 200, ts_psprintf(r->pool, "%zu %s updated", n, n == 1 ? "deal" : "deals"),
                       NULL);
}

static int
new_form(ts_request_t *r, int status, const cJSON *fields)
{
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    ts_tpl_set(d, "TITLE", "New deal");
    static const char *names[] = { "name", "type", "value", "contact", "property", "close" };
    static const char *keys[] = { "NAME", "TYPE", "VALUE", "CONTACT", "PROPERTY", "CLOSE" };
    for (size_t i = 0; i < 6; i++) {
        const char *v = ts_req_form(r, names[i]);
        if (v == NULL) {
            v = ts_req_query(r, names[i]);
        }
        ts_tpl_set(d, keys[i], v ? v : "");
    }
    static const char *const tv[] = { "buy", "rent", "sell", "rent_out" };
    static const char *const tl[] = { "Buy", "Rent", "Sell", "Rent out" };
    const char *type = ts_req_form(r, "type");
    select_options(d, "TYPE_OPT", tv, tl, 4, type ? type : ts_req_query(r, "type"));
    const char *cid = ts_req_form(r, "contact") ? ts_req_form(r, "contact") : ts_req_query(r, "contact");
    if (cid != NULL && strspn(cid, "0123456789") == strlen(cid) && *cid) {
        ts_db_result_t *c = ts_db_query(r, "SELECT TRIM(CONCAT(first_name, ' ', last_name)) AS name"
                                           " FROM contacts WHERE tenant_id = {tenant} AND id = ?"
                                           " AND deleted_at IS NULL", "i",
                                        (int64_t) strtoll(cid, NULL, 10));
        if (c != NULL && ts_db_rows(c) > 0) {
            ts_tpl_set(d, "CONTACT_NAME", ts_db_get(c, 0, "name"));
            ts_tpl_show(d, "HAS_CONTACT");
        }
    }
    cJSON *defs = ts_custom_fields_defs(r, "deal");
    ts_custom_fields_form_tpl(r, d, "CUSTOM", defs, NULL, ts_req_form(r, "name") != NULL, fields);
    cJSON_Delete(defs);
    deals_tpl_errors(r, d, fields);
    return ts_resp_page(r, status, "deals_new.tpl", d);
}

int
deals_page_new(ts_request_t *r)
{
    return new_form(r, 200, NULL);
}

/* Whole currency units typed in the form -> minor units for the API. */
static cJSON *
form_money(const char *s)
{
    if (s == NULL || *s == '\0') {
        return NULL;
    }
    char *end;
    double v = strtod(s, &end);
    return *end == '\0' ? cJSON_CreateNumber(v * 100) : cJSON_CreateString(s);
}

static cJSON *
form_id(const char *s)
{
    char *end;
    long long v = s ? strtoll(s, &end, 10) : 0;
    return s && *s && *end == '\0' ? cJSON_CreateNumber((double) v) : cJSON_CreateString(s ? s : "");
}

int
deals_page_create(ts_request_t *r)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "name", ts_req_form(r, "name") ? ts_req_form(r, "name") : "");
    cJSON_AddStringToObject(j, "type", ts_req_form(r, "type") ? ts_req_form(r, "type") : "");
    cJSON *money = form_money(ts_req_form(r, "value"));
    if (money) {
        cJSON_AddItemToObject(j, "value", money);
    }
    const char *close = ts_req_form(r, "close");
    if (close && *close) {
        cJSON_AddStringToObject(j, "expected_close_date", close);
    }
    cJSON *c = cJSON_CreateObject();
    cJSON_AddItemToObject(c, "id", form_id(ts_req_form(r, "contact")));
    cJSON_AddStringToObject(c, "kind", "main");
    cJSON_AddItemToArray(cJSON_AddArrayToObject(j, "contacts"), c);
    cJSON *defs = ts_custom_fields_defs(r, "deal");
    if (cJSON_GetArraySize(defs) > 0) {
        cJSON_AddItemToObject(j, "custom", ts_custom_fields_from_form(r, defs, true));
    }
    cJSON_Delete(defs);
    const char *prop = ts_req_form(r, "property");
    if (prop && *prop) {
        cJSON *pr = cJSON_CreateObject();
        cJSON_AddItemToObject(pr, "id", form_id(prop));
        cJSON_AddTrueToObject(pr, "primary");
        cJSON_AddItemToArray(cJSON_AddArrayToObject(j, "properties"), pr);
    }
    cJSON *fields = NULL;
    int64_t id = 0;
    int rc = deals_create_json(r, j, &id, &fields);
    cJSON_Delete(j);
    if (rc == TS_OK) {
        return ts_resp_redirect(r, ts_psprintf(r->pool, "/deals/%lld", (long long) id));
    }
    if (rc == TS_DECLINED) {
        int st = new_form(r, 422, fields);
        cJSON_Delete(fields);
        return st;
    }
    cJSON_Delete(fields);
    return rc == 403 ? deals_page_error(r, 403, "only managers assign deals to other agents")
                     : TS_ERROR;
}

/* POST /deals/{id}/stage: the board's move without JavaScript. */
int
deals_page_stage(ts_request_t *r)
{
    int64_t id;
    if (ts_req_param_id(r, "id", &id) != TS_OK) {
        return deals_page_error(r, 404, "no such deal");
    }
    cJSON *j = cJSON_CreateObject();
    const char *stage = ts_req_form(r, "stage");
    const char *reason = ts_req_form(r, "lost_reason");
    cJSON_AddStringToObject(j, "stage", stage ? stage : "");
    if (reason && *reason) {
        cJSON_AddStringToObject(j, "lost_reason", reason);
    }
    if (ts_req_form(r, "reopen") != NULL) {
        cJSON_AddTrueToObject(j, "reopen");
    }
    cJSON *fields = NULL;
    int rc = deals_patch_json(r, id, j, &fields);
    cJSON_Delete(j);
    return deals_page_outcome(r, rc, id, fields);
}

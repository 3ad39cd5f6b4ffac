/* GET /api/v1/deals: filters (from the query, over a saved view's), sorting
 * from an allow-list, cursor paging; and the JSON of a list row. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "deals.h"

const char *const deals_filter_names[DQ_N] = {
    "pipeline", "stage", "type", "agent", "contact", "property", "value_min", "value_max",
    "close_from", "close_to", "status", "q", "tag",
};

/* Sort keys and the expression each orders by; the cursor carries the last
 * row's value of that expression and its id. */
static const struct {
    const char *key;
    const char *expr;
    bool        desc;
} sorts[] = {
    { "-id", "d.id", true }, { "id", "d.id", false },
    { "value", "d.value", false }, { "-value", "d.value", true },
    { "name", "d.name", false }, { "-name", "d.name", true },
    { "expected_close_date", "COALESCE(d.expected_close_date, '9999-12-31')", false },
    { "-expected_close_date", "COALESCE(d.expected_close_date, '9999-12-31')", true },
    { "updated_at", "d.updated_at", false }, { "-updated_at", "d.updated_at", true },
    { "stage_changed_at", "d.stage_changed_at", false },
    { "-stage_changed_at", "d.stage_changed_at", true },
};
#define NSORTS (sizeof(sorts) / sizeof(sorts[0]))

static const char *WHERE =
    " WHERE d.tenant_id = {tenant} AND d.deleted_at IS NULL"
    " AND (? IS NULL OR d.pipeline = ?)"
    " AND (? IS NULL OR FIND_IN_SET(d.stage, ?) > 0)"
    " AND (? IS NULL OR FIND_IN_SET(d.type, ?) > 0)"
    " AND (? IS NULL OR d.agent_id = ?)"
    " AND (? IS NULL OR EXISTS (SELECT 1 FROM deal_contacts x WHERE x.tenant_id = d.tenant_id"
    "  AND x.deal_id = d.id AND x.contact_id = ?))"
    " AND (? IS NULL OR EXISTS (SELECT 1 FROM deal_properties y WHERE y.tenant_id = d.tenant_id"
    "  AND y.deal_id = d.id AND y.property_id = ?))"
    " AND (? IS NULL OR d.value >= ?)"
    " AND (? IS NULL OR d.value <= ?)"
    " AND (? IS NULL OR d.expected_close_date >= ?)"
    " AND (? IS NULL OR d.expected_close_date <= ?)"
    " AND (? IS NULL OR (d.closed_at IS NULL) = (? = 'open'))"
    " AND (? IS NULL OR d.name LIKE ? OR d.ref = ?)"
    " AND (? IS NULL OR EXISTS (SELECT 1 FROM tags t WHERE t.tenant_id = d.tenant_id"
    "  AND t.entity = 'deal' AND t.entity_id = d.id AND t.tag = ?))";

static bool
digits(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

/* A comma-separated list whose every item passes ok(). */
static bool
each_item(ts_request_t *r, const char *list, bool (*ok)(const char *))
{
    char *copy = ts_pstrdup(r->pool, list), *save = NULL;
    int n = 0;
    for (char *t = strtok_r(copy, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
        if (!ok(t)) {
            return false;
        }
        n++;
    }
    return n > 0;
}

static bool
stage_known(const char *s)
{
    return deals_stage(deals_pipeline("buyer"), s) || deals_stage(deals_pipeline("owner"), s);
}

/* A saved view's filter as text: strings as they are, numbers printed,
 * arrays joined with commas. */
static const char *
view_value(ts_request_t *r, const cJSON *filters, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(filters, name);
    if (cJSON_IsString(v)) {
        return ts_pstrdup(r->pool, v->valuestring);
    }
    if (cJSON_IsNumber(v)) {
        return ts_psprintf(r->pool, "%.0f", v->valuedouble);
    }
    if (cJSON_IsArray(v)) {
        const char *out = NULL;
        const cJSON *it;
        cJSON_ArrayForEach(it, v) {
            const char *s = cJSON_IsString(it) ? ts_pstrdup(r->pool, it->valuestring)
                            : cJSON_IsNumber(it) ? ts_psprintf(r->pool, "%.0f", it->valuedouble) : NULL;
            if (s != NULL) {
                out = out ? ts_psprintf(r->pool, "%s,%s", out, s) : s;
            }
        }
        return out;
    }
    return NULL;
}

static const char *
like_pattern(ts_request_t *r, const char *q)
{
    size_t n = strlen(q);
    char *out = ts_palloc(r->pool, 2 * n + 3), *o = out;
    *o++ = '%';
    for (size_t i = 0; i < n; i++) {
        if (q[i] == '%' || q[i] == '_' || q[i] == '\\') {
            *o++ = '\\';
        }
        *o++ = q[i];
    }
    *o++ = '%';
    *o = '\0';
    return out;
}

static int
load_view(ts_request_t *r, deals_query_t *q, const char *vs, cJSON **filters, cJSON **fields)
{
    if (!digits(vs, 18)) {
        deals_field(fields, "view", "a saved view id");
        return TS_DECLINED;
    }
    q->view_id = strtoll(vs, NULL, 10);
    ts_db_result_t *res = ts_db_query(r, "SELECT filters, sort FROM saved_views"
                                         " WHERE tenant_id = {tenant} AND id = ? AND list = 'deals'"
                                         " AND (owner_id = ? OR shared = 1)", "ii",
                                      q->view_id, r->user->id);
    if (res == NULL) {
        return TS_ERROR;
    }
    if (ts_db_rows(res) == 0) {
        deals_field(fields, "view", "no such saved view of deals");
        return TS_DECLINED;
    }
    const char *text = ts_db_get(res, 0, "filters");
    *filters = text ? cJSON_Parse(text) : NULL;
    if (!cJSON_IsObject(*filters)) {
        cJSON_Delete(*filters);
        *filters = NULL;
        deals_field(fields, "view", "the saved view's filters are not an object");
        return TS_DECLINED;
    }
    const char *sort = ts_db_get(res, 0, "sort");
    if (sort != NULL && *sort != '\0') {
        q->sort = sort;
    }
    return TS_OK;
}

static void
check_filters(ts_request_t *r, deals_query_t *q, cJSON **fields)
{
    const char **v = q->v;
    if (v[DQ_PIPELINE] && !deals_pipeline(v[DQ_PIPELINE])) {
        deals_field(fields, "pipeline", "buyer or owner");
    }
    if (v[DQ_STAGE] && !each_item(r, v[DQ_STAGE], stage_known)) {
        deals_field(fields, "stage", "stage codes separated by commas");
    }
    if (v[DQ_TYPE] && !each_item(r, v[DQ_TYPE], deals_type_valid)) {
        deals_field(fields, "type", "buy, sell, rent or rent_out, separated by commas");
    }
    if (v[DQ_AGENT] && strcmp(v[DQ_AGENT], "me") == 0) {
        v[DQ_AGENT] = ts_psprintf(r->pool, "%lld", (long long) r->user->id);
    }
    static const int ids[] = { DQ_AGENT, DQ_CONTACT, DQ_PROPERTY, DQ_VALUE_MIN, DQ_VALUE_MAX };
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        if (v[ids[i]] && !digits(v[ids[i]], 16)) {
            deals_field(fields, deals_filter_names[ids[i]],
                        ids[i] == DQ_AGENT ? "a user id or me" : "a whole number");
        }
    }
    if (v[DQ_CLOSE_FROM] && !deals_valid_date(v[DQ_CLOSE_FROM])) {
        deals_field(fields, "close_from", "a date as YYYY-MM-DD");
    }
    if (v[DQ_CLOSE_TO] && !deals_valid_date(v[DQ_CLOSE_TO])) {
        deals_field(fields, "close_to", "a date as YYYY-MM-DD");
    }
    if (v[DQ_STATUS] && strcmp(v[DQ_STATUS], "all") == 0) {
        v[DQ_STATUS] = NULL;
    } else if (v[DQ_STATUS] && strcmp(v[DQ_STATUS], "open") && strcmp(v[DQ_STATUS], "closed")) {
        deals_field(fields, "status", "open, closed or all");
    }
    if (v[DQ_Q] && strlen(v[DQ_Q]) > 100) {
        deals_field(fields, "q", "at most 100 characters");
    }
}

static void
check_sort(deals_query_t *q, cJSON **fields)
{
    q->sort_index = -1;
    for (size_t i = 0; i < NSORTS; i++) {
        if (strcmp(sorts[i].key, q->sort) == 0) {
            q->sort_index = (int) i;
        }
    }
    if (q->sort_index < 0) {
        deals_field(fields, "sort", "one of -id, id, value, -value, name, -name,"
                    " expected_close_date, -expected_close_date, updated_at, -updated_at,"
                    " stage_changed_at, -stage_changed_at");
    }
}

int
deals_query_check(ts_request_t *r, deals_query_t *q, cJSON **fields)
{
    check_filters(r, q, fields);
    check_sort(q, fields);
    return *fields ? TS_DECLINED : TS_OK;
}

/* The check of a deals view saved through /api/v1/views (registered with
 * ts_view_check_register): its filters and sort as ?view= will read them. */
void
deals_view_check(ts_request_t *r, const cJSON *filters, const char *sort, cJSON **fields)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, filters) {
        bool known = false;
        for (int i = 0; i < DQ_N && !known; i++) {
            known = strcmp(e->string, deals_filter_names[i]) == 0;
        }
        if (!known) {
            deals_field(fields, ts_psprintf(r->pool, "filters.%s", e->string), "unknown filter");
        }
    }
    deals_query_t q;
    memset(&q, 0, sizeof(q));
    for (int i = 0; i < DQ_N; i++) {
        const char *s = view_value(r, filters, deals_filter_names[i]);
        q.raw[i] = s;
        q.v[i] = s != NULL && *s != '\0' ? s : NULL;
    }
    q.sort = sort != NULL && *sort != '\0' ? sort : "-id";
    cJSON *bad = NULL;
    deals_query_check(r, &q, &bad);
    cJSON_ArrayForEach(e, bad) {
        deals_field(fields, strcmp(e->string, "sort") == 0 ? "sort"
                    : ts_psprintf(r->pool, "filters.%s", e->string), e->valuestring);
    }
    cJSON_Delete(bad);
}

int
deals_query_parse(ts_request_t *r, deals_query_t *q, cJSON **fields)
{
    memset(q, 0, sizeof(*q));
    q->sort = "-id";
    cJSON *filters = NULL;
    const char *vs = ts_req_query(r, "view");
    if (vs != NULL && *vs != '\0') {
        int rc = load_view(r, q, vs, &filters, fields);
        if (rc != TS_OK) {
            return rc;
        }
    }
    for (int i = 0; i < DQ_N; i++) {
        const char *s = ts_req_query(r, deals_filter_names[i]);
        if (s == NULL && filters != NULL) {
            s = view_value(r, filters, deals_filter_names[i]);
        }
        q->raw[i] = s;
        q->v[i] = s != NULL && *s != '\0' ? s : NULL;
    }
    cJSON_Delete(filters);
    check_filters(r, q, fields);
    const char *s = ts_req_query(r, "sort");
    if (s != NULL && *s != '\0') {
        q->sort = s;
    }
    check_sort(q, fields);
    const char *ls = ts_req_query(r, "limit");
    q->limit = ls == NULL ? 50 : digits(ls, 3) ? strtol(ls, NULL, 10) : 0;
    if (q->limit < 1 || q->limit > 500) {
        deals_field(fields, "limit", "must be between 1 and 500");
    }
    /* The cursor is "<id>.<hex of the sort value>": opaque, and safe in a URL. */
    const char *cs = ts_req_query(r, "cursor");
    if (cs != NULL && *cs != '\0') {
        const char *dot = strchr(cs, '.');
        size_t hl = dot ? strlen(dot + 1) : 1;
        char *val = ts_palloc(r->pool, hl / 2 + 1);
        bool ok = dot && digits(ts_pstrndup(r->pool, cs, (size_t) (dot - cs)), 18) && hl % 2 == 0
                  && hl <= 400;
        for (size_t i = 0; ok && i < hl / 2; i++) {
            unsigned b;
            char pair[3] = { dot[1 + 2 * i], dot[2 + 2 * i], 0 };
            ok = strspn(pair, "0123456789abcdef") == 2 && sscanf(pair, "%2x", &b) == 1 && b != 0;
            val[i] = (char) b;
        }
        if (!ok) {
            deals_field(fields, "cursor", "not a cursor of this list");
        } else {
            val[hl / 2] = '\0';
            q->cursor_id = ts_pstrndup(r->pool, cs, (size_t) (dot - cs));
            q->cursor_value = val;
        }
    }
    if (q->v[DQ_Q] != NULL) {
        q->raw[DQ_Q] = q->v[DQ_Q];
    }
    return *fields ? TS_DECLINED : TS_OK;
}

static const char *
cursor_of(ts_request_t *r, const char *id, const char *value)
{
    size_t n = strlen(value);
    char *hex = ts_palloc(r->pool, 2 * n + 1);
    for (size_t i = 0; i < n; i++) {
        snprintf(hex + 2 * i, 3, "%02x", (unsigned char) value[i]);
    }
    hex[2 * n] = '\0';
    return ts_psprintf(r->pool, "%s.%s", id, hex);
}

ts_db_result_t *
deals_query_rows(ts_request_t *r, const deals_query_t *q, long long *total, const char **next)
{
    const char *const *v = q->v;
    const char *like = v[DQ_Q] ? like_pattern(r, v[DQ_Q]) : NULL;
    const char *sql_count = ts_psprintf(r->pool, "SELECT COUNT(*) AS n FROM deals d%s", WHERE);
    ts_db_result_t *c = ts_db_query(r, sql_count, "sssssssssssssssssssssssssss",
        v[0], v[0], v[1], v[1], v[2], v[2], v[3], v[3], v[4], v[4], v[5], v[5], v[6], v[6],
        v[7], v[7], v[8], v[8], v[9], v[9], v[10], v[10], v[11], like, v[11], v[12], v[12]);
    if (c == NULL) {
        return NULL;
    }
    *total = ts_db_get_int(c, 0, "n");
    /* Fixed fragments only: the sort expression comes from the table above. */
    const char *expr = sorts[q->sort_index].expr;
    const char *dir = sorts[q->sort_index].desc ? "DESC" : "ASC";
    const char *cmp = sorts[q->sort_index].desc ? "<" : ">";
    const char *sql = ts_psprintf(r->pool,
        "SELECT " DEALS_ROW_COLUMNS ", %s AS sort_value" DEALS_ROW_JOIN "%s"
        " AND (? IS NULL OR %s %s ? OR (%s = ? AND d.id %s ?))"
        " ORDER BY %s %s, d.id %s LIMIT ?",
        expr, WHERE, expr, cmp, expr, cmp, expr, dir, dir);
    ts_db_result_t *res = ts_db_query(r, sql, "sssssssssssssssssssssssssssssssi",
        v[0], v[0], v[1], v[1], v[2], v[2], v[3], v[3], v[4], v[4], v[5], v[5], v[6], v[6],
        v[7], v[7], v[8], v[8], v[9], v[9], v[10], v[10], v[11], like, v[11], v[12], v[12],
        q->cursor_value, q->cursor_value, q->cursor_value, q->cursor_id, (int64_t) q->limit + 1);
    if (res == NULL) {
        return NULL;
    }
    *next = NULL;
    if (ts_db_rows(res) > (size_t) q->limit) {
        size_t last = (size_t) q->limit - 1;
        *next = cursor_of(r, ts_db_get(res, last, "id"), ts_db_get(res, last, "sort_value"));
    }
    return res;
}

cJSON *
deals_row_json(ts_request_t *r, const ts_db_result_t *res, size_t row)
{
    cJSON *o = ts_db_row_json(r, res, row);
    cJSON_DeleteItemFromObjectCaseSensitive(o, "sort_value");
    /* Stage codes name one stage whichever the pipeline, so a row without
     * its pipeline (a board card) still gets its label. */
    cJSON_AddStringToObject(o, "stage_label", deals_label(r, ts_db_get(res, row, "stage")));
    cJSON_AddBoolToObject(o, "closed", deals_stage_closed(ts_db_get(res, row, "stage")));
    cJSON *tags = cJSON_CreateArray();
    const char *t = ts_db_get(res, row, "tags");
    char *save = NULL;
    for (char *s = t ? strtok_r(ts_pstrdup(r->pool, t), "\n", &save) : NULL; s != NULL;
         s = strtok_r(NULL, "\n", &save)) {
        cJSON_AddItemToArray(tags, cJSON_CreateString(s));
    }
    cJSON_ReplaceItemInObjectCaseSensitive(o, "tags", tags);
    return o;
}

int
deals_list(ts_request_t *r)
{
    deals_query_t q;
    cJSON *fields = NULL;
    int rc = deals_query_parse(r, &q, &fields);
    if (rc == TS_ERROR) {
        cJSON_Delete(fields);
        return TS_ERROR;
    }
    if (rc != TS_OK) {
        return deals_invalid(r, fields);
    }
    long long total = 0;
    const char *next = NULL;
    ts_db_result_t *res = deals_query_rows(r, &q, &total, &next);
    if (res == NULL) {
        return TS_ERROR;
    }
    cJSON *items = cJSON_CreateArray();
    for (size_t i = 0; i < ts_db_rows(res) && i < (size_t) q.limit; i++) {
        cJSON_AddItemToArray(items, deals_row_json(r, res, i));
    }
    return ts_resp_list(r, items, next, total);
}

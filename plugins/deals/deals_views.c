/* POST /deals/list/views: "save as view" on the deals list. The view is a
 * row of the generic saved_views (list 'deals', as POST /api/v1/views makes
 * it): the filters and sort now in force, checked as GET /api/v1/deals?view=
 * will read them, the column chooser's choice, personal or shared. */
#include <string.h>
#include "deals_ui.h"

/* Well-formed UTF-8 without control characters, 1 to max characters. */
static bool
text_ok(const char *s, size_t max)
{
    const unsigned char *u = (const unsigned char *) s;
    size_t chars = 0;
    while (*u) {
        int n = *u < 0x20 ? -1 : *u < 0x80 ? 0 : (*u & 0xE0) == 0xC0 && *u > 0xC1 ? 1
                : (*u & 0xF0) == 0xE0 ? 2 : (*u & 0xF8) == 0xF0 && *u < 0xF5 ? 3 : -1;
        if (n < 0) {
            return false;
        }
        for (int i = 1; i <= n; i++) {
            if ((u[i] & 0xC0) != 0x80) {
                return false;
            }
        }
        u += n + 1;
        chars++;
    }
    return chars >= 1 && chars <= max;
}

/* The chooser's "ref,name,..." as a JSON list: at most 40 names of letters
 * and underscores. NULL when empty; *bad when malformed. */
static cJSON *
columns_of(ts_request_t *r, const char *cols, bool *bad)
{
    cJSON *a = NULL;
    char *save = NULL;
    for (char *t = cols ? strtok_r(ts_pstrdup(r->pool, cols), ",", &save) : NULL; t != NULL;
         t = strtok_r(NULL, ",", &save)) {
        if (a == NULL) {
            a = cJSON_CreateArray();
        }
        size_t n = strlen(t);
        if (n == 0 || n > 64 || strspn(t, "abcdefghijklmnopqrstuvwxyz_") != n
            || cJSON_GetArraySize(a) >= 40) {
            *bad = true;
            break;
        }
        cJSON_AddItemToArray(a, cJSON_CreateString(t));
    }
    return a;
}

static const char *
json_text(ts_request_t *r, const cJSON *j)
{
    if (j == NULL) {
        return NULL;
    }
    char *t = cJSON_PrintUnformatted(j);
    const char *s = t ? ts_pstrdup(r->pool, t) : NULL;
    cJSON_free(t);
    return s;
}

int
deals_page_save_view(ts_request_t *r)
{
    deals_query_t q;
    memset(&q, 0, sizeof(q));
    cJSON *filters = cJSON_CreateObject();
    ts_pool_cleanup_add(r->pool, (void (*)(void *)) cJSON_Delete, filters);
    for (int i = 0; i < DQ_N; i++) {
        const char *v = ts_req_form(r, ts_psprintf(r->pool, "f_%s", deals_filter_names[i]));
        if (v != NULL && *v != '\0') {
            q.v[i] = q.raw[i] = v;
            cJSON_AddStringToObject(filters, deals_filter_names[i], v);
        }
    }
    const char *sort = ts_req_form(r, "sort");
    q.sort = sort != NULL && *sort != '\0' ? sort : "-id";
    cJSON *fields = NULL;
    deals_query_check(r, &q, &fields);
    const char *name = ts_req_form(r, "name");
    if (name == NULL || !text_ok(name, 100)) {
        deals_field(&fields, "name", "required, 1 to 100 characters");
    }
    const char *sh = ts_req_form(r, "shared");
    bool shared = sh != NULL && strcmp(sh, "1") == 0;
    if (shared && r->user->role < TS_ROLE_AGENT) {
        deals_field(&fields, "shared", "viewers keep personal views only");
    }
    bool bad = false;
    cJSON *cols = columns_of(r, ts_req_form(r, "columns"), &bad);
    if (cols != NULL) {
        ts_pool_cleanup_add(r->pool, (void (*)(void *)) cJSON_Delete, cols);
    }
    if (bad) {
        deals_field(&fields, "columns", "at most 40 column names");
    }
    if (fields != NULL) {
        int st = deals_list_render(r, 422, NULL, fields);
        cJSON_Delete(fields);
        return st;
    }
    if (ts_db_exec(r, "INSERT INTO saved_views (tenant_id, list, name, owner_id, shared, filters,"
                      " columns, sort) VALUES ({tenant}, 'deals', ?, ?, ?, ?, ?, ?)", "siisss",
                   name, r->user->id, (int64_t) shared, json_text(r, filters), json_text(r, cols),
                   q.sort) != TS_OK) {
        return TS_ERROR;
    }
    return ts_resp_redirect(r, ts_psprintf(r->pool, "/deals/list?view=%lld",
                                           (long long) ts_db_insert_id(r)));
}

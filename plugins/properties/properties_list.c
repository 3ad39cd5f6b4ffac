/* Lists of properties: filters (from the query string, a saved view or a
 * batch request), a sort from an allow-list, keyset cursor paging, the map's
 * points and the ids a batch action works on. The WHERE clause is made of
 * fixed fragments chosen by which filters are present; every value is bound. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "properties.h"

typedef struct {
    ts_request_t *r;
    const cJSON  *view;      /* a saved view's filters, or a batch request's */
    bool          query;     /* read the query string first */
} source_t;

static const char *
get(const source_t *s, const char *name)
{
    const char *v = s->query ? ts_req_query(s->r, name) : NULL;
    if (v != NULL || s->view == NULL) {
        return v && *v ? v : NULL;
    }
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(s->view, name);
    if (cJSON_IsString(j) && *j->valuestring) {
        return j->valuestring;
    }
    if (cJSON_IsNumber(j)) {
        return ts_psprintf(s->r->pool, "%.0f", j->valuedouble);
    }
    if (cJSON_IsBool(j)) {
        return cJSON_IsTrue(j) ? "1" : "0";
    }
    if (cJSON_IsArray(j)) {          /* ["sold", "rented"] reads as "sold,rented" */
        char *out = ts_pstrdup(s->r->pool, "");
        const cJSON *e;
        cJSON_ArrayForEach(e, j) {
            if (cJSON_IsString(e)) {
                out = ts_psprintf(s->r->pool, "%s%s%s", out, *out ? "," : "", e->valuestring);
            }
        }
        return *out ? out : NULL;
    }
    return NULL;
}

static bool
is_int(const char *s, long long lo, long long hi)
{
    char *end;
    if (s == NULL || *s == '\0') {
        return false;
    }
    long long v = strtoll(s, &end, 10);
    return *end == '\0' && v >= lo && v <= hi;
}

static bool
list_of(const char *v, bool (*ok)(const char *), ts_pool_t *p)
{
    char *copy = ts_pstrdup(p, v), *save = NULL;
    int n = 0;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save), n++) {
        if (!ok(t)) {
            return false;
        }
    }
    return n > 0;
}

static bool any_code(const char *s) { return strlen(s) <= 48 && strpbrk(s, " '\"") == NULL; }
static bool transaction_ok(const char *s)
{
    return strcmp(s, "sale") == 0 || strcmp(s, "long_term_rent") == 0
        || strcmp(s, "holiday_rent") == 0;
}
static bool missing_ok(const char *s)
{
    static const char *const items[] = { "photos", "descriptions", "gps", "beds", "baths",
                                         "area", "price", NULL };
    for (int i = 0; items[i]; i++) {
        if (strcmp(items[i], s) == 0) {
            return true;
        }
    }
    return false;
}

/* A one-value-or-list filter: "=" for one, FIND_IN_SET for several. */
static void
add_set(properties_where_t *w, const char *col_eq, const char *col_set, const char *v)
{
    properties_where_add(w, strchr(v, ',') ? col_set : col_eq, 1, v);
}

#define UNAVAILABLE "('sold','rented','cancelled','off_market','removed_by_feed','draft'," \
                    "'in_progress','pending_approval')"

/* Fills w from the filters; returns the number of errors put in `errors`. */
static int
build_where(const source_t *s, properties_where_t *w, cJSON *errors)
{
    ts_pool_t *p = s->r->pool;
    int nerr = 0;
    const char *v;
    w->len = (size_t) snprintf(w->sql, sizeof(w->sql), "p.tenant_id = {tenant}");
    w->n = 0;
#define BAD(name, msg) do { cJSON_AddStringToObject(errors, name, msg); nerr++; } while (0)
    v = get(s, "deleted");
    if (v != NULL && strcmp(v, "1") == 0) {
        properties_where_add(w, "p.deleted_at IS NOT NULL", 0, NULL);
    } else {
        properties_where_add(w, "p.deleted_at IS NULL", 0, NULL);
    }
    if ((v = get(s, "q")) != NULL) {
        if (strlen(v) > 100) {
            BAD("q", "at most 100 characters");
        } else {
            /* LIKE wildcards typed by the user are matched literally. */
            char *esc = ts_palloc(p, strlen(v) * 2 + 3), *o = esc;
            *o++ = '%';
            for (const char *c = v; *c; c++) {
                if (*c == '%' || *c == '_' || *c == '\\') {
                    *o++ = '\\';
                }
                *o++ = *c;
            }
            *o++ = '%';
            *o = '\0';
            properties_where_add(w, "(p.ref LIKE ? OR p.town LIKE ? OR p.address LIKE ? OR EXISTS (SELECT 1 FROM"
                   " property_descriptions d WHERE d.tenant_id = p.tenant_id AND"
                   " d.property_id = p.id AND d.title LIKE ?))", 4, esc);
        }
    }
    if ((v = get(s, "status")) != NULL) {
        if (!list_of(v, properties_status_valid, p)) {
            BAD("status", "one status or a comma-separated list of statuses");
        } else {
            add_set(w, "p.status = ?", "FIND_IN_SET(p.status, ?)", v);
        }
    }
    if ((v = get(s, "type")) != NULL) {
        if (!list_of(v, any_code, p)) {
            BAD("type", "one type code or a comma-separated list");
        } else {
            add_set(w, "p.type = ?", "FIND_IN_SET(p.type, ?)", v);
        }
    }
    if ((v = get(s, "transaction")) != NULL) {
        if (!transaction_ok(v)) {
            BAD("transaction", "one of sale, long_term_rent, holiday_rent");
        } else {
            properties_where_add(w, "p.transaction = ?", 1, v);
        }
    }
    if ((v = get(s, "town")) != NULL) {
        if (strlen(v) > 100) {
            BAD("town", "at most 100 characters");
        } else {
            properties_where_add(w, "p.town = ?", 1, v);
        }
    }
    if ((v = get(s, "area")) != NULL) {
        if (strlen(v) > 100) {
            BAD("area", "at most 100 characters");
        } else {
            properties_where_add(w, "(p.area = ? OR p.town IN (SELECT a.town FROM property_area_towns a WHERE"
                   " a.tenant_id IN (0, {tenant}) AND a.area = ?))", 2, v);
        }
    }
    if ((v = get(s, "province")) != NULL) {
        properties_where_add(w, "p.province = ?", 1, v);
    }
    static const struct { const char *name, *frag; long long hi; } nums[] = {
        { "price_min", "p.price >= CAST(? AS SIGNED)", 10000000000000LL },
        { "price_max", "p.price <= CAST(? AS SIGNED)", 10000000000000LL },
        { "beds_min", "p.beds >= CAST(? AS SIGNED)", 1000 },
        { "baths_min", "p.baths >= CAST(? AS SIGNED)", 1000 },
        { "built_area_min", "p.built_area >= CAST(? AS SIGNED)", 100000000 },
        { "built_area_max", "p.built_area <= CAST(? AS SIGNED)", 100000000 },
        { "agent_id", "p.agent_id = CAST(? AS SIGNED)", 9007199254740991LL },
        { "owner_id", "p.owner_id = CAST(? AS SIGNED)", 9007199254740991LL },
        { "project_id", "p.project_id = CAST(? AS SIGNED)", 9007199254740991LL },
        { "completeness_max", "p.completeness <= CAST(? AS SIGNED)", 100 },
        { "completeness_min", "p.completeness >= CAST(? AS SIGNED)", 100 },
    };
    for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
        if ((v = get(s, nums[i].name)) != NULL) {
            if (!is_int(v, 0, nums[i].hi)) {
                BAD(nums[i].name, ts_psprintf(p, "a whole number from 0 to %lld", nums[i].hi));
            } else {
                properties_where_add(w, nums[i].frag, 1, v);
            }
        }
    }
    if ((v = get(s, "label")) != NULL) {
        properties_where_add(w, "EXISTS (SELECT 1 FROM tags t WHERE t.tenant_id = p.tenant_id AND"
               " t.entity = 'property' AND t.entity_id = p.id AND t.tag = ?)", 1, v);
    }
    if ((v = get(s, "feature")) != NULL) {
        properties_where_add(w, "EXISTS (SELECT 1 FROM property_features f WHERE f.tenant_id = p.tenant_id AND"
               " f.property_id = p.id AND f.code = ?)", 1, v);
    }
    if ((v = get(s, "portal")) != NULL) {
        properties_where_add(w, "EXISTS (SELECT 1 FROM property_publications b WHERE b.tenant_id = p.tenant_id"
               " AND b.property_id = p.id AND b.portal = ? AND b.unpublished_at IS NULL)", 1, v);
    }
    static const struct { const char *name, *yes, *no; } flags[] = {
        { "published", "EXISTS (SELECT 1 FROM property_publications b WHERE"
                       " b.tenant_id = p.tenant_id AND b.property_id = p.id AND"
                       " b.unpublished_at IS NULL)",
                       "NOT EXISTS (SELECT 1 FROM property_publications b WHERE"
                       " b.tenant_id = p.tenant_id AND b.property_id = p.id AND"
                       " b.unpublished_at IS NULL)" },
        { "display_on_website", "p.display_on_website = 1", "p.display_on_website = 0" },
        { "new_build", "p.new_build = 1", "p.new_build = 0" },
        { "incomplete", "p.missing <> ''", "p.missing = ''" },
        { "has_gps", "p.latitude IS NOT NULL AND p.longitude IS NOT NULL",
                     "(p.latitude IS NULL OR p.longitude IS NULL)" },
        /* The MLS status check as a filter: unavailable yet still on a portal. */
        { "mls_check", "p.status IN " UNAVAILABLE " AND EXISTS (SELECT 1 FROM"
                       " property_publications b WHERE b.tenant_id = p.tenant_id AND"
                       " b.property_id = p.id AND b.unpublished_at IS NULL)",
                       "NOT (p.status IN " UNAVAILABLE " AND EXISTS (SELECT 1 FROM"
                       " property_publications b WHERE b.tenant_id = p.tenant_id AND"
                       " b.property_id = p.id AND b.unpublished_at IS NULL))" },
    };
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        if ((v = get(s, flags[i].name)) != NULL) {
            if (strcmp(v, "1") != 0 && strcmp(v, "0") != 0 && strcmp(v, "true") != 0
                && strcmp(v, "false") != 0) {
                BAD(flags[i].name, "1 or 0");
            } else {
                properties_where_add(w, (v[0] == '1' || v[0] == 't') ? flags[i].yes : flags[i].no, 0, NULL);
            }
        }
    }
    if ((v = get(s, "missing")) != NULL) {
        if (!list_of(v, missing_ok, p)) {
            BAD("missing", "photos, descriptions, gps, beds, baths, area or price"
                           " (comma-separated for several)");
        } else {
            /* Several items: a listing lacking any of them. */
            char *copy = ts_pstrdup(p, v), *save = NULL, *frag = ts_pstrdup(p, "(");
            const char *items[8];
            int k = 0;
            for (char *t = strtok_r(copy, ",", &save); t && k < 7; t = strtok_r(NULL, ",", &save)) {
                frag = ts_psprintf(p, "%s%sFIND_IN_SET(?, p.missing) > 0", frag, k ? " OR " : "");
                items[k++] = t;
            }
            frag = ts_psprintf(p, "%s)", frag);
            properties_where_add(w, frag, 0, NULL);
            for (int i = 0; i < k && w->n < PROPERTIES_MAXP; i++) {
                w->args[w->n++] = items[i];
            }
        }
    }
#undef BAD
    return nerr;
}

typedef struct {
    const char *name, *expr;
    bool numeric;
} sort_t;

/* The sort allow-list: each key is an expression that is never NULL, so the
 * keyset cursor compares cleanly. */
static const sort_t sorts[] = {
    { "created_at", "p.created_at", false },
    { "updated_at", "p.updated_at", false },
    { "published_at", "COALESCE(p.published_at, '1000-01-01 00:00:00')", false },
    { "price", "COALESCE(p.price, -1)", true },
    { "ref", "p.ref", false },
    { "town", "COALESCE(p.town, '')", false },
    { "status", "CAST(p.status AS CHAR)", false },
    { "web_views", "p.web_views", true },
    { "lead_count", "p.lead_count", true },
    { "completeness", "p.completeness", true },
    { "built_area", "COALESCE(p.built_area, -1)", true },
    { "beds", "COALESCE(p.beds, -1)", true },
    { "id", "p.id", true },
};

#define SORT_HELP "one of created_at, updated_at, published_at, price, ref, town, status," \
                  " web_views, lead_count, completeness, built_area, beds, id (prefix - for descending)"

static const sort_t *
sort_of(const char *v, bool *desc)
{
    *desc = false;
    if (v == NULL) {
        *desc = true;
        return &sorts[sizeof(sorts) / sizeof(sorts[0]) - 1];
    }
    if (*v == '-') {
        *desc = true;
        v++;
    }
    for (size_t i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++) {
        if (strcmp(sorts[i].name, v) == 0) {
            return &sorts[i];
        }
    }
    return NULL;
}

/* The cursor is hex of "<sort value>\n<id>": opaque, URL-safe, and checked. */
static char *
cursor_encode(ts_pool_t *p, const char *value, const char *id)
{
    const char *raw = ts_psprintf(p, "%s\n%s", value ? value : "", id);
    size_t n = strlen(raw);
    char *out = ts_palloc(p, n * 2 + 1);
    for (size_t i = 0; i < n; i++) {
        snprintf(out + i * 2, 3, "%02x", (unsigned char) raw[i]);
    }
    out[n * 2] = '\0';
    return out;
}

static bool
cursor_decode(ts_pool_t *p, const char *hex, const char **value, const char **id)
{
    size_t n = strlen(hex);
    if (n == 0 || n % 2 != 0 || n > 600) {
        return false;
    }
    char *raw = ts_palloc(p, n / 2 + 1);
    for (size_t i = 0; i < n / 2; i++) {
        unsigned c;
        if (sscanf(hex + i * 2, "%2x", &c) != 1 || c == 0) {
            return false;
        }
        raw[i] = (char) c;
    }
    raw[n / 2] = '\0';
    char *nl = strrchr(raw, '\n');
    if (nl == NULL || !is_int(nl + 1, 1, 9007199254740991LL)) {
        return false;
    }
    *nl = '\0';
    *value = raw;
    *id = nl + 1;
    return true;
}

/* The saved view named by ?view=ID (the caller's own or a shared one). */
static int
load_view(ts_request_t *r, source_t *s, const char **sort)
{
    const char *v = ts_req_query(r, "view");
    if (v == NULL) {
        return TS_OK;
    }
    if (!is_int(v, 1, 9007199254740991LL)) {
        return ts_resp_error(r, 422, "validation_failed", "invalid view",
                             properties_one_error("view", "a saved view id"));
    }
    ts_db_result_t *res = ts_db_query(r, "SELECT filters, sort FROM saved_views WHERE"
                                         " tenant_id = {tenant} AND id = ? AND list = 'properties'"
                                         " AND (owner_id = ? OR shared = 1)",
                                      "ii", (int64_t) strtoll(v, NULL, 10), r->user->id);
    if (res == NULL) {
        return TS_ERROR;
    }
    if (ts_db_rows(res) == 0) {
        return ts_resp_error(r, 404, "not_found", "no such saved view", NULL);
    }
    cJSON *f = cJSON_Parse(ts_db_get(res, 0, "filters"));
    if (f != NULL) {
        ts_pool_cleanup_add(r->pool, (void (*)(void *)) cJSON_Delete, f);
        s->view = f;
    }
    if (*sort == NULL) {
        *sort = ts_db_get(res, 0, "sort");
    }
    return TS_OK;
}

static cJSON *
list_item(ts_request_t *r, const ts_db_result_t *res, size_t i)
{
    cJSON *o = properties_row_json(r, res, i);
    cJSON_DeleteItemFromObjectCaseSensitive(o, "sort_key");
    cJSON_DeleteItemFromObjectCaseSensitive(o, "notes");
    cJSON_DeleteItemFromObjectCaseSensitive(o, "custom");
    properties_csv_field(r, o, "portals");
    return o;
}

#define LIST_EXTRA \
    ", u.name AS agent_name," \
    " (SELECT GROUP_CONCAT(b.portal ORDER BY b.portal) FROM property_publications b" \
    " WHERE b.tenant_id = p.tenant_id AND b.property_id = p.id AND b.unpublished_at IS NULL)" \
    " AS portals," \
    " (SELECT m.id FROM property_media m WHERE m.tenant_id = p.tenant_id AND" \
    " m.property_id = p.id AND m.kind = 'photo' AND m.deleted_at IS NULL" \
    " ORDER BY m.is_main DESC, m.position, m.id LIMIT 1) AS main_photo_id," \
    " (SELECT d.title FROM property_descriptions d WHERE d.tenant_id = p.tenant_id AND" \
    " d.property_id = p.id ORDER BY d.lang = 'en' DESC, d.lang LIMIT 1) AS title"

/* The check of a properties view saved through /api/v1/views (registered
 * with ts_view_check_register): its filters and sort as ?view= will read them. */
void
properties_view_check(ts_request_t *r, const cJSON *filters, const char *sort, cJSON **fields)
{
    static const char *const names[] = {
        "deleted", "q", "status", "type", "transaction", "town", "area", "province", "price_min",
        "price_max", "beds_min", "baths_min", "built_area_min", "built_area_max", "agent_id",
        "owner_id", "project_id", "completeness_max", "completeness_min", "label", "feature",
        "portal", "published", "display_on_website", "new_build", "incomplete", "has_gps",
        "mls_check", "missing", NULL };
    cJSON *errors = cJSON_CreateObject();
    const cJSON *e;
    cJSON_ArrayForEach(e, filters) {
        bool known = false;
        for (int i = 0; names[i] != NULL && !known; i++) {
            known = strcmp(e->string, names[i]) == 0;
        }
        if (!known) {
            cJSON_AddStringToObject(errors, e->string, "unknown filter");
        }
    }
    source_t s = { r, filters, false };
    properties_where_t w;
    build_where(&s, &w, errors);
    cJSON_ArrayForEach(e, errors) {
        const char *name = ts_psprintf(r->pool, "filters.%s", e->string);
        if (*fields == NULL) {
            *fields = cJSON_CreateObject();
        }
        if (cJSON_GetObjectItemCaseSensitive(*fields, name) == NULL) {
            cJSON_AddStringToObject(*fields, name, e->valuestring);
        }
    }
    cJSON_Delete(errors);
    bool desc;
    if (sort != NULL && sort_of(sort, &desc) == NULL) {
        if (*fields == NULL) {
            *fields = cJSON_CreateObject();
        }
        cJSON_AddStringToObject(*fields, "sort", SORT_HELP);
    }
}

/* The page of the list the query asks for: TS_OK with pg filled, or the
 * status already answered (a bad filter, an unknown view). */
int
properties_list_query(ts_request_t *r, properties_page_t *pg)
{
    source_t s = { r, NULL, true };
    const char *sortv = ts_req_query(r, "sort"), *ls = ts_req_query(r, "limit");
    int rc = load_view(r, &s, &sortv);
    if (rc != TS_OK) {
        return rc;
    }
    cJSON *errors = cJSON_CreateObject();
    long limit = 50;
    if (ls != NULL) {
        if (!is_int(ls, 1, 500)) {
            cJSON_AddStringToObject(errors, "limit", "must be between 1 and 500");
        } else {
            limit = strtol(ls, NULL, 10);
        }
    }
    bool desc;
    const sort_t *sort = sort_of(sortv, &desc);
    if (sort == NULL) {
        cJSON_AddStringToObject(errors, "sort", SORT_HELP);
        sort = &sorts[0];
    }
    properties_where_t w;
    build_where(&s, &w, errors);
    const char *cursor = ts_req_query(r, "cursor"), *cval = NULL, *cid = NULL;
    if (cursor != NULL && !cursor_decode(r->pool, cursor, &cval, &cid)) {
        cJSON_AddStringToObject(errors, "cursor", "not a cursor of this list");
    }
    if (cJSON_GetArraySize(errors) > 0) {
        return properties_validation_error(r, errors);
    }
    cJSON_Delete(errors);
    /* A range filter on the sort column leaves out its NULLs: sort on the
     * column itself, so that an index can give the order. */
    const char *expr = sort->expr;
    if (strcmp(sort->name, "price") == 0 && (get(&s, "price_min") || get(&s, "price_max"))) {
        expr = "p.price";
    } else if (strcmp(sort->name, "built_area") == 0
               && (get(&s, "built_area_min") || get(&s, "built_area_max"))) {
        expr = "p.built_area";
    }
    ts_db_result_t *count = properties_where_run(r, ts_psprintf(r->pool, "SELECT COUNT(*) AS n FROM properties p"
                                               " WHERE %s", w.sql), &w);
    if (count == NULL) {
        return TS_ERROR;
    }
    if (cid != NULL) {
        const char *op = desc ? "<" : ">";
        const char *frag = sort->numeric
            ? ts_psprintf(r->pool, "(%s %s CAST(? AS SIGNED) OR (%s = CAST(? AS SIGNED) AND"
                                   " p.id %s CAST(? AS SIGNED)))", expr, op, expr, op)
            : ts_psprintf(r->pool, "(%s %s ? OR (%s = ? AND p.id %s CAST(? AS SIGNED)))",
                          expr, op, expr, op);
        properties_where_add(&w, frag, 2, cval);
        w.args[w.n++] = cid;
    }
    const char *dir = desc ? "DESC" : "ASC";
    char *sql = ts_psprintf(r->pool,
        "SELECT %s, %s AS sort_key" LIST_EXTRA " FROM properties p"
        " LEFT JOIN users u ON u.tenant_id = p.tenant_id AND u.id = p.agent_id"
        " WHERE %s ORDER BY %s %s, p.id %s LIMIT %ld",
        properties_select_columns, expr, w.sql, expr, dir, dir, limit + 1);
    ts_db_result_t *res = properties_where_run(r, sql, &w);
    if (res == NULL) {
        return TS_ERROR;
    }
    size_t n = ts_db_rows(res);
    cJSON *items = cJSON_CreateArray();
    for (size_t i = 0; i < n && i < (size_t) limit; i++) {
        cJSON_AddItemToArray(items, list_item(r, res, i));
    }
    pg->next = NULL;
    if (n > (size_t) limit) {
        pg->next = cursor_encode(r->pool, ts_db_get(res, (size_t) limit - 1, "sort_key"),
                                 ts_db_get(res, (size_t) limit - 1, "id"));
    }
    pg->items = items;
    pg->total = ts_db_get_int(count, 0, "n");
    pg->sort = sort->name;
    pg->desc = desc;
    return TS_OK;
}

int
properties_list(ts_request_t *r)
{
    properties_page_t pg;
    int rc = properties_list_query(r, &pg);
    return rc == TS_OK ? ts_resp_list(r, pg.items, pg.next, pg.total) : rc;
}

/* The map: every filtered property with coordinates (at most 5000). */
int
properties_map_points(ts_request_t *r)
{
    source_t s = { r, NULL, true };
    const char *sortv = NULL;
    int rc = load_view(r, &s, &sortv);
    if (rc != TS_OK) {
        return rc;
    }
    cJSON *errors = cJSON_CreateObject();
    properties_where_t w;
    build_where(&s, &w, errors);
    if (cJSON_GetArraySize(errors) > 0) {
        return properties_validation_error(r, errors);
    }
    cJSON_Delete(errors);
    properties_where_add(&w, "p.latitude IS NOT NULL AND p.longitude IS NOT NULL", 0, NULL);
    ts_db_result_t *res = properties_where_run(r, ts_psprintf(r->pool,
        "SELECT p.id, p.ref, p.type, p.status, p.price, p.currency, p.town,"
        " CAST(p.latitude AS DOUBLE) AS latitude, CAST(p.longitude AS DOUBLE) AS longitude"
        " FROM properties p WHERE %s ORDER BY p.id LIMIT 5000", w.sql), &w);
    if (res == NULL) {
        return TS_ERROR;
    }
    return ts_resp_list(r, ts_db_rows_json(r, res), NULL, (long long) ts_db_rows(res));
}

/* The ids a batch action names by filter (at most `max`). */
int
properties_filter_ids(ts_request_t *r, const cJSON *filter, int64_t **ids, size_t *n,
                      size_t max, cJSON *errors)
{
    source_t s = { r, filter, false };
    properties_where_t w;
    if (build_where(&s, &w, errors) > 0) {
        return TS_DECLINED;
    }
    ts_db_result_t *res = properties_where_run(r, ts_psprintf(r->pool, "SELECT p.id FROM properties p WHERE %s"
                                             " ORDER BY p.id LIMIT %zu", w.sql, max + 1), &w);
    if (res == NULL) {
        return TS_ERROR;
    }
    if (ts_db_rows(res) > max) {
        cJSON_AddStringToObject(errors, "filter", ts_psprintf(r->pool,
                                "matches more than %zu properties", max));
        return TS_DECLINED;
    }
    *n = ts_db_rows(res);
    *ids = ts_palloc(r->pool, sizeof(int64_t) * (*n + 1));
    for (size_t i = 0; i < *n; i++) {
        (*ids)[i] = ts_db_get_int(res, i, "id");
    }
    return TS_OK;
}

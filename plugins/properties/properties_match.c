/* Matching both ways: the available properties that fit a lead's
 * preferences, and the leads a property fits. Price and built area may be
 * off by the tenant's tolerance (10% unless set); bedrooms and bathrooms at
 * least the minimum; type in the chosen set; town among the chosen towns
 * (other spellings too) or inside a chosen area; sale or rent alike; every
 * required tag present. Exact fits rank first, and each result says why it
 * matched and what was stretched. Dismissed pairs never come back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "properties.h"

#define MATCH_LIMIT 50
#define AVAILABLE "('active','open_house','key_ready','under_construction')"

typedef struct {
    const char *budget_min, *budget_max, *area_min, *area_max, *beds, *baths, *transaction;
    const cJSON *types, *towns, *areas, *tags;
} prefs_t;

/* A JSON list of strings as "a,b,c" (entries holding a comma are left out:
 * FIND_IN_SET could not tell them apart). */
static char *
csv(ts_request_t *r, const cJSON *a, int max)
{
    char *out = ts_pstrdup(r->pool, "");
    const cJSON *e;
    int n = 0;
    cJSON_ArrayForEach(e, a) {
        if (cJSON_IsString(e) && *e->valuestring && strchr(e->valuestring, ',') == NULL
            && strlen(e->valuestring) <= 100 && n++ < max) {
            out = ts_psprintf(r->pool, "%s%s%s", out, *out ? "," : "", e->valuestring);
        }
    }
    return out;
}

static char *
csv_rows(ts_request_t *r, const ts_db_result_t *res, const char *col, char *into)
{
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        const char *v = ts_db_get(res, i, col);
        if (v && strchr(v, ',') == NULL) {
            into = ts_psprintf(r->pool, "%s%s%s", into, *into ? "," : "", v);
        }
    }
    return into;
}

static const char *
scaled(ts_request_t *r, const char *v, int pct)
{
    return v ? ts_psprintf(r->pool, "%lld", strtoll(v, NULL, 10) * (100 + pct) / 100) : NULL;
}

static int
tolerance(ts_request_t *r)
{
    properties_settings_t s;
    return properties_settings_get(r, &s, false) == TS_OK ? s.match_tolerance_pct : 10;
}

/* A reason, formatted (the format is a literal, checked by the compiler). */
#define REASON(list, ...) \
    cJSON_AddItemToArray(list, cJSON_CreateString(ts_psprintf(r->pool, __VA_ARGS__)))

/* One range (price or area): a reason or a stretch. */
static bool
explain_range(ts_request_t *r, const char *what, const char *v, const char *lo, const char *hi,
              cJSON *reasons, cJSON *stretched)
{
    if (lo == NULL && hi == NULL) {
        return true;
    }
    double x = strtod(v ? v : "0", NULL);
    if (lo != NULL && x < strtod(lo, NULL)) {
        double pct = 100.0 * (strtod(lo, NULL) - x) / strtod(lo, NULL);
        cJSON_AddItemToArray(stretched, cJSON_CreateString(ts_psprintf(r->pool,
            "%s %s is %.1f%% below the minimum %s", what, v, pct, lo)));
        return false;
    }
    if (hi != NULL && x > strtod(hi, NULL)) {
        double pct = 100.0 * (x - strtod(hi, NULL)) / strtod(hi, NULL);
        cJSON_AddItemToArray(stretched, cJSON_CreateString(ts_psprintf(r->pool,
            "%s %s is %.1f%% above the maximum %s", what, v, pct, hi)));
        return false;
    }
    cJSON_AddItemToArray(reasons, cJSON_CreateString(ts_psprintf(r->pool, "%s %s within %s–%s",
        what, v, lo ? lo : "any", hi ? hi : "any")));
    return true;
}

/* Why a property fits preferences: {"exact", "reasons", "stretched"}. */
static void
explain(ts_request_t *r, const prefs_t *p, const ts_db_result_t *res, size_t i, cJSON *o)
{
    cJSON *reasons = cJSON_CreateArray(), *stretched = cJSON_CreateArray();
    bool exact = explain_range(r, "price", ts_db_get(res, i, "price"), p->budget_min,
                               p->budget_max, reasons, stretched);
    exact &= explain_range(r, "built area", ts_db_get(res, i, "built_area"), p->area_min,
                           p->area_max, reasons, stretched);
    if (p->beds) {
        REASON(reasons, "%s bedrooms (at least %s)", ts_db_get(res, i, "beds"), p->beds);
    }
    if (p->baths) {
        REASON(reasons, "%s bathrooms (at least %s)", ts_db_get(res, i, "baths"), p->baths);
    }
    if (cJSON_GetArraySize(p->types) > 0) {
        REASON(reasons, "type %s is one of %s", ts_db_get(res, i, "type"),
                   csv(r, p->types, 50));
    }
    if (cJSON_GetArraySize(p->towns) + cJSON_GetArraySize(p->areas) > 0) {
        const char *town = ts_db_get(res, i, "town");
        REASON(reasons, "%s is in the chosen places (%s)", town ? town : "the area",
                   ts_psprintf(r->pool, "%s%s%s", csv(r, p->towns, 50),
                               cJSON_GetArraySize(p->towns) && cJSON_GetArraySize(p->areas)
                                   ? "; " : "", csv(r, p->areas, 50)));
    }
    if (p->transaction) {
        REASON(reasons, "for %s", p->transaction);
    }
    if (cJSON_GetArraySize(p->tags) > 0) {
        REASON(reasons, "carries %s", csv(r, p->tags, 50));
    }
    cJSON_AddBoolToObject(o, "exact", exact);
    cJSON_AddItemToObject(o, "reasons", reasons);
    cJSON_AddItemToObject(o, "stretched", stretched);
}

static void
prefs_from(const ts_db_result_t *res, size_t i, const cJSON *json, prefs_t *p)
{
    p->budget_min = ts_db_get(res, i, "budget_min");
    p->budget_max = ts_db_get(res, i, "budget_max");
    p->area_min = ts_db_get(res, i, "area_min");
    p->area_max = ts_db_get(res, i, "area_max");
    p->beds = ts_db_get(res, i, "bedrooms_min");
    p->baths = ts_db_get(res, i, "bathrooms_min");
    p->transaction = ts_db_get(res, i, "transaction");
    p->types = cJSON_GetObjectItemCaseSensitive(json, "property_types");
    p->towns = cJSON_GetObjectItemCaseSensitive(json, "towns");
    p->areas = cJSON_GetObjectItemCaseSensitive(json, "areas");
    p->tags = cJSON_GetObjectItemCaseSensitive(json, "required_tags");
}

static const cJSON *
parse_prefs(ts_request_t *r, const char *text)
{
    cJSON *j = text ? cJSON_Parse(text) : NULL;
    if (j != NULL) {
        ts_pool_cleanup_add(r->pool, (void (*)(void *)) cJSON_Delete, j);
    }
    return j;
}

#define LEAD_COLS "c.id, c.kind, c.type AS lead_type, c.status, c.first_name, c.last_name," \
    " c.email, c.agent_id, c.budget_min, c.budget_max, c.area_min, c.area_max, c.bedrooms_min," \
    " c.bathrooms_min, c.transaction, c.preferences, c.score"

/* The towns a lead's places stand for: the chosen towns, the towns of the
 * chosen areas, and every other spelling of each. */
static char *
lead_towns(ts_request_t *r, const prefs_t *p)
{
    char *towns = csv(r, p->towns, 50), *areas = csv(r, p->areas, 50);
    ts_db_result_t *res = ts_db_query(r, "SELECT town FROM property_area_towns WHERE"
                                         " tenant_id IN (0, {tenant}) AND FIND_IN_SET(area, ?)",
                                      "s", areas);
    towns = csv_rows(r, res, "town", towns);
    res = ts_db_query(r, "SELECT town AS name FROM property_town_aliases WHERE"
                         " tenant_id IN (0, {tenant}) AND FIND_IN_SET(alias, ?) UNION"
                         " SELECT alias FROM property_town_aliases WHERE"
                         " tenant_id IN (0, {tenant}) AND FIND_IN_SET(town, ?)", "ss", towns, towns);
    return csv_rows(r, res, "name", towns);
}

/* The matches of one lead as a JSON list: TS_OK, or the status answered. */
int
properties_lead_matches_json(ts_request_t *r, int64_t lead, cJSON **out)
{
    ts_db_result_t *lr = ts_db_query(r, "SELECT " LEAD_COLS " FROM contacts c WHERE"
                                        " c.tenant_id = {tenant} AND c.id = ? AND"
                                        " c.deleted_at IS NULL", "i", lead);
    if (lr == NULL) {
        return TS_ERROR;
    }
    if (ts_db_rows(lr) == 0) {
        return ts_resp_error(r, 404, "not_found", "no such lead", NULL);
    }
    prefs_t p;
    prefs_from(lr, 0, parse_prefs(r, ts_db_get(lr, 0, "preferences")), &p);
    int tol = tolerance(r);
    properties_where_t w;
    w.n = 0;
    /* The SELECT's own placeholders come first: exact = inside the ranges. */
    const char *sel[] = { p.budget_min, p.budget_min, p.budget_max, p.budget_max,
                          p.area_min, p.area_min, p.area_max, p.area_max };
    for (size_t i = 0; i < sizeof(sel) / sizeof(sel[0]); i++) {
        w.args[w.n++] = sel[i];
    }
    w.len = (size_t) snprintf(w.sql, sizeof(w.sql), "p.tenant_id = {tenant} AND"
                              " p.deleted_at IS NULL AND p.status IN " AVAILABLE);
    if (p.budget_min) {
        properties_where_add(&w, "p.price >= CAST(? AS SIGNED)", 1, scaled(r, p.budget_min, -tol));
    }
    if (p.budget_max) {
        properties_where_add(&w, "p.price <= CAST(? AS SIGNED)", 1, scaled(r, p.budget_max, tol));
    }
    if (p.area_min) {
        properties_where_add(&w, "p.built_area >= CAST(? AS SIGNED)", 1, scaled(r, p.area_min, -tol));
    }
    if (p.area_max) {
        properties_where_add(&w, "p.built_area <= CAST(? AS SIGNED)", 1, scaled(r, p.area_max, tol));
    }
    if (p.beds) {
        properties_where_add(&w, "p.beds >= CAST(? AS SIGNED)", 1, p.beds);
    }
    if (p.baths) {
        properties_where_add(&w, "p.baths >= CAST(? AS SIGNED)", 1, p.baths);
    }
    if (p.transaction) {
        properties_where_add(&w, strcmp(p.transaction, "rent") == 0
                             ? "p.transaction IN ('long_term_rent', 'holiday_rent')"
                             : "p.transaction = 'sale'", 0, NULL);
    }
    if (cJSON_GetArraySize(p.types) > 0) {
        properties_where_in(r, &w, "p.type", csv(r, p.types, 10), 10);
    }
    /* Chosen places: the towns they stand for (chosen towns, the towns of
     * chosen areas, other spellings), or a property whose area is chosen. */
    if (cJSON_GetArraySize(p.towns) + cJSON_GetArraySize(p.areas) > 0) {
        const char *towns = properties_in_list(r, &w, "p.town", lead_towns(r, &p), 30);
        const char *areas = properties_in_list(r, &w, "p.area", csv(r, p.areas, 10), 10);
        properties_where_add(&w, ts_psprintf(r->pool, "(%s OR %s)", towns, areas), 0, NULL);
    }
    const cJSON *tag;
    int ntags = 0;
    cJSON_ArrayForEach(tag, p.tags) {
        if (cJSON_IsString(tag) && ntags++ < 10) {
            properties_where_add(&w, "EXISTS (SELECT 1 FROM tags t WHERE t.tenant_id = p.tenant_id"
                                     " AND t.entity = 'property' AND t.entity_id = p.id AND"
                                     " t.tag = ?)", 1, tag->valuestring);
        }
    }
    properties_where_add(&w, "NOT EXISTS (SELECT 1 FROM property_match_dismissals d WHERE"
                             " d.tenant_id = p.tenant_id AND d.property_id = p.id AND"
                             " d.contact_id = CAST(? AS SIGNED))", 1,
                         ts_psprintf(r->pool, "%lld", (long long) lead));
    ts_db_result_t *res = properties_where_run(r, ts_psprintf(r->pool,
        "SELECT p.id, p.ref, p.type, p.transaction, p.status, p.price, p.currency, p.town, p.area,"
        " p.beds, p.baths, p.built_area, p.agent_id, p.published_at,"
        " ((? IS NULL OR p.price >= CAST(? AS SIGNED)) AND (? IS NULL OR p.price <= CAST(? AS SIGNED))"
        " AND (? IS NULL OR p.built_area >= CAST(? AS SIGNED))"
        " AND (? IS NULL OR p.built_area <= CAST(? AS SIGNED))) AS exact_fit"
        " FROM properties p WHERE %s ORDER BY exact_fit DESC, p.published_at DESC, p.id DESC"
        " LIMIT %d", w.sql, MATCH_LIMIT), &w);
    if (res == NULL) {
        return TS_ERROR;
    }
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        cJSON *o = ts_db_row_json(r, res, i);
        cJSON_DeleteItemFromObjectCaseSensitive(o, "exact_fit");
        explain(r, &p, res, i, o);
        cJSON_AddItemToArray(a, o);
    }
    *out = a;
    return TS_OK;
}

int
properties_lead_matches(ts_request_t *r)
{
    int64_t lead;
    cJSON *a;
    if (ts_req_param_id(r, "id", &lead) != TS_OK) {
        return ts_resp_error(r, 404, "not_found", "no such lead", NULL);
    }
    int rc = properties_lead_matches_json(r, lead, &a);
    return rc == TS_OK ? ts_resp_list(r, a, NULL, cJSON_GetArraySize(a)) : rc;
}

/* The leads (and buyer contacts) a property fits; also what the "new
 * matches" feed is filled from. */
static ts_db_result_t *
leads_for(ts_request_t *r, const ts_db_result_t *pr, int tol, int64_t id)
{
    const char *price = ts_db_get(pr, 0, "price"), *area = ts_db_get(pr, 0, "built_area");
    const char *beds = ts_db_get(pr, 0, "beds"), *baths = ts_db_get(pr, 0, "baths");
    const char *tx = strcmp(ts_db_get(pr, 0, "transaction"), "sale") == 0 ? "sale" : "rent";
    const char *town = ts_db_get(pr, 0, "town"), *parea = ts_db_get(pr, 0, "area");
    char *names = ts_pstrdup(r->pool, town && !strchr(town, ',') ? town : "");
    ts_db_result_t *x = ts_db_query(r, "SELECT town AS name FROM property_town_aliases WHERE"
                                       " tenant_id IN (0, {tenant}) AND alias = ? UNION"
                                       " SELECT alias FROM property_town_aliases WHERE"
                                       " tenant_id IN (0, {tenant}) AND town = ?", "ss", town, town);
    names = csv_rows(r, x, "name", names);
    char *areas = ts_pstrdup(r->pool, parea && !strchr(parea, ',') ? parea : "");
    x = ts_db_query(r, "SELECT area FROM property_area_towns WHERE tenant_id IN (0, {tenant})"
                       " AND FIND_IN_SET(town, ?)", "s", names);
    areas = csv_rows(r, x, "area", areas);
    x = ts_db_query(r, "SELECT tag FROM tags WHERE tenant_id = {tenant} AND entity = 'property'"
                       " AND entity_id = ?", "i", id);
    char *tags = csv_rows(r, x, "tag", ts_pstrdup(r->pool, ""));
    const char *t = ts_psprintf(r->pool, "%d", tol);
    const char *pid = ts_psprintf(r->pool, "%lld", (long long) id);
    return ts_db_query(r,
        "SELECT " LEAD_COLS ","
        " ((c.budget_min IS NULL OR ? >= c.budget_min) AND (c.budget_max IS NULL OR ? <= c.budget_max)"
        " AND (c.area_min IS NULL OR ? >= c.area_min) AND (c.area_max IS NULL OR ? <= c.area_max))"
        " AS exact_fit"
        " FROM contacts c WHERE c.tenant_id = {tenant} AND c.deleted_at IS NULL"
        " AND c.erased_at IS NULL AND c.merged_into IS NULL AND c.status NOT IN ('won', 'lost')"
        " AND (c.type = 'buyer' OR (c.type IS NULL AND c.kind = 'lead') OR EXISTS (SELECT 1 FROM"
        " contact_roles cr WHERE cr.tenant_id = c.tenant_id AND cr.contact_id = c.id AND"
        " cr.role IN ('buyer', 'tenant')))"
        " AND (c.budget_min IS NULL OR ? >= c.budget_min * (100 - ?) / 100)"
        " AND (c.budget_max IS NULL OR ? <= c.budget_max * (100 + ?) / 100)"
        " AND (c.area_min IS NULL OR ? >= c.area_min * (100 - ?) / 100)"
        " AND (c.area_max IS NULL OR ? <= c.area_max * (100 + ?) / 100)"
        " AND (c.bedrooms_min IS NULL OR ? >= c.bedrooms_min)"
        " AND (c.bathrooms_min IS NULL OR ? >= c.bathrooms_min)"
        " AND (c.transaction IS NULL OR c.transaction = ?)"
        " AND (COALESCE(JSON_LENGTH(c.preferences, '$.property_types'), 0) = 0"
        "      OR JSON_CONTAINS(c.preferences, JSON_QUOTE(?), '$.property_types'))"
        " AND (COALESCE(JSON_LENGTH(c.preferences, '$.towns'), 0)"
        "      + COALESCE(JSON_LENGTH(c.preferences, '$.areas'), 0) = 0"
        "      OR EXISTS (SELECT 1 FROM JSON_TABLE(c.preferences, '$.towns[*]'"
        "                 COLUMNS (v VARCHAR(100) PATH '$')) jt WHERE FIND_IN_SET(jt.v, ?))"
        "      OR EXISTS (SELECT 1 FROM JSON_TABLE(c.preferences, '$.areas[*]'"
        "                 COLUMNS (v VARCHAR(100) PATH '$')) ja WHERE FIND_IN_SET(ja.v, ?)))"
        " AND NOT EXISTS (SELECT 1 FROM JSON_TABLE(c.preferences, '$.required_tags[*]'"
        "                 COLUMNS (v VARCHAR(64) PATH '$')) jr WHERE NOT FIND_IN_SET(jr.v, ?))"
        " AND NOT EXISTS (SELECT 1 FROM property_match_dismissals d WHERE d.tenant_id = c.tenant_id"
        "                 AND d.contact_id = c.id AND d.property_id = ?)"
        " ORDER BY exact_fit DESC, c.score IS NULL, c.score DESC, c.id DESC LIMIT 200",
        "ssssssssssssssssssss", price, price, area, area, price, t, price, t, area, t, area, t,
        beds, baths, tx, ts_db_get(pr, 0, "type"), names, areas, tags, pid);
}

static cJSON *
lead_item(ts_request_t *r, const ts_db_result_t *leads, size_t i, const ts_db_result_t *pr)
{
    cJSON *o = ts_db_row_json(r, leads, i);
    cJSON_DeleteItemFromObjectCaseSensitive(o, "exact_fit");
    const cJSON *json = parse_prefs(r, ts_db_get(leads, i, "preferences"));
    cJSON_ReplaceItemInObjectCaseSensitive(o, "preferences",
                                           json ? cJSON_Duplicate(json, 1) : cJSON_CreateNull());
    prefs_t p;
    prefs_from(leads, i, json, &p);
    explain(r, &p, pr, 0, o);
    return o;
}

int
properties_property_matches_json(ts_request_t *r, int64_t id, cJSON **out)
{
    ts_db_result_t *pr = properties_load(r, id, false);
    if (pr == NULL) {
        return TS_ERROR;
    }
    if (ts_db_rows(pr) == 0) {
        return ts_resp_error(r, 404, "not_found", "no such property", NULL);
    }
    ts_db_result_t *leads = leads_for(r, pr, tolerance(r), id);
    if (leads == NULL) {
        return TS_ERROR;
    }
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < ts_db_rows(leads) && i < MATCH_LIMIT; i++) {
        cJSON_AddItemToArray(a, lead_item(r, leads, i, pr));
    }
    *out = a;
    return TS_OK;
}

int
properties_property_matches(ts_request_t *r)
{
    int64_t id;
    cJSON *a;
    int rc = properties_id_param(r, &id);
    if (rc == TS_OK) {
        rc = properties_property_matches_json(r, id, &a);
    }
    return rc == TS_OK ? ts_resp_list(r, a, NULL, cJSON_GetArraySize(a)) : rc;
}

/* POST (dismiss) and DELETE (bring back) /api/v1/leads/{id}/matches/{property}. */
int
properties_match_dismiss(ts_request_t *r)
{
    int64_t lead, id;
    if (ts_req_param_id(r, "id", &lead) != TS_OK || ts_req_param_id(r, "property", &id) != TS_OK) {
        return ts_resp_error(r, 404, "not_found", "no such lead or property", NULL);
    }
    ts_db_result_t *res = ts_db_query(r, "SELECT (SELECT COUNT(*) FROM contacts WHERE"
                                         " tenant_id = {tenant} AND id = ? AND deleted_at IS NULL)"
                                         " + (SELECT COUNT(*) FROM properties WHERE"
                                         " tenant_id = {tenant} AND id = ?) AS n", "ii", lead, id);
    if (res == NULL) {
        return TS_ERROR;
    }
    if (ts_db_get_int(res, 0, "n") != 2) {
        return ts_resp_error(r, 404, "not_found", "no such lead or property", NULL);
    }
    int rc = r->method == TS_DELETE
        ? ts_db_exec(r, "DELETE FROM property_match_dismissals WHERE tenant_id = {tenant} AND"
                        " contact_id = ? AND property_id = ?", "ii", lead, id)
        : ts_db_exec(r, "INSERT IGNORE INTO property_match_dismissals (tenant_id, contact_id,"
                        " property_id, user_id) VALUES ({tenant}, ?, ?, ?)", "iii", lead, id,
                     r->user->id);
    return rc == TS_OK ? ts_resp_no_content(r) : TS_ERROR;
}

/* After commit: a property that became active, or got cheaper, is put in the
 * "new matches" feed of the agents of the leads it now fits. */
static void
feed(ts_request_t *r, int64_t id, const char *reason)
{
    ts_db_result_t *pr = properties_load(r, id, false);
    if (ts_db_rows(pr) != 1
        || strstr(AVAILABLE, ts_psprintf(r->pool, "'%s'", ts_db_get(pr, 0, "status"))) == NULL) {
        return;
    }
    ts_db_result_t *leads = leads_for(r, pr, tolerance(r), id);
    for (size_t i = 0; i < ts_db_rows(leads); i++) {
        ts_db_exec(r, "INSERT INTO property_match_feed (tenant_id, contact_id, property_id, agent_id,"
                      " reason, exact) SELECT {tenant}, ?, ?, ?, ?, ? FROM DUAL WHERE NOT EXISTS"
                      " (SELECT 1 FROM property_match_feed f WHERE f.tenant_id = {tenant} AND"
                      " f.contact_id = ? AND f.property_id = ? AND f.seen_at IS NULL)",
                   "issssss", ts_db_get_int(leads, i, "id"), ts_psprintf(r->pool, "%lld",
                   (long long) id), ts_db_get(leads, i, "agent_id"), reason,
                   ts_db_get(leads, i, "exact_fit"), ts_db_get(leads, i, "id"),
                   ts_psprintf(r->pool, "%lld", (long long) id));
    }
}

void
properties_on_status(ts_request_t *r, const char *event, const cJSON *payload)
{
    (void) event;
    const char *to = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(payload, "to"));
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(payload, "id");
    if (to != NULL && strcmp(to, "active") == 0 && cJSON_IsNumber(id)) {
        feed(r, (int64_t) id->valuedouble, "activated");
    }
}

void
properties_on_update(ts_request_t *r, const char *event, const cJSON *payload)
{
    (void) event;
    const cJSON *price = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(payload, "changes"), "price");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(payload, "id");
    const char *old = cJSON_GetStringValue(cJSON_GetArrayItem(price, 0));
    const char *now = cJSON_GetStringValue(cJSON_GetArrayItem(price, 1));
    if (old && now && strtoll(now, NULL, 10) < strtoll(old, NULL, 10) && cJSON_IsNumber(id)) {
        feed(r, (int64_t) id->valuedouble, "price_drop");
    }
}

/* GET /api/v1/properties/new-matches: the caller's unseen feed (?all=1: every
 * agent's, for managers). */
int
properties_new_matches(ts_request_t *r)
{
    const char *all = ts_req_query(r, "all");
    bool everyone = all && strcmp(all, "1") == 0 && r->user->role >= TS_ROLE_MANAGER;
    ts_db_result_t *res = ts_db_query(r,
        "SELECT f.id, f.contact_id, c.first_name, c.last_name, f.property_id, p.ref, p.town,"
        " p.price, p.currency, f.agent_id, f.reason, f.exact, f.created_at"
        " FROM property_match_feed f JOIN properties p ON p.tenant_id = f.tenant_id AND"
        " p.id = f.property_id AND p.deleted_at IS NULL JOIN contacts c ON"
        " c.tenant_id = f.tenant_id AND c.id = f.contact_id AND c.deleted_at IS NULL"
        " WHERE f.tenant_id = {tenant} AND f.seen_at IS NULL AND (? = 1 OR f.agent_id = ?)"
        " ORDER BY f.id DESC LIMIT 200", "ii", (int64_t) everyone, r->user->id);
    if (res == NULL) {
        return TS_ERROR;
    }
    cJSON *a = ts_db_rows_json(r, res), *e;
    cJSON_ArrayForEach(e, a) {
        cJSON *x = cJSON_GetObjectItemCaseSensitive(e, "exact");
        cJSON_ReplaceItemInObjectCaseSensitive(e, "exact", cJSON_CreateBool(x->valuedouble));
    }
    return ts_resp_list(r, a, NULL, cJSON_GetArraySize(a));
}

/* POST /api/v1/properties/new-matches/seen {"ids": [...]}. */
int
properties_new_matches_seen(ts_request_t *r)
{
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(ts_req_json(r), "ids"), *e;
    if (!cJSON_IsArray(ids) || cJSON_GetArraySize(ids) > 500) {
        return properties_validation_error(r, properties_one_error("ids", "a list of feed ids"));
    }
    cJSON_ArrayForEach(e, ids) {
        if (!cJSON_IsNumber(e) || ts_db_exec(r, "UPDATE property_match_feed SET"
                " seen_at = UTC_TIMESTAMP() WHERE tenant_id = {tenant} AND id = ? AND"
                " (agent_id = ? OR ? = 1)", "iii", (int64_t) e->valuedouble, r->user->id,
                (int64_t) (r->user->role >= TS_ROLE_MANAGER)) != TS_OK) {
            return cJSON_IsNumber(e) ? TS_ERROR : properties_validation_error(r,
                properties_one_error("ids", "a list of feed ids"));
        }
    }
    return ts_resp_no_content(r);
}

/* GET /api/v1/deals/{id}/matches: available properties that fit a buy or
 * rent deal's search preferences (SPEC §3): price and built area within the
 * range with 10% tolerance, beds and baths at least the minimum, type in the
 * chosen set, town or area among the chosen ones or in a chosen area, sale or
 * rent equal, every required tag present. Exact fits rank first. Each match
 * says which preferences it fits (`fits`) and by how many percent its price
 * or built area lies outside the range (`stretched`); `linked` when the
 * property is linked to the deal already. The deal page lists the first ones. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "deals.h"

static const char *MATCH_SQL =
    "SELECT p.id, p.ref, p.type, p.transaction, p.status, p.price, p.currency, p.town, p.area,"
    " p.beds, p.baths, p.built_area, EXISTS (SELECT 1 FROM deal_properties dp"
    "  WHERE dp.tenant_id = p.tenant_id AND dp.deal_id = ? AND dp.property_id = p.id) AS linked,"
    " ((? IS NULL OR p.price >= ?) AND (? IS NULL OR p.price <= ?)"
    "  AND (? IS NULL OR p.built_area >= ?) AND (? IS NULL OR p.built_area <= ?)) AS exact"
    " FROM properties p WHERE p.tenant_id = {tenant} AND p.deleted_at IS NULL"
    " AND p.status IN ('active', 'open_house', 'key_ready', 'under_construction')"
    " AND (? = 'sale' AND p.transaction = 'sale' OR ? = 'rent' AND p.transaction <> 'sale')"
    " AND (? IS NULL OR p.price >= ? * 0.9) AND (? IS NULL OR p.price <= ? * 1.1)"
    " AND (? IS NULL OR p.built_area >= ? * 0.9) AND (? IS NULL OR p.built_area <= ? * 1.1)"
    " AND (? IS NULL OR p.beds >= ?) AND (? IS NULL OR p.baths >= ?)"
    " AND (? IS NULL OR JSON_LENGTH(?) = 0 OR JSON_CONTAINS(?, JSON_QUOTE(p.type)))"
    " AND (COALESCE(JSON_LENGTH(?), 0) + COALESCE(JSON_LENGTH(?), 0) = 0"
    "  OR JSON_CONTAINS(COALESCE(?, '[]'), JSON_QUOTE(p.town))"
    "  OR JSON_CONTAINS(COALESCE(?, '[]'), JSON_QUOTE(COALESCE(p.area, '')))"
    "  OR EXISTS (SELECT 1 FROM property_area_towns a WHERE a.tenant_id IN (0, p.tenant_id)"
    "   AND a.town = p.town AND (JSON_CONTAINS(COALESCE(?, '[]'), JSON_QUOTE(a.area))"
    "   OR JSON_CONTAINS(COALESCE(?, '[]'), JSON_QUOTE(a.area)))))"
    " AND (? IS NULL OR NOT EXISTS (SELECT 1 FROM JSON_TABLE(?, '$[*]' COLUMNS"
    "  (tag VARCHAR(64) PATH '$')) rt WHERE NOT EXISTS (SELECT 1 FROM tags t"
    "  WHERE t.tenant_id = p.tenant_id AND t.entity = 'property' AND t.entity_id = p.id"
    "  AND t.tag = rt.tag)))"
    " ORDER BY exact DESC, p.price IS NULL, p.price, p.id LIMIT ?";

/* Percent by which v lies outside [lo, hi] (either may be NULL): positive
 * above, negative below, 0 inside. */
static long
outside(const char *v, const char *lo, const char *hi)
{
    double x = v ? strtod(v, NULL) : 0, a = lo ? strtod(lo, NULL) : 0, b = hi ? strtod(hi, NULL) : 0;
    if (v == NULL) {
        return 0;
    }
    if (hi != NULL && x > b && b > 0) {
        return (long) ceil((x - b) * 100.0 / b);
    }
    if (lo != NULL && x < a && a > 0) {
        return -(long) ceil((a - x) * 100.0 / a);
    }
    return 0;
}

static bool
some(const char *json_list)
{
    return json_list != NULL && strcmp(json_list, "[]") != 0 && strcmp(json_list, "null") != 0;
}

/* fits and stretched of one match, from the preferences in pr. */
static void
explain(cJSON *it, const ts_db_result_t *pr, const ts_db_result_t *res, size_t i)
{
#define P(c) ts_db_get(pr, 0, c)
    cJSON *fits = cJSON_AddArrayToObject(it, "fits");
    cJSON *stretched = cJSON_AddObjectToObject(it, "stretched");
    cJSON_AddItemToArray(fits, cJSON_CreateString("transaction"));
    static const char *const ranges[][3] = {
        { "price", "budget_min", "budget_max" }, { "built_area", "area_min", "area_max" },
    };
    for (int k = 0; k < 2; k++) {
        const char *lo = P(ranges[k][1]), *hi = P(ranges[k][2]);
        long by = outside(ts_db_get(res, i, ranges[k][0]), lo, hi);
        if (by != 0) {
            cJSON_AddNumberToObject(stretched, ranges[k][0], (double) by);
        } else if (lo != NULL || hi != NULL) {
            cJSON_AddItemToArray(fits, cJSON_CreateString(ranges[k][0]));
        }
    }
    static const char *const plain[][2] = {
        { "beds", "bedrooms_min" }, { "baths", "bathrooms_min" }, { "type", "property_types" },
        { "place", "towns" }, { "tags", "required_tags" },
    };
    for (int k = 0; k < 5; k++) {
        const char *v = P(plain[k][1]);
        bool set = k < 2 ? v != NULL : some(v) || (k == 3 && some(P("areas")));
        if (set) {
            cJSON_AddItemToArray(fits, cJSON_CreateString(plain[k][0]));
        }
    }
#undef P
}

/* The matches of deal d (a buyer pipeline's), at most limit, as a JSON list
 * (to delete); NULL on a database error. */
cJSON *
deals_match_list(ts_request_t *r, const deals_head_t *d, long limit)
{
    ts_db_result_t *pr = ts_db_query(r,
        "SELECT COALESCE(transaction, IF(? = 'rent', 'rent', 'sale')) AS tx, budget_min, budget_max,"
        " area_min, area_max, bedrooms_min, bathrooms_min, property_types, towns, areas, required_tags"
        " FROM (SELECT transaction, budget_min, budget_max, area_min, area_max, bedrooms_min,"
        "  bathrooms_min, property_types, towns, areas, required_tags FROM deal_preferences"
        "  WHERE tenant_id = {tenant} AND deal_id = ?"
        "  UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL"
        "  FROM DUAL WHERE {tenant} > 0 LIMIT 1) x", "si", d->type, d->id);
    if (pr == NULL) {
        return NULL;
    }
#define P(c) ts_db_get(pr, 0, c)
    const char *bmin = P("budget_min"), *bmax = P("budget_max"), *amin = P("area_min");
    const char *amax = P("area_max"), *types = P("property_types"), *towns = P("towns");
    const char *tags = P("required_tags"), *tx = P("tx"), *areas = P("areas");
    ts_db_result_t *res = ts_db_query(r, MATCH_SQL, "isssssssssssssssssssssssssssssssssi", d->id,
        bmin, bmin, bmax, bmax, amin, amin, amax, amax, tx, tx, bmin, bmin, bmax, bmax,
        amin, amin, amax, amax, P("bedrooms_min"), P("bedrooms_min"), P("bathrooms_min"),
        P("bathrooms_min"), types, types, types, towns, areas, towns, areas, towns, areas, tags, tags,
        (int64_t) limit);
#undef P
    if (res == NULL) {
        return NULL;
    }
    cJSON *items = ts_db_rows_json(r, res);
    cJSON *it;
    size_t i = 0;
    cJSON_ArrayForEach(it, items) {
        static const char *const flags[] = { "exact", "linked" };
        for (int k = 0; k < 2; k++) {
            cJSON *e = cJSON_GetObjectItemCaseSensitive(it, flags[k]);
            cJSON_ReplaceItemInObjectCaseSensitive(it, flags[k],
                                                   cJSON_CreateBool(cJSON_GetNumberValue(e) != 0));
        }
        explain(it, pr, res, i++);
    }
    return items;
}

int
deals_matches(ts_request_t *r)
{
    int64_t id;
    deals_head_t d;
    int rc = ts_req_param_id(r, "id", &id) != TS_OK ? TS_DECLINED : deals_load_head(r, id, false, &d);
    if (rc != TS_OK) {
        return rc == TS_DECLINED ? ts_resp_error(r, 404, "not_found", "no such deal", NULL) : rc;
    }
    if (strcmp(d.pipeline, "buyer") != 0) {
        return ts_resp_error(r, 409, "conflict", "only buy and rent deals have matching properties",
                             NULL);
    }
    cJSON *items = deals_match_list(r, &d, 100);
    if (items == NULL) {
        return TS_ERROR;
    }
    return ts_resp_list(r, items, NULL, cJSON_GetArraySize(items));
}

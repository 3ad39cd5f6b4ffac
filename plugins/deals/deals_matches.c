/* GET /api/v1/deals/{id}/matches: available properties that fit a buy or
 * rent deal's search preferences (SPEC §3): price and built area within the
 * range with 10% tolerance, beds and baths at least the minimum, type in the
 * chosen set, town or area among the chosen ones or in a chosen area, sale or
 * rent equal, every required tag present. Exact fits rank first. */
#include <string.h>
#include "deals.h"

static const char *MATCH_SQL =
    "SELECT p.id, p.ref, p.type, p.transaction, p.status, p.price, p.currency, p.town, p.area,"
    " p.beds, p.baths, p.built_area,"
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

int
deals_matches(ts_request_t *r)
{
    int64_t id;
    deals_head_t d;
    if (ts_req_param_id(r, "id", &id) != TS_OK || deals_load_head(r, id, false, &d) == TS_DECLINED) {
        return ts_resp_error(r, 404, "not_found", "no such deal", NULL);
    }
    if (strcmp(d.pipeline, "buyer") != 0) {
        return ts_resp_error(r, 409, "conflict", "only buy and rent deals have matching properties",
                             NULL);
    }
    ts_db_result_t *pr = ts_db_query(r,
        "SELECT COALESCE(transaction, IF(? = 'rent', 'rent', 'sale')) AS tx, budget_min, budget_max,"
        " area_min, area_max, bedrooms_min, bathrooms_min, property_types, towns, areas, required_tags"
        " FROM (SELECT transaction, budget_min, budget_max, area_min, area_max, bedrooms_min,"
        "  bathrooms_min, property_types, towns, areas, required_tags FROM deal_preferences"
        "  WHERE tenant_id = {tenant} AND deal_id = ?"
        "  UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL"
        "  FROM DUAL WHERE {tenant} > 0 LIMIT 1) x", "si", d.type, id);
    if (pr == NULL) {
        return TS_ERROR;
    }
#define P(c) ts_db_get(pr, 0, c)
    const char *bmin = P("budget_min"), *bmax = P("budget_max"), *amin = P("area_min");
    const char *amax = P("area_max"), *types = P("property_types"), *towns = P("towns");
    const char *tags = P("required_tags"), *tx = P("tx"), *areas = P("areas");
    ts_db_result_t *res = ts_db_query(r, MATCH_SQL, "sssssssssssssssssssssssssssssssssi",
        bmin, bmin, bmax, bmax, amin, amin, amax, amax, tx, tx, bmin, bmin, bmax, bmax,
        amin, amin, amax, amax, P("bedrooms_min"), P("bedrooms_min"), P("bathrooms_min"),
        P("bathrooms_min"), types, types, types, towns, areas, towns, areas, towns, areas, tags, tags,
        (int64_t) 100);
#undef P
    if (res == NULL) {
        return TS_ERROR;
    }
    cJSON *items = ts_db_rows_json(r, res);
    cJSON *it;
    cJSON_ArrayForEach(it, items) {
        cJSON *e = cJSON_GetObjectItemCaseSensitive(it, "exact");
        cJSON_ReplaceItemInObjectCaseSensitive(it, "exact", cJSON_CreateBool(cJSON_GetNumberValue(e) != 0));
    }
    return ts_resp_list(r, items, NULL, cJSON_GetArraySize(items));
}

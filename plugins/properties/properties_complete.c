/* Completeness: a score and the list of what a listing lacks, stored on the
 * row so lists can filter on "incomplete" and on each missing item. */
#include <string.h>
#include "properties.h"

/* Types for which bedrooms and bathrooms mean nothing. */
static bool
without_rooms(const char *type)
{
    static const char *const t[] = { "plot", "commercial", "office", "warehouse", "garage",
                                     "storage", "building", NULL };
    for (int i = 0; type && t[i]; i++) {
        if (strcmp(t[i], type) == 0) {
            return true;
        }
    }
    return false;
}

static int
update_with(ts_request_t *r, const properties_settings_t *sp, int64_t id)
{
    const properties_settings_t s = *sp;
    ts_db_result_t *res = ts_db_query(r,
        "SELECT p.type, p.price, p.latitude, p.longitude, p.beds, p.baths, p.built_area,"
        " p.plot_area, (SELECT COUNT(*) FROM property_media m WHERE m.tenant_id = p.tenant_id"
        " AND m.property_id = p.id AND m.kind = 'photo' AND m.is_floor_plan = 0"
        " AND m.deleted_at IS NULL) AS photos,"
        " (SELECT GROUP_CONCAT(d.lang) FROM property_descriptions d WHERE"
        " d.tenant_id = p.tenant_id AND d.property_id = p.id AND d.text IS NOT NULL"
        " AND d.text <> '') AS langs"
        " FROM properties p WHERE p.tenant_id = {tenant} AND p.id = ?", "i", id);
    if (ts_db_rows(res) != 1) {
        return res == NULL ? TS_ERROR : TS_OK;
    }
    const char *missing[8];
    int n = 0, checks = 0;
    checks++;
    if (ts_db_get_int(res, 0, "photos") < s.min_photos || ts_db_get_int(res, 0, "photos") == 0) {
        missing[n++] = "photos";
    }
    checks++;
    const char *have = ts_db_get(res, 0, "langs");
    char *langs = ts_pstrdup(r->pool, s.languages), *save = NULL;
    for (char *l = strtok_r(langs, ",", &save); l; l = strtok_r(NULL, ",", &save)) {
        char *needle = ts_psprintf(r->pool, ",%s,", l);
        char *hay = ts_psprintf(r->pool, ",%s,", have ? have : "");
        if (strstr(hay, needle) == NULL) {
            missing[n++] = "descriptions";
            break;
        }
    }
    checks++;
    if (ts_db_get(res, 0, "latitude") == NULL || ts_db_get(res, 0, "longitude") == NULL) {
        missing[n++] = "gps";
    }
    if (!without_rooms(ts_db_get(res, 0, "type"))) {
        checks += 2;
        if (ts_db_get(res, 0, "beds") == NULL) {
            missing[n++] = "beds";
        }
        if (ts_db_get(res, 0, "baths") == NULL) {
            missing[n++] = "baths";
        }
    }
    checks++;
    if (ts_db_get(res, 0, "built_area") == NULL && ts_db_get(res, 0, "plot_area") == NULL) {
        missing[n++] = "area";
    }
    checks++;
    if (ts_db_get(res, 0, "price") == NULL) {
        missing[n++] = "price";
    }
    char *set = ts_pstrdup(r->pool, "");
    for (int i = 0; i < n; i++) {
        set = ts_psprintf(r->pool, "%s%s%s", set, i ? "," : "", missing[i]);
    }
    int64_t score = (int64_t) ((checks - n) * 100 + checks / 2) / checks;
    return ts_db_exec(r, "UPDATE properties SET completeness = ?, missing = ?,"
                         " updated_at = updated_at WHERE tenant_id = {tenant} AND id = ?",
                      "isi", score, set, id);
}

int
properties_completeness_update(ts_request_t *r, int64_t id)
{
    properties_settings_t s;
    return properties_settings_get(r, &s, false) == TS_OK ? update_with(r, &s, id) : TS_ERROR;
}

/* A job: recompute the listings named in {"ids": [...]} (a feed import's), or every listing
 * of the tenant (after its languages or minimum of photos changed). */
int
properties_completeness_job(ts_request_t *r, const cJSON *payload, const char **err)
{
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(payload, "ids"), *e;
    properties_settings_t s;
    if (properties_settings_get(r, &s, false) != TS_OK) {
        *err = "cannot read the settings";
        return TS_ERROR;
    }
    if (cJSON_IsArray(ids)) {
        cJSON_ArrayForEach(e, ids) {
            if (cJSON_IsNumber(e) && update_with(r, &s, (int64_t) e->valuedouble) != TS_OK) {
                *err = "cannot update a property's completeness";
                return TS_ERROR;
            }
        }
        return TS_OK;
    }
    int64_t last = 0;
    for (;;) {
        ts_db_result_t *res = ts_db_query(r, "SELECT id FROM properties WHERE"
                                             " tenant_id = {tenant} AND id > ? ORDER BY id"
                                             " LIMIT 500", "i", last);
        if (res == NULL) {
            *err = "cannot read the properties";
            return TS_ERROR;
        }
        if (ts_db_rows(res) == 0) {
            return TS_OK;
        }
        for (size_t i = 0; i < ts_db_rows(res); i++) {
            last = ts_db_get_int(res, i, "id");
            if (update_with(r, &s, last) != TS_OK) {
                *err = "cannot update a property's completeness";
                return TS_ERROR;
            }
        }
    }
}

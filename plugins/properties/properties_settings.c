/* The tenant's property settings (reference numbers, rules, languages, map)
 * and the catalogues: types, features and status transitions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "properties.h"

static const char *settings_sql =
    "SELECT ref_prefix, ref_next, ref_padding, ref_suffix, enforce_transitions,"
    " auto_depublish, match_tolerance_pct, min_photos, languages, map_tile_url, updated_at"
    " FROM property_settings WHERE tenant_id = {tenant}";

static ts_db_result_t *
settings_row(ts_request_t *r, bool for_update)
{
    const char *sql = for_update ? ts_psprintf(r->pool, "%s FOR UPDATE", settings_sql)
                                 : settings_sql;
    ts_db_result_t *res = ts_db_query(r, sql, "");
    if (res != NULL && ts_db_rows(res) == 0) {
        if (ts_db_exec(r, "INSERT IGNORE INTO property_settings (tenant_id) VALUES ({tenant})",
                       "") != TS_OK) {
            return NULL;
        }
        res = ts_db_query(r, sql, "");
    }
    return ts_db_rows(res) == 1 ? res : NULL;
}

int
properties_settings_get(ts_request_t *r, properties_settings_t *s, bool for_update)
{
    ts_db_result_t *res = settings_row(r, for_update);
    if (res == NULL) {
        return TS_ERROR;
    }
    s->ref_prefix = ts_db_get(res, 0, "ref_prefix");
    s->ref_suffix = ts_db_get(res, 0, "ref_suffix");
    s->languages = ts_db_get(res, 0, "languages");
    s->map_tile_url = ts_db_get(res, 0, "map_tile_url");
    s->ref_next = ts_db_get_int(res, 0, "ref_next");
    s->ref_padding = (int) ts_db_get_int(res, 0, "ref_padding");
    s->enforce_transitions = (int) ts_db_get_int(res, 0, "enforce_transitions");
    s->auto_depublish = (int) ts_db_get_int(res, 0, "auto_depublish");
    s->match_tolerance_pct = (int) ts_db_get_int(res, 0, "match_tolerance_pct");
    s->min_photos = (int) ts_db_get_int(res, 0, "min_photos");
    return TS_OK;
}

/* The next free reference: prefix, the number padded with zeros, suffix. A
 * reference typed by hand may already hold a number: skip it. */
int
properties_ref_next(ts_request_t *r, const char **ref)
{
    properties_settings_t s;
    if (properties_settings_get(r, &s, true) != TS_OK) {
        return TS_ERROR;
    }
    long long n = s.ref_next;
    for (int tries = 0; tries < 1000; tries++, n++) {
        const char *cand = ts_psprintf(r->pool, "%s%0*lld%s", s.ref_prefix, s.ref_padding, n,
                                       s.ref_suffix);
        ts_db_result_t *res = ts_db_query(r, "SELECT 1 FROM properties WHERE"
                                             " tenant_id = {tenant} AND ref = ?", "s", cand);
        if (res == NULL) {
            return TS_ERROR;
        }
        if (ts_db_rows(res) == 0) {
            *ref = cand;
            return ts_db_exec(r, "UPDATE property_settings SET ref_next = ? WHERE"
                                 " tenant_id = {tenant}", "i", (int64_t) (n + 1));
        }
    }
    ts_log_error("no free property reference after 1000 tries from %lld", s.ref_next);
    return TS_ERROR;
}

static cJSON *
settings_json(ts_request_t *r)
{
    ts_db_result_t *res = settings_row(r, false);
    if (res == NULL) {
        return NULL;
    }
    cJSON *o = ts_db_row_json(r, res, 0);
    cJSON_ReplaceItemInObjectCaseSensitive(o, "enforce_transitions",
        cJSON_CreateBool(ts_db_get_int(res, 0, "enforce_transitions") != 0));
    cJSON_ReplaceItemInObjectCaseSensitive(o, "auto_depublish",
        cJSON_CreateBool(ts_db_get_int(res, 0, "auto_depublish") != 0));
    properties_csv_field(r, o, "languages");
    cJSON *example = cJSON_CreateString(ts_psprintf(r->pool, "%s%0*lld%s",
        ts_db_get(res, 0, "ref_prefix"), (int) ts_db_get_int(res, 0, "ref_padding"),
        (long long) ts_db_get_int(res, 0, "ref_next"), ts_db_get(res, 0, "ref_suffix")));
    cJSON_AddItemToObject(o, "next_ref", example);
    return o;
}

int
properties_settings_show(ts_request_t *r)
{
    cJSON *o = settings_json(r);
    return o ? ts_resp_data(r, 200, o) : TS_ERROR;
}

static bool
ref_part_ok(const char *s)
{
    for (const char *p = s; *p; p++) {
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')
              || *p == '-' || *p == '_' || *p == '/' || *p == '.')) {
            return false;
        }
    }
    return strlen(s) <= 16;
}

static const char *
int_in(const cJSON *j, long long lo, long long hi, long long *out)
{
    if (!cJSON_IsNumber(j) || j->valuedouble != (double) (long long) j->valuedouble
        || j->valuedouble < (double) lo || j->valuedouble > (double) hi) {
        return "out of range";
    }
    *out = (long long) j->valuedouble;
    return NULL;
}

/* PUT merges: fields not named keep their value. */
int
properties_settings_put(ts_request_t *r)
{
    const cJSON *in = ts_req_json(r);
    if (!cJSON_IsObject(in)) {
        return ts_resp_error(r, 400, "bad_body", "a JSON object is required", NULL);
    }
    if (ts_db_begin(r) != TS_OK) {
        return TS_ERROR;
    }
    properties_settings_t s;
    if (properties_settings_get(r, &s, true) != TS_OK) {
        ts_db_rollback(r);
        return TS_ERROR;
    }
    cJSON *errors = cJSON_CreateObject();
    int nerr = 0;
    const cJSON *j;
    cJSON_ArrayForEach(j, in) {
        const char *k = j->string, *err = NULL;
        long long n = 0;
        if (strcmp(k, "ref_prefix") == 0 || strcmp(k, "ref_suffix") == 0) {
            const char *v = cJSON_GetStringValue(j);
            if (v == NULL || !ref_part_ok(v)) {
                err = "at most 16 letters, digits and - _ / .";
            } else if (k[4] == 'p') {
                s.ref_prefix = v;
            } else {
                s.ref_suffix = v;
            }
        } else if (strcmp(k, "ref_next") == 0) {
            err = int_in(j, 1, 999999999999LL, &n);
            s.ref_next = n;
        } else if (strcmp(k, "ref_padding") == 0) {
            err = int_in(j, 0, 12, &n);
            s.ref_padding = (int) n;
        } else if (strcmp(k, "match_tolerance_pct") == 0) {
            err = int_in(j, 0, 50, &n);
            s.match_tolerance_pct = (int) n;
        } else if (strcmp(k, "min_photos") == 0) {
            err = int_in(j, 0, 50, &n);
            s.min_photos = (int) n;
        } else if (strcmp(k, "enforce_transitions") == 0 || strcmp(k, "auto_depublish") == 0) {
            if (!cJSON_IsBool(j)) {
                err = "must be true or false";
            } else if (k[0] == 'e') {
                s.enforce_transitions = cJSON_IsTrue(j);
            } else {
                s.auto_depublish = cJSON_IsTrue(j);
            }
        } else if (strcmp(k, "languages") == 0) {
            char buf[64] = "";
            const cJSON *e;
            if (!cJSON_IsArray(j) || cJSON_GetArraySize(j) == 0) {
                err = "a non-empty list of language codes";
            }
            cJSON_ArrayForEach(e, j) {
                const char *l = cJSON_GetStringValue(e);
                if (l == NULL || strlen(l) != 2 || l[0] < 'a' || l[0] > 'z' || l[1] < 'a'
                    || l[1] > 'z' || strlen(buf) + 3 >= sizeof(buf)) {
                    err = "two-letter language codes, at most 20";
                    break;
                }
                strcat(strcat(buf, *buf ? "," : ""), l);
            }
            s.languages = ts_pstrdup(r->pool, buf);
        } else if (strcmp(k, "map_tile_url") == 0) {
            const char *v = cJSON_GetStringValue(j);
            if (v == NULL || strncmp(v, "https://", 8) != 0 || strlen(v) > 255
                || strstr(v, "{z}") == NULL || strstr(v, "{x}") == NULL
                || strstr(v, "{y}") == NULL || strpbrk(v, "\"'<> ") != NULL) {
                err = "an https URL with {z}, {x} and {y}";
            } else {
                s.map_tile_url = v;
            }
        } else if (strcmp(k, "next_ref") == 0 || strcmp(k, "updated_at") == 0) {
            err = "is read-only";
        } else {
            err = "unknown field";
        }
        if (err != NULL) {
            cJSON_AddStringToObject(errors, k, err);
            nerr++;
        }
    }
    if (nerr > 0) {
        ts_db_rollback(r);
        return properties_validation_error(r, errors);
    }
    cJSON_Delete(errors);
    if (ts_db_exec(r, "UPDATE property_settings SET ref_prefix = ?, ref_next = ?,"
                      " ref_padding = ?, ref_suffix = ?, enforce_transitions = ?,"
                      " auto_depublish = ?, match_tolerance_pct = ?, min_photos = ?,"
                      " languages = ?, map_tile_url = ?, updated_by = ?"
                      " WHERE tenant_id = {tenant}", "siisiiiissi",
                   s.ref_prefix, (int64_t) s.ref_next, (int64_t) s.ref_padding, s.ref_suffix,
                   (int64_t) s.enforce_transitions, (int64_t) s.auto_depublish,
                   (int64_t) s.match_tolerance_pct, (int64_t) s.min_photos, s.languages,
                   s.map_tile_url, r->user->id) != TS_OK
        || ts_audit(r, "property_settings", r->tenant->id, "update", in) != TS_OK
        || ((cJSON_GetObjectItemCaseSensitive(in, "languages") != NULL
             || cJSON_GetObjectItemCaseSensitive(in, "min_photos") != NULL)
            && ts_job_enqueue(r, "properties.completeness", NULL, 0) != TS_OK)
        || ts_db_commit(r) != TS_OK) {
        ts_db_rollback(r);
        return TS_ERROR;
    }
    return properties_settings_show(r);
}

/* Codes with their labels per language: {"code", "labels": {"en": "Villa"}}. */
static cJSON *
labelled(ts_request_t *r, const ts_db_result_t *res, const char *extra)
{
    cJSON *a = cJSON_CreateArray(), *cur = NULL;
    const char *last = "";
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        const char *code = ts_db_get(res, i, "code");
        if (cur == NULL || strcmp(code, last) != 0) {
            cur = cJSON_CreateObject();
            cJSON_AddStringToObject(cur, "code", code);
            if (extra != NULL) {
                cJSON_AddStringToObject(cur, extra, ts_db_get(res, i, extra));
            }
            cJSON_AddObjectToObject(cur, "labels");
            cJSON_AddItemToArray(a, cur);
            last = code;
        }
        const char *lang = ts_db_get(res, i, "lang");
        if (lang != NULL) {
            cJSON *labels = cJSON_GetObjectItemCaseSensitive(cur, "labels");
            cJSON_DeleteItemFromObjectCaseSensitive(labels, lang);
            cJSON_AddStringToObject(labels, lang, ts_db_get(res, i, "label"));
        }
    }
    (void) r;
    return a;
}

int
properties_types_list(ts_request_t *r)
{
    ts_db_result_t *res = ts_db_query(r,
        "SELECT t.code, l.lang, l.label FROM property_types t"
        " LEFT JOIN property_type_labels l ON l.tenant_id IN (0, {tenant}) AND l.code = t.code"
        " WHERE t.tenant_id IN (0, {tenant}) ORDER BY t.position, t.code, l.tenant_id", "");
    if (res == NULL) {
        return TS_ERROR;
    }
    cJSON *a = labelled(r, res, NULL);
    return ts_resp_list(r, a, NULL, cJSON_GetArraySize(a));
}

/* The tenant's feature catalogue: [{"code", "category", "labels"}], by
 * category and position (the API's list and the edit form's checkboxes). */
cJSON *
properties_features_catalog(ts_request_t *r)
{
    /* A tenant's own row of a code wins over the built-in one (ordered last). */
    ts_db_result_t *res = ts_db_query(r,
        "SELECT c.code, c.category, l.lang, l.label FROM property_feature_catalog c"
        " LEFT JOIN property_feature_labels l ON l.tenant_id IN (0, {tenant})"
        " AND l.code = c.code"
        " WHERE c.tenant_id IN (0, {tenant}) AND NOT EXISTS (SELECT 1 FROM"
        " property_feature_catalog o WHERE o.tenant_id = {tenant} AND c.tenant_id = 0"
        " AND o.code = c.code)"
        " ORDER BY c.category, c.position, c.code, l.tenant_id", "");
    return res ? labelled(r, res, "category") : NULL;
}

int
properties_features_list(ts_request_t *r)
{
    cJSON *a = properties_features_catalog(r);
    return a ? ts_resp_list(r, a, NULL, cJSON_GetArraySize(a)) : TS_ERROR;
}

/* PUT /api/v1/properties/features/{code}: {"category", "labels": {lang: label}}. */
int
properties_features_put(ts_request_t *r)
{
    const char *code = ts_req_param(r, "code");
    const cJSON *in = ts_req_json(r);
    cJSON *errors = cJSON_CreateObject();
    bool ok = code && *code && strlen(code) <= 48;
    for (const char *p = code; ok && *p; p++) {
        ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_';
    }
    if (!ok) {
        cJSON_AddStringToObject(errors, "code", "lowercase letters, digits and _ (at most 48)");
    }
    const char *category = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "category"));
    if (category == NULL || *category == '\0' || strlen(category) > 32) {
        cJSON_AddStringToObject(errors, "category", "required, at most 32 characters");
    }
    const cJSON *labels = cJSON_GetObjectItemCaseSensitive(in, "labels"), *l;
    if (!cJSON_IsObject(labels) || cJSON_GetArraySize(labels) == 0) {
        cJSON_AddStringToObject(errors, "labels", "an object {lang: label} is required");
    }
    cJSON_ArrayForEach(l, labels) {
        if (strlen(l->string) != 2 || !cJSON_IsString(l) || *l->valuestring == '\0'
            || strlen(l->valuestring) > 100) {
            cJSON_AddStringToObject(errors, "labels",
                                    "two-letter language codes with labels of 1 to 100 characters");
            break;
        }
    }
    if (cJSON_GetArraySize(errors) > 0) {
        return properties_validation_error(r, errors);
    }
    cJSON_Delete(errors);
    if (ts_db_begin(r) != TS_OK) {
        return TS_ERROR;
    }
    int rc = ts_db_exec(r, "INSERT INTO property_feature_catalog (tenant_id, code, category)"
                           " VALUES ({tenant}, ?, ?) ON DUPLICATE KEY UPDATE"
                           " category = VALUES(category)", "ss", code, category);
    rc = rc == TS_OK ? ts_db_exec(r, "DELETE FROM property_feature_labels WHERE"
                                     " tenant_id = {tenant} AND code = ?", "s", code) : rc;
    cJSON_ArrayForEach(l, labels) {
        if (rc == TS_OK) {
            rc = ts_db_exec(r, "INSERT INTO property_feature_labels (tenant_id, code, lang,"
                               " label) VALUES ({tenant}, ?, ?, ?)", "sss", code, l->string,
                            l->valuestring);
        }
    }
    if (rc != TS_OK || ts_audit(r, "property_feature", 0, "update", in) != TS_OK
        || ts_db_commit(r) != TS_OK) {
        ts_db_rollback(r);
        return TS_ERROR;
    }
    return properties_features_list(r);
}

int
properties_transitions_list(ts_request_t *r)
{
    ts_db_result_t *res = ts_db_query(r,
        "SELECT from_status AS `from`, to_status AS `to`, allowed, needs_reason,"
        " IF(tenant_id = 0, 'built-in', 'tenant') AS origin FROM property_transitions"
        " WHERE tenant_id IN (0, {tenant}) ORDER BY tenant_id, from_status, to_status", "");
    if (res == NULL) {
        return TS_ERROR;
    }
    cJSON *a = ts_db_rows_json(r, res), *e;
    cJSON_ArrayForEach(e, a) {
        cJSON *al = cJSON_GetObjectItemCaseSensitive(e, "allowed");
        cJSON *nr = cJSON_GetObjectItemCaseSensitive(e, "needs_reason");
        cJSON_ReplaceItemInObjectCaseSensitive(e, "allowed", cJSON_CreateBool(al->valuedouble));
        cJSON_ReplaceItemInObjectCaseSensitive(e, "needs_reason", cJSON_CreateBool(nr->valuedouble));
    }
    return ts_resp_list(r, a, NULL, cJSON_GetArraySize(a));
}

static bool
status_or_any(const char *s)
{
    return s != NULL && (strcmp(s, "*") == 0 || properties_status_valid(s));
}

/* PUT replaces the tenant's own rules: {"rules": [{"from", "to", "allowed",
 * "needs_reason"}]}; the built-in rules stay underneath. */
int
properties_transitions_put(ts_request_t *r)
{
    const cJSON *rules = cJSON_GetObjectItemCaseSensitive(ts_req_json(r), "rules"), *e;
    if (!cJSON_IsArray(rules) || cJSON_GetArraySize(rules) > 300) {
        return properties_validation_error(r, properties_one_error("rules",
                                           "a list of at most 300 rules is required"));
    }
    int i = 0;
    cJSON_ArrayForEach(e, rules) {
        const char *from = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "from"));
        const char *to = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "to"));
        const cJSON *al = cJSON_GetObjectItemCaseSensitive(e, "allowed");
        const cJSON *nr = cJSON_GetObjectItemCaseSensitive(e, "needs_reason");
        if (!status_or_any(from) || !status_or_any(to) || !cJSON_IsBool(al)
            || (nr != NULL && !cJSON_IsBool(nr))) {
            return properties_validation_error(r, properties_one_error(
                ts_psprintf(r->pool, "rules[%d]", i),
                "needs from and to (a status or *), allowed (bool), needs_reason (bool)"));
        }
        i++;
    }
    if (ts_db_begin(r) != TS_OK) {
        return TS_ERROR;
    }
    int rc = ts_db_exec(r, "DELETE FROM property_transitions WHERE tenant_id = {tenant}", "");
    cJSON_ArrayForEach(e, rules) {
        if (rc == TS_OK) {
            rc = ts_db_exec(r, "REPLACE INTO property_transitions (tenant_id, from_status,"
                               " to_status, allowed, needs_reason) VALUES ({tenant}, ?, ?, ?, ?)",
                "ssii", cJSON_GetObjectItemCaseSensitive(e, "from")->valuestring,
                cJSON_GetObjectItemCaseSensitive(e, "to")->valuestring,
                (int64_t) cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "allowed")),
                (int64_t) cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "needs_reason")));
        }
    }
    if (rc != TS_OK || ts_audit(r, "property_transitions", 0, "update", rules) != TS_OK
        || ts_db_commit(r) != TS_OK) {
        ts_db_rollback(r);
        return TS_ERROR;
    }
    return properties_transitions_list(r);
}

/* The parts of a property kept in their own tables: features (codes of the
 * catalogue), descriptions per language and labels (the generic tags). */
#include <string.h>
#include "properties.h"

#define MAX_ITEMS 100

static bool
valid_lang(const char *s)
{
    size_t n = strlen(s);
    if (n != 2 && n != 5) {
        return false;
    }
    if (s[0] < 'a' || s[0] > 'z' || s[1] < 'a' || s[1] > 'z') {
        return false;
    }
    return n == 2 || (s[2] == '-' && s[3] >= 'A' && s[3] <= 'Z' && s[4] >= 'A' && s[4] <= 'Z');
}

static const char *
check_features(ts_request_t *r, const cJSON *a)
{
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) > MAX_ITEMS) {
        return "must be a list of feature codes (at most 100)";
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, a) {
        const char *code = cJSON_GetStringValue(e);
        if (code == NULL || strlen(code) > 48) {
            return "must be a list of feature codes";
        }
        ts_db_result_t *res = ts_db_query(r, "SELECT 1 FROM property_feature_catalog"
                                             " WHERE tenant_id IN (0, {tenant}) AND code = ?",
                                          "s", code);
        if (ts_db_rows(res) == 0) {
            return ts_psprintf(r->pool, "unknown feature '%s' (GET /api/v1/properties/features"
                                        " lists them)", code);
        }
    }
    return NULL;
}

static const char *
check_descriptions(ts_request_t *r, const cJSON *o)
{
    if (!cJSON_IsObject(o) || cJSON_GetArraySize(o) > 20) {
        return "must be an object {lang: {title, text}} (at most 20 languages)";
    }
    const cJSON *d;
    cJSON_ArrayForEach(d, o) {
        if (!valid_lang(d->string)) {
            return ts_psprintf(r->pool, "'%s' is not a language code such as en or pt-BR",
                               d->string);
        }
        if (cJSON_IsNull(d)) {
            continue;            /* removes that language */
        }
        if (!cJSON_IsObject(d)) {
            return ts_psprintf(r->pool, "%s: must be {title, text}", d->string);
        }
        const cJSON *c;
        cJSON_ArrayForEach(c, d) {
            if (strcmp(c->string, "title") != 0 && strcmp(c->string, "text") != 0) {
                return ts_psprintf(r->pool, "%s.%s: unknown field", d->string, c->string);
            }
            if (!cJSON_IsNull(c) && !cJSON_IsString(c)) {
                return ts_psprintf(r->pool, "%s.%s: must be a string", d->string, c->string);
            }
        }
        const char *title = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "title"));
        const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "text"));
        if (title != NULL && strlen(title) > 255) {
            return ts_psprintf(r->pool, "%s.title: at most 255 characters", d->string);
        }
        if (text != NULL && strlen(text) > 60000) {
            return ts_psprintf(r->pool, "%s.text: at most 60000 characters", d->string);
        }
    }
    return NULL;
}

static const char *
check_labels(const cJSON *a)
{
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) > MAX_ITEMS) {
        return "must be a list of labels (at most 100)";
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, a) {
        const char *s = cJSON_GetStringValue(e);
        if (s == NULL || *s == '\0' || strlen(s) > 64) {
            return "each label is a string of 1 to 64 characters";
        }
    }
    return NULL;
}

int
properties_related_validate(ts_request_t *r, const cJSON *in, cJSON *errors)
{
    int n = 0;
    const cJSON *j;
    const char *err;
    if ((j = cJSON_GetObjectItemCaseSensitive(in, "features")) != NULL
        && (err = check_features(r, j)) != NULL) {
        cJSON_AddStringToObject(errors, "features", err);
        n++;
    }
    if ((j = cJSON_GetObjectItemCaseSensitive(in, "descriptions")) != NULL
        && (err = check_descriptions(r, j)) != NULL) {
        cJSON_AddStringToObject(errors, "descriptions", err);
        n++;
    }
    if ((j = cJSON_GetObjectItemCaseSensitive(in, "labels")) != NULL
        && (err = check_labels(j)) != NULL) {
        cJSON_AddStringToObject(errors, "labels", err);
        n++;
    }
    return n;
}

/* Lists replace what was there; descriptions merge per language (null
 * removes one). Runs inside the caller's transaction. */
int
properties_related_save(ts_request_t *r, int64_t id, const cJSON *in)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(in, "features"), *e;
    if (a != NULL) {
        if (ts_db_exec(r, "DELETE FROM property_features WHERE tenant_id = {tenant}"
                          " AND property_id = ?", "i", id) != TS_OK) {
            return TS_ERROR;
        }
        cJSON_ArrayForEach(e, a) {
            if (ts_db_exec(r, "INSERT IGNORE INTO property_features (tenant_id, property_id,"
                              " code) VALUES ({tenant}, ?, ?)", "is", id, e->valuestring)
                != TS_OK) {
                return TS_ERROR;
            }
        }
    }
    a = cJSON_GetObjectItemCaseSensitive(in, "labels");
    if (a != NULL) {
        if (ts_db_exec(r, "DELETE FROM tags WHERE tenant_id = {tenant} AND entity = 'property'"
                          " AND entity_id = ?", "i", id) != TS_OK) {
            return TS_ERROR;
        }
        cJSON_ArrayForEach(e, a) {
            if (ts_db_exec(r, "INSERT IGNORE INTO tags (tenant_id, entity, entity_id, tag)"
                              " VALUES ({tenant}, 'property', ?, ?)", "is", id, e->valuestring)
                != TS_OK) {
                return TS_ERROR;
            }
        }
    }
    a = cJSON_GetObjectItemCaseSensitive(in, "descriptions");
    cJSON_ArrayForEach(e, a) {
        int rc;
        if (cJSON_IsNull(e)) {
            rc = ts_db_exec(r, "DELETE FROM property_descriptions WHERE tenant_id = {tenant}"
                               " AND property_id = ? AND lang = ?", "is", id, e->string);
        } else {
            const char *title = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "title"));
            const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "text"));
            rc = ts_db_exec(r, "INSERT INTO property_descriptions (tenant_id, property_id, lang,"
                               " title, text) VALUES ({tenant}, ?, ?, ?, ?)"
                               " ON DUPLICATE KEY UPDATE title = VALUES(title),"
                               " text = VALUES(text)",
                            "isss", id, e->string, title ? title : "", text);
        }
        if (rc != TS_OK) {
            return TS_ERROR;
        }
    }
    return TS_OK;
}

int
properties_related_json(ts_request_t *r, int64_t id, cJSON *o)
{
    ts_db_result_t *res = ts_db_query(r, "SELECT code FROM property_features WHERE"
                                         " tenant_id = {tenant} AND property_id = ?"
                                         " ORDER BY code", "i", id);
    if (res == NULL) {
        return TS_ERROR;
    }
    cJSON *a = cJSON_AddArrayToObject(o, "features");
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        cJSON_AddItemToArray(a, cJSON_CreateString(ts_db_get(res, i, "code")));
    }
    res = ts_db_query(r, "SELECT tag FROM tags WHERE tenant_id = {tenant} AND"
                         " entity = 'property' AND entity_id = ? ORDER BY tag", "i", id);
    if (res == NULL) {
        return TS_ERROR;
    }
    a = cJSON_AddArrayToObject(o, "labels");
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        cJSON_AddItemToArray(a, cJSON_CreateString(ts_db_get(res, i, "tag")));
    }
    res = ts_db_query(r, "SELECT lang, title, text FROM property_descriptions WHERE"
                         " tenant_id = {tenant} AND property_id = ? ORDER BY lang", "i", id);
    if (res == NULL) {
        return TS_ERROR;
    }
    cJSON *d = cJSON_AddObjectToObject(o, "descriptions");
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        cJSON *l = cJSON_AddObjectToObject(d, ts_db_get(res, i, "lang"));
        cJSON_AddStringToObject(l, "title", ts_db_get(res, i, "title"));
        const char *text = ts_db_get(res, i, "text");
        cJSON_AddItemToObject(l, "text", text ? cJSON_CreateString(text) : cJSON_CreateNull());
    }
    res = ts_db_query(r, "SELECT portal, published_at FROM property_publications WHERE"
                         " tenant_id = {tenant} AND property_id = ? AND unpublished_at IS NULL"
                         " ORDER BY portal", "i", id);
    if (res == NULL) {
        return TS_ERROR;
    }
    cJSON_AddItemToObject(o, "publications", ts_db_rows_json(r, res));
    return TS_OK;
}

/* Batch actions on ids or a filter: soft delete, undo soft delete, and hard
 * delete, which first hands out a confirmation token naming exactly the ids
 * and acts only when the token comes back. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include "properties.h"

#define BATCH_MAX 5000

int
properties_soft_delete(ts_request_t *r, int64_t id)
{
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddNumberToObject(ev, "id", (double) id);
    if (ts_db_exec(r, "UPDATE properties SET deleted_at = UTC_TIMESTAMP() WHERE"
                      " tenant_id = {tenant} AND id = ? AND deleted_at IS NULL", "i", id) != TS_OK
        || ts_db_affected(r) == 0) {
        cJSON_Delete(ev);
        return ts_db_affected(r) == 0 ? TS_OK : TS_ERROR;
    }
    /* Media go with their property, stamped with the same time so an undo
     * brings back exactly those. */
    if (ts_db_exec(r, "UPDATE property_media m JOIN properties p ON p.tenant_id = m.tenant_id"
                      " AND p.id = m.property_id SET m.deleted_at = p.deleted_at"
                      " WHERE m.tenant_id = {tenant} AND m.property_id = ?"
                      " AND m.deleted_at IS NULL", "i", id) != TS_OK
        || properties_publications_end(r, id, "deleted", NULL) != TS_OK
        || ts_audit(r, "property", id, "delete", NULL) != TS_OK) {
        cJSON_Delete(ev);
        return TS_ERROR;
    }
    return ts_event_emit(r, "property.deleted", ev);
}

static int
restore(ts_request_t *r, int64_t id)
{
    if (ts_db_exec(r, "UPDATE property_media m JOIN properties p ON p.tenant_id = m.tenant_id"
                      " AND p.id = m.property_id SET m.deleted_at = NULL"
                      " WHERE m.tenant_id = {tenant} AND m.property_id = ?"
                      " AND m.deleted_at = p.deleted_at", "i", id) != TS_OK
        || ts_db_exec(r, "UPDATE properties SET deleted_at = NULL WHERE tenant_id = {tenant}"
                         " AND id = ? AND deleted_at IS NOT NULL", "i", id) != TS_OK) {
        return TS_ERROR;
    }
    if (ts_db_affected(r) == 0) {
        return TS_OK;
    }
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddNumberToObject(ev, "id", (double) id);
    if (ts_audit(r, "property", id, "restore", NULL) != TS_OK) {
        cJSON_Delete(ev);
        return TS_ERROR;
    }
    return ts_event_emit(r, "property.restored", ev);
}

/* Everything of one property, files too (after the commit: see below). */
static int
hard_delete(ts_request_t *r, int64_t id, cJSON *files)
{
    ts_db_result_t *res = ts_db_query(r, "SELECT storage_name FROM property_media WHERE"
                                         " tenant_id = {tenant} AND property_id = ? AND"
                                         " storage_name IS NOT NULL", "i", id);
    if (res == NULL) {
        return TS_ERROR;
    }
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        cJSON_AddItemToArray(files, cJSON_CreateString(ts_db_get(res, i, "storage_name")));
    }
    static const char *const sql[] = {
        "DELETE FROM property_media WHERE tenant_id = {tenant} AND property_id = ?",
        "DELETE FROM property_publications WHERE tenant_id = {tenant} AND property_id = ?",
        "DELETE FROM property_descriptions WHERE tenant_id = {tenant} AND property_id = ?",
        "DELETE FROM property_features WHERE tenant_id = {tenant} AND property_id = ?",
        "DELETE FROM property_status_history WHERE tenant_id = {tenant} AND property_id = ?",
        "DELETE FROM property_match_dismissals WHERE tenant_id = {tenant} AND property_id = ?",
        "DELETE FROM property_match_feed WHERE tenant_id = {tenant} AND property_id = ?",
        "DELETE FROM property_web_views WHERE tenant_id = {tenant} AND property_id = ?",
        "DELETE FROM tags WHERE tenant_id = {tenant} AND entity = 'property' AND entity_id = ?",
        "DELETE FROM activities WHERE tenant_id = {tenant} AND entity = 'property'"
        " AND entity_id = ?",
        "DELETE FROM properties WHERE tenant_id = {tenant} AND id = ?",
    };
    for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
        if (ts_db_exec(r, sql[i], "i", id) != TS_OK) {
            return TS_ERROR;
        }
    }
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddNumberToObject(ev, "id", (double) id);
    if (ts_audit(r, "property", id, "hard_delete", NULL) != TS_OK) {
        cJSON_Delete(ev);
        return TS_ERROR;
    }
    return ts_event_emit(r, "property.hard_deleted", ev);
}

static char *
ids_text(ts_request_t *r, const int64_t *ids, size_t n)
{
    char *s = ts_pstrdup(r->pool, "");
    for (size_t i = 0; i < n; i++) {
        s = ts_psprintf(r->pool, "%s%s%lld", s, i ? "," : "", (long long) ids[i]);
    }
    return s;
}

static char *
token_hash(ts_request_t *r, const char *token)
{
    unsigned char h[32];
    crypto_generichash(h, sizeof(h), (const unsigned char *) token, strlen(token), NULL, 0);
    char *hex = ts_palloc(r->pool, 65);
    sodium_bin2hex(hex, 65, h, sizeof(h));
    return hex;
}

/* The ids of the request: "ids": [..] or "filter": {..}, only the tenant's. */
static int
batch_ids(ts_request_t *r, const cJSON *in, bool deleted, int64_t **ids, size_t *n)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(in, "ids");
    const cJSON *filter = cJSON_GetObjectItemCaseSensitive(in, "filter");
    cJSON *errors = cJSON_CreateObject();
    if ((list == NULL) == (filter == NULL)) {
        cJSON_AddStringToObject(errors, "ids", "give either ids or filter");
        return properties_validation_error(r, errors);
    }
    if (filter != NULL) {
        if (!cJSON_IsObject(filter)) {
            cJSON_AddStringToObject(errors, "filter", "an object of list filters");
            return properties_validation_error(r, errors);
        }
        cJSON *f = cJSON_Duplicate(filter, 1);
        cJSON_DeleteItemFromObjectCaseSensitive(f, "deleted");
        cJSON_AddStringToObject(f, "deleted", deleted ? "1" : "0");
        int rc = properties_filter_ids(r, f, ids, n, BATCH_MAX, errors);
        cJSON_Delete(f);
        if (rc == TS_DECLINED) {
            return properties_validation_error(r, errors);
        }
        cJSON_Delete(errors);
        return rc;
    }
    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0
        || cJSON_GetArraySize(list) > BATCH_MAX) {
        cJSON_AddStringToObject(errors, "ids", "a list of 1 to 5000 property ids");
        return properties_validation_error(r, errors);
    }
    *ids = ts_palloc(r->pool, sizeof(int64_t) * (size_t) cJSON_GetArraySize(list));
    *n = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, list) {
        if (!cJSON_IsNumber(e) || e->valuedouble < 1 || e->valuedouble > 9007199254740991.0) {
            cJSON_AddStringToObject(errors, "ids", "each id is a positive whole number");
            return properties_validation_error(r, errors);
        }
        int64_t id = (int64_t) e->valuedouble;
        ts_db_result_t *res = ts_db_query(r, "SELECT 1 FROM properties WHERE tenant_id = {tenant}"
                                             " AND id = ?", "i", id);
        if (res == NULL) {
            cJSON_Delete(errors);
            return TS_ERROR;
        }
        /* Another tenant's id, or none: reported as not found, never touched. */
        if (ts_db_rows(res) == 0) {
            cJSON_Delete(errors);
            return ts_resp_error(r, 404, "not_found",
                                 ts_psprintf(r->pool, "no such property: %lld", (long long) id),
                                 NULL);
        }
        (*ids)[(*n)++] = id;
    }
    cJSON_Delete(errors);
    return TS_OK;
}

/* POST /api/v1/properties/batch {"action": "delete" | "restore" | "hard_delete",
 * "ids": [...] or "filter": {...}, "confirm": token (hard_delete)}. */
int
properties_batch(ts_request_t *r)
{
    const cJSON *in = ts_req_json(r);
    const char *action = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "action"));
    if (action == NULL || (strcmp(action, "delete") != 0 && strcmp(action, "restore") != 0
                           && strcmp(action, "hard_delete") != 0)) {
        return properties_validation_error(r, properties_one_error("action",
                                           "one of delete, restore, hard_delete"));
    }
    bool hard = strcmp(action, "hard_delete") == 0;
    if (hard && r->user->role < TS_ROLE_ADMIN) {
        return ts_resp_error(r, 403, "forbidden", "only an admin deletes for good", NULL);
    }
    int64_t *ids = NULL;
    size_t n = 0;
    int rc = batch_ids(r, in, strcmp(action, "delete") != 0, &ids, &n);
    if (rc != TS_OK) {
        return rc;
    }
    const char *confirm = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "confirm"));
    if (hard && confirm == NULL) {
        unsigned char raw[24];
        char token[49];
        randombytes_buf(raw, sizeof(raw));
        sodium_bin2hex(token, sizeof(token), raw, sizeof(raw));
        if (ts_db_exec(r, "DELETE FROM property_delete_tokens WHERE tenant_id = {tenant}"
                          " AND expires_at < UTC_TIMESTAMP()", "") != TS_OK
            || ts_db_exec(r, "INSERT INTO property_delete_tokens (tenant_id, token_hash, user_id,"
                             " ids, expires_at) VALUES ({tenant}, ?, ?, ?, UTC_TIMESTAMP()"
                             " + INTERVAL 10 MINUTE)", "sis", token_hash(r, token), r->user->id,
                          ids_text(r, ids, n)) != TS_OK) {
            return TS_ERROR;
        }
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "confirm", token);
        cJSON_AddNumberToObject(o, "count", (double) n);
        cJSON_AddNumberToObject(o, "expires_in", 600);
        cJSON_AddStringToObject(o, "message", ts_psprintf(r->pool, "send the same request with"
                                " \"confirm\" to delete %zu properties and their files for good",
                                n));
        return ts_resp_data(r, 202, o);
    }
    if (ts_db_begin(r) != TS_OK) {
        return TS_ERROR;
    }
    if (hard) {
        /* The token is single-use and must name exactly these ids. */
        const char *hash = token_hash(r, confirm);
        ts_db_result_t *t = ts_db_query(r, "SELECT ids FROM property_delete_tokens WHERE"
                                           " tenant_id = {tenant} AND token_hash = ? AND"
                                           " user_id = ? AND expires_at > UTC_TIMESTAMP()"
                                           " FOR UPDATE", "si", hash, r->user->id);
        if (t == NULL) {
            ts_db_rollback(r);
            return TS_ERROR;
        }
        if (ts_db_rows(t) == 0 || strcmp(ts_db_get(t, 0, "ids"), ids_text(r, ids, n)) != 0) {
            ts_db_rollback(r);
            return ts_resp_error(r, 409, "conflict", "the confirmation token is unknown, expired"
                                 " or for other properties", properties_one_error("confirm",
                                 "ask again without confirm"));
        }
        if (ts_db_exec(r, "DELETE FROM property_delete_tokens WHERE tenant_id = {tenant}"
                          " AND token_hash = ?", "s", hash) != TS_OK) {
            ts_db_rollback(r);
            return TS_ERROR;
        }
    }
    cJSON *files = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        rc = hard ? hard_delete(r, ids[i], files)
           : strcmp(action, "delete") == 0 ? properties_soft_delete(r, ids[i])
           : restore(r, ids[i]);
        if (rc != TS_OK) {
            cJSON_Delete(files);
            ts_db_rollback(r);
            return TS_ERROR;
        }
    }
    if (ts_db_commit(r) != TS_OK) {
        cJSON_Delete(files);
        return TS_ERROR;
    }
    /* Files go only once the rows are gone for sure. */
    properties_media_remove_files(r, files);
    cJSON_Delete(files);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "action", action);
    cJSON_AddNumberToObject(o, "count", (double) n);
    cJSON *a = cJSON_AddArrayToObject(o, "ids");
    for (size_t i = 0; i < n; i++) {
        cJSON_AddItemToArray(a, cJSON_CreateNumber((double) ids[i]));
    }
    return ts_resp_data(r, 200, o);
}

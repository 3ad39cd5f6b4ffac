/* Create, read, change and delete one property. */
#include <string.h>
#include "properties.h"

/* The full record: fields, features, labels, descriptions, current
 * publications and media. */
cJSON *
properties_record_json(ts_request_t *r, int64_t id, bool with_deleted)
{
    ts_db_result_t *res = properties_load(r, id, with_deleted);
    if (ts_db_rows(res) != 1) {
        return NULL;
    }
    cJSON *o = properties_row_json(r, res, 0);
    if (properties_related_json(r, id, o) != TS_OK || properties_media_json(r, id, o) != TS_OK) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static int
bad_body(ts_request_t *r)
{
    return ts_resp_error(r, 400, "bad_body", "a JSON object is required", NULL);
}

static const char *
status_input(ts_request_t *r, const cJSON *in, cJSON *errors, const char **reason)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(in, "status");
    const cJSON *why = cJSON_GetObjectItemCaseSensitive(in, "status_reason");
    *reason = NULL;
    if (why != NULL && !cJSON_IsNull(why)) {
        if (!cJSON_IsString(why) || strlen(why->valuestring) > 500) {
            cJSON_AddStringToObject(errors, "status_reason", "a string of at most 500 characters");
        } else {
            *reason = why->valuestring;
        }
    }
    if (s == NULL) {
        return NULL;
    }
    if (!cJSON_IsString(s) || !properties_status_valid(s->valuestring)) {
        cJSON_AddStringToObject(errors, "status", "unknown status (see docs/api.md)");
        return NULL;
    }
    (void) r;
    return s->valuestring;
}

static bool
ref_taken(ts_request_t *r, const char *ref, int64_t except)
{
    ts_db_result_t *res = ts_db_query(r, "SELECT 1 FROM properties WHERE tenant_id = {tenant}"
                                         " AND ref = ? AND id <> ?", "si", ref, except);
    return ts_db_rows(res) > 0;
}

static int
ref_conflict(ts_request_t *r)
{
    return ts_resp_error(r, 409, "conflict", "another property has this reference",
                         properties_one_error("ref", "already in use"));
}

/* The saved listing's custom values against the tenant's property fields
 * (once it defines some): TS_OK (computed values stored), TS_DECLINED with
 * *fields {"custom.KEY": message}, or TS_ERROR. */
static int
custom_check(ts_request_t *r, int64_t id, const cJSON *in, cJSON **fields)
{
    int n = ts_custom_fields_count(r, "property");
    if (n <= 0) {
        return n == 0 ? TS_OK : TS_ERROR;
    }
    cJSON *rec = properties_record_json(r, id, false);
    if (rec == NULL) {
        return TS_ERROR;
    }
    cJSON *changed = NULL;
    int rc = ts_custom_fields_write(r, "property", cJSON_GetObjectItemCaseSensitive(in, "custom"),
                                    rec, &changed, fields);
    cJSON_Delete(rec);
    if (rc != TS_OK || changed == NULL) {
        return rc;
    }
    char *text = cJSON_PrintUnformatted(changed);
    cJSON_Delete(changed);
    rc = ts_db_exec(r, "UPDATE properties SET custom = ? WHERE tenant_id = {tenant} AND id = ?",
                    "si", text, id);
    cJSON_free(text);
    return rc;
}

/* A refused custom value: nothing of the write is kept. */
static int
custom_refused(ts_request_t *r, int rc, cJSON *fields)
{
    ts_db_rollback(r);
    return rc == TS_DECLINED ? properties_validation_error(r, fields) : TS_ERROR;
}

int
properties_create(ts_request_t *r)
{
    const cJSON *in = ts_req_json(r);
    if (!cJSON_IsObject(in)) {
        return bad_body(r);
    }
    properties_values_t vals = { { NULL } };
    vals.v[PF_transaction] = "sale";
    vals.v[PF_currency] = "EUR";
    vals.v[PF_hide_address] = "1";
    vals.v[PF_display_on_website] = "0";
    vals.v[PF_new_build] = "0";
    cJSON *errors = cJSON_CreateObject();
    const char *reason;
    properties_values_apply(r, in, &vals, errors);
    properties_related_validate(r, in, errors);
    const char *status = status_input(r, in, errors, &reason);
    if (vals.v[PF_type] == NULL && cJSON_GetObjectItemCaseSensitive(errors, "type") == NULL) {
        cJSON_AddStringToObject(errors, "type", "required");
    }
    if (cJSON_GetArraySize(errors) > 0) {
        return properties_validation_error(r, errors);
    }
    cJSON_Delete(errors);
    /* An agent's new listing is theirs unless they name someone else. */
    if (vals.v[PF_agent_id] == NULL && cJSON_GetObjectItemCaseSensitive(in, "agent_id") == NULL
        && r->user->role == TS_ROLE_AGENT) {
        vals.v[PF_agent_id] = ts_psprintf(r->pool, "%lld", (long long) r->user->id);
    }
    if (ts_db_begin(r) != TS_OK) {
        return TS_ERROR;
    }
    if (vals.v[PF_ref] == NULL) {
        if (properties_ref_next(r, &vals.v[PF_ref]) != TS_OK) {
            ts_db_rollback(r);
            return TS_ERROR;
        }
    } else if (ref_taken(r, vals.v[PF_ref], 0)) {
        ts_db_rollback(r);
        return ref_conflict(r);
    }
    int64_t id;
    const char *refusal;
    status = status ? status : "draft";
    cJSON *ev = cJSON_CreateObject();
    if (properties_insert(r, &vals, "draft", &id) != TS_OK) {
        cJSON_Delete(ev);
        ts_db_rollback(r);
        return TS_ERROR;
    }
    cJSON *cfields = NULL;
    int crc = custom_check(r, id, in, &cfields);
    if (crc != TS_OK) {
        cJSON_Delete(ev);
        return custom_refused(r, crc, cfields);
    }
    if (properties_related_save(r, id, in) != TS_OK
        || properties_status_change(r, id, NULL, status, reason, &refusal) != TS_OK
        || properties_completeness_update(r, id) != TS_OK
        || ts_audit(r, "property", id, "create", in) != TS_OK
        || (cJSON_AddNumberToObject(ev, "id", (double) id),
            ts_event_emit(r, "property.created", ev)) != TS_OK
        || ts_db_commit(r) != TS_OK) {
        ts_db_rollback(r);
        return TS_ERROR;
    }
    cJSON *o = properties_record_json(r, id, false);
    return o ? ts_resp_data(r, 201, o) : TS_ERROR;
}

int
properties_show(ts_request_t *r)
{
    int64_t id;
    int rc = properties_id_param(r, &id);
    if (rc != TS_OK) {
        return rc;
    }
    cJSON *o = properties_record_json(r, id, false);
    return o ? ts_resp_data(r, 200, o) : ts_resp_error(r, 404, "not_found", "no such property",
                                                       NULL);
}

/* {"field": [old, new]} for the audit log. */
static cJSON *
changes_of(const properties_values_t *old, const properties_values_t *now)
{
    cJSON *c = cJSON_CreateObject();
    for (int i = 0; i < PF_COUNT; i++) {
        const char *a = old->v[i], *b = now->v[i];
        if ((a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0)) {
            cJSON *pair = cJSON_AddArrayToObject(c, properties_fields[i].name);
            cJSON_AddItemToArray(pair, a ? cJSON_CreateString(a) : cJSON_CreateNull());
            cJSON_AddItemToArray(pair, b ? cJSON_CreateString(b) : cJSON_CreateNull());
        }
    }
    return c;
}

int
properties_patch(ts_request_t *r)
{
    int64_t id;
    int rc = properties_id_param(r, &id);
    if (rc != TS_OK) {
        return rc;
    }
    const cJSON *in = ts_req_json(r);
    if (!cJSON_IsObject(in)) {
        return bad_body(r);
    }
    if (ts_db_begin(r) != TS_OK) {
        return TS_ERROR;
    }
    ts_db_result_t *res = ts_db_query(r, ts_psprintf(r->pool,
        "SELECT %s FROM properties p WHERE p.tenant_id = {tenant} AND p.id = ?"
        " AND p.deleted_at IS NULL FOR UPDATE", properties_select_columns), "i", id);
    if (res == NULL) {
        ts_db_rollback(r);
        return TS_ERROR;
    }
    if (ts_db_rows(res) == 0) {
        ts_db_rollback(r);
        return ts_resp_error(r, 404, "not_found", "no such property", NULL);
    }
    if (!properties_may_edit(r, res)) {
        ts_db_rollback(r);
        return properties_refuse_edit(r);
    }
    properties_values_t old, vals;
    properties_values_from_row(r, res, 0, &old);
    vals = old;
    cJSON *errors = cJSON_CreateObject();
    const char *reason;
    properties_values_apply(r, in, &vals, errors);
    properties_related_validate(r, in, errors);
    const char *status = status_input(r, in, errors, &reason);
    if (cJSON_GetArraySize(errors) > 0) {
        ts_db_rollback(r);
        return properties_validation_error(r, errors);
    }
    cJSON_Delete(errors);
    if (strcmp(vals.v[PF_ref], old.v[PF_ref]) != 0 && ref_taken(r, vals.v[PF_ref], id)) {
        ts_db_rollback(r);
        return ref_conflict(r);
    }
    const char *from = ts_db_get(res, 0, "status"), *refusal = NULL;
    cJSON *changes = changes_of(&old, &vals);
    if (status != NULL && strcmp(status, from) != 0) {
        cJSON *pair = cJSON_AddArrayToObject(changes, "status");
        cJSON_AddItemToArray(pair, cJSON_CreateString(from));
        cJSON_AddItemToArray(pair, cJSON_CreateString(status));
    }
    rc = properties_update(r, id, &vals);
    cJSON *cfields = NULL;
    int crc = rc == TS_OK ? custom_check(r, id, in, &cfields) : TS_OK;
    if (crc != TS_OK) {
        cJSON_Delete(changes);
        return custom_refused(r, crc, cfields);
    }
    if (rc == TS_OK && status != NULL) {
        rc = properties_status_change(r, id, from, status, reason, &refusal);
    }
    if (rc == TS_DECLINED) {
        cJSON_Delete(changes);
        ts_db_rollback(r);
        return ts_resp_error(r, 422, "invalid_transition", refusal,
                             properties_one_error("status", refusal));
    }
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddNumberToObject(ev, "id", (double) id);
    cJSON_AddItemToObject(ev, "changes", cJSON_Duplicate(changes, 1));
    cJSON_AddItemToObject(ev, "old_price", old.v[PF_price] ? cJSON_CreateString(old.v[PF_price])
                                                           : cJSON_CreateNull());
    if (rc != TS_OK || properties_related_save(r, id, in) != TS_OK
        || properties_completeness_update(r, id) != TS_OK
        || ts_audit(r, "property", id, "update", changes) != TS_OK
        || ts_event_emit(r, "property.updated", ev) != TS_OK || ts_db_commit(r) != TS_OK) {
        cJSON_Delete(changes);
        ts_db_rollback(r);
        return TS_ERROR;
    }
    cJSON_Delete(changes);
    cJSON *o = properties_record_json(r, id, false);
    return o ? ts_resp_data(r, 200, o) : TS_ERROR;
}

/* Soft delete of one listing: the batch route does the same for many. */
int
properties_delete_one(ts_request_t *r)
{
    int64_t id;
    ts_db_result_t *res;
    int rc = properties_target(r, true, &id, &res);
    if (rc != TS_OK) {
        return rc;
    }
    if (ts_db_begin(r) != TS_OK) {
        return TS_ERROR;
    }
    if (properties_soft_delete(r, id) != TS_OK || ts_db_commit(r) != TS_OK) {
        ts_db_rollback(r);
        return TS_ERROR;
    }
    return ts_resp_no_content(r);
}

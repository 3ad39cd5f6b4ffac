/* Actions on records: convert a lead into a contact, merge duplicates, and
 * batch updates on a list of ids or a whole filter, in one transaction. */
#include <stdlib.h>
#include <string.h>
#include "contacts.h"
#include "contacts_fields.h"

#define BATCH_MAX 10000

int
contacts_system_activity(ts_request_t *r, const char *entity, int64_t id, const char *subject)
{
    return ts_db_exec(r, "INSERT INTO activities (tenant_id, entity, entity_id, kind, subject,"
                         " created_by, done_at) VALUES ({tenant}, ?, ?, 'system', ?, ?, UTC_TIMESTAMP())",
                      "sisi", entity, id, subject, r->user->id);
}

static int
answer_record(ts_request_t *r, contacts_kind_t kind, int64_t id)
{
    cJSON *rec = contacts_record_json(r, kind, id);
    return rec ? ts_resp_data(r, 200, rec) : TS_ERROR;
}

/* Same id, same activities, tags and custom values: only the kind changes. */
int
contacts_convert(ts_request_t *r, int64_t id, const char *role, cJSON **fields)
{
    ts_db_result_t *res = ts_db_query(r, "SELECT type FROM contacts WHERE tenant_id = {tenant} AND id = ?",
                                      "i", id);
    if (res == NULL) {
        return TS_ERROR;
    }
    const char *type = ts_db_get(res, 0, "type");
    if (role == NULL) {
        role = type == NULL ? "other" : strcmp(type, "owner") == 0 ? "seller" : "buyer";
    } else if (!contacts_enum_has(contacts_roles, role)) {
        contacts_field_error(fields, "role", "one of buyer, seller, tenant, landlord, lawyer, notary,"
                                             " architect, agent, accountant, other");
        return 422;
    }
    cJSON *ch = cJSON_CreateObject();
    cJSON *k = cJSON_AddArrayToObject(ch, "kind");
    cJSON_AddItemToArray(k, cJSON_CreateString("lead"));
    cJSON_AddItemToArray(k, cJSON_CreateString("contact"));
    cJSON_AddStringToObject(ch, "role", role);
    int rc = ts_db_exec(r, "UPDATE contacts SET kind = 'contact', converted_at = UTC_TIMESTAMP(),"
                           " updated_by = ? WHERE tenant_id = {tenant} AND id = ? AND kind = 'lead'",
                        "ii", r->user->id, id);
    if (rc == TS_OK) {
        rc = ts_db_exec(r, "INSERT IGNORE INTO contact_roles (tenant_id, contact_id, role)"
                           " VALUES ({tenant}, ?, ?)", "is", id, role);
    }
    if (rc == TS_OK) {
        rc = contacts_system_activity(r, "contact", id,
                                      ts_psprintf(r->pool, "Converted from lead to contact (%s)", role));
    }
    if (rc == TS_OK) {
        rc = ts_audit(r, "contact", id, "convert", ch);
    }
    cJSON_Delete(ch);
    if (rc == TS_OK) {
        cJSON *ev = cJSON_CreateObject();
        cJSON_AddNumberToObject(ev, "id", (double) id);
        cJSON_AddStringToObject(ev, "role", role);
        ts_event_emit(r, "lead.converted", ev);
    }
    return rc;
}

static int
convert_lead(ts_request_t *r)
{
    int64_t id;
    if (ts_req_param_id(r, "id", &id) != TS_OK || !contacts_record_visible(r, CONTACTS_LEAD, id)) {
        return ts_resp_error(r, 404, "not_found", "no such lead", NULL);
    }
    const cJSON *in = ts_req_json(r);
    const cJSON *e;
    cJSON *fields = NULL;
    cJSON_ArrayForEach(e, in) {
        if (strcmp(e->string, "role") != 0) {
            contacts_field_error(&fields, e->string, "unknown field");
        }
    }
    if (fields) {
        return contacts_validation_error(r, fields);
    }
    if (ts_db_begin(r) != TS_OK) {
        return TS_ERROR;
    }
    int rc = contacts_convert(r, id, contacts_json_str(in, "role"), &fields);
    if (rc != TS_OK) {
        ts_db_rollback(r);
        return rc == 422 ? contacts_validation_error(r, fields) : TS_ERROR;
    }
    return ts_db_commit(r) == TS_OK ? answer_record(r, CONTACTS_CONTACT, id) : TS_ERROR;
}

/* The survivor keeps its values; its empty ones are filled from the other record. */
static const char *const fill_cols[] = {
    "salutation", "email", "email_norm", "phone", "phone_norm", "company", "job_title", "type",
    "source", "source_portal", "urgency", "timeframe", "move_in_date", "language", "nationality",
    "id_document_type", "id_document_number", "birthday", "website", "notes", "preferences",
    "transaction", "budget_min", "budget_max", "area_min", "area_max", "bedrooms_min",
    "bathrooms_min", "communication", "custom", "score", "score_reasons", "scored_at",
    "agent_id", NULL };

int
contacts_merge(ts_request_t *r, int64_t survivor, int64_t source)
{
    /* The other record's email and phone stay reachable as extra channels. */
    static const char *const moves[] = {
        "INSERT INTO contact_channels (tenant_id, contact_id, kind, label, value, value_norm)"
        " SELECT o.tenant_id, ?, 'email', 'merged', o.email, o.email_norm FROM contacts o JOIN contacts s"
        " ON s.tenant_id = o.tenant_id AND s.id = ? WHERE o.tenant_id = {tenant} AND o.id = ?"
        " AND o.email_norm IS NOT NULL AND o.email_norm <> COALESCE(s.email_norm, '')",
        "INSERT INTO contact_channels (tenant_id, contact_id, kind, label, value, value_norm)"
        " SELECT o.tenant_id, ?, 'phone', 'merged', o.phone, o.phone_norm FROM contacts o JOIN contacts s"
        " ON s.tenant_id = o.tenant_id AND s.id = ? WHERE o.tenant_id = {tenant} AND o.id = ?"
        " AND o.phone_norm IS NOT NULL AND o.phone_norm <> COALESCE(s.phone_norm, '')",
        NULL };
    int rc = contacts_merge_fill(r, CONTACTS_CONTACT, fill_cols, survivor, source);
    for (int i = 0; moves[i] && rc == TS_OK; i++) {
        rc = ts_db_exec(r, moves[i], "iii", survivor, survivor, source);
    }
    static const char *const relinks[] = {
        "UPDATE activities SET entity_id = ? WHERE tenant_id = {tenant} AND entity = 'contact' AND entity_id = ?",
        "INSERT IGNORE INTO tags (tenant_id, entity, entity_id, tag) SELECT tenant_id, entity, ?, tag"
        " FROM tags WHERE tenant_id = {tenant} AND entity = 'contact' AND entity_id = ?",
        "INSERT IGNORE INTO contact_roles (tenant_id, contact_id, role) SELECT tenant_id, ?, role"
        " FROM contact_roles WHERE tenant_id = {tenant} AND contact_id = ?",
        "UPDATE contact_channels SET contact_id = ? WHERE tenant_id = {tenant} AND contact_id = ?",
        "UPDATE contact_addresses SET contact_id = ? WHERE tenant_id = {tenant} AND contact_id = ?",
        "UPDATE contact_consents SET contact_id = ? WHERE tenant_id = {tenant} AND contact_id = ?",
        "UPDATE IGNORE relation_persons SET contact_id = ? WHERE tenant_id = {tenant} AND contact_id = ?",
        NULL };
    for (int i = 0; relinks[i] && rc == TS_OK; i++) {
        rc = ts_db_exec(r, relinks[i], "ii", survivor, source);
    }
    if (rc == TS_OK) {
        rc = ts_db_exec(r, "DELETE FROM tags WHERE tenant_id = {tenant} AND entity = 'contact' AND entity_id = ?",
                        "i", source);
    }
    if (rc == TS_OK) {
        rc = ts_db_exec(r, "UPDATE contacts SET deleted_at = UTC_TIMESTAMP(), merged_into = ?,"
                           " updated_by = ? WHERE tenant_id = {tenant} AND id = ?", "iii", survivor,
                        r->user->id, source);
    }
    return rc == TS_OK ? contacts_merge_recorded(r, "contact", "record", survivor, source) : rc;
}

/* Fills the survivor's empty columns (a fixed list of the caller's) from the other record. */
int
contacts_merge_fill(ts_request_t *r, contacts_kind_t kind, const char *const cols[], int64_t survivor,
                    int64_t source)
{
    ts_pool_t *p = r->pool;
    contacts_q_t q;
    contacts_q_init(&q, p, kind == CONTACTS_RELATION
                               ? "UPDATE relations s JOIN relations o ON o.tenant_id = s.tenant_id AND o.id = ?"
                               : "UPDATE contacts s JOIN contacts o ON o.tenant_id = s.tenant_id AND o.id = ?");
    contacts_q_argi(&q, source);
    contacts_q_add(&q, " SET s.updated_by = ?");
    contacts_q_argi(&q, r->user->id);
    for (const char *const *c = cols; *c; c++) {
        contacts_q_add(&q, ts_psprintf(p, ", s.%s = COALESCE(s.%s, o.%s)", *c, *c, *c));
    }
    contacts_q_bind(&q, " WHERE s.tenant_id = {tenant} AND s.id = ?", contacts_i64(p, survivor));
    return contacts_q_exec(r, &q);
}

int
contacts_merge_recorded(ts_request_t *r, const char *entity, const char *noun, int64_t survivor,
                        int64_t source)
{
    cJSON *ch = cJSON_CreateObject();
    cJSON_AddNumberToObject(ch, "survivor", (double) survivor);
    cJSON_AddNumberToObject(ch, "merged", (double) source);
    int rc = ts_audit(r, entity, survivor, "merge", ch);
    if (rc == TS_OK) {
        rc = ts_audit(r, entity, source, "merged_into", ch);
    }
    if (rc == TS_OK) {
        rc = contacts_system_activity(r, entity, survivor,
                                      ts_psprintf(r->pool, "Merged %s #%lld into this one", noun,
                                                  (long long) source));
    }
    if (rc == TS_OK) {
        /* Deals and properties move their own links on this event. */
        ts_event_emit(r, ts_psprintf(r->pool, "%s.merged", entity), cJSON_Duplicate(ch, 1));
    }
    cJSON_Delete(ch);
    return rc;
}

static bool
person_visible(ts_request_t *r, int64_t id)
{
    return contacts_record_visible(r, CONTACTS_LEAD, id) || contacts_record_visible(r, CONTACTS_CONTACT, id);
}

static int
merge_records(ts_request_t *r)
{
    int64_t id;
    contacts_kind_t kind = contacts_kind_of_path(r);
    if (ts_req_param_id(r, "id", &id) != TS_OK || !contacts_record_visible(r, kind, id)) {
        return ts_resp_error(r, 404, "not_found", "no such record", NULL);
    }
    const cJSON *in = ts_req_json(r);
    const cJSON *src = cJSON_GetObjectItemCaseSensitive(in, "source_id");
    cJSON *fields = NULL;
    if (!cJSON_IsNumber(src) || src->valuedouble < 1 || src->valuedouble > 9e15
        || (int64_t) src->valuedouble == id) {
        contacts_field_error(&fields, "source_id", kind == CONTACTS_RELATION
                             ? "the id of another relation is required"
                             : "the id of another lead or contact is required");
        return contacts_validation_error(r, fields);
    }
    int64_t source = (int64_t) src->valuedouble;
    bool relation = kind == CONTACTS_RELATION;
    if (relation ? !contacts_record_visible(r, CONTACTS_RELATION, source) : !person_visible(r, source)) {
        contacts_field_error(&fields, "source_id", relation ? "no such relation" : "no such lead or contact");
        return contacts_validation_error(r, fields);
    }
    if (ts_db_begin(r) != TS_OK) {
        return TS_ERROR;
    }
    if ((relation ? contacts_merge_relation(r, id, source) : contacts_merge(r, id, source)) != TS_OK) {
        ts_db_rollback(r);
        return TS_ERROR;
    }
    return ts_db_commit(r) == TS_OK ? answer_record(r, kind, id) : TS_ERROR;
}

/* ---- batch ---- */

static cJSON *
tags_with(ts_request_t *r, contacts_kind_t kind, int64_t id, const char *tag, bool add)
{
    ts_db_result_t *res = ts_db_query(r, "SELECT tag FROM tags WHERE tenant_id = {tenant} AND entity = ?"
                                         " AND entity_id = ? ORDER BY tag", "si",
                                      contacts_kind_entity(kind), id);
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        if (strcmp(ts_db_get(res, i, "tag"), tag) != 0) {
            cJSON_AddItemToArray(a, cJSON_CreateString(ts_db_get(res, i, "tag")));
        }
    }
    if (add) {
        cJSON_AddItemToArray(a, cJSON_CreateString(tag));
    }
    return a;
}

int
contacts_batch_apply(ts_request_t *r, contacts_kind_t kind, const char *action, const cJSON *in,
                     const int64_t *ids, size_t n, long long *count, cJSON **fields)
{
    *count = 0;
    for (size_t i = 0; i < n; i++) {
        if (!contacts_record_visible(r, kind, ids[i])) {
            continue;
        }
        int rc;
        if (strcmp(action, "delete") == 0) {
            rc = contacts_record_delete(r, kind, ids[i]);
        } else {
            cJSON *patch = cJSON_CreateObject();
            if (strcmp(action, "assign") == 0) {
                const cJSON *a = cJSON_GetObjectItemCaseSensitive(in, "agent_id");
                cJSON_AddItemToObject(patch, "agent_id", a ? cJSON_Duplicate(a, 1) : cJSON_CreateNull());
            } else if (strcmp(action, "set_status") == 0) {
                const cJSON *s = cJSON_GetObjectItemCaseSensitive(in, "status");
                cJSON_AddItemToObject(patch, "status", s ? cJSON_Duplicate(s, 1) : cJSON_CreateNull());
            } else {
                cJSON_AddItemToObject(patch, "tags", tags_with(r, kind, ids[i], contacts_json_str(in, "tag"),
                                                               strcmp(action, "add_tag") == 0));
            }
            int64_t out;
            rc = contacts_record_save(r, contacts_kind_name(kind), patch, ids[i], fields, &out);
            cJSON_Delete(patch);
        }
        if (rc == 422) {
            return 422;
        }
        if (rc != TS_OK) {
            return TS_ERROR;
        }
        (*count)++;
    }
    return 0;
}

static int
batch(ts_request_t *r)
{
    contacts_kind_t kind = contacts_kind_of_path(r);
    const cJSON *in = ts_req_json(r);
    if (!cJSON_IsObject(in)) {
        return ts_resp_error(r, 400, "bad_body", "a JSON object is required", NULL);
    }
    cJSON *fields = NULL;
    static const char *const actions[] = { "assign", "set_status", "add_tag", "remove_tag", "delete", NULL };
    static const char *const known[] = { "ids", "filter", "action", "agent_id", "status", "tag", NULL };
    const cJSON *e;
    cJSON_ArrayForEach(e, in) {
        if (!contacts_enum_has(known, e->string)) {
            contacts_field_error(&fields, e->string, "unknown field");
        }
    }
    const char *action = contacts_json_str(in, "action");
    if (action == NULL || !contacts_enum_has(actions, action)) {
        contacts_field_error(&fields, "action", "one of assign, set_status, add_tag, remove_tag, delete");
    } else if (strstr(action, "tag")) {
        const char *tag = contacts_json_str(in, "tag");
        if (tag == NULL || *tag == '\0' || strlen(tag) > 64 || strchr(tag, ',')) {
            contacts_field_error(&fields, "tag", "a tag of at most 64 characters, without commas");
        }
    } else if (strcmp(action, "assign") == 0 && cJSON_GetObjectItemCaseSensitive(in, "agent_id") == NULL) {
        contacts_field_error(&fields, "agent_id", "a user id, or null to unassign");
    } else if (strcmp(action, "set_status") == 0 && contacts_json_str(in, "status") == NULL) {
        contacts_field_error(&fields, "status", "the new status is required");
    }
    const cJSON *idl = cJSON_GetObjectItemCaseSensitive(in, "ids");
    const cJSON *filter = cJSON_GetObjectItemCaseSensitive(in, "filter");
    if ((idl == NULL) == (filter == NULL)) {
        contacts_field_error(&fields, "ids", "give either ids or filter");
    } else if (idl && (!cJSON_IsArray(idl) || cJSON_GetArraySize(idl) < 1 || cJSON_GetArraySize(idl) > 1000)) {
        contacts_field_error(&fields, "ids", "a list of 1 to 1000 ids");
    } else if (filter && !cJSON_IsObject(filter)) {
        contacts_field_error(&fields, "filter", "an object of list filters");
    }
    cJSON_ArrayForEach(e, idl) {
        if (!cJSON_IsNumber(e) || e->valuedouble < 1 || e->valuedouble > 9e15) {
            contacts_field_error(&fields, "ids", "ids are positive integers");
        }
    }
    if (fields) {
        return contacts_validation_error(r, fields);
    }
    int64_t *ids;
    size_t n = 0;
    if (idl) {
        ids = ts_palloc(r->pool, sizeof(int64_t) * (size_t) cJSON_GetArraySize(idl));
        cJSON_ArrayForEach(e, idl) {
            ids[n++] = (int64_t) e->valuedouble;
        }
    } else {
        contacts_listctx_t lc = { .filters = filter, .ignore_query = true };
        int rc = contacts_list_ids(r, kind, &lc, BATCH_MAX, &ids, &n, &fields);
        if (rc == 422) {
            cJSON *pref = NULL;
            cJSON_ArrayForEach(e, fields) {
                contacts_field_error(&pref, strcmp(e->string, "filter") == 0 ? "filter"
                                     : ts_psprintf(r->pool, "filter.%s", e->string), e->valuestring);
            }
            cJSON_Delete(fields);
            return contacts_validation_error(r, pref);
        }
        if (rc != 0) {
            return TS_ERROR;
        }
    }
    if (ts_db_begin(r) != TS_OK) {
        return TS_ERROR;
    }
    long long count;
    int rc = contacts_batch_apply(r, kind, action, in, ids, n, &count, &fields);
    if (rc != 0) {
        ts_db_rollback(r);
        return rc == 422 ? contacts_validation_error(r, fields) : TS_ERROR;
    }
    if (ts_db_commit(r) != TS_OK) {
        return TS_ERROR;
    }
    cJSON *d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "count", (double) count);
    cJSON_AddStringToObject(d, "action", action);
    return ts_resp_data(r, 200, d);
}

int
contacts_actions_routes(ts_plugin_ctx_t *ctx)
{
    if (ts_route_add_ex(ctx, TS_POST, "/api/v1/leads/{id}/convert", convert_lead, 0, TS_ROLE_AGENT) != TS_OK
        || contacts_route_kinds(ctx, CONTACTS_ALL, TS_POST, "/{id}/merge", merge_records,
                                TS_ROLE_AGENT) != TS_OK
        || contacts_route_kinds(ctx, CONTACTS_ALL, TS_POST, "/batch", batch, TS_ROLE_AGENT) != TS_OK) {
        return TS_ERROR;
    }
    return TS_OK;
}

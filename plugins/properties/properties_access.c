/* Loading one property for the caller's tenant, and who may change it:
 * viewers read, agents change their own and unassigned listings, managers
 * and admins change any. */
#include <stdlib.h>
#include <string.h>
#include "properties.h"

int
properties_id_param(ts_request_t *r, int64_t *id)
{
    if (ts_req_param_id(r, "id", id) != TS_OK || *id <= 0) {
        return ts_resp_error(r, 404, "not_found", "no such property", NULL);
    }
    return TS_OK;
}

ts_db_result_t *
properties_load(ts_request_t *r, int64_t id, bool with_deleted)
{
    const char *sql = with_deleted
        ? ts_psprintf(r->pool, "SELECT %s FROM properties p WHERE p.tenant_id = {tenant}"
                               " AND p.id = ?", properties_select_columns)
        : ts_psprintf(r->pool, "SELECT %s FROM properties p WHERE p.tenant_id = {tenant}"
                               " AND p.id = ? AND p.deleted_at IS NULL",
                      properties_select_columns);
    return ts_db_query(r, sql, "i", id);
}

/* The property of a route with {id}: TS_OK with *res, or the 404 or 403
 * answered (edit: the caller must be allowed to change it). */
int
properties_target(ts_request_t *r, bool edit, int64_t *id, ts_db_result_t **res)
{
    int rc = properties_id_param(r, id);
    if (rc != TS_OK) {
        return rc;
    }
    *res = properties_load(r, *id, false);
    if (*res == NULL) {
        return TS_ERROR;
    }
    if (ts_db_rows(*res) == 0) {
        return ts_resp_error(r, 404, "not_found", "no such property", NULL);
    }
    if (edit && !properties_may_edit(r, *res)) {
        return properties_refuse_edit(r);
    }
    return TS_OK;
}

bool
properties_may_edit(ts_request_t *r, const ts_db_result_t *res)
{
    if (r->user == NULL) {
        return true;             /* jobs act for the tenant */
    }
    if (r->user->role >= TS_ROLE_MANAGER) {
        return true;
    }
    if (r->user->role < TS_ROLE_AGENT) {
        return false;
    }
    const char *agent = ts_db_get(res, 0, "agent_id");
    return agent == NULL || strtoll(agent, NULL, 10) == r->user->id;
}

int
properties_refuse_edit(ts_request_t *r)
{
    return ts_resp_error(r, 403, "forbidden",
                         "agents change only their own or unassigned properties", NULL);
}

int
properties_validation_error(ts_request_t *r, cJSON *errors)
{
    return ts_resp_error(r, 422, "validation_failed", "some fields are invalid", errors);
}

/* o[name] = "a,b" (or null) becomes ["a", "b"] (or []). */
void
properties_csv_field(ts_request_t *r, cJSON *o, const char *name)
{
    const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
    cJSON *a = cJSON_CreateArray();
    char *copy = ts_pstrdup(r->pool, text ? text : ""), *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        cJSON_AddItemToArray(a, cJSON_CreateString(t));
    }
    if (cJSON_GetObjectItemCaseSensitive(o, name) != NULL) {
        cJSON_ReplaceItemInObjectCaseSensitive(o, name, a);
    } else {
        cJSON_AddItemToObject(o, name, a);
    }
}

cJSON *
properties_one_error(const char *field, const char *message)
{
    cJSON *f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, field, message);
    return f;
}

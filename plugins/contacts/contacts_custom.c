/* Custom field values of leads, contacts and relations written through the
 * API: checked against the tenant's field{...} definitions after the row is
 * saved (validate and compute see the record as it will be). */
#include <string.h>
#include "contacts.h"

static void
name_errors(ts_request_t *r, cJSON **fields, const cJSON *errors)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, errors) {
        contacts_field_error(fields, ts_psprintf(r->pool, "custom.%s", e->string),
                             cJSON_GetStringValue(e));
    }
}

int
contacts_custom_check(ts_request_t *r, contacts_kind_t kind, const cJSON *in, int64_t id,
                      cJSON **fields)
{
    *fields = NULL;
    const char *kname = contacts_kind_name(kind);
    ts_db_result_t *defs = ts_db_query(r, "SELECT field_key FROM custom_fields WHERE tenant_id ="
                                          " {tenant} AND kind = ?", "s", kname);
    if (defs == NULL) {
        return TS_ERROR;
    }
    /* Without definitions custom stays a free-form object (older data, imports). */
    if (ts_db_rows(defs) == 0) {
        return TS_OK;
    }
    const cJSON *given = cJSON_GetObjectItemCaseSensitive(in, "custom");
    if (!cJSON_IsObject(given)) {
        given = NULL;
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, given) {
        bool known = false;
        for (size_t i = 0; i < ts_db_rows(defs) && !known; i++) {
            known = strcmp(ts_db_get(defs, i, "field_key"), e->string) == 0;
        }
        if (!known) {
            contacts_field_error(fields, ts_psprintf(r->pool, "custom.%s", e->string),
                                 "unknown field");
        }
    }
    if (*fields != NULL) {
        return 422;
    }
    cJSON *rec = contacts_record_json(r, kind, id);
    if (rec == NULL) {
        return TS_ERROR;
    }
    ts_pool_cleanup_add(r->pool, (void (*)(void *)) cJSON_Delete, rec);
    const cJSON *stored = cJSON_GetObjectItemCaseSensitive(rec, "custom");
    cJSON *values = cJSON_IsObject(stored) ? cJSON_Duplicate(stored, 1) : cJSON_CreateObject();
    ts_pool_cleanup_add(r->pool, (void (*)(void *)) cJSON_Delete, values);
    cJSON *errors = NULL;
    int rc = ts_custom_fields_check(r, kname, rec, values, &errors);
    if (rc == TS_DECLINED) {
        name_errors(r, fields, errors);
        cJSON_Delete(errors);
        return 422;
    }
    if (rc != TS_OK) {
        return TS_ERROR;
    }
    if (cJSON_Compare(values, stored, 1)) {
        return TS_OK;
    }
    /* compute() filled or changed values: they are stored as the record's. */
    char *t = cJSON_PrintUnformatted(values);
    char *text = ts_pstrdup(r->pool, t);
    cJSON_free(t);
    return ts_db_exec(r, kind == CONTACTS_RELATION
        ? "UPDATE relations SET custom = ? WHERE tenant_id = {tenant} AND id = ?"
        : "UPDATE contacts SET custom = ? WHERE tenant_id = {tenant} AND id = ?", "si", text, id);
}

/* Custom field values of leads, contacts and relations written through the
 * API and the forms: checked against the tenant's field{...} definitions after
 * the row is saved (validate and compute see the record as it will be). */
#include <string.h>
#include "contacts.h"

int
contacts_custom_check(ts_request_t *r, contacts_kind_t kind, const cJSON *in, int64_t id,
                      cJSON **fields)
{
    *fields = NULL;
    int n = ts_custom_fields_count(r, contacts_kind_name(kind));
    if (n <= 0) {
        return n == 0 ? TS_OK : TS_ERROR;   /* free-form custom without definitions */
    }
    cJSON *rec = contacts_record_json(r, kind, id);
    if (rec == NULL) {
        return TS_ERROR;
    }
    cJSON *changed = NULL;
    int rc = ts_custom_fields_write(r, contacts_kind_name(kind),
                                    cJSON_GetObjectItemCaseSensitive(in, "custom"), rec, &changed,
                                    fields);
    cJSON_Delete(rec);
    if (rc == TS_DECLINED) {
        return 422;
    }
    if (rc != TS_OK || changed == NULL) {
        return rc;
    }
    /* compute() filled or changed values: they are stored as the record's. */
    char *t = cJSON_PrintUnformatted(changed);
    char *text = ts_pstrdup(r->pool, t);
    cJSON_free(t);
    cJSON_Delete(changed);
    return ts_db_exec(r, kind == CONTACTS_RELATION
        ? "UPDATE relations SET custom = ? WHERE tenant_id = {tenant} AND id = ?"
        : "UPDATE contacts SET custom = ? WHERE tenant_id = {tenant} AND id = ?", "si", text, id);
}

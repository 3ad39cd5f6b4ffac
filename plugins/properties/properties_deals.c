/* Won sales: the deals plugin's deal.stage_changed carries "property_status"
 * for the deal's primary property when the tenant wants it marked sold. The
 * status is this plugin's data, so the change happens here, with the same
 * rules, history and automatic depublication as any status change. */
#include <string.h>
#include "properties.h"

void
properties_on_deal_stage(ts_request_t *r, const char *event, const cJSON *payload)
{
    (void) event;
    const char *to = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(payload, "property_status"));
    const cJSON *pid = cJSON_GetObjectItemCaseSensitive(payload, "property_id");
    const cJSON *deal = cJSON_GetObjectItemCaseSensitive(payload, "id");
    if (to == NULL || strcmp(to, "sold") != 0 || !cJSON_IsNumber(pid) || ts_db_begin(r) != TS_OK) {
        return;
    }
    int64_t id = (int64_t) pid->valuedouble;
    ts_db_result_t *res = ts_db_query(r, "SELECT status FROM properties WHERE tenant_id = {tenant}"
                                         " AND id = ? AND deleted_at IS NULL FOR UPDATE", "i", id);
    const char *refusal = NULL;
    int rc = res != NULL && ts_db_rows(res) > 0
        ? properties_status_change(r, id, ts_db_get(res, 0, "status"), to,
                                   ts_psprintf(r->pool, "deal %.0f won", cJSON_GetNumberValue(deal)),
                                   &refusal)
        : TS_DECLINED;
    if (rc != TS_OK || ts_db_commit(r) != TS_OK) {
        ts_db_rollback(r);
        if (refusal != NULL) {
            ts_log_warn("property %lld not marked sold after deal %.0f won: %s", (long long) id,
                        cJSON_GetNumberValue(deal), refusal);
        }
    }
}

/* The lead count: every buy or rent deal created with the property linked is
 * one enquiry by a prospective buyer or tenant (a sell deal is the owner's
 * mandate, not a lead). Counted once per deal and never decremented, so
 * the figure stays the property's history of interest. */
void
properties_on_deal_created(ts_request_t *r, const char *event, const cJSON *payload)
{
    (void) event;
    const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(payload, "type"));
    if (type == NULL || (strcmp(type, "buy") != 0 && strcmp(type, "rent") != 0)) {
        return;
    }
    const cJSON *pid;
    cJSON_ArrayForEach(pid, cJSON_GetObjectItemCaseSensitive(payload, "property_ids")) {
        if (cJSON_IsNumber(pid)
            && ts_db_exec(r, "UPDATE properties SET lead_count = lead_count + 1, updated_at = updated_at"
                             " WHERE tenant_id = {tenant} AND id = ?", "i",
                          (int64_t) pid->valuedouble) != TS_OK) {
            ts_log_warn("lead count of property %.0f not updated", pid->valuedouble);
        }
    }
}

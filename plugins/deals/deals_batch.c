/* POST /api/v1/deals/batch: stage, agent and tags of many deals in one
 * transaction; one refused row refuses them all, naming the row. */
#include <string.h>
#include "deals.h"

static const char *const allowed[] = { "ids", "stage", "lost_reason", "reopen", "agent_id",
                                       "tags_add", "tags_remove" };

static int
check_shape(ts_request_t *r, const cJSON *j, cJSON **fields)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, j) {
        bool known = false;
        for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
            known |= strcmp(allowed[i], it->string) == 0;
        }
        if (!known) {
            deals_field(fields, it->string, "unknown field");
        }
    }
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(j, "ids");
    int n = cJSON_GetArraySize(ids);
    if (!cJSON_IsArray(ids) || n < 1 || n > 500) {
        deals_field(fields, "ids", "a list of 1 to 500 deal ids");
    } else {
        for (int i = 0; i < n; i++) {
            const cJSON *v = cJSON_GetArrayItem(ids, i);
            if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > 9e15
                || v->valuedouble != (double) (int64_t) v->valuedouble) {
                deals_field(fields, ts_psprintf(r->pool, "ids[%d]", i), "a deal id");
            }
        }
    }
    const cJSON *stage = cJSON_GetObjectItemCaseSensitive(j, "stage");
    if (stage != NULL && !cJSON_IsString(stage)) {
        deals_field(fields, "stage", "a stage code");
    }
    const cJSON *agent = cJSON_GetObjectItemCaseSensitive(j, "agent_id");
    if (agent != NULL && !cJSON_IsNull(agent) && !(cJSON_IsNumber(agent) && agent->valuedouble >= 1)) {
        deals_field(fields, "agent_id", "a user id, or null");
    }
    deals_tags_check(cJSON_GetObjectItemCaseSensitive(j, "tags_add"), "tags_add", fields);
    deals_tags_check(cJSON_GetObjectItemCaseSensitive(j, "tags_remove"), "tags_remove", fields);
    if (stage == NULL && agent == NULL && cJSON_GetObjectItemCaseSensitive(j, "tags_add") == NULL
        && cJSON_GetObjectItemCaseSensitive(j, "tags_remove") == NULL) {
        deals_field(fields, "stage", "nothing to change: give stage, agent_id, tags_add or tags_remove");
    }
    return *fields ? TS_DECLINED : TS_OK;
}

/* The batch in one transaction, for the API and the list page alike: TS_OK,
 * TS_DECLINED with *fields, 403 with *denied, or TS_ERROR. */
int
deals_batch_apply(ts_request_t *r, const cJSON *j, cJSON **fieldsp, const char **denied)
{
    cJSON *fields = NULL;
    if (check_shape(r, j, &fields) != TS_OK) {
        *fieldsp = fields;
        return TS_DECLINED;
    }
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(j, "ids");
    const char *stage = deals_ustr(j, "stage");
    const char *lost_reason = deals_ustr(j, "lost_reason");
    bool reopen = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "reopen"));
    const cJSON *agent = cJSON_GetObjectItemCaseSensitive(j, "agent_id");
    const cJSON *tags_add = cJSON_GetObjectItemCaseSensitive(j, "tags_add");
    const cJSON *tags_remove = cJSON_GetObjectItemCaseSensitive(j, "tags_remove");
    if (ts_db_begin(r) != TS_OK) {
        return TS_ERROR;
    }
    bool forbidden = false;
    int rc = deals_check_agent(r, j, &fields, &forbidden);
    int n = cJSON_GetArraySize(ids), i = 0;
    for (; rc != TS_ERROR && !forbidden && i < n; i++) {
        int64_t id = (int64_t) cJSON_GetArrayItem(ids, i)->valuedouble;
        const char *prefix = ts_psprintf(r->pool, "ids[%d].", i);
        deals_head_t d;
        int lr = deals_load_head(r, id, true, &d);
        if (lr == TS_ERROR) {
            rc = TS_ERROR;
            break;
        }
        if (lr == TS_DECLINED) {
            deals_field(&fields, ts_psprintf(r->pool, "ids[%d]", i), "no such deal");
            continue;
        }
        if (!deals_may_edit(r, &d)) {
            forbidden = true;
            break;
        }
        int mr = stage ? deals_move(r, &d, stage, lost_reason, reopen, NULL, prefix, &fields) : TS_OK;
        if (mr == TS_ERROR) {
            rc = TS_ERROR;
            break;
        }
        if (agent != NULL
            && ts_db_exec(r, "UPDATE deals SET agent_id = ?, updated_by = ? WHERE tenant_id = {tenant}"
                             " AND id = ?", "sii", cJSON_IsNull(agent) ? NULL
                             : ts_psprintf(r->pool, "%.0f", agent->valuedouble), r->user->id, id)
               != TS_OK) {
            rc = TS_ERROR;
            break;
        }
        if ((tags_add && deals_tags_apply(r, id, tags_add, true) != TS_OK)
            || (tags_remove && deals_tags_apply(r, id, tags_remove, false) != TS_OK)
            || ts_audit(r, "deal", id, "batch", j) != TS_OK) {
            rc = TS_ERROR;
            break;
        }
    }
    if (rc == TS_ERROR || forbidden || fields != NULL) {
        ts_db_rollback(r);
        if (rc == TS_ERROR) {
            cJSON_Delete(fields);
            return TS_ERROR;
        }
        if (forbidden) {
            cJSON_Delete(fields);
            *denied = agent != NULL && i == 0 ? "only managers assign deals to other agents"
                      : ts_psprintf(r->pool, "ids[%d]: agents change only their own deals", i);
            return 403;
        }
        *fieldsp = fields;
        return TS_DECLINED;
    }
    return ts_db_commit(r);
}

int
deals_batch(ts_request_t *r)
{
    const cJSON *j = ts_req_json(r);
    if (!cJSON_IsObject(j)) {
        return ts_resp_error(r, 400, "bad_body", "a JSON object is expected", NULL);
    }
    cJSON *fields = NULL;
    if (check_shape(r, j, &fields) != TS_OK) {
        return deals_invalid(r, fields);
    }
    const char *denied = NULL;
    int rc = deals_batch_apply(r, j, &fields, &denied);
    if (rc == 403) {
        return deals_forbidden(r, denied);
    }
    if (rc == TS_DECLINED) {
        return ts_resp_error(r, 422, "validation_failed", "no deal was changed: some rows are invalid",
                             fields);
    }
    if (rc != TS_OK) {
        return TS_ERROR;
    }
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(j, "ids");
    cJSON *out = cJSON_CreateObject();
    cJSON_AddNumberToObject(out, "updated", cJSON_GetArraySize(ids));
    cJSON_AddItemToObject(out, "ids", cJSON_Duplicate(ids, true));
    return ts_resp_data(r, 200, out);
}

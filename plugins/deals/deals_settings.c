/* /api/v1/deals/settings: the tenant's reference numbers and the
 * sold-on-won switch. */
#include <string.h>
#include "deals.h"

static ts_db_result_t *
settings_row(ts_request_t *r)
{
    /* The UNION with literals makes ref_padding text; the CAST makes it a number again. */
    return ts_db_query(r, "SELECT s.ref_prefix, CAST(s.ref_padding AS SIGNED) AS ref_padding,"
                          " s.ref_suffix,"
                          " s.last_seq + 1 AS next_number, s.sold_on_won = 1 AS sold_on_won"
                          " FROM (SELECT ref_prefix, ref_padding, ref_suffix, last_seq, sold_on_won"
                          "  FROM deal_settings WHERE tenant_id = {tenant}"
                          "  UNION ALL SELECT 'D-', 5, '', 0, 1 LIMIT 1) s", "");
}

/* The settings as the API shows them, with an example reference; NULL on a
 * database error. */
cJSON *
deals_settings_json(ts_request_t *r)
{
    ts_db_result_t *res = settings_row(r);
    if (res == NULL) {
        return NULL;
    }
    cJSON *o = ts_db_row_json(r, res, 0);
    cJSON_ReplaceItemInObjectCaseSensitive(o, "sold_on_won",
                                           cJSON_CreateBool(ts_db_get_int(res, 0, "sold_on_won")));
    cJSON_AddStringToObject(o, "example", ts_psprintf(r->pool, "%s%0*lld%s",
                            ts_db_get(res, 0, "ref_prefix"), (int) ts_db_get_int(res, 0, "ref_padding"),
                            (long long) ts_db_get_int(res, 0, "next_number"),
                            ts_db_get(res, 0, "ref_suffix")));
    return o;
}

static int
settings_answer(ts_request_t *r)
{
    cJSON *o = deals_settings_json(r);
    return o ? ts_resp_data(r, 200, o) : TS_ERROR;
}

int
deals_settings_show(ts_request_t *r)
{
    return settings_answer(r);
}

static bool
ref_text(const char *s)
{
    return s != NULL && strlen(s) <= 16
           && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_/.#")
              == strlen(s);
}

/* The checks and the change of PATCH, for the API and the settings page:
 * TS_OK, TS_DECLINED with *fieldsp, or TS_ERROR. */
int
deals_settings_apply(ts_request_t *r, const cJSON *j, cJSON **fieldsp)
{
    cJSON *fields = NULL;
    const cJSON *it;
    cJSON_ArrayForEach(it, j) {
        const char *k = it->string;
        if (strcmp(k, "ref_prefix") == 0 || strcmp(k, "ref_suffix") == 0) {
            if (!ref_text(cJSON_GetStringValue(it))) {
                deals_field(&fields, k, "at most 16 letters, digits or - _ / . #");
            }
        } else if (strcmp(k, "ref_padding") == 0) {
            if (!cJSON_IsNumber(it) || it->valuedouble < 0 || it->valuedouble > 12
                || it->valuedouble != (int) it->valuedouble) {
                deals_field(&fields, k, "an integer from 0 to 12");
            }
        } else if (strcmp(k, "sold_on_won") == 0) {
            if (!cJSON_IsBool(it)) {
                deals_field(&fields, k, "true or false");
            }
        } else if (strcmp(k, "next_number") == 0) {
            if (!cJSON_IsNumber(it) || it->valuedouble < 1 || it->valuedouble > 9e15
                || it->valuedouble != (double) (int64_t) it->valuedouble) {
                deals_field(&fields, k, "a whole number, 1 or more");
            }
        } else {
            deals_field(&fields, k, "unknown field");
        }
    }
    if (fields != NULL) {
        *fieldsp = fields;
        return TS_DECLINED;
    }
    if (ts_db_begin(r) != TS_OK) {
        return TS_ERROR;
    }
    ts_db_result_t *cur = settings_row(r);
    if (cur == NULL || ts_db_exec(r, "INSERT IGNORE INTO deal_settings (tenant_id) VALUES ({tenant})",
                                  "") != TS_OK) {
        ts_db_rollback(r);
        return TS_ERROR;
    }
    const cJSON *next = cJSON_GetObjectItemCaseSensitive(j, "next_number");
    /* Numbers are never given twice: the next one may only move forward. */
    if (next != NULL && (int64_t) next->valuedouble < ts_db_get_int(cur, 0, "next_number")) {
        ts_db_rollback(r);
        deals_field(&fields, "next_number", ts_psprintf(r->pool, "must be %lld or more",
                    (long long) ts_db_get_int(cur, 0, "next_number")));
        *fieldsp = fields;
        return TS_DECLINED;
    }
    const cJSON *pre = cJSON_GetObjectItemCaseSensitive(j, "ref_prefix");
    const cJSON *suf = cJSON_GetObjectItemCaseSensitive(j, "ref_suffix");
    const cJSON *pad = cJSON_GetObjectItemCaseSensitive(j, "ref_padding");
    const cJSON *sow = cJSON_GetObjectItemCaseSensitive(j, "sold_on_won");
    int rc = ts_db_exec(r, "UPDATE deal_settings SET ref_prefix = COALESCE(?, ref_prefix),"
                           " ref_suffix = COALESCE(?, ref_suffix), ref_padding = COALESCE(?, ref_padding),"
                           " sold_on_won = COALESCE(?, sold_on_won), last_seq = COALESCE(? - 1, last_seq)"
                           " WHERE tenant_id = {tenant}", "sssss",
                        cJSON_GetStringValue(pre), cJSON_GetStringValue(suf),
                        pad ? ts_psprintf(r->pool, "%d", (int) pad->valuedouble) : NULL,
                        sow ? (cJSON_IsTrue(sow) ? "1" : "0") : NULL,
                        next ? ts_psprintf(r->pool, "%.0f", next->valuedouble) : NULL);
    if (rc != TS_OK || ts_audit(r, "deal_settings", 0, "update", j) != TS_OK
        || ts_db_commit(r) != TS_OK) {
        ts_db_rollback(r);
        return TS_ERROR;
    }
    return TS_OK;
}

int
deals_settings_patch(ts_request_t *r)
{
    const cJSON *j = ts_req_json(r);
    if (!cJSON_IsObject(j)) {
        return ts_resp_error(r, 400, "bad_body", "a JSON object is expected", NULL);
    }
    cJSON *fields = NULL;
    int rc = deals_settings_apply(r, j, &fields);
    if (rc == TS_DECLINED) {
        return deals_invalid(r, fields);
    }
    return rc == TS_OK ? settings_answer(r) : TS_ERROR;
}

/* GET /api/v1/deals/board: a pipeline's columns with counts, sums and the
 * newest cards of each stage. */
#include <stdlib.h>
#include <string.h>
#include "deals.h"

static int
bad(ts_request_t *r, const char *field, const char *msg)
{
    cJSON *f = NULL;
    deals_field(&f, field, msg);
    return deals_invalid(r, f);
}

/* The board's JSON: agent NULL for everyone's deals, limit cards per column. */
cJSON *
deals_board_json(ts_request_t *r, const deals_pipeline_t *p, const char *agent, long limit)
{
    ts_db_result_t *agg = ts_db_query(r,
        "SELECT stage, COUNT(*) AS n, CAST(SUM(value) AS SIGNED) AS total,"
        " CAST(SUM(value * probability) / 100 AS SIGNED) AS weighted"
        " FROM deals FORCE INDEX (deals_totals)"   /* covering: no row reads */
        " WHERE tenant_id = {tenant} AND pipeline = ? AND deleted_at IS NULL"
        " AND (? IS NULL OR agent_id = ?) GROUP BY stage", "sss", p->code, agent, agent);
    if (agg == NULL) {
        return NULL;
    }
    cJSON *data = cJSON_CreateObject();
    cJSON_AddStringToObject(data, "pipeline", p->code);
    cJSON *cols = cJSON_AddArrayToObject(data, "columns");
    for (int s = 0; s < p->nstages; s++) {
        const deals_stage_t *st = &p->stages[s];
        cJSON *col = cJSON_CreateObject();
        cJSON_AddItemToArray(cols, col);
        cJSON_AddStringToObject(col, "stage", st->code);
        cJSON_AddStringToObject(col, "label", st->label);
        cJSON_AddNumberToObject(col, "probability", st->probability);
        cJSON_AddBoolToObject(col, "closed", deals_stage_closed(st->code));
        double n = 0, total = 0, weighted = 0;
        for (size_t i = 0; i < ts_db_rows(agg); i++) {
            if (strcmp(ts_db_get(agg, i, "stage"), st->code) == 0) {
                n = (double) ts_db_get_int(agg, i, "n");
                total = (double) ts_db_get_int(agg, i, "total");
                weighted = (double) ts_db_get_int(agg, i, "weighted");
            }
        }
        cJSON_AddNumberToObject(col, "count", n);
        cJSON_AddNumberToObject(col, "value", total);
        cJSON_AddNumberToObject(col, "weighted_value", weighted);
        cJSON *cards = cJSON_AddArrayToObject(col, "cards");
        if (n == 0 || limit == 0) {
            continue;
        }
        ts_db_result_t *res = ts_db_query(r,
            "SELECT " DEALS_CARD_COLUMNS DEALS_ROW_JOIN
            " WHERE d.tenant_id = {tenant} AND d.pipeline = ? AND d.deleted_at IS NULL"
            " AND d.stage = ? AND (? IS NULL OR d.agent_id = ?)"
            " ORDER BY d.stage_changed_at DESC, d.id DESC LIMIT ?", "ssssi",
            p->code, st->code, agent, agent, (int64_t) limit);
        if (res == NULL) {
            cJSON_Delete(data);
            return NULL;
        }
        for (size_t i = 0; i < ts_db_rows(res); i++) {
            cJSON_AddItemToArray(cards, deals_row_json(r, res, i));
        }
    }
    return data;
}

int
deals_board(ts_request_t *r)
{
    const deals_pipeline_t *p = deals_pipeline(ts_req_query(r, "pipeline"));
    if (p == NULL) {
        return bad(r, "pipeline", "buyer or owner");
    }
    const char *agent = ts_req_query(r, "agent");
    if (agent != NULL && strcmp(agent, "me") == 0) {
        agent = ts_psprintf(r->pool, "%lld", (long long) r->user->id);
    } else if (agent != NULL && *agent == '\0') {
        agent = NULL;
    }
    if (agent != NULL && (strspn(agent, "0123456789") != strlen(agent) || strlen(agent) > 18)) {
        return bad(r, "agent", "a user id or me");
    }
    const char *ls = ts_req_query(r, "limit");
    long limit = ls == NULL ? 50 : strspn(ls, "0123456789") == strlen(ls) && strlen(ls) <= 3
                 ? strtol(ls, NULL, 10) : -1;
    if (limit < 0 || limit > 200) {
        return bad(r, "limit", "cards per column, 0 to 200");
    }
    cJSON *data = deals_board_json(r, p, agent, limit);
    return data ? ts_resp_data(r, 200, data) : TS_ERROR;
}

/* GET /api/v1/deals/funnel: the team's funnel for managers: deals per stage,
 * conversion from each stage to the next, median days in stage, won value
 * per month, leads by source. */
#include <stdlib.h>
#include <string.h>
#include "deals.h"

/* The pipeline's open stages as bound values for FIELD(); unused slots are
 * "" and match nothing. */
#define MAX_OPEN 8

cJSON *
deals_funnel_json(ts_request_t *r, const deals_pipeline_t *p)
{
    const char *s[MAX_OPEN];
    int nopen = 0;
    for (int i = 0; i < p->nstages && nopen < MAX_OPEN; i++) {
        if (strcmp(p->stages[i].code, "lost") != 0) {
            s[nopen++] = p->stages[i].code;
        }
    }
    for (int i = nopen; i < MAX_OPEN; i++) {
        s[i] = "";
    }
    /* How far each deal got: the furthest stage it ever entered (Lost aside). */
    ts_db_result_t *reach = ts_db_query(r,
        "SELECT m, COUNT(*) AS n FROM (SELECT MAX(FIELD(h.to_stage, ?, ?, ?, ?, ?, ?, ?, ?)) AS m"
        " FROM deal_stage_history h JOIN deals d ON d.tenant_id = h.tenant_id AND d.id = h.deal_id"
        " AND d.deleted_at IS NULL WHERE h.tenant_id = {tenant} AND h.pipeline = ?"
        " AND h.to_stage <> 'lost' GROUP BY h.deal_id) x GROUP BY m", "sssssssss",
        s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], p->code);
    ts_db_result_t *now = ts_db_query(r,
        "SELECT stage, COUNT(*) AS n,"  /* the value in the main currency only, never mixed */
        " CAST(SUM(CASE WHEN currency = ? THEN value ELSE 0 END) AS SIGNED) AS value FROM deals"
        " WHERE tenant_id = {tenant} AND pipeline = ? AND deleted_at IS NULL GROUP BY stage",
        "ss", DEALS_MAIN_CURRENCY, p->code);
    /* Days in a stage: until the deal's next move, or until now while it stays. */
    ts_db_result_t *days = ts_db_query(r,
        "SELECT DISTINCT stage, MEDIAN(days) OVER (PARTITION BY stage) AS median_days FROM"
        " (SELECT h.to_stage AS stage, TIMESTAMPDIFF(SECOND, h.created_at,"
        "  COALESCE(LEAD(h.created_at) OVER (PARTITION BY h.deal_id ORDER BY h.id),"
        "  UTC_TIMESTAMP(6))) / 86400 AS days FROM deal_stage_history h"
        "  JOIN deals d ON d.tenant_id = h.tenant_id AND d.id = h.deal_id AND d.deleted_at IS NULL"
        "  WHERE h.tenant_id = {tenant} AND h.pipeline = ?) x"
        " WHERE stage NOT IN ('won', 'lost')", "s", p->code);
    ts_db_result_t *won = ts_db_query(r,
        "SELECT DATE_FORMAT(closed_at, '%Y-%m') AS month, currency, COUNT(*) AS deals,"
        " CAST(SUM(value) AS SIGNED) AS value FROM deals WHERE tenant_id = {tenant}"
        " AND pipeline = ? AND stage = 'won' AND deleted_at IS NULL"
        " AND closed_at >= UTC_TIMESTAMP() - INTERVAL 12 MONTH GROUP BY month, currency"
        " ORDER BY month, currency",
        "s", p->code);
    ts_db_result_t *src = ts_db_query(r,
        "SELECT COALESCE(source, 'unknown') AS source, COUNT(*) AS leads FROM contacts"
        " WHERE tenant_id = {tenant} AND deleted_at IS NULL"
        " AND (kind = 'lead' OR converted_at IS NOT NULL) GROUP BY source ORDER BY leads DESC", "");
    if (reach == NULL || now == NULL || days == NULL || won == NULL || src == NULL) {
        return NULL;
    }
    double reached[MAX_OPEN + 1] = { 0 };
    for (size_t i = 0; i < ts_db_rows(reach); i++) {
        int64_t m = ts_db_get_int(reach, i, "m");
        for (int k = 1; k <= m && k <= nopen; k++) {
            reached[k - 1] += (double) ts_db_get_int(reach, i, "n");
        }
    }
    cJSON *data = cJSON_CreateObject();
    cJSON_AddStringToObject(data, "pipeline", p->code);
    cJSON *stages = cJSON_AddArrayToObject(data, "stages");
    int open_i = 0;
    for (int i = 0; i < p->nstages; i++) {
        const deals_stage_t *st = &p->stages[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(stages, o);
        cJSON_AddStringToObject(o, "stage", st->code);
        cJSON_AddStringToObject(o, "label", deals_label(r, st->code));
        double n = 0, value = 0;
        for (size_t k = 0; k < ts_db_rows(now); k++) {
            if (strcmp(ts_db_get(now, k, "stage"), st->code) == 0) {
                n = (double) ts_db_get_int(now, k, "n");
                value = (double) ts_db_get_int(now, k, "value");
            }
        }
        cJSON_AddNumberToObject(o, "deals", n);
        cJSON_AddNumberToObject(o, "value", value);
        bool is_lost = strcmp(st->code, "lost") == 0;
        if (is_lost) {
            cJSON_AddNullToObject(o, "reached");
        } else {
            cJSON_AddNumberToObject(o, "reached", reached[open_i]);
        }
        /* Of the deals that reached this stage, the share that reached the next. */
        if (!is_lost && open_i + 1 < nopen && reached[open_i] > 0) {
            cJSON_AddNumberToObject(o, "conversion",
                                    (double) (int) (1000 * reached[open_i + 1] / reached[open_i]) / 1000);
        } else {
            cJSON_AddNullToObject(o, "conversion");
        }
        cJSON *median = NULL;
        for (size_t k = 0; k < ts_db_rows(days); k++) {
            if (strcmp(ts_db_get(days, k, "stage"), st->code) == 0 && ts_db_get(days, k, "median_days")) {
                double d = strtod(ts_db_get(days, k, "median_days"), NULL);
                median = cJSON_CreateNumber((double) (int) (d * 10 + 0.5) / 10);
            }
        }
        cJSON_AddItemToObject(o, "median_days", median ? median : cJSON_CreateNull());
        open_i += !is_lost;
    }
    cJSON_AddItemToObject(data, "won_by_month", ts_db_rows_json(r, won));
    cJSON_AddItemToObject(data, "leads_by_source", ts_db_rows_json(r, src));
    return data;
}

int
deals_funnel(ts_request_t *r)
{
    const deals_pipeline_t *p = deals_pipeline(ts_req_query(r, "pipeline"));
    if (p == NULL) {
        cJSON *f = NULL;
        deals_field(&f, "pipeline", "buyer or owner");
        return deals_invalid(r, f);
    }
    cJSON *data = deals_funnel_json(r, p);
    return data ? ts_resp_data(r, 200, data) : TS_ERROR;
}

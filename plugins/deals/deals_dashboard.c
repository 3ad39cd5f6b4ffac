/* /deals/dashboard: the agent's day (tasks due and overdue, hot leads, new
 * matches, open deals by stage) and, for managers, the team's funnel. */
#include <string.h>
#include "deals_ui.h"

static long long
count_of(ts_db_result_t *res)
{
    return res && ts_db_rows(res) > 0 ? (long long) ts_db_get_int(res, 0, "n") : 0;
}

static void
funnel_section(ts_request_t *r, ts_tpl_dict_t *d, const char *code)
{
    const deals_pipeline_t *p = deals_pipeline(code);
    cJSON *f = deals_funnel_json(r, p);
    if (f == NULL) {
        return;
    }
    ts_tpl_dict_t *s = ts_tpl_section(d, "FUNNEL");
    ts_tpl_set(s, "FUNNEL_PIPELINE", code);
    ts_tpl_set(s, "FUNNEL_LABEL", strcmp(code, "buyer") == 0 ? "Buyer pipeline" : "Owner pipeline");
    const cJSON *st;
    cJSON_ArrayForEach(st, cJSON_GetObjectItemCaseSensitive(f, "stages")) {
        ts_tpl_dict_t *row = ts_tpl_section(s, "FSTAGE");
        deals_tpl_json(row, "F_LABEL", st, "label");
        deals_tpl_json(row, "F_STAGE", st, "stage");
        deals_tpl_json(row, "F_DEALS", st, "deals");
        deals_tpl_json(row, "F_REACHED", st, "reached");
        deals_tpl_json(row, "F_MEDIAN", st, "median_days");
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(st, "conversion");
        ts_tpl_set(row, "F_CONVERSION", cJSON_IsNumber(c)
                   ? ts_psprintf(r->pool, "%.0f%%", c->valuedouble * 100) : "—");
    }
    cJSON_Delete(f);
}

int
deals_page_dashboard(ts_request_t *r)
{
    int64_t me = r->user->id;
    ts_db_result_t *today = ts_db_query(r,
        "SELECT COUNT(*) AS n FROM activities WHERE tenant_id = {tenant} AND kind = 'task'"
        " AND assigned_to = ? AND done_at IS NULL AND deleted_at IS NULL"
        " AND due_at >= UTC_DATE() AND due_at < UTC_DATE() + INTERVAL 1 DAY", "i", me);
    ts_db_result_t *overdue = ts_db_query(r,
        "SELECT COUNT(*) AS n FROM activities WHERE tenant_id = {tenant} AND kind = 'task'"
        " AND assigned_to = ? AND done_at IS NULL AND deleted_at IS NULL AND due_at < UTC_DATE()",
        "i", me);
    ts_db_result_t *hot = ts_db_query(r,
        "SELECT id, TRIM(CONCAT(first_name, ' ', last_name)) AS name, score FROM contacts"
        " WHERE tenant_id = {tenant} AND kind = 'lead' AND agent_id = ? AND deleted_at IS NULL"
        " AND (stage = 'hot' OR score >= 80) ORDER BY score DESC, id DESC LIMIT 10", "i", me);
    ts_db_result_t *matches = ts_db_query(r,
        "SELECT COUNT(*) AS n FROM property_match_feed WHERE tenant_id = {tenant} AND agent_id = ?"
        " AND seen_at IS NULL", "i", me);
    ts_db_result_t *open = ts_db_query(r,
        "SELECT pipeline, stage, currency, COUNT(*) AS n, CAST(SUM(value) AS SIGNED) AS value"
        " FROM deals WHERE tenant_id = {tenant} AND agent_id = ? AND deleted_at IS NULL"
        " AND closed_at IS NULL GROUP BY pipeline, stage, currency ORDER BY currency", "i", me);
    if (today == NULL || overdue == NULL || hot == NULL || matches == NULL || open == NULL) {
        return TS_ERROR;
    }
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    ts_tpl_set(d, "TITLE", "My deals dashboard");
    ts_tpl_set_int(d, "TASKS_TODAY", count_of(today));
    ts_tpl_set_int(d, "TASKS_OVERDUE", count_of(overdue));
    ts_tpl_set_int(d, "HOT_LEADS", (long long) ts_db_rows(hot));
    ts_tpl_set_int(d, "NEW_MATCHES", count_of(matches));
    if (count_of(overdue) > 0) {
        ts_tpl_show(d, "OVERDUE_WARN");
    }
    for (size_t i = 0; i < ts_db_rows(hot); i++) {
        ts_tpl_dict_t *h = ts_tpl_section(d, "HOT");
        ts_tpl_set(h, "LEAD_ID", ts_db_get(hot, i, "id"));
        ts_tpl_set(h, "LEAD_NAME", ts_db_get(hot, i, "name"));
        ts_tpl_set(h, "LEAD_SCORE", ts_db_get(hot, i, "score") ? ts_db_get(hot, i, "score") : "—");
    }
    static const char *pipes[] = { "buyer", "owner" };
    long long open_total = 0;
    for (size_t k = 0; k < 2; k++) {
        const deals_pipeline_t *p = deals_pipeline(pipes[k]);
        for (int s = 0; s < p->nstages; s++) {
            if (deals_stage_closed(p->stages[s].code)) {
                continue;
            }
            /* One sum per currency, side by side: EUR and GBP are never added. */
            long long n = 0;
            const char *sums = NULL;
            for (size_t i = 0; i < ts_db_rows(open); i++) {
                if (strcmp(ts_db_get(open, i, "pipeline"), p->code) == 0
                    && strcmp(ts_db_get(open, i, "stage"), p->stages[s].code) == 0) {
                    n += (long long) ts_db_get_int(open, i, "n");
                    const char *m = deals_money(r, (double) ts_db_get_int(open, i, "value"),
                                                ts_db_get(open, i, "currency"));
                    sums = sums ? ts_psprintf(r->pool, "%s · %s", sums, m) : m;
                }
            }
            ts_tpl_dict_t *row = ts_tpl_section(d, "OPEN");
            ts_tpl_set(row, "O_PIPELINE", p->code);
            ts_tpl_set(row, "O_STAGE", p->stages[s].code);
            ts_tpl_set(row, "O_LABEL", deals_label(r, p->stages[s].code));
            ts_tpl_set_int(row, "O_COUNT", n);
            ts_tpl_set(row, "O_VALUE", sums ? sums : deals_money(r, 0, DEALS_MAIN_CURRENCY));
            open_total += n;
        }
    }
    ts_tpl_set_int(d, "OPEN_TOTAL", open_total);
    if (r->user->role >= TS_ROLE_MANAGER) {
        ts_tpl_show(d, "MANAGER");
        funnel_section(r, d, "buyer");
        funnel_section(r, d, "owner");
    }
    return ts_resp_page(r, 200, "deals_dashboard.tpl", d);
}

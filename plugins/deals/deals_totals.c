/* deal_stage_totals, the board's counts and sums: triggers keep them (see
 * schema/003_stage_totals.sql, 004_currency_totals.sql); this recomputes a
 * tenant's from its deals, for `tesoro deals totals-rebuild` after a repair
 * by hand. */
#include <stdio.h>
#include "deals.h"

int
deals_totals_rebuild(ts_request_t *r)
{
    /* The deals' rows are read with shared locks (INSERT ... SELECT), so a
     * write racing the rebuild waits for it and then adjusts the new rows. */
    if (ts_db_begin(r) != TS_OK) {
        return TS_ERROR;
    }
    if (ts_db_exec(r, "DELETE FROM deal_stage_totals WHERE tenant_id = {tenant}", "") != TS_OK
        || ts_db_exec(r,
            "INSERT INTO deal_stage_totals (tenant_id, pipeline, stage, agent_key, currency,"
            " n, total, weighted) SELECT tenant_id, pipeline, stage, IFNULL(agent_id, 0), currency,"
            " COUNT(*),"
            " SUM(value), SUM(CAST(value AS DECIMAL(38,0)) * probability) FROM deals"
            " WHERE tenant_id = {tenant} AND deleted_at IS NULL"
            " GROUP BY tenant_id, pipeline, stage, IFNULL(agent_id, 0), currency", "") != TS_OK) {
        ts_db_rollback(r);
        return TS_ERROR;
    }
    return ts_db_commit(r);
}

static int
totals_cli(ts_request_t *r, int argc, char **argv, int json)
{
    (void) argc;
    (void) argv;
    if (r->tenant == NULL) {
        fprintf(stderr, "tesoro: deals totals-rebuild --tenant SLUG\n");
        return 1;
    }
    if (deals_totals_rebuild(r) != TS_OK) {
        fprintf(stderr, "tesoro: cannot rebuild the deal totals (database error)\n");
        return 1;
    }
    printf(json ? "{\"rebuilt\": true, \"tenant\": \"%s\"}\n" : "deal totals rebuilt for %s\n",
           r->tenant->slug);
    return 0;
}

int
deals_totals_init(ts_plugin_ctx_t *ctx)
{
    return ts_cli_register(ctx, "deals totals-rebuild", "deals totals-rebuild --tenant SLUG"
                           "   recompute the board's counts and sums from the deals", totals_cli);
}

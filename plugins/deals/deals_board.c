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

/* One column's newest cards: a range read of deals_board, which holds the
 * pipeline, the stage, the card order, the agent and the card's fields, so
 * it stops after LIMIT index entries and reads no row (schema/007). */
#define CARDS_BRANCH \
    "(SELECT d.id, d.ref, d.name, d.stage, d.value, d.currency, d.stage_changed_at" \
    " FROM deals d FORCE INDEX (deals_board)" \
    " WHERE d.tenant_id = {tenant} AND d.pipeline = ? AND d.deleted_at IS NULL AND d.stage = ?" \
    " AND (? IS NULL OR d.agent_id = ?) ORDER BY d.stage_changed_at DESC, d.id DESC LIMIT ?)"
#define CARDS_MAX_STAGES 9
#define U3(x) x " UNION ALL " x " UNION ALL " x
/* Every column's cards in one statement: one branch per stage (a pipeline
 * with fewer stages binds NULL to the rest, which read nothing), then the
 * main contact's name (one unique-key read each). A card carries what the
 * board shows of it: the column gives its stage. */
static const char cards_sql[] =
    "SELECT b.id, b.ref, b.name, b.stage, b.value, b.currency,"
    " TRIM(CONCAT(c.first_name, ' ', c.last_name)) AS main_contact_name"
    " FROM (" U3(U3(CARDS_BRANCH)) ") b"
    " LEFT JOIN deal_contacts dc ON dc.tenant_id = {tenant} AND dc.main_of = b.id"
    " LEFT JOIN contacts c ON c.tenant_id = {tenant} AND c.id = dc.contact_id"
    " ORDER BY b.stage, b.stage_changed_at DESC, b.id DESC";
#define B5 "ssssi"
#define CARDS_TYPES B5 B5 B5 B5 B5 B5 B5 B5 B5

static ts_db_result_t *
board_cards(ts_request_t *r, const deals_pipeline_t *p, const char *agent, long limit)
{
    const char *st[CARDS_MAX_STAGES] = { NULL };
    for (int s = 0; s < p->nstages && s < CARDS_MAX_STAGES; s++) {
        st[s] = p->stages[s].code;
    }
    const char *pl = p->code;
    int64_t n = (int64_t) limit;
#define BA(k) pl, st[k], agent, agent, n
    return ts_db_query(r, cards_sql, CARDS_TYPES, BA(0), BA(1), BA(2), BA(3), BA(4), BA(5),
                       BA(6), BA(7), BA(8));
#undef BA
}

/* A BIGINT column's digits as a JSON number, printed as they are: cJSON
 * (1.7.15) prints every number with "%1.15g" and reads it back with sscanf
 * to check it, a few microseconds each, and a board has 900 of them. The
 * pages read such a number back with deals_json_number(). */
static void
add_digits(cJSON *o, const char *name, const char *digits)
{
    const char *d = digits != NULL && digits[0] == '-' ? digits + 1 : digits;
    size_t n = d ? strlen(d) : 0;
    bool ok = n > 0 && n <= 19 && strspn(d, "0123456789") == n;
    cJSON_AddItemToObject(o, name, ok ? cJSON_CreateRaw(digits) : cJSON_CreateNull());
}

static cJSON *
card_json(const ts_db_result_t *res, size_t i)
{
    cJSON *o = cJSON_CreateObject();
    const char *contact = ts_db_get(res, i, "main_contact_name");
    add_digits(o, "id", ts_db_get(res, i, "id"));
    cJSON_AddStringToObject(o, "ref", ts_db_get(res, i, "ref"));
    cJSON_AddStringToObject(o, "name", ts_db_get(res, i, "name"));
    add_digits(o, "value", ts_db_get(res, i, "value"));
    cJSON_AddStringToObject(o, "currency", ts_db_get(res, i, "currency"));
    cJSON_AddItemToObject(o, "main_contact_name", contact ? cJSON_CreateString(contact)
                                                          : cJSON_CreateNull());
    return o;
}

/* The board's JSON: agent NULL for everyone's deals, limit cards per column.
 * Counts and sums come from deal_stage_totals (kept by triggers), a few rows
 * per stage, not a scan of the pipeline's deals. */
cJSON *
deals_board_json(ts_request_t *r, const deals_pipeline_t *p, const char *agent, long limit)
{
    ts_db_result_t *agg = ts_db_query(r,
        "SELECT stage, currency, CAST(SUM(n) AS SIGNED) AS n, CAST(SUM(total) AS SIGNED) AS total,"
        " CAST(SUM(weighted) / 100 AS SIGNED) AS weighted FROM deal_stage_totals"
        " WHERE tenant_id = {tenant} AND pipeline = ? AND (? IS NULL OR agent_key = ?)"
        " GROUP BY stage, currency HAVING SUM(n) <> 0 ORDER BY stage, currency", "sss", p->code, agent, agent);
    ts_db_result_t *cards = agg && limit > 0 ? board_cards(r, p, agent, limit) : NULL;
    if (agg == NULL || (limit > 0 && cards == NULL)) {
        return NULL;
    }
    /* Each card's column, found once. */
    size_t ncards = ts_db_rows(cards);
    int *column_of = ts_palloc(r->pool, sizeof(int) * (ncards + 1));
    for (size_t i = 0; i < ncards; i++) {
        column_of[i] = deals_stage_index(p, ts_db_get(cards, i, "stage"));
    }
    cJSON *data = cJSON_CreateObject();
    cJSON_AddStringToObject(data, "pipeline", p->code);
    cJSON_AddStringToObject(data, "currency", DEALS_MAIN_CURRENCY);
    cJSON *cols = cJSON_AddArrayToObject(data, "columns");
    for (int s = 0; s < p->nstages; s++) {
        const deals_stage_t *st = &p->stages[s];
        cJSON *col = cJSON_CreateObject();
        cJSON_AddItemToArray(cols, col);
        cJSON_AddStringToObject(col, "stage", st->code);
        cJSON_AddStringToObject(col, "label", deals_label(r, st->code));
        cJSON_AddNumberToObject(col, "probability", st->probability);
        cJSON_AddBoolToObject(col, "closed", deals_stage_closed(st->code));
        /* One sum per currency; value and weighted_value stay those of the
         * main currency, so no figure ever adds EUR to GBP. */
        double n = 0, total = 0, weighted = 0;
        cJSON *sums = cJSON_CreateArray();
        for (size_t i = 0; i < ts_db_rows(agg); i++) {
            if (strcmp(ts_db_get(agg, i, "stage"), st->code) != 0) {
                continue;
            }
            const char *cur = ts_db_get(agg, i, "currency");
            double cn = (double) ts_db_get_int(agg, i, "n");
            double cv = (double) ts_db_get_int(agg, i, "total");
            double cw = (double) ts_db_get_int(agg, i, "weighted");
            n += cn;
            if (strcmp(cur, DEALS_MAIN_CURRENCY) == 0) {
                total = cv;
                weighted = cw;
            }
            cJSON *one = cJSON_CreateObject();
            cJSON_AddStringToObject(one, "currency", cur);
            cJSON_AddNumberToObject(one, "count", cn);
            cJSON_AddNumberToObject(one, "value", cv);
            cJSON_AddNumberToObject(one, "weighted_value", cw);
            cJSON_AddItemToArray(sums, one);
        }
        cJSON_AddNumberToObject(col, "count", n);
        cJSON_AddNumberToObject(col, "value", total);
        cJSON_AddNumberToObject(col, "weighted_value", weighted);
        cJSON_AddItemToObject(col, "sums", sums);
        cJSON *list = cJSON_AddArrayToObject(col, "cards");
        for (size_t i = 0; i < ncards; i++) {
            if (column_of[i] == s) {
                cJSON_AddItemToArray(list, card_json(cards, i));
            }
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

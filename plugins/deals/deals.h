/* The deals plugin's internal declarations: pipelines and stages, the shared
 * record helpers, and the handlers each file registers. */
#ifndef DEALS_H
#define DEALS_H

#include <stdbool.h>
#include <tesoro/plugin.h>

/* The deals' default currency (schema), the one the board's plain value sums. */
#define DEALS_MAIN_CURRENCY "EUR"

typedef struct {
    const char *code;          /* the API's stage code */
    const char *label;         /* English; deals_label() gives the request's */
    int         probability;   /* the default when a deal enters the stage */
} deals_stage_t;

typedef struct {
    const char          *code;     /* "buyer" or "owner" */
    const deals_stage_t *stages;
    int                  nstages;
} deals_pipeline_t;

/* Pipelines and stages (deals_stages.c). */
const deals_pipeline_t *deals_pipeline(const char *code);
const deals_pipeline_t *deals_pipeline_of_type(const char *type);
const deals_stage_t *deals_stage(const deals_pipeline_t *p, const char *code);
int  deals_stage_index(const deals_pipeline_t *p, const char *code);
bool deals_stage_closed(const char *code);
bool deals_type_valid(const char *type);
const char *deals_stage_codes(ts_request_t *r, const deals_pipeline_t *p);

/* Stage labels in en, es, nl, de or fr, by the request's Accept-Language
 * (deals_i18n.c); the API keeps the codes and adds the label beside them. */
const char *deals_lang(ts_request_t *r);
const char *deals_label(ts_request_t *r, const char *stage);

/* Errors with fields (deals_store.c). */
void deals_field(cJSON **fields, const char *name, const char *msg);
int  deals_invalid(ts_request_t *r, cJSON *fields);
int  deals_forbidden(ts_request_t *r, const char *message);

/* Records (deals_store.c). */
typedef struct {
    int64_t     id;
    const char *type;
    const char *pipeline;
    const char *stage;
    int64_t     agent_id;       /* 0 when unassigned */
    bool        closed;
} deals_head_t;

int   deals_load_head(ts_request_t *r, int64_t id, bool lock, deals_head_t *out);
bool  deals_may_edit(ts_request_t *r, const deals_head_t *d);
cJSON *deals_json(ts_request_t *r, int64_t id);
int   deals_show_id(ts_request_t *r, int status, int64_t id);

/* A stage move inside the caller's transaction: checks the pipeline, the
 * lost reason and reopening, records the history and queues the event. On a
 * refusal it fills *fields (prefixing names with prefix) and returns
 * TS_DECLINED. */
int deals_move(ts_request_t *r, const deals_head_t *d, const char *to, const char *lost_reason,
               bool reopen, const int *probability, const char *prefix, cJSON **fields);
int deals_history_add(ts_request_t *r, int64_t deal_id, const char *pipeline, const char *from,
                      const char *to, const char *lost_reason);

/* Tags of a deal inside the caller's transaction. */
int deals_tags_check(const cJSON *tags, const char *name, cJSON **fields);
int deals_tags_apply(ts_request_t *r, int64_t id, const cJSON *tags, bool add);

/* Create and change from JSON (the API's body, or a page's form made JSON):
 * TS_OK, TS_DECLINED with *fields, 403, 404 or TS_ERROR; deals_answer turns
 * that into the API's answer. */
int deals_from_lead(ts_request_t *r, const cJSON *j, const cJSON **out, cJSON **fields);
int deals_create_json(ts_request_t *r, const cJSON *j, int64_t *id, cJSON **fields);
int deals_patch_json(ts_request_t *r, int64_t id, const cJSON *j, cJSON **fields);
int deals_answer(ts_request_t *r, int rc, cJSON *fields, int ok_status, int64_t id);

/* Batch stage, agent and tags in one transaction (deals_batch.c): TS_OK,
 * TS_DECLINED with *fields, 403 with *denied, or TS_ERROR. */
int deals_batch_apply(ts_request_t *r, const cJSON *j, cJSON **fields, const char **denied);

/* The tenant's deal settings (deals_settings.c): as JSON (NULL on a database
 * error), and PATCH's checks and change: TS_OK, TS_DECLINED with *fields or
 * TS_ERROR. */
cJSON *deals_settings_json(ts_request_t *r);
int deals_settings_apply(ts_request_t *r, const cJSON *j, cJSON **fields);

/* The board's totals (deals_totals.c). */
int deals_totals_rebuild(ts_request_t *r);
int deals_totals_init(ts_plugin_ctx_t *ctx);

cJSON *deals_board_json(ts_request_t *r, const deals_pipeline_t *p, const char *agent, long limit);

cJSON *deals_funnel_json(ts_request_t *r, const deals_pipeline_t *p);

/* Handlers. */
int deals_list(ts_request_t *r);
int deals_show(ts_request_t *r);
int deals_create(ts_request_t *r);
int deals_patch(ts_request_t *r);
int deals_delete(ts_request_t *r);
int deals_board(ts_request_t *r);
int deals_batch(ts_request_t *r);
int deals_history(ts_request_t *r);
int deals_settings_show(ts_request_t *r);
int deals_settings_patch(ts_request_t *r);
int deals_funnel(ts_request_t *r);
int deals_matches(ts_request_t *r);
/* The matching properties of a buy or rent deal, at most limit (deals_matches.c): a JSON
 * list to delete, NULL on a database error. */
cJSON *deals_match_list(ts_request_t *r, const deals_head_t *d, long limit);
int deals_activities(ts_request_t *r);
int deals_activity_create(ts_request_t *r);

/* The list's filters, from the query and a saved view (deals_list.c); the
 * API and the list page share them. */
enum { DQ_PIPELINE, DQ_STAGE, DQ_TYPE, DQ_AGENT, DQ_CONTACT, DQ_PROPERTY, DQ_VALUE_MIN,
       DQ_VALUE_MAX, DQ_CLOSE_FROM, DQ_CLOSE_TO, DQ_STATUS, DQ_Q, DQ_TAG, DQ_N };
typedef struct {
    const char *v[DQ_N];        /* bound as text; NULL = no such filter */
    const char *raw[DQ_N];      /* as given, for the page's form */
    const char *sort;
    int         sort_index;
    long        limit;
    const char *cursor_value;   /* NULL on the first page */
    const char *cursor_id;
    int64_t     view_id;
} deals_query_t;

extern const char *const deals_filter_names[DQ_N];
int deals_query_parse(ts_request_t *r, deals_query_t *q, cJSON **fields);
/* The checks of deals_query_parse on filters and a sort given otherwise (a
 * view being saved): TS_OK or TS_DECLINED with *fields. */
int deals_query_check(ts_request_t *r, deals_query_t *q, cJSON **fields);
/* A saved view's filters and sort, for POST /api/v1/views (ts_view_check_fn_t). */
void deals_view_check(ts_request_t *r, const cJSON *filters, const char *sort, cJSON **fields);
ts_db_result_t *deals_query_rows(ts_request_t *r, const deals_query_t *q, long long *total,
                                 const char **next_cursor);

/* The columns of a list row or a board card, and their JSON. */
#define DEALS_ROW_COLUMNS \
    "d.id, d.ref, d.name, d.type, d.pipeline, d.stage, d.value, d.currency," \
    " d.expected_close_date, d.probability, d.agent_id, u.name AS agent_name, d.closed_at," \
    " d.stage_changed_at, d.created_at, d.updated_at," \
    " (SELECT dc.contact_id FROM deal_contacts dc WHERE dc.tenant_id = d.tenant_id" \
    "  AND dc.deal_id = d.id AND dc.kind = 'main') AS main_contact_id," \
    " (SELECT TRIM(CONCAT(c.first_name, ' ', c.last_name)) FROM deal_contacts dc" \
    "  JOIN contacts c ON c.tenant_id = dc.tenant_id AND c.id = dc.contact_id" \
    "  WHERE dc.tenant_id = d.tenant_id AND dc.deal_id = d.id AND dc.kind = 'main')" \
    "  AS main_contact_name," \
    " (SELECT GROUP_CONCAT(t.tag ORDER BY t.tag SEPARATOR '\\n') FROM tags t" \
    "  WHERE t.tenant_id = d.tenant_id AND t.entity = 'deal' AND t.entity_id = d.id) AS tags"
#define DEALS_ROW_JOIN \
    " FROM deals d LEFT JOIN users u ON u.tenant_id = d.tenant_id AND u.id = d.agent_id"
cJSON *deals_row_json(ts_request_t *r, const ts_db_result_t *res, size_t row);

#endif

/* Input of create and patch (deals_input.c). Checks that need no database
 * fill *fields; the link checks run inside the transaction. */
int deals_input_shape(ts_request_t *r, const cJSON *j, bool creating, cJSON **fields);
int deals_apply_scalars(ts_request_t *r, int64_t id, const cJSON *j);
int deals_check_agent(ts_request_t *r, const cJSON *j, cJSON **fields, bool *forbidden);
int deals_set_contacts(ts_request_t *r, int64_t id, const cJSON *list, cJSON **fields);
int deals_set_properties(ts_request_t *r, int64_t id, const cJSON *list, cJSON **fields);
int deals_set_preferences(ts_request_t *r, int64_t id, const cJSON *prefs);
int deals_copy_preferences(ts_request_t *r, int64_t id, const char *type, int64_t contact_id);
const char *deals_ustr(const cJSON *j, const char *name);
bool deals_valid_date(const char *s);

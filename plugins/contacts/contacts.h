/* The contacts plugin's internals shared by its files (and by the CSV import). */
#ifndef CONTACTS_H
#define CONTACTS_H

#include <stdbool.h>
#include <tesoro/plugin.h>

/* What a record is: a lead or a contact (one table, `kind`), or a relation. */
typedef enum { CONTACTS_LEAD = 1, CONTACTS_CONTACT = 2, CONTACTS_RELATION = 4 } contacts_kind_t;

/* "lead"/"leads" -> CONTACTS_LEAD, ...; 0 for anything else. */
contacts_kind_t contacts_kind_parse(const char *s);
/* The kind named by the request path's collection (/api/v1/leads/..., /leads/...). */
contacts_kind_t contacts_kind_of_path(const ts_request_t *r);
const char *contacts_kind_name(contacts_kind_t k);        /* "lead", "contact", "relation" */
const char *contacts_kind_plural(contacts_kind_t k);      /* "leads", ... (the URL part) */
/* The `entity` of tags, activities and the audit log: "contact" or "relation". */
const char *contacts_kind_entity(contacts_kind_t k);

/* Validates and saves one record from JSON exactly as the API does (call it
 * inside a transaction): 0 saved (*id_out set), 422 invalid (*fields_err set),
 * 404 no such visible record (update), TS_ERROR on a database error. */
int contacts_record_save(ts_request_t *r, const char *kind, const cJSON *in, int64_t id_or_0,
                         cJSON **fields_err, int64_t *id_out);

/* New records validated one by one exactly as contacts_record_save does and
 * written together (the CSV import): one INSERT per set of columns, one for
 * the tags, one for the addresses, one for the audit lines; an event per
 * record as the single save emits. The rows of `in` must live until the
 * flush. contacts_batch_add: 0 kept, 422 invalid (*fields_err set),
 * TS_DECLINED for a record with channels, roles, consents or persons (save
 * it with contacts_record_save), TS_ERROR when full or on a database error.
 * contacts_batch_flush (inside a transaction): TS_OK or TS_ERROR. */
typedef struct contacts_batch contacts_batch_t;
contacts_batch_t *contacts_batch_new(ts_request_t *r, const char *kind, int max);
int contacts_batch_add(contacts_batch_t *b, const cJSON *in, cJSON **fields_err);
int contacts_batch_count(const contacts_batch_t *b);
int contacts_batch_flush(contacts_batch_t *b);

/* Of `keys` (a JSON array of normalised emails and phones), those some
 * record of the kind's table holds (main email or phone, or an extra
 * channel; deleted records and visibility aside): column "k". A key not in
 * it has no duplicate; one in it needs contacts_duplicate_id. NULL on error. */
ts_db_result_t *contacts_duplicate_keys(ts_request_t *r, contacts_kind_t kind, const char *keys);

/* Other visible records whose normalised email or phone (also their extra
 * channels) matches: [{"id","kind","name","match","url"}]; NULL on error. */
cJSON *contacts_duplicates(ts_request_t *r, contacts_kind_t kind, const char *email,
                           const char *phone, int64_t exclude_id);
/* The first visible record matching email, else phone (main or extra
 * channels, indexed lookups); 0 if none, -1 on a database error. */
int64_t contacts_duplicate_id(ts_request_t *r, contacts_kind_t kind, const char *email,
                              const char *phone);

/* The full record as the API shows it; NULL when not found or not visible. */
cJSON *contacts_record_json(ts_request_t *r, contacts_kind_t kind, int64_t id);
/* After a save through the API (same transaction): custom values against the
 * tenant's field definitions; computed values stored. 0 (TS_OK), 422 with
 * *fields naming custom.KEY, or TS_ERROR. */
int contacts_custom_check(ts_request_t *r, contacts_kind_t kind, const cJSON *in, int64_t id,
                          cJSON **fields);
/* The record's row exists, is of that kind, not deleted and visible to the caller. */
bool contacts_record_visible(ts_request_t *r, contacts_kind_t kind, int64_t id);

/* Soft delete with its audit entry and event (inside a transaction): 0, 404 or TS_ERROR. */
int contacts_record_delete(ts_request_t *r, contacts_kind_t kind, int64_t id);
/* Appends to the consent log; with only_if_changed, TS_DECLINED when the state is the same. */
int contacts_consent_log(ts_request_t *r, int64_t contact_id, const char *purpose, bool granted,
                         const char *source, bool only_if_changed);

/* Agents see their own and unassigned records unless the tenant lets them see all. */
bool contacts_sees_all(ts_request_t *r);

/* ---- statements built from fixed fragments, every value bound as a string ---- */
#define CONTACTS_Q_MAX_ARGS 56
typedef struct {
    ts_pool_t  *pool;
    char       *sql;
    size_t      len, cap;
    const char *args[CONTACTS_Q_MAX_ARGS];
    int         nargs;
    bool        overflow;
} contacts_q_t;

void contacts_q_init(contacts_q_t *q, ts_pool_t *p, const char *sql);
void contacts_q_add(contacts_q_t *q, const char *fragment);     /* fixed SQL text */
/* A fixed fragment holding one '?' and its value. */
void contacts_q_bind(contacts_q_t *q, const char *fragment, const char *value);
void contacts_q_arg(contacts_q_t *q, const char *value);        /* the next '?' */
void contacts_q_argi(contacts_q_t *q, int64_t value);
void contacts_q_append(contacts_q_t *q, const contacts_q_t *part);   /* text and values */
ts_db_result_t *contacts_q_query(ts_request_t *r, contacts_q_t *q);
int contacts_q_exec(ts_request_t *r, contacts_q_t *q);

/* ---- lists: filters (query string, else the given JSON object, else the
 * saved view's), sort allow-list and cursor ---- */
typedef struct {
    cJSON       *view_filters;   /* the saved view's filters, or NULL */
    const char  *view_sort;
    const cJSON *filters;        /* filters given as JSON (batch, view checks), or NULL */
    bool         ignore_query;   /* only the JSON filters count */
} contacts_listctx_t;

/* A filter's value from the query string, the JSON filters or the saved view. */
const char *contacts_filter(ts_request_t *r, const contacts_listctx_t *lc, const char *name);
/* " AND ..." fragments for every filter present (the table alias is `c`);
 * 0, or 422 with *fields naming the bad filter (prefix + name). */
int contacts_list_where(ts_request_t *r, contacts_kind_t kind, const contacts_listctx_t *lc,
                        contacts_q_t *w, cJSON **fields, const char *prefix);
/* Loads ?view=ID (own or shared, of that list) into lc: 0, 404 or TS_ERROR. */
int contacts_view_load(ts_request_t *r, const char *list, contacts_listctx_t *lc);
/* Saves a view from JSON as POST /api/v1/views does: 0, 422 (*fields) or TS_ERROR. */
int contacts_view_create(ts_request_t *r, const cJSON *in, cJSON **fields, int64_t *id);
/* The answer to a failed contacts_view_load: 404 or TS_ERROR. */
int contacts_view_failed(ts_request_t *r, int rc);

typedef struct {
    ts_db_result_t *rows;
    size_t          n;           /* rows of this page */
    long long       total;
    const char     *next_cursor;
} contacts_page_t;

/* One page of the filtered, sorted list: 0, 422 (*fields set) or TS_ERROR.
 * with_total: also count every match. */
int contacts_list_page(ts_request_t *r, contacts_kind_t kind, const contacts_listctx_t *lc,
                       long limit, const char *cursor, bool with_total, contacts_page_t *out,
                       cJSON **fields);
/* One list row as JSON (tags as a list). */
cJSON *contacts_list_row_json(ts_request_t *r, const ts_db_result_t *res, size_t i);

/* Logs an activity from JSON as POST /api/v1/activities does (in a
 * transaction): 0, 422 (*fields), 404 (record not visible) or TS_ERROR. */
int contacts_activity_add(ts_request_t *r, const cJSON *in, cJSON **fields, int64_t *id_out);
/* A record's timeline, newest first: activities and audited changes. */
cJSON *contacts_timeline(ts_request_t *r, contacts_kind_t kind, int64_t id);
/* The caller's open tasks with bucket (overdue, today, upcoming) and record_name. */
ts_db_result_t *contacts_my_tasks(ts_request_t *r);
/* Adds a 'system' activity (conversion, merge, erasure) to a record's timeline. */
int contacts_system_activity(ts_request_t *r, const char *entity, int64_t id, const char *subject);
/* Fills the survivor's empty columns COLS (the caller's fixed list) from the other record. */
int contacts_merge_fill(ts_request_t *r, contacts_kind_t kind, const char *const cols[], int64_t survivor,
                        int64_t source);
/* The record of a merge: audit on both records, a line on the survivor's timeline
 * ("Merged NOUN #id into this one") and the event ENTITY.merged. */
int contacts_merge_recorded(ts_request_t *r, const char *entity, const char *noun, int64_t survivor,
                            int64_t source);
/* Every id the filters select (sorted by id), at most max; 0, 422 or TS_ERROR. */
int contacts_list_ids(ts_request_t *r, contacts_kind_t kind, const contacts_listctx_t *lc,
                      size_t max, int64_t **ids, size_t *n, cJSON **fields);

/* Lead -> contact, same id, with a role (NULL: from the lead's type): 0, 422 or TS_ERROR. */
int contacts_convert(ts_request_t *r, int64_t id, const char *role, cJSON **fields);
/* Moves source's activities, tags, roles, channels and links to survivor, fills
 * survivor's empty fields, soft-deletes source; audited. Inside a transaction. */
int contacts_merge(ts_request_t *r, int64_t survivor, int64_t source);
int contacts_merge_relation(ts_request_t *r, int64_t survivor, int64_t source);
/* action (assign, set_status, add_tag, remove_tag, delete) with in's agent_id,
 * status or tag on each visible id: 0 (*count set), 422 or TS_ERROR. */
int contacts_batch_apply(ts_request_t *r, contacts_kind_t kind, const char *action, const cJSON *in,
                         const int64_t *ids, size_t n, long long *count, cJSON **fields);

/* A CSV cell as exported: formula-looking text (= + - @ tab CR first) gets a leading '. */
const char *contacts_csv_cell(ts_pool_t *p, const char *v);
/* Anonymises a lead or contact, keeps its aggregates, records the erasure. In a transaction. */
int contacts_erase(ts_request_t *r, int64_t id);

/* ---- small helpers ---- */
/* "temperature" from "score": hot 80-100, warm 50-79, cold 0-49, null unscored (leads, contacts). */
void contacts_add_temperature(cJSON *o);
void contacts_field_error(cJSON **fields, const char *name, const char *msg);
int contacts_validation_error(ts_request_t *r, cJSON *fields);
char *contacts_i64(ts_pool_t *p, int64_t v);
/* The UTF-8 text is valid and holds no control characters but tab/newline. */
bool contacts_text_ok(const char *s, bool multiline);
const char *contacts_json_str(const cJSON *o, const char *key);

/* Registers h on /api/v1/<leads|contacts|relations><suffix> for each kind in kinds. */
#define CONTACTS_ALL (CONTACTS_LEAD | CONTACTS_CONTACT | CONTACTS_RELATION)
#define CONTACTS_PERSONS (CONTACTS_LEAD | CONTACTS_CONTACT)
int contacts_route_kinds(ts_plugin_ctx_t *ctx, unsigned kinds, unsigned methods, const char *suffix,
                         ts_handler_t h, ts_role_t min_role);

/* Registrations, one per file. */
int contacts_records_routes(ts_plugin_ctx_t *ctx);
int contacts_lists_routes(ts_plugin_ctx_t *ctx);
int contacts_views_routes(ts_plugin_ctx_t *ctx);
int contacts_activities_routes(ts_plugin_ctx_t *ctx);
int contacts_actions_routes(ts_plugin_ctx_t *ctx);
int contacts_export_routes(ts_plugin_ctx_t *ctx);
int contacts_gdpr_routes(ts_plugin_ctx_t *ctx);
int contacts_ui_routes(ts_plugin_ctx_t *ctx);

#endif

/* The one header a Tesoro plugin includes: the plugin ABI and the core's ts_* API. */
#ifndef TESORO_PLUGIN_H
#define TESORO_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cjson/cJSON.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever a struct below or a function's meaning changes. */
#define TS_ABI_VERSION 1

#define TS_OK        0
#define TS_ERROR    -1
#define TS_AGAIN    -2
#define TS_DECLINED -5

typedef enum {
    TS_GET = 1, TS_HEAD = 2, TS_POST = 4, TS_PUT = 8, TS_PATCH = 16,
    TS_DELETE = 32, TS_OPTIONS = 64
} ts_method_t;

typedef enum { TS_ROLE_NONE = 0, TS_ROLE_VIEWER, TS_ROLE_AGENT, TS_ROLE_MANAGER, TS_ROLE_ADMIN } ts_role_t;

typedef struct ts_pool        ts_pool_t;
typedef struct ts_request     ts_request_t;
typedef struct ts_plugin_ctx  ts_plugin_ctx_t;
typedef struct ts_db_result   ts_db_result_t;
typedef struct ts_tpl_dict_s  ts_tpl_dict_t;

/* What the core knows of the caller once the request is routed. */
typedef struct {
    int64_t     id;
    const char *slug;
    const char *name;
    const char *base_url;
} ts_tenant_t;

typedef struct {
    int64_t     id;
    const char *email;
    const char *name;
    ts_role_t   role;
} ts_user_t;

/* An uploaded file of a multipart body; small parts stay in memory. */
typedef struct {
    const char *field;
    const char *filename;      /* NULL for an ordinary form field */
    const char *content_type;
    const char *data;          /* in memory when path == NULL */
    const char *path;          /* a temp file, removed with the request */
    size_t      size;
} ts_part_t;

struct ts_request {
    ts_pool_t        *pool;
    ts_method_t       method;
    const char       *path;
    const char       *query;
    const ts_tenant_t *tenant;  /* NULL until resolved */
    const ts_user_t  *user;     /* NULL when anonymous */
    void             *core;     /* the core's own state; opaque to plugins */
};

typedef int (*ts_handler_t)(ts_request_t *r);
typedef int (*ts_job_fn_t)(ts_request_t *r, const cJSON *payload, const char **err);
typedef void (*ts_event_fn_t)(ts_request_t *r, const char *event, const cJSON *payload);

/* The descriptor a plugin exports as the symbol `ts_plugin`. */
typedef struct {
    unsigned    abi;
    size_t      size;
    const char *name;
    const char *version;
    const char *requires;        /* space-separated plugin names, or NULL */
    int       (*init)(ts_plugin_ctx_t *ctx);
    void      (*shutdown)(void);
} ts_plugin_t;

#define TS_PLUGIN(n, ...)                                                     \
    __attribute__((visibility("default"))) const ts_plugin_t ts_plugin = {   \
        .abi = TS_ABI_VERSION, .size = sizeof(ts_plugin_t), .name = #n,      \
        __VA_ARGS__ }

/* Registration: only valid inside init. Routes answer 401 without a user
 * unless TS_ROUTE_PUBLIC; TS_ROUTE_HTML answers errors as pages, not JSON
 * (and sends the anonymous to /login). */
#define TS_ROUTE_PUBLIC  1
#define TS_ROUTE_HTML    2
#define TS_ROUTE_NO_CSRF 4      /* signed webhooks and other non-browser posts */
/* A GET whose 200 answer depends only on the tenant's data, the user, the URL
 * and Accept-Language: workers may answer it from their response cache, which
 * any write to the tenant's data invalidates ([cache] in tesoro.conf). */
#define TS_ROUTE_CACHE   8
int ts_route_add(ts_plugin_ctx_t *ctx, unsigned methods, const char *pattern, ts_handler_t h);
int ts_route_add_ex(ts_plugin_ctx_t *ctx, unsigned methods, const char *pattern,
                    ts_handler_t h, unsigned flags, ts_role_t min_role);
int ts_event_on(ts_plugin_ctx_t *ctx, const char *event, ts_event_fn_t fn);
int ts_job_register(ts_plugin_ctx_t *ctx, const char *kind, ts_job_fn_t fn);
const char *ts_plugin_dir(ts_plugin_ctx_t *ctx);

/* Request memory: freed at once when the response is sent. */
void *ts_palloc(ts_pool_t *p, size_t n);
void *ts_pcalloc(ts_pool_t *p, size_t n);
char *ts_pstrdup(ts_pool_t *p, const char *s);
char *ts_pstrndup(ts_pool_t *p, const char *s, size_t n);   /* as strndup(3) */
char *ts_psprintf(ts_pool_t *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int   ts_pool_cleanup_add(ts_pool_t *p, void (*fn)(void *), void *data);

/* Reading the request. */
const char *ts_req_param(ts_request_t *r, const char *name);    /* {name} of the route */
int         ts_req_param_id(ts_request_t *r, const char *name, int64_t *out);
const char *ts_req_query(ts_request_t *r, const char *name);
const char *ts_req_header(ts_request_t *r, const char *name);   /* "Content-Type" */
const char *ts_req_cookie(ts_request_t *r, const char *name);
const char *ts_req_form(ts_request_t *r, const char *name);     /* urlencoded or multipart */
const ts_part_t *ts_req_file(ts_request_t *r, const char *field);
const cJSON *ts_req_json(ts_request_t *r);                      /* NULL when not JSON */
const char *ts_req_remote_addr(ts_request_t *r);

/* Answering. A handler returns the HTTP status it answered with. The JSON
 * given to ts_resp_* becomes the response's and is deleted with it. */
int  ts_resp_header(ts_request_t *r, const char *name, const char *value);
int  ts_resp_json(ts_request_t *r, int status, cJSON *body);            /* takes body */
int  ts_resp_data(ts_request_t *r, int status, cJSON *data);            /* {"data":...} */
int  ts_resp_list(ts_request_t *r, cJSON *items, const char *next_cursor, long long total);
int  ts_resp_error(ts_request_t *r, int status, const char *code, const char *message,
                   cJSON *fields);                                      /* takes fields */
int  ts_resp_body(ts_request_t *r, int status, const char *content_type,
                  const char *body, size_t len);
int  ts_resp_redirect(ts_request_t *r, const char *location);
int  ts_resp_page(ts_request_t *r, int status, const char *tpl, ts_tpl_dict_t *d);
int  ts_resp_no_content(ts_request_t *r);

/* Templates (ctemplate, HTML auto-escaping). */
ts_tpl_dict_t *ts_tpl_dict(ts_request_t *r);
void ts_tpl_set(ts_tpl_dict_t *d, const char *key, const char *value);
void ts_tpl_set_int(ts_tpl_dict_t *d, const char *key, long long v);
ts_tpl_dict_t *ts_tpl_section(ts_tpl_dict_t *d, const char *section);   /* adds one row */
void ts_tpl_show(ts_tpl_dict_t *d, const char *section);

/* Data. Every statement names the tenant as {tenant}; the helper binds the
 * request's tenant there. Types: 'i' int64_t, 's' const char * (NULL is NULL),
 * 'd' double. A statement without {tenant} is refused. */
int ts_db_exec(ts_request_t *r, const char *sql, const char *types, ...);
ts_db_result_t *ts_db_query(ts_request_t *r, const char *sql, const char *types, ...);
/* The same with an array of n string values (NULL is NULL), for statements
 * assembled from fixed fragments, one per filter present. */
int ts_db_exec_v(ts_request_t *r, const char *sql, const char *const *values, size_t n);
ts_db_result_t *ts_db_query_v(ts_request_t *r, const char *sql, const char *const *values,
                              size_t n);
int64_t ts_db_insert_id(ts_request_t *r);
long long ts_db_affected(ts_request_t *r);
int ts_db_begin(ts_request_t *r);
int ts_db_commit(ts_request_t *r);      /* then runs the events' subscribers */
int ts_db_rollback(ts_request_t *r);
/* Inside a transaction, a mark to undo back to (one per request: setting it again moves it),
 * so one record of a batch can be refused while the rest stays. Events emitted since the
 * mark are not taken back: emit them once the record is accepted. */
int ts_db_savepoint(ts_request_t *r);
int ts_db_rollback_to_savepoint(ts_request_t *r);
size_t      ts_db_rows(const ts_db_result_t *res);
const char *ts_db_get(const ts_db_result_t *res, size_t row, const char *col);
int64_t     ts_db_get_int(const ts_db_result_t *res, size_t row, const char *col);
/* New JSON the caller owns (usually handed to ts_resp_data). */
cJSON      *ts_db_row_json(ts_request_t *r, const ts_db_result_t *res, size_t row);
cJSON      *ts_db_rows_json(ts_request_t *r, const ts_db_result_t *res);

/* Events run after commit; the audit log records who changed what. */
int ts_event_emit(ts_request_t *r, const char *event, cJSON *payload);  /* takes payload */
int ts_audit(ts_request_t *r, const char *entity, int64_t entity_id, const char *action,
             const cJSON *changes);
/* Many audit rows in one statement, in the order of items: [{"id": entity id,
 * "changes": {...} or the changes already as JSON text}, ...]. */
int ts_audit_batch(ts_request_t *r, const char *entity, const char *action, const cJSON *items);
int ts_job_enqueue(ts_request_t *r, const char *kind, const cJSON *payload, int delay_s);
/* The same, unless a job of this kind is already queued (not yet taken) for
 * the tenant: one waiting run serves every caller until the runner takes it.
 * Such a job is background work: it runs after the ordinary jobs that are due
 * (for at most a minute of waiting), so it coalesces more and delays no one. */
int ts_job_enqueue_once(ts_request_t *r, const char *kind, const cJSON *payload, int delay_s);
/* A periodic job of the tenant; cron is "min hour day month weekday" (UTC). */
int ts_job_schedule(ts_request_t *r, const char *name, const char *kind, const char *cron,
                    const cJSON *payload);
int ts_mail_queue(ts_request_t *r, const char *to, const char *subject, const char *body);

/* Logging, with file and line. */
void ts_log_at(int level, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define TS_LOG_ERR  0
#define TS_LOG_WARN 1
#define TS_LOG_INFO 2
#define ts_log_error(...) ts_log_at(TS_LOG_ERR, __FILE__, __LINE__, __VA_ARGS__)
#define ts_log_warn(...)  ts_log_at(TS_LOG_WARN, __FILE__, __LINE__, __VA_ARGS__)
#define ts_log_info(...)  ts_log_at(TS_LOG_INFO, __FILE__, __LINE__, __VA_ARGS__)

/* ---- repeated fields and URL encoding (core/ts_req.c, core/ts_parse.c) ---- */
/* Every value of a repeated form or query field, in order: fills at most max
 * into out and returns how many there are. */
size_t ts_req_form_values(ts_request_t *r, const char *name, const char **out, size_t max);
size_t ts_req_query_values(ts_request_t *r, const char *name, const char **out, size_t max);
/* Percent-encodes s for a URL query value. */
char *ts_url_encode(ts_pool_t *p, const char *s);

/* ---- file storage (core/ts_storage.c) ----
 * Uploaded files live under [storage] dir, outside the web root; nginx serves
 * them from an internal location after a handler checked access and answered
 * with X-Accel-Redirect (see conf/nginx.conf.in). */
const char *ts_storage_dir(void);
/* Answers with X-Accel-Redirect to <storage>/<rel>: the file is sent by nginx
 * with this type, nosniff and the given Content-Disposition. */
int ts_resp_storage_file(ts_request_t *r, const char *rel, const char *content_type,
                         const char *disposition);

/* ---- Lua scripting and integrations (core/ts_lua*.c, ts_fetch.c, ts_webhook.c) ---- */

/* Engagement signals of a lead, read by scoring scripts: kind is one of
 * email_open, email_click, web_visit, property_view, reply, viewing_request,
 * info_request, inbound_contact. Emits signal.recorded; the lead is rescored
 * by the job runner after the commit. */
int ts_signal_record(ts_request_t *r, int64_t contact_id, const char *kind, const cJSON *meta);
/* Queues a rescoring of one lead with the tenant's active scorer: the lead
 * waits in rescore_pending (once, however often it is named) and the
 * tenant's single lead.rescore drain job scores the waiting leads in batches. */
int ts_lead_rescore_later(ts_request_t *r, int64_t lead_id);

/* Custom fields of a record kind ("lead", "contact", "relation", "property",
 * "deal"): checks `values` (changed in place: computed fields are filled) for
 * `record`. TS_OK, or TS_DECLINED with *errors = {key: message} (caller owns). */
int ts_custom_fields_check(ts_request_t *r, const char *kind, const cJSON *record,
                           cJSON *values, cJSON **errors);
/* How many fields the tenant defines for the kind (-1 on a database error):
 * a write path with none skips loading the record for ts_custom_fields_write. */
int ts_custom_fields_count(ts_request_t *r, const char *kind);
/* What a write path runs once the record is saved (same transaction): a key of
 * `given` (the custom object the caller sent) that the kind does not define is
 * refused once it has definitions; then the saved record's custom values
 * (record's "custom") are checked. TS_OK, with *changed = the values to store
 * when compute() changed them (else NULL); TS_DECLINED with *fields =
 * {"custom.KEY": message}; TS_ERROR. The caller owns both. */
int ts_custom_fields_write(ts_request_t *r, const char *kind, const cJSON *given,
                           const cJSON *record, cJSON **changed, cJSON **fields);
/* The kind's definitions (as GET /api/v1/fields/{kind} lists them) in the order
 * the scripts define them; the caller owns the array; NULL on a database error. */
cJSON *ts_custom_fields_defs(ts_request_t *r, const char *kind);
/* A definition's label in the request's language (Accept-Language), else en,
 * else any, else the key. */
const char *ts_custom_field_label(ts_request_t *r, const cJSON *def);
/* A value as text for a page: Yes/No, lists comma-separated, "" when unset. */
const char *ts_custom_field_text(ts_request_t *r, const cJSON *def, const cJSON *v);
/* Forms: {{>SECTION}} in the page's template becomes the inputs of the kind's
 * fields (www/templates/custom_fields.tpl), named custom.KEY, labelled, one
 * control by type (text, number, date and URL inputs, a drop-down, checkboxes
 * for a multiselect, a checkbox for a boolean, a computed value read-only),
 * each error of `errors` ("custom.KEY") beside its field. Values are the
 * stored ones, or the posted form's when `posted`. */
void ts_custom_fields_form_tpl(ts_request_t *r, ts_tpl_dict_t *d, const char *section,
                               const cJSON *defs, const cJSON *values, bool posted,
                               const cJSON *errors);
/* The posted custom.KEY fields as the API's `custom` object (numbers,
 * booleans, lists by type; computed fields left out). Empty ones are left out
 * on create and null (removed) on edit. The caller owns it. */
cJSON *ts_custom_fields_from_form(ts_request_t *r, const cJSON *defs, bool create);

/* Outgoing HTTP(S) through the SSRF guard: public addresses only, or those the install's
 * [fetch] allow lists (each redirect hop checked), limits on time and size. The body stays in
 * the pool, or is streamed to a file (feeds, photos). TS_OK when a whole response arrived, whatever
 * its status; TS_ERROR with res->error otherwise (refused, too large, timed out, ...). */
typedef struct {
    const char        *method;     /* "GET" (default with no body), "POST", ... */
    const char        *url;
    const char        *body;       /* NULL for none */
    size_t             body_len;
    const char *const *headers;    /* "Name: value", NULL-terminated, or NULL */
    int                follow;     /* follow up to 3 redirects */
    FILE              *file;       /* non-NULL: the body is written here, from its position */
    size_t             max_bytes;  /* the fetch fails beyond this; 0: [fetch] max_bytes */
    long               timeout_ms; /* the whole transfer; 0: [fetch] timeout_ms */
    long               connect_timeout_ms;   /* 0: the smaller of timeout_ms and 5 s */
    const char        *etag;       /* sent as If-None-Match, or NULL */
    const char        *last_modified;        /* sent as If-Modified-Since, or NULL */
} ts_fetch_req_t;

typedef struct {
    long        status;            /* HTTP status, 0 when none came */
    const char *body;              /* in the pool, NUL-terminated ("" when it went to a file) */
    size_t      len;               /* the body's bytes */
    const char *error;             /* set when the call returns TS_ERROR */
    bool        not_modified;      /* a 304 to a conditional request */
    const char *etag;              /* the response's validators and type, or NULL */
    const char *last_modified;
    const char *content_type;
} ts_fetch_res_t;

int ts_fetch(ts_pool_t *p, const ts_fetch_req_t *req, ts_fetch_res_t *res);

/* ---- Plugin commands for the tesoro CLI (ts_plugin_extra.c) ---- */
/* A CLI command of one or more words ("feed import"); the CLI runs the command whose words
 * begin the command line, with r's tenant set when --tenant SLUG was given (else NULL).
 * argv holds every word and option after the program's own (-c, --json are removed);
 * json is true with --json. The return value is the exit status. Only inside init. */
typedef int (*ts_cli_fn_t)(ts_request_t *r, int argc, char **argv, int json);
int ts_cli_register(ts_plugin_ctx_t *ctx, const char *words, const char *usage, ts_cli_fn_t fn);

/* ---- Checks of saved views' filters, per list (ts_plugin_extra.c) ---- */
/* The plugin serving a list ("deals", "properties") registers, inside init, the check of a
 * saved view's filters (a JSON object, or NULL) and sort (or NULL) that POST and PATCH
 * /api/v1/views run before saving: it adds each error to *fields (creating the object) as
 * "filters.NAME" or "sort" -> message, and leaves *fields alone when all is well. */
typedef void (*ts_view_check_fn_t)(ts_request_t *r, const cJSON *filters, const char *sort,
                                   cJSON **fields);
int ts_view_check_register(ts_plugin_ctx_t *ctx, const char *list, ts_view_check_fn_t fn);
/* Runs the check registered for list; false when no plugin registered one. */
bool ts_view_check(ts_request_t *r, const char *list, const cJSON *filters, const char *sort,
                   cJSON **fields);
/* A saved view's columns (its JSON list of names) as the column chooser's "a,b,c";
 * "" when there are none. In the request's pool. */
const char *ts_view_columns_text(ts_request_t *r, const char *json);

#ifdef __cplusplus
}
#endif
#endif

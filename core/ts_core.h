/* The core's internal interfaces, shared by core/ files and never by plugins. */
#ifndef TS_CORE_H
#define TS_CORE_H

#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/types.h>
#include "tesoro/plugin.h"

#define TS_MAX_DB_SERVERS 8
#define TS_MAX_PLUGINS    32

/* ---- config (ts_conf.c) ---- */
typedef struct {
    char *name;             /* "main" is the tenant directory */
    char *host;
    unsigned port;
    char *socket;
    char *user;
    char *password;
    char *database;
} ts_db_server_conf_t;

typedef struct {
    char  *path;            /* the file read, for messages */
    char  *listen;          /* unix:/path or 127.0.0.1:9000 */
    int    workers;
    int    backlog;
    size_t max_body;        /* JSON and forms */
    size_t max_upload;      /* multipart */
    size_t multipart_memory;/* parts larger than this go to tmp files */
    int    bench_noop;
    int    job_runner;
    char  *plugins;         /* space separated, load order */
    char  *plugin_dir;
    char  *core_schema;
    char  *plugin_schema;   /* with {name} */
    char  *templates;
    char  *tmp_dir;
    char  *storage_dir;     /* uploaded files, outside the web root */
    char  *secret;          /* HMAC key for CSRF; hex or text */
    char  *base_url_pattern;/* for tenants without their own, {host} allowed */
    int    secure_cookies;
    int    login_max_account;
    int    login_max_ip;
    int    login_window_s;
    int    token_cache_ms;  /* how long a worker trusts a verified API token */
    char  *smtp_url;
    char  *smtp_user;
    char  *smtp_password;
    char  *smtp_from;
    char  *fetch_allow;     /* [fetch] allow: addresses fetches may reach although private */
    ts_db_server_conf_t db[TS_MAX_DB_SERVERS];
    int    ndb;
    /* [lua]: the sandbox's limits per call and the states kept per worker */
    size_t lua_instructions;
    size_t lua_memory;
    int    lua_wall_ms;
    int    lua_states;
    char  *lua_script_dir;  /* the install's default scripts */
    /* [fetch]: outgoing HTTP (webhooks, feeds) */
    int    fetch_allow_loopback;   /* deprecated: read as "loopback" in fetch_allow */
    int    fetch_public;           /* 0: only the allow list, host names never looked up */
    int    fetch_timeout_ms;
    size_t fetch_max_bytes;
    /* [cache]: the workers' response cache */
    int    cache_enabled;
    int    cache_max_age_ms;
    size_t cache_size;             /* bytes per worker */
    char  *cache_generations;      /* the shared generations file; "" = tmp_dir/generations */
} ts_conf_t;

extern ts_conf_t *ts_conf;

ts_conf_t *ts_conf_load(const char *path, char *err, size_t errlen);
void ts_conf_free(ts_conf_t *c);
const ts_db_server_conf_t *ts_conf_db(const ts_conf_t *c, const char *name);

/* ---- pool (ts_pool.c) ---- */
ts_pool_t *ts_pool_create(size_t first_block);
void ts_pool_reset(ts_pool_t *p);     /* runs cleanups, keeps the first block */
void ts_pool_destroy(ts_pool_t *p);
size_t ts_pool_used(const ts_pool_t *p);

/* ---- log (ts_log.c) ---- */
void ts_log_set_prefix(const char *who);
void ts_log_set_level(int level);
void ts_log_request(const char *method, const char *path, int status, long us,
                    const char *tenant, int64_t user);

/* ---- growing buffer in a pool ---- */
typedef struct {
    ts_pool_t *pool;
    char  *data;
    size_t len;
    size_t cap;
} ts_buf_t;
void ts_buf_init(ts_buf_t *b, ts_pool_t *p, size_t cap);
int  ts_buf_add(ts_buf_t *b, const void *data, size_t n);
int  ts_buf_str(ts_buf_t *b, const char *s);

/* ---- key/value lists for query, form, cookies, route params ---- */
typedef struct ts_kv {
    const char   *key;
    const char   *value;
    struct ts_kv *next;
} ts_kv_t;
const char *ts_kv_get(const ts_kv_t *kv, const char *key);
void ts_kv_add(ts_pool_t *p, ts_kv_t **list, const char *k, const char *v);

/* ---- url-encoding, cookies, multipart (ts_parse.c, ts_multipart.c) ---- */
/* Decodes %XX and '+' in place-free form; returns NULL on a bad escape or NUL. */
char *ts_url_decode(ts_pool_t *p, const char *s, size_t n, bool plus_is_space);
int ts_parse_urlencoded(ts_pool_t *p, const char *s, size_t n, ts_kv_t **out);
int ts_parse_cookies(ts_pool_t *p, const char *header, ts_kv_t **out);
char *ts_url_encode(ts_pool_t *p, const char *s);

typedef struct ts_part_node {
    ts_part_t part;
    struct ts_part_node *next;
} ts_part_node_t;

/* Reads a multipart/form-data body through `rd` (returns bytes, 0 at end, <0 on
 * error); parts above mem_limit bytes are streamed into files under tmp_dir. */
typedef ssize_t (*ts_read_fn)(void *ctx, char *buf, size_t n);
int ts_multipart_parse(ts_pool_t *p, const char *content_type, ts_read_fn rd, void *ctx,
                       size_t max_total, size_t mem_limit, const char *tmp_dir,
                       ts_part_node_t **out, const char **err);

/* ---- the request's core state (ts_req.c) ---- */
typedef struct ts_dbconn ts_dbconn_t;
typedef struct ts_event_q ts_event_q_t;

typedef struct {
    struct FCGX_Request *fcgx;      /* NULL for CLI and jobs */
    char      **env;
    ts_kv_t    *params;
    ts_kv_t    *query;
    ts_kv_t    *cookies;
    ts_kv_t    *form;
    ts_part_node_t *parts;
    cJSON      *json;
    const char *content_type;
    long long   content_length;
    const char *remote_addr;
    const char *host;
    /* response */
    int         status;
    ts_buf_t    headers;
    ts_buf_t    body;
    bool        answered;
    bool        head_only;
    unsigned    route_flags;
    /* data */
    ts_dbconn_t *db;
    bool        in_tx;
    ts_event_q_t *events;
    cJSON      *lua_failures;       /* custom-field Lua errors for lua_runs, written after the transaction */
    ts_event_q_t *events_tail;      /* the last of events: an import queues thousands */
    const char *session_hash;       /* hex, when logged in by cookie */
    const char *csrf_cookie;        /* the pre-login CSRF value, when set */
    const char *disabled_plugins;   /* " a b " for the tenant */
    bool        by_token;
    long long   start_us;
    bool        job_last_attempt;   /* in a job: no retry follows a failure */
    cJSON      *rescore_ids;        /* leads to rescore, added once the events are delivered */
    int         dispatching;        /* events being delivered after a commit */
} ts_req_core_t;

#define TS_CORE(r) ((ts_req_core_t *) (r)->core)

int ts_req_init(ts_request_t *r, ts_pool_t *pool, struct FCGX_Request *fcgx);
int ts_req_read_body(ts_request_t *r);   /* returns an HTTP status on failure, 0 ok */
void ts_req_finish(ts_request_t *r);     /* writes the response out */
ts_request_t *ts_req_detached(ts_pool_t *pool);  /* for CLI and jobs */
const char *ts_status_text(int status);
bool ts_local_path(const char *s);   /* safe as a redirect target */
long long ts_now_us(void);

/* ---- router (ts_route.c) ---- */
#define TS_ROUTE_NOTENANT 0x100   /* core only: /healthz, /bench/noop */
typedef struct {
    unsigned     methods;
    const char  *pattern;
    ts_handler_t handler;
    unsigned     flags;
    ts_role_t    min_role;
    const char  *plugin;     /* owner; NULL for core routes */
} ts_route_t;

typedef enum { TS_ROUTE_FOUND, TS_ROUTE_NOT_FOUND, TS_ROUTE_BAD_METHOD } ts_route_match_t;

void ts_routes_reset(void);
int ts_route_register(const char *plugin, unsigned methods, const char *pattern,
                      ts_handler_t h, unsigned flags, ts_role_t min_role);
ts_route_match_t ts_route_find(ts_pool_t *p, ts_method_t m, const char *path,
                               const ts_route_t **out, ts_kv_t **params, unsigned *allowed);
ts_method_t ts_method_parse(const char *s);
char *ts_methods_allow(ts_pool_t *p, unsigned methods);

/* ---- plugins (ts_plugin.c) ---- */
struct ts_plugin_ctx {
    const char *name;
    const char *dir;
    bool        in_init;
};
int  ts_plugins_load(const ts_conf_t *c);
void ts_plugins_unload(void);
int  ts_plugins_count(void);
const char *ts_plugin_name(int i);
const char *ts_plugin_version(int i);
/* Core registrations go through a ctx named "core". */
ts_plugin_ctx_t *ts_core_ctx(void);

/* ---- database (ts_db.c) ---- */
ts_dbconn_t *ts_dbconn_get(const char *server);   /* lazily connected */
void ts_db_close_all(void);
bool ts_dbconn_ok(ts_dbconn_t *c);
/* Unchecked statements for the core: no {tenant} rule, tenant may be 0. */
int ts_dbc_exec(ts_dbconn_t *c, ts_pool_t *p, int64_t tenant, const char *sql,
                const char *types, ...);
ts_db_result_t *ts_dbc_query(ts_dbconn_t *c, ts_pool_t *p, int64_t tenant, const char *sql,
                             const char *types, ...);
int ts_dbc_vrun(ts_dbconn_t *c, ts_pool_t *p, int64_t tenant, const char *sql,
                const char *types, va_list ap, ts_db_result_t **out);
int ts_dbc_text(ts_dbconn_t *c, const char *sql);   /* migrations, BEGIN/COMMIT */
int64_t ts_dbc_insert_id(ts_dbconn_t *c);
long long ts_dbc_affected(ts_dbconn_t *c);
const char *ts_dbc_error(ts_dbconn_t *c);
unsigned ts_dbc_errno(ts_dbconn_t *c);
bool ts_dbc_lost(ts_dbconn_t *c);   /* the last error was a lost connection */
unsigned long ts_dbc_commits(ts_dbconn_t *c);   /* durable writes so far, for retries */
const char *ts_dbc_server(ts_dbconn_t *c);

/* ---- response cache (ts_cache.c) ---- */
typedef struct {
    char     *key;          /* NULL: nothing to store */
    uint64_t  hash;
    uint64_t  gen;          /* the tenant's generation read before the handler ran */
} ts_cache_probe_t;
void ts_gen_bump(int64_t tenant);          /* after a write to the tenant's data commits */
bool ts_cache_enabled(const ts_request_t *r);
int  ts_cache_lookup(ts_request_t *r, ts_cache_probe_t *probe);   /* TS_OK: answered */
void ts_cache_store(ts_request_t *r, const ts_cache_probe_t *probe);
void ts_cache_clear(void);

/* ---- migrations (ts_migrate.c) ---- */
int ts_migrate_all(const ts_conf_t *c, bool apply, cJSON *report);
int ts_migrate_check(const ts_conf_t *c);   /* TS_ERROR when the schema is behind */
/* The next statement of a migration file, cut in place; NULL at the end. */
char *ts_sql_next(char **cursor, int *line, int *stmt_line);

/* ---- tenants, users, auth (ts_tenant.c, ts_auth.c) ---- */
int ts_tenant_resolve_host(ts_request_t *r, const char *host);
int ts_tenant_by_id(ts_request_t *r, int64_t id);
int ts_tenant_by_slug(ts_request_t *r, const char *slug);
bool ts_tenant_plugin_enabled(ts_request_t *r, const char *plugin);
int ts_auth_authenticate(ts_request_t *r);   /* sets r->user from cookie or bearer */
int ts_auth_bearer_tenant(const char *header, int64_t *tenant, const char **token);
int ts_password_hash(const char *pw, char out[128]);
bool ts_password_verify(const char *hash, const char *pw);
void ts_random_hex(char *out, size_t bytes);   /* out has 2*bytes+1 */
void ts_sha256_hex(const char *in, char out[65]);
const char *ts_role_name(ts_role_t r);
ts_role_t ts_role_parse(const char *s);
const char *ts_csrf_token(ts_request_t *r);
bool ts_csrf_ok(ts_request_t *r);
int ts_auth_login(ts_request_t *r, const char *email, const char *password, const char **err);
int ts_auth_logout(ts_request_t *r);
int ts_token_create(ts_request_t *r, int64_t user_id, const char *name, char **token_out);
int ts_user_create(ts_request_t *r, const char *email, const char *name, ts_role_t role,
                   const char *password, int64_t *id_out);

/* ---- events, jobs, mail ---- */
void ts_events_discard(ts_request_t *r);
void ts_events_dispatch(ts_request_t *r);
/* Writes the custom-field Lua errors kept during a transaction to lua_runs
 * (after its commit or rollback: a refused write keeps its error log). */
void ts_lua_failures_flush(ts_request_t *r);
/* Adds the leads named while events were delivered to rescore_pending (one
 * statement) and queues the tenant's drain (core/ts_lua_score.c). */
void ts_lua_rescore_flush(ts_request_t *r);
void ts_events_reset(void);
void ts_jobs_reset(void);
void ts_cli_reset(void);
void ts_view_checks_reset(void);
ts_cli_fn_t ts_cli_find(int argc, char **argv, int *nwords);
void ts_cli_usage(FILE *out);
int ts_job_runner_loop(volatile int *stop);
int ts_job_run_once(int *ran);
/* A core hook the job runner calls on each server at most every every_s seconds. */
typedef void (*ts_job_periodic_fn_t)(ts_dbconn_t *db, ts_pool_t *p);
int ts_job_every(int every_s, ts_job_periodic_fn_t fn);
ts_job_fn_t ts_job_handler(const char *kind);
int ts_cron_next(const char *expr, long long after, long long *next);  /* UTC seconds */

/* ---- core HTTP handlers (ts_http.c, ts_api_*.c, ts_ui.c) ---- */
int ts_core_routes(void);
int ts_api_routes(ts_plugin_ctx_t *ctx);
int ts_ui_routes(ts_plugin_ctx_t *ctx);
void ts_ui_layout(ts_request_t *r, ts_tpl_dict_t *d);
void ts_ui_flash(ts_request_t *r, const char *code);   /* a code of ts_ui.c's flash texts */
int ts_ui_scripts_routes(ts_plugin_ctx_t *ctx);        /* ts_ui_scripts.c */
int ts_ui_webhooks_routes(ts_plugin_ctx_t *ctx);       /* ts_ui_webhooks.c */
int ts_invite_user(ts_request_t *r, const char *email, const char *name, ts_role_t role,
                   int64_t *id_out);
void ts_http_handle(struct FCGX_Request *fcgx, ts_pool_t *pool);

/* ---- templates (ts_tpl.cc) ---- */
int ts_tpl_load_dir(const char *dir);
int ts_tpl_render(ts_request_t *r, const char *name, ts_tpl_dict_t *d, ts_buf_t *out);
/* {{>NAME}} in d's template expands `file` with the returned dictionary (one
 * per call, in order; it does not see d's values). */
ts_tpl_dict_t *ts_tpl_include(ts_tpl_dict_t *d, const char *name, const char *file);
void ts_tpl_reset(void);

/* ---- Lua scripting and integrations (ts_lua*.c, ts_fetch.c, ts_webhook.c) ---- */
int ts_lua_routes(ts_plugin_ctx_t *ctx);     /* routes, jobs and event subscriptions */
int ts_cli_score(ts_request_t *r, bool json);   /* tesoro score --tenant SLUG */
struct sockaddr;
bool ts_fetch_addr_allowed(const struct sockaddr *sa, const char *allow, bool public_ok);

#endif

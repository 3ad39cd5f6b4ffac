/* What the Lua fuzz target links instead of the database layer: an upload is
 * checked with no record context, so every entry point here refuses. */
#include "ts_lua.h"

ts_conf_t *ts_conf;

ts_db_result_t *ts_db_query(ts_request_t *r, const char *sql, const char *t, ...)
{ (void) r; (void) sql; (void) t; return NULL; }
int ts_db_exec(ts_request_t *r, const char *sql, const char *t, ...)
{ (void) r; (void) sql; (void) t; return TS_ERROR; }
size_t ts_db_rows(const ts_db_result_t *res) { (void) res; return 0; }
const char *ts_db_get(const ts_db_result_t *res, size_t row, const char *col)
{ (void) res; (void) row; (void) col; return NULL; }
int64_t ts_db_get_int(const ts_db_result_t *res, size_t row, const char *col)
{ (void) res; (void) row; (void) col; return 0; }
cJSON *ts_db_row_json(ts_request_t *r, const ts_db_result_t *res, size_t row)
{ (void) r; (void) res; (void) row; return cJSON_CreateObject(); }
int64_t ts_db_insert_id(ts_request_t *r) { (void) r; return 0; }
int ts_audit(ts_request_t *r, const char *e, int64_t id, const char *a, const cJSON *c)
{ (void) r; (void) e; (void) id; (void) a; (void) c; return TS_ERROR; }
int ts_mail_queue(ts_request_t *r, const char *to, const char *s, const char *b)
{ (void) r; (void) to; (void) s; (void) b; return TS_ERROR; }
int ts_job_enqueue(ts_request_t *r, const char *k, const cJSON *p, int d)
{ (void) r; (void) k; (void) p; (void) d; return TS_ERROR; }
long long ts_lua_tenant_version(ts_request_t *r) { (void) r; return -1; }
int ts_lua_load_tenant(ts_lua_t *s, ts_request_t *r) { (void) s; (void) r; return TS_ERROR; }

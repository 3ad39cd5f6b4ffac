/* hello: the example plugin, and the template for writing one. It greets the
 * caller, keeps a guestbook in its own table and counts greetings by event. */
#include <string.h>
#include <tesoro/plugin.h>

static int
hello_greet(ts_request_t *r)
{
    const char *name = ts_req_query(r, "name");
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "greeting", "hello");
    cJSON_AddStringToObject(d, "name", name ? name : r->user->name);
    cJSON_AddStringToObject(d, "tenant", r->tenant->slug);
    return ts_resp_data(r, 200, d);
}

static int
hello_sign(ts_request_t *r)
{
    const cJSON *j = ts_req_json(r);
    const char *msg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "message"));
    if (msg == NULL || *msg == '\0' || strlen(msg) > 500) {
        cJSON *f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "message", "required, at most 500 characters");
        return ts_resp_error(r, 422, "validation_failed", "the message is invalid", f);
    }
    if (ts_db_begin(r) != TS_OK) {
        return TS_ERROR;
    }
    if (ts_db_exec(r, "INSERT INTO hello_guestbook (tenant_id, user_id, message)"
                      " VALUES ({tenant}, ?, ?)", "is", r->user->id, msg) != TS_OK) {
        ts_db_rollback(r);
        return TS_ERROR;
    }
    int64_t id = ts_db_insert_id(r);
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddNumberToObject(ev, "id", (double) id);
    ts_event_emit(r, "hello.signed", ev);
    if (ts_db_commit(r) != TS_OK) {
        return TS_ERROR;
    }
    ts_db_result_t *res = ts_db_query(r, "SELECT id, user_id, message, created_at"
                                         " FROM hello_guestbook WHERE tenant_id = {tenant}"
                                         " AND id = ?", "i", id);
    return res ? ts_resp_data(r, 201, ts_db_row_json(r, res, 0)) : TS_ERROR;
}

static int
hello_list(ts_request_t *r)
{
    ts_db_result_t *res = ts_db_query(r, "SELECT id, user_id, message, created_at"
                                         " FROM hello_guestbook WHERE tenant_id = {tenant}"
                                         " ORDER BY id DESC LIMIT 50", "");
    if (res == NULL) {
        return TS_ERROR;
    }
    return ts_resp_list(r, ts_db_rows_json(r, res), NULL, (long long) ts_db_rows(res));
}

/* After commit only: a rolled-back signature is never counted. */
static void
hello_on_signed(ts_request_t *r, const char *event, const cJSON *payload)
{
    (void) event;
    (void) payload;
    ts_db_exec(r, "INSERT INTO hello_counts (tenant_id, signed) VALUES ({tenant}, 1)"
                  " ON DUPLICATE KEY UPDATE signed = signed + 1", "");
}

/* A job kind: the job runner calls it for queued and scheduled hello.tick jobs. */
static int
hello_tick(ts_request_t *r, const cJSON *payload, const char **err)
{
    (void) payload;
    if (ts_db_exec(r, "INSERT INTO hello_counts (tenant_id, ticks) VALUES ({tenant}, 1)"
                      " ON DUPLICATE KEY UPDATE ticks = ticks + 1", "") != TS_OK) {
        *err = "cannot count the tick";
        return TS_ERROR;
    }
    return TS_OK;
}

static int
hello_count(ts_request_t *r)
{
    ts_db_result_t *res = ts_db_query(r, "SELECT COALESCE(MAX(signed), 0) AS signed,"
                                         " COALESCE(MAX(ticks), 0) AS ticks"
                                         " FROM hello_counts WHERE tenant_id = {tenant}", "");
    return res ? ts_resp_data(r, 200, ts_db_row_json(r, res, 0)) : TS_ERROR;
}

static int
hello_init(ts_plugin_ctx_t *ctx)
{
    if (ts_route_add(ctx, TS_GET, "/api/v1/hello", hello_greet) != TS_OK
        || ts_route_add(ctx, TS_GET, "/api/v1/hello/guestbook", hello_list) != TS_OK
        || ts_route_add(ctx, TS_GET, "/api/v1/hello/count", hello_count) != TS_OK
        || ts_route_add_ex(ctx, TS_POST, "/api/v1/hello/guestbook", hello_sign, 0,
                           TS_ROLE_AGENT) != TS_OK) {
        return TS_ERROR;
    }
    if (ts_job_register(ctx, "hello.tick", hello_tick) != TS_OK) {
        return TS_ERROR;
    }
    return ts_event_on(ctx, "hello.signed", hello_on_signed);
}

TS_PLUGIN(hello, .version = "1.0", .init = hello_init);

/* Outgoing webhooks: registered per event by admins, signed with HMAC-SHA256,
 * delivered by the job runner through ts_fetch, retried after 1 min, 5 min,
 * 30 min and 2 h, then failed until retried by hand. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ts_core.h"
#include "ts_lua.h"

static const int RETRY_DELAYS[] = { 60, 300, 1800, 7200 };
#define MAX_ATTEMPTS 5          /* the first try and four retries */

static const char *const EVENTS[] = {
    "lead.created", "lead.updated", "lead.status_changed", "lead.converted", "lead.deleted",
    "lead.temperature_changed", "contact.created", "contact.updated", "contact.deleted",
    "deal.created", "deal.status_changed", "deal.won", "deal.lost", "deal.deleted",
    "property.created", "property.updated", "property.status_changed", "property.sold",
    "property.rented", "property.deleted", "property.restored", "property.hard_deleted",
    "property.published", "property.unpublished", "activity.task_created",
    "activity.task_completed", "activity.note_created", "import.finished", NULL,
};

static bool
event_known(const char *e)
{
    for (int i = 0; e && EVENTS[i]; i++) {
        if (strcmp(EVENTS[i], e) == 0) {
            return true;
        }
    }
    return e && strcmp(e, "*") == 0;
}

void
ts_webhook_sign(const char *secret, const char *body, size_t len, char out[72])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *) secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *) body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(out, "sha256=", 7);
    sodium_bin2hex(out + 7, 65, mac, sizeof(mac));
}

/* ---- queueing: after every commit, one delivery per matching webhook ---- */

static char *
iso_now(ts_pool_t *p)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    char buf[32];
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return ts_pstrdup(p, buf);
}

static int
enqueue_delivery(ts_request_t *r, int64_t delivery, int delay)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddNumberToObject(p, "delivery_id", (double) delivery);
    /* The delivery keeps its own count; the job runner must not retry it too. */
    int rc = ts_job_enqueue(r, "webhook.deliver", p, delay);
    cJSON_Delete(p);
    return rc;
}

static void
on_event(ts_request_t *r, const char *event, const cJSON *payload)
{
    if (r->tenant == NULL || !event_known(event)) {
        return;
    }
    /* A request that emits many events (a rescoring) reads the webhooks once;
     * the result lives in the request's pool. */
    static struct { const void *r; long long start; int64_t tenant; ts_db_result_t *hooks; } seen;
    if (seen.r != r || seen.start != TS_CORE(r)->start_us || seen.tenant != r->tenant->id) {
        seen.r = r;
        seen.start = TS_CORE(r)->start_us;
        seen.tenant = r->tenant->id;
        seen.hooks = ts_db_query(r, "SELECT id, events FROM webhooks WHERE tenant_id = {tenant}"
                                    " AND active = 1 AND deleted_at IS NULL", "");
    }
    ts_db_result_t *hooks = seen.hooks;
    for (size_t i = 0; hooks != NULL && i < ts_db_rows(hooks); i++) {
        char *list = ts_psprintf(r->pool, " %s ", ts_db_get(hooks, i, "events"));
        char *want = ts_psprintf(r->pool, " %s ", event);
        if (strstr(list, want) == NULL && strstr(list, " * ") == NULL) {
            continue;
        }
        const cJSON *data = cJSON_GetObjectItemCaseSensitive(payload, "data");
        const cJSON *prev = cJSON_GetObjectItemCaseSensitive(payload, "previous_data");
        cJSON *b = cJSON_CreateObject();
        cJSON_AddStringToObject(b, "event", event);
        cJSON_AddStringToObject(b, "timestamp", iso_now(r->pool));
        cJSON_AddStringToObject(b, "tenant", r->tenant->slug);
        cJSON_AddItemToObject(b, "data", cJSON_Duplicate(data ? data : payload, 1));
        cJSON_AddItemToObject(b, "previous_data", prev ? cJSON_Duplicate(prev, 1)
                                                       : cJSON_CreateNull());
        char *text = cJSON_PrintUnformatted(b);
        cJSON_Delete(b);
        int rc = ts_db_exec(r, "INSERT INTO webhook_deliveries (tenant_id, webhook_id, event,"
                               " body) VALUES ({tenant}, ?, ?, ?)", "iss",
                            ts_db_get_int(hooks, i, "id"), event, text);
        cJSON_free(text);
        if (rc == TS_OK) {
            enqueue_delivery(r, ts_db_insert_id(r), 0);
        }
    }
}

/* ---- delivery ---- */

static int
deliver_job(ts_request_t *r, const cJSON *payload, const char **err)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(payload, "delivery_id");
    if (!cJSON_IsNumber(id)) {
        *err = "payload has no delivery_id";
        return TS_ERROR;
    }
    int64_t did = (int64_t) id->valuedouble;
    ts_db_result_t *res = ts_db_query(r,
        "SELECT d.id, d.event, d.body, d.status, d.attempts, w.url, w.secret FROM"
        " webhook_deliveries d JOIN webhooks w ON w.tenant_id = d.tenant_id AND w.id ="
        " d.webhook_id WHERE d.tenant_id = {tenant} AND d.id = ?", "i", did);
    if (res == NULL) {
        *err = "database error";
        return TS_ERROR;
    }
    if (ts_db_rows(res) == 0 || strcmp(ts_db_get(res, 0, "status"), "pending") != 0) {
        return TS_OK;   /* delivered, failed or gone meanwhile */
    }
    const char *body = ts_db_get(res, 0, "body"), *secret = ts_db_get(res, 0, "secret");
    const char *headers[6] = { "Content-Type: application/json", NULL };
    int nh = 1;
    headers[nh++] = ts_psprintf(r->pool, "X-Tesoro-Event: %s", ts_db_get(res, 0, "event"));
    headers[nh++] = ts_psprintf(r->pool, "X-Tesoro-Delivery: %lld", (long long) did);
    if (secret != NULL && secret[0] != '\0') {
        char sig[72];
        ts_webhook_sign(secret, body, strlen(body), sig);
        headers[nh++] = ts_psprintf(r->pool, "X-Tesoro-Signature: %s", sig);
    }
    ts_fetch_req_t req = { .method = "POST", .url = ts_db_get(res, 0, "url"), .body = body,
                           .body_len = strlen(body), .headers = headers };
    ts_fetch_res_t out;
    int rc = ts_fetch(r->pool, &req, &out);
    const char *fail = rc != TS_OK ? out.error
                       : out.status < 200 || out.status > 299
                           ? ts_psprintf(r->pool, "the receiver answered %ld", out.status) : NULL;
    int attempts = (int) ts_db_get_int(res, 0, "attempts") + 1;
    if (fail == NULL) {
        ts_db_exec(r, "UPDATE webhook_deliveries SET status = 'delivered', attempts = ?,"
                      " response_status = ?, last_error = NULL, next_attempt_at = NULL,"
                      " delivered_at = NOW(6) WHERE tenant_id = {tenant} AND id = ?", "iii",
                   (int64_t) attempts, (int64_t) out.status, did);
        return TS_OK;
    }
    bool again = attempts < MAX_ATTEMPTS;
    int delay = again ? RETRY_DELAYS[attempts - 1] : 0;
    ts_db_exec(r, "UPDATE webhook_deliveries SET status = ?, attempts = ?, response_status ="
                  " NULLIF(?, 0), last_error = ?, next_attempt_at = IF(? > 0, NOW() + INTERVAL"
                  " ? SECOND, NULL) WHERE tenant_id = {tenant} AND id = ?", "siisiii",
               again ? "pending" : "failed", (int64_t) attempts, (int64_t) out.status,
               ts_psprintf(r->pool, "%.1000s", fail), (int64_t) delay, (int64_t) delay, did);
    if (again) {
        enqueue_delivery(r, did, delay);
    }
    ts_log_warn("webhook delivery %lld failed (attempt %d): %s", (long long) did, attempts, fail);
    return TS_OK;
}

/* ---- the API ---- */

static cJSON *
webhook_json(ts_request_t *r, ts_db_result_t *res, size_t i)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double) ts_db_get_int(res, i, "id"));
    cJSON_AddStringToObject(o, "name", ts_db_get(res, i, "name"));
    cJSON_AddStringToObject(o, "url", ts_db_get(res, i, "url"));
    cJSON *ev = cJSON_AddArrayToObject(o, "events");
    char *list = ts_pstrdup(r->pool, ts_db_get(res, i, "events")), *save = NULL;
    for (char *e = strtok_r(list, " ", &save); e; e = strtok_r(NULL, " ", &save)) {
        cJSON_AddItemToArray(ev, cJSON_CreateString(e));
    }
    const char *secret = ts_db_get(res, i, "secret");
    cJSON_AddBoolToObject(o, "has_secret", secret != NULL && secret[0] != '\0');
    cJSON_AddBoolToObject(o, "active", ts_db_get_int(res, i, "active") != 0);
    cJSON_AddStringToObject(o, "created_at", ts_db_get(res, i, "created_at"));
    return o;
}

static ts_db_result_t *
webhook_by_id(ts_request_t *r, int64_t id)
{
    return ts_db_query(r, "SELECT id, name, url, events, secret, active, created_at FROM webhooks"
                          " WHERE tenant_id = {tenant} AND id = ? AND deleted_at IS NULL", "i", id);
}

const char *const *
ts_webhook_events(void)
{
    return EVENTS;
}

/* Checks the fields of b that are present (all of name, url and events when
 * creating) into f; the events as a space-separated list into list. */
static void
check_fields(ts_request_t *r, const cJSON *b, bool create, cJSON *f, ts_buf_t *list)
{
    const cJSON *jname = cJSON_GetObjectItemCaseSensitive(b, "name");
    const cJSON *jurl = cJSON_GetObjectItemCaseSensitive(b, "url");
    const cJSON *events = cJSON_GetObjectItemCaseSensitive(b, "events");
    const cJSON *secret = cJSON_GetObjectItemCaseSensitive(b, "secret");
    const char *name = cJSON_GetStringValue(jname), *url = cJSON_GetStringValue(jurl);
    if ((create || jname) && (name == NULL || strlen(name) == 0 || strlen(name) > 100)) {
        cJSON_AddStringToObject(f, "name", "required, up to 100 characters");
    }
    if ((create || jurl)
        && (url == NULL || strlen(url) > 2000 || strpbrk(url, " \r\n\t") != NULL
            || (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0))) {
        cJSON_AddStringToObject(f, "url", "an http or https URL");
    }
    ts_buf_init(list, r->pool, 256);
    if ((create || events) && (!cJSON_IsArray(events) || cJSON_GetArraySize(events) == 0)) {
        cJSON_AddStringToObject(f, "events", "a list of event names (or \"*\")");
    }
    for (const cJSON *e = cJSON_IsArray(events) ? events->child : NULL; e; e = e->next) {
        if (!event_known(cJSON_GetStringValue(e))) {
            cJSON_AddStringToObject(f, "events", ts_psprintf(r->pool, "unknown event '%s'",
                                    cJSON_IsString(e) ? e->valuestring : "?"));
            break;
        }
        if (list->len + strlen(e->valuestring) + 1 < 2000) {
            ts_buf_str(list, list->len ? " " : "");
            ts_buf_str(list, e->valuestring);
        }
    }
    ts_buf_add(list, "", 1);
    if (secret != NULL && !cJSON_IsNull(secret)
        && (!cJSON_IsString(secret) || strlen(secret->valuestring) > 200)) {
        cJSON_AddStringToObject(f, "secret", "text up to 200 characters");
    }
}

/* 0 with the new webhook's id; 422 with *fields naming what is wrong. */
int
ts_webhook_create(ts_request_t *r, const cJSON *b, cJSON **fields, int64_t *id_out)
{
    cJSON *f = cJSON_CreateObject();
    ts_buf_t list;
    check_fields(r, b, true, f, &list);
    if (f->child != NULL) {
        *fields = f;
        return 422;
    }
    cJSON_Delete(f);
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "name"));
    const char *url = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "url"));
    const char *secret = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "secret"));
    if (ts_db_exec(r, "INSERT INTO webhooks (tenant_id, name, url, events, secret, created_by)"
                      " VALUES ({tenant}, ?, ?, ?, ?, ?)", "ssssi", name, url, list.data,
                   secret, r->user->id) != TS_OK) {
        return TS_ERROR;
    }
    int64_t id = ts_db_insert_id(r);
    cJSON *a = cJSON_CreateObject();
    cJSON_AddStringToObject(a, "url", url);
    cJSON_AddStringToObject(a, "events", list.data);
    ts_audit(r, "webhook", id, "create", a);
    cJSON_Delete(a);
    *id_out = id;
    return 0;
}

static int
webhooks_create(ts_request_t *r)
{
    cJSON *f = NULL;
    int64_t id = 0;
    int rc = ts_webhook_create(r, ts_req_json(r), &f, &id);
    if (rc == 422) {
        return ts_resp_error(r, 422, "validation_failed", "invalid webhook", f);
    }
    if (rc != 0) {
        return TS_ERROR;
    }
    return ts_resp_data(r, 201, webhook_json(r, webhook_by_id(r, id), 0));
}

/* Changes what b holds of name, url, events, active, secret, and rotate_secret
 * (a new secret, copied to fresh). 0; 404; 422 with *fields; else TS_ERROR. */
int
ts_webhook_update(ts_request_t *r, int64_t id, const cJSON *b, cJSON **fields, char fresh[65])
{
    ts_db_result_t *res = webhook_by_id(r, id);
    if (res == NULL || ts_db_rows(res) == 0) {
        return 404;
    }
    const cJSON *active = cJSON_GetObjectItemCaseSensitive(b, "active");
    const cJSON *rotate = cJSON_GetObjectItemCaseSensitive(b, "rotate_secret");
    cJSON *f = cJSON_CreateObject();
    ts_buf_t list;
    check_fields(r, b, false, f, &list);
    if (active != NULL && !cJSON_IsBool(active)) {
        cJSON_AddStringToObject(f, "active", "true or false");
    }
    if (rotate != NULL && !cJSON_IsBool(rotate)) {
        cJSON_AddStringToObject(f, "rotate_secret", "true to replace the secret");
    }
    if (f->child != NULL) {
        *fields = f;
        return 422;
    }
    cJSON_Delete(f);
    const cJSON *secret = cJSON_GetObjectItemCaseSensitive(b, "secret");
    fresh[0] = '\0';
    if (cJSON_IsTrue(rotate)) {
        ts_random_hex(fresh, 32);
    }
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "name"));
    const char *url = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "url"));
    bool has_events = cJSON_GetObjectItemCaseSensitive(b, "events") != NULL;
    /* NULL keeps a column; the secret: rotated, set, cleared (null) or kept. */
    int set_secret = fresh[0] || secret != NULL;
    int64_t act = active == NULL ? -1 : cJSON_IsTrue(active) ? 1 : 0;
    if (ts_db_exec(r, "UPDATE webhooks SET name = COALESCE(?, name), url = COALESCE(?, url),"
                      " events = COALESCE(?, events), active = IF(? < 0, active, ?),"
                      " secret = IF(?, ?, secret) WHERE tenant_id = {tenant} AND id = ?",
                   "sssiiisi", name, url, has_events ? list.data : NULL, act, act,
                   (int64_t) set_secret,
                   fresh[0] ? fresh : cJSON_GetStringValue(secret), id) != TS_OK) {
        return TS_ERROR;
    }
    cJSON *a = cJSON_CreateObject();
    for (const cJSON *c = b ? b->child : NULL; c; c = c->next) {
        if (c->string && strcmp(c->string, "secret") != 0) {
            cJSON_AddItemToObject(a, c->string, cJSON_Duplicate(c, 1));
        }
    }
    ts_audit(r, "webhook", id, "update", a);
    cJSON_Delete(a);
    return 0;
}

/* PATCH: name, url, events, active, and rotate_secret (a new secret, shown once). */
static int
webhooks_patch(ts_request_t *r)
{
    int64_t id;
    cJSON *f = NULL;
    char fresh[65] = "";
    int rc = ts_req_param_id(r, "id", &id) == TS_OK
        ? ts_webhook_update(r, id, ts_req_json(r), &f, fresh) : 404;
    if (rc == 404) {
        return ts_resp_error(r, 404, "not_found", "no such webhook", NULL);
    }
    if (rc == 422) {
        return ts_resp_error(r, 422, "validation_failed", "invalid webhook", f);
    }
    if (rc != 0) {
        return TS_ERROR;
    }
    cJSON *d = webhook_json(r, webhook_by_id(r, id), 0);
    if (fresh[0]) {
        cJSON_AddStringToObject(d, "secret", fresh);
    }
    return ts_resp_data(r, 200, d);
}

static int
webhooks_list(ts_request_t *r)
{
    ts_db_result_t *res = ts_db_query(r, "SELECT id, name, url, events, secret, active, created_at"
                                         " FROM webhooks WHERE tenant_id = {tenant} AND"
                                         " deleted_at IS NULL ORDER BY id", "");
    if (res == NULL) {
        return TS_ERROR;
    }
    cJSON *items = cJSON_CreateArray();
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        cJSON_AddItemToArray(items, webhook_json(r, res, i));
    }
    return ts_resp_list(r, items, NULL, (long long) ts_db_rows(res));
}

int
ts_webhook_delete(ts_request_t *r, int64_t id)
{
    if (ts_db_exec(r, "UPDATE webhooks SET deleted_at = NOW(), active = 0 WHERE tenant_id ="
                      " {tenant} AND id = ? AND deleted_at IS NULL", "i", id) != TS_OK) {
        return TS_ERROR;
    }
    if (ts_db_affected(r) == 0) {
        return 404;
    }
    return ts_audit(r, "webhook", id, "delete", NULL) == TS_OK ? 0 : TS_ERROR;
}

static int
webhooks_show(ts_request_t *r)
{
    int64_t id;
    ts_db_result_t *res = ts_req_param_id(r, "id", &id) == TS_OK ? webhook_by_id(r, id) : NULL;
    if (res == NULL || ts_db_rows(res) == 0) {
        return ts_resp_error(r, 404, "not_found", "no such webhook", NULL);
    }
    if (r->method == TS_DELETE) {
        return ts_webhook_delete(r, id) == 0 ? ts_resp_no_content(r) : TS_ERROR;
    }
    return ts_resp_data(r, 200, webhook_json(r, res, 0));
}

static int
deliveries_list(ts_request_t *r)
{
    int64_t id;
    ts_db_result_t *w = ts_req_param_id(r, "id", &id) == TS_OK ? webhook_by_id(r, id) : NULL;
    if (w == NULL || ts_db_rows(w) == 0) {
        return ts_resp_error(r, 404, "not_found", "no such webhook", NULL);
    }
    ts_db_result_t *res = ts_db_query(r,
        "SELECT id, event, status, attempts, response_status, last_error, next_attempt_at,"
        " created_at, delivered_at FROM webhook_deliveries WHERE tenant_id = {tenant} AND"
        " webhook_id = ? ORDER BY id DESC LIMIT 200", "i", id);
    if (res == NULL) {
        return TS_ERROR;
    }
    return ts_resp_list(r, ts_db_rows_json(r, res), NULL, (long long) ts_db_rows(res));
}

/* The manual retry of a failed (or still pending) delivery: a fresh count.
 * 0, 404 when there is no such delivery awaiting one, else TS_ERROR. */
int
ts_webhook_retry(ts_request_t *r, int64_t id)
{
    if (ts_db_exec(r, "UPDATE webhook_deliveries SET status = 'pending', attempts = 0,"
                      " next_attempt_at = NULL WHERE tenant_id = {tenant} AND id = ? AND"
                      " status <> 'delivered'", "i", id) != TS_OK) {
        return TS_ERROR;
    }
    if (ts_db_affected(r) == 0) {
        return 404;
    }
    return enqueue_delivery(r, id, 0) == TS_OK ? 0 : TS_ERROR;
}

static int
delivery_retry(ts_request_t *r)
{
    int64_t id;
    int rc = ts_req_param_id(r, "id", &id) == TS_OK ? ts_webhook_retry(r, id) : 404;
    if (rc == 404) {
        return ts_resp_error(r, 404, "not_found", "no such delivery awaiting a retry", NULL);
    }
    if (rc != 0) {
        return TS_ERROR;
    }
    cJSON *d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "id", (double) id);
    cJSON_AddStringToObject(d, "status", "pending");
    return ts_resp_data(r, 202, d);
}

/* tesoro.webhook(url, data) from a script: one signed-less post, no retries. */
static int
post_job(ts_request_t *r, const cJSON *payload, const char **err)
{
    const char *url = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(payload, "url"));
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "event", "script.webhook");
    cJSON_AddStringToObject(b, "timestamp", iso_now(r->pool));
    cJSON_AddStringToObject(b, "tenant", r->tenant->slug);
    cJSON_AddItemToObject(b, "script", cJSON_Duplicate(
        cJSON_GetObjectItemCaseSensitive(payload, "script"), 1));
    cJSON_AddItemToObject(b, "data", cJSON_Duplicate(
        cJSON_GetObjectItemCaseSensitive(payload, "data"), 1));
    char *tmp = cJSON_PrintUnformatted(b);
    char *body = ts_pstrdup(r->pool, tmp);
    cJSON_free(tmp);
    cJSON_Delete(b);
    const char *headers[] = { "Content-Type: application/json", NULL };
    ts_fetch_req_t req = { .method = "POST", .url = url, .body = body, .body_len = strlen(body),
                           .headers = headers };
    ts_fetch_res_t out;
    if (ts_fetch(r->pool, &req, &out) != TS_OK) {
        *err = out.error;
        return TS_ERROR;
    }
    if (out.status < 200 || out.status > 299) {
        *err = ts_psprintf(r->pool, "the receiver answered %ld", out.status);
        return TS_ERROR;
    }
    return TS_OK;
}

int
ts_webhook_routes(ts_plugin_ctx_t *ctx)
{
    int rc = ts_job_register(ctx, "webhook.deliver", deliver_job);
    rc |= ts_job_register(ctx, "webhook.post", post_job);
    rc |= ts_event_on(ctx, "*", on_event);
    rc |= ts_route_add_ex(ctx, TS_GET, "/api/v1/webhooks", webhooks_list, 0, TS_ROLE_ADMIN);
    rc |= ts_route_add_ex(ctx, TS_POST, "/api/v1/webhooks", webhooks_create, 0, TS_ROLE_ADMIN);
    rc |= ts_route_add_ex(ctx, TS_GET | TS_DELETE, "/api/v1/webhooks/{id}", webhooks_show, 0,
                          TS_ROLE_ADMIN);
    rc |= ts_route_add_ex(ctx, TS_PATCH, "/api/v1/webhooks/{id}", webhooks_patch, 0,
                          TS_ROLE_ADMIN);
    rc |= ts_route_add_ex(ctx, TS_GET, "/api/v1/webhooks/{id}/deliveries", deliveries_list, 0,
                          TS_ROLE_ADMIN);
    rc |= ts_route_add_ex(ctx, TS_POST, "/api/v1/webhook-deliveries/{id}/retry", delivery_retry,
                          0, TS_ROLE_ADMIN);
    return rc ? TS_ERROR : TS_OK;
}

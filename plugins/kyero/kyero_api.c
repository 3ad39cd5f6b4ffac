/* The feeds API: configure import feeds, sync them, import an uploaded file, read the runs. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "kyero.h"

#define FEED_COLS "id, name, url, frequency, commission_bp, agent_id, removal, failures," \
                  " last_run_id, created_at, updated_at"

static const char *const feed_fields[] = { "name", "url", "frequency", "commission", "agent_id",
                                           "removal" };


static cJSON *
fields_add(cJSON *f, const char *k, const char *msg)
{
    if (cJSON_GetObjectItemCaseSensitive(f, k) == NULL) {
        cJSON_AddStringToObject(f, k, msg);
    }
    return f;
}

static bool
one_of(const char *v, const char *const *list, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++) {
        if (strcmp(v, list[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* Validates a create (all fields) or a patch (those present): TS_OK, TS_DECLINED with the
 * invalid fields in *fields, or TS_ERROR. */
int
kyero_feed_input(ts_request_t *r, const cJSON *j, bool create, kyero_feed_in_t *in,
                 cJSON **fields)
{
    memset(in, 0, sizeof(*in));
    *fields = NULL;
    cJSON *f = cJSON_CreateObject();
    for (const cJSON *e = j->child; e; e = e->next) {
        if (!one_of(e->string, feed_fields, sizeof(feed_fields) / sizeof(feed_fields[0]))) {
            fields_add(f, e->string, "unknown field");
        }
    }
    const cJSON *v;
    if ((v = cJSON_GetObjectItemCaseSensitive(j, "name")) != NULL || create) {
        in->name = cJSON_GetStringValue(v);
        if (in->name == NULL || *in->name == '\0' || strlen(in->name) > 100) {
            fields_add(f, "name", "required, at most 100 characters");
        }
    }
    if ((v = cJSON_GetObjectItemCaseSensitive(j, "url")) != NULL) {
        in->has_url = true;
        in->url = cJSON_IsNull(v) ? NULL : cJSON_GetStringValue(v);
        if (!cJSON_IsNull(v) && (in->url == NULL || strlen(in->url) > 1000
                                 || (strncasecmp(in->url, "http://", 7) != 0
                                     && strncasecmp(in->url, "https://", 8) != 0))) {
            fields_add(f, "url", "an http or https URL of at most 1000 characters");
        }
    }
    static const char *const freqs[] = { "hourly", "daily", "manual" };
    if ((v = cJSON_GetObjectItemCaseSensitive(j, "frequency")) != NULL) {
        in->frequency = cJSON_GetStringValue(v);
        if (!one_of(in->frequency, freqs, 3)) {
            fields_add(f, "frequency", "hourly, daily or manual");
        }
    } else if (create) {
        in->frequency = "daily";
    }
    static const char *const removals[] = { "removed_by_feed", "off_market", "ignore" };
    if ((v = cJSON_GetObjectItemCaseSensitive(j, "removal")) != NULL) {
        in->removal = cJSON_GetStringValue(v);
        if (!one_of(in->removal, removals, 3)) {
            fields_add(f, "removal", "removed_by_feed, off_market or ignore");
        }
    } else if (create) {
        in->removal = "removed_by_feed";
    }
    if ((v = cJSON_GetObjectItemCaseSensitive(j, "commission")) != NULL) {
        in->has_commission = true;
        in->commission_bp = -1;
        if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= 100) {
            in->commission_bp = (int64_t) llround(v->valuedouble * 100);
        } else if (!cJSON_IsNull(v)) {
            fields_add(f, "commission", "a percentage from 0 to 100");
        }
    }
    if ((v = cJSON_GetObjectItemCaseSensitive(j, "agent_id")) != NULL) {
        in->has_agent = true;
        if (cJSON_IsNumber(v) && v->valuedouble >= 1 && v->valuedouble < 9e15) {
            in->agent_id = (int64_t) v->valuedouble;
            ts_db_result_t *u = ts_db_query(r, "SELECT id FROM users WHERE tenant_id = {tenant}"
                                               " AND id = ?", "i", in->agent_id);
            if (u == NULL) {
                cJSON_Delete(f);
                return TS_ERROR;
            }
            if (ts_db_rows(u) == 0) {
                fields_add(f, "agent_id", "no such user");
            }
        } else if (!cJSON_IsNull(v)) {
            fields_add(f, "agent_id", "a user id");
        }
    }
    if (f->child != NULL) {
        *fields = f;
        return TS_DECLINED;
    }
    cJSON_Delete(f);
    return TS_OK;
}

/* The API's answer to kyero_feed_input: 0 when valid, else the status answered. */
static int
feed_input(ts_request_t *r, bool create, kyero_feed_in_t *in)
{
    const cJSON *j = ts_req_json(r);
    if (!cJSON_IsObject(j)) {
        return ts_resp_error(r, 400, "bad_body", "a JSON object is required", NULL);
    }
    cJSON *fields;
    int rc = kyero_feed_input(r, j, create, in, &fields);
    if (rc == TS_DECLINED) {
        return ts_resp_error(r, 422, "validation_failed", "some fields are invalid", fields);
    }
    return rc == TS_OK ? 0 : TS_ERROR;
}

/* The feed's schedule follows its frequency; a feed's minute is spread by its id. */
static int
feed_schedule(ts_request_t *r, int64_t id, const char *frequency)
{
    char name[64], cron[32];
    snprintf(name, sizeof(name), "kyero.feed.%lld", (long long) id);
    if (frequency == NULL || strcmp(frequency, "manual") == 0) {
        return ts_db_exec(r, "DELETE FROM job_schedules WHERE tenant_id = {tenant} AND name = ?",
                          "s", name);
    }
    if (strcmp(frequency, "hourly") == 0) {
        snprintf(cron, sizeof(cron), "%d * * * *", (int) (id % 60));
    } else {
        snprintf(cron, sizeof(cron), "%d %d * * *", (int) (id % 60), (int) (3 + id % 3));
    }
    cJSON *payload = cJSON_CreateObject();
    cJSON_AddNumberToObject(payload, "feed_id", (double) id);
    int rc = ts_job_schedule(r, name, "kyero.sync", cron, payload);
    cJSON_Delete(payload);
    return rc;
}

static cJSON *
feed_json(ts_request_t *r, int64_t id)
{
    ts_db_result_t *res = ts_db_query(r, "SELECT " FEED_COLS " FROM kyero_feeds WHERE tenant_id"
                                         " = {tenant} AND id = ? AND deleted_at IS NULL", "i", id);
    if (res == NULL || ts_db_rows(res) == 0) {
        return NULL;
    }
    cJSON *o = ts_db_row_json(r, res, 0);
    ts_db_result_t *run = ts_db_query(r, "SELECT id, status, received, created, updated,"
                                         " unchanged, withdrawn, rejected, error, error_line,"
                                         " error_column, started_at, finished_at, duration_ms"
                                         " FROM kyero_runs WHERE tenant_id = {tenant} AND"
                                         " feed_id = ? ORDER BY id DESC LIMIT 1", "i", id);
    if (run != NULL && ts_db_rows(run) == 1) {
        cJSON_AddItemToObject(o, "last_run", ts_db_row_json(r, run, 0));
    } else {
        cJSON_AddNullToObject(o, "last_run");
    }
    return o;
}

static int
feed_id_param(ts_request_t *r, int64_t *id)
{
    if (ts_req_param_id(r, "id", id) != TS_OK) {
        return ts_resp_error(r, 404, "not_found", "no such feed", NULL);
    }
    ts_db_result_t *res = ts_db_query(r, "SELECT id FROM kyero_feeds WHERE tenant_id = {tenant}"
                                         " AND id = ? AND deleted_at IS NULL", "i", *id);
    if (res == NULL) {
        return TS_ERROR;
    }
    return ts_db_rows(res) ? 0 : ts_resp_error(r, 404, "not_found", "no such feed", NULL);
}

static int
feeds_create(ts_request_t *r)
{
    kyero_feed_in_t in;
    int rc = feed_input(r, true, &in);
    if (rc != 0) {
        return rc;
    }
    int64_t id;
    if (kyero_feed_create(r, &in, &id) != TS_OK) {
        return TS_ERROR;
    }
    cJSON *feed = feed_json(r, id);
    return feed ? ts_resp_data(r, 201, feed) : TS_ERROR;
}

int
kyero_feed_create(ts_request_t *r, const kyero_feed_in_t *in, int64_t *id)
{
    if (ts_db_begin(r) != TS_OK
        || ts_db_exec(r, "INSERT INTO kyero_feeds (tenant_id, name, url, frequency, commission_bp,"
                         " agent_id, removal, created_by) VALUES ({tenant}, ?, ?, ?,"
                         " NULLIF(?, -1), NULLIF(?, 0), ?, ?)", "sssiisi", in->name, in->url,
                      in->frequency, in->has_commission ? in->commission_bp : -1, in->agent_id,
                      in->removal, r->user->id) != TS_OK) {
        ts_db_rollback(r);
        return TS_ERROR;
    }
    *id = ts_db_insert_id(r);
    if (feed_schedule(r, *id, in->url ? in->frequency : "manual") != TS_OK) {
        ts_db_rollback(r);
        return TS_ERROR;
    }
    cJSON *feed = feed_json(r, *id);
    ts_audit(r, "kyero_feed", *id, "create", feed);
    cJSON_Delete(feed);
    return ts_db_commit(r);
}

int
kyero_feed_enqueue(ts_request_t *r, int64_t id)
{
    cJSON *payload = cJSON_CreateObject();
    cJSON_AddNumberToObject(payload, "feed_id", (double) id);
    int rc = ts_job_enqueue(r, "kyero.sync", payload, 0);
    cJSON_Delete(payload);
    return rc;
}

static int
feeds_update(ts_request_t *r)
{
    int64_t id;
    kyero_feed_in_t in;
    int rc = feed_id_param(r, &id);
    if (rc != 0 || (rc = feed_input(r, false, &in)) != 0) {
        return rc;
    }
    cJSON *before = feed_json(r, id);
    if (ts_db_begin(r) != TS_OK
        || ts_db_exec(r, "UPDATE kyero_feeds SET name = COALESCE(?, name),"
                         " url = IF(?, ?, url), frequency = COALESCE(?, frequency),"
                         " commission_bp = IF(?, NULLIF(?, -1), commission_bp),"
                         " agent_id = IF(?, NULLIF(?, 0), agent_id), removal = COALESCE(?, removal),"
                         " etag = IF(?, NULL, etag), last_modified = IF(?, NULL, last_modified)"
                         " WHERE tenant_id = {tenant} AND id = ?", "sissiiiisiii", in.name,
                      (int64_t) in.has_url, in.url, in.frequency, (int64_t) in.has_commission,
                      in.commission_bp, (int64_t) in.has_agent, in.agent_id, in.removal,
                      (int64_t) in.has_url, (int64_t) in.has_url, id) != TS_OK) {
        ts_db_rollback(r);
        cJSON_Delete(before);
        return TS_ERROR;
    }
    cJSON *after = feed_json(r, id);
    const char *url = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(after, "url"));
    const char *freq = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(after, "frequency"));
    cJSON *changes = cJSON_CreateObject();
    for (cJSON *e = after->child; e; e = e->next) {
        cJSON *old = cJSON_GetObjectItemCaseSensitive(before, e->string);
        if (strcmp(e->string, "last_run") != 0 && strcmp(e->string, "updated_at") != 0
            && !cJSON_Compare(old, e, 1)) {
            cJSON *pair = cJSON_CreateArray();
            cJSON_AddItemToArray(pair, cJSON_Duplicate(old, 1));
            cJSON_AddItemToArray(pair, cJSON_Duplicate(e, 1));
            cJSON_AddItemToObject(changes, e->string, pair);
        }
    }
    cJSON_Delete(before);
    ts_audit(r, "kyero_feed", id, "update", changes);
    cJSON_Delete(changes);
    if (feed_schedule(r, id, url ? freq : "manual") != TS_OK || ts_db_commit(r) != TS_OK) {
        ts_db_rollback(r);
        cJSON_Delete(after);
        return TS_ERROR;
    }
    return ts_resp_data(r, 200, after);
}

static int
feeds_delete(ts_request_t *r)
{
    int64_t id;
    int rc = feed_id_param(r, &id);
    if (rc != 0) {
        return rc;
    }
    if (ts_db_begin(r) != TS_OK
        || ts_db_exec(r, "UPDATE kyero_feeds SET deleted_at = NOW() WHERE tenant_id = {tenant}"
                         " AND id = ?", "i", id) != TS_OK
        || feed_schedule(r, id, "manual") != TS_OK
        || ts_audit(r, "kyero_feed", id, "delete", NULL) != TS_OK || ts_db_commit(r) != TS_OK) {
        ts_db_rollback(r);
        return TS_ERROR;
    }
    return ts_resp_no_content(r);
}

static int
feeds_show(ts_request_t *r)
{
    int64_t id;
    int rc = feed_id_param(r, &id);
    if (rc != 0) {
        return rc;
    }
    cJSON *o = feed_json(r, id);
    return o ? ts_resp_data(r, 200, o) : TS_ERROR;
}

static int
feeds_list(ts_request_t *r)
{
    ts_db_result_t *res = ts_db_query(r, "SELECT id FROM kyero_feeds WHERE tenant_id = {tenant}"
                                         " AND deleted_at IS NULL ORDER BY id", "");
    if (res == NULL) {
        return TS_ERROR;
    }
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        cJSON *o = feed_json(r, ts_db_get_int(res, i, "id"));
        if (o != NULL) {
            cJSON_AddItemToArray(a, o);
        }
    }
    return ts_resp_list(r, a, NULL, (long long) ts_db_rows(res));
}

static int
feeds_sync(ts_request_t *r)
{
    int64_t id;
    int rc = feed_id_param(r, &id);
    if (rc != 0) {
        return rc;
    }
    if (kyero_feed_enqueue(r, id) != TS_OK) {
        return TS_ERROR;
    }
    cJSON *d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "feed_id", (double) id);
    cJSON_AddBoolToObject(d, "queued", 1);
    return ts_resp_data(r, 202, d);
}

/* A one-off file for a feed: imported at once, the report in the answer. */
static int
feeds_import(ts_request_t *r)
{
    int64_t id;
    int rc = feed_id_param(r, &id);
    if (rc != 0) {
        return rc;
    }
    const ts_part_t *part = ts_req_file(r, "file");
    if (part == NULL || part->filename == NULL) {
        cJSON *f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "file", "a Kyero XML file is required");
        return ts_resp_error(r, 422, "validation_failed", "no file", f);
    }
    int fd = -1;
    FILE *tmp = NULL;
    if (part->path != NULL) {
        fd = open(part->path, O_RDONLY | O_CLOEXEC);
    } else if ((tmp = tmpfile()) != NULL) {
        if (part->size > 0 && fwrite(part->data, 1, part->size, tmp) != part->size) {
            fclose(tmp);
            return TS_ERROR;
        }
        fflush(tmp);
        fd = fileno(tmp);
        lseek(fd, 0, SEEK_SET);
    }
    if (fd < 0) {
        return TS_ERROR;
    }
    cJSON *report = NULL;
    rc = kyero_import_run(r, id, fd, ts_psprintf(r->pool, "upload: %s", part->filename),
                          &report);
    if (tmp != NULL) {
        fclose(tmp);
    } else {
        close(fd);
    }
    return rc == TS_OK ? ts_resp_data(r, 200, report) : TS_ERROR;
}

static int
runs_list(ts_request_t *r)
{
    int64_t id;
    int rc = feed_id_param(r, &id);
    if (rc != 0) {
        return rc;
    }
    const char *lim = ts_req_query(r, "limit");
    long limit = lim ? strtol(lim, NULL, 10) : 50;
    if (limit < 1 || limit > 500) {
        cJSON *f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "limit", "1 to 500");
        return ts_resp_error(r, 422, "validation_failed", "bad limit", f);
    }
    ts_db_result_t *res = ts_db_query(r, "SELECT id, feed_id, status, source, received, created,"
                                         " updated, unchanged, withdrawn, rejected, error,"
                                         " error_line, error_column, report, started_at,"
                                         " finished_at, duration_ms FROM kyero_runs"
                                         " WHERE tenant_id = {tenant} AND feed_id = ?"
                                         " ORDER BY id DESC LIMIT ?", "ii", id, (int64_t) limit);
    if (res == NULL) {
        return TS_ERROR;
    }
    cJSON *a = ts_db_rows_json(r, res);
    /* The report column is JSON text: hand it out as JSON. */
    for (cJSON *e = a->child; e; e = e->next) {
        const char *txt = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "report"));
        cJSON *rep = txt ? cJSON_Parse(txt) : NULL;
        cJSON_ReplaceItemInObjectCaseSensitive(e, "report", rep ? rep : cJSON_CreateNull());
    }
    ts_db_result_t *n = ts_db_query(r, "SELECT COUNT(*) AS n FROM kyero_runs WHERE tenant_id ="
                                       " {tenant} AND feed_id = ?", "i", id);
    return ts_resp_list(r, a, NULL, n ? ts_db_get_int(n, 0, "n") : 0);
}

static int
sync_job(ts_request_t *r, const cJSON *payload, const char **err)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(payload, "feed_id");
    if (!cJSON_IsNumber(id)) {
        *err = "the job names no feed";
        return TS_ERROR;
    }
    cJSON *report = NULL;
    int rc = kyero_sync(r, (int64_t) id->valuedouble, &report);
    cJSON_Delete(report);
    if (rc == TS_DECLINED) {
        return TS_OK;   /* the feed was deleted since */
    }
    /* A failed run is logged on the feed and retried by the next cycle, not by the queue. */
    if (rc != TS_OK) {
        *err = "cannot log the feed's run";
    }
    return rc;
}

int
kyero_api_init(ts_plugin_ctx_t *ctx)
{
    if (ts_route_add(ctx, TS_GET, "/api/v1/feeds", feeds_list) != TS_OK
        || ts_route_add_ex(ctx, TS_POST, "/api/v1/feeds", feeds_create, 0, TS_ROLE_MANAGER)
               != TS_OK
        || ts_route_add(ctx, TS_GET, "/api/v1/feeds/{id}", feeds_show) != TS_OK
        || ts_route_add_ex(ctx, TS_PATCH, "/api/v1/feeds/{id}", feeds_update, 0,
                           TS_ROLE_MANAGER) != TS_OK
        || ts_route_add_ex(ctx, TS_DELETE, "/api/v1/feeds/{id}", feeds_delete, 0,
                           TS_ROLE_MANAGER) != TS_OK
        || ts_route_add_ex(ctx, TS_POST, "/api/v1/feeds/{id}/sync", feeds_sync, 0, TS_ROLE_AGENT)
               != TS_OK
        || ts_route_add_ex(ctx, TS_POST, "/api/v1/feeds/{id}/import", feeds_import, 0,
                           TS_ROLE_MANAGER) != TS_OK
        || ts_route_add(ctx, TS_GET, "/api/v1/feeds/{id}/runs", runs_list) != TS_OK) {
        return TS_ERROR;
    }
    return ts_job_register(ctx, "kyero.sync", sync_job);
}

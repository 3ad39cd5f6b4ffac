/* Feed photos into media: an import stores a listing's photos as URL rows (source_url,
 * fetch_state 'pending', in feed order, floor plans tagged) and queues this job. The job
 * fetches each through the core's SSRF-guarded ts_fetch into a temporary file (size cap,
 * timeouts), stores it as an upload is stored (type by content, pixel cap, variants), and
 * marks the row done. A failure is recorded on the row ('failed', the reason) and retried by
 * the job the next sync queues; it never blocks the import. Photos a feed dropped ('purge')
 * lose their row and files here, outside the import's transaction. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "properties.h"

#define PHOTOS_PER_JOB  20              /* the LIMIT below; then the job queues the next one */
#define MAX_FETCH_BYTES (25u << 20)
#define FETCH_TIMEOUT   60000L          /* ms for one photo */

static void
record_failure(ts_request_t *r, int64_t mid, const char *why)
{
    char reason[256];
    snprintf(reason, sizeof(reason), "%s", why);
    ts_db_exec(r, "UPDATE property_media SET fetch_state = 'failed', fetch_error = ?"
                  " WHERE tenant_id = {tenant} AND id = ? AND fetch_state = 'pending'",
               "si", reason, mid);
}

/* One photo: NULL when stored, else why not (recorded on the row by the caller). */
static const char *
fetch_one(ts_request_t *r, int64_t mid, const char *url, bool *stored)
{
    *stored = false;
    char path[] = "/tmp/tesoro-photo-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w+") : NULL;
    if (f == NULL) {
        if (fd >= 0) {
            close(fd);
            unlink(path);
        }
        return ts_psprintf(r->pool, "cannot create a temporary file: %s", strerror(errno));
    }
    ts_fetch_req_t q = { .method = "GET", .url = url, .follow = 1, .file = f,
                         .max_bytes = MAX_FETCH_BYTES, .timeout_ms = FETCH_TIMEOUT,
                         .connect_timeout_ms = 10000 };
    ts_fetch_res_t res;
    const char *why = NULL;
    if (ts_fetch(r->pool, &q, &res) != TS_OK) {
        why = res.error;
    } else if (res.status != 200) {
        why = ts_psprintf(r->pool, "the server answered HTTP %ld", res.status);
    } else if (res.len == 0) {
        why = "the server sent an empty body";
    }
    fclose(f);
    char name[33];
    int w = 0, h = 0;
    if (why == NULL) {
        why = properties_photo_store(r, path, res.len, name, &w, &h);
    }
    unlink(path);
    if (why != NULL) {
        return why;
    }
    /* The row may have been dropped by a newer import meanwhile: then the files go. */
    if (ts_db_exec(r, "UPDATE property_media SET storage_name = ?, mime = 'image/jpeg', size = ?,"
                      " width = ?, height = ?, fetch_state = NULL, fetch_error = NULL"
                      " WHERE tenant_id = {tenant} AND id = ? AND fetch_state = 'pending'",
                   "siiii", name, (int64_t) res.len, (int64_t) w, (int64_t) h, mid) != TS_OK
        || ts_db_affected(r) != 1) {
        cJSON *names = cJSON_CreateArray();
        cJSON_AddItemToArray(names, cJSON_CreateString(name));
        properties_media_remove_files(r, names);
        cJSON_Delete(names);
        return NULL;
    }
    *stored = true;
    return NULL;
}

/* Photos the feed no longer lists: their rows, then their files. */
static int
purge(ts_request_t *r)
{
    ts_db_result_t *res = ts_db_query(r, "SELECT id, storage_name FROM property_media WHERE"
                                         " tenant_id = {tenant} AND fetch_state = 'purge'"
                                         " LIMIT 500", "");
    if (res == NULL) {
        return TS_ERROR;
    }
    cJSON *names = cJSON_CreateArray();
    int rc = TS_OK;
    for (size_t i = 0; i < ts_db_rows(res) && rc == TS_OK; i++) {
        rc = ts_db_exec(r, "DELETE FROM property_media WHERE tenant_id = {tenant} AND id = ?"
                           " AND fetch_state = 'purge'", "i", ts_db_get_int(res, i, "id"));
        const char *name = ts_db_get(res, i, "storage_name");
        if (rc == TS_OK && name != NULL && ts_db_affected(r) == 1) {
            cJSON_AddItemToArray(names, cJSON_CreateString(name));
        }
    }
    properties_media_remove_files(r, names);
    cJSON_Delete(names);
    return rc;
}

int
properties_photo_fetch_job(ts_request_t *r, const cJSON *payload, const char **err)
{
    /* A sync's job gives the photos that failed before another chance. */
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(payload, "retry"))
        && ts_db_exec(r, "UPDATE property_media SET fetch_state = 'pending', fetch_tried_at ="
                         " NULL WHERE tenant_id = {tenant} AND fetch_state = 'failed'", "") != TS_OK) {
        *err = "cannot queue the failed photos again";
        return TS_ERROR;
    }
    if (purge(r) != TS_OK) {
        *err = "cannot remove the photos a feed dropped";
        return TS_ERROR;
    }
    /* Claimed one by one (fetch_tried_at), so two jobs of one tenant share the work; a
     * claim of a job that died expires after 10 minutes. */
    ts_db_result_t *res = ts_db_query(r, "SELECT id, property_id, source_url FROM property_media"
                                         " WHERE tenant_id = {tenant} AND fetch_state = 'pending'"
                                         " AND (fetch_tried_at IS NULL OR fetch_tried_at <"
                                         " NOW() - INTERVAL 10 MINUTE) ORDER BY property_id,"
                                         " position, id LIMIT 20", "");
    if (res == NULL) {
        *err = "cannot read the photos to fetch";
        return TS_ERROR;
    }
    int64_t last_property = 0;
    bool changed = false;
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        int64_t mid = ts_db_get_int(res, i, "id");
        int64_t pid = ts_db_get_int(res, i, "property_id");
        if (ts_db_exec(r, "UPDATE property_media SET fetch_tried_at = NOW(), fetch_attempts ="
                          " fetch_attempts + 1 WHERE tenant_id = {tenant} AND id = ? AND"
                          " fetch_state = 'pending' AND (fetch_tried_at IS NULL OR"
                          " fetch_tried_at < NOW() - INTERVAL 10 MINUTE)", "i", mid) != TS_OK) {
            *err = "cannot claim a photo";
            return TS_ERROR;
        }
        if (ts_db_affected(r) != 1) {
            continue;                     /* another job has it */
        }
        if (pid != last_property && changed) {
            properties_completeness_update(r, last_property);
            changed = false;
        }
        last_property = pid;
        bool stored;
        const char *why = fetch_one(r, mid, ts_db_get(res, i, "source_url"), &stored);
        if (why != NULL) {
            ts_log_info("photo %lld of property %lld not fetched: %s", (long long) mid,
                        (long long) pid, why);
            record_failure(r, mid, why);
        }
        changed |= stored;
    }
    if (changed) {
        properties_completeness_update(r, last_property);
    }
    if (ts_db_rows(res) == PHOTOS_PER_JOB
        && ts_job_enqueue(r, "properties.photo_fetch", NULL, 0) != TS_OK) {
        *err = "cannot queue the next photos";
        return TS_ERROR;
    }
    return TS_OK;
}

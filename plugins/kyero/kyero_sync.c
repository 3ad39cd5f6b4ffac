/* Syncing a feed from its URL: a conditional GET into a temporary file, then the import run.
 * The sync job runs this for scheduled and "sync now" runs; a failure waits for the next cycle. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "kyero.h"

int
kyero_sync(ts_request_t *r, int64_t feed_id, cJSON **report)
{
    *report = NULL;
    ts_db_result_t *res = ts_db_query(r, "SELECT url, etag, last_modified FROM kyero_feeds"
                                         " WHERE tenant_id = {tenant} AND id = ?"
                                         " AND deleted_at IS NULL", "i", feed_id);
    if (res == NULL) {
        return TS_ERROR;
    }
    if (ts_db_rows(res) == 0) {
        return TS_DECLINED;
    }
    const char *url = ts_db_get(res, 0, "url");
    if (url == NULL || *url == '\0') {
        return kyero_run_log(r, feed_id, NULL, "failed",
                             "the feed has no URL: import a file instead", report);
    }
    FILE *tmp = tmpfile();
    if (tmp == NULL) {
        return kyero_run_log(r, feed_id, url, "failed", "cannot create a temporary file",
                             report);
    }
    ts_fetch_req_t q = {
        .method = "GET", .url = url, .follow = 1, .file = tmp, .max_bytes = KYERO_MAX_FETCH,
        .connect_timeout_ms = 10000, .timeout_ms = 300000, .etag = ts_db_get(res, 0, "etag"),
        .last_modified = ts_db_get(res, 0, "last_modified"),
    };
    ts_fetch_res_t fr;
    int rc;
    if (ts_fetch(r->pool, &q, &fr) != TS_OK) {
        rc = kyero_run_log(r, feed_id, url, "failed", fr.error, report);
    } else if (fr.not_modified) {
        rc = kyero_run_log(r, feed_id, url, "unchanged", NULL, report);
    } else if (fr.status != 200) {
        rc = kyero_run_log(r, feed_id, url, "failed",
                           ts_psprintf(r->pool, "the server answered HTTP %ld", fr.status), report);
    } else if (lseek(fileno(tmp), 0, SEEK_SET) != 0) {
        rc = kyero_run_log(r, feed_id, url, "failed", "cannot read the fetched feed", report);
    } else {
        rc = kyero_import_run(r, feed_id, fileno(tmp), url, report);
        const char *status = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(*report,
                                                                                    "status"));
        /* Only a feed imported whole may be skipped next time it is unchanged. */
        if (rc == TS_OK && status != NULL && strcmp(status, "ok") == 0) {
            ts_db_exec(r, "UPDATE kyero_feeds SET etag = ?, last_modified = ?"
                          " WHERE tenant_id = {tenant} AND id = ?", "ssi",
                       fr.etag, fr.last_modified, feed_id);
        }
    }
    fclose(tmp);
    return rc;
}

/* File storage for plugins: the directory, and handing a file to nginx. */
#include <string.h>
#include "ts_core.h"

const char *
ts_storage_dir(void)
{
    return ts_conf && ts_conf->storage_dir ? ts_conf->storage_dir : "var/storage";
}

int
ts_resp_storage_file(ts_request_t *r, const char *rel, const char *content_type,
                     const char *disposition)
{
    /* Names come from the plugin, never the client; still, no way out. */
    if (rel == NULL || *rel == '\0' || *rel == '/' || strstr(rel, "..") != NULL
        || strpbrk(rel, "\r\n?#%") != NULL) {
        ts_log_error("storage file refused: %s", rel ? rel : "(null)");
        return TS_ERROR;
    }
    if (ts_resp_header(r, "X-Accel-Redirect", ts_psprintf(r->pool, "/_files/%s", rel)) != TS_OK
        || ts_resp_header(r, "X-Content-Type-Options", "nosniff") != TS_OK
        || (disposition && ts_resp_header(r, "Content-Disposition", disposition) != TS_OK)) {
        return TS_ERROR;
    }
    return ts_resp_body(r, 200, content_type, "", 0);
}

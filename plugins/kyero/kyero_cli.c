/* The plugin's CLI commands: `feed import` in the foreground, `portal connect` for a portal. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "kyero.h"

static const char *
opt(int argc, char **argv, const char *name)
{
    for (int i = 0; i + 1 < argc; i++) {
        if (strcmp(argv[i], name) == 0) {
            return argv[i + 1];
        }
    }
    return NULL;
}

/* The n-th word that is neither an option nor an option's value. */
static const char *
word(int argc, char **argv, int n)
{
    for (int i = 0, seen = 0; i < argc; i++) {
        if (strncmp(argv[i], "--", 2) == 0) {
            i++;
            continue;
        }
        if (seen++ == n) {
            return argv[i];
        }
    }
    return NULL;
}

static int
usage(const char *msg)
{
    fprintf(stderr, "tesoro: %s\n", msg);
    return 1;
}

static void
print_json(cJSON *j)
{
    char *s = cJSON_Print(j);
    puts(s ? s : "null");
    cJSON_free(s);
}

/* The feed named by --feed, else the tenant's feed of this URL or file name (made if new). */
static int64_t
feed_for(ts_request_t *r, const char *feed, const char *src, bool is_url)
{
    if (feed != NULL) {
        ts_db_result_t *res = ts_db_query(r, "SELECT id FROM kyero_feeds WHERE tenant_id ="
                                             " {tenant} AND id = ? AND deleted_at IS NULL", "i",
                                          (int64_t) strtoll(feed, NULL, 10));
        return res && ts_db_rows(res) ? ts_db_get_int(res, 0, "id") : 0;
    }
    const char *base = strrchr(src, '/') ? strrchr(src, '/') + 1 : src;
    const char *name = is_url ? src : base;
    char cut[101];
    snprintf(cut, sizeof(cut), "%s", name);
    ts_db_result_t *res = ts_db_query(r, "SELECT id FROM kyero_feeds WHERE tenant_id = {tenant}"
                                         " AND deleted_at IS NULL AND (url = ? OR (url IS NULL"
                                         " AND name = ?)) ORDER BY id LIMIT 1", "ss",
                                      is_url ? src : NULL, cut);
    if (res == NULL) {
        return 0;
    }
    if (ts_db_rows(res) == 1) {
        return ts_db_get_int(res, 0, "id");
    }
    if (ts_db_exec(r, "INSERT INTO kyero_feeds (tenant_id, name, url, frequency) VALUES"
                      " ({tenant}, ?, ?, 'manual')", "ss", cut, is_url ? src : NULL) != TS_OK) {
        return 0;
    }
    return ts_db_insert_id(r);
}

static int
feed_import(ts_request_t *r, int argc, char **argv, int json)
{
    (void) json;
    const char *src = word(argc, argv, 2);
    if (r->tenant == NULL || src == NULL) {
        return usage("feed import --tenant SLUG [--feed ID] FILE_OR_URL");
    }
    bool is_url = strncasecmp(src, "http://", 7) == 0 || strncasecmp(src, "https://", 8) == 0;
    int64_t feed = feed_for(r, opt(argc, argv, "--feed"), src, is_url);
    if (feed == 0) {
        return usage("--feed: no such feed of this tenant");
    }
    cJSON *report = NULL;
    int rc;
    if (is_url) {
        /* A URL given here replaces the feed's own for this run only. */
        ts_db_exec(r, "UPDATE kyero_feeds SET url = COALESCE(url, ?) WHERE tenant_id = {tenant}"
                      " AND id = ?", "si", src, feed);
        rc = kyero_sync(r, feed, &report);
    } else {
        int fd = open(src, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            rc = kyero_run_log(r, feed, src, "failed", "cannot open the file", &report);
        } else {
            rc = kyero_import_run(r, feed, fd, src, &report);
            close(fd);
        }
    }
    if (rc != TS_OK || report == NULL) {
        cJSON_Delete(report);
        return usage("the run could not be logged (database error)");
    }
    print_json(report);
    const char *status = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(report, "status"));
    int failed = status == NULL || strcmp(status, "failed") == 0;
    cJSON_Delete(report);
    return failed ? 3 : 0;
}

static int
portal_connect(ts_request_t *r, int argc, char **argv, int json)
{
    const char *portal = word(argc, argv, 2);
    if (r->tenant == NULL || portal == NULL) {
        return usage("portal connect kyero|idealista --tenant SLUG [--customer-code CODE]");
    }
    cJSON *settings = cJSON_CreateObject();
    if (opt(argc, argv, "--customer-code") != NULL) {
        cJSON_AddStringToObject(settings, "customer_code", opt(argc, argv, "--customer-code"));
    }
    char *url = NULL;
    int rc = kyero_portal_connect(r, portal, settings, &url);
    cJSON_Delete(settings);
    if (rc == TS_DECLINED) {
        return usage("portal connect: kyero or idealista");
    }
    if (rc != TS_OK) {
        return usage("cannot store the connection (database error)");
    }
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "portal", portal);
        cJSON_AddStringToObject(o, "feed_url", url);
        print_json(o);
        cJSON_Delete(o);
    } else {
        printf("%s connected for %s; its feed (the URL is the secret, shown once):\n%s\n",
               portal, r->tenant->slug, url);
    }
    return 0;
}

int
kyero_cli_init(ts_plugin_ctx_t *ctx)
{
    if (ts_cli_register(ctx, "feed import", "feed import --tenant SLUG [--feed ID] FILE_OR_URL"
                        "   one Kyero import run, its report as JSON", feed_import) != TS_OK) {
        return TS_ERROR;
    }
    return ts_cli_register(ctx, "portal connect", "portal connect kyero|idealista --tenant SLUG"
                           " [--customer-code C]   prints the portal's feed URL", portal_connect);
}

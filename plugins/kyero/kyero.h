/* The kyero plugin's own interfaces between its files. */
#ifndef KYERO_H
#define KYERO_H

#include <stdbool.h>
#include <tesoro/plugin.h>

/* Fetched feeds and local files larger than these are refused before parsing. */
#define KYERO_MAX_FETCH  (256u << 20)
#define KYERO_MAX_FILE   (1024u << 20)

/* One import run of feed_id from the open file fd. The report (run id, counts, errors) is
 * set for every run that was logged, failed ones included; TS_ERROR only when not even the
 * run could be logged. */
int kyero_import_run(ts_request_t *r, int64_t feed_id, int fd, const char *source,
                     cJSON **report);
/* Fetches the feed's URL (conditionally) and imports it: what the sync job runs. */
int kyero_sync(ts_request_t *r, int64_t feed_id, cJSON **report);
/* Logs a run that failed before parsing (a fetch error) or was unchanged (304). */
int kyero_run_log(ts_request_t *r, int64_t feed_id, const char *source, const char *status,
                  const char *error, cJSON **report);

/* A feed's settings as the API and the feed manager page take them. */
typedef struct {
    const char *name, *url, *frequency, *removal;
    bool has_url, has_commission, has_agent;
    int64_t commission_bp, agent_id;   /* -1 / 0 for none */
} kyero_feed_in_t;
int kyero_feed_input(ts_request_t *r, const cJSON *j, bool create, kyero_feed_in_t *in,
                     cJSON **fields);
int kyero_feed_create(ts_request_t *r, const kyero_feed_in_t *in, int64_t *id);
int kyero_feed_enqueue(ts_request_t *r, int64_t id);

int kyero_api_init(ts_plugin_ctx_t *ctx);
int kyero_ui_init(ts_plugin_ctx_t *ctx);
int kyero_cli_init(ts_plugin_ctx_t *ctx);
int kyero_publish_init(ts_plugin_ctx_t *ctx);
int kyero_idealista_init(ts_plugin_ctx_t *ctx);
int kyero_portal_init(ts_plugin_ctx_t *ctx);

/* Portal connections: the tenant's feed token for a portal (kyero_portal.c). */
int kyero_portal_connect(ts_request_t *r, const char *portal, const cJSON *settings,
                         char **url_out);
/* Resolves /feeds/{tenant}/{portal}/{token}: sets the request's tenant, TS_DECLINED when
 * the tenant, portal or token does not match. */
int kyero_portal_check(ts_request_t *r, const char *portal, const char *token);
const char *kyero_portal_setting(ts_request_t *r, const char *portal, const char *key);

#endif

/* A plugin that loads: one route. */
#include <tesoro/plugin.h>
static int good_show(ts_request_t *r) { return ts_resp_body(r, 200, "text/plain", "good", 4); }
static int good_init(ts_plugin_ctx_t *ctx) { return ts_route_add(ctx, TS_GET, "/good", good_show); }
TS_PLUGIN(good, .version = "1.2", .init = good_init);

/* Loads only after good. */
#include <tesoro/plugin.h>
static int needs_good_show(ts_request_t *r) { return ts_resp_body(r, 200, "text/plain", "ok", 2); }
static int needs_good_init(ts_plugin_ctx_t *ctx) { return ts_route_add(ctx, TS_GET, "/needs-good", needs_good_show); }
TS_PLUGIN(needs_good, .version = "1.0", .requires = "good", .init = needs_good_init);

/* Registers a route, then fails: the route must not survive. */
#include <tesoro/plugin.h>
static int init_fails_show(ts_request_t *r) { return ts_resp_body(r, 200, "text/plain", "no", 2); }
static int init_fails_init(ts_plugin_ctx_t *ctx)
{
    ts_route_add(ctx, TS_GET, "/init-fails", init_fails_show);
    return TS_ERROR;
}
TS_PLUGIN(init_fails, .version = "1.0", .init = init_fails_init);

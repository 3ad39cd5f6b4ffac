/* Built for a future ABI. */
#include <tesoro/plugin.h>
static int bad_abi_init(ts_plugin_ctx_t *ctx) { (void) ctx; return TS_OK; }
__attribute__((visibility("default"))) const ts_plugin_t ts_plugin = {
    .abi = TS_ABI_VERSION + 1, .size = sizeof(ts_plugin_t), .name = "bad_abi", .init = bad_abi_init,
};

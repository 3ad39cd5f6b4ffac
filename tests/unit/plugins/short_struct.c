/* A descriptor shorter than this ABI's. */
#include <tesoro/plugin.h>
static int short_struct_init(ts_plugin_ctx_t *ctx) { (void) ctx; return TS_OK; }
__attribute__((visibility("default"))) const ts_plugin_t ts_plugin = {
    .abi = TS_ABI_VERSION, .size = 8, .name = "short_struct", .init = short_struct_init,
};

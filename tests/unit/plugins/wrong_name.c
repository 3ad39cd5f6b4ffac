/* Its file says wrong_name, its descriptor says another. */
#include <tesoro/plugin.h>
static int wrong_name_init(ts_plugin_ctx_t *ctx) { (void) ctx; return TS_OK; }
TS_PLUGIN(impostor, .version = "1.0", .init = wrong_name_init);

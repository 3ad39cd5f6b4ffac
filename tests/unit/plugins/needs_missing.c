/* Requires a plugin that is never loaded. */
#include <tesoro/plugin.h>
static int needs_missing_init(ts_plugin_ctx_t *ctx) { (void) ctx; return TS_OK; }
TS_PLUGIN(needs_missing, .version = "1.0", .requires = "good nowhere", .init = needs_missing_init);

/* properties: the agency's portfolio. This file holds the descriptor and the
 * registrations; each feature lives in its own properties_*.c file. */
#include <tesoro/plugin.h>

static int
properties_init(ts_plugin_ctx_t *ctx)
{
    (void) ctx;
    return TS_OK;
}

TS_PLUGIN(properties, .version = "0.1", .requires = "contacts", .init = properties_init);

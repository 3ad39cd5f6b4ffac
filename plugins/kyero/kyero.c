/* kyero: Kyero v3 XML feed import, and the feeds this install publishes to the portals
 * (Kyero v3 XML, Idealista JSON). This file holds the descriptor and the registrations. */
#include "kyero.h"

static int
kyero_init(ts_plugin_ctx_t *ctx)
{
    if (kyero_api_init(ctx) != TS_OK || kyero_cli_init(ctx) != TS_OK
        || kyero_ui_init(ctx) != TS_OK || kyero_publish_init(ctx) != TS_OK
        || kyero_portal_init(ctx) != TS_OK || kyero_idealista_init(ctx) != TS_OK) {
        return TS_ERROR;
    }
    return TS_OK;
}

TS_PLUGIN(kyero, .version = "1.0", .requires = "properties", .init = kyero_init);

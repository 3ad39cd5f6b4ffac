/* contacts: leads, contacts and relations, their activities, tags and saved
 * views. This file holds the descriptor and the registrations. */
#include <tesoro/plugin.h>

static int
contacts_init(ts_plugin_ctx_t *ctx)
{
    (void) ctx;
    return TS_OK;
}

TS_PLUGIN(contacts, .version = "0.1", .init = contacts_init);

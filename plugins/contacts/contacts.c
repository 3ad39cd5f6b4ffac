/* contacts: leads, contacts and relations, their activities, tags and saved
 * views. This file holds the descriptor and the registrations. */
#include <tesoro/plugin.h>
#include "contacts_import.h"

static int
contacts_init(ts_plugin_ctx_t *ctx)
{
    (void) ctx;
    return contacts_import_routes(ctx);
}

TS_PLUGIN(contacts, .version = "0.1", .init = contacts_init);

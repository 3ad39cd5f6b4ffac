/* contacts: leads, contacts and relations, their activities, tags and saved
 * views. This file holds the descriptor and the registrations, one per file. */
#include <tesoro/plugin.h>
#include "contacts.h"
#include "contacts_import.h"

static int
contacts_init(ts_plugin_ctx_t *ctx)
{
    if (contacts_records_routes(ctx) != TS_OK || contacts_lists_routes(ctx) != TS_OK
        || contacts_views_routes(ctx) != TS_OK || contacts_activities_routes(ctx) != TS_OK
        || contacts_actions_routes(ctx) != TS_OK || contacts_export_routes(ctx) != TS_OK
        || contacts_gdpr_routes(ctx) != TS_OK || contacts_ui_routes(ctx) != TS_OK) {
        return TS_ERROR;
    }
    return contacts_import_routes(ctx);
}

TS_PLUGIN(contacts, .version = "0.2", .init = contacts_init);

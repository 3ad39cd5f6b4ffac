/* deals: buyer and owner pipelines, the board, stage history, batch updates,
 * the dashboard. This file holds the descriptor and the registrations. */
#include "deals_ui.h"

static const struct {
    unsigned     methods;
    const char  *pattern;
    ts_handler_t fn;
    unsigned     flags;
    ts_role_t    role;
} routes[] = {
    { TS_GET, "/api/v1/deals", deals_list, TS_ROUTE_CACHE, TS_ROLE_VIEWER },
    { TS_POST, "/api/v1/deals", deals_create, 0, TS_ROLE_AGENT },
    { TS_GET, "/api/v1/deals/board", deals_board, TS_ROUTE_CACHE, TS_ROLE_VIEWER },
    { TS_POST, "/api/v1/deals/batch", deals_batch, 0, TS_ROLE_AGENT },
    { TS_GET, "/api/v1/deals/funnel", deals_funnel, 0, TS_ROLE_MANAGER },
    { TS_GET, "/api/v1/deals/settings", deals_settings_show, 0, TS_ROLE_VIEWER },
    { TS_PATCH, "/api/v1/deals/settings", deals_settings_patch, 0, TS_ROLE_ADMIN },
    { TS_GET, "/api/v1/deals/{id}", deals_show, 0, TS_ROLE_VIEWER },
    { TS_PATCH, "/api/v1/deals/{id}", deals_patch, 0, TS_ROLE_AGENT },
    { TS_DELETE, "/api/v1/deals/{id}", deals_delete, 0, TS_ROLE_MANAGER },
    { TS_GET, "/api/v1/deals/{id}/history", deals_history, 0, TS_ROLE_VIEWER },
    { TS_GET, "/api/v1/deals/{id}/matches", deals_matches, 0, TS_ROLE_VIEWER },
    { TS_GET, "/api/v1/deals/{id}/activities", deals_activities, 0, TS_ROLE_VIEWER },
    { TS_POST, "/api/v1/deals/{id}/activities", deals_activity_create, 0, TS_ROLE_AGENT },
    { TS_GET, "/deals", deals_page_board, TS_ROUTE_HTML, TS_ROLE_VIEWER },
    { TS_GET, "/deals/list", deals_page_list, TS_ROUTE_HTML, TS_ROLE_VIEWER },
    { TS_POST, "/deals/list/batch", deals_page_batch, TS_ROUTE_HTML, TS_ROLE_AGENT },
    { TS_POST, "/deals/list/views", deals_page_save_view, TS_ROUTE_HTML, TS_ROLE_VIEWER },
    { TS_GET, "/deals/settings", deals_page_settings, TS_ROUTE_HTML, TS_ROLE_ADMIN },
    { TS_POST, "/deals/settings", deals_page_settings_save, TS_ROUTE_HTML, TS_ROLE_ADMIN },
    { TS_GET, "/deals/dashboard", deals_page_dashboard, TS_ROUTE_HTML, TS_ROLE_VIEWER },
    { TS_GET, "/deals/new", deals_page_new, TS_ROUTE_HTML, TS_ROLE_AGENT },
    { TS_POST, "/deals/new", deals_page_create, TS_ROUTE_HTML, TS_ROLE_AGENT },
    { TS_GET, "/deals/{id}", deals_page_show, TS_ROUTE_HTML, TS_ROLE_VIEWER },
    { TS_POST, "/deals/{id}/stage", deals_page_stage, TS_ROUTE_HTML, TS_ROLE_AGENT },
    { TS_POST, "/deals/{id}/custom", deals_page_custom, TS_ROUTE_HTML, TS_ROLE_AGENT },
    { TS_POST, "/deals/{id}/properties", deals_page_link_property, TS_ROUTE_HTML, TS_ROLE_AGENT },
    { TS_POST, "/deals/{id}/activities", deals_page_activity, TS_ROUTE_HTML, TS_ROLE_AGENT },
};

static int
deals_init(ts_plugin_ctx_t *ctx)
{
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        if (ts_route_add_ex(ctx, routes[i].methods, routes[i].pattern, routes[i].fn,
                            routes[i].flags, routes[i].role) != TS_OK) {
            return TS_ERROR;
        }
    }
    if (ts_view_check_register(ctx, "deals", deals_view_check) != TS_OK) {
        return TS_ERROR;
    }
    return deals_totals_init(ctx);
}

TS_PLUGIN(deals, .version = "1.0", .requires = "contacts properties", .init = deals_init);

/* properties: the agency's portfolio. This file holds the descriptor and the
 * registrations; each feature lives in its own properties_*.c file. */
#include <stdio.h>
#include "properties.h"

static char module_dir[4096];

const char *
properties_module_path(const char *file)
{
    static char path[4200];
    snprintf(path, sizeof(path), "%s/%s", module_dir, file);
    return path;
}

typedef struct {
    unsigned     methods;
    const char  *pattern;
    ts_handler_t handler;
    ts_role_t    role;
    unsigned     flags;
} route_t;

#define P "/api/v1/properties"
static const route_t routes[] = {
    { TS_GET, P, properties_list, TS_ROLE_VIEWER, TS_ROUTE_CACHE },
    { TS_POST, P, properties_create, TS_ROLE_AGENT, 0 },
    { TS_GET, P "/map", properties_map_points, TS_ROLE_VIEWER, 0 },
    { TS_POST, P "/batch", properties_batch, TS_ROLE_MANAGER, 0 },
    { TS_GET, P "/types", properties_types_list, TS_ROLE_VIEWER, 0 },
    { TS_GET, P "/features", properties_features_list, TS_ROLE_VIEWER, 0 },
    { TS_PUT, P "/features/{code}", properties_features_put, TS_ROLE_ADMIN, 0 },
    { TS_GET, P "/settings", properties_settings_show, TS_ROLE_VIEWER, 0 },
    { TS_PUT | TS_PATCH, P "/settings", properties_settings_put, TS_ROLE_ADMIN, 0 },
    { TS_GET, P "/transitions", properties_transitions_list, TS_ROLE_VIEWER, 0 },
    { TS_PUT, P "/transitions", properties_transitions_put, TS_ROLE_ADMIN, 0 },
    { TS_GET, P "/portals", properties_portals_list, TS_ROLE_VIEWER, 0 },
    { TS_POST, P "/portals", properties_portal_add, TS_ROLE_ADMIN, 0 },
    { TS_GET, P "/mls-check", properties_mls_check, TS_ROLE_VIEWER, 0 },
    { TS_POST, P "/mls-check/depublish", properties_mls_depublish, TS_ROLE_MANAGER, 0 },
    { TS_GET, P "/projects", properties_project_list, TS_ROLE_VIEWER, 0 },
    { TS_POST, P "/projects", properties_project_create, TS_ROLE_MANAGER, 0 },
    { TS_GET, P "/projects/{pid}", properties_project_show, TS_ROLE_VIEWER, 0 },
    { TS_PATCH, P "/projects/{pid}", properties_project_patch, TS_ROLE_MANAGER, 0 },
    { TS_DELETE, P "/projects/{pid}", properties_project_delete, TS_ROLE_MANAGER, 0 },
    { TS_POST, P "/projects/{pid}/typologies", properties_typology_create, TS_ROLE_MANAGER, 0 },
    { TS_PATCH, P "/projects/{pid}/typologies/{tid}", properties_typology_patch, TS_ROLE_MANAGER, 0 },
    { TS_DELETE, P "/projects/{pid}/typologies/{tid}", properties_typology_delete,
      TS_ROLE_MANAGER, 0 },
    { TS_GET, P "/projects/{pid}/files", properties_project_files_list, TS_ROLE_VIEWER, 0 },
    { TS_POST, P "/projects/{pid}/files", properties_project_file_add, TS_ROLE_MANAGER, 0 },
    { TS_GET, P "/projects/{pid}/files/{fid}", properties_project_file_get, TS_ROLE_VIEWER, 0 },
    { TS_DELETE, P "/projects/{pid}/files/{fid}", properties_project_file_delete,
      TS_ROLE_MANAGER, 0 },
    { TS_POST, P "/{id}/duplicate", properties_duplicate, TS_ROLE_AGENT, 0 },
    { TS_GET, P "/new-matches", properties_new_matches, TS_ROLE_VIEWER, 0 },
    { TS_POST, P "/new-matches/seen", properties_new_matches_seen, TS_ROLE_AGENT, 0 },
    { TS_GET, P "/{id}/matches", properties_property_matches, TS_ROLE_VIEWER, TS_ROUTE_CACHE },
    { TS_GET, "/api/v1/leads/{id}/matches", properties_lead_matches, TS_ROLE_VIEWER,
      TS_ROUTE_CACHE },
    { TS_POST | TS_DELETE, "/api/v1/leads/{id}/matches/{property}/dismiss",
      properties_match_dismiss, TS_ROLE_AGENT, 0 },
    { TS_GET, P "/{id}", properties_show, TS_ROLE_VIEWER, 0 },
    { TS_PATCH, P "/{id}", properties_patch, TS_ROLE_AGENT, 0 },
    { TS_DELETE, P "/{id}", properties_delete_one, TS_ROLE_AGENT, 0 },
    { TS_GET, P "/{id}/history", properties_history, TS_ROLE_VIEWER, 0 },
    { TS_GET, P "/{id}/media", properties_media_list, TS_ROLE_VIEWER, 0 },
    { TS_POST, P "/{id}/media", properties_media_add, TS_ROLE_AGENT, 0 },
    { TS_PUT, P "/{id}/media/order", properties_media_order, TS_ROLE_AGENT, 0 },
    { TS_PATCH, P "/{id}/media/{mid}", properties_media_patch, TS_ROLE_AGENT, 0 },
    { TS_DELETE, P "/{id}/media/{mid}", properties_media_delete, TS_ROLE_AGENT, 0 },
    { TS_GET, P "/{id}/media/{mid}/file", properties_media_file, TS_ROLE_VIEWER, 0 },
    { TS_GET, P "/{id}/publications", properties_publications_list, TS_ROLE_VIEWER, 0 },
    { TS_PUT, P "/{id}/publications/{portal}", properties_publication_put, TS_ROLE_AGENT, 0 },
    { TS_DELETE, P "/{id}/publications/{portal}", properties_publication_delete, TS_ROLE_AGENT, 0 },
    { TS_GET, "/properties", properties_page_list, TS_ROLE_VIEWER, TS_ROUTE_HTML },
    { TS_GET, "/properties/new", properties_page_form, TS_ROLE_AGENT, TS_ROUTE_HTML },
    { TS_GET, "/properties/map", properties_page_map, TS_ROLE_VIEWER, TS_ROUTE_HTML },
    { TS_GET, "/properties/projects", properties_page_projects, TS_ROLE_VIEWER, TS_ROUTE_HTML },
    { TS_GET, "/properties/projects/new", properties_page_project_form, TS_ROLE_MANAGER,
      TS_ROUTE_HTML },
    { TS_GET, "/properties/projects/{pid}", properties_page_project, TS_ROLE_VIEWER, TS_ROUTE_HTML },
    { TS_GET, "/properties/projects/{pid}/edit", properties_page_project_form, TS_ROLE_MANAGER,
      TS_ROUTE_HTML },
    { TS_GET, "/properties/mls-check", properties_page_mls, TS_ROLE_VIEWER, TS_ROUTE_HTML },
    { TS_GET, "/properties/matches", properties_page_lead_matches, TS_ROLE_VIEWER, TS_ROUTE_HTML },
    { TS_GET, "/properties/{id}", properties_page_show, TS_ROLE_VIEWER, TS_ROUTE_HTML },
    { TS_GET, "/properties/{id}/edit", properties_page_form, TS_ROLE_AGENT, TS_ROUTE_HTML },
    { TS_GET, "/public/v1/{tenant}/properties", properties_public_list, TS_ROLE_NONE,
      TS_ROUTE_PUBLIC | TS_ROUTE_CACHE },
    { TS_GET, "/public/v1/{tenant}/properties/{id}", properties_public_show, TS_ROLE_NONE,
      TS_ROUTE_PUBLIC },
    { TS_GET, "/public/v1/{tenant}/properties/{id}/jsonld", properties_public_jsonld, TS_ROLE_NONE,
      TS_ROUTE_PUBLIC },
    { TS_POST, "/public/v1/{tenant}/properties/{id}/view", properties_public_view, TS_ROLE_NONE,
      TS_ROUTE_PUBLIC | TS_ROUTE_NO_CSRF },
    { TS_GET, "/public/v1/{tenant}/media/{mid}/{variant}", properties_public_media, TS_ROLE_NONE,
      TS_ROUTE_PUBLIC },
    { TS_GET, "/p/{tenant}/{id}", properties_public_page, TS_ROLE_NONE,
      TS_ROUTE_PUBLIC | TS_ROUTE_HTML },
};
#undef P

static int
properties_init(ts_plugin_ctx_t *ctx)
{
    snprintf(module_dir, sizeof(module_dir), "%s", ts_plugin_dir(ctx));
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        if (ts_route_add_ex(ctx, routes[i].methods, routes[i].pattern, routes[i].handler,
                            routes[i].flags, routes[i].role) != TS_OK) {
            return TS_ERROR;
        }
    }
    if (ts_event_on(ctx, "property.status_changed", properties_on_status) != TS_OK
        || ts_event_on(ctx, "property.updated", properties_on_update) != TS_OK
        || ts_event_on(ctx, "deal.stage_changed", properties_on_deal_stage) != TS_OK
        || ts_event_on(ctx, "deal.created", properties_on_deal_created) != TS_OK
        || ts_view_check_register(ctx, "properties", properties_view_check) != TS_OK) {
        return TS_ERROR;
    }
    return ts_job_register(ctx, "properties.completeness", properties_completeness_job) != TS_OK
           ? TS_ERROR
           : ts_job_register(ctx, "properties.photo_fetch", properties_photo_fetch_job);
}

TS_PLUGIN(properties, .version = "0.2", .requires = "contacts", .init = properties_init);

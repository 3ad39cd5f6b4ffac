/* The router: parameters, literal precedence, 404 and 405, HEAD, Allow. */
#include <string.h>
#include "ts_core.h"
#include "tap.h"

static int h_list(ts_request_t *r) { (void) r; return 1; }
static int h_show(ts_request_t *r) { (void) r; return 2; }
static int h_me(ts_request_t *r) { (void) r; return 3; }
static int h_nested(ts_request_t *r) { (void) r; return 4; }

int
main(void)
{
    ts_pool_t *p = ts_pool_create(0);
    const ts_route_t *rt;
    ts_kv_t *params;
    unsigned allowed;
    is_int(ts_route_register(NULL, TS_GET | TS_POST, "/api/v1/users", h_list, 0, TS_ROLE_VIEWER), 0, "register list");
    is_int(ts_route_register("x", TS_GET | TS_PATCH, "/api/v1/users/{id}", h_show, 0, TS_ROLE_VIEWER), 0, "register show");
    is_int(ts_route_register(NULL, TS_GET, "/api/v1/users/me", h_me, 0, TS_ROLE_VIEWER), 0, "register literal");
    is_int(ts_route_register(NULL, TS_GET, "/api/v1/users/{id}/notes/{note}", h_nested, 0, TS_ROLE_VIEWER), 0, "register nested");
    is_int(ts_route_register(NULL, TS_GET, "/api/v1/users", h_list, 0, TS_ROLE_VIEWER), TS_ERROR, "a duplicate is refused");
    is_int(ts_route_register(NULL, TS_GET, "no-slash", h_list, 0, TS_ROLE_VIEWER), TS_ERROR, "a pattern must start with /");

    params = NULL;
    is_int(ts_route_find(p, TS_GET, "/api/v1/users/42", &rt, &params, &allowed), TS_ROUTE_FOUND, "parameter route found");
    ok(rt->handler == h_show, "the parameter route's handler");
    is_str(ts_kv_get(params, "id"), "42", "{id} captured");
    is_str(rt->plugin, "x", "the owner plugin is kept");

    params = NULL;
    ts_route_find(p, TS_GET, "/api/v1/users/me", &rt, &params, &allowed);
    ok(rt->handler == h_me, "a literal segment wins over a parameter");

    params = NULL;
    is_int(ts_route_find(p, TS_GET, "/api/v1/users/7/notes/a%20b", &rt, &params, &allowed), TS_ROUTE_FOUND, "nested found");
    is_str(ts_kv_get(params, "note"), "a b", "parameters are URL-decoded");
    is_str(ts_kv_get(params, "id"), "7", "both parameters captured");

    params = NULL;
    is_int(ts_route_find(p, TS_GET, "/api/v1/users/", &rt, &params, &allowed), TS_ROUTE_FOUND, "a trailing slash is tolerated");
    is_int(ts_route_find(p, TS_GET, "/api/v1/nothing", &rt, &params, &allowed), TS_ROUTE_NOT_FOUND, "unknown path is 404");
    is_int(ts_route_find(p, TS_GET, "/api/v1/users/1/2", &rt, &params, &allowed), TS_ROUTE_NOT_FOUND, "extra segment is 404");
    is_int(ts_route_find(p, TS_DELETE, "/api/v1/users/1", &rt, &params, &allowed), TS_ROUTE_BAD_METHOD, "wrong method is 405");
    ok((allowed & TS_GET) && (allowed & TS_PATCH) && (allowed & TS_HEAD) && !(allowed & TS_DELETE), "allowed methods collected");
    is_str(ts_methods_allow(p, allowed), "GET, HEAD, PATCH, OPTIONS", "Allow header text");
    is_int(ts_route_find(p, TS_HEAD, "/api/v1/users", &rt, &params, &allowed), TS_ROUTE_FOUND, "HEAD follows GET");
    is_int(ts_route_find(p, TS_GET, "/api/v1/users/%zz", &rt, &params, &allowed), TS_ROUTE_NOT_FOUND, "a bad escape is 404");
    is_int(ts_method_parse("PATCH"), TS_PATCH, "method names parse");
    is_int(ts_method_parse("BREW"), 0, "unknown methods are 0");

    char deep[512] = "";
    for (int i = 0; i < 40; i++) strcat(deep, "/a");
    is_int(ts_route_find(p, TS_GET, deep, &rt, &params, &allowed), TS_ROUTE_NOT_FOUND, "a very deep path is 404");
    ts_routes_reset();
    is_int(ts_route_find(p, TS_GET, "/api/v1/users", &rt, &params, &allowed), TS_ROUTE_NOT_FOUND, "reset empties the table");
    ts_pool_destroy(p);
    return done_testing();
}

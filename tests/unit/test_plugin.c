/* The plugin loader: what it refuses, and that a refusal leaves no trace;
 * the per-list checks of saved views. */
#include <stdlib.h>
#include <string.h>
#include "ts_core.h"
#include "tap.h"

static bool
has_route(const char *path)
{
    ts_pool_t *p = ts_pool_create(0);
    const ts_route_t *rt;
    ts_kv_t *params = NULL;
    unsigned allowed;
    bool found = ts_route_find(p, TS_GET, path, &rt, &params, &allowed) == TS_ROUTE_FOUND;
    ts_pool_destroy(p);
    return found;
}

static bool
loaded(const char *name)
{
    for (int i = 0; i < ts_plugins_count(); i++) {
        if (strcmp(ts_plugin_name(i), name) == 0) {
            return true;
        }
    }
    return false;
}

static int checked;

static void
check_deals(ts_request_t *r, const cJSON *filters, const char *sort, cJSON **fields)
{
    (void) r;
    checked++;
    if (cJSON_GetObjectItemCaseSensitive(filters, "stage") != NULL || sort != NULL) {
        *fields = cJSON_CreateObject();
        cJSON_AddStringToObject(*fields, "filters.stage", "bad");
    }
}

static void
view_checks(void)
{
    ts_plugin_ctx_t outside = { "t", NULL, false }, inside = { "t", NULL, true };
    is_int(ts_view_check_register(&outside, "deals", check_deals), TS_ERROR, "a view check outside init is refused");
    is_int(ts_view_check_register(&inside, "deals", check_deals), TS_OK, "a view check inside init is kept");
    is_int(ts_view_check_register(&inside, "deals", check_deals), TS_ERROR, "a second check of one list is refused");
    cJSON *filters = cJSON_Parse("{\"stage\": \"x\"}"), *fields = NULL;
    ok(ts_view_check(NULL, "deals", filters, NULL, &fields) && checked == 1, "the list's check runs");
    is_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(fields, "filters.stage")), "bad",
           "its errors come back");
    cJSON_Delete(fields);
    fields = NULL;
    ok(!ts_view_check(NULL, "tasks", filters, NULL, &fields) && fields == NULL && checked == 1,
       "a list without a check is not checked");
    cJSON_Delete(filters);
    ts_view_checks_reset();
    ok(!ts_view_check(NULL, "deals", NULL, NULL, &fields), "reset forgets the checks");
}

int
main(void)
{
    view_checks();
    static ts_conf_t conf;
    conf.plugin_dir = PLUGIN_DIR;
    conf.plugins = "needs_good good needs_good bad_abi short_struct wrong_name init_fails "
                   "needs_missing no_descriptor absent good ../etc";
    ts_conf = &conf;
    is_int(ts_plugins_load(&conf), TS_OK, "loading goes on past refused plugins");
    ok(loaded("good"), "good loads");
    ok(loaded("needs_good"), "needs_good loads once good is loaded");
    is_int(ts_plugins_count(), 2, "only those two are loaded (no duplicate)");
    ok(!loaded("bad_abi"), "another ABI is refused");
    ok(!loaded("short_struct"), "a short descriptor is refused");
    ok(!loaded("wrong_name") && !loaded("impostor"), "a name differing from the file is refused");
    ok(!loaded("init_fails"), "a failed init is refused");
    ok(!loaded("needs_missing"), "a missing dependency is refused");
    ok(!loaded("no_descriptor") && !loaded("absent"), "no descriptor or no file: refused");
    ok(has_route("/good") && has_route("/needs-good"), "loaded plugins' routes exist");
    ok(!has_route("/init-fails"), "the failed init's route was rolled back");
    ok(has_route("/healthz") && has_route("/api/v1/me"), "the core's routes exist");
    is_str(ts_plugin_version(0), "1.2", "versions are kept");
    ts_plugins_unload();
    is_int(ts_plugins_count(), 0, "unload empties the list");
    ok(!has_route("/good"), "unload removes the routes");
    return done_testing();
}

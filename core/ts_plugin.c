/* The plugin loader: dlopen by name, check the descriptor, run init; a plugin
 * refused is logged once and the server starts without it. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include "ts_core.h"

typedef struct {
    char              *name;
    void              *handle;
    const ts_plugin_t *desc;
} loaded_t;

static loaded_t loaded[TS_MAX_PLUGINS];
static int nloaded;
static ts_plugin_ctx_t core_ctx = { "core", "", true };

/* Plugin API that no core code calls: referenced here so that the static
 * core library links it into the programs, which export it to plugins. */
void *const ts_plugin_api_only[] = { (void *) ts_storage_dir, (void *) ts_resp_storage_file };

ts_plugin_ctx_t *
ts_core_ctx(void)
{
    return &core_ctx;
}

int
ts_route_add_ex(ts_plugin_ctx_t *ctx, unsigned methods, const char *pattern, ts_handler_t h,
                unsigned flags, ts_role_t min_role)
{
    if (!ctx->in_init) {
        ts_log_error("%s: routes can be added only in init (%s)", ctx->name, pattern);
        return TS_ERROR;
    }
    bool core = ctx == &core_ctx;
    return ts_route_register(core ? NULL : ctx->name, methods, pattern, h, flags,
                             min_role == TS_ROLE_NONE ? TS_ROLE_VIEWER : min_role);
}

int
ts_route_add(ts_plugin_ctx_t *ctx, unsigned methods, const char *pattern, ts_handler_t h)
{
    return ts_route_add_ex(ctx, methods, pattern, h, 0, TS_ROLE_VIEWER);
}

const char *
ts_plugin_dir(ts_plugin_ctx_t *ctx)
{
    return ctx->dir;
}

static bool
is_loaded(const char *name)
{
    for (int i = 0; i < nloaded; i++) {
        if (strcmp(loaded[i].name, name) == 0) {
            return true;
        }
    }
    return false;
}

/* Every name in `requires` must already be loaded: the config lists order. */
static const char *
missing_dependency(const char *requires, char *buf, size_t len)
{
    if (requires == NULL) {
        return NULL;
    }
    snprintf(buf, len, "%s", requires);
    char *save = NULL;
    for (char *d = strtok_r(buf, " ,", &save); d; d = strtok_r(NULL, " ,", &save)) {
        if (!is_loaded(d)) {
            return d;
        }
    }
    return NULL;
}

static const char *
check(const char *name, const ts_plugin_t *d, char *buf, size_t len)
{
    if (d == NULL) {
        return "it exports no ts_plugin descriptor";
    }
    if (d->abi != TS_ABI_VERSION) {
        snprintf(buf, len, "it was built for plugin ABI %u, this server speaks %d", d->abi,
                 TS_ABI_VERSION);
        return buf;
    }
    if (d->size < sizeof(ts_plugin_t)) {
        return "its descriptor is shorter than this ABI's";
    }
    if (d->name == NULL || strcmp(d->name, name) != 0) {
        snprintf(buf, len, "its descriptor names it '%s'", d->name ? d->name : "(null)");
        return buf;
    }
    if (is_loaded(name)) {
        return "a plugin of that name is already loaded";
    }
    if (d->init == NULL) {
        return "it has no init function";
    }
    char dep[256];
    const char *m = missing_dependency(d->requires, dep, sizeof(dep));
    if (m != NULL) {
        snprintf(buf, len, "it requires '%s', which is not loaded before it", m);
        return buf;
    }
    return NULL;
}

static void
load_one(const ts_conf_t *c, const char *name)
{
    char path[1024], why[256];
    if (strlen(name) > 64 || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(name)) {
        ts_log_error("plugin '%s' refused: a name is lowercase letters, digits and _", name);
        return;
    }
    if (nloaded == TS_MAX_PLUGINS) {
        ts_log_error("plugin %s refused: at most %d plugins", name, TS_MAX_PLUGINS);
        return;
    }
    snprintf(path, sizeof(path), "%s/%s.so", c->plugin_dir, name);
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        ts_log_error("plugin %s refused: %s", name, dlerror());
        return;
    }
    const ts_plugin_t *d = dlsym(h, "ts_plugin");
    const char *err = check(name, d, why, sizeof(why));
    if (err != NULL) {
        ts_log_error("plugin %s refused: %s (%s)", name, err, path);
        dlclose(h);
        return;
    }
    /* Routes, events and jobs a failed init registered are rolled back by
     * rebuilding the tables from the plugins that did load. */
    ts_plugin_ctx_t ctx = { name, c->plugin_dir, true };
    if (d->init(&ctx) != TS_OK) {
        ts_log_error("plugin %s refused: its init failed", name);
        dlclose(h);
        return;
    }
    loaded[nloaded++] = (loaded_t) { strdup(name), h, d };
    ts_log_info("plugin %s %s loaded", name, d->version ? d->version : "");
}

static int
core_init(void)
{
    core_ctx.in_init = true;
    int rc = ts_core_routes();
    ts_plugin_ctx_t *ctx = &core_ctx;
    extern int ts_mail_send_job(ts_request_t *, const cJSON *, const char **);
    if (rc == TS_OK) {
        rc = ts_job_register(ctx, "mail.send", ts_mail_send_job);
    }
    core_ctx.in_init = false;
    return rc;
}

static void
reset_tables(void)
{
    ts_routes_reset();
    ts_events_reset();
    ts_jobs_reset();
    ts_cli_reset();
    ts_view_checks_reset();
}

/* Loads the configured plugins. A refused init leaves no routes behind: the
 * tables are rebuilt from scratch, core first, with the plugins kept. */
int
ts_plugins_load(const ts_conf_t *c)
{
    reset_tables();
    if (core_init() != TS_OK) {
        return TS_ERROR;
    }
    char *list = strdup(c->plugins ? c->plugins : "");
    char *save = NULL;
    for (char *n = strtok_r(list, " \t,", &save); n; n = strtok_r(NULL, " \t,", &save)) {
        int before = nloaded;
        load_one(c, n);
        if (nloaded == before) {
            /* Rebuild without the refused plugin's partial registrations. */
            reset_tables();
            core_init();
            for (int i = 0; i < nloaded; i++) {
                ts_plugin_ctx_t ctx = { loaded[i].name, c->plugin_dir, true };
                loaded[i].desc->init(&ctx);
            }
        }
    }
    free(list);
    return TS_OK;
}

void
ts_plugins_unload(void)
{
    for (int i = nloaded - 1; i >= 0; i--) {
        if (loaded[i].desc->shutdown) {
            loaded[i].desc->shutdown();
        }
        dlclose(loaded[i].handle);
        free(loaded[i].name);
    }
    nloaded = 0;
    reset_tables();
}

int ts_plugins_count(void) { return nloaded; }
const char *ts_plugin_name(int i) { return loaded[i].name; }
const char *ts_plugin_version(int i) { return loaded[i].desc->version ? loaded[i].desc->version : ""; }

/* Tenants: chosen by Host or by API token, looked up in the directory on
 * [db:main] and cached briefly per worker. */
#include <stdlib.h>
#include <string.h>
#include "ts_core.h"

#define CACHE_SIZE 64
#define CACHE_US   (5 * 1000000LL)

typedef struct {
    char       key[256];      /* "h:host" or "i:id" */
    long long  expires_us;
    int64_t    id;
    char       slug[64];
    char       name[201];
    char       server[65];
    char       base_url[256];
    char       disabled[512];
} entry_t;

static entry_t cache[CACHE_SIZE];
static unsigned next_slot;

static entry_t *
cache_find(const char *key)
{
    long long now = ts_now_us();
    for (int i = 0; i < CACHE_SIZE; i++) {
        if (cache[i].expires_us > now && strcmp(cache[i].key, key) == 0) {
            return &cache[i];
        }
    }
    return NULL;
}

static int
load(ts_request_t *r, const char *key, ts_db_result_t *res, entry_t **out)
{
    ts_dbconn_t *main = ts_dbconn_get("main");
    if (res == NULL) {
        return ts_dbc_lost(main) ? TS_AGAIN : TS_ERROR;
    }
    if (ts_db_rows(res) == 0) {
        return TS_DECLINED;
    }
    entry_t *e = &cache[next_slot++ % CACHE_SIZE];
    memset(e, 0, sizeof(*e));
    snprintf(e->key, sizeof(e->key), "%s", key);
    e->id = ts_db_get_int(res, 0, "id");
    snprintf(e->slug, sizeof(e->slug), "%s", ts_db_get(res, 0, "slug"));
    snprintf(e->name, sizeof(e->name), "%s", ts_db_get(res, 0, "name"));
    snprintf(e->server, sizeof(e->server), "%s", ts_db_get(res, 0, "db_server"));
    const char *base = ts_db_get(res, 0, "base_url");
    snprintf(e->base_url, sizeof(e->base_url), "%s", base ? base : "");
    ts_db_result_t *pl = ts_dbc_query(main, r->pool, e->id,
        "SELECT plugin FROM tenant_plugins WHERE tenant_id = {tenant} AND enabled = 0", "");
    if (pl == NULL) {
        e->key[0] = '\0';
        return TS_AGAIN;
    }
    size_t n = 0;
    e->disabled[n++] = ' ';
    for (size_t i = 0; i < ts_db_rows(pl); i++) {
        n += (size_t) snprintf(e->disabled + n, sizeof(e->disabled) - n, "%s ",
                               ts_db_get(pl, i, "plugin"));
        if (n >= sizeof(e->disabled)) {
            break;
        }
    }
    e->expires_us = ts_now_us() + CACHE_US;
    *out = e;
    return TS_OK;
}

static int
use(ts_request_t *r, const entry_t *e)
{
    ts_req_core_t *c = TS_CORE(r);
    ts_dbconn_t *db = ts_dbconn_get(e->server);
    if (db == NULL) {
        ts_log_error("tenant %s lives on database server '%s', which is not configured",
                     e->slug, e->server);
        return TS_ERROR;
    }
    ts_tenant_t *t = ts_palloc(r->pool, sizeof(*t));
    t->id = e->id;
    t->slug = ts_pstrdup(r->pool, e->slug);
    t->name = ts_pstrdup(r->pool, e->name);
    t->base_url = ts_pstrdup(r->pool, e->base_url);
    r->tenant = t;
    c->db = db;
    c->disabled_plugins = ts_pstrdup(r->pool, e->disabled);
    return TS_OK;
}

static const char by_host_sql[] =
    "SELECT t.id, t.slug, t.name, t.db_server, t.base_url FROM tenant_hosts h"
    " JOIN tenants t ON t.id = h.tenant_id WHERE h.host = ? AND t.status = 'active'";
static const char by_id_sql[] =
    "SELECT id, slug, name, db_server, base_url FROM tenants"
    " WHERE id = ? AND status = 'active'";
static const char by_slug_sql[] =
    "SELECT id, slug, name, db_server, base_url FROM tenants WHERE slug = ?";

/* TS_OK, TS_DECLINED (no such tenant) or TS_AGAIN (directory unreachable). */
int
ts_tenant_resolve_host(ts_request_t *r, const char *host)
{
    if (host == NULL || *host == '\0') {
        return TS_DECLINED;
    }
    char key[256];
    snprintf(key, sizeof(key), "h:%s", host);
    entry_t *e = cache_find(key);
    if (e == NULL) {
        ts_db_result_t *res = ts_dbc_query(ts_dbconn_get("main"), r->pool, 0, by_host_sql, "s",
                                           host);
        int rc = load(r, key, res, &e);
        if (rc != TS_OK) {
            return rc;
        }
    }
    return use(r, e);
}

int
ts_tenant_by_id(ts_request_t *r, int64_t id)
{
    char key[64];
    snprintf(key, sizeof(key), "i:%lld", (long long) id);
    entry_t *e = cache_find(key);
    if (e == NULL) {
        ts_db_result_t *res = ts_dbc_query(ts_dbconn_get("main"), r->pool, 0, by_id_sql, "i", id);
        int rc = load(r, key, res, &e);
        if (rc != TS_OK) {
            return rc;
        }
    }
    return use(r, e);
}

/* For the CLI: disabled tenants too, never cached. */
int
ts_tenant_by_slug(ts_request_t *r, const char *slug)
{
    ts_db_result_t *res = ts_dbc_query(ts_dbconn_get("main"), r->pool, 0, by_slug_sql, "s",
                                       slug);
    entry_t *e;
    int rc = load(r, "", res, &e);
    if (rc != TS_OK) {
        return rc;
    }
    e->expires_us = 0;
    return use(r, e);
}

bool
ts_tenant_plugin_enabled(ts_request_t *r, const char *plugin)
{
    const char *d = TS_CORE(r)->disabled_plugins;
    if (plugin == NULL || d == NULL) {
        return true;
    }
    char key[80];
    snprintf(key, sizeof(key), " %s ", plugin);
    return strstr(d, key) == NULL;
}

/* The route table: method and path pattern with {parameters}, rebuilt on reload. */
#include <stdlib.h>
#include <string.h>
#include "ts_core.h"

#define MAX_ROUTES 512
#define MAX_SEGS   16

typedef struct {
    ts_route_t route;
    int        nseg;
    char      *seg[MAX_SEGS];    /* "{id}" marks a parameter */
} entry_t;

static entry_t table[MAX_ROUTES];
static int nroutes;

void
ts_routes_reset(void)
{
    for (int i = 0; i < nroutes; i++) {
        free((char *) table[i].route.pattern);
        free((char *) table[i].route.plugin);
        for (int s = 0; s < table[i].nseg; s++) {
            free(table[i].seg[s]);
        }
    }
    memset(table, 0, sizeof(table));
    nroutes = 0;
}

static bool
is_param(const char *seg)
{
    size_t n = strlen(seg);
    return n > 2 && seg[0] == '{' && seg[n - 1] == '}';
}

/* Splits "/a/{id}/b" into segments; "" and a trailing slash are not segments. */
static int
split(const char *path, char **segs, size_t *lens, int max)
{
    int n = 0;
    const char *p = path;
    while (*p == '/') {
        p++;
    }
    while (*p != '\0') {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t) (end - p) : strlen(p);
        if (n == max) {
            return -1;
        }
        segs[n] = (char *) p;
        lens[n] = len;
        n++;
        p += len;
        while (*p == '/') {
            p++;
        }
    }
    return n;
}

int
ts_route_register(const char *plugin, unsigned methods, const char *pattern, ts_handler_t h,
                  unsigned flags, ts_role_t min_role)
{
    if (nroutes == MAX_ROUTES || pattern == NULL || pattern[0] != '/' || h == NULL) {
        ts_log_error("route %s refused: bad pattern or table full", pattern ? pattern : "(null)");
        return TS_ERROR;
    }
    entry_t *e = &table[nroutes];
    char *segs[MAX_SEGS];
    size_t lens[MAX_SEGS];
    int n = split(pattern, segs, lens, MAX_SEGS);
    if (n < 0) {
        ts_log_error("route %s refused: more than %d segments", pattern, MAX_SEGS);
        return TS_ERROR;
    }
    for (int i = 0; i < nroutes; i++) {
        if (strcmp(table[i].route.pattern, pattern) == 0 && (table[i].route.methods & methods)) {
            ts_log_error("route %s refused: already registered by %s", pattern,
                         table[i].route.plugin ? table[i].route.plugin : "core");
            return TS_ERROR;
        }
    }
    e->nseg = n;
    for (int i = 0; i < n; i++) {
        e->seg[i] = strndup(segs[i], lens[i]);
    }
    if (methods & TS_GET) {
        methods |= TS_HEAD;
    }
    e->route = (ts_route_t) {
        .methods = methods, .pattern = strdup(pattern), .handler = h, .flags = flags,
        .min_role = min_role, .plugin = plugin ? strdup(plugin) : NULL,
    };
    nroutes++;
    return TS_OK;
}

static bool
match(ts_pool_t *p, const entry_t *e, char **segs, size_t *lens, int n, ts_kv_t **params)
{
    if (e->nseg != n) {
        return false;
    }
    for (int i = 0; i < n; i++) {
        if (is_param(e->seg[i])) {
            if (lens[i] == 0) {
                return false;
            }
            continue;
        }
        if (strlen(e->seg[i]) != lens[i] || memcmp(e->seg[i], segs[i], lens[i]) != 0) {
            return false;
        }
    }
    if (p == NULL || params == NULL) {
        return true;
    }
    for (int i = 0; i < n; i++) {
        if (is_param(e->seg[i])) {
            size_t kl = strlen(e->seg[i]) - 2;
            char *val = ts_url_decode(p, segs[i], lens[i], false);
            if (val == NULL) {
                return false;
            }
            ts_kv_add(p, params, ts_pstrndup(p, e->seg[i] + 1, kl), val);
        }
    }
    return true;
}

ts_route_match_t
ts_route_find(ts_pool_t *p, ts_method_t m, const char *path, const ts_route_t **out,
              ts_kv_t **params, unsigned *allowed)
{
    char *segs[MAX_SEGS + 1];
    size_t lens[MAX_SEGS + 1];
    int n = split(path, segs, lens, MAX_SEGS + 1);
    *allowed = 0;
    if (n < 0) {
        return TS_ROUTE_NOT_FOUND;
    }
    /* Literal segments win over parameters: /users/me before /users/{id}. */
    const entry_t *best = NULL;
    int best_literals = -1;
    for (int i = 0; i < nroutes; i++) {
        const entry_t *e = &table[i];
        if (!match(NULL, e, segs, lens, n, NULL)) {
            continue;
        }
        *allowed |= e->route.methods;
        if (!(e->route.methods & m)) {
            continue;
        }
        int literals = 0;
        for (int s = 0; s < e->nseg; s++) {
            literals += !is_param(e->seg[s]);
        }
        if (literals > best_literals) {
            best = e;
            best_literals = literals;
        }
    }
    if (best == NULL) {
        return *allowed ? TS_ROUTE_BAD_METHOD : TS_ROUTE_NOT_FOUND;
    }
    if (!match(p, best, segs, lens, n, params)) {
        return TS_ROUTE_NOT_FOUND;
    }
    *out = &best->route;
    return TS_ROUTE_FOUND;
}

ts_method_t
ts_method_parse(const char *s)
{
    static const struct { const char *name; ts_method_t m; } names[] = {
        { "GET", TS_GET }, { "HEAD", TS_HEAD }, { "POST", TS_POST }, { "PUT", TS_PUT },
        { "PATCH", TS_PATCH }, { "DELETE", TS_DELETE }, { "OPTIONS", TS_OPTIONS },
    };
    for (size_t i = 0; s != NULL && i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(s, names[i].name) == 0) {
            return names[i].m;
        }
    }
    return 0;
}

char *
ts_methods_allow(ts_pool_t *p, unsigned methods)
{
    static const char *names[] = { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" };
    ts_buf_t b;
    ts_buf_init(&b, p, 64);
    methods |= TS_OPTIONS;
    for (unsigned i = 0; i < 7; i++) {
        if (methods & (1u << i)) {
            if (b.len) {
                ts_buf_str(&b, ", ");
            }
            ts_buf_str(&b, names[i]);
        }
    }
    return b.data;
}

/* The response cache: a worker keeps the answers of cacheable GET routes
 * (TS_ROUTE_CACHE) per tenant, user and URL, valid while the tenant's write
 * generation is unchanged. Every process that writes a tenant's data (workers,
 * the job runner, the CLI) bumps that generation in one small file mapped
 * shared by all of them, so a write anywhere on this host invalidates at once. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "ts_core.h"

#define GEN_SLOTS   4096       /* tenants sharing a slot only invalidate each other */
#define CACHE_SLOTS 1024

static _Atomic uint64_t *gens;
static bool gens_failed;

static _Atomic uint64_t *
gen_map(void)
{
    if (gens != NULL || gens_failed || ts_conf == NULL) {
        return gens;
    }
    const char *path = ts_conf->cache_generations;
    char buf[1024];
    if (path == NULL || path[0] == '\0') {
        snprintf(buf, sizeof(buf), "%s/generations", ts_conf->tmp_dir ? ts_conf->tmp_dir : ".");
        path = buf;
    }
    size_t size = GEN_SLOTS * sizeof(uint64_t);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || ftruncate(fd, (off_t) size) != 0) {
        ts_log_warn("response cache off: cannot open %s", path);
        if (fd >= 0) {
            close(fd);
        }
        gens_failed = true;
        return NULL;
    }
    void *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (m == MAP_FAILED) {
        ts_log_warn("response cache off: cannot map %s", path);
        gens_failed = true;
        return NULL;
    }
    gens = m;
    return gens;
}

void
ts_gen_bump(int64_t tenant)
{
    _Atomic uint64_t *g = tenant > 0 ? gen_map() : NULL;
    if (g != NULL) {
        atomic_fetch_add(&g[(uint64_t) tenant % GEN_SLOTS], 1);
    }
}

/* 0 when the generations are unavailable: nothing is cached then. */
static uint64_t
gen_get(int64_t tenant)
{
    _Atomic uint64_t *g = gen_map();
    return g == NULL ? 0 : atomic_load(&g[(uint64_t) tenant % GEN_SLOTS]) + 1;
}

/* ---- the worker's entries: direct-mapped, a byte budget, a clock hand ---- */

typedef struct {
    uint64_t  hash;
    char     *key;
    uint64_t  gen;
    long long at_us;
    int       status;
    char     *headers;
    size_t    hlen;
    char     *body;
    size_t    blen;
} entry_t;

static entry_t slots[CACHE_SLOTS];
static size_t used_bytes;
static unsigned hand;

static uint64_t
fnv1a(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ (unsigned char) s[i]) * 1099511628211ull;
    }
    return h;
}

static void
drop(entry_t *e)
{
    if (e->key != NULL) {
        used_bytes -= strlen(e->key) + e->hlen + e->blen;
    }
    free(e->key);
    free(e->headers);
    free(e->body);
    memset(e, 0, sizeof(*e));
}

void
ts_cache_clear(void)
{
    for (int i = 0; i < CACHE_SLOTS; i++) {
        drop(&slots[i]);
    }
    used_bytes = 0;
}

/* The key names everything the answer may depend on besides the data:
 * tenant, user and role (visibility rules), URL and the labels' language. */
static char *
cache_key(ts_request_t *r)
{
    const char *lang = ts_req_header(r, "Accept-Language");
    return ts_psprintf(r->pool, "%lld|%lld|%d|%s?%s|%s", (long long) r->tenant->id,
                       (long long) (r->user ? r->user->id : 0), r->user ? (int) r->user->role : -1,
                       r->path, r->query ? r->query : "", lang ? lang : "");
}

bool
ts_cache_enabled(const ts_request_t *r)
{
    return ts_conf != NULL && ts_conf->cache_enabled && r->tenant != NULL
           && (r->method == TS_GET || r->method == TS_HEAD);
}

int
ts_cache_lookup(ts_request_t *r, ts_cache_probe_t *probe)
{
    ts_req_core_t *c = TS_CORE(r);
    probe->gen = gen_get(r->tenant->id);
    probe->key = NULL;
    if (probe->gen == 0) {
        return TS_DECLINED;
    }
    probe->key = cache_key(r);
    probe->hash = fnv1a(probe->key, strlen(probe->key));
    entry_t *e = &slots[probe->hash % CACHE_SLOTS];
    if (e->key == NULL || e->hash != probe->hash || strcmp(e->key, probe->key) != 0) {
        return TS_DECLINED;
    }
    long long max_age = (long long) ts_conf->cache_max_age_ms * 1000;
    if (e->gen != probe->gen || (max_age > 0 && ts_now_us() - e->at_us > max_age)) {
        drop(e);
        return TS_DECLINED;
    }
    c->status = e->status;
    c->answered = true;
    c->headers.len = 0;
    c->body.len = 0;
    if ((e->hlen > 0 && ts_buf_add(&c->headers, e->headers, e->hlen) != TS_OK)
        || (e->blen > 0 && ts_buf_add(&c->body, e->body, e->blen) != TS_OK)) {
        return TS_ERROR;
    }
    ts_resp_header(r, "X-Tesoro-Cache", "hit");
    return TS_OK;
}

void
ts_cache_store(ts_request_t *r, const ts_cache_probe_t *probe)
{
    ts_req_core_t *c = TS_CORE(r);
    if (probe->key == NULL || c->status != 200 || !c->answered) {
        return;
    }
    /* Never a cookie or a private file to someone else's request. */
    if (c->headers.len > 0
        && (memmem(c->headers.data, c->headers.len, "Set-Cookie", 10) != NULL
            || memmem(c->headers.data, c->headers.len, "X-Accel-Redirect", 16) != NULL)) {
        return;
    }
    size_t need = strlen(probe->key) + c->headers.len + c->body.len;
    size_t budget = ts_conf->cache_size;
    if (need > budget / 8) {
        return;
    }
    entry_t *e = &slots[probe->hash % CACHE_SLOTS];
    drop(e);
    while (used_bytes + need > budget) {
        drop(&slots[hand++ % CACHE_SLOTS]);
    }
    e->key = strdup(probe->key);
    e->headers = malloc(c->headers.len + 1);
    e->body = malloc(c->body.len + 1);
    if (e->key == NULL || e->headers == NULL || e->body == NULL) {
        free(e->key);
        free(e->headers);
        free(e->body);
        memset(e, 0, sizeof(*e));
        return;
    }
    if (c->headers.len > 0) {
        memcpy(e->headers, c->headers.data, c->headers.len);
    }
    if (c->body.len > 0) {
        memcpy(e->body, c->body.data, c->body.len);
    }
    e->hlen = c->headers.len;
    e->blen = c->body.len;
    e->hash = probe->hash;
    e->gen = probe->gen;
    e->at_us = ts_now_us();
    e->status = c->status;
    used_bytes += need;
}

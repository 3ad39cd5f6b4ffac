/* A request: reading what the client sent, within limits, into the request's arena. */
#define _GNU_SOURCE
#include <ctype.h>
#include <fcgiapp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "ts_core.h"

long long
ts_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static const char *
env(ts_request_t *r, const char *name)
{
    ts_req_core_t *c = TS_CORE(r);
    return c->env ? FCGX_GetParam(name, c->env) : NULL;
}

ts_request_t *
ts_req_detached(ts_pool_t *pool)
{
    ts_request_t *r = ts_pcalloc(pool, sizeof(*r));
    ts_req_core_t *c = ts_pcalloc(pool, sizeof(*c));
    r->pool = pool;
    r->core = c;
    r->path = "";
    r->query = "";
    ts_buf_init(&c->headers, pool, 256);
    ts_buf_init(&c->body, pool, 1024);
    c->start_us = ts_now_us();
    c->db = ts_dbconn_get("main");
    return r;
}

int
ts_req_init(ts_request_t *r, ts_pool_t *pool, FCGX_Request *fcgx)
{
    memset(r, 0, sizeof(*r));
    ts_req_core_t *c = ts_pcalloc(pool, sizeof(*c));
    r->pool = pool;
    r->core = c;
    c->fcgx = fcgx;
    c->env = fcgx->envp;
    c->start_us = ts_now_us();
    ts_buf_init(&c->headers, pool, 512);
    ts_buf_init(&c->body, pool, 4096);
    c->status = 200;

    r->method = ts_method_parse(env(r, "REQUEST_METHOD"));
    const char *uri = env(r, "REQUEST_URI");
    if (uri == NULL || uri[0] != '/') {
        uri = "/";
    }
    const char *q = strchr(uri, '?');
    r->path = q ? ts_pstrndup(pool, uri, (size_t) (q - uri)) : uri;
    r->query = q ? q + 1 : "";
    if (ts_parse_urlencoded(pool, r->query, strlen(r->query), &c->query) != TS_OK) {
        return 400;
    }
    const char *cookie = env(r, "HTTP_COOKIE");
    if (cookie != NULL) {
        ts_parse_cookies(pool, cookie, &c->cookies);
    }
    c->content_type = env(r, "CONTENT_TYPE");
    const char *cl = env(r, "CONTENT_LENGTH");
    c->content_length = cl && *cl ? strtoll(cl, NULL, 10) : 0;
    c->remote_addr = env(r, "REMOTE_ADDR");
    const char *host = env(r, "HTTP_HOST");
    if (host != NULL) {
        /* The tenant is chosen by name: drop the port and lower the case. */
        size_t n = strcspn(host, ":");
        if (host[0] == '[') {
            n = strcspn(host, "]") + 1;
        }
        char *h = ts_pstrndup(pool, host, n);
        for (char *p = h; *p; p++) {
            *p = (char) tolower((unsigned char) *p);
        }
        c->host = h;
    }
    return r->method == 0 ? 405 : 0;
}

static bool
ctype_is(const char *ct, const char *want)
{
    size_t n = strlen(want);
    return ct != NULL && strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';'
                                                           || ct[n] == ' ');
}

static int
read_all(ts_request_t *r, char **out, size_t len)
{
    ts_req_core_t *c = TS_CORE(r);
    char *buf = ts_palloc(r->pool, len + 1);
    size_t got = 0;
    while (got < len) {
        int n = FCGX_GetStr(buf + got, (int) (len - got > 65536 ? 65536 : len - got),
                            c->fcgx->in);
        if (n <= 0) {
            break;
        }
        got += (size_t) n;
    }
    if (got != len) {
        return TS_ERROR;
    }
    buf[len] = '\0';
    *out = buf;
    return TS_OK;
}

static int
key_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* cJSON keeps duplicate keys and reads the first; a client could smuggle a
 * second value past a validator that reads differently, so refuse them. */
static bool
json_has_duplicates(ts_pool_t *p, const cJSON *j)
{
    if (cJSON_IsObject(j)) {
        int n = cJSON_GetArraySize(j);
        if (n > 1) {
            const char **keys = ts_palloc(p, sizeof(char *) * (size_t) n);
            int i = 0;
            for (const cJSON *e = j->child; e != NULL; e = e->next) {
                keys[i++] = e->string ? e->string : "";
            }
            qsort(keys, (size_t) n, sizeof(char *), key_cmp);
            for (i = 1; i < n; i++) {
                if (strcmp(keys[i - 1], keys[i]) == 0) {
                    return true;
                }
            }
        }
    }
    for (const cJSON *e = j->child; e != NULL; e = e->next) {
        if ((cJSON_IsObject(e) || cJSON_IsArray(e)) && json_has_duplicates(p, e)) {
            return true;
        }
    }
    return false;
}

static void
json_delete(void *j)
{
    cJSON_Delete(j);
}

static ssize_t
fcgi_read(void *ctx, char *buf, size_t n)
{
    FCGX_Stream *in = ctx;
    int got = FCGX_GetStr(buf, (int) (n > 1 << 20 ? 1 << 20 : n), in);
    return got < 0 ? -1 : got;
}

int
ts_req_read_body(ts_request_t *r)
{
    ts_req_core_t *c = TS_CORE(r);
    if (c->content_length <= 0 || c->fcgx == NULL) {
        return 0;
    }
    const char *ct = c->content_type;
    bool multipart = ctype_is(ct, "multipart/form-data");
    size_t limit = multipart ? ts_conf->max_upload : ts_conf->max_body;
    if ((unsigned long long) c->content_length > limit) {
        return ts_resp_error(r, 413, "body_too_large",
                             ts_psprintf(r->pool, "the request body is larger than %zu bytes",
                                         limit), NULL);
    }
    if (multipart) {
        const char *err = "multipart: malformed body";
        if (ts_multipart_parse(r->pool, ct, fcgi_read, c->fcgx->in, limit,
                               ts_conf->multipart_memory, ts_conf->tmp_dir, &c->parts,
                               &err) != TS_OK) {
            return ts_resp_error(r, 400, "bad_multipart", err, NULL);
        }
        for (ts_part_node_t *n = c->parts; n != NULL; n = n->next) {
            if (n->part.filename == NULL && n->part.path == NULL) {
                ts_kv_add(r->pool, &c->form, n->part.field, n->part.data);
            }
        }
        return 0;
    }
    char *body;
    if (read_all(r, &body, (size_t) c->content_length) != TS_OK) {
        return ts_resp_error(r, 400, "bad_body", "the request body ended early", NULL);
    }
    if (ctype_is(ct, "application/json")) {
        const char *end = NULL;
        cJSON *j = cJSON_ParseWithLengthOpts(body, (size_t) c->content_length, &end, false);
        if (j == NULL) {
            long at = end ? (long) (end - body) : 0;
            return ts_resp_error(r, 400, "bad_json",
                                 ts_psprintf(r->pool, "malformed JSON near byte %ld", at),
                                 NULL);
        }
        ts_pool_cleanup_add(r->pool, json_delete, j);
        if (json_has_duplicates(r->pool, j)) {
            return ts_resp_error(r, 400, "bad_json", "duplicate key in a JSON object", NULL);
        }
        c->json = j;
    } else if (ctype_is(ct, "application/x-www-form-urlencoded")) {
        if (memchr(body, '\0', (size_t) c->content_length) != NULL
            || ts_parse_urlencoded(r->pool, body, (size_t) c->content_length, &c->form)
                   != TS_OK) {
            return ts_resp_error(r, 400, "bad_form", "malformed form data", NULL);
        }
    } else {
        return ts_resp_error(r, 415, "unsupported_media_type",
                             "send application/json, a form or multipart/form-data", NULL);
    }
    return 0;
}

const char *
ts_req_param(ts_request_t *r, const char *name)
{
    return ts_kv_get(TS_CORE(r)->params, name);
}

int
ts_req_param_id(ts_request_t *r, const char *name, int64_t *out)
{
    const char *s = ts_req_param(r, name);
    char *end;
    if (s == NULL || *s < '1' || *s > '9' || strlen(s) > 18) {
        return TS_ERROR;
    }
    long long v = strtoll(s, &end, 10);
    if (*end != '\0') {
        return TS_ERROR;
    }
    *out = v;
    return TS_OK;
}

const char *
ts_req_query(ts_request_t *r, const char *name)
{
    return ts_kv_get(TS_CORE(r)->query, name);
}

const char *
ts_req_header(ts_request_t *r, const char *name)
{
    if (strcasecmp(name, "Content-Type") == 0) {
        return TS_CORE(r)->content_type;
    }
    if (strcasecmp(name, "Content-Length") == 0) {
        return env(r, "CONTENT_LENGTH");
    }
    char key[128] = "HTTP_";
    size_t i = 5;
    for (const char *p = name; *p && i < sizeof(key) - 1; p++) {
        key[i++] = *p == '-' ? '_' : (char) toupper((unsigned char) *p);
    }
    key[i] = '\0';
    return env(r, key);
}

const char *
ts_req_cookie(ts_request_t *r, const char *name)
{
    return ts_kv_get(TS_CORE(r)->cookies, name);
}

const char *
ts_req_form(ts_request_t *r, const char *name)
{
    return ts_kv_get(TS_CORE(r)->form, name);
}

const ts_part_t *
ts_req_file(ts_request_t *r, const char *field)
{
    for (ts_part_node_t *n = TS_CORE(r)->parts; n != NULL; n = n->next) {
        if (strcmp(n->part.field, field) == 0 && (n->part.filename || n->part.path)) {
            return &n->part;
        }
    }
    return NULL;
}

const cJSON *
ts_req_json(ts_request_t *r)
{
    return TS_CORE(r)->json;
}

const char *
ts_req_remote_addr(ts_request_t *r)
{
    const char *a = TS_CORE(r)->remote_addr;
    return a ? a : "";
}

/* ---- repeated fields: every value of a form or query field (checkboxes) ---- */
static size_t
values(const ts_kv_t *kv, const char *name, const char **out, size_t max)
{
    size_t n = 0;
    for (; kv != NULL && name != NULL; kv = kv->next) {
        if (kv->key != NULL && strcmp(kv->key, name) == 0) {
            if (n < max) {
                out[n] = kv->value;
            }
            n++;
        }
    }
    return n;
}

size_t
ts_req_form_values(ts_request_t *r, const char *name, const char **out, size_t max)
{
    return values(TS_CORE(r)->form, name, out, max);
}

size_t
ts_req_query_values(ts_request_t *r, const char *name, const char **out, size_t max)
{
    return values(TS_CORE(r)->query, name, out, max);
}

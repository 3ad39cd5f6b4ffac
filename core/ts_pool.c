/* Request arenas: bump allocation in blocks, everything freed at once. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ts_core.h"

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#define POISON(p, n)   ASAN_POISON_MEMORY_REGION(p, n)
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define POISON(p, n)   ((void) (p), (void) (n))
#define UNPOISON(p, n) ((void) (p), (void) (n))
#endif

#define ALIGN 16

typedef struct block {
    struct block *next;
    size_t size;
    size_t used;
    _Alignas(ALIGN) unsigned char data[];
} block_t;

typedef struct cleanup {
    void (*fn)(void *);
    void *data;
    struct cleanup *next;
} cleanup_t;

struct ts_pool {
    block_t   *first;
    block_t   *current;
    cleanup_t *cleanups;
    size_t     total;
};

static block_t *
block_new(size_t size)
{
    block_t *b = malloc(sizeof(*b) + size);
    if (b == NULL) {
        return NULL;
    }
    b->next = NULL;
    b->size = size;
    b->used = 0;
    POISON(b->data, size);
    return b;
}

ts_pool_t *
ts_pool_create(size_t first_block)
{
    ts_pool_t *p = calloc(1, sizeof(*p));
    if (p == NULL) {
        return NULL;
    }
    p->first = p->current = block_new(first_block ? first_block : 16384);
    if (p->first == NULL) {
        free(p);
        return NULL;
    }
    return p;
}

void *
ts_palloc(ts_pool_t *p, size_t n)
{
    n = (n + ALIGN - 1) & ~(size_t) (ALIGN - 1);
    if (n == 0) {
        n = ALIGN;
    }
    block_t *b = p->current;
    if (b->size - b->used < n) {
        /* Large requests get a block of their own, so the chain stays short. */
        size_t size = n > p->first->size / 2 ? n : p->first->size * 2;
        block_t *nb = block_new(size);
        if (nb == NULL) {
            return NULL;
        }
        nb->next = b->next;
        b->next = nb;
        if (n <= size / 2 || b->size - b->used < 256) {
            p->current = nb;
        }
        b = nb;
    }
    void *ptr = b->data + b->used;
    b->used += n;
    p->total += n;
    UNPOISON(ptr, n);
    return ptr;
}

void *
ts_pcalloc(ts_pool_t *p, size_t n)
{
    void *ptr = ts_palloc(p, n);
    if (ptr != NULL) {
        memset(ptr, 0, n);
    }
    return ptr;
}

char *
ts_pstrndup(ts_pool_t *p, const char *s, size_t n)
{
    /* As strndup: at most n bytes, never past the string's end. */
    n = strnlen(s, n);
    char *d = ts_palloc(p, n + 1);
    if (d != NULL) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

char *
ts_pstrdup(ts_pool_t *p, const char *s)
{
    return s == NULL ? NULL : ts_pstrndup(p, s, strlen(s));
}

char *
ts_psprintf(ts_pool_t *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return NULL;
    }
    char *s = ts_palloc(p, (size_t) n + 1);
    if (s == NULL) {
        return NULL;
    }
    va_start(ap, fmt);
    vsnprintf(s, (size_t) n + 1, fmt, ap);
    va_end(ap);
    return s;
}

int
ts_pool_cleanup_add(ts_pool_t *p, void (*fn)(void *), void *data)
{
    cleanup_t *c = ts_palloc(p, sizeof(*c));
    if (c == NULL) {
        return TS_ERROR;
    }
    c->fn = fn;
    c->data = data;
    c->next = p->cleanups;
    p->cleanups = c;
    return TS_OK;
}

static void
run_cleanups(ts_pool_t *p)
{
    /* Newest first, so a resource is released before what it was built on. */
    while (p->cleanups != NULL) {
        cleanup_t *c = p->cleanups;
        p->cleanups = c->next;
        c->fn(c->data);
    }
}

void
ts_pool_reset(ts_pool_t *p)
{
    run_cleanups(p);
    block_t *b = p->first->next;
    while (b != NULL) {
        block_t *next = b->next;
        free(b);
        b = next;
    }
    p->first->next = NULL;
    p->first->used = 0;
    POISON(p->first->data, p->first->size);
    p->current = p->first;
    p->total = 0;
}

void
ts_pool_destroy(ts_pool_t *p)
{
    if (p == NULL) {
        return;
    }
    ts_pool_reset(p);
    free(p->first);
    free(p);
}

size_t
ts_pool_used(const ts_pool_t *p)
{
    return p->total;
}

void
ts_buf_init(ts_buf_t *b, ts_pool_t *p, size_t cap)
{
    b->pool = p;
    b->len = 0;
    b->cap = cap ? cap : 256;
    b->data = ts_palloc(p, b->cap);
}

int
ts_buf_add(ts_buf_t *b, const void *data, size_t n)
{
    if (b->data == NULL) {
        return TS_ERROR;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap * 2;
        while (cap < b->len + n + 1) {
            cap *= 2;
        }
        char *d = ts_palloc(b->pool, cap);
        if (d == NULL) {
            return TS_ERROR;
        }
        memcpy(d, b->data, b->len);
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return TS_OK;
}

int
ts_buf_str(ts_buf_t *b, const char *s)
{
    return ts_buf_add(b, s, strlen(s));
}

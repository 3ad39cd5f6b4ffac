/* libFuzzer target for the streaming multipart parser: invariants and chunking-independence. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ts_core.h"

/*
 * Input: byte 0 picks the read sizes, byte 1 the memory limit, then the
 * Content-Type up to the first '\n', then the body. A fixed Content-Type is
 * used when there is no '\n', so plain bodies from the corpus still parse.
 */
#define FIXED_CT "multipart/form-data; boundary=XyZ"

static char tmp_dir[64];

typedef struct {
    const uint8_t *data;
    size_t         len;
    size_t         pos;
    uint8_t        seed;
    unsigned       calls;
} reader_t;

/* Read sizes vary from call to call, 1 to 64 bytes, or the whole rest. */
static ssize_t
fuzz_read(void *ctx, char *buf, size_t n)
{
    reader_t *r = ctx;
    size_t want = r->seed == 0 ? n : 1 + (size_t) ((r->seed * 7u + r->calls * 13u) % 64u);
    r->calls++;
    if (want > n) {
        want = n;
    }
    if (want > r->len - r->pos) {
        want = r->len - r->pos;
    }
    memcpy(buf, r->data + r->pos, want);
    r->pos += want;
    return (ssize_t) want;
}

static void
check(int cond)
{
    if (!cond) {
        __builtin_trap();
    }
}

/* Checks one result's promises and returns a picture of it, for comparison. */
static char *
describe(ts_pool_t *p, int rc, const ts_part_node_t *parts, const char *err)
{
    ts_buf_t b;
    ts_buf_init(&b, p, 0);
    ts_buf_str(&b, "");
    if (rc != TS_OK) {
        check(rc == TS_ERROR && err != NULL && strncmp(err, "multipart: ", 11) == 0);
        check(parts == NULL);
        ts_buf_str(&b, err);
        return b.data;
    }
    check(err == NULL);
    int n = 0;
    for (; parts != NULL; parts = parts->next) {
        const ts_part_t *pt = &parts->part;
        check(++n <= 200);
        check(pt->field != NULL && pt->field[0] != '\0' && pt->content_type != NULL);
        if (pt->filename != NULL) {
            check(strchr(pt->filename, '/') == NULL && strchr(pt->filename, '\\') == NULL);
            check(strcmp(pt->filename, ".") != 0 && strcmp(pt->filename, "..") != 0);
        }
        ts_buf_str(&b, ts_psprintf(p, "[%s|%s|%s|%zu|", pt->field,
                                   pt->filename ? pt->filename : "-", pt->content_type,
                                   pt->size));
        if (pt->path == NULL) {
            check(pt->data != NULL && pt->data[pt->size] == '\0');
            ts_buf_add(&b, pt->data, pt->size);
        } else {
            struct stat st;
            check(pt->data == NULL && stat(pt->path, &st) == 0);
            check((st.st_mode & 07777) == 0600 && (size_t) st.st_size == pt->size);
            char *d = ts_palloc(p, pt->size + 1);
            FILE *f = fopen(pt->path, "rb");
            check(f != NULL && fread(d, 1, pt->size, f) == pt->size);
            fclose(f);
            ts_buf_add(&b, d, pt->size);
        }
        ts_buf_str(&b, "]");
    }
    return b.data;
}

static char *
run(ts_pool_t *p, const char *ct, const uint8_t *body, size_t len, uint8_t seed,
    size_t max_total, size_t mem_limit)
{
    reader_t r = { body, len, 0, seed, 0 };
    ts_part_node_t *parts = NULL;
    const char *err = NULL;
    int rc = ts_multipart_parse(p, ct, fuzz_read, &r, max_total, mem_limit, tmp_dir,
                                &parts, &err);
    check(r.pos <= len);
    return describe(p, rc, parts, err);
}

/* Every temp file of a pool is gone once the pool is. */
static void
destroy_and_check(ts_pool_t *p)
{
    ts_pool_destroy(p);
    check(rmdir(tmp_dir) == 0);
    check(mkdir(tmp_dir, 0700) == 0);
}

static void
remove_tmp_dir(void)
{
    rmdir(tmp_dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void) argc;
    (void) argv;
    snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/ts-fuzz-mp-XXXXXX");
    if (mkdtemp(tmp_dir) == NULL) {
        abort();
    }
    atexit(remove_tmp_dir);
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) {
        return 0;
    }
    uint8_t seed = data[0];
    static const size_t limits[] = { 0, 1, 3, 16, 100, 1 << 20 };
    size_t mem_limit = limits[data[1] % (sizeof(limits) / sizeof(limits[0]))];
    data += 2;
    size -= 2;
    ts_pool_t *p = ts_pool_create(4096);
    const char *ct = FIXED_CT;
    const uint8_t *nl = memchr(data, '\n', size < 256 ? size : 256);
    if (nl != NULL) {
        ct = ts_pstrndup(p, (const char *) data, (size_t) (nl - data));
        size -= (size_t) (nl - data) + 1;
        data = nl + 1;
    }

    /* The result must not depend on how the body was cut into reads. */
    char *whole = run(p, ct, data, size, 0, 1 << 24, mem_limit);
    char *cut = run(p, ct, data, size, seed | 1, 1 << 24, mem_limit);
    check(strcmp(whole, cut) == 0);
    /* Nor on whether the parts were spilled to files. */
    char *mem = run(p, ct, data, size, seed, 1 << 24, 1 << 20);
    check(strcmp(whole, mem) == 0);

    /* A tight max_total: whatever happens, the promises hold. */
    (void) run(p, ct, data, size, seed, size / 2, mem_limit);
    destroy_and_check(p);
    return 0;
}

/* Unit tests of core/ts_multipart.c: parsing, chunk boundaries, temp-file spill, limits. */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ts_core.h"
#include "tap.h"

#define CT "multipart/form-data; boundary=XyZ"
#define BIG ((size_t) 1 << 30)

static char tmp_dir[64];

/* Serves a body from memory: `first` bytes at the first call, then `chunk` at a time. */
typedef struct {
    const char *data;
    size_t      len;
    size_t      pos;
    size_t      first;
    size_t      chunk;
    int         calls;
    int         fail_at;    /* call number that returns -1; 0 never */
    size_t      overrun;    /* claim this many extra bytes */
} reader_t;

static ssize_t
mem_read(void *ctx, char *buf, size_t n)
{
    reader_t *r = ctx;
    r->calls++;
    if (r->fail_at != 0 && r->calls == r->fail_at) {
        return -1;
    }
    size_t want = r->calls == 1 && r->first ? r->first : r->chunk;
    if (want > n) {
        want = n;
    }
    if (want > r->len - r->pos) {
        want = r->len - r->pos;
    }
    memcpy(buf, r->data + r->pos, want);
    r->pos += want;
    if (r->overrun && want > 0) {
        return (ssize_t) (n + r->overrun);
    }
    return (ssize_t) want;
}

typedef struct {
    ts_pool_t      *pool;
    ts_part_node_t *parts;
    const char     *err;
    int             rc;
} result_t;

static result_t
parse_with(const char *ct, reader_t *r, size_t max_total, size_t mem_limit)
{
    result_t res = { ts_pool_create(4096), NULL, NULL, 0 };
    res.rc = ts_multipart_parse(res.pool, ct, mem_read, r, max_total, mem_limit, tmp_dir,
                                &res.parts, &res.err);
    return res;
}

static result_t
parse(const char *body, size_t chunk, size_t mem_limit)
{
    reader_t r = { body, strlen(body), 0, 0, chunk, 0, 0, 0 };
    return parse_with(CT, &r, BIG, mem_limit);
}

static int
count_parts(const ts_part_node_t *n)
{
    int c = 0;
    for (; n != NULL; n = n->next) {
        c++;
    }
    return c;
}

static const ts_part_t *
part_at(const result_t *res, int i)
{
    const ts_part_node_t *n = res->parts;
    while (n != NULL && i-- > 0) {
        n = n->next;
    }
    return n != NULL ? &n->part : NULL;
}

static char *
slurp(ts_pool_t *p, const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    ts_buf_t b;
    ts_buf_init(&b, p, 0);
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0) {
        ts_buf_add(&b, tmp, n);
    }
    fclose(f);
    if (b.len == 0) {
        b.data[0] = '\0';
    }
    *len = b.len;
    return b.data;
}

/* A one-string picture of the result, comparable across chunkings. */
static char *
describe(result_t *res)
{
    if (res->rc != TS_OK) {
        return ts_psprintf(res->pool, "error: %s", res->err ? res->err : "(none)");
    }
    ts_buf_t b;
    ts_buf_init(&b, res->pool, 0);
    ts_buf_str(&b, "");
    for (ts_part_node_t *n = res->parts; n != NULL; n = n->next) {
        const ts_part_t *pt = &n->part;
        size_t len = pt->size;
        const char *data = pt->data;
        if (pt->path != NULL) {
            data = slurp(res->pool, pt->path, &len);
        }
        ts_buf_str(&b, ts_psprintf(res->pool, "[%s|%s|%s|%zu|%zu|", pt->field,
                                   pt->filename ? pt->filename : "-", pt->content_type,
                                   pt->size, len));
        if (data != NULL) {
            ts_buf_add(&b, data, len);
        }
        ts_buf_str(&b, "]");
    }
    return b.data;
}

static int
files_in_tmp(void)
{
    DIR *d = opendir(tmp_dir);
    int n = 0;
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        n += e->d_name[0] != '.';
    }
    if (d != NULL) {
        closedir(d);
    }
    return n;
}

static int
open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    while (d != NULL && readdir(d) != NULL) {
        n++;
    }
    if (d != NULL) {
        closedir(d);
    }
    return n;
}

static const char basic[] =
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"title\"\r\n"
    "\r\n"
    "Hello world\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"doc\"; filename=\"a.txt\"\r\n"
    "Content-Type: text/csv\r\n"
    "\r\n"
    "x,y\r\n1,2\r\n"
    "--XyZ\r\n"
    "content-disposition: FORM-DATA; NAME=empty\r\n"
    "\r\n"
    "\r\n"
    "--XyZ--\r\n";

static void
test_basic(void)
{
    result_t res = parse(basic, 100000, 1000);
    is_int(res.rc, TS_OK, "basic: parses");
    ok(res.err == NULL, "basic: no error message");
    is_int(count_parts(res.parts), 3, "basic: three parts");
    const ts_part_t *a = part_at(&res, 0), *b = part_at(&res, 1), *c = part_at(&res, 2);
    if (a == NULL || b == NULL || c == NULL) {
        ok(0, "basic: parts missing");
        ts_pool_destroy(res.pool);
        return;
    }
    is_str(a->field, "title", "basic: first name");
    ok(a->filename == NULL, "basic: a field has no filename");
    is_str(a->content_type, "text/plain", "basic: default content type");
    is_str(a->data, "Hello world", "basic: first data");
    is_int(a->size, 11, "basic: first size");
    ok(a->path == NULL, "basic: in memory");
    is_str(b->field, "doc", "basic: file name field");
    is_str(b->filename, "a.txt", "basic: filename");
    is_str(b->content_type, "text/csv", "basic: content type kept");
    is_str(b->data, "x,y\r\n1,2", "basic: CRLF inside data kept");
    is_int(b->size, 8, "basic: file size");
    is_str(c->field, "empty", "basic: header names and params any case, bare token");
    is_str(c->data, "", "basic: empty data");
    is_int(c->size, 0, "basic: empty size");
    ok(c->data != NULL && c->data[c->size] == '\0', "basic: NUL-terminated");
    ts_pool_destroy(res.pool);

    res = parse("--XyZ--", 10, 10);
    is_int(res.rc, TS_OK, "basic: no parts at all");
    ok(res.parts == NULL, "basic: empty list");
    ts_pool_destroy(res.pool);

    static const char bin[] = "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n"
                              "bin\0ary\r\n--XyZ--";
    reader_t r = { bin, sizeof(bin) - 1, 0, 0, 3, 0, 0, 0 };
    res = parse_with(CT, &r, BIG, 100);
    is_int(res.rc, TS_OK, "basic: binary data");
    ok(res.parts && res.parts->part.size == 7 && memcmp(res.parts->part.data, "bin\0ary", 8) == 0,
       "basic: NUL bytes in data kept, size counts them");
    ts_pool_destroy(res.pool);
}

/* A body built to put near-misses of the delimiter everywhere. */
static const char tricky[] =
    "preamble --XyZ not at line start\r\n"
    "--XyZ  \t\r\n"
    "Content-Disposition: form-data; name=\"a\"\r\n"
    "\r\n"
    "\r\n-\r\n--\r\n--X\r\n--Xy\r\n--x--XyZ\r-\r\n\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"b\"; filename=\"b.bin\"\r\n"
    "X-Other: ignored\r\n"
    "\r\n"
    "\r"
    "\r\n--XyZ\r\n"
    "Content-Disposition: form-data; name=\"c\"\r\n"
    "\r\n"
    "--XyZ\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"d\"\r\n"
    "\r\n"
    "\r\n"
    "\r\n--XyZ--\r\nepilogue --XyZ junk";

static void
test_chunking(void)
{
    size_t len = sizeof(tricky) - 1;
    result_t ref = parse(tricky, len, 1 << 20);
    is_int(ref.rc, TS_OK, "chunks: reference parses");
    is_int(count_parts(ref.parts), 4, "chunks: four parts");
    is_str(part_at(&ref, 0) ? part_at(&ref, 0)->data : NULL,
           "\r\n-\r\n--\r\n--X\r\n--Xy\r\n--x--XyZ\r-\r\n", "chunks: near-misses are data");
    is_str(part_at(&ref, 1) ? part_at(&ref, 1)->data : NULL, "\r", "chunks: a lone CR is data");
    is_str(part_at(&ref, 2) ? part_at(&ref, 2)->data : NULL, "--XyZ",
           "chunks: a boundary not after CRLF is data");
    is_str(part_at(&ref, 3) ? part_at(&ref, 3)->data : NULL, "\r\n", "chunks: CRLF as data");
    const char *want = describe(&ref);

    /* Every chunk size, in memory and spilled at every size. */
    int bad = 0;
    for (size_t chunk = 1; chunk <= len; chunk++) {
        result_t res = parse(tricky, chunk, 1 << 20);
        if (strcmp(describe(&res), want) != 0) {
            bad++;
            printf("# chunk %zu: %s\n", chunk, describe(&res));
        }
        ts_pool_destroy(res.pool);
    }
    is_int(bad, 0, "chunks: same result at every chunk size 1..%zu", len);

    /* Every split point: the first read ends at k, the rest comes at once. */
    bad = 0;
    for (size_t k = 1; k < len; k++) {
        reader_t r = { tricky, len, 0, k, len, 0, 0, 0 };
        result_t res = parse_with(CT, &r, BIG, 1 << 20);
        bad += strcmp(describe(&res), want) != 0;
        ts_pool_destroy(res.pool);
    }
    is_int(bad, 0, "chunks: same result at every split point");

    /* Two splits: first read k bytes, then j at a time. */
    bad = 0;
    for (size_t k = 1; k < 40; k++) {
        for (size_t j = 2; j < 12; j++) {
            reader_t r = { tricky, len, 0, k, j, 0, 0, 0 };
            result_t res = parse_with(CT, &r, BIG, 1 << 20);
            bad += strcmp(describe(&res), want) != 0;
            ts_pool_destroy(res.pool);
        }
    }
    is_int(bad, 0, "chunks: same result with an odd first read");

    /* The same with every part spilled to disk, at several chunk sizes. */
    bad = 0;
    for (size_t chunk = 1; chunk <= len; chunk += 7) {
        result_t res = parse(tricky, chunk, 0);
        const char *got = describe(&res);
        if (strcmp(got, want) != 0) {
            bad++;
            printf("# spill chunk %zu: %s\n", chunk, got);
        }
        ts_pool_destroy(res.pool);
    }
    is_int(bad, 0, "chunks: same result when spilled to files");
    is_int(files_in_tmp(), 0, "chunks: no temp file left behind");
    ts_pool_destroy(ref.pool);
}

/* A long boundary and a big part, so a delimiter straddles real 16 KiB reads. */
static void
test_long_boundary(void)
{
    char boundary[71];
    memset(boundary, 'b', 70);
    boundary[70] = '\0';
    boundary[0] = '-';
    boundary[33] = ' ';
    ts_pool_t *p = ts_pool_create(4096);
    char *ct = ts_psprintf(p, "multipart/form-data; boundary=\"%s\"", boundary);
    ts_buf_t b;
    ts_buf_init(&b, p, 0);
    size_t datalen = 40000;
    ts_buf_str(&b, ts_psprintf(p, "--%s\r\nContent-Disposition: form-data; name=big\r\n\r\n",
                               boundary));
    size_t data_at = b.len;
    for (size_t i = 0; i < datalen; i++) {
        char c = (char) ('a' + i % 26);
        ts_buf_add(&b, &c, 1);
    }
    ts_buf_str(&b, ts_psprintf(p, "\r\n--%s--", boundary));
    char *expect = ts_pstrndup(p, b.data + data_at, datalen);

    int bad = 0;
    size_t chunks[] = { 1, 2, 3, 69, 70, 73, 74, 75, 4095, 16383, 16384, 16385, 40000 };
    for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
        for (int spill = 0; spill < 2; spill++) {
            reader_t r = { b.data, b.len, 0, 0, chunks[i], 0, 0, 0 };
            result_t res = parse_with(ct, &r, BIG, spill ? 1000 : 1 << 20);
            size_t len = 0;
            const ts_part_t *pt = part_at(&res, 0);
            const char *got = pt == NULL ? NULL
                              : pt->path ? slurp(res.pool, pt->path, &len) : pt->data;
            if (res.rc != TS_OK || pt == NULL || pt->size != datalen || got == NULL
                || memcmp(got, expect, datalen) != 0 || (spill != 0) != (pt->path != NULL)) {
                bad++;
                printf("# chunk %zu spill %d: rc %d %s\n", chunks[i], spill, res.rc,
                       res.err ? res.err : "");
            }
            ts_pool_destroy(res.pool);
        }
    }
    is_int(bad, 0, "long boundary: 70 chars with a space, 40000 bytes, all chunkings");

    /* Every split point around the closing delimiter, byte-exact. */
    bad = 0;
    for (size_t k = b.len - 80; k < b.len; k++) {
        reader_t r = { b.data, b.len, 0, k, 16384, 0, 0, 0 };
        result_t res = parse_with(ct, &r, BIG, 1 << 20);
        const ts_part_t *pt = part_at(&res, 0);
        bad += res.rc != TS_OK || pt == NULL || pt->size != datalen
               || memcmp(pt->data, expect, datalen) != 0;
        ts_pool_destroy(res.pool);
    }
    is_int(bad, 0, "long boundary: every split point around the close");
    ts_pool_destroy(p);
}

static void
expect_ct(const char *ct, int want, const char *what)
{
    reader_t r = { "--a\r\nContent-Disposition: form-data; name=x\r\n\r\nv\r\n--a--", 0, 0, 0,
                   100, 0, 0, 0 };
    r.len = strlen(r.data);
    result_t res = parse_with(ct, &r, BIG, 100);
    is_int(res.rc, want, "content-type: %s", what);
    if (want == TS_ERROR) {
        ok(res.err != NULL && strncmp(res.err, "multipart: ", 11) == 0,
           "content-type: %s: message '%s'", what, res.err ? res.err : "");
        ok(r.calls == 0, "content-type: %s: body not read", what);
    } else {
        is_str(part_at(&res, 0) ? part_at(&res, 0)->data : NULL, "v", "content-type: %s: data",
               what);
    }
    ts_pool_destroy(res.pool);
}

static void
test_content_type(void)
{
    expect_ct("multipart/form-data; boundary=a", TS_OK, "plain");
    expect_ct("multipart/form-data; boundary=\"a\"", TS_OK, "quoted");
    expect_ct("Multipart/Form-Data;BOUNDARY=a", TS_OK, "any case, no space");
    expect_ct("  multipart/form-data ; charset=utf-8 ; boundary = a ; ", TS_OK, "spaces, params");
    expect_ct("multipart/form-data; x=\"q;b=z\"; boundary=a", TS_OK, "quoted ; in another param");
    expect_ct("multipart/form-data; boundary=\"\\a\"", TS_ERROR, "backslash in boundary");
    expect_ct(NULL, TS_ERROR, "NULL");
    expect_ct("", TS_ERROR, "empty");
    expect_ct("multipart/form-data", TS_ERROR, "no boundary");
    expect_ct("multipart/form-data; boundary=", TS_ERROR, "empty boundary");
    expect_ct("multipart/form-data; boundary=\"\"", TS_ERROR, "empty quoted boundary");
    expect_ct("multipart/form-data; boundary=\"a", TS_ERROR, "unterminated quote");
    expect_ct("multipart/form-data; boundary=a; boundary=a", TS_ERROR, "two boundaries");
    expect_ct("multipart/mixed; boundary=a", TS_ERROR, "not form-data");
    expect_ct("multipart/form-datax; boundary=a", TS_ERROR, "longer type");
    expect_ct("application/x-www-form-urlencoded", TS_ERROR, "urlencoded");
    expect_ct("multipart/form-data; boundary=\"a \"", TS_ERROR, "boundary ending in a space");
    expect_ct("multipart/form-data; boundary=a\"b", TS_ERROR, "quote in a bare boundary");
    expect_ct("multipart/form-data; boundary=\"a\\\"b\"", TS_ERROR, "quote char in boundary");
    expect_ct("multipart/form-data; boundary=\"a\x01\"", TS_ERROR, "control char in boundary");
    expect_ct("multipart/form-data; boundary=\"a\xc3\xa9\"", TS_ERROR, "UTF-8 in boundary");
    expect_ct("multipart/form-data; boundary a", TS_ERROR, "param without =");
    expect_ct("multipart/form-data; =a", TS_ERROR, "param without name");
    expect_ct("multipart/form-data boundary=a", TS_ERROR, "no ; before param");

    char ct[160];
    char b70[71];
    memset(b70, 'k', 70);
    b70[70] = '\0';
    snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", b70);
    reader_t r = { NULL, 0, 0, 0, 7, 0, 0, 0 };
    char body[256];
    snprintf(body, sizeof(body),
             "--%s\r\nContent-Disposition: form-data; name=x\r\n\r\nv\r\n--%s--", b70, b70);
    r.data = body;
    r.len = strlen(body);
    result_t res = parse_with(ct, &r, BIG, 100);
    is_int(res.rc, TS_OK, "content-type: 70-char boundary");
    ts_pool_destroy(res.pool);
    snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%sk", b70);
    expect_ct(ct, TS_ERROR, "71-char boundary");
}

/* Expects failure with a message that contains `frag`. */
static void
expect_fail(const char *body, size_t mem_limit, const char *frag, const char *what)
{
    size_t len = strlen(body);
    int bad = 0;
    const char *first = NULL;
    for (size_t chunk = 1; chunk <= len + 1; chunk++) {
        result_t res = parse(body, chunk, mem_limit);
        if (res.rc != TS_ERROR || res.parts != NULL || res.err == NULL
            || strstr(res.err, frag) == NULL) {
            if (!bad) {
                printf("# chunk %zu: rc %d err %s\n", chunk, res.rc, res.err ? res.err : "-");
            }
            bad++;
        }
        if (first == NULL && res.err != NULL) {
            first = strdup(res.err);
        }
        ts_pool_destroy(res.pool);
        if (chunk > 64 && chunk < len - 5) {
            chunk += chunk / 4;   /* every small size, then a sample */
        }
    }
    ok(bad == 0, "malformed: %s ('%s')", what, first ? first : "");
    free((void *) first);
}

#define HDR(n) "--XyZ\r\nContent-Disposition: form-data; name=" n "\r\n\r\n"

static void
test_malformed(void)
{
    expect_fail("", 100, "no boundary found", "empty body");
    expect_fail("just some text", 100, "no boundary found", "no boundary");
    expect_fail("--XyZ", 100, "ends right after a boundary", "boundary only");
    expect_fail("--XyZ-", 100, "ends right after", "half a close");
    expect_fail("--XyZ-x", 100, "junk after a boundary", "dash then junk");
    expect_fail("--XyZx\r\n", 100, "junk after a boundary", "longer boundary");
    expect_fail("--XyZ \t-- ", 100, "junk after a boundary", "close after padding");
    expect_fail("--XyZ\r", 100, "ends right after", "CR only");
    expect_fail("--XyZ\rx", 100, "junk after a boundary", "CR then junk");
    expect_fail("--XyZ\n", 100, "junk after a boundary", "LF only");
    expect_fail("--XyZ\nContent-Disposition: form-data; name=a\n\nv\n--XyZ--\n", 100,
                "junk after a boundary", "LF line ends");
    expect_fail("--XyZ\r\n", 100, "ends inside the headers of part 1", "no headers");
    expect_fail("--XyZ\r\nContent-Disposition: form-data; name=a\r\n", 100,
                "ends inside the headers of part 1", "headers unterminated");
    expect_fail(HDR("a") "value", 100, "part 1 is not closed", "no closing boundary");
    expect_fail(HDR("a") "value\r\n--XyZ", 100, "ends right after", "no final --");
    expect_fail(HDR("a") "value\r\n--Xy", 100, "part 1 is not closed", "cut in the delimiter");
    expect_fail(HDR("a") "v", 0, "part 1 is not closed", "no closing boundary, spilled");
    expect_fail(HDR("a") "v\r\n--XyZ\r\n\r\nw\r\n--XyZ--", 100,
                "part 2 has no Content-Disposition", "empty header block");
    expect_fail(HDR("a") "v\r\n--XyZ\r\nContent-Type: text/plain\r\n\r\nw\r\n--XyZ--", 100,
                "part 2 has no Content-Disposition", "no disposition");
    expect_fail(HDR("a") "v\r\n" HDR("b") "v\r\n"
                "--XyZ\r\nContent-Disposition: form-data; filename=\"f\"\r\n\r\nw\r\n--XyZ--",
                100, "part 3 has no name", "missing name");
    expect_fail(HDR("\"\"") "v\r\n--XyZ--", 100, "part 1 has no name", "empty name");
    expect_fail(HDR("a; name=b") "v\r\n--XyZ--", 100, "bad Content-Disposition", "two names");
    expect_fail("--XyZ\r\nContent-Disposition: form-data; name=a; filename=x; filename=y\r\n\r\n"
                "v\r\n--XyZ--", 100, "bad Content-Disposition", "two filenames");
    expect_fail(HDR("\"a") "v\r\n--XyZ--", 100, "bad Content-Disposition", "unterminated quote");
    expect_fail(HDR("\"a\"x") "v\r\n--XyZ--", 100, "bad Content-Disposition",
                "junk after quote");
    expect_fail(HDR("a b\"c") "v\r\n--XyZ--", 100, "bad Content-Disposition", "quote in token");
    expect_fail("--XyZ\r\nContent-Disposition: form-data; name\r\n\r\nv\r\n--XyZ--", 100,
                "bad Content-Disposition", "param without =");
    expect_fail("--XyZ\r\nContent-Disposition: attachment; name=a\r\n\r\nv\r\n--XyZ--", 100,
                "part 1 is not form-data", "attachment");
    expect_fail("--XyZ\r\nContent-Disposition: name=a\r\n\r\nv\r\n--XyZ--", 100,
                "part 1 is not form-data", "no disposition type");
    expect_fail("--XyZ\r\nContent-Disposition: form-data; name=a\r\n"
                "Content-Disposition: form-data; name=b\r\n\r\nv\r\n--XyZ--", 100,
                "two Content-Disposition", "two dispositions");
    expect_fail("--XyZ\r\nContent-Disposition: form-data; name=a\r\nContent-Type: a/b\r\n"
                "content-type: c/d\r\n\r\nv\r\n--XyZ--", 100, "two Content-Type", "two types");
    expect_fail("--XyZ\r\nContent-Disposition: form-data;\r\n name=a\r\n\r\nv\r\n--XyZ--", 100,
                "folded header", "folded header");
    expect_fail("--XyZ\r\nContent-Disposition form-data; name=a\r\n\r\nv\r\n--XyZ--", 100,
                "malformed header", "header without colon");
    expect_fail("--XyZ\r\n: x\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--XyZ--", 100,
                "malformed header", "header without name");
    expect_fail("--XyZ\r\nContent-Disposition: form-data; name=a\r\nX-A: b\rc\r\n\r\nv\r\n--XyZ--",
                100, "control character", "bare CR in a header");
    expect_fail("--XyZ\r\nContent-Disposition: form-data; name=a\r\nX-A: b\nc\r\n\r\nv\r\n--XyZ--",
                100, "control character", "bare LF in a header");
    expect_fail("--XyZ\r\nContent-Disposition: form-data; name=\"a\x1b\"\r\n\r\nv\r\n--XyZ--",
                100, "control character", "escape char in a name");
    expect_fail(HDR("a") "v\r\n--XyZ\r\nContent-Disposition: form-data; name=b; "
                "filename=\"..\"\r\n\r\nw\r\n--XyZ--", 100, "part 2 has a bad filename",
                "filename ..");
    expect_fail("--XyZ\r\nContent-Disposition: form-data; name=b; filename=\"a/b/..\"\r\n\r\n"
                "w\r\n--XyZ--", 100, "bad filename", "filename a/b/..");
    expect_fail("--XyZ\r\nContent-Disposition: form-data; name=b; filename=\"..\\\\..\\\\.\"\r\n\r\n"
                "w\r\n--XyZ--", 100, "bad filename", "filename ..\\..\\.");

    /* The NUL case needs an explicit length. */
    static const char nul[] = "--XyZ\r\nContent-Disposition: form-data; name=\"a\0b\"\r\n\r\n"
                              "v\r\n--XyZ--";
    reader_t r = { nul, sizeof(nul) - 1, 0, 0, 5, 0, 0, 0 };
    result_t res = parse_with(CT, &r, BIG, 100);
    ok(res.rc == TS_ERROR && res.err && strstr(res.err, "control character"),
       "malformed: NUL in a header");
    ts_pool_destroy(res.pool);
}

static void
test_filenames(void)
{
    struct {
        const char *raw;
        const char *want;
    } cases[] = {
        { "\"a.txt\"", "a.txt" },
        { "plain.txt", "plain.txt" },
        { "\"dir/sub/c.txt\"", "c.txt" },
        { "\"../../etc/passwd\"", "passwd" },
        { "\"C:\\Users\\Bob\\My Doc.pdf\"", "My Doc.pdf" },
        { "\"\\\\server\\share\\x.doc\"", "x.doc" },
        { "\"say \\\"hi\\\".txt\"", "say \"hi\".txt" },
        { "\"\"", "" },
        { "\"dir/\"", "" },
        { "\"..foo\"", "..foo" },
        { "\"caf\xc3\xa9 \xe2\x82\xac.png\"", "caf\xc3\xa9 \xe2\x82\xac.png" },
        { "\"a;b=c.txt\"", "a;b=c.txt" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char body[256];
        snprintf(body, sizeof(body), "--XyZ\r\nContent-Disposition: form-data; name=\"f\"; "
                 "filename=%s\r\n\r\ndata\r\n--XyZ--", cases[i].raw);
        result_t res = parse(body, 9, 100);
        is_int(res.rc, TS_OK, "filename %s: parses", cases[i].raw);
        is_str(res.parts ? res.parts->part.filename : NULL, cases[i].want,
               "filename %s: kept as '%s'", cases[i].raw, cases[i].want);
        ts_pool_destroy(res.pool);
    }

    /* filename* and unknown parameters are ignored, filename alone is used. */
    result_t res = parse("--XyZ\r\nContent-Disposition: form-data; name=\"f\"; "
                         "filename*=UTF-8''x%20y.txt; foo=bar; filename=\"z.txt\"\r\n\r\n"
                         "d\r\n--XyZ--", 4, 100);
    is_str(res.parts ? res.parts->part.filename : NULL, "z.txt", "filename: filename* ignored");
    ts_pool_destroy(res.pool);
    res = parse("--XyZ\r\nContent-Disposition: form-data; name=\"a\\\"b\"; x=\"\"\r\n\r\n"
                "d\r\n--XyZ--", 4, 100);
    is_str(res.parts ? res.parts->part.field : NULL, "a\"b", "name: escaped quote");
    ts_pool_destroy(res.pool);
}

static void
test_spill(void)
{
    const char *body = HDR("ten") "0123456789\r\n" HDR("eleven") "0123456789A\r\n"
                       HDR("zero") "\r\n--XyZ--";
    int fds = open_fds();
    result_t res = parse(body, 3, 10);
    is_int(res.rc, TS_OK, "spill: parses");
    const ts_part_t *a = part_at(&res, 0), *b = part_at(&res, 1), *c = part_at(&res, 2);
    ok(a && a->path == NULL && a->size == 10 && strcmp(a->data, "0123456789") == 0,
       "spill: exactly mem_limit stays in memory");
    ok(b && b->path != NULL && b->data == NULL && b->size == 11, "spill: one more goes to a file");
    ok(c && c->path == NULL && c->size == 0, "spill: empty part in memory");
    is_int(open_fds(), fds, "spill: no descriptor left open");
    if (b != NULL && b->path != NULL) {
        struct stat st;
        ok(stat(b->path, &st) == 0 && S_ISREG(st.st_mode), "spill: file exists");
        is_int(st.st_mode & 07777, 0600, "spill: file mode 0600");
        is_int(st.st_size, 11, "spill: file size");
        ok(strncmp(b->path, tmp_dir, strlen(tmp_dir)) == 0 && b->path[strlen(tmp_dir)] == '/',
           "spill: file in tmp_dir");
        size_t len;
        is_str(slurp(res.pool, b->path, &len), "0123456789A", "spill: file content");
        char *path = strdup(b->path);
        ts_pool_destroy(res.pool);
        ok(access(path, F_OK) != 0, "spill: file removed with the pool");
        free(path);
    } else {
        ts_pool_destroy(res.pool);
    }
    is_int(files_in_tmp(), 0, "spill: tmp dir empty");

    /* mem_limit 0: everything with data spills; many files, all removed. */
    res = parse(basic, 1, 0);
    is_int(res.rc, TS_OK, "spill: mem_limit 0 parses");
    ok(part_at(&res, 0) && part_at(&res, 0)->path, "spill: mem_limit 0, field spilled");
    ok(part_at(&res, 2) && part_at(&res, 2)->path == NULL, "spill: mem_limit 0, empty in memory");
    is_int(files_in_tmp(), 2, "spill: two files while the pool lives");
    ts_pool_destroy(res.pool);
    is_int(files_in_tmp(), 0, "spill: all removed");

    /* A part cut short after spilling: error, descriptor closed, file removed. */
    res = parse(HDR("a") "0123456789ABCDEF", 4, 5);
    is_int(res.rc, TS_ERROR, "spill: cut-short part fails");
    is_int(open_fds(), fds, "spill: cut-short part leaves no descriptor");
    is_int(files_in_tmp(), 1, "spill: its file lives until the pool goes");
    ts_pool_destroy(res.pool);
    is_int(files_in_tmp(), 0, "spill: then it is removed");

    /* No usable tmp_dir. */
    reader_t r = { body, strlen(body), 0, 0, 100, 0, 0, 0 };
    ts_pool_t *p = ts_pool_create(0);
    ts_part_node_t *parts;
    const char *err;
    int rc = ts_multipart_parse(p, CT, mem_read, &r, BIG, 10, "/nonexistent/dir", &parts, &err);
    ok(rc == TS_ERROR && err && strstr(err, "cannot create a temp file"),
       "spill: missing tmp_dir reported ('%s')", err ? err : "");
    ts_pool_destroy(p);

    /* A handler moved the file and another took its name: that one must survive. */
    res = parse(HDR("a") "0123456789ABCDEF\r\n--XyZ--", 100, 5);
    const ts_part_t *pt = part_at(&res, 0);
    if (pt != NULL && pt->path != NULL) {
        char moved[128];
        snprintf(moved, sizeof(moved), "%s/kept", tmp_dir);
        ok(rename(pt->path, moved) == 0, "spill: handler renames the upload");
        FILE *f = fopen(pt->path, "w");
        ok(f != NULL, "spill: another file takes the name");
        if (f != NULL) {
            fclose(f);
        }
        char *path = strdup(pt->path);
        ts_pool_destroy(res.pool);
        ok(access(moved, F_OK) == 0, "spill: renamed upload kept");
        ok(access(path, F_OK) == 0, "spill: the stranger's file not removed");
        unlink(moved);
        unlink(path);
        free(path);
    } else {
        ok(0, "spill: no file to rename");
        ts_pool_destroy(res.pool);
    }
    is_int(files_in_tmp(), 0, "spill: tmp dir clean");

    /* NULL tmp_dir falls back to /tmp. */
    r = (reader_t) { body, strlen(body), 0, 0, 100, 0, 0, 0 };
    p = ts_pool_create(0);
    rc = ts_multipart_parse(p, CT, mem_read, &r, BIG, 10, NULL, &parts, &err);
    ok(rc == TS_OK && parts && parts->next && parts->next->part.path
       && strncmp(parts->next->part.path, "/tmp/", 5) == 0, "spill: NULL tmp_dir means /tmp");
    ts_pool_destroy(p);
}

static void
test_limits(void)
{
    size_t len = strlen(basic);
    reader_t r = { basic, len, 0, 0, 7, 0, 0, 0 };
    result_t res = parse_with(CT, &r, len, 100);
    is_int(res.rc, TS_OK, "limits: body of exactly max_total");
    ts_pool_destroy(res.pool);

    /* The close comes before the last bytes: only what is read counts. */
    r = (reader_t) { basic, len, 0, 0, 1, 0, 0, 0 };
    res = parse_with(CT, &r, len - 2, 100);
    is_int(res.rc, TS_OK, "limits: epilogue past max_total is not read");
    ts_pool_destroy(res.pool);

    r = (reader_t) { basic, len, 0, 0, 7, 0, 0, 0 };
    res = parse_with(CT, &r, len - 3, 100);
    ok(res.rc == TS_ERROR && res.err && strstr(res.err, "body larger than"),
       "limits: one byte over max_total ('%s')", res.err ? res.err : "");
    ok(r.pos <= len - 2, "limits: read stops one byte past the limit");
    ts_pool_destroy(res.pool);

    r = (reader_t) { basic, len, 0, 0, 7, 0, 0, 0 };
    res = parse_with(CT, &r, 0, 100);
    is_int(res.rc, TS_ERROR, "limits: max_total 0");
    ts_pool_destroy(res.pool);

    /* 200 parts pass, 201 fail. */
    ts_pool_t *p = ts_pool_create(0);
    ts_buf_t b;
    ts_buf_init(&b, p, 0);
    for (int i = 0; i < 200; i++) {
        ts_buf_str(&b, ts_psprintf(p, HDR("f%d") "%d\r\n", i, i));
    }
    size_t at = b.len;
    ts_buf_str(&b, "--XyZ--");
    r = (reader_t) { b.data, b.len, 0, 0, 1000, 0, 0, 0 };
    res = parse_with(CT, &r, BIG, 100);
    is_int(res.rc, TS_OK, "limits: 200 parts");
    is_int(count_parts(res.parts), 200, "limits: 200 parts kept");
    ts_pool_destroy(res.pool);
    b.len = at;
    ts_buf_str(&b, HDR("x") "y\r\n--XyZ--");
    r = (reader_t) { b.data, b.len, 0, 0, 1000, 0, 0, 0 };
    res = parse_with(CT, &r, BIG, 100);
    ok(res.rc == TS_ERROR && res.err && strstr(res.err, "more than 200 parts"),
       "limits: 201 parts refused ('%s')", res.err ? res.err : "");
    ts_pool_destroy(res.pool);

    /* A header block of exactly 8192 bytes (its CRLFs included) passes; one more fails. */
    for (int extra = 0; extra < 2; extra++) {
        const char *cd = "Content-Disposition: form-data; name=h\r\n";
        size_t pad = 8192 - strlen(cd) - strlen("X-Pad: \r\n") + (size_t) extra;
        b.len = 0;
        ts_buf_str(&b, "--XyZ\r\n");
        ts_buf_str(&b, cd);
        ts_buf_str(&b, "X-Pad: ");
        for (size_t i = 0; i < pad; i++) {
            ts_buf_add(&b, "p", 1);
        }
        ts_buf_str(&b, "\r\n\r\nv\r\n--XyZ--");
        int bad = 0;
        size_t sizes[] = { 1, 13, 4096, 8190, 8191, 8192, 8193, 8196, 8200, 16384, 100000 };
        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
            r = (reader_t) { b.data, b.len, 0, 0, sizes[i], 0, 0, 0 };
            res = parse_with(CT, &r, BIG, 100);
            bad += extra ? !(res.rc == TS_ERROR && res.err && strstr(res.err, "more than 8192 bytes"))
                         : !(res.rc == TS_OK && strcmp(res.parts->part.data, "v") == 0);
            ts_pool_destroy(res.pool);
        }
        ok(bad == 0, "limits: header block of %s bytes", extra ? "8193" : "8192");
    }

    /* A header block that never ends is stopped at the cap, not at max_total. */
    b.len = 0;
    ts_buf_str(&b, "--XyZ\r\nX-Long: ");
    for (int i = 0; i < 100000; i++) {
        ts_buf_add(&b, "q", 1);
    }
    r = (reader_t) { b.data, b.len, 0, 0, 16384, 0, 0, 0 };
    res = parse_with(CT, &r, BIG, 100);
    ok(res.rc == TS_ERROR && res.err && strstr(res.err, "more than 8192"), "limits: endless header");
    ok(r.pos < 30000, "limits: endless header stops reading early");
    ts_pool_destroy(res.pool);

    /* Reader errors, at every call number, and a reader that overruns. */
    int bad = 0;
    for (int at_call = 1; at_call < 30; at_call++) {
        r = (reader_t) { basic, len, 0, 0, 9, 0, at_call, 0 };
        res = parse_with(CT, &r, BIG, 10);
        if (res.rc != TS_OK && !(res.err && strstr(res.err, "error reading"))) {
            bad++;
        }
        ts_pool_destroy(res.pool);
    }
    is_int(bad, 0, "limits: a reader error at any point fails cleanly");
    is_int(files_in_tmp(), 0, "limits: no file left after reader errors");
    r = (reader_t) { basic, len, 0, 0, 9, 0, 0, 5 };
    res = parse_with(CT, &r, BIG, 10);
    ok(res.rc == TS_ERROR && res.err && strstr(res.err, "more than asked"),
       "limits: overrunning reader");
    ts_pool_destroy(res.pool);

    /* Bad arguments. */
    ts_part_node_t *parts;
    const char *err;
    is_int(ts_multipart_parse(p, CT, mem_read, &r, BIG, 10, tmp_dir, NULL, &err), TS_ERROR,
           "limits: NULL out");
    is_int(ts_multipart_parse(p, CT, NULL, &r, BIG, 10, tmp_dir, &parts, &err), TS_ERROR,
           "limits: NULL reader");
    r = (reader_t) { basic, len, 0, 0, 9, 0, 0, 0 };
    is_int(ts_multipart_parse(p, CT, mem_read, &r, BIG, 10, tmp_dir, &parts, NULL), TS_OK,
           "limits: NULL err is allowed");
    ts_pool_destroy(p);
}

/* A big upload read in 16 KiB pieces spills once and streams the rest. */
static void
test_big(void)
{
    ts_pool_t *p = ts_pool_create(0);
    ts_buf_t b;
    ts_buf_init(&b, p, 0);
    ts_buf_str(&b, "--XyZ\r\nContent-Disposition: form-data; name=f; filename=big.bin\r\n"
                   "Content-Type: application/octet-stream\r\n\r\n");
    size_t n = 3 * 1000 * 1000 + 17;
    uint32_t x = 12345;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        char c = (char) (x >> 16);
        ts_buf_add(&b, &c, 1);
    }
    size_t data_at = b.len - n;
    ts_buf_str(&b, "\r\n--XyZ--\r\n");
    reader_t r = { b.data, b.len, 0, 0, 16384, 0, 0, 0 };
    result_t res = parse_with(CT, &r, BIG, 64 * 1024);
    const ts_part_t *pt = part_at(&res, 0);
    is_int(res.rc, TS_OK, "big: 3 MB parses");
    ok(pt && pt->path && pt->size == n, "big: spilled, size right");
    ok(ts_pool_used(res.pool) < 1024 * 1024, "big: the pool did not hold the body (%zu bytes)",
       ts_pool_used(res.pool));
    size_t len = 0;
    char *got = pt && pt->path ? slurp(res.pool, pt->path, &len) : NULL;
    ok(got && len == n && memcmp(got, b.data + data_at, n) == 0, "big: file content identical");
    ts_pool_destroy(res.pool);
    ts_pool_destroy(p);
}

int
main(void)
{
    snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/ts-mp-test-XXXXXX");
    if (mkdtemp(tmp_dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_basic();
    test_chunking();
    test_long_boundary();
    test_content_type();
    test_malformed();
    test_filenames();
    test_spill();
    test_limits();
    test_big();
    ok(rmdir(tmp_dir) == 0, "the tmp dir is empty at the end");
    return done_testing();
}

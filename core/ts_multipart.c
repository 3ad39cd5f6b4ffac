/* A streaming multipart/form-data (RFC 7578) parser that spills large parts to temp files. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ts_core.h"

#define CHUNK        16384
#define HEADER_MAX   8192      /* one part's header block */
#define MAX_PARTS    200
#define BOUNDARY_MAX 70        /* RFC 2046 */
#define DELIM_MAX    (4 + BOUNDARY_MAX)

/* A part's temp file; the pool cleanup removes it with the request. */
typedef struct {
    char  *path;
    int    fd;
    dev_t  dev;
    ino_t  ino;
} spill_t;

typedef struct {
    ts_pool_t      *pool;
    ts_read_fn      rd;
    void           *ctx;
    size_t          max_total;
    size_t          mem_limit;
    const char     *tmp_dir;
    /* the window on the body: [start, end) is read but not yet consumed */
    char           *buf;
    size_t          cap;
    size_t          start;
    size_t          end;
    size_t          total;
    bool            eof;
    char            delim[DELIM_MAX + 1];   /* "\r\n--" boundary */
    size_t          dlen;
    int             nparts;
    ts_part_node_t *cur;
    ts_buf_t        mem;
    spill_t        *spill;
    const char     *err;
} mp_t;

static int __attribute__((format(printf, 2, 3)))
fail(mp_t *m, const char *fmt, ...)
{
    char msg[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    m->err = ts_pstrdup(m->pool, msg);
    if (m->err == NULL) {
        m->err = "multipart: out of memory";
    }
    return TS_ERROR;
}

static bool
is_ows(char c)
{
    return c == ' ' || c == '\t';
}

static bool
is_tchar(unsigned char c)
{
    if (c >= 0x80 || c <= 0x20 || c == 0x7f) {
        return false;
    }
    return strchr("\"(),/:;<=>?@[\\]{}", c) == NULL;
}

/* RFC 2046 bchars; a space is allowed but not as the last one. */
static bool
boundary_ok(const char *b, size_t n)
{
    if (n == 0 || n > BOUNDARY_MAX || b[n - 1] == ' ') {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char) b[i];
        bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!alnum && strchr("'()+_,-./:=? ", c) == NULL) {
            return false;
        }
    }
    return true;
}

static const char *
skip_ows(const char *s)
{
    while (is_ows(*s)) {
        s++;
    }
    return s;
}

/*
 * Reads a parameter value at *sp, quoted or a bare token, into the pool.
 * Inside quotes a backslash escapes only '"' and '\': old browsers send
 * Windows paths as filenames with single backslashes in them.
 */
static char *
param_value(ts_pool_t *p, const char **sp)
{
    const char *s = *sp;
    if (*s != '"') {
        size_t n = strcspn(s, ";\"");
        if (s[n] == '"') {
            return NULL;
        }
        *sp = s + n;
        while (n > 0 && is_ows(s[n - 1])) {
            n--;
        }
        return ts_pstrndup(p, s, n);
    }
    s++;
    char *v = ts_palloc(p, strlen(s) + 1);
    if (v == NULL) {
        return NULL;
    }
    size_t j = 0;
    for (;;) {
        if (*s == '\0') {
            return NULL;
        }
        if (*s == '"') {
            break;
        }
        if (*s == '\\' && (s[1] == '"' || s[1] == '\\')) {
            s++;
        }
        v[j++] = *s++;
    }
    v[j] = '\0';
    *sp = skip_ows(s + 1);
    return v;
}

typedef int (*param_fn)(void *arg, const char *name, size_t nlen, char *value);

/* Walks "; name=value" pairs after a media or disposition type; TS_ERROR on junk. */
static int
params_walk(ts_pool_t *p, const char *s, param_fn fn, void *arg)
{
    for (;;) {
        s = skip_ows(s);
        if (*s == '\0') {
            return TS_OK;
        }
        if (*s != ';') {
            return TS_ERROR;
        }
        s = skip_ows(s + 1);
        if (*s == '\0') {
            return TS_OK;   /* a trailing ';' is harmless */
        }
        const char *name = s;
        while (is_tchar((unsigned char) *s)) {
            s++;
        }
        size_t nlen = (size_t) (s - name);
        s = skip_ows(s);
        if (nlen == 0 || *s != '=') {
            return TS_ERROR;
        }
        s = skip_ows(s + 1);
        char *value = param_value(p, &s);
        if (value == NULL || fn(arg, name, nlen, value) != TS_OK) {
            return TS_ERROR;
        }
    }
}

/* Compares a token of known length with a lower-case literal, ignoring case. */
static bool
token_is(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && strncasecmp(s, lit, n) == 0;
}

static int
ct_param(void *arg, const char *name, size_t nlen, char *value)
{
    char **boundary = arg;
    if (!token_is(name, nlen, "boundary")) {
        return TS_OK;
    }
    /* Two boundaries would let two parsers see two different bodies. */
    if (*boundary != NULL) {
        return TS_ERROR;
    }
    *boundary = value;
    return TS_OK;
}

static int
boundary_from(mp_t *m, const char *ct)
{
    if (ct == NULL) {
        return fail(m, "multipart: no Content-Type");
    }
    const char *s = skip_ows(ct);
    size_t tlen = strcspn(s, ";");
    while (tlen > 0 && is_ows(s[tlen - 1])) {
        tlen--;
    }
    if (!token_is(s, tlen, "multipart/form-data")) {
        return fail(m, "multipart: Content-Type is not multipart/form-data");
    }
    char *boundary = NULL;
    if (params_walk(m->pool, s + tlen, ct_param, &boundary) != TS_OK) {
        return fail(m, "multipart: bad Content-Type parameters");
    }
    if (boundary == NULL) {
        return fail(m, "multipart: no boundary in Content-Type");
    }
    size_t blen = strlen(boundary);
    if (!boundary_ok(boundary, blen)) {
        return fail(m, "multipart: bad boundary (1 to 70 plain characters)");
    }
    memcpy(m->delim, "\r\n--", 4);
    memcpy(m->delim + 4, boundary, blen + 1);
    m->dlen = 4 + blen;
    return TS_OK;
}

/* Moves the unread bytes to the front and reads once more; sets eof at the end. */
static int
fill(mp_t *m)
{
    if (m->start > 0) {
        memmove(m->buf, m->buf + m->start, m->end - m->start);
        m->end -= m->start;
        m->start = 0;
    }
    size_t room = m->cap - m->end;
    if (room == 0) {
        return fail(m, "multipart: internal buffer full");
    }
    /* Ask for one byte past the limit at most: enough to know it was passed. */
    size_t left = m->max_total - m->total;
    size_t want = left < room ? left + 1 : room;
    ssize_t n = m->rd(m->ctx, m->buf + m->end, want);
    if (n < 0) {
        return fail(m, "multipart: error reading the body");
    }
    if ((size_t) n > want) {
        return fail(m, "multipart: reader returned more than asked");
    }
    if (n == 0) {
        m->eof = true;
        return TS_OK;
    }
    m->total += (size_t) n;
    if (m->total > m->max_total) {
        return fail(m, "multipart: body larger than %zu bytes", m->max_total);
    }
    m->end += (size_t) n;
    return TS_OK;
}

static void
spill_cleanup(void *data)
{
    spill_t *sp = data;
    if (sp->fd >= 0) {
        close(sp->fd);
        sp->fd = -1;
    }
    /* The handler may have renamed the file away and another request taken
     * the name since: remove only the file we created. */
    struct stat st;
    if (lstat(sp->path, &st) == 0 && st.st_dev == sp->dev && st.st_ino == sp->ino) {
        unlink(sp->path);
    }
}

static int
write_all(int fd, const char *d, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, d, n);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return TS_ERROR;
        }
        d += w;
        n -= (size_t) w;
    }
    return TS_OK;
}

static int
spill_open(mp_t *m)
{
    const char *dir = m->tmp_dir != NULL && m->tmp_dir[0] != '\0' ? m->tmp_dir : "/tmp";
    spill_t *sp = ts_palloc(m->pool, sizeof(*sp));
    if (sp == NULL) {
        return fail(m, "multipart: out of memory");
    }
    sp->fd = -1;
    sp->path = ts_psprintf(m->pool, "%s/tesoro-upload-XXXXXX", dir);
    if (sp->path == NULL) {
        return fail(m, "multipart: out of memory");
    }
    /* mkostemp creates the file 0600 and O_EXCL; CLOEXEC keeps it from children. */
    int fd = mkostemp(sp->path, O_CLOEXEC);
    if (fd < 0) {
        return fail(m, "multipart: cannot create a temp file in %s", dir);
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || ts_pool_cleanup_add(m->pool, spill_cleanup, sp) != TS_OK) {
        close(fd);
        unlink(sp->path);
        return fail(m, "multipart: cannot set up a temp file");
    }
    sp->fd = fd;
    sp->dev = st.st_dev;
    sp->ino = st.st_ino;
    m->spill = sp;
    if (write_all(fd, m->mem.data, m->mem.len) != TS_OK) {
        return fail(m, "multipart: cannot write a temp file");
    }
    return TS_OK;
}

static int
sink_write(mp_t *m, const char *d, size_t n)
{
    ts_part_t *part = &m->cur->part;
    if (m->spill == NULL && n > m->mem_limit - m->mem.len) {
        if (spill_open(m) != TS_OK) {
            return TS_ERROR;
        }
    }
    if (m->spill != NULL) {
        if (write_all(m->spill->fd, d, n) != TS_OK) {
            return fail(m, "multipart: cannot write a temp file");
        }
    } else if (ts_buf_add(&m->mem, d, n) != TS_OK) {
        return fail(m, "multipart: out of memory");
    }
    part->size += n;
    return TS_OK;
}

static int
part_end(mp_t *m)
{
    ts_part_t *part = &m->cur->part;
    if (m->spill != NULL) {
        int rc = close(m->spill->fd);
        m->spill->fd = -1;
        if (rc != 0) {
            return fail(m, "multipart: cannot write a temp file");
        }
        part->path = m->spill->path;
        part->data = NULL;
        m->spill = NULL;
    } else {
        part->data = m->mem.data;
    }
    m->cur = NULL;
    return TS_OK;
}

/*
 * Consumes the body up to and including the next delimiter, feeding the bytes
 * before it to the current part (or dropping them, for the preamble). The last
 * dlen - 1 bytes are held back in case a delimiter straddles two reads.
 */
static int
scan_to_delim(mp_t *m)
{
    for (;;) {
        size_t avail = m->end - m->start;
        const char *s = m->buf + m->start;
        const char *hit = avail >= m->dlen ? memmem(s, avail, m->delim, m->dlen) : NULL;
        size_t take = hit != NULL ? (size_t) (hit - s)
                      : avail >= m->dlen ? avail - (m->dlen - 1) : 0;
        if (take > 0 && m->cur != NULL && sink_write(m, s, take) != TS_OK) {
            return TS_ERROR;
        }
        m->start += take;
        if (hit != NULL) {
            m->start += m->dlen;
            return TS_OK;
        }
        if (m->eof) {
            if (m->cur == NULL) {
                return fail(m, "multipart: no boundary found in the body");
            }
            return fail(m, "multipart: part %d is not closed by a boundary", m->nparts);
        }
        if (fill(m) != TS_OK) {
            return TS_ERROR;
        }
    }
}

/* After a delimiter: "--" ends the body; else padding and CRLF, left unread. */
static int
after_delim(mp_t *m, bool *closed)
{
    bool padded = false;
    *closed = false;
    for (;;) {
        while (m->start < m->end && is_ows(m->buf[m->start])) {
            m->start++;
            padded = true;
        }
        size_t avail = m->end - m->start;
        const char *s = m->buf + m->start;
        if (!padded && avail >= 1 && s[0] == '-') {
            if (avail >= 2) {
                if (s[1] != '-') {
                    return fail(m, "multipart: junk after a boundary");
                }
                *closed = true;
                return TS_OK;
            }
        } else if (avail >= 1 && s[0] != '\r') {
            return fail(m, "multipart: junk after a boundary");
        } else if (avail >= 2) {
            if (s[1] != '\n') {
                return fail(m, "multipart: junk after a boundary");
            }
            return TS_OK;
        }
        if (m->eof) {
            return fail(m, "multipart: body ends right after a boundary");
        }
        if (fill(m) != TS_OK) {
            return TS_ERROR;
        }
    }
}

typedef struct {
    mp_t      *m;
    ts_part_t *part;
    bool       name_seen;
} disp_t;

static int
disp_param(void *arg, const char *name, size_t nlen, char *value)
{
    disp_t *d = arg;
    if (token_is(name, nlen, "name")) {
        if (d->name_seen) {
            return TS_ERROR;
        }
        d->name_seen = true;
        d->part->field = value;
    } else if (token_is(name, nlen, "filename")) {
        if (d->part->filename != NULL) {
            return TS_ERROR;
        }
        d->part->filename = value;
    }
    /* filename* and others: RFC 7578 says senders must not use them. */
    return TS_OK;
}

/* Keeps the last path component of a client's file name; NULL if unusable. */
static const char *
safe_filename(const char *f)
{
    const char *base = f;
    for (const char *s = f; *s != '\0'; s++) {
        if (*s == '/' || *s == '\\') {
            base = s + 1;
        }
    }
    if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        return NULL;
    }
    return base;
}

static int
parse_disposition(mp_t *m, ts_part_t *part, const char *v)
{
    size_t tlen = strcspn(v, ";");
    while (tlen > 0 && is_ows(v[tlen - 1])) {
        tlen--;
    }
    if (!token_is(v, tlen, "form-data")) {
        return fail(m, "multipart: part %d is not form-data", m->nparts);
    }
    disp_t d = { m, part, false };
    if (params_walk(m->pool, v + tlen, disp_param, &d) != TS_OK) {
        return fail(m, "multipart: part %d has a bad Content-Disposition", m->nparts);
    }
    if (part->field == NULL || part->field[0] == '\0') {
        return fail(m, "multipart: part %d has no name", m->nparts);
    }
    if (part->filename != NULL) {
        part->filename = safe_filename(part->filename);
        if (part->filename == NULL) {
            return fail(m, "multipart: part %d has a bad filename", m->nparts);
        }
    }
    return TS_OK;
}

/* One "Name: value" line, without its CRLF. */
static int
parse_header(mp_t *m, ts_part_t *part, const char *s, size_t n, bool *disposition)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char) s[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            return fail(m, "multipart: part %d has a control character in its headers",
                        m->nparts);
        }
    }
    size_t nlen = 0;
    while (nlen < n && is_tchar((unsigned char) s[nlen])) {
        nlen++;
    }
    if (nlen == 0 || nlen == n || s[nlen] != ':') {
        return fail(m, "multipart: part %d has a malformed header", m->nparts);
    }
    size_t vstart = nlen + 1;
    while (vstart < n && is_ows(s[vstart])) {
        vstart++;
    }
    size_t vend = n;
    while (vend > vstart && is_ows(s[vend - 1])) {
        vend--;
    }
    char *value = ts_pstrndup(m->pool, s + vstart, vend - vstart);
    if (value == NULL) {
        return fail(m, "multipart: out of memory");
    }
    if (token_is(s, nlen, "content-disposition")) {
        if (*disposition) {
            return fail(m, "multipart: part %d has two Content-Disposition headers", m->nparts);
        }
        *disposition = true;
        return parse_disposition(m, part, value);
    }
    if (token_is(s, nlen, "content-type")) {
        if (part->content_type != NULL) {
            return fail(m, "multipart: part %d has two Content-Type headers", m->nparts);
        }
        part->content_type = value;
    }
    return TS_OK;
}

/* The header block: lines each ending in CRLF, n bytes in all. */
static int
parse_headers(mp_t *m, ts_part_t *part, const char *s, size_t n)
{
    bool disposition = false;
    /* Obsolete line folding is refused up front, before a cut line is half-read. */
    if ((n > 0 && is_ows(s[0])) || memmem(s, n, "\r\n ", 3) != NULL
        || memmem(s, n, "\r\n\t", 3) != NULL) {
        return fail(m, "multipart: part %d has a folded header", m->nparts);
    }
    while (n > 0) {
        const char *eol = memmem(s, n, "\r\n", 2);
        if (eol == NULL) {
            return fail(m, "multipart: part %d has a malformed header", m->nparts);
        }
        size_t len = (size_t) (eol - s);
        if (parse_header(m, part, s, len, &disposition) != TS_OK) {
            return TS_ERROR;
        }
        s += len + 2;
        n -= len + 2;
    }
    if (!disposition) {
        return fail(m, "multipart: part %d has no Content-Disposition", m->nparts);
    }
    if (part->content_type == NULL) {
        part->content_type = "text/plain";   /* RFC 7578 4.4 */
    }
    return TS_OK;
}

/* Starts a part: the unread bytes begin with the CRLF that ends the delimiter line. */
static int
part_begin(mp_t *m, ts_part_node_t ***tail)
{
    if (++m->nparts > MAX_PARTS) {
        return fail(m, "multipart: more than %d parts", MAX_PARTS);
    }
    size_t from = 0;
    const char *hit;
    for (;;) {
        size_t avail = m->end - m->start;
        const char *s = m->buf + m->start;
        hit = avail >= 4 ? memmem(s + from, avail - from, "\r\n\r\n", 4) : NULL;
        if (hit != NULL || (avail >= 3 && avail - 3 > HEADER_MAX)) {
            break;
        }
        if (m->eof) {
            return fail(m, "multipart: body ends inside the headers of part %d", m->nparts);
        }
        from = avail >= 3 ? avail - 3 : 0;
        if (fill(m) != TS_OK) {
            return TS_ERROR;
        }
    }
    const char *s = m->buf + m->start;
    size_t hlen = hit != NULL ? (size_t) (hit - s) : HEADER_MAX + 1;
    if (hlen > HEADER_MAX) {
        return fail(m, "multipart: part %d has more than %d bytes of headers",
                    m->nparts, HEADER_MAX);
    }
    ts_part_node_t *node = ts_pcalloc(m->pool, sizeof(*node));
    if (node == NULL) {
        return fail(m, "multipart: out of memory");
    }
    if (parse_headers(m, &node->part, s + 2, hlen) != TS_OK) {
        return TS_ERROR;
    }
    m->start += hlen + 4;
    ts_buf_init(&m->mem, m->pool, 256);
    if (m->mem.data == NULL) {
        return fail(m, "multipart: out of memory");
    }
    m->mem.data[0] = '\0';
    m->spill = NULL;
    m->cur = node;
    **tail = node;
    *tail = &node->next;
    return TS_OK;
}

static int
parse_body(mp_t *m, ts_part_node_t **head)
{
    ts_part_node_t **tail = head;
    /* A CRLF in front lets the first boundary match the delimiter like the others. */
    memcpy(m->buf, "\r\n", 2);
    m->end = 2;
    if (scan_to_delim(m) != TS_OK) {
        return TS_ERROR;
    }
    for (;;) {
        bool closed;
        if (after_delim(m, &closed) != TS_OK) {
            return TS_ERROR;
        }
        if (closed) {
            return TS_OK;   /* the epilogue is left unread */
        }
        if (part_begin(m, &tail) != TS_OK || scan_to_delim(m) != TS_OK || part_end(m) != TS_OK) {
            return TS_ERROR;
        }
    }
}

int
ts_multipart_parse(ts_pool_t *p, const char *content_type, ts_read_fn rd, void *ctx,
                   size_t max_total, size_t mem_limit, const char *tmp_dir,
                   ts_part_node_t **out, const char **err)
{
    mp_t m = {
        .pool = p, .rd = rd, .ctx = ctx, .max_total = max_total,
        .mem_limit = mem_limit, .tmp_dir = tmp_dir, .cap = CHUNK + HEADER_MAX + 2 * DELIM_MAX,
    };
    ts_part_node_t *head = NULL;
    if (err != NULL) {
        *err = NULL;
    }
    if (out == NULL || p == NULL || rd == NULL) {
        if (err != NULL) {
            *err = "multipart: bad arguments";
        }
        return TS_ERROR;
    }
    *out = NULL;
    int rc = boundary_from(&m, content_type);
    if (rc == TS_OK) {
        m.buf = ts_palloc(p, m.cap);
        rc = m.buf != NULL ? parse_body(&m, &head) : fail(&m, "multipart: out of memory");
    }
    /* A temp file of a part cut short is closed now, and removed with the pool. */
    if (m.spill != NULL && m.spill->fd >= 0) {
        close(m.spill->fd);
        m.spill->fd = -1;
    }
    if (rc != TS_OK) {
        if (err != NULL) {
            *err = m.err;
        }
        return TS_ERROR;
    }
    *out = head;
    return TS_OK;
}

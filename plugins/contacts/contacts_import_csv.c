/* Reading an uploaded CSV file: encoding and delimiter detection, and a
 * streaming row reader on libcsv that can stop and resume at a row boundary. */
/* fmemopen, fseeko: also when built alone (the fuzz target). */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <csv.h>
#include "contacts_import_csv.h"

#define CHUNK 65536
/* All cells of one row together: far above any real contact row. */
#define MAX_ROW_BYTES (4 * 1024 * 1024)

struct contacts_csv_reader {
    FILE                 *fp;
    contacts_csv_format_t fmt;
    struct csv_parser     p;
    iconv_t               cd;         /* to UTF-8; for a UTF-8 file, the validity check */
    long long             offset;     /* the last row boundary passed */
    long                  line;       /* line of the next byte */
    long                  row_line;
    bool                  in_row;
    char                 *buf;        /* the row's cells, each NUL-terminated */
    size_t                len, cap;
    size_t                n;
    size_t                offs[CONTACTS_CSV_MAX_CELLS];
    bool                  bad[CONTACTS_CSV_MAX_CELLS];
    const char           *cells[CONTACTS_CSV_MAX_CELLS];
    bool                  too_many;
    bool                  stop, failed;
    contacts_csv_row_fn   fn;
    void                 *ctx;
    char                  err[160];
    char                  chunk[CHUNK];
};

const char *
contacts_csv_encoding_name(contacts_csv_encoding_t e)
{
    switch (e) {
    case CONTACTS_CSV_UTF8_BOM: return "utf-8-bom";
    case CONTACTS_CSV_CP1252:   return "windows-1252";
    default:                    return "utf-8";
    }
}

int
contacts_csv_encoding_parse(const char *name)
{
    static const char *names[] = { "utf-8", "utf-8-bom", "windows-1252" };
    for (int i = 0; name != NULL && i < 3; i++) {
        if (strcmp(name, names[i]) == 0) {
            return i;
        }
    }
    return -1;
}

const char *
contacts_csv_delimiter_name(unsigned char d)
{
    return d == '\t' ? "tab" : d == ';' ? ";" : ",";
}

unsigned char
contacts_csv_delimiter_parse(const char *name)
{
    if (name == NULL) {
        return 0;
    }
    if (strcmp(name, "tab") == 0 || strcmp(name, "\t") == 0) {
        return '\t';
    }
    return strcmp(name, ",") == 0 ? ',' : strcmp(name, ";") == 0 ? ';' : 0;
}

/* ---------------------------------------------------------------- detection */

static bool
has_bom(const char *buf, size_t n)
{
    return n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0;
}

/* Valid UTF-8 by glibc's own decoder; a sequence cut by the sample's end is fine. */
static bool
valid_utf8(const char *buf, size_t n, bool truncated)
{
    iconv_t cd = iconv_open("UTF-8", "UTF-8");
    if (cd == (iconv_t) -1) {
        return false;
    }
    char out[4096];
    char *in = (char *) buf;
    size_t left = n;
    bool ok = true;
    while (left > 0) {
        char *o = out;
        size_t ol = sizeof(out);
        if (iconv(cd, &in, &left, &o, &ol) == (size_t) -1 && errno != E2BIG) {
            ok = errno == EINVAL && truncated;
            break;
        }
    }
    iconv_close(cd);
    return ok;
}

typedef struct {
    int  counts[64];
    int  rows;
    int  cells;
} sniff_t;

static void
sniff_cell(void *s, size_t len, void *data)
{
    (void) s;
    (void) len;
    ((sniff_t *) data)->cells++;
}

static void
sniff_row(int c, void *data)
{
    (void) c;
    sniff_t *st = data;
    if (st->rows < 64) {
        st->counts[st->rows++] = st->cells;
    }
    st->cells = 0;
}

/* How many of the first rows share the most common cell count, and that count. */
static int
delimiter_score(const char *buf, size_t n, bool truncated, unsigned char delim, int *width)
{
    struct csv_parser p;
    sniff_t st = { .rows = 0 };
    if (csv_init(&p, 0) != 0) {
        return 0;
    }
    csv_set_delim(&p, delim);
    csv_parse(&p, buf, n, sniff_cell, sniff_row, &st);
    if (!truncated) {
        csv_fini(&p, sniff_cell, sniff_row, &st);
    }
    csv_free(&p);
    int best = 0;
    *width = 1;
    for (int i = 0; i < st.rows; i++) {
        int same = 0;
        for (int j = 0; j < st.rows; j++) {
            same += st.counts[j] == st.counts[i];
        }
        if (st.counts[i] > 1 && (same > best || (same == best && st.counts[i] > *width))) {
            best = same;
            *width = st.counts[i];
        }
    }
    return best;
}

void
contacts_csv_sniff(const char *buf, size_t n, int truncated, contacts_csv_format_t *f)
{
    if (has_bom(buf, n)) {
        f->encoding = CONTACTS_CSV_UTF8_BOM;
        buf += 3;
        n -= 3;
    } else {
        f->encoding = valid_utf8(buf, n, truncated) ? CONTACTS_CSV_UTF8 : CONTACTS_CSV_CP1252;
    }
    static const unsigned char cands[] = { ',', ';', '\t' };
    int best = 0, best_width = 0;
    f->delimiter = ',';
    for (size_t i = 0; i < sizeof(cands); i++) {
        int width;
        int score = delimiter_score(buf, n, truncated, cands[i], &width);
        if (score > best || (score == best && score > 0 && width > best_width)) {
            best = score;
            best_width = width;
            f->delimiter = cands[i];
        }
    }
}

/* ---------------------------------------------------------------- reading */

static bool
grow(contacts_csv_reader_t *rd, size_t need)
{
    if (rd->len + need <= rd->cap) {
        return true;
    }
    size_t cap = rd->cap ? rd->cap : 4096;
    while (cap < rd->len + need) {
        cap *= 2;
    }
    char *b = realloc(rd->buf, cap);
    if (b == NULL) {
        return false;
    }
    rd->buf = b;
    rd->cap = cap;
    return true;
}

static void
fail(contacts_csv_reader_t *rd, const char *msg)
{
    if (!rd->failed) {
        snprintf(rd->err, sizeof(rd->err), "line %ld: %s", rd->in_row ? rd->row_line : rd->line,
                 msg);
    }
    rd->failed = true;
}

static bool
ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char) s[i] >= 0x80 || s[i] == '\0') {
            return false;
        }
    }
    return true;
}

/* One cell, converted to UTF-8 after the row's earlier cells; a cell the
 * encoding cannot read is kept as NULL for the row's validation to report. */
static void
on_cell(void *s, size_t len, void *data)
{
    contacts_csv_reader_t *rd = data;
    if (rd->failed) {
        return;
    }
    if (!rd->in_row) {
        rd->in_row = true;
        rd->row_line = rd->line;
    }
    if (rd->n == CONTACTS_CSV_MAX_CELLS) {
        rd->too_many = true;
        return;
    }
    if (rd->len + 3 * len + 1 > MAX_ROW_BYTES || !grow(rd, 3 * len + 1)) {
        fail(rd, "the row is too long");
        return;
    }
    size_t at = rd->len;
    bool bad = false;
    if (ascii(s, len)) {
        memcpy(rd->buf + at, s, len);
        rd->len += len;
    } else {
        char *in = s, *out = rd->buf + at;
        size_t inl = len, outl = 3 * len;
        iconv(rd->cd, NULL, NULL, NULL, NULL);
        bad = memchr(s, '\0', len) != NULL
              || iconv(rd->cd, &in, &inl, &out, &outl) == (size_t) -1;
        rd->len = bad ? at : (size_t) (out - rd->buf);
    }
    rd->buf[rd->len++] = '\0';
    rd->offs[rd->n] = at;
    rd->bad[rd->n] = bad;
    rd->n++;
}

static void
on_row(int c, void *data)
{
    (void) c;
    contacts_csv_reader_t *rd = data;
    if (rd->failed) {
        return;
    }
    if (rd->too_many) {
        fail(rd, "more than 256 cells in a row");
        return;
    }
    for (size_t i = 0; i < rd->n; i++) {
        rd->cells[i] = rd->bad[i] ? NULL : rd->buf + rd->offs[i];
    }
    contacts_csv_row_t row = { .n = rd->n, .cells = rd->cells, .line = rd->row_line };
    int rc = rd->fn(rd->ctx, &row);
    if (rc < 0) {
        rd->failed = true;
        snprintf(rd->err, sizeof(rd->err), "line %ld: stopped", rd->row_line);
    } else if (rc > 0) {
        rd->stop = true;
    }
    rd->n = 0;
    rd->len = 0;
    rd->in_row = false;
}

contacts_csv_reader_t *
contacts_csv_reader(FILE *fp, const contacts_csv_format_t *f, long long offset, long line)
{
    contacts_csv_reader_t *rd = calloc(1, sizeof(*rd));
    if (rd == NULL) {
        return NULL;
    }
    rd->fp = fp;
    rd->fmt = *f;
    rd->offset = offset;
    rd->line = line > 0 ? line : 1;
    rd->cd = iconv_open("UTF-8", f->encoding == CONTACTS_CSV_CP1252 ? "WINDOWS-1252" : "UTF-8");
    if (rd->cd == (iconv_t) -1 || csv_init(&rd->p, CSV_APPEND_NULL) != 0) {
        if (rd->cd != (iconv_t) -1) {
            iconv_close(rd->cd);
        }
        free(rd);
        return NULL;
    }
    csv_set_delim(&rd->p, f->delimiter);
    return rd;
}

/* Only spaces and line ends: libcsv makes no row of it. */
static bool
blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') {
            return false;
        }
    }
    return true;
}

/* The first line end (CR or LF) in s, or NULL. */
static const char *
line_end(const char *s, size_t n)
{
    const char *lf = memchr(s, '\n', n);
    const char *cr = memchr(s, '\r', lf ? (size_t) (lf - s) : n);
    return cr ? cr : lf;
}

/* Segments end after each CR or LF: libcsv ends a row only on one, so a
 * row never ends inside a segment, and after a segment that ends a row (or
 * a blank one outside a row) the reader is at a boundary a new reader can
 * resume from. */
int
contacts_csv_read(contacts_csv_reader_t *rd, contacts_csv_row_fn fn, void *ctx)
{
    rd->fn = fn;
    rd->ctx = ctx;
    if (rd->failed) {
        return -1;
    }
    if (fseeko(rd->fp, (off_t) rd->offset, SEEK_SET) != 0) {
        fail(rd, "cannot seek in the file");
        return -1;
    }
    long long base = rd->offset;
    for (;;) {
        size_t got = fread(rd->chunk, 1, CHUNK, rd->fp);
        if (got == 0) {
            if (ferror(rd->fp)) {
                fail(rd, "cannot read the file");
                return -1;
            }
            break;
        }
        size_t i = 0;
        if (base == 0 && rd->fmt.encoding == CONTACTS_CSV_UTF8_BOM && has_bom(rd->chunk, got)) {
            i = 3;
        }
        while (i < got) {
            const char *s = rd->chunk + i;
            const char *end = line_end(s, got - i);
            size_t seg = end ? (size_t) (end - s) + 1 : got - i;
            if (!rd->in_row && !blank(s, seg)) {
                rd->in_row = true;
                rd->row_line = rd->line;
            }
            if (csv_parse(&rd->p, s, seg, on_cell, on_row, rd) != seg) {
                fail(rd, csv_strerror(csv_error(&rd->p)));
            }
            if (!rd->failed && csv_get_buffer_size(&rd->p) > CONTACTS_CSV_MAX_CELL) {
                fail(rd, "a cell longer than 256 KB (an unclosed quote?)");
            }
            if (rd->failed) {
                return -1;
            }
            i += seg;
            if (end != NULL) {
                /* LF ends a line, and so does a CR that no LF follows (old Mac files). */
                if (*end == '\n' || i == got || rd->chunk[i] != '\n') {
                    rd->line++;
                }
                if (!rd->in_row) {
                    rd->offset = base + (long long) i;
                    if (rd->stop) {
                        return 1;
                    }
                }
            }
        }
        base += (long long) got;
    }
    csv_fini(&rd->p, on_cell, on_row, rd);
    if (rd->failed) {
        return -1;
    }
    rd->offset = base;
    return 0;
}

long long
contacts_csv_offset(const contacts_csv_reader_t *rd)
{
    return rd->offset;
}

long
contacts_csv_line(const contacts_csv_reader_t *rd)
{
    return rd->line;
}

const char *
contacts_csv_error(const contacts_csv_reader_t *rd)
{
    return rd->err[0] ? rd->err : NULL;
}

void
contacts_csv_free(contacts_csv_reader_t *rd)
{
    if (rd == NULL) {
        return;
    }
    csv_free(&rd->p);
    iconv_close(rd->cd);
    free(rd->buf);
    free(rd);
}

/* Unit tests of plugins/contacts/contacts_import_csv.c: encoding and
 * delimiter detection, line numbers, bad bytes, stop and resume. */
#include <stdlib.h>
#include <string.h>
#include "../../plugins/contacts/contacts_import_csv.h"
#include "tap.h"

typedef struct {
    int  rows;
    long lines[16];
    int  ncells[16];
    char cells[16][8][64];
    int  stop_after;
} got_t;

static int
collect(void *ctx, const contacts_csv_row_t *row)
{
    got_t *g = ctx;
    if (g->rows < 16) {
        g->lines[g->rows] = row->line;
        g->ncells[g->rows] = (int) row->n;
        for (size_t i = 0; i < row->n && i < 8; i++) {
            snprintf(g->cells[g->rows][i], 64, "%s", row->cells[i] ? row->cells[i] : "(bad)");
        }
    }
    g->rows++;
    return g->stop_after > 0 && g->rows >= g->stop_after;
}

static contacts_csv_format_t
sniff(const char *s)
{
    contacts_csv_format_t f;
    contacts_csv_sniff(s, strlen(s), 0, &f);
    return f;
}

/* Reads all of s (as a file) from offset; returns contacts_csv_read's code. */
static int
read_all(const char *s, size_t n, const contacts_csv_format_t *f, long long offset, long line,
         got_t *g, long long *next, long *next_line)
{
    FILE *fp = fmemopen((void *) s, n, "r");
    contacts_csv_reader_t *rd = contacts_csv_reader(fp, f, offset, line);
    int rc = contacts_csv_read(rd, collect, g);
    if (next) {
        *next = contacts_csv_offset(rd);
    }
    if (next_line) {
        *next_line = contacts_csv_line(rd);
    }
    if (rc < 0) {
        printf("# error: %s\n", contacts_csv_error(rd));
    }
    contacts_csv_free(rd);
    fclose(fp);
    return rc;
}

static void
test_sniff(void)
{
    contacts_csv_format_t f = sniff("name,email\nAna,ana@x.es\nLuis,l@x.es\n");
    is_int(f.delimiter, ',', "comma detected");
    is_int(f.encoding, CONTACTS_CSV_UTF8, "ASCII is UTF-8");
    f = sniff("name;email;town\nAna;ana@x.es;J\xC3\xA1vea\nLuis;l@x.es;Denia\n");
    is_int(f.delimiter, ';', "semicolon detected");
    is_int(f.encoding, CONTACTS_CSV_UTF8, "UTF-8 detected");
    f = sniff("name\temail\nAna, Mar\tana@x.es\nLuis\tl@x.es\n");
    is_int(f.delimiter, '\t', "tab detected even with a comma in a cell");
    f = sniff("\xEF\xBB\xBFname;email\nAna;a@x.es\n");
    is_int(f.encoding, CONTACTS_CSV_UTF8_BOM, "BOM detected");
    is_int(f.delimiter, ';', "delimiter after the BOM");
    f = sniff("name,town\nJos\xE9,J\xE1vea\n");
    is_int(f.encoding, CONTACTS_CSV_CP1252, "invalid UTF-8 means Windows-1252");
    f = sniff("\"a;b\",c\n\"d;e\",f\n");
    is_int(f.delimiter, ',', "quoted semicolons do not count");
    contacts_csv_format_t t;
    contacts_csv_sniff("a,b\nc,\xC3", 7, 1, &t);
    is_int(t.encoding, CONTACTS_CSV_UTF8, "a sequence cut by the sample's end is still UTF-8");
    is_str(contacts_csv_encoding_name(CONTACTS_CSV_CP1252), "windows-1252", "encoding name");
    is_int(contacts_csv_encoding_parse("utf-8-bom"), CONTACTS_CSV_UTF8_BOM, "encoding parse");
    is_int(contacts_csv_delimiter_parse("tab"), '\t', "delimiter parse");
    is_str(contacts_csv_delimiter_name(';'), ";", "delimiter name");
}

static void
test_read(void)
{
    contacts_csv_format_t f = { CONTACTS_CSV_UTF8, ',' };
    got_t g = { 0 };
    const char *s = "a,b\r\n\r\n\"multi\nline\",x\n=CMD(),\"q\"\"uote\"\nshort\n";
    is_int(read_all(s, strlen(s), &f, 0, 1, &g, NULL, NULL), 0, "read to the end");
    is_int(g.rows, 4, "blank line skipped, quoted newline kept in its row");
    is_int(g.lines[0], 1, "row 1 on line 1");
    is_int(g.lines[1], 3, "row 2 on line 3 (after the blank line)");
    is_int(g.lines[2], 5, "row 3 on line 5 (row 2 spans two lines)");
    is_str(g.cells[1][0], "multi\nline", "newline inside quotes");
    is_str(g.cells[2][0], "=CMD()", "formula cell is plain text");
    is_str(g.cells[2][1], "q\"uote", "doubled quote");
    is_int(g.ncells[3], 1, "ragged row keeps its own width");

    memset(&g, 0, sizeof(g));
    s = "name,town\nbad\xFF,ok\n";
    read_all(s, strlen(s), &f, 0, 1, &g, NULL, NULL);
    is_str(g.cells[1][0], "(bad)", "invalid UTF-8 cell is NULL");
    is_str(g.cells[1][1], "ok", "the next cell is fine");

    contacts_csv_format_t w = { CONTACTS_CSV_CP1252, ';' };
    memset(&g, 0, sizeof(g));
    s = "Jos\xE9;J\xE1vea \x80\n";
    read_all(s, strlen(s), &w, 0, 1, &g, NULL, NULL);
    is_str(g.cells[0][0], "Jos\xC3\xA9", "Windows-1252 converted to UTF-8");
    is_str(g.cells[0][1], "J\xC3\xA1vea \xE2\x82\xAC", "the euro sign too");

    contacts_csv_format_t b = { CONTACTS_CSV_UTF8_BOM, ',' };
    memset(&g, 0, sizeof(g));
    s = "\xEF\xBB\xBFname,x\n";
    read_all(s, strlen(s), &b, 0, 1, &g, NULL, NULL);
    is_str(g.cells[0][0], "name", "BOM skipped");

    memset(&g, 0, sizeof(g));
    is_int(read_all("", 0, &f, 0, 1, &g, NULL, NULL), 0, "empty file reads");
    is_int(g.rows, 0, "and has no rows");

    memset(&g, 0, sizeof(g));
    s = "last,row";
    read_all(s, strlen(s), &f, 0, 1, &g, NULL, NULL);
    is_int(g.rows, 1, "a last row without newline");
}

static void
test_resume(void)
{
    contacts_csv_format_t f = { CONTACTS_CSV_UTF8, ',' };
    const char *s = "h1,h2\n1,\"a\nb\"\n2,c\n3,d\n";
    got_t g = { .stop_after = 2 };
    long long next;
    long line;
    is_int(read_all(s, strlen(s), &f, 0, 1, &g, &next, &line), 1, "stopped as asked");
    is_int(g.rows, 2, "two rows delivered");
    is_int(next, 14, "offset after the quoted newline row");
    is_int(line, 4, "next line number");
    got_t h = { 0 };
    is_int(read_all(s, strlen(s), &f, next, line, &h, NULL, NULL), 0, "resumed to the end");
    is_int(h.rows, 2, "the other two rows");
    is_str(h.cells[0][0], "2", "resumed at the right row");
    is_int(h.lines[0], 4, "with the right line");

    /* Rows ended by CR alone, the next one quoting a CRLF: the boundary is after the first CR. */
    contacts_csv_format_t sc = { CONTACTS_CSV_UTF8, ';' };
    const char *cr = "a;b\r\"x\r\ny\";z\r";
    got_t c1 = { .stop_after = 1 };
    is_int(read_all(cr, strlen(cr), &sc, 0, 1, &c1, &next, &line), 1, "CR rows: stopped");
    is_int(next, 4, "CR rows: resume right after the first row's CR");
    got_t c2 = { 0 };
    read_all(cr, strlen(cr), &sc, next, line, &c2, NULL, NULL);
    is_int(c2.rows, 1, "CR rows: one more row");
    is_str(c2.cells[0][0], "x\r\ny", "CR rows: the quoted CRLF kept");
}

static void
test_limits(void)
{
    contacts_csv_format_t f = { CONTACTS_CSV_UTF8, ',' };
    size_t n = 600 * 1024;
    char *s = malloc(n + 1);
    s[0] = '"';
    memset(s + 1, 'x', n - 1);
    s[n] = '\0';
    for (size_t i = 1000; i < n; i += 1000) {
        s[i] = '\n';
    }
    got_t g = { 0 };
    is_int(read_all(s, n, &f, 0, 1, &g, NULL, NULL), -1, "an unclosed quote stops the reader");
    free(s);

    size_t m = 300 * 2 + 2;
    char *wide = malloc(m);
    for (size_t i = 0; i < 300; i++) {
        wide[2 * i] = 'a';
        wide[2 * i + 1] = ',';
    }
    wide[600] = '\n';
    wide[601] = '\0';
    memset(&g, 0, sizeof(g));
    is_int(read_all(wide, 601, &f, 0, 1, &g, NULL, NULL), -1, "too many cells stops the reader");
    free(wide);
}

int
main(void)
{
    test_sniff();
    test_read();
    test_resume();
    test_limits();
    return done_testing();
}

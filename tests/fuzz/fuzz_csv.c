/* libFuzzer target for the CSV import's reader: detection, every encoding
 * and delimiter, and stopping and resuming at every row boundary. */
/* fmemopen, fseeko: also when built alone (the fuzz target). */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../plugins/contacts/contacts_import_csv.h"

static void
check(int cond)
{
    if (!cond) {
        __builtin_trap();
    }
}

typedef struct {
    size_t    size;
    long      rows;
    long      last_line;
    long      stop_every;
    long long cells;
} seen_t;

static int
on_row(void *ctx, const contacts_csv_row_t *row)
{
    seen_t *s = ctx;
    check(row->n <= CONTACTS_CSV_MAX_CELLS);
    check(row->line >= 1 && row->line >= s->last_line);
    for (size_t i = 0; i < row->n; i++) {
        /* Converted cells are NUL-terminated UTF-8 of bounded length. */
        if (row->cells[i] != NULL) {
            check(strlen(row->cells[i]) <= 3 * s->size);
        }
    }
    s->last_line = row->line;
    s->rows++;
    s->cells += (long long) row->n;
    return s->stop_every > 0 && s->rows % s->stop_every == 0;
}

/* Reads the whole input, stopping every stop_every rows and resuming with a new reader. */
static long
read_all(const uint8_t *data, size_t size, const contacts_csv_format_t *f, long stop_every,
         long long *cells)
{
    FILE *fp = fmemopen((void *) data, size, "rb");
    check(fp != NULL);
    seen_t s = { .size = size, .stop_every = stop_every };
    long long offset = 0;
    long line = 1;
    for (int round = 0;; round++) {
        check(round <= (long) size + 1);
        contacts_csv_reader_t *rd = contacts_csv_reader(fp, f, offset, line);
        check(rd != NULL);
        int rc = contacts_csv_read(rd, on_row, &s);
        long long next = contacts_csv_offset(rd);
        line = contacts_csv_line(rd);
        if (rc < 0) {
            check(contacts_csv_error(rd) != NULL);
        }
        contacts_csv_free(rd);
        if (rc != 1) {
            break;
        }
        check(next > offset && next <= (long long) size);
        offset = next;
    }
    fclose(fp);
    *cells = s.cells;
    return s.rows;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    contacts_csv_format_t f;
    contacts_csv_sniff((const char *) data, size, 0, &f);
    check(f.delimiter == ',' || f.delimiter == ';' || f.delimiter == '\t');
    contacts_csv_format_t g;
    contacts_csv_sniff((const char *) data, size, 1, &g);
    long long cells_once, cells_resumed;
    long once = read_all(data, size, &f, 0, &cells_once);
    /* Stopping and resuming gives the same rows as one pass. */
    long resumed = read_all(data, size, &f, 1 + (long) (data[0] % 64), &cells_resumed);
    check(once == resumed && cells_once == cells_resumed);
    contacts_csv_format_t w = { CONTACTS_CSV_CP1252, (unsigned char) ";,\t"[data[0] % 3] };
    read_all(data, size, &w, 0, &cells_once);
    return 0;
}

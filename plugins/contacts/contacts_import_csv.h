/* Reading an uploaded CSV file: encoding and delimiter detection, and a
 * streaming row reader on libcsv. Needs no server: the unit test and the
 * fuzz target link this file alone. */
#ifndef CONTACTS_IMPORT_CSV_H
#define CONTACTS_IMPORT_CSV_H

#include <stdio.h>
#include <stddef.h>

/* What detection looks at: the first bytes of the file. */
#define CONTACTS_CSV_SNIFF_BYTES 65536
/* A row with more cells, or a cell longer than this, stops the reader: such
 * a file is not a contact list (or has an unclosed quote). */
#define CONTACTS_CSV_MAX_CELLS 256
#define CONTACTS_CSV_MAX_CELL  (256 * 1024)

typedef enum {
    CONTACTS_CSV_UTF8 = 0,
    CONTACTS_CSV_UTF8_BOM,
    CONTACTS_CSV_CP1252
} contacts_csv_encoding_t;

typedef struct {
    contacts_csv_encoding_t encoding;
    unsigned char           delimiter;   /* ',' ';' or '\t' */
} contacts_csv_format_t;

typedef struct {
    size_t       n;
    const char **cells;   /* UTF-8; NULL for a cell that is not valid in the file's encoding */
    long         line;    /* physical line where the row starts, 1-based */
} contacts_csv_row_t;

/* Returns 0 to go on, 1 to stop at the next row boundary the reader can
 * resume from (rows up to it are still delivered), -1 to abort. */
typedef int (*contacts_csv_row_fn)(void *ctx, const contacts_csv_row_t *row);

typedef struct contacts_csv_reader contacts_csv_reader_t;

/* "utf-8", "utf-8-bom", "windows-1252"; and back (-1 when unknown). */
const char *contacts_csv_encoding_name(contacts_csv_encoding_t e);
int contacts_csv_encoding_parse(const char *name);
/* "," ";" "tab"; and back (0 when unknown). */
const char *contacts_csv_delimiter_name(unsigned char d);
unsigned char contacts_csv_delimiter_parse(const char *name);

/* Detects encoding and delimiter from the first bytes of a file. */
void contacts_csv_sniff(const char *buf, size_t n, int truncated, contacts_csv_format_t *f);

/* A reader over fp from byte offset (0, or what contacts_csv_offset gave),
 * counting lines from line (1 at the start). NULL when out of memory. */
contacts_csv_reader_t *contacts_csv_reader(FILE *fp, const contacts_csv_format_t *f,
                                           long long offset, long line);
/* Delivers rows to fn. 0: end of file; 1: stopped as fn asked; -1: an error
 * (contacts_csv_error says which, naming the line). */
int contacts_csv_read(contacts_csv_reader_t *rd, contacts_csv_row_fn fn, void *ctx);
/* Where a stopped read resumes: byte offset and line number. */
long long contacts_csv_offset(const contacts_csv_reader_t *rd);
long contacts_csv_line(const contacts_csv_reader_t *rd);
const char *contacts_csv_error(const contacts_csv_reader_t *rd);
void contacts_csv_free(contacts_csv_reader_t *rd);

#endif

/* One CSV row through the column mapping: a record in the API's JSON shape,
 * or the reasons it cannot be one, each naming its column. */
#ifndef CONTACTS_IMPORT_ROW_H
#define CONTACTS_IMPORT_ROW_H

#include <cjson/cJSON.h>
#include "contacts_import_csv.h"
#include "contacts_import_fields.h"

#define CONTACTS_ROW_MAX_ERRORS 8

typedef struct {
    int  column;           /* index in the file; -1 for the row as a whole */
    const char *field;     /* the target field, or NULL */
    char message[160];
} contacts_row_error_t;

typedef struct {
    size_t               n;
    contacts_row_error_t e[CONTACTS_ROW_MAX_ERRORS];
} contacts_row_errors_t;

/* The record for row (NULL when errs->n > 0); the caller deletes it. The
 * record's "email" and "phone" are what duplicates are looked up by. */
cJSON *contacts_import_row(const contacts_import_map_t *m, const contacts_csv_row_t *row,
                           contacts_row_errors_t *errs);
/* A custom field's cell by the field's type (number, money, boolean, date,
 * select, multiselect): the typed value, or NULL when the text is not one
 * (left as text, the field's check names it). The caller deletes it. */
cJSON *contacts_import_typed(const char *type, const cJSON *options, const char *cell);
/* Adds an error (ignored past the cap). */
void contacts_row_error(contacts_row_errors_t *errs, int column, const char *field,
                        const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif

/* Custom field values of imported rows: typed and checked by the tenant's
 * field definitions, as the API checks them. */
#ifndef CONTACTS_IMPORT_CUSTOM_H
#define CONTACTS_IMPORT_CUSTOM_H

#include <tesoro/plugin.h>
#include "contacts_import_fields.h"
#include "contacts_import_row.h"

typedef struct contacts_import_custom contacts_import_custom_t;

/* The kind's definitions, loaded once per preview or job run; NULL on a database error. */
contacts_import_custom_t *contacts_import_custom_load(ts_request_t *r, contacts_import_kind_t k);
/* The definitions loaded (an array as GET /api/v1/fields/{kind} lists them). */
const cJSON *contacts_import_custom_defs(const contacts_import_custom_t *c);
/* Types rec's custom values (a custom.<key> cell is text until here) and
 * runs the checks; computed values are filled into rec. A column mapped to a
 * key the tenant does not define, or a refused value, adds an error naming
 * the column and custom.<key>. Returns the number of errors (0: the row passes). */
int contacts_import_custom_row(contacts_import_custom_t *c, const contacts_import_map_t *m,
                               cJSON *rec, contacts_row_errors_t *errs);

#endif

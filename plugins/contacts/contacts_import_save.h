/* Saving one imported record through the contacts records layer. */
#ifndef CONTACTS_IMPORT_SAVE_H
#define CONTACTS_IMPORT_SAVE_H

#include <tesoro/plugin.h>
#include "contacts_import_fields.h"

/* Validates and saves rec (inside the caller's transaction): 0 saved
 * (*id_out set), 422 invalid (*fields set: {field: message}), 404 the record
 * to update is gone, TS_ERROR on a database error. */
int contacts_import_save(ts_request_t *r, contacts_import_kind_t k, const cJSON *rec,
                         int64_t update_id, cJSON **fields, int64_t *id_out);

/* A batch writer of new records of kind k (see contacts_batch_add), for one
 * import batch (CONTACTS_IMPORT_BATCH rows). */
typedef struct contacts_batch contacts_batch_t;
contacts_batch_t *contacts_import_batch(ts_request_t *r, contacts_import_kind_t k);

#endif

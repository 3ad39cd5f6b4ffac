/* Saving imported records through the records layer, so that an imported
 * row is validated, written, audited and announced exactly as the API does;
 * new records go through its batch writer (validated one by one, written a
 * batch at a time). */
#include "contacts.h"
#include "contacts_import.h"
#include "contacts_import_save.h"

static const char *
kind_name(contacts_import_kind_t k)
{
    /* "owner_leads": the records layer makes a new one an owner lead. */
    return k == IMPORT_RELATIONS ? "relations" : k == IMPORT_CONTACTS ? "contacts"
         : k == IMPORT_OWNER_LEADS ? "owner_leads" : "leads";
}

int
contacts_import_save(ts_request_t *r, contacts_import_kind_t k, const cJSON *rec,
                     int64_t update_id, cJSON **fields, int64_t *id_out)
{
    return contacts_record_save(r, kind_name(k), rec, update_id, fields, id_out);
}

contacts_batch_t *
contacts_import_batch(ts_request_t *r, contacts_import_kind_t k)
{
    return contacts_batch_new(r, kind_name(k), CONTACTS_IMPORT_BATCH);
}

/* Merging two relations (companies): the survivor keeps its values and gets
 * the other's contact persons, addresses, activities and tags. */
#include "contacts.h"

/* The survivor's empty values are filled from the other relation. */
static const char *const fill_cols[] = {
    "email", "email_norm", "phone", "phone_norm", "website", "social", "vat_number", "credit_terms",
    "commission_agreement", "contract_details", "notes", "custom", "agent_id", NULL };

int
contacts_merge_relation(ts_request_t *r, int64_t survivor, int64_t source)
{
    int rc = contacts_merge_fill(r, CONTACTS_RELATION, fill_cols, survivor, source);
    /* A person of both keeps the survivor's function; the other row goes. */
    static const char *const relinks[] = {
        "UPDATE IGNORE relation_persons SET relation_id = ? WHERE tenant_id = {tenant} AND relation_id = ?",
        "UPDATE contact_addresses SET relation_id = ? WHERE tenant_id = {tenant} AND relation_id = ?",
        "UPDATE activities SET entity_id = ? WHERE tenant_id = {tenant} AND entity = 'relation' AND entity_id = ?",
        "INSERT IGNORE INTO tags (tenant_id, entity, entity_id, tag) SELECT tenant_id, entity, ?, tag"
        " FROM tags WHERE tenant_id = {tenant} AND entity = 'relation' AND entity_id = ?",
        NULL };
    for (int i = 0; relinks[i] && rc == TS_OK; i++) {
        rc = ts_db_exec(r, relinks[i], "ii", survivor, source);
    }
    static const char *const cleanup[] = {
        "DELETE FROM relation_persons WHERE tenant_id = {tenant} AND relation_id = ?",
        "DELETE FROM tags WHERE tenant_id = {tenant} AND entity = 'relation' AND entity_id = ?",
        NULL };
    for (int i = 0; cleanup[i] && rc == TS_OK; i++) {
        rc = ts_db_exec(r, cleanup[i], "i", source);
    }
    if (rc == TS_OK) {
        rc = ts_db_exec(r, "UPDATE relations SET deleted_at = UTC_TIMESTAMP(), updated_by = ?"
                           " WHERE tenant_id = {tenant} AND id = ?", "ii", r->user->id, source);
    }
    return rc == TS_OK ? contacts_merge_recorded(r, "relation", "relation", survivor, source) : rc;
}

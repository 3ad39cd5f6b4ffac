/* Saving imported records through the records layer, so that an imported
 * row is validated, written, audited and announced exactly as the API does. */
#include "contacts.h"
#include "contacts_import_save.h"
#include "contacts_norm.h"

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

/* One indexed lookup per key, as the records layer's duplicate rule reads
 * (email first, then phone, then the extra channels; visible records only):
 * an import asks once per row, so an OR across the keys, which makes
 * MariaDB range-scan the tenant's rows, would grow with the table. */
static const char *const people_dup_sql =
    "SELECT id, 0 AS pri FROM contacts WHERE tenant_id = {tenant} AND email_norm = ?"
    " AND deleted_at IS NULL AND (? = 1 OR agent_id = ? OR agent_id IS NULL)"
    " UNION ALL SELECT id, 1 FROM contacts WHERE tenant_id = {tenant} AND phone_norm = ?"
    " AND deleted_at IS NULL AND (? = 1 OR agent_id = ? OR agent_id IS NULL)"
    " UNION ALL SELECT c.id, 2 FROM contact_channels ch JOIN contacts c"
    " ON c.tenant_id = ch.tenant_id AND c.id = ch.contact_id"
    " WHERE ch.tenant_id = {tenant} AND ch.value_norm IN (?, ?) AND c.deleted_at IS NULL"
    " AND (? = 1 OR c.agent_id = ? OR c.agent_id IS NULL)"
    " ORDER BY pri, id LIMIT 1";
static const char *const relations_dup_sql =
    "SELECT id, 0 AS pri FROM relations WHERE tenant_id = {tenant} AND email_norm = ?"
    " AND deleted_at IS NULL"
    " UNION ALL SELECT id, 1 FROM relations WHERE tenant_id = {tenant} AND phone_norm = ?"
    " AND deleted_at IS NULL ORDER BY pri, id LIMIT 1";

int64_t
contacts_import_duplicate(ts_request_t *r, contacts_import_kind_t k, const char *email,
                          const char *phone)
{
    char *en = contacts_norm_email(r->pool, email), *pn = contacts_norm_phone(r->pool, phone);
    if (en == NULL && pn == NULL) {
        return 0;
    }
    ts_db_result_t *res;
    if (k == IMPORT_RELATIONS) {
        res = ts_db_query(r, relations_dup_sql, "ss", en, pn);
    } else {
        int64_t all = contacts_sees_all(r) ? 1 : 0, me = r->user->id;
        res = ts_db_query(r, people_dup_sql, "siisiissii", en, all, me, pn, all, me, en, pn, all, me);
    }
    if (res == NULL) {
        return -1;
    }
    return ts_db_rows(res) > 0 ? ts_db_get_int(res, 0, "id") : 0;
}

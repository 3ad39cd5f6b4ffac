/* Saving imported records: a minimal writer of the main columns and tags,
 * used until the records layer's own save is available to the import. */
#include <string.h>
#include "contacts_import_save.h"
#include "contacts_norm.h"

static const char *
str(const cJSON *o, const char *k)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static int
save_tags(ts_request_t *r, const char *entity, int64_t id, const cJSON *rec)
{
    const cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(rec, "tags")) {
        if (ts_db_exec(r, "INSERT IGNORE INTO tags (tenant_id, entity, entity_id, tag)"
                          " VALUES ({tenant}, ?, ?, ?)", "sis", entity, id,
                       cJSON_GetStringValue(t)) != TS_OK) {
            return TS_ERROR;
        }
    }
    return TS_OK;
}

int
contacts_import_save(ts_request_t *r, contacts_import_kind_t k, const cJSON *rec,
                     int64_t update_id, cJSON **fields, int64_t *id_out)
{
    *fields = NULL;
    const char *email = str(rec, "email"), *phone = str(rec, "phone");
    char *en = contacts_norm_email(r->pool, email), *pn = contacts_norm_phone(r->pool, phone);
    int rc;
    if (k == IMPORT_RELATIONS) {
        rc = update_id
            ? ts_db_exec(r, "UPDATE relations SET name = ?, email = ?, email_norm = ?, phone = ?,"
                            " phone_norm = ?, updated_by = ? WHERE tenant_id = {tenant} AND id = ?",
                         "sssssii", str(rec, "name"), email, en, phone, pn, r->user->id, update_id)
            : ts_db_exec(r, "INSERT INTO relations (tenant_id, name, email, email_norm, phone,"
                            " phone_norm, created_by, updated_by) VALUES ({tenant}, ?, ?, ?, ?, ?, ?, ?)",
                         "sssssii", str(rec, "name"), email, en, phone, pn, r->user->id,
                         r->user->id);
    } else {
        const char *first = str(rec, "first_name"), *last = str(rec, "last_name");
        rc = update_id
            ? ts_db_exec(r, "UPDATE contacts SET first_name = ?, last_name = ?, email = ?,"
                            " email_norm = ?, phone = ?, phone_norm = ?, updated_by = ?"
                            " WHERE tenant_id = {tenant} AND id = ?", "ssssssii",
                         first ? first : "", last ? last : "", email, en, phone, pn, r->user->id,
                         update_id)
            : ts_db_exec(r, "INSERT INTO contacts (tenant_id, kind, type, first_name, last_name,"
                            " email, email_norm, phone, phone_norm, created_by, updated_by)"
                            " VALUES ({tenant}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "ssssssssii",
                         k == IMPORT_CONTACTS ? "contact" : "lead", str(rec, "type"),
                         first ? first : "", last ? last : "", email, en, phone, pn, r->user->id,
                         r->user->id);
    }
    if (rc != TS_OK) {
        return TS_ERROR;
    }
    *id_out = update_id ? update_id : ts_db_insert_id(r);
    return save_tags(r, k == IMPORT_RELATIONS ? "relation" : "contact", *id_out, rec) == TS_OK
        ? 0 : TS_ERROR;
}

int64_t
contacts_import_duplicate(ts_request_t *r, contacts_import_kind_t k, const char *email,
                          const char *phone)
{
    char *en = contacts_norm_email(r->pool, email), *pn = contacts_norm_phone(r->pool, phone);
    if (en == NULL && pn == NULL) {
        return 0;
    }
    ts_db_result_t *res = k == IMPORT_RELATIONS
        ? ts_db_query(r, "SELECT id FROM relations WHERE tenant_id = {tenant} AND deleted_at IS NULL"
                         " AND (email_norm = ? OR phone_norm = ?) ORDER BY email_norm = ? DESC, id"
                         " LIMIT 1", "sss", en, pn, en)
        : ts_db_query(r, "SELECT id FROM contacts WHERE tenant_id = {tenant} AND deleted_at IS NULL"
                         " AND (email_norm = ? OR phone_norm = ?) ORDER BY email_norm = ? DESC, id"
                         " LIMIT 1", "sss", en, pn, en);
    if (res == NULL) {
        return -1;
    }
    return ts_db_rows(res) > 0 ? ts_db_get_int(res, 0, "id") : 0;
}

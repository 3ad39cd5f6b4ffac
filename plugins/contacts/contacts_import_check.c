/* The preview: every row of the file through the mapping and the checks,
 * duplicates looked up by normalised email and phone a batch at a time;
 * nothing is saved. Memory stays flat: rows are streamed, the error list
 * is capped (every invalid row is still counted). */
#include <string.h>
#include "contacts_import.h"
#include "contacts_import_custom.h"
#include "contacts_import_row.h"
#include "contacts_norm.h"

/* Existing records holding any of the batch's keys (a JSON array of
 * normalised emails and phones), through their main or extra channels. */
static const char *const dup_people_sql =
    "SELECT c.email_norm AS k FROM JSON_TABLE(?, '$[*]' COLUMNS (k VARCHAR(254) PATH '$')) j"
    " JOIN contacts c ON c.tenant_id = {tenant} AND c.email_norm = j.k COLLATE utf8mb4_unicode_ci"
    " AND c.deleted_at IS NULL"
    " UNION SELECT c.phone_norm FROM JSON_TABLE(?, '$[*]' COLUMNS (k VARCHAR(254) PATH '$')) j"
    " JOIN contacts c ON c.tenant_id = {tenant} AND c.phone_norm = j.k COLLATE utf8mb4_unicode_ci"
    " AND c.deleted_at IS NULL"
    " UNION SELECT ch.value_norm FROM JSON_TABLE(?, '$[*]' COLUMNS (k VARCHAR(254) PATH '$')) j"
    " JOIN contact_channels ch ON ch.tenant_id = {tenant}"
    " AND ch.value_norm = j.k COLLATE utf8mb4_unicode_ci";
static const char *const dup_relations_sql =
    "SELECT c.email_norm AS k FROM JSON_TABLE(?, '$[*]' COLUMNS (k VARCHAR(254) PATH '$')) j"
    " JOIN relations c ON c.tenant_id = {tenant} AND c.email_norm = j.k COLLATE utf8mb4_unicode_ci"
    " AND c.deleted_at IS NULL"
    " UNION SELECT c.phone_norm FROM JSON_TABLE(?, '$[*]' COLUMNS (k VARCHAR(254) PATH '$')) j"
    " JOIN relations c ON c.tenant_id = {tenant} AND c.phone_norm = j.k COLLATE utf8mb4_unicode_ci"
    " AND c.deleted_at IS NULL";

typedef struct {
    ts_request_t                *r;
    const contacts_import_map_t *m;
    contacts_import_custom_t    *custom;
    const cJSON                 *cols;
    bool                         skip_header;
    long long                    rows, valid, invalid, dups;
    cJSON                       *errors;
    int                          nerrors;
    bool                         db_failed;
    int                          nb;
    const char                  *email[CONTACTS_IMPORT_BATCH];
    const char                  *phone[CONTACTS_IMPORT_BATCH];
} check_t;

bool
contacts_import_key_known(const ts_db_result_t *res, const char *k)
{
    for (size_t i = 0; k != NULL && i < ts_db_rows(res); i++) {
        const char *v = ts_db_get(res, i, "k");
        if (v != NULL && strcmp(v, k) == 0) {
            return true;
        }
    }
    return false;
}

static bool
earlier(const check_t *c, int upto, const char *k)
{
    for (int i = 0; k != NULL && i < upto; i++) {
        if ((c->email[i] && strcmp(c->email[i], k) == 0) || (c->phone[i] && strcmp(c->phone[i], k) == 0)) {
            return true;
        }
    }
    return false;
}

/* A row is a duplicate of a record already there or of an earlier row of its batch. */
static void
flush(check_t *c)
{
    if (c->nb == 0 || c->db_failed) {
        c->nb = 0;
        return;
    }
    cJSON *emails = cJSON_CreateArray(), *phones = cJSON_CreateArray(), *all = cJSON_CreateArray();
    for (int i = 0; i < c->nb; i++) {
        if (c->email[i]) {
            cJSON_AddItemToArray(emails, cJSON_CreateString(c->email[i]));
            cJSON_AddItemToArray(all, cJSON_CreateString(c->email[i]));
        }
        if (c->phone[i]) {
            cJSON_AddItemToArray(phones, cJSON_CreateString(c->phone[i]));
            cJSON_AddItemToArray(all, cJSON_CreateString(c->phone[i]));
        }
    }
    char *e = cJSON_PrintUnformatted(emails), *p = cJSON_PrintUnformatted(phones);
    char *a = cJSON_PrintUnformatted(all);
    ts_db_result_t *res = c->m->kind == IMPORT_RELATIONS
        ? ts_db_query(c->r, dup_relations_sql, "ss", e, p)
        : ts_db_query(c->r, dup_people_sql, "sss", e, p, a);
    cJSON_free(e);
    cJSON_free(p);
    cJSON_free(a);
    cJSON_Delete(emails);
    cJSON_Delete(phones);
    cJSON_Delete(all);
    if (res == NULL) {
        c->db_failed = true;
        c->nb = 0;
        return;
    }
    for (int i = 0; i < c->nb; i++) {
        if (contacts_import_key_known(res, c->email[i])
            || contacts_import_key_known(res, c->phone[i])
            || earlier(c, i, c->email[i]) || earlier(c, i, c->phone[i])) {
            c->dups++;
        }
    }
    c->nb = 0;
}

static void
add_errors(check_t *c, const contacts_csv_row_t *row, const contacts_row_errors_t *errs)
{
    for (size_t i = 0; i < errs->n && c->nerrors < CONTACTS_IMPORT_MAX_ERRORS; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "row", (double) c->rows);
        cJSON_AddNumberToObject(e, "line", (double) row->line);
        const char *col = errs->e[i].column >= 0
            ? cJSON_GetStringValue(cJSON_GetArrayItem(c->cols, errs->e[i].column)) : NULL;
        cJSON_AddItemToObject(e, "column", col ? cJSON_CreateString(col) : cJSON_CreateNull());
        cJSON_AddItemToObject(e, "field", errs->e[i].field ? cJSON_CreateString(errs->e[i].field)
                                                           : cJSON_CreateNull());
        cJSON_AddStringToObject(e, "message", errs->e[i].message);
        cJSON_AddItemToArray(c->errors, e);
        c->nerrors++;
    }
}

static int
check_row(void *ctx, const contacts_csv_row_t *row)
{
    check_t *c = ctx;
    if (c->skip_header) {
        c->skip_header = false;
        return 0;
    }
    c->rows++;
    contacts_row_errors_t errs;
    cJSON *rec = contacts_import_row(c->m, row, &errs);
    if (rec != NULL && contacts_import_custom_row(c->custom, c->m, rec, &errs) > 0) {
        cJSON_Delete(rec);
        rec = NULL;
    }
    if (rec == NULL) {
        c->invalid++;
        add_errors(c, row, &errs);
        return 0;
    }
    c->valid++;
    const char *email = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "email"));
    const char *phone = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "phone"));
    if (email != NULL || phone != NULL) {
        c->email[c->nb] = contacts_norm_email(c->r->pool, email);
        c->phone[c->nb] = contacts_norm_phone(c->r->pool, phone);
        if (++c->nb == CONTACTS_IMPORT_BATCH) {
            flush(c);
        }
    }
    cJSON_Delete(rec);
    return 0;
}

cJSON *
contacts_import_preview(ts_request_t *r, const ts_db_result_t *imp, const contacts_import_map_t *m,
                        contacts_dup_mode_t dup)
{
    contacts_csv_format_t f;
    FILE *fp = contacts_import_fopen(imp);
    if (fp == NULL || contacts_import_format(imp, &f) != TS_OK) {
        ts_log_error("import %s: cannot open its file", ts_db_get(imp, 0, "id"));
        if (fp != NULL) {
            fclose(fp);
        }
        return NULL;
    }
    check_t *c = ts_pcalloc(r->pool, sizeof(*c));
    c->r = r;
    c->m = m;
    c->custom = contacts_import_custom_load(r, m->kind);
    if (c->custom == NULL) {
        fclose(fp);
        return NULL;
    }
    cJSON *cols = cJSON_Parse(ts_db_get(imp, 0, "columns"));
    c->cols = cols;
    c->skip_header = ts_db_get_int(imp, 0, "has_header") != 0;
    c->errors = cJSON_CreateArray();
    contacts_csv_reader_t *rd = contacts_csv_reader(fp, &f, 0, 1);
    int rc = rd ? contacts_csv_read(rd, check_row, c) : -1;
    flush(c);
    cJSON *out = cJSON_CreateObject();
    cJSON_AddNumberToObject(out, "rows", (double) c->rows);
    cJSON_AddNumberToObject(out, "valid", (double) c->valid);
    cJSON_AddNumberToObject(out, "invalid", (double) c->invalid);
    cJSON_AddNumberToObject(out, "duplicates", (double) c->dups);
    cJSON_AddItemToObject(out, "errors", c->errors);
    cJSON_AddBoolToObject(out, "errors_truncated", c->invalid > 0 && c->nerrors >= CONTACTS_IMPORT_MAX_ERRORS);
    /* A file the reader gives up on (an unclosed quote) is reported, with the rows before it. */
    cJSON_AddItemToObject(out, "file_error", rc < 0 && rd ? cJSON_CreateString(contacts_csv_error(rd))
                                                          : cJSON_CreateNull());
    contacts_csv_free(rd);
    fclose(fp);
    cJSON_Delete(cols);
    if (c->db_failed) {
        cJSON_Delete(out);
        return NULL;
    }
    /* What was previewed is what a later run without options uses. */
    cJSON *cj = cJSON_Parse(ts_db_get(imp, 0, "columns"));
    cJSON *mj = contacts_import_map_json(m, cj);
    char *mtext = cJSON_PrintUnformatted(mj);
    int64_t total = rc == 0 ? (int64_t) c->rows : -1;
    int urc = ts_db_exec(r, "UPDATE contacts_imports SET rows_total = IF(? < 0, rows_total, ?),"
                            " mapping = IF(status IN ('queued', 'running'), mapping, ?),"
                            " duplicates = IF(status IN ('queued', 'running'), duplicates, ?)"
                            " WHERE tenant_id = {tenant} AND id = ?", "iissi", total, total, mtext,
                         contacts_import_dup_name(dup), ts_db_get_int(imp, 0, "id"));
    cJSON_free(mtext);
    cJSON_Delete(mj);
    cJSON_Delete(cj);
    if (urc != TS_OK) {
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}

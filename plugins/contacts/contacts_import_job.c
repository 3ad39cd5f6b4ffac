/* The import job: one batch of rows per run, committed together with the
 * resume point and the report lines of those rows, then the next batch is
 * queued in the same transaction. The batch's rows are read first, their
 * duplicates looked up in one query (a row whose keys nobody holds needs no
 * lookup of its own), and its new records written together. A crash or a database error mid-batch
 * rolls the batch back whole (never a half-written row) and the retried
 * job starts again at the last committed resume point. */
#include <string.h>
#include "contacts.h"
#include "contacts_import.h"
#include "contacts_import_custom.h"
#include "contacts_import_row.h"
#include "contacts_import_save.h"
#include "contacts_norm.h"

#define JOB_KIND "contacts.import"

typedef struct {
    ts_request_t                *r;
    const contacts_import_map_t *m;
    contacts_import_custom_t    *custom;
    const cJSON                 *cols;
    int64_t                      id;
    contacts_dup_mode_t          dup;
    bool                         skip_header;
    bool                         map_has_type;
    int64_t                      row_no;      /* data rows seen before this one */
    int                          in_batch;
    long long                    created, updated, skipped, invalid;
    bool                         db_failed;
    /* the batch's valid rows, saved once it is read */
    struct {
        cJSON      *rec;
        long        line;
        int64_t     row_no;
        const char *email, *phone;   /* normalised */
    } rows[CONTACTS_IMPORT_BATCH];
    int                          nrows;
    int64_t                      cur_row;     /* the row being saved, for its report line */
    contacts_batch_t            *batch;
} job_t;

static void
job_cleanup(void *p)
{
    job_t *j = p;
    for (int i = 0; i < j->nrows; i++) {
        cJSON_Delete(j->rows[i].rec);
    }
    j->nrows = 0;
}

static int
report(job_t *j, long line, const char *outcome, int64_t record_id, const char *column,
       const char *message)
{
    if (ts_db_exec(j->r, "INSERT INTO contacts_import_rows (tenant_id, import_id, row_no, line,"
                         " outcome, record_id, column_name, message) VALUES ({tenant}, ?, ?, ?, ?,"
                         " NULLIF(?, 0), ?, ?) ON DUPLICATE KEY UPDATE line = VALUES(line),"
                         " outcome = VALUES(outcome), record_id = VALUES(record_id),"
                         " column_name = VALUES(column_name), message = VALUES(message)",
                   "iiisiss", j->id, j->cur_row, (int64_t) line, outcome, record_id, column,
                   message) != TS_OK) {
        j->db_failed = true;
        return TS_ERROR;
    }
    return TS_OK;
}

static const char *
column_name(const job_t *j, int col)
{
    return col >= 0 ? cJSON_GetStringValue(cJSON_GetArrayItem(j->cols, col)) : NULL;
}

/* The column of a field the records layer refused: "preferences.budget_max",
 * "tags[2]", "addresses[0]" (an address.* column), "custom.<key>". */
static const char *
column_of_field(const job_t *j, const char *field)
{
    bool address = strncmp(field, "addresses", 9) == 0;
    const char *key = strncmp(field, "custom.", 7) == 0 ? field + 7 : NULL;
    for (size_t i = 0; i < j->m->n; i++) {
        const contacts_ifield_t *f = j->m->field[i];
        if (f == NULL) {
            continue;
        }
        size_t n = strlen(f->path);
        bool hit = address ? strncmp(f->path, "address.", 8) == 0
                 : key != NULL ? strcmp(j->m->custom[i], key) == 0
                                 || (strncmp(key, "social_", 7) == 0 && strncmp(f->path, "social.", 7) == 0
                                     && strcmp(f->path + 7, key + 7) == 0)
                 : strncmp(f->path, field, n) == 0 && (field[n] == '\0' || field[n] == '[');
        if (hit) {
            return column_name(j, (int) i);
        }
    }
    return NULL;
}

static int
refused(job_t *j, long line, cJSON *fields)
{
    const cJSON *first = fields ? fields->child : NULL;
    char *msg = first ? ts_psprintf(j->r->pool, "%s: %s", first->string,
                                    cJSON_IsString(first) ? first->valuestring : "invalid")
                      : "refused";
    int rc = report(j, line, "invalid", 0, first ? column_of_field(j, first->string) : NULL, msg);
    cJSON_Delete(fields);
    j->invalid++;
    return rc;
}

/* A row matching a record already there (skipped or updated), or a new
 * record saved on its own (one with channels, roles or consents). */
static int
save_one(job_t *j, long line, cJSON *rec, int64_t dup_id)
{
    if (dup_id > 0 && j->dup == DUP_SKIP) {
        j->skipped++;
        return report(j, line, "skipped", dup_id, NULL,
                      ts_psprintf(j->r->pool, "a duplicate of record %lld (same email or phone)",
                                  (long long) dup_id));
    }
    if (dup_id > 0 && !j->map_has_type) {
        /* The kind's default type is for new records, never a change to an existing one. */
        cJSON_DeleteItemFromObjectCaseSensitive(rec, "type");
    }
    cJSON *fields = NULL;
    int64_t id = 0;
    int rc = contacts_import_save(j->r, j->m->kind, rec, dup_id, &fields, &id);
    if (rc == 422) {
        return refused(j, line, fields);
    }
    if (rc == 404) {
        j->skipped++;
        return report(j, line, "skipped", dup_id, NULL, "the duplicate is not visible to you");
    }
    if (rc != 0) {
        cJSON_Delete(fields);
        j->db_failed = true;
        return TS_ERROR;
    }
    if (dup_id > 0) {
        j->updated++;
        return report(j, line, "updated", id, NULL, NULL);
    }
    j->created++;
    return TS_OK;
}

static bool
key_in(const ts_db_result_t *res, const char *k)
{
    for (size_t i = 0; k != NULL && i < ts_db_rows(res); i++) {
        const char *v = ts_db_get(res, i, "k");
        if (v != NULL && strcmp(v, k) == 0) {
            return true;
        }
    }
    return false;
}

/* Whether an earlier row of the batch (saved already, or waiting in the
 * batch writer) has one of row i's keys. */
static bool
key_earlier(const job_t *j, int i)
{
    for (int k = 0; k < i; k++) {
        for (int a = 0; a < 2; a++) {
            const char *mine = a ? j->rows[i].phone : j->rows[i].email;
            if (mine != NULL && ((j->rows[k].email && strcmp(j->rows[k].email, mine) == 0)
                                 || (j->rows[k].phone && strcmp(j->rows[k].phone, mine) == 0))) {
                return true;
            }
        }
    }
    return false;
}

static int
flush_new(job_t *j)
{
    if (contacts_batch_flush(j->batch) != TS_OK) {
        j->db_failed = true;
        return TS_ERROR;
    }
    return TS_OK;
}

/* Row i: its duplicate when it may have one, then saved. */
static int
save_row(job_t *j, int i, const ts_db_result_t *known)
{
    cJSON *rec = j->rows[i].rec;
    long line = j->rows[i].line;
    const char *email = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "email"));
    const char *phone = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "phone"));
    int64_t dup_id = 0;
    bool earlier = j->dup != DUP_CREATE && key_earlier(j, i);
    if (j->dup != DUP_CREATE && (email != NULL || phone != NULL)
        && (earlier || key_in(known, j->rows[i].email) || key_in(known, j->rows[i].phone))) {
        /* An earlier row's new record must be written for the lookup to see it. */
        if (earlier && contacts_batch_count(j->batch) > 0 && flush_new(j) != TS_OK) {
            return TS_ERROR;
        }
        dup_id = contacts_duplicate_id(j->r, j->m->kind == IMPORT_RELATIONS ? CONTACTS_RELATION
                                       : CONTACTS_LEAD, email, phone);
        if (dup_id < 0) {
            j->db_failed = true;
            return TS_ERROR;
        }
    }
    if (dup_id > 0) {
        return save_one(j, line, rec, dup_id);
    }
    cJSON *fields = NULL;
    int rc = contacts_batch_add(j->batch, rec, &fields);
    if (rc == 0) {
        j->created++;
        return TS_OK;
    }
    if (rc == 422) {
        return refused(j, line, fields);
    }
    if (rc == TS_DECLINED) {
        /* Saved on its own, after the rows before it. */
        return flush_new(j) == TS_OK ? save_one(j, line, rec, 0) : TS_ERROR;
    }
    j->db_failed = true;
    return TS_ERROR;
}

/* The batch's valid rows: one query for the keys some record holds, each
 * row saved, the new records written together. */
static int
save_rows(job_t *j)
{
    const ts_db_result_t *known = NULL;
    if (j->dup != DUP_CREATE) {
        cJSON *keys = cJSON_CreateArray();
        for (int i = 0; i < j->nrows; i++) {
            if (j->rows[i].email) {
                cJSON_AddItemToArray(keys, cJSON_CreateString(j->rows[i].email));
            }
            if (j->rows[i].phone) {
                cJSON_AddItemToArray(keys, cJSON_CreateString(j->rows[i].phone));
            }
        }
        char *text = cJSON_PrintUnformatted(keys);
        cJSON_Delete(keys);
        known = contacts_duplicate_keys(j->r, j->m->kind == IMPORT_RELATIONS ? CONTACTS_RELATION
                                        : CONTACTS_LEAD, text ? text : "[]");
        cJSON_free(text);
        if (known == NULL) {
            j->db_failed = true;
            return TS_ERROR;
        }
    }
    for (int i = 0; i < j->nrows; i++) {
        j->cur_row = j->rows[i].row_no;
        if (save_row(j, i, known) != TS_OK) {
            return TS_ERROR;
        }
    }
    return flush_new(j);
}

static int
job_row(void *ctx, const contacts_csv_row_t *row)
{
    job_t *j = ctx;
    if (j->skip_header) {
        j->skip_header = false;
        return 0;
    }
    j->row_no++;
    j->in_batch++;
    contacts_row_errors_t errs;
    cJSON *rec = contacts_import_row(j->m, row, &errs);
    if (rec != NULL && contacts_import_custom_row(j->custom, j->m, rec, &errs) > 0) {
        cJSON_Delete(rec);
        rec = NULL;
    }
    int rc;
    if (rec == NULL) {
        j->invalid++;
        char msg[500];
        size_t n = 0;
        msg[0] = '\0';
        for (size_t i = 0; i < errs.n && n + 1 < sizeof(msg); i++) {
            const char *col = column_name(j, errs.e[i].column);
            n += (size_t) snprintf(msg + n, sizeof(msg) - n, "%s%s%s%s", i ? "; " : "",
                                   col ? col : "", col ? ": " : "", errs.e[i].message);
        }
        j->cur_row = j->row_no;
        rc = report(j, row->line, "invalid", 0, column_name(j, errs.e[0].column), msg);
    } else {
        /* Kept for save_rows, once the batch is read. */
        const char *email = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "email"));
        const char *phone = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "phone"));
        j->rows[j->nrows].rec = rec;
        j->rows[j->nrows].line = row->line;
        j->rows[j->nrows].row_no = j->row_no;
        j->rows[j->nrows].email = contacts_norm_email(j->r->pool, email);
        j->rows[j->nrows].phone = contacts_norm_phone(j->r->pool, phone);
        j->nrows++;
        rc = TS_OK;
    }
    if (rc != TS_OK) {
        return -1;
    }
    return j->in_batch >= CONTACTS_IMPORT_BATCH ? 1 : 0;
}

static int
count_row(void *ctx, const contacts_csv_row_t *row)
{
    (void) row;
    (*(int64_t *) ctx)++;
    return 0;
}

/* Data rows in the whole file, for the progress bar (a parse without checks). */
static int64_t
count_rows(const ts_db_result_t *imp, const contacts_csv_format_t *f)
{
    FILE *fp = contacts_import_fopen(imp);
    int64_t n = 0;
    contacts_csv_reader_t *rd = fp ? contacts_csv_reader(fp, f, 0, 1) : NULL;
    if (rd != NULL) {
        contacts_csv_read(rd, count_row, &n);
    }
    contacts_csv_free(rd);
    if (fp != NULL) {
        fclose(fp);
    }
    n -= ts_db_get_int(imp, 0, "has_header") != 0 && n > 0;
    return n;
}

/* The job acts as the user who started the import, with that user's role. */
static int
act_as(ts_request_t *r, int64_t user_id)
{
    ts_db_result_t *u = ts_db_query(r, "SELECT id, email, name, role FROM users"
                                       " WHERE tenant_id = {tenant} AND id = ? AND status = 'active'",
                                    "i", user_id);
    if (u == NULL || ts_db_rows(u) == 0) {
        return TS_ERROR;
    }
    ts_user_t *me = ts_pcalloc(r->pool, sizeof(*me));
    me->id = ts_db_get_int(u, 0, "id");
    me->email = ts_db_get(u, 0, "email");
    me->name = ts_db_get(u, 0, "name");
    const char *role = ts_db_get(u, 0, "role");
    me->role = strcmp(role, "admin") == 0 ? TS_ROLE_ADMIN : strcmp(role, "manager") == 0
        ? TS_ROLE_MANAGER : strcmp(role, "agent") == 0 ? TS_ROLE_AGENT : TS_ROLE_VIEWER;
    r->user = me;
    return me->role >= TS_ROLE_AGENT ? TS_OK : TS_ERROR;
}

static int
finish(ts_request_t *r, int64_t id, const char *error)
{
    return ts_db_exec(r, "UPDATE contacts_imports SET status = 'failed', error = ?,"
                         " finished_at = NOW() WHERE tenant_id = {tenant} AND id = ?", "si",
                      error, id);
}

static int
run_batch(ts_request_t *r, const ts_db_result_t *imp, const char **err)
{
    int64_t id = ts_db_get_int(imp, 0, "id");
    if (act_as(r, ts_db_get_int(imp, 0, "created_by")) != TS_OK) {
        return finish(r, id, "the user who started the import can no longer import");
    }
    contacts_import_map_t *m = ts_pcalloc(r->pool, sizeof(*m));
    cJSON *errf = NULL;
    contacts_csv_format_t f;
    if (contacts_import_mapping(r, imp, NULL, 0, m, &errf) != 0
        || contacts_import_format(imp, &f) != TS_OK) {
        cJSON_Delete(errf);
        return finish(r, id, "the stored mapping is invalid");
    }
    long long offset = ts_db_get_int(imp, 0, "resume_offset");
    if (ts_db_get(imp, 0, "rows_total") == NULL || offset == 0) {
        ts_db_exec(r, "UPDATE contacts_imports SET rows_total = ? WHERE tenant_id = {tenant}"
                      " AND id = ?", "ii", count_rows(imp, &f), id);
    }
    FILE *fp = contacts_import_fopen(imp);
    if (fp == NULL) {
        return finish(r, id, "the uploaded file is gone");
    }
    cJSON *cols = cJSON_Parse(ts_db_get(imp, 0, "columns"));
    /* About 500 rows of state: in the pool, not on the job runner's stack. */
    job_t *j = ts_pcalloc(r->pool, sizeof(*j));
    *j = (job_t) {
        .r = r, .m = m, .cols = cols, .id = id,
        .dup = (contacts_dup_mode_t) contacts_import_dup_mode(ts_db_get(imp, 0, "duplicates")),
        .skip_header = offset == 0 && ts_db_get_int(imp, 0, "has_header") != 0,
        .row_no = ts_db_get_int(imp, 0, "rows_done"),
        .custom = contacts_import_custom_load(r, m->kind),
        .batch = contacts_import_batch(r, m->kind),
    };
    if (j->custom == NULL) {
        fclose(fp);
        cJSON_Delete(cols);
        *err = "the custom field definitions could not be read";
        return TS_ERROR;
    }
    ts_pool_cleanup_add(r->pool, job_cleanup, j);
    for (size_t i = 0; i < m->n; i++) {
        j->map_has_type = j->map_has_type || (m->field[i] && strcmp(m->field[i]->path, "type") == 0);
    }
    contacts_csv_reader_t *rd = contacts_csv_reader(fp, &f, offset,
                                                    (long) ts_db_get_int(imp, 0, "resume_line"));
    int rc = rd ? contacts_csv_read(rd, job_row, j) : -1;
    /* The rows read before a reading error are saved too, as when they streamed. */
    if (rd != NULL && !j->db_failed) {
        save_rows(j);
    }
    int out = TS_OK;
    if (j->db_failed || rd == NULL) {
        *err = "a database error in the batch (rolled back; the job retries from the last batch)";
        out = TS_ERROR;
    } else {
        const char *status = rc == 1 ? "running" : rc == 0 ? "done" : "failed";
        out = ts_db_exec(r, "UPDATE contacts_imports SET status = ?, rows_done = ?,"
                            " created = created + ?, updated = updated + ?, skipped = skipped + ?,"
                            " invalid = invalid + ?, resume_offset = ?, resume_line = ?, error = ?,"
                            " started_at = COALESCE(started_at, NOW()),"
                            " finished_at = IF(? = 'running', NULL, NOW())"
                            " WHERE tenant_id = {tenant} AND id = ?", "siiiiiiissi", status,
                         j->row_no, (int64_t) j->created, (int64_t) j->updated, (int64_t) j->skipped,
                         (int64_t) j->invalid, (int64_t) contacts_csv_offset(rd),
                         (int64_t) contacts_csv_line(rd), rc < 0 ? contacts_csv_error(rd) : NULL,
                         status, id);
        if (out == TS_OK && rc == 1) {
            cJSON *p = cJSON_CreateObject();
            cJSON_AddNumberToObject(p, "import_id", (double) id);
            cJSON_AddNumberToObject(p, "offset", (double) contacts_csv_offset(rd));
            out = ts_job_enqueue(r, JOB_KIND, p, 0);
            cJSON_Delete(p);
        }
    }
    contacts_csv_free(rd);
    fclose(fp);
    cJSON_Delete(cols);
    return out;
}

static int
import_job(ts_request_t *r, const cJSON *payload, const char **err)
{
    const cJSON *idj = cJSON_GetObjectItemCaseSensitive(payload, "import_id");
    const cJSON *offj = cJSON_GetObjectItemCaseSensitive(payload, "offset");
    if (!cJSON_IsNumber(idj)) {
        *err = "no import_id in the payload";
        return TS_ERROR;
    }
    if (ts_db_begin(r) != TS_OK) {
        return TS_ERROR;
    }
    /* The row lock makes batches of one import run one at a time. */
    ts_db_result_t *imp = ts_db_query(r, "SELECT id FROM contacts_imports WHERE tenant_id = {tenant}"
                                         " AND id = ? FOR UPDATE", "i", (int64_t) idj->valuedouble);
    if (imp != NULL && ts_db_rows(imp) == 1) {
        imp = contacts_import_load(r, (int64_t) idj->valuedouble);
    }
    if (imp == NULL) {
        ts_db_rollback(r);
        return TS_ERROR;
    }
    const char *status = ts_db_rows(imp) ? ts_db_get(imp, 0, "status") : "gone";
    /* A job for a batch already done (a retry that raced a resume) has nothing to do. */
    bool current = cJSON_IsNumber(offj)
        && (long long) offj->valuedouble == ts_db_get_int(imp, 0, "resume_offset");
    if ((strcmp(status, "queued") != 0 && strcmp(status, "running") != 0) || !current) {
        return ts_db_commit(r);
    }
    if (run_batch(r, imp, err) != TS_OK) {
        ts_db_rollback(r);
        return TS_ERROR;
    }
    return ts_db_commit(r);
}

int
contacts_import_start(ts_request_t *r, const ts_db_result_t *imp, const contacts_import_map_t *m,
                      contacts_dup_mode_t dup)
{
    const char *status = ts_db_get(imp, 0, "status");
    int64_t id = ts_db_get_int(imp, 0, "id");
    bool active = strcmp(status, "queued") == 0 || strcmp(status, "running") == 0;
    if (active) {
        /* Still active unless its job died (retries used up): then it resumes. */
        ts_db_result_t *live = ts_db_query(r, "SELECT id FROM jobs WHERE tenant_id = {tenant}"
                                              " AND kind = ? AND status IN ('queued', 'running')"
                                              " AND payload LIKE ? LIMIT 1", "ss", JOB_KIND,
                                           ts_psprintf(r->pool, "{\"import_id\":%lld,%%",
                                                       (long long) id));
        if (live == NULL) {
            return TS_ERROR;
        }
        if (ts_db_rows(live) > 0) {
            return 409;
        }
    }
    bool resume = active || strcmp(status, "failed") == 0;
    cJSON *cols = cJSON_Parse(ts_db_get(imp, 0, "columns"));
    cJSON *mj = contacts_import_map_json(m, cols);
    char *mtext = cJSON_PrintUnformatted(mj);
    cJSON_Delete(mj);
    cJSON_Delete(cols);
    int rc = ts_db_begin(r);
    if (rc == TS_OK && !resume) {
        rc = ts_db_exec(r, "DELETE FROM contacts_import_rows WHERE tenant_id = {tenant}"
                           " AND import_id = ?", "i", id);
    }
    if (rc == TS_OK) {
        /* A failed import keeps what it did and resumes; anything else starts afresh. */
        rc = ts_db_exec(r, resume
            ? "UPDATE contacts_imports SET status = 'queued', mapping = ?, duplicates = ?,"
              " error = NULL, finished_at = NULL WHERE tenant_id = {tenant} AND id = ?"
            : "UPDATE contacts_imports SET status = 'queued', mapping = ?, duplicates = ?,"
              " error = NULL, rows_done = 0, created = 0, updated = 0, skipped = 0, invalid = 0,"
              " resume_offset = 0, resume_line = 1, started_at = NULL, finished_at = NULL"
              " WHERE tenant_id = {tenant} AND id = ?",
            "ssi", mtext, contacts_import_dup_name(dup), id);
    }
    cJSON_free(mtext);
    if (rc == TS_OK) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddNumberToObject(p, "import_id", (double) id);
        cJSON_AddNumberToObject(p, "offset", resume ? (double) ts_db_get_int(imp, 0, "resume_offset") : 0);
        rc = ts_job_enqueue(r, JOB_KIND, p, 0);
        cJSON_Delete(p);
    }
    if (rc != TS_OK) {
        ts_db_rollback(r);
        return TS_ERROR;
    }
    return ts_db_commit(r) == TS_OK ? 0 : TS_ERROR;
}

int
contacts_import_job_register(ts_plugin_ctx_t *ctx)
{
    return ts_job_register(ctx, JOB_KIND, import_job);
}

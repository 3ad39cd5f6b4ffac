/* An import's file: the upload checked, detected and stored, opened again
 * for the preview and the job, and the import's JSON with its first rows.
 * Uploads streamed to disk by the core are moved to <[storage] dir>/imports
 * (outside the web root, random names); small ones stay in the import's row. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include "contacts.h"
#include "contacts_import.h"

ts_db_result_t *
contacts_import_load(ts_request_t *r, int64_t id)
{
    return ts_db_query(r, "SELECT id, kind, filename, file_path, content, size, encoding,"
                          " delimiter, has_header, columns, mapping, duplicates, status,"
                          " rows_total, rows_done, created, updated, skipped, invalid,"
                          " resume_offset, resume_line, error, created_by, created_at,"
                          " updated_at, started_at, finished_at FROM contacts_imports"
                          " WHERE tenant_id = {tenant} AND id = ?", "i", id);
}

int64_t
contacts_import_owner_filter(ts_request_t *r)
{
    return r->user->role == TS_ROLE_AGENT && !contacts_sees_all(r) ? r->user->id : 0;
}

bool
contacts_import_visible(ts_request_t *r, const ts_db_result_t *imp)
{
    int64_t only = contacts_import_owner_filter(r);
    return only == 0 || ts_db_get_int(imp, 0, "created_by") == only;
}

FILE *
contacts_import_fopen(const ts_db_result_t *imp)
{
    const char *path = ts_db_get(imp, 0, "file_path");
    if (path != NULL) {
        return fopen(path, "rb");
    }
    const char *content = ts_db_get(imp, 0, "content");
    size_t n = content ? strlen(content) : 0;
    /* fmemopen refuses a zero size; an empty import has no rows to read anyway. */
    return fmemopen((void *) (n ? content : "\n"), n ? n : 1, "rb");
}

int
contacts_import_format(const ts_db_result_t *imp, contacts_csv_format_t *f)
{
    int enc = contacts_csv_encoding_parse(ts_db_get(imp, 0, "encoding"));
    f->delimiter = contacts_csv_delimiter_parse(ts_db_get(imp, 0, "delimiter"));
    f->encoding = enc < 0 ? CONTACTS_CSV_UTF8 : (contacts_csv_encoding_t) enc;
    return enc < 0 || f->delimiter == 0 ? TS_ERROR : TS_OK;
}

/* ---------------------------------------------------------------- first rows */

typedef struct {
    int    want;
    cJSON *rows;   /* arrays of cells */
} head_t;

static int
head_row(void *ctx, const contacts_csv_row_t *row)
{
    head_t *h = ctx;
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < row->n; i++) {
        cJSON_AddItemToArray(a, row->cells[i] ? cJSON_CreateString(row->cells[i]) : cJSON_CreateNull());
    }
    cJSON_AddItemToArray(h->rows, a);
    return cJSON_GetArraySize(h->rows) >= h->want ? 1 : 0;
}

/* The first want rows of fp; NULL (with *err) when the file cannot be read. */
static cJSON *
head(FILE *fp, const contacts_csv_format_t *f, int want, const char **err, ts_pool_t *p)
{
    head_t h = { want, cJSON_CreateArray() };
    contacts_csv_reader_t *rd = contacts_csv_reader(fp, f, 0, 1);
    if (rd == NULL) {
        cJSON_Delete(h.rows);
        *err = "out of memory";
        return NULL;
    }
    if (contacts_csv_read(rd, head_row, &h) < 0) {
        *err = ts_pstrdup(p, contacts_csv_error(rd));
        cJSON_Delete(h.rows);
        h.rows = NULL;
    }
    contacts_csv_free(rd);
    return h.rows;
}

/* Column names from the header row: trimmed, "column_N" for a blank one,
 * "Name (2)" for a repeated one, so each is a unique key of the mapping. */
static cJSON *
column_names(const cJSON *first, bool header, ts_pool_t *p)
{
    cJSON *cols = cJSON_CreateArray();
    int n = cJSON_GetArraySize(first);
    for (int i = 0; i < n; i++) {
        const char *v = header ? cJSON_GetStringValue(cJSON_GetArrayItem(first, i)) : NULL;
        char *name;
        while (v != NULL && (*v == ' ' || *v == '\t')) {
            v++;
        }
        if (v == NULL || *v == '\0') {
            name = ts_psprintf(p, "column_%d", i + 1);
        } else {
            name = ts_pstrndup(p, v, strnlen(v, 100));
            for (size_t e = strlen(name); e > 0 && (name[e - 1] == ' ' || name[e - 1] == '\t'); e--) {
                name[e - 1] = '\0';
            }
        }
        const char *unique = name;
        for (int k = 2;; k++) {
            bool taken = false;
            const cJSON *c;
            cJSON_ArrayForEach(c, cols) {
                taken = taken || strcmp(c->valuestring, unique) == 0;
            }
            if (!taken) {
                break;
            }
            unique = ts_psprintf(p, "%s (%d)", name, k);
        }
        cJSON_AddItemToArray(cols, cJSON_CreateString(unique));
    }
    return cols;
}

/* What the header names, each field given to its first column only (lists may repeat). */
static cJSON *
proposed_mapping(contacts_import_kind_t k, const cJSON *cols, bool header)
{
    cJSON *m = cJSON_CreateObject();
    const contacts_ifield_t *used[256];
    int nused = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cols) {
        const contacts_ifield_t *f = header ? contacts_import_guess(k, c->valuestring) : NULL;
        for (int i = 0; f != NULL && f->type != F_LIST && i < nused; i++) {
            if (used[i] == f) {
                f = NULL;
            }
        }
        if (f != NULL && nused < 256) {
            used[nused++] = f;
        }
        /* A "custom.<key>" header is that custom field. */
        const char *custom = header ? contacts_import_custom_key(c->valuestring) : NULL;
        cJSON_AddItemToObject(m, c->valuestring, custom ? cJSON_CreateString(c->valuestring)
                                                 : f ? cJSON_CreateString(f->path) : cJSON_CreateNull());
    }
    return m;
}

/* A saved mapping of this kind whose every column is in the file wins over the guess. */
static cJSON *
saved_mapping(ts_request_t *r, const char *kind, const cJSON *cols, int64_t *id)
{
    ts_db_result_t *res = ts_db_query(r, "SELECT id, mapping FROM contacts_import_mappings"
                                         " WHERE tenant_id = {tenant} AND kind = ?"
                                         " ORDER BY updated_at DESC, id DESC LIMIT 50", "s", kind);
    for (size_t i = 0; res != NULL && i < ts_db_rows(res); i++) {
        cJSON *m = cJSON_Parse(ts_db_get(res, i, "mapping"));
        bool fits = cJSON_IsObject(m) && cJSON_GetArraySize(m) > 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, m) {
            bool found = false;
            const cJSON *c;
            cJSON_ArrayForEach(c, cols) {
                found = found || strcmp(c->valuestring, e->string) == 0;
            }
            fits = fits && found;
        }
        if (fits) {
            *id = ts_db_get_int(res, i, "id");
            return m;
        }
        cJSON_Delete(m);
    }
    return NULL;
}

/* ---------------------------------------------------------------- storing */

static char *
random_name(ts_pool_t *p)
{
    unsigned char b[16];
    if (getrandom(b, sizeof(b), 0) != (ssize_t) sizeof(b)) {
        return NULL;
    }
    char hex[33];
    for (size_t i = 0; i < sizeof(b); i++) {
        snprintf(hex + 2 * i, 3, "%02x", b[i]);
    }
    return ts_psprintf(p, "%s.csv", hex);
}

/* Moves the core's temp file of the upload into the install's storage. */
static char *
store_file(ts_request_t *r, const char *tmp)
{
    const char *storage = ts_storage_dir();
    char *imports = ts_psprintf(r->pool, "%s/imports", storage);
    if ((mkdir(storage, 0700) != 0 && errno != EEXIST)
        || (mkdir(imports, 0700) != 0 && errno != EEXIST)) {
        ts_log_error("import: cannot create %s: %s", imports, strerror(errno));
        return NULL;
    }
    char *abs = realpath(imports, NULL);
    char *name = random_name(r->pool);
    if (abs == NULL || name == NULL) {
        free(abs);
        return NULL;
    }
    char *path = ts_psprintf(r->pool, "%s/%s", abs, name);
    free(abs);
    if (rename(tmp, path) != 0) {
        ts_log_error("import: cannot move the upload to %s: %s", path, strerror(errno));
        return NULL;
    }
    return path;
}

static int
field_error(cJSON **fields, const char *name, const char *msg)
{
    *fields = cJSON_CreateObject();
    cJSON_AddStringToObject(*fields, name, msg);
    return 422;
}

static bool
blank_text(const char *s, size_t n)
{
    size_t i = n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    for (; i < n; i++) {
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') {
            return false;
        }
    }
    return true;
}

int
contacts_import_create(ts_request_t *r, const char *kind, const ts_part_t *part, int64_t *id_out,
                       cJSON **err_fields)
{
    contacts_import_kind_t k = contacts_import_kind(kind);
    if (k == 0) {
        return field_error(err_fields, "kind", "one of leads, owner_leads, contacts, relations");
    }
    if (part == NULL || part->filename == NULL) {
        return field_error(err_fields, "file", "a CSV file is required");
    }
    if (part->size == 0) {
        return field_error(err_fields, "file", "the file is empty");
    }
    FILE *fp = part->path ? fopen(part->path, "rb") : fmemopen((void *) part->data, part->size, "rb");
    if (fp == NULL) {
        return TS_ERROR;
    }
    char *sample = ts_palloc(r->pool, CONTACTS_CSV_SNIFF_BYTES);
    size_t n = fread(sample, 1, CONTACTS_CSV_SNIFF_BYTES, fp);
    if (blank_text(sample, n) && n == part->size) {
        fclose(fp);
        return field_error(err_fields, "file", "the file is empty");
    }
    /* Type from content: a spreadsheet or any binary file holds NUL bytes. */
    if (memchr(sample, '\0', n) != NULL) {
        fclose(fp);
        return field_error(err_fields, "file", "not a CSV text file (a spreadsheet? save it as CSV)");
    }
    contacts_csv_format_t f;
    contacts_csv_sniff(sample, n, n < part->size, &f);
    const char *err = NULL;
    cJSON *rows = head(fp, &f, 1, &err, r->pool);
    fclose(fp);
    if (rows == NULL || cJSON_GetArraySize(rows) == 0) {
        cJSON_Delete(rows);
        return field_error(err_fields, "file", err ? err : "the file has no rows");
    }
    const cJSON *first = cJSON_GetArrayItem(rows, 0);
    const char *cells[CONTACTS_CSV_MAX_CELLS];
    size_t ncells = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, first) {
        cells[ncells++] = cJSON_GetStringValue(c);
    }
    bool header = contacts_import_is_header(k, cells, ncells);
    cJSON *cols = column_names(first, header, r->pool);
    cJSON_Delete(rows);
    int64_t mapping_id = 0;
    cJSON *mapping = header ? saved_mapping(r, kind, cols, &mapping_id) : NULL;
    if (mapping == NULL) {
        mapping = proposed_mapping(k, cols, header);
    }
    char *cols_text = cJSON_PrintUnformatted(cols);
    char *map_text = cJSON_PrintUnformatted(mapping);
    cJSON_Delete(cols);
    cJSON_Delete(mapping);
    char *path = NULL;
    int rc = TS_ERROR;
    if (part->path != NULL && (path = store_file(r, part->path)) == NULL) {
        goto done;
    }
    const char *name = part->filename;
    if (ts_db_exec(r, "INSERT INTO contacts_imports (tenant_id, kind, filename, file_path,"
                      " content, size, encoding, delimiter, has_header, columns, mapping,"
                      " created_by) VALUES ({tenant}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   "ssssississi", kind, ts_pstrndup(r->pool, name, strnlen(name, 255)), path,
                   path ? NULL : ts_pstrndup(r->pool, part->data, part->size),
                   (int64_t) part->size, contacts_csv_encoding_name(f.encoding),
                   contacts_csv_delimiter_name(f.delimiter), (int64_t) header, cols_text, map_text,
                   r->user->id) != TS_OK) {
        if (path != NULL) {
            unlink(path);
        }
        goto done;
    }
    *id_out = ts_db_insert_id(r);
    rc = 201;
done:
    cJSON_free(cols_text);
    cJSON_free(map_text);
    return rc;
}

/* ---------------------------------------------------------------- JSON */

static void
add_int_or_null(cJSON *o, const char *name, const ts_db_result_t *res, const char *col)
{
    const char *v = ts_db_get(res, 0, col);
    cJSON_AddItemToObject(o, name, v ? cJSON_CreateNumber((double) ts_db_get_int(res, 0, col))
                                     : cJSON_CreateNull());
}

static void
add_str_or_null(cJSON *o, const char *name, const char *v)
{
    cJSON_AddItemToObject(o, name, v ? cJSON_CreateString(v) : cJSON_CreateNull());
}

cJSON *
contacts_import_json(ts_request_t *r, const ts_db_result_t *imp, int samples)
{
    int64_t id = ts_db_get_int(imp, 0, "id");
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double) id);
    cJSON_AddStringToObject(o, "kind", ts_db_get(imp, 0, "kind"));
    cJSON_AddStringToObject(o, "filename", ts_db_get(imp, 0, "filename"));
    cJSON_AddNumberToObject(o, "size", (double) ts_db_get_int(imp, 0, "size"));
    cJSON_AddStringToObject(o, "encoding", ts_db_get(imp, 0, "encoding"));
    cJSON_AddStringToObject(o, "delimiter", ts_db_get(imp, 0, "delimiter"));
    cJSON_AddBoolToObject(o, "has_header", ts_db_get_int(imp, 0, "has_header") != 0);
    cJSON *cols = cJSON_Parse(ts_db_get(imp, 0, "columns"));
    cJSON_AddItemToObject(o, "columns", cols ? cols : cJSON_CreateArray());
    cJSON *map = cJSON_Parse(ts_db_get(imp, 0, "mapping"));
    cJSON_AddItemToObject(o, "mapping", map ? map : cJSON_CreateObject());
    cJSON_AddStringToObject(o, "duplicates", ts_db_get(imp, 0, "duplicates"));
    cJSON_AddStringToObject(o, "status", ts_db_get(imp, 0, "status"));
    cJSON *pr = cJSON_AddObjectToObject(o, "progress");
    add_int_or_null(pr, "rows_total", imp, "rows_total");
    cJSON_AddNumberToObject(pr, "rows_done", (double) ts_db_get_int(imp, 0, "rows_done"));
    int64_t total = ts_db_get(imp, 0, "rows_total") ? ts_db_get_int(imp, 0, "rows_total") : 0;
    int64_t done = ts_db_get_int(imp, 0, "rows_done");
    const char *status = ts_db_get(imp, 0, "status");
    int percent = strcmp(status, "done") == 0 ? 100 : total > 0 ? (int) (done * 100 / total) : 0;
    cJSON_AddNumberToObject(pr, "percent", percent > 100 ? 100 : percent);
    cJSON *rep = cJSON_AddObjectToObject(o, "report");
    static const char *const counts[] = { "created", "updated", "skipped", "invalid" };
    for (size_t i = 0; i < 4; i++) {
        cJSON_AddNumberToObject(rep, counts[i], (double) ts_db_get_int(imp, 0, counts[i]));
    }
    cJSON_AddStringToObject(rep, "url", ts_psprintf(r->pool, "/api/v1/imports/%lld/report",
                                                    (long long) id));
    add_str_or_null(o, "error", ts_db_get(imp, 0, "error"));
    static const char *const dates[] = { "created_at", "updated_at", "started_at", "finished_at" };
    cJSON *row = ts_db_row_json(r, imp, 0);
    for (size_t i = 0; i < 4; i++) {
        cJSON *d = cJSON_GetObjectItemCaseSensitive(row, dates[i]);
        cJSON_AddItemToObject(o, dates[i], d ? cJSON_Duplicate(d, 1) : cJSON_CreateNull());
    }
    cJSON_Delete(row);
    add_int_or_null(o, "created_by", imp, "created_by");
    if (samples > 0) {
        contacts_csv_format_t f;
        FILE *fp = contacts_import_fopen(imp);
        const char *err = NULL;
        cJSON *rows = NULL;
        if (fp != NULL && contacts_import_format(imp, &f) == TS_OK) {
            int header = ts_db_get_int(imp, 0, "has_header") != 0;
            rows = head(fp, &f, samples + header, &err, r->pool);
            if (rows != NULL && header) {
                cJSON_DeleteItemFromArray(rows, 0);
            }
        }
        if (fp != NULL) {
            fclose(fp);
        }
        cJSON_AddItemToObject(o, "samples", rows ? rows : cJSON_CreateArray());
    }
    return o;
}

/* ---------------------------------------------------------------- mapping */

int
contacts_import_dup_mode(const char *s)
{
    if (s == NULL || strcmp(s, "skip") == 0) {
        return DUP_SKIP;
    }
    return strcmp(s, "update") == 0 ? DUP_UPDATE : strcmp(s, "create") == 0 ? DUP_CREATE : -1;
}

const char *
contacts_import_dup_name(contacts_dup_mode_t d)
{
    return d == DUP_UPDATE ? "update" : d == DUP_CREATE ? "create" : "skip";
}

int
contacts_import_mapping(ts_request_t *r, const ts_db_result_t *imp, const cJSON *given,
                        int64_t mapping_id, contacts_import_map_t *m, cJSON **err_fields)
{
    cJSON *owned = NULL;
    const cJSON *mapping = given;
    if (mapping == NULL && mapping_id > 0) {
        ts_db_result_t *res = ts_db_query(r, "SELECT mapping FROM contacts_import_mappings"
                                             " WHERE tenant_id = {tenant} AND id = ? AND kind = ?",
                                          "is", mapping_id, ts_db_get(imp, 0, "kind"));
        if (res == NULL) {
            return TS_ERROR;
        }
        if (ts_db_rows(res) == 0) {
            return field_error(err_fields, "mapping_id", "no saved mapping of this kind with that id");
        }
        mapping = owned = cJSON_Parse(ts_db_get(res, 0, "mapping"));
    } else if (mapping == NULL) {
        mapping = owned = cJSON_Parse(ts_db_get(imp, 0, "mapping"));
    }
    cJSON *cols = cJSON_Parse(ts_db_get(imp, 0, "columns"));
    char err[240];
    int rc = contacts_import_map_parse(m, contacts_import_kind(ts_db_get(imp, 0, "kind")), cols,
                                       mapping, err, sizeof(err));
    cJSON_Delete(cols);
    cJSON_Delete(owned);
    return rc == 0 ? 0 : field_error(err_fields, "mapping", ts_pstrdup(r->pool, err));
}

cJSON *
contacts_import_map_json(const contacts_import_map_t *m, const cJSON *columns)
{
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 0; i < m->n; i++) {
        const char *name = cJSON_GetStringValue(cJSON_GetArrayItem(columns, (int) i));
        cJSON *v = cJSON_CreateNull();
        if (m->field[i] != NULL && m->custom[i][0] != '\0') {
            char t[80];
            snprintf(t, sizeof(t), "custom.%s", m->custom[i]);
            cJSON_Delete(v);
            v = cJSON_CreateString(t);
        } else if (m->field[i] != NULL) {
            cJSON_Delete(v);
            v = cJSON_CreateString(m->field[i]->path);
        }
        cJSON_AddItemToObject(o, name ? name : "", v);
    }
    return o;
}

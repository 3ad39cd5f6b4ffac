/* The import's JSON API: upload, sample file, field list, preview, run,
 * status, report download and saved mappings. */
#include <stdlib.h>
#include <string.h>
#include <csv.h>
#include "contacts_import.h"
#include "contacts_import_custom.h"

static char *sample_csv(ts_request_t *r, contacts_import_kind_t k, size_t *len);

static int
not_found(ts_request_t *r)
{
    return ts_resp_error(r, 404, "not_found", "no such import", NULL);
}

static int
invalid(ts_request_t *r, cJSON *fields)
{
    return ts_resp_error(r, 422, "validation_failed", "some fields are invalid", fields);
}

/* The import named by {id}; NULL after answering (404 or 500) when there is none. */
static ts_db_result_t *
import_of(ts_request_t *r, int *status)
{
    int64_t id;
    if (ts_req_param_id(r, "id", &id) != TS_OK) {
        *status = not_found(r);
        return NULL;
    }
    ts_db_result_t *imp = contacts_import_load(r, id);
    if (imp == NULL) {
        *status = TS_ERROR;
        return NULL;
    }
    if (ts_db_rows(imp) == 0 || !contacts_import_visible(r, imp)) {
        *status = not_found(r);
        return NULL;
    }
    return imp;
}

static int
imports_create(ts_request_t *r)
{
    int64_t id = 0;
    cJSON *fields = NULL;
    int rc = contacts_import_create(r, ts_req_form(r, "kind"), ts_req_file(r, "file"), &id, &fields);
    if (rc == 422) {
        return invalid(r, fields);
    }
    if (rc != 201) {
        return TS_ERROR;
    }
    ts_db_result_t *imp = contacts_import_load(r, id);
    return imp ? ts_resp_data(r, 201, contacts_import_json(r, imp, 3)) : TS_ERROR;
}

static int
imports_list(ts_request_t *r)
{
    int64_t only = contacts_import_owner_filter(r);
    ts_db_result_t *res = ts_db_query(r, "SELECT id FROM contacts_imports WHERE tenant_id = {tenant}"
                                         " AND (? = 0 OR created_by = ?) ORDER BY id DESC LIMIT 50",
                                      "ii", only, only);
    if (res == NULL) {
        return TS_ERROR;
    }
    cJSON *items = cJSON_CreateArray();
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        ts_db_result_t *imp = contacts_import_load(r, ts_db_get_int(res, i, "id"));
        if (imp != NULL && ts_db_rows(imp) == 1) {
            cJSON_AddItemToArray(items, contacts_import_json(r, imp, 0));
        }
    }
    return ts_resp_list(r, items, NULL, (long long) ts_db_rows(res));
}

static int
imports_show(ts_request_t *r)
{
    int status;
    ts_db_result_t *imp = import_of(r, &status);
    return imp ? ts_resp_data(r, 200, contacts_import_json(r, imp, 3)) : status;
}

static contacts_import_kind_t
kind_query(ts_request_t *r)
{
    const char *k = ts_req_query(r, "kind");
    return contacts_import_kind(k ? k : "leads");
}

static int
bad_kind(ts_request_t *r)
{
    cJSON *f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "kind", "one of leads, owner_leads, contacts, relations");
    return invalid(r, f);
}

static int
imports_sample(ts_request_t *r)
{
    contacts_import_kind_t k = kind_query(r);
    if (k == 0) {
        return bad_kind(r);
    }
    size_t len;
    char *csv = sample_csv(r, k, &len);
    ts_resp_header(r, "Content-Disposition",
                   ts_psprintf(r->pool, "attachment; filename=\"tesoro-%s-sample.csv\"",
                               contacts_import_kind_name(k)));
    return ts_resp_body(r, 200, "text/csv; charset=utf-8", csv, len);
}

static const char *const type_names[] = {
    "text", "email", "phone", "enum", "list", "money", "integer", "date", "url" };

static int
imports_fields(ts_request_t *r)
{
    contacts_import_kind_t k = kind_query(r);
    if (k == 0) {
        return bad_kind(r);
    }
    cJSON *items = cJSON_CreateArray();
    const contacts_ifield_t *f;
    for (size_t i = 0; (f = contacts_import_field_at(i)) != NULL; i++) {
        if (!(f->kinds & k)) {
            continue;
        }
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", f->path);
        cJSON_AddStringToObject(o, "label", f->label);
        cJSON_AddStringToObject(o, "type", type_names[f->type]);
        if (f->values != NULL) {
            cJSON *v = cJSON_AddArrayToObject(o, "values");
            for (size_t n = 0; f->values[n] != NULL; n++) {
                cJSON_AddItemToArray(v, cJSON_CreateString(f->values[n]));
            }
        }
        cJSON_AddItemToArray(items, o);
    }
    /* The tenant's custom fields of the kind: "custom.KEY", typed by their definition. */
    contacts_import_custom_t *custom = contacts_import_custom_load(r, k);
    if (custom == NULL) {
        cJSON_Delete(items);
        return TS_ERROR;
    }
    const cJSON *d;
    cJSON_ArrayForEach(d, contacts_import_custom_defs(custom)) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", ts_psprintf(r->pool, "custom.%s",
                                                      cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "key"))));
        cJSON_AddStringToObject(o, "label", ts_custom_field_label(r, d));
        cJSON_AddStringToObject(o, "type", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "type")));
        const cJSON *opts = cJSON_GetObjectItemCaseSensitive(d, "options");
        if (cJSON_IsArray(opts)) {
            cJSON_AddItemToObject(o, "values", cJSON_Duplicate(opts, 1));
        }
        cJSON_AddTrueToObject(o, "custom");
        cJSON_AddItemToArray(items, o);
    }
    return ts_resp_list(r, items, NULL, cJSON_GetArraySize(items));
}

/* The body of preview and run: {mapping?, mapping_id?, duplicates?}; unknown keys refused. */
static int
read_options(ts_request_t *r, const ts_db_result_t *imp, contacts_import_map_t *m, int *dup)
{
    const cJSON *body = ts_req_json(r);
    cJSON *fields = NULL;
    const cJSON *e;
    cJSON_ArrayForEach(e, body) {
        if (strcmp(e->string, "mapping") != 0 && strcmp(e->string, "mapping_id") != 0
            && strcmp(e->string, "duplicates") != 0) {
            if (fields == NULL) {
                fields = cJSON_CreateObject();
            }
            cJSON_AddStringToObject(fields, e->string, "unknown field");
        }
    }
    if (fields != NULL) {
        return invalid(r, fields);
    }
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(body, "duplicates");
    *dup = d ? contacts_import_dup_mode(cJSON_GetStringValue(d))
             : contacts_import_dup_mode(ts_db_get(imp, 0, "duplicates"));
    if (*dup < 0) {
        fields = cJSON_CreateObject();
        cJSON_AddStringToObject(fields, "duplicates", "one of skip, update, create");
        return invalid(r, fields);
    }
    const cJSON *mid = cJSON_GetObjectItemCaseSensitive(body, "mapping_id");
    if (mid != NULL && (!cJSON_IsNumber(mid) || mid->valuedouble < 1)) {
        fields = cJSON_CreateObject();
        cJSON_AddStringToObject(fields, "mapping_id", "a saved mapping's id");
        return invalid(r, fields);
    }
    int rc = contacts_import_mapping(r, imp, cJSON_GetObjectItemCaseSensitive(body, "mapping"),
                                     mid ? (int64_t) mid->valuedouble : 0, m, &fields);
    return rc == 422 ? invalid(r, fields) : rc;
}

static int
imports_preview(ts_request_t *r)
{
    int status, dup;
    ts_db_result_t *imp = import_of(r, &status);
    if (imp == NULL) {
        return status;
    }
    contacts_import_map_t *m = ts_pcalloc(r->pool, sizeof(*m));
    if ((status = read_options(r, imp, m, &dup)) != 0) {
        return status;
    }
    cJSON *out = contacts_import_preview(r, imp, m, (contacts_dup_mode_t) dup);
    return out ? ts_resp_data(r, 200, out) : TS_ERROR;
}

static int
imports_run(ts_request_t *r)
{
    int status, dup;
    ts_db_result_t *imp = import_of(r, &status);
    if (imp == NULL) {
        return status;
    }
    contacts_import_map_t *m = ts_pcalloc(r->pool, sizeof(*m));
    if ((status = read_options(r, imp, m, &dup)) != 0) {
        return status;
    }
    int rc = contacts_import_start(r, imp, m, (contacts_dup_mode_t) dup);
    if (rc == 409) {
        return ts_resp_error(r, 409, "conflict", "this import is already running", NULL);
    }
    if (rc != 0) {
        return TS_ERROR;
    }
    imp = contacts_import_load(r, ts_db_get_int(imp, 0, "id"));
    return imp ? ts_resp_data(r, 202, contacts_import_json(r, imp, 0)) : TS_ERROR;
}

static int
imports_report(ts_request_t *r)
{
    int status;
    ts_db_result_t *imp = import_of(r, &status);
    if (imp == NULL) {
        return status;
    }
    return contacts_import_send_report(r, imp);
}

/* ---------------------------------------------------------------- saved mappings */

static int
mappings_list(ts_request_t *r)
{
    const char *k = ts_req_query(r, "kind");
    if (k != NULL && contacts_import_kind(k) == 0) {
        return bad_kind(r);
    }
    ts_db_result_t *res = ts_db_query(r, "SELECT id, kind, name, mapping, created_by, created_at,"
                                         " updated_at FROM contacts_import_mappings WHERE"
                                         " tenant_id = {tenant} AND (? IS NULL OR kind = ?)"
                                         " ORDER BY name LIMIT 200", "ss", k, k);
    if (res == NULL) {
        return TS_ERROR;
    }
    cJSON *items = ts_db_rows_json(r, res);
    cJSON *it;
    cJSON_ArrayForEach(it, items) {
        cJSON *m = cJSON_Parse(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "mapping")));
        cJSON_ReplaceItemInObjectCaseSensitive(it, "mapping", m ? m : cJSON_CreateObject());
    }
    return ts_resp_list(r, items, NULL, (long long) ts_db_rows(res));
}

/* Save (or replace, by name) a mapping: {kind, name, mapping}; targets are checked. */
static int
mappings_save(ts_request_t *r)
{
    const cJSON *body = ts_req_json(r);
    const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "kind"));
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "name"));
    const cJSON *mapping = cJSON_GetObjectItemCaseSensitive(body, "mapping");
    cJSON *fields = cJSON_CreateObject();
    contacts_import_kind_t k = contacts_import_kind(kind);
    if (k == 0) {
        cJSON_AddStringToObject(fields, "kind", "one of leads, owner_leads, contacts, relations");
    }
    if (name == NULL || name[0] == '\0' || strlen(name) > 100) {
        cJSON_AddStringToObject(fields, "name", "required, at most 100 characters");
    }
    if (k != 0 && cJSON_IsObject(mapping)) {
        /* The mapping's own keys are the columns it expects. */
        cJSON *cols = cJSON_CreateArray();
        const cJSON *e;
        cJSON_ArrayForEach(e, mapping) {
            cJSON_AddItemToArray(cols, cJSON_CreateString(e->string));
        }
        contacts_import_map_t *m = ts_pcalloc(r->pool, sizeof(*m));
        char err[240];
        if (contacts_import_map_parse(m, k, cols, mapping, err, sizeof(err)) != 0) {
            cJSON_AddStringToObject(fields, "mapping", err);
        }
        cJSON_Delete(cols);
    } else if (!cJSON_IsObject(mapping)) {
        cJSON_AddStringToObject(fields, "mapping", "an object {column: field or null}");
    }
    if (fields->child != NULL) {
        return invalid(r, fields);
    }
    cJSON_Delete(fields);
    char *text = cJSON_PrintUnformatted(mapping);
    int rc = ts_db_exec(r, "INSERT INTO contacts_import_mappings (tenant_id, kind, name, mapping,"
                           " created_by) VALUES ({tenant}, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE"
                           " mapping = VALUES(mapping), id = LAST_INSERT_ID(id)", "sssi",
                        kind, name, text, r->user->id);
    cJSON_free(text);
    if (rc != TS_OK) {
        return TS_ERROR;
    }
    ts_db_result_t *res = ts_db_query(r, "SELECT id, kind, name, mapping, created_by, created_at,"
                                         " updated_at FROM contacts_import_mappings WHERE"
                                         " tenant_id = {tenant} AND id = ?", "i",
                                      ts_db_insert_id(r));
    if (res == NULL || ts_db_rows(res) == 0) {
        return TS_ERROR;
    }
    cJSON *o = ts_db_row_json(r, res, 0);
    cJSON *m = cJSON_Parse(ts_db_get(res, 0, "mapping"));
    cJSON_ReplaceItemInObjectCaseSensitive(o, "mapping", m ? m : cJSON_CreateObject());
    return ts_resp_data(r, 201, o);
}

/* ---------------------------------------------------------------- CSV out */

typedef struct {
    ts_pool_t *pool;
    char      *buf;
    size_t     len, cap;
} out_t;

static void
out_put(out_t *o, const char *s, size_t n)
{
    if (o->len + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 4096;
        while (cap < o->len + n + 1) {
            cap *= 2;
        }
        char *b = ts_palloc(o->pool, cap);
        if (o->len) {
            memcpy(b, o->buf, o->len);
        }
        o->buf = b;
        o->cap = cap;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    o->buf[o->len] = '\0';
}

/* One quoted cell; unless raw, a cell a spreadsheet would run as a formula starts with '. */
static void
out_cell(out_t *o, const char *v, bool last, bool raw)
{
    v = v ? v : "";
    char *safe = (char *) v;
    if (!raw && strchr("=+-@\t\r", v[0]) != NULL && v[0] != '\0') {
        safe = ts_psprintf(o->pool, "'%s", v);
    }
    size_t n = strlen(safe);
    char *q = ts_palloc(o->pool, 2 * n + 3);
    size_t qn = csv_write(q, 2 * n + 3, safe, n);
    out_put(o, q, qn);
    out_put(o, last ? "\r\n" : ",", last ? 2 : 1);
}

static char *
report_csv(ts_request_t *r, int64_t id, size_t *len)
{
    ts_db_result_t *res = ts_db_query(r, "SELECT row_no, line, outcome, record_id, column_name,"
                                         " message FROM contacts_import_rows WHERE"
                                         " tenant_id = {tenant} AND import_id = ? ORDER BY row_no",
                                      "i", id);
    if (res == NULL) {
        return NULL;
    }
    out_t o = { .pool = r->pool };
    static const char *const head[] = { "row", "line", "outcome", "record_id", "column", "message" };
    static const char *const cols[] = { "row_no", "line", "outcome", "record_id", "column_name", "message" };
    for (size_t c = 0; c < 6; c++) {
        out_cell(&o, head[c], c == 5, false);
    }
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        for (size_t c = 0; c < 6; c++) {
            out_cell(&o, ts_db_get(res, i, cols[c]), c == 5, false);
        }
    }
    *len = o.len;
    return o.buf;
}

int
contacts_import_send_report(ts_request_t *r, const ts_db_result_t *imp)
{
    size_t len;
    char *csv = report_csv(r, ts_db_get_int(imp, 0, "id"), &len);
    if (csv == NULL) {
        return TS_ERROR;
    }
    ts_resp_header(r, "Content-Disposition",
                   ts_psprintf(r->pool, "attachment; filename=\"import-%s-report.csv\"",
                               ts_db_get(imp, 0, "id")));
    ts_resp_header(r, "X-Content-Type-Options", "nosniff");
    return ts_resp_body(r, 200, "text/csv; charset=utf-8", csv, len);
}

static char *
sample_csv(ts_request_t *r, contacts_import_kind_t k, size_t *len)
{
    out_t o = { .pool = r->pool };
    for (int pass = 0; pass < 2; pass++) {
        const contacts_ifield_t *f, *last = NULL;
        for (size_t i = 0; (f = contacts_import_field_at(i)) != NULL; i++) {
            if ((f->kinds & k) && strcmp(f->path, "agent_id") != 0) {
                last = f;
            }
        }
        for (size_t i = 0; (f = contacts_import_field_at(i)) != NULL; i++) {
            if ((f->kinds & k) && strcmp(f->path, "agent_id") != 0) {
                const char *v = pass == 0 ? f->path : f->sample;
                if (pass == 1 && k == IMPORT_OWNER_LEADS && strcmp(f->path, "type") == 0) {
                    v = "owner";
                }
                /* Our own sample values: "+34 ..." is a phone, not a formula. */
                out_cell(&o, v, f == last, true);
            }
        }
    }
    *len = o.len;
    return o.buf;
}

int
contacts_import_routes(ts_plugin_ctx_t *ctx)
{
    if (ts_route_add_ex(ctx, TS_POST, "/api/v1/imports", imports_create, 0, TS_ROLE_AGENT) != TS_OK
        || ts_route_add(ctx, TS_GET, "/api/v1/imports", imports_list) != TS_OK
        || ts_route_add(ctx, TS_GET, "/api/v1/imports/sample.csv", imports_sample) != TS_OK
        || ts_route_add(ctx, TS_GET, "/api/v1/imports/fields", imports_fields) != TS_OK
        || ts_route_add(ctx, TS_GET, "/api/v1/imports/mappings", mappings_list) != TS_OK
        || ts_route_add_ex(ctx, TS_POST, "/api/v1/imports/mappings", mappings_save, 0,
                           TS_ROLE_AGENT) != TS_OK
        || ts_route_add(ctx, TS_GET, "/api/v1/imports/{id}", imports_show) != TS_OK
        || ts_route_add(ctx, TS_GET, "/api/v1/imports/{id}/report", imports_report) != TS_OK
        || ts_route_add_ex(ctx, TS_POST, "/api/v1/imports/{id}/preview", imports_preview, 0,
                           TS_ROLE_AGENT) != TS_OK
        || ts_route_add_ex(ctx, TS_POST, "/api/v1/imports/{id}/run", imports_run, 0,
                           TS_ROLE_AGENT) != TS_OK) {
        return TS_ERROR;
    }
    return contacts_import_job_register(ctx) == TS_OK ? contacts_import_ui_routes(ctx) : TS_ERROR;
}

/* The import wizard's pages: upload, map the columns, preview, then the
 * progress bar (htmx polls it) that ends in the report. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "contacts_import.h"
#include "contacts_import_custom.h"

#define PAGE_ERRORS 100

static const struct { const char *value, *label; } kinds[] = {
    { "leads", "Buyer leads" }, { "owner_leads", "Owner leads" },
    { "contacts", "Contacts" }, { "relations", "Relations (companies)" },
};

static const char *
kind_label(const char *k)
{
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (strcmp(kinds[i].value, k) == 0) {
            return kinds[i].label;
        }
    }
    return k;
}

/* The upload form, with the tenant's recent imports below it. */
static int
upload_page(ts_request_t *r, int status, const char *kind, const char *error)
{
    int64_t only = contacts_import_owner_filter(r);
    ts_db_result_t *res = ts_db_query(r, "SELECT id, kind, filename, status, created, invalid,"
                                         " created_at FROM contacts_imports WHERE tenant_id = {tenant}"
                                         " AND (? = 0 OR created_by = ?) ORDER BY id DESC LIMIT 20",
                                      "ii", only, only);
    if (res == NULL) {
        return TS_ERROR;
    }
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    ts_tpl_set(d, "TITLE", "Import a CSV file");
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        ts_tpl_dict_t *o = ts_tpl_section(d, "KIND");
        ts_tpl_set(o, "VALUE", kinds[i].value);
        ts_tpl_set(o, "LABEL", kinds[i].label);
        if (kind != NULL && strcmp(kind, kinds[i].value) == 0) {
            ts_tpl_show(o, "SELECTED");
        }
    }
    if (error != NULL) {
        ts_tpl_set(ts_tpl_section(d, "ERRORS"), "MESSAGE", error);
    }
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        ts_tpl_dict_t *row = ts_tpl_section(d, "IMPORT");
        ts_tpl_set(row, "ID", ts_db_get(res, i, "id"));
        ts_tpl_set(row, "FILENAME", ts_db_get(res, i, "filename"));
        ts_tpl_set(row, "KIND_LABEL", kind_label(ts_db_get(res, i, "kind")));
        ts_tpl_set(row, "STATUS", ts_db_get(res, i, "status"));
        ts_tpl_set(row, "CREATED", ts_db_get(res, i, "created"));
        ts_tpl_set(row, "INVALID", ts_db_get(res, i, "invalid"));
        ts_tpl_set(row, "WHEN", ts_db_get(res, i, "created_at"));
    }
    if (ts_db_rows(res) > 0) {
        ts_tpl_show(d, "RECENT");
    }
    return ts_resp_page(r, status, "import_upload.tpl", d);
}

static int
ui_new(ts_request_t *r)
{
    return upload_page(r, 200, ts_req_query(r, "kind"), NULL);
}

static int
ui_create(ts_request_t *r)
{
    const char *kind = ts_req_form(r, "kind");
    int64_t id = 0;
    cJSON *fields = NULL;
    int rc = contacts_import_create(r, kind, ts_req_file(r, "file"), &id, &fields);
    if (rc == 422) {
        const cJSON *f = fields ? fields->child : NULL;
        char *msg = ts_psprintf(r->pool, "%s: %s", f ? f->string : "file",
                                f && cJSON_IsString(f) ? f->valuestring : "invalid");
        cJSON_Delete(fields);
        return upload_page(r, 422, kind, msg);
    }
    if (rc != 201) {
        return TS_ERROR;
    }
    return ts_resp_redirect(r, ts_psprintf(r->pool, "/imports/%lld", (long long) id));
}

static ts_db_result_t *
import_of(ts_request_t *r)
{
    int64_t id;
    if (ts_req_param_id(r, "id", &id) != TS_OK) {
        return NULL;
    }
    ts_db_result_t *imp = contacts_import_load(r, id);
    return imp != NULL && ts_db_rows(imp) == 1 && contacts_import_visible(r, imp) ? imp : NULL;
}

static int
gone(ts_request_t *r)
{
    return ts_resp_error(r, 404, "not_found", "no such import", NULL);
}

static void
head_info(ts_tpl_dict_t *d, const ts_db_result_t *imp)
{
    ts_tpl_set(d, "ID", ts_db_get(imp, 0, "id"));
    ts_tpl_set(d, "FILENAME", ts_db_get(imp, 0, "filename"));
    ts_tpl_set(d, "KIND_LABEL", kind_label(ts_db_get(imp, 0, "kind")));
    ts_tpl_set(d, "ENCODING", ts_db_get(imp, 0, "encoding"));
    ts_tpl_set(d, "DELIMITER", ts_db_get(imp, 0, "delimiter"));
}

/* The "custom.<key>" a column would map to as a custom field. */
static char *
custom_target(ts_pool_t *p, const char *col)
{
    char key[65];
    size_t n = 0;
    for (const char *c = col; *c && n < 64; c++) {
        if (isalnum((unsigned char) *c)) {
            key[n++] = (char) tolower((unsigned char) *c);
        } else if (n > 0 && key[n - 1] != '_') {
            key[n++] = '_';
        }
    }
    while (n > 0 && key[n - 1] == '_') {
        n--;
    }
    key[n] = '\0';
    return n ? ts_psprintf(p, "custom.%s", key) : NULL;
}

static void
option(ts_tpl_dict_t *col, const char *value, const char *label, const char *current)
{
    ts_tpl_dict_t *o = ts_tpl_section(col, "OPT");
    ts_tpl_set(o, "VALUE", value);
    ts_tpl_set(o, "LABEL", label);
    if ((current == NULL && value[0] == '\0') || (current != NULL && strcmp(current, value) == 0)) {
        ts_tpl_show(o, "SELECTED");
    }
}

static int
map_page(ts_request_t *r, const ts_db_result_t *imp, int status, const char *error)
{
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    ts_tpl_set(d, "TITLE", "Map the columns");
    head_info(d, imp);
    cJSON *o = contacts_import_json(r, imp, 3);
    const cJSON *cols = cJSON_GetObjectItemCaseSensitive(o, "columns");
    const cJSON *map = cJSON_GetObjectItemCaseSensitive(o, "mapping");
    const cJSON *samples = cJSON_GetObjectItemCaseSensitive(o, "samples");
    contacts_import_kind_t k = contacts_import_kind(ts_db_get(imp, 0, "kind"));
    contacts_import_custom_t *cf = contacts_import_custom_load(r, k);
    if (cf == NULL) {
        cJSON_Delete(o);
        return TS_ERROR;
    }
    const cJSON *defs = contacts_import_custom_defs(cf);
    int i = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cols) {
        ts_tpl_dict_t *col = ts_tpl_section(d, "COLUMN");
        ts_tpl_set(col, "NAME", c->valuestring);
        ts_tpl_set_int(col, "INDEX", i);
        char *vals = "";
        const cJSON *s;
        cJSON_ArrayForEach(s, samples) {
            const char *v = cJSON_GetStringValue(cJSON_GetArrayItem(s, i));
            if (v != NULL && *v != '\0') {
                vals = ts_psprintf(r->pool, "%s%s%.60s", vals, *vals ? " · " : "", v);
            }
        }
        ts_tpl_set(col, "SAMPLES", *vals ? vals : "—");
        const char *cur = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(map, c->valuestring));
        option(col, "", "— not imported —", cur);
        const contacts_ifield_t *f;
        for (size_t n = 0; (f = contacts_import_field_at(n)) != NULL; n++) {
            if (f->kinds & k) {
                option(col, f->path, ts_psprintf(r->pool, "%s (%s)", f->label, f->path), cur);
            }
        }
        /* The tenant's custom fields; without any, a free-form one named after the column. */
        const cJSON *def;
        cJSON_ArrayForEach(def, defs) {
            const char *target = ts_psprintf(r->pool, "custom.%s", cJSON_GetStringValue(
                                                 cJSON_GetObjectItemCaseSensitive(def, "key")));
            option(col, target, ts_psprintf(r->pool, "%s (%s)", ts_custom_field_label(r, def), target),
                   cur);
        }
        char *custom = cJSON_GetArraySize(defs) == 0 ? custom_target(r->pool, c->valuestring) : NULL;
        if (custom != NULL) {
            option(col, custom, ts_psprintf(r->pool, "Custom field %s", custom + 7), cur);
        }
        i++;
    }
    static const struct { const char *v, *l; } dups[] = {
        { "skip", "Skip the row (keep the existing record)" },
        { "update", "Update the existing record" },
        { "create", "Create a new record anyway" },
    };
    for (size_t n = 0; n < 3; n++) {
        ts_tpl_dict_t *dd = ts_tpl_section(d, "DUP");
        ts_tpl_set(dd, "VALUE", dups[n].v);
        ts_tpl_set(dd, "LABEL", dups[n].l);
        if (strcmp(dups[n].v, ts_db_get(imp, 0, "duplicates")) == 0) {
            ts_tpl_show(dd, "CHECKED");
        }
    }
    ts_tpl_set(d, "SAVE_AS", ts_req_form(r, "save_as") ? ts_req_form(r, "save_as") : "");
    if (error != NULL) {
        ts_tpl_set(ts_tpl_section(d, "ERRORS"), "MESSAGE", error);
    }
    cJSON_Delete(o);
    return ts_resp_page(r, status, "import_map.tpl", d);
}

static void
tile(ts_tpl_dict_t *d, const char *label, long long n, const char *tone)
{
    ts_tpl_dict_t *t = ts_tpl_section(d, "TILE");
    ts_tpl_set(t, "LABEL", label);
    ts_tpl_set_int(t, "NUM", n);
    ts_tpl_set(t, "TONE", tone);
}

static int
status_page(ts_request_t *r, const ts_db_result_t *imp)
{
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    head_info(d, imp);
    const char *status = ts_db_get(imp, 0, "status");
    bool done = strcmp(status, "done") == 0, failed = strcmp(status, "failed") == 0;
    ts_tpl_set(d, "TITLE", done ? "Import report" : failed ? "Import stopped" : "Importing…");
    ts_tpl_set(d, "STATUS", status);
    cJSON *o = contacts_import_json(r, imp, 0);
    const cJSON *pr = cJSON_GetObjectItemCaseSensitive(o, "progress");
    ts_tpl_set_int(d, "PERCENT", (long long) cJSON_GetObjectItemCaseSensitive(pr, "percent")->valuedouble);
    ts_tpl_set(d, "ROWS_DONE", ts_db_get(imp, 0, "rows_done"));
    const char *total = ts_db_get(imp, 0, "rows_total");
    ts_tpl_set(d, "ROWS_TOTAL", total ? total : "?");
    cJSON_Delete(o);
    if (!done && !failed) {
        ts_tpl_show(d, "POLL");
    }
    if (done || failed) {
        ts_tpl_show(d, "FINISHED");
        tile(d, "Created", ts_db_get_int(imp, 0, "created"), "ok");
        tile(d, "Updated", ts_db_get_int(imp, 0, "updated"), "ok");
        tile(d, "Skipped (duplicates)", ts_db_get_int(imp, 0, "skipped"), "warn");
        tile(d, "Invalid rows", ts_db_get_int(imp, 0, "invalid"), "bad");
    }
    if (failed) {
        ts_tpl_set(ts_tpl_section(d, "FAILED"), "MESSAGE",
                   ts_db_get(imp, 0, "error") ? ts_db_get(imp, 0, "error") : "the import stopped");
    }
    return ts_resp_page(r, 200, "import_status.tpl", d);
}

static int
ui_show(ts_request_t *r)
{
    ts_db_result_t *imp = import_of(r);
    if (imp == NULL) {
        return gone(r);
    }
    if (strcmp(ts_db_get(imp, 0, "status"), "uploaded") == 0) {
        return map_page(r, imp, 200, NULL);
    }
    return status_page(r, imp);
}

/* The wizard's form: col_<i> = target for every column, duplicates, save_as. */
static cJSON *
form_mapping(ts_request_t *r, const ts_db_result_t *imp)
{
    cJSON *cols = cJSON_Parse(ts_db_get(imp, 0, "columns"));
    cJSON *m = cJSON_CreateObject();
    int i = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cols) {
        const char *v = ts_req_form(r, ts_psprintf(r->pool, "col_%d", i));
        cJSON_AddItemToObject(m, c->valuestring, v && *v ? cJSON_CreateString(v) : cJSON_CreateNull());
        i++;
    }
    cJSON_Delete(cols);
    return m;
}

static int
ui_preview(ts_request_t *r)
{
    ts_db_result_t *imp = import_of(r);
    if (imp == NULL) {
        return gone(r);
    }
    if (strcmp(ts_db_get(imp, 0, "status"), "uploaded") != 0) {
        return ts_resp_redirect(r, ts_psprintf(r->pool, "/imports/%s", ts_db_get(imp, 0, "id")));
    }
    int dup = contacts_import_dup_mode(ts_req_form(r, "duplicates"));
    cJSON *given = form_mapping(r, imp);
    contacts_import_map_t *m = ts_pcalloc(r->pool, sizeof(*m));
    cJSON *fields = NULL;
    int rc = dup < 0 ? 422 : contacts_import_mapping(r, imp, given, 0, m, &fields);
    const char *save_as = ts_req_form(r, "save_as");
    if (rc == 0 && save_as != NULL && *save_as != '\0') {
        char *text = cJSON_PrintUnformatted(given);
        if (strlen(save_as) > 100) {
            rc = 422;
        } else if (ts_db_exec(r, "INSERT INTO contacts_import_mappings (tenant_id, kind, name,"
                                 " mapping, created_by) VALUES ({tenant}, ?, ?, ?, ?) ON DUPLICATE"
                                 " KEY UPDATE mapping = VALUES(mapping)", "sssi",
                              ts_db_get(imp, 0, "kind"), save_as, text, r->user->id) != TS_OK) {
            rc = TS_ERROR;
        }
        cJSON_free(text);
    }
    cJSON_Delete(given);
    if (rc != 0) {
        const cJSON *f = fields ? fields->child : NULL;
        char *msg = f ? ts_psprintf(r->pool, "%s", cJSON_GetStringValue(f))
                      : dup < 0 ? "choose what to do with duplicates" : "the mapping name is too long";
        cJSON_Delete(fields);
        return rc == 422 ? map_page(r, imp, 422, msg) : TS_ERROR;
    }
    cJSON *out = contacts_import_preview(r, imp, m, (contacts_dup_mode_t) dup);
    if (out == NULL) {
        return TS_ERROR;
    }
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    ts_tpl_set(d, "TITLE", "Preview");
    head_info(d, imp);
    tile(d, "Rows", (long long) cJSON_GetObjectItemCaseSensitive(out, "rows")->valuedouble, "");
    tile(d, "Valid", (long long) cJSON_GetObjectItemCaseSensitive(out, "valid")->valuedouble, "ok");
    tile(d, "Invalid", (long long) cJSON_GetObjectItemCaseSensitive(out, "invalid")->valuedouble, "bad");
    tile(d, "Duplicates", (long long) cJSON_GetObjectItemCaseSensitive(out, "duplicates")->valuedouble,
         "warn");
    ts_tpl_set(d, "DUPLICATES", contacts_import_dup_name((contacts_dup_mode_t) dup));
    int n = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(out, "errors")) {
        if (n++ == PAGE_ERRORS) {
            ts_tpl_show(d, "MORE_ERRORS");
            break;
        }
        ts_tpl_dict_t *row = ts_tpl_section(d, "ERROR");
        ts_tpl_set_int(row, "ROW", (long long) cJSON_GetObjectItemCaseSensitive(e, "row")->valuedouble);
        ts_tpl_set_int(row, "LINE", (long long) cJSON_GetObjectItemCaseSensitive(e, "line")->valuedouble);
        const char *col = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "column"));
        ts_tpl_set(row, "COLUMN", col ? col : "(row)");
        ts_tpl_set(row, "MESSAGE", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "message")));
    }
    if (n > 0) {
        ts_tpl_show(d, "HAS_ERRORS");
    }
    const char *ferr = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(out, "file_error"));
    if (ferr != NULL) {
        ts_tpl_set(ts_tpl_section(d, "FILE_ERROR"), "MESSAGE", ferr);
    }
    cJSON_Delete(out);
    return ts_resp_page(r, 200, "import_preview.tpl", d);
}

static int
ui_run(ts_request_t *r)
{
    ts_db_result_t *imp = import_of(r);
    if (imp == NULL) {
        return gone(r);
    }
    contacts_import_map_t *m = ts_pcalloc(r->pool, sizeof(*m));
    cJSON *fields = NULL;
    int rc = contacts_import_mapping(r, imp, NULL, 0, m, &fields);
    cJSON_Delete(fields);
    if (rc == 0) {
        rc = contacts_import_start(r, imp, m,
                                   (contacts_dup_mode_t) contacts_import_dup_mode(ts_db_get(imp, 0, "duplicates")));
    }
    if (rc != 0 && rc != 409) {
        return rc == 422 ? map_page(r, imp, 422, "the mapping is invalid") : TS_ERROR;
    }
    return ts_resp_redirect(r, ts_psprintf(r->pool, "/imports/%s", ts_db_get(imp, 0, "id")));
}

static int
ui_report(ts_request_t *r)
{
    ts_db_result_t *imp = import_of(r);
    if (imp == NULL) {
        return gone(r);
    }
    return contacts_import_send_report(r, imp);
}

int
contacts_import_ui_routes(ts_plugin_ctx_t *ctx)
{
    const unsigned h = TS_ROUTE_HTML;
    if (ts_route_add_ex(ctx, TS_GET, "/imports", ui_new, h, TS_ROLE_AGENT) != TS_OK
        || ts_route_add_ex(ctx, TS_GET, "/imports/new", ui_new, h, TS_ROLE_AGENT) != TS_OK
        || ts_route_add_ex(ctx, TS_POST, "/imports", ui_create, h, TS_ROLE_AGENT) != TS_OK
        || ts_route_add_ex(ctx, TS_GET, "/imports/{id}", ui_show, h, TS_ROLE_VIEWER) != TS_OK
        || ts_route_add_ex(ctx, TS_GET, "/imports/{id}/report", ui_report, h, TS_ROLE_VIEWER) != TS_OK
        || ts_route_add_ex(ctx, TS_POST, "/imports/{id}/preview", ui_preview, h, TS_ROLE_AGENT) != TS_OK
        || ts_route_add_ex(ctx, TS_POST, "/imports/{id}/run", ui_run, h, TS_ROLE_AGENT) != TS_OK) {
        return TS_ERROR;
    }
    return TS_OK;
}

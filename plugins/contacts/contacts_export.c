/* CSV export of a filtered list (libcsv), with formula-looking cells defused. */
#define _GNU_SOURCE
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "contacts.h"

#define EXPORT_MAX 200000

static const char *const person_cols[] = {
    "id", "kind", "first_name", "last_name", "email", "phone", "company", "type", "status",
    "source", "source_portal", "stage", "urgency", "language", "score", "agent_id",
    "preferences.transaction", "preferences.budget_min", "preferences.budget_max", "tags",
    "created_at", "updated_at", NULL };
static const char *const relation_cols[] = {
    "id", "name", "type", "status", "email", "phone", "website", "agent_id", "tags",
    "created_at", "updated_at", NULL };

/* A spreadsheet runs a cell that starts like a formula: prefix it with '. */
const char *
contacts_csv_cell(ts_pool_t *p, const char *v)
{
    if (v == NULL) {
        return "";
    }
    if (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r') {
        return ts_psprintf(p, "'%s", v);
    }
    return v;
}

static void
put_row(FILE *f, const char *const *cells, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i) {
            fputc(',', f);
        }
        csv_fwrite(f, cells[i], strlen(cells[i]));
    }
    fputs("\r\n", f);
}

static const char *
col_value(ts_pool_t *p, const ts_db_result_t *res, size_t i, const char *col)
{
    if (strncmp(col, "preferences.", 12) == 0) {
        col += 12;
    }
    const char *v = ts_db_get(res, i, col);
    if (v != NULL && (strcmp(col, "created_at") == 0 || strcmp(col, "updated_at") == 0) && strlen(v) >= 19) {
        return ts_psprintf(p, "%.10sT%.8sZ", v, v + 11);
    }
    return v;
}

static char *
custom_text(ts_pool_t *p, const cJSON *v)
{
    if (v == NULL || cJSON_IsNull(v)) {
        return NULL;
    }
    if (cJSON_IsString(v)) {
        return v->valuestring;
    }
    char *t = cJSON_PrintUnformatted(v);
    char *s = ts_pstrdup(p, t);
    cJSON_free(t);
    return s;
}

static int
export_csv(ts_request_t *r)
{
    ts_pool_t *p = r->pool;
    contacts_kind_t kind = contacts_kind_of_path(r);
    contacts_listctx_t lc = { 0 };
    int rc = contacts_view_load(r, contacts_kind_plural(kind), &lc);
    if (rc != 0) {
        return contacts_view_failed(r, rc);
    }
    /* Every page first: the custom fields' columns are the union of their names. */
    ts_db_result_t **pages = ts_palloc(p, sizeof(*pages) * (EXPORT_MAX / 500 + 1));
    size_t *counts = ts_palloc(p, sizeof(size_t) * (EXPORT_MAX / 500 + 1));
    size_t npages = 0, total = 0;
    const char *cursor = ts_req_query(r, "cursor");
    cJSON *fields = NULL;
    cJSON *custom_keys = cJSON_CreateObject();
    ts_pool_cleanup_add(p, (void (*)(void *)) cJSON_Delete, custom_keys);
    /* The tenant's defined fields first, in the scripts' order (a column even when empty). */
    cJSON *defs = ts_custom_fields_defs(r, contacts_kind_name(kind));
    if (defs == NULL) {
        return TS_ERROR;
    }
    const cJSON *d;
    cJSON_ArrayForEach(d, defs) {
        cJSON_AddTrueToObject(custom_keys, contacts_json_str(d, "key"));
    }
    cJSON_Delete(defs);
    do {
        contacts_page_t pg;
        rc = contacts_list_page(r, kind, &lc, 500, cursor, false, &pg, &fields);
        if (rc == 422) {
            return contacts_validation_error(r, fields);
        }
        if (rc != 0) {
            return TS_ERROR;
        }
        if (total + pg.n > EXPORT_MAX) {
            contacts_field_error(&fields, "filter", "more than 200000 rows: narrow the filters");
            return contacts_validation_error(r, fields);
        }
        for (size_t i = 0; i < pg.n; i++) {
            const char *c = ts_db_get(pg.rows, i, "custom");
            cJSON *cj = c ? cJSON_Parse(c) : NULL;
            const cJSON *e;
            cJSON_ArrayForEach(e, cj) {
                if (cJSON_GetObjectItemCaseSensitive(custom_keys, e->string) == NULL) {
                    cJSON_AddTrueToObject(custom_keys, e->string);
                }
            }
            cJSON_Delete(cj);
        }
        pages[npages] = pg.rows;
        counts[npages++] = pg.n;
        total += pg.n;
        cursor = pg.next_cursor;
    } while (cursor != NULL);

    const char *const *cols = kind == CONTACTS_RELATION ? relation_cols : person_cols;
    size_t ncols = 0;
    while (cols[ncols]) {
        ncols++;
    }
    size_t nall = ncols + (size_t) cJSON_GetArraySize(custom_keys);
    const char **cells = ts_palloc(p, sizeof(char *) * (nall + 1));
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL) {
        return TS_ERROR;
    }
    size_t k = 0;
    for (; k < ncols; k++) {
        cells[k] = cols[k];
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, custom_keys) {
        cells[k++] = ts_psprintf(p, "custom.%s", e->string);
    }
    put_row(f, cells, nall);
    for (size_t pg = 0; pg < npages; pg++) {
        for (size_t i = 0; i < counts[pg]; i++) {
            for (k = 0; k < ncols; k++) {
                cells[k] = contacts_csv_cell(p, col_value(p, pages[pg], i, cols[k]));
            }
            const char *c = ts_db_get(pages[pg], i, "custom");
            cJSON *cj = c ? cJSON_Parse(c) : NULL;
            cJSON_ArrayForEach(e, custom_keys) {
                cells[k++] = contacts_csv_cell(p, custom_text(p, cJSON_GetObjectItemCaseSensitive(cj, e->string)));
            }
            put_row(f, cells, nall);
            cJSON_Delete(cj);
        }
    }
    if (fclose(f) != 0) {
        free(buf);
        return TS_ERROR;
    }
    ts_pool_cleanup_add(p, free, buf);
    ts_resp_header(r, "Content-Disposition",
                   ts_psprintf(p, "attachment; filename=\"%s.csv\"", contacts_kind_plural(kind)));
    ts_resp_header(r, "X-Content-Type-Options", "nosniff");
    return ts_resp_body(r, 200, "text/csv; charset=utf-8", buf, len);
}

int
contacts_export_routes(ts_plugin_ctx_t *ctx)
{
    return contacts_route_kinds(ctx, CONTACTS_ALL, TS_GET, ".csv", export_csv, TS_ROLE_VIEWER);
}

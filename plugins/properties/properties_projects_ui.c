/* The new-build projects pages: the list, a project's page (details,
 * descriptions per language, typologies, units with duplication, files) and
 * its form, plus the project part of the property form for a new unit. The
 * pages read without JavaScript; properties.js sends the forms and actions
 * to the JSON API. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "properties.h"

static const char *const availability[][2] = {
    { "available", "Available" }, { "coming_soon", "Coming soon" },
    { "under_construction", "Under construction" }, { "key_ready", "Key ready" },
    { "sold_out", "Sold out" },
};

static const char *
availability_label(const char *code)
{
    for (size_t i = 0; i < sizeof(availability) / sizeof(availability[0]); i++) {
        if (code && strcmp(code, availability[i][0]) == 0) {
            return availability[i][1];
        }
    }
    return code ? code : "—";
}

/* The English label of each property type code, read once per page. */
static const char *
type_label(ts_request_t *r, cJSON **labels, const char *code)
{
    if (code == NULL) {
        return "—";
    }
    if (*labels == NULL) {
        *labels = cJSON_CreateObject();
        ts_pool_cleanup_add(r->pool, (void (*)(void *)) cJSON_Delete, *labels);
        ts_db_result_t *res = ts_db_query(r, "SELECT code, label FROM property_type_labels WHERE"
                                             " tenant_id IN (0, {tenant}) AND lang = 'en'"
                                             " ORDER BY tenant_id", "");
        for (size_t i = 0; i < ts_db_rows(res); i++) {
            /* The tenant's own label (read last) wins over the built-in one. */
            cJSON_DeleteItemFromObjectCaseSensitive(*labels, ts_db_get(res, i, "code"));
            cJSON_AddStringToObject(*labels, ts_db_get(res, i, "code"), ts_db_get(res, i, "label"));
        }
    }
    const char *label = properties_jstr(*labels, code);
    return label ? label : code;
}

int
properties_page_projects(ts_request_t *r)
{
    ts_db_result_t *res = properties_projects_rows(r);
    if (res == NULL) {
        return TS_ERROR;
    }
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    cJSON *labels = NULL;
    ts_tpl_set(d, "TITLE", "New-build projects");
    ts_tpl_set_int(d, "TOTAL", (long long) ts_db_rows(res));
    if (r->user->role >= TS_ROLE_MANAGER) {
        ts_tpl_show(d, "MAY_EDIT");
    }
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        ts_tpl_dict_t *row = ts_tpl_section(d, "PROJECT");
        cJSON *o = ts_db_row_json(r, res, i);
        properties_tpl_fields(r, row, o);
        cJSON_Delete(o);
        ts_tpl_set(row, "TYPE_LABEL", type_label(r, &labels, ts_db_get(res, i, "type")));
        ts_tpl_set(row, "AVAILABILITY_LABEL", availability_label(ts_db_get(res, i, "availability")));
        ts_tpl_show(row, ts_db_get(res, i, "developer_name") ? "HAS_DEVELOPER" : "NO_DEVELOPER");
        if (ts_db_get(res, i, "total_units")) {
            ts_tpl_show(row, "HAS_TOTAL");
        }
    }
    if (ts_db_rows(res) == 0) {
        ts_tpl_show(d, "EMPTY");
    }
    return ts_resp_page(r, 200, "properties/projects.tpl", d);
}

/* The typology options of a project (for a unit or a file), current chosen. */
static void
typology_options(ts_tpl_dict_t *d, const char *section, const cJSON *typologies, long long current)
{
    const cJSON *t;
    cJSON_ArrayForEach(t, typologies) {
        ts_tpl_dict_t *o = ts_tpl_section(d, section);
        long long id = (long long) cJSON_GetObjectItemCaseSensitive(t, "id")->valuedouble;
        ts_tpl_set_int(o, "VALUE", id);
        ts_tpl_set(o, "LABEL", properties_jstr(t, "name"));
        if (id == current) {
            ts_tpl_show(o, "SELECTED");
        }
    }
}

static const char *
typology_name(const cJSON *typologies, const cJSON *id)
{
    const cJSON *t;
    cJSON_ArrayForEach(t, typologies) {
        if (cJSON_IsNumber(id) && cJSON_GetObjectItemCaseSensitive(t, "id")->valuedouble == id->valuedouble) {
            return properties_jstr(t, "name");
        }
    }
    return "—";
}

/* Each typology with its files counted; units by typology. */
static void
project_typologies(ts_request_t *r, ts_tpl_dict_t *d, const cJSON *p)
{
    const cJSON *typs = cJSON_GetObjectItemCaseSensitive(p, "typologies"), *t, *f;
    long long pid = (long long) cJSON_GetObjectItemCaseSensitive(p, "id")->valuedouble;
    cJSON_ArrayForEach(t, typs) {
        ts_tpl_dict_t *row = ts_tpl_section(d, "TYPOLOGY");
        properties_tpl_fields(r, row, t);
        ts_tpl_set_int(row, "PID", pid);
        ts_tpl_set(row, "COLOUR_VALUE", properties_jstr(t, "colour") ? properties_jstr(t, "colour") : "#888888");
        if (r->user->role >= TS_ROLE_MANAGER) {
            ts_tpl_show(row, "TYP_EDIT");
        }
        double tid = cJSON_GetObjectItemCaseSensitive(t, "id")->valuedouble;
        int files = 0, units = 0;
        cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(p, "files")) {
            const cJSON *ft = cJSON_GetObjectItemCaseSensitive(f, "typology_id");
            if (cJSON_IsNumber(ft) && ft->valuedouble == tid) {
                ts_tpl_dict_t *fr = ts_tpl_section(row, "TFILE");
                ts_tpl_set(fr, "NAME", properties_jstr(f, "original_name") ? properties_jstr(f, "original_name") : "file");
                ts_tpl_set(fr, "HREF", ts_psprintf(r->pool, "/api/v1/properties/projects/%lld/files/%.0f",
                           pid, cJSON_GetObjectItemCaseSensitive(f, "id")->valuedouble));
                files++;
            }
        }
        cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(p, "units")) {
            const cJSON *ut = cJSON_GetObjectItemCaseSensitive(f, "typology_id");
            units += cJSON_IsNumber(ut) && ut->valuedouble == tid;
        }
        ts_tpl_set_int(row, "FILES", files);
        ts_tpl_set_int(row, "UNITS", units);
    }
    if (cJSON_GetArraySize(typs) == 0) {
        ts_tpl_show(d, "NO_TYPOLOGIES");
    }
}

static void
project_units_and_files(ts_request_t *r, ts_tpl_dict_t *d, const cJSON *p)
{
    const cJSON *typs = cJSON_GetObjectItemCaseSensitive(p, "typologies"), *u;
    long long pid = (long long) cJSON_GetObjectItemCaseSensitive(p, "id")->valuedouble;
    int n = 0;
    cJSON_ArrayForEach(u, cJSON_GetObjectItemCaseSensitive(p, "units")) {
        ts_tpl_dict_t *row = ts_tpl_section(d, "UNIT");
        properties_tpl_fields(r, row, u);
        ts_tpl_set(row, "TYPOLOGY_NAME", typology_name(typs, cJSON_GetObjectItemCaseSensitive(u, "typology_id")));
        ts_tpl_set(row, "PRICE_TEXT", properties_tpl_money(r, cJSON_GetObjectItemCaseSensitive(u, "price"),
                                                          cJSON_GetObjectItemCaseSensitive(u, "currency")));
        ts_tpl_dict_t *o = ts_tpl_section(d, "UNIT_OPT");
        ts_tpl_set(o, "VALUE", ts_psprintf(r->pool, "%.0f", cJSON_GetObjectItemCaseSensitive(u, "id")->valuedouble));
        ts_tpl_set(o, "LABEL", properties_jstr(u, "ref"));
        n++;
    }
    ts_tpl_set_int(d, "UNIT_COUNT", n);
    ts_tpl_show(d, n ? "HAS_UNITS" : "NO_UNITS");
    const cJSON *f;
    int files = 0;
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(p, "files")) {
        ts_tpl_dict_t *row = ts_tpl_section(d, "FILE");
        properties_tpl_fields(r, row, f);
        ts_tpl_set(row, "HREF", ts_psprintf(r->pool, "/api/v1/properties/projects/%lld/files/%.0f",
                   pid, cJSON_GetObjectItemCaseSensitive(f, "id")->valuedouble));
        ts_tpl_set(row, "TYPOLOGY_NAME", typology_name(typs, cJSON_GetObjectItemCaseSensitive(f, "typology_id")));
        const cJSON *size = cJSON_GetObjectItemCaseSensitive(f, "size");
        ts_tpl_set(row, "SIZE_TEXT", cJSON_IsNumber(size)
                   ? ts_psprintf(r->pool, "%.0f KB", (size->valuedouble + 1023) / 1024) : "—");
        ts_tpl_set(row, "FILE_NAME", properties_jstr(f, "original_name") ? properties_jstr(f, "original_name") : "file");
        if (r->user->role >= TS_ROLE_MANAGER) {
            ts_tpl_show(row, "FILE_EDIT");
        }
        files++;
    }
    if (files == 0) {
        ts_tpl_show(d, "NO_FILES");
    }
    typology_options(d, "FILE_TYP_OPT", typs, 0);
}

/* A URL field of the project as a link, or a dash. */
static void
link_field(ts_request_t *r, ts_tpl_dict_t *d, const cJSON *p, const char *field, const char *section)
{
    const char *v = properties_jstr(p, field);
    if (v) {
        ts_tpl_set(ts_tpl_section(d, section), "HREF", v);
    } else {
        ts_tpl_show(d, ts_psprintf(r->pool, "NO_%s", section));
    }
}

static cJSON *
project_or_404(ts_request_t *r, int64_t *id, int *rc)
{
    *rc = properties_project_param(r, id);
    if (*rc != TS_OK) {
        return NULL;
    }
    cJSON *p = properties_project_json(r, *id);
    if (p == NULL) {
        *rc = TS_ERROR;
        return NULL;
    }
    ts_pool_cleanup_add(r->pool, (void (*)(void *)) cJSON_Delete, p);
    return p;
}

int
properties_page_project(ts_request_t *r)
{
    int64_t id;
    int rc;
    cJSON *p = project_or_404(r, &id, &rc);
    if (p == NULL) {
        return rc;
    }
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    properties_tpl_fields(r, d, p);
    ts_tpl_set(d, "TITLE", properties_jstr(p, "name"));
    cJSON *labels = NULL;
    ts_tpl_set(d, "TYPE_LABEL", type_label(r, &labels, properties_jstr(p, "type")));
    ts_tpl_set(d, "AVAILABILITY_LABEL", availability_label(properties_jstr(p, "availability")));
    if (r->user->role >= TS_ROLE_MANAGER) {
        ts_tpl_show(d, "MAY_EDIT");
    }
    if (r->user->role >= TS_ROLE_AGENT) {
        ts_tpl_show(d, "MAY_ADD_UNIT");
    }
    ts_tpl_show(d, properties_jstr(p, "developer_name") ? "HAS_DEVELOPER" : "NO_DEVELOPER");
    ts_tpl_show(d, cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(p, "latitude")) ? "HAS_GPS" : "NO_GPS");
    link_field(r, d, p, "price_list_url", "PRICE_LIST");
    link_field(r, d, p, "documents_url", "DOCUMENTS");
    link_field(r, d, p, "virtual_tour_url", "TOUR");
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(p, "descriptions")) {
        ts_tpl_dict_t *row = ts_tpl_section(d, "DESC");
        ts_tpl_set(row, "LANG", e->string);
        ts_tpl_set(row, "DTITLE", properties_jstr(e, "title") ? properties_jstr(e, "title") : "");
        ts_tpl_set(row, "DTEXT", properties_jstr(e, "text") ? properties_jstr(e, "text") : "");
        ts_tpl_set(ts_tpl_section(d, "DESC_TAB"), "LANG", e->string);
    }
    project_typologies(r, d, p);
    project_units_and_files(r, d, p);
    return ts_resp_page(r, 200, "properties/project.tpl", d);
}

/* GET /properties/projects/new and /properties/projects/{pid}/edit: one form
 * sent by properties.js to the JSON API. */
int
properties_page_project_form(ts_request_t *r)
{
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    cJSON *p = NULL;
    if (ts_req_param(r, "pid") != NULL) {
        int64_t id;
        int rc;
        if ((p = project_or_404(r, &id, &rc)) == NULL) {
            return rc;
        }
        properties_tpl_fields(r, d, p);
        /* Inputs show empty, not a dash. */
        static const char *const keys[] = { "TYPE", "TOTAL_UNITS", "PRICE_LIST_URL", "DOCUMENTS_URL",
                                            "VIRTUAL_TOUR_URL", "LATITUDE", "LONGITUDE", NULL };
        static const char *const names[] = { "type", "total_units", "price_list_url", "documents_url",
                                             "virtual_tour_url", "latitude", "longitude", NULL };
        for (int i = 0; keys[i]; i++) {
            if (cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(p, names[i]))) {
                ts_tpl_set(d, keys[i], "");
            }
        }
        ts_tpl_set(d, "TITLE", ts_psprintf(r->pool, "Edit %s", properties_jstr(p, "name")));
        ts_tpl_set(d, "METHOD", "PATCH");
        ts_tpl_set(d, "ACTION", ts_psprintf(r->pool, "/api/v1/properties/projects/%lld", (long long) id));
        ts_tpl_set(d, "BACK", ts_psprintf(r->pool, "/properties/projects/%lld", (long long) id));
    } else {
        ts_tpl_set(d, "TITLE", "New project");
        ts_tpl_set(d, "METHOD", "POST");
        ts_tpl_set(d, "ACTION", "/api/v1/properties/projects");
        ts_tpl_set(d, "BACK", "/properties/projects");
        ts_tpl_set(d, "NAME", "");
    }
    properties_tpl_types(r, d, "TYPE_OPT", p ? properties_jstr(p, "type") : NULL);
    const char *avail = p ? properties_jstr(p, "availability") : "available";
    bool known = false;
    for (size_t i = 0; i < sizeof(availability) / sizeof(availability[0]); i++) {
        ts_tpl_dict_t *o = ts_tpl_section(d, "AVAIL_OPT");
        ts_tpl_set(o, "VALUE", availability[i][0]);
        ts_tpl_set(o, "LABEL", availability[i][1]);
        if (avail && strcmp(avail, availability[i][0]) == 0) {
            ts_tpl_show(o, "SELECTED");
            known = true;
        }
    }
    if (!known && avail) {
        /* A value set through the API stays what it is. */
        ts_tpl_dict_t *o = ts_tpl_section(d, "AVAIL_OPT");
        ts_tpl_set(o, "VALUE", avail);
        ts_tpl_set(o, "LABEL", avail);
        ts_tpl_show(o, "SELECTED");
    }
    const cJSON *dev = p ? cJSON_GetObjectItemCaseSensitive(p, "developer_id") : NULL;
    ts_tpl_set(d, "DEVELOPER_VALUE", cJSON_IsNumber(dev) ? ts_psprintf(r->pool, "%.0f", dev->valuedouble) : "");
    ts_tpl_set(d, "DEVELOPER_LABEL", p && properties_jstr(p, "developer_name") ? properties_jstr(p, "developer_name") : "");
    if (properties_tpl_langs(r, d, p ? cJSON_GetObjectItemCaseSensitive(p, "descriptions") : NULL)
        != TS_OK) {
        return TS_ERROR;
    }
    return ts_resp_page(r, 200, "properties/project_form.tpl", d);
}

/* The property form's project part: a new unit (?project_id=) or a unit
 * being edited names its project and offers the project's typologies. */
void
properties_form_project(ts_request_t *r, ts_tpl_dict_t *d, const cJSON *p)
{
    const cJSON *pj = p ? cJSON_GetObjectItemCaseSensitive(p, "project_id") : NULL;
    const char *q = ts_req_query(r, "project_id");
    char *end = NULL;
    long long pid = cJSON_IsNumber(pj) ? (long long) pj->valuedouble
                  : p == NULL && q ? strtoll(q, &end, 10) : 0;
    if (pid <= 0 || (end && *end != '\0')) {
        return;
    }
    cJSON *proj = properties_project_json(r, pid);
    if (proj == NULL) {
        return;
    }
    const cJSON *tj = p ? cJSON_GetObjectItemCaseSensitive(p, "typology_id") : NULL;
    ts_tpl_dict_t *s = ts_tpl_section(d, "PROJECT");
    ts_tpl_set_int(s, "PROJECT_ID", pid);
    ts_tpl_set(s, "PROJECT_NAME", properties_jstr(proj, "name"));
    if (p == NULL || cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "new_build"))) {
        ts_tpl_show(s, "NB_CHECKED");
    }
    typology_options(s, "TYPOLOGY_OPT", cJSON_GetObjectItemCaseSensitive(proj, "typologies"),
                     cJSON_IsNumber(tj) ? (long long) tj->valuedouble : 0);
    cJSON_Delete(proj);
}

/* The properties list filtered on a project (?project_id=): which one, with
 * the way back to its page and to every property. */
void
properties_list_project(ts_request_t *r, ts_tpl_dict_t *d)
{
    const char *q = ts_req_query(r, "project_id");
    ts_db_result_t *res = q ? ts_db_query(r, "SELECT id, name FROM property_projects WHERE"
                                             " tenant_id = {tenant} AND id = CAST(? AS SIGNED)"
                                             " AND deleted_at IS NULL", "s", q) : NULL;
    if (ts_db_rows(res) == 1) {
        ts_tpl_dict_t *s = ts_tpl_section(d, "PROJECT_FILTER");
        ts_tpl_set(s, "PROJECT_ID", ts_db_get(res, 0, "id"));
        ts_tpl_set(s, "PROJECT_NAME", ts_db_get(res, 0, "name"));
    }
}

/* New-build projects: a named development of a developer (a relation) whose
 * properties are its units, typologies grouping units of one design, and
 * the duplication of a unit (up to 20 copies) to fill a new project. */
#include <math.h>
#include <string.h>
#include "properties.h"

#define PROJECT_COLS "id, name, developer_id, (SELECT d.name FROM relations d WHERE" \
    " d.tenant_id = property_projects.tenant_id AND d.id = developer_id) AS developer_name, type, availability, total_units, price_list_url," \
    " documents_url, virtual_tour_url, CAST(latitude AS DOUBLE) AS latitude," \
    " CAST(longitude AS DOUBLE) AS longitude, descriptions, created_at, updated_at"

static bool
url_ok(const char *s)
{
    if (s == NULL || strlen(s) > 500 || (strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0)) {
        return false;
    }
    return strpbrk(s, " \"<>\t\r\n") == NULL;
}

typedef struct {
    const char *name, *developer, *type, *availability, *units, *price_list, *documents, *tour,
               *lat, *lng, *descriptions;
} project_t;

static const char *
str_of(const cJSON *j)
{
    return cJSON_IsString(j) ? j->valuestring : NULL;
}

/* Reads and checks the fields present in `in` into p; errors by name. */
static void
project_input(ts_request_t *r, const cJSON *in, project_t *p, cJSON *errors)
{
    const cJSON *j;
    cJSON_ArrayForEach(j, in) {
        const char *k = j->string;
        if (strcmp(k, "name") == 0) {
            p->name = str_of(j);
            if (p->name == NULL || *p->name == '\0' || strlen(p->name) > 200) {
                cJSON_AddStringToObject(errors, k, "required, at most 200 characters");
            }
        } else if (strcmp(k, "developer_id") == 0) {
            ts_db_result_t *res = cJSON_IsNumber(j) ? ts_db_query(r, "SELECT 1 FROM relations WHERE"
                " tenant_id = {tenant} AND id = ? AND deleted_at IS NULL", "i",
                (int64_t) j->valuedouble) : NULL;
            p->developer = cJSON_IsNull(j) ? NULL : ts_psprintf(r->pool, "%.0f", j->valuedouble);
            if (!cJSON_IsNull(j) && ts_db_rows(res) == 0) {
                cJSON_AddStringToObject(errors, k, "no such relation");
            }
        } else if (strcmp(k, "type") == 0 || strcmp(k, "availability") == 0) {
            /* The type may be cleared; a project is always of some availability. */
            const char *v = str_of(j);
            bool may_clear = k[0] == 't' && cJSON_IsNull(j);
            if (!may_clear && (v == NULL || *v == '\0' || strlen(v) > 32)) {
                cJSON_AddStringToObject(errors, k, "a string of at most 32 characters");
            }
            *(k[0] == 't' ? &p->type : &p->availability) = v;
        } else if (strcmp(k, "total_units") == 0) {
            if (cJSON_IsNull(j)) {
                p->units = NULL;
            } else if (!cJSON_IsNumber(j) || j->valuedouble < 0 || j->valuedouble > 100000
                || j->valuedouble != floor(j->valuedouble)) {
                cJSON_AddStringToObject(errors, k, "a whole number from 0 to 100000");
            } else {
                p->units = ts_psprintf(r->pool, "%.0f", j->valuedouble);
            }
        } else if (strcmp(k, "price_list_url") == 0 || strcmp(k, "documents_url") == 0
                   || strcmp(k, "virtual_tour_url") == 0) {
            const char *v = str_of(j);
            if (!cJSON_IsNull(j) && !url_ok(v)) {
                cJSON_AddStringToObject(errors, k, "an http(s) URL");
            }
            *(k[0] == 'p' ? &p->price_list : k[0] == 'd' ? &p->documents : &p->tour) = v;
        } else if (strcmp(k, "latitude") == 0 || strcmp(k, "longitude") == 0) {
            double lim = k[1] == 'a' ? 90 : 180;
            if (!cJSON_IsNull(j) && (!cJSON_IsNumber(j) || fabs(j->valuedouble) > lim)) {
                cJSON_AddStringToObject(errors, k, k[1] == 'a' ? "between -90 and 90"
                                                              : "between -180 and 180");
            }
            *(k[1] == 'a' ? &p->lat : &p->lng) = cJSON_IsNumber(j)
                ? ts_psprintf(r->pool, "%.6f", j->valuedouble) : NULL;
        } else if (strcmp(k, "descriptions") == 0) {
            char *txt = cJSON_IsObject(j) ? cJSON_PrintUnformatted(j) : NULL;
            if (txt == NULL || strlen(txt) > 60000) {
                cJSON_AddStringToObject(errors, k, "an object {lang: {title, text}}");
            } else {
                p->descriptions = ts_pstrdup(r->pool, txt);
            }
            cJSON_free(txt);
        } else {
            cJSON_AddStringToObject(errors, k, "unknown field");
        }
    }
}

cJSON *
properties_project_json(ts_request_t *r, int64_t id)
{
    ts_db_result_t *res = ts_db_query(r, "SELECT " PROJECT_COLS " FROM property_projects WHERE"
                                         " tenant_id = {tenant} AND id = ? AND deleted_at IS NULL",
                                      "i", id);
    if (ts_db_rows(res) != 1) {
        return NULL;
    }
    cJSON *o = ts_db_row_json(r, res, 0);
    const char *d = ts_db_get(res, 0, "descriptions");
    cJSON *dj = d ? cJSON_Parse(d) : NULL;
    cJSON_ReplaceItemInObjectCaseSensitive(o, "descriptions", dj ? dj : cJSON_CreateObject());
    res = ts_db_query(r, "SELECT id, name, colour FROM property_typologies WHERE tenant_id = {tenant}"
                         " AND project_id = ? ORDER BY name", "i", id);
    cJSON_AddItemToObject(o, "typologies", ts_db_rows_json(r, res));
    res = ts_db_query(r, "SELECT id, ref, status, typology_id, price, currency FROM properties WHERE"
                         " tenant_id = {tenant} AND project_id = ? AND deleted_at IS NULL ORDER BY id",
                      "i", id);
    cJSON_AddItemToObject(o, "units", ts_db_rows_json(r, res));
    if (properties_project_files_json(r, id, o) != TS_OK) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static bool
name_taken(ts_request_t *r, const char *name, int64_t except)
{
    ts_db_result_t *res = ts_db_query(r, "SELECT 1 FROM property_projects WHERE tenant_id = {tenant}"
                                         " AND name = ? AND id <> ?", "si", name, except);
    return ts_db_rows(res) > 0;
}

/* The body of a new project (id 0: the name is required) or of an edit of
 * project id, checked into p; TS_OK or the refusal answered. */
static int
project_body(ts_request_t *r, const cJSON *in, int64_t id, project_t *p)
{
    if (!cJSON_IsObject(in)) {
        return ts_resp_error(r, 400, "bad_body", "a JSON object is required", NULL);
    }
    cJSON *errors = cJSON_CreateObject();
    project_input(r, in, p, errors);
    if (id == 0 && p->name == NULL && cJSON_GetObjectItemCaseSensitive(errors, "name") == NULL) {
        cJSON_AddStringToObject(errors, "name", "required");
    }
    if (cJSON_GetArraySize(errors) > 0) {
        return properties_validation_error(r, errors);
    }
    cJSON_Delete(errors);
    if (p->name && name_taken(r, p->name, id)) {
        return ts_resp_error(r, 409, "conflict", "a project with this name exists",
                             properties_one_error("name", "already in use"));
    }
    return TS_OK;
}

int
properties_project_create(ts_request_t *r)
{
    const cJSON *in = ts_req_json(r);
    project_t p = { 0 };
    int rc = project_body(r, in, 0, &p);
    if (rc != TS_OK) {
        return rc;
    }
    if (ts_db_exec(r, "INSERT INTO property_projects (tenant_id, name, developer_id, type,"
                      " availability, total_units, price_list_url, documents_url, virtual_tour_url,"
                      " latitude, longitude, descriptions, created_by) VALUES ({tenant}, ?, ?, ?,"
                      " COALESCE(?, 'available'), ?, ?, ?, ?, ?, ?, ?, ?)", "sssssssssssi",
                   p.name, p.developer, p.type, p.availability, p.units, p.price_list, p.documents,
                   p.tour, p.lat, p.lng, p.descriptions, r->user->id) != TS_OK) {
        return TS_ERROR;
    }
    int64_t id = ts_db_insert_id(r);
    ts_audit(r, "property_project", id, "create", in);
    cJSON *o = properties_project_json(r, id);
    return o ? ts_resp_data(r, 201, o) : TS_ERROR;
}

/* The projects by name, with the developer's name and the units counted. */
ts_db_result_t *
properties_projects_rows(ts_request_t *r)
{
    return ts_db_query(r, "SELECT j.id, j.name, j.developer_id, d.name AS developer_name, j.type,"
        " j.availability, j.total_units, (SELECT COUNT(*) FROM properties p WHERE"
        " p.tenant_id = j.tenant_id AND p.project_id = j.id AND p.deleted_at IS NULL) AS units"
        " FROM property_projects j LEFT JOIN relations d ON d.tenant_id = j.tenant_id AND"
        " d.id = j.developer_id WHERE j.tenant_id = {tenant} AND j.deleted_at IS NULL"
        " ORDER BY j.name LIMIT 500", "");
}

int
properties_project_list(ts_request_t *r)
{
    ts_db_result_t *res = properties_projects_rows(r);
    if (res == NULL) {
        return TS_ERROR;
    }
    return ts_resp_list(r, ts_db_rows_json(r, res), NULL, (long long) ts_db_rows(res));
}

int
properties_project_param(ts_request_t *r, int64_t *id)
{
    if (ts_req_param_id(r, "pid", id) != TS_OK) {
        return ts_resp_error(r, 404, "not_found", "no such project", NULL);
    }
    ts_db_result_t *res = ts_db_query(r, "SELECT 1 FROM property_projects WHERE tenant_id = {tenant}"
                                         " AND id = ? AND deleted_at IS NULL", "i", *id);
    if (res == NULL) {
        return TS_ERROR;
    }
    return ts_db_rows(res) ? TS_OK : ts_resp_error(r, 404, "not_found", "no such project", NULL);
}

int
properties_project_show(ts_request_t *r)
{
    int64_t id;
    int rc = properties_project_param(r, &id);
    if (rc != TS_OK) {
        return rc;
    }
    cJSON *o = properties_project_json(r, id);
    return o ? ts_resp_data(r, 200, o) : TS_ERROR;
}

static bool
colour_ok(const char *c)
{
    return c && strlen(c) == 7 && c[0] == '#' && strspn(c + 1, "0123456789abcdefABCDEF") == 6;
}

/* A typology's body: name (required for a new one, tid 0) and colour (null
 * clears it), the name free in the project; TS_OK or the refusal answered. */
static int
typology_input(ts_request_t *r, int64_t pid, int64_t tid, const cJSON *in, const char **name,
               const char **colour)
{
    if (!cJSON_IsObject(in)) {
        return ts_resp_error(r, 400, "bad_body", "a JSON object is required", NULL);
    }
    const cJSON *nj = cJSON_GetObjectItemCaseSensitive(in, "name");
    const cJSON *cj = cJSON_GetObjectItemCaseSensitive(in, "colour"), *j;
    *name = str_of(nj);
    *colour = str_of(cj);
    cJSON *errors = cJSON_CreateObject();
    cJSON_ArrayForEach(j, in) {
        if (strcmp(j->string, "name") != 0 && strcmp(j->string, "colour") != 0) {
            cJSON_AddStringToObject(errors, j->string, "unknown field");
        }
    }
    if ((tid == 0 || nj) && (*name == NULL || **name == '\0' || strlen(*name) > 100)) {
        cJSON_AddStringToObject(errors, "name", "required, at most 100 characters");
    }
    if (cj && !cJSON_IsNull(cj) && !colour_ok(*colour)) {
        cJSON_AddStringToObject(errors, "colour", "a colour such as #1f6feb");
    }
    if (cJSON_GetArraySize(errors) > 0) {
        return properties_validation_error(r, errors);
    }
    cJSON_Delete(errors);
    ts_db_result_t *dup = *name ? ts_db_query(r, "SELECT 1 FROM property_typologies WHERE"
                                                 " tenant_id = {tenant} AND project_id = ? AND"
                                                 " name = ? AND id <> ?", "isi", pid, *name, tid)
                                : NULL;
    if (ts_db_rows(dup) > 0) {
        return ts_resp_error(r, 409, "conflict", "the project has a typology of this name",
                             properties_one_error("name", "already in use"));
    }
    return TS_OK;
}

/* POST /projects/{pid}/typologies {"name", "colour"}. */
int
properties_typology_create(ts_request_t *r)
{
    int64_t id;
    int rc = properties_project_param(r, &id);
    if (rc != TS_OK) {
        return rc;
    }
    const char *name, *colour;
    if ((rc = typology_input(r, id, 0, ts_req_json(r), &name, &colour)) != TS_OK) {
        return rc;
    }
    if (ts_db_exec(r, "INSERT INTO property_typologies (tenant_id, project_id, name, colour) VALUES"
                      " ({tenant}, ?, ?, ?)", "iss", id, name, colour) != TS_OK) {
        return TS_ERROR;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double) ts_db_insert_id(r));
    cJSON_AddNumberToObject(o, "project_id", (double) id);
    cJSON_AddStringToObject(o, "name", name);
    cJSON_AddItemToObject(o, "colour", colour ? cJSON_CreateString(colour) : cJSON_CreateNull());
    return ts_resp_data(r, 201, o);
}

/* POST /api/v1/properties/{id}/duplicate {"count": 1..20}: copies with new
 * references, as drafts, with the features, descriptions and labels (not the
 * media, publications or history). */
int
properties_duplicate(ts_request_t *r)
{
    int64_t id;
    ts_db_result_t *res;
    int rc = properties_target(r, true, &id, &res);
    if (rc != TS_OK) {
        return rc;
    }
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(ts_req_json(r), "count");
    if (!cJSON_IsNumber(c) || c->valuedouble < 1 || c->valuedouble > 20
        || c->valuedouble != floor(c->valuedouble)) {
        return properties_validation_error(r, properties_one_error("count", "from 1 to 20"));
    }
    properties_values_t vals;
    properties_values_from_row(r, res, 0, &vals);
    vals.v[PF_source_feed] = vals.v[PF_source_id] = NULL;
    cJSON *related = properties_record_json(r, id, false);
    cJSON *copy = cJSON_CreateObject();
    for (const char *const *k = (const char *const[]) { "features", "labels", "descriptions", NULL };
         *k; k++) {
        cJSON_AddItemToObject(copy, *k, cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(related, *k), 1));
    }
    cJSON_Delete(related);
    cJSON *ids = cJSON_CreateArray();
    if (ts_db_begin(r) != TS_OK) {
        cJSON_Delete(copy);
        cJSON_Delete(ids);
        return TS_ERROR;
    }
    for (int i = 0; i < (int) c->valuedouble; i++) {
        int64_t nid;
        const char *refusal;
        if (properties_ref_next(r, &vals.v[PF_ref]) != TS_OK
            || properties_insert(r, &vals, "draft", &nid) != TS_OK
            || properties_related_save(r, nid, copy) != TS_OK
            || properties_status_change(r, nid, NULL, "draft", "duplicated", &refusal) != TS_OK
            || properties_completeness_update(r, nid) != TS_OK) {
            ts_db_rollback(r);
            cJSON_Delete(copy);
            cJSON_Delete(ids);
            return TS_ERROR;
        }
        cJSON_AddItemToArray(ids, cJSON_CreateNumber((double) nid));
    }
    cJSON_Delete(copy);
    if (ts_audit(r, "property", id, "duplicate", ids) != TS_OK || ts_db_commit(r) != TS_OK) {
        ts_db_rollback(r);
        cJSON_Delete(ids);
        return TS_ERROR;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "ids", ids);
    return ts_resp_data(r, 201, o);
}

/* PATCH /projects/{pid}: the fields present in the body, checked as on
 * create; a name in use by another project is refused. */
int
properties_project_patch(ts_request_t *r)
{
    int64_t id;
    int rc = properties_project_param(r, &id);
    if (rc != TS_OK) {
        return rc;
    }
    const cJSON *in = ts_req_json(r);
    project_t p = { 0 };
    if ((rc = project_body(r, in, id, &p)) != TS_OK) {
        return rc;
    }
#define HAS(k) (int64_t) (cJSON_GetObjectItemCaseSensitive(in, k) != NULL)
    if (ts_db_exec(r, "UPDATE property_projects SET name = IF(?, ?, name),"
                      " developer_id = IF(?, ?, developer_id), type = IF(?, ?, type),"
                      " availability = IF(?, ?, availability), total_units = IF(?, ?, total_units),"
                      " price_list_url = IF(?, ?, price_list_url),"
                      " documents_url = IF(?, ?, documents_url),"
                      " virtual_tour_url = IF(?, ?, virtual_tour_url),"
                      " latitude = IF(?, ?, latitude), longitude = IF(?, ?, longitude),"
                      " descriptions = IF(?, ?, descriptions) WHERE tenant_id = {tenant} AND id = ?",
                   "isisisisisisisisisisisi",
                   HAS("name"), p.name, HAS("developer_id"), p.developer, HAS("type"), p.type,
                   HAS("availability"), p.availability, HAS("total_units"), p.units,
                   HAS("price_list_url"), p.price_list, HAS("documents_url"), p.documents,
                   HAS("virtual_tour_url"), p.tour, HAS("latitude"), p.lat, HAS("longitude"), p.lng,
                   HAS("descriptions"), p.descriptions, id) != TS_OK) {
        return TS_ERROR;
    }
#undef HAS
    if (ts_audit(r, "property_project", id, "update", in) != TS_OK) {
        return TS_ERROR;
    }
    cJSON *o = properties_project_json(r, id);
    return o ? ts_resp_data(r, 200, o) : TS_ERROR;
}

/* {tid} of project pid: TS_OK, or the 404 answered. */
static int
typology_param(ts_request_t *r, int64_t pid, int64_t *tid)
{
    if (ts_req_param_id(r, "tid", tid) != TS_OK) {
        return ts_resp_error(r, 404, "not_found", "no such typology", NULL);
    }
    ts_db_result_t *res = ts_db_query(r, "SELECT 1 FROM property_typologies WHERE"
                                         " tenant_id = {tenant} AND id = ? AND project_id = ?",
                                      "ii", *tid, pid);
    if (res == NULL) {
        return TS_ERROR;
    }
    return ts_db_rows(res) ? TS_OK : ts_resp_error(r, 404, "not_found", "no such typology", NULL);
}

/* PATCH /projects/{pid}/typologies/{tid} {"name", "colour"} (either). */
int
properties_typology_patch(ts_request_t *r)
{
    int64_t pid, tid;
    int rc = properties_project_param(r, &pid);
    if (rc != TS_OK || (rc = typology_param(r, pid, &tid)) != TS_OK) {
        return rc;
    }
    const cJSON *in = ts_req_json(r);
    const char *name, *colour;
    if ((rc = typology_input(r, pid, tid, in, &name, &colour)) != TS_OK) {
        return rc;
    }
    const cJSON *cj = cJSON_GetObjectItemCaseSensitive(in, "colour");
    if (ts_db_exec(r, "UPDATE property_typologies SET name = COALESCE(?, name),"
                      " colour = IF(?, ?, colour) WHERE tenant_id = {tenant} AND id = ?",
                   "sisi", name, (int64_t) (cj != NULL), colour, tid) != TS_OK
        || ts_audit(r, "property_project", pid, "typology_update", in) != TS_OK) {
        return TS_ERROR;
    }
    ts_db_result_t *res = ts_db_query(r, "SELECT id, project_id, name, colour FROM"
                                         " property_typologies WHERE tenant_id = {tenant} AND id = ?",
                                      "i", tid);
    return ts_db_rows(res) == 1 ? ts_resp_data(r, 200, ts_db_row_json(r, res, 0)) : TS_ERROR;
}

/* DELETE /projects/{pid}/typologies/{tid}: its units and files stay in the
 * project, of no typology. */
int
properties_typology_delete(ts_request_t *r)
{
    int64_t pid, tid;
    int rc = properties_project_param(r, &pid);
    if (rc != TS_OK || (rc = typology_param(r, pid, &tid)) != TS_OK) {
        return rc;
    }
    if (ts_db_begin(r) != TS_OK
        || ts_db_exec(r, "UPDATE properties SET typology_id = NULL WHERE tenant_id = {tenant}"
                         " AND typology_id = ?", "i", tid) != TS_OK
        || ts_db_exec(r, "UPDATE property_media SET typology_id = NULL WHERE tenant_id = {tenant}"
                         " AND typology_id = ?", "i", tid) != TS_OK
        || ts_db_exec(r, "DELETE FROM property_typologies WHERE tenant_id = {tenant} AND id = ?",
                      "i", tid) != TS_OK
        || ts_audit(r, "property_project", pid, "typology_delete", NULL) != TS_OK
        || ts_db_commit(r) != TS_OK) {
        ts_db_rollback(r);
        return TS_ERROR;
    }
    return ts_resp_no_content(r);
}

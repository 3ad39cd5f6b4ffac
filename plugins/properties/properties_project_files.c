/* Files of a new-build project: brochures and price lists (PDF) and images
 * (plans, renders), optionally of one of its typologies. They are media rows
 * with a project_id (no property), checked and stored like a property's
 * (properties_media_store) and sent by nginx after the access check. */
#include <stdlib.h>
#include <string.h>
#include "properties.h"

#define FILE_COLS "id, project_id, typology_id, kind, position, mime, size, width, height," \
                  " original_name, captions, created_at"

static cJSON *
file_item(ts_request_t *r, const ts_db_result_t *res, size_t i)
{
    return properties_media_item(r, res, i, ts_psprintf(r->pool,
                                 "/api/v1/properties/projects/%s/files/%s",
                                 ts_db_get(res, i, "project_id"), ts_db_get(res, i, "id")));
}

int
properties_project_files_json(ts_request_t *r, int64_t pid, cJSON *o)
{
    ts_db_result_t *res = ts_db_query(r, "SELECT " FILE_COLS " FROM property_media WHERE"
                                         " tenant_id = {tenant} AND project_id = ? AND"
                                         " property_id IS NULL AND deleted_at IS NULL"
                                         " ORDER BY position, id", "i", pid);
    if (res == NULL) {
        return TS_ERROR;
    }
    cJSON *a = cJSON_AddArrayToObject(o, "files");
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        cJSON_AddItemToArray(a, file_item(r, res, i));
    }
    return TS_OK;
}

/* {fid} of project pid: TS_OK with the row, or the 404 answered. */
static int
file_param(ts_request_t *r, int64_t pid, int64_t *fid, ts_db_result_t **res)
{
    if (ts_req_param_id(r, "fid", fid) != TS_OK) {
        return ts_resp_error(r, 404, "not_found", "no such file", NULL);
    }
    *res = ts_db_query(r, "SELECT " FILE_COLS ", storage_name FROM property_media WHERE"
                          " tenant_id = {tenant} AND id = ? AND project_id = ? AND"
                          " property_id IS NULL AND deleted_at IS NULL", "ii", *fid, pid);
    if (*res == NULL) {
        return TS_ERROR;
    }
    return ts_db_rows(*res) == 1 ? TS_OK
                                 : ts_resp_error(r, 404, "not_found", "no such file", NULL);
}

int
properties_project_files_list(ts_request_t *r)
{
    int64_t pid;
    int rc = properties_project_param(r, &pid);
    if (rc != TS_OK) {
        return rc;
    }
    cJSON *o = cJSON_CreateObject();
    if (properties_project_files_json(r, pid, o) != TS_OK) {
        cJSON_Delete(o);
        return TS_ERROR;
    }
    cJSON *a = cJSON_DetachItemFromObjectCaseSensitive(o, "files");
    cJSON_Delete(o);
    return ts_resp_list(r, a, NULL, cJSON_GetArraySize(a));
}

/* POST multipart: "file" (required), "kind" (photo or document; by default
 * told by the content), "typology_id" (one of the project's), "captions". */
int
properties_project_file_add(ts_request_t *r)
{
    int64_t pid;
    int rc = properties_project_param(r, &pid);
    if (rc != TS_OK) {
        return rc;
    }
    const char *typ = ts_req_form(r, "typology_id");
    int64_t typology = 0;
    if (typ != NULL && *typ) {
        char *end = NULL;
        long long v = strtoll(typ, &end, 10);
        ts_db_result_t *t = v > 0 && *end == '\0'
            ? ts_db_query(r, "SELECT 1 FROM property_typologies WHERE tenant_id = {tenant}"
                             " AND id = ? AND project_id = ?", "ii", (int64_t) v, pid) : NULL;
        if (ts_db_rows(t) != 1) {
            return properties_validation_error(r, properties_one_error("typology_id",
                                               "not a typology of this project"));
        }
        typology = v;
    }
    const char *kind = ts_req_form(r, "kind");
    properties_stored_t st;
    if ((rc = properties_media_store(r, kind && *kind ? kind : NULL, &st)) != TS_OK) {
        return rc;
    }
    if (ts_db_exec(r, "INSERT INTO property_media (tenant_id, project_id, typology_id, kind,"
                      " position, storage_name, mime, size, width, height, original_name,"
                      " captions, created_by) SELECT {tenant}, ?, NULLIF(?, 0), ?,"
                      " COALESCE(MAX(position), -1) + 1, ?, ?, ?, ?, ?, ?, ?, ? FROM property_media"
                      " WHERE tenant_id = {tenant} AND project_id = ? AND property_id IS NULL",
                   "iisssiiissii", pid, typology, st.kind, st.name, st.mime, st.size,
                   (int64_t) st.width, (int64_t) st.height, st.original_name, st.captions,
                   r->user->id, pid) != TS_OK) {
        properties_media_remove_name(r, st.name);
        return TS_ERROR;
    }
    int64_t fid = ts_db_insert_id(r);
    cJSON *in = cJSON_CreateObject();
    cJSON_AddNumberToObject(in, "file_id", (double) fid);
    cJSON_AddStringToObject(in, "kind", st.kind);
    if (ts_audit(r, "property_project", pid, "file_add", in) != TS_OK) {
        cJSON_Delete(in);
        return TS_ERROR;
    }
    cJSON_Delete(in);
    ts_db_result_t *res = ts_db_query(r, "SELECT " FILE_COLS " FROM property_media WHERE"
                                         " tenant_id = {tenant} AND id = ?", "i", fid);
    return ts_db_rows(res) == 1 ? ts_resp_data(r, 201, file_item(r, res, 0)) : TS_ERROR;
}

/* GET /projects/{pid}/files/{fid}?variant=thumb|medium|large: the file. */
int
properties_project_file_get(ts_request_t *r)
{
    int64_t pid, fid;
    ts_db_result_t *res;
    int rc = properties_project_param(r, &pid);
    if (rc != TS_OK || (rc = file_param(r, pid, &fid, &res)) != TS_OK) {
        return rc;
    }
    return properties_media_send_stored(r, ts_db_get(res, 0, "kind"),
                                        ts_db_get(res, 0, "storage_name"),
                                        ts_db_get(res, 0, "mime"),
                                        ts_db_get(res, 0, "original_name"),
                                        ts_req_query(r, "variant"));
}

int
properties_project_file_delete(ts_request_t *r)
{
    int64_t pid, fid;
    ts_db_result_t *res;
    int rc = properties_project_param(r, &pid);
    if (rc != TS_OK || (rc = file_param(r, pid, &fid, &res)) != TS_OK) {
        return rc;
    }
    if (ts_db_begin(r) != TS_OK
        || ts_db_exec(r, "DELETE FROM property_media WHERE tenant_id = {tenant} AND id = ?",
                      "i", fid) != TS_OK
        || ts_audit(r, "property_project", pid, "file_delete", NULL) != TS_OK
        || ts_db_commit(r) != TS_OK) {
        ts_db_rollback(r);
        return TS_ERROR;
    }
    /* The files go once the row is gone for sure. */
    properties_media_remove_name(r, ts_db_get(res, 0, "storage_name"));
    return ts_resp_no_content(r);
}

/* DELETE /api/v1/properties/projects/{pid}: a project without units goes with its
 * typologies and files. Units are never orphaned silently: while live properties belong
 * to the project the delete is refused, naming how many. */
#include "properties.h"

int
properties_project_delete(ts_request_t *r)
{
    int64_t pid;
    int rc = properties_project_param(r, &pid);
    if (rc != TS_OK) {
        return rc;
    }
    ts_db_result_t *units = ts_db_query(r, "SELECT COUNT(*) AS n FROM properties WHERE"
                                           " tenant_id = {tenant} AND project_id = ? AND"
                                           " deleted_at IS NULL", "i", pid);
    if (units == NULL) {
        return TS_ERROR;
    }
    long long n = (long long) ts_db_get_int(units, 0, "n");
    if (n > 0) {
        return ts_resp_error(r, 409, "conflict",
                             ts_psprintf(r->pool, "the project still has %lld unit%s: move or"
                                         " delete them first", n, n == 1 ? "" : "s"),
                             properties_one_error("units", "not empty"));
    }
    /* The stored files of the project and of its typologies, removed once the rows are. */
    ts_db_result_t *files = ts_db_query(r, "SELECT m.storage_name FROM property_media m WHERE"
        " m.tenant_id = {tenant} AND m.storage_name IS NOT NULL AND (m.project_id = ? OR"
        " m.typology_id IN (SELECT t.id FROM property_typologies t WHERE t.tenant_id ="
        " m.tenant_id AND t.project_id = ?))", "ii", pid, pid);
    if (files == NULL) {
        return TS_ERROR;
    }
    if (ts_db_begin(r) != TS_OK
        || ts_db_exec(r, "DELETE FROM property_media WHERE tenant_id = {tenant} AND (project_id = ?"
                         " OR typology_id IN (SELECT t.id FROM property_typologies t WHERE"
                         " t.tenant_id = {tenant} AND t.project_id = ?))", "ii", pid, pid) != TS_OK
        /* Units deleted earlier keep their record, outside any project. */
        || ts_db_exec(r, "UPDATE properties SET project_id = NULL, typology_id = NULL WHERE"
                         " tenant_id = {tenant} AND (project_id = ? OR typology_id IN (SELECT"
                         " t.id FROM property_typologies t WHERE t.tenant_id = {tenant} AND"
                         " t.project_id = ?))", "ii", pid, pid) != TS_OK
        || ts_db_exec(r, "DELETE FROM property_typologies WHERE tenant_id = {tenant} AND"
                         " project_id = ?", "i", pid) != TS_OK
        || ts_db_exec(r, "DELETE FROM property_projects WHERE tenant_id = {tenant} AND id = ?",
                      "i", pid) != TS_OK
        || ts_audit(r, "property_project", pid, "delete", NULL) != TS_OK
        || ts_db_commit(r) != TS_OK) {
        ts_db_rollback(r);
        return TS_ERROR;
    }
    for (size_t i = 0; i < ts_db_rows(files); i++) {
        properties_media_remove_name(r, ts_db_get(files, i, "storage_name"));
    }
    return ts_resp_no_content(r);
}

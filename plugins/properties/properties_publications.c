/* Publications per property and portal, the registry of portals, and the
 * MLS status check: unavailable listings that still carry a publication. */
#include <string.h>
#include "properties.h"

/* Ends every current publication of a property; `ended` gets the portals. */
int
properties_publications_end(ts_request_t *r, int64_t id, const char *why, cJSON *ended)
{
    ts_db_result_t *res = ts_db_query(r, "SELECT portal FROM property_publications WHERE"
                                         " tenant_id = {tenant} AND property_id = ? AND"
                                         " unpublished_at IS NULL ORDER BY portal", "i", id);
    if (res == NULL) {
        return TS_ERROR;
    }
    if (ts_db_rows(res) == 0) {
        return TS_OK;
    }
    if (ts_db_exec(r, "UPDATE property_publications SET unpublished_at = UTC_TIMESTAMP(),"
                      " unpublished_by = ?, unpublish_reason = ? WHERE tenant_id = {tenant}"
                      " AND property_id = ? AND unpublished_at IS NULL",
                   "ssi", r->user ? ts_psprintf(r->pool, "%lld", (long long) r->user->id) : NULL,
                   why, id) != TS_OK) {
        return TS_ERROR;
    }
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        const char *portal = ts_db_get(res, i, "portal");
        if (ended != NULL) {
            cJSON_AddItemToArray(ended, cJSON_CreateString(portal));
        }
        cJSON *ev = cJSON_CreateObject();
        cJSON_AddNumberToObject(ev, "id", (double) id);
        cJSON_AddStringToObject(ev, "portal", portal);
        cJSON_AddStringToObject(ev, "reason", why);
        if (ts_event_emit(r, "property.unpublished", ev) != TS_OK) {
            return TS_ERROR;
        }
    }
    return TS_OK;
}

static bool
portal_known(ts_request_t *r, const char *portal)
{
    ts_db_result_t *res = ts_db_query(r, "SELECT 1 FROM property_portals WHERE"
                                         " tenant_id IN (0, {tenant}) AND code = ?", "s", portal);
    return ts_db_rows(res) > 0;
}

static ts_db_result_t *
publications(ts_request_t *r, int64_t id, const char *portal)
{
    return ts_db_query(r,
        "SELECT b.id, b.portal, pp.name AS portal_name, b.published_at, b.published_by,"
        " pu.name AS published_by_name, b.unpublished_at, b.unpublished_by,"
        " uu.name AS unpublished_by_name, b.unpublish_reason,"
        " (b.unpublished_at IS NULL) AS current"
        " FROM property_publications b"
        " LEFT JOIN property_portals pp ON pp.tenant_id IN (0, b.tenant_id) AND pp.code = b.portal"
        " LEFT JOIN users pu ON pu.tenant_id = b.tenant_id AND pu.id = b.published_by"
        " LEFT JOIN users uu ON uu.tenant_id = b.tenant_id AND uu.id = b.unpublished_by"
        " WHERE b.tenant_id = {tenant} AND b.property_id = ? AND (? IS NULL OR b.portal = ?)"
        " ORDER BY b.unpublished_at IS NULL DESC, b.published_at DESC, b.id DESC LIMIT 500",
        "iss", id, portal, portal);
}

static cJSON *
publications_json(ts_request_t *r, const ts_db_result_t *res)
{
    cJSON *a = ts_db_rows_json(r, res), *e;
    cJSON_ArrayForEach(e, a) {
        cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "current");
        cJSON_ReplaceItemInObjectCaseSensitive(e, "current", cJSON_CreateBool(c->valuedouble));
    }
    return a;
}

int
properties_publications_list(ts_request_t *r)
{
    int64_t id;
    ts_db_result_t *res;
    int rc = properties_target(r, false, &id, &res);
    if (rc != TS_OK) {
        return rc;
    }
    res = publications(r, id, NULL);
    if (res == NULL) {
        return TS_ERROR;
    }
    return ts_resp_list(r, publications_json(r, res), NULL, (long long) ts_db_rows(res));
}

int
properties_publication_put(ts_request_t *r)
{
    int64_t id;
    ts_db_result_t *res;
    int rc = properties_target(r, true, &id, &res);
    if (rc != TS_OK) {
        return rc;
    }
    const char *portal = ts_req_param(r, "portal");
    if (portal == NULL || strlen(portal) > 32 || !portal_known(r, portal)) {
        return ts_resp_error(r, 404, "not_found",
                             "no such portal (GET /api/v1/properties/portals lists them)", NULL);
    }
    const char *status = ts_db_get(res, 0, "status");
    if (!properties_status_publishable(status)) {
        return ts_resp_error(r, 409, "conflict", ts_psprintf(r->pool,
                             "a property with status %s is never published on a portal", status),
                             properties_one_error("status", "not available"));
    }
    if (ts_db_begin(r) != TS_OK) {
        return TS_ERROR;
    }
    ts_db_result_t *cur = ts_db_query(r, "SELECT id FROM property_publications WHERE"
                                         " tenant_id = {tenant} AND property_id = ? AND portal = ?"
                                         " AND unpublished_at IS NULL FOR UPDATE", "is", id, portal);
    int status_code = 200;
    if (cur == NULL) {
        ts_db_rollback(r);
        return TS_ERROR;
    }
    if (ts_db_rows(cur) == 0) {
        status_code = 201;
        cJSON *ev = cJSON_CreateObject();
        cJSON_AddNumberToObject(ev, "id", (double) id);
        cJSON_AddStringToObject(ev, "portal", portal);
        if (ts_db_exec(r, "INSERT INTO property_publications (tenant_id, property_id, portal,"
                          " published_at, published_by) VALUES ({tenant}, ?, ?, UTC_TIMESTAMP(), ?)",
                       "isi", id, portal, r->user->id) != TS_OK
            || properties_timeline_note(r, id, ts_psprintf(r->pool, "Published on %s", portal),
                                        NULL) != TS_OK
            || ts_event_emit(r, "property.published", ev) != TS_OK) {
            ts_db_rollback(r);
            return TS_ERROR;
        }
    }
    if (ts_db_commit(r) != TS_OK) {
        return TS_ERROR;
    }
    res = publications(r, id, portal);
    if (ts_db_rows(res) == 0) {
        return TS_ERROR;
    }
    cJSON *all = publications_json(r, res), *one = cJSON_DetachItemFromArray(all, 0);
    cJSON_Delete(all);
    return ts_resp_data(r, status_code, one);
}

int
properties_publication_delete(ts_request_t *r)
{
    int64_t id;
    ts_db_result_t *res;
    int rc = properties_target(r, true, &id, &res);
    if (rc != TS_OK) {
        return rc;
    }
    const char *portal = ts_req_param(r, "portal");
    if (ts_db_begin(r) != TS_OK) {
        return TS_ERROR;
    }
    if (ts_db_exec(r, "UPDATE property_publications SET unpublished_at = UTC_TIMESTAMP(),"
                      " unpublished_by = ?, unpublish_reason = 'user' WHERE tenant_id = {tenant}"
                      " AND property_id = ? AND portal = ? AND unpublished_at IS NULL",
                   "iis", r->user->id, id, portal) != TS_OK) {
        ts_db_rollback(r);
        return TS_ERROR;
    }
    if (ts_db_affected(r) == 0) {
        ts_db_rollback(r);
        return ts_resp_error(r, 404, "not_found", "the property is not published there", NULL);
    }
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddNumberToObject(ev, "id", (double) id);
    cJSON_AddStringToObject(ev, "portal", portal);
    cJSON_AddStringToObject(ev, "reason", "user");
    if (properties_timeline_note(r, id, ts_psprintf(r->pool, "Unpublished from %s", portal),
                                 NULL) != TS_OK
        || ts_event_emit(r, "property.unpublished", ev) != TS_OK || ts_db_commit(r) != TS_OK) {
        ts_db_rollback(r);
        return TS_ERROR;
    }
    return ts_resp_no_content(r);
}

int
properties_portals_list(ts_request_t *r)
{
    ts_db_result_t *res = ts_db_query(r, "SELECT code, name, plugin,"
                                         " IF(tenant_id = 0, 'plugin', 'tenant') AS origin"
                                         " FROM property_portals WHERE tenant_id IN (0, {tenant})"
                                         " ORDER BY name, code", "");
    if (res == NULL) {
        return TS_ERROR;
    }
    return ts_resp_list(r, ts_db_rows_json(r, res), NULL, (long long) ts_db_rows(res));
}

/* POST /api/v1/properties/portals {"code", "name"}: a portal of the tenant's
 * own (a partner MLS, a local site); publisher plugins register theirs in
 * their migration instead. */
int
properties_portal_add(ts_request_t *r)
{
    const cJSON *in = ts_req_json(r);
    const char *code = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "code"));
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "name"));
    cJSON *errors = cJSON_CreateObject();
    bool ok = code != NULL && *code && strlen(code) <= 32;
    for (const char *p = code; ok && *p; p++) {
        ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-';
    }
    if (!ok) {
        cJSON_AddStringToObject(errors, "code", "lowercase letters, digits, - and _ (at most 32)");
    }
    if (name == NULL || *name == '\0' || strlen(name) > 100) {
        cJSON_AddStringToObject(errors, "name", "required, at most 100 characters");
    }
    if (cJSON_GetArraySize(errors) > 0) {
        return properties_validation_error(r, errors);
    }
    cJSON_Delete(errors);
    if (portal_known(r, code)) {
        return ts_resp_error(r, 409, "conflict", "a portal with this code exists",
                             properties_one_error("code", "already registered"));
    }
    if (ts_db_exec(r, "INSERT INTO property_portals (tenant_id, code, name) VALUES"
                      " ({tenant}, ?, ?)", "ss", code, name) != TS_OK
        || ts_audit(r, "property_portal", 0, "create", in) != TS_OK) {
        return TS_ERROR;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "code", code);
    cJSON_AddStringToObject(o, "name", name);
    cJSON_AddNullToObject(o, "plugin");
    cJSON_AddStringToObject(o, "origin", "tenant");
    return ts_resp_data(r, 201, o);
}

/* The statuses that must never be on a portal, as one SQL fragment's list. */
#define UNAVAILABLE "'sold','rented','cancelled','off_market','removed_by_feed','draft'," \
                    "'in_progress','pending_approval'"

int
properties_mls_check(ts_request_t *r)
{
    ts_db_result_t *res = ts_db_query(r,
        "SELECT p.id, p.ref, p.status, p.town, p.agent_id, u.name AS agent_name, p.published_at,"
        " GROUP_CONCAT(b.portal ORDER BY b.portal) AS portals, MIN(b.published_at) AS since"
        " FROM properties p JOIN property_publications b ON b.tenant_id = p.tenant_id"
        " AND b.property_id = p.id AND b.unpublished_at IS NULL"
        " LEFT JOIN users u ON u.tenant_id = p.tenant_id AND u.id = p.agent_id"
        " WHERE p.tenant_id = {tenant} AND p.status IN (" UNAVAILABLE ")"
        " GROUP BY p.id ORDER BY p.id LIMIT 1000", "");
    if (res == NULL) {
        return TS_ERROR;
    }
    cJSON *a = ts_db_rows_json(r, res), *e;
    cJSON_ArrayForEach(e, a) {
        properties_csv_field(r, e, "portals");
    }
    return ts_resp_list(r, a, NULL, (long long) ts_db_rows(res));
}

/* One click: end every publication of every unavailable listing. */
int
properties_mls_depublish(ts_request_t *r)
{
    ts_db_result_t *res = ts_db_query(r,
        "SELECT DISTINCT p.id FROM properties p JOIN property_publications b ON"
        " b.tenant_id = p.tenant_id AND b.property_id = p.id AND b.unpublished_at IS NULL"
        " WHERE p.tenant_id = {tenant} AND p.status IN (" UNAVAILABLE ") LIMIT 5000", "");
    if (res == NULL || ts_db_begin(r) != TS_OK) {
        return TS_ERROR;
    }
    cJSON *out = cJSON_CreateObject(), *ids = cJSON_AddArrayToObject(out, "ids");
    int ended = 0;
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        int64_t id = ts_db_get_int(res, i, "id");
        cJSON *portals = cJSON_CreateArray();
        int rc = properties_publications_end(r, id, "hygiene", portals);
        ended += cJSON_GetArraySize(portals);
        cJSON_Delete(portals);
        if (rc != TS_OK || properties_timeline_note(r, id, "Depublished by the MLS status check",
                                                    NULL) != TS_OK) {
            cJSON_Delete(out);
            ts_db_rollback(r);
            return TS_ERROR;
        }
        cJSON_AddItemToArray(ids, cJSON_CreateNumber((double) id));
    }
    if (ts_db_commit(r) != TS_OK) {
        cJSON_Delete(out);
        return TS_ERROR;
    }
    cJSON_AddNumberToObject(out, "properties", (double) ts_db_rows(res));
    cJSON_AddNumberToObject(out, "publications_ended", ended);
    return ts_resp_data(r, 200, out);
}

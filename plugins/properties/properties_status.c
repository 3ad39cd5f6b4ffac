/* Status rules: which changes are allowed (per tenant), the recorded
 * history, and what a change sets off: the publication date on the first
 * activation and the end of every publication when a listing leaves the
 * market. */
#include <string.h>
#include "properties.h"

const char *const properties_statuses[] = {
    "draft", "in_progress", "pending_approval", "active", "under_offer", "negotiating",
    "reserved", "under_contract", "sold", "rented", "open_house", "key_ready",
    "under_construction", "off_market", "cancelled", "removed_by_feed", NULL
};

/* Never in an outgoing feed: ended listings and those not yet on the market. */
static const char *const unpublishable[] = {
    "sold", "rented", "cancelled", "off_market", "removed_by_feed", "draft", "in_progress",
    "pending_approval", NULL
};

static const char *const website[] = { "active", "under_offer", "reserved", "sold", NULL };

static bool
member(const char *const *set, const char *s)
{
    for (; s && *set; set++) {
        if (strcmp(*set, s) == 0) {
            return true;
        }
    }
    return false;
}

bool properties_status_valid(const char *s) { return member(properties_statuses, s); }
bool properties_status_publishable(const char *s) { return s && !member(unpublishable, s); }
bool properties_status_on_website(const char *s) { return member(website, s); }

int
properties_timeline_note(ts_request_t *r, int64_t id, const char *subject, const char *body)
{
    return ts_db_exec(r, "INSERT INTO activities (tenant_id, entity, entity_id, kind, subject,"
                         " body, created_by) VALUES ({tenant}, 'property', ?, 'system', ?, ?, ?)",
                      "issi", id, subject, body, r->user ? r->user->id : (int64_t) 0);
}

int
properties_history_add(ts_request_t *r, int64_t id, const char *from, const char *to,
                       const char *reason)
{
    return ts_db_exec(r, "INSERT INTO property_status_history (tenant_id, property_id,"
                         " from_status, to_status, reason, user_id) VALUES ({tenant}, ?, ?, ?,"
                         " ?, ?)", "isssi", id, from, to, reason,
                      r->user ? r->user->id : (int64_t) 0);
}

/* The most specific rule wins, and a tenant's rule wins over a built-in. */
static const char *
refusal_of(ts_request_t *r, const char *from, const char *to, const char *reason)
{
    ts_db_result_t *res = ts_db_query(r,
        "SELECT allowed, needs_reason FROM property_transitions WHERE tenant_id IN (0, {tenant})"
        " AND from_status IN (?, '*') AND to_status IN (?, '*') ORDER BY tenant_id DESC,"
        " (from_status <> '*') + (to_status <> '*') DESC LIMIT 1", "ss", from, to);
    if (ts_db_rows(res) == 0 || ts_db_get_int(res, 0, "allowed") == 0) {
        return ts_psprintf(r->pool, "a property cannot go from %s to %s", from, to);
    }
    if (ts_db_get_int(res, 0, "needs_reason") && (reason == NULL || *reason == '\0')) {
        return ts_psprintf(r->pool, "going from %s to %s needs a status_reason", from, to);
    }
    return NULL;
}

int
properties_status_change(ts_request_t *r, int64_t id, const char *from, const char *to,
                         const char *reason, const char **refusal)
{
    *refusal = NULL;
    if (from != NULL && strcmp(from, to) == 0) {
        return TS_OK;
    }
    properties_settings_t s;
    if (properties_settings_get(r, &s, false) != TS_OK) {
        return TS_ERROR;
    }
    if (from != NULL && s.enforce_transitions
        && (*refusal = refusal_of(r, from, to, reason)) != NULL) {
        return TS_DECLINED;
    }
    if (ts_db_exec(r, "UPDATE properties SET status = ?, published_at = IF(? = 'active'"
                      " AND published_at IS NULL, UTC_TIMESTAMP(), published_at)"
                      " WHERE tenant_id = {tenant} AND id = ?", "ssi", to, to, id) != TS_OK
        || properties_history_add(r, id, from, to, reason) != TS_OK
        || properties_timeline_note(r, id, ts_psprintf(r->pool, "Status: %s → %s",
                                                       from ? from : "new", to), reason)
           != TS_OK) {
        return TS_ERROR;
    }
    if (!properties_status_publishable(to) && s.auto_depublish) {
        cJSON *ended = cJSON_CreateArray();
        int rc = properties_publications_end(r, id, "status", ended);
        if (rc == TS_OK && cJSON_GetArraySize(ended) > 0) {
            char *list = ts_pstrdup(r->pool, "");
            const cJSON *e;
            cJSON_ArrayForEach(e, ended) {
                list = ts_psprintf(r->pool, "%s%s%s", list, *list ? ", " : "", e->valuestring);
            }
            rc = properties_timeline_note(r, id, ts_psprintf(r->pool,
                     "Publications ended automatically (status %s): %s", to, list), NULL);
        }
        cJSON_Delete(ended);
        if (rc != TS_OK) {
            return TS_ERROR;
        }
    }
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddNumberToObject(ev, "id", (double) id);
    cJSON_AddItemToObject(ev, "from", from ? cJSON_CreateString(from) : cJSON_CreateNull());
    cJSON_AddStringToObject(ev, "to", to);
    if (ts_event_emit(r, "property.status_changed", ev) != TS_OK) {
        return TS_ERROR;
    }
    /* The closing statuses webhooks subscribe to on their own. */
    if (strcmp(to, "sold") != 0 && strcmp(to, "rented") != 0) {
        return TS_OK;
    }
    cJSON *closed = cJSON_CreateObject();
    cJSON_AddNumberToObject(closed, "id", (double) id);
    cJSON_AddItemToObject(closed, "from", from ? cJSON_CreateString(from) : cJSON_CreateNull());
    return ts_event_emit(r, strcmp(to, "sold") == 0 ? "property.sold" : "property.rented", closed);
}

int
properties_history(ts_request_t *r)
{
    int64_t id;
    int rc = properties_id_param(r, &id);
    if (rc != TS_OK) {
        return rc;
    }
    ts_db_result_t *res = properties_load(r, id, true);
    if (res == NULL) {
        return TS_ERROR;
    }
    if (ts_db_rows(res) == 0) {
        return ts_resp_error(r, 404, "not_found", "no such property", NULL);
    }
    res = ts_db_query(r, "SELECT h.id, h.from_status AS `from`, h.to_status AS `to`, h.reason,"
                         " h.user_id, u.name AS user_name, h.created_at"
                         " FROM property_status_history h LEFT JOIN users u ON"
                         " u.tenant_id = h.tenant_id AND u.id = h.user_id"
                         " WHERE h.tenant_id = {tenant} AND h.property_id = ?"
                         " ORDER BY h.id DESC LIMIT 500", "i", id);
    if (res == NULL) {
        return TS_ERROR;
    }
    return ts_resp_list(r, ts_db_rows_json(r, res), NULL, (long long) ts_db_rows(res));
}

/* The feed manager page: feeds with their last run and errors, "sync now", a new feed, runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kyero.h"

static void
run_counts(ts_tpl_dict_t *row, const ts_db_result_t *res, size_t i)
{
    static const char *const cols[] = { "received", "created", "updated", "unchanged",
                                        "withdrawn", "rejected" };
    static const char *const keys[] = { "RECEIVED", "CREATED", "UPDATED", "UNCHANGED",
                                        "WITHDRAWN", "REJECTED" };
    for (size_t k = 0; k < 6; k++) {
        const char *v = ts_db_get(res, i, cols[k]);
        ts_tpl_set(row, keys[k], v ? v : "—");
    }
}

/* The feeds' photos still to fetch and those that failed (the photo job retries them each
 * sync), by source_feed "kyero:<id>". */
static ts_db_result_t *
photo_counts(ts_request_t *r)
{
    return ts_db_query(r, "SELECT p.source_feed, SUM(m.fetch_state = 'pending') AS pending,"
                          " SUM(m.fetch_state = 'failed') AS failed FROM property_media m"
                          " JOIN properties p ON p.tenant_id = m.tenant_id AND p.id = m.property_id"
                          " WHERE m.tenant_id = {tenant} AND m.fetch_state IN ('pending', 'failed')"
                          " AND m.deleted_at IS NULL AND p.deleted_at IS NULL"
                          " AND p.source_feed LIKE 'kyero:%' GROUP BY p.source_feed", "");
}

static void
photo_counts_set(ts_request_t *r, ts_tpl_dict_t *row, const ts_db_result_t *counts,
                 const char *feed_id)
{
    const char *key = ts_psprintf(r->pool, "kyero:%s", feed_id);
    const char *pending = "0", *failed = "0";
    for (size_t i = 0; i < ts_db_rows(counts); i++) {
        if (strcmp(ts_db_get(counts, i, "source_feed"), key) == 0) {
            pending = ts_db_get(counts, i, "pending");
            failed = ts_db_get(counts, i, "failed");
        }
    }
    ts_tpl_set(row, "PHOTOS_PENDING", pending);
    ts_tpl_set(row, "PHOTOS_FAILED", failed);
    if (strcmp(failed, "0") != 0) {
        ts_tpl_show(row, "PHOTOS_BAD");
    }
}

static int feeds_page_full(ts_request_t *r, int status, const char *error,
                           const char *new_portal, const char *new_url);

/* Admins see the portals this install publishes to, and connect them here. */
static int
portals_section(ts_request_t *r, ts_tpl_dict_t *d, const char *new_portal, const char *new_url)
{
    if (r->user->role < TS_ROLE_ADMIN) {
        return TS_OK;
    }
    ts_db_result_t *res = ts_db_query(r, "SELECT portal, connected_at FROM"
                                         " kyero_portal_connections WHERE tenant_id = {tenant}", "");
    if (res == NULL) {
        return TS_ERROR;
    }
    ts_tpl_dict_t *sec = ts_tpl_section(d, "PORTALS");
    static const char *const portals[][2] = { { "kyero", "Kyero (XML)" },
                                              { "idealista", "Idealista (JSON)" } };
    for (size_t k = 0; k < 2; k++) {
        ts_tpl_dict_t *row = ts_tpl_section(sec, "PORTAL");
        ts_tpl_set(row, "CODE", portals[k][0]);
        ts_tpl_set(row, "LABEL", portals[k][1]);
        const char *when = NULL;
        for (size_t i = 0; i < ts_db_rows(res); i++) {
            if (strcmp(ts_db_get(res, i, "portal"), portals[k][0]) == 0) {
                when = ts_db_get(res, i, "connected_at");
            }
        }
        ts_tpl_set(row, "CONNECTED", when ? ts_psprintf(r->pool, "connected %s", when)
                                          : "not connected");
        if (strcmp(portals[k][0], "idealista") == 0) {
            ts_tpl_show(row, "NEEDS_CODE");
        }
        if (new_portal != NULL && strcmp(new_portal, portals[k][0]) == 0) {
            ts_tpl_set(ts_tpl_section(row, "NEW_URL"), "URL", new_url);
        }
    }
    return TS_OK;
}

static int
feeds_page_render(ts_request_t *r, int status, const char *error)
{
    return feeds_page_full(r, status, error, NULL, NULL);
}

static int
feeds_page_full(ts_request_t *r, int status, const char *error, const char *new_portal,
                const char *new_url)
{
    ts_db_result_t *res = ts_db_query(r,
        "SELECT f.id, f.name, f.url, f.frequency, f.failures, x.status, x.received, x.created,"
        " x.updated, x.unchanged, x.withdrawn, x.rejected, x.error, x.started_at"
        " FROM kyero_feeds f LEFT JOIN kyero_runs x ON x.tenant_id = f.tenant_id"
        " AND x.id = (SELECT MAX(id) FROM kyero_runs y WHERE y.tenant_id = f.tenant_id"
        " AND y.feed_id = f.id) WHERE f.tenant_id = {tenant} AND f.deleted_at IS NULL"
        " ORDER BY f.name, f.id", "");
    ts_db_result_t *photos = res ? photo_counts(r) : NULL;
    if (photos == NULL) {
        return TS_ERROR;
    }
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    ts_tpl_set(d, "TITLE", "Feeds & portals");
    if (ts_db_rows(res) == 0) {
        ts_tpl_show(d, "EMPTY");
    }
    bool can_sync = r->user->role >= TS_ROLE_AGENT;
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        ts_tpl_dict_t *row = ts_tpl_section(d, "FEED");
        ts_tpl_set(row, "ID", ts_db_get(res, i, "id"));
        ts_tpl_set(row, "NAME", ts_db_get(res, i, "name"));
        ts_tpl_set(row, "URL", ts_db_get(res, i, "url") ? ts_db_get(res, i, "url") : "uploaded files");
        ts_tpl_set(row, "FREQUENCY", ts_db_get(res, i, "frequency"));
        if (ts_db_get(res, i, "status") != NULL) {
            ts_tpl_dict_t *run = ts_tpl_section(row, "RUN");
            ts_tpl_set(run, "STATUS", ts_db_get(res, i, "status"));
            ts_tpl_set(run, "STARTED", ts_db_get(res, i, "started_at"));
        } else {
            ts_tpl_show(row, "NEVER");
        }
        if (ts_db_get(res, i, "error") != NULL) {
            ts_tpl_set(ts_tpl_section(row, "ERROR"), "MESSAGE", ts_db_get(res, i, "error"));
        }
        if (ts_db_get_int(res, i, "failures") > 0) {
            ts_tpl_set(ts_tpl_section(row, "FAILING"), "FAILURES", ts_db_get(res, i, "failures"));
        }
        run_counts(row, res, i);
        photo_counts_set(r, row, photos, ts_db_get(res, i, "id"));
        if (can_sync && ts_db_get(res, i, "url") != NULL) {
            ts_tpl_show(row, "CAN_SYNC");
        }
    }
    if (r->user->role >= TS_ROLE_MANAGER) {
        ts_tpl_show(d, "CAN_EDIT");
    }
    if (error != NULL) {
        ts_tpl_set(ts_tpl_section(d, "FORM_ERROR"), "MESSAGE", error);
    }
    if (portals_section(r, d, new_portal, new_url) != TS_OK) {
        return TS_ERROR;
    }
    return ts_resp_page(r, status, "kyero/feeds.tpl", d);
}

/* The new secret URL is shown once, on the page the connection answers with. */
static int
portal_page_connect(ts_request_t *r)
{
    const char *portal = ts_req_param(r, "portal");
    const char *code = ts_req_form(r, "customer_code");
    cJSON *settings = cJSON_CreateObject();
    if (code != NULL && *code != '\0' && strlen(code) <= 100) {
        cJSON_AddStringToObject(settings, "customer_code", code);
    }
    char *url = NULL;
    int rc = kyero_portal_connect(r, portal, settings, &url);
    cJSON_Delete(settings);
    if (rc == TS_DECLINED) {
        return ts_resp_error(r, 404, "not_found", "no such portal", NULL);
    }
    return rc == TS_OK ? feeds_page_full(r, 200, NULL, portal, url) : TS_ERROR;
}

static int
feeds_page(ts_request_t *r)
{
    return feeds_page_render(r, 200, NULL);
}

static int
feeds_page_create(ts_request_t *r)
{
    cJSON *j = cJSON_CreateObject();
    static const char *const keys[] = { "name", "url", "frequency", "removal" };
    for (size_t i = 0; i < 4; i++) {
        const char *v = ts_req_form(r, keys[i]);
        if (v != NULL && *v != '\0') {
            cJSON_AddStringToObject(j, keys[i], v);
        }
    }
    kyero_feed_in_t in;
    cJSON *fields = NULL;
    int rc = kyero_feed_input(r, j, true, &in, &fields);
    int64_t id;
    if (rc == TS_DECLINED) {
        char *msg = ts_pstrdup(r->pool, "");
        for (cJSON *f = fields->child; f; f = f->next) {
            msg = ts_psprintf(r->pool, "%s%s%s: %s", msg, *msg ? "; " : "", f->string,
                              f->valuestring);
        }
        cJSON_Delete(fields);
        cJSON_Delete(j);
        return feeds_page_render(r, 422, msg);
    }
    rc = rc == TS_OK ? kyero_feed_create(r, &in, &id) : TS_ERROR;
    cJSON_Delete(j);
    return rc == TS_OK ? ts_resp_redirect(r, "/feeds") : TS_ERROR;
}

/* The feed of the {id} in the path: 0, or the status answered (404 for another tenant's). */
static int
feed_row(ts_request_t *r, int64_t *id, ts_db_result_t **f)
{
    if (ts_req_param_id(r, "id", id) != TS_OK) {
        return ts_resp_error(r, 404, "not_found", "no such feed", NULL);
    }
    *f = ts_db_query(r, "SELECT name, url, frequency, removal FROM kyero_feeds"
                        " WHERE tenant_id = {tenant} AND id = ? AND deleted_at IS NULL", "i", *id);
    if (*f == NULL) {
        return TS_ERROR;
    }
    return ts_db_rows(*f) ? 0 : ts_resp_error(r, 404, "not_found", "no such feed", NULL);
}

static int
feeds_page_sync(ts_request_t *r)
{
    int64_t id;
    ts_db_result_t *f;
    int rc = feed_row(r, &id, &f);
    if (rc != 0) {
        return rc;
    }
    return kyero_feed_enqueue(r, id) == TS_OK ? ts_resp_redirect(r, "/feeds") : TS_ERROR;
}

static void
run_reasons(ts_tpl_dict_t *row, const char *report)
{
    cJSON *rep = report ? cJSON_Parse(report) : NULL;
    const cJSON *errors = cJSON_GetObjectItemCaseSensitive(rep, "errors");
    int n = 0;
    for (const cJSON *e = errors ? errors->child : NULL; e && n < 20; e = e->next, n++) {
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "id"));
        if (id == NULL) {
            continue;   /* the document's own error shows on its own */
        }
        ts_tpl_dict_t *x = ts_tpl_section(row, "REASON");
        ts_tpl_set(x, "ID", id);
        ts_tpl_set(x, "REF", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "ref")));
        ts_tpl_set(x, "TEXT", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "reason")));
    }
    cJSON_Delete(rep);
}

/* The feed's photo counts and its first 20 failed photos: the listing, the URL and why. */
static int
photo_failures(ts_request_t *r, ts_tpl_dict_t *d, int64_t feed_id)
{
    ts_db_result_t *counts = photo_counts(r);
    const char *key = ts_psprintf(r->pool, "kyero:%lld", (long long) feed_id);
    ts_db_result_t *res = counts == NULL ? NULL
        : ts_db_query(r, "SELECT p.id, p.ref, m.source_url, m.fetch_error, m.fetch_tried_at"
                         " FROM property_media m JOIN properties p ON p.tenant_id = m.tenant_id"
                         " AND p.id = m.property_id WHERE m.tenant_id = {tenant}"
                         " AND m.fetch_state = 'failed' AND m.deleted_at IS NULL"
                         " AND p.deleted_at IS NULL AND p.source_feed = ?"
                         " ORDER BY p.ref, m.position, m.id LIMIT 20",
                      "s", key);
    if (res == NULL) {
        return TS_ERROR;
    }
    ts_tpl_dict_t *sec = ts_tpl_section(d, "PHOTOS");
    photo_counts_set(r, sec, counts, ts_psprintf(r->pool, "%lld", (long long) feed_id));
    ts_tpl_dict_t *table = ts_db_rows(res) > 0 ? ts_tpl_section(sec, "PHOTO_TABLE") : NULL;
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        ts_tpl_dict_t *row = ts_tpl_section(table, "PHOTO_FAILURE");
        ts_tpl_set(row, "PROPERTY_ID", ts_db_get(res, i, "id"));
        ts_tpl_set(row, "REF", ts_db_get(res, i, "ref"));
        ts_tpl_set(row, "URL", ts_db_get(res, i, "source_url"));
        const char *why = ts_db_get(res, i, "fetch_error");
        ts_tpl_set(row, "REASON", why ? why : "not fetched");
        const char *when = ts_db_get(res, i, "fetch_tried_at");
        ts_tpl_set(row, "TRIED", when ? when : "—");
    }
    if (ts_db_rows(res) == 0) {
        ts_tpl_show(sec, "NO_PHOTO_FAILURES");
    }
    return TS_OK;
}

static int
runs_page(ts_request_t *r)
{
    int64_t id;
    ts_db_result_t *f;
    int rc = feed_row(r, &id, &f);
    if (rc != 0) {
        return rc;
    }
    ts_db_result_t *res = ts_db_query(r, "SELECT status, received, created, updated, unchanged,"
                                         " withdrawn, rejected, error, error_line, error_column,"
                                         " report, started_at, duration_ms FROM kyero_runs"
                                         " WHERE tenant_id = {tenant} AND feed_id = ?"
                                         " ORDER BY id DESC LIMIT 50", "i", id);
    if (res == NULL) {
        return TS_ERROR;
    }
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    ts_tpl_set(d, "TITLE", ts_db_get(f, 0, "name"));
    ts_tpl_set(d, "NAME", ts_db_get(f, 0, "name"));
    ts_tpl_set(d, "URL", ts_db_get(f, 0, "url") ? ts_db_get(f, 0, "url") : "uploaded files");
    ts_tpl_set(d, "FREQUENCY", ts_db_get(f, 0, "frequency"));
    ts_tpl_set(d, "REMOVAL", ts_db_get(f, 0, "removal"));
    if (ts_db_rows(res) == 0) {
        ts_tpl_show(d, "EMPTY");
    }
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        ts_tpl_dict_t *row = ts_tpl_section(d, "RUN");
        ts_tpl_set(row, "STARTED", ts_db_get(res, i, "started_at"));
        ts_tpl_set(row, "STATUS", ts_db_get(res, i, "status"));
        ts_tpl_set(row, "DURATION", ts_db_get(res, i, "duration_ms") ? ts_db_get(res, i,
                                                                                 "duration_ms")
                                                                     : "—");
        run_counts(row, res, i);
        if (ts_db_get(res, i, "error") != NULL) {
            ts_tpl_dict_t *e = ts_tpl_section(row, "ERROR");
            ts_tpl_set(e, "MESSAGE", ts_db_get(res, i, "error"));
            if (ts_db_get_int(res, i, "error_line") > 0) {
                ts_tpl_dict_t *w = ts_tpl_section(e, "WHERE");
                ts_tpl_set(w, "LINE", ts_db_get(res, i, "error_line"));
                ts_tpl_set(w, "COLUMN", ts_db_get(res, i, "error_column"));
            }
        }
        run_reasons(row, ts_db_get(res, i, "report"));
    }
    return photo_failures(r, d, id) == TS_OK ? ts_resp_page(r, 200, "kyero/runs.tpl", d)
                                             : TS_ERROR;
}

int
kyero_ui_init(ts_plugin_ctx_t *ctx)
{
    if (ts_route_add_ex(ctx, TS_GET, "/feeds", feeds_page, TS_ROUTE_HTML, TS_ROLE_VIEWER) != TS_OK
        || ts_route_add_ex(ctx, TS_POST, "/feeds", feeds_page_create, TS_ROUTE_HTML,
                           TS_ROLE_MANAGER) != TS_OK
        || ts_route_add_ex(ctx, TS_GET, "/feeds/{id}", runs_page, TS_ROUTE_HTML, TS_ROLE_VIEWER)
               != TS_OK) {
        return TS_ERROR;
    }
    if (ts_route_add_ex(ctx, TS_POST, "/feeds/portals/{portal}", portal_page_connect,
                        TS_ROUTE_HTML, TS_ROLE_ADMIN) != TS_OK) {
        return TS_ERROR;
    }
    return ts_route_add_ex(ctx, TS_POST, "/feeds/{id}/sync", feeds_page_sync, TS_ROUTE_HTML,
                           TS_ROLE_AGENT);
}

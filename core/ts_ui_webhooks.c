/* Settings > Webhooks: the list with a create form (event + URL), delete, an
 * edit page (name, URL, events, active, secret) with a secret rotation that
 * shows the new secret once, and each webhook's deliveries with a manual
 * retry of failed ones. The logic is the API's (ts_webhook.c); these pages
 * read forms and render. */
#include <stdlib.h>
#include <string.h>
#include "ts_core.h"
#include "ts_lua.h"

typedef struct {
    const char *name, *url, *event;
    const cJSON *fields;     /* the refusal's, by field */
} webhook_form_t;

static void
field_error(ts_tpl_dict_t *d, const cJSON *fields, const char *key, const char *section)
{
    const char *msg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(fields, key));
    if (msg != NULL) {
        ts_tpl_set(ts_tpl_section(d, section), "MESSAGE", msg);
    }
}

static int
webhooks_page(ts_request_t *r, int status, const webhook_form_t *f)
{
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    ts_tpl_set(d, "TITLE", "Webhooks");
    ts_db_result_t *res = ts_db_query(r,
        "SELECT w.id, w.name, w.url, w.events, w.active, w.created_at,"
        " (SELECT COUNT(*) FROM webhook_deliveries x WHERE x.tenant_id = w.tenant_id AND"
        " x.webhook_id = w.id AND x.status = 'failed') AS failed FROM webhooks w WHERE"
        " w.tenant_id = {tenant} AND w.deleted_at IS NULL ORDER BY w.id", "");
    if (res == NULL) {
        return TS_ERROR;
    }
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        ts_tpl_dict_t *row = ts_tpl_section(d, "WEBHOOK");
        ts_tpl_set_int(row, "ID", ts_db_get_int(res, i, "id"));
        ts_tpl_set(row, "NAME", ts_db_get(res, i, "name"));
        ts_tpl_set(row, "URL", ts_db_get(res, i, "url"));
        ts_tpl_set(row, "EVENTS", ts_db_get(res, i, "events"));
        bool active = ts_db_get_int(res, i, "active") != 0;
        ts_tpl_set(row, "STATE", active ? "active" : "disabled");
        ts_tpl_set(row, "TOGGLE", active ? "Disable" : "Enable");
        ts_tpl_set(row, "TOGGLE_TO", active ? "0" : "1");
        ts_tpl_set_int(row, "FAILED", ts_db_get_int(res, i, "failed"));
        ts_tpl_set(row, "CREATED", ts_db_get(res, i, "created_at"));
    }
    if (ts_db_rows(res) == 0) {
        ts_tpl_show(d, "EMPTY");
    }
    const char *chosen = f && f->event ? f->event : "lead.created";
    const char *const *events = ts_webhook_events();
    for (int i = -1; i < 0 || events[i]; i++) {
        const char *e = i < 0 ? "*" : events[i];
        ts_tpl_dict_t *o = ts_tpl_section(d, "EVENT_OPT");
        ts_tpl_set(o, "VALUE", e);
        ts_tpl_set(o, "LABEL", i < 0 ? "Every event (*)" : e);
        if (strcmp(e, chosen) == 0) {
            ts_tpl_show(o, "SELECTED");
        }
    }
    ts_tpl_set(d, "FORM_NAME", f && f->name ? f->name : "");
    ts_tpl_set(d, "FORM_URL", f && f->url ? f->url : "");
    if (f && f->fields) {
        ts_tpl_set(ts_tpl_section(d, "ERRORS"), "MESSAGE", "The webhook was not created: see"
                                                            " the fields below.");
        field_error(d, f->fields, "name", "NAME_ERROR");
        field_error(d, f->fields, "url", "URL_ERROR");
        field_error(d, f->fields, "events", "EVENT_ERROR");
    }
    return ts_resp_page(r, status, "webhooks.tpl", d);
}

static int
list_get(ts_request_t *r)
{
    return webhooks_page(r, 200, NULL);
}

static int
create_post(ts_request_t *r)
{
    webhook_form_t f = { ts_req_form(r, "name"), ts_req_form(r, "url"),
                         ts_req_form(r, "event"), NULL };
    cJSON *b = cJSON_CreateObject();
    if (f.name) {
        cJSON_AddStringToObject(b, "name", f.name);
    }
    if (f.url) {
        cJSON_AddStringToObject(b, "url", f.url);
    }
    cJSON *ev = cJSON_AddArrayToObject(b, "events");
    if (f.event && *f.event) {
        cJSON_AddItemToArray(ev, cJSON_CreateString(f.event));
    }
    const char *secret = ts_req_form(r, "secret");
    if (secret && *secret) {
        cJSON_AddStringToObject(b, "secret", secret);
    }
    cJSON *fields = NULL;
    int64_t id = 0;
    int rc = ts_webhook_create(r, b, &fields, &id);
    cJSON_Delete(b);
    if (rc == 422) {
        f.fields = fields;
        rc = webhooks_page(r, 422, &f);
        cJSON_Delete(fields);
        return rc;
    }
    if (rc != 0) {
        return TS_ERROR;
    }
    ts_ui_flash(r, "webhook_created");
    return ts_resp_redirect(r, "/settings/webhooks");
}

/* The end of a change made from a page: 404, an error, or the list with a flash. */
static int
back_to_list(ts_request_t *r, int rc, const char *flash)
{
    if (rc == 404) {
        return ts_resp_error(r, 404, "not_found", "no such webhook", NULL);
    }
    if (rc != 0) {
        return TS_ERROR;
    }
    ts_ui_flash(r, flash);
    return ts_resp_redirect(r, "/settings/webhooks");
}

static int
delete_post(ts_request_t *r)
{
    int64_t id;
    int rc = ts_req_param_id(r, "id", &id) == TS_OK ? ts_webhook_delete(r, id) : 404;
    return back_to_list(r, rc, "webhook_deleted");
}

/* Disable or enable: the same change as PATCH {"active": ...}. */
static int
active_post(ts_request_t *r)
{
    int64_t id;
    const char *to = ts_req_form(r, "active");
    bool on = to != NULL && strcmp(to, "1") == 0;
    cJSON *b = cJSON_CreateObject();
    cJSON_AddBoolToObject(b, "active", on);
    cJSON *fields = NULL;
    char fresh[65];
    int rc = ts_req_param_id(r, "id", &id) == TS_OK ? ts_webhook_update(r, id, b, &fields, fresh)
                                                   : 404;
    cJSON_Delete(b);
    cJSON_Delete(fields);
    return back_to_list(r, rc, on ? "webhook_enabled" : "webhook_disabled");
}

/* The edit page: the stored webhook, or what was typed after a refusal
 * (posted), with each field's error; a rotation's new secret, once. */
static int
edit_page(ts_request_t *r, int status, int64_t id, bool posted, const cJSON *fields,
          const char *fresh)
{
    ts_db_result_t *w = ts_db_query(r, "SELECT id, name, url, events, active, secret IS NOT NULL"
                                       " AS has_secret FROM webhooks WHERE tenant_id = {tenant}"
                                       " AND id = ? AND deleted_at IS NULL", "i", id);
    if (w == NULL) {
        return TS_ERROR;
    }
    if (ts_db_rows(w) == 0) {
        return ts_resp_error(r, 404, "not_found", "no such webhook", NULL);
    }
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    ts_tpl_set(d, "TITLE", ts_psprintf(r->pool, "Edit webhook %s", ts_db_get(w, 0, "name")));
    ts_tpl_set_int(d, "ID", id);
    ts_tpl_set(d, "FORM_NAME", posted ? ts_req_form(r, "name") : ts_db_get(w, 0, "name"));
    ts_tpl_set(d, "FORM_URL", posted ? ts_req_form(r, "url") : ts_db_get(w, 0, "url"));
    if (posted ? ts_req_form(r, "active") != NULL : ts_db_get_int(w, 0, "active") != 0) {
        ts_tpl_show(d, "ACTIVE");
    }
    ts_tpl_set(d, "SECRET_STATE", ts_db_get_int(w, 0, "has_secret") ? "set" : "none");
    if (ts_db_get_int(w, 0, "has_secret")) {
        ts_tpl_show(d, "HAS_SECRET");
    }
    /* The events ticked: " a b " as stored, or the posted boxes. */
    const char *stored = ts_psprintf(r->pool, " %s ", ts_db_get(w, 0, "events"));
    const char *ticked[64];
    size_t nt = posted ? ts_req_form_values(r, "events", ticked, 64) : 0;
    const char *const *events = ts_webhook_events();
    for (int i = -1; i < 0 || events[i]; i++) {
        const char *e = i < 0 ? "*" : events[i];
        ts_tpl_dict_t *o = ts_tpl_section(d, "EVENT_BOX");
        ts_tpl_set(o, "VALUE", e);
        ts_tpl_set(o, "LABEL", i < 0 ? "Every event (*)" : e);
        ts_tpl_set_int(o, "N", i + 1);
        bool on = false;
        for (size_t k = 0; k < nt && k < 64 && !on; k++) {
            on = strcmp(ticked[k], e) == 0;
        }
        if (posted ? on : strstr(stored, ts_psprintf(r->pool, " %s ", e)) != NULL) {
            ts_tpl_show(o, "CHECKED");
        }
    }
    if (fields != NULL) {
        ts_tpl_set(ts_tpl_section(d, "ERRORS"), "MESSAGE", "The webhook was not saved: see the"
                                                            " fields below.");
        field_error(d, fields, "name", "NAME_ERROR");
        field_error(d, fields, "url", "URL_ERROR");
        field_error(d, fields, "events", "EVENT_ERROR");
        field_error(d, fields, "secret", "SECRET_ERROR");
    }
    if (fresh != NULL && *fresh) {
        ts_tpl_set(ts_tpl_section(d, "FRESH"), "SECRET", fresh);
        ts_resp_header(r, "Cache-Control", "no-store");
    }
    return ts_resp_page(r, status, "webhook_edit.tpl", d);
}

static int
edit_get(ts_request_t *r)
{
    int64_t id;
    if (ts_req_param_id(r, "id", &id) != TS_OK) {
        return ts_resp_error(r, 404, "not_found", "no such webhook", NULL);
    }
    return edit_page(r, 200, id, false, NULL, NULL);
}

/* The edit form as PATCH: name, url, events (the ticked boxes), active; a
 * secret typed replaces the one stored, "remove the secret" clears it. */
static int
edit_post(ts_request_t *r)
{
    int64_t id;
    if (ts_req_param_id(r, "id", &id) != TS_OK) {
        return ts_resp_error(r, 404, "not_found", "no such webhook", NULL);
    }
    cJSON *b = cJSON_CreateObject();
    static const char *const text[] = { "name", "url", NULL };
    for (int i = 0; text[i]; i++) {
        const char *v = ts_req_form(r, text[i]);
        cJSON_AddStringToObject(b, text[i], v ? v : "");
    }
    cJSON *ev = cJSON_AddArrayToObject(b, "events");
    const char *ticked[64];
    size_t nt = ts_req_form_values(r, "events", ticked, 64);
    for (size_t k = 0; k < nt && k < 64; k++) {
        cJSON_AddItemToArray(ev, cJSON_CreateString(ticked[k]));
    }
    cJSON_AddBoolToObject(b, "active", ts_req_form(r, "active") != NULL);
    const char *secret = ts_req_form(r, "secret");
    if (secret && *secret) {
        cJSON_AddStringToObject(b, "secret", secret);
    } else if (ts_req_form(r, "clear_secret") != NULL) {
        cJSON_AddNullToObject(b, "secret");
    }
    cJSON *fields = NULL;
    char fresh[65];
    int rc = ts_webhook_update(r, id, b, &fields, fresh);
    cJSON_Delete(b);
    if (rc == 422) {
        rc = edit_page(r, 422, id, true, fields, NULL);
        cJSON_Delete(fields);
        return rc;
    }
    return back_to_list(r, rc, "webhook_saved");
}

/* A new random secret, shown on the answer once (never again, never in a redirect). */
static int
rotate_post(ts_request_t *r)
{
    int64_t id;
    if (ts_req_param_id(r, "id", &id) != TS_OK) {
        return ts_resp_error(r, 404, "not_found", "no such webhook", NULL);
    }
    cJSON *b = cJSON_CreateObject();
    cJSON_AddTrueToObject(b, "rotate_secret");
    cJSON *fields = NULL;
    char fresh[65];
    int rc = ts_webhook_update(r, id, b, &fields, fresh);
    cJSON_Delete(b);
    cJSON_Delete(fields);
    if (rc == 404) {
        return ts_resp_error(r, 404, "not_found", "no such webhook", NULL);
    }
    if (rc != 0) {
        return TS_ERROR;
    }
    return edit_page(r, 200, id, false, NULL, fresh);
}

static int
deliveries_get(ts_request_t *r)
{
    int64_t id;
    ts_db_result_t *w = ts_req_param_id(r, "id", &id) == TS_OK
        ? ts_db_query(r, "SELECT id, name, url FROM webhooks WHERE tenant_id = {tenant} AND"
                         " id = ? AND deleted_at IS NULL", "i", id) : NULL;
    if (w == NULL || ts_db_rows(w) == 0) {
        return ts_resp_error(r, 404, "not_found", "no such webhook", NULL);
    }
    ts_db_result_t *res = ts_db_query(r,
        "SELECT id, event, status, attempts, response_status, last_error, next_attempt_at,"
        " created_at FROM webhook_deliveries WHERE tenant_id = {tenant} AND webhook_id = ?"
        " ORDER BY id DESC LIMIT 200", "i", id);
    if (res == NULL) {
        return TS_ERROR;
    }
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    ts_tpl_set(d, "TITLE", ts_psprintf(r->pool, "Deliveries of %s", ts_db_get(w, 0, "name")));
    ts_tpl_set_int(d, "WEBHOOK_ID", id);
    ts_tpl_set(d, "WEBHOOK_NAME", ts_db_get(w, 0, "name"));
    ts_tpl_set(d, "WEBHOOK_URL", ts_db_get(w, 0, "url"));
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        ts_tpl_dict_t *row = ts_tpl_section(d, "DELIVERY");
        const char *status = ts_db_get(res, i, "status");
        const char *code = ts_db_get(res, i, "response_status");
        const char *err = ts_db_get(res, i, "last_error");
        const char *next = ts_db_get(res, i, "next_attempt_at");
        ts_tpl_set_int(row, "ID", ts_db_get_int(res, i, "id"));
        ts_tpl_set(row, "EVENT", ts_db_get(res, i, "event"));
        ts_tpl_set(row, "STATUS", status);
        ts_tpl_set(row, "ATTEMPTS", ts_db_get(res, i, "attempts"));
        ts_tpl_set(row, "RESPONSE", code ? code : "—");
        ts_tpl_set(row, "ERROR", err ? err : "");
        ts_tpl_set(row, "NEXT", next ? next : "—");
        ts_tpl_set(row, "CREATED", ts_db_get(res, i, "created_at"));
        if (strcmp(status, "failed") == 0) {
            ts_tpl_show(row, "CAN_RETRY");
        }
    }
    if (ts_db_rows(res) == 0) {
        ts_tpl_show(d, "EMPTY");
    }
    return ts_resp_page(r, 200, "webhook_deliveries.tpl", d);
}

static int
retry_post(ts_request_t *r)
{
    int64_t id;
    ts_db_result_t *del = ts_req_param_id(r, "id", &id) == TS_OK
        ? ts_db_query(r, "SELECT webhook_id FROM webhook_deliveries WHERE tenant_id = {tenant}"
                         " AND id = ?", "i", id) : NULL;
    int rc = del && ts_db_rows(del) ? ts_webhook_retry(r, id) : 404;
    if (rc == 404) {
        return ts_resp_error(r, 404, "not_found", "no such delivery awaiting a retry", NULL);
    }
    if (rc != 0) {
        return TS_ERROR;
    }
    ts_ui_flash(r, "delivery_retried");
    return ts_resp_redirect(r, ts_psprintf(r->pool, "/settings/webhooks/%lld/deliveries",
                                           (long long) ts_db_get_int(del, 0, "webhook_id")));
}

int
ts_ui_webhooks_routes(ts_plugin_ctx_t *ctx)
{
    const unsigned html = TS_ROUTE_HTML;
    int rc = ts_route_add_ex(ctx, TS_GET, "/settings/webhooks", list_get, html, TS_ROLE_ADMIN);
    rc |= ts_route_add_ex(ctx, TS_POST, "/settings/webhooks", create_post, html, TS_ROLE_ADMIN);
    rc |= ts_route_add_ex(ctx, TS_POST, "/settings/webhooks/{id}/delete", delete_post, html,
                          TS_ROLE_ADMIN);
    rc |= ts_route_add_ex(ctx, TS_POST, "/settings/webhooks/{id}/active", active_post, html,
                          TS_ROLE_ADMIN);
    rc |= ts_route_add_ex(ctx, TS_GET, "/settings/webhooks/{id}", edit_get, html, TS_ROLE_ADMIN);
    rc |= ts_route_add_ex(ctx, TS_POST, "/settings/webhooks/{id}", edit_post, html, TS_ROLE_ADMIN);
    rc |= ts_route_add_ex(ctx, TS_POST, "/settings/webhooks/{id}/rotate", rotate_post, html,
                          TS_ROLE_ADMIN);
    rc |= ts_route_add_ex(ctx, TS_GET, "/settings/webhooks/{id}/deliveries", deliveries_get,
                          html, TS_ROLE_ADMIN);
    rc |= ts_route_add_ex(ctx, TS_POST, "/settings/webhook-deliveries/{id}/retry", retry_post,
                          html, TS_ROLE_ADMIN);
    return rc ? TS_ERROR : TS_OK;
}

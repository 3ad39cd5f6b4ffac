/* Settings > Scripts: the list, a script's code page (edit, versions, rollback,
 * test run) and the script-errors page. The logic is the API's (ts_lua_scripts.c);
 * these pages only read forms and render. */
#include <stdlib.h>
#include <string.h>
#include "ts_core.h"
#include "ts_lua.h"

#define MAX_CODE (64 * 1024)

static const char *
kind_label(const char *kind)
{
    return strcmp(kind, "scorer") == 0 ? "Scorer" : strcmp(kind, "workflow") == 0 ? "Workflow"
                                                                                  : "Custom fields";
}

static int
scripts_page(ts_request_t *r)
{
    /* The "new script" form: a GET naming the script to open in the editor. */
    const char *wanted = ts_req_query(r, "name");
    if (wanted != NULL && ts_lua_script_name_valid(wanted)) {
        return ts_resp_redirect(r, ts_psprintf(r->pool, "/settings/scripts/%s", wanted));
    }
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    ts_tpl_set(d, "TITLE", "Scripts");
    ts_tpl_set(d, "NEW_NAME", wanted ? wanted : "");
    if (wanted != NULL) {
        ts_tpl_show(d, "NAME_ERROR");
    }
    cJSON *items = ts_lua_scripts_json(r);
    if (items == NULL) {
        return TS_ERROR;
    }
    ts_tpl_set(d, "ACTIVE_SCORER", ts_lua_active_scorer(r));
    for (const cJSON *i = items->child; i; i = i->next) {
        ts_tpl_dict_t *row = ts_tpl_section(d, "SCRIPT");
        const char *origin = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(i, "origin"));
        bool own = origin && strcmp(origin, "tenant") == 0;
        const cJSON *version = cJSON_GetObjectItemCaseSensitive(i, "version");
        const char *at = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(i, "updated_at"));
        ts_tpl_set(row, "NAME", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(i, "name")));
        ts_tpl_set(row, "KIND", kind_label(cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(i, "kind"))));
        ts_tpl_set(row, "VERSION", own ? ts_psprintf(r->pool, "v%d", version->valueint)
                                       : "default");
        ts_tpl_set(row, "ORIGIN", own ? "This agency" : "Install");
        ts_tpl_set(row, "UPDATED", at && *at ? at : "—");
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(i, "active_scorer"))) {
            ts_tpl_show(row, "ACTIVE");
        }
    }
    cJSON_Delete(items);
    return ts_resp_page(r, wanted ? 422 : 200, "scripts.tpl", d);
}

/* The code page: the editor holds code (what was typed, after a refusal). */
typedef struct {
    const char *code;
    const char *error;       /* the upload's Lua error */
    const char *record_id;   /* the test run's */
    const char *event;
    const char *test_error;
    cJSON      *test_out;
} code_view_t;

static int
code_page(ts_request_t *r, int status, const char *name, const code_view_t *v)
{
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    ts_tpl_set(d, "TITLE", ts_psprintf(r->pool, "Script %s", name));
    ts_tpl_set(d, "NAME", name);
    long long version = 0;
    const char *code = ts_lua_script_code(r, name, &version);
    ts_tpl_set(d, "CODE", v->code ? v->code : code ? code : "");
    ts_tpl_set(d, "IN_EFFECT", code == NULL ? "not saved yet"
                               : version ? ts_psprintf(r->pool, "version %lld", version)
                                         : "the install's default");
    if (v->error != NULL) {
        ts_tpl_dict_t *e = ts_tpl_section(d, "CODE_ERROR");
        ts_tpl_set(e, "MESSAGE", v->error);
        int line = ts_lua_error_line(v->error);
        if (line > 0) {
            ts_tpl_set_int(ts_tpl_section(e, "LINE"), "LINE_NO", line);
        }
    }
    ts_db_result_t *vs = ts_db_query(r,
        "SELECT s.version, s.kind, CAST(s.created_at AS DATETIME) AS created_at, u.email"
        " FROM lua_scripts s LEFT JOIN users u ON u.tenant_id = s.tenant_id AND"
        " u.id = s.created_by WHERE s.tenant_id = {tenant} AND s.name = ?"
        " ORDER BY s.version DESC LIMIT 100", "s", name);
    if (vs == NULL) {
        return TS_ERROR;
    }
    ts_tpl_dict_t *list = ts_db_rows(vs) ? ts_tpl_section(d, "HAS_VERSIONS") : NULL;
    for (size_t i = 0; i < ts_db_rows(vs); i++) {
        ts_tpl_dict_t *row = ts_tpl_section(list, "VERSION");
        ts_tpl_set_int(row, "NUMBER", ts_db_get_int(vs, i, "version"));
        ts_tpl_set(row, "KIND", kind_label(ts_db_get(vs, i, "kind")));
        ts_tpl_set(row, "CREATED", ts_db_get(vs, i, "created_at"));
        const char *by = ts_db_get(vs, i, "email");
        ts_tpl_set(row, "BY", by ? by : "—");
        if (i == 0) {
            ts_tpl_show(row, "CURRENT");
        } else {
            ts_tpl_show(row, "CAN_ROLLBACK");
        }
    }
    /* A scorer that is not the active one can become it. */
    if (strcmp(ts_lua_active_scorer(r), name) == 0) {
        ts_tpl_show(d, "IS_SCORER");
    } else if (ts_db_rows(vs) ? strcmp(ts_db_get(vs, 0, "kind"), "scorer") == 0
                              : code != NULL && strchr(name, '.') == NULL) {
        ts_tpl_show(d, "CAN_ACTIVATE");
    }
    if (ts_db_rows(vs) == 0) {
        ts_tpl_set(ts_tpl_section(d, "NO_VERSIONS"), "MESSAGE", code != NULL
                   ? "This agency has no version of its own yet: the install's default is in"
                     " effect."
                   : "Nothing saved yet: the first save makes version 1.");
    }
    ts_tpl_set(d, "RECORD_ID", v->record_id ? v->record_id : "");
    ts_tpl_set(d, "EVENT", v->event ? v->event : "");
    if (v->test_error != NULL) {
        ts_tpl_dict_t *e = ts_tpl_section(d, "TEST_ERROR");
        ts_tpl_set(e, "MESSAGE", v->test_error);
        int line = ts_lua_error_line(v->test_error);
        if (line > 0) {
            ts_tpl_set_int(ts_tpl_section(e, "LINE"), "LINE_NO", line);
        }
    }
    if (v->test_out != NULL) {
        ts_tpl_dict_t *t = ts_tpl_section(d, "TEST_RESULT");
        const cJSON *score = cJSON_GetObjectItemCaseSensitive(v->test_out, "score");
        if (cJSON_IsNumber(score)) {
            ts_tpl_dict_t *s = ts_tpl_section(t, "SCORE");
            ts_tpl_set_int(s, "SCORE_VALUE", (long long) score->valuedouble);
            const char *temp = cJSON_GetStringValue(
                cJSON_GetObjectItemCaseSensitive(v->test_out, "temperature"));
            ts_tpl_set(s, "TEMPERATURE", temp ? temp : "");
        }
        char *json = cJSON_Print(v->test_out);
        ts_tpl_set(t, "JSON", json ? json : "");
        cJSON_free(json);
    }
    return ts_resp_page(r, status, "script_code.tpl", d);
}

static const char *
script_name(ts_request_t *r)
{
    const char *name = ts_req_param(r, "name");
    return ts_lua_script_name_valid(name) ? name : NULL;
}

static int
not_found(ts_request_t *r)
{
    return ts_resp_error(r, 404, "not_found", "no such script", NULL);
}

static int
code_get(ts_request_t *r)
{
    const char *name = script_name(r);
    if (name == NULL) {
        return not_found(r);
    }
    code_view_t v = { 0 };
    return code_page(r, 200, name, &v);
}

/* Saving adds a version; a refusal answers 422 with the typed code kept. */
static int
code_post(ts_request_t *r)
{
    const char *name = script_name(r);
    if (name == NULL) {
        return not_found(r);
    }
    /* Browsers send a textarea's lines ending in CRLF: store them as typed. */
    const char *sent = ts_req_form(r, "code");
    char *code = sent ? ts_pstrdup(r->pool, sent) : NULL;
    if (code != NULL) {
        char *out = code;
        for (const char *in = code; *in; in++) {
            if (in[0] != '\r' || in[1] != '\n') {
                *out++ = *in;
            }
        }
        *out = '\0';
    }
    code_view_t v = { .code = code ? code : "" };
    if (code == NULL || *code == '\0' || strlen(code) > MAX_CODE) {
        v.error = "The script needs some code, up to 65536 bytes.";
        return code_page(r, 422, name, &v);
    }
    char err[512];
    const char *kind = NULL;
    int64_t version = 0;
    int rc = ts_lua_script_save(r, name, code, &kind, &version, err, sizeof(err));
    if (rc == 422) {
        v.error = err;
        return code_page(r, 422, name, &v);
    }
    if (rc != 0) {
        return TS_ERROR;
    }
    ts_ui_flash(r, "script_saved");
    return ts_resp_redirect(r, ts_psprintf(r->pool, "/settings/scripts/%s", name));
}

static int
rollback_post(ts_request_t *r)
{
    const char *name = script_name(r);
    const char *to = ts_req_form(r, "version");
    int64_t version = 0;
    int rc = name && to ? ts_lua_script_rollback(r, name, atoll(to), &version) : 404;
    if (rc == 404) {
        return ts_resp_error(r, 404, "not_found", "no such version of this script", NULL);
    }
    if (rc != 0) {
        return TS_ERROR;
    }
    ts_ui_flash(r, "script_rolled_back");
    return ts_resp_redirect(r, ts_psprintf(r->pool, "/settings/scripts/%s", name));
}

static int
activate_post(ts_request_t *r)
{
    const char *name = script_name(r);
    if (name == NULL) {
        return not_found(r);
    }
    char err[512];
    int rc = ts_lua_script_activate(r, name, err, sizeof(err));
    if (rc == 404 || rc == 422) {
        code_view_t v = { .error = err };
        return code_page(r, rc, name, &v);
    }
    if (rc != 0) {
        return TS_ERROR;
    }
    ts_ui_flash(r, "scorer_activated");
    return ts_resp_redirect(r, ts_psprintf(r->pool, "/settings/scripts/%s", name));
}

/* A dry run: the page again, with what the script would do or its error. */
static int
test_post(ts_request_t *r)
{
    const char *name = script_name(r);
    if (name == NULL) {
        return not_found(r);
    }
    const char *rid = ts_req_form(r, "record_id");
    const char *event = ts_req_form(r, "event");
    code_view_t v = { .record_id = rid, .event = event };
    char *end = NULL;
    long long id = rid ? strtoll(rid, &end, 10) : 0;
    if (rid == NULL || *rid == '\0' || *end != '\0' || id < 1) {
        v.test_error = "Enter the id of a lead or contact.";
        return code_page(r, 422, name, &v);
    }
    char err[1024];
    const char *kind = NULL;
    cJSON *out = NULL;
    int rc = ts_lua_script_test(r, name, id, event && *event ? event : NULL, &kind, &out, err,
                                sizeof(err));
    if (rc == 404 || rc == 422 || rc == 503) {
        v.test_error = err;
        return code_page(r, 422, name, &v);
    }
    v.test_out = out;
    rc = code_page(r, 200, name, &v);
    cJSON_Delete(out);
    return rc;
}

/* Which limit a failure hit, from the message ts_lua_call wrote. */
static const char *
limit_of(const char *msg)
{
    static const char *const limits[] = { "instruction limit", "memory limit",
                                          "wall-clock limit" };
    for (size_t i = 0; msg && i < sizeof(limits) / sizeof(limits[0]); i++) {
        if (strstr(msg, limits[i]) != NULL) {
            return limits[i];
        }
    }
    return "Lua error";
}

static int
errors_page(ts_request_t *r)
{
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    ts_tpl_set(d, "TITLE", "Script errors");
    ts_db_result_t *res = ts_db_query(r,
        "SELECT id, script, event, error, CAST(created_at AS DATETIME) AS created_at"
        " FROM lua_runs WHERE tenant_id = {tenant} AND outcome = 'error'"
        " ORDER BY id DESC LIMIT 200", "");
    if (res == NULL) {
        return TS_ERROR;
    }
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        ts_tpl_dict_t *row = ts_tpl_section(d, "RUN");
        const char *err = ts_db_get(res, i, "error");
        ts_tpl_set(row, "SCRIPT", ts_db_get(res, i, "script"));
        ts_tpl_set(row, "EVENT", ts_db_get(res, i, "event"));
        ts_tpl_set(row, "LIMIT", limit_of(err));
        int line = ts_lua_error_line(err);
        ts_tpl_set(row, "LINE", line > 0 ? ts_psprintf(r->pool, "%d", line) : "—");
        ts_tpl_set(row, "MESSAGE", err ? err : "");
        ts_tpl_set(row, "CREATED", ts_db_get(res, i, "created_at"));
    }
    if (ts_db_rows(res) == 0) {
        ts_tpl_show(d, "EMPTY");
    }
    return ts_resp_page(r, 200, "script_errors.tpl", d);
}

int
ts_ui_scripts_routes(ts_plugin_ctx_t *ctx)
{
    const unsigned html = TS_ROUTE_HTML;
    int rc = ts_route_add_ex(ctx, TS_GET, "/settings/scripts", scripts_page, html, TS_ROLE_ADMIN);
    rc |= ts_route_add_ex(ctx, TS_GET, "/settings/script-errors", errors_page, html,
                          TS_ROLE_ADMIN);
    rc |= ts_route_add_ex(ctx, TS_GET, "/settings/scripts/{name}", code_get, html, TS_ROLE_ADMIN);
    rc |= ts_route_add_ex(ctx, TS_POST, "/settings/scripts/{name}", code_post, html,
                          TS_ROLE_ADMIN);
    rc |= ts_route_add_ex(ctx, TS_POST, "/settings/scripts/{name}/rollback", rollback_post, html,
                          TS_ROLE_ADMIN);
    rc |= ts_route_add_ex(ctx, TS_POST, "/settings/scripts/{name}/test", test_post, html,
                          TS_ROLE_ADMIN);
    rc |= ts_route_add_ex(ctx, TS_POST, "/settings/scripts/{name}/activate", activate_post, html,
                          TS_ROLE_ADMIN);
    return rc ? TS_ERROR : TS_OK;
}

/* Saved views: a named filter, columns and sort on a list, personal or shared
 * with the team. Generic: `list` names the list (properties and deals too). */
#include <string.h>
#include "contacts.h"

static const char *const lists[] = {
    "leads", "contacts", "relations", "properties", "deals", "tasks", NULL };

static bool
in_list(const char *const *l, const char *v)
{
    for (; *l; l++) {
        if (strcmp(*l, v) == 0) {
            return true;
        }
    }
    return false;
}

static cJSON *
view_json(ts_request_t *r, ts_db_result_t *res, size_t i)
{
    cJSON *o = ts_db_row_json(r, res, i);
    cJSON *f = cJSON_Parse(ts_db_get(res, i, "filters"));
    cJSON_ReplaceItemInObjectCaseSensitive(o, "filters", f ? f : cJSON_CreateObject());
    const char *cols = ts_db_get(res, i, "columns");
    cJSON *c = cols ? cJSON_Parse(cols) : NULL;
    cJSON_ReplaceItemInObjectCaseSensitive(o, "columns", c ? c : cJSON_CreateArray());
    cJSON_ReplaceItemInObjectCaseSensitive(o, "shared", cJSON_CreateBool(ts_db_get_int(res, i, "shared")));
    return o;
}

#define VIEW_COLS "SELECT id, list, name, owner_id, shared, filters, columns, sort, created_at," \
                  " updated_at FROM saved_views"

static ts_db_result_t *
view_row(ts_request_t *r, int64_t id)
{
    return ts_db_query(r, VIEW_COLS " WHERE tenant_id = {tenant} AND id = ? AND (owner_id = ?"
                          " OR shared = 1)", "ii", id, r->user->id);
}

static int
views_index(ts_request_t *r)
{
    const char *list = ts_req_query(r, "list");
    ts_db_result_t *res = list
        ? ts_db_query(r, VIEW_COLS " WHERE tenant_id = {tenant} AND list = ? AND (owner_id = ?"
                         " OR shared = 1) ORDER BY name, id LIMIT 200", "si", list, r->user->id)
        : ts_db_query(r, VIEW_COLS " WHERE tenant_id = {tenant} AND (owner_id = ? OR shared = 1)"
                         " ORDER BY list, name, id LIMIT 200", "i", r->user->id);
    if (res == NULL) {
        return TS_ERROR;
    }
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        cJSON_AddItemToArray(a, view_json(r, res, i));
    }
    return ts_resp_list(r, a, NULL, (long long) ts_db_rows(res));
}

static int
views_show(ts_request_t *r)
{
    int64_t id;
    ts_db_result_t *res = ts_req_param_id(r, "id", &id) == TS_OK ? view_row(r, id) : NULL;
    if (res == NULL || ts_db_rows(res) == 0) {
        return ts_resp_error(r, 404, "not_found", "no such saved view", NULL);
    }
    return ts_resp_data(r, 200, view_json(r, res, 0));
}

/* Checks the body; for the lists this plugin serves, also the filters and
 * sort, by building the list's query from them; for the others, by the check
 * their plugin registered. */
static cJSON *
check_view(ts_request_t *r, const cJSON *in, const char *list_before, bool create)
{
    cJSON *fields = NULL;
    static const char *const known[] = { "list", "name", "filters", "columns", "sort", "shared", NULL };
    const cJSON *e;
    cJSON_ArrayForEach(e, in) {
        if (!in_list(known, e->string)) {
            contacts_field_error(&fields, e->string, "unknown field");
        }
    }
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(in, "list");
    if (!create && list) {
        contacts_field_error(&fields, "list", "cannot be changed");
    } else if (create && (!cJSON_IsString(list) || !in_list(lists, list->valuestring))) {
        contacts_field_error(&fields, "list", "one of leads, contacts, relations, properties, deals, tasks");
    }
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(in, "name");
    if ((create || name) && (!cJSON_IsString(name) || name->valuestring[0] == '\0'
                             || strlen(name->valuestring) > 100
                             || !contacts_text_ok(name->valuestring, false))) {
        contacts_field_error(&fields, "name", "required, at most 100 characters");
    }
    const cJSON *filters = cJSON_GetObjectItemCaseSensitive(in, "filters");
    if (filters && !cJSON_IsObject(filters)) {
        contacts_field_error(&fields, "filters", "must be an object");
    }
    cJSON_ArrayForEach(e, filters) {
        if (!(cJSON_IsString(e) || cJSON_IsNumber(e) || cJSON_IsArray(e)) || strlen(e->string) > 64) {
            contacts_field_error(&fields, ts_psprintf(r->pool, "filters.%s", e->string),
                                 "a string, number or list");
        }
    }
    const cJSON *cols = cJSON_GetObjectItemCaseSensitive(in, "columns");
    if (cols && !cJSON_IsNull(cols) && (!cJSON_IsArray(cols) || cJSON_GetArraySize(cols) > 40)) {
        contacts_field_error(&fields, "columns", "a list of at most 40 column names");
    }
    cJSON_ArrayForEach(e, cols) {
        if (!cJSON_IsString(e) || strlen(e->valuestring) > 64) {
            contacts_field_error(&fields, "columns", "a list of at most 40 column names");
        }
    }
    const cJSON *sort = cJSON_GetObjectItemCaseSensitive(in, "sort");
    if (sort && !cJSON_IsNull(sort) && (!cJSON_IsString(sort) || strlen(sort->valuestring) > 64)) {
        contacts_field_error(&fields, "sort", "a column name, - first for descending");
    }
    const cJSON *shared = cJSON_GetObjectItemCaseSensitive(in, "shared");
    if (shared && !cJSON_IsBool(shared)) {
        contacts_field_error(&fields, "shared", "true or false");
    } else if (cJSON_IsTrue(shared) && r->user->role < TS_ROLE_AGENT) {
        contacts_field_error(&fields, "shared", "viewers keep personal views only");
    }
    const char *lname = create ? cJSON_GetStringValue(list) : list_before;
    contacts_kind_t kind = contacts_kind_parse(lname);
    if (fields == NULL && kind != 0 && (filters || sort)) {
        contacts_listctx_t lc = { .filters = filters, .ignore_query = true,
                                  .view_sort = cJSON_GetStringValue(sort) };
        contacts_q_t w;
        contacts_q_init(&w, r->pool, "");
        contacts_list_where(r, kind, &lc, &w, &fields, "filters.");
        cJSON_ArrayForEach(e, filters) {
            static const char *const names[] = {
                "status", "type", "source", "stage", "urgency", "transaction", "language", "role",
                "tag", "agent_id", "created_from", "created_to", "updated_from", "updated_to",
                "budget_from", "budget_to", "score_min", "score_max", "q", NULL };
            /* custom.KEY filters: checked by contacts_list_where against the definitions. */
            if (!in_list(names, e->string) && strncmp(e->string, "custom.", 7) != 0) {
                contacts_field_error(&fields, ts_psprintf(r->pool, "filters.%s", e->string),
                                     "unknown filter");
            }
        }
        if (fields == NULL && cJSON_IsString(sort)) {
            contacts_page_t pg;
            if (contacts_list_page(r, kind, &lc, 1, NULL, false, &pg, &fields) == TS_ERROR) {
                contacts_field_error(&fields, "sort", "cannot be checked");
            }
        }
    } else if (fields == NULL && (filters || sort)) {
        /* The other lists: the check their plugin registered (ts_view_check_register). */
        ts_view_check(r, lname, filters, cJSON_GetStringValue(sort), &fields);
    }
    return fields;
}

static char *
json_text(ts_request_t *r, const cJSON *j)
{
    if (j == NULL || cJSON_IsNull(j)) {
        return NULL;
    }
    char *t = cJSON_PrintUnformatted(j);
    char *s = ts_pstrdup(r->pool, t);
    cJSON_free(t);
    return s;
}

int
contacts_view_create(ts_request_t *r, const cJSON *in, cJSON **fields, int64_t *id)
{
    *fields = check_view(r, in, NULL, true);
    if (*fields) {
        return 422;
    }
    const cJSON *filters = cJSON_GetObjectItemCaseSensitive(in, "filters");
    char *ftext = json_text(r, filters);
    if (ts_db_exec(r, "INSERT INTO saved_views (tenant_id, list, name, owner_id, shared, filters,"
                      " columns, sort) VALUES ({tenant}, ?, ?, ?, ?, ?, ?, ?)", "ssiisss",
                   contacts_json_str(in, "list"), contacts_json_str(in, "name"), r->user->id,
                   (int64_t) cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(in, "shared")),
                   ftext ? ftext : "{}", json_text(r, cJSON_GetObjectItemCaseSensitive(in, "columns")),
                   contacts_json_str(in, "sort")) != TS_OK) {
        return TS_ERROR;
    }
    *id = ts_db_insert_id(r);
    return 0;
}

static int
views_create(ts_request_t *r)
{
    const cJSON *in = ts_req_json(r);
    if (!cJSON_IsObject(in)) {
        return ts_resp_error(r, 400, "bad_body", "a JSON object is required", NULL);
    }
    cJSON *fields = NULL;
    int64_t id = 0;
    int rc = contacts_view_create(r, in, &fields, &id);
    if (rc != 0) {
        return rc == 422 ? contacts_validation_error(r, fields) : TS_ERROR;
    }
    ts_db_result_t *res = view_row(r, id);
    return res ? ts_resp_data(r, 201, view_json(r, res, 0)) : TS_ERROR;
}

/* The owner changes a view; a shared one also a manager or admin. */
static ts_db_result_t *
editable(ts_request_t *r, int64_t *id)
{
    if (ts_req_param_id(r, "id", id) != TS_OK) {
        return NULL;
    }
    ts_db_result_t *res = view_row(r, *id);
    if (res == NULL || ts_db_rows(res) == 0) {
        return NULL;
    }
    bool own = ts_db_get_int(res, 0, "owner_id") == r->user->id;
    return own || r->user->role >= TS_ROLE_MANAGER ? res : NULL;
}

static int
views_update(ts_request_t *r)
{
    int64_t id;
    ts_db_result_t *res = editable(r, &id);
    if (res == NULL) {
        return ts_resp_error(r, 404, "not_found", "no such saved view of yours", NULL);
    }
    const cJSON *in = ts_req_json(r);
    if (!cJSON_IsObject(in)) {
        return ts_resp_error(r, 400, "bad_body", "a JSON object is required", NULL);
    }
    cJSON *fields = check_view(r, in, ts_db_get(res, 0, "list"), false);
    if (fields) {
        return contacts_validation_error(r, fields);
    }
    const cJSON *shared = cJSON_GetObjectItemCaseSensitive(in, "shared");
    const char *name = contacts_json_str(in, "name");
    char *filters = json_text(r, cJSON_GetObjectItemCaseSensitive(in, "filters"));
    const cJSON *cols = cJSON_GetObjectItemCaseSensitive(in, "columns");
    const cJSON *sort = cJSON_GetObjectItemCaseSensitive(in, "sort");
    if (ts_db_exec(r, "UPDATE saved_views SET name = COALESCE(?, name), shared = COALESCE(?, shared),"
                      " filters = COALESCE(?, filters), columns = IF(?, ?, columns),"
                      " sort = IF(?, ?, sort) WHERE tenant_id = {tenant} AND id = ?", "sssssssi",
                   name, shared ? (cJSON_IsTrue(shared) ? "1" : "0") : NULL, filters,
                   cols ? "1" : "0", json_text(r, cols), sort ? "1" : "0",
                   cJSON_GetStringValue(sort), id) != TS_OK) {
        return TS_ERROR;
    }
    res = view_row(r, id);
    return res ? ts_resp_data(r, 200, view_json(r, res, 0)) : TS_ERROR;
}

static int
views_delete(ts_request_t *r)
{
    int64_t id;
    if (editable(r, &id) == NULL) {
        return ts_resp_error(r, 404, "not_found", "no such saved view of yours", NULL);
    }
    if (ts_db_exec(r, "DELETE FROM saved_views WHERE tenant_id = {tenant} AND id = ?", "i", id)
        != TS_OK) {
        return TS_ERROR;
    }
    return ts_resp_no_content(r);
}

int
contacts_views_routes(ts_plugin_ctx_t *ctx)
{
    if (ts_route_add(ctx, TS_GET, "/api/v1/views", views_index) != TS_OK
        || ts_route_add(ctx, TS_POST, "/api/v1/views", views_create) != TS_OK
        || ts_route_add(ctx, TS_GET, "/api/v1/views/{id}", views_show) != TS_OK
        || ts_route_add(ctx, TS_PATCH, "/api/v1/views/{id}", views_update) != TS_OK
        || ts_route_add(ctx, TS_DELETE, "/api/v1/views/{id}", views_delete) != TS_OK) {
        return TS_ERROR;
    }
    return TS_OK;
}

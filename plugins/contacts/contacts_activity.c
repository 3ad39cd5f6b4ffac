/* Activities on a lead, contact or relation (note, call, email, WhatsApp, SMS,
 * meeting, task), a record's timeline with its field changes, and my tasks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "contacts.h"
#include "contacts_fields.h"

static const char *const kinds[] = { "note", "call", "email", "whatsapp", "sms", "meeting", "task", NULL };

/* "lead" and "contact" are the same table: an activity stays when a lead converts. */
static bool
entity_visible(ts_request_t *r, const char *entity, int64_t id)
{
    if (strcmp(entity, "relation") == 0) {
        return contacts_record_visible(r, CONTACTS_RELATION, id);
    }
    return contacts_record_visible(r, CONTACTS_LEAD, id) || contacts_record_visible(r, CONTACTS_CONTACT, id);
}

/* "YYYY-MM-DDTHH:MM[:SS]Z" (or without Z, or with a space) as SQL DATETIME text. */
static const char *
datetime_in(ts_pool_t *p, const char *v)
{
    size_t n = strlen(v);
    if (n < 16 || n > 20 || (v[10] != 'T' && v[10] != ' ') || !contacts_date_ok(ts_pstrndup(p, v, 10))) {
        return NULL;
    }
    int h, m, s = 0;
    char tail[4] = "";
    int got = n >= 19 ? sscanf(v + 11, "%2d:%2d:%2d%3s", &h, &m, &s, tail)
                      : sscanf(v + 11, "%2d:%2d%3s", &h, &m, tail);
    if (got < (n >= 19 ? 3 : 2) || h > 23 || m > 59 || s > 59 || h < 0 || m < 0 || s < 0
        || (tail[0] && strcmp(tail, "Z") != 0)) {
        return NULL;
    }
    return ts_psprintf(p, "%.10s %02d:%02d:%02d", v, h, m, s);
}

#define ACT_COLS "SELECT a.id, a.entity, a.entity_id, a.kind, a.direction, a.subject, a.body," \
    " a.starts_at, a.duration_min, a.due_at, a.remind_at, a.done_at, a.assigned_to, a.created_by," \
    " a.created_at, a.updated_at FROM activities a"

static cJSON *
act_json(ts_request_t *r, ts_db_result_t *res, size_t i)
{
    cJSON *o = ts_db_row_json(r, res, i);
    cJSON_AddBoolToObject(o, "done", ts_db_get(res, i, "done_at") != NULL);
    return o;
}

static ts_db_result_t *
act_row(ts_request_t *r, int64_t id)
{
    ts_db_result_t *res = ts_db_query(r, ACT_COLS " WHERE a.tenant_id = {tenant} AND a.id = ?"
                                                  " AND a.deleted_at IS NULL", "i", id);
    if (res == NULL || ts_db_rows(res) == 0
        || !entity_visible(r, ts_db_get(res, 0, "entity"), ts_db_get_int(res, 0, "entity_id"))) {
        return NULL;
    }
    return res;
}

typedef struct {
    const char *col;
    const char *val;
} set_t;

/* Checks the fields an activity takes; fills sets[] with column values. */
static int
check_activity(ts_request_t *r, const cJSON *in, bool create, set_t *sets, int *nsets,
               cJSON **fields)
{
    static const char *const known[] = {
        "entity", "entity_id", "kind", "direction", "subject", "body", "starts_at", "duration_min",
        "due_at", "remind_at", "done", "assigned_to", NULL };
    const cJSON *e;
    cJSON_ArrayForEach(e, in) {
        if (!contacts_enum_has(known, e->string)) {
            contacts_field_error(fields, e->string, "unknown field");
        } else if (!create && (strcmp(e->string, "entity") == 0 || strcmp(e->string, "entity_id") == 0
                               || strcmp(e->string, "kind") == 0)) {
            contacts_field_error(fields, e->string, "cannot be changed");
        }
    }
    static const contacts_field_t f_subject = { "subject", CF_STR, 255, NULL, 0, false };
    static const contacts_field_t f_body = { "body", CF_TEXT, 65535, NULL, 0, false };
    static const contacts_field_t f_duration = { "duration_min", CF_INT, 10080, NULL, 0, false };
    static const contacts_field_t f_user = { "assigned_to", CF_USER, 0, NULL, 0, false };
    static const char *const dirs[] = { "in", "out", NULL };
    static const contacts_field_t f_dir = { "direction", CF_ENUM, 0, dirs, 0, false };
    const contacts_field_t *plain[] = { &f_subject, &f_body, &f_duration, &f_user, &f_dir };
    for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, plain[i]->name);
        if (v == NULL) {
            continue;
        }
        const char *out, *err = contacts_field_check(r, plain[i], v, &out);
        if (err) {
            contacts_field_error(fields, plain[i]->name, err);
        } else {
            sets[(*nsets)++] = (set_t) { plain[i]->name, out };
        }
    }
    static const char *const times[] = { "starts_at", "due_at", "remind_at" };
    for (size_t i = 0; i < 3; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, times[i]);
        if (v == NULL) {
            continue;
        }
        const char *dt = cJSON_IsString(v) ? datetime_in(r->pool, v->valuestring) : NULL;
        if (!cJSON_IsNull(v) && dt == NULL) {
            contacts_field_error(fields, times[i], "a UTC time YYYY-MM-DDTHH:MM:SSZ is required");
        } else {
            sets[(*nsets)++] = (set_t) { times[i], dt };
        }
    }
    const cJSON *done = cJSON_GetObjectItemCaseSensitive(in, "done");
    if (done && !cJSON_IsBool(done)) {
        contacts_field_error(fields, "done", "true or false");
    }
    if (create) {
        const char *kind = contacts_json_str(in, "kind");
        if (kind == NULL || !contacts_enum_has(kinds, kind)) {
            contacts_field_error(fields, "kind", "one of note, call, email, whatsapp, sms, meeting, task");
        } else if (strcmp(kind, "task") == 0 && cJSON_GetObjectItemCaseSensitive(in, "due_at") == NULL) {
            contacts_field_error(fields, "due_at", "a task needs a due time");
        }
        const char *subject = contacts_json_str(in, "subject"), *body = contacts_json_str(in, "body");
        if ((subject == NULL || *subject == '\0') && (body == NULL || *body == '\0')) {
            contacts_field_error(fields, "subject", "a subject or a body is required");
        }
    }
    return *fields ? 422 : 0;
}

int
contacts_activity_add(ts_request_t *r, const cJSON *in, cJSON **fields, int64_t *id_out)
{
    const char *ent = contacts_json_str(in, "entity");
    const cJSON *eid = cJSON_GetObjectItemCaseSensitive(in, "entity_id");
    contacts_kind_t k = contacts_kind_parse(ent);
    if (ent == NULL || (strcmp(ent, "lead") != 0 && strcmp(ent, "contact") != 0
                        && strcmp(ent, "relation") != 0)) {
        contacts_field_error(fields, "entity", "one of lead, contact, relation");
    }
    if (!cJSON_IsNumber(eid) || eid->valuedouble < 1 || eid->valuedouble > 9e15) {
        contacts_field_error(fields, "entity_id", "the record's id is required");
    }
    set_t sets[12];
    int nsets = 0;
    check_activity(r, in, true, sets, &nsets, fields);
    if (*fields) {
        return 422;
    }
    const char *entity = contacts_kind_entity(k);
    int64_t entity_id = (int64_t) eid->valuedouble;
    if (!entity_visible(r, entity, entity_id)) {
        return 404;
    }
    const char *kind = contacts_json_str(in, "kind");
    contacts_q_t q;
    contacts_q_init(&q, r->pool, "INSERT INTO activities (tenant_id, entity, entity_id, kind,"
                                 " created_by, done_at");
    bool assigned = false;
    for (int i = 0; i < nsets; i++) {
        contacts_q_add(&q, ", ");
        contacts_q_add(&q, sets[i].col);
        assigned |= strcmp(sets[i].col, "assigned_to") == 0;
    }
    if (!assigned) {
        contacts_q_add(&q, ", assigned_to");
    }
    contacts_q_bind(&q, ") VALUES ({tenant}, ?", entity);
    contacts_q_bind(&q, ", ?", contacts_i64(r->pool, entity_id));
    contacts_q_bind(&q, ", ?", kind);
    contacts_q_bind(&q, ", ?", contacts_i64(r->pool, r->user->id));
    /* A call or note is done when logged; a task or meeting when marked so. */
    bool done = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(in, "done"))
                || (strcmp(kind, "task") != 0 && strcmp(kind, "meeting") != 0
                    && !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(in, "done")));
    contacts_q_add(&q, done ? ", UTC_TIMESTAMP()" : ", NULL");
    for (int i = 0; i < nsets; i++) {
        contacts_q_bind(&q, ", ?", sets[i].val);
    }
    if (!assigned) {
        contacts_q_bind(&q, ", ?", contacts_i64(r->pool, r->user->id));
    }
    contacts_q_add(&q, ")");
    if (contacts_q_exec(r, &q) != TS_OK) {
        return TS_ERROR;
    }
    *id_out = ts_db_insert_id(r);
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddNumberToObject(ev, "id", (double) *id_out);
    cJSON_AddStringToObject(ev, "entity", entity);
    cJSON_AddNumberToObject(ev, "entity_id", (double) entity_id);
    cJSON_AddStringToObject(ev, "kind", kind);
    ts_event_emit(r, "activity.created", ev);
    return 0;
}

static int
activities_create(ts_request_t *r)
{
    const cJSON *in = ts_req_json(r);
    if (!cJSON_IsObject(in)) {
        return ts_resp_error(r, 400, "bad_body", "a JSON object is required", NULL);
    }
    cJSON *fields = NULL;
    int64_t id = 0;
    if (ts_db_begin(r) != TS_OK) {
        return TS_ERROR;
    }
    int rc = contacts_activity_add(r, in, &fields, &id);
    if (rc != 0) {
        ts_db_rollback(r);
        return rc == 422 ? contacts_validation_error(r, fields)
             : rc == 404 ? ts_resp_error(r, 404, "not_found", "no such record", NULL) : TS_ERROR;
    }
    if (ts_db_commit(r) != TS_OK) {
        return TS_ERROR;
    }
    ts_db_result_t *res = act_row(r, id);
    return res ? ts_resp_data(r, 201, act_json(r, res, 0)) : TS_ERROR;
}

static int
activities_update(ts_request_t *r)
{
    int64_t id;
    ts_db_result_t *old = ts_req_param_id(r, "id", &id) == TS_OK ? act_row(r, id) : NULL;
    if (old == NULL) {
        return ts_resp_error(r, 404, "not_found", "no such activity", NULL);
    }
    const cJSON *in = ts_req_json(r);
    if (!cJSON_IsObject(in)) {
        return ts_resp_error(r, 400, "bad_body", "a JSON object is required", NULL);
    }
    cJSON *fields = NULL;
    set_t sets[12];
    int nsets = 0;
    if (check_activity(r, in, false, sets, &nsets, &fields) != 0) {
        return contacts_validation_error(r, fields);
    }
    contacts_q_t q;
    contacts_q_init(&q, r->pool, "UPDATE activities SET updated_at = UTC_TIMESTAMP()");
    for (int i = 0; i < nsets; i++) {
        contacts_q_add(&q, ", ");
        contacts_q_add(&q, sets[i].col);
        contacts_q_bind(&q, " = ?", sets[i].val);
    }
    const cJSON *done = cJSON_GetObjectItemCaseSensitive(in, "done");
    if (done) {
        contacts_q_add(&q, cJSON_IsTrue(done) ? ", done_at = COALESCE(done_at, UTC_TIMESTAMP())"
                                              : ", done_at = NULL");
    }
    contacts_q_bind(&q, " WHERE tenant_id = {tenant} AND id = ?", contacts_i64(r->pool, id));
    if (contacts_q_exec(r, &q) != TS_OK) {
        return TS_ERROR;
    }
    if (cJSON_IsTrue(done) && ts_db_get(old, 0, "done_at") == NULL) {
        cJSON *ev = cJSON_CreateObject();
        cJSON_AddNumberToObject(ev, "id", (double) id);
        cJSON_AddStringToObject(ev, "kind", ts_db_get(old, 0, "kind"));
        ts_event_emit(r, "activity.done", ev);
    }
    ts_db_result_t *res = act_row(r, id);
    return res ? ts_resp_data(r, 200, act_json(r, res, 0)) : TS_ERROR;
}

static int
activities_show(ts_request_t *r)
{
    int64_t id;
    ts_db_result_t *res = ts_req_param_id(r, "id", &id) == TS_OK ? act_row(r, id) : NULL;
    if (res == NULL) {
        return ts_resp_error(r, 404, "not_found", "no such activity", NULL);
    }
    return ts_resp_data(r, 200, act_json(r, res, 0));
}

static int
activities_delete(ts_request_t *r)
{
    int64_t id;
    if (ts_req_param_id(r, "id", &id) != TS_OK || act_row(r, id) == NULL) {
        return ts_resp_error(r, 404, "not_found", "no such activity", NULL);
    }
    if (ts_db_exec(r, "UPDATE activities SET deleted_at = UTC_TIMESTAMP() WHERE tenant_id = {tenant}"
                      " AND id = ?", "i", id) != TS_OK) {
        return TS_ERROR;
    }
    return ts_resp_no_content(r);
}

static int
activities_index(ts_request_t *r)
{
    const char *ent = ts_req_query(r, "entity"), *eid = ts_req_query(r, "entity_id");
    contacts_kind_t k = contacts_kind_parse(ent);
    char *end = NULL;
    long long id = eid ? strtoll(eid, &end, 10) : 0;
    cJSON *fields = NULL;
    if (k == 0) {
        contacts_field_error(&fields, "entity", "one of lead, contact, relation");
    }
    if (id < 1 || (end && *end)) {
        contacts_field_error(&fields, "entity_id", "the record's id is required");
    }
    if (fields) {
        return contacts_validation_error(r, fields);
    }
    const char *entity = contacts_kind_entity(k);
    if (!entity_visible(r, entity, (int64_t) id)) {
        return ts_resp_error(r, 404, "not_found", "no such record", NULL);
    }
    ts_db_result_t *res = ts_db_query(r, ACT_COLS " WHERE a.tenant_id = {tenant} AND a.entity = ?"
                                                  " AND a.entity_id = ? AND a.deleted_at IS NULL"
                                                  " ORDER BY a.created_at DESC, a.id DESC LIMIT 500",
                                      "si", entity, (int64_t) id);
    if (res == NULL) {
        return TS_ERROR;
    }
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        cJSON_AddItemToArray(a, act_json(r, res, i));
    }
    return ts_resp_list(r, a, NULL, (long long) ts_db_rows(res));
}

cJSON *
contacts_timeline(ts_request_t *r, contacts_kind_t kind, int64_t id)
{
    const char *entity = contacts_kind_entity(kind);
    ts_db_result_t *res = ts_db_query(r,
        "SELECT * FROM (SELECT 'activity' AS type, a.id, a.kind AS what, a.direction, a.subject,"
        " a.body, NULL AS changes, a.created_by AS user_id, a.due_at, a.done_at, a.created_at AS at"
        " FROM activities a WHERE a.tenant_id = {tenant} AND a.entity = ? AND a.entity_id = ?"
        " AND a.deleted_at IS NULL"
        " UNION ALL SELECT 'change', l.id, l.action, NULL, NULL, NULL, l.changes, l.user_id, NULL,"
        " NULL, l.created_at FROM audit_log l WHERE l.tenant_id = {tenant} AND l.entity = ?"
        " AND l.entity_id = ?) t ORDER BY t.at DESC, t.type, t.id DESC LIMIT 300",
        "sisi", entity, id, entity, id);
    if (res == NULL) {
        return NULL;
    }
    ts_db_result_t *users = ts_db_query(r, "SELECT id, name, email FROM users WHERE tenant_id = {tenant}"
                                           " ORDER BY id LIMIT 1000", "");
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        cJSON *o = ts_db_row_json(r, res, i);
        /* UNION columns come back as text: give the numbers and the JSON back their types. */
        cJSON_ReplaceItemInObjectCaseSensitive(o, "id", cJSON_CreateNumber((double) ts_db_get_int(res, i, "id")));
        const char *uid = ts_db_get(res, i, "user_id");
        cJSON_ReplaceItemInObjectCaseSensitive(o, "user_id", uid ? cJSON_CreateNumber(atof(uid)) : cJSON_CreateNull());
        const char *name = NULL;
        for (size_t u = 0; uid && u < ts_db_rows(users); u++) {
            if (strcmp(ts_db_get(users, u, "id"), uid) == 0) {
                name = ts_db_get(users, u, "name");
                if (name == NULL || *name == '\0') {
                    name = ts_db_get(users, u, "email");
                }
            }
        }
        cJSON_AddItemToObject(o, "user_name", name ? cJSON_CreateString(name) : cJSON_CreateNull());
        const char *ch = ts_db_get(res, i, "changes");
        cJSON *cj = ch ? cJSON_Parse(ch) : NULL;
        cJSON_ReplaceItemInObjectCaseSensitive(o, "changes", cj ? cj : cJSON_CreateNull());
        static const char *const times[] = { "at", "due_at", "done_at" };
        for (int t = 0; t < 3; t++) {
            const char *v = ts_db_get(res, i, times[t]);
            if (v && strlen(v) >= 19) {
                cJSON_ReplaceItemInObjectCaseSensitive(o, times[t],
                    cJSON_CreateString(ts_psprintf(r->pool, "%.10sT%.8sZ", v, v + 11)));
            }
        }
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static int
timeline_show(ts_request_t *r)
{
    int64_t id;
    contacts_kind_t kind = contacts_kind_of_path(r);
    if (ts_req_param_id(r, "id", &id) != TS_OK || !contacts_record_visible(r, kind, id)) {
        return ts_resp_error(r, 404, "not_found", "no such record", NULL);
    }
    cJSON *a = contacts_timeline(r, kind, id);
    return a ? ts_resp_list(r, a, NULL, cJSON_GetArraySize(a)) : TS_ERROR;
}

ts_db_result_t *
contacts_my_tasks(ts_request_t *r)
{
    return ts_db_query(r, "SELECT a.id, a.entity, a.entity_id, a.subject, a.body, a.due_at, a.remind_at,"
                          " CASE WHEN a.due_at < UTC_TIMESTAMP() THEN 'overdue'"
                          " WHEN DATE(a.due_at) = UTC_DATE() THEN 'today' ELSE 'upcoming' END AS bucket,"
                          " COALESCE(r.name, TRIM(CONCAT(c.first_name, ' ', c.last_name))) AS record_name,"
                          " c.kind AS record_kind"
                          " FROM activities a LEFT JOIN contacts c ON a.entity = 'contact' AND"
                          " c.tenant_id = a.tenant_id AND c.id = a.entity_id LEFT JOIN relations r ON"
                          " a.entity = 'relation' AND r.tenant_id = a.tenant_id AND r.id = a.entity_id"
                          " WHERE a.tenant_id = {tenant} AND a.kind = 'task' AND a.assigned_to = ?"
                          " AND a.done_at IS NULL AND a.deleted_at IS NULL"
                          " AND COALESCE(c.deleted_at, r.deleted_at) IS NULL"
                          " ORDER BY a.due_at, a.id LIMIT 500", "i", r->user->id);
}

static int
tasks_mine(ts_request_t *r)
{
    ts_db_result_t *res = contacts_my_tasks(r);
    if (res == NULL) {
        return TS_ERROR;
    }
    cJSON *d = cJSON_CreateObject();
    cJSON *b[3] = { cJSON_AddArrayToObject(d, "overdue"), cJSON_AddArrayToObject(d, "today"),
                    cJSON_AddArrayToObject(d, "upcoming") };
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        const char *bucket = ts_db_get(res, i, "bucket");
        cJSON *o = ts_db_row_json(r, res, i);
        cJSON_DeleteItemFromObjectCaseSensitive(o, "bucket");
        cJSON_AddItemToArray(b[bucket[0] == 'o' ? 0 : bucket[0] == 't' ? 1 : 2], o);
    }
    return ts_resp_data(r, 200, d);
}

int
contacts_activities_routes(ts_plugin_ctx_t *ctx)
{
    if (ts_route_add(ctx, TS_GET, "/api/v1/activities", activities_index) != TS_OK
        || ts_route_add_ex(ctx, TS_POST, "/api/v1/activities", activities_create, 0, TS_ROLE_AGENT) != TS_OK
        || ts_route_add(ctx, TS_GET, "/api/v1/activities/{id}", activities_show) != TS_OK
        || ts_route_add_ex(ctx, TS_PATCH, "/api/v1/activities/{id}", activities_update, 0,
                           TS_ROLE_AGENT) != TS_OK
        || ts_route_add_ex(ctx, TS_DELETE, "/api/v1/activities/{id}", activities_delete, 0,
                           TS_ROLE_AGENT) != TS_OK
        || ts_route_add(ctx, TS_GET, "/api/v1/tasks/mine", tasks_mine) != TS_OK
        || contacts_route_kinds(ctx, CONTACTS_ALL, TS_GET, "/{id}/timeline", timeline_show,
                                TS_ROLE_VIEWER) != TS_OK) {
        return TS_ERROR;
    }
    return TS_OK;
}

/* Activities and tasks of a deal, in the generic activities table (entity
 * 'deal'): GET and POST /api/v1/deals/{id}/activities, and the deal page's
 * form. */
#include <stdio.h>
#include <string.h>
#include "deals_ui.h"

static const char *const kinds[] = { "note", "call", "email", "whatsapp", "sms", "meeting", "task" };

/* "2026-12-02T10:30:00Z", "2026-12-02T10:30" or "2026-12-02 10:30" -> SQL
 * DATETIME text in UTC, or NULL. */
static const char *
sql_datetime(ts_request_t *r, const char *s)
{
    int h = 0, mi = 0, sec = 0;
    char date[11], rest[8] = "";
    if (s == NULL || strlen(s) < 16 || strlen(s) > 20 || (s[10] != 'T' && s[10] != ' ')) {
        return NULL;
    }
    memcpy(date, s, 10);
    date[10] = '\0';
    int n = sscanf(s + 11, "%2d:%2d:%2d%7s", &h, &mi, &sec, rest);
    if (n < 2 && sscanf(s + 11, "%2d:%2d%7s", &h, &mi, rest) < 2) {
        return NULL;
    }
    if (!deals_valid_date(date) || h > 23 || mi > 59 || sec > 59 || h < 0 || mi < 0 || sec < 0
        || (rest[0] != '\0' && strcmp(rest, "Z") != 0)) {
        return NULL;
    }
    return ts_psprintf(r->pool, "%s %02d:%02d:%02d", date, h, mi, sec);
}

/* Adds an activity to deal id: TS_OK, TS_DECLINED with *fields, 403, 404 or TS_ERROR. */
static int
activity_add(ts_request_t *r, int64_t id, const cJSON *j, cJSON **fields)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, j) {
        if (strcmp(it->string, "kind") && strcmp(it->string, "subject") && strcmp(it->string, "body")
            && strcmp(it->string, "due_at")) {
            deals_field(fields, it->string, "unknown field");
        }
    }
    const char *kind = deals_ustr(j, "kind"), *subject = deals_ustr(j, "subject");
    const char *body = deals_ustr(j, "body"), *due = deals_ustr(j, "due_at");
    bool known = false;
    for (size_t i = 0; kind && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        known |= strcmp(kind, kinds[i]) == 0;
    }
    if (!known) {
        deals_field(fields, "kind", "one of note, call, email, whatsapp, sms, meeting, task");
    }
    if (subject == NULL || *subject == '\0' || strlen(subject) > 255) {
        deals_field(fields, "subject", "required, at most 255 characters");
    }
    if (body != NULL && strlen(body) > 20000) {
        deals_field(fields, "body", "at most 20000 characters");
    }
    const char *due_sql = due && *due ? sql_datetime(r, due) : NULL;
    if (due && *due && due_sql == NULL) {
        deals_field(fields, "due_at", "a date and time as 2026-12-02T10:30:00Z");
    }
    if (*fields != NULL) {
        return TS_DECLINED;
    }
    deals_head_t d;
    int rc = deals_load_head(r, id, false, &d);
    if (rc != TS_OK) {
        return rc == TS_DECLINED ? 404 : TS_ERROR;
    }
    if (!deals_may_edit(r, &d)) {
        return 403;
    }
    bool task = strcmp(kind, "task") == 0;
    if (ts_db_exec(r, "INSERT INTO activities (tenant_id, entity, entity_id, kind, subject, body,"
                      " due_at, assigned_to, created_by) VALUES ({tenant}, 'deal', ?, ?, ?, ?, ?, ?, ?)",
                   "issssii", id, kind, subject, body, due_sql,
                   task ? (d.agent_id ? d.agent_id : r->user->id) : (int64_t) 0, r->user->id) != TS_OK) {
        return TS_ERROR;
    }
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddNumberToObject(ev, "id", (double) ts_db_insert_id(r));
    cJSON_AddStringToObject(ev, "entity", "deal");
    cJSON_AddNumberToObject(ev, "entity_id", (double) id);
    cJSON_AddStringToObject(ev, "kind", kind);
    return ts_event_emit(r, "activity.created", ev);
}

static const char *LIST_SQL =
    "SELECT id, kind, subject, body, due_at, done_at, NULLIF(assigned_to, 0) AS assigned_to,"
    " created_by, created_at FROM activities WHERE tenant_id = {tenant} AND entity = 'deal'"
    " AND entity_id = ? AND deleted_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 200";

int
deals_activities(ts_request_t *r)
{
    int64_t id;
    deals_head_t d;
    if (ts_req_param_id(r, "id", &id) != TS_OK || deals_load_head(r, id, false, &d) != TS_OK) {
        return ts_resp_error(r, 404, "not_found", "no such deal", NULL);
    }
    ts_db_result_t *res = ts_db_query(r, LIST_SQL, "i", id);
    return res ? ts_resp_list(r, ts_db_rows_json(r, res), NULL, (long long) ts_db_rows(res)) : TS_ERROR;
}

int
deals_activity_create(ts_request_t *r)
{
    int64_t id;
    if (ts_req_param_id(r, "id", &id) != TS_OK) {
        return ts_resp_error(r, 404, "not_found", "no such deal", NULL);
    }
    const cJSON *j = ts_req_json(r);
    if (!cJSON_IsObject(j)) {
        return ts_resp_error(r, 400, "bad_body", "a JSON object is expected", NULL);
    }
    cJSON *fields = NULL;
    int rc = activity_add(r, id, j, &fields);
    if (rc != TS_OK) {
        return rc == TS_DECLINED ? deals_invalid(r, fields)
               : rc == 404 ? ts_resp_error(r, 404, "not_found", "no such deal", NULL)
               : rc == 403 ? deals_forbidden(r, "agents change only their own deals") : TS_ERROR;
    }
    ts_db_result_t *res = ts_db_query(r, "SELECT id, kind, subject, body, due_at, done_at,"
                                         " NULLIF(assigned_to, 0) AS assigned_to, created_by, created_at"
                                         " FROM activities WHERE tenant_id = {tenant} AND id = ?", "i",
                                      ts_db_insert_id(r));
    return res ? ts_resp_data(r, 201, ts_db_row_json(r, res, 0)) : TS_ERROR;
}

/* POST /deals/{id}/activities: the deal page's form. */
int
deals_page_activity(ts_request_t *r)
{
    int64_t id;
    if (ts_req_param_id(r, "id", &id) != TS_OK) {
        return deals_page_error(r, 404, "no such deal");
    }
    cJSON *j = cJSON_CreateObject();
    static const char *names[] = { "kind", "subject", "body", "due_at" };
    for (size_t i = 0; i < 4; i++) {
        const char *v = ts_req_form(r, names[i]);
        if (v != NULL && *v != '\0') {
            cJSON_AddStringToObject(j, names[i], v);
        }
    }
    cJSON *fields = NULL;
    int rc = activity_add(r, id, j, &fields);
    cJSON_Delete(j);
    return deals_page_outcome(r, rc, id, fields);
}

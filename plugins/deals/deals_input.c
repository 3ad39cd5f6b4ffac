/* Checking and storing what create and patch send: the scalar fields, the
 * linked contacts and properties, the search preferences. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "deals.h"

typedef enum { F_NAME, F_MONEY, F_CURRENCY, F_PERCENT, F_AMOUNT, F_DATE, F_PROB, F_JSON, F_USER,
               F_OTHER } kind_t;

/* Every field the API accepts, with the statement that stores it. F_OTHER
 * fields are handled by their own code (stage, links, tags, ...). */
static const struct {
    const char *name;
    kind_t      kind;
    const char *sql;
} fields_def[] = {
    { "name", F_NAME, "UPDATE deals SET name = ? WHERE tenant_id = {tenant} AND id = ?" },
    { "value", F_MONEY, "UPDATE deals SET value = ? WHERE tenant_id = {tenant} AND id = ?" },
    { "currency", F_CURRENCY, "UPDATE deals SET currency = ? WHERE tenant_id = {tenant} AND id = ?" },
    { "commission_percent", F_PERCENT,
      "UPDATE deals SET commission_percent = ?, commission_amount = NULL"
      " WHERE tenant_id = {tenant} AND id = ?" },
    { "commission_amount", F_AMOUNT,
      "UPDATE deals SET commission_amount = ?, commission_percent = NULL"
      " WHERE tenant_id = {tenant} AND id = ?" },
    { "expected_close_date", F_DATE,
      "UPDATE deals SET expected_close_date = ? WHERE tenant_id = {tenant} AND id = ?" },
    { "probability", F_PROB, "UPDATE deals SET probability = ? WHERE tenant_id = {tenant} AND id = ?" },
    { "custom", F_JSON, "UPDATE deals SET custom = ? WHERE tenant_id = {tenant} AND id = ?" },
    { "agent_id", F_USER, "UPDATE deals SET agent_id = ? WHERE tenant_id = {tenant} AND id = ?" },
    { "type", F_OTHER, NULL }, { "stage", F_OTHER, NULL }, { "lost_reason", F_OTHER, NULL },
    { "reopen", F_OTHER, NULL }, { "contacts", F_OTHER, NULL }, { "properties", F_OTHER, NULL },
    { "tags", F_OTHER, NULL }, { "preferences", F_OTHER, NULL },
};
#define NFIELDS (sizeof(fields_def) / sizeof(fields_def[0]))

const char *
deals_ustr(const cJSON *j, const char *name)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, name));
}

static size_t
utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++) {
        n += ((unsigned char) *s & 0xC0) != 0x80;
    }
    return n;
}

bool
deals_valid_date(const char *s)
{
    int y, m, d;
    char tail;
    if (s == NULL || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3
        || s[4] != '-' || s[7] != '-' || y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1) {
        return false;
    }
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + (m == 2 && leap);
}

static bool
is_int(const cJSON *v, double lo, double hi)
{
    return cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble)
           && v->valuedouble >= lo && v->valuedouble <= hi;
}

static const char *
check_scalar(kind_t kind, const cJSON *v)
{
    switch (kind) {
    case F_NAME: {
        const char *s = cJSON_GetStringValue(v);
        size_t n = s ? utf8_chars(s) : 0;
        return n >= 1 && n <= 100 ? NULL : "required, 1 to 100 characters";
    }
    case F_MONEY:
        return is_int(v, 0, 9e15) ? NULL : "an amount in minor units (an integer, 0 or more)";
    case F_CURRENCY: {
        const char *s = cJSON_GetStringValue(v);
        bool ok = s && strlen(s) == 3;
        for (int i = 0; ok && i < 3; i++) {
            ok = s[i] >= 'A' && s[i] <= 'Z';
        }
        return ok ? NULL : "a currency code of three capital letters (EUR)";
    }
    case F_PERCENT:
        return cJSON_IsNull(v) || (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= 100)
               ? NULL : "a percentage from 0 to 100, or null";
    case F_AMOUNT:
        return cJSON_IsNull(v) || is_int(v, 0, 9e15) ? NULL
               : "an amount in minor units (an integer, 0 or more), or null";
    case F_DATE:
        return cJSON_IsNull(v) || deals_valid_date(cJSON_GetStringValue(v)) ? NULL
               : "a date as YYYY-MM-DD, or null";
    case F_PROB:
        return is_int(v, 0, 100) ? NULL : "an integer from 0 to 100";
    case F_JSON:
        return cJSON_IsNull(v) || cJSON_IsObject(v) ? NULL : "an object, or null";
    case F_USER:
        return cJSON_IsNull(v) || is_int(v, 1, 9e15) ? NULL : "a user id, or null";
    case F_OTHER:
        break;
    }
    return NULL;
}

static const char *
check_link_list(const cJSON *list, bool is_contacts)
{
    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) > 50) {
        return "a list of at most 50 links";
    }
    if (is_contacts && cJSON_GetArraySize(list) == 0) {
        return "a deal has exactly one main contact";
    }
    return NULL;
}

static void
check_preferences(ts_request_t *r, const cJSON *p, cJSON **fields)
{
    if (cJSON_IsNull(p)) {
        return;
    }
    if (!cJSON_IsObject(p)) {
        deals_field(fields, "preferences", "an object, or null");
        return;
    }
    static const char *nums[] = { "budget_min", "budget_max", "area_min", "area_max",
                                  "bedrooms_min", "bathrooms_min" };
    static const char *lists[] = { "property_types", "towns", "areas", "required_tags" };
    const cJSON *it;
    cJSON_ArrayForEach(it, p) {
        bool known = strcmp(it->string, "transaction") == 0;
        for (size_t i = 0; i < 6; i++) {
            if (strcmp(it->string, nums[i]) == 0) {
                known = true;
                if (!cJSON_IsNull(it) && !is_int(it, 0, 9e15)) {
                    deals_field(fields, ts_psprintf(r->pool, "preferences.%s", it->string),
                                "an integer, 0 or more, or null");
                }
            }
        }
        for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
            if (strcmp(it->string, lists[i]) == 0) {
                known = true;
                cJSON *tmp = NULL;
                if (!cJSON_IsNull(it) && deals_tags_check(it, "x", &tmp) != TS_OK) {
                    deals_field(fields, ts_psprintf(r->pool, "preferences.%s", it->string),
                                "a list of at most 50 texts of 1 to 64 characters");
                }
                cJSON_Delete(tmp);
            }
        }
        if (!known) {
            deals_field(fields, ts_psprintf(r->pool, "preferences.%s", it->string), "unknown field");
        }
    }
    const char *tx = deals_ustr(p, "transaction");
    const cJSON *txv = cJSON_GetObjectItemCaseSensitive(p, "transaction");
    if (txv && !cJSON_IsNull(txv) && (tx == NULL || (strcmp(tx, "sale") && strcmp(tx, "rent")))) {
        deals_field(fields, "preferences.transaction", "sale or rent");
    }
    static const char *pairs[][2] = { { "budget_min", "budget_max" }, { "area_min", "area_max" } };
    for (size_t i = 0; i < 2; i++) {
        const cJSON *lo = cJSON_GetObjectItemCaseSensitive(p, pairs[i][0]);
        const cJSON *hi = cJSON_GetObjectItemCaseSensitive(p, pairs[i][1]);
        if (cJSON_IsNumber(lo) && cJSON_IsNumber(hi) && lo->valuedouble > hi->valuedouble) {
            deals_field(fields, ts_psprintf(r->pool, "preferences.%s", pairs[i][1]),
                        ts_psprintf(r->pool, "must not be below %s", pairs[i][0]));
        }
    }
}

/* Everything that can be checked without the database. TS_OK or TS_DECLINED. */
int
deals_input_shape(ts_request_t *r, const cJSON *j, bool creating, cJSON **fields)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, j) {
        size_t i = 0;
        while (i < NFIELDS && strcmp(fields_def[i].name, it->string) != 0) {
            i++;
        }
        if (i == NFIELDS) {
            deals_field(fields, it->string, "unknown field");
            continue;
        }
        const char *msg = check_scalar(fields_def[i].kind, it);
        if (msg != NULL) {
            deals_field(fields, it->string, msg);
        }
    }
    if (creating && cJSON_GetObjectItemCaseSensitive(j, "name") == NULL) {
        deals_field(fields, "name", "required, 1 to 100 characters");
    }
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(j, "type");
    if ((creating || type != NULL) && !deals_type_valid(cJSON_GetStringValue(type))) {
        deals_field(fields, "type", "one of buy, sell, rent, rent_out");
    }
    const cJSON *stage = cJSON_GetObjectItemCaseSensitive(j, "stage");
    if (stage != NULL && !cJSON_IsString(stage)) {
        deals_field(fields, "stage", "a stage code");
    }
    const cJSON *lr = cJSON_GetObjectItemCaseSensitive(j, "lost_reason");
    if (lr != NULL && !cJSON_IsString(lr) && !cJSON_IsNull(lr)) {
        deals_field(fields, "lost_reason", "a text of at most 500 characters");
    }
    const cJSON *reopen = cJSON_GetObjectItemCaseSensitive(j, "reopen");
    if (reopen != NULL && !cJSON_IsBool(reopen)) {
        deals_field(fields, "reopen", "true or false");
    }
    if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(j, "commission_percent"))
        && cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(j, "commission_amount"))) {
        deals_field(fields, "commission_amount", "give either commission_percent or commission_amount");
    }
    const cJSON *contacts = cJSON_GetObjectItemCaseSensitive(j, "contacts");
    if (creating && contacts == NULL) {
        deals_field(fields, "contacts", "a deal has exactly one main contact");
    }
    const char *msg;
    if (contacts != NULL && (msg = check_link_list(contacts, true)) != NULL) {
        deals_field(fields, "contacts", msg);
    }
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(j, "properties");
    if (props != NULL && (msg = check_link_list(props, false)) != NULL) {
        deals_field(fields, "properties", msg);
    }
    deals_tags_check(cJSON_GetObjectItemCaseSensitive(j, "tags"), "tags", fields);
    const cJSON *prefs = cJSON_GetObjectItemCaseSensitive(j, "preferences");
    if (prefs != NULL) {
        check_preferences(r, prefs, fields);
    }
    return *fields ? TS_DECLINED : TS_OK;
}

/* The value of v as bound text (NULL for null). */
static const char *
bound(ts_request_t *r, const cJSON *v)
{
    if (cJSON_IsNull(v)) {
        return NULL;
    }
    if (cJSON_IsNumber(v)) {
        return v->valuedouble == floor(v->valuedouble)
               ? ts_psprintf(r->pool, "%.0f", v->valuedouble)
               : ts_psprintf(r->pool, "%.6f", v->valuedouble);
    }
    if (cJSON_IsString(v)) {
        return v->valuestring;
    }
    char *text = cJSON_PrintUnformatted(v);
    char *out = ts_pstrdup(r->pool, text ? text : "null");
    cJSON_free(text);
    return out;
}

int
deals_apply_scalars(ts_request_t *r, int64_t id, const cJSON *j)
{
    for (size_t i = 0; i < NFIELDS; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, fields_def[i].name);
        if (v == NULL || fields_def[i].sql == NULL) {
            continue;
        }
        if (ts_db_exec(r, fields_def[i].sql, "si", bound(r, v), id) != TS_OK) {
            return TS_ERROR;
        }
    }
    return TS_OK;
}

/* agent_id names an active user of this tenant; agents may only name
 * themselves (assigning others is a manager's work). */
int
deals_check_agent(ts_request_t *r, const cJSON *j, cJSON **fields, bool *forbidden)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "agent_id");
    *forbidden = false;
    if (a == NULL || cJSON_IsNull(a)) {
        return TS_OK;
    }
    int64_t uid = (int64_t) a->valuedouble;
    if (uid != r->user->id && r->user->role < TS_ROLE_MANAGER) {
        *forbidden = true;
        return TS_DECLINED;
    }
    ts_db_result_t *res = ts_db_query(r, "SELECT id FROM users WHERE tenant_id = {tenant}"
                                         " AND id = ? AND status = 'active'", "i", uid);
    if (res == NULL) {
        return TS_ERROR;
    }
    if (ts_db_rows(res) == 0) {
        deals_field(fields, "agent_id", "no such active user");
        return TS_DECLINED;
    }
    return TS_OK;
}

static bool
listed_before(const cJSON *list, int upto, double id)
{
    for (int k = 0; k < upto; k++) {
        const cJSON *prev = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(list, k), "id");
        if (cJSON_IsNumber(prev) && prev->valuedouble == id) {
            return true;
        }
    }
    return false;
}

/* Replaces the deal's contacts: exactly one main, each a contact (not a lead)
 * of this tenant. TS_DECLINED with *fields on bad input. */
int
deals_set_contacts(ts_request_t *r, int64_t id, const cJSON *list, cJSON **fields)
{
    int n = cJSON_GetArraySize(list), main_at = -1;
    for (int i = 0; i < n; i++) {
        const cJSON *c = cJSON_GetArrayItem(list, i);
        const cJSON *cid = cJSON_GetObjectItemCaseSensitive(c, "id");
        const char *kind = deals_ustr(c, "kind");
        const char *f_id = ts_psprintf(r->pool, "contacts[%d].id", i);
        const char *f_kind = ts_psprintf(r->pool, "contacts[%d].kind", i);
        if (!cJSON_IsObject(c) || !is_int(cid, 1, 9e15)) {
            deals_field(fields, f_id, "a contact id is required");
            continue;
        }
        if (kind == NULL || (strcmp(kind, "main") != 0 && strcmp(kind, "co") != 0)) {
            deals_field(fields, f_kind, "main or co");
            continue;
        }
        if (listed_before(list, i, cid->valuedouble)) {
            deals_field(fields, f_id, "this contact is listed twice");
            continue;
        }
        if (strcmp(kind, "main") == 0) {
            if (main_at >= 0) {
                deals_field(fields, f_kind, ts_psprintf(r->pool, "a deal has exactly one main contact"
                                                        " (contacts[%d] is already main)", main_at));
                continue;
            }
            main_at = i;
        }
        ts_db_result_t *res = ts_db_query(r, "SELECT kind FROM contacts WHERE tenant_id = {tenant}"
                                             " AND id = ? AND deleted_at IS NULL"
                                             " AND merged_into IS NULL", "i",
                                          (int64_t) cid->valuedouble);
        if (res == NULL) {
            return TS_ERROR;
        }
        if (ts_db_rows(res) == 0) {
            deals_field(fields, f_id, "no such contact");
        } else if (strcmp(ts_db_get(res, 0, "kind"), "lead") == 0) {
            deals_field(fields, f_id, "this is a lead: convert it to a contact first,"
                                      " only contacts carry deals");
        }
    }
    if (main_at < 0 && *fields == NULL) {
        deals_field(fields, "contacts", "a deal has exactly one main contact (kind \"main\")");
    }
    if (*fields != NULL) {
        return TS_DECLINED;
    }
    if (ts_db_exec(r, "DELETE FROM deal_contacts WHERE tenant_id = {tenant} AND deal_id = ?",
                   "i", id) != TS_OK) {
        return TS_ERROR;
    }
    for (int i = 0; i < n; i++) {
        const cJSON *c = cJSON_GetArrayItem(list, i);
        if (ts_db_exec(r, "INSERT INTO deal_contacts (tenant_id, deal_id, contact_id, kind)"
                          " VALUES ({tenant}, ?, ?, ?)", "iis", id,
                       (int64_t) cJSON_GetObjectItemCaseSensitive(c, "id")->valuedouble,
                       deals_ustr(c, "kind")) != TS_OK) {
            return TS_ERROR;
        }
    }
    return TS_OK;
}

/* Replaces the deal's properties: each of this tenant, at most one primary
 * (the first when none is marked). */
int
deals_set_properties(ts_request_t *r, int64_t id, const cJSON *list, cJSON **fields)
{
    int n = cJSON_GetArraySize(list), primary_at = -1;
    for (int i = 0; i < n; i++) {
        const cJSON *p = cJSON_GetArrayItem(list, i);
        const cJSON *pid = cJSON_GetObjectItemCaseSensitive(p, "id");
        const cJSON *prim = cJSON_GetObjectItemCaseSensitive(p, "primary");
        const char *f_id = ts_psprintf(r->pool, "properties[%d].id", i);
        if (!cJSON_IsObject(p) || !is_int(pid, 1, 9e15)) {
            deals_field(fields, f_id, "a property id is required");
            continue;
        }
        if (prim != NULL && !cJSON_IsBool(prim)) {
            deals_field(fields, ts_psprintf(r->pool, "properties[%d].primary", i), "true or false");
            continue;
        }
        if (listed_before(list, i, pid->valuedouble)) {
            deals_field(fields, f_id, "this property is listed twice");
            continue;
        }
        if (cJSON_IsTrue(prim)) {
            if (primary_at >= 0) {
                deals_field(fields, ts_psprintf(r->pool, "properties[%d].primary", i),
                            ts_psprintf(r->pool, "a deal has one primary property"
                                        " (properties[%d] is already primary)", primary_at));
                continue;
            }
            primary_at = i;
        }
        ts_db_result_t *res = ts_db_query(r, "SELECT id FROM properties WHERE tenant_id = {tenant}"
                                             " AND id = ? AND deleted_at IS NULL", "i",
                                          (int64_t) pid->valuedouble);
        if (res == NULL) {
            return TS_ERROR;
        }
        if (ts_db_rows(res) == 0) {
            deals_field(fields, f_id, "no such property");
        }
    }
    if (*fields != NULL) {
        return TS_DECLINED;
    }
    if (primary_at < 0 && n > 0) {
        primary_at = 0;
    }
    if (ts_db_exec(r, "DELETE FROM deal_properties WHERE tenant_id = {tenant} AND deal_id = ?",
                   "i", id) != TS_OK) {
        return TS_ERROR;
    }
    for (int i = 0; i < n; i++) {
        const cJSON *p = cJSON_GetArrayItem(list, i);
        if (ts_db_exec(r, "INSERT INTO deal_properties (tenant_id, deal_id, property_id, is_primary)"
                          " VALUES ({tenant}, ?, ?, ?)", "iii", id,
                       (int64_t) cJSON_GetObjectItemCaseSensitive(p, "id")->valuedouble,
                       (int64_t) (i == primary_at)) != TS_OK) {
            return TS_ERROR;
        }
    }
    return TS_OK;
}

int
deals_set_preferences(ts_request_t *r, int64_t id, const cJSON *p)
{
    if (cJSON_IsNull(p)) {
        return ts_db_exec(r, "DELETE FROM deal_preferences WHERE tenant_id = {tenant}"
                             " AND deal_id = ?", "i", id);
    }
    const char *v[11];
    static const char *names[] = { "transaction", "property_types", "towns", "areas",
                                   "required_tags", "budget_min", "budget_max", "area_min",
                                   "area_max", "bedrooms_min", "bathrooms_min" };
    for (size_t i = 0; i < 11; i++) {
        const cJSON *it = cJSON_GetObjectItemCaseSensitive(p, names[i]);
        v[i] = it ? bound(r, it) : NULL;
    }
    return ts_db_exec(r, "REPLACE INTO deal_preferences (tenant_id, deal_id, transaction,"
                         " property_types, towns, areas, required_tags, budget_min, budget_max,"
                         " area_min, area_max, bedrooms_min, bathrooms_min)"
                         " VALUES ({tenant}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "isssssssssss",
                      id, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10]);
}

/* A buy or rent deal created without preferences takes its main contact's
 * (a converted lead keeps them on the same record). */
int
deals_copy_preferences(ts_request_t *r, int64_t id, const char *type, int64_t contact_id)
{
    const char *tx = strcmp(type, "rent") == 0 ? "rent" : "sale";
    return ts_db_exec(r, "INSERT INTO deal_preferences (tenant_id, deal_id, transaction,"
                         " property_types, towns, areas, required_tags, budget_min, budget_max,"
                         " area_min, area_max, bedrooms_min, bathrooms_min)"
                         " SELECT c.tenant_id, ?, ?, JSON_EXTRACT(c.preferences, '$.property_types'),"
                         " JSON_EXTRACT(c.preferences, '$.towns'), JSON_EXTRACT(c.preferences, '$.areas'),"
                         " JSON_EXTRACT(c.preferences, '$.required_tags'), c.budget_min, c.budget_max,"
                         " c.area_min, c.area_max, c.bedrooms_min, c.bathrooms_min"
                         " FROM contacts c WHERE c.tenant_id = {tenant} AND c.id = ?", "isi",
                      id, tx, contact_id);
}

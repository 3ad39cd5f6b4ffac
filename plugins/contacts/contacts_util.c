/* Kinds of records, statements built from fixed fragments, small helpers. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "contacts.h"

contacts_kind_t
contacts_kind_parse(const char *s)
{
    if (s == NULL) {
        return 0;
    }
    if (strcmp(s, "lead") == 0 || strcmp(s, "leads") == 0 || strcmp(s, "owner_leads") == 0) {
        return CONTACTS_LEAD;
    }
    if (strcmp(s, "contact") == 0 || strcmp(s, "contacts") == 0) {
        return CONTACTS_CONTACT;
    }
    if (strcmp(s, "relation") == 0 || strcmp(s, "relations") == 0) {
        return CONTACTS_RELATION;
    }
    return 0;
}

contacts_kind_t
contacts_kind_of_path(const ts_request_t *r)
{
    const char *p = r->path;
    if (strncmp(p, "/api/v1/", 8) == 0) {
        p += 8;
    } else if (*p == '/') {
        p++;
    }
    static const char *names[] = { "leads", "contacts", "relations" };
    static const contacts_kind_t kinds[] = { CONTACTS_LEAD, CONTACTS_CONTACT, CONTACTS_RELATION };
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(names[i]);
        if (strncmp(p, names[i], n) == 0 && (p[n] == '\0' || p[n] == '/' || p[n] == '.')) {
            return kinds[i];
        }
    }
    return 0;
}

const char *
contacts_kind_name(contacts_kind_t k)
{
    return k == CONTACTS_LEAD ? "lead" : k == CONTACTS_CONTACT ? "contact" : "relation";
}

const char *
contacts_kind_plural(contacts_kind_t k)
{
    return k == CONTACTS_LEAD ? "leads" : k == CONTACTS_CONTACT ? "contacts" : "relations";
}

const char *
contacts_kind_entity(contacts_kind_t k)
{
    return k == CONTACTS_RELATION ? "relation" : "contact";
}

bool
contacts_sees_all(ts_request_t *r)
{
    if (r->user == NULL || r->user->role >= TS_ROLE_MANAGER || r->user->role == TS_ROLE_VIEWER) {
        /* Viewers read everything; they change nothing. */
        return true;
    }
    ts_db_result_t *res = ts_db_query(r, "SELECT agents_see_all FROM contacts_settings"
                                         " WHERE tenant_id = {tenant}", "");
    return res != NULL && ts_db_rows(res) == 1 && ts_db_get_int(res, 0, "agents_see_all") == 1;
}

/* ---- statements ---- */

static void
q_grow(contacts_q_t *q, size_t more)
{
    if (q->len + more + 1 <= q->cap) {
        return;
    }
    size_t cap = (q->cap ? q->cap : 256) * 2;
    while (cap < q->len + more + 1) {
        cap *= 2;
    }
    char *s = ts_palloc(q->pool, cap);
    if (q->len) {
        memcpy(s, q->sql, q->len);
    }
    s[q->len] = '\0';
    q->sql = s;
    q->cap = cap;
}

void
contacts_q_init(contacts_q_t *q, ts_pool_t *p, const char *sql)
{
    memset(q, 0, sizeof(*q));
    q->pool = p;
    contacts_q_add(q, sql);
}

void
contacts_q_add(contacts_q_t *q, const char *fragment)
{
    size_t n = strlen(fragment);
    q_grow(q, n);
    memcpy(q->sql + q->len, fragment, n + 1);
    q->len += n;
}

void
contacts_q_arg(contacts_q_t *q, const char *value)
{
    if (q->nargs == CONTACTS_Q_MAX_ARGS) {
        q->overflow = true;
        return;
    }
    q->args[q->nargs++] = value;
}

void
contacts_q_argi(contacts_q_t *q, int64_t value)
{
    contacts_q_arg(q, contacts_i64(q->pool, value));
}

void
contacts_q_bind(contacts_q_t *q, const char *fragment, const char *value)
{
    contacts_q_add(q, fragment);
    contacts_q_arg(q, value);
}

/* Every value goes as a string: MariaDB converts it for the column compared,
 * and the variadic call below passes the same 56 pointers whatever the count
 * (the core reads as many as the types string names). */
#define QA(i) q->args[i]
#define QARGS QA(0), QA(1), QA(2), QA(3), QA(4), QA(5), QA(6), QA(7), QA(8), QA(9), \
    QA(10), QA(11), QA(12), QA(13), QA(14), QA(15), QA(16), QA(17), QA(18), QA(19), \
    QA(20), QA(21), QA(22), QA(23), QA(24), QA(25), QA(26), QA(27), QA(28), QA(29), \
    QA(30), QA(31), QA(32), QA(33), QA(34), QA(35), QA(36), QA(37), QA(38), QA(39), \
    QA(40), QA(41), QA(42), QA(43), QA(44), QA(45), QA(46), QA(47), QA(48), QA(49), \
    QA(50), QA(51), QA(52), QA(53), QA(54), QA(55)

static const char *
q_types(contacts_q_t *q)
{
    char *t = ts_palloc(q->pool, (size_t) q->nargs + 1);
    memset(t, 's', (size_t) q->nargs);
    t[q->nargs] = '\0';
    return t;
}

ts_db_result_t *
contacts_q_query(ts_request_t *r, contacts_q_t *q)
{
    if (q->overflow) {
        ts_log_error("statement refused: more than %d values", CONTACTS_Q_MAX_ARGS);
        return NULL;
    }
    return ts_db_query(r, q->sql, q_types(q), QARGS);
}

int
contacts_q_exec(ts_request_t *r, contacts_q_t *q)
{
    if (q->overflow) {
        ts_log_error("statement refused: more than %d values", CONTACTS_Q_MAX_ARGS);
        return TS_ERROR;
    }
    return ts_db_exec(r, q->sql, q_types(q), QARGS);
}

/* ---- helpers ---- */

void
contacts_field_error(cJSON **fields, const char *name, const char *msg)
{
    if (*fields == NULL) {
        *fields = cJSON_CreateObject();
    }
    if (cJSON_GetObjectItemCaseSensitive(*fields, name) == NULL) {
        cJSON_AddStringToObject(*fields, name, msg);
    }
}

int
contacts_validation_error(ts_request_t *r, cJSON *fields)
{
    return ts_resp_error(r, 422, "validation_failed", "some fields are invalid", fields);
}

char *
contacts_i64(ts_pool_t *p, int64_t v)
{
    return ts_psprintf(p, "%" PRId64, v);
}

bool
contacts_text_ok(const char *s, bool multiline)
{
    const unsigned char *u = (const unsigned char *) s;
    while (*u) {
        if (*u < 0x20) {
            if (!(multiline && (*u == '\n' || *u == '\r' || *u == '\t'))) {
                return false;
            }
            u++;
        } else if (*u < 0x80) {
            u++;
        } else {
            int n = (*u & 0xE0) == 0xC0 ? 1 : (*u & 0xF0) == 0xE0 ? 2 : (*u & 0xF8) == 0xF0 ? 3 : -1;
            if (n < 0 || (*u == 0xC0 || *u == 0xC1)) {
                return false;
            }
            for (int i = 1; i <= n; i++) {
                if ((u[i] & 0xC0) != 0x80) {
                    return false;
                }
            }
            u += n + 1;
        }
    }
    return true;
}

const char *
contacts_json_str(const cJSON *o, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

void
contacts_q_append(contacts_q_t *q, const contacts_q_t *part)
{
    contacts_q_add(q, part->sql ? part->sql : "");
    for (int i = 0; i < part->nargs; i++) {
        contacts_q_arg(q, part->args[i]);
    }
    q->overflow |= part->overflow;
}

int
contacts_route_kinds(ts_plugin_ctx_t *ctx, unsigned kinds, unsigned methods, const char *suffix,
                     ts_handler_t h, ts_role_t min_role)
{
    static const contacts_kind_t all[] = { CONTACTS_LEAD, CONTACTS_CONTACT, CONTACTS_RELATION };
    for (int i = 0; i < 3; i++) {
        if (!(kinds & all[i])) {
            continue;
        }
        char path[96];
        snprintf(path, sizeof(path), "/api/v1/%s%s", contacts_kind_plural(all[i]), suffix);
        if (ts_route_add_ex(ctx, methods, path, h, 0, min_role) != TS_OK) {
            return TS_ERROR;
        }
    }
    return TS_OK;
}

void
contacts_add_temperature(cJSON *o)
{
    const cJSON *score = cJSON_GetObjectItemCaseSensitive(o, "score");
    if (cJSON_GetObjectItemCaseSensitive(o, "kind") == NULL) {
        return;     /* relations have no score */
    }
    if (!cJSON_IsNumber(score)) {
        cJSON_AddNullToObject(o, "temperature");
        return;
    }
    double v = score->valuedouble;
    cJSON_AddStringToObject(o, "temperature", v >= 80 ? "hot" : v >= 50 ? "warm" : "cold");
}

/* One lead, contact or relation: validation, saving with its audit trail, and
 * the record as the API shows it. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "contacts.h"
#include "contacts_fields.h"
#include "contacts_norm.h"

#define MAX_COLS 40

/* Names the API shows but never takes. */
static const char *const read_only[] = {
    "id", "kind", "score", "score_reasons", "scored_at", "converted_at", "merged_into",
    "erased_at", "created_by", "updated_by", "created_at", "updated_at", "deleted_at",
    "tenant_id", "email_norm", "phone_norm", NULL };

static const char *const person_specials[] = {
    "tags", "roles", "preferences", "communication", "consents", "custom", "emails", "phones",
    "addresses", NULL };
static const char *const relation_specials[] = {
    "tags", "social", "custom", "addresses", "persons", NULL };

typedef struct {
    const char *col;
    const char *val;
} colval_t;

typedef struct {
    ts_request_t      *r;
    contacts_kind_t    kind;
    int64_t            id;
    ts_db_result_t    *old;          /* the row before an update, else NULL */
    colval_t           cols[MAX_COLS];
    int                ncols;
    cJSON             *fields;       /* errors */
    cJSON             *changes;      /* {"field": [old, new]} */
    /* the special fields, validated, written after the row */
    const cJSON       *tags, *roles, *emails, *phones, *addresses, *consents, *persons;
} save_t;

static const char *
old_val(save_t *s, const char *col)
{
    return s->old ? ts_db_get(s->old, 0, col) : NULL;
}

static void
set_col(save_t *s, const char *col, const char *val)
{
    for (int i = 0; i < s->ncols; i++) {
        if (strcmp(s->cols[i].col, col) == 0) {
            s->cols[i].val = val;
            return;
        }
    }
    if (s->ncols < MAX_COLS) {
        s->cols[s->ncols++] = (colval_t) { col, val };
    }
}

/* The value the row will hold after the save. */
static const char *
new_val(save_t *s, const char *col, bool *given)
{
    for (int i = 0; i < s->ncols; i++) {
        if (strcmp(s->cols[i].col, col) == 0) {
            if (given) {
                *given = true;
            }
            return s->cols[i].val;
        }
    }
    if (given) {
        *given = false;
    }
    return old_val(s, col);
}

static bool
same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

static cJSON *
str_or_null(const char *s)
{
    return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static void
change(save_t *s, const char *name, cJSON *old, cJSON *new)
{
    cJSON *pair = cJSON_CreateArray();
    cJSON_AddItemToArray(pair, old);
    cJSON_AddItemToArray(pair, new);
    cJSON_AddItemToObject(s->changes, name, pair);
}

/* A list of short strings (tags, towns, roles): at most max items, each 1..len characters. */
static const char *
check_str_list(const cJSON *v, int max, size_t len, const char *const *allowed, bool no_comma)
{
    if (!cJSON_IsArray(v)) {
        return "must be a list of strings";
    }
    if (cJSON_GetArraySize(v) > max) {
        return "too many values";
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, v) {
        if (!cJSON_IsString(e) || e->valuestring[0] == '\0' || strlen(e->valuestring) > len
            || !contacts_text_ok(e->valuestring, false)) {
            return "each value must be a non-empty string";
        }
        if (no_comma && strchr(e->valuestring, ',') != NULL) {
            return "a value cannot hold a comma";
        }
        if (allowed && !contacts_enum_has(allowed, e->valuestring)) {
            return "holds an unknown value";
        }
    }
    return NULL;
}

/* One column's value: stored in s, or its error under name. */
static void
check_column(save_t *s, const contacts_field_t *f, const char *name, const cJSON *v)
{
    const char *out, *err = contacts_field_check(s->r, f, v, &out);
    if (err) {
        contacts_field_error(&s->fields, name, err);
    } else {
        set_col(s, f->name, out);
    }
}

/* preferences: the numbers go to columns, the lists to the JSON column. */
static void
check_preferences(save_t *s, const cJSON *v)
{
    ts_pool_t *p = s->r->pool;
    if (cJSON_IsNull(v)) {
        v = NULL;
    } else if (!cJSON_IsObject(v)) {
        contacts_field_error(&s->fields, "preferences", "must be an object");
        return;
    }
    const char *oldtext = old_val(s, "preferences");
    cJSON *lists = oldtext ? cJSON_Parse(oldtext) : NULL;
    if (!cJSON_IsObject(lists)) {
        cJSON_Delete(lists);
        lists = cJSON_CreateObject();
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, v) {
        char *name = ts_psprintf(p, "preferences.%s", e->string);
        const contacts_field_t *f = NULL;
        for (const contacts_field_t *pf = contacts_pref_fields; pf->name; pf++) {
            if (strcmp(pf->name, e->string) == 0) {
                f = pf;
            }
        }
        if (f != NULL) {
            check_column(s, f, name, e);
            continue;
        }
        if (!contacts_enum_has(contacts_pref_lists, e->string)) {
            contacts_field_error(&s->fields, name, "unknown field");
            continue;
        }
        if (cJSON_IsNull(e)) {
            cJSON_DeleteItemFromObjectCaseSensitive(lists, e->string);
            continue;
        }
        const char *err = check_str_list(e, 50, 100, NULL, false);
        if (err) {
            contacts_field_error(&s->fields, name, err);
            continue;
        }
        cJSON_DeleteItemFromObjectCaseSensitive(lists, e->string);
        cJSON_AddItemToObject(lists, e->string, cJSON_Duplicate(e, 1));
    }
    if (v == NULL) {
        /* null clears every preference */
        for (const contacts_field_t *pf = contacts_pref_fields; pf->name; pf++) {
            set_col(s, pf->name, NULL);
        }
        cJSON_Delete(lists);
        lists = cJSON_CreateObject();
    }
    char *t = cJSON_PrintUnformatted(lists);
    set_col(s, "preferences", ts_pstrdup(p, t));
    cJSON_free(t);
    cJSON_Delete(lists);
}

/* A flat object of scalars (custom fields: merged; communication, social: replaced). */
static void
check_object(save_t *s, const char *name, const cJSON *v, bool merge, bool bools_only,
             bool urls_only)
{
    ts_pool_t *p = s->r->pool;
    if (cJSON_IsNull(v)) {
        set_col(s, name, NULL);
        return;
    }
    if (!cJSON_IsObject(v)) {
        contacts_field_error(&s->fields, name, "must be an object");
        return;
    }
    const char *oldtext = merge ? old_val(s, name) : NULL;
    cJSON *o = oldtext ? cJSON_Parse(oldtext) : NULL;
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        o = cJSON_CreateObject();
    }
    const cJSON *e;
    int n = 0;
    cJSON_ArrayForEach(e, v) {
        char *fname = ts_psprintf(p, "%s.%s", name, e->string);
        bool key_ok = strlen(e->string) > 0 && strlen(e->string) <= 64 && ++n <= 100;
        for (const char *c = e->string; key_ok && *c; c++) {
            key_ok = islower((unsigned char) *c) || isdigit((unsigned char) *c) || *c == '_';
        }
        if (!key_ok) {
            contacts_field_error(&s->fields, fname, "names are lower-case letters, digits and _");
            continue;
        }
        bool ok;
        if (bools_only) {
            ok = cJSON_IsBool(e);
        } else if (urls_only) {
            ok = cJSON_IsNull(e) || (cJSON_IsString(e) && contacts_url_ok(e->valuestring));
        } else {
            /* a list of strings: a multiselect custom field's value */
            ok = cJSON_IsNull(e) || cJSON_IsBool(e) || cJSON_IsNumber(e)
                 || (cJSON_IsString(e) && strlen(e->valuestring) <= 2000
                     && contacts_text_ok(e->valuestring, true))
                 || (cJSON_IsArray(e) && check_str_list(e, 50, 200, NULL, false) == NULL);
        }
        if (!ok) {
            contacts_field_error(&s->fields, fname, bools_only ? "must be true or false"
                                 : urls_only ? "an http(s) address is required"
                                 : "must be a string, number, boolean or list of strings");
            continue;
        }
        cJSON_DeleteItemFromObjectCaseSensitive(o, e->string);
        if (!cJSON_IsNull(e)) {
            cJSON_AddItemToObject(o, e->string, cJSON_Duplicate(e, 1));
        }
    }
    char *t = cJSON_PrintUnformatted(o);
    set_col(s, name, ts_pstrdup(p, t));
    cJSON_free(t);
    cJSON_Delete(o);
}

/* [{"label","value"}] of emails or phones. */
static void
check_channels(save_t *s, const char *name, const cJSON *v, contacts_ftype_t type)
{
    if (cJSON_IsNull(v)) {
        return;
    }
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > 10) {
        contacts_field_error(&s->fields, name, "must be a list of at most 10 {label, value}");
        return;
    }
    contacts_field_t f = { "value", type, 254, NULL, 0, false };
    int i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, v) {
        const char *fname = ts_psprintf(s->r->pool, "%s[%d]", name, i++);
        const char *label = contacts_json_str(e, "label");
        const char *out, *err = cJSON_IsObject(e) ? contacts_field_check(s->r, &f,
                                  cJSON_GetObjectItemCaseSensitive(e, "value"), &out) : "must be an object";
        if (err == NULL && out == NULL) {
            err = "value is required";
        }
        if (err == NULL && label != NULL && (strlen(label) > 32 || !contacts_text_ok(label, false))) {
            err = "label: at most 32 characters";
        }
        if (err) {
            contacts_field_error(&s->fields, fname, err);
        }
    }
}

static const char *
check_address(save_t *s, const cJSON *e)
{
    static const struct { const char *k; size_t max; } parts[] = {
        { "label", 32 }, { "street", 200 }, { "postal_code", 16 }, { "city", 100 },
        { "province", 100 }, { "country", 2 },
    };
    (void) s;
    if (!cJSON_IsObject(e)) {
        return "must be an object";
    }
    const cJSON *k;
    cJSON_ArrayForEach(k, e) {
        bool known = strcmp(k->string, "latitude") == 0 || strcmp(k->string, "longitude") == 0;
        for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]) && !known; i++) {
            if (strcmp(parts[i].k, k->string) == 0) {
                known = true;
                if (!cJSON_IsNull(k) && (!cJSON_IsString(k) || strlen(k->valuestring) > parts[i].max
                                         || !contacts_text_ok(k->valuestring, false))) {
                    return "each part is text of limited length (country: two letters)";
                }
            }
        }
        if (!known) {
            return "unknown part (label, street, postal_code, city, province, country, latitude, longitude)";
        }
    }
    const cJSON *lat = cJSON_GetObjectItemCaseSensitive(e, "latitude");
    const cJSON *lon = cJSON_GetObjectItemCaseSensitive(e, "longitude");
    if (lat && !cJSON_IsNull(lat) && (!cJSON_IsNumber(lat) || lat->valuedouble < -90 || lat->valuedouble > 90)) {
        return "latitude must be between -90 and 90";
    }
    if (lon && !cJSON_IsNull(lon) && (!cJSON_IsNumber(lon) || lon->valuedouble < -180 || lon->valuedouble > 180)) {
        return "longitude must be between -180 and 180";
    }
    const char *country = contacts_json_str(e, "country");
    if (country && (strlen(country) != 2 || !isalpha((unsigned char) country[0])
                    || !isalpha((unsigned char) country[1]))) {
        return "country must be a two-letter code";
    }
    return NULL;
}

/* A list of objects, each checked by fn; errors name "name[i]". */
static void
check_items(save_t *s, const char *name, const cJSON *v, int max,
            const char *(*fn)(save_t *, const cJSON *))
{
    if (cJSON_IsNull(v)) {
        return;
    }
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > max) {
        contacts_field_error(&s->fields, name, ts_psprintf(s->r->pool, "must be a list of at most %d", max));
        return;
    }
    int i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, v) {
        const char *err = fn(s, e);
        if (err) {
            contacts_field_error(&s->fields, ts_psprintf(s->r->pool, "%s[%d]", name, i), err);
        }
        i++;
    }
}

static const char *
check_person(save_t *s, const cJSON *e)
{
    const cJSON *cid = cJSON_GetObjectItemCaseSensitive(e, "contact_id");
    const char *fn = contacts_json_str(e, "function");
    if (!cJSON_IsNumber(cid) || cid->valuedouble < 1 || cid->valuedouble > 9e15) {
        return "contact_id is required";
    }
    if (fn && strlen(fn) > 100) {
        return "function: at most 100 characters";
    }
    ts_db_result_t *c = ts_db_query(s->r, "SELECT id FROM contacts WHERE tenant_id = {tenant}"
                                          " AND id = ? AND deleted_at IS NULL", "i",
                                    (int64_t) cid->valuedouble);
    return c != NULL && ts_db_rows(c) == 1 ? NULL : "no such contact";
}

static void
check_special(save_t *s, const char *name, const cJSON *v)
{
    const char *err = NULL;
    if (strcmp(name, "tags") == 0) {
        err = cJSON_IsNull(v) ? NULL : check_str_list(v, 50, 64, NULL, true);
        s->tags = v;
    } else if (strcmp(name, "roles") == 0) {
        err = cJSON_IsNull(v) ? NULL : check_str_list(v, 10, 32, contacts_roles, false);
        if (err && strcmp(err, "holds an unknown value") == 0) {
            err = "roles are buyer, seller, tenant, landlord, lawyer, notary, architect, agent,"
                  " accountant, other";
        }
        s->roles = v;
    } else if (strcmp(name, "preferences") == 0) {
        check_preferences(s, v);
    } else if (strcmp(name, "communication") == 0) {
        check_object(s, name, v, false, true, false);
    } else if (strcmp(name, "social") == 0) {
        check_object(s, name, v, false, false, true);
    } else if (strcmp(name, "custom") == 0) {
        check_object(s, name, v, true, false, false);
    } else if (strcmp(name, "emails") == 0) {
        check_channels(s, name, v, CF_EMAIL);
        s->emails = v;
    } else if (strcmp(name, "phones") == 0) {
        check_channels(s, name, v, CF_PHONE);
        s->phones = v;
    } else if (strcmp(name, "addresses") == 0) {
        check_items(s, name, v, 10, check_address);
        s->addresses = v;
    } else if (strcmp(name, "consents") == 0) {
        if (!cJSON_IsObject(v)) {
            err = "must be an object {purpose: true | false | {granted, source}}";
        } else {
            const cJSON *e;
            cJSON_ArrayForEach(e, v) {
                const cJSON *g = cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e, "granted") : e;
                const char *src = cJSON_IsObject(e) ? contacts_json_str(e, "source") : NULL;
                if (!cJSON_IsBool(g) || strlen(e->string) == 0 || strlen(e->string) > 64
                    || (src && strlen(src) > 100)) {
                    contacts_field_error(&s->fields, ts_psprintf(s->r->pool, "consents.%s", e->string),
                                         "must be true, false or {granted, source}");
                }
            }
        }
        s->consents = v;
    } else if (strcmp(name, "persons") == 0) {
        check_items(s, name, v, 50, check_person);
        s->persons = v;
    }
    if (err) {
        contacts_field_error(&s->fields, name, err);
    }
}

static void
check_range(save_t *s, const char *lo, const char *hi)
{
    const char *a = new_val(s, lo, NULL), *b = new_val(s, hi, NULL);
    if (a && b && strtoll(a, NULL, 10) > strtoll(b, NULL, 10)) {
        contacts_field_error(&s->fields, ts_psprintf(s->r->pool, "preferences.%s", hi),
                             ts_psprintf(s->r->pool, "must not be below %s", lo));
    }
}

static void
check_input(save_t *s, const cJSON *in)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, in) {
        const char *name = e->string;
        const contacts_field_t *f = contacts_field_find(s->kind, name);
        if (f != NULL) {
            check_column(s, f, name, e);
        } else if (contacts_enum_has(s->kind == CONTACTS_RELATION ? relation_specials
                                                                  : person_specials, name)) {
            check_special(s, name, e);
        } else if (contacts_enum_has(read_only, name)) {
            contacts_field_error(&s->fields, name, "cannot be set");
        } else {
            contacts_field_error(&s->fields, name, "unknown field");
        }
    }
    if (s->kind == CONTACTS_RELATION) {
        const char *n = new_val(s, "name", NULL);
        if (n == NULL || *n == '\0') {
            contacts_field_error(&s->fields, "name", "a name is required");
        }
    } else {
        const char *fn = new_val(s, "first_name", NULL), *ln = new_val(s, "last_name", NULL);
        const char *co = new_val(s, "company", NULL);
        if ((fn == NULL || *fn == '\0') && (ln == NULL || *ln == '\0') && (co == NULL || *co == '\0')) {
            contacts_field_error(&s->fields, "last_name", "a first name, last name or company is required");
        }
        check_range(s, "budget_min", "budget_max");
        check_range(s, "area_min", "area_max");
    }
}

static const char *
visibility(ts_request_t *r)
{
    return contacts_sees_all(r) ? "1" : "0";
}

/* The row, of that kind, not deleted, visible to the caller. */
static ts_db_result_t *
load_row(ts_request_t *r, contacts_kind_t kind, int64_t id)
{
    if (kind == CONTACTS_RELATION) {
        return ts_db_query(r, "SELECT * FROM relations WHERE tenant_id = {tenant} AND id = ?"
                              " AND deleted_at IS NULL", "i", id);
    }
    return ts_db_query(r, "SELECT * FROM contacts c WHERE c.tenant_id = {tenant} AND c.id = ?"
                          " AND c.kind = ? AND c.deleted_at IS NULL"
                          " AND (? = '1' OR c.agent_id = ? OR c.agent_id IS NULL)", "isss", id,
                       contacts_kind_name(kind), visibility(r), contacts_i64(r->pool, r->user->id));
}

bool
contacts_record_visible(ts_request_t *r, contacts_kind_t kind, int64_t id)
{
    ts_db_result_t *res = load_row(r, kind, id);
    return res != NULL && ts_db_rows(res) == 1;
}

/* Normalised keys follow email and phone. */
static void
set_norms(save_t *s)
{
    bool given;
    const char *email = new_val(s, "email", &given);
    if (given) {
        set_col(s, "email_norm", contacts_norm_email(s->r->pool, email));
    }
    const char *phone = new_val(s, "phone", &given);
    if (given) {
        set_col(s, "phone_norm", contacts_norm_phone(s->r->pool, phone));
    }
}

/* "INSERT INTO <table> (tenant_id, created_by, updated_by[, kind], <s's
 * columns>" `then` "{tenant}, ?, ?[, ?]", the creator and the kind bound. */
static void
insert_head(contacts_q_t *q, const save_t *s, const char *then)
{
    bool rel = s->kind == CONTACTS_RELATION;
    contacts_q_init(q, s->r->pool, rel ? "INSERT INTO relations (tenant_id, created_by, updated_by"
                                       : "INSERT INTO contacts (tenant_id, created_by, updated_by, kind");
    for (int i = 0; i < s->ncols; i++) {
        contacts_q_add(q, ", ");
        contacts_q_add(q, s->cols[i].col);
    }
    contacts_q_add(q, then);
    contacts_q_argi(q, s->r->user->id);
    contacts_q_argi(q, s->r->user->id);
    if (!rel) {
        contacts_q_bind(q, ", ?", contacts_kind_name(s->kind));
    }
}

static int
write_row(save_t *s)
{
    ts_request_t *r = s->r;
    const char *table = s->kind == CONTACTS_RELATION ? "relations" : "contacts";
    contacts_q_t q;
    set_norms(s);
    if (s->old == NULL) {
        insert_head(&q, s, ") VALUES ({tenant}, ?, ?");
        for (int i = 0; i < s->ncols; i++) {
            contacts_q_bind(&q, ", ?", s->cols[i].val);
        }
        contacts_q_add(&q, ")");
        if (contacts_q_exec(r, &q) != TS_OK) {
            return TS_ERROR;
        }
        s->id = ts_db_insert_id(r);
        (void) table;
        return TS_OK;
    }
    contacts_q_init(&q, r->pool, s->kind == CONTACTS_RELATION ? "UPDATE relations SET updated_by = ?"
                                                              : "UPDATE contacts SET updated_by = ?");
    contacts_q_argi(&q, r->user->id);
    for (int i = 0; i < s->ncols; i++) {
        contacts_q_add(&q, ", ");
        contacts_q_add(&q, s->cols[i].col);
        contacts_q_bind(&q, " = ?", s->cols[i].val);
    }
    contacts_q_bind(&q, " WHERE tenant_id = {tenant} AND id = ?", contacts_i64(r->pool, s->id));
    return contacts_q_exec(r, &q);
}

static cJSON *
tag_list(ts_request_t *r, const char *entity, int64_t id)
{
    ts_db_result_t *res = ts_db_query(r, "SELECT tag FROM tags WHERE tenant_id = {tenant}"
                                         " AND entity = ? AND entity_id = ? ORDER BY tag", "si",
                                      entity, id);
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        cJSON_AddItemToArray(a, cJSON_CreateString(ts_db_get(res, i, "tag")));
    }
    return a;
}

static cJSON *
role_list(ts_request_t *r, int64_t id)
{
    ts_db_result_t *res = ts_db_query(r, "SELECT role FROM contact_roles WHERE tenant_id = {tenant}"
                                         " AND contact_id = ? ORDER BY role", "i", id);
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        cJSON_AddItemToArray(a, cJSON_CreateString(ts_db_get(res, i, "role")));
    }
    return a;
}

/* Replaces a set of short strings (tags, roles) and records the change. A
 * new record has none yet: nothing to read or delete before. The values go
 * in with one statement, in their given order (INSERT IGNORE keeps the first
 * of those the collation counts as equal). */
static int
write_set(save_t *s, const char *name, const cJSON *list)
{
    ts_request_t *r = s->r;
    bool tags = strcmp(name, "tags") == 0, fresh = s->old == NULL;
    const char *entity = contacts_kind_entity(s->kind);
    if (fresh && cJSON_GetArraySize(list) == 0) {
        return TS_OK;
    }
    cJSON *before = fresh ? cJSON_CreateArray() : tags ? tag_list(r, entity, s->id) : role_list(r, s->id);
    int rc = fresh ? TS_OK
           : tags ? ts_db_exec(r, "DELETE FROM tags WHERE tenant_id = {tenant} AND entity = ?"
                                  " AND entity_id = ?", "si", entity, s->id)
                  : ts_db_exec(r, "DELETE FROM contact_roles WHERE tenant_id = {tenant}"
                                  " AND contact_id = ?", "i", s->id);
    if (rc == TS_OK && cJSON_GetArraySize(list) > 0) {
        char *values = cJSON_PrintUnformatted(list);
        rc = tags ? ts_db_exec(r, "INSERT IGNORE INTO tags (tenant_id, entity, entity_id, tag)"
                                  " SELECT {tenant}, ?, ?, j.v FROM JSON_TABLE(?, '$[*]' COLUMNS"
                                  " (n FOR ORDINALITY, v VARCHAR(64) PATH '$')) j ORDER BY j.n",
                               "sis", entity, s->id, values)
                  : ts_db_exec(r, "INSERT IGNORE INTO contact_roles (tenant_id, contact_id, role)"
                                  " SELECT {tenant}, ?, j.v FROM JSON_TABLE(?, '$[*]' COLUMNS"
                                  " (n FOR ORDINALITY, v VARCHAR(32) PATH '$')) j ORDER BY j.n",
                               "is", s->id, values);
        cJSON_free(values);
    }
    cJSON *after = rc != TS_OK ? NULL : tags ? tag_list(r, entity, s->id) : role_list(r, s->id);
    if (rc == TS_OK && !cJSON_Compare(before, after, 1)) {
        change(s, name, before, after);
    } else {
        cJSON_Delete(before);
        cJSON_Delete(after);
    }
    return rc;
}

static int
write_channels(save_t *s, const char *kind, const cJSON *list)
{
    ts_request_t *r = s->r;
    /* A new record has nothing to replace. */
    if (s->old != NULL
        && ts_db_exec(r, "DELETE FROM contact_channels WHERE tenant_id = {tenant} AND contact_id = ?"
                         " AND kind = ?", "is", s->id, kind) != TS_OK) {
        return TS_ERROR;
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, list) {
        char *value = ts_pstrdup(r->pool, contacts_json_str(e, "value"));
        const char *label = contacts_json_str(e, "label");
        char *norm = kind[0] == 'e' ? contacts_norm_email(r->pool, value)
                                    : contacts_norm_phone(r->pool, value);
        if (ts_db_exec(r, "INSERT INTO contact_channels (tenant_id, contact_id, kind, label, value,"
                          " value_norm) VALUES ({tenant}, ?, ?, ?, ?, ?)", "issss", s->id, kind,
                       label ? label : "", value, norm ? norm : value) != TS_OK) {
            return TS_ERROR;
        }
    }
    change(s, kind[0] == 'e' ? "emails" : "phones", cJSON_CreateNull(), cJSON_Duplicate(list, 1));
    return TS_OK;
}

/* An address's ten column values, as the single and the batch writes bind them. */
static void
address_values(ts_request_t *r, const cJSON *e, const char *v[8])
{
    const cJSON *lat = cJSON_GetObjectItemCaseSensitive(e, "latitude");
    const cJSON *lon = cJSON_GetObjectItemCaseSensitive(e, "longitude");
    const char *label = contacts_json_str(e, "label");
    const char *country = contacts_json_str(e, "country");
    char *cc = country ? ts_pstrdup(r->pool, country) : NULL;
    for (char *c = cc; c && *c; c++) {
        *c = (char) toupper((unsigned char) *c);
    }
    v[0] = label ? label : "";
    v[1] = contacts_json_str(e, "street");
    v[2] = contacts_json_str(e, "postal_code");
    v[3] = contacts_json_str(e, "city");
    v[4] = contacts_json_str(e, "province");
    v[5] = cc;
    v[6] = cJSON_IsNumber(lat) ? ts_psprintf(r->pool, "%.6f", lat->valuedouble) : NULL;
    v[7] = cJSON_IsNumber(lon) ? ts_psprintf(r->pool, "%.6f", lon->valuedouble) : NULL;
}

static int
write_addresses(save_t *s)
{
    ts_request_t *r = s->r;
    bool rel = s->kind == CONTACTS_RELATION;
    if (s->old != NULL && ts_db_exec(r, rel ? "DELETE FROM contact_addresses WHERE tenant_id = {tenant} AND relation_id = ?"
                          : "DELETE FROM contact_addresses WHERE tenant_id = {tenant} AND contact_id = ?",
                   "i", s->id) != TS_OK) {
        return TS_ERROR;
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, s->addresses) {
        const char *v[8];
        address_values(r, e, v);
        if (ts_db_exec(r, "INSERT INTO contact_addresses (tenant_id, contact_id, relation_id, label,"
                          " street, postal_code, city, province, country, latitude, longitude)"
                          " VALUES ({tenant}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "ssssssssss",
                       rel ? NULL : contacts_i64(r->pool, s->id),
                       rel ? contacts_i64(r->pool, s->id) : NULL, v[0], v[1], v[2], v[3], v[4],
                       v[5], v[6], v[7]) != TS_OK) {
            return TS_ERROR;
        }
    }
    change(s, "addresses", cJSON_CreateNull(), cJSON_Duplicate(s->addresses, 1));
    return TS_OK;
}

int
contacts_consent_log(ts_request_t *r, int64_t contact_id, const char *purpose, bool granted,
                     const char *source, bool only_if_changed)
{
    if (only_if_changed) {
        ts_db_result_t *last = ts_db_query(r, "SELECT granted FROM contact_consents WHERE"
                                              " tenant_id = {tenant} AND contact_id = ? AND purpose = ?"
                                              " ORDER BY id DESC LIMIT 1", "is", contact_id, purpose);
        if (last == NULL) {
            return TS_ERROR;
        }
        if (ts_db_rows(last) == 1 && (ts_db_get_int(last, 0, "granted") == 1) == granted) {
            return TS_DECLINED;
        }
    }
    return ts_db_exec(r, "INSERT INTO contact_consents (tenant_id, contact_id, purpose, granted,"
                         " source, user_id) VALUES ({tenant}, ?, ?, ?, ?, ?)", "isisi", contact_id,
                      purpose, (int64_t) granted, source ? source : "api", r->user->id);
}

static int
write_consents(save_t *s)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, s->consents) {
        const cJSON *g = cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e, "granted") : e;
        const char *src = cJSON_IsObject(e) ? contacts_json_str(e, "source") : NULL;
        int rc = contacts_consent_log(s->r, s->id, e->string, cJSON_IsTrue(g), src, true);
        if (rc == TS_ERROR) {
            return TS_ERROR;
        }
        if (rc == TS_OK) {
            change(s, ts_psprintf(s->r->pool, "consents.%s", e->string), cJSON_CreateNull(),
                   cJSON_CreateBool(cJSON_IsTrue(g)));
        }
    }
    return TS_OK;
}

static int
write_persons(save_t *s)
{
    ts_request_t *r = s->r;
    if (s->old != NULL && ts_db_exec(r, "DELETE FROM relation_persons WHERE tenant_id = {tenant} AND relation_id = ?",
                   "i", s->id) != TS_OK) {
        return TS_ERROR;
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, s->persons) {
        const char *fn = contacts_json_str(e, "function");
        if (ts_db_exec(r, "INSERT IGNORE INTO relation_persons (tenant_id, relation_id, contact_id,"
                          " `function`) VALUES ({tenant}, ?, ?, ?)", "iis", s->id,
                       (int64_t) cJSON_GetObjectItemCaseSensitive(e, "contact_id")->valuedouble,
                       fn ? fn : "") != TS_OK) {
            return TS_ERROR;
        }
    }
    change(s, "persons", cJSON_CreateNull(), cJSON_Duplicate(s->persons, 1));
    return TS_OK;
}

static int
write_specials(save_t *s)
{
    if ((s->tags && write_set(s, "tags", s->tags) != TS_OK)
        || (s->roles && write_set(s, "roles", s->roles) != TS_OK)
        || (s->emails && write_channels(s, "email", s->emails) != TS_OK)
        || (s->phones && write_channels(s, "phone", s->phones) != TS_OK)
        || (s->addresses && write_addresses(s) != TS_OK)
        || (s->consents && write_consents(s) != TS_OK)
        || (s->persons && write_persons(s) != TS_OK)) {
        return TS_ERROR;
    }
    return TS_OK;
}

/* Everything before the writes: the old row, the checks, the defaults of a
 * new record and the changes of its columns. 0, 422 (*fields_err), 404 or
 * TS_ERROR. */
static int
prepare(save_t *s, const char *kindname, const cJSON *in, cJSON **fields_err)
{
    ts_request_t *r = s->r;
    *fields_err = NULL;
    if (s->kind == 0) {
        return TS_ERROR;
    }
    if (!cJSON_IsObject(in)) {
        contacts_field_error(fields_err, "body", "a JSON object is required");
        return 422;
    }
    if (s->id > 0) {
        s->old = load_row(r, s->kind, s->id);
        if (s->old == NULL) {
            return TS_ERROR;
        }
        if (ts_db_rows(s->old) == 0) {
            return 404;
        }
    }
    check_input(s, in);
    if (s->fields != NULL) {
        *fields_err = s->fields;
        return 422;
    }
    if (s->old == NULL) {
        bool given;
        new_val(s, "agent_id", &given);
        if (!given) {
            /* Whoever creates a record looks after it until someone assigns it. */
            set_col(s, "agent_id", contacts_i64(r->pool, r->user->id));
        }
        if (strcmp(kindname, "owner_leads") == 0 && new_val(s, "type", NULL) == NULL) {
            set_col(s, "type", "owner");
        }
    }
    s->changes = cJSON_CreateObject();
    /* Only real changes are written and audited. */
    colval_t wanted[MAX_COLS];
    int nwanted = s->ncols;
    memcpy(wanted, s->cols, sizeof(wanted));
    s->ncols = 0;
    for (int i = 0; i < nwanted; i++) {
        const char *o = old_val(s, wanted[i].col);
        if (s->old == NULL || !same(o, wanted[i].val)) {
            set_col(s, wanted[i].col, wanted[i].val);
            if (strcmp(wanted[i].col, "preferences") != 0 || s->old != NULL) {
                change(s, wanted[i].col, str_or_null(o), str_or_null(wanted[i].val));
            }
        }
    }
    return 0;
}

static void
emit_saved(save_t *s)
{
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddNumberToObject(ev, "id", (double) s->id);
    cJSON_AddStringToObject(ev, "kind", contacts_kind_name(s->kind));
    cJSON_AddItemToObject(ev, "changes", cJSON_Duplicate(s->changes, 1));
    ts_event_emit(s->r, ts_psprintf(s->r->pool, "%s.%s", contacts_kind_name(s->kind),
                                    s->old ? "updated" : "created"), ev);
}

int
contacts_record_save(ts_request_t *r, const char *kindname, const cJSON *in, int64_t id_or_0,
                     cJSON **fields_err, int64_t *id_out)
{
    save_t s = { .r = r, .kind = contacts_kind_parse(kindname), .id = id_or_0 };
    int rc = prepare(&s, kindname, in, fields_err);
    if (rc != 0) {
        cJSON_Delete(s.changes);
        return rc;
    }
    if (s.old == NULL || s.ncols > 0) {
        rc = write_row(&s);
    }
    if (rc == TS_OK) {
        rc = write_specials(&s);
    }
    if (rc == TS_OK && cJSON_GetArraySize(s.changes) > 0) {
        rc = ts_audit(r, contacts_kind_entity(s.kind), s.id, s.old ? "update" : "create",
                      s.changes);
        if (rc == TS_OK) {
            emit_saved(&s);
        }
    }
    cJSON_Delete(s.changes);
    if (rc != TS_OK) {
        return TS_ERROR;
    }
    *id_out = s.id;
    return 0;
}

/* ---- new records written together (the CSV import) ---- */

#define ADDRESS_TABLE \
    "JSON_TABLE(?, '$[*]' COLUMNS (n FOR ORDINALITY, id BIGINT PATH '$[0]', label LONGTEXT" \
    " PATH '$[1]', street LONGTEXT PATH '$[2]', pc LONGTEXT PATH '$[3]', city LONGTEXT PATH" \
    " '$[4]', prov LONGTEXT PATH '$[5]', cc LONGTEXT PATH '$[6]', lat VARCHAR(32) PATH '$[7]'," \
    " lon VARCHAR(32) PATH '$[8]')) AS j ORDER BY j.n"

struct contacts_batch {
    ts_request_t *r;
    const char   *kindname;
    contacts_kind_t kind;
    save_t      **rows;
    int           n, max;
};

static void
batch_cleanup(void *p)
{
    contacts_batch_t *b = p;
    for (int i = 0; i < b->n; i++) {
        cJSON_Delete(b->rows[i]->changes);
    }
    b->n = 0;
}

contacts_batch_t *
contacts_batch_new(ts_request_t *r, const char *kindname, int max)
{
    contacts_batch_t *b = ts_pcalloc(r->pool, sizeof(*b));
    b->r = r;
    b->kindname = kindname;
    b->kind = contacts_kind_parse(kindname);
    b->max = max;
    b->rows = ts_pcalloc(r->pool, sizeof(*b->rows) * (size_t) max);
    ts_pool_cleanup_add(r->pool, batch_cleanup, b);
    return b;
}

int
contacts_batch_count(const contacts_batch_t *b)
{
    return b->n;
}

int
contacts_batch_add(contacts_batch_t *b, const cJSON *in, cJSON **fields_err)
{
    if (b->n == b->max) {
        return TS_ERROR;
    }
    save_t *s = ts_pcalloc(b->r->pool, sizeof(*s));
    *s = (save_t) { .r = b->r, .kind = b->kind };
    int rc = prepare(s, b->kindname, in, fields_err);
    if (rc != 0) {
        cJSON_Delete(s->changes);
        return rc;
    }
    /* Channels, roles, consents and persons keep the one-by-one save. */
    if (s->roles || s->emails || s->phones || s->consents || s->persons) {
        cJSON_Delete(s->changes);
        return TS_DECLINED;
    }
    set_norms(s);
    b->rows[b->n++] = s;
    return 0;
}

/* The columns of row i as a signature, to group rows that insert alike. */
static const char *
cols_signature(ts_pool_t *p, const save_t *s)
{
    const char *sig = "";
    for (int i = 0; i < s->ncols; i++) {
        sig = ts_psprintf(p, "%s,%s", sig, s->cols[i].col);
    }
    return sig;
}

/* Rows [from, to) with the columns of rows[from]: one INSERT ... SELECT from
 * one bound JSON document, in order, so the ids are consecutive (the
 * statement holds the table's auto-increment lock). */
static int
batch_insert(contacts_batch_t *b, save_t **rows, int n)
{
    ts_request_t *r = b->r;
    const save_t *f = rows[0];
    contacts_q_t q;
    insert_head(&q, f, ") SELECT {tenant}, ?, ?");
    for (int i = 0; i < f->ncols; i++) {
        contacts_q_add(&q, ts_psprintf(r->pool, ", j.c%d", i));
    }
    contacts_q_add(&q, " FROM JSON_TABLE(?, '$[*]' COLUMNS (n FOR ORDINALITY");
    for (int i = 0; i < f->ncols; i++) {
        contacts_q_add(&q, ts_psprintf(r->pool, ", c%d LONGTEXT PATH '$[%d]'", i, i));
    }
    cJSON *doc = cJSON_CreateArray();
    for (int k = 0; k < n; k++) {
        cJSON *row = cJSON_CreateArray();
        for (int i = 0; i < rows[k]->ncols; i++) {
            const char *v = rows[k]->cols[i].val;
            cJSON_AddItemToArray(row, v ? cJSON_CreateString(v) : cJSON_CreateNull());
        }
        cJSON_AddItemToArray(doc, row);
    }
    char *text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    contacts_q_bind(&q, ")) AS j ORDER BY j.n", ts_pstrdup(r->pool, text ? text : "[]"));
    cJSON_free(text);
    if (contacts_q_exec(r, &q) != TS_OK) {
        return TS_ERROR;
    }
    if (ts_db_affected(r) != n) {
        ts_log_error("batch insert: %lld rows written of %d", ts_db_affected(r), n);
        return TS_ERROR;
    }
    int64_t first = ts_db_insert_id(r);
    for (int k = 0; k < n; k++) {
        rows[k]->id = first + k;
    }
    return TS_OK;
}

/* A batch document as pool text (the document is freed); NULL when empty. */
static const char *
doc_text(ts_pool_t *p, cJSON *doc)
{
    if (cJSON_GetArraySize(doc) == 0) {
        cJSON_Delete(doc);
        return NULL;
    }
    char *tmp = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    const char *text = ts_pstrdup(p, tmp ? tmp : "[]");
    cJSON_free(tmp);
    return text;
}

/* The batch's tags in one statement, then read back (for the audit) in one. */
static int
batch_tags(contacts_batch_t *b)
{
    ts_request_t *r = b->r;
    const char *entity = contacts_kind_entity(b->kind);
    cJSON *doc = cJSON_CreateArray();
    for (int k = 0; k < b->n; k++) {
        if (cJSON_GetArraySize(b->rows[k]->tags) > 0) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "id", (double) b->rows[k]->id);
            cJSON_AddItemToObject(o, "tags", cJSON_Duplicate(b->rows[k]->tags, 1));
            cJSON_AddItemToArray(doc, o);
        }
    }
    const char *text = doc_text(r->pool, doc);
    if (text == NULL) {
        return TS_OK;
    }
    if (ts_db_exec(r, "INSERT IGNORE INTO tags (tenant_id, entity, entity_id, tag) SELECT {tenant},"
                      " ?, j.id, j.v FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$.id',"
                      " NESTED PATH '$.tags[*]' COLUMNS (n FOR ORDINALITY, v VARCHAR(64) PATH"
                      " '$'))) j WHERE j.v IS NOT NULL ORDER BY j.id, j.n", "ss", entity, text)
        != TS_OK) {
        return TS_ERROR;
    }
    ts_db_result_t *t = ts_db_query(r, "SELECT entity_id, tag FROM tags WHERE tenant_id = {tenant}"
                                       " AND entity = ? AND entity_id BETWEEN ? AND ? ORDER BY"
                                       " entity_id, tag", "sii", entity, b->rows[0]->id,
                                    b->rows[b->n - 1]->id);
    if (t == NULL) {
        return TS_ERROR;
    }
    size_t ti = 0;
    for (int k = 0; k < b->n; k++) {
        save_t *s = b->rows[k];
        cJSON *after = cJSON_CreateArray();
        for (; ti < ts_db_rows(t) && ts_db_get_int(t, ti, "entity_id") <= s->id; ti++) {
            if (ts_db_get_int(t, ti, "entity_id") == s->id) {
                cJSON_AddItemToArray(after, cJSON_CreateString(ts_db_get(t, ti, "tag")));
            }
        }
        if (cJSON_GetArraySize(after) > 0) {
            change(s, "tags", cJSON_CreateArray(), after);
        } else {
            cJSON_Delete(after);
        }
    }
    return TS_OK;
}

static int
batch_addresses(contacts_batch_t *b)
{
    ts_request_t *r = b->r;
    bool rel = b->kind == CONTACTS_RELATION;
    cJSON *doc = cJSON_CreateArray();
    for (int k = 0; k < b->n; k++) {
        save_t *s = b->rows[k];
        if (s->addresses == NULL) {
            continue;
        }
        const cJSON *e;
        cJSON_ArrayForEach(e, s->addresses) {
            const char *v[8];
            address_values(r, e, v);
            cJSON *row = cJSON_CreateArray();
            cJSON_AddItemToArray(row, cJSON_CreateNumber((double) s->id));
            for (int i = 0; i < 8; i++) {
                cJSON_AddItemToArray(row, v[i] ? cJSON_CreateString(v[i]) : cJSON_CreateNull());
            }
            cJSON_AddItemToArray(doc, row);
        }
        change(s, "addresses", cJSON_CreateNull(), cJSON_Duplicate(s->addresses, 1));
    }
    const char *text = doc_text(r->pool, doc);
    if (text == NULL) {
        return TS_OK;
    }
    return ts_db_exec(r, rel
        ? "INSERT INTO contact_addresses (tenant_id, contact_id, relation_id, label, street,"
          " postal_code, city, province, country, latitude, longitude) SELECT {tenant}, NULL, j.id,"
          " j.label, j.street, j.pc, j.city, j.prov, j.cc, j.lat, j.lon FROM " ADDRESS_TABLE
        : "INSERT INTO contact_addresses (tenant_id, contact_id, relation_id, label, street,"
          " postal_code, city, province, country, latitude, longitude) SELECT {tenant}, j.id, NULL,"
          " j.label, j.street, j.pc, j.city, j.prov, j.cc, j.lat, j.lon FROM " ADDRESS_TABLE,
        "s", text);
}

int
contacts_batch_flush(contacts_batch_t *b)
{
    if (b->n == 0) {
        return TS_OK;
    }
    ts_request_t *r = b->r;
    int rc = TS_OK;
    /* Rows of the same columns go in one statement; in file order within it. */
    bool *done = ts_pcalloc(r->pool, sizeof(bool) * (size_t) b->n);
    save_t **group = ts_pcalloc(r->pool, sizeof(*group) * (size_t) b->n);
    for (int k = 0; k < b->n && rc == TS_OK; k++) {
        if (done[k]) {
            continue;
        }
        const char *sig = cols_signature(r->pool, b->rows[k]);
        int g = 0;
        for (int m = k; m < b->n; m++) {
            if (!done[m] && strcmp(cols_signature(r->pool, b->rows[m]), sig) == 0) {
                group[g++] = b->rows[m];
                done[m] = true;
            }
        }
        rc = batch_insert(b, group, g);
    }
    /* Ids ascend with the rows of each group, not across groups: sort by id. */
    for (int k = 1; k < b->n; k++) {
        save_t *s = b->rows[k];
        int m = k;
        for (; m > 0 && b->rows[m - 1]->id > s->id; m--) {
            b->rows[m] = b->rows[m - 1];
        }
        b->rows[m] = s;
    }
    if (rc == TS_OK) {
        rc = batch_tags(b);
    }
    if (rc == TS_OK) {
        rc = batch_addresses(b);
    }
    cJSON *audit = cJSON_CreateArray();
    for (int k = 0; k < b->n && rc == TS_OK; k++) {
        if (cJSON_GetArraySize(b->rows[k]->changes) > 0) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "id", (double) b->rows[k]->id);
            char *text = cJSON_PrintUnformatted(b->rows[k]->changes);
            cJSON_AddStringToObject(o, "changes", text ? text : "{}");
            cJSON_free(text);
            cJSON_AddItemToArray(audit, o);
        }
    }
    if (rc == TS_OK) {
        rc = ts_audit_batch(r, contacts_kind_entity(b->kind), "create", audit);
    }
    cJSON_Delete(audit);
    for (int k = 0; k < b->n && rc == TS_OK; k++) {
        if (cJSON_GetArraySize(b->rows[k]->changes) > 0) {
            emit_saved(b->rows[k]);
        }
    }
    batch_cleanup(b);
    return rc;
}

/* ---- the record as JSON ---- */

static cJSON *
parsed_or(const char *text, cJSON *fallback)
{
    cJSON *j = text ? cJSON_Parse(text) : NULL;
    if (j == NULL) {
        return fallback;
    }
    cJSON_Delete(fallback);
    return j;
}

static void
drop(cJSON *o, const char *const *names)
{
    for (; *names; names++) {
        cJSON_DeleteItemFromObjectCaseSensitive(o, *names);
    }
}

static cJSON *
addresses_json(ts_request_t *r, contacts_kind_t kind, int64_t id)
{
    ts_db_result_t *res = ts_db_query(r, kind == CONTACTS_RELATION
        ? "SELECT label, street, postal_code, city, province, country, CAST(latitude AS DOUBLE) AS"
          " latitude, CAST(longitude AS DOUBLE) AS longitude FROM contact_addresses"
          " WHERE tenant_id = {tenant} AND relation_id = ? ORDER BY id"
        : "SELECT label, street, postal_code, city, province, country, CAST(latitude AS DOUBLE) AS"
          " latitude, CAST(longitude AS DOUBLE) AS longitude FROM contact_addresses"
          " WHERE tenant_id = {tenant} AND contact_id = ? ORDER BY id", "i", id);
    return ts_db_rows_json(r, res);
}

cJSON *
contacts_record_json(ts_request_t *r, contacts_kind_t kind, int64_t id)
{
    ts_db_result_t *res = load_row(r, kind, id);
    if (res == NULL || ts_db_rows(res) == 0) {
        return NULL;
    }
    cJSON *o = ts_db_row_json(r, res, 0);
    static const char *const hidden[] = { "tenant_id", "email_norm", "phone_norm", "deleted_at",
                                          NULL };
    drop(o, hidden);
    const char *entity = contacts_kind_entity(kind);
    cJSON_ReplaceItemInObjectCaseSensitive(o, "custom",
        parsed_or(ts_db_get(res, 0, "custom"), cJSON_CreateObject()));
    cJSON_AddItemToObject(o, "tags", tag_list(r, entity, id));
    cJSON_AddItemToObject(o, "addresses", addresses_json(r, kind, id));
    if (kind == CONTACTS_RELATION) {
        cJSON_ReplaceItemInObjectCaseSensitive(o, "social",
            parsed_or(ts_db_get(res, 0, "social"), cJSON_CreateObject()));
        ts_db_result_t *p = ts_db_query(r, "SELECT rp.contact_id, rp.`function`, c.first_name,"
                                           " c.last_name FROM relation_persons rp JOIN contacts c"
                                           " ON c.tenant_id = rp.tenant_id AND c.id = rp.contact_id"
                                           " WHERE rp.tenant_id = {tenant} AND rp.relation_id = ?"
                                           " ORDER BY rp.contact_id", "i", id);
        cJSON_AddItemToObject(o, "persons", ts_db_rows_json(r, p));
        return o;
    }
    cJSON *prefs = parsed_or(ts_db_get(res, 0, "preferences"), cJSON_CreateObject());
    for (const char *const *l = contacts_pref_lists; *l; l++) {
        if (cJSON_GetObjectItemCaseSensitive(prefs, *l) == NULL) {
            cJSON_AddItemToObject(prefs, *l, cJSON_CreateArray());
        }
    }
    for (const contacts_field_t *f = contacts_pref_fields; f->name; f++) {
        cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(o, f->name);
        cJSON_AddItemToObject(prefs, f->name, v ? v : cJSON_CreateNull());
    }
    cJSON_ReplaceItemInObjectCaseSensitive(o, "preferences", prefs);
    cJSON_ReplaceItemInObjectCaseSensitive(o, "communication",
        parsed_or(ts_db_get(res, 0, "communication"), cJSON_CreateObject()));
    cJSON_ReplaceItemInObjectCaseSensitive(o, "score_reasons",
        parsed_or(ts_db_get(res, 0, "score_reasons"), cJSON_CreateNull()));
    contacts_add_temperature(o);
    cJSON_AddItemToObject(o, "roles", role_list(r, id));
    ts_db_result_t *ch = ts_db_query(r, "SELECT kind, label, value FROM contact_channels"
                                        " WHERE tenant_id = {tenant} AND contact_id = ? ORDER BY id",
                                     "i", id);
    cJSON *emails = cJSON_AddArrayToObject(o, "emails"), *phones = cJSON_AddArrayToObject(o, "phones");
    for (size_t i = 0; i < ts_db_rows(ch); i++) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "label", ts_db_get(ch, i, "label"));
        cJSON_AddStringToObject(c, "value", ts_db_get(ch, i, "value"));
        cJSON_AddItemToArray(strcmp(ts_db_get(ch, i, "kind"), "email") == 0 ? emails : phones, c);
    }
    /* The latest state of each consent; the log is in the GDPR export. */
    ts_db_result_t *cs = ts_db_query(r, "SELECT k.purpose, k.granted, k.source, k.created_at"
                                        " FROM contact_consents k WHERE k.tenant_id = {tenant}"
                                        " AND k.contact_id = ? AND k.id = (SELECT MAX(id) FROM"
                                        " contact_consents m WHERE m.tenant_id = k.tenant_id AND"
                                        " m.contact_id = k.contact_id AND m.purpose = k.purpose)"
                                        " ORDER BY k.purpose", "i", id);
    cJSON *consents = cJSON_AddObjectToObject(o, "consents");
    for (size_t i = 0; i < ts_db_rows(cs); i++) {
        cJSON *c = ts_db_row_json(r, cs, i);
        cJSON_DeleteItemFromObjectCaseSensitive(c, "purpose");
        cJSON_ReplaceItemInObjectCaseSensitive(c, "granted",
            cJSON_CreateBool(ts_db_get_int(cs, i, "granted") == 1));
        cJSON_AddItemToObject(consents, ts_db_get(cs, i, "purpose"), c);
    }
    return o;
}

/* ---- duplicates ---- */

/* One indexed lookup per key (email_norm, phone_norm, the extra channels'
 * (tenant_id, kind, value_norm)), united in a derived table and joined back
 * by primary key: an OR across the keys and a subquery makes MariaDB scan
 * every row of the tenant, and an import asks once per row. */
static const char *const dup_people_sql =
    "SELECT c.id, c.kind, '' AS name, c.first_name, c.last_name, c.email_norm FROM ("
    "SELECT id FROM contacts WHERE tenant_id = {tenant} AND email_norm = ?"
    " UNION SELECT id FROM contacts WHERE tenant_id = {tenant} AND phone_norm = ?"
    " UNION SELECT contact_id FROM contact_channels WHERE tenant_id = {tenant}"
    " AND kind IN ('email', 'phone') AND value_norm IN (?, ?)"
    ") k JOIN contacts c ON c.tenant_id = {tenant} AND c.id = k.id"
    " WHERE c.deleted_at IS NULL AND c.id <> ?"
    " AND (? = '1' OR c.agent_id = ? OR c.agent_id IS NULL)";
static const char *const dup_relations_sql =
    "SELECT c.id, 'relation' AS kind, c.name, '' AS first_name, '' AS last_name, c.email_norm FROM ("
    "SELECT id FROM relations WHERE tenant_id = {tenant} AND email_norm = ?"
    " UNION SELECT id FROM relations WHERE tenant_id = {tenant} AND phone_norm = ?"
    ") k JOIN relations c ON c.tenant_id = {tenant} AND c.id = k.id"
    " WHERE c.deleted_at IS NULL AND c.id <> ?";

static ts_db_result_t *
dup_rows(ts_request_t *r, contacts_kind_t kind, const char *email, const char *phone,
         int64_t exclude_id, const char *limit, bool *failed)
{
    char *en = contacts_norm_email(r->pool, email), *pn = contacts_norm_phone(r->pool, phone);
    *failed = false;
    if (en == NULL && pn == NULL) {
        return NULL;
    }
    contacts_q_t q;
    contacts_q_init(&q, r->pool, kind == CONTACTS_RELATION ? dup_relations_sql : dup_people_sql);
    contacts_q_arg(&q, en);
    contacts_q_arg(&q, pn);
    if (kind != CONTACTS_RELATION) {
        contacts_q_arg(&q, en);
        contacts_q_arg(&q, pn);
    }
    contacts_q_argi(&q, exclude_id);
    if (kind != CONTACTS_RELATION) {
        contacts_q_arg(&q, visibility(r));
        contacts_q_argi(&q, r->user->id);
    }
    contacts_q_bind(&q, " ORDER BY c.email_norm = ? DESC, c.id", en);
    contacts_q_add(&q, limit);
    ts_db_result_t *res = contacts_q_query(r, &q);
    *failed = res == NULL;
    return res;
}

cJSON *
contacts_duplicates(ts_request_t *r, contacts_kind_t kind, const char *email, const char *phone,
                    int64_t exclude_id)
{
    cJSON *a = cJSON_CreateArray();
    bool failed;
    ts_db_result_t *res = dup_rows(r, kind, email, phone, exclude_id, " LIMIT 10", &failed);
    char *en = contacts_norm_email(r->pool, email);
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        cJSON *d = cJSON_CreateObject();
        const char *k = ts_db_get(res, i, "kind");
        contacts_kind_t dk = contacts_kind_parse(k);
        const char *name = dk == CONTACTS_RELATION ? ts_db_get(res, i, "name")
            : ts_psprintf(r->pool, "%s %s", ts_db_get(res, i, "first_name"), ts_db_get(res, i, "last_name"));
        const char *e = ts_db_get(res, i, "email_norm");
        cJSON_AddNumberToObject(d, "id", (double) ts_db_get_int(res, i, "id"));
        cJSON_AddStringToObject(d, "kind", k);
        cJSON_AddStringToObject(d, "name", name);
        cJSON_AddStringToObject(d, "match", en && e && strcmp(en, e) == 0 ? "email" : "phone");
        cJSON_AddStringToObject(d, "url", ts_psprintf(r->pool, "/api/v1/%s/%s",
                                contacts_kind_plural(dk), ts_db_get(res, i, "id")));
        cJSON_AddStringToObject(d, "page", ts_psprintf(r->pool, "/%s/%s",
                                contacts_kind_plural(dk), ts_db_get(res, i, "id")));
        cJSON_AddItemToArray(a, d);
    }
    return a;
}

/* Each key is looked up on its own index by a dependent subquery: joined to
 * the JSON table, the optimizer weighs those lookups by the index statistics,
 * which lag behind a table an import is filling, and scans the tenant. */
#define KEYS_TABLE "JSON_TABLE(?, '$[*]' COLUMNS (k VARCHAR(254) PATH '$')) j"
#define HOLDS(table, col) \
    " (SELECT 1 FROM " table " t WHERE t.tenant_id = {tenant} AND t." col " = j.k" \
    " COLLATE utf8mb4_unicode_ci LIMIT 1)"

ts_db_result_t *
contacts_duplicate_keys(ts_request_t *r, contacts_kind_t kind, const char *keys)
{
    if (kind == CONTACTS_RELATION) {
        return ts_db_query(r, "SELECT j.k FROM " KEYS_TABLE " WHERE" HOLDS("relations", "email_norm")
                              " OR" HOLDS("relations", "phone_norm"), "s", keys);
    }
    return ts_db_query(r, "SELECT j.k FROM " KEYS_TABLE " WHERE" HOLDS("contacts", "email_norm")
                          " OR" HOLDS("contacts", "phone_norm") " OR (SELECT 1 FROM"
                          " contact_channels t WHERE t.tenant_id = {tenant} AND t.kind IN"
                          " ('email', 'phone') AND t.value_norm = j.k COLLATE utf8mb4_unicode_ci"
                          " LIMIT 1)", "s", keys);
}

int64_t
contacts_duplicate_id(ts_request_t *r, contacts_kind_t kind, const char *email, const char *phone)
{
    bool failed;
    ts_db_result_t *res = dup_rows(r, kind, email, phone, 0, " LIMIT 1", &failed);
    if (failed) {
        return -1;
    }
    return ts_db_rows(res) == 1 ? ts_db_get_int(res, 0, "id") : 0;
}

/* ---- routes ---- */

static int
answer_saved(ts_request_t *r, contacts_kind_t kind, int64_t id, int status)
{
    cJSON *rec = contacts_record_json(r, kind, id);
    if (rec == NULL) {
        return TS_ERROR;
    }
    cJSON *body = cJSON_CreateObject();
    cJSON *dups = contacts_duplicates(r, kind, contacts_json_str(rec, "email"),
                                      contacts_json_str(rec, "phone"), id);
    cJSON_AddItemToObject(body, "data", rec);
    /* A warning, not a refusal: the agent decides whether to merge. */
    cJSON_AddItemToObject(body, "duplicates", dups);
    return ts_resp_json(r, status, body);
}

static int
records_save(ts_request_t *r, int64_t id)
{
    contacts_kind_t kind = contacts_kind_of_path(r);
    const cJSON *in = ts_req_json(r);
    if (in == NULL) {
        return ts_resp_error(r, 400, "bad_body", "a JSON body is required", NULL);
    }
    if (ts_db_begin(r) != TS_OK) {
        return TS_ERROR;
    }
    cJSON *fields = NULL;
    int64_t out = 0;
    int rc = contacts_record_save(r, contacts_kind_name(kind), in, id, &fields, &out);
    if (rc == 0) {
        rc = contacts_custom_check(r, kind, in, out, &fields);
    }
    if (rc != 0) {
        ts_db_rollback(r);
        if (rc == 422) {
            return contacts_validation_error(r, fields);
        }
        if (rc == 404) {
            return ts_resp_error(r, 404, "not_found", "no such record", NULL);
        }
        return TS_ERROR;
    }
    if (ts_db_commit(r) != TS_OK) {
        return TS_ERROR;
    }
    return answer_saved(r, kind, out, id ? 200 : 201);
}

static int
records_create(ts_request_t *r)
{
    return records_save(r, 0);
}

static int
records_update(ts_request_t *r)
{
    int64_t id;
    if (ts_req_param_id(r, "id", &id) != TS_OK) {
        return ts_resp_error(r, 404, "not_found", "no such record", NULL);
    }
    return records_save(r, id);
}

static int
records_show(ts_request_t *r)
{
    int64_t id;
    contacts_kind_t kind = contacts_kind_of_path(r);
    cJSON *rec = ts_req_param_id(r, "id", &id) == TS_OK ? contacts_record_json(r, kind, id) : NULL;
    if (rec == NULL) {
        return ts_resp_error(r, 404, "not_found", "no such record", NULL);
    }
    return ts_resp_data(r, 200, rec);
}

int
contacts_record_delete(ts_request_t *r, contacts_kind_t kind, int64_t id)
{
    if (!contacts_record_visible(r, kind, id)) {
        return 404;
    }
    int rc = ts_db_exec(r, kind == CONTACTS_RELATION
        ? "UPDATE relations SET deleted_at = UTC_TIMESTAMP(), updated_by = ? WHERE tenant_id = {tenant} AND id = ?"
        : "UPDATE contacts SET deleted_at = UTC_TIMESTAMP(), updated_by = ? WHERE tenant_id = {tenant} AND id = ?",
        "ii", r->user->id, id);
    if (rc == TS_OK) {
        rc = ts_audit(r, contacts_kind_entity(kind), id, "delete", NULL);
    }
    if (rc == TS_OK) {
        cJSON *ev = cJSON_CreateObject();
        cJSON_AddNumberToObject(ev, "id", (double) id);
        ts_event_emit(r, ts_psprintf(r->pool, "%s.deleted", contacts_kind_name(kind)), ev);
    }
    return rc;
}

static int
records_delete(ts_request_t *r)
{
    int64_t id;
    if (ts_req_param_id(r, "id", &id) != TS_OK) {
        return ts_resp_error(r, 404, "not_found", "no such record", NULL);
    }
    if (ts_db_begin(r) != TS_OK) {
        return TS_ERROR;
    }
    int rc = contacts_record_delete(r, contacts_kind_of_path(r), id);
    if (rc != TS_OK) {
        ts_db_rollback(r);
        return rc == 404 ? ts_resp_error(r, 404, "not_found", "no such record", NULL) : TS_ERROR;
    }
    return ts_db_commit(r) == TS_OK ? ts_resp_no_content(r) : TS_ERROR;
}

static int
settings_show(ts_request_t *r)
{
    ts_db_result_t *res = ts_db_query(r, "SELECT agents_see_all FROM contacts_settings"
                                         " WHERE tenant_id = {tenant}", "");
    if (res == NULL) {
        return TS_ERROR;
    }
    cJSON *d = cJSON_CreateObject();
    cJSON_AddBoolToObject(d, "agents_see_all", ts_db_get_int(res, 0, "agents_see_all") == 1);
    return ts_resp_data(r, 200, d);
}

static int
settings_update(ts_request_t *r)
{
    const cJSON *in = ts_req_json(r);
    const cJSON *all = cJSON_GetObjectItemCaseSensitive(in, "agents_see_all");
    if (!cJSON_IsBool(all) || cJSON_GetArraySize(in) != 1) {
        cJSON *f = NULL;
        contacts_field_error(&f, "agents_see_all", "true or false is required (the only field)");
        return contacts_validation_error(r, f);
    }
    int64_t v = cJSON_IsTrue(all);
    cJSON *ch = cJSON_CreateObject();
    cJSON_AddBoolToObject(ch, "agents_see_all", v);
    if (ts_db_begin(r) != TS_OK
        || ts_db_exec(r, "INSERT INTO contacts_settings (tenant_id, agents_see_all) VALUES"
                         " ({tenant}, ?) ON DUPLICATE KEY UPDATE agents_see_all = VALUES(agents_see_all)",
                      "i", v) != TS_OK
        || ts_audit(r, "settings", 0, "contacts", ch) != TS_OK || ts_db_commit(r) != TS_OK) {
        cJSON_Delete(ch);
        ts_db_rollback(r);
        return TS_ERROR;
    }
    cJSON_Delete(ch);
    return settings_show(r);
}

int
contacts_records_routes(ts_plugin_ctx_t *ctx)
{
    if (contacts_route_kinds(ctx, CONTACTS_ALL, TS_POST, "", records_create, TS_ROLE_AGENT) != TS_OK
        || contacts_route_kinds(ctx, CONTACTS_ALL, TS_GET, "/{id}", records_show, TS_ROLE_VIEWER) != TS_OK
        || contacts_route_kinds(ctx, CONTACTS_ALL, TS_PATCH, "/{id}", records_update, TS_ROLE_AGENT) != TS_OK
        || contacts_route_kinds(ctx, CONTACTS_ALL, TS_DELETE, "/{id}", records_delete, TS_ROLE_AGENT) != TS_OK
        || ts_route_add(ctx, TS_GET, "/api/v1/settings/contacts", settings_show) != TS_OK
        || ts_route_add_ex(ctx, TS_PUT, "/api/v1/settings/contacts", settings_update, 0,
                           TS_ROLE_ADMIN) != TS_OK) {
        return TS_ERROR;
    }
    return TS_OK;
}

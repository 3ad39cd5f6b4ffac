/* The property's writable fields: validation of JSON input, the one INSERT
 * and UPDATE that write them, and their typed JSON form. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "properties.h"

#define FIELD(n, k, lo, hi, len) { #n, k, lo, hi, len },
const properties_field_t properties_fields[PF_COUNT] = { PROPERTIES_FIELDS(FIELD) };
#undef FIELD

#define COL(n, k, lo, hi, len) "p." #n ", "
const char *properties_select_columns =
    "p.id, " PROPERTIES_FIELDS(COL) "p.status, p.published_at, p.web_views, p.lead_count,"
    " p.completeness, p.missing, p.created_by, p.updated_by, p.created_at, p.updated_at,"
    " p.deleted_at";
#undef COL

/* Fields a client reads but never writes (a PATCH naming one is refused). */
static const char *const read_only[] = {
    "id", "published_at", "web_views", "lead_count", "completeness", "missing",
    "created_by", "updated_by", "created_at", "updated_at", "deleted_at", "tenant_id",
    "publications", "media", "main_photo", NULL
};
/* Handled by their own code: related tables and the status rules. */
static const char *const handled_elsewhere[] = {
    "features", "descriptions", "labels", "status", "status_reason", NULL
};

static bool
in_list(const char *const *list, const char *s)
{
    for (; *list; list++) {
        if (strcmp(*list, s) == 0) {
            return true;
        }
    }
    return false;
}

static bool
is_letters(const char *s, size_t n, bool upper)
{
    if (strlen(s) != n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (upper ? (s[i] < 'A' || s[i] > 'Z') : (s[i] < 'a' || s[i] > 'z')) {
            return false;
        }
    }
    return true;
}

static bool
valid_url(const char *s)
{
    if (strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0) {
        return false;
    }
    for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
        if (*p <= ' ' || *p == 0x7f || *p == '"' || *p == '<' || *p == '>') {
            return false;
        }
    }
    return strlen(s) > 8;
}

static bool
valid_ref(const char *s)
{
    if (*s == '\0') {
        return false;
    }
    for (const char *p = s; *p; p++) {
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')
              || *p == '-' || *p == '_' || *p == '/' || *p == '.')) {
            return false;
        }
    }
    return true;
}

static bool
exists(ts_request_t *r, properties_kind_t kind, const char *v)
{
    ts_db_result_t *res = NULL;
    /* Ids bind as integers: the core caches a statement by its text with the
     * types it was first given, and other files run these texts with 'i'. */
    int64_t n = strtoll(v, NULL, 10);
    switch (kind) {
    case F_TYPE:
        res = ts_db_query(r, "SELECT 1 FROM property_types WHERE tenant_id IN (0, {tenant})"
                             " AND code = ?", "s", v);
        break;
    case F_OWNER:
        res = ts_db_query(r, "SELECT 1 FROM relations WHERE tenant_id = {tenant} AND id = ?"
                             " AND deleted_at IS NULL", "i", n);
        break;
    case F_AGENT:
        res = ts_db_query(r, "SELECT 1 FROM users WHERE tenant_id = {tenant} AND id = ?"
                             " AND status <> 'disabled'", "i", n);
        break;
    case F_PROJECT:
        res = ts_db_query(r, "SELECT 1 FROM property_projects WHERE tenant_id = {tenant}"
                             " AND id = ? AND deleted_at IS NULL", "i", n);
        break;
    case F_TYPOLOGY:
        res = ts_db_query(r, "SELECT 1 FROM property_typologies WHERE tenant_id = {tenant}"
                             " AND id = ?", "i", n);
        break;
    default:
        return true;
    }
    return ts_db_rows(res) > 0;
}

/* Which columns may not be NULL. */
static bool
required(int i)
{
    return i == PF_ref || i == PF_type || i == PF_transaction || i == PF_currency
        || i == PF_hide_address || i == PF_display_on_website || i == PF_new_build;
}

/* One field's value as SQL text, or an error message. */
static const char *
field_value(ts_request_t *r, int i, const cJSON *j, const char **out)
{
    const properties_field_t *f = &properties_fields[i];
    *out = NULL;
    if (cJSON_IsNull(j)) {
        return required(i) ? "may not be null" : NULL;
    }
    switch (f->kind) {
    case F_INT: case F_OWNER: case F_AGENT: case F_PROJECT: case F_TYPOLOGY: {
        if (!cJSON_IsNumber(j) || j->valuedouble != floor(j->valuedouble)
            || fabs(j->valuedouble) > 9007199254740991.0) {
            return "must be a whole number";
        }
        long long n = (long long) j->valuedouble;
        if (n < f->min || (f->max > 0 && n > f->max)) {
            return f->max > 0 ? ts_psprintf(r->pool, "must be between %lld and %lld", f->min,
                                            f->max)
                              : "must be a positive id";
        }
        *out = ts_psprintf(r->pool, "%lld", n);
        if (f->kind != F_INT && !exists(r, f->kind, *out)) {
            *out = NULL;
            return "no such record";
        }
        return NULL;
    }
    case F_DEC:
        if (!cJSON_IsNumber(j) || !isfinite(j->valuedouble)) {
            return "must be a number";
        }
        if (j->valuedouble < (double) f->min || j->valuedouble > (double) f->max) {
            return ts_psprintf(r->pool, "must be between %lld and %lld", f->min, f->max);
        }
        *out = ts_psprintf(r->pool, "%.6f", j->valuedouble);
        return NULL;
    case F_BOOL:
        if (!cJSON_IsBool(j)) {
            return "must be true or false";
        }
        *out = cJSON_IsTrue(j) ? "1" : "0";
        return NULL;
    case F_OBJECT: {
        if (!cJSON_IsObject(j)) {
            return "must be an object";
        }
        char *txt = cJSON_PrintUnformatted(j);
        if (txt == NULL) {
            return "cannot be stored";
        }
        bool ok = strlen(txt) <= (size_t) f->maxlen;
        *out = ok ? ts_pstrdup(r->pool, txt) : NULL;
        free(txt);
        return ok ? NULL : "is too large";
    }
    default:
        break;
    }
    const char *s = cJSON_GetStringValue(j);
    if (s == NULL) {
        return "must be a string";
    }
    if (f->maxlen > 0 && strlen(s) > (size_t) f->maxlen) {
        return ts_psprintf(r->pool, "at most %d characters", f->maxlen);
    }
    switch (f->kind) {
    case F_STR:
        if (i == PF_ref && !valid_ref(s)) {
            return "letters, digits and - _ / . only";
        }
        break;
    case F_URL:
        if (!valid_url(s)) {
            return "must be an http(s) URL";
        }
        break;
    case F_TYPE:
        if (!exists(r, F_TYPE, s)) {
            return "unknown property type (GET /api/v1/properties/types lists them)";
        }
        break;
    case F_TRANSACTION:
        if (strcmp(s, "sale") != 0 && strcmp(s, "long_term_rent") != 0
            && strcmp(s, "holiday_rent") != 0) {
            return "one of sale, long_term_rent, holiday_rent";
        }
        break;
    case F_PERIOD:
        if (strcmp(s, "month") != 0 && strcmp(s, "week") != 0 && strcmp(s, "day") != 0
            && strcmp(s, "night") != 0) {
            return "one of month, week, day, night";
        }
        break;
    case F_CURRENCY:
        if (!is_letters(s, 3, true)) {
            return "an ISO 4217 code such as EUR";
        }
        break;
    case F_COUNTRY:
        if (!is_letters(s, 2, true)) {
            return "an ISO 3166 code such as ES";
        }
        break;
    case F_ENERGY:
        if (strlen(s) != 1 || s[0] < 'A' || s[0] > 'G') {
            return "a letter from A to G";
        }
        break;
    default:
        break;
    }
    *out = s;
    return NULL;
}

int
properties_values_apply(ts_request_t *r, const cJSON *in, properties_values_t *vals,
                        cJSON *errors)
{
    int n = 0;
    const cJSON *j;
    cJSON_ArrayForEach(j, in) {
        int i;
        for (i = 0; i < PF_COUNT; i++) {
            if (strcmp(properties_fields[i].name, j->string) == 0) {
                break;
            }
        }
        const char *err = NULL;
        if (i < PF_COUNT) {
            const char *v;
            err = field_value(r, i, j, &v);
            if (err == NULL) {
                vals->v[i] = v;
            }
        } else if (in_list(handled_elsewhere, j->string)) {
            continue;
        } else if (in_list(read_only, j->string)) {
            err = "is read-only";
        } else {
            err = "unknown field";
        }
        if (err != NULL) {
            cJSON_AddStringToObject(errors, j->string, err);
            n++;
        }
    }
    return n;
}

int
properties_values_from_row(ts_request_t *r, const ts_db_result_t *res, size_t row,
                           properties_values_t *out)
{
    (void) r;
    for (int i = 0; i < PF_COUNT; i++) {
        out->v[i] = ts_db_get(res, row, properties_fields[i].name);
    }
    return TS_OK;
}

void
properties_value_json(cJSON *o, const properties_field_t *f, const char *v)
{
    cJSON *j;
    if (v == NULL) {
        j = cJSON_CreateNull();
    } else if (f->kind == F_INT || f->kind == F_DEC || f->kind == F_OWNER || f->kind == F_AGENT
               || f->kind == F_PROJECT || f->kind == F_TYPOLOGY) {
        j = cJSON_CreateNumber(strtod(v, NULL));
    } else if (f->kind == F_BOOL) {
        j = cJSON_CreateBool(strcmp(v, "0") != 0);
    } else if (f->kind == F_OBJECT) {
        j = cJSON_Parse(v);
        if (j == NULL) {
            j = cJSON_CreateNull();
        }
    } else {
        j = cJSON_CreateString(v);
    }
    if (cJSON_GetObjectItemCaseSensitive(o, f->name) != NULL) {
        cJSON_ReplaceItemInObjectCaseSensitive(o, f->name, j);
    } else {
        cJSON_AddItemToObject(o, f->name, j);
    }
}

cJSON *
properties_row_json(ts_request_t *r, const ts_db_result_t *res, size_t row)
{
    cJSON *o = ts_db_row_json(r, res, row);
    for (int i = 0; i < PF_COUNT; i++) {
        properties_value_json(o, &properties_fields[i], ts_db_get(res, row, properties_fields[i].name));
    }
    /* The SET column as a list: ["photos", "gps"]. */
    properties_csv_field(r, o, "missing");
    return o;
}

static const char *
user_id(ts_request_t *r)
{
    return r->user ? ts_psprintf(r->pool, "%lld", (long long) r->user->id) : NULL;
}

#define INSCOL(n, k, lo, hi, len) #n ", "
#define QMARK(n, k, lo, hi, len) "?, "
#define TYPE(n, k, lo, hi, len) "s"
#define ARG(n, k, lo, hi, len) vals->v[PF_##n],

int
properties_insert(ts_request_t *r, const properties_values_t *vals, const char *status,
                  int64_t *id)
{
    const char *uid = user_id(r);
    if (ts_db_exec(r, "INSERT INTO properties (tenant_id, " PROPERTIES_FIELDS(INSCOL)
                      "status, created_by, updated_by) VALUES ({tenant}, "
                      PROPERTIES_FIELDS(QMARK) "?, ?, ?)",
                   PROPERTIES_FIELDS(TYPE) "sss", PROPERTIES_FIELDS(ARG) status, uid, uid)
        != TS_OK) {
        return TS_ERROR;
    }
    *id = ts_db_insert_id(r);
    return TS_OK;
}

#define SETCOL(n, k, lo, hi, len) #n " = ?, "

int
properties_update(ts_request_t *r, int64_t id, const properties_values_t *vals)
{
    return ts_db_exec(r, "UPDATE properties SET " PROPERTIES_FIELDS(SETCOL)
                         "updated_by = ? WHERE tenant_id = {tenant} AND id = ?",
                      PROPERTIES_FIELDS(TYPE) "si", PROPERTIES_FIELDS(ARG) user_id(r), id);
}

/* One CSV row through the column mapping: cells converted to the API's
 * types (money in minor units, ISO dates, lists from comma-separated
 * cells), each bad cell reported with its column. Cells are data, never
 * formulas: "=CMD()" is kept as the text it is. */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "contacts_fields.h"
#include "contacts_import_row.h"

void
contacts_row_error(contacts_row_errors_t *errs, int column, const char *field, const char *fmt,
                   ...)
{
    if (errs->n == CONTACTS_ROW_MAX_ERRORS) {
        return;
    }
    contacts_row_error_t *e = &errs->e[errs->n++];
    e->column = column;
    e->field = field;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
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

/* A copy of s without the spaces around it (malloc'd). */
static char *
trimmed(const char *s)
{
    while (isspace((unsigned char) *s)) {
        s++;
    }
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char) s[n - 1])) {
        n--;
    }
    char *t = malloc(n + 1);
    if (t != NULL) {
        memcpy(t, s, n);
        t[n] = '\0';
    }
    return t;
}

/* The next comma-separated item of *s, trimmed (malloc'd); *s moves past it. */
static char *
next_item(const char **s)
{
    size_t n = strcspn(*s, ",");
    char *item = malloc(n + 1);
    memcpy(item, *s, n);
    item[n] = '\0';
    char *t = trimmed(item);
    free(item);
    *s += n + ((*s)[n] == ',');
    return t;
}

/* "Radio / TV" -> "radio_tv": how enum values are compared. */
static void
slug(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    for (; *in && n + 1 < cap; in++) {
        unsigned char c = (unsigned char) *in;
        if (isalnum(c)) {
            out[n++] = (char) tolower(c);
        } else if (n > 0 && out[n - 1] != '_') {
            out[n++] = '_';
        }
    }
    while (n > 0 && out[n - 1] == '_') {
        n--;
    }
    out[n] = '\0';
}

/* Words agencies write for the enum values. */
static const struct { const char *path, *from, *to; } synonyms[] = {
    { "type", "seller", "owner" }, { "type", "vendor", "owner" }, { "type", "buy", "buyer" },
    { "source", "portals", "portal" }, { "source", "web", "website" },
    { "source", "phone", "incoming_call" }, { "source", "radio", "radio_tv" },
    { "source", "tv", "radio_tv" }, { "source", "walk_in", "in_person" },
    { "preferences.transaction", "buy", "sale" }, { "preferences.transaction", "sell", "sale" },
    { "preferences.transaction", "venta", "sale" }, { "preferences.transaction", "rental", "rent" },
    { "preferences.transaction", "alquiler", "rent" }, { "roles", "real_estate_agent", "agent" },
    { "roles", "owner", "landlord" }, { NULL, NULL, NULL }
};

static const char *
enum_value(const contacts_ifield_t *f, const char *v)
{
    char s[64];
    slug(v, s, sizeof(s));
    for (size_t i = 0; synonyms[i].path != NULL; i++) {
        if (strcmp(synonyms[i].path, f->path) == 0 && strcmp(synonyms[i].from, s) == 0) {
            return synonyms[i].to;
        }
    }
    for (size_t i = 0; f->values[i] != NULL; i++) {
        if (strcmp(f->values[i], s) == 0) {
            return f->values[i];
        }
    }
    return NULL;
}

/* "'x' is not one of: a, b, c" */
static void
enum_error(contacts_row_errors_t *errs, int col, const contacts_ifield_t *f, const char *v)
{
    char list[120];
    size_t n = 0;
    list[0] = '\0';
    for (size_t i = 0; f->values[i] != NULL && n + 1 < sizeof(list); i++) {
        n += (size_t) snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "", f->values[i]);
    }
    contacts_row_error(errs, col, f->path, "'%.40s' is not one of: %s", v, list);
}

/* "es", "pt-BR" -> "pt-br": two or three letters, then an optional region. */
static bool
language_ok(const char *in, char *out, size_t cap)
{
    size_t n = strlen(in), a = 0;
    if (n + 1 > cap || n > 8) {
        return false;
    }
    for (size_t i = 0; i <= n; i++) {
        out[i] = (char) tolower((unsigned char) in[i]);
    }
    while (a < n && islower((unsigned char) out[a])) {
        a++;
    }
    if (a != 2 && a != 3) {
        return false;
    }
    if (a == n) {
        return true;
    }
    if (out[a] != '-' || n - a - 1 < 2) {
        return false;
    }
    for (size_t i = a + 1; i < n; i++) {
        if (!isalnum((unsigned char) out[i])) {
            return false;
        }
    }
    return true;
}

static bool
valid_phone(const char *s)
{
    size_t digits = 0;
    for (const char *c = s; *c; c++) {
        if (isdigit((unsigned char) *c)) {
            digits++;
        } else if (strchr(" +-()./", *c) == NULL) {
            return false;
        }
    }
    return digits >= 6 && digits <= 20;
}

/* "250000", "250.000", "250,000", "€ 250.000,50", "250000 EUR": euros to cents. */
static bool
money_cents(const char *in, long long *out)
{
    char d[64];
    size_t n = 0;
    for (const char *c = in; *c; c++) {
        if (strncmp(c, "\xE2\x82\xAC", 3) == 0 || strncmp(c, "EUR", 3) == 0) {
            c += 2;
        } else if (isdigit((unsigned char) *c) || *c == '.' || *c == ',') {
            if (n + 1 == sizeof(d)) {
                return false;
            }
            d[n++] = *c;
        } else if (*c != ' ') {
            return false;
        }
    }
    d[n] = '\0';
    if (n == 0 || !isdigit((unsigned char) d[0])) {
        return false;
    }
    char *last = strrchr(d, '.');
    char *comma = strrchr(d, ',');
    if (comma > last) {
        last = comma;
    }
    long long cents = 0;
    size_t frac = last ? strlen(last + 1) : 0;
    if (last != NULL && frac != 1 && frac != 2 && frac != 3) {
        return false;
    }
    bool decimal = last != NULL && frac != 3;
    for (char *c = d; *c; c++) {
        if (decimal && c == last) {
            break;
        }
        if (isdigit((unsigned char) *c)) {
            if (cents > 10000000000000LL) {
                return false;
            }
            cents = cents * 10 + (*c - '0');
        }
    }
    cents *= 100;
    if (decimal) {
        cents += (last[1] - '0') * 10 + (frac == 2 ? last[2] - '0' : 0);
    }
    *out = cents;
    return true;
}

static bool
int_value(const char *s, long long max, long long *out)
{
    if (*s == '\0' || strspn(s, "0123456789") != strlen(s) || strlen(s) > 12) {
        return false;
    }
    *out = strtoll(s, NULL, 10);
    return max <= 0 || *out <= max;
}

/* ISO 2027-06-01, or day first as Europeans write it: 01/06/2027, 1-6-2027, 01.06.2027. */
static bool
date_value(const char *s, char *out, size_t cap)
{
    int y, m, d;
    char sep1, sep2, tail;
    if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 && strlen(s) == 10) {
        /* ISO */
    } else if (sscanf(s, "%2d%c%2d%c%4d%c", &d, &sep1, &m, &sep2, &y, &tail) == 5
               && sep1 == sep2 && strchr("/-.", sep1) != NULL && y >= 1000) {
        /* day first */
    } else {
        return false;
    }
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1]) {
        return false;
    }
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m == 2 && d == 29 && !leap) {
        return false;
    }
    snprintf(out, cap, "%04d-%02d-%02d", y, m, d);
    return true;
}

/* A plain decimal ("12", "-3.5", "3,5", "€ 12"), as custom number and money cells hold. */
static bool
decimal_value(const char *in, double *out)
{
    char d[64];
    size_t n = 0;
    for (const char *c = in; *c; c++) {
        if (strncmp(c, "\xE2\x82\xAC", 3) == 0) {
            c += 2;
        } else if (*c == ',' || *c == '.' || *c == '-' || isdigit((unsigned char) *c)) {
            if (n + 1 == sizeof(d)) {
                return false;
            }
            d[n++] = *c == ',' ? '.' : *c;
        } else if (*c != ' ') {
            return false;
        }
    }
    d[n] = '\0';
    char *end;
    *out = strtod(d, &end);
    return n > 0 && *end == '\0' && strchr(d, '.') == strrchr(d, '.');
}

/* The option an import cell names, compared as enum values are ("Sat urday" no, "SATURDAY" yes). */
static const char *
option_of(const cJSON *options, const char *v)
{
    char want[128], have[128];
    slug(v, want, sizeof(want));
    const cJSON *o;
    cJSON_ArrayForEach(o, options) {
        if (cJSON_IsString(o)) {
            slug(o->valuestring, have, sizeof(have));
            if (strcmp(o->valuestring, v) == 0 || (*want && strcmp(have, want) == 0)) {
                return o->valuestring;
            }
        }
    }
    return NULL;
}

cJSON *
contacts_import_typed(const char *type, const cJSON *options, const char *v)
{
    char buf[16];
    if (strcmp(type, "number") == 0 || strcmp(type, "money") == 0) {
        double x;
        return decimal_value(v, &x) ? cJSON_CreateNumber(x) : NULL;
    }
    if (strcmp(type, "boolean") == 0) {
        slug(v, buf, sizeof(buf));
        static const char *const yes[] = { "true", "yes", "y", "1", "si", "s", "ja", "x", NULL };
        static const char *const no[] = { "false", "no", "n", "0", "nee", NULL };
        for (int i = 0; yes[i] || no[i]; i++) {
            if (yes[i] && strcmp(buf, yes[i]) == 0) {
                return cJSON_CreateTrue();
            }
            if (no[i] && strcmp(buf, no[i]) == 0) {
                return cJSON_CreateFalse();
            }
        }
        return NULL;
    }
    if (strcmp(type, "date") == 0) {
        char d[16];
        return date_value(v, d, sizeof(d)) ? cJSON_CreateString(d) : NULL;
    }
    if (strcmp(type, "select") == 0) {
        const char *o = option_of(options, v);
        return o ? cJSON_CreateString(o) : NULL;
    }
    if (strcmp(type, "multiselect") == 0) {
        cJSON *a = cJSON_CreateArray();
        const char *s = v;
        while (*s) {
            char *t = next_item(&s);
            const char *o = *t ? option_of(options, t) : NULL;
            /* An unknown option stays as written: the check names it. */
            if (*t) {
                cJSON_AddItemToArray(a, cJSON_CreateString(o ? o : t));
            }
            free(t);
        }
        return a;
    }
    return NULL;
}

/* The object at a dotted path's parent, created as needed; *leaf is the
 * last name. The API keeps addresses as a list (an import fills its first)
 * and social links on relations only: a person's go to custom fields. */
static cJSON *
parent_of(cJSON *rec, contacts_import_kind_t kind, const char *path, char *leaf, size_t cap)
{
    const char *dot = strchr(path, '.');
    if (dot == NULL) {
        snprintf(leaf, cap, "%s", path);
        return rec;
    }
    char group[32];
    snprintf(group, sizeof(group), "%.*s", (int) (dot - path), path);
    snprintf(leaf, cap, "%s", dot + 1);
    if (strcmp(group, "address") == 0) {
        cJSON *list = cJSON_GetObjectItemCaseSensitive(rec, "addresses");
        if (list == NULL) {
            list = cJSON_AddArrayToObject(rec, "addresses");
            cJSON_AddItemToArray(list, cJSON_CreateObject());
        }
        return cJSON_GetArrayItem(list, 0);
    }
    if (strcmp(group, "social") == 0 && kind != IMPORT_RELATIONS) {
        snprintf(group, sizeof(group), "custom");
        snprintf(leaf, cap, "social_%s", dot + 1);
    }
    cJSON *o = cJSON_GetObjectItemCaseSensitive(rec, group);
    if (o == NULL) {
        o = cJSON_AddObjectToObject(rec, group);
    }
    return o;
}

static void
add_list(cJSON *rec, const contacts_ifield_t *f, int col, const char *v, contacts_row_errors_t *errs)
{
    char leaf[80];
    cJSON *parent = parent_of(rec, 0, f->path, leaf, sizeof(leaf));
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(parent, leaf);
    if (arr == NULL) {
        arr = cJSON_AddArrayToObject(parent, leaf);
    }
    bool slugged = f->values != NULL || strcmp(f->path, "preferences.property_types") == 0;
    const char *s = v;
    while (*s) {
        if (cJSON_GetArraySize(arr) == 50) {
            contacts_row_error(errs, col, f->path, "at most 50 values");
            return;
        }
        char *t = next_item(&s);
        const char *val = t;
        char sl[64];
        if (t[0] != '\0' && f->values != NULL) {
            val = enum_value(f, t);
            if (val == NULL) {
                enum_error(errs, col, f, t);
            }
        } else if (t[0] != '\0' && slugged) {
            slug(t, sl, sizeof(sl));
            val = sl;
        }
        if (val != NULL && val[0] != '\0' && utf8_chars(val) > f->max && f->max > 0) {
            contacts_row_error(errs, col, f->path, "'%.40s' is longer than %zu characters", val,
                               f->max);
        } else if (val != NULL && val[0] != '\0') {
            bool dup = false;
            const cJSON *it;
            cJSON_ArrayForEach(it, arr) {
                dup = dup || strcmp(cJSON_GetStringValue(it), val) == 0;
            }
            if (!dup) {
                cJSON_AddItemToArray(arr, cJSON_CreateString(val));
            }
        }
        free(t);
    }
}

/* One non-empty cell into the record. */
static void
add_cell(cJSON *rec, const contacts_import_map_t *m, int col, const char *v,
         contacts_row_errors_t *errs)
{
    const contacts_ifield_t *f = m->field[col];
    char leaf[80];
    if (f->type == F_LIST) {
        add_list(rec, f, col, v, errs);
        return;
    }
    const char *path = f->path;
    char custom[80];
    if (strcmp(path, "custom") == 0) {
        snprintf(custom, sizeof(custom), "custom.%s", m->custom[col]);
        path = custom;
    }
    cJSON *parent = parent_of(rec, m->kind, path, leaf, sizeof(leaf));
    cJSON *item = NULL;
    long long n;
    char buf[300];
    switch (f->type) {
    case F_EMAIL:
        if (!contacts_email_ok(v)) {
            contacts_row_error(errs, col, f->path, "'%.60s' is not a valid email address", v);
            return;
        }
        item = cJSON_CreateString(v);
        break;
    case F_PHONE:
        if (!valid_phone(v)) {
            contacts_row_error(errs, col, f->path, "'%.40s' is not a phone number (6 to 20 digits)", v);
            return;
        }
        item = cJSON_CreateString(v);
        break;
    case F_ENUM: {
        const char *e = enum_value(f, v);
        if (e == NULL) {
            enum_error(errs, col, f, v);
            return;
        }
        item = cJSON_CreateString(e);
        break;
    }
    case F_MONEY:
        if (!money_cents(v, &n)) {
            contacts_row_error(errs, col, f->path, "'%.40s' is not an amount in euros", v);
            return;
        }
        item = cJSON_CreateNumber((double) n);
        break;
    case F_INT:
        if (!int_value(v, (long long) f->max, &n)) {
            contacts_row_error(errs, col, f->path, "'%.40s' is not a whole number%s", v,
                               f->max ? " in range" : "");
            return;
        }
        item = cJSON_CreateNumber((double) n);
        break;
    case F_DATE:
        if (!date_value(v, buf, sizeof(buf))) {
            contacts_row_error(errs, col, f->path, "'%.40s' is not a date (YYYY-MM-DD or DD/MM/YYYY)", v);
            return;
        }
        item = cJSON_CreateString(buf);
        break;
    case F_URL:
        if (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0) {
            if (strchr(v, ':') != NULL || strchr(v, '.') == NULL || strchr(v, ' ') != NULL) {
                contacts_row_error(errs, col, f->path, "'%.60s' is not an http(s) link", v);
                return;
            }
            snprintf(buf, sizeof(buf), "https://%s", v);
            v = buf;
        }
        if (strlen(v) > f->max || !contacts_url_ok(v)) {
            contacts_row_error(errs, col, f->path, "'%.60s' is not an http(s) link of at most %zu characters",
                               v, f->max);
            return;
        }
        item = cJSON_CreateString(v);
        break;
    default:
        if (utf8_chars(v) > f->max) {
            contacts_row_error(errs, col, f->path, "longer than %zu characters", f->max);
            return;
        }
        if (!contacts_text_ok(v, strcmp(f->path, "notes") == 0 || strcmp(f->path, "contract_details") == 0
                                 || strcmp(f->path, "custom") == 0)) {
            contacts_row_error(errs, col, f->path, "holds control characters");
            return;
        }
        if (strcmp(f->path, "language") == 0 && !language_ok(v, buf, sizeof(buf))) {
            contacts_row_error(errs, col, f->path, "'%.20s' is not a language code such as en, es or pt-br", v);
            return;
        }
        if (strcmp(f->path, "language") == 0) {
            v = buf;
        }
        if (strcmp(f->path, "nationality") == 0 || strcmp(f->path, "address.country") == 0) {
            if (strlen(v) != 2 || !isalpha((unsigned char) v[0]) || !isalpha((unsigned char) v[1])) {
                contacts_row_error(errs, col, f->path, "'%.40s' is not a two-letter country code", v);
                return;
            }
            snprintf(buf, sizeof(buf), "%c%c", toupper((unsigned char) v[0]),
                     toupper((unsigned char) v[1]));
            v = buf;
        }
        item = cJSON_CreateString(v);
        break;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(parent, leaf);
    cJSON_AddItemToObject(parent, leaf, item);
}

static double
num_at(const cJSON *rec, const char *group, const char *name, bool *has)
{
    const cJSON *g = group ? cJSON_GetObjectItemCaseSensitive(rec, group) : rec;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(g, name);
    *has = cJSON_IsNumber(v);
    return *has ? v->valuedouble : 0;
}

static int
column_of(const contacts_import_map_t *m, const char *path)
{
    for (size_t i = 0; i < m->n; i++) {
        if (m->field[i] != NULL && strcmp(m->field[i]->path, path) == 0) {
            return (int) i;
        }
    }
    return -1;
}

static void
check_range(const cJSON *rec, const contacts_import_map_t *m, const char *lo, const char *hi,
            contacts_row_errors_t *errs)
{
    bool has_lo, has_hi;
    double a = num_at(rec, "preferences", lo, &has_lo);
    double b = num_at(rec, "preferences", hi, &has_hi);
    if (has_lo && has_hi && a > b) {
        char path[64];
        snprintf(path, sizeof(path), "preferences.%s", hi);
        const contacts_ifield_t *f = contacts_import_field(m->kind, path);
        contacts_row_error(errs, column_of(m, path), f ? f->path : NULL, "must be at least %s", lo);
    }
}

static const char *
has_text(const cJSON *rec, const char *name)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, name));
    return s != NULL && *s != '\0' ? s : NULL;
}

/* Kind-wide rules: who the row is, and the lead type the kind implies. */
static void
check_record(cJSON *rec, const contacts_import_map_t *m, contacts_row_errors_t *errs)
{
    if (m->kind == IMPORT_RELATIONS) {
        if (!has_text(rec, "name")) {
            contacts_row_error(errs, column_of(m, "name"), "name", "a company name is required");
        }
        return;
    }
    if (!has_text(rec, "first_name") && !has_text(rec, "last_name") && !has_text(rec, "company")) {
        int col = column_of(m, "last_name");
        contacts_row_error(errs, col >= 0 ? col : column_of(m, "first_name"), "last_name",
                           "a first name, last name or company is required");
    }
    check_range(rec, m, "budget_min", "budget_max", errs);
    check_range(rec, m, "area_min", "area_max", errs);
    if (m->kind == IMPORT_LEADS || m->kind == IMPORT_OWNER_LEADS) {
        const char *want = m->kind == IMPORT_OWNER_LEADS ? "owner" : "buyer";
        const char *type = has_text(rec, "type");
        if (type == NULL) {
            cJSON_AddStringToObject(rec, "type", want);
        } else if (m->kind == IMPORT_OWNER_LEADS && strcmp(type, "owner") != 0) {
            contacts_row_error(errs, column_of(m, "type"), "type",
                               "an owner-leads import takes owner leads only");
        }
    }
}

cJSON *
contacts_import_row(const contacts_import_map_t *m, const contacts_csv_row_t *row,
                    contacts_row_errors_t *errs)
{
    errs->n = 0;
    if (row->n != m->n) {
        contacts_row_error(errs, -1, NULL, "the row has %zu cells where the header has %zu",
                           row->n, m->n);
    }
    cJSON *rec = cJSON_CreateObject();
    for (size_t i = 0; i < row->n && i < m->n; i++) {
        if (m->field[i] == NULL) {
            continue;
        }
        if (row->cells[i] == NULL) {
            contacts_row_error(errs, (int) i, m->field[i]->path,
                               "not valid text in the file's encoding (invalid UTF-8?)");
            continue;
        }
        char *v = trimmed(row->cells[i]);
        /* A cell an export protected from spreadsheets ("'=x", "'+34 ...") comes back as it was. */
        const char *cell = v;
        if (v != NULL && v[0] == '\'' && v[1] != '\0' && strchr("=+-@", v[1]) != NULL) {
            cell++;
        }
        if (cell != NULL && cell[0] != '\0') {
            add_cell(rec, m, (int) i, cell, errs);
        }
        free(v);
    }
    check_record(rec, m, errs);
    if (errs->n > 0) {
        cJSON_Delete(rec);
        return NULL;
    }
    return rec;
}

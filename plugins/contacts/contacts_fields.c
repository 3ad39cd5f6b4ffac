/* The fields of leads, contacts and relations, and how each value is checked. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "contacts_fields.h"
#include "contacts_norm.h"

#define P (CONTACTS_LEAD | CONTACTS_CONTACT)
#define R CONTACTS_RELATION

static const char *const lead_types[] = { "buyer", "owner", NULL };
static const char *const statuses[] = { "prospect", "qualified", "negotiating", "won", "lost", NULL };
const char *const contacts_sources[] = {
    "cold_calling", "incoming_call", "referral", "website", "social_media", "email_campaign",
    "incoming_mail", "in_person", "portal", "networking_event", "print", "partner", "outdoor",
    "radio_tv", "manual", NULL };
static const char *const stages[] = { "hot", "neutral", "cold", NULL };
static const char *const urgencies[] = { "low", "medium", "high", NULL };
const char *const contacts_roles[] = {
    "buyer", "seller", "tenant", "landlord", "lawyer", "notary", "architect", "agent",
    "accountant", "other", NULL };
static const char *const relation_types[] = {
    "developer", "construction_company", "agency", "bank", "law_firm", "notary_office", "vendor",
    "owner", "competitor", "sponsor", "other", NULL };
static const char *const relation_statuses[] = { "active", "inactive", "prospect", NULL };
static const char *const transactions[] = { "sale", "rent", NULL };

/* Column names are the JSON names: the SQL is built from this table only. */
const contacts_field_t contacts_fields[] = {
    { "salutation", CF_STR, 32, NULL, P, false },
    { "first_name", CF_STR, 100, NULL, P, true },
    { "last_name", CF_STR, 100, NULL, P, true },
    { "email", CF_EMAIL, 254, NULL, P | R, false },
    { "phone", CF_PHONE, 40, NULL, P | R, false },
    { "company", CF_STR, 200, NULL, P, false },
    { "job_title", CF_STR, 100, NULL, P, false },
    { "type", CF_ENUM, 0, lead_types, P, false },
    { "status", CF_ENUM, 0, statuses, P, true },
    { "source", CF_ENUM, 0, contacts_sources, P, false },
    { "source_portal", CF_STR, 64, NULL, P, false },
    { "stage", CF_ENUM, 0, stages, P, true },
    { "urgency", CF_ENUM, 0, urgencies, P, false },
    { "timeframe", CF_STR, 64, NULL, P, false },
    { "move_in_date", CF_DATE, 0, NULL, P, false },
    { "language", CF_LANG, 8, NULL, P, false },
    { "nationality", CF_COUNTRY, 2, NULL, P, false },
    { "id_document_type", CF_STR, 32, NULL, P, false },
    { "id_document_number", CF_STR, 64, NULL, P, false },
    { "birthday", CF_DATE, 0, NULL, P, false },
    { "website", CF_URL, 255, NULL, P | R, false },
    { "currency", CF_CURRENCY, 3, NULL, P, true },
    { "notes", CF_TEXT, 65535, NULL, P | R, false },
    { "agent_id", CF_USER, 0, NULL, P | R, false },
    /* relations */
    { "name", CF_STR, 200, NULL, R, true },
    { "vat_number", CF_STR, 32, NULL, R, false },
    { "credit_terms", CF_STR, 200, NULL, R, false },
    { "commission_agreement", CF_STR, 500, NULL, R, false },
    { "contract_details", CF_TEXT, 65535, NULL, R, false },
    { NULL, 0, 0, NULL, 0, false },
};

/* A relation's `type` and `status` take other values than a lead's. */
const contacts_field_t contacts_relation_type = { "type", CF_ENUM, 0, relation_types, R, true };
const contacts_field_t contacts_relation_status = { "status", CF_ENUM, 0, relation_statuses, R, true };

/* preferences.*: the numbers and the transaction are columns (lists filter on them). */
const contacts_field_t contacts_pref_fields[] = {
    { "transaction", CF_ENUM, 0, transactions, P, false },
    { "budget_min", CF_INT, 1000000000000000LL, NULL, P, false },
    { "budget_max", CF_INT, 1000000000000000LL, NULL, P, false },
    { "area_min", CF_INT, 10000000, NULL, P, false },
    { "area_max", CF_INT, 10000000, NULL, P, false },
    { "bedrooms_min", CF_INT, 100, NULL, P, false },
    { "bathrooms_min", CF_INT, 100, NULL, P, false },
    { NULL, 0, 0, NULL, 0, false },
};
const char *const contacts_pref_lists[] = { "property_types", "towns", "areas", "required_tags", NULL };

const contacts_field_t *
contacts_field_find(contacts_kind_t kind, const char *name)
{
    if (kind == CONTACTS_RELATION) {
        if (strcmp(name, "type") == 0) {
            return &contacts_relation_type;
        }
        if (strcmp(name, "status") == 0) {
            return &contacts_relation_status;
        }
    }
    for (const contacts_field_t *f = contacts_fields; f->name; f++) {
        if ((f->kinds & kind) && strcmp(f->name, name) == 0) {
            return f;
        }
    }
    return NULL;
}

bool
contacts_enum_has(const char *const *list, const char *v)
{
    for (; list && *list; list++) {
        if (strcmp(*list, v) == 0) {
            return true;
        }
    }
    return false;
}

static size_t
utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++) {
        n += ((unsigned char) *s & 0xC0) != 0x80;
    }
    return n;
}

bool
contacts_email_ok(const char *s)
{
    const char *at = strchr(s, '@');
    if (at == NULL || at == s || strchr(at + 1, '@') != NULL || strlen(s) > 254) {
        return false;
    }
    const char *dot = strrchr(at, '.');
    if (dot == NULL || dot == at + 1 || dot[1] == '\0') {
        return false;
    }
    for (const char *c = s; *c; c++) {
        if ((unsigned char) *c <= ' ' || *c == ',' || *c == ';' || *c == '<' || *c == '>'
            || *c == '"' || *c == '(' || *c == ')') {
            return false;
        }
    }
    return true;
}

bool
contacts_date_ok(const char *s)
{
    int y, m, d;
    char tail;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-'
        || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3) {
        return false;
    }
    for (int i = 0; i < 10; i++) {
        if (i != 4 && i != 7 && !isdigit((unsigned char) s[i])) {
            return false;
        }
    }
    static const int days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (y < 1800 || y > 2200 || m < 1 || m > 12 || d < 1 || d > days[m - 1]) {
        return false;
    }
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(m == 2 && d == 29 && !leap);
}

bool
contacts_url_ok(const char *s)
{
    if (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0) {
        return false;
    }
    const char *host = strstr(s, "//") + 2;
    if (*host == '\0' || *host == '/') {
        return false;
    }
    for (const char *c = s; *c; c++) {
        if ((unsigned char) *c <= ' ' || *c == '"' || *c == '<' || *c == '>' || *c == '\\') {
            return false;
        }
    }
    return true;
}

/* An integer from a JSON number or a string of digits (CSV cells arrive as text). */
static bool
int_of(const cJSON *v, long long *out)
{
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d != (double) (long long) d || d < -9e15 || d > 9e15) {
            return false;
        }
        *out = (long long) d;
        return true;
    }
    if (cJSON_IsString(v)) {
        const char *s = v->valuestring;
        char *end;
        if (*s == '\0' || strlen(s) > 18) {
            return false;
        }
        long long x = strtoll(s, &end, 10);
        if (*end != '\0') {
            return false;
        }
        *out = x;
        return true;
    }
    return false;
}

/* Trimmed copy of a string value. */
static char *
trimmed(ts_pool_t *p, const char *s)
{
    while (isspace((unsigned char) *s)) {
        s++;
    }
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char) s[n - 1])) {
        n--;
    }
    return ts_pstrndup(p, s, n);
}

const char *
contacts_field_check(ts_request_t *r, const contacts_field_t *f, const cJSON *v,
                     const char **out)
{
    ts_pool_t *p = r->pool;
    *out = NULL;
    if (v == NULL || cJSON_IsNull(v) || (cJSON_IsString(v) && trimmed(p, v->valuestring)[0] == '\0')) {
        if (f->notnull) {
            if (f->type == CF_STR) {
                *out = "";
                return NULL;
            }
            return "cannot be empty";
        }
        return NULL;
    }
    if (f->type == CF_INT || f->type == CF_USER) {
        long long x;
        if (!int_of(v, &x)) {
            return f->type == CF_USER ? "must be a user id" : "must be a whole number";
        }
        if (f->type == CF_INT && (x < 0 || x > f->max)) {
            return ts_psprintf(p, "must be between 0 and %lld", (long long) f->max);
        }
        if (f->type == CF_USER) {
            ts_db_result_t *u = ts_db_query(r, "SELECT id FROM users WHERE tenant_id = {tenant}"
                                               " AND id = ? AND status <> 'disabled'", "i",
                                            (int64_t) x);
            if (u == NULL || ts_db_rows(u) == 0) {
                return "no such user";
            }
        }
        *out = ts_psprintf(p, "%lld", x);
        return NULL;
    }
    if (!cJSON_IsString(v)) {
        return "must be a string";
    }
    char *s = trimmed(p, v->valuestring);
    if (!contacts_text_ok(s, f->type == CF_TEXT)) {
        return "holds invalid characters";
    }
    switch (f->type) {
    case CF_STR:
        if (utf8_len(s) > (size_t) f->max) {
            return ts_psprintf(p, "at most %ld characters", (long) f->max);
        }
        break;
    case CF_TEXT:
        if (strlen(s) > (size_t) f->max) {
            return ts_psprintf(p, "at most %ld bytes", (long) f->max);
        }
        break;
    case CF_ENUM:
        if (!contacts_enum_has(f->enums, s)) {
            size_t len = 0;
            for (const char *const *e = f->enums; *e; e++) {
                len += strlen(*e) + 2;
            }
            char *list = ts_pcalloc(p, len + 1);
            for (const char *const *e = f->enums; *e; e++) {
                strcat(list, *e);
                if (e[1]) {
                    strcat(list, ", ");
                }
            }
            return ts_psprintf(p, "must be one of: %s", list);
        }
        break;
    case CF_EMAIL:
        if (!contacts_email_ok(s)) {
            return "a valid email address is required";
        }
        break;
    case CF_PHONE: {
        if (strlen(s) > 40 || strspn(s, "+0123456789 ()-./") != strlen(s)
            || contacts_norm_phone(p, s) == NULL) {
            return "a valid phone number is required (at least 6 digits)";
        }
        break;
    }
    case CF_DATE:
        if (!contacts_date_ok(s)) {
            return "a date as YYYY-MM-DD is required";
        }
        break;
    case CF_URL:
        if (strlen(s) > 255 || !contacts_url_ok(s)) {
            return "an http(s) address is required";
        }
        break;
    case CF_LANG: {
        size_t n = strlen(s), a = 0;
        for (char *c = s; *c; c++) {
            *c = (char) tolower((unsigned char) *c);
        }
        while (a < n && islower((unsigned char) s[a])) {
            a++;
        }
        bool ok = (a == 2 || a == 3) && (a == n || (s[a] == '-' && n - a - 1 >= 2 && n <= 8));
        for (size_t i = a + 1; ok && i < n; i++) {
            ok = isalnum((unsigned char) s[i]);
        }
        if (!ok) {
            return "a language code such as en, es or pt-br is required";
        }
        break;
    }
    case CF_COUNTRY:
    case CF_CURRENCY: {
        size_t want = f->type == CF_COUNTRY ? 2 : 3;
        if (strlen(s) != want) {
            return f->type == CF_COUNTRY ? "a two-letter country code is required"
                                         : "a three-letter currency code is required";
        }
        for (char *c = s; *c; c++) {
            if (!isalpha((unsigned char) *c)) {
                return "letters only";
            }
            *c = (char) toupper((unsigned char) *c);
        }
        break;
    }
    default:
        break;
    }
    *out = s;
    return NULL;
}

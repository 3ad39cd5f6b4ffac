/* Lists of leads, contacts and relations: filters, text search, sort from an
 * allow-list, cursor paging; the same filters serve exports and batches. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "contacts.h"
#include "contacts_fields.h"
#include "contacts_norm.h"

#define MAX_IN 10

/* Sortable columns: the name the API takes and the expression it means. NULLs
 * sort as -1 so that the cursor compares plain values. */
typedef struct {
    const char *name;
    const char *expr;
    unsigned    kinds;
} sort_t;

#define P (CONTACTS_LEAD | CONTACTS_CONTACT)
static const sort_t sorts[] = {
    { "created_at", "c.created_at", P | CONTACTS_RELATION },
    { "updated_at", "c.updated_at", P | CONTACTS_RELATION },
    { "id", "c.id", P | CONTACTS_RELATION },
    { "last_name", "c.last_name", P },
    { "first_name", "c.first_name", P },
    { "score", "COALESCE(c.score, -1)", P },
    { "budget_max", "COALESCE(c.budget_max, -1)", P },
    { "name", "c.name", CONTACTS_RELATION },
    { NULL, NULL, 0 },
};

static const char *const relation_types[] = {
    "developer", "construction_company", "agency", "bank", "law_firm", "notary_office", "vendor",
    "owner", "competitor", "sponsor", "other", NULL };

const char *
contacts_filter(ts_request_t *r, const contacts_listctx_t *lc, const char *name)
{
    const char *v = lc->ignore_query ? NULL : ts_req_query(r, name);
    if (v != NULL) {
        return *v ? v : NULL;
    }
    const cJSON *srcs[] = { lc->filters, lc->view_filters };
    for (int i = 0; i < 2; i++) {
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(srcs[i], name);
        if (cJSON_IsString(f)) {
            return *f->valuestring ? f->valuestring : NULL;
        }
        if (cJSON_IsNumber(f)) {
            return ts_psprintf(r->pool, "%.0f", f->valuedouble);
        }
        if (cJSON_IsArray(f)) {
            /* ["a","b"] reads as "a,b" */
            size_t len = 1;
            const cJSON *e;
            cJSON_ArrayForEach(e, f) {
                len += (cJSON_IsString(e) ? strlen(e->valuestring) : 24) + 1;
            }
            char *s = ts_pcalloc(r->pool, len);
            cJSON_ArrayForEach(e, f) {
                if (*s) {
                    strcat(s, ",");
                }
                if (cJSON_IsString(e)) {
                    strcat(s, e->valuestring);
                } else if (cJSON_IsNumber(e)) {
                    snprintf(s + strlen(s), 24, "%.0f", e->valuedouble);
                }
            }
            return *s ? s : NULL;
        }
    }
    return NULL;
}

/* Splits "a,b" into at most MAX_IN trimmed values; -1 when there are more. */
static int
split_list(ts_pool_t *p, const char *v, const char **out)
{
    int n = 0;
    char *copy = ts_pstrdup(p, v), *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (isspace((unsigned char) *tok)) {
            tok++;
        }
        size_t l = strlen(tok);
        while (l > 0 && isspace((unsigned char) tok[l - 1])) {
            tok[--l] = '\0';
        }
        if (l == 0) {
            continue;
        }
        if (n == MAX_IN) {
            return -1;
        }
        out[n++] = tok;
    }
    return n;
}

/* frag_open is e.g. " AND c.status IN (": the values follow, bound. */
static bool
where_in(ts_request_t *r, contacts_q_t *w, const char *v, const char *frag_open,
         const char *const *allowed, const char **bad)
{
    const char *vals[MAX_IN];
    int n = split_list(r->pool, v, vals);
    if (n <= 0) {
        *bad = n < 0 ? "at most 10 values" : "a value is required";
        return false;
    }
    for (int i = 0; i < n; i++) {
        if (allowed && !contacts_enum_has(allowed, vals[i])) {
            *bad = ts_psprintf(r->pool, "unknown value %.40s", vals[i]);
            return false;
        }
    }
    contacts_q_add(w, frag_open);
    for (int i = 0; i < n; i++) {
        contacts_q_bind(w, i ? ", ?" : "?", vals[i]);
    }
    contacts_q_add(w, ")");
    return true;
}

/* A date (YYYY-MM-DD) or a UTC time (YYYY-MM-DDTHH:MM:SSZ) as SQL DATETIME text. */
static const char *
datetime_of(ts_pool_t *p, const char *v, bool end_of_day)
{
    if (contacts_date_ok(v)) {
        return ts_psprintf(p, "%s %s", v, end_of_day ? "23:59:59" : "00:00:00");
    }
    if (strlen(v) == 20 && v[10] == 'T' && v[19] == 'Z' && contacts_date_ok(ts_pstrndup(p, v, 10))) {
        int h, m, s;
        if (sscanf(v + 11, "%2d:%2d:%2d", &h, &m, &s) == 3 && h < 24 && m < 60 && s < 60) {
            return ts_psprintf(p, "%.10s %.8s", v, v + 11);
        }
    }
    return NULL;
}

static bool
int_value(const char *v, long long lo, long long hi)
{
    char *end;
    if (*v == '\0' || strlen(v) > 18) {
        return false;
    }
    long long x = strtoll(v, &end, 10);
    return *end == '\0' && x >= lo && x <= hi;
}

/* The words of q for a FULLTEXT boolean search: letters and digits only,
 * each required, prefix-matched; words under 3 characters are not indexed. */
static const char *
fulltext_terms(ts_pool_t *p, const char *q, bool *short_word)
{
    size_t n = strlen(q);
    char *out = ts_pcalloc(p, n * 3 + 4), *o = out;
    const unsigned char *s = (const unsigned char *) q;
    *short_word = false;
    int words = 0;
    while (*s && words < 8) {
        while (*s && !(isalnum(*s) || *s >= 0x80)) {
            s++;
        }
        const unsigned char *b = s;
        while (*s && (isalnum(*s) || *s >= 0x80)) {
            s++;
        }
        size_t l = (size_t) (s - b);
        if (l == 0) {
            break;
        }
        if (l < 3) {
            *short_word = true;
            continue;
        }
        *o++ = '+';
        memcpy(o, b, l);
        o += l;
        *o++ = '*';
        *o++ = ' ';
        words++;
    }
    *o = '\0';
    return *out ? out : NULL;
}

static void
where_search(ts_request_t *r, contacts_kind_t kind, contacts_q_t *w, const char *q)
{
    ts_pool_t *p = r->pool;
    bool rel = kind == CONTACTS_RELATION;
    size_t digits = 0;
    for (const char *c = q; *c; c++) {
        digits += isdigit((unsigned char) *c) != 0;
    }
    if (digits >= 3 && strspn(q, "+0123456789 ()-./") == strlen(q)) {
        /* A phone number, written any way: compare digits with the normalised phone. */
        char *d = ts_pcalloc(p, strlen(q) + 1), *o = d;
        for (const char *c = q; *c; c++) {
            if (isdigit((unsigned char) *c)) {
                *o++ = *c;
            }
        }
        contacts_q_bind(w, " AND c.phone_norm LIKE CONCAT('%', ?, '%')", d);
        return;
    }
    if (strchr(q, '@') != NULL) {
        contacts_q_bind(w, " AND c.email_norm LIKE CONCAT(?, '%')", contacts_norm_email(p, q));
        return;
    }
    bool short_word;
    const char *terms = fulltext_terms(p, q, &short_word);
    if (terms != NULL) {
        contacts_q_bind(w, rel ? " AND MATCH(c.name, c.email) AGAINST (? IN BOOLEAN MODE)"
                               : " AND MATCH(c.first_name, c.last_name, c.email, c.company)"
                                 " AGAINST (? IN BOOLEAN MODE)", terms);
    }
    if (terms == NULL || short_word) {
        /* Short words: a prefix of a name. */
        char *esc = ts_pcalloc(p, strlen(q) * 2 + 1), *o = esc;
        for (const char *c = q; *c; c++) {
            if (*c == '%' || *c == '_' || *c == '\\') {
                *o++ = '\\';
            }
            *o++ = *c;
        }
        if (rel) {
            contacts_q_bind(w, " AND c.name LIKE CONCAT(?, '%')", esc);
        } else {
            contacts_q_bind(w, " AND (c.last_name LIKE CONCAT(?, '%')", esc);
            contacts_q_bind(w, " OR c.first_name LIKE CONCAT(?, '%')", esc);
            contacts_q_bind(w, " OR c.company LIKE CONCAT(?, '%'))", esc);
        }
    }
}

/* A query string name as the request reads it: %XX and + decoded. */
static const char *
url_decoded(ts_pool_t *p, const char *s, size_t n)
{
    char *out = ts_palloc(p, n + 1), *o = out;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char) s[i + 1])
            && isxdigit((unsigned char) s[i + 2])) {
            char hex[3] = { s[i + 1], s[i + 2], '\0' };
            *o++ = (char) strtol(hex, NULL, 16);
            i += 2;
        } else {
            *o++ = s[i] == '+' ? ' ' : s[i];
        }
    }
    *o = '\0';
    return out;
}

/* The custom.<name> filters asked for: the query string's, then the JSON ones
 * and the saved view's (at most 10; "" past that: an error). */
static int
custom_filter_names(ts_request_t *r, const contacts_listctx_t *lc, const char **out, int max)
{
    int n = 0;
    const char *q = lc->ignore_query ? NULL : r->query;
    while (q != NULL && *q) {
        size_t len = strcspn(q, "&");
        size_t nlen = strcspn(q, "=&");
        if (nlen > 7 && strncmp(q, "custom.", 7) == 0) {
            out[n < max ? n : max - 1] = n < max ? url_decoded(r->pool, q, nlen) : "";
            n += n < max;
        }
        q += len + (q[len] == '&');
    }
    const cJSON *srcs[] = { lc->filters, lc->view_filters };
    for (int s = 0; s < 2; s++) {
        const cJSON *e;
        cJSON_ArrayForEach(e, srcs[s]) {
            if (e->string != NULL && strncmp(e->string, "custom.", 7) == 0 && e->string[7]) {
                out[n < max ? n : max - 1] = n < max ? e->string : "";
                n += n < max;
            }
        }
    }
    return n;
}

/* custom.KEY=VALUE (a multiselect: holds VALUE), and custom.KEY_min /
 * custom.KEY_max for numbers, money and dates, over the stored JSON. The
 * key must be one the tenant defines for the kind; the JSON path is bound. */
static void
where_custom(ts_request_t *r, contacts_kind_t kind, const contacts_listctx_t *lc, contacts_q_t *w,
             cJSON **fields, const char *prefix)
{
    ts_pool_t *p = r->pool;
    const char *names[MAX_IN];
    int n = custom_filter_names(r, lc, names, MAX_IN);
    if (n == 0) {
        return;
    }
    cJSON *defs = ts_custom_fields_defs(r, contacts_kind_name(kind));
    if (defs == NULL) {
        contacts_field_error(fields, ts_psprintf(p, "%scustom", prefix), "the custom fields could not be read");
        return;
    }
    for (int i = 0; i < n; i++) {
        const char *name = names[i];
        if (*name == '\0') {
            contacts_field_error(fields, ts_psprintf(p, "%scustom", prefix), "at most 10 custom filters");
            continue;
        }
        bool seen = false;
        for (int k = 0; k < i && !seen; k++) {
            seen = strcmp(names[k], name) == 0;
        }
        const char *v = seen ? NULL : contacts_filter(r, lc, name);
        if (v == NULL) {
            continue;
        }
        const char *err_name = ts_psprintf(p, "%s%s", prefix, name);
        const char *key = name + 7;
        size_t klen = strlen(key);
        int range = 0;   /* -1 _min, 1 _max */
        const cJSON *def = NULL, *d;
        for (int pass = 0; pass < 2 && def == NULL; pass++) {
            if (pass == 1) {
                if (klen < 5 || (strcmp(key + klen - 4, "_min") != 0 && strcmp(key + klen - 4, "_max") != 0)) {
                    break;
                }
                range = key[klen - 2] == 'i' ? -1 : 1;
                key = ts_pstrndup(p, key, klen - 4);
            }
            cJSON_ArrayForEach(d, defs) {
                if (strcmp(contacts_json_str(d, "key"), key) == 0) {
                    def = d;
                    break;
                }
            }
        }
        if (def == NULL || strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(key)) {
            contacts_field_error(fields, err_name, "unknown field");
            continue;
        }
        const char *type = contacts_json_str(def, "type");
        bool number = strcmp(type, "number") == 0 || strcmp(type, "money") == 0;
        bool date = strcmp(type, "date") == 0;
        const char *path = ts_psprintf(p, "$.\"%s\"", key);
        char *end = NULL;
        if (number) {
            (void) strtod(v, &end);
        }
        if (range != 0 && !number && !date) {
            contacts_field_error(fields, err_name, "unknown field (ranges are for numbers, money and dates)");
        } else if (number && (*v == '\0' || *end != '\0' || strlen(v) > 30)) {
            contacts_field_error(fields, err_name, "a number is required");
        } else if (date && !contacts_date_ok(v)) {
            contacts_field_error(fields, err_name, "a date YYYY-MM-DD is required");
        } else if (strcmp(type, "boolean") == 0 && strcmp(v, "true") != 0 && strcmp(v, "false") != 0) {
            contacts_field_error(fields, err_name, "true or false");
        } else if (strlen(v) > 200 || !contacts_text_ok(v, false)) {
            contacts_field_error(fields, err_name, "at most 200 characters of text");
        } else {
            const char *frag = number
                ? (range < 0 ? " AND CAST(JSON_VALUE(c.custom, ?) AS DECIMAL(30,6)) >= CAST(? AS DECIMAL(30,6))"
                   : range > 0 ? " AND CAST(JSON_VALUE(c.custom, ?) AS DECIMAL(30,6)) <= CAST(? AS DECIMAL(30,6))"
                   : " AND CAST(JSON_VALUE(c.custom, ?) AS DECIMAL(30,6)) = CAST(? AS DECIMAL(30,6))")
                : range < 0 ? " AND JSON_VALUE(c.custom, ?) >= ?"
                : range > 0 ? " AND JSON_VALUE(c.custom, ?) <= ?"
                : strcmp(type, "multiselect") == 0
                ? " AND JSON_CONTAINS(JSON_EXTRACT(c.custom, ?), JSON_QUOTE(?))"
                : " AND JSON_VALUE(c.custom, ?) = ?";
            if (strcmp(type, "boolean") == 0) {
                /* JSON true/false compared as JSON. */
                contacts_q_add(w, " AND JSON_CONTAINS(c.custom, ?, ?)");
                contacts_q_arg(w, v);
                contacts_q_arg(w, path);
            } else {
                contacts_q_add(w, frag);
                contacts_q_arg(w, path);
                contacts_q_arg(w, v);
            }
        }
    }
    cJSON_Delete(defs);
}

int
contacts_list_where(ts_request_t *r, contacts_kind_t kind, const contacts_listctx_t *lc,
                    contacts_q_t *w, cJSON **fields, const char *prefix)
{
    ts_pool_t *p = r->pool;
    bool rel = kind == CONTACTS_RELATION;
    const char *bad = NULL, *v;
    static const char *const statuses[] = { "prospect", "qualified", "negotiating", "won", "lost", NULL };
    static const char *const rel_statuses[] = { "active", "inactive", "prospect", NULL };
    static const char *const stages[] = { "hot", "neutral", "cold", NULL };
    static const char *const types[] = { "buyer", "owner", NULL };
    static const char *const urgencies[] = { "low", "medium", "high", NULL };
    static const char *const transactions[] = { "sale", "rent", NULL };
#define FILTER_IN(name, frag, allowed)                                                   \
    if ((v = contacts_filter(r, lc, name)) != NULL && !where_in(r, w, v, frag, allowed, &bad)) { \
        contacts_field_error(fields, ts_psprintf(p, "%s%s", prefix, name), bad);         \
    }
    FILTER_IN("status", " AND c.status IN (", rel ? rel_statuses : statuses);
    if (rel) {
        FILTER_IN("type", " AND c.type IN (", relation_types);
    } else {
        FILTER_IN("type", " AND c.type IN (", types);
        FILTER_IN("source", " AND c.source IN (", contacts_sources);
        FILTER_IN("stage", " AND c.stage IN (", stages);
        FILTER_IN("urgency", " AND c.urgency IN (", urgencies);
        FILTER_IN("transaction", " AND c.transaction IN (", transactions);
        FILTER_IN("language", " AND c.language IN (", NULL);
        FILTER_IN("role", " AND EXISTS (SELECT 1 FROM contact_roles cr WHERE cr.tenant_id ="
                          " c.tenant_id AND cr.contact_id = c.id AND cr.role IN (", contacts_roles);
        if (contacts_filter(r, lc, "role") != NULL) {
            contacts_q_add(w, ")");
        }
    }
    if ((v = contacts_filter(r, lc, "tag")) != NULL) {
        if (where_in(r, w, v, rel ? " AND EXISTS (SELECT 1 FROM tags t WHERE t.tenant_id = c.tenant_id"
                                    " AND t.entity = 'relation' AND t.entity_id = c.id AND t.tag IN ("
                                  : " AND EXISTS (SELECT 1 FROM tags t WHERE t.tenant_id = c.tenant_id"
                                    " AND t.entity = 'contact' AND t.entity_id = c.id AND t.tag IN (",
                     NULL, &bad)) {
            contacts_q_add(w, ")");
        } else {
            contacts_field_error(fields, ts_psprintf(p, "%stag", prefix), bad);
        }
    }
    if ((v = contacts_filter(r, lc, "agent_id")) != NULL) {
        if (strcmp(v, "me") == 0) {
            contacts_q_bind(w, " AND c.agent_id = ?", contacts_i64(p, r->user->id));
        } else if (strcmp(v, "none") == 0) {
            contacts_q_add(w, " AND c.agent_id IS NULL");
        } else {
            const char *ids[MAX_IN];
            int n = split_list(p, v, ids);
            bool ok = n > 0;
            for (int i = 0; i < n && ok; i++) {
                ok = int_value(ids[i], 1, 999999999999999LL);
            }
            if (ok) {
                where_in(r, w, v, " AND c.agent_id IN (", NULL, &bad);
            } else {
                contacts_field_error(fields, ts_psprintf(p, "%sagent_id", prefix),
                                     "user ids (at most 10), me or none");
            }
        }
    }
    static const struct { const char *name; const char *frag; bool end; } ranges[] = {
        { "created_from", " AND c.created_at >= ?", false },
        { "created_to", " AND c.created_at <= ?", true },
        { "updated_from", " AND c.updated_at >= ?", false },
        { "updated_to", " AND c.updated_at <= ?", true },
    };
    for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
        if ((v = contacts_filter(r, lc, ranges[i].name)) != NULL) {
            const char *dt = datetime_of(p, v, ranges[i].end);
            if (dt) {
                contacts_q_bind(w, ranges[i].frag, dt);
            } else {
                contacts_field_error(fields, ts_psprintf(p, "%s%s", prefix, ranges[i].name),
                                     "a date YYYY-MM-DD or a time YYYY-MM-DDTHH:MM:SSZ is required");
            }
        }
    }
    if (!rel) {
        /* budget_from/to: the lead's budget range overlaps the one asked for. */
        static const struct { const char *name; const char *frag; long long max; } nums[] = {
            { "budget_from", " AND c.budget_max >= ?", 1000000000000000LL },
            { "budget_to", " AND c.budget_min <= ?", 1000000000000000LL },
            { "score_min", " AND c.score >= ?", 100 },
            { "score_max", " AND c.score <= ?", 100 },
        };
        for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
            if ((v = contacts_filter(r, lc, nums[i].name)) != NULL) {
                if (int_value(v, 0, nums[i].max)) {
                    contacts_q_bind(w, nums[i].frag, v);
                } else {
                    contacts_field_error(fields, ts_psprintf(p, "%s%s", prefix, nums[i].name),
                                         ts_psprintf(p, "a whole number from 0 to %lld", nums[i].max));
                }
            }
        }
    }
    if ((v = contacts_filter(r, lc, "q")) != NULL) {
        if (strlen(v) > 100 || !contacts_text_ok(v, false)) {
            contacts_field_error(fields, ts_psprintf(p, "%sq", prefix), "at most 100 characters of text");
        } else {
            where_search(r, kind, w, v);
        }
    }
    where_custom(r, kind, lc, w, fields, prefix);
#undef FILTER_IN
    return *fields ? 422 : 0;
}

static const sort_t *
sort_find(contacts_kind_t kind, const char *name)
{
    for (const sort_t *s = sorts; s->name; s++) {
        if ((s->kinds & kind) && strcmp(s->name, name) == 0) {
            return s;
        }
    }
    return NULL;
}

static char *
hex(ts_pool_t *p, const char *s)
{
    size_t n = strlen(s);
    char *o = ts_palloc(p, n * 2 + 1);
    for (size_t i = 0; i < n; i++) {
        snprintf(o + i * 2, 3, "%02x", (unsigned char) s[i]);
    }
    o[n * 2] = '\0';
    return o;
}

static char *
unhex(ts_pool_t *p, const char *s)
{
    size_t n = strlen(s);
    if (n % 2 || n > 400) {
        return NULL;
    }
    char *o = ts_palloc(p, n / 2 + 1);
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if (!isxdigit((unsigned char) s[2 * i]) || !isxdigit((unsigned char) s[2 * i + 1])
            || sscanf(s + 2 * i, "%2x", &v) != 1 || v == 0) {
            return NULL;
        }
        o[i] = (char) v;
    }
    o[n / 2] = '\0';
    return o;
}

/* LIMIT is text, so it comes from this fixed set; the page is cut in C. */
static const char *
limit_fragment(long want)
{
    static const struct { long n; const char *frag; } lims[] = {
        { 11, " LIMIT 11" }, { 26, " LIMIT 26" }, { 51, " LIMIT 51" }, { 101, " LIMIT 101" },
        { 201, " LIMIT 201" }, { 501, " LIMIT 501" },
    };
    for (size_t i = 0; i < sizeof(lims) / sizeof(lims[0]); i++) {
        if (want <= lims[i].n) {
            return lims[i].frag;
        }
    }
    return " LIMIT 501";
}

static void
where_base(ts_request_t *r, contacts_kind_t kind, contacts_q_t *q)
{
    if (kind == CONTACTS_RELATION) {
        contacts_q_add(q, " WHERE c.tenant_id = {tenant} AND c.deleted_at IS NULL");
        return;
    }
    contacts_q_bind(q, " WHERE c.tenant_id = {tenant} AND c.kind = ? AND c.deleted_at IS NULL",
                    contacts_kind_name(kind));
    contacts_q_bind(q, " AND (? = '1' OR c.agent_id = ? OR c.agent_id IS NULL)",
                    contacts_sees_all(r) ? "1" : "0");
    contacts_q_argi(q, r->user->id);
}

int
contacts_list_page(ts_request_t *r, contacts_kind_t kind, const contacts_listctx_t *lc,
                   long limit, const char *cursor, bool with_total, contacts_page_t *out,
                   cJSON **fields)
{
    ts_pool_t *p = r->pool;
    bool rel = kind == CONTACTS_RELATION;
    memset(out, 0, sizeof(*out));
    contacts_q_t w;
    contacts_q_init(&w, p, "");
    where_base(r, kind, &w);
    if (contacts_list_where(r, kind, lc, &w, fields, "") != 0) {
        return 422;
    }
    const char *sortp = lc->ignore_query ? NULL : ts_req_query(r, "sort");
    if (sortp == NULL || *sortp == '\0') {
        sortp = lc->view_sort ? lc->view_sort : "-created_at";
    }
    bool desc = sortp[0] == '-';
    const sort_t *s = sort_find(kind, sortp + (desc || sortp[0] == '+'));
    if (s == NULL) {
        contacts_field_error(fields, "sort", rel ? "one of created_at, updated_at, id, name (- for descending)"
                             : "one of created_at, updated_at, id, last_name, first_name, score,"
                               " budget_max (- for descending)");
        return 422;
    }
    contacts_q_t q;
    contacts_q_init(&q, p, rel
        ? "SELECT c.id, c.name, c.type, c.status, c.email, c.phone, c.website, c.agent_id,"
          " c.created_at, c.updated_at, c.custom, (SELECT GROUP_CONCAT(t.tag ORDER BY t.tag SEPARATOR ',')"
          " FROM tags t WHERE t.tenant_id = c.tenant_id AND t.entity = 'relation' AND"
          " t.entity_id = c.id) AS tags, "
        : "SELECT c.id, c.kind, c.type, c.status, c.source, c.source_portal, c.stage, c.urgency,"
          " c.first_name, c.last_name, c.email, c.phone, c.company, c.language, c.score,"
          " c.agent_id, c.transaction, c.budget_min, c.budget_max, c.created_at, c.updated_at, c.custom,"
          " (SELECT GROUP_CONCAT(t.tag ORDER BY t.tag SEPARATOR ',') FROM tags t WHERE"
          " t.tenant_id = c.tenant_id AND t.entity = 'contact' AND t.entity_id = c.id) AS tags, ");
    contacts_q_add(&q, s->expr);
    contacts_q_add(&q, rel ? " AS sort_key FROM relations c" : " AS sort_key FROM contacts c");
    contacts_q_append(&q, &w);
    if (cursor != NULL && *cursor) {
        /* "<id>.<hex of the sort value>": the rows after that one in this order. */
        const char *dot = strchr(cursor, '.');
        char *idpart = dot ? ts_pstrndup(p, cursor, (size_t) (dot - cursor)) : NULL;
        char *val = dot ? (dot[1] ? unhex(p, dot + 1) : ts_pstrdup(p, "")) : NULL;
        if (idpart == NULL || val == NULL || !int_value(idpart, 1, 999999999999999LL)
            || !contacts_text_ok(val, false)) {
            contacts_field_error(fields, "cursor", "not a cursor of this list");
            return 422;
        }
        contacts_q_add(&q, " AND (");
        contacts_q_add(&q, s->expr);
        contacts_q_bind(&q, desc ? " < ?" : " > ?", val);
        contacts_q_add(&q, " OR (");
        contacts_q_add(&q, s->expr);
        contacts_q_bind(&q, " = ?", val);
        contacts_q_bind(&q, desc ? " AND c.id < ?))" : " AND c.id > ?))", idpart);
    }
    contacts_q_add(&q, " ORDER BY ");
    contacts_q_add(&q, s->expr);
    contacts_q_add(&q, desc ? " DESC, c.id DESC" : ", c.id");
    contacts_q_add(&q, limit_fragment(limit + 1));
    out->rows = contacts_q_query(r, &q);
    if (out->rows == NULL) {
        return TS_ERROR;
    }
    size_t n = ts_db_rows(out->rows);
    out->n = n > (size_t) limit ? (size_t) limit : n;
    if (n > (size_t) limit) {
        const char *key = ts_db_get(out->rows, out->n - 1, "sort_key");
        out->next_cursor = ts_psprintf(p, "%s.%s", ts_db_get(out->rows, out->n - 1, "id"),
                                       hex(p, key ? key : ""));
    }
    if (with_total) {
        contacts_q_t cq;
        contacts_q_init(&cq, p, rel ? "SELECT COUNT(*) AS n FROM relations c"
                                    : "SELECT COUNT(*) AS n FROM contacts c");
        contacts_q_append(&cq, &w);
        ts_db_result_t *cr = contacts_q_query(r, &cq);
        if (cr == NULL) {
            return TS_ERROR;
        }
        out->total = ts_db_get_int(cr, 0, "n");
    }
    return 0;
}

cJSON *
contacts_list_row_json(ts_request_t *r, const ts_db_result_t *res, size_t i)
{
    cJSON *o = ts_db_row_json(r, res, i);
    cJSON_DeleteItemFromObjectCaseSensitive(o, "sort_key");
    cJSON_DeleteItemFromObjectCaseSensitive(o, "custom");
    const char *tags = ts_db_get(res, i, "tags");
    cJSON *a = cJSON_CreateArray();
    if (tags != NULL) {
        char *copy = ts_pstrdup(r->pool, tags), *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            cJSON_AddItemToArray(a, cJSON_CreateString(t));
        }
    }
    cJSON_ReplaceItemInObjectCaseSensitive(o, "tags", a);
    contacts_add_temperature(o);
    return o;
}

int
contacts_view_load(ts_request_t *r, const char *list, contacts_listctx_t *lc)
{
    const char *v = ts_req_query(r, "view");
    if (v == NULL || *v == '\0') {
        return 0;
    }
    char *end;
    long long id = strtoll(v, &end, 10);
    if (*end != '\0' || id < 1) {
        return 404;
    }
    ts_db_result_t *res = ts_db_query(r, "SELECT filters, sort FROM saved_views WHERE"
                                         " tenant_id = {tenant} AND id = ? AND list = ? AND"
                                         " (owner_id = ? OR shared = 1)", "isi", (int64_t) id,
                                      list, r->user->id);
    if (res == NULL) {
        return TS_ERROR;
    }
    if (ts_db_rows(res) == 0) {
        return 404;
    }
    lc->view_filters = cJSON_Parse(ts_db_get(res, 0, "filters"));
    if (lc->view_filters != NULL) {
        ts_pool_cleanup_add(r->pool, (void (*)(void *)) cJSON_Delete, lc->view_filters);
    }
    lc->view_sort = ts_db_get(res, 0, "sort");
    return 0;
}

int
contacts_view_failed(ts_request_t *r, int rc)
{
    return rc == 404 ? ts_resp_error(r, 404, "not_found", "no such saved view", NULL) : TS_ERROR;
}

static int
lists_index(ts_request_t *r)
{
    contacts_kind_t kind = contacts_kind_of_path(r);
    contacts_listctx_t lc = { 0 };
    int rc = contacts_view_load(r, contacts_kind_plural(kind), &lc);
    if (rc != 0) {
        return contacts_view_failed(r, rc);
    }
    const char *ls = ts_req_query(r, "limit");
    char *end = NULL;
    long limit = ls ? strtol(ls, &end, 10) : 50;
    cJSON *fields = NULL;
    if (limit < 1 || limit > 500 || (end && *end)) {
        contacts_field_error(&fields, "limit", "must be between 1 and 500");
        return contacts_validation_error(r, fields);
    }
    contacts_page_t pg;
    rc = contacts_list_page(r, kind, &lc, limit, ts_req_query(r, "cursor"), true, &pg, &fields);
    if (rc == 422) {
        return contacts_validation_error(r, fields);
    }
    if (rc != 0) {
        return TS_ERROR;
    }
    cJSON *items = cJSON_CreateArray();
    for (size_t i = 0; i < pg.n; i++) {
        cJSON_AddItemToArray(items, contacts_list_row_json(r, pg.rows, i));
    }
    return ts_resp_list(r, items, pg.next_cursor, pg.total);
}

int
contacts_lists_routes(ts_plugin_ctx_t *ctx)
{
    /* The lists answer from the core's response cache until the tenant's data changes. */
    static const char *const paths[] = { "/api/v1/leads", "/api/v1/contacts", "/api/v1/relations" };
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        if (ts_route_add_ex(ctx, TS_GET, paths[i], lists_index, TS_ROUTE_CACHE, TS_ROLE_VIEWER)
            != TS_OK) {
            return TS_ERROR;
        }
    }
    return TS_OK;
}

int
contacts_list_ids(ts_request_t *r, contacts_kind_t kind, const contacts_listctx_t *lc,
                  size_t max, int64_t **ids, size_t *n, cJSON **fields)
{
    contacts_listctx_t byid = *lc;
    byid.view_sort = "id";
    byid.ignore_query = true;
    size_t cap = 512;
    *ids = ts_palloc(r->pool, cap * sizeof(int64_t));
    *n = 0;
    const char *cursor = NULL;
    do {
        contacts_page_t pg;
        int rc = contacts_list_page(r, kind, &byid, 500, cursor, false, &pg, fields);
        if (rc != 0) {
            return rc;
        }
        if (*n + pg.n > max) {
            contacts_field_error(fields, "filter", ts_psprintf(r->pool, "selects more than %zu records", max));
            return 422;
        }
        if (*n + pg.n > cap) {
            while (cap < *n + pg.n) {
                cap *= 2;
            }
            int64_t *more = ts_palloc(r->pool, cap * sizeof(int64_t));
            memcpy(more, *ids, *n * sizeof(int64_t));
            *ids = more;
        }
        for (size_t i = 0; i < pg.n; i++) {
            (*ids)[(*n)++] = ts_db_get_int(pg.rows, i, "id");
        }
        cursor = pg.next_cursor;
    } while (cursor != NULL);
    return 0;
}

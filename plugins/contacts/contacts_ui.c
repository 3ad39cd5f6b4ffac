/* The web pages of leads, contacts and relations: lists with filters, saved
 * views and batch actions; a record with its timeline and quick actions;
 * create and edit forms. Every change goes through the same code as the API. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "contacts.h"
#include "contacts_fields.h"

typedef enum { UI_TEXT, UI_EMAIL, UI_TEL, UI_URL, UI_SELECT, UI_TEXTAREA, UI_MONEY, UI_TAGS } ui_type_t;

typedef struct {
    const char        *name;
    const char        *label;
    ui_type_t          type;
    const char *const *options;
    unsigned           kinds;
} ui_field_t;

#define P (CONTACTS_LEAD | CONTACTS_CONTACT)
#define R CONTACTS_RELATION
static const char *const lead_types[] = { "", "buyer", "owner", NULL };
static const char *const statuses[] = { "prospect", "qualified", "negotiating", "won", "lost", NULL };
static const char *const rel_statuses[] = { "active", "inactive", "prospect", NULL };
static const char *const stages[] = { "neutral", "hot", "cold", NULL };
static const char *const urgencies[] = { "", "low", "medium", "high", NULL };
static const char *const rel_types[] = {
    "other", "developer", "construction_company", "agency", "bank", "law_firm", "notary_office",
    "vendor", "owner", "competitor", "sponsor", NULL };
static const char *const sources[] = {
    "", "cold_calling", "incoming_call", "referral", "website", "social_media", "email_campaign",
    "incoming_mail", "in_person", "portal", "networking_event", "print", "partner", "outdoor",
    "radio_tv", "manual", NULL };

static const ui_field_t form_fields[] = {
    { "first_name", "First name", UI_TEXT, NULL, P },
    { "last_name", "Last name", UI_TEXT, NULL, P },
    { "name", "Name", UI_TEXT, NULL, R },
    { "email", "Email", UI_EMAIL, NULL, P | R },
    { "phone", "Phone", UI_TEL, NULL, P | R },
    { "company", "Company", UI_TEXT, NULL, P },
    { "type", "Type", UI_SELECT, lead_types, P },
    { "type", "Type", UI_SELECT, rel_types, R },
    { "status", "Status", UI_SELECT, statuses, P },
    { "status", "Status", UI_SELECT, rel_statuses, R },
    { "source", "Source", UI_SELECT, sources, P },
    { "source_portal", "Portal", UI_TEXT, NULL, P },
    { "stage", "Stage", UI_SELECT, stages, P },
    { "urgency", "Urgency", UI_SELECT, urgencies, P },
    { "language", "Language", UI_TEXT, NULL, P },
    { "budget_min", "Budget from (EUR)", UI_MONEY, NULL, P },
    { "budget_max", "Budget up to (EUR)", UI_MONEY, NULL, P },
    { "website", "Website", UI_URL, NULL, R },
    { "tags", "Tags (comma-separated)", UI_TAGS, NULL, P | R },
    { "notes", "Notes", UI_TEXTAREA, NULL, P | R },
    { NULL, NULL, 0, NULL, 0 },
};

/* As the API's batch on a filter. */
#define UI_BATCH_FILTER_MAX 10000

static const char *const filter_names[] = {
    "q", "status", "stage", "source", "tag", "agent_id", "type", NULL };

static const char *
kind_label(contacts_kind_t k, bool plural)
{
    if (k == CONTACTS_LEAD) {
        return plural ? "Leads" : "Lead";
    }
    return k == CONTACTS_CONTACT ? (plural ? "Contacts" : "Contact") : (plural ? "Relations" : "Relation");
}

/* "negotiating" -> "Negotiating", "radio_tv" -> "Radio tv" */
static const char *
label_of(ts_pool_t *p, const char *v)
{
    if (v == NULL || *v == '\0') {
        return "—";
    }
    char *s = ts_pstrdup(p, v);
    s[0] = (char) toupper((unsigned char) s[0]);
    for (char *c = s; *c; c++) {
        if (*c == '_') {
            *c = ' ';
        }
    }
    return s;
}

static const char *
or_dash(const char *v)
{
    return v && *v ? v : "—";
}

static void
options(ts_request_t *r, ts_tpl_dict_t *d, const char *section, const char *const *opts,
        const char *current, const char *empty_label)
{
    for (const char *const *o = opts; *o; o++) {
        ts_tpl_dict_t *row = ts_tpl_section(d, section);
        ts_tpl_set(row, "OPT_VALUE", *o);
        ts_tpl_set(row, "OPT_LABEL", **o ? label_of(r->pool, *o) : empty_label);
        if (current && strcmp(current, *o) == 0) {
            ts_tpl_show(row, "SELECTED");
        }
    }
}

/* The custom.KEY filters of the query string (names checked to be such, the
 * values decoded), at most 10: the list keeps them in its links and views. */
static size_t
custom_query(ts_request_t *r, const char **names, const char **values, size_t max)
{
    size_t n = 0;
    for (const char *q = r->query; q != NULL && *q && n < max; ) {
        size_t len = strcspn(q, "&"), nlen = strcspn(q, "=&");
        if (nlen > 7 && nlen < 80 && strncmp(q, "custom.", 7) == 0
            && strspn(q + 7, "abcdefghijklmnopqrstuvwxyz0123456789_") == nlen - 7) {
            const char *name = ts_pstrndup(r->pool, q, nlen), *v = ts_req_query(r, name);
            if (v != NULL && *v) {
                names[n] = name;
                values[n++] = v;
            }
        }
        q += len + (q[len] == '&');
    }
    return n;
}

/* The f_custom fields a form carries back ("custom.KEY=VALUE") into filters. */
static void
custom_filters_of_form(ts_request_t *r, cJSON *filters)
{
    const char *vals[10];
    size_t n = ts_req_form_values(r, "f_custom", vals, 10);
    for (size_t i = 0; i < n && i < 10; i++) {
        const char *eq = strchr(vals[i], '=');
        if (eq != NULL && strncmp(vals[i], "custom.", 7) == 0) {
            cJSON_AddStringToObject(filters, ts_pstrndup(r->pool, vals[i], (size_t) (eq - vals[i])), eq + 1);
        }
    }
}

/* The list's current filters as a query string (without cursor), for links. */
static char *
list_query(ts_request_t *r, const char *skip)
{
    char *q = "";
    const char *cn[10], *cv[10];
    size_t nc = custom_query(r, cn, cv, 10);
    for (size_t i = 0; i < nc; i++) {
        q = ts_psprintf(r->pool, "%s%s%s=%s", q, *q ? "&" : "", cn[i], ts_url_encode(r->pool, cv[i]));
    }
    const char *names[] = { "q", "status", "stage", "source", "tag", "agent_id", "type", "view", "sort", NULL };
    for (int i = 0; names[i]; i++) {
        const char *v = ts_req_query(r, names[i]);
        if (v && *v && !(skip && strcmp(skip, names[i]) == 0)) {
            q = ts_psprintf(r->pool, "%s%s%s=%s", q, *q ? "&" : "", names[i], ts_url_encode(r->pool, v));
        }
    }
    return q;
}

static const char *
record_name(ts_request_t *r, contacts_kind_t kind, const ts_db_result_t *res, size_t i)
{
    if (kind == CONTACTS_RELATION) {
        return ts_db_get(res, i, "name");
    }
    const char *f = ts_db_get(res, i, "first_name"), *l = ts_db_get(res, i, "last_name");
    char *n = ts_psprintf(r->pool, "%s%s%s", f ? f : "", f && *f && l && *l ? " " : "", l ? l : "");
    if (*n == '\0') {
        const char *c = ts_db_get(res, i, "company");
        return c && *c ? c : "(no name)";
    }
    return n;
}

static const char *
short_date(ts_pool_t *p, const char *v)
{
    return v && strlen(v) >= 10 ? ts_pstrndup(p, v, 10) : "—";
}

static int
ui_list(ts_request_t *r)
{
    ts_pool_t *p = r->pool;
    contacts_kind_t kind = contacts_kind_of_path(r);
    const char *plural = contacts_kind_plural(kind);
    bool rel = kind == CONTACTS_RELATION;
    contacts_listctx_t lc = { 0 };
    int rc = contacts_view_load(r, plural, &lc);
    if (rc != 0) {
        return contacts_view_failed(r, rc);
    }
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    ts_tpl_set(d, "TITLE", kind_label(kind, true));
    ts_tpl_set(d, "HEADING", kind_label(kind, true));
    ts_tpl_set(d, "ONE", contacts_kind_name(kind));
    ts_tpl_set(d, "COLL", plural);
    ts_tpl_set(d, "NEW_HREF", ts_psprintf(p, "/%s/new", plural));
    ts_tpl_set(d, "LIST_HREF", ts_psprintf(p, "/%s", plural));
    ts_tpl_set(d, "Q", ts_req_query(r, "q") ? ts_req_query(r, "q") : "");
    ts_tpl_set(d, "TAG", ts_req_query(r, "tag") ? ts_req_query(r, "tag") : "");
    const char *cur_view = ts_req_query(r, "view");
    if (cur_view != NULL) {
        ts_tpl_set(ts_tpl_section(d, "IN_VIEW"), "VIEW_ID", cur_view);
    }
    if (r->user->role >= TS_ROLE_AGENT) {
        ts_tpl_show(d, "CAN_EDIT");
    }
    options(r, d, "STATUS_OPT", rel ? (const char *const[]) { "", "active", "inactive", "prospect", NULL }
                                    : (const char *const[]) { "", "prospect", "qualified", "negotiating",
                                                              "won", "lost", NULL },
            contacts_filter(r, &lc, "status"), "Any status");
    if (!rel) {
        ts_tpl_dict_t *pf = ts_tpl_section(d, "PERSON_FILTERS");
        options(r, pf, "STAGE_OPT", (const char *const[]) { "", "hot", "neutral", "cold", NULL },
                contacts_filter(r, &lc, "stage"), "Any stage");
        options(r, pf, "SOURCE_OPT", sources, contacts_filter(r, &lc, "source"), "Any source");
        const char *ag = contacts_filter(r, &lc, "agent_id");
        if (ag && strcmp(ag, "me") == 0) {
            ts_tpl_show(pf, "MINE");
        }
    }
    /* A filter per custom drop-down and yes/no field (others: custom.KEY in the URL). */
    cJSON *defs = ts_custom_fields_defs(r, contacts_kind_name(kind));
    const cJSON *def;
    cJSON_ArrayForEach(def, defs) {
        const char *type = contacts_json_str(def, "type"), *key = contacts_json_str(def, "key");
        bool yesno = strcmp(type, "boolean") == 0;
        if (!yesno && strcmp(type, "select") != 0) {
            continue;
        }
        const char *name = ts_psprintf(p, "custom.%s", key);
        ts_tpl_dict_t *cf = ts_tpl_section(d, "CUSTOM_FILTER");
        ts_tpl_set(cf, "CF_NAME", name);
        ts_tpl_set(cf, "CF_ID", ts_psprintf(p, "custom-%s", key));
        ts_tpl_set(cf, "CF_LABEL", ts_custom_field_label(r, def));
        const char *cur = contacts_filter(r, &lc, name);
        const cJSON *opts = cJSON_GetObjectItemCaseSensitive(def, "options");
        int n = yesno ? 3 : 1 + cJSON_GetArraySize(opts);
        for (int i = 0; i < n; i++) {
            const char *v = i == 0 ? "" : yesno ? (i == 1 ? "true" : "false")
                          : cJSON_GetStringValue(cJSON_GetArrayItem(opts, i - 1));
            if (v == NULL) {
                continue;
            }
            ts_tpl_dict_t *o = ts_tpl_section(cf, "CF_OPT");
            ts_tpl_set(o, "OPT_VALUE", v);
            ts_tpl_set(o, "OPT_LABEL", i == 0 ? "Any" : yesno ? (i == 1 ? "Yes" : "No") : v);
            if (cur != NULL && strcmp(cur, v) == 0) {
                ts_tpl_show(o, "SELECTED");
            }
        }
    }
    cJSON_Delete(defs);
    /* Saved views as tabs: all, then the team's and my own. */
    ts_tpl_dict_t *all = ts_tpl_section(d, "VIEW");
    ts_tpl_set(all, "VIEW_NAME", ts_psprintf(p, "All %s", plural));
    ts_tpl_set(all, "VIEW_HREF", ts_psprintf(p, "/%s", plural));
    if (cur_view == NULL) {
        ts_tpl_show(all, "CURRENT");
    }
    ts_db_result_t *views = ts_db_query(r, "SELECT id, name, shared, columns FROM saved_views WHERE tenant_id = {tenant}"
                                           " AND list = ? AND (owner_id = ? OR shared = 1) ORDER BY name, id"
                                           " LIMIT 50", "si", plural, r->user->id);
    for (size_t i = 0; i < ts_db_rows(views); i++) {
        ts_tpl_dict_t *v = ts_tpl_section(d, "VIEW");
        ts_tpl_set(v, "VIEW_NAME", ts_db_get(views, i, "name"));
        ts_tpl_set(v, "VIEW_HREF", ts_psprintf(p, "/%s?view=%s", plural, ts_db_get(views, i, "id")));
        if (cur_view && strcmp(cur_view, ts_db_get(views, i, "id")) == 0) {
            ts_tpl_show(v, "CURRENT");
            ts_tpl_set(d, "VIEW_COLUMNS", ts_view_columns_text(r, ts_db_get(views, i, "columns")));
        }
    }
    /* The filters now in force, for "save as view". */
    for (int i = 0; filter_names[i]; i++) {
        const char *v = contacts_filter(r, &lc, filter_names[i]);
        if (v && *v) {
            ts_tpl_dict_t *h = ts_tpl_section(d, "KEEP");
            ts_tpl_set(h, "KEEP_NAME", ts_psprintf(p, "f_%s", filter_names[i]));
            ts_tpl_set(h, "KEEP_VALUE", v);
        }
    }
    const char *cn[10], *cv[10];
    size_t nc = custom_query(r, cn, cv, 10);
    for (size_t i = 0; i < nc; i++) {
        ts_tpl_dict_t *h = ts_tpl_section(d, "KEEP");
        ts_tpl_set(h, "KEEP_NAME", "f_custom");
        ts_tpl_set(h, "KEEP_VALUE", ts_psprintf(p, "%s=%s", cn[i], cv[i]));
    }
    cJSON *fields = NULL;
    contacts_page_t pg;
    rc = contacts_list_page(r, kind, &lc, 50, ts_req_query(r, "cursor"), true, &pg, &fields);
    if (rc == 422) {
        const cJSON *e;
        cJSON_ArrayForEach(e, fields) {
            ts_tpl_set(ts_tpl_section(d, "FILTER_ERROR"), "MESSAGE",
                       ts_psprintf(p, "%s: %s", e->string, e->valuestring));
        }
        cJSON_Delete(fields);
        pg.n = 0;
        pg.total = 0;
        pg.next_cursor = NULL;
    } else if (rc != 0) {
        return TS_ERROR;
    }
    char *query = list_query(r, NULL);
    ts_tpl_set(d, "BACK", ts_psprintf(p, "/%s%s%s", plural, *query ? "?" : "", query));
    ts_tpl_set(d, "EXPORT_HREF", ts_psprintf(p, "/api/v1/%s.csv%s%s", plural, *query ? "?" : "", query));
    ts_tpl_set_int(d, "TOTAL", pg.total);
    ts_tpl_set(d, "IMPORT_HREF", ts_psprintf(p, "/imports/new?kind=%s", plural));
    const char *sort = ts_req_query(r, "sort");
    char *nosort = list_query(r, "sort");
    const char *name_col = rel ? "name" : "last_name";
    bool by_name = sort && strcmp(sort, name_col) == 0, by_name_desc = sort && sort[0] == '-' && strcmp(sort + 1, name_col) == 0;
    ts_tpl_set(d, "SORT_NAME", ts_psprintf(p, "/%s?%s%ssort=%s%s", plural, nosort, *nosort ? "&" : "",
                                           by_name ? "-" : "", name_col));
    ts_tpl_set(d, "SORT_CREATED", ts_psprintf(p, "/%s?%s%ssort=%s", plural, nosort, *nosort ? "&" : "",
                                              sort == NULL || strcmp(sort, "-created_at") == 0 ? "created_at"
                                                                                              : "-created_at"));
    ts_tpl_set(d, "ARIA_NAME", by_name ? "ascending" : by_name_desc ? "descending" : "none");
    ts_tpl_set(d, "ARIA_CREATED", sort == NULL || strcmp(sort, "-created_at") == 0 ? "descending"
                                  : strcmp(sort, "created_at") == 0 ? "ascending" : "none");
    for (size_t i = 0; i < pg.n; i++) {
        ts_tpl_dict_t *row = ts_tpl_section(d, "ROW");
        const char *id = ts_db_get(pg.rows, i, "id");
        ts_tpl_set(row, "ID", id);
        ts_tpl_set(row, "NAME", record_name(r, kind, pg.rows, i));
        ts_tpl_set(row, "HREF", ts_psprintf(p, "/%s/%s", plural, id));
        ts_tpl_set(row, "STATUS", ts_db_get(pg.rows, i, "status"));
        ts_tpl_set(row, "STATUS_LABEL", label_of(p, ts_db_get(pg.rows, i, "status")));
        ts_tpl_set(row, "SECOND", rel ? label_of(p, ts_db_get(pg.rows, i, "type"))
                                      : label_of(p, ts_db_get(pg.rows, i, "stage")));
        ts_tpl_set(row, "THIRD", rel ? or_dash(ts_db_get(pg.rows, i, "website"))
                                     : label_of(p, ts_db_get(pg.rows, i, "source")));
        ts_tpl_set(row, "CONTACT", or_dash(ts_db_get(pg.rows, i, "email") ? ts_db_get(pg.rows, i, "email")
                                                                         : ts_db_get(pg.rows, i, "phone")));
        const char *tags = ts_db_get(pg.rows, i, "tags");
        ts_tpl_set(row, "TAGS", tags ? tags : "");
        ts_tpl_set(row, "CREATED", short_date(p, ts_db_get(pg.rows, i, "created_at")));
    }
    ts_tpl_set(d, "SECOND_HEAD", rel ? "Type" : "Stage");
    ts_tpl_set(d, "THIRD_HEAD", rel ? "Website" : "Source");
    ts_tpl_set(d, "SECOND_COL", rel ? "type" : "stage");
    ts_tpl_set(d, "THIRD_COL", rel ? "website" : "source");
    ts_tpl_set(d, "COLUMNS_KEY", plural);
    if (pg.n == 0) {
        ts_tpl_show(d, "EMPTY");
    }
    if (pg.next_cursor) {
        char *q = list_query(r, NULL);
        ts_tpl_set(ts_tpl_section(d, "NEXT"), "HREF",
                   ts_psprintf(p, "/%s?%s%scursor=%s", plural, q, *q ? "&" : "", ts_url_encode(p, pg.next_cursor)));
    }
    if (ts_req_query(r, "cursor")) {
        ts_tpl_set(ts_tpl_section(d, "FIRST"), "HREF", ts_psprintf(p, "/%s%s%s", plural, *query ? "?" : "",
                                                                  list_query(r, "cursor")));
    }
    options(r, d, "BATCH_STATUS_OPT", rel ? rel_statuses : statuses, NULL, "");
    return ts_resp_page(r, 200, "contacts/list.tpl", d);
}

/* ---- forms ---- */

static const char *
form_value(ts_request_t *r, const char *name)
{
    const char *v = ts_req_form(r, name);
    return v ? v : "";
}

/* The form as the API's JSON: empty fields are left out on create, cleared on edit. */
static cJSON *
form_json(ts_request_t *r, contacts_kind_t kind, bool create)
{
    cJSON *in = cJSON_CreateObject();
    cJSON *prefs = NULL;
    for (const ui_field_t *f = form_fields; f->name; f++) {
        if (!(f->kinds & kind)) {
            continue;
        }
        const char *v = ts_req_form(r, f->name);
        if (v == NULL || (create && *v == '\0')) {
            continue;
        }
        if (f->type == UI_TAGS) {
            cJSON *a = cJSON_AddArrayToObject(in, "tags");
            char *copy = ts_pstrdup(r->pool, v), *save = NULL;
            for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                while (isspace((unsigned char) *t)) {
                    t++;
                }
                size_t l = strlen(t);
                while (l && isspace((unsigned char) t[l - 1])) {
                    t[--l] = '\0';
                }
                if (*t) {
                    cJSON_AddItemToArray(a, cJSON_CreateString(t));
                }
            }
        } else if (f->type == UI_MONEY) {
            if (prefs == NULL) {
                prefs = cJSON_AddObjectToObject(in, "preferences");
            }
            char *end;
            long long euros = strtoll(v, &end, 10);
            if (*v == '\0') {
                cJSON_AddNullToObject(prefs, f->name);
            } else if (*end == '\0' && euros >= 0 && euros < 10000000000000LL) {
                cJSON_AddNumberToObject(prefs, f->name, (double) (euros * 100));
            } else {
                cJSON_AddStringToObject(prefs, f->name, v);   /* the validator names it */
            }
        } else if (*v == '\0') {
            cJSON_AddNullToObject(in, f->name);
        } else {
            cJSON_AddStringToObject(in, f->name, v);
        }
    }
    return in;
}

/* Fills the form from the record (edit), the posted values (after an error) or defaults. */
static void
form_fields_dict(ts_request_t *r, ts_tpl_dict_t *d, contacts_kind_t kind, const cJSON *rec,
                 bool posted, const cJSON *errors, const cJSON *defs)
{
    ts_pool_t *p = r->pool;
    for (const ui_field_t *f = form_fields; f->name; f++) {
        if (!(f->kinds & kind)) {
            continue;
        }
        const char *value = "";
        if (posted) {
            value = form_value(r, f->name);
        } else if (rec) {
            const cJSON *v = f->type == UI_MONEY
                ? cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rec, "preferences"), f->name)
                : cJSON_GetObjectItemCaseSensitive(rec, f->name);
            if (cJSON_IsString(v)) {
                value = v->valuestring;
            } else if (cJSON_IsNumber(v)) {
                value = ts_psprintf(p, "%.0f", f->type == UI_MONEY ? v->valuedouble / 100 : v->valuedouble);
            } else if (cJSON_IsArray(v)) {
                const cJSON *e;
                char *t = "";
                cJSON_ArrayForEach(e, v) {
                    t = ts_psprintf(p, "%s%s%s", t, *t ? ", " : "", e->valuestring);
                }
                value = t;
            }
        }
        ts_tpl_dict_t *fd = ts_tpl_section(d, "FIELD");
        ts_tpl_set(fd, "NAME", f->name);
        ts_tpl_set(fd, "LABEL", f->label);
        const char *err = contacts_json_str(errors, f->name);
        if (err == NULL) {
            err = contacts_json_str(errors, ts_psprintf(p, "preferences.%s", f->name));
        }
        ts_tpl_dict_t *ctl;
        if (f->type == UI_SELECT) {
            ctl = ts_tpl_section(fd, "SELECT");
            options(r, ctl, "OPT", f->options, value, "—");
        } else if (f->type == UI_TEXTAREA) {
            ctl = ts_tpl_section(fd, "TEXTAREA");
            ts_tpl_set(ctl, "VALUE", value);
        } else {
            ctl = ts_tpl_section(fd, "INPUT");
            ts_tpl_set(ctl, "VALUE", value);
            ts_tpl_set(ctl, "TYPE", f->type == UI_EMAIL ? "email" : f->type == UI_TEL ? "tel"
                                    : f->type == UI_URL ? "url" : "text");
            ts_tpl_set(ctl, "MODE", f->type == UI_MONEY ? "numeric" : "text");
        }
        if (err) {
            ts_tpl_show(ctl, "INVALID");
            ts_tpl_set(ts_tpl_section(fd, "ERROR"), "MESSAGE", err);
        }
    }
    /* Errors on fields the form does not show (an unusual value posted by hand). */
    const cJSON *e;
    cJSON_ArrayForEach(e, errors) {
        bool shown = false;
        for (const ui_field_t *f = form_fields; f->name && !shown; f++) {
            shown = (f->kinds & kind) && (strcmp(e->string, f->name) == 0
                    || (strncmp(e->string, "preferences.", 12) == 0 && strcmp(e->string + 12, f->name) == 0));
        }
        const cJSON *def;
        cJSON_ArrayForEach(def, defs) {
            shown = shown || (strncmp(e->string, "custom.", 7) == 0
                              && strcmp(e->string + 7, contacts_json_str(def, "key")) == 0);
        }
        if (!shown) {
            ts_tpl_set(ts_tpl_section(d, "ERRORS"), "MESSAGE", ts_psprintf(p, "%s: %s", e->string,
                                                                           cJSON_GetStringValue(e)));
        }
    }
    if (cJSON_GetArraySize(errors) > 0) {
        ts_tpl_show(d, "HAS_ERRORS");
    }
}

static int
form_page(ts_request_t *r, int status, contacts_kind_t kind, int64_t id, const cJSON *rec,
          bool posted, const cJSON *errors)
{
    ts_pool_t *p = r->pool;
    const char *plural = contacts_kind_plural(kind);
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    ts_tpl_set(d, "TITLE", id ? ts_psprintf(p, "Edit %s", kind_label(kind, false))
                              : ts_psprintf(p, "New %s", kind_label(kind, false)));
    ts_tpl_set(d, "HEADING", id ? ts_psprintf(p, "Edit %s", kind_label(kind, false))
                                : ts_psprintf(p, "New %s", kind_label(kind, false)));
    ts_tpl_set(d, "ACTION", id ? ts_psprintf(p, "/%s/%lld", plural, (long long) id) : ts_psprintf(p, "/%s", plural));
    ts_tpl_set(d, "CANCEL", id ? ts_psprintf(p, "/%s/%lld", plural, (long long) id) : ts_psprintf(p, "/%s", plural));
    cJSON *defs = ts_custom_fields_defs(r, contacts_kind_name(kind));
    if (defs == NULL) {
        return TS_ERROR;
    }
    ts_pool_cleanup_add(p, (void (*)(void *)) cJSON_Delete, defs);
    form_fields_dict(r, d, kind, rec, posted, errors, defs);
    ts_custom_fields_form_tpl(r, d, "CUSTOM", defs, cJSON_GetObjectItemCaseSensitive(rec, "custom"),
                              posted, errors);
    return ts_resp_page(r, status, "contacts/form.tpl", d);
}

static int
ui_new(ts_request_t *r)
{
    return form_page(r, 200, contacts_kind_of_path(r), 0, NULL, false, NULL);
}

static int
ui_edit(ts_request_t *r)
{
    int64_t id;
    contacts_kind_t kind = contacts_kind_of_path(r);
    cJSON *rec = ts_req_param_id(r, "id", &id) == TS_OK ? contacts_record_json(r, kind, id) : NULL;
    if (rec == NULL) {
        return ts_resp_error(r, 404, "not_found", "no such record", NULL);
    }
    ts_pool_cleanup_add(r->pool, (void (*)(void *)) cJSON_Delete, rec);
    return form_page(r, 200, kind, id, rec, false, NULL);
}

static int
ui_save(ts_request_t *r)
{
    int64_t id = 0;
    contacts_kind_t kind = contacts_kind_of_path(r);
    if (ts_req_param(r, "id") && ts_req_param_id(r, "id", &id) != TS_OK) {
        return ts_resp_error(r, 404, "not_found", "no such record", NULL);
    }
    cJSON *in = form_json(r, kind, id == 0);
    ts_pool_cleanup_add(r->pool, (void (*)(void *)) cJSON_Delete, in);
    cJSON *defs = ts_custom_fields_defs(r, contacts_kind_name(kind));
    if (defs == NULL) {
        return TS_ERROR;
    }
    if (cJSON_GetArraySize(defs) > 0) {
        cJSON_AddItemToObject(in, "custom", ts_custom_fields_from_form(r, defs, id == 0));
    }
    cJSON_Delete(defs);
    cJSON *fields = NULL;
    int64_t out = 0;
    if (ts_db_begin(r) != TS_OK) {
        return TS_ERROR;
    }
    int rc = contacts_record_save(r, contacts_kind_name(kind), in, id, &fields, &out);
    if (rc == 0) {
        rc = contacts_custom_check(r, kind, in, out, &fields);
    }
    if (rc != 0) {
        ts_db_rollback(r);
        if (rc == 422) {
            ts_pool_cleanup_add(r->pool, (void (*)(void *)) cJSON_Delete, fields);
            return form_page(r, 422, kind, id, NULL, true, fields);
        }
        return rc == 404 ? ts_resp_error(r, 404, "not_found", "no such record", NULL) : TS_ERROR;
    }
    if (ts_db_commit(r) != TS_OK) {
        return TS_ERROR;
    }
    return ts_resp_redirect(r, ts_psprintf(r->pool, "/%s/%lld", contacts_kind_plural(kind), (long long) out));
}

/* ---- the record page ---- */

static void
detail(ts_tpl_dict_t *d, const char *label, const char *value)
{
    ts_tpl_dict_t *row = ts_tpl_section(d, "DETAIL");
    ts_tpl_set(row, "LABEL", label);
    ts_tpl_set(row, "VALUE", or_dash(value));
}

static const char *
json_text_of(ts_pool_t *p, const cJSON *v)
{
    if (v == NULL || cJSON_IsNull(v)) {
        return "—";
    }
    if (cJSON_IsString(v)) {
        return *v->valuestring ? v->valuestring : "—";
    }
    char *t = cJSON_PrintUnformatted(v);
    char *s = ts_pstrdup(p, t);
    cJSON_free(t);
    return s;
}

static int
show_page(ts_request_t *r, int status, contacts_kind_t kind, int64_t id, const cJSON *act_errors)
{
    ts_pool_t *p = r->pool;
    const char *plural = contacts_kind_plural(kind);
    cJSON *rec = contacts_record_json(r, kind, id);
    if (rec == NULL) {
        return ts_resp_error(r, 404, "not_found", "no such record", NULL);
    }
    ts_pool_cleanup_add(p, (void (*)(void *)) cJSON_Delete, rec);
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    const char *name;
    if (kind == CONTACTS_RELATION) {
        name = contacts_json_str(rec, "name");
    } else {
        const char *f = contacts_json_str(rec, "first_name"), *l = contacts_json_str(rec, "last_name");
        name = ts_psprintf(p, "%s%s%s", f ? f : "", f && *f && l && *l ? " " : "", l ? l : "");
        if (*name == '\0') {
            name = or_dash(contacts_json_str(rec, "company"));
        }
    }
    ts_tpl_set(d, "TITLE", name);
    ts_tpl_set(d, "NAME", name);
    ts_tpl_set(d, "KIND_LABEL", kind_label(kind, false));
    ts_tpl_set(d, "STATUS", contacts_json_str(rec, "status"));
    ts_tpl_set(d, "STATUS_LABEL", label_of(p, contacts_json_str(rec, "status")));
    ts_tpl_set_int(d, "ID", id);
    ts_tpl_set(d, "SELF", ts_psprintf(p, "/%s/%lld", plural, (long long) id));
    ts_tpl_set(d, "LIST_HREF", ts_psprintf(p, "/%s", plural));
    ts_tpl_set(d, "PLURAL_LABEL", kind_label(kind, true));
    if (r->user->role >= TS_ROLE_AGENT) {
        ts_tpl_dict_t *ce = ts_tpl_section(d, "CAN_EDIT");
        if (kind == CONTACTS_LEAD) {
            ts_tpl_show(ce, "CAN_CONVERT");
        }
        static const char *const roles[] = { "buyer", "seller", "tenant", "landlord", "lawyer", "notary",
                                             "architect", "agent", "accountant", "other", NULL };
        const char *type = contacts_json_str(rec, "type");
        options(r, ce, "ROLE_OPT", roles, type && strcmp(type, "owner") == 0 ? "seller" : "buyer", "");
    }
    if (kind != CONTACTS_RELATION) {
        ts_tpl_set(ts_tpl_section(d, "VCARD"), "HREF", ts_psprintf(p, "/api/v1/%s/%lld/vcard", plural, (long long) id));
    }
    cJSON *dups = contacts_duplicates(r, kind, contacts_json_str(rec, "email"), contacts_json_str(rec, "phone"), id);
    const cJSON *e;
    cJSON_ArrayForEach(e, dups) {
        ts_tpl_dict_t *dd = ts_tpl_section(d, "DUPLICATE");
        ts_tpl_set(dd, "DUP_NAME", contacts_json_str(e, "name"));
        ts_tpl_set(dd, "DUP_HREF", contacts_json_str(e, "page"));
        ts_tpl_set(dd, "DUP_MATCH", contacts_json_str(e, "match"));
        const char *dk = contacts_json_str(e, "kind");
        /* Persons merge with persons, relations with relations. */
        if (r->user->role >= TS_ROLE_AGENT && dk && (kind == CONTACTS_RELATION) == (strcmp(dk, "relation") == 0)) {
            ts_tpl_dict_t *m = ts_tpl_section(dd, "MERGE");
            ts_tpl_set(m, "MERGE_ACTION", ts_psprintf(p, "/%s/%lld/merge", plural, (long long) id));
            ts_tpl_set_int(m, "SOURCE_ID", (long long) cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(e, "id")));
        }
    }
    if (cJSON_GetArraySize(dups) > 0) {
        ts_tpl_show(d, "HAS_DUPLICATES");
    }
    cJSON_Delete(dups);
    detail(d, "Email", contacts_json_str(rec, "email"));
    detail(d, "Phone", contacts_json_str(rec, "phone"));
    if (kind == CONTACTS_RELATION) {
        detail(d, "Type", label_of(p, contacts_json_str(rec, "type")));
        detail(d, "Website", contacts_json_str(rec, "website"));
    } else {
        detail(d, "Company", contacts_json_str(rec, "company"));
        detail(d, "Type", label_of(p, contacts_json_str(rec, "type")));
        detail(d, "Source", label_of(p, contacts_json_str(rec, "source")));
        detail(d, "Stage", label_of(p, contacts_json_str(rec, "stage")));
        detail(d, "Language", contacts_json_str(rec, "language"));
        const cJSON *pr = cJSON_GetObjectItemCaseSensitive(rec, "preferences");
        const cJSON *lo = cJSON_GetObjectItemCaseSensitive(pr, "budget_min");
        const cJSON *hi = cJSON_GetObjectItemCaseSensitive(pr, "budget_max");
        if (cJSON_IsNumber(lo) || cJSON_IsNumber(hi)) {
            detail(d, "Budget", ts_psprintf(p, "€%s – €%s",
                   cJSON_IsNumber(lo) ? ts_psprintf(p, "%.0f", lo->valuedouble / 100) : "…",
                   cJSON_IsNumber(hi) ? ts_psprintf(p, "%.0f", hi->valuedouble / 100) : "…"));
        }
        detail(d, "Roles", json_text_of(p, cJSON_GetObjectItemCaseSensitive(rec, "roles")));
    }
    detail(d, "Tags", json_text_of(p, cJSON_GetObjectItemCaseSensitive(rec, "tags")));
    detail(d, "Notes", contacts_json_str(rec, "notes"));
    cJSON *defs = ts_custom_fields_defs(r, contacts_kind_name(kind));
    const cJSON *custom = cJSON_GetObjectItemCaseSensitive(rec, "custom");
    cJSON_ArrayForEach(e, defs) {
        detail(d, ts_custom_field_label(r, e),
               ts_custom_field_text(r, e, cJSON_GetObjectItemCaseSensitive(custom, contacts_json_str(e, "key"))));
    }
    cJSON_Delete(defs);
    detail(d, "Created", contacts_json_str(rec, "created_at"));
    /* The timeline: activities and field changes, newest first. */
    cJSON *tl = contacts_timeline(r, kind, id);
    if (tl != NULL) {
        ts_pool_cleanup_add(p, (void (*)(void *)) cJSON_Delete, tl);
    }
    cJSON_ArrayForEach(e, tl) {
        ts_tpl_dict_t *it = ts_tpl_section(d, "EVENT");
        const char *type = contacts_json_str(e, "type"), *what = contacts_json_str(e, "what");
        bool change = type && strcmp(type, "change") == 0;
        ts_tpl_set(it, "WHEN", or_dash(contacts_json_str(e, "at")));
        ts_tpl_set(it, "WHAT", change ? ts_psprintf(p, "%s", label_of(p, what)) : label_of(p, what));
        ts_tpl_set(it, "EVENT_KIND", change ? "change" : or_dash(what));
        ts_tpl_set(it, "SUBJECT", contacts_json_str(e, "subject") ? contacts_json_str(e, "subject") : "");
        ts_tpl_set(it, "BODY", contacts_json_str(e, "body") ? contacts_json_str(e, "body") : "");
        ts_tpl_set(it, "WHO", or_dash(contacts_json_str(e, "user_name")));
        const char *due = contacts_json_str(e, "due_at");
        if (due) {
            ts_tpl_set(ts_tpl_section(it, "DUE"), "DUE_AT", due);
        }
        const cJSON *ch;
        cJSON_ArrayForEach(ch, cJSON_GetObjectItemCaseSensitive(e, "changes")) {
            ts_tpl_dict_t *c = ts_tpl_section(it, "CHANGE");
            ts_tpl_set(c, "FIELD", ch->string);
            ts_tpl_set(c, "OLD", json_text_of(p, cJSON_GetArrayItem(ch, 0)));
            ts_tpl_set(c, "NEW", json_text_of(p, cJSON_IsArray(ch) ? cJSON_GetArrayItem(ch, 1) : ch));
        }
    }
    if (cJSON_GetArraySize(tl) == 0) {
        ts_tpl_show(d, "NO_EVENTS");
    }
    cJSON_ArrayForEach(e, act_errors) {
        ts_tpl_set(ts_tpl_section(d, "ACT_ERROR"), "MESSAGE", ts_psprintf(p, "%s: %s", e->string,
                                                                          cJSON_GetStringValue(e)));
    }
    return ts_resp_page(r, status, "contacts/show.tpl", d);
}

static int
ui_show(ts_request_t *r)
{
    int64_t id;
    if (ts_req_param_id(r, "id", &id) != TS_OK) {
        return ts_resp_error(r, 404, "not_found", "no such record", NULL);
    }
    return show_page(r, 200, contacts_kind_of_path(r), id, NULL);
}

/* Quick actions: log a call, add a note, add a task (due as a local datetime input, taken as UTC). */
static int
ui_activity(ts_request_t *r)
{
    int64_t id;
    contacts_kind_t kind = contacts_kind_of_path(r);
    if (ts_req_param_id(r, "id", &id) != TS_OK) {
        return ts_resp_error(r, 404, "not_found", "no such record", NULL);
    }
    cJSON *in = cJSON_CreateObject();
    ts_pool_cleanup_add(r->pool, (void (*)(void *)) cJSON_Delete, in);
    cJSON_AddStringToObject(in, "entity", contacts_kind_name(kind));
    cJSON_AddNumberToObject(in, "entity_id", (double) id);
    static const char *const keys[] = { "kind", "subject", "body", "direction", NULL };
    for (int i = 0; keys[i]; i++) {
        const char *v = ts_req_form(r, keys[i]);
        if (v && *v) {
            cJSON_AddStringToObject(in, keys[i], v);
        }
    }
    const char *due = ts_req_form(r, "due_at");
    if (due && *due) {
        cJSON_AddStringToObject(in, "due_at", strlen(due) == 16 ? ts_psprintf(r->pool, "%s:00Z", due) : due);
    }
    cJSON *fields = NULL;
    int64_t out;
    if (ts_db_begin(r) != TS_OK) {
        return TS_ERROR;
    }
    int rc = contacts_activity_add(r, in, &fields, &out);
    if (rc != 0) {
        ts_db_rollback(r);
        if (rc == 422) {
            ts_pool_cleanup_add(r->pool, (void (*)(void *)) cJSON_Delete, fields);
            return show_page(r, 422, kind, id, fields);
        }
        return rc == 404 ? ts_resp_error(r, 404, "not_found", "no such record", NULL) : TS_ERROR;
    }
    if (ts_db_commit(r) != TS_OK) {
        return TS_ERROR;
    }
    return ts_resp_redirect(r, ts_psprintf(r->pool, "/%s/%lld", contacts_kind_plural(kind), (long long) id));
}

static int
ui_convert(ts_request_t *r)
{
    int64_t id;
    if (ts_req_param_id(r, "id", &id) != TS_OK || !contacts_record_visible(r, CONTACTS_LEAD, id)) {
        return ts_resp_error(r, 404, "not_found", "no such lead", NULL);
    }
    const char *role = ts_req_form(r, "role");
    cJSON *fields = NULL;
    if (ts_db_begin(r) != TS_OK) {
        return TS_ERROR;
    }
    int rc = contacts_convert(r, id, role && *role ? role : NULL, &fields);
    if (rc != 0) {
        ts_db_rollback(r);
        cJSON_Delete(fields);
        return rc == 422 ? ts_resp_error(r, 422, "validation_failed", "unknown role", NULL) : TS_ERROR;
    }
    if (ts_db_commit(r) != TS_OK) {
        return TS_ERROR;
    }
    /* "and create a deal" without JavaScript: the deals plugin's form for this
     * contact (lead_convert.js creates the deal itself). */
    const char *deal = ts_req_form(r, "create_deal");
    return ts_resp_redirect(r, ts_psprintf(r->pool, deal && *deal ? "/deals/new?contact=%lld"
                                           : "/contacts/%lld", (long long) id));
}

/* Merges the duplicate given as source_id into this record, as the API does. */
static int
ui_merge(ts_request_t *r)
{
    int64_t id;
    contacts_kind_t kind = contacts_kind_of_path(r);
    const char *src = ts_req_form(r, "source_id");
    char *end = NULL;
    long long source = src ? strtoll(src, &end, 10) : 0;
    if (ts_req_param_id(r, "id", &id) != TS_OK || !contacts_record_visible(r, kind, id)) {
        return ts_resp_error(r, 404, "not_found", "no such record", NULL);
    }
    bool relation = kind == CONTACTS_RELATION;
    if (source < 1 || *end != '\0' || source == id
        || !(relation ? contacts_record_visible(r, CONTACTS_RELATION, source)
                      : contacts_record_visible(r, CONTACTS_LEAD, source)
                        || contacts_record_visible(r, CONTACTS_CONTACT, source))) {
        return ts_resp_error(r, 422, "validation_failed", "no such duplicate to merge", NULL);
    }
    if (ts_db_begin(r) != TS_OK) {
        return TS_ERROR;
    }
    if ((relation ? contacts_merge_relation(r, id, source) : contacts_merge(r, id, source)) != TS_OK) {
        ts_db_rollback(r);
        return TS_ERROR;
    }
    if (ts_db_commit(r) != TS_OK) {
        return TS_ERROR;
    }
    return ts_resp_redirect(r, ts_psprintf(r->pool, "/%s/%lld", contacts_kind_plural(kind), (long long) id));
}

/* The list page's query the form came from, if it is one of ours. */
static const char *
back_to(ts_request_t *r, const char *plural)
{
    const char *b = ts_req_form(r, "back");
    size_t n = strlen(plural);
    if (b && b[0] == '/' && strncmp(b + 1, plural, n) == 0 && (b[n + 1] == '\0' || b[n + 1] == '?')) {
        return b;
    }
    return ts_psprintf(r->pool, "/%s", plural);
}

static int
ui_save_view(ts_request_t *r)
{
    contacts_kind_t kind = contacts_kind_of_path(r);
    const char *plural = contacts_kind_plural(kind);
    cJSON *in = cJSON_CreateObject();
    ts_pool_cleanup_add(r->pool, (void (*)(void *)) cJSON_Delete, in);
    cJSON_AddStringToObject(in, "list", plural);
    cJSON_AddStringToObject(in, "name", form_value(r, "name"));
    cJSON_AddBoolToObject(in, "shared", strcmp(form_value(r, "shared"), "1") == 0);
    cJSON *filters = cJSON_AddObjectToObject(in, "filters");
    for (int i = 0; filter_names[i]; i++) {
        const char *v = ts_req_form(r, ts_psprintf(r->pool, "f_%s", filter_names[i]));
        if (v && *v) {
            cJSON_AddStringToObject(filters, filter_names[i], v);
        }
    }
    custom_filters_of_form(r, filters);
    /* The column chooser's choice, "name,status,...": the view keeps it. */
    const char *cols = form_value(r, "columns");
    if (*cols) {
        cJSON *ca = cJSON_AddArrayToObject(in, "columns");
        char *t = ts_pstrdup(r->pool, cols);
        while (t && *t) {
            char *comma = strchr(t, ',');
            if (comma) {
                *comma = '\0';
            }
            if (*t) {
                cJSON_AddItemToArray(ca, cJSON_CreateString(t));
            }
            t = comma ? comma + 1 : NULL;
        }
    }
    cJSON *fields = NULL;
    int64_t id;
    int rc = contacts_view_create(r, in, &fields, &id);
    if (rc == 422) {
        const cJSON *e = fields ? fields->child : NULL;
        const char *msg = e ? ts_psprintf(r->pool, "The view was not saved: %s %s", e->string,
                                          cJSON_GetStringValue(e)) : "The view was not saved";
        cJSON_Delete(fields);
        return ts_resp_error(r, 422, "validation_failed", msg, NULL);
    }
    if (rc != 0) {
        return TS_ERROR;
    }
    return ts_resp_redirect(r, ts_psprintf(r->pool, "/%s?view=%lld", plural, (long long) id));
}

static int
ui_batch(ts_request_t *r)
{
    contacts_kind_t kind = contacts_kind_of_path(r);
    const char *plural = contacts_kind_plural(kind);
    const char *vals[500];
    size_t n = ts_req_form_values(r, "id", vals, 500);
    if (n > 500) {
        n = 500;
    }
    int64_t *ids = ts_palloc(r->pool, sizeof(int64_t) * (n + 1));
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char *end;
        long long v = strtoll(vals[i], &end, 10);
        if (*end == '\0' && v > 0) {
            ids[k++] = v;
        }
    }
    const char *action = form_value(r, "action");
    static const char *const actions[] = { "set_status", "add_tag", "remove_tag", "delete", "assign_me", NULL };
    if (!contacts_enum_has(actions, action)) {
        return ts_resp_error(r, 422, "validation_failed", "choose an action", NULL);
    }
    cJSON *in = cJSON_CreateObject();
    ts_pool_cleanup_add(r->pool, (void (*)(void *)) cJSON_Delete, in);
    cJSON_AddStringToObject(in, "status", form_value(r, "status"));
    cJSON_AddStringToObject(in, "tag", form_value(r, "tag"));
    cJSON_AddNumberToObject(in, "agent_id", (double) r->user->id);
    if (strstr(action, "tag") && (*form_value(r, "tag") == '\0' || strchr(form_value(r, "tag"), ','))) {
        return ts_resp_error(r, 422, "validation_failed", "a tag without commas is required", NULL);
    }
    cJSON *fields = NULL;
    if (strcmp(form_value(r, "scope"), "filter") == 0) {
        /* "All matching the filter": the list's filters come back as f_* fields. */
        cJSON *filters = cJSON_AddObjectToObject(in, "filter");
        for (int i = 0; filter_names[i]; i++) {
            const char *v = ts_req_form(r, ts_psprintf(r->pool, "f_%s", filter_names[i]));
            if (v && *v) {
                cJSON_AddStringToObject(filters, filter_names[i], v);
            }
        }
        custom_filters_of_form(r, filters);
        contacts_listctx_t lc = { .filters = filters, .ignore_query = true };
        size_t nf = 0;
        int lrc = contacts_list_ids(r, kind, &lc, UI_BATCH_FILTER_MAX, &ids, &nf, &fields);
        if (lrc == 422) {
            /* An invalid filter, or one that selects more than the batch limit. */
            const cJSON *e = fields ? fields->child : NULL;
            const char *msg = ts_psprintf(r->pool, "Nothing was changed: %s %s", e ? e->string : "filter",
                                          e && cJSON_IsString(e) ? e->valuestring : "is not valid");
            cJSON_Delete(fields);
            return ts_resp_error(r, 422, "validation_failed", msg, NULL);
        }
        if (lrc != 0) {
            return TS_ERROR;
        }
        k = nf;
    }
    long long count;
    if (ts_db_begin(r) != TS_OK) {
        return TS_ERROR;
    }
    int rc = contacts_batch_apply(r, kind, strcmp(action, "assign_me") == 0 ? "assign" : action, in,
                                  ids, k, &count, &fields);
    if (rc != 0) {
        ts_db_rollback(r);
        const cJSON *e = fields ? fields->child : NULL;
        const char *msg = e ? ts_psprintf(r->pool, "Nothing was changed: %s %s", e->string,
                                          cJSON_GetStringValue(e)) : "Nothing was changed";
        cJSON_Delete(fields);
        return rc == 422 ? ts_resp_error(r, 422, "validation_failed", msg, NULL) : TS_ERROR;
    }
    if (ts_db_commit(r) != TS_OK) {
        return TS_ERROR;
    }
    return ts_resp_redirect(r, back_to(r, plural));
}

/* ---- my tasks ---- */

static int
ui_tasks(ts_request_t *r)
{
    ts_db_result_t *res = contacts_my_tasks(r);
    if (res == NULL) {
        return TS_ERROR;
    }
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    ts_tpl_set(d, "TITLE", "My tasks");
    static const char *const buckets[] = { "overdue", "today", "upcoming" };
    static const char *const titles[] = { "Overdue", "Today", "Upcoming" };
    for (int b = 0; b < 3; b++) {
        ts_tpl_dict_t *g = ts_tpl_section(d, "BUCKET");
        ts_tpl_set(g, "BUCKET_TITLE", titles[b]);
        ts_tpl_set(g, "BUCKET_ID", buckets[b]);
        size_t count = 0;
        for (size_t i = 0; i < ts_db_rows(res); i++) {
            if (strcmp(ts_db_get(res, i, "bucket"), buckets[b]) != 0) {
                continue;
            }
            count++;
            ts_tpl_dict_t *t = ts_tpl_section(g, "TASK");
            ts_tpl_set(t, "TASK_ID", ts_db_get(res, i, "id"));
            ts_tpl_set(t, "SUBJECT", ts_db_get(res, i, "subject"));
            ts_tpl_set(t, "DUE", ts_db_get(res, i, "due_at"));
            const char *ent = ts_db_get(res, i, "entity"), *kind = ts_db_get(res, i, "record_kind");
            const char *plural = strcmp(ent, "relation") == 0 ? "relations"
                               : kind && strcmp(kind, "contact") == 0 ? "contacts" : "leads";
            ts_tpl_set(t, "RECORD", or_dash(ts_db_get(res, i, "record_name")));
            ts_tpl_set(t, "RECORD_HREF", ts_psprintf(r->pool, "/%s/%s", plural, ts_db_get(res, i, "entity_id")));
        }
        ts_tpl_set_int(g, "COUNT", (long long) count);
        if (count == 0) {
            ts_tpl_show(g, "NONE");
        }
    }
    return ts_resp_page(r, 200, "contacts/tasks.tpl", d);
}

static int
ui_task_done(ts_request_t *r)
{
    int64_t id;
    if (ts_req_param_id(r, "id", &id) != TS_OK) {
        return ts_resp_error(r, 404, "not_found", "no such task", NULL);
    }
    if (ts_db_exec(r, "UPDATE activities SET done_at = COALESCE(done_at, UTC_TIMESTAMP()) WHERE"
                      " tenant_id = {tenant} AND id = ? AND kind = 'task' AND assigned_to = ?", "ii",
                   id, r->user->id) != TS_OK) {
        return TS_ERROR;
    }
    return ts_resp_redirect(r, "/tasks");
}

int
contacts_ui_routes(ts_plugin_ctx_t *ctx)
{
    static const char *const colls[] = { "/leads", "/contacts", "/relations" };
    const unsigned H = TS_ROUTE_HTML;
    for (int i = 0; i < 3; i++) {
        char path[64];
#define ROUTE(m, suffix, h, role)                                                  \
        snprintf(path, sizeof(path), "%s%s", colls[i], suffix);                    \
        if (ts_route_add_ex(ctx, m, path, h, H, role) != TS_OK) {                  \
            return TS_ERROR;                                                       \
        }
        ROUTE(TS_GET, "", ui_list, TS_ROLE_VIEWER);
        ROUTE(TS_POST, "", ui_save, TS_ROLE_AGENT);
        ROUTE(TS_GET, "/new", ui_new, TS_ROLE_AGENT);
        ROUTE(TS_POST, "/views", ui_save_view, TS_ROLE_VIEWER);
        ROUTE(TS_POST, "/batch", ui_batch, TS_ROLE_AGENT);
        ROUTE(TS_GET, "/{id}", ui_show, TS_ROLE_VIEWER);
        ROUTE(TS_POST, "/{id}", ui_save, TS_ROLE_AGENT);
        ROUTE(TS_GET, "/{id}/edit", ui_edit, TS_ROLE_AGENT);
        ROUTE(TS_POST, "/{id}/activities", ui_activity, TS_ROLE_AGENT);
#undef ROUTE
    }
    if (ts_route_add_ex(ctx, TS_POST, "/leads/{id}/convert", ui_convert, H, TS_ROLE_AGENT) != TS_OK
        || ts_route_add_ex(ctx, TS_POST, "/leads/{id}/merge", ui_merge, H, TS_ROLE_AGENT) != TS_OK
        || ts_route_add_ex(ctx, TS_POST, "/contacts/{id}/merge", ui_merge, H, TS_ROLE_AGENT) != TS_OK
        || ts_route_add_ex(ctx, TS_POST, "/relations/{id}/merge", ui_merge, H, TS_ROLE_AGENT) != TS_OK
        || ts_route_add_ex(ctx, TS_GET, "/tasks", ui_tasks, H, TS_ROLE_VIEWER) != TS_OK
        || ts_route_add_ex(ctx, TS_POST, "/tasks/{id}/done", ui_task_done, H, TS_ROLE_AGENT) != TS_OK) {
        return TS_ERROR;
    }
    return TS_OK;
}

/* The properties pages: the list with filters, saved views and batch
 * actions, the map, the record page (gallery, descriptions, publications,
 * matches, timeline), the edit form, the MLS status check and a lead's
 * matches. Pages read without JavaScript; properties.js adds the actions,
 * which go through the JSON API. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "properties.h"

/* Every scalar of o as KEY (upper case) in d; null shows as an em dash. */
static void
dict_from(ts_request_t *r, ts_tpl_dict_t *d, const cJSON *o)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, o) {
        char key[64];
        size_t n = 0;
        for (const char *c = e->string; *c && n + 1 < sizeof(key); c++) {
            key[n++] = (char) (*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
        }
        key[n] = '\0';
        if (cJSON_IsString(e)) {
            ts_tpl_set(d, key, e->valuestring);
        } else if (cJSON_IsNumber(e)) {
            ts_tpl_set(d, key, e->valuedouble == (double) (long long) e->valuedouble
                                   ? ts_psprintf(r->pool, "%lld", (long long) e->valuedouble)
                                   : ts_psprintf(r->pool, "%.6g", e->valuedouble));
        } else if (cJSON_IsTrue(e)) {
            ts_tpl_set(d, key, "yes");
            ts_tpl_show(d, ts_psprintf(r->pool, "IS_%s", key));
        } else if (cJSON_IsFalse(e)) {
            ts_tpl_set(d, key, "no");
        } else if (cJSON_IsNull(e)) {
            ts_tpl_set(d, key, "—");
        }
    }
}

/* 35000000 EUR → "350,000 EUR". */
static const char *
money(ts_request_t *r, const cJSON *price, const cJSON *currency)
{
    if (!cJSON_IsNumber(price)) {
        return "—";
    }
    long long units = (long long) price->valuedouble / 100;
    char digits[32], out[48];
    snprintf(digits, sizeof(digits), "%lld", units);
    size_t n = strlen(digits), o = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0) {
            out[o++] = ',';
        }
        out[o++] = digits[i];
    }
    out[o] = '\0';
    const char *cur = cJSON_GetStringValue(currency);
    return ts_psprintf(r->pool, "%s %s", out, cur ? cur : "");
}

static const char *
jstr(const cJSON *o, const char *k)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static const char *const status_labels[][2] = {
    { "draft", "Draft" }, { "in_progress", "In progress" },
    { "pending_approval", "Pending approval" }, { "active", "Active" },
    { "under_offer", "Under offer" }, { "negotiating", "Negotiating" },
    { "reserved", "Reserved" }, { "under_contract", "Under contract" }, { "sold", "Sold" },
    { "rented", "Rented" }, { "open_house", "Open house" }, { "key_ready", "Key ready" },
    { "under_construction", "Under construction" }, { "off_market", "Off market" },
    { "cancelled", "Cancelled" }, { "removed_by_feed", "Removed by feed" },
};

static void
status_options(ts_tpl_dict_t *d, const char *section, const char *current, bool any)
{
    if (any) {
        ts_tpl_dict_t *o = ts_tpl_section(d, section);
        ts_tpl_set(o, "VALUE", "");
        ts_tpl_set(o, "LABEL", "Any status");
    }
    for (size_t i = 0; i < sizeof(status_labels) / sizeof(status_labels[0]); i++) {
        ts_tpl_dict_t *o = ts_tpl_section(d, section);
        ts_tpl_set(o, "VALUE", status_labels[i][0]);
        ts_tpl_set(o, "LABEL", status_labels[i][1]);
        if (current && strcmp(current, status_labels[i][0]) == 0) {
            ts_tpl_show(o, "SELECTED");
        }
    }
}

/* The current query with one parameter replaced (or dropped when v is NULL). */
static const char *
query_with(ts_request_t *r, const char *name, const char *v)
{
    static const char *const keep[] = { "q", "status", "type", "town", "area", "incomplete",
                                        "missing", "mls_check", "label", "view", "sort",
                                        "portal", "agent_id", "deleted", "project_id", NULL };
    char *out = ts_pstrdup(r->pool, "");
    for (int i = 0; keep[i]; i++) {
        const char *val = strcmp(keep[i], name) == 0 ? v : ts_req_query(r, keep[i]);
        if (val && *val) {
            out = ts_psprintf(r->pool, "%s%s%s=%s", out, *out ? "&" : "", keep[i], val);
        }
    }
    if (strcmp(name, "cursor") == 0 && v) {
        out = ts_psprintf(r->pool, "%s%scursor=%s", out, *out ? "&" : "", v);
    }
    return out;
}

/* The batch bar for managers: delete on the live list; undo delete and (for
 * admins) delete for good on the deleted one. Without a saved view the bar
 * may also act on every property of the filter (the filter as JSON). */
static void
batch_bar(ts_request_t *r, ts_tpl_dict_t *d, long long total)
{
    const char *deleted = ts_req_query(r, "deleted");
    bool in_bin = deleted && strcmp(deleted, "1") == 0;
    if (in_bin) {
        ts_tpl_show(d, "DELETED_VIEW");
    }
    if (r->user->role < TS_ROLE_MANAGER) {
        return;
    }
    ts_tpl_dict_t *bar = ts_tpl_section(d, "MAY_BATCH");
    ts_tpl_set_int(bar, "BATCH_TOTAL", total);
    ts_tpl_show(bar, in_bin ? "BIN" : "LIVE");
    if (in_bin && r->user->role >= TS_ROLE_ADMIN) {
        ts_tpl_show(bar, "MAY_HARD");
    }
    if (ts_req_query(r, "view") == NULL && total > 0) {
        static const char *const names[] = { "q", "status", "type", "town", "area", "incomplete",
                                             "missing", "mls_check", "label", "portal",
                                             "agent_id", "project_id", NULL };
        cJSON *f = cJSON_CreateObject();
        for (int i = 0; names[i]; i++) {
            const char *v = ts_req_query(r, names[i]);
            if (v && *v) {
                cJSON_AddStringToObject(f, names[i], v);
            }
        }
        char *txt = cJSON_PrintUnformatted(f);
        ts_tpl_dict_t *scope = ts_tpl_section(bar, "FILTER_SCOPE");
        ts_tpl_set(scope, "FILTER_JSON", txt);
        ts_tpl_set_int(scope, "COUNT", total);
        cJSON_free(txt);
        cJSON_Delete(f);
    }
}

int
properties_page_list(ts_request_t *r)
{
    properties_page_t pg;
    int rc = properties_list_query(r, &pg);
    if (rc != TS_OK) {
        return rc;
    }
    ts_pool_cleanup_add(r->pool, (void (*)(void *)) cJSON_Delete, pg.items);
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    ts_tpl_set(d, "TITLE", "Properties");
    ts_tpl_set_int(d, "TOTAL", pg.total);
    ts_tpl_set(d, "Q", ts_req_query(r, "q") ? ts_req_query(r, "q") : "");
    ts_tpl_set(d, "TOWN", ts_req_query(r, "town") ? ts_req_query(r, "town") : "");
    ts_tpl_set(d, "MAP_QUERY", query_with(r, "cursor", NULL));
    if (ts_req_query(r, "incomplete")) {
        ts_tpl_show(d, "INCOMPLETE_ON");
    }
    batch_bar(r, d, pg.total);
    properties_list_project(r, d);
    status_options(d, "STATUS_OPT", ts_req_query(r, "status"), true);
    /* Saved views as tabs: the built-in ones, then the caller's and shared. */
    static const char *const builtin[][2] = {
        { "All", "/properties" }, { "Active", "/properties?status=active" },
        { "MLS status check", "/properties?mls_check=1" },
        { "Incomplete", "/properties?incomplete=1&status=active" },
        { "Deleted", "/properties?deleted=1" },
    };
    for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++) {
        ts_tpl_dict_t *v = ts_tpl_section(d, "VIEW");
        ts_tpl_set(v, "NAME", builtin[i][0]);
        ts_tpl_set(v, "HREF", builtin[i][1]);
    }
    ts_db_result_t *views = ts_db_query(r, "SELECT id, name FROM saved_views WHERE"
                                           " tenant_id = {tenant} AND list = 'properties' AND"
                                           " (owner_id = ? OR shared = 1) ORDER BY name LIMIT 20",
                                        "i", r->user->id);
    for (size_t i = 0; i < ts_db_rows(views); i++) {
        ts_tpl_dict_t *v = ts_tpl_section(d, "VIEW");
        ts_tpl_set(v, "NAME", ts_db_get(views, i, "name"));
        ts_tpl_set(v, "HREF", ts_psprintf(r->pool, "/properties?view=%s", ts_db_get(views, i, "id")));
    }
    static const char *const sortable[] = { "ref", "price", "published_at", "web_views",
                                            "lead_count", "completeness", NULL };
    for (int i = 0; sortable[i]; i++) {
        bool cur = strcmp(pg.sort, sortable[i]) == 0;
        char key[32];
        snprintf(key, sizeof(key), "SORT_%s", sortable[i]);
        for (char *k = key; *k; k++) {
            *k = (char) (*k >= 'a' && *k <= 'z' ? *k - 32 : *k);
        }
        ts_tpl_set(d, key, ts_psprintf(r->pool, "/properties?%s", query_with(r, "sort",
                   ts_psprintf(r->pool, "%s%s", cur && !pg.desc ? "-" : "", sortable[i]))));
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, pg.items) {
        ts_tpl_dict_t *row = ts_tpl_section(d, "PROPERTY");
        dict_from(r, row, e);
        ts_tpl_set(row, "PRICE", money(r, cJSON_GetObjectItemCaseSensitive(e, "price"),
                                       cJSON_GetObjectItemCaseSensitive(e, "currency")));
        const cJSON *portals = cJSON_GetObjectItemCaseSensitive(e, "portals"), *pe;
        char *list = ts_pstrdup(r->pool, "");
        cJSON_ArrayForEach(pe, portals) {
            list = ts_psprintf(r->pool, "%s%s%s", list, *list ? ", " : "", pe->valuestring);
        }
        ts_tpl_set(row, "PORTALS", *list ? list : "—");
        const char *pub = jstr(e, "published_at");
        ts_tpl_set(row, "PUBLISHED", pub ? ts_pstrndup(r->pool, pub, 10) : "—");
        const char *title = jstr(e, "title");
        ts_tpl_set(row, "TITLE_TEXT", title ? title : "");
        /* A deleted listing has no page to link to. */
        ts_tpl_show(row, jstr(e, "deleted_at") ? "GONE" : "LINKED");
    }
    if (cJSON_GetArraySize(pg.items) == 0) {
        ts_tpl_show(d, "EMPTY");
    }
    if (pg.next) {
        ts_tpl_set(ts_tpl_section(d, "NEXT"), "HREF",
                   ts_psprintf(r->pool, "/properties?%s", query_with(r, "cursor", pg.next)));
    }
    return ts_resp_page(r, 200, "properties_list.tpl", d);
}

int
properties_page_map(ts_request_t *r)
{
    properties_settings_t s;
    if (properties_settings_get(r, &s, false) != TS_OK) {
        return TS_ERROR;
    }
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    ts_tpl_set(d, "TITLE", "Map of properties");
    ts_tpl_set(d, "TILES", s.map_tile_url);
    ts_tpl_set(d, "POINTS", ts_psprintf(r->pool, "/api/v1/properties/map?%s",
                                        query_with(r, "cursor", NULL)));
    ts_tpl_set(d, "LIST", ts_psprintf(r->pool, "/properties?%s", query_with(r, "cursor", NULL)));
    return ts_resp_page(r, 200, "properties_map.tpl", d);
}

/* The property types (English labels) as options of section, current chosen. */
void
properties_tpl_types(ts_request_t *r, ts_tpl_dict_t *d, const char *section, const char *current)
{
    ts_db_result_t *types = ts_db_query(r, "SELECT t.code, COALESCE((SELECT l.label FROM"
        " property_type_labels l WHERE l.tenant_id IN (0, {tenant}) AND l.code = t.code AND"
        " l.lang = 'en' ORDER BY l.tenant_id DESC LIMIT 1), t.code) AS label FROM property_types t"
        " WHERE t.tenant_id IN (0, {tenant}) ORDER BY t.position, t.code", "");
    for (size_t i = 0; i < ts_db_rows(types); i++) {
        ts_tpl_dict_t *o = ts_tpl_section(d, section);
        ts_tpl_set(o, "VALUE", ts_db_get(types, i, "code"));
        ts_tpl_set(o, "LABEL", ts_db_get(types, i, "label"));
        if (current && strcmp(current, ts_db_get(types, i, "code")) == 0) {
            ts_tpl_show(o, "SELECTED");
        }
    }
}

void
properties_tpl_fields(ts_request_t *r, ts_tpl_dict_t *d, const cJSON *o)
{
    dict_from(r, d, o);
}

const char *
properties_tpl_money(ts_request_t *r, const cJSON *price, const cJSON *currency)
{
    return money(r, price, currency);
}

static void
types_and_more(ts_request_t *r, ts_tpl_dict_t *d, const cJSON *p)
{
    properties_tpl_types(r, d, "TYPE_OPT", p ? jstr(p, "type") : NULL);
    static const char *const tx[][2] = { { "sale", "Sale" }, { "long_term_rent", "Long-term rent" },
                                         { "holiday_rent", "Holiday rent" } };
    for (size_t i = 0; i < 3; i++) {
        ts_tpl_dict_t *o = ts_tpl_section(d, "TX_OPT");
        ts_tpl_set(o, "VALUE", tx[i][0]);
        ts_tpl_set(o, "LABEL", tx[i][1]);
        if (p && jstr(p, "transaction") && strcmp(jstr(p, "transaction"), tx[i][0]) == 0) {
            ts_tpl_show(o, "SELECTED");
        }
    }
    properties_tpl_langs(r, d, p ? cJSON_GetObjectItemCaseSensitive(p, "descriptions") : NULL);
}

/* A LANG section (CODE, DTITLE, DTEXT) per tenant language, from descs. */
int
properties_tpl_langs(ts_request_t *r, ts_tpl_dict_t *d, const cJSON *descs)
{
    properties_settings_t s;
    if (properties_settings_get(r, &s, false) != TS_OK) {
        return TS_ERROR;
    }
    char *langs = ts_pstrdup(r->pool, s.languages), *save = NULL;
    for (char *l = strtok_r(langs, ",", &save); l; l = strtok_r(NULL, ",", &save)) {
        ts_tpl_dict_t *o = ts_tpl_section(d, "LANG");
        const cJSON *one = cJSON_GetObjectItemCaseSensitive(descs, l);
        ts_tpl_set(o, "CODE", l);
        ts_tpl_set(o, "DTITLE", jstr(one, "title") ? jstr(one, "title") : "");
        ts_tpl_set(o, "DTEXT", jstr(one, "text") ? jstr(one, "text") : "");
    }
    return TS_OK;
}

/* "sea_view" → "Sea view". */
static const char *
humanize(ts_request_t *r, const char *code)
{
    char *s = ts_pstrdup(r->pool, code);
    for (char *c = s; *c; c++) {
        *c = *c == '_' ? ' ' : *c;
    }
    if (*s >= 'a' && *s <= 'z') {
        *s = (char) (*s - 32);
    }
    return s;
}

static bool
in_array(const cJSON *a, const char *s)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, a) {
        if (cJSON_IsString(e) && strcmp(e->valuestring, s) == 0) {
            return true;
        }
    }
    return false;
}

/* The feature checkboxes, grouped by category: each with its English label
 * (else the code) and its labels in the tenant's other languages. */
static void
feature_groups(ts_request_t *r, ts_tpl_dict_t *d, const cJSON *p, const char *languages)
{
    cJSON *catalog = properties_features_catalog(r);
    if (catalog == NULL) {
        return;
    }
    const cJSON *have = p ? cJSON_GetObjectItemCaseSensitive(p, "features") : NULL, *f;
    ts_tpl_dict_t *group = NULL;
    const char *category = "";
    cJSON_ArrayForEach(f, catalog) {
        const char *code = jstr(f, "code"), *cat = jstr(f, "category");
        if (group == NULL || strcmp(cat, category) != 0) {
            group = ts_tpl_section(d, "FEATURE_GROUP");
            ts_tpl_set(group, "CATEGORY", humanize(r, cat));
            ts_tpl_set(group, "CATEGORY_CODE", cat);
            category = cat;
        }
        const cJSON *labels = cJSON_GetObjectItemCaseSensitive(f, "labels");
        ts_tpl_dict_t *o = ts_tpl_section(group, "FEATURE_OPT");
        ts_tpl_set(o, "CODE", code);
        ts_tpl_set(o, "LABEL", jstr(labels, "en") ? jstr(labels, "en") : humanize(r, code));
        if (in_array(have, code)) {
            ts_tpl_show(o, "CHECKED");
        }
        char *langs = ts_pstrdup(r->pool, languages), *save = NULL;
        for (char *l = strtok_r(langs, ",", &save); l; l = strtok_r(NULL, ",", &save)) {
            if (strcmp(l, "en") != 0 && jstr(labels, l)) {
                ts_tpl_dict_t *t = ts_tpl_section(o, "OTHER_LABEL");
                ts_tpl_set(t, "LANG", l);
                ts_tpl_set(t, "TEXT", jstr(labels, l));
            }
        }
    }
    cJSON_Delete(catalog);
}

/* Labels as one comma-separated field, the agent among the tenant's users,
 * the owner relation by name (the picker searches /api/v1/relations). */
static void
people_and_labels(ts_request_t *r, ts_tpl_dict_t *d, const cJSON *p)
{
    const cJSON *e, *have = p ? cJSON_GetObjectItemCaseSensitive(p, "labels") : NULL;
    char *labels = ts_pstrdup(r->pool, "");
    cJSON_ArrayForEach(e, have) {
        labels = ts_psprintf(r->pool, "%s%s%s", labels, *labels ? ", " : "", e->valuestring);
    }
    ts_tpl_set(d, "LABELS_TEXT", labels);
    const cJSON *agent = p ? cJSON_GetObjectItemCaseSensitive(p, "agent_id") : NULL;
    /* A new listing of an agent is theirs unless they choose otherwise. */
    long long current = cJSON_IsNumber(agent) ? (long long) agent->valuedouble
                      : p == NULL && r->user->role == TS_ROLE_AGENT ? (long long) r->user->id : 0;
    ts_db_result_t *res = ts_db_query(r, "SELECT id, name, email FROM users WHERE"
                                         " tenant_id = {tenant} AND status <> 'disabled'"
                                         " ORDER BY name, email LIMIT 500", "");
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        ts_tpl_dict_t *o = ts_tpl_section(d, "AGENT_OPT");
        const char *name = ts_db_get(res, i, "name");
        ts_tpl_set(o, "VALUE", ts_db_get(res, i, "id"));
        ts_tpl_set(o, "LABEL", name && *name ? name : ts_db_get(res, i, "email"));
        if (ts_db_get_int(res, i, "id") == current) {
            ts_tpl_show(o, "SELECTED");
        }
    }
    const cJSON *owner = p ? cJSON_GetObjectItemCaseSensitive(p, "owner_id") : NULL;
    ts_tpl_set(d, "OWNER_VALUE", "");
    ts_tpl_set(d, "OWNER_LABEL", "");
    if (cJSON_IsNumber(owner)) {
        res = ts_db_query(r, "SELECT name FROM relations WHERE tenant_id = {tenant} AND id = ?",
                          "i", (int64_t) owner->valuedouble);
        ts_tpl_set(d, "OWNER_VALUE", ts_psprintf(r->pool, "%.0f", owner->valuedouble));
        ts_tpl_set(d, "OWNER_LABEL", ts_db_rows(res) ? ts_db_get(res, 0, "name") : "");
    }
}

/* GET /properties/new and /properties/{id}/edit: one form, sent by
 * properties.js to the JSON API (errors come back beside each field). */
int
properties_page_form(ts_request_t *r)
{
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    int64_t id = 0;
    cJSON *p = NULL;
    if (ts_req_param(r, "id") != NULL) {
        int rc = properties_id_param(r, &id);
        if (rc != TS_OK) {
            return rc;
        }
        p = properties_record_json(r, id, false);
        if (p == NULL) {
            return ts_resp_error(r, 404, "not_found", "no such property", NULL);
        }
        ts_pool_cleanup_add(r->pool, (void (*)(void *)) cJSON_Delete, p);
        dict_from(r, d, p);
        const cJSON *price = cJSON_GetObjectItemCaseSensitive(p, "price");
        ts_tpl_set(d, "PRICE_UNITS", cJSON_IsNumber(price)
                   ? ts_psprintf(r->pool, "%lld", (long long) price->valuedouble / 100) : "");
        /* Inputs show empty, not a dash. */
        for (int i = 0; i < PF_COUNT; i++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(p, properties_fields[i].name);
            if (cJSON_IsNull(v)) {
                char key[64];
                snprintf(key, sizeof(key), "%s", properties_fields[i].name);
                for (char *k = key; *k; k++) {
                    *k = (char) (*k >= 'a' && *k <= 'z' ? *k - 32 : *k);
                }
                ts_tpl_set(d, key, "");
            }
        }
        ts_tpl_set(d, "TITLE", ts_psprintf(r->pool, "Edit %s", jstr(p, "ref")));
        ts_tpl_set(d, "METHOD", "PATCH");
        ts_tpl_set(d, "ACTION", ts_psprintf(r->pool, "/api/v1/properties/%lld", (long long) id));
        ts_tpl_set(d, "BACK", ts_psprintf(r->pool, "/properties/%lld", (long long) id));
    } else {
        ts_tpl_set(d, "TITLE", "New property");
        ts_tpl_set(d, "METHOD", "POST");
        ts_tpl_set(d, "ACTION", "/api/v1/properties");
        ts_tpl_set(d, "BACK", "/properties");
        ts_tpl_show(d, "IS_NEW");
        status_options(d, "STATUS_OPT", "draft", false);
    }
    types_and_more(r, d, p);
    properties_settings_t s;
    if (properties_settings_get(r, &s, false) != TS_OK) {
        return TS_ERROR;
    }
    feature_groups(r, d, p, s.languages);
    people_and_labels(r, d, p);
    properties_form_project(r, d, p);
    cJSON *defs = ts_custom_fields_defs(r, "property");
    ts_custom_fields_form_tpl(r, d, "CUSTOM", defs, cJSON_GetObjectItemCaseSensitive(p, "custom"),
                              false, NULL);
    cJSON_Delete(defs);
    return ts_resp_page(r, 200, "properties_form.tpl", d);
}

static void
media_sections(ts_request_t *r, ts_tpl_dict_t *d, const cJSON *media)
{
    const cJSON *m;
    int photos = 0;
    cJSON_ArrayForEach(m, media) {
        const char *kind = jstr(m, "kind");
        const char *section = strcmp(kind, "photo") == 0 ? "PHOTO"
                            : strcmp(kind, "document") == 0 ? "DOCUMENT" : "LINK";
        ts_tpl_dict_t *row = ts_tpl_section(d, section);
        dict_from(r, row, m);
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, "variants");
        ts_tpl_set(row, "THUMB", jstr(v, "thumb") ? jstr(v, "thumb") : "");
        ts_tpl_set(row, "LARGE", jstr(v, "large") ? jstr(v, "large") : "");
        const cJSON *caps = cJSON_GetObjectItemCaseSensitive(m, "captions");
        const char *cap = jstr(caps, "en") ? jstr(caps, "en")
                        : caps && caps->child ? cJSON_GetStringValue(caps->child) : NULL;
        ts_tpl_set(row, "CAPTION", cap ? cap : "");
        ts_tpl_set(row, "ALT", cap ? cap : ts_psprintf(r->pool, "Photo %d", photos + 1));
        photos += strcmp(kind, "photo") == 0;
    }
    if (photos == 0) {
        ts_tpl_show(d, "NO_PHOTOS");
    }
}

int
properties_page_show(ts_request_t *r)
{
    int64_t id;
    int rc = properties_id_param(r, &id);
    if (rc != TS_OK) {
        return rc;
    }
    cJSON *p = properties_record_json(r, id, false);
    if (p == NULL) {
        return ts_resp_error(r, 404, "not_found", "no such property", NULL);
    }
    ts_pool_cleanup_add(r->pool, (void (*)(void *)) cJSON_Delete, p);
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    dict_from(r, d, p);
    ts_tpl_set(d, "TITLE", jstr(p, "ref"));
    ts_tpl_set(d, "PRICE", money(r, cJSON_GetObjectItemCaseSensitive(p, "price"),
                                 cJSON_GetObjectItemCaseSensitive(p, "currency")));
    status_options(d, "STATUS_OPT", jstr(p, "status"), false);
    media_sections(r, d, cJSON_GetObjectItemCaseSensitive(p, "media"));
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(p, "descriptions")) {
        ts_tpl_dict_t *row = ts_tpl_section(d, "DESC");
        ts_tpl_set(row, "LANG", e->string);
        ts_tpl_set(row, "DTITLE", jstr(e, "title") ? jstr(e, "title") : "");
        ts_tpl_set(row, "DTEXT", jstr(e, "text") ? jstr(e, "text") : "");
        ts_tpl_dict_t *tab = ts_tpl_section(d, "DESC_TAB");
        ts_tpl_set(tab, "LANG", e->string);
    }
    /* Features by their English label from the catalogue. */
    cJSON *catalog = properties_features_catalog(r);
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(p, "features")) {
        const char *label = NULL;
        const cJSON *f;
        cJSON_ArrayForEach(f, catalog) {
            if (strcmp(jstr(f, "code"), e->valuestring) == 0) {
                label = jstr(cJSON_GetObjectItemCaseSensitive(f, "labels"), "en");
            }
        }
        ts_tpl_dict_t *row = ts_tpl_section(d, "FEATURE");
        ts_tpl_set(row, "CODE", e->valuestring);
        ts_tpl_set(row, "FLABEL", label ? label : humanize(r, e->valuestring));
    }
    cJSON_Delete(catalog);
    const cJSON *agent = cJSON_GetObjectItemCaseSensitive(p, "agent_id");
    ts_tpl_set(d, "AGENT_NAME", "—");
    if (cJSON_IsNumber(agent)) {
        ts_db_result_t *u = ts_db_query(r, "SELECT name FROM users WHERE tenant_id = {tenant}"
                                           " AND id = ?", "i", (int64_t) agent->valuedouble);
        if (ts_db_rows(u) == 1 && *ts_db_get(u, 0, "name")) {
            ts_tpl_set(d, "AGENT_NAME", ts_db_get(u, 0, "name"));
        }
    }
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(p, "labels")) {
        ts_tpl_set(ts_tpl_section(d, "LABEL"), "TAG", e->valuestring);
    }
    cJSON *defs = ts_custom_fields_defs(r, "property");
    const cJSON *custom = cJSON_GetObjectItemCaseSensitive(p, "custom");
    cJSON_ArrayForEach(e, defs) {
        ts_tpl_dict_t *row = ts_tpl_section(d, "CUSTOM_DETAIL");
        ts_tpl_set(row, "CLABEL", ts_custom_field_label(r, e));
        const char *v = ts_custom_field_text(r, e, cJSON_GetObjectItemCaseSensitive(custom, jstr(e, "key")));
        ts_tpl_set(row, "CVALUE", *v ? v : "—");
    }
    cJSON_Delete(defs);
    ts_db_result_t *res = ts_db_query(r, "SELECT b.portal, b.published_at, b.unpublished_at,"
        " b.unpublish_reason, u.name AS by_name FROM property_publications b LEFT JOIN users u ON"
        " u.tenant_id = b.tenant_id AND u.id = b.published_by WHERE b.tenant_id = {tenant} AND"
        " b.property_id = ? ORDER BY b.unpublished_at IS NULL DESC, b.id DESC LIMIT 50", "i", id);
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        ts_tpl_dict_t *row = ts_tpl_section(d, "PUB");
        cJSON *o = ts_db_row_json(r, res, i);
        dict_from(r, row, o);
        cJSON_Delete(o);
        if (ts_db_get(res, i, "unpublished_at") == NULL) {
            ts_tpl_show(row, "CURRENT");
        }
    }
    res = ts_db_query(r, "SELECT code, name FROM property_portals WHERE tenant_id IN (0, {tenant})"
                         " ORDER BY name", "");
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        ts_tpl_dict_t *o = ts_tpl_section(d, "PORTAL_OPT");
        ts_tpl_set(o, "VALUE", ts_db_get(res, i, "code"));
        ts_tpl_set(o, "LABEL", ts_db_get(res, i, "name"));
    }
    if (jstr(p, "owner_id") == NULL && cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(p, "owner_id"))) {
        res = ts_db_query(r, "SELECT name FROM relations WHERE tenant_id = {tenant} AND id = ?",
                          "i", (int64_t) cJSON_GetObjectItemCaseSensitive(p, "owner_id")->valuedouble);
        ts_tpl_set(d, "OWNER_NAME", ts_db_rows(res) ? ts_db_get(res, 0, "name") : "—");
    } else {
        ts_tpl_set(d, "OWNER_NAME", "—");
    }
    cJSON *matches = NULL;
    if (properties_property_matches_json(r, id, &matches) == TS_OK) {
        cJSON_ArrayForEach(e, matches) {
            ts_tpl_dict_t *row = ts_tpl_section(d, "MATCH");
            ts_tpl_set(row, "MID", ts_psprintf(r->pool, "%.0f",
                       cJSON_GetObjectItemCaseSensitive(e, "id")->valuedouble));
            ts_tpl_set(row, "NAME", ts_psprintf(r->pool, "%s %s", jstr(e, "first_name") ?
                       jstr(e, "first_name") : "", jstr(e, "last_name") ? jstr(e, "last_name") : ""));
            ts_tpl_set(row, "FIT", cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "exact"))
                                   ? "exact" : "stretched");
        }
        cJSON_Delete(matches);
    }
    res = ts_db_query(r, "SELECT subject, body, created_at FROM activities WHERE"
                         " tenant_id = {tenant} AND entity = 'property' AND entity_id = ? AND"
                         " deleted_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 100", "i", id);
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        ts_tpl_dict_t *row = ts_tpl_section(d, "EVENT");
        ts_tpl_set(row, "SUBJECT", ts_db_get(res, i, "subject"));
        ts_tpl_set(row, "WHEN", ts_pstrndup(r->pool, ts_db_get(res, i, "created_at"), 16));
        const char *body = ts_db_get(res, i, "body");
        if (body) {
            ts_tpl_set(ts_tpl_section(row, "EBODY"), "TEXT", body);
        }
    }
    properties_form_project(r, d, p);
    return ts_resp_page(r, 200, "properties_show.tpl", d);
}

int
properties_page_mls(ts_request_t *r)
{
    ts_db_result_t *res = ts_db_query(r,
        "SELECT p.id, p.ref, p.status, p.town, u.name AS agent_name, p.published_at,"
        " GROUP_CONCAT(b.portal ORDER BY b.portal SEPARATOR ', ') AS portals"
        " FROM properties p JOIN property_publications b ON b.tenant_id = p.tenant_id"
        " AND b.property_id = p.id AND b.unpublished_at IS NULL"
        " LEFT JOIN users u ON u.tenant_id = p.tenant_id AND u.id = p.agent_id"
        " WHERE p.tenant_id = {tenant} AND p.status IN ('sold','rented','cancelled','off_market',"
        "'removed_by_feed','draft','in_progress','pending_approval')"
        " GROUP BY p.id ORDER BY p.id LIMIT 1000", "");
    if (res == NULL) {
        return TS_ERROR;
    }
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    ts_tpl_set(d, "TITLE", "MLS status check");
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        ts_tpl_dict_t *row = ts_tpl_section(d, "STALE");
        cJSON *o = ts_db_row_json(r, res, i);
        dict_from(r, row, o);
        cJSON_Delete(o);
    }
    ts_tpl_set_int(d, "COUNT", (long long) ts_db_rows(res));
    ts_tpl_show(d, ts_db_rows(res) ? "ANY" : "CLEAN");
    return ts_resp_page(r, 200, "properties_mls.tpl", d);
}

/* GET /properties/matches?lead=ID: the properties that fit one lead. */
int
properties_page_lead_matches(ts_request_t *r)
{
    const char *v = ts_req_query(r, "lead");
    char *end = NULL;
    long long lead = v ? strtoll(v, &end, 10) : 0;
    if (lead <= 0 || *end != '\0') {
        return ts_resp_error(r, 404, "not_found", "no such lead", NULL);
    }
    cJSON *a;
    int rc = properties_lead_matches_json(r, lead, &a);
    if (rc != TS_OK) {
        return rc;
    }
    ts_pool_cleanup_add(r->pool, (void (*)(void *)) cJSON_Delete, a);
    ts_db_result_t *c = ts_db_query(r, "SELECT first_name, last_name FROM contacts WHERE"
                                       " tenant_id = {tenant} AND id = ?", "i", (int64_t) lead);
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    ts_tpl_set(d, "TITLE", "Matching properties");
    ts_tpl_set(d, "LEAD_NAME", ts_psprintf(r->pool, "%s %s", ts_db_get(c, 0, "first_name"),
                                           ts_db_get(c, 0, "last_name") ? ts_db_get(c, 0, "last_name") : ""));
    ts_tpl_set_int(d, "LEAD_ID", lead);
    const cJSON *e;
    cJSON_ArrayForEach(e, a) {
        ts_tpl_dict_t *row = ts_tpl_section(d, "MATCH");
        dict_from(r, row, e);
        ts_tpl_set(row, "PRICE", money(r, cJSON_GetObjectItemCaseSensitive(e, "price"),
                                       cJSON_GetObjectItemCaseSensitive(e, "currency")));
        ts_tpl_set(row, "FIT", cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "exact"))
                               ? "exact" : "stretched");
        const cJSON *s;
        cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(e, "reasons")) {
            ts_tpl_set(ts_tpl_section(row, "REASON"), "TEXT", s->valuestring);
        }
        cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(e, "stretched")) {
            ts_tpl_set(ts_tpl_section(row, "STRETCH"), "TEXT", s->valuestring);
        }
    }
    if (cJSON_GetArraySize(a) == 0) {
        ts_tpl_show(d, "EMPTY");
    }
    return ts_resp_page(r, 200, "properties_matches.tpl", d);
}

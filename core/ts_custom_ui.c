/* Custom fields in the web pages: the definitions in script order, their
 * labels in the reader's language, the inputs of a form by type, the posted
 * form back as the API's `custom` object, and a value as text. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "ts_core.h"

cJSON *
ts_custom_fields_defs(ts_request_t *r, const char *kind)
{
    ts_db_result_t *res = ts_db_query(r, "SELECT definition FROM custom_fields WHERE tenant_id ="
                                         " {tenant} AND kind = ? ORDER BY"
                                         " CAST(JSON_VALUE(definition, '$.index') AS UNSIGNED),"
                                         " field_key", "s", kind);
    if (res == NULL) {
        return NULL;
    }
    cJSON *defs = cJSON_CreateArray();
    for (size_t i = 0; i < ts_db_rows(res); i++) {
        cJSON *d = cJSON_Parse(ts_db_get(res, i, "definition"));
        if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(d, "key"))
            && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(d, "type"))) {
            cJSON_AddItemToArray(defs, d);
        } else {
            cJSON_Delete(d);
        }
    }
    return defs;
}

static const char *
def_str(const cJSON *def, const char *name)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(def, name));
}

const char *
ts_custom_field_label(ts_request_t *r, const cJSON *def)
{
    const cJSON *l = cJSON_GetObjectItemCaseSensitive(def, "label");
    if (cJSON_IsString(l) && *l->valuestring) {
        return l->valuestring;
    }
    if (cJSON_IsObject(l)) {
        /* The first language the browser asks for ("es-ES,es;q=0.9": es-es, then es), then en. */
        const char *al = ts_req_header(r, "Accept-Language");
        char want[2][16] = { "", "" };
        if (al != NULL) {
            size_t n = strcspn(al, ",;");
            n = n < sizeof(want[0]) - 1 ? n : sizeof(want[0]) - 1;
            for (size_t i = 0; i < n; i++) {
                want[0][i] = (char) tolower((unsigned char) al[i]);
            }
            want[0][n] = '\0';
            snprintf(want[1], sizeof(want[1]), "%.*s", (int) strcspn(want[0], "-_"), want[0]);
        }
        const char *tries[] = { want[0], want[1], "en" };
        for (int i = 0; i < 3; i++) {
            const char *v = *tries[i] ? def_str(l, tries[i]) : NULL;
            if (v != NULL && *v) {
                return v;
            }
        }
        for (const cJSON *e = l->child; e; e = e->next) {
            if (cJSON_IsString(e) && *e->valuestring) {
                return e->valuestring;
            }
        }
    }
    return def_str(def, "key");
}

static bool
is_type(const cJSON *def, const char *t)
{
    const char *type = def_str(def, "type");
    return type != NULL && strcmp(type, t) == 0;
}

static bool
is_number(const cJSON *def)
{
    return is_type(def, "number") || is_type(def, "money");
}

static const char *
form_name(ts_request_t *r, const cJSON *def)
{
    return ts_psprintf(r->pool, "custom.%s", def_str(def, "key"));
}

cJSON *
ts_custom_fields_from_form(ts_request_t *r, const cJSON *defs, bool create)
{
    cJSON *out = cJSON_CreateObject();
    const cJSON *def;
    cJSON_ArrayForEach(def, defs) {
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(def, "has_compute"))) {
            continue;   /* compute() sets it on every write */
        }
        const char *key = def_str(def, "key"), *name = form_name(r, def);
        cJSON *v = NULL;
        if (is_type(def, "boolean")) {
            const char *s = ts_req_form(r, name);
            v = cJSON_CreateBool(s != NULL && strcmp(s, "true") == 0);
        } else if (is_type(def, "multiselect")) {
            const char *vals[64];
            size_t n = ts_req_form_values(r, name, vals, 64);
            n = n > 64 ? 64 : n;
            if (n > 0) {
                v = cJSON_CreateArray();
                for (size_t i = 0; i < n; i++) {
                    cJSON_AddItemToArray(v, cJSON_CreateString(vals[i]));
                }
            }
        } else {
            const char *s = ts_req_form(r, name);
            while (s != NULL && isspace((unsigned char) *s)) {
                s++;
            }
            size_t len = s ? strlen(s) : 0;
            while (len > 0 && isspace((unsigned char) s[len - 1])) {
                len--;
            }
            char *t = s ? ts_pstrndup(r->pool, s, len) : NULL;
            if (t != NULL && *t) {
                char *end;
                double x = is_number(def) ? strtod(t, &end) : 0;
                /* Not a number: the check names the field ("must be a number"). */
                v = is_number(def) && *end == '\0' ? cJSON_CreateNumber(x) : cJSON_CreateString(t);
            }
        }
        if (v != NULL) {
            cJSON_AddItemToObject(out, key, v);
        } else if (!create) {
            cJSON_AddNullToObject(out, key);   /* emptied: removed */
        }
    }
    return out;
}

const char *
ts_custom_field_text(ts_request_t *r, const cJSON *def, const cJSON *v)
{
    (void) def;
    if (v == NULL || cJSON_IsNull(v)) {
        return "";
    }
    if (cJSON_IsBool(v)) {
        return cJSON_IsTrue(v) ? "Yes" : "No";
    }
    if (cJSON_IsString(v)) {
        return v->valuestring;
    }
    if (cJSON_IsNumber(v)) {
        return ts_psprintf(r->pool, "%.15g", v->valuedouble);
    }
    if (cJSON_IsArray(v)) {
        char *t = "";
        const cJSON *e;
        cJSON_ArrayForEach(e, v) {
            t = ts_psprintf(r->pool, "%s%s%s", t, *t ? ", " : "", ts_custom_field_text(r, def, e));
        }
        return t;
    }
    char *j = cJSON_PrintUnformatted(v);
    char *s = ts_pstrdup(r->pool, j);
    cJSON_free(j);
    return s;
}

/* The value a control shows: posted (after a refusal) or stored. */
static const char *
shown_value(ts_request_t *r, const cJSON *def, const cJSON *values, bool posted)
{
    if (posted) {
        const char *s = ts_req_form(r, form_name(r, def));
        return s ? s : "";
    }
    return ts_custom_field_text(r, def, cJSON_GetObjectItemCaseSensitive(values, def_str(def, "key")));
}

static bool
chosen(ts_request_t *r, const cJSON *def, const cJSON *values, bool posted, const char *opt)
{
    if (posted) {
        const char *vals[64];
        size_t n = ts_req_form_values(r, form_name(r, def), vals, 64);
        for (size_t i = 0; i < n && i < 64; i++) {
            if (strcmp(vals[i], opt) == 0) {
                return true;
            }
        }
        return false;
    }
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(values, def_str(def, "key"));
    if (cJSON_IsString(v)) {
        return strcmp(v->valuestring, opt) == 0;
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, v) {
        if (cJSON_IsString(e) && strcmp(e->valuestring, opt) == 0) {
            return true;
        }
    }
    return false;
}

/* An OPT row: the option is its own label (options are the script's words). */
static ts_tpl_dict_t *
option(ts_tpl_dict_t *ctl, const char *value)
{
    ts_tpl_dict_t *od = ts_tpl_section(ctl, "OPT");
    ts_tpl_set(od, "OPT_VALUE", value);
    ts_tpl_set(od, "OPT_LABEL", value);
    return od;
}

void
ts_custom_fields_form_tpl(ts_request_t *r, ts_tpl_dict_t *d, const char *section,
                          const cJSON *defs, const cJSON *values, bool posted, const cJSON *errors)
{
    ts_pool_t *p = r->pool;
    if (cJSON_GetArraySize(defs) == 0) {
        return;
    }
    ts_tpl_dict_t *inc = ts_tpl_include(d, section, "custom_fields.tpl");
    const cJSON *def;
    cJSON_ArrayForEach(def, defs) {
        const char *key = def_str(def, "key"), *name = form_name(r, def);
        ts_tpl_dict_t *row = ts_tpl_section(inc, "FIELD");
        ts_tpl_set(row, "NAME", name);
        ts_tpl_set(row, "ID", ts_psprintf(p, "custom-%s", key));
        ts_tpl_set(row, "LABEL", ts_custom_field_label(r, def));
        ts_tpl_set(row, "KEY", key);
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(def, "required"))) {
            ts_tpl_show(row, "REQUIRED");
        }
        const char *err = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(errors, name));
        ts_tpl_dict_t *ctl;
        const cJSON *opts = cJSON_GetObjectItemCaseSensitive(def, "options");
        const cJSON *o;
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(def, "has_compute"))) {
            ctl = ts_tpl_section(row, "COMPUTED");
            const char *v = ts_custom_field_text(r, def, cJSON_GetObjectItemCaseSensitive(values, key));
            ts_tpl_set(ctl, "VALUE", *v ? v : "—");
        } else if (is_type(def, "boolean")) {
            ctl = ts_tpl_section(row, "CHECKBOX");
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(values, key);
            const char *pv = posted ? ts_req_form(r, name) : NULL;
            if (posted ? pv != NULL && strcmp(pv, "true") == 0 : cJSON_IsTrue(v)) {
                ts_tpl_show(ctl, "CHECKED");
            }
        } else if (is_type(def, "select")) {
            ctl = ts_tpl_section(row, "SELECT");
            ts_tpl_set(option(ctl, ""), "OPT_LABEL", "—");
            bool any = false;
            cJSON_ArrayForEach(o, opts) {
                if (cJSON_IsString(o) && chosen(r, def, values, posted, o->valuestring)) {
                    ts_tpl_show(option(ctl, o->valuestring), "SELECTED");
                    any = true;
                } else if (cJSON_IsString(o)) {
                    option(ctl, o->valuestring);
                }
            }
            /* A stored value no longer among the options stays visible (and is refused on save). */
            const char *cur = shown_value(r, def, values, posted);
            if (!any && *cur) {
                ts_tpl_show(option(ctl, cur), "SELECTED");
            }
        } else if (is_type(def, "multiselect")) {
            ctl = ts_tpl_section(row, "CHECKS");
            int i = 0;
            cJSON_ArrayForEach(o, opts) {
                if (!cJSON_IsString(o)) {
                    continue;
                }
                ts_tpl_dict_t *od = option(ctl, o->valuestring);
                ts_tpl_set(od, "OPT_ID", ts_psprintf(p, "custom-%s-%d", key, i++));
                if (chosen(r, def, values, posted, o->valuestring)) {
                    ts_tpl_show(od, "CHECKED");
                }
            }
        } else {
            ctl = ts_tpl_section(row, "INPUT");
            ts_tpl_set(ctl, "VALUE", shown_value(r, def, values, posted));
            ts_tpl_set(ctl, "TYPE", is_number(def) ? "number" : is_type(def, "date") ? "date"
                                    : is_type(def, "url") ? "url" : "text");
            ts_tpl_set(ctl, "MODE", is_number(def) ? "decimal" : is_type(def, "url") ? "url" : "text");
            if (is_number(def)) {
                ts_tpl_show(ctl, "NUMBER");
            }
        }
        if (err != NULL) {
            ts_tpl_show(ctl, "INVALID");
            ts_tpl_set(row, "MESSAGE", err);
        } else {
            ts_tpl_show(row, "NO_ERROR");   /* the place a script's form puts one */
        }
    }
}

/* /deals/settings: the admin's form for reference numbers and sold-on-won,
 * checked and saved by the settings API's own rules. */
#include <stdlib.h>
#include <string.h>
#include "deals_ui.h"

static int
settings_form(ts_request_t *r, int status, const cJSON *shown, const cJSON *fields,
              const char *notice)
{
    cJSON *cur = deals_settings_json(r);
    if (cur == NULL) {
        return TS_ERROR;
    }
    const cJSON *v = shown ? shown : cur;
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    ts_tpl_set(d, "TITLE", "Deal settings");
    deals_tpl_json(d, "REF_PREFIX", v, "ref_prefix");
    deals_tpl_json(d, "REF_PADDING", v, "ref_padding");
    deals_tpl_json(d, "REF_SUFFIX", v, "ref_suffix");
    deals_tpl_json(d, "NEXT_NUMBER", v, "next_number");
    deals_tpl_json(d, "EXAMPLE", cur, "example");
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "sold_on_won"))) {
        ts_tpl_show(d, "SOLD_ON_WON");
    }
    if (notice != NULL) {
        ts_tpl_set(ts_tpl_section(d, "NOTICE"), "MESSAGE", notice);
    }
    deals_tpl_errors(r, d, fields);
    cJSON_Delete(cur);
    return ts_resp_page(r, status, "deals_settings.tpl", d);
}

int
deals_page_settings(ts_request_t *r)
{
    return settings_form(r, 200, NULL, NULL, NULL);
}

/* A form value as the API's JSON: a whole number when it reads as one, else
 * the text, so the API's check names the field. */
static void
add_number(cJSON *j, const char *name, const char *v)
{
    char *end = NULL;
    double n = v && *v ? strtod(v, &end) : 0;
    if (v != NULL && *v != '\0' && end != NULL && *end == '\0') {
        cJSON_AddNumberToObject(j, name, n);
    } else if (v != NULL && *v != '\0') {
        cJSON_AddStringToObject(j, name, v);
    }
}

int
deals_page_settings_save(ts_request_t *r)
{
    cJSON *j = cJSON_CreateObject();
    const char *pre = ts_req_form(r, "ref_prefix"), *suf = ts_req_form(r, "ref_suffix");
    cJSON_AddStringToObject(j, "ref_prefix", pre ? pre : "");
    cJSON_AddStringToObject(j, "ref_suffix", suf ? suf : "");
    add_number(j, "ref_padding", ts_req_form(r, "ref_padding"));
    const char *next = ts_req_form(r, "next_number");
    cJSON *cur = deals_settings_json(r);
    if (cur == NULL) {
        cJSON_Delete(j);
        return TS_ERROR;
    }
    /* The next number is sent only when changed: an unchanged one is fine,
     * even if another deal took it meanwhile. */
    if (next != NULL && *next != '\0' && strcmp(next, ts_psprintf(r->pool, "%.0f",
        cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(cur, "next_number")))) != 0) {
        add_number(j, "next_number", next);
    }
    cJSON_Delete(cur);
    cJSON_AddBoolToObject(j, "sold_on_won", ts_req_form(r, "sold_on_won") != NULL);
    cJSON *fields = NULL;
    int rc = deals_settings_apply(r, j, &fields);
    if (rc == TS_DECLINED) {
        /* Show what was typed, so the admin corrects rather than retypes. */
        cJSON *shown = cJSON_Duplicate(j, true);
        cJSON_ReplaceItemInObjectCaseSensitive(shown, "ref_padding",
            cJSON_CreateString(ts_req_form(r, "ref_padding") ? ts_req_form(r, "ref_padding") : ""));
        cJSON_DeleteItemFromObjectCaseSensitive(shown, "next_number");
        cJSON_AddStringToObject(shown, "next_number", next ? next : "");
        rc = settings_form(r, 422, shown, fields, NULL);
        cJSON_Delete(shown);
    } else if (rc == TS_OK) {
        rc = settings_form(r, 200, NULL, NULL, "Settings saved");
    }
    cJSON_Delete(fields);
    cJSON_Delete(j);
    return rc;
}

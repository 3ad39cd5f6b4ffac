/* The deals pages' shared helpers: money and URL text, template values from
 * JSON, and error pages. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "deals_ui.h"

/* 45000000 EUR -> "€450,000" (cents shown only when there are any). */
const char *
deals_money(ts_request_t *r, double minor, const char *currency)
{
    long long units = (long long) floor(minor / 100);
    int cents = (int) llround(minor - (double) units * 100);
    char digits[32], grouped[48];
    snprintf(digits, sizeof(digits), "%lld", units < 0 ? -units : units);
    size_t n = strlen(digits), o = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0) {
            grouped[o++] = ',';
        }
        grouped[o++] = digits[i];
    }
    grouped[o] = '\0';
    const char *sym = currency == NULL || strcmp(currency, "EUR") == 0 ? "€"
                      : strcmp(currency, "GBP") == 0 ? "£" : strcmp(currency, "USD") == 0 ? "$" : NULL;
    const char *num = cents ? ts_psprintf(r->pool, "%s.%02d", grouped, cents) : grouped;
    return sym ? ts_psprintf(r->pool, "%s%s%s", units < 0 ? "-" : "", sym, num)
               : ts_psprintf(r->pool, "%s %s%s", currency, units < 0 ? "-" : "", num);
}

const char *
deals_urlenc(ts_request_t *r, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *out = ts_palloc(r->pool, 3 * n + 1), *o = out;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char) s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
            || c == '-' || c == '_' || c == '.' || c == '~') {
            *o++ = (char) c;
        } else {
            *o++ = '%';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    *o = '\0';
    return out;
}

const char *
deals_stage_label(ts_request_t *r, const char *pipeline, const char *stage)
{
    const deals_stage_t *st = deals_stage(deals_pipeline(pipeline), stage);
    return st ? deals_label(r, st->code) : stage;
}

/* The field name of o as template text: strings as they are, numbers
 * printed, null and absent as an em dash. */
void
deals_tpl_json(ts_tpl_dict_t *d, const char *key, const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    char buf[40];
    if (cJSON_IsString(v) || cJSON_IsRaw(v)) {   /* raw: a number's digits */
        ts_tpl_set(d, key, v->valuestring);
    } else if (cJSON_IsNumber(v)) {
        snprintf(buf, sizeof(buf), "%.15g", v->valuedouble);
        ts_tpl_set(d, key, buf);
    } else {
        ts_tpl_set(d, key, "—");
    }
}

void
deals_tpl_errors(ts_request_t *r, ts_tpl_dict_t *d, const cJSON *fields)
{
    const cJSON *f;
    cJSON_ArrayForEach(f, fields) {
        ts_tpl_dict_t *e = ts_tpl_section(d, "ERROR");
        ts_tpl_set(e, "MESSAGE", ts_psprintf(r->pool, "%s: %s", f->string,
                                             cJSON_GetStringValue(f) ? f->valuestring : "invalid"));
    }
}

int
deals_page_error(ts_request_t *r, int status, const char *message)
{
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    ts_tpl_set(d, "TITLE", "Deals");
    ts_tpl_set_int(d, "STATUS", status);
    ts_tpl_set(d, "STATUS_TEXT", status == 404 ? "Not found" : status == 403 ? "Forbidden"
                                 : "Something went wrong");
    ts_tpl_set(d, "MESSAGE", message);
    return ts_resp_page(r, status, "error.tpl", d);
}

double
deals_json_number(const cJSON *v)
{
    return cJSON_IsRaw(v) ? strtod(v->valuestring, NULL) : cJSON_GetNumberValue(v);
}

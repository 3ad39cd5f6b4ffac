/* The deal page's "Matching properties" (buy and rent deals): the first
 * matches of the deal's search preferences with what each fits and what it
 * stretches, a link to each property, and "Link to this deal"
 * (POST /deals/{id}/properties, the properties list of PATCH /api/v1/deals/{id}
 * with one more). */
#include <stdlib.h>
#include <string.h>
#include "deals_ui.h"

#define SHOWN 10

static const char *
fit_label(const char *code)
{
    static const char *const labels[][2] = {
        { "transaction", "transaction" }, { "price", "budget" }, { "built_area", "built area" },
        { "beds", "bedrooms" }, { "baths", "bathrooms" }, { "type", "type" },
        { "place", "town or area" }, { "tags", "required tags" },
    };
    for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
        if (strcmp(labels[i][0], code) == 0) {
            return labels[i][1];
        }
    }
    return code;
}

static void
match_row(ts_request_t *r, ts_tpl_dict_t *m, const cJSON *it, const char *deal_id, bool may_link)
{
    deals_tpl_json(m, "MATCH_ID", it, "id");
    deals_tpl_json(m, "MATCH_REF", it, "ref");
    deals_tpl_json(m, "MATCH_TOWN", it, "town");
    deals_tpl_json(m, "MATCH_BEDS", it, "beds");
    const cJSON *price = cJSON_GetObjectItemCaseSensitive(it, "price");
    ts_tpl_set(m, "MATCH_PRICE", cJSON_IsNumber(price)
               ? deals_money(r, price->valuedouble, deals_ustr(it, "currency")) : "—");
    const char *why = "";
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(it, "fits")) {
        why = ts_psprintf(r->pool, "%s%s%s", why, *why ? ", " : "", fit_label(e->valuestring));
    }
    ts_tpl_set(m, "WHY", why);
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(it, "stretched")) {
        long by = (long) e->valuedouble;
        bool price_range = strcmp(e->string, "price") == 0;
        ts_tpl_set(ts_tpl_section(m, "STRETCHED"), "STRETCH_TEXT",
                   ts_psprintf(r->pool, "%s %ld%% %s", price_range ? "price" : "built area",
                               by > 0 ? by : -by,
                               by > 0 ? (price_range ? "over the budget" : "over the maximum")
                                      : (price_range ? "under the budget" : "under the minimum")));
    }
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "exact"))) {
        ts_tpl_show(m, "EXACT");
    }
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "linked"))) {
        ts_tpl_show(m, "LINKED");
    } else if (may_link) {
        ts_tpl_dict_t *f = ts_tpl_section(m, "LINK_FORM");
        ts_tpl_set(f, "DEAL_ID", deal_id);
        deals_tpl_json(f, "PROPERTY_ID", it, "id");
    }
}

int
deals_page_matches(ts_request_t *r, ts_tpl_dict_t *d, const cJSON *deal)
{
    deals_head_t h;
    memset(&h, 0, sizeof(h));
    h.id = (int64_t) cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(deal, "id"));
    h.type = deals_ustr(deal, "type");
    h.pipeline = deals_ustr(deal, "pipeline");
    if (h.pipeline == NULL || strcmp(h.pipeline, "buyer") != 0) {
        return TS_OK;
    }
    const cJSON *agent = cJSON_GetObjectItemCaseSensitive(deal, "agent_id");
    h.agent_id = cJSON_IsNumber(agent) ? (int64_t) agent->valuedouble : 0;
    cJSON *items = deals_match_list(r, &h, SHOWN + 1);
    if (items == NULL) {
        return TS_ERROR;
    }
    ts_tpl_dict_t *card = ts_tpl_section(d, "MATCHES");
    const char *deal_id = ts_psprintf(r->pool, "%lld", (long long) h.id);
    ts_tpl_set(card, "DEAL_ID", deal_id);
    bool may_link = deals_may_edit(r, &h);
    int n = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, items) {
        if (n++ == SHOWN) {
            ts_tpl_set(ts_tpl_section(card, "MORE_MATCHES"), "SHOWN", ts_psprintf(r->pool, "%d", SHOWN));
            break;
        }
        match_row(r, ts_tpl_section(card, "MATCH"), it, deal_id, may_link);
    }
    if (n == 0) {
        ts_tpl_show(card, "NO_MATCHES");
    }
    cJSON_Delete(items);
    return TS_OK;
}

/* POST /deals/{id}/properties: links property_id to the deal (kept beside
 * the properties it has; the first one becomes primary). */
int
deals_page_link_property(ts_request_t *r)
{
    int64_t id;
    if (ts_req_param_id(r, "id", &id) != TS_OK) {
        return deals_page_error(r, 404, "no such deal");
    }
    cJSON *deal = deals_json(r, id);
    if (deal == NULL) {
        return deals_page_error(r, 404, "no such deal");
    }
    cJSON *list = cJSON_CreateArray();
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(deal, "properties")) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddNumberToObject(p, "id", cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(it, "id")));
        cJSON_AddBoolToObject(p, "primary", cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "primary")));
        cJSON_AddItemToArray(list, p);
    }
    cJSON_Delete(deal);
    const char *pid = ts_req_form(r, "property_id");
    cJSON *p = cJSON_CreateObject();
    if (pid != NULL && *pid != '\0' && strspn(pid, "0123456789") == strlen(pid) && strlen(pid) <= 15) {
        cJSON_AddNumberToObject(p, "id", (double) strtoll(pid, NULL, 10));
    }
    cJSON_AddItemToArray(list, p);
    return deals_page_patch(r, id, "properties", list);
}

/* POST /api/v1/deals with "from_lead": a deal for a converted lead. The
 * lead's record (now a contact) becomes the main contact, its search
 * preferences' transaction picks buy or rent, its name names the deal when
 * the body gives none; deals_create_json then copies the preferences. */
#include <math.h>
#include <string.h>
#include "deals.h"

/* Returns the body to create from: j itself without from_lead, else a copy
 * completed from the lead (owned by the request). TS_DECLINED with *fields. */
int
deals_from_lead(ts_request_t *r, const cJSON *j, const cJSON **out, cJSON **fields)
{
    const cJSON *fl = cJSON_GetObjectItemCaseSensitive(j, "from_lead");
    *out = j;
    if (fl == NULL) {
        return TS_OK;
    }
    if (!cJSON_IsNumber(fl) || fl->valuedouble != floor(fl->valuedouble) || fl->valuedouble < 1
        || fl->valuedouble > 9e15) {
        deals_field(fields, "from_lead", "the id of a converted lead");
        return TS_DECLINED;
    }
    int64_t cid = (int64_t) fl->valuedouble;
    ts_db_result_t *c = ts_db_query(r,
        "SELECT kind, transaction, TRIM(CONCAT(COALESCE(first_name, ''), ' ',"
        " COALESCE(last_name, ''))) AS name, company FROM contacts WHERE tenant_id = {tenant}"
        " AND id = ? AND deleted_at IS NULL AND merged_into IS NULL", "i", cid);
    if (c == NULL) {
        return TS_ERROR;
    }
    if (ts_db_rows(c) == 0) {
        deals_field(fields, "from_lead", "no such contact");
        return TS_DECLINED;
    }
    if (strcmp(ts_db_get(c, 0, "kind"), "lead") == 0) {
        deals_field(fields, "from_lead", ts_psprintf(r->pool, "this is still a lead: convert it"
                                                     " first (POST /api/v1/leads/%lld/convert)",
                                                     (long long) cid));
        return TS_DECLINED;
    }
    const char *tx = ts_db_get(c, 0, "transaction");
    const char *type = deals_ustr(j, "type");
    if (type != NULL && strcmp(type, "buy") != 0 && strcmp(type, "rent") != 0) {
        deals_field(fields, "type", "a deal from a lead is a buy or rent deal");
        return TS_DECLINED;
    }
    cJSON *b = cJSON_Duplicate(j, true);
    ts_pool_cleanup_add(r->pool, (void (*)(void *)) cJSON_Delete, b);
    cJSON_DeleteItemFromObjectCaseSensitive(b, "from_lead");
    if (type == NULL) {
        cJSON_AddStringToObject(b, "type", tx != NULL && strcmp(tx, "rent") == 0 ? "rent" : "buy");
    }
    if (cJSON_GetObjectItemCaseSensitive(b, "name") == NULL) {
        const char *name = ts_db_get(c, 0, "name");
        const char *company = ts_db_get(c, 0, "company");
        if (*name == '\0') {
            name = company && *company ? company : ts_psprintf(r->pool, "Contact %lld", (long long) cid);
        }
        /* at most 100 characters, cut before a UTF-8 continuation byte */
        size_t n = 0, chars = 0;
        while (name[n] && (chars < 100 || ((unsigned char) name[n] & 0xC0) == 0x80)) {
            chars += ((unsigned char) name[n] & 0xC0) != 0x80;
            n++;
        }
        cJSON_AddStringToObject(b, "name", ts_pstrndup(r->pool, name, n));
    }
    /* The lead is the main contact; co-contacts given beside it stay. */
    cJSON *list = cJSON_GetObjectItemCaseSensitive(b, "contacts");
    if (list == NULL) {
        list = cJSON_AddArrayToObject(b, "contacts");
    }
    if (cJSON_IsArray(list)) {
        cJSON *m = cJSON_CreateObject();
        cJSON_AddNumberToObject(m, "id", (double) cid);
        cJSON_AddStringToObject(m, "kind", "main");
        cJSON_InsertItemInArray(list, 0, m);
    }
    *out = b;
    return TS_OK;
}

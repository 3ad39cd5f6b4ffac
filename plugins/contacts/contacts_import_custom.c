/* Custom fields in the CSV import: a row's custom.<key> cells typed by the
 * tenant's field definitions and checked as the API checks them (types,
 * options, required, validate, compute), in the preview and in the job.
 * A refused value makes its row invalid, named by its column and field. */
#include <string.h>
#include "contacts.h"
#include "contacts_import_custom.h"

struct contacts_import_custom {
    ts_request_t *r;
    const char   *kind;     /* "lead", "contact", "relation" */
    cJSON        *defs;     /* this kind's definitions */
};

contacts_import_custom_t *
contacts_import_custom_load(ts_request_t *r, contacts_import_kind_t k)
{
    contacts_import_custom_t *c = ts_pcalloc(r->pool, sizeof(*c));
    c->r = r;
    c->kind = k == IMPORT_RELATIONS ? "relation" : k == IMPORT_CONTACTS ? "contact" : "lead";
    c->defs = ts_custom_fields_defs(r, c->kind);
    if (c->defs == NULL) {
        return NULL;
    }
    ts_pool_cleanup_add(r->pool, (void (*)(void *)) cJSON_Delete, c->defs);
    return c;
}

const cJSON *
contacts_import_custom_defs(const contacts_import_custom_t *c)
{
    return c->defs;
}

static const cJSON *
def_of(const contacts_import_custom_t *c, const char *key)
{
    const cJSON *d;
    cJSON_ArrayForEach(d, c->defs) {
        if (strcmp(contacts_json_str(d, "key"), key) == 0) {
            return d;
        }
    }
    return NULL;
}

static int
column_of_key(const contacts_import_map_t *m, const char *key)
{
    for (size_t i = 0; i < m->n; i++) {
        if (m->field[i] != NULL && strcmp(m->custom[i], key) == 0) {
            return (int) i;
        }
    }
    return -1;
}

int
contacts_import_custom_row(contacts_import_custom_t *c, const contacts_import_map_t *m, cJSON *rec,
                           contacts_row_errors_t *errs)
{
    /* Without definitions custom stays free-form text, as the API keeps it. */
    if (c == NULL || cJSON_GetArraySize(c->defs) == 0) {
        return 0;
    }
    ts_pool_t *p = c->r->pool;
    for (size_t i = 0; i < m->n; i++) {
        if (m->field[i] != NULL && m->custom[i][0] != '\0' && def_of(c, m->custom[i]) == NULL) {
            contacts_row_error(errs, (int) i, ts_psprintf(p, "custom.%s", m->custom[i]),
                               "custom.%s: unknown field", m->custom[i]);
        }
    }
    if (errs->n > 0) {
        return (int) errs->n;
    }
    cJSON *custom = cJSON_GetObjectItemCaseSensitive(rec, "custom");
    cJSON *values = cJSON_IsObject(custom) ? cJSON_Duplicate(custom, 1) : cJSON_CreateObject();
    const cJSON *d;
    cJSON_ArrayForEach(d, c->defs) {
        const char *key = contacts_json_str(d, "key");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(values, key);
        if (!cJSON_IsString(v) || strcmp(contacts_json_str(d, "type"), "text") == 0
            || strcmp(contacts_json_str(d, "type"), "url") == 0) {
            continue;
        }
        cJSON *typed = contacts_import_typed(contacts_json_str(d, "type"),
                                             cJSON_GetObjectItemCaseSensitive(d, "options"),
                                             v->valuestring);
        if (typed != NULL) {
            cJSON_ReplaceItemInObjectCaseSensitive(values, key, typed);
        }
    }
    cJSON *errors = NULL;
    int rc = ts_custom_fields_check(c->r, c->kind, rec, values, &errors);
    if (rc == TS_DECLINED) {
        const cJSON *e;
        cJSON_ArrayForEach(e, errors) {
            contacts_row_error(errs, column_of_key(m, e->string), ts_psprintf(p, "custom.%s", e->string),
                               "custom.%s: %s", e->string, cJSON_GetStringValue(e));
        }
        cJSON_Delete(errors);
        cJSON_Delete(values);
        return (int) errs->n;
    }
    if (rc != TS_OK) {
        cJSON_Delete(values);
        contacts_row_error(errs, -1, "custom", "the custom fields could not be checked");
        return (int) errs->n;
    }
    /* Typed and computed values are what the record gets. */
    if (cJSON_GetArraySize(values) > 0) {
        cJSON_DeleteItemFromObjectCaseSensitive(rec, "custom");
        cJSON_AddItemToObject(rec, "custom", values);
    } else {
        cJSON_Delete(values);
    }
    return 0;
}

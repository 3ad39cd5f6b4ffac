/* The event bus: emitted inside a transaction, delivered after it commits;
 * and the audit log of who changed what. */
#include <stdlib.h>
#include <string.h>
#include "ts_core.h"

#define MAX_SUBS 256

typedef struct {
    char          *event;     /* "contact.created" or "*" */
    char          *plugin;
    ts_event_fn_t  fn;
} sub_t;

struct ts_event_q {
    const char   *event;
    cJSON        *payload;
    ts_event_q_t *next;
};

static sub_t subs[MAX_SUBS];
static int nsubs;

void
ts_events_reset(void)
{
    for (int i = 0; i < nsubs; i++) {
        free(subs[i].event);
        free(subs[i].plugin);
    }
    nsubs = 0;
}

int
ts_event_on(ts_plugin_ctx_t *ctx, const char *event, ts_event_fn_t fn)
{
    if (!ctx->in_init || nsubs == MAX_SUBS || fn == NULL) {
        ts_log_error("%s: ts_event_on(%s) refused outside init or table full", ctx->name, event);
        return TS_ERROR;
    }
    subs[nsubs++] = (sub_t) { strdup(event), strdup(ctx->name), fn };
    return TS_OK;
}

static void
json_delete(void *j)
{
    cJSON_Delete(j);
}

static void
deliver(ts_request_t *r, const char *event, const cJSON *payload)
{
    for (int i = 0; i < nsubs; i++) {
        if ((strcmp(subs[i].event, event) == 0 || strcmp(subs[i].event, "*") == 0)
            && ts_tenant_plugin_enabled(r, subs[i].plugin)) {
            subs[i].fn(r, event, payload);
        }
    }
}

int
ts_event_emit(ts_request_t *r, const char *event, cJSON *payload)
{
    ts_req_core_t *c = TS_CORE(r);
    if (payload == NULL) {
        payload = cJSON_CreateObject();
    }
    ts_pool_cleanup_add(r->pool, json_delete, payload);
    if (!c->in_tx) {
        deliver(r, event, payload);
        return TS_OK;
    }
    ts_event_q_t *q = ts_palloc(r->pool, sizeof(*q));
    q->event = ts_pstrdup(r->pool, event);
    q->payload = payload;
    q->next = NULL;
    if (c->events == NULL) {
        c->events = q;
    } else {
        c->events_tail->next = q;
    }
    c->events_tail = q;
    return TS_OK;
}

void
ts_events_discard(ts_request_t *r)
{
    TS_CORE(r)->events = TS_CORE(r)->events_tail = NULL;
}

void
ts_events_dispatch(ts_request_t *r)
{
    ts_req_core_t *c = TS_CORE(r);
    /* Subscribers may emit again; those are delivered in the same pass. */
    c->dispatching++;
    while (c->events != NULL) {
        ts_event_q_t *q = c->events;
        c->events = q->next;
        deliver(r, q->event, q->payload);
    }
    if (--c->dispatching == 0) {
        /* What the subscribers asked to rescore, in one statement for the batch. */
        ts_lua_rescore_flush(r);
    }
}

int
ts_audit(ts_request_t *r, const char *entity, int64_t entity_id, const char *action,
         const cJSON *changes)
{
    char *text = NULL;
    if (changes != NULL) {
        char *tmp = cJSON_PrintUnformatted(changes);
        text = ts_pstrdup(r->pool, tmp);
        cJSON_free(tmp);
    }
    return ts_db_exec(r, "INSERT INTO audit_log (tenant_id, user_id, entity, entity_id, action,"
                         " changes) VALUES ({tenant}, ?, ?, ?, ?, ?)", "isiss",
                      r->user ? r->user->id : (int64_t) 0, entity, entity_id, action, text);
}

int
ts_audit_batch(ts_request_t *r, const char *entity, const char *action, const cJSON *items)
{
    if (cJSON_GetArraySize(items) == 0) {
        return TS_OK;
    }
    /* The changes travel as text, which JSON_TABLE hands over as it is; the
     * ordinality keeps the rows (and so their ids) in the order of items. */
    cJSON *rows = cJSON_CreateArray();
    const cJSON *it;
    cJSON_ArrayForEach(it, items) {
        cJSON *row = cJSON_CreateObject();
        const cJSON *changes = cJSON_GetObjectItemCaseSensitive(it, "changes");
        cJSON_AddNumberToObject(row, "id", cJSON_GetNumberValue(
                                    cJSON_GetObjectItemCaseSensitive(it, "id")));
        if (cJSON_IsString(changes)) {
            cJSON_AddStringToObject(row, "c", changes->valuestring);
        } else if (changes != NULL) {
            char *c = cJSON_PrintUnformatted(changes);
            cJSON_AddStringToObject(row, "c", c ? c : "null");
            cJSON_free(c);
        }
        cJSON_AddItemToArray(rows, row);
    }
    char *tmp = cJSON_PrintUnformatted(rows);
    cJSON_Delete(rows);
    if (tmp == NULL) {
        return TS_ERROR;
    }
    int rc = ts_db_exec(r, "INSERT INTO audit_log (tenant_id, user_id, entity, entity_id, action,"
                           " changes) SELECT {tenant}, ?, ?, j.id, ?, j.c FROM JSON_TABLE(?,"
                           " '$[*]' COLUMNS (n FOR ORDINALITY, id BIGINT PATH '$.id', c LONGTEXT"
                           " PATH '$.c')) AS j ORDER BY j.n",
                        "isss", r->user ? r->user->id : (int64_t) 0, entity, action, tmp);
    cJSON_free(tmp);
    return rc;
}

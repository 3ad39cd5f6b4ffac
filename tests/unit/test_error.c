/* The one JSON error shape, and the answers built on it. */
#include <string.h>
#include "ts_core.h"
#include "tap.h"

static ts_conf_t conf;

static cJSON *
body(ts_request_t *r)
{
    return cJSON_ParseWithLength(TS_CORE(r)->body.data, TS_CORE(r)->body.len);
}

int
main(void)
{
    ts_conf = &conf;
    ts_pool_t *p = ts_pool_create(0);
    ts_request_t *r = ts_req_detached(p);

    cJSON *f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "email", "invalid");
    is_int(ts_resp_error(r, 422, "validation_failed", "some fields are invalid", f), 422, "returns the status");
    cJSON *j = body(r);
    ok(j != NULL, "the body is JSON");
    cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
    is_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "code")), "validation_failed", "error.code");
    is_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "message")), "some fields are invalid", "error.message");
    is_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(e, "fields"), "email")), "invalid", "error.fields.email");
    is_int(TS_CORE(r)->status, 422, "status recorded");
    ok(strstr(TS_CORE(r)->headers.data, "Content-Type: application/json") != NULL, "JSON content type");
    cJSON_Delete(j);

    r = ts_req_detached(p);
    ts_resp_error(r, 404, "not_found", "no \"such\" <thing>", NULL);
    j = body(r);
    e = cJSON_GetObjectItemCaseSensitive(j, "error");
    is_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "message")), "no \"such\" <thing>", "messages are escaped into valid JSON");
    ok(cJSON_GetObjectItemCaseSensitive(e, "fields") == NULL, "no fields when none given");
    cJSON_Delete(j);

    r = ts_req_detached(p);
    cJSON *items = cJSON_CreateArray();
    cJSON_AddItemToArray(items, cJSON_CreateNumber(1));
    ts_resp_list(r, items, "17", 42);
    j = body(r);
    is_int(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "data")), 1, "list data");
    is_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "next_cursor")), "17", "list next_cursor");
    is_int((long long) cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(j, "total")), 42, "list total");
    cJSON_Delete(j);

    r = ts_req_detached(p);
    is_int(ts_resp_header(r, "X-Test", "a\r\nSet-Cookie: x=1"), TS_ERROR, "header injection refused");
    ok(strstr(TS_CORE(r)->headers.data, "Set-Cookie") == NULL, "nothing was added");
    ts_resp_redirect(r, "//evil.example/x");
    ok(strstr(TS_CORE(r)->headers.data, "Location: /\r\n") != NULL, "no open redirect to another host");
    is_int(TS_CORE(r)->status, 303, "redirects are 303");

    r = ts_req_detached(p);
    cJSON *big = cJSON_CreateArray();
    for (int i = 0; i < 5000; i++) cJSON_AddItemToArray(big, cJSON_CreateString("0123456789"));
    ts_resp_data(r, 200, big);
    j = body(r);
    is_int(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "data")), 5000, "a large body is serialised whole");
    cJSON_Delete(j);
    is_str(ts_status_text(413), "Payload Too Large", "413 text");
    is_str(ts_status_text(429), "Too Many Requests", "429 text");
    ts_pool_destroy(p);
    return done_testing();
}

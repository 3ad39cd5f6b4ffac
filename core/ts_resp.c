/* Answers: status, headers and body, with one JSON error shape for every failure. */
#include <fcgiapp.h>
#include <stdio.h>
#include <string.h>
#include "ts_core.h"

const char *
ts_status_text(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 406: return "Not Acceptable";
    case 410: return "Gone";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 412: return "Precondition Failed";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default:  return "Unknown";
    }
}

int
ts_resp_header(ts_request_t *r, const char *name, const char *value)
{
    ts_req_core_t *c = TS_CORE(r);
    /* A header value never carries a line break: no response splitting. */
    if (strpbrk(name, "\r\n:") != NULL || strpbrk(value, "\r\n") != NULL) {
        ts_log_error("header %s refused: line break in value", name);
        return TS_ERROR;
    }
    ts_buf_str(&c->headers, name);
    ts_buf_str(&c->headers, ": ");
    ts_buf_str(&c->headers, value);
    ts_buf_str(&c->headers, "\r\n");
    return TS_OK;
}

int
ts_resp_body(ts_request_t *r, int status, const char *content_type, const char *body,
             size_t len)
{
    ts_req_core_t *c = TS_CORE(r);
    c->status = status;
    c->answered = true;
    if (content_type != NULL) {
        ts_resp_header(r, "Content-Type", content_type);
    }
    c->body.len = 0;
    if (len > 0) {
        ts_buf_add(&c->body, body, len);
    }
    return status;
}

int
ts_resp_json(ts_request_t *r, int status, cJSON *body)
{
    /* Serialised straight into the arena: no malloc'd copy to free. */
    ts_req_core_t *c = TS_CORE(r);
    char *text = NULL;
    if (body != NULL) {
        int cap = 4096;
        for (;;) {
            text = ts_palloc(r->pool, (size_t) cap);
            if (text == NULL || cJSON_PrintPreallocated(body, text, cap, false)) {
                break;
            }
            cap *= 4;
            if (cap > 256 << 20) {
                text = NULL;
                break;
            }
        }
        cJSON_Delete(body);
    }
    if (text == NULL) {
        text = "{\"error\":{\"code\":\"internal\",\"message\":\"response too large\"}}";
        status = 500;
    }
    ts_resp_body(r, status, "application/json; charset=utf-8", text, strlen(text));
    (void) c;
    return status;
}

int
ts_resp_data(ts_request_t *r, int status, cJSON *data)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "data", data ? data : cJSON_CreateNull());
    return ts_resp_json(r, status, o);
}

int
ts_resp_list(ts_request_t *r, cJSON *items, const char *next_cursor, long long total)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "data", items ? items : cJSON_CreateArray());
    if (next_cursor != NULL) {
        cJSON_AddStringToObject(o, "next_cursor", next_cursor);
    } else {
        cJSON_AddNullToObject(o, "next_cursor");
    }
    cJSON_AddNumberToObject(o, "total", (double) total);
    return ts_resp_json(r, 200, o);
}

static int
error_page(ts_request_t *r, int status, const char *message)
{
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    ts_tpl_set_int(d, "STATUS", status);
    ts_tpl_set(d, "STATUS_TEXT", ts_status_text(status));
    ts_tpl_set(d, "MESSAGE", message);
    return ts_resp_page(r, status, "error.tpl", d);
}

int
ts_resp_error(ts_request_t *r, int status, const char *code, const char *message,
              cJSON *fields)
{
    ts_req_core_t *c = TS_CORE(r);
    if ((c->route_flags & TS_ROUTE_HTML) && fields == NULL && status != 401) {
        return error_page(r, status, message);
    }
    cJSON *o = cJSON_CreateObject();
    cJSON *e = cJSON_AddObjectToObject(o, "error");
    cJSON_AddStringToObject(e, "code", code);
    cJSON_AddStringToObject(e, "message", message);
    if (fields != NULL) {
        cJSON_AddItemToObject(e, "fields", fields);
    }
    return ts_resp_json(r, status, o);
}

/* A path of our own site: "/x", never "//host" or "/\\host", and no control
 * character anywhere, since browsers drop tabs and newlines before parsing
 * ("/\t/evil" becomes "//evil"). */
bool
ts_local_path(const char *s)
{
    if (s == NULL || s[0] != '/' || s[1] == '/' || s[1] == '\\') {
        return false;
    }
    for (const unsigned char *c = (const unsigned char *) s; *c; c++) {
        if (*c < 0x20 || *c == 0x7f) {
            return false;
        }
    }
    return true;
}

int
ts_resp_redirect(ts_request_t *r, const char *location)
{
    /* Only paths of our own site: an open redirect would help phishing. */
    if (!ts_local_path(location)) {
        location = "/";
    }
    ts_resp_header(r, "Location", location);
    return ts_resp_body(r, 303, "text/plain; charset=utf-8", "", 0);
}

int
ts_resp_no_content(ts_request_t *r)
{
    return ts_resp_body(r, 204, NULL, "", 0);
}

int
ts_resp_page(ts_request_t *r, int status, const char *tpl, ts_tpl_dict_t *d)
{
    ts_req_core_t *c = TS_CORE(r);
    ts_buf_t out;
    ts_buf_init(&out, r->pool, 8192);
    ts_ui_layout(r, d);
    if (ts_tpl_render(r, tpl, d, &out) != TS_OK) {
        ts_log_error("template %s could not be rendered", tpl);
        static const char msg[] = "<!doctype html><title>Error</title><p>Internal error.</p>";
        return ts_resp_body(r, 500, "text/html; charset=utf-8", msg, sizeof(msg) - 1);
    }
    ts_resp_body(r, status, "text/html; charset=utf-8", out.data, out.len);
    (void) c;
    return status;
}

void
ts_req_finish(ts_request_t *r)
{
    ts_req_core_t *c = TS_CORE(r);
    if (c->fcgx == NULL) {
        return;
    }
    FCGX_Stream *out = c->fcgx->out;
    char line[160];
    int n = snprintf(line, sizeof(line),
                     "Status: %d %s\r\nContent-Length: %zu\r\n"
                     "X-Content-Type-Options: nosniff\r\n",
                     c->status, ts_status_text(c->status), c->body.len);
    FCGX_PutStr(line, n, out);
    if (c->headers.len) {
        FCGX_PutStr(c->headers.data, (int) c->headers.len, out);
    }
    FCGX_PutStr("\r\n", 2, out);
    if (!c->head_only && c->body.len) {
        FCGX_PutStr(c->body.data, (int) c->body.len, out);
    }
}

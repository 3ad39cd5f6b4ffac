/* Mail: an outbox table, sent over SMTP by a job when [smtp] is configured. */
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "ts_core.h"

static bool
header_safe(const char *s)
{
    return s != NULL && strpbrk(s, "\r\n") == NULL;
}

int
ts_mail_queue(ts_request_t *r, const char *to, const char *subject, const char *body)
{
    if (!header_safe(to) || !header_safe(subject) || strchr(to, '@') == NULL) {
        ts_log_error("mail to '%s' refused: bad address or subject", to ? to : "");
        return TS_ERROR;
    }
    bool smtp = ts_conf->smtp_url != NULL && ts_conf->smtp_url[0] != '\0';
    if (ts_db_exec(r, "INSERT INTO outbox (tenant_id, to_addr, subject, body, status)"
                      " VALUES ({tenant}, ?, ?, ?, ?)", "ssss", to, subject, body,
                   smtp ? "queued" : "held") != TS_OK) {
        return TS_ERROR;
    }
    if (!smtp) {
        return TS_OK;
    }
    cJSON *p = cJSON_CreateObject();
    cJSON_AddNumberToObject(p, "outbox_id", (double) ts_db_insert_id(r));
    int rc = ts_job_enqueue(r, "mail.send", p, 0);
    cJSON_Delete(p);
    return rc;
}

typedef struct {
    const char *data;
    size_t len;
    size_t off;
} src_t;

static size_t
read_cb(char *buf, size_t size, size_t n, void *ud)
{
    src_t *s = ud;
    size_t want = size * n, left = s->len - s->off;
    size_t k = want < left ? want : left;
    memcpy(buf, s->data + s->off, k);
    s->off += k;
    return k;
}

/* Subjects may hold any language: RFC 2047 base64 words. */
static char *
encoded_subject(ts_pool_t *p, const char *subject)
{
    size_t n = strlen(subject);
    size_t b64 = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
    char *enc = ts_palloc(p, b64);
    sodium_bin2base64(enc, b64, (const unsigned char *) subject, n,
                      sodium_base64_VARIANT_ORIGINAL);
    return ts_psprintf(p, "=?UTF-8?B?%s?=", enc);
}

static char *
address_of(ts_pool_t *p, const char *from)
{
    const char *lt = strchr(from, '<'), *gt = lt ? strchr(lt, '>') : NULL;
    return lt && gt ? ts_pstrndup(p, lt + 1, (size_t) (gt - lt - 1)) : ts_pstrdup(p, from);
}

static char *
message(ts_request_t *r, const char *to, const char *subject, const char *body)
{
    char date[64], id[33];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    ts_random_hex(id, 16);
    return ts_psprintf(r->pool,
                       "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\n"
                       "Message-ID: <%s@tesoro>\r\nMIME-Version: 1.0\r\n"
                       "Content-Type: text/plain; charset=utf-8\r\n"
                       "Content-Transfer-Encoding: 8bit\r\n\r\n%s\r\n",
                       ts_conf->smtp_from, to, encoded_subject(r->pool, subject), date, id,
                       body);
}

static int
smtp_send(ts_request_t *r, const char *to, const char *msg, const char **err)
{
    CURL *h = curl_easy_init();
    if (h == NULL) {
        *err = "curl: out of memory";
        return TS_ERROR;
    }
    src_t src = { msg, strlen(msg), 0 };
    struct curl_slist *rcpt = curl_slist_append(NULL, to);
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, ts_conf->smtp_url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 60000L);
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, address_of(r->pool, ts_conf->smtp_from));
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(h, CURLOPT_READDATA, &src);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    if (ts_conf->smtp_user && *ts_conf->smtp_user) {
        curl_easy_setopt(h, CURLOPT_USERNAME, ts_conf->smtp_user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, ts_conf->smtp_password);
        curl_easy_setopt(h, CURLOPT_USE_SSL, (long) CURLUSESSL_TRY);
    }
    CURLcode rc = curl_easy_perform(h);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(h);
    if (rc != CURLE_OK) {
        *err = ts_psprintf(r->pool, "smtp: %s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
        return TS_ERROR;
    }
    return TS_OK;
}

/* The job: one outbox row, marked sent or carrying its last error. */
int
ts_mail_send_job(ts_request_t *r, const cJSON *payload, const char **err)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(payload, "outbox_id");
    if (!cJSON_IsNumber(id)) {
        *err = "payload has no outbox_id";
        return TS_ERROR;
    }
    ts_db_result_t *res = ts_db_query(r, "SELECT to_addr, subject, body, status FROM outbox"
                                         " WHERE tenant_id = {tenant} AND id = ?", "i",
                                      (int64_t) id->valuedouble);
    if (res == NULL || ts_db_rows(res) == 0) {
        *err = "outbox row not found";
        return TS_ERROR;
    }
    if (strcmp(ts_db_get(res, 0, "status"), "sent") == 0) {
        return TS_OK;
    }
    const char *to = ts_db_get(res, 0, "to_addr");
    char *msg = message(r, to, ts_db_get(res, 0, "subject"), ts_db_get(res, 0, "body"));
    int rc = smtp_send(r, to, msg, err);
    /* After the job's last attempt nothing will send it: the outbox says so. */
    const char *status = rc == TS_OK ? "sent"
                         : TS_CORE(r)->job_last_attempt ? "failed" : "queued";
    ts_db_exec(r, "UPDATE outbox SET attempts = attempts + 1, status = ?, last_error = ?,"
                  " sent_at = IF(? = 'sent', NOW(), NULL) WHERE tenant_id = {tenant} AND id = ?",
               "sssi", status, rc == TS_OK ? NULL : *err, status, (int64_t) id->valuedouble);
    return rc;
}

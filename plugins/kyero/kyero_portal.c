/* Portal connections: one secret feed token per tenant and portal, stored as its SHA-256. */
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include "kyero.h"

static void
sha256_hex(const char *s, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *) s, strlen(s));
    sodium_bin2hex(out, 65, h, sizeof(h));
}

static const char *
portal_suffix(const char *portal)
{
    if (strcmp(portal, "kyero") == 0) {
        return ".xml";
    }
    if (strcmp(portal, "idealista") == 0) {
        return ".json";
    }
    return NULL;
}

int
kyero_portal_connect(ts_request_t *r, const char *portal, const cJSON *settings, char **url_out)
{
    const char *suffix = portal_suffix(portal);
    if (suffix == NULL) {
        return TS_DECLINED;
    }
    unsigned char raw[32];
    char token[65], hash[65];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(token, sizeof(token), raw, sizeof(raw));
    sha256_hex(token, hash);
    char *set = settings ? cJSON_PrintUnformatted(settings) : NULL;
    int rc = ts_db_exec(r, "INSERT INTO kyero_portal_connections (tenant_id, portal, token_hash,"
                           " settings, connected_by) VALUES ({tenant}, ?, ?, ?, NULLIF(?, 0))"
                           " ON DUPLICATE KEY UPDATE token_hash = VALUES(token_hash),"
                           " settings = VALUES(settings), connected_by = VALUES(connected_by),"
                           " connected_at = NOW()", "sssi", portal, hash, set,
                        r->user ? r->user->id : 0);
    cJSON_free(set);
    if (rc != TS_OK) {
        return TS_ERROR;
    }
    cJSON *changes = cJSON_CreateObject();
    cJSON_AddStringToObject(changes, "portal", portal);
    ts_audit(r, "kyero_portal", 0, "connect", changes);
    cJSON_Delete(changes);
    const char *base = r->tenant->base_url ? r->tenant->base_url : "";
    size_t n = strlen(base);
    *url_out = ts_psprintf(r->pool, "%.*s/feeds/%s/%s/%s%s", (int) (n && base[n - 1] == '/'
                                                                     ? n - 1 : n), base,
                           r->tenant->slug, portal, token, suffix);
    return TS_OK;
}

/* /feeds/{tenant}/{portal}/{token}{suffix}: the Host picked the tenant, the path must agree. */
int
kyero_portal_check(ts_request_t *r, const char *portal, const char *file)
{
    const char *slug = ts_req_param(r, "tenant");
    const char *suffix = portal_suffix(portal);
    size_t n = file ? strlen(file) : 0, sn = suffix ? strlen(suffix) : 0;
    if (r->tenant == NULL || slug == NULL || strcmp(slug, r->tenant->slug) != 0 || n != 64 + sn
        || strcmp(file + 64, suffix) != 0) {
        return TS_DECLINED;
    }
    char token[65], hash[65];
    memcpy(token, file, 64);
    token[64] = '\0';
    sha256_hex(token, hash);
    ts_db_result_t *res = ts_db_query(r, "SELECT token_hash FROM kyero_portal_connections"
                                         " WHERE tenant_id = {tenant} AND portal = ?", "s",
                                      portal);
    if (res == NULL) {
        return TS_ERROR;
    }
    const char *want = ts_db_rows(res) ? ts_db_get(res, 0, "token_hash") : NULL;
    if (want == NULL || strlen(want) != 64 || sodium_memcmp(want, hash, 64) != 0) {
        return TS_DECLINED;
    }
    return TS_OK;
}

const char *
kyero_portal_setting(ts_request_t *r, const char *portal, const char *key)
{
    ts_db_result_t *res = ts_db_query(r, "SELECT JSON_VALUE(settings, CONCAT('$.', ?)) AS v"
                                         " FROM kyero_portal_connections WHERE tenant_id ="
                                         " {tenant} AND portal = ?", "ss", key, portal);
    return res && ts_db_rows(res) ? ts_db_get(res, 0, "v") : NULL;
}

/* POST /api/v1/portals/{portal}/connect: a new secret feed URL (the old one stops working). */
static int
portal_connect_api(ts_request_t *r)
{
    const char *portal = ts_req_param(r, "portal");
    const cJSON *j = ts_req_json(r);
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(j, "customer_code");
    cJSON *settings = cJSON_CreateObject();
    for (const cJSON *e = j ? j->child : NULL; e; e = e->next) {
        if (strcmp(e->string, "customer_code") != 0) {
            cJSON *f = cJSON_CreateObject();
            cJSON_AddStringToObject(f, e->string, "unknown field");
            cJSON_Delete(settings);
            return ts_resp_error(r, 422, "validation_failed", "unknown field", f);
        }
    }
    if (code != NULL) {
        const char *v = cJSON_GetStringValue(code);
        if (v == NULL || strlen(v) > 100) {
            cJSON *f = cJSON_CreateObject();
            cJSON_AddStringToObject(f, "customer_code", "a string of at most 100 characters");
            cJSON_Delete(settings);
            return ts_resp_error(r, 422, "validation_failed", "bad customer code", f);
        }
        cJSON_AddStringToObject(settings, "customer_code", v);
    }
    char *url = NULL;
    int rc = kyero_portal_connect(r, portal, settings, &url);
    cJSON_Delete(settings);
    if (rc == TS_DECLINED) {
        return ts_resp_error(r, 404, "not_found", "this install publishes kyero and idealista",
                             NULL);
    }
    if (rc != TS_OK) {
        return TS_ERROR;
    }
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "portal", portal);
    cJSON_AddStringToObject(d, "feed_url", url);
    return ts_resp_data(r, 201, d);
}

static int
portal_list_api(ts_request_t *r)
{
    ts_db_result_t *res = ts_db_query(r, "SELECT portal, JSON_VALUE(settings, '$.customer_code')"
                                         " AS customer_code, connected_by, connected_at FROM"
                                         " kyero_portal_connections WHERE tenant_id = {tenant}"
                                         " ORDER BY portal", "");
    if (res == NULL) {
        return TS_ERROR;
    }
    return ts_resp_list(r, ts_db_rows_json(r, res), NULL, (long long) ts_db_rows(res));
}

int
kyero_portal_init(ts_plugin_ctx_t *ctx)
{
    if (ts_route_add_ex(ctx, TS_POST, "/api/v1/portals/{portal}/connect", portal_connect_api, 0,
                        TS_ROLE_ADMIN) != TS_OK) {
        return TS_ERROR;
    }
    return ts_route_add_ex(ctx, TS_GET, "/api/v1/portals", portal_list_api, 0, TS_ROLE_ADMIN);
}

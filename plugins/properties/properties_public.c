/* The agency's own website: published, available listings without private
 * fields (owner, commission, notes, agent, the street when hidden), their
 * photos, a view beacon that counts a visitor once an hour, and a simple
 * public page with schema.org JSON-LD. Public routes: the tenant comes from
 * the Host header and must be the one the path names. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include "properties.h"

#define ON_SITE "p.deleted_at IS NULL AND p.display_on_website = 1 AND" \
                " p.status IN ('active','under_offer','reserved','sold')"

static int
tenant_check(ts_request_t *r)
{
    const char *slug = ts_req_param(r, "tenant");
    if (r->tenant == NULL || slug == NULL || strcmp(slug, r->tenant->slug) != 0) {
        return ts_resp_error(r, 404, "not_found", "no such agency here", NULL);
    }
    return TS_OK;
}

#define PUBLIC_COLS "p.id, p.ref, p.type, p.transaction, p.status, p.price, p.currency," \
    " p.price_period, p.town, p.area, p.province, p.country, p.beds, p.baths, p.built_area," \
    " p.plot_area, p.terrace_area, p.year_built, p.energy_consumption, p.energy_emissions," \
    " p.new_build, p.hide_address, IF(p.hide_address, NULL, p.address) AS address," \
    " IF(p.hide_address, NULL, p.postal_code) AS postal_code," \
    " CAST(IF(p.hide_address, ROUND(p.latitude, 2), p.latitude) AS DOUBLE) AS latitude," \
    " CAST(IF(p.hide_address, ROUND(p.longitude, 2), p.longitude) AS DOUBLE) AS longitude," \
    " p.published_at, (SELECT m.id FROM property_media m WHERE m.tenant_id = p.tenant_id AND" \
    " m.property_id = p.id AND m.kind = 'photo' AND m.deleted_at IS NULL ORDER BY m.is_main DESC," \
    " m.position, m.id LIMIT 1) AS main_photo_id"

static cJSON *
public_item(ts_request_t *r, const ts_db_result_t *res, size_t i)
{
    cJSON *o = ts_db_row_json(r, res, i);
    cJSON_ReplaceItemInObjectCaseSensitive(o, "new_build",
        cJSON_CreateBool(ts_db_get_int(res, i, "new_build") != 0));
    cJSON_ReplaceItemInObjectCaseSensitive(o, "hide_address",
        cJSON_CreateBool(ts_db_get_int(res, i, "hide_address") != 0));
    /* Sold listings show as sold, without their price. */
    if (strcmp(ts_db_get(res, i, "status"), "sold") == 0) {
        cJSON_ReplaceItemInObjectCaseSensitive(o, "price", cJSON_CreateNull());
    }
    const char *photo = ts_db_get(res, i, "main_photo_id");
    cJSON_AddItemToObject(o, "photo", photo ? cJSON_CreateString(ts_psprintf(r->pool,
        "/public/v1/%s/media/%s/medium", r->tenant->slug, photo)) : cJSON_CreateNull());
    return o;
}

/* Filters of the public list: a small, fixed set. */
int
properties_public_list(ts_request_t *r)
{
    int rc = tenant_check(r);
    if (rc != TS_OK) {
        return rc;
    }
    properties_where_t w;
    w.n = 0;
    w.len = (size_t) snprintf(w.sql, sizeof(w.sql), "p.tenant_id = {tenant} AND " ON_SITE);
    static const struct { const char *name, *frag; } f[] = {
        { "type", "p.type = ?" }, { "transaction", "p.transaction = ?" }, { "town", "p.town = ?" },
        { "area", "p.area = ?" },
        { "price_min", "p.price >= CAST(? AS SIGNED)" }, { "price_max", "p.price <= CAST(? AS SIGNED)" },
        { "beds_min", "p.beds >= CAST(? AS SIGNED)" }, { "baths_min", "p.baths >= CAST(? AS SIGNED)" },
        { "after", "p.id > CAST(? AS SIGNED)" },
    };
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
        const char *v = ts_req_query(r, f[i].name);
        if (v != NULL && *v) {
            if (strlen(v) > 100) {
                return properties_validation_error(r, properties_one_error(f[i].name, "too long"));
            }
            if (strstr(f[i].frag, "SIGNED") && strspn(v, "0123456789") != strlen(v)) {
                return properties_validation_error(r, properties_one_error(f[i].name,
                                                   "a whole number"));
            }
            properties_where_add(&w, f[i].frag, 1, v);
        }
    }
    ts_db_result_t *res = properties_where_run(r, ts_psprintf(r->pool,
        "SELECT " PUBLIC_COLS " FROM properties p WHERE %s ORDER BY p.id LIMIT 51", w.sql), &w);
    if (res == NULL) {
        return TS_ERROR;
    }
    cJSON *a = cJSON_CreateArray();
    size_t n = ts_db_rows(res);
    for (size_t i = 0; i < n && i < 50; i++) {
        cJSON_AddItemToArray(a, public_item(r, res, i));
    }
    ts_resp_header(r, "Access-Control-Allow-Origin", "*");
    return ts_resp_list(r, a, n > 50 ? ts_db_get(res, 49, "id") : NULL, (long long) (n > 50 ? 50 : n));
}

static ts_db_result_t *
public_one(ts_request_t *r, int64_t *id)
{
    if (ts_req_param_id(r, "id", id) != TS_OK) {
        return NULL;
    }
    return ts_db_query(r, "SELECT " PUBLIC_COLS " FROM properties p WHERE p.tenant_id = {tenant}"
                          " AND p.id = ? AND " ON_SITE, "i", *id);
}

/* The listing of a public route: TS_OK, or the 404 answered. */
static int
public_target(ts_request_t *r, int64_t *id, ts_db_result_t **res)
{
    int rc = tenant_check(r);
    if (rc != TS_OK) {
        return rc;
    }
    *res = public_one(r, id);
    return ts_db_rows(*res) == 1 ? TS_OK
                                 : ts_resp_error(r, 404, "not_found", "no such property", NULL);
}

static cJSON *
public_record(ts_request_t *r, int64_t id, const ts_db_result_t *res)
{
    cJSON *o = public_item(r, res, 0);
    ts_db_result_t *d = ts_db_query(r, "SELECT lang, title, text FROM property_descriptions"
                                       " WHERE tenant_id = {tenant} AND property_id = ?", "i", id);
    cJSON *descs = cJSON_AddObjectToObject(o, "descriptions");
    for (size_t i = 0; i < ts_db_rows(d); i++) {
        cJSON *l = cJSON_AddObjectToObject(descs, ts_db_get(d, i, "lang"));
        cJSON_AddStringToObject(l, "title", ts_db_get(d, i, "title"));
        cJSON_AddStringToObject(l, "text", ts_db_get(d, i, "text") ? ts_db_get(d, i, "text") : "");
    }
    d = ts_db_query(r, "SELECT code FROM property_features WHERE tenant_id = {tenant} AND"
                       " property_id = ? ORDER BY code", "i", id);
    cJSON *feats = cJSON_AddArrayToObject(o, "features");
    for (size_t i = 0; i < ts_db_rows(d); i++) {
        cJSON_AddItemToArray(feats, cJSON_CreateString(ts_db_get(d, i, "code")));
    }
    d = ts_db_query(r, "SELECT id FROM property_media WHERE tenant_id = {tenant} AND property_id = ?"
                       " AND kind = 'photo' AND deleted_at IS NULL ORDER BY is_main DESC, position, id",
                    "i", id);
    cJSON *photos = cJSON_AddArrayToObject(o, "photos");
    for (size_t i = 0; i < ts_db_rows(d); i++) {
        cJSON_AddItemToArray(photos, cJSON_CreateString(ts_psprintf(r->pool,
            "/public/v1/%s/media/%s/large", r->tenant->slug, ts_db_get(d, i, "id"))));
    }
    return o;
}

int
properties_public_show(ts_request_t *r)
{
    int64_t id = 0;
    ts_db_result_t *res;
    int rc = public_target(r, &id, &res);
    if (rc != TS_OK) {
        return rc;
    }
    ts_resp_header(r, "Access-Control-Allow-Origin", "*");
    return ts_resp_data(r, 200, public_record(r, id, res));
}

int
properties_public_media(ts_request_t *r)
{
    int rc = tenant_check(r);
    if (rc != TS_OK) {
        return rc;
    }
    int64_t mid;
    if (ts_req_param_id(r, "mid", &mid) != TS_OK) {
        return ts_resp_error(r, 404, "not_found", "no such file", NULL);
    }
    return properties_media_send(r, mid, ts_req_param(r, "variant"), true);
}

/* POST .../properties/{id}/view: one view per visitor and property an hour.
 * The visitor is a hash of the address and browser, never stored as such;
 * hour_start holds the time of the counted view. */
int
properties_public_view(ts_request_t *r)
{
    int64_t id = 0;
    ts_db_result_t *res;
    int rc = public_target(r, &id, &res);
    if (rc != TS_OK) {
        return rc;
    }
    const char *addr = ts_req_remote_addr(r), *ua = ts_req_header(r, "User-Agent");
    const char *who = ts_psprintf(r->pool, "%lld|%s|%s", (long long) r->tenant->id,
                                  addr ? addr : "", ua ? ua : "");
    unsigned char h[32];
    char hex[65];
    crypto_generichash(h, sizeof(h), (const unsigned char *) who, strlen(who), NULL, 0);
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    if (ts_db_exec(r, "INSERT IGNORE INTO property_web_views (tenant_id, property_id, visitor,"
                      " hour_start) SELECT {tenant}, ?, ?, UTC_TIMESTAMP() FROM DUAL WHERE NOT EXISTS"
                      " (SELECT 1 FROM property_web_views v WHERE v.tenant_id = {tenant} AND"
                      " v.property_id = ? AND v.visitor = ? AND"
                      " v.hour_start > UTC_TIMESTAMP() - INTERVAL 1 HOUR)",
                   "isis", id, hex, id, hex) != TS_OK) {
        return TS_ERROR;
    }
    if (ts_db_affected(r) == 1
        && ts_db_exec(r, "UPDATE properties SET web_views = web_views + 1, updated_at = updated_at"
                         " WHERE tenant_id = {tenant} AND id = ?", "i", id) != TS_OK) {
        return TS_ERROR;
    }
    ts_resp_header(r, "Access-Control-Allow-Origin", "*");
    return ts_resp_no_content(r);
}

/* GET /p/{tenant}/{id}: a plain public page; the JSON-LD comes from
 * /public/v1/{tenant}/properties/{id}/jsonld, referenced by the page and
 * also embedded by properties.js for crawlers that run scripts. */
static cJSON *
jsonld(ts_request_t *r, int64_t id, const cJSON *rec)
{
    (void) id;
    cJSON *ld = cJSON_CreateObject();
    cJSON_AddStringToObject(ld, "@context", "https://schema.org");
    cJSON_AddStringToObject(ld, "@type", "RealEstateListing");
    const cJSON *descs = cJSON_GetObjectItemCaseSensitive(rec, "descriptions");
    const cJSON *first = cJSON_GetObjectItemCaseSensitive(descs, "en");
    first = first ? first : descs ? descs->child : NULL;
    const char *title = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(first, "title"));
    const char *ref = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "ref"));
    cJSON_AddStringToObject(ld, "name", title && *title ? title : ref);
    cJSON_AddStringToObject(ld, "identifier", ref);
    const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(first, "text"));
    if (text && *text) {
        cJSON_AddStringToObject(ld, "description", text);
    }
    const char *pub = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "published_at"));
    if (pub) {
        cJSON_AddStringToObject(ld, "datePosted", pub);
    }
    const cJSON *photos = cJSON_GetObjectItemCaseSensitive(rec, "photos"), *p;
    if (cJSON_GetArraySize(photos) > 0) {
        cJSON *img = cJSON_AddArrayToObject(ld, "image");
        cJSON_ArrayForEach(p, photos) {
            cJSON_AddItemToArray(img, cJSON_CreateString(ts_psprintf(r->pool, "%s%s",
                                 r->tenant->base_url ? r->tenant->base_url : "", p->valuestring)));
        }
    }
    cJSON *offer = cJSON_AddObjectToObject(ld, "offers");
    cJSON_AddStringToObject(offer, "@type", "Offer");
    const cJSON *price = cJSON_GetObjectItemCaseSensitive(rec, "price");
    if (cJSON_IsNumber(price)) {
        cJSON_AddNumberToObject(offer, "price", price->valuedouble / 100.0);
        cJSON_AddStringToObject(offer, "priceCurrency",
                                cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "currency")));
    }
    const char *status = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "status"));
    cJSON_AddStringToObject(offer, "availability", strcmp(status, "sold") == 0
                            ? "https://schema.org/SoldOut" : "https://schema.org/InStock");
    cJSON *place = cJSON_AddObjectToObject(ld, "contentLocation");
    cJSON_AddStringToObject(place, "@type", "Place");
    cJSON *addr = cJSON_AddObjectToObject(place, "address");
    cJSON_AddStringToObject(addr, "@type", "PostalAddress");
    static const char *const parts[][2] = { { "town", "addressLocality" },
        { "province", "addressRegion" }, { "country", "addressCountry" },
        { "postal_code", "postalCode" }, { "address", "streetAddress" } };
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, parts[i][0]));
        if (v) {
            cJSON_AddStringToObject(addr, parts[i][1], v);
        }
    }
    const cJSON *lat = cJSON_GetObjectItemCaseSensitive(rec, "latitude");
    const cJSON *lng = cJSON_GetObjectItemCaseSensitive(rec, "longitude");
    if (cJSON_IsNumber(lat) && cJSON_IsNumber(lng)) {
        cJSON *geo = cJSON_AddObjectToObject(place, "geo");
        cJSON_AddStringToObject(geo, "@type", "GeoCoordinates");
        cJSON_AddNumberToObject(geo, "latitude", lat->valuedouble);
        cJSON_AddNumberToObject(geo, "longitude", lng->valuedouble);
    }
    return ld;
}

int
properties_public_jsonld(ts_request_t *r)
{
    int64_t id = 0;
    ts_db_result_t *res;
    int rc = public_target(r, &id, &res);
    if (rc != TS_OK) {
        return rc;
    }
    cJSON *rec = public_record(r, id, res);
    cJSON *ld = jsonld(r, id, rec);
    cJSON_Delete(rec);
    char *txt = cJSON_PrintUnformatted(ld);
    cJSON_Delete(ld);
    if (txt == NULL) {
        return TS_ERROR;
    }
    char *body = ts_pstrdup(r->pool, txt);
    cJSON_free(txt);
    ts_resp_header(r, "Access-Control-Allow-Origin", "*");
    return ts_resp_body(r, 200, "application/ld+json", body, strlen(body));
}

int
properties_public_page(ts_request_t *r)
{
    int64_t id = 0;
    ts_db_result_t *res;
    int rc = public_target(r, &id, &res);
    if (rc != TS_OK) {
        return rc;
    }
    cJSON *rec = public_record(r, id, res);
    ts_pool_cleanup_add(r->pool, (void (*)(void *)) cJSON_Delete, rec);
    cJSON *ld = jsonld(r, id, rec);
    ts_pool_cleanup_add(r->pool, (void (*)(void *)) cJSON_Delete, ld);
    ts_tpl_dict_t *d = ts_tpl_dict(r);
    ts_tpl_set(d, "TITLE", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ld, "name")));
    ts_tpl_set(d, "NAME", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ld, "name")));
    const char *desc = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ld, "description"));
    ts_tpl_set(d, "DESCRIPTION", desc ? desc : "");
    const char *town = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "town"));
    ts_tpl_set(d, "TOWN", town ? town : "");
    ts_tpl_set(d, "STATUS", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "status")));
    const cJSON *price = cJSON_GetObjectItemCaseSensitive(rec, "price");
    ts_tpl_set(d, "PRICE", cJSON_IsNumber(price) ? ts_psprintf(r->pool, "%.0f %s",
               price->valuedouble / 100.0, cJSON_GetStringValue(
               cJSON_GetObjectItemCaseSensitive(rec, "currency"))) : "Sold");
    ts_tpl_set(d, "SLUG", r->tenant->slug);
    ts_tpl_set_int(d, "ID", id);
    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(rec, "photos")) {
        ts_tpl_set(ts_tpl_section(d, "PHOTO"), "SRC", p->valuestring);
    }
    return ts_resp_page(r, 200, "properties_public.tpl", d);
}

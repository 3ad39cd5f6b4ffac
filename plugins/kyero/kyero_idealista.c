/* The tenant's Idealista v6 customer JSON at /feeds/{tenant}/idealista/{token}.json: the
 * customer code from the connection, then each published listing Idealista's schema accepts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "kyero.h"
#include "kyero_published.h"
#include "kyero_values.h"

static const struct { const char *lang, *name; } langs[] = {
    { "es", "spanish" }, { "it", "italian" }, { "pt", "portuguese" }, { "en", "english" },
    { "de", "german" }, { "fr", "french" }, { "ru", "russian" }, { "zh", "chinese" },
    { "ca", "catalan" }, { "fi", "finnish" }, { "nl", "dutch" }, { "pl", "polish" },
    { "ro", "romanian" }, { "sv", "swedish" }, { "da", "danish" },
};

/* Our type codes in Idealista's three families we publish: homes, land, premises. */
static const struct { const char *code, *type; char family; } types[] = {
    { "apartment", "flat", 'h' }, { "ground_floor_apartment", "flat", 'h' },
    { "penthouse", "flat", 'h' }, { "duplex", "flat", 'h' }, { "studio", "flat", 'h' },
    { "villa", "house_independent", 'h' }, { "detached", "house_independent", 'h' },
    { "townhouse", "house_terraced", 'h' }, { "terraced", "house_terraced", 'h' },
    { "semi_detached", "house_semidetached", 'h' }, { "bungalow", "house", 'h' },
    { "country_house", "rustic_house", 'h' }, { "finca", "rustic_house", 'h' },
    { "cave_house", "rustic", 'h' }, { "plot", "land", 'l' },
    { "commercial", "premises_commercial", 'p' }, { "warehouse", "premises_industrial", 'p' },
};

static const char *
idealista_lang(const char *l)
{
    for (size_t i = 0; i < sizeof(langs) / sizeof(langs[0]); i++) {
        if (strcmp(l, langs[i].lang) == 0) {
            return langs[i].name;
        }
    }
    return NULL;
}

static long
num(const ts_db_result_t *p, size_t i, const char *col)
{
    const char *v = ts_db_get(p, i, col);
    return v ? strtol(v, NULL, 10) : 0;
}

static bool
has_feature(kyero_published_t *pub, size_t f0, size_t f1, const char *code)
{
    for (size_t f = f0; f < f1; f++) {
        if (strcmp(ts_db_get(pub->feats, f, "code"), code) == 0) {
            return true;
        }
    }
    return false;
}

/* One listing, or NULL when Idealista's schema has no place for it (price on request, no
 * area, a type it does not list, a country outside its markets). */
static cJSON *
idealista_property(ts_request_t *r, kyero_published_t *pub, size_t i)
{
    const ts_db_result_t *p = pub->props;
    size_t d0, d1, f0, f1;
    kyero_published_rows(pub, i, &d0, &d1, &f0, &f1);
    const char *type = ts_db_get(p, i, "type"), *itype = NULL;
    char family = 0;
    for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
        if (strcmp(type, types[t].code) == 0) {
            itype = types[t].type;
            family = types[t].family;
        }
    }
    long price = num(p, i, "price") / 100, built = num(p, i, "built_area");
    long plot = num(p, i, "plot_area"), baths = num(p, i, "baths"), beds = num(p, i, "beds");
    const char *country = kyero_country_name(ts_db_get(p, i, "country"));
    if (country == NULL) {
        country = "Spain";
    }
    const char *tr = ts_db_get(p, i, "transaction");
    if (itype == NULL || price < 1 || price > 99999999
        || (strcmp(country, "Spain") && strcmp(country, "Italy") && strcmp(country, "Portugal"))
        || (family == 'h' && (built < 1 || built > 99999 || baths < 1 || baths > 99 || beds < 1
                              || beds > 99))
        || (family == 'l' && (plot < 1 || plot > 99999999))
        || (family == 'p' && (built < 1 || built > 99999))) {
        return NULL;
    }
    const char *town = ts_db_get(p, i, "town"), *lat = ts_db_get(p, i, "latitude");
    const char *lon = ts_db_get(p, i, "longitude"), *street = ts_db_get(p, i, "address");
    if (!(lat && lon) && !(street && *street && town && *town)) {
        return NULL;   /* the address schema needs coordinates or street and town */
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "propertyCode", ts_db_get(p, i, "id"));
    char ref[51];
    snprintf(ref, sizeof(ref), "%s", ts_db_get(p, i, "ref"));
    ref[kyero_utf8_prefix(ref, 50, 50)] = '\0';
    cJSON_AddStringToObject(o, "propertyReference", ref);
    cJSON_AddStringToObject(o, "propertyVisibility", "idealista");
    cJSON *op = cJSON_AddObjectToObject(o, "propertyOperation");
    cJSON_AddStringToObject(op, "operationType", strcmp(tr, "sale") == 0 ? "sale" : "rent");
    cJSON_AddNumberToObject(op, "operationPrice", (double) price);
    cJSON *ad = cJSON_AddObjectToObject(o, "propertyAddress");
    cJSON_AddStringToObject(ad, "addressVisibility",
                            strcmp(ts_db_get(p, i, "hide_address"), "0") ? "hidden" : "street");
    if (street && *street && town && *town) {
        char s[201];
        snprintf(s, sizeof(s), "%s", street);
        s[kyero_utf8_prefix(s, 200, 200)] = '\0';
        cJSON_AddStringToObject(ad, "addressStreetName", s);
    }
    if (town && *town) {
        char t[51];
        snprintf(t, sizeof(t), "%s", town);
        t[kyero_utf8_prefix(t, 50, 50)] = '\0';
        cJSON_AddStringToObject(ad, "addressTown", t);
    }
    cJSON_AddStringToObject(ad, "addressCountry", country);
    if (lat && lon) {
        cJSON_AddStringToObject(ad, "addressCoordinatesPrecision",
                                strcmp(ts_db_get(p, i, "hide_address"), "0") ? "moved" : "exact");
        cJSON_AddNumberToObject(ad, "addressCoordinatesLatitude", strtod(lat, NULL));
        cJSON_AddNumberToObject(ad, "addressCoordinatesLongitude", strtod(lon, NULL));
    }
    cJSON *ft = cJSON_AddObjectToObject(o, "propertyFeatures");
    cJSON_AddStringToObject(ft, "featuresType", itype);
    if (family != 'l') {
        cJSON_AddNumberToObject(ft, "featuresAreaConstructed", (double) built);
    }
    if (plot >= 1 && plot <= 99999999) {
        cJSON_AddNumberToObject(ft, "featuresAreaPlot", (double) plot);
    }
    if (family == 'h') {
        cJSON_AddNumberToObject(ft, "featuresBathroomNumber", (double) baths);
        cJSON_AddNumberToObject(ft, "featuresBedroomNumber", (double) beds);
        cJSON_AddBoolToObject(ft, "featuresPool", has_feature(pub, f0, f1, "pool")
                                                  || has_feature(pub, f0, f1, "private_pool"));
        cJSON_AddBoolToObject(ft, "featuresGarden", has_feature(pub, f0, f1, "garden"));
        cJSON_AddBoolToObject(ft, "featuresTerrace", has_feature(pub, f0, f1, "terrace"));
        cJSON_AddBoolToObject(ft, "featuresLiftAvailable", has_feature(pub, f0, f1, "lift"));
        cJSON_AddBoolToObject(ft, "featuresConditionedAir",
                              has_feature(pub, f0, f1, "air_conditioning"));
    } else if (family == 'p' && baths >= 1 && baths <= 99) {
        cJSON_AddNumberToObject(ft, "featuresBathroomNumber", (double) baths);
    }
    const char *ec = ts_db_get(p, i, "energy_consumption");
    if (family != 'l' && ec && strchr("ABCDEFG", ec[0]) && ec[0]) {
        cJSON_AddStringToObject(ft, "featuresEnergyCertificateRating", ec);
    }
    cJSON *descs = cJSON_CreateArray();
    for (size_t d = d0; d < d1; d++) {
        const char *name = idealista_lang(ts_db_get(pub->descs, d, "lang"));
        const char *text = ts_db_get(pub->descs, d, "text");
        if (name == NULL || text == NULL) {
            continue;
        }
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "descriptionLanguage", name);
        char *t = ts_pstrdup(r->pool, text);
        t[kyero_utf8_prefix(t, 4000, strlen(t))] = '\0';
        /* The schema's ".{0,4000}" stops at a line end: new lines become spaces. */
        for (char *c = t; *c; c++) {
            *c = (*c == '\n' || *c == '\r') ? ' ' : *c;
        }
        cJSON_AddStringToObject(e, "descriptionText", t);
        cJSON_AddItemToArray(descs, e);
    }
    if (cJSON_GetArraySize(descs) > 0) {
        cJSON_AddItemToObject(o, "propertyDescriptions", descs);
    } else {
        cJSON_Delete(descs);
    }
    cJSON *imgs = cJSON_CreateArray();
    for (size_t k = pub->m0; k < pub->m1 && cJSON_GetArraySize(imgs) < 200; k++) {
        bool floor_plan = pub->photos[k].floor_plan;
        const char *u = pub->photos[k].url;
        if (strncmp(u, "http://", 7) && strncmp(u, "https://", 8)) {
            continue;
        }
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "imageUrl", u);
        cJSON_AddNumberToObject(e, "imageOrder", cJSON_GetArraySize(imgs) + 1);
        if (floor_plan) {
            cJSON_AddStringToObject(e, "imageLabel", "plan");
        }
        cJSON_AddItemToArray(imgs, e);
    }
    if (cJSON_GetArraySize(imgs) > 0) {
        cJSON_AddItemToObject(o, "propertyImages", imgs);
    } else {
        cJSON_Delete(imgs);
    }
    return o;
}

static int
idealista_feed(ts_request_t *r)
{
    int rc = kyero_portal_check(r, "idealista", ts_req_param(r, "file"));
    if (rc == TS_DECLINED) {
        return ts_resp_error(r, 404, "not_found", "no such feed", NULL);
    }
    kyero_published_t pub;
    if (rc != TS_OK || kyero_published_load(r, "idealista", &pub) != TS_OK) {
        return TS_ERROR;
    }
    const char *code = kyero_portal_setting(r, "idealista", "customer_code");
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "customerCountry", "Spain");
    cJSON_AddStringToObject(c, "customerCode", code ? code : "");
    char ref[51];
    snprintf(ref, sizeof(ref), "%s", r->tenant->name ? r->tenant->name : r->tenant->slug);
    ref[kyero_utf8_prefix(ref, 50, 50)] = '\0';
    cJSON_AddStringToObject(c, "customerReference", ref);
    cJSON *props = cJSON_AddArrayToObject(c, "customerProperties");
    for (size_t i = 0; i < ts_db_rows(pub.props); i++) {
        cJSON *o = idealista_property(r, &pub, i);
        if (o != NULL) {
            cJSON_AddItemToArray(props, o);
        }
    }
    char *body = cJSON_PrintUnformatted(props);
    char etag[24];
    kyero_etag(body, strlen(body), etag);
    cJSON_free(body);
    time_t now = time(NULL);
    struct tm tm;
    char sent[32];
    gmtime_r(&now, &tm);
    strftime(sent, sizeof(sent), "%Y/%m/%d %H:%M:%S", &tm);
    cJSON_AddStringToObject(c, "customerSendDate", sent);
    ts_resp_header(r, "ETag", etag);
    if (pub.last_modified != NULL) {
        ts_resp_header(r, "Last-Modified", pub.last_modified);
    }
    const char *inm = ts_req_header(r, "If-None-Match");
    if (inm != NULL && strcmp(inm, etag) == 0) {
        cJSON_Delete(c);
        return ts_resp_body(r, 304, "application/json", "", 0);
    }
    return ts_resp_json(r, 200, c);
}

int
kyero_idealista_init(ts_plugin_ctx_t *ctx)
{
    return ts_route_add_ex(ctx, TS_GET, "/feeds/{tenant}/idealista/{file}", idealista_feed,
                           TS_ROUTE_PUBLIC, TS_ROLE_NONE);
}

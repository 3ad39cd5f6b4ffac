/* The tenant's Kyero v3 feed at /feeds/{tenant}/kyero/{token}.xml, written with libxml2's
 * writer and valid against kyeroV3.0.xsd: only what the XSD allows, in its vocabularies. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <libxml/xmlwriter.h>
#include "kyero.h"
#include "kyero_published.h"
#include "kyero_values.h"

/* The languages kyeroV3.0.xsd lists for <desc> and <url>. */
static const char *const xsd_langs[] = { "ca", "de", "da", "en", "es", "fi", "fr", "it", "nl",
                                         "no", "pt", "ru", "sv" };

static bool
xsd_lang(const char *l)
{
    for (size_t i = 0; i < sizeof(xsd_langs) / sizeof(xsd_langs[0]); i++) {
        if (strcmp(l, xsd_langs[i]) == 0) {
            return true;
        }
    }
    return false;
}

static void
el(xmlTextWriterPtr w, const char *name, const char *v)
{
    xmlTextWriterWriteElement(w, BAD_CAST name, BAD_CAST v);
}

static void
el_clean(ts_request_t *r, xmlTextWriterPtr w, const char *name, const char *v)
{
    el(w, name, kyero_xml_clean(r, v));
}

/* "semi_detached" -> "semi detached": the XSD's type pattern has letters and spaces only. */
static char *
type_words(ts_request_t *r, const char *code)
{
    char *s = ts_pstrdup(r->pool, code && strlen(code) >= 3 ? code : "apartment");
    for (char *c = s; *c; c++) {
        if (!isalpha((unsigned char) *c) && *c != '&' && *c != '(' && *c != ')' && *c != '/'
            && *c != '-') {
            *c = ' ';
        }
    }
    return s;
}

static bool
image_url_ok(const char *u)
{
    if (u == NULL || (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0)) {
        return false;
    }
    const char *dot = strrchr(u, '.');
    static const char *const ext[] = { ".gif", ".jpg", ".jpeg", ".png", ".GIF", ".JPG", ".JPEG",
                                       ".PNG" };
    for (size_t i = 0; dot != NULL && i < sizeof(ext) / sizeof(ext[0]); i++) {
        if (strcmp(dot, ext[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* A listing Kyero's XSD cannot carry (no town, a currency it does not know) is left out. */
static bool
publishable(const ts_db_result_t *p, size_t i)
{
    const char *cur = ts_db_get(p, i, "currency");
    const char *town = ts_db_get(p, i, "town"), *prov = ts_db_get(p, i, "province");
    return cur && (strcmp(cur, "EUR") == 0 || strcmp(cur, "GBP") == 0 || strcmp(cur, "USD") == 0)
           && town && *town && prov && *prov;
}

static void
write_property(ts_request_t *r, xmlTextWriterPtr w, kyero_published_t *pub, size_t i)
{
    const ts_db_result_t *p = pub->props;
    size_t d0, d1, f0, f1;
    kyero_published_rows(pub, i, &d0, &d1, &f0, &f1);
    if (!publishable(p, i)) {
        return;
    }
    xmlTextWriterStartElement(w, BAD_CAST "property");
    el(w, "id", ts_db_get(p, i, "id"));
    el(w, "date", ts_db_get(p, i, "date"));
    el_clean(r, w, "ref", ts_db_get(p, i, "ref"));
    const char *price = ts_db_get(p, i, "price");
    el(w, "price", price ? ts_psprintf(r->pool, "%lld", strtoll(price, NULL, 10) / 100) : "x");
    el(w, "currency", ts_db_get(p, i, "currency"));
    const char *tr = ts_db_get(p, i, "transaction");
    el(w, "price_freq", strcmp(tr, "sale") == 0 ? "sale"
                        : strcmp(tr, "long_term_rent") == 0 ? "month" : "week");
    const char *bools[][2] = { { "part_ownership", "part_ownership" },
                               { "leasehold", "leasehold" } };
    for (size_t b = 0; b < 2; b++) {
        const char *v = ts_db_get(p, i, bools[b][1]);
        if (v != NULL) {
            el(w, bools[b][0], strcmp(v, "0") ? "1" : "0");
        }
    }
    el(w, "new_build", strcmp(ts_db_get(p, i, "new_build"), "0") ? "1" : "0");
    el(w, "type", type_words(r, ts_db_get(p, i, "type")));
    el_clean(r, w, "town", ts_db_get(p, i, "town"));
    el_clean(r, w, "province", ts_db_get(p, i, "province"));
    const char *country = kyero_country_name(ts_db_get(p, i, "country"));
    if (country != NULL) {
        el(w, "country", country);
    }
    const char *lat = ts_db_get(p, i, "latitude"), *lon = ts_db_get(p, i, "longitude");
    if (lat && lon) {
        xmlTextWriterStartElement(w, BAD_CAST "location");
        el(w, "latitude", lat);
        el(w, "longitude", lon);
        xmlTextWriterEndElement(w);
    }
    const char *area = ts_db_get(p, i, "area");
    if (area && *area) {
        char *a = kyero_xml_clean(r, area);
        a[kyero_utf8_prefix(a, 50, 200)] = '\0';
        el(w, "location_detail", a);
    }
    const char *nums[][2] = { { "beds", "beds" }, { "baths", "baths" } };
    for (size_t k = 0; k < 2; k++) {
        const char *v = ts_db_get(p, i, nums[k][1]);
        if (v != NULL && v[0] != '-') {
            el(w, nums[k][0], v);
        }
    }
    /* What the feed said, else a pool among the features; nothing when nobody said. */
    const char *pool = ts_db_get(p, i, "pool");
    bool has_pool = false;
    for (size_t f = f0; f < f1 && !has_pool; f++) {
        const char *code = ts_db_get(pub->feats, f, "code");
        has_pool = strcmp(code, "pool") == 0 || strcmp(code, "private_pool") == 0;
    }
    if (pool != NULL || has_pool) {
        el(w, "pool", pool == NULL || strcmp(pool, "0") != 0 ? "1" : "0");
    }
    const char *built = ts_db_get(p, i, "built_area"), *plot = ts_db_get(p, i, "plot_area");
    if (built || plot) {
        xmlTextWriterStartElement(w, BAD_CAST "surface_area");
        if (built) {
            el(w, "built", built);
        }
        if (plot) {
            el(w, "plot", plot);
        }
        xmlTextWriterEndElement(w);
    }
    const char *ec = ts_db_get(p, i, "energy_consumption");
    const char *ee = ts_db_get(p, i, "energy_emissions");
    if ((ec && strchr("ABCDEFGX", ec[0])) || (ee && strchr("ABCDEFGX", ee[0]))) {
        xmlTextWriterStartElement(w, BAD_CAST "energy_rating");
        if (ec && ec[0] && strchr("ABCDEFGX", ec[0])) {
            el(w, "consumption", ec);
        }
        if (ee && ee[0] && strchr("ABCDEFGX", ee[0])) {
            el(w, "emissions", ee);
        }
        xmlTextWriterEndElement(w);
    }
    cJSON *urls = ts_db_get(p, i, "urls") ? cJSON_Parse(ts_db_get(p, i, "urls")) : NULL;
    bool any_url = false;
    for (cJSON *u = urls ? urls->child : NULL; u; u = u->next) {
        const char *v = cJSON_GetStringValue(u);
        if (!xsd_lang(u->string) || v == NULL || strlen(v) > 255 || strpbrk(v, " \t\r\n")
            || (strncmp(v, "http://", 7) && strncmp(v, "https://", 8))) {
            continue;
        }
        if (!any_url) {
            xmlTextWriterStartElement(w, BAD_CAST "url");
            any_url = true;
        }
        el(w, u->string, v);
    }
    if (any_url) {
        xmlTextWriterEndElement(w);
    }
    cJSON_Delete(urls);
    xmlTextWriterStartElement(w, BAD_CAST "desc");
    for (size_t d = d0; d < d1; d++) {
        const char *lang = ts_db_get(pub->descs, d, "lang");
        if (xsd_lang(lang)) {
            el_clean(r, w, lang, ts_db_get(pub->descs, d, "text") ? ts_db_get(pub->descs, d,
                                                                               "text") : "");
        }
    }
    xmlTextWriterEndElement(w);
    if (f1 > f0) {
        xmlTextWriterStartElement(w, BAD_CAST "features");
        for (size_t f = f0; f < f1 && f < f0 + 50; f++) {
            char *words = ts_pstrdup(r->pool, ts_db_get(pub->feats, f, "code"));
            for (char *c = words; *c; c++) {
                *c = *c == '_' ? ' ' : *c;
            }
            el_clean(r, w, "feature", words);
        }
        xmlTextWriterEndElement(w);
    }
    xmlTextWriterStartElement(w, BAD_CAST "images");
    int n = 0;
    for (size_t k = pub->m0; k < pub->m1 && n < 50; k++) {
        const char *u = pub->photos[k].url;
        if (!image_url_ok(u) || strpbrk(u, " \t\r\n")) {
            continue;
        }
        xmlTextWriterStartElement(w, BAD_CAST "image");
        xmlTextWriterWriteFormatAttribute(w, BAD_CAST "id", "%d", ++n);
        el(w, "url", u);
        xmlTextWriterEndElement(w);
    }
    xmlTextWriterEndElement(w);
    const char *notes = ts_db_get(p, i, "notes");
    if (notes && *notes) {
        el_clean(r, w, "notes", notes);
    }
    xmlTextWriterEndElement(w);
}

static void
free_buffer(void *b)
{
    xmlBufferFree(b);
}

static int
kyero_feed_xml(ts_request_t *r)
{
    int rc = kyero_portal_check(r, "kyero", ts_req_param(r, "file"));
    if (rc == TS_DECLINED) {
        return ts_resp_error(r, 404, "not_found", "no such feed", NULL);
    }
    kyero_published_t pub;
    if (rc != TS_OK || kyero_published_load(r, "kyero", &pub) != TS_OK) {
        return TS_ERROR;
    }
    /* Sized for ~3 kB per listing, then doubling, not libxml2's exact-size growth: a 30 MB
     * feed must not be copied per write. */
    size_t guess = 3072 * ts_db_rows(pub.props);
    xmlBufferPtr buf = xmlBufferCreateSize((1 << 16) + (guess < (64u << 20) ? guess : (64u << 20)));
    if (buf != NULL) {
        xmlBufferSetAllocationScheme(buf, XML_BUFFER_ALLOC_DOUBLEIT);
    }
    xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
    if (w == NULL) {
        xmlBufferFree(buf);
        return TS_ERROR;
    }
    ts_pool_cleanup_add(r->pool, free_buffer, buf);
    xmlTextWriterSetIndent(w, 1);
    xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL);
    xmlTextWriterStartElement(w, BAD_CAST "root");
    xmlTextWriterStartElement(w, BAD_CAST "kyero");
    el(w, "feed_version", "3");
    time_t now = time(NULL);
    struct tm tm;
    char gen[32];
    gmtime_r(&now, &tm);
    strftime(gen, sizeof(gen), "%Y-%m-%d %H:%M:%S", &tm);
    el(w, "feed_generated", gen);
    xmlTextWriterEndElement(w);
    for (size_t i = 0; i < ts_db_rows(pub.props); i++) {
        write_property(r, w, &pub, i);
    }
    xmlTextWriterEndDocument(w);
    xmlFreeTextWriter(w);
    /* feed_generated changes every second: the ETag covers the listings only. */
    const char *body = (const char *) xmlBufferContent(buf);
    size_t len = (size_t) xmlBufferLength(buf);
    const char *listings = strstr(body, "</kyero>");
    char etag[24];
    kyero_etag(listings ? listings : body, len - (size_t) (listings ? listings - body : 0), etag);
    ts_resp_header(r, "ETag", etag);
    if (pub.last_modified != NULL) {
        ts_resp_header(r, "Last-Modified", pub.last_modified);
    }
    ts_resp_header(r, "Cache-Control", "private, no-cache");
    const char *inm = ts_req_header(r, "If-None-Match");
    if (inm != NULL && strcmp(inm, etag) == 0) {
        return ts_resp_body(r, 304, "application/xml", "", 0);
    }
    return ts_resp_body(r, 200, "application/xml; charset=utf-8", body, len);
}

int
kyero_publish_init(ts_plugin_ctx_t *ctx)
{
    return ts_route_add_ex(ctx, TS_GET, "/feeds/{tenant}/kyero/{file}", kyero_feed_xml,
                           TS_ROUTE_PUBLIC, TS_ROLE_NONE);
}

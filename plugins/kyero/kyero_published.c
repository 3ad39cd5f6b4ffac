/* Reading the published listings in four ordered queries, merged by property id. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kyero_published.h"

/* Available for portals: live statuses only. STRAIGHT_JOIN keeps the plan on the listings' key
 * order with one unique-key probe per listing: with statistics still stale after a big import,
 * the optimizer otherwise paired every listing with every publication of the tenant. */
#define PUBLISHED_JOIN \
    " FROM properties p JOIN property_publications pub ON pub.tenant_id = p.tenant_id" \
    " AND pub.property_id = p.id AND pub.current_portal = ?"
#define PUBLISHED_WHERE \
    " WHERE p.tenant_id = {tenant} AND p.deleted_at IS NULL AND p.status IN ('active'," \
    " 'under_offer', 'negotiating', 'reserved', 'under_contract', 'open_house', 'key_ready'," \
    " 'under_construction')"
#define PUBLISHED_FROM PUBLISHED_JOIN PUBLISHED_WHERE
#define PHOTO_COLUMNS \
    "m.property_id, m.position, m.id, m.is_floor_plan, COALESCE(m.source_url, m.url) AS url"
#define PHOTO_LIVE \
    " m.kind = 'photo' AND m.deleted_at IS NULL AND COALESCE(m.source_url, m.url) IS NOT NULL"

static int
photo_cmp(const void *a, const void *b)
{
    const kyero_photo_t *x = a, *y = b;
    if (x->property_id != y->property_id) {
        return x->property_id < y->property_id ? -1 : 1;
    }
    if (x->position != y->position) {
        return x->position < y->position ? -1 : 1;
    }
    return (x->id > y->id) - (x->id < y->id);
}

static bool
published_id(const kyero_published_t *pub, int64_t id)
{
    size_t lo = 0, hi = ts_db_rows(pub->props);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int64_t v = pub->ids[mid];
        if (v == id) {
            return true;
        }
        if (v < id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return false;
}

/* The photos of the published listings, sorted by listing, position and id. When most of the
 * tenant's listings are published, one pass over its media (clustered order) is cheaper than a
 * probe per listing, which reaches every photo row through a secondary index. */
static int
photos_load(ts_request_t *r, const char *portal, kyero_published_t *out)
{
    size_t published = ts_db_rows(out->props);
    if (published == 0) {
        return TS_OK;
    }
    /* The listings' ids once, in their (ascending) order: looked up for every photo. */
    out->ids = ts_palloc(r->pool, published * sizeof(*out->ids));
    for (size_t i = 0; i < published; i++) {
        out->ids[i] = ts_db_get_int(out->props, i, "id");
    }
    ts_db_result_t *all = ts_db_query(r, "SELECT COUNT(*) AS n FROM properties WHERE"
                                         " tenant_id = {tenant} AND deleted_at IS NULL", "");
    if (all == NULL) {
        return TS_ERROR;
    }
    bool scan = (int64_t) published * 4 >= ts_db_get_int(all, 0, "n");
    ts_db_result_t *res = scan
        ? ts_db_query(r, "SELECT " PHOTO_COLUMNS " FROM property_media m FORCE INDEX (PRIMARY)"
                         " WHERE m.tenant_id = {tenant} AND m.property_id IS NOT NULL AND"
                         PHOTO_LIVE, "")
        : ts_db_query(r, "SELECT STRAIGHT_JOIN " PHOTO_COLUMNS PUBLISHED_JOIN
                         " JOIN property_media m ON m.tenant_id = p.tenant_id"
                         " AND m.property_id = p.id AND" PHOTO_LIVE PUBLISHED_WHERE, "s", portal);
    if (res == NULL) {
        return TS_ERROR;
    }
    size_t n = ts_db_rows(res);
    out->photos = ts_palloc(r->pool, (n ? n : 1) * sizeof(*out->photos));
    for (size_t k = 0; k < n; k++) {
        int64_t pid = ts_db_get_int(res, k, "property_id");
        if (scan && !published_id(out, pid)) {
            continue;
        }
        const char *fp = ts_db_get(res, k, "is_floor_plan");
        out->photos[out->n_photos++] = (kyero_photo_t) {
            .property_id = pid,
            .position = ts_db_get_int(res, k, "position"),
            .id = ts_db_get_int(res, k, "id"),
            .floor_plan = fp && fp[0] == '1',
            .url = ts_db_get(res, k, "url"),
        };
    }
    qsort(out->photos, out->n_photos, sizeof(*out->photos), photo_cmp);
    return TS_OK;
}

static bool
children_sorted(const ts_db_result_t *res, const char *key)
{
    for (size_t i = 1; i < ts_db_rows(res); i++) {
        int64_t a = ts_db_get_int(res, i - 1, "property_id");
        int64_t b = ts_db_get_int(res, i, "property_id");
        if (a > b || (a == b && strcmp(ts_db_get(res, i - 1, key), ts_db_get(res, i, key)) > 0)) {
            return false;
        }
    }
    return true;
}

/* A child table's rows of the published listings, by listing and key. The nested loop
 * (listings by key, then the child's primary key) yields that order without a sort, where
 * an ORDER BY adds a temporary table of 50,000 rows; should a plan ever change that order,
 * the sorted query runs instead. */
static ts_db_result_t *
children_load(ts_request_t *r, const char *portal, const char *key, const char *plain,
              const char *sorted)
{
    ts_db_result_t *res = ts_db_query(r, plain, "s", portal);
    if (res == NULL || children_sorted(res, key)) {
        return res;
    }
    return ts_db_query(r, sorted, "s", portal);
}

#define DESCS_SQL \
    "SELECT STRAIGHT_JOIN d.property_id, d.lang, d.text" PUBLISHED_JOIN \
    " JOIN property_descriptions d ON d.tenant_id = p.tenant_id AND d.property_id = p.id" \
    PUBLISHED_WHERE
#define FEATS_SQL \
    "SELECT STRAIGHT_JOIN f.property_id, f.code" PUBLISHED_JOIN \
    " JOIN property_features f ON f.tenant_id = p.tenant_id AND f.property_id = p.id" \
    PUBLISHED_WHERE

int
kyero_published_load(ts_request_t *r, const char *portal, kyero_published_t *out)
{
    memset(out, 0, sizeof(*out));
    out->props = ts_db_query(r,
        "SELECT STRAIGHT_JOIN p.id, p.ref, p.type, p.transaction, p.price, p.currency,"
        " p.price_period, p.town,"
        " p.area, p.province, p.country, p.address, p.hide_address, p.postal_code, p.latitude,"
        " p.longitude, p.beds, p.baths, p.built_area, p.plot_area, p.energy_consumption,"
        " p.energy_emissions, p.new_build, p.notes, p.video_url, p.virtual_tour_url,"
        " DATE_FORMAT(GREATEST(p.updated_at, pub.published_at), '%Y-%m-%d %H:%i:%s') AS date,"
        " i.part_ownership, i.leasehold, i.pool, i.urls"
        PUBLISHED_JOIN " LEFT JOIN kyero_items i ON i.tenant_id = p.tenant_id"
        " AND i.property_id = p.id" PUBLISHED_WHERE " ORDER BY p.id", "s", portal);
    if (out->props == NULL) {
        return TS_ERROR;
    }
    /* Plain joins in the listings' key order: the children come sorted, no temporary table. */
    out->descs = children_load(r, portal, "lang", DESCS_SQL,
                               DESCS_SQL " ORDER BY d.property_id, d.lang");
    out->feats = out->descs ? children_load(r, portal, "code", FEATS_SQL,
                                            FEATS_SQL " ORDER BY f.property_id, f.code") : NULL;
    if (out->feats == NULL || photos_load(r, portal, out) != TS_OK) {
        return TS_ERROR;
    }
    /* A listing leaving the feed changes it too: the latest unpublication counts. */
    ts_db_result_t *lm = ts_db_query(r,
        "SELECT DATE_FORMAT(GREATEST(COALESCE((SELECT STRAIGHT_JOIN MAX(GREATEST(p.updated_at,"
        " pub.published_at))" PUBLISHED_FROM "), '1970-01-01'), COALESCE((SELECT"
        " MAX(unpublished_at) FROM property_publications WHERE tenant_id = {tenant}"
        " AND portal = ?), '1970-01-01')), '%a, %d %b %Y %H:%i:%s GMT') AS lm", "ss", portal,
        portal);
    if (lm == NULL) {
        return TS_ERROR;
    }
    out->last_modified = ts_db_rows(lm) ? ts_db_get(lm, 0, "lm") : NULL;
    return TS_OK;
}

static void
range(ts_db_result_t *res, size_t *cur, int64_t id, size_t *a, size_t *b)
{
    while (*cur < ts_db_rows(res) && ts_db_get_int(res, *cur, "property_id") < id) {
        (*cur)++;
    }
    *a = *cur;
    while (*cur < ts_db_rows(res) && ts_db_get_int(res, *cur, "property_id") == id) {
        (*cur)++;
    }
    *b = *cur;
}

void
kyero_published_rows(kyero_published_t *p, size_t i, size_t *d0, size_t *d1, size_t *f0,
                     size_t *f1)
{
    int64_t id = p->ids[i];
    range(p->descs, &p->d, id, d0, d1);
    range(p->feats, &p->f, id, f0, f1);
    while (p->m < p->n_photos && p->photos[p->m].property_id < id) {
        p->m++;
    }
    p->m0 = p->m;
    while (p->m < p->n_photos && p->photos[p->m].property_id == id) {
        p->m++;
    }
    p->m1 = p->m;
}

void
kyero_etag(const char *body, size_t len, char out[24])
{
    /* FNV-1a over 8-byte words (the tail byte by byte): a 30 MB feed in a few milliseconds. */
    uint64_t h = 1469598103934665603ULL, w;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        memcpy(&w, body + i, 8);
        h = (h ^ w) * 1099511628211ULL;
        h ^= h >> 29;
    }
    for (; i < len; i++) {
        h = (h ^ (unsigned char) body[i]) * 1099511628211ULL;
    }
    snprintf(out, 24, "\"%016llx\"", (unsigned long long) h);
}

char *
kyero_xml_clean(ts_request_t *r, const char *s)
{
    if (s == NULL) {
        return NULL;
    }
    size_t n = strlen(s);
    char *out = ts_palloc(r->pool, n + 1), *o = out;
    for (const unsigned char *c = (const unsigned char *) s; *c; c++) {
        if (*c >= 0x20 || *c == '\t' || *c == '\n' || *c == '\r') {
            *o++ = (char) *c;
        }
    }
    *o = '\0';
    return out;
}

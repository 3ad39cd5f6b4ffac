/* Reading the published listings in four ordered queries, merged by property id. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kyero_published.h"

/* Available for portals: live statuses only. */
#define PUBLISHED_JOIN \
    " FROM properties p JOIN property_publications pub ON pub.tenant_id = p.tenant_id" \
    " AND pub.property_id = p.id AND pub.portal = ? AND pub.unpublished_at IS NULL"
#define PUBLISHED_WHERE \
    " WHERE p.tenant_id = {tenant} AND p.deleted_at IS NULL AND p.status IN ('active'," \
    " 'under_offer', 'negotiating', 'reserved', 'under_contract', 'open_house', 'key_ready'," \
    " 'under_construction')"
#define PUBLISHED_FROM PUBLISHED_JOIN PUBLISHED_WHERE

int
kyero_published_load(ts_request_t *r, const char *portal, kyero_published_t *out)
{
    memset(out, 0, sizeof(*out));
    out->props = ts_db_query(r,
        "SELECT p.id, p.ref, p.type, p.transaction, p.price, p.currency, p.price_period, p.town,"
        " p.area, p.province, p.country, p.address, p.hide_address, p.postal_code, p.latitude,"
        " p.longitude, p.beds, p.baths, p.built_area, p.plot_area, p.energy_consumption,"
        " p.energy_emissions, p.new_build, p.notes, p.video_url, p.virtual_tour_url,"
        " DATE_FORMAT(GREATEST(p.updated_at, pub.published_at), '%Y-%m-%d %H:%i:%s') AS date,"
        " i.part_ownership, i.leasehold, i.pool, i.urls,"
        /* The photos as "F URL" lines (F: 1 for a floor plan): one row per listing. */
        " (SELECT GROUP_CONCAT(CONCAT(m.is_floor_plan, ' ', COALESCE(m.source_url, m.url))"
        " ORDER BY m.position, m.id SEPARATOR '\\n') FROM property_media m"
        " WHERE m.tenant_id = p.tenant_id AND m.property_id = p.id AND m.kind = 'photo'"
        " AND m.deleted_at IS NULL AND COALESCE(m.source_url, m.url) IS NOT NULL) AS photos"
        PUBLISHED_JOIN " LEFT JOIN kyero_items i ON i.tenant_id = p.tenant_id"
        " AND i.property_id = p.id" PUBLISHED_WHERE " ORDER BY p.id", "s", portal);
    if (out->props == NULL) {
        return TS_ERROR;
    }
    /* Plain joins in the listings' key order: the children come sorted, no temporary table. */
    out->descs = ts_db_query(r, "SELECT d.property_id, d.lang, d.text" PUBLISHED_JOIN
                                " JOIN property_descriptions d ON d.tenant_id = p.tenant_id"
                                " AND d.property_id = p.id" PUBLISHED_WHERE
                                " ORDER BY d.property_id, d.lang", "s", portal);
    out->feats = out->descs ? ts_db_query(r, "SELECT f.property_id, f.code" PUBLISHED_JOIN
                                " JOIN property_features f ON f.tenant_id = p.tenant_id"
                                " AND f.property_id = p.id" PUBLISHED_WHERE
                                " ORDER BY f.property_id, f.code", "s", portal) : NULL;
    /* A listing leaving the feed changes it too: the latest unpublication counts. */
    ts_db_result_t *lm = out->feats ? ts_db_query(r,
        "SELECT DATE_FORMAT(GREATEST(COALESCE((SELECT MAX(GREATEST(p.updated_at,"
        " pub.published_at))" PUBLISHED_FROM "), '1970-01-01'), COALESCE((SELECT"
        " MAX(unpublished_at) FROM property_publications WHERE tenant_id = {tenant}"
        " AND portal = ?), '1970-01-01')), '%a, %d %b %Y %H:%i:%s GMT') AS lm", "ss", portal,
        portal) : NULL;
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
    int64_t id = ts_db_get_int(p->props, i, "id");
    range(p->descs, &p->d, id, d0, d1);
    range(p->feats, &p->f, id, f0, f1);
}

const char *
kyero_published_photo(const char *cur, bool *floor_plan, const char **url, size_t *len)
{
    if (cur == NULL || *cur == '\0') {
        return NULL;
    }
    size_t n = strcspn(cur, "\n");
    *floor_plan = cur[0] == '1';
    *url = n > 2 ? cur + 2 : "";
    *len = n > 2 ? n - 2 : 0;
    return cur + n + (cur[n] == '\n');
}

void
kyero_etag(const char *body, size_t len, char out[24])
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
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

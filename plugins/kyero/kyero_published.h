/* The tenant's listings published on a portal and available, with their texts, features and
 * photos: what every publisher writes out. */
#ifndef KYERO_PUBLISHED_H
#define KYERO_PUBLISHED_H

#include <stdbool.h>
#include <stddef.h>
#include <tesoro/plugin.h>

typedef struct {
    int64_t property_id, position, id;
    bool floor_plan;
    const char *url;
} kyero_photo_t;

typedef struct {
    ts_db_result_t *props, *descs, *feats;
    int64_t *ids;            /* the listings' ids, ascending */
    size_t d, f;             /* cursors into descs and feats */
    kyero_photo_t *photos;   /* sorted by listing, position, id */
    size_t n_photos, m;      /* m: cursor into photos */
    size_t m0, m1;           /* the current listing's photos: [m0, m1), set by _rows */
    const char *last_modified;   /* RFC 1123, or NULL when nothing is published */
} kyero_published_t;

/* Never a sold, rented, cancelled, off-market, withdrawn, draft or deleted listing. */
int kyero_published_load(ts_request_t *r, const char *portal, kyero_published_t *out);

/* Rows of descs/feats for property row i, in order: [*first, *end), and its photos in
 * [m0, m1). Call for i in order. */
void kyero_published_rows(kyero_published_t *p, size_t i, size_t *d0, size_t *d1, size_t *f0,
                          size_t *f1);
/* An ETag for a body: a quoted 64-bit FNV-1a hash. */
void kyero_etag(const char *body, size_t len, char out[24]);

/* Copies s without the control characters XML 1.0 cannot carry. */
char *kyero_xml_clean(ts_request_t *r, const char *s);

#endif

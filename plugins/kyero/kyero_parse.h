/* The Kyero v3 feed as C structs, read by a streaming parser (libxml2's xmlReader). */
#ifndef KYERO_PARSE_H
#define KYERO_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#define KYERO_MAX_TEXTS    64     /* languages per <desc> or <url> */
#define KYERO_MAX_FEATURES 200
#define KYERO_MAX_IMAGES   200
#define KYERO_MAX_UNKNOWN  16
#define KYERO_MAX_VALUE    (1u << 20)   /* one element's text */

typedef struct {
    const char *lang;
    const char *text;
} kyero_text_t;

typedef struct {
    int         id;           /* the id attribute: the order of the images */
    const char *url;
    bool        floorplan;    /* <tags><tag>floorplan</tag></tags> */
} kyero_image_t;

/* A tri-state for the feed's booleans: absent, 0 or 1. */
typedef enum { KYERO_UNSET = -1, KYERO_NO = 0, KYERO_YES = 1 } kyero_bool_t;

/* One <property>. Strings are NULL when the element is absent; every string
 * lives until the callback returns. Numbers are -1 when absent. */
typedef struct {
    const char *id;
    const char *date;             /* "YYYY-MM-DD HH:MM:SS" as in the feed */
    const char *ref;
    const char *price_text;       /* as in the feed */
    long long   price;            /* whole units; -1 when price on request */
    bool        price_on_request; /* <price>x</price> */
    const char *currency;
    const char *price_freq;       /* sale, month or week */
    kyero_bool_t part_ownership, leasehold, new_build, pool, prime;
    const char *type;
    const char *town, *province, *country, *location_detail;
    bool        has_location;
    double      latitude, longitude;
    int         beds, baths;
    long long   built, plot;      /* m² */
    const char *energy_consumption, *energy_emissions;
    kyero_text_t urls[KYERO_MAX_TEXTS];
    int         nurls;
    kyero_text_t descs[KYERO_MAX_TEXTS];
    int         ndescs;
    const char *features[KYERO_MAX_FEATURES];
    int         nfeatures;
    kyero_image_t images[KYERO_MAX_IMAGES];   /* sorted by id */
    int         nimages;
    const char *notes, *catastral, *video_url, *virtual_tour_url;
    const char *email, *contact_number, *whatsapp_number;
    const char *unknown[KYERO_MAX_UNKNOWN];    /* element names the importer does not know */
    int         nunknown;
    /* Why the property cannot be imported (missing ref, bad price, ...), or NULL. */
    const char *invalid;
    int         line;             /* where the <property> started */
} kyero_property_t;

/* Called once per property, in document order; a non-zero return stops the parse. */
typedef int (*kyero_property_fn)(void *ctx, const kyero_property_t *p);

typedef struct {
    bool   ok;              /* the whole document parsed */
    int    line, column;    /* of the error when !ok */
    char   error[256];
    long   properties;      /* <property> elements seen */
    char   feed_version[8];
    char   feed_generated[32];
} kyero_parse_result_t;

/* Reads a document through `read` (returns bytes read, 0 at end, -1 on error).
 * No network, no DTD, no entity substitution: a document with a DOCTYPE is refused. */
typedef int (*kyero_read_fn)(void *ctx, char *buf, int len);
int kyero_parse_io(kyero_read_fn read, void *read_ctx, kyero_property_fn fn, void *ctx,
                   kyero_parse_result_t *res);
int kyero_parse_memory(const char *data, size_t len, kyero_property_fn fn, void *ctx,
                       kyero_parse_result_t *res);
/* A file larger than max_bytes is refused before a byte of it is parsed. */
int kyero_parse_fd(int fd, size_t max_bytes, kyero_property_fn fn, void *ctx,
                   kyero_parse_result_t *res);
int kyero_parse_file(const char *path, size_t max_bytes, kyero_property_fn fn, void *ctx,
                     kyero_parse_result_t *res);

#endif

/* The Kyero v3 streaming parser: xmlReader events mapped into one kyero_property_t at a time,
 * so memory stays constant whatever the size of the feed. */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE   /* O_CLOEXEC, strcasecmp under -std=c11 */
#endif
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libxml/xmlreader.h>
#include "kyero_parse.h"

#define MAX_DEPTH 8
#define NAME_LEN  32

/* Per-property strings: one arena, rewound after each callback. */
typedef struct chunk {
    struct chunk *next;
    size_t used, cap;
    char data[];
} chunk_t;

typedef struct {
    xmlTextReaderPtr rd;
    kyero_parse_result_t *res;
    kyero_property_fn fn;
    void *ctx;
    chunk_t *arena;
    kyero_property_t prop;
    bool in_property, in_kyero, seen_root, stop;
    char path[MAX_DEPTH][NAME_LEN];
    int collect_depth;          /* depth whose text is being gathered, -1 for none */
    char *buf;
    size_t len, cap;
    bool too_long;
    char reason[200];
} parser_t;

static void *
arena_alloc(parser_t *p, size_t n)
{
    n = (n + 7) & ~(size_t) 7;
    if (p->arena == NULL || p->arena->cap - p->arena->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        chunk_t *c = malloc(sizeof(chunk_t) + cap);
        if (c == NULL) {
            return NULL;
        }
        c->next = p->arena;
        c->used = 0;
        c->cap = cap;
        p->arena = c;
    }
    void *out = p->arena->data + p->arena->used;
    p->arena->used += n;
    return out;
}

/* Keeps the first chunk, frees the rest: a property with a huge description costs once. */
static void
arena_rewind(parser_t *p)
{
    while (p->arena != NULL && p->arena->next != NULL) {
        chunk_t *next = p->arena->next;
        free(p->arena);
        p->arena = next;
    }
    if (p->arena != NULL) {
        p->arena->used = 0;
    }
}

static void
arena_free(parser_t *p)
{
    while (p->arena != NULL) {
        chunk_t *next = p->arena->next;
        free(p->arena);
        p->arena = next;
    }
}

static char *
arena_strdup(parser_t *p, const char *s, size_t n)
{
    char *out = arena_alloc(p, n + 1);
    if (out != NULL) {
        memcpy(out, s, n);
        out[n] = '\0';
    }
    return out;
}

static void
invalid(parser_t *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The first reason wins: it is the one the report shows. */
static void
invalid(parser_t *p, const char *fmt, ...)
{
    if (p->prop.invalid != NULL) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
    va_end(ap);
    p->prop.invalid = p->reason;
}

static void
fail(parser_t *p, int line, int column, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
fail(parser_t *p, int line, int column, const char *fmt, ...)
{
    if (!p->res->ok && p->res->error[0] != '\0') {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->res->error, sizeof(p->res->error), fmt, ap);
    va_end(ap);
    p->res->ok = false;
    p->res->line = line;
    p->res->column = column;
    p->stop = true;
}

static void
fail_here(parser_t *p, const char *msg)
{
    fail(p, xmlTextReaderGetParserLineNumber(p->rd), xmlTextReaderGetParserColumnNumber(p->rd),
         "%s", msg);
}

/* libxml2's own errors carry the line and column of the fault. */
static void
on_xml_error(void *arg, xmlErrorPtr e)
{
    parser_t *p = arg;
    if (e == NULL || e->level == XML_ERR_WARNING) {
        return;
    }
    char msg[200];
    snprintf(msg, sizeof(msg), "%s", e->message ? e->message : "malformed XML");
    size_t n = strlen(msg);
    while (n > 0 && isspace((unsigned char) msg[n - 1])) {
        msg[--n] = '\0';
    }
    fail(p, e->line, e->int2, "%s", msg);
}

static void
text_reset(parser_t *p)
{
    p->len = 0;
    p->too_long = false;
}

static void
text_add(parser_t *p, const char *s)
{
    size_t n = strlen(s);
    if (p->too_long || p->len + n > KYERO_MAX_VALUE) {
        p->too_long = true;
        return;
    }
    if (p->len + n + 1 > p->cap) {
        size_t cap = p->cap ? p->cap : 4096;
        while (cap < p->len + n + 1) {
            cap *= 2;
        }
        char *b = realloc(p->buf, cap);
        if (b == NULL) {
            p->too_long = true;
            return;
        }
        p->buf = b;
        p->cap = cap;
    }
    memcpy(p->buf + p->len, s, n);
    p->len += n;
}

/* The collected text without the white space real feeds put around values. */
static const char *
text_value(parser_t *p, const char *field)
{
    if (p->too_long) {
        invalid(p, "%s: longer than %u bytes", field, KYERO_MAX_VALUE);
        return NULL;
    }
    size_t a = 0, b = p->len;
    while (a < b && isspace((unsigned char) p->buf[a])) {
        a++;
    }
    while (b > a && isspace((unsigned char) p->buf[b - 1])) {
        b--;
    }
    return arena_strdup(p, p->buf ? p->buf + a : "", b - a);
}

static void
set_str(parser_t *p, const char **slot, const char *field, const char *v)
{
    if (*slot != NULL) {
        invalid(p, "%s: the element appears twice", field);
        return;
    }
    *slot = v;
}

static kyero_bool_t
parse_bool(parser_t *p, const char *field, const char *v)
{
    if (*v == '\0') {
        return KYERO_UNSET;
    }
    if (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0) {
        return KYERO_YES;
    }
    if (strcmp(v, "0") == 0 || strcasecmp(v, "false") == 0 || strcasecmp(v, "no") == 0) {
        return KYERO_NO;
    }
    invalid(p, "%s: '%.40s' is not 0 or 1", field, v);
    return KYERO_UNSET;
}

/* Whole units; "1234.50" is tolerated (cents dropped), anything else is not a number. */
static bool
parse_whole(const char *v, long long max, long long *out)
{
    const char *s = v;
    long long n = 0;
    if (!isdigit((unsigned char) *s)) {
        return false;
    }
    for (; isdigit((unsigned char) *s); s++) {
        n = n * 10 + (*s - '0');
        if (n > max) {
            return false;
        }
    }
    if (*s == '.') {
        for (s++; isdigit((unsigned char) *s); s++) {
        }
    }
    if (*s != '\0') {
        return false;
    }
    *out = n;
    return true;
}

static void
set_count(parser_t *p, const char *field, const char *v, int *slot)
{
    long long n;
    if (*v == '\0') {
        return;   /* nillable in the XSD */
    }
    if (!parse_whole(v, 10000, &n)) {
        invalid(p, "%s: '%.40s' is not a number", field, v);
        return;
    }
    *slot = (int) n;
}

static void
set_area(parser_t *p, const char *field, const char *v, long long *slot)
{
    long long n;
    if (*v == '\0') {
        return;
    }
    if (!parse_whole(v, 100000000LL, &n)) {
        invalid(p, "%s: '%.40s' is not a number of m²", field, v);
        return;
    }
    *slot = n;
}

static void
set_coord(parser_t *p, const char *field, const char *v, double *slot, double limit)
{
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (*v == '\0' || *end != '\0' || errno != 0 || !isfinite(d) || fabs(d) > limit) {
        invalid(p, "%s: '%.40s' is not a coordinate", field, v);
        return;
    }
    *slot = d;
    p->prop.has_location = true;
}

static void
add_unknown(parser_t *p, const char *name)
{
    kyero_property_t *k = &p->prop;
    for (int i = 0; i < k->nunknown; i++) {
        if (strcmp(k->unknown[i], name) == 0) {
            return;
        }
    }
    if (k->nunknown < KYERO_MAX_UNKNOWN) {
        k->unknown[k->nunknown++] = arena_strdup(p, name, strlen(name));
    }
}

static void
add_text(parser_t *p, kyero_text_t *list, int *n, const char *field, const char *lang,
         const char *v)
{
    for (int i = 0; i < *n; i++) {
        if (strcmp(list[i].lang, lang) == 0) {
            invalid(p, "%s/%s: the element appears twice", field, lang);
            return;
        }
    }
    if (*n == KYERO_MAX_TEXTS) {
        invalid(p, "%s: more than %d languages", field, KYERO_MAX_TEXTS);
        return;
    }
    if (*v == '\0') {
        return;
    }
    list[*n].lang = arena_strdup(p, lang, strlen(lang));
    list[(*n)++].text = v;
}

/* A language code as feeds write them: en, es, zh, pt-br (kept lower case). */
static bool
lang_ok(const char *s)
{
    size_t n = strlen(s);
    return n >= 2 && n <= 8 && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_")
                               == n;
}

static void
property_field(parser_t *p, const char *name, const char *v)
{
    kyero_property_t *k = &p->prop;
    static const struct { const char *name; size_t off; } strs[] = {
        { "id", offsetof(kyero_property_t, id) },
        { "date", offsetof(kyero_property_t, date) },
        { "ref", offsetof(kyero_property_t, ref) },
        { "price", offsetof(kyero_property_t, price_text) },
        { "currency", offsetof(kyero_property_t, currency) },
        { "price_freq", offsetof(kyero_property_t, price_freq) },
        { "type", offsetof(kyero_property_t, type) },
        { "town", offsetof(kyero_property_t, town) },
        { "province", offsetof(kyero_property_t, province) },
        { "country", offsetof(kyero_property_t, country) },
        { "location_detail", offsetof(kyero_property_t, location_detail) },
        { "notes", offsetof(kyero_property_t, notes) },
        { "catastral", offsetof(kyero_property_t, catastral) },
        { "video_url", offsetof(kyero_property_t, video_url) },
        { "virtual_tour_url", offsetof(kyero_property_t, virtual_tour_url) },
        { "email", offsetof(kyero_property_t, email) },
        { "contact_number", offsetof(kyero_property_t, contact_number) },
        { "whatsapp_number", offsetof(kyero_property_t, whatsapp_number) },
    };
    static const struct { const char *name; size_t off; } bools[] = {
        { "part_ownership", offsetof(kyero_property_t, part_ownership) },
        { "leasehold", offsetof(kyero_property_t, leasehold) },
        { "new_build", offsetof(kyero_property_t, new_build) },
        { "pool", offsetof(kyero_property_t, pool) },
        { "prime", offsetof(kyero_property_t, prime) },
    };
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        if (strcmp(name, strs[i].name) == 0) {
            set_str(p, (const char **) ((char *) k + strs[i].off), name, v);
            return;
        }
    }
    for (size_t i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
        if (strcmp(name, bools[i].name) == 0) {
            *(kyero_bool_t *) ((char *) k + bools[i].off) = parse_bool(p, name, v);
            return;
        }
    }
    if (strcmp(name, "beds") == 0) {
        set_count(p, name, v, &k->beds);
    } else if (strcmp(name, "baths") == 0) {
        set_count(p, name, v, &k->baths);
    } else {
        add_unknown(p, name);
    }
}

/* Text of an element two levels inside <property>: <desc><en>, <location><latitude>, ... */
static void
property_subfield(parser_t *p, const char *parent, const char *name, const char *v)
{
    kyero_property_t *k = &p->prop;
    char both[2 * NAME_LEN + 2];
    snprintf(both, sizeof(both), "%s/%s", parent, name);
    if (strcmp(parent, "desc") == 0 || strcmp(parent, "url") == 0) {
        if (!lang_ok(name)) {
            add_unknown(p, both);
        } else if (parent[0] == 'd') {
            add_text(p, k->descs, &k->ndescs, parent, name, v);
        } else {
            add_text(p, k->urls, &k->nurls, parent, name, v);
        }
    } else if (strcmp(both, "location/latitude") == 0) {
        set_coord(p, both, v, &k->latitude, 90);
    } else if (strcmp(both, "location/longitude") == 0) {
        set_coord(p, both, v, &k->longitude, 180);
    } else if (strcmp(both, "surface_area/built") == 0) {
        set_area(p, both, v, &k->built);
    } else if (strcmp(both, "surface_area/plot") == 0) {
        set_area(p, both, v, &k->plot);
    } else if (strcmp(both, "energy_rating/consumption") == 0) {
        set_str(p, &k->energy_consumption, both, v);
    } else if (strcmp(both, "energy_rating/emissions") == 0) {
        set_str(p, &k->energy_emissions, both, v);
    } else if (strcmp(both, "features/feature") == 0) {
        if (k->nfeatures == KYERO_MAX_FEATURES) {
            invalid(p, "features: more than %d", KYERO_MAX_FEATURES);
        } else if (*v != '\0') {
            k->features[k->nfeatures++] = v;
        }
    } else {
        add_unknown(p, both);
    }
}

static bool
is_container(const char *name)
{
    static const char *const c[] = { "location", "surface_area", "energy_rating", "url", "desc",
                                     "features", "images" };
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        if (strcmp(name, c[i]) == 0) {
            return true;
        }
    }
    return false;
}

static void
image_start(parser_t *p)
{
    kyero_property_t *k = &p->prop;
    if (k->nimages == KYERO_MAX_IMAGES) {
        invalid(p, "images: more than %d", KYERO_MAX_IMAGES);
        return;
    }
    kyero_image_t *img = &k->images[k->nimages++];
    memset(img, 0, sizeof(*img));
    xmlChar *id = xmlTextReaderGetAttribute(p->rd, BAD_CAST "id");
    long long n = 0;
    if (id == NULL || !parse_whole((const char *) id, 100000, &n)) {
        /* Feeds without ids keep the document order. */
        n = k->nimages;
    }
    img->id = (int) n;
    xmlFree(id);
}

static bool
date_ok(const char *s)
{
    int y, mo, d, h, mi, se;
    char t;
    if (strlen(s) != 19 || sscanf(s, "%4d-%2d-%2d%c%2d:%2d:%2d", &y, &mo, &d, &t, &h, &mi, &se) != 7
        || (t != ' ' && t != 'T')) {
        return false;
    }
    for (int i = 0; i < 19; i++) {
        if (i != 4 && i != 7 && i != 10 && i != 13 && i != 16 && !isdigit((unsigned char) s[i])) {
            return false;
        }
    }
    return y >= 1900 && y <= 2099 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 24
           && mi <= 59 && se <= 59;
}

/* Required elements and formats, checked once the whole <property> is read. */
static void
property_check(parser_t *p)
{
    kyero_property_t *k = &p->prop;
    if (k->id == NULL || *k->id == '\0') {
        invalid(p, "id: required");
    } else if (strlen(k->id) > 100) {
        invalid(p, "id: longer than 100 characters");
    }
    if (k->ref == NULL || *k->ref == '\0') {
        invalid(p, "ref: required");
    } else if (strlen(k->ref) > 255) {
        invalid(p, "ref: longer than 255 characters");
    }
    if (k->date == NULL || !date_ok(k->date)) {
        invalid(p, "date: '%.40s' is not YYYY-MM-DD HH:MM:SS", k->date ? k->date : "");
    }
    if (k->price_text == NULL) {
        invalid(p, "price: required");
    } else if (strcasecmp(k->price_text, "x") == 0) {
        k->price_on_request = true;
        k->price = -1;
    } else if (!parse_whole(k->price_text, 10000000000000LL, &k->price)) {
        invalid(p, "price: '%.40s' is not a whole amount or x", k->price_text);
    }
    if (k->price_freq == NULL || (strcmp(k->price_freq, "sale") && strcmp(k->price_freq, "month")
                                  && strcmp(k->price_freq, "week"))) {
        invalid(p, "price_freq: '%.20s' is not sale, month or week",
                k->price_freq ? k->price_freq : "");
    }
    if (k->currency != NULL && (strlen(k->currency) != 3
                                || strspn(k->currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3)) {
        invalid(p, "currency: '%.20s' is not a currency code", k->currency);
    }
    /* Images in id order; insertion sort keeps equal ids in document order. */
    for (int i = 1; i < k->nimages; i++) {
        kyero_image_t cur = k->images[i];
        int j = i - 1;
        for (; j >= 0 && k->images[j].id > cur.id; j--) {
            k->images[j + 1] = k->images[j];
        }
        k->images[j + 1] = cur;
    }
}

static void
property_begin(parser_t *p)
{
    arena_rewind(p);
    memset(&p->prop, 0, sizeof(p->prop));
    kyero_property_t *k = &p->prop;
    k->part_ownership = k->leasehold = k->new_build = k->pool = k->prime = KYERO_UNSET;
    k->beds = k->baths = -1;
    k->built = k->plot = -1;
    k->price = -1;
    k->line = xmlTextReaderGetParserLineNumber(p->rd);
    p->in_property = true;
}

static void
property_end(parser_t *p)
{
    p->in_property = false;
    p->res->properties++;
    property_check(p);
    if (p->fn != NULL && p->fn(p->ctx, &p->prop) != 0) {
        fail_here(p, "the import stopped");
    }
}

static void
element_start(parser_t *p, int depth, const char *name)
{
    if (depth < MAX_DEPTH) {
        snprintf(p->path[depth], NAME_LEN, "%s", name);
    }
    p->collect_depth = -1;
    if (depth == 0) {
        if (strcmp(name, "root") != 0) {
            char msg[120];
            snprintf(msg, sizeof(msg), "the root element is <%.40s>, a Kyero feed has <root>", name);
            fail_here(p, msg);
        }
        p->seen_root = true;
        return;
    }
    if (depth == 1) {
        p->in_kyero = strcmp(name, "kyero") == 0;
        if (strcmp(name, "property") == 0) {
            property_begin(p);
        }
        return;
    }
    if (p->in_kyero && depth == 2) {
        p->collect_depth = depth;
    } else if (p->in_property && depth == 2) {
        if (!is_container(name)) {
            p->collect_depth = depth;
        }
    } else if (p->in_property && depth == 3) {
        if (strcmp(p->path[2], "images") == 0) {
            if (strcmp(name, "image") == 0) {
                image_start(p);
            } else {
                add_unknown(p, "images/?");
            }
        } else if (is_container(p->path[2])) {
            p->collect_depth = depth;
        }
    } else if (p->in_property && depth == 4 && strcmp(p->path[2], "images") == 0
               && strcmp(p->path[3], "image") == 0) {
        if (strcmp(name, "url") == 0) {
            p->collect_depth = depth;
        } else if (strcmp(name, "tags") != 0) {
            add_unknown(p, "image/?");
        }
    } else if (p->in_property && depth == 5 && strcmp(p->path[2], "images") == 0
               && strcmp(p->path[4], "tags") == 0 && strcmp(name, "tag") == 0) {
        p->collect_depth = depth;
    }
    if (p->collect_depth >= 0) {
        text_reset(p);
    }
}

static void
element_end(parser_t *p, int depth)
{
    if (depth == 1) {
        if (p->in_property) {
            property_end(p);
        }
        p->in_kyero = false;
        return;
    }
    if (depth != p->collect_depth || depth >= MAX_DEPTH) {
        return;
    }
    p->collect_depth = -1;
    const char *name = p->path[depth];
    if (p->in_kyero) {
        const char *v = text_value(p, name);
        if (v != NULL && strcmp(name, "feed_version") == 0) {
            snprintf(p->res->feed_version, sizeof(p->res->feed_version), "%s", v);
        } else if (v != NULL && strcmp(name, "feed_generated") == 0) {
            snprintf(p->res->feed_generated, sizeof(p->res->feed_generated), "%s", v);
        }
        arena_rewind(p);
        return;
    }
    if (!p->in_property) {
        return;
    }
    const char *v = text_value(p, name);
    if (v == NULL) {
        return;
    }
    kyero_property_t *k = &p->prop;
    if (depth == 2) {
        property_field(p, name, v);
    } else if (depth == 3) {
        property_subfield(p, p->path[2], name, v);
    } else if (depth == 4 && k->nimages > 0) {
        if (k->images[k->nimages - 1].url != NULL) {
            invalid(p, "image %d: two urls", k->images[k->nimages - 1].id);
        } else if (*v != '\0') {
            k->images[k->nimages - 1].url = v;
        }
    } else if (depth == 5 && k->nimages > 0 && strcasecmp(v, "floorplan") == 0) {
        k->images[k->nimages - 1].floorplan = true;
    }
}

static int
run(parser_t *p)
{
    xmlTextReaderSetStructuredErrorHandler(p->rd, on_xml_error, p);
    int rc;
    while (!p->stop && (rc = xmlTextReaderRead(p->rd)) == 1) {
        int type = xmlTextReaderNodeType(p->rd);
        int depth = xmlTextReaderDepth(p->rd);
        switch (type) {
        case XML_READER_TYPE_ELEMENT: {
            const char *name = (const char *) xmlTextReaderConstLocalName(p->rd);
            element_start(p, depth, name ? name : "");
            if (xmlTextReaderIsEmptyElement(p->rd)) {
                element_end(p, depth);
            }
            break;
        }
        case XML_READER_TYPE_END_ELEMENT:
            element_end(p, depth);
            break;
        case XML_READER_TYPE_TEXT:
        case XML_READER_TYPE_CDATA:
        case XML_READER_TYPE_WHITESPACE:
        case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
            if (p->collect_depth >= 0 && depth == p->collect_depth + 1) {
                const char *v = (const char *) xmlTextReaderConstValue(p->rd);
                text_add(p, v ? v : "");
            }
            break;
        case XML_READER_TYPE_DOCUMENT_TYPE:
            fail_here(p, "a DOCTYPE is not allowed in a feed (no DTD, no entities)");
            break;
        case XML_READER_TYPE_ENTITY_REFERENCE:
        case XML_READER_TYPE_ENTITY:
            fail_here(p, "entity references are not allowed in a feed");
            break;
        default:
            break;
        }
    }
    if (!p->stop && rc < 0) {
        fail_here(p, "the document is not well-formed XML");
    } else if (!p->stop && !p->seen_root) {
        fail_here(p, "the document is empty");
    }
    if (p->res->error[0] == '\0') {
        p->res->ok = true;
    }
    return p->res->ok ? 0 : -1;
}

/* Errors without a parser context (encoding conversion) would go to stderr: the structured
 * handler has them already. */
static void
quiet(void *ctx, const char *fmt, ...)
{
    (void) ctx;
    (void) fmt;
}

static int
parse_reader(xmlTextReaderPtr rd, kyero_property_fn fn, void *ctx, kyero_parse_result_t *res)
{
    parser_t p = { .rd = rd, .res = res, .fn = fn, .ctx = ctx, .collect_depth = -1 };
    if (rd == NULL) {
        snprintf(res->error, sizeof(res->error), "cannot create the XML reader");
        return -1;
    }
    xmlGenericErrorFunc old = xmlGenericError;
    void *old_ctx = xmlGenericErrorContext;
    xmlSetGenericErrorFunc(NULL, quiet);
    int rc = run(&p);
    xmlSetGenericErrorFunc(old_ctx, old);
    xmlFreeTextReader(rd);
    arena_free(&p);
    free(p.buf);
    return rc;
}

/* NONET and nothing else: no DTD loading or validation, no entity substitution, no XInclude,
 * and libxml2's default limits (no HUGE). */
#define KYERO_XML_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOCDATA)

static void
result_init(kyero_parse_result_t *res)
{
    memset(res, 0, sizeof(*res));
    xmlInitParser();
}

int
kyero_parse_io(kyero_read_fn read, void *read_ctx, kyero_property_fn fn, void *ctx,
               kyero_parse_result_t *res)
{
    result_init(res);
    return parse_reader(xmlReaderForIO(read, NULL, read_ctx, NULL, NULL, KYERO_XML_OPTIONS),
                        fn, ctx, res);
}

int
kyero_parse_memory(const char *data, size_t len, kyero_property_fn fn, void *ctx,
                   kyero_parse_result_t *res)
{
    result_init(res);
    if (len > (size_t) INT32_MAX) {
        snprintf(res->error, sizeof(res->error), "the document is too large");
        return -1;
    }
    if (len == 0) {
        res->line = 1;
        snprintf(res->error, sizeof(res->error), "the document is empty");
        return -1;
    }
    return parse_reader(xmlReaderForMemory(data, (int) len, NULL, NULL, KYERO_XML_OPTIONS),
                        fn, ctx, res);
}

static int
read_fd(void *ctx, char *buf, int len)
{
    ssize_t n;
    do {
        n = read(*(int *) ctx, buf, (size_t) len);
    } while (n < 0 && errno == EINTR);
    return n < 0 ? -1 : (int) n;
}

int
kyero_parse_fd(int fd, size_t max_bytes, kyero_property_fn fn, void *ctx,
               kyero_parse_result_t *res)
{
    result_init(res);
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(res->error, sizeof(res->error), "cannot read the file: %s",
                 errno ? strerror(errno) : "not a regular file");
        return -1;
    }
    if ((unsigned long long) st.st_size > max_bytes) {
        snprintf(res->error, sizeof(res->error), "the document is larger than %zu bytes",
                 max_bytes);
        return -1;
    }
    if (st.st_size == 0) {
        res->line = 1;
        snprintf(res->error, sizeof(res->error), "the document is empty");
        return -1;
    }
    return kyero_parse_io(read_fd, &fd, fn, ctx, res);
}

int
kyero_parse_file(const char *path, size_t max_bytes, kyero_property_fn fn, void *ctx,
                 kyero_parse_result_t *res)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        result_init(res);
        snprintf(res->error, sizeof(res->error), "cannot read the file: %s", strerror(errno));
        return -1;
    }
    errno = 0;
    int rc = kyero_parse_fd(fd, max_bytes, fn, ctx, res);
    close(fd);
    return rc;
}

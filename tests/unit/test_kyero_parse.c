/* The Kyero v3 parser: the portal's own sample, the newer elements, and documents it must refuse. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "tap.h"
#include "../../plugins/kyero/kyero_parse.h"

#define MAXP 8

/* What the callback saw, copied out (the parser's strings die with the callback). */
typedef struct {
    int n;
    char id[MAXP][64], ref[MAXP][64], invalid[MAXP][200], first_desc[MAXP][64];
    char unknown[MAXP][64], img1[MAXP][128], tour[MAXP][128];
    int nimages[MAXP], ndescs[MAXP], nurls[MAXP], nfeatures[MAXP], floorplan_id[MAXP];
    int stop_after;
    kyero_property_t last;
    char last_buf[4096];
} seen_t;

static void
copy(char *dst, size_t n, const char *s)
{
    snprintf(dst, n, "%s", s ? s : "");
}

static int
on_property(void *ctx, const kyero_property_t *p)
{
    seen_t *s = ctx;
    if (s->n < MAXP) {
        int i = s->n;
        copy(s->id[i], 64, p->id);
        copy(s->ref[i], 64, p->ref);
        copy(s->invalid[i], 200, p->invalid);
        copy(s->first_desc[i], 64, p->ndescs ? p->descs[0].text : NULL);
        copy(s->unknown[i], 64, p->nunknown ? p->unknown[0] : NULL);
        copy(s->img1[i], 128, p->nimages ? p->images[0].url : NULL);
        copy(s->tour[i], 128, p->virtual_tour_url);
        s->nimages[i] = p->nimages;
        s->ndescs[i] = p->ndescs;
        s->nurls[i] = p->nurls;
        s->nfeatures[i] = p->nfeatures;
        s->floorplan_id[i] = -1;
        for (int j = 0; j < p->nimages; j++) {
            if (p->images[j].floorplan) {
                s->floorplan_id[i] = p->images[j].id;
            }
        }
    }
    s->last = *p;   /* numbers only are read from it afterwards */
    s->n++;
    return s->stop_after && s->n >= s->stop_after;
}

static int
parse(const char *xml, seen_t *s, kyero_parse_result_t *res)
{
    memset(s, 0, sizeof(*s));
    return kyero_parse_memory(xml, strlen(xml), on_property, s, res);
}

static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t) n + 1);
    *len = fread(b, 1, (size_t) n, f);
    b[*len] = '\0';
    fclose(f);
    return b;
}

#define HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<root><kyero><feed_version>3</feed_version></kyero>\n"
#define PROP(id, ref, price, date) "<property><id>" id "</id><date>" date "</date><ref>" ref \
    "</ref><price>" price "</price><price_freq>sale</price_freq><type>villa</type>" \
    "<town>Jávea</town><province>Alicante</province><desc><en>Nice</en></desc><images/></property>\n"

static void
test_sample(void)
{
    size_t len;
    char *xml = slurp(SRCDIR "/tests/fixtures/formats/examples/kyero-v3-sample.xml", &len);
    ok(xml != NULL, "the Kyero sample feed is readable");
    if (xml == NULL) {
        return;
    }
    seen_t s;
    kyero_parse_result_t res;
    memset(&s, 0, sizeof(s));
    int rc = kyero_parse_memory(xml, len, on_property, &s, &res);
    is_int(rc, 0, "the sample parses");
    ok(res.ok, "the whole document parsed");
    is_str(res.feed_version, "3", "feed_version");
    is_int(s.n, 1, "one property");
    const kyero_property_t *p = &s.last;
    is_str(s.id[0], "12367", "id");
    is_str(s.ref[0], "V3TEST", "ref");
    is_str(s.invalid[0], "", "the sample property is valid");
    is_int(p->price, 250000, "price");
    ok(!p->price_on_request, "a price, not on request");
    is_int(p->part_ownership, KYERO_NO, "part_ownership 0");
    is_int(p->leasehold, KYERO_NO, "leasehold 0");
    is_int(p->new_build, KYERO_NO, "new_build 0");
    is_int(p->pool, KYERO_YES, "pool 1");
    is_int(p->prime, KYERO_UNSET, "prime absent");
    ok(p->has_location && p->latitude > 36.72 && p->latitude < 36.73
       && p->longitude < -3.69 && p->longitude > -3.70, "latitude and longitude");
    is_int(p->beds, 3, "beds");
    is_int(p->baths, 2, "baths");
    is_int(p->built, 150, "built");
    is_int(p->plot, 500, "plot");
    is_int(s.nurls[0], 33, "33 language urls, more than the XSD lists");
    is_int(s.ndescs[0], 33, "33 descriptions");
    is_str(s.first_desc[0], "Bulgarian property description", "descriptions in document order");
    is_int(s.nfeatures[0], 3, "three features");
    is_int(s.nimages[0], 5, "five images");
    is_str(s.img1[0], "http://images.kyero.com/12811577_large.jpg", "image 1 first");
    is_str(s.unknown[0], "", "no unknown elements");
    free(xml);
}

static void
test_newer_elements(void)
{
    const char *xml = HEAD
        "<property>\n"
        "  <ref>  <![CDATA[ R-77 ]]>  </ref><id>\n  77\n</id><date>2026-01-02 03:04:05</date>\n"
        "  <price>x</price><currency>GBP</currency><price_freq>month</price_freq>\n"
        "  <type>Apartment</type><town> Dénia </town><province>Alicante</province>\n"
        "  <country>Spain</country><prime>1</prime><catastral>1234567AB1234C0001XY</catastral>\n"
        "  <video_url>https://video.example/v</video_url>\n"
        "  <virtual_tour_url><![CDATA[https://tour.example/t?a=1&b=2]]></virtual_tour_url>\n"
        "  <email>agent@example.es</email><contact_number>+34 600 000 000</contact_number>\n"
        "  <whatsapp_number>+34600000001</whatsapp_number><beds></beds><baths/>\n"
        "  <desc><es><![CDATA[<b>Piso</b> & vistas]]></es><pt-br>Apartamento</pt-br></desc>\n"
        "  <images>\n"
        "    <image id=\"3\"><url>https://img.example/3.jpg</url></image>\n"
        "    <image id=\"1\"><url>https://img.example/1.jpg</url></image>\n"
        "    <image id=\"2\"><tags><tag>floorplan</tag></tags><url>https://img.example/2.png</url></image>\n"
        "  </images>\n"
        "  <solarium>yes</solarium>\n"
        "</property></root>";
    seen_t s;
    kyero_parse_result_t res;
    is_int(parse(xml, &s, &res), 0, "elements in any order, CDATA and white space parse");
    is_int(s.n, 1, "one property");
    is_str(s.invalid[0], "", "valid");
    is_str(s.ref[0], "R-77", "CDATA ref trimmed");
    is_str(s.id[0], "77", "id trimmed of new lines");
    ok(s.last.price_on_request && s.last.price == -1, "price x is price on request");
    is_int(s.last.prime, KYERO_YES, "prime");
    is_int(s.last.beds, -1, "empty beds is absent");
    is_int(s.last.baths, -1, "empty baths is absent");
    is_str(s.tour[0], "https://tour.example/t?a=1&b=2", "virtual_tour_url from CDATA");
    is_str(s.first_desc[0], "<b>Piso</b> & vistas", "CDATA description kept as text");
    is_int(s.ndescs[0], 2, "any language code, pt-br too");
    is_int(s.nimages[0], 3, "three images");
    is_str(s.img1[0], "https://img.example/1.jpg", "images in id order");
    is_int(s.floorplan_id[0], 2, "the floorplan tag");
    is_str(s.unknown[0], "solarium", "an unknown element is reported");
}

static void
test_invalid_properties(void)
{
    const char *xml = HEAD
        PROP("1", "A-1", "100000", "2026-01-01 00:00:00")
        "<property><id>2</id><date>2026-01-01 00:00:00</date><price>5</price>"
        "<price_freq>sale</price_freq></property>\n"
        PROP("3", "A-3", "cheap", "2026-01-01 00:00:00")
        PROP("4", "A-4", "100", "yesterday")
        PROP("5", "A-5", "120000", "2026-02-30 10:00:00")
        "<property><id>6</id><id>7</id><date>2026-01-01 00:00:00</date><ref>A-6</ref>"
        "<price>1</price><price_freq>sale</price_freq></property>\n"
        "</root>";
    seen_t s;
    kyero_parse_result_t res;
    is_int(parse(xml, &s, &res), 0, "a document with invalid properties still parses");
    ok(res.ok, "parsed whole");
    is_int(s.n, 6, "every property reaches the importer");
    is_str(s.invalid[0], "", "a good property is valid");
    is_str(s.invalid[1], "ref: required", "missing ref rejected");
    ok(strstr(s.invalid[2], "price: 'cheap'") != NULL, "bad price rejected: %s", s.invalid[2]);
    ok(strstr(s.invalid[3], "date:") != NULL, "bad date rejected: %s", s.invalid[3]);
    is_str(s.invalid[4], "", "day 30 of February passes the format check");
    ok(strstr(s.invalid[5], "appears twice") != NULL, "a second <id> is refused: %s",
       s.invalid[5]);
}

static void
expect_fail(const char *what, const char *xml, size_t len, const char *needle)
{
    seen_t s;
    kyero_parse_result_t res;
    memset(&s, 0, sizeof(s));
    int rc = kyero_parse_memory(xml, len, on_property, &s, &res);
    ok(rc != 0 && !res.ok, "%s: refused", what);
    ok(res.line > 0, "%s: with a line (%d:%d) %s", what, res.line, res.column, res.error);
    if (needle != NULL) {
        ok(strstr(res.error, needle) != NULL, "%s: the error says '%s' (%s)", what, needle,
           res.error);
    }
}

static void
test_bad_documents(void)
{
    const char *trunc = HEAD PROP("1", "A-1", "1", "2026-01-01 00:00:00") "<property><id>2</i";
    expect_fail("truncated", trunc, strlen(trunc), NULL);
    const char *mal = HEAD "<property><id>1</ref></property></root>";
    expect_fail("malformed", mal, strlen(mal), NULL);
    expect_fail("empty", "", 0, "empty");
    expect_fail("white space only", "  \n\n ", 5, NULL);
    const char *html = "<!DOCTYPE html>\n<html><body><p>Not found</p></body></html>";
    expect_fail("an HTML page", html, strlen(html), "DOCTYPE");
    const char *html2 = "<html><body><p>Oops</p></body></html>";
    expect_fail("an HTML page without doctype", html2, strlen(html2), "root element");
    const char *enc = "<?xml version=\"1.0\" encoding=\"bogus-8\"?><root></root>";
    expect_fail("an unknown encoding", enc, strlen(enc), NULL);
    const char *utf16 = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><root></root>";
    expect_fail("UTF-16 declared on 8-bit bytes", utf16, strlen(utf16), NULL);

    const char *xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE root [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
                      "<root><kyero><feed_version>3</feed_version></kyero>" 
                      "<property><id>1</id><ref>&x;</ref></property></root>";
    seen_t s;
    kyero_parse_result_t res;
    memset(&s, 0, sizeof(s));
    ok(kyero_parse_memory(xxe, strlen(xxe), on_property, &s, &res) != 0, "XXE: refused");
    is_int(s.n, 0, "XXE: no property reached the importer");
    ok(strstr(res.error, "DOCTYPE") != NULL, "XXE: refused for its DOCTYPE (%s)", res.error);

    const char *lol = "<?xml version=\"1.0\"?>\n<!DOCTYPE root [\n <!ENTITY a \"aaaaaaaaaa\">\n"
        " <!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n <!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
        " <!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n <!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">\n"
        " <!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">\n <!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">\n"
        " <!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\">\n <!ENTITY i \"&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;\">\n"
        "]>\n<root><property><id>&i;</id></property></root>";
    clock_t t0 = clock();
    expect_fail("billion laughs", lol, strlen(lol), NULL);
    ok((double) (clock() - t0) / CLOCKS_PER_SEC < 5.0, "billion laughs: no expansion happened");

    /* A value over 1 MB makes the property invalid; a text node over libxml2's 10 MB limit
     * (no XML_PARSE_HUGE) stops the document. */
    size_t big = 2u << 20;
    char *doc = malloc(big + 600);
    int n = snprintf(doc, 600, HEAD "<property><id>9</id><ref>R</ref><date>2026-01-01 00:00:00</date>"
                     "<price>1</price><price_freq>sale</price_freq><desc><en>");
    memset(doc + n, 'a', big);
    strcpy(doc + n + big, "</en></desc></property></root>");
    memset(&s, 0, sizeof(s));
    is_int(kyero_parse_memory(doc, strlen(doc), on_property, &s, &res), 0,
           "a 2 MB description: the document parses");
    ok(strstr(s.invalid[0], "longer than") != NULL, "a 2 MB description: the property is refused (%s)",
       s.invalid[0]);
    free(doc);
    big = 12u << 20;
    doc = malloc(big + 600);
    n = snprintf(doc, 600, HEAD "<property><id>9</id><notes>");
    memset(doc + n, 'a', big);
    strcpy(doc + n + big, "</notes></property></root>");
    expect_fail("a 12 MB text node", doc, strlen(doc), NULL);
    free(doc);
}

static void
test_stop_and_file(void)
{
    const char *xml = HEAD PROP("1", "A", "1", "2026-01-01 00:00:00")
        PROP("2", "B", "1", "2026-01-01 00:00:00") PROP("3", "C", "1", "2026-01-01 00:00:00") "</root>";
    seen_t s;
    kyero_parse_result_t res;
    memset(&s, 0, sizeof(s));
    s.stop_after = 2;
    ok(kyero_parse_memory(xml, strlen(xml), on_property, &s, &res) != 0 && !res.ok,
       "a callback can stop the parse, which is then not whole");
    is_int(s.n, 2, "no property after the stop");

    char path[] = "/tmp/kyero-test-XXXXXX";
    int fd = mkstemp(path);
    ok(fd >= 0 && write(fd, xml, strlen(xml)) == (ssize_t) strlen(xml), "a feed file is written");
    close(fd);
    memset(&s, 0, sizeof(s));
    is_int(kyero_parse_file(path, 1 << 20, on_property, &s, &res), 0, "a file parses");
    is_int(s.n, 3, "three properties from the file");
    ok(kyero_parse_file(path, 100, on_property, &s, &res) != 0
       && strstr(res.error, "larger than") != NULL, "a file over the cap is refused unread");
    unlink(path);
    ok(kyero_parse_file("/nonexistent/feed.xml", 1 << 20, on_property, &s, &res) != 0,
       "a missing file is an error");
}

int
main(void)
{
    test_sample();
    test_newer_elements();
    test_invalid_properties();
    test_bad_documents();
    test_stop_and_file();
    return done_testing();
}

/* libFuzzer target for the Kyero v3 feed parser (plugins/kyero/kyero_parse.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../../plugins/kyero/kyero_parse.h"

static void
check(int cond)
{
    if (!cond) {
        __builtin_trap();
    }
}

/* Touch every string the parser hands out: ASan sees any that points outside its arena. */
static int
on_property(void *ctx, const kyero_property_t *p)
{
    size_t *sum = ctx;
    const char *strs[] = { p->id, p->date, p->ref, p->price_text, p->currency, p->price_freq,
                           p->type, p->town, p->province, p->country, p->location_detail,
                           p->notes, p->catastral, p->video_url, p->virtual_tour_url, p->email,
                           p->contact_number, p->whatsapp_number, p->invalid };
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        *sum += strs[i] ? strlen(strs[i]) : 0;
    }
    check(p->ndescs <= KYERO_MAX_TEXTS && p->nurls <= KYERO_MAX_TEXTS);
    check(p->nimages <= KYERO_MAX_IMAGES && p->nfeatures <= KYERO_MAX_FEATURES);
    for (int i = 0; i < p->ndescs; i++) {
        *sum += strlen(p->descs[i].lang) + strlen(p->descs[i].text);
    }
    for (int i = 0; i < p->nurls; i++) {
        *sum += strlen(p->urls[i].lang) + strlen(p->urls[i].text);
    }
    for (int i = 0; i < p->nfeatures; i++) {
        *sum += strlen(p->features[i]);
    }
    for (int i = 0; i < p->nimages; i++) {
        *sum += p->images[i].url ? strlen(p->images[i].url) : 0;
        check(i == 0 || p->images[i - 1].id <= p->images[i].id);
    }
    for (int i = 0; i < p->nunknown; i++) {
        *sum += strlen(p->unknown[i]);
    }
    /* A property without an id, ref or valid price never reaches the importer as valid. */
    check(p->invalid != NULL || (p->id && *p->id && p->ref && *p->ref && p->date));
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kyero_parse_result_t res;
    size_t sum = 0;
    int rc = kyero_parse_memory((const char *) data, size, on_property, &sum, &res);
    check((rc == 0) == res.ok);
    check(res.ok || res.error[0] != '\0');
    return 0;
}

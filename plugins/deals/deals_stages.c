/* The two fixed pipelines: stage codes in order, labels, default probabilities. */
#include <string.h>
#include "deals.h"

static const deals_stage_t buyer_stages[] = {
    { "knowing_property", "Knowing Property", 10 },
    { "first_visit",      "First Visit",      20 },
    { "multiple_visits",  "Multiple Visits",  30 },
    { "offer",            "Offer",            50 },
    { "reservation",      "Reservation",      70 },
    { "contract_10",      "10% Contract",     85 },
    { "signing_deed",     "Signing Deed",     95 },
    { "won",              "Won",             100 },
    { "lost",             "Lost",              0 },
};

static const deals_stage_t owner_stages[] = {
    { "mandate",     "Mandate",     10 },
    { "online",      "Online",      20 },
    { "visits",      "Visits",      35 },
    { "offer",       "Offer",       50 },
    { "reservation", "Reservation", 70 },
    { "deposit",     "Deposit",     90 },
    { "won",         "Won",        100 },
    { "lost",        "Lost",         0 },
};

#define N(a) ((int) (sizeof(a) / sizeof((a)[0])))

static const deals_pipeline_t pipelines[] = {
    { "buyer", buyer_stages, N(buyer_stages) },
    { "owner", owner_stages, N(owner_stages) },
};

const deals_pipeline_t *
deals_pipeline(const char *code)
{
    for (int i = 0; code != NULL && i < N(pipelines); i++) {
        if (strcmp(pipelines[i].code, code) == 0) {
            return &pipelines[i];
        }
    }
    return NULL;
}

/* Buy and rent deals follow the buyer pipeline; sell and rent out the owner's. */
const deals_pipeline_t *
deals_pipeline_of_type(const char *type)
{
    if (type == NULL) {
        return NULL;
    }
    if (strcmp(type, "buy") == 0 || strcmp(type, "rent") == 0) {
        return &pipelines[0];
    }
    if (strcmp(type, "sell") == 0 || strcmp(type, "rent_out") == 0) {
        return &pipelines[1];
    }
    return NULL;
}

bool
deals_type_valid(const char *type)
{
    return deals_pipeline_of_type(type) != NULL;
}

int
deals_stage_index(const deals_pipeline_t *p, const char *code)
{
    for (int i = 0; p != NULL && code != NULL && i < p->nstages; i++) {
        if (strcmp(p->stages[i].code, code) == 0) {
            return i;
        }
    }
    return -1;
}

const deals_stage_t *
deals_stage(const deals_pipeline_t *p, const char *code)
{
    int i = deals_stage_index(p, code);
    return i < 0 ? NULL : &p->stages[i];
}

bool
deals_stage_closed(const char *code)
{
    return code != NULL && (strcmp(code, "won") == 0 || strcmp(code, "lost") == 0);
}

/* "a, b, c": for error messages that list what is allowed. */
const char *
deals_stage_codes(ts_request_t *r, const deals_pipeline_t *p)
{
    const char *out = "";
    for (int i = 0; i < p->nstages; i++) {
        out = ts_psprintf(r->pool, "%s%s%s", out, i ? ", " : "", p->stages[i].code);
    }
    return out;
}

/* Stage labels in the product's languages. Stages are fixed, so their labels
 * are a table here; the language is the request's Accept-Language (the core
 * keeps no language per user or tenant), English when none fits. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "deals.h"

static const char *const langs[] = { "en", "es", "nl", "de", "fr" };
#define NLANGS ((int) (sizeof(langs) / sizeof(langs[0])))

static const struct {
    const char *code;
    const char *label[NLANGS];
} labels[] = {
    { "knowing_property", { "Knowing Property", "Conociendo el inmueble", "Kennismaking woning",
                            "Objekt kennenlernen", "Découverte du bien" } },
    { "first_visit", { "First Visit", "Primera visita", "Eerste bezichtiging", "Erstbesichtigung",
                       "Première visite" } },
    { "multiple_visits", { "Multiple Visits", "Varias visitas", "Meerdere bezichtigingen",
                           "Mehrere Besichtigungen", "Visites multiples" } },
    { "offer", { "Offer", "Oferta", "Bod", "Angebot", "Offre" } },
    { "reservation", { "Reservation", "Reserva", "Reservering", "Reservierung", "Réservation" } },
    { "contract_10", { "10% Contract", "Contrato del 10 %", "10%-contract", "10-%-Vertrag",
                       "Compromis à 10 %" } },
    { "signing_deed", { "Signing Deed", "Firma de escritura", "Ondertekening akte", "Notartermin",
                        "Signature de l'acte" } },
    { "won", { "Won", "Ganado", "Gewonnen", "Gewonnen", "Gagné" } },
    { "lost", { "Lost", "Perdido", "Verloren", "Verloren", "Perdu" } },
    { "mandate", { "Mandate", "Mandato", "Opdracht", "Auftrag", "Mandat" } },
    { "online", { "Online", "Publicado", "Online", "Online", "En ligne" } },
    { "visits", { "Visits", "Visitas", "Bezichtigingen", "Besichtigungen", "Visites" } },
    { "deposit", { "Deposit", "Arras", "Aanbetaling", "Anzahlung", "Acompte" } },
};

/* The index of the best supported language of an Accept-Language value:
 * the highest q wins, the first listed among equals; 0 (English) otherwise. */
static int
lang_of(const char *accept)
{
    int best = 0;
    double best_q = 0;
    const char *p = accept;
    while (p != NULL && *p != '\0') {
        while (*p == ' ' || *p == ',') {
            p++;
        }
        size_t n = strcspn(p, "-_;, ");
        const char *tag = p;
        p += strcspn(p, ",");
        const char *semi = memchr(tag, ';', (size_t) (p - tag));
        double q = 1;
        if (semi != NULL) {
            const char *qs = strstr(semi, "q=");
            q = qs != NULL && qs < p ? strtod(qs + 2, NULL) : 1;
        }
        for (int i = 0; i < NLANGS && n == 2; i++) {
            if (strncasecmp(tag, langs[i], 2) == 0 && q > best_q) {
                best = i;
                best_q = q;
            }
        }
    }
    return best;
}

const char *
deals_lang(ts_request_t *r)
{
    return langs[lang_of(ts_req_header(r, "Accept-Language"))];
}

const char *
deals_label(ts_request_t *r, const char *stage)
{
    int l = lang_of(ts_req_header(r, "Accept-Language"));
    for (size_t i = 0; stage != NULL && i < sizeof(labels) / sizeof(labels[0]); i++) {
        if (strcmp(labels[i].code, stage) == 0) {
            return labels[i].label[l];
        }
    }
    return stage ? stage : "";
}

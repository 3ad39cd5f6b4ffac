/* A WHERE clause made of fixed SQL fragments chosen by which filters are
 * present, and the values they bind. */
#include <stdio.h>
#include <string.h>
#include "properties.h"

void
properties_where_add(properties_where_t *w, const char *frag, int nargs, const char *arg)
{
    size_t fl = strlen(frag);
    if (w->len + fl + 6 >= sizeof(w->sql) || w->n + nargs > PROPERTIES_MAXP) {
        return;                  /* the fixed fragments fit by construction */
    }
    memcpy(w->sql + w->len, " AND ", 5);
    memcpy(w->sql + w->len + 5, frag, fl + 1);
    w->len += fl + 5;
    for (int i = 0; i < nargs; i++) {
        w->args[w->n++] = arg;
    }
}

/* "col IN (?, ?, ...)" for the values of a comma-separated list (at most
 * max): a fixed fragment per count, the values bound in order, and the index
 * on col usable (FIND_IN_SET is not). The caller appends the fragment next. */
const char *
properties_in_list(ts_request_t *r, properties_where_t *w, const char *col, const char *csv,
                   int max)
{
    char *copy = ts_pstrdup(r->pool, csv ? csv : ""), *save = NULL;
    char *frag = ts_psprintf(r->pool, "%s IN (", col);
    int n = 0;
    for (char *t = strtok_r(copy, ",", &save); t && n < max && w->n < PROPERTIES_MAXP;
         t = strtok_r(NULL, ",", &save)) {
        frag = ts_psprintf(r->pool, "%s%s?", frag, n++ ? ", " : "");
        w->args[w->n++] = t;
    }
    return n ? ts_psprintf(r->pool, "%s)", frag) : "FALSE";
}

void
properties_where_in(ts_request_t *r, properties_where_t *w, const char *col, const char *csv,
                    int max)
{
    properties_where_add(w, properties_in_list(r, w, col, csv, max), 0, NULL);
}

#define ARGS(w) (w).args[0], (w).args[1], (w).args[2], (w).args[3], (w).args[4], (w).args[5], \
    (w).args[6], (w).args[7], (w).args[8], (w).args[9], (w).args[10], (w).args[11], \
    (w).args[12], (w).args[13], (w).args[14], (w).args[15], (w).args[16], (w).args[17], \
    (w).args[18], (w).args[19], (w).args[20], (w).args[21], (w).args[22], (w).args[23], \
    (w).args[24], (w).args[25], (w).args[26], (w).args[27], (w).args[28], (w).args[29], \
    (w).args[30], (w).args[31], (w).args[32], (w).args[33], (w).args[34], (w).args[35], \
    (w).args[36], (w).args[37], (w).args[38], (w).args[39], (w).args[40], (w).args[41], \
    (w).args[42], (w).args[43], (w).args[44], (w).args[45], (w).args[46], (w).args[47]

/* Extra arguments past the types string are never read (C11 7.16.1.1). */
ts_db_result_t *
properties_where_run(ts_request_t *r, const char *sql, properties_where_t *w)
{
    char types[PROPERTIES_MAXP + 1];
    memset(types, 's', (size_t) w->n);
    types[w->n] = '\0';
    return ts_db_query(r, sql, types, ARGS(*w));
}


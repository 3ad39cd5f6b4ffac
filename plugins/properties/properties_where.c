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

ts_db_result_t *
properties_where_run(ts_request_t *r, const char *sql, properties_where_t *w)
{
    return ts_db_query_v(r, sql, w->args, (size_t) w->n);
}


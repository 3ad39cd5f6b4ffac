/* Splits a migration file into statements. A statement ends with ';' at the
 * end of a line (the mysql client's habit), outside quotes and "--" or "#"
 * comments, so a comment may hold a ';' and a quoted text may span lines. */
#include <stdbool.h>
#include <string.h>
#include "ts_core.h"

static bool
blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A comment starts with "--" followed by white space or the end (MariaDB's
 * rule: "a--b" is arithmetic), or with '#'. */
static bool
comment_at(const char *p)
{
    return *p == '#' || (p[0] == '-' && p[1] == '-' && (p[2] == '\0' || blank(p[2])));
}

char *
ts_sql_next(char **cursor, int *line, int *stmt_line)
{
    char *p = *cursor, *start = NULL;
    char quote = '\0';
    while (*p) {
        if (quote) {
            if (*p == '\\' && quote != '`' && p[1]) {
                p += p[1] == '\n' ? 0 : 1;
            } else if (*p == quote) {
                quote = '\0';
            }
        } else if (comment_at(p)) {
            while (*p && *p != '\n') {
                p++;
            }
            continue;
        } else if (*p == '\'' || *p == '"' || *p == '`') {
            quote = *p;
        } else if (*p == ';') {
            char *q = p + 1;
            while (*q == ' ' || *q == '\t' || *q == '\r') {
                q++;
            }
            if (*q == '\n' || *q == '\0' || comment_at(q)) {
                *p = '\0';
                *cursor = p + 1;
                if (start) {
                    return start;
                }
                p++;
                continue;
            }
        }
        if (start == NULL && !blank(*p)) {
            start = p;
            *stmt_line = *line;
        }
        if (*p == '\n') {
            (*line)++;
        }
        p++;
    }
    *cursor = p;
    return start;   /* a last statement without ';' still runs */
}

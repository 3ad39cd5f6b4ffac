/* Migration files cut into statements: comments, quotes and line numbers. */
#include <string.h>
#include "ts_core.h"
#include "tap.h"

/* Cuts a copy of text; returns how many statements, each copied into out[]. */
static int
split(const char *text, char out[][200], int lines[])
{
    static char buf[2000];
    snprintf(buf, sizeof(buf), "%s", text);
    char *cur = buf, *s;
    int n = 0, line = 1, at = 0;
    while (n < 10 && (s = ts_sql_next(&cur, &line, &at)) != NULL) {
        snprintf(out[n], 200, "%s", s);
        lines[n++] = at;
    }
    return n;
}

int
main(void)
{
    char st[10][200];
    int ln[10];
    is_int(split("CREATE TABLE a (x INT);\nCREATE TABLE b (y INT);\n", st, ln), 2, "two statements");
    is_str(st[0], "CREATE TABLE a (x INT)", "the first, without its ';'");
    is_str(st[1], "CREATE TABLE b (y INT)", "the second");
    is_int(ln[1], 2, "the second starts on line 2");

    is_int(split("-- a comment;\n-- another one; with text\nSELECT 1;\n", st, ln), 1,
           "a ';' ending a comment line does not cut");
    is_str(st[0], "SELECT 1", "the statement after the comments");
    is_int(ln[0], 3, "its line");

    is_int(split("INSERT INTO t VALUES ('a;\n', 2);\nSELECT 2;\n", st, ln), 2,
           "a ';' at a line end inside quotes does not cut");
    is_str(st[0], "INSERT INTO t VALUES ('a;\n', 2)", "the quoted text is whole");
    is_int(ln[1], 3, "lines counted inside the quoted text");

    is_int(split("SELECT 'it''s; ok';\nSELECT 'a\\';b';\n", st, ln), 2, "doubled and escaped quotes");
    is_str(st[1], "SELECT 'a\\';b'", "the escaped quote does not end the text");

    is_int(split("SELECT 1; -- trailing comment\n# hash comment;\nSELECT 3 - -1;\n", st, ln), 2,
           "a comment after ';' and a '#' comment");
    is_str(st[1], "SELECT 3 - -1", "'- -' is arithmetic, not a comment");

    is_int(split("SELECT 1;  \nSELECT x; SELECT y;\n", st, ln), 2, "only a ';' ending a line cuts");
    is_str(st[1], "SELECT x; SELECT y", "two on a line stay one statement");

    is_int(split("\n\n  -- only comments\n", st, ln), 0, "comments only: nothing");
    is_int(split("SELECT 9", st, ln), 1, "the last statement needs no ';'");
    is_str(st[0], "SELECT 9", "and is whole");
    return done_testing();
}

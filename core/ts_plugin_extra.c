/* Plugin-facing additions: commands plugins add to the tesoro CLI ("feed import"), the
 * checks of saved views' filters that the plugin serving a list registers, and a view's
 * columns as the column chooser reads them. */
#include <stdlib.h>
#include <string.h>
#include "ts_core.h"

#define MAX_CLI_CMDS 32

typedef struct {
    char        *words;     /* "portal connect kyero" */
    char        *usage;
    ts_cli_fn_t  fn;
} cli_cmd_t;

static cli_cmd_t cmds[MAX_CLI_CMDS];
static int ncmds;

int
ts_cli_register(ts_plugin_ctx_t *ctx, const char *words, const char *usage, ts_cli_fn_t fn)
{
    if (!ctx->in_init || ncmds == MAX_CLI_CMDS || words == NULL || *words == '\0') {
        ts_log_error("%s: CLI command '%s' refused (outside init or table full)", ctx->name,
                     words ? words : "");
        return TS_ERROR;
    }
    for (int i = 0; i < ncmds; i++) {
        if (strcmp(cmds[i].words, words) == 0) {
            ts_log_error("%s: CLI command '%s' is registered already", ctx->name, words);
            return TS_ERROR;
        }
    }
    cmds[ncmds++] = (cli_cmd_t) { strdup(words), strdup(usage ? usage : words), fn };
    return TS_OK;
}

/* The registered command whose words begin argv (positional words only), longest first. */
ts_cli_fn_t
ts_cli_find(int argc, char **argv, int *nwords)
{
    ts_cli_fn_t best = NULL;
    int best_n = 0;
    for (int i = 0; i < ncmds; i++) {
        int n = 0, k = 0;
        const char *w = cmds[i].words;
        while (*w != '\0') {
            size_t len = strcspn(w, " ");
            while (k < argc && strncmp(argv[k], "--", 2) == 0) {
                k += 2;   /* an option and its value */
            }
            if (k >= argc || strlen(argv[k]) != len || strncmp(argv[k], w, len) != 0) {
                n = -1;
                break;
            }
            n++;
            k++;
            w += len;
            w += strspn(w, " ");
        }
        if (n > best_n) {
            best = cmds[i].fn;
            best_n = n;
        }
    }
    *nwords = best_n;
    return best;
}

void
ts_cli_usage(FILE *out)
{
    for (int i = 0; i < ncmds; i++) {
        fprintf(out, "  %s\n", cmds[i].usage);
    }
}

void
ts_cli_reset(void)
{
    for (int i = 0; i < ncmds; i++) {
        free(cmds[i].words);
        free(cmds[i].usage);
    }
    ncmds = 0;
}

#define MAX_VIEW_CHECKS 16

typedef struct {
    char               *list;
    ts_view_check_fn_t  fn;
} view_check_t;

static view_check_t checks[MAX_VIEW_CHECKS];
static int nchecks;

int
ts_view_check_register(ts_plugin_ctx_t *ctx, const char *list, ts_view_check_fn_t fn)
{
    if (!ctx->in_init || nchecks == MAX_VIEW_CHECKS || list == NULL || *list == '\0' || fn == NULL) {
        ts_log_error("%s: view check for '%s' refused (outside init or table full)", ctx->name,
                     list ? list : "");
        return TS_ERROR;
    }
    for (int i = 0; i < nchecks; i++) {
        if (strcmp(checks[i].list, list) == 0) {
            ts_log_error("%s: a view check for '%s' is registered already", ctx->name, list);
            return TS_ERROR;
        }
    }
    checks[nchecks++] = (view_check_t) { strdup(list), fn };
    return TS_OK;
}

bool
ts_view_check(ts_request_t *r, const char *list, const cJSON *filters, const char *sort,
              cJSON **fields)
{
    for (int i = 0; list != NULL && i < nchecks; i++) {
        if (strcmp(checks[i].list, list) == 0) {
            checks[i].fn(r, filters, sort, fields);
            return true;
        }
    }
    return false;
}

const char *
ts_view_columns_text(ts_request_t *r, const char *json)
{
    cJSON *a = json ? cJSON_Parse(json) : NULL;
    char *out = "";
    const cJSON *e;
    cJSON_ArrayForEach(e, a) {
        if (cJSON_IsString(e) && strchr(e->valuestring, ',') == NULL) {
            out = ts_psprintf(r->pool, "%s%s%s", out, *out ? "," : "", e->valuestring);
        }
    }
    cJSON_Delete(a);
    return out;
}

void
ts_view_checks_reset(void)
{
    for (int i = 0; i < nchecks; i++) {
        free(checks[i].list);
    }
    nchecks = 0;
}

/* The configuration: the shipped file parses; errors name file and line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ts_core.h"
#include "tap.h"

static const char *
write_tmp(const char *text)
{
    static char path[64];
    snprintf(path, sizeof(path), "/tmp/ts_conf_test_%d.conf", (int) getpid());
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

#define BASE "[security]\nsecret = 0123456789abcdef0123\n[db:main]\nsocket = /tmp/x.sock\nuser = root\ndatabase = t\n"

int
main(void)
{
    char err[512];
    /* The shipped file has the placeholder secret: refused, by design. */
    ts_conf_t *c = ts_conf_load(SRCDIR "/conf/tesoro.conf", err, sizeof(err));
    ok(c == NULL && strstr(err, "secret") != NULL, "the shipped placeholder secret is refused: %s", err);

    c = ts_conf_load(write_tmp(BASE "[server]\nworkers = 3\nmax_body = 2048\nbench_noop = yes\n"
                               "[plugins]\nload = hello contacts\n[db:second]\nhost = 127.0.0.1\nport = 3309\n"),
                     err, sizeof(err));
    ok(c != NULL, "a valid file loads (%s)", c ? "" : err);
    if (c != NULL) {
        is_int(c->workers, 3, "workers read");
        is_int((long long) c->max_body, 2048, "max_body read");
        is_int(c->bench_noop, 1, "booleans read yes");
        is_int((long long) c->max_upload, 64 << 20, "defaults kept: max_upload 64 MB");
        is_str(c->plugins, "hello contacts", "plugin list read");
        is_int(c->ndb, 2, "two database servers");
        is_int(ts_conf_db(c, "second")->port, 3309, "second server's port");
        ok(ts_conf_db(c, "third") == NULL, "unknown server is NULL");
        ok(ts_conf_db(c, "main")->password == NULL, "an empty value is no password");
        ts_conf_free(c);
    }
    c = ts_conf_load(write_tmp(BASE "[server]\nworkers = many\n"), err, sizeof(err));
    ok(c == NULL && strstr(err, ":8: workers: expected a number") != NULL, "a bad number names the line: %s", err);
    c = ts_conf_load(write_tmp(BASE "[server]\nlisten_on = x\n"), err, sizeof(err));
    ok(c == NULL && strstr(err, "unknown key 'listen_on' in [server]") != NULL, "an unknown key is refused: %s", err);
    c = ts_conf_load(write_tmp(BASE "[server]\nbench_noop = maybe\n"), err, sizeof(err));
    ok(c == NULL && strstr(err, "expected yes or no") != NULL, "a bad boolean is refused");
    c = ts_conf_load(write_tmp("[security]\nsecret = 0123456789abcdef0123\n[db:other]\nuser = x\n"), err, sizeof(err));
    ok(c == NULL && strstr(err, "[db:main]") != NULL, "[db:main] is required first");
    c = ts_conf_load("/nonexistent/tesoro.conf", err, sizeof(err));
    ok(c == NULL && strstr(err, "cannot read") != NULL, "a missing file is reported");
    c = ts_conf_load(write_tmp(BASE "[db:main]\nport = 99999\n"), err, sizeof(err));
    ok(c == NULL && strstr(err, "port") != NULL, "a bad port is refused");
    /* [fetch]: one switch; the old allow_loopback is read as allow = loopback. */
    c = ts_conf_load(write_tmp(BASE "[fetch]\nallow = 127.0.0.1:8155\n"), err, sizeof(err));
    ok(c != NULL && strcmp(c->fetch_allow, "127.0.0.1:8155") == 0 && c->fetch_public == 1,
       "[fetch] allow read, public on by default");
    ts_conf_free(c);
    c = ts_conf_load(write_tmp(BASE "[fetch]\nallow_loopback = 1\nallow = 10.0.0.5\npublic = 0\n"),
                     err, sizeof(err));
    ok(c != NULL && strcmp(c->fetch_allow, "10.0.0.5 loopback") == 0 && c->fetch_public == 0,
       "allow_loopback = 1 joins the allow list as loopback (%s)", c ? c->fetch_allow : err);
    ts_conf_free(c);
    c = ts_conf_load(write_tmp(BASE "[fetch]\nallow_loopback = 1\n"), err, sizeof(err));
    ok(c != NULL && strcmp(c->fetch_allow, "loopback") == 0, "... alone too");
    ts_conf_free(c);
    unlink(write_tmp(""));
    return done_testing();
}

/* tesoro-fcgi: the master opens the socket and keeps N workers and a job
 * runner alive; SIGHUP reloads, SIGTERM drains. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcgiapp.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <curl/curl.h>
#include <sodium.h>
#include <unistd.h>
#include "ts_core.h"

#define MAX_CHILDREN 256

typedef enum { KIND_WORKER, KIND_RUNNER } kind_t;

typedef struct {
    pid_t  pid;
    kind_t kind;
    int    generation;
} child_t;

static child_t children[MAX_CHILDREN];
static int generation;
static int listen_fd = -1;
static char *socket_path;
static const char *conf_path = "conf/tesoro.conf";

static int
signals_fd(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGQUIT);
    sigprocmask(SIG_BLOCK, &set, NULL);
    return signalfd(-1, &set, SFD_CLOEXEC);
}

/* ---- the worker: poll the socket and the signals, so a SIGTERM is only
 * read between requests and never interrupts one ---- */

static int
worker_main(int sigfd)
{
    ts_log_set_prefix("worker");
    ts_pool_t *pool = ts_pool_create(64 * 1024);
    FCGX_Request req;
    FCGX_Init();
    FCGX_InitRequest(&req, listen_fd, 0);
    pid_t parent = getppid();
    for (;;) {
        struct pollfd fds[2] = { { listen_fd, POLLIN, 0 }, { sigfd, POLLIN, 0 } };
        int n = poll(fds, 2, 1000);
        if (n < 0 && errno != EINTR) {
            break;
        }
        if (fds[1].revents & POLLIN) {
            struct signalfd_siginfo si;
            if (read(sigfd, &si, sizeof(si)) == sizeof(si)
                && (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)) {
                break;
            }
        }
        if (getppid() != parent) {
            break;   /* the master died: do not linger as an orphan */
        }
        if (!(fds[0].revents & POLLIN)) {
            continue;
        }
        /* The socket is non-blocking: another worker may have won the race. */
        if (FCGX_Accept_r(&req) < 0) {
            continue;
        }
        ts_http_handle(&req, pool);
        FCGX_Finish_r(&req);
        /* One request per connection: a worker that kept nginx's connection
         * would wait on it while new connections queue behind it. */
        FCGX_Free(&req, 1);
        ts_pool_reset(pool);
    }
    FCGX_Free(&req, 1);
    ts_pool_destroy(pool);
    ts_db_close_all();
    return 0;
}

static int
runner_main(int sigfd)
{
    ts_log_set_prefix("jobs");
    int stop = 0;
    while (!stop) {
        int ran = 0;
        ts_job_run_once(&ran);
        struct pollfd fd = { sigfd, POLLIN, 0 };
        if (poll(&fd, 1, ran ? 0 : 500) > 0) {
            struct signalfd_siginfo si;
            if (read(sigfd, &si, sizeof(si)) == sizeof(si)
                && (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)) {
                stop = 1;
            }
        }
        if (getppid() == 1) {
            stop = 1;
        }
    }
    ts_db_close_all();
    return 0;
}

static pid_t
spawn(kind_t kind)
{
    int slot = -1;
    for (int i = 0; i < MAX_CHILDREN && slot < 0; i++) {
        if (children[i].pid == 0) {
            slot = i;
        }
    }
    if (slot < 0) {
        ts_log_error("too many child processes");
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        ts_log_error("fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        int sigfd = signals_fd();
        _exit(kind == KIND_WORKER ? worker_main(sigfd) : runner_main(sigfd));
    }
    children[slot] = (child_t) { pid, kind, generation };
    return pid;
}

static void
spawn_generation(void)
{
    generation++;
    for (int i = 0; i < ts_conf->workers; i++) {
        spawn(KIND_WORKER);
    }
    if (ts_conf->job_runner) {
        spawn(KIND_RUNNER);
    }
}

static int
count_children(int gen_below)
{
    int n = 0;
    for (int i = 0; i < MAX_CHILDREN; i++) {
        n += children[i].pid != 0 && children[i].generation < gen_below;
    }
    return n;
}

static void
signal_children(int sig, int gen_below)
{
    for (int i = 0; i < MAX_CHILDREN; i++) {
        if (children[i].pid != 0 && children[i].generation < gen_below) {
            kill(children[i].pid, sig);
        }
    }
}

/* Collects dead children; one of the current generation that died is replaced. */
static void
reap(bool stopping)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        for (int i = 0; i < MAX_CHILDREN; i++) {
            if (children[i].pid != pid) {
                continue;
            }
            child_t c = children[i];
            children[i].pid = 0;
            bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
            if (c.generation == generation && !stopping) {
                if (WIFSIGNALED(status)) {
                    ts_log_error("%s %d killed by signal %d; starting another",
                                 c.kind == KIND_WORKER ? "worker" : "job runner", (int) pid,
                                 WTERMSIG(status));
                } else {
                    ts_log_error("%s %d exited with status %d; starting another",
                                 c.kind == KIND_WORKER ? "worker" : "job runner", (int) pid,
                                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
                }
                spawn(c.kind);
            } else if (!clean) {
                ts_log_warn("retired process %d ended with status %d", (int) pid, status);
            }
        }
    }
}

static int
load_everything(const char *path)
{
    char err[512];
    ts_conf_t *c = ts_conf_load(path, err, sizeof(err));
    if (c == NULL) {
        ts_log_error("%s", err);
        return TS_ERROR;
    }
    ts_conf_t *old = ts_conf;
    ts_conf = c;
    /* A reload that would run code on a schema older than it refuses, and
     * the running generation keeps serving. */
    if (old != NULL && ts_migrate_check(c) != TS_OK) {
        ts_db_close_all();
        ts_conf = old;
        ts_conf_free(c);
        return TS_ERROR;
    }
    if (old != NULL && strcmp(old->listen, c->listen) != 0) {
        ts_log_warn("listen changed from %s to %s: restart the server to apply it",
                    old->listen, c->listen);
    }
    ts_plugins_unload();
    ts_conf_free(old);
    ts_tpl_load_dir(c->templates);
    ts_tpl_reset();
    ts_plugins_load(c);
    ts_db_close_all();   /* children open their own */
    return TS_OK;
}

static int
open_socket(void)
{
    const char *l = ts_conf->listen;
    if (strncmp(l, "unix:", 5) == 0) {
        socket_path = strdup(l + 5);
        unlink(socket_path);
        listen_fd = FCGX_OpenSocket(socket_path, ts_conf->backlog);
        /* nginx's workers may run as another user on the same host. */
        chmod(socket_path, 0666);
    } else {
        listen_fd = FCGX_OpenSocket(l, ts_conf->backlog);
    }
    if (listen_fd < 0) {
        ts_log_error("cannot listen on %s: %s", l, strerror(errno));
        return TS_ERROR;
    }
    fcntl(listen_fd, F_SETFL, fcntl(listen_fd, F_GETFL) | O_NONBLOCK);
    return TS_OK;
}

static void
drain_and_exit(int sigfd)
{
    ts_log_info("stopping: letting %d processes finish their requests",
                count_children(generation + 1));
    signal_children(SIGTERM, generation + 1);
    for (int waited = 0; count_children(generation + 1) > 0 && waited < 300; waited++) {
        struct pollfd fd = { sigfd, POLLIN, 0 };
        if (poll(&fd, 1, 100) > 0) {
            struct signalfd_siginfo si;
            ssize_t n = read(sigfd, &si, sizeof(si));
            (void) n;
        }
        reap(true);
    }
    signal_children(SIGKILL, generation + 1);
    reap(true);
    if (socket_path != NULL) {
        unlink(socket_path);
    }
    ts_log_info("stopped");
}

static void
reload(void)
{
    ts_log_info("SIGHUP: reloading configuration, plugins and templates");
    if (load_everything(conf_path) != TS_OK) {
        ts_log_error("reload failed; keeping the running workers");
        return;
    }
    /* The new generation accepts before the old one is asked to leave. */
    spawn_generation();
    signal_children(SIGTERM, generation);
    ts_log_info("reloaded: generation %d serving", generation);
}

static int
master_loop(void)
{
    int sigfd = signals_fd();
    spawn_generation();
    ts_log_info("serving on %s with %d workers", ts_conf->listen, ts_conf->workers);
    for (;;) {
        struct signalfd_siginfo si;
        ssize_t n = read(sigfd, &si, sizeof(si));
        if (n != sizeof(si)) {
            continue;
        }
        switch (si.ssi_signo) {
        case SIGCHLD:
            reap(false);
            break;
        case SIGHUP:
            reload();
            break;
        case SIGTERM:
        case SIGINT:
        case SIGQUIT:
            drain_and_exit(sigfd);
            return 0;
        }
    }
}

static void
usage(void)
{
    fprintf(stderr, "usage: tesoro-fcgi [-c tesoro.conf] [-t]\n"
                    "  -c FILE  configuration (default conf/tesoro.conf, or $TESORO_CONF)\n"
                    "  -t       check the configuration, plugins and schema, then exit\n");
}

int
main(int argc, char **argv)
{
    int opt, test_only = 0;
    if (getenv("TESORO_CONF") != NULL) {
        conf_path = getenv("TESORO_CONF");
    }
    while ((opt = getopt(argc, argv, "c:th")) != -1) {
        switch (opt) {
        case 'c': conf_path = optarg; break;
        case 't': test_only = 1; break;
        default: usage(); return opt == 'h' ? 0 : 2;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    ts_log_set_prefix("master");
    if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
        ts_log_error("cannot initialise libsodium or libcurl");
        return 1;
    }
    if (load_everything(conf_path) != TS_OK) {
        return 1;
    }
    if (ts_migrate_check(ts_conf) != TS_OK) {
        ts_log_error("refusing to start: the database is missing or its schema is behind");
        return 1;
    }
    ts_db_close_all();
    if (test_only) {
        ts_log_info("configuration, plugins and schema are fine");
        return 0;
    }
    if (open_socket() != TS_OK) {
        return 1;
    }
    return master_loop();
}

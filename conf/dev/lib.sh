# shellcheck shell=bash
# Shared functions for ./tesoro up|down and tests/run.sh. Source it; it only
# defines variables and functions, it starts nothing by itself.
#
# One "instance" = one directory with its own build, install prefix, MariaDB,
# tesoro-fcgi and nginx. The dev stack is var/ on port 8080; the tests use
# var/test on port 8090 so they never touch the dev data. Choose with:
#
#   TS_VAR              instance dir, relative to the repo root or absolute  (var)
#   TS_PORT             nginx port on 127.0.0.1                              (8080)
#   TS_DB_PORT          MariaDB port on 127.0.0.1                            (3307)
#   TS_BUILD            out-of-tree build dir                                ($TS_VAR/build)
#   TS_PREFIX           make install prefix                                  ($TS_VAR/install)
#   TS_CONFIGURE_FLAGS  extra ./configure flags, e.g. "--enable-sanitizers"  (none)
#   TS_BENCH_NOOP       bench_noop in the generated tesoro.conf              (1)
#   TS_SMTP_URL         [smtp] url in the generated tesoro.conf              (as in conf/tesoro.conf)
#   TS_WAIT             seconds to wait for MariaDB and /healthz             (60)
#   TS_DRAIN            seconds tesoro-fcgi gets to drain on down            (15)
#
# Everything is idempotent: each step checks whether its work is already done.

TS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)

ts_abs() {  # path relative to the repo root -> absolute path
    case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$TS_ROOT/$1" ;; esac
}

TS_VAR=$(ts_abs "${TS_VAR:-var}")
TS_VAR=${TS_VAR%/}
TS_PORT=${TS_PORT:-8080}
TS_DB_PORT=${TS_DB_PORT:-3307}
TS_BUILD=$(ts_abs "${TS_BUILD:-$TS_VAR/build}")
TS_PREFIX=$(ts_abs "${TS_PREFIX:-$TS_VAR/install}")
TS_CONFIGURE_FLAGS=${TS_CONFIGURE_FLAGS:-}
TS_BENCH_NOOP=${TS_BENCH_NOOP:-1}
TS_SMTP_URL=${TS_SMTP_URL:-}
TS_WAIT=${TS_WAIT:-60}

TS_CONF=$TS_VAR/tesoro.conf          # generated from conf/tesoro.conf
TS_CLI=$TS_PREFIX/bin/tesoro
TS_FCGI=$TS_PREFIX/bin/tesoro-fcgi
TS_DB_SOCK=$TS_VAR/mysql.sock
TS_DB_NAME=tesoro                    # [db:main] database in conf/tesoro.conf
TS_LOG=$TS_VAR/log

# Tools run by these scripts: keep them quiet and non-interactive.
export DEBIAN_FRONTEND=noninteractive
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

# ---------------------------------------------------------------- messages

ts_step() { printf '\033[1m==> %s\033[0m\n' "$*"; }
ts_info() { printf '    %s\n' "$*"; }
ts_warn() { printf '\033[33mwarning:\033[0m %s\n' "$*" >&2; }
ts_die()  { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Print the end of a log file, to explain a failure without opening it:
# its last $2 lines, but nothing written before byte offset $3 (a size taken
# with ts_log_size before starting the program that failed).
ts_tail() {
    local file=$1 lines=${2:-30} since=${3:-0}
    [ -s "$file" ] || return 0
    printf -- '---- end of %s\n' "${file#"$TS_ROOT"/}" >&2
    tail -c +$((since + 1)) "$file" | tail -n "$lines" >&2
    printf -- '----\n' >&2
}
ts_log_size() { stat -c %s "$1" 2>/dev/null || echo 0; }

# ---------------------------------------------------------------- processes

# True if the pid file names a live process whose executable is $2 (so a
# recycled pid of an unrelated process does not count as "running").
ts_pid_alive() {
    local pidfile=$1 exe=$2 pid path stat
    [ -s "$pidfile" ] || return 1
    pid=$(tr -dc 0-9 <"$pidfile")
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    read -r stat 2>/dev/null <"/proc/$pid/stat" || return 1
    stat=${stat##*) }                # "S 1 1234 ...": state first
    [ "${stat:0:1}" != Z ] || return 1  # a zombie, not yet reaped
    path=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 0  # cannot tell: trust it
    case ${path% (deleted)} in */"$exe") return 0 ;; *) return 1 ;; esac
}

ts_pid() { tr -dc 0-9 <"$1"; }

# True while process group $1 has a member that is not a zombie. (Ours are
# orphans once up.sh exits; a zombie lasts until init reaps it, which some
# container inits do slowly, and `kill -0` counts zombies.)
ts_group_alive() {
    local pgid=$1 stat line
    kill -0 -- "-$pgid" 2>/dev/null || return 1
    for stat in /proc/[0-9]*/stat; do
        read -r line 2>/dev/null <"$stat" || continue
        # after "(comm) ": state ppid pgrp ...
        read -r -a line <<<"${line##*) }"
        [ "${line[2]}" = "$pgid" ] && [ "${line[0]}" != Z ] && return 0
    done
    return 1
}

# Wait until a process group is gone; false if it is still there after $2 s.
ts_wait_group_gone() {
    local pgid=$1 secs=$2 i
    for ((i = 0; i < secs * 10; i++)); do
        ts_group_alive "$pgid" || return 0
        sleep 0.1
    done
    return 1
}

# Stop a process we started with setsid (it leads its own process group):
# $signal to the leader, which drains its children, then SIGKILL to the whole
# group after $secs seconds.
ts_stop_group() {
    local name=$1 pidfile=$2 exe=$3 signal=$4 secs=$5 pid
    if ! ts_pid_alive "$pidfile" "$exe"; then
        rm -f "$pidfile"
        return 0
    fi
    pid=$(ts_pid "$pidfile")
    ts_info "stopping $name (pid $pid)"
    kill "-$signal" "$pid" 2>/dev/null || true
    if ! ts_wait_group_gone "$pid" "$secs"; then
        ts_warn "$name did not stop within ${secs}s; killing it"
        kill -KILL -- "-$pid" 2>/dev/null || true
        ts_wait_group_gone "$pid" 5 || true
    fi
    rm -f "$pidfile"
}

# ---------------------------------------------------------------- packages

# Package names from the given list files (one a line, # comments).
ts_package_list() {
    sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$@"
}

# Install the packages of the given list files that are not installed yet.
# dpkg-query first, so a machine that has everything never calls apt-get
# (nor needs root or the network).
ts_install_packages() {
    local -a wanted missing=()
    local pkg
    mapfile -t wanted < <(ts_package_list "$@")
    for pkg in "${wanted[@]}"; do
        dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null | grep -q '^ii' ||
            missing+=("$pkg")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        ts_info "all ${#wanted[@]} packages installed"
        return 0
    fi
    ts_info "installing: ${missing[*]}"

    local -a sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || ts_die "not root and no sudo: install ${missing[*]}"
        sudo=(sudo)
    fi
    # We run MariaDB and nginx ourselves under var/; keep apt from starting
    # the system services (policy-rc.d exit 101 = "do not start"), unless the
    # machine already has its own policy.
    local policy=/usr/sbin/policy-rc.d own_policy=0 rc=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\n# temporary, from tesoro conf/dev/lib.sh\nexit 101\n' |
            "${sudo[@]}" tee "$policy" >/dev/null &&
            "${sudo[@]}" chmod 755 "$policy" && own_policy=1
    fi
    # A fresh machine (CI) has empty package lists: update before installing.
    # Use-Pty=0: plain dpkg output in logs, without progress bars. Lock::Timeout:
    # wait for another apt-get (an unattended upgrade, a second checkout) to finish.
    local -a apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -qq -o Dpkg::Use-Pty=0
                  -o DPkg::Lock::Timeout=900)
    # apt-get update does not wait for the lists lock: retry while it is held.
    local try err
    err=$(mktemp)
    for try in $(seq 1 120); do
        rc=0
        "${apt[@]}" update 2>"$err" || rc=$?
        [ "$rc" -ne 0 ] && grep -q 'Could not get lock' "$err" || break
        sleep 5
    done
    cat "$err" >&2
    rm -f "$err"
    [ "$rc" -ne 0 ] || "${apt[@]}" install -y --no-install-recommends "${missing[@]}" || rc=$?
    [ "$own_policy" -eq 0 ] || "${sudo[@]}" rm -f "$policy"
    [ "$rc" -eq 0 ] || ts_die "apt-get failed (exit $rc)"
}

# ---------------------------------------------------------------- sources

# Steps that write into the source tree (autoreconf, www/node_modules) hold
# this lock, so `./tesoro up` and `./tesoro test` may run at the same time.
ts_source_lock() {
    mkdir -p "$TS_ROOT/var"
    exec 8>"$TS_ROOT/var/.source.lock"
    flock 8
}
ts_source_unlock() { flock -u 8; exec 8>&-; }

# Browser libraries for /static/vendor/ (nginx serves www/node_modules).
ts_npm_www() {
    local www=$TS_ROOT/www
    if [ ! -f "$www/package.json" ]; then
        ts_info "no www/package.json yet: no browser libraries to install"
        return 0
    fi
    if [ ! -f "$www/package-lock.json" ]; then
        ts_warn "www/package-lock.json is missing (npm ci needs it): run 'npm install' in www/ and commit the lock file"
        return 0
    fi
    ts_source_lock
    if [ ! -d "$www/node_modules" ] || [ "$www/package-lock.json" -nt "$www/node_modules" ]; then
        ts_info "npm ci in www/"
        (cd "$www" && npm ci --no-audit --no-fund --loglevel=error)
        # newer than the lock: skipped next time (npm makes no dir without deps)
        mkdir -p "$www/node_modules" && touch "$www/node_modules"
    else
        ts_info "www/node_modules is up to date"
    fi
    ts_source_unlock
}

# autoreconf when configure is missing or older than configure.ac; then an
# out-of-tree configure (only when the Makefile is missing or the flags
# changed; after that, automake's rules re-run it when needed), make, install.
ts_build() {
    cd "$TS_ROOT" || return
    [ -f configure.ac ] || ts_die "no configure.ac in $TS_ROOT"
    # An in-tree ./configure blocks every out-of-tree build of this source.
    [ ! -f config.status ] ||
        ts_die "the source tree was configured in place: run 'make distclean' in $TS_ROOT"

    ts_source_lock
    if [ ! -f configure ] || [ configure.ac -nt configure ]; then
        ts_info "autoreconf -fi"
        # m4/ only holds generated macros (not in git): create it so aclocal
        # does not warn that AC_CONFIG_MACRO_DIR is missing.
        mkdir -p m4
        autoreconf -fi
    fi
    ts_source_unlock

    local -a flags
    read -r -a flags <<<"$TS_CONFIGURE_FLAGS"
    local want="--prefix=$TS_PREFIX ${flags[*]}" stamp=$TS_BUILD/.configure-flags
    mkdir -p "$TS_BUILD"
    if [ ! -f "$TS_BUILD/Makefile" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        ts_info "configure $want"
        rm -f "$stamp"
        # configure's own cleanup runs "rm -f core ...", which complains about
        # our core/ object directory: drop that one line of noise.
        (cd "$TS_BUILD" && "$TS_ROOT/configure" -q --prefix="$TS_PREFIX" "${flags[@]}") \
            2> >(grep -v "cannot remove 'core': Is a directory" >&2)
        printf '%s\n' "$want" >"$stamp"
    fi
    ts_info "make -j$(nproc) in ${TS_BUILD#"$TS_ROOT"/}"
    make -C "$TS_BUILD" -j"$(nproc)" --no-print-directory
    make -C "$TS_BUILD" --no-print-directory install >/dev/null
}

# ---------------------------------------------------------------- instance dirs

ts_mkdirs() {
    mkdir -p "$TS_VAR" "$TS_LOG" "$TS_VAR/tmp" \
        "$TS_VAR"/nginx/{body,fastcgi,proxy,uwsgi,scgi}
    # Unix socket paths are limited to 107 bytes.
    [ ${#TS_DB_SOCK} -lt 100 ] || ts_die "instance path too long for unix sockets: $TS_VAR"
}

# A random value generated once into a 0600 file; prints it.
ts_secret_file() {
    local file=$1 kind=$2
    if [ ! -s "$file" ]; then
        (
            umask 077
            case $kind in
            hex) head -c32 /dev/urandom | od -An -vtx1 | tr -d ' \n' >"$file" ;;
            # 16 letters and digits: easy to type and copy from a terminal
            password) LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c16 >"$file" ;;
            esac
        )
    fi
    cat "$file"
}

# ---------------------------------------------------------------- MariaDB

ts_db() { mariadb --no-defaults --socket="$TS_DB_SOCK" -uroot "$@"; }
ts_db_ping() { mariadb-admin --no-defaults --socket="$TS_DB_SOCK" -uroot ping >/dev/null 2>&1; }

# mariadbd refuses to run as root unless told so.
TS_DB_USER_OPT=()
[ "$(id -u)" -ne 0 ] || TS_DB_USER_OPT=(--user=root)

ts_db_start() {
    ts_mkdirs
    if ts_db_ping; then
        ts_info "MariaDB already running (${TS_DB_SOCK#"$TS_ROOT"/})"
        return 0
    fi
    if [ ! -d "$TS_VAR/db/mysql" ]; then
        ts_info "mariadb-install-db into ${TS_VAR#"$TS_ROOT"/}/db"
        rm -rf "$TS_VAR/db"
        mariadb-install-db --no-defaults --datadir="$TS_VAR/db" "${TS_DB_USER_OPT[@]}" \
            --auth-root-authentication-method=normal --skip-test-db \
            >"$TS_LOG/mariadb-install.log" 2>&1 ||
            { ts_tail "$TS_LOG/mariadb-install.log"; ts_die "mariadb-install-db failed"; }
    fi
    ts_info "starting MariaDB on 127.0.0.1:$TS_DB_PORT"
    local log_start
    log_start=$(ts_log_size "$TS_LOG/mariadb.err")
    # setsid: its own session, so a Ctrl-C in this terminal does not reach it;
    # -w: should setsid have to fork, $! still lives exactly as long as mariadbd.
    # flush-at-commit 2: a dev/test database trades crash durability for speed.
    # tmpdir of its own: instances side by side never share /tmp's temp tables.
    mkdir -p "$TS_VAR/db-tmp"
    setsid -w mariadbd --no-defaults "${TS_DB_USER_OPT[@]}" \
        --datadir="$TS_VAR/db" --socket="$TS_DB_SOCK" --pid-file="$TS_VAR/mysql.pid" \
        --tmpdir="$TS_VAR/db-tmp" \
        --port="$TS_DB_PORT" --bind-address=127.0.0.1 --skip-name-resolve \
        --log-error="$TS_LOG/mariadb.err" \
        --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
        --innodb-buffer-pool-size=256M --innodb-flush-log-at-trx-commit=2 \
        </dev/null >/dev/null 2>&1 &
    local pid=$! i
    for ((i = 0; i < TS_WAIT * 5; i++)); do
        ts_db_ping && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    ts_tail "$TS_LOG/mariadb.err" 30 "$log_start"
    ts_die "MariaDB did not start (log: ${TS_LOG#"$TS_ROOT"/}/mariadb.err)"
}

ts_db_create() {
    ts_db -e "CREATE DATABASE IF NOT EXISTS \`$TS_DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
}

ts_db_stop() {
    if ts_db_ping; then
        ts_info "stopping MariaDB"
        # Waits until the server has shut down cleanly.
        mariadb-admin --no-defaults --socket="$TS_DB_SOCK" -uroot shutdown ||
            ts_warn "mariadb-admin shutdown failed"
    fi
    # Whatever is left (hung, or not answering on the socket): by pid file.
    ts_stop_group MariaDB "$TS_VAR/mysql.pid" mariadbd TERM 30
}

# ---------------------------------------------------------------- tesoro.conf

# Set key = value inside [section] of an ini file (the key must exist there:
# conf/tesoro.conf documents every key).
ts_ini_set() {
    local file=$1 section=$2 key=$3 value=$4
    awk -v sec="$section" -v key="$key" -v val="$value" '
        /^[ \t]*\[/ { cur = $0; gsub(/^[ \t]*\[|\][ \t]*$/, "", cur) }
        cur == sec && !done && $0 ~ "^[ \t]*" key "[ \t]*=" { print key " =" (val == "" ? "" : " " val); done = 1; next }
        { print }
        END { if (!done) exit 3 }' "$file" >"$file.new" ||
        ts_die "[$section] $key not found in conf/tesoro.conf"
    mv "$file.new" "$file"
}

# <instance>/tesoro.conf = conf/tesoro.conf with absolute paths into this
# instance (var/install/... -> prefix, var/... -> instance dir), its port in
# base_url, a secret of its own, bench_noop, and the test SMTP url if given.
# Rewritten only when the content changes, so its mtime means something.
ts_write_conf() {
    ts_mkdirs
    local secret new=$TS_CONF.tmp
    secret=$(ts_secret_file "$TS_VAR/secret" hex)
    (
        umask 077  # it holds the secret
        {
            echo "; GENERATED by conf/dev/lib.sh from conf/tesoro.conf: edit that file, not this one."
            awk -v inst="$TS_VAR" -v prefix="$TS_PREFIX" -v port="$TS_PORT" '
                /^[ \t]*[;#\[]/ || !/=/ { print; next }
                {
                    key = $0; sub(/[ \t]*=.*/, "", key)
                    val = $0; sub(/^[^=]*=[ \t]*/, "", val)
                    if (val ~ /^(unix:)?var\/install\//) sub(/var\/install\//, prefix "/", val)
                    else if (val ~ /^(unix:)?var\//)     sub(/var\//, inst "/", val)
                    if (key ~ /base_url/) sub(/:8080/, ":" port, val)
                    print key " =" (val == "" ? "" : " " val)
                }' "$TS_ROOT/conf/tesoro.conf"
        } >"$new"
    )
    ts_ini_set "$new" security secret "$secret"
    ts_ini_set "$new" server bench_noop "$TS_BENCH_NOOP"
    [ -z "$TS_SMTP_URL" ] || ts_ini_set "$new" smtp url "$TS_SMTP_URL"
    [ -z "${TS_FETCH_ALLOW:-}" ] || ts_ini_set "$new" fetch allow "$TS_FETCH_ALLOW"
    [ -z "${TS_FETCH_PUBLIC:-}" ] || ts_ini_set "$new" fetch public "$TS_FETCH_PUBLIC"
    chmod 600 "$new"
    if cmp -s "$new" "$TS_CONF"; then
        rm -f "$new"
    else
        mv "$new" "$TS_CONF"
        ts_info "wrote ${TS_CONF#"$TS_ROOT"/}"
    fi
}

# ---------------------------------------------------------------- tesoro

# The installed CLI on this instance's config (TESORO_CONF for its children).
ts_cli() {
    [ -x "$TS_CLI" ] || ts_die "${TS_CLI#"$TS_ROOT"/} is not built: run ./tesoro up"
    TESORO_CONF=$TS_CONF "$TS_CLI" -c "$TS_CONF" "$@"
}

ts_migrate() { ts_cli migrate; }

TS_DEMO_EMAIL=admin@demo.localhost

# The demo agency and its admin, with a password generated once into
# <instance>/demo-password (up.sh prints it).
ts_demo_tenant() {
    local password list file=$TS_VAR/demo-password
    list=$(ts_cli tenant list --json) || ts_die "tesoro tenant list --json failed"
    if grep -q '"demo"' <<<"$list"; then
        ts_info "tenant demo exists"
        [ -s "$file" ] ||
            ts_warn "${file#"$TS_ROOT"/} is gone, so its admin password is unknown: ./tesoro down, delete ${TS_VAR#"$TS_ROOT"/}/db and ./tesoro up for a fresh demo"
        return 0
    fi
    password=$(ts_secret_file "$file" password)
    ts_info "creating tenant demo"
    ts_cli tenant create demo --name "Demo Agency" \
        --host demo.localhost --host 127.0.0.1 --host localhost \
        --admin-email "$TS_DEMO_EMAIL" --admin-password "$password"
}

# Fingerprint of what the running server was started from: the install
# prefix (binaries, plugins, templates, schema) and the config.
ts_fcgi_fingerprint() {
    { find "$TS_PREFIX" -type f -print0 | sort -z | xargs -0 md5sum; md5sum "$TS_CONF"; } |
        md5sum | cut -c1-32
}

ts_fcgi_start() {
    ts_mkdirs
    local pidfile=$TS_VAR/tesoro.pid stampfile=$TS_VAR/tesoro.fingerprint fp
    [ -x "$TS_FCGI" ] || ts_die "${TS_FCGI#"$TS_ROOT"/} is not built"
    fp=$(ts_fcgi_fingerprint)
    # tesoro-fcgi -t checks config, plugins and schema: fail here, with its
    # message, rather than stop a working server for one that cannot start.
    local check
    check=$(TESORO_CONF=$TS_CONF "$TS_FCGI" -t -c "$TS_CONF" 2>&1) ||
        { printf '%s\n' "$check" >&2; ts_die "tesoro-fcgi -t rejects ${TS_CONF#"$TS_ROOT"/}"; }
    if ts_pid_alive "$pidfile" tesoro-fcgi; then
        if [ "$fp" = "$(cat "$stampfile" 2>/dev/null)" ]; then
            ts_info "tesoro-fcgi already running (pid $(ts_pid "$pidfile"))"
            return 0
        fi
        # `up` after a code change should serve the new code.
        ts_info "new build or config: restarting tesoro-fcgi"
        ts_fcgi_stop
    fi
    rm -f "$TS_VAR/tesoro.sock" "$pidfile"  # leftovers of a server that died
    TS_FCGI_LOG_START=$(ts_log_size "$TS_LOG/tesoro.log")
    ts_info "starting tesoro-fcgi (log: ${TS_LOG#"$TS_ROOT"/}/tesoro.log)"
    # The shell writes its own pid, then execs the server under that pid;
    # setsid makes it a process group leader, so down can stop its workers too.
    (
        cd "$TS_ROOT" || exit
        export TESORO_CONF=$TS_CONF
        # shellcheck disable=SC2016 # $$ and $1 belong to the inner bash
        exec setsid -w bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$pidfile" \
            "$TS_FCGI" -c "$TS_CONF" </dev/null >>"$TS_LOG/tesoro.log" 2>&1
    ) &
    printf '%s\n' "$fp" >"$stampfile"
    local i
    for ((i = 0; i < 50; i++)); do [ -s "$pidfile" ] && break; sleep 0.1; done
}

ts_fcgi_stop() {
    # SIGTERM: the server stops accepting and lets running requests finish.
    ts_stop_group tesoro-fcgi "$TS_VAR/tesoro.pid" tesoro-fcgi TERM "${TS_DRAIN:-15}"
    rm -f "$TS_VAR/tesoro.fingerprint" "$TS_VAR/tesoro.sock"
}

# ---------------------------------------------------------------- nginx

ts_nginx() { nginx -p "$TS_ROOT" -e "$TS_LOG/nginx-error.log" -c "$TS_VAR/nginx.conf" "$@"; }

ts_nginx_conf() {
    ts_mkdirs
    local new=$TS_VAR/nginx.conf.tmp
    sed -e "s|@ROOT@|$TS_ROOT|g" -e "s|@VAR@|$TS_VAR|g" -e "s|@PORT@|$TS_PORT|g" \
        -e "s|@USER@|$(id -un)|g" "$TS_ROOT/conf/nginx.conf.in" >"$new"
    # The user directive only means something to a master started as root
    # (otherwise nginx warns on every start).
    [ "$(id -u)" -eq 0 ] || sed -i '/^user /d' "$new"
    TS_NGINX_CHANGED=0
    if cmp -s "$new" "$TS_VAR/nginx.conf"; then
        rm -f "$new"
    else
        mv "$new" "$TS_VAR/nginx.conf"
        TS_NGINX_CHANGED=1
    fi
}

ts_nginx_start() {
    ts_nginx_conf
    ts_nginx -t -q || ts_die "invalid nginx config ${TS_VAR#"$TS_ROOT"/}/nginx.conf (from conf/nginx.conf.in)"
    local pidfile=$TS_VAR/nginx.pid
    if ts_pid_alive "$pidfile" nginx; then
        if [ "$TS_NGINX_CHANGED" -eq 1 ]; then
            ts_info "nginx running: reloading the changed config"
            ts_nginx -s reload
        else
            ts_info "nginx already running (pid $(ts_pid "$pidfile"))"
        fi
        return 0
    fi
    ts_info "starting nginx on http://127.0.0.1:$TS_PORT"
    rm -f "$pidfile"
    local log_start
    log_start=$(ts_log_size "$TS_LOG/nginx-error.log")
    # "daemon off": it stays in the foreground, so background it ourselves.
    # shellcheck disable=SC2094 # -e only names the file nginx appends to
    (cd "$TS_ROOT" && exec setsid -w nginx -p "$TS_ROOT" -e "$TS_LOG/nginx-error.log" \
        -c "$TS_VAR/nginx.conf" </dev/null >>"$TS_LOG/nginx-error.log" 2>&1) &
    local pid=$! i
    for ((i = 0; i < 50; i++)); do
        [ -s "$pidfile" ] && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    ts_tail "$TS_LOG/nginx-error.log" 10 "$log_start"
    ts_die "nginx did not start (port $TS_PORT taken?)"
}

ts_nginx_stop() {
    # QUIT: graceful, lets open requests finish.
    ts_stop_group nginx "$TS_VAR/nginx.pid" nginx QUIT 10
}

# ---------------------------------------------------------------- health

ts_wait_healthy() {
    local url=http://127.0.0.1:$TS_PORT/healthz i
    for ((i = 0; i < TS_WAIT * 5; i++)); do
        curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null && return 0
        if ! ts_pid_alive "$TS_VAR/tesoro.pid" tesoro-fcgi; then
            ts_tail "$TS_LOG/tesoro.log" 30 "${TS_FCGI_LOG_START:-0}"
            ts_die "tesoro-fcgi exited (log: ${TS_LOG#"$TS_ROOT"/}/tesoro.log)"
        fi
        sleep 0.2
    done
    curl -sS -o /dev/null "$url" || true
    ts_tail "$TS_LOG/tesoro.log" 30 "${TS_FCGI_LOG_START:-0}"
    ts_tail "$TS_LOG/nginx-error.log" 10
    ts_die "$url did not answer within ${TS_WAIT}s"
}

# ---------------------------------------------------------------- up / down

# The whole stack, in dependency order. $1: the package lists to install.
ts_up() {
    ts_step "Debian packages"
    ts_install_packages "$@"
    ts_step "browser libraries (www/)"
    ts_npm_www
    ts_step "build (${TS_BUILD#"$TS_ROOT"/})"
    ts_build
    ts_step "MariaDB"
    ts_db_start
    ts_db_create
    ts_step "config and schema"
    ts_write_conf
    ts_migrate
    ts_demo_tenant
    ts_step "tesoro-fcgi and nginx"
    ts_fcgi_start
    ts_nginx_start
    ts_wait_healthy
}

ts_down() {
    ts_nginx_stop
    ts_fcgi_stop
    ts_db_stop
}

// Helpers for the suites that work on the running stack itself rather than
// through its API alone: processes (tesoro-fcgi's master, workers and job
// runner), databases (MariaDB restarts, a second server, migrations) and mail
// (a real SMTP server, the job runner, the invitation link).
//
// These suites change the stack while they run: they kill workers, restart
// MariaDB, edit TS_CONF and send SIGHUP. Every change is undone in after()
// hooks, also when a test fails; a run that was itself killed midway leaves a
// backup of TS_CONF (TS_CONF + ".api-backup"), which the next run restores
// first. The suites hold a lock (TS_VAR/api-stack.lock) while they run, so
// two of them never disturb the stack at the same time.
//
// Environment (tests/run.sh sets it for CI; the defaults are the dev stack):
//   TS_BASE  http://127.0.0.1:8090 in CI, http://127.0.0.1:8080 for ./tesoro up
//   TS_CLI   the built `tesoro` CLI (tesoro-fcgi is beside it)
//   TS_CONF  the configuration the running server was started with
//   TS_VAR   the instance directory (tesoro.pid, log/tesoro.log, mysql.sock)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const BASE = (process.env.TS_BASE ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
export const VAR = path.resolve(ROOT, process.env.TS_VAR ?? 'var');
export const CLI = path.resolve(ROOT, process.env.TS_CLI ?? path.join(VAR, 'install/bin/tesoro'));
export const CONF = path.resolve(ROOT, process.env.TS_CONF ?? path.join(VAR, 'tesoro.conf'));
export const FCGI = path.join(path.dirname(CLI), 'tesoro-fcgi');
export const LOG = path.join(VAR, 'log/tesoro.log');
export const PID_FILE = path.join(VAR, 'tesoro.pid');

const baseUrl = new URL(BASE);
/** The port nginx listens on, as a browser puts it in Host. */
export const PORT = baseUrl.port || '80';

// ------------------------------------------------------------------ basics

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function rand(bytes = 4) {
    return randomBytes(bytes).toString('hex');
}

/** A password the CLI accepts (10+ characters). */
export function password() {
    return `Pw-${rand(8)}-x`;
}

/** Polls fn until it returns something truthy; returns that. An error with .fatal set ends the wait. */
export async function waitFor(fn, { timeout = 10000, interval = 100, what = 'a condition' } = {}) {
    const end = Date.now() + timeout;
    let last;
    for (;;) {
        try {
            last = await fn();
            if (last) {
                return last;
            }
        } catch (e) {
            if (e?.fatal) {
                throw e;
            }
            last = e;
        }
        if (Date.now() > end) {
            throw new Error(`timed out after ${timeout} ms waiting for ${what} (last: ${
                last instanceof Error ? last.message : JSON.stringify(last)})`);
        }
        await sleep(interval);
    }
}

// ------------------------------------------------------------------ the ini file

/** { section: { key: value } } of an ini text (comments dropped). */
export function parseIni(text) {
    const out = {};
    let sec = '';
    for (const raw of text.split('\n')) {
        const line = raw.trim();
        if (line === '' || line.startsWith(';') || line.startsWith('#')) {
            continue;
        }
        const s = /^\[(.+)\]$/.exec(line);
        if (s) {
            sec = s[1];
            out[sec] ??= {};
            continue;
        }
        const eq = line.indexOf('=');
        if (eq > 0) {
            (out[sec] ??= {})[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
        }
    }
    return out;
}

export function readConf(file = CONF) {
    return parseIni(fs.readFileSync(file, 'utf8'));
}

/** The text with [section] key set to value (the key is added if the section lacks it). */
export function iniSet(text, section, key, value) {
    const lines = text.split('\n');
    let cur = null;
    let sectionEnd = -1;
    for (let i = 0; i < lines.length; i++) {
        const s = /^\s*\[(.+)\]\s*$/.exec(lines[i]);
        if (s) {
            cur = s[1];
            continue;
        }
        if (cur === section) {
            sectionEnd = i;
            const m = /^\s*([^=;#\s]+)\s*=/.exec(lines[i]);
            if (m && m[1] === key) {
                lines[i] = `${key} = ${value}`;
                return lines.join('\n');
            }
        }
    }
    if (sectionEnd < 0) {
        throw new Error(`no [${section}] in the configuration`);
    }
    lines.splice(sectionEnd + 1, 0, `${key} = ${value}`);
    return lines.join('\n');
}

/** The text with a new section appended: { key: value }. */
export function iniAppend(text, section, values) {
    const body = Object.entries(values).map(([k, v]) => `${k} = ${v}`).join('\n');
    return `${text.replace(/\n*$/, '\n')}\n[${section}]\n${body}\n`;
}

/** A temporary directory, removed by the returned function. */
export function tempDir(label) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tesoro-${label}-`));
    return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Writes a copy of TS_CONF (edited by fn(text) -> text) into dir; returns its path. */
export function confCopy(dir, fn = (t) => t, name = 'tesoro.conf') {
    const file = path.join(dir, name);
    fs.writeFileSync(file, fn(fs.readFileSync(CONF, 'utf8')), { mode: 0o600 });
    return file;
}

// ------------------------------------------------------------------ the CLI

/** Runs the admin CLI; returns stdout. Throws with its stderr on failure. */
export function cli(args, { conf = CONF, timeout = 60000 } = {}) {
    try {
        return execFileSync(CLI, ['-c', conf, ...args], {
            encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout,
            env: { ...process.env, TESORO_CONF: conf },
        });
    } catch (e) {
        throw new Error(`tesoro ${args.join(' ')} failed (${e.status ?? e.signal}): ${e.stderr || e.message}`);
    }
}

export function cliJson(args, opts) {
    return JSON.parse(cli(['--json', ...args], opts));
}

/** Runs a program to its end: { status, stdout, stderr } (never throws). */
export function run(cmd, args, { timeout = 60000, env } = {}) {
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout, env: env ?? process.env });
    if (r.error) {
        return { status: -1, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error.message}` };
    }
    return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A new tenant with one host and an admin. Returns { slug, host, id, server,
 * admin: { email, password } }. opts.db: the [db:NAME] server; opts.conf: the config.
 */
export function newTenant(label, { db, conf } = {}) {
    const slug = `t-${label}-${rand()}`;
    const host = `${slug}.localhost`;
    const admin = { email: `admin@${slug}.test`, password: password() };
    const args = ['tenant', 'create', slug, '--host', host, '--admin-email', admin.email,
                  '--admin-password', admin.password];
    if (db) {
        args.push('--db', db);
    }
    const o = cliJson(args, { conf });
    return { slug, host, id: o.id, server: o.db_server, admin };
}

/** An API token for a user of t: the last line the CLI prints. */
export function newToken(t, email, { conf } = {}) {
    const lines = cli(['token', 'create', '--tenant', t.slug, '--email', email], { conf })
        .trim().split('\n');
    const tok = lines[lines.length - 1].trim();
    if (!/^tso_\d+_[0-9a-f]{64}$/.test(tok)) {
        throw new Error(`token create printed no token: ${lines.join(' / ')}`);
    }
    return tok;
}

// ------------------------------------------------------------------ MariaDB

/** [db:NAME] of a config: { socket, user, password, database, host, port }. */
export function dbConf(name = 'main', conf = CONF) {
    const s = readConf(conf)[`db:${name}`];
    if (!s) {
        throw new Error(`no [db:${name}] in ${conf}`);
    }
    return s;
}

/** Runs SQL with the mariadb client on a socket; returns rows as arrays of strings. */
export function sql(socket, query, { database = 'tesoro', user = 'root' } = {}) {
    const args = ['--no-defaults', `--socket=${socket}`, `-u${user}`, '-N', '-B'];
    if (database) {
        args.push(database);
    }
    args.push('-e', query);
    const r = run('mariadb', args, { timeout: 30000 });
    if (r.status !== 0) {
        throw new Error(`mariadb on ${socket}: ${query}: ${r.stderr}`);
    }
    return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

/** A string as an SQL literal (for the few values tests put in a query). */
export function sqlQuote(s) {
    return `'${String(s).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function dbPing(socket) {
    return run('mariadb-admin', ['--no-defaults', `--socket=${socket}`, '-uroot', 'ping'],
               { timeout: 10000 }).status === 0;
}

/**
 * The instance's own mariadbd ([db:main] of TS_CONF lives there): its pid (the
 * pid file named on its command line, else a scan of /proc for the datadir
 * TS_VAR/db), argv and working directory, enough to start it again exactly so.
 */
export function mainMariadb() {
    const real = (p) => {
        try {
            return fs.realpathSync(p);
        } catch {
            return path.resolve(p);
        }
    };
    const datadir = real(path.join(VAR, 'db'));
    const isOurs = (pid) => {
        try {
            const argv = cmdline(pid);
            const cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
            return /mariadbd|mysqld/.test(path.basename(argv[0])) && argv.some((a) =>
                a.startsWith('--datadir=') && real(path.resolve(cwd, a.slice(10))) === datadir);
        } catch {
            return false;
        }
    };
    let pid = readPid(path.join(VAR, 'mysql.pid'));
    if (!pid || !alive(pid) || !isOurs(pid)) {
        pid = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number)
            .find((p) => alive(p) && isOurs(p)) ?? null;
    }
    if (!pid) {
        throw new Error(`no running mariadbd with --datadir=${datadir}`);
    }
    return { pid, argv: cmdline(pid), cwd: fs.readlinkSync(`/proc/${pid}/cwd`) };
}

/** mariadbd of a datadir we create (socket only: no TCP port at all). Resolves { pid, socket, datadir }. */
export async function startPrivateMariadb(datadir, socket) {
    const root = process.getuid?.() === 0 ? ['--user=root'] : [];
    fs.rmSync(datadir, { recursive: true, force: true });
    const inst = run('mariadb-install-db', ['--no-defaults', `--datadir=${datadir}`, ...root,
        '--auth-root-authentication-method=normal', '--skip-test-db'], { timeout: 120000 });
    if (inst.status !== 0) {
        throw new Error(`mariadb-install-db --datadir=${datadir}: ${inst.stderr}${inst.stdout}`);
    }
    const errLog = path.join(datadir, 'mariadb.err');
    const { pid } = startDetached('mariadbd', ['--no-defaults', ...root, `--datadir=${datadir}`,
        `--socket=${socket}`, `--pid-file=${path.join(datadir, 'mariadbd.pid')}`,
        '--skip-networking', '--skip-name-resolve', `--log-error=${errLog}`,
        '--character-set-server=utf8mb4', '--collation-server=utf8mb4_unicode_ci',
        '--innodb-buffer-pool-size=32M', '--innodb-flush-log-at-trx-commit=2']);
    track(pid);
    try {
        await waitFor(() => {
            if (!alive(pid)) {
                throw Object.assign(new Error('mariadbd exited'), { fatal: true });
            }
            return dbPing(socket);
        }, { timeout: 60000, interval: 100, what: `mariadbd on ${socket}` });
    } catch (e) {
        let tail = '';
        try {
            tail = fs.readFileSync(errLog, 'utf8').slice(-1500);
        } catch { /* no log */ }
        await stopGroup(pid);
        throw new Error(`${e.message}\n${tail}`);
    }
    return { pid, socket, datadir };
}

// ------------------------------------------------------------------ processes

/** The pid in a pid file, or null. */
export function readPid(file) {
    try {
        const pid = Number(fs.readFileSync(file, 'utf8').trim());
        return pid > 0 ? pid : null;
    } catch {
        return null;
    }
}

/** tesoro-fcgi's master: TS_VAR/tesoro.pid, checked to be alive. */
export function masterPid() {
    const pid = readPid(PID_FILE);
    if (!pid || !alive(pid)) {
        throw new Error(`no running tesoro-fcgi master (pid file ${PID_FILE}: ${pid})`);
    }
    return pid;
}

/** /proc/PID/stat as { state, ppid }, or null when the process is gone. */
function procStat(pid) {
    try {
        const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
        return { state: f[0], ppid: Number(f[1]) };
    } catch {
        return null;
    }
}

/** True while pid exists and is not a zombie. */
export function alive(pid) {
    const st = procStat(pid);
    return st !== null && st.state !== 'Z';
}

/** The live (non-zombie) children of a process, sorted. */
export function childrenOf(ppid) {
    const out = [];
    for (const d of fs.readdirSync('/proc')) {
        if (!/^\d+$/.test(d)) {
            continue;
        }
        const st = procStat(d);
        if (st && st.ppid === ppid && st.state !== 'Z') {
            out.push(Number(d));
        }
    }
    return out.sort((a, b) => a - b);
}

/** The argv of a process (from /proc/PID/cmdline). */
export function cmdline(pid) {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a, i, all) =>
        a !== '' || i < all.length - 1);
}

/** Waits until pid is gone (or a zombie); false after timeout ms. */
export async function waitGone(pid, timeout = 30000) {
    const end = Date.now() + timeout;
    while (alive(pid)) {
        if (Date.now() > end) {
            return false;
        }
        await sleep(50);
    }
    return true;
}

/**
 * Starts a long-running program in its own session (as setsid does: a
 * Ctrl-C of the test runner does not reach it, and its process group can be
 * stopped as a whole). Returns { pid, child, log }.
 */
export function startDetached(cmd, args, { log, cwd, env } = {}) {
    const fd = log ? fs.openSync(log, 'a') : 'ignore';
    const child = spawn(cmd, args, {
        detached: true, stdio: ['ignore', fd, fd], cwd, env: env ?? process.env,
    });
    if (typeof fd === 'number') {
        fs.closeSync(fd);
    }
    child.on('error', () => {});
    child.unref();
    return { pid: child.pid, child };
}

/** Stops a process group we started: signal, then SIGKILL after timeout ms. */
export async function stopGroup(pid, { signal = 'SIGTERM', timeout = 20000 } = {}) {
    if (!pid) {
        return;
    }
    try {
        process.kill(-pid, signal);
    } catch {
        try {
            process.kill(pid, signal);
        } catch {
            return;
        }
    }
    if (!(await waitGone(pid, timeout))) {
        try {
            process.kill(-pid, 'SIGKILL');
        } catch { /* gone */ }
        await waitGone(pid, 5000);
    }
}

/** True if something accepts TCP connections on 127.0.0.1:port. */
export function portOpen(port, host = '127.0.0.1') {
    return new Promise((resolve) => {
        const s = net.connect({ port, host });
        s.setTimeout(1000);
        s.once('connect', () => { s.destroy(); resolve(true); });
        s.once('timeout', () => { s.destroy(); resolve(false); });
        s.once('error', () => resolve(false));
    });
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort() {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.once('error', reject);
        srv.listen(0, '127.0.0.1', () => {
            const { port } = srv.address();
            srv.close(() => resolve(port));
        });
    });
}

// ------------------------------------------------------------------ SMTP

/** A python3 that has Debian's aiosmtpd (installing python3-aiosmtpd when none has it). */
export function aiosmtpdPython() {
    const has = (py) => run(py, ['-c', 'import aiosmtpd'], { timeout: 20000 }).status === 0;
    // Debian's own python first: a pyenv shim earlier in PATH lacks Debian's packages
    const candidates = ['/usr/bin/python3', 'python3'];
    let py = candidates.find(has);
    if (!py) {
        const apt = run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'python3-aiosmtpd'],
                        { timeout: 300000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
        py = candidates.find(has);
        if (!py) {
            throw new Error(`python3-aiosmtpd is missing and apt-get could not install it: ${apt.stderr}`);
        }
    }
    return py;
}

/**
 * A real SMTP server on 127.0.0.1:port that stores every message in a
 * Maildir (python3 -m aiosmtpd ... -c aiosmtpd.handlers.Mailbox DIR).
 * Resolves { pid, port, maildir, messages(), stop() }; messages() parses each
 * file of maildir/new into { file, headers (lowercase names), body, raw }.
 */
export async function startSmtp(port, maildir, log) {
    const py = aiosmtpdPython();
    const { pid } = startDetached(py, ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`,
        '-c', 'aiosmtpd.handlers.Mailbox', maildir], { log });
    track(pid);
    await waitFor(async () => {
        if (!alive(pid)) {
            throw Object.assign(new Error(`aiosmtpd exited: ${log ? fs.readFileSync(log, 'utf8') : ''}`), { fatal: true });
        }
        return portOpen(port);
    }, { timeout: 20000, what: `aiosmtpd on 127.0.0.1:${port}` });
    const messages = () => {
        const dir = path.join(maildir, 'new');
        let files = [];
        try {
            files = fs.readdirSync(dir).sort();
        } catch {
            return [];
        }
        return files.map((f) => parseMail(f, fs.readFileSync(path.join(dir, f), 'utf8')));
    };
    return { pid, port, maildir, messages, stop: () => stopGroup(pid, { timeout: 5000 }) };
}

/** Headers (unfolded, lowercase names, RFC 2047 words decoded) and body of a message. */
export function parseMail(file, raw) {
    const text = raw.replace(/\r\n/g, '\n');
    const cut = text.indexOf('\n\n');
    const head = cut < 0 ? text : text.slice(0, cut);
    const body = cut < 0 ? '' : text.slice(cut + 2);
    const headers = {};
    for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
        const i = line.indexOf(':');
        if (i > 0) {
            const name = line.slice(0, i).trim().toLowerCase();
            const value = line.slice(i + 1).trim().replace(/=\?utf-8\?b\?([^?]*)\?=/gi,
                (_, b64) => Buffer.from(b64, 'base64').toString('utf8'));
            headers[name] ??= value;
        }
    }
    return { file, headers, body, raw };
}

// ------------------------------------------------------------------ the log

/** Where tesoro.log ends now. */
export function logMark() {
    try {
        return fs.statSync(LOG).size;
    } catch {
        return 0;
    }
}

/** What tesoro.log got since mark. */
export function logSince(mark) {
    try {
        const fd = fs.openSync(LOG, 'r');
        const size = fs.fstatSync(fd).size;
        const from = size >= mark ? mark : 0;
        const buf = Buffer.alloc(size - from);
        fs.readSync(fd, buf, 0, buf.length, from);
        fs.closeSync(fd);
        return buf.toString('utf8');
    } catch {
        return '';
    }
}

/** The pids that logged as role ("worker", "jobs", "master") since mark. */
export function pidsLoggedAs(role, mark) {
    const out = new Set();
    const re = new RegExp(`Z ${role}\\[(\\d+)\\] `, 'g');
    for (const m of logSince(mark).matchAll(re)) {
        out.add(Number(m[1]));
    }
    return out;
}

/** Log lines since mark that mean a crash: signals other than 9, sanitizer reports. */
export function crashesSince(mark) {
    return logSince(mark).split('\n').filter((l) => {
        const sig = /killed by signal (\d+)/.exec(l);
        return (sig && sig[1] !== '9') || /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/.test(l);
    });
}

// ------------------------------------------------------------------ reload

/**
 * SIGHUP to the master, then waits until it logged the outcome and, on
 * success, until the children are the new generation only (none of before)
 * and as many as before. Resolves { ok, log, before, after }.
 */
export async function reload({ timeout = 15000 } = {}) {
    const master = masterPid();
    const before = childrenOf(master);
    const mark = logMark();
    process.kill(master, 'SIGHUP');
    const log = await waitFor(() => {
        const l = logSince(mark);
        return /reloaded: generation|reload failed/.test(l) ? l : null;
    }, { timeout, what: 'the master to log the reload' });
    const ok = /reloaded: generation/.test(log);
    let after = childrenOf(master);
    if (ok) {
        after = await waitFor(() => {
            const now = childrenOf(master);
            return now.length >= before.length && now.every((p) => !before.includes(p)) ? now : null;
        }, { timeout, what: `the old generation (${before}) to leave` });
    }
    return { ok, log: logSince(mark), before, after };
}

/**
 * Edits TS_CONF (the running server's configuration) with a backup that
 * restore() puts back (and a run that died midway is undone by the next).
 */
export class ConfEdit {
    constructor() {
        this.backup = `${CONF}.api-backup`;
        this.changed = false;
    }

    /** Restores a backup left by a run that was killed before its after(). */
    static recover() {
        const backup = `${CONF}.api-backup`;
        if (fs.existsSync(backup)) {
            fs.writeFileSync(CONF, fs.readFileSync(backup));
            fs.rmSync(backup);
            return true;
        }
        return false;
    }

    /** fn(text) -> new text; written to TS_CONF (mode kept). */
    apply(fn) {
        if (!this.changed) {
            fs.copyFileSync(CONF, this.backup);
            this.changed = true;
        }
        fs.writeFileSync(CONF, fn(fs.readFileSync(CONF, 'utf8')));
    }

    /** Puts the original back; true if there was something to restore. */
    restore() {
        if (!this.changed) {
            return false;
        }
        fs.writeFileSync(CONF, fs.readFileSync(this.backup));
        fs.rmSync(this.backup);
        this.changed = false;
        return true;
    }
}

// ------------------------------------------------------------------ the lock

const LOCK_DIR = path.join(VAR, 'api-stack.lock');

/**
 * Notes a service a suite started (SMTP server, second MariaDB) in the lock,
 * so that the next run stops it should this one be killed before its after().
 */
export function track(pid) {
    try {
        fs.appendFileSync(path.join(LOCK_DIR, 'children'), `${pid} ${cmdline(pid).join(' ')}\n`);
    } catch { /* no lock held: nothing to clean up later */ }
}

/** Stops the services a dead run had noted in its lock (if still the same programs). */
function killTracked(dir) {
    let lines = [];
    try {
        lines = fs.readFileSync(path.join(dir, 'children'), 'utf8').split('\n').filter(Boolean);
    } catch {
        return;
    }
    for (const line of lines) {
        const sp = line.indexOf(' ');
        const pid = Number(line.slice(0, sp));
        try {
            if (alive(pid) && cmdline(pid).join(' ') === line.slice(sp + 1)) {
                process.kill(-pid, 'SIGKILL');
            }
        } catch { /* gone */ }
    }
}

/**
 * One suite at a time on the stack: a lock directory holding the owner's pid;
 * a lock whose owner is gone is taken over. Returns the release function.
 */
export async function lockStack(timeout = 180000) {
    const dir = LOCK_DIR;
    const end = Date.now() + timeout;
    for (;;) {
        try {
            fs.mkdirSync(dir);
            fs.writeFileSync(path.join(dir, 'pid'), String(process.pid));
            break;
        } catch (e) {
            if (e.code !== 'EEXIST') {
                throw e;
            }
            const owner = readPid(path.join(dir, 'pid'));
            let stale = owner !== null && !alive(owner);
            if (owner === null) {
                // being created right now, or left empty by a crash: stale after 5 s
                try {
                    stale = Date.now() - fs.statSync(dir).mtimeMs > 5000;
                } catch {
                    stale = false;
                }
            }
            if (stale) {
                killTracked(dir);
                fs.rmSync(dir, { recursive: true, force: true });
                continue;
            }
            if (Date.now() > end) {
                throw new Error(`the stack is locked by pid ${owner} (${dir})`);
            }
            await sleep(200);
        }
    }
    return () => fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * What every suite here does first: take the lock, and undo what a killed
 * run left in TS_CONF (restored, and the server reloaded onto it). Returns
 * the release function for after().
 */
export async function takeStack() {
    const release = await lockStack();
    try {
        if (ConfEdit.recover()) {
            const r = await reload();
            if (!r.ok) {
                throw new Error(`TS_CONF restored from a killed run, but the reload failed: ${r.log}`);
            }
        }
    } catch (e) {
        release();
        throw e;
    }
    return release;
}

// ------------------------------------------------------------------ HTTP

/** A minimal cookie jar, fed by Set-Cookie (Max-Age=0 deletes). */
export class Jar {
    constructor() {
        this.cookies = new Map();
    }

    update(setCookies = []) {
        for (const sc of setCookies) {
            const [pair, ...attrs] = sc.split(';');
            const eq = pair.indexOf('=');
            const name = pair.slice(0, eq).trim();
            const value = pair.slice(eq + 1).trim();
            if (value === '' || attrs.some((a) => /^\s*max-age\s*=\s*0\s*$/i.test(a))) {
                this.cookies.delete(name);
            } else {
                this.cookies.set(name, value);
            }
        }
    }

    get(name) {
        return this.cookies.get(name);
    }

    header() {
        return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    }
}

/** The value a response sets for cookie name ('' for a deletion), or undefined. */
export function cookieSet(res, name) {
    for (const sc of res.headers['set-cookie'] ?? []) {
        const pair = sc.split(';')[0];
        const eq = pair.indexOf('=');
        if (pair.slice(0, eq).trim() === name) {
            return pair.slice(eq + 1).trim();
        }
    }
    return undefined;
}

const agent = new http.Agent({ keepAlive: false });

/**
 * One HTTP request to TS_BASE, through node:http so that Host can be set (the
 * tenant of a page is chosen by Host). Options: host (a tenant host; TS_BASE's
 * port is added), token, jar, json, form, headers, timeout (ms, default 15 s).
 * Resolves { status, headers, text, json, ms }; rejects on a network error.
 */
export function request(method, urlPath, opts = {}) {
    const headers = { ...(opts.headers ?? {}) };
    let body;
    if (opts.json !== undefined) {
        body = JSON.stringify(opts.json);
        headers['content-type'] = 'application/json';
    } else if (opts.form !== undefined) {
        body = new URLSearchParams(opts.form).toString();
        headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    if (opts.host) {
        headers.host = `${opts.host}:${PORT}`;
    }
    if (opts.token) {
        headers.authorization = `Bearer ${opts.token}`;
    }
    if (opts.jar && opts.jar.cookies.size) {
        headers.cookie = opts.jar.header();
    }
    if (body !== undefined) {
        body = Buffer.from(body);
        headers['content-length'] = String(body.length);
    }
    const start = Date.now();
    return new Promise((resolve, reject) => {
        const req = http.request({
            hostname: baseUrl.hostname, port: baseUrl.port || 80, method, path: urlPath, headers,
            agent, timeout: opts.timeout ?? 15000,
        }, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('error', reject);
            res.on('end', () => {
                const text = Buffer.concat(chunks).toString('utf8');
                let json;
                if (/json/.test(res.headers['content-type'] ?? '')) {
                    try {
                        json = JSON.parse(text);
                    } catch { /* not JSON after all */ }
                }
                opts.jar?.update(res.headers['set-cookie']);
                resolve({ status: res.statusCode, headers: res.headers, text, json, ms: Date.now() - start });
            });
        });
        req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath}: no answer within ${opts.timeout ?? 15000} ms`)));
        req.on('error', reject);
        req.end(body);
    });
}

/** A response in a line, for assertion messages. */
export function show(res) {
    return res instanceof Error ? `error: ${res.message}` : `${res.status} ${res.text.slice(0, 300)}`;
}

/** The hidden _csrf field of a form page. */
export function csrfFrom(html) {
    const m = /name="_csrf" value="([0-9a-f]{64})"/.exec(html);
    return m ? m[1] : null;
}

/**
 * Load: `concurrency` loops each sending fn() back to back for `ms`
 * milliseconds (or until stop() is called). The returned promise (with
 * .stop() and .stats, the counts so far) resolves { total, ok, failures,
 * maxMs (the slowest answer) }:
 * failures are { at (ms into the run), what } of every answer that is not ok
 * (200 unless isOk says otherwise) and of every network error.
 */
export function load(fn, { concurrency = 8, ms = 3000, isOk = (r) => r.status === 200 } = {}) {
    const start = Date.now();
    const out = { total: 0, ok: 0, failures: [], maxMs: 0 };
    let stopped = false;
    const loop = async () => {
        while (!stopped && Date.now() - start < ms) {
            const at = Date.now() - start;
            try {
                const res = await fn();
                out.total++;
                out.maxMs = Math.max(out.maxMs, res.ms ?? 0);
                if (isOk(res)) {
                    out.ok++;
                } else {
                    out.failures.push({ at, what: show(res), res });
                }
            } catch (e) {
                out.total++;
                out.failures.push({ at, what: `error: ${e.message}` });
            }
        }
    };
    const loops = Array.from({ length: concurrency }, loop);
    return Object.assign(Promise.all(loops).then(() => out), { stop: () => { stopped = true; }, stats: out });
}

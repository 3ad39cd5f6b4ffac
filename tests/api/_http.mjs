// Shared helpers for the API suites (auth, tenancy, roles, limits).
//
// Everything a test needs is created through the admin CLI with random names,
// so the suites never depend on data another test made and pass when run
// again on the same database. Requests go through node:http rather than
// fetch: undici's fetch will not let us set the Host header, and the tenant
// of a page request is chosen by Host.
//
// Environment (tests/run.sh sets it for CI; the defaults are the dev stack):
//   TS_BASE  http://127.0.0.1:8090 in CI, http://127.0.0.1:8080 for ./tesoro up
//   TS_CLI   the built `tesoro` CLI        TS_CONF  its configuration file
//   TS_VAR   the instance directory (tesoro.pid, log/tesoro.log)
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parseIni } from './_stack.mjs';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const BASE = (process.env.TS_BASE ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
export const VAR = process.env.TS_VAR ?? path.join(ROOT, 'var');
export const CLI = process.env.TS_CLI ?? path.join(VAR, 'install/bin/tesoro');
export const CONF = process.env.TS_CONF ?? path.join(VAR, 'tesoro.conf');
export const LOG = path.join(VAR, 'log/tesoro.log');

const base = new URL(BASE);
/** The port nginx listens on, as a browser would put it in Host. */
export const PORT = base.port || '80';

// ------------------------------------------------------------------ basics

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A short random lowercase suffix for slugs, hosts and emails. */
export function rand(bytes = 5) {
    return randomBytes(bytes).toString('hex');
}

/** Polls fn (sync or async) until it returns a truthy value; returns it. */
export async function waitFor(fn, { timeout = 10000, interval = 200, what = 'condition' } = {}) {
    const end = Date.now() + timeout;
    let last;
    for (;;) {
        try {
            last = await fn();
            if (last) {
                return last;
            }
        } catch (e) {
            last = e;
        }
        if (Date.now() > end) {
            throw new Error(`timed out after ${timeout} ms waiting for ${what} (last: ${
                last instanceof Error ? last.message : JSON.stringify(last)})`);
        }
        await sleep(interval);
    }
}

/** [section] key = value of TS_CONF, as strings (comments dropped). */
export function readConf(file = CONF) {
    return parseIni(fs.readFileSync(file, 'utf8'));
}

// ------------------------------------------------------------------ the CLI

/** Runs the admin CLI on the instance's config; returns stdout. Throws with stderr on failure. */
export function cli(...args) {
    try {
        return execFileSync(CLI, ['-c', CONF, ...args], {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'pipe'],
            timeout: 60000,
        });
    } catch (e) {
        throw new Error(`tesoro ${args.join(' ')} failed (${e.status}): ${e.stderr || e.message}`);
    }
}

export function cliJson(...args) {
    return JSON.parse(cli('--json', ...args));
}

/** A strong random password the CLI accepts (10+ characters). */
export function password() {
    return `Pw-${rand(8)}-x`;
}

/**
 * A fresh tenant with its own host and admin user. Returns
 * { slug, host, id, admin: { email, password, id } }.
 */
export function newTenant(label = 't') {
    const slug = `t-${label}-${rand()}`;
    const host = `${slug}.localhost`;
    const admin = { email: `admin@${slug}.test`, password: password(), role: 'admin' };
    const o = cliJson('tenant', 'create', slug, '--host', host, '--admin-email', admin.email,
                      '--admin-password', admin.password);
    // admin.id is filled by adminToken() (the CLI has no "user list").
    return { slug, host, id: o.id, admin };
}

/** Creates a user with a password (active) or without (invited); returns { email, password, role, id }. */
export function newUser(t, role, { invited = false, name } = {}) {
    const u = { email: `${role}-${rand(4)}@${t.slug}.test`, role, name: name ?? '',
                password: invited ? null : password() };
    const args = ['user', 'create', '--tenant', t.slug, '--email', u.email, '--role', role];
    if (!invited) {
        args.push('--password', u.password);
    }
    if (name) {
        args.push('--name', name);
    }
    const out = cli(...args);
    const m = /\(id (\d+)\)/.exec(out);
    if (!m) {
        throw new Error(`user create printed no id: ${out}`);
    }
    u.id = Number(m[1]);
    return u;
}

/** An API token for an existing user: the last line the CLI prints. */
export function newToken(t, email, name) {
    const args = ['token', 'create', '--tenant', t.slug, '--email', email];
    if (name) {
        args.push('--name', name);
    }
    const lines = cli(...args).trim().split('\n');
    const tok = lines[lines.length - 1].trim();
    if (!/^tso_\d+_[0-9a-f]{64}$/.test(tok)) {
        throw new Error(`token create printed no token: ${lines.join(' / ')}`);
    }
    return tok;
}

export function tokenList(t) {
    return JSON.parse(cli('token', 'list', '--tenant', t.slug));
}

/** Lazily creates (and caches on t) an admin token; fills t.admin.id. */
export async function adminToken(t) {
    if (!t.adminToken) {
        t.adminToken = newToken(t, t.admin.email);
        const me = await api('GET', '/api/v1/me', { token: t.adminToken });
        if (me.status !== 200) {
            throw new Error(`admin token of ${t.slug} does not work: ${me.status} ${me.text}`);
        }
        t.admin.id = me.json.data.user.id;
    }
    return t.adminToken;
}

// ------------------------------------------------------------------ HTTP

/** A minimal cookie jar: name -> value, fed by Set-Cookie, honouring Max-Age=0. */
export class Jar {
    constructor(init = {}) {
        this.cookies = new Map(Object.entries(init));
    }

    update(setCookies = []) {
        for (const sc of setCookies) {
            const [pair, ...attrs] = sc.split(';');
            const eq = pair.indexOf('=');
            const name = pair.slice(0, eq).trim();
            const value = pair.slice(eq + 1).trim();
            const gone = attrs.some((a) => /^\s*max-age\s*=\s*0\s*$/i.test(a)) || value === '';
            if (gone) {
                this.cookies.delete(name);
            } else {
                this.cookies.set(name, value);
            }
        }
    }

    get(name) {
        return this.cookies.get(name);
    }

    set(name, value) {
        this.cookies.set(name, value);
    }

    header() {
        return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    }

    clone() {
        return new Jar(Object.fromEntries(this.cookies));
    }
}

/** The Set-Cookie of a response for one cookie name, parsed: { value, attrs: Set(lowercase), raw }. */
export function setCookie(res, name) {
    for (const sc of res.headers['set-cookie'] ?? []) {
        const [pair, ...attrs] = sc.split(';').map((s) => s.trim());
        const eq = pair.indexOf('=');
        if (pair.slice(0, eq) === name) {
            return {
                value: pair.slice(eq + 1),
                attrs: new Set(attrs.map((a) => a.toLowerCase())),
                raw: sc,
            };
        }
    }
    return null;
}

const agent = new http.Agent({ keepAlive: false });

/**
 * One HTTP request through nginx. Options:
 *   host     Host header (a tenant's host; the port of TS_BASE is added)
 *   token    bearer token            jar      a Jar: sent, and updated from Set-Cookie
 *   json     a value sent as application/json     form   an object sent url-encoded
 *   body     a string or Buffer sent as is (set content-type yourself)
 *   headers  more headers            timeout  ms (default 30 s)
 * Resolves { status, headers, body (Buffer), text, json (parsed or undefined) }.
 */
export async function request(method, urlPath, opts = {}) {
    for (let attempt = 1; ; attempt++) {
        const res = await requestOnce(method, urlPath, opts);
        // nginx's own 502 page: it reused a kept-alive FastCGI connection the
        // worker had already closed (tesoro-fcgi closes after every request,
        // conf/nginx.conf.in keeps upstream connections alive): the request
        // never reached the application. Seen under load (benchmarks running
        // on the same stack); reported, retried here so that the suites test
        // what they are about. A crashing worker shows in crashesSince().
        if (res.status === 502 && /<center>nginx<\/center>/.test(res.text) && attempt < 4) {
            upstream502.count++;
            process.stderr.write(`# 502 from nginx for ${method} ${urlPath} (attempt ${attempt}), retrying\n`);
            await sleep(50 * attempt);
            continue;
        }
        return res;
    }
}

/** How many nginx 502s request() retried in this process. */
export const upstream502 = { count: 0 };

/** request() without the retry on nginx's 502: to measure it. */
export function rawRequest(method, urlPath, opts = {}) {
    return requestOnce(method, urlPath, opts);
}

function requestOnce(method, urlPath, opts) {
    const headers = { ...(opts.headers ?? {}) };
    let body = opts.body;
    if (opts.json !== undefined) {
        body = JSON.stringify(opts.json);
        headers['content-type'] ??= 'application/json';
    } else if (opts.form !== undefined) {
        body = new URLSearchParams(opts.form).toString();
        headers['content-type'] ??= 'application/x-www-form-urlencoded';
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
        body = Buffer.isBuffer(body) ? body : Buffer.from(body);
        headers['content-length'] = String(body.length);
    }
    return new Promise((resolve, reject) => {
        const req = http.request({
            hostname: base.hostname, port: base.port || 80, method, path: urlPath, headers, agent,
            timeout: opts.timeout ?? 30000,
        }, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('error', reject);
            res.on('end', () => {
                const buf = Buffer.concat(chunks);
                const out = {
                    status: res.statusCode,
                    headers: res.headers,
                    body: buf,
                    text: buf.toString('utf8'),
                    json: undefined,
                };
                if (/json/.test(res.headers['content-type'] ?? '') && buf.length) {
                    try {
                        out.json = JSON.parse(out.text);
                    } catch {
                        out.json = undefined;
                    }
                }
                opts.jar?.update(res.headers['set-cookie']);
                resolve(out);
            });
        });
        req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath}: timed out`)));
        req.on('error', reject);
        req.end(body);
    });
}

/** request() for the JSON API: same options. */
export const api = request;

/** A short description of a response for assertion messages. */
export function show(res) {
    return `${res.status} ${res.text.slice(0, 300)}`;
}

/** The hidden _csrf field of a page (or its csrf-token meta tag). */
export function csrfFrom(html) {
    const m = /name="_csrf" value="([0-9a-f]{64})"/.exec(html)
        ?? /<meta name="csrf-token" content="([0-9a-f]{64})"/.exec(html);
    return m ? m[1] : null;
}

/**
 * Logs in through the form, as a browser does: GET /login (ts_csrf cookie and
 * the hidden _csrf), then POST /login. Resolves { jar, res, csrf }.
 */
export async function login(t, email, pass, { jar = new Jar(), headers, next } = {}) {
    const page = await request('GET', '/login', { host: t.host, jar });
    if (page.status !== 200) {
        throw new Error(`GET /login on ${t.host}: ${show(page)}`);
    }
    const csrf = csrfFrom(page.text);
    const form = { _csrf: csrf, email, password: pass };
    if (next !== undefined) {
        form.next = next;
    }
    const res = await request('POST', '/login', { host: t.host, jar, form, headers });
    return { jar, res, csrf };
}

/** Logs in and insists it worked; resolves the jar holding ts_session. */
export async function session(t, user) {
    const { jar, res } = await login(t, user.email, user.password);
    if (res.status !== 303 || !jar.get('ts_session')) {
        throw new Error(`login of ${user.email} failed: ${show(res)}`);
    }
    return jar;
}

/** The CSRF token bound to a logged-in session, read from a page. */
export async function sessionCsrf(t, jar) {
    const page = await request('GET', '/', { host: t.host, jar });
    const tok = csrfFrom(page.text);
    if (page.status !== 200 || !tok) {
        throw new Error(`no CSRF token on the dashboard: ${show(page)}`);
    }
    return tok;
}

// ------------------------------------------------------------------ health and the log

/** GET /healthz answers 200 {status:'ok'}: the server survived what came before. */
export async function healthy() {
    const res = await request('GET', '/healthz');
    return res.status === 200 && res.json?.status === 'ok';
}

/** Where tesoro.log ends now: pass it to crashesSince() later. */
export function logMark() {
    try {
        return fs.statSync(LOG).size;
    } catch {
        return 0;
    }
}

/**
 * Lines the server logged since mark that mean a worker crashed or hit a
 * sanitizer: "killed by signal N" (SIGKILL excepted: the process tests send
 * it on purpose), AddressSanitizer/UBSan reports.
 */
export function crashesSince(mark) {
    let text;
    try {
        const fd = fs.openSync(LOG, 'r');
        const size = fs.fstatSync(fd).size;
        const from = size >= mark ? mark : 0;   // the log was truncated: read it all
        const buf = Buffer.alloc(size - from);
        fs.readSync(fd, buf, 0, buf.length, from);
        fs.closeSync(fd);
        text = buf.toString('utf8');
    } catch {
        return [];
    }
    return text.split('\n').filter((l) => {
        const sig = /killed by signal (\d+)/.exec(l);
        return (sig && sig[1] !== '9') || /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/.test(l);
    });
}

/** The tenant cache of a worker keeps an entry this long (core/ts_tenant.c CACHE_US). */
export const TENANT_CACHE_MS = 5000;

/** Each worker trusts a verified API token this long ([security] token_cache_ms, default 1000). */
export function tokenCacheMs() {
    const v = readConf().security?.token_cache_ms;
    return v === undefined || v === '' ? 1000 : Number(v);
}

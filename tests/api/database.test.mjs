// The server and its databases: a MariaDB restart costs 503s (never a hang or
// a crash) and heals by itself; a tenant on a second [db:NAME] server keeps
// its rows there; a schema behind the code stops `tesoro-fcgi -t` and a
// reload; `tesoro migrate` is idempotent.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
    alive, childrenOf, cli, cliJson, CONF, confCopy, ConfEdit, crashesSince, dbConf, dbPing, FCGI,
    iniAppend, iniSet, load, logMark, logSince, mainMariadb, masterPid, newTenant, newToken, rand,
    readConf, reload, request, run, show, sleep, sql, sqlQuote, startDetached, startPrivateMariadb,
    stopGroup, takeStack, tempDir, VAR, waitFor, waitGone,
} from './_stack.mjs';

let release;
let mark;
let home;        // a tenant on [db:main]
const MAIN_SOCKET = () => dbConf('main').socket;

before(async () => {
    release = await takeStack();
    mark = logMark();
    home = newTenant('dbmain');
    home.token = newToken(home, home.admin.email);
});

after(() => {
    release?.();
});

function assertUnavailable(res) {
    assert.equal(res.status, 503, show(res));
    assert.match(res.headers['content-type'] ?? '', /^application\/json/, show(res));
    assert.equal(res.json?.error?.code, 'unavailable', show(res));
    assert.equal(res.headers['retry-after'], '1', show(res));
}

describe('MariaDB restart', () => {
    let db;          // { pid, argv, cwd } of the instance's mariadbd
    let restarted = false;

    /** Starts mariadbd again with the command line it had; waits until it answers. */
    async function startAgain() {
        if (dbPing(MAIN_SOCKET())) {
            return;
        }
        const { pid } = startDetached(db.argv[0], db.argv.slice(1), { cwd: db.cwd });
        await waitFor(() => {
            if (!alive(pid) && !dbPing(MAIN_SOCKET())) {
                throw Object.assign(new Error(`mariadbd exited; see ${VAR}/log/mariadb.err`), { fatal: true });
            }
            return dbPing(MAIN_SOCKET());
        }, { timeout: 60000, what: 'MariaDB to answer again' });
        restarted = true;
    }

    after(async () => {
        // whatever failed above, the instance gets its database back
        if (db) {
            await startAgain();
        }
    });

    test('requests get 503 unavailable while it is down and 200 soon after it is back', async (t) => {
        const master = masterPid();
        const kids = childrenOf(master);
        const get = () => request('GET', '/api/v1/hello/guestbook', { token: home.token, timeout: 10000 });
        const me = () => request('GET', '/api/v1/me', { token: home.token, timeout: 10000 });
        assert.equal((await get()).status, 200);

        db = mainMariadb();
        const isOk = (r) => r.status === 200 || r.status === 503;
        // load through the whole outage: every answer is a 200 or a 503, quickly
        const during = load(get, { concurrency: 4, ms: 60000, isOk });
        let healedMs;
        let upAt;
        let downAt;
        try {
            process.kill(db.pid, 'SIGTERM');
            assert.ok(await waitGone(db.pid, 30000), `mariadbd ${db.pid} stopped`);
            downAt = Date.now();

            // caches (tenant 5 s, token 1 s) may answer /me for a moment; the guestbook always asks
            const first503 = await waitFor(async () => {
                const r = await get();
                return r.status === 503 ? r : null;
            }, { timeout: 8000, what: 'a 503 from the guestbook while MariaDB is down' });
            assertUnavailable(first503);
            assert.ok(first503.ms < 5000, `answered in ${first503.ms} ms, not hung`);
            const meDown = await waitFor(async () => {
                const r = await me();
                return r.status === 503 ? r : null;
            }, { timeout: 8000, what: 'a 503 from /api/v1/me once the caches expired' });
            assertUnavailable(meDown);
            const post = await request('POST', '/api/v1/hello/guestbook',
                                       { token: home.token, json: { message: 'while down' } });
            assertUnavailable(post);
            const health = await request('GET', '/healthz');
            assert.equal(health.status, 503, show(health));
            assert.equal(health.json?.status, 'degraded', show(health));
            await sleep(Math.max(0, 1500 - (Date.now() - downAt)));

            await startAgain();
            upAt = Date.now();
            // every request is a 200 again within a few seconds (the reconnect backoff is at most 5 s)
            await waitFor(async () => {
                for (let i = 0; i < 20; i++) {
                    const r = await (i % 2 ? me() : get());
                    if (r.status !== 200) {
                        return false;
                    }
                }
                return true;
            }, { timeout: 15000, interval: 100, what: '20 requests in a row answered 200' });
            healedMs = Date.now() - upAt;
        } finally {
            during.stop();
        }
        const result = await during;
        t.diagnostic(`outage ${upAt - downAt} ms, healed ${healedMs} ms after MariaDB was back; load: ${
            result.total} requests, ${result.total - result.ok} not 200/503, slowest ${result.maxMs} ms`);

        assert.deepEqual(result.failures.map((f) => f.what), [],
                         'during the outage every answer was 200 or 503, none an error or a hang');
        assert.ok(result.maxMs < 5000, `no answer took 5 s or more (slowest: ${result.maxMs} ms)`);
        const calm = await load(get, { concurrency: 4, ms: 1000 });
        assert.deepEqual(calm.failures.map((f) => f.what), [], "all 200 after the restart");
        const signed = await request('POST', '/api/v1/hello/guestbook',
                                     { token: home.token, json: { message: `back ${rand()}` } });
        assert.equal(signed.status, 201, show(signed));
        assert.deepEqual(childrenOf(master), kids, 'no worker died or was replaced');
        assert.doesNotMatch(logSince(mark), /killed by signal|exited with status/);
        assert.ok(restarted);
    });
});

describe('a second database server', () => {
    const datadir = path.join(VAR, 'db2');
    const socket = path.join(VAR, 'mysql2.sock');
    const conf = new ConfEdit();
    const section = { socket, user: 'root', password: '', database: 'tesoro' };
    let db2;
    let tmp;
    let far;         // the tenant on [db:second]
    // "second", unless TS_CONF already has a server of that name
    const NAME = readConf()['db:second'] ? `second${rand(2)}` : 'second';

    before(async () => {
        // tenants a killed run left in the directory, on a server TS_CONF does not have
        const servers = Object.keys(readConf()).filter((k) => k.startsWith('db:')).map((k) => sqlQuote(k.slice(3)));
        sql(MAIN_SOCKET(), `DELETE h, p, t FROM tenants t LEFT JOIN tenant_hosts h ON h.tenant_id = t.id
            LEFT JOIN tenant_plugins p ON p.tenant_id = t.id
            WHERE t.slug LIKE 't-db2-%' AND t.db_server NOT IN (${servers.join(', ')})`);
        tmp = tempDir('db2');
        db2 = await startPrivateMariadb(datadir, socket);
        sql(socket, 'CREATE DATABASE tesoro CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci', { database: '' });
    });

    after(async () => {
        let reloaded;
        if (conf.restore()) {
            reloaded = await reload();
        }
        if (far?.id) {
            // the directory on main must not keep a tenant whose server is gone
            sql(MAIN_SOCKET(), `DELETE FROM tenant_hosts WHERE tenant_id = ${Number(far.id)};
                DELETE FROM tenant_plugins WHERE tenant_id = ${Number(far.id)};
                DELETE FROM tenants WHERE id = ${Number(far.id)} AND db_server = ${sqlQuote(NAME)}`);
        }
        await stopGroup(db2?.pid);
        fs.rmSync(datadir, { recursive: true, force: true });
        fs.rmSync(socket, { force: true });
        tmp?.remove();
        assert.ok(reloaded === undefined || reloaded.ok, `TS_CONF restored and reloaded: ${reloaded?.log}`);
    });

    test('migrate on a copy of the config applies the schema to the new server only', () => {
        const copy = confCopy(tmp.dir, (text) => iniAppend(text, `db:${NAME}`, section));
        const out = cli(['migrate'], { conf: copy });
        assert.match(out, new RegExp(`applied core/\\d+_\\w+\\.sql on ${NAME}$`, 'm'), out);
        assert.match(out, new RegExp(`applied hello/\\d+_\\w+\\.sql on ${NAME}$`, 'm'), out);
        assert.doesNotMatch(out, / on main$/m, out);
        const again = cliJson(['migrate'], { conf: copy });
        assert.deepEqual(again, []);
        far = newTenant('db2', { db: NAME, conf: copy });
        assert.equal(far.server, NAME);
    });

    test('after SIGHUP the server serves the tenant from the second server', async () => {
        assert.ok(far, 'the tenant on second exists');
        conf.apply((text) => iniAppend(text, `db:${NAME}`, section));
        const r = await reload();
        assert.ok(r.ok, `reload with [db:${NAME}]: ${r.log}`);

        far.token = newToken(far, far.admin.email);
        const me = await request('GET', '/api/v1/me', { token: far.token });
        assert.equal(me.status, 200, show(me));
        assert.equal(me.json.data.tenant.slug, far.slug);
        assert.equal(me.json.data.user.email, far.admin.email);

        const msg = `far away ${rand()}`;
        const signed = await request('POST', '/api/v1/hello/guestbook', { token: far.token, json: { message: msg } });
        assert.equal(signed.status, 201, show(signed));
        const list = await request('GET', '/api/v1/hello/guestbook', { token: far.token });
        assert.equal(list.status, 200, show(list));
        assert.deepEqual(list.json.data.map((e) => e.message), [msg]);

        // its rows are on second and not on main; the directory entry is on main
        const q = `SELECT COUNT(*) FROM hello_guestbook WHERE tenant_id = ${Number(far.id)} AND message = ${sqlQuote(msg)}`;
        assert.deepEqual(sql(socket, q), [['1']], 'the message is on second');
        assert.deepEqual(sql(MAIN_SOCKET(), q), [['0']], 'the message is not on main');
        const u = `SELECT COUNT(*) FROM users WHERE email = ${sqlQuote(far.admin.email)}`;
        assert.deepEqual(sql(socket, u), [['1']], 'the admin user is on second');
        assert.deepEqual(sql(MAIN_SOCKET(), u), [['0']], 'the admin user is not on main');
        assert.deepEqual(sql(MAIN_SOCKET(), `SELECT db_server FROM tenants WHERE id = ${Number(far.id)}`),
                         [[NAME]], 'the directory on main names the server');
        assert.deepEqual(sql(socket, `SELECT COUNT(*) FROM tenants`), [['0']], 'second holds no directory');

        // the tenant on main is unaffected
        const homeMe = await request('GET', '/api/v1/me', { token: home.token });
        assert.equal(homeMe.status, 200, show(homeMe));
        assert.equal(homeMe.json.data.tenant.slug, home.slug);
        const mine = `at home ${rand()}`;
        const s2 = await request('POST', '/api/v1/hello/guestbook', { token: home.token, json: { message: mine } });
        assert.equal(s2.status, 201, show(s2));
        const homeList = await request('GET', '/api/v1/hello/guestbook', { token: home.token });
        assert.ok(homeList.json.data.some((e) => e.message === mine), show(homeList));
        assert.ok(!homeList.json.data.some((e) => e.message === msg), 'no message of the other tenant');
        const q2 = `SELECT COUNT(*) FROM hello_guestbook WHERE tenant_id = ${Number(home.id)} AND message = ${sqlQuote(mine)}`;
        assert.deepEqual(sql(MAIN_SOCKET(), q2), [['1']]);
        assert.deepEqual(sql(socket, q2), [['0']]);

        // a token of one tenant is no key to the other
        const cross = await request('GET', '/api/v1/hello/guestbook', { token: far.token, host: home.host });
        assert.ok(!(cross.json?.data ?? []).some((e) => e.message === mine), show(cross));
    });
});

describe('schema checks', () => {
    let tmp;
    const conf = new ConfEdit();

    before(() => {
        tmp = tempDir('schema');
        // the hello schema of the install, plus one migration the database has not seen
        const src = readConf().plugins.plugin_schema.replace('{name}', 'hello');
        const dst = path.join(tmp.dir, 'hello');
        fs.cpSync(src, dst, { recursive: true });
        const versions = fs.readdirSync(dst).map((f) => parseInt(f, 10)).filter((n) => n > 0);
        const next = String(Math.max(0, ...versions) + 1).padStart(3, '0');
        fs.writeFileSync(path.join(dst, `${next}_future.sql`),
                         'ALTER TABLE hello_counts ADD COLUMN future INT NOT NULL DEFAULT 0;\n');
    });

    after(async () => {
        const restored = conf.restore();
        tmp?.remove();
        if (restored) {
            // the server refused the edited file; this only brings TS_CONF back
            assert.ok((await reload()).ok);
        }
    });

    const futureSchema = (text) => iniSet(text, 'plugins', 'plugin_schema', path.join(tmp.dir, '{name}'));

    test('tesoro-fcgi -t refuses a schema that is behind the code and accepts TS_CONF', () => {
        const copy = confCopy(tmp.dir, futureSchema);
        const env = { ...process.env, TESORO_CONF: copy };
        const bad = run(FCGI, ['-t', '-c', copy], { env });
        assert.notEqual(bad.status, 0, `tesoro-fcgi -t -c COPY exits non-zero: ${bad.stderr}`);
        assert.match(bad.stderr, /schema is 1 migration\(s\) behind/, bad.stderr);
        assert.match(bad.stderr, /refusing to start/, bad.stderr);
        const good = run(FCGI, ['-t', '-c', CONF], { env: { ...process.env, TESORO_CONF: CONF } });
        assert.equal(good.status, 0, `tesoro-fcgi -t -c TS_CONF: ${good.stderr}`);
    });

    // Two files with one number: on a database that has the number the second
    // would be skipped for ever, on a fresh one its SQL would run and then
    // `tesoro migrate` fail on the duplicate schema_migrations key.
    test('two migrations with the same number are refused', () => {
        const dup = path.join(tmp.dir, 'dup');
        const dir = path.join(dup, 'hello');
        fs.cpSync(readConf().plugins.plugin_schema.replace('{name}', 'hello'), dir, { recursive: true });
        const taken = fs.readdirSync(dir).filter((f) => /^\d+_.*\.sql$/.test(f)).sort().pop();
        fs.writeFileSync(path.join(dir, `${taken.split('_')[0]}_same_number.sql`),
                         'ALTER TABLE hello_counts ADD COLUMN same_number INT NOT NULL DEFAULT 0;\n');
        const copy = confCopy(tmp.dir, (text) => iniSet(text, 'plugins', 'plugin_schema', path.join(dup, '{name}')),
                              'dup.conf');
        const check = run(FCGI, ['-t', '-c', copy], { env: { ...process.env, TESORO_CONF: copy } });
        assert.notEqual(check.status, 0, `tesoro-fcgi -t accepts ${taken} and its twin: ${check.stderr}`);
    });

    test('a SIGHUP onto a schema behind the code is refused and the workers keep serving', async () => {
        const master = masterPid();
        conf.apply(futureSchema);
        const r = await reload();
        assert.equal(r.ok, false, `the reload was refused: ${r.log}`);
        assert.match(r.log, /behind the code/);
        assert.match(r.log, /reload failed; keeping the running workers/);
        assert.deepEqual(childrenOf(master), r.before, 'the same children serve');
        const res = await request('GET', '/api/v1/me', { token: home.token });
        assert.equal(res.status, 200, show(res));
        conf.restore();
    });
});

describe('tesoro migrate', () => {
    test('is idempotent: a second run applies nothing', () => {
        const first = cli(['migrate']);
        assert.match(first, /schema up to date \(\d+ migrations? applied\)/, first);
        const second = cli(['migrate']);
        assert.match(second, /^schema up to date \(0 migrations applied\)$/m, second);
        assert.doesNotMatch(second, /^applied /m, second);
        assert.deepEqual(cliJson(['migrate']), []);
    });
});

test('no worker crashed', () => {
    assert.deepEqual(crashesSince(mark), []);
});

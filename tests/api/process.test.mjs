// tesoro-fcgi's processes under load: the master keeps [server] workers
// workers and one job runner; a worker killed with SIGKILL is replaced and
// costs at most its own request; SIGHUP starts a new generation that takes
// over without a single failed request.
import assert from 'node:assert/strict';
import os from 'node:os';
import { after, before, describe, test } from 'node:test';
import {
    alive, childrenOf, crashesSince, dbConf, load, logMark, logSince, masterPid, newTenant,
    newToken, pidsLoggedAs, readConf, reload, request, show, sleep, sql, takeStack, waitFor,
} from './_stack.mjs';

const LOAD_MS = 3000;
let release;
let token;
let tenant;
let mark;

/** [server] workers as the server computes it: 0 means two per online CPU. */
function configuredWorkers() {
    const w = Number(readConf().server?.workers ?? 0);
    return w > 0 ? w : 2 * os.cpus().length;
}

function runnerOn() {
    return Number(readConf().server?.job_runner ?? 1) !== 0;
}

const me = () => request('GET', '/api/v1/me', { token });

/**
 * Splits the master's children into workers (they serve requests, and log
 * them as worker[pid]) and the rest (the job runner): loads the server until
 * [server] workers of them have served one.
 */
async function sortChildren(kids) {
    const m = logMark();
    let workers = [];
    for (let i = 0; i < 10 && workers.length < configuredWorkers(); i++) {
        await load(me, { ms: 300 });
        const logged = pidsLoggedAs('worker', m);
        workers = kids.filter((p) => logged.has(p));
    }
    return { workers, others: kids.filter((p) => !workers.includes(p)) };
}

/** The children that served requests since m, i.e. workers (the runner serves none). */
async function knownWorkers(master, m) {
    return waitFor(() => {
        const kids = childrenOf(master);
        const logged = pidsLoggedAs('worker', m);
        const w = kids.filter((p) => logged.has(p));
        return w.length > 0 ? w : null;
    }, { timeout: 5000, what: 'a worker to log a request' });
}

before(async () => {
    release = await takeStack();
    mark = logMark();
    tenant = newTenant('proc');
    token = newToken(tenant, tenant.admin.email);
    const res = await me();
    assert.equal(res.status, 200, show(res));
});

after(() => {
    release?.();
});

describe('tesoro-fcgi processes', () => {
    test('the master has [server] workers workers plus the job runner', async (t) => {
        const master = masterPid();
        const want = configuredWorkers() + (runnerOn() ? 1 : 0);
        // a replacement from an earlier test may still be starting
        const kids = await waitFor(() => {
            const k = childrenOf(master);
            return k.length === want ? k : null;
        }, { timeout: 5000, what: `${want} children of ${master} (have ${childrenOf(master)})` });
        assert.equal(kids.length, want);
        // under load every worker serves (and logs) requests; the runner never does
        const { workers, others } = await sortChildren(kids);
        t.diagnostic(`workers ${workers}; job runner ${others}`);
        assert.equal(workers.length, configuredWorkers(), `workers ${workers}, others ${others}`);
        assert.equal(others.length, runnerOn() ? 1 : 0, `the job runner: ${others}`);
    });

    test('a job runner killed by SIGKILL is replaced and the new one runs jobs', async (t) => {
        if (!runnerOn()) {
            t.skip('[server] job_runner = 0');
            return;
        }
        const master = masterPid();
        const kids = childrenOf(master);
        const { others: [runner] } = await sortChildren(kids);
        const m = logMark();
        process.kill(runner, 'SIGKILL');
        const now = await waitFor(() => {
            const k = childrenOf(master);
            return k.length === kids.length && !k.includes(runner) ? k : null;
        }, { timeout: 5000, what: `a replacement for the job runner ${runner}` });
        assert.equal(now.filter((p) => !kids.includes(p)).length, 1);
        assert.match(logSince(m), new RegExp(`job runner ${runner} killed by signal 9`));
        // a job queued now is run by the new runner: hello.tick counts in hello_counts
        sql(dbConf('main').socket, `INSERT INTO jobs (tenant_id, kind, payload) VALUES (${
            Number(tenant.id)}, 'hello.tick', '{}')`);
        const ticks = await waitFor(async () => {
            const res = await request('GET', '/api/v1/hello/count', { token });
            return res.status === 200 && res.json.data.ticks >= 1 ? res.json.data.ticks : null;
        }, { timeout: 10000, what: 'the hello.tick job to run' });
        assert.equal(ticks, 1);
    });

    test('a worker killed by SIGKILL under load is replaced; at most its own request fails', async (t) => {
        const master = masterPid();
        const before = childrenOf(master);
        const m = logMark();
        const running = load(me, { ms: LOAD_MS });
        await sleep(700);
        const [victim] = await knownWorkers(master, m);
        process.kill(victim, 'SIGKILL');
        const result = await running;
        t.diagnostic(`killed worker ${victim}; ${result.total} requests, ${result.failures.length} failed`);

        const kids = await waitFor(() => {
            const k = childrenOf(master);
            return k.length === before.length && !k.includes(victim) ? k : null;
        }, { timeout: 5000, what: `a replacement for worker ${victim} (children: ${childrenOf(master)})` });
        const fresh = kids.filter((p) => !before.includes(p));
        assert.equal(fresh.length, 1, `one new child: before ${before}, after ${kids}`);
        assert.ok(alive(master), 'the master lives');

        const log = logSince(m);
        assert.match(log, new RegExp(`worker ${victim} killed by signal 9`), log.slice(-2000));
        assert.ok(result.total > 100, `the load ran (${result.total} requests)`);
        assert.ok(result.failures.length <= 1,
                  `at most the killed worker's request failed; ${result.failures.length} of ${
                      result.total} did: ${result.failures.slice(0, 5).map((f) => `${f.at}ms ${f.what}`).join(' | ')}`);
        const res = await me();
        assert.equal(res.status, 200, show(res));
    });

    test('SIGHUP under load: a new generation replaces every worker, no request fails', async (t) => {
        const master = masterPid();
        const running = load(me, { ms: LOAD_MS });
        await sleep(800);
        const r = await reload();
        const result = await running;
        t.diagnostic(`children ${r.before} -> ${r.after}; ${result.total} requests, ${result.failures.length} failed`);

        assert.ok(r.ok, `the reload worked: ${r.log.slice(-2000)}`);
        assert.match(r.log, /reloaded: generation \d+ serving/);
        assert.equal(r.after.length, r.before.length, `as many children: ${r.before} -> ${r.after}`);
        assert.deepEqual(r.after.filter((p) => r.before.includes(p)), [], 'no old child is left');
        for (const p of r.before) {
            assert.ok(!alive(p), `old child ${p} has exited`);
        }
        assert.ok(result.total > 100, `the load ran (${result.total} requests)`);
        assert.deepEqual(result.failures.map((f) => `${f.at}ms ${f.what}`), [],
                         `no request failed across the reload (${result.total} sent)`);
        // the new generation serves
        const m = logMark();
        await load(me, { ms: 500 });
        const served = [...pidsLoggedAs('worker', m)];
        assert.ok(served.length > 0 && served.every((p) => r.after.includes(p)),
                  `requests are served by the new generation: ${served} in ${r.after}`);
        assert.ok(alive(master));
    });

    test('no worker crashed (other than by the SIGKILL above)', () => {
        assert.deepEqual(crashesSince(mark), []);
    });
});

// Scripts through the API: upload (compiled, refused with the Lua error and
// line), versions, rollback, test runs that save nothing, the default scorer,
// limits hit by a script while the server keeps answering, and tenants kept
// apart. Leads are made in MariaDB directly.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, test } from 'node:test';
import { adminToken, api, cli, crashesSince, healthy, logMark, newTenant, newToken, newUser, session, show, waitFor } from './_http.mjs';
import { createLead, leadRow, putScript, q, tagsOf } from './_lua.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let A;
let B;
let mark;

before(async () => {
    mark = logMark();
    A = newTenant('lua');
    B = newTenant('lub');
    await adminToken(A);
    await adminToken(B);
});

describe('scripts API', () => {
    test('the list holds the install defaults, the default scorer active', async () => {
        const res = await api('GET', '/api/v1/scripts', { token: A.adminToken });
        assert.equal(res.status, 200, show(res));
        const scoring = res.json.data.find((s) => s.name === 'scoring');
        assert.ok(scoring, show(res));
        assert.equal(scoring.origin, 'install');
        assert.equal(scoring.active_scorer, true);
        assert.ok(res.json.data.some((s) => s.name === 'workflows.round_robin' && s.kind === 'workflow'));
        assert.ok(res.json.data.some((s) => s.name === 'fields.buyer_profile' && s.kind === 'fields'));
        const shown = await api('GET', '/api/v1/scripts/scoring', { token: A.adminToken });
        assert.equal(shown.status, 200, show(shown));
        assert.equal(shown.json.data.code, fs.readFileSync(path.join(ROOT, 'scripts/scoring.lua'), 'utf8'));
    });

    test('a script that does not compile is refused with the Lua error and its line', async () => {
        const res = await api('PUT', '/api/v1/scripts/scoring', {
            token: A.adminToken, json: { code: 'function score(lead)\n  return 1 +\nend\n' },
        });
        assert.equal(res.status, 422, show(res));
        assert.equal(res.json.error.code, 'script_invalid');
        assert.match(res.json.error.message, /^scoring:3: /);
        assert.equal(res.json.error.fields.line, 3);
    });

    test('a script that defines nothing is refused', async () => {
        const res = await api('PUT', '/api/v1/scripts/nothing', { token: A.adminToken, json: { code: 'local x = 1' } });
        assert.equal(res.status, 422, show(res));
        assert.match(res.json.error.message, /defines nothing/);
    });

    test('escape attempts at upload fail with the Lua error', async () => {
        for (const code of ["os.execute('id')", "io.open('/etc/passwd')", "require('socket')",
                            "debug.getregistry()", "string.dump(print)",
                            "load('\\27Lua', 'x', 'b')", "collectgarbage('stop')",
                            "setmetatable(tesoro, {})"]) {
            const res = await api('PUT', '/api/v1/scripts/escape', { token: A.adminToken, json: { code } });
            assert.equal(res.status, 422, `${code}: ${show(res)}`);
            assert.match(res.json.error.message, /^escape:(1:)? /, code);
        }
    });

    test('limits hit at upload name the limit and line, and the server keeps answering', async () => {
        const loop = await api('PUT', '/api/v1/scripts/loop', {
            token: A.adminToken, json: { code: 'local n = 0\nwhile true do n = n + 1 end\n' },
        });
        assert.equal(loop.status, 422, show(loop));
        assert.match(loop.json.error.message, /^loop: instruction limit \(\d+\) exceeded at line 2$/);
        const bomb = await api('PUT', '/api/v1/scripts/bomb', {
            token: A.adminToken, json: { code: "local s = 'x'\nwhile true do s = s .. s end\n" },
        });
        assert.equal(bomb.status, 422, show(bomb));
        assert.match(bomb.json.error.message, /^bomb: memory limit \(\d+ bytes\) exceeded at line 2$/);
        const deep = await api('PUT', '/api/v1/scripts/deep', {
            token: A.adminToken, json: { code: 'local function f(n) return 1 + f(n + 1) end\nf(1)\n' },
        });
        assert.equal(deep.status, 422, show(deep));
        assert.ok(await healthy(), 'the server still answers');
    });

    test('versions are kept and rollback is one call', async () => {
        const v1 = await putScript(A, 'flat', 'function score(lead, signals) return 10, {"v1"} end');
        assert.equal(v1.status, 201);
        assert.deepEqual(v1.json.data, { name: 'flat', kind: 'scorer', version: 1 });
        const v2 = await putScript(A, 'flat', 'function score(lead, signals) return 90, {"v2"} end');
        assert.equal(v2.json.data.version, 2);
        const versions = await api('GET', '/api/v1/scripts/flat/versions', { token: A.adminToken });
        assert.equal(versions.status, 200, show(versions));
        assert.deepEqual(versions.json.data.map((v) => v.version), [2, 1]);
        const rb = await api('POST', '/api/v1/scripts/flat/rollback', { token: A.adminToken, json: { version: 1 } });
        assert.equal(rb.status, 200, show(rb));
        assert.equal(rb.json.data.version, 3);
        const now = await api('GET', '/api/v1/scripts/flat', { token: A.adminToken });
        assert.match(now.json.data.code, /return 10/);
        const audit = q(`SELECT COUNT(*) FROM audit_log WHERE tenant_id = ${A.id} AND entity = 'script'`);
        assert.equal(Number(audit[0][0]), 3, 'every change is audited');
    });

    test('a test run answers what the scorer would do and saves nothing', async () => {
        const id = createLead(A, { email: 'a@example.com', phone: '+34600000000', budget_max: 30000000,
                                   timeframe: '1 month' });
        const res = await api('POST', '/api/v1/scripts/scoring/test', { token: A.adminToken, json: { record_id: id } });
        assert.equal(res.status, 200, show(res));
        assert.equal(res.json.data.kind, 'scorer');
        assert.equal(res.json.data.saved, false);
        assert.equal(res.json.data.result.score, 23);
        assert.equal(res.json.data.result.temperature, 'cold');
        assert.deepEqual(res.json.data.result.score_reasons.map((r) => r.factor).sort(),
                         ['budget_confirmed', 'contact_complete', 'timeline_known']);
        assert.equal(leadRow(A, id).score, null, 'nothing saved');
        assert.deepEqual(tagsOf(A, id), []);
        const missing = await api('POST', '/api/v1/scripts/scoring/test', { token: A.adminToken, json: { record_id: id + 100000 } });
        assert.equal(missing.status, 404, show(missing));
    });

    test('a test run of a failing script answers the error with its line', async () => {
        await putScript(A, 'crash', 'function score(lead, signals)\n  local x = nil\n  return x.y\nend');
        const id = createLead(A);
        const res = await api('POST', '/api/v1/scripts/crash/test', { token: A.adminToken, json: { record_id: id } });
        assert.equal(res.status, 422, show(res));
        assert.match(res.json.error.message, /^crash:3: attempt to index a nil value/);
        await putScript(A, 'spin', 'function score(lead, signals)\n  while true do end\nend');
        const spin = await api('POST', '/api/v1/scripts/spin/test', { token: A.adminToken, json: { record_id: id } });
        assert.equal(spin.status, 422, show(spin));
        assert.match(spin.json.error.message, /^spin: instruction limit \(\d+\) exceeded at line 2$/);
        const pc = await putScript(A, 'pspin', 'function score(lead, signals)\n  for i = 1, 10 do pcall(function() while true do end end) end\n  return 100, {}\nend');
        assert.equal(pc.status, 201);
        const ps = await api('POST', '/api/v1/scripts/pspin/test', { token: A.adminToken, json: { record_id: id } });
        assert.equal(ps.status, 422, `pcall cannot swallow the limit: ${show(ps)}`);
        assert.ok(await healthy());
    });

    test('scoring saves score, reasons, temperature tag and history; activate chooses the scorer', async () => {
        const id = createLead(A, { email: 'b@example.com', phone: '+34600000001', budget_max: 50000000,
                                   timeframe: 'now', preferences: '{"towns":["Javea"]}' });
        const res = await api('POST', `/api/v1/scoring/leads/${id}`, { token: A.adminToken });
        assert.equal(res.status, 200, show(res));
        assert.equal(res.json.data.score, 30);
        assert.equal(leadRow(A, id).score, 30);
        assert.deepEqual(tagsOf(A, id), ['Cold Lead']);
        const act = await api('POST', '/api/v1/scripts/flat/activate', { token: A.adminToken });
        assert.equal(act.status, 200, show(act));
        await putScript(A, 'flat', 'function score(lead, signals) return 85, {{factor="flat", points=85}} end');
        const again = await api('POST', `/api/v1/scoring/leads/${id}`, { token: A.adminToken });
        assert.equal(again.json.data.score, 85, show(again));
        assert.equal(again.json.data.temperature, 'hot');
        assert.deepEqual(tagsOf(A, id), ['Hot Lead']);
        const shown = await api('GET', `/api/v1/scoring/leads/${id}`, { token: A.adminToken });
        assert.equal(shown.status, 200, show(shown));
        assert.deepEqual(shown.json.data.history.map((h) => Number(h.score)), [85, 30]);
        assert.equal(shown.json.data.history.length, 2);
        assert.equal(shown.json.data.temperature, 'hot');
        assert.deepEqual(shown.json.data.score_reasons, [{ factor: 'flat', points: 85 }]);
        const notScorer = await api('POST', '/api/v1/scripts/fields.buyer_profile/activate', { token: A.adminToken });
        assert.equal(notScorer.status, 422, show(notScorer));
        const back = await api('POST', '/api/v1/scripts/scoring/activate', { token: A.adminToken });
        assert.equal(back.status, 200, show(back));
    });

    test('a signal queues a rescoring that the job runner carries out', async () => {
        const id = createLead(A, { email: 'c@example.com' });
        for (const kind of ['viewing_request', 'property_view', 'property_view']) {
            const res = await api('POST', '/api/v1/signals', { token: A.adminToken, json: { contact_id: id, kind } });
            assert.equal(res.status, 201, show(res));
        }
        // 3 (email) + 6 (2 views) + 10 (viewing) = 19
        await waitFor(() => leadRow(A, id).score === 19, { timeout: 20000, what: 'the rescore job' });
        const bad = await api('POST', '/api/v1/signals', { token: A.adminToken, json: { contact_id: id, kind: 'teleport' } });
        assert.equal(bad.status, 422, show(bad));
        assert.ok(bad.json.error.fields.kind);
        const other = await api('POST', '/api/v1/signals', { token: B.adminToken, json: { contact_id: id, kind: 'reply' } });
        assert.equal(other.status, 404, "another tenant's lead answers 404");
    });

    test('tesoro score --tenant rescores every lead', () => {
        const id = createLead(A, { email: 'd@example.com', phone: '+34600000002' });
        const out = cli('--json', 'score', '--tenant', A.slug);
        const res = JSON.parse(out);
        assert.ok(res.scored >= 1, out);
        assert.equal(res.failed, 0);
        assert.equal(leadRow(A, id).score, 7);
        assert.deepEqual(tagsOf(A, id), ['Cold Lead']);
        const warm = createLead(A, { email: 'e@example.com', phone: '+34600000003', budget_max: 1,
                                     timeframe: 'now', preferences: '{"beds":3}' });
        for (const kind of ['viewing_request', 'info_request', 'reply', 'inbound_contact']) {
            q(`INSERT INTO signals (tenant_id, contact_id, kind) VALUES (${A.id}, ${warm}, '${kind}')`);
        }
        cli('score', '--tenant', A.slug);
        assert.equal(leadRow(A, warm).score, 60);
        assert.deepEqual(tagsOf(A, warm), ['Warm Lead'], 'the batch path moves the temperature tag');
        cli('score', '--tenant', A.slug);
        assert.deepEqual(tagsOf(A, warm), ['Warm Lead']);
        const hist = q(`SELECT score, temperature FROM score_history WHERE tenant_id = ${A.id} AND contact_id = ${warm}`);
        assert.deepEqual(hist, [['60', 'warm'], ['60', 'warm']], 'each rescoring is in the history');
    });

    test("one tenant cannot see or run another's scripts and records", async () => {
        const list = await api('GET', '/api/v1/scripts', { token: B.adminToken });
        assert.ok(!list.json.data.some((s) => s.name === 'flat'), "B does not list A's scripts");
        const shown = await api('GET', '/api/v1/scripts/flat', { token: B.adminToken });
        assert.equal(shown.status, 404, show(shown));
        const id = createLead(A);
        const run = await api('POST', '/api/v1/scripts/scoring/test', { token: B.adminToken, json: { record_id: id } });
        assert.equal(run.status, 404, show(run));
        const sc = await api('GET', `/api/v1/scoring/leads/${id}`, { token: B.adminToken });
        assert.equal(sc.status, 404, show(sc));
        await putScript(B, 'peek', 'secret = "b"\nfunction score(lead, signals) return (secret == "b") and 55 or 0, {tostring(flat)} end');
        const idB = createLead(B);
        const peek = await api('POST', '/api/v1/scripts/peek/test', { token: B.adminToken, json: { record_id: idB } });
        assert.equal(peek.status, 200, show(peek));
        assert.deepEqual(peek.json.data.result.score_reasons, ['nil']);
    });

    test('only admins manage scripts and webhooks; agents may record signals', async () => {
        const agent = newUser(A, 'agent');
        const token = newToken(A, agent.email);
        const put = await api('PUT', '/api/v1/scripts/scoring', { token, json: { code: 'function score() return 1 end' } });
        assert.equal(put.status, 403, show(put));
        assert.equal((await api('GET', '/api/v1/scripts', { token })).status, 403);
        assert.equal((await api('POST', '/api/v1/scoring/rescore', { token })).status, 403);
        const hook = await api('POST', '/api/v1/webhooks', { token, json: { name: 'x', url: 'http://example.com/', events: ['*'] } });
        assert.equal(hook.status, 403, show(hook));
        const id = createLead(A);
        const sig = await api('POST', '/api/v1/signals', { token, json: { contact_id: id, kind: 'web_visit' } });
        assert.equal(sig.status, 201, show(sig));
    });

    test('no worker crashed', () => {
        assert.deepEqual(crashesSince(mark), []);
    });
});

describe('a failing scorer', () => {
    test('is logged on the script-errors page, for the batch and the job, and the job does not loop', async () => {
        const C = newTenant('luc');
        await adminToken(C);
        await putScript(C, 'broken', 'function score(lead, signals)\n  return lead.nothing.x\nend');
        const act = await api('POST', '/api/v1/scripts/broken/activate', { token: C.adminToken });
        assert.equal(act.status, 200, show(act));
        const ids = [createLead(C), createLead(C)];
        assert.throws(() => cli('score', '--tenant', C.slug), /failed/);
        const batch = q(`SELECT script, event, error FROM lua_runs WHERE tenant_id = ${C.id} AND outcome = 'error'`);
        assert.equal(batch.length, 1, 'one row for the batch, not one per lead');
        assert.equal(batch[0][0], 'broken');
        assert.equal(batch[0][1], `score lead ${ids[0]} (+1 more)`);
        assert.match(batch[0][2], /broken:2:/);
        assert.equal(leadRow(C, ids[0]).score, null);

        const sig = await api('POST', '/api/v1/signals', { token: C.adminToken, json: { contact_id: ids[1], kind: 'reply' } });
        assert.equal(sig.status, 201, show(sig));
        await waitFor(() => q(`SELECT COUNT(*) FROM lua_runs WHERE tenant_id = ${C.id} AND event = 'score lead ${ids[1]}'`)[0][0] === '1',
            { timeout: 20000, what: 'the failed rescore job logged' });
        await waitFor(() => q(`SELECT status FROM jobs WHERE tenant_id = ${C.id} AND kind = 'lead.rescore'`).every((j) => j[0] === 'done'),
            { timeout: 20000, what: 'the rescore job done' });
        const jobs = q(`SELECT status, attempts FROM jobs WHERE tenant_id = ${C.id} AND kind = 'lead.rescore'`);
        assert.ok(jobs.length >= 1 && jobs.every((j) => j[0] === 'done' && j[1] === '1'), JSON.stringify(jobs));

        const page = await api('GET', '/settings/script-errors', { host: C.host, jar: await session(C, C.admin) });
        assert.equal(page.status, 200, show(page));
        assert.match(page.text, new RegExp(`broken</a></td><td>score lead ${ids[1]}</td><td>Lua error</td><td class="num">2</td>`));
        assert.match(page.text, new RegExp(`score lead ${ids[0]} \\(\\+1 more\\)`));
    });
});

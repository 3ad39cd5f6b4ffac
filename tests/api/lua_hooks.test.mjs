// Webhooks, workflows and custom fields end to end. A real HTTP receiver on
// 127.0.0.1 takes the webhooks: first with the install's default (loopback
// refused by the SSRF guard), then with [fetch] allow_loopback = 1 (the old
// name of allow = loopback, still read for existing installs) set in
// TS_CONF and a SIGHUP (undone afterwards). Workflows run in the job runner
// after the commit; their runs and failures are listed.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { adminToken, api, crashesSince, logMark, newTenant, show, waitFor } from './_http.mjs';
import { ConfEdit, iniAppend, iniSet, readConf, reload, takeStack } from './_stack.mjs';
import { createLead, leadRow, putScript, q, tagsOf } from './_lua.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const conf = new ConfEdit();
let release;
let server;
let port;
let answer = 200;
const received = [];
let A;
let mark;

function setLoopback(value) {
    conf.apply((text) => (readConf().fetch ? iniSet(text, 'fetch', 'allow_loopback', value)
                                           : iniAppend(text, 'fetch', { allow_loopback: value })));
}

function deliveries(hook) {
    return api('GET', `/api/v1/webhooks/${hook}/deliveries`, { token: A.adminToken });
}

before(async () => {
    release = await takeStack();
    mark = logMark();
    server = http.createServer((req, res) => {
        const chunks = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => {
            received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
            res.writeHead(answer, { 'content-type': 'text/plain' });
            res.end('ok');
        });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = server.address().port;
    A = newTenant('hook');
    await adminToken(A);
});

after(async () => {
    server?.close();
    if (conf.restore()) {
        await reload();
    }
    if (A?.id) {
        q(`DELETE FROM jobs WHERE tenant_id = ${Number(A.id)} AND status <> 'done'`);
    }
    release?.();
});

describe('webhooks', () => {
    let hook;

    test('registering validates name, URL and events', async () => {
        const bad = await api('POST', '/api/v1/webhooks', {
            token: A.adminToken, json: { name: '', url: 'file:///etc/passwd', events: ['lead.exploded'] },
        });
        assert.equal(bad.status, 422, show(bad));
        assert.ok(bad.json.error.fields.name && bad.json.error.fields.url && bad.json.error.fields.events);
        const res = await api('POST', '/api/v1/webhooks', {
            token: A.adminToken,
            json: { name: 'crm sync', url: `http://127.0.0.1:${port}/hook`, events: ['lead.temperature_changed'],
                    secret: 's3cret-key' },
        });
        assert.equal(res.status, 201, show(res));
        assert.equal(res.json.data.has_secret, true);
        assert.equal(res.json.data.secret, undefined, 'the secret is never shown');
        hook = res.json.data.id;
        const list = await api('GET', '/api/v1/webhooks', { token: A.adminToken });
        assert.deepEqual(list.json.data.map((w) => w.id), [hook]);
    });

    test('with the default config the SSRF guard refuses loopback', async () => {
        if (readConf().fetch?.allow_loopback === '1') {
            setLoopback('0');
            assert.ok((await reload()).ok);
        }
        const id = createLead(A, { email: 'x@example.com' });
        const res = await api('POST', `/api/v1/scoring/leads/${id}`, { token: A.adminToken });
        assert.equal(res.status, 200, show(res));
        const d = await waitFor(async () => {
            const r = await deliveries(hook);
            return r.json.data.find((x) => x.attempts >= 1) ?? null;
        }, { timeout: 20000, what: 'the first attempt' });
        assert.equal(d.status, 'pending');
        assert.match(d.last_error, /refused to connect to 127\.0\.0\.1: not a public address/);
        assert.ok(d.next_attempt_at, 'a retry is scheduled');
        const wait = q(`SELECT TIMESTAMPDIFF(SECOND, NOW(), next_attempt_at) FROM webhook_deliveries
                        WHERE tenant_id = ${A.id} AND id = ${d.id}`);
        assert.ok(Number(wait[0][0]) > 30 && Number(wait[0][0]) <= 60, `retry in about a minute (${wait[0][0]} s)`);
        assert.equal(received.length, 0, 'nothing reached the receiver');
    });

    test('with loopback allowed the delivery is signed and logged; manual retry works', async () => {
        setLoopback('1');
        assert.ok((await reload()).ok);
        const pending = (await deliveries(hook)).json.data[0];
        const retry = await api('POST', `/api/v1/webhook-deliveries/${pending.id}/retry`, { token: A.adminToken });
        assert.equal(retry.status, 202, show(retry));
        await waitFor(() => received.length >= 1, { timeout: 20000, what: 'the retried delivery' });
        const got = received[0];
        const sig = createHmac('sha256', 's3cret-key').update(got.body).digest('hex');
        assert.equal(got.headers['x-tesoro-signature'], `sha256=${sig}`);
        assert.equal(got.headers['x-tesoro-event'], 'lead.temperature_changed');
        const body = JSON.parse(got.body);
        assert.equal(body.event, 'lead.temperature_changed');
        assert.equal(body.tenant, A.slug);
        assert.equal(body.data.temperature, 'cold');
        assert.ok('previous_data' in body && body.timestamp);
        const d = await waitFor(async () => {
            const r = (await deliveries(hook)).json.data.find((x) => x.id === pending.id);
            return r?.status === 'delivered' ? r : null;
        }, { what: 'the delivery marked delivered' });
        assert.equal(d.response_status, 200);
    });

    test('a receiver error schedules the retries, then the delivery fails', async () => {
        answer = 500;
        const before = received.length;
        const id = createLead(A);
        await api('POST', `/api/v1/scoring/leads/${id}`, { token: A.adminToken });
        await waitFor(() => received.length > before, { timeout: 20000, what: 'the failing attempt' });
        const d = await waitFor(async () => {
            const r = (await deliveries(hook)).json.data[0];
            return r.attempts === 1 ? r : null;
        }, { what: 'the attempt logged' });
        assert.equal(d.status, 'pending');
        assert.match(d.last_error, /answered 500/);
        // Run the remaining attempts now instead of after 1 min, 5 min, 30 min and 2 h.
        const delays = [];
        for (let attempt = 2; attempt <= 5; attempt++) {
            const row = q(`SELECT TIMESTAMPDIFF(SECOND, NOW(), next_attempt_at) FROM webhook_deliveries
                           WHERE tenant_id = ${A.id} AND id = ${d.id}`)[0];
            delays.push(Number(row[0]));
            q(`UPDATE jobs SET run_at = NOW() WHERE tenant_id = ${A.id} AND kind = 'webhook.deliver' AND status = 'queued'`);
            await waitFor(async () => (await deliveries(hook)).json.data[0].attempts === attempt,
                          { timeout: 20000, what: `attempt ${attempt}` });
        }
        const expect = [60, 300, 1800, 7200];
        delays.forEach((s, i) => assert.ok(s > expect[i] - 30 && s <= expect[i], `retry ${i + 1} after ${s} s`));
        const last = (await deliveries(hook)).json.data[0];
        assert.equal(last.status, 'failed');
        assert.equal(last.next_attempt_at, null);
        answer = 200;
        const retry = await api('POST', `/api/v1/webhook-deliveries/${last.id}/retry`, { token: A.adminToken });
        assert.equal(retry.status, 202, show(retry));
        await waitFor(async () => (await deliveries(hook)).json.data[0].status === 'delivered',
                      { timeout: 20000, what: 'the manual retry' });
    });

    test("another tenant cannot see or retry the deliveries", async () => {
        const B = newTenant('hookb');
        await adminToken(B);
        const d = (await deliveries(hook)).json.data[0];
        assert.equal((await api('GET', `/api/v1/webhooks/${hook}`, { token: B.adminToken })).status, 404);
        assert.equal((await api('GET', `/api/v1/webhooks/${hook}/deliveries`, { token: B.adminToken })).status, 404);
        assert.equal((await api('POST', `/api/v1/webhook-deliveries/${d.id}/retry`, { token: B.adminToken })).status, 404);
    });
});

describe('workflows', () => {
    test('on(event) handlers run after the commit in the job runner, each run logged', async () => {
        await putScript(A, 'workflows.tag_viewers', `
on("signal.recorded", function(ev)
  if ev.data.kind == "viewing_request" then
    tesoro.tag(ev.data.id, "Wants viewing")
    tesoro.task(ev.data.id, { subject = "Call about the viewing", due_in_days = 1 })
  end
end)`);
        const id = createLead(A);
        const res = await api('POST', '/api/v1/signals', { token: A.adminToken, json: { contact_id: id, kind: 'viewing_request' } });
        assert.equal(res.status, 201, show(res));
        await waitFor(() => tagsOf(A, id).includes('Wants viewing'), { timeout: 20000, what: 'the workflow' });
        const task = q(`SELECT subject, created_by_script, due_at > NOW() FROM activities WHERE tenant_id = ${A.id}
                        AND entity_id = ${id} AND kind = 'task'`);
        assert.deepEqual(task, [['Call about the viewing', 'workflows.tag_viewers', '1']]);
        const audit = q(`SELECT changes FROM audit_log WHERE tenant_id = ${A.id} AND entity = 'contact' AND entity_id = ${id}
                         AND action = 'update'`);
        assert.ok(audit.some((r) => JSON.parse(r[0]).script === 'workflows.tag_viewers'), 'audited as made by the script');
        const runs = await api('GET', '/api/v1/script-runs', { token: A.adminToken });
        assert.ok(runs.json.data.some((r) => r.script === 'workflows.tag_viewers' && r.outcome === 'ok'), show(runs));
    });

    test('a failing or endless workflow never fails the request and shows in the errors', async () => {
        await putScript(A, 'workflows.broken', 'on("signal.recorded", function(ev)\n  while true do end\nend)');
        const id = createLead(A);
        const res = await api('POST', '/api/v1/signals', { token: A.adminToken, json: { contact_id: id, kind: 'web_visit' } });
        assert.equal(res.status, 201, show(res));
        const err = await waitFor(async () => {
            const r = await api('GET', '/api/v1/script-runs?outcome=error', { token: A.adminToken });
            return r.json.data.find((x) => x.script === 'workflows.broken') ?? null;
        }, { timeout: 20000, what: 'the failure logged' });
        assert.match(err.error, /^workflows\.broken: instruction limit \(\d+\) exceeded at line 2$/);
        assert.equal(err.event, 'signal.recorded');
    });

    test('a test run of a workflow shows what it would do and does nothing', async () => {
        const id = createLead(A);
        const res = await api('POST', '/api/v1/scripts/workflows.tag_viewers/test', {
            token: A.adminToken, json: { record_id: id, event: 'signal.recorded' },
        });
        assert.equal(res.status, 200, show(res));
        assert.equal(res.json.data.kind, 'workflow');
        assert.equal(res.json.data.result.handlers, 1);
        // the record has no "kind" of signal: the handler does nothing
        assert.deepEqual(res.json.data.result.effects, []);
        await putScript(A, 'workflows.round_robin', fs.readFileSync(path.join(ROOT, 'scripts/workflows/round_robin.lua'), 'utf8'));
        const web = createLead(A, { source: 'website' });
        const rr = await api('POST', '/api/v1/scripts/workflows.round_robin/test', {
            token: A.adminToken, json: { record_id: web },
        });
        assert.equal(rr.status, 200, show(rr));
        assert.equal(rr.json.data.result.event, 'lead.created');
        assert.ok(rr.json.data.result.effects.some((e) => e.action === 'log'), show(rr));
        assert.equal(leadRow(A, web).agent, null, 'nothing assigned by a test run');
    });
});

describe('custom fields', () => {
    test('field{} definitions with validate and compute check values', async () => {
        const res = await putScript(A, 'fields.buyer_profile',
                                    fs.readFileSync(path.join(ROOT, 'scripts/fields/buyer_profile.lua'), 'utf8'));
        assert.equal(res.json.data.kind, 'fields');
        const defs = await api('GET', '/api/v1/fields/lead', { token: A.adminToken });
        assert.equal(defs.status, 200, show(defs));
        assert.deepEqual(defs.json.data.map((d) => d.key), ['mortgage_approved', 'viewing_day', 'budget_band']);
        assert.equal(defs.json.data.find((d) => d.key === 'mortgage_approved').label.es, 'Preaprobación hipotecaria');
        const bad = await api('POST', '/api/v1/fields/lead/check', {
            token: A.adminToken,
            json: { record: { budget_max: 1000 }, values: { mortgage_approved: 5000, viewing_day: 'monday' } },
        });
        assert.equal(bad.status, 422, show(bad));
        assert.deepEqual(bad.json.error.fields, { mortgage_approved: 'is more than twice the budget',
                                                  viewing_day: 'is not one of the options' });
        const typed = await api('POST', '/api/v1/fields/lead/check', {
            token: A.adminToken, json: { record: {}, values: { mortgage_approved: 'lots' } },
        });
        assert.deepEqual(typed.json.error.fields, { mortgage_approved: 'must be a number' });
        const good = await api('POST', '/api/v1/fields/lead/check', {
            token: A.adminToken,
            json: { record: { budget_max: 40000000 }, values: { mortgage_approved: 30000000, viewing_day: 'saturday' } },
        });
        assert.equal(good.status, 200, show(good));
        assert.deepEqual(good.json.data.values, { mortgage_approved: 30000000, viewing_day: 'saturday',
                                                  budget_band: '250k_500k' });
    });

    test('a validate that loops is stopped and reported on the field', async () => {
        await putScript(A, 'fields.spin', 'field{kind = "contact", key = "spin", type = "text",\n'
                                          + '  validate = function(v) while true do end end}');
        const res = await api('POST', '/api/v1/fields/contact/check', {
            token: A.adminToken, json: { values: { spin: 'x' } },
        });
        assert.equal(res.status, 422, show(res));
        assert.match(res.json.error.fields.spin, /^fields\.spin: instruction limit \(\d+\) exceeded at line 2$/);
    });

    test('no worker crashed', () => {
        assert.deepEqual(crashesSince(mark), []);
    });
});

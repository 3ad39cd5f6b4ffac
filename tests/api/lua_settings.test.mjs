// PATCH /api/v1/webhooks/{id}, and the settings pages for webhooks and script
// errors over HTTP: forms with CSRF, refusals naming the field, escaping,
// admins only, another tenant's rows answering 404.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminToken, api, csrfFrom, newTenant, newToken, newUser, session, show } from './_http.mjs';
import { q } from './_lua.mjs';

let A, B, agentA;
before(async () => {
    A = newTenant('set');
    B = newTenant('setb');
    await adminToken(A);
    await adminToken(B);
    const agent = newUser(A, 'agent');
    agentA = newToken(A, agent.email);
});

const hook = async (t, json) => {
    const res = await api('POST', '/api/v1/webhooks', { token: t.adminToken, json });
    assert.equal(res.status, 201, show(res));
    return res.json.data;
};
const patch = (t, id, json, token = t.adminToken) =>
    api('PATCH', `/api/v1/webhooks/${id}`, { token, json });

describe('PATCH /api/v1/webhooks/{id}', () => {
    test('changes URL, events and the active flag; rotates the secret once', async () => {
        const h = await hook(A, { name: 'CRM sync', url: 'https://example.test/a', events: ['lead.created'] });
        assert.equal(h.has_secret, false);
        let res = await patch(A, h.id, { url: 'https://example.test/b', events: ['lead.updated', 'deal.won'],
            active: false });
        assert.equal(res.status, 200, show(res));
        assert.equal(res.json.data.url, 'https://example.test/b');
        assert.deepEqual(res.json.data.events, ['lead.updated', 'deal.won']);
        assert.equal(res.json.data.active, false);
        assert.equal(res.json.data.name, 'CRM sync');
        assert.equal(res.json.data.secret, undefined);

        res = await patch(A, h.id, { rotate_secret: true, active: true });
        assert.equal(res.status, 200, show(res));
        assert.match(res.json.data.secret, /^[0-9a-f]{64}$/);
        assert.equal(res.json.data.has_secret, true);
        assert.equal(res.json.data.active, true);
        const stored = q(`SELECT secret FROM webhooks WHERE tenant_id = ${A.id} AND id = ${h.id}`)[0][0];
        assert.equal(stored, res.json.data.secret);
        const again = await patch(A, h.id, { rotate_secret: true });
        assert.notEqual(again.json.data.secret, res.json.data.secret);
        const shown = await api('GET', `/api/v1/webhooks/${h.id}`, { token: A.adminToken });
        assert.equal(shown.json.data.secret, undefined);
        assert.equal(shown.json.data.url, 'https://example.test/b');
    });

    test('refusals name the field and change nothing', async () => {
        const h = await hook(A, { name: 'Keep', url: 'https://example.test/k', events: ['*'] });
        const cases = [
            [{ url: 'ftp://example.test/' }, 'url'],
            [{ url: 'https://exa mple.test/' }, 'url'],
            [{ events: [] }, 'events'],
            [{ events: ['lead.exploded'] }, 'events'],
            [{ active: 'yes' }, 'active'],
            [{ rotate_secret: 1 }, 'rotate_secret'],
            [{ name: '' }, 'name'],
        ];
        for (const [body, field] of cases) {
            const res = await patch(A, h.id, body);
            assert.equal(res.status, 422, `${JSON.stringify(body)}: ${show(res)}`);
            assert.equal(res.json.error.code, 'validation_failed');
            assert.ok(res.json.error.fields[field], `${field} named: ${show(res)}`);
        }
        const shown = await api('GET', `/api/v1/webhooks/${h.id}`, { token: A.adminToken });
        assert.equal(shown.json.data.url, 'https://example.test/k');
        assert.deepEqual(shown.json.data.events, ['*']);
        assert.equal(shown.json.data.active, true);
    });

    test('admins only; another tenant and a deleted webhook answer 404', async () => {
        const h = await hook(A, { name: 'Mine', url: 'https://example.test/m', events: ['lead.created'] });
        assert.equal((await patch(A, h.id, { active: false }, agentA)).status, 403);
        assert.equal((await patch(B, h.id, { active: false })).status, 404);
        assert.equal((await api('DELETE', `/api/v1/webhooks/${h.id}`, { token: A.adminToken })).status, 204);
        assert.equal((await patch(A, h.id, { active: true })).status, 404);
    });
});

describe('settings pages', () => {
    let jar, csrf;
    before(async () => {
        jar = await session(A, A.admin);
        const page = await api('GET', '/settings/webhooks', { host: A.host, jar });
        csrf = csrfFrom(page.text);
    });
    const get = (p) => api('GET', p, { host: A.host, jar });
    const post = (p, form) => api('POST', p, { host: A.host, jar, form: { _csrf: csrf, ...form } });

    test('webhooks: a refused form keeps its values and names the field; a created one is listed escaped', async () => {
        let res = await post('/settings/webhooks', { name: '<b>Portal</b>', event: 'lead.created', url: 'ftp://x' });
        assert.equal(res.status, 422, show(res));
        assert.match(res.text, /id="wh-url-error">an http or https URL</);
        assert.match(res.text, /value="&lt;b&gt;Portal&lt;\/b&gt;"/);
        assert.match(res.text, /<option value="lead.created" selected>/);

        res = await post('/settings/webhooks', { name: '<b>Portal</b>', event: 'deal.won',
            url: 'https://example.test/hook?a=1&b=2' });
        assert.equal(res.status, 303, show(res));
        const list = await get('/settings/webhooks');
        assert.equal(list.status, 200);
        assert.match(list.text, /&lt;b&gt;Portal&lt;\/b&gt;/);
        assert.doesNotMatch(list.text, /<b>Portal/);
        assert.match(list.text, /https:\/\/example.test\/hook\?a=1&amp;b=2/);
        const api_ = await api('GET', '/api/v1/webhooks', { token: A.adminToken });
        const made = api_.json.data.find((w) => w.name === '<b>Portal</b>');
        assert.deepEqual(made.events, ['deal.won']);
    });

    test('webhooks: deliveries with status, a retry for failed ones, delete', async () => {
        const h = await hook(A, { name: 'Flaky', url: 'https://example.test/f', events: ['lead.created'] });
        q(`INSERT INTO webhook_deliveries (tenant_id, webhook_id, event, body, status, attempts, last_error)
           VALUES (${A.id}, ${h.id}, 'lead.created', '{}', 'failed', 5, 'connection refused')`);
        const id = Number(q(`SELECT MAX(id) FROM webhook_deliveries WHERE tenant_id = ${A.id}`)[0][0]);
        let page = await get(`/settings/webhooks/${h.id}/deliveries`);
        assert.equal(page.status, 200, show(page));
        assert.match(page.text, /data-status="failed">failed</);
        assert.match(page.text, /connection refused/);
        assert.match(page.text, new RegExp(`action="/settings/webhook-deliveries/${id}/retry"`));

        const noCsrf = await api('POST', `/settings/webhook-deliveries/${id}/retry`, { host: A.host, jar, form: {} });
        assert.equal(noCsrf.status, 403);
        const res = await post(`/settings/webhook-deliveries/${id}/retry`, {});
        assert.equal(res.status, 303, show(res));
        assert.equal(res.headers.location, `/settings/webhooks/${h.id}/deliveries`);
        // A fresh count: the job runner may already have made its first new try.
        const row = q(`SELECT status, attempts FROM webhook_deliveries WHERE tenant_id = ${A.id} AND id = ${id}`)[0];
        assert.equal(row[0], 'pending');
        assert.ok(Number(row[1]) <= 1, `attempts ${row[1]}`);
        page = await get(`/settings/webhooks/${h.id}/deliveries`);
        assert.doesNotMatch(page.text, new RegExp(`webhook-deliveries/${id}/retry`));

        let res2 = await post(`/settings/webhooks/${h.id}/active`, { active: '0' });
        assert.equal(res2.status, 303, show(res2));
        page = await get('/settings/webhooks');
        assert.match(page.text, new RegExp(`data-webhook="${h.id}"[\\s\\S]*?data-status="disabled"[\\s\\S]*?name="active" value="1"[\\s\\S]*?>Enable<`));
        assert.equal((await api('GET', `/api/v1/webhooks/${h.id}`, { token: A.adminToken })).json.data.active, false);
        res2 = await post(`/settings/webhooks/${h.id}/active`, { active: '1' });
        assert.equal(res2.status, 303, show(res2));
        assert.equal((await api('GET', `/api/v1/webhooks/${h.id}`, { token: A.adminToken })).json.data.active, true);

        assert.equal((await post(`/settings/webhooks/${h.id}/delete`, {})).status, 303);
        assert.equal((await get(`/settings/webhooks/${h.id}/deliveries`)).status, 404);
        assert.equal((await post(`/settings/webhooks/${h.id}/delete`, {})).status, 404);
    });

    test('another tenant\'s webhook and delivery answer 404 on the pages', async () => {
        const theirs = await hook(B, { name: 'Theirs', url: 'https://example.test/t', events: ['*'] });
        q(`INSERT INTO webhook_deliveries (tenant_id, webhook_id, event, body, status)
           VALUES (${B.id}, ${theirs.id}, 'lead.created', '{}', 'failed')`);
        const did = Number(q(`SELECT MAX(id) FROM webhook_deliveries WHERE tenant_id = ${B.id}`)[0][0]);
        assert.equal((await get(`/settings/webhooks/${theirs.id}/deliveries`)).status, 404);
        assert.equal((await post(`/settings/webhooks/${theirs.id}/delete`, {})).status, 404);
        assert.equal((await post(`/settings/webhooks/${theirs.id}/active`, { active: '0' })).status, 404);
        assert.equal((await post(`/settings/webhook-deliveries/${did}/retry`, {})).status, 404);
        assert.equal(q(`SELECT status FROM webhook_deliveries WHERE tenant_id = ${B.id} AND id = ${did}`)[0][0], 'failed');
    });

    test('script errors: limit hits and Lua errors with script, limit, line and time', async () => {
        q(`INSERT INTO lua_runs (tenant_id, script, event, outcome, error) VALUES
           (${A.id}, 'workflows.loop', 'lead.created', 'error', 'workflows.loop: instruction limit (1000000) exceeded at line 7'),
           (${A.id}, 'workflows.bad', 'lead.updated', 'error', 'workflows.bad:12: attempt to index a nil value <x>'),
           (${A.id}, 'workflows.fine', 'lead.updated', 'ok', NULL)`);
        const page = await get('/settings/script-errors');
        assert.equal(page.status, 200, show(page));
        assert.match(page.text, /workflows.loop<\/a><\/td><td>lead.created<\/td><td>instruction limit<\/td><td class="num">7<\/td>/);
        assert.match(page.text, /workflows.bad<\/a><\/td><td>lead.updated<\/td><td>Lua error<\/td><td class="num">12<\/td>/);
        assert.match(page.text, /a nil value &lt;x&gt;/);
        assert.doesNotMatch(page.text, /workflows.fine/);
        const other = await api('GET', '/settings/script-errors', { host: B.host, jar: await session(B, B.admin) });
        assert.doesNotMatch(other.text, /workflows.loop/);
    });

    test('scripts list: kind, version and the active scorer; agents are refused', async () => {
        const page = await get('/settings/scripts');
        assert.equal(page.status, 200);
        assert.match(page.text, /data-script="scoring"[\s\S]*?Active scorer[\s\S]*?Scorer/);
        assert.match(page.text, /data-script="workflows.round_robin"[\s\S]*?Workflow/);
        const bad = await get('/settings/scripts?name=..%2Fetc');
        assert.equal(bad.status, 422);
        const agent = newUser(A, 'agent');
        const ajar = await session(A, agent);
        for (const p of ['/settings/scripts', '/settings/scripts/scoring', '/settings/webhooks',
            '/settings/script-errors']) {
            assert.equal((await api('GET', p, { host: A.host, jar: ajar })).status, 403, p);
        }
    });

    test('a code page saves a scorer and makes it the active one; a workflow cannot be', async () => {
        const code = 'function score(lead, signals)\r\n  return 77, { "page" }\r\nend\r\n';
        let res = await post('/settings/scripts/page_scorer', { code });
        assert.equal(res.status, 303, show(res));
        const saved = await api('GET', '/api/v1/scripts/page_scorer', { token: A.adminToken });
        assert.equal(saved.json.data.code, code.replaceAll('\r\n', '\n'));
        let page = await get('/settings/scripts/page_scorer');
        assert.match(page.text, /Make active scorer/);
        res = await post('/settings/scripts/page_scorer/activate', {});
        assert.equal(res.status, 303, show(res));
        page = await get('/settings/scripts/page_scorer');
        assert.match(page.text, /id="scorer-state">Active scorer/);
        const list = await api('GET', '/api/v1/scripts', { token: A.adminToken });
        assert.equal(list.json.data.find((x) => x.active_scorer).name, 'page_scorer');

        res = await post('/settings/scripts/workflows.page', { code: 'on("lead.created", function(ev) end)' });
        assert.equal(res.status, 303, show(res));
        assert.doesNotMatch((await get('/settings/scripts/workflows.page')).text, /Make active scorer/);
        res = await post('/settings/scripts/workflows.page/activate', {});
        assert.equal(res.status, 422, show(res));
        assert.match(res.text, /only a script defining score/);
        assert.equal((await api('POST', '/settings/scripts/page_scorer/activate',
            { host: A.host, jar, form: {} })).status, 403);
    });
});

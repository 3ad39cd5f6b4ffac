// Settings > Webhooks: the edit page (name, URL, events, active, secret) and
// the secret rotation, over HTTP: the form as stored, a refusal keeping what
// was typed with the error beside its field, a save that the API reads back,
// a rotation that shows the new secret once and signs with it, admins only,
// another tenant's webhook answering 404.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminToken, api, csrfFrom, newTenant, newUser, session, show } from './_http.mjs';
import { q } from './_lua.mjs';

let A, B, jar, csrf, id;
before(async () => {
    A = newTenant('whe');
    B = newTenant('wheb');
    await adminToken(A);
    await adminToken(B);
    jar = await session(A, A.admin);
    csrf = csrfFrom((await api('GET', '/settings/webhooks', { host: A.host, jar })).text);
    const res = await api('POST', '/api/v1/webhooks', { token: A.adminToken, json: { name: 'Portal sync',
        url: 'https://example.test/hook', events: ['lead.created', 'deal.won'], secret: 's3cret-one' } });
    assert.equal(res.status, 201, show(res));
    id = res.json.data.id;
});

const get = (p, j = jar, t = A) => api('GET', p, { host: t.host, jar: j });
const post = (p, form, j = jar, t = A) => api('POST', p, { host: t.host, jar: j, body:
    new URLSearchParams([['_csrf', csrf], ...form]).toString(),
headers: { 'content-type': 'application/x-www-form-urlencoded' } });
const stored = () => api('GET', `/api/v1/webhooks/${id}`, { token: A.adminToken });

test('the list links each webhook to its edit page, which shows it as stored', async () => {
    const list = await get('/settings/webhooks');
    assert.match(list.text, new RegExp(`<a class="button small" href="/settings/webhooks/${id}">Edit</a>`));
    const page = await get(`/settings/webhooks/${id}`);
    assert.equal(page.status, 200, show(page));
    assert.match(page.text, /<input id="wh-name" name="name" value="Portal sync" required>/);
    assert.match(page.text, /name="url" type="url" value="https:\/\/example.test\/hook"/);
    assert.match(page.text, /type="checkbox" name="events" value="lead.created" checked>/);
    assert.match(page.text, /type="checkbox" name="events" value="deal.won" checked>/);
    assert.match(page.text, /type="checkbox" name="events" value="lead.updated">/);
    assert.match(page.text, /name="active" value="1" checked>/);
    assert.match(page.text, /\(optional; now: set\)/);
    assert.ok(!page.text.includes('s3cret-one'), 'the secret is never shown');
});

test('a refused edit keeps what was typed, names the field and changes nothing', async () => {
    const res = await post(`/settings/webhooks/${id}`, [['name', 'Renamed'], ['url', 'ftp://nope'],
        ['events', 'lead.updated'], ['active', '1']]);
    assert.equal(res.status, 422, show(res));
    assert.match(res.text, /value="Renamed"/);
    assert.match(res.text, /value="ftp:\/\/nope" required aria-invalid="true" aria-describedby="wh-url-error"/);
    assert.match(res.text, /<p class="error" id="wh-url-error">[^<]+<\/p>/);
    assert.match(res.text, /value="lead.updated" checked>/);
    assert.match(res.text, /value="deal.won">/, 'the boxes as posted, not as stored');
    const none = await post(`/settings/webhooks/${id}`, [['name', 'Renamed'], ['url', 'https://example.test/x'], ['active', '1']]);
    assert.equal(none.status, 422, show(none));
    assert.match(none.text, /<p class="error" id="wh-events-error">/);
    const h = (await stored()).json.data;
    assert.equal(h.name, 'Portal sync');
    assert.deepEqual(h.events, ['lead.created', 'deal.won']);
});

test('a save changes name, URL, events and active; the secret stays unless replaced or removed', async () => {
    const before = q(`SELECT secret FROM webhooks WHERE tenant_id = ${A.id} AND id = ${id}`)[0][0];
    const res = await post(`/settings/webhooks/${id}`, [['name', 'Portal v2'], ['url', 'https://example.test/v2'],
        ['events', 'lead.updated'], ['events', 'contact.created']]);
    assert.equal(res.status, 303, show(res));
    let h = (await stored()).json.data;
    assert.equal(h.name, 'Portal v2');
    assert.equal(h.url, 'https://example.test/v2');
    assert.deepEqual(h.events, ['lead.updated', 'contact.created']);
    assert.equal(h.active, false, 'unticked: disabled');
    assert.equal(q(`SELECT secret FROM webhooks WHERE tenant_id = ${A.id} AND id = ${id}`)[0][0], before);
    await post(`/settings/webhooks/${id}`, [['name', 'Portal v2'], ['url', 'https://example.test/v2'],
        ['events', '*'], ['active', '1'], ['secret', 'typed-secret-2']]);
    assert.equal(q(`SELECT secret FROM webhooks WHERE tenant_id = ${A.id} AND id = ${id}`)[0][0], 'typed-secret-2');
    await post(`/settings/webhooks/${id}`, [['name', 'Portal v2'], ['url', 'https://example.test/v2'],
        ['events', '*'], ['active', '1'], ['clear_secret', '1']]);
    h = (await stored()).json.data;
    assert.equal(h.has_secret, false);
    assert.deepEqual(h.events, ['*']);
    assert.equal(h.active, true);
});

test('rotating shows a new random secret once, stores it, and never shows it again', async () => {
    const res = await post(`/settings/webhooks/${id}/rotate`, []);
    assert.equal(res.status, 200, show(res));
    assert.equal(res.headers['cache-control'], 'no-store');
    const m = /<code id="new-secret">([0-9a-f]{64})<\/code>/.exec(res.text);
    assert.ok(m, show(res));
    assert.equal(q(`SELECT secret FROM webhooks WHERE tenant_id = ${A.id} AND id = ${id}`)[0][0], m[1]);
    const again = await get(`/settings/webhooks/${id}`);
    assert.ok(!again.text.includes(m[1]));
    const second = /<code id="new-secret">([0-9a-f]{64})<\/code>/.exec((await post(`/settings/webhooks/${id}/rotate`, [])).text);
    assert.notEqual(second[1], m[1]);
});

test('admins only; another tenant\'s webhook answers 404; CSRF is required', async () => {
    const agent = newUser(A, 'agent');
    const aj = await session(A, agent);
    assert.equal((await get(`/settings/webhooks/${id}`, aj)).status, 403);
    const bj = await session(B, B.admin);
    assert.equal((await get(`/settings/webhooks/${id}`, bj, B)).status, 404);
    const bcsrf = csrfFrom((await get('/settings/webhooks', bj, B)).text);
    const cross = await api('POST', `/settings/webhooks/${id}/rotate`, { host: B.host, jar: bj, form: { _csrf: bcsrf } });
    assert.equal(cross.status, 404);
    const nocsrf = await api('POST', `/settings/webhooks/${id}/rotate`, { host: A.host, jar, form: {} });
    assert.equal(nocsrf.status, 403);
});

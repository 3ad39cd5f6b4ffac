// The contacts pages over HTTP (the browser flows are in tests/e2e/contacts.test.mjs):
// escaping, role rules and CSRF on the forms, the duplicate warning and its merge
// button, batch on ticked rows.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { newTenant, newUser, request, session, sessionCsrf, show } from '../../../tests/api/_http.mjs';

let t, agent, viewer, jar, csrf;
before(async () => {
    t = newTenant('pages');
    agent = newUser(t, 'agent', { name: 'Page Agent' });
    viewer = newUser(t, 'viewer', { name: 'Page Viewer' });
    jar = await session(t, agent);
    csrf = await sessionCsrf(t, jar);
});

const post = (path, form, j = jar) => request('POST', path, { host: t.host, jar: j, form });
const get = (path, j = jar) => request('GET', path, { host: t.host, jar: j });

test('typed text is escaped on the list and the record page', async () => {
    const r = await post('/leads', { _csrf: csrf, first_name: '<script>alert(1)</script>', last_name: 'X"Y', email: 'x@y.example' });
    assert.equal(r.status, 303, show(r));
    const page = await get(r.headers.location);
    assert.equal(page.status, 200);
    assert.ok(!page.text.includes('<script>alert(1)</script>'));
    assert.ok(page.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    const list = await get('/leads');
    assert.ok(!list.text.includes('<script>alert(1)</script>'));
});

test('viewers read the pages but post nothing; a form without its CSRF token is refused', async () => {
    const vj = await session(t, viewer);
    const vc = await sessionCsrf(t, vj);
    const list = await get('/leads', vj);
    assert.equal(list.status, 200);
    assert.ok(!list.text.includes('New lead') && !list.text.includes('batch-bar'), 'no edit controls for a viewer');
    assert.equal((await post('/leads', { _csrf: vc, first_name: 'No' }, vj)).status, 403);
    assert.equal((await post('/leads', { first_name: 'No csrf' })).status, 403);
    assert.equal((await get('/leads/999999')).status, 404);
});

test('a duplicate shows on the record page, and its merge button merges it', async () => {
    const a = await post('/contacts', { _csrf: csrf, first_name: 'Dup', last_name: 'Page', email: 'dup.page@example.com' });
    const b = await post('/leads', { _csrf: csrf, first_name: 'Dup', last_name: 'Lead', email: 'DUP.page@example.com', tags: 'from-lead' });
    const aUrl = a.headers.location, bId = b.headers.location.split('/').pop();
    const page = await get(aUrl);
    assert.match(page.text, /Possible duplicates/);
    assert.ok(page.text.includes(`href="/leads/${bId}"`), 'a link to the other record');
    const m = await post(`${aUrl}/merge`, { _csrf: csrf, source_id: bId });
    assert.equal(m.status, 303, show(m));
    const after = await get(aUrl);
    assert.doesNotMatch(after.text, /Possible duplicates/);
    assert.match(after.text, /from-lead/);
    assert.match(after.text, /Merged record/);
    assert.equal((await get(`/leads/${bId}`)).status, 404);
});

test('batch on ticked rows: every ticked id, only those', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) {
        const r = await post('/leads', { _csrf: csrf, first_name: `Tick${i}`, last_name: 'Batch', tags: 'tickme' });
        ids.push(r.headers.location.split('/').pop());
    }
    const body = new URLSearchParams([['_csrf', csrf], ['back', '/leads?tag=tickme'], ['action', 'add_tag'],
        ['tag', 'ticked'], ['id', ids[0]], ['id', ids[2]]]).toString();
    const r = await request('POST', '/leads/batch', { host: t.host, jar, body,
        headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(r.status, 303, show(r));
    assert.equal(r.headers.location, '/leads?tag=tickme');
    const list = await get('/leads?tag=ticked');
    assert.match(list.text, /Tick0/);
    assert.match(list.text, /Tick2/);
    assert.doesNotMatch(list.text, /Tick1/);
});

test('a duplicate relation shows on its page, and its merge button merges it', async () => {
    const a = await post('/relations', { _csrf: csrf, name: 'Notaría Page', type: 'notary_office', email: 'notaria.page@example.com' });
    const b = await post('/relations', { _csrf: csrf, name: 'Notaria Page SL', type: 'notary_office', email: 'NOTARIA.page@example.com',
        website: 'https://notaria.example', tags: 'from-b' });
    assert.equal(a.status, 303, show(a));
    assert.equal(b.status, 303, show(b));
    const aUrl = a.headers.location, bId = b.headers.location.split('/').pop();
    const page = await get(aUrl);
    assert.ok(page.text.includes(`name="source_id" value="${bId}"`), 'a merge button for the other relation');
    const m = await post(`${aUrl}/merge`, { _csrf: csrf, source_id: bId });
    assert.equal(m.status, 303, show(m));
    const after = await get(aUrl);
    assert.match(after.text, /from-b/);
    assert.match(after.text, /Merged relation/);
    assert.equal((await get(`/relations/${bId}`)).status, 404);
});

test('batch on the whole filter: every match, not only the ticked rows', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) {
        const r = await post('/leads', { _csrf: csrf, first_name: `All${i}`, last_name: 'Scope', tags: 'scopeall' });
        ids.push(r.headers.location.split('/').pop());
    }
    const body = new URLSearchParams([['_csrf', csrf], ['back', '/leads?tag=scopeall'], ['action', 'add_tag'],
        ['tag', 'allmatched'], ['scope', 'filter'], ['f_tag', 'scopeall'], ['id', ids[0]]]).toString();
    const r = await request('POST', '/leads/batch', { host: t.host, jar, body,
        headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(r.status, 303, show(r));
    const list = await get('/leads?tag=allmatched');
    for (let i = 0; i < 3; i++) {
        assert.match(list.text, new RegExp(`All${i}`));
    }
    const bad = new URLSearchParams([['_csrf', csrf], ['action', 'add_tag'], ['tag', 'x'], ['scope', 'filter'],
        ['f_status', 'nonsense']]).toString();
    const b = await request('POST', '/leads/batch', { host: t.host, jar, body: bad,
        headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(b.status, 422, 'an invalid filter changes nothing');
});

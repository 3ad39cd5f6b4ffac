// Activities and tasks of a deal, the deal page and the agent's dashboard.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { api, show } from '../../../tests/api/_http.mjs';
import { agency, dealBody } from './_deals.mjs';

let A;
before(async () => {
    A = await agency('acts');
});

const page = (role, p) => api('GET', p, { token: A.tokens[role] });
const tile = (html, id) => Number(new RegExp(`id="${id}">(\\d+)<`).exec(html)?.[1]);

test('a task and a note on a deal: listed, on the deal page, and counted on the agent\'s dashboard', async () => {
    const before = await page('agent', '/deals/dashboard');
    assert.equal(before.status, 200, show(before));
    const today0 = tile(before.text, 'tasks-today');
    const open0 = tile(before.text, 'open-deals');
    const d = (await A.as('agent')('POST', '/api/v1/deals', dealBody(A.t, { name: 'Task deal' }))).json.data;
    const due = `${new Date().toISOString().slice(0, 10)}T23:59:00Z`;   // later today (UTC)
    const task = await A.as('agent')('POST', `/api/v1/deals/${d.id}/activities`,
        { kind: 'task', subject: 'Call the notary <b>now</b>', due_at: due });
    assert.equal(task.status, 201, show(task));
    assert.equal(task.json.data.assigned_to, A.users.agent.id, 'a task goes to the deal\'s agent');
    const note = await A.as('agent')('POST', `/api/v1/deals/${d.id}/activities`, { kind: 'note', subject: 'Likes the sea view' });
    assert.equal(note.status, 201);
    const list = await A.as('viewer')('GET', `/api/v1/deals/${d.id}/activities`);
    assert.deepEqual(list.json.data.map((a) => a.kind).sort(), ['note', 'task']);

    const html = (await page('viewer', `/deals/${d.id}`)).text;
    assert.match(html, /Call the notary &lt;b&gt;now&lt;\/b&gt;/, 'escaped on the page');
    assert.match(html, /Likes the sea view/);
    assert.match(html, /data-stage="knowing_property"/, 'the timeline');

    const after = (await page('agent', '/deals/dashboard')).text;
    assert.equal(tile(after, 'tasks-today'), today0 + 1);
    assert.equal(tile(after, 'open-deals'), open0 + 1);
    assert.doesNotMatch(after, /Team funnel/, 'agents do not see the team funnel');
    assert.match((await page('manager', '/deals/dashboard')).text, /Team funnel/);
});

test('bad activities are refused by name; viewers and other agents cannot add them', async () => {
    const d = (await A.as('agent')('POST', '/api/v1/deals', dealBody(A.t))).json.data;
    const bad = await A.as('agent')('POST', `/api/v1/deals/${d.id}/activities`, { kind: 'party', subject: '', due_at: 'soon', x: 1 });
    assert.equal(bad.status, 422);
    for (const f of ['kind', 'subject', 'due_at', 'x']) {
        assert.ok(bad.json.error.fields[f], f);
    }
    assert.equal((await A.as('viewer')('POST', `/api/v1/deals/${d.id}/activities`, { kind: 'note', subject: 'x' })).status, 403);
    assert.equal((await A.as('agent2')('POST', `/api/v1/deals/${d.id}/activities`, { kind: 'note', subject: 'x' })).status, 403);
    assert.equal((await A.as('agent')('GET', '/api/v1/deals/999999999/activities')).status, 404);
});

test('the board, list and deal pages render for a viewer', async () => {
    const d = (await A.as('agent')('POST', '/api/v1/deals', dealBody(A.t, { name: 'Página <script>' }))).json.data;
    const board = await page('viewer', '/deals?pipeline=buyer');
    assert.equal(board.status, 200);
    assert.match(board.text, /Página &lt;script&gt;/);
    assert.match(board.text, new RegExp(`data-id="${d.id}"`));
    const list = await page('viewer', `/deals/list?q=${encodeURIComponent('Página')}`);
    assert.equal(list.status, 200);
    assert.match(list.text, new RegExp(`href="/deals/${d.id}"`));
    const bad = await page('viewer', '/deals/list?stage=nowhere');
    assert.equal(bad.status, 422);
    assert.equal((await page('viewer', '/deals/999999999')).status, 404);
});

test('the deal page\'s forms move the stage and add a note without JavaScript', async () => {
    const d = (await A.as('agent')('POST', '/api/v1/deals', dealBody(A.t))).json.data;
    const post = (p, form) => api('POST', p, { token: A.tokens.agent, form });
    const noReason = await post(`/deals/${d.id}/stage`, { stage: 'lost' });
    assert.equal(noReason.status, 422);
    assert.match(noReason.text, /lost_reason: required when moving to lost/);
    const lost = await post(`/deals/${d.id}/stage`, { stage: 'lost', lost_reason: 'Too far from the beach' });
    assert.equal(lost.status, 303, show(lost));
    assert.equal(lost.headers.location, `/deals/${d.id}`);
    const closed = await post(`/deals/${d.id}/stage`, { stage: 'offer' });
    assert.equal(closed.status, 422, 'a closed deal needs the reopen box');
    assert.equal((await post(`/deals/${d.id}/stage`, { stage: 'offer', reopen: '1' })).status, 303);
    assert.equal((await A.as('agent')('GET', `/api/v1/deals/${d.id}`)).json.data.stage, 'offer');
    assert.equal((await post(`/deals/${d.id}/activities`, { kind: 'note', subject: 'Form note' })).status, 303);
    assert.match((await page('agent', `/deals/${d.id}`)).text, /Form note/);
    assert.equal((await post(`/deals/${d.id}/activities`, { kind: 'note' })).status, 422);
});

test('the list page shows saved views as tabs and applies the chosen one', async () => {
    await A.as('agent')('POST', '/api/v1/deals', dealBody(A.t, { name: 'Tabbed one', tags: ['tabbed'] }));
    await A.as('agent')('POST', '/api/v1/deals', dealBody(A.t, { name: 'Untabbed one' }));
    const v = await A.as('agent')('POST', '/api/v1/views',
        { list: 'deals', name: 'Tabbed <deals>', filters: { tag: 'tabbed' }, shared: true });
    assert.equal(v.status, 201, show(v));
    const all = (await page('viewer', '/deals/list')).text;
    assert.match(all, new RegExp(`href="/deals/list\\?view=${v.json.data.id}">Tabbed &lt;deals&gt;</a>`));
    const chosen = (await page('viewer', `/deals/list?view=${v.json.data.id}`)).text;
    assert.match(chosen, new RegExp(`href="/deals/list\\?view=${v.json.data.id}" aria-current="page"`));
    assert.match(chosen, /Tabbed one/);
    assert.doesNotMatch(chosen, /Untabbed one/);
});

// Activities and the timeline, my tasks, converting a lead, merging
// duplicates and batch updates (ids or a filter, one transaction).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { show } from '../../../tests/api/_http.mjs';
import { ownTags, world } from './_contacts.mjs';

let w;
before(async () => {
    w = await world('act');
});

const iso = (ms) => new Date(Date.now() + ms).toISOString().replace(/\.\d+Z$/, 'Z');

test('activities of every kind land on the timeline with the field changes', async () => {
    const agent = w.as('agent');
    const lead = (await agent.post('/api/v1/leads', { first_name: 'Tim', last_name: 'Line', status: 'prospect' })).json.data;
    const call = await agent.post('/api/v1/activities', { entity: 'lead', entity_id: lead.id, kind: 'call',
        direction: 'out', subject: 'First call', body: 'Wants a villa', duration_min: 12 });
    assert.equal(call.status, 201, show(call));
    assert.equal(call.json.data.done, true, 'a logged call is done');
    for (const kind of ['note', 'email', 'whatsapp', 'sms', 'meeting']) {
        const r = await agent.post('/api/v1/activities', { entity: 'lead', entity_id: lead.id, kind, subject: kind });
        assert.equal(r.status, 201, `${kind}: ${show(r)}`);
    }
    await agent.patch(`/api/v1/leads/${lead.id}`, { status: 'qualified' });
    const tl = await agent.get(`/api/v1/leads/${lead.id}/timeline`);
    assert.equal(tl.status, 200, show(tl));
    assert.equal(tl.json.data[0].type, 'change', 'newest first');
    assert.deepEqual(tl.json.data[0].changes.status, ['prospect', 'qualified']);
    assert.equal(tl.json.data[0].user_name, w.users.agent.name);
    assert.ok(tl.json.data.some((e) => e.type === 'activity' && e.what === 'call' && e.subject === 'First call'));
    assert.ok(tl.json.data.some((e) => e.type === 'change' && e.what === 'create'));
    const list = await agent.get(`/api/v1/activities?entity=lead&entity_id=${lead.id}`);
    assert.equal(list.json.total, 6);

    const bad = await agent.post('/api/v1/activities', { entity: 'deal', entity_id: 0, kind: 'party', due_at: 'soon' });
    assert.equal(bad.status, 422);
    for (const k of ['entity', 'entity_id', 'kind', 'due_at']) {
        assert.ok(bad.json.error.fields[k], k);
    }
    const noDue = await agent.post('/api/v1/activities', { entity: 'lead', entity_id: lead.id, kind: 'task', subject: 'x' });
    assert.ok(noDue.json.error.fields.due_at, 'a task needs a due time');
    const theirs = (await w.as('agent2').post('/api/v1/leads', { last_name: 'Other' })).json.data;
    const hidden = await agent.post('/api/v1/activities', { entity: 'lead', entity_id: theirs.id, kind: 'note', subject: 'x' });
    assert.equal(hidden.status, 404, 'no activity on a record the agent cannot see');
    assert.equal((await w.as('viewer').post('/api/v1/activities', { entity: 'lead', entity_id: lead.id, kind: 'note', subject: 'x' })).status, 403);
});

test('my tasks: overdue, today and upcoming; done tasks leave the list', async () => {
    const agent = w.as('agent');
    const c = (await agent.post('/api/v1/contacts', { first_name: 'Task', last_name: 'Owner' })).json.data;
    const mk = async (subject, ms) => (await agent.post('/api/v1/activities',
        { entity: 'contact', entity_id: c.id, kind: 'task', subject, due_at: iso(ms), remind_at: iso(ms - 3600e3) })).json.data;
    const late = await mk('late', -2 * 86400e3);
    const later = await mk('later', 3 * 86400e3);
    const now = new Date();
    const endOfDay = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 23, 59, 0) - now.getTime();
    const today = endOfDay > 60e3 ? await mk('today', Math.min(endOfDay, 60e3)) : null;
    const mine = await agent.get('/api/v1/tasks/mine');
    assert.equal(mine.status, 200, show(mine));
    assert.deepEqual(mine.json.data.overdue.map((t) => t.subject), ['late']);
    assert.deepEqual(mine.json.data.upcoming.map((t) => t.subject), ['later']);
    if (today) {
        assert.deepEqual(mine.json.data.today.map((t) => t.subject), ['today']);
    }
    assert.equal(mine.json.data.overdue[0].record_name, 'Task Owner');
    const done = await agent.patch(`/api/v1/activities/${late.id}`, { done: true });
    assert.equal(done.json.data.done, true);
    assert.equal((await agent.get('/api/v1/tasks/mine')).json.data.overdue.length, 0);
    assert.equal((await w.as('agent2').get('/api/v1/tasks/mine')).json.data.upcoming.length, 0, 'only my own');
    assert.equal((await w.as('agent2').get(`/api/v1/activities/${later.id}`)).status, 404);
});

test('converting a lead keeps its id, activities, tags and custom values, and sets a role', async () => {
    const agent = w.as('agent');
    const lead = (await agent.post('/api/v1/leads', { first_name: 'Con', last_name: 'Vert', type: 'owner',
        tags: ['seller'], custom: { referral: 'Pep' } })).json.data;
    await agent.post('/api/v1/activities', { entity: 'lead', entity_id: lead.id, kind: 'call', subject: 'Valuation' });
    const r = await agent.post(`/api/v1/leads/${lead.id}/convert`, {});
    assert.equal(r.status, 200, show(r));
    const c = r.json.data;
    assert.equal(c.id, lead.id);
    assert.equal(c.kind, 'contact');
    assert.deepEqual(c.roles, ['seller'], 'an owner lead becomes a seller');
    assert.deepEqual(ownTags(c.tags), ['seller']);
    assert.equal(c.custom.referral, 'Pep');
    assert.ok(c.converted_at);
    assert.equal((await agent.get(`/api/v1/leads/${lead.id}`)).status, 404);
    const tl = (await agent.get(`/api/v1/contacts/${lead.id}/timeline`)).json.data;
    assert.ok(tl.some((e) => e.what === 'call' && e.subject === 'Valuation'), 'the activities stay');
    assert.ok(tl.some((e) => e.what === 'system' && /Converted/.test(e.subject)), 'the conversion is in the timeline');
    assert.ok(tl.some((e) => e.what === 'convert'));
    assert.equal((await agent.post(`/api/v1/leads/${lead.id}/convert`, {})).status, 404, 'once only');
    const other = (await agent.post('/api/v1/leads', { last_name: 'Role' })).json.data;
    const bad = await agent.post(`/api/v1/leads/${other.id}/convert`, { role: 'king' });
    assert.equal(bad.status, 422);
    assert.ok(bad.json.error.fields.role);
    const ok = await agent.post(`/api/v1/leads/${other.id}/convert`, { role: 'notary' });
    assert.deepEqual(ok.json.data.roles, ['notary']);
});

test('merge moves activities, tags and channels to the survivor and records it', async () => {
    const admin = w.as('admin');
    const a = (await admin.post('/api/v1/contacts', { first_name: 'Maria', last_name: 'Ruiz', email: 'maria@ruiz.example', tags: ['a'] })).json.data;
    const b = (await admin.post('/api/v1/leads', { first_name: 'María', last_name: 'Ruiz', email: 'maria.r@other.example',
        phone: '+34 600 123 456', company: 'Ruiz SL', tags: ['b'] })).json.data;
    await admin.post('/api/v1/activities', { entity: 'lead', entity_id: b.id, kind: 'note', subject: 'from b' });
    const m = await admin.post(`/api/v1/contacts/${a.id}/merge`, { source_id: b.id });
    assert.equal(m.status, 200, show(m));
    const s = m.json.data;
    assert.deepEqual(ownTags(s.tags), ['a', 'b']);
    assert.equal(s.email, 'maria@ruiz.example', 'the survivor keeps its own values');
    assert.equal(s.phone, '+34 600 123 456', 'and gets the ones it lacked');
    assert.equal(s.company, 'Ruiz SL');
    assert.ok(s.emails.some((e) => e.value === 'maria.r@other.example'), 'the other email stays reachable');
    assert.equal((await admin.get(`/api/v1/leads/${b.id}`)).status, 404);
    const tl = (await admin.get(`/api/v1/contacts/${a.id}/timeline`)).json.data;
    assert.ok(tl.some((e) => e.subject === 'from b'));
    assert.ok(tl.some((e) => e.what === 'merge'));
    assert.equal((await admin.post(`/api/v1/contacts/${a.id}/merge`, { source_id: a.id })).status, 422);
    assert.equal((await admin.post(`/api/v1/contacts/${a.id}/merge`, { source_id: b.id })).status, 422, 'a merged record is gone');
});

test('merging relations moves persons, addresses, activities and tags and records it', async () => {
    const admin = w.as('admin'), viewer = w.as('viewer');
    const p1 = (await admin.post('/api/v1/contacts', { first_name: 'Ana', last_name: 'Banca' })).json.data;
    const p2 = (await admin.post('/api/v1/contacts', { first_name: 'Bo', last_name: 'Banca' })).json.data;
    const a = (await admin.post('/api/v1/relations', { name: 'Banco Sur', type: 'bank', tags: ['x'],
        persons: [{ contact_id: p1.id, function: 'Director' }] })).json.data;
    const b = (await admin.post('/api/v1/relations', { name: 'Banco del Sur', type: 'bank', email: 'info@sur.example',
        website: 'https://sur.example', tags: ['y'], addresses: [{ label: 'office', city: 'Málaga' }],
        persons: [{ contact_id: p1.id, function: 'Other' }, { contact_id: p2.id, function: 'Legal' }] })).json.data;
    assert.ok(a?.id && b?.id);
    await admin.post('/api/v1/activities', { entity: 'relation', entity_id: b.id, kind: 'note', subject: 'from b' });
    assert.equal((await viewer.post(`/api/v1/relations/${a.id}/merge`, { source_id: b.id })).status, 403);
    const lead = (await admin.post('/api/v1/leads', { first_name: 'Not', last_name: 'Relation' })).json.data;
    const wrong = await admin.post(`/api/v1/relations/${a.id}/merge`, { source_id: lead.id });
    assert.equal(wrong.status, 422, 'a person is not merged into a relation');
    assert.ok(wrong.json.error.fields.source_id);
    const m = await admin.post(`/api/v1/relations/${a.id}/merge`, { source_id: b.id });
    assert.equal(m.status, 200, show(m));
    const s = m.json.data;
    assert.equal(s.name, 'Banco Sur', 'the survivor keeps its own values');
    assert.equal(s.email, 'info@sur.example', 'and gets the ones it lacked');
    assert.equal(s.website, 'https://sur.example');
    assert.deepEqual(s.tags, ['x', 'y']);
    assert.deepEqual(s.persons.map((p) => [p.contact_id, p.function]), [[p1.id, 'Director'], [p2.id, 'Legal']]);
    assert.equal(s.addresses[0].city, 'Málaga');
    assert.equal((await admin.get(`/api/v1/relations/${b.id}`)).status, 404);
    const tl = (await admin.get(`/api/v1/relations/${a.id}/timeline`)).json.data;
    assert.ok(tl.some((e) => e.subject === 'from b'), 'the activities moved');
    assert.ok(tl.some((e) => e.what === 'merge'), 'the merge is on the timeline');
    assert.equal((await admin.post(`/api/v1/relations/${a.id}/merge`, { source_id: b.id })).status, 422, 'a merged relation is gone');
});

test('batch: on ids or a filter, one transaction, with the count', async () => {
    const admin = w.as('admin');
    const ids = [];
    for (let i = 0; i < 4; i++) {
        ids.push((await admin.post('/api/v1/leads', { first_name: `B${i}`, last_name: 'Batch', source: i < 3 ? 'print' : 'radio_tv' })).json.data.id);
    }
    let r = await admin.post('/api/v1/leads/batch', { ids: ids.slice(0, 2), action: 'assign', agent_id: w.users.agent2.id });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.json.data.count, 2);
    assert.equal((await admin.get(`/api/v1/leads/${ids[0]}`)).json.data.agent_id, w.users.agent2.id);
    r = await admin.post('/api/v1/leads/batch', { filter: { source: 'print' }, action: 'add_tag', tag: 'flyer' });
    assert.equal(r.json.data.count, 3);
    assert.deepEqual((await admin.get('/api/v1/leads?tag=flyer&sort=id')).json.data.map((x) => x.id), ids.slice(0, 3));
    r = await admin.post('/api/v1/leads/batch', { filter: { tag: 'flyer' }, action: 'set_status', status: 'won' });
    assert.equal(r.json.data.count, 3);
    r = await admin.post('/api/v1/leads/batch', { ids, action: 'set_status', status: 'bogus' });
    assert.equal(r.status, 422, 'an invalid value rolls the whole batch back');
    assert.ok(r.json.error.fields.status);
    assert.equal((await admin.get(`/api/v1/leads/${ids[0]}`)).json.data.status, 'won');
    r = await admin.post('/api/v1/leads/batch', { filter: { source: 'nope' }, action: 'delete' });
    assert.equal(r.status, 422);
    assert.ok(r.json.error.fields['filter.source']);
    r = await w.as('agent').post('/api/v1/leads/batch', { ids, action: 'delete' });
    assert.equal(r.json.data.count, 0, 'an agent touches only what they see');
    r = await admin.post('/api/v1/leads/batch', { ids: [ids[3]], action: 'remove_tag', tag: 'flyer' });
    assert.equal(r.json.data.count, 1);
    r = await admin.post('/api/v1/leads/batch', { filter: { tag: 'flyer' }, action: 'delete' });
    assert.equal(r.json.data.count, 3);
    assert.equal((await admin.get('/api/v1/leads?tag=flyer')).json.total, 0);
    assert.equal((await w.as('viewer').post('/api/v1/leads/batch', { ids, action: 'delete' })).status, 403);
});

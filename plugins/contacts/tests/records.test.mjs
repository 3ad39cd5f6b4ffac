// Leads, contacts and relations: create, read, update, soft delete, the
// validation errors that name the field, role rules, tenancy and the audit.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { show } from '../../../tests/api/_http.mjs';
import { ownTags, world } from './_contacts.mjs';

let w, other;
before(async () => {
    w = await world('rec');
    other = await world('rec2');
});

test('a lead with every kind of field is created, shown and audited', async () => {
    const admin = w.as('admin');
    const r = await admin.post('/api/v1/leads', {
        first_name: 'Marta', last_name: 'Gómez', email: ' Marta@Example.COM ', phone: '+34 966 12 34 56',
        type: 'buyer', status: 'qualified', source: 'portal', source_portal: 'idealista', stage: 'hot',
        urgency: 'high', timeframe: '3 months', move_in_date: '2027-03-01', language: 'es',
        nationality: 'es', birthday: '1980-02-29', tags: ['vip', 'sea view'],
        preferences: { property_types: ['villa'], towns: ['Jávea'], transaction: 'sale',
            budget_min: 30000000, budget_max: 50000000, area_min: 100, area_max: 300, bedrooms_min: 3 },
        communication: { email: true, phone: false }, custom: { pets: 'two dogs' },
        emails: [{ label: 'work', value: 'marta@work.example' }],
        phones: [{ label: 'mobile', value: '600 11 22 33' }],
        addresses: [{ label: 'home', street: 'Calle Mayor 1', city: 'Jávea', country: 'es', latitude: 38.79, longitude: 0.17 }],
        consents: { newsletter: { granted: true, source: 'website form' } },
    });
    assert.equal(r.status, 201, show(r));
    const d = r.json.data;
    assert.equal(d.kind, 'lead');
    assert.equal(d.email, 'Marta@Example.COM');
    assert.equal(d.nationality, 'ES');
    assert.deepEqual(ownTags(d.tags), ['sea view', 'vip']);
    assert.equal(d.preferences.budget_max, 50000000);
    assert.deepEqual(d.preferences.towns, ['Jávea']);
    assert.equal(d.agent_id, w.users.admin.id, 'the creator is the agent by default');
    assert.equal(d.emails[0].value, 'marta@work.example');
    assert.equal(d.addresses[0].country, 'ES');
    assert.equal(d.consents.newsletter.granted, true);
    assert.equal(d.consents.newsletter.source, 'website form');
    const got = await admin.get(`/api/v1/leads/${d.id}`);
    assert.equal(got.status, 200);
    assert.equal(got.json.data.custom.pets, 'two dogs');
    assert.equal((await admin.get(`/api/v1/contacts/${d.id}`)).status, 404, 'a lead is not a contact');

    const p = await admin.patch(`/api/v1/leads/${d.id}`, { status: 'negotiating', tags: ['vip'] });
    assert.equal(p.status, 200, show(p));
    assert.equal(p.json.data.status, 'negotiating');
    assert.deepEqual(ownTags(p.json.data.tags), ['vip']);
    const tl = await admin.get(`/api/v1/leads/${d.id}/timeline`);
    assert.equal(tl.status, 200, show(tl));
    const change = tl.json.data.find((e) => e.type === 'change' && e.changes?.status);
    assert.deepEqual(change.changes.status, ['qualified', 'negotiating']);
    assert.deepEqual(change.changes.tags.map(ownTags), [['sea view', 'vip'], ['vip']]);
});

test('validation errors name each bad field, and nothing is stored', async () => {
    const admin = w.as('admin');
    const r = await admin.post('/api/v1/leads', {
        first_name: 'X', email: 'not-an-email', phone: '12', type: 'renter', birthday: '2026-02-30',
        preferences: { budget_min: 500, budget_max: 100, colour: 'red' }, tags: ['a,b'],
        website: 'javascript:alert(1)', agent_id: 999999, tenant_id: 5, wat: 1,
    });
    assert.equal(r.status, 422, show(r));
    const f = r.json.error.fields;
    for (const k of ['email', 'phone', 'type', 'birthday', 'preferences.budget_max', 'preferences.colour',
        'tags', 'website', 'agent_id', 'tenant_id', 'wat']) {
        assert.ok(f[k], `${k} is named: ${JSON.stringify(f)}`);
    }
    const none = await admin.post('/api/v1/leads', { email: 'a@b.example' });
    assert.equal(none.status, 422);
    assert.ok(none.json.error.fields.last_name, 'a name is required');
    const rel = await admin.post('/api/v1/relations', { type: 'bank' });
    assert.equal(rel.status, 422);
    assert.ok(rel.json.error.fields.name);
});

test('relations keep their persons, social links and type', async () => {
    const admin = w.as('admin');
    const c = await admin.post('/api/v1/contacts', { first_name: 'Luis', last_name: 'Pérez', roles: ['lawyer'] });
    assert.equal(c.status, 201, show(c));
    assert.deepEqual(c.json.data.roles, ['lawyer']);
    const r = await admin.post('/api/v1/relations', {
        name: 'Banco Costa', type: 'bank', website: 'https://banco.example', social: { linkedin: 'https://linkedin.example/bc' },
        credit_terms: '30 days', commission_agreement: '3%', persons: [{ contact_id: c.json.data.id, function: 'Legal' }],
    });
    assert.equal(r.status, 201, show(r));
    assert.equal(r.json.data.type, 'bank');
    assert.equal(r.json.data.persons[0].function, 'Legal');
    assert.equal(r.json.data.social.linkedin, 'https://linkedin.example/bc');
    const bad = await admin.post('/api/v1/relations', { name: 'X', type: 'bakery' });
    assert.equal(bad.status, 422);
    assert.ok(bad.json.error.fields.type);
});

test('agents see their own and unassigned records; viewers only read', async () => {
    const agent = w.as('agent'), agent2 = w.as('agent2'), viewer = w.as('viewer');
    const mine = await agent.post('/api/v1/leads', { first_name: 'Own', last_name: 'Lead' });
    assert.equal(mine.status, 201, show(mine));
    const unassigned = await agent2.post('/api/v1/leads', { first_name: 'Free', last_name: 'Lead', agent_id: null });
    assert.equal(unassigned.status, 201, show(unassigned));
    assert.equal(unassigned.json.data.agent_id, null);
    const theirs = await agent2.post('/api/v1/leads', { first_name: 'Their', last_name: 'Lead' });
    assert.equal((await agent.get(`/api/v1/leads/${mine.json.data.id}`)).status, 200);
    assert.equal((await agent.get(`/api/v1/leads/${unassigned.json.data.id}`)).status, 200);
    assert.equal((await agent.get(`/api/v1/leads/${theirs.json.data.id}`)).status, 404);
    assert.equal((await agent.patch(`/api/v1/leads/${theirs.json.data.id}`, { stage: 'cold' })).status, 404);
    assert.equal((await agent.del(`/api/v1/leads/${theirs.json.data.id}`)).status, 404);
    assert.equal((await w.as('manager').get(`/api/v1/leads/${theirs.json.data.id}`)).status, 200);
    assert.equal((await viewer.get(`/api/v1/leads/${theirs.json.data.id}`)).status, 200);
    assert.equal((await viewer.post('/api/v1/leads', { first_name: 'No' })).status, 403);
    assert.equal((await viewer.patch(`/api/v1/leads/${mine.json.data.id}`, { stage: 'cold' })).status, 403);

    const s = await w.as('admin').put('/api/v1/settings/contacts', { agents_see_all: true });
    assert.equal(s.status, 200, show(s));
    assert.equal((await agent.get(`/api/v1/leads/${theirs.json.data.id}`)).status, 200, 'the tenant lets agents see all');
    await w.as('admin').put('/api/v1/settings/contacts', { agents_see_all: false });
    assert.equal((await agent.put('/api/v1/settings/contacts', { agents_see_all: true })).status, 403);
});

test('another tenant\'s record answers 404', async () => {
    const r = await w.as('admin').post('/api/v1/contacts', { first_name: 'Only', last_name: 'Mine' });
    const id = r.json.data.id;
    const o = other.as('admin');
    assert.equal((await o.get(`/api/v1/contacts/${id}`)).status, 404);
    assert.equal((await o.patch(`/api/v1/contacts/${id}`, { first_name: 'Stolen' })).status, 404);
    assert.equal((await o.del(`/api/v1/contacts/${id}`)).status, 404);
    assert.equal((await w.as('admin').get(`/api/v1/contacts/${id}`)).json.data.first_name, 'Only');
});

test('soft delete hides the record; a duplicate email is warned about with a link', async () => {
    const admin = w.as('admin');
    const a = await admin.post('/api/v1/leads', { first_name: 'Dup', last_name: 'One', email: 'dup@example.com' });
    const b = await admin.post('/api/v1/leads', { first_name: 'Dup', last_name: 'Two', email: 'DUP@example.com ' });
    assert.equal(b.status, 201);
    assert.equal(b.json.duplicates.length, 1);
    assert.equal(b.json.duplicates[0].id, a.json.data.id);
    assert.equal(b.json.duplicates[0].match, 'email');
    assert.equal(b.json.duplicates[0].url, `/api/v1/leads/${a.json.data.id}`);
    const byPhone = await admin.post('/api/v1/contacts', { last_name: 'Three', phone: '0034 600 000 111' });
    const c = await admin.post('/api/v1/leads', { last_name: 'Four', phone: '+34600000111' });
    assert.equal(c.json.duplicates[0]?.id, byPhone.json.data.id);
    assert.equal((await admin.del(`/api/v1/leads/${a.json.data.id}`)).status, 204);
    assert.equal((await admin.get(`/api/v1/leads/${a.json.data.id}`)).status, 404);
    const again = await admin.patch(`/api/v1/leads/${b.json.data.id}`, { stage: 'cold' });
    assert.equal(again.json.duplicates.length, 0, 'a deleted record is no duplicate');
});

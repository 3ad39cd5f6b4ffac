// The deals API against the running stack: records, stage rules, links,
// reference numbers, tenancy and roles.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { show } from '../../../tests/api/_http.mjs';
import { agency, db, dealBody, person } from './_deals.mjs';

let A, B;

before(async () => {
    A = await agency('deals-a');
    B = await agency('deals-b');
});

describe('records', () => {
    test('create answers the deal with its ref, first stage, default probability and main contact', async () => {
        const main = person(A.t, { first: 'Marta' });
        const co = person(A.t, { first: 'Joan' });
        const r = await A.as('agent')('POST', '/api/v1/deals', {
            name: 'Finca in Xàbia', type: 'buy', value: 32000000, currency: 'EUR', commission_percent: 3,
            expected_close_date: '2027-02-28', tags: ['vip', 'cash'],
            contacts: [{ id: main, kind: 'main' }, { id: co, kind: 'co' }],
        });
        assert.equal(r.status, 201, show(r));
        const d = r.json.data;
        assert.match(d.ref, /^D-\d{5}$/);
        assert.equal(d.pipeline, 'buyer');
        assert.equal(d.stage, 'knowing_property');
        assert.equal(d.stage_label, 'Knowing Property');
        assert.equal(d.probability, 10);
        assert.equal(d.agent_id, A.users.agent.id, 'an agent creating a deal is its agent');
        assert.equal(d.commission_percent, 3);
        assert.equal(d.expected_close_date, '2027-02-28');
        assert.deepEqual(d.tags, ['cash', 'vip']);
        assert.deepEqual(d.contacts.map((c) => [c.id, c.kind]), [[main, 'main'], [co, 'co']]);
        assert.equal(d.contacts[0].name, 'Marta García');
        assert.equal(d.closed, false);
        const h = await A.as('viewer')('GET', `/api/v1/deals/${d.id}/history`);
        assert.equal(h.status, 200);
        assert.deepEqual(h.json.data.map((e) => [e.from, e.to]), [[null, 'knowing_property']]);
    });

    test('sell deals use the owner pipeline, and names are 1 to 100 characters', async () => {
        const r = await A.as('agent')('POST', '/api/v1/deals', dealBody(A.t, { type: 'sell' }));
        assert.equal(r.status, 201, show(r));
        assert.equal(r.json.data.pipeline, 'owner');
        assert.equal(r.json.data.stage, 'mandate');
        const long = await A.as('agent')('POST', '/api/v1/deals', dealBody(A.t, { name: 'é'.repeat(101) }));
        assert.equal(long.status, 422);
        assert.ok(long.json.error.fields.name);
        const ok = await A.as('agent')('POST', '/api/v1/deals', dealBody(A.t, { name: 'é'.repeat(100) }));
        assert.equal(ok.status, 201, 'a hundred two-byte characters are a hundred characters');
    });

    test('reference numbers follow the tenant prefix, padding and suffix', async () => {
        const s = await A.as('admin')('PATCH', '/api/v1/deals/settings',
            { ref_prefix: 'OP-', ref_padding: 3, ref_suffix: '/27', next_number: 500 });
        assert.equal(s.status, 200, show(s));
        assert.equal(s.json.data.example, 'OP-500/27');
        const r = await A.as('agent')('POST', '/api/v1/deals', dealBody(A.t));
        assert.equal(r.json.data.ref, 'OP-500/27');
        const r2 = await A.as('agent')('POST', '/api/v1/deals', dealBody(A.t));
        assert.equal(r2.json.data.ref, 'OP-501/27');
        const back = await A.as('admin')('PATCH', '/api/v1/deals/settings', { next_number: 3 });
        assert.equal(back.status, 422, 'numbers never go back');
        assert.ok(back.json.error.fields.next_number);
        const agent = await A.as('manager')('PATCH', '/api/v1/deals/settings', { ref_padding: 2 });
        assert.equal(agent.status, 403, 'settings are for admins');
    });

    test('unknown and mass-assigned fields are refused by name', async () => {
        const r = await A.as('agent')('POST', '/api/v1/deals', dealBody(A.t, { tenant_id: 2, ref: 'X' }));
        assert.equal(r.status, 422);
        assert.ok(r.json.error.fields.tenant_id);
        assert.ok(r.json.error.fields.ref);
    });
});

describe('stage rules', () => {
    let id;
    before(async () => {
        id = (await A.as('agent')('POST', '/api/v1/deals', dealBody(A.t))).json.data.id;
    });

    test('PATCH stage moves the deal, sets the stage probability and records the move', async () => {
        const r = await A.as('agent')('PATCH', `/api/v1/deals/${id}`, { stage: 'offer' });
        assert.equal(r.status, 200, show(r));
        assert.equal(r.json.data.stage, 'offer');
        assert.equal(r.json.data.probability, 50);
        const o = await A.as('agent')('PATCH', `/api/v1/deals/${id}`, { probability: 65 });
        assert.equal(o.json.data.probability, 65, 'the default is overridable');
        const h = await A.as('agent')('GET', `/api/v1/deals/${id}/history`);
        const last = h.json.data.at(-1);
        assert.deepEqual([last.from, last.to, last.user_id], ['knowing_property', 'offer', A.users.agent.id]);
        assert.match(last.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        const audit = db(`SELECT changes FROM audit_log WHERE tenant_id = ${A.t.id} AND entity = 'deal'
            AND entity_id = ${id} AND action = 'update' ORDER BY id LIMIT 1`);
        assert.deepEqual(JSON.parse(audit[0][0]).stage, ['knowing_property', 'offer']);
    });

    test('a stage of the other pipeline is refused, naming the field and the allowed stages', async () => {
        const r = await A.as('agent')('PATCH', `/api/v1/deals/${id}`, { stage: 'mandate' });
        assert.equal(r.status, 422);
        assert.match(r.json.error.fields.stage, /buyer pipeline.*knowing_property.*signing_deed/);
    });

    test('Lost needs a reason; Lost closes the deal; leaving it needs reopen', async () => {
        const no = await A.as('agent')('PATCH', `/api/v1/deals/${id}`, { stage: 'lost' });
        assert.equal(no.status, 422);
        assert.ok(no.json.error.fields.lost_reason);
        assert.equal((await A.as('agent')('GET', `/api/v1/deals/${id}`)).json.data.stage, 'offer', 'unchanged');
        const lost = await A.as('agent')('PATCH', `/api/v1/deals/${id}`, { stage: 'lost', lost_reason: 'Bought elsewhere' });
        assert.equal(lost.status, 200, show(lost));
        assert.equal(lost.json.data.closed, true);
        assert.equal(lost.json.data.lost_reason, 'Bought elsewhere');
        assert.equal(lost.json.data.probability, 0);
        const out = await A.as('agent')('PATCH', `/api/v1/deals/${id}`, { stage: 'offer' });
        assert.equal(out.status, 422);
        assert.match(out.json.error.fields.stage, /closed.*reopen/);
        const re = await A.as('agent')('PATCH', `/api/v1/deals/${id}`, { stage: 'offer', reopen: true });
        assert.equal(re.status, 200, show(re));
        assert.equal(re.json.data.closed, false);
        assert.equal(re.json.data.lost_reason, null);
    });

    test('Won closes the deal', async () => {
        const r = await A.as('agent')('PATCH', `/api/v1/deals/${id}`, { stage: 'won' });
        assert.equal(r.json.data.closed, true);
        assert.match(r.json.data.closed_at, /Z$/);
        const h = await A.as('agent')('GET', `/api/v1/deals/${id}/history`);
        assert.deepEqual(h.json.data.map((e) => e.to),
            ['knowing_property', 'offer', 'lost', 'offer', 'won']);
    });

    test('a type may change within its pipeline only', async () => {
        const d = (await A.as('agent')('POST', '/api/v1/deals', dealBody(A.t))).json.data;
        const rent = await A.as('agent')('PATCH', `/api/v1/deals/${d.id}`, { type: 'rent' });
        assert.equal(rent.status, 200);
        const sell = await A.as('agent')('PATCH', `/api/v1/deals/${d.id}`, { type: 'sell' });
        assert.equal(sell.status, 422);
        assert.ok(sell.json.error.fields.type);
    });
});

describe('contacts of a deal', () => {
    test('a lead cannot be linked: 422 with a hint to convert it first', async () => {
        const lead = person(A.t, { kind: 'lead', first: 'Lea' });
        const r = await A.as('agent')('POST', '/api/v1/deals',
            { name: 'Lead deal', type: 'buy', contacts: [{ id: lead, kind: 'main' }] });
        assert.equal(r.status, 422);
        assert.match(r.json.error.fields['contacts[0].id'], /lead.*convert/);
    });

    test('exactly one main contact', async () => {
        const a = person(A.t), b = person(A.t);
        const two = await A.as('agent')('POST', '/api/v1/deals',
            { name: 'Two mains', type: 'buy', contacts: [{ id: a, kind: 'main' }, { id: b, kind: 'main' }] });
        assert.equal(two.status, 422);
        assert.match(two.json.error.fields['contacts[1].kind'], /exactly one main/);
        const none = await A.as('agent')('POST', '/api/v1/deals',
            { name: 'No main', type: 'buy', contacts: [{ id: a, kind: 'co' }] });
        assert.equal(none.status, 422);
        assert.ok(none.json.error.fields.contacts);
        const missing = await A.as('agent')('POST', '/api/v1/deals', { name: 'Nobody', type: 'buy' });
        assert.equal(missing.status, 422);
        assert.ok(missing.json.error.fields.contacts);
        const d = (await A.as('agent')('POST', '/api/v1/deals', dealBody(A.t))).json.data;
        const swap = await A.as('agent')('PATCH', `/api/v1/deals/${d.id}`,
            { contacts: [{ id: a, kind: 'main' }, { id: d.contacts[0].id, kind: 'co' }] });
        assert.equal(swap.status, 200, show(swap));
        assert.deepEqual(swap.json.data.contacts.map((c) => c.kind), ['main', 'co']);
        assert.equal(swap.json.data.contacts[0].id, a);
        assert.equal(Number(db(`SELECT COUNT(*) FROM deal_contacts WHERE tenant_id = ${A.t.id}
            AND deal_id = ${d.id} AND kind = 'main'`)[0][0]), 1);
    });

    test("another tenant's contact is no such contact", async () => {
        const theirs = person(B.t);
        const r = await A.as('agent')('POST', '/api/v1/deals',
            { name: 'Stolen', type: 'buy', contacts: [{ id: theirs, kind: 'main' }] });
        assert.equal(r.status, 422);
        assert.equal(r.json.error.fields['contacts[0].id'], 'no such contact');
    });

    test('a buy deal takes its main contact\'s search preferences', async () => {
        const c = person(A.t, { prefs: { transaction: 'sale', budget_min: 20000000, budget_max: 40000000,
            bedrooms_min: 3, json: { towns: ['Jávea', 'Dénia'], property_types: ['villa'] } } });
        const r = await A.as('agent')('POST', '/api/v1/deals',
            { name: 'Prefs', type: 'buy', contacts: [{ id: c, kind: 'main' }] });
        assert.equal(r.status, 201, show(r));
        const p = r.json.data.preferences;
        assert.equal(p.transaction, 'sale');
        assert.equal(p.budget_max, 40000000);
        assert.equal(p.bedrooms_min, 3);
        assert.deepEqual(p.towns, ['Jávea', 'Dénia']);
        assert.deepEqual(p.property_types, ['villa']);
        const bad = await A.as('agent')('PATCH', `/api/v1/deals/${r.json.data.id}`,
            { preferences: { budget_min: 5, budget_max: 1, colour: 'red' } });
        assert.equal(bad.status, 422);
        assert.ok(bad.json.error.fields['preferences.budget_max']);
        assert.ok(bad.json.error.fields['preferences.colour']);
    });
});

describe('tenancy and roles', () => {
    let id;
    before(async () => {
        id = (await A.as('agent')('POST', '/api/v1/deals', dealBody(A.t))).json.data.id;
    });

    test("another tenant's deal answers 404 everywhere", async () => {
        for (const [m, p, body] of [['GET', `/api/v1/deals/${id}`], ['PATCH', `/api/v1/deals/${id}`, { stage: 'offer' }],
            ['DELETE', `/api/v1/deals/${id}`], ['GET', `/api/v1/deals/${id}/history`]]) {
            const r = await B.as('admin')(m, p, body);
            assert.equal(r.status, 404, `${m} ${p}: ${show(r)}`);
        }
        const batch = await B.as('admin')('POST', '/api/v1/deals/batch', { ids: [id], stage: 'offer' });
        assert.equal(batch.status, 422);
        assert.equal(batch.json.error.fields['ids[0]'], 'no such deal');
        const list = await B.as('admin')('GET', '/api/v1/deals?limit=500');
        assert.ok(!list.json.data.some((d) => d.id === id));
        assert.equal((await A.as('agent')('GET', `/api/v1/deals/${id}`)).json.data.stage, 'knowing_property');
    });

    test('viewers read only; agents change their own deals; managers assign and delete', async () => {
        assert.equal((await A.as('viewer')('GET', `/api/v1/deals/${id}`)).status, 200);
        assert.equal((await A.as('viewer')('POST', '/api/v1/deals', dealBody(A.t))).status, 403);
        assert.equal((await A.as('viewer')('PATCH', `/api/v1/deals/${id}`, { stage: 'offer' })).status, 403);
        const other = await A.as('agent2')('PATCH', `/api/v1/deals/${id}`, { stage: 'offer' });
        assert.equal(other.status, 403, 'another agent\'s deal');
        const assign = await A.as('agent')('PATCH', `/api/v1/deals/${id}`, { agent_id: A.users.agent2.id });
        assert.equal(assign.status, 403, 'agents do not assign deals to others');
        const m = await A.as('manager')('PATCH', `/api/v1/deals/${id}`, { agent_id: A.users.agent2.id });
        assert.equal(m.status, 200, show(m));
        assert.equal((await A.as('agent2')('PATCH', `/api/v1/deals/${id}`, { stage: 'first_visit' })).status, 200);
        const foreign = await A.as('manager')('PATCH', `/api/v1/deals/${id}`, { agent_id: B.users.agent.id });
        assert.equal(foreign.status, 422, 'a user of another tenant is no such user');
        assert.equal((await A.as('agent2')('DELETE', `/api/v1/deals/${id}`)).status, 403);
        assert.equal((await A.as('manager')('DELETE', `/api/v1/deals/${id}`)).status, 204);
        assert.equal((await A.as('manager')('GET', `/api/v1/deals/${id}`)).status, 404, 'soft deleted');
        assert.equal(db(`SELECT deleted_at IS NOT NULL FROM deals WHERE tenant_id = ${A.t.id} AND id = ${id}`)[0][0], '1');
    });
});

// Deals with the contacts plugin's API (leads, conversion, saved views) and
// properties (rows as the properties plugin stores them): linking, the
// primary property, and matching properties for a buy deal.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { show } from '../../../tests/api/_http.mjs';
import { sqlQuote } from '../../../tests/api/_stack.mjs';
import { agency, db, dealBody } from './_deals.mjs';

let A, B;

function property(t, p) {
    const o = { type: 'villa', transaction: 'sale', status: 'active', town: 'Jávea', beds: 4, baths: 2,
        built_area: 200, price: 35000000, ...p };
    const ref = `P-${Math.random().toString(36).slice(2, 10)}`;
    const id = Number(db(`INSERT INTO properties (tenant_id, ref, type, transaction, status, town, beds, baths,
        built_area, price) VALUES (${t.id}, '${ref}', ${sqlQuote(o.type)}, ${sqlQuote(o.transaction)},
        ${sqlQuote(o.status)}, ${sqlQuote(o.town)}, ${o.beds}, ${o.baths}, ${o.built_area}, ${o.price});
        SELECT LAST_INSERT_ID();`)[0][0]);
    for (const tag of o.tags ?? []) {
        db(`INSERT INTO tags (tenant_id, entity, entity_id, tag) VALUES (${t.id}, 'property', ${id}, ${sqlQuote(tag)})`);
    }
    return id;
}

before(async () => {
    A = await agency('links-a');
    B = await agency('links-b');
});

describe('leads and contacts through the contacts API', () => {
    test('a lead is refused until converted; the deal then takes its search preferences', async () => {
        const lead = await A.as('agent')('POST', '/api/v1/leads', {
            first_name: 'Lucía', last_name: 'Ferrer', type: 'buyer', source: 'website',
            preferences: { transaction: 'sale', towns: ['Jávea'], property_types: ['villa'],
                budget_min: 30000000, budget_max: 40000000, bedrooms_min: 3 },
        });
        assert.equal(lead.status, 201, show(lead));
        const id = lead.json.data.id;
        const body = { name: 'Lucía buys', type: 'buy', contacts: [{ id, kind: 'main' }] };
        const refused = await A.as('agent')('POST', '/api/v1/deals', body);
        assert.equal(refused.status, 422);
        assert.match(refused.json.error.fields['contacts[0].id'], /lead: convert it to a contact first/);
        const conv = await A.as('agent')('POST', `/api/v1/leads/${id}/convert`, {});
        assert.ok([200, 201].includes(conv.status), show(conv));
        const deal = await A.as('agent')('POST', '/api/v1/deals', body);
        assert.equal(deal.status, 201, show(deal));
        const p = deal.json.data.preferences;
        assert.equal(p.transaction, 'sale');
        assert.deepEqual(p.towns, ['Jávea']);
        assert.deepEqual(p.property_types, ['villa']);
        assert.equal(p.budget_min, 30000000);
        assert.equal(p.bedrooms_min, 3);
        const mine = await A.as('agent')('GET', `/api/v1/deals?contact=${id}`);
        assert.deepEqual(mine.json.data.map((d) => d.id), [deal.json.data.id]);
    });

    test('a saved view made with /api/v1/views filters the deals list', async () => {
        await A.as('agent')('POST', '/api/v1/deals', dealBody(A.t, { value: 111, tags: ['view-me'] }));
        await A.as('agent')('POST', '/api/v1/deals', dealBody(A.t, { value: 222 }));
        const v = await A.as('agent')('POST', '/api/v1/views',
            { list: 'deals', name: 'Tagged', filters: { tag: 'view-me' }, shared: false });
        assert.equal(v.status, 201, show(v));
        const r = await A.as('agent')('GET', `/api/v1/deals?view=${v.json.data.id}`);
        assert.equal(r.status, 200, show(r));
        assert.deepEqual(r.json.data.map((d) => d.value), [111]);
    });

    test('POST /api/v1/views checks a deals view\'s filters and sort before saving it', async () => {
        const post = (body) => A.as('agent')('POST', '/api/v1/views', body);
        const count = () => db(`SELECT COUNT(*) FROM saved_views WHERE tenant_id = ${A.t.id}`)[0][0];
        const before = count();
        const bad = await post({ list: 'deals', name: 'Bad', sort: 'colour',
            filters: { pipeline: 'sideways', stage: ['offer', 'nope'], value_min: 'lots', close_to: '2026-13-01', colour: 'red' } });
        assert.equal(bad.status, 422, show(bad));
        const f = bad.json.error.fields;
        assert.equal(f['filters.pipeline'], 'buyer or owner');
        assert.equal(f['filters.stage'], 'stage codes separated by commas');
        assert.equal(f['filters.value_min'], 'a whole number');
        assert.equal(f['filters.close_to'], 'a date as YYYY-MM-DD');
        assert.equal(f['filters.colour'], 'unknown filter');
        assert.match(f.sort, /^one of -id, id, value/);
        assert.equal(count(), before, 'nothing saved');
        const good = await post({ list: 'deals', name: 'Big offers', sort: '-value',
            filters: { pipeline: 'buyer', stage: ['offer', 'knowing_property'], value_min: 200, agent: 'me', status: 'open' } });
        assert.equal(good.status, 201, show(good));
        const r = await A.as('agent')('GET', `/api/v1/deals?view=${good.json.data.id}`);
        assert.equal(r.status, 200, show(r));
        const patched = await A.as('agent')('PATCH', `/api/v1/views/${good.json.data.id}`, { filters: { status: 'maybe' } });
        assert.equal(patched.status, 422, show(patched));
        assert.equal(patched.json.error.fields['filters.status'], 'open, closed or all');
    });
});

describe('properties of a deal', () => {
    test('several properties, one primary; the first is primary when none is marked', async () => {
        const p1 = property(A.t), p2 = property(A.t);
        const r = await A.as('agent')('POST', '/api/v1/deals',
            dealBody(A.t, { properties: [{ id: p1 }, { id: p2 }] }));
        assert.equal(r.status, 201, show(r));
        assert.deepEqual(r.json.data.properties.map((p) => [p.id, p.primary]), [[p1, true], [p2, false]]);
        assert.equal(r.json.data.properties[0].town, 'Jávea');
        const swap = await A.as('agent')('PATCH', `/api/v1/deals/${r.json.data.id}`,
            { properties: [{ id: p1 }, { id: p2, primary: true }] });
        assert.deepEqual(swap.json.data.properties.map((p) => [p.id, p.primary]), [[p2, true], [p1, false]]);
        const two = await A.as('agent')('PATCH', `/api/v1/deals/${r.json.data.id}`,
            { properties: [{ id: p1, primary: true }, { id: p2, primary: true }] });
        assert.equal(two.status, 422);
        assert.match(two.json.error.fields['properties[1].primary'], /one primary/);
        const byProp = await A.as('viewer')('GET', `/api/v1/deals?property=${p2}`);
        assert.deepEqual(byProp.json.data.map((d) => d.id), [r.json.data.id]);
    });

    test("another tenant's property is refused, naming the field", async () => {
        const theirs = property(B.t);
        const r = await A.as('agent')('POST', '/api/v1/deals', dealBody(A.t, { properties: [{ id: theirs }] }));
        assert.equal(r.status, 422);
        assert.equal(r.json.error.fields['properties[0].id'], 'no such property');
    });

    test('matching: price and area with 10% tolerance, beds, type, town or area, sale, tags; exact first', async () => {
        const T = A.t;
        db(`INSERT IGNORE INTO property_area_towns (tenant_id, area, town) VALUES (${T.id}, 'Marina Alta', 'Moraira')`);
        const exact = property(T, { tags: ['pool'] });
        const inArea = property(T, { town: 'Moraira', price: 36000000, tags: ['pool'] });
        const tolerated = property(T, { price: 43000000, tags: ['pool'] });
        property(T, { price: 45000000, tags: ['pool'] });                 // above budget + 10%
        property(T, { type: 'apartment', tags: ['pool'] });               // type
        property(T, { town: 'Dénia', tags: ['pool'] });                   // town
        property(T, { tags: [] });                                        // required tag
        property(T, { beds: 2, tags: ['pool'] });                         // bedrooms
        property(T, { status: 'sold', tags: ['pool'] });                  // not available
        property(T, { transaction: 'long_term_rent', tags: ['pool'] });   // rent
        const deal = await A.as('agent')('POST', '/api/v1/deals', dealBody(T, {
            preferences: { transaction: 'sale', budget_min: 30000000, budget_max: 40000000, area_min: 150,
                bedrooms_min: 3, property_types: ['villa'], towns: ['Jávea', 'Marina Alta'], required_tags: ['pool'] },
        }));
        assert.equal(deal.status, 201, show(deal));
        const m = await A.as('viewer')('GET', `/api/v1/deals/${deal.json.data.id}/matches`);
        assert.equal(m.status, 200, show(m));
        assert.deepEqual(m.json.data.map((p) => [p.id, p.exact]), [[exact, true], [inArea, true], [tolerated, false]]);
        const owner = await A.as('agent')('POST', '/api/v1/deals', dealBody(T, { type: 'sell' }));
        assert.equal((await A.as('viewer')('GET', `/api/v1/deals/${owner.json.data.id}/matches`)).status, 409);
        assert.equal((await B.as('admin')('GET', `/api/v1/deals/${deal.json.data.id}/matches`)).status, 404);
    });
});

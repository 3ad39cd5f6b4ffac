// A deal made from a converted lead (POST /api/v1/deals with from_lead): the
// lead is the main contact, its transaction picks buy or rent, its search
// preferences (areas too) are the deal's, and its matches follow them.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { api, show } from '../../../tests/api/_http.mjs';
import { sqlQuote } from '../../../tests/api/_stack.mjs';
import { agency, db, dealBody, person } from './_deals.mjs';

let A, B;

before(async () => {
    A = await agency('fromlead-a');
    B = await agency('fromlead-b');
});

async function convertedLead(T, prefs, name = { first_name: 'Marta', last_name: 'Soler' }) {
    const lead = await T.as('agent')('POST', '/api/v1/leads',
        { ...name, type: 'buyer', source: 'website', preferences: prefs });
    assert.equal(lead.status, 201, show(lead));
    const conv = await T.as('agent')('POST', `/api/v1/leads/${lead.json.data.id}/convert`, {});
    assert.equal(conv.status, 200, show(conv));
    return lead.json.data.id;
}

function property(t, p) {
    const ref = `P-${Math.random().toString(36).slice(2, 10)}`;
    return Number(db(`INSERT INTO properties (tenant_id, ref, type, transaction, status, town, area, beds, baths,
        built_area, price) VALUES (${t.id}, '${ref}', 'apartment', ${sqlQuote(p.transaction)}, 'active',
        ${sqlQuote(p.town)}, ${p.area ? sqlQuote(p.area) : 'NULL'}, 2, 1, 90, ${p.price});
        SELECT LAST_INSERT_ID();`)[0][0]);
}

describe('from_lead', () => {
    test('a rent lead gives a rent deal with the lead as main contact and all its preferences', async () => {
        const prefs = { transaction: 'rent', property_types: ['apartment'], towns: ['Dénia'], areas: ['Les Rotes'],
            required_tags: ['sea-view'], budget_min: 80000, budget_max: 150000, area_min: 60, area_max: 120,
            bedrooms_min: 2, bathrooms_min: 1 };
        const id = await convertedLead(A, prefs);
        const r = await A.as('agent')('POST', '/api/v1/deals', { from_lead: id });
        assert.equal(r.status, 201, show(r));
        const d = r.json.data;
        assert.equal(d.type, 'rent');
        assert.equal(d.pipeline, 'buyer');
        assert.equal(d.stage, 'knowing_property');
        assert.equal(d.name, 'Marta Soler');
        assert.deepEqual(d.contacts.map((c) => [c.id, c.kind]), [[id, 'main']]);
        assert.deepEqual(d.preferences, prefs);
        const audit = db(`SELECT changes FROM audit_log WHERE tenant_id = ${A.t.id} AND entity = 'deal'
            AND entity_id = ${d.id} AND action = 'create'`);
        assert.deepEqual(JSON.parse(audit[0][0]), { from_lead: [null, id] });
    });

    test('a sale lead gives a buy deal; the body may name it, add co-contacts and its own preferences', async () => {
        const id = await convertedLead(A, { transaction: 'sale', towns: ['Jávea'], budget_max: 50000000 });
        const co = person(A.t, { first: 'Pau', last: 'Soler' });
        const r = await A.as('agent')('POST', '/api/v1/deals', { from_lead: id, name: 'Soler family, villa',
            value: 45000000, contacts: [{ id: co, kind: 'co' }] });
        assert.equal(r.status, 201, show(r));
        assert.equal(r.json.data.type, 'buy');
        assert.equal(r.json.data.name, 'Soler family, villa');
        assert.equal(r.json.data.value, 45000000);
        assert.deepEqual(r.json.data.contacts.map((c) => [c.id, c.kind]).sort(), [[co, 'co'], [id, 'main']].sort());
        assert.deepEqual(r.json.data.preferences.towns, ['Jávea']);
        assert.equal(r.json.data.preferences.budget_max, 50000000);
        const own = await A.as('agent')('POST', '/api/v1/deals',
            { from_lead: id, preferences: { transaction: 'sale', towns: ['Moraira'] } });
        assert.equal(own.status, 201, show(own));
        assert.deepEqual(own.json.data.preferences.towns, ['Moraira']);
        assert.equal(own.json.data.preferences.budget_max, null);
    });

    test('the deal from a lead matches properties in its areas', async () => {
        const id = await convertedLead(A, { transaction: 'sale', areas: ['Montgó'], budget_max: 30000000 },
            { first_name: 'Iris', last_name: 'Vidal' });
        const inArea = property(A.t, { transaction: 'sale', town: 'Jávea', area: 'Montgó', price: 25000000 });
        property(A.t, { transaction: 'sale', town: 'Jávea', area: 'Arenal', price: 25000000 });
        const r = await A.as('agent')('POST', '/api/v1/deals', { from_lead: id });
        assert.equal(r.status, 201, show(r));
        const m = await A.as('viewer')('GET', `/api/v1/deals/${r.json.data.id}/matches`);
        assert.equal(m.status, 200, show(m));
        assert.deepEqual(m.json.data.map((p) => p.id), [inArea]);
    });

    test('refusals name the field: a lead not converted, no such contact, another tenant, an owner type, a second main', async () => {
        const lead = await A.as('agent')('POST', '/api/v1/leads', { first_name: 'Noa', last_name: 'Roig', type: 'buyer' });
        assert.equal(lead.status, 201, show(lead));
        const notYet = await A.as('agent')('POST', '/api/v1/deals', { from_lead: lead.json.data.id });
        assert.equal(notYet.status, 422, show(notYet));
        assert.match(notYet.json.error.fields.from_lead, /still a lead: convert it first/);
        const theirs = await convertedLead(B, { transaction: 'sale' });
        for (const bad of [theirs, 999999999]) {
            const r = await A.as('agent')('POST', '/api/v1/deals', { from_lead: bad });
            assert.equal(r.status, 422, show(r));
            assert.equal(r.json.error.fields.from_lead, 'no such contact');
        }
        for (const bad of ['12', 0, 1.5, null]) {
            const r = await A.as('agent')('POST', '/api/v1/deals', { from_lead: bad });
            assert.equal(r.status, 422, show(r));
            assert.equal(r.json.error.fields.from_lead, 'the id of a converted lead');
        }
        const id = await convertedLead(A, { transaction: 'sale' }, { first_name: 'Eva', last_name: 'Mir' });
        const sell = await A.as('agent')('POST', '/api/v1/deals', { from_lead: id, type: 'sell' });
        assert.equal(sell.status, 422, show(sell));
        assert.match(sell.json.error.fields.type, /buy or rent/);
        const other = person(A.t, { first: 'Joan', last: 'Mir' });
        const two = await A.as('agent')('POST', '/api/v1/deals', { from_lead: id, contacts: [{ id: other, kind: 'main' }] });
        assert.equal(two.status, 422, show(two));
        assert.match(two.json.error.fields['contacts[1].kind'], /exactly one main contact/);
        assert.equal(db(`SELECT COUNT(*) FROM deal_contacts WHERE tenant_id = ${A.t.id} AND contact_id = ${id}`)[0][0], '0');
        const viewer = await A.as('viewer')('POST', '/api/v1/deals', { from_lead: id });
        assert.equal(viewer.status, 403);
    });
});

describe('the pages without JavaScript', () => {
    test('"and create a deal" converts the lead and goes on to the new-deal form for the contact', async () => {
        const lead = await A.as('agent')('POST', '/api/v1/leads', { first_name: 'Olga', last_name: 'Brun', type: 'buyer' });
        const id = lead.json.data.id;
        const page = await api('GET', `/leads/${id}`, { token: A.tokens.agent });
        assert.match(page.text, new RegExp(`data-convert-lead="${id}"`));
        assert.match(page.text, /name="create_deal" value="1"/);
        const plain = await A.as('agent')('POST', '/api/v1/leads', { first_name: 'Ivo', last_name: 'Brun', type: 'buyer' });
        const conv = await api('POST', `/leads/${plain.json.data.id}/convert`, { token: A.tokens.agent, form: { role: 'buyer' } });
        assert.equal(conv.status, 303, show(conv));
        assert.equal(conv.headers.location, `/contacts/${plain.json.data.id}`);
        const withDeal = await api('POST', `/leads/${id}/convert`, { token: A.tokens.agent, form: { role: 'buyer', create_deal: '1' } });
        assert.equal(withDeal.status, 303, show(withDeal));
        assert.equal(withDeal.headers.location, `/deals/new?contact=${id}`);
        const form = await api('GET', withDeal.headers.location, { token: A.tokens.agent });
        assert.match(form.text, new RegExp(`name="contact" inputmode="numeric" value="${id}"`));
        assert.match(form.text, /Olga Brun/);
    });

    test('"save as view" on the deals list stores the filters, sort and columns, and refuses bad ones by name', async () => {
        const post = (role, form) => api('POST', '/deals/list/views', { token: A.tokens[role], form });
        const ok = await post('agent', { name: 'Open buyers', f_pipeline: 'buyer', f_status: 'open', f_agent: 'me',
            sort: '-value', columns: 'ref,name,value', shared: '1' });
        assert.equal(ok.status, 303, show(ok));
        const vid = Number(/view=(\d+)$/.exec(ok.headers.location)[1]);
        const v = await A.as('agent')('GET', `/api/v1/views/${vid}`);
        assert.deepEqual([v.json.data.list, v.json.data.name, v.json.data.shared, v.json.data.sort, v.json.data.columns],
            ['deals', 'Open buyers', true, '-value', ['ref', 'name', 'value']]);
        assert.deepEqual(v.json.data.filters, { pipeline: 'buyer', agent: 'me', status: 'open' });
        const list = await api('GET', ok.headers.location, { token: A.tokens.viewer });
        assert.match(list.text, new RegExp(`href="/deals/list\\?view=${vid}" aria-current="page">Open buyers`));
        assert.match(list.text, /data-view-columns="ref,name,value"/);
        const count = () => Number(db(`SELECT COUNT(*) FROM saved_views WHERE tenant_id = ${A.t.id} AND list = 'deals'`)[0][0]);
        const before = count();
        const bad = await post('agent', { name: 'Bad', f_stage: 'nowhere', f_value_min: 'abc', sort: 'password' });
        assert.equal(bad.status, 422);
        assert.match(bad.text, /stage: stage codes separated by commas/);
        assert.match(bad.text, /value_min: a whole number/);
        assert.match(bad.text, /sort: one of -id/);
        assert.match((await post('agent', { name: '' })).text, /name: required, 1 to 100 characters/);
        assert.match((await post('agent', { name: 'x'.repeat(101) })).text, /name: required/);
        assert.match((await post('agent', { name: 'Cols', columns: 'ref,<b>' })).text, /columns: at most 40 column names/);
        const shared = await post('viewer', { name: 'Mine only', shared: '1' });
        assert.equal(shared.status, 422);
        assert.match(shared.text, /shared: viewers keep personal views only/);
        assert.equal(count(), before, 'nothing refused was saved');
        assert.equal((await post('viewer', { name: 'Mine only' })).status, 303);
    });
});

describe('matching properties on the deal page', () => {
    function listing(t, { town = 'Ondara', price, beds = 2, type = 'apartment', transaction = 'sale' }) {
        const ref = `M-${Math.random().toString(36).slice(2, 10)}`;
        const id = Number(db(`INSERT INTO properties (tenant_id, ref, type, transaction, status, town, beds, baths,
            built_area, price) VALUES (${t.id}, '${ref}', ${sqlQuote(type)}, ${sqlQuote(transaction)}, 'active',
            ${sqlQuote(town)}, ${beds}, 1, 90, ${price}); SELECT LAST_INSERT_ID();`)[0][0]);
        return { id, ref };
    }

    test('the matches say what they fit and what they stretch; the page lists them and links one to the deal', async () => {
        const lead = await convertedLead(A, { transaction: 'sale', towns: ['Ondara'], property_types: ['apartment'],
            budget_max: 20000000, bedrooms_min: 2 }, { first_name: 'Pol', last_name: 'Ferrer' });
        const exact = listing(A.t, { price: 19000000 });
        const stretched = listing(A.t, { price: 21000000, beds: 3 });
        listing(A.t, { price: 23000000 });                      // more than 10% over the budget
        listing(A.t, { price: 19000000, beds: 1 });             // too few bedrooms
        listing(A.t, { price: 19000000, town: 'Pego' });
        listing(A.t, { price: 19000000, type: 'villa' });
        const theirs = listing(B.t, { price: 19000000 });
        const d = (await A.as('agent')('POST', '/api/v1/deals', { from_lead: lead })).json.data;
        const m = await A.as('viewer')('GET', `/api/v1/deals/${d.id}/matches`);
        assert.equal(m.status, 200, show(m));
        assert.deepEqual(m.json.data.map((p) => [p.id, p.exact, p.linked]), [[exact.id, true, false], [stretched.id, false, false]]);
        assert.deepEqual(m.json.data[0].fits, ['transaction', 'price', 'beds', 'type', 'place']);
        assert.deepEqual(m.json.data[0].stretched, {});
        assert.deepEqual(m.json.data[1].fits, ['transaction', 'beds', 'type', 'place']);
        assert.deepEqual(m.json.data[1].stretched, { price: 5 });

        const viewer = (await api('GET', `/deals/${d.id}`, { token: A.tokens.viewer })).text;
        assert.match(viewer, /<h2 id="matches-title">Matching properties<\/h2>/);
        assert.match(viewer, new RegExp(`<a href="/properties/${exact.id}">${exact.ref}</a> Ondara · [^<]*190,000[^<]* · 2 beds <span class="badge info">Exact fit</span>`));
        assert.match(viewer, /Fits transaction, budget, bedrooms, type, town or area/);
        assert.match(viewer, new RegExp(`data-property="${stretched.id}"><a href="/properties/${stretched.id}">${stretched.ref}</a>[^]*?stretched: price 5% over the budget`));
        assert.doesNotMatch(viewer, /Link to this deal/, 'viewers do not link');
        const agentPage = (await api('GET', `/deals/${d.id}`, { token: A.tokens.agent })).text;
        assert.equal(agentPage.match(/>Link to this deal</g).length, 2);

        const post = (form) => api('POST', `/deals/${d.id}/properties`, { token: A.tokens.agent, form });
        const linked = await post({ property_id: String(stretched.id) });
        assert.equal(linked.status, 303, show(linked));
        assert.equal(linked.headers.location, `/deals/${d.id}`);
        const after = (await A.as('agent')('GET', `/api/v1/deals/${d.id}`)).json.data;
        assert.deepEqual(after.properties.map((p) => [p.id, p.primary]), [[stretched.id, true]]);
        const again = await A.as('viewer')('GET', `/api/v1/deals/${d.id}/matches`);
        assert.deepEqual(again.json.data.map((p) => p.linked), [false, true]);
        const shown = (await api('GET', `/deals/${d.id}`, { token: A.tokens.agent })).text;
        assert.match(shown, new RegExp(`data-property="${stretched.id}">[^]*?<span class="badge">Linked</span>`));
        assert.equal(shown.match(/>Link to this deal</g).length, 1);
        assert.equal((await post({ property_id: String(exact.id) })).status, 303);
        assert.deepEqual((await A.as('agent')('GET', `/api/v1/deals/${d.id}`)).json.data.properties
            .map((p) => [p.id, p.primary]).sort(), [[exact.id, false], [stretched.id, true]].sort());

        for (const bad of [String(theirs.id), 'abc', '']) {
            const r = await post({ property_id: bad });
            assert.equal(r.status, 422, show(r));
            assert.match(r.text, /properties\[2\]\.id: (no such property|a property id is required)/);
        }
        assert.equal((await A.as('agent')('GET', `/api/v1/deals/${d.id}`)).json.data.properties.length, 2, 'nothing else linked');
        const viewerPost = await api('POST', `/deals/${d.id}/properties`, { token: A.tokens.viewer, form: { property_id: String(exact.id) } });
        assert.equal(viewerPost.status, 403);
    });

    test('a deal nothing fits shows the empty state; a sell deal has no matches', async () => {
        const lead = await convertedLead(A, { transaction: 'sale', towns: ['Nowhere at all'] }, { first_name: 'Rut', last_name: 'Pons' });
        const d = (await A.as('agent')('POST', '/api/v1/deals', { from_lead: lead })).json.data;
        const html = (await api('GET', `/deals/${d.id}`, { token: A.tokens.viewer })).text;
        assert.match(html, /No available property fits this deal's search preferences yet/);
        const sell = (await A.as('agent')('POST', '/api/v1/deals', dealBody(A.t, { type: 'sell' }))).json.data;
        const sellPage = (await api('GET', `/deals/${sell.id}`, { token: A.tokens.viewer })).text;
        assert.doesNotMatch(sellPage, /Matching properties/);
        assert.equal((await A.as('viewer')('GET', `/api/v1/deals/${sell.id}/matches`)).status, 409);
    });
});

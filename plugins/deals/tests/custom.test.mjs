// Custom fields of deals: the tenant's field{kind = "deal"} definitions are
// checked on the API's create and patch (unknown keys, types, validate,
// compute), the new-deal form and the deal page show an input per field, and
// the deal page's custom fields form saves them or names the refused one.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request, session, sessionCsrf, show } from '../../../tests/api/_http.mjs';
import { agency, dealBody, person } from './_deals.mjs';

const SCRIPT = `
field{kind = "deal", key = "deposit", type = "money", label = "Deposit",
  validate = function(v, rec) return v >= 0 or "cannot be negative" end}
field{kind = "deal", key = "finance", type = "select", label = "Finance", options = {"cash", "mortgage"}}
field{kind = "deal", key = "notary_booked", type = "boolean", label = "Notary booked"}
field{kind = "deal", key = "summary", type = "text", label = "Summary",
  compute = function(rec) return (rec.name or "") .. " (" .. (rec.type or "") .. ")" end}
`;

let A, admin, agent, jar, csrf;
before(async () => {
    A = await agency('dcf');
    admin = A.as('admin');
    agent = A.as('agent');
    const put = await admin('PUT', '/api/v1/scripts/fields.deals', { code: SCRIPT });
    assert.ok([200, 201].includes(put.status), show(put));
    jar = await session(A.t, A.users.agent);
    csrf = await sessionCsrf(A.t, jar);
});

const post = (path, form) => request('POST', path, { host: A.t.host, jar, form });
const get = (path) => request('GET', path, { host: A.t.host, jar });

describe('the API', () => {
    test('create checks and completes custom values', async () => {
        const ok = await agent('POST', '/api/v1/deals', dealBody(A.t, { custom: { deposit: 1500, finance: 'cash' } }));
        assert.equal(ok.status, 201, show(ok));
        assert.deepEqual(ok.json.data.custom, { deposit: 1500, finance: 'cash', summary: 'Villa in Jávea (buy)' });
        for (const [custom, field, msg] of [[{ deposit: -1 }, 'custom.deposit', 'cannot be negative'],
            [{ finance: 'barter' }, 'custom.finance', 'is not one of the options'],
            [{ notary_booked: 'yes' }, 'custom.notary_booked', 'must be true or false'],
            [{ colour: 'red' }, 'custom.colour', 'unknown field']]) {
            const bad = await agent('POST', '/api/v1/deals', dealBody(A.t, { name: 'Refused deal', custom }));
            assert.equal(bad.status, 422, show(bad));
            assert.equal(bad.json.error.fields[field], msg, show(bad));
        }
        const list = await agent('GET', '/api/v1/deals?limit=100');
        assert.ok(!list.json.data.some((d) => d.name === 'Refused deal'), 'a refused create saves nothing');
    });

    test('patch checks the new values and recomputes; a refused patch changes nothing', async () => {
        const id = (await agent('POST', '/api/v1/deals', dealBody(A.t, { custom: { finance: 'mortgage' } }))).json.data.id;
        const bad = await agent('PATCH', `/api/v1/deals/${id}`, { name: 'Renamed', custom: { finance: 'barter' } });
        assert.equal(bad.status, 422, show(bad));
        let got = (await agent('GET', `/api/v1/deals/${id}`)).json.data;
        assert.equal(got.name, 'Villa in Jávea');
        const ok = await agent('PATCH', `/api/v1/deals/${id}`, { name: 'Renamed', custom: { finance: 'cash', notary_booked: true } });
        assert.equal(ok.status, 200, show(ok));
        got = (await agent('GET', `/api/v1/deals/${id}`)).json.data;
        assert.deepEqual(got.custom, { finance: 'cash', notary_booked: true, summary: 'Renamed (buy)' });
    });
});

describe('the pages', () => {
    test('the new-deal form has the custom inputs and saves them', async () => {
        const page = await get('/deals/new');
        assert.equal(page.status, 200, show(page));
        assert.match(page.text, /<input id="f-custom-deposit" name="custom.deposit" type="number"/);
        assert.match(page.text, /<select id="f-custom-finance" name="custom.finance">/);
        assert.match(page.text, /name="custom.notary_booked" type="checkbox" value="true"/);
        const contact = person(A.t, { first: 'Form', last: 'Dealer' });
        const bad = await post('/deals/new', { _csrf: csrf, name: 'Form deal', type: 'buy', contact,
            'custom.deposit': '-4' });
        assert.equal(bad.status, 422, show(bad));
        assert.match(bad.text, /value="-4" data-type="number" aria-invalid="true" aria-describedby="f-custom-deposit-error"/);
        assert.match(bad.text, /<p class="error" id="f-custom-deposit-error" data-for="custom.deposit">cannot be negative<\/p>/);
        const ok = await post('/deals/new', { _csrf: csrf, name: 'Form deal', type: 'buy', contact,
            'custom.deposit': '2000', 'custom.finance': 'cash' });
        assert.equal(ok.status, 303, show(ok));
        const id = ok.headers.location.split('/').pop();
        const got = (await agent('GET', `/api/v1/deals/${id}`)).json.data;
        assert.deepEqual(got.custom, { deposit: 2000, finance: 'cash', notary_booked: false, summary: 'Form deal (buy)' });
    });

    test('the deal page lists the values and its custom fields form saves them', async () => {
        const id = (await agent('POST', '/api/v1/deals', dealBody(A.t, { name: 'Paged deal', custom: { deposit: 10 } }))).json.data.id;
        let page = await get(`/deals/${id}`);
        assert.match(page.text, /<dt>Deposit<\/dt><dd>10<\/dd>/);
        assert.match(page.text, /<dt>Summary<\/dt><dd>Paged deal \(buy\)<\/dd>/);
        assert.match(page.text, /<form method="post" action="\/deals\/\d+\/custom"/);
        const bad = await post(`/deals/${id}/custom`, { _csrf: csrf, custom_form: '1', 'custom.deposit': '-2', 'custom.finance': 'cash' });
        assert.equal(bad.status, 422, show(bad));
        assert.match(bad.text, /<p class="error" id="f-custom-deposit-error" data-for="custom.deposit">cannot be negative<\/p>/);
        assert.match(bad.text, /<option value="cash" selected>/, 'what was typed comes back');
        const ok = await post(`/deals/${id}/custom`, { _csrf: csrf, custom_form: '1', 'custom.deposit': '25',
            'custom.notary_booked': 'true' });
        assert.equal(ok.status, 303, show(ok));
        page = await get(`/deals/${id}`);
        assert.match(page.text, /<dt>Deposit<\/dt><dd>25<\/dd>/);
        assert.match(page.text, /<dt>Notary booked<\/dt><dd>Yes<\/dd>/);
        assert.match(page.text, /<dt>Finance<\/dt><dd>—<\/dd>/);
    });
});

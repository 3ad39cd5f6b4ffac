// A won sale marks its primary property sold, which ends its publications
// (the properties plugin's rule), unless the tenant switched it off.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { show, waitFor } from '../../../tests/api/_http.mjs';
import { agency, db, dealBody } from './_deals.mjs';

let A;
before(async () => {
    A = await agency('sold');
    db("INSERT IGNORE INTO property_portals (tenant_id, code, name, plugin) VALUES (0, 'dealsportal', 'Deals Test Portal', 'deals-tests')");
});

async function publishedProperty() {
    const p = await A.as('agent')('POST', '/api/v1/properties', { type: 'villa', transaction: 'sale', price: 50000000 });
    assert.equal(p.status, 201, show(p));
    const id = p.json.data.id;
    assert.equal((await A.as('agent')('PATCH', `/api/v1/properties/${id}`, { status: 'active' })).status, 200);
    const pub = await A.as('agent')('PUT', `/api/v1/properties/${id}/publications/dealsportal`);
    assert.ok([200, 201].includes(pub.status), show(pub));
    return id;
}

const current = async (id) => (await A.as('viewer')('GET', `/api/v1/properties/${id}/publications`))
    .json.data.filter((b) => b.current).map((b) => b.portal);

test('winning a sale deal marks its primary property sold and unpublishes it', async () => {
    const pid = await publishedProperty();
    assert.deepEqual(await current(pid), ['dealsportal']);
    const d = (await A.as('agent')('POST', '/api/v1/deals', dealBody(A.t, { type: 'buy', properties: [{ id: pid }] }))).json.data;
    const won = await A.as('agent')('PATCH', `/api/v1/deals/${d.id}`, { stage: 'won' });
    assert.equal(won.status, 200, show(won));
    const p = await waitFor(async () => {
        const r = await A.as('viewer')('GET', `/api/v1/properties/${pid}`);
        return r.json.data.status === 'sold' ? r.json.data : null;
    }, { what: 'the property to be sold' });
    assert.equal(p.status, 'sold');
    assert.deepEqual(await current(pid), [], 'no publication left');
    const h = await A.as('viewer')('GET', `/api/v1/properties/${pid}/history`);
    assert.match(JSON.stringify(h.json.data), new RegExp(`deal ${d.id} won`));
});

test('with sold_on_won off, or for a rent deal, the property keeps its status', async () => {
    const rentProp = await publishedProperty();
    const rent = (await A.as('agent')('POST', '/api/v1/deals', dealBody(A.t, { type: 'rent', properties: [{ id: rentProp }] }))).json.data;
    assert.equal((await A.as('agent')('PATCH', `/api/v1/deals/${rent.id}`, { stage: 'won' })).status, 200);
    assert.equal((await A.as('admin')('PATCH', '/api/v1/deals/settings', { sold_on_won: false })).status, 200);
    const pid = await publishedProperty();
    const d = (await A.as('agent')('POST', '/api/v1/deals', dealBody(A.t, { type: 'sell', properties: [{ id: pid }] }))).json.data;
    assert.equal((await A.as('agent')('PATCH', `/api/v1/deals/${d.id}`, { stage: 'won' })).status, 200);
    for (const id of [rentProp, pid]) {
        assert.equal((await A.as('viewer')('GET', `/api/v1/properties/${id}`)).json.data.status, 'active');
        assert.deepEqual(await current(id), ['dealsportal']);
    }
});

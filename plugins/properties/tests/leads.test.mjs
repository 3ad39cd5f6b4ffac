// The lead count: each buy or rent deal created with a property linked is one
// lead for it; a sell deal (the owner's mandate) is not.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { show, waitFor } from '../../../tests/api/_http.mjs';
import { agency, dealBody } from '../../deals/tests/_deals.mjs';

let A;
before(async () => { A = await agency('leadcount'); });

const property = async () => {
    const p = await A.as('agent')('POST', '/api/v1/properties', { type: 'villa', transaction: 'sale', price: 40000000 });
    assert.equal(p.status, 201, show(p));
    return p.json.data.id;
};
const leads = async (id) => (await A.as('viewer')('GET', `/api/v1/properties/${id}`)).json.data.lead_count;

test('buy and rent deals count as leads of their properties, sell deals do not', async () => {
    const one = await property(), two = await property();
    assert.equal(await leads(one), 0);
    for (const [type, props] of [['buy', [one, two]], ['rent', [one]], ['sell', [one, two]]]) {
        const d = await A.as('agent')('POST', '/api/v1/deals', dealBody(A.t, { type, properties: props.map((id) => ({ id })) }));
        assert.equal(d.status, 201, show(d));
    }
    await waitFor(async () => (await leads(one)) === 2 || null, { what: 'two leads on the first property' });
    assert.equal(await leads(two), 1);
    const list = await A.as('viewer')('GET', '/api/v1/properties?sort=-lead_count&limit=2');
    assert.equal(list.status, 200, show(list));
    assert.deepEqual(list.json.data.map((p) => p.id), [one, two]);
});

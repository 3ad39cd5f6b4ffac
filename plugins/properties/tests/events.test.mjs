// Webhooks on property events: every property.* event the plugin emits can be subscribed to
// (an edit, a sale, a rental, a soft delete and its restore, an unpublish), and each queues a
// delivery with the listing's id for the webhook that asked for it, and none for another.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { api, createProperty, show, sql, world } from './_props.mjs';

const EVENTS = ['property.updated', 'property.sold', 'property.rented', 'property.deleted',
    'property.restored', 'property.published', 'property.unpublished', 'property.hard_deleted'];

let W;
before(async () => {
    W = await world('pev');
});

/** [event, data.id] of the deliveries queued for a webhook, oldest first. */
function deliveries(hookId) {
    const out = sql(`SELECT event, JSON_VALUE(body, '$.data.id') FROM webhook_deliveries
        WHERE tenant_id = ${Number(W.t.id)} AND webhook_id = ${hookId} ORDER BY id`);
    return out === '' ? [] : out.split('\n').map((l) => { const [e, id] = l.split('\t'); return [e, Number(id)]; });
}

test('each property.* event the plugin emits is subscribable and queues a delivery', async () => {
    const hook = await api('POST', '/api/v1/webhooks', { token: W.tok.admin,
        json: { name: 'all property events', url: 'https://example.test/hook', events: EVENTS } });
    assert.equal(hook.status, 201, show(hook));
    const other = await api('POST', '/api/v1/webhooks', { token: W.tok.admin,
        json: { name: 'leads only', url: 'https://example.test/leads', events: ['lead.created'] } });
    assert.equal(other.status, 201, show(other));
    const a = await createProperty(W.tok.admin, { town: 'Jávea', price: 100000, status: 'active' });
    const b = await createProperty(W.tok.admin, { town: 'Altea', price: 200000, transaction: 'long_term_rent', status: 'active' });
    const step = async (method, path, json, want) => {
        const res = await api(method, path, { token: W.tok.admin, json });
        assert.equal(res.status, want, show(res));
    };
    await step('PATCH', `/api/v1/properties/${a.id}`, { town: 'Dénia' }, 200);
    await step('PUT', `/api/v1/properties/${a.id}/publications/kyero`, undefined, 201);
    await step('DELETE', `/api/v1/properties/${a.id}/publications/kyero`, undefined, 204);
    await step('PATCH', `/api/v1/properties/${a.id}`, { status: 'sold' }, 200);
    await step('PATCH', `/api/v1/properties/${b.id}`, { status: 'rented' }, 200);
    await step('POST', '/api/v1/properties/batch', { action: 'delete', ids: [b.id] }, 200);
    await step('POST', '/api/v1/properties/batch', { action: 'restore', ids: [b.id] }, 200);
    const got = deliveries(hook.json.data.id);
    for (const want of [['property.updated', a.id], ['property.published', a.id], ['property.unpublished', a.id],
        ['property.sold', a.id], ['property.rented', b.id], ['property.deleted', b.id], ['property.restored', b.id]]) {
        assert.ok(got.some(([e, id]) => e === want[0] && id === want[1]), `${want.join(' ')} in ${JSON.stringify(got)}`);
    }
    assert.equal(got.filter(([e]) => e === 'property.sold').length, 1, 'one sale, one delivery');
    assert.ok(!got.some(([e, id]) => e === 'property.sold' && id === b.id), 'a rental is not a sale');
    assert.deepEqual(deliveries(other.json.data.id), [], 'a webhook gets only the events it asked for');
});

test('a webhook naming an event no one emits is refused with the field', async () => {
    const res = await api('POST', '/api/v1/webhooks', { token: W.tok.admin,
        json: { name: 'typo', url: 'https://example.test/hook', events: ['property.sould'] } });
    assert.equal(res.status, 422, show(res));
    assert.ok(res.json.error.fields.events, show(res));
});

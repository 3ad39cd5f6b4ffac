// Publications per portal, the portal registry, automatic depublication on
// an unavailable status, the MLS status check, and batch deletes.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, createProperty, png, show, sql, upload, world } from './_props.mjs';

let w, other;

before(async () => {
    w = await world('ppub');
    other = await world('ppo');
    // What a publisher plugin's migration does (tenant_id 0: every tenant sees it).
    sql("INSERT IGNORE INTO property_portals (tenant_id, code, name, plugin) VALUES (0, 'testportal', 'Test Portal', 'properties-tests')");
    const own = await api('POST', '/api/v1/properties/portals', { token: w.tok.admin, json: { code: 'localmls', name: 'Local MLS' } });
    assert.equal(own.status, 201, show(own));
});

test('portals: built-in from plugins, the tenant\'s own, and nobody else\'s', async () => {
    const mine = await api('GET', '/api/v1/properties/portals', { token: w.tok.viewer });
    const codes = mine.json.data.map((p) => p.code);
    assert.ok(codes.includes('testportal') && codes.includes('localmls'), JSON.stringify(codes));
    const theirs = await api('GET', '/api/v1/properties/portals', { token: other.tok.viewer });
    assert.ok(!theirs.json.data.some((p) => p.code === 'localmls'));
    const dup = await api('POST', '/api/v1/properties/portals', { token: w.tok.admin, json: { code: 'testportal', name: 'x' } });
    assert.equal(dup.status, 409);
    const agent = await api('POST', '/api/v1/properties/portals', { token: w.tok.agent, json: { code: 'mine', name: 'x' } });
    assert.equal(agent.status, 403);
});

test('publish and unpublish with time and user; only available listings', async () => {
    const p = await createProperty(w.tok.agent, { type: 'villa' });
    let res = await api('PUT', `/api/v1/properties/${p.id}/publications/testportal`, { token: w.tok.agent });
    assert.equal(res.status, 409, 'a draft is never published');
    await api('PATCH', `/api/v1/properties/${p.id}`, { token: w.tok.agent, json: { status: 'active' } });
    res = await api('PUT', `/api/v1/properties/${p.id}/publications/testportal`, { token: w.tok.agent });
    assert.equal(res.status, 201, show(res));
    assert.equal(res.json.data.published_by, w.users.agent.id);
    assert.equal(res.json.data.current, true);
    res = await api('PUT', `/api/v1/properties/${p.id}/publications/testportal`, { token: w.tok.agent });
    assert.equal(res.status, 200, 'publishing twice is idempotent');
    res = await api('PUT', `/api/v1/properties/${p.id}/publications/nosuchportal`, { token: w.tok.agent });
    assert.equal(res.status, 404);
    res = await api('PUT', `/api/v1/properties/${p.id}/publications/localmls`, { token: w.tok.agent });
    assert.equal(res.status, 201);
    res = await api('PUT', `/api/v1/properties/${p.id}/publications/testportal`, { token: w.tok.viewer });
    assert.equal(res.status, 403);
    res = await api('PUT', `/api/v1/properties/${p.id}/publications/testportal`, { token: other.tok.admin });
    assert.equal(res.status, 404);
    res = await api('DELETE', `/api/v1/properties/${p.id}/publications/localmls`, { token: w.tok.manager });
    assert.equal(res.status, 204);
    res = await api('DELETE', `/api/v1/properties/${p.id}/publications/localmls`, { token: w.tok.manager });
    assert.equal(res.status, 404);
    const list = await api('GET', `/api/v1/properties/${p.id}/publications`, { token: w.tok.viewer });
    assert.equal(list.json.data.length, 2);
    const ended = list.json.data.find((b) => b.portal === 'localmls');
    assert.equal(ended.current, false);
    assert.equal(ended.unpublished_by, w.users.manager.id);
    assert.equal(ended.unpublish_reason, 'user');
    assert.ok(ended.unpublished_at >= ended.published_at);
});

test('selling ends every publication automatically and the timeline says so', async () => {
    const p = await createProperty(w.tok.agent, { type: 'villa', status: 'active' });
    await api('PUT', `/api/v1/properties/${p.id}/publications/testportal`, { token: w.tok.agent });
    await api('PUT', `/api/v1/properties/${p.id}/publications/localmls`, { token: w.tok.agent });
    const res = await api('PATCH', `/api/v1/properties/${p.id}`, { token: w.tok.agent, json: { status: 'sold' } });
    assert.equal(res.status, 200, show(res));
    assert.deepEqual(res.json.data.publications, []);
    const list = await api('GET', `/api/v1/properties/${p.id}/publications`, { token: w.tok.agent });
    assert.ok(list.json.data.every((b) => !b.current && b.unpublish_reason === 'status'));
    const note = sql(`SELECT subject FROM activities WHERE tenant_id = ${w.t.id} AND entity = 'property'
        AND entity_id = ${p.id} AND subject LIKE 'Publications ended%'`);
    assert.equal(note, 'Publications ended automatically (status sold): localmls, testportal');
});

test('the MLS status check lists unavailable listings still published, and depublishes them at once', async () => {
    // With the automatic rule off, a sold listing keeps its publication.
    await api('PUT', '/api/v1/properties/settings', { token: w.tok.admin, json: { auto_depublish: false } });
    const stale = [];
    for (const status of ['sold', 'rented', 'off_market']) {
        const p = await createProperty(w.tok.agent, { type: 'villa', status: 'active' });
        await api('PUT', `/api/v1/properties/${p.id}/publications/testportal`, { token: w.tok.agent });
        await api('PATCH', `/api/v1/properties/${p.id}`, { token: w.tok.agent, json: { status } });
        stale.push(p.id);
    }
    const fine = await createProperty(w.tok.agent, { type: 'villa', status: 'active' });
    await api('PUT', `/api/v1/properties/${fine.id}/publications/testportal`, { token: w.tok.agent });
    await api('PUT', '/api/v1/properties/settings', { token: w.tok.admin, json: { auto_depublish: true } });
    let check = await api('GET', '/api/v1/properties/mls-check', { token: w.tok.viewer });
    assert.deepEqual(check.json.data.map((x) => x.id), stale);
    assert.deepEqual(check.json.data[0].portals, ['testportal']);
    const asFilter = await api('GET', '/api/v1/properties?mls_check=1&sort=id', { token: w.tok.viewer });
    assert.deepEqual(asFilter.json.data.map((x) => x.id), stale);
    assert.deepEqual(asFilter.json.data[0].portals, ['testportal']);
    const other404 = await api('GET', '/api/v1/properties/mls-check', { token: other.tok.viewer });
    assert.equal(other404.json.data.length, 0);
    const agent = await api('POST', '/api/v1/properties/mls-check/depublish', { token: w.tok.agent });
    assert.equal(agent.status, 403);
    const res = await api('POST', '/api/v1/properties/mls-check/depublish', { token: w.tok.manager });
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json.data.publications_ended, 3);
    check = await api('GET', '/api/v1/properties/mls-check', { token: w.tok.viewer });
    assert.equal(check.json.data.length, 0);
    const still = await api('GET', `/api/v1/properties/${fine.id}`, { token: w.tok.viewer });
    assert.equal(still.json.data.publications.length, 1, 'available listings keep theirs');
});

test('batch: soft delete, undo, and hard delete with a confirmation token', async () => {
    const a = await createProperty(w.tok.agent, { type: 'plot', labels: ['batch-x'] });
    const b = await createProperty(w.tok.agent, { type: 'plot', labels: ['batch-x'] });
    const ph = await upload(w.tok.agent, a.id, { filename: 'a.png', type: 'image/png', data: png(30, 20) });
    assert.equal(ph.status, 201);
    let res = await api('POST', '/api/v1/properties/batch', { token: w.tok.agent, json: { action: 'delete', ids: [a.id] } });
    assert.equal(res.status, 403, 'batch actions are for managers');
    res = await api('POST', '/api/v1/properties/batch', { token: w.tok.manager,
        json: { action: 'delete', filter: { label: 'batch-x' } } });
    assert.equal(res.status, 200, show(res));
    assert.deepEqual(res.json.data.ids, [a.id, b.id]);
    assert.equal((await api('GET', `/api/v1/properties/${a.id}`, { token: w.tok.agent })).status, 404);
    const trash = await api('GET', '/api/v1/properties?deleted=1&label=batch-x', { token: w.tok.manager });
    assert.equal(trash.json.total, 2);
    assert.equal(sql(`SELECT COUNT(*) FROM property_media WHERE tenant_id = ${w.t.id} AND property_id = ${a.id} AND deleted_at IS NOT NULL`), '1');
    res = await api('POST', '/api/v1/properties/batch', { token: w.tok.manager, json: { action: 'restore', ids: [a.id] } });
    assert.equal(res.status, 200);
    const back = await api('GET', `/api/v1/properties/${a.id}`, { token: w.tok.agent });
    assert.equal(back.status, 200);
    assert.equal(back.json.data.media.length, 1, 'its media came back with it');
    res = await api('POST', '/api/v1/properties/batch', { token: w.tok.manager, json: { action: 'hard_delete', ids: [a.id] } });
    assert.equal(res.status, 403, 'only admins delete for good');
    res = await api('POST', '/api/v1/properties/batch', { token: w.tok.admin, json: { action: 'hard_delete', ids: [a.id, b.id] } });
    assert.equal(res.status, 202, show(res));
    const token = res.json.data.confirm;
    assert.equal(res.json.data.count, 2);
    assert.equal((await api('GET', `/api/v1/properties/${a.id}`, { token: w.tok.agent })).status, 200, 'nothing happened yet');
    res = await api('POST', '/api/v1/properties/batch', { token: w.tok.admin, json: { action: 'hard_delete', ids: [a.id], confirm: token } });
    assert.equal(res.status, 409, 'the token names both ids');
    res = await api('POST', '/api/v1/properties/batch', { token: w.tok.admin, json: { action: 'hard_delete', ids: [a.id, b.id], confirm: 'f'.repeat(48) } });
    assert.equal(res.status, 409);
    res = await api('POST', '/api/v1/properties/batch', { token: w.tok.admin, json: { action: 'hard_delete', ids: [a.id, b.id], confirm: token } });
    assert.equal(res.status, 200, show(res));
    assert.equal(sql(`SELECT COUNT(*) FROM properties WHERE tenant_id = ${w.t.id} AND id IN (${a.id}, ${b.id})`), '0');
    assert.equal(sql(`SELECT COUNT(*) FROM property_media WHERE tenant_id = ${w.t.id} AND property_id = ${a.id}`), '0');
    res = await api('POST', '/api/v1/properties/batch', { token: w.tok.admin, json: { action: 'hard_delete', ids: [a.id, b.id], confirm: token } });
    assert.equal(res.status, 404, 'single use, and they are gone');
    const photo = await api('GET', ph.json.data.variants.thumb, { token: w.tok.admin });
    assert.equal(photo.status, 404);
    res = await api('POST', '/api/v1/properties/batch', { token: w.tok.manager, json: { action: 'explode', ids: [1] } });
    assert.equal(res.status, 422);
});

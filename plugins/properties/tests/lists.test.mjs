// Lists: filters, the sort allow-list, cursor paging, completeness and its
// filters, saved views, and the map's points.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, createProperty, show, sql, world } from './_props.mjs';

let w;
const ids = {};

before(async () => {
    w = await world('plst');
    await api('PUT', '/api/v1/properties/settings', { token: w.tok.admin, json: { languages: ['en', 'nl'], min_photos: 1 } });
    const rows = [
        ['a', { type: 'villa', town: 'Jávea', price: 50000000, beds: 4, baths: 3, built_area: 250, status: 'active', latitude: 38.79, longitude: 0.17 }],
        ['b', { type: 'villa', town: 'Denia', price: 42000000, beds: 3, baths: 2, built_area: 200, status: 'active' }],
        ['c', { type: 'apartment', town: 'Jávea', price: 21000000, beds: 2, baths: 1, built_area: 90, status: 'active', latitude: 38.8, longitude: 0.18 }],
        ['d', { type: 'villa', town: 'Jávea', price: 61000000, beds: 5, status: 'sold' }],
        ['e', { type: 'plot', town: 'Moraira', price: 30000000, plot_area: 1200, status: 'active' }],
        ['f', { type: 'villa', town: 'Jávea', price: 45000000, beds: 4, baths: 3, built_area: 210, status: 'active',
                latitude: 38.77, longitude: 0.19, descriptions: { en: { title: 'T', text: 'x' }, nl: { title: 'T', text: 'y' } } }],
    ];
    for (const [k, f] of rows) {
        ids[k] = (await createProperty(w.tok.admin, f)).id;
    }
});

const list = (q, token = w.tok.viewer) => api('GET', `/api/v1/properties?${q}`, { token });

test('four filters and a sort', async () => {
    const res = await list('type=villa&status=active&price_min=40000000&price_max=55000000&town=Javea&sort=-price');
    assert.equal(res.status, 200, show(res));
    assert.deepEqual(res.json.data.map((p) => p.id), [ids.a, ids.f]);
    assert.equal(res.json.total, 2);
    const several = await list('status=active,sold&type=villa,plot&sort=price');
    assert.deepEqual(several.json.data.map((p) => p.id), [ids.e, ids.b, ids.f, ids.a, ids.d]);
    const area = await list('area=Costa%20Blanca%20North&type=plot');
    assert.deepEqual(area.json.data.map((p) => p.id), [ids.e], 'Moraira lies in the area');
    const q = await list('q=Denia');
    assert.deepEqual(q.json.data.map((p) => p.id), [ids.b]);
    const pct = await list('q=%25');
    assert.equal(pct.json.total, 0, 'LIKE wildcards are literal');
});

test('bad filters, sorts, limits and cursors are refused by name', async () => {
    const res = await list("status=gone&price_min=-1&sort=password_hash&limit=501&beds_min=x&cursor=zz&incomplete=maybe");
    assert.equal(res.status, 422);
    assert.deepEqual(Object.keys(res.json.error.fields).sort(),
        ['beds_min', 'cursor', 'incomplete', 'limit', 'price_min', 'sort', 'status']);
    const inj = await list(`town=${encodeURIComponent("x' OR 1=1 -- ")}`);
    assert.equal(inj.status, 200);
    assert.equal(inj.json.total, 0);
});

test('cursor paging walks every row once in sort order', async () => {
    for (const sort of ['price', '-price', 'town', '-built_area', 'ref', 'status', '-created_at']) {
        const seen = [];
        let cursor = null;
        for (let page = 0; page < 10; page++) {
            const res = await list(`sort=${sort}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
            assert.equal(res.status, 200, show(res));
            assert.equal(res.json.total, 6);
            seen.push(...res.json.data.map((p) => p.id));
            cursor = res.json.next_cursor;
            if (!cursor) {
                break;
            }
        }
        const all = await list(`sort=${sort}&limit=50`);
        assert.deepEqual(seen, all.json.data.map((p) => p.id), sort);
        assert.equal(new Set(seen).size, 6, sort);
    }
});

test('completeness: a score, what is missing, and filters on both', async () => {
    const a = (await api('GET', `/api/v1/properties/${ids.a}`, { token: w.tok.viewer })).json.data;
    assert.deepEqual(a.missing, ['photos', 'descriptions']);
    const e = (await api('GET', `/api/v1/properties/${ids.e}`, { token: w.tok.viewer })).json.data;
    assert.deepEqual(e.missing, ['photos', 'descriptions', 'gps'], 'a plot needs no bedrooms');
    const f = (await api('GET', `/api/v1/properties/${ids.f}`, { token: w.tok.viewer })).json.data;
    assert.deepEqual(f.missing, ['photos']);
    assert.ok(f.completeness > a.completeness);
    const noGps = await list('missing=gps&sort=id');
    assert.deepEqual(noGps.json.data.map((p) => p.id), [ids.b, ids.d, ids.e]);
    const noBeds = await list('missing=baths,area&sort=id');
    assert.deepEqual(noBeds.json.data.map((p) => p.id), [ids.d]);
    const desc = await list('missing=descriptions&status=active&sort=id');
    assert.ok(!desc.json.data.some((p) => p.id === ids.f));
    const incomplete = await list('incomplete=1');
    assert.equal(incomplete.json.total, 6);
    const sorted = await list('sort=-completeness&limit=1');
    assert.equal(sorted.json.data[0].id, ids.f);
    // A change of the tenant's languages re-scores every listing (a job).
    const en = await api('PATCH', `/api/v1/properties/${ids.c}`, { token: w.tok.admin,
        json: { descriptions: { en: { title: 'Flat', text: 'Near the port' } } } });
    assert.ok(en.json.data.missing.includes('descriptions'), 'Dutch is still missing');
    await api('PUT', '/api/v1/properties/settings', { token: w.tok.admin, json: { languages: ['en'] } });
    const { waitFor } = await import('../../../tests/api/_http.mjs');
    // The job queue is shared with every suite running beside this one (imports queue
    // thousands of rescorings): the recount comes when its turn does.
    await waitFor(async () => {
        const r = await api('GET', `/api/v1/properties/${ids.c}`, { token: w.tok.viewer });
        return !r.json.data.missing.includes('descriptions');
    }, { what: 'rescoring', timeout: 90000 });
});

test('a saved view of the properties list applies its filters and sort', async () => {
    sql(`INSERT INTO saved_views (tenant_id, list, name, owner_id, shared, filters, sort)
         VALUES (${w.t.id}, 'properties', 'Villas in Jávea', ${w.users.viewer.id}, 0,
                 '{"type":"villa","town":"Jávea","status":["active","sold"]}', '-price')`);
    const view = sql(`SELECT id FROM saved_views WHERE tenant_id = ${w.t.id} AND name = 'Villas in Jávea'`);
    const res = await list(`view=${view}`);
    assert.equal(res.status, 200, show(res));
    assert.deepEqual(res.json.data.map((p) => p.id), [ids.d, ids.a, ids.f]);
    const narrowed = await list(`view=${view}&status=sold`);
    assert.deepEqual(narrowed.json.data.map((p) => p.id), [ids.d], 'the URL refines the view');
    const notMine = await list(`view=${view}`, w.tok.agent);
    assert.equal(notMine.status, 404, 'a personal view is its owner\'s');
});

test('POST /api/v1/views checks a properties view\'s filters and sort before saving it', async () => {
    const post = (json) => api('POST', '/api/v1/views', { token: w.tok.agent, json });
    const before = sql(`SELECT COUNT(*) FROM saved_views WHERE tenant_id = ${w.t.id}`);
    const bad = await post({ list: 'properties', name: 'Bad', sort: 'colour',
        filters: { transaction: 'barter', price_min: 'cheap', published: 'maybe', colour: 'red' } });
    assert.equal(bad.status, 422, show(bad));
    assert.match(bad.json.error.fields['filters.transaction'], /sale, long_term_rent, holiday_rent/);
    assert.match(bad.json.error.fields['filters.price_min'], /whole number/);
    assert.equal(bad.json.error.fields['filters.published'], '1 or 0');
    assert.equal(bad.json.error.fields['filters.colour'], 'unknown filter');
    assert.match(bad.json.error.fields.sort, /^one of created_at/);
    const list = await post({ list: 'properties', name: 'Bad list', filters: { missing: ['photos', 'smell'] } });
    assert.equal(list.status, 422, show(list));
    assert.match(list.json.error.fields['filters.missing'], /photos, descriptions/);
    assert.equal(sql(`SELECT COUNT(*) FROM saved_views WHERE tenant_id = ${w.t.id}`), before, 'nothing saved');
    const good = await post({ list: 'properties', name: 'Big villas', sort: '-price',
        filters: { type: 'villa', status: ['active', 'sold'], beds_min: 4, published: '0' } });
    assert.equal(good.status, 201, show(good));
    const res = await api('GET', `/api/v1/properties?view=${good.json.data.id}`, { token: w.tok.agent });
    assert.equal(res.status, 200, show(res));
    assert.deepEqual(res.json.data.map((p) => p.id), [ids.d, ids.a, ids.f]);
    const patched = await api('PATCH', `/api/v1/views/${good.json.data.id}`,
        { token: w.tok.agent, json: { filters: { beds_min: -1 } } });
    assert.equal(patched.status, 422, show(patched));
    assert.match(patched.json.error.fields['filters.beds_min'], /whole number/);
});

test('the map gets the filtered properties with coordinates', async () => {
    const res = await api('GET', '/api/v1/properties/map?status=active', { token: w.tok.viewer });
    assert.equal(res.status, 200, show(res));
    assert.deepEqual(res.json.data.map((p) => p.id), [ids.a, ids.c, ids.f]);
    assert.equal(res.json.data[0].latitude, 38.79);
});

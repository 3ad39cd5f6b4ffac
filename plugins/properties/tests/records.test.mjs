// Properties: create, read, change, validation, references, roles, tenancy,
// status transitions with their history, settings and catalogues.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, createProperty, show, sql, world } from './_props.mjs';

let w, other;

before(async () => {
    w = await world('prec');
    other = await world('poth');
});

test('a property is created with a generated reference and every field read back', async () => {
    const p = await createProperty(w.tok.admin, {
        type: 'villa', transaction: 'sale', price: 35000000, currency: 'EUR',
        address: 'Calle Mayor 1', town: 'Jávea', province: 'Alicante', country: 'ES',
        postal_code: '03730', latitude: 38.7891, longitude: 0.1667, beds: 4, baths: 3,
        built_area: 220, plot_area: 900, terrace_area: 40, floor: '0', year_built: 2005,
        energy_consumption: 'C', energy_emissions: 'D', display_on_website: true, new_build: false,
        commission_bp: 300, video_url: 'https://video.example/v/1',
        features: ['pool', 'sea_view'], labels: ['Incomplete dossier'],
        descriptions: { en: { title: 'Sea view villa', text: 'Four bedrooms.' },
                        nl: { title: 'Villa met zeezicht', text: 'Vier slaapkamers.' } },
    });
    assert.match(p.ref, /^P\d{5}$/);
    assert.equal(p.status, 'draft');
    assert.equal(p.price, 35000000);
    assert.equal(p.latitude, 38.7891);
    assert.equal(p.display_on_website, true);
    assert.deepEqual(p.features, ['pool', 'sea_view']);
    assert.deepEqual(p.labels, ['Incomplete dossier']);
    assert.equal(p.descriptions.nl.title, 'Villa met zeezicht');
    assert.deepEqual(p.publications, []);
    const again = await api('GET', `/api/v1/properties/${p.id}`, { token: w.tok.viewer });
    assert.equal(again.status, 200, show(again));
    assert.equal(again.json.data.town, 'Jávea');
});

test('bad input names each field', async () => {
    const res = await api('POST', '/api/v1/properties', { token: w.tok.admin, json: {
        type: 'castle', price: -5, latitude: 91, longitude: -181, beds: 2.5, currency: 'euro',
        energy_consumption: 'H', video_url: 'javascript:alert(1)', transaction: 'swap',
        features: ['no_such_feature'], descriptions: { english: { title: 'x' } }, tenant_id: 9,
        status: 'flying', colour: 'red',
    } });
    assert.equal(res.status, 422, show(res));
    const f = res.json.error.fields;
    for (const k of ['type', 'price', 'latitude', 'longitude', 'beds', 'currency', 'energy_consumption',
        'video_url', 'transaction', 'features', 'descriptions', 'tenant_id', 'status', 'colour']) {
        assert.ok(f[k], `no error for ${k}: ${JSON.stringify(f)}`);
    }
    const none = await api('POST', '/api/v1/properties', { token: w.tok.admin, json: {} });
    assert.equal(none.status, 422);
    assert.ok(none.json.error.fields.type);
    const notJson = await api('POST', '/api/v1/properties', { token: w.tok.admin, json: [1] });
    assert.equal(notJson.status, 400);
});

test('references follow the tenant settings and are unique; changing them renumbers nothing', async () => {
    const before = await createProperty(w.tok.admin, { type: 'studio' });
    const s = await api('PUT', '/api/v1/properties/settings', { token: w.tok.admin,
        json: { ref_prefix: 'JAV-', ref_next: 700, ref_padding: 4, ref_suffix: '-CB' } });
    assert.equal(s.status, 200, show(s));
    assert.equal(s.json.data.next_ref, 'JAV-0700-CB');
    const a = await createProperty(w.tok.admin, { type: 'studio' });
    const b = await createProperty(w.tok.admin, { type: 'studio' });
    assert.equal(a.ref, 'JAV-0700-CB');
    assert.equal(b.ref, 'JAV-0701-CB');
    const old = await api('GET', `/api/v1/properties/${before.id}`, { token: w.tok.admin });
    assert.equal(old.json.data.ref, before.ref, 'not retroactive');
    const dup = await api('POST', '/api/v1/properties', { token: w.tok.admin, json: { type: 'studio', ref: a.ref } });
    assert.equal(dup.status, 409, show(dup));
    assert.ok(dup.json.error.fields.ref);
    // A hand-typed reference holding the next number is skipped over.
    await createProperty(w.tok.admin, { type: 'studio', ref: 'JAV-0702-CB' });
    const c = await createProperty(w.tok.admin, { type: 'studio' });
    assert.equal(c.ref, 'JAV-0703-CB');
    const badSettings = await api('PUT', '/api/v1/properties/settings', { token: w.tok.admin,
        json: { ref_padding: 40, ref_prefix: "a'b", languages: ['english'], nope: 1 } });
    assert.equal(badSettings.status, 422);
    assert.deepEqual(Object.keys(badSettings.json.error.fields).sort(),
        ['languages', 'nope', 'ref_padding', 'ref_prefix']);
    const agentSettings = await api('PUT', '/api/v1/properties/settings', { token: w.tok.agent, json: { ref_next: 1 } });
    assert.equal(agentSettings.status, 403);
});

test('PATCH changes fields, refuses unknown and read-only ones, and is audited', async () => {
    const p = await createProperty(w.tok.admin, { type: 'apartment', price: 20000000 });
    const res = await api('PATCH', `/api/v1/properties/${p.id}`, { token: w.tok.admin,
        json: { price: 19500000, beds: 2, descriptions: { es: { title: 'Piso', text: 'Bonito' } } } });
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json.data.price, 19500000);
    assert.equal(res.json.data.descriptions.es.text, 'Bonito');
    const ro = await api('PATCH', `/api/v1/properties/${p.id}`, { token: w.tok.admin,
        json: { web_views: 1000, completeness: 100 } });
    assert.equal(ro.status, 422);
    assert.equal(ro.json.error.fields.web_views, 'is read-only');
    const nul = await api('PATCH', `/api/v1/properties/${p.id}`, { token: w.tok.admin, json: { type: null } });
    assert.equal(nul.status, 422);
    const audit = JSON.parse(sql(`SELECT changes FROM audit_log WHERE tenant_id = ${w.t.id}
        AND entity = 'property' AND entity_id = ${p.id} AND action = 'update' ORDER BY id DESC LIMIT 1`));
    assert.deepEqual(audit.price, ['20000000', '19500000']);
});

test('roles: viewers read, agents change their own or unassigned listings, managers any', async () => {
    const v = await api('POST', '/api/v1/properties', { token: w.tok.viewer, json: { type: 'villa' } });
    assert.equal(v.status, 403);
    const mine = await createProperty(w.tok.agent, { type: 'villa' });
    assert.equal(mine.agent_id, w.users.agent.id, 'an agent\'s new listing is theirs');
    const theirs = await api('PATCH', `/api/v1/properties/${mine.id}`, { token: w.tok.agent2, json: { beds: 1 } });
    assert.equal(theirs.status, 403, show(theirs));
    const own = await api('PATCH', `/api/v1/properties/${mine.id}`, { token: w.tok.agent, json: { beds: 1 } });
    assert.equal(own.status, 200);
    const mgr = await api('PATCH', `/api/v1/properties/${mine.id}`, { token: w.tok.manager, json: { beds: 2 } });
    assert.equal(mgr.status, 200);
    const view = await api('PATCH', `/api/v1/properties/${mine.id}`, { token: w.tok.viewer, json: { beds: 3 } });
    assert.equal(view.status, 403);
    const del = await api('DELETE', `/api/v1/properties/${mine.id}`, { token: w.tok.agent2 });
    assert.equal(del.status, 403);
});

test('another tenant\'s property answers 404 everywhere', async () => {
    const p = await createProperty(w.tok.admin, { type: 'villa', status: 'active' });
    for (const [method, path, json] of [
        ['GET', `/api/v1/properties/${p.id}`],
        ['PATCH', `/api/v1/properties/${p.id}`, { beds: 1 }],
        ['DELETE', `/api/v1/properties/${p.id}`],
        ['GET', `/api/v1/properties/${p.id}/history`],
        ['GET', `/api/v1/properties/${p.id}/media`],
        ['GET', `/api/v1/properties/${p.id}/publications`],
        ['GET', `/api/v1/properties/${p.id}/matches`],
    ]) {
        const res = await api(method, path, { token: other.tok.admin, json });
        assert.equal(res.status, 404, `${method} ${path}: ${show(res)}`);
    }
    const batch = await api('POST', '/api/v1/properties/batch', { token: other.tok.admin,
        json: { action: 'delete', ids: [p.id] } });
    assert.equal(batch.status, 404);
    const still = await api('GET', `/api/v1/properties/${p.id}`, { token: w.tok.admin });
    assert.equal(still.status, 200);
    const list = await api('GET', '/api/v1/properties?limit=500', { token: other.tok.admin });
    assert.ok(!list.json.data.some((x) => x.id === p.id));
});

test('status changes are recorded; sold → active needs a reason; tenants tune the rules', async () => {
    const p = await createProperty(w.tok.admin, { type: 'villa' });
    let res = await api('PATCH', `/api/v1/properties/${p.id}`, { token: w.tok.admin, json: { status: 'active' } });
    assert.equal(res.status, 200, show(res));
    assert.ok(res.json.data.published_at, 'first activation sets the publication date');
    res = await api('PATCH', `/api/v1/properties/${p.id}`, { token: w.tok.admin, json: { status: 'sold' } });
    assert.equal(res.status, 200);
    res = await api('PATCH', `/api/v1/properties/${p.id}`, { token: w.tok.admin, json: { status: 'active', price: 1 } });
    assert.equal(res.status, 422, show(res));
    assert.equal(res.json.error.code, 'invalid_transition');
    assert.match(res.json.error.message, /sold to active needs a status_reason/);
    const unchanged = await api('GET', `/api/v1/properties/${p.id}`, { token: w.tok.admin });
    assert.equal(unchanged.json.data.status, 'sold');
    assert.notEqual(unchanged.json.data.price, 1, 'a refused change changes nothing');
    res = await api('PATCH', `/api/v1/properties/${p.id}`, { token: w.tok.admin,
        json: { status: 'active', status_reason: 'the buyer withdrew' } });
    assert.equal(res.status, 200, show(res));
    const h = await api('GET', `/api/v1/properties/${p.id}/history`, { token: w.tok.viewer });
    assert.equal(h.status, 200);
    assert.deepEqual(h.json.data.map((x) => `${x.from}>${x.to}`), ['sold>active', 'active>sold', 'draft>active', 'null>draft']);
    assert.equal(h.json.data[0].reason, 'the buyer withdrew');
    assert.equal(h.json.data[0].user_id, w.t.admin.id);
    // This tenant forbids going back from sold at all; others keep the default.
    const rules = await api('PUT', '/api/v1/properties/transitions', { token: w.tok.admin,
        json: { rules: [{ from: 'sold', to: '*', allowed: false }, { from: 'sold', to: 'rented', allowed: true }] } });
    assert.equal(rules.status, 200, show(rules));
    await api('PATCH', `/api/v1/properties/${p.id}`, { token: w.tok.admin, json: { status: 'sold' } });
    res = await api('PATCH', `/api/v1/properties/${p.id}`, { token: w.tok.admin,
        json: { status: 'active', status_reason: 'again' } });
    assert.equal(res.status, 422);
    assert.match(res.json.error.message, /cannot go from sold to active/);
    const q = await createProperty(other.tok.admin, { type: 'villa', status: 'sold' });
    res = await api('PATCH', `/api/v1/properties/${q.id}`, { token: other.tok.admin,
        json: { status: 'active', status_reason: 'relisted' } });
    assert.equal(res.status, 200, 'the other tenant keeps the built-in rules');
    // Enforcement can be switched off per tenant.
    await api('PUT', '/api/v1/properties/settings', { token: w.tok.admin, json: { enforce_transitions: false } });
    res = await api('PATCH', `/api/v1/properties/${p.id}`, { token: w.tok.admin, json: { status: 'active' } });
    assert.equal(res.status, 200);
    await api('PUT', '/api/v1/properties/settings', { token: w.tok.admin, json: { enforce_transitions: true } });
    const bad = await api('PUT', '/api/v1/properties/transitions', { token: w.tok.admin,
        json: { rules: [{ from: 'sold', to: 'nowhere', allowed: true }] } });
    assert.equal(bad.status, 422);
});

test('types and the feature catalogue have labels per language; tenants add features', async () => {
    const types = await api('GET', '/api/v1/properties/types', { token: w.tok.viewer });
    const villa = types.json.data.find((x) => x.code === 'villa');
    assert.equal(villa.labels.es, 'Villa');
    assert.equal(types.json.data.find((x) => x.code === 'penthouse').labels.es, 'Ático');
    for (const code of ['apartment', 'townhouse', 'duplex', 'studio', 'detached', 'semi_detached',
        'terraced', 'plot', 'commercial', 'office']) {
        assert.ok(types.json.data.some((x) => x.code === code), code);
    }
    const put = await api('PUT', '/api/v1/properties/features/tennis_court', { token: w.tok.admin,
        json: { category: 'outdoor', labels: { en: 'Tennis court', nl: 'Tennisbaan' } } });
    assert.equal(put.status, 200, show(put));
    const feats = await api('GET', '/api/v1/properties/features', { token: w.tok.viewer });
    assert.equal(feats.json.data.find((x) => x.code === 'tennis_court').labels.nl, 'Tennisbaan');
    const p = await createProperty(w.tok.admin, { type: 'villa', features: ['tennis_court'] });
    assert.deepEqual(p.features, ['tennis_court']);
    const elsewhere = await api('POST', '/api/v1/properties', { token: other.tok.admin,
        json: { type: 'villa', features: ['tennis_court'] } });
    assert.equal(elsewhere.status, 422, 'a tenant\'s feature is its own');
    const agent = await api('PUT', '/api/v1/properties/features/sauna', { token: w.tok.agent,
        json: { category: 'x', labels: { en: 'Sauna' } } });
    assert.equal(agent.status, 403);
});

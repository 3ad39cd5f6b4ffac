// The published feeds: Kyero v3 XML valid against the XSD (xmllint), Idealista JSON valid
// against its JSON Schemas (python3-jsonschema), only available listings, secret URLs, ETags,
// and the round trip: our Kyero feed imported into another tenant gives the same listings.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { api, cli, newToken, newUser, rawRequest } from '../../../tests/api/_http.mjs';
import { FORMATS, SAMPLE, feed, feedImport, property, sql, tenantWithToken, tmpFile } from './_kyero.mjs';

let a, b, kyeroUrl, idealistaUrl;
const geo = '<location><latitude>38.791</latitude><longitude>0.163</longitude></location>' +
    '<surface_area><built>120</built><plot>400</plot></surface_area>' +
    '<energy_rating><consumption>B</consumption><emissions>E</emissions></energy_rating>' +
    '<url><en>https://agency.example/p/1</en><es>https://agency.example/es/p/1</es></url>' +
    '<features><feature>sea view</feature><feature>air conditioning</feature></features>';

function get(url, headers = {}) {
    const u = new URL(url);
    return rawRequest('GET', u.pathname, { headers: { host: u.host, ...headers } });
}

before(async () => {
    a = await tenantWithToken('kypub');
    b = await tenantWithToken('kypub2');
    const imported = feedImport(a.slug, tmpFile('pub.xml', feed([
        property({ id: 'p1', ref: 'PUB-1', country: 'Spain', pool: '1', new_build: '1', notes: 'Key at the office',
            location_detail: 'Montgó', extra: geo }),
        property({ id: 'p2', ref: 'PUB-2', price: 'x', price_freq: 'month', type: 'Town House', extra: geo }),
        property({ id: 'p3', ref: 'PUB-3', type: 'villa', price_freq: 'week', price: '900', extra: geo }),
        property({ id: 'p4', ref: 'PUB-SOLD', extra: geo }),
        property({ id: 'p5', ref: 'PUB-GONE', extra: geo }),
        property({ id: 'p6', ref: 'PUB-UNPUBLISHED', extra: geo }),
    ])));
    assert.equal(imported.report.created, 6, imported.stdout);
    const sample = feedImport(a.slug, SAMPLE);
    assert.equal(sample.report.created, 1);
    sql(`INSERT INTO property_publications (tenant_id, property_id, portal)
         SELECT tenant_id, id, p.portal FROM properties, (SELECT 'kyero' AS portal UNION SELECT 'idealista') p
         WHERE tenant_id = ${a.id} AND ref <> 'PUB-UNPUBLISHED'`);
    sql(`UPDATE properties SET status = 'sold' WHERE tenant_id = ${a.id} AND ref = 'PUB-SOLD'`);
    sql(`UPDATE properties SET status = 'removed_by_feed' WHERE tenant_id = ${a.id} AND ref = 'PUB-GONE'`);
    kyeroUrl = JSON.parse(cli('--json', 'portal', 'connect', 'kyero', '--tenant', a.slug)).feed_url;
    idealistaUrl = JSON.parse(cli('--json', 'portal', 'connect', 'idealista', '--tenant', a.slug,
        '--customer-code', `ilc${'a1'.repeat(20)}`)).feed_url;
});

test('the Kyero feed validates against kyeroV3.0.xsd and carries only available listings', async () => {
    assert.match(kyeroUrl, new RegExp(`/feeds/${a.slug}/kyero/[0-9a-f]{64}\\.xml$`));
    const r = await get(kyeroUrl);
    assert.equal(r.status, 200, r.text.slice(0, 300));
    assert.match(r.headers['content-type'], /xml/);
    const file = tmpFile('published.xml', r.body);
    const lint = spawnSync('xmllint', ['--noout', '--schema', path.join(FORMATS, 'kyeroV3.0.xsd'), file],
        { encoding: 'utf8' });
    assert.equal(lint.status, 0, lint.stderr);
    const refs = [...r.text.matchAll(/<ref>([^<]*)<\/ref>/g)].map((m) => m[1]).sort();
    assert.deepEqual(refs, ['PUB-1', 'PUB-2', 'PUB-3', 'V3TEST']);
    assert.ok(r.headers.etag && r.headers['last-modified'], 'ETag and Last-Modified');
    const again = await get(kyeroUrl, { 'if-none-match': r.headers.etag });
    assert.equal(again.status, 304);
    sql(`UPDATE property_publications SET unpublished_at = NOW() WHERE tenant_id = ${a.id} AND portal = 'kyero'
         AND property_id = (SELECT id FROM properties WHERE tenant_id = ${a.id} AND ref = 'PUB-3')`);
    const changed = await get(kyeroUrl, { 'if-none-match': r.headers.etag });
    assert.equal(changed.status, 200, 'a depublished listing changes the feed');
    assert.doesNotMatch(changed.text, /PUB-3/);
    sql(`INSERT INTO property_publications (tenant_id, property_id, portal) SELECT tenant_id, id, 'kyero'
         FROM properties WHERE tenant_id = ${a.id} AND ref = 'PUB-3'`);
});

test('a wrong token, another tenant or a malformed name answers 404', async () => {
    const u = new URL(kyeroUrl);
    const wrong = kyeroUrl.replace(/[0-9a-f]{64}/, '0'.repeat(64));
    assert.equal((await get(wrong)).status, 404);
    assert.equal((await get(kyeroUrl.replace(/\.xml$/, '.json'))).status, 404);
    const bHost = `${b.slug}.localhost:${u.port}`;
    assert.equal((await rawRequest('GET', u.pathname, { headers: { host: bHost } })).status, 404);
    assert.equal((await get(idealistaUrl.replace('/idealista/', '/kyero/').replace(/\.json$/, '.xml'))).status, 404);
});

test('round trip: our Kyero feed imported into another tenant reproduces every mapped field', async () => {
    const r = await get(kyeroUrl);
    const imp = feedImport(b.slug, tmpFile('roundtrip.xml', r.body));
    assert.equal(imp.report.status, 'ok', imp.stdout);
    assert.equal(imp.report.created, 4);
    const cols = `ref, type, transaction, price, currency, price_period, town, province, country, area, latitude,
        longitude, beds, baths, built_area, plot_area, energy_consumption, energy_emissions, new_build, notes`;
    const rows = (t, extra = '') => sql(`SELECT ${cols} FROM properties WHERE tenant_id = ${t.id} ${extra}
        AND ref IN ('PUB-1', 'PUB-2', 'PUB-3', 'V3TEST') ORDER BY ref`);
    assert.deepEqual(rows(b), rows(a));
    const children = (t) => ({
        descs: sql(`SELECT p.ref, d.lang, d.text FROM property_descriptions d JOIN properties p ON p.tenant_id = d.tenant_id
            AND p.id = d.property_id WHERE d.tenant_id = ${t.id} AND p.ref IN ('PUB-1', 'PUB-2', 'PUB-3', 'V3TEST')
            AND d.lang IN ('ca','de','da','en','es','fi','fr','it','nl','no','pt','ru','sv') ORDER BY 1, 2`),
        feats: sql(`SELECT p.ref, f.code FROM property_features f JOIN properties p ON p.tenant_id = f.tenant_id
            AND p.id = f.property_id WHERE f.tenant_id = ${t.id} AND p.ref IN ('PUB-1', 'PUB-2', 'PUB-3', 'V3TEST') ORDER BY 1, 2`),
        photos: sql(`SELECT p.ref, m.position, m.source_url FROM property_media m JOIN properties p ON p.tenant_id = m.tenant_id
            AND p.id = m.property_id WHERE m.tenant_id = ${t.id} AND p.ref IN ('PUB-1', 'PUB-2', 'PUB-3', 'V3TEST') ORDER BY 1, 2`),
        items: sql(`SELECT p.ref, i.part_ownership, i.leasehold, i.pool, i.urls FROM kyero_items i JOIN properties p
            ON p.tenant_id = i.tenant_id AND p.id = i.property_id WHERE i.tenant_id = ${t.id}
            AND p.ref IN ('PUB-1', 'PUB-2', 'PUB-3') ORDER BY 1`),
    });
    const ca = children(a), cb = children(b);
    assert.ok(ca.descs.length >= 4 && ca.feats.length >= 4 && ca.photos.length >= 8);
    assert.deepEqual(cb.descs, ca.descs);
    assert.deepEqual(cb.feats, ca.feats);
    assert.deepEqual(cb.photos, ca.photos);
    assert.deepEqual(cb.items, ca.items);
});

test('the Idealista feed validates against the v6 customer schema', async () => {
    assert.match(idealistaUrl, /\/idealista\/[0-9a-f]{64}\.json$/);
    const r = await get(idealistaUrl);
    assert.equal(r.status, 200, r.text.slice(0, 300));
    const doc = JSON.parse(r.text);
    const codes = doc.customerProperties.map((p) => p.propertyReference).sort();
    assert.deepEqual(codes, ['PUB-1', 'PUB-3', 'V3TEST'], 'on request (PUB-2), sold and withdrawn are left out');
    const one = doc.customerProperties.find((p) => p.propertyReference === 'PUB-1');
    assert.equal(one.propertyOperation.operationPrice, 200000);
    assert.equal(one.propertyFeatures.featuresType, 'flat');
    assert.equal(one.propertyAddress.addressVisibility, 'hidden');
    const file = tmpFile('idealista.json', r.body);
    const script = `
import json, jsonschema, pathlib, sys, warnings; warnings.simplefilter("ignore")
root = pathlib.Path(sys.argv[1])
store = {d["id"]: d for d in (json.load(open(p)) for p in root.rglob("*.json")) if isinstance(d, dict) and "id" in d}
schema = store["https://feeds.idealista.com/v6/schemas/properties/customer.json"]
v = jsonschema.Draft4Validator(schema, resolver=jsonschema.RefResolver.from_schema(schema, store=store))
errors = list(v.iter_errors(json.load(open(sys.argv[2]))))
for e in errors: print(list(e.path), e.message[:200])
sys.exit(1 if errors else 0)`;
    const check = spawnSync('/usr/bin/python3', ['-c', script, path.join(FORMATS, 'idealista'), file], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    const bad = tmpFile('idealista-bad.json', r.text.replace('"operationType":"sale"', '"operationType":"swap"'));
    const refused = spawnSync('/usr/bin/python3', ['-c', script, path.join(FORMATS, 'idealista'), bad], { encoding: 'utf8' });
    assert.equal(refused.status, 1, 'the validator does refuse a wrong operationType');
    const again = await get(idealistaUrl, { 'if-none-match': r.headers.etag });
    assert.equal(again.status, 304);
});

test('connecting again through the API makes a new secret URL and retires the old one', async () => {
    const r = await api('POST', '/api/v1/portals/kyero/connect', { token: a.token, json: {} });
    assert.equal(r.status, 201, r.text);
    assert.notEqual(r.json.data.feed_url, kyeroUrl);
    assert.equal((await get(r.json.data.feed_url)).status, 200);
    assert.equal((await get(kyeroUrl)).status, 404, 'the old URL is gone');
    assert.equal((await api('POST', '/api/v1/portals/fotocasa/connect', { token: a.token, json: {} })).status, 404);
    assert.equal((await api('POST', '/api/v1/portals/kyero/connect', { token: a.token, json: { token: 'x' } })).status, 422);
    const list = await api('GET', '/api/v1/portals', { token: a.token });
    assert.deepEqual(list.json.data.map((c) => c.portal), ['idealista', 'kyero']);
    assert.equal(list.json.data[0].customer_code, `ilc${'a1'.repeat(20)}`);
    const agent = newUser(a, 'agent');
    const agentToken = newToken(a, agent.email);
    assert.equal((await api('POST', '/api/v1/portals/kyero/connect', { token: agentToken, json: {} })).status, 403);
    assert.equal((await api('GET', '/api/v1/portals', { token: b.token })).json.data.length, 0, 'tenants do not see each other\'s');
});
